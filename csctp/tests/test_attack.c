/* test_attack.c -- attacks and hostile input against the engine, through
 * the public API: INIT floods (RFC 9260 5.1.3), forged, stale and replayed
 * cookies (5.1.5, 5.2.4, 3.3.10.3), verification tag rules (8.5, 8.5.1),
 * the attacks of RFC 5062 that apply to a base SCTP stack, and robustness
 * against lying lengths, out-of-window TSNs, invalid streams, impossible
 * SACKs, zero windows and never-completed messages.
 *
 * Two kinds of harness:
 *   net  -- two csctp endpoints, C (client, port 5000, 10.0.0.1) and S
 *           (server, port 6000, 10.0.0.2, listening), joined by a lossless
 *           in-memory link that can hold back or capture packets, plus
 *           injection of hand-built packets from anywhere.
 *   raw  -- S against a scripted peer written here with the codec: it does
 *           the handshake by hand and then sends whatever the test wants,
 *           knowing every tag and TSN.
 * Each endpoint has its own counting allocator so that S's memory can be
 * measured alone.
 *
 * Regression inputs found by the fuzz targets (csctp/fuzz/) are replayed at
 * the end of this file.
 */
#include "csctp.h"
#include "talloc.h"
#include "test.h"

#include "../chunk.h"
#include "../crc32c.h"

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

/* ---- Packet helpers ---------------------------------------------------- */

#define PORT_C 5000
#define PORT_S 6000

static csctp_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  csctp_addr x;
  memset(&x, 0, sizeof(x));
  x.family = CSCTP_AF_INET;
  x.ip[0] = a, x.ip[1] = b, x.ip[2] = c, x.ip[3] = d;
  return x;
}

/* A packet under construction or captured. */
typedef struct pkt {
  uint8_t b[70000];
  size_t len;
  csctp_addr dst;
} pkt;

static void pkt_begin(pkt *p, csctp_buf *b, uint16_t sport, uint16_t dport,
                      uint32_t vtag) {
  csctp_buf_init(b, p->b, sizeof(p->b));
  csctp_pkt_begin(b, sport, dport, vtag);
}

static void pkt_end(pkt *p, csctp_buf *b) { p->len = csctp_pkt_finish(b); }

/* The first chunk of type `type` in p; 1 if found. */
static int pkt_find(const uint8_t *p, size_t len, int type, csctp_tlv *out) {
  csctp_tlv_iter it;
  csctp_tlv c;
  if (len < 12)
    return 0;
  csctp_tlv_iter_init(&it, p + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == type) {
      if (out)
        *out = c;
      return 1;
    }
  return 0;
}

/* The first cause / parameter of code `code` inside chunk c (after skip
 * fixed bytes); 1 if found. */
static int tlv_find_param(const csctp_tlv *c, size_t skip, uint16_t code,
                          csctp_tlv *out) {
  csctp_tlv_iter it;
  csctp_tlv p;
  if (c->value_len < skip)
    return 0;
  csctp_tlv_iter_init(&it, c->value + skip, c->value_len - skip);
  while (csctp_param_next(&it, &p) == 1)
    if (p.type == code) {
      if (out)
        *out = p;
      return 1;
    }
  return 0;
}

static int inject(csctp_endpoint *ep, const csctp_addr *src,
                  const csctp_addr *dst, uint16_t sport, uint16_t dport,
                  uint32_t vtag, const uint8_t *chunks, size_t len,
                  csctp_tstamp now) {
  static pkt p;
  csctp_buf b;
  pkt_begin(&p, &b, sport, dport, vtag);
  csctp_put_bytes(&b, chunks, len);
  pkt_end(&p, &b);
  return csctp_endpoint_read_pkt(ep, src, dst, p.b, p.len, now);
}

/* ---- net: two endpoints ------------------------------------------------ */

typedef struct net {
  talloc mc, ms;
  csctp_mem memc, mems;
  uint64_t seed_c, seed_s;
  csctp_endpoint *c, *s;
  csctp_addr addr_c, addr_s;
  csctp_tstamp now;
  csctp_assoc_id cid, sid;
  uint32_t tag_c, tag_s; /* each side's own verification tag */
  /* Per direction (0: C to S, 1: S to C): hold back (drop, keeping a copy)
   * the next packet whose first chunk has this type; capture a copy of the
   * next one whose first chunk has this type. -1: off. */
  int hold_type[2], cap_type[2];
  pkt held[2], cap[2];
  int nheld[2], ncap[2];
  uint64_t moved[2];
  /* S's packets to addresses other than C's. */
  uint64_t stray;
  pkt last_stray;
  /* Events seen, by side and type. */
  int ev[2][16];
  uint32_t last_lost_reason[2];
  uint16_t last_lost_cause[2];
} net;

static void net_events(net *n) {
  for (int k = 0; k < 2; k++) {
    csctp_endpoint *ep = k == 0 ? n->c : n->s;
    csctp_event evs[32];
    size_t m;
    while ((m = csctp_endpoint_poll_events(ep, evs, 32)) > 0)
      for (size_t i = 0; i < m; i++) {
        if (evs[i].type < 16)
          n->ev[k][evs[i].type]++;
        if (evs[i].type == CSCTP_EV_ASSOC_UP && k == 1 && n->sid == 0)
          n->sid = evs[i].assoc_id;
        if (evs[i].type == CSCTP_EV_ASSOC_LOST) {
          n->last_lost_reason[k] = evs[i].u.lost.reason;
          n->last_lost_cause[k] = evs[i].u.lost.cause_code;
        }
        csctp_event_clear(ep, &evs[i]);
      }
  }
}

static void net_init(net *n, const csctp_settings *s) {
  memset(n, 0, sizeof(*n));
  n->memc = talloc_mem(&n->mc);
  n->mems = talloc_mem(&n->ms);
  n->seed_c = 1;
  n->seed_s = 2;
  n->addr_c = v4(10, 0, 0, 1);
  n->addr_s = v4(10, 0, 0, 2);
  n->now = 1000 * CSCTP_SECONDS;
  n->hold_type[0] = n->hold_type[1] = -1;
  n->cap_type[0] = n->cap_type[1] = -1;
  CHECK_EQ(csctp_endpoint_new(&n->c, PORT_C, s, &n->memc, seeded_rand,
                              &n->seed_c, n->now),
           0);
  CHECK_EQ(csctp_endpoint_new(&n->s, PORT_S, s, &n->mems, seeded_rand,
                              &n->seed_s, n->now),
           0);
  csctp_endpoint_listen(n->s, 1);
}

static void net_free(net *n) {
  csctp_endpoint_del(n->c);
  csctp_endpoint_del(n->s);
  CHECK_EQ(n->mc.live, 0);
  CHECK_EQ(n->ms.live, 0);
}

/* Moves every pending packet; returns how many were moved. */
static int net_flush(net *n) {
  static uint8_t buf[70000];
  int moved = 0;
  for (int round = 0; round < 1000; round++) {
    int any = 0;
    for (int k = 0; k < 2; k++) {
      csctp_endpoint *from = k == 0 ? n->c : n->s;
      csctp_endpoint *to = k == 0 ? n->s : n->c;
      const csctp_addr *fa = k == 0 ? &n->addr_c : &n->addr_s;
      const csctp_addr *ta = k == 0 ? &n->addr_s : &n->addr_c;
      csctp_addr dst, src;
      csctp_ssize len;
      while ((len = csctp_endpoint_write_pkt(from, &dst, &src, buf, sizeof(buf),
                                             n->now)) > 0) {
        any = 1;
        if (!csctp_addr_equal(&dst, ta)) {
          n->stray++;
          memcpy(n->last_stray.b, buf, (size_t)len);
          n->last_stray.len = (size_t)len;
          n->last_stray.dst = dst;
          continue;
        }
        uint32_t vtag = csctp_get32(buf + 4);
        int t_bit = (buf[12] == CSCTP_CT_ABORT ||
                     buf[12] == CSCTP_CT_SHUTDOWN_COMPLETE) &&
                    (buf[13] & CSCTP_FLAG_T);
        if (vtag != 0 && !t_bit) {
          if (k == 0)
            n->tag_s = vtag;
          else
            n->tag_c = vtag;
        }
        if (n->cap_type[k] == buf[12]) {
          memcpy(n->cap[k].b, buf, (size_t)len);
          n->cap[k].len = (size_t)len;
          n->cap[k].dst = dst;
          n->cap_type[k] = -1;
          n->ncap[k]++;
        }
        if (n->hold_type[k] == buf[12]) {
          memcpy(n->held[k].b, buf, (size_t)len);
          n->held[k].len = (size_t)len;
          n->held[k].dst = dst;
          n->hold_type[k] = -1;
          n->nheld[k]++;
          continue;
        }
        csctp_endpoint_read_pkt(to, fa, ta, buf, (size_t)len, n->now);
        n->moved[k]++;
        moved++;
      }
    }
    net_events(n);
    if (!any)
      break;
  }
  return moved;
}

/* Runs timers and the link for `dur` of virtual time. */
static void net_run(net *n, csctp_tstamp dur) {
  csctp_tstamp end = n->now + dur;
  net_flush(n);
  for (int i = 0; i < 100000; i++) {
    csctp_tstamp ta = csctp_endpoint_get_expiry(n->c);
    csctp_tstamp tb = csctp_endpoint_get_expiry(n->s);
    csctp_tstamp t = ta < tb ? ta : tb;
    if (t > end)
      break;
    if (t > n->now)
      n->now = t;
    csctp_endpoint_handle_expiry(n->c, n->now);
    csctp_endpoint_handle_expiry(n->s, n->now);
    net_flush(n);
  }
  if (n->now < end)
    n->now = end;
}

static int net_connect(net *n) {
  CHECK_EQ(csctp_connect(n->c, &n->addr_s, 1, PORT_S, NULL, n->now, &n->cid),
           0);
  net_flush(n);
  return n->sid != 0 && n->ev[0][CSCTP_EV_ASSOC_UP] == 1;
}

static uint32_t assoc_state(csctp_endpoint *ep, csctp_assoc_id id) {
  csctp_assoc_status st;
  if (csctp_assoc_status_get(ep, id, &st) != 0)
    return 0xFFFFFFFF;
  return st.state;
}

static uint64_t echo_count;

/* C sends a message to S and S one back; both must arrive intact. */
static int net_echo(net *n) {
  uint8_t msg[300], got[600];
  csctp_rcvinfo ri;
  echo_count++;
  for (size_t i = 0; i < sizeof(msg); i++)
    msg[i] = (uint8_t)(i + echo_count);
  csctp_sndinfo si = {.sid = 1, .ppid = 7, .assoc_id = n->cid};
  if (csctp_send(n->c, &si, NULL, msg, sizeof(msg), n->now) != 0)
    return 0;
  net_flush(n);
  csctp_ssize r = csctp_recv(n->s, n->sid, &ri, got, sizeof(got), n->now);
  if (r != (csctp_ssize)sizeof(msg) || memcmp(got, msg, sizeof(msg)) != 0)
    return 0;
  si.assoc_id = n->sid;
  if (csctp_send(n->s, &si, NULL, msg, 100, n->now) != 0)
    return 0;
  net_flush(n);
  r = csctp_recv(n->c, n->cid, &ri, got, sizeof(got), n->now);
  return r == 100 && memcmp(got, msg, 100) == 0;
}

/* ---- raw: S against a scripted peer ------------------------------------ */

typedef struct raw {
  talloc ms;
  csctp_mem mems;
  uint64_t seed_s;
  csctp_endpoint *s;
  csctp_addr addr_s, addr_p;
  csctp_tstamp now;
  uint32_t my_tag, s_tag;
  uint32_t my_tsn; /* next TSN we send */
  uint32_t s_tsn;  /* S's initial TSN */
  uint16_t s_istreams;
  csctp_assoc_id sid;
  /* S's output since the last raw_pull. */
  pkt out[64];
  int nout;
  int ev[16];
  uint32_t last_lost_reason;
  uint16_t last_lost_cause;
} raw;

static void raw_events(raw *r) {
  csctp_event evs[32];
  size_t m;
  while ((m = csctp_endpoint_poll_events(r->s, evs, 32)) > 0)
    for (size_t i = 0; i < m; i++) {
      if (evs[i].type < 16)
        r->ev[evs[i].type]++;
      if (evs[i].type == CSCTP_EV_ASSOC_UP)
        r->sid = evs[i].assoc_id;
      if (evs[i].type == CSCTP_EV_ASSOC_LOST) {
        r->last_lost_reason = evs[i].u.lost.reason;
        r->last_lost_cause = evs[i].u.lost.cause_code;
      }
      csctp_event_clear(r->s, &evs[i]);
    }
}

/* Collects S's output (the first 64 packets are kept). Returns the count. */
static int raw_pull(raw *r) {
  static uint8_t buf[70000];
  csctp_addr dst, src;
  csctp_ssize len;
  int n = 0;
  r->nout = 0;
  while ((len = csctp_endpoint_write_pkt(r->s, &dst, &src, buf, sizeof(buf),
                                         r->now)) > 0) {
    if (r->nout < 64) {
      memcpy(r->out[r->nout].b, buf, (size_t)len);
      r->out[r->nout].len = (size_t)len;
      r->out[r->nout].dst = dst;
      r->nout++;
    }
    n++;
  }
  raw_events(r);
  return n;
}

/* Index of the first collected packet holding a chunk of type, or -1. */
static int raw_find(raw *r, int type, csctp_tlv *c) {
  for (int i = 0; i < r->nout; i++)
    if (pkt_find(r->out[i].b, r->out[i].len, type, c))
      return i;
  return -1;
}

static int raw_send(raw *r, const uint8_t *chunks, size_t len) {
  return inject(r->s, &r->addr_p, &r->addr_s, PORT_C, PORT_S, r->s_tag, chunks,
                len, r->now);
}

static void raw_init(raw *r, const csctp_settings *s) {
  memset(r, 0, sizeof(*r));
  r->mems = talloc_mem(&r->ms);
  r->seed_s = 3;
  r->addr_s = v4(10, 0, 0, 2);
  r->addr_p = v4(10, 0, 0, 9);
  r->now = 1000 * CSCTP_SECONDS;
  r->my_tag = 0xA1B2C3D4;
  r->my_tsn = 5000;
  CHECK_EQ(csctp_endpoint_new(&r->s, PORT_S, s, &r->mems, seeded_rand,
                              &r->seed_s, r->now),
           0);
  csctp_endpoint_listen(r->s, 1);
}

/* The four-way handshake by hand. Returns 1 when S reports the
 * association up. */
static int raw_connect(raw *r, uint16_t os, uint16_t mis, uint32_t a_rwnd) {
  static pkt p;
  csctp_buf b;
  size_t off;
  pkt_begin(&p, &b, PORT_C, PORT_S, 0);
  csctp_init in = {.init_tag = r->my_tag,
                   .a_rwnd = a_rwnd,
                   .num_ostreams = os,
                   .max_instreams = mis,
                   .init_tsn = r->my_tsn};
  csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off);
  csctp_chunk_end(&b, off);
  pkt_end(&p, &b);
  csctp_endpoint_read_pkt(r->s, &r->addr_p, &r->addr_s, p.b, p.len, r->now);
  raw_pull(r);
  csctp_tlv c, ck;
  int i = raw_find(r, CSCTP_CT_INIT_ACK, &c);
  if (i < 0)
    return 0;
  csctp_init ack;
  if (csctp_init_decode(&c, &ack) != 0 ||
      !tlv_find_param(&c, 16, CSCTP_PT_STATE_COOKIE, &ck))
    return 0;
  r->s_tag = ack.init_tag;
  r->s_tsn = ack.init_tsn;
  r->s_istreams = os < ack.max_instreams ? os : ack.max_instreams;
  uint8_t chunk[1024];
  csctp_buf cb;
  csctp_buf_init(&cb, chunk, sizeof(chunk));
  csctp_put_cookie_echo(&cb, ck.value, ck.value_len);
  raw_send(r, chunk, cb.len);
  raw_pull(r);
  return raw_find(r, CSCTP_CT_COOKIE_ACK, NULL) >= 0 && r->sid != 0;
}

static size_t put_data(uint8_t *out, size_t cap, uint32_t tsn, uint16_t sid,
                       uint16_t ssn, uint8_t flags, const uint8_t *payload,
                       size_t len) {
  csctp_buf b;
  csctp_buf_init(&b, out, cap);
  csctp_data d = {.flags = flags,
                  .tsn = tsn,
                  .sid = sid,
                  .ssn = ssn,
                  .ppid = 99,
                  .payload = payload,
                  .len = len};
  if (csctp_put_data(&b, &d) != 0)
    return 0;
  return b.len;
}

static void raw_free(raw *r) {
  csctp_endpoint_del(r->s);
  CHECK_EQ(r->ms.live, 0);
}

/* ======================================================================== */
/* INIT flood                                                               */
/* ======================================================================== */

static size_t build_init(uint8_t *out, size_t cap, uint32_t tag, uint32_t tsn,
                         const csctp_addr *addrs, size_t naddrs) {
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, out, cap);
  csctp_init in = {.init_tag = tag,
                   .a_rwnd = 65536,
                   .num_ostreams = 10,
                   .max_instreams = 10,
                   .init_tsn = tsn};
  if (csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off) != 0)
    return 0;
  for (size_t i = 0; i < naddrs; i++)
    if (csctp_put_addr_param(&b, &addrs[i]) != 0)
      return 0;
  if (csctp_chunk_end(&b, off) != 0)
    return 0;
  return b.len;
}

static void test_init_flood(void) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  /* Warm up the data path (lazily allocated structures). */
  for (int i = 0; i < 3; i++) {
    REQUIRE(net_echo(&n));
    net_run(&n, 1 * CSCTP_SECONDS);
  }
  size_t live0 = n.ms.live, bytes0 = n.ms.bytes, peak0 = n.ms.peak;
  uint64_t allocs0 = n.ms.count;
  uint64_t stray0 = n.stray;
  csctp_endpoint_stats st0, st;
  csctp_endpoint_stats_get(n.s, &st0);

  const int total = 100000;
  uint64_t init_acks = 0, bad_live = 0;
  int echo_ok = 1;
  uint8_t chunk[256];
  for (int i = 0; i < total; i++) {
    uint32_t x = (uint32_t)i * 2654435761u;
    csctp_addr src =
        v4(172, (uint8_t)(16 + (x >> 28)), (uint8_t)(x >> 8), (uint8_t)x);
    csctp_addr listed[2] = {v4(192, 168, (uint8_t)(i >> 8), (uint8_t)i),
                            n.addr_c};
    size_t len = build_init(chunk, sizeof(chunk), x | 1, x ^ 0x5555, listed,
                            (size_t)(i % 3));
    uint16_t sport = (uint16_t)(1024 + i % 60000);
    size_t live_before = n.ms.bytes;
    inject(n.s, &src, &n.addr_s, sport, PORT_S, 0, chunk, len, n.now);
    if (n.ms.bytes != live_before)
      bad_live++; /* answering an INIT must not allocate */
    uint64_t s0 = n.stray;
    net_flush(&n);
    init_acks += n.stray - s0;
    if (n.stray > s0 &&
        !pkt_find(n.last_stray.b, n.last_stray.len, CSCTP_CT_INIT_ACK, NULL))
      bad_live++;
    if (i % 1000 == 999) {
      /* The existing association keeps exchanging data during the flood.
       * Run the clock a little so that delayed SACKs go out. */
      echo_ok &= net_echo(&n);
      n.now += 250 * CSCTP_MILLISECONDS;
      csctp_endpoint_handle_expiry(n.c, n.now);
      csctp_endpoint_handle_expiry(n.s, n.now);
      net_flush(&n);
    }
  }
  size_t peak_flood = n.ms.peak;
  CHECK(echo_ok);
  CHECK_EQ(bad_live, 0);
  CHECK_EQ(init_acks, (uint64_t)total);
  CHECK_EQ(n.stray - stray0, (uint64_t)total);

  /* Hold S's output back: the fixed control ring fills, INITs are dropped
   * and counted, still without allocating. */
  for (int i = 0; i < 100; i++) {
    csctp_addr src = v4(172, 31, 0, (uint8_t)i);
    size_t len =
        build_init(chunk, sizeof(chunk), 0x1000u + (uint32_t)i, 1, NULL, 0);
    inject(n.s, &src, &n.addr_s, 999, PORT_S, 0, chunk, len, n.now);
  }
  csctp_endpoint_stats_get(n.s, &st);
  CHECK(st.inits_dropped - st0.inits_dropped >= 80);
  CHECK_EQ(st.assocs, 1);
  net_flush(&n);
  net_run(&n, 2 * CSCTP_SECONDS);
  CHECK(net_echo(&n));
  net_run(&n, 2 * CSCTP_SECONDS);
  printf("INIT flood: %d INITs from spoofed sources -> %llu INIT ACKs; "
         "S live: %zu allocations / %zu bytes before, %zu / %zu after; "
         "peak %zu bytes before the flood, %zu during; "
         "%llu allocations during the flood (data echoes only); "
         "%llu INITs dropped with the output held back\n",
         total, (unsigned long long)init_acks, live0, bytes0, (size_t)n.ms.live,
         n.ms.bytes, peak0, peak_flood,
         (unsigned long long)(n.ms.count - allocs0),
         (unsigned long long)(st.inits_dropped - st0.inits_dropped));
  CHECK_EQ(n.ms.live, live0);
  CHECK_EQ(n.ms.bytes, bytes0);
  CHECK_EQ(peak_flood, peak0);
  CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_UP], 1);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_RESTART], 0);
  net_free(&n);
}

/* ======================================================================== */
/* Cookies                                                                  */
/* ======================================================================== */

/* Offset of the cookie in a COOKIE ECHO packet and its length. */
static size_t cookie_len_of(const pkt *p) { return csctp_get16(p->b + 14) - 4; }
#define COOKIE_OFF 16

static void test_forged_cookie(void) {
  net n;
  net_init(&n, NULL);
  n.hold_type[0] = CSCTP_CT_COOKIE_ECHO;
  CHECK_EQ(csctp_connect(n.c, &n.addr_s, 1, PORT_S, NULL, n.now, &n.cid), 0);
  net_flush(&n);
  REQUIRE(n.nheld[0] == 1);
  pkt orig = n.held[0];
  size_t clen = cookie_len_of(&orig);
  csctp_endpoint_stats st;
  static uint8_t out[2048];
  csctp_addr dst;

  /* Flip a MAC byte (the MAC is the last 32 bytes of the cookie). */
  for (int which = 0; which < 3; which++) {
    pkt f = orig;
    size_t at = which == 0   ? COOKIE_OFF + clen - 1
                : which == 1 ? COOKIE_OFF + clen - 32
                             : COOKIE_OFF + 30; /* a body byte: the tags */
    f.b[at] ^= 0x40;
    csctp_sctp_checksum_store(f.b, f.len);
    csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, f.b, f.len, n.now);
    CHECK_EQ(csctp_endpoint_write_pkt(n.s, &dst, NULL, out, sizeof(out), n.now),
             0); /* 5.1.5 (2): silently discarded */
  }
  /* RFC 5062 7: the same cookie with another source port. */
  {
    pkt f = orig;
    csctp_put16(f.b, PORT_C + 1);
    csctp_sctp_checksum_store(f.b, f.len);
    csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, f.b, f.len, n.now);
    CHECK_EQ(csctp_endpoint_write_pkt(n.s, &dst, NULL, out, sizeof(out), n.now),
             0);
  }
  /* A truncated cookie. */
  {
    pkt f = orig;
    csctp_put16(f.b + 14, (uint16_t)(4 + clen - 8));
    f.len -= 8;
    csctp_sctp_checksum_store(f.b, f.len);
    csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, f.b, f.len, n.now);
  }
  csctp_endpoint_stats_get(n.s, &st);
  CHECK_EQ(st.bad_cookie, 5);
  CHECK_EQ(st.assocs, 0);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_UP], 0);
  /* The genuine cookie still works. */
  csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, orig.b, orig.len, n.now);
  net_flush(&n);
  csctp_endpoint_stats_get(n.s, &st);
  CHECK_EQ(st.assocs, 1);
  CHECK_EQ(n.ev[0][CSCTP_EV_ASSOC_UP], 1);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_UP], 1);
  CHECK(net_echo(&n));
  net_free(&n);
}

static void test_expired_cookie(void) {
  net n;
  net_init(&n, NULL);
  n.hold_type[0] = CSCTP_CT_COOKIE_ECHO;
  CHECK_EQ(csctp_connect(n.c, &n.addr_s, 1, PORT_S, NULL, n.now, &n.cid), 0);
  net_flush(&n);
  REQUIRE(n.nheld[0] == 1);
  uint32_t ctag = n.tag_c;
  CHECK(ctag != 0);
  /* Valid.Cookie.Life is 60 s: arrive 61.5 s after the INIT ACK. */
  n.now += 61500 * CSCTP_MILLISECONDS;
  csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, n.held[0].b, n.held[0].len,
                          n.now);
  static uint8_t out[2048];
  csctp_addr dst;
  csctp_ssize len =
      csctp_endpoint_write_pkt(n.s, &dst, NULL, out, sizeof(out), n.now);
  REQUIRE(len > 0);
  CHECK(csctp_addr_equal(&dst, &n.addr_c));
  CHECK_EQ(csctp_get32(out + 4), ctag); /* the peer's tag, from the cookie */
  csctp_tlv err, cause;
  REQUIRE(pkt_find(out, (size_t)len, CSCTP_CT_ERROR, &err));
  REQUIRE(tlv_find_param(&err, 0, CSCTP_CAUSE_STALE_COOKIE, &cause));
  CHECK_EQ(cause.value_len, 4);
  /* 3.3.10.3: staleness in microseconds, here 1.5 s. */
  CHECK_EQ(csctp_get32(cause.value), 1500000);
  csctp_endpoint_stats st;
  csctp_endpoint_stats_get(n.s, &st);
  CHECK_EQ(st.bad_cookie, 1);
  CHECK_EQ(st.assocs, 0);
  /* C gets the ERROR and starts over with a Cookie Preservative (5.2.6). */
  csctp_endpoint_read_pkt(n.c, &n.addr_s, &n.addr_c, out, (size_t)len, n.now);
  n.cap_type[0] = CSCTP_CT_INIT;
  net_flush(&n);
  CHECK_EQ(n.ncap[0], 1);
  csctp_tlv init;
  if (n.ncap[0] == 1 &&
      pkt_find(n.cap[0].b, n.cap[0].len, CSCTP_CT_INIT, &init))
    CHECK(tlv_find_param(&init, 16, CSCTP_PT_COOKIE_PRESERVATIVE, NULL));
  CHECK_EQ(n.ev[0][CSCTP_EV_ASSOC_UP], 1);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_UP], 1);
  CHECK(net_echo(&n));
  net_free(&n);
}

static void test_replayed_cookie(void) {
  net n;
  net_init(&n, NULL);
  n.cap_type[0] = CSCTP_CT_COOKIE_ECHO;
  REQUIRE(net_connect(&n));
  REQUIRE(n.ncap[0] == 1);
  pkt ce = n.cap[0];
  REQUIRE(net_echo(&n));
  net_run(&n, 1 * CSCTP_SECONDS);
  static uint8_t out[2048];
  csctp_addr dst;
  for (int round = 0; round < 2; round++) {
    /* Round 1 replays it after Valid.Cookie.Life: both tags match, so it
     * is still valid (5.2.4 (3), case E) and action D applies. */
    if (round == 1)
      net_run(&n, 120 * CSCTP_SECONDS);
    csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, ce.b, ce.len, n.now);
    csctp_ssize len =
        csctp_endpoint_write_pkt(n.s, &dst, NULL, out, sizeof(out), n.now);
    REQUIRE(len > 0);
    CHECK(pkt_find(out, (size_t)len, CSCTP_CT_COOKIE_ACK, NULL));
    CHECK(!pkt_find(out, (size_t)len, CSCTP_CT_ERROR, NULL));
    CHECK_EQ(csctp_get32(out + 4), n.tag_c);
    /* C, established, ignores the COOKIE ACK (5.2.5). */
    csctp_endpoint_read_pkt(n.c, &n.addr_s, &n.addr_c, out, (size_t)len, n.now);
    net_flush(&n);
    csctp_endpoint_stats st;
    csctp_endpoint_stats_get(n.s, &st);
    CHECK_EQ(st.assocs, 1);
    CHECK_EQ(st.bad_cookie, 0);
    CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_UP], 1); /* no event repeated */
    CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_RESTART], 0);
    CHECK_EQ(n.ev[0][CSCTP_EV_ASSOC_UP], 1);
    CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
    CHECK_EQ(assoc_state(n.c, n.cid), CSCTP_STATE_ESTABLISHED);
    CHECK(net_echo(&n));
  }
  net_free(&n);
}

/* ======================================================================== */
/* Verification tags (8.5, 8.5.1)                                           */
/* ======================================================================== */

static size_t chunk_of(uint8_t *out, int type, uint8_t flags, uint32_t arg) {
  csctp_buf b;
  csctp_buf_init(&b, out, 256);
  switch (type) {
  case CSCTP_CT_ABORT:
    csctp_put_cause_chunk(&b, CSCTP_CT_ABORT, flags, CSCTP_CAUSE_USER_ABORT,
                          "x", 1);
    break;
  case CSCTP_CT_SHUTDOWN:
    csctp_put_shutdown(&b, arg);
    break;
  case CSCTP_CT_SHUTDOWN_ACK:
  case CSCTP_CT_SHUTDOWN_COMPLETE:
  case CSCTP_CT_COOKIE_ACK:
    csctp_put_empty_chunk(&b, (uint8_t)type, flags);
    break;
  case CSCTP_CT_SACK:
    csctp_put_sack(&b, arg, 0, NULL, 0, NULL, 0);
    break;
  case CSCTP_CT_HEARTBEAT:
    csctp_put_heartbeat(&b, CSCTP_CT_HEARTBEAT, "probe-probe", 11);
    break;
  case CSCTP_CT_DATA: {
    csctp_data d = {.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E |
                             CSCTP_DATA_FLAG_I,
                    .tsn = arg,
                    .sid = 2,
                    .ssn = 0,
                    .ppid = 1,
                    .payload = (const uint8_t *)"evil",
                    .len = 4};
    csctp_put_data(&b, &d);
    break;
  }
  }
  return b.len;
}

/* What an injected packet did to S: packets S emitted at once. */
static int s_output_now(net *n, pkt *first) {
  static uint8_t buf[70000];
  csctp_addr dst;
  csctp_ssize len;
  int k = 0;
  while ((len = csctp_endpoint_write_pkt(n->s, &dst, NULL, buf, sizeof(buf),
                                         n->now)) > 0) {
    if (k == 0 && first) {
      memcpy(first->b, buf, (size_t)len);
      first->len = (size_t)len;
      first->dst = dst;
    }
    k++;
    csctp_endpoint_read_pkt(n->c, &n->addr_s, &n->addr_c, buf, (size_t)len,
                            n->now);
  }
  return k;
}

static void test_wrong_vtag(void) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  REQUIRE(net_echo(&n));
  net_run(&n, 1 * CSCTP_SECONDS);
  /* The TSN C would use next: DATA with it would be accepted with the
   * right tag. */
  csctp_rcvinfo ri;
  uint8_t tmp[512];
  csctp_sndinfo si = {.sid = 0, .assoc_id = n.cid};
  csctp_send(n.c, &si, NULL, (const uint8_t *)"z", 1, n.now);
  net_flush(&n);
  REQUIRE(csctp_recv(n.s, n.sid, &ri, tmp, sizeof(tmp), n.now) == 1);
  uint32_t next_tsn = ri.cumtsn + 1;
  net_run(&n, 1 * CSCTP_SECONDS);

  static const int types[] = {CSCTP_CT_ABORT,        CSCTP_CT_SHUTDOWN,
                              CSCTP_CT_SHUTDOWN_ACK, CSCTP_CT_SHUTDOWN_COMPLETE,
                              CSCTP_CT_SACK,         CSCTP_CT_DATA,
                              CSCTP_CT_HEARTBEAT};
  uint32_t wrong[] = {n.tag_s ^ 0x00010000u, 0, n.tag_c};
  csctp_endpoint_stats st0, st;
  csctp_endpoint_stats_get(n.s, &st0);
  int injected = 0;
  for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
    for (size_t w = 0; w < 3; w++) {
      uint8_t ch[256];
      uint32_t arg = types[t] == CSCTP_CT_DATA ? next_tsn : 0x7fffffffu;
      size_t len = chunk_of(ch, types[t], 0, arg);
      inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, wrong[w], ch, len,
             n.now);
      injected++;
      pkt first;
      int k = s_output_now(&n, &first);
      if (k != 0)
        fprintf(stderr, "wrong vtag: chunk %d tag #%zu drew %d packets\n",
                types[t], w, k);
      CHECK_EQ(k, 0);
      net_events(&n);
      CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
      CHECK_EQ(csctp_recv_pending(n.s, n.sid), 0);
    }
  }
  /* 8.5.1 B, C: the T bit misused. T set with S's own tag; T clear with
   * the peer's tag. */
  for (int t = 0; t < 2; t++) {
    uint8_t ch[256];
    int type = t == 0 ? CSCTP_CT_ABORT : CSCTP_CT_SHUTDOWN_COMPLETE;
    size_t len = chunk_of(ch, type, CSCTP_FLAG_T, 0);
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_s, ch, len, n.now);
    len = chunk_of(ch, type, 0, 0);
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_c, ch, len, n.now);
    CHECK_EQ(s_output_now(&n, NULL), 0);
    net_events(&n);
    CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  }
  csctp_endpoint_stats_get(n.s, &st);
  CHECK(st.bad_vtag - st0.bad_vtag >= (uint64_t)injected);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_LOST], 0);
  CHECK_EQ(n.ev[1][CSCTP_EV_SHUTDOWN_RECEIVED], 0);
  CHECK_EQ(n.ev[1][CSCTP_EV_REMOTE_ERROR], 0);
  CHECK(net_echo(&n));
  net_run(&n, 5 * CSCTP_SECONDS);
  CHECK(net_echo(&n));
  CHECK_EQ(assoc_state(n.c, n.cid), CSCTP_STATE_ESTABLISHED);

  /* Positive controls: the same chunks with the right tag take effect. */
  {
    uint8_t ch[256];
    size_t len = chunk_of(ch, CSCTP_CT_HEARTBEAT, 0, 0);
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_s, ch, len, n.now);
    pkt first;
    CHECK_EQ(s_output_now(&n, &first), 1);
    CHECK(pkt_find(first.b, first.len, CSCTP_CT_HEARTBEAT_ACK, NULL));
  }
  {
    /* ABORT with T set and the peer's tag is accepted (8.5.1 B). */
    uint8_t ch[256];
    size_t len = chunk_of(ch, CSCTP_CT_ABORT, CSCTP_FLAG_T, 0);
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_c, ch, len, n.now);
    net_events(&n);
    CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_LOST], 1);
    CHECK_EQ(n.last_lost_reason[1], CSCTP_LOST_PEER_ABORT);
  }
  net_free(&n);
}

/* 8.5.1 B, C: the T bit lets the reflected tag through for the ABORT or
 * SHUTDOWN COMPLETE only; 6.10 forbids bundling SHUTDOWN COMPLETE with any
 * other chunk. A packet carrying the peer's tag, DATA and a SHUTDOWN
 * COMPLETE with T set must not deliver the DATA. */
static void test_t_bit_does_not_carry_other_chunks(void) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  REQUIRE(net_echo(&n));
  csctp_rcvinfo ri;
  uint8_t tmp[64];
  csctp_sndinfo si = {.sid = 0, .assoc_id = n.cid};
  csctp_send(n.c, &si, NULL, (const uint8_t *)"q", 1, n.now);
  net_flush(&n);
  REQUIRE(csctp_recv(n.s, n.sid, &ri, tmp, sizeof(tmp), n.now) == 1);
  net_run(&n, 1 * CSCTP_SECONDS);
  uint8_t ch[512];
  size_t len = chunk_of(ch, CSCTP_CT_DATA, 0, ri.cumtsn + 1);
  len += chunk_of(ch + len, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T, 0);
  inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_c, ch, len, n.now);
  size_t pending = csctp_recv_pending(n.s, n.sid);
  if (pending)
    fprintf(stderr, "ENGINE BUG (RFC 9260 8.5, 8.5.1 C, 6.10): DATA bundled "
                    "with a T-bit SHUTDOWN COMPLETE under the peer's tag was "
                    "delivered\n");
  CHECK_EQ(pending, 0);
  CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  net_free(&n);
}

/* SHUTDOWN ACK and SHUTDOWN COMPLETE only matter in the shutdown states:
 * put S there and try the wrong tags and T-bit misuse. */
static void test_wrong_vtag_shutdown_states(void) {
  /* S in SHUTDOWN-SENT: its SHUTDOWN is held back. */
  {
    net n;
    net_init(&n, NULL);
    REQUIRE(net_connect(&n));
    REQUIRE(net_echo(&n));
    net_run(&n, 1 * CSCTP_SECONDS);
    n.hold_type[1] = CSCTP_CT_SHUTDOWN;
    CHECK_EQ(csctp_shutdown(n.s, n.sid, n.now), 0);
    net_flush(&n);
    REQUIRE(n.nheld[1] == 1);
    REQUIRE(assoc_state(n.s, n.sid) == CSCTP_STATE_SHUTDOWN_SENT);
    uint8_t ch[256];
    size_t len = chunk_of(ch, CSCTP_CT_SHUTDOWN_ACK, 0, 0);
    uint32_t wrong[] = {n.tag_s ^ 0x80u, 0, n.tag_c};
    for (int w = 0; w < 3; w++) {
      inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, wrong[w], ch, len,
             n.now);
      CHECK_EQ(s_output_now(&n, NULL), 0);
      CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_SHUTDOWN_SENT);
    }
    net_events(&n);
    CHECK_EQ(n.ev[1][CSCTP_EV_SHUTDOWN_COMPLETE], 0);
    /* Right tag: S answers SHUTDOWN COMPLETE and closes. */
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_s, ch, len, n.now);
    pkt first;
    CHECK_EQ(s_output_now(&n, &first), 1);
    CHECK(pkt_find(first.b, first.len, CSCTP_CT_SHUTDOWN_COMPLETE, NULL));
    net_events(&n);
    CHECK_EQ(n.ev[1][CSCTP_EV_SHUTDOWN_COMPLETE], 1);
    net_free(&n);
  }
  /* S in SHUTDOWN-ACK-SENT: C shuts down, S's SHUTDOWN ACK is held. */
  {
    net n;
    net_init(&n, NULL);
    REQUIRE(net_connect(&n));
    REQUIRE(net_echo(&n));
    net_run(&n, 1 * CSCTP_SECONDS);
    n.hold_type[1] = CSCTP_CT_SHUTDOWN_ACK;
    CHECK_EQ(csctp_shutdown(n.c, n.cid, n.now), 0);
    net_flush(&n);
    REQUIRE(n.nheld[1] == 1);
    REQUIRE(assoc_state(n.s, n.sid) == CSCTP_STATE_SHUTDOWN_ACK_SENT);
    uint8_t ch[256];
    struct {
      uint32_t tag;
      uint8_t flags;
    } bad[] = {{n.tag_s, CSCTP_FLAG_T}, /* T set with our own tag */
               {n.tag_c, 0},            /* T clear with the peer's tag */
               {n.tag_s ^ 1u, 0},
               {n.tag_c ^ 1u, CSCTP_FLAG_T},
               {0, 0}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      size_t len = chunk_of(ch, CSCTP_CT_SHUTDOWN_COMPLETE, bad[i].flags, 0);
      inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, bad[i].tag, ch, len,
             n.now);
      CHECK_EQ(s_output_now(&n, NULL), 0);
      net_events(&n);
      CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_SHUTDOWN_ACK_SENT);
      CHECK_EQ(n.ev[1][CSCTP_EV_SHUTDOWN_COMPLETE], 0);
      /* ABORT misused the same way. */
      len = chunk_of(ch, CSCTP_CT_ABORT, bad[i].flags, 0);
      inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, bad[i].tag, ch, len,
             n.now);
      net_events(&n);
      CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_SHUTDOWN_ACK_SENT);
      CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_LOST], 0);
    }
    /* T set with the peer's tag is accepted (8.5.1 C). */
    size_t len = chunk_of(ch, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T, 0);
    inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, n.tag_c, ch, len, n.now);
    net_events(&n);
    CHECK_EQ(n.ev[1][CSCTP_EV_SHUTDOWN_COMPLETE], 1);
    net_free(&n);
  }
}

/* ======================================================================== */
/* RFC 5062                                                                 */
/* ======================================================================== */

/* Runs a hand-made handshake from `from` (port sport) listing addrs in the
 * INIT; bundles `extra` after the COOKIE ECHO. Returns 1 if S answered the
 * INIT with an INIT ACK to `from` (and fills *tag_s with its tag). */
static int attacker_handshake(net *n, const csctp_addr *from, uint16_t sport,
                              uint32_t my_tag, const csctp_addr *addrs,
                              size_t naddrs, const uint8_t *extra,
                              size_t extra_len, uint32_t *tag_s,
                              pkt *init_answer) {
  static uint8_t chunk[70000];
  size_t len = build_init(chunk, sizeof(chunk), my_tag, 777, addrs, naddrs);
  uint64_t stray0 = n->stray;
  inject(n->s, from, &n->addr_s, sport, PORT_S, 0, chunk, len, n->now);
  net_flush(n);
  if (init_answer)
    *init_answer = n->last_stray;
  if (n->stray != stray0 + 1 || !csctp_addr_equal(&n->last_stray.dst, from))
    return 0;
  csctp_tlv c, ck;
  csctp_init ack;
  if (!pkt_find(n->last_stray.b, n->last_stray.len, CSCTP_CT_INIT_ACK, &c) ||
      csctp_init_decode(&c, &ack) != 0 ||
      !tlv_find_param(&c, 16, CSCTP_PT_STATE_COOKIE, &ck))
    return 0;
  *tag_s = ack.init_tag;
  csctp_buf b;
  csctp_buf_init(&b, chunk, sizeof(chunk));
  csctp_put_cookie_echo(&b, ck.value, ck.value_len);
  csctp_put_bytes(&b, extra, extra_len);
  inject(n->s, from, &n->addr_s, sport, PORT_S, ack.init_tag, chunk, b.len,
         n->now);
  return 1;
}

/* A second peer at a new address using the victim's port: a separate
 * association; the victim's is untouched. */
static void test_hijack_new_address_single_homed(void) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  REQUIRE(net_echo(&n));
  csctp_addr evil = v4(10, 0, 0, 66);
  uint32_t tag_s2 = 0;
  REQUIRE(attacker_handshake(&n, &evil, PORT_C, 0x0BADBEEF, NULL, 0, NULL, 0,
                             &tag_s2, NULL));
  net_flush(&n);
  csctp_endpoint_stats st;
  csctp_endpoint_stats_get(n.s, &st);
  CHECK_EQ(st.assocs, 2); /* the attacker got its own association */
  CHECK(tag_s2 != n.tag_s);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_RESTART], 0);
  CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  CHECK(net_echo(&n));
  net_run(&n, 10 * CSCTP_SECONDS);
  CHECK(net_echo(&n));
  net_free(&n);
}

/* RFC 5062 3/4 flavour: an attacker at a new address lists the victim's
 * address in its INIT, then sends the COOKIE ECHO with chunks bundled
 * behind it (ABORT; DATA). The cookie matches no case of RFC 9260 5.2.4
 * Table 12 for the victim's association (both tags differ, no tie-tags),
 * so it must be silently discarded -- with the rest of its packet. */
static void hijack_cookie_lists_victim_address(int variant) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  REQUIRE(net_echo(&n));
  net_run(&n, 1 * CSCTP_SECONDS);
  csctp_addr evil = v4(10, 0, 0, 66);
  csctp_addr listed[2] = {n.addr_c, v4(10, 0, 0, 77)};
  uint8_t extra[256];
  size_t elen;
  if (variant == 0) {
    elen = chunk_of(extra, CSCTP_CT_ABORT, 0, 0);
  } else {
    /* DATA that would be the victim association's next TSN. */
    csctp_rcvinfo ri;
    uint8_t tmp[64];
    csctp_sndinfo si = {.sid = 0, .assoc_id = n.cid};
    csctp_send(n.c, &si, NULL, (const uint8_t *)"q", 1, n.now);
    net_flush(&n);
    REQUIRE(csctp_recv(n.s, n.sid, &ri, tmp, sizeof(tmp), n.now) == 1);
    elen = chunk_of(extra, CSCTP_CT_DATA, 0, ri.cumtsn + 1);
  }
  uint32_t tag2 = 0;
  REQUIRE(attacker_handshake(&n, &evil, PORT_C, 0x0BADBEEF, listed, 2, extra,
                             elen, &tag2, NULL));
  net_flush(&n);
  if (n.ev[1][CSCTP_EV_ASSOC_LOST] != 0 || csctp_recv_pending(n.s, n.sid) != 0)
    fprintf(stderr,
            "ENGINE BUG (RFC 9260 5.2.4): chunks bundled after a discarded "
            "COOKIE ECHO reached the victim's association (%s)\n",
            variant == 0 ? "ABORT" : "DATA");
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_LOST], 0);
  CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(csctp_recv_pending(n.s, n.sid), 0);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_RESTART], 0);
  if (n.ev[1][CSCTP_EV_ASSOC_LOST] == 0)
    CHECK(net_echo(&n));
  net_free(&n);
}

static void test_hijack_cookie_bundled_abort(void) {
  hijack_cookie_lists_victim_address(0);
}

static void test_hijack_cookie_bundled_data(void) {
  hijack_cookie_lists_victim_address(1);
}

/* RFC 5062 2 (camping): the attacker sets up first, from its own address,
 * listing the victim's address too. S must treat the listed address as
 * UNCONFIRMED (5.4): nothing but HEARTBEATs (and a COOKIE ACK bundled with
 * one) may go there, and path confirmation reaches the victim, whose OOTB
 * ABORT (8.4 (8), T bit) ends the attacker's association. The victim can
 * then associate. The attacker stays silent (its packets are dropped). */
static void test_camping(void) {
  net n;
  net_init(&n, NULL);
  csctp_addr evil = v4(10, 0, 0, 66);
  csctp_addr listed[1] = {n.addr_c};
  uint32_t tag_s = 0;
  REQUIRE(attacker_handshake(&n, &evil, PORT_C, 0x0BADBEEF, listed, 1, NULL, 0,
                             &tag_s, NULL));
  net_events(&n);
  REQUIRE(n.ev[1][CSCTP_EV_ASSOC_UP] == 1);
  csctp_assoc_id evil_id = n.sid;
  csctp_path_status ps[4];
  int np = csctp_assoc_paths(n.s, evil_id, ps, 4);
  CHECK_EQ(np, 2);
  int victim_path = -1;
  for (int i = 0; i < np && i < 4; i++)
    if (csctp_addr_equal(&ps[i].addr, &n.addr_c))
      victim_path = i;
  REQUIRE(victim_path >= 0);
  CHECK_EQ(ps[victim_path].state, CSCTP_PATH_UNCONFIRMED);
  CHECK(!ps[victim_path].is_primary);
  /* S's user sends data to the attacker. */
  csctp_sndinfo si = {.sid = 0, .assoc_id = evil_id};
  static uint8_t big[20000];
  CHECK_EQ(csctp_send(n.s, &si, NULL, big, sizeof(big), n.now), 0);
  static uint8_t buf[70000];
  csctp_addr dst;
  csctp_ssize len;
  int to_victim = 0, hb_to_victim = 0, data_to_victim = 0;
  csctp_tstamp end = n.now + 120 * CSCTP_SECONDS, abort_at = 0;
  while (n.now < end) {
    while ((len = csctp_endpoint_write_pkt(n.s, &dst, NULL, buf, sizeof(buf),
                                           n.now)) > 0) {
      if (!csctp_addr_equal(&dst, &n.addr_c))
        continue; /* to the attacker: dropped */
      to_victim++;
      hb_to_victim += pkt_find(buf, (size_t)len, CSCTP_CT_HEARTBEAT, NULL);
      data_to_victim += pkt_find(buf, (size_t)len, CSCTP_CT_DATA, NULL);
      /* The victim's endpoint (no association) answers. */
      csctp_endpoint_read_pkt(n.c, &n.addr_s, &n.addr_c, buf, (size_t)len,
                              n.now);
    }
    while ((len = csctp_endpoint_write_pkt(n.c, &dst, NULL, buf, sizeof(buf),
                                           n.now)) > 0)
      csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, buf, (size_t)len,
                              n.now);
    net_events(&n);
    if (n.ev[1][CSCTP_EV_ASSOC_LOST]) {
      abort_at = n.now;
      break;
    }
    csctp_tstamp e = csctp_endpoint_get_expiry(n.s);
    if (e == CSCTP_TSTAMP_NEVER)
      break;
    if (e > n.now)
      n.now = e;
    csctp_endpoint_handle_expiry(n.s, n.now);
  }
  printf("camping: %d packets to the camped-on address (%d with HEARTBEAT, "
         "%d with DATA); attacker's association %s after %.1f s\n",
         to_victim, hb_to_victim, data_to_victim,
         n.ev[1][CSCTP_EV_ASSOC_LOST] ? "aborted by the victim" : "alive",
         abort_at ? (double)(abort_at - (end - 120 * CSCTP_SECONDS)) / 1e9
                  : 0.0);
  CHECK_EQ(data_to_victim, 0);
  CHECK(hb_to_victim >= 1);
  CHECK_EQ(to_victim, hb_to_victim);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_LOST], 1);
  CHECK_EQ(n.last_lost_reason[1], CSCTP_LOST_PEER_ABORT);
  /* The victim now connects. */
  n.sid = 0;
  CHECK(net_connect(&n));
  if (n.sid)
    CHECK(net_echo(&n));
  net_free(&n);
}

/* RFC 9260 6.4: replies go to the address the chunk came from. A
 * multi-homed peer lists a second address that does not work (say a
 * private one): the COOKIE ACK must still reach it at the source of the
 * COOKIE ECHO, so the handshake completes without a retransmission. */
static void test_cookie_ack_to_source(void) {
  net n;
  net_init(&n, NULL);
  csctp_addr mine[2] = {n.addr_c, v4(192, 168, 1, 1)};
  CHECK_EQ(csctp_endpoint_set_local_addrs(n.c, mine, 2), 0);
  n.cap_type[1] = CSCTP_CT_COOKIE_ACK;
  CHECK_EQ(csctp_connect(n.c, &n.addr_s, 1, PORT_S, NULL, n.now, &n.cid), 0);
  net_flush(&n);
  if (n.ev[0][CSCTP_EV_ASSOC_UP] == 0)
    fprintf(stderr,
            "ENGINE BUG (RFC 9260 6.4/5.4): COOKIE ACK went to the "
            "unconfirmed address %u.%u.%u.%u, not to the COOKIE "
            "ECHO's source\n",
            n.last_stray.dst.ip[0], n.last_stray.dst.ip[1],
            n.last_stray.dst.ip[2], n.last_stray.dst.ip[3]);
  CHECK_EQ(n.ev[0][CSCTP_EV_ASSOC_UP], 1); /* no timer needed */
  CHECK_EQ(n.ncap[1], 1);
  csctp_tstamp t0 = n.now;
  while (n.ev[0][CSCTP_EV_ASSOC_UP] == 0 && n.now - t0 < 120 * CSCTP_SECONDS)
    net_run(&n, 100 * CSCTP_MILLISECONDS);
  if (n.now > t0)
    fprintf(stderr, "  (C came up after %.1f s)\n", (double)(n.now - t0) / 1e9);
  CHECK_EQ(n.ev[0][CSCTP_EV_ASSOC_UP], 1);
  CHECK(net_echo(&n));
  net_free(&n);
}

/* RFC 9260 5.2.2 with RFC 5062 2: while the attacker's association camps
 * on the victim's address, the multi-homed victim's INIT adds a new
 * address: S must answer with ABORT (tag = the INIT's Initiate Tag), not an
 * INIT ACK, and must not restart the existing association. */
static void test_camping_restart_with_new_addresses(void) {
  net n;
  net_init(&n, NULL);
  csctp_addr evil = v4(10, 0, 0, 66);
  csctp_addr listed[1] = {n.addr_c};
  uint32_t tag_s = 0;
  REQUIRE(attacker_handshake(&n, &evil, PORT_C, 0x0BADBEEF, listed, 1, NULL, 0,
                             &tag_s, NULL));
  /* Drop S's path confirmation heartbeats: the camping lasts. */
  static uint8_t buf[70000];
  csctp_addr dst;
  while (csctp_endpoint_write_pkt(n.s, &dst, NULL, buf, sizeof(buf), n.now) > 0)
    ;
  net_events(&n);
  REQUIRE(n.ev[1][CSCTP_EV_ASSOC_UP] == 1);
  csctp_assoc_id evil_id = n.sid;
  /* The victim lists 10.0.0.1 (camped on) and 10.0.0.3 (new). */
  csctp_addr mine[2] = {n.addr_c, v4(10, 0, 0, 3)};
  CHECK_EQ(csctp_endpoint_set_local_addrs(n.c, mine, 2), 0);
  n.cap_type[0] = CSCTP_CT_INIT;
  n.cap_type[1] = -1;
  CHECK_EQ(csctp_connect(n.c, &n.addr_s, 1, PORT_S, NULL, n.now, &n.cid), 0);
  /* Move the INIT by hand and look at the answer. */
  csctp_ssize len =
      csctp_endpoint_write_pkt(n.c, &dst, NULL, buf, sizeof(buf), n.now);
  REQUIRE(len > 0 && buf[12] == CSCTP_CT_INIT);
  csctp_tlv ic;
  csctp_init in;
  REQUIRE(pkt_find(buf, (size_t)len, CSCTP_CT_INIT, &ic));
  REQUIRE(csctp_init_decode(&ic, &in) == 0);
  csctp_endpoint_read_pkt(n.s, &n.addr_c, &n.addr_s, buf, (size_t)len, n.now);
  pkt ans;
  ans.len = 0;
  len = csctp_endpoint_write_pkt(n.s, &dst, NULL, ans.b, sizeof(ans.b), n.now);
  REQUIRE(len > 0);
  ans.len = (size_t)len;
  int is_abort = pkt_find(ans.b, ans.len, CSCTP_CT_ABORT, NULL);
  if (!is_abort)
    fprintf(stderr,
            "ENGINE BUG (RFC 9260 5.2.2): INIT adding a new address "
            "to an existing association answered with chunk %u, "
            "not ABORT\n",
            ans.b[12]);
  CHECK(is_abort);
  CHECK_EQ(csctp_get32(ans.b + 4), in.init_tag);
  /* Deliver the answer and let things run: the attacker's association must
   * not have been restarted by the victim. */
  csctp_endpoint_read_pkt(n.c, &n.addr_s, &n.addr_c, ans.b, ans.len, n.now);
  net_flush(&n);
  CHECK_EQ(n.ev[1][CSCTP_EV_ASSOC_RESTART], 0);
  (void)evil_id;
  net_free(&n);
}

/* An INIT listing thousands of addresses: bounded by max_init_addrs, and
 * answering it allocates nothing; the association built from it is no
 * bigger than one built from a plain INIT. */
static void test_init_thousands_of_addresses(void) {
  raw r;
  raw_init(&r, NULL);
  static uint8_t chunk[70000];
  static csctp_addr addrs[8000];
  for (size_t i = 0; i < 8000; i++)
    addrs[i] = v4(11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
  size_t plain_delta = 0;
  for (int big = 0; big < 2; big++) {
    size_t nad = big ? 8000 : 1;
    size_t len = build_init(chunk, sizeof(chunk), 0x1234u + (uint32_t)big, 100,
                            addrs, nad);
    REQUIRE(len > 0);
    csctp_addr from = addrs[0]; /* listed too */
    size_t before = r.ms.bytes, nallocs = r.ms.count;
    inject(r.s, &from, &r.addr_s, (uint16_t)(4000 + big), PORT_S, 0, chunk, len,
           r.now);
    CHECK_EQ(r.ms.count, nallocs);
    CHECK_EQ(r.ms.bytes, before);
    raw_pull(&r);
    csctp_tlv c, ck;
    REQUIRE(raw_find(&r, CSCTP_CT_INIT_ACK, &c) == 0);
    CHECK(r.out[0].len <= 1452);
    REQUIRE(tlv_find_param(&c, 16, CSCTP_PT_STATE_COOKIE, &ck));
    csctp_init ack;
    REQUIRE(csctp_init_decode(&c, &ack) == 0);
    csctp_buf b;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    csctp_put_cookie_echo(&b, ck.value, ck.value_len);
    inject(r.s, &from, &r.addr_s, (uint16_t)(4000 + big), PORT_S, ack.init_tag,
           chunk, b.len, r.now);
    raw_pull(&r);
    REQUIRE(r.sid != 0);
    size_t delta = r.ms.bytes - before;
    csctp_path_status ps[32];
    int np = csctp_assoc_paths(r.s, r.sid, ps, 32);
    if (big) {
      CHECK(np <= 16);
      CHECK(np >= 1);
      printf("INIT with 8000 addresses: %d paths kept, association costs %zu "
             "bytes (plain INIT: %zu)\n",
             np, delta, plain_delta);
      /* Bounded by the path limit, whatever the INIT lists: the paths
       * (allocated as addresses come) are all it may add. */
      CHECK(delta <= plain_delta + 16 * 512);
    } else {
      CHECK_EQ(np, 1);
      plain_delta = delta;
    }
    r.sid = 0;
  }
  raw_free(&r);
}

/* Thousands of parameters in an INIT: unknown ones that ask to be
 * reported (11: skip and report) and ones to skip silently (10). */
static void test_init_thousands_of_params(void) {
  raw r;
  raw_init(&r, NULL);
  static uint8_t chunk[70000];
  for (int kind = 0; kind < 3; kind++) {
    csctp_buf b;
    size_t off;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    csctp_init in = {.init_tag = 0x77u + (uint32_t)kind,
                     .a_rwnd = 65536,
                     .num_ostreams = 1,
                     .max_instreams = 1,
                     .init_tsn = 1};
    csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off);
    for (int i = 0; i < 6000; i++) {
      uint16_t type = kind == 0   ? (uint16_t)(0xC100 + i % 200)
                      : kind == 1 ? (uint16_t)(0x8100 + i % 200)
                                  : CSCTP_PT_SUPPORTED_ADDR_TYPES;
      if (csctp_put_param(&b, type, "abcd", kind == 2 ? 2 : 4) != 0)
        break;
    }
    csctp_chunk_end(&b, off);
    size_t before = r.ms.bytes, nallocs = r.ms.count;
    csctp_addr from = v4(12, 0, 0, (uint8_t)kind);
    inject(r.s, &from, &r.addr_s, 4000, PORT_S, 0, chunk, b.len, r.now);
    CHECK_EQ(r.ms.count, nallocs);
    CHECK_EQ(r.ms.bytes, before);
    CHECK_EQ(raw_pull(&r), 1);
    csctp_tlv c;
    REQUIRE(raw_find(&r, CSCTP_CT_INIT_ACK, &c) == 0);
    CHECK(r.out[0].len <= 1452);
    CHECK(tlv_find_param(&c, 16, CSCTP_PT_STATE_COOKIE, NULL));
    CHECK_EQ(tlv_find_param(&c, 16, CSCTP_PT_UNRECOGNIZED, NULL), kind == 0);
  }
  raw_free(&r);
}

/* RFC 9260 3.2.1: an unrecognised parameter whose upper bits are 00 or 01
 * stops the processing of further parameters, but the INIT itself is
 * still answered; 01 also asks for a report, which goes in the INIT ACK as
 * an Unrecognized Parameter (3.2.2). (RFC 2960 used to discard the whole
 * chunk; RFC 4960 and 9260 do not.) */
static void test_init_unknown_param_stop(void) {
  raw r;
  raw_init(&r, NULL);
  static const uint16_t types[] = {0x0123, 0x4123};
  for (int i = 0; i < 2; i++) {
    uint8_t chunk[256];
    csctp_buf b;
    size_t off;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    csctp_init in = {.init_tag = 0x99u + (uint32_t)i,
                     .a_rwnd = 65536,
                     .num_ostreams = 1,
                     .max_instreams = 1,
                     .init_tsn = 1};
    csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off);
    csctp_put_param(&b, types[i], "zz", 2);
    csctp_chunk_end(&b, off);
    csctp_addr from = v4(13, 0, 0, (uint8_t)i);
    inject(r.s, &from, &r.addr_s, 4000, PORT_S, 0, chunk, b.len, r.now);
    int k = raw_pull(&r);
    csctp_tlv c, u;
    int has_ack = raw_find(&r, CSCTP_CT_INIT_ACK, &c) >= 0;
    if (!has_ack)
      fprintf(stderr,
              "ENGINE BUG (RFC 9260 3.2.1): INIT with parameter "
              "0x%04x (upper bits %d%d) was not answered\n",
              types[i], types[i] >> 15, (types[i] >> 14) & 1);
    CHECK_EQ(k, 1);
    CHECK(has_ack);
    if (has_ack) {
      int reported = tlv_find_param(&c, 16, CSCTP_PT_UNRECOGNIZED, &u);
      CHECK_EQ(reported, i == 1);
      if (reported)
        CHECK_EQ(csctp_get16(u.value), types[i]);
    }
  }
  raw_free(&r);
}

/* RFC 9260 1.3 (Tie-Tags) and 5.2.2, RFC 5062 3.3: the Tie-Tags in the
 * State Cookie answering an INIT for an existing association are random
 * nonces, never the association's real verification tags (the cookie is
 * signed, not encrypted: whoever gets the INIT ACK can read it). */
static void test_tie_tags_do_not_reveal_tags(void) {
  net n;
  net_init(&n, NULL);
  REQUIRE(net_connect(&n));
  REQUIRE(net_echo(&n));
  REQUIRE(n.tag_c != 0 && n.tag_s != 0);
  /* An INIT from C's address and port while the association is up. */
  uint8_t chunk[256];
  size_t len = build_init(chunk, sizeof(chunk), 0x0BADBEEF, 1, NULL, 0);
  inject(n.s, &n.addr_c, &n.addr_s, PORT_C, PORT_S, 0, chunk, len, n.now);
  static uint8_t buf[70000];
  csctp_addr dst;
  csctp_ssize k =
      csctp_endpoint_write_pkt(n.s, &dst, NULL, buf, sizeof(buf), n.now);
  REQUIRE(k > 0);
  csctp_tlv c;
  REQUIRE(pkt_find(buf, (size_t)k, CSCTP_CT_INIT_ACK, &c));
  int leaks_s = 0, leaks_c = 0;
  for (size_t i = 0; i + 4 <= c.length; i++) {
    leaks_s |= csctp_get32(c.raw + i) == n.tag_s;
    leaks_c |= csctp_get32(c.raw + i) == n.tag_c;
  }
  if (leaks_s || leaks_c)
    fprintf(stderr,
            "ENGINE BUG (RFC 9260 5.2.2, RFC 5062 3.3): the INIT ACK "
            "carries the association's real verification tag(s)%s%s "
            "as Tie-Tags\n",
            leaks_s ? " local" : "", leaks_c ? " peer" : "");
  CHECK(!leaks_s);
  CHECK(!leaks_c);
  /* The existing association is not changed by the INIT (5.2.2). */
  CHECK_EQ(assoc_state(n.s, n.sid), CSCTP_STATE_ESTABLISHED);
  CHECK(net_echo(&n));
  net_free(&n);
}

/* RFC 5062 8: one packet full of chunks that each call for an answer
 * draws at most one packet back. */
static void test_amplification_one_packet(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  static uint8_t chunks[70000];
  for (int kind = 0; kind < 2; kind++) {
    csctp_buf b;
    csctp_buf_init(&b, chunks, sizeof(chunks));
    for (int i = 0; i < 300; i++) {
      if (kind == 0) {
        size_t off;
        csctp_chunk_begin(&b, 0xE0, 0, &off); /* 11: skip and report */
        csctp_put_bytes(&b, "0123456789abcdef", 16);
        csctp_chunk_end(&b, off);
      } else {
        csctp_put_heartbeat(&b, CSCTP_CT_HEARTBEAT, "hhhhhhhhhhhhhhhhhhhh", 20);
      }
    }
    raw_send(&r, chunks, b.len);
    int k = raw_pull(&r);
    CHECK(k <= 1);
    if (k == 1)
      CHECK(r.out[0].len <= 1452);
  }
  raw_free(&r);
}

/* ======================================================================== */
/* Robustness                                                               */
/* ======================================================================== */

/* Lying lengths, chunks running past the end, 1..3 trailing bytes. RFC
 * 9260 6.10: chunks are processed in their order and a partial chunk is
 * dropped; so the good chunks before a malformed one take effect, the
 * malformed one and everything after it do not, and each such packet is
 * counted as malformed. */
static void test_lying_lengths(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  uint8_t data[64];
  size_t dlen = put_data(data, sizeof(data), r.my_tsn, 0, 0,
                         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E,
                         (const uint8_t *)"payload", 7);
  uint8_t p[256];
  csctp_endpoint_stats st0, st;
  csctp_endpoint_stats_get(r.s, &st0);
  int cases = 0;
  /* 1..3 trailing bytes after a good DATA chunk. */
  for (int extra = 1; extra <= 3; extra++) {
    memcpy(p, data, dlen);
    memset(p + dlen, 0, (size_t)extra);
    CHECK_EQ(raw_send(&r, p, dlen + (size_t)extra), CSCTP_ERR_MALFORMED);
    cases++;
  }
  /* A second chunk whose Length runs past the end of the packet. */
  memcpy(p, data, dlen);
  p[dlen] = CSCTP_CT_ABORT, p[dlen + 1] = 0;
  csctp_put16(p + dlen + 2, 200);
  raw_send(&r, p, dlen + 8);
  cases++;
  /* Length below the chunk header size. */
  memcpy(p, data, dlen);
  p[dlen] = CSCTP_CT_ABORT, p[dlen + 1] = 0;
  csctp_put16(p + dlen + 2, 2);
  raw_send(&r, p, dlen + 4);
  cases++;
  csctp_endpoint_stats_get(r.s, &st);
  CHECK_EQ(st.malformed - st0.malformed, (uint64_t)cases);
  /* The DATA in front was received (once); the ABORTs behind it were not
   * acted on. */
  CHECK_EQ(csctp_recv_pending(r.s, r.sid), 7);
  uint8_t got[64];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now), 7);
  raw_pull(&r);
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_LOST], 0);
  CHECK_EQ(assoc_state(r.s, r.sid), CSCTP_STATE_ESTABLISHED);
  r.my_tsn++;
  dlen = put_data(data, sizeof(data), r.my_tsn, 0, 1,
                  CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E,
                  (const uint8_t *)"payload", 7);
  /* A malformed first chunk: nothing of the packet is used. DATA whose
   * own Length claims more than is there; an empty packet. */
  csctp_endpoint_stats_get(r.s, &st0);
  memcpy(p, data, dlen);
  csctp_put16(p + 2, (uint16_t)(dlen + 4));
  raw_send(&r, p, dlen);
  raw_send(&r, p, 0);
  csctp_endpoint_stats_get(r.s, &st);
  CHECK_EQ(st.malformed - st0.malformed, 2);
  CHECK_EQ(raw_pull(&r), 0);
  CHECK_EQ(csctp_recv_pending(r.s, r.sid), 0);
  /* Chunks whose value is too short for their type's fixed fields are
   * malformed too (and what follows them is dropped). */
  {
    uint8_t c[64];
    csctp_endpoint_stats_get(r.s, &st0);
    memcpy(c, data, dlen);
    csctp_put16(c + 2, 15); /* DATA shorter than its header */
    raw_send(&r, c, 16);
    csctp_buf b;
    csctp_buf_init(&b, c, sizeof(c));
    csctp_put_sack(&b, r.s_tsn - 1, 65536, NULL, 0, NULL, 0);
    csctp_put16(c + 12, 5); /* five gap blocks that are not there */
    raw_send(&r, c, b.len);
    c[0] = CSCTP_CT_SHUTDOWN, c[1] = 0;
    csctp_put16(c + 2, 4); /* SHUTDOWN without its cumulative TSN */
    memcpy(c + 4, data, dlen);
    raw_send(&r, c, 4 + dlen);
    csctp_endpoint_stats_get(r.s, &st);
    CHECK_EQ(st.malformed - st0.malformed, 3);
    raw_pull(&r);
    CHECK_EQ(r.ev[CSCTP_EV_ASSOC_LOST], 0);
    CHECK_EQ(r.ev[CSCTP_EV_SHUTDOWN_RECEIVED], 0);
    CHECK_EQ(assoc_state(r.s, r.sid), CSCTP_STATE_ESTABLISHED);
    CHECK_EQ(csctp_recv_pending(r.s, r.sid), 0);
  }
  /* INIT bundled with another chunk (8.5.1 A: must be alone): dropped. */
  {
    uint8_t c[256];
    size_t n = build_init(c, sizeof(c), 0x4444, 1, NULL, 0);
    memcpy(c + n, data, dlen);
    csctp_endpoint_stats_get(r.s, &st0);
    inject(r.s, &r.addr_p, &r.addr_s, PORT_C, PORT_S, 0, c, n + dlen, r.now);
    csctp_endpoint_stats_get(r.s, &st);
    CHECK_EQ(st.malformed, st0.malformed + 1);
    CHECK_EQ(raw_pull(&r), 0);
  }
  /* The association still works: the new DATA, well formed. */
  raw_send(&r, data, dlen);
  raw_pull(&r);
  CHECK_EQ(csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now), 7);
  raw_free(&r);
}

/* RFC 9260 5.2.1 / 5.2.2: an association keeps at most max_init_addrs of
 * the peer's addresses. A restarting peer that lists the same addresses
 * again -- more than were kept -- adds none: it must get an INIT ACK and
 * its restart, not a "Restart of an Association with New Addresses"
 * ABORT. A really new address (one the association would have kept) is
 * still refused. */
static void test_restart_more_addrs_than_kept(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.max_init_addrs = 2;
  raw r;
  raw_init(&r, &s);
  csctp_addr addrs[4] = {r.addr_p, v4(10, 0, 0, 10), v4(10, 0, 0, 11),
                         v4(10, 0, 0, 12)};
  for (int round = 0; round < 2; round++) {
    uint8_t chunk[512];
    uint32_t tag = 0x51000000u + (uint32_t)round;
    size_t len =
        build_init(chunk, sizeof(chunk), tag, 100u + (uint32_t)round, addrs, 4);
    inject(r.s, &r.addr_p, &r.addr_s, PORT_C, PORT_S, 0, chunk, len, r.now);
    raw_pull(&r);
    csctp_tlv c, ck;
    int ai = raw_find(&r, CSCTP_CT_ABORT, &c);
    if (ai >= 0)
      fprintf(stderr,
              "ENGINE BUG (RFC 9260 5.2.2): restart INIT listing the kept "
              "addresses refused with ABORT cause %u\n",
              c.value_len >= 2 ? csctp_get16(c.value) : 0);
    CHECK_EQ(ai, -1);
    REQUIRE(raw_find(&r, CSCTP_CT_INIT_ACK, &c) >= 0);
    csctp_init ack;
    REQUIRE(csctp_init_decode(&c, &ack) == 0);
    REQUIRE(tlv_find_param(&c, 16, CSCTP_PT_STATE_COOKIE, &ck));
    csctp_buf b;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    REQUIRE(csctp_put_cookie_echo(&b, ck.value, ck.value_len) == 0);
    inject(r.s, &r.addr_p, &r.addr_s, PORT_C, PORT_S, ack.init_tag, chunk,
           b.len, r.now);
    raw_pull(&r);
    CHECK(raw_find(&r, CSCTP_CT_COOKIE_ACK, NULL) >= 0);
    csctp_path_status ps[8];
    CHECK_EQ(csctp_assoc_paths(r.s, r.sid, ps, 8), 2);
  }
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_UP], 1);
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_RESTART], 1);
  /* A new address among the first two listed: refused (5.2.2). */
  csctp_addr other[2] = {r.addr_p, v4(10, 0, 0, 99)};
  uint8_t chunk[256];
  size_t len = build_init(chunk, sizeof(chunk), 0x52000000u, 1, other, 2);
  inject(r.s, &r.addr_p, &r.addr_s, PORT_C, PORT_S, 0, chunk, len, r.now);
  raw_pull(&r);
  csctp_tlv c;
  int ai = raw_find(&r, CSCTP_CT_ABORT, &c);
  CHECK(ai >= 0);
  if (ai >= 0) {
    CHECK_EQ(csctp_get32(r.out[ai].b + 4), 0x52000000u);
    CHECK(c.value_len >= 4 &&
          csctp_get16(c.value) == CSCTP_CAUSE_RESTART_NEW_ADDRS);
  }
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_RESTART], 1);
  raw_free(&r);
}

/* RFC 9260 8.3: the HEARTBEAT ACK carries the Heartbeat Information as
 * received, whatever its size, as long as the answer fits the path MTU
 * (1452 here: up to 1432 bytes of information). A flood of HEARTBEATs
 * leaves at most one answer pending and does not grow memory. */
static void test_heartbeat_large_info(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  raw_pull(&r);
  static uint8_t info[1500], chunk[1600];
  for (size_t i = 0; i < sizeof(info); i++)
    info[i] = (uint8_t)(i * 7 + 3);
  static const size_t sizes[] = {8, 256, 257, 300, 1000, 1432};
  for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
    csctp_buf b;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    REQUIRE(csctp_put_heartbeat(&b, CSCTP_CT_HEARTBEAT, info, sizes[k]) == 0);
    raw_send(&r, chunk, b.len);
    raw_pull(&r);
    csctp_tlv c, hi;
    int i = raw_find(&r, CSCTP_CT_HEARTBEAT_ACK, &c);
    if (i < 0)
      fprintf(stderr, "HEARTBEAT with %zu bytes of info not answered\n",
              sizes[k]);
    CHECK(i >= 0);
    if (i < 0)
      continue;
    CHECK(r.out[i].len <= 1452);
    if (!tlv_find_param(&c, 0, CSCTP_PT_HEARTBEAT_INFO, &hi)) {
      CHECK(!"HEARTBEAT ACK without Heartbeat Info");
      continue;
    }
    CHECK_EQ(hi.value_len, sizes[k]);
    if (hi.value_len == sizes[k])
      CHECK_MEM(hi.value, info, sizes[k]);
  }
  /* 8.3: "together with any other received TLVs, copied unchanged". */
  {
    csctp_buf b;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    REQUIRE(csctp_put_heartbeat(&b, CSCTP_CT_HEARTBEAT, info, 10) == 0);
    static const uint8_t extra[] = {0x80, 0x77, 0, 7, 'x', 'y', 'z', 0};
    memcpy(chunk + b.len, extra, sizeof extra);
    size_t clen = 4 + 4 + 10 + 2 + 7; /* header, info + pad, extra TLV */
    chunk[2] = (uint8_t)(clen >> 8);
    chunk[3] = (uint8_t)clen;
    raw_send(&r, chunk, b.len + sizeof extra);
    raw_pull(&r);
    csctp_tlv c;
    int i = raw_find(&r, CSCTP_CT_HEARTBEAT_ACK, &c);
    CHECK(i >= 0);
    if (i >= 0) {
      CHECK_EQ(c.value_len, clen - 4);
      if (c.value_len == clen - 4)
        CHECK_MEM(c.value, chunk + 4, clen - 4);
    }
  }
  /* The flood: every size, answered or overwritten, memory flat. */
  long live = r.ms.live;
  size_t bytes = r.ms.bytes;
  int answers = 0;
  for (int i = 0; i < 10000; i++) {
    size_t sz = 1 + (size_t)(i * 37) % 1432;
    csctp_buf b;
    csctp_buf_init(&b, chunk, sizeof(chunk));
    csctp_put_heartbeat(&b, CSCTP_CT_HEARTBEAT, info, sz);
    raw_send(&r, chunk, b.len);
    if (i % 100 == 99) {
      raw_pull(&r);
      answers += raw_find(&r, CSCTP_CT_HEARTBEAT_ACK, NULL) >= 0;
      CHECK(r.nout <= 1); /* one pending answer, not a hundred */
    }
  }
  CHECK_EQ(answers, 100);
  CHECK_EQ(r.ms.live, live);
  CHECK_EQ(r.ms.bytes, bytes);
  CHECK_EQ(assoc_state(r.s, r.sid), CSCTP_STATE_ESTABLISHED);
  raw_free(&r);
}

/* 6.5: DATA on a stream beyond the negotiated count: ERROR with Invalid
 * Stream Identifier, the TSN acknowledged, nothing delivered, association
 * alive. */
static void test_invalid_stream(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 4, 10, 65536)); /* we open 4 streams to S */
  REQUIRE(r.s_istreams == 4);
  uint8_t d[64];
  size_t n = put_data(d, sizeof(d), r.my_tsn, 4, 0,
                      CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E | CSCTP_DATA_FLAG_I,
                      (const uint8_t *)"nope", 4);
  raw_send(&r, d, n);
  raw_pull(&r);
  csctp_tlv err, cause, sack;
  int i = raw_find(&r, CSCTP_CT_ERROR, &err);
  REQUIRE(i >= 0);
  REQUIRE(tlv_find_param(&err, 0, CSCTP_CAUSE_INVALID_STREAM, &cause));
  CHECK_EQ(cause.value_len, 4);
  CHECK_EQ(csctp_get16(cause.value), 4);
  CHECK_EQ(csctp_get32(r.out[i].b + 4), r.my_tag);
  REQUIRE(raw_find(&r, CSCTP_CT_SACK, &sack) >= 0);
  csctp_sack s;
  REQUIRE(csctp_sack_decode(&sack, &s) == 0);
  CHECK_EQ(s.cum_tsn, r.my_tsn); /* acknowledged */
  CHECK_EQ(csctp_recv_pending(r.s, r.sid), 0);
  CHECK_EQ(assoc_state(r.s, r.sid), CSCTP_STATE_ESTABLISHED);
  /* The next TSN on a valid stream is delivered. */
  n = put_data(d, sizeof(d), r.my_tsn + 1, 3, 0,
               CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, (const uint8_t *)"yes",
               3);
  raw_send(&r, d, n);
  raw_pull(&r);
  uint8_t got[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now), 3);
  CHECK_EQ(ri.sid, 3);
  raw_free(&r);
}

/* TSNs far outside the window: dropped, no memory growth, the association
 * goes on. */
static void test_tsn_out_of_window(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  uint8_t d[64];
  /* One good message first so that lazily built structures exist. */
  size_t n =
      put_data(d, sizeof(d), r.my_tsn++, 0, 0,
               CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, (const uint8_t *)"ok", 2);
  raw_send(&r, d, n);
  raw_pull(&r);
  uint8_t got[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now), 2);
  r.now += 1 * CSCTP_SECONDS;
  csctp_endpoint_handle_expiry(r.s, r.now);
  raw_pull(&r);
  size_t before = r.ms.bytes, peak = r.ms.peak;
  /* Far ahead (beyond the TSN window of rcvbuf / 16 = 65536), half way
   * round the serial space, and far behind (duplicates). */
  static const uint32_t offs[] = {1u << 20,    1u << 24,    0x7fffff00u,
                                  0x80000000u, 0x80000001u, 100000u,
                                  0xfff00000u, 0xffffff00u};
  for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
    for (int k = 0; k < 100; k++) {
      n = put_data(d, sizeof(d), r.my_tsn + offs[i] + (uint32_t)k, 0,
                   (uint16_t)(1 + k), CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E,
                   (const uint8_t *)"far", 3);
      raw_send(&r, d, n);
    }
    raw_pull(&r);
  }
  CHECK_EQ(csctp_recv_pending(r.s, r.sid), 0);
  CHECK_EQ(r.ms.bytes, before);
  CHECK_EQ(r.ms.peak, peak);
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_LOST], 0);
  /* In-window data still goes through. */
  n = put_data(d, sizeof(d), r.my_tsn++, 0, 1,
               CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, (const uint8_t *)"ok2",
               3);
  raw_send(&r, d, n);
  raw_pull(&r);
  CHECK_EQ(csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now), 3);
  raw_free(&r);
}

/* A SACK acknowledging TSNs never sent. RFC 9260 has no explicit rule;
 * RFC 5062 5.3 says to abort, and the engine aborts with Protocol
 * Violation. */
static void test_sack_for_unsent_tsn(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  csctp_sndinfo si = {.sid = 0, .assoc_id = r.sid};
  CHECK_EQ(csctp_send(r.s, &si, NULL, (const uint8_t *)"abc", 3, r.now), 0);
  raw_pull(&r);
  REQUIRE(raw_find(&r, CSCTP_CT_DATA, NULL) >= 0);
  /* S sent exactly one TSN: s_tsn. Ack s_tsn + 1. */
  uint8_t c[64];
  csctp_buf b;
  csctp_buf_init(&b, c, sizeof(c));
  csctp_put_sack(&b, r.s_tsn + 1, 65536, NULL, 0, NULL, 0);
  raw_send(&r, c, b.len);
  raw_pull(&r);
  csctp_tlv ab, cause;
  REQUIRE(raw_find(&r, CSCTP_CT_ABORT, &ab) >= 0);
  CHECK(tlv_find_param(&ab, 0, CSCTP_CAUSE_PROTOCOL_VIOLATION, &cause));
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_LOST], 1);
  CHECK_EQ(r.last_lost_reason, CSCTP_LOST_PROTOCOL);
  raw_free(&r);
}

/* A gap block reporting TSNs never sent: the engine ignores the blocks
 * beyond what it sent; the data still completes and nothing is corrupt. */
static void test_sack_gap_beyond_sent(void) {
  raw r;
  raw_init(&r, NULL);
  REQUIRE(raw_connect(&r, 10, 10, 65536));
  csctp_sndinfo si = {.sid = 0, .assoc_id = r.sid};
  CHECK_EQ(csctp_send(r.s, &si, NULL, (const uint8_t *)"abc", 3, r.now), 0);
  raw_pull(&r);
  uint8_t c[64];
  csctp_buf b;
  csctp_buf_init(&b, c, sizeof(c));
  uint16_t gaps[4] = {2, 5, 100, 65535};
  csctp_put_sack(&b, r.s_tsn - 1, 65536, gaps, 2, NULL, 0);
  raw_send(&r, c, b.len);
  raw_pull(&r);
  int lost = r.ev[CSCTP_EV_ASSOC_LOST];
  printf("SACK with gap blocks beyond the highest TSN sent: association %s\n",
         lost ? "aborted" : "kept");
  if (!lost) {
    csctp_assoc_status st;
    CHECK_EQ(csctp_assoc_status_get(r.s, r.sid, &st), 0);
    CHECK_EQ(st.unacked, 1);
    csctp_buf_init(&b, c, sizeof(c));
    csctp_put_sack(&b, r.s_tsn, 65536, NULL, 0, NULL, 0);
    raw_send(&r, c, b.len);
    raw_pull(&r);
    CHECK_EQ(csctp_assoc_status_get(r.s, r.sid, &st), 0);
    CHECK_EQ(st.unacked, 0);
    CHECK_EQ(st.send_queued, 0);
  }
  raw_free(&r);
}

/* A peer that keeps its window at zero forever while answering every
 * probe: the sender keeps probing, its memory does not grow, and it does
 * not abort (6.1 A), over 10 minutes of virtual time. */
static void test_zero_window_forever(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.sndbuf = 64 * 1024;
  raw r;
  raw_init(&r, &s);
  REQUIRE(raw_connect(&r, 10, 10, 1500)); /* the smallest a_rwnd (3.3.2) */
  static uint8_t msg[4000];
  csctp_sndinfo si = {.sid = 0, .assoc_id = r.sid};
  int queued = 0;
  while (csctp_send(r.s, &si, NULL, msg, sizeof(msg), r.now) == 0)
    queued++;
  CHECK(queued >= 10);
  csctp_tstamp start = r.now, end = r.now + 600 * CSCTP_SECONDS;
  size_t live_after_fill = 0, max_live = 0;
  uint64_t probes = 0, probe_bytes_max = 0, sacks = 0, hb = 0, max_pkts = 0;
  uint32_t highest_seen = r.s_tsn - 1;
  int first = 1;
  while (r.now < end) {
    int k = raw_pull(&r);
    if ((uint64_t)k > max_pkts)
      max_pkts = (uint64_t)k;
    for (int i = 0; i < r.nout; i++) {
      csctp_tlv_iter it;
      csctp_tlv c;
      int ndata = 0;
      csctp_tlv_iter_init(&it, r.out[i].b + 12, r.out[i].len - 12);
      while (csctp_chunk_next(&it, &c) == 1) {
        if (c.type == CSCTP_CT_DATA) {
          csctp_data d;
          if (csctp_data_decode(&c, &d) == 0) {
            ndata++;
            if (d.tsn - highest_seen < 0x80000000u)
              highest_seen = d.tsn;
            if (d.len > probe_bytes_max)
              probe_bytes_max = d.len;
          }
        } else if (c.type == CSCTP_CT_HEARTBEAT && c.length <= 300) {
          uint8_t ack[300];
          memcpy(ack, c.raw, c.length);
          ack[0] = CSCTP_CT_HEARTBEAT_ACK;
          raw_send(&r, ack, c.length);
          hb++;
        }
      }
      if (ndata > 0) {
        probes++;
        CHECK_EQ(ndata, 1); /* a zero window probe is one chunk */
        /* Nothing accepted: cum stays below S's first TSN, window 0. */
        uint8_t sk[64];
        csctp_buf b;
        csctp_buf_init(&b, sk, sizeof(sk));
        csctp_put_sack(&b, r.s_tsn - 1, 0, NULL, 0, NULL, 0);
        raw_send(&r, sk, b.len);
        sacks++;
      }
    }
    raw_pull(&r);
    if (first) {
      live_after_fill = r.ms.bytes;
      first = 0;
    }
    if (r.ms.bytes > max_live)
      max_live = r.ms.bytes;
    csctp_tstamp e = csctp_endpoint_get_expiry(r.s);
    if (e == CSCTP_TSTAMP_NEVER || e > end)
      break;
    if (e > r.now)
      r.now = e;
    csctp_endpoint_handle_expiry(r.s, r.now);
    if (r.ev[CSCTP_EV_ASSOC_LOST])
      break;
  }
  r.now = end;
  printf("zero window: %llu probes (largest %llu bytes), %llu SACKs, %llu "
         "heartbeats answered in %llu s; S live bytes %zu after filling, "
         "max %zu; highest TSN sent %u (first %u)\n",
         (unsigned long long)probes, (unsigned long long)probe_bytes_max,
         (unsigned long long)sacks, (unsigned long long)hb,
         (unsigned long long)((r.now - start) / CSCTP_SECONDS), live_after_fill,
         max_live, highest_seen, r.s_tsn);
  CHECK_EQ(r.ev[CSCTP_EV_ASSOC_LOST], 0);
  CHECK_EQ(assoc_state(r.s, r.sid), CSCTP_STATE_ESTABLISHED);
  CHECK(probes >= 10); /* RTO.Max 60 s: at least one probe a minute */
  CHECK(max_live <= live_after_fill + 4096);
  CHECK_EQ(highest_seen, r.s_tsn); /* only the first TSN is ever probed */
  CHECK(max_pkts <= 2);
  raw_free(&r);
}

/* A hostile peer sends a B fragment and middles, never the E: the
 * receiver's memory stays bounded by its receive buffer. */
static void test_never_completed_message(void) {
  for (int pattern = 0; pattern < 3; pattern++) {
    csctp_settings s;
    csctp_settings_default(&s);
    s.rcvbuf = 64 * 1024;
    raw r;
    raw_init(&r, &s);
    REQUIRE(raw_connect(&r, 10, 10, 65536));
    size_t base = r.ms.bytes;
    static uint8_t payload[1000];
    uint8_t d[1100];
    uint32_t t0 = r.my_tsn;
    int nfrag = 2000; /* 2 MB of fragments against a 64 KiB buffer */
    uint32_t last_rwnd = 0xffffffff;
    uint64_t read_bytes = 0;
    for (int i = 0; i < nfrag; i++) {
      uint32_t tsn;
      if (pattern == 2) /* top down: each one fills a hole below the highest */
        tsn = t0 + (uint32_t)(nfrag - 1 - i);
      else
        tsn = t0 + (uint32_t)i;
      uint8_t flags = (tsn == t0) ? CSCTP_DATA_FLAG_B : 0;
      size_t n =
          put_data(d, sizeof(d), tsn, 0, 0, flags, payload, sizeof(payload));
      raw_send(&r, d, n);
      raw_pull(&r);
      csctp_tlv sk;
      csctp_sack sa;
      if (raw_find(&r, CSCTP_CT_SACK, &sk) >= 0 &&
          csctp_sack_decode(&sk, &sa) == 0)
        last_rwnd = sa.a_rwnd;
      if (pattern == 1) { /* the application reads what it can */
        uint8_t got[4096];
        csctp_rcvinfo ri;
        csctp_ssize k;
        while ((k = csctp_recv(r.s, r.sid, &ri, got, sizeof(got), r.now)) > 0) {
          read_bytes += (uint64_t)k;
          CHECK(!(ri.flags & CSCTP_RCV_EOR));
        }
      }
      if (r.ev[CSCTP_EV_ASSOC_LOST])
        break;
    }
    size_t peak = r.ms.peak - base;
    printf("never-completed message (%s): %d x %zu-byte fragments, rcvbuf "
           "%u: peak %zu bytes above the idle association, last a_rwnd %u, "
           "%llu bytes read (partial delivery)%s\n",
           pattern == 0   ? "in order, not read"
           : pattern == 1 ? "in order, read"
                          : "top down, not read",
           nfrag, sizeof(payload), s.rcvbuf, peak, last_rwnd,
           (unsigned long long)read_bytes,
           r.ev[CSCTP_EV_ASSOC_LOST] ? ", association aborted" : "");
    /* Payload plus per-chunk bookkeeping: bounded by the buffer (twice
     * it for hole filling, 6.2), never by what the peer sends. */
    size_t bound = (pattern == 2 ? 2 : 1) * (size_t)s.rcvbuf * 3 / 2 + 16384;
    CHECK(peak <= bound);
    if (pattern != 1)
      CHECK(last_rwnd < 2000);
    raw_free(&r);
  }
}

/* Fuzz regressions: the fuzz targets in csctp/fuzz/ have found no crash,
 * leak or assertion so far; minimised inputs go here as tests when they
 * do. */

int main(void) {
  TEST_RUN(test_init_flood);
  TEST_RUN(test_forged_cookie);
  TEST_RUN(test_expired_cookie);
  TEST_RUN(test_replayed_cookie);
  TEST_RUN(test_wrong_vtag);
  TEST_RUN(test_wrong_vtag_shutdown_states);
  TEST_RUN(test_t_bit_does_not_carry_other_chunks);
  TEST_RUN(test_hijack_new_address_single_homed);
  TEST_RUN(test_hijack_cookie_bundled_abort);
  TEST_RUN(test_hijack_cookie_bundled_data);
  TEST_RUN(test_camping);
  TEST_RUN(test_cookie_ack_to_source);
  TEST_RUN(test_camping_restart_with_new_addresses);
  TEST_RUN(test_init_thousands_of_addresses);
  TEST_RUN(test_init_thousands_of_params);
  TEST_RUN(test_init_unknown_param_stop);
  TEST_RUN(test_tie_tags_do_not_reveal_tags);
  TEST_RUN(test_amplification_one_packet);
  TEST_RUN(test_lying_lengths);
  TEST_RUN(test_restart_more_addrs_than_kept);
  TEST_RUN(test_heartbeat_large_info);
  TEST_RUN(test_invalid_stream);
  TEST_RUN(test_tsn_out_of_window);
  TEST_RUN(test_sack_for_unsent_tsn);
  TEST_RUN(test_sack_gap_beyond_sent);
  TEST_RUN(test_zero_window_forever);
  TEST_RUN(test_never_completed_message);
  return TEST_SUMMARY();
}
