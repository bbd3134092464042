package sctp

import (
	"context"
	"errors"
	"net"
	"time"
)

// Dialer holds options for setting up associations. The zero value dials
// over UDP encapsulation from an ephemeral local UDP port to the peer's UDP
// port 9899, with the default protocol parameters.
type Dialer struct {
	// LocalAddr binds the conn to these local addresses and SCTP port
	// (nil: every address, an ephemeral port).
	LocalAddr *SCTPAddr
	// Timeout bounds the association setup (0: no limit besides the
	// protocol's INIT retransmissions).
	Timeout time.Duration
	// Options selects the transport and protocol parameters.
	Options
}

// Dial sets up an association to address on network ("sctp", "sctp4",
// "sctp6") and returns it as a one-to-one *SCTPConn. See ResolveSCTPAddr
// for the address syntax ("host1/host2:port", optionally followed by
// ";udp=N", the peer's UDP encapsulation port). Dial(ln.Addr().Network(),
// ln.Addr().String()) reaches the listener ln, whatever UDP port it uses.
func Dial(network, address string) (net.Conn, error) {
	var d Dialer
	return d.Dial(network, address)
}

// DialSCTP sets up an association from laddr (nil: any) to raddr and
// returns it as a one-to-one conn. raddr may be a listener's address
// ([SCTPListener.Addr]): its UDPPort selects the listener's UDP port.
func DialSCTP(network string, laddr, raddr *SCTPAddr) (*SCTPConn, error) {
	d := Dialer{LocalAddr: laddr}
	return d.DialSCTPContext(context.Background(), network, raddr)
}

// Dial is DialContext with a background context.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext sets up an association to address. If ctx is done before the
// association is up, the attempt is aborted and the error wraps ctx's error
// (os.ErrDeadlineExceeded for a deadline).
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	raddr, err := resolveSCTPAddr(ctx, "dial", network, address)
	if err != nil {
		return nil, err
	}
	c, err := d.DialSCTPContext(ctx, network, raddr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DialSCTPContext sets up an association to raddr from d.LocalAddr.
func (d *Dialer) DialSCTPContext(ctx context.Context, network string, raddr *SCTPAddr) (*SCTPConn, error) {
	fail := func(err error) (*SCTPConn, error) {
		var src net.Addr
		if d.LocalAddr != nil {
			src = d.LocalAddr
		}
		var dst net.Addr
		if raddr != nil {
			dst = raddr
		}
		return nil, &net.OpError{Op: "dial", Net: network, Source: src, Addr: dst, Err: err}
	}
	if err := checkNetwork(network); err != nil {
		return fail(err)
	}
	if raddr == nil || len(raddr.IPAddrs) == 0 || raddr.Port == 0 {
		return fail(&net.AddrError{Err: "missing address or port", Addr: raddr.String()})
	}
	if err := checkAddrFamily(network, raddr); err != nil {
		return fail(err)
	}
	if err := checkAddrFamily(network, d.LocalAddr); err != nil {
		return fail(err)
	}
	o := d.Options
	if raddr.UDPPort != 0 {
		// The address names the peer's UDP encapsulation port (a
		// listener's Addr does): it wins over the option.
		o.RemoteUDPPort = raddr.UDPPort
	}
	if err := o.validate(); err != nil {
		return fail(err)
	}
	k, err := o.key(false)
	if err != nil {
		return fail(err)
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return fail(ctxErr(err))
	}

	c, err := newSocket(k, &o, network, cSockStream, d.LocalAddr, raddr)
	if err != nil {
		return fail(err)
	}
	wild6 := c.family == afINET6
	sa, n, err := packSockaddrs(raddr, wild6)
	if err != nil {
		c.conn.close("dial", true, nil)
		return fail(err)
	}
	if err := c.conn.connect(ctx, sa, n); err != nil {
		c.conn.close("dial", true, nil)
		return fail(err)
	}
	c.conn.fillAddrs()
	return c.conn, nil
}

// connect starts the association and waits until it is up or failed.
func (c *SCTPConn) connect(ctx context.Context, sa []byte, n int) error {
	c.st.mu.Lock()
	_, r := c.cs.connectx(sa, n)
	c.st.unlock()
	if r < 0 && r != -errnoEINPROGRESS {
		return codeError(r)
	}

	kicked := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.setWriteWait(aLongTimeAgo)
		close(kicked)
	})
	var rerr error
	err := c.waitWrite(func(uintptr) bool {
		c.st.mu.Lock()
		defer c.st.unlock()
		m := c.cs.poll()
		if m&(cPollOut|cPollErr|cPollHup) == 0 {
			return false
		}
		if e := c.cs.sockError(); e != 0 {
			rerr = codeError(e)
		} else if m&cPollOut == 0 {
			rerr = &AssocLostError{Reason: LostInitFailed}
		}
		return true
	})
	if !stop() {
		<-kicked
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctxErr(ctx.Err())
		}
		return c.fileErr(err)
	}
	c.setWriteWait(time.Time{})
	if errors.Is(rerr, errAgain) {
		rerr = &AssocLostError{Reason: LostInitFailed}
	}
	return rerr
}

// newSockResult is a fresh conn and the address family of its socket.
type newSockResult struct {
	conn   *SCTPConn
	family int
}

// newSocket creates a socket on the stack for k, applies o, binds it to
// laddr (nil: wildcard, ephemeral port) and wraps it.
func newSocket(k stackKey, o *Options, network string, style int, laddr, raddr *SCTPAddr) (newSockResult, error) {
	st, err := acquireStack(k)
	if err != nil {
		return newSockResult{}, err
	}
	family := pickFamily(network, laddr, raddr)
	st.mu.Lock()
	cs, r := st.cs.socket(family, style)
	if r == -errnoEAFNOSUPPORT && family == afINET6 && network == "sctp" {
		l4, l6 := laddr.families()
		r4, r6 := raddr.families()
		if !l6 && !r6 && (l4 || r4 || raddr == nil) {
			family = afINET
			cs, r = st.cs.socket(family, style)
		}
	}
	if r < 0 {
		st.unlock()
		st.release()
		return newSockResult{}, codeError(r)
	}
	if r = applyOptions(cs, o); r >= 0 && (laddr != nil || style == cSockSeqpacket || raddr == nil) {
		var sa []byte
		var n int
		sa, n, err = packSockaddrs(laddr, family == afINET6)
		if err == nil {
			r = cs.bindx(sa, n)
		}
	}
	if r < 0 || err != nil {
		cs.setLinger(true, 0)
		cs.close()
		st.unlock()
		st.release()
		if err == nil {
			err = codeError(r)
		}
		return newSockResult{}, err
	}
	st.unlock()
	c, err := newConn(st, cs, style, network)
	if err != nil {
		return newSockResult{}, err
	}
	c.optUDP, c.curUDP = o.RemoteUDPPort, o.RemoteUDPPort
	return newSockResult{conn: c, family: family}, nil
}

// pickFamily chooses the socket family: AF_INET for sctp4 or when every
// address given is IPv4; AF_INET6 (which also serves IPv4) otherwise.
func pickFamily(network string, addrs ...*SCTPAddr) int {
	switch network {
	case "sctp4":
		return afINET
	case "sctp6":
		return afINET6
	}
	any4, any6 := false, false
	for _, a := range addrs {
		v4, v6 := a.families()
		any4 = any4 || v4
		any6 = any6 || v6
	}
	if any4 && !any6 {
		return afINET
	}
	return afINET6
}

// applyOptions sets o on a new socket. st.mu is held.
func applyOptions(k *cSock, o *Options) int {
	if r := applyAuth(k, o.Auth); r < 0 {
		return r
	}
	if o.RemoteUDPPort != 0 {
		if r := k.setRemoteUDPPort(o.RemoteUDPPort); r < 0 {
			return r
		}
	}
	if o.InitNumStreams != 0 || o.InitMaxInStreams != 0 || o.InitMaxAttempts != 0 || o.InitMaxInitTimeout != 0 {
		to := o.InitMaxInitTimeout
		if to > 0 && to < time.Millisecond {
			to = time.Millisecond
		}
		if r := k.setInitMsg(o.InitNumStreams, o.InitMaxInStreams, o.InitMaxAttempts, to); r < 0 {
			return r
		}
	}
	if !o.NoDelay() {
		if r := k.setInt(cOptNoDelay, 0); r < 0 {
			return r
		}
	}
	if o.Congestion != CongestionReno {
		if r := k.setCongestion(o.Congestion); r < 0 {
			return r
		}
	}
	if o.RTOInitial != 0 || o.RTOMin != 0 || o.RTOMax != 0 {
		if r := k.setRTO(ms(o.RTOInitial), ms(o.RTOMin), ms(o.RTOMax)); r < 0 {
			return r
		}
	}
	if o.HeartbeatInterval != 0 {
		if r := k.setHeartbeat(ms(max(o.HeartbeatInterval, 0))); r < 0 {
			return r
		}
	}
	if o.DefaultSendInfo != nil {
		if r := k.setDefaultSndInfo(*o.DefaultSendInfo); r < 0 {
			return r
		}
	}
	if o.ReadBuffer > 0 {
		if r := k.setInt(cOptRcvBuf, o.ReadBuffer); r < 0 {
			return r
		}
	}
	if o.WriteBuffer > 0 {
		if r := k.setInt(cOptSndBuf, o.WriteBuffer); r < 0 {
			return r
		}
	}
	if o.ASCONF {
		if r := k.asconfSupported(true); r < 0 {
			return r
		}
	}
	if o.DisablePRSCTP {
		if r := k.setPRSupported(false); r < 0 {
			return r
		}
	}
	if r := applyILV(k, o); r < 0 {
		return r
	}
	for _, t := range o.Notifications {
		for _, ct := range t.cTypes() {
			if r := k.subscribe(ct, true); r < 0 {
				return r
			}
		}
	}
	return 0
}
