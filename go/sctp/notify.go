package sctp

import (
	"fmt"
	"net"
)

// NotificationType selects a kind of notification for
// [SCTPConn.Subscribe].
type NotificationType int

// Notification types.
const (
	// NotifyAssocChange: associations coming up, being lost, restarting or
	// completing their shutdown ([AssocChange]).
	NotifyAssocChange NotificationType = iota + 1
	// NotifyPeerAddrChange: a path changed state ([PeerAddrChange]).
	NotifyPeerAddrChange
	// NotifySendFailed: a message could not be delivered ([SendFailed]).
	NotifySendFailed
	// NotifyRemoteError: the peer sent an ERROR chunk ([RemoteError]).
	NotifyRemoteError
	// NotifyShutdown: the peer started a graceful shutdown
	// ([ShutdownEvent]).
	NotifyShutdown
	// NotifySenderDry: everything sent was acknowledged ([SenderDry]).
	NotifySenderDry
)

// String returns the type's name.
func (t NotificationType) String() string {
	switch t {
	case NotifyAssocChange:
		return "assoc-change"
	case NotifyPeerAddrChange:
		return "peer-addr-change"
	case NotifySendFailed:
		return "send-failed"
	case NotifyRemoteError:
		return "remote-error"
	case NotifyShutdown:
		return "shutdown"
	case NotifySenderDry:
		return "sender-dry"
	}
	if s, ok := reconfTypeName(t); ok {
		return s
	}
	if t == NotifyPartialDelivery {
		return "partial-delivery"
	}
	return fmt.Sprintf("NotificationType(%d)", int(t))
}

// cTypes returns the C event types behind t.
func (t NotificationType) cTypes() []uint32 {
	switch t {
	case NotifyAssocChange:
		return []uint32{cEvAssocUp, cEvAssocLost, cEvAssocRestart, cEvShutdownComplete}
	case NotifyPeerAddrChange:
		return []uint32{cEvPeerAddrChange}
	case NotifySendFailed:
		return []uint32{cEvSendFailed}
	case NotifyRemoteError:
		return []uint32{cEvRemoteError}
	case NotifyShutdown:
		return []uint32{cEvShutdownReceived}
	case NotifySenderDry:
		return []uint32{cEvSenderDry}
	}
	if t == NotifyPartialDelivery {
		return []uint32{cEvPartialDelivery}
	}
	return reconfCTypes(t)
}

// Notification is an event of the SCTP stack, read with
// [SCTPConn.ReadNotification]. Its dynamic type is one of *[AssocChange],
// *[PeerAddrChange], *[SendFailed], *[RemoteError], *[ShutdownEvent],
// *[SenderDry], *[StreamReset], *[AssocReset], *[StreamChange],
// *[PartialDelivery].
type Notification interface {
	// Assoc returns the association the notification is about.
	Assoc() AssocID
	// Type returns the notification's type.
	Type() NotificationType
	// String describes the notification.
	String() string
}

// NotificationHeader holds the fields every notification has.
type NotificationHeader struct {
	AssocID AssocID
	// Dropped counts notifications dropped just before this one because a
	// queue was full (the C socket's, 1024 entries, or the conn's, 1024
	// entries and 4 MiB of data); see [SCTPConn.DroppedNotifications].
	Dropped int
}

// Assoc returns the association the notification is about.
func (h *NotificationHeader) Assoc() AssocID { return h.AssocID }

func (h *NotificationHeader) header() *NotificationHeader { return h }

// AssocChangeState tells what happened in an [AssocChange].
type AssocChangeState int

// Association changes.
const (
	// AssocCommUp: the association is established.
	AssocCommUp AssocChangeState = iota + 1
	// AssocCommLost: the association ended abnormally (see Reason, Err).
	AssocCommLost
	// AssocRestart: the peer restarted (RFC 9260 5.2).
	AssocRestart
	// AssocShutdownComplete: a graceful shutdown finished.
	AssocShutdownComplete
)

// String returns the change's name.
func (s AssocChangeState) String() string {
	switch s {
	case AssocCommUp:
		return "COMM_UP"
	case AssocCommLost:
		return "COMM_LOST"
	case AssocRestart:
		return "RESTART"
	case AssocShutdownComplete:
		return "SHUTDOWN_COMP"
	}
	return fmt.Sprintf("AssocChangeState(%d)", int(s))
}

// AssocChange reports a change of an association's state.
type AssocChange struct {
	NotificationHeader
	State AssocChangeState
	// For AssocCommUp and AssocRestart: the negotiated stream counts and
	// the peer's SCTP port, primary address and UDP encapsulation port.
	OutboundStreams, InboundStreams int
	PeerPort                        int
	Peer                            net.IPAddr
	PeerUDPPort                     int
	// For AssocCommLost: why, the first error cause of an ABORT, and the
	// error later operations on the association return.
	Reason    LostReason
	CauseCode uint16
	Err       error
}

// Type returns NotifyAssocChange.
func (*AssocChange) Type() NotificationType { return NotifyAssocChange }

// String describes the change.
func (n *AssocChange) String() string {
	switch n.State {
	case AssocCommUp, AssocRestart:
		return fmt.Sprintf("assoc %d %s: peer %s port %d, streams out %d in %d",
			n.AssocID, n.State, n.Peer.String(), n.PeerPort, n.OutboundStreams, n.InboundStreams)
	case AssocCommLost:
		return fmt.Sprintf("assoc %d %s: %s", n.AssocID, n.State, n.Reason)
	}
	return fmt.Sprintf("assoc %d %s", n.AssocID, n.State)
}

// PeerAddrChange reports that a path of an association changed state.
type PeerAddrChange struct {
	NotificationHeader
	Addr    net.IPAddr
	UDPPort int
	State   PathState
}

// Type returns NotifyPeerAddrChange.
func (*PeerAddrChange) Type() NotificationType { return NotifyPeerAddrChange }

// String describes the change.
func (n *PeerAddrChange) String() string {
	return fmt.Sprintf("assoc %d path %s %s", n.AssocID, n.Addr.String(), n.State)
}

// SendFailed reports a message that could not be delivered.
type SendFailed struct {
	NotificationHeader
	// Info is the message's send info (Context included).
	Info SndInfo
	// Sent is true when some of it was sent (and may have been delivered).
	Sent bool
	// Abandoned is true when its PR-SCTP policy ([SndInfo.PRPolicy]) gave
	// it up on a live association (userland transports; the kernel
	// transport reports false).
	Abandoned bool
	// Data is the message, truncated to its first 64 KiB (DataLen is its
	// length).
	Data    []byte
	DataLen int
}

// Type returns NotifySendFailed.
func (*SendFailed) Type() NotificationType { return NotifySendFailed }

// String describes the failure.
func (n *SendFailed) String() string {
	return fmt.Sprintf("assoc %d send failed: stream %d, %d bytes, context %d",
		n.AssocID, n.Info.Stream, n.DataLen, n.Info.Context)
}

// RemoteError reports an ERROR chunk from the peer.
type RemoteError struct {
	NotificationHeader
	CauseCode uint16
	Data      []byte // the cause value (possibly truncated)
}

// Type returns NotifyRemoteError.
func (*RemoteError) Type() NotificationType { return NotifyRemoteError }

// String describes the error.
func (n *RemoteError) String() string {
	return fmt.Sprintf("assoc %d remote error: cause %d", n.AssocID, n.CauseCode)
}

// ShutdownEvent reports that the peer sent SHUTDOWN: it sends no more
// data.
type ShutdownEvent struct {
	NotificationHeader
}

// Type returns NotifyShutdown.
func (*ShutdownEvent) Type() NotificationType { return NotifyShutdown }

// String describes the event.
func (n *ShutdownEvent) String() string { return fmt.Sprintf("assoc %d peer shutdown", n.AssocID) }

// SenderDry reports that everything sent on the association was
// acknowledged.
type SenderDry struct {
	NotificationHeader
}

// Type returns NotifySenderDry.
func (*SenderDry) Type() NotificationType { return NotifySenderDry }

// String describes the event.
func (n *SenderDry) String() string { return fmt.Sprintf("assoc %d sender dry", n.AssocID) }

// rawNotif is a csctp_notification flattened by the cgo layer.
type rawNotif struct {
	typ, assocID, dataLen, dropped uint32
	errCode                        int32
	outStreams, inStreams          uint16
	peerPort                       uint16
	addr                           rawAddr // up.peer or paddr.addr
	reason                         uint32
	causeCode                      uint16
	state                          uint32
	snd                            SndInfo
	wasSent                        uint32
	abandoned                      uint32
	flags                          uint16 // stream reset / change (reconf.go)
	localTSN, remoteTSN            uint32
}

// toNotification converts a raw notification and its data.
func (r *rawNotif) toNotification(data []byte) Notification {
	h := NotificationHeader{AssocID: AssocID(r.assocID), Dropped: int(r.dropped)}
	switch r.typ {
	case cEvAssocUp, cEvAssocRestart:
		st := AssocCommUp
		if r.typ == cEvAssocRestart {
			st = AssocRestart
		}
		return &AssocChange{NotificationHeader: h, State: st,
			OutboundStreams: int(r.outStreams), InboundStreams: int(r.inStreams),
			PeerPort: int(r.peerPort), Peer: r.addr.ipAddr(), PeerUDPPort: int(r.addr.port)}
	case cEvAssocLost:
		n := &AssocChange{NotificationHeader: h, State: AssocCommLost,
			Reason: LostReason(r.reason), CauseCode: r.causeCode}
		n.Err = lostError(n.Reason, int(r.errCode), n.CauseCode)
		return n
	case cEvShutdownComplete:
		return &AssocChange{NotificationHeader: h, State: AssocShutdownComplete}
	case cEvShutdownReceived:
		return &ShutdownEvent{NotificationHeader: h}
	case cEvSendFailed:
		return &SendFailed{NotificationHeader: h, Info: r.snd, Sent: r.wasSent != 0,
			Abandoned: r.abandoned != 0, Data: data, DataLen: int(r.dataLen)}
	case cEvPeerAddrChange:
		return &PeerAddrChange{NotificationHeader: h, Addr: r.addr.ipAddr(),
			UDPPort: int(r.addr.port), State: PathState(r.state)}
	case cEvRemoteError:
		return &RemoteError{NotificationHeader: h, CauseCode: r.causeCode, Data: data}
	case cEvSenderDry:
		return &SenderDry{NotificationHeader: h}
	}
	if n := r.pdapiNotification(h); n != nil {
		return n
	}
	return r.reconfNotification(h, data)
}

// lostError builds the error for an association lost for reason.
func lostError(reason LostReason, code int, cause uint16) error {
	switch reason {
	case LostPeerAbort:
		return &AbortError{CauseCode: cause}
	case LostUserAbort:
		return &AbortError{Local: true}
	case 0:
		if code != 0 {
			return codeError(code)
		}
	}
	return &AssocLostError{Reason: reason}
}
