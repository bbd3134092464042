/* test_prsctp.c -- partially reliable SCTP (RFC 3758, RFC 7496 policies,
 * RFC 5061 4.2.7 Supported Extensions), written from the RFCs' words:
 * the FORWARD TSN codec, negotiation, each policy, abandoned messages
 * reported with their data and counted, the receiver's skip rules
 * (reasm primitives and end to end), and randomized lossy runs whose
 * invariant is: every message is delivered once (in order per ordered
 * stream) or reported abandoned; a message reported before any part of it
 * was sent is never delivered.
 *
 * Two endpoints are joined by a tiny in-memory link with a fixed one-way
 * delay (order kept), seeded loss and a per-packet drop hook.
 *
 * Debug aids (environment): PR_SEED=N runs lossy seed N only, PR_SEEDS=N
 * seeds 1..N (default 40); PR_TRACE=1 logs the sender engine and dumps its
 * queue when a run does not settle; PR_TRACE2=1 prints every packet;
 * PR_RELIABLE=1 sends the same lossy runs without policies. */
#include "csctp.h"
#include "test.h"

#include "../chunk.h"
#include "../engine.h"
#include "../reasm.h"

#define DELAY (10 * CSCTP_MILLISECONDS)
#define MAXQ 4096
#define MAXMSG 4096
#define PKTMAX 2048

typedef struct qpkt {
  csctp_tstamp at;
  int to_b;
  size_t len;
  uint8_t data[PKTMAX];
} qpkt;

typedef struct failed_rec {
  uint32_t context;
  uint32_t was_sent, abandoned;
  size_t len;
  int data_ok;
} failed_rec;

typedef struct pair pair;
/* Returns 1 to drop the packet; to_b says its direction. */
typedef int (*drop_fn)(pair *p, int to_b, const uint8_t *pkt, size_t len);

struct pair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_assoc_id ida, idb;
  csctp_tstamp now;
  uint64_t rng;
  double loss;    /* both directions */
  double reorder; /* chance a packet overtakes the one queued before it */
  uint64_t swapped;
  drop_fn drop;
  void *drop_ud;
  int reader_on; /* b reads what arrives */
  qpkt *q;
  size_t qhead, qlen;
  /* wire observations */
  uint64_t fwd_chunks_to_b, error_chunks_to_a;
  uint64_t control_after_data; /* packets breaking RFC 9260 6.10 */
  uint8_t last_fwd[512];
  size_t last_fwd_len;
  uint8_t first_init[1024];
  size_t first_init_len;
  uint8_t first_init_ack[1500];
  size_t first_init_ack_len;
  /* sender side (a) */
  failed_rec failed[MAXMSG];
  size_t nfailed;
  /* receiver side (b) */
  uint32_t delivered[MAXMSG]; /* message index, in read order */
  uint16_t delivered_sid[MAXMSG];
  size_t ndelivered;
  int bad_data;   /* a delivered message's bytes were wrong */
  size_t partial; /* bytes of a message read without EOR so far */
  int up_a, up_b;
};

static int prand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t rnd(pair *p) {
  p->rng ^= p->rng << 13;
  p->rng ^= p->rng >> 7;
  p->rng ^= p->rng << 17;
  return p->rng;
}

static double rnd01(pair *p) {
  return (double)(rnd(p) >> 11) / 9007199254740992.0;
}

/* Message idx: 4-byte index, then bytes derived from it. */
static void msg_fill(uint32_t idx, uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)(idx * 131u + i * 7u + (i >> 8));
  if (len >= 4)
    csctp_put32(buf, idx);
}

static int msg_check(const uint8_t *buf, size_t len, uint32_t *idx) {
  if (len < 4)
    return 0;
  *idx = csctp_get32(buf);
  for (size_t i = 4; i < len; i++)
    if (buf[i] != (uint8_t)(*idx * 131u + i * 7u + (i >> 8)))
      return 0;
  return 1;
}

static uint64_t seed_a, seed_b;

static void pair_open(pair *p, const csctp_settings *sa,
                      const csctp_settings *sb, uint64_t seed) {
  memset(p, 0, sizeof(*p));
  p->q = calloc(MAXQ, sizeof(qpkt));
  p->rng = seed * 2654435761u + 88172645463325252ULL;
  p->reader_on = 1;
  seed_a = seed * 3 + 1;
  seed_b = seed * 5 + 2;
  p->addr_a.family = p->addr_b.family = CSCTP_AF_INET;
  p->addr_a.ip[0] = 10, p->addr_a.ip[3] = 1;
  p->addr_b.ip[0] = 10, p->addr_b.ip[3] = 2;
  p->now = 1000 * CSCTP_SECONDS;
  CHECK_EQ(csctp_endpoint_new(&p->a, 5000, sa, NULL, prand, &seed_a, p->now),
           0);
  CHECK_EQ(csctp_endpoint_new(&p->b, 6000, sb, NULL, prand, &seed_b, p->now),
           0);
  csctp_endpoint_listen(p->b, 1);
  CHECK_EQ(csctp_connect(p->a, &p->addr_b, 1, 6000, NULL, p->now, &p->ida), 0);
}

static void pair_close(pair *p) {
  csctp_event ev;
  while (csctp_endpoint_poll_events(p->a, &ev, 1) == 1)
    csctp_event_clear(p->a, &ev);
  while (csctp_endpoint_poll_events(p->b, &ev, 1) == 1)
    csctp_event_clear(p->b, &ev);
  csctp_endpoint_del(p->a);
  csctp_endpoint_del(p->b);
  free(p->q);
}

static void observe(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int data_seen = 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_DATA)
      data_seen = 1;
    else if (data_seen) /* RFC 9260 6.10: control chunks before DATA */
      p->control_after_data++;
    if (to_b && c.type == CSCTP_CT_FORWARD_TSN) {
      p->fwd_chunks_to_b++;
      p->last_fwd_len = c.length < sizeof(p->last_fwd) ? c.length : 0;
      memcpy(p->last_fwd, c.raw, p->last_fwd_len);
    }
    if (!to_b && c.type == CSCTP_CT_ERROR)
      p->error_chunks_to_a++;
    if (to_b && c.type == CSCTP_CT_INIT && p->first_init_len == 0 &&
        c.length <= sizeof(p->first_init)) {
      memcpy(p->first_init, c.raw, c.length);
      p->first_init_len = c.length;
    }
    if (!to_b && c.type == CSCTP_CT_INIT_ACK && p->first_init_ack_len == 0 &&
        c.length <= sizeof(p->first_init_ack)) {
      memcpy(p->first_init_ack, c.raw, c.length);
      p->first_init_ack_len = c.length;
    }
  }
}

/* Reordering: the packet just queued goes before the one queued before it
 * (their departure times stay where they were). */
static void pair_swap_last(pair *p) {
  qpkt *x = &p->q[(p->qhead + p->qlen - 2) % MAXQ];
  qpkt *y = &p->q[(p->qhead + p->qlen - 1) % MAXQ];
  static qpkt t;
  csctp_tstamp xat = x->at, yat = y->at;
  t = *x;
  *x = *y;
  *y = t;
  x->at = xat;
  y->at = yat;
  p->swapped++;
}

static void pair_emit(pair *p) {
  uint8_t buf[PKTMAX];
  csctp_addr dst, src;
  csctp_ssize n;
  for (int side = 0; side < 2; side++) {
    csctp_endpoint *ep = side ? p->b : p->a;
    while ((n = csctp_endpoint_write_pkt(ep, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      int to_b = side == 0;
      observe(p, to_b, buf, (size_t)n);
      if (getenv("PR_TRACE2"))
        fprintf(stderr, "t=%lld emit %s len %zd first %u\n",
                (long long)(p->now / 1000000), to_b ? "a->b" : "b->a", n,
                buf[12]);
      if (p->drop && p->drop(p, to_b, buf, (size_t)n))
        continue;
      if (p->loss > 0 && rnd01(p) < p->loss)
        continue;
      if (p->qlen == MAXQ)
        continue; /* queue full: lost */
      qpkt *q = &p->q[(p->qhead + p->qlen) % MAXQ];
      p->qlen++;
      q->at = p->now + DELAY;
      q->to_b = to_b;
      q->len = (size_t)n;
      memcpy(q->data, buf, (size_t)n);
      if (p->qlen > 1 && p->reorder > 0 && rnd01(p) < p->reorder)
        pair_swap_last(p);
    }
  }
}

static void pair_events(pair *p) {
  csctp_event ev;
  while (csctp_endpoint_poll_events(p->a, &ev, 1) == 1) {
    if (ev.type == CSCTP_EV_ASSOC_UP)
      p->up_a = 1;
    if (ev.type == CSCTP_EV_SEND_FAILED && p->nfailed < MAXMSG) {
      failed_rec *f = &p->failed[p->nfailed++];
      uint32_t idx = UINT32_MAX;
      f->context = ev.u.send_failed.info.context;
      f->was_sent = ev.u.send_failed.was_sent;
      f->abandoned = ev.u.send_failed.abandoned;
      f->len = ev.u.send_failed.len;
      f->data_ok = ev.u.send_failed.data &&
                   msg_check(ev.u.send_failed.data, f->len, &idx) &&
                   idx == f->context;
    }
    csctp_event_clear(p->a, &ev);
  }
  while (csctp_endpoint_poll_events(p->b, &ev, 1) == 1) {
    if (ev.type == CSCTP_EV_ASSOC_UP) {
      p->up_b = 1;
      p->idb = ev.assoc_id;
    }
    csctp_event_clear(p->b, &ev);
  }
}

static void pair_read(pair *p) {
  static uint8_t buf[65536];
  static size_t have;
  csctp_rcvinfo info;
  csctp_ssize n;
  if (!p->reader_on)
    return;
  while ((n = csctp_recv(p->b, 0, &info, buf + have, sizeof(buf) - have,
                         p->now)) > 0) {
    have += (size_t)n;
    if (!(info.flags & CSCTP_RCV_EOR)) {
      p->partial = have;
      continue;
    }
    uint32_t idx = UINT32_MAX;
    if (!msg_check(buf, have, &idx))
      p->bad_data = 1;
    if (p->ndelivered < MAXMSG) {
      p->delivered_sid[p->ndelivered] = info.sid;
      p->delivered[p->ndelivered++] = idx;
    }
    have = 0;
    p->partial = 0;
  }
  /* A message under partial delivery that was abandoned ends without EOR:
   * the next read starts another message (its index comes first). */
  if (have > 0 && p->partial == have && n == CSCTP_ERR_AGAIN &&
      csctp_recv_pending(p->b, 0) > 0)
    have = 0;
}

/* One step: deliver what is due, run timers, move packets. */
static void pair_step(pair *p) {
  while (p->qlen > 0 && p->q[p->qhead].at <= p->now) {
    qpkt *q = &p->q[p->qhead];
    if (q->to_b) {
      int rv = csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, q->data,
                                       q->len, p->now);
      if (getenv("PR_TRACE2"))
        fprintf(stderr, "t=%lld to b rv %d len %zu first chunk %u\n",
                (long long)(p->now / 1000000), rv, q->len, q->data[12]);
    } else if (getenv("PR_TRACE2"))
      fprintf(stderr, "t=%lld to a len %zu first chunk %u\n",
              (long long)(p->now / 1000000), q->len, q->data[12]);
    if (!q->to_b)
      csctp_endpoint_read_pkt(p->a, &p->addr_b, &p->addr_a, q->data, q->len,
                              p->now);
    p->qhead = (p->qhead + 1) % MAXQ;
    p->qlen--;
  }
  if (csctp_endpoint_get_expiry(p->a) <= p->now)
    csctp_endpoint_handle_expiry(p->a, p->now);
  if (csctp_endpoint_get_expiry(p->b) <= p->now)
    csctp_endpoint_handle_expiry(p->b, p->now);
  pair_events(p);
  pair_read(p);
  pair_emit(p);
  pair_events(p);
}

static csctp_tstamp pair_next(const pair *p) {
  csctp_tstamp t = csctp_endpoint_get_expiry(p->a);
  csctp_tstamp tb = csctp_endpoint_get_expiry(p->b);
  if (tb < t)
    t = tb;
  if (p->qlen > 0 && p->q[p->qhead].at < t)
    t = p->q[p->qhead].at;
  return t;
}

typedef int (*pair_pred)(pair *p);

/* Runs for at most dur of virtual time or until pred holds. */
static int pair_run(pair *p, csctp_tstamp dur, pair_pred pred) {
  csctp_tstamp end = p->now + dur;
  pair_step(p);
  while (!(pred && pred(p))) {
    csctp_tstamp t = pair_next(p);
    if (t > end) {
      p->now = end;
      pair_step(p);
      return pred ? pred(p) : 1;
    }
    if (t > p->now)
      p->now = t;
    pair_step(p);
  }
  return 1;
}

static int pred_up(pair *p) { return p->up_a && p->up_b; }

static int pair_send(pair *p, uint32_t idx, uint16_t sid, int unordered,
                     uint16_t policy, uint32_t value, size_t len) {
  static uint8_t buf[65536];
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = p->ida;
  si.sid = sid;
  si.flags = unordered ? CSCTP_SEND_UNORDERED : 0;
  si.context = idx;
  si.ppid = 51;
  si.pr_policy = policy;
  si.pr_value = value;
  msg_fill(idx, buf, len);
  return csctp_send(p->a, &si, NULL, buf, len, p->now);
}

static const failed_rec *find_failed(const pair *p, uint32_t idx) {
  for (size_t i = 0; i < p->nfailed; i++)
    if (p->failed[i].context == idx)
      return &p->failed[i];
  return NULL;
}

static int delivered_count(const pair *p, uint32_t idx) {
  int n = 0;
  for (size_t i = 0; i < p->ndelivered; i++)
    n += p->delivered[i] == idx;
  return n;
}

static void pr_settings(csctp_settings *s, int pr) {
  csctp_settings_default(s);
  s->pr_supported = (uint32_t)pr;
  s->reconf_supported = 0; /* RE-CONFIG would be listed too (RFC 6525) */
  s->hb_interval = 0;
}

/* ---- Codec (RFC 3758 3.2) ----------------------------------------------- */

static void test_fwd_tsn_codec(void) {
  uint8_t mem[64];
  csctp_buf b;
  csctp_buf_init(&b, mem, sizeof(mem));
  uint16_t pairs[4] = {3, 7, 0x1234, 0xFFFF};
  REQUIRE(csctp_put_fwd_tsn(&b, 0xDEADBEEF, pairs, 2) == 0);
  /* Type 192, flags 0, length 8 + 4 * 2, new cum, then the pairs. */
  static const uint8_t want[] = {192, 0, 0, 16, 0xDE, 0xAD, 0xBE, 0xEF,
                                 0,   3, 0, 7,  0x12, 0x34, 0xFF, 0xFF};
  CHECK_EQ(b.len, sizeof(want));
  CHECK_MEM(mem, want, sizeof(want));
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, mem, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_chunk_check(&c), 0);
  csctp_fwd_tsn f;
  REQUIRE(csctp_fwd_tsn_decode(&c, &f) == 0);
  CHECK_EQ(f.new_cum, 0xDEADBEEF);
  CHECK_EQ(f.n, 2);
  uint16_t sid, ssn;
  csctp_fwd_tsn_entry(&f, 1, &sid, &ssn);
  CHECK_EQ(sid, 0x1234);
  CHECK_EQ(ssn, 0xFFFF);
  /* No room: nothing written. */
  csctp_buf small;
  csctp_buf_init(&small, mem, 12);
  CHECK_EQ(csctp_put_fwd_tsn(&small, 1, pairs, 2), CSCTP_ERR_NOBUF);
  CHECK_EQ(small.len, 0);
}

static void test_fwd_tsn_malformed(void) {
  /* Shorter than the New Cumulative TSN, and a stream list that is not a
   * whole number of 4-byte entries. */
  static const uint8_t short_chunk[] = {192, 0, 0, 6, 1, 2, 0, 0};
  static const uint8_t odd_chunk[] = {192, 0, 0, 10, 0, 0, 0, 5, 0, 1, 0, 0};
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_fwd_tsn f;
  csctp_tlv_iter_init(&it, short_chunk, sizeof(short_chunk));
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK(csctp_chunk_check(&c) != 0);
  CHECK(csctp_fwd_tsn_decode(&c, &f) != 0);
  csctp_tlv_iter_init(&it, odd_chunk, sizeof(odd_chunk));
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK(csctp_fwd_tsn_decode(&c, &f) != 0);
}

/* ---- Negotiation (RFC 3758 3.3, RFC 5061 4.2.7) ------------------------- */

/* What an INIT / INIT ACK chunk announces. */
static void init_params(const uint8_t *chunk, size_t len, int *fwd_param,
                        int *ext_param, int *ext_lists_fwd) {
  csctp_tlv_iter it;
  csctp_tlv p;
  *fwd_param = *ext_param = *ext_lists_fwd = 0;
  csctp_tlv_iter_init(&it, chunk + CSCTP_INIT_FIXED_LEN,
                      len - CSCTP_INIT_FIXED_LEN);
  while (csctp_param_next(&it, &p) == 1) {
    if (p.type == CSCTP_PT_FORWARD_TSN_SUPPORTED && p.length == 4)
      *fwd_param = 1;
    if (p.type == CSCTP_PT_SUPPORTED_EXT) {
      *ext_param = 1;
      for (size_t i = 0; i < p.value_len; i++)
        *ext_lists_fwd |= p.value[i] == CSCTP_CT_FORWARD_TSN;
    }
  }
}

static void negotiate(int pr_a, int pr_b, int *on_a, int *on_b, pair *out) {
  csctp_settings sa, sb;
  pr_settings(&sa, pr_a);
  pr_settings(&sb, pr_b);
  pair_open(out, &sa, &sb, 7);
  CHECK(pair_run(out, 5 * CSCTP_SECONDS, pred_up));
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(out->a, out->ida, &st), 0);
  *on_a = (int)st.pr_enabled;
  CHECK_EQ(csctp_assoc_status_get(out->b, out->idb, &st), 0);
  *on_b = (int)st.pr_enabled;
}

static void test_negotiation_both(void) {
  pair p;
  int on_a, on_b, f, e, l;
  negotiate(1, 1, &on_a, &on_b, &p);
  CHECK_EQ(on_a, 1);
  CHECK_EQ(on_b, 1);
  REQUIRE(p.first_init_len > 0 && p.first_init_ack_len > 0);
  init_params(p.first_init, p.first_init_len, &f, &e, &l);
  CHECK(f && e && l);
  init_params(p.first_init_ack, p.first_init_ack_len, &f, &e, &l);
  CHECK(f && e && l);
  pair_close(&p);
}

static void test_negotiation_one_side(void) {
  pair p;
  int on_a, on_b, f, e, l;
  /* The listener has it off: its INIT ACK announces nothing (no Supported
   * Extensions parameter: nothing is on), and neither side uses it. */
  negotiate(1, 0, &on_a, &on_b, &p);
  CHECK_EQ(on_a, 0);
  CHECK_EQ(on_b, 0);
  init_params(p.first_init_ack, p.first_init_ack_len, &f, &e, &l);
  CHECK(!f && !e && !l);
  pair_close(&p);
  negotiate(0, 1, &on_a, &on_b, &p);
  CHECK_EQ(on_a, 0);
  CHECK_EQ(on_b, 0);
  init_params(p.first_init, p.first_init_len, &f, &e, &l);
  CHECK(!f && !e && !l);
  init_params(p.first_init_ack, p.first_init_ack_len, &f, &e, &l);
  CHECK(f && e && l); /* 3.3.2: it MAY still announce it */
  pair_close(&p);
}

/* ---- Drop hooks -----------------------------------------------------------
 */

/* Drops a→b packets carrying DATA while *(int *)drop_ud is set. */
static int drop_data_while(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  int *on = p->drop_ud;
  csctp_tlv_iter it;
  csctp_tlv c;
  if (!to_b || !*on)
    return 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_DATA)
      return 1;
  return 0;
}

/* Drops the first transmissions of chosen TSNs. */
typedef struct tsn_drop {
  uint32_t tsn[8];
  int times[8]; /* transmissions of each still to drop */
  int n;
} tsn_drop;

static int drop_tsns(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  tsn_drop *d = p->drop_ud;
  csctp_tlv_iter it;
  csctp_tlv c;
  if (!to_b)
    return 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type != CSCTP_CT_DATA || c.value_len < 4)
      continue;
    uint32_t tsn = csctp_get32(c.value);
    for (int i = 0; i < d->n; i++)
      if (d->tsn[i] == tsn && d->times[i] > 0) {
        d->times[i]--;
        return 1;
      }
  }
  return 0;
}

static uint32_t first_tsn_of_a(pair *p) {
  /* The INIT's Initial TSN. */
  return csctp_get32(p->first_init + 16);
}

/* ---- Policies -------------------------------------------------------------
 */

static int pred_nothing_outstanding(pair *p) {
  csctp_assoc_status st;
  if (csctp_assoc_status_get(p->a, p->ida, &st) != 0)
    return 0;
  return st.unacked == 0 && st.pending == 0;
}

/* Without PR-SCTP on the association the policy is ignored: the message
 * goes reliably (RFC 6458 5.3.7; RFC 3758 3.3.2 forbids FORWARD TSN). */
static void test_policy_ignored_without_pr(void) {
  csctp_settings sa, sb;
  pr_settings(&sa, 1);
  pr_settings(&sb, 0);
  pair p;
  pair_open(&p, &sa, &sb, 11);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  int drop_on = 1;
  p.drop = drop_data_while;
  p.drop_ud = &drop_on;
  CHECK_EQ(pair_send(&p, 1, 0, 0, CSCTP_PR_SCTP_TTL, 10, 100), 0);
  CHECK_EQ(pair_send(&p, 2, 0, 0, CSCTP_PR_SCTP_RTX, 0, 100), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, NULL); /* lifetime long gone */
  drop_on = 0;
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  CHECK_EQ(p.nfailed, 0);
  CHECK_EQ(delivered_count(&p, 1), 1);
  CHECK_EQ(delivered_count(&p, 2), 1);
  CHECK_EQ(p.fwd_chunks_to_b, 0);
  pair_close(&p);
}

/* Timed reliability: messages whose lifetime passed are abandoned, sent or
 * not, reported with their data and counted by policy and stream; the
 * receiver skips them and delivers what follows in order. */
static void test_ttl(void) {
  csctp_settings s;
  pr_settings(&s, 1);
  pair p;
  pair_open(&p, &s, &s, 13);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  int drop_on = 1;
  p.drop = drop_data_while;
  p.drop_ud = &drop_on;
  /* 20 messages of 1000 bytes on stream 1 with 500 ms to live: the
   * initial cwnd lets a few out (all lost), the rest stay unsent. */
  for (uint32_t i = 0; i < 20; i++)
    CHECK_EQ(pair_send(&p, i, 1, 0, CSCTP_PR_SCTP_TTL, 500, 1000), 0);
  pair_run(&p, 100 * CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(p.nfailed, 0); /* still alive */
  pair_run(&p, 600 * CSCTP_MILLISECONDS, NULL);
  drop_on = 0;
  /* A reliable message after them on the same stream. */
  CHECK_EQ(pair_send(&p, 100, 1, 0, CSCTP_PR_SCTP_NONE, 0, 300), 0);
  CHECK(pair_run(&p, 30 * CSCTP_SECONDS, pred_nothing_outstanding));
  CHECK_EQ(p.nfailed, 20);
  uint64_t sent = 0, unsent = 0;
  for (uint32_t i = 0; i < 20; i++) {
    const failed_rec *f = find_failed(&p, i);
    REQUIRE(f != NULL);
    CHECK(f->abandoned);
    CHECK(f->data_ok);
    CHECK_EQ(f->len, 1000);
    sent += f->was_sent;
    unsent += !f->was_sent;
    CHECK_EQ(delivered_count(&p, i), 0); /* every copy was dropped */
  }
  CHECK(sent > 0);
  CHECK(unsent > 0);
  CHECK_EQ(delivered_count(&p, 100), 1);
  CHECK(p.fwd_chunks_to_b > 0);
  CHECK(!p.bad_data);
  csctp_pr_status ps;
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, -1, CSCTP_PR_SCTP_TTL, &ps), 0);
  CHECK_EQ(ps.abandoned_sent, sent);
  CHECK_EQ(ps.abandoned_unsent, unsent);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, 1, CSCTP_PR_SCTP_ALL, &ps), 0);
  CHECK_EQ(ps.abandoned_sent + ps.abandoned_unsent, 20);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, 0, CSCTP_PR_SCTP_ALL, &ps), 0);
  CHECK_EQ(ps.abandoned_sent + ps.abandoned_unsent, 0);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, -1, CSCTP_PR_SCTP_RTX, &ps), 0);
  CHECK_EQ(ps.abandoned_sent + ps.abandoned_unsent, 0);
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, p.ida, &st), 0);
  CHECK_EQ(st.pr_abandoned_sent, sent);
  CHECK_EQ(st.pr_abandoned_unsent, unsent);
  /* The FORWARD TSN names stream 1 (ordered) with an SSN. */
  REQUIRE(p.last_fwd_len >= 12);
  CHECK_EQ(csctp_get16(p.last_fwd + 8), 1);
  pair_close(&p);
}

/* An unsent message whose lifetime passes is reported then (RFC 3758 4.1
 * TR3, TR5), not when the association next sends (the peer's window is
 * shut: only probes go); its lifetime is also one of the engine's timers.
 * The messages queued before it still arrive once the window opens. */
static void test_ttl_reported_on_time(void) {
  csctp_settings sa, sb;
  pr_settings(&sa, 1);
  pr_settings(&sb, 1);
  sb.rcvbuf = 4000;
  pair p;
  pair_open(&p, &sa, &sb, 41);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  p.reader_on = 0; /* b's window closes */
  for (uint32_t i = 0; i < 8; i++)
    CHECK_EQ(pair_send(&p, i, 0, 0, CSCTP_PR_SCTP_NONE, 0, 1000), 0);
  pair_run(&p, 200 * CSCTP_MILLISECONDS, NULL);
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, p.ida, &st), 0);
  REQUIRE(st.pending > 0); /* stuck behind the closed window */
  CHECK_EQ(pair_send(&p, 100, 0, 0, CSCTP_PR_SCTP_TTL, 300, 500), 0);
  CHECK(csctp_endpoint_get_expiry(p.a) <= p.now + 300 * CSCTP_MILLISECONDS);
  pair_run(&p, 290 * CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(p.nfailed, 0);
  pair_run(&p, 20 * CSCTP_MILLISECONDS, NULL);
  REQUIRE(p.nfailed == 1);
  CHECK_EQ(p.failed[0].context, 100);
  CHECK(!p.failed[0].was_sent && p.failed[0].abandoned && p.failed[0].data_ok);
  p.reader_on = 1;
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  for (uint32_t i = 0; i < 8; i++)
    CHECK_EQ(delivered_count(&p, i), 1);
  CHECK_EQ(delivered_count(&p, 100), 0);
  pair_close(&p);
}

/* Limited retransmissions (RFC 7496 3.1): with limit 0 a message is
 * abandoned instead of its first retransmission; with limit 1 one
 * retransmission is allowed. The ordered message after it is delivered. */
static void rtx_case(uint32_t limit, int drops, int want_abandoned) {
  csctp_settings s;
  pr_settings(&s, 1);
  pair p;
  pair_open(&p, &s, &s, 17 + limit * 3 + (uint32_t)drops);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  tsn_drop d;
  memset(&d, 0, sizeof(d));
  d.n = 1;
  d.tsn[0] = first_tsn_of_a(&p); /* message 0 */
  d.times[0] = drops;
  p.drop = drop_tsns;
  p.drop_ud = &d;
  CHECK_EQ(pair_send(&p, 0, 2, 0, CSCTP_PR_SCTP_RTX, limit, 200), 0);
  for (uint32_t i = 1; i < 6; i++)
    CHECK_EQ(pair_send(&p, i, 2, 0, CSCTP_PR_SCTP_NONE, 0, 200), 0);
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  const failed_rec *f = find_failed(&p, 0);
  if (want_abandoned) {
    REQUIRE(f != NULL);
    CHECK(f->was_sent);
    CHECK(f->abandoned);
    CHECK(f->data_ok);
    CHECK_EQ(delivered_count(&p, 0), 0);
    CHECK(p.fwd_chunks_to_b > 0);
    csctp_pr_status ps;
    CHECK_EQ(csctp_pr_status_get(p.a, p.ida, 2, CSCTP_PR_SCTP_RTX, &ps), 0);
    CHECK_EQ(ps.abandoned_sent, 1);
  } else {
    CHECK(f == NULL);
    CHECK_EQ(delivered_count(&p, 0), 1);
  }
  /* The rest, in order, once each. */
  size_t k = 0;
  for (size_t i = 0; i < p.ndelivered; i++) {
    if (p.delivered[i] == 0)
      continue;
    CHECK_EQ(p.delivered[i], ++k);
  }
  CHECK_EQ(k, 5);
  pair_close(&p);
}

static void test_rtx_limit(void) {
  rtx_case(0, 1, 1);
  rtx_case(1, 1, 0);
  rtx_case(1, 2, 1);
  rtx_case(3, 3, 0);
}

/* Priority (RFC 7496 3.2): with the buffer full, a send abandons queued
 * messages of lower priority (larger value), never those of higher or
 * equal priority; a reliable send ranks above every PRIO message. */
static void test_priority(void) {
  csctp_settings sa, sb;
  pr_settings(&sa, 1);
  pr_settings(&sb, 1);
  sa.sndbuf = 8000;
  pair p;
  pair_open(&p, &sa, &sb, 19);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  int drop_on = 1; /* nothing leaves the send buffer */
  p.drop = drop_data_while;
  p.drop_ud = &drop_on;
  /* Fill: priorities 5 and 7, 1000 bytes each, until AGAIN. */
  uint32_t n = 0;
  while (n < 20 &&
         pair_send(&p, n, 0, 1, CSCTP_PR_SCTP_PRIO, n % 2 ? 7 : 5, 1000) == 0)
    n++;
  REQUIRE(n >= 4);
  /* A priority-7 message finds nothing lower: refused. */
  CHECK_EQ(pair_send(&p, 50, 0, 1, CSCTP_PR_SCTP_PRIO, 7, 1000),
           CSCTP_ERR_AGAIN);
  CHECK_EQ(p.nfailed, 0);
  /* Priority 6 pushes out one priority-7 message (the oldest). */
  CHECK_EQ(pair_send(&p, 51, 0, 1, CSCTP_PR_SCTP_PRIO, 6, 1000), 0);
  pair_events(&p);
  REQUIRE(p.nfailed >= 1);
  for (size_t i = 0; i < p.nfailed; i++) {
    uint32_t idx = p.failed[i].context;
    CHECK(idx < n && idx % 2 == 1); /* only priority 7 */
    CHECK(p.failed[i].abandoned);
    CHECK(p.failed[i].data_ok);
  }
  size_t before = p.nfailed;
  /* A reliable message may push out any PRIO message: the lowest
   * priority first. */
  CHECK_EQ(pair_send(&p, 52, 0, 1, CSCTP_PR_SCTP_NONE, 0, 1000), 0);
  pair_events(&p);
  CHECK(p.nfailed > before);
  for (size_t i = 0; i < p.nfailed; i++)
    CHECK(p.failed[i].context % 2 == 1);
  csctp_pr_status ps;
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, -1, CSCTP_PR_SCTP_PRIO, &ps), 0);
  CHECK_EQ(ps.abandoned_sent + ps.abandoned_unsent, p.nfailed);
  drop_on = 0;
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  CHECK_EQ(delivered_count(&p, 51), 1);
  CHECK_EQ(delivered_count(&p, 52), 1);
  for (size_t i = 0; i < p.nfailed; i++)
    if (!p.failed[i].was_sent)
      CHECK_EQ(delivered_count(&p, p.failed[i].context), 0);
  pair_close(&p);
}

/* A fragmented message is abandoned whole (RFC 3758 3.5 A3): with its
 * middle fragment lost and no retransmission allowed, the receiver never
 * delivers a part of it, and the next messages of the stream arrive. */
static void test_fragmented_abandoned_whole(void) {
  csctp_settings s;
  pr_settings(&s, 1);
  pair p;
  pair_open(&p, &s, &s, 23);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  tsn_drop d;
  memset(&d, 0, sizeof(d));
  d.n = 1;
  d.tsn[0] = first_tsn_of_a(&p) + 1; /* second of three fragments */
  d.times[0] = 1;
  p.drop = drop_tsns;
  p.drop_ud = &d;
  CHECK_EQ(pair_send(&p, 0, 3, 0, CSCTP_PR_SCTP_RTX, 0, 3500), 0);
  CHECK_EQ(pair_send(&p, 1, 3, 0, CSCTP_PR_SCTP_NONE, 0, 100), 0);
  CHECK_EQ(pair_send(&p, 2, 3, 1, CSCTP_PR_SCTP_NONE, 0, 100), 0);
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  const failed_rec *f = find_failed(&p, 0);
  REQUIRE(f != NULL);
  CHECK(f->was_sent && f->abandoned && f->data_ok);
  CHECK_EQ(f->len, 3500);
  CHECK_EQ(delivered_count(&p, 0), 0);
  CHECK_EQ(delivered_count(&p, 1), 1);
  CHECK_EQ(delivered_count(&p, 2), 1);
  CHECK(!p.bad_data);
  pair_close(&p);
}

/* Unordered abandoned messages are never listed in the FORWARD TSN (3.2). */
static void test_unordered_not_listed(void) {
  csctp_settings s;
  pr_settings(&s, 1);
  pair p;
  pair_open(&p, &s, &s, 29);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  tsn_drop d;
  memset(&d, 0, sizeof(d));
  d.n = 1;
  d.tsn[0] = first_tsn_of_a(&p);
  d.times[0] = 1;
  p.drop = drop_tsns;
  p.drop_ud = &d;
  CHECK_EQ(pair_send(&p, 0, 4, 1, CSCTP_PR_SCTP_RTX, 0, 100), 0);
  CHECK_EQ(pair_send(&p, 1, 4, 1, CSCTP_PR_SCTP_NONE, 0, 100), 0);
  CHECK(pair_run(&p, 60 * CSCTP_SECONDS, pred_nothing_outstanding));
  REQUIRE(p.fwd_chunks_to_b > 0);
  CHECK_EQ(csctp_get16(p.last_fwd + 2), 8); /* no stream entries */
  CHECK_EQ(csctp_get32(p.last_fwd + 4), first_tsn_of_a(&p));
  CHECK_EQ(delivered_count(&p, 1), 1);
  pair_close(&p);
}

/* RFC 3758 3.3.1: where PR-SCTP is off, a FORWARD TSN is an unknown chunk
 * (upper bits 11: skip it and report it in an ERROR). */
static void test_fwd_tsn_unknown_when_off(void) {
  csctp_settings sa, sb;
  pr_settings(&sa, 1);
  pr_settings(&sb, 0);
  pair p;
  pair_open(&p, &sa, &sb, 31);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  /* The tag b expects: the Initiate Tag of b's INIT ACK. */
  uint32_t vtag = csctp_get32(p.first_init_ack + 4);
  uint8_t pkt[64];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  REQUIRE(csctp_pkt_begin(&b, 5000, 6000, vtag) == 0);
  REQUIRE(csctp_put_fwd_tsn(&b, 12345, NULL, 0) == 0);
  size_t len = csctp_pkt_finish(&b);
  uint64_t errs = p.error_chunks_to_a;
  CHECK_EQ(csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, pkt, len, p.now),
           0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(p.error_chunks_to_a, errs + 1);
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.b, p.idb, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  pair_close(&p);
}

static void test_status_args(void) {
  csctp_settings s;
  pr_settings(&s, 1);
  pair p;
  pair_open(&p, &s, &s, 37);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  csctp_pr_status ps;
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, -1, CSCTP_PR_SCTP_NONE, &ps),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, -1, 9, &ps), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, 10, CSCTP_PR_SCTP_ALL, &ps),
           CSCTP_ERR_STREAM);
  CHECK_EQ(csctp_pr_status_get(p.a, 999, -1, CSCTP_PR_SCTP_ALL, &ps),
           CSCTP_ERR_NOT_FOUND);
  CHECK_EQ(csctp_pr_status_get(p.a, p.ida, 9, CSCTP_PR_SCTP_ALL, &ps), 0);
  CHECK_EQ(ps.abandoned_sent + ps.abandoned_unsent, 0);
  pair_close(&p);
}

/* ---- Receiver primitives (RFC 3758 3.6) ---------------------------------- */

static csctp_data mkdata(uint32_t tsn, uint16_t sid, uint16_t ssn,
                         uint8_t flags, const uint8_t *pl, size_t len) {
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.tsn = tsn;
  d.sid = sid;
  d.ssn = ssn;
  d.flags = flags;
  d.payload = pl;
  d.len = len;
  return d;
}

static void test_reasm_skip(void) {
  csctp_reasm r;
  uint8_t pl[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint8_t out[64];
  csctp_rcvinfo ri;
  REQUIRE(csctp_reasm_init(&r, csctp_mem_default(), 4, 1 << 20) == 0);
  const uint8_t BE = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  /* Stream 0: SSN 0 lost (TSN 10), SSN 1 complete (11), SSN 2's first
   * fragment (12) of three, SSN 3 complete (15). */
  csctp_data d = mkdata(11, 0, 1, BE, pl, 8);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  d = mkdata(12, 0, 2, CSCTP_DATA_FLAG_B, pl, 4);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  d = mkdata(15, 0, 3, BE, pl, 2);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  /* Unordered: a lone middle fragment (TSN 20) and a first one (22). */
  d = mkdata(20, 1, 0, CSCTP_DATA_FLAG_U, pl, 3);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  d = mkdata(22, 1, 0, CSCTP_DATA_FLAG_U | CSCTP_DATA_FLAG_B, pl, 5);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_held_bytes(&r), 8 + 4 + 2 + 3 + 5);
  /* FORWARD TSN to 12 naming stream 0 SSN 0: SSN 1 becomes deliverable,
   * the fragment at 12 can never complete (dropped), SSN 3 waits for 2. */
  csctp_reasm_forget_before(&r, 12);
  CHECK_EQ(csctp_reasm_skip_ssn(&r, 0, 0), 0);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 8 + 2 + 3 + 5);
  REQUIRE(csctp_reasm_read(&r, &ri, out, sizeof(out)) == 8);
  CHECK_EQ(ri.ssn, 1);
  CHECK(ri.flags & CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_read(&r, &ri, out, sizeof(out)), CSCTP_ERR_AGAIN);
  /* Later FORWARD TSN to 21 naming SSN 2: SSN 3 follows; the unordered
   * fragment at 20 can never complete, the first fragment at 22 can. */
  csctp_reasm_forget_before(&r, 21);
  CHECK_EQ(csctp_reasm_skip_ssn(&r, 0, 2), 0);
  REQUIRE(csctp_reasm_read(&r, &ri, out, sizeof(out)) == 2);
  CHECK_EQ(ri.ssn, 3);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 5);
  /* An SSN behind the expected one changes nothing; SSN 4 is next. */
  CHECK_EQ(csctp_reasm_skip_ssn(&r, 0, 1), 0);
  d = mkdata(30, 0, 4, BE, pl, 1);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &ri, out, sizeof(out)), 1);
  csctp_reasm_free(&r);
}

/* A message under partial delivery that is abandoned ends; the next
 * message is read whole after it. */
static void test_reasm_partial_delivery_ends(void) {
  csctp_reasm r;
  uint8_t pl[16] = {0};
  uint8_t out[64];
  csctp_rcvinfo ri;
  REQUIRE(csctp_reasm_init(&r, csctp_mem_default(), 2, 8) == 0);
  csctp_data d = mkdata(100, 0, 0, CSCTP_DATA_FLAG_B, pl, 16);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  REQUIRE(csctp_reasm_read(&r, &ri, out, 10) == 10);
  CHECK(!(ri.flags & CSCTP_RCV_EOR));
  /* TSN 101 (its next fragment) was abandoned; SSN 1 is complete at 102. */
  d = mkdata(102, 0, 1, CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, pl, 5);
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  csctp_reasm_forget_before(&r, 101);
  CHECK_EQ(csctp_reasm_skip_ssn(&r, 0, 0), 0);
  REQUIRE(csctp_reasm_read(&r, &ri, out, sizeof(out)) == 5);
  CHECK_EQ(ri.ssn, 1);
  CHECK(ri.flags & CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 0);
  csctp_reasm_free(&r);
}

/* A sender may abandon a message after sending part of it and give the
 * next TSN to a new message (Linux does). Without PR-SCTP that is a
 * protocol violation; with it the new message is taken and the unfinished
 * one goes with the FORWARD TSN. */
static void test_reasm_abandoned_tail(void) {
  csctp_reasm r;
  uint8_t pl[8] = {0};
  uint8_t out[64];
  csctp_rcvinfo ri;
  const uint8_t BE = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  for (int pr = 0; pr < 2; pr++) {
    REQUIRE(csctp_reasm_init(&r, csctp_mem_default(), 2, 1 << 20) == 0);
    r.pr_gaps = pr;
    csctp_data d = mkdata(50, 0, 0, CSCTP_DATA_FLAG_B, pl, 8);
    REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
    d = mkdata(51, 0, 1, BE, pl, 3);
    CHECK_EQ(csctp_reasm_add(&r, &d, NULL), pr ? 0 : CSCTP_ERR_PROTO);
    /* A middle fragment of an abandoned message arriving after the next
     * (complete, already delivered) message: held until the FORWARD TSN. */
    d = mkdata(61, 1, 0, CSCTP_DATA_FLAG_U | BE, pl, 2);
    REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
    d = mkdata(60, 1, 0, CSCTP_DATA_FLAG_U, pl, 4);
    CHECK_EQ(csctp_reasm_add(&r, &d, NULL), 0);
    if (pr) {
      csctp_reasm_forget_before(&r, 50);
      CHECK_EQ(csctp_reasm_skip_ssn(&r, 0, 0), 0);
      csctp_reasm_forget_before(&r, 60);
      CHECK_EQ(csctp_reasm_read(&r, &ri, out, sizeof(out)), 2); /* TSN 61 */
      CHECK_EQ(csctp_reasm_read(&r, &ri, out, sizeof(out)), 3); /* SSN 1 */
      CHECK_EQ(ri.ssn, 1);
      CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
    }
    csctp_reasm_free(&r);
  }
}

/* ---- Randomized lossy runs ------------------------------------------------
 */

typedef struct sent_msg {
  uint16_t sid, policy;
  uint8_t unordered;
} sent_msg;

static int pred_settled(pair *p) {
  csctp_assoc_status st;
  if (csctp_assoc_status_get(p->a, p->ida, &st) != 0)
    return 1;
  return st.unacked == 0 && st.pending == 0 && csctp_recv_pending(p->b, 0) == 0;
}

/* Debug aid (PR_TRACE): the sender's outstanding chunks. */
static void dump_sender(pair *p) {
  csctp_assoc *a = csctp_ep_find(p->a, p->ida);
  csctp_assoc *b = csctp_ep_find(p->b, p->idb);
  fprintf(stderr, "cum_acked %u next_tsn %u ap %u send_fwd %d b.cum %u\n",
          a->sq.cum_acked, a->sq.next_tsn, csctp_prsctp_ack_point(&a->sq),
          a->pr.send_fwd, csctp_tsnmap_cum(&b->tsn));
  for (int i = 0; i < a->npaths; i++)
    fprintf(stderr, "path %d t3 %lld flight %u cwnd %u\n", i,
            (long long)(a->paths[i].t3 == CSCTP_TSTAMP_NEVER
                            ? -1
                            : (long long)(a->paths[i].t3 - p->now)),
            a->paths[i].flight, a->paths[i].cwnd);
  for (csctp_chunk_out *c = a->sq.out; c; c = c->next)
    fprintf(stderr, " tsn %u state %u sid %u ssn %u flags %x pol %u tx %u\n",
            c->tsn, c->state, c->sid, c->ssn, c->flags, c->msg->info.pr_policy,
            c->tx_count);
}

static void trace_log(const char *line, void *ud) {
  (void)ud;
  fprintf(stderr, "a: %s\n", line);
}

static uint64_t lossy_reordered; /* packets the lossy runs reordered */

static int lossy_run(uint64_t seed, double loss, uint64_t *both,
                     uint64_t *lost) {
  enum { N = 300 };
  static sent_msg m[N];
  csctp_settings s;
  pr_settings(&s, 1);
  s.sndbuf = 1 << 20;
  pair p;
  pair_open(&p, &s, &s, seed);
  int fails = 0;
#define LCHECK(c)                                                              \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "lossy seed=%llu: %s\n", (unsigned long long)seed, #c);  \
      fails++;                                                                 \
    }                                                                          \
  } while (0)
  if (getenv("PR_TRACE"))
    csctp_endpoint_set_log(p.a, trace_log, NULL);
  if (!pair_run(&p, 30 * CSCTP_SECONDS, pred_up)) {
    pair_close(&p);
    return 1;
  }
  p.loss = loss;
  p.reorder = (seed & 1) ? 0.02 : 0; /* odd seeds reorder too */
  for (uint32_t i = 0; i < N; i++) {
    m[i].sid = (uint16_t)(rnd(&p) % 4);
    m[i].unordered = rnd(&p) % 4 == 0;
    uint32_t k = (uint32_t)(rnd(&p) % 3);
    m[i].policy = k == 0   ? CSCTP_PR_SCTP_NONE
                  : k == 1 ? CSCTP_PR_SCTP_TTL
                           : CSCTP_PR_SCTP_RTX;
    uint32_t value = m[i].policy == CSCTP_PR_SCTP_TTL
                         ? (uint32_t)(50 + rnd(&p) % 2000)
                         : (uint32_t)(rnd(&p) % 3);
    size_t len = 4 + rnd(&p) % (rnd(&p) % 4 == 0 ? 4000 : 600);
    if (getenv("PR_RELIABLE")) /* debug aid: the same run, reliable */
      m[i].policy = CSCTP_PR_SCTP_NONE;
    int rv =
        pair_send(&p, i, m[i].sid, m[i].unordered, m[i].policy, value, len);
    LCHECK(rv == 0);
    pair_run(&p, (csctp_tstamp)(rnd(&p) % 20) * CSCTP_MILLISECONDS, NULL);
  }
  if (!pair_run(&p, 3600 * CSCTP_SECONDS, pred_settled)) {
    csctp_assoc_status sa, sb;
    csctp_assoc_status_get(p.a, p.ida, &sa);
    csctp_assoc_status_get(p.b, p.idb, &sb);
    fprintf(stderr,
            "lossy seed=%llu: not settled: a state %u unacked %u pending %u "
            "b state %u recv_pending %zu partial %zu fwd %llu\n",
            (unsigned long long)seed, sa.state, sa.unacked, sa.pending,
            sb.state, csctp_recv_pending(p.b, 0), p.partial,
            (unsigned long long)p.fwd_chunks_to_b);
    if (getenv("PR_TRACE"))
      dump_sender(&p);
    fails++;
  }
  pair_run(&p, CSCTP_SECONDS, NULL);
  LCHECK(!p.bad_data);
  LCHECK(p.control_after_data == 0);
  int32_t last[4] = {-1, -1, -1, -1};
  for (size_t i = 0; i < p.ndelivered; i++) {
    uint32_t idx = p.delivered[i];
    LCHECK(idx < N);
    if (idx >= N)
      continue;
    LCHECK(p.delivered_sid[i] == m[idx].sid);
    if (!m[idx].unordered) {
      LCHECK((int32_t)idx > last[m[idx].sid]); /* order per stream */
      last[m[idx].sid] = (int32_t)idx;
    }
  }
  uint64_t abandoned = 0;
  for (uint32_t i = 0; i < N; i++) {
    int dn = delivered_count(&p, i);
    const failed_rec *f = find_failed(&p, i);
    LCHECK(dn <= 1);      /* never twice */
    LCHECK(dn == 1 || f); /* never neither */
    if (!f)
      continue;
    LCHECK(f->data_ok);            /* reported with its data */
    LCHECK(!(dn && !f->was_sent)); /* reported unsent, yet delivered */
    if (f->abandoned) {
      abandoned++;
      LCHECK(m[i].policy != CSCTP_PR_SCTP_NONE);
      *both += dn != 0;
    }
  }
  /* At 30% loss both ways Association.Max.Retrans may end the association
   * (as it does for reliable traffic): the rest is then reported failed,
   * not abandoned, and the counters go with it. */
  lossy_reordered += p.swapped;
  csctp_assoc_status st;
  if (csctp_assoc_status_get(p.a, p.ida, &st) == 0) {
    LCHECK(st.pr_abandoned_sent + st.pr_abandoned_unsent == abandoned);
    LCHECK(st.state == CSCTP_STATE_ESTABLISHED);
  } else {
    *lost += 1;
  }
  pair_close(&p);
#undef LCHECK
  return fails;
}

static void test_lossy_runs(void) {
  uint64_t both = 0, lost = 0;
  int fails = 0;
  uint64_t lo = getenv("PR_SEED") ? strtoull(getenv("PR_SEED"), NULL, 0) : 1;
  uint64_t hi = getenv("PR_SEED")    ? lo
                : getenv("PR_SEEDS") ? strtoull(getenv("PR_SEEDS"), NULL, 0)
                                     : 40;
  for (uint64_t seed = lo; seed <= hi; seed++)
    fails +=
        lossy_run(seed, 0.05 + 0.25 * (double)(seed % 4) / 3.0, &both, &lost);
  CHECK_EQ(fails, 0);
  CHECK(lo == hi || lossy_reordered > 0); /* odd seeds reorder */
  printf("lossy runs %llu-%llu: %d failed checks; %llu associations lost; "
         "%llu messages both delivered and reported abandoned after being "
         "sent (RFC 6458 SCTP_DATA_SENT: it may have arrived); %llu packets "
         "reordered\n",
         (unsigned long long)lo, (unsigned long long)hi, fails,
         (unsigned long long)lost, (unsigned long long)both,
         (unsigned long long)lossy_reordered);
}

int main(void) {
  TEST_RUN(test_fwd_tsn_codec);
  TEST_RUN(test_fwd_tsn_malformed);
  TEST_RUN(test_negotiation_both);
  TEST_RUN(test_negotiation_one_side);
  TEST_RUN(test_policy_ignored_without_pr);
  TEST_RUN(test_ttl);
  TEST_RUN(test_ttl_reported_on_time);
  TEST_RUN(test_rtx_limit);
  TEST_RUN(test_priority);
  TEST_RUN(test_fragmented_abandoned_whole);
  TEST_RUN(test_unordered_not_listed);
  TEST_RUN(test_fwd_tsn_unknown_when_off);
  TEST_RUN(test_status_args);
  TEST_RUN(test_reasm_skip);
  TEST_RUN(test_reasm_partial_delivery_ends);
  TEST_RUN(test_reasm_abandoned_tail);
  TEST_RUN(test_lossy_runs);
  return TEST_SUMMARY();
}
