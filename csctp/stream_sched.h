/* stream_sched.h -- stream schedulers (RFC 8260 section 3): which stream's data
 * goes next. Internal to the engine.
 *
 * The scheduler works on the send queue's FIFO of unsent fragments: it
 * picks the first unsent fragment of the chosen stream and moves it to the
 * head, where the association takes its next chunk (TSNs are given at
 * transmission, in sending order). Within a stream the order never
 * changes. Without I-DATA a message, once started, is finished before any
 * other stream is chosen (its fragments need consecutive TSNs, RFC 9260
 * 6.9): the schedulers then work at message granularity (RFC 8260 3). With
 * I-DATA they choose per fragment (RFC 8260 2.2.2: one message at a time
 * per stream, any number of streams).
 *
 *  - CSCTP_SS_FCFS (3.1, the default): the order of the sends.
 *  - CSCTP_SS_RR (3.2): cycles through the streams with data queued, one
 *    message (one chunk with I-DATA) each.
 *  - CSCTP_SS_RR_PKT (3.3): the same, but switches streams only when a
 *    packet starts; a packet carries data of one stream only.
 *  - CSCTP_SS_PRIO (3.4): the stream with the lowest value (highest
 *    priority, RFC 8260 4.3.2: 0 is the highest) first; equal values take
 *    turns as in round robin.
 *  - CSCTP_SS_FB (3.5): the stream that has sent the fewest bytes so far;
 *    ties take turns.
 *  - CSCTP_SS_WFQ (3.6): the stream with the fewest bytes sent per unit of
 *    weight (its value; 0 counts as 1), so a stream of weight 2n gets twice
 *    the capacity of one of weight n.
 * Bytes count as they are sent (a whole message when its first fragment
 * goes, without I-DATA). Counts are never aged: a stream that was idle has
 * sent less and goes first until it has caught up with the others (the
 * simple policy chosen here; the details are the implementation's, 3.5,
 * 3.6).
 *
 * Cost: with a scheduler other than FCFS, choosing a chunk walks the unsent
 * FIFO once (O(unsent fragments)). */
#ifndef CSCTP_STREAM_SCHED_H
#define CSCTP_STREAM_SCHED_H

#include "csctp.h"

#include <stdint.h>

/* The scheduler in use is csctp_assoc.sched_type; this is its state, in
 * csctp_assoc.ilv (allocated when a scheduler other than FCFS first
 * runs, or a stream value is set). */
typedef struct csctp_sched {
  uint8_t have_rr;  /* rr_sid valid */
  uint8_t have_pkt; /* pkt_sid valid (RR_PKT) */
  uint16_t rr_sid;  /* the stream chosen last */
  uint16_t pkt_sid; /* RR_PKT: the stream of the packet being filled */
  uint16_t *value;  /* per-stream value (PRIO, WFQ), nvalues entries */
  uint64_t *sent;   /* per-stream bytes sent (FB, WFQ), nsent entries */
  uint32_t nvalues, nsent;
} csctp_sched;

struct csctp_assoc;
struct csctp_chunk_out;

/* Frees the per-stream arrays (the state itself goes with csctp_ilv). */
void csctp_sched_free(struct csctp_assoc *a);

/* csctp_sched_set chooses the scheduler (CSCTP_SS_*): 0 or
 * CSCTP_ERR_INVAL. csctp_sched_set_value sets a stream's value (kept when
 * the scheduler changes): 0, CSCTP_ERR_INVAL or CSCTP_ERR_NOMEM;
 * csctp_sched_value reads it (0 when never set). */
int csctp_sched_set(struct csctp_assoc *a, uint32_t type);
int csctp_sched_set_value(struct csctp_assoc *a, uint16_t sid, uint16_t value);
uint16_t csctp_sched_value(const struct csctp_assoc *a, uint16_t sid);

/* csctp_sched_next moves the unsent fragment to send next to the head of
 * the unsent FIFO and returns it; NULL when nothing may go (nothing
 * unsent, or RR_PKT with no more data of the packet's stream).
 * pkt_start: no data chunk is in the packet yet. interleave: I-DATA is in
 * use. csctp_sched_sent records that c went out (for FB, WFQ, RR). */
struct csctp_chunk_out *csctp_sched_next(struct csctp_assoc *a, int pkt_start,
                                         int interleave);
void csctp_sched_sent(struct csctp_assoc *a, const struct csctp_chunk_out *c,
                      int interleave);

#endif
