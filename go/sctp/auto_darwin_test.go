package sctp

import (
	"errors"
	"testing"
)

// TestAutoIsUDPOnDarwin: macOS has no kernel SCTP, so the kernel probe says
// so and TransportAuto resolves to UDP (compiled by make cross; runs only
// on a Mac).
func TestAutoIsUDPOnDarwin(t *testing.T) {
	if err := KernelAvailable(); !errors.Is(err, ErrKernelUnavailable) {
		t.Fatalf("KernelAvailable: %v, want ErrKernelUnavailable", err)
	}
	k, err := (&Options{}).key(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.transportName(); got != TransportUDP {
		t.Errorf("TransportAuto resolved to %v, want udp", got)
	}
}
