//go:build cgo

package sctp

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestIPv6(t *testing.T) { forEachTransport(t, testIPv6) }

func testIPv6(t *testing.T, tr Transport) {
	lc := testListenConfig(Options{Transport: tr})
	l, err := lc.ListenSCTPListener(context.Background(), "sctp6", &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv6loopback}}})
	if err != nil {
		if errors.Is(err, syscall.EAFNOSUPPORT) || errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Skipf("no IPv6: %v", err)
		}
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	d := dialerFor(l.UDPPort(), Options{Transport: tr})
	c, err := d.Dial("sctp6", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ra := c.RemoteAddr().String(); ra != l.Addr().String() {
		t.Errorf("remote %s, listener %s", ra, l.Addr())
	}
	c.Write([]byte("six"))
	got, info := readMsg(t, c.(*SCTPConn), 10)
	if string(got) != "six" || info.From == nil || !info.From.IPAddrs[0].IP.Equal(net.IPv6loopback) {
		t.Errorf("read %q from %v", got, info.From)
	}
}

func TestMultihomed(t *testing.T) { forEachTransport(t, testMultihomed) }

func testMultihomed(t *testing.T, tr Transport) {
	two := &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1).To4()}, {IP: net.IPv4(127, 0, 0, 2).To4()}}}
	lc := testListenConfig(Options{Transport: tr})
	l, err := lc.ListenSCTPListener(context.Background(), "sctp4", two)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if la := l.Addr().(*SCTPAddr); len(la.IPAddrs) != 2 {
		t.Errorf("listener address %v", la)
	}
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	raddr := &SCTPAddr{IPAddrs: two.IPAddrs, Port: l.Addr().(*SCTPAddr).Port}
	d := dialerFor(l.UDPPort(), Options{Transport: tr})
	c, err := d.DialSCTPContext(context.Background(), "sctp4", raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("mh"))
	readMsg(t, c, 10)
	ps, err := c.Paths()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("paths: %+v", ps)
	if len(ps) != 2 {
		t.Errorf("%d paths, want 2", len(ps))
	}
	primaries := 0
	for _, p := range ps {
		if p.Primary {
			primaries++
		}
	}
	if primaries != 1 {
		t.Errorf("%d primary paths", primaries)
	}
}

func TestWriteDeadlineAndClose(t *testing.T) { forEachTransport(t, testWriteDeadlineAndClose) }

func testWriteDeadlineAndClose(t *testing.T, tr Transport) {
	// The peer does not read: writes block once both buffers are full.
	cc, _ := pairT(t, Options{Transport: tr, WriteBuffer: 64 << 10, ReadBuffer: 64 << 10})
	cc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	msg := make([]byte, 8<<10)
	var err error
	for i := 0; i < 10000 && err == nil; i++ {
		_, err = cc.Write(msg)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write: %v, want os.ErrDeadlineExceeded", err)
	}
	cc.SetWriteDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, err := cc.Write(msg)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cc.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("blocked write after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Write")
	}
}

func TestReadAndReadNotificationConcurrently(t *testing.T) {
	forEachTransport(t, testReadAndReadNotificationConcurrently)
}

func testReadAndReadNotificationConcurrently(t *testing.T, tr Transport) {
	l := listenT(t, Options{Transport: tr})
	ch := make(chan *SCTPConn, 1)
	go func() {
		c, _ := l.AcceptSCTP()
		ch <- c
	}()
	cc := dialT(t, l, Options{Transport: tr, Notifications: []NotificationType{NotifyAssocChange, NotifyShutdown}})
	sc := <-ch
	if sc == nil {
		t.Fatal("accept failed")
	}
	var wg sync.WaitGroup
	wg.Add(2)
	var got []Notification
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			n, err := cc.ReadNotification(ctx)
			if err != nil {
				t.Errorf("ReadNotification: %v", err)
				return
			}
			got = append(got, n)
			if ac, ok := n.(*AssocChange); ok && ac.State == AssocShutdownComplete {
				return
			}
		}
	}()
	const msgs = 300
	go func() {
		defer wg.Done()
		buf := make([]byte, 100)
		for i := 0; ; i++ {
			n, err := cc.Read(buf)
			if err == io.EOF {
				if i != msgs {
					t.Errorf("EOF after %d messages", i)
				}
				return
			}
			if err != nil || n != 10 {
				t.Errorf("read %d: %d %v", i, n, err)
				return
			}
		}
	}()
	for i := 0; i < msgs; i++ {
		if _, err := sc.Write([]byte("0123456789")); err != nil {
			t.Fatal(err)
		}
	}
	sc.Close()
	wg.Wait()
	if len(got) < 2 {
		t.Errorf("notifications %v", got)
	}
	for _, n := range got {
		t.Log(n)
	}
}

func TestBulk(t *testing.T) { forEachTransport(t, testBulk) }

func testBulk(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	const total = 32 << 20
	go func() {
		msg := make([]byte, 16<<10)
		for sent := 0; sent < total; sent += len(msg) {
			if _, err := cc.Write(msg); err != nil {
				t.Error(err)
				return
			}
		}
		cc.Close()
	}()
	sc.SetReadDeadline(time.Now().Add(60 * time.Second))
	n, err := io.Copy(io.Discard, sc)
	if err != nil || n != total {
		t.Fatalf("received %d bytes, %v; want %d", n, err, total)
	}
}

func TestDialInitGivesUp(t *testing.T) { forEachTransport(t, testDialInitGivesUp) }

func testDialInitGivesUp(t *testing.T, tr Transport) {
	// No answer at all: with 2 INIT retransmissions and a 100 ms cap on the
	// INIT timer the association fails on its own, as a timeout.
	port := blackhole(t, tr)
	d := dialerFor(port, Options{Transport: tr, InitMaxAttempts: 2, InitMaxInitTimeout: 100 * time.Millisecond})
	d.Timeout = 0
	start := time.Now()
	_, err := d.Dial("sctp4", "127.0.0.1:5000")
	var le *AssocLostError
	if !errors.As(err, &le) {
		t.Fatalf("dial: %v, want *AssocLostError", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
	if !errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, net.ErrClosed) {
		t.Errorf("error %v: want ETIMEDOUT, not net.ErrClosed (issue 12, defect 5)", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	t.Logf("after %v: %v", time.Since(start), err)
}

func TestOneToManyInitOptions(t *testing.T) { forEachTransport(t, testOneToManyInitOptions) }

func testOneToManyInitOptions(t *testing.T, tr Transport) {
	lc := testListenConfig(Options{Transport: tr})
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.InitMaxInStream(100); err != nil {
		t.Fatal(err)
	}
	clc := &ListenConfig{Options: Options{Transport: tr, LocalUDPPort: EphemeralPort, RemoteUDPPort: srv.UDPPort()}}
	cl, err := clc.ListenSCTP(context.Background(), "sctp4", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, f := range []func() error{
		func() error { return cl.InitNumStreams(20) },
		func() error { return cl.InitMaxAttempts(3) },
		func() error { return cl.InitMaxInitTimeout(2 * time.Second) },
		func() error { return cl.SetNoDelay(true) },
		func() error { return cl.Subscribe(NotifyAssocChange) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.WriteToSCTP([]byte("hi"), srv.LocalAddr().(*SCTPAddr), &SndInfo{Stream: 19}); err != nil {
		t.Fatal(err)
	}
	srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, info, err := srv.ReadFromSCTP(make([]byte, 10))
	if err != nil {
		t.Fatal(err)
	}
	if info.Stream != 19 {
		t.Errorf("stream %d", info.Stream)
	}
	st, err := srv.StatusOf(info.AssocID)
	if err != nil {
		t.Fatal(err)
	}
	if st.InboundStreams != 20 {
		t.Errorf("server inbound streams %d, want 20", st.InboundStreams)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := cl.ReadNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ac, ok := n.(*AssocChange); !ok || ac.State != AssocCommUp || ac.OutboundStreams != 20 {
		t.Errorf("notification %v", n)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	var c SCTPConn
	var nc *SCTPConn
	for _, x := range []*SCTPConn{&c, nc} {
		if _, err := x.Read(make([]byte, 1)); err == nil {
			t.Error("Read on zero conn")
		}
		if _, err := x.Write([]byte("x")); err == nil {
			t.Error("Write on zero conn")
		}
		if err := x.Close(); err == nil {
			t.Error("Close on zero conn")
		}
		if _, err := x.Status(); err == nil {
			t.Error("Status on zero conn")
		}
		if x.LocalAddr() != nil || x.RemoteAddr() != nil {
			t.Error("addresses of zero conn")
		}
		if err := x.SetDeadline(time.Now()); err == nil {
			t.Error("SetDeadline on zero conn")
		}
		if _, err := x.ReadNotification(context.Background()); err == nil {
			t.Error("ReadNotification on zero conn")
		}
	}
	var l SCTPListener
	if _, err := l.Accept(); err == nil {
		t.Error("Accept on zero listener")
	}
	if err := l.Close(); err == nil {
		t.Error("Close on zero listener")
	}
	cc, _ := pairT(t, Options{})
	if _, err := cc.WriteToSCTP([]byte("x"), &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, Port: 70000}, nil); err == nil {
		t.Error("port 70000 accepted")
	}
}

// TestExpiredDeadlineFirstAttempt: a deadline that has passed fails Write
// although the send buffer has room, and Read although a message is
// waiting, as net's conns do (the first attempt of a call checks the
// deadline before it tries the C socket); nothing is sent or consumed, and
// once the deadlines are cleared both work.
func TestExpiredDeadlineFirstAttempt(t *testing.T) {
	c, s := pairT(t, Options{Transport: TransportUDP})
	timeout := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
	}
	c.SetWriteDeadline(time.Now().Add(-time.Second))
	if n, err := c.Write([]byte("not sent")); n != 0 || !timeout(err) {
		t.Fatalf("Write after its deadline: %d, %v; want 0 and a timeout", n, err)
	}
	c.SetWriteDeadline(time.Time{})
	if _, err := c.Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // it arrives before the reads
	s.SetReadDeadline(time.Now().Add(-time.Second))
	buf := make([]byte, 64)
	if n, err := s.Read(buf); n != 0 || !timeout(err) {
		t.Fatalf("Read after its deadline: %d, %v; want 0 and a timeout", n, err)
	}
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got, _ := readMsg(t, s, 64); string(got) != "first" {
		t.Fatalf("read %q, want %q", got, "first")
	}
}
