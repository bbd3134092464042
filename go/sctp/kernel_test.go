//go:build cgo

package sctp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Transport selection and the kernel-specific behaviour; the core tests
// run over the kernel too (forEachTransport).

func TestTransportSelection(t *testing.T) {
	kerr := KernelAvailable()
	t.Logf("KernelAvailable: %v", kerr)
	want := TransportUDP
	if kerr == nil {
		want = TransportKernel
	}
	for _, tc := range []struct {
		o    Options
		want Transport
	}{
		{Options{}, want},
		{Options{Transport: TransportAuto, LocalUDPPort: EphemeralPort}, TransportUDP},
		{Options{Transport: TransportAuto, RemoteUDPPort: 5000}, TransportUDP},
		{Options{Transport: TransportUDP}, TransportUDP},
		{Options{Transport: TransportRaw}, TransportRaw},
		{Options{Transport: TransportKernel}, TransportKernel},
		{Options{Transport: TransportKernel, LocalUDPPort: EphemeralPort}, TransportKernel},
	} {
		k, err := tc.o.key(false)
		if err != nil {
			t.Errorf("%+v: %v", tc.o, err)
			continue
		}
		if got := k.transportName(); got != tc.want {
			t.Errorf("%+v: transport %v, want %v", tc.o, got, tc.want)
		}
	}
	if _, err := (&Options{Transport: TransportKernel, LocalUDPPort: 9899}).key(true); err == nil {
		t.Errorf("kernel transport with LocalUDPPort accepted")
	}
}

// TestKernelUnavailable checks the error where the kernel has no SCTP: it
// names the cause.
func TestKernelUnavailable(t *testing.T) {
	kerr := KernelAvailable()
	if kerr == nil {
		t.Skip("the kernel has SCTP here")
	}
	if os.Getenv(kernelTestsEnv) == "1" {
		t.Fatalf("%s=1 but %v", kernelTestsEnv, kerr)
	}
	if !errors.Is(kerr, ErrKernelUnavailable) {
		t.Errorf("KernelAvailable: %v does not wrap ErrKernelUnavailable", kerr)
	}
	d := Dialer{Options: Options{Transport: TransportKernel}}
	_, err := d.Dial("sctp4", "127.0.0.1:5000")
	if !errors.Is(err, ErrKernelUnavailable) {
		t.Fatalf("dial: %v, want ErrKernelUnavailable", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("error %T is not a dial *net.OpError", err)
	}
	noSCTP := errors.Is(kerr, syscall.EPROTONOSUPPORT) || errors.Is(kerr, syscall.ESOCKTNOSUPPORT)
	if noSCTP && !strings.Contains(err.Error(), "kernel has no SCTP") {
		t.Errorf("error %q does not name the cause", err)
	}
	lc := ListenConfig{Options: Options{Transport: TransportKernel}}
	if _, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0"); !errors.Is(err, ErrKernelUnavailable) {
		t.Errorf("listen: %v, want ErrKernelUnavailable", err)
	}
	t.Logf("dial error: %v", err)
	waitNoStacks(t)
}

// TestKernelConnTransport: conns tell their transport; a kernel stack has
// no driver goroutine and is freed with its last conn.
func TestKernelConnTransport(t *testing.T) {
	requireTransport(t, TransportKernel)
	cc, sc := pairT(t, Options{Transport: TransportKernel})
	if cc.Transport() != TransportKernel || sc.Transport() != TransportKernel {
		t.Errorf("transports %v %v", cc.Transport(), sc.Transport())
	}
	if cc.UDPPort() != 0 {
		t.Errorf("UDPPort %d", cc.UDPPort())
	}
	registry.mu.Lock()
	st := registry.stacks[stackKey{transport: cTransportKernel}]
	registry.mu.Unlock()
	if st == nil || !st.kernel || st.ef != nil {
		t.Fatalf("kernel stack %+v", st)
	}
	select {
	case <-st.done:
	default:
		t.Errorf("a kernel stack runs a driver")
	}
}

// TestKernelAuto: TransportAuto uses the kernel where it has SCTP.
func TestKernelAuto(t *testing.T) {
	requireTransport(t, TransportKernel)
	l, err := Listen("sctp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if tr := l.(*SCTPListener).Transport(); tr != TransportKernel {
		t.Fatalf("auto listener transport %v", tr)
	}
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c, err := Dial("sctp4", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tr := c.(*SCTPConn).Transport(); tr != TransportKernel {
		t.Errorf("auto dial transport %v", tr)
	}
	c.Write([]byte("auto"))
	got, _ := readMsg(t, c.(*SCTPConn), 10)
	if string(got) != "auto" {
		t.Errorf("echo %q", got)
	}
}

// TestCrossStack runs our userland engine (UDP encapsulation) against the
// kernel's SCTP (with UDP encapsulation on), through this package on both
// sides: setup from each side, several streams with PPIDs and unordered
// data both ways, a hashed bulk transfer each way, then a graceful
// shutdown or an abort from either side.
func TestCrossStack(t *testing.T) {
	kport := kernelUDPEncap(t)
	for _, kernelListens := range []bool{false, true} {
		for _, end := range []string{"close-by-dialer", "close-by-listener", "abort-by-dialer", "abort-by-listener"} {
			name := "userland-listens"
			if kernelListens {
				name = "kernel-listens"
			}
			t.Run(name+"/"+end, func(t *testing.T) {
				crossStack(t, kport, kernelListens, end)
			})
		}
	}
}

func crossStack(t *testing.T, kport int, kernelListens bool, end string) {
	const streams = 5
	lo := Options{Transport: TransportUDP, InitNumStreams: streams}
	do := Options{Transport: TransportKernel, InitNumStreams: streams}
	if kernelListens {
		lo.Transport, do.Transport = TransportKernel, TransportUDP
	}
	l := listenT(t, lo)
	if kernelListens {
		do.RemoteUDPPort = kport // dialerFor would take l.UDPPort(), 0
	}
	ch := make(chan *SCTPConn, 1)
	go func() {
		c, err := l.AcceptSCTP()
		if err != nil {
			t.Errorf("accept: %v", err)
		}
		ch <- c
	}()
	dc := dialT(t, l, do)
	var lc *SCTPConn
	select {
	case lc = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("accept timed out")
	}
	if lc == nil {
		t.FailNow()
	}
	t.Cleanup(func() { lc.Close() })
	if dc.Transport() != do.Transport || lc.Transport() != lo.Transport {
		t.Fatalf("transports: dialer %v, listener %v", dc.Transport(), lc.Transport())
	}
	for _, c := range []*SCTPConn{dc, lc} {
		st, err := c.Status()
		if err != nil {
			t.Fatal(err)
		}
		if st.OutboundStreams != streams {
			t.Errorf("%v: %d outbound streams, want %d", c.Transport(), st.OutboundStreams, streams)
		}
	}

	// Streams, PPIDs, unordered, both ways.
	for _, dir := range [][2]*SCTPConn{{dc, lc}, {lc, dc}} {
		from, to := dir[0], dir[1]
		for i := 0; i < 4*streams; i++ {
			info := &SndInfo{Stream: uint16(i % streams), PPID: uint32(1000 + i)}
			if i%3 == 2 {
				info.Flags = SendUnordered
			}
			if _, err := from.WriteToSCTP([]byte(fmt.Sprintf("%v->%d", from.Transport(), i)), nil, info); err != nil {
				t.Fatal(err)
			}
		}
		got := map[uint32]bool{}
		to.SetReadDeadline(time.Now().Add(10 * time.Second))
		for i := 0; i < 4*streams; i++ {
			msg, info := readMsg(t, to, 100)
			var k int
			fmt.Sscanf(string(msg[strings.Index(string(msg), ">")+1:]), "%d", &k)
			if info.PPID != uint32(1000+k) || int(info.Stream) != k%streams || info.Unordered() != (k%3 == 2) {
				t.Errorf("%q: stream %d ppid %d unordered %v", msg, info.Stream, info.PPID, info.Unordered())
			}
			got[info.PPID] = true
		}
		if len(got) != 4*streams {
			t.Errorf("%d distinct messages", len(got))
		}
	}

	// Bulk, hashed per stream, each way (message sizes 1 B .. 64 KiB).
	// Order holds within a stream only (RFC 9260 6.6): a lost TSN on one
	// stream does not hold back later messages on the others.
	for _, dir := range [][2]*SCTPConn{{dc, lc}, {lc, dc}} {
		from, to := dir[0], dir[1]
		const total = 2 << 20
		errc := make(chan error, 1)
		var sent [streams][]byte
		go func() {
			var hs [streams]hash.Hash
			for i := range hs {
				hs[i] = sha256.New()
			}
			r := rand.New(rand.NewPCG(1, 2))
			buf := make([]byte, 64<<10)
			for n := 0; n < total; {
				size := min(1+r.IntN(64<<10), total-n)
				m := buf[:size]
				for i := range m {
					m[i] = byte(r.Uint32())
				}
				sid := n % streams
				if _, err := from.WriteToSCTP(m, nil, &SndInfo{Stream: uint16(sid), PPID: 7}); err != nil {
					errc <- err
					return
				}
				hs[sid].Write(m)
				n += size
			}
			for i := range hs {
				sent[i] = hs[i].Sum(nil)
			}
			errc <- nil
		}()
		var hs [streams]hash.Hash
		for i := range hs {
			hs[i] = sha256.New()
		}
		buf := make([]byte, 64<<10)
		to.SetReadDeadline(time.Now().Add(60 * time.Second))
		for n := 0; n < total; {
			k, info, err := to.ReadFromSCTP(buf)
			if err != nil {
				t.Fatalf("bulk %v -> %v after %d bytes: %v", from.Transport(), to.Transport(), n, err)
			}
			if info.PPID != 7 || int(info.Stream) >= streams {
				t.Fatalf("bulk: ppid %d stream %d", info.PPID, info.Stream)
			}
			hs[info.Stream].Write(buf[:k])
			n += k
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		for i := range hs {
			if !bytes.Equal(hs[i].Sum(nil), sent[i]) {
				t.Errorf("bulk %v -> %v: stream %d's SHA-256 differs", from.Transport(), to.Transport(), i)
			}
		}
	}

	// The end.
	closer, peer := dc, lc
	if strings.HasSuffix(end, "by-listener") {
		closer, peer = lc, dc
	}
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if strings.HasPrefix(end, "close") {
		closer.Write([]byte("bye"))
		closer.Close()
		got, _ := readMsg(t, peer, 10)
		if string(got) != "bye" {
			t.Errorf("last message %q", got)
		}
		if _, err := peer.Read(make([]byte, 10)); err != io.EOF {
			t.Errorf("%v after %v closed: %v, want io.EOF", peer.Transport(), closer.Transport(), err)
		}
	} else {
		closer.Abort("cross-stack abort")
		_, err := peer.Read(make([]byte, 10))
		var ae *AbortError
		if !errors.As(err, &ae) {
			t.Errorf("%v after %v aborted: %v, want *AbortError", peer.Transport(), closer.Transport(), err)
		}
	}
	want := syscall.EPIPE // peer shut down (issue 12, defect 5)
	if !strings.HasPrefix(end, "close") {
		want = syscall.ECONNRESET // peer aborted
	}
	if _, err := peer.Write([]byte("x")); !errors.Is(err, want) || errors.Is(err, net.ErrClosed) {
		t.Errorf("%v write after the end: %v, want %v", peer.Transport(), err, want)
	}
}

// TestCloseWithUnreadData pins down a documented difference
// (docs/kernel-backend.md): closing a conn with unread received data shuts
// the association down gracefully in userland (the peer reads io.EOF), but
// the kernel aborts it (the peer reads an *AbortError).
func TestCloseWithUnreadData(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr Transport) {
		cc, sc := pairT(t, Options{Transport: tr})
		if _, err := sc.Write([]byte("never read")); err != nil {
			t.Fatal(err)
		}
		// Wait until the message has arrived (and been acknowledged).
		if !settle(func() bool {
			st, err := sc.Status()
			return err == nil && st.Unacked == 0 && st.Pending == 0
		}) {
			t.Fatal("the message was not acknowledged")
		}
		time.Sleep(50 * time.Millisecond)
		cc.Close()
		sc.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := sc.Read(make([]byte, 10))
		t.Logf("%v: peer's read after close with unread data: %v", tr, err)
		var ae *AbortError
		switch {
		case tr == TransportKernel && !errors.As(err, &ae):
			t.Errorf("kernel: %v, want *AbortError", err)
		case tr != TransportKernel && err != io.EOF:
			t.Errorf("%v: %v, want io.EOF", tr, err)
		}
	})
}
