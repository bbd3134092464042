//go:build cgo

package sctp

import (
	"bytes"
	"crypto/sha256"
	"math/rand"
	"testing"
	"time"
)

// User message interleaving (RFC 8260 2) and stream schedulers (RFC 8260
// 3) through the Go API, over UDP encapsulation on loopback.

// TestInterleavingNegotiation: I-DATA is used when both ends announce it,
// and only then (RFC 8260 2.2.1); it is off by default.
func TestInterleavingNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name           string
		client, server bool
		want           bool
	}{
		{"both", true, true, true},
		{"client-only", true, false, false},
		{"server-only", false, true, false},
		{"default", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listenT(t, Options{Transport: TransportUDP, Interleaving: tc.server})
			ch := make(chan *SCTPConn, 1)
			go func() {
				s, err := l.AcceptSCTP()
				if err != nil {
					t.Errorf("accept: %v", err)
				}
				ch <- s
			}()
			c := dialT(t, l, Options{Transport: TransportUDP, Interleaving: tc.client})
			s := <-ch
			if s == nil {
				return
			}
			defer s.Close()
			for _, x := range []*SCTPConn{c, s} {
				on, err := x.Interleaving(0)
				if err != nil {
					t.Fatal(err)
				}
				if on != tc.want {
					t.Errorf("Interleaving %v, want %v", on, tc.want)
				}
			}
		})
	}
}

// TestInterleavingTransfer: 1 MiB messages on stream 0 beside 64-byte
// messages on stream 1, with I-DATA and round robin. Every message arrives
// whole (each Read returns one message or consecutive parts of it: never
// parts of two messages), on its stream, in order, with its exact bytes.
func TestInterleavingTransfer(t *testing.T) {
	t.Run("large-buffers", func(t *testing.T) { testInterleavingTransfer(t, 8<<20, 8<<20, false) })
	// A message larger than the receive buffer still completes (the
	// oldest incomplete message may take up to three buffers, idata.h).
	t.Run("small-read-buffer", func(t *testing.T) { testInterleavingTransfer(t, 4<<20, 512<<10, false) })
	// 1 MiB messages through a 64 KiB receive buffer: only partial
	// delivery (RFC 6458 8.1.21) lets them through; ReadFromSCTP returns
	// each in parts, EndOfRecord false until its last part, with nothing
	// of another message in between.
	t.Run("partial-delivery", func(t *testing.T) { testInterleavingTransfer(t, 4<<20, 64<<10, true) })
}

func testInterleavingTransfer(t *testing.T, wbuf, rbuf int, wantParts bool) {
	o := Options{Transport: TransportUDP, Interleaving: true, StreamScheduler: SchedRoundRobin,
		WriteBuffer: wbuf, ReadBuffer: rbuf}
	c, s := pairT(t, o)
	if on, err := c.Interleaving(0); err != nil || !on {
		t.Fatalf("Interleaving = %v, %v", on, err)
	}
	if sc, err := c.StreamScheduler(0); err != nil || sc != SchedRoundRobin {
		t.Fatalf("StreamScheduler = %v, %v", sc, err)
	}
	rng := rand.New(rand.NewSource(1))
	type msg struct {
		stream uint16
		sum    [32]byte
		n      int
	}
	var want [2][]msg
	var big [][]byte
	for i := 0; i < 3; i++ {
		b := make([]byte, 1<<20)
		rng.Read(b)
		big = append(big, b)
		want[0] = append(want[0], msg{0, sha256.Sum256(b), len(b)})
	}
	var small [][]byte
	for i := 0; i < 50; i++ {
		b := make([]byte, 64)
		rng.Read(b)
		small = append(small, b)
		want[1] = append(want[1], msg{1, sha256.Sum256(b), len(b)})
	}
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < 50; i++ {
			if i < 3 {
				if _, err := c.WriteToSCTP(big[i], nil, &SndInfo{Stream: 0}); err != nil {
					errc <- err
					return
				}
			}
			if _, err := c.WriteToSCTP(small[i], nil, &SndInfo{Stream: 1}); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	s.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 2<<20)
	var got [2]int
	var cur bytes.Buffer
	curStream := -1
	parts := 0 // reads of the current message
	for got[0]+got[1] < 53 {
		n, info, err := s.ReadFromSCTP(buf)
		if err != nil {
			t.Fatalf("read after %v messages: %v", got, err)
		}
		if curStream >= 0 && int(info.Stream) != curStream {
			t.Fatalf("a read returned stream %d in the middle of a message of stream %d", info.Stream, curStream)
		}
		curStream = int(info.Stream)
		cur.Write(buf[:n])
		parts++
		if !info.EndOfRecord() {
			continue
		}
		if wantParts && info.Stream == 0 && parts < 2 {
			t.Errorf("stream 0 message %d: read whole (%d bytes) through a %d-byte buffer", got[0], cur.Len(), rbuf)
		}
		parts = 0
		st := info.Stream
		if st > 1 || got[st] >= len(want[st]) {
			t.Fatalf("unexpected message on stream %d", st)
		}
		w := want[st][got[st]]
		if cur.Len() != w.n || sha256.Sum256(cur.Bytes()) != w.sum {
			t.Fatalf("stream %d message %d: %d bytes, SHA-256 differs", st, got[st], cur.Len())
		}
		got[st]++
		cur.Reset()
		curStream = -1
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestInterleavedReads: two 1 MiB messages on streams 0 and 1, sent round
// robin with I-DATA through a 128 KiB receive buffer. With
// Options.InterleavedReads (RFC 6458 8.1.20 level 2) ReadFromSCTP returns
// parts of both in turn, each read naming its stream, and the reader puts
// each together from its parts (SHA-256 equal). Without it (level 0) a
// read never returns another message between two parts of one; it needs
// a larger buffer here (512 KiB): at level 0 the second message can only
// wait whole beside the first, and through 128 KiB the two stall, as RFC
// 8260 4.3.1 warns ("Failure to set this option can possibly lead to
// application deadlock").
func TestInterleavedReads(t *testing.T) {
	t.Run("level2", func(t *testing.T) { testInterleavedReads(t, true, 128<<10) })
	t.Run("level0", func(t *testing.T) { testInterleavedReads(t, false, 512<<10) })
}

func testInterleavedReads(t *testing.T, interleaved bool, rbuf int) {
	o := Options{Transport: TransportUDP, Interleaving: true, StreamScheduler: SchedRoundRobin,
		InterleavedReads: interleaved, WriteBuffer: 4 << 20, ReadBuffer: rbuf}
	c, s := pairT(t, o)
	rng := rand.New(rand.NewSource(13))
	var msgs [2][]byte
	for i := range msgs {
		msgs[i] = make([]byte, 1<<20)
		rng.Read(msgs[i])
	}
	errc := make(chan error, 2)
	for i := range msgs {
		go func(i int) {
			_, err := c.WriteToSCTP(msgs[i], nil, &SndInfo{Stream: uint16(i), PPID: uint32(70 + i)})
			errc <- err
		}(i)
	}
	s.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 16<<10)
	var got [2]bytes.Buffer
	var open, done [2]bool
	last, switches := -1, 0
	for !done[0] || !done[1] {
		n, info, err := s.ReadFromSCTP(buf)
		if err != nil {
			t.Fatalf("read after %d + %d bytes: %v", got[0].Len(), got[1].Len(), err)
		}
		k := int(info.Stream)
		if k > 1 || done[k] {
			t.Fatalf("unexpected part on stream %d", k)
		}
		if info.PPID != uint32(70+k) {
			t.Errorf("stream %d: PPID %d", k, info.PPID)
		}
		if last >= 0 && last != k && open[last] {
			switches++ // a part of another message while last's was unfinished
		}
		got[k].Write(buf[:n])
		open[k] = !info.EndOfRecord()
		done[k] = info.EndOfRecord()
		last = k
	}
	for i := range msgs {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if got[i].Len() != len(msgs[i]) || sha256.Sum256(got[i].Bytes()) != sha256.Sum256(msgs[i]) {
			t.Errorf("stream %d: %d bytes, SHA-256 differs", i, got[i].Len())
		}
	}
	if interleaved && switches == 0 {
		t.Error("InterleavedReads: no read returned another stream's part between two parts of a message")
	}
	if !interleaved && switches != 0 {
		t.Errorf("level 0: %d reads returned another message between two parts of one", switches)
	}
	t.Logf("interleaved %v: %d switches between messages in progress", interleaved, switches)
}

// TestPartialDeliveryNotification: the partial delivery event (RFC 6458
// 6.1.7) can be subscribed to and reads as a *PartialDelivery.
func TestPartialDeliveryNotification(t *testing.T) {
	c, _ := pairT(t, Options{Transport: TransportUDP, Interleaving: true})
	if err := c.Subscribe(NotifyPartialDelivery); err != nil {
		t.Fatalf("Subscribe(NotifyPartialDelivery): %v", err)
	}
	if s := NotifyPartialDelivery.String(); s != "partial-delivery" {
		t.Errorf("String() = %q", s)
	}
	r := rawNotif{typ: cEvPartialDelivery, assocID: 3, outStreams: 7, flags: cRcvUnordered, localTSN: 9}
	n, ok := r.toNotification(nil).(*PartialDelivery)
	if !ok {
		t.Fatalf("toNotification: %T, want *PartialDelivery", r.toNotification(nil))
	}
	if !n.Aborted || n.Stream != 7 || !n.Unordered || n.Seq != 9 || n.Assoc() != 3 || n.Type() != NotifyPartialDelivery {
		t.Errorf("got %+v", n)
	}
}

// TestStreamSchedulerAPI: choosing the scheduler and per-stream values
// (RFC 8260 4.3.2, 4.3.3).
func TestStreamSchedulerAPI(t *testing.T) {
	c, _ := pairT(t, Options{Transport: TransportUDP})
	if sc, err := c.StreamScheduler(0); err != nil || sc != SchedFCFS {
		t.Fatalf("default scheduler %v, %v", sc, err)
	}
	for _, sc := range []StreamScheduler{SchedRoundRobin, SchedRoundRobinPacket, SchedPriority,
		SchedFairBandwidth, SchedWFQ, SchedFCFS} {
		if err := c.SetStreamScheduler(0, sc); err != nil {
			t.Fatalf("SetStreamScheduler(%v): %v", sc, err)
		}
		if got, err := c.StreamScheduler(0); err != nil || got != sc {
			t.Fatalf("StreamScheduler = %v, %v; want %v", got, err, sc)
		}
	}
	if err := c.SetStreamScheduler(0, SchedWFQ+1); err == nil {
		t.Error("an unknown scheduler was accepted")
	}
	if v, err := c.StreamSchedulerValue(0, 1); err != nil || v != 0 {
		t.Fatalf("default value %d, %v", v, err)
	}
	if err := c.SetStreamSchedulerValue(0, 1, 7); err != nil {
		t.Fatal(err)
	}
	if v, err := c.StreamSchedulerValue(0, 1); err != nil || v != 7 {
		t.Fatalf("value %d, %v; want 7", v, err)
	}
	if err := c.SetStreamSchedulerValue(0, 60000, 1); err == nil {
		t.Error("a value for a stream beyond the outbound count was accepted")
	}
	if SchedWFQ.String() != "SCTP_SS_WFQ" || StreamScheduler(9).String() != "StreamScheduler(9)" {
		t.Errorf("String: %q %q", SchedWFQ.String(), StreamScheduler(9).String())
	}
}

// TestIDataFSNFrom0: the Linux 6.1 numbering knob (C
// CSCTP_OPT_IDATA_FSN_FROM0) is off by default, reads back what was set,
// and a conn using it still exchanges fragmented messages whole with a
// csctp peer (which learns the numbering from the first fragment after B
// numbered 0), both ways. The numbering on the wire is checked in C
// (test_idata.c test_fsn_from0_forced).
func TestIDataFSNFrom0(t *testing.T) {
	c, s := pairT(t, Options{Transport: TransportUDP, Interleaving: true})
	if on, err := c.IDataFSNFrom0(0); err != nil || on {
		t.Fatalf("default IDataFSNFrom0 = %v, %v; want false", on, err)
	}
	if err := c.SetIDataFSNFrom0(0, true); err != nil {
		t.Fatal(err)
	}
	if on, err := c.IDataFSNFrom0(0); err != nil || !on {
		t.Fatalf("IDataFSNFrom0 = %v, %v; want true", on, err)
	}
	msg := make([]byte, 20000) // about 17 fragments
	rand.New(rand.NewSource(13)).Read(msg)
	for i, pair := range [][2]*SCTPConn{{c, s}, {s, c}} {
		if _, err := pair[0].WriteToSCTP(msg, nil, &SndInfo{Stream: 1}); err != nil {
			t.Fatal(err)
		}
		pair[1].SetReadDeadline(time.Now().Add(10 * time.Second))
		got, info := readMsg(t, pair[1], 64<<10)
		if !bytes.Equal(got, msg) || info.Stream != 1 {
			t.Fatalf("way %d: got %d bytes on stream %d, want the %d sent on 1", i, len(got), info.Stream, len(msg))
		}
	}
}
