package sctp

import (
	"net"
	"net/netip"
)

// Read batching. A conn on a userland stack reads small messages in runs:
// the C call that reads a message into the caller's buffer, when that
// message is whole and at most rxSmall bytes, goes on reading the messages
// already waiting into the conn's ring (rxRing), and the next Reads take
// them from there without a cgo call, the stack's mutex or a wait. A
// message larger than rxSmall is always read straight into the caller's
// buffer (no copy). What Read returns does not change: one message per
// Read, or the first part of it when the buffer is short (the rest on the
// next Reads), in the order the C socket gives them; a notification in the
// ring is queued for ReadNotification when Read reaches it, as before.

const (
	rxSmall    = 2048     // largest message that starts or joins a run
	rxRingSize = 32 << 10 // ring bytes (a run stops with less than rxSmall left)
	rxRingMax  = 64       // ring entries
)

// rxMeta is one ring entry: the layout of the C go_rmeta (cstack.go).
type rxMeta struct {
	len, flags                 uint32 // bytes in the ring; cMsg* flags
	ppid, tsn, cumtsn, assocID uint32
	sid, ssn, rflags, udpPort  uint16
	fromLen                    uint32 // 0: no address
	from                       [28]byte
}

// rxRing holds the messages a batched read took from the C socket beyond
// the one it returned. Guarded by the conn's rmu.
type rxRing struct {
	buf  []byte   // rxRingSize bytes, made at the first small message
	meta []rxMeta // rxRingMax entries
	n, i int      // entries filled; the next one to hand out
	pos  int      // offset of entry i in buf
	done int      // bytes of entry i already handed out
}

// pending reports whether the ring holds a message (part) not yet read.
func (q *rxRing) pending() bool { return q.i < q.n }

// fill records the n entries a batched read put in the ring.
func (q *rxRing) fill(n int) { q.n, q.i, q.pos, q.done = n, 0, 0, 0 }

// advance moves past entry i.
func (q *rxRing) advance() {
	q.pos += int(q.meta[q.i].len)
	q.i++
	q.done = 0
	if q.i >= q.n {
		q.n, q.i, q.pos = 0, 0, 0
	}
}

// rcvInfo decodes entry m into info; eor: this read completes the message.
func (m *rxMeta) rcvInfo(info *RcvInfo, eor bool) {
	*info = RcvInfo{
		Stream:  m.sid,
		SSN:     m.ssn,
		PPID:    m.ppid,
		TSN:     m.tsn,
		CumTSN:  m.cumtsn,
		AssocID: AssocID(m.assocID),
		Flags:   RcvFlags(m.rflags) &^ RcvEndOfRecord,
		UDPPort: int(m.udpPort),
	}
	if eor {
		info.Flags |= RcvEndOfRecord
	}
}

// addrPort decodes entry m's peer address.
func (m *rxMeta) addrPort() (netip.AddrPort, bool) {
	if m.fromLen == 0 || int(m.fromLen) > len(m.from) {
		return netip.AddrPort{}, false
	}
	return sockaddrAddrPort(m.from[:m.fromLen])
}

// ringMeta makes the ring when a direct read returned a whole data message
// of at most rxSmall bytes (the first sign of small messages). rmu held.
func (c *SCTPConn) ringMeta(r, flags int) {
	if c.rx.buf == nil && !c.st.kernel && r <= rxSmall &&
		flags&(cMsgEOR|cMsgNotification) == cMsgEOR {
		c.rx.buf = make([]byte, rxRingSize)
		c.rx.meta = make([]rxMeta, rxRingMax)
	}
}

// readRing hands out the ring's next message (part) into c.rop.b, as
// readStep does for a message read from the C socket: notifications on
// the way are queued for ReadNotification; a message whose last ring
// entry is only a part continues straight from the C socket into the rest
// of the buffer, so that a Read returns as much of a message as it would
// without the ring. It reports whether it produced a result in c.rop
// (false: the ring is empty, read from the C socket). rmu held.
func (c *SCTPConn) readRing() bool {
	op := &c.rop
	q := &c.rx
	for q.pending() {
		if c.closed.Load() {
			op.err = net.ErrClosed
			return true
		}
		m := &q.meta[q.i]
		data := q.buf[q.pos+q.done : q.pos+int(m.len)]
		if m.flags&cMsgNotification != 0 {
			c.st.mu.Lock()
			if c.closedLocked() {
				c.st.unlock()
				op.err = net.ErrClosed
				return true
			}
			// The last entry of a run: the notification's rest, if
			// any, is next in the C socket.
			c.takeNotifLocked(data, int(m.flags))
			q.advance()
			c.st.unlock()
			c.signalNotif()
			continue
		}
		c.rxServed++
		k := copy(op.b, data)
		q.done += k
		op.n = k
		eor := false
		if q.done == int(m.len) {
			eor = m.flags&cMsgEOR != 0
			if !eor && k < len(op.b) {
				eor = c.readRest(k)
			}
		}
		if op.want {
			m.rcvInfo(&op.info, eor)
			op.from, op.hasFrom = m.addrPort()
		}
		if q.done == int(m.len) {
			q.advance()
		}
		return true
	}
	return false
}

// readRest continues a message whose ring part ended at op.b[:k] with a
// read from the C socket into the rest of op.b (the C socket returns the
// same message's next part, RFC 6458 partial delivery), without waiting.
// It adds what it read to op.n and reports whether that completed the
// message. rmu held.
func (c *SCTPConn) readRest(k int) bool {
	op := &c.rop
	c.st.mu.Lock()
	defer c.st.unlock()
	if c.closedLocked() {
		return false
	}
	r, flags := c.cs.recv(op.b[k:], nil)
	if r <= 0 {
		return false // nothing yet, or the end: the next Read says
	}
	op.n += r
	return flags&cMsgEOR != 0
}

// ringPendingUnlock reports whether the ring holds messages not yet read,
// and then unlocks rmu (ReadNotification must not pull notifications from
// the C socket past them). rmu held.
func (c *SCTPConn) ringPendingUnlock() bool {
	if !c.rx.pending() {
		return false
	}
	c.rmu.Unlock()
	return true
}
