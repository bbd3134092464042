//go:build cgo

package sctp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"strings"
	"time"

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

// ExampleDial_listenerAddr dials a listener through its address alone:
// Addr carries the listener's UDP encapsulation port (";udp=N"), so the
// dial needs no option, whichever UDP port the listener got.
func ExampleDial_listenerAddr() {
	ln, err := sctp.ListenSCTPListener("sctp4", &sctp.SCTPAddr{
		IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}})
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.AcceptSCTP()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 100)
		n, info, err := c.ReadFromSCTP(buf)
		if err == nil {
			fmt.Printf("server: %q on stream %d, PPID %d\n", buf[:n], info.Stream, info.PPID)
		}
	}()

	c, err := sctp.Dial(ln.Addr().Network(), ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	sc := c.(*sctp.SCTPConn)
	// Write and io.Copy use the default send info.
	sc.SetDefaultSendInfo(sctp.SndInfo{Stream: 1, PPID: 51})
	if _, err := io.Copy(sc, strings.NewReader("hello")); err != nil {
		log.Fatal(err)
	}
	sc.Close() // over UDP, waits until the peer has the message
	<-done
	// Output: server: "hello" on stream 1, PPID 51
}

// ExampleSCTPConn_ReadFromSCTPAddrPort exchanges messages on one-to-many
// conns with the allocation-free forms: the caller's RcvInfo and SndInfo,
// and netip.AddrPort addresses.
func ExampleSCTPConn_ReadFromSCTPAddrPort() {
	lc := sctp.ListenConfig{Options: sctp.Options{Transport: sctp.TransportUDP, LocalUDPPort: sctp.EphemeralPort}}
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &sctp.SCTPAddr{
		IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	// A netip.AddrPort has no UDP port: the client's option names it.
	clc := sctp.ListenConfig{Options: sctp.Options{Transport: sctp.TransportUDP,
		LocalUDPPort: sctp.EphemeralPort, RemoteUDPPort: srv.UDPPort()}}
	cl, err := clc.ListenSCTP(context.Background(), "sctp4", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	srv.SetReadDeadline(time.Now().Add(10 * time.Second))

	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(srv.LocalAddr().(*sctp.SCTPAddr).Port))
	si := sctp.SndInfo{Stream: 2, PPID: 7}
	if _, err := cl.WriteToSCTPAddrPort([]byte("ping"), to, &si); err != nil {
		log.Fatal(err)
	}
	var ri sctp.RcvInfo
	buf := make([]byte, 100)
	n, from, err := srv.ReadFromSCTPAddrPort(buf, &ri)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s from %v on stream %d, PPID %d, whole: %v\n", buf[:n], from.Addr(), ri.Stream, ri.PPID, ri.EndOfRecord())
	st, err := srv.Status() // the conn's only association
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.State, st.AssocID == ri.AssocID)
	// Output:
	// ping from 127.0.0.1 on stream 2, PPID 7, whole: true
	// ESTABLISHED true
}

// ExampleOptions_SetNoDelay tunes a dialer: bundling of small messages,
// retransmission timeout bounds and heartbeats.
func ExampleOptions_SetNoDelay() {
	var d sctp.Dialer
	d.SetNoDelay(false) // small messages may wait to be bundled
	d.RTOMin = 100 * time.Millisecond
	d.RTOMax = 5 * time.Second
	d.HeartbeatInterval = 5 * time.Second
	fmt.Println(d.NoDelay())
	// Output: false
}

// ExampleClient runs SCTP over a connection the program already has, here
// one end of a net.Pipe (a DTLS connection would be used the same way, as
// WebRTC data channels do, with ZeroChecksum set).
func ExampleClient() {
	c1, c2 := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv, err := sctp.Server(c2, nil)
		if err != nil {
			log.Print(err)
			return
		}
		defer srv.Close()
		buf := make([]byte, 1024)
		n, info, err := srv.ReadFromSCTP(buf)
		if err != nil {
			log.Print(err)
			return
		}
		fmt.Printf("server: stream %d, PPID %d: %s\n", info.Stream, info.PPID, buf[:n])
	}()
	cli, err := sctp.Client(c1, &sctp.ConnConfig{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := cli.WriteToSCTP([]byte("hello"), nil, &sctp.SndInfo{Stream: 2, PPID: 51}); err != nil {
		log.Fatal(err)
	}
	<-done
	cli.Close()
	// Output: server: stream 2, PPID 51: hello
}

// ExampleSCTPConn_WriteBatch sends ten messages with one WriteBatch (one
// cgo call for the run of small messages) and reads them with ReadBatch,
// which returns, after the first, those the conn has already read ahead.
func ExampleSCTPConn_WriteBatch() {
	lc := sctp.ListenConfig{Options: sctp.Options{LocalUDPPort: sctp.EphemeralPort}}
	l, err := lc.ListenSCTPListener(context.Background(), "sctp4", &sctp.SCTPAddr{
		IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	d := sctp.Dialer{Options: sctp.Options{LocalUDPPort: sctp.EphemeralPort, RemoteUDPPort: l.UDPPort()}}
	c, err := d.DialSCTPContext(context.Background(), "sctp4", l.Addr().(*sctp.SCTPAddr))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := l.AcceptSCTP()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	out := make([]sctp.Message, 10)
	infos := make([]sctp.SndInfo, len(out))
	for i := range out {
		infos[i].PPID = uint32(100 + i)
		out[i] = sctp.Message{Buffer: []byte(fmt.Sprintf("message %d", i)), SndInfo: &infos[i]}
	}
	n, err := c.WriteBatch(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent", n)

	in := make([]sctp.Message, 4)
	for i := range in {
		in[i].Buffer = make([]byte, 1500)
	}
	for got := 0; got < n; {
		k, err := s.ReadBatch(in)
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range in[:k] {
			fmt.Printf("PPID %d: %s\n", m.RcvInfo.PPID, m.Buffer[:m.N])
		}
		got += k
	}
	// Output:
	// sent 10
	// PPID 100: message 0
	// PPID 101: message 1
	// PPID 102: message 2
	// PPID 103: message 3
	// PPID 104: message 4
	// PPID 105: message 5
	// PPID 106: message 6
	// PPID 107: message 7
	// PPID 108: message 8
	// PPID 109: message 9
}
