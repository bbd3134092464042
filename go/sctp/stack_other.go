//go:build !unix

package sctp

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// errNoBackend: csctp's I/O layer is POSIX (epoll, kqueue or poll(2)
// sockets); this system has none of it.
var errNoBackend = fmt.Errorf("sctp: csctp has no I/O backend for %s (it runs on Linux, macOS and the BSDs): %w", runtime.GOOS, errors.ErrUnsupported)

// pollFile cannot wrap a C fd here: there is no backend to own one.
func pollFile(fd int, name string) (*os.File, syscall.RawConn, error) {
	return nil, nil, errNoBackend
}

// errNoCore is what every call returns here (cstack_nocgo.go): the C core
// is not built off unix, with or without cgo.
var errNoCore = errNoBackend
