//go:build cgo

package sctp

// The C calls of the interleaving and scheduler options (RFC 8260 4.3;
// csctp_io.h CSCTP_OPT_INTERLEAVING_SUPPORTED and the others).

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <string.h>
#include "csctp_io.h"

static int go_set_assoc_value(csctp_sock *s, int opt, csctp_assoc_id id,
                              uint32_t v) {
	csctp_assoc_value a;
	memset(&a, 0, sizeof a);
	a.assoc_id = id;
	a.value = v;
	return csctp_setsockopt(s, opt, &a, sizeof a);
}

static int go_get_assoc_value(csctp_sock *s, int opt, csctp_assoc_id id,
                              uint32_t *v) {
	csctp_assoc_value a;
	size_t len = sizeof a;
	memset(&a, 0, sizeof a);
	a.assoc_id = id;
	int r = csctp_getsockopt(s, opt, &a, &len);
	*v = a.value;
	return r;
}

static int go_set_stream_value(csctp_sock *s, csctp_assoc_id id, uint16_t sid,
                               uint16_t v) {
	csctp_stream_value a;
	memset(&a, 0, sizeof a);
	a.assoc_id = id;
	a.stream_id = sid;
	a.stream_value = v;
	return csctp_setsockopt(s, CSCTP_OPT_STREAM_SCHEDULER_VALUE, &a, sizeof a);
}

static int go_get_stream_value(csctp_sock *s, csctp_assoc_id id, uint16_t sid,
                               uint16_t *v) {
	csctp_stream_value a;
	size_t len = sizeof a;
	memset(&a, 0, sizeof a);
	a.assoc_id = id;
	a.stream_id = sid;
	int r = csctp_getsockopt(s, CSCTP_OPT_STREAM_SCHEDULER_VALUE, &a, &len);
	*v = a.stream_value;
	return r;
}
*/
import "C"

const (
	cOptInterleaving    = C.CSCTP_OPT_INTERLEAVING_SUPPORTED
	cOptStreamScheduler = C.CSCTP_OPT_STREAM_SCHEDULER
	// cOptFragmentInterleave: int, RFC 6458 8.1.20 level 0-2.
	cOptFragmentInterleave = C.CSCTP_OPT_FRAGMENT_INTERLEAVE
	cOptIDataFSNFrom0      = C.CSCTP_OPT_IDATA_FSN_FROM0
)

// The Go constants must match the C ones.
var (
	_ [C.CSCTP_EV_PARTIAL_DELIVERY - cEvPartialDelivery]struct{}
	_ [cEvPartialDelivery - C.CSCTP_EV_PARTIAL_DELIVERY]struct{}
	_ [0 - C.CSCTP_PARTIAL_DELIVERY_ABORTED]struct{} // 0, as Aborted assumes
	_ [C.CSCTP_PARTIAL_DELIVERY_ABORTED - 0]struct{}
	_ [C.CSCTP_SS_WFQ - int(SchedWFQ)]struct{}
	_ [int(SchedWFQ) - C.CSCTP_SS_WFQ]struct{}
	_ [C.CSCTP_SS_PRIO - int(SchedPriority)]struct{}
	_ [int(SchedPriority) - C.CSCTP_SS_PRIO]struct{}
	_ [C.CSCTP_SS_RR_PKT - int(SchedRoundRobinPacket)]struct{}
	_ [int(SchedRoundRobinPacket) - C.CSCTP_SS_RR_PKT]struct{}
)

func (k *cSock) setAssocValue(opt int, id AssocID, v uint32) int {
	return int(C.go_set_assoc_value(k.p, C.int(opt), C.csctp_assoc_id(id), C.uint32_t(v)))
}

func (k *cSock) getAssocValue(opt int, id AssocID) (uint32, int) {
	var v C.uint32_t
	r := int(C.go_get_assoc_value(k.p, C.int(opt), C.csctp_assoc_id(id), &v))
	return uint32(v), r
}

func (k *cSock) setStreamValue(id AssocID, sid, v uint16) int {
	return int(C.go_set_stream_value(k.p, C.csctp_assoc_id(id), C.uint16_t(sid), C.uint16_t(v)))
}

func (k *cSock) streamValue(id AssocID, sid uint16) (uint16, int) {
	var v C.uint16_t
	r := int(C.go_get_stream_value(k.p, C.csctp_assoc_id(id), C.uint16_t(sid), &v))
	return uint16(v), r
}
