/* test_stream_sched.c -- the stream schedulers of RFC 8260 section 3 and
 * their socket-API-like calls (4.3.2, 4.3.3), written from the RFC's
 * words: the order in which queued messages of several streams go on the
 * wire under FCFS (3.1), round robin (3.2), round robin per packet (3.3),
 * priority (3.4), fair capacity (3.5) and weighted fair queueing (3.6),
 * at message granularity with DATA (RFC 8260 3: the schedulers apply
 * without interleaving too; a started message's fragments keep
 * consecutive TSNs, RFC 9260 6.9) and per fragment with I-DATA.
 *
 * Harness: ilvpair.{h,c}. */
#include "csctp.h"
#include "ilvpair.h"
#include "test.h"

#include "../chunk.h"
#include "../idata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXW 2048

/* The data chunks a sends, first transmissions only, in TSN order. */
typedef struct wire {
  size_t n;
  uint32_t tsn[MAXW];
  uint16_t sid[MAXW];
  uint8_t flags[MAXW];
  uint32_t pkt[MAXW]; /* packet number */
  uint32_t npkt;
  uint32_t max_tsn;
  int have;
} wire;

static int tap_wire(ilv_pair *p, int to_b, const uint8_t *pkt, size_t len) {
  wire *w = p->tap_ud;
  csctp_tlv_iter it;
  csctp_tlv c;
  if (!to_b)
    return 0;
  int counted = 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if ((c.type != CSCTP_CT_DATA && c.type != CSCTP_CT_I_DATA) ||
        c.value_len < 8)
      continue;
    uint32_t tsn = csctp_get32(c.value);
    if (w->have && tsn <= w->max_tsn)
      continue; /* a retransmission */
    if (!counted)
      w->npkt++, counted = 1;
    w->have = 1;
    w->max_tsn = tsn;
    if (w->n < MAXW) {
      w->tsn[w->n] = tsn;
      w->sid[w->n] = csctp_get16(c.value + 4);
      w->flags[w->n] = c.flags;
      w->pkt[w->n] = w->npkt;
      w->n++;
    }
  }
  return 0;
}

static void settings(csctp_settings *s, int idata, uint32_t sched) {
  csctp_settings_default(s);
  s->interleaving_supported = (uint32_t)idata;
  s->stream_scheduler = sched;
  s->hb_interval = 0;
  s->pmtud = 0;
}

static int open_pair(ilv_pair *p, wire *w, int idata, uint32_t sched) {
  csctp_settings sa, sb;
  settings(&sa, idata, sched);
  settings(&sb, idata, CSCTP_SS_FCFS);
  sa.sndbuf = sb.rcvbuf = 4u << 20;
  memset(w, 0, sizeof(*w));
  if (ilv_open(p, &sa, &sb, 17) != 0)
    return -1;
  p->tap = tap_wire;
  p->tap_ud = w;
  return ilv_run(p, 5 * CSCTP_SECONDS, ilv_pred_up) ? 0 : -1;
}

/* Streams of the messages' first fragments, in wire order. */
static size_t starts(const wire *w, uint16_t *out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < w->n && n < max; i++)
    if (w->flags[i] & CSCTP_DATA_FLAG_B)
      out[n++] = w->sid[i];
  return n;
}

static void finish(ilv_pair *p, size_t want) {
  CHECK(ilv_run(p, 30 * CSCTP_SECONDS, ilv_pred_idle));
  ilv_run(p, CSCTP_SECONDS, NULL);
  CHECK_EQ(p->nrecs, want);
  CHECK(!p->bad_data && !p->bad_order && !p->lost_a && !p->lost_b);
}

/* Queues, at one instant, n messages of len bytes on each listed stream
 * (sid[i] gets count[i] messages), stream by stream. */
static size_t queue(ilv_pair *p, const uint16_t *sid, const int *count,
                    const size_t *len, int nstreams) {
  size_t total = 0;
  for (int s = 0; s < nstreams; s++)
    for (int k = 0; k < count[s]; k++, total++)
      CHECK_EQ(ilv_send(p, (uint32_t)k, sid[s], 0, len[s]), 0);
  return total;
}

static void order_case(uint32_t sched, const uint16_t *values,
                       const uint16_t *want, size_t nwant) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, sched) == 0);
  for (uint16_t s = 0; values && s < 3; s++)
    CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, s, values[s]), 0);
  uint16_t sid[3] = {0, 1, 2};
  int count[3] = {3, 2, 1};
  size_t len[3] = {100, 100, 100};
  size_t total = queue(&p, sid, count, len, 3);
  finish(&p, total);
  uint16_t got[16];
  size_t n = starts(w, got, 16);
  CHECK_EQ(n, nwant);
  for (size_t i = 0; i < n && i < nwant; i++)
    CHECK_EQ(got[i], want[i]);
  ilv_close(&p);
  free(w);
}

/* 3.1: the order of the sends. */
static void test_fcfs(void) {
  const uint16_t want[] = {0, 0, 0, 1, 1, 2};
  order_case(CSCTP_SS_FCFS, NULL, want, 6);
}

/* 3.2: cycling around the non-empty stream queues, a message each. */
static void test_rr(void) {
  const uint16_t want[] = {0, 1, 2, 0, 1, 0};
  order_case(CSCTP_SS_RR, NULL, want, 6);
}

/* 3.4: higher priority (lower value, 4.3.2) first. */
static void test_prio(void) {
  const uint16_t values[3] = {2, 0, 1};
  const uint16_t want[] = {1, 1, 2, 0, 0, 0};
  order_case(CSCTP_SS_PRIO, values, want, 6);
}

/* 3.6: stream 0 with twice stream 1's weight gets twice its capacity. */
static void test_wfq(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, CSCTP_SS_WFQ) == 0);
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 0, 2), 0);
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 1, 1), 0);
  uint16_t sid[2] = {0, 1};
  int count[2] = {12, 12};
  size_t len[2] = {200, 200};
  size_t total = queue(&p, sid, count, len, 2);
  finish(&p, total);
  uint16_t got[24];
  size_t n = starts(w, got, 24);
  REQUIRE(n == 24);
  int c0 = 0;
  for (int i = 0; i < 18; i++)
    c0 += got[i] == 0;
  CHECK_EQ(c0, 12); /* 2:1 while both have data */
  ilv_close(&p);
  free(w);
}

/* 3.5: equal capacity: stream 1's 100-byte messages go ten for each of
 * stream 0's 1000-byte ones. */
static void test_fb(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, CSCTP_SS_FB) == 0);
  uint16_t sid[2] = {0, 1};
  int count[2] = {4, 30};
  size_t len[2] = {1000, 100};
  size_t total = queue(&p, sid, count, len, 2);
  finish(&p, total);
  uint16_t got[40];
  size_t n = starts(w, got, 40);
  REQUIRE(n == 34);
  int c1 = 0;
  for (int i = 0; i < 22; i++)
    c1 += got[i] == 1;
  CHECK_EQ(c1, 20); /* two of stream 0 and twenty of stream 1 */
  ilv_close(&p);
  free(w);
}

/* 3.3: streams switch only when a packet starts; a packet carries one
 * stream's data. */
static void test_rr_pkt(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, CSCTP_SS_RR_PKT) == 0);
  uint16_t sid[2] = {0, 1};
  int count[2] = {40, 40};
  size_t len[2] = {300, 300};
  size_t total = queue(&p, sid, count, len, 2);
  finish(&p, total);
  int mixed = 0, switches = 0, multi = 0;
  for (size_t i = 1; i < w->n; i++) {
    if (w->pkt[i] == w->pkt[i - 1]) {
      mixed += w->sid[i] != w->sid[i - 1];
      multi = 1;
    } else {
      switches += w->sid[i] != w->sid[i - 1];
    }
  }
  CHECK_EQ(mixed, 0);
  CHECK(multi);          /* packets do bundle several chunks */
  CHECK(switches >= 10); /* and the streams take turns by packet */
  ilv_close(&p);
  free(w);
}

/* Without I-DATA a started message is finished first (its fragments have
 * consecutive TSNs, RFC 9260 6.9); with I-DATA round robin interleaves the
 * other stream's messages between its fragments (RFC 8260 2.2.2, 3.2). */
static int interleaved(int idata) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  if (!w || open_pair(&p, w, idata, CSCTP_SS_RR) != 0)
    return -1;
  uint16_t sid[2] = {0, 1};
  int count[2] = {1, 3};
  size_t len[2] = {10000, 100};
  size_t total = queue(&p, sid, count, len, 2);
  finish(&p, total);
  size_t first = w->n, last = 0;
  for (size_t i = 0; i < w->n; i++)
    if (w->sid[i] == 0) {
      if (first == w->n)
        first = i;
      last = i;
    }
  int between = 0;
  for (size_t i = first; i < last && first < w->n; i++)
    between += w->sid[i] == 1;
  ilv_close(&p);
  free(w);
  return between;
}

static void test_message_vs_fragment_granularity(void) {
  CHECK_EQ(interleaved(0), 0);
  CHECK_EQ(interleaved(1), 3);
}

/* Without I-DATA, a multi-fragment message chosen from behind another
 * stream's message is sent whole before the scheduler turns (its
 * fragments keep consecutive TSNs, RFC 9260 6.9), and it arrives intact. */
static void test_rr_moves_whole_message(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, CSCTP_SS_RR) == 0);
  CHECK_EQ(ilv_send(&p, 0, 1, 0, 100), 0);
  CHECK_EQ(ilv_send(&p, 0, 0, 0, 6000), 0); /* 5 fragments */
  CHECK_EQ(ilv_send(&p, 1, 1, 0, 100), 0);
  CHECK_EQ(ilv_send(&p, 2, 1, 0, 100), 0);
  finish(&p, 4);
  size_t first = w->n, last = 0;
  for (size_t i = 0; i < w->n; i++)
    if (w->sid[i] == 0) {
      if (first == w->n)
        first = i;
      last = i;
    }
  CHECK(first < w->n);
  CHECK_EQ(last - first, 4u); /* five fragments in a row */
  for (size_t i = first; i < last && first < w->n; i++)
    CHECK_EQ(w->tsn[i + 1], w->tsn[i] + 1);
  ilv_close(&p);
  free(w);
}

/* 3.4: with interleaving, a large lower-priority message does not delay a
 * higher-priority one queued after it started. */
static void test_prio_preempts_with_idata(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 1, CSCTP_SS_PRIO) == 0);
  p.rate = 1000000; /* 1 MB/s: the big message takes 200 ms */
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 0, 5), 0);
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 1, 0), 0);
  CHECK_EQ(ilv_send(&p, 0, 0, 0, 200000), 0);
  ilv_run(&p, 50 * CSCTP_MILLISECONDS, NULL);
  CHECK_EQ(ilv_send(&p, 0, 1, 0, 64), 0);
  finish(&p, 2);
  uint32_t tsn_small = 0, tsn_end = 0;
  for (size_t i = 0; i < w->n; i++) {
    if (w->sid[i] == 1)
      tsn_small = w->tsn[i];
    if (w->sid[i] == 0 && (w->flags[i] & CSCTP_DATA_FLAG_E))
      tsn_end = w->tsn[i];
  }
  CHECK(tsn_small != 0 && tsn_end != 0);
  CHECK(tsn_small < tsn_end);
  /* it was read first, too */
  CHECK_EQ(p.recs[0].sid, 1);
  ilv_close(&p);
  free(w);
}

static void test_api(void) {
  ilv_pair p;
  wire *w = calloc(1, sizeof(*w));
  REQUIRE(w && open_pair(&p, w, 0, CSCTP_SS_RR) == 0);
  CHECK_EQ(csctp_stream_scheduler(p.a, p.ida), CSCTP_SS_RR);
  CHECK_EQ(csctp_stream_scheduler(p.b, p.idb), CSCTP_SS_FCFS); /* default */
  CHECK_EQ(csctp_set_stream_scheduler(p.a, p.ida, CSCTP_SS_WFQ), 0);
  CHECK_EQ(csctp_stream_scheduler(p.a, p.ida), CSCTP_SS_WFQ);
  CHECK_EQ(csctp_set_stream_scheduler(p.a, p.ida, CSCTP_SS_WFQ + 1),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_set_stream_scheduler(p.a, 999, CSCTP_SS_RR),
           CSCTP_ERR_NOT_FOUND);
  uint16_t v = 1;
  CHECK_EQ(csctp_stream_sched_value(p.a, p.ida, 3, &v), 0);
  CHECK_EQ(v, 0); /* 4.3.2: default 0 */
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 3, 7), 0);
  CHECK_EQ(csctp_stream_sched_value(p.a, p.ida, 3, &v), 0);
  CHECK_EQ(v, 7);
  CHECK_EQ(csctp_set_stream_sched_value(p.a, p.ida, 10, 1), CSCTP_ERR_STREAM);
  CHECK_EQ(csctp_stream_sched_value(p.a, p.ida, 10, &v), CSCTP_ERR_STREAM);
  /* settings: an unknown scheduler is refused */
  csctp_settings s;
  settings(&s, 0, CSCTP_SS_WFQ + 1);
  csctp_endpoint *ep = NULL;
  CHECK_EQ(csctp_endpoint_new(&ep, 7000, &s, NULL, NULL, NULL, 0),
           CSCTP_ERR_INVAL);
  ilv_close(&p);
  free(w);
}

int main(void) {
  TEST_RUN(test_fcfs);
  TEST_RUN(test_rr);
  TEST_RUN(test_prio);
  TEST_RUN(test_wfq);
  TEST_RUN(test_fb);
  TEST_RUN(test_rr_pkt);
  TEST_RUN(test_message_vs_fragment_granularity);
  TEST_RUN(test_rr_moves_whole_message);
  TEST_RUN(test_prio_preempts_with_idata);
  TEST_RUN(test_api);
  return TEST_SUMMARY();
}
