/* Tests for sendq.c: fragmentation (RFC 9260 6.9), TSN and SSN assignment
 * (3.3.1, 6.5, 6.6), SACK processing (6.2.1), miss indications and fast
 * retransmit (7.2.4), T3-rtx marking (6.3.3 E3), failure reports and
 * allocation failures.
 *
 * The queue is driven the way the association drives it: a chunk is sent
 * with csctp_sendq_mark_sent and the caller adds its wire size to the
 * path's flight. Expected values are worked out by hand in the comments.
 * A DATA chunk with 100 bytes of user data is 16 + 100 = 116 bytes on the
 * wire. */
#include "config.h"

#include "chunk.h"
#include "sendq.h"
#include "tsn.h"

#include "talloc.h"
#include "test.h"

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC)

/* ---- Fixture ------------------------------------------------------------ */

typedef struct fx {
  talloc t;
  csctp_mem mem;
  csctp_settings s;
  csctp_sendq q;
  csctp_path paths[2];
} fx;

static uint8_t payload[20000];

static void fx_init(fx *f, uint16_t nstreams, uint32_t itsn) {
  memset(f, 0, sizeof(*f));
  csctp_mem m = {&f->t, talloc_malloc, talloc_free, talloc_calloc,
                 talloc_realloc};
  f->mem = m;
  csctp_settings_default(&f->s);
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 10, a.ip[3] = 1;
  csctp_path_init(&f->paths[0], &a, &f->s, T0);
  a.ip[3] = 2;
  csctp_path_init(&f->paths[1], &a, &f->s, T0);
  CHECK_EQ(csctp_sendq_init(&f->q, &f->mem, nstreams, itsn), 0);
  for (size_t i = 0; i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 31 + 7);
}

/* Frees the queue and checks nothing leaked. */
static void fx_done(fx *f) {
  csctp_sendq_free(&f->q);
  CHECK_EQ(f->t.live, 0);
}

static int push(fx *f, uint16_t sid, uint16_t flags, uint32_t context,
                size_t len, size_t frag_point) {
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.sid = sid;
  si.flags = flags;
  si.ppid = 0x11223344;
  si.context = context;
  return csctp_sendq_push(&f->q, &si, payload, len, frag_point, 0);
}

/* Sends the head of the unsent FIFO on path at now, as the association
 * does. */
static csctp_chunk_out *send_next(fx *f, uint8_t path, csctp_tstamp now) {
  csctp_chunk_out *c = f->q.unsent;
  if (!c)
    return NULL;
  csctp_sendq_mark_sent(&f->q, c, f->paths, path, now);
  f->paths[path].flight += csctp_chunk_out_wire_size(c);
  return c;
}

/* Sends a chunk marked for retransmission (or any outstanding chunk). */
static void resend(fx *f, csctp_chunk_out *c, uint8_t path, csctp_tstamp now) {
  csctp_sendq_mark_sent(&f->q, c, f->paths, path, now);
  f->paths[path].flight += csctp_chunk_out_wire_size(c);
}

static csctp_chunk_out *by_tsn(const fx *f, uint32_t tsn) {
  for (csctp_chunk_out *c = f->q.out; c; c = c->next)
    if (c->tsn == tsn)
      return c;
  return NULL;
}

/* A SACK chunk: its gap list is never NULL, even when empty (a NULL list
 * means "no gap information", SHUTDOWN's Cumulative TSN Ack). */
static void sack(fx *f, uint32_t cum, const uint16_t *gaps, size_t ngaps,
                 csctp_tstamp now, csctp_sack_result *res) {
  static const uint16_t none[2] = {0, 0};
  csctp_sendq_on_sack(&f->q, f->paths, 2, cum, gaps ? gaps : none, ngaps, 0, 0,
                      now, res);
}

static size_t count_list(const csctp_chunk_out *c) {
  size_t n = 0;
  for (; c; c = c->next)
    n++;
  return n;
}

/* ---- Fragmentation, 6.9 ------------------------------------------------- */

static void test_fragment_10000(void) {
  fx f;
  fx_init(&f, 10, 1);
  CHECK_EQ(push(&f, 2, 0, 7, 10000, 1420), 0);
  /* ceil(10000 / 1420) = 8: seven of 1420 (9940 bytes), one of 60. */
  CHECK_EQ(f.q.n_unsent, 8);
  CHECK_EQ(count_list(f.q.unsent), 8);
  CHECK_EQ(f.q.buffered, 10000);
  CHECK_EQ(f.q.n_out, 0);
  size_t i = 0;
  const csctp_msg_out *m = f.q.unsent ? f.q.unsent->msg : NULL;
  REQUIRE(m != NULL);
  CHECK_EQ(m->len, 10000);
  CHECK_EQ(m->refs, 8);
  CHECK_EQ(m->info.ppid, 0x11223344);
  CHECK_EQ(m->info.context, 7);
  CHECK_MEM(m->data, payload, 10000);
  uint32_t total = 0;
  for (const csctp_chunk_out *c = f.q.unsent; c; c = c->next, i++) {
    CHECK(c->msg == m);
    CHECK_EQ(c->off, i * 1420);
    CHECK_EQ(c->len, i < 7 ? 1420 : 60);
    CHECK_EQ(c->sid, 2);
    CHECK_EQ(c->ssn, 0); /* 6.9: every fragment carries the same SSN */
    CHECK_EQ(c->state, CSCTP_OUT_UNSENT);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_B, i == 0 ? CSCTP_DATA_FLAG_B : 0);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_E, i == 7 ? CSCTP_DATA_FLAG_E : 0);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_U, 0);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_I, 0);
    /* 1420 + 16 = 1436; 60 + 16 = 76, both multiples of 4 */
    CHECK_EQ(csctp_chunk_out_wire_size(c), i < 7 ? 1436 : 76);
    total += c->len;
  }
  CHECK_EQ(total, 10000);
  CHECK(f.q.unsent_tail && f.q.unsent_tail->len == 60);
  fx_done(&f);
}

static void test_fragment_unordered_and_sizes(void) {
  fx f;
  fx_init(&f, 10, 1);
  /* Unordered, 10000 bytes: U on every fragment, B/E as before. */
  CHECK_EQ(push(&f, 4, CSCTP_SEND_UNORDERED, 0, 10000, 1420), 0);
  size_t i = 0;
  uint16_t ssn0 = f.q.unsent->ssn;
  for (const csctp_chunk_out *c = f.q.unsent; c; c = c->next, i++) {
    CHECK(c->flags & CSCTP_DATA_FLAG_U);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_B, i == 0 ? CSCTP_DATA_FLAG_B : 0);
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_E, i == 7 ? CSCTP_DATA_FLAG_E : 0);
    CHECK_EQ(c->ssn, ssn0);
  }
  CHECK_EQ(i, 8);
  fx_done(&f);

  /* Exactly two fragment points: two full fragments, no empty third. */
  fx_init(&f, 10, 1);
  CHECK_EQ(push(&f, 0, 0, 0, 2840, 1420), 0);
  CHECK_EQ(f.q.n_unsent, 2);
  CHECK_EQ(f.q.unsent->len, 1420);
  CHECK_EQ(f.q.unsent->flags, CSCTP_DATA_FLAG_B);
  CHECK_EQ(f.q.unsent_tail->len, 1420);
  CHECK_EQ(f.q.unsent_tail->off, 1420);
  CHECK_EQ(f.q.unsent_tail->flags, CSCTP_DATA_FLAG_E);
  /* One byte over: a third fragment of 1 byte. */
  CHECK_EQ(push(&f, 0, 0, 0, 2841, 1420), 0);
  CHECK_EQ(f.q.n_unsent, 5);
  CHECK_EQ(f.q.unsent_tail->len, 1);
  CHECK_EQ(f.q.unsent_tail->off, 2840);
  CHECK_EQ(f.q.buffered, 2840 + 2841);
  /* A small message is one chunk with both B and E. */
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), 0);
  CHECK_EQ(f.q.unsent_tail->len, 1);
  CHECK_EQ(f.q.unsent_tail->flags, CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E);
  CHECK_EQ(push(&f, 0, CSCTP_SEND_UNORDERED, 0, 1420, 1420), 0);
  CHECK_EQ(f.q.unsent_tail->flags,
           CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E | CSCTP_DATA_FLAG_U);
  CHECK_EQ(f.q.n_unsent, 7);
  fx_done(&f);

  /* sack_now: the I bit (3.3.1) on the last fragment only. */
  fx_init(&f, 10, 1);
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  CHECK_EQ(csctp_sendq_push(&f.q, &si, payload, 3000, 1420, 1), 0);
  i = 0;
  for (const csctp_chunk_out *c = f.q.unsent; c; c = c->next, i++)
    CHECK_EQ(c->flags & CSCTP_DATA_FLAG_I, i == 2 ? CSCTP_DATA_FLAG_I : 0);
  CHECK_EQ(i, 3);
  fx_done(&f);
}

static void test_push_invalid(void) {
  fx f;
  fx_init(&f, 3, 1);
  CHECK_EQ(push(&f, 0, 0, 0, 0, 1420), CSCTP_ERR_INVAL);  /* empty */
  CHECK_EQ(push(&f, 3, 0, 0, 10, 1420), CSCTP_ERR_INVAL); /* sid >= 3 */
  CHECK_EQ(push(&f, 0, 0, 0, 10, 0), CSCTP_ERR_INVAL);    /* frag point 0 */
  CHECK_EQ(f.q.n_unsent, 0);
  CHECK_EQ(f.q.buffered, 0);
  CHECK(f.q.unsent == NULL);
  CHECK_EQ(push(&f, 2, 0, 0, 10, 1420), 0);
  CHECK_EQ(f.q.unsent->ssn, 0);
  fx_done(&f);
}

/* ---- SSN (6.6) and TSN (6.5 / 3.3.1) assignment ------------------------- */

static void test_ssn_per_stream(void) {
  fx f;
  fx_init(&f, 4, 1);
  /* Ordered on stream 1: 0, 1; stream 2: 0; unordered on 1 takes none. */
  CHECK_EQ(push(&f, 1, 0, 0, 3000, 1420), 0);
  CHECK_EQ(push(&f, 1, 0, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 2, 0, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 1, CSCTP_SEND_UNORDERED, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 1, CSCTP_SEND_UNORDERED, 0, 3000, 1420), 0);
  CHECK_EQ(push(&f, 1, 0, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 2, 0, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 3, 0, 0, 10, 1420), 0);
  static const struct {
    uint16_t sid, ssn;
    int unordered;
  } want[] = {{1, 0, 0}, {1, 0, 0}, {1, 0, 0}, /* 3000 bytes: 3 chunks */
              {1, 1, 0}, {2, 0, 0}, {1, 0, 1}, {1, 0, 1}, {1, 0, 1},
              {1, 0, 1}, {1, 2, 0}, {2, 1, 0}, {3, 0, 0}};
  size_t i = 0;
  for (const csctp_chunk_out *c = f.q.unsent; c; c = c->next, i++) {
    REQUIRE(i < sizeof(want) / sizeof(want[0]));
    CHECK_EQ(c->sid, want[i].sid);
    CHECK_EQ((c->flags & CSCTP_DATA_FLAG_U) != 0, want[i].unordered);
    if (!want[i].unordered)
      CHECK_EQ(c->ssn, want[i].ssn);
  }
  CHECK_EQ(i, sizeof(want) / sizeof(want[0]));
  CHECK_EQ(f.q.next_ssn[0], 0);
  CHECK_EQ(f.q.next_ssn[1], 3);
  CHECK_EQ(f.q.next_ssn[2], 2);
  CHECK_EQ(f.q.next_ssn[3], 1);
  fx_done(&f);
}

static void test_ssn_wraps(void) {
  fx f;
  fx_init(&f, 1, 1);
  f.q.next_ssn[0] = 0xFFFF;
  CHECK_EQ(push(&f, 0, 0, 0, 10, 1420), 0);
  CHECK_EQ(push(&f, 0, 0, 0, 10, 1420), 0);
  CHECK_EQ(f.q.unsent->ssn, 0xFFFF);
  CHECK_EQ(f.q.unsent_tail->ssn, 0); /* 6.6: modulo 2^16 */
  fx_done(&f);
}

static void test_tsn_assignment(void) {
  fx f;
  fx_init(&f, 4, 0xFFFFFFFEu);
  CHECK_EQ(f.q.next_tsn, 0xFFFFFFFEu);
  CHECK_EQ(f.q.cum_acked, 0xFFFFFFFDu);       /* initial TSN - 1 */
  CHECK_EQ(push(&f, 3, 0, 0, 2000, 1420), 0); /* 2 chunks */
  CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
  /* TSNs follow transmission order and wrap from 2^32-1 to 0. */
  csctp_chunk_out *a = send_next(&f, 0, T0);
  csctp_chunk_out *b = send_next(&f, 1, T0 + 1);
  REQUIRE(a && b);
  CHECK_EQ(a->tsn, 0xFFFFFFFEu);
  CHECK_EQ(b->tsn, 0xFFFFFFFFu);
  CHECK_EQ(push(&f, 1, 0, 0, 50, 1420), 0); /* queued after the 100 */
  csctp_chunk_out *c = send_next(&f, 0, T0 + 2);
  csctp_chunk_out *d = send_next(&f, 0, T0 + 3);
  REQUIRE(c && d);
  CHECK_EQ(c->tsn, 0);
  CHECK_EQ(c->len, 100);
  CHECK_EQ(d->tsn, 1);
  CHECK_EQ(d->len, 50);
  CHECK_EQ(f.q.next_tsn, 2);
  CHECK_EQ(f.q.n_unsent, 0);
  CHECK(f.q.unsent == NULL && f.q.unsent_tail == NULL);
  CHECK_EQ(f.q.n_out, 4);
  CHECK_EQ(f.q.bytes_inflight,
           1420 + 580 + 100 + 50 + 4 * CSCTP_PEER_CHUNK_OVERHEAD);
  CHECK_EQ(f.q.buffered, 2150);
  /* The outstanding list is in TSN order. */
  uint32_t want[] = {0xFFFFFFFEu, 0xFFFFFFFFu, 0, 1};
  size_t i = 0;
  for (const csctp_chunk_out *x = f.q.out; x; x = x->next, i++) {
    REQUIRE(i < 4);
    CHECK_EQ(x->tsn, want[i]);
    CHECK_EQ(x->state, CSCTP_OUT_INFLIGHT);
    CHECK_EQ(x->tx_count, 1);
  }
  CHECK(f.q.out_tail == d);
  CHECK_EQ(a->path, 0);
  CHECK_EQ(b->path, 1);
  CHECK_EQ(b->sent_at, T0 + 1);
  CHECK(a->msg->sent);
  /* Cumulative ack across the wrap: cum = 0 frees three chunks. */
  csctp_sack_result r;
  sack(&f, 0, NULL, 0, T0 + 10 * MS, &r);
  CHECK(!r.ignored);
  CHECK(r.cum_advanced);
  CHECK_EQ(f.q.n_out, 1);
  CHECK(f.q.out == d);
  CHECK_EQ(f.q.cum_acked, 0);
  CHECK_EQ(f.q.buffered, 50);
  fx_done(&f);
}

/* ---- SACK processing, 6.2.1 --------------------------------------------- */

static void test_sack_cumulative(void) {
  fx f;
  fx_init(&f, 1, 100);
  for (int i = 0; i < 5; i++)
    CHECK_EQ(push(&f, 0, 0, (uint32_t)i, 100, 1420), 0);
  for (int i = 0; i < 5; i++)
    send_next(&f, 0, T0);
  CHECK_EQ(f.paths[0].flight, 5 * 116);
  CHECK_EQ(f.q.buffered, 500);
  CHECK_EQ(f.q.bytes_inflight, 500 + 5 * CSCTP_PEER_CHUNK_OVERHEAD);
  csctp_sack_result r;
  /* cum = 101 acknowledges TSN 100 and 101. */
  sack(&f, 101, NULL, 0, T0 + 100 * MS, &r);
  CHECK(!r.ignored);
  CHECK(r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 2 * 116);
  CHECK_EQ(r.acked_bytes[1], 0);
  CHECK_EQ(r.rtt[0], 100 * MS); /* 6.3.1 C2/C3 sample */
  CHECK_EQ(r.rtt[1], 0);
  CHECK(r.earliest_acked[0]); /* 6.3.2 R3 */
  CHECK_EQ(r.new_fast_rtx, 0);
  CHECK_EQ(f.q.cum_acked, 101);
  CHECK_EQ(f.q.n_out, 3);
  CHECK_EQ(f.q.buffered, 300);
  CHECK_EQ(f.q.bytes_inflight, 300 + 3 * CSCTP_PEER_CHUNK_OVERHEAD);
  CHECK_EQ(f.paths[0].flight, 3 * 116);
  REQUIRE(f.q.out != NULL);
  CHECK_EQ(f.q.out->tsn, 102);
  /* The same cumulative ack again: not out of order (equal), no news. */
  sack(&f, 101, NULL, 0, T0 + 200 * MS, &r);
  CHECK(!r.ignored);
  CHECK(!r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 0);
  CHECK_EQ(r.rtt[0], 0);
  CHECK_EQ(f.q.n_out, 3);
  /* Everything. */
  sack(&f, 104, NULL, 0, T0 + 300 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 3 * 116);
  CHECK_EQ(f.q.n_out, 0);
  CHECK(f.q.out == NULL && f.q.out_tail == NULL);
  CHECK_EQ(f.q.buffered, 0);
  CHECK_EQ(f.q.bytes_inflight, 0);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK(!csctp_sendq_path_has_inflight(&f.q, 0));
  /* Every message freed: only the SSN array is left. */
  CHECK_EQ(f.t.live, 1);
  /* The queue still works after running empty. */
  CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
  csctp_chunk_out *c = send_next(&f, 0, T0 + SEC);
  REQUIRE(c != NULL);
  CHECK_EQ(c->tsn, 105);
  CHECK(f.q.out == c && f.q.out_tail == c);
  fx_done(&f);
}

/* RFC 9260 6.3.1 C4: one RTT measurement per round trip. A chunk being
 * timed that is abandoned (RFC 3758 3.5 A3) is never acknowledged as
 * itself (A2), so the next chunk sent is timed and its acknowledgement
 * gives the measurement (after a T3 backoff, the only way back to a
 * computed RTO, C3). */
static void test_abandoned_timed_chunk(void) {
  fx f;
  fx_init(&f, 1, 100);
  for (int i = 0; i < 2; i++)
    CHECK_EQ(push(&f, 0, 0, (uint32_t)i, 100, 1420), 0);
  csctp_chunk_out *c = send_next(&f, 0, T0);
  REQUIRE(c != NULL && c->tsn == 100);
  CHECK(f.paths[0].rtt_pending);
  csctp_sendq_abandon_chunk(&f.q, f.paths, c);
  REQUIRE(send_next(&f, 0, T0 + 10 * MS) != NULL); /* TSN 101 */
  csctp_sack_result r;
  sack(&f, 101, NULL, 0, T0 + 60 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(r.rtt[0], 50 * MS); /* TSN 101's round trip */
  CHECK(!f.paths[0].rtt_pending);
  fx_done(&f);
}

static void test_sack_per_path(void) {
  fx f;
  fx_init(&f, 1, 1);
  for (int i = 0; i < 4; i++)
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
  send_next(&f, 0, T0);           /* TSN 1 */
  send_next(&f, 1, T0 + 10 * MS); /* TSN 2 */
  send_next(&f, 0, T0 + 20 * MS); /* TSN 3 */
  send_next(&f, 1, T0 + 30 * MS); /* TSN 4 */
  csctp_sack_result r;
  sack(&f, 3, NULL, 0, T0 + 100 * MS, &r);
  CHECK_EQ(r.acked_bytes[0], 232);
  CHECK_EQ(r.acked_bytes[1], 116);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.paths[1].flight, 116);
  /* The sample per path comes from a chunk sent on it. */
  CHECK(r.rtt[0] == 100 * MS || r.rtt[0] == 80 * MS);
  CHECK_EQ(r.rtt[1], 90 * MS);
  CHECK(r.earliest_acked[0] && r.earliest_acked[1]);
  CHECK(!csctp_sendq_path_has_inflight(&f.q, 0));
  CHECK(csctp_sendq_path_has_inflight(&f.q, 1));
  fx_done(&f);
}

static void test_sack_gap_blocks(void) {
  fx f;
  fx_init(&f, 1, 1000);
  for (int i = 0; i < 8; i++)
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
  for (int i = 0; i < 8; i++)
    send_next(&f, 0, T0);
  CHECK_EQ(f.paths[0].flight, 928);
  csctp_sack_result r;
  /* cum 1000, gap {2,3}: 1002 and 1003 received, 1001 missing. */
  uint16_t g1[] = {2, 3};
  sack(&f, 1000, g1, 1, T0 + 50 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 3 * 116);
  CHECK_EQ(f.paths[0].flight, 928 - 348);
  CHECK_EQ(f.q.bytes_inflight, 500 + 5 * CSCTP_PEER_CHUNK_OVERHEAD);
  CHECK_EQ(f.q.buffered, 700); /* gap-acked data is still held */
  CHECK_EQ(f.q.n_out, 7);
  CHECK_EQ(by_tsn(&f, 1001)->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(by_tsn(&f, 1002)->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(by_tsn(&f, 1003)->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(by_tsn(&f, 1004)->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(by_tsn(&f, 1001)->miss, 1); /* below HTNA 1003 */
  CHECK_EQ(by_tsn(&f, 1004)->miss, 0); /* above it */
  CHECK_EQ(by_tsn(&f, 1007)->miss, 0);
  /* The same gap again: nothing newly acked, no flight change. */
  sack(&f, 1000, g1, 1, T0 + 60 * MS, &r);
  CHECK(!r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 0);
  CHECK_EQ(f.paths[0].flight, 580);
  CHECK_EQ(by_tsn(&f, 1001)->miss, 1); /* HTNA: no new ack, no count */
  /* Two blocks: {2,3} and {5,7}: 1005..1007 newly acked. */
  uint16_t g2[] = {2, 3, 5, 7};
  sack(&f, 1000, g2, 2, T0 + 70 * MS, &r);
  CHECK_EQ(r.acked_bytes[0], 3 * 116);
  CHECK_EQ(f.paths[0].flight, 2 * 116); /* 1001 and 1004 */
  CHECK_EQ(by_tsn(&f, 1001)->miss, 2);
  CHECK_EQ(by_tsn(&f, 1004)->miss, 1);
  CHECK_EQ(by_tsn(&f, 1005)->state, CSCTP_OUT_GAPPED);
  /* cum jumps to 1003: 1001 newly acked by cum; gapped 1002, 1003 free. */
  uint16_t g3[] = {2, 4}; /* 1005..1007 relative to 1003 */
  sack(&f, 1003, g3, 1, T0 + 80 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 116); /* only 1001 is new */
  CHECK(r.earliest_acked[0]);
  CHECK_EQ(f.q.n_out, 4);
  CHECK_EQ(f.q.buffered, 400);
  CHECK_EQ(f.paths[0].flight, 116); /* 1004 */
  /* All acked. */
  sack(&f, 1007, NULL, 0, T0 + 90 * MS, &r);
  CHECK_EQ(r.acked_bytes[0], 116); /* 1004; 1005..1007 were gapped */
  CHECK_EQ(f.q.n_out, 0);
  CHECK_EQ(f.q.buffered, 0);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.q.bytes_inflight, 0);
  fx_done(&f);
}

/* 7.2.4: miss indications count only below the Highest TSN Newly Acked. */
static void test_htna(void) {
  fx f;
  fx_init(&f, 1, 1);
  for (int i = 0; i < 6; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  uint16_t g1[] = {5, 5}; /* TSN 5 */
  sack(&f, 0, g1, 1, T0 + MS, &r);
  CHECK_EQ(by_tsn(&f, 1)->miss, 1);
  CHECK_EQ(by_tsn(&f, 2)->miss, 1);
  CHECK_EQ(by_tsn(&f, 3)->miss, 1);
  CHECK_EQ(by_tsn(&f, 4)->miss, 1);
  CHECK_EQ(by_tsn(&f, 6)->miss, 0);
  uint16_t g2[] = {2, 2, 5, 5}; /* TSN 2 is new: HTNA = 2 */
  sack(&f, 0, g2, 2, T0 + 2 * MS, &r);
  CHECK_EQ(by_tsn(&f, 1)->miss, 2);
  CHECK_EQ(by_tsn(&f, 3)->miss, 1);
  CHECK_EQ(by_tsn(&f, 4)->miss, 1);
  CHECK_EQ(by_tsn(&f, 6)->miss, 0);
  sack(&f, 0, g2, 2, T0 + 3 * MS, &r); /* nothing new */
  CHECK_EQ(by_tsn(&f, 1)->miss, 2);
  CHECK_EQ(by_tsn(&f, 3)->miss, 1);
  CHECK_EQ(r.new_fast_rtx, 0);
  uint16_t g3[] = {2, 2, 4, 5}; /* TSN 4 new: HTNA = 4 */
  sack(&f, 0, g3, 2, T0 + 4 * MS, &r);
  CHECK_EQ(r.new_fast_rtx, 1); /* TSN 1 reached 3 */
  CHECK_EQ(by_tsn(&f, 1)->state, CSCTP_OUT_RTX);
  CHECK_EQ(by_tsn(&f, 3)->miss, 2);
  CHECK_EQ(by_tsn(&f, 3)->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(by_tsn(&f, 6)->miss, 0);
  fx_done(&f);
}

static void test_fast_retransmit(void) {
  fx f;
  fx_init(&f, 1, 1000);
  for (int i = 0; i < 8; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 1, T0); /* path 1 this time */
  }
  csctp_sack_result r;
  uint16_t g[] = {2, 2};
  /* 1st and 2nd miss indication for 1001. */
  sack(&f, 1000, g, 1, T0 + MS, &r);
  CHECK_EQ(r.new_fast_rtx, 0);
  g[1] = 3;
  sack(&f, 1000, g, 1, T0 + 2 * MS, &r);
  CHECK_EQ(r.new_fast_rtx, 0);
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK(csctp_sendq_first_rtx(&f.q) == NULL);
  /* 1000 cum-acked, 1002-1003 gapped: 1001, 1004, 1005, 1006, 1007 remain
   * in flight = 5 * 116. */
  CHECK_EQ(f.paths[1].flight, 5 * 116);
  /* 3rd: marked for retransmission and taken out of the flight. */
  g[1] = 4;
  sack(&f, 1000, g, 1, T0 + 3 * MS, &r);
  CHECK_EQ(r.new_fast_rtx, 1);
  CHECK(r.fast_rtx_path[1]);
  CHECK(!r.fast_rtx_path[0]);
  csctp_chunk_out *c = by_tsn(&f, 1001);
  REQUIRE(c != NULL);
  CHECK_EQ(c->state, CSCTP_OUT_RTX);
  CHECK(c->fast_rtx_done);
  CHECK_EQ(f.q.n_rtx, 1);
  CHECK(csctp_sendq_first_rtx(&f.q) == c);
  CHECK(csctp_sendq_next_rtx(c) == NULL);
  CHECK_EQ(f.paths[1].flight, 3 * 116); /* 1005, 1006, 1007 */
  CHECK_EQ(f.q.bytes_inflight, 300 + 3 * CSCTP_PEER_CHUNK_OVERHEAD);
  /* More reports while marked: no double marking. */
  g[1] = 5;
  sack(&f, 1000, g, 1, T0 + 4 * MS, &r);
  CHECK_EQ(r.new_fast_rtx, 0);
  CHECK_EQ(f.q.n_rtx, 1);
  /* Retransmitted once (7.2.4 (5): not eligible again). */
  resend(&f, c, 0, T0 + 5 * MS);
  CHECK_EQ(c->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(c->tx_count, 2);
  CHECK_EQ(c->path, 0);
  CHECK_EQ(c->tsn, 1001); /* same TSN */
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK_EQ(f.q.next_tsn, 1008); /* no new TSN consumed */
  for (int i = 0; i < 3; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 1, T0 + 6 * MS);
  }
  for (uint16_t end = 6; end <= 10; end++) {
    g[1] = end;
    sack(&f, 1000, g, 1, T0 + (10 + end) * MS, &r);
    CHECK_EQ(r.new_fast_rtx, 0);
    CHECK_EQ(c->state, CSCTP_OUT_INFLIGHT);
  }
  CHECK_EQ(f.q.n_rtx, 0);
  /* Finally acked by cum: retransmitted chunk gives no RTT (Karn). */
  sack(&f, 1010, NULL, 0, T0 + 100 * MS, &r);
  CHECK_EQ(r.rtt[0], 0);
  CHECK_EQ(r.acked_bytes[0], 116);
  CHECK_EQ(f.q.n_out, 0);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.paths[1].flight, 0);
  fx_done(&f);
}

/* 6.2.1 D i: a SACK whose Cumulative TSN Ack is below the Cumulative TSN
 * Ack Point is out of order and dropped. */
static void test_sack_out_of_order(void) {
  fx f;
  fx_init(&f, 1, 50);
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  sack(&f, 51, NULL, 0, T0 + MS, &r);
  CHECK_EQ(f.q.cum_acked, 51);
  uint32_t flight = f.paths[0].flight;
  uint16_t g[] = {2, 2}; /* would gap-ack 52 relative to cum 50 */
  sack(&f, 50, g, 1, T0 + 2 * MS, &r);
  CHECK(r.ignored);
  CHECK(!r.cum_advanced);
  CHECK_EQ(r.acked_bytes[0], 0);
  CHECK_EQ(f.q.cum_acked, 51);
  CHECK_EQ(by_tsn(&f, 52)->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(by_tsn(&f, 52)->miss, 0);
  CHECK_EQ(f.paths[0].flight, flight);
  CHECK_EQ(f.q.n_out, 2);
  /* Far below, across the serial-number space. */
  sack(&f, 51 - 1000, NULL, 0, T0 + 3 * MS, &r);
  CHECK(r.ignored);
  CHECK_EQ(f.q.n_out, 2);
  fx_done(&f);
}

/* 6.2.1 D iii: a TSN gap-acked before and missing now was reneged. */
/* RFC 9260 7.2.4: "If an endpoint is in Fast Recovery and a SACK chunk
 * arrives that advances the Cumulative TSN Ack Point, the miss indications
 * are incremented for all TSNs reported missing in the SACK chunk", not only
 * for those below the highest TSN newly acknowledged. */
static void fr_misses(int in_fast_recovery, uint8_t expect_miss) {
  fx f;
  fx_init(&f, 1, 10);
  for (int i = 0; i < 6; i++) { /* TSNs 10..15 */
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  uint16_t g1[] = {3, 3}; /* cum 9: TSN 12 */
  sack(&f, 9, g1, 1, T0 + MS, &r);
  csctp_chunk_out *c11 = by_tsn(&f, 11);
  REQUIRE(c11 != NULL);
  CHECK_EQ(c11->miss, 1); /* below the HTNA (12) */
  /* cum 10 (new), TSN 12 still gap-acked (not new): the HTNA is 10, so
   * outside Fast Recovery 11 gets no miss; inside it gets one. */
  uint16_t g2[] = {2, 2};
  csctp_sendq_on_sack(&f.q, f.paths, 2, 10, g2, 1, in_fast_recovery, 0,
                      T0 + 2 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(c11->miss, expect_miss);
  CHECK_EQ(by_tsn(&f, 13)->miss, 0); /* above every reported TSN */
  fx_done(&f);
}

static void test_fast_recovery_misses(void) {
  fr_misses(0, 1);
  fr_misses(1, 2);
}

/* A SACK that leaves out the highest gap blocks (its sender ran out of
 * room) does not say the chunks above its last block are missing; one that
 * skips a block below its last one does (6.2.1 D iii). */
static void test_truncated_sack_no_renege(void) {
  fx f;
  fx_init(&f, 1, 10);
  for (int i = 0; i < 6; i++) { /* TSNs 10..15 */
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  uint16_t two[] = {2, 2, 4, 4}; /* cum 9: TSNs 11 and 13 */
  sack(&f, 9, two, 2, T0 + MS, &r);
  csctp_chunk_out *c13 = by_tsn(&f, 13);
  REQUIRE(c13 != NULL);
  CHECK_EQ(c13->state, CSCTP_OUT_GAPPED);
  uint16_t first[] = {2, 2}; /* the same SACK without its last block */
  sack(&f, 9, first, 1, T0 + 2 * MS, &r);
  CHECK_EQ(c13->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(r.t3_start[0], 0);
  uint16_t skip[] = {2, 2, 6, 6}; /* 13 missing below the last block */
  sack(&f, 9, skip, 2, T0 + 3 * MS, &r);
  CHECK_EQ(c13->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(r.t3_start[0], 1);
  fx_done(&f);
}

static void test_renege(void) {
  fx f;
  fx_init(&f, 1, 10);
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  uint16_t g[] = {2, 2}; /* TSN 12 */
  sack(&f, 10, g, 1, T0 + MS, &r);
  csctp_chunk_out *c = by_tsn(&f, 12);
  REQUIRE(c != NULL);
  CHECK_EQ(c->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(f.paths[0].flight, 2 * 116); /* 11, 13 */
  CHECK_EQ(f.q.buffered, 300);
  /* The next SACK no longer reports 12: reneged, or an older SACK that
   * arrived late. RFC 9260 6.2.1 D iii: the chunk is possibly missing, one
   * miss indication counts and T3-rtx is started; no retransmission yet. */
  sack(&f, 10, NULL, 0, T0 + 2 * MS, &r);
  CHECK(!r.ignored);
  CHECK_EQ(c->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(c->miss, 1);
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK_EQ(r.new_fast_rtx, 0);
  CHECK_EQ(r.t3_start[0], 1);
  CHECK_EQ(f.paths[0].flight, 3 * 116); /* outstanding again */
  CHECK_EQ(f.q.buffered, 300);          /* still held */
  CHECK_EQ(f.q.n_out, 3);
  /* Gap-acked again: out of the flight once more. */
  sack(&f, 10, g, 1, T0 + 3 * MS, &r);
  CHECK_EQ(c->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(f.paths[0].flight, 2 * 116);
  /* Reneged twice more: the third miss indication marks it (7.2.4). */
  sack(&f, 10, NULL, 0, T0 + 4 * MS, &r);
  CHECK_EQ(c->miss, 2);
  CHECK_EQ(f.q.n_rtx, 0);
  sack(&f, 10, g, 1, T0 + 4 * MS, &r);
  sack(&f, 10, NULL, 0, T0 + 4 * MS, &r);
  CHECK_EQ(c->state, CSCTP_OUT_RTX);
  CHECK_EQ(r.new_fast_rtx, 1);
  /* 11 collected its three misses from the SACKs that newly gap-acked 12
   * (HTNA) and was marked one SACK earlier. */
  CHECK_EQ(f.q.n_rtx, 2);
  CHECK(csctp_sendq_first_rtx(&f.q) == by_tsn(&f, 11));
  CHECK_EQ(f.paths[0].flight, 116); /* marked: out of the flight */
  resend(&f, by_tsn(&f, 11), 0, T0 + 5 * MS);
  resend(&f, c, 0, T0 + 5 * MS);
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK_EQ(f.paths[0].flight, 3 * 116);
  sack(&f, 13, NULL, 0, T0 + 6 * MS, &r);
  CHECK_EQ(f.q.n_out, 0);
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.q.buffered, 0);
  fx_done(&f);

  /* SHUTDOWN's Cumulative TSN Ack (9.2) says nothing about gaps: a
   * gap-acked chunk is not reneged by it (gaps == NULL). */
  fx_init(&f, 1, 10);
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  sack(&f, 10, g, 1, T0 + MS, &r);
  c = by_tsn(&f, 12);
  REQUIRE(c != NULL);
  csctp_sendq_on_sack(&f.q, f.paths, 2, 11, NULL, 0, 0, 0, T0 + 2 * MS, &r);
  CHECK(r.cum_advanced);
  CHECK_EQ(c->state, CSCTP_OUT_GAPPED);
  CHECK_EQ(f.q.n_rtx, 0);
  CHECK_EQ(f.q.n_out, 2);
  CHECK_EQ(by_tsn(&f, 13)->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(by_tsn(&f, 13)->miss, 0);
  fx_done(&f);
}

/* 6.3.3 E3: T3-rtx expiry marks what is in flight on that path. */
static void test_mark_path_rtx(void) {
  fx f;
  fx_init(&f, 1, 1);
  for (int i = 0; i < 6; i++)
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
  send_next(&f, 0, T0); /* 1 */
  send_next(&f, 0, T0); /* 2 */
  send_next(&f, 0, T0); /* 3 */
  send_next(&f, 1, T0); /* 4 */
  send_next(&f, 1, T0); /* 5 */
  send_next(&f, 0, T0); /* 6 */
  csctp_sack_result r;
  uint16_t g[] = {2, 2}; /* TSN 2 gap-acked */
  sack(&f, 0, g, 1, T0 + MS, &r);
  CHECK_EQ(f.paths[0].flight, 3 * 116);
  CHECK_EQ(f.paths[1].flight, 2 * 116);
  CHECK_EQ(csctp_sendq_mark_path_rtx(&f.q, f.paths, 0), 3);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.paths[1].flight, 2 * 116);
  CHECK_EQ(f.q.n_rtx, 3);
  CHECK_EQ(f.q.bytes_inflight, 200 + 2 * CSCTP_PEER_CHUNK_OVERHEAD);
  CHECK(!csctp_sendq_path_has_inflight(&f.q, 0));
  CHECK(csctp_sendq_path_has_inflight(&f.q, 1));
  CHECK_EQ(by_tsn(&f, 2)->state, CSCTP_OUT_GAPPED);
  /* Lowest TSN first: 1, 3, 6. */
  csctp_chunk_out *c = csctp_sendq_first_rtx(&f.q);
  REQUIRE(c != NULL);
  CHECK_EQ(c->tsn, 1);
  c = csctp_sendq_next_rtx(c);
  REQUIRE(c != NULL);
  CHECK_EQ(c->tsn, 3);
  c = csctp_sendq_next_rtx(c);
  REQUIRE(c != NULL);
  CHECK_EQ(c->tsn, 6);
  CHECK(csctp_sendq_next_rtx(c) == NULL);
  /* Nothing left to mark on path 0; path 1 has two. */
  CHECK_EQ(csctp_sendq_mark_path_rtx(&f.q, f.paths, 0), 0);
  CHECK_EQ(csctp_sendq_mark_path_rtx(&f.q, f.paths, 1), 2);
  CHECK_EQ(f.paths[1].flight, 0);
  CHECK_EQ(f.q.n_rtx, 5);
  CHECK_EQ(f.q.bytes_inflight, 0);
  /* A cumulative ack of marked chunks clears the marks. */
  sack(&f, 4, NULL, 0, T0 + 2 * MS, &r);
  CHECK_EQ(f.q.n_rtx, 2); /* 5 and 6 */
  CHECK_EQ(csctp_sendq_first_rtx(&f.q)->tsn, 5);
  fx_done(&f);
}

/* Messages not fully acknowledged are reported once each, for
 * SEND_FAILED (RFC 9260 10.2 / 11.2.2). */
static void test_next_failed(void) {
  fx f;
  fx_init(&f, 2, 1);
  CHECK_EQ(push(&f, 0, 0, 1, 3000, 1420), 0); /* A: TSN 1..3 */
  CHECK_EQ(push(&f, 1, 0, 2, 10, 1420), 0);   /* B: TSN 4 */
  CHECK_EQ(push(&f, 0, 0, 3, 10, 1420), 0);   /* C: TSN 5 */
  CHECK_EQ(push(&f, 0, 0, 4, 2000, 1420), 0); /* D: unsent, 2 chunks */
  CHECK_EQ(push(&f, 1, 0, 5, 10, 1420), 0);   /* E: unsent */
  for (int i = 0; i < 5; i++)
    send_next(&f, 0, T0);
  /* C fully acked (gap), A partly acked (cum 1), D and E never sent. */
  csctp_sack_result r;
  uint16_t g[] = {4, 4}; /* TSN 5 */
  sack(&f, 1, g, 1, T0 + MS, &r);
  uint32_t seen[8];
  size_t n = 0;
  const csctp_msg_out *m;
  while ((m = csctp_sendq_next_failed(&f.q)) != NULL && n < 8) {
    seen[n++] = m->info.context;
    if (m->info.context == 1 || m->info.context == 2)
      CHECK(m->sent);
    if (m->info.context == 4 || m->info.context == 5)
      CHECK(!m->sent);
    if (m->info.context == 1) {
      CHECK_EQ(m->len, 3000);
      CHECK_MEM(m->data, payload, 3000);
    }
  }
  /* Outstanding first, in TSN order, then unsent. C was only gap-acked:
   * the peer may still renege, so it is reported too (was_sent). */
  REQUIRE(n >= 4);
  CHECK_EQ(seen[0], 1);
  CHECK_EQ(seen[1], 2);
  size_t k = 2;
  if (seen[k] == 3)
    k++;
  CHECK_EQ(n, k + 2);
  CHECK_EQ(seen[k], 4);
  CHECK_EQ(seen[k + 1], 5);
  CHECK(csctp_sendq_next_failed(&f.q) == NULL);
  CHECK(csctp_sendq_next_failed(&f.q) == NULL);
  fx_done(&f);

  /* Nothing queued: nothing to report. */
  fx_init(&f, 1, 1);
  CHECK(csctp_sendq_next_failed(&f.q) == NULL);
  fx_done(&f);
}

/* Peer restart (5.2.4 A): messages never transmitted move to the new
 * queue with fresh SSNs; the others stay behind to be reported failed. */
static void test_move_unsent(void) {
  fx f;
  fx_init(&f, 8, 1);
  CHECK_EQ(push(&f, 1, 0, 1, 3000, 1420), 0); /* A: partly sent */
  CHECK_EQ(push(&f, 1, 0, 2, 2500, 1420), 0); /* B: unsent */
  CHECK_EQ(push(&f, 6, 0, 3, 10, 1420), 0);   /* C: sid too big for to */
  CHECK_EQ(push(&f, 2, CSCTP_SEND_UNORDERED, 4, 10, 1420), 0); /* D */
  send_next(&f, 0, T0); /* A's first fragment */
  talloc t2;
  memset(&t2, 0, sizeof(t2));
  csctp_mem m2 = {&t2, talloc_malloc, talloc_free, talloc_calloc,
                  talloc_realloc};
  csctp_sendq to;
  CHECK_EQ(csctp_sendq_init(&to, &m2, 4, 500), 0);
  CHECK_EQ(csctp_sendq_move_unsent(&f.q, &to, 1000), 0);
  /* B in 3 chunks of at most 1000 (1000, 1000, 500), then D. */
  CHECK_EQ(to.n_unsent, 4);
  CHECK_EQ(to.buffered, 2510);
  const csctp_chunk_out *c = to.unsent;
  REQUIRE(c != NULL);
  CHECK_EQ(c->msg->info.context, 2);
  CHECK_EQ(c->len, 1000);
  CHECK_EQ(c->ssn, 0); /* fresh SSN space */
  CHECK_EQ(c->flags, CSCTP_DATA_FLAG_B);
  CHECK_MEM(c->msg->data, payload, 2500);
  c = c->next->next;
  CHECK_EQ(c->len, 500);
  CHECK_EQ(c->flags, CSCTP_DATA_FLAG_E);
  c = c->next;
  CHECK_EQ(c->msg->info.context, 4);
  CHECK(c->flags & CSCTP_DATA_FLAG_U);
  CHECK(c->next == NULL);
  CHECK_EQ(to.next_ssn[1], 1);
  CHECK_EQ(to.next_tsn, 500);
  /* Left behind: A (sent) and C (no such stream), reported once each. */
  uint32_t seen[4];
  size_t n = 0;
  const csctp_msg_out *m;
  while (n < 4 && (m = csctp_sendq_next_failed(&f.q)) != NULL)
    seen[n++] = m->info.context;
  CHECK_EQ(n, 2);
  CHECK_EQ(seen[0], 1);
  CHECK_EQ(seen[1], 3);
  csctp_sendq_free(&to);
  CHECK_EQ(t2.live, 0);
  fx_done(&f);
}

/* ---- Allocation failures ------------------------------------------------ */

static void test_init_nomem(void) {
  talloc t;
  memset(&t, 0, sizeof(t));
  t.fail_at = 1;
  csctp_mem m = {&t, talloc_malloc, talloc_free, talloc_calloc, talloc_realloc};
  csctp_sendq q;
  CHECK_EQ(csctp_sendq_init(&q, &m, 10, 1), CSCTP_ERR_NOMEM);
  csctp_sendq_free(&q);
  CHECK_EQ(t.live, 0);
}

static void test_push_nomem_each_step(void) {
  /* A 10000-byte message at 1420 takes 1 + 8 allocations; fail each. */
  for (long k = 1; k <= 9; k++) {
    fx f;
    fx_init(&f, 2, 1);
    CHECK_EQ(push(&f, 1, 0, 0, 100, 1420), 0); /* something queued */
    long live = f.t.live;
    csctp_chunk_out *tail = f.q.unsent_tail;
    f.t.fail_at = f.t.count + k;
    CHECK_EQ(push(&f, 1, 0, 0, 10000, 1420), CSCTP_ERR_NOMEM);
    CHECK_EQ(f.t.failures, 1);
    CHECK_EQ(f.t.live, live);
    CHECK_EQ(f.q.n_unsent, 1);
    CHECK_EQ(f.q.buffered, 100);
    CHECK(f.q.unsent_tail == tail);
    CHECK(tail->next == NULL);
    CHECK_EQ(f.q.next_ssn[1], 1); /* the failed message took no SSN */
    f.t.fail_at = 0;
    CHECK_EQ(push(&f, 1, 0, 0, 10000, 1420), 0);
    CHECK_EQ(f.q.n_unsent, 9);
    CHECK_EQ(f.q.unsent_tail->ssn, 1);
    fx_done(&f);
  }
}

static void test_push_nomem_every_nth(void) {
  for (long nth = 2; nth <= 12; nth++) {
    fx f;
    fx_init(&f, 4, 1);
    f.t.count = 0;
    f.t.fail_every = nth;
    uint32_t want_unsent = 0;
    size_t want_buffered = 0;
    uint16_t want_ssn[4] = {0, 0, 0, 0};
    int ok = 0, failed = 0;
    for (int i = 0; i < 60; i++) {
      size_t len = 1 + (size_t)((i * 977) % 6000);
      uint16_t sid = (uint16_t)(i % 4);
      int unordered = i % 5 == 0;
      size_t nfrag = (len + 1419) / 1420;
      long live = f.t.live;
      int rv =
          push(&f, sid, unordered ? CSCTP_SEND_UNORDERED : 0, 0, len, 1420);
      if (rv == 0) {
        ok++;
        want_unsent += (uint32_t)nfrag;
        want_buffered += len;
        if (!unordered)
          CHECK_EQ(f.q.unsent_tail->ssn, want_ssn[sid]++);
        CHECK_EQ(f.t.live, live + 1 + (long)nfrag);
      } else {
        failed++;
        CHECK_EQ(rv, CSCTP_ERR_NOMEM);
        CHECK_EQ(f.t.live, live); /* no leak */
      }
      CHECK_EQ(f.q.n_unsent, want_unsent);
      CHECK_EQ(f.q.buffered, want_buffered);
      CHECK_EQ(count_list(f.q.unsent), want_unsent);
      for (int s = 0; s < 4; s++)
        CHECK_EQ(f.q.next_ssn[s], want_ssn[s]);
    }
    CHECK(failed > 0);
    if (nth > 2)
      CHECK(ok > 0);
    /* Send and ack everything that was queued. */
    f.t.fail_every = 0;
    while (send_next(&f, 0, T0))
      ;
    CHECK_EQ(f.q.n_out, want_unsent);
    csctp_sack_result r;
    sack(&f, f.q.next_tsn - 1, NULL, 0, T0 + MS, &r);
    CHECK_EQ(f.q.buffered, 0);
    CHECK_EQ(f.t.live, 1);
    fx_done(&f);
  }
}

/* RFC 9260 6.1: at most 2^16 - 1 ordered messages outstanding per stream,
 * or a new message would reuse the SSN of one the receiver may still hold.
 * Outstanding means queued or in flight and not fully acknowledged. */
static void test_ordered_outstanding_limit(void) {
  fx f;
  fx_init(&f, 2, 1);
  for (uint32_t i = 0; i < 0xFFFF; i++)
    REQUIRE(push(&f, 0, 0, i, 1, 1420) == 0);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), CSCTP_ERR_AGAIN);
  CHECK_EQ(f.q.n_unsent, 0xFFFF); /* nothing queued by the refusal */
  /* other streams and unordered messages are not limited */
  CHECK_EQ(push(&f, 1, 0, 0, 1, 1420), 0);
  CHECK_EQ(push(&f, 0, CSCTP_SEND_UNORDERED, 0, 1, 1420), 0);
  /* sent is not acknowledged */
  csctp_chunk_out *c = send_next(&f, 0, T0);
  REQUIRE(c != NULL);
  CHECK_EQ(c->ssn, 0);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), CSCTP_ERR_AGAIN);
  /* gap-acked is not enough: the message is still outstanding */
  csctp_chunk_out *d = send_next(&f, 0, T0);
  REQUIRE(d != NULL);
  csctp_sack_result r;
  const uint16_t gap[2] = {2, 2};
  sack(&f, 0, gap, 1, T0 + 10 * MS, &r);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), CSCTP_ERR_AGAIN);
  /* the cumulative ack frees SSN 0 and 1: two more fit, SSNs wrap onto
   * them */
  sack(&f, 2, NULL, 0, T0 + 20 * MS, &r);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), 0);
  CHECK_EQ(f.q.unsent_tail->ssn, 0xFFFF);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), 0);
  CHECK_EQ(f.q.unsent_tail->ssn, 0);
  CHECK_EQ(push(&f, 0, 0, 0, 1, 1420), CSCTP_ERR_AGAIN);
  fx_done(&f);
}

/* RFC 9260 6.2.1 D iii holds whatever came before: after the gap-acked
 * chunks were all cumulatively acked (and SACKs without gap blocks then
 * need no walk of the outstanding chunks), a chunk gap-acked later and
 * missing from the next SACK is still outstanding again. */
static void test_renege_after_gaps_cleared(void) {
  fx f;
  fx_init(&f, 1, 10);
  for (int i = 0; i < 8; i++) { /* TSNs 10..17 */
    CHECK_EQ(push(&f, 0, 0, 0, 100, 1420), 0);
    send_next(&f, 0, T0);
  }
  csctp_sack_result r;
  uint16_t g12[] = {2, 2}; /* cum 10: TSN 12 */
  sack(&f, 10, g12, 1, T0 + MS, &r);
  CHECK_EQ(by_tsn(&f, 12)->state, CSCTP_OUT_GAPPED);
  sack(&f, 12, NULL, 0, T0 + 2 * MS, &r); /* 11 and 12 acked */
  sack(&f, 12, NULL, 0, T0 + 3 * MS, &r); /* nothing gap-acked remains */
  CHECK_EQ(f.q.n_out, 5);
  uint16_t g15[] = {3, 3}; /* cum 12: TSN 15 */
  sack(&f, 12, g15, 1, T0 + 4 * MS, &r);
  csctp_chunk_out *c = by_tsn(&f, 15);
  REQUIRE(c != NULL);
  CHECK_EQ(c->state, CSCTP_OUT_GAPPED);
  sack(&f, 12, NULL, 0, T0 + 5 * MS, &r); /* 15 no longer reported */
  CHECK_EQ(c->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(c->miss, 1);
  CHECK_EQ(r.t3_start[0], 1);
  fx_done(&f);
}

/* RFC 9260 6.9 and 7.3, RFC 8899 4.4: fragments not yet sent are cut
 * again when the path MTU falls. A 3000-byte ordered message cut at 1400
 * (1400, 1400, 200) whose first fragment left: the unsent 1400-byte one
 * becomes 1000 + 400 (bytes 1400..2399, 2400..2799), the last stays; an
 * unsent unordered 2500-byte message sent with SACK-IMMEDIATELY, cut at
 * 1400 (1400 + 1100), becomes 1000 + 400 + 1000 + 100 with B on the first
 * piece, E and I on the last, U on all, and its SSN unchanged. */
static void test_recut(void) {
  fx f;
  fx_init(&f, 4, 100);
  CHECK_EQ(push(&f, 1, 0, 1, 3000, 1400), 0);
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.sid = 2;
  si.flags = CSCTP_SEND_UNORDERED;
  CHECK_EQ(csctp_sendq_push(&f.q, &si, payload, 2500, 1400, 1), 0);
  CHECK_EQ(f.q.n_unsent, 5);
  size_t overhead = f.q.overhead, buffered = f.q.buffered;
  csctp_chunk_out *first = send_next(&f, 0, T0);
  REQUIRE(first);
  CHECK_EQ(first->len, 1400);
  CHECK_EQ(csctp_sendq_recut(&f.q, 1000), 0);
  static const uint32_t off[] = {1400, 2400, 2800, 0, 1000, 1400, 2400};
  static const uint32_t len[] = {1000, 400, 200, 1000, 400, 1000, 100};
  static const uint8_t flags[] = {0,
                                  0,
                                  CSCTP_DATA_FLAG_E,
                                  CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_U,
                                  CSCTP_DATA_FLAG_U,
                                  CSCTP_DATA_FLAG_U,
                                  CSCTP_DATA_FLAG_E | CSCTP_DATA_FLAG_U |
                                      CSCTP_DATA_FLAG_I};
  size_t i = 0;
  const csctp_chunk_out *last = NULL;
  for (const csctp_chunk_out *c = f.q.unsent; c; c = c->next, i++) {
    REQUIRE(i < 7);
    CHECK_EQ(c->off, off[i]);
    CHECK_EQ(c->len, len[i]);
    CHECK_EQ(c->flags, flags[i]);
    CHECK_EQ(c->sid, i < 3 ? 1 : 2);
    if (i < 3)
      CHECK_EQ(c->ssn, first->ssn); /* one message, one SSN */
    CHECK(c->len <= 1000);
    last = c;
  }
  CHECK_EQ(i, 7);
  CHECK(last == f.q.unsent_tail);
  CHECK_EQ(f.q.n_unsent, 7);
  CHECK_EQ(f.q.buffered, buffered); /* no byte added or lost */
  CHECK_EQ(f.q.unsent_bytes, 3000 + 2500 - 1400);
  CHECK_EQ(f.q.overhead, overhead + 3 * sizeof(csctp_chunk_out));
  /* the pieces take consecutive TSNs when sent (6.9) */
  uint32_t tsn = first->tsn;
  for (csctp_chunk_out *c; (c = send_next(&f, 0, T0)) != NULL;)
    CHECK_EQ(c->tsn, ++tsn);
  /* nothing left larger than the new size: a second cut changes nothing */
  CHECK_EQ(csctp_sendq_recut(&f.q, 1000), 0);
  CHECK_EQ(csctp_sendq_recut(&f.q, 0), CSCTP_ERR_INVAL);
  fx_done(&f);
}

/* Out of memory while cutting: the fragment keeps its size, nothing leaks,
 * and the queue stays consistent. */
static void test_recut_nomem(void) {
  fx f;
  fx_init(&f, 1, 7);
  CHECK_EQ(push(&f, 0, 0, 1, 4000, 2000), 0);
  f.t.fail_at = f.t.count + 1;
  CHECK_EQ(csctp_sendq_recut(&f.q, 1000), CSCTP_ERR_NOMEM);
  CHECK_EQ(f.q.n_unsent, 2);
  CHECK_EQ(f.q.unsent->len, 2000);
  f.t.fail_at = 0;
  CHECK_EQ(csctp_sendq_recut(&f.q, 1000), 0);
  CHECK_EQ(f.q.n_unsent, 4);
  fx_done(&f);
}

int main(void) {
  TEST_RUN(test_fragment_10000);
  TEST_RUN(test_fragment_unordered_and_sizes);
  TEST_RUN(test_push_invalid);
  TEST_RUN(test_ssn_per_stream);
  TEST_RUN(test_ssn_wraps);
  TEST_RUN(test_ordered_outstanding_limit);
  TEST_RUN(test_tsn_assignment);
  TEST_RUN(test_sack_cumulative);
  TEST_RUN(test_abandoned_timed_chunk);
  TEST_RUN(test_sack_per_path);
  TEST_RUN(test_sack_gap_blocks);
  TEST_RUN(test_htna);
  TEST_RUN(test_fast_retransmit);
  TEST_RUN(test_sack_out_of_order);
  TEST_RUN(test_renege);
  TEST_RUN(test_truncated_sack_no_renege);
  TEST_RUN(test_renege_after_gaps_cleared);
  TEST_RUN(test_fast_recovery_misses);
  TEST_RUN(test_mark_path_rtx);
  TEST_RUN(test_next_failed);
  TEST_RUN(test_move_unsent);
  TEST_RUN(test_recut);
  TEST_RUN(test_recut_nomem);
  TEST_RUN(test_init_nomem);
  TEST_RUN(test_push_nomem_each_step);
  TEST_RUN(test_push_nomem_every_nth);
  return TEST_SUMMARY();
}
