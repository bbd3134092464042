/* test_asconf.c -- dynamic address reconfiguration (RFC 5061), written from
 * the RFC's words: negotiation (4.1.1, 4.2.7, 6.1 with RFC 4895), Add IP /
 * Delete IP / Set Primary (4.2.1-4.2.4, 5.3, 5.4), sequence numbers (5.1
 * A2, 5.2 E1-E5), one ASCONF outstanding (5.1.1 C1), T-4 retransmission
 * and the error counters (5.1 B1-B5), the ASCONF-ACK error causes (4.3,
 * F5-F11), the wildcard address, F0 (illegal ASCONF-ACK), A9, AUTH-only
 * acceptance, and a simulator run where the association moves to a new
 * address and drops the old one while data flows.
 *
 * Endpoint A has addresses A1 and A2, endpoint B one address. Packets go
 * through an in-memory link with a fixed delay; A's packets carry the
 * source address the engine chose (or A's default source when it left it
 * open); every ASCONF and ASCONF-ACK on the wire is recorded. */
#include "csctp.h"
#include "csctp_io.h"
#include "sim.h"
#include "stackfds.h"
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>

#include "../asconf.h"
#include "../chunk.h"
#include "../engine.h"

#define DELAY (10 * CSCTP_MILLISECONDS)
#define MAXQ 1024
#define PKTMAX 2048
#define MAXREC 64

typedef struct qpkt {
  csctp_tstamp at;
  int to_b;
  csctp_addr src;
  size_t len;
  uint8_t data[PKTMAX];
} qpkt;

/* One ASCONF or ASCONF-ACK seen on the wire. */
typedef struct wchunk {
  int to_b;
  uint8_t type;
  int authed; /* an AUTH chunk came before it in its packet */
  uint32_t sn;
  uint16_t ptype[4]; /* parameter types after the sn (ASCONF: address
                        parameter first) */
  uint16_t cause[4]; /* Error Cause Indication: the first cause code */
  int nparams;
  size_t len;
  uint8_t bytes[256];
  csctp_addr src;
  size_t pktno; /* the packet it came in (observe's count) */
} wchunk;

typedef struct evrec {
  uint32_t type;
  uint32_t state;
  csctp_addr addr;
} evrec;

typedef struct pair pair;
typedef int (*drop_fn)(pair *p, int to_b, const uint8_t *pkt, size_t len);

struct pair {
  csctp_endpoint *a, *b;
  csctp_addr a1, a2, b1;
  csctp_addr a_src; /* A's source when the engine leaves it open */
  csctp_assoc_id ida, idb;
  csctp_tstamp now;
  drop_fn drop;
  int drop_left;
  qpkt *q;
  size_t qhead, qlen;
  wchunk wc[MAXREC];
  size_t nwc;
  evrec ev_a[MAXREC], ev_b[MAXREC];
  size_t nev_a, nev_b;
  int up_a, up_b, lost_a, lost_b;
  uint32_t lost_cause_b, lost_cause_a;
  int ext_init, ext_init_ack; /* ASCONF + ASCONF-ACK in Supported Ext. */
  uint32_t rx_b;              /* messages B read */
  csctp_addr a_never; /* when set: count A's packets from it, or unsourced */
  int a_from_never, a_unsourced, a_sc_seen;
  size_t npkts; /* packets observe saw */
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

static csctp_addr ip4(uint8_t d) {
  csctp_addr x;
  memset(&x, 0, sizeof(x));
  x.family = CSCTP_AF_INET;
  x.ip[0] = 10, x.ip[3] = d;
  return x;
}

static void settings(csctp_settings *s) {
  csctp_settings_default(s);
  s->hb_interval = 0;
  s->pmtud = 0;
}

static int pred_up(pair *p) { return p->up_a && p->up_b; }
static void pair_step(pair *p);
static int pair_run(pair *p, csctp_tstamp dur, int (*pred)(pair *p));

/* asconf_a / asconf_b: csctp_asconf_enable on that side. */
static void pair_open_s(pair *p, int asconf_a, int asconf_b,
                        const csctp_settings *sb) {
  memset(p, 0, sizeof(*p));
  p->q = calloc(MAXQ, sizeof(qpkt));
  seed_a = 11;
  seed_b = 23;
  p->a1 = ip4(1);
  p->a2 = ip4(3);
  p->b1 = ip4(2);
  p->a_src = p->a1;
  p->now = 1000 * CSCTP_SECONDS;
  csctp_settings s;
  settings(&s);
  CHECK_EQ(csctp_endpoint_new(&p->a, 5000, &s, NULL, prand, &seed_a, p->now),
           0);
  CHECK_EQ(csctp_endpoint_new(&p->b, 6000, sb ? sb : &s, NULL, prand, &seed_b,
                              p->now),
           0);
  CHECK_EQ(csctp_endpoint_set_local_addrs(p->a, &p->a1, 1), 0);
  CHECK_EQ(csctp_endpoint_set_local_addrs(p->b, &p->b1, 1), 0);
  CHECK_EQ(csctp_auth_enable(p->a, 1), 0);
  CHECK_EQ(csctp_auth_enable(p->b, 1), 0);
  if (asconf_a)
    CHECK_EQ(csctp_asconf_enable(p->a, 1), 0);
  if (asconf_b)
    CHECK_EQ(csctp_asconf_enable(p->b, 1), 0);
  csctp_endpoint_listen(p->b, 1);
  CHECK_EQ(csctp_connect(p->a, &p->b1, 1, 6000, NULL, p->now, &p->ida), 0);
  CHECK(pair_run(p, 5 * CSCTP_SECONDS, pred_up));
}

static void pair_open(pair *p) { pair_open_s(p, 1, 1, NULL); }

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

static int lists_asconf(const csctp_tlv *c) {
  csctp_tlv_iter it;
  csctp_tlv q;
  csctp_tlv_iter_init(&it, c->value + 16, c->value_len - 16);
  while (csctp_param_next(&it, &q) == 1)
    if (q.type == CSCTP_PT_SUPPORTED_EXT) {
      int asconf = 0, ack = 0;
      for (size_t i = 0; i < q.value_len; i++) {
        asconf |= q.value[i] == CSCTP_CT_ASCONF;
        ack |= q.value[i] == CSCTP_CT_ASCONF_ACK;
      }
      return asconf && ack;
    }
  return 0;
}

static void record(pair *p, int to_b, const csctp_tlv *c, int authed,
                   const csctp_addr *src) {
  if (p->nwc == MAXREC || c->value_len < 4)
    return;
  wchunk *w = &p->wc[p->nwc++];
  memset(w, 0, sizeof(*w));
  w->to_b = to_b;
  w->type = (uint8_t)c->type;
  w->authed = authed;
  w->sn = csctp_get32(c->value);
  w->src = *src;
  w->pktno = p->npkts;
  w->len = c->value_len < sizeof(w->bytes) ? c->value_len : sizeof(w->bytes);
  memcpy(w->bytes, c->value, w->len);
  csctp_tlv_iter it;
  csctp_tlv q;
  csctp_tlv_iter_init(&it, c->value + 4, c->value_len - 4);
  while (csctp_param_next(&it, &q) == 1 && w->nparams < 4) {
    w->ptype[w->nparams] = q.type;
    if (q.type == CSCTP_PT_ERROR_IND && q.value_len >= 8)
      w->cause[w->nparams] = csctp_get16(q.value + 4);
    w->nparams++;
  }
}

static void observe(pair *p, int to_b, const uint8_t *pkt, size_t len,
                    const csctp_addr *src) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int authed = 0;
  p->npkts++;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_AUTH)
      authed = 1;
    if (c.type == CSCTP_CT_INIT)
      p->ext_init = lists_asconf(&c);
    if (c.type == CSCTP_CT_INIT_ACK)
      p->ext_init_ack = lists_asconf(&c);
    if (c.type == CSCTP_CT_ASCONF || c.type == CSCTP_CT_ASCONF_ACK)
      record(p, to_b, &c, authed, src);
  }
}

static void enqueue(pair *p, int to_b, const csctp_addr *src,
                    const uint8_t *buf, size_t n) {
  if (p->qlen == MAXQ)
    return;
  qpkt *q = &p->q[(p->qhead + p->qlen) % MAXQ];
  p->qlen++;
  q->at = p->now + DELAY;
  q->to_b = to_b;
  q->src = *src;
  q->len = n;
  memcpy(q->data, buf, n);
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
      if (to_b && p->a_never.family) {
        p->a_from_never += csctp_addr_equal(&src, &p->a_never);
        p->a_unsourced += !src.family;
        p->a_sc_seen += n > 12 && buf[12] == CSCTP_CT_SHUTDOWN_COMPLETE;
      }
      if (to_b && !src.family)
        src = p->a_src;
      if (!to_b)
        src = p->b1;
      observe(p, to_b, buf, (size_t)n, &src);
      if (p->drop && p->drop_left > 0 && p->drop(p, to_b, buf, (size_t)n)) {
        p->drop_left--;
        continue;
      }
      enqueue(p, to_b, &src, buf, (size_t)n);
    }
  }
}

static void take_events(pair *p, csctp_endpoint *ep, int is_b) {
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
    if (ev.type == CSCTP_EV_ASSOC_LOST) {
      *(is_b ? &p->lost_b : &p->lost_a) = 1;
      *(is_b ? &p->lost_cause_b : &p->lost_cause_a) = ev.u.lost.cause_code;
    }
    evrec *r = is_b ? p->ev_b : p->ev_a;
    size_t *n = is_b ? &p->nev_b : &p->nev_a;
    if (ev.type == CSCTP_EV_PEER_ADDR_CHANGE && *n < MAXREC) {
      r[*n].type = ev.type;
      r[*n].state = ev.u.paddr.state;
      r[*n].addr = ev.u.paddr.addr;
      (*n)++;
    }
    csctp_event_clear(ep, &ev);
  }
}

static void pair_step(pair *p) {
  while (p->qlen > 0 && p->q[p->qhead].at <= p->now) {
    qpkt *q = &p->q[p->qhead];
    if (q->to_b)
      csctp_endpoint_read_pkt(p->b, &q->src, &p->b1, q->data, q->len, p->now);
    else
      csctp_endpoint_read_pkt(p->a, &p->b1, &p->a1, q->data, q->len, p->now);
    p->qhead = (p->qhead + 1) % MAXQ;
    p->qlen--;
  }
  if (csctp_endpoint_get_expiry(p->a) <= p->now)
    csctp_endpoint_handle_expiry(p->a, p->now);
  if (csctp_endpoint_get_expiry(p->b) <= p->now)
    csctp_endpoint_handle_expiry(p->b, p->now);
  take_events(p, p->a, 0);
  take_events(p, p->b, 1);
  uint8_t buf[256];
  csctp_rcvinfo info;
  while (csctp_recv(p->b, 0, &info, buf, sizeof(buf), p->now) > 0)
    p->rx_b++;
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

static csctp_assoc *assoc_a(pair *p) { return csctp_ep_peek(p->a, p->ida); }
static csctp_assoc *assoc_b(pair *p) { return csctp_ep_peek(p->b, p->idb); }

static int count_wc(const pair *p, int to_b, uint8_t type) {
  int k = 0;
  for (size_t i = 0; i < p->nwc; i++)
    k += p->wc[i].to_b == to_b && p->wc[i].type == type;
  return k;
}

static const wchunk *last_wc(const pair *p, int to_b, uint8_t type) {
  for (size_t i = p->nwc; i-- > 0;)
    if (p->wc[i].to_b == to_b && p->wc[i].type == type)
      return &p->wc[i];
  return NULL;
}

static int count_ev(const evrec *e, size_t n, uint32_t state,
                    const csctp_addr *x) {
  int k = 0;
  for (size_t i = 0; i < n; i++)
    k += e[i].state == state && (!x || csctp_addr_equal(&e[i].addr, x));
  return k;
}

static int path_state(csctp_assoc *a, const csctp_addr *x) {
  int i = csctp_assoc_find_path(a, x);
  return i < 0 ? -1 : (int)a->paths[i].state;
}

/* Runs until A has no ASCONF outstanding and nothing is queued. */
static int pred_settled(pair *p) {
  csctp_assoc *a = assoc_a(p);
  return p->qlen == 0 && a && a->asconf.st && !a->asconf.st->outstanding &&
         a->asconf.st->nqueued == 0;
}

/* ---- Negotiation ------------------------------------------------------- */

static void test_negotiated_when_both_enable(void) {
  pair p;
  pair_open(&p);
  /* 4.2.7: ASCONF and ASCONF-ACK listed in INIT and INIT ACK. */
  CHECK(p.ext_init);
  CHECK(p.ext_init_ack);
  CHECK_EQ(csctp_asconf_enabled(p.a, p.ida), 1);
  CHECK_EQ(csctp_asconf_enabled(p.b, p.idb), 1);
  /* RFC 4895: both chunks are in each side's CHUNKS list. */
  uint8_t types[256];
  int n = csctp_auth_chunks(p.a, p.ida, 1, types, sizeof(types));
  int asconf = 0, ack = 0;
  for (int i = 0; i < n; i++) {
    asconf |= types[i] == CSCTP_CT_ASCONF;
    ack |= types[i] == CSCTP_CT_ASCONF_ACK;
  }
  CHECK(asconf && ack);
  pair_close(&p);
}

static void test_not_negotiated_when_one_side_lacks_it(void) {
  pair p;
  pair_open_s(&p, 1, 0, NULL);
  CHECK(p.ext_init);
  CHECK(!p.ext_init_ack);
  CHECK_EQ(csctp_asconf_enabled(p.a, p.ida), 0);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now),
           CSCTP_ERR_NOT_SUPPORTED);
  pair_close(&p);
}

/* ---- Add IP, sequence numbers, AUTH ------------------------------------ */

static void test_add_ip_unconfirmed_then_verified(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *a = assoc_a(&p);
  uint32_t first_sn = a->local_initial_tsn;
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  /* B answers before the HEARTBEAT to A2 comes back. */
  pair_run(&p, DELAY + DELAY / 2, NULL);
  const wchunk *w = last_wc(&p, 1, CSCTP_CT_ASCONF);
  REQUIRE(w != NULL);
  CHECK_EQ(w->sn, first_sn); /* A2: starts at the initial TSN */
  CHECK(w->authed);          /* 4.1.1: sent authenticated */
  CHECK_EQ(w->ptype[0], CSCTP_PT_IPV4);
  CHECK_EQ(w->ptype[1], CSCTP_PT_ADD_IP);
  /* F14: B has the address, unconfirmed, and reports it. */
  CHECK_EQ(path_state(assoc_b(&p), &p.a2), CSCTP_PATH_UNCONFIRMED);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_ADDED, &p.a2), 1);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  const wchunk *k = last_wc(&p, 0, CSCTP_CT_ASCONF_ACK);
  REQUIRE(k != NULL);
  CHECK_EQ(k->sn, first_sn);
  CHECK(k->authed);
  CHECK_EQ(k->nparams, 0); /* 4.2.5: success implied */
  /* The HEARTBEAT verified the path (RFC 9260 5.4). */
  pair_run(&p, 2 * CSCTP_SECONDS, NULL);
  CHECK_EQ(path_state(assoc_b(&p), &p.a2), CSCTP_PATH_ACTIVE);
  /* A second request uses the next sequence number. */
  CHECK_EQ(csctp_asconf_set_peer_primary(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  w = last_wc(&p, 1, CSCTP_CT_ASCONF);
  CHECK_EQ(w->sn, first_sn + 1);
  pair_close(&p);
}

static void test_one_outstanding(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  CHECK_EQ(csctp_asconf_set_peer_primary(p.a, p.ida, &p.a2, p.now), 0);
  pair_step(&p);
  /* C1: the second request waits for the ASCONF-ACK. */
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 1);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 2);
  const wchunk *w = last_wc(&p, 1, CSCTP_CT_ASCONF);
  CHECK_EQ(w->ptype[1], CSCTP_PT_SET_PRIMARY);
  /* 5.4: B's primary is now A2, reported as MADE_PRIMARY. */
  csctp_assoc *b = assoc_b(&p);
  CHECK(csctp_addr_equal(&b->paths[b->primary].addr, &p.a2));
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_MADE_PRIMARY, &p.a2), 1);
  pair_close(&p);
}

static int drop_asconf(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  (void)p;
  (void)to_b;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_ASCONF)
      return 1;
  return 0;
}

static int drop_asconf_ack(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  (void)p;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (!to_b && csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_ASCONF_ACK)
      return 1;
  return 0;
}

static void test_t4_retransmits_same_chunk(void) {
  pair p;
  pair_open(&p);
  p.drop = drop_asconf;
  p.drop_left = 1;
  csctp_assoc *a = assoc_a(&p);
  csctp_tstamp rto = a->paths[0].rto;
  csctp_tstamp t0 = p.now;
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_step(&p);
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 1);
  /* A4: nothing more before the T-4 RTO. */
  pair_run(&p, rto - CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 1);
  pair_run(&p, 2 * CSCTP_MILLISECONDS, NULL);
  REQUIRE(count_wc(&p, 1, CSCTP_CT_ASCONF) == 2);
  CHECK(p.now >= t0 + rto);
  /* B1, B2: the error counters count the expiry; B3: RTO doubled. */
  CHECK_EQ(a->error_count, 1);
  CHECK_EQ(a->paths[0].rto, 2 * rto);
  /* B4: the very same chunk, sequence number included. */
  CHECK_EQ(p.wc[p.nwc - 1].len, p.wc[p.nwc - 2].len);
  CHECK_MEM(p.wc[p.nwc - 1].bytes, p.wc[p.nwc - 2].bytes, p.wc[p.nwc - 1].len);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  /* A5: the ASCONF-ACK clears the counters. */
  CHECK_EQ(a->error_count, 0);
  CHECK_EQ(a->asconf.st->t4, CSCTP_TSTAMP_NEVER);
  pair_close(&p);
}

static void test_lost_ack_gets_cached_copy(void) {
  pair p;
  pair_open(&p);
  p.drop = drop_asconf_ack;
  p.drop_left = 1;
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 5 * CSCTP_SECONDS, pred_settled);
  /* E2: the retransmitted ASCONF gets the same ASCONF-ACK again, and is
   * not performed twice. */
  REQUIRE(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK) == 2);
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 2);
  const wchunk *k1 = NULL, *k2 = NULL;
  for (size_t i = 0; i < p.nwc; i++)
    if (!p.wc[i].to_b && p.wc[i].type == CSCTP_CT_ASCONF_ACK)
      *(k1 ? &k2 : &k1) = &p.wc[i];
  CHECK_EQ(k1->len, k2->len);
  CHECK_MEM(k1->bytes, k2->bytes, k1->len);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_ADDED, &p.a2), 1);
  pair_close(&p);
}

static void test_assoc_fails_after_max_retrans(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *a = assoc_a(&p);
  a->s.assoc_max_retrans = 2;
  p.drop = drop_asconf;
  p.drop_left = 100;
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 60 * CSCTP_SECONDS, NULL);
  /* B2 and the note after B5: the association fails. */
  CHECK(p.lost_a);
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 3);
  pair_close(&p);
}

/* ---- Refusals (4.3, F5-F11) ------------------------------------------- */

static void test_delete_last_address_refused(void) {
  pair p;
  pair_open(&p);
  /* The public call refuses (F5) ... */
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a1, p.now), CSCTP_ERR_ADDR);
  /* ... and a peer that asks anyway is refused by B (F7). */
  CHECK_EQ(csctp_asconf_queue(assoc_a(&p), CSCTP_PT_DEL_IP, &p.a1, p.now), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  const wchunk *k = last_wc(&p, 0, CSCTP_CT_ASCONF_ACK);
  REQUIRE(k != NULL);
  CHECK_EQ(k->ptype[0], CSCTP_PT_ERROR_IND);
  CHECK_EQ(k->cause[0], CSCTP_CAUSE_DEL_LAST_ADDR);
  CHECK_EQ(assoc_b(&p)->npaths, 1);
  CHECK(!p.lost_b);
  pair_close(&p);
}

static void test_delete_source_address_refused(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  REQUIRE(assoc_b(&p)->npaths == 2);
  /* F8: delete A1 in a packet whose source is A1. The engine itself never
   * does this (F6), so the source is forced by the link. */
  csctp_assoc *a = assoc_a(&p);
  CHECK_EQ(csctp_asconf_queue(a, CSCTP_PT_DEL_IP, &p.a1, p.now), 0);
  for (int i = 0; i < a->npaths; i++)
    a->paths[i].local = p.a1;
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  const wchunk *k = last_wc(&p, 0, CSCTP_CT_ASCONF_ACK);
  REQUIRE(k != NULL);
  CHECK_EQ(k->ptype[0], CSCTP_PT_ERROR_IND);
  CHECK_EQ(k->cause[0], CSCTP_CAUSE_DEL_SOURCE_ADDR);
  CHECK_EQ(assoc_b(&p)->npaths, 2);
  pair_close(&p);
}

static void test_resource_shortage_fails_the_rest(void) {
  csctp_settings sb;
  settings(&sb);
  sb.max_init_addrs = 1; /* B keeps one address per association */
  pair p;
  pair_open_s(&p, 1, 1, &sb);
  csctp_assoc *a = assoc_a(&p);
  csctp_addr a4 = ip4(4);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  /* Queued behind the first: the next ASCONF carries both. */
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &a4, p.now), 0);
  CHECK_EQ(csctp_asconf_queue(a, CSCTP_PT_DEL_IP, &a4, p.now), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, pred_settled);
  const wchunk *k = NULL;
  for (size_t i = 0; i < p.nwc; i++)
    if (!p.wc[i].to_b && p.wc[i].type == CSCTP_CT_ASCONF_ACK && !k)
      k = &p.wc[i];
  REQUIRE(k != NULL);
  /* F9 for the add of A2 ... */
  CHECK_EQ(k->ptype[0], CSCTP_PT_ERROR_IND);
  CHECK_EQ(k->cause[0], CSCTP_CAUSE_RESOURCE_SHORTAGE);
  k = last_wc(&p, 0, CSCTP_CT_ASCONF_ACK);
  /* ... F11: after an add failed, every later add or delete of that
   * ASCONF fails too. */
  CHECK_EQ(k->nparams, 2);
  CHECK_EQ(k->cause[0], CSCTP_CAUSE_RESOURCE_SHORTAGE);
  CHECK_EQ(k->cause[1], CSCTP_CAUSE_RESOURCE_SHORTAGE);
  CHECK_EQ(assoc_b(&p)->npaths, 1);
  pair_close(&p);
}

/* ---- Crafted packets: AUTH, wildcard, F0 ------------------------------ */

/* An ASCONF or ASCONF-ACK (value as on the wire) from A to B, signed with
 * A's association keys when sign is set. */
static void inject(pair *p, uint8_t type, const uint8_t *value, size_t len,
                   int sign, const csctp_addr *src) {
  csctp_assoc *a = assoc_a(p);
  /* A never sent these: its own F0 check would abort on B's answers. */
  p->drop = drop_asconf_ack;
  p->drop_left = 100;
  uint8_t pkt[PKTMAX];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  CHECK_EQ(csctp_pkt_begin(&b, 5000, 6000, a->peer_tag), 0);
  CHECK_EQ(csctp_put_raw_chunk(&b, type, 0, value, len), 0);
  if (sign)
    CHECK_EQ(csctp_auth_sign(a, b.base, &b.len, sizeof(pkt)), 0);
  size_t n = csctp_pkt_finish(&b);
  observe(p, 1, pkt, n, src);
  enqueue(p, 1, src, pkt, n);
}

/* ASCONF: sn, address parameter 0.0.0.0, one request (type, addr). */
static size_t make_asconf(uint8_t *v, uint32_t sn, uint16_t type,
                          const csctp_addr *x) {
  csctp_buf b;
  csctp_buf_init(&b, v, 64);
  uint8_t w[4];
  csctp_put32(w, sn);
  csctp_put_bytes(&b, w, 4);
  csctp_addr any = ip4(0);
  any.ip[0] = 0;
  csctp_put_addr_param(&b, &any);
  uint8_t r[12];
  csctp_put32(r, 77);
  csctp_put16(r + 4, CSCTP_PT_IPV4);
  csctp_put16(r + 6, 8);
  memcpy(r + 8, x->ip, 4);
  csctp_put_param(&b, type, r, 12);
  return b.len;
}

/* 5.5: a retransmitted ASCONF (sn) with the next one (sn + 1) bundled
 * behind it in one signed packet. */
static void inject_bundle(pair *p, const uint8_t *v1, size_t n1,
                          const uint8_t *v2, size_t n2, const csctp_addr *src) {
  csctp_assoc *a = assoc_a(p);
  p->drop = drop_asconf_ack;
  p->drop_left = 100;
  uint8_t pkt[PKTMAX];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  CHECK_EQ(csctp_pkt_begin(&b, 5000, 6000, a->peer_tag), 0);
  CHECK_EQ(csctp_put_raw_chunk(&b, CSCTP_CT_ASCONF, 0, v1, n1), 0);
  CHECK_EQ(csctp_put_raw_chunk(&b, CSCTP_CT_ASCONF, 0, v2, n2), 0);
  CHECK_EQ(csctp_auth_sign(a, b.base, &b.len, sizeof(pkt)), 0);
  size_t n = csctp_pkt_finish(&b);
  observe(p, 1, pkt, n, src);
  enqueue(p, 1, src, pkt, n);
}

/* 5.2 E1-ext, E2, E3, E4, V4, E6 with 5.5: the retransmitted ASCONF gets
 * its cached ASCONF-ACK and is not performed again; the new one behind it
 * is performed; both ASCONF-ACKs go back in one packet, lowest sequence
 * number first. */
static void test_bundled_asconfs_answered_together(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint32_t sn = csctp_asconf_get(b)->peer_sn + 1;
  csctp_addr a3 = ip4(5);
  uint8_t v1[64], v2[64];
  size_t n1 = make_asconf(v1, sn, CSCTP_PT_ADD_IP, &p.a2);
  size_t n2 = make_asconf(v2, sn + 1, CSCTP_PT_ADD_IP, &a3);
  inject(&p, CSCTP_CT_ASCONF, v1, n1, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  REQUIRE(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK) == 1);
  const wchunk *first = last_wc(&p, 0, CSCTP_CT_ASCONF_ACK);
  uint8_t ack1[256];
  size_t ack1_len = first->len;
  memcpy(ack1, first->bytes, ack1_len);
  /* The ASCONF-ACK was lost: sn again, sn + 1 bundled behind it. */
  inject_bundle(&p, v1, n1, v2, n2, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  REQUIRE(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK) == 3);
  const wchunk *k1 = NULL, *k2 = NULL;
  for (size_t i = 0; i < p.nwc; i++)
    if (!p.wc[i].to_b && p.wc[i].type == CSCTP_CT_ASCONF_ACK &&
        &p.wc[i] != first)
      *(k1 ? &k2 : &k1) = &p.wc[i];
  REQUIRE(k1 && k2);
  CHECK_EQ(k1->pktno, k2->pktno); /* E6, V4: one response packet */
  CHECK_EQ(k1->sn, sn);           /* 5.5 rule 2 order; E2: the cache */
  CHECK_EQ(k2->sn, sn + 1);
  CHECK_EQ(k1->len, ack1_len);
  CHECK_MEM(k1->bytes, ack1, ack1_len);
  /* E2: A2 added once; E4: A3 added now (F14: unconfirmed). */
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_ADDED, &p.a2), 1);
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_ADDED, &a3), 1);
  CHECK_EQ(b->npaths, 3);
  CHECK_EQ(csctp_asconf_get(b)->peer_sn, sn + 1); /* V5 */
  pair_close(&p);
}

/* E1, E4: two packets, each with one new ASCONF, read in one step: the
 * second one's E1 cleaning must not drop the first one's ASCONF-ACK, which
 * has not been sent yet; both are answered. */
static void test_asconf_ack_not_cleaned_before_sent(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint32_t sn = csctp_asconf_get(b)->peer_sn + 1;
  csctp_addr a3 = ip4(5);
  uint8_t v1[64], v2[64];
  size_t n1 = make_asconf(v1, sn, CSCTP_PT_ADD_IP, &p.a2);
  size_t n2 = make_asconf(v2, sn + 1, CSCTP_PT_ADD_IP, &a3);
  inject(&p, CSCTP_CT_ASCONF, v1, n1, 1, &p.a1);
  inject(&p, CSCTP_CT_ASCONF, v2, n2, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  int got1 = 0, got2 = 0;
  for (size_t i = 0; i < p.nwc; i++)
    if (!p.wc[i].to_b && p.wc[i].type == CSCTP_CT_ASCONF_ACK) {
      got1 += p.wc[i].sn == sn;
      got2 += p.wc[i].sn == sn + 1;
    }
  CHECK_EQ(got1, 1);
  CHECK_EQ(got2, 1);
  CHECK_EQ(b->npaths, 3);
  pair_close(&p);
}

static void test_unauthenticated_asconf_discarded(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint8_t v[64];
  size_t n =
      make_asconf(v, csctp_asconf_get(b)->peer_sn + 1, CSCTP_PT_ADD_IP, &p.a2);
  inject(&p, CSCTP_CT_ASCONF, v, n, 0, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  /* 4.1.1, 6.1: silently discarded: no ASCONF-ACK, nothing added. */
  CHECK_EQ(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK), 0);
  CHECK_EQ(b->npaths, 1);
  /* The same request signed is performed. */
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK), 1);
  CHECK_EQ(b->npaths, 2);
  pair_close(&p);
}

static void test_wildcard_adds_source(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint8_t v[64];
  csctp_addr any = ip4(0);
  any.ip[0] = 0;
  size_t n =
      make_asconf(v, csctp_asconf_get(b)->peer_sn + 1, CSCTP_PT_ADD_IP, &any);
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a2);
  pair_run(&p, CSCTP_SECONDS, NULL);
  /* 4.2.1: 0.0.0.0 adds the source address of the packet. */
  CHECK(csctp_assoc_find_path(b, &p.a2) >= 0);
  /* 4.2.2: a wildcard delete from A2 deletes every other address. */
  n = make_asconf(v, csctp_asconf_get(b)->peer_sn + 1, CSCTP_PT_DEL_IP, &any);
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a2);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(b->npaths, 1);
  CHECK(csctp_addr_equal(&b->paths[0].addr, &p.a2));
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_REMOVED, &p.a1), 1);
  pair_close(&p);
}

static void test_stale_sequence_number_ignored(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint8_t v[64];
  /* E5: neither the expected one nor the last one: discarded. */
  size_t n =
      make_asconf(v, csctp_asconf_get(b)->peer_sn + 5, CSCTP_PT_ADD_IP, &p.a2);
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a1);
  n = make_asconf(v, csctp_asconf_get(b)->peer_sn - 3, CSCTP_PT_ADD_IP, &p.a2);
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK), 0);
  CHECK_EQ(b->npaths, 1);
  pair_close(&p);
}

static void test_set_primary_unknown_address_ignored(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint8_t v[64];
  csctp_addr other = ip4(99);
  size_t n = make_asconf(v, csctp_asconf_get(b)->peer_sn + 1,
                         CSCTP_PT_SET_PRIMARY, &other);
  inject(&p, CSCTP_CT_ASCONF, v, n, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  /* 5.4: SHOULD NOT honour it; the primary is unchanged. */
  CHECK_EQ(count_wc(&p, 0, CSCTP_CT_ASCONF_ACK), 1);
  CHECK(csctp_addr_equal(&b->paths[b->primary].addr, &p.a1));
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_MADE_PRIMARY, NULL), 0);
  pair_close(&p);
}

static void test_illegal_asconf_ack_aborts(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  /* F0: an ASCONF-ACK for a sequence number B never used. */
  uint8_t v[4];
  csctp_put32(v, csctp_asconf_get(b)->next_sn);
  inject(&p, CSCTP_CT_ASCONF_ACK, v, 4, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK(p.lost_b);
  CHECK(p.lost_a);
  CHECK_EQ(p.lost_cause_a, CSCTP_CAUSE_ILLEGAL_ASCONF_ACK);
  pair_close(&p);
}

static void test_old_asconf_ack_ignored(void) {
  pair p;
  pair_open(&p);
  csctp_assoc *b = assoc_b(&p);
  uint8_t v[4];
  csctp_put32(v,
              csctp_asconf_get(b)->next_sn - 2); /* 4.3.4: smaller: ignored */
  inject(&p, CSCTP_CT_ASCONF_ACK, v, 4, 1, &p.a1);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK(!p.lost_b);
  pair_close(&p);
}

static void test_peer_not_recognizing_asconf(void) {
  pair p;
  /* B asks for ASCONF authenticated but does not implement it: A sees the
   * chunks listed and tries; B reports the chunk unrecognised. */
  memset(&p, 0, sizeof(p));
  p.q = calloc(MAXQ, sizeof(qpkt));
  seed_a = 11;
  seed_b = 23;
  p.a1 = ip4(1), p.a2 = ip4(3), p.b1 = ip4(2), p.a_src = p.a1;
  p.now = 1000 * CSCTP_SECONDS;
  csctp_settings s;
  settings(&s);
  CHECK_EQ(csctp_endpoint_new(&p.a, 5000, &s, NULL, prand, &seed_a, p.now), 0);
  CHECK_EQ(csctp_endpoint_new(&p.b, 6000, &s, NULL, prand, &seed_b, p.now), 0);
  CHECK_EQ(csctp_asconf_enable(p.a, 1), 0);
  CHECK_EQ(csctp_auth_add_chunk(p.b, CSCTP_CT_ASCONF), 0);
  CHECK_EQ(csctp_auth_add_chunk(p.b, CSCTP_CT_ASCONF_ACK), 0);
  csctp_endpoint_listen(p.b, 1);
  CHECK_EQ(csctp_connect(p.a, &p.b1, 1, 6000, NULL, p.now, &p.ida), 0);
  REQUIRE(pair_run(&p, 5 * CSCTP_SECONDS, pred_up));
  REQUIRE(csctp_asconf_enabled(p.a, p.ida) == 1);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 30 * CSCTP_SECONDS, NULL);
  /* A9: no further ASCONF, the T-4 timer stopped. */
  CHECK_EQ(count_wc(&p, 1, CSCTP_CT_ASCONF), 1);
  CHECK_EQ(csctp_asconf_enabled(p.a, p.ida), 0);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now),
           CSCTP_ERR_NOT_SUPPORTED);
  CHECK(!p.lost_a);
  pair_close(&p);
}

/* 5.3.1: an ABORT to an address we are deleting is ignored. */
static void abort_to(pair *p, const csctp_addr *dst) {
  csctp_assoc *a = assoc_a(p);
  uint8_t pkt[64];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  CHECK_EQ(csctp_pkt_begin(&b, 6000, 5000, a->local_tag), 0);
  CHECK_EQ(csctp_put_empty_chunk(&b, CSCTP_CT_ABORT, 0), 0);
  size_t n = csctp_pkt_finish(&b);
  csctp_endpoint_read_pkt(p->a, &p->b1, dst, pkt, n, p->now);
  pair_step(p);
}

static void test_abort_to_deleted_address_ignored(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  p.drop = drop_asconf; /* the Delete stays outstanding */
  p.drop_left = 100;
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_step(&p);
  abort_to(&p, &p.a2);
  CHECK(!p.lost_a);
  REQUIRE(assoc_a(&p) != NULL);
  /* The same ABORT to another address ends the association. */
  abort_to(&p, &p.a1);
  CHECK(p.lost_a);
  pair_close(&p);
}

/* ---- Delete moves in-flight data -------------------------------------- */

static int drop_b_data(pair *p, int to_b, const uint8_t *pkt, size_t len) {
  (void)p;
  (void)len;
  return to_b && pkt[12] == CSCTP_CT_DATA;
}

static void test_delete_moves_inflight_data(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, pred_settled);
  pair_run(&p, 3 * CSCTP_SECONDS, NULL); /* A2 verified at B */
  csctp_assoc *b = assoc_b(&p);
  REQUIRE(path_state(b, &p.a2) == CSCTP_PATH_ACTIVE);
  /* A sends from A2 from now on; B sends to A2 as its primary. */
  CHECK_EQ(csctp_assoc_set_primary(p.b, p.idb, &p.a2), 0);
  (void)drop_b_data;
  uint8_t msg[100];
  memset(msg, 7, sizeof(msg));
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = p.ida;
  /* Data from A to B is not on the deleted path; check B's side: B sends
   * to A2, and the packets toward A are held back, so they are in flight
   * on A2 when A deletes A2. */
  si.assoc_id = p.idb;
  for (int i = 0; i < 3; i++)
    CHECK_EQ(csctp_send(p.b, &si, NULL, msg, sizeof(msg), p.now), 0);
  uint8_t out[PKTMAX];
  csctp_addr dst, src;
  csctp_ssize n;
  int sent_a2 = 0;
  while ((n = csctp_endpoint_write_pkt(p.b, &dst, &src, out, sizeof(out),
                                       p.now)) > 0)
    sent_a2 += csctp_addr_equal(&dst, &p.a2); /* lost on the way */
  CHECK(sent_a2 > 0);
  int pi = csctp_assoc_find_path(b, &p.a2);
  REQUIRE(pi >= 0);
  CHECK(b->paths[pi].flight > 0);
  p.a_src = p.a1;
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 200 * CSCTP_MILLISECONDS, pred_settled);
  /* F13: the path is gone, its data in flight marked for retransmission
   * and sent to A1 before any T3 could expire. */
  CHECK_EQ(b->npaths, 1);
  CHECK(csctp_addr_equal(&b->paths[0].addr, &p.a1));
  CHECK_EQ(count_ev(p.ev_b, p.nev_b, CSCTP_PATH_REMOVED, &p.a2), 1);
  pair_run(&p, 500 * CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(b->sq.n_out, 0);
  CHECK_EQ(b->t3_expiries, 0);
  pair_close(&p);
}

/* F4: after its Delete IP, our deleted address is no source for any
 * packet of the association, even when the peer's late packets still come
 * to it; F13: the peer treats packets from it as out of the blue, so the
 * last ones (SHUTDOWN COMPLETE, RFC 9260 9.2) leave from the new one. */
static void test_deleted_address_never_a_source(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, pred_settled);
  pair_run(&p, 3 * CSCTP_SECONDS, NULL); /* A2 verified at B */
  REQUIRE(path_state(assoc_b(&p), &p.a2) == CSCTP_PATH_ACTIVE);
  p.a_src = p.a2;
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a1, p.now), 0);
  p.a_never = p.a1;
  pair_run(&p, 2 * CSCTP_SECONDS, pred_settled);
  CHECK_EQ(assoc_b(&p)->npaths, 1);
  /* F5: A2, added and acknowledged, is now A's last address. */
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a2, p.now), CSCTP_ERR_ADDR);
  /* pair_step hands every packet to A addressed to A1. */
  uint8_t msg[100];
  memset(msg, 9, sizeof(msg));
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = p.ida;
  CHECK_EQ(csctp_send(p.a, &si, NULL, msg, sizeof(msg), p.now), 0);
  si.assoc_id = p.idb;
  CHECK_EQ(csctp_send(p.b, &si, NULL, msg, sizeof(msg), p.now), 0);
  pair_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(csctp_shutdown(p.a, p.ida, p.now), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, NULL);
  CHECK_EQ(p.a_sc_seen, 1);
  CHECK_EQ(p.a_from_never, 0);
  CHECK_EQ(p.a_unsourced, 0);
  pair_close(&p);
}

/* 5.3: a late packet from an address A deleted is still taken for up to 2
 * RTO of that path; F13: after that it is out of the blue (RFC 9260 8.4
 * (8): answered by an ABORT with the T bit, not processed). */
static void test_deleted_peer_address_ootb_after_two_rto(void) {
  pair p;
  pair_open(&p);
  CHECK_EQ(csctp_asconf_add_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, 3 * CSCTP_SECONDS, pred_settled);
  pair_run(&p, 3 * CSCTP_SECONDS, NULL);
  csctp_assoc *b = assoc_b(&p);
  int pi = csctp_assoc_find_path(b, &p.a2);
  REQUIRE(pi >= 0);
  csctp_tstamp rto = b->paths[pi].rto;
  p.a_src = p.a1;
  CHECK_EQ(csctp_asconf_del_addr(p.a, p.ida, &p.a2, p.now), 0);
  pair_run(&p, CSCTP_SECONDS / 10, pred_settled);
  REQUIRE(csctp_assoc_find_path(b, &p.a2) < 0);
  csctp_tstamp deleted = p.now;
  /* A HEARTBEAT from A2 (RFC 9260 3.3.5: Heartbeat Info parameter). */
  uint8_t hb[8] = {0, 1, 0, 8, 1, 2, 3, 4};
  uint64_t ootb = p.b->stats.ootb;
  inject(&p, CSCTP_CT_HEARTBEAT, hb, sizeof(hb), 0, &p.a2);
  pair_run(&p, DELAY, NULL);
  CHECK(p.now < deleted + 2 * rto);
  CHECK_EQ(p.b->stats.ootb, ootb); /* within the grace: taken */
  p.now = deleted + 2 * rto + DELAY;
  inject(&p, CSCTP_CT_HEARTBEAT, hb, sizeof(hb), 0, &p.a2);
  pair_run(&p, DELAY, NULL);
  CHECK_EQ(p.b->stats.ootb, ootb + 1); /* F13 */
  CHECK(!p.lost_b);                    /* the association lives on */
  /* From A1, still part of the association, the same is taken. */
  inject(&p, CSCTP_CT_HEARTBEAT, hb, sizeof(hb), 0, &p.a1);
  pair_run(&p, DELAY, NULL);
  CHECK_EQ(p.b->stats.ootb, ootb + 1);
  pair_close(&p);
}

/* ---- Simulator: move to a new address while data flows ---------------- */

#define SIM_C1 0x0a000001u
#define SIM_C2 0x0a000003u
#define SIM_S 0x0a000002u

static void asconf_sim_setup(sim_node *n) {
  CHECK_EQ(csctp_asconf_enable(n->ep, 1), 0);
}

static int sim_pred_b_done(sim *s, void *ud) {
  int *stage = ud;
  (void)s;
  return *stage;
}

static void test_sim_move_while_data_flows(void) {
  static const uint64_t seeds[] = {1, 0x5eed, 0xa5c0f, 77, 0xdeadbeef};
  for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
    sim *s = sim_new(seeds[k], "asconf_move");
    csctp_settings st;
    csctp_settings_default(&st);
    st.hb_interval = 500 * CSCTP_MILLISECONDS;
    st.rto_min = 100 * CSCTP_MILLISECONDS;
    st.rto_initial = 300 * CSCTP_MILLISECONDS;
    sim_node *c = sim_node_add(s, "client", SIM_C1, 5000, &st);
    sim_node *v = sim_node_add(s, "server", SIM_S, 6000, &st);
    asconf_sim_setup(c);
    asconf_sim_setup(v);
    sim_node_listen(v, 1);
    sim_pair(c, v);
    sim_link_params lp;
    sim_link_params_default(&lp);
    lp.delay = 20 * CSCTP_MILLISECONDS;
    lp.rate = 250000;
    lp.loss = 0.01;
    sim_link_nodes(s, c, v, &lp);
    for (int i = 0; i < 800; i++) {
      sim_flow_add(&c->app.tx, (uint16_t)(i % 4), 1, 0,
                   (uint32_t)(100 + (i * 37) % 3000));
      sim_flow_add(&v->app.tx, (uint16_t)(i % 4), 2, 0,
                   (uint32_t)(100 + (i * 53) % 3000));
    }
    c->app.send_enabled = v->app.send_enabled = 1;
    c->app.read_enabled = v->app.read_enabled = 1;
    c->app.rd_min = v->app.rd_min = 64;
    c->app.rd_max = v->app.rd_max = 4096;
    REQUIRE(sim_connect(c, v) == 0);
    REQUIRE(sim_run_until(s, s->now + 5 * CSCTP_SECONDS, sim_pred_all_up,
                          NULL) == 1);
    REQUIRE(csctp_asconf_enabled(c->ep, c->assoc) == 1);
    int never = 0;
    sim_run_until(s, s->now + 300 * CSCTP_MILLISECONDS, sim_pred_b_done,
                  &never);
    /* The client gets address B (a new link) and announces it, asks the
     * server to send there, then deletes A. */
    csctp_addr ca = sim_addr4(SIM_C1), cb = sim_addr4(SIM_C2);
    sim_node_add_addr(c, SIM_C2);
    sim_link_add(s, &cb, &v->addrs[0], &lp);
    sim_link_add(s, &v->addrs[0], &cb, &lp);
    CHECK_EQ(csctp_asconf_add_addr(c->ep, c->assoc, &cb, s->now), 0);
    CHECK_EQ(csctp_asconf_set_peer_primary(c->ep, c->assoc, &cb, s->now), 0);
    sim_run_until(s, s->now + 2 * CSCTP_SECONDS, sim_pred_b_done, &never);
    CHECK(!sim_pred_flows_done(s, NULL)); /* data still flowing */
    CHECK_EQ(csctp_asconf_del_addr(c->ep, c->assoc, &ca, s->now), 0);
    /* The client stops sending from A once the delete is on its way
     * (F4); the old address disappears shortly after. */
    sim_run_until(s, s->now + 300 * CSCTP_MILLISECONDS, sim_pred_b_done,
                  &never);
    sim_link *l1 = sim_link_find(s, &ca, &v->addrs[0]);
    sim_link *l2 = sim_link_find(s, &v->addrs[0], &ca);
    REQUIRE(l1 && l2);
    l1->p.down = l2->p.down = 1;
    uint64_t pkts_a = l1->pkts;
    sim_run_until(s, s->now + 120 * CSCTP_SECONDS, sim_pred_flows_done, NULL);
    CHECK(sim_pred_flows_done(s, NULL));
    CHECK_EQ(sim_check_delivered(s, c, 0), 0);
    CHECK_EQ(sim_check_delivered(s, v, 0), 0);
    CHECK_EQ(l1->pkts, pkts_a); /* nothing more sourced from A */
    csctp_path_status ps[4];
    int np = csctp_assoc_paths(v->ep, v->assoc, ps, 4);
    CHECK_EQ(np, 1);
    CHECK(np >= 1 && csctp_addr_equal(&ps[0].addr, &cb));
    CHECK(!c->lost && !v->lost);
    sim_print_stats(s);
    CHECK_EQ(sim_free(s), 0);
  }
}

/* ---- The socket layer: bindx add / remove, SET_PEER_PRIMARY_ADDR ----- */

static csctp_stack *io_new_stack(void) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.settings.rto_initial = 100 * CSCTP_MILLISECONDS;
  cfg.settings.rto_min = 50 * CSCTP_MILLISECONDS;
  csctp_stack *st = NULL;
  return csctp_stack_new(&st, &cfg) == 0 ? st : NULL;
}

static void io_pump(csctp_stack *a, csctp_stack *b) {
  struct pollfd pf[8];
  int n = 0;
  add_stack_fds(pf, &n, a);
  add_stack_fds(pf, &n, b);
  (void)poll(pf, (nfds_t)n, 2);
  CHECK_EQ(csctp_stack_step(a), 0);
  CHECK_EQ(csctp_stack_step(b), 0);
}

static struct sockaddr_in lo4(uint8_t last, uint16_t port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(0x7f000000u | last);
  return a;
}

static int io_asconf_on(csctp_sock *s) {
  csctp_assoc_value v = {0, 1};
  return csctp_setsockopt(s, CSCTP_OPT_ASCONF_SUPPORTED, &v, sizeof v);
}

/* Waits for a PEER_ADDR_CHANGE with state on s; 1 when it came for
 * 127.0.0.last. */
static int io_wait_paddr(csctp_stack *a, csctp_stack *b, csctp_sock *s,
                         uint32_t state, uint8_t last) {
  csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
  while (csctp_now() < end) {
    csctp_notification n;
    if (csctp_sock_next_notification(s, &n, NULL, 0) == 0) {
      if (n.type == CSCTP_EV_PEER_ADDR_CHANGE && n.u.paddr.state == state)
        return n.u.paddr.addr.ip[0] == 127 && n.u.paddr.addr.ip[3] == last;
      continue;
    }
    io_pump(a, b);
  }
  return 0;
}

static void test_sock_bindx_moves_association(void) {
  csctp_stack *a = io_new_stack(), *b = io_new_stack();
  REQUIRE(a && b);
  csctp_sock *l = NULL, *c = NULL, *srv = NULL;
  REQUIRE(csctp_socket(a, AF_INET, CSCTP_SOCK_STREAM, &l) == 0);
  CHECK_EQ(io_asconf_on(l), 0);
  struct sockaddr_in la = lo4(1, 5071);
  REQUIRE(csctp_bindx(l, (struct sockaddr *)&la, 1) == 0);
  REQUIRE(csctp_listen(l, 4) == 0);
  REQUIRE(csctp_socket(b, AF_INET, CSCTP_SOCK_STREAM, &c) == 0);
  CHECK_EQ(io_asconf_on(c), 0);
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = csctp_stack_udp_port(a);
  CHECK_EQ(csctp_setsockopt(c, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u),
           0);
  struct sockaddr_in c1 = lo4(1, 5072), c2 = lo4(2, 5072);
  /* Not bound yet: nothing to add to. */
  CHECK_EQ(csctp_bindx_op(c, (struct sockaddr *)&c2, 1, CSCTP_BINDX_ADD_ADDR),
           -EOPNOTSUPP);
  REQUIRE(csctp_bindx(c, (struct sockaddr *)&c1, 1) == 0);
  CHECK_EQ(csctp_connectx(c, (struct sockaddr *)&la, 1, NULL), -EINPROGRESS);
  csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
  while (csctp_accept(l, &srv, NULL, NULL) != 0 && csctp_now() < end)
    io_pump(a, b);
  REQUIRE(srv != NULL);
  CHECK_EQ(csctp_sock_subscribe(srv, CSCTP_EV_PEER_ADDR_CHANGE, 1), 0);
  csctp_assoc_value v = {0, 0};
  size_t vl = sizeof v;
  CHECK_EQ(csctp_getsockopt(c, CSCTP_OPT_ASCONF_SUPPORTED, &v, &vl), 0);
  CHECK_EQ(v.value, 1);
  int auto_on = 0;
  size_t al = sizeof auto_on;
  CHECK_EQ(csctp_getsockopt(c, CSCTP_OPT_AUTO_ASCONF, &auto_on, &al), 0);
  CHECK_EQ(auto_on, 1);
  /* Removing the only address is refused (RFC 5061 F5). */
  CHECK_EQ(csctp_bindx_op(c, (struct sockaddr *)&c1, 1, CSCTP_BINDX_REM_ADDR),
           CSCTP_ERR_INVAL);
  /* Add 127.0.0.2: the server learns it (Add IP, ADDR_ADDED). */
  CHECK_EQ(csctp_bindx_op(c, (struct sockaddr *)&c2, 1, CSCTP_BINDX_ADD_ADDR),
           0);
  CHECK(io_wait_paddr(a, b, srv, CSCTP_PATH_ADDED, 2));
  /* Ask the server to send to it (Set Primary, ADDR_MADE_PRIM). */
  csctp_setpeerprim sp;
  memset(&sp, 0, sizeof sp);
  memcpy(&sp.addr, &c2, sizeof c2);
  CHECK_EQ(csctp_setsockopt(c, CSCTP_OPT_SET_PEER_PRIMARY_ADDR, &sp, sizeof sp),
           0);
  CHECK(io_wait_paddr(a, b, srv, CSCTP_PATH_MADE_PRIMARY, 2));
  /* Drop 127.0.0.1 (Delete IP, ADDR_REMOVED). */
  CHECK_EQ(csctp_bindx_op(c, (struct sockaddr *)&c1, 1, CSCTP_BINDX_REM_ADDR),
           0);
  CHECK(io_wait_paddr(a, b, srv, CSCTP_PATH_REMOVED, 1));
  struct sockaddr_storage pa[4];
  CHECK_EQ(csctp_getpaddrs(srv, 0, pa, 4), 1);
  CHECK_EQ(((struct sockaddr_in *)&pa[0])->sin_addr.s_addr, c2.sin_addr.s_addr);
  /* Data still flows both ways. */
  struct iovec iov = {"ping", 4};
  CHECK_EQ(csctp_sendv(c, &iov, 1, NULL, NULL, 0), 4);
  iov.iov_base = "pong";
  CHECK_EQ(csctp_sendv(srv, &iov, 1, NULL, NULL, 0), 4);
  char buf[16];
  int got = 0;
  end = csctp_now() + 3 * CSCTP_SECONDS;
  while (got < 2 && csctp_now() < end) {
    struct iovec r = {buf, sizeof buf};
    csctp_rcvinfo ri;
    int fl = 0;
    if (csctp_recvv(srv, &r, 1, NULL, NULL, &ri, &fl) == 4 &&
        !(fl & CSCTP_MSG_NOTIFICATION))
      got += memcmp(buf, "ping", 4) == 0;
    if (csctp_recvv(c, &r, 1, NULL, NULL, &ri, &fl) == 4 &&
        !(fl & CSCTP_MSG_NOTIFICATION))
      got += memcmp(buf, "pong", 4) == 0;
    io_pump(a, b);
  }
  CHECK_EQ(got, 2);
  csctp_close(c);
  csctp_close(srv);
  csctp_close(l);
  csctp_stack_del(a);
  csctp_stack_del(b);
}

int main(void) {
  TEST_RUN(test_negotiated_when_both_enable);
  TEST_RUN(test_not_negotiated_when_one_side_lacks_it);
  TEST_RUN(test_add_ip_unconfirmed_then_verified);
  TEST_RUN(test_one_outstanding);
  TEST_RUN(test_t4_retransmits_same_chunk);
  TEST_RUN(test_lost_ack_gets_cached_copy);
  TEST_RUN(test_assoc_fails_after_max_retrans);
  TEST_RUN(test_delete_last_address_refused);
  TEST_RUN(test_delete_source_address_refused);
  TEST_RUN(test_resource_shortage_fails_the_rest);
  TEST_RUN(test_unauthenticated_asconf_discarded);
  TEST_RUN(test_bundled_asconfs_answered_together);
  TEST_RUN(test_asconf_ack_not_cleaned_before_sent);
  TEST_RUN(test_wildcard_adds_source);
  TEST_RUN(test_stale_sequence_number_ignored);
  TEST_RUN(test_set_primary_unknown_address_ignored);
  TEST_RUN(test_illegal_asconf_ack_aborts);
  TEST_RUN(test_old_asconf_ack_ignored);
  TEST_RUN(test_peer_not_recognizing_asconf);
  TEST_RUN(test_abort_to_deleted_address_ignored);
  TEST_RUN(test_delete_moves_inflight_data);
  TEST_RUN(test_deleted_address_never_a_source);
  TEST_RUN(test_deleted_peer_address_ootb_after_two_rto);
  TEST_RUN(test_sim_move_while_data_flows);
  TEST_RUN(test_sock_bindx_moves_association);
  return TEST_SUMMARY();
}
