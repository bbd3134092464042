//go:build cgo && linux

package sctp

import "testing"

// TestConnsHoldNoFDs: conns on a userland stack wait on the stack's ready
// list (wait.go), not on event fds: 50 connected pairs open no file
// descriptor beyond the stack's own (issue "The C data path": no fd per
// association).
func TestConnsHoldNoFDs(t *testing.T) {
	requireTransport(t, TransportUDP)
	// One pair first: the stack and its driver exist from then on.
	c0, s0 := pairT(t, Options{Transport: TransportUDP})
	_, _ = c0, s0
	before := countFDs(t)
	for i := 0; i < 50; i++ {
		c, s := pairT(t, Options{Transport: TransportUDP})
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		if _, err := s.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if after := countFDs(t); after != before {
		t.Errorf("50 more conn pairs: %d fds, before %d", after, before)
	}
}
