/* pacing.c -- per-path pacing of DATA (pacing.h). */
#include "config.h"

#include "pacing.h"

#include "path.h"

#define PACING_SS_PCT 200 /* slow start: 2 * cwnd / SRTT */
#define PACING_CA_PCT 120 /* after: 1.2 * cwnd / SRTT */
#define PACING_QUANTUM_TIME CSCTP_MILLISECONDS
#define PACING_QUANTUM_MIN 2u  /* MTUs */
#define PACING_QUANTUM_MAX 16u /* MTUs */

int csctp_pacing_enabled(const csctp_path *p, uint32_t setting) {
  (void)p; /* the same for every path and controller, for now */
  return setting == CSCTP_PACING_ON;
}

/* The rate in percent of cwnd per SRTT: RFC 9260 7.2.1 calls the window
 * below ssthresh slow start. */
static uint32_t pacing_pct(const csctp_path *p) {
  return p->cwnd < p->ssthresh ? PACING_SS_PCT : PACING_CA_PCT;
}

csctp_tstamp csctp_pacing_interval(const csctp_path *p, uint64_t bytes) {
  if (!p->measured || p->srtt == 0 || p->cwnd == 0)
    return 0; /* no rate before the first RTT measurement */
  /* bytes / (pct / 100 * cwnd / srtt); bytes < 2^20 and srtt < 2^37 ns
   * (RTO.Max-sized RTTs) keep the product in 64 bits. */
  return (csctp_tstamp)(bytes * p->srtt * 100 /
                        ((uint64_t)pacing_pct(p) * p->cwnd));
}

uint32_t csctp_pacing_quantum(const csctp_path *p) {
  uint64_t q = 0;
  if (p->measured && p->srtt > 0)
    q = (uint64_t)pacing_pct(p) * p->cwnd * PACING_QUANTUM_TIME /
        (100 * p->srtt);
  uint64_t lo = (uint64_t)PACING_QUANTUM_MIN * p->mtu;
  uint64_t hi = (uint64_t)PACING_QUANTUM_MAX * p->mtu;
  return (uint32_t)(q < lo ? lo : q > hi ? hi : q);
}

int csctp_pacing_allows(csctp_path *p, csctp_tstamp now) {
  csctp_tstamp slack = csctp_pacing_interval(p, csctp_pacing_quantum(p));
  if (slack == 0 || p->pace_next <= now + slack) {
    p->pace_wait = 0;
    return 1;
  }
  p->pace_held = 1;
  p->pace_wait = 1; /* wake when the bucket is empty: a whole quantum */
  return 0;
}

void csctp_pacing_sent(csctp_path *p, uint32_t bytes, csctp_tstamp now) {
  csctp_tstamp d = csctp_pacing_interval(p, bytes);
  if (d == 0)
    return;
  /* Time the path did not use is not saved up beyond the quantum the
   * start rule (csctp_pacing_allows) gives. */
  csctp_tstamp t = p->pace_next > now ? p->pace_next : now;
  p->pace_next = t + d;
}

int csctp_pacing_take_held(csctp_path *p) {
  int held = p->pace_held;
  p->pace_held = 0;
  return held;
}

csctp_tstamp csctp_pacing_expiry(const csctp_path *p) {
  return p->pace_wait ? p->pace_next : CSCTP_TSTAMP_NEVER;
}

void csctp_pacing_on_timer(csctp_path *p, csctp_tstamp now) {
  if (p->pace_wait && p->pace_next <= now)
    p->pace_wait = 0; /* the association's output asks again */
}
