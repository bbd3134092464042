/* reconf.h -- stream reconfiguration (RFC 6525): the RE-CONFIG chunk, its
 * request and response parameters, the Re-configuration Timer and the
 * events of RFC 6525 6.1. Internal to the engine.
 *
 * Negotiation (RFC 6525 5.1.1): when csctp_settings.reconf_supported is
 * set, our INIT and INIT ACK list RE-CONFIG in the Supported Extensions
 * parameter; the extension is on for an association when the peer listed
 * it too. Off, a RE-CONFIG chunk is an unknown chunk and the calls fail
 * with CSCTP_ERR_NOT_SUPPORTED.
 *
 * Sender (5.1): one request in flight at a time (its chunk kept for
 * retransmission on the timer, RTO with doubling, error counters and
 * thresholds as for DATA). Outgoing SSN Reset (5.1.2): refused with
 * CSCTP_ERR_AGAIN while a listed stream has queued unsent messages (their
 * SSNs are already assigned); while it is in flight csctp_send on a listed
 * stream gives CSCTP_ERR_AGAIN (A1: no new SSN on those streams). Add
 * Outgoing Streams (5.1.5): the streams are used only after a success.
 *
 * Receiver (5.2): requests are checked against the expected request
 * sequence number (a retransmission of the last one gets its response
 * again; others "Bad Sequence Number"); SSN resets and stream additions
 * are denied unless enabled (RFC 6525 6.3.1, default deny). An Outgoing
 * SSN Reset whose Sender's Last Assigned TSN is above our cumulative TSN
 * answers "In progress" (E2) and is performed when the cumulative TSN
 * reaches it; the peer's retransmission then gets "Performed". A
 * compliant peer sends nothing on the affected streams before that (A1),
 * so no DATA has to be held back. An Incoming SSN Reset is answered by an
 * Outgoing SSN Reset request (F1), by "Nothing to do" when our own
 * request in flight covers its streams (5.2.3), by "In progress" while a
 * listed stream has unsent messages, by "Request already in progress"
 * while another request of ours is in flight. Add Incoming Streams is
 * answered by an Add Outgoing Streams request (5.2.6).
 *
 * SSN/TSN Reset (4.3, 5.1.4, 5.2.4; the functions named reconf_tsn_*).
 * Sender: csctp_reset_assoc is refused with CSCTP_ERR_AGAIN while any TSN
 * is outstanding or a message was sent in part (C2: we consider nothing
 * abandoned); while the request is in flight messages are queued but no
 * DATA is sent and no TSN assigned (C2), and SACKs are ignored (a SACK
 * bundled before the response may already carry the new cumulative TSN).
 * On "Performed" (H5) our next TSN becomes the response's Receiver's Next
 * TSN, the peer's the Sender's Next TSN, every stream starts from SSN 0
 * both ways; the messages queued meanwhile are renumbered from SSN 0.
 * Receiver (denied unless CSCTP_ENABLE_RESET_ASSOC_REQ): "Request already
 * in progress" while a request of ours is in flight (crossing requests
 * both fail); "In progress" while our own DATA is outstanding or a message
 * of ours was sent in part, so that G3 never declares unacknowledged data
 * delivered; the peer's retransmission (H2) is then judged again. Else G1
 * to G7, the response carrying both next TSNs (D3, D4). Both sides report
 * CSCTP_EV_ASSOC_RESET (6.1.2).
 *
 * Choosing the next TSNs (5.2.4 G1, G2; both SHOULDs). R is the
 * Receiver's Next TSN we give, S our own next TSN (the Sender's Next TSN).
 * usrsctp (0.9.5, and its sources of 2025), when it asked for the reset,
 * (1) handles S - 1 as a FORWARD TSN and aborts the association ("New cum
 * ack ... too high") when S - 1 lies further past its cumulative TSN than
 * its receive buffer holds, and (2) sets the last acknowledged TSN of its
 * own data to S - 1, a number of our TSN space, then drops as old every
 * SACK whose cumulative TSN is not serially above it: with R - S (mod
 * 2^32) at 2^31 or more it never sees an acknowledgement again and stops
 * sending. The RFC's values put R - S anywhere (the two TSN spaces are
 * unrelated) and move it by about 2^31 from one reset to the next. So S
 * is always G2's (highest TSN sent + 1: all of it acknowledged, so (1)
 * holds), and R is G1's (cumulative TSN + 1 + 2^31) when R - S < 2^31;
 * otherwise R = S + 7 * 2^28 when that puts R - 1 between 2^28 and 2^31
 * past the peer's cumulative TSN, else R = S (R - 1 then lies 2^31 to
 * 2^31 + 2^29 past it). The peer's TSNs sent before the reset (fewer than
 * 2^28 in flight: a DATA chunk takes more than 16 bytes of a window below
 * 2^32) then lie serially behind R - 1, or in the last case so far ahead
 * of it that the TSN map drops them as beyond its window; our own old
 * cumulative TSNs lie behind S - 1 as with the RFC's values. */
#ifndef CSCTP_RECONF_H
#define CSCTP_RECONF_H

#include "chunk.h"
#include "csctp.h"

#include <stdint.h>

/* Parameter types (RFC 6525 4). */
enum {
  CSCTP_PT_OUT_SSN_RESET = 13,
  CSCTP_PT_IN_SSN_RESET = 14,
  CSCTP_PT_SSN_TSN_RESET = 15,
  CSCTP_PT_RECONF_RESP = 16,
  CSCTP_PT_ADD_OUT_STREAMS = 17,
  CSCTP_PT_ADD_IN_STREAMS = 18
};

/* Result codes (RFC 6525 4.4, Table 3). */
enum {
  CSCTP_RECONF_NOTHING = 0,
  CSCTP_RECONF_PERFORMED = 1,
  CSCTP_RECONF_DENIED = 2,
  CSCTP_RECONF_WRONG_SSN = 3,
  CSCTP_RECONF_IN_USE = 4,
  CSCTP_RECONF_BAD_SEQ = 5,
  CSCTP_RECONF_IN_PROGRESS = 6
};

/* What a request in flight or an answer needs; allocated on first use so
 * that an idle association carries only csctp_reconf. */
typedef struct csctp_reconf_state {
  /* Our request in flight: its parameters as on the wire (owned). */
  uint8_t *req;
  size_t req_len;
  uint8_t req_done[2]; /* per parameter: answered */
  uint8_t send_req;    /* (re)send it in the next packet */
  uint8_t no_errors;   /* "In progress": expiry counts no error (H2) */
  uint8_t req_path;
  csctp_tstamp timer, rto;
  /* Responses to send (at most two per chunk, 3.1). */
  uint32_t resp_sn[2], resp_res[2];
  uint8_t nresp;
  /* Results of the last requests processed, for retransmissions. */
  uint32_t last_sn[2], last_res[2];
  uint8_t nlast;
  /* The last SSN/TSN Reset performed for the peer: its request sequence
   * number and the TSNs of the response (D3, D4), sent again with a
   * retransmitted request's answer. */
  uint8_t tsn_valid;
  uint32_t tsn_sn, tsn_snd_next, tsn_rcv_next;
  /* After an SSN/TSN reset: the cumulative TSNs it started both ways
   * from. TSNs of the space before it lie 2^31 behind (G1), which serial
   * arithmetic reads as ahead once a few new TSNs have passed: SACKs and
   * FORWARD TSNs behind these bases are stale and dropped. Cleared once
   * the numbers moved 2^30 on. */
  uint8_t tsn_epoch_local, tsn_epoch_remote;
  uint32_t tsn_local_base, tsn_remote_base;
  /* The response being processed carries both TSN fields (4.4). */
  uint8_t in_has_tsn;
  uint32_t in_snd_next, in_rcv_next;
  /* A deferred Outgoing SSN Reset (E2): owned stream list. */
  uint8_t deferred;
  uint32_t def_sn, def_tsn;
  uint16_t *def_sids, def_n;
} csctp_reconf_state;

typedef struct csctp_reconf {
  uint8_t on;             /* negotiated (5.1.1) */
  uint8_t enable;         /* CSCTP_ENABLE_* for the peer's requests (6.3.1) */
  uint32_t next_sn;       /* our next request sequence number (A2) */
  uint32_t peer_sn;       /* the peer's next expected request sequence number */
  csctp_reconf_state *st; /* NULL until used */
} csctp_reconf;

struct csctp_assoc;

void csctp_reconf_init(struct csctp_assoc *a);
void csctp_reconf_free(struct csctp_assoc *a);
/* csctp_reconf_restarted: the peer restarted (RFC 9260 5.2.4 A) and knows
 * nothing of our request in flight: each of its parameters not answered yet
 * is reported failed (RFC 6525 6.1.1-6.1.3) and the request dropped. */
void csctp_reconf_restarted(struct csctp_assoc *a);
/* 1 when an INIT or INIT ACK lists RE-CONFIG in Supported Extensions. */
int csctp_reconf_peer_supports(const csctp_init *in);
/* A RE-CONFIG chunk (RFC 6525 5.2). */
void csctp_reconf_on_chunk(struct csctp_assoc *a, const csctp_tlv *c,
                           csctp_tstamp now);
/* After DATA or FORWARD TSN moved the cumulative TSN (E2, E4). */
void csctp_reconf_after_data(struct csctp_assoc *a);
/* 1 while a request in flight stops new messages on outbound stream sid
 * (5.1.2 A1). */
int csctp_reconf_blocks(const struct csctp_assoc *a, uint16_t sid);
/* Appends what is due (responses, the request) to a packet to path pi. */
void csctp_reconf_put(struct csctp_assoc *a, csctp_buf *b, uint8_t pi,
                      csctp_tstamp now);
/* 1 while our SSN/TSN Reset Request is in flight: no DATA is sent and
 * no TSN assigned (RFC 6525 5.1.4 C2). */
int csctp_reconf_holds_data(const struct csctp_assoc *a);
/* 1 when a SACK with cumulative TSN cum must be ignored: our SSN/TSN reset
 * is in flight, or cum lies behind the TSN a reset started our numbers
 * from (a SACK sent before the peer performed it, 5.2.4 G1). */
int csctp_reconf_drops_sack(struct csctp_assoc *a, uint32_t cum);
/* 1 when a FORWARD TSN to new_cum must be ignored: it lies behind the
 * TSN an SSN/TSN reset started the peer's numbers from (stale). */
int csctp_reconf_drops_fwd(struct csctp_assoc *a, uint32_t new_cum);
/* 1 when the answer to an SSN/TSN Reset Request waits to be sent: it goes
 * before the SACK of the same packet, whose cumulative TSN is already the
 * new one (5.2.4 G4), so that the peer has performed the reset (H5) when
 * it reads the SACK; read the other way round the SACK would acknowledge
 * TSNs the peer never sent. */
int csctp_reconf_answer_first(const struct csctp_assoc *a);
/* RFC 6525 5.2.4 G1, G2: the Receiver's Next TSN (*rcv_next) and our own
 * next TSN (*snd_next) for an SSN/TSN Reset Request we perform, from the
 * peer's cumulative TSN and our next TSN (nothing of ours outstanding).
 * Both are SHOULDs; see "Choosing the next TSNs" above. */
void csctp_reconf_tsn_choose(uint32_t peer_cum, uint32_t local_next,
                             uint32_t *snd_next, uint32_t *rcv_next);
csctp_tstamp csctp_reconf_expiry(const struct csctp_assoc *a);
void csctp_reconf_on_timer(struct csctp_assoc *a, csctp_tstamp now);

#endif
