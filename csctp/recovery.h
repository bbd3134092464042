/* recovery.h -- loss detection beside the send queue: RFC 9260 7.2.4's
 * miss indications (in sendq.c) completed by time-based detection and a
 * tail loss probe after RFC 8985 (RACK-TLP), adapted to SCTP. Internal.
 *
 * Why: with 7.2.4 alone, every loss that does not collect three miss
 * indications waits for T3-rtx (RTO.Min is 1 s): a fast retransmission
 * that is lost again (7.2.4 (5) makes it ineligible for another fast
 * retransmit), the last chunks of a burst (nothing after them to report
 * them missing), a loss while the window holds fewer than four packets.
 *
 * The algorithm, per association (TSNs are association-wide):
 *
 *  RACK (RFC 8985 6). Every chunk records when it was last (re)sent. On
 *   each SACK, among the chunks it newly acknowledges (cumulatively or in a
 *   gap block) the one sent last gives RACK.xmit_ts / RACK.tsn and its
 *   round trip RACK.rtt; a retransmitted chunk acknowledged sooner than the
 *   minimum RTT is skipped (the ack was likely for its first copy). Any
 *   chunk still in flight that was sent before RACK.xmit_ts is lost once
 *       sent_at + RACK.rtt + reo_wnd <= now,
 *   else the reordering timer fires at that time. reo_wnd is a quarter of
 *   the minimum RTT, times a multiplier that grows when the peer reports a
 *   retransmission as a duplicate (RFC 8985 6.2 step 4, DSACK there,
 *   Duplicate TSNs here), bounded by SRTT.
 *
 *  TLP (RFC 8985 7). After new data is sent or a SACK acknowledges new
 *   data, with data in flight, no probe outstanding and no retransmission
 *   waiting (Fast Recovery itself does not prevent a probe, unlike RFC 8985
 *   7.2: a lost retransmission with nothing sendable after it would
 *   otherwise wait for T3-rtx), a probe timeout of 2 * SRTT (plus the peer's
 * delayed-ack time when a single packet is in flight; at least CSCTP_TLP_MIN)
 * is armed, at the latest when T3-rtx would expire, and T3-rtx is re-armed when
 * it fires: the probe replaces the first T3 expiry of a silent period, and T3
 * follows one RTO later if the probe draws no answer. When it fires, one packet
 * goes regardless of cwnd: new data if the peer's window allows, else the
 * highest-TSN chunk in flight again. Its SACK then lets RACK or the miss
 * indications see the loss. A probe retransmission whose SACK does not report
 * it as a duplicate repaired a loss: cwnd is reduced once (RFC 8985 7.4).
 *
 * Where this departs from RFC 9260's letter, and why it stays within its
 * intent:
 *  - A chunk may be marked for retransmission without three miss
 *    indications (RACK's time rule), and a fast-retransmitted chunk may be
 *    marked again (7.2.4 (5) forbids a second *fast* retransmit; RACK only
 *    acts on proof: data sent after the retransmission was acknowledged).
 *  - After the peer reported a retransmission as a duplicate (reordering,
 *    not loss), the three-miss rule is suspended and the time rule alone
 *    marks losses until reo_wnd's multiplier resets (RFC 8985 6.2 step 4;
 *    RFC 9260 7.2.4's wait for three misses is a SHOULD, meant to tolerate
 *    reordering, which the wider window now does).
 *  - RACK re-strikes a chunk at most three times; a chunk still lost after
 *    that is left to T3-rtx and its exponential backoff (6.3.3), so that a
 *    path that keeps dropping one chunk is not fed a retransmission every
 *    round trip.
 *  - Marking by RACK is a Fast Retransmit event for 7.2.4 (2), (3), (6):
 *    one cwnd reduction per Fast Recovery period, one packet past cwnd only
 *    when Fast Recovery starts; later retransmissions wait for cwnd.
 *  - The probe is one packet beyond cwnd and Max.Burst; T3-rtx stays
 *    armed and is restarted after a probe, so it remains the last resort
 *    (6.3.3).
 */
#ifndef CSCTP_RECOVERY_H
#define CSCTP_RECOVERY_H

#include "csctp.h"
#include "path.h"
#include "sendq.h"

/* Lower bound of a probe timeout: a receiver process that is merely slow
 * must not draw probes. */
#define CSCTP_TLP_MIN (2 * CSCTP_MILLISECONDS)
/* Delayed-ack allowance when a single packet is in flight: RFC 9260 6.2
 * lets the peer hold its SACK up to 200 ms for a lone packet. */
#define CSCTP_TLP_MAX_ACK_DELAY (200 * CSCTP_MILLISECONDS)

typedef struct csctp_recovery {
  /* RACK */
  int have_rack;
  csctp_tstamp rack_xmit; /* RACK.xmit_ts */
  uint32_t rack_tsn;      /* RACK.end_seq */
  uint32_t rack_seq;      /* its transmission order: ties of equal times */
  csctp_tstamp rack_rtt;  /* RACK.rtt */
  csctp_tstamp min_rtt;   /* 0: no sample yet */
  csctp_tstamp min_rtt_at;
  uint8_t reo_mult;    /* RACK.reo_wnd_mult */
  uint8_t reo_persist; /* loss recoveries before the multiplier resets */
  csctp_tstamp timer;  /* reordering timer or CSCTP_TSTAMP_NEVER */
  /* TLP */
  csctp_tstamp pto;   /* probe timeout or CSCTP_TSTAMP_NEVER */
  int probe_due;      /* PTO fired: the next packet carries a probe */
  int probe_out;      /* a probe is in flight (TLP.end_seq set) */
  int probe_rtx;      /* ... and it was a retransmission (TLP.is_retrans) */
  uint32_t probe_tsn; /* its TSN */
  uint8_t probe_path;
  int rtt_since_probe; /* an RTT sample arrived since the last probe */
} csctp_recovery;

void csctp_recovery_init(csctp_recovery *r);

/* csctp_recovery_on_sack takes what a processed SACK newly acknowledged
 * (res, filled by csctp_sendq_on_sack on q) and its Duplicate TSNs, updates the
 * RACK state and ends a probe episode. Returns 1 when a probe
 * retransmission repaired a loss (RFC 8985 7.4): the caller reduces cwnd
 * once on r->probe_path. */
int csctp_recovery_on_sack(csctp_recovery *r, const csctp_sack_result *res,
                           const csctp_sendq *q, const uint32_t *dups,
                           size_t ndups, csctp_tstamp now);

/* csctp_recovery_detect marks the chunks RACK proves lost (6.2 step 5) in
 * q, counting them in res (new_fast_rtx, fast_rtx_path), and sets the
 * reordering timer for those not yet due. srtt is the data path's. */
void csctp_recovery_detect(csctp_recovery *r, csctp_sendq *q, csctp_path *paths,
                           csctp_tstamp srtt, csctp_tstamp now,
                           csctp_sack_result *res);

/* csctp_recovery_arm_pto (re)arms the probe timeout after new data went out
 * or a SACK acknowledged new data (RFC 8985 7.2), on the data path p (its
 * SRTT and T3-rtx expiry). flight_pkts is the number of DATA packets in
 * flight (approximately); recovering says a T3 recovery or marked
 * retransmissions are under way (no probe then). */
void csctp_recovery_arm_pto(csctp_recovery *r, const csctp_path *p,
                            uint32_t flight_pkts, int recovering,
                            csctp_tstamp now);

/* csctp_recovery_expiry is the earlier of the two timers. */
csctp_tstamp csctp_recovery_expiry(const csctp_recovery *r);

/* csctp_recovery_probe_rtx picks the chunk a retransmission probe resends
 * (the highest-TSN chunk in flight), marks it for retransmission and
 * records it as the probe; NULL when nothing is in flight. */
csctp_chunk_out *csctp_recovery_probe_rtx(csctp_recovery *r, csctp_sendq *q,
                                          csctp_path *paths);

/* csctp_recovery_on_t3 forgets probes and timers: T3-rtx took over. */
void csctp_recovery_on_t3(csctp_recovery *r);

#endif
