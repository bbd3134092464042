/* Tests for recovery.c: RACK time-based loss detection (RFC 8985 6) and the
 * tail loss probe (RFC 8985 7) over the send queue. Each test quotes the
 * rule it checks; times are worked out in the comments. A DATA chunk with
 * 100 bytes of user data is 116 bytes on the wire. */
#include "config.h"

#include "recovery.h"
#include "sendq.h"

#include "talloc.h"
#include "test.h"

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC)

typedef struct fx {
  talloc t;
  csctp_mem mem;
  csctp_settings s;
  csctp_sendq q;
  csctp_path paths[1];
  csctp_recovery r;
} fx;

static uint8_t payload[100];

static void fx_init(fx *f) {
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
  CHECK_EQ(csctp_sendq_init(&f->q, &f->mem, 1, 10), 0);
  csctp_recovery_init(&f->r);
}

static void fx_done(fx *f) {
  csctp_sendq_free(&f->q);
  CHECK_EQ(f->t.live, 0);
}

/* Queues and sends one 100-byte message at now; returns its chunk. */
static csctp_chunk_out *send_one(fx *f, csctp_tstamp now) {
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  CHECK_EQ(csctp_sendq_push(&f->q, &si, payload, sizeof payload, 1400, 0), 0);
  csctp_chunk_out *c = f->q.unsent;
  csctp_sendq_mark_sent(&f->q, c, f->paths, 0, now);
  f->paths[0].flight += csctp_chunk_out_wire_size(c);
  return c;
}

static void resend(fx *f, csctp_chunk_out *c, csctp_tstamp now) {
  csctp_sendq_mark_sent(&f->q, c, f->paths, 0, now);
  f->paths[0].flight += csctp_chunk_out_wire_size(c);
}

static csctp_chunk_out *by_tsn(const fx *f, uint32_t tsn) {
  for (csctp_chunk_out *c = f->q.out; c; c = c->next)
    if (c->tsn == tsn)
      return c;
  return NULL;
}

/* A SACK (cum, gaps) processed the way the association does it: the send
 * queue, then RACK's update and detection. Returns what was marked. */
static int sack(fx *f, uint32_t cum, const uint16_t *gaps, size_t ngaps,
                const uint32_t *dups, size_t ndups, csctp_tstamp now,
                int *repaired) {
  static const uint16_t none[2] = {0, 0};
  csctp_sack_result res;
  csctp_sendq_on_sack(&f->q, f->paths, 1, cum, gaps ? gaps : none, ngaps, 0,
                      f->r.min_rtt, now, &res);
  int rep = csctp_recovery_on_sack(&f->r, &res, &f->q, dups, ndups, now);
  if (repaired)
    *repaired = rep;
  csctp_recovery_detect(&f->r, &f->q, f->paths, f->paths[0].srtt, now, &res);
  return res.new_fast_rtx;
}

/* RFC 8985 6.2: a segment sent before the most recently delivered one is
 * lost once "Segment.xmit_ts + RACK.rtt + RACK.reo_wnd - Now() <= 0";
 * until then the reordering timer is armed for that moment. */
static void test_rack_time_rule(void) {
  fx f;
  fx_init(&f);
  /* TSN 10 at T0 (the min RTT sample: acked at T0+20ms), 11 at T0+10ms,
   * 12 at T0+11ms. */
  send_one(&f, T0);
  send_one(&f, T0 + 10 * MS);
  send_one(&f, T0 + 11 * MS);
  CHECK_EQ(sack(&f, 10, NULL, 0, NULL, 0, T0 + 20 * MS, NULL), 0);
  CHECK_EQ(f.r.min_rtt, 20 * MS);
  CHECK_EQ(f.r.timer, CSCTP_TSTAMP_NEVER); /* nothing sent before TSN 10 */
  /* 12 gap-acked at T0+31ms: RACK.rtt = 20 ms, reo_wnd = min_rtt / 4 =
   * 5 ms. 11 was sent before 12: lost at T0+10+20+5 = T0+35ms. */
  uint16_t g[] = {2, 2};
  CHECK_EQ(sack(&f, 10, g, 1, NULL, 0, T0 + 31 * MS, NULL), 0);
  CHECK_EQ(f.r.rack_tsn, 12);
  CHECK_EQ(f.r.rack_rtt, 20 * MS);
  CHECK_EQ(f.r.timer, T0 + 35 * MS);
  CHECK_EQ(by_tsn(&f, 11)->state, CSCTP_OUT_INFLIGHT);
  /* At the timer: marked for retransmission, out of the flight. */
  csctp_sack_result res;
  memset(&res, 0, sizeof res);
  csctp_recovery_detect(&f.r, &f.q, f.paths, 0, T0 + 35 * MS, &res);
  CHECK_EQ(res.new_fast_rtx, 1);
  CHECK_EQ(res.rack_lost, 1);
  CHECK_EQ(by_tsn(&f, 11)->state, CSCTP_OUT_RTX);
  CHECK_EQ(f.paths[0].flight, 0);
  CHECK_EQ(f.r.timer, CSCTP_TSTAMP_NEVER);
  fx_done(&f);
}

/* RFC 8985 6.2 / 9260 7.2.4 (5): a fast retransmission that is lost again
 * is detected once data sent after the retransmission is acknowledged;
 * the three-miss rule alone never marks it again. */
static void test_rack_lost_retransmission(void) {
  fx f;
  fx_init(&f);
  for (int i = 0; i < 5; i++) /* TSNs 10..14, 1 ms apart */
    send_one(&f, T0 + (csctp_tstamp)i * MS);
  CHECK_EQ(sack(&f, 10, NULL, 0, NULL, 0, T0 + 20 * MS, NULL), 0);
  /* 11 missing, 12..14 reported: the third miss marks it (7.2.4). */
  uint16_t g1[] = {2, 2}, g2[] = {2, 3}, g3[] = {2, 4};
  sack(&f, 10, g1, 1, NULL, 0, T0 + 22 * MS, NULL);
  sack(&f, 10, g2, 1, NULL, 0, T0 + 23 * MS, NULL);
  sack(&f, 10, g3, 1, NULL, 0, T0 + 24 * MS, NULL);
  csctp_chunk_out *c = by_tsn(&f, 11);
  CHECK_EQ(c->state, CSCTP_OUT_RTX);
  CHECK(c->fast_rtx_done);
  resend(&f, c, T0 + 24 * MS); /* lost again */
  send_one(&f, T0 + 25 * MS);  /* TSN 15 */
  /* 15 acknowledged at T0+45ms: sent after the retransmission of 11, so 11
   * is lost at T0+24 + 20 + 5 = T0+49ms. */
  uint16_t g4[] = {2, 5};
  CHECK_EQ(sack(&f, 10, g4, 1, NULL, 0, T0 + 45 * MS, NULL), 0);
  CHECK_EQ(f.r.timer, T0 + 49 * MS);
  CHECK_EQ(sack(&f, 10, g4, 1, NULL, 0, T0 + 50 * MS, NULL), 1);
  CHECK_EQ(c->state, CSCTP_OUT_RTX);
  fx_done(&f);
}

/* RFC 8985 6.2 compares send times; chunks sent at one `now` (a caller
 * sends a batch per step) are ordered by transmission: a retransmission
 * that left after new data of the same step is not "sent before" it. */
static void test_rack_same_time_order(void) {
  fx f;
  fx_init(&f);
  csctp_chunk_out *c10 = send_one(&f, T0);
  CHECK_EQ(sack(&f, 9, NULL, 0, NULL, 0, T0 + 20 * MS, NULL), 0);
  c10->state = CSCTP_OUT_RTX; /* as if marked lost */
  f.q.n_rtx++;
  f.paths[0].flight -= 116;
  f.q.bytes_inflight -= csctp_chunk_rwnd_cost(&f.q, 100);
  send_one(&f, T0 + 30 * MS);    /* TSN 11, new data first */
  resend(&f, c10, T0 + 30 * MS); /* then 10 again, same time */
  uint16_t g[] = {2, 2};         /* 11 acknowledged, 10 not yet */
  CHECK_EQ(sack(&f, 9, g, 1, NULL, 0, T0 + 50 * MS, NULL), 0);
  CHECK_EQ(c10->state, CSCTP_OUT_INFLIGHT);
  CHECK_EQ(f.r.timer, CSCTP_TSTAMP_NEVER); /* sent after 11: no suspicion */
  fx_done(&f);
}

/* RFC 8985 6.2 step 2: "if the segment was retransmitted and ... the
 * segment's ACK arrived sooner than the minimum RTT, ... ignore it": such an
 * ack is most likely for the first copy and must not advance RACK. */
static void test_rack_ignores_ambiguous_ack(void) {
  fx f;
  fx_init(&f);
  csctp_chunk_out *c10 = send_one(&f, T0);
  send_one(&f, T0 + 1 * MS);
  CHECK_EQ(sack(&f, 9, NULL, 0, NULL, 0, T0 + 5 * MS, NULL), 0);
  uint16_t g[] = {2, 2}; /* 11 at T0+21ms: min RTT 20 ms */
  sack(&f, 9, g, 1, NULL, 0, T0 + 21 * MS, NULL);
  CHECK_EQ(f.r.min_rtt, 20 * MS);
  /* 10 was marked by the time rule at T0+26ms: resend it at T0+30ms. */
  csctp_sack_result res;
  memset(&res, 0, sizeof res);
  csctp_recovery_detect(&f.r, &f.q, f.paths, 0, T0 + 30 * MS, &res);
  REQUIRE(c10->state == CSCTP_OUT_RTX);
  resend(&f, c10, T0 + 30 * MS);
  csctp_tstamp before = f.r.rack_xmit;
  /* Acked 2 ms after the resend (< min RTT): for the first copy. */
  sack(&f, 11, NULL, 0, NULL, 0, T0 + 32 * MS, NULL);
  CHECK_EQ(f.r.rack_xmit, before);
  fx_done(&f);
}

/* RFC 8985 6.2 step 4: the reordering window is min_RTT / 4 times a
 * multiplier that grows when the receiver reports duplicates (DSACK in TCP,
 * Duplicate TSNs in SCTP), and never exceeds SRTT. */
static void test_reo_wnd_adapts(void) {
  fx f;
  fx_init(&f);
  send_one(&f, T0);
  CHECK_EQ(sack(&f, 10, NULL, 0, NULL, 0, T0 + 40 * MS, NULL), 0);
  CHECK_EQ(f.r.min_rtt, 40 * MS);
  CHECK_EQ(f.r.reo_mult, 1);
  uint32_t dup = 10;
  sack(&f, 10, NULL, 0, &dup, 1, T0 + 41 * MS, NULL);
  CHECK_EQ(f.r.reo_mult, 2);
  /* 11 at T0+50ms, 12 at T0+51ms; 12 acked at T0+91ms (RACK.rtt 40 ms):
   * 11 is due at 50 + 40 + 2 * 10 = T0+110ms. */
  send_one(&f, T0 + 50 * MS);
  send_one(&f, T0 + 51 * MS);
  uint16_t g[] = {2, 2};
  CHECK_EQ(sack(&f, 10, g, 1, NULL, 0, T0 + 91 * MS, NULL), 0);
  CHECK_EQ(f.r.timer, T0 + 110 * MS);
  /* Bounded by SRTT (5 ms): due at T0+95ms. */
  csctp_sack_result res;
  memset(&res, 0, sizeof res);
  csctp_recovery_detect(&f.r, &f.q, f.paths, 5 * MS, T0 + 96 * MS, &res);
  CHECK_EQ(res.new_fast_rtx, 1);
  fx_done(&f);
}

/* RFC 8985 7.2: "PTO = 2 * SRTT; if FlightSize is one segment, PTO +=
 * TLP.max_ack_delay; if Now() + PTO > RTO expiration, PTO = RTO expiration
 * - Now()". No probe before an RTT sample, during recovery, while another
 * probe is out, or without an RTT sample since the last one (7.3). */
static void test_pto(void) {
  fx f;
  fx_init(&f);
  csctp_path *p = &f.paths[0];
  p->t3 = T0 + 1 * SEC;
  csctp_recovery_arm_pto(&f.r, p, 4, 0, T0);
  CHECK_EQ(f.r.pto, CSCTP_TSTAMP_NEVER); /* no SRTT yet */
  csctp_path_rtt_sample(p, &f.s, 30 * MS);
  csctp_recovery_arm_pto(&f.r, p, 4, 0, T0);
  CHECK_EQ(f.r.pto, T0 + 60 * MS);
  csctp_recovery_arm_pto(&f.r, p, 1, 0, T0);
  CHECK_EQ(f.r.pto, T0 + 60 * MS + CSCTP_TLP_MAX_ACK_DELAY);
  csctp_recovery_arm_pto(&f.r, p, 0, 0, T0);
  CHECK_EQ(f.r.pto, CSCTP_TSTAMP_NEVER); /* nothing in flight */
  csctp_recovery_arm_pto(&f.r, p, 4, 1, T0);
  CHECK_EQ(f.r.pto, CSCTP_TSTAMP_NEVER); /* recovering */
  p->t3 = T0 + 50 * MS;
  csctp_recovery_arm_pto(&f.r, p, 4, 0, T0);
  CHECK_EQ(f.r.pto, T0 + 50 * MS); /* at the latest when T3-rtx expires */
  p->t3 = T0 + 1 * SEC;
  f.r.probe_out = 1;
  csctp_recovery_arm_pto(&f.r, p, 4, 0, T0);
  CHECK_EQ(f.r.pto, CSCTP_TSTAMP_NEVER); /* one probe at a time */
  f.r.probe_out = 0;
  /* 7.3: no RTT sample since the last probe: no probe either. */
  f.r.rtt_since_probe = 0;
  csctp_recovery_arm_pto(&f.r, p, 4, 0, T0);
  CHECK_EQ(f.r.pto, CSCTP_TSTAMP_NEVER);
  fx_done(&f);
}

/* RFC 8985 7.3: without new data, "retransmit the highest-sequence segment
 * sent so far"; 7.4: if its ack does not report a duplicate, the probe
 * repaired a loss and congestion control must react. */
static void test_probe_rtx_and_repair(void) {
  for (int dup_reported = 0; dup_reported < 2; dup_reported++) {
    fx f;
    fx_init(&f);
    for (int i = 0; i < 3; i++)
      send_one(&f, T0 + (csctp_tstamp)i * MS);
    csctp_chunk_out *c = csctp_recovery_probe_rtx(&f.r, &f.q, f.paths);
    REQUIRE(c != NULL);
    CHECK_EQ(c->tsn, 12);
    CHECK_EQ(c->state, CSCTP_OUT_RTX);
    CHECK(!c->fast_rtx_done); /* a probe is no fast retransmit */
    resend(&f, c, T0 + 60 * MS);
    f.r.probe_out = 1;
    int repaired = -1;
    uint32_t dup = 12;
    sack(&f, 12, NULL, 0, &dup, dup_reported ? 1 : 0, T0 + 80 * MS, &repaired);
    CHECK_EQ(repaired, !dup_reported);
    CHECK_EQ(f.r.probe_out, 0);
    fx_done(&f);
  }
}

int main(void) {
  TEST_RUN(test_rack_time_rule);
  TEST_RUN(test_rack_lost_retransmission);
  TEST_RUN(test_rack_same_time_order);
  TEST_RUN(test_rack_ignores_ambiguous_ack);
  TEST_RUN(test_reo_wnd_adapts);
  TEST_RUN(test_pto);
  TEST_RUN(test_probe_rtx_and_repair);
  return TEST_SUMMARY();
}
