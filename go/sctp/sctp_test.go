//go:build cgo

package sctp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestDial(t *testing.T) { forEachTransport(t, testDial) }

func testDial(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	if _, err := cc.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, err := sc.Read(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("server read %q, %v", buf[:n], err)
	}
	if _, err := sc.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	n, err = cc.Read(buf)
	if err != nil || string(buf[:n]) != "world" {
		t.Fatalf("client read %q, %v", buf[:n], err)
	}
	if cc.RemoteAddr() == nil || cc.LocalAddr() == nil || sc.RemoteAddr() == nil {
		t.Errorf("addresses: local %v remote %v, server remote %v", cc.LocalAddr(), cc.RemoteAddr(), sc.RemoteAddr())
	}
	if ra := cc.RemoteAddr().(*SCTPAddr); ra.Port != sc.LocalAddr().(*SCTPAddr).Port {
		t.Errorf("client remote port %d, server local port %d", ra.Port, sc.LocalAddr().(*SCTPAddr).Port)
	}
	if cc.AssocID() == 0 || sc.AssocID() == 0 {
		t.Errorf("assoc ids %d %d", cc.AssocID(), sc.AssocID())
	}
}

func TestDialString(t *testing.T) { forEachTransport(t, testDialString) }

func testDialString(t *testing.T, tr Transport) {
	l := listenT(t, Options{Transport: tr})
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	d := dialerFor(l.UDPPort(), Options{Transport: tr})
	c, err := d.Dial("sctp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
}

func TestDialTwoStacks(t *testing.T) {
	// A listener on its own UDP port (a stack of its own), a dialer on the
	// shared ephemeral stack.
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	l := listenT(t, Options{LocalUDPPort: port})
	if l.UDPPort() != port {
		t.Fatalf("listener UDP port %d, want %d", l.UDPPort(), port)
	}
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c := dialT(t, l, Options{})
	if c.UDPPort() == port {
		t.Fatalf("dialer shares the listener's stack")
	}
	for i := 0; i < 10; i++ {
		msg := fmt.Sprintf("msg %d", i)
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		got, _ := readMsg(t, c, 100)
		if string(got) != msg {
			t.Fatalf("got %q, want %q", got, msg)
		}
	}
}

func TestDialNoListener(t *testing.T) { forEachTransport(t, testDialNoListener) }

func testDialNoListener(t *testing.T, tr Transport) {
	l := listenT(t, Options{Transport: tr}) // keeps the stack (and its UDP port) alive
	raddr := &SCTPAddr{IPAddrs: loopback4.IPAddrs, Port: l.Addr().(*SCTPAddr).Port + 1}
	d := dialerFor(l.UDPPort(), Options{Transport: tr})
	start := time.Now()
	_, err := d.DialSCTPContext(context.Background(), "sctp4", raddr)
	if err == nil {
		t.Fatal("dial succeeded")
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("dial took %v", time.Since(start))
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("error %T %v is not a dial *net.OpError", err, err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v is not ECONNREFUSED", err)
	}
	t.Logf("dial error: %v", err)
}

// blackhole returns a UDP port on loopback where nobody answers.
// For the kernel transport the kernel is pointed at it through UDP
// encapsulation (see kernelUDPEncap).
func blackhole(t *testing.T, tr Transport) int {
	if tr == TransportKernel {
		kernelUDPEncap(t)
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func TestDialContextCancel(t *testing.T) { forEachTransport(t, testDialContextCancel) }

func testDialContextCancel(t *testing.T, tr Transport) {
	port := blackhole(t, tr)
	d := dialerFor(port, Options{Transport: tr})
	d.Timeout = 0
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := d.DialContext(ctx, "sctp4", "127.0.0.1:5000")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial error %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancel took %v", el)
	}
}

func TestDialTimeout(t *testing.T) { forEachTransport(t, testDialTimeout) }

func testDialTimeout(t *testing.T, tr Transport) {
	port := blackhole(t, tr)
	d := dialerFor(port, Options{Transport: tr})
	d.Timeout = 300 * time.Millisecond
	_, err := d.Dial("sctp4", "127.0.0.1:5000")
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("dial error %v, want os.ErrDeadlineExceeded", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
}

func TestStreams(t *testing.T) { forEachTransport(t, testStreams) }

func testStreams(t *testing.T, tr Transport) {
	const streams = 16
	const perStream = 20
	o := Options{Transport: tr, InitNumStreams: streams, InitMaxInStreams: streams}
	cc, sc := pairT(t, o)
	st, err := cc.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.OutboundStreams != streams {
		t.Fatalf("outbound streams %d, want %d", st.OutboundStreams, streams)
	}
	for _, unordered := range []bool{false, true} {
		var flags SendFlags
		if unordered {
			flags = SendUnordered
		}
		for i := 0; i < perStream; i++ {
			for s := 0; s < streams; s++ {
				msg := fmt.Sprintf("%d/%d", s, i)
				info := &SndInfo{Stream: uint16(s), Flags: flags, PPID: uint32(s)}
				if _, err := cc.WriteToSCTP([]byte(msg), nil, info); err != nil {
					t.Fatal(err)
				}
			}
		}
		next := make([]int, streams)
		seen := map[string]bool{}
		for k := 0; k < streams*perStream; k++ {
			msg, info := readMsg(t, sc, 64)
			var s, i int
			if _, err := fmt.Sscanf(string(msg), "%d/%d", &s, &i); err != nil {
				t.Fatalf("bad message %q", msg)
			}
			if int(info.Stream) != s || info.PPID != uint32(s) {
				t.Fatalf("message %q on stream %d ppid %d", msg, info.Stream, info.PPID)
			}
			if info.Unordered() != unordered {
				t.Errorf("message %q unordered=%v", msg, info.Unordered())
			}
			if !unordered && i != next[s] {
				t.Fatalf("stream %d: got message %d, want %d", s, i, next[s])
			}
			next[s] = i + 1
			if seen[string(msg)] {
				t.Fatalf("duplicate %q", msg)
			}
			seen[string(msg)] = true
		}
	}
}

func TestInvalidStream(t *testing.T) { forEachTransport(t, testInvalidStream) }

func testInvalidStream(t *testing.T, tr Transport) {
	cc, _ := pairT(t, Options{Transport: tr, InitNumStreams: 4, WriteBuffer: 64 << 10})
	_, err := cc.WriteToSCTP([]byte("x"), nil, &SndInfo{Stream: 100})
	if !errors.Is(err, ErrInvalidStream) {
		t.Errorf("write on stream 100: %v, want ErrInvalidStream", err)
	}
	_, err = cc.Write(make([]byte, 256<<10))
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("write of 256 KiB: %v, want ErrMessageTooLarge", err)
	}
	// The conn still works.
	if _, err := cc.WriteToSCTP([]byte("x"), nil, &SndInfo{Stream: 3}); err != nil {
		t.Errorf("write on stream 3: %v", err)
	}
}

func TestPPID(t *testing.T) { forEachTransport(t, testPPID) }

func testPPID(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	for _, ppid := range []uint32{0, 1, 0x01020304, 0xfffffffe, 51 /* WebRTC string */} {
		if _, err := cc.WriteToSCTP([]byte("p"), nil, &SndInfo{PPID: ppid}); err != nil {
			t.Fatal(err)
		}
		_, info := readMsg(t, sc, 10)
		if info.PPID != ppid {
			t.Errorf("PPID %#x came back as %#x", ppid, info.PPID)
		}
	}
}

func TestPartialReads(t *testing.T) { forEachTransport(t, testPartialReads) }

func testPartialReads(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr, WriteBuffer: 4 << 20, ReadBuffer: 4 << 20})
	sizes := []int{1, 2, 100, 1000, 1452, 4000, 65536, 300000, 1 << 20}
	errc := make(chan error, 1)
	go func() {
		for _, n := range sizes {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(i*7 + n)
			}
			if _, err := cc.WriteToSCTP(msg, nil, &SndInfo{Stream: 1, PPID: uint32(n)}); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for _, n := range sizes {
		bufSize := 1000
		if n <= 2 {
			bufSize = 1
		}
		buf := make([]byte, bufSize)
		var msg []byte
		parts := 0
		for {
			k, info, err := sc.ReadFromSCTP(buf)
			if err != nil {
				t.Fatalf("size %d: %v", n, err)
			}
			parts++
			msg = append(msg, buf[:k]...)
			if info.PPID != uint32(n) || info.Stream != 1 {
				t.Fatalf("size %d: part with ppid %d stream %d", n, info.PPID, info.Stream)
			}
			if info.EndOfRecord() {
				break
			}
			if len(msg) > n {
				t.Fatalf("size %d: read %d bytes without end of record", n, len(msg))
			}
		}
		if len(msg) != n {
			t.Fatalf("size %d: got %d bytes", n, len(msg))
		}
		for i := range msg {
			if msg[i] != byte(i*7+n) {
				t.Fatalf("size %d: byte %d differs", n, i)
			}
		}
		if want := (n + bufSize - 1) / bufSize; parts < want {
			t.Errorf("size %d: %d parts, want >= %d", n, parts, want)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestReadShortBufferRead(t *testing.T) { forEachTransport(t, testReadShortBufferRead) }

func testReadShortBufferRead(t *testing.T, tr Transport) {
	// Plain Read: a short buffer gets the first part, the next Read the rest.
	cc, sc := pairT(t, Options{Transport: tr})
	cc.Write([]byte("abcdefghij"))
	cc.Write([]byte("XY"))
	buf := make([]byte, 4)
	var got []string
	for i := 0; i < 4; i++ {
		n, err := sc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	if fmt.Sprint(got) != "[abcd efgh ij XY]" {
		t.Errorf("reads %q", got)
	}
}

func TestReadDeadline(t *testing.T) { forEachTransport(t, testReadDeadline) }

func testReadDeadline(t *testing.T, tr Transport) {
	cc, _ := pairT(t, Options{Transport: tr})
	cc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	start := time.Now()
	_, err := cc.Read(make([]byte, 10))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read error %v, want os.ErrDeadlineExceeded", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("deadline took %v", el)
	}
	// A past deadline fails at once; clearing it makes reads work again.
	_, err = cc.Read(make([]byte, 10))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("second read: %v", err)
	}
	cc.SetReadDeadline(time.Time{})
}

func TestCloseUnblocksRead(t *testing.T) { forEachTransport(t, testCloseUnblocksRead) }

func testCloseUnblocksRead(t *testing.T, tr Transport) {
	cc, _ := pairT(t, Options{Transport: tr})
	errc := make(chan error, 1)
	go func() {
		_, err := cc.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cc.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Read")
	}
	if _, err := cc.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := cc.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second close: %v", err)
	}
}

func TestCloseUnblocksAccept(t *testing.T) { forEachTransport(t, testCloseUnblocksAccept) }

func testCloseUnblocksAccept(t *testing.T, tr Transport) {
	l := listenT(t, Options{Transport: tr})
	errc := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	l.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("accept after close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Accept")
	}
}

func TestAcceptDeadline(t *testing.T) { forEachTransport(t, testAcceptDeadline) }

func testAcceptDeadline(t *testing.T, tr Transport) {
	l := listenT(t, Options{Transport: tr})
	l.SetDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := l.Accept()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("accept: %v", err)
	}
}

func TestEOFAndShutdown(t *testing.T) { forEachTransport(t, testEOFAndShutdown) }

func testEOFAndShutdown(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	cc.Write([]byte("last"))
	cc.Close()
	buf := make([]byte, 10)
	sc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := sc.Read(buf)
	if err != nil || string(buf[:n]) != "last" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	_, err = sc.Read(buf)
	if err != io.EOF {
		t.Fatalf("read after peer close: %v, want io.EOF", err)
	}
	// A peer's SHUTDOWN is EPIPE on write, as for TCP; net.ErrClosed is
	// only for our own Close (issue 12, defect 5).
	_, err = sc.Write([]byte("x"))
	var se *ShutdownError
	if !errors.Is(err, syscall.EPIPE) || !errors.As(err, &se) || errors.Is(err, net.ErrClosed) {
		t.Errorf("write after shutdown: %v, want a *ShutdownError matching EPIPE, not net.ErrClosed", err)
	}
}

func TestAbort(t *testing.T) { forEachTransport(t, testAbort) }

func testAbort(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	if err := cc.Abort("going away"); err != nil {
		t.Fatal(err)
	}
	sc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := sc.Read(make([]byte, 10))
	var ae *AbortError
	if !errors.As(err, &ae) {
		t.Fatalf("read after peer abort: %v, want *AbortError", err)
	}
	// A peer's ABORT is ECONNRESET, as a TCP reset; net.ErrClosed is only
	// for our own Close (issue 12, defect 5).
	if !errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		t.Errorf("abort error %v: want ECONNRESET, not net.ErrClosed", err)
	}
	_, err = sc.Write([]byte("x"))
	if !errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		t.Errorf("write after abort: %v, want ECONNRESET", err)
	}
}

func TestConcurrentWriters(t *testing.T) { forEachTransport(t, testConcurrentWriters) }

func testConcurrentWriters(t *testing.T, tr Transport) {
	const writers = 8
	const each = 200
	cc, sc := pairT(t, Options{Transport: tr})
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				msg := fmt.Sprintf("%d:%d:%s", w, i, bytes.Repeat([]byte{'x'}, i%300))
				if _, err := cc.Write([]byte(msg)); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	next := make([]int, writers)
	buf := make([]byte, 1000)
	sc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for k := 0; k < writers*each; k++ {
		n, err := sc.Read(buf)
		if err != nil {
			t.Fatalf("after %d messages: %v", k, err)
		}
		var w, i int
		fmt.Sscanf(string(buf[:n]), "%d:%d:", &w, &i)
		if w < 0 || w >= writers || i != next[w] {
			t.Fatalf("message %q out of order (want %d:%d)", buf[:n], w, next[w])
		}
		next[w]++
	}
	wg.Wait()
}

func TestConcurrentReadWrite(t *testing.T) { forEachTransport(t, testConcurrentReadWrite) }

func testConcurrentReadWrite(t *testing.T, tr Transport) {
	// Both directions at once, with reader and writer goroutines on each
	// side.
	cc, sc := pairT(t, Options{Transport: tr})
	const n = 500
	var wg sync.WaitGroup
	for _, c := range []*SCTPConn{cc, sc} {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if _, err := c.Write(make([]byte, 1000)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			buf := make([]byte, 2000)
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			for i := 0; i < n; i++ {
				if _, err := c.Read(buf); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestOneToMany(t *testing.T) { forEachTransport(t, testOneToMany) }

func testOneToMany(t *testing.T, tr Transport) {
	lc := testListenConfig(Options{Transport: tr})
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	saddr := srv.LocalAddr().(*SCTPAddr)
	if saddr.Port == 0 {
		t.Fatalf("server address %v", saddr)
	}
	// Echo server: reply on the association and stream each message came on.
	go func() {
		buf := make([]byte, 2000)
		for {
			n, info, err := srv.ReadFromSCTP(buf)
			if err != nil {
				return
			}
			srv.WriteToSCTP(buf[:n], nil, &SndInfo{AssocID: info.AssocID, Stream: info.Stream, PPID: info.PPID})
		}
	}()

	// Two one-to-many clients (implicit setup) and one one-to-one client.
	clc := &ListenConfig{Options: Options{Transport: tr, LocalUDPPort: EphemeralPort, RemoteUDPPort: srv.UDPPort()}}
	for k := 0; k < 2; k++ {
		cl, err := clc.ListenSCTP(context.Background(), "sctp4", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		for i := 0; i < 5; i++ {
			msg := fmt.Sprintf("client %d msg %d", k, i)
			if _, err := cl.WriteTo([]byte(msg), saddr); err != nil {
				t.Fatal(err)
			}
			cl.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 100)
			n, from, err := cl.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			if string(buf[:n]) != msg {
				t.Fatalf("echo %q, want %q", buf[:n], msg)
			}
			if fa := from.(*SCTPAddr); fa.Port != saddr.Port {
				t.Errorf("from %v, want port %d", fa, saddr.Port)
			}
		}
	}
	d := dialerFor(srv.UDPPort(), Options{Transport: tr})
	c, err := d.DialSCTPContext(context.Background(), "sctp4", saddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("one-to-one"))
	got, _ := readMsg(t, c, 100)
	if string(got) != "one-to-one" {
		t.Errorf("echo %q", got)
	}
	if _, err := srv.Write([]byte("x")); !errors.Is(err, ErrNoAssociation) {
		t.Errorf("Write on one-to-many: %v", err)
	}
}

func TestPeelOff(t *testing.T) { forEachTransport(t, testPeelOff) }

func testPeelOff(t *testing.T, tr Transport) {
	lc := testListenConfig(Options{Transport: tr, Notifications: []NotificationType{NotifyAssocChange}})
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	d := dialerFor(srv.UDPPort(), Options{Transport: tr})
	c, err := d.DialSCTPContext(context.Background(), "sctp4", srv.LocalAddr().(*SCTPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("to be peeled"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var id AssocID
	for id == 0 {
		n, err := srv.ReadNotification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ac, ok := n.(*AssocChange); ok && ac.State == AssocCommUp {
			id = ac.AssocID
		}
	}
	p, err := srv.PeelOff(id)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got, _ := readMsg(t, p, 100)
	if string(got) != "to be peeled" {
		t.Errorf("peeled conn read %q", got)
	}
	p.Write([]byte("back"))
	got, _ = readMsg(t, c, 100)
	if string(got) != "back" {
		t.Errorf("client read %q", got)
	}
	if _, err := c.PeelOff(1); !errors.Is(err, ErrWrongStyle) {
		t.Errorf("PeelOff on one-to-one: %v", err)
	}
}

func TestNotifications(t *testing.T) { forEachTransport(t, testNotifications) }

func testNotifications(t *testing.T, tr Transport) {
	all := []NotificationType{NotifyAssocChange, NotifyShutdown, NotifyPeerAddrChange}
	l := listenT(t, Options{Transport: tr})
	ch := make(chan *SCTPConn, 1)
	go func() {
		c, err := l.AcceptSCTP()
		if err != nil {
			close(ch)
			return
		}
		ch <- c
	}()
	cc := dialT(t, l, Options{Transport: tr, Notifications: all})
	sc := <-ch
	if sc == nil {
		t.Fatal("accept failed")
	}
	defer sc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := cc.ReadNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ac, ok := n.(*AssocChange)
	if !ok || ac.State != AssocCommUp || ac.OutboundStreams == 0 || ac.AssocID != cc.AssocID() {
		t.Fatalf("first notification %T %v", n, n)
	}
	// Data and notifications do not mix: the peer's message, then its
	// shutdown.
	sc.Write([]byte("data"))
	sc.Close()
	buf := make([]byte, 100)
	cc.SetReadDeadline(time.Now().Add(5 * time.Second))
	k, err := cc.Read(buf)
	if err != nil || string(buf[:k]) != "data" {
		t.Fatalf("read %q %v", buf[:k], err)
	}
	if _, err := cc.Read(buf); err != io.EOF {
		t.Fatalf("read: %v, want EOF", err)
	}
	var kinds []string
	for {
		n, err := cc.ReadNotification(ctx)
		if err != nil {
			t.Fatalf("after %v: %v", kinds, err)
		}
		kinds = append(kinds, n.String())
		if ac, ok := n.(*AssocChange); ok && ac.State == AssocShutdownComplete {
			break
		}
	}
	t.Logf("notifications: %q", kinds)
	// With nothing left, ReadNotification honours its context.
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := cc.ReadNotification(short); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadNotification with nothing due: %v", err)
	}
}

func TestStatusAndPaths(t *testing.T) { forEachTransport(t, testStatusAndPaths) }

func testStatusAndPaths(t *testing.T, tr Transport) {
	cc, sc := pairT(t, Options{Transport: tr})
	cc.Write([]byte("x"))
	readMsg(t, sc, 10)
	st, err := cc.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateEstablished || st.NumPaths < 1 || st.AssocID != cc.AssocID() {
		t.Errorf("status %+v", st)
	}
	ps, err := cc.Paths()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 1 || !ps[0].Addr.IP.Equal(net.IPv4(127, 0, 0, 1)) || ps[0].State != PathActive {
		t.Errorf("paths %+v", ps)
	}
	if err := cc.SetNoDelay(false); err != nil {
		t.Errorf("SetNoDelay: %v", err)
	}
}

func TestBadArguments(t *testing.T) {
	if _, err := Dial("tcp", "127.0.0.1:1"); err == nil {
		t.Error("dial tcp succeeded")
	}
	if _, err := DialSCTP("sctp4", nil, &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("::1")}}, Port: 1}); err == nil {
		t.Error("sctp4 dial to IPv6 succeeded")
	}
	if _, err := DialSCTP("sctp", nil, nil); err == nil {
		t.Error("dial to nil succeeded")
	}
	d := Dialer{Options: Options{Transport: TransportKernel, LocalUDPPort: 5000}}
	if _, err := d.Dial("sctp", "127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "LocalUDPPort") {
		t.Errorf("kernel transport with a local UDP port: %v", err)
	}
	lc := ListenConfig{Options: Options{InitNumStreams: -1}}
	if _, err := lc.Listen(context.Background(), "sctp", ":0"); err == nil {
		t.Error("negative stream count accepted")
	}
	cc, _ := pairT(t, Options{})
	if _, err := cc.WriteTo([]byte("x"), &net.UDPAddr{}); err == nil {
		t.Error("WriteTo with a UDP address succeeded")
	}
}

func TestNoLeaksAfterClose(t *testing.T) { forEachTransport(t, testNoLeaksAfterClose) }

func testNoLeaksAfterClose(t *testing.T, tr Transport) {
	waitNoStacks(t)
	fds0 := countFDs(t)
	g0 := runtime.NumGoroutine()
	lc := testListenConfig(Options{Transport: tr})
	l, err := lc.ListenSCTPListener(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.AcceptSCTP()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	d := dialerFor(l.UDPPort(), Options{Transport: tr})
	c, err := d.DialSCTPContext(context.Background(), "sctp4", l.Addr().(*SCTPAddr))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		c.Write([]byte("echo"))
		readMsg(t, c, 10)
	}
	c.Close()
	<-done
	l.Close()
	waitNoStacks(t)
	if !settle(func() bool { return runtime.NumGoroutine() <= g0 }) {
		t.Errorf("goroutines: %d before, %d after\n%s", g0, runtime.NumGoroutine(), goroutineDump())
	}
	if !settle(func() bool { return countFDs(t) <= fds0 }) {
		t.Errorf("fds: %d before, %d after", fds0, countFDs(t))
	}
}
