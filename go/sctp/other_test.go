//go:build !unix

package sctp

import (
	"errors"
	"testing"
)

// TestNoBackend: off unix there is no C core; calls say so at run time.
func TestNoBackend(t *testing.T) {
	if _, err := Dial("sctp", "127.0.0.1:5000"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Dial: %v, want errors.ErrUnsupported", err)
	}
	if _, err := Listen("sctp", "127.0.0.1:0"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Listen: %v, want errors.ErrUnsupported", err)
	}
}
