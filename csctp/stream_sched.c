/* stream_sched.c -- stream schedulers (RFC 8260 3); see stream_sched.h. */
#include "config.h"

#include "stream_sched.h"

#include "engine.h"
#include "mem.h"

#include <string.h>

void csctp_sched_free(csctp_assoc *a) {
  if (!a->ilv)
    return;
  csctp_sched *s = &a->ilv->sched;
  csctp_free(&a->ep->mem, s->value);
  csctp_free(&a->ep->mem, s->sent);
  memset(s, 0, sizeof(*s));
}

int csctp_sched_set(csctp_assoc *a, uint32_t type) {
  if (type > CSCTP_SS_WFQ)
    return CSCTP_ERR_INVAL;
  a->sched_type = (uint8_t)type;
  if (a->ilv)
    a->ilv->sched.have_pkt = 0;
  return 0;
}

/* Grows a per-stream array (elem bytes each) to hold index sid. */
static int sched_grow(csctp_assoc *a, void **arr, uint32_t *n, size_t elem,
                      uint16_t sid) {
  if (sid < *n)
    return 0;
  uint32_t want = a->sq.nstreams > sid ? a->sq.nstreams : (uint32_t)sid + 1u;
  uint8_t *p = csctp_calloc(&a->ep->mem, want, elem);
  if (!p)
    return CSCTP_ERR_NOMEM;
  if (*arr) {
    memcpy(p, *arr, (size_t)*n * elem);
    csctp_free(&a->ep->mem, *arr);
  }
  *arr = p;
  *n = want;
  return 0;
}

int csctp_sched_set_value(csctp_assoc *a, uint16_t sid, uint16_t value) {
  csctp_ilv *x = csctp_ilv_get(a);
  if (!x)
    return CSCTP_ERR_NOMEM;
  void *arr = x->sched.value;
  if (sched_grow(a, &arr, &x->sched.nvalues, sizeof(uint16_t), sid) != 0)
    return CSCTP_ERR_NOMEM;
  x->sched.value = arr;
  x->sched.value[sid] = value;
  return 0;
}

uint16_t csctp_sched_value(const csctp_assoc *a, uint16_t sid) {
  const csctp_sched *s = a->ilv ? &a->ilv->sched : NULL;
  return s && sid < s->nvalues ? s->value[sid] : 0;
}

static uint64_t sched_sent(const csctp_sched *s, uint16_t sid) {
  return sid < s->nsent ? s->sent[sid] : 0;
}

/* Round-robin distance: the stream after the one chosen last is 0. */
static uint32_t sched_rr_key(const csctp_sched *s, uint16_t sid) {
  return s->have_rr ? (uint16_t)(sid - s->rr_sid - 1u) : sid;
}

/* 1 when stream x should go before stream y (RFC 8260 3.2-3.6). */
static int sched_before(const csctp_assoc *a, uint16_t x, uint16_t y) {
  const csctp_sched *s = &a->ilv->sched;
  switch (a->sched_type) {
  case CSCTP_SS_PRIO: { /* 3.4: lower value, higher priority */
    uint16_t vx = csctp_sched_value(a, x), vy = csctp_sched_value(a, y);
    if (vx != vy)
      return vx < vy;
    break;
  }
  case CSCTP_SS_FB: { /* 3.5: equal capacity */
    uint64_t bx = sched_sent(s, x), by = sched_sent(s, y);
    if (bx != by)
      return bx < by;
    break;
  }
  case CSCTP_SS_WFQ: { /* 3.6: capacity in proportion to the weights */
    uint64_t wx = csctp_sched_value(a, x), wy = csctp_sched_value(a, y);
    wx = wx ? wx : 1;
    wy = wy ? wy : 1;
    uint64_t bx = sched_sent(s, x) * wy, by = sched_sent(s, y) * wx;
    if (bx != by)
      return bx < by;
    break;
  }
  default:
    break;
  }
  return sched_rr_key(s, x) < sched_rr_key(s, y);
}

/* Moves c (after prev, NULL: c is the head) to the head of the unsent
 * FIFO; with whole set, the fragments of c's message that follow it too, so
 * that they stay together (DATA: consecutive TSNs, RFC 9260 6.9). */
static void sched_to_front(csctp_sendq *q, csctp_chunk_out *prev,
                           csctp_chunk_out *c, int whole) {
  if (!prev)
    return;
  csctp_chunk_out *e = c;
  while (whole && e->next && e->next->msg == c->msg)
    e = e->next;
  prev->next = e->next;
  if (q->unsent_tail == e)
    q->unsent_tail = prev;
  e->next = q->unsent;
  q->unsent = c;
}

/* The first unsent chunk of stream sid (and its predecessor). */
static csctp_chunk_out *sched_first_of(csctp_sendq *q, uint16_t sid,
                                       csctp_chunk_out **prev) {
  csctp_chunk_out *p = NULL;
  for (csctp_chunk_out *c = q->unsent; c; p = c, c = c->next)
    if (c->sid == sid) {
      *prev = p;
      return c;
    }
  return NULL;
}

#define SCHED_SEEN_WORDS (65536 / 64)

/* The best stream's first unsent chunk: one walk of the FIFO, looking at
 * the first chunk of each stream only. */
static csctp_chunk_out *sched_pick(const csctp_assoc *a, csctp_sendq *q,
                                   csctp_chunk_out **best_prev) {
  uint64_t seen[SCHED_SEEN_WORDS];
  memset(seen, 0, sizeof(seen));
  csctp_chunk_out *best = NULL, *p = NULL;
  *best_prev = NULL;
  for (csctp_chunk_out *c = q->unsent; c; p = c, c = c->next) {
    uint64_t bit = (uint64_t)1 << (c->sid & 63);
    if (seen[c->sid >> 6] & bit)
      continue;
    seen[c->sid >> 6] |= bit;
    if (!best || sched_before(a, c->sid, best->sid)) {
      best = c;
      *best_prev = p;
      if ((a->sched_type == CSCTP_SS_RR || a->sched_type == CSCTP_SS_RR_PKT) &&
          sched_rr_key(&a->ilv->sched, c->sid) == 0)
        break; /* round robin: nothing can come before the next stream */
    }
  }
  return best;
}

csctp_chunk_out *csctp_sched_next(csctp_assoc *a, int pkt_start,
                                  int interleave) {
  csctp_sendq *q = &a->sq;
  csctp_chunk_out *h = q->unsent, *prev = NULL, *c;
  csctp_ilv *x = h && a->sched_type != CSCTP_SS_FCFS ? csctp_ilv_get(a) : NULL;
  if (!x)
    return h; /* 3.1: the order of the sends (or no memory for more) */
  csctp_sched *s = &x->sched;
  if (a->sched_type == CSCTP_SS_RR_PKT && !pkt_start && s->have_pkt) {
    /* 3.3: the packet carries one stream's data only */
    if (!interleave && h->msg->sent)
      return h->sid == s->pkt_sid ? h : NULL;
    c = sched_first_of(q, s->pkt_sid, &prev);
  } else if (!interleave && h->msg->sent) {
    c = h; /* RFC 9260 6.9: a started message goes on, TSNs in a row */
  } else {
    c = sched_pick(a, q, &prev);
  }
  if (!c)
    return NULL;
  sched_to_front(q, prev, c, !interleave);
  if (pkt_start) {
    s->pkt_sid = c->sid;
    s->have_pkt = 1;
  }
  return c;
}

void csctp_sched_sent(csctp_assoc *a, const csctp_chunk_out *c,
                      int interleave) {
  if (a->sched_type == CSCTP_SS_FCFS || !a->ilv)
    return;
  csctp_sched *s = &a->ilv->sched;
  if (interleave || (c->flags & CSCTP_DATA_FLAG_B)) {
    s->rr_sid = c->sid; /* 3.2: next time, the stream after this one */
    s->have_rr = 1;
  }
  if (a->sched_type != CSCTP_SS_FB && a->sched_type != CSCTP_SS_WFQ)
    return;
  uint64_t n = interleave                       ? c->len
               : (c->flags & CSCTP_DATA_FLAG_B) ? c->msg->len
                                                : 0;
  if (n == 0 || c->tx_count > 1)
    return; /* counted with its message's first fragment, or a resend */
  void *arr = s->sent;
  if (sched_grow(a, &arr, &s->nsent, sizeof(uint64_t), c->sid) != 0)
    return; /* no memory: the stream is not charged this time */
  s->sent = arr;
  s->sent[c->sid] += n;
}

/* ---- Public API (RFC 8260 4.3.2, 4.3.3) -------------------------------- */

int csctp_set_stream_scheduler(csctp_endpoint *ep, csctp_assoc_id id,
                               uint32_t sched) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  return csctp_sched_set(a, sched);
}

int csctp_stream_scheduler(const csctp_endpoint *ep, csctp_assoc_id id) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  return a ? (int)a->sched_type : CSCTP_ERR_NOT_FOUND;
}

int csctp_set_stream_sched_value(csctp_endpoint *ep, csctp_assoc_id id,
                                 uint16_t sid, uint16_t value) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (sid >= a->sq.nstreams)
    return CSCTP_ERR_STREAM;
  return csctp_sched_set_value(a, sid, value);
}

int csctp_stream_sched_value(const csctp_endpoint *ep, csctp_assoc_id id,
                             uint16_t sid, uint16_t *value) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (sid >= a->sq.nstreams || !value)
    return value ? CSCTP_ERR_STREAM : CSCTP_ERR_INVAL;
  *value = csctp_sched_value(a, sid);
  return 0;
}
