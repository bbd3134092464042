/* prsctp.h -- partially reliable SCTP: RFC 3758 (Forward-TSN-Supported,
 * FORWARD TSN, Advanced.Peer.Ack.Point) with the policies of RFC 6458
 * 5.3.7 and RFC 7496 3 (timed reliability, limited retransmissions,
 * priority) and the statistics of RFC 7496 4. Internal to the engine.
 *
 * Negotiation (RFC 3758 3.3): our INIT and INIT ACK carry the
 * Forward-TSN-Supported parameter and list FORWARD TSN in the Supported
 * Extensions parameter (RFC 5061 4.2.7) when csctp_settings.pr_supported
 * is set. PR-SCTP is on for an association when we advertise it and the
 * peer advertised it by either parameter. Off, a message's policy is
 * ignored (it goes reliably) and a FORWARD TSN is an unknown chunk.
 *
 * Sender: a message is abandoned whole (RFC 3758 3.5 A3): its outstanding
 * chunks become CSCTP_OUT_ABANDONED (no flight, no retransmission, no cwnd
 * credit: A2), its unsent fragments are freed (a message that never left
 * gives its SSN back, see csctp_sendq_drop_unsent), it is reported once by
 * SEND_FAILED with its data (abandoned = 1), and counted per policy and per
 * stream. When:
 *  - TTL: when its lifetime has passed, before a TSN is given to it (RFC
 *    3758 4.1 TR3) or before one of its chunks is resent (TR4); a chunk
 *    in flight is left alone until then (it may still arrive);
 *  - RTX: when one of its chunks would be retransmitted more than pr_value
 *    times (RFC 7496 3.1; fast, timer-based and probe retransmissions);
 *  - PRIO: when a send finds the buffer full, queued messages of lower
 *    priority (larger pr_value; reliable messages rank above all) that
 *    still have unsent fragments are abandoned, lowest priority first,
 *    until the new one fits (RFC 7496 3.2).
 * Advanced.Peer.Ack.Point is computed from the retransmission queue (C2);
 * a FORWARD TSN goes out, bundled with the next packet (F2), after a SACK
 * leaves it above the cumulative ack (C3), after an abandonment and after
 * a T3-rtx expiry (A5), carrying the highest abandoned SSN of each ordered
 * stream (C4); one T3-rtx runs while it is unacknowledged (C5). Not done:
 * the congestion adjustment of F5 for chunks abandoned while in flight.
 *
 * Receiver (RFC 3758 3.6): the cumulative TSN moves to the new one and on
 * over what was received; partial messages that can no longer complete are
 * dropped (a message under partial delivery just ends, without
 * CSCTP_RCV_EOR); each listed ordered stream delivers its held messages up
 * to the listed SSN and then expects the one after; the SACK follows the
 * rules for DATA. */
#ifndef CSCTP_PRSCTP_H
#define CSCTP_PRSCTP_H

#include "chunk.h"
#include "csctp.h"

#include <stdint.h>

/* Per policy (index CSCTP_PR_SCTP_TTL .. _RTX; 0 unused). */
typedef struct csctp_pr_counts {
  uint64_t unsent[CSCTP_PR_SCTP_MAX + 1];
  uint64_t sent[CSCTP_PR_SCTP_MAX + 1];
} csctp_pr_counts;

typedef struct csctp_prsctp {
  uint8_t on;               /* negotiated (RFC 3758 3.3) */
  uint8_t send_fwd;         /* a FORWARD TSN is due (C3, A5) */
  csctp_tstamp next_expiry; /* no TTL message expires before this */
  /* Abandoned-message counts (RFC 7496 4.3), made at the first one so that
   * an association that never abandons carries none: counts[0] for the
   * association, counts[1 + sid] per outbound stream (nstreams of them; 0
   * when only the first could be allocated). */
  csctp_pr_counts *counts;
  uint16_t nstreams;
} csctp_prsctp;

struct csctp_assoc;
struct csctp_msg_out;
struct csctp_chunk_out;
struct csctp_sendq;

void csctp_prsctp_init(csctp_prsctp *p);
void csctp_prsctp_free(struct csctp_assoc *a);
/* csctp_prsctp_abandoned adds the association's abandoned messages, over
 * every policy, to *unsent and *sent. */
void csctp_prsctp_abandoned(const struct csctp_assoc *a, uint64_t *unsent,
                            uint64_t *sent);

/* Negotiation. csctp_prsctp_put_init_params appends to an INIT or INIT
 * ACK what s turns on (nothing when pr_supported is 0): the
 * Forward-TSN-Supported parameter (RFC 3758 3.1) and the Supported
 * Extensions parameter (RFC 5061 4.2.7) listing exactly the extension
 * chunks on. csctp_prsctp_peer_supports says whether an INIT or INIT ACK
 * announces FORWARD TSN (either parameter). */
int csctp_prsctp_put_init_params(csctp_buf *b, const csctp_settings *s);
int csctp_prsctp_peer_supports(const csctp_init *in);

/* Sender. */
void csctp_prsctp_on_push(struct csctp_assoc *a, struct csctp_msg_out *m,
                          csctp_tstamp now);
/* PRIO: make room for len more bytes for a message sent with info.
 * Returns 1 if something was abandoned. */
int csctp_prsctp_make_room(struct csctp_assoc *a, const csctp_sndinfo *info,
                           size_t len);
/* TTL: abandon every message whose lifetime has passed. */
void csctp_prsctp_sweep(struct csctp_assoc *a, csctp_tstamp now);
/* RTX and TTL before chunk c is retransmitted: returns 1 when its message
 * was abandoned instead (c must not be sent). */
int csctp_prsctp_before_rtx(struct csctp_assoc *a, struct csctp_chunk_out *c,
                            csctp_tstamp now);
/* Applies csctp_prsctp_before_rtx to every chunk marked for
 * retransmission, so that the FORWARD TSN can precede the packet's DATA
 * (RFC 9260 6.10). */
void csctp_prsctp_check_rtx(struct csctp_assoc *a, csctp_tstamp now);
/* C1-C3 after a SACK was processed. */
void csctp_prsctp_after_sack(struct csctp_assoc *a);
/* A5 on a T3-rtx expiry: returns 1 when a FORWARD TSN is due. */
int csctp_prsctp_on_t3(struct csctp_assoc *a, csctp_tstamp now);
/* Advanced.Peer.Ack.Point (A1, C2). */
uint32_t csctp_prsctp_ack_point(const struct csctp_sendq *q);
/* Appends the due FORWARD TSN (C3, C4) to a packet going to path pi and
 * keeps a T3-rtx running (C5). */
void csctp_prsctp_put_fwd(struct csctp_assoc *a, csctp_buf *b, uint8_t pi,
                          csctp_tstamp now);

/* Receiver: a FORWARD TSN chunk. Returns 1 when it moved the cumulative
 * TSN, 2 when it was out of date (a SACK is due), 0 when malformed. */
int csctp_prsctp_on_fwd_tsn(struct csctp_assoc *a, const csctp_tlv *c);

#endif
