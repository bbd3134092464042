package sctp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// This file runs associations over a connection the caller already has
// (Client, Server): the C stack's lower-layer transport
// (CSCTP_TRANSPORT_CONN) hands every SCTP packet to the Go side, which
// writes it to the connection, and a goroutine reads packets from the
// connection into the stack. This is how WebRTC data channels carry SCTP
// over DTLS (RFC 8261).

// ConnConfig configures an association that [Client] or [Server] runs over
// a caller's connection. The zero value (or nil) uses SCTP port 5000 on
// both sides (the port WebRTC data channels use), 1200-byte packets and a
// CRC32c on every packet.
type ConnConfig struct {
	// Options holds the protocol parameters (streams, buffers, RTO,
	// notifications, ...). Transport, LocalUDPPort and RemoteUDPPort do not
	// apply: the connection carries the packets.
	Options

	// LocalPort and RemotePort are the SCTP ports (0: 5000). Several
	// associations may share one connection only with distinct ports,
	// which this package does not do: one association per connection.
	LocalPort, RemotePort int

	// MTU is the largest SCTP packet handed to the connection, common
	// header included (0: 1200, what DTLS over any path carries; at least
	// 508).
	MTU int

	// ZeroChecksum offers and uses zero checksum (RFC 9653) with the error
	// detection method "SCTP over DTLS": set it only when the connection
	// is DTLS (or otherwise protects each packet's integrity). Packets then
	// go without CRC32c when the peer offered the same, except those RFC
	// 9653 5.2 names; a correct CRC32c is always accepted.
	ZeroChecksum bool
}

const (
	defaultConnPort = 5000
	defaultConnMTU  = 1200
	// lowerQueueMax bounds the packets waiting for the connection's Write;
	// beyond it packets are dropped (SCTP retransmits them).
	lowerQueueMax = 4096
	// lowerFlushTime bounds the last writes after the association ended.
	lowerFlushTime = time.Second
)

// Client sets up an association over conn as the side that sends the INIT
// (e.g. the DTLS client) and returns it as a one-to-one *SCTPConn, with
// streams, PPIDs, notifications and deadlines as for Dial. conn must carry
// one SCTP packet per Read and Write (a DTLS or UDP connection, net.Pipe;
// [PacketConn] adapts a net.PacketConn). From the call on the association
// owns conn: it is closed when the association has ended after Close (a
// graceful shutdown, as for any SCTPConn), or when the setup fails.
func Client(conn net.Conn, cfg *ConnConfig) (*SCTPConn, error) {
	return ClientContext(context.Background(), conn, cfg)
}

// ClientContext is Client with a context that bounds the setup: if ctx is
// done first, the attempt is aborted and the error wraps ctx's error.
func ClientContext(ctx context.Context, conn net.Conn, cfg *ConnConfig) (*SCTPConn, error) {
	return lowerAssoc(ctx, conn, cfg, true)
}

// Server waits for the peer's association over conn (the side that
// answers the INIT) and returns it as a one-to-one *SCTPConn. Both sides
// may also call Client at once: SCTP resolves the collision. conn is
// owned as for Client.
func Server(conn net.Conn, cfg *ConnConfig) (*SCTPConn, error) {
	return ServerContext(context.Background(), conn, cfg)
}

// ServerContext is Server with a context that bounds the wait.
func ServerContext(ctx context.Context, conn net.Conn, cfg *ConnConfig) (*SCTPConn, error) {
	return lowerAssoc(ctx, conn, cfg, false)
}

func (c *ConnConfig) resolve() (lport, rport, mtu int, err error) {
	lport, rport, mtu = c.LocalPort, c.RemotePort, c.MTU
	if lport == 0 {
		lport = defaultConnPort
	}
	if rport == 0 {
		rport = defaultConnPort
	}
	if mtu == 0 {
		mtu = defaultConnMTU
	}
	switch {
	case lport < 0 || lport > 65535 || rport < 0 || rport > 65535:
		return 0, 0, 0, fmt.Errorf("sctp: SCTP port out of range 1..65535")
	case mtu < 508 || mtu > 65535:
		return 0, 0, 0, fmt.Errorf("sctp: MTU %d out of range 508..65535", mtu)
	case c.Transport != TransportAuto || c.LocalUDPPort != 0 || c.RemoteUDPPort != 0:
		return 0, 0, 0, errors.New("sctp: Transport, LocalUDPPort and RemoteUDPPort do not apply over a caller's connection")
	}
	return lport, rport, mtu, c.Options.validate()
}

func lowerAssoc(ctx context.Context, conn net.Conn, cfg *ConnConfig, client bool) (*SCTPConn, error) {
	op := "accept"
	if client {
		op = "dial"
	}
	fail := func(err error) (*SCTPConn, error) {
		return nil, &net.OpError{Op: op, Net: "sctp", Source: conn.LocalAddr(), Addr: conn.RemoteAddr(), Err: err}
	}
	if conn == nil {
		return nil, &net.OpError{Op: op, Net: "sctp", Err: errors.New("sctp: nil connection")}
	}
	var c ConnConfig
	if cfg != nil {
		c = *cfg
	}
	lport, rport, mtu, err := c.resolve()
	if err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(ctxErr(err))
	}
	st, link, err := newLowerStack(conn, mtu, c.ZeroChecksum)
	if err != nil {
		conn.Close()
		return fail(err)
	}
	st.mu.Lock()
	cs, r := st.cs.socket(cAFConn, cSockStream)
	if r >= 0 {
		if r = applyOptions(cs, &c.Options); r >= 0 {
			if r = cs.bindx(connSockaddr(lport), 1); r >= 0 && !client {
				r = cs.listen(1)
			}
		}
		if r < 0 {
			cs.setLinger(true, 0)
			cs.close()
		}
	}
	st.unlock()
	if r < 0 {
		st.release()
		return fail(codeError(r))
	}
	sc, err := newConn(st, cs, cSockStream, "sctp")
	if err != nil {
		return fail(err)
	}
	go link.readLoop(st) // only now: an INIT before the listen would be refused
	if client {
		if err := sc.connect(ctx, connSockaddr(rport), 1); err != nil {
			sc.close(op, true, nil)
			return fail(err)
		}
		sc.setLowerAddrs(lport, rport)
		return sc, nil
	}
	ln := &SCTPListener{c: sc}
	stop := context.AfterFunc(ctx, func() { ln.SetDeadline(aLongTimeAgo) })
	ac, err := ln.AcceptSCTP()
	stop()
	ln.Close()
	if err != nil {
		if ctx.Err() != nil {
			err = ctxErr(ctx.Err())
		}
		return fail(err)
	}
	if s, err := ac.Status(); err == nil {
		rport = s.PeerPort
	}
	ac.setLowerAddrs(lport, rport)
	return ac, nil
}

// setLowerAddrs gives a conn over a lower layer its addresses: ports only
// (RFC 8261 6.1: SCTP does not see the addresses under DTLS).
func (c *SCTPConn) setLowerAddrs(lport, rport int) {
	c.laddr.Store(&SCTPAddr{Port: lport})
	c.raddr.Store(&SCTPAddr{Port: rport})
}

// lowerLink is the Go end of one CSCTP_TRANSPORT_CONN stack: the packets
// the stack sends (goConnOutput queues them, under the stack's mutex, so it
// must not block) and the goroutines that move them.
type lowerLink struct {
	id   uintptr
	conn net.Conn

	mu     sync.Mutex
	q      [][]byte
	sig    chan struct{} // a packet was queued
	done   chan struct{} // the stack is gone: flush, close conn
	closed sync.Once
}

var (
	lowerLinks  sync.Map // id -> *lowerLink
	lowerNextID atomic.Uintptr
)

// lowerLinkByID returns the link of a stack's conn_output, nil once gone.
func lowerLinkByID(id uintptr) *lowerLink {
	v, _ := lowerLinks.Load(id)
	l, _ := v.(*lowerLink)
	return l
}

// newLowerStack creates a stack over conn, registered like the others
// (one reference) and driven by its own goroutine; its link's writer runs,
// its reader is started by the caller once a socket is ready.
func newLowerStack(conn net.Conn, mtu int, zeroChecksum bool) (*stack, *lowerLink, error) {
	l := &lowerLink{id: lowerNextID.Add(1), conn: conn,
		sig: make(chan struct{}, 1), done: make(chan struct{})}
	lowerLinks.Store(l.id, l)
	var edmid uint32
	if zeroChecksum {
		edmid = cEDMIDDTLS
	}
	cs, err := cNewConnStack(l.id, edmid, mtu)
	if err != nil {
		lowerLinks.Delete(l.id)
		return nil, nil, err
	}
	k := stackKey{transport: cTransportConn, lower: uint64(l.id)}
	s := &stack{key: k, cs: cs, done: make(chan struct{}), lower: l}
	s.ef, s.rc, err = pollFile(cs.fd(), "sctp-stack")
	if err != nil {
		cs.del()
		lowerLinks.Delete(l.id)
		return nil, nil, err
	}
	s.openLeadFile()
	cs.setReadyList()
	registry.mu.Lock()
	s.refs = 1
	if registry.stacks == nil {
		registry.stacks = make(map[stackKey]*stack)
	}
	registry.stacks[k] = s
	registry.mu.Unlock()
	go s.run()
	go l.writeLoop()
	return s, l, nil
}

// enqueue queues one packet for the connection (goConnOutput).
func (l *lowerLink) enqueue(p []byte) {
	l.mu.Lock()
	if len(l.q) < lowerQueueMax {
		l.q = append(l.q, p)
	}
	l.mu.Unlock()
	select {
	case l.sig <- struct{}{}:
	default:
	}
}

func (l *lowerLink) take() [][]byte {
	l.mu.Lock()
	q := l.q
	l.q = nil
	l.mu.Unlock()
	return q
}

// writeLoop writes the queued packets to the connection, one Write each.
// When the stack is gone it writes what is left (bounded by
// lowerFlushTime) and closes the connection.
func (l *lowerLink) writeLoop() {
	for {
		select {
		case <-l.sig:
			for _, p := range l.take() {
				l.conn.Write(p) // a packet lost here is SCTP's to recover
			}
		case <-l.done:
			l.conn.SetWriteDeadline(time.Now().Add(lowerFlushTime))
			for _, p := range l.take() {
				if _, err := l.conn.Write(p); err != nil {
					break
				}
			}
			l.conn.Close()
			return
		}
	}
}

// readLoop hands every packet read from the connection to the stack, until
// the connection fails or is closed.
func (l *lowerLink) readLoop(st *stack) {
	buf := make([]byte, 65536)
	for {
		n, err := l.conn.Read(buf)
		if n > 0 {
			st.mu.Lock()
			if st.cs != nil {
				st.cs.connInput(buf[:n])
			}
			st.unlock()
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue // a deadline the caller set: keep reading
			}
			return
		}
	}
}

// shutdown ends the link when its stack is freed (stack.destroy).
func (l *lowerLink) shutdown() {
	l.closed.Do(func() {
		lowerLinks.Delete(l.id)
		close(l.done)
		// A Write blocked on a peer that reads no more returns too.
		l.conn.SetWriteDeadline(time.Now().Add(lowerFlushTime))
	})
}

// PacketConn adapts a net.PacketConn for [Client] and [Server]: Write
// sends to raddr and Read returns the packets from raddr (others are
// dropped). With raddr nil (a server that does not know its peer yet) the
// source of the first packet read becomes raddr. Closing it closes pc.
func PacketConn(pc net.PacketConn, raddr net.Addr) net.Conn {
	return &packetConn{pc: pc, raddr: raddr}
}

type packetConn struct {
	pc    net.PacketConn
	mu    sync.Mutex
	raddr net.Addr
}

// Read reads the next packet from the peer.
func (p *packetConn) Read(b []byte) (int, error) {
	for {
		n, from, err := p.pc.ReadFrom(b)
		if err != nil {
			return n, err
		}
		p.mu.Lock()
		if p.raddr == nil {
			p.raddr = from
		}
		ok := p.raddr.String() == from.String()
		p.mu.Unlock()
		if ok {
			return n, nil
		}
	}
}

// Write sends one packet to the peer; before the peer is known (a server
// that has read nothing yet) it fails.
func (p *packetConn) Write(b []byte) (int, error) {
	p.mu.Lock()
	to := p.raddr
	p.mu.Unlock()
	if to == nil {
		return 0, errors.New("sctp: peer address not known yet")
	}
	return p.pc.WriteTo(b, to)
}

// Close closes the packet conn.
func (p *packetConn) Close() error { return p.pc.Close() }

// LocalAddr returns the packet conn's address.
func (p *packetConn) LocalAddr() net.Addr { return p.pc.LocalAddr() }

// RemoteAddr returns the peer's address (nil until known).
func (p *packetConn) RemoteAddr() net.Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raddr
}

// SetDeadline sets the packet conn's deadlines.
func (p *packetConn) SetDeadline(t time.Time) error { return p.pc.SetDeadline(t) }

// SetReadDeadline sets the packet conn's read deadline.
func (p *packetConn) SetReadDeadline(t time.Time) error { return p.pc.SetReadDeadline(t) }

// SetWriteDeadline sets the packet conn's write deadline.
func (p *packetConn) SetWriteDeadline(t time.Time) error { return p.pc.SetWriteDeadline(t) }
