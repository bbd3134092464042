/* test_reconf.c -- stream reconfiguration (RFC 6525), written from the
 * RFC's words: negotiation through the Supported Extensions parameter
 * (5.1.1), Outgoing and Incoming SSN Reset (5.1.2, 5.1.3, 5.2.2, 5.2.3),
 * Add Outgoing / Incoming Streams (5.1.5, 5.1.6, 5.2.5, 5.2.6), responses
 * (5.2.7), the Re-configuration Timer and retransmission (5.1.1, 5.2.1),
 * "In progress" while data is missing (E2), crossing requests, denial by
 * default (6.3.1), request sequence numbers, and the events of 6.1.
 *
 * Two endpoints are joined by an in-memory link with a fixed one-way delay
 * (order kept) and a per-packet drop hook; every RE-CONFIG chunk on the
 * wire is decoded and recorded. */
#include "csctp.h"
#include "sim.h"
#include "test.h"

#include "../chunk.h"
#include "../engine.h"
#include "../reconf.h"

#define DELAY (10 * CSCTP_MILLISECONDS)
#define MAXQ 1024
#define PKTMAX 2048
#define MAXREC 64

typedef struct qpkt {
  csctp_tstamp at;
  int to_b;
  size_t len;
  uint8_t data[PKTMAX];
} qpkt;

/* One parameter of a RE-CONFIG chunk seen on the wire. */
typedef struct rparam {
  int to_b;
  uint16_t type;
  uint32_t sn;     /* request or response sequence number */
  uint32_t word2;  /* response: result; outgoing reset: response sn */
  uint32_t word3;  /* outgoing reset: Sender's Last Assigned TSN; response:
                      Sender's Next TSN */
  uint32_t word4;  /* response: Receiver's Next TSN */
  uint8_t nwords;  /* 32-bit words in the parameter's value */
  uint8_t nparams; /* parameters in its chunk */
  uint16_t nsids;  /* streams listed */
  uint16_t sid0;   /* first listed stream */
} rparam;

typedef struct evrec {
  uint32_t type;
  uint16_t flags;
  uint16_t n, sid0;
  uint16_t instrms, outstrms;
  uint32_t local_tsn, remote_tsn; /* ASSOC_RESET */
} evrec;

typedef struct msgrec {
  uint16_t sid, ssn;
  uint32_t idx;
  uint32_t tsn;
} msgrec;

typedef struct pair pair;
typedef int (*drop_fn)(pair *p, int to_b, const uint8_t *pkt, size_t len);

struct pair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_assoc_id ida, idb;
  csctp_tstamp now;
  drop_fn drop;
  int drop_left; /* how many more packets drop may take */
  qpkt *q;
  size_t qhead, qlen;
  rparam rp[MAXREC];
  size_t nrp;
  evrec ev_a[MAXREC], ev_b[MAXREC];
  size_t nev_a, nev_b;
  msgrec rx_a[MAXREC], rx_b[MAXREC];
  size_t nrx_a, nrx_b;
  int up_a, up_b;
  int ext_init, ext_init_ack; /* RE-CONFIG listed in Supported Extensions */
  /* DATA chunks seen on the wire toward b (to_b) and a, and whether one
   * left while flagged_a / flagged_b was set. */
  size_t ndata[2];
  int flag_data[2];
  int data_while_flag[2];
};

static int prand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t seed_a, seed_b;

static void settings(csctp_settings *s, int reconf, uint32_t enable) {
  csctp_settings_default(s);
  s->reconf_supported = (uint32_t)reconf;
  s->reconf_enable = enable;
  s->hb_interval = 0;
}

static int pred_up(pair *p) { return p->up_a && p->up_b; }
static void pair_step(pair *p);
static int pair_run(pair *p, csctp_tstamp dur, int (*pred)(pair *p));

static void pair_open(pair *p, const csctp_settings *sa,
                      const csctp_settings *sb) {
  memset(p, 0, sizeof(*p));
  p->q = calloc(MAXQ, sizeof(qpkt));
  seed_a = 11;
  seed_b = 23;
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
  CHECK(pair_run(p, 5 * CSCTP_SECONDS, pred_up));
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

static int lists_reconf(const csctp_tlv *c) {
  csctp_tlv_iter it;
  csctp_tlv q;
  csctp_tlv_iter_init(&it, c->value + 16, c->value_len - 16);
  while (csctp_param_next(&it, &q) == 1)
    if (q.type == CSCTP_PT_SUPPORTED_EXT)
      for (size_t i = 0; i < q.value_len; i++)
        if (q.value[i] == CSCTP_CT_RE_CONFIG)
          return 1;
  return 0;
}

static void record_reconf(pair *p, int to_b, const csctp_tlv *c) {
  csctp_tlv_iter it;
  csctp_tlv q;
  size_t first = p->nrp;
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  while (csctp_param_next(&it, &q) == 1 && p->nrp < MAXREC) {
    rparam *r = &p->rp[p->nrp++];
    memset(r, 0, sizeof(*r));
    r->to_b = to_b;
    r->nwords = (uint8_t)(q.value_len / 4);
    if (q.type == CSCTP_PT_RECONF_RESP && q.value_len >= 16) {
      r->word3 = csctp_get32(q.value + 8);
      r->word4 = csctp_get32(q.value + 12);
    }
    r->type = q.type;
    if (q.value_len >= 4)
      r->sn = csctp_get32(q.value);
    if (q.value_len >= 8)
      r->word2 = csctp_get32(q.value + 4);
    size_t fixed = q.type == CSCTP_PT_OUT_SSN_RESET  ? 12
                   : q.type == CSCTP_PT_IN_SSN_RESET ? 4
                                                     : q.value_len;
    if (q.type == CSCTP_PT_OUT_SSN_RESET && q.value_len >= 12)
      r->word3 = csctp_get32(q.value + 8);
    if (q.value_len > fixed) {
      r->nsids = (uint16_t)((q.value_len - fixed) / 2);
      r->sid0 = csctp_get16(q.value + fixed);
    }
  }
  for (size_t i = first; i < p->nrp; i++)
    p->rp[i].nparams = (uint8_t)(p->nrp - first);
}

static void observe(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_INIT)
      p->ext_init = lists_reconf(&c);
    if (c.type == CSCTP_CT_INIT_ACK)
      p->ext_init_ack = lists_reconf(&c);
    if (c.type == CSCTP_CT_RE_CONFIG)
      record_reconf(p, to_b, &c);
    if (c.type == CSCTP_CT_DATA) {
      p->ndata[to_b]++;
      p->data_while_flag[to_b] |= p->flag_data[to_b];
    }
  }
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
      if (p->drop && p->drop_left > 0 && p->drop(p, to_b, buf, (size_t)n)) {
        p->drop_left--;
        continue;
      }
      if (p->qlen == MAXQ)
        continue;
      qpkt *q = &p->q[(p->qhead + p->qlen) % MAXQ];
      p->qlen++;
      q->at = p->now + DELAY;
      q->to_b = to_b;
      q->len = (size_t)n;
      memcpy(q->data, buf, (size_t)n);
    }
  }
}

static void take_events(pair *p, csctp_endpoint *ep, evrec *out, size_t *n,
                        int is_b) {
  csctp_event ev;
  while (csctp_endpoint_poll_events(ep, &ev, 1) == 1) {
    if (ev.type == CSCTP_EV_ASSOC_UP) {
      if (is_b) {
        p->up_b = 1;
        p->idb = ev.assoc_id;
      } else {
        p->up_a = 1;
      }
    }
    if ((ev.type == CSCTP_EV_STREAM_RESET ||
         ev.type == CSCTP_EV_STREAM_CHANGE ||
         ev.type == CSCTP_EV_ASSOC_RESET) &&
        *n < MAXREC) {
      evrec *r = &out[(*n)++];
      memset(r, 0, sizeof(*r));
      r->type = ev.type;
      if (ev.type == CSCTP_EV_ASSOC_RESET) {
        r->flags = ev.u.assoc_reset.flags;
        r->local_tsn = ev.u.assoc_reset.local_tsn;
        r->remote_tsn = ev.u.assoc_reset.remote_tsn;
      } else if (ev.type == CSCTP_EV_STREAM_RESET) {
        r->flags = ev.u.stream_reset.flags;
        r->n = ev.u.stream_reset.n;
        r->sid0 = r->n ? ev.u.stream_reset.sids[0] : 0xFFFF;
      } else {
        r->flags = ev.u.stream_change.flags;
        r->instrms = ev.u.stream_change.instrms;
        r->outstrms = ev.u.stream_change.outstrms;
      }
    }
    csctp_event_clear(ep, &ev);
  }
}

static void take_msgs(pair *p, csctp_endpoint *ep, msgrec *out, size_t *n) {
  uint8_t buf[256];
  csctp_rcvinfo info;
  csctp_ssize len;
  while ((len = csctp_recv(ep, 0, &info, buf, sizeof(buf), p->now)) > 0)
    if (*n < MAXREC) {
      out[*n].sid = info.sid;
      out[*n].ssn = info.ssn;
      out[*n].idx = len >= 4 ? csctp_get32(buf) : 0;
      out[*n].tsn = info.tsn;
      (*n)++;
    }
}

static void pair_step(pair *p) {
  while (p->qlen > 0 && p->q[p->qhead].at <= p->now) {
    qpkt *q = &p->q[p->qhead];
    if (q->to_b)
      csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, q->data, q->len,
                              p->now);
    else
      csctp_endpoint_read_pkt(p->a, &p->addr_b, &p->addr_a, q->data, q->len,
                              p->now);
    p->qhead = (p->qhead + 1) % MAXQ;
    p->qlen--;
  }
  if (csctp_endpoint_get_expiry(p->a) <= p->now)
    csctp_endpoint_handle_expiry(p->a, p->now);
  if (csctp_endpoint_get_expiry(p->b) <= p->now)
    csctp_endpoint_handle_expiry(p->b, p->now);
  take_events(p, p->a, p->ev_a, &p->nev_a, 0);
  take_events(p, p->b, p->ev_b, &p->nev_b, 1);
  take_msgs(p, p->a, p->rx_a, &p->nrx_a);
  take_msgs(p, p->b, p->rx_b, &p->nrx_b);
  pair_emit(p);
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

static int pair_run(pair *p, csctp_tstamp dur, int (*pred)(pair *p)) {
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

static int send_on(pair *p, int from_b, uint16_t sid, uint32_t idx) {
  uint8_t buf[64];
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = from_b ? p->idb : p->ida;
  si.sid = sid;
  memset(buf, 0x5A, sizeof(buf));
  csctp_put32(buf, idx);
  return csctp_send(from_b ? p->b : p->a, &si, NULL, buf, sizeof(buf), p->now);
}

static const msgrec *rx_find(const msgrec *m, size_t n, uint32_t idx) {
  for (size_t i = 0; i < n; i++)
    if (m[i].idx == idx)
      return &m[i];
  return NULL;
}

static int count_ev(const evrec *e, size_t n, uint32_t type, uint16_t flags) {
  int k = 0;
  for (size_t i = 0; i < n; i++)
    k += e[i].type == type && e[i].flags == flags;
  return k;
}

/* Responses sent toward a (to_b 0) or b, with a given result. */
static int count_resp(const pair *p, int to_b, uint32_t result) {
  int k = 0;
  for (size_t i = 0; i < p->nrp; i++)
    k += p->rp[i].to_b == to_b && p->rp[i].type == CSCTP_PT_RECONF_RESP &&
         p->rp[i].word2 == result;
  return k;
}

static int count_type(const pair *p, int to_b, uint16_t type) {
  int k = 0;
  for (size_t i = 0; i < p->nrp; i++)
    k += p->rp[i].to_b == to_b && p->rp[i].type == type;
  return k;
}

static int pred_idle(pair *p) {
  csctp_assoc *a = csctp_ep_peek(p->a, p->ida);
  csctp_assoc *b = csctp_ep_peek(p->b, p->idb);
  return p->qlen == 0 && a && b && !(a->reconf.st && a->reconf.st->req) &&
         !(b->reconf.st && b->reconf.st->req);
}

#define ALL_RESET_STREAM                                                       \
  (CSCTP_ENABLE_RESET_STREAM_REQ | CSCTP_ENABLE_CHANGE_ASSOC_REQ)

/* ---- Negotiation (5.1.1) ------------------------------------------------- */

static void test_negotiated_when_both_list_it(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, 0);
  pair_open(&p, &s, &s);
  CHECK(p.ext_init);     /* 5.1.1: listed in the INIT ... */
  CHECK(p.ext_init_ack); /* ... and in the INIT ACK */
  CHECK_EQ(csctp_ep_peek(p.a, p.ida)->reconf.on, 1);
  CHECK_EQ(csctp_ep_peek(p.b, p.idb)->reconf.on, 1);
  pair_close(&p);
}

static void test_not_sent_unless_peer_lists_it(void) {
  csctp_settings sa, sb;
  pair p;
  uint16_t sid = 1;
  settings(&sa, 1, 0);
  settings(&sb, 0, ALL_RESET_STREAM);
  pair_open(&p, &sa, &sb);
  CHECK(p.ext_init);
  CHECK(!p.ext_init_ack);
  /* 5.1.1: no request to a peer that did not list RE-CONFIG; the
   * application gets an error saying so. */
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           CSCTP_ERR_NOT_SUPPORTED);
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 1, p.now), CSCTP_ERR_NOT_SUPPORTED);
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), CSCTP_ERR_NOT_SUPPORTED);
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  CHECK_EQ(p.nrp, 0);
  pair_close(&p);
}

/* ---- Outgoing SSN Reset (5.1.2, 5.2.2, 5.2.7 H4) ------------------------- */

static void test_outgoing_reset_performed(void) {
  csctp_settings sa, sb;
  pair p;
  uint16_t sid = 1;
  settings(&sa, 1, 0);
  settings(&sb, 1, CSCTP_ENABLE_RESET_STREAM_REQ);
  pair_open(&p, &sa, &sb);
  for (uint32_t i = 0; i < 3; i++) {
    CHECK_EQ(send_on(&p, 0, 1, 10 + i), 0);
    CHECK_EQ(send_on(&p, 0, 2, 20 + i), 0);
  }
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  REQUIRE(p.nrx_b == 6);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  uint32_t sn = a->reconf.next_sn;
  uint32_t last_tsn = a->sq.next_tsn - 1u;
  CHECK_EQ(sn, a->local_initial_tsn); /* 4.1: starts at the initial TSN */
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  /* 5.1.1: one request in flight at a time. */
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 1, p.now), CSCTP_ERR_AGAIN);
  /* A1: no new SSN on the stream being reset until the answer. */
  CHECK_EQ(send_on(&p, 0, 1, 99), CSCTP_ERR_AGAIN);
  CHECK_EQ(send_on(&p, 0, 2, 23), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  /* The request on the wire: 4.1 fields, A2-A4. */
  REQUIRE(count_type(&p, 1, CSCTP_PT_OUT_SSN_RESET) == 1);
  const rparam *r = &p.rp[0];
  CHECK_EQ(r->sn, sn);
  CHECK_EQ(r->word3, last_tsn);
  CHECK_EQ(r->word2, csctp_ep_peek(p.b, p.idb)->local_initial_tsn - 1u);
  CHECK_EQ(r->nsids, 1);
  CHECK_EQ(r->sid0, 1);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  /* 6.1.1 on both sides, with the stream. */
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_OUTGOING_SSN),
           1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_INCOMING_SSN),
           1);
  CHECK(p.nev_b > 0 && p.ev_b[0].n == 1 && p.ev_b[0].sid0 == 1);
  /* H4 / E3: stream 1 starts again at SSN 0 and is delivered; stream 2
   * goes on from 4. */
  CHECK_EQ(send_on(&p, 0, 1, 30), 0);
  CHECK_EQ(send_on(&p, 0, 2, 24), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 30);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0);
  m = rx_find(p.rx_b, p.nrx_b, 24);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 4);
  pair_close(&p);
}

static void test_outgoing_reset_denied_by_default(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, 0); /* 6.3.1: the default is to deny */
  pair_open(&p, &s, &s);
  CHECK_EQ(send_on(&p, 0, 1, 1), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, NULL, 0,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_DENIED), 1);
  CHECK_EQ(
      count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_RESET,
               CSCTP_STREAM_RESET_OUTGOING_SSN | CSCTP_STREAM_RESET_DENIED),
      1);
  CHECK_EQ(p.nev_b, 0); /* nothing was reset there */
  /* Not reset: stream 1 goes on with SSN 1. */
  CHECK_EQ(send_on(&p, 0, 1, 2), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 2);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 1);
  /* Enabled later (6.3.1), the next request is performed. */
  CHECK_EQ(csctp_enable_stream_reset(p.b, p.idb, CSCTP_ENABLE_RESET_STREAM_REQ),
           0);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, NULL, 0,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  pair_close(&p);
}

static void test_outgoing_reset_waits_for_unsent(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 3;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  /* Queued, not yet given a TSN: its SSN is already taken, so the reset
   * cannot be sent with it behind (A1, A3). */
  CHECK_EQ(send_on(&p, 0, 3, 1), 0);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           CSCTP_ERR_AGAIN);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  pair_close(&p);
}

static void test_bad_arguments(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 10; /* 10 outbound streams by default: 0..9 */
  settings(&s, 1, 0);
  pair_open(&p, &s, &s);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, 0, NULL, 0, p.now), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_reset_streams(p.a, 999, CSCTP_STREAM_RESET_OUTGOING, NULL, 0,
                               p.now),
           CSCTP_ERR_NOT_FOUND);
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 0, p.now), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 65535, p.now), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_reset_assoc(p.a, 999, p.now), CSCTP_ERR_NOT_FOUND);
  CHECK_EQ(csctp_enable_stream_reset(p.a, p.ida, 8), CSCTP_ERR_INVAL);
  pair_close(&p);
}

/* ---- Retransmission (5.1.1, 5.2.1) --------------------------------------- */

static int drop_reconf(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  (void)p;
  (void)to_b;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_RE_CONFIG)
      return 1;
  return 0;
}

static int drop_reconf_to_a(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  return !to_b && drop_reconf(p, to_b, pkt, len);
}

static void test_request_retransmitted_on_timer(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  p.drop = drop_reconf;
  p.drop_left = 2; /* the request, then its first retransmission */
  csctp_tstamp t0 = p.now;
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 2, p.now), 0);
  pair_run(&p, 200 * CSCTP_MILLISECONDS, NULL);
  REQUIRE(a->reconf.st && a->reconf.st->req);
  csctp_tstamp rto = a->paths[0].rto;
  /* 5.1.1: the timer runs with the RTO ... */
  CHECK_EQ(csctp_reconf_expiry(a), t0 + rto);
  uint32_t err0 = a->error_count;
  pair_run(&p, rto, NULL);
  /* ... on expiry the chunk is resent, the timer doubled, the error
   * counters incremented. */
  CHECK_EQ(count_type(&p, 1, CSCTP_PT_ADD_OUT_STREAMS), 2);
  CHECK_EQ(csctp_reconf_expiry(a), t0 + rto + 2 * rto);
  CHECK_EQ(a->error_count, err0 + 1);
  CHECK(pair_run(&p, 10 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_type(&p, 1, CSCTP_PT_ADD_OUT_STREAMS), 3);
  CHECK_EQ(a->ostreams, 12);
  CHECK_EQ(csctp_ep_peek(p.b, p.idb)->istreams, 12);
  pair_close(&p);
}

/* RFC 9260 5.2.4 A during a request ("restart mid-reset"): the peer
 * restarts while our Outgoing SSN Reset is unanswered. The restarted peer
 * never saw the request, so it is reported failed (RFC 6525 6.1.1) instead
 * of never; the association goes on, request sequence numbers start again
 * at the new initial TSN (4.1), the stream takes messages again (A1 holds
 * only while a request is in flight) and a new request is performed. */
static void test_restart_mid_reset(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 1;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  p.drop = drop_reconf_to_a;
  p.drop_left = 1000;
  CHECK_EQ(csctp_reset_streams(p.b, p.idb, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  pair_run(&p, 100 * CSCTP_MILLISECONDS, NULL);
  csctp_assoc *b = csctp_ep_peek(p.b, p.idb);
  REQUIRE(b && b->reconf.st && b->reconf.st->req);
  CHECK_EQ(send_on(&p, 1, 1, 40), CSCTP_ERR_AGAIN); /* A1 */
  CHECK_EQ(p.nev_b, 0);
  /* a restarts: a new endpoint on its port dials b again. */
  csctp_endpoint_del(p.a);
  seed_a += 100;
  CHECK_EQ(csctp_endpoint_new(&p.a, 5000, &s, NULL, prand, &seed_a, p.now), 0);
  p.up_a = 0;
  p.drop = NULL;
  CHECK_EQ(csctp_connect(p.a, &p.addr_b, 1, 6000, NULL, p.now, &p.ida), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  REQUIRE(csctp_ep_peek(p.b, p.idb) == b); /* restarted, not replaced */
  CHECK_EQ(
      count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
               CSCTP_STREAM_RESET_OUTGOING_SSN | CSCTP_STREAM_RESET_FAILED),
      1);
  CHECK(p.nev_b == 1 && p.ev_b[0].n == 1 && p.ev_b[0].sid0 == 1);
  CHECK(!(b->reconf.st && b->reconf.st->req));
  CHECK_EQ(b->reconf.next_sn, b->local_initial_tsn); /* 4.1 */
  CHECK_EQ(send_on(&p, 1, 1, 41), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_a, p.nrx_a, 41);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0); /* the new incarnation's first message */
  /* A new request: the restarted peer answers it. */
  size_t nrp0 = p.nrp;
  uint32_t sn = b->reconf.next_sn;
  CHECK_EQ(csctp_reset_streams(p.b, p.idb, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_OUTGOING_SSN),
           1);
  int seen = 0;
  for (size_t i = nrp0; i < p.nrp; i++)
    if (p.rp[i].type == CSCTP_PT_OUT_SSN_RESET && !p.rp[i].to_b) {
      CHECK_EQ(p.rp[i].sn, sn);
      seen++;
    }
  CHECK_EQ(seen, 1);
  CHECK_EQ(send_on(&p, 1, 1, 42), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  m = rx_find(p.rx_a, p.nrx_a, 42);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0); /* reset again */
  pair_close(&p);
}

static void test_lost_response_answered_again(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 2;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  p.drop = drop_reconf_to_a;
  p.drop_left = 1; /* b's response */
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  CHECK(pair_run(&p, 10 * CSCTP_SECONDS, pred_idle));
  /* 5.2.1: the retransmitted request (same sequence number) gets the same
   * answer again, and is not performed twice. */
  CHECK_EQ(count_type(&p, 1, CSCTP_PT_OUT_SSN_RESET), 2);
  CHECK_EQ(p.rp[0].sn, p.rp[1].sn == p.rp[0].sn ? p.rp[0].sn : p.rp[2].sn);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 2);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_INCOMING_SSN),
           1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_OUTGOING_SSN),
           1);
  pair_close(&p);
}

/* ---- In progress while data is missing (5.2.2 E2, 5.2.7 H2) ------------- */

static int drop_data(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  (void)p;
  csctp_tlv_iter it;
  csctp_tlv c;
  if (!to_b)
    return 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_DATA)
      return 1;
  return 0;
}

static void test_in_progress_until_data_arrives(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 1;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  p.drop = drop_data;
  p.drop_left = 1;
  CHECK_EQ(send_on(&p, 0, 1, 7), 0);
  pair_run(&p, 50 * CSCTP_MILLISECONDS, NULL); /* the DATA is lost */
  REQUIRE(p.nrx_b == 0);
  csctp_tstamp t_send = p.now;
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  pair_run(&p, 100 * CSCTP_MILLISECONDS, NULL);
  /* E2: the Sender's Last Assigned TSN is above b's cumulative TSN. */
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_IN_PROGRESS), 1);
  CHECK_EQ(p.nev_b, 0);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  CHECK(a->reconf.st && a->reconf.st->req); /* H2: still in flight */
  /* H2: the timer started again when the answer came (one round trip
   * after the request), not left at its first expiry. */
  CHECK_EQ(csctp_reconf_expiry(a), t_send + 2 * DELAY + a->paths[0].rto);
  CHECK(pair_run(&p, 20 * CSCTP_SECONDS, pred_idle));
  /* The DATA came by retransmission, in its SSN 0 before the reset; the
   * retransmitted request was then performed. */
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 7);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_INCOMING_SSN),
           1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_OUTGOING_SSN),
           1);
  pair_close(&p);
}

/* ---- Incoming SSN Reset (5.1.3, 5.2.3) ----------------------------------- */

static void test_incoming_reset(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 4;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  CHECK_EQ(send_on(&p, 1, 4, 40), 0);
  CHECK_EQ(send_on(&p, 1, 4, 41), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  REQUIRE(p.nrx_a == 2);
  uint32_t sn = csctp_ep_peek(p.a, p.ida)->reconf.next_sn;
  /* a asks b to reset b's outgoing stream 4 (a's incoming). */
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_INCOMING, &sid, 1,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  /* F1, A4: b answers with an Outgoing SSN Reset Request carrying a's
   * request sequence number and the same stream. */
  REQUIRE(count_type(&p, 0, CSCTP_PT_OUT_SSN_RESET) == 1);
  const rparam *r = NULL;
  for (size_t i = 0; i < p.nrp; i++)
    if (p.rp[i].type == CSCTP_PT_OUT_SSN_RESET)
      r = &p.rp[i];
  CHECK_EQ(r->word2, sn);
  CHECK_EQ(r->sid0, 4);
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_INCOMING_SSN),
           1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_OUTGOING_SSN),
           1);
  CHECK_EQ(send_on(&p, 1, 4, 42), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_a, p.nrx_a, 42);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0);
  pair_close(&p);
}

static void test_crossing_requests(void) {
  csctp_settings s;
  pair p;
  uint16_t sid = 1;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  /* a resets its outgoing stream 1 while b asks for the same (5.2.3): the
   * request a just sent overlaps b's completely: "Nothing to do". */
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  CHECK_EQ(csctp_reset_streams(p.b, p.idb, CSCTP_STREAM_RESET_INCOMING, &sid, 1,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_NOTHING), 1);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
                    CSCTP_STREAM_RESET_INCOMING_SSN),
           2); /* a's reset performed, then b's request answered */
  /* Crossing requests that do not overlap: b's arrives while a's is in
   * flight: "Request already in progress" (one request at a time). */
  uint16_t two = 2;
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, &sid, 1,
                               p.now),
           0);
  CHECK_EQ(csctp_reset_streams(p.b, p.idb, CSCTP_STREAM_RESET_INCOMING, &two, 1,
                               p.now),
           0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_IN_USE), 1);
  CHECK_EQ(
      count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_RESET,
               CSCTP_STREAM_RESET_INCOMING_SSN | CSCTP_STREAM_RESET_FAILED),
      1);
  pair_close(&p);
}

/* ---- Adding streams (5.1.5, 5.1.6, 5.2.5, 5.2.6, H6) --------------------- */

static void test_add_outgoing_streams(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  CHECK_EQ(a->ostreams, 10);
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 3, p.now), 0);
  /* 5.1.5: not used before the peer's positive answer. */
  CHECK_EQ(send_on(&p, 0, 12, 1), CSCTP_ERR_STREAM);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(a->ostreams, 13);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  REQUIRE(p.nev_a == 1 && p.nev_b == 1);
  CHECK_EQ(p.ev_a[0].type, CSCTP_EV_STREAM_CHANGE);
  CHECK_EQ(p.ev_a[0].flags, 0);
  CHECK_EQ(p.ev_a[0].outstrms, 13);
  CHECK_EQ(p.ev_b[0].instrms, 13); /* 5.2.5 */
  /* The new streams start at SSN 0 (5.1.5). */
  CHECK_EQ(send_on(&p, 0, 12, 5), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 5);
  REQUIRE(m != NULL);
  CHECK_EQ(m->sid, 12);
  CHECK_EQ(m->ssn, 0);
  pair_close(&p);
}

static void test_add_streams_denied(void) {
  csctp_settings sa, sb;
  pair p;
  settings(&sa, 1, 0);
  settings(&sb, 1, ALL_RESET_STREAM);
  sb.max_instreams = 11; /* 6.3.4: more than allowed is denied */
  pair_open(&p, &sa, &sb);
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 0, 2, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_DENIED), 1);
  CHECK_EQ(csctp_ep_peek(p.a, p.ida)->ostreams, 10);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_CHANGE,
                    CSCTP_STREAM_CHANGE_DENIED),
           1);
  /* b did not enable changes: a's... reversed roles, default deny. */
  CHECK_EQ(csctp_add_streams(p.b, p.idb, 0, 1, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_DENIED), 1);
  CHECK_EQ(csctp_ep_peek(p.b, p.idb)->ostreams, 10);
  pair_close(&p);
}

static void test_add_incoming_streams(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  /* a asks b to add 2 outgoing streams (a's incoming): 5.2.6, b sends an
   * Add Outgoing Streams request, which a performs. */
  CHECK_EQ(csctp_add_streams(p.a, p.ida, 2, 0, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_idle));
  CHECK_EQ(count_type(&p, 1, CSCTP_PT_ADD_IN_STREAMS), 1);
  CHECK_EQ(count_type(&p, 0, CSCTP_PT_ADD_OUT_STREAMS), 1);
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(csctp_ep_peek(p.a, p.ida)->istreams, 12);
  CHECK_EQ(csctp_ep_peek(p.b, p.idb)->ostreams, 12);
  CHECK_EQ(send_on(&p, 1, 11, 77), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  const msgrec *m = rx_find(p.rx_a, p.nrx_a, 77);
  REQUIRE(m != NULL);
  CHECK_EQ(m->sid, 11);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_STREAM_CHANGE, 0), 1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_STREAM_CHANGE, 0), 1);
  pair_close(&p);
}

/* ---- Sequence numbers and refused requests (5.2.1, 5.2.4) ---------------- */

/* Sends b a RE-CONFIG chunk with one parameter as if from a. */
static void inject(pair *p, uint16_t type, const uint8_t *v, size_t len) {
  csctp_assoc *a = csctp_ep_peek(p->a, p->ida);
  uint8_t pkt[256];
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  CHECK_EQ(csctp_pkt_begin(&b, 5000, 6000, a->peer_tag), 0);
  CHECK_EQ(csctp_chunk_begin(&b, CSCTP_CT_RE_CONFIG, 0, &off), 0);
  CHECK_EQ(csctp_put_param(&b, type, v, len), 0);
  CHECK_EQ(csctp_chunk_end(&b, off), 0);
  size_t n = csctp_pkt_finish(&b);
  CHECK_EQ(
      csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, pkt, n, p->now), 0);
  pair_run(p, CSCTP_SECONDS, NULL);
}

static void test_bad_sequence_number(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET_STREAM);
  pair_open(&p, &s, &s);
  csctp_assoc *b = csctp_ep_peek(p.b, p.idb);
  uint32_t expect = b->reconf.peer_sn;
  CHECK_EQ(expect, csctp_ep_peek(p.a, p.ida)->local_initial_tsn);
  uint8_t v[8];
  csctp_put32(v, expect + 7); /* neither expected nor the last one */
  csctp_put16(v + 4, 1);
  csctp_put16(v + 6, 0);
  inject(&p, CSCTP_PT_ADD_OUT_STREAMS, v, 8);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_BAD_SEQ), 1);
  CHECK_EQ(b->istreams, 10);
  CHECK_EQ(b->reconf.peer_sn, expect);
  /* The expected one is performed. */
  csctp_put32(v, expect);
  inject(&p, CSCTP_PT_ADD_OUT_STREAMS, v, 8);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(b->istreams, 11);
  pair_close(&p);
}

/* ---- SSN/TSN Reset (4.3, 5.1.4, 5.2.4, 5.2.7 H5, 6.1.2) ---------------- */

#define ALL_RESET (ALL_RESET_STREAM | CSCTP_ENABLE_RESET_ASSOC_REQ)

/* Idle, and every DATA chunk acknowledged both ways. */
static int pred_settled(pair *p) {
  csctp_assoc *a = csctp_ep_peek(p->a, p->ida);
  csctp_assoc *b = csctp_ep_peek(p->b, p->idb);
  return pred_idle(p) && !a->sq.out && !b->sq.out && !a->sq.unsent &&
         !b->sq.unsent;
}

/* The last response parameter sent toward a (to_b 0) or b. */
static const rparam *last_resp(const pair *p, int to_b) {
  const rparam *r = NULL;
  for (size_t i = 0; i < p->nrp; i++)
    if (p->rp[i].to_b == to_b && p->rp[i].type == CSCTP_PT_RECONF_RESP)
      r = &p->rp[i];
  return r;
}

static const evrec *find_ev(const evrec *e, size_t n, uint32_t type) {
  for (size_t i = 0; i < n; i++)
    if (e[i].type == type)
      return &e[i];
  return NULL;
}

static void test_ssn_tsn_reset_performed(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  CHECK_EQ(send_on(&p, 0, 1, 10), 0);
  CHECK_EQ(send_on(&p, 0, 1, 11), 0);
  CHECK_EQ(send_on(&p, 1, 2, 20), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  REQUIRE(p.nrx_b == 2 && p.nrx_a == 1);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  csctp_assoc *b = csctp_ep_peek(p.b, p.idb);
  uint32_t sn = a->reconf.next_sn;
  uint32_t b_next = b->sq.next_tsn;           /* G2 */
  uint32_t b_cum = csctp_tsnmap_cum(&b->tsn); /* of a's TSNs */
  uint32_t g1 = b_cum + 1u + 0x80000000u;     /* G1, D4 */
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK_EQ(a->reconf.next_sn, sn + 1u); /* C1 */
  /* C2: a message sent now is queued; no DATA leaves until the answer. */
  size_t ndata = p.ndata[1];
  CHECK_EQ(send_on(&p, 0, 1, 12), 0);
  CHECK_EQ(send_on(&p, 0, 1, 13), 0);
  pair_run(&p, DELAY, NULL); /* the request is on its way */
  CHECK_EQ(p.ndata[1], ndata);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  /* 4.3, C3: the request is alone in its chunk, its value one word. */
  REQUIRE(count_type(&p, 1, CSCTP_PT_SSN_TSN_RESET) == 1);
  for (size_t i = 0; i < p.nrp; i++)
    if (p.rp[i].type == CSCTP_PT_SSN_TSN_RESET) {
      CHECK_EQ(p.rp[i].sn, sn);
      CHECK_EQ(p.rp[i].nwords, 1);
      CHECK_EQ(p.rp[i].nparams, 1);
    }
  /* D1-D4: performed, with both next TSNs. */
  const rparam *r = last_resp(&p, 0);
  REQUIRE(r != NULL);
  CHECK_EQ(r->sn, sn);
  CHECK_EQ(r->word2, CSCTP_RECONF_PERFORMED);
  CHECK_EQ(r->nwords, 4);
  if (g1 - b_next < 0x80000000u) { /* else: test_ssn_tsn_reset_next_tsns */
    CHECK_EQ(r->word3, b_next);
    CHECK_EQ(r->word4, g1);
  }
  b_next = r->word3;
  g1 = r->word4;
  /* 6.1.2 on both sides: local and remote next TSNs. */
  const evrec *ea = find_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET);
  const evrec *eb = find_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET);
  REQUIRE(ea != NULL && eb != NULL);
  CHECK_EQ(ea->flags, 0);
  CHECK_EQ(ea->local_tsn, g1);
  CHECK_EQ(ea->remote_tsn, b_next);
  CHECK_EQ(eb->flags, 0);
  CHECK_EQ(eb->local_tsn, b_next);
  CHECK_EQ(eb->remote_tsn, g1);
  /* H5: a's queued messages go from the Receiver's Next TSN, SSN 0 on. */
  const msgrec *m12 = rx_find(p.rx_b, p.nrx_b, 12);
  const msgrec *m13 = rx_find(p.rx_b, p.nrx_b, 13);
  REQUIRE(m12 != NULL && m13 != NULL);
  CHECK_EQ(m12->tsn, g1);
  CHECK_EQ(m12->ssn, 0);
  CHECK_EQ(m13->ssn, 1);
  /* G5: b's outgoing streams start from SSN 0 too; b's next DATA has the
   * Sender's Next TSN (H5). */
  CHECK_EQ(send_on(&p, 1, 2, 21), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  const msgrec *m21 = rx_find(p.rx_a, p.nrx_a, 21);
  REQUIRE(m21 != NULL);
  CHECK_EQ(m21->ssn, 0);
  CHECK_EQ(m21->tsn, b_next);
  CHECK_EQ(a->state, CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(b->state, CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(a->sq.out, NULL); /* everything acknowledged across the reset */
  pair_close(&p);
}

/* 5.2.4 G1, G2 and the interop rule of reconf.h ("Choosing the next
 * TSNs"): S is G2's value; R is G1's whenever R - S < 2^31, else R - S
 * stays below 2^31 with R - 1 between 2^28 and 2^31 + 2^29 past the
 * peer's cumulative TSN. */
static void check_tsn_choice(uint32_t peer_cum, uint32_t local_next) {
  uint32_t snd = 0, rcv = 0;
  csctp_reconf_tsn_choose(peer_cum, local_next, &snd, &rcv);
  uint32_t g1 = peer_cum + 1u + 0x80000000u;
  CHECK_EQ(snd, local_next);
  if (g1 - local_next < 0x80000000u) {
    CHECK_EQ(rcv, g1);
    return;
  }
  CHECK(rcv - snd < 0x80000000u);
  CHECK(rcv - 1u - peer_cum >= 0x10000000u);
  CHECK(rcv - 1u - peer_cum < 0xa0000000u);
}

static void test_ssn_tsn_reset_next_tsns(void) {
  const uint32_t locals[] = {0,           1,           0x7fffffffu,
                             0x80000000u, 0xffffffffu, 0x12345678u};
  for (size_t i = 0; i < sizeof(locals) / sizeof(locals[0]); i++) {
    for (uint32_t k = 0; k < 4096; k++) { /* peer_cum - local_next: all */
      uint32_t d = k << 20;
      check_tsn_choice(locals[i] + d, locals[i]);
      check_tsn_choice(locals[i] + d + 0xfffffu, locals[i]);
      check_tsn_choice(locals[i] + d - 1u, locals[i]);
    }
  }
}

/* A requester that, like usrsctp, takes the Sender's Next TSN - 1 for the
 * last acknowledged TSN of its own data drops every SACK whose cumulative
 * TSN is not serially above it. Four SSN/TSN resets in a row (the TSN
 * spaces move about 2^31 each time): each answer keeps R - S below 2^31,
 * and a's next message goes from R and is acknowledged. */
static void test_ssn_tsn_reset_repeated(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  for (uint32_t i = 0; i < 4; i++) {
    CHECK_EQ(send_on(&p, 0, 1, 10 * i), 0);
    CHECK_EQ(send_on(&p, 1, 1, 10 * i + 1), 0);
    CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
    CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
    CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
    const rparam *r = last_resp(&p, 0);
    REQUIRE(r != NULL);
    CHECK_EQ(r->word2, CSCTP_RECONF_PERFORMED);
    CHECK(r->word4 - r->word3 < 0x80000000u);
    CHECK_EQ(a->sq.next_tsn, r->word4); /* H5 */
    CHECK_EQ(send_on(&p, 0, 1, 10 * i + 2), 0);
    CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
    const msgrec *m = rx_find(p.rx_b, p.nrx_b, 10 * i + 2);
    REQUIRE(m != NULL);
    CHECK_EQ(m->tsn, r->word4);
    CHECK_EQ(m->ssn, 0); /* H5, G5 */
    CHECK_EQ(a->sq.cum_acked, r->word4);
  }
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET, 0), 4);
  CHECK_EQ(a->state, CSCTP_STATE_ESTABLISHED);
  pair_close(&p);
}

static void test_ssn_tsn_reset_refused_with_data_outstanding(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  p.drop = drop_data;
  p.drop_left = 1;
  CHECK_EQ(send_on(&p, 0, 1, 7), 0);
  pair_run(&p, 50 * CSCTP_MILLISECONDS, NULL); /* the DATA is lost */
  /* C2: a TSN is outstanding, and we abandon nothing. */
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), CSCTP_ERR_AGAIN);
  CHECK(pair_run(&p, 10 * CSCTP_SECONDS, pred_settled));
  REQUIRE(rx_find(p.rx_b, p.nrx_b, 7) != NULL);
  CHECK_EQ(count_type(&p, 1, CSCTP_PT_SSN_TSN_RESET), 0);
  /* Acknowledged: now it may go. */
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), CSCTP_ERR_AGAIN); /* 5.1.1 */
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET, 0), 1);
  pair_close(&p);
}

static int drop_data_to_a(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  return drop_data(p, !to_b, pkt, len);
}

static void test_ssn_tsn_reset_in_progress(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  p.drop = drop_data_to_a;
  p.drop_left = 1;
  CHECK_EQ(send_on(&p, 1, 3, 30), 0);
  pair_run(&p, 50 * CSCTP_MILLISECONDS, NULL); /* b's DATA is lost */
  REQUIRE(p.nrx_a == 0);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  csctp_assoc *b = csctp_ep_peek(p.b, p.idb);
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  pair_run(&p, 3 * DELAY, NULL);
  /* b's own DATA is unacknowledged: performing G3 would call it
   * delivered. b answers "In progress"; H2: a keeps the request. */
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_IN_PROGRESS), 1);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 0);
  CHECK(a->reconf.st && a->reconf.st->req);
  CHECK_EQ(p.nev_b, 0);
  CHECK(pair_run(&p, 20 * CSCTP_SECONDS, pred_settled));
  /* b's message arrived by retransmission, before the reset (SSN 0 of the
   * old numbering); a's retransmitted request was then performed. */
  const msgrec *m = rx_find(p.rx_a, p.nrx_a, 30);
  REQUIRE(m != NULL);
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_PERFORMED), 1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET, 0), 1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET, 0), 1);
  /* H2: the "In progress" expiries counted no error. */
  CHECK_EQ(a->state, CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(send_on(&p, 1, 3, 31), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  m = rx_find(p.rx_a, p.nrx_a, 31);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 0); /* G5 */
  CHECK_EQ(b->state, CSCTP_STATE_ESTABLISHED);
  pair_close(&p);
}

static void test_ssn_tsn_reset_crossing(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  /* Both ask at once: each finds a request of its own in flight and
   * answers "Request already in progress"; both fail, nothing changes. */
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  uint32_t a_next = a->sq.next_tsn;
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK_EQ(csctp_reset_assoc(p.b, p.idb, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  CHECK_EQ(count_resp(&p, 0, CSCTP_RECONF_IN_USE), 1);
  CHECK_EQ(count_resp(&p, 1, CSCTP_RECONF_IN_USE), 1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET,
                    CSCTP_STREAM_RESET_FAILED),
           1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET,
                    CSCTP_STREAM_RESET_FAILED),
           1);
  CHECK_EQ(a->sq.next_tsn, a_next);
  /* The association goes on with the old numbering. */
  CHECK_EQ(send_on(&p, 0, 1, 1), 0);
  CHECK_EQ(send_on(&p, 1, 1, 2), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  const msgrec *m1 = rx_find(p.rx_b, p.nrx_b, 1);
  const msgrec *m2 = rx_find(p.rx_a, p.nrx_a, 2);
  REQUIRE(m1 != NULL && m2 != NULL);
  CHECK_EQ(m1->tsn, a_next);
  /* A retry after the crossing succeeds. */
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET, 0), 1);
  pair_close(&p);
}

static void test_ssn_tsn_reset_answer_lost(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  pair_open(&p, &s, &s);
  p.drop = drop_reconf_to_a;
  p.drop_left = 1;
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK(pair_run(&p, 10 * CSCTP_SECONDS, pred_settled));
  /* 5.2.1: the retransmitted request gets the same answer, with the same
   * TSNs, and b does not reset twice. */
  REQUIRE(count_resp(&p, 0, CSCTP_RECONF_PERFORMED) == 2);
  const rparam *r1 = NULL, *r2 = NULL;
  for (size_t i = 0; i < p.nrp; i++)
    if (!p.rp[i].to_b && p.rp[i].type == CSCTP_PT_RECONF_RESP)
      (r1 ? &r2 : &r1)[0] = &p.rp[i];
  REQUIRE(r1 && r2);
  CHECK_EQ(r2->nwords, 4);
  CHECK_EQ(r1->word3, r2->word3);
  CHECK_EQ(r1->word4, r2->word4);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET, 0), 1);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET, 0), 1);
  CHECK_EQ(send_on(&p, 0, 1, 5), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 5);
  REQUIRE(m != NULL);
  CHECK_EQ(m->tsn, r1->word4);
  pair_close(&p);
}

static void test_ssn_tsn_reset_denied(void) {
  csctp_settings sa, sb;
  pair p;
  settings(&sa, 1, ALL_RESET);
  settings(&sb, 1, ALL_RESET_STREAM); /* 6.3.1: not RESET_ASSOC_REQ */
  pair_open(&p, &sa, &sb);
  CHECK_EQ(send_on(&p, 0, 1, 1), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  uint32_t a_next = a->sq.next_tsn;
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK_EQ(send_on(&p, 0, 1, 2), 0); /* queued (C2) */
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  const rparam *r = last_resp(&p, 0);
  REQUIRE(r != NULL);
  CHECK_EQ(r->word2, CSCTP_RECONF_DENIED);
  CHECK_EQ(r->nwords, 2); /* D3, D4: the TSNs only when performed */
  CHECK_EQ(p.nev_b, 0);
  CHECK_EQ(count_ev(p.ev_a, p.nev_a, CSCTP_EV_ASSOC_RESET,
                    CSCTP_STREAM_RESET_DENIED),
           1);
  /* Nothing was reset: the queued message follows the old numbering. */
  const msgrec *m = rx_find(p.rx_b, p.nrx_b, 2);
  REQUIRE(m != NULL);
  CHECK_EQ(m->ssn, 1);
  CHECK_EQ(m->tsn, a_next);
  pair_close(&p);
}

/* After an SSN/TSN reset, the TSNs from before it lie 2^31 behind the new
 * ones (5.2.4 G1): once a few new TSNs have passed, serial arithmetic reads
 * an old one as ahead. A FORWARD TSN or a SACK from before the reset,
 * arriving late (usrsctp sends such a FORWARD TSN), must change nothing. */
static void inject_chunk(pair *p, int to_b, uint8_t type, const uint8_t *v,
                         size_t len) {
  csctp_assoc *from = csctp_ep_peek(to_b ? p->a : p->b, to_b ? p->ida : p->idb);
  uint8_t pkt[256];
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  CHECK_EQ(csctp_pkt_begin(&b, to_b ? 5000 : 6000, to_b ? 6000 : 5000,
                           from->peer_tag),
           0);
  CHECK_EQ(csctp_chunk_begin(&b, type, 0, &off), 0);
  CHECK_EQ(csctp_put_bytes(&b, v, len), 0);
  CHECK_EQ(csctp_chunk_end(&b, off), 0);
  size_t n = csctp_pkt_finish(&b);
  if (to_b)
    csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, pkt, n, p->now);
  else
    csctp_endpoint_read_pkt(p->a, &p->addr_b, &p->addr_a, pkt, n, p->now);
}

static void test_ssn_tsn_reset_stale_chunks_ignored(void) {
  csctp_settings s;
  pair p;
  settings(&s, 1, ALL_RESET);
  s.pr_supported = 1;
  pair_open(&p, &s, &s);
  csctp_assoc *a = csctp_ep_peek(p.a, p.ida);
  csctp_assoc *b = csctp_ep_peek(p.b, p.idb);
  uint32_t b_old_cum = csctp_tsnmap_cum(&b->tsn); /* of a's TSNs */
  CHECK_EQ(csctp_reset_assoc(p.a, p.ida, p.now), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  REQUIRE(count_ev(p.ev_b, p.nev_b, CSCTP_EV_ASSOC_RESET, 0) == 1);
  for (uint32_t i = 0; i < 5; i++) { /* new TSNs pass both ways */
    CHECK_EQ(send_on(&p, 0, 1, 100 + i), 0);
    CHECK_EQ(send_on(&p, 1, 1, i), 0);
  }
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  uint32_t b_cum = csctp_tsnmap_cum(&b->tsn);
  uint32_t a_acked = a->sq.cum_acked;
  /* A FORWARD TSN from a with a's old cumulative TSN (RFC 3758 3.6 would
   * move b's cumulative TSN 2^31 - 6 on). */
  uint8_t v[4];
  csctp_put32(v, b_old_cum);
  inject_chunk(&p, 1, CSCTP_CT_FORWARD_TSN, v, 4);
  CHECK_EQ(csctp_tsnmap_cum(&b->tsn), b_cum);
  /* A SACK from b with its old cumulative TSN of a's data: a would take
   * it for an ack of TSNs it never sent and abort. */
  uint8_t sk[12];
  memset(sk, 0, sizeof(sk));
  csctp_put32(sk, b_old_cum);
  csctp_put32(sk + 4, 65536);
  inject_chunk(&p, 0, CSCTP_CT_SACK, sk, 12);
  CHECK_EQ(a->state, CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(a->sq.cum_acked, a_acked);
  /* Both go on. */
  CHECK_EQ(send_on(&p, 0, 1, 200), 0);
  CHECK(pair_run(&p, 5 * CSCTP_SECONDS, pred_settled));
  CHECK(rx_find(p.rx_b, p.nrx_b, 200) != NULL);
  CHECK_EQ(b->state, CSCTP_STATE_ESTABLISHED);
  pair_close(&p);
}

/* ---- Simulator: resets during a transfer with loss and reordering ------ */

/* The client sends ordered messages (some fragmented) on four streams
 * through a link with 1 % loss and 1 % reordering both ways and asks every
 * 5 ms for an Outgoing SSN Reset of one of them (refused with
 * CSCTP_ERR_AGAIN while a request is in flight or the stream has unsent
 * messages, 5.1.2). Requests may meet DATA in flight ("In progress", E2)
 * and lost or reordered RE-CONFIG chunks (retransmission, 5.1.1). The reader
 * checks each stream's SSNs: 0 at first, then one more each message, or 0
 * again after a reset (E3 / H4); every reset the client was told of
 * (6.1.1) is one the reader can see, none fails, and every message arrives
 * once, in order, intact (sim_check_delivered). */
#define RS_STREAMS 4

typedef struct reset_sim {
  uint16_t last_ssn[RS_STREAMS];
  int seen[RS_STREAMS];
  unsigned zeros[RS_STREAMS];     /* the reader: SSN back to 0 */
  unsigned performed[RS_STREAMS]; /* the client: reset performed */
  unsigned asked[RS_STREAMS];
  unsigned failed, bad_ssn;
} reset_sim;

static void reset_sim_on_read(sim *s, const csctp_rcvinfo *info,
                              const uint8_t *p, size_t len, void *ud) {
  reset_sim *r = ud;
  (void)s, (void)p, (void)len;
  if (info->sid >= RS_STREAMS || !(info->flags & CSCTP_RCV_EOR))
    return; /* one look per message, at its end */
  uint16_t sid = info->sid;
  if (r->seen[sid] && info->ssn == 0)
    r->zeros[sid]++;
  else if (info->ssn != (r->seen[sid] ? (uint16_t)(r->last_ssn[sid] + 1u) : 0u))
    r->bad_ssn++;
  r->seen[sid] = 1;
  r->last_ssn[sid] = info->ssn;
}

static void reset_sim_on_event(sim *s, sim_node *n, const csctp_event *ev,
                               void *ud) {
  reset_sim *r = ud;
  (void)s, (void)n;
  if (ev->type != CSCTP_EV_STREAM_RESET)
    return;
  uint16_t f = ev->u.stream_reset.flags;
  if (f & (CSCTP_STREAM_RESET_DENIED | CSCTP_STREAM_RESET_FAILED)) {
    r->failed++;
    return;
  }
  if (!(f & CSCTP_STREAM_RESET_OUTGOING_SSN))
    return;
  for (uint16_t i = 0; i < ev->u.stream_reset.n; i++)
    if (ev->u.stream_reset.sids[i] < RS_STREAMS)
      r->performed[ev->u.stream_reset.sids[i]]++;
}

static int reset_sim_idle(sim *s, void *ud) {
  sim_node *c = ud;
  const csctp_assoc *a = csctp_ep_peek(c->ep, c->assoc);
  return sim_pred_flows_done(s, NULL) && a &&
         !(a->reconf.st && a->reconf.st->req);
}

static void run_reset_sim(uint64_t seed) {
  csctp_settings cs, ss;
  settings(&cs, 1, 0);
  settings(&ss, 1, CSCTP_ENABLE_RESET_STREAM_REQ);
  cs.sndbuf = 16384; /* short queues: a stream is often without unsent data */
  sim_link_params lp;
  sim_link_params_default(&lp);
  lp.loss = 0.01;
  lp.reorder = 0.01;
  lp.reorder_delay = 20 * CSCTP_MILLISECONDS;
  sim *s = sim_new(seed, "reconf_resets_lossy");
  sim_node *c = sim_node_add(s, "client", 0x0a000001, 4000, &cs);
  sim_node *v = sim_node_add(s, "server", 0x0a000002, 5000, &ss);
  sim_pair(c, v);
  sim_node_listen(v, 1);
  sim_link_nodes(s, c, v, &lp);
  for (uint32_t i = 0; i < 2000; i++)
    sim_flow_add(&c->app.tx, (uint16_t)(sim_rng_next(&s->rng) % RS_STREAMS), 7,
                 0, i % 9 == 0 ? 4000u : 200u + (i * 37u) % 1000u);
  reset_sim r;
  memset(&r, 0, sizeof(r));
  v->app.on_read = reset_sim_on_read;
  v->app.on_read_data = &r;
  c->on_event = reset_sim_on_event;
  c->on_event_data = &r;
  CHECK_EQ(sim_connect(c, v), 0);
  REQUIRE(sim_run_until(s, s->now + 10 * CSCTP_SECONDS, sim_pred_all_up, NULL));
  for (int tick = 0; !sim_pred_flows_done(s, NULL) && tick < 30000; tick++) {
    sim_run_until(s, s->now + 5 * CSCTP_MILLISECONDS, sim_pred_flows_done,
                  NULL);
    uint16_t sid = (uint16_t)(tick % RS_STREAMS);
    int rv = csctp_reset_streams(c->ep, c->assoc, CSCTP_STREAM_RESET_OUTGOING,
                                 &sid, 1, s->now);
    CHECK(rv == 0 || rv == CSCTP_ERR_AGAIN);
    r.asked[sid] += rv == 0;
  }
  CHECK(sim_run_until(s, s->now + 60 * CSCTP_SECONDS, reset_sim_idle, c));
  CHECK(!c->lost && !v->lost);
  sim_check_delivered(s, c, 0);
  CHECK_EQ(r.failed, 0u);
  CHECK_EQ(r.bad_ssn, 0u);
  unsigned total = 0, seen = 0;
  for (int i = 0; i < RS_STREAMS; i++) {
    CHECK_EQ(r.performed[i], r.asked[i]);
    /* A reset after the stream's last message shows no 0; every other
     * one shows exactly one. */
    CHECK(r.zeros[i] == r.performed[i] || r.zeros[i] + 1 == r.performed[i]);
    total += r.performed[i];
    seen += r.zeros[i];
  }
  CHECK(total >= 20);
  CHECK(seen >= 16);
  CHECK(c->chunks_out[CSCTP_CT_RE_CONFIG] > total); /* some were resent */
  printf("sim: reconf_resets_lossy seed %llu: %u resets performed, %u seen "
         "by the reader, %llu RE-CONFIG chunks sent\n",
         (unsigned long long)seed, total, seen,
         (unsigned long long)c->chunks_out[CSCTP_CT_RE_CONFIG]);
  CHECK_EQ(sim_free(s), 0);
}

static void test_sim_resets_lossy(void) {
  for (uint64_t seed = 1; seed <= 3; seed++)
    run_reset_sim(0x6525000u + seed);
}

int main(void) {
  TEST_RUN(test_negotiated_when_both_list_it);
  TEST_RUN(test_not_sent_unless_peer_lists_it);
  TEST_RUN(test_outgoing_reset_performed);
  TEST_RUN(test_outgoing_reset_denied_by_default);
  TEST_RUN(test_outgoing_reset_waits_for_unsent);
  TEST_RUN(test_bad_arguments);
  TEST_RUN(test_request_retransmitted_on_timer);
  TEST_RUN(test_lost_response_answered_again);
  TEST_RUN(test_restart_mid_reset);
  TEST_RUN(test_in_progress_until_data_arrives);
  TEST_RUN(test_incoming_reset);
  TEST_RUN(test_crossing_requests);
  TEST_RUN(test_add_outgoing_streams);
  TEST_RUN(test_add_streams_denied);
  TEST_RUN(test_add_incoming_streams);
  TEST_RUN(test_bad_sequence_number);
  TEST_RUN(test_ssn_tsn_reset_performed);
  TEST_RUN(test_ssn_tsn_reset_next_tsns);
  TEST_RUN(test_ssn_tsn_reset_repeated);
  TEST_RUN(test_ssn_tsn_reset_refused_with_data_outstanding);
  TEST_RUN(test_ssn_tsn_reset_in_progress);
  TEST_RUN(test_ssn_tsn_reset_crossing);
  TEST_RUN(test_ssn_tsn_reset_answer_lost);
  TEST_RUN(test_ssn_tsn_reset_denied);
  TEST_RUN(test_ssn_tsn_reset_stale_chunks_ignored);
  TEST_RUN(test_sim_resets_lossy);
  return TEST_SUMMARY();
}
