//go:build cgo

package sctp

import (
	"runtime"
	"testing"
)

// TestEphemeralSocketsSpread: sockets on an ephemeral UDP port are spread
// over up to GOMAXPROCS stacks, each with its own UDP port, the new one on
// the stack with the fewest sockets; with GOMAXPROCS 1 they share one stack,
// and a listener's accepted conns always live on the listener's stack.
func TestEphemeralSocketsSpread(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	waitNoStacks(t)
	o := Options{Transport: TransportUDP}
	c, s := pairT(t, o)
	l := s.st // the accepted conn is on its listener's stack
	if c.st == l {
		t.Fatalf("GOMAXPROCS 2: the dialer shares the listener's stack")
	}
	if got, want := s.LocalAddr().(*SCTPAddr).UDPPort, l.port; got != want {
		t.Errorf("accepted conn's UDP port %d, want its listener's %d", got, want)
	}
	if c.LocalAddr().(*SCTPAddr).UDPPort == l.port {
		t.Errorf("two stacks with the same UDP port %d", l.port)
	}
	// Two sockets on each stack now: the next goes to either, and the one
	// after it to the other.
	c2, _ := pairT(t, o)
	if c2.st != c.st && c2.st != l {
		t.Errorf("GOMAXPROCS 2: a third stack")
	}

	runtime.GOMAXPROCS(1)
	c.Close()
	c2.Close()
	c3, s3 := pairT(t, o)
	if c3.st != s3.st {
		t.Errorf("GOMAXPROCS 1: dialer and listener on different stacks")
	}
}
