package sctp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
)

// Stream reconfiguration (RFC 6525): resetting the sequence numbers of
// streams, adding streams, and the notifications that report both. Both
// ends must support it (userland transports list RE-CONFIG by default; the
// kernel transport uses Linux's implementation), and a peer performs the
// requests it has enabled (see [SCTPConn.EnableStreamReset]; RFC 6525
// 6.3.1's default is to deny them).

// ErrReconfPending is the error, inside a [*net.OpError] whose Temporary
// method reports true, of [SCTPConn.ResetStreams], [SCTPConn.AddStreams]
// and [SCTPConn.ResetAssoc] when the association cannot take the request
// yet: another reconfiguration request of ours is still in flight (RFC
// 6525 5.1.1: one at a time; it ends with its notification), a stream to
// reset still has queued messages (5.1.2), or, for ResetAssoc, data
// written earlier is not yet acknowledged (5.1.4). Nothing was sent and
// nothing is abandoned: call again once the pending request's
// notification came, or after a short pause (the peer acknowledges data
// within its delayed-SACK time, 200 ms at most by default). Match it with
// errors.Is(err, ErrReconfPending).
var ErrReconfPending error = &reconfPendingError{}

// reconfPendingError is the type of [ErrReconfPending].
type reconfPendingError struct{}

// Error implements the error interface.
func (*reconfPendingError) Error() string {
	return "sctp: stream reconfiguration not possible yet (a request in flight or data unacknowledged)"
}

// Temporary reports true: the same call succeeds later.
func (*reconfPendingError) Temporary() bool { return true }

// Timeout reports false.
func (*reconfPendingError) Timeout() bool { return false }

// reconfCtrl runs a reconfiguration request through ctrl; the engine's
// "not yet" (CSCTP_ERR_AGAIN; Linux's EAGAIN and EINPROGRESS) becomes
// ErrReconfPending.
func (c *SCTPConn) reconfCtrl(op string, f func(k *cSock) int) error {
	err := c.ctrl(op, f)
	var oe *net.OpError
	if errors.As(err, &oe) && (oe.Err == errAgain || oe.Err == errnoError(errnoEINPROGRESS)) {
		oe.Err = ErrReconfPending
	}
	return err
}

// Notification types of stream reconfiguration (RFC 6525 6.1), numbered
// apart from the others.
const (
	// NotifyStreamReset: streams were reset, or a reset was denied
	// ([StreamReset]).
	NotifyStreamReset NotificationType = 20 + iota
	// NotifyAssocReset: an SSN/TSN reset ([AssocReset]).
	NotifyAssocReset
	// NotifyStreamChange: streams were added, or an addition was denied
	// ([StreamChange]).
	NotifyStreamChange
)

// C event types (enum csctp_event_type).
const (
	cEvStreamReset  = 11
	cEvAssocReset   = 12
	cEvStreamChange = 13
)

// ResetDirection selects the streams [SCTPConn.ResetStreams] resets.
type ResetDirection int

// Directions (RFC 6525 6.3.2 SCTP_STREAM_RESET_INCOMING / _OUTGOING); they
// may be combined.
const (
	// ResetIncoming asks the peer to reset its outbound streams (ours
	// inbound).
	ResetIncoming ResetDirection = 0x01
	// ResetOutgoing resets our outbound streams.
	ResetOutgoing ResetDirection = 0x02
)

// StreamResetEnable says which of the peer's requests a conn performs
// (RFC 6525 6.3.1); the others are denied.
type StreamResetEnable uint32

// Request kinds for [SCTPConn.EnableStreamReset].
const (
	// EnableResetStreams performs Incoming and Outgoing SSN Reset requests.
	EnableResetStreams StreamResetEnable = 0x01
	// EnableResetAssoc performs SSN/TSN Reset requests. The userland
	// stack answers "In progress" while data it sent is unacknowledged.
	EnableResetAssoc StreamResetEnable = 0x02
	// EnableAddStreams performs Add Outgoing / Incoming Streams requests.
	EnableAddStreams StreamResetEnable = 0x04
)

// StreamResetFlags are the flags of [StreamReset] and [AssocReset] (RFC
// 6525 6.1.1, 6.1.2); [StreamChange] uses the Denied and Failed bits.
type StreamResetFlags uint16

// Flags of the reconfiguration notifications.
const (
	// StreamResetIncomingSSN: our inbound streams were reset.
	StreamResetIncomingSSN StreamResetFlags = 0x0001
	// StreamResetOutgoingSSN: our outbound streams were reset.
	StreamResetOutgoingSSN StreamResetFlags = 0x0002
	// StreamResetDenied: the peer denied the request.
	StreamResetDenied StreamResetFlags = 0x0004
	// StreamResetFailed: the request failed.
	StreamResetFailed StreamResetFlags = 0x0008
)

// ResetStreams asks for the reset of the sequence numbers of the given
// streams (none: every stream) in the directions dir (RFC 6525 5.1.2,
// 5.1.3, 6.3.2); assoc is ignored on a one-to-one conn. The outcome comes
// as a [StreamReset] notification (subscribe to [NotifyStreamReset]).
// Only one request is in flight at a time (another one fails with
// [ErrReconfPending]); while an outgoing reset is, writes on its streams
// fail with a temporary error, and a reset is refused with
// ErrReconfPending while one of its outbound streams still has unsent
// messages (the userland stack).
func (c *SCTPConn) ResetStreams(assoc AssocID, dir ResetDirection, streams ...uint16) error {
	return c.reconfCtrl("reset streams", func(k *cSock) int { return k.resetStreams(assoc, int(dir), streams) })
}

// AddStreams asks for in more inbound and out more outbound streams (RFC
// 6525 5.1.5, 5.1.6, 6.3.4). The new outbound streams may be used once a
// [StreamChange] notification reports them. It fails with
// [ErrReconfPending] while another request is in flight.
func (c *SCTPConn) AddStreams(assoc AssocID, in, out int) error {
	if in < 0 || out < 0 || in > 65535 || out > 65535 {
		return c.opErr("add streams", fmt.Errorf("sctp: stream counts %d, %d out of range", in, out))
	}
	return c.reconfCtrl("add streams", func(k *cSock) int { return k.addStreams(assoc, in, out) })
}

// ResetAssoc asks for the reset of every stream's sequence number, both
// ways, and of the TSNs (RFC 6525 5.1.4, 6.3.3); assoc is ignored on a
// one-to-one conn. The outcome comes as an [AssocReset] notification
// (subscribe to [NotifyAssocReset]). It fails with [ErrReconfPending]
// while data written earlier is not yet acknowledged (nothing is
// abandoned) or another request is in flight; until the peer answers,
// writes are queued but not sent (RFC 6525 5.1.4 C2).
func (c *SCTPConn) ResetAssoc(assoc AssocID) error {
	return c.reconfCtrl("reset assoc", func(k *cSock) int { return k.resetAssoc(assoc) })
}

// EnableStreamReset sets which of the peer's reconfiguration requests the
// association performs (RFC 6525 6.3.1; default none). assoc 0 sets the
// default of associations set up afterwards (on a one-to-one conn: its
// association once connected).
func (c *SCTPConn) EnableStreamReset(assoc AssocID, what StreamResetEnable) error {
	return c.ctrl("set", func(k *cSock) int { return k.enableStreamReset(assoc, uint32(what)) })
}

// EnableStreamReset sets which reconfiguration requests the associations
// accepted afterwards perform (see [SCTPConn.EnableStreamReset]).
func (l *SCTPListener) EnableStreamReset(what StreamResetEnable) error {
	if l == nil {
		return invalid("set")
	}
	return l.c.EnableStreamReset(0, what)
}

// StreamReset reports streams whose sequence numbers were reset, or a
// reset request that was denied or failed (RFC 6525 6.1.1).
type StreamReset struct {
	NotificationHeader
	Flags StreamResetFlags
	// Streams lists the streams concerned; empty means every stream.
	Streams []uint16
}

// Type returns NotifyStreamReset.
func (*StreamReset) Type() NotificationType { return NotifyStreamReset }

// String describes the event.
func (n *StreamReset) String() string {
	return fmt.Sprintf("assoc %d stream reset: flags %#x streams %v", n.AssocID, uint16(n.Flags), n.Streams)
}

// AssocReset reports an SSN/TSN reset (RFC 6525 6.1.2), or a request that
// was denied (StreamResetDenied) or failed (StreamResetFailed).
type AssocReset struct {
	NotificationHeader
	Flags StreamResetFlags
	// LocalTSN is the next TSN this side sends, RemoteTSN the peer's.
	LocalTSN, RemoteTSN uint32
}

// Type returns NotifyAssocReset.
func (*AssocReset) Type() NotificationType { return NotifyAssocReset }

// String describes the event.
func (n *AssocReset) String() string {
	return fmt.Sprintf("assoc %d assoc reset: flags %#x local tsn %d remote tsn %d",
		n.AssocID, uint16(n.Flags), n.LocalTSN, n.RemoteTSN)
}

// StreamChange reports the stream counts after streams were added, or an
// addition that was denied or failed (RFC 6525 6.1.3).
type StreamChange struct {
	NotificationHeader
	Flags                           StreamResetFlags // Denied, Failed
	InboundStreams, OutboundStreams int
}

// Type returns NotifyStreamChange.
func (*StreamChange) Type() NotificationType { return NotifyStreamChange }

// String describes the event.
func (n *StreamChange) String() string {
	return fmt.Sprintf("assoc %d stream change: flags %#x in %d out %d", n.AssocID,
		uint16(n.Flags), n.InboundStreams, n.OutboundStreams)
}

// reconfTypeName names the reconfiguration notification types.
func reconfTypeName(t NotificationType) (string, bool) {
	switch t {
	case NotifyStreamReset:
		return "stream-reset", true
	case NotifyAssocReset:
		return "assoc-reset", true
	case NotifyStreamChange:
		return "stream-change", true
	}
	return "", false
}

// reconfCTypes returns the C event types behind t, or nil.
func reconfCTypes(t NotificationType) []uint32 {
	switch t {
	case NotifyStreamReset:
		return []uint32{cEvStreamReset}
	case NotifyAssocReset:
		return []uint32{cEvAssocReset}
	case NotifyStreamChange:
		return []uint32{cEvStreamChange}
	}
	return nil
}

// reconfNotification converts a reconfiguration notification, or returns
// nil. A stream reset's data is its stream list in host byte order.
func (r *rawNotif) reconfNotification(h NotificationHeader, data []byte) Notification {
	switch r.typ {
	case cEvStreamReset:
		n := &StreamReset{NotificationHeader: h, Flags: StreamResetFlags(r.flags)}
		for i := 0; i+1 < len(data); i += 2 {
			n.Streams = append(n.Streams, binary.NativeEndian.Uint16(data[i:]))
		}
		return n
	case cEvAssocReset:
		return &AssocReset{NotificationHeader: h, Flags: StreamResetFlags(r.flags),
			LocalTSN: r.localTSN, RemoteTSN: r.remoteTSN}
	case cEvStreamChange:
		return &StreamChange{NotificationHeader: h, Flags: StreamResetFlags(r.flags),
			InboundStreams: int(r.inStreams), OutboundStreams: int(r.outStreams)}
	}
	return nil
}
