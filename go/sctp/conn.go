package sctp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// SCTPConn is an SCTP socket. A one-to-one conn (from [Dial], [DialSCTP],
// [Dialer], [SCTPListener.Accept] or [SCTPConn.PeelOff]) carries one
// association and implements [net.Conn]; a one-to-many conn (from
// [ListenSCTP] or [ListenPacket]) carries many and implements
// [net.PacketConn]. Each Write is one SCTP message; each Read returns one
// message or the next part of it.
//
// An SCTPConn is safe for concurrent use by multiple goroutines. Close it
// when done: Close waits for the graceful shutdown, so that written data
// is not lost when the program exits (see [SCTPConn.Close]). A conn (or
// listener) that becomes unreachable without Close is released by the
// garbage collector, as package net closes dropped conns: its C socket,
// fds and stack reference are freed and its associations shut down in the
// background, without that wait.
type SCTPConn struct {
	st    *stack
	style int    // cSockStream or cSockSeqpacket
	net   string // "sctp", "sctp4", "sctp6"

	cs      *cSock // guarded by st.mu; nil once closed
	closing bool   // guarded by st.mu
	closed  atomic.Bool

	// What the read and write sides wait on (wait.go): on a userland
	// stack, readyWaits the stack signals from its ready list (wh is the
	// conn's key there); on a kernel stack, two dups of the kernel socket
	// in the netpoller, which is level-triggered: the read side waits for
	// it to be readable, the write side for it to be writable (waitWrite,
	// setWriteWait).
	rf, wf waitFile
	wh     uintptr

	// The notifications Read met, for ReadNotification. Bounded in count
	// (maxNotifQueue) and data bytes (maxNotifBytes); when full the oldest
	// go, counted in notifLost until the next one handed out carries the
	// count in its Dropped field. Guarded by st.mu.
	notifq     []Notification
	notifBytes int    // data bytes held by notifq
	notifLost  int    // dropped since the last one handed out
	notifTotal uint64 // every notification known dropped (Go and C queues)
	nscratch   []byte // guarded by st.mu: inline notification assembly

	// The read side of the C socket (csctp_recvv, next_notification) has
	// one readiness signal, re-armed by any call that returns -EAGAIN. Two
	// goroutines draining it while one of them waits would lose wake-ups,
	// so only the holder of rmu calls the read side and waits on it: Read
	// holds it for its whole call; ReadNotification holds it only while no
	// Read wants it (readWant), and otherwise waits for Read to pass the
	// notifications it meets on (notifSig).
	rmu      sync.Mutex
	readWant atomic.Int32
	notifSig chan struct{} // capacity 1: "the queue or rmu changed"
	closedCh chan struct{} // closed by Close

	nmu  sync.Mutex // serializes ReadNotification; guards nbuf
	nf   atomic.Pointer[waitBox]
	nbuf []byte

	rop readOp // guarded by rmu
	rx  rxRing // guarded by rmu: messages read ahead (rxbatch.go)
	// rxServed counts the Reads served from rx (for tests). Guarded by rmu.
	rxServed uint64
	readFn   func(uintptr) bool

	// wmu serializes writers: the write side has one readiness signal, which only
	// one waiter may drain.
	wmu     sync.Mutex
	wop     writeOp // guarded by wmu
	writeFn func(uintptr) bool
	runFn   func(uintptr) bool // runStep (batch.go)
	wb      []byte             // guarded by wmu: WriteBatch's coalescing buffer
	wmeta   []txMeta           // guarded by wmu: its messages
	optUDP  int                // Options.RemoteUDPPort at creation; guarded by st.mu
	curUDP  int                // the C socket's remote UDP port now; guarded by st.mu

	laddr, raddr atomic.Pointer[SCTPAddr]
	closeOnce    sync.Once

	linger    atomic.Int32 // SetLinger's sec + 1; 0: never set (the default)
	wdeadline atomic.Int64 // write deadline, Unix ns; 0: none

	cleanup runtime.Cleanup // releaseConn, if c is dropped without Close
}

// connRes is what a conn holds outside the Go heap: released by
// releaseConn when the conn becomes unreachable without Close.
type connRes struct {
	st     *stack
	cs     *cSock
	rf, wf waitFile
	wh     uintptr
}

// releaseConn frees the resources of a conn dropped without Close, as
// package net's finalizers close the fds of dropped conns: the waiters,
// the C socket (its associations shut down gracefully inside the stack,
// without the wait Close does: nothing may block here) and the conn's
// reference on the stack (the last one ends the stack and its driver).
func releaseConn(r connRes) {
	r.rf.Close()
	r.wf.Close()
	r.st.mu.Lock()
	r.st.dropWaiters(r.wh)
	if !r.cs.isClosed() {
		r.cs.close()
	}
	r.st.unlock()
	r.st.release()
}

var (
	_ net.Conn       = (*SCTPConn)(nil)
	_ net.PacketConn = (*SCTPConn)(nil)
)

// readOp is the Read in progress: its arguments and results, kept in the
// conn (guarded by rmu) so that a read allocates nothing; readFn, bound
// once, is its RawConn callback.
type readOp struct {
	b       []byte
	want    bool // decode the rcvinfo and the peer address
	n       int
	err     error
	info    RcvInfo
	from    netip.AddrPort
	hasFrom bool
}

// writeOp is the write in progress (guarded by wmu), as readOp.
type writeOp struct {
	b       []byte
	to      []byte // sa[:n] or nil
	info    SndInfo
	hasInfo bool
	extra   uint16
	udpPort int // remote UDP port for an implicit setup; 0: the option's
	n       int
	err     error
	sa      [sizeofSockaddrInet6]byte
	run     []txMeta // WriteBatch's run in progress (batch.go)
}

const (
	maxNotifQueue = 1024
	maxNotifBytes = 4 << 20  // data bytes the notification queue holds
	notifDataMax  = 64 << 10 // data bytes kept per notification

	// DefaultLinger is the longest Close waits for the graceful shutdown
	// of the conn's associations when SetLinger was not called or was
	// given a negative value.
	DefaultLinger = 30 * time.Second
	lingerPoll    = 5 * time.Millisecond // check interval of Close's wait
)

// newConn wraps a C socket. The caller has taken a stack reference for the
// conn; on failure newConn closes cs and drops that reference. On a kernel
// stack csctp_sock_fd and csctp_sock_wfd are both the kernel socket: rf and
// wf are two dups of it, one per side, so that a reader and a writer wait
// (and time out) independently.
func newConn(st *stack, cs *cSock, style int, network string) (*SCTPConn, error) {
	c := &SCTPConn{st: st, cs: cs, style: style, net: network,
		notifSig: make(chan struct{}, 1), closedCh: make(chan struct{})}
	c.readFn = c.readStep
	c.writeFn = c.sendStep
	c.runFn = c.runStep
	var err error
	if st.kernel {
		st.mu.Lock()
		rfd, wfd := cs.fd(), cs.wfd()
		st.unlock()
		var rw, ww *fdWait
		if rw, err = newFDWait(rfd, "sctp-read"); err == nil {
			if ww, err = newFDWait(wfd, "sctp-write"); err != nil {
				rw.Close()
			}
		}
		if err == nil {
			c.rf, c.wf = rw, ww
		}
	} else {
		st.mu.Lock()
		sw := st.addWaiters(cs)
		st.unlock()
		c.rf, c.wf, c.wh = sw.r, sw.w, sw.key
	}
	if err != nil {
		st.mu.Lock()
		cs.setLinger(true, 0)
		cs.close()
		st.unlock()
		st.release()
		return nil, err
	}
	c.cleanup = runtime.AddCleanup(c, releaseConn, connRes{st: st, cs: cs, rf: c.rf, wf: c.wf, wh: c.wh})
	return c, nil
}

// fillAddrs caches the local and peer addresses.
func (c *SCTPConn) fillAddrs() {
	c.st.mu.Lock()
	if c.cs == nil {
		c.st.unlock()
		return
	}
	udp := c.st.key.transport == cTransportUDP
	var la, ra *SCTPAddr
	if l, r := c.cs.laddrs(); r >= 0 {
		la = sockaddrsToSCTPAddr(l)
	}
	if c.style == cSockStream {
		if l, r := c.cs.paddrs(0); r >= 0 {
			ra = sockaddrsToSCTPAddr(l)
		}
		if ra != nil && udp {
			if st, r := c.cs.status(0); r >= 0 {
				ra.UDPPort = st.PrimaryUDPPort
			}
		}
	}
	c.st.unlock()
	if la != nil {
		if udp {
			la.UDPPort = c.st.port
		}
		if ra != nil && la.isWildcard() {
			la.IPAddrs = routeSources(ra, la.IPAddrs)
		}
		c.laddr.Store(la)
	}
	if ra != nil {
		c.raddr.Store(ra)
	}
}

// routeSources returns, for a socket bound to the wildcard address, the
// concrete local addresses its association uses: the source address the
// host's routing picks towards each of the peer's addresses (found by
// connecting a UDP socket, which sends nothing), without duplicates. It
// returns wild unchanged when no route is known.
func routeSources(peer *SCTPAddr, wild []net.IPAddr) []net.IPAddr {
	var out []net.IPAddr
	for _, ip := range peer.IPAddrs {
		u, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: ip.IP, Zone: ip.Zone, Port: 9})
		if err != nil {
			continue
		}
		src := u.LocalAddr().(*net.UDPAddr)
		u.Close()
		sip := src.IP
		if v4 := sip.To4(); v4 != nil {
			sip = v4
		}
		if !slices.ContainsFunc(out, func(a net.IPAddr) bool { return a.IP.Equal(sip) }) {
			out = append(out, net.IPAddr{IP: sip, Zone: src.Zone})
		}
	}
	if len(out) == 0 {
		return wild
	}
	return out
}

func (c *SCTPConn) localAddr() net.Addr {
	if a := c.laddr.Load(); a != nil {
		return a
	}
	return nil
}

func (c *SCTPConn) remoteAddr() net.Addr {
	if a := c.raddr.Load(); a != nil {
		return a
	}
	return nil
}

// LocalAddr returns the local address (*SCTPAddr): the bound addresses,
// the SCTP port and, over UDP encapsulation, the local UDP port
// ([SCTPAddr.UDPPort]). A one-to-one conn bound to every address (a dialed
// or accepted conn without Dialer.LocalAddr) reports the concrete
// addresses its association uses: the source address towards each of the
// peer's addresses. A listener or a one-to-many conn bound to every
// address reports the wildcard address.
func (c *SCTPConn) LocalAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	return c.localAddr()
}

// RemoteAddr returns the peer's addresses and SCTP port (*SCTPAddr) of a
// one-to-one conn, nil for a one-to-many conn.
func (c *SCTPConn) RemoteAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	return c.remoteAddr()
}

// UDPPort returns the local UDP encapsulation port of the conn's stack (0
// for the raw IP and kernel transports): the port peers must use as their
// remote UDP port ([Options.RemoteUDPPort]).
func (c *SCTPConn) UDPPort() int {
	if !c.ok() {
		return 0
	}
	return c.st.port
}

// Transport returns the transport that carries the conn: TransportUDP,
// TransportRaw or TransportKernel (what TransportAuto chose).
func (c *SCTPConn) Transport() Transport {
	if !c.ok() {
		return TransportAuto
	}
	return c.st.key.transportName()
}

// waitWrite runs f like RawConn.Read/Write do, waiting for the write side
// between calls: the write side signalled by the stack (userland), or the
// kernel socket becoming writable.
func (c *SCTPConn) waitWrite(f func(uintptr) bool) error {
	if c.st.kernel {
		return c.wf.WaitWrite(f)
	}
	return c.wf.Wait(f)
}

// setWriteWait sets the deadline of the write side's waits.
func (c *SCTPConn) setWriteWait(t time.Time) error {
	if c.st.kernel {
		return c.wf.SetWriteDeadline(t)
	}
	return c.wf.SetReadDeadline(t)
}

// ok reports whether c is a conn made by this package (not nil or a zero
// value), as net's conns check.
func (c *SCTPConn) ok() bool { return c != nil && c.st != nil }

// invalid is the error of a method called on a nil or zero SCTPConn.
func invalid(op string) error {
	return &net.OpError{Op: op, Net: "sctp", Err: syscall.EINVAL}
}

func (c *SCTPConn) opErr(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return &net.OpError{Op: op, Net: c.net, Source: c.localAddr(), Addr: c.remoteAddr(), Err: err}
}

// closedLocked reports whether the conn is closed. st.mu is held.
func (c *SCTPConn) closedLocked() bool { return c.cs == nil || c.closing }

// ---- reading ---------------------------------------------------------------

// Read reads the next message, or the next part of a message longer than
// b, into b. On a one-to-one conn it returns io.EOF once the association
// has shut down and every message was read, or an error whose Err is an
// [*AbortError] (errors.Is(err, syscall.ECONNRESET)) or [*AssocLostError]
// if it ended abnormally. Notifications are never returned by Read. Use
// [SCTPConn.ReadFromSCTP] to learn where a message ends and on which
// stream it came. With [Options.InterleavedReads] the next Read after a
// part may return a part of another stream's message: use ReadFromSCTP
// then. Read allocates nothing.
func (c *SCTPConn) Read(b []byte) (int, error) {
	if !c.ok() {
		return 0, invalid("read")
	}
	n, err := c.recvMsg(b, false)
	if err != nil {
		return n, c.opErr("read", err)
	}
	return n, nil
}

// ReadFrom reads the next message (or part) like Read and returns the
// peer's address (*SCTPAddr) it came from. It implements net.PacketConn.
func (c *SCTPConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, info, err := c.ReadFromSCTP(b)
	if err != nil || info == nil || info.From == nil {
		return n, nil, err
	}
	return n, info.From, nil
}

// ReadFromSCTP reads the next message, or the next part of it, into b and
// returns its receive information: stream, SSN, PPID (host byte order),
// TSN, association, flags and the peer address. info.EndOfRecord() reports
// whether this read completed the message; if not, the next reads return
// the rest of it before any other message, unless [Options.InterleavedReads]
// is set (then info.Stream and info.AssocID tell which message a part
// continues). [SCTPConn.ReadFromSCTPAddrPort]
// does the same without allocating.
func (c *SCTPConn) ReadFromSCTP(b []byte) (n int, info *RcvInfo, err error) {
	if !c.ok() {
		return 0, nil, invalid("read")
	}
	info = new(RcvInfo)
	n, from, err := c.ReadFromSCTPAddrPort(b, info)
	if err != nil || n == 0 {
		return n, nil, err
	}
	if from.IsValid() {
		info.From = addrPortSCTP(from, info.UDPPort)
	}
	return n, info, nil
}

// ReadFromSCTPAddrPort is ReadFromSCTP without allocations: it fills the
// caller's *info (which may be nil; info.From is set to nil) and returns
// the peer's address (the path the message came on, with the peer's SCTP
// port) as a netip.AddrPort. An IPv4 peer is a 4-byte address.
func (c *SCTPConn) ReadFromSCTPAddrPort(b []byte, info *RcvInfo) (n int, from netip.AddrPort, err error) {
	if !c.ok() {
		return 0, from, invalid("read")
	}
	n, err = c.recvMsg(b, true)
	if err != nil {
		return n, from, c.opErr("read", err)
	}
	if n == 0 {
		return 0, from, nil
	}
	if info != nil {
		*info = c.rop.info
	}
	from = c.rop.from
	c.rmu.Unlock()
	c.signalNotif()
	return n, from, nil
}

// recvMsg waits for and reads one message (part). With want the results
// stay in c.rop and rmu stays locked when it returns n > 0 without error
// (the caller copies them out and unlocks).
func (c *SCTPConn) recvMsg(b []byte, want bool) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if !c.rmu.TryLock() {
		// Held: maybe by a ReadNotification, which lets go.
		c.readWant.Add(1)
		c.kickNotif()
		c.rmu.Lock()
		c.readWant.Add(-1)
	}
	op := &c.rop
	op.b, op.want, op.n, op.err, op.hasFrom = b, want, 0, nil, false
	op.from = netip.AddrPort{}
	var err error
	if w, ok := c.rf.(*readyWait); ok {
		// The first attempt (often a message read ahead: rxbatch.go)
		// without the waiter's lock; rmu gives this Read the side.
		var done bool
		if done, err = w.try(c.readFn); !done {
			err = w.waitMore(c.readFn)
		}
	} else {
		err = c.rf.Wait(c.readFn)
	}
	n, rerr := op.n, op.err
	op.b, op.err = nil, nil
	if err != nil {
		n, rerr = 0, c.fileErr(err)
	}
	if want && rerr == nil && n > 0 {
		return n, nil // rmu stays held for the caller
	}
	c.rmu.Unlock()
	c.signalNotif()
	return n, rerr
}

// readStep is the RawConn callback of recvMsg: one receive attempt, from
// the messages read ahead if there are any (rxbatch.go), else from the C
// socket (after the notifications it meets), results in c.rop.
func (c *SCTPConn) readStep(uintptr) bool {
	if c.readRing() {
		return true // read ahead (rxbatch.go); the deadline was checked
	}
	op := &c.rop
	var info *RcvInfo
	if op.want {
		info = &op.info
	}
	for {
		c.st.mu.Lock()
		if c.closedLocked() {
			c.st.unlock()
			op.err = net.ErrClosed
			return true
		}
		var r, flags int
		if c.rx.buf != nil {
			var nb int
			r, flags, nb = c.cs.recvBatch(op.b, info, c.rx.buf, c.rx.meta)
			c.rx.fill(nb)
		} else {
			r, flags = c.cs.recv(op.b, info)
			c.ringMeta(r, flags)
		}
		if r > 0 && flags&cMsgNotification != 0 {
			c.takeNotifLocked(op.b[:r], flags)
			c.st.unlock()
			c.signalNotif()
			continue
		}
		if r > 0 && op.want {
			op.from, op.hasFrom = c.cs.fromAddrPort()
		}
		c.st.unlock()
		switch {
		case r > 0:
			op.n = r
			return true
		case r == 0:
			// End of the association. csctp_recvv may report an
			// abnormal end only through the pending socket error.
			c.st.mu.Lock()
			e := 0
			if !c.closedLocked() {
				e = c.cs.sockError()
			}
			c.st.unlock()
			if e < 0 {
				op.err = codeError(e)
			} else {
				op.err = io.EOF
			}
			return true
		}
		if e := codeError(r); e != errAgain {
			op.err = e
			return true
		}
		return false
	}
}

// takeNotifLocked completes a notification whose first bytes recvv put in
// first, and queues it for ReadNotification. st.mu is held.
func (c *SCTPConn) takeNotifLocked(first []byte, flags int) {
	// Keep at most notifDataMax bytes of data (a SendFailed carries the
	// whole message); the rest is read into the tail and discarded.
	limit := notifSize() + notifDataMax
	buf := append(c.nscratch[:0], first[:min(len(first), limit)]...)
	for flags&cMsgEOR == 0 {
		if len(buf) >= limit {
			var junk [4096]byte
			r, f := c.cs.recv(junk[:], nil)
			if r <= 0 {
				break
			}
			flags = f
			continue
		}
		if cap(buf)-len(buf) < 256 {
			buf = slices.Grow(buf, 4096)
		}
		r, f := c.cs.recv(buf[len(buf):min(cap(buf), limit)], nil)
		if r <= 0 {
			break
		}
		buf = buf[:len(buf)+r]
		flags = f
	}
	c.nscratch = buf[:0]
	size := notifSize()
	if len(buf) < size {
		return
	}
	raw := parseNotif(buf)
	data := buf[size:]
	if int(raw.dataLen) < len(data) {
		data = data[:raw.dataLen]
	}
	var cp []byte
	if len(data) > 0 {
		cp = slices.Clone(data)
	}
	c.queueNotifLocked(raw.toNotification(cp), len(cp))
}

// queueNotifLocked appends n (with size data bytes) to the queue, dropping
// the oldest ones, counted, while it is full. st.mu is held.
func (c *SCTPConn) queueNotifLocked(n Notification, size int) {
	if n == nil {
		return
	}
	if h := notifHeader(n); h != nil {
		c.notifTotal += uint64(h.Dropped)
	}
	for len(c.notifq) > 0 &&
		(len(c.notifq) >= maxNotifQueue || c.notifBytes+size > maxNotifBytes) {
		c.notifBytes -= notifDataSize(c.notifq[0])
		c.notifq[0] = nil
		c.notifq = c.notifq[1:]
		c.notifLost++
	}
	c.notifq = append(c.notifq, n)
	c.notifBytes += size
}

// notifHeader returns the header of a notification of this package.
func notifHeader(n Notification) *NotificationHeader {
	if h, ok := n.(interface{ header() *NotificationHeader }); ok {
		return h.header()
	}
	return nil
}

// notifDataSize is the data a queued notification holds.
func notifDataSize(n Notification) int {
	switch n := n.(type) {
	case *SendFailed:
		return len(n.Data)
	case *RemoteError:
		return len(n.Data)
	}
	return 0
}

// DroppedNotifications returns how many notifications of the conn are known
// to have been dropped so far because a queue was full: the conn's own
// queue (of notifications a Read met, waiting for ReadNotification) and the
// C socket's (counted once a later notification reports them). Each
// notification's Dropped field tells how many were dropped just before it.
func (c *SCTPConn) DroppedNotifications() uint64 {
	if !c.ok() {
		return 0
	}
	c.st.mu.Lock()
	defer c.st.unlock()
	return c.notifTotal + uint64(c.notifLost)
}

// signalNotif wakes a ReadNotification waiting for Read.
func (c *SCTPConn) signalNotif() {
	select {
	case c.notifSig <- struct{}{}:
	default:
	}
}

// kickNotif wakes a ReadNotification waiting in the netpoller.
func (c *SCTPConn) kickNotif() {
	if nf := c.nf.Load(); nf != nil {
		nf.w.SetReadDeadline(aLongTimeAgo)
	}
}

// notifFile returns the file ReadNotification waits on (a second dup of
// the read side's signal, so that it waits independently of Read). c.nmu is
// held.
func (c *SCTPConn) notifFile() (waitFile, error) {
	if b := c.nf.Load(); b != nil {
		return b.w, nil
	}
	c.st.mu.Lock()
	if c.closedLocked() {
		c.st.unlock()
		return nil, net.ErrClosed
	}
	var w waitFile
	if c.st.kernel {
		fd := c.cs.fd()
		c.st.unlock()
		fw, err := newFDWait(fd, "sctp-notify")
		if err != nil {
			return nil, err
		}
		c.st.mu.Lock()
		if c.closedLocked() {
			c.st.unlock()
			fw.Close()
			return nil, net.ErrClosed
		}
		w = fw
	} else {
		w = c.st.notifWaiter(c.wh) // signalled with the read side
	}
	c.nf.Store(&waitBox{w})
	c.st.unlock()
	return w, nil
}

// ReadNotification waits for the next notification of a subscribed type
// (see [SCTPConn.Subscribe] and [Options.Notifications]) until ctx is done.
// Notifications keep their order relative to data: one that arrived after
// unread messages becomes available once those are read (a concurrent Read
// passes it on). The result is one of the types listed at [Notification].
func (c *SCTPConn) ReadNotification(ctx context.Context) (Notification, error) {
	if !c.ok() {
		return nil, invalid("read")
	}
	c.nmu.Lock()
	defer c.nmu.Unlock()
	nf, err := c.notifFile()
	if err != nil {
		return nil, c.opErr("read", err)
	}
	if c.nbuf == nil {
		c.nbuf = make([]byte, notifDataMax)
	}
	stop := context.AfterFunc(ctx, func() { nf.SetReadDeadline(aLongTimeAgo) })
	defer stop()
	for {
		if n, err := c.popNotif(); n != nil || err != nil {
			return n, err
		}
		if err := ctx.Err(); err != nil {
			return nil, c.opErr("read", ctxErr(err))
		}
		if c.readWant.Load() > 0 || !c.rmu.TryLock() || c.ringPendingUnlock() {
			// A Read owns the read side, or messages a Read took in
			// ahead wait for Reads (rxbatch.go): Read passes the
			// notifications after them on.
			select {
			case <-c.notifSig:
			case <-c.closedCh:
			case <-ctx.Done():
			}
			continue
		}
		n, again, err := c.pullNotif(ctx, nf)
		c.rmu.Unlock()
		if !again {
			return n, err
		}
	}
}

// popNotif takes the oldest queued notification.
func (c *SCTPConn) popNotif() (Notification, error) {
	c.st.mu.Lock()
	defer c.st.unlock()
	if c.closedLocked() {
		return nil, c.opErr("read", net.ErrClosed)
	}
	if len(c.notifq) == 0 {
		return nil, nil
	}
	n := c.notifq[0]
	c.notifq[0] = nil
	c.notifq = c.notifq[1:]
	c.notifBytes -= notifDataSize(n)
	if c.notifLost > 0 {
		if h := notifHeader(n); h != nil {
			h.Dropped += c.notifLost
		}
		c.notifTotal += uint64(c.notifLost)
		c.notifLost = 0
	}
	return n, nil
}

// pullNotif takes a notification from the C socket, waiting on nf until
// one is due, a Read wants the read side, or ctx is done (again is then
// true). c.rmu is held.
func (c *SCTPConn) pullNotif(ctx context.Context, nf waitFile) (n Notification, again bool, err error) {
	// Clear old kicks, then look at readWant: a Read that kicks after
	// this point wakes the wait below.
	if err := nf.SetReadDeadline(time.Time{}); err != nil {
		return nil, false, c.opErr("read", c.fileErr(err))
	}
	if c.readWant.Load() > 0 || ctx.Err() != nil {
		return nil, true, nil
	}
	var rerr error
	werr := nf.Wait(func(uintptr) bool {
		c.st.mu.Lock()
		defer c.st.unlock()
		if c.closedLocked() {
			rerr = net.ErrClosed
			return true
		}
		if len(c.notifq) > 0 {
			return true // popped by the caller's next round
		}
		for {
			raw, code := c.cs.nextNotif(c.nbuf)
			if code != 0 {
				if e := codeError(code); e != errAgain {
					rerr = e
					return true
				}
				return false
			}
			data := c.nbuf[:min(int(raw.dataLen), len(c.nbuf))]
			if got := raw.toNotification(slices.Clone(data)); got != nil {
				c.notifTotal += uint64(raw.dropped)
				n = got
				return true
			}
		}
	})
	switch {
	case werr == nil && rerr != nil:
		return nil, false, c.opErr("read", rerr)
	case werr == nil:
		return n, n == nil, nil
	case errors.Is(werr, os.ErrDeadlineExceeded):
		return nil, true, nil // a kick by Read, or ctx is done
	}
	return nil, false, c.opErr("read", c.fileErr(werr))
}

// Subscribe turns on the delivery of notifications of the given types.
// Subscribe with [Options.Notifications] to be sure to see the events of an
// association's setup.
func (c *SCTPConn) Subscribe(types ...NotificationType) error {
	return c.subscribe(true, types)
}

// Unsubscribe turns off the delivery of notifications of the given types.
func (c *SCTPConn) Unsubscribe(types ...NotificationType) error {
	return c.subscribe(false, types)
}

func (c *SCTPConn) subscribe(on bool, types []NotificationType) error {
	for _, t := range types {
		if t.cTypes() == nil {
			return c.opErr("subscribe", fmt.Errorf("sctp: unknown notification type %d", int(t)))
		}
	}
	return c.ctrl("subscribe", func(k *cSock) int {
		for _, t := range types {
			for _, ct := range t.cTypes() {
				if r := k.subscribe(ct, on); r < 0 {
					return r
				}
			}
		}
		return 0
	})
}

// ---- writing ---------------------------------------------------------------

// Write sends b as one message on a one-to-one conn, with the conn's
// default send information (stream 0, PPID 0, ordered, unless set with
// [SCTPConn.SetDefaultSendInfo] or [Options.DefaultSendInfo]). It waits
// while the send buffer is full. A message longer than the send buffer
// fails with [ErrMessageTooLarge]. An empty b sends nothing. On a
// one-to-many conn use WriteTo or WriteToSCTP. Write allocates nothing.
func (c *SCTPConn) Write(b []byte) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	if c.style == cSockSeqpacket {
		return 0, c.opErr("write", fmt.Errorf("%w: Write on a one-to-many conn needs an address (use WriteTo)", ErrNoAssociation))
	}
	n, err := c.send(b, netip.AddrPort{}, nil, 0, 0)
	if err != nil {
		return n, c.opErr("write", err)
	}
	return n, nil
}

// WriteTo sends b as one message to addr, which must be an *SCTPAddr. On a
// one-to-many conn, an association to addr is set up if there is none
// (implicit setup; the message is sent once it is established; the setup
// uses addr.UDPPort as the peer's UDP port when it is set). On a
// one-to-one conn addr selects the path and must be one of the peer's
// addresses.
//
// The first message of an implicit setup is accepted before the
// association exists. If it cannot be sent after all (the peer refuses,
// the setup times out, or its stream is beyond the peer's inbound stream
// count), it comes back as a [SendFailed] notification carrying its data,
// if the conn subscribed to [NotifySendFailed], and the next WriteTo or
// WriteToSCTP on the conn fails, without sending its own message, with an
// error whose Err is an [*EarlierSendError] (which wraps the cause, e.g.
// [ErrInvalidStream]). A message is thus either delivered or reported.
func (c *SCTPConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	a, ok := addr.(*SCTPAddr)
	if !ok || a == nil {
		return 0, &net.OpError{Op: "write", Net: c.net, Source: c.localAddr(), Addr: addr,
			Err: &net.AddrError{Err: "address is not an *SCTPAddr", Addr: fmt.Sprint(addr)}}
	}
	return c.WriteToSCTP(b, a, nil)
}

// WriteToSCTP sends b as one message with the send information info (nil:
// the conn's default send info, see [SCTPConn.SetDefaultSendInfo]). The
// PPID is in host byte order. addr may be nil on a one-to-one conn, and on
// a one-to-many conn when info.AssocID names the association; its first IP
// address is the one used. A stream id at or beyond the association's
// outbound stream count fails with [ErrInvalidStream]. With b empty and
// info.Flags containing SendEOF it only starts a graceful shutdown of the
// association. [SCTPConn.WriteToSCTPAddrPort] does the same without
// allocating.
func (c *SCTPConn) WriteToSCTP(b []byte, addr *SCTPAddr, info *SndInfo) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	var to netip.AddrPort
	udp := 0
	if addr != nil {
		fail := func(err error) (int, error) {
			e := c.opErr("write", err).(*net.OpError)
			e.Addr = addr
			return 0, e
		}
		if len(addr.IPAddrs) == 0 {
			return fail(&net.AddrError{Err: "no IP address", Addr: addr.String()})
		}
		if err := checkAddrFamily(c.net, addr); err != nil {
			return fail(err)
		}
		var ok bool
		if to, ok = ipAddrPort(addr.IPAddrs[0], addr.Port); !ok {
			return fail(&net.AddrError{Err: "invalid IP address", Addr: addr.String()})
		}
		udp = addr.UDPPort
	}
	n, err := c.writeTo(b, to, udp, info)
	if err != nil && addr != nil {
		err.(*net.OpError).Addr = addr
	}
	return n, err
}

// WriteToSCTPAddrPort is WriteToSCTP with the peer's address (IP and SCTP
// port) as a netip.AddrPort (the zero AddrPort: none) and without
// allocations: info is copied, never kept.
func (c *SCTPConn) WriteToSCTPAddrPort(b []byte, to netip.AddrPort, info *SndInfo) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	if to.IsValid() {
		if err := checkFamilyAddr(c.net, to.Addr()); err != nil {
			return 0, c.opErr("write", err)
		}
	}
	return c.writeTo(b, to, 0, info)
}

// writeTo checks the arguments of the WriteTo forms and sends.
func (c *SCTPConn) writeTo(b []byte, to netip.AddrPort, udp int, info *SndInfo) (int, error) {
	if !to.IsValid() && c.style == cSockSeqpacket && (info == nil || info.AssocID == 0) {
		return 0, c.opErr("write", fmt.Errorf("%w: one-to-many write needs an address or an association id", ErrNoAssociation))
	}
	if len(b) == 0 && (info == nil || info.Flags&SendEOF == 0) {
		return 0, nil
	}
	n, err := c.send(b, to, info, 0, udp)
	if err != nil {
		var earlier *EarlierSendError
		if errors.Is(err, ErrInvalidStream) && info != nil && !errors.As(err, &earlier) {
			err = fmt.Errorf("%w (stream %d)", err, info.Stream)
		}
		if errors.Is(err, ErrMessageTooLarge) {
			err = fmt.Errorf("%w (%d bytes)", err, len(b))
		}
		return n, c.opErr("write", err)
	}
	return n, nil
}

// send waits for send space and queues one message: b to to (the zero
// AddrPort: none) with info (nil: the socket's default) and the extra
// flags; udp, when not 0, is the peer's UDP port for an implicit setup.
// The arguments go through c.wop, so that nothing is allocated.
func (c *SCTPConn) send(b []byte, to netip.AddrPort, info *SndInfo, extra uint16, udp int) (int, error) {
	if len(b) == 0 && extra == 0 && (info == nil || info.Flags&SendEOF == 0) {
		return 0, nil
	}
	c.wmu.Lock()
	op := &c.wop
	op.b, op.to, op.extra, op.udpPort, op.n, op.err = b, nil, extra, udp, 0, nil
	op.hasInfo = info != nil
	if info != nil {
		op.info = *info
	}
	if to.IsValid() {
		n, err := putSockaddr(&op.sa, to)
		if err != nil {
			op.b = nil
			c.wmu.Unlock()
			return 0, err
		}
		op.to = op.sa[:n]
	}
	var err error
	if w, ok := c.wf.(*readyWait); ok && !c.st.kernel {
		// The first attempt without the waiter's lock: wmu gives this
		// Write the side.
		var done bool
		if done, err = w.try(c.writeFn); !done {
			err = w.waitMore(c.writeFn)
		}
	} else {
		err = c.waitWrite(c.writeFn)
	}
	n, rerr := op.n, op.err
	op.b, op.err = nil, nil
	c.wmu.Unlock()
	if err != nil {
		return 0, c.fileErr(err)
	}
	return n, rerr
}

// sendStep is the RawConn callback of send: one attempt, results in
// c.wop.
func (c *SCTPConn) sendStep(uintptr) bool {
	op := &c.wop
	c.st.mu.Lock()
	if op.err = c.sendRefusedLocked(); op.err != nil {
		c.st.unlock()
		return true
	}
	if c.style == cSockSeqpacket && op.to != nil && !c.st.kernel {
		c.pickRemoteUDPLocked(op.udpPort)
	}
	var info *SndInfo
	if op.hasInfo {
		info = &op.info
	}
	r := c.cs.send(op.b, op.to, info, op.extra)
	stepped := r >= 0 && !c.st.kernel && c.st.noteSendLocked(len(op.b))
	c.st.unlock()
	if stepped {
		writerYield()
	}
	if r >= 0 {
		op.n = len(op.b)
		return true
	}
	if e := codeError(r); e != errAgain {
		op.err = e
		return true
	}
	return false
}

// sendRefusedLocked says why a send cannot start: our own Close
// (net.ErrClosed) or, on a one-to-many conn, a failed implicit setup of an
// earlier first message. st.mu is held.
func (c *SCTPConn) sendRefusedLocked() error {
	if c.closedLocked() {
		return net.ErrClosed
	}
	if c.style == cSockSeqpacket {
		if e := c.cs.sockError(); e < 0 {
			return &EarlierSendError{Err: codeError(e)}
		}
	}
	return nil
}

// pickRemoteUDPLocked sets the socket's remote UDP encapsulation port, used
// by an implicit association setup, to udp (0: the conn's option) if it is
// not that already. st.mu is held.
func (c *SCTPConn) pickRemoteUDPLocked(udp int) {
	if udp == 0 {
		udp = c.optUDP
	}
	if udp != c.curUDP && c.cs.setRemoteUDPPort(udp) >= 0 {
		c.curUDP = udp
	}
}

// ---- closing ---------------------------------------------------------------

// Close closes the conn. Blocked Read, Write, Accept and ReadNotification
// calls return errors satisfying errors.Is(err, net.ErrClosed).
//
// The association (all of them, one-to-many) is shut down gracefully, and
// Close waits until that shutdown is complete: the peer has acknowledged
// every message written, and the SHUTDOWN exchange (RFC 9260 9.2) is over.
// A userland stack dies with its process, so this wait is what keeps the
// promise the kernel keeps for TCP: a program that writes, closes and exits
// loses nothing. Unread and newly arriving data is discarded meanwhile.
// Associations still being set up (implicit setup of a one-to-many conn)
// are first allowed to come up and send their first message. The wait is
// bounded by the linger time ([SCTPConn.SetLinger]; [DefaultLinger] unless
// set) and by the write deadline if one is set. If the bound passes first,
// the remaining associations are aborted and Close returns an error that
// satisfies errors.Is(err, os.ErrDeadlineExceeded) (a timeout): data may
// have been lost. After SetLinger(0) Close aborts at once, without waiting.
// On the kernel transport Close does not wait: the kernel, which outlives
// the process, finishes the shutdown.
func (c *SCTPConn) Close() error {
	return c.close("close", false, nil)
}

// SetLinger sets how Close treats data not yet delivered, as
// net.TCPConn.SetLinger does. With sec < 0 (the default) Close waits up to
// [DefaultLinger] for the graceful shutdown to complete. With sec == 0
// Close aborts the association(s) at once (ABORT is sent), discarding
// unsent and unacknowledged data. With sec > 0 Close waits up to sec
// seconds. See [SCTPConn.Close].
func (c *SCTPConn) SetLinger(sec int) error {
	if !c.ok() {
		return invalid("set")
	}
	if c.closed.Load() {
		return c.opErr("set", net.ErrClosed)
	}
	if sec < 0 {
		sec = -1
	}
	if sec > 1<<30 {
		sec = 1 << 30
	}
	c.linger.Store(int32(sec + 1))
	return nil
}

// lingerTime returns how long Close waits: 0 aborts.
func (c *SCTPConn) lingerTime() time.Duration {
	v := c.linger.Load()
	if v <= 0 {
		return DefaultLinger
	}
	return time.Duration(v-1) * time.Second
}

// lingerTimeoutError is Close's error when the graceful shutdown did not
// complete within the linger time or the write deadline.
type lingerTimeoutError struct{}

func (lingerTimeoutError) Error() string {
	return "sctp: shutdown not complete within the linger time or deadline; association aborted, data may be lost"
}
func (lingerTimeoutError) Timeout() bool   { return true }
func (lingerTimeoutError) Temporary() bool { return true }
func (lingerTimeoutError) Is(target error) bool {
	return target == os.ErrDeadlineExceeded
}

// lingerWait shuts the conn's associations down gracefully and waits until
// they have ended, at most d and until the write deadline. On timeout it
// sets the socket to abort at close and returns lingerTimeoutError. The
// conn is marked closing and its files are closed: nothing else uses c.cs.
func (c *SCTPConn) lingerWait(d time.Duration) error {
	deadline := time.Now().Add(d)
	if wd := c.wdeadline.Load(); wd != 0 {
		if t := time.Unix(0, wd); t.Before(deadline) {
			deadline = t
		}
	}
	var junk []byte
	for {
		c.st.mu.Lock()
		n, connecting := c.cs.openAssocs()
		if n > 0 && !time.Now().Before(deadline) {
			// The bound has passed (perhaps before the wait began: a
			// write deadline in the past): abort, without starting a
			// SHUTDOWN the peer could complete first.
			c.cs.setLinger(true, 0)
			c.st.unlock()
			return lingerTimeoutError{}
		}
		if n > 0 && connecting == 0 {
			// Again on every round: a one-to-many conn may have gained
			// associations from peers meanwhile.
			c.cs.shutdown(shutRDWR)
			if junk == nil {
				junk = make([]byte, 4096)
			}
			// With SHUT_RD, recv discards what arrived (so that the peer's
			// last data cannot stall the shutdown on a full window).
			for i := 0; i < 64; i++ {
				if r, _ := c.cs.recv(junk, nil); r <= 0 {
					break
				}
			}
		}
		c.st.unlock()
		if n <= 0 {
			return nil
		}
		time.Sleep(max(min(time.Until(deadline), lingerPoll), 0))
	}
}

// Abort aborts the association of a one-to-one conn at once (RFC 9260
// 9.1), sending ABORT with reason as the user-initiated abort cause, and
// closes the conn; unsent data is discarded. On a one-to-many conn it
// aborts every association and closes the conn.
func (c *SCTPConn) Abort(reason string) error {
	return c.close("abort", true, []byte(reason))
}

func (c *SCTPConn) close(op string, abort bool, reason []byte) error {
	if !c.ok() {
		return invalid(op)
	}
	first := false
	c.closeOnce.Do(func() { first = true })
	if !first {
		return c.opErr(op, net.ErrClosed)
	}
	c.cleanup.Stop()
	c.closed.Store(true)
	close(c.closedCh)
	linger := c.lingerTime()
	c.st.mu.Lock()
	c.closing = true
	if abort {
		if c.style == cSockStream && c.cs.assocID() != 0 {
			c.cs.send(reason, nil, nil, cSendAbort)
		}
	}
	if abort || linger == 0 {
		c.cs.setLinger(true, 0)
	}
	nf := c.nf.Load()
	c.st.dropWaiters(c.wh)
	c.st.unlock()

	// Closing the files wakes every waiter; once they return no callback
	// runs any more, and closing is set: nothing but this call touches c.cs
	// after this.
	c.rf.Close()
	c.wf.Close()
	if nf != nil {
		nf.w.Close()
	}

	var err error
	if !abort && linger != 0 && !c.st.kernel {
		err = c.lingerWait(linger)
	}

	c.st.mu.Lock()
	c.cs.close()
	c.cs = nil
	c.notifq, c.notifBytes = nil, 0
	c.st.unlock()
	c.st.release()
	if err != nil {
		return c.opErr(op, err)
	}
	return nil
}

// CloseWrite starts SCTP's graceful shutdown of the association (RFC 9260
// 9.2, SHUTDOWN): queued data is delivered, then the association closes.
// It is not TCP's half-close: SCTP has none, so once the peer has read the
// last message it reads io.EOF, and its writes fail too (an error matching
// syscall.EPIPE) instead of carrying on in the other direction; data the
// peer had already sent is still delivered, and this side reads until
// io.EOF. Writes after CloseWrite fail with a [*ShutdownError].
func (c *SCTPConn) CloseWrite() error {
	return c.ctrl("close", func(k *cSock) int { return k.shutdown(shutWR) })
}

// ---- deadlines -------------------------------------------------------------

// SetDeadline sets the read and write deadlines (see net.Conn).
func (c *SCTPConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for Read, ReadFrom and ReadFromSCTP
// (and Accept on a listener). After it, they fail with an error satisfying
// errors.Is(err, os.ErrDeadlineExceeded). ReadNotification uses its
// context instead.
func (c *SCTPConn) SetReadDeadline(t time.Time) error {
	if !c.ok() {
		return invalid("set")
	}
	if err := c.rf.SetReadDeadline(t); err != nil {
		return c.opErr("set", c.fileErr(err))
	}
	return nil
}

// SetWriteDeadline sets the deadline for writes waiting for send buffer
// space. It also bounds how long Close waits for the graceful shutdown.
func (c *SCTPConn) SetWriteDeadline(t time.Time) error {
	if !c.ok() {
		return invalid("set")
	}
	if err := c.setWriteWait(t); err != nil {
		return c.opErr("set", c.fileErr(err))
	}
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	c.wdeadline.Store(ns)
	return nil
}

// ---- options and status ----------------------------------------------------

// ctrl runs f on the C socket under the stack's mutex.
func (c *SCTPConn) ctrl(op string, f func(k *cSock) int) error {
	if !c.ok() {
		return invalid(op)
	}
	c.st.mu.Lock()
	if c.closedLocked() {
		c.st.unlock()
		return c.opErr(op, net.ErrClosed)
	}
	r := f(c.cs)
	c.st.unlock()
	if r < 0 {
		return c.opErr(op, codeError(r))
	}
	return nil
}

// InitNumStreams sets the number of outbound streams requested for
// associations set up from now on (one-to-many conns before use; dials use
// [Options.InitNumStreams]).
func (c *SCTPConn) InitNumStreams(n int) error {
	if n < 1 || n > 65535 {
		return c.opErr("set", fmt.Errorf("sctp: stream count %d out of range 1..65535", n))
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInitMsg(n, 0, 0, 0) })
}

// InitMaxInStream sets the most inbound streams accepted by associations
// set up from now on.
func (c *SCTPConn) InitMaxInStream(n int) error {
	if n < 1 || n > 65535 {
		return c.opErr("set", fmt.Errorf("sctp: stream count %d out of range 1..65535", n))
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInitMsg(0, n, 0, 0) })
}

// InitMaxAttempts sets how many times INIT is retransmitted for
// associations set up from now on.
func (c *SCTPConn) InitMaxAttempts(n int) error {
	if n < 1 || n > 65535 {
		return c.opErr("set", fmt.Errorf("sctp: attempts %d out of range 1..65535", n))
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInitMsg(0, 0, n, 0) })
}

// InitMaxInitTimeout caps the INIT retransmission timer for associations
// set up from now on (millisecond resolution).
func (c *SCTPConn) InitMaxInitTimeout(d time.Duration) error {
	if d < time.Millisecond || d > time.Duration(1<<32-1)*time.Millisecond {
		return c.opErr("set", fmt.Errorf("sctp: init timeout %v out of range", d))
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInitMsg(0, 0, 0, d) })
}

// SetNoDelay controls whether messages are sent at once (true, the
// default) or may wait briefly to be bundled with others (false).
func (c *SCTPConn) SetNoDelay(noDelay bool) error {
	v := 0
	if noDelay {
		v = 1
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInt(cOptNoDelay, v) })
}

// SetExplicitEOR turns explicit end of record on or off (RFC 6458 8.1.26
// SCTP_EXPLICIT_EOR; default off). On, each write is a part of one message
// that a write with [SendEOR] in its [SndInfo] flags, or
// [SCTPConn.WriteMsgPart] with eor true, ends; so a message longer than
// the send buffer (Options.WriteBuffer) can be written, part by part (each
// part must fit the buffer). The message takes its stream, PPID and order
// from its first part. While a message is open on an association, a write
// on another stream fails (its fragments take consecutive TSNs, RFC 9260
// 6.9, and without I-DATA nothing can come between them), and parts take
// no PR-SCTP policy. Not with TransportKernel.
func (c *SCTPConn) SetExplicitEOR(on bool) error {
	v := 0
	if on {
		v = 1
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInt(cOptExplicitEOR, v) })
}

// WriteMsgPart writes b as a part of the message open on a one-to-one conn
// with explicit end of record on ([SCTPConn.SetExplicitEOR]), with the
// default send info; eor ends the message (b may then be empty). The part
// is taken whole or not at all, like a message.
func (c *SCTPConn) WriteMsgPart(b []byte, eor bool) (int, error) {
	if !c.ok() {
		return 0, invalid("write")
	}
	if c.style == cSockSeqpacket {
		return 0, c.opErr("write", fmt.Errorf("%w: WriteMsgPart on a one-to-many conn needs an address (use WriteToSCTP with SendEOR)", ErrNoAssociation))
	}
	var extra uint16
	if eor {
		extra = cSendEOR
	}
	n, err := c.send(b, netip.AddrPort{}, nil, extra, 0)
	if err != nil {
		return n, c.opErr("write", err)
	}
	return n, nil
}

// SetCongestionControl selects the congestion controller: of the conn's
// association at once (its paths keep their windows), and of associations
// set up afterwards. Not with TransportKernel.
func (c *SCTPConn) SetCongestionControl(cc CongestionControl) error {
	if cc != CongestionReno && cc != CongestionCubic {
		return c.opErr("set", syscall.EINVAL)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setCongestion(cc) })
}

// SetRTO sets the retransmission timeout's initial value and bounds
// (RFC 9260 6.3.1: RTO.Initial, RTO.Min, RTO.Max; millisecond resolution)
// of the conn's association, or of the associations set up from now on
// when it has none (one-to-many: all future ones). 0 keeps a value.
func (c *SCTPConn) SetRTO(initial, min, max time.Duration) error {
	if err := checkRTO(initial, min, max); err != nil {
		return c.opErr("set", err)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setRTO(ms(initial), ms(min), ms(max)) })
}

// RTO returns the retransmission timeout's initial value and bounds set
// for the conn's association (or for future ones when it has none).
func (c *SCTPConn) RTO() (initial, min, max time.Duration, err error) {
	var i, lo, hi uint32
	err = c.ctrl("get", func(k *cSock) int {
		var r int
		i, lo, hi, r = k.rto()
		return r
	})
	return time.Duration(i) * time.Millisecond, time.Duration(lo) * time.Millisecond,
		time.Duration(hi) * time.Millisecond, err
}

// SetHeartbeatInterval sets HB.interval (RFC 9260 8.3), the time between
// heartbeats on each idle path of the conn's association (or of future
// ones when it has none); d <= 0 turns heartbeats off. Millisecond
// resolution. Heartbeats detect an unreachable peer on an idle
// association; [Options.HeartbeatInterval] sets it from the start.
func (c *SCTPConn) SetHeartbeatInterval(d time.Duration) error {
	if err := msRange("heartbeat interval", max(d, 0)); err != nil {
		return c.opErr("set", err)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setHeartbeat(ms(max(d, 0))) })
}

// SetDefaultSendInfo sets the send information of Write (and of io.Copy
// into the conn) and of every write that gives none: the stream, PPID
// (host byte order), flags and context; info.AssocID is ignored. The
// default is stream 0, PPID 0, ordered.
func (c *SCTPConn) SetDefaultSendInfo(info SndInfo) error {
	info.AssocID = 0
	return c.ctrl("set", func(k *cSock) int { return k.setDefaultSndInfo(info) })
}

// SyscallConn returns a raw network connection to the kernel SCTP socket
// of a conn on [TransportKernel] (for socket options the package does not
// wrap), as net's conns do. Conns on the userland transports have no
// socket of their own: the error then wraps errors.ErrUnsupported.
func (c *SCTPConn) SyscallConn() (syscall.RawConn, error) {
	if !c.ok() {
		return nil, invalid("raw-conn")
	}
	if c.closed.Load() {
		return nil, c.opErr("raw-conn", net.ErrClosed)
	}
	if !c.st.kernel {
		return nil, c.opErr("raw-conn", fmt.Errorf("%w: a %v conn runs in the userland SCTP stack and has no socket fd (only TransportKernel conns do)",
			errors.ErrUnsupported, c.Transport()))
	}
	return c.rf.(*fdWait).rc, nil
}

// SetReadBuffer sets the receive buffer size in bytes (effective for
// associations set up afterwards).
func (c *SCTPConn) SetReadBuffer(bytes int) error {
	if bytes <= 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInt(cOptRcvBuf, bytes) })
}

// SetWriteBuffer sets the send buffer size in bytes (effective for
// associations set up afterwards). No message longer than it can be sent.
func (c *SCTPConn) SetWriteBuffer(bytes int) error {
	if bytes <= 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInt(cOptSndBuf, bytes) })
}

// AssocID returns the association id of a one-to-one conn (0 if none).
func (c *SCTPConn) AssocID() AssocID {
	var id AssocID
	c.ctrl("status", func(k *cSock) int { id = k.assocID(); return 0 })
	return id
}

// Status returns the state and counters of the conn's association
// (one-to-one) or of its only association (one-to-many). On a one-to-many
// conn with no association or several, it fails with an error wrapping
// [ErrNoAssociation] that says how many there are: use StatusOf.
func (c *SCTPConn) Status() (*AssocStatus, error) {
	if !c.ok() {
		return nil, invalid("status")
	}
	if c.style != cSockSeqpacket {
		return c.StatusOf(0)
	}
	var id AssocID
	var n int
	err := c.ctrl("status", func(k *cSock) int {
		ids, r := k.assocIDs()
		id, n = ids[0], r
		if r == cErrNotSupported {
			return r
		}
		return min(r, 0)
	})
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		return nil, c.opErr("status", fmt.Errorf("%w: Status without an id needs the userland transport on a one-to-many conn; use StatusOf", ErrNoAssociation))
	case err != nil:
		return nil, err
	case n != 1:
		return nil, c.opErr("status", fmt.Errorf("%w: the one-to-many conn has %d associations, Status needs exactly one (use StatusOf)", ErrNoAssociation, n))
	}
	return c.StatusOf(id)
}

// StatusOf returns the status of association id of a one-to-many conn (0:
// the conn's association on a one-to-one conn).
func (c *SCTPConn) StatusOf(id AssocID) (*AssocStatus, error) {
	var st AssocStatus
	err := c.ctrl("status", func(k *cSock) int {
		var r int
		st, r = k.status(id)
		return r
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Paths returns the paths (peer transport addresses) of the conn's
// association with their state, congestion window and RTT estimates.
func (c *SCTPConn) Paths() ([]PathInfo, error) { return c.PathsOf(0) }

// PathsOf returns the paths of association id (one-to-many).
func (c *SCTPConn) PathsOf(id AssocID) ([]PathInfo, error) {
	var ps []PathInfo
	err := c.ctrl("status", func(k *cSock) int {
		var r int
		ps, r = k.paths(id)
		return r
	})
	return ps, err
}

// PeelOff moves association id of a one-to-many conn into a new one-to-one
// conn.
func (c *SCTPConn) PeelOff(id AssocID) (*SCTPConn, error) {
	if !c.ok() {
		return nil, invalid("peeloff")
	}
	if c.style != cSockSeqpacket {
		return nil, c.opErr("peeloff", ErrWrongStyle)
	}
	var ns *cSock
	if err := c.ctrl("peeloff", func(k *cSock) int {
		var r int
		ns, r = k.peeloff(id)
		return r
	}); err != nil {
		return nil, err
	}
	c.st.addRef()
	nc, err := newConn(c.st, ns, cSockStream, c.net)
	if err != nil {
		return nil, c.opErr("peeloff", err)
	}
	nc.fillAddrs()
	return nc, nil
}

// fileErr converts an error of the waiters (os.File or readyWait):
// once the conn is closed (which closes them) it is net.ErrClosed.
func (c *SCTPConn) fileErr(err error) error {
	if c.closed.Load() || errors.Is(err, os.ErrClosed) {
		return net.ErrClosed
	}
	return err
}

// ctxErr maps a context error as net does: a deadline becomes
// os.ErrDeadlineExceeded (a timeout).
func ctxErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}
