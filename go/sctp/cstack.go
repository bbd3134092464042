//go:build cgo && unix

package sctp

// This file is the only link to the C core. Every function here makes one
// short, non-blocking C call; the caller holds the stack's mutex.

/*
#cgo CFLAGS: -I${SRCDIR}/../../csctp
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csctp_io.h"

// go_scratch is per-socket C memory for the arguments of csctp_recvv and
// csctp_sendv, so that a call allocates nothing.
typedef struct go_scratch {
	csctp_rcvinfo rinfo;
	struct sockaddr_storage from;
	socklen_t fromlen;
	int msg_flags;
	int nbatch; // messages go_recv_batch put in the ring
	csctp_ssize last; // go_send_batch: the result of the send it stopped at
	csctp_sndinfo sinfo;
	struct sockaddr_in6 to; // the destination of go_send (sockaddr_in fits)
} go_scratch;

// go_notif is a csctp_notification flattened (Go cannot read C unions).
typedef struct go_notif {
	uint32_t type, assoc_id, data_len, dropped;
	int32_t error;
	uint16_t out_streams, in_streams, peer_port;
	csctp_addr addr;
	uint32_t reason;
	uint16_t cause_code;
	uint32_t state;
	csctp_sndinfo info;
	uint32_t was_sent;
	uint32_t abandoned;
	uint16_t flags; // RFC 6525 events
	uint32_t local_tsn, remote_tsn;
} go_notif;

// go_mem is the allocator of a stack made by go_new_stack: the C
// library's, with lists of freed blocks in front of it. The engine
// allocates and frees a few blocks per message (the queued message, its
// chunks); a Go program makes its C calls from whichever thread runs the
// goroutine, so glibc's malloc takes its arena lock (an atomic
// compare-and-swap on a line other threads share) for most of them, where
// a single-threaded C program takes none, and a thread's arena gives the
// pages of large blocks back and faults them in again. Every C call on a
// stack is made under the Go stack's mutex (stack.go), so these lists need
// no lock. Each block carries a 16-byte header with its size class (0: not
// cached): 64-byte steps up to 4 KiB, then 4 KiB steps up to 256 KiB; at
// most GO_MEM_KEEP bytes are kept, the rest is freed.
#define GO_MEM_HDR 16
#define GO_MEM_SMALL 64 // classes 1..64: c * 64 bytes, header included
#define GO_MEM_CLASSES (GO_MEM_SMALL + 63) // then (c - 63) * 4096 bytes
#define GO_MEM_MAX ((size_t)(GO_MEM_CLASSES - 63) * 4096)
#define GO_MEM_KEEP (4u << 20)

typedef struct go_mem_blk {
	struct go_mem_blk *next;
} go_mem_blk;

typedef struct go_mem {
	csctp_mem mem; // what the stack is given (user_data: this)
	go_mem_blk *free[GO_MEM_CLASSES + 1];
	size_t kept; // bytes on the lists
} go_mem;

// go_mem_class returns the class of a block of total bytes (0: none).
static size_t go_mem_class(size_t total) {
	if (total <= (size_t)GO_MEM_SMALL * 64)
		return (total + 63) / 64;
	if (total <= GO_MEM_MAX)
		return 63 + (total + 4095) / 4096;
	return 0;
}

static size_t go_mem_class_size(size_t c) {
	return c <= GO_MEM_SMALL ? c * 64 : (c - 63) * 4096;
}

static void *go_mem_malloc(size_t n, void *ud) {
	go_mem *m = ud;
	if (n > SIZE_MAX - GO_MEM_HDR)
		return NULL;
	size_t c = go_mem_class(n + GO_MEM_HDR);
	unsigned char *p = NULL;
	if (c != 0 && m->free[c]) {
		p = (unsigned char *)m->free[c];
		m->free[c] = m->free[c]->next;
		m->kept -= go_mem_class_size(c);
	} else if (!(p = malloc(c != 0 ? go_mem_class_size(c) : n + GO_MEM_HDR))) {
		return NULL;
	}
	*(size_t *)p = c;
	return p + GO_MEM_HDR;
}

static void go_mem_free(void *ptr, void *ud) {
	go_mem *m = ud;
	if (!ptr)
		return;
	unsigned char *p = (unsigned char *)ptr - GO_MEM_HDR;
	size_t c = *(size_t *)p;
	if (c == 0 || m->kept + go_mem_class_size(c) > GO_MEM_KEEP) {
		free(p);
		return;
	}
	go_mem_blk *b = (go_mem_blk *)p;
	b->next = m->free[c];
	m->free[c] = b;
	m->kept += go_mem_class_size(c);
}

static void *go_mem_calloc(size_t k, size_t n, void *ud) {
	if (n != 0 && k > SIZE_MAX / n)
		return NULL;
	void *p = go_mem_malloc(k * n, ud);
	if (p)
		memset(p, 0, k * n);
	return p;
}

static void *go_mem_realloc(void *ptr, size_t n, void *ud) {
	if (!ptr)
		return go_mem_malloc(n, ud);
	unsigned char *p = (unsigned char *)ptr - GO_MEM_HDR;
	size_t c = *(size_t *)p;
	if (n > SIZE_MAX - GO_MEM_HDR)
		return NULL;
	if (c == 0 && go_mem_class(n + GO_MEM_HDR) == 0) {
		unsigned char *q = realloc(p, n + GO_MEM_HDR);
		return q ? q + GO_MEM_HDR : NULL;
	}
	if (c != 0 && n <= go_mem_class_size(c) - GO_MEM_HDR)
		return ptr; // fits where it is
	void *q = go_mem_malloc(n, ud);
	if (!q)
		return NULL;
	// An uncached block (c == 0) only moves here when it shrinks to a
	// cached size.
	size_t old = c != 0 ? go_mem_class_size(c) - GO_MEM_HDR : n;
	memcpy(q, ptr, old < n ? old : n);
	go_mem_free(ptr, ud);
	return q;
}

static go_mem *go_mem_new(void) {
	go_mem *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->mem.user_data = m;
	m->mem.malloc = go_mem_malloc;
	m->mem.free = go_mem_free;
	m->mem.calloc = go_mem_calloc;
	m->mem.realloc = go_mem_realloc;
	return m;
}

// go_mem_del frees m and the blocks it keeps (after csctp_stack_del).
static void go_mem_del(go_mem *m) {
	if (!m)
		return;
	for (int c = 0; c <= GO_MEM_CLASSES; c++) {
		while (m->free[c]) {
			go_mem_blk *b = m->free[c];
			m->free[c] = b->next;
			free(b);
		}
	}
	free(m);
}

// go_mem_check exercises a go_mem the way the engine uses an allocator
// (TestStackAllocator): it returns 0, or the line of the first check that
// failed.
#define GO_MEM_EXPECT(c) \
	do { \
		if (!(c)) { \
			r = __LINE__; \
			goto out; \
		} \
	} while (0)
static int go_mem_check(void) {
	enum { N = 1200 }; // N blocks of 4000 bytes are more than GO_MEM_KEEP
	static unsigned char *p[N];
	static size_t len[N];
	int r = 0;
	go_mem *m = go_mem_new();
	if (!m)
		return __LINE__;
	memset(p, 0, sizeof p);
	// Blocks of every size class and large ones: 16-byte aligned, usable
	// to their length, not overlapping.
	for (int i = 0; i < N; i++) {
		len[i] = i % 10 == 9 ? (size_t)i * 977 % 300000 + 1 : (size_t)i * 13 % 6000 + 1;
		p[i] = go_mem_malloc(len[i], m);
		GO_MEM_EXPECT(p[i] != NULL && (uintptr_t)p[i] % 16 == 0);
		memset(p[i], i & 0xff, len[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < len[i]; j++)
			GO_MEM_EXPECT(p[i][j] == (unsigned char)(i & 0xff));
	// A freed small block is used again for its size; calloc zeroes it.
	unsigned char *q = p[7];
	size_t ql = len[7];
	go_mem_free(q, m);
	p[7] = go_mem_calloc(1, ql, m);
	GO_MEM_EXPECT(p[7] == q);
	for (size_t j = 0; j < ql; j++)
		GO_MEM_EXPECT(p[7][j] == 0);
	// So is a freed 64 KiB block.
	q = go_mem_malloc(65536, m);
	GO_MEM_EXPECT(q != NULL);
	go_mem_free(q, m);
	unsigned char *q2 = go_mem_malloc(65530, m);
	GO_MEM_EXPECT(q2 == q);
	go_mem_free(q2, m);
	// calloc refuses an overflowing product.
	GO_MEM_EXPECT(go_mem_calloc(SIZE_MAX / 2, 4, m) == NULL);
	// realloc keeps the contents: small to small, small to large, large
	// to large, large to small; NULL is malloc.
	unsigned char *a = go_mem_realloc(NULL, 40, m);
	GO_MEM_EXPECT(a != NULL);
	for (int j = 0; j < 40; j++)
		a[j] = (unsigned char)j;
	a = go_mem_realloc(a, 300, m);
	GO_MEM_EXPECT(a != NULL);
	a = go_mem_realloc(a, 9000, m);
	GO_MEM_EXPECT(a != NULL);
	a = go_mem_realloc(a, 20000, m);
	GO_MEM_EXPECT(a != NULL);
	a = go_mem_realloc(a, 400000, m); // beyond the cached sizes
	GO_MEM_EXPECT(a != NULL);
	a = go_mem_realloc(a, 500000, m);
	GO_MEM_EXPECT(a != NULL);
	a = go_mem_realloc(a, 30, m);
	GO_MEM_EXPECT(a != NULL);
	for (int j = 0; j < 30; j++)
		GO_MEM_EXPECT(a[j] == (unsigned char)j);
	go_mem_free(a, m);
	go_mem_free(NULL, m);
	// What is kept is bounded.
	for (int i = 0; i < N; i++) {
		go_mem_free(p[i], m);
		p[i] = NULL;
	}
	for (int k = 0; k < 4; k++) {
		for (int i = 0; i < N; i++)
			GO_MEM_EXPECT((p[i] = go_mem_malloc(4000, m)) != NULL);
		for (int i = 0; i < N; i++) {
			go_mem_free(p[i], m);
			p[i] = NULL;
		}
	}
	GO_MEM_EXPECT(m->kept <= GO_MEM_KEEP && m->kept >= GO_MEM_KEEP - 4096);
out:
	for (int i = 0; i < N; i++)
		go_mem_free(p[i], m);
	go_mem_del(m);
	return r;
}

static int go_new_stack(csctp_stack **out, go_mem **mp, int transport, int udp_port) {
	csctp_stack_config cfg;
	csctp_stack_config_default(&cfg);
	cfg.transport = transport;
	cfg.udp_port = (uint16_t)udp_port;
	go_mem *m = go_mem_new();
	if (!m)
		return CSCTP_ERR_NOMEM;
	cfg.mem = &m->mem;
	int r = csctp_stack_new(out, &cfg);
	if (r < 0) {
		go_mem_del(m);
		return r;
	}
	*mp = m;
	return r;
}

static uint64_t go_stack_endpoints(const csctp_stack *st) {
	csctp_stack_stats s;
	memset(&s, 0, sizeof s);
	csctp_stack_stats_get(st, &s);
	return s.endpoints;
}

// go_stack_stats copies the stack's datagram counters, in the order of
// Go's StackStats fields (stackstats.go).
static void go_stack_stats(const csctp_stack *st, uint64_t *o) {
	csctp_stack_stats s;
	memset(&s, 0, sizeof s);
	csctp_stack_stats_get(st, &s);
	o[0] = s.dgrams_in;
	o[1] = s.dgrams_out;
	o[2] = s.bytes_in;
	o[3] = s.bytes_out;
	o[4] = s.recv_batches;
	o[5] = s.send_batches;
	o[6] = s.gso_sends;
	o[7] = s.gso_pkts;
	o[8] = s.gro_recvs;
	o[9] = s.gro_pkts;
	o[10] = s.send_errors;
}

static int go_fd_readable(int fd) {
	struct pollfd p;
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	int r = poll(&p, 1, 0);
	return r > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

// go_stack_step is csctp_stack_step for a handle passed as an integer
// (cStack.h).
static int go_stack_step(uintptr_t sp) { return csctp_stack_step((csctp_stack *)sp); }

// go_stack_more: 1 if the stack has work now (its fd is readable, or it
// says so); else the stack is ready for a wait on its fd (one-shot: the
// transport fds are watched again) and 0.
static int go_stack_more(uintptr_t sp) {
	csctp_stack *st = (csctp_stack *)sp;
	if (go_fd_readable(csctp_stack_fd(st)))
		return 1;
	return csctp_stack_prepare_wait(st) != 0;
}

static csctp_ssize go_recv(uintptr_t sp, go_scratch *g, uint8_t *buf, size_t len) {
	csctp_sock *s = (csctp_sock *)sp;
	struct iovec iov;
	iov.iov_base = buf;
	iov.iov_len = len;
	g->fromlen = sizeof g->from;
	g->msg_flags = 0;
	memset(&g->rinfo, 0, sizeof g->rinfo);
	memset(&g->from, 0, sizeof g->from);
	return csctp_recvv(s, &iov, 1, &g->from, &g->fromlen, &g->rinfo, &g->msg_flags);
}

// go_rmeta describes one message (or part) go_recv_batch put in the Go
// ring (rxbatch.go): fixed-width fields only, the layout of Go's rxMeta.
typedef struct go_rmeta {
	uint32_t len, flags; // bytes in the ring; CSCTP_MSG_* flags
	uint32_t ppid, tsn, cumtsn, assoc_id;
	uint16_t sid, ssn, rflags, udp_port; // rflags: csctp_rcvinfo.flags
	uint32_t fromlen; // 0: no address (or one longer than from)
	uint8_t from[28]; // the peer's sockaddr_in or sockaddr_in6
} go_rmeta;

static void go_rmeta_fill(go_rmeta *m, csctp_ssize n, int flags,
                          const csctp_rcvinfo *ri,
                          const struct sockaddr_storage *from, socklen_t fl) {
	m->len = (uint32_t)n;
	m->flags = (uint32_t)flags;
	m->ppid = ri->ppid;
	m->tsn = ri->tsn;
	m->cumtsn = ri->cumtsn;
	m->assoc_id = ri->assoc_id;
	m->sid = ri->sid;
	m->ssn = ri->ssn;
	m->rflags = ri->flags;
	m->udp_port = ri->from.port;
	m->fromlen = 0;
	if (fl > 0 && (size_t)fl <= sizeof m->from) {
		memcpy(m->from, from, (size_t)fl);
		m->fromlen = (uint32_t)fl;
	}
}

// go_recv_batch is go_recv into buf, and then, when that read returned a
// whole data message of at most small bytes, the messages that follow
// (up to max, while ring has room for small bytes) into ring, one
// go_rmeta each: one cgo call for a run of small messages. It stops after
// a notification or a part of a message, and at the first read that
// returns nothing (-EAGAIN re-arms the socket's read signal as always;
// end of file and errors come back on the next call). g->nbatch is the
// number of ring entries.
static csctp_ssize go_recv_batch(uintptr_t sp, go_scratch *g, uint8_t *buf,
                                 size_t len, uint8_t *ring, size_t rlen,
                                 go_rmeta *m, int max, size_t small) {
	csctp_sock *s = (csctp_sock *)sp;
	csctp_ssize r = go_recv(sp, g, buf, len);
	g->nbatch = 0;
	if (r <= 0 || (size_t)r > small ||
	    (g->msg_flags & (CSCTP_MSG_EOR | CSCTP_MSG_NOTIFICATION)) != CSCTP_MSG_EOR)
		return r;
	size_t off = 0;
	int n = 0;
	while (n < max && rlen - off >= small) {
		struct iovec iov;
		iov.iov_base = ring + off;
		iov.iov_len = rlen - off;
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		csctp_rcvinfo ri;
		memset(&ri, 0, sizeof ri);
		int mf = 0;
		csctp_ssize k = csctp_recvv(s, &iov, 1, &from, &fl, &ri, &mf);
		if (k <= 0)
			break;
		go_rmeta_fill(&m[n++], k, mf, &ri, &from, fl);
		off += (size_t)k;
		if ((mf & (CSCTP_MSG_EOR | CSCTP_MSG_NOTIFICATION)) != CSCTP_MSG_EOR)
			break;
	}
	g->nbatch = n;
	return r;
}

// go_wmeta describes one message of a go_send_batch: fixed-width fields
// only, the layout of Go's txMeta (batch.go).
typedef struct go_wmeta {
	uint32_t len, ppid, context, assoc_id, pr_value;
	uint16_t sid, flags, pr_policy, use_info; // use_info 0: the default
} go_wmeta;

// go_send_batch sends the n messages laid end to end in buf, one
// csctp_sendv each, in one cgo call. It returns how many were accepted;
// g->last is the result of the one it stopped at (0 when all went).
static int go_send_batch(uintptr_t sp, go_scratch *g, const uint8_t *buf,
                         const go_wmeta *m, int n) {
	csctp_sock *s = (csctp_sock *)sp;
	size_t off = 0;
	g->last = 0;
	for (int i = 0; i < n; i++) {
		struct iovec iov;
		iov.iov_base = (void *)(buf + off);
		iov.iov_len = m[i].len;
		csctp_sndinfo si;
		memset(&si, 0, sizeof si);
		si.sid = m[i].sid;
		si.flags = m[i].flags;
		si.ppid = m[i].ppid;
		si.context = m[i].context;
		si.assoc_id = m[i].assoc_id;
		si.pr_policy = m[i].pr_policy;
		si.pr_value = m[i].pr_value;
		csctp_ssize r = csctp_sendv(s, &iov, m[i].len ? 1 : 0, NULL,
		                            m[i].use_info ? &si : NULL, 0);
		if (r < 0) {
			g->last = r;
			return i;
		}
		off += m[i].len;
	}
	return n;
}

static csctp_ssize go_send(uintptr_t sp, go_scratch *g, const uint8_t *buf, size_t len,
                           int has_to, int use_info) {
	csctp_sock *s = (csctp_sock *)sp;
	struct iovec iov;
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	return csctp_sendv(s, &iov, len ? 1 : 0, has_to ? (const struct sockaddr *)&g->to : NULL,
	                   use_info ? &g->sinfo : NULL, 0);
}

static int go_accept(csctp_sock *s, csctp_sock **out, go_scratch *g) {
	g->fromlen = sizeof g->from;
	memset(&g->from, 0, sizeof g->from);
	return csctp_accept(s, out, &g->from, &g->fromlen);
}

static void go_notif_flatten(const csctp_notification *n, go_notif *g) {
	memset(g, 0, sizeof *g);
	g->type = n->type;
	g->assoc_id = n->assoc_id;
	g->data_len = n->data_len;
	g->dropped = n->dropped;
	g->error = n->error;
	switch (n->type) {
	case CSCTP_EV_ASSOC_UP:
	case CSCTP_EV_ASSOC_RESTART:
		g->out_streams = n->u.up.outbound_streams;
		g->in_streams = n->u.up.inbound_streams;
		g->peer_port = n->u.up.peer_port;
		g->addr = n->u.up.peer;
		break;
	case CSCTP_EV_ASSOC_LOST:
		g->reason = n->u.lost.reason;
		g->cause_code = n->u.lost.cause_code;
		break;
	case CSCTP_EV_SEND_FAILED:
		g->info = n->u.send_failed.info;
		g->was_sent = n->u.send_failed.was_sent;
		g->abandoned = n->u.send_failed.abandoned;
		break;
	case CSCTP_EV_PEER_ADDR_CHANGE:
		g->addr = n->u.paddr.addr;
		g->state = n->u.paddr.state;
		break;
	case CSCTP_EV_REMOTE_ERROR:
		g->cause_code = n->u.remote_error.cause_code;
		break;
	case CSCTP_EV_STREAM_RESET:
		g->flags = n->u.stream_reset.flags;
		break;
	case CSCTP_EV_ASSOC_RESET:
		g->flags = n->u.assoc_reset.flags;
		g->local_tsn = n->u.assoc_reset.local_tsn;
		g->remote_tsn = n->u.assoc_reset.remote_tsn;
		break;
	case CSCTP_EV_STREAM_CHANGE:
		g->flags = n->u.stream_change.flags;
		g->in_streams = n->u.stream_change.instrms;
		g->out_streams = n->u.stream_change.outstrms;
		break;
	case CSCTP_EV_PARTIAL_DELIVERY: // read by pdapiNotification (idata.go)
		g->state = n->u.pdapi.indication;
		g->out_streams = n->u.pdapi.stream;
		g->flags = n->u.pdapi.flags;
		g->local_tsn = n->u.pdapi.seq;
		break;
	}
}

static void go_notif_parse(const void *raw, go_notif *g) {
	csctp_notification n;
	memcpy(&n, raw, sizeof n);
	go_notif_flatten(&n, g);
}

static size_t go_notif_size(void) { return sizeof(csctp_notification); }

static int go_next_notif(csctp_sock *s, go_notif *g, void *data, size_t datalen) {
	csctp_notification n;
	memset(&n, 0, sizeof n);
	int r = csctp_sock_next_notification(s, &n, data, datalen);
	if (r == 0)
		go_notif_flatten(&n, g);
	return r;
}

static int go_set_initmsg(csctp_sock *s, int ostreams, int instreams, int attempts,
                          uint32_t timeout_ms) {
	csctp_initmsg m;
	memset(&m, 0, sizeof m);
	m.num_ostreams = (uint16_t)ostreams;
	m.max_instreams = (uint16_t)instreams;
	m.max_attempts = (uint16_t)attempts;
	m.max_init_timeout = timeout_ms;
	return csctp_setsockopt(s, CSCTP_OPT_INITMSG, &m, sizeof m);
}

static int go_set_int(csctp_sock *s, int opt, int v) {
	return csctp_setsockopt(s, opt, &v, sizeof v);
}

static int go_set_rto(csctp_sock *s, uint32_t initial, uint32_t min, uint32_t max) {
	csctp_rtoinfo r;
	memset(&r, 0, sizeof r);
	r.initial = initial;
	r.min = min;
	r.max = max;
	return csctp_setsockopt(s, CSCTP_OPT_RTOINFO, &r, sizeof r);
}

static int go_get_rto(csctp_sock *s, uint32_t *initial, uint32_t *min, uint32_t *max) {
	csctp_rtoinfo r;
	memset(&r, 0, sizeof r);
	size_t len = sizeof r;
	int e = csctp_getsockopt(s, CSCTP_OPT_RTOINFO, &r, &len);
	*initial = r.initial;
	*min = r.min;
	*max = r.max;
	return e;
}

static int go_set_heartbeat(csctp_sock *s, uint32_t ms) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.value = ms;
	return csctp_setsockopt(s, CSCTP_OPT_HEARTBEAT, &v, sizeof v);
}

static int go_set_def_sndinfo(csctp_sock *s, uint16_t sid, uint16_t flags, uint32_t ppid,
                              uint32_t context) {
	csctp_sndinfo si;
	memset(&si, 0, sizeof si);
	si.sid = sid;
	si.flags = flags;
	si.ppid = ppid;
	si.context = context;
	return csctp_setsockopt(s, CSCTP_OPT_DEFAULT_SNDINFO, &si, sizeof si);
}

static int go_set_linger(csctp_sock *s, int on, int secs) {
	csctp_linger l;
	l.onoff = on;
	l.linger = secs;
	return csctp_setsockopt(s, CSCTP_OPT_LINGER, &l, sizeof l);
}

static int go_set_udpencaps(csctp_sock *s, int port) {
	csctp_udpencaps u;
	memset(&u, 0, sizeof u);
	u.port = (uint16_t)port;
	return csctp_setsockopt(s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u);
}

static int go_set_congestion(csctp_sock *s, int cc) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.value = (uint32_t)cc;
	return csctp_setsockopt(s, CSCTP_OPT_CONGESTION, &v, sizeof v);
}

static int go_set_pr_supported(csctp_sock *s, int on) {
	csctp_assoc_value v;
	memset(&v, 0, sizeof v);
	v.value = (uint32_t)on;
	return csctp_setsockopt(s, CSCTP_OPT_PR_SUPPORTED, &v, sizeof v);
}

static int go_paths(csctp_sock *s, csctp_assoc_id id, csctp_path_status *out,
                    int max, int *npaths) {
	size_t len = sizeof(csctp_paddrinfo) + (size_t)max * sizeof(csctp_path_status);
	csctp_paddrinfo *pi = calloc(1, len);
	if (pi == NULL)
		return CSCTP_ERR_NOMEM;
	pi->assoc_id = id;
	int r = csctp_getsockopt(s, CSCTP_OPT_PEER_ADDR_INFO, pi, &len);
	if (r == 0) {
		int n = (int)pi->npaths < max ? (int)pi->npaths : max;
		memcpy(out, pi->paths, (size_t)n * sizeof(csctp_path_status));
		*npaths = (int)pi->npaths;
	}
	free(pi);
	return r;
}

// The stack's ready list (csctp_stack_poll_ready): socket keys and sides
// copied out to Go arrays, which hold no pointers.
static int go_poll_ready(uintptr_t sp, uintptr_t *keys, int32_t *sides,
                         int max) {
	csctp_stack *st = (csctp_stack *)sp;
	csctp_ready r[64];
	if (max > 64)
		max = 64;
	size_t n = csctp_stack_poll_ready(st, r, (size_t)max);
	for (size_t i = 0; i < n; i++) {
		keys[i] = (uintptr_t)r[i].user;
		sides[i] = r[i].which;
	}
	return (int)n;
}

static void go_sock_set_user(csctp_sock *s, uintptr_t key) {
	csctp_sock_set_user(s, (void *)key);
}
*/
import "C"

import (
	"net/netip"
	"time"
	"unsafe"

	_ "github.com/csctp/csctp/csctp" // links the C core (csctp/*.c)
)

// Compile-time checks that consts.go matches the headers: each array type
// has length 0 only when the two values are equal.
var (
	_ [C.CSCTP_ERR_INVAL - cErrInval]struct{}
	_ [cErrInval - C.CSCTP_ERR_INVAL]struct{}
	_ [C.CSCTP_ERR_AGAIN - cErrAgain]struct{}
	_ [cErrAgain - C.CSCTP_ERR_AGAIN]struct{}
	_ [C.CSCTP_ERR_CLOSED - cErrClosed]struct{}
	_ [cErrClosed - C.CSCTP_ERR_CLOSED]struct{}
	_ [C.CSCTP_ERR_ABORTED - cErrAborted]struct{}
	_ [cErrAborted - C.CSCTP_ERR_ABORTED]struct{}
	_ [C.CSCTP_ERR_TIMEOUT - cErrTimeout]struct{}
	_ [cErrTimeout - C.CSCTP_ERR_TIMEOUT]struct{}
	_ [C.CSCTP_ERR_REFUSED - cErrRefused]struct{}
	_ [cErrRefused - C.CSCTP_ERR_REFUSED]struct{}
	_ [C.CSCTP_ERR_STREAM - cErrStream]struct{}
	_ [cErrStream - C.CSCTP_ERR_STREAM]struct{}
	_ [C.CSCTP_ERR_MSGSIZE - cErrMsgSize]struct{}
	_ [cErrMsgSize - C.CSCTP_ERR_MSGSIZE]struct{}
	_ [C.CSCTP_ERR_NOT_FOUND - cErrNotFound]struct{}
	_ [cErrNotFound - C.CSCTP_ERR_NOT_FOUND]struct{}
	_ [C.CSCTP_ERR_NOT_SUPPORTED - cErrNotSupported]struct{}
	_ [cErrNotSupported - C.CSCTP_ERR_NOT_SUPPORTED]struct{}
	_ [C.CSCTP_EV_ASSOC_UP - cEvAssocUp]struct{}
	_ [cEvAssocUp - C.CSCTP_EV_ASSOC_UP]struct{}
	_ [C.CSCTP_EV_SENDER_DRY - cEvSenderDry]struct{}
	_ [cEvSenderDry - C.CSCTP_EV_SENDER_DRY]struct{}
	_ [C.CSCTP_SEND_UNORDERED - cSendUnordered]struct{}
	_ [cSendUnordered - C.CSCTP_SEND_UNORDERED]struct{}
	_ [C.CSCTP_SEND_EOF - cSendEOF]struct{}
	_ [cSendEOF - C.CSCTP_SEND_EOF]struct{}
	_ [C.CSCTP_SEND_ABORT - cSendAbort]struct{}
	_ [cSendAbort - C.CSCTP_SEND_ABORT]struct{}
	_ [C.CSCTP_SEND_SACK_NOW - cSendSackNow]struct{}
	_ [cSendSackNow - C.CSCTP_SEND_SACK_NOW]struct{}
	_ [C.CSCTP_SEND_EOR - cSendEOR]struct{}
	_ [cSendEOR - C.CSCTP_SEND_EOR]struct{}
	_ [C.CSCTP_OPT_EXPLICIT_EOR - cOptExplicitEOR]struct{}
	_ [cOptExplicitEOR - C.CSCTP_OPT_EXPLICIT_EOR]struct{}
	_ [C.CSCTP_RCV_UNORDERED - cRcvUnordered]struct{}
	_ [cRcvUnordered - C.CSCTP_RCV_UNORDERED]struct{}
	_ [C.CSCTP_RCV_EOR - cRcvEOR]struct{}
	_ [cRcvEOR - C.CSCTP_RCV_EOR]struct{}
	_ [C.CSCTP_MSG_EOR - cMsgEOR]struct{}
	_ [cMsgEOR - C.CSCTP_MSG_EOR]struct{}
	_ [C.CSCTP_MSG_NOTIFICATION - cMsgNotification]struct{}
	_ [cMsgNotification - C.CSCTP_MSG_NOTIFICATION]struct{}
	_ [C.CSCTP_SOCK_STREAM - cSockStream]struct{}
	_ [cSockStream - C.CSCTP_SOCK_STREAM]struct{}
	_ [C.CSCTP_SOCK_SEQPACKET - cSockSeqpacket]struct{}
	_ [cSockSeqpacket - C.CSCTP_SOCK_SEQPACKET]struct{}
	_ [C.CSCTP_TRANSPORT_RAW - cTransportRaw]struct{}
	_ [cTransportRaw - C.CSCTP_TRANSPORT_RAW]struct{}
	_ [C.CSCTP_TRANSPORT_KERNEL - cTransportKernel]struct{}
	_ [cTransportKernel - C.CSCTP_TRANSPORT_KERNEL]struct{}
	_ [C.CSCTP_UDP_ENCAPS_PORT - cUDPEncapsPort]struct{}
	_ [cUDPEncapsPort - C.CSCTP_UDP_ENCAPS_PORT]struct{}
	_ [DefaultUDPPort - C.CSCTP_UDP_ENCAPS_PORT]struct{}
	_ [C.CSCTP_UDP_ENCAPS_PORT - DefaultUDPPort]struct{}
	_ [C.CSCTP_POLLOUT - cPollOut]struct{}
	_ [cPollOut - C.CSCTP_POLLOUT]struct{}
	_ [C.CSCTP_POLLERR - cPollErr]struct{}
	_ [cPollErr - C.CSCTP_POLLERR]struct{}
	_ [C.CSCTP_POLLHUP - cPollHup]struct{}
	_ [cPollHup - C.CSCTP_POLLHUP]struct{}
	_ [C.CSCTP_OPT_NODELAY - cOptNoDelay]struct{}
	_ [cOptNoDelay - C.CSCTP_OPT_NODELAY]struct{}
	_ [C.CSCTP_OPT_RCVBUF - cOptRcvBuf]struct{}
	_ [cOptRcvBuf - C.CSCTP_OPT_RCVBUF]struct{}
	_ [C.CSCTP_OPT_SNDBUF - cOptSndBuf]struct{}
	_ [cOptSndBuf - C.CSCTP_OPT_SNDBUF]struct{}
	_ [C.CSCTP_CC_RENO - CongestionReno]struct{}
	_ [CongestionReno - C.CSCTP_CC_RENO]struct{}
	_ [C.CSCTP_CC_CUBIC - CongestionCubic]struct{}
	_ [CongestionCubic - C.CSCTP_CC_CUBIC]struct{}
)

func cStrerror(code int) string { return C.GoString(C.csctp_strerror(C.int(code))) }

// haveCore is true: the C core is linked.
const haveCore = true

// cKernelProbe returns 0 when the kernel offers SCTP sockets, else the
// negated errno of socket(2) (CSCTP_ERR_NOT_SUPPORTED where the C core has
// no kernel backend).
func cKernelProbe() int { return int(C.csctp_kernel_probe()) }

// cKernelWhy names the cause of a kernel probe or kernel socket error.
func cKernelWhy(code int) string { return C.GoString(C.csctp_kernel_why(C.int(code))) }

// cStack is one C csctp_stack.
type cStack struct {
	p     *C.csctp_stack
	ready *C.uint   // csctp_stack_ready_count: read without a cgo call
	mem   *C.go_mem // the stack's allocator (go_mem); nil for a lower stack
}

func cNewStack(k stackKey) (*cStack, error) {
	var p *C.csctp_stack
	var m *C.go_mem
	if r := C.go_new_stack(&p, &m, C.int(k.transport), C.int(k.udpPort)); r < 0 {
		return nil, codeError(int(r))
	}
	return &cStack{p: p, ready: C.csctp_stack_ready_count(p), mem: m}, nil
}

// h is the C stack as an integer, for the calls made per message or per
// wait: cgo checks every argument of an opaque C pointer type (a lookup of
// the address among Go's memory, per call); C memory needs no such check.
func (s *cStack) h() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(s.p))) }

func (s *cStack) fd() int          { return int(C.csctp_stack_fd(s.p)) }
func (s *cStack) step() int        { return int(C.go_stack_step(s.h())) }
func (s *cStack) udpPort() int     { return int(C.csctp_stack_udp_port(s.p)) }
func (s *cStack) endpoints() int   { return int(C.go_stack_endpoints(s.p)) }
func (s *cStack) more() bool       { return C.go_stack_more(s.h()) != 0 }
func (s *cStack) setOneshot() bool { return C.csctp_stack_set_oneshot(s.p) == 0 }
func (s *cStack) timeoutNS() int64 { return int64(C.csctp_stack_timeout_ns(s.p)) }

// cMemCheck runs go_mem_check: 0, or the C line of the check that failed.
func cMemCheck() int { return int(C.go_mem_check()) }

func (s *cStack) del() {
	C.csctp_stack_del(s.p)
	C.go_mem_del(s.mem)
	s.p, s.ready, s.mem = nil, nil, nil
}
func (s *cStack) setReadyList() { C.csctp_stack_set_ready_list(s.p, 1) }

// readyPending reports whether the list is not empty, reading the C
// stack's counter directly (no cgo call): the caller holds the stack's
// mutex, under which every C call is made, so nothing changes it meanwhile.
func (s *cStack) readyPending() bool { return s.ready != nil && *s.ready != 0 }

// pollReady takes entries off the stack's ready list: the keys of the
// sockets signalled (csctp_sock_set_user) and their sides (readyRead,
// readyWrite). Returns how many.
func (s *cStack) pollReady(keys []uintptr, sides []int32) int {
	return int(C.go_poll_ready(s.h(), (*C.uintptr_t)(unsafe.Pointer(&keys[0])),
		(*C.int32_t)(unsafe.Pointer(&sides[0])), C.int(min(len(keys), len(sides)))))
}

// stats fills st from csctp_stack_stats_get.
func (s *cStack) stats(st *StackStats) {
	var o [11]C.uint64_t
	C.go_stack_stats(s.p, &o[0])
	*st = StackStats{
		DatagramsIn: uint64(o[0]), DatagramsOut: uint64(o[1]),
		BytesIn: uint64(o[2]), BytesOut: uint64(o[3]),
		RecvBatches: uint64(o[4]), SendBatches: uint64(o[5]),
		GSOSends: uint64(o[6]), GSOPackets: uint64(o[7]),
		GROReceives: uint64(o[8]), GROPackets: uint64(o[9]),
		SendErrors: uint64(o[10]),
	}
}

// setUser gives the socket the key its ready-list entries carry.
func (k *cSock) setUser(key uintptr) { C.go_sock_set_user(k.p, C.uintptr_t(key)) }

const (
	readyRead  = C.CSCTP_READY_READ
	readyWrite = C.CSCTP_READY_WRITE
)

// cSock is one C csctp_sock and its scratch memory.
type cSock struct {
	p *C.csctp_sock
	g *C.go_scratch
}

func (s *cStack) socket(family, style int) (*cSock, int) {
	var p *C.csctp_sock
	if r := C.csctp_socket(s.p, C.int(family), C.int(style), &p); r < 0 {
		return nil, int(r)
	}
	return wrapCSock(p), 0
}

func wrapCSock(p *C.csctp_sock) *cSock {
	g := (*C.go_scratch)(C.calloc(1, C.size_t(unsafe.Sizeof(C.go_scratch{}))))
	if g == nil {
		C.csctp_close(p)
		return nil
	}
	return &cSock{p: p, g: g}
}

// h is the socket as an integer, as cStack.h.
func (k *cSock) h() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(k.p))) }

func (k *cSock) fd() int  { return int(C.csctp_sock_fd(k.p)) }
func (k *cSock) wfd() int { return int(C.csctp_sock_wfd(k.p)) }
func (k *cSock) poll() int {
	return int(C.csctp_sock_poll(k.p))
}
func (k *cSock) sockError() int { return int(C.csctp_sock_error(k.p)) }

// isClosed reports whether close was called.
func (k *cSock) isClosed() bool { return k.p == nil }

func (k *cSock) close() {
	C.csctp_close(k.p)
	C.free(unsafe.Pointer(k.g))
	k.p, k.g = nil, nil
}

func (k *cSock) bindx(sa []byte, n int) int {
	return int(C.csctp_bindx(k.p, (*C.struct_sockaddr)(unsafe.Pointer(&sa[0])), C.size_t(n)))
}

func (k *cSock) listen(backlog int) int { return int(C.csctp_listen(k.p, C.int(backlog))) }

func (k *cSock) connectx(sa []byte, n int) (AssocID, int) {
	var id C.csctp_assoc_id
	r := C.csctp_connectx(k.p, (*C.struct_sockaddr)(unsafe.Pointer(&sa[0])), C.size_t(n), &id)
	return AssocID(id), int(r)
}

func (k *cSock) accept() (*cSock, []byte, int) {
	var p *C.csctp_sock
	r := C.go_accept(k.p, &p, k.g)
	if r < 0 {
		return nil, nil, int(r)
	}
	peer := C.GoBytes(unsafe.Pointer(&k.g.from), C.int(k.g.fromlen))
	ns := wrapCSock(p)
	if ns == nil {
		return nil, nil, cErrNoMem
	}
	return ns, peer, 0
}

func (k *cSock) peeloff(id AssocID) (*cSock, int) {
	var p *C.csctp_sock
	if r := C.csctp_peeloff(k.p, C.csctp_assoc_id(id), &p); r < 0 {
		return nil, int(r)
	}
	ns := wrapCSock(p)
	if ns == nil {
		return nil, cErrNoMem
	}
	return ns, 0
}

// send sends b. to is a packed sockaddr or nil; info nil uses the
// socket's default send info. extraFlags are OR-ed into info's flags.
func (k *cSock) send(b []byte, to []byte, info *SndInfo, extraFlags uint16) int {
	// The data goes as a pointer to a C type without pointers, which cgo's
	// pointer check (a walk of the Go object per call) leaves alone.
	var bp *C.uint8_t
	if len(b) > 0 {
		bp = (*C.uint8_t)(unsafe.Pointer(&b[0]))
	}
	hasTo := C.int(0)
	if len(to) > 0 {
		// Copied to C memory: to may point into a Go object that holds
		// Go pointers (the conn), which cgo must not be given.
		hasTo = 1
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&k.g.to)), unsafe.Sizeof(k.g.to)), to)
	}
	useInfo := C.int(0)
	if info != nil || extraFlags != 0 {
		useInfo = 1
		si := &k.g.sinfo
		*si = C.csctp_sndinfo{}
		if info != nil {
			si.sid = C.uint16_t(info.Stream)
			si.flags = C.uint16_t(info.Flags)
			si.ppid = C.uint32_t(info.PPID)
			si.context = C.uint32_t(info.Context)
			si.assoc_id = C.csctp_assoc_id(info.AssocID)
			si.pr_policy = C.uint16_t(info.PRPolicy)
			si.pr_value = C.uint32_t(info.PRValue)
		}
		si.flags |= C.uint16_t(extraFlags)
	}
	return int(C.go_send(k.h(), k.g, bp, C.size_t(len(b)), hasTo, useInfo))
}

// recv reads into b. With info != nil it also decodes the rcvinfo (all
// but From: the peer's address stays in the scratch memory until the next
// recv, see fromAddrPort). It allocates nothing.
func (k *cSock) recv(b []byte, info *RcvInfo) (int, int) {
	r := C.go_recv(k.h(), k.g, (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)))
	flags := int(k.g.msg_flags)
	if r > 0 && info != nil && flags&cMsgNotification == 0 {
		k.rcvInfo(info, flags)
	}
	return int(r), flags
}

// rcvInfo decodes the rcvinfo of the last recv into info.
func (k *cSock) rcvInfo(info *RcvInfo, flags int) {
	ri := &k.g.rinfo
	*info = RcvInfo{
		Stream:  uint16(ri.sid),
		SSN:     uint16(ri.ssn),
		PPID:    uint32(ri.ppid),
		TSN:     uint32(ri.tsn),
		CumTSN:  uint32(ri.cumtsn),
		AssocID: AssocID(ri.assoc_id),
		Flags:   RcvFlags(ri.flags) &^ RcvEndOfRecord,
		UDPPort: int(ri.from.port),
	}
	if flags&cMsgEOR != 0 {
		info.Flags |= RcvEndOfRecord
	}
}

// Compile-time check that rxMeta (rxbatch.go) has go_rmeta's size.
var (
	_ [unsafe.Sizeof(C.go_rmeta{}) - unsafe.Sizeof(rxMeta{})]struct{}
	_ [unsafe.Sizeof(rxMeta{}) - unsafe.Sizeof(C.go_rmeta{})]struct{}
)

// recvBatch is recv into b that, when b got a whole data message of at
// most rxSmall bytes, also reads the messages that follow into ring (one
// meta each, at most len(meta)) in the same C call. It returns recv's
// results and the number of ring entries. It allocates nothing.
func (k *cSock) recvBatch(b []byte, info *RcvInfo, ring []byte, meta []rxMeta) (int, int, int) {
	r := C.go_recv_batch(k.h(), k.g, (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)),
		(*C.uint8_t)(unsafe.Pointer(&ring[0])), C.size_t(len(ring)),
		(*C.go_rmeta)(unsafe.Pointer(&meta[0])), C.int(len(meta)), C.size_t(rxSmall))
	flags := int(k.g.msg_flags)
	if r > 0 && info != nil && flags&cMsgNotification == 0 {
		k.rcvInfo(info, flags)
	}
	return int(r), flags, int(k.g.nbatch)
}

// Compile-time check that txMeta (batch.go) has go_wmeta's size.
var (
	_ [unsafe.Sizeof(C.go_wmeta{}) - unsafe.Sizeof(txMeta{})]struct{}
	_ [unsafe.Sizeof(txMeta{}) - unsafe.Sizeof(C.go_wmeta{})]struct{}
)

// sendBatch sends the messages of meta, laid end to end in buf, in one C
// call. It returns how many were accepted and the result of the send it
// stopped at (0: none). It allocates nothing.
func (k *cSock) sendBatch(buf []byte, meta []txMeta) (int, int) {
	n := C.go_send_batch(k.h(), k.g, (*C.uint8_t)(unsafe.Pointer(&buf[0])),
		(*C.go_wmeta)(unsafe.Pointer(&meta[0])), C.int(len(meta)))
	return int(n), int(k.g.last)
}

// fromAddrPort decodes the peer address of the last recv.
func (k *cSock) fromAddrPort() (netip.AddrPort, bool) {
	if k.g.fromlen == 0 {
		return netip.AddrPort{}, false
	}
	sa := unsafe.Slice((*byte)(unsafe.Pointer(&k.g.from)), int(k.g.fromlen))
	return sockaddrAddrPort(sa)
}

func notifSize() int { return int(C.go_notif_size()) }

func flatToRaw(g *C.go_notif) rawNotif {
	return rawNotif{
		typ: uint32(g._type), assocID: uint32(g.assoc_id), dataLen: uint32(g.data_len),
		dropped: uint32(g.dropped), errCode: int32(g.error),
		outStreams: uint16(g.out_streams), inStreams: uint16(g.in_streams),
		peerPort: uint16(g.peer_port), addr: cAddr(&g.addr),
		reason: uint32(g.reason), causeCode: uint16(g.cause_code), state: uint32(g.state),
		snd: SndInfo{Stream: uint16(g.info.sid), PPID: uint32(g.info.ppid),
			Flags: SendFlags(g.info.flags), Context: uint32(g.info.context),
			AssocID: AssocID(g.info.assoc_id), PRPolicy: PRPolicy(g.info.pr_policy),
			PRValue: uint32(g.info.pr_value)},
		wasSent:   uint32(g.was_sent),
		abandoned: uint32(g.abandoned),
		flags:     uint16(g.flags),
		localTSN:  uint32(g.local_tsn), remoteTSN: uint32(g.remote_tsn),
	}
}

// parseNotif decodes a notification read inline by recv (at least
// notifSize() bytes).
func parseNotif(b []byte) rawNotif {
	var g C.go_notif
	C.go_notif_parse(unsafe.Pointer(&b[0]), &g)
	return flatToRaw(&g)
}

// nextNotif takes the next due notification, copying its data into data.
func (k *cSock) nextNotif(data []byte) (rawNotif, int) {
	var g C.go_notif
	var dp unsafe.Pointer
	if len(data) > 0 {
		dp = unsafe.Pointer(&data[0])
	}
	if r := C.go_next_notif(k.p, &g, dp, C.size_t(len(data))); r < 0 {
		return rawNotif{}, int(r)
	}
	return flatToRaw(&g), 0
}

func cAddr(a *C.csctp_addr) rawAddr {
	var r rawAddr
	r.family = uint8(a.family)
	for i := range r.ip {
		r.ip[i] = byte(a.ip[i])
	}
	r.port = uint16(a.port)
	r.scope = uint32(a.scope_id)
	return r
}

func (k *cSock) subscribe(typ uint32, on bool) int {
	v := C.int(0)
	if on {
		v = 1
	}
	return int(C.csctp_sock_subscribe(k.p, C.uint32_t(typ), v))
}

func (k *cSock) setInitMsg(ostreams, instreams, attempts int, timeout time.Duration) int {
	return int(C.go_set_initmsg(k.p, C.int(ostreams), C.int(instreams), C.int(attempts),
		C.uint32_t(timeout/time.Millisecond)))
}

func (k *cSock) setInt(opt, v int) int { return int(C.go_set_int(k.p, C.int(opt), C.int(v))) }

func (k *cSock) setLinger(on bool, secs int) int {
	o := C.int(0)
	if on {
		o = 1
	}
	return int(C.go_set_linger(k.p, o, C.int(secs)))
}

// setRTO sets RTO.Initial, RTO.Min and RTO.Max (0: keep), in ms.
func (k *cSock) setRTO(initial, min, max uint32) int {
	return int(C.go_set_rto(k.p, C.uint32_t(initial), C.uint32_t(min), C.uint32_t(max)))
}

// rto returns RTO.Initial, RTO.Min and RTO.Max in ms.
func (k *cSock) rto() (initial, min, max uint32, r int) {
	var i, lo, hi C.uint32_t
	r = int(C.go_get_rto(k.p, &i, &lo, &hi))
	return uint32(i), uint32(lo), uint32(hi), r
}

// setHeartbeat sets HB.interval in ms (0: off).
func (k *cSock) setHeartbeat(ms uint32) int {
	return int(C.go_set_heartbeat(k.p, C.uint32_t(ms)))
}

// setDefaultSndInfo sets the send info used when a send gives none.
func (k *cSock) setDefaultSndInfo(i SndInfo) int {
	return int(C.go_set_def_sndinfo(k.p, C.uint16_t(i.Stream), C.uint16_t(i.Flags),
		C.uint32_t(i.PPID), C.uint32_t(i.Context)))
}

// assocIDs returns the ids of the socket's associations that have not
// ended (at most 2: callers only need to know whether there is one).
func (k *cSock) assocIDs() ([2]AssocID, int) {
	var ids [2]C.csctp_assoc_id
	r := C.csctp_sock_assoc_ids(k.p, &ids[0], 2)
	return [2]AssocID{AssocID(ids[0]), AssocID(ids[1])}, int(r)
}

func (k *cSock) setRemoteUDPPort(port int) int { return int(C.go_set_udpencaps(k.p, C.int(port))) }

func (k *cSock) setCongestion(cc CongestionControl) int {
	return int(C.go_set_congestion(k.p, C.int(cc)))
}

func (k *cSock) setPRSupported(on bool) int {
	v := C.int(0)
	if on {
		v = 1
	}
	return int(C.go_set_pr_supported(k.p, v))
}

// openAssocs returns how many of the socket's associations have not ended
// and how many of them are being set up (a negative count for a kernel
// socket: the kernel finishes shutdowns itself).
func (k *cSock) openAssocs() (n, connecting int) {
	var c C.int
	r := C.csctp_sock_open_assocs(k.p, &c)
	return int(r), int(c)
}

func (k *cSock) shutdown(how int) int { return int(C.csctp_shutdown_sock(k.p, C.int(how))) }

func (k *cSock) assocID() AssocID { return AssocID(C.csctp_sock_assoc_id(k.p)) }

func (k *cSock) status(id AssocID) (AssocStatus, int) {
	var st C.csctp_assoc_status
	if r := C.csctp_sock_status(k.p, C.csctp_assoc_id(id), &st); r < 0 {
		return AssocStatus{}, int(r)
	}
	prim := cAddr(&st.primary)
	return AssocStatus{
		AssocID:         AssocID(st.assoc_id),
		State:           AssocState(st.state),
		PeerPort:        int(st.peer_port),
		InboundStreams:  int(st.inbound_streams),
		OutboundStreams: int(st.outbound_streams),
		PeerRwnd:        uint32(st.peer_rwnd),
		LocalRwnd:       uint32(st.local_rwnd),
		Unacked:         uint32(st.unacked),
		Pending:         uint32(st.pending),
		SendQueued:      uint32(st.send_queued),
		RecvQueued:      uint32(st.recv_queued),
		FragPoint:       uint32(st.frag_point),
		NumPaths:        int(st.npaths),
		Primary:         prim.ipAddr(),
		PrimaryUDPPort:  int(prim.port),
		Retransmits:     uint64(st.retransmits),
		FastRetransmits: uint64(st.fast_retransmits),
		T3Expiries:      uint64(st.t3_expiries),
		DataChunksOut:   uint64(st.data_chunks_out),
		DataChunksIn:    uint64(st.data_chunks_in),
		DupTSNsIn:       uint64(st.dup_tsns_in),
		PktsOut:         uint64(st.pkts_out),
		PktsIn:          uint64(st.pkts_in),

		SpuriousRetransmits: uint64(st.spurious_retransmits),
		TailLossProbes:      uint64(st.tail_loss_probes),
		FastRecoveries:      uint64(st.fast_recoveries),

		PREnabled:       st.pr_enabled != 0,
		AbandonedUnsent: uint64(st.pr_abandoned_unsent),
		AbandonedSent:   uint64(st.pr_abandoned_sent),
	}, 0
}

func (k *cSock) paths(id AssocID) ([]PathInfo, int) {
	const max = 32
	var out [max]C.csctp_path_status
	var n C.int
	if r := C.go_paths(k.p, C.csctp_assoc_id(id), &out[0], max, &n); r < 0 {
		return nil, int(r)
	}
	cnt := min(int(n), max)
	ps := make([]PathInfo, 0, cnt)
	for i := 0; i < cnt; i++ {
		p := &out[i]
		a := cAddr(&p.addr)
		ps = append(ps, PathInfo{
			Addr: a.ipAddr(), UDPPort: int(a.port), State: PathState(p.state),
			Primary: p.is_primary != 0, Cwnd: uint32(p.cwnd), Ssthresh: uint32(p.ssthresh),
			FlightSize: uint32(p.flight_size), PartialBytesAcked: uint32(p.partial_bytes_acked),
			ErrorCount: uint32(p.error_count), MTU: uint32(p.mtu),
			PMTUDState: uint32(p.pmtud_state),
			SRTT:       time.Duration(p.srtt), RTTVar: time.Duration(p.rttvar), RTO: time.Duration(p.rto),
		})
	}
	return ps, 0
}

// laddrs returns the socket's local addresses as sockaddrs.
func (k *cSock) laddrs() ([][]byte, int) {
	const max = 16
	var out [max]C.struct_sockaddr_storage
	r := C.csctp_getladdrs(k.p, &out[0], max)
	if r < 0 {
		return nil, int(r)
	}
	return storageList(out[:min(int(r), max)]), 0
}

// paddrs returns the peer's addresses of association id.
func (k *cSock) paddrs(id AssocID) ([][]byte, int) {
	const max = 16
	var out [max]C.struct_sockaddr_storage
	r := C.csctp_getpaddrs(k.p, C.csctp_assoc_id(id), &out[0], max)
	if r < 0 {
		return nil, int(r)
	}
	return storageList(out[:min(int(r), max)]), 0
}

func storageList(ss []C.struct_sockaddr_storage) [][]byte {
	l := make([][]byte, 0, len(ss))
	for i := range ss {
		l = append(l, C.GoBytes(unsafe.Pointer(&ss[i]), C.int(unsafe.Sizeof(ss[i]))))
	}
	return l
}
