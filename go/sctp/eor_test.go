//go:build cgo

package sctp

import (
	"bytes"
	"crypto/sha256"
	"math/rand"
	"testing"
	"time"
)

// TestExplicitEOR: with SCTP_EXPLICIT_EOR on, "a user may make multiple
// send system calls to send a record and must indicate that they are
// finished sending a particular record by including the SCTP_EOR flag"
// (RFC 6458 8.1.26): a 10 MiB message written in 64 KiB parts through a
// 256 KiB send buffer arrives as one message with the same SHA-256, which
// one Write could not send. While it is open, a message on another stream
// is refused (one message at a time, eor.h).
func TestExplicitEOR(t *testing.T) {
	const total, part = 10 << 20, 64 << 10
	o := Options{Transport: TransportUDP, WriteBuffer: 256 << 10}
	cc, sc := pairT(t, o)
	cc.SetDeadline(time.Now().Add(60 * time.Second))
	sc.SetDeadline(time.Now().Add(60 * time.Second))
	msg := make([]byte, total)
	rand.New(rand.NewSource(12)).Read(msg)
	want := sha256.Sum256(msg)

	// Without the option a write is a whole message: too big here.
	if _, err := cc.Write(msg); err == nil {
		t.Fatal("a 10 MiB Write through a 256 KiB send buffer succeeded")
	}
	if err := cc.SetExplicitEOR(true); err != nil {
		t.Fatal(err)
	}

	type result struct {
		n, records int
		sum        [32]byte
		err        error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		h := sha256.New()
		buf := make([]byte, 128<<10)
		for r.n < total {
			n, info, err := sc.ReadFromSCTP(buf)
			if err != nil {
				r.err = err
				break
			}
			h.Write(buf[:n])
			r.n += n
			if info.EndOfRecord() {
				r.records++
				if info.PPID != 77 {
					t.Errorf("PPID %d, want 77", info.PPID)
				}
				break
			}
		}
		copy(r.sum[:], h.Sum(nil))
		done <- r
	}()

	first := true
	for off := 0; off < total; off += part {
		end := off+part >= total
		var err error
		if first {
			// The first part gives the message its stream and PPID.
			_, err = cc.WriteToSCTP(msg[off:off+part], nil, &SndInfo{PPID: 77})
		} else {
			_, err = cc.WriteMsgPart(msg[off:off+part], end)
		}
		if err != nil {
			t.Fatalf("part at %d: %v", off, err)
		}
		if first {
			first = false
			if _, err := cc.WriteToSCTP([]byte("other"), nil, &SndInfo{Stream: 1, Flags: SendEOR}); err == nil {
				t.Error("a message on another stream was accepted while a message was open")
			}
		}
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("read after %d bytes: %v", r.n, r.err)
	}
	if r.n != total || r.records != 1 || !bytes.Equal(r.sum[:], want[:]) {
		t.Fatalf("read %d bytes in %d records, SHA-256 match %v; want %d bytes, 1 record, match",
			r.n, r.records, bytes.Equal(r.sum[:], want[:]), total)
	}

	// After the end, another stream's message goes through.
	if _, err := cc.WriteToSCTP([]byte("after"), nil, &SndInfo{Stream: 1, Flags: SendEOR}); err != nil {
		t.Fatal(err)
	}
	b, info := readMsg(t, sc, 64)
	if string(b) != "after" || info.Stream != 1 {
		t.Fatalf("got %q on stream %d", b, info.Stream)
	}
}
