/* idata.h -- user message interleaving: the I-DATA chunk of RFC 8260
 * section 2. Internal to the engine.
 *
 * Negotiation (RFC 8260 2.2.1): when csctp_settings.interleaving_supported
 * is set our INIT and INIT ACK list I-DATA in the Supported Extensions
 * parameter (RFC 5061 4.2.7); interleaving is on for an association when
 * both sides list it. It is off by default: RFC 8260 2.2.1 wants the user
 * to ask for it. On, every user message goes in I-DATA chunks and a DATA
 * chunk from the peer aborts the association; off, the reverse (2.2.3).
 *
 * PR-SCTP with I-DATA (RFC 8260 2.3.1): I-FORWARD-TSN is listed too when
 * PR-SCTP is on (csctp_settings.pr_supported); with I-DATA, PR-SCTP is on
 * only when both sides list I-FORWARD-TSN, and then I-FORWARD-TSN replaces
 * FORWARD TSN (receiving a FORWARD TSN aborts, and an I-FORWARD-TSN on an
 * association using DATA too). Abandoned messages are listed by (stream,
 * U bit, highest MID), ordered and unordered alike; the receiver drops
 * the incomplete messages listed and lets each listed ordered stream go on
 * after the MID.
 *
 * Sender (2.2.2): fragments are cut as for DATA; a message gets its Message
 * Identifier when its first fragment is sent (one counter for ordered and
 * one for unordered messages per outbound stream, from 0) and each fragment
 * its Fragment Sequence Number (0 for the first, carried implicitly: the
 * B fragment carries the PPID in that field). TSNs are given at
 * transmission; which stream's fragment goes next is the stream
 * scheduler's choice (stream_sched.h), one message at a time per stream.
 *
 * Receiver (2.2.3): fragments are put together by (stream, U bit, MID) and
 * FSN, never by TSN. A complete message joins the stream's ordering in the
 * reassembly module (reasm.h) as one unfragmented message whose SSN is the
 * low 16 bits of its MID (RFC 8260 4.1 reports those as the SSN) and whose
 * TSN is its first fragment's. Partial delivery (RFC 6458 8.1.21): a
 * message next in line with the partial delivery point received from its
 * B fragment on goes to the reader in parts before it is complete, one
 * such message at a time per association, or per stream at fragment
 * interleave level 2 (idata.c "Partial delivery");
 * an I-FORWARD-TSN that abandons it raises CSCTP_EV_PARTIAL_DELIVERY.
 *
 * Linux's numbering: Linux 6.1 (net/sctp/stream_interleave.c) numbers
 * the fragments after the B one from 0 (B, 0, 1, ... where RFC 8260 2.1
 * has B = 0, then 1, 2, ...), and its receiver expects that numbering
 * back: after a B fragment it waits for FSN 0, so RFC-numbered fragments
 * never complete there. Per association we learn which numbering the
 * peer uses: a non-B fragment with FSN 0 cannot occur in RFC numbering
 * (short of 2^32 fragments), so it means "from 0" at once, and held
 * fragments are renumbered. The reverse needs care: {B, 1, .., n} is a
 * complete RFC message but also a from-0 one missing FSN 0. While the
 * numbering is unknown, a message that is complete in RFC numbering is
 * delivered only once the cumulative TSN covers all its fragments (every
 * TSN between its B and E fragments arrived: a fragment with FSN 0 would
 * have been seen), and that teaches "RFC". Internally FSNs are always in
 * RFC numbering. Our sender numbers a message from 0 when the peer was
 * seen doing so when the message's MID is given (the message keeps its
 * numbering for retransmissions); otherwise as the RFC says.
 * INIT and INIT ACK name no implementation or version (which parameters a
 * stack lists, and in what order, is a guess, not a signal: nothing there
 * separates Linux 6.1 from a Linux that numbers as the RFC says), so until
 * Linux has sent a fragmented message our fragmented ones never complete
 * there. csctp_settings.idata_fsn_from0
 * (CSCTP_OPT_IDATA_FSN_FROM0, for Linux 6.1 peers) forces Linux's
 * numbering from the start: our sender numbers from 0 and the peer's first
 * fragment without B sets the mode to "from 0" whatever its FSN.
 *
 * Stream reset (RFC 8260 2.3.2, RFC 6525): resetting an outbound stream
 * resets both its MID counters to 0 (csctp_idata_reset_out); an inbound
 * reset makes the stream expect MID 0 through csctp_reasm_reset_ssn. */
#ifndef CSCTP_IDATA_H
#define CSCTP_IDATA_H

#include "chunk.h"
#include "csctp.h"
#include "stream_sched.h"

#include <stddef.h>
#include <stdint.h>

/* chunk header + TSN, SID, reserved, MID, PPID/FSN (RFC 8260 2.1) */
#define CSCTP_IDATA_HDR_LEN 20u
/* what an I-DATA header takes beyond a DATA header */
#define CSCTP_IDATA_EXTRA (CSCTP_IDATA_HDR_LEN - CSCTP_DATA_HDR_LEN)

/* One I-DATA chunk, decoded or to encode. ppid is meaningful with the B
 * flag (fsn is then 0), fsn without it. */
typedef struct csctp_idata_chunk {
  uint8_t flags; /* CSCTP_DATA_FLAG_* (same bits, RFC 8260 2.1) */
  uint32_t tsn;
  uint16_t sid;
  uint32_t mid;
  uint32_t ppid; /* host order */
  uint32_t fsn;
  const uint8_t *payload;
  size_t len;
} csctp_idata_chunk;

struct csctp_idata_msg;

/* How the peer numbers the fragments after the B one (see "Linux's
 * numbering" above). */
enum {
  CSCTP_IDATA_FSN_UNKNOWN = 0, /* not seen yet */
  CSCTP_IDATA_FSN_RFC,         /* 1, 2, ... (RFC 8260 2.1) */
  CSCTP_IDATA_FSN_FROM0        /* 0, 1, ... (Linux 6.1) */
};

typedef struct csctp_idata {
  uint32_t *mid_out; /* next MID per outbound stream: [2 * nout], ordered
                        then unordered; allocated on first use */
  uint16_t nout;
  uint8_t fsn_mode;   /* CSCTP_IDATA_FSN_*: the peer's numbering, learned */
  uint8_t settle_due; /* held messages to look at again (idata_settle) */
  uint32_t npd;       /* messages under partial delivery (> 1: level 2 only) */
  uint64_t pd_started, pd_aborted;
  struct csctp_idata_msg *rx; /* incomplete inbound messages, oldest first */
  size_t rx_bytes, rx_frags;  /* held in them */
  uint64_t chunks_out, chunks_in;
} csctp_idata;

/* What an association holds for interleaving and scheduling, allocated on
 * first use (csctp_assoc.ilv). */
typedef struct csctp_ilv {
  csctp_idata idata;
  csctp_sched sched;
} csctp_ilv;

struct csctp_assoc;
struct csctp_chunk_out;

/* Codec (RFC 8260 2.1). csctp_idata_decode returns 0 or
 * CSCTP_ERR_MALFORMED (shorter than 20 bytes); an I-DATA without user data
 * decodes with len 0. csctp_idata_put returns 0, CSCTP_ERR_NOBUF or
 * CSCTP_ERR_INVAL (too long). */
int csctp_idata_decode(const csctp_tlv *c, csctp_idata_chunk *out);
int csctp_idata_put(csctp_buf *b, const csctp_idata_chunk *d);
static inline size_t csctp_idata_chunk_size(size_t len) {
  return CSCTP_PAD4(CSCTP_IDATA_HDR_LEN + len);
}

/* Negotiation: whether an INIT or INIT ACK lists I-DATA (RFC 8260
 * 2.2.1). */
int csctp_idata_peer_supports(const csctp_init *in);

/* csctp_ilv_get returns a's state, allocated (zeroed) on first call; NULL
 * when out of memory. csctp_ilv_free frees it and everything in it. */
csctp_ilv *csctp_ilv_get(struct csctp_assoc *a);
void csctp_ilv_free(struct csctp_assoc *a);
/* Frees what a's I-DATA state holds (inbound fragments, MID counters: a
 * new association starts from 0); the scheduler's settings stay. */
void csctp_idata_free(struct csctp_assoc *a);

/* Sender. csctp_idata_out_size: the chunk's size on the wire (DATA or
 * I-DATA, as negotiated). csctp_idata_prepare gives c's message its MID
 * when c is the first of its fragments to go (0 or CSCTP_ERR_NOMEM: c must
 * not be sent now). csctp_idata_put_chunk encodes c (TSN already given) as
 * I-DATA: 0 or CSCTP_ERR_NOBUF (b unchanged). */
size_t csctp_idata_out_size(const struct csctp_assoc *a,
                            const struct csctp_chunk_out *c);
int csctp_idata_prepare(struct csctp_assoc *a, struct csctp_chunk_out *c);
int csctp_idata_put_chunk(struct csctp_assoc *a, csctp_buf *b,
                          struct csctp_chunk_out *c);

/* RFC 8260 2.3.2: the outbound streams listed (n big-endian sids at sids;
 * n == 0: all) start again from MID 0, ordered and unordered. */
void csctp_idata_reset_out(struct csctp_assoc *a, const uint8_t *sids,
                           size_t n);

/* Receiver: one I-DATA chunk. *result: 1 new data, 2 duplicate, 0 dropped
 * (as csctp_assoc_on_data). */
void csctp_idata_on_chunk(struct csctp_assoc *a, const csctp_tlv *c,
                          uint8_t path, const csctp_addr *src, int *result);

/* I-FORWARD-TSN (RFC 8260 2.3.1). The decoder returns 0 or
 * CSCTP_ERR_MALFORMED (shorter than 8 bytes, or a length that is not 8 +
 * 8 * n); entries are read with csctp_ifwd_entry. csctp_ifwd_put returns 0,
 * CSCTP_ERR_NOBUF or CSCTP_ERR_INVAL. */
typedef struct csctp_ifwd {
  uint32_t new_cum;
  size_t n;
  const uint8_t *entries;
} csctp_ifwd;
typedef struct csctp_ifwd_ent {
  uint16_t sid;
  uint8_t u; /* the entry is about unordered messages */
  uint32_t mid;
} csctp_ifwd_ent;
int csctp_ifwd_decode(const csctp_tlv *c, csctp_ifwd *out);
void csctp_ifwd_entry(const csctp_ifwd *f, size_t i, csctp_ifwd_ent *e);
int csctp_ifwd_put(csctp_buf *b, uint32_t new_cum, const csctp_ifwd_ent *e,
                   size_t n);
/* Whether an INIT or INIT ACK lists I-FORWARD-TSN: with I-DATA, PR-SCTP is
 * on only when both sides list it (2.3.1). */
int csctp_idata_peer_supports_ifwd(const csctp_init *in);
/* Sender: appends the I-FORWARD-TSN for Advanced.Peer.Ack.Point ap (RFC
 * 3758 3.5 C4 with (stream, U, MID) entries; ap is lowered when not every
 * entry fits). 0 or CSCTP_ERR_NOBUF (nothing written). */
int csctp_idata_put_ifwd(struct csctp_assoc *a, csctp_buf *b, uint32_t ap);
/* Receiver: an I-FORWARD-TSN. Returns 1 when it moved the cumulative TSN,
 * 2 when out of date (a SACK is due), 0 when malformed (as
 * csctp_prsctp_on_fwd_tsn). */
int csctp_idata_on_ifwd(struct csctp_assoc *a, const csctp_tlv *c);

/* SSN/TSN reset (RFC 6525 5.2.4 G4): the incomplete messages held cannot
 * complete any more and are dropped; one under partial delivery ends
 * there (CSCTP_EV_PARTIAL_DELIVERY). Every stream expects MID 0 next
 * (done in reasm, csctp_reasm_tsn_reset). */
void csctp_idata_tsn_reset(struct csctp_assoc *a);

/* The association's fragment interleave level changed
 * (csctp_set_fragment_interleave): the messages held are looked at again
 * with the next chunk. */
void csctp_idata_interleave_changed(struct csctp_assoc *a);

/* Receive buffer charge of the incomplete messages held (payload plus a
 * per-fragment allowance, as csctp_reasm_charged_bytes). */
size_t csctp_idata_charged(const struct csctp_assoc *a);
/* The window kept open for the oldest incomplete message (0: none). */
size_t csctp_idata_rwnd_floor(const struct csctp_assoc *a);

#endif
