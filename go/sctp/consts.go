package sctp

// Values of the C API (csctp.h, csctp_io.h). cstack.go checks at compile
// time that they match the headers, so that the pure Go files (built with
// and without cgo) can use them.

// Library error codes (CSCTP_ERR_*).
const (
	cErrInval        = -1001
	cErrNoMem        = -1002
	cErrNoBuf        = -1003
	cErrAgain        = -1004
	cErrNotFound     = -1005
	cErrState        = -1006
	cErrStream       = -1007
	cErrMsgSize      = -1008
	cErrMalformed    = -1009
	cErrChecksum     = -1010
	cErrClosed       = -1011
	cErrLimit        = -1012
	cErrAddr         = -1013
	cErrAborted      = -1014
	cErrTimeout      = -1015
	cErrRefused      = -1016
	cErrProto        = -1017
	cErrNotSupported = -1018
	cErrRandom       = -1019
)

// Event types (enum csctp_event_type).
const (
	cEvAssocUp          = 1
	cEvAssocLost        = 2
	cEvAssocRestart     = 3
	cEvShutdownComplete = 4
	cEvShutdownReceived = 5
	cEvSendFailed       = 6
	cEvPeerAddrChange   = 7
	cEvRemoteError      = 8
	cEvSenderDry        = 9
)

// Send and receive flags.
const (
	cSendUnordered = 0x0001
	cSendEOF       = 0x0002
	cSendAbort     = 0x0004
	cSendSackNow   = 0x0008
	cSendEOR       = 0x0020

	cRcvUnordered = 0x0001
	cRcvEOR       = 0x0002

	cMsgEOR          = 0x0080
	cMsgNotification = 0x8000
)

// Socket styles, transports, readiness bits.
const (
	cSockStream    = 1
	cSockSeqpacket = 2

	cTransportUDP    = 0
	cTransportRaw    = 1
	cTransportKernel = 2

	cUDPEncapsPort = 9899

	cPollIn  = 0x1
	cPollOut = 0x2
	cPollErr = 0x4
	cPollHup = 0x8
)

// Socket options (enum csctp_sockopt).
const (
	cOptInitMsg        = 1
	cOptNoDelay        = 4
	cOptExplicitEOR    = 100
	cOptRcvBuf         = 12
	cOptSndBuf         = 13
	cOptLinger         = 14
	cOptRemoteUDPEncap = 15
)
