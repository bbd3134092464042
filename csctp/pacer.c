/* pacer.c -- INIT pacing (pacer.h). */
#include "config.h"

#include "pacer.h"

#include "engine.h"

int csctp_endpoint_set_init_pacer(csctp_endpoint *ep, csctp_init_pacer *p) {
  if (!ep)
    return CSCTP_ERR_INVAL;
  ep->init_pacer = p;
  return 0;
}

csctp_tstamp csctp_pacer_take(csctp_init_pacer *p, csctp_tstamp now) {
  if (!p || p->interval == 0)
    return now;
  /* Virtual scheduling: `next` is when the bucket would be empty of the
   * turns reserved so far; a request may go up to burst - 1 intervals ahead
   * of it. */
  csctp_tstamp slack =
      (csctp_tstamp)(p->burst ? p->burst - 1 : 0) * p->interval;
  csctp_tstamp t = p->next > now ? p->next : now;
  csctp_tstamp turn = t > now + slack ? t - slack : now;
  p->next = t + p->interval;
  return turn;
}

/* RFC 9260 5.1 A: the INIT goes, and T1-init starts when it has gone. */
static void pacer_send_now(csctp_assoc *a, csctp_tstamp now) {
  a->init_paced = 0;
  a->send_init = 1;
  a->t1 = now + a->t1_rto;
}

void csctp_pacer_arm_init(csctp_assoc *a, csctp_tstamp now) {
  csctp_tstamp turn = csctp_pacer_take(a->ep->init_pacer, now);
  if (turn <= now) {
    pacer_send_now(a, now);
    return;
  }
  a->send_init = 0;
  a->init_paced = 1;
  a->t1 = turn; /* no INIT out, so no T1-init yet: the turn's timer */
}

int csctp_pacer_on_t1(csctp_assoc *a, csctp_tstamp now) {
  if (!a->init_paced)
    return 0;
  if (a->state != CSCTP_STATE_COOKIE_WAIT) {
    /* An earlier INIT was answered while this one waited: t1 is the timer
     * of the new state (T1-cookie) now, and this is its expiry. */
    a->init_paced = 0;
    return 0;
  }
  pacer_send_now(a, now);
  return 1;
}
