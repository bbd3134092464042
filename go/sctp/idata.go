package sctp

import (
	"errors"
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
// once it is complete). The kernel transport needs Linux's
// net.sctp.intl_enable = 1 and sets the fragment interleave level 2 that
// Linux requires (RFC 8260 4.3.1): Linux may then return parts of messages
// of different streams in turn. ReadFromSCTP reports the stream of each
// read and whether it completed its message ([RcvInfo]) either way.

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

// applyILV applies the interleaving options of o to a socket before use.
func applyILV(k *cSock, o *Options) int {
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
