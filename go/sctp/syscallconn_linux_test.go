//go:build cgo && linux

package sctp

import (
	"syscall"
	"testing"
)

// (SO_PROTOCOL is Linux's: this test is built there only.)

func TestSyscallConnKernel(t *testing.T) {
	requireTransport(t, TransportKernel)
	cc, _ := pairT(t, Options{Transport: TransportKernel})
	rc, err := cc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var soType int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		soType, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
	}); err != nil || serr != nil || soType != 132 {
		t.Errorf("SO_PROTOCOL of the fd: %d %v %v, want 132 (IPPROTO_SCTP)", soType, err, serr)
	}
}
