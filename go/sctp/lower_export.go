//go:build cgo && unix

package sctp

// goConnOutput is the conn_output of the stacks lower.go creates. This file
// holds only the export: cgo forbids C definitions beside one.

/*
#include <stddef.h>
#include <stdint.h>
*/
import "C"

import "unsafe"

//export goConnOutput
func goConnOutput(id C.uintptr_t, pkt *C.uint8_t, n C.size_t) C.int {
	l := lowerLinkByID(uintptr(id))
	if l == nil {
		return -1
	}
	l.enqueue(C.GoBytes(unsafe.Pointer(pkt), C.int(n)))
	return 0
}
