//go:build cgo

package sctp

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

// rxTestMsg is message i of the batching tests: its index, then bytes that
// depend on it.
func rxTestMsg(i, size int) []byte {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte(i*7 + j*13)
	}
	if size >= 4 {
		binary.BigEndian.PutUint32(b, uint32(i))
	}
	return b
}

// TestReadBatchBoundaries: messages read in runs keep what RFC 6458
// (partial delivery) and the package promise for every Read: the messages
// of one stream in order, each one whole, or, when the buffer is shorter,
// in parts that fill the buffer until the last, which carries the end of
// record; PPID and stream with every part; nothing lost, duplicated or
// altered (SHA-256 over all data); io.EOF after the last one when the peer
// closes. Small messages (batched) are mixed with larger ones, which can
// land in a run's last ring entry as a part.
func TestReadBatchBoundaries(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	const n = 4000
	sizes := mixedSizes(rand.New(rand.NewPCG(12, 34)), n, [3]int{70, 90, 100},
		[4]int{1, 200, rxSmall, 9000})
	cc.SetDeadline(time.Now().Add(60 * time.Second))
	sc.SetDeadline(time.Now().Add(60 * time.Second))
	want := sha256.New()
	werr := make(chan error, 1)
	go func() {
		var si SndInfo
		for i, s := range sizes {
			m := rxTestMsg(i, s)
			want.Write(m)
			si.PPID = uint32(i)
			if _, err := cc.WriteToSCTP(m, nil, &si); err != nil {
				werr <- err
				return
			}
		}
		werr <- cc.Close()
	}()
	time.Sleep(20 * time.Millisecond) // let messages queue up: runs
	got := sha256.New()
	bufSizes := []int{64 << 10, 100, 1500, 3000, 7}
	var ri RcvInfo
	i, off, reads := 0, 0, 0
	var cur []byte
	for {
		buf := make([]byte, bufSizes[reads%len(bufSizes)])
		reads++
		k, _, err := sc.ReadFromSCTPAddrPort(buf, &ri)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %d (message %d): %v", reads, i, err)
		}
		if i >= n {
			t.Fatalf("read %d bytes after the last message", k)
		}
		rest := sizes[i] - off
		if k != min(rest, len(buf)) {
			t.Fatalf("message %d (%d bytes, %d read): read %d bytes into %d, want %d",
				i, sizes[i], off, k, len(buf), min(rest, len(buf)))
		}
		if ri.PPID != uint32(i) || ri.Stream != 0 {
			t.Fatalf("message %d: PPID %d stream %d", i, ri.PPID, ri.Stream)
		}
		cur = append(cur, buf[:k]...)
		off += k
		if eor := ri.EndOfRecord(); eor != (off == sizes[i]) {
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
	if err := <-werr; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if i != n {
		t.Fatalf("got %d messages, want %d", i, n)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("SHA-256 of the data differs")
	}
	if sc.rxServed == 0 {
		t.Error("no Read was served from the ring: the test did not batch")
	}
}

// TestReadBatchAllocs: Reads served from the ring allocate nothing, like
// the others (issue 12): a burst of small messages written, then read.
func TestReadBatchAllocs(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	cc.SetDeadline(time.Now().Add(30 * time.Second))
	sc.SetDeadline(time.Now().Add(30 * time.Second))
	msg := make([]byte, 64)
	buf := make([]byte, 256)
	var ri RcvInfo
	const burst = 32
	round := func() {
		for i := 0; i < burst; i++ {
			if _, err := cc.Write(msg); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < burst; i++ {
			if i&1 == 0 {
				if _, err := sc.Read(buf); err != nil {
					t.Fatal(err)
				}
			} else if _, _, err := sc.ReadFromSCTPAddrPort(buf, &ri); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < 20; i++ {
		round()
	}
	before := sc.rxServed
	if a := testing.AllocsPerRun(50, round); a != 0 {
		t.Errorf("%.2f allocations per burst of %d messages, want 0", a, burst)
	}
	if sc.rxServed == before {
		t.Error("no Read was served from the ring: the test did not batch")
	}
}

// TestReadBatchDeadline: messages already read ahead do not outlive the
// read deadline: once it has passed, Read fails with a timeout (as a net
// conn's Read does with data in the kernel), and after the deadline is
// cleared the next message comes, in order.
func TestReadBatchDeadline(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	var si SndInfo
	for i := 0; i < 10; i++ {
		si.PPID = uint32(i)
		if _, err := cc.WriteToSCTP([]byte{byte(i)}, nil, &si); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond) // all ten arrive before the first read
	sc.SetReadDeadline(time.Now().Add(10 * time.Second))
	// The first small message makes the ring, the second fills it.
	for want := uint32(0); want < 2; want++ {
		if _, info := readMsg(t, sc, 64); info.PPID != want {
			t.Fatalf("got PPID %d, want %d", info.PPID, want)
		}
	}
	if !sc.rx.pending() {
		t.Fatal("nothing was read ahead: the test did not batch")
	}
	sc.SetReadDeadline(time.Now().Add(-time.Second))
	var ne net.Error
	if _, err := sc.Read(make([]byte, 64)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read after the deadline: %v, want a timeout", err)
	}
	sc.SetReadDeadline(time.Time{})
	for want := uint32(2); want < 10; want++ {
		if _, info := readMsg(t, sc, 64); info.PPID != want {
			t.Fatalf("got PPID %d, want %d", info.PPID, want)
		}
	}
}

// mixedSizes draws n message sizes in three bands: with percentile bounds
// pct, a size is lim[0]+[0,lim[1]) below pct[0], lim[1]+[0,lim[2]) below
// pct[1], else lim[2]+[0,lim[3]).
func mixedSizes(rng *rand.Rand, n int, pct [3]int, lim [4]int) []int {
	sizes := make([]int, n)
	for i := range sizes {
		switch r := rng.IntN(pct[2]); {
		case r < pct[0]:
			sizes[i] = lim[0] + rng.IntN(lim[1])
		case r < pct[1]:
			sizes[i] = lim[1] + rng.IntN(lim[2])
		default:
			sizes[i] = lim[2] + rng.IntN(lim[3])
		}
	}
	return sizes
}
