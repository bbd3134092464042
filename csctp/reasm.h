/* reasm.h -- inbound streams: reassembly, ordered and unordered delivery,
 * partial delivery (RFC 9260 sections 6.5, 6.6 and 6.9; the partial delivery
 * point of RFC 6458 8.1.21). Internal to the engine.
 *
 * The caller de-duplicates DATA chunks with a csctp_tsnmap, hands each new
 * one to csctp_reasm_add and marks its TSN only when that succeeded. Complete
 * messages wait here until their stream order allows them out; they then
 * join one FIFO ready queue that csctp_reasm_read drains, in pieces if the
 * reader's buffer is small.
 *
 * Partial delivery: an incomplete message that is next in line (the stream's
 * next SSN, or any unordered message) and whose fragments received
 * contiguously from its B fragment hold at least pd_point bytes joins the
 * ready queue at once; later fragments become readable as they arrive. The
 * ready queue is read strictly in order, so a message is never interleaved
 * with another in the reader's byte stream: while the message at its head is
 * incomplete and everything received of it was read, csctp_reasm_read
 * returns CSCTP_ERR_AGAIN even if later messages are complete.
 * pd_point 0 makes every next-in-line message readable as it arrives.
 *
 * Interleaved reads (RFC 6458 8.1.20 level 2, csctp_reasm_set_interleave):
 * a read may take a part of any message in the ready queue that is the
 * first of its stream there and has bytes to read, so a message under
 * partial delivery that waits for its next fragment no longer holds back
 * the other streams' messages. Per stream, messages are still read one
 * after the other in queue order (8.1.20: no other message of stream Y
 * until Y's partially delivered one was read; RFC 8260 4.3.1: ordered and
 * unordered alike). Order: round robin over the messages in progress in
 * ready-queue order; a read takes the first such message with bytes to
 * read after the one the previous read left unfinished, wrapping round to
 * the head of the queue (and so to that one again when no other has
 * bytes). csctp_reasm_read_cont continues that one message only. Level 0
 * and 1 read the queue strictly in order, as above. Choosing walks the
 * queue up to the message chosen: O(queue length) at level 2 while a
 * message is unfinished, O(1) otherwise.
 *
 * Memory: one allocation per DATA chunk (header and payload together), one
 * node per message or run of contiguous fragments, a hash index over the
 * runs held for reassembly or ordering, and one small record per ordered
 * stream actually used. Every operation is O(1) expected per chunk.
 */
#ifndef CSCTP_REASM_H
#define CSCTP_REASM_H

#include "chunk.h"
#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

struct csctp_reasm_run;
struct csctp_reasm_stream;

/* The fields are private; the struct is visible so that it can be embedded. */
typedef struct csctp_reasm {
  const csctp_mem *mem;
  size_t pd_point;
  uint16_t ninstreams;
  /* Ordered stream records, open addressing keyed by sid. */
  struct csctp_reasm_stream *streams;
  size_t nstreams_cap, nstreams;
  /* Hash index over runs not yet complete and ready: by first TSN, by last
   * TSN, by (sid, ssn) for ordered runs that start with a B fragment. */
  struct csctp_reasm_run **buckets; /* 3 * nbuckets chain heads */
  size_t nbuckets, nruns;
  /* Ready queue: messages in the order they became readable. */
  struct csctp_reasm_run *qhead, *qtail;
  /* The message the last read left unfinished (NULL after its end). */
  struct csctp_reasm_run *cur;
  /* Fragment interleave level 2 (RFC 6458 8.1.20; see "Interleaved reads"
   * above): seen is a bitmap of 2^16 streams used while choosing. */
  int interleave;
  uint8_t *seen;
  size_t held;   /* unread payload bytes held, ready or not */
  size_t nfrags; /* fragments held, for the memory they cost beyond data */
  size_t ready;  /* unread payload bytes in the ready queue */
  /* PR-SCTP (RFC 3758): a sender may abandon a message after sending part
   * of it and give the next TSN to a new message. Set, a first fragment
   * right after an unfinished message (or a middle/last fragment right
   * before a first one) is taken instead of being a protocol violation;
   * the unfinished message waits for the FORWARD TSN that drops it. */
  int pr_gaps;
} csctp_reasm;

/* csctp_reasm_init prepares r for ninstreams (>= 1) inbound streams.
 * Allocates nothing. Returns 0 or CSCTP_ERR_INVAL. */
int csctp_reasm_init(csctp_reasm *r, const csctp_mem *mem, uint16_t ninstreams,
                     size_t pd_point);

/* csctp_reasm_free releases everything r holds. */
void csctp_reasm_free(csctp_reasm *r);

/* csctp_reasm_add takes one new (de-duplicated) DATA chunk whose sid is
 * below ninstreams and copies its payload. from is the path it arrived on
 * (may be NULL). Returns 0; CSCTP_ERR_NOMEM (nothing kept: do not mark the
 * TSN, the peer retransmits); CSCTP_ERR_PROTO when the chunk cannot fit with
 * the ones held (a fragment whose TSN neighbours belong to another message,
 * a B fragment right after an unfinished message, a second message with the
 * SSN of one still held, the SSN just before the stream's next expected
 * one: any other is at most 2^16 - 2 ahead, which RFC 9260 6.1 allows);
 * CSCTP_ERR_INVAL on a bad argument. Nothing is kept on error. */
int csctp_reasm_add(csctp_reasm *r, const csctp_data *d,
                    const csctp_addr *from);

/* csctp_reasm_held_bytes returns the unread payload bytes held, ready or
 * not. csctp_reasm_charged_bytes adds a fixed bookkeeping charge per
 * fragment held, so that a receive buffer sized from it also bounds the
 * memory of tiny messages; a_rwnd is computed from it. */
size_t csctp_reasm_held_bytes(const csctp_reasm *r);
size_t csctp_reasm_charged_bytes(const csctp_reasm *r);

/* csctp_reasm_ready_bytes returns the unread payload bytes in the ready
 * queue. They are read in queue order, so a partially delivered message at
 * its head that waits for its next fragment holds the others back. */
size_t csctp_reasm_ready_bytes(const csctp_reasm *r);

/* csctp_reasm_pd_head returns 1 when the head of the ready queue is a
 * message under partial delivery (still missing its end), and then sets
 * *next_tsn to the TSN that continues it, *charged to what its unread part
 * costs in csctp_reasm_charged_bytes (0 once all received was read: the
 * reader waits for it, and whatever is queued behind it cannot be read
 * first) and *frag_max to its largest fragment so far. Else returns 0. */
int csctp_reasm_pd_head(const csctp_reasm *r, uint32_t *next_tsn,
                        size_t *charged, size_t *frag_max);

/* csctp_reasm_pd_msg returns 1 when the message being read in parts (the
 * last read left it unfinished; else the head of the ready queue) is a
 * message under partial delivery, and then sets *first to its first TSN,
 * *sid, *ssn and *unordered to its stream, SSN and U flag: a caller that
 * may drop messages (a FORWARD TSN) compares before and after to learn
 * that the one being read in parts is gone (RFC 6458 6.1.7). Else 0. */
int csctp_reasm_pd_msg(const csctp_reasm *r, uint32_t *first, uint16_t *sid,
                       uint16_t *ssn, int *unordered);

/* csctp_reasm_has_ready returns 1 when csctp_reasm_read would copy data. */
int csctp_reasm_has_ready(const csctp_reasm *r);

/* csctp_reasm_read copies the next message, or its next part, into buf.
 * Sets info->sid, ssn, ppid, tsn (the message's first TSN), flags
 * (CSCTP_RCV_UNORDERED; CSCTP_RCV_EOR when this read ends the message) and
 * from (path of the last fragment copied); leaves assoc_id and cumtsn
 * alone. Copies at most buflen bytes; the rest of the message stays for the
 * next call. Returns the bytes copied, or CSCTP_ERR_AGAIN when nothing is
 * readable. */
csctp_ssize csctp_reasm_read(csctp_reasm *r, csctp_rcvinfo *info, uint8_t *buf,
                             size_t buflen);
/* csctp_reasm_read_cont reads as csctp_reasm_read, but only from the
 * message the last read left unfinished: CSCTP_ERR_AGAIN when there is
 * none or it has no bytes to read now. For a reader that fills several
 * buffers with one message (a scatter read). */
csctp_ssize csctp_reasm_read_cont(csctp_reasm *r, csctp_rcvinfo *info,
                                  uint8_t *buf, size_t buflen);
/* csctp_reasm_set_interleave sets interleaved reads on (level 2) or off
 * (see "Interleaved reads" above). Returns 0 or CSCTP_ERR_NOMEM (an 8 KiB
 * bitmap is allocated on first use; nothing changed). */
int csctp_reasm_set_interleave(csctp_reasm *r, int on);

/* FORWARD TSN (RFC 3758 3.6). csctp_reasm_forget_before drops every
 * message held that can no longer complete once the cumulative TSN is
 * new_cum: an incomplete one with a fragment at or below new_cum, or
 * without its first fragment right above it. A message under partial
 * delivery ends there (what was read stays read; the next read begins
 * another message). csctp_reasm_skip_ssn makes the ordered messages of
 * stream sid up to and including ssn deliverable (complete ones held
 * join the ready queue, in SSN order; others are dropped) and expects
 * ssn + 1 next; an ssn behind the stream's next expected one changes
 * nothing. Returns 0 or CSCTP_ERR_NOMEM (no stream record: nothing
 * changed). */
void csctp_reasm_forget_before(csctp_reasm *r, uint32_t new_cum);
int csctp_reasm_skip_ssn(csctp_reasm *r, uint16_t sid, uint16_t ssn);
/* Partial delivery of a message put together elsewhere (I-DATA: by FSN,
 * idata.h). csctp_reasm_ext_open queues a run for the message whose first
 * (B) part d is, copying d's payload: d->sid, ssn, ppid, tsn, the U flag.
 * An ordered one must be its stream's next (csctp_reasm_next_ssn); the
 * stream then expects the SSN after it, and complete messages held for it
 * follow it in the ready queue. Returns the run, NULL when out of memory
 * (nothing changed). csctp_reasm_ext_append adds the next part (last: it
 * ends the message, and the run is no longer the caller's); 0 or
 * CSCTP_ERR_NOMEM (nothing changed). csctp_reasm_ext_abort ends the
 * message where it is: what was read stays read, the rest is dropped, the
 * next read begins another message. */
struct csctp_reasm_run *csctp_reasm_ext_open(csctp_reasm *r,
                                             const csctp_data *d,
                                             const csctp_addr *from);
int csctp_reasm_ext_append(csctp_reasm *r, struct csctp_reasm_run *u,
                           const uint8_t *p, size_t len, int last,
                           const csctp_addr *from);
void csctp_reasm_ext_abort(csctp_reasm *r, struct csctp_reasm_run *u);
/* The SSN stream sid expects next (0 for a stream never used). */
uint16_t csctp_reasm_next_ssn(const csctp_reasm *r, uint16_t sid);

/* csctp_reasm_reset_ssn makes stream sid expect SSN 0 next (RFC 6525
 * 5.2.2 E3). */
void csctp_reasm_reset_ssn(csctp_reasm *r, uint16_t sid);
/* csctp_reasm_tsn_reset performs an SSN/TSN reset (RFC 6525 5.2.4 G4, G5)
 * on what is held, highest being the highest TSN received: messages that
 * cannot complete are dropped, complete ordered ones waiting for an
 * earlier SSN become readable (in SSN order), and every stream expects
 * SSN 0 next. */
void csctp_reasm_tsn_reset(csctp_reasm *r, uint32_t highest);

#endif
