/* engine.h -- the endpoint and association control blocks, shared by the
 * engine's modules (endpoint.c, assoc.c, assoc_data.c, assoc_output.c).
 * Internal. */
#ifndef CSCTP_ENGINE_H
#define CSCTP_ENGINE_H

#include "csctp.h"

#include "asconf.h"
#include "auth.h"
#include "chunk.h"
#include "cookie.h"
#include "htab.h"
#include "idata.h"
#include "path.h"
#include "prsctp.h"
#include "reasm.h"
#include "reconf.h"
#include "recovery.h"
#include "sendq.h"
#include "stream_sched.h"
#include "tsnmap.h"
#include "zcsum.h"

#include <stdarg.h>

/* Pending out-of-association responses (INIT ACK, ABORT for OOTB, ...),
 * a fixed ring allocated with the endpoint: answering an INIT never
 * allocates (5.1.3). */
#define CSCTP_CTRL_SLOTS 16
#define CSCTP_CTRL_SLOT_LEN 1500

typedef struct csctp_ctrl_slot {
  csctp_addr dst, src;
  size_t len;
  uint8_t pkt[CSCTP_CTRL_SLOT_LEN];
} csctp_ctrl_slot;

/* Largest number of gap blocks / dups we put in one SACK. */
#define CSCTP_MAX_SACK_GAPS 256 /* out_put_sack trims to the packet */
#define CSCTP_MAX_SACK_DUPS 16
/* Queued ERROR causes awaiting transmission. */
#define CSCTP_MAX_PENDING_ERRORS 4
/* Largest INIT we build (and keep for T1-init retransmission). */
#define CSCTP_MAX_INIT_LEN 512

typedef struct csctp_pending_error {
  uint16_t code;
  uint16_t len;
  uint8_t *value; /* len bytes, owned (allocated with the endpoint's mem) */
} csctp_pending_error;

typedef struct csctp_assoc csctp_assoc;

struct csctp_assoc {
  csctp_endpoint *ep;
  csctp_assoc *prev, *next; /* endpoint list */
  csctp_assoc_id id;
  uint32_t state; /* enum csctp_state */
  uint32_t local_tag, peer_tag;
  uint32_t local_tie_tag, peer_tie_tag; /* 5.2.2 */
  csctp_settings s;

  /* Paths (RFC 9260 6.4); path 0 is the first address. */
  csctp_path *paths; /* npaths used of paths_cap (at most CSCTP_MAX_PATHS):
                        allocated as addresses come, moves when it grows */
  uint8_t npaths, paths_cap;
  uint8_t primary;
  uint16_t peer_port;

  /* Sending. */
  csctp_sendq sq;
  struct csctp_eor_msg *eor; /* explicit EOR: the message open (eor.h) */
  uint16_t ostreams, istreams;
  uint32_t peer_rwnd;
  uint32_t frag_point;
  csctp_recovery rec; /* RACK-TLP (recovery.h) */
  uint8_t in_fast_recovery;
  uint32_t fast_recovery_exit;
  csctp_tstamp last_cwnd_cut; /* when loss last reduced cwnd */
  uint32_t error_count;       /* association error counter (8.1) */
  uint32_t burst;             /* packets with new DATA since the last input */
  uint8_t fast_rtx_now;   /* send one packet of fast retransmissions (7.2.4) */
  uint8_t t3_rtx_pending; /* a T3 expired: one packet of retransmissions */
  uint8_t t3_hold;        /* ...after which nothing until the next SACK */
  uint8_t zwp_sack_seen;  /* a SACK came during zero window probing (6.1 A) */
  uint8_t sender_dry_armed; /* data queued since the last SENDER_DRY event */
  csctp_prsctp pr;          /* PR-SCTP (prsctp.h) */
  csctp_reconf reconf;      /* stream reconfiguration (reconf.h) */
  /* User message interleaving (idata.h) and the stream scheduler
   * (stream_sched.h): their state is allocated on first use, so that an
   * association that uses neither pays one pointer (csctp_ilv_get). */
  struct csctp_ilv *ilv;

  /* Receiving. */
  csctp_tsnmap tsn;
  csctp_reasm rx;
  csctp_tstamp sack_timer; /* delayed SACK expiry or NEVER */
  uint32_t peer_initial_tsn;
  uint32_t pkts_unacked; /* packets with DATA since the last SACK */
  int sack_avoid;        /* path index whose replies seem lost, or -1 */
  uint32_t last_rwnd;    /* a_rwnd in the last SACK sent */
  uint8_t rx_ready;      /* tsnmap/reasm initialised */
  uint8_t sack_now;      /* send a SACK in the next packet */
  uint8_t sack_path;     /* where the last DATA came from */
  uint8_t sack_out_path; /* where the last SACK went */

  /* RFC 6458 8.1.20 fragment interleave level of csctp_recv, 0..2. */
  uint8_t frag_interleave;
  /* 6.4 duplicates (csctp_assoc_note_dup): the highest TSN received when
   * the last SACK went, the highest one a SACK to a path before
   * sack_out_path covered (sack_moved), the highest duplicate TSN of the
   * packet being read (dup_seen). */
  uint32_t sack_high, sack_moved_high, dup_high;
  uint8_t sack_any, sack_moved, dup_seen; /* sack_any: a SACK went out */

  /* The endpoint's indexes (ep_index.c). */
  csctp_tstamp heap_key; /* next timer as the timer heap knows it */
  size_t heap_idx;
  csctp_assoc *act_prev, *act_next; /* active list */
  csctp_assoc *rdy_prev, *rdy_next; /* ready list */
  csctp_assoc *due_next;            /* csctp_ep_run_timers' batch */
  uint8_t active, in_ready, changed_queued, tag_indexed;
  uint8_t budget_starved; /* window cut by the budget (budget.c) */
  uint8_t idata_on;       /* I-DATA negotiated (RFC 8260 2.2.1, idata.h) */
  uint8_t sched_type;     /* CSCTP_SS_*, stream scheduler (stream_sched.h) */
  uint8_t zcsum_send;     /* send checksum zero (RFC 9653 5.2, zcsum.h) */
  size_t budget_charged;  /* bytes counted in ep->budget->used */

  /* Setup (5.1). */
  uint32_t local_initial_tsn;
  uint32_t init_retrans;
  uint8_t *init_chunk; /* our INIT, kept for retransmission */
  size_t init_len;
  uint8_t *cookie; /* COOKIE ECHO payload, kept for retransmission */
  size_t cookie_len;
  uint8_t send_init, send_cookie_echo, send_cookie_ack;
  uint8_t setup_path; /* where INIT / COOKIE ECHO go; rotates on T1 */
  uint8_t init_paced; /* INIT waits for its turn (pacer.c); t1 holds it */
  csctp_tstamp t1;    /* T1-init / T1-cookie */
  csctp_tstamp t1_rto;

  /* Teardown (9.2). */
  uint8_t shutdown_requested;
  uint8_t send_shutdown, send_shutdown_ack;
  uint32_t shutdown_retrans;
  csctp_tstamp t2; /* T2-shutdown */
  csctp_tstamp t2_rto;
  csctp_tstamp t5; /* T5-shutdown-guard */

  /* Control chunks waiting for a packet. */
  csctp_pending_error errors[CSCTP_MAX_PENDING_ERRORS];
  uint8_t nerrors;
  uint8_t hb_ack_path;
  uint8_t send_hb_ack;
  uint8_t *hb_ack_info; /* HEARTBEAT value to echo (8.3); owned, hb_ack_cap
                           bytes, at most a path MTU */
  size_t hb_ack_len, hb_ack_cap;

  /* Life. */
  uint8_t dead;        /* ended: no more protocol, data may remain */
  int end_error;       /* CSCTP_ERR_* reported to readers after the end */
  csctp_tstamp hb_seq; /* heartbeat nonce counter */

  /* Counters for csctp_assoc_status. */
  uint64_t retransmits, fast_retransmits, t3_expiries;
  uint64_t spurious_retransmits, tail_loss_probes, fast_recoveries;
  uint64_t data_chunks_out, data_chunks_in, dup_tsns_in;
  uint64_t pkts_out, pkts_in;

  csctp_auth_assoc *auth; /* RFC 4895 (auth.h); NULL without AUTH */
  csctp_asconf asconf;    /* RFC 5061 (asconf.h) */
};

struct csctp_endpoint {
  csctp_mem mem;
  csctp_rand_fn rand;
  void *rand_ud;
  uint16_t port;
  int listening;
  csctp_settings settings;
  uint8_t frag_interleave; /* level of associations created from now on */
  csctp_addr *laddrs;
  size_t nladdrs;
  /* State Cookie keys (5.1.3): secret signs new cookies and changes every
   * Valid.Cookie.Life; old_secret, the one before, is still accepted until
   * old_secret_until. */
  uint8_t secret[CSCTP_COOKIE_KEY_LEN];
  uint8_t old_secret[CSCTP_COOKIE_KEY_LEN];
  csctp_tstamp secret_born;       /* when secret was drawn */
  csctp_tstamp secret_used_until; /* end of life of its latest cookie */
  csctp_tstamp old_secret_until;

  csctp_assoc *assocs, *assocs_tail;
  size_t nassocs;
  csctp_assoc_id next_id;
  int has_old_secret;

  /* Indexes of the associations (ep_index.c). */
  uint64_t hash_seed;
  csctp_htab by_id, by_tag, by_addr;
  csctp_assoc **heap; /* timer heap, every association */
  size_t nheap, heap_cap;
  csctp_assoc *act_head, *act_tail, *act_cursor; /* active list */
  size_t nactive;
  csctp_assoc *rdy_head, *rdy_tail; /* data to read, oldest first */
  csctp_assoc_id *changed;          /* touched since the last poll */
  size_t nchanged, changed_cap;
  int changed_overflow;
  csctp_budget *budget;    /* shared memory budget, or NULL (budget.c) */
  csctp_assoc_id *starved; /* windows cut by it (cap: changed_cap) */
  size_t nstarved;

  /* Event queue: ring buffer, grows on demand. */
  csctp_event *events;
  size_t ev_head, ev_len, ev_cap;

  csctp_ctrl_slot *ctrl; /* CSCTP_CTRL_SLOTS */
  size_t ctrl_head, ctrl_len;

  csctp_log_fn log;
  void *log_ud;
  csctp_endpoint_stats stats;

  csctp_auth_ep *auth;    /* RFC 4895 configuration (auth.h), made on use */
  uint8_t asconf_enabled; /* RFC 5061 offered (csctp_asconf_enable) */

  /* Shared INIT pacing, or NULL (pacer.c). */
  csctp_init_pacer *init_pacer;
};

/* ---- endpoint.c ---- */
void csctp_ep_log(csctp_endpoint *ep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define CSCTP_LOG(ep, ...)                                                     \
  do {                                                                         \
    if ((ep)->log)                                                             \
      csctp_ep_log((ep), __VA_ARGS__);                                         \
  } while (0)
int csctp_ep_random(csctp_endpoint *ep, void *dst, size_t len);
uint32_t csctp_ep_random_tag(csctp_endpoint *ep);
/* Push an event; returns 0 or CSCTP_ERR_NOMEM (event lost, counted). */
int csctp_ep_push_event(csctp_endpoint *ep, const csctp_event *ev);
/* Reserve a control slot for an out-of-association packet; NULL if full. */
csctp_ctrl_slot *csctp_ep_ctrl_slot(csctp_endpoint *ep);

/* ---- ep_index.c ---- */
/* csctp_ep_find: the association of id (NULL: none), touched (csctp_ep_
 * touch) for what the caller is about to do with it; csctp_ep_peek, the
 * same for a caller that only looks. */
csctp_assoc *csctp_ep_find(csctp_endpoint *ep, csctp_assoc_id id);
csctp_assoc *csctp_ep_peek(const csctp_endpoint *ep, csctp_assoc_id id);
/* Association by peer address and port / by local tag and peer port
 * (live ones only). */
csctp_assoc *csctp_ep_find_peer(const csctp_endpoint *ep, const csctp_addr *a,
                                uint16_t peer_port);
csctp_assoc *csctp_ep_find_tag(const csctp_endpoint *ep, uint32_t tag,
                               uint16_t peer_port);
/* csctp_ep_index_add enters a new association (id, timer heap); 0 or
 * CSCTP_ERR_NOMEM. csctp_ep_index_remove takes it out of every index. */
int csctp_ep_index_add(csctp_assoc *a);
void csctp_ep_index_remove(csctp_assoc *a);
void csctp_ep_index_free(csctp_endpoint *ep);
/* csctp_ep_index_tag sets a->local_tag and indexes it; csctp_ep_index_path
 * indexes a->paths[i]'s address. 0 or CSCTP_ERR_NOMEM. */
int csctp_ep_index_tag(csctp_assoc *a, uint32_t tag);
int csctp_ep_index_path(csctp_assoc *a, int i);
/* csctp_ep_unindex_path takes a->paths[i]'s address out of the index. */
void csctp_ep_unindex_path(csctp_assoc *a, int i);
/* csctp_ep_touch: something happened to a (packet, timer, call): it may
 * have output, its timers may have moved, its readiness may have changed.
 * csctp_ep_idle: write_pkt found nothing to send for it. */
void csctp_ep_touch(csctp_assoc *a);
void csctp_ep_idle(csctp_assoc *a);
/* The ready list: csctp_ep_ready_push puts a at its tail (data to read),
 * csctp_ep_ready_drop takes it off. */
void csctp_ep_ready_push(csctp_assoc *a);
void csctp_ep_ready_drop(csctp_assoc *a);
csctp_tstamp csctp_ep_next_expiry(const csctp_endpoint *ep);

/* ---- budget.c ---- */
/* csctp_assoc_budget_sync counts a's held receive data in the budget;
 * _release takes it out (a goes away). */
void csctp_assoc_budget_sync(csctp_assoc *a);
void csctp_assoc_budget_release(csctp_assoc *a);
/* The window the buffer alone allows (rwnd), cut to the budget's share. */
size_t csctp_assoc_budget_rwnd(const csctp_assoc *a, size_t rwnd);
/* 1 if the budget lets a take len more bytes at tsn. */
int csctp_assoc_budget_admits(const csctp_assoc *a, uint32_t tsn, size_t len);
/* After a SACK advertised a->last_rwnd where the buffer alone offered
 * local: remembers a for a window update when room comes back. */
void csctp_assoc_budget_note_window(csctp_assoc *a, size_t local);
/* Reading freed room: a few starved associations re-advertise. */
void csctp_ep_budget_wake(csctp_endpoint *ep);
void csctp_ep_run_timers(csctp_endpoint *ep, csctp_tstamp now);

/* ---- endpoint.c ---- */
/* Queue an ABORT (or SHUTDOWN COMPLETE) packet outside any association. */
void csctp_ep_send_ctrl(csctp_endpoint *ep, const csctp_addr *dst,
                        uint16_t peer_port, uint32_t vtag, uint8_t type,
                        uint8_t flags, uint16_t cause, const void *value,
                        size_t len);
/* Build an INIT ACK answering init (5.1, 5.2.1, 5.2.2). existing may be
 * NULL. */
void csctp_ep_answer_init(csctp_endpoint *ep, csctp_assoc *existing,
                          const csctp_pkt_hdr *hdr, const csctp_init *init,
                          const csctp_addr *src, const csctp_addr *dst,
                          csctp_tstamp now);

/* ---- assoc.c ---- */
/* Allocate an association in CLOSED state with settings s; NULL on NOMEM
 * or limit. */
csctp_assoc *csctp_assoc_new(csctp_endpoint *ep, const csctp_settings *s);
void csctp_assoc_free(csctp_assoc *a);
int csctp_assoc_add_path(csctp_assoc *a, const csctp_addr *addr,
                         csctp_tstamp now);
int csctp_assoc_find_path(const csctp_assoc *a, const csctp_addr *addr);
/* Set up data structures once tags, TSNs and stream counts are known. */
int csctp_assoc_start(csctp_assoc *a, uint32_t peer_tsn, uint32_t peer_rwnd,
                      uint16_t ostreams, uint16_t istreams, csctp_tstamp now);
void csctp_assoc_established(csctp_assoc *a, csctp_tstamp now);
/* End the association: report the event, fail unsent messages. */
void csctp_assoc_end(csctp_assoc *a, uint32_t ev_type, uint32_t reason,
                     uint16_t cause, int err);
/* One SEND_FAILED event with a copy of m (abandoned: by PR-SCTP). */
void csctp_assoc_report_failed(csctp_assoc *a, const csctp_msg_out *m,
                               int abandoned);
/* RFC 6458 6.1.7: the message of stream sid being read in parts (seq: its
 * SSN with DATA, its MID with I-DATA) will not complete. */
void csctp_assoc_event_pd_aborted(csctp_assoc *a, uint16_t sid, uint32_t seq,
                                  int unordered);
/* Abort: send ABORT with a cause, then end with the given reason. */
void csctp_assoc_abort(csctp_assoc *a, uint32_t reason, uint16_t cause,
                       const void *value, size_t len);
void csctp_assoc_queue_error(csctp_assoc *a, uint16_t code, const void *value,
                             size_t len);
/* Process one packet that passed the verification tag checks. With
 * teardown_only (accepted through the T bit, 8.5.1) only ABORT and
 * SHUTDOWN COMPLETE are acted on. */
void csctp_assoc_input(csctp_assoc *a, const csctp_pkt_hdr *hdr,
                       const uint8_t *chunks, size_t len, const csctp_addr *src,
                       const csctp_addr *dst, int teardown_only,
                       csctp_tstamp now);
/* 5.2.4: a valid COOKIE ECHO for an existing association. Returns 1 when
 * the cookie was taken (the rest of the packet belongs to a), 0 when it
 * was discarded. */
int csctp_assoc_on_cookie_echo(csctp_assoc *a, const csctp_cookie *ck,
                               csctp_tstamp now);
csctp_tstamp csctp_assoc_expiry(const csctp_assoc *a);
void csctp_assoc_handle_expiry(csctp_assoc *a, csctp_tstamp now);
/* True once an ended association may be freed (events out, data read). */
int csctp_assoc_reapable(const csctp_assoc *a);
/* Check whether everything is acked during shutdown and move on (9.2). */
void csctp_assoc_check_shutdown(csctp_assoc *a, csctp_tstamp now);

/* ---- assoc_data.c ---- */
void csctp_assoc_on_data(csctp_assoc *a, const csctp_tlv *c, uint8_t path,
                         const csctp_addr *src, int *had_data);
void csctp_assoc_on_sack(csctp_assoc *a, const csctp_tlv *c, csctp_tstamp now);
uint32_t csctp_assoc_local_rwnd(const csctp_assoc *a);
/* What the receive buffer alone would advertise (no budget). */
size_t csctp_assoc_buffer_rwnd(const csctp_assoc *a);
void csctp_assoc_after_data(csctp_assoc *a, int had_new, int had_dup,
                            int gaps_before, csctp_tstamp now);
/* A DATA or I-DATA chunk with a TSN received before (6.2, 6.4). */
void csctp_assoc_note_dup(csctp_assoc *a, uint32_t tsn);
/* A SACK goes to path pi now (6.4: what a later duplicate implicates). */
void csctp_assoc_sack_sent(csctp_assoc *a, uint8_t pi);
void csctp_assoc_on_t3(csctp_assoc *a, uint8_t path, csctp_tstamp now);
/* The RACK reordering timer or the probe timeout expired (recovery.h). */
void csctp_assoc_on_recovery_timer(csctp_assoc *a, csctp_tstamp now);
/* (Re)arms the tail loss probe timeout (recovery.h). */
void csctp_assoc_arm_probe(csctp_assoc *a, csctp_tstamp now);
/* Where SACK and ERROR chunks go (6.4). */
uint8_t csctp_assoc_reply_path(const csctp_assoc *a);
void csctp_assoc_restart_t3(csctp_assoc *a, uint8_t path, csctp_tstamp now);
uint8_t csctp_assoc_data_path(const csctp_assoc *a);
void csctp_assoc_path_error(csctp_assoc *a, uint8_t path, csctp_tstamp now);
void csctp_assoc_path_ok(csctp_assoc *a, uint8_t path);

/* Fragment size for new messages: the fragmentation point, less the
 * bigger I-DATA header when interleaving may be used (known before the
 * handshake ends, so that fragments queued early still fit). */
static inline size_t csctp_assoc_frag_len(const csctp_assoc *a) {
  uint32_t extra =
      a->idata_on || a->s.interleaving_supported ? CSCTP_IDATA_EXTRA : 0;
  return a->frag_point > extra + 4u ? a->frag_point - extra : a->frag_point;
}

/* ---- assoc_output.c ---- */
/* csctp_assoc_write_pkt: the association's next packet; *flags gets
 * CSCTP_PKT_* (CSCTP_PKT_FRAG_OK: larger than its path's PLPMTU). */
csctp_ssize csctp_assoc_write_pkt(csctp_assoc *a, csctp_addr *dst,
                                  csctp_addr *src, uint8_t *buf, size_t buflen,
                                  csctp_tstamp now, unsigned *flags);

#endif
