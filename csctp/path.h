/* path.h -- one destination transport address of an association: its RTO
 * (RFC 9260 6.3), congestion state (7.2), error counter and heartbeat state
 * (8.2, 8.3). Internal. */
#ifndef CSCTP_PATH_H
#define CSCTP_PATH_H

#include "cc.h"
#include "csctp.h"
#include "pmtud.h"

typedef struct csctp_path {
  csctp_addr addr;
  csctp_addr local; /* our address the peer last reached on this path (the
                       source for what we send back); family 0: any */
  uint32_t state;   /* enum csctp_path_state */
  uint32_t mtu;     /* largest packet for this path */
  /* RTO, RFC 9260 6.3.1 */
  csctp_tstamp srtt, rttvar, rto;
  int measured;
  int rtt_pending;  /* a chunk on this path is timing the round trip */
  uint32_t rtt_tsn; /* its TSN (6.3.1 C4: one measurement per RTT) */
  /* Congestion control, RFC 9260 7.2, by the association's controller */
  uint32_t cwnd, ssthresh, pba, flight;
  uint32_t error_count;
  const csctp_cc_ops *cc;
  csctp_cc_state ccs;
  csctp_tstamp t3;     /* T3-rtx expiry, CSCTP_TSTAMP_NEVER when off */
  csctp_tstamp hb_due; /* next HEARTBEAT, CSCTP_TSTAMP_NEVER when off */
  uint64_t hb_nonce;   /* nonce of the outstanding HEARTBEAT */
  int hb_outstanding;
  int hb_send_now;        /* a HEARTBEAT is due to be sent */
  csctp_tstamp last_send; /* last DATA sent, for cwnd after idle */
  csctp_tstamp pace_next; /* pacing.h: the bucket is empty then */
  int pace_wait;          /* pacing.h: DATA held back until pace_next */
  int pace_held;          /* pacing.h: DATA was held back since the last ack */
  csctp_pmtud pmtud;      /* RFC 8899 PLPMTUD (pmtud.h); mtu follows it */
} csctp_path;

void csctp_path_init(csctp_path *p, const csctp_addr *a,
                     const csctp_settings *s, csctp_tstamp now);

/* csctp_path_rtt_sample folds one RTT measurement into SRTT, RTTVAR, RTO
 * (6.3.1 C2, C3). */
void csctp_path_rtt_sample(csctp_path *p, const csctp_settings *s,
                           csctp_tstamp rtt);
/* csctp_path_backoff doubles the RTO up to RTO.Max (6.3.3 E2). */
void csctp_path_backoff(csctp_path *p, const csctp_settings *s);

/* Congestion control, RFC 9260 7.2: these hand the event to the path's
 * controller (cc.h). */
/* csctp_cc_reset gives the path its initial window (7.2.1). */
void csctp_cc_reset(csctp_path *p);
/* csctp_cc_select switches the path to controller algo (CSCTP_CC_*),
 * keeping cwnd and ssthresh; the new controller starts from them. */
void csctp_cc_select(csctp_path *p, uint32_t algo);
void csctp_cc_on_ack_ev(csctp_path *p, const csctp_cc_ack *a);
/* csctp_cc_on_ack: an ack without time or RTT information. */
void csctp_cc_on_ack(csctp_path *p, uint32_t bytes_acked, int cum_advanced,
                     int cwnd_was_full, int in_fast_recovery);
/* Loss seen by gap reports, RACK or a repairing probe (7.2.3, 7.2.4). */
void csctp_cc_on_fast_rtx(csctp_path *p);
/* Loss seen by T3-rtx (7.2.3). */
void csctp_cc_on_t3(csctp_path *p);
/* csctp_cc_on_idle shrinks cwnd of a path idle for over an RTO (7.2.1). */
void csctp_cc_on_idle(csctp_path *p, csctp_tstamp now);

#endif
