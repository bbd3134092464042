/* pacing.h -- per-path pacing of DATA (not INIT pacing: that is pacer.h).
 * Internal. Off unless csctp_settings.pacing is CSCTP_PACING_ON.
 *
 * RFC 9260 7.2 lets a sender be more conservative than its congestion
 * control allows. Unpaced, each SACK releases what it opens back to back,
 * so a window leaves in bursts as long as the acks that clock it; a paced
 * path spreads its window over the smoothed RTT instead, at twice cwnd /
 * SRTT in slow start (cwnd < ssthresh, 7.2.1) and 1.2 times cwnd / SRTT
 * after, the rates Linux TCP uses.
 *
 * A token bucket in virtual-scheduling form: pace_next is when the bytes
 * sent so far would have left at the pacing rate. A packet may start while
 * pace_next is at most one quantum's time ahead of now (RFC 9260 6.1 B's
 * rule, at packet start); a quantum is 1 ms at the pacing rate, 2 to 16
 * MTUs, so that a wake-up sends a batch the I/O layer can hand to GSO in
 * one call. When a path is held back, its pacing timer (on the engine's
 * clock, csctp_assoc_expiry) is set for when the bucket is empty again, and
 * the next ack reports the window as in use (csctp_pacing_take_held).
 *
 * Only DATA that cwnd would let go is paced: fast retransmissions (7.2.4
 * (3)), T3-rtx retransmissions (6.3.3 E3), tail loss probes and control
 * chunks leave as before. Pacing needs an RTT measurement; before one
 * (the first round) the path is not paced.
 *
 * Measured in the simulator (test_sim_cc's quarter-BDP slow start, CHANGES.
 * md): pacing does not remove CUBIC's slow-start loss burst there. At 2 *
 * cwnd / SRTT a round's window still leaves in the first half of the round
 * trip and the queue empties before the next round, so HyStart++'s round
 * minimum (RFC 9406 4.2) never rises by its 4 ms threshold on a 5 ms
 * queue. Hence not a controller's default. */
#ifndef CSCTP_PACING_H
#define CSCTP_PACING_H

#include "csctp.h"

struct csctp_path;

/* Values of csctp_settings.pacing are in csctp.h (CSCTP_PACING_*). */

/* csctp_pacing_enabled: whether path p of an association with setting
 * `setting` (CSCTP_PACING_*) is paced. */
int csctp_pacing_enabled(const struct csctp_path *p, uint32_t setting);

/* csctp_pacing_allows: may a DATA packet start on p at now? If not, the
 * path's pacing timer is armed (csctp_pacing_expiry). */
int csctp_pacing_allows(struct csctp_path *p, csctp_tstamp now);

/* csctp_pacing_sent charges `bytes` of DATA sent on p at now. */
void csctp_pacing_sent(struct csctp_path *p, uint32_t bytes, csctp_tstamp now);

/* csctp_pacing_take_held: whether DATA waited for p's pacing since the
 * last call. A path whose DATA waits for its pacing uses its window as far
 * as it may (RFC 9260 7.2.1's "fully utilized"): the controller must not
 * take it for an application-limited one. */
int csctp_pacing_take_held(struct csctp_path *p);

/* csctp_pacing_expiry: when p's held-back DATA may go (NEVER if none);
 * csctp_pacing_on_timer clears the timer at or after that time. */
csctp_tstamp csctp_pacing_expiry(const struct csctp_path *p);
void csctp_pacing_on_timer(struct csctp_path *p, csctp_tstamp now);

/* For tests: the time p's pacing rate takes to send `bytes` (0: p has no
 * pacing rate yet), and p's quantum in bytes. */
csctp_tstamp csctp_pacing_interval(const struct csctp_path *p, uint64_t bytes);
uint32_t csctp_pacing_quantum(const struct csctp_path *p);

#endif
