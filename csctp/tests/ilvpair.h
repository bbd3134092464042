/* ilvpair.h -- two engine endpoints joined by an in-memory link with a
 * one-way delay, a bottleneck rate and queue (a→b), seeded loss and a
 * packet tap: the harness of test_idata.c and test_stream_sched.c.
 *
 * Messages carry their index and send time in their first 12 bytes; the
 * rest is derived from the index, so that the reader checks every byte,
 * the stream, the order within an ordered stream and the delivery latency.
 */
#ifndef CSCTP_ILVPAIR_H
#define CSCTP_ILVPAIR_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

#define ILV_MAXMSG 8192
#define ILV_MAXSID 8

typedef struct ilv_pair ilv_pair;
/* Sees every packet emitted (to_b: a→b); returns 1 to drop it. */
typedef int (*ilv_tap_fn)(ilv_pair *p, int to_b, const uint8_t *pkt,
                          size_t len);

typedef struct ilv_rec {
  uint32_t idx;
  uint16_t sid, ssn;
  uint16_t flags; /* csctp_rcvinfo.flags of the last read */
  csctp_tstamp latency;
} ilv_rec;

struct ilv_pair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_assoc_id ida, idb;
  csctp_tstamp now;
  csctp_tstamp delay;     /* one way, both directions */
  uint64_t rate;          /* a→b bytes per second; 0: unlimited */
  size_t queue_limit;     /* a→b bottleneck queue in bytes; 0: unlimited */
  double loss;            /* both directions */
  csctp_tstamp link_free; /* when the a→b bottleneck is idle */
  size_t queued;          /* bytes in the bottleneck queue */
  uint64_t rng;
  ilv_tap_fn tap;
  void *tap_ud;
  struct ilv_q *q; /* in flight, by arrival time */
  size_t nq, capq;
  int up_a, up_b, lost_a, lost_b;
  uint32_t lost_reason_b;
  int reset_events_a;
  int send_failed_a, abandoned_a; /* SEND_FAILED events, of which abandoned */
  /* receiver (b) */
  int reader_on;
  ilv_rec *recs;
  size_t nrecs;
  int bad_data, bad_order;
  uint32_t last_idx[ILV_MAXSID]; /* ordered: last index per stream + 1 */
  uint8_t *rbuf;
  size_t rhave;
};

/* ilv_open creates both endpoints (b listens) and starts a's association;
 * 0 or -1. */
int ilv_open(ilv_pair *p, const csctp_settings *sa, const csctp_settings *sb,
             uint64_t seed);
void ilv_close(ilv_pair *p);
/* Runs at most dur of virtual time, or until pred holds (then 1). */
typedef int (*ilv_pred)(ilv_pair *p);
int ilv_run(ilv_pair *p, csctp_tstamp dur, ilv_pred pred);
int ilv_pred_up(ilv_pair *p);
/* Sends message idx of len (>= 12) bytes from a on sid. */
int ilv_send(ilv_pair *p, uint32_t idx, uint16_t sid, int unordered,
             size_t len);
/* Polls both endpoints' events into the pair's flags. */
void ilv_events(ilv_pair *p);
/* The same with a PR-SCTP policy (CSCTP_PR_SCTP_*) and its value. */
int ilv_send_pr(ilv_pair *p, uint32_t idx, uint16_t sid, int unordered,
                size_t len, uint16_t policy, uint32_t value);
/* Messages sent by a not yet acknowledged or unsent. */
int ilv_pred_idle(ilv_pair *p);

#endif
