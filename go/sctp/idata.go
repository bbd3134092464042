package sctp

import (
	"errors"
	"fmt"
	"strconv"
)

// User message interleaving (RFC 8260 2, the I-DATA chunk) and stream
// schedulers (RFC 8260 3).
//
// With interleaving, a large message on one stream no longer holds back
// the messages of the others: the sender may move to another stream
// between two fragments of a message, as its stream scheduler decides
// (choose one with a fair policy, e.g. [SchedRoundRobin]; first come, first
// served sends messages in order). Interleaving is off by default (RFC
// 8260 2.2.1 has the application ask for it) and is used when both ends
// announce it ([Options.Interleaving]).
//
// Reads: on the userland transports Read on a one-to-one conn returns one
// message, or consecutive parts of one message, with or without
// interleaving (a message interleaved on the wire is handed to the reader
// in parts only once it is next in line and large, and then to its end
// before any other), unless [Options.InterleavedReads] opts into RFC 6458
// fragment interleave level 2: parts of messages of different streams may
// then come in turn, in round robin over the messages in progress, and
// several large messages are received in parts at once. The kernel
// transport needs Linux's net.sctp.intl_enable = 1 and sets the fragment
// interleave level 2 that Linux requires (RFC 8260 4.3.1): Linux may then
// return parts of messages of different streams in turn, whatever
// InterleavedReads says. ReadFromSCTP reports the stream of each read and
// whether it completed its message ([RcvInfo]) either way.

var errInvalidScheduler = errors.New("sctp: unknown stream scheduler")

// StreamScheduler names a stream scheduler (RFC 8260 3, 4.3.2).
type StreamScheduler int

// Stream schedulers.
const (
	// SchedFCFS sends messages in the order they were written (RFC 8260
	// 3.1); the default.
	SchedFCFS StreamScheduler = iota
	// SchedRoundRobin takes the streams with data in turn, a message each
	// (a fragment each with interleaving) (RFC 8260 3.2).
	SchedRoundRobin
	// SchedRoundRobinPacket takes turns per packet: each packet carries one
	// stream's data (RFC 8260 3.3).
	SchedRoundRobinPacket
	// SchedPriority sends the streams with the lowest value first (RFC 8260
	// 3.4; 0, the default value, is the highest priority).
	SchedPriority
	// SchedFairBandwidth gives each stream with data the same capacity
	// (RFC 8260 3.5).
	SchedFairBandwidth
	// SchedWFQ gives each stream capacity in proportion to its value, its
	// weight (RFC 8260 3.6; 0 counts as 1).
	SchedWFQ
)

// String returns the scheduler's RFC 8260 name.
func (s StreamScheduler) String() string {
	switch s {
	case SchedFCFS:
		return "SCTP_SS_FCFS"
	case SchedRoundRobin:
		return "SCTP_SS_RR"
	case SchedRoundRobinPacket:
		return "SCTP_SS_RR_PKT"
	case SchedPriority:
		return "SCTP_SS_PRIO"
	case SchedFairBandwidth:
		return "SCTP_SS_FB"
	case SchedWFQ:
		return "SCTP_SS_WFQ"
	}
	return "StreamScheduler(" + strconv.Itoa(int(s)) + ")"
}

// Interleaving reports whether the association uses I-DATA (both ends
// announced it, RFC 8260 2.2.1); assoc is ignored on a one-to-one conn.
// Before an association exists it reports whether it will be announced.
func (c *SCTPConn) Interleaving(assoc AssocID) (bool, error) {
	var on bool
	err := c.ctrl("get", func(k *cSock) int {
		v, r := k.getAssocValue(cOptInterleaving, assoc)
		on = v != 0
		return r
	})
	return on, err
}

// SetStreamScheduler chooses the association's stream scheduler (RFC 8260
// 4.3.2 SCTP_STREAM_SCHEDULER); it applies to what is sent from then on.
// assoc is ignored on a one-to-one conn; on a one-to-many conn, assoc 0
// sets the scheduler of associations set up afterwards.
func (c *SCTPConn) SetStreamScheduler(assoc AssocID, s StreamScheduler) error {
	if s < SchedFCFS || s > SchedWFQ {
		return c.opErr("set", errInvalidScheduler)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setAssocValue(cOptStreamScheduler, assoc, uint32(s)) })
}

// StreamScheduler returns the association's stream scheduler.
func (c *SCTPConn) StreamScheduler(assoc AssocID) (StreamScheduler, error) {
	var s StreamScheduler
	err := c.ctrl("get", func(k *cSock) int {
		v, r := k.getAssocValue(cOptStreamScheduler, assoc)
		s = StreamScheduler(v)
		return r
	})
	return s, err
}

// SetStreamSchedulerValue sets an outbound stream's value (RFC 8260 4.3.3
// SCTP_STREAM_SCHEDULER_VALUE): its priority under [SchedPriority] (0 is
// the highest), its weight under [SchedWFQ]. It needs an association.
func (c *SCTPConn) SetStreamSchedulerValue(assoc AssocID, stream, value uint16) error {
	return c.ctrl("set", func(k *cSock) int { return k.setStreamValue(assoc, stream, value) })
}

// StreamSchedulerValue returns an outbound stream's scheduler value.
func (c *SCTPConn) StreamSchedulerValue(assoc AssocID, stream uint16) (uint16, error) {
	var v uint16
	err := c.ctrl("get", func(k *cSock) int {
		var r int
		v, r = k.streamValue(assoc, stream)
		return r
	})
	return v, err
}

// SetIDataFSNFrom0 switches Linux 6.1's I-DATA fragment numbering on or
// off for the association (on a one-to-many conn, assoc 0: for the
// associations set up afterwards); C CSCTP_OPT_IDATA_FSN_FROM0. For Linux
// 6.1 peers only: Linux numbers the fragments after the first from 0
// where RFC 8260 2.1 has 1, 2, ..., and waits for that numbering back, so
// without it the conn's fragmented messages (larger than one packet) do
// not complete at a Linux 6.1 peer until Linux has sent one itself (the
// conn then learns the numbering). On, the conn uses Linux's numbering
// both ways from the next message on; with any other peer its messages of
// three or more fragments never complete. Off by default. Not on
// [TransportKernel] (Linux numbers its own).
func (c *SCTPConn) SetIDataFSNFrom0(assoc AssocID, on bool) error {
	v := uint32(0)
	if on {
		v = 1
	}
	return c.ctrl("set", func(k *cSock) int { return k.setAssocValue(cOptIDataFSNFrom0, assoc, v) })
}

// IDataFSNFrom0 reports whether the association uses Linux 6.1's I-DATA
// fragment numbering by choice ([SCTPConn.SetIDataFSNFrom0]).
func (c *SCTPConn) IDataFSNFrom0(assoc AssocID) (bool, error) {
	var on bool
	err := c.ctrl("get", func(k *cSock) int {
		v, r := k.getAssocValue(cOptIDataFSNFrom0, assoc)
		on = v != 0
		return r
	})
	return on, err
}

// applyILV applies the interleaving options of o to a socket before use.
func applyILV(k *cSock, o *Options) int {
	if o.InterleavedReads { // before Interleaving: RFC 8260 4.3.1
		if r := k.setInt(cOptFragmentInterleave, 2); r < 0 {
			return r
		}
	}
	if o.Interleaving {
		if r := k.setAssocValue(cOptInterleaving, 0, 1); r < 0 {
			return r
		}
	}
	if o.StreamScheduler != SchedFCFS {
		if r := k.setAssocValue(cOptStreamScheduler, 0, uint32(o.StreamScheduler)); r < 0 {
			return r
		}
	}
	return 0
}

// NotifyPartialDelivery: a message being read in parts will not complete
// ([PartialDelivery]).
const NotifyPartialDelivery NotificationType = 30

// cEvPartialDelivery is CSCTP_EV_PARTIAL_DELIVERY (csctp.h).
const cEvPartialDelivery = 14

// PartialDelivery reports that the message being read in parts (a message
// larger than half the receive buffer is handed to Read before it is
// complete, RFC 6458 8.1.21) will not complete: the peer abandoned it
// (PR-SCTP; with I-DATA an I-FORWARD-TSN, RFC 8260 2.3.1). What was read of
// it stays read, without an end of record; the next Read begins another
// message. RFC 6458 6.1.7 SCTP_PARTIAL_DELIVERY_EVENT with
// SCTP_PARTIAL_DELIVERY_ABORTED, the only indication it defines.
type PartialDelivery struct {
	NotificationHeader
	// Aborted is true: the message was abandoned.
	Aborted bool
	// Stream is the message's stream; Unordered whether it was unordered
	// (the kernel backend does not say: false).
	Stream    uint16
	Unordered bool
	// Seq is the message's SSN, or with I-DATA its Message Identifier.
	Seq uint32
}

// Type returns NotifyPartialDelivery.
func (*PartialDelivery) Type() NotificationType { return NotifyPartialDelivery }

// String describes the event.
func (n *PartialDelivery) String() string {
	return fmt.Sprintf("assoc %d partial delivery aborted: stream %d seq %d unordered %v",
		n.AssocID, n.Stream, n.Seq, n.Unordered)
}

// pdapiNotification converts a partial delivery notification, or returns
// nil (its indication is in state, the stream in outStreams, the flags in
// flags and the sequence number in localTSN; cstack.go).
func (r *rawNotif) pdapiNotification(h NotificationHeader) Notification {
	if r.typ != cEvPartialDelivery {
		return nil
	}
	return &PartialDelivery{NotificationHeader: h, Aborted: r.state == 0,
		Stream: r.outStreams, Unordered: r.flags&cRcvUnordered != 0, Seq: r.localTSN}
}
