// Command sctpecho is the echo server and client of the csctp paper, over
// the userland SCTP of package github.com/csctp/csctp/go/sctp.
//
// Server: prints the stream id and each message it receives and sends it
// back on the same stream.
//
//	sctpecho -server -port 5000
//
// Client: sends -count messages on rotating streams, prints the echoes and
// exits with status 0 when every echo matched.
//
//	sctpecho -addr 127.0.0.1 -port 5000 -count 10 -message hello
//
// Over UDP encapsulation (the default transport) the server binds the local
// UDP port -udp-port (default 9899) and the client sends to
// -remote-udp-port (default 9899) from an ephemeral UDP port. -addr may be
// repeated, and each value may list several addresses as "ip1/ip2"
// (multi-homing).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/csctp/csctp/go/sctp"
)

type addrList []string

// String implements flag.Value.
func (a *addrList) String() string { return strings.Join(*a, "/") }

// Set implements flag.Value: it adds the addresses of "ip1/ip2".
func (a *addrList) Set(s string) error {
	for _, p := range strings.Split(s, "/") {
		if p = strings.TrimSpace(p); p != "" {
			*a = append(*a, strings.Trim(p, "[]"))
		}
	}
	return nil
}

func main() {
	var addrs addrList
	server := flag.Bool("server", false, "run the echo server (default: client)")
	flag.Var(&addrs, "addr", "local (server) or peer (client) address; repeat or use ip1/ip2 for several")
	port := flag.Int("port", 5000, "SCTP port")
	streams := flag.Int("streams", 10, "outbound streams to request; the client rotates over them")
	transport := flag.String("transport", "udp", "transport: udp (RFC 6951 encapsulation), raw (IP protocol 132, root), auto")
	udpPort := flag.Int("udp-port", 0, "local UDP encapsulation port (default: 9899 for the server, ephemeral for the client; -1: ephemeral)")
	remoteUDPPort := flag.Int("remote-udp-port", 0, "peer's UDP encapsulation port (default 9899)")
	count := flag.Int("count", 10, "client: messages to send")
	message := flag.String("message", "hello", "client: message text (the sequence number is appended)")
	timeout := flag.Duration("timeout", 10*time.Second, "client: time limit for setup and for each echo")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("sctpecho: ")

	opts := sctp.Options{
		LocalUDPPort:     *udpPort,
		RemoteUDPPort:    *remoteUDPPort,
		InitNumStreams:   *streams,
		InitMaxInStreams: 65535,
	}
	switch *transport {
	case "udp":
		opts.Transport = sctp.TransportUDP
	case "raw":
		opts.Transport = sctp.TransportRaw
	case "auto":
		opts.Transport = sctp.TransportAuto
	case "kernel":
		opts.Transport = sctp.TransportKernel
	default:
		log.Fatalf("unknown transport %q (want udp, raw, kernel or auto)", *transport)
	}
	if *streams < 1 || *streams > 65535 {
		log.Fatalf("-streams must be in 1..65535")
	}

	addr := &sctp.SCTPAddr{Port: *port}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if ip == nil {
			r, err := sctp.ResolveSCTPAddr("sctp", net.JoinHostPort(a, "0"))
			if err != nil {
				log.Fatalf("address %q: %v", a, err)
			}
			addr.IPAddrs = append(addr.IPAddrs, r.IPAddrs...)
			continue
		}
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		addr.IPAddrs = append(addr.IPAddrs, net.IPAddr{IP: ip})
	}

	if *server {
		if err := serve(opts, addr); err != nil {
			log.Fatal(err)
		}
		return
	}
	if len(addr.IPAddrs) == 0 {
		addr.IPAddrs = []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1).To4()}}
	}
	if err := client(opts, addr, *streams, *count, *message, *timeout); err != nil {
		log.Fatal(err)
	}
}

func serve(opts sctp.Options, laddr *sctp.SCTPAddr) error {
	lc := sctp.ListenConfig{Options: opts}
	l, err := lc.ListenSCTPListener(context.Background(), "sctp", laddr)
	if err != nil {
		return err
	}
	fmt.Printf("listening on %v (%s transport, UDP port %d)\n", l.Addr(), l.Transport(), l.UDPPort())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() {
		<-sig
		l.Close()
	}()
	for {
		c, err := l.AcceptSCTP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go echo(c)
	}
}

// echo serves one association: print each message with its stream and send
// it back on the same stream with the same PPID.
func echo(c *sctp.SCTPConn) {
	defer c.Close()
	id := c.AssocID()
	peer := c.RemoteAddr()
	fmt.Printf("[assoc %d] up from %v\n", id, peer)
	buf := make([]byte, 64<<10)
	var msg []byte
	for {
		n, info, err := c.ReadFromSCTP(buf)
		if err != nil {
			if err == io.EOF {
				fmt.Printf("[assoc %d] closed by peer\n", id)
			} else {
				fmt.Printf("[assoc %d] %v\n", id, err)
			}
			return
		}
		msg = append(msg, buf[:n]...)
		if !info.EndOfRecord() {
			continue
		}
		fmt.Printf("[assoc %d] stream %d: %s\n", id, info.Stream, printable(msg))
		if _, err := c.WriteToSCTP(msg, nil, &sctp.SndInfo{Stream: info.Stream, PPID: info.PPID}); err != nil {
			fmt.Printf("[assoc %d] echo: %v\n", id, err)
			return
		}
		msg = msg[:0]
	}
}

func printable(b []byte) string {
	const max = 200
	s := string(b)
	if len(s) > max {
		s = s[:max] + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return fmt.Sprintf("%q", s)
}

func client(opts sctp.Options, raddr *sctp.SCTPAddr, streams, count int, message string, timeout time.Duration) error {
	d := sctp.Dialer{Timeout: timeout, Options: opts}
	c, err := d.DialSCTPContext(context.Background(), "sctp", raddr)
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return err
	}
	fmt.Printf("connected to %v: assoc %d, streams out %d in %d\n",
		c.RemoteAddr(), c.AssocID(), st.OutboundStreams, st.InboundStreams)
	nstreams := min(streams, st.OutboundStreams)
	buf := make([]byte, 64<<10)
	for i := 0; i < count; i++ {
		out := fmt.Sprintf("%s %d", message, i)
		sid := uint16(i % nstreams)
		if _, err := c.WriteToSCTP([]byte(out), nil, &sctp.SndInfo{Stream: sid, PPID: uint32(i)}); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(timeout))
		var got []byte
		var info *sctp.RcvInfo
		for {
			n, ri, err := c.ReadFromSCTP(buf)
			if err != nil {
				return fmt.Errorf("message %d: %w", i, err)
			}
			got = append(got, buf[:n]...)
			if ri.EndOfRecord() {
				info = ri
				break
			}
		}
		fmt.Printf("echo stream %d: %s\n", info.Stream, got)
		if !bytes.Equal(got, []byte(out)) || info.Stream != sid {
			return fmt.Errorf("message %d: echo %q on stream %d, sent %q on stream %d", i, got, info.Stream, out, sid)
		}
	}
	return nil
}
