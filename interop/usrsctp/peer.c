/*
 * usrsctp-peer: an SCTP interop peer built on Debian's libusrsctp (the
 * FreeBSD stack in userland), speaking SCTP over UDP encapsulation
 * (RFC 6951). It is independent of csctp and is the reference side of the
 * interop suite; see interop/README.md for the scenarios and output.
 *
 * Blocking, callback-free usrsctp socket API; one thread per association
 * (plus a sender thread in `ping`). One-to-one style (SOCK_STREAM) sockets.
 *
 * Build: cc -O2 -o usrsctp-peer peer.c sha256.c -lusrsctp -lpthread
 */
#define _GNU_SOURCE
#define SCTP_DEBUG /* declares usrsctp_sysctl_set_sctp_debug_on */
#include <usrsctp.h>
#ifndef SCTP_INTERLEAVING_SUPPORTED /* usrsctp's value, not in its 0.9.5 header */
#define SCTP_INTERLEAVING_SUPPORTED 0x00001206
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define IMPL "usrsctp"
#define MAX_SIZES 64
#define SCRATCH (256 * 1024)

/* ------------------------------------------------------------------ options */

struct opts {
	bool server;
	char *client; /* HOST:PORT (PORT = remote SCTP port) */
	const char *bind_addr;
	int sctp_port;       /* server: listen port; client: local port (0: any) */
	int udp_port;        /* local UDP encapsulation port (0: pick one) */
	int remote_udp_port; /* client: peer's UDP encapsulation port */
	const char *scenario;
	long count;
	size_t sizes[MAX_SIZES];
	int nsizes;
	int streams;
	int unordered; /* every Nth message unordered; 0 none, 1 all */
	uint64_t bytes;
	size_t msg_size;
	const char *close;
	const char *expect_close;
	bool restart;
	bool nohash; /* bulk send / discard-hash: no generated content, no hash (benchmarks) */
	int many;
	int assocs;
	int expect_restarts; /* -1: do not check */
	int timeout;
	int mtu;
	int buf;
	int pd_point; /* -pd-point: SCTP_PARTIAL_DELIVERY_POINT (RFC 6458 8.1.21), 0: usrsctp's */
	int max_streams;
	int linger_ms; /* restart: pause before the abrupt exit */
	double duration; /* bulk send: stop after this many seconds (0: -bytes decides) */
	char *disable; /* extensions not to offer: ecn,pr,auth,asconf,reconfig,nrsack,pktdrop */
	bool enable_reset; /* -enable-reset: perform the peer's reconfiguration requests (RFC 6525) */
	long reset_every;  /* -reset-every N: send: reconfigure before every Nth plan message */
	char *reset_kind;  /* -reset-kind out|assoc|add: Outgoing SSN Reset, SSN/TSN Reset,
			      Add Outgoing Streams (RFC 6525 5.1.2, 5.1.4, 5.1.5) */
	long expect_resets; /* -expect-resets N: reconfiguration events the association must see */
	bool idata;        /* -idata: offer I-DATA (RFC 8260), round robin scheduler */
	char *auth_chunks; /* chunk types to accept only authenticated (RFC 4895) */
	char *auth_hmacs;  /* HMAC ids asked of the peer, by preference */
	uint16_t pr_policy; /* -pr: usrsctp's SCTP_PR_SCTP_* for every plan message */
	uint32_t pr_value;
	bool allow_missing; /* -allow-missing: recv tolerates abandoned messages */
	const char *asconf_move; /* -asconf-move ADDR: bulk send moves to ADDR half way */
	bool asconf_keep_old;    /* -asconf-keep-old: no Delete IP of the bound address */
};

static struct opts O = {
	.bind_addr = NULL,
	.sctp_port = -1,
	.udp_port = -1,
	.remote_udp_port = 9899,
	.scenario = NULL,
	.count = -1,
	.sizes = {1, 100, 1200, 65536, 262144},
	.nsizes = 5,
	.streams = 1,
	.unordered = 0,
	.bytes = 0,
	.msg_size = 65536,
	.close = NULL,
	.expect_close = "any",
	.many = 1,
	.assocs = 1,
	.expect_restarts = -1,
	.timeout = 120,
	.mtu = 1200,
	.buf = 4 * 1024 * 1024,
	.max_streams = 0,
	.linger_ms = 500,
	.reset_kind = "out",
	.expect_resets = -1,
};

static const char *role(void)
{
	return O.server ? "server" : "client";
}

static pthread_mutex_t print_mu = PTHREAD_MUTEX_INITIALIZER;

static void logf_(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(FILE *f, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&print_mu);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
	pthread_mutex_unlock(&print_mu);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* ----------------------------------------------------- the message plan
 *
 * Shared with the pion peer (and any driver): message i (0-based) has
 *   size      sizes[i % nsizes]
 *   stream    i % streams
 *   PPID      i (host order; big-endian on the wire)
 *   unordered unordered > 0 && i % unordered == unordered - 1
 *   payload   gen(i): xorshift32 seeded with i*0x9E3779B9 ^ 0x5DEECE66
 *             (0 -> 1), each step emits 4 bytes little-endian.
 * Bulk mode (-bytes) sends messages of msg_size (the last one shorter) on
 * stream 0, ordered, PPID = index, payload gen(index).
 */

static void gen(uint32_t idx, uint8_t *buf, size_t len)
{
	uint32_t x = (idx * 0x9E3779B9u) ^ 0x5DEECE66u;
	if (x == 0)
		x = 1;
	size_t j = 0;
	while (j < len) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for (int k = 0; k < 4 && j < len; k++, j++)
			buf[j] = (uint8_t)(x >> (8 * k));
	}
}

static size_t plan_size(long i)
{
	return O.sizes[i % O.nsizes];
}
static int plan_stream(long i)
{
	return (int)(i % O.streams);
}
static bool plan_unordered(long i)
{
	return O.unordered > 0 && i % O.unordered == O.unordered - 1;
}
static size_t plan_max_size(void)
{
	size_t m = 0;
	for (int k = 0; k < O.nsizes; k++)
		if (O.sizes[k] > m)
			m = O.sizes[k];
	return m;
}

/* ------------------------------------------------------------ association */

struct assoc {
	int id;
	int phase;
	struct socket *s;
	/* counters */
	uint64_t msgs_tx, msgs_rx, bytes_tx, bytes_rx;
	long errors;
	int restarts;
	long send_failed;
	long abandoned; /* SEND_FAILED under -pr: PR-SCTP gave the message up */
	long missing;   /* recv -allow-missing: plan messages not received */
	bool comm_up, peer_shutdown, comm_lost, shutdown_comp, we_shutdown, we_aborted;
	int rx_errno, tx_errno;
	uint16_t in_streams, out_streams;
	double t_first, t_last; /* first / last payload byte */
	sha256_ctx hash;
	char sha[65];
	uint8_t *scratch;
	/* RFC 6458 8.1.20 level 2 (-idata): parts of messages of different
	 * streams arrive interleaved; each stream's message so far, by sid
	 * (allocated on the first part that does not end its message) */
	struct part {
		uint8_t *buf;
		size_t got;
		struct sctp_rcvinfo ri;
		bool active, have_info;
	} *parts;
	/* verifier */
	uint8_t *seen;
	long *last_ordered;
	uint8_t *expect;
	char close_how[32];
	bool ok;
	/* RFC 6525: reconfiguration events seen (performed), and the answer
	 * to our request in flight */
	long resets;
	bool reset_answered, reset_refused;
	uint16_t reset_event; /* the event that answers our request */
};

static void aerr(struct assoc *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void aerr(struct assoc *a, const char *fmt, ...)
{
	a->errors++;
	if (a->errors > 20)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	logf_(stderr, "ERROR impl=" IMPL " role=%s assoc=%d phase=%d: %s\n", role(), a->id,
	      a->phase, msg);
}

/* The event that reports a reconfiguration of kind -reset-kind. */
static uint16_t kind_event(void)
{
	return !strcmp(O.reset_kind, "assoc") ? SCTP_ASSOC_RESET_EVENT
	       : !strcmp(O.reset_kind, "add") ? SCTP_STREAM_CHANGE_EVENT
					      : SCTP_STREAM_RESET_EVENT;
}

static void handle_notification(struct assoc *a, const uint8_t *p, size_t n)
{
	const union sctp_notification *nt = (const void *)p;
	if (n < sizeof(nt->sn_header))
		return;
	switch (nt->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		switch (nt->sn_assoc_change.sac_state) {
		case SCTP_COMM_UP:
			a->comm_up = true;
			a->in_streams = nt->sn_assoc_change.sac_inbound_streams;
			a->out_streams = nt->sn_assoc_change.sac_outbound_streams;
			break;
		case SCTP_RESTART:
			a->restarts++;
			logf_(stderr, "EVENT impl=" IMPL " role=%s assoc=%d restart\n", role(), a->id);
			break;
		case SCTP_COMM_LOST:
			a->comm_lost = true;
			break;
		case SCTP_SHUTDOWN_COMP:
			a->shutdown_comp = true;
			break;
		case SCTP_CANT_STR_ASSOC:
			aerr(a, "cannot start association");
			break;
		}
		break;
	case SCTP_SHUTDOWN_EVENT:
		a->peer_shutdown = true;
		break;
	case SCTP_REMOTE_ERROR:
		logf_(stderr, "EVENT impl=" IMPL " role=%s assoc=%d remote-error cause=%u\n", role(),
		      a->id, nt->sn_remote_error.sre_error);
		break;
	case SCTP_STREAM_RESET_EVENT:
	case SCTP_ASSOC_RESET_EVENT:
	case SCTP_STREAM_CHANGE_EVENT: {
		/* RFC 6525 6.1.1-6.1.3: the DENIED (0x4) and FAILED (0x8) bits are
		 * the same in all three. */
		uint16_t fl = nt->sn_header.sn_type == SCTP_STREAM_RESET_EVENT
				      ? nt->sn_strreset_event.strreset_flags
			      : nt->sn_header.sn_type == SCTP_ASSOC_RESET_EVENT
				      ? nt->sn_assocreset_event.assocreset_flags
				      : nt->sn_strchange_event.strchange_flags;
		const char *what = nt->sn_header.sn_type == SCTP_STREAM_RESET_EVENT ? "stream-reset"
				   : nt->sn_header.sn_type == SCTP_ASSOC_RESET_EVENT
				       ? "assoc-reset"
				       : "stream-change";
		logf_(stderr, "EVENT impl=" IMPL " role=%s assoc=%d %s flags=%#x\n", role(), a->id,
		      what, fl);
		if (fl & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED))
			a->reset_refused = true;
		else if (nt->sn_header.sn_type == kind_event())
			a->resets++; /* the kind -reset-kind names */
		/* usrsctp reports an SSN/TSN reset it asked for as a
		 * STREAM_RESET (outgoing) and then an ASSOC_RESET event. */
		if (nt->sn_header.sn_type == a->reset_event)
			a->reset_answered = true;
		break;
	}
	case SCTP_SEND_FAILED_EVENT:
		/* Expected when an ABORT discards queued or unacknowledged
		 * data; an error only if the association ends gracefully.
		 * Under -pr, PR-SCTP abandoning a message reports it too. */
		if (O.pr_policy)
			a->abandoned++;
		else
			a->send_failed++;
		break;
	default:
		break;
	}
}

enum { R_ERR = -1, R_EOF = 0, R_MSG = 1 };

/* The accumulator of stream sid's message (RFC 6458 8.1.20 level 2: parts
 * of one stream's messages never interleave, RFC 8260 4.3.1), or NULL when
 * out of memory. */
static struct part *part_of(struct assoc *a, uint16_t sid, size_t cap)
{
	if (!a->parts && !(a->parts = calloc(65536, sizeof *a->parts)))
		return NULL;
	struct part *p = &a->parts[sid];
	if (!p->buf && !(p->buf = malloc(cap ? cap : 1)))
		return NULL;
	return p;
}

/* Receive one whole message (accumulating partial deliveries) into buf.
 * With fragment interleave level 2 the parts of messages of several
 * streams may come interleaved: they are put together per stream (the
 * rcvinfo of each part names its stream) and the first message to end is
 * returned. Notifications are handled on the way. *len may exceed cap:
 * the excess is counted, not stored. */
static int recv_msg(struct assoc *a, uint8_t *buf, size_t cap, size_t *len,
		    struct sctp_rcvinfo *ri)
{
	for (;;) {
		struct sctp_rcvinfo rinfo;
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from, ilen = sizeof rinfo;
		unsigned int itype = 0;
		int flags = 0;
		ssize_t n = usrsctp_recvv(a->s, a->scratch, SCRATCH, (struct sockaddr *)&from,
					  &fromlen, &rinfo, &ilen, &itype, &flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			a->rx_errno = errno;
			return R_ERR;
		}
		if (flags & MSG_NOTIFICATION) {
			handle_notification(a, a->scratch, (size_t)n);
			continue;
		}
		if (n == 0)
			return R_EOF;
		bool info = itype == SCTP_RECVV_RCVINFO;
		uint16_t sid = info ? rinfo.rcv_sid : 0;
		struct part *p = part_of(a, sid, cap);
		if (!p) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		if (!p->active) {
			p->active = true;
			p->got = 0;
			p->have_info = info;
			if (info)
				p->ri = rinfo;
		}
		if (p->got < cap) {
			size_t take = (size_t)n < cap - p->got ? (size_t)n : cap - p->got;
			memcpy(p->buf + p->got, a->scratch, take);
		}
		p->got += (size_t)n;
		if (flags & MSG_EOR) {
			p->active = false;
			if (p->have_info)
				*ri = p->ri;
			else
				memset(ri, 0, sizeof *ri), aerr(a, "message without rcvinfo");
			*len = p->got;
			memcpy(buf, p->buf, p->got < cap ? p->got : cap);
			return R_MSG;
		}
	}
}

static int send_msg(struct assoc *a, const void *data, size_t len, uint16_t sid, uint32_t ppid_net,
		    bool unordered)
{
	struct sctp_sendv_spa spa;
	memset(&spa, 0, sizeof spa);
	struct sctp_sndinfo *si = &spa.sendv_sndinfo;
	si->snd_sid = sid;
	si->snd_flags = unordered ? SCTP_UNORDERED : 0;
	si->snd_ppid = ppid_net;
	spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
	if (O.pr_policy) { /* RFC 6458 5.3.4: sndinfo with prinfo */
		spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
		spa.sendv_prinfo.pr_policy = O.pr_policy;
		spa.sendv_prinfo.pr_value = O.pr_value;
	}
	size_t off = 0;
	/* A blocking send of a whole message returns its length. */
	while (off < len || len == 0) {
		ssize_t n = usrsctp_sendv(a->s, (const uint8_t *)data + off, len - off, NULL, 0, &spa,
					  sizeof spa, SCTP_SENDV_SPA, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			a->tx_errno = errno;
			return -1;
		}
		if ((size_t)n != len - off) {
			aerr(a, "short send %zd of %zu", n, len - off);
			return -1;
		}
		off += (size_t)n;
		if (len == 0)
			break;
	}
	return 0;
}

static void note_rx(struct assoc *a, size_t n)
{
	double t = now_s();
	if (a->t_first == 0)
		a->t_first = t;
	a->t_last = t;
	a->bytes_rx += n;
	a->msgs_rx++;
}

/* -------------------------------------------------------------- verifier */

static void verifier_init(struct assoc *a, long count)
{
	a->seen = calloc((size_t)count + 1, 1);
	a->last_ordered = malloc(sizeof(long) * (size_t)O.streams);
	for (int k = 0; k < O.streams; k++)
		a->last_ordered[k] = -1;
	a->expect = malloc(plan_max_size() + 1);
	if (!a->seen || !a->last_ordered || !a->expect) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
}

static void verify_plan_msg(struct assoc *a, long count, const uint8_t *buf, size_t len,
			    const struct sctp_rcvinfo *ri)
{
	uint32_t idx = ntohl(ri->rcv_ppid);
	bool unordered = (ri->rcv_flags & SCTP_UNORDERED) != 0;
	if ((long)idx >= count) {
		aerr(a, "PPID %" PRIu32 " out of plan (count %ld), len %zu sid %u", idx, count, len,
		     ri->rcv_sid);
		return;
	}
	if (a->seen[idx]) {
		aerr(a, "message %" PRIu32 " delivered twice", idx);
		return;
	}
	a->seen[idx] = 1;
	if (len != plan_size(idx))
		aerr(a, "message %" PRIu32 ": size %zu, want %zu", idx, len, plan_size(idx));
	if (ri->rcv_sid != plan_stream(idx))
		aerr(a, "message %" PRIu32 ": stream %u, want %d", idx, ri->rcv_sid,
		     plan_stream(idx));
	if (unordered != plan_unordered(idx))
		aerr(a, "message %" PRIu32 ": unordered=%d, want %d", idx, unordered,
		     plan_unordered(idx));
	if (!unordered && ri->rcv_sid < O.streams) {
		if ((long)idx < a->last_ordered[ri->rcv_sid])
			aerr(a, "message %" PRIu32 " on stream %u after %ld: order broken", idx,
			     ri->rcv_sid, a->last_ordered[ri->rcv_sid]);
		else
			a->last_ordered[ri->rcv_sid] = idx;
	}
	if (len == plan_size(idx)) {
		gen(idx, a->expect, len);
		if (memcmp(a->expect, buf, len) != 0) {
			size_t k = 0;
			while (a->expect[k] == buf[k])
				k++;
			aerr(a, "message %" PRIu32 ": payload differs at byte %zu", idx, k);
		}
	}
}

static void verifier_final(struct assoc *a, long count)
{
	long missing = 0, first = -1;
	for (long i = 0; i < count; i++)
		if (!a->seen[i]) {
			if (first < 0)
				first = i;
			missing++;
		}
	a->missing = missing;
	if (missing && !O.allow_missing)
		aerr(a, "%ld of %ld messages missing (first %ld)", missing, count, first);
}

/* --------------------------------------------------------------- scenarios */

struct pinger {
	struct assoc *a;
	long count;
	int rc;
};

static void *ping_sender(void *arg)
{
	struct pinger *p = arg;
	struct assoc *a = p->a;
	uint8_t *buf = malloc(plan_max_size() + 1);
	p->rc = 0;
	for (long i = 0; i < p->count; i++) {
		size_t n = plan_size(i);
		gen((uint32_t)i, buf, n);
		if (send_msg(a, buf, n, (uint16_t)plan_stream(i), htonl((uint32_t)i),
			     plan_unordered(i)) != 0) {
			aerr(a, "send of message %ld failed: %s", i, strerror(a->tx_errno));
			p->rc = -1;
			break;
		}
		a->msgs_tx++;
		a->bytes_tx += n;
	}
	free(buf);
	return NULL;
}

/* Send the plan and verify every echo (the client side of `echo`). */
static int sc_ping(struct assoc *a)
{
	long count = O.count;
	verifier_init(a, count);
	a->t_first = now_s(); /* ping times the whole exchange */
	struct pinger p = {a, count, 0};
	pthread_t th;
	pthread_create(&th, NULL, ping_sender, &p);
	size_t cap = plan_max_size() + 1;
	uint8_t *buf = malloc(cap);
	int rc = 0;
	for (long got = 0; got < count;) {
		size_t len;
		struct sctp_rcvinfo ri;
		int r = recv_msg(a, buf, cap, &len, &ri);
		if (r != R_MSG) {
			aerr(a, "association ended after %ld of %ld echoes (%s)", got, count,
			     r == R_EOF ? "EOF" : strerror(a->rx_errno));
			rc = r;
			break;
		}
		note_rx(a, len);
		verify_plan_msg(a, count, buf, len, &ri);
		got++;
	}
	if (rc != 0)
		usrsctp_shutdown(a->s, SHUT_RDWR); /* unblock the sender */
	pthread_join(th, NULL);
	if (rc == 0)
		verifier_final(a, count);
	free(buf);
	return rc;
}

/* Echo every message on its stream with its PPID and U flag. */
static int sc_echo(struct assoc *a)
{
	size_t cap = 1024 * 1024;
	uint8_t *buf = malloc(cap);
	int rc = R_MSG;
	for (;;) {
		if (O.count > 0 && (long)a->msgs_rx >= O.count)
			break;
		size_t len;
		struct sctp_rcvinfo ri;
		int r = recv_msg(a, buf, cap, &len, &ri);
		if (r != R_MSG) {
			rc = r;
			break;
		}
		note_rx(a, len);
		if (len > cap) {
			aerr(a, "message of %zu bytes exceeds echo buffer", len);
			continue;
		}
		if (send_msg(a, buf, len, ri.rcv_sid, ri.rcv_ppid,
			     (ri.rcv_flags & SCTP_UNORDERED) != 0) != 0) {
			aerr(a, "echo send failed: %s", strerror(a->tx_errno));
			rc = R_ERR;
			break;
		}
		a->msgs_tx++;
		a->bytes_tx += len;
	}
	free(buf);
	return rc == R_EOF || rc == R_ERR ? 1 : 0; /* 1: association already ended */
}

/* Send the plan, or a bulk of -bytes; hash what was sent. */
static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len);

/* -asconf-move (RFC 5061 through RFC 6458 9.1 / 8.3.3): add ADDR, ask
 * the peer to send to it, a second later delete the bound address. */
static void asconf_move(struct assoc *a)
{
	struct sockaddr_storage nw, old;
	socklen_t nl, ol;
	const char *baddr = O.bind_addr ? O.bind_addr : "127.0.0.1";
	if (resolve(O.asconf_move, 0, &nw, &nl) != 0 || resolve(baddr, 0, &old, &ol) != 0) {
		aerr(a, "asconf-move: bad address");
		return;
	}
	if (usrsctp_bindx(a->s, (struct sockaddr *)&nw, 1, SCTP_BINDX_ADD_ADDR) != 0) {
		aerr(a, "asconf-move: bindx add %s: %s", O.asconf_move, strerror(errno));
		return;
	}
	logf_(stdout, "ASCONF impl=usrsctp role=%s added=%s after_bytes=%" PRIu64 "\n", role(),
	      O.asconf_move, a->bytes_tx);
	sleep_ms(200);
	struct sctp_setpeerprim sp;
	memset(&sp, 0, sizeof sp);
	memcpy(&sp.sspp_addr, &nw, nl);
	if (usrsctp_setsockopt(a->s, IPPROTO_SCTP, SCTP_SET_PEER_PRIMARY_ADDR, &sp, sizeof sp) != 0)
		aerr(a, "asconf-move: set peer primary: %s", strerror(errno));
	sleep_ms(1000);
	if (O.asconf_keep_old)
		return;
	if (usrsctp_bindx(a->s, (struct sockaddr *)&old, 1, SCTP_BINDX_REM_ADDR) != 0) {
		aerr(a, "asconf-move: bindx rem %s: %s", baddr, strerror(errno));
		return;
	}
	logf_(stdout, "ASCONF impl=usrsctp role=%s deleted=%s\n", role(), baddr);
}

/* RFC 6525: one request of kind -reset-kind, retried while the stack says
 * it cannot go yet (data queued or unacknowledged, a request in flight),
 * then its answer awaited (the peer of a send scenario sends no data). */
static int reconfigure(struct assoc *a)
{
	double until = now_s() + O.timeout;
	/* usrsctp resets "every stream" as the streams without queued data
	 * now and the others in a later request: wait until everything is
	 * acknowledged, so that one request (one event each side) does it. */
	for (;;) {
		struct sctp_status st;
		socklen_t len = sizeof st;
		memset(&st, 0, sizeof st);
		if (usrsctp_getsockopt(a->s, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0 ||
		    (st.sstat_unackdata == 0 && st.sstat_penddata == 0) || now_s() > until)
			break;
		sleep_ms(2);
	}
	for (;;) {
		int r;
		if (!strcmp(O.reset_kind, "assoc")) { /* 5.1.4 */
			sctp_assoc_t id = SCTP_FUTURE_ASSOC;
			r = usrsctp_setsockopt(a->s, IPPROTO_SCTP, SCTP_RESET_ASSOC, &id, sizeof id);
		} else if (!strcmp(O.reset_kind, "add")) { /* 5.1.5 */
			struct sctp_add_streams as;
			memset(&as, 0, sizeof as);
			as.sas_outstrms = 1;
			r = usrsctp_setsockopt(a->s, IPPROTO_SCTP, SCTP_ADD_STREAMS, &as, sizeof as);
		} else { /* 5.1.2: every outgoing stream */
			struct sctp_reset_streams rs;
			memset(&rs, 0, sizeof rs);
			rs.srs_flags = SCTP_STREAM_RESET_OUTGOING;
			r = usrsctp_setsockopt(a->s, IPPROTO_SCTP, SCTP_RESET_STREAMS, &rs, sizeof rs);
		}
		if (r == 0)
			break;
		if ((errno != EBUSY && errno != EAGAIN && errno != EALREADY) || now_s() > until) {
			aerr(a, "reconfiguration (%s): %s", O.reset_kind, strerror(errno));
			return -1;
		}
		sleep_ms(5);
	}
	a->reset_answered = false;
	a->reset_event = kind_event();
	while (!a->reset_answered) {
		struct sctp_rcvinfo rinfo;
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from, ilen = sizeof rinfo;
		unsigned int itype = 0;
		int flags = 0;
		ssize_t n = usrsctp_recvv(a->s, a->scratch, SCRATCH, (struct sockaddr *)&from,
					  &fromlen, &rinfo, &ilen, &itype, &flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			aerr(a, "waiting for the reconfiguration answer: %s",
			     n < 0 ? strerror(errno) : "end of association");
			return -1;
		}
		if (flags & MSG_NOTIFICATION)
			handle_notification(a, a->scratch, (size_t)n);
		else
			aerr(a, "unexpected data while waiting for the reconfiguration answer");
	}
	if (a->reset_refused) {
		aerr(a, "reconfiguration (%s) denied or failed", O.reset_kind);
		return -1;
	}
	return 0;
}

static int sc_send(struct assoc *a)
{
	sha256_init(&a->hash);
	double t0 = now_s();
	if (O.bytes > 0) {
		uint8_t *buf = malloc(O.msg_size);
		uint64_t left = O.bytes;
		double stop_at = O.duration > 0 ? t0 + O.duration : 0;
		for (uint32_t i = 0; left > 0; i++) {
			if (stop_at > 0 && (i & 15) == 0 && now_s() >= stop_at)
				break;
			size_t n = left < O.msg_size ? (size_t)left : O.msg_size;
			if (O.asconf_move && left <= O.bytes / 2 && left + n > O.bytes / 2)
				asconf_move(a);
			if (!O.nohash) {
				gen(i, buf, n);
				sha256_update(&a->hash, buf, n);
			} else if (i == 0) {
				memset(buf, 0x5a, O.msg_size);
			}
			if (send_msg(a, buf, n, 0, htonl(i), false) != 0) {
				aerr(a, "send of bulk message %u failed: %s", i, strerror(a->tx_errno));
				free(buf);
				return -1;
			}
			a->msgs_tx++;
			a->bytes_tx += n;
			left -= n;
		}
		free(buf);
	} else {
		uint8_t *buf = malloc(plan_max_size() + 1);
		for (long i = 0; i < O.count; i++) {
			if (O.reset_every > 0 && i > 0 && i % O.reset_every == 0 &&
			    reconfigure(a) != 0) {
				free(buf);
				return -1;
			}
			size_t n = plan_size(i);
			gen((uint32_t)i, buf, n);
			sha256_update(&a->hash, buf, n);
			if (send_msg(a, buf, n, (uint16_t)plan_stream(i), htonl((uint32_t)i),
				     plan_unordered(i)) != 0) {
				aerr(a, "send of message %ld failed: %s", i, strerror(a->tx_errno));
				free(buf);
				return -1;
			}
			a->msgs_tx++;
			a->bytes_tx += n;
		}
		free(buf);
	}
	a->t_first = t0;
	if (O.duration > 0) {
		/* -duration (make bench-wan): the rate counts until the peer has
		 * acknowledged everything, as pion's does (bounded wait). */
		for (int k = 0; k < 60000; k++) {
			struct sctp_status st;
			socklen_t len = sizeof st;
			memset(&st, 0, sizeof st);
			if (usrsctp_getsockopt(a->s, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0 ||
			    (st.sstat_unackdata == 0 && st.sstat_penddata == 0))
				break;
			usleep(1000);
		}
	}
	a->t_last = now_s();
	return 0;
}

/* Receive -bytes (or until the peer closes) and hash in arrival order. */
static int sc_discard_hash(struct assoc *a)
{
	sha256_init(&a->hash);
	size_t cap = 1024 * 1024;
	uint8_t *buf = malloc(cap);
	int rc = 0;
	while (O.bytes == 0 || a->bytes_rx < O.bytes) {
		size_t len;
		struct sctp_rcvinfo ri;
		int r = recv_msg(a, buf, cap, &len, &ri);
		if (r != R_MSG) {
			rc = 1; /* association ended */
			break;
		}
		if (len > cap) {
			aerr(a, "message of %zu bytes exceeds buffer", len);
			len = cap;
		}
		if (!O.nohash)
			sha256_update(&a->hash, buf, len);
		note_rx(a, len);
	}
	if (O.bytes > 0 && a->bytes_rx != O.bytes)
		aerr(a, "received %" PRIu64 " bytes, want %" PRIu64, a->bytes_rx, O.bytes);
	free(buf);
	return rc;
}

/* Receive the plan and verify each message (the peer runs `send`). */
static int sc_recv(struct assoc *a)
{
	long count = O.count;
	verifier_init(a, count);
	sha256_init(&a->hash);
	size_t cap = plan_max_size() + 1;
	uint8_t *buf = malloc(cap);
	int rc = 0;
	for (long got = 0; got < count; got++) {
		size_t len;
		struct sctp_rcvinfo ri;
		int r = recv_msg(a, buf, cap, &len, &ri);
		if (r != R_MSG && O.allow_missing && r == R_EOF)
			break; /* the sender abandoned the rest */
		if (r != R_MSG) {
			aerr(a, "association ended after %ld of %ld messages", got, count);
			rc = 1;
			break;
		}
		note_rx(a, len);
		sha256_update(&a->hash, buf, len < cap ? len : cap);
		verify_plan_msg(a, count, buf, len, &ri);
	}
	if (rc == 0)
		verifier_final(a, count);
	free(buf);
	return rc;
}

/* Wait for the association to end; data arriving meanwhile is an error
 * unless `drain` (our own shutdown: echoes may still be in flight). */
static void wait_end(struct assoc *a, bool drain)
{
	size_t len;
	struct sctp_rcvinfo ri;
	uint8_t *buf = malloc(65536);
	for (;;) {
		int r = recv_msg(a, buf, 65536, &len, &ri);
		if (r != R_MSG)
			break;
		note_rx(a, len);
		if (!drain)
			aerr(a, "unexpected message of %zu bytes while waiting for the end", len);
	}
	free(buf);
}

static void finish_close(struct assoc *a, bool ended)
{
	const char *c = O.close;
	if (!ended && strcmp(c, "shutdown") == 0) {
		a->we_shutdown = true;
		if (usrsctp_shutdown(a->s, SHUT_WR) != 0)
			aerr(a, "shutdown: %s", strerror(errno));
		wait_end(a, false);
	} else if (!ended && strcmp(c, "abort") == 0) {
		struct sctp_sndinfo si;
		memset(&si, 0, sizeof si);
		si.snd_flags = SCTP_ABORT;
		static const char reason[] = "csctp interop: abort requested";
		a->we_aborted = true;
		if (usrsctp_sendv(a->s, reason, sizeof reason - 1, NULL, 0, &si, sizeof si,
				  SCTP_SENDV_SNDINFO, 0) < 0)
			aerr(a, "abort: %s", strerror(errno));
	} else if (!ended && strcmp(c, "exit") == 0) {
		/* restart phase 1: the caller exits abruptly */
		snprintf(a->close_how, sizeof a->close_how, "vanished");
		return;
	} else if (!ended) {
		wait_end(a, false);
	}

	if (a->we_aborted)
		snprintf(a->close_how, sizeof a->close_how, "abort");
	else if (a->comm_lost || a->rx_errno == ECONNRESET)
		snprintf(a->close_how, sizeof a->close_how, "peer-abort");
	else if (a->we_shutdown)
		snprintf(a->close_how, sizeof a->close_how, "shutdown");
	else if (a->peer_shutdown)
		snprintf(a->close_how, sizeof a->close_how, "peer-shutdown");
	else
		snprintf(a->close_how, sizeof a->close_how, "unknown(errno=%d)", a->rx_errno);

	if (a->send_failed && strstr(a->close_how, "abort") == NULL)
		aerr(a, "%ld messages failed to send", a->send_failed);

	const char *want = O.expect_close;
	if (strcmp(want, "any") != 0 && strcmp(want, a->close_how) != 0)
		aerr(a, "association ended by %s, expected %s", a->close_how, want);
}

static void print_result(struct assoc *a)
{
	double secs = a->t_last - a->t_first;
	uint64_t bytes = strcmp(O.scenario, "send") == 0 ? a->bytes_tx : a->bytes_rx;
	double mbps = secs > 0 ? (double)bytes / secs / 1e6 : 0;
	char hash[80] = "";
	if (!strcmp(O.scenario, "send") || !strcmp(O.scenario, "discard-hash") ||
	    !strcmp(O.scenario, "recv")) {
		uint8_t d[32];
		sha256_final(&a->hash, d);
		sha256_hex(d, a->sha);
		snprintf(hash, sizeof hash, " sha256=%s", a->sha);
	}
	if (O.expect_resets >= 0 && a->resets != O.expect_resets)
		aerr(a, "%ld reconfiguration events, want %ld", a->resets, O.expect_resets);
	a->ok = a->errors == 0;
	/* usrsctp's stack-wide counters (the whole process: exact when it runs
	 * one association, as make bench-wan does). */
	struct sctpstat st;
	memset(&st, 0, sizeof st);
	usrsctp_get_stat(&st);
	logf_(stdout,
	      "RESULT impl=" IMPL " role=%s scenario=%s assoc=%d phase=%d msgs_sent=%" PRIu64
	      " msgs_recv=%" PRIu64 " bytes_sent=%" PRIu64 " bytes_recv=%" PRIu64
	      "%s secs=%.3f mbps=%.2f streams_in=%u streams_out=%u restarts=%d close=%s "
	      "send_failed=%ld retransmits=%u fast_retransmits=%u t3_expiries=%u "
	      "abandoned=%ld missing=%ld errors=%ld status=%s\n",
	      role(), O.scenario, a->id, a->phase, a->msgs_tx, a->msgs_rx, a->bytes_tx, a->bytes_rx,
	      hash, secs, mbps, a->in_streams, a->out_streams, a->restarts,
	      a->close_how[0] ? a->close_how : "none", a->send_failed, st.sctps_sendretransdata,
	      st.sctps_sendfastretrans, st.sctps_timodata, a->abandoned, a->missing, a->errors,
	      a->ok ? "ok" : "fail");
}

static void run_assoc(struct assoc *a)
{
	int ended = 0;
	const char *s = O.scenario;
	if (!strcmp(s, "ping"))
		ended = sc_ping(a) != 0;
	else if (!strcmp(s, "echo"))
		ended = sc_echo(a);
	else if (!strcmp(s, "send"))
		ended = sc_send(a) != 0;
	else if (!strcmp(s, "discard-hash"))
		ended = sc_discard_hash(a);
	else if (!strcmp(s, "recv"))
		ended = sc_recv(a);
	finish_close(a, ended);
	if (O.expect_restarts >= 0 && a->restarts != O.expect_restarts)
		aerr(a, "saw %d restarts, expected %d", a->restarts, O.expect_restarts);
	print_result(a);
}

/* ---------------------------------------------------------------- sockets */

static void set_opt(struct socket *s, int level, int name, const void *v, socklen_t len,
		    const char *what)
{
	if (usrsctp_setsockopt(s, level, name, v, len) != 0)
		logf_(stderr, "WARN impl=" IMPL " setsockopt %s: %s\n", what, strerror(errno));
}

static void configure(struct socket *s, bool endpoint)
{
	int on = 1;
	set_opt(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on, "SCTP_RECVRCVINFO");
	set_opt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on, "SCTP_NODELAY");
	set_opt(s, SOL_SOCKET, SO_SNDBUF, &O.buf, sizeof O.buf, "SO_SNDBUF");
	set_opt(s, SOL_SOCKET, SO_RCVBUF, &O.buf, sizeof O.buf, "SO_RCVBUF");
	if (O.pd_point > 0) {
		uint32_t pd = (uint32_t)O.pd_point;
		set_opt(s, IPPROTO_SCTP, SCTP_PARTIAL_DELIVERY_POINT, &pd, sizeof pd,
			"SCTP_PARTIAL_DELIVERY_POINT");
	}
	static const uint16_t events[] = {SCTP_ASSOC_CHANGE,	   SCTP_SHUTDOWN_EVENT,
					  SCTP_REMOTE_ERROR,	   SCTP_SEND_FAILED_EVENT,
					  SCTP_STREAM_RESET_EVENT, SCTP_ASSOC_RESET_EVENT,
					  SCTP_STREAM_CHANGE_EVENT};
	for (size_t k = 0; k < sizeof events / sizeof events[0]; k++) {
		struct sctp_event ev;
		memset(&ev, 0, sizeof ev);
		ev.se_assoc_id = SCTP_FUTURE_ASSOC;
		ev.se_type = events[k];
		ev.se_on = 1;
		set_opt(s, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev, "SCTP_EVENT");
	}
	if (!endpoint)
		return;
	struct sctp_initmsg im;
	memset(&im, 0, sizeof im);
	int ns = O.max_streams > 0 ? O.max_streams : (O.streams > 64 ? O.streams : 64);
	im.sinit_num_ostreams = (uint16_t)ns;
	im.sinit_max_instreams = (uint16_t)ns;
	set_opt(s, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof im, "SCTP_INITMSG");
	if (O.auth_chunks) { /* RFC 6458 SCTP_AUTH_CHUNK, one per type */
		char *list = strdup(O.auth_chunks), *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			struct sctp_authchunk ac = {.sauth_chunk = (uint8_t)atoi(t)};
			set_opt(s, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac, sizeof ac, "SCTP_AUTH_CHUNK");
		}
		free(list);
	}
	if (O.auth_hmacs) { /* RFC 6458 SCTP_HMAC_IDENT */
		uint8_t buf[sizeof(struct sctp_hmacalgo) + 8 * sizeof(uint16_t)];
		struct sctp_hmacalgo *h = (struct sctp_hmacalgo *)buf;
		char *list = strdup(O.auth_hmacs), *save = NULL;
		h->shmac_number_of_idents = 0;
		for (char *t = strtok_r(list, ",", &save); t && h->shmac_number_of_idents < 8;
		     t = strtok_r(NULL, ",", &save))
			h->shmac_idents[h->shmac_number_of_idents++] = (uint16_t)atoi(t);
		free(list);
		set_opt(s, IPPROTO_SCTP, SCTP_HMAC_IDENT, buf,
			(socklen_t)(sizeof *h + h->shmac_number_of_idents * sizeof(uint16_t)),
			"SCTP_HMAC_IDENT");
	}
	if (O.enable_reset) { /* RFC 6525 6.3.1 */
		struct sctp_assoc_value av = {.assoc_id = SCTP_FUTURE_ASSOC,
					      .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ |
							     SCTP_ENABLE_RESET_ASSOC_REQ |
							     SCTP_ENABLE_CHANGE_ASSOC_REQ};
		set_opt(s, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof av,
			"SCTP_ENABLE_STREAM_RESET");
	}
	if (O.idata) { /* RFC 8260 4.3.1: fragment interleave level 2 first */
		int lvl = 2;
		set_opt(s, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &lvl, sizeof lvl,
			"SCTP_FRAGMENT_INTERLEAVE");
		struct sctp_assoc_value av = {.assoc_id = SCTP_FUTURE_ASSOC, .assoc_value = 1};
		set_opt(s, IPPROTO_SCTP, SCTP_INTERLEAVING_SUPPORTED, &av, sizeof av,
			"SCTP_INTERLEAVING_SUPPORTED");
		struct sctp_assoc_value ss = {.assoc_id = SCTP_FUTURE_ASSOC,
					      .assoc_value = SCTP_SS_ROUND_ROBIN};
		set_opt(s, IPPROTO_SCTP, SCTP_PLUGGABLE_SS, &ss, sizeof ss, "SCTP_PLUGGABLE_SS");
	}
	if (O.disable) {
		/* Table order matters: ASCONF needs AUTH, so it goes first. */
		static const struct {
			const char *name;
			int opt;
		} ext[] = {{"ecn", SCTP_ECN_SUPPORTED},       {"pr", SCTP_PR_SUPPORTED},
			   {"asconf", SCTP_ASCONF_SUPPORTED}, {"auth", SCTP_AUTH_SUPPORTED},
			   {"reconfig", SCTP_RECONFIG_SUPPORTED}, {"nrsack", SCTP_NRSACK_SUPPORTED},
			   {"pktdrop", SCTP_PKTDROP_SUPPORTED}};
		char *list = strdup(O.disable), *save = NULL;
		bool want[sizeof ext / sizeof ext[0]] = {false};
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			size_t k;
			for (k = 0; k < sizeof ext / sizeof ext[0]; k++)
				if (!strcmp(t, ext[k].name))
					break;
			if (k == sizeof ext / sizeof ext[0]) {
				fprintf(stderr, "unknown extension %s\n", t);
				exit(2);
			}
			want[k] = true;
		}
		free(list);
		for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
			if (!want[k])
				continue;
			struct sctp_assoc_value av = {.assoc_id = SCTP_FUTURE_ASSOC, .assoc_value = 0};
			set_opt(s, IPPROTO_SCTP, ext[k].opt, &av, sizeof av, ext[k].name);
		}
	}
	if (O.mtu > 0) {
		struct sctp_paddrparams pp;
		memset(&pp, 0, sizeof pp);
		pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
		pp.spp_pathmtu = (uint32_t)O.mtu;
		pp.spp_flags = SPP_PMTUD_DISABLE;
		set_opt(s, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp, "SCTP_PEER_ADDR_PARAMS");
	}
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int e = getaddrinfo(host, ps, &hints, &res);
	if (e != 0) {
		fprintf(stderr, "resolve %s: %s\n", host, gai_strerror(e));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int pick_udp_port(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t l = sizeof sin;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &l) != 0) {
		perror("pick udp port");
		exit(1);
	}
	close(fd);
	return ntohs(sin.sin_port);
}

static void stack_init(int udp_port)
{
	usrsctp_init((uint16_t)udp_port, NULL, NULL); /* NULL debug printer: silent */
	usrsctp_sysctl_set_sctp_debug_on(0);
	/* Checksums on loopback too: peers and tshark verify them. */
	usrsctp_sysctl_set_sctp_no_csum_on_loopback(0);
	usrsctp_sysctl_set_sctp_blackhole(0);
	usrsctp_sysctl_set_sctp_sendspace((uint32_t)O.buf);
	usrsctp_sysctl_set_sctp_recvspace((uint32_t)O.buf);
}

static void stack_finish(void)
{
	/* Let shutdowns complete (SHUTDOWN ACK / COMPLETE) before we go. */
	for (int k = 0; k < 50 && usrsctp_finish() != 0; k++)
		sleep_ms(100);
}

static void new_assoc(struct assoc *a, int id, int phase)
{
	memset(a, 0, sizeof *a);
	a->id = id;
	a->phase = phase;
	a->scratch = malloc(SCRATCH);
	if (!a->scratch) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
}

static void free_assoc(struct assoc *a)
{
	if (a->parts)
		for (size_t k = 0; k < 65536; k++)
			free(a->parts[k].buf);
	free(a->parts);
	free(a->scratch);
	free(a->seen);
	free(a->last_ordered);
	free(a->expect);
}

/* ----------------------------------------------------------------- client */

struct client_job {
	struct assoc a;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	int local_port;
};

static void *client_thread(void *arg)
{
	struct client_job *j = arg;
	struct assoc *a = &j->a;
	int fam = j->dst.ss_family;
	a->s = usrsctp_socket(fam, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (!a->s) {
		aerr(a, "usrsctp_socket: %s", strerror(errno));
		print_result(a);
		return NULL;
	}
	configure(a->s, true);
	struct sctp_udpencaps enc;
	memset(&enc, 0, sizeof enc);
	enc.sue_assoc_id = SCTP_FUTURE_ASSOC;
	enc.sue_port = htons((uint16_t)O.remote_udp_port);
	set_opt(a->s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof enc,
		"SCTP_REMOTE_UDP_ENCAPS_PORT");
	struct sockaddr_storage local;
	socklen_t llen;
	const char *baddr = O.bind_addr ? O.bind_addr : (fam == AF_INET6 ? "::1" : "127.0.0.1");
	if (resolve(baddr, j->local_port, &local, &llen) != 0 ||
	    usrsctp_bind(a->s, (struct sockaddr *)&local, llen) != 0) {
		aerr(a, "bind %s:%d: %s", baddr, j->local_port, strerror(errno));
		print_result(a);
		return NULL;
	}
	if (usrsctp_connect(a->s, (struct sockaddr *)&j->dst, j->dstlen) != 0) {
		aerr(a, "connect: %s", strerror(errno));
		print_result(a);
		usrsctp_close(a->s);
		return NULL;
	}
	run_assoc(a);
	if (strcmp(O.close, "exit") != 0)
		usrsctp_close(a->s);
	return NULL;
}

/* One client process: `n` concurrent associations. Returns failures. */
static int run_clients(int n, int phase, int local_port, struct sockaddr_storage *dst,
		       socklen_t dstlen)
{
	struct client_job *jobs = calloc((size_t)n, sizeof *jobs);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	for (int k = 0; k < n; k++) {
		new_assoc(&jobs[k].a, k, phase);
		jobs[k].dst = *dst;
		jobs[k].dstlen = dstlen;
		jobs[k].local_port = n == 1 ? local_port : 0;
		pthread_create(&th[k], NULL, client_thread, &jobs[k]);
	}
	int failed = 0;
	for (int k = 0; k < n; k++) {
		pthread_join(th[k], NULL);
		if (!jobs[k].a.ok)
			failed++;
	}
	for (int k = 0; k < n; k++)
		free_assoc(&jobs[k].a);
	free(jobs);
	free(th);
	return failed;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "RESULT impl=" IMPL " summary status=fail reason=timeout\n";
	if (write(1, m, sizeof m - 1) < 0) {
	}
	_exit(1);
}

static int client_main(void)
{
	char *hostport = strdup(O.client);
	char *colon = strrchr(hostport, ':');
	if (!colon) {
		fprintf(stderr, "-client wants HOST:PORT\n");
		return 2;
	}
	*colon = 0;
	char *host = hostport;
	if (host[0] == '[') { /* [v6]:port */
		host++;
		host[strlen(host) - 1] = 0;
	}
	int rport = atoi(colon + 1);
	struct sockaddr_storage dst;
	socklen_t dstlen;
	if (resolve(host, rport, &dst, &dstlen) != 0)
		return 2;
	int udp_port = O.udp_port > 0 ? O.udp_port : pick_udp_port();
	int local_port = O.sctp_port > 0 ? O.sctp_port : 0;
	int failed = 0, total = O.many;

	if (O.restart) {
		/* RFC 9260 5.2: a peer restart. Phase 1 in a child that dies
		 * without SHUTDOWN or ABORT; phase 2 from the same UDP port, SCTP
		 * port and address, with fresh state (a new process). */
		if (local_port == 0) {
			srand((unsigned)(time(NULL) ^ getpid()));
			local_port = 20000 + rand() % 40000;
		}
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			alarm((unsigned)O.timeout);
			stack_init(udp_port);
			O.close = "exit"; /* phase 1 ends by vanishing */
			int f = run_clients(1, 1, local_port, &dst, dstlen);
			fflush(stdout);
			fflush(stderr);
			/* Give the last SACKs time to leave, then vanish: no SHUTDOWN,
			 * no ABORT (the stack's threads die with the process). */
			sleep_ms(O.linger_ms);
			_exit(f ? 1 : 0);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
		total++;
		logf_(stderr, "EVENT impl=" IMPL " role=client restarting from udp port %d sctp port %d\n",
		      udp_port, local_port);
		stack_init(udp_port);
		failed += run_clients(1, 2, local_port, &dst, dstlen);
	} else {
		stack_init(udp_port);
		failed = run_clients(O.many, 1, local_port, &dst, dstlen);
	}
	stack_finish();
	logf_(stdout, "RESULT impl=" IMPL " role=client summary assocs=%d failed=%d udp_port=%d status=%s\n",
	      total, failed, udp_port, failed ? "fail" : "ok");
	free(hostport);
	return failed ? 1 : 0;
}

/* ----------------------------------------------------------------- server */

/* RFC 6951 5.1 / 5.4: the peer's UDP port is learned per address from
 * what it sends. libusrsctp 0.9.5 gives an address added later by ASCONF
 * (RFC 5061 4.2.1) the association's remote encapsulation port, which on
 * an accepted association is 0 (no encapsulation), so the new path is
 * heartbeated natively. The association's remote encapsulation port
 * (SCTP_REMOTE_UDP_ENCAPS_PORT without an address) is set to the port the
 * peer's first address uses: the value usrsctp would have had we set it
 * before the INIT, as a client does. */
static void adopt_peer_encaps(struct assoc *a, const struct sockaddr_storage *from, socklen_t fl)
{
	struct sctp_udpencaps enc;
	socklen_t len = sizeof enc;
	memset(&enc, 0, sizeof enc);
	memcpy(&enc.sue_address, from, fl);
	if (usrsctp_getsockopt(a->s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, &len) != 0 ||
	    enc.sue_port == 0)
		return;
	uint16_t port = enc.sue_port;
	memset(&enc, 0, sizeof enc);
	enc.sue_address.ss_family = from->ss_family; /* the wildcard: the association */
	enc.sue_port = port;
	set_opt(a->s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof enc,
		"SCTP_REMOTE_UDP_ENCAPS_PORT (association)");
}

static void *server_thread(void *arg)
{
	struct assoc *a = arg;
	configure(a->s, false);
	run_assoc(a);
	usrsctp_close(a->s);
	return NULL;
}

static int server_main(void)
{
	int udp_port = O.udp_port > 0 ? O.udp_port : 9899;
	int port = O.sctp_port > 0 ? O.sctp_port : 5000;
	stack_init(udp_port);
	const char *baddr = O.bind_addr ? O.bind_addr : "127.0.0.1";
	struct sockaddr_storage local;
	socklen_t llen;
	if (resolve(baddr, port, &local, &llen) != 0)
		return 2;
	struct socket *ls = usrsctp_socket(local.ss_family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0,
					   NULL);
	if (!ls) {
		perror("usrsctp_socket");
		return 1;
	}
	configure(ls, true);
	if (usrsctp_bind(ls, (struct sockaddr *)&local, llen) != 0) {
		fprintf(stderr, "bind %s:%d: %s\n", baddr, port, strerror(errno));
		return 1;
	}
	if (usrsctp_listen(ls, O.assocs) != 0) {
		perror("listen");
		return 1;
	}
	logf_(stdout, "READY impl=" IMPL " role=server addr=%s sctp_port=%d udp_port=%d\n", baddr,
	      port, udp_port);
	struct assoc *as = calloc((size_t)O.assocs, sizeof *as);
	pthread_t *th = calloc((size_t)O.assocs, sizeof *th);
	for (int k = 0; k < O.assocs; k++) {
		new_assoc(&as[k], k, 1);
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		as[k].s = usrsctp_accept(ls, (struct sockaddr *)&from, &fl);
		if (!as[k].s) {
			perror("accept");
			return 1;
		}
		adopt_peer_encaps(&as[k], &from, fl);
		pthread_create(&th[k], NULL, server_thread, &as[k]);
	}
	int failed = 0;
	for (int k = 0; k < O.assocs; k++) {
		pthread_join(th[k], NULL);
		if (!as[k].ok)
			failed++;
	}
	usrsctp_close(ls);
	stack_finish();
	logf_(stdout, "RESULT impl=" IMPL " role=server summary assocs=%d failed=%d status=%s\n",
	      O.assocs, failed, failed ? "fail" : "ok");
	return failed ? 1 : 0;
}

/* ------------------------------------------------------------------- main */

static uint64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	uint64_t mult = 1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; break;
	case 'm': case 'M': mult = 1024 * 1024; break;
	case 'g': case 'G': mult = 1024ull * 1024 * 1024; break;
	case 0: break;
	default:
		fprintf(stderr, "bad size %s\n", s);
		exit(2);
	}
	return (uint64_t)(v * (double)mult);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: usrsctp-peer (-server | -client HOST:PORT) -scenario NAME [flags]\n"
		"  -server                 listen (SCTP port -sctp-port, default 5000)\n"
		"  -client HOST:PORT       connect to SCTP port PORT at HOST\n"
		"  -bind ADDR              local address (default 127.0.0.1 / ::1)\n"
		"  -sctp-port N            server: listen port; client: local port (default any)\n"
		"  -udp-port N             local UDP encapsulation port (server 9899, client: free one)\n"
		"  -remote-udp-port N      client: peer's UDP encapsulation port (default 9899)\n"
		"  -scenario S             ping | echo | send | recv | discard-hash\n"
		"  -count N                messages in the plan (default 100)\n"
		"  -sizes LIST             message sizes, cycled (default 1,100,1200,64k,256k)\n"
		"  -streams N              streams used by the plan (default 1)\n"
		"  -unordered N            every Nth message unordered (0 none, 1 all)\n"
		"  -bytes N[k|m|g]         send/discard-hash: bulk size instead of the plan\n"
		"  -msg-size N             bulk message size (default 65536)\n"
		"  -nohash                 bulk send / discard-hash: no generated content, no\n"
		"                          hash (make bench: the stack's cost alone)\n"
		"  -duration SECS          bulk send: stop after SECS (then -bytes is a cap);\n"
		"                          mbps then counts until all is acknowledged\n"
		"  -close C                after the scenario: shutdown | abort | wait\n"
		"  -expect-close C         any | shutdown | abort | peer-shutdown | peer-abort\n"
		"  -restart                client: phase 1, die silently, phase 2 from the same ports\n"
		"  -many N                 client: N concurrent associations\n"
		"  -assocs N               server: serve N associations then exit (default 1)\n"
		"  -expect-restarts N      server: fail unless N restarts were seen\n"
		"  -timeout SECS           give up (exit 1) after SECS (default 120)\n"
		"  -mtu N                  fixed path MTU (default 1200; 0 = stack default)\n"
		"  -buf N                  socket buffer sizes (default 4m)\n"
		"  -pd-point N             SCTP_PARTIAL_DELIVERY_POINT (RFC 6458 8.1.21; default usrsctp's)\n"
		"  -max-streams N          streams offered in INIT (default max(64, -streams))\n"
		"  -auth-chunks LIST       chunk types (numbers) accepted only authenticated (RFC 4895)\n"
		"  -auth-hmacs LIST        HMAC ids asked of the peer, by preference (1 SHA-1, 3 SHA-256)\n"
		"  -enable-reset           perform the peer's reconfiguration requests (RFC 6525 6.3.1)\n"
		"  -reset-every N          send: reconfigure before every Nth plan message and\n"
		"                          wait for the answer (a denial fails)\n"
		"  -reset-kind K           out (Outgoing SSN Reset of every stream, default),\n"
		"                          assoc (SSN/TSN Reset), add (one more outgoing stream)\n"
		"  -expect-resets N        the association must report N performed\n"
		"                          reconfigurations (STREAM_RESET/ASSOC_RESET/STREAM_CHANGE)\n"
		"  -idata                  offer I-DATA (RFC 8260), round robin scheduler\n"
		"  -disable LIST           extensions not to offer: ecn,pr,auth,asconf,reconfig,\n"
		"                          nrsack,pktdrop (default: usrsctp's set)\n"
		"  -linger-ms N            restart: pause before vanishing (default 500)\n"
		"  -pr POLICY:VALUE        send: PR-SCTP policy ttl (ms) | rtx | prio\n"
		"  -allow-missing          recv: messages may be missing (abandoned)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-')
			usage();
		while (*a == '-')
			a++;
		char *val = strchr(a, '=');
		if (val)
			*val++ = 0;
#define NEED() \
	do { \
		if (!val) { \
			if (++i >= argc) \
				usage(); \
			val = argv[i]; \
		} \
	} while (0)
		if (!strcmp(a, "server"))
			O.server = true;
		else if (!strcmp(a, "restart"))
			O.restart = true;
		else if (!strcmp(a, "client")) {
			NEED();
			O.client = val;
		} else if (!strcmp(a, "bind")) {
			NEED();
			O.bind_addr = val;
		} else if (!strcmp(a, "sctp-port")) {
			NEED();
			O.sctp_port = atoi(val);
		} else if (!strcmp(a, "udp-port")) {
			NEED();
			O.udp_port = atoi(val);
		} else if (!strcmp(a, "remote-udp-port")) {
			NEED();
			O.remote_udp_port = atoi(val);
		} else if (!strcmp(a, "scenario")) {
			NEED();
			O.scenario = val;
		} else if (!strcmp(a, "count")) {
			NEED();
			O.count = atol(val);
		} else if (!strcmp(a, "sizes")) {
			NEED();
			O.nsizes = 0;
			for (char *t = strtok(val, ","); t; t = strtok(NULL, ",")) {
				if (O.nsizes == MAX_SIZES)
					usage();
				O.sizes[O.nsizes++] = (size_t)parse_size(t);
			}
			if (O.nsizes == 0)
				usage();
		} else if (!strcmp(a, "streams")) {
			NEED();
			O.streams = atoi(val);
		} else if (!strcmp(a, "unordered")) {
			NEED();
			O.unordered = atoi(val);
		} else if (!strcmp(a, "bytes")) {
			NEED();
			O.bytes = parse_size(val);
		} else if (!strcmp(a, "nohash")) {
			O.nohash = true;
			continue;
		} else if (!strcmp(a, "duration")) {
			NEED();
			O.duration = atof(val);
		} else if (!strcmp(a, "msg-size")) {
			NEED();
			O.msg_size = (size_t)parse_size(val);
		} else if (!strcmp(a, "close")) {
			NEED();
			O.close = val;
		} else if (!strcmp(a, "expect-close")) {
			NEED();
			O.expect_close = val;
		} else if (!strcmp(a, "many")) {
			NEED();
			O.many = atoi(val);
		} else if (!strcmp(a, "assocs")) {
			NEED();
			O.assocs = atoi(val);
		} else if (!strcmp(a, "expect-restarts")) {
			NEED();
			O.expect_restarts = atoi(val);
		} else if (!strcmp(a, "timeout")) {
			NEED();
			O.timeout = atoi(val);
		} else if (!strcmp(a, "mtu")) {
			NEED();
			O.mtu = atoi(val);
		} else if (!strcmp(a, "buf")) {
			NEED();
			O.buf = (int)parse_size(val);
		} else if (!strcmp(a, "pd-point")) {
			NEED();
			O.pd_point = (int)parse_size(val);
		} else if (!strcmp(a, "max-streams")) {
			NEED();
			O.max_streams = atoi(val);
		} else if (!strcmp(a, "disable")) {
			NEED();
			O.disable = val;
		} else if (!strcmp(a, "enable-reset")) {
			O.enable_reset = true;
		} else if (!strcmp(a, "idata")) {
			O.idata = true;
		} else if (!strcmp(a, "reset-every")) {
			NEED();
			O.reset_every = atol(val);
		} else if (!strcmp(a, "reset-kind")) {
			NEED();
			O.reset_kind = val;
		} else if (!strcmp(a, "expect-resets")) {
			NEED();
			O.expect_resets = atol(val);
		} else if (!strcmp(a, "auth-chunks")) {
			NEED();
			O.auth_chunks = val;
		} else if (!strcmp(a, "auth-hmacs")) {
			NEED();
			O.auth_hmacs = val;
		} else if (!strcmp(a, "linger-ms")) {
			NEED();
			O.linger_ms = atoi(val);
		} else if (!strcmp(a, "pr")) {
			NEED();
			char *c = strchr(val, ':');
			if (!c)
				usage();
			*c++ = 0;
			O.pr_policy = !strcmp(val, "ttl")    ? SCTP_PR_SCTP_TTL
				      : !strcmp(val, "rtx")  ? SCTP_PR_SCTP_RTX
				      : !strcmp(val, "prio") ? SCTP_PR_SCTP_BUF
							     : 0;
			if (!O.pr_policy)
				usage();
			O.pr_value = (uint32_t)strtoul(c, NULL, 10);
		} else if (!strcmp(a, "asconf")) {
			/* offered by default (see -disable) */
		} else if (!strcmp(a, "asconf-move")) {
			NEED();
			O.asconf_move = val;
		} else if (!strcmp(a, "asconf-keep-old")) {
			O.asconf_keep_old = true;
		} else if (!strcmp(a, "allow-missing")) {
			O.allow_missing = true;
		} else if (!strcmp(a, "h") || !strcmp(a, "help"))
			usage();
		else {
			fprintf(stderr, "unknown flag -%s\n", a);
			usage();
		}
	}
	if (O.server == (O.client != NULL) || !O.scenario)
		usage();
	const char *s = O.scenario;
	bool active = !strcmp(s, "ping") || !strcmp(s, "send");
	if (!active && strcmp(s, "echo") && strcmp(s, "recv") && strcmp(s, "discard-hash")) {
		fprintf(stderr, "unknown scenario %s\n", s);
		usage();
	}
	if (O.count < 0)
		O.count = strcmp(s, "echo") == 0 ? 0 : 100;
	if (!O.close)
		O.close = active ? "shutdown" : "wait";
	if (strcmp(O.close, "shutdown") && strcmp(O.close, "abort") && strcmp(O.close, "wait")) {
		fprintf(stderr, "bad -close %s\n", O.close);
		usage();
	}
	if (O.streams < 1 || O.streams > 65535 || O.many < 1 || O.assocs < 1 || O.msg_size == 0)
		usage();
	if ((O.restart || O.many > 1) && O.server) {
		fprintf(stderr, "-restart and -many are client flags\n");
		usage();
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)O.timeout);
	return O.server ? server_main() : client_main();
}
