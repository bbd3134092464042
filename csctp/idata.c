/* idata.c -- user message interleaving, the I-DATA chunk (RFC 8260 2);
 * see idata.h. */
#include "config.h"

#include "idata.h"

#include "engine.h"
#include "mem.h"
#include "tsn.h"

#include <string.h>

/* ---- Codec (RFC 8260 2.1) ---------------------------------------------- */

/* I-DATA
 *  | type=64 | res |I|U|B|E| length                |
 *  | TSN                                           |
 *  | stream identifier     | reserved              |
 *  | message identifier (MID)                      |
 *  | PPID (B set) / fragment sequence number (FSN) |
 *  | user data ...                                 |
 */
int csctp_idata_decode(const csctp_tlv *c, csctp_idata_chunk *out) {
  if (c->type != CSCTP_CT_I_DATA || c->length < CSCTP_IDATA_HDR_LEN ||
      c->value_len < CSCTP_IDATA_HDR_LEN - CSCTP_CHUNK_HDR_LEN)
    return CSCTP_ERR_MALFORMED;
  const uint8_t *v = c->value;
  out->flags = c->flags & 0x0F; /* 2.1: the Res bits are ignored */
  out->tsn = csctp_get32(v);
  out->sid = csctp_get16(v + 4);
  out->mid = csctp_get32(v + 8);
  if (out->flags & CSCTP_DATA_FLAG_B) { /* 2.1: FSN implicitly 0 */
    out->ppid = csctp_get32(v + 12);
    out->fsn = 0;
  } else {
    out->ppid = 0;
    out->fsn = csctp_get32(v + 12);
  }
  out->payload = v + 16;
  out->len = c->length - CSCTP_IDATA_HDR_LEN;
  return 0;
}

int csctp_idata_put(csctp_buf *b, const csctp_idata_chunk *d) {
  size_t length = CSCTP_IDATA_HDR_LEN + d->len;
  if (length > 0xFFFF)
    return CSCTP_ERR_INVAL;
  if (csctp_buf_left(b) < CSCTP_PAD4(length))
    return CSCTP_ERR_NOBUF;
  uint8_t *p = b->base + b->len;
  p[0] = CSCTP_CT_I_DATA;
  p[1] = d->flags & 0x0F; /* 2.1: Res bits 0 */
  csctp_put16(p + 2, (uint16_t)length);
  csctp_put32(p + 4, d->tsn);
  csctp_put16(p + 8, d->sid);
  csctp_put16(p + 10, 0); /* reserved */
  csctp_put32(p + 12, d->mid);
  csctp_put32(p + 16, (d->flags & CSCTP_DATA_FLAG_B) ? d->ppid : d->fsn);
  if (d->len)
    memcpy(p + CSCTP_IDATA_HDR_LEN, d->payload, d->len);
  memset(p + length, 0, CSCTP_PAD4(length) - length);
  b->len += CSCTP_PAD4(length);
  return 0;
}

/* ---- Negotiation (RFC 8260 2.2.1, RFC 5061 4.2.7) ---------------------- */

static int idata_ext_lists(const csctp_tlv *p) {
  for (size_t i = 0; i < p->value_len; i++)
    if (p->value[i] == CSCTP_CT_I_DATA)
      return 1;
  return 0;
}

int csctp_idata_peer_supports(const csctp_init *in) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END)
    if (rv == CSCTP_PARAM_KNOWN && p.type == CSCTP_PT_SUPPORTED_EXT &&
        idata_ext_lists(&p))
      return 1;
  return 0;
}

/* ---- State ------------------------------------------------------------- */

typedef struct idata_frag {
  struct idata_frag *next;
  uint32_t fsn, tsn;
  uint32_t len;
  uint8_t data[];
} idata_frag;

typedef struct csctp_idata_msg {
  struct csctp_idata_msg *next;
  uint16_t sid;
  uint8_t unordered, has_b, has_e;
  uint32_t mid;
  uint32_t last_fsn; /* FSN of the E fragment, once has_e */
  uint32_t nfrags;
  uint32_t ppid, first_tsn; /* from the B fragment */
  uint32_t max_tsn;         /* highest TSN of the fragments held */
  size_t bytes;
  idata_frag *frags, *tail; /* ascending FSN */
  csctp_addr from;
  /* Partial delivery: the reasm run its parts go to; the FSN it needs
   * next (the fragments before it were handed over). */
  struct csctp_reasm_run *pd;
  uint32_t pd_next;
} idata_msg;

/* Bookkeeping charged per fragment held, as the reassembly module does. */
#define IDATA_FRAG_COST (sizeof(idata_frag) + 32u)

csctp_ilv *csctp_ilv_get(csctp_assoc *a) {
  if (!a->ilv)
    a->ilv = csctp_calloc(&a->ep->mem, 1, sizeof(*a->ilv));
  return a->ilv;
}

void csctp_ilv_free(csctp_assoc *a) {
  if (!a->ilv)
    return;
  csctp_idata_free(a);
  csctp_sched_free(a);
  csctp_free(&a->ep->mem, a->ilv);
  a->ilv = NULL;
}

/* The I-DATA state, NULL when never used. */
static csctp_idata *idata_st(const csctp_assoc *a) {
  return a->ilv ? &a->ilv->idata : NULL;
}

static void idata_msg_free(csctp_assoc *a, idata_msg *m) {
  idata_frag *f = m->frags;
  while (f) {
    idata_frag *n = f->next;
    csctp_free(&a->ep->mem, f);
    f = n;
  }
  csctp_idata *d = idata_st(a);
  d->rx_bytes -= m->bytes;
  d->rx_frags -= m->nfrags;
  if (m->pd)
    d->npd--; /* its run is reasm's, freed with it */
  csctp_free(&a->ep->mem, m);
}

void csctp_idata_free(csctp_assoc *a) {
  csctp_idata *d = idata_st(a);
  if (!d)
    return;
  idata_msg *m = d->rx;
  while (m) {
    idata_msg *n = m->next;
    idata_msg_free(a, m);
    m = n;
  }
  d->rx = NULL;
  csctp_free(&a->ep->mem, d->mid_out);
  d->mid_out = NULL;
  d->nout = 0;
  d->fsn_mode = CSCTP_IDATA_FSN_UNKNOWN; /* learned again (idata.h) */
}

size_t csctp_idata_charged(const csctp_assoc *a) {
  const csctp_idata *d = idata_st(a);
  return d ? d->rx_bytes + d->rx_frags * IDATA_FRAG_COST : 0;
}

/* ---- Sender (RFC 8260 2.2.2) ------------------------------------------- */

size_t csctp_idata_out_size(const csctp_assoc *a, const csctp_chunk_out *c) {
  return a->idata_on ? csctp_idata_chunk_size(c->len)
                     : csctp_data_chunk_size(c->len);
}

static int idata_grow_out(csctp_assoc *a, csctp_idata *d, uint16_t sid) {
  if (sid < d->nout)
    return 0;
  uint32_t n = a->sq.nstreams > sid ? a->sq.nstreams : (uint32_t)sid + 1u;
  uint32_t *p = csctp_calloc(&a->ep->mem, 2 * (size_t)n, sizeof(uint32_t));
  if (!p)
    return CSCTP_ERR_NOMEM;
  uint32_t old = d->nout;
  if (d->mid_out) {
    memcpy(p, d->mid_out, old * sizeof(uint32_t));
    memcpy(p + n, d->mid_out + old, old * sizeof(uint32_t));
    csctp_free(&a->ep->mem, d->mid_out);
  }
  d->mid_out = p;
  d->nout = (uint16_t)n; /* sid < 0xFFFF: n <= 0xFFFF */
  return 0;
}

int csctp_idata_prepare(csctp_assoc *a, csctp_chunk_out *c) {
  csctp_msg_out *m = c->msg;
  if (m->mid_set)
    return 0;
  /* 2.1: one counter for ordered and one for unordered messages per
   * stream; 2.2.2: one message at a time per stream, so the MID is given
   * when the message starts to go out. */
  csctp_ilv *x = csctp_ilv_get(a);
  if (!x || c->sid == 0xFFFF || idata_grow_out(a, &x->idata, c->sid) != 0)
    return CSCTP_ERR_NOMEM;
  int u = (m->info.flags & CSCTP_SEND_UNORDERED) != 0;
  uint32_t *ctr = x->idata.mid_out + (u ? x->idata.nout : 0) + c->sid;
  m->mid = (*ctr)++;
  m->mid_set = 1;
  /* The peer's numbering, as learned (idata.h "Linux's numbering") or
   * forced (csctp_settings.idata_fsn_from0, for Linux 6.1 peers); fixed
   * for the message so that retransmissions carry the same FSNs. */
  m->fsn_from0 =
      x->idata.fsn_mode == CSCTP_IDATA_FSN_FROM0 || a->s.idata_fsn_from0;
  return 0;
}

int csctp_idata_put_chunk(csctp_assoc *a, csctp_buf *b, csctp_chunk_out *c) {
  csctp_idata_chunk d;
  d.flags = c->flags;
  d.tsn = c->tsn;
  d.sid = c->sid;
  d.mid = c->msg->mid;
  d.ppid = c->msg->info.ppid;
  d.fsn = c->fsn; /* 2.1: 0 for the B fragment, then +1 per fragment */
  if (c->msg->fsn_from0 && c->fsn > 0)
    d.fsn = c->fsn - 1u; /* what Linux 6.1 expects (idata.h) */
  d.payload = c->msg->data + c->off;
  d.len = c->len;
  int rv = csctp_idata_put(b, &d);
  if (rv == 0 && a->ilv)
    a->ilv->idata.chunks_out++;
  return rv;
}

void csctp_idata_reset_out(csctp_assoc *a, const uint8_t *sids, size_t n) {
  csctp_idata *d = idata_st(a);
  uint32_t *ctr = d ? d->mid_out : NULL;
  uint16_t nout = d ? d->nout : 0;
  if (!ctr)
    return;     /* no message went yet: all counters are 0 */
  if (n == 0) { /* RFC 8260 2.3.2: both counters back to 0 */
    memset(ctr, 0, 2 * (size_t)nout * sizeof(uint32_t));
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint16_t s = csctp_get16(sids + 2 * i);
    if (s < nout)
      ctr[s] = ctr[nout + s] = 0;
  }
}

/* ---- Receiver (RFC 8260 2.2.3) ----------------------------------------- */

/* Hard limit on the receive charge, as assoc_data.c's (3 buffers). */
static size_t idata_rx_cap(const csctp_assoc *a) {
  return 3 * (size_t)a->s.rcvbuf + 65536u;
}

static size_t idata_rx_held(const csctp_assoc *a) {
  return csctp_reasm_charged_bytes(&a->rx) + csctp_idata_charged(a);
}

static idata_msg *idata_find(const csctp_assoc *a, uint16_t sid, int u,
                             uint32_t mid) {
  const csctp_idata *d = idata_st(a);
  for (idata_msg *m = d ? d->rx : NULL; m; m = m->next)
    if (m->sid == sid && m->unordered == u && m->mid == mid)
      return m;
  return NULL;
}

/* RFC 9260 6.2 as for DATA (see assoc_data.c): new data within the buffer;
 * hole fillers below the highest TSN up to two buffers. The message under
 * partial delivery (what the reader waits for), or else the oldest
 * incomplete message (so that it reaches the partial delivery point or
 * completes), may grow up to the hard cap. */
static int idata_has_room(const csctp_assoc *a, const idata_msg *m,
                          uint32_t tsn, size_t len) {
  size_t held = idata_rx_held(a);
  size_t cost = len + IDATA_FRAG_COST;
  if (held + cost <= a->s.rcvbuf)
    return 1;
  if (held + cost > idata_rx_cap(a))
    return 0;
  const csctp_idata *d = idata_st(a);
  if (m && (m->pd || (!d->npd && m == d->rx)))
    return 1; /* what the reader waits for, or will */
  if (tsn == csctp_tsnmap_cum(&a->tsn) + 1u &&
      (csctp_tsn_lt(tsn, csctp_tsnmap_highest(&a->tsn)) ||
       csctp_idata_rwnd_floor(a) > 0))
    return 1; /* the lowest hole, or what everything waits for: with
                 I-DATA it may be any message's, and while messages are
                 incomplete our window is not 0 (csctp_idata_rwnd_floor),
                 so RFC 9260 6.2's drop above the highest TSN does not
                 apply */
  if (csctp_tsn_gt(tsn, csctp_tsnmap_highest(&a->tsn)))
    return 0;
  return held + cost <= 2 * (size_t)a->s.rcvbuf;
}

size_t csctp_idata_rwnd_floor(const csctp_assoc *a) {
  /* Keep the window open for the oldest incomplete message (see
   * idata_has_room), as the partial delivery reserve does for DATA. */
  size_t held = idata_rx_held(a), cap = idata_rx_cap(a);
  if (!idata_st(a) || !idata_st(a)->rx || held >= cap)
    return 0;
  size_t res = a->s.rcvbuf / 4;
  return res < cap - held ? res : cap - held;
}

/* A complete message joins the ordering of its stream in reasm as one
 * unfragmented message: SSN = MID's low 16 bits (RFC 8260 4.1). */
static int idata_deliver(csctp_assoc *a, const csctp_idata_chunk *first,
                         uint32_t tsn, const uint8_t *payload, size_t len,
                         const csctp_addr *from) {
  csctp_data d;
  d.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E |
            (first->flags & CSCTP_DATA_FLAG_U);
  d.tsn = tsn;
  d.sid = first->sid;
  d.ssn = (uint16_t)first->mid;
  d.ppid = first->ppid;
  d.payload = payload;
  d.len = len;
  return csctp_reasm_add(&a->rx, &d, from);
}

/* The fragments of m in one buffer, handed to reasm. */
static int idata_deliver_msg(csctp_assoc *a, idata_msg *m) {
  uint8_t *buf = csctp_malloc(&a->ep->mem, m->bytes ? m->bytes : 1);
  if (!buf)
    return CSCTP_ERR_NOMEM;
  size_t off = 0;
  for (idata_frag *f = m->frags; f; f = f->next) {
    memcpy(buf + off, f->data, f->len);
    off += f->len;
  }
  csctp_idata_chunk first;
  first.flags = m->unordered ? CSCTP_DATA_FLAG_U : 0;
  first.sid = m->sid;
  first.mid = m->mid;
  first.ppid = m->ppid;
  int rv = idata_deliver(a, &first, m->first_tsn, buf, m->bytes, &m->from);
  csctp_free(&a->ep->mem, buf);
  return rv;
}

static int idata_complete(const idata_msg *m) {
  return !m->pd && m->has_b && m->has_e && m->nfrags == m->last_fsn + 1u;
}

/* 2.1: FSNs enumerate the fragments from 0; the E fragment has the last
 * one. A fragment that contradicts what is held is a protocol violation. */
static int idata_fits(const idata_msg *m, const csctp_idata_chunk *d) {
  int b = (d->flags & CSCTP_DATA_FLAG_B) != 0;
  int e = (d->flags & CSCTP_DATA_FLAG_E) != 0;
  if ((b && m->has_b) || (!b && d->fsn == 0) || (e && m->has_e))
    return 0;
  if (e && m->tail && m->tail->fsn >= d->fsn)
    return 0; /* a fragment beyond the last */
  if (m->has_e && d->fsn >= m->last_fsn)
    return 0;
  if (m->pd && d->fsn < m->pd_next)
    return 0; /* a new TSN for a fragment already handed over */
  return 1;
}

static void idata_unlink(csctp_assoc *a, idata_msg *m) {
  idata_msg **pp = &idata_st(a)->rx;
  while (*pp != m)
    pp = &(*pp)->next;
  *pp = m->next;
}

/* Adds fragment d to m in FSN order. 0, CSCTP_ERR_NOMEM, CSCTP_ERR_PROTO
 * (same FSN twice). */
static int idata_insert(csctp_assoc *a, idata_msg *m,
                        const csctp_idata_chunk *d) {
  idata_frag **pp = &m->frags;
  if (m->tail && m->tail->fsn < d->fsn)
    pp = &m->tail->next; /* in order: the usual case */
  else
    while (*pp && (*pp)->fsn < d->fsn)
      pp = &(*pp)->next;
  if (*pp && (*pp)->fsn == d->fsn)
    return CSCTP_ERR_PROTO;
  idata_frag *f = csctp_malloc(&a->ep->mem, sizeof(*f) + d->len);
  if (!f)
    return CSCTP_ERR_NOMEM;
  f->fsn = d->fsn;
  f->tsn = d->tsn;
  f->len = (uint32_t)d->len;
  memcpy(f->data, d->payload, d->len);
  f->next = *pp;
  *pp = f;
  if (!f->next)
    m->tail = f;
  m->nfrags++;
  m->bytes += d->len;
  if (m->nfrags == 1 || csctp_tsn_gt(d->tsn, m->max_tsn))
    m->max_tsn = d->tsn;
  idata_st(a)->rx_bytes += d->len;
  idata_st(a)->rx_frags++;
  if (d->flags & CSCTP_DATA_FLAG_B) {
    m->has_b = 1;
    m->ppid = d->ppid;
    m->first_tsn = d->tsn;
  }
  if (d->flags & CSCTP_DATA_FLAG_E) {
    m->has_e = 1;
    m->last_fsn = d->fsn;
  }
  return 0;
}

/* Takes fragment f back out of m (its message could not be delivered). */
static void idata_remove(csctp_assoc *a, idata_msg *m,
                         const csctp_idata_chunk *d) {
  idata_frag **pp = &m->frags, *prev = NULL;
  while (*pp && (*pp)->fsn != d->fsn) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  idata_frag *f = *pp;
  if (!f)
    return;
  *pp = f->next;
  if (m->tail == f)
    m->tail = prev;
  m->nfrags--;
  m->bytes -= f->len;
  idata_st(a)->rx_bytes -= f->len;
  idata_st(a)->rx_frags--;
  if (d->flags & CSCTP_DATA_FLAG_B)
    m->has_b = 0;
  if (d->flags & CSCTP_DATA_FLAG_E)
    m->has_e = 0;
  csctp_free(&a->ep->mem, f);
}

static idata_msg *idata_new_msg(csctp_assoc *a, const csctp_idata_chunk *d,
                                const csctp_addr *src) {
  csctp_ilv *x = csctp_ilv_get(a);
  if (!x)
    return NULL;
  idata_msg *m = csctp_calloc(&a->ep->mem, 1, sizeof(*m));
  if (!m)
    return NULL;
  m->sid = d->sid;
  m->unordered = (d->flags & CSCTP_DATA_FLAG_U) != 0;
  m->mid = d->mid;
  if (src)
    m->from = *src;
  idata_msg **pp = &x->idata.rx; /* oldest first */
  while (*pp)
    pp = &(*pp)->next;
  *pp = m;
  return m;
}

/* The fragments held were taken in RFC numbering while the peer's was
 * unknown; it numbers from 0 (idata.h): each non-B fragment moves up one.
 * (No non-B fragment with FSN 0 is held: it would have taught us.) */
static void idata_renumber(csctp_idata *d) {
  for (idata_msg *m = d->rx; m; m = m->next) {
    for (idata_frag *f = m->frags; f; f = f->next)
      if (f->fsn != 0)
        f->fsn++;
    if (m->has_e)
      m->last_fsn++;
  }
}

/* Puts d's FSN in RFC 8260 2.1 numbering (B = 0, then 1, 2, ...), learning
 * the peer's: a non-B fragment with FSN 0 is Linux's numbering from 0
 * (idata.h "Linux's numbering"); from0 (csctp_settings.idata_fsn_from0)
 * takes Linux's numbering at the first non-B fragment whatever its FSN.
 * Once the peer is known to number as the RFC says, FSN 0 without B stays
 * 0, a violation for idata_fits. */
static void idata_learn_fsn(csctp_idata *x, csctp_idata_chunk *d, int from0) {
  if (d->flags & CSCTP_DATA_FLAG_B)
    return;
  if (x->fsn_mode == CSCTP_IDATA_FSN_UNKNOWN && (d->fsn == 0 || from0)) {
    x->fsn_mode = CSCTP_IDATA_FSN_FROM0;
    idata_renumber(x);
  }
  if (x->fsn_mode == CSCTP_IDATA_FSN_FROM0)
    d->fsn++;
}

/* ---- Partial delivery (RFC 6458 8.1.21, RFC 8260 1) --------------------
 *
 * A message that is next in line (unordered, or its MID's low 16 bits are
 * the SSN its stream expects) and holds at least the partial delivery point
 * (reasm's pd_point: half the receive buffer) received contiguously from
 * its B fragment goes to the reader before it is complete: a run opened in
 * reasm (csctp_reasm_ext_open) takes its fragments in FSN order as they
 * arrive. One message at a time per association is under partial delivery
 * (a read never interleaves two messages, csctp_io.h), but the other
 * streams' messages keep arriving and completing meanwhile: they are read
 * after it. At fragment interleave level 2 (RFC 6458 8.1.20,
 * csctp_set_fragment_interleave) one message per stream may be: the
 * reader takes their parts in turn (reasm.h "Interleaved reads"), and a
 * full buffer starts every one that may (idata_low_buffer). An
 * I-FORWARD-TSN that abandons one ends it where it is and raises
 * CSCTP_EV_PARTIAL_DELIVERY (RFC 6458 6.1.7, aborted). Only once the peer's
 * numbering is known (a later renumbering would reorder what was read). */

/* Takes m's first held fragment out (it went to reasm). */
static void idata_pop(csctp_assoc *a, idata_msg *m) {
  idata_frag *f = m->frags;
  m->frags = f->next;
  if (!m->frags)
    m->tail = NULL;
  m->nfrags--;
  m->bytes -= f->len;
  idata_st(a)->rx_bytes -= f->len;
  idata_st(a)->rx_frags--;
  csctp_free(&a->ep->mem, f);
}

/* Whether another message under partial delivery keeps m from starting:
 * levels 0 and 1 have one per association (a read never interleaves two
 * messages); level 2 one per stream (RFC 6458 8.1.20: no other message of
 * stream Y until Y's partially delivered one was read). */
static int idata_pd_may(const csctp_assoc *a, const idata_msg *m) {
  const csctp_idata *d = idata_st(a);
  if (!d->npd)
    return 1;
  if (!a->rx.interleave)
    return 0;
  for (const idata_msg *o = d->rx; o; o = o->next)
    if (o->pd && o->sid == m->sid)
      return 0;
  return 1;
}

/* Hands m's fragments that continue its run over. 1: the message ended (m
 * is freed); 0: not yet; CSCTP_ERR_NOMEM: stopped (what is left stays). */
static int idata_pd_feed(csctp_assoc *a, idata_msg *m) {
  csctp_idata *d = idata_st(a);
  idata_frag *f;
  while ((f = m->frags) && f->fsn == m->pd_next) {
    int last = m->has_e && f->fsn == m->last_fsn;
    if (csctp_reasm_ext_append(&a->rx, m->pd, f->data, f->len, last,
                               &m->from) != 0)
      return CSCTP_ERR_NOMEM;
    idata_pop(a, m);
    m->pd_next++;
    if (last) { /* the run is reasm's now */
      m->pd = NULL;
      d->npd--;
      d->settle_due = 1; /* another message may start */
      idata_unlink(a, m);
      idata_msg_free(a, m);
      return 1;
    }
  }
  return 0;
}

/* Starts partial delivery of m when it may (see above) and holds at least
 * point bytes from its B fragment on: 0 not started or started, 1 started
 * and ended at once, CSCTP_ERR_NOMEM. */
static int idata_pd_start(csctp_assoc *a, idata_msg *m, size_t point) {
  csctp_idata *d = idata_st(a);
  if (m->pd || !m->has_b || d->fsn_mode == CSCTP_IDATA_FSN_UNKNOWN ||
      !idata_pd_may(a, m))
    return 0;
  if (!m->unordered && (uint16_t)m->mid != csctp_reasm_next_ssn(&a->rx, m->sid))
    return 0; /* not next in its stream */
  size_t run = 0;
  uint32_t want = 0;
  for (const idata_frag *f = m->frags; f && f->fsn == want; f = f->next)
    run += f->len, want++;
  if (run < point || run == 0)
    return 0;
  csctp_data first;
  memset(&first, 0, sizeof(first));
  first.flags = CSCTP_DATA_FLAG_B | (m->unordered ? CSCTP_DATA_FLAG_U : 0);
  first.tsn = m->first_tsn;
  first.sid = m->sid;
  first.ssn = (uint16_t)m->mid; /* RFC 8260 4.1 */
  first.ppid = m->ppid;
  first.payload = m->frags->data;
  first.len = m->frags->len;
  m->pd = csctp_reasm_ext_open(&a->rx, &first, &m->from);
  if (!m->pd)
    return CSCTP_ERR_NOMEM;
  idata_pop(a, m);
  m->pd_next = 1;
  d->npd++;
  d->pd_started++;
  return idata_pd_feed(a, m);
}

/* The buffer is full of incomplete messages and a fragment was refused:
 * unless one is read in parts already, the first that may be starts now
 * whatever its size (RFC 6458 8.1.21: partial delivery frees the window
 * for the peer). Else, with several large messages interleaved, none may
 * reach the point while the peer resends the fragments we refuse. */
static void idata_low_buffer(csctp_assoc *a) {
  csctp_idata *d = idata_st(a);
  if (!d || (d->npd && !a->rx.interleave))
    return;
  for (idata_msg *m = d->rx, *n; m; m = n) {
    n = m->next; /* idata_pd_start may free m only */
    if (d->npd && !a->rx.interleave)
      break;
    if (idata_pd_start(a, m, 1) < 0)
      break; /* out of memory */
  }
}

/* RFC 6458 6.1.7: the message under partial delivery m will not complete. */
static void idata_pd_abort(csctp_assoc *a, idata_msg *m) {
  csctp_idata *d = idata_st(a);
  csctp_reasm_ext_abort(&a->rx, m->pd);
  m->pd = NULL;
  d->npd--;
  d->pd_aborted++;
  d->settle_due = 1;
  csctp_assoc_event_pd_aborted(a, m->sid, m->mid, m->unordered);
}

void csctp_idata_interleave_changed(csctp_assoc *a) {
  csctp_idata *d = idata_st(a);
  if (d)
    d->settle_due = 1;
}

/* What to do with m, fragments having changed: deliver it whole, start or
 * continue its partial delivery. 0, CSCTP_ERR_PROTO (reasm refused it: a
 * MID in use), CSCTP_ERR_NOMEM (left as it is; settle_due set). m may be
 * freed. */
static int idata_progress(csctp_assoc *a, idata_msg *m) {
  csctp_idata *d = idata_st(a);
  int rv = 0;
  if (d->fsn_mode == CSCTP_IDATA_FSN_UNKNOWN)
    return 0; /* idata_settle decides */
  if (m->pd) {
    rv = idata_pd_feed(a, m);
  } else if (idata_complete(m)) {
    rv = idata_deliver_msg(a, m);
    if (rv == 0) {
      idata_unlink(a, m);
      idata_msg_free(a, m);
      d->settle_due = 1; /* the stream's next may start partial delivery */
    }
  } else {
    rv = idata_pd_start(a, m, a->rx.pd_point);
  }
  if (rv == CSCTP_ERR_NOMEM)
    d->settle_due = 1;
  return rv < 0 ? rv : 0;
}

/* While the peer's numbering is unknown (idata.h), it is learned to be the
 * RFC's once a message holds its B fragment and a later one whose TSN the
 * cumulative TSN covers: every TSN between arrived and none was a fragment
 * numbered 0. Then, and when settle_due was set, every message held is
 * looked at again (idata_progress). Returns 0 or CSCTP_ERR_PROTO. */
static int idata_settle(csctp_assoc *a) {
  csctp_idata *d = idata_st(a);
  if (!d || (d->fsn_mode != CSCTP_IDATA_FSN_UNKNOWN && !d->settle_due))
    return 0;
  uint32_t cum = csctp_tsnmap_cum(&a->tsn);
  for (idata_msg *m = d->rx; m && d->fsn_mode == CSCTP_IDATA_FSN_UNKNOWN;
       m = m->next)
    if (m->has_b && m->frags && m->frags->next &&
        csctp_tsn_le(m->frags->next->tsn, cum))
      d->fsn_mode = CSCTP_IDATA_FSN_RFC;
  if (d->fsn_mode == CSCTP_IDATA_FSN_UNKNOWN)
    return 0;
  d->settle_due = 0;
  idata_msg *m = d->rx;
  while (m) {
    idata_msg *n = m->next;
    if (idata_progress(a, m) == CSCTP_ERR_PROTO)
      return CSCTP_ERR_PROTO;
    m = n;
  }
  return 0;
}

/* Takes a new (not duplicate) fragment: 0, CSCTP_ERR_NOMEM (nothing kept),
 * CSCTP_ERR_PROTO. */
static int idata_take(csctp_assoc *a, idata_msg *m, const csctp_idata_chunk *d,
                      const csctp_addr *src) {
  int be = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  if ((d->flags & be) == be) { /* unfragmented: straight to ordering */
    if (m)
      return CSCTP_ERR_PROTO; /* 2.2.2: one message per MID */
    return idata_deliver(a, d, d->tsn, d->payload, d->len, src);
  }
  static const idata_msg none;
  if (!idata_fits(m ? m : &none, d))
    return CSCTP_ERR_PROTO;
  int fresh = m == NULL;
  if (fresh && !(m = idata_new_msg(a, d, src)))
    return CSCTP_ERR_NOMEM;
  int rv = idata_insert(a, m, d);
  if (rv != 0) {
    if (fresh) {
      idata_unlink(a, m);
      idata_msg_free(a, m);
    }
    return rv;
  }
  if (idata_st(a)->fsn_mode != CSCTP_IDATA_FSN_UNKNOWN && idata_complete(m)) {
    rv = idata_deliver_msg(a, m);
    if (rv == 0) {
      idata_unlink(a, m);
      idata_msg_free(a, m);
      idata_st(a)->settle_due = 1; /* its stream's next may start a PD */
      return 0;
    }
    idata_remove(a, m, d); /* not acknowledged: the peer resends it */
    if (fresh) {
      idata_unlink(a, m);
      idata_msg_free(a, m);
    }
    return rv;
  }
  /* Partial delivery: the fragment is kept whatever happens (a hand-over
   * that fails for want of memory is tried again, settle_due). */
  return idata_progress(a, m);
}

void csctp_idata_on_chunk(csctp_assoc *a, const csctp_tlv *c, uint8_t path,
                          const csctp_addr *src, int *result) {
  csctp_idata_chunk d;
  *result = 0;
  if (!a->rx_ready || a->state == CSCTP_STATE_COOKIE_WAIT ||
      csctp_idata_decode(c, &d) != 0)
    return;
  a->sack_path = path;
  if (d.flags & CSCTP_DATA_FLAG_I)
    a->sack_now = 1; /* 2.2: the I bit as for DATA (RFC 7053) */
  if (d.len == 0) {  /* RFC 9260 3.3.1, as for DATA */
    uint8_t v[4];
    csctp_put32(v, d.tsn);
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_NO_USER_DATA, v, 4);
    return;
  }
  switch (csctp_tsnmap_classify(&a->tsn, d.tsn)) {
  case CSCTP_TSN_DUP:
    csctp_assoc_note_dup(a, d.tsn); /* RFC 9260 6.2, 6.4 */
    *result = 2;
    return;
  case CSCTP_TSN_OUT_OF_WINDOW:
    a->sack_now = 1;
    return;
  default:
    break;
  }
  if (d.sid >= a->istreams) { /* RFC 9260 6.5 */
    uint8_t v[4] = {0};
    csctp_put16(v, d.sid);
    if (csctp_tsnmap_mark(&a->tsn, d.tsn) == 0) {
      csctp_assoc_queue_error(a, CSCTP_CAUSE_INVALID_STREAM, v, 4);
      a->sack_now = 1;
      *result = 1;
    }
    return;
  }
  if (!(d.flags & CSCTP_DATA_FLAG_B)) {
    csctp_ilv *x = csctp_ilv_get(a);
    if (!x)
      return; /* out of memory: not acknowledged, the peer resends */
    idata_learn_fsn(&x->idata, &d, a->s.idata_fsn_from0 != 0);
  }
  int u = (d.flags & CSCTP_DATA_FLAG_U) != 0;
  idata_msg *m = idata_find(a, d.sid, u, d.mid);
  if (!idata_has_room(a, m, d.tsn, d.len) ||
      !csctp_assoc_budget_admits(a, d.tsn, d.len)) {
    int was_ready = csctp_reasm_has_ready(&a->rx);
    idata_low_buffer(a);
    if (!was_ready && csctp_reasm_has_ready(&a->rx))
      csctp_ep_ready_push(a);
    a->sack_now = 1;
    return;
  }
  int was_ready = csctp_reasm_has_ready(&a->rx);
  int rv = idata_take(a, m, &d, src);
  if (rv == CSCTP_ERR_PROTO) {
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return;
  }
  if (rv != 0)
    return; /* out of memory: not acknowledged, the peer resends */
  if (csctp_tsnmap_mark(&a->tsn, d.tsn) != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                      0);
    return;
  }
  if (idata_settle(a) != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return;
  }
  if (!was_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a);
  csctp_assoc_budget_sync(a);
  a->data_chunks_in++;
  if (a->ilv)
    a->ilv->idata.chunks_in++;
  *result = 1;
}

/* ---- Public API -------------------------------------------------------- */

int csctp_interleaving(const csctp_endpoint *ep, csctp_assoc_id id) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  return a ? a->idata_on : CSCTP_ERR_NOT_FOUND;
}

/* ---- I-FORWARD-TSN (RFC 8260 2.3.1) ------------------------------------ */

/* I-FORWARD-TSN
 *  | type=194 | flags=0 | length                     |
 *  | new cumulative TSN                             |
 *  | stream identifier     | reserved          |U|  |
 *  | message identifier                             |
 *  | ... one 8-byte entry per (stream, U)           |
 */
int csctp_ifwd_decode(const csctp_tlv *c, csctp_ifwd *out) {
  if (c->type != CSCTP_CT_I_FORWARD_TSN || c->length < 8 ||
      (c->length - 8u) % 8u != 0 || c->value_len < (size_t)c->length - 4u)
    return CSCTP_ERR_MALFORMED;
  out->new_cum = csctp_get32(c->value);
  out->n = (c->length - 8u) / 8u;
  out->entries = c->value + 4;
  return 0;
}

void csctp_ifwd_entry(const csctp_ifwd *f, size_t i, csctp_ifwd_ent *e) {
  const uint8_t *p = f->entries + 8 * i;
  e->sid = csctp_get16(p);
  e->u = p[3] & 1u; /* 2.3.1: the rest of the word is reserved */
  e->mid = csctp_get32(p + 4);
}

int csctp_ifwd_put(csctp_buf *b, uint32_t new_cum, const csctp_ifwd_ent *e,
                   size_t n) {
  size_t len = 8 + 8 * n;
  if (len > 0xFFFF)
    return CSCTP_ERR_INVAL;
  if (csctp_buf_left(b) < len)
    return CSCTP_ERR_NOBUF;
  uint8_t *p = b->base + b->len;
  p[0] = CSCTP_CT_I_FORWARD_TSN;
  p[1] = 0;
  csctp_put16(p + 2, (uint16_t)len);
  csctp_put32(p + 4, new_cum);
  for (size_t i = 0; i < n; i++) {
    uint8_t *q = p + 8 + 8 * i;
    csctp_put16(q, e[i].sid);
    csctp_put16(q + 2, e[i].u ? 1u : 0u);
    csctp_put32(q + 4, e[i].mid);
  }
  b->len += len;
  return 0;
}

int csctp_idata_peer_supports_ifwd(const csctp_init *in) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END)
    if (rv == CSCTP_PARAM_KNOWN && p.type == CSCTP_PT_SUPPORTED_EXT)
      for (size_t i = 0; i < p.value_len; i++)
        if (p.value[i] == CSCTP_CT_I_FORWARD_TSN)
          return 1;
  return 0;
}

/* Keeps the highest MID per (sid, U) (serial arithmetic, 2.1). Returns 0,
 * or -1 when a new entry does not fit. */
static int idata_add_ent(csctp_ifwd_ent *e, size_t *n, size_t max, uint16_t sid,
                         int u, uint32_t mid) {
  for (size_t i = 0; i < *n; i++) {
    if (e[i].sid != sid || e[i].u != u)
      continue;
    if (csctp_tsn_gt(mid, e[i].mid))
      e[i].mid = mid;
    return 0;
  }
  if (*n >= max)
    return -1;
  e[*n].sid = sid;
  e[*n].u = (uint8_t)u;
  e[*n].mid = mid;
  (*n)++;
  return 0;
}

#define IDATA_MAX_ENTS 256

int csctp_idata_put_ifwd(csctp_assoc *a, csctp_buf *b, uint32_t ap) {
  if (csctp_buf_left(b) < 8)
    return CSCTP_ERR_NOBUF;
  csctp_ifwd_ent e[IDATA_MAX_ENTS];
  size_t n = 0, max = (csctp_buf_left(b) - 8) / 8;
  if (max > IDATA_MAX_ENTS)
    max = IDATA_MAX_ENTS;
  /* 2.3.1: the largest skipped MID of each stream, ordered and unordered
   * apart (RFC 3758 3.5 C4 with MIDs). */
  for (const csctp_chunk_out *c = a->sq.out; c && csctp_tsn_le(c->tsn, ap);
       c = c->next) {
    int u = (c->flags & CSCTP_DATA_FLAG_U) != 0;
    if (idata_add_ent(e, &n, max, c->sid, u, c->msg->mid) != 0) {
      ap = c->tsn - 1u; /* C4: lower the point to what fits */
      break;
    }
  }
  if (!csctp_tsn_gt(ap, a->sq.cum_acked))
    return CSCTP_ERR_NOBUF;
  return csctp_ifwd_put(b, ap, e, n);
}

void csctp_idata_tsn_reset(csctp_assoc *a) {
  csctp_idata *d = idata_st(a);
  while (d && d->rx) {
    idata_msg *m = d->rx;
    if (m->pd)
      idata_pd_abort(a, m);
    d->rx = m->next;
    idata_msg_free(a, m);
  }
}

/* Drops the incomplete messages of (sid, u) with a MID up to mid. */
static void idata_skip(csctp_assoc *a, uint16_t sid, int u, uint32_t mid) {
  csctp_idata *d = idata_st(a);
  idata_msg **pp = d ? &d->rx : NULL;
  while (pp && *pp) {
    idata_msg *m = *pp;
    if (m->sid == sid && m->unordered == u && csctp_tsn_le(m->mid, mid)) {
      if (m->pd)
        idata_pd_abort(a, m);
      *pp = m->next;
      idata_msg_free(a, m);
    } else {
      pp = &m->next;
    }
  }
}

int csctp_idata_on_ifwd(csctp_assoc *a, const csctp_tlv *c) {
  csctp_ifwd f;
  if (!a->rx_ready || csctp_ifwd_decode(c, &f) != 0)
    return 0;
  if (!csctp_tsn_gt(f.new_cum, csctp_tsnmap_cum(&a->tsn))) {
    a->sack_now = 1; /* out of date: our last SACK may have been lost */
    return 2;
  }
  int was_ready = csctp_reasm_has_ready(&a->rx);
  for (size_t i = 0; i < f.n; i++) {
    csctp_ifwd_ent e;
    csctp_ifwd_entry(&f, i, &e);
    if (e.sid >= a->istreams)
      continue;
    idata_skip(a, e.sid, e.u, e.mid);
    /* ordered: the stream goes on after the skipped MID (RFC 3758 3.6
     * with MIDs, whose low 16 bits are the SSN in reasm) */
    if (!e.u)
      csctp_reasm_skip_ssn(&a->rx, e.sid, (uint16_t)e.mid);
  }
  csctp_tsnmap_forward(&a->tsn, f.new_cum);
  if (idata_settle(a) != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return 0;
  }
  if (!was_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a);
  csctp_assoc_budget_sync(a);
  return 1;
}
