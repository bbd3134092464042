//go:build cgo && unix

package sctp

// The C side of associations over a caller's connection (lower.go): a
// CSCTP_TRANSPORT_CONN stack whose conn_output calls goConnOutput
// (lower_export.go). Every function makes one short C call; the caller
// holds the stack's mutex, except cNewConnStack.

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include "csctp_io.h"

extern int goConnOutput(uintptr_t id, uint8_t *pkt, size_t len);

// The lower layer has one connection per stack: its handle is 1.
#define GO_CONN_HANDLE ((void *)(uintptr_t)1)

static int go_conn_output(void *ud, void *handle, const uint8_t *pkt,
                          size_t len) {
	(void)handle;
	return goConnOutput((uintptr_t)ud, (uint8_t *)pkt, len);
}

static int go_new_conn_stack(csctp_stack **out, uintptr_t id, uint32_t edmid,
                             uint32_t pmtu) {
	csctp_stack_config cfg;
	csctp_stack_config_default(&cfg);
	cfg.transport = CSCTP_TRANSPORT_CONN;
	cfg.conn_output = go_conn_output;
	cfg.conn_user_data = (void *)id;
	cfg.conn_edmid = edmid;
	cfg.settings.zero_checksum_edmid = edmid;
	if (pmtu)
		cfg.settings.pmtu = pmtu;
	return csctp_stack_new(out, &cfg);
}

static int go_conn_input(csctp_stack *st, const void *pkt, size_t len) {
	return csctp_conn_input(st, GO_CONN_HANDLE, pkt, len);
}

static void go_sockaddr_conn(void *out, uint16_t port) {
	struct csctp_sockaddr_conn a;
	memset(&a, 0, sizeof a);
#ifdef CSCTP_SOCKADDR_HAS_LEN
	a.sconn_len = (uint8_t)sizeof a;
#endif
	a.sconn_family = CSCTP_AF_CONN;
	a.sconn_port = htons(port);
	a.sconn_addr = GO_CONN_HANDLE;
	memcpy(out, &a, sizeof a);
}
*/
import "C"

import "unsafe"

const (
	cTransportConn = C.CSCTP_TRANSPORT_CONN
	cAFConn        = C.CSCTP_AF_CONN
	cEDMIDDTLS     = C.CSCTP_EDMID_LOWER_LAYER_DTLS
)

// cNewConnStack creates a stack whose packets go to the lower link id.
func cNewConnStack(id uintptr, edmid uint32, pmtu int) (*cStack, error) {
	var p *C.csctp_stack
	if r := C.go_new_conn_stack(&p, C.uintptr_t(id), C.uint32_t(edmid), C.uint32_t(pmtu)); r < 0 {
		return nil, codeError(int(r))
	}
	return &cStack{p: p, ready: C.csctp_stack_ready_count(p)}, nil
}

// connInput hands one received packet to the stack.
func (s *cStack) connInput(pkt []byte) int {
	if len(pkt) == 0 {
		return 0
	}
	return int(C.go_conn_input(s.p, unsafe.Pointer(&pkt[0]), C.size_t(len(pkt))))
}

// connSockaddr returns the struct csctp_sockaddr_conn of the stack's one
// connection with SCTP port port.
func connSockaddr(port int) []byte {
	b := make([]byte, C.sizeof_struct_csctp_sockaddr_conn)
	C.go_sockaddr_conn(unsafe.Pointer(&b[0]), C.uint16_t(port))
	return b
}
