//go:build cgo

package sctp

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

// TestSteadyStateAllocs: in steady state, a message costs 0 heap
// allocations in Write, Read and the allocation-free forms
// WriteToSCTPAddrPort and ReadFromSCTPAddrPort, and in WriteBatch and
// ReadBatch (issue 12). The count is
// process-wide (testing.AllocsPerRun), so the stack's driver goroutine is
// counted too.
func TestSteadyStateAllocs(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	msg := make([]byte, 64)
	buf := make([]byte, 256)
	cc.SetDeadline(time.Now().Add(30 * time.Second))
	sc.SetDeadline(time.Now().Add(30 * time.Second))
	pingPong := func() {
		if _, err := cc.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Read(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		pingPong() // warm up: scratch buffers, timers
	}
	if n := testing.AllocsPerRun(300, pingPong); n != 0 {
		t.Errorf("Write/Read: %.2f allocations per round trip, want 0", n)
	}

	// WriteBatch and ReadBatch: a run of small messages and one larger
	// than WriteBatch's coalescing limit.
	ws := make([]Message, 17)
	infos := make([]SndInfo, len(ws))
	for i := range ws {
		infos[i].PPID = uint32(i)
		ws[i] = Message{Buffer: msg, SndInfo: &infos[i]}
	}
	ws[len(ws)-1].Buffer = make([]byte, txSmall+100)
	rs := make([]Message, 8)
	for i := range rs {
		rs[i].Buffer = make([]byte, 4096)
	}
	batches := func() {
		if n, err := cc.WriteBatch(ws); n != len(ws) || err != nil {
			t.Fatalf("WriteBatch: %d, %v", n, err)
		}
		for got := 0; got < len(ws); {
			n, err := sc.ReadBatch(rs)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	}
	for i := 0; i < 20; i++ {
		batches()
	}
	if n := testing.AllocsPerRun(100, batches); n != 0 {
		t.Errorf("WriteBatch/ReadBatch: %.2f allocations per batch, want 0", n)
	}

	lc := testListenConfig(Options{Transport: TransportUDP})
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	clc := testListenConfig(Options{Transport: TransportUDP, RemoteUDPPort: srv.UDPPort()})
	cl, err := clc.ListenSCTP(context.Background(), "sctp4", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sa := srv.LocalAddr().(*SCTPAddr)
	to := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.Port))
	srv.SetDeadline(time.Now().Add(30 * time.Second))
	cl.SetDeadline(time.Now().Add(30 * time.Second))
	var si SndInfo
	var ri RcvInfo
	many := func() {
		si.Stream, si.PPID = 1, 99
		if _, err := cl.WriteToSCTPAddrPort(msg, to, &si); err != nil {
			t.Fatal(err)
		}
		_, from, err := srv.ReadFromSCTPAddrPort(buf, &ri)
		if err != nil || ri.PPID != 99 || ri.Stream != 1 || !from.IsValid() {
			t.Fatalf("read: %v %+v %v", err, ri, from)
		}
		si.AssocID = ri.AssocID
		if _, err := srv.WriteToSCTPAddrPort(msg, from, &si); err != nil {
			t.Fatal(err)
		}
		si.AssocID = 0
		if _, _, err := cl.ReadFromSCTPAddrPort(buf, &ri); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		many()
	}
	if n := testing.AllocsPerRun(300, many); n != 0 {
		t.Errorf("WriteToSCTPAddrPort/ReadFromSCTPAddrPort: %.2f allocations per round trip, want 0", n)
	}
}
