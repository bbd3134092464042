package sctp

import "net/netip"

// WriteBatch and ReadBatch: many messages per call, in the spirit of
// golang.org/x/net/ipv4's. WriteBatch copies runs of small messages into
// the conn's coalescing buffer and hands each run to the C stack in one
// cgo call (one lock of the stack, one C call per run instead of per
// message); ReadBatch hands out, after the first message, the ones the
// conn has already read ahead (rxbatch.go) without cgo or a wait.

// A Message is one SCTP message of [SCTPConn.WriteBatch] or
// [SCTPConn.ReadBatch].
type Message struct {
	// Buffer is the message to send (WriteBatch), or the buffer a
	// message, or its next part, is read into (ReadBatch).
	Buffer []byte
	// N is the number of bytes read into Buffer (ReadBatch).
	N int
	// SndInfo is the message's send information (WriteBatch); nil: the
	// conn's default (see [SCTPConn.SetDefaultSendInfo]). It is copied,
	// never kept.
	SndInfo *SndInfo
	// RcvInfo is the receive information of what was read (ReadBatch),
	// as ReadFromSCTPAddrPort fills it: RcvInfo.EndOfRecord reports
	// whether the read completed the message; RcvInfo.From is nil (the
	// peer's address is Addr).
	RcvInfo RcvInfo
	// Addr is the peer's address the message came from (ReadBatch).
	Addr netip.AddrPort
}

const (
	txSmall    = 2048     // largest message copied into the coalescing buffer
	txBufSize  = 64 << 10 // coalescing buffer
	txBatchMax = 64       // messages per C call
)

// txMeta is one message of a C send run: the layout of the C go_wmeta
// (cstack.go).
type txMeta struct {
	len, ppid, context, assocID, prValue uint32
	sid, flags, prPolicy, useInfo        uint16
}

// WriteBatch sends the messages of ms in order, each one SCTP message
// as [SCTPConn.WriteToSCTPAddrPort] sends it with the zero address and
// the message's SndInfo, and returns how many were sent. It waits for
// send space as Write does, so it returns fewer than len(ms) only with an
// error (the one the first unsent message met). On a one-to-many conn
// each message needs SndInfo.AssocID (an association that exists). An
// empty Buffer sends nothing (unless SndInfo.Flags has SendEOF), and
// counts as sent. Small messages go to the C stack in runs, one cgo call
// per run (WriteBatch copies them once, into the conn's buffer), larger
// ones straight from Buffer. WriteBatch allocates nothing in steady
// state.
func (c *SCTPConn) WriteBatch(ms []Message) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	sent := 0
	for sent < len(ms) {
		m := &ms[sent]
		if c.st.kernel || len(m.Buffer) > txSmall ||
			(len(m.Buffer) == 0 && (m.SndInfo == nil || m.SndInfo.Flags&SendEOF == 0)) {
			if _, err := c.writeTo(m.Buffer, netip.AddrPort{}, 0, m.SndInfo); err != nil {
				return sent, err
			}
			sent++
			continue
		}
		n, err := c.sendRun(ms[sent:])
		sent += n
		if err != nil {
			return sent, c.opErr("write", err)
		}
	}
	return sent, nil
}

// sendRun copies the leading small messages of ms (at least one) into
// the coalescing buffer and sends them in one C call per attempt, waiting
// for send space while none fits. It returns how many were sent.
func (c *SCTPConn) sendRun(ms []Message) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.wb == nil {
		c.wb = make([]byte, txBufSize)
		c.wmeta = make([]txMeta, txBatchMax)
	}
	off, k := 0, 0
	for k < len(ms) && k < txBatchMax {
		b := ms[k].Buffer
		info := ms[k].SndInfo
		if len(b) > txSmall || off+len(b) > len(c.wb) ||
			(len(b) == 0 && (info == nil || info.Flags&SendEOF == 0)) {
			break
		}
		copy(c.wb[off:], b)
		off += len(b)
		m := txMeta{len: uint32(len(b))}
		if info != nil {
			m = txMeta{len: uint32(len(b)), ppid: info.PPID, context: info.Context,
				assocID: uint32(info.AssocID), prValue: info.PRValue, sid: info.Stream,
				flags: uint16(info.Flags), prPolicy: uint16(info.PRPolicy), useInfo: 1}
		}
		c.wmeta[k] = m
		k++
	}
	op := &c.wop
	op.run, op.n, op.err = c.wmeta[:k], 0, nil
	err := c.waitWrite(c.runFn)
	n, rerr := op.n, op.err
	op.run, op.err = nil, nil
	if err != nil {
		return 0, c.fileErr(err)
	}
	return n, rerr
}

// runStep is the wait callback of sendRun: one attempt at sending the run
// c.wop.run; it is done once at least one message went (or on an error).
func (c *SCTPConn) runStep(uintptr) bool {
	op := &c.wop
	c.st.mu.Lock()
	if op.err = c.sendRefusedLocked(); op.err != nil {
		c.st.unlock()
		return true
	}
	n, r := c.cs.sendBatch(c.wb, op.run)
	stepped := false
	if n > 0 && !c.st.kernel {
		bytes := 0
		for _, m := range op.run[:n] {
			bytes += int(m.len)
		}
		stepped = c.st.noteSendLocked(bytes)
	}
	c.st.unlock()
	if stepped {
		writerYield()
	}
	op.n = n
	if r < 0 {
		if e := codeError(r); e != errAgain {
			op.err = e
			return true
		}
	}
	return n > 0 || r >= 0
}

// ReadBatch reads messages into the buffers of ms, as
// [SCTPConn.ReadFromSCTPAddrPort] reads each one (a message longer than
// its Buffer comes in parts, the rest in the next Buffers), and returns
// how many of ms it filled (N, RcvInfo, Addr). It waits for the first
// one, then adds those the conn has already read ahead from the stack,
// without waiting and without a cgo call (runs of messages of up to 2 KiB
// are read ahead). Errors are those of Read; an error after some
// messages is returned by the next call. ReadBatch allocates nothing.
func (c *SCTPConn) ReadBatch(ms []Message) (int, error) {
	if !c.ok() {
		return 0, invalid("read")
	}
	if len(ms) == 0 {
		return 0, nil
	}
	n, from, err := c.ReadFromSCTPAddrPort(ms[0].Buffer, &ms[0].RcvInfo)
	if err != nil || n == 0 {
		return 0, err
	}
	ms[0].N, ms[0].Addr = n, from
	got := 1
	if !c.rmu.TryLock() {
		// Another reader (or ReadNotification) has the read side:
		// the first message is the batch.
		return got, nil
	}
	op := &c.rop
	for got < len(ms) && c.rx.pending() && len(ms[got].Buffer) > 0 {
		m := &ms[got]
		op.b, op.want, op.n, op.err, op.hasFrom = m.Buffer, true, 0, nil, false
		op.from = netip.AddrPort{}
		if !c.readRing() || op.err != nil {
			break // emptied by notifications, or closed: the next call says
		}
		m.N, m.RcvInfo, m.Addr = op.n, op.info, op.from
		got++
	}
	op.b, op.err = nil, nil
	c.rmu.Unlock()
	c.signalNotif()
	return got, nil
}
