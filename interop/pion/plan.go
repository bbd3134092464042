package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The message plan, shared with the usrsctp peer (interop/usrsctp/peer.c) and
// with any driver that wants to talk to these peers. Message i (0-based):
//
//	size      sizes[i % len(sizes)]
//	stream    i % streams
//	PPID      i (host order; big-endian on the wire)
//	unordered unordered > 0 && i % unordered == unordered-1
//	payload   gen(i)
//
// Bulk mode (-bytes) sends messages of -msg-size bytes (the last one shorter)
// on stream 0, ordered, PPID = index, payload gen(index).

// gen fills buf with the payload of message idx: xorshift32 seeded with
// idx*0x9E3779B9 ^ 0x5DEECE66 (0 becomes 1); each step emits 4 bytes,
// little-endian.
func gen(idx uint32, buf []byte) {
	x := idx*0x9E3779B9 ^ 0x5DEECE66
	if x == 0 {
		x = 1
	}
	for j := 0; j < len(buf); {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		for k := 0; k < 4 && j < len(buf); k++ {
			buf[j] = byte(x >> (8 * k))
			j++
		}
	}
}

type plan struct {
	count     int
	sizes     []int
	streams   int
	unordered int
}

func (p *plan) size(i int) int      { return p.sizes[i%len(p.sizes)] }
func (p *plan) stream(i int) uint16 { return uint16(i % p.streams) }
func (p *plan) isUnordered(i int) bool {
	return p.unordered > 0 && i%p.unordered == p.unordered-1
}

func (p *plan) maxSize() int {
	m := 0
	for _, s := range p.sizes {
		m = max(m, s)
	}
	return m
}

// parseSize reads N with an optional k, m or g suffix (powers of 1024).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * float64(mult)), nil
}

// verifier checks received messages against the plan.
type verifier struct {
	p           *plan
	seen        []bool
	lastOrdered []int
	expect      []byte
	report      func(format string, args ...any)
	// allowMissing: messages missing at the end are counted, not errors
	// (PR-SCTP: the sender may abandon them).
	allowMissing bool
}

func newVerifier(p *plan, report func(string, ...any)) *verifier {
	v := &verifier{p: p, seen: make([]bool, p.count), lastOrdered: make([]int, p.streams),
		expect: make([]byte, p.maxSize()), report: report}
	for i := range v.lastOrdered {
		v.lastOrdered[i] = -1
	}
	return v
}

// check verifies one message. pion cannot tell whether a received message was
// sent unordered, so the U flag is not checked; ordering is checked for the
// messages the plan sends ordered.
func (v *verifier) check(sid uint16, ppid uint32, data []byte) {
	idx := int(ppid)
	if idx >= v.p.count {
		v.report("PPID %d out of plan (count %d), len %d sid %d", ppid, v.p.count, len(data), sid)
		return
	}
	if v.seen[idx] {
		v.report("message %d delivered twice", idx)
		return
	}
	v.seen[idx] = true
	if len(data) != v.p.size(idx) {
		v.report("message %d: size %d, want %d", idx, len(data), v.p.size(idx))
	}
	if sid != v.p.stream(idx) {
		v.report("message %d: stream %d, want %d", idx, sid, v.p.stream(idx))
	}
	if !v.p.isUnordered(idx) && int(sid) < v.p.streams {
		if idx < v.lastOrdered[sid] {
			v.report("message %d on stream %d after %d: order broken", idx, sid, v.lastOrdered[sid])
		} else {
			v.lastOrdered[sid] = idx
		}
	}
	if len(data) == v.p.size(idx) {
		exp := v.expect[:len(data)]
		gen(uint32(idx), exp)
		if !bytes.Equal(exp, data) {
			k := 0
			for exp[k] == data[k] {
				k++
			}
			v.report("message %d: payload differs at byte %d", idx, k)
		}
	}
}

// final reports the messages never delivered and returns their number.
func (v *verifier) final() int {
	missing, first := 0, -1
	for i, s := range v.seen {
		if !s {
			if first < 0 {
				first = i
			}
			missing++
		}
	}
	if missing > 0 && !v.allowMissing {
		v.report("%d of %d messages missing (first %d)", missing, v.p.count, first)
	}
	return missing
}
