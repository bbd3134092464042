//go:build cgo

package sctp

// The C calls of the stream reconfiguration options (RFC 6525 6.3;
// csctp_io.h CSCTP_OPT_RESET_STREAMS and the others).

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <stdlib.h>
#include <string.h>
#include "csctp_io.h"

static int go_reset_streams(csctp_sock *s, csctp_assoc_id id, int flags,
                            const uint16_t *sids, int n) {
	size_t len = sizeof(struct csctp_reset_streams) + 2u * (size_t)n;
	struct csctp_reset_streams *r = calloc(1, len);
	if (r == NULL)
		return CSCTP_ERR_NOMEM;
	r->srs_assoc_id = id;
	r->srs_flags = (uint16_t)flags;
	r->srs_number_streams = (uint16_t)n;
	if (n > 0)
		memcpy(r->srs_stream_list, sids, 2u * (size_t)n);
	int rv = csctp_setsockopt(s, CSCTP_RESET_STREAMS, r, len);
	free(r);
	return rv;
}

static int go_add_streams(csctp_sock *s, csctp_assoc_id id, int in, int out) {
	struct csctp_add_streams a;
	memset(&a, 0, sizeof a);
	a.sas_assoc_id = id;
	a.sas_instrms = (uint16_t)in;
	a.sas_outstrms = (uint16_t)out;
	return csctp_setsockopt(s, CSCTP_ADD_STREAMS, &a, sizeof a);
}

static int go_reset_assoc(csctp_sock *s, csctp_assoc_id id) {
	return csctp_setsockopt(s, CSCTP_RESET_ASSOC, &id, sizeof id);
}

static int go_enable_stream_reset(csctp_sock *s, csctp_assoc_id id,
                                  uint32_t v) {
	csctp_assoc_value a;
	memset(&a, 0, sizeof a);
	a.assoc_id = id;
	a.value = v;
	return csctp_setsockopt(s, CSCTP_ENABLE_STREAM_RESET, &a, sizeof a);
}
*/
import "C"

import "unsafe"

// The Go constants must match the C ones.
var (
	_ [C.CSCTP_EV_STREAM_RESET - cEvStreamReset]struct{}
	_ [cEvStreamReset - C.CSCTP_EV_STREAM_RESET]struct{}
	_ [C.CSCTP_EV_STREAM_CHANGE - cEvStreamChange]struct{}
	_ [cEvStreamChange - C.CSCTP_EV_STREAM_CHANGE]struct{}
	_ [C.CSCTP_EV_ASSOC_RESET - cEvAssocReset]struct{}
	_ [cEvAssocReset - C.CSCTP_EV_ASSOC_RESET]struct{}
)

func (k *cSock) resetStreams(id AssocID, flags int, sids []uint16) int {
	if len(sids) > 65535 {
		return cErrInval
	}
	var p *C.uint16_t
	if len(sids) > 0 {
		p = (*C.uint16_t)(unsafe.Pointer(&sids[0]))
	}
	return int(C.go_reset_streams(k.p, C.csctp_assoc_id(id), C.int(flags), p, C.int(len(sids))))
}

func (k *cSock) addStreams(id AssocID, in, out int) int {
	return int(C.go_add_streams(k.p, C.csctp_assoc_id(id), C.int(in), C.int(out)))
}

func (k *cSock) resetAssoc(id AssocID) int {
	return int(C.go_reset_assoc(k.p, C.csctp_assoc_id(id)))
}

func (k *cSock) enableStreamReset(id AssocID, v uint32) int {
	return int(C.go_enable_stream_reset(k.p, C.csctp_assoc_id(id), C.uint32_t(v)))
}
