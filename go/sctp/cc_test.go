//go:build cgo

package sctp

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestCongestionControlOption: a conn dialed with Options.Congestion set to
// CUBIC carries data; SetCongestionControl switches the live association
// and refuses unknown controllers; unknown Options values are refused.
func TestCongestionControlOption(t *testing.T) {
	o := Options{Transport: TransportUDP, Congestion: CongestionCubic}
	c, s := pairT(t, o)
	msg := bytes.Repeat([]byte("cubic "), 200)
	const n = 300
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if i == n/2 {
				if err := c.SetCongestionControl(CongestionReno); err != nil {
					done <- err
					return
				}
			}
			if _, err := c.Write(msg); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		k, err := s.Read(buf)
		if err != nil && err != io.EOF {
			t.Fatalf("read %d: %v", i, err)
		}
		if !bytes.Equal(buf[:k], msg) {
			t.Fatalf("message %d: got %d bytes", i, k)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := c.SetCongestionControl(CongestionControl(7)); err == nil {
		t.Fatal("SetCongestionControl(7) succeeded")
	}
	_, err := (&Dialer{Options: Options{Congestion: 9}}).Dial("sctp4", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "congestion") {
		t.Fatalf("Dial with Congestion 9: %v, want the controller refused", err)
	}
}

func TestParseCongestionControl(t *testing.T) {
	for _, cc := range []CongestionControl{CongestionReno, CongestionCubic} {
		got, err := ParseCongestionControl(cc.String())
		if err != nil || got != cc {
			t.Fatalf("ParseCongestionControl(%q) = %v, %v", cc.String(), got, err)
		}
	}
	if _, err := ParseCongestionControl("bbr"); err == nil {
		t.Fatal(`ParseCongestionControl("bbr") succeeded`)
	}
}
