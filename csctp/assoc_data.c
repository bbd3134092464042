/* assoc_data.c -- user data: receiving DATA (RFC 9260 6.2, 6.5, 6.7),
 * acknowledging it, processing SACKs (6.2.1, 7.2), T3-rtx (6.3.3), and the
 * public send / receive calls. */
#include "config.h"

#include "engine.h"
#include "eor.h"
#include "pacing.h"

#include "tsn.h"

#include <string.h>

/* ---- Receiving DATA ---------------------------------------------------- */

/* Receive buffer accounting (RFC 9260 6.2, 6.9).
 *
 * The buffer is charged with every unread byte held plus a bookkeeping cost
 * per fragment (csctp_reasm_charged_bytes); a_rwnd is what is left of
 * rcvbuf. With the buffer full, 6.2 has us drop DATA above the highest TSN
 * received; DATA filling holes below it is still taken, up to twice the
 * buffer.
 *
 * That alone can stall for good. The reader takes messages strictly one
 * after the other (csctp_recv never interleaves two messages), so while the
 * head of the ready queue is a message under partial delivery whose
 * received part was all read, nothing behind it can be read. If what sits
 * behind it (complete messages released by a late hole filler, data held
 * for ordering or reassembly) fills the buffer, the chunk that continues
 * the head is refused, every retransmission of it too, and the window never
 * reopens. A peer that counts user data only against our window (6.2.1 B,
 * as usrsctp, Linux and pion do) gets there easily with small messages,
 * whose per-chunk charge it does not see.
 *
 * Choice: a reserve for the message under partial delivery.
 *  - The chunk that continues the head message (its next TSN) is taken
 *    whatever is queued behind it, as long as the head's own unread part
 *    stays within the reserve: rcvbuf / 4, and at least one of its
 *    fragments plus the per-chunk allowance of our sender.
 *  - a_rwnd is at least what is left of that reserve. The window is then
 *    open, as 6.2 requires for taking a chunk above the highest TSN, and
 *    the peer's next new TSNs are that message's (a message's fragments
 *    have consecutive TSNs, 6.9), so what it sends into the reserve is what
 *    the reader waits for. A read that leaves the reader waiting again
 *    reopens the reserve and is told to the peer at once.
 *  - The lowest hole (cumulative TSN ack + 1, below the highest TSN
 *    received) is taken whatever the charge (up to the hard cap): 6.2 wants
 *    hole fillers taken, and this one advances the cumulative TSN,
 *    releasing what waits for it.
 *    Refusing it while a slow reader still has something to read let gap
 *    -acked data hold twice the buffer and the peer's retransmissions of
 *    that one chunk be refused until its T3 backoff reached minutes.
 * Memory stays bounded: beyond the usual limits only the reserve and the
 * lowest hole's filler are taken; a hard cap (ASSOC_RX_CAP) still bounds a
 * hostile peer.
 *
 * Not chosen: letting the reader take complete messages from behind the
 * partial one interleaves two messages in the reader's byte stream (RFC
 * 6458 fragment interleave level 0, which csctp_recv and the Go Read
 * promise unless the reader chose level 2, csctp_set_fragment_interleave);
 * taking data above the highest TSN with a zero window breaks 6.2; charging
 * user data only would let tiny messages hold memory far beyond rcvbuf. */

/* Hard limit on what the buffer may be charged, reserve included. */
#define ASSOC_RX_CAP(a) (3 * (size_t)(a)->s.rcvbuf + 65536u)

static size_t assoc_pd_reserve(const csctp_assoc *a, size_t frag) {
  size_t min = frag + CSCTP_PEER_CHUNK_OVERHEAD;
  size_t res = a->s.rcvbuf / 4;
  return res > min ? res : min;
}

uint32_t csctp_assoc_local_rwnd(const csctp_assoc *a) {
  size_t rwnd = csctp_assoc_budget_rwnd(a, csctp_assoc_buffer_rwnd(a));
  return rwnd > UINT32_MAX ? UINT32_MAX : (uint32_t)rwnd;
}

size_t csctp_assoc_buffer_rwnd(const csctp_assoc *a) {
  /* I-DATA fragments waiting for their message count too (idata.h) */
  size_t held = csctp_reasm_charged_bytes(&a->rx) + csctp_idata_charged(a);
  size_t rwnd = held >= a->s.rcvbuf ? 0 : a->s.rcvbuf - held;
  size_t floor = csctp_idata_rwnd_floor(a);
  if (floor > rwnd)
    rwnd = floor;
  uint32_t next;
  size_t pd, frag;
  if (held < ASSOC_RX_CAP(a) &&
      csctp_reasm_pd_head(&a->rx, &next, &pd, &frag)) {
    size_t res = assoc_pd_reserve(a, frag);
    if (res > pd && res - pd > rwnd)
      rwnd = res - pd; /* the reserve of the message being read */
  }
  return rwnd;
}

/* 6.2: with a full buffer, new data beyond the highest TSN is dropped;
 * data filling holes below it is still taken, up to twice the buffer.
 * What the reader waits for is taken from the reserve (see above). */
static int assoc_rx_has_room(const csctp_assoc *a, uint32_t tsn, size_t len) {
  size_t held = csctp_reasm_charged_bytes(&a->rx);
  if (held + len <= a->s.rcvbuf)
    return 1;
  if (held + len > ASSOC_RX_CAP(a))
    return 0;
  uint32_t next;
  size_t pd, frag;
  if (csctp_reasm_pd_head(&a->rx, &next, &pd, &frag) && tsn == next &&
      pd + len <= assoc_pd_reserve(a, frag > len ? frag : len))
    return 1; /* continues the message being read */
  if (tsn == csctp_tsnmap_cum(&a->tsn) + 1u &&
      csctp_tsn_lt(tsn, csctp_tsnmap_highest(&a->tsn)))
    return 1; /* the lowest hole: what everything above it waits for */
  if (csctp_tsn_gt(tsn, csctp_tsnmap_highest(&a->tsn)))
    return 0;
  return held + len <= 2 * (size_t)a->s.rcvbuf;
}

static void assoc_note_ready(csctp_assoc *a, int was_ready) {
  if (!was_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a);
}

/* *result: 1 new data, 2 duplicate, 0 dropped. */
void csctp_assoc_on_data(csctp_assoc *a, const csctp_tlv *c, uint8_t path,
                         const csctp_addr *src, int *result) {
  csctp_data d;
  *result = 0;
  if (!a->rx_ready || a->state == CSCTP_STATE_COOKIE_WAIT ||
      csctp_data_decode(c, &d) != 0)
    return;
  a->sack_path = path;
  if (d.flags & CSCTP_DATA_FLAG_I)
    a->sack_now = 1; /* 3.3.1: the I bit */
  if (d.len == 0) {  /* 3.3.1: No User Data */
    uint8_t v[4];
    csctp_put32(v, d.tsn);
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_NO_USER_DATA, v, 4);
    return;
  }
  switch (csctp_tsnmap_classify(&a->tsn, d.tsn)) {
  case CSCTP_TSN_DUP:
    csctp_assoc_note_dup(a, d.tsn); /* 6.2: report it */
    *result = 2;
    return;
  case CSCTP_TSN_OUT_OF_WINDOW:
    a->sack_now = 1;
    return;
  default:
    break;
  }
  if (d.sid >= a->istreams) {
    /* 6.5: acknowledge, report Invalid Stream Identifier, discard. */
    uint8_t v[4] = {0};
    csctp_put16(v, d.sid);
    if (csctp_tsnmap_mark(&a->tsn, d.tsn) == 0) {
      csctp_assoc_queue_error(a, CSCTP_CAUSE_INVALID_STREAM, v, 4);
      a->sack_now = 1;
      *result = 1;
    }
    return;
  }
  if (!assoc_rx_has_room(a, d.tsn, d.len) ||
      !csctp_assoc_budget_admits(a, d.tsn, d.len)) {
    a->sack_now = 1; /* tell the peer the window is shut */
    return;
  }
  int was_ready = csctp_reasm_has_ready(&a->rx);
  int rv = csctp_reasm_add(&a->rx, &d, src);
  if (rv == CSCTP_ERR_PROTO) {
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return;
  }
  if (rv != 0)
    return; /* out of memory: not acknowledged, the peer resends */
  if (csctp_tsnmap_mark(&a->tsn, d.tsn) != 0) {
    /* The payload is held but cannot be acknowledged; taking it again
     * later would deliver it twice, so give up loudly. */
    csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                      0);
    return;
  }
  assoc_note_ready(a, was_ready);
  csctp_assoc_budget_sync(a);
  a->data_chunks_in++;
  *result = 1;
}

void csctp_assoc_note_dup(csctp_assoc *a, uint32_t tsn) {
  csctp_tsnmap_note_dup(&a->tsn, tsn);
  a->dup_tsns_in++;
  if (!a->dup_seen || csctp_tsn_gt(tsn, a->dup_high))
    a->dup_high = tsn;
  a->dup_seen = 1;
}

void csctp_assoc_sack_sent(csctp_assoc *a, uint8_t pi) {
  if (a->sack_any && pi != a->sack_out_path) {
    /* What SACKs covered so far went to another path. */
    a->sack_moved_high = a->sack_high;
    a->sack_moved = 1;
  }
  a->sack_any = 1;
  a->sack_out_path = pi;
  a->sack_high = csctp_tsnmap_highest(&a->tsn);
}

/* 6.4: duplicates only, from a multihomed peer: a SACK that covered them
 * was lost, so the return path it took may be broken. That is the path of
 * our last SACK only if a SACK there was the first to cover one of them;
 * a duplicate of a chunk first acknowledged on a path we have since left
 * (a peer that retransmits a window after a failover sends many before our
 * SACK on the new path reaches it) implicates the old path, which is left
 * already: the SACKs stay where they go (6.4: not varied while the DATA
 * comes from one address). */
static void assoc_dup_moves_sack(csctp_assoc *a) {
  if (a->npaths < 2)
    return;
  if (a->sack_moved && a->dup_seen &&
      !csctp_tsn_gt(a->dup_high, a->sack_moved_high))
    return;
  a->sack_avoid = a->sack_out_path;
}

/* 6.2: SACK every sack_freq packets or after sack_delay; at once on gaps
 * and duplicates (6.7), and when a packet fills the last gap, so that a
 * sender waiting on a retransmission learns at once (as TCP does, RFC 5681
 * 4.2). 9.2: in SHUTDOWN-SENT answer DATA with SHUTDOWN. */
void csctp_assoc_after_data(csctp_assoc *a, int had_new, int dup_only,
                            int gaps_before, csctp_tstamp now) {
  (void)had_new;
  /* 6.4: a packet of duplicates only means our SACK for them was lost:
   * avoid the address that SACK went to. (Not the address the duplicates
   * came from: a peer that lost our SACKs retransmits on another path.) */
  if (dup_only)
    assoc_dup_moves_sack(a);
  a->dup_seen = 0;
  if (dup_only || gaps_before || csctp_tsnmap_has_gaps(&a->tsn))
    a->sack_now = 1;
  if (++a->pkts_unacked >= a->s.sack_freq)
    a->sack_now = 1;
  if (!a->sack_now && a->sack_timer == CSCTP_TSTAMP_NEVER)
    a->sack_timer = now + a->s.sack_delay;
  if (a->state == CSCTP_STATE_SHUTDOWN_SENT) {
    a->send_shutdown = 1;
    a->t2 = now + a->t2_rto;
  }
}

/* ---- SACK processing --------------------------------------------------- */

#define ASSOC_MAX_GAPS_IN 1024
#define ASSOC_MAX_DUPS_IN 64

void csctp_assoc_restart_t3(csctp_assoc *a, uint8_t path, csctp_tstamp now) {
  csctp_path *p = &a->paths[path];
  if (p->t3 == CSCTP_TSTAMP_NEVER)
    p->t3 = now + p->rto; /* 6.3.2 R1 */
}

/* 6.4: SACKs (and the ERRORs answering DATA) go back to the address the
 * DATA came from, so that a primary that is broken toward the peer does not
 * swallow them; when duplicates show that the SACKs sent to an address are
 * lost (the peer resends), another active one is used (6.4's MAY) until
 * something we send there is acknowledged. An address in doubt
 * (potentially failed, RFC 7829) is used only when no active one is left:
 * duplicates also come from the network itself. */
static int assoc_reply_candidate(const csctp_assoc *a, uint8_t pi, int pass) {
  uint32_t st = a->paths[pi].state;
  int avoided = (int)pi == a->sack_avoid;
  switch (pass) {
  case 0:
    return st == CSCTP_PATH_ACTIVE && !avoided;
  case 1:
    return st == CSCTP_PATH_ACTIVE;
  default:
    return st != CSCTP_PATH_INACTIVE && !avoided;
  }
}

uint8_t csctp_assoc_reply_path(const csctp_assoc *a) {
  uint8_t from = a->sack_path < a->npaths ? a->sack_path : a->primary;
  for (int pass = 0; pass < 3; pass++)
    for (uint8_t k = 0; k < a->npaths; k++) {
      uint8_t pi = (uint8_t)((from + k) % a->npaths);
      if (assoc_reply_candidate(a, pi, pass))
        return pi;
    }
  return csctp_assoc_data_path(a);
}

static void assoc_sack_paths(csctp_assoc *a, const csctp_sack_result *res,
                             const uint32_t *flight_before, uint32_t cum_tsn,
                             csctp_tstamp now) {
  for (uint8_t i = 0; i < a->npaths; i++) {
    csctp_path *p = &a->paths[i];
    if (res->acked_bytes[i] > 0) {
      a->error_count = 0; /* 8.3: an ack clears the error counters */
      csctp_assoc_path_ok(a, i);
      csctp_pmtud_on_data_acked(&p->pmtud); /* RFC 8899 4.3 */
      if (res->rtt[i] > 0)
        csctp_path_rtt_sample(p, &a->s, res->rtt[i]);
      int held = csctp_pacing_take_held(p); /* pacing.h */
      csctp_cc_ack ev = {
          .bytes_acked = res->acked_bytes[i],
          .cum_advanced = res->cum_advanced,
          .cwnd_was_full = flight_before[i] + p->mtu >= p->cwnd || held,
          .in_fast_recovery = a->in_fast_recovery,
          .now = now,
          /* HyStart++ wants a sample per SACK (RFC 9406 4.2): RACK's */
          .rtt = res->rack_have ? res->rack_rtt : res->rtt[i],
          .srtt = p->srtt,
          .cum_tsn = cum_tsn,
          .next_tsn = a->sq.next_tsn};
      csctp_cc_on_ack_ev(p, &ev);
    }
    if (!csctp_sendq_path_has_inflight(&a->sq, i))
      p->t3 = CSCTP_TSTAMP_NEVER; /* 6.3.2 R2 */
    else if (res->earliest_acked[i])
      p->t3 = now + p->rto; /* 6.3.2 R3 */
    else if (res->t3_start[i] && p->t3 == CSCTP_TSTAMP_NEVER)
      p->t3 = now + p->rto; /* 6.2.1 D iii */
    if (p->flight == 0)
      p->pba = 0; /* 7.2.2: nothing outstanding */
  }
}

/* Cut cwnd on the paths concerned (7.2.3) and start a Fast Recovery
 * period ending with the highest TSN sent (7.2.4 (6)). */
static void assoc_cut_cwnd(csctp_assoc *a, const uint8_t *paths,
                           csctp_tstamp now) {
  for (uint8_t i = 0; i < a->npaths; i++)
    if (paths[i])
      csctp_cc_on_fast_rtx(&a->paths[i]);
  a->in_fast_recovery = 1;
  a->fast_recovery_exit = a->sq.next_tsn - 1;
  a->last_cwnd_cut = now;
  a->fast_recoveries++;
}

/* 7.2.4 (2), (3), (6): the first loss of a Fast Recovery period cuts cwnd
 * and sends one packet of retransmissions past cwnd; later ones are
 * retransmitted as cwnd allows. */
static void assoc_enter_fast_recovery(csctp_assoc *a, const uint8_t *paths,
                                      csctp_tstamp now) {
  if (a->in_fast_recovery)
    return;
  assoc_cut_cwnd(a, paths, now);
  a->fast_rtx_now = 1;
}

/* A lost retransmission is a further indication of congestion (RFC 8985
 * 9.3, RFC 5681 4.3): once per window, i.e. for a retransmission sent after
 * the last reduction, cwnd is reduced again and Fast Recovery restarts
 * (else a path that keeps dropping retransmissions would be fed at the
 * same rate for ever). */
static void assoc_fast_retransmit(csctp_assoc *a, const csctp_sack_result *r,
                                  csctp_tstamp now) {
  a->fast_retransmits += (uint64_t)r->new_fast_rtx;
  if (a->in_fast_recovery && r->rtx_lost_sent_at > a->last_cwnd_cut)
    assoc_cut_cwnd(a, r->rtx_lost_path, now);
  else
    assoc_enter_fast_recovery(a, r->fast_rtx_path, now);
}

static csctp_tstamp assoc_srtt(const csctp_assoc *a) {
  return a->paths[csctp_assoc_data_path(a)].srtt;
}

/* Retransmissions are waiting or a T3 recovery is under way: no probe.
 * Fast Recovery alone does not stop one: when its last retransmission is
 * lost and nothing new can be sent (window or application limited), no
 * later SACK can reveal it, and the probe is what stands before T3-rtx. */
static int assoc_recovering(const csctp_assoc *a) {
  return a->sq.n_rtx > 0 || a->t3_hold || a->t3_rtx_pending;
}

/* Probe timeout after new data went out or was acknowledged (recovery.h). */
void csctp_assoc_arm_probe(csctp_assoc *a, csctp_tstamp now) {
  const csctp_path *p = &a->paths[csctp_assoc_data_path(a)];
  uint32_t pkts = (p->flight + p->mtu - 1) / p->mtu;
  csctp_recovery_arm_pto(&a->rec, p, pkts, assoc_recovering(a), now);
}

void csctp_assoc_on_recovery_timer(csctp_assoc *a, csctp_tstamp now) {
  if (a->rec.timer <= now) {
    csctp_sack_result res;
    memset(&res, 0, sizeof(res));
    csctp_recovery_detect(&a->rec, &a->sq, a->paths, assoc_srtt(a), now, &res);
    if (res.new_fast_rtx)
      assoc_fast_retransmit(a, &res, now);
  }
  if (a->rec.pto <= now) {
    /* RFC 8985 7.3: the next packet carries the probe, and T3-rtx is
     * re-armed so that it stays the last resort. */
    csctp_path *p = &a->paths[csctp_assoc_data_path(a)];
    a->rec.pto = CSCTP_TSTAMP_NEVER;
    a->rec.probe_due = 1;
    if (p->t3 != CSCTP_TSTAMP_NEVER)
      p->t3 = now + p->rto;
  }
}

/* Duplicate TSNs of a SACK, at most max. */
static size_t assoc_sack_dups(const csctp_sack *s, uint32_t *out, size_t max) {
  size_t n = s->ndups < max ? s->ndups : max;
  for (size_t i = 0; i < n; i++)
    out[i] = csctp_get32(s->dups + 4 * i);
  return n;
}

void csctp_assoc_on_sack(csctp_assoc *a, const csctp_tlv *c, csctp_tstamp now) {
  csctp_sack s;
  if (!a->sq.mem || a->state == CSCTP_STATE_COOKIE_WAIT ||
      csctp_sack_decode(c, &s) != 0)
    return;
  if (csctp_reconf_drops_sack(a, s.cum_tsn))
    return; /* RFC 6525 5.1.4, 5.2.4 G1: across an SSN/TSN reset */
  if (csctp_tsn_ge(s.cum_tsn, a->sq.next_tsn)) {
    /* Acknowledges a TSN we never sent. */
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return;
  }
  uint16_t gaps[2 * ASSOC_MAX_GAPS_IN];
  size_t ngaps = s.ngaps < ASSOC_MAX_GAPS_IN ? s.ngaps : ASSOC_MAX_GAPS_IN;
  for (size_t i = 0; i < ngaps; i++)
    csctp_sack_gap(&s, i, &gaps[2 * i], &gaps[2 * i + 1]);
  uint32_t dups[ASSOC_MAX_DUPS_IN];
  size_t ndups = assoc_sack_dups(&s, dups, ASSOC_MAX_DUPS_IN);
  uint32_t flight_before[CSCTP_MAX_PATHS];
  for (uint8_t i = 0; i < a->npaths; i++)
    flight_before[i] = a->paths[i].flight;
  csctp_sack_result res;
  csctp_sendq_on_sack(&a->sq, a->paths, a->npaths, s.cum_tsn, gaps, ngaps,
                      a->in_fast_recovery, a->rec.min_rtt, now, &res);
  if (res.ignored)
    return;                   /* 6.2.1 D i: an old SACK */
  csctp_prsctp_after_sack(a); /* RFC 3758 3.5 C1-C3 */
  a->t3_hold = 0;             /* the peer answered after a T3 retransmission */
  a->spurious_retransmits += ndups; /* 3.3.4: they had arrived already */
  int probe_repaired =
      csctp_recovery_on_sack(&a->rec, &res, &a->sq, dups, ndups, now);
  assoc_sack_paths(a, &res, flight_before, s.cum_tsn, now);
  if (a->in_fast_recovery && csctp_tsn_ge(s.cum_tsn, a->fast_recovery_exit))
    a->in_fast_recovery = 0; /* 6.2.1 D iv */
  csctp_recovery_detect(&a->rec, &a->sq, a->paths, assoc_srtt(a), now, &res);
  if (res.new_fast_rtx) {
    assoc_fast_retransmit(a, &res, now);
  } else if (probe_repaired) {
    /* RFC 8985 7.4: the probe repaired a loss: reduce cwnd once. */
    uint8_t pp[CSCTP_MAX_PATHS] = {0};
    pp[a->rec.probe_path] = 1;
    assoc_enter_fast_recovery(a, pp, now);
    a->fast_rtx_now = 0; /* nothing is waiting to be resent */
  }
  if (res.cum_advanced)
    csctp_assoc_arm_probe(a, now); /* RFC 8985 7.2 */
  /* 6.2.1 D ii */
  uint32_t inflight = a->sq.bytes_inflight;
  a->peer_rwnd = s.a_rwnd > inflight ? s.a_rwnd - inflight : 0;
  if (s.a_rwnd == 0)
    a->zwp_sack_seen = 1;
  if (a->sender_dry_armed && a->sq.n_out == 0 && a->sq.n_unsent == 0) {
    csctp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = CSCTP_EV_SENDER_DRY; /* everything sent was acknowledged */
    ev.assoc_id = a->id;
    csctp_ep_push_event(a->ep, &ev);
    a->sender_dry_armed = 0;
  }
  if (a->state == CSCTP_STATE_SHUTDOWN_PENDING ||
      a->state == CSCTP_STATE_SHUTDOWN_RECEIVED)
    csctp_assoc_check_shutdown(a, now);
}

/* 6.3.3: T3-rtx expired on a path. */
void csctp_assoc_on_t3(csctp_assoc *a, uint8_t pi, csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  p->t3 = CSCTP_TSTAMP_NEVER;
  int fwd = csctp_prsctp_on_t3(a, now); /* RFC 3758 3.5 A5 */
  if (!csctp_sendq_path_has_inflight(&a->sq, pi)) {
    if (fwd) { /* only a FORWARD TSN was unanswered (C5): back off */
      csctp_path_backoff(p, &a->s);
      csctp_assoc_path_error(a, pi, now);
    }
    return;
  }
  a->t3_expiries++;
  csctp_cc_on_t3(p); /* E1 */
  a->last_cwnd_cut = now;
  csctp_path_backoff(p, &a->s);                    /* E2 */
  csctp_sendq_mark_path_rtx(&a->sq, a->paths, pi); /* E3 */
  if (csctp_pmtud_on_loss(&p->pmtud)) /* RFC 8899 4.3: black hole? */
    csctp_pmtud_assoc_sync(a);
  csctp_recovery_on_t3(&a->rec);
  a->t3_rtx_pending = 1;
  a->t3_hold = 0;
  a->in_fast_recovery = 0;
  /* 6.1 A: lost zero window probes that the peer keeps answering do not
   * count against the association. */
  if (a->peer_rwnd == 0 && a->zwp_sack_seen) {
    a->zwp_sack_seen = 0;
    return;
  }
  csctp_assoc_path_error(a, pi, now);
}

/* ---- Public calls ------------------------------------------------------ */

/* What the send buffer holds: payload and its bookkeeping, so that tiny
 * messages cannot hold far more memory than sndbuf. */
static size_t assoc_send_used(const csctp_assoc *a) {
  return a->sq.buffered + a->sq.overhead + csctp_eor_held(a);
}

static int assoc_send_state_ok(const csctp_assoc *a) {
  return a->state == CSCTP_STATE_COOKIE_WAIT ||
         a->state == CSCTP_STATE_COOKIE_ECHOED ||
         a->state == CSCTP_STATE_ESTABLISHED;
}

/* A part of a message written in parts (eor.h, RFC 6458 8.1.26). */
static int assoc_send_part(csctp_endpoint *ep, csctp_assoc *a,
                           const csctp_sndinfo *info, const uint8_t *data,
                           size_t len, csctp_tstamp now) {
  if (assoc_send_used(a) + len > a->s.sndbuf)
    return CSCTP_ERR_AGAIN;
  int rv = csctp_eor_push(a, info, data, len);
  if (rv != 0)
    return rv;
  a->burst = 0;
  a->sender_dry_armed = 1;
  if ((info->flags & CSCTP_SEND_EOF) && !a->eor)
    csctp_shutdown(ep, a->id, now);
  return 0;
}

int csctp_send(csctp_endpoint *ep, const csctp_sndinfo *info,
               const csctp_addr *dst, const uint8_t *data, size_t len,
               csctp_tstamp now) {
  if (!ep || !info || (len > 0 && !data) || info->pr_policy > CSCTP_PR_SCTP_MAX)
    return CSCTP_ERR_INVAL;
  csctp_assoc *a = csctp_ep_find(ep, info->assoc_id);
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (a->dead)
    return a->end_error ? a->end_error : CSCTP_ERR_CLOSED;
  if (info->flags & CSCTP_SEND_ABORT)
    return csctp_abort(ep, a->id, data, len, now);
  if (len == 0 && !a->eor)
    return (info->flags & CSCTP_SEND_EOF) ? csctp_shutdown(ep, a->id, now)
                                          : CSCTP_ERR_INVAL;
  if (!assoc_send_state_ok(a) || a->shutdown_requested)
    return CSCTP_ERR_STATE;
  if (info->sid >= a->sq.nstreams)
    return CSCTP_ERR_STREAM;
  if (csctp_reconf_blocks(a, info->sid))
    return CSCTP_ERR_AGAIN; /* RFC 6525 5.1.2 A1 */
  if (dst && csctp_assoc_find_path(a, dst) < 0)
    return CSCTP_ERR_ADDR;
  if (len > a->s.sndbuf)
    return CSCTP_ERR_MSGSIZE;
  if (a->eor || (info->flags & CSCTP_SEND_MORE))
    return assoc_send_part(ep, a, info, data, len, now);
  if (assoc_send_used(a) + len > a->s.sndbuf)
    csctp_prsctp_make_room(a, info, len); /* RFC 7496 3.2 */
  if (assoc_send_used(a) + len > a->s.sndbuf)
    return CSCTP_ERR_AGAIN;
  int rv = csctp_sendq_push(&a->sq, info, data, len, csctp_assoc_frag_len(a),
                            (info->flags & CSCTP_SEND_SACK_NOW) != 0);
  if (rv != 0)
    return rv;
  csctp_prsctp_on_push(a, a->sq.unsent_tail->msg, now);
  a->burst = 0;
  a->sender_dry_armed = 1;
  if (info->flags & CSCTP_SEND_EOF)
    csctp_shutdown(ep, a->id, now);
  return 0;
}

size_t csctp_send_space(const csctp_endpoint *ep, csctp_assoc_id id) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a || a->dead || !assoc_send_state_ok(a) || a->shutdown_requested)
    return 0;
  size_t used = assoc_send_used(a);
  return used >= a->s.sndbuf ? 0 : a->s.sndbuf - used;
}

/* The association whose data has waited longest: the ready list's head
 * (entries whose data went away, e.g. with a restart, are dropped). */
static csctp_assoc *assoc_oldest_ready(csctp_endpoint *ep) {
  csctp_assoc *a;
  while ((a = ep->rdy_head) && !(a->rx_ready && csctp_reasm_has_ready(&a->rx)))
    csctp_ep_ready_drop(a);
  if (a)
    csctp_ep_touch(a);
  return a;
}

/* Open the window: tell the peer when reading made room that matters. */
static void assoc_window_update(csctp_assoc *a) {
  uint32_t rwnd = csctp_assoc_local_rwnd(a);
  if (rwnd <= a->last_rwnd)
    return;
  if ((a->last_rwnd < a->s.pmtu && rwnd >= a->s.pmtu) ||
      rwnd - a->last_rwnd >= a->s.rcvbuf / 2)
    a->sack_now = 1;
  /* The reader waits for the message under partial delivery again and its
   * reserve has room for another fragment: the peer's next chunks are that
   * message's. */
  uint32_t next;
  size_t pd, frag;
  if (csctp_reasm_pd_head(&a->rx, &next, &pd, &frag) && pd == 0 &&
      rwnd - a->last_rwnd >= frag)
    a->sack_now = 1;
}

static csctp_ssize assoc_recv(csctp_endpoint *ep, csctp_assoc_id id,
                              csctp_rcvinfo *info, uint8_t *buf, size_t buflen,
                              int cont) {
  if (!ep || !info || (!buf && buflen > 0) || (cont && !id))
    return CSCTP_ERR_INVAL;
  csctp_assoc *a = id ? csctp_ep_find(ep, id) : assoc_oldest_ready(ep);
  if (!a)
    return id ? CSCTP_ERR_NOT_FOUND : CSCTP_ERR_AGAIN;
  if (!a->rx_ready)
    return a->dead && !cont ? a->end_error : CSCTP_ERR_AGAIN;
  memset(info, 0, sizeof(*info));
  csctp_ssize n = cont ? csctp_reasm_read_cont(&a->rx, info, buf, buflen)
                       : csctp_reasm_read(&a->rx, info, buf, buflen);
  if (n == CSCTP_ERR_AGAIN && a->dead && !cont)
    return a->end_error ? a->end_error : CSCTP_ERR_CLOSED;
  if (n < 0)
    return n;
  info->assoc_id = a->id;
  info->cumtsn = csctp_tsnmap_cum(&a->tsn);
  if (csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a); /* to the tail: others go first next time */
  else
    csctp_ep_ready_drop(a);
  csctp_assoc_budget_sync(a);
  if (!a->dead)
    assoc_window_update(a);
  if (ep->nstarved)
    csctp_ep_budget_wake(ep);
  return n;
}

csctp_ssize csctp_recv(csctp_endpoint *ep, csctp_assoc_id id,
                       csctp_rcvinfo *info, uint8_t *buf, size_t buflen,
                       csctp_tstamp now) {
  (void)now;
  return assoc_recv(ep, id, info, buf, buflen, 0);
}

csctp_ssize csctp_recv_cont(csctp_endpoint *ep, csctp_assoc_id id,
                            csctp_rcvinfo *info, uint8_t *buf, size_t buflen,
                            csctp_tstamp now) {
  (void)now;
  return assoc_recv(ep, id, info, buf, buflen, 1);
}

/* RFC 6458 8.1.20: level 2 lets csctp_recv hand out parts of messages of
 * different streams in turn (reasm.h "Interleaved reads"; with I-DATA
 * several messages may then be under partial delivery at once, idata.c);
 * 0 and 1 keep one message at a time per association. */
int csctp_set_fragment_interleave(csctp_endpoint *ep, csctp_assoc_id id,
                                  int level) {
  if (!ep || level < 0 || level > 2)
    return CSCTP_ERR_INVAL;
  if (!id) {
    ep->frag_interleave = (uint8_t)level;
    return 0;
  }
  csctp_assoc *a = csctp_ep_find(ep, id);
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (a->rx_ready) {
    int rv = csctp_reasm_set_interleave(&a->rx, level == 2);
    if (rv != 0)
      return rv;
  }
  a->frag_interleave = (uint8_t)level;
  csctp_idata_interleave_changed(a);
  if (a->rx_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a); /* a stalled message may no longer hold it */
  csctp_ep_touch(a);
  return 0;
}

int csctp_fragment_interleave(const csctp_endpoint *ep, csctp_assoc_id id) {
  if (!ep)
    return CSCTP_ERR_INVAL;
  if (!id)
    return ep->frag_interleave;
  const csctp_assoc *a = csctp_ep_peek(ep, id);
  return a ? a->frag_interleave : CSCTP_ERR_NOT_FOUND;
}

size_t csctp_recv_pending(const csctp_endpoint *ep, csctp_assoc_id id) {
  size_t n = 0;
  if (!ep)
    return 0;
  if (id != 0) {
    const csctp_assoc *a = csctp_ep_peek(ep, id);
    /* readable now, not merely held */
    return a && a->rx_ready && csctp_reasm_has_ready(&a->rx)
               ? csctp_reasm_ready_bytes(&a->rx)
               : 0;
  }
  for (const csctp_assoc *a = ep->rdy_head; a; a = a->rdy_next)
    if (a->rx_ready && csctp_reasm_has_ready(&a->rx))
      n += csctp_reasm_ready_bytes(&a->rx);
  return n;
}
