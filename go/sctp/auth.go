package sctp

// Authenticated chunks (RFC 4895): shared keys and the chunk types a conn
// accepts only authenticated. See [AuthConfig] for switching AUTH on.

// HMAC identifiers of RFC 4895 section 3.3.
const (
	// HMACSHA1 is HMAC-SHA-1, which every AUTH endpoint supports.
	HMACSHA1 uint16 = 1
	// HMACSHA256 is HMAC-SHA-256, the one listed first by default.
	HMACSHA256 uint16 = 3
)

// AuthConfig switches on authenticated chunks (RFC 4895) for the
// associations of a conn, set in [Options.Auth]: the conn offers AUTH in
// its INIT and INIT ACK, and once the peer offers it too, the chunks the
// peer lists are sent after an AUTH chunk, and those in Chunks are
// accepted only after one. Keys are set on the conn afterwards (see
// [SCTPConn.SetAuthKey]); without any, both ends use the empty key 0.
// Not available with TransportKernel unless the kernel allows AUTH
// (sysctl net.sctp.auth_enable).
type AuthConfig struct {
	// Chunks lists the chunk types (RFC 9260 3.2, e.g. 0 for DATA) that
	// the conn accepts only authenticated. INIT, INIT ACK, SHUTDOWN
	// COMPLETE and AUTH are not allowed. May be empty.
	Chunks []uint8
	// HMACs lists the HMAC identifiers the peer is asked to use, by
	// preference; nil means HMACSHA256, HMACSHA1. It must hold HMACSHA1.
	HMACs []uint16
}

// applyAuth sets a on a new socket before it is bound. st.mu is held.
func applyAuth(k *cSock, a *AuthConfig) int {
	if a == nil {
		return 0
	}
	if r := k.authSupported(true); r < 0 {
		return r
	}
	for _, t := range a.Chunks {
		if r := k.authChunk(t); r < 0 {
			return r
		}
	}
	if len(a.HMACs) > 0 {
		return k.authHMACs(a.HMACs)
	}
	return 0
}

// SetAuthKey adds or replaces the endpoint pair shared key keyID (RFC 4895
// 6.1, RFC 6458 SCTP_AUTH_KEY; at most 256 bytes, empty for a null key).
// assoc 0 sets it on the conn's endpoint (copied into associations set up
// afterwards; on a one-to-one conn: its association once connected); else
// on that association of a one-to-many conn.
func (c *SCTPConn) SetAuthKey(assoc AssocID, keyID uint16, key []byte) error {
	return c.ctrl("set", func(k *cSock) int { return k.authKey(assoc, keyID, key) })
}

// SetActiveAuthKey makes keyID the key used to send authenticated chunks
// (RFC 6458 SCTP_AUTH_ACTIVE_KEY). The key must exist and not be
// deactivated. Key 0 is active at first.
func (c *SCTPConn) SetActiveAuthKey(assoc AssocID, keyID uint16) error {
	return c.ctrl("set", func(k *cSock) int { return k.authKeyOp(0, assoc, keyID) })
}

// ActiveAuthKey returns the key identifier used for sending.
func (c *SCTPConn) ActiveAuthKey(assoc AssocID) (uint16, error) {
	var id uint16
	err := c.ctrl("get", func(k *cSock) int {
		var r int
		id, r = k.authActive(assoc)
		return r
	})
	return id, err
}

// DeactivateAuthKey stops keyID from being used for sending (RFC 6458
// SCTP_AUTH_DEACTIVATE_KEY); received chunks may still use it. The active
// key cannot be deactivated.
func (c *SCTPConn) DeactivateAuthKey(assoc AssocID, keyID uint16) error {
	return c.ctrl("set", func(k *cSock) int { return k.authKeyOp(1, assoc, keyID) })
}

// DeleteAuthKey forgets a deactivated key (RFC 6458 SCTP_AUTH_DELETE_KEY):
// chunks authenticated with it are discarded from then on.
func (c *SCTPConn) DeleteAuthKey(assoc AssocID, keyID uint16) error {
	return c.ctrl("set", func(k *cSock) int { return k.authKeyOp(2, assoc, keyID) })
}

// PeerAuthChunks returns the chunk types the peer of an association asked
// to receive authenticated (RFC 6458 SCTP_PEER_AUTH_CHUNKS). It fails when
// the association does not use AUTH.
func (c *SCTPConn) PeerAuthChunks(assoc AssocID) ([]uint8, error) {
	return c.authChunks(true, assoc)
}

// LocalAuthChunks returns the chunk types the conn accepts only
// authenticated (RFC 6458 SCTP_LOCAL_AUTH_CHUNKS).
func (c *SCTPConn) LocalAuthChunks(assoc AssocID) ([]uint8, error) {
	return c.authChunks(false, assoc)
}

func (c *SCTPConn) authChunks(peer bool, assoc AssocID) ([]uint8, error) {
	var out []uint8
	err := c.ctrl("get", func(k *cSock) int {
		var r int
		out, r = k.authChunks(peer, assoc)
		return r
	})
	return out, err
}

// SetAuthKey sets an endpoint pair shared key on the listener's endpoint:
// associations accepted afterwards start with it (see
// [SCTPConn.SetAuthKey]).
func (l *SCTPListener) SetAuthKey(keyID uint16, key []byte) error {
	if l == nil {
		return invalid("set")
	}
	return l.c.SetAuthKey(0, keyID, key)
}
