//go:build !cgo && unix

package sctp

import (
	"errors"
	"testing"
)

func TestNeedCgo(t *testing.T) {
	if _, err := Dial("sctp", "127.0.0.1:5000"); !errors.Is(err, ErrNeedCgo) {
		t.Errorf("Dial: %v, want ErrNeedCgo", err)
	}
	if _, err := Listen("sctp", ":5000"); !errors.Is(err, ErrNeedCgo) {
		t.Errorf("Listen: %v, want ErrNeedCgo", err)
	}
	if _, err := ListenPacket("sctp", ":5000"); !errors.Is(err, ErrNeedCgo) {
		t.Errorf("ListenPacket: %v, want ErrNeedCgo", err)
	}
	t.Log(ErrNeedCgo)
}
