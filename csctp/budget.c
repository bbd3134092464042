/* budget.c -- the memory budget endpoints may share for the data their
 * associations hold for reading (received, reassembling, out of order):
 * csctp_budget in csctp.h. The I/O layer gives one to every endpoint of a
 * stack.
 *
 * Each association's charge (csctp_reasm_charged_bytes) is kept in the
 * budget's `used`. As the headroom shrinks, so do the windows advertised
 * (what is left divided among the associations holding data, and by four
 * more for those that may start);
 * only when it is gone is data refused (dropped unacknowledged: RFC 9260
 * 6.2 lets a receiver drop what it has no room for, the peer retransmits).
 * Two things are always taken, so that no association can be starved into
 * a deadlock: its first 2 path MTUs, and the chunk that fills its lowest
 * hole (what everything it holds waits for). When reading frees room, the
 * associations whose windows were cut get a window update (the starved
 * list, a few per read); those of other endpoints of the stack learn of it
 * from their peers' zero window probes (6.1). */
#include "config.h"

#include "engine.h"

#include "mem.h"
#include "tsn.h"

int csctp_endpoint_set_budget(csctp_endpoint *ep, csctp_budget *b) {
  if (!ep)
    return CSCTP_ERR_INVAL;
  if (ep->nassocs > 0)
    return CSCTP_ERR_STATE; /* their charges were never counted */
  ep->budget = b;
  return 0;
}

static size_t budget_guarantee(const csctp_assoc *a) {
  return 2 * (size_t)a->s.pmtu;
}

static size_t budget_held(const csctp_assoc *a) {
  return a->rx_ready
             ? csctp_reasm_charged_bytes(&a->rx) + csctp_idata_charged(a)
             : 0;
}

static const csctp_budget *budget_of(const csctp_assoc *a) {
  const csctp_budget *b = a->ep->budget;
  return b && b->limit ? b : NULL;
}

static void budget_charge(csctp_assoc *a, size_t held) {
  csctp_budget *b = a->ep->budget;
  if (b) {
    b->used -= a->budget_charged;
    b->used += held;
    b->holders += (held > 0) - (a->budget_charged > 0);
  }
  a->budget_charged = held;
}

void csctp_assoc_budget_sync(csctp_assoc *a) {
  budget_charge(a, budget_held(a));
}

void csctp_assoc_budget_release(csctp_assoc *a) { budget_charge(a, 0); }

size_t csctp_assoc_budget_rwnd(const csctp_assoc *a, size_t rwnd) {
  const csctp_budget *b = budget_of(a);
  if (!b)
    return rwnd;
  uint64_t head = b->used >= b->limit ? 0 : b->limit - b->used;
  uint64_t share = head / (4 + b->holders);
  size_t held = budget_held(a), g = budget_guarantee(a);
  if (held < g && share < g - held)
    share = g - held;
  return share < rwnd ? (size_t)share : rwnd;
}

int csctp_assoc_budget_admits(const csctp_assoc *a, uint32_t tsn, size_t len) {
  const csctp_budget *b = budget_of(a);
  if (!b || b->used + len <= b->limit)
    return 1;
  if (budget_held(a) + len <= budget_guarantee(a))
    return 1;
  return tsn == csctp_tsnmap_cum(&a->tsn) + 1u &&
         csctp_tsn_lt(tsn, csctp_tsnmap_highest(&a->tsn));
}

void csctp_assoc_budget_note_window(csctp_assoc *a, size_t local) {
  /* local: what the buffer alone would have offered. */
  csctp_endpoint *ep = a->ep;
  if (a->budget_starved || a->last_rwnd >= local ||
      ep->nstarved == ep->changed_cap || !ep->starved)
    return;
  a->budget_starved = 1;
  ep->starved[ep->nstarved++] = a->id;
}

void csctp_ep_budget_wake(csctp_endpoint *ep) {
  /* Reading freed room: a few starved associations re-advertise. */
  for (int k = 0; k < 8 && ep->nstarved > 0; k++) {
    csctp_assoc_id id = ep->starved[--ep->nstarved];
    csctp_assoc *a = csctp_ep_peek(ep, id);
    if (!a || !a->budget_starved)
      continue;
    a->budget_starved = 0;
    if (!a->dead && csctp_assoc_local_rwnd(a) > a->last_rwnd) {
      a->sack_now = 1;
      csctp_ep_touch(a);
    }
  }
}
