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

void csctp_addr_set_conn(csctp_addr *a, void *handle) {
  memset(a, 0, sizeof(*a));
  a->family = CSCTP_AF_CONN;
  memcpy(a->ip, &handle, sizeof(handle));
}

void *csctp_addr_conn_handle(const csctp_addr *a) {
  void *h = NULL;
  if (a && a->family == CSCTP_AF_CONN)
    memcpy(&h, a->ip, sizeof(h));
  return h;
}

void csctp_path_init(csctp_path *p, const csctp_addr *a,
                     const csctp_settings *s, csctp_tstamp now) {
  csctp_addr addr = *a; /* a may point into p */
  memset(p, 0, sizeof(*p));
  p->addr = addr;
  p->state = CSCTP_PATH_ACTIVE;
  csctp_pmtud_init(&p->pmtud, s->pmtu, s->pmtud != 0);
  p->mtu = p->pmtud.plpmtu;
  p->rto = s->rto_initial; /* 6.3.1 C1 */
  p->t3 = CSCTP_TSTAMP_NEVER;
  p->hb_due = CSCTP_TSTAMP_NEVER;
  p->last_send = now;
  p->cc = csctp_cc_ops_for(s->cc);
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

void csctp_cc_reset(csctp_path *p) {
  if (!p->cc)
    p->cc = &csctp_cc_reno;
  p->cc->init(p);
}

void csctp_cc_select(csctp_path *p, uint32_t algo) {
  const csctp_cc_ops *ops = csctp_cc_ops_for(algo);
  if (p->cc == ops)
    return;
  uint32_t cwnd = p->cwnd, ssthresh = p->ssthresh;
  p->cc = ops;
  ops->init(p);
  if (p->measured || ssthresh != UINT32_MAX) { /* already under way */
    p->cwnd = cwnd;
    p->ssthresh = ssthresh;
  }
}

void csctp_cc_on_ack_ev(csctp_path *p, const csctp_cc_ack *a) {
  if (a->bytes_acked > 0)
    p->cc->on_ack(p, a);
}

void csctp_cc_on_ack(csctp_path *p, uint32_t bytes_acked, int cum_advanced,
                     int cwnd_was_full, int in_fast_recovery) {
  csctp_cc_ack a;
  memset(&a, 0, sizeof(a));
  a.bytes_acked = bytes_acked;
  a.cum_advanced = cum_advanced;
  a.cwnd_was_full = cwnd_was_full;
  a.in_fast_recovery = in_fast_recovery;
  csctp_cc_on_ack_ev(p, &a);
}

void csctp_cc_on_fast_rtx(csctp_path *p) { p->cc->on_congestion(p); }

void csctp_cc_on_t3(csctp_path *p) { p->cc->on_rto(p); }

void csctp_cc_on_idle(csctp_path *p, csctp_tstamp now) {
  p->cc->on_idle(p, now);
}
