/* recovery.c -- RACK-TLP loss detection for SCTP (RFC 8985 adapted; see
 * recovery.h for the algorithm and where it departs from RFC 9260). */
#include "config.h"

#include "recovery.h"

#include "tsn.h"

#include <string.h>

/* A minimum RTT older than this is refreshed by the next sample (RFC 8985
 * 6.2 keeps a windowed minimum). */
#define RECOVERY_MIN_RTT_WINDOW (10 * CSCTP_SECONDS)
#define RECOVERY_REO_MULT_MAX 16
#define RECOVERY_REO_PERSIST 16
/* A chunk RACK has had resent this many times and that is still lost is
 * left to T3-rtx and its backoff: a path that drops this one chunk (or
 * every packet it leads, as a policer of small packets would) must not
 * draw a retransmission every round trip for ever. */
#define RECOVERY_MAX_RESENDS 3
/* Miss indications that mark a chunk once reordering was seen. */
#define RECOVERY_REORDER_MISSES 255

void csctp_recovery_init(csctp_recovery *r) {
  memset(r, 0, sizeof(*r));
  r->reo_mult = 1;
  r->rtt_since_probe = 1; /* no probe yet */
  r->timer = CSCTP_TSTAMP_NEVER;
  r->pto = CSCTP_TSTAMP_NEVER;
}

static void recovery_update_min_rtt(csctp_recovery *r, csctp_tstamp sample,
                                    csctp_tstamp now) {
  if (sample == 0)
    return;
  if (r->min_rtt == 0 || sample <= r->min_rtt ||
      now - r->min_rtt_at > RECOVERY_MIN_RTT_WINDOW) {
    r->min_rtt = sample;
    r->min_rtt_at = now;
  }
}

/* RFC 8985 6.2 step 4 (DSACK-based adaptation): the peer says a
 * retransmission was a duplicate, so the reordering window was too small. */
static void recovery_on_spurious(csctp_recovery *r) {
  if (r->reo_mult < RECOVERY_REO_MULT_MAX)
    r->reo_mult++;
  r->reo_persist = RECOVERY_REO_PERSIST;
}

static int recovery_dup_listed(const uint32_t *dups, size_t ndups,
                               uint32_t tsn) {
  for (size_t i = 0; i < ndups; i++)
    if (dups[i] == tsn)
      return 1;
  return 0;
}

int csctp_recovery_on_sack(csctp_recovery *r, const csctp_sack_result *res,
                           const csctp_sendq *q, const uint32_t *dups,
                           size_t ndups, csctp_tstamp now) {
  if (ndups > 0)
    recovery_on_spurious(r);
  recovery_update_min_rtt(r, res->min_rtt_sample, now);
  if (res->min_rtt_sample)
    r->rtt_since_probe = 1;
  if (res->rack_have && (!r->have_rack || res->rack_sent_at > r->rack_xmit ||
                         (res->rack_sent_at == r->rack_xmit &&
                          csctp_tsn_gt(res->rack_seq, r->rack_seq)))) {
    r->have_rack = 1;
    r->rack_xmit = res->rack_sent_at;
    r->rack_tsn = res->rack_tsn;
    r->rack_seq = res->rack_seq;
    r->rack_rtt = res->rack_rtt;
  }
  if (!r->probe_out || !res->new_acked)
    return 0;
  /* RFC 8985 7.4: the probe episode ends with an ack of new data. A
   * retransmitted probe acknowledged without being reported as a duplicate
   * was the only copy to arrive: a loss was repaired. */
  r->probe_out = 0;
  int repaired = r->probe_rtx && csctp_sendq_acked(q, r->probe_tsn) &&
                 !recovery_dup_listed(dups, ndups, r->probe_tsn);
  r->probe_rtx = 0;
  return repaired;
}

static csctp_tstamp recovery_reo_wnd(const csctp_recovery *r,
                                     csctp_tstamp srtt) {
  csctp_tstamp w = r->min_rtt / 4 * r->reo_mult;
  if (srtt > 0 && w > srtt)
    w = srtt;
  return w;
}

/* RFC 8985 6.2: was c sent before the chunk RACK remembers? Equal times
 * (one step of the caller sends many packets at one `now`) are ordered by
 * transmission, not by TSN: a retransmission of a low TSN leaves after new
 * data of the same step. csctp_tsn_* compare the wrapping counters. */
static int recovery_sent_before(const csctp_recovery *r,
                                const csctp_chunk_out *c) {
  return c->sent_at < r->rack_xmit ||
         (c->sent_at == r->rack_xmit && csctp_tsn_lt(c->xmit_seq, r->rack_seq));
}

void csctp_recovery_detect(csctp_recovery *r, csctp_sendq *q, csctp_path *paths,
                           csctp_tstamp srtt, csctp_tstamp now,
                           csctp_sack_result *res) {
  r->timer = CSCTP_TSTAMP_NEVER;
  /* Once the peer reported a retransmission as a duplicate, packets are
   * being reordered: three miss indications prove nothing then, and only
   * the time rule (with its wider window) marks losses. */
  q->miss_threshold = r->reo_mult > 1 ? RECOVERY_REORDER_MISSES : 3;
  if (!r->have_rack)
    return;
  csctp_tstamp reo = recovery_reo_wnd(r, srtt);
  int marked = 0;
  for (csctp_chunk_out *c = q->out; c; c = c->next) {
    /* First copies leave in TSN order and a resent chunk left after its
     * first copy: past the first never-resent chunk sent after RACK's,
     * every chunk was sent after it. */
    if (c->tx_count == 1 && !recovery_sent_before(r, c))
      break;
    if (c->state != CSCTP_OUT_INFLIGHT || !recovery_sent_before(r, c) ||
        c->tx_count > RECOVERY_MAX_RESENDS)
      continue;
    csctp_tstamp due = c->sent_at + r->rack_rtt + reo;
    if (due <= now) {
      if (c->tx_count > 1) {
        res->rtx_lost_path[c->path] = 1;
        if (c->sent_at > res->rtx_lost_sent_at)
          res->rtx_lost_sent_at = c->sent_at;
      }
      csctp_sendq_mark_lost(q, paths, c, res);
      res->rack_lost++;
      marked = 1;
    } else if (due < r->timer) {
      r->timer = due;
    }
  }
  if (marked && r->reo_persist > 0 && --r->reo_persist == 0)
    r->reo_mult = 1;
}

void csctp_recovery_arm_pto(csctp_recovery *r, const csctp_path *p,
                            uint32_t flight_pkts, int recovering,
                            csctp_tstamp now) {
  r->pto = CSCTP_TSTAMP_NEVER;
  /* RFC 8985 7.3: one probe at a time, and an RTT sample since the last
   * one (else the probe could not be sent when the timer fires). */
  if (flight_pkts == 0 || recovering || r->probe_out || r->probe_due ||
      !r->rtt_since_probe || !p->measured)
    return;
  csctp_tstamp pto = 2 * p->srtt;
  if (flight_pkts == 1)
    pto += CSCTP_TLP_MAX_ACK_DELAY;
  if (pto < CSCTP_TLP_MIN)
    pto = CSCTP_TLP_MIN;
  r->pto = now + pto;
  if (p->t3 != CSCTP_TSTAMP_NEVER && r->pto > p->t3)
    r->pto = p->t3; /* 7.2: the probe replaces the first T3-rtx expiry */
}

csctp_tstamp csctp_recovery_expiry(const csctp_recovery *r) {
  return r->timer < r->pto ? r->timer : r->pto;
}

csctp_chunk_out *csctp_recovery_probe_rtx(csctp_recovery *r, csctp_sendq *q,
                                          csctp_path *paths) {
  csctp_chunk_out *last = NULL;
  for (csctp_chunk_out *c = q->out; c; c = c->next)
    if (c->state == CSCTP_OUT_INFLIGHT)
      last = c;
  if (!last)
    return NULL;
  csctp_sack_result ignored;
  memset(&ignored, 0, sizeof(ignored));
  uint8_t done = last->fast_rtx_done;
  csctp_sendq_mark_lost(q, paths, last, &ignored);
  last->fast_rtx_done = done; /* a probe is no fast retransmit */
  r->probe_rtx = 1;
  r->probe_tsn = last->tsn;
  return last;
}

void csctp_recovery_on_t3(csctp_recovery *r) {
  r->timer = CSCTP_TSTAMP_NEVER;
  r->pto = CSCTP_TSTAMP_NEVER;
  r->probe_due = 0;
  r->probe_out = 0;
  r->probe_rtx = 0;
}
