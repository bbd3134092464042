/* path.c -- per-destination RTO and congestion control (RFC 9260 6.3, 7.2).
 */
#include "config.h"

#include "path.h"

#include <string.h>

int csctp_addr_equal(const csctp_addr *a, const csctp_addr *b) {
  if (a->family != b->family)
    return 0;
  if (a->family == CSCTP_AF_INET)
    return memcmp(a->ip, b->ip, 4) == 0;
  return memcmp(a->ip, b->ip, 16) == 0 && a->scope_id == b->scope_id;
}

void csctp_path_init(csctp_path *p, const csctp_addr *a,
                     const csctp_settings *s, csctp_tstamp now) {
  csctp_addr addr = *a; /* a may point into p */
  memset(p, 0, sizeof(*p));
  p->addr = addr;
  p->state = CSCTP_PATH_ACTIVE;
  p->mtu = s->pmtu;
  p->rto = s->rto_initial; /* 6.3.1 C1 */
  p->t3 = CSCTP_TSTAMP_NEVER;
  p->hb_due = CSCTP_TSTAMP_NEVER;
  p->last_send = now;
  csctp_cc_reset(p);
}

static csctp_tstamp path_clamp_rto(csctp_tstamp rto, const csctp_settings *s) {
  if (rto < s->rto_min)
    return s->rto_min; /* 6.3.1 C6 */
  if (rto > s->rto_max)
    return s->rto_max; /* 6.3.1 C7 */
  return rto;
}

void csctp_path_rtt_sample(csctp_path *p, const csctp_settings *s,
                           csctp_tstamp r) {
  if (!p->measured) { /* 6.3.1 C2 */
    p->srtt = r;
    p->rttvar = r / 2;
    p->measured = 1;
  } else { /* 6.3.1 C3: beta first, with the old SRTT */
    csctp_tstamp diff = p->srtt > r ? p->srtt - r : r - p->srtt;
    p->rttvar = p->rttvar - (p->rttvar >> s->rto_beta_shift) +
                (diff >> s->rto_beta_shift);
    p->srtt =
        p->srtt - (p->srtt >> s->rto_alpha_shift) + (r >> s->rto_alpha_shift);
  }
  /* 6.3.1 G: a clock granularity of 1 ms keeps RTTVAR from reaching 0. */
  csctp_tstamp var4 = 4 * p->rttvar;
  if (var4 < CSCTP_MILLISECONDS)
    var4 = CSCTP_MILLISECONDS;
  p->rto = path_clamp_rto(p->srtt + var4, s);
}

void csctp_path_backoff(csctp_path *p, const csctp_settings *s) {
  p->rto = path_clamp_rto(p->rto * 2, s);
}

/* 7.2.1: initial cwnd = min(4*MTU, max(2*MTU, 4404)), 4344 for IPv6. */
void csctp_cc_reset(csctp_path *p) {
  uint32_t two = 2 * p->mtu, four = 4 * p->mtu;
  uint32_t floor = p->addr.family == CSCTP_AF_INET6 ? 4344 : 4404;
  uint32_t w = two > floor ? two : floor;
  p->cwnd = w < four ? w : four;
  p->ssthresh = UINT32_MAX; /* "arbitrarily high" (7.2.1) */
  p->pba = 0;
}

void csctp_cc_on_ack(csctp_path *p, uint32_t bytes_acked, int cum_advanced,
                     int cwnd_was_full, int in_fast_recovery) {
  if (bytes_acked == 0)
    return;
  if (p->cwnd <= p->ssthresh) {
    /* 7.2.1: slow start grows by at most one MTU (L = 1) per SACK that
     * advances the cumulative ack while cwnd was in use, outside fast
     * recovery. */
    if (cum_advanced && cwnd_was_full && !in_fast_recovery)
      p->cwnd += bytes_acked < p->mtu ? bytes_acked : p->mtu;
    return;
  }
  /* 7.2.2: congestion avoidance, one MTU per cwnd of acknowledged data;
   * an underused window does not bank credit beyond cwnd. */
  p->pba += bytes_acked;
  if (!cwnd_was_full && p->pba > p->cwnd)
    p->pba = p->cwnd;
  if (p->pba >= p->cwnd && cwnd_was_full && cum_advanced) {
    p->pba -= p->cwnd;
    p->cwnd += p->mtu;
  }
}

static uint32_t path_half_cwnd(const csctp_path *p) {
  uint32_t half = p->cwnd / 2, four = 4 * p->mtu;
  return half > four ? half : four;
}

/* 7.2.3 / 7.2.4: loss detected by gap reports. */
void csctp_cc_on_fast_rtx(csctp_path *p) {
  p->ssthresh = path_half_cwnd(p);
  p->cwnd = p->ssthresh;
  p->pba = 0;
}

/* 7.2.3: loss detected by T3-rtx. */
void csctp_cc_on_t3(csctp_path *p) {
  p->ssthresh = path_half_cwnd(p);
  p->cwnd = p->mtu;
  p->pba = 0;
}

/* 7.2.1: halve cwnd (down to 4 MTU) for every RTO the path was idle. */
void csctp_cc_on_idle(csctp_path *p, csctp_tstamp now) {
  if (p->flight > 0 || p->rto == 0 || now <= p->last_send + p->rto)
    return;
  if (p->ssthresh > p->cwnd)
    p->ssthresh = p->cwnd; /* 7.2.1: before the first adjustment */
  while (now > p->last_send + p->rto && p->cwnd > 4 * p->mtu) {
    p->cwnd = path_half_cwnd(p);
    p->last_send += p->rto;
  }
}
