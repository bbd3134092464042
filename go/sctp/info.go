package sctp

import (
	"fmt"
	"net"
	"time"
)

// AssocID identifies an association within its endpoint. 0 means "none",
// or "the conn's association" where documented.
type AssocID uint32

// SendFlags modify how one message is sent ([SndInfo.Flags]).
type SendFlags uint16

// Send flags.
const (
	// SendUnordered delivers the message without regard to stream order.
	SendUnordered SendFlags = cSendUnordered
	// SendEOF starts a graceful shutdown of the association after this
	// message.
	SendEOF SendFlags = cSendEOF
	// SendSACKNow asks the peer to acknowledge at once (the I bit, RFC 9260
	// 3.3.1).
	SendSACKNow SendFlags = cSendSackNow
	// SendEOR ends the message being written in parts on a conn with
	// explicit end of record on ([SCTPConn.SetExplicitEOR], RFC 6458
	// 8.1.26 SCTP_EOR); ignored otherwise.
	SendEOR SendFlags = cSendEOR
)

// SndInfo describes how to send one message (RFC 6458 sctp_sndinfo).
type SndInfo struct {
	// Stream is the outbound stream id; it must be below the association's
	// negotiated outbound stream count.
	Stream uint16
	// PPID is the payload protocol identifier in host byte order.
	PPID uint32
	// Flags modify the delivery.
	Flags SendFlags
	// Context is returned in a [SendFailed] notification if the message
	// cannot be delivered.
	Context uint32
	// AssocID selects the association of a one-to-many conn (0: use the
	// address). Ignored on one-to-one conns.
	AssocID AssocID
	// PRPolicy and PRValue make the message partially reliable (RFC 3758,
	// RFC 7496) on an association where both ends support PR-SCTP
	// ([AssocStatus.PREnabled]); elsewhere the message is sent reliably.
	// An abandoned message is reported by a [SendFailed] notification with
	// Abandoned set and counted in [AssocStatus].
	PRPolicy PRPolicy
	PRValue  uint32
}

// PRPolicy is a partial reliability policy for one message (RFC 6458
// sctp_prinfo, RFC 7496).
type PRPolicy uint16

// Partial reliability policies.
const (
	// PRNone sends the message reliably.
	PRNone PRPolicy = 0
	// PRTTL abandons the message once its lifetime, PRValue milliseconds
	// from the send, has passed and a (re)transmission of it is due (RFC
	// 3758 timed reliability).
	PRTTL PRPolicy = 1
	// PRPriority gives the message priority PRValue (0 is the highest):
	// when the send buffer is full, a send abandons queued messages of
	// lower priority until the new one fits (RFC 7496 3.2). Messages
	// without this policy rank above all of them.
	PRPriority PRPolicy = 2
	// PRRtx abandons the message rather than retransmit one of its chunks
	// more than PRValue times (RFC 7496 3.1).
	PRRtx PRPolicy = 3
)

// String returns the policy's RFC 6458 name.
func (p PRPolicy) String() string {
	switch p {
	case PRNone:
		return "SCTP_PR_SCTP_NONE"
	case PRTTL:
		return "SCTP_PR_SCTP_TTL"
	case PRPriority:
		return "SCTP_PR_SCTP_PRIO"
	case PRRtx:
		return "SCTP_PR_SCTP_RTX"
	}
	return fmt.Sprintf("PRPolicy(%d)", int(p))
}

// RcvFlags describe a received message ([RcvInfo.Flags]).
type RcvFlags uint16

// Receive flags.
const (
	// RcvUnordered: the message was sent unordered.
	RcvUnordered RcvFlags = 0x0001
	// RcvEndOfRecord: this read completes the message.
	RcvEndOfRecord RcvFlags = 0x0002
)

// RcvInfo describes a received message or message part (RFC 6458
// sctp_rcvinfo).
type RcvInfo struct {
	Stream uint16 // stream id
	SSN    uint16 // stream sequence number
	// PPID is the payload protocol identifier in host byte order.
	PPID    uint32
	TSN     uint32 // TSN of the message's first fragment
	CumTSN  uint32 // cumulative TSN acknowledged when delivered
	AssocID AssocID
	Flags   RcvFlags
	// From is the peer's address (the path the message came on) with the
	// peer's SCTP port and UDP encapsulation port. ReadFromSCTPAddrPort
	// leaves it nil (it returns the address as a netip.AddrPort).
	From *SCTPAddr
	// UDPPort is the peer's UDP encapsulation port on that path (0:
	// native SCTP over IP).
	UDPPort int
}

// EndOfRecord reports whether this read completed the message.
func (i *RcvInfo) EndOfRecord() bool { return i != nil && i.Flags&RcvEndOfRecord != 0 }

// Unordered reports whether the message was sent unordered.
func (i *RcvInfo) Unordered() bool { return i != nil && i.Flags&RcvUnordered != 0 }

// AssocState is the state of an association (RFC 9260 4).
type AssocState int

// Association states.
const (
	StateClosed AssocState = iota
	StateCookieWait
	StateCookieEchoed
	StateEstablished
	StateShutdownPending
	StateShutdownSent
	StateShutdownReceived
	StateShutdownAckSent
)

var assocStateNames = [...]string{"CLOSED", "COOKIE-WAIT", "COOKIE-ECHOED", "ESTABLISHED",
	"SHUTDOWN-PENDING", "SHUTDOWN-SENT", "SHUTDOWN-RECEIVED", "SHUTDOWN-ACK-SENT"}

// String returns the state's name as RFC 9260 writes it.
func (s AssocState) String() string {
	if s >= 0 && int(s) < len(assocStateNames) {
		return assocStateNames[s]
	}
	return fmt.Sprintf("AssocState(%d)", int(s))
}

// AssocStatus is a snapshot of an association's state and counters.
type AssocStatus struct {
	AssocID         AssocID
	State           AssocState
	PeerPort        int
	InboundStreams  int
	OutboundStreams int
	PeerRwnd        uint32 // peer's receive window as tracked
	LocalRwnd       uint32 // window advertised
	Unacked         uint32 // DATA chunks in flight
	Pending         uint32 // DATA chunks queued, not yet sent
	SendQueued      uint32 // bytes held in the send buffer
	RecvQueued      uint32 // bytes received, not read
	FragPoint       uint32 // largest user data per DATA chunk
	NumPaths        int
	Primary         net.IPAddr
	PrimaryUDPPort  int

	Retransmits, FastRetransmits, T3Expiries        uint64
	DataChunksOut, DataChunksIn, DupTSNsIn, PktsOut uint64
	PktsIn                                          uint64

	// SpuriousRetransmits counts retransmissions the peer reported as
	// duplicates (the first copy had arrived after all).
	SpuriousRetransmits uint64
	// TailLossProbes counts loss probes sent (RFC 8985 section 7).
	TailLossProbes uint64
	// FastRecoveries counts Fast Recovery periods entered, each one a
	// congestion window reduction (RFC 9260 section 7.2.4).
	FastRecoveries uint64

	// PREnabled reports whether both ends support PR-SCTP (RFC 3758
	// section 3.3; see [Options.DisablePRSCTP]).
	PREnabled bool
	// AbandonedUnsent and AbandonedSent count messages abandoned by their
	// PR-SCTP policy before any part of them was sent, and after (RFC 7496
	// section 4.4, every policy; over the kernel transport, Linux's counts).
	AbandonedUnsent, AbandonedSent uint64
}

// PathState is the state of one path of an association.
type PathState int

// Path states (RFC 9260 8.2, RFC 7829).
const (
	PathActive PathState = iota
	PathInactive
	PathUnconfirmed
	PathPotentiallyFailed
)

// String returns the state's name.
func (s PathState) String() string {
	switch s {
	case PathActive:
		return "active"
	case PathInactive:
		return "inactive"
	case PathUnconfirmed:
		return "unconfirmed"
	case PathPotentiallyFailed:
		return "potentially-failed"
	}
	if n, ok := asconfStateName(s); ok {
		return n
	}
	return fmt.Sprintf("PathState(%d)", int(s))
}

// PathInfo describes one path (peer transport address) of an association.
type PathInfo struct {
	Addr    net.IPAddr
	UDPPort int // the peer's UDP encapsulation port; 0: native
	State   PathState
	Primary bool

	Cwnd, Ssthresh, FlightSize, PartialBytesAcked uint32
	ErrorCount                                    uint32
	// MTU is the largest SCTP packet the path carries now: with path MTU
	// discovery (RFC 8899, on by default over UDP encapsulation and raw
	// IP) the size discovered so far, which starts at 1200 and never
	// exceeds the configured bound.
	MTU               uint32
	SRTT, RTTVar, RTO time.Duration // SRTT is 0 until measured
	// PMTUDState is the path's RFC 8899 5.2 discovery state: 0 disabled,
	// 1 base, 2 searching, 3 search complete, 4 error.
	PMTUDState uint32
}
