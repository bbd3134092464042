/* cc_cubic.c -- CUBIC congestion control (RFC 9438) with HyStart++
 * (RFC 9406) for the first slow start, adapted to SCTP:
 *  - windows are counted in bytes; a "segment" is the path MTU, the unit
 *    RFC 9260 7.2 grows cwnd by; segments_acked is bytes_acked / MTU;
 *  - the floor of ssthresh after a reduction is RFC 9260 7.2.3's 4 * MTU
 *    (RFC 9438 Figure 5 has 2 segments);
 *  - the reduction uses cwnd, not flight_size (RFC 9438 4.6 allows it when
 *    cwnd does not grow while it is not in use: growth needs cwnd_was_full,
 *    as in RFC 9260 7.2.1 / 7.2.2);
 *  - slow start grows by at most L = 1 MTU per SACK (RFC 9260 7.2.1's
 *    SHOULD; RFC 9406 4.3 asks L = 8 of a sender that does not pace, but
 *    without pacing the larger bursts overflow short queues sooner: in the
 *    simulator, L = 2 lost half as much again in slow start as L = 1);
 *  - the first slow start is HyStart++ with a second exit from standard
 *    slow start into CSS: the ack train (hs_train, hs_bdp; RFC 9438 4.10
 *    names hybrid slow start [HR11], whose other signal it is). An unpaced,
 *    ack-clocked slow start queues a third of each round's burst and the
 *    queue drains before the next round, so every round's minimum RTT is
 *    the base RTT until the pipe is full: RFC 9406 4.2's delay increase
 *    cannot fire before a queue shorter than half a BDP overflows. The
 *    trains' rate x minimum RTT is the BDP; at half of it slow start
 *    enters CSS, at the BDP it ends. CSCTP_CC_CUBIC_RFC9406 is the same
 *    without the ack train (HyStart++ as RFC 9406 writes it);
 *  - Max.Burst and the Fast Recovery rules stay the association's
 *    (RFC 9438 4.2: CUBIC does not change Fast Recovery);
 *  - every path has its own state (RFC 9260 7.2: cwnd per destination).
 * In congestion avoidance CUBIC may grow cwnd by more than one MTU per RTT,
 * which RFC 9260 7.2.2 forbids for its own algorithm: that is what CUBIC is
 * for (RFC 9438 1), on paths with a large bandwidth-delay product.
 */
#include "config.h"

#include "cc.h"
#include "path.h"
#include "tsn.h"

#include <string.h>

#define CUBIC_C 0.4    /* RFC 9438 4.1.1 */
#define CUBIC_BETA 0.7 /* RFC 9438 4.6 */
#define CUBIC_SS_L 1u  /* slow start growth cap, MTUs per SACK */
#define CUBIC_MAX_CWND (1u << 30)

/* RFC 9406 4.3 */
#define HS_MIN_RTT_THRESH (4 * CSCTP_MILLISECONDS)
#define HS_MAX_RTT_THRESH (16 * CSCTP_MILLISECONDS)
#define HS_MIN_RTT_DIVISOR 8
#define HS_N_RTT_SAMPLE 8
#define HS_CSS_GROWTH_DIVISOR 4
#define HS_CSS_ROUNDS 5

/* Cube root by Newton's method (no libm in the engine). */
static double cubic_cbrt(double x) {
  if (x <= 0)
    return 0;
  double y = x > 1 ? x / 3 : 1;
  for (int i = 0; i < 200; i++) {
    double n = (2 * y + x / (y * y)) / 3;
    double d = n > y ? n - y : y - n;
    y = n;
    if (d <= y * 1e-12)
      break;
  }
  return y;
}

/* RFC 9438 Figure 2: K = cbrt((W_max - cwnd_epoch) / C), in segments. */
double csctp_cubic_k(double w_max, double cwnd_epoch, uint32_t mss) {
  if (w_max <= cwnd_epoch)
    return 0;
  return cubic_cbrt((w_max - cwnd_epoch) / mss / CUBIC_C);
}

/* RFC 9438 Figure 1: W_cubic(t) = C * (t - K)^3 + W_max, t in seconds,
 * returned in bytes. */
double csctp_cubic_w(const csctp_cubic *c, double t, uint32_t mss) {
  double d = t - c->k;
  return CUBIC_C * d * d * d * mss + c->w_max;
}

/* RFC 9438 4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta). */
double csctp_cubic_alpha(void) {
  return 3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
}

static double cubic_secs(csctp_tstamp t) { return (double)t / 1e9; }

static void cubic_set_cwnd(csctp_path *p, double w) {
  if (w > CUBIC_MAX_CWND)
    w = CUBIC_MAX_CWND;
  p->cwnd = (uint32_t)w;
}

static void hs_reset_round(csctp_hystart *h) {
  h->last_min = CSCTP_TSTAMP_NEVER;
  h->cur_min = CSCTP_TSTAMP_NEVER;
  h->css_base = CSCTP_TSTAMP_NEVER;
  h->samples = 0;
  h->round_open = 0;
  h->css_rounds = 0;
  h->train_t0_us = 0;
  h->train_best = 0;
  h->rate_cur = h->rate_last = 0;
}

static void cubic_init(csctp_path *p) {
  csctp_cubic *c = &p->ccs.cubic;
  csctp_cc_initial_window(p);
  memset(c, 0, sizeof(*c));
  hs_reset_round(&c->hs);
  c->hs.phase = CSCTP_HS_SS; /* RFC 9406 4.3: the initial slow start */
}

/* RFC 9438 4.10: slow start ended without a loss: cwnd_prior = cwnd, and
 * the first epoch has K = 0, W_max = cwnd. */
static void cubic_leave_slow_start(csctp_path *p) {
  csctp_cubic *c = &p->ccs.cubic;
  p->ssthresh = p->cwnd; /* RFC 9406 4.2 */
  c->cwnd_prior = p->cwnd;
  c->k_zero = 1;
  c->in_epoch = 0;
  c->hs.phase = CSCTP_HS_OFF;
}

/* RFC 9406 4.2: a round ends when the data sent up to its start (the TSN
 * before next_tsn then) is acknowledged. Returns 1 when the ack began a
 * new round. */
static int hs_round(csctp_hystart *h, const csctp_cc_ack *a) {
  if (h->round_open && csctp_tsn_lt(a->cum_tsn, h->window_end))
    return 0;
  h->last_min = h->cur_min;
  h->cur_min = CSCTP_TSTAMP_NEVER;
  h->samples = 0;
  if (h->rate_cur)
    h->rate_last = h->rate_cur;
  h->rate_cur = 0;
  h->train_best = 0;
  h->train_t0_us = 0;
  h->window_end = a->next_tsn - 1;
  h->round_open = 1;
  return 1;
}

/* RFC 9406 4.2: the delay increase that ends standard slow start. */
static int hs_delay_increase(const csctp_hystart *h) {
  if (h->samples < HS_N_RTT_SAMPLE || h->cur_min == CSCTP_TSTAMP_NEVER ||
      h->last_min == CSCTP_TSTAMP_NEVER)
    return 0;
  csctp_tstamp thresh = h->last_min / HS_MIN_RTT_DIVISOR;
  if (thresh > HS_MAX_RTT_THRESH)
    thresh = HS_MAX_RTT_THRESH;
  if (thresh < HS_MIN_RTT_THRESH)
    thresh = HS_MIN_RTT_THRESH;
  return h->cur_min >= h->last_min + thresh;
}

/* The bottleneck's rate from the ack train. An ack-clocked slow start
 * sends 1.5 to 2 packets per packet acknowledged, back to back: the
 * bottleneck serialises them, and the SACKs come back at its rate in one
 * train per round (the trains grow by half each round until they fill the
 * round trip, which is when the queue starts to grow). The rate of the
 * longest train of a round with at least N_RTT_SAMPLE acks (the others may
 * be bunched by the sender's own scheduling) is the round's estimate; a
 * train ends at an ack that was not cwnd-limited or that came more than an
 * eighth of the minimum RTT after the one before it. */
static csctp_tstamp hs_min_rtt(const csctp_hystart *h) {
  return h->cur_min < h->last_min ? h->cur_min : h->last_min;
}

static void hs_train(csctp_hystart *h, const csctp_cc_ack *a,
                     csctp_tstamp prev_ack) {
  csctp_tstamp m = hs_min_rtt(h);
  uint32_t now_us = (uint32_t)(a->now / 1000);
  if (!a->cwnd_was_full || m == CSCTP_TSTAMP_NEVER || h->train_t0_us == 0 ||
      a->now - prev_ack > m / 8) {
    h->train_t0_us = a->cwnd_was_full ? now_us : 0; /* a new train */
    h->train_bytes = 0;
    h->train_acks = 0;
    return;
  }
  h->train_bytes += a->bytes_acked;
  if (h->train_acks < UINT16_MAX)
    h->train_acks++;
  uint32_t dt_us = now_us - h->train_t0_us;
  if (h->train_acks < HS_N_RTT_SAMPLE || dt_us == 0 ||
      (h->train_acks < h->train_best && h->train_best < UINT8_MAX))
    return;
  uint64_t rate = (uint64_t)h->train_bytes * 1000 / dt_us / CSCTP_HS_RATE_UNIT;
  h->rate_cur = rate > UINT16_MAX ? UINT16_MAX : (uint16_t)rate;
  h->train_best =
      h->train_acks > UINT8_MAX ? UINT8_MAX : (uint8_t)h->train_acks;
}

/* The bandwidth-delay product the trains of this round and the last one
 * show, 0 while there is none. Only when the two rates agree (within a
 * quarter): alone at a bottleneck, the trains run at its rate round after
 * round while cwnd grows; behind others' packets, a train's rate is the
 * share of the queue it takes, which grows with cwnd, and is no BDP. */
static uint64_t hs_bdp(const csctp_path *p) {
  const csctp_hystart *h = &p->ccs.cubic.hs;
  if (p->cc == &csctp_cc_cubic_rfc9406)
    return 0;
  uint32_t rate = h->rate_cur > h->rate_last ? h->rate_cur : h->rate_last;
  uint32_t low = h->rate_cur < h->rate_last ? h->rate_cur : h->rate_last;
  csctp_tstamp m = hs_min_rtt(h);
  if (!low || m == CSCTP_TSTAMP_NEVER || (uint64_t)low * 5 < (uint64_t)rate * 4)
    return 0;
  return (uint64_t)rate * CSCTP_HS_RATE_UNIT * m / CSCTP_MILLISECONDS;
}

/* RFC 9406 4.2: standard slow start ends, Conservative Slow Start begins,
 * with baseline the cssBaselineMinRtt. The delay increase passes the
 * round's minimum RTT. The ack train passes 0: its exit did not come from
 * a rise of the RTT, so no fall of it can show that the exit was spurious
 * (RFC 9406 4.2's test), and CSS runs its CSS_ROUNDS rounds. Why the ack
 * train may end slow start: RFC 9438 4.10 lets CUBIC use hybrid slow
 * start [HR11], whose ack-train test this is, and RFC 9406 4.3 lets an
 * implementation tune HyStart++ to its network. After either exit CSS's
 * slower growth for up to CSS_ROUNDS rounds (4.1) stands between the exit
 * and congestion avoidance. */
static void hs_enter_css(csctp_hystart *h, csctp_tstamp baseline) {
  h->css_base = baseline;
  h->phase = CSCTP_HS_CSS;
  h->css_rounds = 1; /* the partial round counts */
}

/* RFC 9406 4.2: rounds, RTT samples and the phase changes. Returns the
 * divisor of this ack's slow start growth (1 or CSS_GROWTH_DIVISOR), or 0
 * when slow start just ended. */
static uint32_t hs_on_ack(csctp_path *p, const csctp_cc_ack *a) {
  csctp_hystart *h = &p->ccs.cubic.hs;
  if (hs_round(h, a) && h->phase == CSCTP_HS_CSS &&
      ++h->css_rounds > HS_CSS_ROUNDS) {
    cubic_leave_slow_start(p); /* CSS_ROUNDS rounds are complete */
    return 0;
  }
  if (a->rtt > 0) {
    if (a->rtt < h->cur_min)
      h->cur_min = a->rtt;
    if (h->samples < UINT16_MAX)
      h->samples++;
  }
  if (p->cc != &csctp_cc_cubic_rfc9406)
    hs_train(h, a, p->ccs.cubic.last_ack);
  /* cwnd fills the path (one BDP in flight, the queue empty): slow start
   * (standard or CSS) ends before it overflows a short queue. Ending slow
   * start early only grows cwnd by less than RFC 9260 7.2.1 allows ("at
   * most"); CUBIC then probes from there (RFC 9438 4.10: W_max = cwnd,
   * K = 0). */
  uint64_t bdp = hs_bdp(p);
  if (bdp >= 4u * p->mtu && p->cwnd >= bdp) {
    cubic_leave_slow_start(p);
    return 0;
  }
  if (h->phase == CSCTP_HS_SS && hs_delay_increase(h))
    hs_enter_css(h, h->cur_min); /* RFC 9406 4.2 */
  else if (h->phase == CSCTP_HS_SS && bdp && 2 * (uint64_t)p->cwnd >= bdp)
    hs_enter_css(h, 0); /* the ack train's exit (see hs_enter_css) */
  else if (h->phase == CSCTP_HS_CSS && h->samples >= HS_N_RTT_SAMPLE &&
           h->cur_min < h->css_base) {
    h->css_base = CSCTP_TSTAMP_NEVER; /* RFC 9406 4.2: exit was spurious */
    h->phase = CSCTP_HS_SS;
    h->css_rounds = 0;
  }
  return h->phase == CSCTP_HS_CSS ? HS_CSS_GROWTH_DIVISOR : 1;
}

/* Slow start: RFC 9260 7.2.1's conditions, HyStart++ on the first. */
static void cubic_slow_start(csctp_path *p, const csctp_cc_ack *a) {
  csctp_cubic *c = &p->ccs.cubic;
  uint32_t div = 1;
  if (p->ssthresh != UINT32_MAX)
    c->hs.phase = CSCTP_HS_OFF; /* RFC 9406 4.3: the initial one only */
  if (c->hs.phase != CSCTP_HS_OFF) {
    div = hs_on_ack(p, a);
    if (div == 0)
      return;
  }
  if (!a->cum_advanced || !a->cwnd_was_full || a->in_fast_recovery)
    return;
  uint32_t cap = CUBIC_SS_L * p->mtu;
  uint32_t inc = a->bytes_acked < cap ? a->bytes_acked : cap;
  cubic_set_cwnd(p, (double)p->cwnd + inc / div);
}

/* RFC 9438 4.2, 4.8, 4.10: a congestion avoidance stage starts. */
static void cubic_start_epoch(csctp_path *p, csctp_tstamp now) {
  csctp_cubic *c = &p->ccs.cubic;
  double cwnd = p->cwnd;
  if (c->k_zero || c->w_max < cwnd) {
    c->w_max = cwnd; /* K = 0, W_max = cwnd_epoch */
    c->k = 0;
  } else {
    c->k = csctp_cubic_k(c->w_max, cwnd, p->mtu);
  }
  c->w_est = cwnd; /* 4.3: W_est = cwnd_epoch */
  c->t_epoch = now;
  c->frac = 0;
  c->in_epoch = 1;
  c->k_zero = 0;
}

/* RFC 9438 4.2 - 4.5: congestion avoidance on a new ack. */
static void cubic_avoid(csctp_path *p, const csctp_cc_ack *a) {
  csctp_cubic *c = &p->ccs.cubic;
  if (!c->in_epoch)
    cubic_start_epoch(p, a->now);
  double cwnd = p->cwnd, mss = p->mtu;
  double t = cubic_secs(a->now - c->t_epoch);
  double rtt = cubic_secs(a->srtt ? a->srtt : a->rtt);
  double target = csctp_cubic_w(c, t + rtt, p->mtu);
  if (target < cwnd)
    target = cwnd;
  if (target > 1.5 * cwnd)
    target = 1.5 * cwnd;
  /* 4.3: W_est grows by alpha per cwnd acknowledged; alpha = 1 once W_est
   * reached cwnd_prior. */
  double alpha = c->w_est >= c->cwnd_prior ? 1.0 : csctp_cubic_alpha();
  c->w_est += alpha * mss * a->bytes_acked / cwnd;
  if (csctp_cubic_w(c, t, p->mtu) < c->w_est) {
    if (c->w_est > cwnd)
      cubic_set_cwnd(p, c->w_est); /* 4.3: Reno-friendly region */
    return;
  }
  /* 4.4, 4.5: (target - cwnd) / cwnd per segment acknowledged. */
  double inc = (target - cwnd) * a->bytes_acked / cwnd + c->frac;
  double whole = (double)(uint64_t)inc;
  c->frac = inc - whole;
  cubic_set_cwnd(p, cwnd + whole);
}

static void cubic_on_ack(csctp_path *p, const csctp_cc_ack *a) {
  csctp_cubic *c = &p->ccs.cubic;
  if (p->cwnd < p->ssthresh) {
    cubic_slow_start(p, a);
    c->last_ack = a->now;
    return;
  }
  if (!a->cwnd_was_full) {
    /* 4.2: t leaves out time the application did not use cwnd. */
    if (c->in_epoch && a->now > c->last_ack)
      c->t_epoch += a->now - c->last_ack;
    c->last_ack = a->now;
    return;
  }
  c->last_ack = a->now;
  if (!a->cum_advanced || a->in_fast_recovery)
    return; /* 4.2: new acks only; RFC 9260 7.2.4: none in Fast Recovery */
  cubic_avoid(p, a);
}

/* RFC 9438 4.6 (reduction), 4.7 (fast convergence); the HyStart++ phase
 * ends (RFC 9406 4.2). Returns the new ssthresh. */
static uint32_t cubic_reduce(csctp_path *p) {
  csctp_cubic *c = &p->ccs.cubic;
  double cwnd = p->cwnd;
  if (cwnd < c->w_max)
    c->w_max = cwnd * (1.0 + CUBIC_BETA) / 2.0; /* 4.7 */
  else
    c->w_max = cwnd;
  c->cwnd_prior = cwnd;
  double ss = cwnd * CUBIC_BETA, floor = 4.0 * p->mtu; /* 9260 7.2.3 */
  if (ss < floor)
    ss = floor;
  c->in_epoch = 0;
  c->k_zero = 0;
  c->frac = 0;
  c->hs.phase = CSCTP_HS_OFF;
  p->pba = 0;
  return (uint32_t)(ss + 0.5);
}

static void cubic_on_congestion(csctp_path *p) {
  p->ssthresh = cubic_reduce(p);
  p->cwnd = p->ssthresh; /* 4.6: cwnd = ssthresh */
}

/* RFC 9438 4.8: cwnd as Reno after a timeout (RFC 9260 7.2.3: one MTU),
 * ssthresh by beta; the next epoch has K = 0 and W_max = cwnd_epoch. */
static void cubic_on_rto(csctp_path *p) {
  p->ssthresh = cubic_reduce(p);
  p->cwnd = p->mtu;
  p->ccs.cubic.k_zero = 1;
}

/* RFC 9260 7.2.1 after idle; the epoch restarts from the new cwnd. A
 * window already at 4 MTU or below has nothing to give back: ssthresh is
 * then left alone ("before the first adjustment" presumes one), so that an
 * association idle between its setup and its first data still starts in
 * slow start (with HyStart++). */
static void cubic_on_idle(csctp_path *p, csctp_tstamp now) {
  if (p->cwnd <= 4 * p->mtu)
    return;
  if (csctp_cc_idle_decay(p, now))
    p->ccs.cubic.in_epoch = 0;
}

/* CSCTP_CC_CUBIC_RFC9406: the same, its first slow start HyStart++ as
 * RFC 9406 writes it (the delay increase alone, no ack train). */
const csctp_cc_ops csctp_cc_cubic_rfc9406 = {
    .name = "cubic-rfc9406",
    .init = cubic_init,
    .on_ack = cubic_on_ack,
    .on_congestion = cubic_on_congestion,
    .on_rto = cubic_on_rto,
    .on_idle = cubic_on_idle,
    .on_ecn = cubic_on_congestion,
};

const csctp_cc_ops csctp_cc_cubic = {
    .name = "cubic",
    .init = cubic_init,
    .on_ack = cubic_on_ack,
    .on_congestion = cubic_on_congestion,
    .on_rto = cubic_on_rto,
    .on_idle = cubic_on_idle,
    .on_ecn = cubic_on_congestion, /* 4.6: ECE reduces as a loss */
};
