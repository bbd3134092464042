/* pacer.h -- INIT pacing shared by endpoints (csctp_init_pacer in csctp.h).
 * Internal.
 *
 * Many dials started at once would each send an INIT in the same instant
 * and, when those are lost (a full receive queue at the listener), each
 * retransmit it one RTO.Initial later, in the same instant again. RFC 9260
 * leaves the moment an INIT is sent to the implementation and times T1-init
 * from the sending (5.1 A); so instead of randomizing the timer (6.3 and
 * 5.1 give T1 no jitter, unlike HEARTBEAT's in 8.3) the INITs themselves
 * are spaced: a token bucket in virtual-scheduling form lets `burst` of
 * them leave at once and the rest one per `interval`, each at the turn it
 * reserved. Every INIT's T1 starts when it leaves and runs exactly its RTO
 * (6.3.1 C1, 6.3.3 E2), so retransmissions stay as spaced as the first
 * transmissions were, and they take turns from the same bucket. */
#ifndef CSCTP_PACER_H
#define CSCTP_PACER_H

#include "csctp.h"

struct csctp_assoc;

/* csctp_pacer_take reserves the next turn of p at or after now and returns
 * its time (now when the bucket has room; p NULL or interval 0: now). */
csctp_tstamp csctp_pacer_take(csctp_init_pacer *p, csctp_tstamp now);

/* csctp_pacer_arm_init: a's INIT (first or retransmitted) is to be sent:
 * either at once (send_init, T1-init started now) or at a's reserved turn
 * (init_paced, T1 holding that turn). csctp_pacer_on_t1 handles a T1 expiry
 * while a waits for its turn: returns 1 if it was that (the INIT is now
 * sent), 0 if the expiry is a real T1-init / T1-cookie expiry. */
void csctp_pacer_arm_init(struct csctp_assoc *a, csctp_tstamp now);
int csctp_pacer_on_t1(struct csctp_assoc *a, csctp_tstamp now);

#endif
