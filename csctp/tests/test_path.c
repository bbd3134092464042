/* Tests for path.c: RTO calculation (RFC 9260 6.3.1), timer backoff
 * (6.3.3 E2), congestion control (7.2.1 - 7.2.4) and csctp_addr_equal.
 *
 * Every expected value below was worked out by hand from the RFC formulas;
 * the arithmetic is written next to each check. Sample values were chosen
 * so that the 1/8 and 1/4 gains divide exactly in nanoseconds. */
#include "config.h"

#include "path.h"

#include "test.h"

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC)

static csctp_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  csctp_addr x;
  memset(&x, 0, sizeof(x));
  x.family = CSCTP_AF_INET;
  x.ip[0] = a, x.ip[1] = b, x.ip[2] = c, x.ip[3] = d;
  return x;
}

static csctp_addr v6(uint8_t last, uint32_t scope) {
  csctp_addr x;
  memset(&x, 0, sizeof(x));
  x.family = CSCTP_AF_INET6;
  x.ip[0] = 0xfe, x.ip[1] = 0x80;
  x.ip[15] = last;
  x.scope_id = scope;
  return x;
}

/* A path on an IPv4 address with the default settings except pmtu. */
static void mkpath(csctp_path *p, csctp_settings *s, uint32_t pmtu) {
  csctp_settings_default(s);
  s->pmtu = pmtu;
  csctp_addr a = v4(192, 0, 2, 1);
  csctp_path_init(p, &a, s, T0);
}

/* ---- RTO, 6.3.1 ---------------------------------------------------------- */

static void test_rto_initial(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  /* C1: RTO.Initial until the first measurement. */
  CHECK_EQ(p.rto, 1 * SEC);
  CHECK_EQ(p.measured, 0);
  CHECK_EQ(p.state, CSCTP_PATH_ACTIVE);
  CHECK_EQ(p.mtu, 1452);
  CHECK_EQ(p.flight, 0);
  CHECK_EQ(p.error_count, 0);
  CHECK_EQ(p.t3, CSCTP_TSTAMP_NEVER);
  s.rto_initial = 3 * SEC;
  csctp_addr a = v4(192, 0, 2, 1);
  csctp_path_init(&p, &a, &s, T0);
  CHECK_EQ(p.rto, 3 * SEC);
}

static void test_rto_first_sample(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  s.rto_min = 10 * MS;
  /* C2: R = 100 ms: SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50 = 300 ms. */
  csctp_path_rtt_sample(&p, &s, 100 * MS);
  CHECK_EQ(p.measured, 1);
  CHECK_EQ(p.srtt, 100 * MS);
  CHECK_EQ(p.rttvar, 50 * MS);
  CHECK_EQ(p.rto, 300 * MS);
}

static void test_rto_sequence(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  s.rto_min = 10 * MS; /* keep C6 out of the way */
  csctp_path_rtt_sample(&p, &s, 100 * MS);
  CHECK_EQ(p.rto, 300 * MS);

  /* C3, R' = 200 ms, old SRTT 100, RTTVAR 50:
   *   RTTVAR = 3/4*50 + 1/4*|100-200| = 37.5 + 25 = 62.5 ms
   *   SRTT   = 7/8*100 + 1/8*200     = 87.5 + 25 = 112.5 ms
   *   RTO    = 112.5 + 4*62.5 = 362.5 ms */
  csctp_path_rtt_sample(&p, &s, 200 * MS);
  CHECK_EQ(p.rttvar, 62500000);
  CHECK_EQ(p.srtt, 112500000);
  CHECK_EQ(p.rto, 362500000);

  /* R' = 50 ms: |112.5-50| = 62.5
   *   RTTVAR = 3/4*62.5 + 1/4*62.5 = 62.5 ms
   *   SRTT   = 7/8*112.5 + 1/8*50 = 98.4375 + 6.25 = 104.6875 ms
   *   RTO    = 104.6875 + 250 = 354.6875 ms */
  csctp_path_rtt_sample(&p, &s, 50 * MS);
  CHECK_EQ(p.rttvar, 62500000);
  CHECK_EQ(p.srtt, 104687500);
  CHECK_EQ(p.rto, 354687500);

  /* R' = SRTT = 104.6875 ms: |diff| = 0
   *   RTTVAR = 3/4*62.5 = 46.875 ms, SRTT unchanged
   *   RTO    = 104.6875 + 187.5 = 292.1875 ms */
  csctp_path_rtt_sample(&p, &s, 104687500);
  CHECK_EQ(p.rttvar, 46875000);
  CHECK_EQ(p.srtt, 104687500);
  CHECK_EQ(p.rto, 292187500);

  /* R' = 1 s: |104.6875 - 1000| = 895.3125
   *   RTTVAR = 3/4*46.875 + 1/4*895.3125 = 35.15625 + 223.828125
   *          = 258.984375 ms
   *   SRTT   = 7/8*104.6875 + 1/8*1000 = 91.6015625 + 125 = 216.6015625 ms
   *   RTO    = 216.6015625 + 1035.9375 = 1252.5390625 ms */
  csctp_path_rtt_sample(&p, &s, 1000 * MS);
  CHECK_EQ(p.rttvar, 258984375);
  /* 216601562.5 ns exactly: either rounding of the half ns is fine. */
  CHECK(p.srtt >= 216601562 && p.srtt <= 216601563);
  CHECK(p.rto >= 1252539062 && p.rto <= 1252539063);
}

static void test_rto_clamped(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  /* C6: 100 ms + 4*50 ms = 300 ms < RTO.Min = 1 s. */
  csctp_path_rtt_sample(&p, &s, 100 * MS);
  CHECK_EQ(p.srtt, 100 * MS);
  CHECK_EQ(p.rttvar, 50 * MS);
  CHECK_EQ(p.rto, 1 * SEC);
  /* C7: first sample 25 s: 25 + 4*12.5 = 75 s > RTO.Max = 60 s. */
  csctp_addr a = v4(192, 0, 2, 1);
  csctp_path_init(&p, &a, &s, T0);
  csctp_path_rtt_sample(&p, &s, 25 * SEC);
  CHECK_EQ(p.srtt, 25 * SEC);
  CHECK_EQ(p.rttvar, 12500 * MS);
  CHECK_EQ(p.rto, 60 * SEC);
  /* Custom bounds: [2 s, 5 s]. 1 s sample: 1 + 2 = 3 s stays. */
  s.rto_min = 2 * SEC;
  s.rto_max = 5 * SEC;
  csctp_path_init(&p, &a, &s, T0);
  csctp_path_rtt_sample(&p, &s, 1 * SEC);
  CHECK_EQ(p.rto, 3 * SEC);
  /* 0.2 s: 0.2 + 0.4 = 0.6 s -> 2 s. */
  csctp_path_init(&p, &a, &s, T0);
  csctp_path_rtt_sample(&p, &s, 200 * MS);
  CHECK_EQ(p.rto, 2 * SEC);
  /* 3 s: 3 + 6 = 9 s -> 5 s. */
  csctp_path_init(&p, &a, &s, T0);
  csctp_path_rtt_sample(&p, &s, 3 * SEC);
  CHECK_EQ(p.rto, 5 * SEC);
}

/* G1: RTTVAR never lets RTO collapse onto SRTT. */
static void test_rto_granularity(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  s.rto_min = 1; /* 1 ns: let the raw value show */
  csctp_path_rtt_sample(&p, &s, 0);
  CHECK_EQ(p.srtt, 0);
  CHECK(p.rto > 0);
  for (int i = 0; i < 200; i++)
    csctp_path_rtt_sample(&p, &s, 10 * MS);
  CHECK(p.rto > p.srtt);
}

/* 6.3.3 E2: RTO doubles per expiry, up to RTO.Max. */
static void test_rto_backoff(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  static const csctp_tstamp want[] = {2, 4, 8, 16, 32, 60, 60, 60};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    csctp_path_backoff(&p, &s);
    CHECK_EQ(p.rto, want[i] * SEC);
  }
  /* A new measurement collapses the backed-off RTO (6.3.3, after E4):
   * first sample 200 ms: 200 + 400 = 600 ms -> RTO.Min 1 s. */
  csctp_path_rtt_sample(&p, &s, 200 * MS);
  CHECK_EQ(p.rto, 1 * SEC);
  /* Cap at a custom RTO.Max of 3 s: 1 -> 2 -> 3 -> 3. */
  s.rto_max = 3 * SEC;
  csctp_path_backoff(&p, &s);
  CHECK_EQ(p.rto, 2 * SEC);
  csctp_path_backoff(&p, &s);
  CHECK_EQ(p.rto, 3 * SEC);
  csctp_path_backoff(&p, &s);
  CHECK_EQ(p.rto, 3 * SEC);
}

/* ---- Congestion control, 7.2 --------------------------------------------- */

/* 7.2.1: cwnd = min(4*MTU, max(2*MTU, 4404)); ssthresh arbitrarily high. */
static void test_cwnd_initial(void) {
  static const struct {
    uint32_t mtu, cwnd;
  } cases[] = {
      {1452, 4404},  /* min(5808, max(2904, 4404)) */
      {1200, 4404},  /* min(4800, max(2400, 4404)) */
      {1000, 4000},  /* min(4000, max(2000, 4404)) */
      {2000, 4404},  /* min(8000, max(4000, 4404)) */
      {3000, 6000},  /* min(12000, max(6000, 4404)) */
      {9000, 18000}, /* min(36000, max(18000, 4404)) */
      {508, 2032},   /* min(2032, max(1016, 4404)) */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    csctp_settings s;
    csctp_path p;
    mkpath(&p, &s, cases[i].mtu);
    CHECK_EQ(p.cwnd, cases[i].cwnd);
    CHECK(p.ssthresh >= 0x7FFFFFFFu);
    CHECK_EQ(p.pba, 0);
    /* csctp_cc_reset gives the same values again. */
    p.cwnd = 1, p.ssthresh = 1, p.pba = 77;
    csctp_cc_reset(&p);
    CHECK_EQ(p.cwnd, cases[i].cwnd);
    CHECK(p.ssthresh >= 0x7FFFFFFFu);
    CHECK_EQ(p.pba, 0);
  }
}

/* RFC 9260 7.2.1 (new in 9260): for an IPv6 peer the constant is 4344,
 * not 4404: min(4*1452, max(2*1452, 4344)) = 4344. */
static void test_cwnd_initial_ipv6(void) {
  csctp_settings s;
  csctp_path p;
  csctp_settings_default(&s);
  s.pmtu = 1452;
  csctp_addr a = v6(1, 0);
  csctp_path_init(&p, &a, &s, T0);
  CHECK_EQ(p.cwnd, 4344);
  s.pmtu = 1200; /* min(4800, max(2400, 4344)) */
  csctp_path_init(&p, &a, &s, T0);
  CHECK_EQ(p.cwnd, 4344);
  s.pmtu = 3000; /* min(12000, max(6000, 4344)): 2*MTU wins either way */
  csctp_path_init(&p, &a, &s, T0);
  CHECK_EQ(p.cwnd, 6000);
}

/* 7.2.1: in slow start cwnd grows only when the window was fully used,
 * the cumulative ack advanced and we are not in fast recovery, by at most
 * min(bytes acked, MTU) per SACK. */
static void test_slow_start(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  CHECK_EQ(p.cwnd, 4404);
  csctp_cc_on_ack(&p, 3000, 1, 1, 0); /* + min(3000, 1452) */
  CHECK_EQ(p.cwnd, 5856);
  csctp_cc_on_ack(&p, 500, 1, 1, 0); /* + min(500, 1452) */
  CHECK_EQ(p.cwnd, 6356);
  csctp_cc_on_ack(&p, 1452, 1, 1, 0); /* + 1452 */
  CHECK_EQ(p.cwnd, 7808);
  csctp_cc_on_ack(&p, 3000, 0, 1, 0); /* cum ack did not advance */
  CHECK_EQ(p.cwnd, 7808);
  csctp_cc_on_ack(&p, 3000, 1, 0, 0); /* window not fully used */
  CHECK_EQ(p.cwnd, 7808);
  csctp_cc_on_ack(&p, 3000, 1, 1, 1); /* in fast recovery */
  CHECK_EQ(p.cwnd, 7808);
  csctp_cc_on_ack(&p, 0, 1, 1, 0); /* nothing acknowledged */
  CHECK_EQ(p.cwnd, 7808);
  CHECK_EQ(p.pba, 0); /* partial_bytes_acked is for avoidance only */
  /* cwnd == ssthresh still is slow start ("less than or equal"). */
  p.cwnd = 5808;
  p.ssthresh = 5808;
  csctp_cc_on_ack(&p, 3000, 1, 1, 0);
  CHECK_EQ(p.cwnd, 7260);
  CHECK_EQ(p.pba, 0);
}

/* 7.2.2: above ssthresh, cwnd grows by one MTU per cwnd of acked bytes,
 * counted in partial_bytes_acked, when the window was full. */
static void test_congestion_avoidance(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  p.cwnd = 8000;
  p.ssthresh = 6000;
  csctp_cc_on_ack(&p, 3000, 1, 1, 0);
  CHECK_EQ(p.pba, 3000);
  CHECK_EQ(p.cwnd, 8000);
  csctp_cc_on_ack(&p, 3000, 1, 1, 0);
  CHECK_EQ(p.pba, 6000);
  CHECK_EQ(p.cwnd, 8000);
  csctp_cc_on_ack(&p, 3000, 1, 1, 0); /* 9000 >= 8000: -8000, +MTU */
  CHECK_EQ(p.pba, 1000);
  CHECK_EQ(p.cwnd, 9452);
  csctp_cc_on_ack(&p, 9000, 1, 1, 0); /* 10000 >= 9452: -9452, +MTU once */
  CHECK_EQ(p.pba, 548);
  CHECK_EQ(p.cwnd, 10904);
  csctp_cc_on_ack(&p, 1000, 1, 1, 0);
  CHECK_EQ(p.pba, 1548);
  CHECK_EQ(p.cwnd, 10904);
}

/* 7.2.2 third bullet: when partial_bytes_acked exceeds cwnd while the
 * sender had less than cwnd outstanding, it is reset to cwnd. Without
 * that reset credit piles up and cwnd later grows by several MTUs within
 * one RTT, which 7.2.2 forbids ("MUST NOT increment cwnd by more than
 * PMDCS per RTT"). */
static void test_congestion_avoidance_not_full(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  p.cwnd = 8000;
  p.ssthresh = 6000;
  /* Eight SACKs of 4000 bytes while the window was not full:
   * 4000, 8000 (= cwnd, not greater), then 12000 > 8000 -> 8000 ... */
  for (int i = 0; i < 8; i++)
    csctp_cc_on_ack(&p, 4000, 1, 0, 0);
  CHECK_EQ(p.cwnd, 8000);
  CHECK_EQ(p.pba, 8000);
  /* Window full now. 8000 + 1452 = 9452 >= 8000: pba 1452, cwnd 9452. */
  csctp_cc_on_ack(&p, 1452, 1, 1, 0);
  CHECK_EQ(p.cwnd, 9452);
  /* 1452 + 1452 = 2904 < 9452: no growth. */
  csctp_cc_on_ack(&p, 1452, 1, 1, 0);
  CHECK_EQ(p.cwnd, 9452);
  CHECK_EQ(p.pba, 2904);
}

/* 7.2.3 on a fast retransmit: ssthresh = max(cwnd/2, 4*MTU), cwnd =
 * ssthresh, partial_bytes_acked = 0. */
static void test_fast_rtx_reduction(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  p.cwnd = 20000;
  p.pba = 1234;
  csctp_cc_on_fast_rtx(&p); /* max(10000, 5808) */
  CHECK_EQ(p.ssthresh, 10000);
  CHECK_EQ(p.cwnd, 10000);
  CHECK_EQ(p.pba, 0);
  p.cwnd = 10000;
  csctp_cc_on_fast_rtx(&p); /* max(5000, 5808) */
  CHECK_EQ(p.ssthresh, 5808);
  CHECK_EQ(p.cwnd, 5808);
  p.cwnd = 4404;
  csctp_cc_on_fast_rtx(&p); /* max(2202, 5808): may even grow */
  CHECK_EQ(p.ssthresh, 5808);
  CHECK_EQ(p.cwnd, 5808);
  /* MTU 1200: 4*MTU = 4800; cwnd 12001 -> 6000 (integer halving). */
  mkpath(&p, &s, 1200);
  p.cwnd = 12001;
  csctp_cc_on_fast_rtx(&p);
  CHECK_EQ(p.ssthresh, 6000);
  CHECK_EQ(p.cwnd, 6000);
}

/* 7.2.3 / 6.3.3 E1 on T3-rtx: ssthresh = max(cwnd/2, 4*MTU), cwnd = 1 MTU.
 */
static void test_t3_reduction(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  p.cwnd = 20000;
  p.pba = 999;
  csctp_cc_on_t3(&p);
  CHECK_EQ(p.ssthresh, 10000);
  CHECK_EQ(p.cwnd, 1452);
  CHECK_EQ(p.pba, 0);
  /* Again at once: max(726, 5808). */
  csctp_cc_on_t3(&p);
  CHECK_EQ(p.ssthresh, 5808);
  CHECK_EQ(p.cwnd, 1452);
  /* Slow start follows: cwnd <= ssthresh, +min(acked, MTU). */
  csctp_cc_on_ack(&p, 1468, 1, 1, 0);
  CHECK_EQ(p.cwnd, 2904);
  CHECK_EQ(p.pba, 0);
  mkpath(&p, &s, 1200);
  p.cwnd = 4404;
  csctp_cc_on_t3(&p); /* max(2202, 4800) */
  CHECK_EQ(p.ssthresh, 4800);
  CHECK_EQ(p.cwnd, 1200);
}

/* 7.2.1: an idle path's cwnd becomes max(cwnd/2, 4*MTU) once per RTO. */
static void test_cwnd_idle(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452); /* last_send = T0, RTO 1 s */
  p.cwnd = 20000;
  csctp_cc_on_idle(&p, T0 + 500 * MS); /* less than one RTO */
  CHECK_EQ(p.cwnd, 20000);
  csctp_cc_on_idle(&p, T0 + 1500 * MS); /* one RTO: 20000 / 2 */
  CHECK_EQ(p.cwnd, 10000);
  csctp_cc_on_idle(&p, T0 + 1500 * MS); /* same instant: no second cut */
  CHECK_EQ(p.cwnd, 10000);
  csctp_cc_on_idle(&p, T0 + 2500 * MS); /* max(5000, 5808) */
  CHECK_EQ(p.cwnd, 5808);
  csctp_cc_on_idle(&p, T0 + 100 * SEC); /* floor of 4 MTU */
  CHECK_EQ(p.cwnd, 5808);

  /* Several RTOs at once: 40000 idle for 3.5 RTOs -> 20000, 10000, 5808. */
  mkpath(&p, &s, 1452);
  p.cwnd = 40000;
  csctp_cc_on_idle(&p, T0 + 3500 * MS);
  CHECK_EQ(p.cwnd, 5808);
  /* Two RTOs (2.5) from 40000: 20000, 10000. */
  mkpath(&p, &s, 1452);
  p.cwnd = 40000;
  csctp_cc_on_idle(&p, T0 + 2500 * MS);
  CHECK_EQ(p.cwnd, 10000);

  /* The RTO is the path's: RTO 3 s, idle 4 s: one cut. */
  mkpath(&p, &s, 1452);
  p.cwnd = 40000;
  p.rto = 3 * SEC;
  csctp_cc_on_idle(&p, T0 + 4 * SEC);
  CHECK_EQ(p.cwnd, 20000);

  /* Data in flight: the path is not idle. */
  mkpath(&p, &s, 1452);
  p.cwnd = 20000;
  p.flight = 1000;
  csctp_cc_on_idle(&p, T0 + 10 * SEC);
  CHECK_EQ(p.cwnd, 20000);
}

/* RFC 9260 7.2.1 (new in 9260): "Before the first cwnd adjustment, the
 * ssthresh of the transport address SHOULD be set to the cwnd." */
static void test_cwnd_idle_ssthresh(void) {
  csctp_settings s;
  csctp_path p;
  mkpath(&p, &s, 1452);
  p.cwnd = 20000;
  csctp_cc_on_idle(&p, T0 + 2500 * MS); /* 20000 -> 10000 -> 5808 */
  CHECK_EQ(p.cwnd, 5808);
  CHECK_EQ(p.ssthresh, 20000);
}

/* ---- csctp_addr_equal ---------------------------------------------------- */

static void test_addr_equal(void) {
  csctp_addr a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 1);
  CHECK(csctp_addr_equal(&a, &b));
  b.port = 9899; /* the UDP port is not part of the identity */
  CHECK(csctp_addr_equal(&a, &b));
  CHECK(csctp_addr_equal(&b, &a));
  b = v4(10, 0, 0, 2);
  CHECK(!csctp_addr_equal(&a, &b));
  b = v4(11, 0, 0, 1);
  CHECK(!csctp_addr_equal(&a, &b));
  /* Bytes past the IPv4 address do not matter. */
  b = v4(10, 0, 0, 1);
  b.ip[4] = 0xAA, b.ip[15] = 0x55;
  CHECK(csctp_addr_equal(&a, &b));

  csctp_addr x = v6(1, 0), y = v6(1, 0);
  CHECK(csctp_addr_equal(&x, &y));
  y.port = 1234;
  CHECK(csctp_addr_equal(&x, &y));
  y = v6(2, 0);
  CHECK(!csctp_addr_equal(&x, &y));
  y = v6(1, 0);
  y.ip[0] = 0xfd; /* differs in the first byte only */
  CHECK(!csctp_addr_equal(&x, &y));
  /* Link-local addresses on different interfaces are different. */
  x = v6(1, 2), y = v6(1, 3);
  CHECK(!csctp_addr_equal(&x, &y));
  y.scope_id = 2;
  CHECK(csctp_addr_equal(&x, &y));

  /* Families differ, even when the first four bytes agree. */
  csctp_addr m;
  memset(&m, 0, sizeof(m));
  m.family = CSCTP_AF_INET6;
  m.ip[0] = 10, m.ip[3] = 1;
  CHECK(!csctp_addr_equal(&a, &m));
  CHECK(!csctp_addr_equal(&m, &a));
  /* Unspecified family never equals a real address. */
  csctp_addr z;
  memset(&z, 0, sizeof(z));
  CHECK(!csctp_addr_equal(&z, &a));
}

int main(void) {
  TEST_RUN(test_rto_initial);
  TEST_RUN(test_rto_first_sample);
  TEST_RUN(test_rto_sequence);
  TEST_RUN(test_rto_clamped);
  TEST_RUN(test_rto_granularity);
  TEST_RUN(test_rto_backoff);
  TEST_RUN(test_cwnd_initial);
  TEST_RUN(test_cwnd_initial_ipv6);
  TEST_RUN(test_slow_start);
  TEST_RUN(test_congestion_avoidance);
  TEST_RUN(test_congestion_avoidance_not_full);
  TEST_RUN(test_fast_rtx_reduction);
  TEST_RUN(test_t3_reduction);
  TEST_RUN(test_cwnd_idle);
  TEST_RUN(test_cwnd_idle_ssthresh);
  TEST_RUN(test_addr_equal);
  return TEST_SUMMARY();
}
