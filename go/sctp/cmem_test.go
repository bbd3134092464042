//go:build cgo && unix

package sctp

import "testing"

// TestStackAllocator checks the allocator a stack's C engine gets
// (go_mem in cstack.go) as the engine relies on it: blocks of any size,
// 16-byte aligned and not overlapping; calloc zeroes, also a block used
// again; calloc refuses an overflowing size; realloc keeps the contents
// whichever way a block moves; freed small blocks are used again; and what
// it keeps for reuse is bounded.
func TestStackAllocator(t *testing.T) {
	if line := cMemCheck(); line != 0 {
		t.Fatalf("go_mem_check failed at cstack.go's C line %d", line)
	}
}
