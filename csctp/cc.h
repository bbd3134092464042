/* cc.h -- pluggable congestion control, one controller per association,
 * its state kept per destination (RFC 9260 7.2 keeps cwnd per transport
 * address). Internal.
 *
 * A controller owns cwnd and ssthresh of a path (csctp_path) and reacts to
 * these events, which the association reports:
 *  - on_ack: a SACK newly acknowledged bytes sent on the path (cumulatively
 *    or in gap blocks), with whether cwnd was in use and an RTT sample;
 *  - on_congestion: a loss seen by gap reports or RACK (fast retransmit,
 *    RFC 9260 7.2.4) or a tail loss probe that repaired one; the caller
 *    reports it at most once per window (one Fast Recovery period);
 *  - on_rto: T3-rtx expired on the path (RFC 9260 7.2.3);
 *  - on_idle: the path is about to send after a quiet time (7.2.1);
 *  - on_ecn: an ECN echo (the engine has no ECN yet; present so that a
 *    controller defines its answer).
 *
 * Controllers: CSCTP_CC_RENO, RFC 9260's own algorithm (cc_reno.c), the
 * default; CSCTP_CC_CUBIC, RFC 9438 with HyStart++ (RFC 9406) for the
 * first slow start, whose standard slow start also ends on the ack train
 * (cc_cubic.c); CSCTP_CC_CUBIC_RFC9406, the same without the ack train. Their
 * state lives in a fixed-size area of the path (csctp_cc_state): no allocation
 * per path.
 */
#ifndef CSCTP_CC_H
#define CSCTP_CC_H

#include "csctp.h"

struct csctp_path;

/* One acknowledgement as a controller sees it. */
typedef struct csctp_cc_ack {
  uint32_t bytes_acked; /* newly acknowledged on this path */
  int cum_advanced;     /* the Cumulative TSN Ack moved */
  int cwnd_was_full;    /* flight before the SACK was (nearly) cwnd */
  int in_fast_recovery; /* 7.2.4: no cwnd growth in Fast Recovery */
  csctp_tstamp now;
  csctp_tstamp rtt;  /* RTT sample of this SACK; 0: none */
  csctp_tstamp srtt; /* the path's smoothed RTT; 0: not measured */
  uint32_t cum_tsn;  /* the SACK's Cumulative TSN Ack */
  uint32_t next_tsn; /* the next TSN the association will assign */
} csctp_cc_ack;

/* HyStart++ (RFC 9406) state of a CUBIC path. */
typedef struct csctp_hystart {
  uint8_t phase;       /* CSCTP_HS_* */
  uint8_t css_rounds;  /* rounds begun in CSS */
  uint8_t round_open;  /* window_end is valid */
  uint8_t train_best;  /* acks of the train rate_cur came from (max 255) */
  uint32_t window_end; /* the round ends when this TSN is acknowledged */
  uint16_t samples;    /* rttSampleCount (saturates) */
  /* The ack train (cc_cubic.c, hs_train; not CSCTP_CC_CUBIC_RFC9406): acks in
   * the current ack train, the rates of this round's longest train and of the
   * last round in CSCTP_HS_RATE_UNIT bytes per ms, what was acknowledged after
   * the train's first ack, and that ack's time in microseconds (mod 2^32; 0: no
   * train). Small: every path of every association has this. */
  uint16_t train_acks;
  uint16_t rate_cur, rate_last;
  uint32_t train_bytes;
  uint32_t train_t0_us;
  csctp_tstamp last_min; /* lastRoundMinRTT; CSCTP_TSTAMP_NEVER: infinity */
  csctp_tstamp cur_min;  /* currentRoundMinRTT */
  csctp_tstamp css_base; /* cssBaselineMinRtt */
} csctp_hystart;

#define CSCTP_HS_RATE_UNIT 64 /* bytes per ms: 0.5 Mbit/s */
#define CSCTP_HS_OFF 0        /* not the first slow start: plain slow start */
#define CSCTP_HS_SS 1         /* HyStart++ standard slow start */
#define CSCTP_HS_CSS 2        /* Conservative Slow Start */

/* CUBIC (RFC 9438) state of a path; windows in bytes. */
typedef struct csctp_cubic {
  double w_max;          /* W_max */
  double cwnd_prior;     /* cwnd_prior */
  double w_est;          /* W_est (4.3) */
  double k;              /* K, seconds */
  double frac;           /* growth below one byte, carried */
  csctp_tstamp t_epoch;  /* start of this congestion avoidance stage */
  csctp_tstamp last_ack; /* last ack seen, to skip app-limited time */
  int in_epoch;          /* t_epoch, K, W_est are set */
  int k_zero;            /* next epoch: K = 0, W_max = cwnd (4.8, 4.10) */
  csctp_hystart hs;
} csctp_cubic;

/* The per-path state area of every controller. */
typedef union csctp_cc_state {
  csctp_cubic cubic;
} csctp_cc_state;

typedef struct csctp_cc_ops {
  const char *name;
  /* init sets the initial cwnd and ssthresh (7.2.1) and the state. */
  void (*init)(struct csctp_path *p);
  void (*on_ack)(struct csctp_path *p, const csctp_cc_ack *a);
  void (*on_congestion)(struct csctp_path *p);
  void (*on_rto)(struct csctp_path *p);
  void (*on_idle)(struct csctp_path *p, csctp_tstamp now);
  void (*on_ecn)(struct csctp_path *p);
} csctp_cc_ops;

extern const csctp_cc_ops csctp_cc_reno;
extern const csctp_cc_ops csctp_cc_cubic;
extern const csctp_cc_ops csctp_cc_cubic_rfc9406;

/* csctp_cc_ops_for returns the controller for a CSCTP_CC_* value (the
 * RFC 9260 one for an unknown value). */
const csctp_cc_ops *csctp_cc_ops_for(uint32_t algo);

/* Helpers shared by the controllers (cc_reno.c). */

/* RFC 9260 7.2.1: initial cwnd = min(4*MTU, max(2*MTU, 4404)) (4344 for
 * IPv6), ssthresh arbitrarily high. */
void csctp_cc_initial_window(struct csctp_path *p);
/* RFC 9260 7.2.1: a path idle for longer than an RTO shrinks its cwnd to
 * max(cwnd/2, 4*MTU) once per RTO; ssthresh = cwnd before the first
 * adjustment. Returns 1 if cwnd was adjusted. */
int csctp_cc_idle_decay(struct csctp_path *p, csctp_tstamp now);

/* CUBIC's formulas (cc_cubic.c), for tests: K (RFC 9438 Figure 2) in
 * seconds from windows in bytes, W_cubic(t) (Figure 1) in bytes for c's K
 * and W_max, alpha_cubic (4.3). */
double csctp_cubic_k(double w_max, double cwnd_epoch, uint32_t mss);
double csctp_cubic_w(const csctp_cubic *c, double t, uint32_t mss);
double csctp_cubic_alpha(void);

#endif
