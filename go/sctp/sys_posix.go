//go:build !plan9

package sctp

import "syscall"

// The system's names for the address families and errors the package
// uses; Plan 9's syscall package has none of them (sys_plan9.go).
const (
	afINET  = syscall.AF_INET
	afINET6 = syscall.AF_INET6

	errnoEAGAIN       = int(syscall.EAGAIN)
	errnoEINPROGRESS  = int(syscall.EINPROGRESS)
	errnoEAFNOSUPPORT = int(syscall.EAFNOSUPPORT)
)

// The errors the package's errors match with errors.Is.
var (
	errECONNRESET   error = syscall.ECONNRESET
	errECONNREFUSED error = syscall.ECONNREFUSED
	errETIMEDOUT    error = syscall.ETIMEDOUT
	errEPIPE        error = syscall.EPIPE
	errEADDRINUSE   error = syscall.EADDRINUSE
)

// errnoError is the error of a negated errno returned by the C core.
func errnoError(n int) error { return syscall.Errno(n) }
