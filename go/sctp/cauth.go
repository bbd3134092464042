//go:build cgo

package sctp

// The C calls of the AUTH options (RFC 4895; csctp_io.h CSCTP_AUTH_*).

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <stdlib.h>
#include <string.h>
#include "csctp_io.h"

static int go_auth_chunk(csctp_sock *s, int type) {
	csctp_authchunk c;
	c.chunk = (uint8_t)type;
	return csctp_setsockopt(s, CSCTP_AUTH_CHUNK, &c, sizeof c);
}

static int go_auth_hmacs(csctp_sock *s, const uint16_t *ids, int n) {
	csctp_hmacalgo h;
	memset(&h, 0, sizeof h);
	if (n < 1 || n > 4)
		return CSCTP_ERR_INVAL;
	h.num_idents = (uint32_t)n;
	memcpy(h.idents, ids, (size_t)n * 2);
	return csctp_setsockopt(s, CSCTP_HMAC_IDENT, &h, sizeof h);
}

static int go_auth_supported(csctp_sock *s, int on) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.value = (uint32_t)on;
	return csctp_setsockopt(s, CSCTP_AUTH_SUPPORTED, &v, sizeof v);
}

static int go_auth_key(csctp_sock *s, csctp_assoc_id id, int keyid,
                       const void *key, int len) {
	size_t n = sizeof(csctp_authkey) + (size_t)len;
	csctp_authkey *k = calloc(1, n);
	if (k == NULL)
		return CSCTP_ERR_NOMEM;
	k->assoc_id = id;
	k->keynumber = (uint16_t)keyid;
	k->keylength = (uint16_t)len;
	if (len > 0)
		memcpy(k->key, key, (size_t)len);
	int r = csctp_setsockopt(s, CSCTP_AUTH_KEY, k, n);
	memset(k, 0, n);
	free(k);
	return r;
}

static int go_auth_keyid(csctp_sock *s, int opt, csctp_assoc_id id, int keyid) {
	csctp_authkeyid k;
	memset(&k, 0, sizeof k);
	k.assoc_id = id;
	k.keynumber = (uint16_t)keyid;
	return csctp_setsockopt(s, opt, &k, sizeof k);
}

static int go_auth_active(csctp_sock *s, csctp_assoc_id id, int *keyid) {
	csctp_authkeyid k;
	memset(&k, 0, sizeof k);
	k.assoc_id = id;
	size_t len = sizeof k;
	int r = csctp_getsockopt(s, CSCTP_AUTH_ACTIVE_KEY, &k, &len);
	*keyid = k.keynumber;
	return r;
}

static int go_auth_chunks(csctp_sock *s, int opt, csctp_assoc_id id,
                          uint8_t *out, int *n) {
	uint8_t buf[sizeof(csctp_authchunks) + 256];
	csctp_authchunks *c = (csctp_authchunks *)buf;
	memset(buf, 0, sizeof buf);
	c->assoc_id = id;
	size_t len = sizeof buf;
	int r = csctp_getsockopt(s, opt, buf, &len);
	if (r == 0) {
		*n = (int)(len - sizeof(csctp_authchunks));
		memcpy(out, buf + sizeof(csctp_authchunks), (size_t)*n);
	}
	return r;
}
*/
import "C"

import "unsafe"

func (k *cSock) authChunk(t uint8) int { return int(C.go_auth_chunk(k.p, C.int(t))) }

func (k *cSock) authHMACs(ids []uint16) int {
	if len(ids) == 0 {
		return cErrInval
	}
	return int(C.go_auth_hmacs(k.p, (*C.uint16_t)(unsafe.Pointer(&ids[0])), C.int(len(ids))))
}

func (k *cSock) authSupported(on bool) int {
	v := 0
	if on {
		v = 1
	}
	return int(C.go_auth_supported(k.p, C.int(v)))
}

func (k *cSock) authKey(id AssocID, keyID uint16, key []byte) int {
	var p unsafe.Pointer
	if len(key) > 0 {
		p = unsafe.Pointer(&key[0])
	}
	return int(C.go_auth_key(k.p, C.csctp_assoc_id(id), C.int(keyID), p, C.int(len(key))))
}

// authKeyOp: 0 activate, 1 deactivate, 2 delete.
func (k *cSock) authKeyOp(op int, id AssocID, keyID uint16) int {
	opt := C.int(C.CSCTP_OPT_AUTH_ACTIVE_KEY)
	switch op {
	case 1:
		opt = C.CSCTP_OPT_AUTH_DEACTIVATE_KEY
	case 2:
		opt = C.CSCTP_OPT_AUTH_DELETE_KEY
	}
	return int(C.go_auth_keyid(k.p, opt, C.csctp_assoc_id(id), C.int(keyID)))
}

func (k *cSock) authActive(id AssocID) (uint16, int) {
	var v C.int
	r := C.go_auth_active(k.p, C.csctp_assoc_id(id), &v)
	return uint16(v), int(r)
}

func (k *cSock) authChunks(peer bool, id AssocID) ([]byte, int) {
	opt := C.int(C.CSCTP_OPT_LOCAL_AUTH_CHUNKS)
	if peer {
		opt = C.CSCTP_OPT_PEER_AUTH_CHUNKS
	}
	var buf [256]byte
	var n C.int
	r := C.go_auth_chunks(k.p, opt, C.csctp_assoc_id(id), (*C.uint8_t)(unsafe.Pointer(&buf[0])), &n)
	if r < 0 {
		return nil, int(r)
	}
	return append([]byte(nil), buf[:int(n)]...), 0
}
