package sctp

import (
	"fmt"
	"net"
)

// Dynamic address reconfiguration (RFC 5061): a conn whose associations
// use ASCONF ([Options.ASCONF] on both ends) can add local addresses to
// them and remove them while they run ([SCTPConn.BindAdd],
// [SCTPConn.BindRemove]), and ask the peer to send to one of its addresses
// ([SCTPConn.SetPeerPrimary]). The peer reports what it was asked as
// [PeerAddrChange] notifications with the states [PathAdded],
// [PathRemoved] and [PathMadePrimary]. ASCONF chunks are always
// authenticated (RFC 4895), so ASCONF switches AUTH on.

// Path states that only notifications carry (RFC 6458 6.1.2
// SCTP_ADDR_ADDED, SCTP_ADDR_REMOVED, SCTP_ADDR_MADE_PRIM).
const (
	// PathAdded: the peer added this address to the association (an
	// unconfirmed path until a heartbeat verifies it).
	PathAdded PathState = PathPotentiallyFailed + 1 + iota
	// PathRemoved: the peer deleted this address from the association;
	// data in flight to it is sent again on another path.
	PathRemoved
	// PathMadePrimary: the peer asked us to send to this address, which
	// is now our primary path.
	PathMadePrimary
)

// ASCONFEnabled reports whether association assoc (on a one-to-one conn:
// its association) uses ASCONF: both ends offered it (see
// [Options.ASCONF]).
func (c *SCTPConn) ASCONFEnabled(assoc AssocID) (bool, error) {
	var on bool
	err := c.ctrl("get", func(k *cSock) int {
		v, r := k.asconfEnabled(assoc)
		on = v
		return r
	})
	return on, err
}

// BindAdd adds local addresses to the conn, which must be bound (a dialed,
// accepted or listening conn is), like sctp_bindx with SCTP_BINDX_ADD_ADDR
// (RFC 6458 9.1). Each association of the conn that uses ASCONF asks its
// peer to add them (Add IP Address, RFC 5061 4.2.1) unless
// [SCTPConn.SetAutoASCONF] turned that off; the peer confirms the new path
// with a heartbeat before sending there. Over UDP encapsulation the
// addresses must reach the conn's stack (on loopback any 127.0.0.0/8
// address does).
func (c *SCTPConn) BindAdd(addrs ...net.IPAddr) error {
	return c.bindOp("bind add", cBindxAdd, addrs)
}

// BindRemove removes local addresses from the conn (SCTP_BINDX_REM_ADDR):
// the associations that use ASCONF ask their peers to delete them (Delete
// IP Address, RFC 5061 4.2.2) and stop sending from them at once. The last
// address cannot be removed.
func (c *SCTPConn) BindRemove(addrs ...net.IPAddr) error {
	return c.bindOp("bind remove", cBindxRem, addrs)
}

func (c *SCTPConn) bindOp(op string, flags int, addrs []net.IPAddr) error {
	if len(addrs) == 0 {
		return c.opErr(op, fmt.Errorf("sctp: no address"))
	}
	sa, n, err := packSockaddrs(&SCTPAddr{IPAddrs: addrs}, false)
	if err != nil {
		return c.opErr(op, err)
	}
	if err := c.ctrl(op, func(k *cSock) int { return k.bindxOp(sa, n, flags) }); err != nil {
		return err
	}
	c.refreshLocalAddr(addrs, flags == cBindxAdd)
	return nil
}

// refreshLocalAddr updates the address LocalAddr reports.
func (c *SCTPConn) refreshLocalAddr(addrs []net.IPAddr, add bool) {
	old, _ := c.localAddr().(*SCTPAddr)
	if old == nil || old.isWildcard() {
		return
	}
	la := *old
	la.IPAddrs = nil
	for _, ip := range old.IPAddrs {
		keep := true
		for _, x := range addrs {
			keep = keep && !ip.IP.Equal(x.IP)
		}
		if keep {
			la.IPAddrs = append(la.IPAddrs, ip)
		}
	}
	if add {
		la.IPAddrs = append(la.IPAddrs, addrs...)
	}
	c.laddr.Store(&la)
}

// SetPeerPrimary asks the peer of association assoc (on a one-to-one
// conn: its association) to send to our address ip as its primary path
// (Set Primary Address, RFC 5061 4.2.4; SCTP_SET_PEER_PRIMARY_ADDR, RFC
// 6458 8.3.3). ip must be an address of the association.
func (c *SCTPConn) SetPeerPrimary(assoc AssocID, ip net.IPAddr) error {
	sa, _, err := packSockaddrs(&SCTPAddr{IPAddrs: []net.IPAddr{ip}}, false)
	if err != nil {
		return c.opErr("set peer primary", err)
	}
	return c.ctrl("set peer primary", func(k *cSock) int { return k.setPeerPrimary(assoc, sa) })
}

// SetAutoASCONF sets whether [SCTPConn.BindAdd] and [SCTPConn.BindRemove]
// tell the peers (SCTP_AUTO_ASCONF, RFC 6458 8.1.23; default on).
func (c *SCTPConn) SetAutoASCONF(on bool) error {
	v := 0
	if on {
		v = 1
	}
	return c.ctrl("set", func(k *cSock) int { return k.setInt(cOptAutoASCONF, v) })
}

// asconfStateName names the notification-only path states.
func asconfStateName(s PathState) (string, bool) {
	switch s {
	case PathAdded:
		return "added", true
	case PathRemoved:
		return "removed", true
	case PathMadePrimary:
		return "made-primary", true
	}
	return "", false
}
