//go:build plan9

package sctp

import (
	"strconv"
	"syscall"
)

// Plan 9 has no BSD sockets: its syscall package defines neither the
// address families nor the errno values. The package builds there (cgo is
// off) and every call fails with errors.ErrUnsupported at run time
// (stack_other.go); these stand-ins only give the shared code its names.
const (
	afINET  = 2
	afINET6 = 10

	errnoEAGAIN       = 11
	errnoEINPROGRESS  = 115
	errnoEAFNOSUPPORT = 97
)

// The errors the package's errors match with errors.Is.
var (
	errECONNRESET   error = syscall.NewError("connection reset by peer")
	errECONNREFUSED error = syscall.NewError("connection refused")
	errETIMEDOUT    error = syscall.ETIMEDOUT
	errEPIPE        error = syscall.NewError("broken pipe")
	errEADDRINUSE   error = syscall.NewError("address already in use")
)

// errnoError is the error of a negated errno returned by the C core.
func errnoError(n int) error { return syscall.NewError("errno " + strconv.Itoa(n)) }
