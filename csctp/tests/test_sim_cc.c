/* test_sim_cc.c -- congestion controllers (cc.h) in the network simulator:
 * two associations through one shared bottleneck (sim_hook_bottleneck),
 * and a single one on a loss-free path with a short queue.
 *
 *   test_sim_cc              every scenario (fixed seeds)
 *   test_sim_cc --run SUBSTR only the scenarios whose name contains it
 *   test_sim_cc --table      print the per-second shares as well
 *   test_sim_cc --grid       slow start on a grid of rates and queues, no
 *                            checks
 *   test_sim_cc --fair-seeds N [FIRST] [short|long] [SECS]
 *                            two-CUBIC shares over many seeds, no checks
 *   CC_TRACE=1               cwnd per second in the shared-bottleneck runs;
 *                            per 5 ms of slow start the queueing delay
 *                            packets met (what RTT samples carry)
 *   CC_TRACE=2               the same, and every congestion event of the
 *                            shared-bottleneck runs (sampled per 10 ms):
 *                            cwnd before it, the new ssthresh, the W_max
 *                            and K that RFC 9438 4.6/4.7 and Figure 2 give
 *                            for the next epoch, time since the last one
 *   CC_CUBIC_AS=N            runs of CSCTP_CC_CUBIC use controller N (e.g.
 *                            3, CSCTP_CC_CUBIC_RFC9406) instead: the same
 *                            scenarios with the other slow start
 *   CC_PACING=1              the senders pace (CSCTP_PACING_ON)
 *   CC_TOGETHER=1            B starts 0.3-0.4 s after A instead of 10-11 s:
 *                            the shares' spread with nothing to converge
 *   CC_TABLE=1               --table for --fair-seeds too
 *
 * Scenarios (issue 16):
 *   - two CUBIC associations: each gets 40-60 % of the bottleneck within
 *     30 s of the second one starting (RFC 9438 4.7's fast convergence is
 *     what makes the older one yield);
 *   - CUBIC beside RFC 9260's controller, either one started first: the
 *     RFC 9260 association keeps at least 30 % (RFC 9438 4.3, the
 *     Reno-friendly region);
 *   - no starvation: after the newcomer's start-up, every 2 s window gives
 *     each association at least 5 % of the bottleneck;
 *   - slow start on a loss-free 20 ms path whose queue holds a quarter of,
 *     one or two bandwidth-delay products: retransmissions of the slow-start
 *     overshoot, CUBIC's slow start (HyStart++ with the ack train), HyStart++
 *     alone (RFC 9406) and RFC 9260's slow start.
 */
#include "cc.h"
#include "sim.h"
#include "test.h"

#include <stdlib.h>

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS

static int table;
static const char *only;
static char run_name[160];

static int selected(const char *name) { return !only || strstr(name, only); }

static void name_run(const char *name, uint64_t seed) {
  snprintf(run_name, sizeof run_name, "scenario=%s seed=0x%llx", name,
           (unsigned long long)seed);
  test_cur_name_ = run_name;
}

static sim_node *sender(sim *s, const char *name, uint32_t ip, uint32_t cc) {
  csctp_settings cs;
  csctp_settings_default(&cs);
  cs.cc = cc;
  if (cc == CSCTP_CC_CUBIC && getenv("CC_CUBIC_AS")) /* diagnostics */
    cs.cc = (uint32_t)atoi(getenv("CC_CUBIC_AS"));
  if (getenv("CC_PACING")) /* diagnostics */
    cs.pacing = CSCTP_PACING_ON;
  cs.sndbuf = 4u << 20;
  cs.rcvbuf = 4u << 20;
  return sim_node_add(s, name, ip, 4000, &cs);
}

static sim_node *receiver(sim *s, const char *name, uint32_t ip) {
  csctp_settings cs;
  csctp_settings_default(&cs);
  cs.sndbuf = 4u << 20;
  cs.rcvbuf = 4u << 20;
  sim_node *v = sim_node_add(s, name, ip, 5000, &cs);
  sim_node_listen(v, 1);
  return v;
}

/* Links c to v across the bottleneck b (data direction), with a plain
 * return path; one-way delay owd each way. */
static void via_bottleneck(sim *s, sim_node *c, sim_node *v, sim_bottleneck *b,
                           csctp_tstamp owd) {
  sim_link_params lp;
  memset(&lp, 0, sizeof lp);
  lp.delay = owd;
  sim_link *f = sim_link_add(s, &c->addrs[0], &v->addrs[0], &lp);
  f->hook = sim_hook_bottleneck;
  f->hook_data = b;
  /* Up to 1 ms of jitter on the return path: with none, the two senders'
   * packets reach the full queue in a fixed phase and one of them takes
   * most of the drops for ever (the drop-tail phase effect). */
  lp.jitter = MS;
  sim_link_add(s, &v->addrs[0], &c->addrs[0], &lp);
  sim_pair(c, v);
}

static void fill(sim_node *c, size_t n) {
  for (size_t i = 0; i < n; i++)
    sim_flow_add(&c->app.tx, 0, 51, 0, 1200);
}

static const char *cc_name(uint32_t cc) {
  return cc == CSCTP_CC_CUBIC           ? "cubic"
         : cc == CSCTP_CC_CUBIC_RFC9406 ? "cubic-rfc9406"
                                        : "reno";
}

/* CC_TRACE=2: one association's congestion events, seen from outside
 * (csctp_assoc_paths every 10 ms): a new ssthresh below the last sample's
 * cwnd is a reduction. W_max and K are what RFC 9438 says they become
 * (4.7 fast convergence, Figure 2), recomputed here from the observed
 * windows, not read from the controller. */
typedef struct ev_trace {
  const char *who;
  uint32_t cwnd, ssthresh; /* the last sample */
  double w_max;            /* 0: no congestion event yet */
  int64_t last;            /* time of the last event, from B's start */
  int events;
} ev_trace;

static void ev_sample(ev_trace *e, sim_node *n, int64_t t) {
  csctp_path_status ps;
  csctp_assoc_paths(n->ep, n->assoc, &ps, 1);
  if (e->cwnd && ps.ssthresh != e->ssthresh && ps.ssthresh < e->cwnd) {
    double before = e->cwnd, fc = before < e->w_max;
    e->w_max = fc ? before * (1.0 + 0.7) / 2.0 : before; /* RFC 9438 4.7 */
    printf("event t=%.2f %s: cwnd %u -> ssthresh %u, W_max %.0f%s, K %.1f s, "
           "%.1f s since the last\n",
           (double)t / 1e9, e->who, e->cwnd, ps.ssthresh, e->w_max,
           fc ? " (fast convergence)" : "",
           csctp_cubic_k(e->w_max, ps.ssthresh, ps.mtu),
           e->events ? (double)(t - e->last) / 1e9 : 0.0);
    e->last = t;
    e->events++;
  }
  e->cwnd = ps.cwnd;
  e->ssthresh = ps.ssthresh;
}

#define SHARE_MAX 120
/* Seconds from B's start to the end of the shares' 10 s window: 30 (the
 * issue's "within 30 s"); --fair-seeds may set another. */
static int share_secs = 30;

typedef struct share_result {
  double a_share, b_share; /* of the bottleneck's rate, the last 10 s */
  double min_a, min_b;     /* smallest 2 s window share, from second 6 */
  double util;             /* delivered / capacity, the last 10 s */
  int fair_at; /* end (s from B's start) of the first 10 s window in which
                * each has 40-60 % of the link; 0: none */
} share_result;

static int share_fair(double a, double b) {
  return a >= 0.40 && a <= 0.60 && b >= 0.40 && b <= 0.60;
}

/* Association A (controller cc_a) runs alone for 10 s; then B (cc_b)
 * starts. Bottleneck: rate bytes/s, queue one bandwidth-delay product,
 * RTT rtt. Shares are measured from B's start. */
static share_result share_run(const char *name, uint64_t seed, uint32_t cc_a,
                              uint32_t cc_b, uint64_t rate, csctp_tstamp rtt) {
  share_result r;
  memset(&r, 0, sizeof r);
  name_run(name, seed);
  sim *s = sim_new(seed, name);
  sim_bottleneck b;
  memset(&b, 0, sizeof b);
  b.rate = rate;
  b.queue_limit = (uint32_t)((double)rate * ((double)rtt / 1e9));
  sim_node *ca = sender(s, "a", 0x0a000001u, cc_a);
  sim_node *va = receiver(s, "a-recv", 0x0a000002u);
  sim_node *cb = sender(s, "b", 0x0a000003u, cc_b);
  sim_node *vb = receiver(s, "b-recv", 0x0a000004u);
  via_bottleneck(s, ca, va, &b, rtt / 2);
  via_bottleneck(s, cb, vb, &b, rtt / 2);
  /* More than the whole run can carry, for each. */
  size_t n = (size_t)((double)rate * (10 + share_secs + 2) / 1200) + 100;
  fill(ca, n);
  fill(cb, n);
  /* The seed moves B's start by up to 1 s: the phase of A's cycle at
   * which B arrives varies (the links themselves are deterministic). */
  csctp_tstamp start_b = s->now + 10 * SEC + (seed % 1000) * MS;
  if (getenv("CC_TOGETHER")) /* diagnostics: nothing to converge from */
    start_b = s->now + 300 * MS + (seed % 100) * MS;
  cb->app.send_at = start_b;
  CHECK_EQ(sim_connect(ca, va), 0);
  const char *tr = getenv("CC_TRACE");
  int trace_ev = tr && !strcmp(tr, "2");
  ev_trace ea = {.who = "a"}, eb = {.who = "b"};
  for (csctp_tstamp at = s->now; trace_ev && at < start_b - 200 * MS;
       at += 10 * MS) { /* A alone: its W_max when B arrives */
    sim_run_until(s, at, NULL, NULL);
    ev_sample(&ea, ca, (int64_t)at - (int64_t)start_b);
  }
  CHECK_EQ(sim_run_until(s, start_b - 200 * MS, NULL, NULL), 0);
  CHECK_EQ(sim_connect(cb, vb), 0);
  CHECK_EQ(sim_run_until(s, start_b, NULL, NULL), 0);
  uint64_t da[SHARE_MAX + 1], db[SHARE_MAX + 1];
  for (int i = 0; i <= share_secs; i++) {
    for (int j = 1; i > 0 && trace_ev && j <= 100; j++) {
      csctp_tstamp at = start_b + (csctp_tstamp)(i - 1) * SEC + j * 10 * MS;
      sim_run_until(s, at, NULL, NULL);
      ev_sample(&ea, ca, (int64_t)(at - start_b));
      ev_sample(&eb, cb, (int64_t)(at - start_b));
    }
    if (i > 0)
      sim_run_until(s, start_b + (csctp_tstamp)i * SEC, NULL, NULL);
    if (getenv("CC_TRACE")) {
      csctp_path_status pa, pb;
      csctp_assoc_paths(ca->ep, ca->assoc, &pa, 1);
      csctp_assoc_paths(cb->ep, cb->assoc, &pb, 1);
      sim_stats st;
      sim_stats_get(s, &st);
      printf("t=%d a cwnd %u ss %u frx %llu t3 %llu | b cwnd %u ss %u frx %llu "
             "t3 %llu\n",
             i, pa.cwnd, pa.ssthresh,
             (unsigned long long)ca->last_status.fast_retransmits,
             (unsigned long long)ca->last_status.t3_expiries, pb.cwnd,
             pb.ssthresh, (unsigned long long)cb->last_status.fast_retransmits,
             (unsigned long long)cb->last_status.t3_expiries);
    }
    da[i] = ca->app.tx.delivered_bytes;
    db[i] = cb->app.tx.delivered_bytes;
  }
  CHECK(!ca->lost && !cb->lost);
  double cap10 = (double)rate * 10;
  int e = share_secs;
  r.a_share = (double)(da[e] - da[e - 10]) / cap10;
  r.b_share = (double)(db[e] - db[e - 10]) / cap10;
  r.util = r.a_share + r.b_share;
  for (int end = 10; end <= share_secs && !r.fair_at; end++)
    if (share_fair((double)(da[end] - da[end - 10]) / cap10,
                   (double)(db[end] - db[end - 10]) / cap10))
      r.fair_at = end;
  r.min_a = r.min_b = 1;
  for (int i = 6; i + 2 <= share_secs; i++) {
    double xa = (double)(da[i + 2] - da[i]) / ((double)rate * 2);
    double xb = (double)(db[i + 2] - db[i]) / ((double)rate * 2);
    r.min_a = xa < r.min_a ? xa : r.min_a;
    r.min_b = xb < r.min_b ? xb : r.min_b;
  }
  if (table) {
    printf("%s: a=%s b=%s per second (a%% b%%):", name, cc_name(cc_a),
           cc_name(cc_b));
    for (int i = 1; i <= share_secs; i++)
      printf(" %.0f/%.0f", (double)(da[i] - da[i - 1]) * 100 / (double)rate,
             (double)(db[i] - db[i - 1]) * 100 / (double)rate);
    printf("\n");
  }
  printf("sim: scenario=%s a=%s %.1f%% b=%s %.1f%% util %.1f%% min2s a %.1f%% "
         "b %.1f%% 40-60 from %d s bottleneck drops %llu\n",
         name, cc_name(cc_a), r.a_share * 100, cc_name(cc_b), r.b_share * 100,
         r.util * 100, r.min_a * 100, r.min_b * 100, r.fair_at,
         (unsigned long long)b.drops);
  /* Nothing delivered twice, out of order or corrupted. */
  sim_check_delivered(s, ca, 1);
  sim_check_delivered(s, cb, 1);
  CHECK_EQ(sim_free(s), 0);
  return r;
}

/* 10 Mbit/s, 50 ms: a bandwidth-delay product of about 52 packets. */
#define RATE_10M 1250000u

/* Two CUBIC associations, 10 Mbit/s, 50 ms, queue one BDP: issue 16 asks
 * that each gets 40-60 % within 30 s of the second one's start. The pair
 * converges in seconds; what a single 10 s window shows afterwards is
 * noise that no wait removes. Over 24 seeds (--fair-seeds 24 0 short 40,
 * the per-second shares with CC_TABLE=1): the first 10 s window in which
 * each had 40-60 % ended 10-23 s after B's start in 23 runs (one run sat
 * at 63/35 throughout); seconds 20-30 were 40-60 % each in 16, seconds
 * 30-40 in 18, the mean shares 50/47 and 48/50, and a run's 10 s share
 * strayed from an even split by 7.7 and 8.0 points (root mean square).
 * Two associations started together (CC_TOGETHER=1: B 0.3-0.4 s after A,
 * nothing to converge from) stray as far: 22 and 17 of 24 within 40-60 %
 * over seconds 20-30 and 30-40, 5.7 and 7.6 points. Why a pair stays
 * uneven for a while: the drop-tail queue drops the second or third packet
 * of a sack's burst when it is full, i.e. the packets a growing window
 * adds; right after its cut an association is on the steep start of its
 * concave curve (3 C K^2 per second, RFC 9438 4.2, about 1.3 packets per
 * round trip here, against the Reno-friendly estimate's 0.5-1), so the one
 * cut last often overflows the queue again and is cut again (fast
 * convergence, 4.7, lowers its W_max each time). Checked over 8 seeds:
 * every run converges within 30 s (a 10 s window with each at 40-60 %
 * ending by second 30); each at least 30 % over seconds 20-30 (no lasting
 * capture), 85 % of the link used, no starvation; at least half the runs
 * 40-60 % each over seconds 20-30; the mean of each one's shares 45-55 %
 * (neither the incumbent nor the newcomer favoured). */
static void test_cubic_pair_fair(void) {
  double sum_a = 0, sum_b = 0;
  int fair = 0, n = 8;
  for (uint64_t seed = 0; seed < (uint64_t)n; seed++) {
    share_result r =
        share_run("cubic_pair_10M_50ms", 0xcc160000u + seed * 251,
                  CSCTP_CC_CUBIC, CSCTP_CC_CUBIC, RATE_10M, 50 * MS);
    CHECK(r.a_share >= 0.30 && r.b_share >= 0.30);
    CHECK(r.util >= 0.85);
    CHECK(r.min_a >= 0.05 && r.min_b >= 0.05); /* no starvation */
    CHECK(r.fair_at >= 10 && r.fair_at <= 30); /* converged within 30 s */
    fair += share_fair(r.a_share, r.b_share);
    sum_a += r.a_share;
    sum_b += r.b_share;
  }
  printf("sim: cubic_pair_10M_50ms: %d of %d runs 40-60 %%, mean shares a "
         "%.1f%% b %.1f%%\n",
         fair, n, sum_a * 100 / n, sum_b * 100 / n);
  CHECK(2 * fair >= n);
  CHECK(sum_a / n >= 0.45 && sum_a / n <= 0.55);
  CHECK(sum_b / n >= 0.45 && sum_b / n <= 0.55);
}

static void test_cubic_beside_reno(void) {
  /* RFC 9260's controller established, CUBIC joins. */
  share_result r = share_run("reno_then_cubic_10M_50ms", 0xcc161001u,
                             CSCTP_CC_RENO, CSCTP_CC_CUBIC, RATE_10M, 50 * MS);
  CHECK(r.a_share >= 0.30);
  CHECK(r.min_a >= 0.05 && r.min_b >= 0.05);
  CHECK(r.util >= 0.85);
  /* CUBIC established, RFC 9260's controller joins. */
  r = share_run("cubic_then_reno_10M_50ms", 0xcc161002u, CSCTP_CC_CUBIC,
                CSCTP_CC_RENO, RATE_10M, 50 * MS);
  CHECK(r.b_share >= 0.30);
  CHECK(r.min_a >= 0.05 && r.min_b >= 0.05);
  CHECK(r.util >= 0.85);
}

/* A longer path: 20 Mbit/s, 100 ms (a BDP of about 208 packets, queue as
 * much). Two CUBIC associations do not reach 40-60 % within 30 s here, and
 * the controller is not why: over 8 seeds the newcomer got 26-38 % of
 * seconds 20-30 (mean 32 %) with CSCTP_CC_CUBIC (32-45 %, mean 35 %, with
 * CSCTP_CC_CUBIC_RFC9406), 19-48 % with pacing on (CC_PACING=1), and
 * 24-47 % of seconds 50-60 (7 of 8 runs 40-60 %, mean 41 %). CC_TRACE=2
 * logs every congestion event with the W_max and K that RFC 9438 4.7 and
 * Figure 2 give, recomputed from the observed windows: they agree with
 * the controller's own (K to 0.1 s), and test_cc checks the formulas, the
 * new stage's t, K and W_est, fast convergence. What limits convergence
 * is how few congestion events 30 s hold: K = cbrt((W_max - cwnd_epoch) /
 * C) is 4.9-5.3 s for the incumbent and 3.4-4.2 s for the newcomer (mean
 * per run), events come 5.6-8.2 s apart, 4-6 per association in the 30 s
 * (on the 10 Mbit/s, 50 ms pair: K about 3 s, 1.6-2.3 s apart, 13-19
 * events, and that pair converges). The newcomer's slow start meets a
 * queue the incumbent keeps full and ends at its first loss at 43-90 KB
 * (0.7 of it as ssthresh, RFC 9438 4.6), 8-17 % of the sum; each event then
 * moves the shares by a few points, and not always the right way: while the
 * incumbent sits on its plateau near W_max, the newcomer's convex probing
 * overflows the drop-tail queue and takes the loss alone (one run, seconds
 * 20-54: the newcomer 8 events, the incumbent 5). What is checked on 3 seeds:
 * no starvation, the link used, the newcomer at least a quarter in every run
 * and 30 % on average. Open: 40-60 % within 30 s on this path (issue 16 states
 * it for the pair above); RFC 9438 CUBIC gets there in about a minute. */
static void test_cubic_pair_fair_long(void) {
  double sum_b = 0;
  int n = 3;
  for (uint64_t seed = 0; seed < (uint64_t)n; seed++) {
    share_result r =
        share_run("cubic_pair_20M_100ms", 0xcc162001u + seed * 251,
                  CSCTP_CC_CUBIC, CSCTP_CC_CUBIC, 2 * RATE_10M, 100 * MS);
    CHECK(r.b_share >= 0.25);
    CHECK(r.util >= 0.85);
    CHECK(r.min_a >= 0.05 && r.min_b >= 0.05);
    sum_b += r.b_share;
  }
  CHECK(sum_b / n >= 0.30);
}

/* CC_TRACE=1: the bottleneck as slow start sees it, per 5 ms bin: the
 * smallest and largest queueing delay a packet met (what its RTT sample
 * carries above the base RTT), the drops, and cwnd at the bin's end. */
typedef struct ss_trace {
  sim_bottleneck *b;
  csctp_tstamp qmin, qmax;
  uint64_t pkts, drops;
} ss_trace;

static int ss_trace_hook(struct sim *s, sim_link *l, const uint8_t *pkt,
                         size_t len, csctp_tstamp *extra_delay, void *ud) {
  ss_trace *t = ud;
  csctp_tstamp before = *extra_delay;
  int r = sim_hook_bottleneck(s, l, pkt, len, extra_delay, t->b);
  if (r) {
    t->drops++;
    return r;
  }
  csctp_tstamp q = *extra_delay - before;
  t->pkts++;
  if (q < t->qmin)
    t->qmin = q;
  if (q > t->qmax)
    t->qmax = q;
  return 0;
}

static void ss_trace_line(ss_trace *t, sim_node *c, csctp_tstamp ms) {
  csctp_path_status ps;
  if (csctp_assoc_paths(c->ep, c->assoc, &ps, 1) < 1 || !t->pkts) {
    t->drops = 0;
    return;
  }
  printf("trace t=%4llu ms cwnd %7u ssthresh %10u flight %7u srtt %.2f ms | "
         "pkts %3llu queue delay min %.2f max %.2f ms drops %llu\n",
         (unsigned long long)ms, ps.cwnd, ps.ssthresh, ps.flight_size,
         (double)ps.srtt / 1e6, (unsigned long long)t->pkts,
         (double)t->qmin / 1e6, (double)t->qmax / 1e6,
         (unsigned long long)t->drops);
  t->pkts = t->drops = 0;
  t->qmin = CSCTP_TSTAMP_NEVER;
  t->qmax = 0;
}

typedef struct ss_result {
  uint64_t retx, t3, drops, pkts;
  uint64_t ss_retx; /* retransmitted up to 2 RTTs after slow start */
  int ss_done;
  double exit_ms;  /* when slow start ended */
  double mbytes_s; /* delivered over the run */
  uint32_t ssthresh;
} ss_result;

/* One association on a loss-free 20 ms path at rate bytes/s whose queue
 * holds a quarter of the bandwidth-delay product; runs secs seconds. */
static ss_result slow_start_run(const char *name, uint64_t seed, uint32_t cc,
                                uint64_t rate, int secs, double qbdp) {
  ss_result r;
  memset(&r, 0, sizeof r);
  name_run(name, seed);
  sim *s = sim_new(seed, name);
  csctp_tstamp rtt = 20 * MS;
  sim_bottleneck b;
  memset(&b, 0, sizeof b);
  b.rate = rate;
  b.queue_limit = (uint32_t)((double)rate * ((double)rtt / 1e9) * qbdp);
  sim_node *c = sender(s, "c", 0x0a000001u, cc);
  sim_node *v = receiver(s, "v", 0x0a000002u);
  via_bottleneck(s, c, v, &b, rtt / 2);
  ss_trace tr = {.b = &b, .qmin = CSCTP_TSTAMP_NEVER};
  int trace = getenv("CC_TRACE") != NULL;
  if (trace) {
    sim_link *f = sim_link_find(s, &c->addrs[0], &v->addrs[0]);
    f->hook = ss_trace_hook;
    f->hook_data = &tr;
  }
  fill(c, (size_t)((double)rate * secs / 1200) + 100);
  CHECK_EQ(sim_connect(c, v), 0);
  csctp_tstamp t0 = s->now, t_exit = 0;
  sim_stats st;
  /* Slow start lasts while ssthresh is still "arbitrarily high" (RFC 9260
   * 7.2.1); its loss burst is what is retransmitted up to two RTTs after
   * it ended (the losses of the last round are found within one). */
  for (csctp_tstamp t = t0 + MS; t <= t0 + (csctp_tstamp)secs * SEC; t += MS) {
    sim_run_until(s, t, NULL, NULL);
    if (trace && (t - t0) % (5 * MS) == 0 && t - t0 <= 600 * MS)
      ss_trace_line(&tr, c, (t - t0) / MS);
    csctp_path_status ps;
    if (!t_exit && csctp_assoc_paths(c->ep, c->assoc, &ps, 1) >= 1 &&
        ps.ssthresh != UINT32_MAX) {
      t_exit = s->now;
      r.exit_ms = (double)(t_exit - t0) / 1e6;
    }
    if (t_exit && !r.ss_done && s->now >= t_exit + 2 * rtt) {
      sim_stats_get(s, &st);
      r.ss_retx = c->last_status.retransmits;
      r.ss_done = 1;
    }
  }
  CHECK(!c->lost);
  CHECK(r.ss_done); /* slow start ended within the run */
  sim_stats_get(s, &st);
  r.pkts = c->last_status.pkts_out;
  r.retx = c->last_status.retransmits;
  r.t3 = c->last_status.t3_expiries;
  r.drops = b.drops;
  r.mbytes_s = (double)c->app.tx.delivered_bytes / secs / 1e6;
  csctp_path_status ps;
  if (csctp_assoc_paths(c->ep, c->assoc, &ps, 1) >= 1)
    r.ssthresh = ps.ssthresh;
  printf("sim: scenario=%s cc=%s slow start ended at %.0f ms, "
         "retransmissions in slow start %llu; ssthresh %u retransmissions %llu "
         "t3 %llu queue drops "
         "%llu goodput %.2f MB/s (link %.2f) queue max %llu of %u\n",
         name, cc_name(cc), r.exit_ms, (unsigned long long)r.ss_retx,
         r.ssthresh, (unsigned long long)r.retx, (unsigned long long)r.t3,
         (unsigned long long)r.drops, r.mbytes_s, (double)rate / 1e6,
         (unsigned long long)b.max_queued, b.queue_limit);
  sim_check_delivered(s, c, 1);
  CHECK_EQ(sim_free(s), 0);
  return r;
}

/* The case: 100 Mbit/s, 20 ms, queue a quarter of the BDP (62.5 KB;
 * its first row had 281 retransmissions from the slow-start overshoot).
 * RFC 9406 4.2's delay increase alone cannot see this queue fill: an
 * ack-clocked slow start sends 1.5 packets per packet acknowledged back to
 * back (a SACK per two packets, cwnd + 1 MTU per SACK, RFC 9260 7.2.1), so
 * each round's burst queues a third of itself and the queue drains before
 * the next round: the first packets of every round see the base RTT, the
 * round's minimum RTT never rises by RttThresh (4 ms at 20 ms, RFC 9406
 * 4.3), and the 5 ms queue overflows at a cwnd of about three quarters of
 * the BDP (CC_TRACE=1 shows it). So CSCTP_CC_CUBIC_RFC9406 (HyStart++ as
 * written) ends slow start by loss, as RFC 9260's slow start does.
 * CSCTP_CC_CUBIC also ends standard slow start on the ack train (rate x
 * minimum RTT = the BDP, at half of it; RFC 9438 4.10, hybrid slow start)
 * and enters CSS (RFC 9406 4.2), which ends by the BDP: no slow-start loss
 * burst. "No burst": at most 3 retransmissions up to two RTTs after slow
 * start ended (RFC 9406 4.2 ends slow start on the first loss, so a loss
 * or two at its end is HyStart++ doing its job; a burst is tens). Nor a
 * crawl: slow start ends in time and goodput stays near the link. */
static void test_hystart_quarter_bdp(void) {
  ss_result reno =
      slow_start_run("slow_start_reno_100M_20ms_qbdp4", 0xcc163001u,
                     CSCTP_CC_RENO, 12500000u, 3, 0.25);
  ss_result plain =
      slow_start_run("slow_start_cubic_rfc9406_100M_20ms_qbdp4", 0xcc163001u,
                     CSCTP_CC_CUBIC_RFC9406, 12500000u, 3, 0.25);
  ss_result cubic =
      slow_start_run("slow_start_cubic_100M_20ms_qbdp4", 0xcc163001u,
                     CSCTP_CC_CUBIC, 12500000u, 3, 0.25);
  CHECK(reno.ss_retx > 10);  /* the overshoot exists */
  CHECK(plain.ss_retx > 10); /* the delay increase alone misses it */
  CHECK_EQ(cubic.t3, 0);
  CHECK(cubic.ss_retx <= 3);
  CHECK(cubic.exit_ms < 500); /* slow start ended near the BDP in time */
  CHECK(cubic.mbytes_s >= 0.8 * 12.5);
}

/* The same on other seeds and two other rates (50 and 200 Mbit/s), each
 * with a quarter-BDP queue at 20 ms: the ack train is read from the
 * bottleneck's spacing, whatever its rate. */
static void test_hystart_quarter_bdp_rates(void) {
  static const uint64_t rates[] = {6250000u, 12500000u, 25000000u};
  for (size_t k = 0; k < 3; k++) {
    ss_result cubic =
        slow_start_run("slow_start_cubic_20ms_qbdp4_rates", 0xcc165001u + k,
                       CSCTP_CC_CUBIC, rates[k], 2, 0.25);
    CHECK_EQ(cubic.t3, 0);
    CHECK(cubic.ss_retx <= 3);
    CHECK(cubic.exit_ms < 500);
  }
}

/* With a queue of one and two BDPs, the delay increase shows while the
 * queue still has room: HyStart++ enters Conservative Slow Start and the
 * slow-start loss burst shrinks to well under half of RFC 9260's slow
 * start (measured: 73 against 243, 130 against 343); with the ack train
 * (CSCTP_CC_CUBIC) there is none: slow start ends by the BDP. */
static void test_hystart_deep_queue(void) {
  static const struct {
    uint64_t rate;
    double q;
  } cases[] = {{12500000u, 1.0}, {25000000u, 2.0}};
  for (size_t k = 0; k < 2; k++) {
    ss_result reno =
        slow_start_run("slow_start_reno_20ms_deep", 0xcc164001u + k,
                       CSCTP_CC_RENO, cases[k].rate, 2, cases[k].q);
    ss_result plain =
        slow_start_run("slow_start_cubic_rfc9406_20ms_deep", 0xcc164001u + k,
                       CSCTP_CC_CUBIC_RFC9406, cases[k].rate, 2, cases[k].q);
    CHECK(reno.ss_retx > 0); /* the overshoot exists */
    ss_result cubic =
        slow_start_run("slow_start_cubic_20ms_deep", 0xcc164001u + k,
                       CSCTP_CC_CUBIC, cases[k].rate, 2, cases[k].q);
    CHECK(plain.ss_retx * 2 <= reno.ss_retx);
    CHECK_EQ(plain.t3, 0);
    CHECK_EQ(cubic.ss_retx, 0);
    CHECK_EQ(cubic.t3, 0);
  }
}

static void probe_grid(void) {
  const double qs[] = {1.0, 1.5, 2.0};
  const uint64_t rates[] = {2500000u, 12500000u, 25000000u};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (uint32_t cc = 0; cc < 2; cc++)
        slow_start_run("grid", 0x77, cc, rates[j], 3, qs[i]);
}

/* --fair-seeds N [FIRST] [short|long] [SECS]: the two-CUBIC shares on
 * seeds FIRST..N-1 of the 10 Mbit/s, 50 ms path (with "long": the
 * 20 Mbit/s, 100 ms one), over the 10 s up to SECS (30) after B's start;
 * no checks: how seed-sensitive the fixed seeds' checks are. */
static void probe_fair_seeds(int n, int first, int lng) {
  for (int i = first; i < n; i++) {
    if (!lng)
      share_run("seeds_cubic_pair_10M_50ms", 0xcc160000u + (uint64_t)i * 251,
                CSCTP_CC_CUBIC, CSCTP_CC_CUBIC, RATE_10M, 50 * MS);
    else
      share_run("seeds_cubic_pair_20M_100ms", 0xcc162001u + (uint64_t)i * 251,
                CSCTP_CC_CUBIC, CSCTP_CC_CUBIC, 2 * RATE_10M, 100 * MS);
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--grid")) {
    probe_grid();
    return 0;
  }
  if (getenv("CC_TABLE"))
    table = 1;
  if (argc > 2 && !strcmp(argv[1], "--fair-seeds")) {
    if (argc > 5)
      share_secs = atoi(argv[5]);
    if (share_secs < 10 || share_secs > SHARE_MAX)
      share_secs = 30;
    probe_fair_seeds(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0,
                     argc > 4 && !strcmp(argv[4], "long"));
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--table"))
      table = 1;
    else if (!strcmp(argv[i], "--run") && i + 1 < argc)
      only = argv[++i];
  }
  if (selected("hystart")) {
    TEST_RUN(test_hystart_quarter_bdp);
    TEST_RUN(test_hystart_quarter_bdp_rates);
    TEST_RUN(test_hystart_deep_queue);
  }
  if (selected("cubic_pair_fair"))
    TEST_RUN(test_cubic_pair_fair);
  if (selected("beside_reno"))
    TEST_RUN(test_cubic_beside_reno);
  if (selected("long"))
    TEST_RUN(test_cubic_pair_fair_long);
  return TEST_SUMMARY();
}
