//go:build cgo && unix

package sctp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csctp/csctp/go/sctp"
)

// lowerPair sets up csctp <-> csctp over net.Pipe: Client on one end,
// Server on the other.
func lowerPair(t *testing.T, cfg *sctp.ConnConfig) (cli, srv *sctp.SCTPConn, pc, ps net.Conn) {
	t.Helper()
	pc, ps = net.Pipe()
	return lowerPairOver(t, cfg, pc, ps)
}

func lowerPairOver(t *testing.T, cfg *sctp.ConnConfig, pc, ps net.Conn) (cli, srv *sctp.SCTPConn, _, _ net.Conn) {
	t.Helper()
	type res struct {
		c   *sctp.SCTPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := sctp.Server(ps, cfg)
		ch <- res{c, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli, err := sctp.ClientContext(ctx, pc, cfg)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	r := <-ch
	if r.err != nil {
		cli.Close()
		t.Fatalf("Server: %v", r.err)
	}
	return cli, r.c, pc, ps
}

// sumSpy counts the packets written through it whose checksum field
// (common header bytes 8..11) is zero, and all of them.
type sumSpy struct {
	net.Conn
	zero, all atomic.Int64
}

func (s *sumSpy) Write(b []byte) (int, error) {
	s.all.Add(1)
	if len(b) >= 12 && b[8]|b[9]|b[10]|b[11] == 0 {
		s.zero.Add(1)
	}
	return s.Conn.Write(b)
}

// exchangeStreams sends n messages on streams 0..3 from a to b (sizes up
// to 40 KB, so some are fragmented), with PPID = 1000 + i, and checks
// every message's stream, PPID, order per stream and SHA-256.
func exchangeStreams(t *testing.T, a, b *sctp.SCTPConn, n int, seed int64) error {
	rng := rand.New(rand.NewSource(seed))
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = make([]byte, 1+rng.Intn(40000))
		rng.Read(msgs[i])
	}
	errc := make(chan error, 1)
	go func() {
		for i, m := range msgs {
			if _, err := a.WriteToSCTP(m, nil, &sctp.SndInfo{Stream: uint16(i % 4), PPID: uint32(1000 + i)}); err != nil {
				errc <- fmt.Errorf("write %d: %w", i, err)
				return
			}
		}
		errc <- nil
	}()
	next := [4]int{0, 1, 2, 3}
	buf := make([]byte, 64<<10)
	for k := 0; k < n; k++ {
		got, info, err := b.ReadFromSCTP(buf)
		if err != nil {
			return fmt.Errorf("read %d: %w", k, err)
		}
		if info.Stream > 3 {
			return fmt.Errorf("stream %d", info.Stream)
		}
		i := next[info.Stream]
		next[info.Stream] += 4
		if info.PPID != uint32(1000+i) {
			return fmt.Errorf("stream %d: PPID %d, want %d (order per stream)", info.Stream, info.PPID, 1000+i)
		}
		if sha256.Sum256(buf[:got]) != sha256.Sum256(msgs[i]) {
			return fmt.Errorf("message %d: SHA-256 differs (%d bytes, want %d)", i, got, len(msgs[i]))
		}
	}
	return <-errc
}

func TestLowerPipeStreams(t *testing.T) {
	for _, zc := range []bool{false, true} {
		t.Run(fmt.Sprintf("zerochecksum=%v", zc), func(t *testing.T) {
			cfg := &sctp.ConnConfig{ZeroChecksum: zc}
			cfg.InitNumStreams = 8
			p1, p2 := net.Pipe()
			spy := &sumSpy{Conn: p1}
			cli, srv, _, _ := lowerPairOver(t, cfg, spy, p2)
			defer cli.Close()
			defer srv.Close()
			var wg sync.WaitGroup
			errs := make([]error, 2)
			wg.Add(2)
			go func() { defer wg.Done(); errs[0] = exchangeStreams(t, cli, srv, 60, 1) }()
			go func() { defer wg.Done(); errs[1] = exchangeStreams(t, srv, cli, 60, 2) }()
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			// RFC 9653: with the option both sides offer DTLS, so all but
			// the INIT and COOKIE ECHO go with checksum zero; without it none.
			zero, all := spy.zero.Load(), spy.all.Load()
			if zc && (all-zero > 3 || zero < 60) || !zc && zero != 0 {
				t.Fatalf("zero checksum %v: %d of %d packets had checksum 0", zc, zero, all)
			}
			st, err := cli.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.OutboundStreams != 8 || st.PeerPort != 5000 {
				t.Fatalf("status: %d outbound streams, peer port %d", st.OutboundStreams, st.PeerPort)
			}
			if a := srv.RemoteAddr().(*sctp.SCTPAddr); a.Port != 5000 {
				t.Fatalf("server's RemoteAddr %v", a)
			}
		})
	}
}

// Close is graceful: what was written arrives, then the peer reads io.EOF,
// and the lower connection is closed once the association has ended.
func TestLowerPipeClose(t *testing.T) {
	cli, srv, pc, _ := lowerPair(t, nil)
	defer srv.Close()
	last := bytes.Repeat([]byte("bye"), 10000)
	if _, err := cli.Write(last); err != nil {
		t.Fatal(err)
	}
	if err := cli.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	n, err := srv.Read(buf)
	if err != nil || !bytes.Equal(buf[:n], last) {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	if _, err := srv.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("read after the peer's close: %v, want io.EOF", err)
	}
	// The association owns the pipe end: closed once it has ended.
	deadline := time.Now().Add(5 * time.Second)
	for {
		pc.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := pc.Write([]byte{0}); errors.Is(err, io.ErrClosedPipe) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the client's pipe end is still open after Close")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := cli.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}

// Deadlines work as on any SCTPConn.
func TestLowerPipeDeadline(t *testing.T) {
	cli, srv, _, _ := lowerPair(t, nil)
	defer cli.Close()
	defer srv.Close()
	srv.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err := srv.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
		t.Fatalf("deadline fired after %v", d)
	}
	srv.SetReadDeadline(time.Time{})
	if _, err := cli.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := srv.Read(buf); err != nil || string(buf[:n]) != "after" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
}

// A setup bounded by its context fails when nobody answers, and the
// connection is closed.
func TestLowerClientContext(t *testing.T) {
	pc, ps := net.Pipe()
	go io.Copy(io.Discard, ps) // swallows the INITs
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := sctp.ClientContext(ctx, pc, nil)
	if !errors.Is(err, os.ErrDeadlineExceeded) { // as DialContext reports it
		t.Fatalf("err %v, want the context's deadline", err)
	}
	ps.Close()
	if _, err := sctp.Client(nil, nil); err == nil {
		t.Fatal("Client(nil) succeeded")
	}
	if _, err := sctp.Client(pc, &sctp.ConnConfig{MTU: 100}); err == nil {
		t.Fatal("MTU 100 accepted")
	}
}

// PacketConn carries the association over UDP sockets.
func TestLowerPacketConnUDP(t *testing.T) {
	a, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *sctp.SCTPConn, 1)
	go func() {
		c, err := sctp.Server(sctp.PacketConn(b, nil), nil)
		if err != nil {
			t.Error(err)
		}
		ch <- c
	}()
	cli, err := sctp.Client(sctp.PacketConn(a, b.LocalAddr()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	srv := <-ch
	if srv == nil {
		t.FailNow()
	}
	defer srv.Close()
	if err := exchangeStreams(t, cli, srv, 20, 3); err != nil {
		t.Fatal(err)
	}
	if err := exchangeStreams(t, srv, cli, 20, 4); err != nil {
		t.Fatal(err)
	}
}

// Notifications come as on any SCTPConn: COMM_UP on both sides, the peer's
// SHUTDOWN on the server.
func TestLowerPipeNotifications(t *testing.T) {
	cfg := &sctp.ConnConfig{}
	cfg.Notifications = []sctp.NotificationType{sctp.NotifyAssocChange, sctp.NotifyShutdown}
	cli, srv, _, _ := lowerPair(t, cfg)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range []*sctp.SCTPConn{cli, srv} {
		n, err := c.ReadNotification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ac, ok := n.(*sctp.AssocChange); !ok || ac.State != sctp.AssocCommUp {
			t.Fatalf("first notification %#v, want COMM_UP", n)
		}
	}
	cli.Close()
	n, err := srv.ReadNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := n.(*sctp.ShutdownEvent); !ok {
		t.Fatalf("notification %#v, want the peer's shutdown", n)
	}
}
