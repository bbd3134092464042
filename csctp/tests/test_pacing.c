/* Tests for per-path pacing of DATA (pacing.h): the rate, the quantum, the
 * start rule and the timer, worked out by hand from pacing.h's words
 * (2 * cwnd / SRTT in slow start, 1.2 * cwnd / SRTT after, a quantum of
 * 1 ms at that rate within 2 to 16 MTUs); then a paced association in the
 * simulator, whose pacing timer runs on the engine's injected clock.

 */
#include "config.h"

#include "engine.h"
#include "pacing.h"
#include "path.h"

#include "sim.h"
#include "test.h"

#define MS CSCTP_MILLISECONDS
#define US ((csctp_tstamp)1000)
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC)

static csctp_path mkpath(uint32_t mtu, uint32_t cwnd, uint32_t ssthresh,
                         csctp_tstamp srtt) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.pmtu = mtu;
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 192, a.ip[1] = 0, a.ip[2] = 2, a.ip[3] = 1;
  csctp_path p;
  csctp_path_init(&p, &a, &s, T0);
  p.mtu = mtu;
  p.cwnd = cwnd;
  p.ssthresh = ssthresh;
  p.srtt = srtt;
  p.measured = srtt > 0;
  return p;
}

/* ---- the setting -------------------------------------------------------- */

static void test_setting(void) {
  csctp_path p = mkpath(1200, 100000, UINT32_MAX, 20 * MS);
  CHECK(!csctp_pacing_enabled(&p, CSCTP_PACING_OFF));
  CHECK(csctp_pacing_enabled(&p, CSCTP_PACING_ON));
  csctp_settings s;
  csctp_settings_default(&s);
  CHECK_EQ(s.pacing, CSCTP_PACING_OFF); /* the default: RFC 9260's sending */
  csctp_endpoint *ep = NULL;
  s.pacing = CSCTP_PACING_ON + 1; /* no such value */
  CHECK_EQ(csctp_endpoint_new(&ep, 5000, &s, NULL, NULL, NULL, T0),
           CSCTP_ERR_INVAL);
  s.pacing = CSCTP_PACING_ON;
  CHECK_EQ(csctp_endpoint_new(&ep, 5000, &s, NULL, NULL, NULL, T0), 0);
  csctp_endpoint_del(ep);
}

/* ---- the rate and the quantum ----------------------------------------- */

static void test_rate(void) {
  /* Slow start (cwnd < ssthresh): 2 * 100000 B / 20 ms = 10 MB/s, so
   * 1000 bytes take 100 us. */
  csctp_path p = mkpath(1200, 100000, UINT32_MAX, 20 * MS);
  CHECK_EQ(csctp_pacing_interval(&p, 1000), 100 * US);
  /* After slow start (cwnd >= ssthresh): 1.2 * 100000 B / 20 ms = 6 MB/s,
   * 1200 bytes in 200 us. */
  p.ssthresh = 100000;
  CHECK_EQ(csctp_pacing_interval(&p, 1200), 200 * US);
  /* No RTT measurement yet: no rate, nothing is held. */
  csctp_path q = mkpath(1200, 100000, UINT32_MAX, 0);
  CHECK_EQ(csctp_pacing_interval(&q, 1200), 0);
  CHECK(csctp_pacing_allows(&q, T0));
  csctp_pacing_sent(&q, 1000000, T0);
  CHECK(csctp_pacing_allows(&q, T0));
  CHECK_EQ(csctp_pacing_expiry(&q), CSCTP_TSTAMP_NEVER);
}

static void test_quantum(void) {
  /* 10 MB/s for 1 ms: 10000 bytes, between 2 * 1200 and 16 * 1200. */
  csctp_path p = mkpath(1200, 100000, UINT32_MAX, 20 * MS);
  CHECK_EQ(csctp_pacing_quantum(&p), 10000);
  /* 2 * 4800 B / 100 ms = 96 KB/s: 96 bytes per ms, raised to 2 MTUs. */
  p = mkpath(1200, 4800, UINT32_MAX, 100 * MS);
  CHECK_EQ(csctp_pacing_quantum(&p), 2400);
  /* 2 * 4 MB / 10 ms = 800 MB/s: 800 KB per ms, capped at 16 MTUs. */
  p = mkpath(1200, 4000000, UINT32_MAX, 10 * MS);
  CHECK_EQ(csctp_pacing_quantum(&p), 19200);
}

/* ---- the start rule and the timer -------------------------------------- */

/* From an idle path a quantum (10000 bytes, 1 ms at 10 MB/s) leaves back
 * to back; the packet that starts within it may end past it (RFC 9260 6.1
 * B's rule, at packet start). Then DATA waits, and the timer is set for
 * when the bucket is empty: the bytes sent at the rate. */
static void test_burst_then_wait(void) {
  csctp_path p = mkpath(1000, 100000, UINT32_MAX, 20 * MS);
  csctp_tstamp now = T0;
  int sent = 0;
  while (csctp_pacing_allows(&p, now) && sent < 100) {
    csctp_pacing_sent(&p, 1000, now);
    sent++;
  }
  /* 1000 bytes per 100 us: packets 1..11 start while the schedule is at
   * most 1 ms ahead (the 11th starts at exactly 1 ms ahead). */
  CHECK_EQ(sent, 11);
  CHECK_EQ(csctp_pacing_expiry(&p), T0 + 1100 * US);
  CHECK(p.pace_held);
  /* Not before the timer... */
  CHECK(!csctp_pacing_allows(&p, T0 + 99 * US));
  csctp_pacing_on_timer(&p, T0 + 500 * US);
  CHECK_EQ(csctp_pacing_expiry(&p), T0 + 1100 * US);
  /* ...and at it: another quantum. */
  csctp_pacing_on_timer(&p, T0 + 1100 * US);
  CHECK_EQ(csctp_pacing_expiry(&p), CSCTP_TSTAMP_NEVER);
  now = T0 + 1100 * US;
  sent = 0;
  while (csctp_pacing_allows(&p, now) && sent < 100) {
    csctp_pacing_sent(&p, 1000, now);
    sent++;
  }
  CHECK_EQ(sent, 11);
  /* The hold is reported once to the controller (cwnd in use). */
  CHECK(csctp_pacing_take_held(&p));
  CHECK(!csctp_pacing_take_held(&p));
}

/* Sent whenever allowed, at each wake-up, a long run keeps the rate: N
 * packets take N times the interval, less the one quantum sent ahead. */
static void test_long_run_rate(void) {
  csctp_path p = mkpath(1000, 100000, 50000, 20 * MS); /* 6 MB/s */
  csctp_tstamp now = T0, step = csctp_pacing_interval(&p, 1000);
  CHECK_EQ(step, 166666); /* 1000 B * 20 ms / (1.2 * 100000 B) */
  int n = 0;
  while (n < 6000) {
    if (csctp_pacing_allows(&p, now)) {
      csctp_pacing_sent(&p, 1000, now);
      n++;
      continue;
    }
    now = csctp_pacing_expiry(&p);
    csctp_pacing_on_timer(&p, now);
  }
  /* 6000 packets at 166.666 us: about 1 s, of which the last quantum
   * (6000 bytes at 6 MB/s: 1 ms) went ahead. */
  csctp_tstamp took = now - T0;
  CHECK(took >= 6000 * step - 2 * MS && took <= 6000 * step);
  /* Idle time is not saved up: after 1 s of silence, one quantum again. */
  now += SEC;
  n = 0;
  while (csctp_pacing_allows(&p, now) && n < 100) {
    csctp_pacing_sent(&p, 1000, now);
    n++;
  }
  CHECK_EQ(n, 7); /* 6 ms of packets within the 1 ms quantum, + 1 */
}

/* ---- the simulator ------------------------------------------------------ */

/* Counts DATA packets leaving the sender at one instant of virtual time
 * (back to back), after the first round trips (when the path has its RTT
 * measurement). */
typedef struct burst_count {
  csctp_tstamp t0, bin;
  uint32_t in_bin, max_bin;
  uint64_t pkts;
} burst_count;

static int hook_count(struct sim *s, sim_link *l, const uint8_t *pkt,
                      size_t len, csctp_tstamp *extra_delay, void *ud) {
  burst_count *c = ud;
  (void)l, (void)extra_delay;
  if (len <= 12 || pkt[12] != 0 /* DATA */ || s->now < c->t0)
    return 0;
  csctp_tstamp bin = s->now;
  if (bin != c->bin) {
    c->bin = bin;
    c->in_bin = 0;
  }
  c->pkts++;
  if (++c->in_bin > c->max_bin)
    c->max_bin = c->in_bin;
  return 0;
}

typedef struct paced_result {
  uint32_t max_burst; /* DATA packets sent at one instant */
  double done_ms;     /* when every message was delivered */
  uint64_t retx;
  uint32_t holds; /* ms steps that ended with DATA held by pacing */
  uint32_t timed; /* of those, with the endpoint's expiry by pace_next */
} paced_result;

/* One association, 20 ms RTT, no rate limit on the links (the sender's own
 * sending is all there is to see), 12 MB sent in 1200-byte messages. */
static paced_result paced_run(const char *name, uint32_t pacing) {
  paced_result r;
  memset(&r, 0, sizeof r);
  sim *s = sim_new(0x9ace0001u, name);
  csctp_settings cs;
  csctp_settings_default(&cs);
  cs.cc = CSCTP_CC_CUBIC;
  cs.pacing = pacing;
  cs.sndbuf = 4u << 20;
  cs.rcvbuf = 4u << 20;
  sim_node *c = sim_node_add(s, "c", 0x0a000001u, 4000, &cs);
  cs.pacing = CSCTP_PACING_OFF;
  sim_node *v = sim_node_add(s, "v", 0x0a000002u, 5000, &cs);
  sim_node_listen(v, 1);
  sim_link_params lp;
  memset(&lp, 0, sizeof lp);
  lp.delay = 10 * MS;
  burst_count bc;
  memset(&bc, 0, sizeof bc);
  bc.bin = CSCTP_TSTAMP_NEVER;
  sim_link *f = sim_link_add(s, &c->addrs[0], &v->addrs[0], &lp);
  f->hook = hook_count;
  f->hook_data = &bc;
  sim_link_add(s, &v->addrs[0], &c->addrs[0], &lp);
  sim_pair(c, v);
  const size_t n = 10000;
  for (size_t i = 0; i < n; i++)
    sim_flow_add(&c->app.tx, 0, 51, 0, 1200);
  CHECK_EQ(sim_connect(c, v), 0);
  csctp_tstamp t0 = s->now;
  bc.t0 = t0 + 100 * MS; /* the handshake and first rounds are done */
  for (csctp_tstamp t = t0 + MS; t <= t0 + 10 * SEC; t += MS) {
    sim_run_until(s, t, NULL, NULL);
    csctp_assoc *a = csctp_ep_find(c->ep, c->assoc);
    if (a && a->paths[0].pace_wait) {
      r.holds++;
      if (csctp_endpoint_get_expiry(c->ep) <= a->paths[0].pace_next)
        r.timed++;
    }
    if (c->app.tx.delivered_bytes >= (uint64_t)n * 1200) {
      r.done_ms = (double)(s->now - t0) / 1e6;
      break;
    }
  }
  r.max_burst = bc.max_bin;
  r.retx = c->last_status.retransmits;
  printf("sim: scenario=%s pacing=%u longest DATA burst %u packets, all "
         "delivered at %.0f ms, retransmissions %llu\n",
         name, pacing, r.max_burst, r.done_ms, (unsigned long long)r.retx);
  sim_check_delivered(s, c, 0);
  CHECK_EQ(sim_free(s), 0);
  return r;
}

/* Unpaced, the acks of a round arrive as the round's data left, and each
 * releases the next packets at once: a path without a bottleneck carries
 * whole windows back to back. Paced, what leaves at one instant is what
 * starts within one quantum (16 MTUs of 1452 bytes = 23232 bytes, as the
 * rate is far above 16 MTUs per ms here): the k-th packet starts while the
 * k - 1 before it, 1216 bytes each (16-byte DATA header + 1200, what
 * cwnd counts), are at most 23232 bytes: k - 1 <= 19.1, so 20 packets. The
 * pacing timer (csctp_endpoint_get_expiry, on the simulator's clock) is
 * set whenever DATA is held, and keeps the transfer going: it ends within
 * 1.5 times the unpaced time. */
static void test_sim_paced_bursts(void) {
  paced_result off = paced_run("paced_bursts_off", CSCTP_PACING_OFF);
  paced_result on = paced_run("paced_bursts_on", CSCTP_PACING_ON);
  CHECK(off.max_burst > 20); /* the bursts exist without pacing */
  CHECK(on.max_burst <= 20);
  CHECK(on.done_ms > 0);
  CHECK(on.done_ms <= 1.5 * off.done_ms);
  CHECK_EQ(on.retx, 0);
  /* Held DATA always has the engine's timer set for its turn. */
  CHECK(on.holds > 0);
  CHECK_EQ(on.timed, on.holds);
  CHECK_EQ(off.holds, 0);
}

int main(void) {
  TEST_RUN(test_setting);
  TEST_RUN(test_rate);
  TEST_RUN(test_quantum);
  TEST_RUN(test_burst_then_wait);
  TEST_RUN(test_long_run_rate);
  TEST_RUN(test_sim_paced_bursts);
  return TEST_SUMMARY();
}
