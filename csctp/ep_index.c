/* ep_index.c -- the endpoint's indexes of its associations, so that no work
 * done per packet, per timer or per call grows with their number
 * (DESIGN.md, "Readiness"):
 *
 *  - hash tables by association id, by local verification tag and peer
 *    port, and by peer address and port (one entry per path);
 *  - a min-heap of associations keyed by their next timer (csctp_assoc_
 *    expiry);
 *  - the active list: associations touched (a packet, a timer, an API call)
 *    since write_pkt last found nothing to send for them. Only those can
 *    have something to send, and only their heap keys can be stale;
 *  - the ready list: associations with data to read, oldest first;
 *  - the changed list: ids of touched associations, for the I/O layer to
 *    re-check their readiness (csctp_endpoint_poll_changed). */
#include "config.h"

#include "engine.h"

#include "mem.h"

#include <string.h>

/* ---- Hashes ------------------------------------------------------------ */

static uint64_t idx_hash_id(const csctp_endpoint *ep, csctp_assoc_id id) {
  return csctp_htab_mix(ep->hash_seed, id);
}

static uint64_t idx_hash_tag(const csctp_endpoint *ep, uint32_t tag,
                             uint16_t port) {
  return csctp_htab_mix(ep->hash_seed ^ 0x7467, (uint64_t)tag << 16 | port);
}

/* The peer's IP address (the UDP port is not part of it: csctp_addr_equal)
 * and SCTP port. */
static uint64_t idx_hash_addr(const csctp_endpoint *ep, const csctp_addr *a,
                              uint16_t port) {
  uint64_t w0, w1;
  memcpy(&w0, a->ip, 8);
  memcpy(&w1, a->ip + 8, 8);
  uint64_t h = csctp_htab_mix(ep->hash_seed ^ 0x6164, w0);
  h = csctp_htab_mix(h, w1);
  return csctp_htab_mix(h, (uint64_t)a->family << 16 | port);
}

csctp_assoc *csctp_ep_peek(const csctp_endpoint *ep, csctp_assoc_id id) {
  uint64_t h = idx_hash_id(ep, id);
  size_t it = 0;
  csctp_assoc *a;
  while ((a = csctp_htab_next(&ep->by_id, h, &it)))
    if (a->id == id)
      return a;
  return NULL;
}

csctp_assoc *csctp_ep_find(csctp_endpoint *ep, csctp_assoc_id id) {
  csctp_assoc *a = csctp_ep_peek(ep, id);
  if (a)
    csctp_ep_touch(a);
  return a;
}

csctp_assoc *csctp_ep_find_peer(const csctp_endpoint *ep,
                                const csctp_addr *addr, uint16_t peer_port) {
  uint64_t h = idx_hash_addr(ep, addr, peer_port);
  size_t it = 0;
  csctp_assoc *a;
  while ((a = csctp_htab_next(&ep->by_addr, h, &it)))
    if (!a->dead && a->peer_port == peer_port &&
        csctp_assoc_find_path(a, addr) >= 0)
      return a;
  return NULL;
}

csctp_assoc *csctp_ep_find_tag(const csctp_endpoint *ep, uint32_t tag,
                               uint16_t peer_port) {
  uint64_t h = idx_hash_tag(ep, tag, peer_port);
  size_t it = 0;
  csctp_assoc *a;
  while ((a = csctp_htab_next(&ep->by_tag, h, &it)))
    if (!a->dead && a->local_tag == tag && a->peer_port == peer_port)
      return a;
  return NULL;
}

int csctp_ep_index_tag(csctp_assoc *a, uint32_t tag) {
  csctp_endpoint *ep = a->ep;
  if (a->tag_indexed && a->local_tag == tag)
    return 0;
  if (a->tag_indexed)
    csctp_htab_del(&ep->by_tag, idx_hash_tag(ep, a->local_tag, a->peer_port),
                   a);
  a->tag_indexed = 0;
  a->local_tag = tag;
  if (csctp_htab_put(&ep->by_tag, &ep->mem, idx_hash_tag(ep, tag, a->peer_port),
                     a) != 0)
    return CSCTP_ERR_NOMEM;
  a->tag_indexed = 1;
  return 0;
}

int csctp_ep_index_path(csctp_assoc *a, int i) {
  csctp_endpoint *ep = a->ep;
  return csctp_htab_put(&ep->by_addr, &ep->mem,
                        idx_hash_addr(ep, &a->paths[i].addr, a->peer_port), a);
}

void csctp_ep_unindex_path(csctp_assoc *a, int i) {
  csctp_endpoint *ep = a->ep;
  csctp_htab_del(&ep->by_addr,
                 idx_hash_addr(ep, &a->paths[i].addr, a->peer_port), a);
}

/* ---- Timer heap -------------------------------------------------------- */

static void heap_set(csctp_endpoint *ep, size_t i, csctp_assoc *a) {
  ep->heap[i] = a;
  a->heap_idx = i;
}

static void heap_up(csctp_endpoint *ep, size_t i) {
  csctp_assoc *a = ep->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (ep->heap[parent]->heap_key <= a->heap_key)
      break;
    heap_set(ep, i, ep->heap[parent]);
    i = parent;
  }
  heap_set(ep, i, a);
}

static void heap_down(csctp_endpoint *ep, size_t i) {
  csctp_assoc *a = ep->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= ep->nheap)
      break;
    if (c + 1 < ep->nheap && ep->heap[c + 1]->heap_key < ep->heap[c]->heap_key)
      c++;
    if (ep->heap[c]->heap_key >= a->heap_key)
      break;
    heap_set(ep, i, ep->heap[c]);
    i = c;
  }
  heap_set(ep, i, a);
}

/* idx_heap_rekey sets a's key to its current next timer. */
static void idx_heap_rekey(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  csctp_tstamp k = csctp_assoc_expiry(a);
  if (k == a->heap_key)
    return;
  int earlier = k < a->heap_key;
  a->heap_key = k;
  if (earlier)
    heap_up(ep, a->heap_idx);
  else
    heap_down(ep, a->heap_idx);
}

static void heap_remove(csctp_endpoint *ep, csctp_assoc *a) {
  size_t i = a->heap_idx;
  csctp_assoc *last = ep->heap[--ep->nheap];
  if (last == a)
    return;
  heap_set(ep, i, last);
  heap_up(ep, i);
  heap_down(ep, last->heap_idx);
}

/* ---- Lists ------------------------------------------------------------- */

void csctp_ep_touch(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  if (!a->active) {
    a->active = 1;
    a->act_next = NULL;
    a->act_prev = ep->act_tail;
    if (ep->act_tail)
      ep->act_tail->act_next = a;
    else
      ep->act_head = a;
    ep->act_tail = a;
    ep->nactive++;
  }
  if (!a->changed_queued && ep->nchanged < ep->changed_cap) {
    a->changed_queued = 1;
    ep->changed[ep->nchanged++] = a->id;
  } else if (!a->changed_queued) {
    ep->changed_overflow = 1; /* the I/O layer re-checks everything */
  }
}

static void act_unlink(csctp_endpoint *ep, csctp_assoc *a) {
  if (!a->active)
    return;
  if (a->act_prev)
    a->act_prev->act_next = a->act_next;
  else
    ep->act_head = a->act_next;
  if (a->act_next)
    a->act_next->act_prev = a->act_prev;
  else
    ep->act_tail = a->act_prev;
  if (ep->act_cursor == a)
    ep->act_cursor = a->act_next;
  a->active = 0;
  a->act_prev = a->act_next = NULL;
  ep->nactive--;
}

void csctp_ep_idle(csctp_assoc *a) {
  act_unlink(a->ep, a);
  idx_heap_rekey(a);
  csctp_assoc_budget_sync(a);
}

static void rdy_unlink(csctp_endpoint *ep, csctp_assoc *a) {
  if (!a->in_ready)
    return;
  if (a->rdy_prev)
    a->rdy_prev->rdy_next = a->rdy_next;
  else
    ep->rdy_head = a->rdy_next;
  if (a->rdy_next)
    a->rdy_next->rdy_prev = a->rdy_prev;
  else
    ep->rdy_tail = a->rdy_prev;
  a->in_ready = 0;
  a->rdy_prev = a->rdy_next = NULL;
}

void csctp_ep_ready_push(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  rdy_unlink(ep, a);
  a->in_ready = 1;
  a->rdy_next = NULL;
  a->rdy_prev = ep->rdy_tail;
  if (ep->rdy_tail)
    ep->rdy_tail->rdy_next = a;
  else
    ep->rdy_head = a;
  ep->rdy_tail = a;
}

void csctp_ep_ready_drop(csctp_assoc *a) { rdy_unlink(a->ep, a); }

/* ---- Membership -------------------------------------------------------- */

int csctp_ep_index_add(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  if (ep->nheap == ep->heap_cap) {
    size_t cap = ep->heap_cap ? ep->heap_cap * 2 : 1; /* one-to-one: 1 */
    csctp_assoc **h = csctp_realloc(&ep->mem, ep->heap, cap * sizeof *h);
    if (!h)
      return CSCTP_ERR_NOMEM;
    ep->heap = h;
    ep->heap_cap = cap;
  }
  if (ep->changed_cap < ep->heap_cap) {
    csctp_assoc_id *c =
        csctp_realloc(&ep->mem, ep->changed, ep->heap_cap * sizeof *c);
    if (!c)
      return CSCTP_ERR_NOMEM;
    ep->changed = c;
    c = csctp_realloc(&ep->mem, ep->starved, ep->heap_cap * sizeof *c);
    if (!c)
      return CSCTP_ERR_NOMEM; /* changed grew alone: harmless */
    ep->starved = c;
    ep->changed_cap = ep->heap_cap;
  }
  if (csctp_htab_put(&ep->by_id, &ep->mem, idx_hash_id(ep, a->id), a) != 0)
    return CSCTP_ERR_NOMEM;
  a->heap_key = CSCTP_TSTAMP_NEVER;
  heap_set(ep, ep->nheap++, a);
  heap_up(ep, a->heap_idx);
  csctp_ep_touch(a);
  return 0;
}

void csctp_ep_index_remove(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  csctp_htab_del(&ep->by_id, idx_hash_id(ep, a->id), a);
  if (a->tag_indexed)
    csctp_htab_del(&ep->by_tag, idx_hash_tag(ep, a->local_tag, a->peer_port),
                   a);
  for (int i = 0; i < a->npaths; i++)
    csctp_htab_del(&ep->by_addr,
                   idx_hash_addr(ep, &a->paths[i].addr, a->peer_port), a);
  act_unlink(ep, a);
  rdy_unlink(ep, a);
  heap_remove(ep, a);
  csctp_assoc_budget_release(a);
  /* Its id may stay in the changed list: the I/O layer finds it gone. */
}

void csctp_ep_index_free(csctp_endpoint *ep) {
  csctp_htab_free(&ep->by_id, &ep->mem);
  csctp_htab_free(&ep->by_tag, &ep->mem);
  csctp_htab_free(&ep->by_addr, &ep->mem);
  csctp_free(&ep->mem, ep->heap);
  csctp_free(&ep->mem, ep->changed);
  csctp_free(&ep->mem, ep->starved);
}

/* ---- Timers ------------------------------------------------------------ */

csctp_tstamp csctp_ep_next_expiry(const csctp_endpoint *ep) {
  csctp_tstamp t = ep->nheap ? ep->heap[0]->heap_key : CSCTP_TSTAMP_NEVER;
  /* Keys of active associations may be stale: ask them. */
  for (const csctp_assoc *a = ep->act_head; a; a = a->act_next) {
    csctp_tstamp e = csctp_assoc_expiry(a);
    if (e < t)
      t = e;
  }
  return t;
}

void csctp_ep_run_timers(csctp_endpoint *ep, csctp_tstamp now) {
  for (csctp_assoc *a = ep->act_head; a; a = a->act_next)
    idx_heap_rekey(a);
  /* Take every due association out first (key NEVER, chained through
   * due_next), so that each is handled once per call even if its handler
   * leaves a timer in the past. */
  csctp_assoc *due = NULL;
  while (ep->nheap && ep->heap[0]->heap_key <= now) {
    csctp_assoc *a = ep->heap[0];
    a->heap_key = CSCTP_TSTAMP_NEVER;
    heap_down(ep, 0);
    a->due_next = due;
    due = a;
  }
  while (due) {
    csctp_assoc *a = due;
    due = a->due_next;
    a->due_next = NULL;
    if (!a->dead)
      csctp_assoc_handle_expiry(a, now);
    csctp_ep_touch(a); /* may have output now; rekeyed when idle */
  }
}

/* ---- Changed associations ---------------------------------------------- */

size_t csctp_endpoint_poll_changed(csctp_endpoint *ep, csctp_assoc_id *ids,
                                   size_t max, int *overflow) {
  if (!ep)
    return 0;
  size_t n = ep->nchanged < max ? ep->nchanged : max;
  for (size_t i = 0; i < n; i++) {
    csctp_assoc *a = csctp_ep_peek(ep, ep->changed[i]);
    if (a)
      a->changed_queued = 0;
    if (ids)
      ids[i] = ep->changed[i];
  }
  if (n > 0 && n < ep->nchanged)
    memmove(ep->changed, ep->changed + n,
            (ep->nchanged - n) * sizeof *ep->changed);
  ep->nchanged -= n;
  if (overflow)
    *overflow = ep->changed_overflow;
  if (ep->nchanged == 0)
    ep->changed_overflow = 0;
  return n;
}

/* ---- Readable associations --------------------------------------------- */

csctp_assoc_id csctp_endpoint_next_readable(const csctp_endpoint *ep,
                                            csctp_assoc_id after) {
  if (!ep)
    return 0;
  const csctp_assoc *a = ep->rdy_head;
  if (after) {
    const csctp_assoc *prev = csctp_ep_peek(ep, after);
    a = prev && prev->in_ready ? prev->rdy_next : NULL;
  }
  while (a && !(a->rx_ready && csctp_reasm_has_ready(&a->rx)))
    a = a->rdy_next;
  return a ? a->id : 0;
}

csctp_assoc_id csctp_endpoint_assoc_by_peer(const csctp_endpoint *ep,
                                            const csctp_addr *addr,
                                            uint16_t peer_port) {
  const csctp_assoc *a =
      ep && addr ? csctp_ep_find_peer(ep, addr, peer_port) : NULL;
  return a ? a->id : 0;
}
