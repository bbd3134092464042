//go:build cgo

package sctp

// The C calls of dynamic address reconfiguration (RFC 5061; csctp_io.h
// csctp_bindx_op and the ASCONF options).

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <string.h>
#include "csctp_io.h"

static int go_asconf_supported(csctp_sock *s, int on) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.value = (uint32_t)on;
	return csctp_setsockopt(s, CSCTP_ASCONF_SUPPORTED, &v, sizeof v);
}

static int go_asconf_enabled(csctp_sock *s, csctp_assoc_id id, int *on) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.assoc_id = id;
	size_t l = sizeof v;
	int r = csctp_getsockopt(s, CSCTP_ASCONF_SUPPORTED, &v, &l);
	*on = (int)v.value;
	return r;
}

static int go_set_peer_primary(csctp_sock *s, csctp_assoc_id id,
                               const void *sa, size_t len) {
	csctp_setpeerprim p;
	memset(&p, 0, sizeof p);
	p.assoc_id = id;
	if (len > sizeof p.addr)
		return CSCTP_ERR_INVAL;
	memcpy(&p.addr, sa, len);
	return csctp_setsockopt(s, CSCTP_SET_PEER_PRIMARY_ADDR, &p, sizeof p);
}
*/
import "C"

import "unsafe"

// The Go constants must match the C ones.
const (
	cBindxAdd      = C.CSCTP_BINDX_ADD_ADDR
	cBindxRem      = C.CSCTP_BINDX_REM_ADDR
	cOptAutoASCONF = C.CSCTP_OPT_AUTO_ASCONF
	cPathAddedC    = C.CSCTP_PATH_ADDED
	cPathRemovedC  = C.CSCTP_PATH_REMOVED
	cPathMadePrimC = C.CSCTP_PATH_MADE_PRIMARY
)

var (
	_ [cPathAddedC - int(PathAdded)]struct{}
	_ [int(PathAdded) - cPathAddedC]struct{}
	_ [cPathRemovedC - int(PathRemoved)]struct{}
	_ [int(PathRemoved) - cPathRemovedC]struct{}
	_ [cPathMadePrimC - int(PathMadePrimary)]struct{}
	_ [int(PathMadePrimary) - cPathMadePrimC]struct{}
)

func (k *cSock) asconfSupported(on bool) int {
	v := 0
	if on {
		v = 1
	}
	return int(C.go_asconf_supported(k.p, C.int(v)))
}

func (k *cSock) asconfEnabled(id AssocID) (bool, int) {
	var on C.int
	r := int(C.go_asconf_enabled(k.p, C.csctp_assoc_id(id), &on))
	return on != 0, r
}

func (k *cSock) bindxOp(sa []byte, n, flags int) int {
	return int(C.csctp_bindx_op(k.p, (*C.struct_sockaddr)(unsafe.Pointer(&sa[0])), C.size_t(n), C.int(flags)))
}

func (k *cSock) setPeerPrimary(id AssocID, sa []byte) int {
	return int(C.go_set_peer_primary(k.p, C.csctp_assoc_id(id), unsafe.Pointer(&sa[0]), C.size_t(len(sa))))
}
