//go:build cgo

package sctp

import (
	"errors"
	"net"
	"testing"
)

// TestStackStats: the counters of csctp_stack_stats_get, seen from a conn,
// count the packets that carried its messages (a message larger than the
// path MTU leaves in several packets, RFC 9260 6.9), only grow, and a
// closed conn has none to give.
func TestStackStats(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr Transport) {
		o := Options{Transport: tr}
		c, s := pairT(t, o)
		if tr == TransportKernel {
			if _, err := c.StackStats(); !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("kernel StackStats: %v, want ErrUnsupported", err)
			}
			return
		}
		c0, err := c.StackStats()
		if err != nil {
			t.Fatal(err)
		}
		s0, err := s.StackStats()
		if err != nil {
			t.Fatal(err)
		}
		const n, size, pmtu = 40, 3000, 1452
		msg := make([]byte, size)
		go func() {
			for i := 0; i < n; i++ {
				if _, err := c.Write(msg); err != nil {
					return
				}
			}
		}()
		for i := 0; i < n; i++ {
			readMsg(t, s, size)
		}
		c1, err := c.StackStats()
		if err != nil {
			t.Fatal(err)
		}
		s1, err := s.StackStats()
		if err != nil {
			t.Fatal(err)
		}
		// Each message needs at least size/pmtu+1 packets.
		minPkts := uint64(n * (size/pmtu + 1))
		if d := c1.DatagramsOut - c0.DatagramsOut; d < minPkts {
			t.Errorf("sender's DatagramsOut grew by %d, want >= %d", d, minPkts)
		}
		if d := c1.BytesOut - c0.BytesOut; d < n*size {
			t.Errorf("sender's BytesOut grew by %d, want >= %d", d, n*size)
		}
		if d := s1.DatagramsIn - s0.DatagramsIn; d < minPkts {
			t.Errorf("receiver's DatagramsIn grew by %d, want >= %d", d, minPkts)
		}
		if d := s1.BytesIn - s0.BytesIn; d < n*size {
			t.Errorf("receiver's BytesIn grew by %d, want >= %d", d, n*size)
		}
		for _, st := range []StackStats{c1, s1} {
			if st.SendBatches == 0 || st.SendBatches > st.DatagramsOut {
				t.Errorf("SendBatches %d for %d datagrams out", st.SendBatches, st.DatagramsOut)
			}
			if st.GSOPackets > st.DatagramsOut || st.GSOSends > st.GSOPackets {
				t.Errorf("GSO %d sends, %d packets, of %d datagrams out", st.GSOSends, st.GSOPackets, st.DatagramsOut)
			}
			if st.GROPackets > st.DatagramsIn || st.GROReceives > st.GROPackets {
				t.Errorf("GRO %d receives, %d packets, of %d datagrams in", st.GROReceives, st.GROPackets, st.DatagramsIn)
			}
		}
		c.Close()
		if _, err := c.StackStats(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("StackStats after Close: %v, want net.ErrClosed", err)
		}
	})
}
