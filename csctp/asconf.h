/* asconf.h -- dynamic address reconfiguration (RFC 5061): the ASCONF and
 * ASCONF-ACK chunks, the Add IP Address, Delete IP Address and Set Primary
 * Address requests with their responses, the sequence number rules, the
 * T-4 RTO timer, and what a request does to the association's paths.
 * Internal to the engine; the public calls are csctp_asconf_* in csctp.h.
 *
 * Negotiation (RFC 5061 4.1.1, 4.2.7, 6.1; RFC 4895): an endpoint where
 * csctp_asconf_enable was called offers AUTH, lists ASCONF and ASCONF-ACK
 * in its CHUNKS parameter (so that it accepts them only authenticated) and
 * in its Supported Extensions parameter. ASCONF is on for an association
 * when AUTH is on and both key vectors list both chunk types: a peer that
 * asks for them authenticated supports them, and we send them
 * authenticated. Off, an ASCONF is an unknown chunk; an ASCONF or
 * ASCONF-ACK that did not come after a valid AUTH chunk is discarded.
 *
 * Sender (5.1): requests are queued; one ASCONF is outstanding at a time
 * (C1), kept as built for retransmission on the T-4 timer (B1-B5: the
 * path's and the association's error counters, RTO doubling, an alternate
 * path). Its ASCONF-ACK is matched by sequence number (A5-A8, F0).
 *
 * Receiver (5.2): E1-E5 (the expected sequence number is processed, the
 * previous one gets the cached ASCONF-ACK again, others are dropped), the
 * refusals of F5-F9 and F11, a new address becomes an unconfirmed path
 * verified by HEARTBEAT (F14), a deleted one's path goes away with its
 * in-flight DATA moved to another path (F13), Set Primary (5.4). */
#ifndef CSCTP_ASCONF_H
#define CSCTP_ASCONF_H

#include "chunk.h"
#include "csctp.h"

#include <stdint.h>

/* Parameter types (RFC 5061 4.2). */
enum {
  CSCTP_PT_ADD_IP = 0xC001,
  CSCTP_PT_DEL_IP = 0xC002,
  CSCTP_PT_ERROR_IND = 0xC003,
  CSCTP_PT_SET_PRIMARY = 0xC004,
  CSCTP_PT_SUCCESS_IND = 0xC005,
  CSCTP_PT_ADAPTATION = 0xC006
};

/* Error causes (RFC 5061 4.3). */
enum {
  CSCTP_CAUSE_DEL_LAST_ADDR = 0x00A0,
  CSCTP_CAUSE_RESOURCE_SHORTAGE = 0x00A1,
  CSCTP_CAUSE_DEL_SOURCE_ADDR = 0x00A2,
  CSCTP_CAUSE_ILLEGAL_ASCONF_ACK = 0x00A3,
  CSCTP_CAUSE_NO_AUTHORIZATION = 0x00A4
};

#define CSCTP_ASCONF_MAX_REQS 8 /* requests in one ASCONF / waiting */
#define CSCTP_ASCONF_MAX_CHUNK 512
/* ASCONF-ACKs kept for retransmitted ASCONFs (5.2 E2, 5.5 bundling). */
#define CSCTP_ASCONF_ACK_CACHE 4

/* One ASCONF-ACK built (E4): its value (sequence number first), whether
 * it goes into the next response (E2, E6). */
typedef struct csctp_asconf_ack {
  uint32_t sn;
  uint8_t pending;
  size_t len;
  uint8_t v[CSCTP_ASCONF_MAX_CHUNK];
} csctp_asconf_ack;

/* One request of ours: its parameter type and address. */
typedef struct csctp_asconf_req {
  uint16_t type;
  uint32_t corr; /* correlation id (A1) */
  csctp_addr addr;
} csctp_asconf_req;

/* What a request in flight or an answer needs; made on first use. */
typedef struct csctp_asconf_state {
  uint8_t peer_unsup; /* A9: the peer did not recognise ASCONF */
  uint8_t no_addel;   /* F3a: Add / Delete not understood */
  uint8_t no_setprim; /* F3b: Set Primary not understood */
  uint32_t next_sn;   /* our next sequence number (A2) */
  uint32_t peer_sn;   /* 'Peer-Sequence-Number': the last one processed */
  /* Ours: the outstanding ASCONF (chunk value, sequence number first) and
   * the requests it carries; those queued behind it (C1). */
  uint8_t req[CSCTP_ASCONF_MAX_CHUNK];
  size_t req_len;
  csctp_asconf_req sent[CSCTP_ASCONF_MAX_REQS];
  uint8_t nsent;
  csctp_asconf_req queued[CSCTP_ASCONF_MAX_REQS];
  uint8_t nqueued;
  uint8_t outstanding, send_req, req_path;
  csctp_tstamp t4; /* T-4 RTO timer (A4) */
  uint32_t next_corr;
  /* Theirs: the last ASCONF-ACKs built, oldest first (E4: cached for
   * retransmissions), whether some are to be sent and where (E6). */
  csctp_asconf_ack acks[CSCTP_ASCONF_ACK_CACHE];
  uint8_t nacks, send_ack, ack_path;
  /* Our addresses the peer accepted (F2: usable as sources) and those we
   * deleted (F4: never a source again), at most CSCTP_ASCONF_MAX_REQS. */
  csctp_addr added[CSCTP_ASCONF_MAX_REQS], gone[CSCTP_ASCONF_MAX_REQS];
  uint8_t nadded, ngone;
  /* The peer's addresses it deleted, oldest first, and until when a late
   * packet from each is still taken (5.3: at most 2 RTO; F13 after). */
  csctp_addr peer_gone[CSCTP_ASCONF_MAX_REQS];
  csctp_tstamp peer_gone_until[CSCTP_ASCONF_MAX_REQS];
  uint8_t npeer_gone;
} csctp_asconf_state;

/* In the association: only a pointer, so that an idle association stays
 * small; the state is made by the first request or ASCONF. */
typedef struct csctp_asconf {
  csctp_asconf_state *st; /* NULL until used */
} csctp_asconf;

struct csctp_assoc;
struct csctp_endpoint;

/* 1 when association a uses ASCONF (negotiated, not refused by A9). */
int csctp_asconf_active(const struct csctp_assoc *a);
/* 1 when ep offers ASCONF (csctp_asconf_enable). */
int csctp_asconf_ep_enabled(const struct csctp_endpoint *ep);
/* Called when the association is set up (tags and TSNs known): decides
 * whether ASCONF is on and sets the sequence numbers (A2). */
void csctp_asconf_start(struct csctp_assoc *a);
void csctp_asconf_free(struct csctp_assoc *a);
/* a's state, made on first use (sequence numbers from the initial TSNs,
 * 5.1 A2); NULL when out of memory. */
csctp_asconf_state *csctp_asconf_get(struct csctp_assoc *a);
/* An ASCONF or ASCONF-ACK chunk c in a packet from src; authed: an AUTH
 * chunk before it was valid. first: c is the first ASCONF of its packet
 * (E1). Returns 1 when the rest of the packet must be discarded. */
int csctp_asconf_on_chunk(struct csctp_assoc *a, const csctp_tlv *c, int authed,
                          const csctp_addr *src, uint8_t path, int first,
                          csctp_tstamp now);
/* An ERROR chunk reported ASCONF as unrecognised (A9). */
void csctp_asconf_on_unrecognized(struct csctp_assoc *a, uint8_t type);
/* 1 when an ABORT sent to our address dst must be ignored: dst is being
 * deleted by our outstanding ASCONF (5.3.1, F4). */
int csctp_asconf_ignore_abort(const struct csctp_assoc *a,
                              const csctp_addr *dst);
/* 1 when x is one of our addresses an ASCONF of ours deleted (or is
 * deleting): never again a source for the association (F4, F6). */
int csctp_asconf_local_gone(const struct csctp_assoc *a, const csctp_addr *x);
/* 1 when a packet from src must be treated as out of the blue: the peer
 * deleted src by ASCONF more than 2 RTO ago (5.3 F13). */
int csctp_asconf_peer_gone(const struct csctp_assoc *a, const csctp_addr *src,
                           csctp_tstamp now);
/* The path an ASCONF or ASCONF-ACK waits for, or -1. */
int csctp_asconf_want_path(const struct csctp_assoc *a);
/* Appends what is due on path pi (the ASCONF-ACK, the ASCONF). */
void csctp_asconf_put(struct csctp_assoc *a, csctp_buf *b, uint8_t pi,
                      csctp_tstamp now);
csctp_tstamp csctp_asconf_expiry(const struct csctp_assoc *a);
void csctp_asconf_on_timer(struct csctp_assoc *a, csctp_tstamp now);
/* Queue one request without the caller-side checks of the public calls
 * (tests use it to send what a faulty peer would). 0 or an error. */
int csctp_asconf_queue(struct csctp_assoc *a, uint16_t type,
                       const csctp_addr *addr, csctp_tstamp now);
/* Removes path pi (F13): its in-flight DATA is marked for retransmission
 * elsewhere, every path index is renumbered. Needs npaths > 1. */
void csctp_asconf_remove_path(struct csctp_assoc *a, uint8_t pi);

#endif
