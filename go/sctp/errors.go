package sctp

import (
	"errors"
	"fmt"
	"net"
)

// ErrNeedCgo is returned by every function of a build without cgo.
var ErrNeedCgo = errors.New("sctp: this package needs cgo (CGO_ENABLED=1) and a C compiler")

// ErrKernelUnavailable is returned (wrapped) for [TransportKernel] where
// the operating system offers no SCTP sockets. The error's text names the
// cause (for example "kernel has no SCTP (module sctp not loaded?)"), and
// errors.Is also matches the errno that socket(2) gave
// (syscall.EPROTONOSUPPORT, syscall.EPERM, ...) or, without cgo,
// [ErrNeedCgo]. See [KernelAvailable].
var ErrKernelUnavailable = errors.New("sctp: kernel SCTP unavailable")

// kernelUnavailable is the error for a failed kernel probe or kernel stack
// (code: the negated errno, or a C library code).
func kernelUnavailable(code int) error {
	if !haveCore {
		return fmt.Errorf("%w: %w", ErrKernelUnavailable, ErrNeedCgo)
	}
	return fmt.Errorf("%w: %s (%w)", ErrKernelUnavailable, cKernelWhy(code), codeError(code))
}

// ErrInvalidStream is returned (wrapped) by writes on a stream id at or
// beyond the association's negotiated outbound stream count.
var ErrInvalidStream = errors.New("sctp: stream id beyond the negotiated stream count")

// ErrMessageTooLarge is returned (wrapped) by writes of a message longer
// than the send buffer (see [SCTPConn.SetWriteBuffer]).
var ErrMessageTooLarge = errors.New("sctp: message larger than the send buffer")

// ErrNoAssociation is returned (wrapped) when an association id is unknown,
// or when a one-to-many conn is written without an address or association.
var ErrNoAssociation = errors.New("sctp: no such association")

// ErrWrongStyle is returned (wrapped) by an operation that does not apply to
// the conn's style, e.g. PeelOff on a one-to-one conn.
var ErrWrongStyle = errors.New("sctp: operation not supported on this socket style")

// EarlierSendError is the error of a WriteTo or WriteToSCTP on a
// one-to-many conn when an earlier message, the first one of an implicit
// association setup, could not be sent after the write that took it had
// returned (see [SCTPConn.WriteTo]). The write that returns it sent
// nothing. Err is the cause: an [*AssocLostError] when the setup failed
// (refused: errors.Is(err, syscall.ECONNREFUSED); timed out), or
// [ErrInvalidStream].
type EarlierSendError struct {
	Err error
}

// Error implements the error interface.
func (e *EarlierSendError) Error() string {
	return "sctp: an earlier message (first of an implicit association setup) was not sent: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *EarlierSendError) Unwrap() error { return e.Err }

// AbortError reports that an association was aborted (RFC 9260 9.1): by the
// peer, which sent ABORT, or locally by [SCTPConn.Abort]. A peer's abort
// matches syscall.ECONNRESET (what a TCP reset gives); only a local one
// matches net.ErrClosed.
type AbortError struct {
	// Reason is the reason given to Abort, when the abort was local.
	Reason string
	// Local is true when this side aborted.
	Local bool
	// CauseCode is the first error cause of the peer's ABORT, when known.
	CauseCode uint16
}

// Error implements the error interface.
func (e *AbortError) Error() string {
	s := "sctp: association aborted"
	if e.Local {
		s += " locally"
	} else {
		s += " by peer"
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.CauseCode != 0 {
		s += fmt.Sprintf(" (cause %d)", e.CauseCode)
	}
	return s
}

// Is reports a peer's abort as syscall.ECONNRESET and a local one as
// net.ErrClosed.
func (e *AbortError) Is(target error) bool {
	if e.Local {
		return target == net.ErrClosed
	}
	return target == errECONNRESET
}

// ShutdownError reports that an association is shut down or shutting down
// (RFC 9260 9.2: the peer sent SHUTDOWN, or [SCTPConn.CloseWrite] was
// called) and can no longer carry data from this side. It is the error of
// a write; a read returns io.EOF instead. It matches syscall.EPIPE, as a
// write to a TCP conn the peer closed does.
type ShutdownError struct{}

// Error implements the error interface.
func (e *ShutdownError) Error() string { return "sctp: association shut down" }

// Is reports the error as syscall.EPIPE.
func (e *ShutdownError) Is(target error) bool { return target == errEPIPE }

// LostReason tells why an association was lost or could not be set up.
type LostReason int

// Reasons an association is lost (csctp_lost_reason).
const (
	LostPeerAbort  LostReason = 1 // the peer sent ABORT
	LostUserAbort  LostReason = 2 // aborted locally
	LostTimeout    LostReason = 3 // peer unreachable: Association.Max.Retrans exceeded
	LostInitFailed LostReason = 4 // no answer to INIT / COOKIE ECHO
	LostRefused    LostReason = 5 // the peer answered the INIT with ABORT (no listener)
	LostProtocol   LostReason = 6 // aborted on a protocol violation
	LostNoMem      LostReason = 7 // aborted: out of memory
)

// String returns a short description of r.
func (r LostReason) String() string {
	switch r {
	case LostPeerAbort:
		return "aborted by peer"
	case LostUserAbort:
		return "aborted locally"
	case LostTimeout:
		return "peer unreachable"
	case LostInitFailed:
		return "no answer to INIT"
	case LostRefused:
		return "refused by peer"
	case LostProtocol:
		return "protocol violation"
	case LostNoMem:
		return "out of memory"
	}
	return fmt.Sprintf("LostReason(%d)", int(r))
}

// AssocLostError reports that an association could not be set up or was
// lost abnormally. It matches the errno a TCP conn gives in the same case:
// syscall.ETIMEDOUT when the peer stopped answering (retransmission
// limits, RFC 9260 8.1 and 8.2; Timeout() is then true), ECONNREFUSED when
// the peer refused the association, ECONNRESET when it was aborted (by
// the peer, or on a protocol violation); net.ErrClosed only when this
// side aborted it.
type AssocLostError struct {
	Reason LostReason
}

// Error implements the error interface.
func (e *AssocLostError) Error() string {
	switch e.Reason {
	case LostRefused:
		return "sctp: association refused by peer (no listener on that port?)"
	case LostTimeout, LostInitFailed:
		return "sctp: association failed: peer unreachable"
	}
	return "sctp: association lost: " + e.Reason.String()
}

// Is matches the errno of the reason (see [AssocLostError]).
func (e *AssocLostError) Is(target error) bool {
	switch e.Reason {
	case LostRefused:
		return target == errECONNREFUSED
	case LostTimeout, LostInitFailed:
		return target == errETIMEDOUT
	case LostPeerAbort, LostProtocol, LostNoMem:
		return target == errECONNRESET
	case LostUserAbort:
		return target == net.ErrClosed
	}
	return false
}

// Timeout reports whether the peer failed to answer.
func (e *AssocLostError) Timeout() bool {
	return e.Reason == LostTimeout || e.Reason == LostInitFailed
}

// Temporary reports false.
func (e *AssocLostError) Temporary() bool { return false }

// cError is a library error code of the C core without a better Go error.
type cError int

// Error names the code with csctp_strerror.
func (e cError) Error() string { return "sctp: " + cStrerror(int(e)) }

// errAgain is the internal "would block" marker.
var errAgain = errors.New("sctp: would block")

// codeError maps a negative C return value to a Go error.
func codeError(code int) error {
	switch {
	case code >= 0:
		return nil
	case code == -errnoEAGAIN || code == cErrAgain:
		return errAgain
	case code >= -999:
		return errnoError(-code)
	}
	switch code {
	case cErrClosed:
		return &ShutdownError{}
	case cErrAborted:
		return &AbortError{}
	case cErrTimeout:
		return &AssocLostError{Reason: LostTimeout}
	case cErrRefused:
		return &AssocLostError{Reason: LostRefused}
	case cErrStream:
		return ErrInvalidStream
	case cErrMsgSize:
		return ErrMessageTooLarge
	case cErrNotFound:
		return ErrNoAssociation
	case cErrNotSupported:
		return errors.ErrUnsupported
	}
	return cError(code)
}

// isEndOfAssoc reports whether err ends the association (sticky).
func isEndOfAssoc(err error) bool {
	var a *AbortError
	var s *ShutdownError
	var l *AssocLostError
	return errors.As(err, &a) || errors.As(err, &s) || errors.As(err, &l)
}
