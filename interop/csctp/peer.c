/*
 * csctp-peer: the csctp side of the interop suite. Same flags, scenarios and
 * READY / RESULT lines as interop/usrsctp/peer.c and interop/pion (see
 * interop/README.md, "Plugging in csctp"), built on the csctp C socket API
 * (csctp_io.h) over UDP encapsulation (RFC 6951).
 *
 * One thread, one stack, non-blocking sockets: every association is a small
 * state machine stepped by the loop "call until -EAGAIN, then
 * csctp_stack_run()" (csctp_io.h, "Readiness"). One-to-one sockets: the
 * client connects one per association (-many N: N sockets on one stack and
 * one UDP port, distinct SCTP ports); the server listens on one and accepts
 * -assocs of them.
 *
 * -restart (client): phase 1 runs in a forked child that _exits without
 * SHUTDOWN or ABORT (no csctp_stack_del, which would abort); phase 2 is a
 * fresh stack in the parent on the same UDP port and SCTP port.
 *
 * Environment: CSCTP_INTEROP_CC=reno|cubic picks the congestion controller
 * of every association (CSCTP_OPT_CONGESTION; default reno, RFC 9260 7.2);
 * anything else is an error (exit 2), so that a typo never runs the
 * default silently.
 *
 * Build: cc -O2 -Icsctp -o csctp-peer interop/csctp/peer.c
 *        interop/usrsctp/sha256.c build/libcsctp.a -lm
 */
#include "config.h"

#include "csctp_io.h"

#include "../usrsctp/sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IMPL "csctp"
#define MAX_SIZES 64

/* ------------------------------------------------------------------ options */

static struct opts {
  bool server;
  char *client;
  const char *bind_addr;
  int sctp_port;
  int udp_port;
  int remote_udp_port;
  const char *scenario;
  long count;
  size_t sizes[MAX_SIZES];
  int nsizes;
  int streams;
  int unordered;
  uint64_t bytes;
  size_t msg_size;
  const char *close;
  const char *expect_close;
  bool restart;
  int many;
  int assocs;
  int expect_restarts;
  int timeout;
  int mtu;
  int buf;
  int max_streams;
  int linger_ms;
  int verbose;
  const char *auth_chunks; /* RFC 4895: AUTH on, these types authenticated */
  const char *auth_hmacs;  /* HMAC ids asked of the peer, by preference */
  uint16_t pr_policy;      /* -pr: CSCTP_PR_SCTP_* of every plan message */
  long reset_every;        /* -reset-every N: reset outgoing streams (RFC 6525)
                              before plan messages N, 2N, ... */
  bool enable_reset;       /* -enable-reset: perform the peer's reconfiguration
                              requests (RFC 6525 6.3.1) */
  const char *reset_kind;  /* -reset-kind out|assoc|add (RFC 6525 5.1.2,
                              5.1.4, 5.1.5) */
  long expect_reset_streams; /* -expect-reset-streams N: streams listed by
                                the STREAM_RESET events performed */
  long expect_resets;        /* -expect-resets N: performed reconfigurations
                                the association must report (-1: any) */
  bool idata;                /* -idata: offer I-DATA (RFC 8260), round robin */
  uint32_t pr_value;
  bool allow_missing; /* -allow-missing: recv tolerates abandoned messages */
  bool asconf;        /* -asconf: offer ASCONF (RFC 5061) */
  const char *asconf_move; /* -asconf-move ADDR: send moves to ADDR half way */
  bool asconf_keep_old;    /* -asconf-keep-old: no Delete IP */
} O = {
    .reset_kind = "out",
    .expect_resets = -1,
    .expect_reset_streams = -1,
    .sctp_port = -1,
    .udp_port = -1,
    .remote_udp_port = 9899,
    .count = -1,
    .sizes = {1, 100, 1200, 65536, 262144},
    .nsizes = 5,
    .streams = 1,
    .msg_size = 65536,
    .expect_close = "any",
    .many = 1,
    .assocs = 1,
    .expect_restarts = -1,
    .timeout = 120,
    .mtu = 1200,
    .buf = 4 * 1024 * 1024,
    .linger_ms = 500,
};

static const char *role(void) { return O.server ? "server" : "client"; }

static double now_s(void) { return (double)csctp_now() / 1e9; }

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fflush(stdout);
}

/* ----------------------------------------------------------- the plan */

static void gen(uint32_t idx, uint8_t *buf, size_t len) {
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

static size_t plan_size(long i) { return O.sizes[i % O.nsizes]; }
static int plan_stream(long i) { return (int)(i % O.streams); }
static bool plan_unordered(long i) {
  return O.unordered > 0 && i % O.unordered == O.unordered - 1;
}
static size_t plan_max_size(void) {
  size_t m = 0;
  for (int k = 0; k < O.nsizes; k++)
    if (O.sizes[k] > m)
      m = O.sizes[k];
  return m;
}

/* ------------------------------------------------------------ association */

enum ast { A_CONNECTING, A_RUN, A_CLOSING, A_LINGER, A_DONE };

struct assoc {
  int id, phase;
  csctp_sock *s;
  enum ast st;
  bool ended; /* the association is over (EOF seen) */
  bool scen_done;
  /* counters */
  uint64_t msgs_tx, msgs_rx, bytes_tx, bytes_rx;
  long errors;
  int restarts;
  long send_failed;
  long abandoned;  /* SEND_FAILED of messages PR-SCTP abandoned */
  bool reset_wait; /* -reset-every: a reset is in flight */
  int move_step;   /* -asconf-move: 1 added, 2 deleted the old address */
  double move_t;   /* when the address was added */
  long resets;     /* resets performed (STREAM_RESET events) */
  long reset_sids; /* stream ids those events listed (6.1.1) */
  long missing;    /* recv -allow-missing: plan messages not received */
  bool comm_up, peer_shutdown, comm_lost, shutdown_comp, we_shutdown,
      we_aborted;
  int lost_reason, lost_cause;
  int end_err; /* csctp_sock_error at EOF */
  uint16_t in_streams, out_streams;
  double t_first, t_last, t_linger;
  bool hashing;
  sha256_ctx hash;
  char sha[65];
  /* receive: the message being assembled */
  uint8_t *rx;
  size_t rxcap, rxlen;
  csctp_rcvinfo rxinfo;
  bool rx_have_info;
  /* -idata reads at fragment interleave level 2: each stream's message so
   * far, by stream id (collect_part) */
  struct part {
    uint8_t *buf;
    size_t len;
    csctp_rcvinfo ri;
    bool active;
  } * parts;
  bool in_notif; /* reading the rest of a notification */
  /* send side */
  long next_tx;       /* plan index / bulk index */
  uint64_t bulk_left; /* bulk bytes not yet queued */
  uint8_t *tx;
  size_t txlen;
  bool tx_ready; /* tx holds message next_tx, generated and hashed */
  bool tx_done;  /* everything of the scenario is queued */
  /* echo: a received message waiting to go back */
  bool echo_pending;
  size_t echo_len;
  csctp_sndinfo echo_si;
  /* verifier */
  uint8_t *seen;
  long *last_ordered;
  uint8_t *expect;
  /* figures from csctp_sock_status (last seen) */
  csctp_assoc_status stat;
  bool have_stat;
  char close_how[40];
  bool ok, reported;
};

static void aerr(struct assoc *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void aerr(struct assoc *a, const char *fmt, ...) {
  a->errors++;
  if (a->errors > 20)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "ERROR impl=" IMPL " role=%s assoc=%d phase=%d: %s\n", role(),
          a->id, a->phase, msg);
  fflush(stderr);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

static void verifier_init(struct assoc *a, long count) {
  a->seen = calloc((size_t)count + 1, 1);
  a->last_ordered = xmalloc(sizeof(long) * (size_t)O.streams);
  for (int k = 0; k < O.streams; k++)
    a->last_ordered[k] = -1;
  a->expect = xmalloc(plan_max_size() + 1);
  if (!a->seen) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
}

static void verify_plan_msg(struct assoc *a, const uint8_t *buf, size_t len,
                            const csctp_rcvinfo *ri) {
  long count = O.count;
  uint32_t idx = ri->ppid;
  bool unordered = (ri->flags & CSCTP_RCV_UNORDERED) != 0;
  if ((long)idx >= count) {
    aerr(a, "PPID %" PRIu32 " out of plan (count %ld), len %zu sid %u", idx,
         count, len, ri->sid);
    return;
  }
  if (a->seen[idx]) {
    aerr(a, "message %" PRIu32 " delivered twice", idx);
    return;
  }
  a->seen[idx] = 1;
  if (len != plan_size(idx))
    aerr(a, "message %" PRIu32 ": size %zu, want %zu", idx, len,
         plan_size(idx));
  if (ri->sid != plan_stream(idx))
    aerr(a, "message %" PRIu32 ": stream %u, want %d", idx, ri->sid,
         plan_stream(idx));
  if (unordered != plan_unordered(idx))
    aerr(a, "message %" PRIu32 ": unordered=%d, want %d", idx, unordered,
         plan_unordered(idx));
  if (!unordered && ri->sid < O.streams) {
    if ((long)idx < a->last_ordered[ri->sid])
      aerr(a, "message %" PRIu32 " on stream %u after %ld: order broken", idx,
           ri->sid, a->last_ordered[ri->sid]);
    else
      a->last_ordered[ri->sid] = idx;
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

static void verifier_final(struct assoc *a) {
  long missing = 0, first = -1;
  for (long i = 0; i < O.count; i++)
    if (!a->seen[i]) {
      if (first < 0)
        first = i;
      missing++;
    }
  a->missing = missing;
  if (missing && !O.allow_missing)
    aerr(a, "%ld of %ld messages missing (first %ld)", missing, O.count, first);
}

static bool is(const char *s) { return strcmp(O.scenario, s) == 0; }

static void assoc_init(struct assoc *a, int id, int phase) {
  memset(a, 0, sizeof *a);
  a->id = id;
  a->phase = phase;
  size_t cap = plan_max_size() + 1;
  if (is("echo") || is("discard-hash"))
    cap = 1024 * 1024;
  a->rxcap = cap;
  a->rx = xmalloc(cap);
  if (is("ping") || is("recv"))
    verifier_init(a, O.count);
  if (is("send") || is("recv") || is("discard-hash")) {
    a->hashing = true;
    sha256_init(&a->hash);
  }
  if (is("ping") || is("send"))
    a->tx = xmalloc(O.bytes > 0 ? O.msg_size : plan_max_size() + 1);
  a->bulk_left = O.bytes;
}

static void assoc_free(struct assoc *a) {
  if (a->parts != NULL)
    for (size_t i = 0; i < 65536; i++)
      free(a->parts[i].buf);
  free(a->parts);
  free(a->rx);
  free(a->tx);
  free(a->seen);
  free(a->last_ordered);
  free(a->expect);
}

static void note_rx(struct assoc *a, size_t n) {
  double t = now_s();
  if (a->t_first == 0)
    a->t_first = t;
  a->t_last = t;
  a->bytes_rx += n;
  a->msgs_rx++;
}

static void snapshot(struct assoc *a) {
  csctp_assoc_status st;
  if (a->s && csctp_sock_status(a->s, 0, &st) == 0) {
    a->stat = st;
    a->have_stat = true;
    if (!a->in_streams) {
      a->in_streams = st.inbound_streams;
      a->out_streams = st.outbound_streams;
    }
  }
}

/* ------------------------------------------------------------ the machine */

static void handle_notification(struct assoc *a, const uint8_t *p, size_t n) {
  csctp_notification no;
  if (n < sizeof no) {
    aerr(a, "short notification (%zu bytes)", n);
    return;
  }
  memcpy(&no, p, sizeof no);
  switch (no.type) {
  case CSCTP_EV_ASSOC_UP:
    a->comm_up = true;
    a->in_streams = no.u.up.inbound_streams;
    a->out_streams = no.u.up.outbound_streams;
    break;
  case CSCTP_EV_ASSOC_RESTART:
    a->restarts++;
    a->in_streams = no.u.up.inbound_streams;
    a->out_streams = no.u.up.outbound_streams;
    fprintf(stderr, "EVENT impl=" IMPL " role=%s assoc=%d restart\n", role(),
            a->id);
    break;
  case CSCTP_EV_ASSOC_LOST:
    a->comm_lost = true;
    a->lost_reason = (int)no.u.lost.reason;
    a->lost_cause = no.u.lost.cause_code;
    break;
  case CSCTP_EV_SHUTDOWN_COMPLETE:
    a->shutdown_comp = true;
    break;
  case CSCTP_EV_SHUTDOWN_RECEIVED:
    a->peer_shutdown = true;
    break;
  case CSCTP_EV_SEND_FAILED:
    if (no.u.send_failed.abandoned)
      a->abandoned++; /* PR-SCTP: expected under -pr */
    else
      a->send_failed++;
    break;
  case CSCTP_EV_REMOTE_ERROR:
    fprintf(stderr,
            "EVENT impl=" IMPL " role=%s assoc=%d remote-error cause=%u\n",
            role(), a->id, no.u.remote_error.cause_code);
    break;
  case CSCTP_EV_STREAM_RESET: /* RFC 6525 6.1.1 */
    fprintf(stderr,
            "EVENT impl=" IMPL " role=%s assoc=%d stream-reset flags=%#x\n",
            role(), a->id, no.u.stream_reset.flags);
    if (no.u.stream_reset.flags &
        (CSCTP_STREAM_RESET_DENIED | CSCTP_STREAM_RESET_FAILED)) {
      aerr(a, "stream reset refused (flags %#x)", no.u.stream_reset.flags);
      a->tx_done = true;
    } else {
      a->resets++;
      a->reset_sids += no.u.stream_reset.number_streams;
    }
    a->reset_wait = false;
    break;
  case CSCTP_EV_ASSOC_RESET:   /* RFC 6525 6.1.2 */
  case CSCTP_EV_STREAM_CHANGE: /* 6.1.3: DENIED, FAILED as in 6.1.1 */
  {
    int ar = no.type == CSCTP_EV_ASSOC_RESET;
    uint16_t fl = ar ? no.u.assoc_reset.flags : no.u.stream_change.flags;
    if (ar)
      fprintf(stderr,
              "EVENT impl=" IMPL
              " role=%s assoc=%d assoc-reset flags=%#x local_tsn=%u "
              "remote_tsn=%u\n",
              role(), a->id, fl, no.u.assoc_reset.local_tsn,
              no.u.assoc_reset.remote_tsn);
    else
      fprintf(stderr,
              "EVENT impl=" IMPL
              " role=%s assoc=%d stream-change flags=%#x in=%u out=%u\n",
              role(), a->id, fl, no.u.stream_change.instrms,
              no.u.stream_change.outstrms);
    if (fl & (CSCTP_STREAM_RESET_DENIED | CSCTP_STREAM_RESET_FAILED)) {
      aerr(a, "reconfiguration refused (flags %#x)", fl);
      a->tx_done = true;
    } else {
      a->resets++;
    }
    a->reset_wait = false;
    break;
  }
  default:
    break;
  }
}

/* A whole message arrived (a->rx, a->rxlen; may exceed rxcap: counted). */
static void on_message(struct assoc *a) {
  size_t len = a->rxlen;
  const csctp_rcvinfo *ri = &a->rxinfo;
  note_rx(a, len);
  if (a->st != A_RUN || a->scen_done) {
    if (!(a->we_shutdown || a->we_aborted) || a->st == A_RUN)
      aerr(a, "unexpected message of %zu bytes while waiting for the end", len);
    else
      aerr(a, "unexpected message of %zu bytes after our shutdown", len);
    return;
  }
  if (is("ping") || is("recv")) {
    if (len > a->rxcap) {
      aerr(a, "message of %zu bytes exceeds the plan", len);
      return;
    }
    if (is("recv") && !O.allow_missing)
      sha256_update(&a->hash, a->rx, len);
    verify_plan_msg(a, a->rx, len, ri);
  } else if (is("echo")) {
    if (len > a->rxcap) {
      aerr(a, "message of %zu bytes exceeds echo buffer", len);
      return;
    }
    memset(&a->echo_si, 0, sizeof a->echo_si);
    a->echo_si.sid = ri->sid;
    a->echo_si.ppid = ri->ppid;
    if (ri->flags & CSCTP_RCV_UNORDERED)
      a->echo_si.flags = CSCTP_SEND_UNORDERED;
    a->echo_len = len;
    a->echo_pending = true;
  } else if (is("send")) {
    aerr(a, "unexpected message of %zu bytes while sending", len);
  }
  /* discard-hash hashed the parts as they came */
}

/* -idata sets fragment interleave level 2 (RFC 6458 8.1.20, as RFC 8260
 * 4.3.1 asks): parts of different streams' messages come in turn, never
 * two messages of one stream, so each stream's message is put together in
 * its own buffer and handed to on_message when its last part came. */
static void collect_part(struct assoc *a, const uint8_t *p, size_t n,
                         const csctp_rcvinfo *ri, int fl) {
  if (a->parts == NULL) {
    a->parts = xmalloc(65536 * sizeof *a->parts);
    memset(a->parts, 0, 65536 * sizeof *a->parts);
  }
  struct part *q = &a->parts[ri->sid];
  if (!q->active) {
    if (q->buf == NULL)
      q->buf = xmalloc(a->rxcap);
    q->active = true;
    q->len = 0;
    q->ri = *ri;
  }
  if (n > a->rxcap - q->len) {
    aerr(a, "message on stream %u exceeds the plan", (unsigned)ri->sid);
    q->active = false;
    return;
  }
  memcpy(q->buf + q->len, p, n);
  q->len += n;
  if (!(fl & CSCTP_MSG_EOR))
    return;
  q->active = false;
  uint8_t *rx = a->rx;
  a->rx = q->buf;
  a->rxlen = q->len;
  a->rxinfo = q->ri;
  on_message(a);
  a->rx = rx;
  a->rxlen = 0;
}

/* Read until -EAGAIN (or until an echo is pending). Returns false on EOF. */
static bool do_recv(struct assoc *a) {
  static uint8_t scratch[65536];
  bool discard = is("discard-hash");
  bool by_stream = O.idata && (is("recv") || is("ping"));
  for (;;) {
    if (a->echo_pending)
      return true;
    uint8_t *dst;
    size_t room;
    if (discard) {
      dst = a->rx;
      room = a->rxcap;
    } else if (by_stream) {
      dst = scratch;
      room = sizeof scratch;
    } else if (a->rxlen < a->rxcap) {
      dst = a->rx + a->rxlen;
      room = a->rxcap - a->rxlen;
    } else {
      dst = scratch;
      room = sizeof scratch;
    }
    csctp_rcvinfo ri;
    int fl = 0;
    struct iovec iov = {dst, room};
    csctp_ssize n = csctp_recvv(a->s, &iov, 1, NULL, NULL, &ri, &fl);
    if (n == -EAGAIN)
      return true;
    if (n == 0) {
      a->end_err = csctp_sock_error(a->s);
      return false;
    }
    if (n < 0) {
      aerr(a, "recv: %s", csctp_strerror((int)n));
      a->end_err = (int)n;
      return false;
    }
    if (fl & CSCTP_MSG_NOTIFICATION) {
      /* A long one (SEND_FAILED carries the message) comes in parts: the
       * struct is in the first. */
      if (!a->in_notif)
        handle_notification(a, dst, (size_t)n);
      a->in_notif = !(fl & CSCTP_MSG_EOR);
      continue;
    }
    if (by_stream) {
      collect_part(a, dst, (size_t)n, &ri, fl);
      continue;
    }
    if (!a->rx_have_info) {
      a->rxinfo = ri;
      a->rx_have_info = true;
    }
    if (discard) {
      sha256_update(&a->hash, dst, (size_t)n);
      double t = now_s();
      if (a->t_first == 0)
        a->t_first = t;
      a->t_last = t;
      a->bytes_rx += (uint64_t)n;
      if (fl & CSCTP_MSG_EOR) {
        a->msgs_rx++;
        a->rx_have_info = false;
        if (a->st != A_RUN || a->scen_done)
          aerr(a, "unexpected message while waiting for the end");
      }
      continue;
    }
    a->rxlen += (size_t)n;
    if (fl & CSCTP_MSG_EOR) {
      on_message(a);
      a->rxlen = 0;
      a->rx_have_info = false;
    }
  }
}

/* -------------------------------------------------------------- sending */

/* Returns 1 when queued, 0 on -EAGAIN, -1 on error (reported). */
static int send_msg(struct assoc *a, const void *buf, size_t len,
                    const csctp_sndinfo *si, const char *what, long idx) {
  struct iovec iov = {(void *)buf, len};
  csctp_ssize r = csctp_sendv(a->s, &iov, 1, NULL, si, 0);
  if (r == -EAGAIN)
    return 0;
  if (r < 0) {
    aerr(a, "send of %s %ld failed: %s", what, idx, csctp_strerror((int)r));
    return -1;
  }
  if ((size_t)r != len) {
    aerr(a, "short send %ld of %zu", (long)r, len);
    return -1;
  }
  return 1;
}

/* -asconf-move: half way through a send, add ADDR to the association,
 * ask the peer to make it its primary and delete the address we bound
 * (RFC 5061 Add IP, Set Primary, Delete IP; RFC 6458 sctp_bindx). */
static int resolve(const char *host, int port, struct sockaddr_storage *ss,
                   socklen_t *len);

static const char *bind_host(int fam) {
  return O.bind_addr ? O.bind_addr : (fam == AF_INET6 ? "::1" : "127.0.0.1");
}

static bool asconf_half(const struct assoc *a) {
  if (O.bytes > 0)
    return a->bulk_left <= O.bytes / 2;
  return a->next_tx >= O.count / 2;
}

/* Step 1 (half way): add ADDR and ask the peer to send there. Step 2, a
 * second later (the peer verifies the new path with a HEARTBEAT first, RFC
 * 5061 F14; no new data is queued meanwhile, what is queued keeps
 * flowing): delete the address we bound. Returns true while sending waits. */
static bool asconf_move(struct assoc *a) {
  if (!O.asconf_move || a->move_step == 2 || !asconf_half(a))
    return false;
  struct sockaddr_storage nw, old;
  socklen_t l;
  if (resolve(O.asconf_move, 0, &nw, &l) != 0 ||
      resolve(bind_host(nw.ss_family), 0, &old, &l) != 0) {
    aerr(a, "asconf-move: bad address");
    a->move_step = 2;
    return false;
  }
  int r = 0;
  if (a->move_step == 0) {
    r = csctp_bindx_op(a->s, (struct sockaddr *)&nw, 1, CSCTP_BINDX_ADD_ADDR);
    if (r == 0) {
      csctp_setpeerprim sp;
      memset(&sp, 0, sizeof sp);
      memcpy(&sp.addr, &nw, sizeof nw);
      r = csctp_setsockopt(a->s, CSCTP_SET_PEER_PRIMARY_ADDR, &sp, sizeof sp);
    }
    a->move_step = 1;
    a->move_t = now_s();
    if (r == 0)
      out("ASCONF impl=" IMPL " role=%s added=%s after_bytes=%" PRIu64 "\n",
          role(), O.asconf_move, a->bytes_tx);
  } else if (now_s() - a->move_t < 1.0) {
    return true;
  } else if (O.asconf_keep_old) {
    a->move_step = 2;
  } else {
    r = csctp_bindx_op(a->s, (struct sockaddr *)&old, 1, CSCTP_BINDX_REM_ADDR);
    a->move_step = 2;
    if (r == 0)
      out("ASCONF impl=" IMPL " role=%s deleted=%s after_bytes=%" PRIu64 "\n",
          role(), bind_host(nw.ss_family), a->bytes_tx);
  }
  if (r != 0) {
    aerr(a, "asconf-move to %s: %s", O.asconf_move, csctp_strerror(r));
    a->move_step = 2;
  }
  return a->move_step == 1;
}

static void do_send(struct assoc *a) {
  if (a->echo_pending) {
    int r =
        send_msg(a, a->rx, a->echo_len, &a->echo_si, "echo", a->echo_si.ppid);
    if (r == 0)
      return;
    a->echo_pending = false;
    if (r > 0) {
      a->msgs_tx++;
      a->bytes_tx += a->echo_len;
    }
    return;
  }
  if (!(is("ping") || is("send")) || a->scen_done)
    return;
  while (!a->tx_done) {
    if (asconf_move(a))
      return; /* -asconf-move: waiting to delete the old address */
    csctp_sndinfo si;
    memset(&si, 0, sizeof si);
    if (O.bytes > 0) {
      if (a->bulk_left == 0) {
        a->tx_done = true;
        break;
      }
      if (!a->tx_ready) {
        a->txlen =
            a->bulk_left < O.msg_size ? (size_t)a->bulk_left : O.msg_size;
        gen((uint32_t)a->next_tx, a->tx, a->txlen);
        a->tx_ready = true;
      }
      si.ppid = (uint32_t)a->next_tx;
    } else {
      if (a->next_tx >= O.count) {
        a->tx_done = true;
        break;
      }
      if (!a->tx_ready) {
        a->txlen = plan_size(a->next_tx);
        gen((uint32_t)a->next_tx, a->tx, a->txlen);
        a->tx_ready = true;
      }
      if (O.reset_every > 0 && a->next_tx > 0 &&
          a->next_tx % O.reset_every == 0 &&
          a->resets < a->next_tx / O.reset_every) {
        if (a->reset_wait)
          return; /* the answer comes as a STREAM_RESET event */
        int r;
        if (!strcmp(O.reset_kind, "assoc")) { /* RFC 6525 5.1.4 */
          csctp_assoc_id id = 0;
          r = csctp_setsockopt(a->s, CSCTP_RESET_ASSOC, &id, sizeof id);
        } else if (!strcmp(O.reset_kind, "add")) { /* 5.1.5 */
          struct csctp_add_streams as;
          memset(&as, 0, sizeof as);
          as.sas_outstrms = 1;
          r = csctp_setsockopt(a->s, CSCTP_ADD_STREAMS, &as, sizeof as);
        } else { /* 5.1.2: every outgoing stream starts again at SSN 0 */
          struct csctp_reset_streams rs;
          memset(&rs, 0, sizeof rs);
          rs.srs_flags = CSCTP_STREAM_RESET_OUTGOING;
          r = csctp_setsockopt(a->s, CSCTP_RESET_STREAMS, &rs, sizeof rs);
        }
        if (r == CSCTP_ERR_AGAIN || r == -EAGAIN)
          return; /* unsent data or a request in flight: next step */
        if (r != 0) {
          aerr(a, "reset streams: %s", csctp_strerror(r));
          a->tx_done = true;
          return;
        }
        a->reset_wait = true;
        return;
      }
      si.sid = (uint16_t)plan_stream(a->next_tx);
      si.ppid = (uint32_t)a->next_tx;
      si.flags = plan_unordered(a->next_tx) ? CSCTP_SEND_UNORDERED : 0;
      si.pr_policy = O.pr_policy;
      si.pr_value = O.pr_value;
    }
    int r = send_msg(a, a->tx, a->txlen, &si,
                     O.bytes > 0 ? "bulk message" : "message", a->next_tx);
    if (r == 0)
      return;
    if (r < 0) {
      a->tx_done = true; /* give up sending; the end shows why */
      return;
    }
    if (a->hashing)
      sha256_update(&a->hash, a->tx, a->txlen);
    a->msgs_tx++;
    a->bytes_tx += a->txlen;
    if (O.bytes > 0)
      a->bulk_left -= a->txlen;
    a->next_tx++;
    a->tx_ready = false;
  }
}

/* ------------------------------------------------------------- the end */

static void print_result(struct assoc *a) {
  if (a->reported)
    return;
  a->reported = true;
  double secs = a->t_last - a->t_first;
  if (secs < 0)
    secs = 0;
  uint64_t bytes = is("send") ? a->bytes_tx : a->bytes_rx;
  double mbps = secs > 0 ? (double)bytes / secs / 1e6 : 0;
  char hash[80] = "";
  if (a->hashing) {
    uint8_t d[32];
    sha256_final(&a->hash, d);
    sha256_hex(d, a->sha);
    snprintf(hash, sizeof hash, " sha256=%s", a->sha);
  }
  if (O.expect_resets >= 0 && a->resets != O.expect_resets)
    aerr(a, "%ld reconfiguration events, want %ld", a->resets, O.expect_resets);
  if (O.expect_reset_streams >= 0 && a->reset_sids != O.expect_reset_streams)
    aerr(a, "stream resets listed %ld streams, want %ld", a->reset_sids,
         O.expect_reset_streams);
  a->ok = a->errors == 0;
  const csctp_assoc_status *st = &a->stat;
  out("RESULT impl=" IMPL
      " role=%s scenario=%s assoc=%d phase=%d msgs_sent=%" PRIu64
      " msgs_recv=%" PRIu64 " bytes_sent=%" PRIu64 " bytes_recv=%" PRIu64
      "%s secs=%.3f mbps=%.2f streams_in=%u streams_out=%u restarts=%d "
      "close=%s "
      "send_failed=%ld retransmits=%" PRIu64 " fast_retransmits=%" PRIu64
      " t3_expiries=%" PRIu64 " tail_loss_probes=%" PRIu64
      " spurious_retransmits=%" PRIu64 " data_chunks_out=%" PRIu64
      " data_chunks_in=%" PRIu64 " dup_tsns_in=%" PRIu64
      " abandoned=%ld missing=%ld errors=%ld status=%s\n",
      role(), O.scenario, a->id, a->phase, a->msgs_tx, a->msgs_rx, a->bytes_tx,
      a->bytes_rx, hash, secs, mbps, a->in_streams, a->out_streams, a->restarts,
      a->close_how[0] ? a->close_how : "none", a->send_failed, st->retransmits,
      st->fast_retransmits, st->t3_expiries, st->tail_loss_probes,
      st->spurious_retransmits, st->data_chunks_out, st->data_chunks_in,
      st->dup_tsns_in, a->abandoned, a->missing, a->errors,
      a->ok ? "ok" : "fail");
}

/* The association ended (ended: EOF seen) or was left (vanished). */
static void finish(struct assoc *a) {
  if (a->st == A_DONE)
    return;
  if (!a->close_how[0]) {
    if (a->we_aborted)
      snprintf(a->close_how, sizeof a->close_how, "abort");
    else if (a->comm_lost || a->end_err == CSCTP_ERR_ABORTED) {
      if (a->end_err == CSCTP_ERR_TIMEOUT ||
          a->lost_reason == CSCTP_LOST_TIMEOUT)
        snprintf(a->close_how, sizeof a->close_how, "lost-timeout");
      else if (a->lost_reason && a->lost_reason != CSCTP_LOST_PEER_ABORT)
        snprintf(a->close_how, sizeof a->close_how, "lost-reason-%d",
                 a->lost_reason);
      else
        snprintf(a->close_how, sizeof a->close_how, "peer-abort");
    } else if (a->end_err != 0 && a->end_err != CSCTP_ERR_CLOSED)
      snprintf(a->close_how, sizeof a->close_how, "error(%d)", a->end_err);
    else if (a->we_shutdown)
      snprintf(a->close_how, sizeof a->close_how, "shutdown");
    else if (a->peer_shutdown || a->ended)
      snprintf(a->close_how, sizeof a->close_how, "peer-shutdown");
    else
      snprintf(a->close_how, sizeof a->close_how, "unknown");
  }
  if (a->end_err && a->end_err != CSCTP_ERR_CLOSED &&
      a->end_err != CSCTP_ERR_ABORTED)
    aerr(a, "association ended: %s", csctp_strerror(a->end_err));
  if (strcmp(a->close_how, "vanished") != 0) {
    if (a->send_failed && strstr(a->close_how, "abort") == NULL)
      aerr(a, "%ld messages failed to send", a->send_failed);
    if (strcmp(O.expect_close, "any") != 0 &&
        strcmp(O.expect_close, a->close_how) != 0)
      aerr(a, "association ended by %s, expected %s", a->close_how,
           O.expect_close);
  }
  if (is("discard-hash") && O.bytes > 0 && a->bytes_rx != O.bytes)
    aerr(a, "received %" PRIu64 " bytes, want %" PRIu64, a->bytes_rx, O.bytes);
  if (is("send") && O.bytes > 0 && a->bytes_tx != O.bytes)
    aerr(a, "sent %" PRIu64 " bytes, want %" PRIu64, a->bytes_tx, O.bytes);
  if (O.expect_restarts >= 0 && a->restarts != O.expect_restarts)
    aerr(a, "saw %d restarts, expected %d", a->restarts, O.expect_restarts);
  if (is("send") && a->t_last == 0)
    a->t_last = now_s();
  a->st = A_DONE;
  print_result(a);
}

/* The scenario is over: the -close action. */
static void begin_close(struct assoc *a) {
  a->scen_done = true;
  if (is("ping") || is("recv"))
    verifier_final(a);
  snapshot(a);
  const char *c = O.close;
  if (!strcmp(c, "exit")) {
    a->st = A_LINGER;
    a->t_linger = now_s() + O.linger_ms / 1000.0;
    snprintf(a->close_how, sizeof a->close_how, "vanished");
  } else if (!strcmp(c, "shutdown")) {
    a->we_shutdown = true;
    int r = csctp_shutdown_sock(a->s, SHUT_WR);
    if (r != 0)
      aerr(a, "shutdown: %s", csctp_strerror(r));
    a->st = A_CLOSING;
  } else if (!strcmp(c, "abort")) {
    static const char reason[] = "csctp interop: abort requested";
    csctp_sndinfo si;
    memset(&si, 0, sizeof si);
    si.flags = CSCTP_SEND_ABORT;
    struct iovec iov = {(void *)reason, sizeof reason - 1};
    a->we_aborted = true;
    csctp_ssize r = csctp_sendv(a->s, &iov, 1, NULL, &si, 0);
    if (r < 0)
      aerr(a, "abort: %s", csctp_strerror((int)r));
    a->st = A_CLOSING;
  } else {
    a->st = A_CLOSING;
  }
}

static void on_eof(struct assoc *a) {
  a->ended = true;
  if (a->st == A_RUN && !a->scen_done) {
    bool normal = (is("echo") && O.count == 0) ||
                  (is("discard-hash") && O.bytes == 0) ||
                  (is("recv") && O.allow_missing);
    if (is("recv") && O.allow_missing)
      verifier_final(a); /* counts what the sender abandoned */
    if (!normal) {
      if (is("ping"))
        aerr(a, "association ended after %" PRIu64 " of %ld echoes (%s)",
             a->msgs_rx, O.count,
             csctp_strerror(a->end_err ? a->end_err : CSCTP_ERR_CLOSED));
      else if (is("recv"))
        aerr(a, "association ended after %" PRIu64 " of %ld messages",
             a->msgs_rx, O.count);
      else if (is("send"))
        aerr(a, "association ended while sending (%" PRIu64 " queued)",
             a->msgs_tx);
      else if (is("echo"))
        aerr(a, "association ended after %" PRIu64 " of %ld messages",
             a->msgs_rx, O.count);
    }
    if (is("echo") && a->echo_pending)
      aerr(a, "association ended with an echo unsent");
  }
  if (a->st == A_LINGER)
    aerr(a, "association ended while lingering before the restart");
  finish(a);
}

static void step(struct assoc *a) {
  for (int guard = 0; guard < 64; guard++) {
    switch (a->st) {
    case A_DONE:
      return;
    case A_CONNECTING: {
      int p = csctp_sock_poll(a->s);
      if (!(p & (CSCTP_POLLOUT | CSCTP_POLLERR | CSCTP_POLLHUP)))
        return;
      int e = csctp_sock_error(a->s);
      if (e != 0 || (p & CSCTP_POLLHUP)) {
        aerr(a, "connect: %s", e ? csctp_strerror(e) : "hang-up");
        a->end_err = e;
        snprintf(a->close_how, sizeof a->close_how, "connect-failed");
        finish(a);
        return;
      }
      a->st = A_RUN;
      a->comm_up = true;
      a->t_first = now_s(); /* ping and send time from the start */
      snapshot(a);
      continue;
    }
    case A_RUN:
    case A_CLOSING:
    case A_LINGER: {
      snapshot(a);
      enum ast before = a->st;
      bool echo_before = a->echo_pending;
      uint64_t rx_before = a->msgs_rx, tx_before = a->msgs_tx;
      if (!do_recv(a)) {
        on_eof(a);
        return;
      }
      if (a->st == A_RUN)
        do_send(a);
      if (a->st == A_RUN && !a->scen_done) {
        bool done = false;
        if (is("ping"))
          done = a->tx_done && (long)a->msgs_rx >= O.count;
        else if (is("echo"))
          done = O.count > 0 && (long)a->msgs_rx >= O.count && !a->echo_pending;
        else if (is("send"))
          done = a->tx_done;
        else if (is("recv"))
          done = (long)a->msgs_rx >= O.count;
        else if (is("discard-hash"))
          done = O.bytes > 0 && a->bytes_rx >= O.bytes;
        if (done)
          begin_close(a);
      }
      if (is("send") && a->tx_done && a->t_last == 0) {
        csctp_assoc_status st;
        if (csctp_sock_status(a->s, 0, &st) != 0 ||
            (st.unacked == 0 && st.pending == 0 && st.send_queued == 0))
          a->t_last = now_s();
      }
      if (a->st == A_LINGER && now_s() >= a->t_linger) {
        snapshot(a);
        finish(a);
        return;
      }
      if (a->st == before && a->echo_pending == echo_before &&
          a->msgs_rx == rx_before && a->msgs_tx == tx_before)
        return; /* nothing moved: wait for the stack */
      continue;
    }
    }
  }
}

/* ------------------------------------------------------------ the stack */

static csctp_stack *new_stack(int udp_port) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.transport = CSCTP_TRANSPORT_UDP;
  cfg.udp_port = (uint16_t)udp_port;
  cfg.remote_udp_port = (uint16_t)O.remote_udp_port;
  int ns =
      O.max_streams > 0 ? O.max_streams : (O.streams > 64 ? O.streams : 64);
  cfg.settings.num_ostreams = (uint16_t)ns;
  if (O.mtu > 0)
    cfg.settings.pmtu = (uint32_t)O.mtu;
  if (O.buf > 0) {
    cfg.settings.rcvbuf = (uint32_t)O.buf;
    cfg.settings.sndbuf = (uint32_t)O.buf;
  }
  csctp_stack *st;
  int r = csctp_stack_new(&st, &cfg);
  if (r != 0) {
    fprintf(stderr, "ERROR impl=" IMPL " role=%s: stack on udp port %d: %s\n",
            role(), udp_port, csctp_strerror(r));
    exit(1);
  }
  return st;
}

/* -auth-chunks: AUTH offered (RFC 4895), the listed chunk types accepted
 * only authenticated (CSCTP_AUTH_CHUNK). Before bind. */
static void auth_opts(csctp_sock *s) {
  if (O.asconf || O.asconf_move) { /* RFC 5061: before bind */
    csctp_assoc_value on = {0, 1};
    int r = csctp_setsockopt(s, CSCTP_ASCONF_SUPPORTED, &on, sizeof on);
    if (r != 0) {
      fprintf(stderr, "ERROR impl=" IMPL " role=%s: asconf: %s\n", role(),
              csctp_strerror(r));
      exit(2);
    }
  }
  if (!O.auth_chunks)
    return;
  csctp_assoc_value on = {0, 1};
  int r = csctp_setsockopt(s, CSCTP_AUTH_SUPPORTED, &on, sizeof on);
  char *list = strdup(O.auth_chunks), *save = NULL;
  for (char *t = strtok_r(list, ",", &save); r == 0 && t;
       t = strtok_r(NULL, ",", &save)) {
    csctp_authchunk ac = {(uint8_t)atoi(t)};
    r = csctp_setsockopt(s, CSCTP_AUTH_CHUNK, &ac, sizeof ac);
  }
  free(list);
  if (r == 0 && O.auth_hmacs) {
    csctp_hmacalgo h;
    memset(&h, 0, sizeof h);
    list = strdup(O.auth_hmacs);
    save = NULL;
    for (char *t = strtok_r(list, ",", &save); t && h.num_idents < 4;
         t = strtok_r(NULL, ",", &save))
      h.idents[h.num_idents++] = (uint16_t)atoi(t);
    free(list);
    r = csctp_setsockopt(s, CSCTP_HMAC_IDENT, &h, sizeof h);
  }
  if (r != 0) {
    fprintf(stderr, "ERROR impl=" IMPL " role=%s: auth options: %s\n", role(),
            csctp_strerror(r));
    exit(2);
  }
}

/* CSCTP_INTEROP_CC: the controller of every association (see the top). */
static void cc_opt(csctp_sock *s) {
  const char *e = getenv("CSCTP_INTEROP_CC");
  uint32_t cc;
  if (!e || !*e || !strcmp(e, "reno"))
    cc = CSCTP_CC_RENO;
  else if (!strcmp(e, "cubic"))
    cc = CSCTP_CC_CUBIC;
  else {
    fprintf(stderr,
            "ERROR impl=" IMPL
            " role=%s: CSCTP_INTEROP_CC=%s: want reno or cubic\n",
            role(), e);
    exit(2);
  }
  csctp_assoc_value v = {0, cc};
  int r = csctp_setsockopt(s, CSCTP_OPT_CONGESTION, &v, sizeof v);
  if (r != 0) {
    fprintf(stderr, "ERROR impl=" IMPL " role=%s: congestion control %s: %s\n",
            role(), e, csctp_strerror(r));
    exit(2);
  }
}

static void subscribe(csctp_sock *s) {
  static const uint32_t ev[] = {
      CSCTP_EV_ASSOC_UP,          CSCTP_EV_ASSOC_LOST,
      CSCTP_EV_ASSOC_RESTART,     CSCTP_EV_SHUTDOWN_COMPLETE,
      CSCTP_EV_SHUTDOWN_RECEIVED, CSCTP_EV_SEND_FAILED,
      CSCTP_EV_REMOTE_ERROR,      CSCTP_EV_STREAM_RESET,
      CSCTP_EV_ASSOC_RESET,       CSCTP_EV_STREAM_CHANGE};
  for (size_t k = 0; k < sizeof ev / sizeof ev[0]; k++)
    csctp_sock_subscribe(s, ev[k], 1);
  cc_opt(s);
  if (O.enable_reset) { /* RFC 6525 6.3.1 */
    csctp_assoc_value v = {0, CSCTP_ENABLE_RESET_STREAM_REQ |
                                  CSCTP_ENABLE_RESET_ASSOC_REQ |
                                  CSCTP_ENABLE_CHANGE_ASSOC_REQ};
    csctp_setsockopt(s, CSCTP_ENABLE_STREAM_RESET, &v, sizeof v);
  }
  if (O.idata) { /* RFC 8260 4.3.1 */
    int lvl = 2;
    csctp_setsockopt(s, CSCTP_FRAGMENT_INTERLEAVE, &lvl, sizeof lvl);
    csctp_assoc_value v = {0, 1};
    csctp_setsockopt(s, CSCTP_INTERLEAVING_SUPPORTED, &v, sizeof v);
    v.value = CSCTP_SS_RR;
    csctp_setsockopt(s, CSCTP_STREAM_SCHEDULER, &v, sizeof v);
  }
}

/* Close every socket, let graceful shutdowns finish (no socket left, the
 * endpoints go away), then free the stack. Like TCP's TIME-WAIT, the stack
 * lives on a little: if our SHUTDOWN COMPLETE was lost, the peer resends
 * SHUTDOWN ACK after its RTO (1 s at least) and the stack answers it out of
 * the blue (RFC 9260 8.4 (5)); a process that is gone would leave the peer
 * in SHUTDOWN-ACK-SENT for minutes (seen with pion under 2 % loss). */
#define PEER_TIME_WAIT_S 2.5
static void stack_finish(csctp_stack *st) {
  double deadline = now_s() + 5;
  for (;;) {
    csctp_stack_stats ss;
    csctp_stack_stats_get(st, &ss);
    if (ss.endpoints == 0 || now_s() > deadline)
      break;
    csctp_stack_run(st, 50);
  }
  for (double end = now_s() + PEER_TIME_WAIT_S; now_s() < end;)
    csctp_stack_run(st, 50);
  csctp_stack_del(st);
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss,
                   socklen_t *len) {
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

static int pick_udp_port(void) {
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

/* ----------------------------------------------------------------- client */

/* n concurrent associations from one stack; returns the failures. */
static int run_clients(int n, int phase, int *udp_port, int local_port,
                       const struct sockaddr_storage *dst) {
  csctp_stack *st = new_stack(*udp_port);
  *udp_port = csctp_stack_udp_port(st);
  struct assoc *as = calloc((size_t)n, sizeof *as);
  int fam = dst->ss_family;
  const char *baddr =
      O.bind_addr ? O.bind_addr : (fam == AF_INET6 ? "::1" : "127.0.0.1");
  for (int k = 0; k < n; k++) {
    struct assoc *a = &as[k];
    assoc_init(a, k, phase);
    int r = csctp_socket(st, fam, CSCTP_SOCK_STREAM, &a->s);
    if (r != 0) {
      aerr(a, "socket: %s", csctp_strerror(r));
      finish(a);
      continue;
    }
    subscribe(a->s);
    auth_opts(a->s);
    struct sockaddr_storage local;
    socklen_t llen;
    if (resolve(baddr, n == 1 ? local_port : 0, &local, &llen) != 0)
      exit(2);
    if ((r = csctp_bindx(a->s, (struct sockaddr *)&local, 1)) != 0) {
      aerr(a, "bind %s:%d: %s", baddr, local_port, csctp_strerror(r));
      finish(a);
      continue;
    }
    r = csctp_connectx(a->s, (const struct sockaddr *)dst, 1, NULL);
    if (r != -EINPROGRESS && r != 0) {
      aerr(a, "connect: %s", csctp_strerror(r));
      finish(a);
      continue;
    }
    a->st = A_CONNECTING;
  }
  for (;;) {
    int live = 0;
    for (int k = 0; k < n; k++) {
      step(&as[k]);
      if (as[k].st != A_DONE)
        live++;
    }
    if (!live)
      break;
    csctp_stack_run(st, 20);
  }
  int failed = 0;
  for (int k = 0; k < n; k++)
    if (!as[k].ok)
      failed++;
  if (strcmp(O.close, "exit") == 0)
    return failed; /* the caller _exits: nothing more goes on the wire */
  for (int k = 0; k < n; k++) {
    csctp_close(as[k].s);
    assoc_free(&as[k]);
  }
  free(as);
  stack_finish(st);
  return failed;
}

static int client_main(void) {
  char *hostport = strdup(O.client);
  char *colon = strrchr(hostport, ':');
  if (!colon) {
    fprintf(stderr, "-client wants HOST:PORT\n");
    return 2;
  }
  *colon = 0;
  char *host = hostport;
  if (host[0] == '[') {
    host++;
    host[strlen(host) - 1] = 0;
  }
  struct sockaddr_storage dst;
  socklen_t dstlen;
  if (resolve(host, atoi(colon + 1), &dst, &dstlen) != 0)
    return 2;
  int udp_port = O.udp_port > 0 ? O.udp_port : 0;
  int local_port = O.sctp_port > 0 ? O.sctp_port : 0;
  int failed = 0, total = O.many;
  if (O.restart) {
    /* RFC 9260 5.2: phase 1 in a child that dies without SHUTDOWN or ABORT;
     * phase 2 from the same address, UDP port and SCTP port, fresh state. */
    if (udp_port == 0)
      udp_port = pick_udp_port();
    if (local_port == 0) {
      srand((unsigned)(time(NULL) ^ getpid()));
      local_port = 20000 + rand() % 40000;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
      const char *keep = O.close;
      O.close = "exit";
      int f = run_clients(1, 1, &udp_port, local_port, &dst);
      (void)keep;
      fflush(stdout);
      fflush(stderr);
      _exit(f ? 1 : 0);
    }
    int wst = 0;
    waitpid(pid, &wst, 0);
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
      failed++;
    total++;
    fprintf(stderr,
            "EVENT impl=" IMPL
            " role=client restarting from udp port %d sctp port %d\n",
            udp_port, local_port);
    failed += run_clients(1, 2, &udp_port, local_port, &dst);
  } else {
    failed = run_clients(O.many, 1, &udp_port, local_port, &dst);
  }
  out("RESULT impl=" IMPL
      " role=client summary assocs=%d failed=%d udp_port=%d status=%s\n",
      total, failed, udp_port, failed ? "fail" : "ok");
  free(hostport);
  return failed ? 1 : 0;
}

/* ----------------------------------------------------------------- server */

static int server_main(void) {
  int udp_port = O.udp_port > 0 ? O.udp_port : 9899;
  int port = O.sctp_port > 0 ? O.sctp_port : 5000;
  const char *baddr = O.bind_addr ? O.bind_addr : "127.0.0.1";
  struct sockaddr_storage local;
  socklen_t llen;
  if (resolve(baddr, port, &local, &llen) != 0)
    return 2;
  csctp_stack *st = new_stack(udp_port);
  csctp_sock *ls;
  int r = csctp_socket(st, local.ss_family, CSCTP_SOCK_STREAM, &ls);
  if (r == 0) {
    subscribe(ls);
    auth_opts(ls);
    r = csctp_bindx(ls, (struct sockaddr *)&local, 1);
  }
  if (r == 0)
    r = csctp_listen(ls, O.assocs > 128 ? O.assocs : 128);
  if (r != 0) {
    fprintf(stderr, "ERROR impl=" IMPL " role=server: listen %s:%d: %s\n",
            baddr, port, csctp_strerror(r));
    return 1;
  }
  out("READY impl=" IMPL " role=server addr=%s sctp_port=%d udp_port=%d\n",
      baddr, port, csctp_stack_udp_port(st));
  struct assoc *as = calloc((size_t)O.assocs, sizeof *as);
  int accepted = 0;
  for (;;) {
    while (accepted < O.assocs) {
      csctp_sock *ns;
      r = csctp_accept(ls, &ns, NULL, NULL);
      if (r == -EAGAIN)
        break;
      if (r != 0) {
        fprintf(stderr, "ERROR impl=" IMPL " role=server: accept: %s\n",
                csctp_strerror(r));
        return 1;
      }
      struct assoc *a = &as[accepted];
      assoc_init(a, accepted, 1);
      accepted++;
      a->s = ns;
      a->st = A_RUN;
      a->comm_up = true;
      if (is("send") || is("ping"))
        a->t_first = now_s();
      snapshot(a);
    }
    int live = 0;
    for (int k = 0; k < accepted; k++) {
      step(&as[k]);
      if (as[k].st != A_DONE)
        live++;
    }
    if (accepted == O.assocs && !live)
      break;
    csctp_stack_run(st, 20);
  }
  int failed = 0;
  for (int k = 0; k < O.assocs; k++) {
    if (!as[k].ok)
      failed++;
    csctp_close(as[k].s);
    assoc_free(&as[k]);
  }
  free(as);
  csctp_close(ls);
  stack_finish(st);
  out("RESULT impl=" IMPL
      " role=server summary assocs=%d failed=%d status=%s\n",
      O.assocs, failed, failed ? "fail" : "ok");
  return failed ? 1 : 0;
}

/* ------------------------------------------------------------------- main */

static void on_alarm(int sig) {
  (void)sig;
  static const char m[] =
      "RESULT impl=" IMPL " summary status=fail reason=timeout\n";
  if (write(1, m, sizeof m - 1) < 0) {
  }
  _exit(1);
}

static uint64_t parse_size(const char *s) {
  char *end;
  double v = strtod(s, &end);
  uint64_t mult = 1;
  switch (*end) {
  case 'k':
  case 'K':
    mult = 1024;
    break;
  case 'm':
  case 'M':
    mult = 1024 * 1024;
    break;
  case 'g':
  case 'G':
    mult = 1024ull * 1024 * 1024;
    break;
  case 0:
    break;
  default:
    fprintf(stderr, "bad size %s\n", s);
    exit(2);
  }
  return (uint64_t)(v * (double)mult);
}

static void usage(void) {
  fprintf(
      stderr,
      "usage: csctp-peer (-server | -client HOST:PORT) -scenario NAME [flags]\n"
      "  -server                 listen (SCTP port -sctp-port, default 5000)\n"
      "  -client HOST:PORT       connect to SCTP port PORT at HOST\n"
      "  -bind ADDR              local address (default 127.0.0.1 / ::1)\n"
      "  -sctp-port N            server: listen port; client: local port "
      "(default any)\n"
      "  -udp-port N             local UDP encapsulation port (server 9899, "
      "client: any)\n"
      "  -remote-udp-port N      client: peer's UDP encapsulation port "
      "(default 9899)\n"
      "  -scenario S             ping | echo | send | recv | discard-hash\n"
      "  -count N                messages in the plan (default 100; echo 0 = "
      "until the end)\n"
      "  -sizes LIST             message sizes, cycled (default "
      "1,100,1200,64k,256k)\n"
      "  -streams N              streams used by the plan (default 1)\n"
      "  -unordered N            every Nth message unordered (0 none, 1 all)\n"
      "  -bytes N[k|m|g]         send/discard-hash: bulk size instead of the "
      "plan\n"
      "  -msg-size N             bulk message size (default 65536)\n"
      "  -close C                after the scenario: shutdown | abort | wait\n"
      "  -expect-close C         any | shutdown | abort | peer-shutdown | "
      "peer-abort\n"
      "  -restart                client: phase 1, vanish, phase 2 from the "
      "same ports\n"
      "  -many N                 client: N concurrent associations\n"
      "  -assocs N               server: serve N associations then exit "
      "(default 1)\n"
      "  -expect-restarts N      server: fail unless N restarts were seen\n"
      "  -timeout SECS           give up (exit 1) after SECS (default 120)\n"
      "  -mtu N                  largest SCTP packet csctp sends (default "
      "1200; 0 = csctp's)\n"
      "  -auth-chunks LIST       AUTH on; chunk types (numbers) accepted only "
      "authenticated\n"
      "  -auth-hmacs LIST        HMAC ids asked of the peer, by preference (1, "
      "3)\n"
      "  -buf N                  send and receive buffers (default 4m)\n"
      "  -max-streams N          outbound streams requested (default max(64, "
      "-streams))\n"
      "  -linger-ms N            restart: pause before vanishing (default "
      "500)\n"
      "  -pr POLICY:VALUE        send: PR-SCTP policy ttl (ms) | rtx | prio\n"
      "  -reset-every N          send: reset the outgoing streams (RFC 6525) "
      "before\n"
      "                          plan messages N, 2N, ...\n"
      "  -enable-reset           perform the peer's reconfiguration requests "
      "(RFC 6525 6.3.1)\n"
      "  -reset-kind K           with -reset-every: out (Outgoing SSN Reset, "
      "default),\n"
      "                          assoc (SSN/TSN Reset), add (one more outgoing "
      "stream)\n"
      "  -expect-resets N        the association must report N performed\n"
      "                          reconfigurations "
      "(STREAM_RESET/ASSOC_RESET/STREAM_CHANGE)\n"
      "  -expect-reset-streams N the STREAM_RESET events performed must list "
      "N\n"
      "                          streams in all (a peer may bundle requests)\n"
      "  -idata                  offer I-DATA (RFC 8260), round robin "
      "scheduler\n"
      "  -allow-missing          recv: messages may be missing (abandoned)\n"
      "  -asconf                 offer ASCONF (RFC 5061; turns AUTH on)\n"
      "  -asconf-move ADDR       send: half way, add ADDR, make it the peer's\n"
      "                          primary, delete the bound address (RFC "
      "5061)\n");
  exit(2);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (a[0] != '-')
      usage();
    while (*a == '-')
      a++;
    char *val = strchr(a, '=');
    if (val)
      *val++ = 0;
#define NEED()                                                                 \
  do {                                                                         \
    if (!val) {                                                                \
      if (++i >= argc)                                                         \
        usage();                                                               \
      val = argv[i];                                                           \
    }                                                                          \
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
    } else if (!strcmp(a, "max-streams")) {
      NEED();
      O.max_streams = atoi(val);
    } else if (!strcmp(a, "linger-ms")) {
      NEED();
      O.linger_ms = atoi(val);
    } else if (!strcmp(a, "auth-chunks")) {
      NEED();
      O.auth_chunks = val;
    } else if (!strcmp(a, "auth-hmacs")) {
      NEED();
      O.auth_hmacs = val;
    } else if (!strcmp(a, "pr")) {
      NEED();
      char *c = strchr(val, ':');
      if (!c)
        usage();
      *c++ = 0;
      O.pr_policy = !strcmp(val, "ttl")    ? CSCTP_PR_SCTP_TTL
                    : !strcmp(val, "rtx")  ? CSCTP_PR_SCTP_RTX
                    : !strcmp(val, "prio") ? CSCTP_PR_SCTP_PRIO
                                           : CSCTP_PR_SCTP_NONE;
      if (O.pr_policy == CSCTP_PR_SCTP_NONE)
        usage();
      O.pr_value = (uint32_t)strtoul(c, NULL, 10);
    } else if (!strcmp(a, "allow-missing")) {
      O.allow_missing = true;
    } else if (!strcmp(a, "reset-every")) {
      NEED();
      O.reset_every = atol(val);
    } else if (!strcmp(a, "enable-reset")) {
      O.enable_reset = true;
    } else if (!strcmp(a, "idata")) {
      O.idata = true;
    } else if (!strcmp(a, "asconf")) {
      O.asconf = true;
    } else if (!strcmp(a, "asconf-move")) {
      NEED();
      O.asconf_move = val;
    } else if (!strcmp(a, "asconf-keep-old")) {
      O.asconf_keep_old = true;
    } else if (!strcmp(a, "reset-kind")) {
      NEED();
      O.reset_kind = val;
    } else if (!strcmp(a, "expect-reset-streams")) {
      NEED();
      O.expect_reset_streams = atol(val);
    } else if (!strcmp(a, "expect-resets")) {
      NEED();
      O.expect_resets = atol(val);
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
  if (!active && strcmp(s, "echo") && strcmp(s, "recv") &&
      strcmp(s, "discard-hash")) {
    fprintf(stderr, "unknown scenario %s\n", s);
    usage();
  }
  if (O.count < 0)
    O.count = strcmp(s, "echo") == 0 ? 0 : 100;
  if (!O.close)
    O.close = active ? "shutdown" : "wait";
  if (strcmp(O.close, "shutdown") && strcmp(O.close, "abort") &&
      strcmp(O.close, "wait")) {
    fprintf(stderr, "bad -close %s\n", O.close);
    usage();
  }
  if (O.streams < 1 || O.streams > 65535 || O.many < 1 || O.assocs < 1 ||
      O.msg_size == 0)
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
