/* eor.c -- explicit end of record (RFC 6458 8.1.26); see eor.h. */
#include "config.h"

#include "eor.h"

#include "engine.h"
#include "mem.h"
#include "sendq.h"

#include <string.h>

typedef struct csctp_eor_msg {
  csctp_sndinfo info; /* the first part's */
  uint16_t ssn;
  uint8_t started; /* the fragment with the B bit is queued */
  uint32_t frag;   /* fragment size, fixed when the message opens */
  uint32_t held;   /* bytes in buf, not yet queued */
  uint8_t buf[];
} csctp_eor_msg;

size_t csctp_eor_held(const csctp_assoc *a) {
  return a->eor ? a->eor->held : 0;
}

void csctp_eor_free(csctp_assoc *a) {
  csctp_free(&a->ep->mem, a->eor);
  a->eor = NULL;
}

/* eor_copy copies n bytes at offset off of the message's pending bytes:
 * the held ones, then the new part's. */
static void eor_copy(uint8_t *dst, const csctp_eor_msg *o, const uint8_t *data,
                     size_t off, size_t n) {
  if (off < o->held) {
    size_t k = o->held - off < n ? o->held - off : n;
    memcpy(dst, o->buf + off, k);
    dst += k;
    off += k;
    n -= k;
  }
  if (n)
    memcpy(dst, data + (off - o->held), n);
}

static void eor_free_list(const csctp_mem *mem, csctp_chunk_out *c) {
  while (c) {
    csctp_chunk_out *next = c->next;
    csctp_free(mem, c->msg);
    csctp_free(mem, c);
    c = next;
  }
}

/* eor_build makes the fragments of bytes [0, nfrag pieces) of the pending
 * bytes (total of them), each its own message record, in *head.
 * RFC 9260 6.9: the first fragment of the message has B, the last E. */
static int eor_build(csctp_assoc *a, const csctp_eor_msg *o,
                     const uint8_t *data, size_t total, size_t nfrag, int last,
                     int sack_now, csctp_chunk_out **head) {
  const csctp_mem *mem = &a->ep->mem;
  csctp_chunk_out *tail = NULL;
  *head = NULL;
  for (size_t i = 0; i < nfrag; i++) {
    size_t off = i * o->frag;
    size_t n = total - off < o->frag ? total - off : o->frag;
    csctp_msg_out *m = csctp_malloc(mem, sizeof(*m) + n);
    csctp_chunk_out *c = csctp_calloc(mem, 1, sizeof(*c));
    if (!m || !c) {
      csctp_free(mem, m);
      csctp_free(mem, c);
      eor_free_list(mem, *head);
      *head = NULL;
      return CSCTP_ERR_NOMEM;
    }
    memset(m, 0, sizeof(*m));
    m->len = (uint32_t)n;
    m->info = o->info;
    m->refs = 1;
    eor_copy(m->data, o, data, off, n);
    c->msg = m;
    c->len = (uint32_t)n;
    c->sid = o->info.sid;
    c->ssn = o->ssn;
    if (i == 0 && !o->started)
      c->flags |= CSCTP_DATA_FLAG_B;
    if (last && i + 1 == nfrag)
      c->flags |= CSCTP_DATA_FLAG_E | (sack_now ? CSCTP_DATA_FLAG_I : 0);
    if (o->info.flags & CSCTP_SEND_UNORDERED)
      c->flags |= CSCTP_DATA_FLAG_U;
    if (tail)
      tail->next = c;
    else
      *head = c;
    tail = c;
  }
  return 0;
}

/* eor_splice appends the fragments to the send queue's FIFO: they take
 * TSNs in this order, after everything queued before (RFC 9260 6.9). */
static void eor_splice(csctp_sendq *q, csctp_chunk_out *head) {
  while (head) {
    csctp_chunk_out *c = head;
    head = c->next;
    c->next = NULL;
    if (q->unsent_tail)
      q->unsent_tail->next = c;
    else
      q->unsent = c;
    q->unsent_tail = c;
    q->n_unsent++;
    q->buffered += c->len;
    q->unsent_bytes += c->len;
    q->overhead += sizeof(csctp_msg_out) + sizeof(csctp_chunk_out);
    /* Each record is released on its own: counted as one outstanding
     * ordered message of the stream (RFC 9260 6.1's bound, conservative). */
    if (!(c->flags & CSCTP_DATA_FLAG_U))
      q->ordered_out[c->sid]++;
  }
}

static csctp_eor_msg *eor_open(csctp_assoc *a, const csctp_sndinfo *info) {
  csctp_eor_msg *o =
      csctp_malloc(&a->ep->mem, sizeof(*o) + (size_t)a->frag_point);
  if (!o)
    return NULL;
  memset(o, 0, sizeof(*o));
  o->info = *info;
  o->info.flags &= CSCTP_SEND_UNORDERED;
  o->frag = a->frag_point;
  return o;
}

int csctp_eor_push(csctp_assoc *a, const csctp_sndinfo *info,
                   const uint8_t *data, size_t len) {
  csctp_sendq *q = &a->sq;
  int more = (info->flags & CSCTP_SEND_MORE) != 0;
  if (info->pr_policy != CSCTP_PR_SCTP_NONE ||
      (more && (info->flags & CSCTP_SEND_EOF)))
    return CSCTP_ERR_INVAL;
  csctp_eor_msg *o = a->eor;
  if (o && info->sid != o->info.sid)
    return CSCTP_ERR_INVAL; /* eor.h: one message at a time */
  if (!o && len == 0)
    return CSCTP_ERR_INVAL;
  int opened = !o;
  if (opened && !(o = eor_open(a, info)))
    return CSCTP_ERR_NOMEM;
  /* While more follows, at least one byte stays held (so the last fragment
   * is never out before the end is known); at the end everything goes. */
  size_t total = o->held + len;
  size_t nfrag = more ? (total - 1) / o->frag : (total + o->frag - 1) / o->frag;
  int ordered = !(o->info.flags & CSCTP_SEND_UNORDERED);
  int rv = 0;
  csctp_chunk_out *head = NULL;
  if (ordered && q->ordered_out[o->info.sid] + nfrag > CSCTP_SENDQ_MAX_ORDERED)
    rv = CSCTP_ERR_AGAIN; /* RFC 9260 6.1 */
  else if (opened && ordered)
    o->ssn = q->next_ssn[o->info.sid];
  if (rv == 0)
    rv = eor_build(a, o, data, total, nfrag, !more,
                   (info->flags & CSCTP_SEND_SACK_NOW) != 0, &head);
  if (rv != 0) {
    if (opened)
      csctp_free(&a->ep->mem, o);
    return rv;
  }
  if (opened) {
    if (ordered)
      q->next_ssn[o->info.sid]++;
    a->eor = o;
  }
  eor_splice(q, head);
  size_t done = nfrag * o->frag;
  if (!more) {
    csctp_eor_free(a);
    return 0;
  }
  if (nfrag)
    o->started = 1;
  if (done >= o->held) {
    memcpy(o->buf, data + (done - o->held), total - done);
  } else { /* nothing queued: the part joins the held bytes */
    if (len)
      memcpy(o->buf + o->held, data, len);
  }
  o->held = (uint32_t)(total - done);
  return 0;
}
