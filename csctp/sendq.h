/* sendq.h -- outbound user messages: fragmentation (RFC 9260 6.9), TSN
 * assignment, the retransmission queue and SACK processing (6.2.1, 6.3.2,
 * 7.2.4). Internal.
 *
 * A message is copied once into a csctp_msg_out; its fragments are
 * csctp_chunk_out records pointing into it. Fragments wait in the "unsent"
 * FIFO until the association sends them; then they get a TSN and move to the
 * "outstanding" list, kept in TSN order, until the cumulative ack passes
 * them. */
#ifndef CSCTP_SENDQ_H
#define CSCTP_SENDQ_H

#include "csctp.h"
#include "path.h"

typedef struct csctp_msg_out {
  uint32_t refs; /* fragments still held */
  uint32_t len;
  uint8_t reported;       /* SEND_FAILED already raised */
  uint8_t sent;           /* some fragment was transmitted */
  uint8_t abandoned;      /* PR-SCTP gave it up (prsctp.h) */
  csctp_tstamp pr_expiry; /* CSCTP_PR_SCTP_TTL: when it is abandoned */
  uint8_t mid_set;        /* I-DATA: mid given (idata.h) */
  uint8_t fsn_from0;      /* I-DATA: non-B FSNs from 0 (idata.h, Linux) */
  uint32_t mid;           /* I-DATA Message Identifier (RFC 8260 2.1) */
  csctp_sndinfo info;
  uint8_t data[];
} csctp_msg_out;

enum csctp_chunk_state {
  CSCTP_OUT_UNSENT = 0,
  CSCTP_OUT_INFLIGHT, /* sent, counted in its path's flight */
  CSCTP_OUT_GAPPED,   /* acked by a gap block */
  CSCTP_OUT_RTX,      /* marked for retransmission */
  CSCTP_OUT_ABANDONED /* PR-SCTP: finally acked for the sender, no longer
                         outstanding (RFC 3758 3.5 A2); held until the
                         peer's cumulative ack passes it */
};

typedef struct csctp_chunk_out {
  struct csctp_chunk_out *next;
  csctp_msg_out *msg;
  uint32_t off, len;
  uint32_t tsn;
  uint16_t sid, ssn;
  uint32_t fsn;  /* I-DATA Fragment Sequence Number (RFC 8260 2.1) */
  uint8_t flags; /* CSCTP_DATA_FLAG_* */
  uint8_t state; /* enum csctp_chunk_state */
  uint8_t path;  /* path index it was last sent on */
  uint8_t miss;  /* miss indications (7.2.4) */
  uint8_t fast_rtx_done;
  uint16_t tx_count;
  uint32_t xmit_seq; /* transmission order (ties of sent_at, recovery.h) */
  csctp_tstamp sent_at;
} csctp_chunk_out;

typedef struct csctp_sendq {
  const csctp_mem *mem;
  csctp_chunk_out *unsent, *unsent_tail;
  csctp_chunk_out *out, *out_tail; /* outstanding, ascending TSN */
  uint16_t *next_ssn;
  uint16_t *ordered_out; /* per stream: ordered messages not fully cum-acked
                            (same allocation as next_ssn) */
  uint16_t nstreams;
  uint32_t next_tsn;   /* TSN for the next new chunk */
  uint32_t next_xmit;  /* transmission counter for csctp_chunk_out.xmit_seq */
  uint32_t cum_acked;  /* Cumulative TSN Ack Point */
  size_t buffered;     /* payload bytes held (unsent + outstanding) */
  size_t overhead;     /* bookkeeping bytes of the messages and fragments
                          held, charged to the send buffer with buffered */
  size_t unsent_bytes; /* payload bytes not yet transmitted */
  uint32_t n_unsent, n_out;
  uint32_t n_rtx;          /* chunks marked CSCTP_OUT_RTX */
  uint32_t bytes_inflight; /* INFLIGHT chunks' csctp_chunk_rwnd_cost */
  uint8_t miss_threshold;  /* miss indications that mark a chunk (7.2.4: 3;
                              more once reordering was seen, recovery.h) */
  uint32_t chunk_overhead; /* per chunk, see csctp_chunk_rwnd_cost */
  uint8_t maybe_gapped;    /* some outstanding chunk may be GAPPED (0: none
                              is, a SACK without gap blocks needs no walk) */
} csctp_sendq;

/* Result of processing one SACK, per path index (up to CSCTP_MAX_PATHS). */
#define CSCTP_MAX_PATHS 16
typedef struct csctp_sack_result {
  int ignored; /* out of order SACK (6.2.1 D i) */
  int cum_advanced;
  int new_acked;    /* some chunk was newly acknowledged */
  int new_fast_rtx; /* chunks newly marked for fast retransmit */
  int rack_lost;    /* ... of which by RACK (recovery.h) */
  /* Lost retransmissions among them: the latest one's send time and their
   * paths (RFC 8985 9.3: each is a further congestion indication). */
  csctp_tstamp rtx_lost_sent_at;
  uint8_t rtx_lost_path[CSCTP_MAX_PATHS];
  /* RACK input (RFC 8985 6.2 step 2): the newly acknowledged chunk sent
   * last, skipping retransmissions acknowledged sooner than min_rtt. */
  int rack_have;
  csctp_tstamp rack_sent_at, rack_rtt;
  uint32_t rack_tsn, rack_seq;
  csctp_tstamp min_rtt_sample;       /* 0: none (never-retransmitted chunks) */
  uint8_t t3_start[CSCTP_MAX_PATHS]; /* 6.2.1 D iii: reneged chunk's path */
  uint32_t acked_bytes[CSCTP_MAX_PATHS];
  uint8_t fast_rtx_path[CSCTP_MAX_PATHS];  /* path had a chunk marked */
  uint8_t earliest_acked[CSCTP_MAX_PATHS]; /* 6.3.2 R3 */
  csctp_tstamp rtt[CSCTP_MAX_PATHS];       /* 0: no sample */
} csctp_sack_result;

int csctp_sendq_init(csctp_sendq *q, const csctp_mem *mem, uint16_t nstreams,
                     uint32_t initial_tsn);
/* csctp_sendq_free frees everything without reporting. */
void csctp_sendq_free(csctp_sendq *q);

/* csctp_sendq_push fragments and queues a message (len >= 1). Returns 0,
 * CSCTP_ERR_NOMEM (nothing queued) or CSCTP_ERR_AGAIN when the message is
 * ordered and its stream already has CSCTP_SENDQ_MAX_ORDERED ordered
 * messages outstanding (queued or sent, not fully cum-acked): RFC 9260 6.1
 * allows no more, or an SSN would be reused while its first holder may
 * still be waiting at the receiver. */
#define CSCTP_SENDQ_MAX_ORDERED 0xFFFFu
int csctp_sendq_push(csctp_sendq *q, const csctp_sndinfo *info,
                     const uint8_t *data, size_t len, size_t frag_point,
                     int sack_now);

/* csctp_sendq_first_rtx returns the lowest-TSN chunk marked for
 * retransmission, or NULL. */
csctp_chunk_out *csctp_sendq_first_rtx(const csctp_sendq *q);
csctp_chunk_out *csctp_sendq_next_rtx(const csctp_chunk_out *c);

/* csctp_sendq_mark_sent records a transmission of c on path at now: an
 * unsent chunk gets the next TSN and moves to the outstanding list. The
 * caller adds its size to the path's flight. */
void csctp_sendq_mark_sent(csctp_sendq *q, csctp_chunk_out *c,
                           csctp_path *paths, uint8_t path, csctp_tstamp now);

/* csctp_sendq_on_sack applies a SACK (cum_tsn, gap blocks as offset pairs)
 * to the queue and to the paths' flight sizes: miss indications by HTNA
 * (7.2.4; in Fast Recovery a SACK advancing the cumulative ack counts one
 * for every TSN it reports missing), reneged gap acks (6.2.1 D iii).
 * min_rtt filters RACK's input (res->rack_*). highest_sent must be checked
 * by the caller. Fills *res. gaps == NULL means the acknowledgement carries
 * no gap information at all (SHUTDOWN's Cumulative TSN Ack, 9.2): gap-acked
 * chunks then stay gap-acked instead of counting as reneged. */
void csctp_sendq_on_sack(csctp_sendq *q, csctp_path *paths, size_t npaths,
                         uint32_t cum_tsn, const uint16_t *gaps, size_t ngaps,
                         int in_fast_recovery, csctp_tstamp min_rtt,
                         csctp_tstamp now, csctp_sack_result *res);

/* csctp_sendq_mark_lost marks the in-flight chunk c for retransmission as a
 * fast retransmit (7.2.4 (1)), takes it out of its path's flight (6.2.1 C)
 * and counts it in res. */
void csctp_sendq_mark_lost(csctp_sendq *q, csctp_path *paths,
                           csctp_chunk_out *c, csctp_sack_result *res);

/* csctp_sendq_acked says whether tsn is acknowledged (cumulatively, or by a
 * gap block and still held). */
int csctp_sendq_acked(const csctp_sendq *q, uint32_t tsn);

/* csctp_sendq_first_on_path returns the lowest-TSN chunk still outstanding
 * (in flight or marked for retransmission) that was last sent on path, or
 * NULL. */
const csctp_chunk_out *csctp_sendq_first_on_path(const csctp_sendq *q,
                                                 uint8_t path);

/* csctp_sendq_mark_path_rtx marks every in-flight chunk last sent on path
 * for retransmission (6.3.3 E3) and removes it from the path's flight.
 * Returns how many were marked. */
uint32_t csctp_sendq_mark_path_rtx(csctp_sendq *q, csctp_path *paths,
                                   uint8_t path);

/* csctp_sendq_oldest_on_path returns 1 if some chunk is in flight on path. */
int csctp_sendq_path_has_inflight(const csctp_sendq *q, uint8_t path);

/* csctp_sendq_take_failed detaches the next message not fully acknowledged
 * (unsent or outstanding), for a SEND_FAILED report after the association
 * ended. Returns NULL when none is left. Messages are returned once. The
 * caller then calls csctp_sendq_free. */
const csctp_msg_out *csctp_sendq_next_failed(csctp_sendq *q);

/* csctp_sendq_move_unsent queues, in order, every message of from that was
 * never transmitted into to (fresh SSNs and TSNs), marking it reported in
 * from. Used when the peer restarts (RFC 9260 5.2.4 A keeps data). Returns
 * 0 or CSCTP_ERR_NOMEM (the messages not moved stay in from). */
int csctp_sendq_move_unsent(csctp_sendq *from, csctp_sendq *to,
                            size_t frag_point);

/* csctp_sendq_recut cuts again, at frag_point, every fragment still in
 * the unsent FIFO that is larger (the path MTU fell, RFC 9260 7.3, RFC 8899
 * 4.4): such fragments have no TSN yet, so the message keeps its SSN and
 * its fragments stay consecutive. B stays on the first piece, E and I on
 * the last. Returns 0, or CSCTP_ERR_NOMEM when a fragment could not be
 * cut (it and those after it stay as they were: still correct, only
 * larger). */
int csctp_sendq_recut(csctp_sendq *q, size_t frag_point);

/* csctp_sendq_add_streams raises the outbound stream count to nstreams
 * (RFC 6525 5.2.7 H6); the new streams start at SSN 0. Returns 0 or
 * CSCTP_ERR_NOMEM (nothing changed). */
int csctp_sendq_add_streams(csctp_sendq *q, uint16_t nstreams);

/* csctp_sendq_limit_streams lowers the outbound stream count to nstreams
 * (RFC 9260 5.1.1: the peer's MIS, learnt after messages may have been
 * queued). Every message queued on a stream >= nstreams and never
 * transmitted is taken out of the queue and handed to fail (once, marked
 * reported) before it is freed; it is never sent. */
void csctp_sendq_limit_streams(csctp_sendq *q, uint16_t nstreams,
                               void (*fail)(const csctp_msg_out *m, void *ud),
                               void *ud);

/* What a chunk takes from the peer's window: its user data plus an
 * allowance for the receiver's bookkeeping (q->chunk_overhead, from
 * csctp_settings.peer_chunk_overhead; CSCTP_PEER_CHUNK_OVERHEAD until the
 * association sets it). RFC 9260 6.2.1 B counts the data only; receivers
 * (ours included) charge their buffer per chunk too, and a sender that
 * ignores it overruns them with small messages. */
#define CSCTP_PEER_CHUNK_OVERHEAD 128u
static inline uint32_t csctp_chunk_rwnd_cost(const csctp_sendq *q,
                                             uint32_t len) {
  return len + q->chunk_overhead;
}

/* csctp_sendq_abandon_chunk marks an outstanding chunk (in flight,
 * gap-acked or marked for retransmission) abandoned (RFC 3758 3.5 A2): it
 * leaves its path's flight and the retransmission marks, and is never sent
 * again. */
void csctp_sendq_abandon_chunk(csctp_sendq *q, csctp_path *paths,
                               csctp_chunk_out *c);

/* csctp_sendq_drop_unsent takes m's never-sent fragments out of the unsent
 * FIFO. A message partly sent keeps its TSNs contiguous (RFC 9260 6.9: the
 * receiver reassembles by TSN): its remaining fragments take the next TSNs
 * and become outstanding chunks already abandoned, which the FORWARD TSN
 * covers (RFC 3758 3.5 A3). A message none of whose fragments was sent is
 * freed and gives its SSN back: the stream's later unsent ordered messages
 * move down by one, so that the peer never waits for a sequence number that
 * will not come; the caller reads nothing of m afterwards. */
void csctp_sendq_drop_unsent(csctp_sendq *q, csctp_msg_out *m);

/* Size of a DATA chunk on the wire (header + padded payload). */
uint32_t csctp_chunk_out_wire_size(const csctp_chunk_out *c);

#endif
