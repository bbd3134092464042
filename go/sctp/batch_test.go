//go:build cgo

package sctp

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// TestWriteBatchReadBatch: WriteBatch sends every message as its own SCTP
// message, in order, with its send information, and ReadBatch returns them
// as ReadFromSCTPAddrPort would (RFC 6458 partial delivery: parts fill the
// buffer until the last, which carries the end of record): SHA-256 over
// 6000 messages of mixed sizes (small ones in runs, larger ones alone).
func TestWriteBatchReadBatch(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	const n = 6000
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := mixedSizes(rng, n, [3]int{75, 92, 100},
		[4]int{1, 300, txSmall, 20000})
	cc.SetDeadline(time.Now().Add(60 * time.Second))
	sc.SetDeadline(time.Now().Add(60 * time.Second))
	want := sha256.New()
	werr := make(chan error, 1)
	go func() {
		infos := make([]SndInfo, n)
		ms := make([]Message, 0, 50)
		for i := 0; i < n; {
			ms = ms[:0]
			for j := 0; j < 1+rng.IntN(50) && i < n; j, i = j+1, i+1 {
				m := rxTestMsg(i, sizes[i])
				want.Write(m)
				infos[i].PPID = uint32(i)
				ms = append(ms, Message{Buffer: m, SndInfo: &infos[i]})
			}
			k, err := cc.WriteBatch(ms)
			if err == nil && k != len(ms) {
				err = errors.New("WriteBatch sent fewer messages without an error")
			}
			if err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	got := sha256.New()
	bufSizes := []int{64 << 10, 100, 1500, 3000, 9}
	ms := make([]Message, 16)
	i, off, reads, multi := 0, 0, 0, 0
	var cur []byte
	for i < n {
		for j := range ms {
			ms[j] = Message{Buffer: make([]byte, bufSizes[(reads+j)%len(bufSizes)])}
		}
		k, err := sc.ReadBatch(ms)
		if err != nil {
			t.Fatalf("ReadBatch (message %d): %v", i, err)
		}
		if k < 1 || k > len(ms) {
			t.Fatalf("ReadBatch returned %d", k)
		}
		if k > 1 {
			multi++
		}
		for _, m := range ms[:k] {
			reads++
			if i >= n {
				t.Fatalf("read %d bytes after the last message", m.N)
			}
			rest := sizes[i] - off
			if m.N != min(rest, len(m.Buffer)) {
				t.Fatalf("message %d (%d bytes, %d read): read %d into %d, want %d",
					i, sizes[i], off, m.N, len(m.Buffer), min(rest, len(m.Buffer)))
			}
			if m.RcvInfo.PPID != uint32(i) || !m.Addr.IsValid() {
				t.Fatalf("message %d: PPID %d, from %v", i, m.RcvInfo.PPID, m.Addr)
			}
			cur = append(cur, m.Buffer[:m.N]...)
			off += m.N
			if eor := m.RcvInfo.EndOfRecord(); eor != (off == sizes[i]) {
				t.Fatalf("message %d: end of record %v after %d of %d bytes", i, eor, off, sizes[i])
			}
			if off == sizes[i] {
				if !bytes.Equal(cur, rxTestMsg(i, sizes[i])) {
					t.Fatalf("message %d: data differs", i)
				}
				got.Write(cur)
				cur, off = cur[:0], 0
				i++
			}
		}
	}
	if err := <-werr; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("SHA-256 of the data differs")
	}
	if multi == 0 {
		t.Error("no ReadBatch returned more than one message")
	}
}

// TestWriteBatchInvalidStream: a message for a stream at or beyond the
// association's outbound stream count cannot be sent (RFC 9260 6.5: the
// stream identifier must be below it; RFC 6458 says the send fails).
// WriteBatch returns how many went before it, with ErrInvalidStream, and
// those arrive; the rest are not sent.
func TestWriteBatchInvalidStream(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP, InitNumStreams: 2})
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	sc.SetDeadline(time.Now().Add(10 * time.Second))
	st, err := cc.Status()
	if err != nil {
		t.Fatal(err)
	}
	bad := uint16(st.OutboundStreams)
	infos := []SndInfo{{PPID: 1}, {PPID: 2, Stream: 1}, {PPID: 3, Stream: bad}, {PPID: 4}}
	ms := make([]Message, len(infos))
	for i := range ms {
		ms[i] = Message{Buffer: []byte{byte(i + 1)}, SndInfo: &infos[i]}
	}
	k, err := cc.WriteBatch(ms)
	if k != 2 || !errors.Is(err, ErrInvalidStream) {
		t.Fatalf("WriteBatch = %d, %v; want 2, ErrInvalidStream", k, err)
	}
	for want := uint32(1); want <= 2; want++ {
		_, info := readMsg(t, sc, 64)
		if info.PPID != want {
			t.Fatalf("got PPID %d, want %d", info.PPID, want)
		}
	}
	// Nothing after the invalid one: the next message is a fresh one.
	if _, err := cc.WriteToSCTP([]byte{9}, nil, &SndInfo{PPID: 9}); err != nil {
		t.Fatal(err)
	}
	if _, info := readMsg(t, sc, 64); info.PPID != 9 {
		t.Fatalf("got PPID %d after the failed batch, want 9", info.PPID)
	}
}
