package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// Vectors computed independently (a Python transcription of the plan rule in
// interop/README.md); the usrsctp peer is checked against the same values by
// interop/selftest.sh through the bulk hashes.
func TestGenVectors(t *testing.T) {
	for _, v := range []struct {
		idx  uint32
		n    int
		want string
	}{
		{0, 8, "97c26b00ebcf1a7f"},
		{1, 8, "8e846751d59a349f"},
		{123456, 7, "15d6feb9ebb6b4"},
	} {
		b := make([]byte, v.n)
		gen(v.idx, b)
		if got := hex.EncodeToString(b); got != v.want {
			t.Errorf("gen(%d,%d) = %s, want %s", v.idx, v.n, got, v.want)
		}
	}
	p := plan{count: 10, sizes: []int{1, 100, 1200, 65536, 262144}, streams: 1}
	h := sha256.New()
	for i := 0; i < p.count; i++ {
		b := make([]byte, p.size(i))
		gen(uint32(i), b)
		h.Write(b)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != "15c2619e61c480e1a8ebe8d5b972927828ad4ca6d77362a3f039ec3655aef97b" {
		t.Errorf("plan hash %s", got)
	}
}

func TestPlanRules(t *testing.T) {
	p := plan{count: 100, sizes: []int{1, 2, 3}, streams: 10, unordered: 4}
	if p.size(4) != 2 || p.stream(13) != 3 || !p.isUnordered(3) || p.isUnordered(4) || !p.isUnordered(7) {
		t.Fatal("plan rules")
	}
	if (&plan{unordered: 1}).isUnordered(0) != true || (&plan{}).isUnordered(3) {
		t.Fatal("unordered 1 / 0")
	}
}

func param(typ uint16, val []byte) []byte {
	b := make([]byte, 4, 4+len(val)+3)
	binary.BigEndian.PutUint16(b, typ)
	binary.BigEndian.PutUint16(b[2:], uint16(4+len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func initPacket(params ...[]byte) []byte {
	p := make([]byte, 12+20)
	binary.BigEndian.PutUint16(p[0:], 5000)
	binary.BigEndian.PutUint16(p[2:], 5000)
	p[12] = 1 // INIT
	for _, q := range params {
		p = append(p, q...)
	}
	binary.BigEndian.PutUint16(p[14:], uint16(len(p)-12))
	binary.LittleEndian.PutUint32(p[8:], sctpCRC(p))
	return p
}

func TestStripAddrParams(t *testing.T) {
	ecn := param(0x8000, nil)
	sat := param(12, []byte{0, 5}) // Supported Address Types: IPv4 (2 bytes + 2 padding)
	v4 := param(5, []byte{127, 0, 0, 1})
	fwd := param(0xc000, nil)
	in := initPacket(ecn, sat, v4, fwd)
	out, n := stripAddrParams(in)
	if n != 2 {
		t.Fatalf("stripped %d, want 2", n)
	}
	want := initPacket(ecn, fwd)
	if hex.EncodeToString(out) != hex.EncodeToString(want) {
		t.Fatalf("got  %x\nwant %x", out, want)
	}
	// The last parameter's padding is not part of the chunk length.
	ext := param(0x8008, []byte{0xc0}) // 5 bytes + 3 padding
	in = initPacket(ext, sat)
	out, _ = stripAddrParams(in)
	if got := binary.BigEndian.Uint16(out[14:]); got != 20+5 || len(out) != 12+20+8 {
		t.Fatalf("chunk length %d", got)
	}
	// A packet with nothing to strip is returned as is.
	in = initPacket(ecn)
	if out, n := stripAddrParams(in); n != 0 || &out[0] != &in[0] {
		t.Fatal("untouched packet was copied")
	}
}

func TestRewritePorts(t *testing.T) {
	p := initPacket(param(0x8000, nil))
	rewritePorts(p, 1234, 4321)
	if binary.BigEndian.Uint16(p) != 1234 || binary.BigEndian.Uint16(p[2:]) != 4321 {
		t.Fatal("ports")
	}
	if binary.LittleEndian.Uint32(p[8:]) != sctpCRC(p) {
		t.Fatal("checksum not recomputed")
	}
	binary.LittleEndian.PutUint32(p[8:], 0xdeadbeef) // a bad checksum stays bad
	rewritePorts(p, 5000, 5000)
	if binary.LittleEndian.Uint32(p[8:]) != 0xdeadbeef {
		t.Fatal("bad checksum repaired")
	}
}

// RFC 9260 Appendix A / RFC 3720 B.4 CRC32c check value.
func TestCRC32cVector(t *testing.T) {
	// 32 bytes of zeros hashed as a whole: CRC32c = 0x8a9136aa (RFC 3720 B.4).
	// sctpCRC zeroes bytes 8..11, so use an all-zero 32-byte "packet".
	if got := sctpCRC(make([]byte, 32)); got != 0x8a9136aa {
		t.Fatalf("crc32c(zeros) = %#x", got)
	}
}
