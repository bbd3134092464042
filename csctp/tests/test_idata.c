/* test_idata.c -- user message interleaving, the I-DATA chunk (RFC 8260
 * 2.1, 2.2, 2.3.1, 2.3.2), written from the RFC's words: the codec,
 * negotiation (both sides list I-DATA; off unless the user asks), MIDs and
 * FSNs on the wire, reassembly by (stream, U, MID) and FSN whatever the
 * TSNs, the protocol violations of 2.2.3, stream reset resetting the MIDs,
 * lossy runs, and head-of-line blocking between streams gone (a 64-byte
 * message on one stream is not held behind 1 MiB messages on another);
 * Linux 6.1's fragment numbering learned per association; partial
 * delivery of incomplete messages (RFC 6458 8.1.21, 6.1.7), with a
 * simulator scenario (4 MiB through a 256 KiB buffer, loss, SHA-256).
 *
 * Harness: ilvpair.{h,c} (in-memory link with delay, bottleneck, loss),
 * sim.{h,c} for the scenario. */
#include "csctp.h"
#include "ilvpair.h"
#include "sim.h"
#include "test.h"

#include "../chunk.h"
#include "../engine.h"
#include "../idata.h"
#include "../sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void settings(csctp_settings *s, int idata, uint32_t sched) {
  csctp_settings_default(s);
  s->interleaving_supported = (uint32_t)idata;
  s->stream_scheduler = sched;
  s->hb_interval = 0;
  s->pmtud = 0;
}

/* ---- Codec (RFC 8260 2.1) ---------------------------------------------- */

static void test_codec(void) {
  uint8_t mem[64], pay[5] = {1, 2, 3, 4, 5};
  csctp_buf b;
  csctp_idata_chunk d = {.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_U,
                         .tsn = 0x01020304,
                         .sid = 7,
                         .mid = 0xA0B0C0D0,
                         .ppid = 51,
                         .fsn = 99, /* not on the wire with B */
                         .payload = pay,
                         .len = sizeof(pay)};
  csctp_buf_init(&b, mem, sizeof(mem));
  CHECK_EQ(csctp_idata_put(&b, &d), 0);
  CHECK_EQ(b.len, 28u); /* 20-byte header + 5, padded */
  const uint8_t want[] = {64, 0x06, 0,    25,   1,    2,    3, 4, 0, 7,
                          0,  0,    0xA0, 0xB0, 0xC0, 0xD0, 0, 0, 0, 51,
                          1,  2,    3,    4,    5,    0,    0, 0};
  CHECK_MEM(mem, want, sizeof(want));
  /* Without B the field holds the FSN. */
  d.flags = CSCTP_DATA_FLAG_E;
  csctp_buf_init(&b, mem, sizeof(mem));
  CHECK_EQ(csctp_idata_put(&b, &d), 0);
  CHECK_EQ(csctp_get32(mem + 16), 99u);
  /* Decoding: Res bits ignored, FSN implicitly 0 with B. */
  mem[1] = 0xF0 | CSCTP_DATA_FLAG_E;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_idata_chunk o;
  csctp_tlv_iter_init(&it, mem, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_chunk_check(&c), 0);
  CHECK_EQ(csctp_idata_decode(&c, &o), 0);
  CHECK_EQ(o.flags, CSCTP_DATA_FLAG_E);
  CHECK_EQ(o.tsn, 0x01020304u);
  CHECK_EQ(o.sid, 7);
  CHECK_EQ(o.mid, 0xA0B0C0D0u);
  CHECK_EQ(o.fsn, 99u);
  CHECK_EQ(o.len, 5u);
  CHECK_MEM(o.payload, pay, 5);
  mem[1] = CSCTP_DATA_FLAG_B;
  csctp_tlv_iter_init(&it, mem, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_idata_decode(&c, &o), 0);
  CHECK_EQ(o.fsn, 0u);
  CHECK_EQ(o.ppid, 99u);
  /* Shorter than the 20-byte header: malformed. */
  uint8_t shortc[20] = {64, 3, 0, 19};
  csctp_tlv_iter_init(&it, shortc, sizeof(shortc));
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_chunk_check(&c), CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_idata_decode(&c, &o), CSCTP_ERR_MALFORMED);
  /* No room: the buffer is left alone. */
  csctp_buf_init(&b, mem, 27);
  CHECK_EQ(csctp_idata_put(&b, &d), CSCTP_ERR_NOBUF);
  CHECK_EQ(b.len, 0u);
}

/* ---- Wire observation -------------------------------------------------- */

#define MAXSEEN 4096
typedef struct seen {
  uint8_t init_lists_idata, init_ack_lists_idata, init_seen, init_ack_seen;
  uint8_t init_lists_ifwd, init_ack_lists_ifwd;
  int drop_sid0; /* drop a→b packets with I-DATA of stream 0 (1), or with
                    its E fragments only (2) */
  size_t ndata, nidata, nfwd, nifwd;
  csctp_idata_chunk c[MAXSEEN];
} seen;

static int ext_lists(const csctp_tlv *ch, uint8_t type) {
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, ch->value + 16, ch->value_len - 16);
  while (csctp_param_next(&it, &p) == 1)
    if (p.type == CSCTP_PT_SUPPORTED_EXT)
      for (size_t i = 0; i < p.value_len; i++)
        if (p.value[i] == type)
          return 1;
  return 0;
}

static int tap_seen(ilv_pair *p, int to_b, const uint8_t *pkt, size_t len) {
  seen *s = p->tap_ud;
  int drop = 0;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_INIT && !s->init_seen) {
      s->init_seen = 1;
      s->init_lists_idata = (uint8_t)ext_lists(&c, CSCTP_CT_I_DATA);
      s->init_lists_ifwd = (uint8_t)ext_lists(&c, CSCTP_CT_I_FORWARD_TSN);
    }
    if (c.type == CSCTP_CT_INIT_ACK && !s->init_ack_seen) {
      s->init_ack_seen = 1;
      s->init_ack_lists_idata = (uint8_t)ext_lists(&c, CSCTP_CT_I_DATA);
      s->init_ack_lists_ifwd = (uint8_t)ext_lists(&c, CSCTP_CT_I_FORWARD_TSN);
    }
    if (!to_b)
      continue;
    if (c.type == CSCTP_CT_DATA)
      s->ndata++;
    s->nfwd += c.type == CSCTP_CT_FORWARD_TSN;
    s->nifwd += c.type == CSCTP_CT_I_FORWARD_TSN;
    if (c.type == CSCTP_CT_I_DATA && s->drop_sid0 && c.value_len >= 8 &&
        csctp_get16(c.value + 4) == 0 &&
        (s->drop_sid0 == 1 || (c.flags & CSCTP_DATA_FLAG_E)))
      drop = 1;
    if (c.type == CSCTP_CT_I_DATA && s->nidata < MAXSEEN &&
        csctp_idata_decode(&c, &s->c[s->nidata]) == 0)
      s->nidata++;
  }
  return drop;
}

/* ---- Negotiation (RFC 8260 2.2.1, 2.3.1) ------------------------------- */

static void negotiate_pr(int ia, int ib, int pra, int prb, int *on_a, int *on_b,
                         int *pr_a, int *pr_b, seen *s) {
  csctp_settings sa, sb;
  settings(&sa, ia, CSCTP_SS_FCFS);
  settings(&sb, ib, CSCTP_SS_FCFS);
  sa.pr_supported = (uint32_t)pra;
  sb.pr_supported = (uint32_t)prb;
  ilv_pair p;
  memset(s, 0, sizeof(*s));
  REQUIRE(ilv_open(&p, &sa, &sb, 3) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  CHECK(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  *on_a = csctp_interleaving(p.a, p.ida);
  *on_b = csctp_interleaving(p.b, p.idb);
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, p.ida, &st), 0);
  *pr_a = (int)st.pr_enabled;
  CHECK_EQ(csctp_assoc_status_get(p.b, p.idb, &st), 0);
  *pr_b = (int)st.pr_enabled;
  ilv_close(&p);
}

static void negotiate(int ia, int ib, int *on_a, int *on_b, seen *s) {
  int pa, pb;
  negotiate_pr(ia, ib, 1, 1, on_a, on_b, &pa, &pb, s);
  CHECK_EQ(pa, 1); /* PR-SCTP on both sides, with or without I-DATA */
  CHECK_EQ(pb, 1);
}

static void test_negotiation(void) {
  int a, b;
  seen *s = calloc(1, sizeof(*s));
  REQUIRE(s);
  negotiate(1, 1, &a, &b, s);
  CHECK_EQ(a, 1);
  CHECK_EQ(b, 1);
  CHECK(s->init_lists_idata && s->init_ack_lists_idata);
  /* 2.3.1: with PR-SCTP on, I-FORWARD-TSN is listed too */
  CHECK(s->init_lists_ifwd && s->init_ack_lists_ifwd);
  /* PR-SCTP with I-DATA only when both list I-FORWARD-TSN */
  int pa, pb;
  negotiate_pr(1, 1, 1, 0, &a, &b, &pa, &pb, s);
  CHECK(a == 1 && b == 1 && pa == 0 && pb == 0);
  CHECK(s->init_lists_ifwd && !s->init_ack_lists_ifwd);
  negotiate(1, 0, &a, &b, s);
  CHECK_EQ(a, 0);
  CHECK_EQ(b, 0);
  CHECK(s->init_lists_idata && !s->init_ack_lists_idata);
  CHECK(!s->init_ack_lists_ifwd);
  negotiate(0, 1, &a, &b, s);
  CHECK_EQ(a, 0);
  CHECK_EQ(b, 0);
  CHECK(!s->init_lists_idata && s->init_ack_lists_idata);
  /* 2.2.1: not indicated unless the user asked: the default is off. */
  csctp_settings d;
  csctp_settings_default(&d);
  CHECK_EQ(d.interleaving_supported, 0u);
  CHECK_EQ(csctp_interleaving(NULL, 1), CSCTP_ERR_NOT_FOUND);
  free(s);
}

/* ---- Sender: MIDs and FSNs (2.1, 2.2.2) -------------------------------- */

static void test_wire_mid_fsn(void) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_FCFS);
  settings(&sb, 1, CSCTP_SS_FCFS);
  seen *s = calloc(1, sizeof(*s));
  ilv_pair p;
  REQUIRE(s && ilv_open(&p, &sa, &sb, 5) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  uint32_t idx = 0;
  for (int i = 0; i < 3; i++) /* ordered, 3 fragments each */
    CHECK_EQ(ilv_send(&p, idx++, 1, 0, 3000), 0);
  for (int i = 0; i < 2; i++) /* unordered: their own counter */
    CHECK_EQ(ilv_send(&p, idx++, 1, 1, 100), 0);
  CHECK_EQ(ilv_send(&p, idx++, 2, 0, 100), 0);
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(s->ndata, 0u); /* 2.2.1: DATA MUST NOT be used */
  CHECK_EQ(p.nrecs, (size_t)idx);
  CHECK(!p.bad_data && !p.bad_order);
  uint32_t next_mid_o = 0, next_mid_u = 0, next_fsn = 0;
  int frags = 0;
  for (size_t i = 0; i < s->nidata; i++) {
    const csctp_idata_chunk *c = &s->c[i];
    int b = (c->flags & CSCTP_DATA_FLAG_B) != 0;
    int e = (c->flags & CSCTP_DATA_FLAG_E) != 0;
    if (c->sid == 1 && !(c->flags & CSCTP_DATA_FLAG_U)) {
      frags++;
      CHECK_EQ(c->mid, next_mid_o);
      if (b)
        CHECK_EQ(c->ppid, 51u); /* 2.1: B carries the PPID */
      else
        CHECK_EQ(c->fsn, next_fsn); /* 2.1: from 0, +1 */
      next_fsn = b ? 1 : next_fsn + 1;
      if (e)
        next_mid_o++, next_fsn = 0;
    } else if (c->sid == 1) {
      CHECK(b && e);
      CHECK_EQ(c->mid, next_mid_u++);
    } else {
      CHECK_EQ(c->mid, 0u); /* each stream's counter starts at 0 */
    }
  }
  CHECK_EQ(frags, 9);
  CHECK_EQ(next_mid_o, 3u);
  CHECK_EQ(next_mid_u, 2u);
  /* RFC 8260 4.1: the low 16 bits of the MID are reported as the SSN. */
  CHECK_EQ(p.recs[2].ssn, 2);
  ilv_close(&p);
  free(s);
}

/* ---- Receiver (2.2.3): injected chunks --------------------------------- */

/* Sends b one I-DATA chunk as if from a (a's tag and TSN space; a itself
 * stays quiet while these tests read b directly). */
static void inject(ilv_pair *p, uint8_t type, uint32_t tsn, uint16_t sid,
                   uint32_t mid, uint8_t flags, uint32_t fsn_or_ppid,
                   const uint8_t *pay, size_t len) {
  uint8_t pkt[1500];
  csctp_buf b;
  csctp_assoc *a = csctp_ep_peek(p->a, p->ida);
  csctp_buf_init(&b, pkt, sizeof(pkt));
  REQUIRE(csctp_pkt_begin(&b, 5000, 6000, a->peer_tag) == 0);
  if (type == CSCTP_CT_I_DATA) {
    csctp_idata_chunk d = {.flags = flags,
                           .tsn = tsn,
                           .sid = sid,
                           .mid = mid,
                           .ppid = fsn_or_ppid,
                           .fsn = fsn_or_ppid,
                           .payload = pay,
                           .len = len};
    REQUIRE(csctp_idata_put(&b, &d) == 0);
  } else if (type == CSCTP_CT_I_FORWARD_TSN) {
    csctp_ifwd_ent e = {
        .sid = sid, .u = (flags & CSCTP_DATA_FLAG_U) ? 1 : 0, .mid = mid};
    REQUIRE(csctp_ifwd_put(&b, tsn, &e, 1) == 0);
  } else if (type == CSCTP_CT_FORWARD_TSN) {
    uint16_t pair[2] = {sid, (uint16_t)mid};
    REQUIRE(csctp_put_fwd_tsn(&b, tsn, pair, 1) == 0);
  } else {
    csctp_data d = {.flags = flags,
                    .tsn = tsn,
                    .sid = sid,
                    .ssn = (uint16_t)mid,
                    .ppid = fsn_or_ppid,
                    .payload = pay,
                    .len = len};
    REQUIRE(csctp_put_data(&b, &d) == 0);
  }
  size_t n = csctp_pkt_finish(&b);
  csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, pkt, n, p->now);
}

static void open_quiet(ilv_pair *p, int idata, uint32_t *tsn) {
  csctp_settings sa, sb;
  settings(&sa, idata, CSCTP_SS_FCFS);
  settings(&sb, idata, CSCTP_SS_FCFS);
  REQUIRE(ilv_open(p, &sa, &sb, 9) == 0);
  REQUIRE(ilv_run(p, 5 * CSCTP_SECONDS, ilv_pred_up));
  p->reader_on = 0;
  *tsn = csctp_ep_peek(p->a, p->ida)->sq.next_tsn;
}

static csctp_ssize read_b(ilv_pair *p, csctp_rcvinfo *info, uint8_t *buf,
                          size_t cap) {
  return csctp_recv(p->b, p->idb, info, buf, cap, p->now);
}

/* Fragments out of FSN and TSN order, interleaved with another stream's
 * message and with an unordered message of the same MID on the same
 * stream: each message is put together by (SID, U, MID) and FSN. */
static void test_reassembly_by_fsn(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet(&p, 1, &t);
  uint8_t f0[4] = {'a', 'b', 'c', 'd'}, f1[4] = {'e', 'f', 'g', 'h'},
          f2[2] = {'i', 'j'}, x[3] = {'x', 'y', 'z'}, u[2] = {'u', 'v'};
  /* stream 3, ordered MID 0: FSN 2 (E) first, then 0 (B), then 1 */
  inject(&p, CSCTP_CT_I_DATA, t + 2, 3, 0, CSCTP_DATA_FLAG_E, 2, f2, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 4, 4, 0,
         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 52, x, 3);
  inject(&p, CSCTP_CT_I_DATA, t + 0, 3, 0, CSCTP_DATA_FLAG_B, 51, f0, 4);
  inject(&p, CSCTP_CT_I_DATA, t + 3, 3, 0,
         CSCTP_DATA_FLAG_U | CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 53, u, 2);
  uint8_t buf[64];
  csctp_rcvinfo info;
  int seen4 = 0, seenu = 0;
  csctp_ssize n;
  while ((n = read_b(&p, &info, buf, sizeof(buf))) > 0) {
    CHECK(info.flags & CSCTP_RCV_EOR);
    if (info.sid == 4) {
      seen4 = 1;
      CHECK_EQ(n, 3);
      CHECK_EQ(info.ppid, 52u);
    } else if (info.sid == 3 && (info.flags & CSCTP_RCV_UNORDERED)) {
      seenu = 1;
      CHECK_EQ(n, 2);
      CHECK_EQ(info.ppid, 53u);
    } else {
      CHECK(0); /* the ordered message still misses FSN 1 */
    }
  }
  CHECK(seen4 && seenu);
  inject(&p, CSCTP_CT_I_DATA, t + 1, 3, 0, 0, 1, f1, 4);
  n = read_b(&p, &info, buf, sizeof(buf));
  CHECK_EQ(n, 10);
  CHECK_MEM(buf, "abcdefghij", 10);
  CHECK_EQ(info.sid, 3);
  CHECK_EQ(info.ssn, 0);
  CHECK_EQ(info.ppid, 51u); /* the B fragment's */
  CHECK(info.flags & CSCTP_RCV_EOR);
  CHECK(!(info.flags & CSCTP_RCV_UNORDERED));
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* Ordered MIDs are delivered in MID order whatever the arrival order. */
static void test_ordered_by_mid(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet(&p, 1, &t);
  uint8_t m1[1] = {1}, m0[1] = {0};
  int be = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  inject(&p, CSCTP_CT_I_DATA, t, 2, 1, (uint8_t)be, 0, m1, 1);
  uint8_t buf[8];
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  inject(&p, CSCTP_CT_I_DATA, t + 1, 2, 0, (uint8_t)be, 0, m0, 1);
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 1);
  CHECK_EQ(buf[0], 0);
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 1);
  CHECK_EQ(buf[0], 1);
  ilv_close(&p);
}

/* pre 1: a B fragment of MID 5 held first; pre 2: first a complete
 * RFC-numbered message, MID 0 (B, then FSN 1 with E: the peer numbers as
 * RFC 8260 2.1 says). */
static void expect_abort(int idata, uint8_t type, uint8_t flags, uint32_t fsn,
                         int pre) {
  ilv_pair p;
  uint32_t t;
  open_quiet(&p, idata, &t);
  uint8_t pay[4] = {1, 2, 3, 4};
  if (pre == 1)
    inject(&p, CSCTP_CT_I_DATA, t, 1, 5, CSCTP_DATA_FLAG_B, 0, pay, 4);
  uint32_t at = t + 1;
  if (pre == 2) {
    inject(&p, CSCTP_CT_I_DATA, t, 1, 0, CSCTP_DATA_FLAG_B, 0, pay, 4);
    inject(&p, CSCTP_CT_I_DATA, t + 1, 1, 0, CSCTP_DATA_FLAG_E, 1, pay, 4);
    uint8_t buf[16];
    csctp_rcvinfo info;
    CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 8);
    at = t + 2;
  }
  inject(&p, type, at, 1, 5, flags, fsn, pay, 4);
  ilv_events(&p);
  CHECK(p.lost_b);
  CHECK_EQ(p.lost_reason_b, (uint32_t)CSCTP_LOST_PROTOCOL);
  ilv_close(&p);
}

/* 2.2.3: DATA where I-DATA was negotiated, or I-DATA where it was not,
 * aborts; so do fragments that contradict each other (2.1). */
static void test_violations_abort(void) {
  int be = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  expect_abort(1, CSCTP_CT_DATA, (uint8_t)be, 0, 0);
  expect_abort(0, CSCTP_CT_I_DATA, (uint8_t)be, 0, 0);
  /* FSN 0 without B once the peer is known to number from B = 0 */
  expect_abort(1, CSCTP_CT_I_DATA, 0, 0, 2);
  expect_abort(1, CSCTP_CT_I_DATA, CSCTP_DATA_FLAG_B, 0, 1); /* second B */
  expect_abort(1, CSCTP_CT_I_DATA, (uint8_t)be, 0, 1);       /* MID in use */
  /* 2.3.1: FORWARD-TSN with I-DATA (and PR-SCTP) aborts */
  expect_abort(1, CSCTP_CT_FORWARD_TSN, 0, 0, 0);
}

/* ---- Fragment numbering of Linux 6.1 (idata.h) -------------------------
 *
 * RFC 8260 2.1: the B fragment has FSN 0 implicitly and each next fragment
 * one more. Linux 6.1 numbers the fragments after B from 0; a non-B
 * fragment with FSN 0 cannot occur in RFC numbering, so the receiver
 * learns the peer's numbering from it; until it knows, a message complete
 * in RFC numbering waits until every TSN up to its last fragment arrived. */

static void expect_read(ilv_pair *p, uint16_t sid, const char *want) {
  uint8_t buf[64];
  csctp_rcvinfo info;
  csctp_ssize n = read_b(p, &info, buf, sizeof(buf));
  CHECK_EQ(n, (csctp_ssize)strlen(want));
  if (n == (csctp_ssize)strlen(want))
    CHECK_MEM(buf, want, strlen(want));
  CHECK_EQ(info.sid, sid);
  CHECK(info.flags & CSCTP_RCV_EOR);
}

static void expect_nothing(ilv_pair *p) {
  uint8_t buf[64];
  csctp_rcvinfo info;
  CHECK_EQ(read_b(p, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
}

/* The I-DATA chunks b sends (to a), recorded and dropped (a never hears
 * of the TSNs injected in its name). */
static int tap_from_b(ilv_pair *p, int to_b, const uint8_t *pkt, size_t len) {
  seen *s = p->tap_ud;
  csctp_tlv_iter it;
  csctp_tlv c;
  if (to_b)
    return 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_I_DATA && s->nidata < MAXSEEN &&
        csctp_idata_decode(&c, &s->c[s->nidata]) == 0)
      s->nidata++;
  return 1;
}

/* A peer numbering from 0 (B, 0, 1): its messages are put together in
 * order; then our own fragments to it are numbered the same way. */
static void test_fsn_from0_peer(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet(&p, 1, &t);
  const uint8_t *m = (const uint8_t *)"abcdefgh";
  inject(&p, CSCTP_CT_I_DATA, t, 2, 0, CSCTP_DATA_FLAG_B, 7, m, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 1, 2, 0, 0, 0, m + 2, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 2, 2, 0, CSCTP_DATA_FLAG_E, 1, m + 4, 4);
  expect_read(&p, 2, "abcdefgh");
  CHECK(!p.lost_b);
  /* learned: the next message, fragment 0 arriving last, needs no wait */
  inject(&p, CSCTP_CT_I_DATA, t + 3, 2, 1, CSCTP_DATA_FLAG_B, 7, m, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 5, 2, 1, CSCTP_DATA_FLAG_E, 1, m + 4, 2);
  expect_nothing(&p);
  inject(&p, CSCTP_CT_I_DATA, t + 4, 2, 1, 0, 0, m + 2, 2);
  expect_read(&p, 2, "abcdef");
  /* our sender: a 3000-byte message in 3 fragments numbered B, 0, 1 */
  seen *s = calloc(1, sizeof(*s));
  REQUIRE(s);
  p.tap = tap_from_b;
  p.tap_ud = s;
  static uint8_t big[3000];
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = p.idb;
  si.sid = 1;
  CHECK_EQ(csctp_send(p.b, &si, NULL, big, sizeof(big), p.now), 0);
  ilv_run(&p, 50 * CSCTP_MILLISECONDS, NULL);
  uint32_t want = 0;
  int frags = 0;
  for (size_t i = 0; i < s->nidata && frags < 3; i++) {
    const csctp_idata_chunk *c = &s->c[i];
    if (c->sid != 1 || c->mid != 0)
      continue;
    frags++;
    if (!(c->flags & CSCTP_DATA_FLAG_B))
      CHECK_EQ(c->fsn, want++);
  }
  CHECK(frags >= 3);
  CHECK_EQ(want, 2u);
  CHECK(!p.lost_b);
  ilv_close(&p);
  free(s);
}

/* Numbering unknown: B, FSN 1, FSN 2 (E) is complete in RFC numbering but
 * also a from-0 message missing FSN 0; it waits for the TSN between. */
static void test_fsn_unknown_waits(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet(&p, 1, &t);
  const uint8_t *m = (const uint8_t *)"abcdefgh";
  inject(&p, CSCTP_CT_I_DATA, t, 3, 0, CSCTP_DATA_FLAG_B, 7, m, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 2, 3, 0, 0, 1, m + 4, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 3, 3, 0, CSCTP_DATA_FLAG_E, 2, m + 6, 2);
  expect_nothing(&p);
  /* the missing TSN is FSN 0 without B: the peer numbers from 0 */
  inject(&p, CSCTP_CT_I_DATA, t + 1, 3, 0, 0, 0, m + 2, 2);
  expect_read(&p, 3, "abcdefgh");
  CHECK(!p.lost_b);
  ilv_close(&p);
  /* the same, but the TSN between is another stream's message: RFC
   * numbering, both delivered, and FSN 0 without B now aborts */
  open_quiet(&p, 1, &t);
  inject(&p, CSCTP_CT_I_DATA, t, 3, 0, CSCTP_DATA_FLAG_B, 7, m, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 2, 3, 0, CSCTP_DATA_FLAG_E, 1, m + 2, 2);
  expect_nothing(&p);
  inject(&p, CSCTP_CT_I_DATA, t + 1, 4, 0,
         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 8, m + 4, 4);
  expect_read(&p, 4, "efgh");
  expect_read(&p, 3, "abcd");
  inject(&p, CSCTP_CT_I_DATA, t + 3, 3, 1, 0, 0, m, 2);
  ilv_events(&p);
  CHECK(p.lost_b);
  ilv_close(&p);
}

/* csctp_settings.idata_fsn_from0 (CSCTP_OPT_IDATA_FSN_FROM0), for Linux 6.1
 * peers (idata.h "Linux's numbering"). Sender: from the first message on,
 * the fragments after B are numbered 0, 1, ... where RFC 8260 2.1 has 1,
 * 2, ..., without having seen the peer do so; a default peer learns that
 * numbering from them and puts the messages together. Receiver: B, then a
 * fragment numbered 1 with E, is the third fragment of a message numbered
 * from 0 (FSN 0 still missing), not a complete two-fragment message. */
static void test_fsn_from0_forced_send(void) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_FCFS);
  settings(&sb, 1, CSCTP_SS_FCFS);
  sa.idata_fsn_from0 = 1;
  seen *s = calloc(1, sizeof(*s));
  ilv_pair p;
  REQUIRE(s && ilv_open(&p, &sa, &sb, 5) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  for (uint32_t i = 0; i < 2; i++) /* 3 fragments each */
    CHECK_EQ(ilv_send(&p, i, 1, 0, 3000), 0);
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, ilv_pred_idle));
  CHECK_EQ(p.nrecs, 2u);
  CHECK(!p.bad_data && !p.bad_order && !p.lost_b);
  uint32_t want = 0;
  int nonb = 0;
  for (size_t i = 0; i < s->nidata; i++) {
    const csctp_idata_chunk *c = &s->c[i];
    if (c->sid != 1 || (c->flags & CSCTP_DATA_FLAG_B)) {
      want = 0;
      continue;
    }
    CHECK_EQ(c->fsn, want++); /* Linux 6.1: 0, 1 after B */
    nonb++;
  }
  CHECK_EQ(nonb, 4);
  ilv_close(&p);
  free(s);
}

static void test_fsn_from0_forced_recv(void) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_FCFS);
  settings(&sb, 1, CSCTP_SS_FCFS);
  sb.idata_fsn_from0 = 1;
  ilv_pair p;
  uint32_t t;
  REQUIRE(ilv_open(&p, &sa, &sb, 9) == 0);
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  p.reader_on = 0;
  t = csctp_ep_peek(p.a, p.ida)->sq.next_tsn;
  const uint8_t *m = (const uint8_t *)"abcdefgh";
  inject(&p, CSCTP_CT_I_DATA, t, 2, 0, CSCTP_DATA_FLAG_B, 7, m, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 1, 2, 0, CSCTP_DATA_FLAG_E, 1, m + 4, 4);
  expect_nothing(&p); /* RFC numbering would deliver "abefgh" here */
  inject(&p, CSCTP_CT_I_DATA, t + 2, 2, 0, 0, 0, m + 2, 2);
  expect_read(&p, 2, "abcdefgh");
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* ---- Partial delivery (RFC 6458 8.1.21, 6.1.7; RFC 8260 1) -------------
 *
 * A message larger than the partial delivery point (half the receive
 * buffer) goes to the reader in parts before it is complete, in FSN
 * order; the reader gets one message at a time (RFC 6458 8.1.20 level 0:
 * nothing else is read before it ends); an I-FORWARD-TSN that abandons it
 * raises PARTIAL_DELIVERY_EVENT with PARTIAL_DELIVERY_ABORTED. */

enum { PD_FRAG = 1000, PD_RCVBUF = 8192 }; /* partial delivery at 4096 */

static void open_small_rcv(ilv_pair *p, int idata, uint32_t *tsn) {
  csctp_settings sa, sb;
  settings(&sa, idata, CSCTP_SS_FCFS);
  settings(&sb, idata, CSCTP_SS_FCFS);
  sb.rcvbuf = PD_RCVBUF;
  REQUIRE(ilv_open(p, &sa, &sb, 9) == 0);
  REQUIRE(ilv_run(p, 5 * CSCTP_SECONDS, ilv_pred_up));
  p->reader_on = 0;
  *tsn = csctp_ep_peek(p->a, p->ida)->sq.next_tsn;
}

static void open_quiet_rcv(ilv_pair *p, uint32_t *tsn) {
  open_small_rcv(p, 1, tsn);
}

static uint8_t pd_byte(uint16_t sid, size_t off) {
  return (uint8_t)(sid * 29u + off * 7u + (off >> 8));
}

/* Fragment fsn of n (PD_FRAG bytes each) of message (sid, mid, u). */
static void inject_frag(ilv_pair *p, uint32_t tsn, uint16_t sid, uint32_t mid,
                        int u, uint32_t fsn, uint32_t n) {
  uint8_t pay[PD_FRAG];
  for (size_t i = 0; i < PD_FRAG; i++)
    pay[i] = pd_byte(sid, (size_t)fsn * PD_FRAG + i);
  uint8_t fl = (uint8_t)((u ? CSCTP_DATA_FLAG_U : 0) |
                         (fsn == 0 ? CSCTP_DATA_FLAG_B : 0) |
                         (fsn == n - 1 ? CSCTP_DATA_FLAG_E : 0));
  inject(p, CSCTP_CT_I_DATA, tsn, sid, mid, fl, fsn == 0 ? 99u : fsn, pay,
         PD_FRAG);
}

/* Reads what is readable of one message: checks its bytes from *off on
 * (pd_byte of sid) and returns the bytes read; *eor when it ended. */
static size_t pd_read(ilv_pair *p, uint16_t sid, size_t *off, int *eor) {
  static uint8_t buf[64 * 1024];
  csctp_rcvinfo info;
  size_t got = 0;
  *eor = 0;
  csctp_ssize n;
  while (!*eor && (n = read_b(p, &info, buf, sizeof(buf))) > 0) {
    CHECK_EQ(info.sid, sid);
    for (csctp_ssize i = 0; i < n; i++)
      if (buf[i] != pd_byte(sid, *off + (size_t)i)) {
        CHECK(buf[i] == pd_byte(sid, *off + (size_t)i));
        break;
      }
    *off += (size_t)n;
    got += (size_t)n;
    *eor = (info.flags & CSCTP_RCV_EOR) != 0;
  }
  return got;
}

static csctp_idata *pd_state(ilv_pair *p) {
  return &csctp_ilv_get(csctp_ep_peek(p->b, p->idb))->idata;
}

/* A 12000-byte message through an 8192-byte buffer: parts before it is
 * complete, in FSN order (a missing fragment holds the ones after it
 * back); a complete message of another stream is read after it. */
static void test_pd_before_complete(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  size_t off = 0;
  int eor;
  for (uint32_t f = 0; f < 3; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 0u); /* 3000 < 4096: not yet */
  for (uint32_t f = 3; f < 5; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  CHECK(!eor);
  /* another stream's whole message waits behind the one being read */
  uint8_t x[3] = {'x', 'y', 'z'};
  inject(&p, CSCTP_CT_I_DATA, t + 12, 2, 0,
         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 5, x, 3);
  uint8_t buf[16];
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  /* FSN 7 missing: 5 and 6 are readable, 8.. wait for it */
  for (uint32_t f = 5; f < 12; f++)
    if (f != 7)
      inject_frag(&p, t + f, 1, 0, 0, f, 12);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 2000u);
  CHECK(!eor);
  inject_frag(&p, t + 7, 1, 0, 0, 7, 12);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  CHECK(eor);
  CHECK_EQ(off, 12000u);
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 3);
  CHECK_EQ(info.sid, 2);
  CHECK(info.flags & CSCTP_RCV_EOR);
  CHECK_EQ(pd_state(&p)->pd_started, 1u);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* Messages whose fragments interleave, ordered on stream 1 and unordered
 * on stream 3: both are received at once; stream 1's, past the point
 * first, is read in parts; stream 3's, complete meanwhile, after it. */
static void test_pd_two_streams(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  uint32_t tsn = t;
  for (uint32_t f = 0; f < 3; f++) {
    inject_frag(&p, tsn++, 1, 0, 0, f, 8);
    inject_frag(&p, tsn++, 3, 0, 1, f, 4);
  }
  inject_frag(&p, tsn++, 1, 0, 0, 3, 8);
  inject_frag(&p, tsn++, 1, 0, 0, 4, 8);
  size_t off1 = 0, off3 = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 5000u);
  CHECK(!eor);
  inject_frag(&p, tsn++, 3, 0, 1, 3, 4); /* stream 3 completes first */
  for (uint32_t f = 5; f < 8; f++)
    inject_frag(&p, tsn++, 1, 0, 0, f, 8);
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 3000u);
  CHECK(eor);
  CHECK_EQ(pd_read(&p, 3, &off3, &eor), 4000u);
  CHECK(eor);
  CHECK_EQ(pd_state(&p)->pd_started, 1u);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* Both past the point: one at a time; stream 3's, still incomplete when
 * stream 1's ends, is read in parts next. */
static void test_pd_one_at_a_time(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  uint32_t tsn = t;
  size_t off1, off3;
  int eor;
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, tsn++, 1, 0, 0, f, 6);
  off1 = off3 = 0;
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 5000u);
  CHECK(!eor);
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, tsn++, 3, 0, 1, f, 8);
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 0u);
  CHECK_EQ(pd_state(&p)->pd_started, 1u);
  inject_frag(&p, tsn++, 1, 0, 0, 5, 6);
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 1000u);
  CHECK(eor);
  CHECK_EQ(pd_read(&p, 3, &off3, &eor), 5000u);
  CHECK(!eor);
  CHECK_EQ(pd_state(&p)->pd_started, 2u);
  for (uint32_t f = 5; f < 8; f++)
    inject_frag(&p, tsn++, 3, 0, 1, f, 8);
  CHECK_EQ(pd_read(&p, 3, &off3, &eor), 3000u);
  CHECK(eor);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* pd_aborted_events drains b's events and returns how many were
 * PARTIAL_DELIVERY_ABORTED; each must name b's association, stream sid,
 * sequence seq (MID or SSN) and no unordered flag. */
static int pd_aborted_events(ilv_pair *p, uint16_t sid, uint32_t seq) {
  csctp_event ev[8];
  size_t n = csctp_endpoint_poll_events(p->b, ev, 8);
  int seen = 0;
  for (size_t i = 0; i < n; i++) {
    if (ev[i].type == CSCTP_EV_PARTIAL_DELIVERY) {
      seen++;
      CHECK_EQ(ev[i].u.pdapi.indication,
               (uint32_t)CSCTP_PARTIAL_DELIVERY_ABORTED);
      CHECK_EQ(ev[i].u.pdapi.stream, sid);
      CHECK_EQ(ev[i].u.pdapi.seq, seq);
      CHECK_EQ(ev[i].u.pdapi.flags, 0u);
      CHECK_EQ(ev[i].assoc_id, p->idb);
    }
    csctp_event_clear(p->b, &ev[i]);
  }
  return seen;
}

/* RFC 6458 6.1.7: an I-FORWARD-TSN abandoning the message being read in
 * parts raises PARTIAL_DELIVERY_ABORTED (stream, MID) and the stream goes
 * on with the next message. */
static void test_pd_aborted(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  size_t off = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  CHECK(!eor);
  inject(&p, CSCTP_CT_I_FORWARD_TSN, t + 11, 1, 0, 0, 0, NULL, 0);
  CHECK_EQ(pd_aborted_events(&p, 1, 0), 1);
  CHECK_EQ(pd_state(&p)->pd_aborted, 1u);
  /* the next message of the stream (MID 1) is read whole */
  uint8_t x[3] = {'n', 'e', 'w'}, buf[16];
  inject(&p, CSCTP_CT_I_DATA, t + 12, 1, 1,
         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 5, x, 3);
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 3);
  CHECK_MEM(buf, "new", 3);
  CHECK_EQ(info.sid, 1);
  CHECK(info.flags & CSCTP_RCV_EOR);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* The same with DATA (RFC 6458 6.1.7; RFC 3758 3.6): a FORWARD TSN that
 * abandons the message being read in parts raises PARTIAL_DELIVERY_ABORTED
 * (stream, SSN); without it the reader would take the next message for
 * the rest of this one. */
static void test_pd_aborted_data(void) {
  ilv_pair p;
  uint32_t t;
  open_small_rcv(&p, 0, &t);
  for (uint32_t f = 0; f < 5; f++) { /* 5 of 12 fragments: over 4096 */
    uint8_t pay[PD_FRAG];
    for (size_t i = 0; i < PD_FRAG; i++)
      pay[i] = pd_byte(1, (size_t)f * PD_FRAG + i);
    inject(&p, CSCTP_CT_DATA, t + f, 1, 0, f == 0 ? CSCTP_DATA_FLAG_B : 0, 99,
           pay, PD_FRAG);
  }
  size_t off = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  CHECK(!eor);
  inject(&p, CSCTP_CT_FORWARD_TSN, t + 11, 1, 0, 0, 0, NULL, 0);
  CHECK_EQ(pd_aborted_events(&p, 1, 0), 1);
  /* SSN 1 is read whole after it */
  uint8_t x[3] = {'n', 'e', 'w'}, buf[16];
  inject(&p, CSCTP_CT_DATA, t + 12, 1, 1, CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E,
         5, x, 3);
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 3);
  CHECK_MEM(buf, "new", 3);
  CHECK_EQ(info.ssn, 1);
  CHECK(info.flags & CSCTP_RCV_EOR);
  /* a FORWARD TSN that skips nothing being read raises nothing */
  inject(&p, CSCTP_CT_FORWARD_TSN, t + 13, 1, 2, 0, 0, NULL, 0);
  CHECK_EQ(pd_aborted_events(&p, 1, 0), 0);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* RFC 6525 5.2.4 G4 with I-DATA: an SSN/TSN reset drops the incomplete
 * messages held; one being read in parts ends with the event. */
static void test_pd_tsn_reset(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  inject_frag(&p, t + 5, 2, 0, 0, 0, 3); /* another, incomplete */
  size_t off = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  csctp_idata_tsn_reset(csctp_ep_peek(p.b, p.idb));
  csctp_event ev[8];
  size_t n = csctp_endpoint_poll_events(p.b, ev, 8);
  int seen = 0;
  for (size_t i = 0; i < n; i++) {
    if (ev[i].type == CSCTP_EV_PARTIAL_DELIVERY && ev[i].u.pdapi.stream == 1)
      seen++;
    csctp_event_clear(p.b, &ev[i]);
  }
  CHECK_EQ(seen, 1);
  CHECK(pd_state(&p)->rx == NULL);
  CHECK_EQ(pd_state(&p)->rx_bytes, 0u);
  uint8_t buf[16];
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  ilv_close(&p);
}

/* A simulated client -> server pair that negotiates I-DATA (round robin
 * scheduler on the client) over a link with 1 % loss and 1 % reordering
 * both ways; the client's send and the server's receive buffer as given. */
static sim *idata_lossy_sim(uint64_t seed, const char *name, uint32_t sndbuf,
                            uint32_t rcvbuf, sim_node **c, sim_node **v) {
  csctp_settings cs, ss;
  csctp_settings_default(&cs);
  csctp_settings_default(&ss);
  cs.interleaving_supported = ss.interleaving_supported = 1;
  cs.stream_scheduler = CSCTP_SS_RR;
  cs.sndbuf = sndbuf;
  ss.rcvbuf = rcvbuf;
  sim_link_params lp;
  sim_link_params_default(&lp);
  lp.loss = 0.01;
  lp.reorder = 0.01;
  lp.reorder_delay = 20 * CSCTP_MILLISECONDS;
  sim *s = sim_new(seed, name);
  *c = sim_node_add(s, "client", 0x0a000001, 4000, &cs);
  *v = sim_node_add(s, "server", 0x0a000002, 5000, &ss);
  sim_pair(*c, *v);
  sim_node_listen(*v, 1);
  sim_link_nodes(s, *c, *v, &lp);
  return s;
}

/* Simulator: a 4 MiB message on stream 0 through a 256 KiB receive
 * buffer with I-DATA, 1 % loss and reordering both ways, small messages on
 * stream 1 beside it (round robin). It can only arrive by partial
 * delivery (an incomplete message may hold about three buffers); the
 * reader's parts of it are hashed (SHA-256) against what was sent. */
typedef struct pd_sim_rd {
  csctp_sha256_ctx h;
  uint64_t got;
  unsigned parts, ends;
} pd_sim_rd;

static void pd_sim_on_read(sim *s, const csctp_rcvinfo *info, const uint8_t *p,
                           size_t len, void *ud) {
  pd_sim_rd *r = ud;
  (void)s;
  if (info->sid != 0)
    return;
  csctp_sha256_update(&r->h, p, len);
  r->got += len;
  if (info->flags & CSCTP_RCV_EOR)
    r->ends++;
  else
    r->parts++;
}

static void pd_sim_run(uint64_t seed) {
  enum { BIG = 4u << 20 };
  sim_node *c, *v;
  sim *s = idata_lossy_sim(seed, "idata_pd_4mib", 8u << 20, 256u << 10, &c, &v);
  sim_flow_add(&c->app.tx, 0, 51, 0, BIG);
  for (int i = 0; i < 40; i++)
    sim_flow_add(&c->app.tx, 1, 52, i % 2, 100u + 37u * (uint32_t)i);
  pd_sim_rd rd;
  memset(&rd, 0, sizeof(rd));
  csctp_sha256_init(&rd.h);
  v->app.rd_min = 1024;
  v->app.rd_max = 65536;
  v->app.on_read = pd_sim_on_read;
  v->app.on_read_data = &rd;
  CHECK_EQ(sim_connect(c, v), 0);
  int r =
      sim_run_until(s, s->now + 600 * CSCTP_SECONDS, sim_pred_flows_done, NULL);
  CHECK_EQ(r, 1);
  CHECK(!c->lost && !v->lost);
  CHECK_EQ(csctp_interleaving(v->ep, v->assoc), 1);
  sim_check_delivered(s, c, 0);
  uint8_t *want = malloc(BIG);
  REQUIRE(want);
  sim_msg_fill(c->app.tx.key, 0, BIG, 0, want, BIG);
  uint8_t d1[32], d2[32];
  csctp_sha256_ctx h;
  csctp_sha256_init(&h);
  csctp_sha256_update(&h, want, BIG);
  csctp_sha256_final(&h, d1);
  csctp_sha256_final(&rd.h, d2);
  free(want);
  CHECK_EQ(rd.got, (uint64_t)BIG);
  CHECK_EQ(rd.ends, 1u);
  CHECK(rd.parts > 0);
  CHECK(memcmp(d1, d2, 32) == 0);
  const csctp_assoc *va = csctp_ep_peek(v->ep, v->assoc);
  uint64_t started = va && va->ilv ? va->ilv->idata.pd_started : 0;
  CHECK(started >= 1);
  if (getenv("IDATA_VERBOSE") || r != 1)
    fprintf(stderr,
            "idata_pd_4mib seed %llu: %llu bytes in %u reads, %llu partial "
            "deliveries, %.1f s\n",
            (unsigned long long)seed, (unsigned long long)rd.got,
            rd.parts + rd.ends, (unsigned long long)started,
            (double)s->now / 1e9);
  CHECK_EQ(sim_free(s), 0u);
}

static void test_pd_sim_4mib(void) {
  for (uint64_t seed = 0x1d47a001; seed < 0x1d47a003; seed++)
    pd_sim_run(seed);
}

/* ---- Interleaved reads (RFC 6458 8.1.20 level 2) -----------------------
 *
 * 8.1.20 level 2: "a partially delivered message may begin being delivered
 * for association X stream Y, and the next subsequent receive may return a
 * message from association X stream Z"; "no other messages would be
 * delivered for association X stream Y until all of stream Y's partially
 * delivered message was read". RFC 8260 4.3.1: level 2 does not allow
 * interleaving messages, ordered or unordered, of the same stream. Level 0
 * prevents any interleaving (another stream's message waits for the
 * reader to read all of the partial one); level 1 is level 0 within one
 * association. Each read names its stream, the low 16 bits of the MID as
 * the SSN (RFC 8260 4.1), and EOR on the last part. */

/* A message of stream 1 read in parts whose next fragment is missing, and
 * a whole (unordered) message of stream 2 behind it: read next at level 2
 * only. */
static void ilv2_stalled(int level) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, level), 0);
  CHECK_EQ(csctp_fragment_interleave(p.b, p.idb), level);
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  size_t off = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  CHECK(!eor);
  uint8_t x[3] = {'x', 'y', 'z'}, buf[16];
  inject(&p, CSCTP_CT_I_DATA, t + 12, 2, 0x10007,
         CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E | CSCTP_DATA_FLAG_U, 55, x, 3);
  csctp_rcvinfo info;
  csctp_ssize n = read_b(&p, &info, buf, sizeof(buf));
  if (level < 2) {
    CHECK_EQ(n, CSCTP_ERR_AGAIN); /* blocked behind the partial one */
  } else {
    CHECK_EQ(n, 3);
    CHECK_MEM(buf, "xyz", 3);
    CHECK_EQ(info.sid, 2);
    CHECK_EQ(info.ssn, 7); /* the MID's low 16 bits (RFC 8260 4.1) */
    CHECK_EQ(info.ppid, 55u);
    CHECK(info.flags & CSCTP_RCV_EOR);
    CHECK(info.flags & CSCTP_RCV_UNORDERED);
  }
  for (uint32_t f = 5; f < 12; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 12);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 7000u);
  CHECK(eor);
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)),
           level < 2 ? 3 : CSCTP_ERR_AGAIN);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

static void test_ilv2_stalled_stream_not_blocking(void) {
  ilv2_stalled(0);
  ilv2_stalled(1);
  ilv2_stalled(2);
}

/* Level 2, stream 1's MID 0 read in part: neither its MID 1 nor an
 * unordered message of stream 1 comes before MID 0's end; stream 2's
 * does. */
static void test_ilv2_one_message_per_stream(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, 2), 0);
  for (uint32_t f = 0; f < 5; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 8);
  size_t off = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 5000u);
  int be = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  uint8_t m1[2] = {'o', '1'}, u1[2] = {'u', '1'}, s2[2] = {'s', '2'}, buf[16];
  inject(&p, CSCTP_CT_I_DATA, t + 8, 1, 1, (uint8_t)be, 1, m1, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 9, 1, 0, (uint8_t)(be | CSCTP_DATA_FLAG_U), 1,
         u1, 2);
  inject(&p, CSCTP_CT_I_DATA, t + 10, 2, 0, (uint8_t)be, 2, s2, 2);
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 2);
  CHECK_MEM(buf, "s2", 2);
  CHECK_EQ(info.sid, 2);
  CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  for (uint32_t f = 5; f < 8; f++)
    inject_frag(&p, t + f, 1, 0, 0, f, 8);
  CHECK_EQ(pd_read(&p, 1, &off, &eor), 3000u);
  CHECK(eor);
  /* then the others of stream 1, each whole */
  int got_o = 0, got_u = 0;
  for (int i = 0; i < 2; i++) {
    CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 2);
    CHECK_EQ(info.sid, 1);
    CHECK(info.flags & CSCTP_RCV_EOR);
    got_o += memcmp(buf, "o1", 2) == 0;
    got_u += memcmp(buf, "u1", 2) == 0 && (info.flags & CSCTP_RCV_UNORDERED);
  }
  CHECK_EQ(got_o, 1);
  CHECK_EQ(got_u, 1);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* Two messages whose fragments interleave, both past the partial delivery
 * point: at level 0 one is under partial delivery, at level 2 both (one
 * per stream), and reads take them in turn (round robin, csctp.h), each
 * part in FSN order. */
static void ilv2_two_at_once(int level) {
  ilv_pair p;
  uint32_t t, tsn;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, level), 0);
  tsn = t;
  for (uint32_t f = 0; f < 5; f++) {
    inject_frag(&p, tsn++, 1, 0, 0, f, 8);
    inject_frag(&p, tsn++, 3, 0, 0, f, 8);
  }
  CHECK_EQ(pd_state(&p)->pd_started, level == 2 ? 2u : 1u);
  uint8_t buf[PD_FRAG];
  size_t off[4] = {0, 0, 0, 0};
  csctp_rcvinfo info;
  csctp_ssize n;
  int switches = 0, last = -1, reads = 0;
  while ((n = read_b(&p, &info, buf, sizeof(buf))) > 0) {
    REQUIRE(info.sid == 1 || info.sid == 3);
    for (csctp_ssize i = 0; i < n; i++)
      if (buf[i] != pd_byte(info.sid, off[info.sid] + (size_t)i)) {
        CHECK(buf[i] == pd_byte(info.sid, off[info.sid] + (size_t)i));
        break;
      }
    off[info.sid] += (size_t)n;
    switches += last >= 0 && last != info.sid;
    last = info.sid;
    reads++;
  }
  if (level == 2) {
    CHECK_EQ(off[1], 5000u);
    CHECK_EQ(off[3], 5000u);
    CHECK_EQ(switches, reads - 1); /* strictly in turn */
  } else {
    CHECK_EQ(off[1], 5000u);
    CHECK_EQ(off[3], 0u);
    CHECK_EQ(switches, 0);
  }
  for (uint32_t f = 5; f < 8; f++) {
    inject_frag(&p, tsn++, 1, 0, 0, f, 8);
    inject_frag(&p, tsn++, 3, 0, 0, f, 8);
  }
  int ends = 0;
  while ((n = read_b(&p, &info, buf, sizeof(buf))) > 0) {
    off[info.sid] += (size_t)n;
    ends += (info.flags & CSCTP_RCV_EOR) != 0;
  }
  CHECK_EQ(off[1], 8000u);
  CHECK_EQ(off[3], 8000u);
  CHECK_EQ(ends, 2);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

static void test_ilv2_two_at_once(void) {
  ilv2_two_at_once(0);
  ilv2_two_at_once(2);
}

/* csctp_recv_cont continues the message the last read left unfinished,
 * and only it, at level 2 too (a scatter read fills its buffers from one
 * message). */
static void test_ilv2_recv_cont(void) {
  ilv_pair p;
  uint32_t t, tsn;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, 2), 0);
  tsn = t;
  for (uint32_t f = 0; f < 5; f++) {
    inject_frag(&p, tsn++, 1, 0, 0, f, 8);
    inject_frag(&p, tsn++, 3, 0, 0, f, 8);
  }
  uint8_t buf[700];
  csctp_rcvinfo info;
  CHECK_EQ(read_b(&p, &info, buf, 500), 500);
  uint16_t sid = info.sid;
  size_t off = 500;
  csctp_ssize n;
  CHECK_EQ(csctp_recv_cont(p.b, 0, &info, buf, sizeof(buf), p.now),
           CSCTP_ERR_INVAL);
  while ((n = csctp_recv_cont(p.b, p.idb, &info, buf, sizeof(buf), p.now)) >
         0) {
    CHECK_EQ(info.sid, sid);
    CHECK(buf[0] == pd_byte(sid, off));
    off += (size_t)n;
  }
  CHECK_EQ(n, CSCTP_ERR_AGAIN);
  CHECK_EQ(off, 5000u); /* all of it that arrived, nothing of the other */
  CHECK(read_b(&p, &info, buf, sizeof(buf)) > 0);
  CHECK(info.sid != sid);
  ilv_close(&p);
}

/* RFC 6458 6.1.7 at level 2: of two messages read in parts, the one an
 * I-FORWARD-TSN abandons raises PARTIAL_DELIVERY_ABORTED naming its stream
 * and MID; the other goes on. */
static void test_ilv2_aborted_names_stream(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, 2), 0);
  uint8_t one = 'm', buf[PD_FRAG];
  csctp_rcvinfo info;
  for (uint32_t mid = 0; mid < 4; mid++) { /* stream 3 MIDs 0-3, read */
    inject(&p, CSCTP_CT_I_DATA, t + mid, 3, mid,
           CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E, 1, &one, 1);
    CHECK_EQ(read_b(&p, &info, buf, sizeof(buf)), 1);
  }
  t += 4;
  for (uint32_t f = 0; f < 5; f++) /* stream 3 MID 4: 5 of 12 fragments */
    inject_frag(&p, t + f, 3, 4, 0, f, 12);
  size_t off1 = 0, off3 = 0;
  int eor;
  CHECK_EQ(pd_read(&p, 3, &off3, &eor), 5000u);
  for (uint32_t f = 0; f < 5; f++) /* stream 1 MID 0: 5 of 8 */
    inject_frag(&p, t + 12 + f, 1, 0, 0, f, 8);
  CHECK_EQ(pd_state(&p)->pd_started, 2u); /* both at once */
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 5000u);
  /* stream 3's MID 4 abandoned: TSNs up to t + 11 */
  inject(&p, CSCTP_CT_I_FORWARD_TSN, t + 11, 3, 4, 0, 0, NULL, 0);
  CHECK_EQ(pd_aborted_events(&p, 3, 4), 1);
  for (uint32_t f = 5; f < 8; f++)
    inject_frag(&p, t + 12 + f, 1, 0, 0, f, 8);
  CHECK_EQ(pd_read(&p, 1, &off1, &eor), 3000u);
  CHECK(eor);
  CHECK(!p.lost_b);
  ilv_close(&p);
}

/* 8.1.20: "It can be set to a value of 0, 1, or 2. Attempting to set this
 * level to other values will return an error." */
static void test_ilv_level_values(void) {
  ilv_pair p;
  uint32_t t;
  open_quiet_rcv(&p, &t);
  CHECK_EQ(csctp_fragment_interleave(p.b, p.idb), 0); /* default */
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, 3), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, p.idb, -1), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, 0, 7), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, 999, 2), CSCTP_ERR_NOT_FOUND);
  CHECK_EQ(csctp_fragment_interleave(p.b, p.idb), 0);
  CHECK_EQ(csctp_set_fragment_interleave(p.b, 0, 2), 0);
  CHECK_EQ(csctp_fragment_interleave(p.b, 0), 2);
  CHECK_EQ(csctp_fragment_interleave(p.b, p.idb), 0); /* new ones only */
  ilv_close(&p);
}

/* Simulator: 1 MiB on stream 0 and 1 MiB on stream 1, sent round robin
 * with I-DATA through a 128 KiB receive buffer, 1 % loss and reordering;
 * the reader, at level 2, puts both together from interleaved parts (its
 * own per-stream reassembly), SHA-256 equal to what was sent. Neither can
 * arrive whole (each is 8 buffers), so both are read in parts, in turn. */
typedef struct ilv_sim_rd {
  sim_node *v;
  csctp_sha256_ctx h[2];
  uint64_t got[2];
  uint32_t ppid[2];
  unsigned ends[2], switches, reads, bad;
  int last, open[2];
} ilv_sim_rd;

static int ilv_sim_read(sim *s, void *ud) {
  ilv_sim_rd *r = ud;
  static uint8_t buf[24 * 1024];
  csctp_rcvinfo info;
  csctp_ssize n;
  while ((n = csctp_recv(r->v->ep, 0, &info, buf,
                         1 + (r->reads * 7919u) % sizeof(buf), s->now)) > 0) {
    r->reads++;
    if (info.sid > 1) {
      r->bad++;
      continue;
    }
    int k = info.sid;
    if (!r->open[k])
      r->ppid[k] = info.ppid; /* first part */
    else if (info.ppid != r->ppid[k])
      r->bad++;
    r->open[k] = !(info.flags & CSCTP_RCV_EOR);
    csctp_sha256_update(&r->h[k], buf, (size_t)n);
    r->got[k] += (uint64_t)n;
    r->ends[k] += !r->open[k];
    /* a switch while both were in progress: interleaved parts */
    if (r->last >= 0 && r->last != k && r->open[r->last] && r->open[k])
      r->switches++;
    r->last = k;
  }
  return r->ends[0] + r->ends[1] == 2;
}

static void ilv_sim_run(uint64_t seed) {
  enum { BIG = 1u << 20 };
  sim_node *c, *v;
  sim *s =
      idata_lossy_sim(seed, "idata_ilv2_2x1mib", 4u << 20, 128u << 10, &c, &v);
  REQUIRE(csctp_set_fragment_interleave(v->ep, 0, 2) == 0);
  sim_flow_add(&c->app.tx, 0, 51, 0, BIG);
  sim_flow_add(&c->app.tx, 1, 52, 0, BIG);
  v->app.read_enabled = 0; /* read below, per stream */
  ilv_sim_rd rd;
  memset(&rd, 0, sizeof(rd));
  rd.v = v;
  rd.last = -1;
  csctp_sha256_init(&rd.h[0]);
  csctp_sha256_init(&rd.h[1]);
  CHECK_EQ(sim_connect(c, v), 0);
  int r = sim_run_until(s, s->now + 600 * CSCTP_SECONDS, ilv_sim_read, &rd);
  CHECK_EQ(r, 1);
  CHECK(!c->lost && !v->lost);
  CHECK_EQ(csctp_interleaving(v->ep, v->assoc), 1);
  CHECK_EQ(csctp_fragment_interleave(v->ep, v->assoc), 2);
  uint8_t *want = malloc(BIG);
  REQUIRE(want);
  for (int k = 0; k < 2; k++) {
    uint8_t d1[32], d2[32];
    csctp_sha256_ctx h;
    sim_msg_fill(c->app.tx.key, (uint64_t)k, BIG, 0, want, BIG);
    csctp_sha256_init(&h);
    csctp_sha256_update(&h, want, BIG);
    csctp_sha256_final(&h, d1);
    csctp_sha256_final(&rd.h[k], d2);
    CHECK_EQ(rd.got[k], (uint64_t)BIG);
    CHECK_EQ(rd.ends[k], 1u);
    CHECK_EQ(rd.ppid[k], 51u + (uint32_t)k);
    CHECK(memcmp(d1, d2, 32) == 0);
  }
  free(want);
  CHECK_EQ(rd.bad, 0u);
  CHECK(rd.switches > 0);
  const csctp_assoc *va = csctp_ep_peek(v->ep, v->assoc);
  uint64_t started = va && va->ilv ? va->ilv->idata.pd_started : 0;
  CHECK(started >= 2);
  if (getenv("IDATA_VERBOSE") || r != 1)
    fprintf(stderr,
            "idata_ilv2_2x1mib seed %llu: %llu + %llu bytes in %u reads, %u "
            "switches between messages in progress, %llu partial "
            "deliveries, %.1f s\n",
            (unsigned long long)seed, (unsigned long long)rd.got[0],
            (unsigned long long)rd.got[1], rd.reads, rd.switches,
            (unsigned long long)started, (double)s->now / 1e9);
  CHECK_EQ(sim_free(s), 0u);
}

static void test_ilv2_sim_two_1mib(void) {
  for (uint64_t seed = 0x11e2a001; seed < 0x11e2a004; seed++)
    ilv_sim_run(seed);
}

/* ---- I-FORWARD-TSN (2.3.1) --------------------------------------------- */

static void test_ifwd_codec(void) {
  uint8_t mem[64];
  csctp_buf b;
  csctp_ifwd_ent e[2] = {{.sid = 3, .u = 0, .mid = 0x01020304},
                         {.sid = 0x0506, .u = 1, .mid = 7}};
  csctp_buf_init(&b, mem, sizeof(mem));
  CHECK_EQ(csctp_ifwd_put(&b, 0xAABBCCDD, e, 2), 0);
  const uint8_t want[] = {194, 0, 0, 24, 0xAA, 0xBB, 0xCC, 0xDD, 0, 3, 0, 0,
                          1,   2, 3, 4,  5,    6,    0,    1,    0, 0, 0, 7};
  CHECK_EQ(b.len, sizeof(want));
  CHECK_MEM(mem, want, sizeof(want));
  mem[18] = 0xFF; /* reserved bits: ignored */
  mem[19] = 0xFF;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_ifwd f;
  csctp_ifwd_ent o;
  csctp_tlv_iter_init(&it, mem, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_ifwd_decode(&c, &f), 0);
  CHECK_EQ(f.new_cum, 0xAABBCCDDu);
  CHECK_EQ(f.n, 2u);
  csctp_ifwd_entry(&f, 0, &o);
  CHECK(o.sid == 3 && o.u == 0 && o.mid == 0x01020304u);
  csctp_ifwd_entry(&f, 1, &o);
  CHECK(o.sid == 0x0506 && o.u == 1 && o.mid == 7u);
  /* a length that is not 8 + 8n is malformed */
  mem[3] = 20;
  csctp_tlv_iter_init(&it, mem, 20);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(csctp_ifwd_decode(&c, &f), CSCTP_ERR_MALFORMED);
  csctp_buf_init(&b, mem, 23);
  CHECK_EQ(csctp_ifwd_put(&b, 1, e, 2), CSCTP_ERR_NOBUF);
  CHECK_EQ(b.len, 0u);
}

/* PR-SCTP with I-DATA: messages abandoned whole, ordered and unordered,
 * are skipped by I-FORWARD-TSN (never FORWARD TSN); the receiver drops
 * their fragments and the ordered stream goes on after the skipped MID. */
static void pr_abandon_ifwd(int drop_mode) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_RR);
  settings(&sb, 1, CSCTP_SS_FCFS);
  seen *s = calloc(1, sizeof(*s));
  ilv_pair p;
  REQUIRE(s && ilv_open(&p, &sa, &sb, 13) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  s->drop_sid0 = drop_mode;
  /* stream 0: an ordered and an unordered message, no retransmission
   * allowed (RFC 7496 3.1); stream 1: reliable */
  CHECK_EQ(ilv_send_pr(&p, 0, 0, 0, 5000, CSCTP_PR_SCTP_RTX, 0), 0);
  CHECK_EQ(ilv_send_pr(&p, 100, 0, 1, 3000, CSCTP_PR_SCTP_RTX, 0), 0);
  for (uint32_t i = 0; i < 4; i++)
    CHECK_EQ(ilv_send(&p, i, 1, 0, 2000), 0);
  ilv_run(&p, 3 * CSCTP_SECONDS, NULL);
  s->drop_sid0 = 0;
  CHECK_EQ(ilv_send(&p, 1, 0, 0, 5000), 0); /* next ordered message */
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(p.abandoned_a, 2);
  CHECK(s->nifwd > 0);
  CHECK_EQ(s->nfwd, 0u); /* 2.3.1: FORWARD-TSN MUST NOT be used */
  CHECK_EQ(p.nrecs, 5u); /* 4 on stream 1, the second on stream 0 */
  int got0 = 0;
  for (size_t i = 0; i < p.nrecs; i++)
    if (p.recs[i].sid == 0) {
      got0++;
      CHECK_EQ(p.recs[i].idx, 1u);
      CHECK_EQ(p.recs[i].ssn, 1); /* MID 1: MID 0 was skipped */
    }
  CHECK_EQ(got0, 1);
  CHECK(!p.bad_data && !p.bad_order && !p.lost_a && !p.lost_b);
  /* the fragments held of the abandoned messages were dropped */
  CHECK_EQ(csctp_idata_charged(csctp_ep_peek(p.b, p.idb)), 0u);
  ilv_close(&p);
  free(s);
}

/* A message abandoned part way whose sent fragments were all acknowledged
 * (RFC 3758 3.5 A3 with RFC 8260 2.3.1): the receiver holds them and waits
 * for the rest, so the I-FORWARD-TSN must still list its MID, else its
 * ordered stream stalls for good. Here its unsent fragments are not at the
 * head of the unsent FIFO: with the priority scheduler (RFC 8260 3.4) a
 * message of a higher priority stream goes first, over a slow link, while
 * stream 1's expires (TTL); a later message on stream 1 must arrive. */
static void test_pr_abandon_acked_part(void) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_PRIO);
  settings(&sb, 1, CSCTP_SS_FCFS);
  seen *s = calloc(1, sizeof(*s));
  ilv_pair p;
  REQUIRE(s && ilv_open(&p, &sa, &sb, 21) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  p.rate = 100000; /* bytes per second a->b */
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 1, 5), 0);
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 3, 0), 0); /* first */
  CHECK_EQ(ilv_send_pr(&p, 1, 1, 0, 60000, CSCTP_PR_SCTP_TTL, 400), 0);
  ilv_run(&p, 100 * CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(ilv_send(&p, 3, 3, 0, 60000), 0);
  ilv_run(&p, 200 * CSCTP_MILLISECONDS, NULL);
  const csctp_assoc *aa = csctp_ep_peek(p.a, p.ida);
  int y_out = 0;
  for (const csctp_chunk_out *c = aa->sq.out; c; c = c->next)
    y_out += c->sid == 1;
  CHECK_EQ(y_out, 0); /* stream 1's sent part is acked */
  CHECK(aa->sq.unsent && aa->sq.unsent->sid == 3); /* and its rest behind */
  ilv_run(&p, 300 * CSCTP_MILLISECONDS, NULL);     /* stream 1's expires */
  CHECK_EQ(ilv_send(&p, 2, 1, 0, 2000), 0);
  CHECK(ilv_run(&p, 30 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(p.abandoned_a, 1);
  int got[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < p.nrecs; i++)
    if (p.recs[i].idx < 4)
      got[p.recs[i].idx]++;
  CHECK_EQ(got[3], 1);
  CHECK_EQ(got[2], 1); /* stream 1 went on after the abandoned MID 0 */
  CHECK(s->nifwd > 0);
  CHECK(!p.bad_data && !p.bad_order && !p.lost_a && !p.lost_b);
  CHECK_EQ(csctp_idata_charged(csctp_ep_peek(p.b, p.idb)), 0u);
  ilv_close(&p);
  free(s);
}

static void test_pr_abandon_ifwd(void) {
  pr_abandon_ifwd(1); /* nothing of them arrives */
  pr_abandon_ifwd(2); /* all but their last fragments arrive */
}

/* ---- End to end -------------------------------------------------------- */

static int pred_reset_done(ilv_pair *p) { return p->reset_events_a > 0; }

/* RFC 8260 2.3.2: a stream reset sets the stream's MID counters to 0; the
 * receiver then expects MID 0 on it. */
static void test_stream_reset_resets_mid(void) {
  csctp_settings sa, sb;
  settings(&sa, 1, CSCTP_SS_FCFS);
  settings(&sb, 1, CSCTP_SS_FCFS);
  sb.reconf_enable = CSCTP_ENABLE_RESET_STREAM_REQ;
  seen *s = calloc(1, sizeof(*s));
  ilv_pair p;
  REQUIRE(s && ilv_open(&p, &sa, &sb, 11) == 0);
  p.tap = tap_seen;
  p.tap_ud = s;
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  for (uint32_t i = 0; i < 3; i++)
    CHECK_EQ(ilv_send(&p, i, 1, 0, 2000), 0);
  CHECK_EQ(ilv_send(&p, 0, 2, 1, 100), 0); /* unordered counter too */
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, ilv_pred_idle));
  uint16_t sids[2] = {1, 2};
  CHECK_EQ(csctp_reset_streams(p.a, p.ida, CSCTP_STREAM_RESET_OUTGOING, sids, 2,
                               p.now),
           0);
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, pred_reset_done));
  size_t before = s->nidata;
  CHECK_EQ(ilv_send(&p, 3, 1, 0, 2000), 0);
  CHECK_EQ(ilv_send(&p, 1, 2, 1, 100), 0);
  CHECK(ilv_run(&p, 10 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(&p, CSCTP_SECONDS, NULL);
  int n = 0;
  for (size_t i = before; i < s->nidata; i++, n++)
    CHECK_EQ(s->c[i].mid, 0u);
  CHECK(n >= 3);
  CHECK_EQ(p.nrecs, 6u);
  CHECK(!p.bad_data && !p.bad_order && !p.lost_a && !p.lost_b);
  ilv_close(&p);
  free(s);
}

/* Lossy runs: big and small, ordered and unordered messages on several
 * streams; every message arrives once, intact, in order per ordered
 * stream. */
static void lossy_run(uint64_t seed, uint32_t sched) {
  csctp_settings sa, sb;
  settings(&sa, 1, sched);
  settings(&sb, 1, CSCTP_SS_FCFS);
  sa.sndbuf = sb.rcvbuf = 4u << 20;
  ilv_pair p;
  REQUIRE(ilv_open(&p, &sa, &sb, seed) == 0);
  REQUIRE(ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up));
  p.loss = 0.02;
  p.rate = 4000000;
  p.queue_limit = 100000;
  uint32_t sent = 0, idx[3] = {0, 0, 0};
  for (int round = 0; round < 6; round++) {
    CHECK_EQ(ilv_send(&p, idx[0]++, 0, 0, 50000 + 1000 * (size_t)round), 0);
    for (int k = 0; k < 5; k++) {
      CHECK_EQ(ilv_send(&p, idx[1]++, 1, 0, 64 + 300 * (size_t)k), 0);
      CHECK_EQ(ilv_send(&p, idx[2]++, 2, 1, 3000), 0);
    }
    sent += 11;
    ilv_run(&p, 30 * CSCTP_MILLISECONDS, NULL);
  }
  int ok = ilv_run(&p, 120 * CSCTP_SECONDS, ilv_pred_idle);
  ilv_run(&p, 2 * CSCTP_SECONDS, NULL);
  CHECK(ok);
  CHECK_EQ(p.nrecs, (size_t)sent);
  CHECK(!p.bad_data && !p.bad_order && !p.lost_a && !p.lost_b);
  if (getenv("IDATA_VERBOSE") || p.nrecs != sent || p.bad_data || p.bad_order)
    fprintf(stderr, "lossy seed %llu sched %u: %zu of %u delivered\n",
            (unsigned long long)seed, sched, p.nrecs, sent);
  ilv_close(&p);
}

static void test_lossy_runs(void) {
  for (uint64_t seed = 1; seed <= 6; seed++)
    lossy_run(seed, seed % 2 ? CSCTP_SS_RR : CSCTP_SS_FCFS);
}

/* ---- Head-of-line blocking (RFC 8260 1, 2.2.2) -------------------------
 *
 * Three 1 MiB messages on stream 0, then a 64-byte message on stream 1
 * every 20 ms; a 4 MB/s bottleneck with a 64 kB queue, 10 ms each way. The
 * send and receive buffers are large enough that the small messages never
 * wait for room. Returns the 99th percentile latency of the small ones. */
static csctp_tstamp hol_p99(int idata, uint32_t sched, size_t *nsmall) {
  csctp_settings sa, sb;
  settings(&sa, idata, sched);
  settings(&sb, idata, CSCTP_SS_FCFS);
  sa.sndbuf = sb.rcvbuf = 8u << 20;
  ilv_pair p;
  *nsmall = 0;
  if (ilv_open(&p, &sa, &sb, 21) != 0 ||
      !ilv_run(&p, 5 * CSCTP_SECONDS, ilv_pred_up))
    return 0;
  p.rate = 4000000;
  p.queue_limit = 65536;
  for (uint32_t i = 0; i < 3; i++)
    CHECK_EQ(ilv_send(&p, i, 0, 0, 1u << 20), 0);
  uint32_t small = 0;
  for (; small < 40; small++) {
    CHECK_EQ(ilv_send(&p, small, 1, 0, 64), 0);
    ilv_run(&p, 20 * CSCTP_MILLISECONDS, NULL);
  }
  CHECK(ilv_run(&p, 60 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(&p, CSCTP_SECONDS, NULL);
  CHECK_EQ(p.nrecs, (size_t)small + 3);
  CHECK(!p.bad_data && !p.bad_order);
  csctp_tstamp lat[64];
  size_t n = 0;
  for (size_t i = 0; i < p.nrecs && n < 64; i++)
    if (p.recs[i].sid == 1)
      lat[n++] = p.recs[i].latency;
  for (size_t i = 1; i < n; i++) /* insertion sort */
    for (size_t j = i; j > 0 && lat[j - 1] > lat[j]; j--) {
      csctp_tstamp t = lat[j];
      lat[j] = lat[j - 1];
      lat[j - 1] = t;
    }
  *nsmall = n;
  csctp_tstamp p99 = n ? lat[(n * 99 + 99) / 100 - 1] : 0;
  ilv_close(&p);
  return p99;
}

static void test_hol_blocking_gone(void) {
  size_t n1, n2;
  csctp_tstamp on = hol_p99(1, CSCTP_SS_RR, &n1);
  csctp_tstamp off = hol_p99(0, CSCTP_SS_FCFS, &n2);
  fprintf(stderr,
          "test_idata: 64 B beside 1 MiB messages, p99 latency: I-DATA + RR "
          "%.1f ms, DATA + FCFS %.1f ms\n",
          (double)on / 1e6, (double)off / 1e6);
  CHECK_EQ(n1, 40u);
  CHECK_EQ(n2, 40u);
  /* With I-DATA a small message waits for at most a few chunks and the
   * bottleneck queue (64 kB = 16 ms): well under 100 ms. Without, it
   * waits behind up to 3 MiB (about 0.8 s at 4 MB/s). */
  CHECK(on < 100 * CSCTP_MILLISECONDS);
  CHECK(off > 300 * CSCTP_MILLISECONDS);
}

int main(void) {
  TEST_RUN(test_codec);
  TEST_RUN(test_negotiation);
  TEST_RUN(test_wire_mid_fsn);
  TEST_RUN(test_reassembly_by_fsn);
  TEST_RUN(test_ordered_by_mid);
  TEST_RUN(test_violations_abort);
  TEST_RUN(test_fsn_from0_peer);
  TEST_RUN(test_fsn_unknown_waits);
  TEST_RUN(test_fsn_from0_forced_send);
  TEST_RUN(test_fsn_from0_forced_recv);
  TEST_RUN(test_pd_before_complete);
  TEST_RUN(test_pd_two_streams);
  TEST_RUN(test_pd_one_at_a_time);
  TEST_RUN(test_pd_aborted);
  TEST_RUN(test_pd_aborted_data);
  TEST_RUN(test_pd_tsn_reset);
  TEST_RUN(test_pd_sim_4mib);
  TEST_RUN(test_ilv2_stalled_stream_not_blocking);
  TEST_RUN(test_ilv2_one_message_per_stream);
  TEST_RUN(test_ilv2_two_at_once);
  TEST_RUN(test_ilv2_recv_cont);
  TEST_RUN(test_ilv2_aborted_names_stream);
  TEST_RUN(test_ilv_level_values);
  TEST_RUN(test_ilv2_sim_two_1mib);
  TEST_RUN(test_stream_reset_resets_mid);
  TEST_RUN(test_ifwd_codec);
  TEST_RUN(test_pr_abandon_ifwd);
  TEST_RUN(test_pr_abandon_acked_part);
  TEST_RUN(test_lossy_runs);
  TEST_RUN(test_hol_blocking_gone);
  return TEST_SUMMARY();
}
