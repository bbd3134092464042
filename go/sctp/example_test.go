//go:build cgo

package sctp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"

	"github.com/csctp/csctp/go/sctp"
)

// The examples run over UDP encapsulation on loopback. The server asks for
// an ephemeral local UDP port (a real server would keep the default, 9899),
// and the client aims at it with RemoteUDPPort.

// ExampleListen is the echo server of the paper: it prints the stream id
// and the message, and sends the message back on the same stream.
func ExampleListen() {
	lc := sctp.ListenConfig{Options: sctp.Options{LocalUDPPort: sctp.EphemeralPort}}
	ln, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	l := ln.(*sctp.SCTPListener)

	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.AcceptSCTP()
		if err != nil {
			log.Print(err)
			return
		}
		defer c.Close()
		buf := make([]byte, 64<<10)
		for {
			n, info, err := c.ReadFromSCTP(buf)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					log.Print(err)
				}
				return
			}
			fmt.Printf("server: stream %d: %s\n", info.Stream, buf[:n])
			if _, err := c.WriteToSCTP(buf[:n], nil, &sctp.SndInfo{Stream: info.Stream, PPID: info.PPID}); err != nil {
				log.Print(err)
				return
			}
		}
	}()

	// A client for the example: two messages on streams 0 and 1.
	d := sctp.Dialer{Options: sctp.Options{LocalUDPPort: sctp.EphemeralPort, RemoteUDPPort: l.UDPPort()}}
	c, err := d.Dial("sctp4", l.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	conn := c.(*sctp.SCTPConn)
	buf := make([]byte, 1024)
	for i, msg := range []string{"hello", "world"} {
		conn.WriteToSCTP([]byte(msg), nil, &sctp.SndInfo{Stream: uint16(i)})
		n, _, err := conn.ReadFromSCTP(buf)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("client: echo %s\n", buf[:n])
	}
	conn.Close()
	<-done
	// Output:
	// server: stream 0: hello
	// client: echo hello
	// server: stream 1: world
	// client: echo world
}

// ExampleDial is the client of the paper: it sends messages on rotating
// streams with a PPID and prints the echoes with the stream they came back
// on.
func ExampleDial() {
	// An echo server to talk to.
	lc := sctp.ListenConfig{Options: sctp.Options{LocalUDPPort: sctp.EphemeralPort}}
	ln, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := c.(*sctp.SCTPConn)
		buf := make([]byte, 1024)
		for {
			n, info, err := sc.ReadFromSCTP(buf)
			if err != nil {
				return
			}
			sc.WriteToSCTP(buf[:n], nil, &sctp.SndInfo{Stream: info.Stream, PPID: info.PPID})
		}
	}()

	d := sctp.Dialer{Options: sctp.Options{
		LocalUDPPort:   sctp.EphemeralPort,
		RemoteUDPPort:  ln.(*sctp.SCTPListener).UDPPort(),
		InitNumStreams: 4,
	}}
	raddr, err := sctp.ResolveSCTPAddr("sctp4", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	conn, err := d.DialSCTPContext(context.Background(), "sctp4", raddr)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	buf := make([]byte, 1024)
	for i := 0; i < 4; i++ {
		msg := fmt.Sprintf("message %d", i)
		info := &sctp.SndInfo{Stream: uint16(i % 4), PPID: 42}
		if _, err := conn.WriteToSCTP([]byte(msg), nil, info); err != nil {
			log.Fatal(err)
		}
		n, rinfo, err := conn.ReadFromSCTP(buf)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("stream %d ppid %d: %s\n", rinfo.Stream, rinfo.PPID, buf[:n])
	}
	// Output:
	// stream 0 ppid 42: message 0
	// stream 1 ppid 42: message 1
	// stream 2 ppid 42: message 2
	// stream 3 ppid 42: message 3
}

// ExampleResolveSCTPAddr shows the multi-homed address syntax.
func ExampleResolveSCTPAddr() {
	a, err := sctp.ResolveSCTPAddr("sctp", "10.0.0.1/10.0.1.1:5000")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a, len(a.IPAddrs))
	b := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("::1")}, {IP: net.ParseIP("fd00::2")}}, Port: 5000}
	fmt.Println(b)
	// Output:
	// 10.0.0.1/10.0.1.1:5000 2
	// [::1/fd00::2]:5000
}
