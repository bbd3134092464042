//go:build cgo

package sctp

import (
	"context"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Every test runs over UDP encapsulation on loopback. Listeners and dialers
// ask for an ephemeral local UDP port, so in one process they share one
// stack, and dialers aim at that stack's port.

var loopback4 = &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1).To4()}}}

func testListenConfig(o Options) *ListenConfig {
	if o.LocalUDPPort == 0 {
		o.LocalUDPPort = EphemeralPort
	}
	return &ListenConfig{Options: o}
}

func listenT(t testing.TB, o Options) *SCTPListener {
	t.Helper()
	lc := testListenConfig(o)
	l, err := lc.ListenSCTPListener(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func dialerFor(udpPort int, o Options) *Dialer {
	if o.LocalUDPPort == 0 {
		o.LocalUDPPort = EphemeralPort
	}
	if o.RemoteUDPPort == 0 {
		o.RemoteUDPPort = udpPort
	}
	return &Dialer{Timeout: 10 * time.Second, Options: o}
}

func dialT(t testing.TB, l *SCTPListener, o Options) *SCTPConn {
	t.Helper()
	d := dialerFor(l.UDPPort(), o)
	c, err := d.DialSCTPContext(context.Background(), "sctp4", l.Addr().(*SCTPAddr))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// pairT returns a connected (client, server) pair.
func pairT(t testing.TB, o Options) (*SCTPConn, *SCTPConn) {
	t.Helper()
	l := listenT(t, o)
	type res struct {
		c   *SCTPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.AcceptSCTP()
		ch <- res{c, err}
	}()
	cc := dialT(t, l, o)
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("accept: %v", r.err)
		}
		t.Cleanup(func() { r.c.Close() })
		return cc, r.c
	case <-time.After(10 * time.Second):
		t.Fatal("accept: timed out")
	}
	return nil, nil
}

// readMsg reads one whole message with a buffer of bufSize bytes.
func readMsg(t testing.TB, c *SCTPConn, bufSize int) ([]byte, *RcvInfo) {
	t.Helper()
	var msg []byte
	buf := make([]byte, bufSize)
	for {
		n, info, err := c.ReadFromSCTP(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		msg = append(msg, buf[:n]...)
		if info.EndOfRecord() {
			return msg, info
		}
	}
}

// countFDs returns the number of open fds of the process.
func countFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// settle waits until cond holds (up to 5 s) and reports whether it did.
func settle(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// waitNoStacks waits until every stack has been freed.
func waitNoStacks(t testing.TB) {
	t.Helper()
	ok := settle(func() bool {
		registry.mu.Lock()
		defer registry.mu.Unlock()
		return len(registry.stacks) == 0
	})
	if !ok {
		t.Errorf("stacks still alive after close")
	}
}

func goroutineDump() string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	var out []string
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "sctp") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
