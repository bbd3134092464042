package sctp

import (
	"context"
	"net"
	"time"
)

// ListenConfig holds options for listening. The zero value listens with
// TransportAuto (the kernel's SCTP where there is one, else UDP
// encapsulation on the local UDP port 9899, or an ephemeral UDP port when
// another process holds 9899: see [Options.LocalUDPPort]) and the default
// protocol parameters.
type ListenConfig struct {
	// Options selects the transport and protocol parameters; accepted
	// conns inherit them.
	Options
	// Backlog is the most established associations waiting for Accept
	// (0: 128); further ones are aborted.
	Backlog int
}

// SCTPListener is a one-to-one SCTP listener: each accepted association
// becomes an *SCTPConn. It implements net.Listener and is safe for
// concurrent use.
type SCTPListener struct {
	c *SCTPConn
}

var _ net.Listener = (*SCTPListener)(nil)

// Listen listens for associations on the local address (see
// ResolveSCTPAddr; ":port" listens on every address) and returns an
// *SCTPListener.
func Listen(network, address string) (net.Listener, error) {
	var lc ListenConfig
	return lc.Listen(context.Background(), network, address)
}

// ListenSCTP returns a one-to-many conn bound to laddr (nil or without IPs:
// every address; port 0: an ephemeral port) that accepts associations from
// peers and sets up associations implicitly on WriteTo.
func ListenSCTP(network string, laddr *SCTPAddr) (*SCTPConn, error) {
	var lc ListenConfig
	return lc.ListenSCTP(context.Background(), network, laddr)
}

// ListenSCTPListener listens for associations on laddr (nil or without
// IPs: every address; port 0: an ephemeral port) with the default options
// and returns the one-to-one *SCTPListener, without the type assertion
// Listen's net.Listener needs.
func ListenSCTPListener(network string, laddr *SCTPAddr) (*SCTPListener, error) {
	var lc ListenConfig
	return lc.ListenSCTPListener(context.Background(), network, laddr)
}

// ListenPacket is ListenSCTP with a string address; the result is a
// one-to-many *SCTPConn.
func ListenPacket(network, address string) (net.PacketConn, error) {
	var lc ListenConfig
	return lc.ListenPacket(context.Background(), network, address)
}

// Listen is the ListenConfig form of the package function Listen.
func (lc *ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	laddr, err := resolveSCTPAddr(ctx, "listen", network, address)
	if err != nil {
		return nil, err
	}
	l, err := lc.ListenSCTPListener(ctx, network, laddr)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ListenSCTPListener listens for associations on laddr and returns the
// one-to-one listener.
func (lc *ListenConfig) ListenSCTPListener(ctx context.Context, network string, laddr *SCTPAddr) (*SCTPListener, error) {
	c, err := lc.listen("listen", network, laddr, cSockStream)
	if err != nil {
		return nil, err
	}
	return &SCTPListener{c: c}, nil
}

// ListenPacket is the ListenConfig form of the package function
// ListenPacket.
func (lc *ListenConfig) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	laddr, err := resolveSCTPAddr(ctx, "listen", network, address)
	if err != nil {
		return nil, err
	}
	c, err := lc.ListenSCTP(ctx, network, laddr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListenSCTP is the ListenConfig form of the package function ListenSCTP.
func (lc *ListenConfig) ListenSCTP(ctx context.Context, network string, laddr *SCTPAddr) (*SCTPConn, error) {
	return lc.listen("listen", network, laddr, cSockSeqpacket)
}

func (lc *ListenConfig) listen(op, network string, laddr *SCTPAddr, style int) (*SCTPConn, error) {
	fail := func(err error) (*SCTPConn, error) {
		var a net.Addr
		if laddr != nil {
			a = laddr
		}
		return nil, &net.OpError{Op: op, Net: network, Addr: a, Err: err}
	}
	if err := checkNetwork(network); err != nil {
		return fail(err)
	}
	if err := checkAddrFamily(network, laddr); err != nil {
		return fail(err)
	}
	if err := lc.Options.validate(); err != nil {
		return fail(err)
	}
	k, err := lc.Options.key(true)
	if err != nil {
		return fail(err)
	}
	if laddr == nil {
		laddr = &SCTPAddr{}
	}
	r, err := newSocket(k, &lc.Options, network, style, laddr, nil)
	if err != nil {
		return fail(err)
	}
	c := r.conn
	backlog := lc.Backlog
	if style == cSockSeqpacket {
		backlog = 1
	}
	if err := c.ctrl(op, func(k *cSock) int { return k.listen(backlog) }); err != nil {
		c.close(op, true, nil)
		return nil, err
	}
	c.fillAddrs()
	return c, nil
}

// Accept waits for and returns the next association (an *SCTPConn).
func (l *SCTPListener) Accept() (net.Conn, error) {
	c, err := l.AcceptSCTP()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptSCTP waits for and returns the next association as a one-to-one
// conn. It fails with an error satisfying errors.Is(err, net.ErrClosed)
// once the listener is closed, and errors.Is(err, os.ErrDeadlineExceeded)
// after the deadline.
func (l *SCTPListener) AcceptSCTP() (*SCTPConn, error) {
	if l == nil || !l.c.ok() {
		return nil, invalid("accept")
	}
	lc := l.c
	var ns *cSock
	var rerr error
	err := lc.rf.Wait(func(uintptr) bool {
		lc.st.mu.Lock()
		if lc.closedLocked() {
			lc.st.unlock()
			rerr = net.ErrClosed
			return true
		}
		s, _, r := lc.cs.accept()
		lc.st.unlock()
		if r == 0 {
			ns = s
			return true
		}
		if e := codeError(r); e != errAgain {
			rerr = e
			return true
		}
		return false
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, l.opErr(lc.fileErr(err))
	}
	lc.st.addRef()
	c, err := newConn(lc.st, ns, cSockStream, lc.net)
	if err != nil {
		return nil, l.opErr(err)
	}
	c.fillAddrs()
	return c, nil
}

func (l *SCTPListener) opErr(err error) error {
	return &net.OpError{Op: "accept", Net: l.c.net, Addr: l.c.localAddr(), Err: err}
}

// Close stops listening. Blocked Accept calls return an error satisfying
// errors.Is(err, net.ErrClosed); associations not yet accepted are
// aborted; accepted conns stay open.
func (l *SCTPListener) Close() error {
	if l == nil || !l.c.ok() {
		return invalid("close")
	}
	return l.c.close("close", false, nil)
}

// Addr returns the listener's local address (*SCTPAddr): its IP
// addresses, SCTP port and, over UDP encapsulation, its local UDP port
// ([SCTPAddr.UDPPort], written ";udp=N" by String), so that
// Dial(l.Addr().Network(), l.Addr().String()) and DialSCTP(network, nil,
// l.Addr().(*SCTPAddr)) reach this listener whatever UDP port it got.
func (l *SCTPListener) Addr() net.Addr {
	if l == nil {
		return nil
	}
	return l.c.LocalAddr()
}

// SetDeadline sets the deadline for Accept.
func (l *SCTPListener) SetDeadline(t time.Time) error {
	if l == nil {
		return invalid("set")
	}
	return l.c.SetReadDeadline(t)
}

// UDPPort returns the local UDP encapsulation port of the listener's stack:
// the port dialers must use as their remote UDP port (0 for the raw IP and
// kernel transports).
func (l *SCTPListener) UDPPort() int {
	if l == nil {
		return 0
	}
	return l.c.UDPPort()
}

// Transport returns the transport the listener uses (what TransportAuto
// chose).
func (l *SCTPListener) Transport() Transport {
	if l == nil {
		return TransportAuto
	}
	return l.c.Transport()
}

// Subscribe turns on notifications of the given types; accepted conns
// inherit the subscriptions.
func (l *SCTPListener) Subscribe(types ...NotificationType) error {
	if l == nil {
		return invalid("subscribe")
	}
	return l.c.Subscribe(types...)
}
