//go:build cgo

package sctp

import (
	"context"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests run on loopback. The core tests run once per transport
// (forEachTransport): over UDP encapsulation, where listeners and dialers
// ask for an ephemeral local UDP port, so in one process they share one
// stack, and dialers aim at that stack's port; and over the kernel's SCTP
// (subtests "kernel"), which are skipped, with the reason, where the kernel
// has none. csctp/tests/kernel_vm.sh runs the test binary inside a VM whose
// kernel has SCTP, with CSCTP_KERNEL_TESTS=1: there a missing kernel SCTP is
// a failure, not a skip, and the tests may set the sysctl
// net.sctp.udp_port (see kernelUDPEncap).

// kernelTestsEnv set to 1 means: the kernel must have SCTP, and the tests
// may change the kernel's SCTP sysctls (a throw-away VM).
const kernelTestsEnv = "CSCTP_KERNEL_TESTS"

// testTransports are the transports forEachTransport runs over.
var testTransports = []Transport{TransportUDP, TransportKernel}

// forEachTransport runs f as one subtest per transport, named after it
// ("udp", "kernel").
func forEachTransport(t *testing.T, f func(t *testing.T, tr Transport)) {
	t.Helper()
	for _, tr := range testTransports {
		t.Run(tr.String(), func(t *testing.T) {
			requireTransport(t, tr)
			f(t, tr)
		})
	}
}

// requireTransport skips the test when tr cannot work here (the kernel has
// no SCTP), or fails it when CSCTP_KERNEL_TESTS=1 says it must.
func requireTransport(t testing.TB, tr Transport) {
	t.Helper()
	if tr != TransportKernel {
		return
	}
	if err := KernelAvailable(); err != nil {
		if os.Getenv(kernelTestsEnv) == "1" {
			t.Fatalf("%s=1 but %v", kernelTestsEnv, err)
		}
		t.Skipf("kernel transport: %v", err)
	}
}

// kernelEncapPort is the UDP port the tests give net.sctp.udp_port.
const kernelEncapPort = 9899

var kernelEncapOnce struct {
	sync.Once
	port int
	err  error
}

// kernelUDPEncap makes sure the kernel's SCTP speaks UDP encapsulation
// (RFC 6951) and returns its local UDP port (sysctl net.sctp.udp_port).
// When the sysctl is 0 it is set (and left set) only with
// CSCTP_KERNEL_TESTS=1, inside the throw-away VM; otherwise the test is
// skipped. Remote ports are per socket ([Options.RemoteUDPPort]).
func kernelUDPEncap(t testing.TB) int {
	t.Helper()
	requireTransport(t, TransportKernel)
	const path = "/proc/sys/net/sctp/udp_port"
	kernelEncapOnce.Do(func() {
		b, err := os.ReadFile(path)
		if err != nil {
			kernelEncapOnce.err = err
			return
		}
		port, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			kernelEncapOnce.err = err
			return
		}
		if port == 0 && os.Getenv(kernelTestsEnv) == "1" {
			err := os.WriteFile(path, []byte(strconv.Itoa(kernelEncapPort)), 0o644)
			if err != nil {
				kernelEncapOnce.err = err
				return
			}
			port = kernelEncapPort
		}
		kernelEncapOnce.port = port
	})
	if err := kernelEncapOnce.err; err != nil {
		if os.Getenv(kernelTestsEnv) == "1" {
			t.Fatalf("kernel UDP encapsulation: %v", err)
		}
		t.Skipf("kernel UDP encapsulation: %v", err)
	}
	if kernelEncapOnce.port == 0 {
		t.Skipf("the kernel's SCTP over UDP is off (sysctl net.sctp.udp_port = 0; the tests set it only with %s=1)", kernelTestsEnv)
	}
	return kernelEncapOnce.port
}

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
	checkTransport(t, o, l.Transport())
	return l
}

// checkTransport fails the test when a conn does not use the transport
// that was asked for.
func checkTransport(t testing.TB, o Options, got Transport) {
	t.Helper()
	if o.Transport != TransportAuto && got != o.Transport {
		t.Fatalf("transport %v, want %v", got, o.Transport)
	}
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
	checkTransport(t, o, c.Transport())
	return c
}

// acceptor accepts on l in a goroutine until l is closed; the function
// it returns hands over the next accepted conn (closed at the end of the
// test), failing the test after 10 s without one.
func acceptor(t testing.TB, l *SCTPListener) func() *SCTPConn {
	accepted := make(chan *SCTPConn, 2)
	go func() {
		for {
			c, err := l.AcceptSCTP()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	return func() *SCTPConn {
		t.Helper()
		select {
		case c := <-accepted:
			t.Cleanup(func() { c.Close() })
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("accept timed out")
			return nil
		}
	}
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
