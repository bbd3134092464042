//go:build unix

package sctp

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// errNoStackFD is returned where the C core was built with the portable
// poll(2) backend (csctp_stack_fd is CSCTP_ERR_NOT_SUPPORTED there): the
// driver needs one fd that the netpoller can wait on, as epoll (Linux) and
// kqueue (macOS, the BSDs) give.
var errNoStackFD = errors.New("sctp: the C core has no pollable stack fd on this system (poll(2) backend); the Go package needs epoll or kqueue")

// pollFile dups fd (close-on-exec, non-blocking) and wraps the dup in an
// os.File registered with the netpoller. The original fd stays owned by the
// C side; closing the file closes only the dup.
func pollFile(fd int, name string) (*os.File, syscall.RawConn, error) {
	if fd < 0 {
		if name == "sctp-stack" {
			return nil, nil, errNoStackFD
		}
		return nil, nil, syscall.EBADF
	}
	nfd, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return nil, nil, os.NewSyscallError("fcntl", e)
	}
	if err := syscall.SetNonblock(int(nfd), true); err != nil {
		syscall.Close(int(nfd))
		return nil, nil, os.NewSyscallError("setnonblock", err)
	}
	f := os.NewFile(nfd, name)
	// SetReadDeadline fails unless the file is in the netpoller.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		return nil, nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, rc, nil
}

// errNoCore is what a build without the C core returns (cstack_nocgo.go):
// on unix systems the core is only missing because cgo is off.
var errNoCore = ErrNeedCgo
