/* Tests for the congestion controllers (cc.h): the controller interface,
 * CUBIC (RFC 9438 4.2 - 4.8, 4.10) and HyStart++ (RFC 9406 4.2, 4.3).
 *
 * Every expected value is worked out by hand from the RFCs' formulas; the
 * arithmetic is written next to each check. Windows are in bytes with a
 * segment (the path MTU) of 1000 bytes, so that "segments" read directly.
 * C = 0.4, beta_cubic = 0.7, alpha_cubic = 3 * 0.3 / 1.7 = 0.529411...
 */
#include "config.h"

#include "cc.h"
#include "path.h"

#include "test.h"

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC)

static csctp_path mkpath(uint32_t algo) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.pmtu = 1000;
  s.cc = algo;
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 192, a.ip[1] = 0, a.ip[2] = 2, a.ip[3] = 1;
  csctp_path p;
  csctp_path_init(&p, &a, &s, T0);
  return p;
}

/* A new ack with the window in use, outside Fast Recovery. */
static void ack(csctp_path *p, uint32_t bytes, csctp_tstamp now,
                csctp_tstamp rtt, csctp_tstamp srtt, uint32_t cum,
                uint32_t next) {
  csctp_cc_ack a = {.bytes_acked = bytes,
                    .cum_advanced = 1,
                    .cwnd_was_full = 1,
                    .now = now,
                    .rtt = rtt,
                    .srtt = srtt,
                    .cum_tsn = cum,
                    .next_tsn = next};
  csctp_cc_on_ack_ev(p, &a);
}

static int near(double x, double want, double tol) {
  return x >= want - tol && x <= want + tol;
}

/* ---- the interface ----------------------------------------------------- */

static void test_selection(void) {
  csctp_path r = mkpath(CSCTP_CC_RENO), c = mkpath(CSCTP_CC_CUBIC);
  CHECK(r.cc == &csctp_cc_reno);
  CHECK(c.cc == &csctp_cc_cubic);
  CHECK(csctp_cc_ops_for(99) == &csctp_cc_reno); /* unknown: the default */
  /* CSCTP_CC_CUBIC_TRAIN is CSCTP_CC_CUBIC now; RFC9406 has its own. */
  CHECK(csctp_cc_ops_for(CSCTP_CC_CUBIC_TRAIN) == &csctp_cc_cubic);
  CHECK(csctp_cc_ops_for(CSCTP_CC_CUBIC_RFC9406) == &csctp_cc_cubic_rfc9406);
  /* Both start from RFC 9260 7.2.1's window: min(4*1000, max(2000, 4404)) =
   * 4000, ssthresh arbitrarily high. */
  CHECK_EQ(r.cwnd, 4000);
  CHECK_EQ(c.cwnd, 4000);
  CHECK_EQ(c.ssthresh, UINT32_MAX);
  /* Switching a path under way keeps its windows. */
  r.cwnd = 50000;
  r.ssthresh = 30000;
  r.measured = 1;
  csctp_cc_select(&r, CSCTP_CC_CUBIC);
  CHECK(r.cc == &csctp_cc_cubic);
  CHECK_EQ(r.cwnd, 50000);
  CHECK_EQ(r.ssthresh, 30000);
  /* Not the initial slow start any more: HyStart++ stays off (RFC 9406
   * 4.3) once the path is in slow start below a known ssthresh. */
  r.cwnd = 10000;
  ack(&r, 1000, T0, 10 * MS, 10 * MS, 1, 10);
  CHECK_EQ(r.ccs.cubic.hs.phase, CSCTP_HS_OFF);
  /* The settings refuse an unknown controller. */
  csctp_settings s;
  csctp_settings_default(&s);
  CHECK_EQ(s.cc, CSCTP_CC_RENO);
  csctp_endpoint *ep = NULL;
  s.cc = 7;
  CHECK_EQ(csctp_endpoint_new(&ep, 5000, &s, NULL, NULL, NULL, 0),
           CSCTP_ERR_INVAL);
  s.cc = CSCTP_CC_CUBIC;
  CHECK_EQ(csctp_endpoint_new(&ep, 5000, &s, NULL, NULL, NULL, 0), 0);
  csctp_endpoint_del(ep);
}

/* ---- RFC 9438 4.2: the window function --------------------------------- */

static void test_cubic_k(void) {
  /* Figure 2: K = cbrt((W_max - cwnd_epoch) / C). (100 - 89.2) / 0.4 = 27
   * segments: K = 3 s. */
  CHECK(near(csctp_cubic_k(100000, 89200, 1000), 3.0, 1e-9));
  /* After a loss at W_max = 100 segments with beta 0.7: (100 - 70) / 0.4 =
   * 75, cbrt(75) = 4.21716 s (4.21716^3 = 74.9999). */
  CHECK(near(csctp_cubic_k(100000, 70000, 1000), 4.21716, 1e-4));
  /* (8 - 7.2) / 0.4 = 2 segments... in bytes of 1000: cbrt(2) = 1.25992. */
  CHECK(near(csctp_cubic_k(8000, 7200, 1000), 1.259921, 1e-5));
  /* cwnd_epoch at or above W_max: K = 0. */
  CHECK(near(csctp_cubic_k(5000, 5000, 1000), 0, 1e-12));
  CHECK(near(csctp_cubic_alpha(), 0.9 / 1.7, 1e-12));
}

static void test_cubic_w(void) {
  /* Figure 1: W_cubic(t) = C * (t - K)^3 + W_max, K = 3, W_max = 100. */
  csctp_cubic c;
  memset(&c, 0, sizeof(c));
  c.k = 3;
  c.w_max = 100000;
  /* t = 0: 0.4 * (-27) + 100 = 89.2 segments, cwnd_epoch. */
  CHECK(near(csctp_cubic_w(&c, 0, 1000), 89200, 1e-6));
  /* t = 1: 0.4 * (-8) + 100 = 96.8 (concave: below W_max). */
  CHECK(near(csctp_cubic_w(&c, 1, 1000), 96800, 1e-6));
  /* t = K: W_max, the plateau. */
  CHECK(near(csctp_cubic_w(&c, 3, 1000), 100000, 1e-6));
  /* t = 5: 0.4 * 8 + 100 = 103.2 (convex: above W_max). */
  CHECK(near(csctp_cubic_w(&c, 5, 1000), 103200, 1e-6));
  /* Byte-counted with another segment size: MSS 1452, t = 4: 0.4 * 1 *
   * 1452 + 100000 = 100580.8. */
  CHECK(near(csctp_cubic_w(&c, 4, 1452), 100580.8, 1e-6));
}

/* A CUBIC path in congestion avoidance right after a reduction: cwnd =
 * ssthresh = 70 segments, W_max = 80.8 (so K = cbrt(10.8 / 0.4) = 3 s),
 * cwnd_prior = 100 (alpha_cubic applies), SRTT 1 s. */
static csctp_path ca_path(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  p.cwnd = p.ssthresh = 70000;
  p.ccs.cubic.w_max = 80800;
  p.ccs.cubic.cwnd_prior = 100000;
  p.ccs.cubic.hs.phase = CSCTP_HS_OFF;
  return p;
}

/* 4.2 - 4.5 by one ack after another. */
static void test_cubic_growth(void) {
  csctp_path p = ca_path();
  csctp_cubic *c = &p.ccs.cubic;
  /* Ack 1 at t = 0 starts the epoch: K = 3, W_est = cwnd_epoch = 70000.
   * W_est += 0.529412 * 1000 * 1000 / 70000 = 7.563 -> 70007.563;
   * W_cubic(0) = 70000 < W_est: Reno-friendly (4.3), cwnd = 70007. */
  ack(&p, 1000, T0, SEC, SEC, 0, 0);
  CHECK(c->in_epoch);
  CHECK(near(c->k, 3.0, 1e-9));
  CHECK(near(c->w_est, 70007.563, 1e-3));
  CHECK_EQ(p.cwnd, 70007);
  /* Ack 2 at t = 2: W_est += 0.529412 * 1e6 / 70007 = 7.562 -> 70015.13;
   * W_cubic(2) = 0.4 * (-1)^3 * 1000 + 80800 = 80400 > W_est: CUBIC's
   * region, concave (cwnd < W_max, 4.4). target = W_cubic(2 + 1) = 80800;
   * cwnd += (80800 - 70007) * 1000 / 70007 = 154.17 -> 70161. */
  ack(&p, 1000, T0 + 2 * SEC, SEC, SEC, 0, 0);
  CHECK(near(c->w_est, 70015.125, 1e-2));
  CHECK_EQ(p.cwnd, 70161);
  /* Ack 3 at t = 4: convex (4.5). target = W_cubic(5) = 0.4 * 8 * 1000 +
   * 80800 = 84000; cwnd += (84000 - 70161) * 1000 / 70161 + 0.170 (carried)
   * = 197.417 -> 70358. */
  ack(&p, 1000, T0 + 4 * SEC, SEC, SEC, 0, 0);
  CHECK_EQ(p.cwnd, 70358);
  /* Upper bound of target (4.2): at t = 20, W_cubic(21) = 0.4 * 18^3 *
   * 1000 + 80800 = 2413600 > 1.5 * cwnd, so target = 1.5 * cwnd and cwnd
   * grows by (1.5 - 1) * cwnd * 2000 / cwnd = 1000 (+ 0.417 carried). */
  ack(&p, 2000, T0 + 20 * SEC, SEC, SEC, 0, 0);
  CHECK_EQ(p.cwnd, 71358);
}

/* 4.2: lower bound of target, and no growth from acks that are not new
 * (cumulative ack unmoved), in Fast Recovery, or with cwnd not in use. */
static void test_cubic_growth_limits(void) {
  csctp_path p = ca_path();
  p.ccs.cubic.cwnd_prior = 50000; /* alpha = 1 from the start (4.3) */
  /* t = 0: W_est = 70000 + 1 * 1000 * 1000 / 70000 = 70014.29 -> the
   * Reno-friendly window 70014 (with alpha_cubic it would be 70007). */
  ack(&p, 1000, T0, SEC, SEC, 0, 0);
  CHECK_EQ(p.cwnd, 70014);
  uint32_t w = p.cwnd;
  csctp_cc_ack a = {.bytes_acked = 5000,
                    .cum_advanced = 0,
                    .cwnd_was_full = 1,
                    .now = T0 + 2 * SEC,
                    .srtt = SEC};
  csctp_cc_on_ack_ev(&p, &a); /* not a new ack */
  CHECK_EQ(p.cwnd, w);
  a.cum_advanced = 1;
  a.in_fast_recovery = 1;
  csctp_cc_on_ack_ev(&p, &a); /* RFC 9260 7.2.4: none in Fast Recovery */
  CHECK_EQ(p.cwnd, w);
  a.in_fast_recovery = 0;
  a.cwnd_was_full = 0;
  a.now = T0 + 3 * SEC;
  csctp_cc_on_ack_ev(&p, &a); /* 4.6: cwnd not in use does not grow */
  CHECK_EQ(p.cwnd, w);
  /* The application-limited time is left out of t (4.2): the epoch began
   * at T0; the last ack was at T0 + 2 s and the window was unused until
   * T0 + 3 s, so t_epoch moved by 1 s. */
  CHECK_EQ(p.ccs.cubic.t_epoch, T0 + SEC);
}

/* 4.3: in the Reno-friendly region cwnd follows W_est, which grows by
 * alpha_cubic segments per cwnd of acknowledged data. */
static void test_cubic_reno_friendly(void) {
  csctp_path p = ca_path();
  /* W_max = cwnd_epoch = 70 segments: K = 0 and W_cubic(t) = 0.4 * t^3 *
   * 1000 + 70000, which stays below 70000.2 for t <= 70 ms. 70 acks of 1000
   * bytes 1 ms apart: each adds 0.529412 * 1000 * 1000 / cwnd to W_est;
   * summed with cwnd following W_est (70000 ... 70527), W_est = 70527.46,
   * about 70 * 529.4 * 70000 / 70264 (mean cwnd) = 527.4 above 70000. */
  p.ccs.cubic.w_max = 70000;
  for (int i = 0; i < 70; i++)
    ack(&p, 1000, T0 + (csctp_tstamp)i * MS, MS, MS, 0, 0);
  CHECK(near(p.ccs.cubic.k, 0, 1e-12));
  CHECK(near(p.ccs.cubic.w_est, 70527.46, 0.05));
  CHECK_EQ(p.cwnd, 70527);
}

/* 4.6 and 4.7: reduction by beta = 0.7 and fast convergence. */
static void test_cubic_decrease(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_cubic *c = &p.ccs.cubic;
  p.cwnd = 100000;
  csctp_cc_on_fast_rtx(&p);
  /* First event: cwnd >= W_max (0): W_max = cwnd = 100000 (4.7 otherwise);
   * cwnd_prior = 100000; ssthresh = cwnd = 0.7 * 100000 = 70000. */
  CHECK(near(c->w_max, 100000, 1e-9));
  CHECK(near(c->cwnd_prior, 100000, 1e-9));
  CHECK_EQ(p.ssthresh, 70000);
  CHECK_EQ(p.cwnd, 70000);
  CHECK_EQ(c->hs.phase, CSCTP_HS_OFF); /* RFC 9406: a loss ends HyStart++ */
  /* Second event below the saturation point: cwnd 80000 < W_max 100000:
   * fast convergence, W_max = 80000 * (1 + 0.7) / 2 = 68000; ssthresh =
   * cwnd = 56000. */
  p.cwnd = 80000;
  csctp_cc_on_fast_rtx(&p);
  CHECK(near(c->w_max, 68000, 1e-9));
  CHECK(near(c->cwnd_prior, 80000, 1e-9));
  CHECK_EQ(p.ssthresh, 56000);
  CHECK_EQ(p.cwnd, 56000);
  /* The next epoch's K = cbrt((68 - 56) / 0.4) = cbrt(30) = 3.10723 s. */
  ack(&p, 1000, T0, 100 * MS, 100 * MS, 0, 0);
  CHECK(near(c->k, 3.10723, 1e-4));
  /* Third event above W_max: W_max = cwnd, no further reduction. */
  p.cwnd = 90000;
  csctp_cc_on_fast_rtx(&p);
  CHECK(near(c->w_max, 90000, 1e-9));
  CHECK_EQ(p.cwnd, 63000);
  /* SCTP's floor (RFC 9260 7.2.3): ssthresh at least 4 MTU: 0.7 * 5000 =
   * 3500 < 4000. */
  p.cwnd = 5000;
  csctp_cc_on_fast_rtx(&p);
  CHECK_EQ(p.ssthresh, 4000);
  CHECK_EQ(p.cwnd, 4000);
  /* ECN echo reduces as a loss does (4.6). */
  p.cwnd = 20000;
  p.cc->on_ecn(&p);
  CHECK_EQ(p.cwnd, 14000);
}

/* 4.2, 4.3, 4.7: every congestion event starts a new congestion avoidance
 * stage: t counts from its first ack (t_epoch), K comes from the new W_max
 * and cwnd_epoch, W_est restarts at cwnd_epoch. A stage that kept the old
 * t would put cwnd on the old curve, seconds in. */
static void test_cubic_new_epoch(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_cubic *c = &p.ccs.cubic;
  p.cwnd = 100000;
  csctp_cc_on_fast_rtx(&p); /* W_max = 100000, cwnd = ssthresh = 70000 */
  ack(&p, 1000, T0, 100 * MS, 100 * MS, 0, 0);
  CHECK_EQ(c->t_epoch, T0);
  CHECK(near(c->k, 4.21716, 1e-4)); /* cbrt((100 - 70) / 0.4) = cbrt(75) */
  /* 5 s later, in the concave region: W_cubic(5.1) = 0.4 * 0.8828^3 * 1000
   * + 100000 = 100275.2; cwnd += (100275.2 - 70007) * 1000 / 70007 =
   * 432.4 -> 70439. */
  ack(&p, 1000, T0 + 5 * SEC, 100 * MS, 100 * MS, 0, 0);
  CHECK_EQ(p.cwnd, 70439);
  /* The second event at cwnd 90000 < W_max: fast convergence, W_max =
   * 90000 * 0.85 = 76500; cwnd = ssthresh = 63000; cwnd_prior = 90000. */
  p.cwnd = 90000;
  csctp_cc_on_fast_rtx(&p);
  CHECK(near(c->w_max, 76500, 1e-9));
  CHECK(near(c->cwnd_prior, 90000, 1e-9));
  CHECK_EQ(p.cwnd, 63000);
  /* Its first ack at T0 + 6 s: t_epoch = T0 + 6 s, K = cbrt((76.5 - 63) /
   * 0.4) = cbrt(33.75) = 3.23165; W_est = 63000 + 0.529412 * 1000 * 1000 /
   * 63000 = 63008.40 (alpha_cubic: W_est < cwnd_prior); W_cubic(0) = 76500
   * - 0.4 * 33.75 * 1000 = 63000 < W_est: Reno-friendly, cwnd = 63008.
   * With t = 6 s of the old stage, W_cubic(6.1) = 0.4 * 2.868^3 * 1000 +
   * 76500 = 85940 would have made cwnd grow by (85940 - 63000) * 1000 /
   * 63000 = 364. */
  ack(&p, 1000, T0 + 6 * SEC, 100 * MS, 100 * MS, 0, 0);
  CHECK_EQ(c->t_epoch, T0 + 6 * SEC);
  CHECK(near(c->k, 3.23165, 1e-4));
  CHECK(near(c->w_est, 63008.40, 1e-2));
  CHECK_EQ(p.cwnd, 63008);
}

/* 4.8: after a timeout cwnd = 1 MTU (RFC 9260 7.2.3), ssthresh by beta; the
 * first congestion avoidance stage has K = 0 and W_max = cwnd_epoch. */
static void test_cubic_timeout(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_cubic *c = &p.ccs.cubic;
  p.cwnd = 50000;
  csctp_cc_on_t3(&p);
  CHECK_EQ(p.cwnd, 1000);
  CHECK_EQ(p.ssthresh, 35000); /* 0.7 * 50000 */
  /* Slow start back (L = 1 MTU per SACK, RFC 9260 7.2.1) up to ssthresh:
   * 1000 -> 2000 -> ... -> 35000 in 34 acks of 2000. */
  for (int i = 0; i < 34; i++)
    ack(&p, 2000, T0 + (csctp_tstamp)i * MS, MS, 100 * MS, 0, 0);
  CHECK_EQ(p.cwnd, 35000);
  CHECK(!c->in_epoch);
  /* The next ack starts the epoch: K = 0, W_max = 35000 (cwnd_epoch). */
  ack(&p, 1000, T0 + SEC, MS, 100 * MS, 0, 0);
  CHECK(c->in_epoch);
  CHECK(near(c->k, 0, 1e-12));
  CHECK(near(c->w_max, 35000, 1e-9));
}

/* 4.10: slow start that ends without a loss (HyStart++) sets cwnd_prior =
 * cwnd, and the first epoch has K = 0 and W_max = cwnd. Tested through
 * HyStart++'s CSS exit below. */

/* ---- RFC 9406 HyStart++ ------------------------------------------------ */

/* Runs one round of n acks (each 1000 bytes, RTT rtt) with TSNs: the round
 * ends when *tsn reaches the window end set at its start. */
static void hs_round(csctp_path *p, int n, csctp_tstamp rtt, uint32_t *tsn,
                     csctp_tstamp *now) {
  /* The first ack of the round acknowledges the previous window's end;
   * next_tsn then = tsn + n + 1, so this round ends at tsn + n. */
  for (int i = 0; i < n; i++) {
    /* 10 us apart: an ack train of 100 MB/s, whose BDP (cc_cubic.c,
     * hs_train) is far above these windows: only the delay rules act. */
    *now += 10 * CSCTP_MILLISECONDS / 1000;
    ack(p, 1000, *now, rtt, rtt, *tsn, *tsn + (uint32_t)n + 1);
    (*tsn)++;
  }
}

static void test_hystart_delay_increase(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_hystart *h = &p.ccs.cubic.hs;
  uint32_t tsn = 100;
  csctp_tstamp now = T0;
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  hs_round(&p, 10, 100 * MS, &tsn, &now);
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  CHECK_EQ(h->last_min, CSCTP_TSTAMP_NEVER); /* no previous round yet */
  /* Round 2: lastRoundMinRTT = 100 ms; RttThresh = max(4, min(100 / 8,
   * 16)) = 12.5 ms. 112 ms stays below 112.5: still slow start. */
  hs_round(&p, 10, 112 * MS, &tsn, &now);
  CHECK_EQ(h->last_min, 100 * MS);
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  /* Round 3: lastRoundMinRTT = 112; thresh 14 ms; 126 ms >= 112 + 14, but
   * only from the 8th sample (N_RTT_SAMPLE) on. */
  csctp_tstamp t = now;
  for (int i = 0; i < 7; i++) {
    t += MS;
    ack(&p, 1000, t, 126 * MS, 126 * MS, tsn, tsn + 21);
    tsn++;
  }
  CHECK_EQ(h->samples, 7);
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  ack(&p, 1000, t + MS, 126 * MS, 126 * MS, tsn, tsn + 20);
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  CHECK_EQ(h->css_base, 126 * MS); /* cssBaselineMinRtt */
  CHECK_EQ(h->css_rounds, 1);      /* the partial round counts */
}

/* RttThresh is clamped to [MIN_RTT_THRESH 4 ms, MAX_RTT_THRESH 16 ms]. */
static void test_hystart_thresholds(void) {
  static const struct {
    csctp_tstamp base, below, at;
  } cases[] = {
      {20 * MS, 23 * MS, 24 * MS},    /* 20 / 8 = 2.5 -> 4 ms */
      {64 * MS, 71 * MS, 72 * MS},    /* 64 / 8 = 8 ms */
      {200 * MS, 215 * MS, 216 * MS}, /* 200 / 8 = 25 -> 16 ms */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    for (int hit = 0; hit < 2; hit++) {
      csctp_path p = mkpath(CSCTP_CC_CUBIC);
      uint32_t tsn = 1;
      csctp_tstamp now = T0;
      hs_round(&p, 10, cases[k].base, &tsn, &now);
      hs_round(&p, 10, hit ? cases[k].at : cases[k].below, &tsn, &now);
      CHECK_EQ(p.ccs.cubic.hs.phase, hit ? CSCTP_HS_CSS : CSCTP_HS_SS);
    }
  }
}

/* Growth: slow start by min(N, L * MTU) (L = 1 as RFC 9260 7.2.1 says;
 * RFC 9406's L = 8 is for a sender that paces), CSS by a quarter of that
 * (CSS_GROWTH_DIVISOR = 4). */
static void test_hystart_growth(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  uint32_t tsn = 1;
  csctp_tstamp now = T0;
  ack(&p, 3000, now, 50 * MS, 50 * MS, tsn, tsn + 10);
  CHECK_EQ(p.cwnd, 4000 + 1000); /* min(3000, 1 * 1000) */
  ack(&p, 700, now, 50 * MS, 50 * MS, tsn, tsn + 10);
  CHECK_EQ(p.cwnd, 5700); /* min(700, 1000) */
  p.ccs.cubic.hs.phase = CSCTP_HS_CSS;
  p.ccs.cubic.hs.css_base = 50 * MS;
  p.ccs.cubic.hs.css_rounds = 1;
  ack(&p, 2000, now, 50 * MS, 50 * MS, tsn, tsn + 10);
  CHECK_EQ(p.cwnd, 5700 + 250); /* min(2000, 1000) / 4 */
}

/* The ack train (cc_cubic.c, hs_train; CSCTP_CC_CUBIC, not
 * CSCTP_CC_CUBIC_RFC9406): in slow start
 * the SACKs of a round come back at the bottleneck's rate; acks of 1280
 * bytes every 100 us are 12,800 bytes per ms (200 units of
 * CSCTP_HS_RATE_UNIT, 64), and at a minimum RTT of 20 ms the path holds
 * 12,800 * 20 = 256,000 bytes. n acks, spaced dt, acknowledging up to tsn;
 * next_tsn far ahead so that the round goes on. */
static void hs_train_acks(csctp_path *p, int n, csctp_tstamp dt,
                          csctp_tstamp *now, uint32_t tsn) {
  for (int i = 0; i < n; i++) {
    *now += dt;
    ack(p, 1280, *now, 20 * MS, 20 * MS, tsn, tsn + 1000);
  }
}

static void test_hystart_ack_train(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_hystart *h = &p.ccs.cubic.hs;
  csctp_tstamp now = T0, us = CSCTP_MILLISECONDS / 1000;
  p.cwnd = 40000;
  /* Round 1 (window end 1 + 999): the first ack starts the train, the
   * next 19 give 24,320 bytes in 1.9 ms. One round shows no BDP yet: full
   * slow start growth, min(1280, MTU 1000) per ack. */
  hs_train_acks(&p, 20, 100 * us, &now, 1);
  CHECK_EQ(h->rate_cur, 200);
  CHECK_EQ(p.cwnd, 60000);
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  /* Round 2 (its first ack acknowledges 1000): 8 acks after the first
   * measure the rate again; it agrees with round 1's. */
  hs_train_acks(&p, 9, 100 * us, &now, 1000);
  CHECK_EQ(h->rate_last, 200);
  CHECK_EQ(h->rate_cur, 200);
  CHECK_EQ(p.cwnd, 69000); /* 2 * 68000 < 256000: still full growth */
  /* At half the BDP standard slow start ends and CSS begins (RFC 9406 4.2,
   * the ack train as the exit signal, RFC 9438 4.10's hybrid slow start):
   * growth by a quarter (CSS_GROWTH_DIVISOR), the partial round counted,
   * and no RTT baseline (0): the exit did not come from the RTT. */
  p.cwnd = 128000;
  hs_train_acks(&p, 1, 100 * us, &now, 1000);
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  CHECK_EQ(h->css_rounds, 1);
  CHECK_EQ(h->css_base, 0);
  CHECK_EQ(p.cwnd, 128250);
  CHECK_EQ(p.ssthresh, UINT32_MAX); /* CSS is still slow start */
  p.cwnd = 255900;
  hs_train_acks(&p, 1, 100 * us, &now, 1000);
  CHECK_EQ(p.cwnd, 256150);
  CHECK_EQ(p.ssthresh, UINT32_MAX);
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  /* cwnd reached the BDP: slow start ends there (ssthresh = cwnd, RFC
   * 9406 4.2's exit; RFC 9438 4.10: K = 0, W_max = cwnd next). */
  hs_train_acks(&p, 1, 100 * us, &now, 1000);
  CHECK_EQ(p.cwnd, 256150);
  CHECK_EQ(p.ssthresh, 256150);
  CHECK_EQ(h->phase, CSCTP_HS_OFF);
  CHECK(p.ccs.cubic.k_zero);
}

/* Trains that are no BDP: rates that disagree between rounds (a share of a
 * queue that grows with cwnd), and acks spaced more than an eighth of the
 * minimum RTT (2.5 ms) apart, which never form a train. */
static void test_hystart_ack_train_ignored(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_hystart *h = &p.ccs.cubic.hs;
  csctp_tstamp now = T0, us = CSCTP_MILLISECONDS / 1000;
  p.cwnd = 150000;
  hs_train_acks(&p, 20, 200 * us, &now, 1); /* 6400 per ms */
  CHECK_EQ(h->rate_cur, 100);
  hs_train_acks(&p, 20, 100 * us, &now, 1000); /* 12800 per ms */
  CHECK_EQ(h->rate_last, 100);
  CHECK_EQ(h->rate_cur, 200);
  /* 100 < 0.8 * 200: no BDP; cwnd 150000 (past round 1's 6400 * 20 =
   * 128,000) keeps growing by 1000 per ack. */
  CHECK_EQ(p.cwnd, 150000 + 40000);
  CHECK_EQ(p.ssthresh, UINT32_MAX);
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  csctp_path q = mkpath(CSCTP_CC_CUBIC);
  now = T0;
  hs_train_acks(&q, 20, 3 * MS, &now, 1);
  CHECK_EQ(q.ccs.cubic.hs.rate_cur, 0);
  hs_train_acks(&q, 20, 100 * us, &now, 1000);
  CHECK_EQ(q.ccs.cubic.hs.rate_last, 0); /* round 1 had no train */
  /* CSCTP_CC_CUBIC_RFC9406 reads no trains: full growth at the BDP. */
  csctp_path r = mkpath(CSCTP_CC_CUBIC_RFC9406);
  now = T0;
  r.cwnd = 250000;
  hs_train_acks(&r, 20, 100 * us, &now, 1);
  hs_train_acks(&r, 20, 100 * us, &now, 1000);
  CHECK_EQ(r.cwnd, 250000 + 40000);
  CHECK_EQ(r.ssthresh, UINT32_MAX);
  CHECK_EQ(r.ccs.cubic.hs.rate_cur, 0);
}

/* CSS entered on the ack train: RTT samples below those of the round it
 * began in do not resume slow start (RFC 9406 4.2's test reverses an exit
 * the RTT caused; this one it did not), and CSS_ROUNDS rounds end slow
 * start with ssthresh = cwnd below the BDP (RFC 9406 4.2, RFC 9438 4.10).
 * The rounds: window ends 1000 + k * 1000, each train a round. */
static void test_hystart_ack_train_css(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_hystart *h = &p.ccs.cubic.hs;
  csctp_tstamp now = T0, us = CSCTP_MILLISECONDS / 1000;
  p.cwnd = 40000;
  hs_train_acks(&p, 20, 100 * us, &now, 1);
  hs_train_acks(&p, 9, 100 * us, &now, 1000);
  p.cwnd = 130000; /* past half of 256,000 */
  hs_train_acks(&p, 1, 100 * us, &now, 1000);
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  uint32_t tsn = 1000;
  for (int r = 2; r <= 5; r++) {
    tsn += 1000;
    /* 10 acks at 15 ms, below every RTT seen so far (20 ms). */
    for (int i = 0; i < 10; i++) {
      now += 100 * us;
      ack(&p, 1280, now, 15 * MS, 15 * MS, tsn, tsn + 1000);
    }
    CHECK_EQ(h->phase, CSCTP_HS_CSS);
    CHECK_EQ(h->css_rounds, r);
  }
  /* 4 rounds of 10 acks at 1000 / 4: 130,250 + 40 * 250 = 140,250. */
  CHECK_EQ(p.cwnd, 140250);
  now += 100 * us;
  ack(&p, 1280, now, 15 * MS, 15 * MS, tsn + 1000, tsn + 2000); /* round 6 */
  CHECK_EQ(h->phase, CSCTP_HS_OFF);
  CHECK_EQ(p.ssthresh, 140250);
  CHECK(p.ccs.cubic.k_zero);
}

/* CSS: a round whose minimum RTT falls below the baseline resumes slow
 * start; CSS_ROUNDS (5) rounds in CSS end slow start with ssthresh = cwnd,
 * after which CUBIC starts with K = 0, W_max = cwnd (RFC 9438 4.10). */
static void test_hystart_css(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  csctp_hystart *h = &p.ccs.cubic.hs;
  uint32_t tsn = 1;
  csctp_tstamp now = T0;
  hs_round(&p, 10, 40 * MS, &tsn, &now);
  hs_round(&p, 10, 45 * MS, &tsn, &now); /* thresh 5 ms: CSS */
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  /* Next round, samples at 44 ms < cssBaselineMinRtt 45: spurious, back to
   * slow start, and only after N_RTT_SAMPLE samples. */
  for (int i = 0; i < 7; i++) {
    now += MS;
    ack(&p, 1000, now, 44 * MS, 44 * MS, tsn, tsn + 21);
    tsn++;
  }
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  ack(&p, 1000, now + MS, 44 * MS, 44 * MS, tsn, tsn + 21);
  tsn++;
  now += MS;
  CHECK_EQ(h->phase, CSCTP_HS_SS);
  CHECK_EQ(h->css_base, CSCTP_TSTAMP_NEVER);

  /* Again: a fresh path into CSS in round 2 (CSS round 1), then rounds
   * 3..6 are CSS rounds 2..5; the start of round 7 completes five. */
  p = mkpath(CSCTP_CC_CUBIC);
  h = &p.ccs.cubic.hs;
  tsn = 1;
  now = T0;
  hs_round(&p, 10, 40 * MS, &tsn, &now);
  hs_round(&p, 10, 45 * MS, &tsn, &now);
  CHECK_EQ(h->phase, CSCTP_HS_CSS);
  for (int r = 0; r < 4; r++) {
    hs_round(&p, 10, 45 * MS, &tsn, &now);
    CHECK_EQ(h->phase, CSCTP_HS_CSS);
  }
  CHECK_EQ(h->css_rounds, 5);
  CHECK(p.cwnd < p.ssthresh);
  uint32_t w = p.cwnd;
  ack(&p, 1000, now + MS, 45 * MS, 45 * MS, tsn, tsn + 10); /* round 7 */
  CHECK_EQ(h->phase, CSCTP_HS_OFF);
  CHECK_EQ(p.ssthresh, w); /* ssthresh = cwnd */
  CHECK(near(p.ccs.cubic.cwnd_prior, w, 1e-9));
  /* 4.10: the first epoch has K = 0 and W_max = cwnd. */
  ack(&p, 1000, now + 2 * MS, 45 * MS, 45 * MS, tsn + 1, tsn + 10);
  CHECK(p.ccs.cubic.in_epoch);
  CHECK(near(p.ccs.cubic.k, 0, 1e-12));
  CHECK(near(p.ccs.cubic.w_max, w, 1e-9));
}

/* RFC 9406 4.3: HyStart++ only in the initial slow start; after a loss
 * the slow start that follows a timeout is plain. A loss during slow start
 * ends it (ssthresh from CUBIC's reduction). */
static void test_hystart_only_first(void) {
  csctp_path p = mkpath(CSCTP_CC_CUBIC);
  p.cwnd = 40000;
  csctp_cc_on_fast_rtx(&p);
  CHECK_EQ(p.ccs.cubic.hs.phase, CSCTP_HS_OFF);
  CHECK_EQ(p.ssthresh, 28000);
  csctp_cc_on_t3(&p);
  CHECK_EQ(p.ccs.cubic.hs.phase, CSCTP_HS_OFF);
  /* Plain slow start: one MTU per SACK whatever the delay. */
  uint32_t tsn = 1;
  csctp_tstamp now = T0;
  hs_round(&p, 3, 40 * MS, &tsn, &now);
  CHECK_EQ(p.cwnd, 1000 + 3 * 1000);
}

/* RFC 9260 7.2.1 after idle applies to CUBIC too, and restarts the epoch. */
static void test_cubic_idle(void) {
  csctp_path p = ca_path();
  ack(&p, 1000, T0, SEC, SEC, 0, 0);
  CHECK(p.ccs.cubic.in_epoch);
  p.cwnd = 64000;
  p.flight = 0;
  p.rto = SEC;
  p.last_send = T0;
  /* 2.5 RTOs idle: 64000 -> 32000 -> 16000; ssthresh = cwnd first. */
  csctp_cc_on_idle(&p, T0 + 2500 * MS);
  CHECK_EQ(p.cwnd, 16000);
  CHECK_EQ(p.ssthresh, 64000);
  CHECK(!p.ccs.cubic.in_epoch);
  /* A window of 4 MTU or less has nothing to give back: an association
   * idle between setup and its first data keeps ssthresh arbitrarily high
   * and starts in slow start. */
  csctp_path q = mkpath(CSCTP_CC_CUBIC);
  q.rto = SEC;
  q.last_send = T0;
  csctp_cc_on_idle(&q, T0 + 10 * SEC);
  CHECK_EQ(q.cwnd, 4000);
  CHECK_EQ(q.ssthresh, UINT32_MAX);
  CHECK_EQ(q.ccs.cubic.hs.phase, CSCTP_HS_SS);
}

int main(void) {
  TEST_RUN(test_selection);
  TEST_RUN(test_cubic_k);
  TEST_RUN(test_cubic_w);
  TEST_RUN(test_cubic_growth);
  TEST_RUN(test_cubic_growth_limits);
  TEST_RUN(test_cubic_reno_friendly);
  TEST_RUN(test_cubic_decrease);
  TEST_RUN(test_cubic_new_epoch);
  TEST_RUN(test_cubic_timeout);
  TEST_RUN(test_hystart_delay_increase);
  TEST_RUN(test_hystart_thresholds);
  TEST_RUN(test_hystart_growth);
  TEST_RUN(test_hystart_css);
  TEST_RUN(test_hystart_ack_train);
  TEST_RUN(test_hystart_ack_train_ignored);
  TEST_RUN(test_hystart_ack_train_css);
  TEST_RUN(test_hystart_only_first);
  TEST_RUN(test_cubic_idle);
  return TEST_SUMMARY();
}
