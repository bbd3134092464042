/* cc_reno.c -- RFC 9260 7.2's congestion control (slow start, congestion
 * avoidance, reduction on loss), the default controller; and the helpers
 * every controller shares.
 */
#include "config.h"

#include "cc.h"
#include "path.h"

const csctp_cc_ops *csctp_cc_ops_for(uint32_t algo) {
  /* CSCTP_CC_CUBIC_TRAIN: a synonym of CSCTP_CC_CUBIC, which has its ack
   * train now. */
  if (algo == CSCTP_CC_CUBIC || algo == CSCTP_CC_CUBIC_TRAIN)
    return &csctp_cc_cubic;
  if (algo == CSCTP_CC_CUBIC_RFC9406)
    return &csctp_cc_cubic_rfc9406;
  return &csctp_cc_reno;
}

/* 7.2.1: initial cwnd = min(4*MTU, max(2*MTU, 4404)), 4344 for IPv6. */
void csctp_cc_initial_window(csctp_path *p) {
  uint32_t two = 2 * p->mtu, four = 4 * p->mtu;
  uint32_t floor = p->addr.family == CSCTP_AF_INET6 ? 4344 : 4404;
  uint32_t w = two > floor ? two : floor;
  p->cwnd = w < four ? w : four;
  p->ssthresh = UINT32_MAX; /* "arbitrarily high" (7.2.1) */
  p->pba = 0;
}

static uint32_t reno_half_cwnd(const csctp_path *p) {
  uint32_t half = p->cwnd / 2, four = 4 * p->mtu;
  return half > four ? half : four;
}

/* 7.2.1: halve cwnd (down to 4 MTU) for every RTO the path was idle. */
int csctp_cc_idle_decay(csctp_path *p, csctp_tstamp now) {
  if (p->flight > 0 || p->rto == 0 || now <= p->last_send + p->rto)
    return 0;
  if (p->ssthresh > p->cwnd)
    p->ssthresh = p->cwnd; /* 7.2.1: before the first adjustment */
  while (now > p->last_send + p->rto && p->cwnd > 4 * p->mtu) {
    p->cwnd = reno_half_cwnd(p);
    p->last_send += p->rto;
  }
  return 1;
}

static void reno_init(csctp_path *p) { csctp_cc_initial_window(p); }

static void reno_on_ack(csctp_path *p, const csctp_cc_ack *a) {
  uint32_t bytes_acked = a->bytes_acked;
  if (p->cwnd <= p->ssthresh) {
    /* 7.2.1: slow start grows by at most one MTU (L = 1) per SACK that
     * advances the cumulative ack while cwnd was in use, outside fast
     * recovery. */
    if (a->cum_advanced && a->cwnd_was_full && !a->in_fast_recovery)
      p->cwnd += bytes_acked < p->mtu ? bytes_acked : p->mtu;
    return;
  }
  /* 7.2.2: congestion avoidance, one MTU per cwnd of acknowledged data;
   * an underused window does not bank credit beyond cwnd. */
  p->pba += bytes_acked;
  if (!a->cwnd_was_full && p->pba > p->cwnd)
    p->pba = p->cwnd;
  if (p->pba >= p->cwnd && a->cwnd_was_full && a->cum_advanced) {
    p->pba -= p->cwnd;
    p->cwnd += p->mtu;
  }
}

/* 7.2.3 / 7.2.4: loss detected by gap reports. */
static void reno_on_congestion(csctp_path *p) {
  p->ssthresh = reno_half_cwnd(p);
  p->cwnd = p->ssthresh;
  p->pba = 0;
}

/* 7.2.3: loss detected by T3-rtx. */
static void reno_on_rto(csctp_path *p) {
  p->ssthresh = reno_half_cwnd(p);
  p->cwnd = p->mtu;
  p->pba = 0;
}

static void reno_on_idle(csctp_path *p, csctp_tstamp now) {
  csctp_cc_idle_decay(p, now);
}

const csctp_cc_ops csctp_cc_reno = {
    .name = "reno",
    .init = reno_init,
    .on_ack = reno_on_ack,
    .on_congestion = reno_on_congestion,
    .on_rto = reno_on_rto,
    .on_idle = reno_on_idle,
    .on_ecn = reno_on_congestion, /* RFC 9260 Appendix A: as a loss */
};
