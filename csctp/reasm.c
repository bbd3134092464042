/* reasm.c -- inbound streams: reassembly of fragmented messages (RFC 9260
 * 6.9), ordered delivery by Stream Sequence Number and unordered delivery
 * (6.5, 6.6; SSN arithmetic per 1.6), partial delivery (RFC 6458 8.1.21) and
 * the ready queue read by the user.
 *
 * Every received chunk belongs to a "run": a maximal set of chunks of one
 * message with consecutive TSNs. A new chunk looks up the run ending at
 * tsn - 1 and the one starting at tsn + 1 in hash chains and joins them, so
 * fragments cost O(1) each whatever their arrival order. Because a message's
 * fragments carry consecutive TSNs, the neighbours also expose impossible
 * inputs: after a chunk without E the next TSN must continue that message,
 * and after a chunk with E it must begin a new one.
 *
 * A run that starts with B and ends with E is a complete message. Ordered
 * runs starting with B are also indexed by (sid, ssn), which finds the
 * stream's next message when its predecessor leaves. Runs in the ready queue
 * that are still incomplete (partial delivery) stay indexed so that later
 * fragments find them.
 */
#include "config.h"

#include "reasm.h"
#include "sendq.h"

#include "tsn.h"

#include <limits.h>
#include <string.h>

typedef struct csctp_reasm_frag {
  struct csctp_reasm_frag *next;
  size_t len;
  csctp_addr from;
  uint8_t data[];
} frag;

enum { RUN_HELD, RUN_PD, RUN_QUEUED };
enum { IX_FIRST, IX_LAST, IX_SSN, IX_COUNT };

typedef struct csctp_reasm_run {
  frag *head, *tail; /* unread fragments, in TSN order */
  struct csctp_reasm_run *hnext[IX_COUNT];
  struct csctp_reasm_run *qnext;
  size_t bytes;         /* unread payload bytes */
  uint32_t nfr;         /* unread fragments */
  uint32_t frag_max;    /* largest fragment received */
  uint32_t first, last; /* TSNs received; first stays while being read */
  uint32_t ppid;
  uint16_t sid, ssn;
  uint8_t has_b, has_e, unordered, state, indexed, in_ssn;
  uint32_t rd_off; /* bytes already read of the head fragment (< 2^16) */
} run;

typedef struct csctp_reasm_stream {
  uint32_t key; /* sid + 1; 0 marks a free slot */
  uint16_t next_ssn;
} stream;

#define REASM_MIN_BUCKETS 16u
/* Bookkeeping charged per fragment held: its header, a share of a run, and
 * the allocator's own overhead. */
#define REASM_FRAG_COST (sizeof(frag) + sizeof(run) / 2 + 16)
/* Senders (ours) count CSCTP_PEER_CHUNK_OVERHEAD per chunk against our
 * window; charging more here would make honest senders overrun it. */
_Static_assert(REASM_FRAG_COST <= CSCTP_PEER_CHUNK_OVERHEAD,
               "receive charge exceeds the sender's per-chunk allowance");
#define REASM_MIN_STREAMS 8u
/* (ssn - next_ssn) mod 2^16 of the message delivered last on a stream. */
#define REASM_SSN_BEHIND 0xFFFFu

static void *mem_alloc(const csctp_reasm *r, size_t n) {
  return r->mem->malloc(n, r->mem->user_data);
}

static void mem_free(const csctp_reasm *r, void *p) {
  if (p != NULL)
    r->mem->free(p, r->mem->user_data);
}

static uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

/* ---- Ordered stream records ------------------------------------------- */

static stream *stream_find(const csctp_reasm *r, uint16_t sid) {
  if (r->nstreams_cap == 0)
    return NULL;
  size_t mask = r->nstreams_cap - 1;
  uint32_t key = (uint32_t)sid + 1u;
  for (size_t i = mix32(key) & mask;; i = (i + 1) & mask) {
    if (r->streams[i].key == key)
      return &r->streams[i];
    if (r->streams[i].key == 0)
      return NULL;
  }
}

static stream *stream_slot(stream *tab, size_t cap, uint32_t key) {
  size_t mask = cap - 1;
  size_t i = mix32(key) & mask;
  while (tab[i].key != 0 && tab[i].key != key)
    i = (i + 1) & mask;
  return &tab[i];
}

/* Adds a record (next SSN 0, the same as having none) for sid, which has
 * none yet. A record is never removed. */
static int stream_insert(csctp_reasm *r, uint16_t sid, stream **out) {
  if ((r->nstreams + 1) * 2 > r->nstreams_cap) {
    size_t cap = r->nstreams_cap ? r->nstreams_cap * 2 : REASM_MIN_STREAMS;
    stream *tab = r->mem->calloc(cap, sizeof(stream), r->mem->user_data);
    if (tab == NULL)
      return CSCTP_ERR_NOMEM;
    for (size_t i = 0; i < r->nstreams_cap; i++)
      if (r->streams[i].key != 0)
        *stream_slot(tab, cap, r->streams[i].key) = r->streams[i];
    mem_free(r, r->streams);
    r->streams = tab;
    r->nstreams_cap = cap;
  }
  stream *s = stream_slot(r->streams, r->nstreams_cap, (uint32_t)sid + 1u);
  s->key = (uint32_t)sid + 1u;
  s->next_ssn = 0;
  r->nstreams++;
  *out = s;
  return 0;
}

/* ---- Run index --------------------------------------------------------- */

static uint32_t run_key(const run *u, int ix) {
  switch (ix) {
  case IX_FIRST:
    return u->first;
  case IX_LAST:
    return u->last;
  default:
    return ((uint32_t)u->sid << 16) | u->ssn;
  }
}

static run **ix_chain(const csctp_reasm *r, int ix, uint32_t key) {
  return &r->buckets[(size_t)ix * r->nbuckets +
                     (mix32(key) & (r->nbuckets - 1))];
}

static run *ix_find(const csctp_reasm *r, int ix, uint32_t key) {
  if (r->nbuckets == 0)
    return NULL;
  for (run *u = *ix_chain(r, ix, key); u != NULL; u = u->hnext[ix])
    if (run_key(u, ix) == key)
      return u;
  return NULL;
}

static run *ix_find_ssn(const csctp_reasm *r, uint16_t sid, uint16_t ssn) {
  return ix_find(r, IX_SSN, ((uint32_t)sid << 16) | ssn);
}

static void ix_link(csctp_reasm *r, run *u, int ix) {
  run **head = ix_chain(r, ix, run_key(u, ix));
  u->hnext[ix] = *head;
  *head = u;
}

static void ix_unlink(csctp_reasm *r, run *u, int ix) {
  run **pp = ix_chain(r, ix, run_key(u, ix));
  while (*pp != u)
    pp = &(*pp)->hnext[ix];
  *pp = u->hnext[ix];
  u->hnext[ix] = NULL;
}

static int ix_alloc(csctp_reasm *r, size_t nbuckets) {
  run **b =
      r->mem->calloc(nbuckets * IX_COUNT, sizeof(run *), r->mem->user_data);
  if (b == NULL)
    return CSCTP_ERR_NOMEM;
  run **old = r->buckets;
  size_t oldn = r->nbuckets;
  r->buckets = b;
  r->nbuckets = nbuckets;
  for (int ix = 0; ix < IX_COUNT; ix++) {
    for (size_t i = 0; i < oldn; i++) {
      run *u = old[(size_t)ix * oldn + i];
      while (u != NULL) {
        run *next = u->hnext[ix];
        ix_link(r, u, ix);
        u = next;
      }
    }
  }
  mem_free(r, old);
  return 0;
}

static void ix_add(csctp_reasm *r, run *u) {
  ix_link(r, u, IX_FIRST);
  ix_link(r, u, IX_LAST);
  u->in_ssn = !u->unordered && u->has_b;
  if (u->in_ssn)
    ix_link(r, u, IX_SSN);
  u->indexed = 1;
  r->nruns++;
  // Growing is an optimisation: if it fails the chains just get longer.
  if (r->nruns > r->nbuckets)
    (void)ix_alloc(r, r->nbuckets * 2);
}

static void ix_del(csctp_reasm *r, run *u) {
  if (!u->indexed)
    return;
  ix_unlink(r, u, IX_FIRST);
  ix_unlink(r, u, IX_LAST);
  if (u->in_ssn)
    ix_unlink(r, u, IX_SSN);
  u->in_ssn = 0;
  u->indexed = 0;
  r->nruns--;
}

/* Gives back a large index once nothing is held for reassembly. */
static void ix_trim(csctp_reasm *r) {
  if (r->nruns == 0 && r->nbuckets > REASM_MIN_BUCKETS) {
    mem_free(r, r->buckets);
    r->buckets = NULL;
    r->nbuckets = 0;
  }
}

/* ---- Delivery ---------------------------------------------------------- */

static void enqueue(csctp_reasm *r, run *u) {
  u->state = u->has_e ? RUN_QUEUED : RUN_PD;
  u->qnext = NULL;
  if (r->qtail != NULL)
    r->qtail->qnext = u;
  else
    r->qhead = u;
  r->qtail = u;
  r->ready += u->bytes;
}

/* Moves out the stream's next messages while they are complete, or while
 * one is big enough for partial delivery. */
static void stream_advance(csctp_reasm *r, stream *st, uint16_t sid) {
  for (;;) {
    run *u = ix_find_ssn(r, sid, st->next_ssn);
    // A partially delivered run is already out; its SSN can come round
    // again only after 65535 further messages.
    if (u == NULL || u->state != RUN_HELD)
      return;
    if (u->has_e) {
      ix_del(r, u);
      enqueue(r, u);
    } else if (u->bytes >= r->pd_point) {
      enqueue(r, u); // stays indexed for the fragments still to come
    } else {
      return;
    }
    st->next_ssn++;
  }
}

/* Puts run u, just created or grown, where it belongs. u is not indexed. */
static void settle(csctp_reasm *r, run *u, stream *st) {
  if (u->state == RUN_PD) {
    if (u->has_e)
      u->state = RUN_QUEUED;
    else
      ix_add(r, u);
    return;
  }
  if (!u->has_b) {
    ix_add(r, u);
    return;
  }
  if (u->unordered) {
    if (u->has_e) {
      enqueue(r, u);
    } else {
      ix_add(r, u);
      if (u->bytes >= r->pd_point)
        enqueue(r, u);
    }
    return;
  }
  if (u->ssn != st->next_ssn) {
    ix_add(r, u);
    return;
  }
  if (u->has_e) {
    enqueue(r, u);
  } else {
    ix_add(r, u);
    if (u->bytes < r->pd_point)
      return;
    enqueue(r, u);
  }
  st->next_ssn++;
  stream_advance(r, st, u->sid);
}

/* ---- API --------------------------------------------------------------- */

int csctp_reasm_init(csctp_reasm *r, const csctp_mem *mem, uint16_t ninstreams,
                     size_t pd_point) {
  if (r == NULL || mem == NULL || ninstreams == 0)
    return CSCTP_ERR_INVAL;
  memset(r, 0, sizeof(*r));
  r->mem = mem;
  r->ninstreams = ninstreams;
  r->pd_point = pd_point;
  return 0;
}

static void run_free(csctp_reasm *r, run *u) {
  frag *f = u->head;
  while (f != NULL) {
    frag *next = f->next;
    mem_free(r, f);
    f = next;
  }
  mem_free(r, u);
}

void csctp_reasm_free(csctp_reasm *r) {
  if (r == NULL || r->mem == NULL)
    return;
  // Queued runs are freed from the queue; partially delivered ones are also
  // indexed, so skip them in the index walk.
  for (size_t i = 0; i < r->nbuckets; i++) {
    run *u = r->buckets[(size_t)IX_FIRST * r->nbuckets + i];
    while (u != NULL) {
      run *next = u->hnext[IX_FIRST];
      if (u->state == RUN_HELD)
        run_free(r, u);
      u = next;
    }
  }
  run *u = r->qhead;
  while (u != NULL) {
    run *next = u->qnext;
    run_free(r, u);
    u = next;
  }
  mem_free(r, r->buckets);
  mem_free(r, r->streams);
  mem_free(r, r->seen);
  const csctp_mem *mem = r->mem;
  uint16_t ninstreams = r->ninstreams;
  size_t pd_point = r->pd_point;
  memset(r, 0, sizeof(*r));
  r->mem = mem;
  r->ninstreams = ninstreams;
  r->pd_point = pd_point;
}

/* Whether a chunk can continue the message of run u. Unordered chunks carry
 * no meaningful SSN (RFC 9260 6.6). */
static int same_message(const run *u, const csctp_data *d) {
  int unordered = (d->flags & CSCTP_DATA_FLAG_U) != 0;
  return u->unordered == unordered && u->sid == d->sid &&
         (unordered || u->ssn == d->ssn);
}

int csctp_reasm_add(csctp_reasm *r, const csctp_data *d,
                    const csctp_addr *from) {
  if (r == NULL || d == NULL || r->mem == NULL ||
      (d->len > 0 && d->payload == NULL) || d->sid >= r->ninstreams ||
      d->len > SIZE_MAX - sizeof(frag))
    return CSCTP_ERR_INVAL;
  int b = (d->flags & CSCTP_DATA_FLAG_B) != 0;
  int e = (d->flags & CSCTP_DATA_FLAG_E) != 0;
  int unordered = (d->flags & CSCTP_DATA_FLAG_U) != 0;
  uint32_t tsn = d->tsn;

  // Neighbours: fragments of one message have consecutive TSNs (6.9).
  run *left = ix_find(r, IX_LAST, tsn - 1u);
  run *right = ix_find(r, IX_FIRST, tsn + 1u);
  if (left != NULL) {
    if (left->has_e) {
      if (!b)
        return CSCTP_ERR_PROTO;
      left = NULL;
    } else if (b && r->pr_gaps) {
      left = NULL; /* the message before was abandoned (RFC 3758) */
    } else if (b || !same_message(left, d)) {
      return CSCTP_ERR_PROTO;
    }
  }
  if (right != NULL) {
    if (right->has_b) {
      if (!e && !r->pr_gaps)
        return CSCTP_ERR_PROTO;
      right = NULL;
    } else if (e || !same_message(right, d)) {
      return CSCTP_ERR_PROTO;
    }
  }

  stream *st = NULL;
  uint16_t next_ssn = 0;
  if (!unordered) {
    st = stream_find(r, d->sid);
    next_ssn = st != NULL ? st->next_ssn : 0;
    run *same = ix_find_ssn(r, d->sid, d->ssn);
    if (b) {
      // A second message with the SSN of one held cannot be told apart.
      if (same != NULL)
        return CSCTP_ERR_PROTO;
      // RFC 9260 6.1: a sender has at most 2^16 - 1 ordered messages
      // outstanding per stream, so a new TSN may carry any SSN from
      // next_ssn to next_ssn + 2^16 - 2. The one left, next_ssn - 1, was
      // delivered (a retransmission of it is a duplicate TSN and never
      // gets here). Serial comparison (1.6) would wrongly call the upper
      // half of that window "already delivered".
      if ((uint16_t)(d->ssn - next_ssn) == REASM_SSN_BEHIND)
        return CSCTP_ERR_PROTO;
    } else if (same != NULL) {
      // A later fragment of a message whose B is held: it must follow the B
      // and the message must still be missing pieces.
      if (same->has_e || !csctp_tsn_gt(tsn, same->first))
        return CSCTP_ERR_PROTO;
    } else if ((uint16_t)(d->ssn - next_ssn) == REASM_SSN_BEHIND) {
      // Its message was delivered whole, or its B would be indexed.
      return CSCTP_ERR_PROTO;
    }
  }

  // Allocate everything before changing anything.
  if (!unordered && st == NULL) {
    int rc = stream_insert(r, d->sid, &st);
    if (rc != 0)
      return rc;
  }
  frag *f = mem_alloc(r, sizeof(frag) + d->len);
  if (f == NULL)
    return CSCTP_ERR_NOMEM;
  run *u = NULL;
  if (left == NULL && right == NULL) {
    u = mem_alloc(r, sizeof(run));
    if (u == NULL) {
      mem_free(r, f);
      return CSCTP_ERR_NOMEM;
    }
    // Only a whole message deliverable at once skips the index.
    int direct = b && e && (unordered || d->ssn == next_ssn);
    if (!direct && r->nbuckets == 0 && ix_alloc(r, REASM_MIN_BUCKETS) != 0) {
      mem_free(r, u);
      mem_free(r, f);
      return CSCTP_ERR_NOMEM;
    }
  }

  f->next = NULL;
  f->len = d->len;
  if (from != NULL)
    f->from = *from;
  else
    memset(&f->from, 0, sizeof(f->from));
  if (d->len > 0)
    memcpy(f->data, d->payload, d->len);
  r->held += d->len;
  r->nfrags++;

  if (u != NULL) {
    memset(u, 0, sizeof(*u));
    u->head = u->tail = f;
    u->bytes = d->len;
    u->nfr = 1;
    u->frag_max = (uint32_t)d->len;
    u->first = u->last = tsn;
    u->ppid = d->ppid;
    u->sid = d->sid;
    u->ssn = d->ssn;
    u->has_b = (uint8_t)b;
    u->has_e = (uint8_t)e;
    u->unordered = (uint8_t)unordered;
    u->state = RUN_HELD;
    settle(r, u, st);
    ix_trim(r);
    return 0;
  }

  // Join [left] + chunk + [right]; keys change, so unindex them first.
  size_t added = d->len;
  if (left != NULL) {
    ix_del(r, left);
    u = left;
    if (u->tail != NULL)
      u->tail->next = f;
    else
      u->head = f; // partially delivered and all read so far
    u->tail = f;
    u->last = tsn;
    u->has_e = (uint8_t)e;
  } else {
    ix_del(r, right);
    u = right;
    f->next = u->head;
    u->head = f;
    u->first = tsn;
    u->has_b = (uint8_t)b;
    u->ppid = d->ppid;
    u->ssn = d->ssn;
    right = NULL;
  }
  u->bytes += d->len;
  u->nfr++;
  if (d->len > u->frag_max)
    u->frag_max = (uint32_t)d->len;
  if (right != NULL) {
    ix_del(r, right);
    u->tail->next = right->head;
    u->tail = right->tail;
    u->last = right->last;
    u->has_e = right->has_e;
    u->bytes += right->bytes;
    u->nfr += right->nfr;
    if (right->frag_max > u->frag_max)
      u->frag_max = right->frag_max;
    added += right->bytes;
    mem_free(r, right);
  }
  if (u->state == RUN_PD)
    r->ready += added;
  settle(r, u, st);
  ix_trim(r);
  return 0;
}

/* Held payload plus what each fragment costs in memory beyond its data, so
 * that a flood of tiny messages is bounded by the receive buffer too. */
size_t csctp_reasm_held_bytes(const csctp_reasm *r) { return r->held; }

size_t csctp_reasm_charged_bytes(const csctp_reasm *r) {
  return r->held + r->nfrags * REASM_FRAG_COST;
}

size_t csctp_reasm_ready_bytes(const csctp_reasm *r) { return r->ready; }

int csctp_reasm_pd_head(const csctp_reasm *r, uint32_t *next_tsn,
                        size_t *charged, size_t *frag_max) {
  const run *u = r->qhead;
  if (u == NULL || u->state != RUN_PD)
    return 0;
  *next_tsn = u->last + 1u;
  *charged = u->bytes + u->nfr * REASM_FRAG_COST;
  *frag_max = u->frag_max;
  return 1;
}

int csctp_reasm_pd_msg(const csctp_reasm *r, uint32_t *first, uint16_t *sid,
                       uint16_t *ssn, int *unordered) {
  /* level 2: the one being read may be behind the head */
  const run *u = r->cur != NULL && r->cur->state == RUN_PD ? r->cur : r->qhead;
  if (u == NULL || u->state != RUN_PD)
    return 0;
  *first = u->first;
  *sid = u->sid;
  *ssn = u->ssn;
  *unordered = u->unordered;
  return 1;
}

/* ---- Reading ----------------------------------------------------------- */

#define SEEN_BYTES (65536u / 8u)

static int seen_test_set(uint8_t *seen, uint16_t sid) {
  uint8_t bit = (uint8_t)(1u << (sid & 7u));
  int was = (seen[sid >> 3] & bit) != 0;
  seen[sid >> 3] |= bit;
  return was;
}

/* Clears the bits the runs from the queue head up to and including last
 * (NULL: all) set. */
static void seen_clear(const csctp_reasm *r, const run *last) {
  for (const run *u = r->qhead; u != NULL; u = u->qnext) {
    r->seen[u->sid >> 3] = 0;
    if (u == last)
      return;
  }
}

/* RFC 6458 8.1.20 level 2 (reasm.h "Interleaved reads"): the first message
 * with bytes to read that is the first of its stream in the queue, after
 * r->cur when after is set (else from the head). NULL: none. */
static run *pick_ilv(const csctp_reasm *r, int after) {
  int passed = !after || r->cur == NULL;
  run *first = NULL, *u;
  for (u = r->qhead; u != NULL; u = u->qnext) {
    int later = seen_test_set(r->seen, u->sid); /* not its stream's first */
    if (!later && u->head != NULL) {
      if (first == NULL)
        first = u;
      if (passed && (u != r->cur || !after))
        break;
    }
    if (u == r->cur)
      passed = 1;
  }
  seen_clear(r, u);
  return u != NULL ? u : first;
}

/* The message the next read takes from, or NULL. Level 0/1: the one left
 * unfinished, else the queue's head (strictly in order). */
static run *pick(const csctp_reasm *r) {
  if (r->interleave && r->seen != NULL)
    return pick_ilv(r, 1);
  run *u = r->cur != NULL ? r->cur : r->qhead;
  return u != NULL && u->head != NULL ? u : NULL;
}

int csctp_reasm_has_ready(const csctp_reasm *r) {
  if (r->interleave && r->seen != NULL) {
    if (r->qhead != NULL && r->qhead->head != NULL)
      return 1; /* the head is always the first of its stream */
    return pick_ilv(r, 0) != NULL;
  }
  const run *u = r->cur != NULL ? r->cur : r->qhead;
  return u != NULL && u->head != NULL;
}

int csctp_reasm_set_interleave(csctp_reasm *r, int on) {
  if (on && r->seen == NULL) {
    r->seen = mem_alloc(r, SEEN_BYTES);
    if (r->seen == NULL)
      return CSCTP_ERR_NOMEM;
    memset(r->seen, 0, SEEN_BYTES);
  }
  r->interleave = on != 0;
  return 0;
}

/* Takes run u out of the ready queue (its end was read, or it is under
 * partial delivery and being dropped). */
static void unqueue(csctp_reasm *r, run *u) {
  run *prev = NULL;
  for (run *q = r->qhead; q != NULL; prev = q, q = q->qnext) {
    if (q != u)
      continue;
    if (prev != NULL)
      prev->qnext = u->qnext;
    else
      r->qhead = u->qnext;
    if (r->qtail == u)
      r->qtail = prev;
    if (r->cur == u)
      r->cur = NULL; /* the next read begins another message */
    r->ready -= u->bytes;
    return;
  }
}

/* Takes run u (its end was read) out of the ready queue and frees it. */
static void finish_run(csctp_reasm *r, run *u) {
  unqueue(r, u);
  mem_free(r, u);
}

static csctp_ssize read_run(csctp_reasm *r, run *u, csctp_rcvinfo *info,
                            uint8_t *buf, size_t buflen) {
  if (buflen > (size_t)LONG_MAX)
    buflen = (size_t)LONG_MAX;
  size_t copied = 0;
  csctp_addr from = u->head->from;
  frag *f;
  while ((f = u->head) != NULL) {
    size_t n = f->len - u->rd_off;
    if (n > buflen - copied)
      n = buflen - copied;
    if (n > 0 || f->len == 0)
      from = f->from;
    if (n > 0) {
      memcpy(buf + copied, f->data + u->rd_off, n);
      copied += n;
      u->rd_off += (uint32_t)n;
    }
    if (u->rd_off < f->len)
      break; // buf is full
    u->head = f->next;
    if (u->head == NULL)
      u->tail = NULL;
    u->rd_off = 0;
    r->nfrags--;
    u->nfr--;
    mem_free(r, f);
  }
  info->sid = u->sid;
  info->ssn = u->ssn;
  info->ppid = u->ppid;
  info->tsn = u->first;
  info->flags = u->unordered ? CSCTP_RCV_UNORDERED : 0;
  info->from = from;
  u->bytes -= copied;
  r->held -= copied;
  r->ready -= copied;
  r->cur = u;
  if (u->head == NULL && u->has_e) {
    info->flags |= CSCTP_RCV_EOR;
    finish_run(r, u);
  }
  return (csctp_ssize)copied;
}

csctp_ssize csctp_reasm_read(csctp_reasm *r, csctp_rcvinfo *info, uint8_t *buf,
                             size_t buflen) {
  run *u = pick(r);
  if (u == NULL)
    return CSCTP_ERR_AGAIN;
  return read_run(r, u, info, buf, buflen);
}

csctp_ssize csctp_reasm_read_cont(csctp_reasm *r, csctp_rcvinfo *info,
                                  uint8_t *buf, size_t buflen) {
  run *u = r->cur;
  if (u == NULL || u->head == NULL)
    return CSCTP_ERR_AGAIN;
  return read_run(r, u, info, buf, buflen);
}

/* ---- FORWARD TSN (RFC 3758 3.6) ---------------------------------------- */

/* Drops incomplete run u (held, or queued under partial delivery). */
static void drop_run(csctp_reasm *r, run *u) {
  ix_del(r, u);
  if (u->state == RUN_PD)
    unqueue(r, u);
  r->held -= u->bytes;
  r->nfrags -= u->nfr;
  run_free(r, u);
}

static int never_completes(const run *u, uint32_t new_cum) {
  if (u->has_b && u->has_e)
    return 0; /* complete: waits for its stream's order only */
  return csctp_tsn_le(u->first, new_cum) ||
         (!u->has_b && u->first == new_cum + 1u);
}

void csctp_reasm_forget_before(csctp_reasm *r, uint32_t new_cum) {
  for (size_t i = 0; i < r->nbuckets; i++) {
    run *u = r->buckets[(size_t)IX_FIRST * r->nbuckets + i];
    while (u != NULL) {
      run *next = u->hnext[IX_FIRST];
      if (never_completes(u, new_cum))
        drop_run(r, u);
      u = next;
    }
  }
  ix_trim(r);
}

int csctp_reasm_skip_ssn(csctp_reasm *r, uint16_t sid, uint16_t ssn) {
  if (sid >= r->ninstreams)
    return 0;
  stream *st = stream_find(r, sid);
  if (st == NULL) {
    int rc = stream_insert(r, sid, &st);
    if (rc != 0)
      return rc;
  }
  uint16_t d = (uint16_t)(ssn - st->next_ssn);
  if (d >= 0x8000u)
    return 0; /* behind what the stream expects: already past */
  for (uint32_t k = 0; k <= d; k++) {
    run *u = ix_find_ssn(r, sid, (uint16_t)(st->next_ssn + k));
    if (u == NULL || u->state != RUN_HELD)
      continue;
    if (u->has_e) {
      ix_del(r, u);
      enqueue(r, u);
    } else {
      drop_run(r, u); /* skipped: the rest of it will not come */
    }
  }
  st->next_ssn = (uint16_t)(ssn + 1u);
  stream_advance(r, st, sid);
  ix_trim(r);
  return 0;
}

/* ---- Partial delivery of messages put together outside --------------- */

static frag *ext_frag(csctp_reasm *r, const uint8_t *p, size_t len,
                      const csctp_addr *from) {
  if (len > SIZE_MAX - sizeof(frag))
    return NULL;
  frag *f = mem_alloc(r, sizeof(frag) + len);
  if (f == NULL)
    return NULL;
  f->next = NULL;
  f->len = len;
  if (from != NULL)
    f->from = *from;
  else
    memset(&f->from, 0, sizeof(f->from));
  if (len > 0)
    memcpy(f->data, p, len);
  return f;
}

/* Appends f to run u, queued under partial delivery. */
static void ext_add(csctp_reasm *r, run *u, frag *f) {
  if (u->tail != NULL)
    u->tail->next = f;
  else
    u->head = f;
  u->tail = f;
  u->bytes += f->len;
  u->nfr++;
  if (f->len > u->frag_max)
    u->frag_max = (uint32_t)f->len;
  r->held += f->len;
  r->nfrags++;
  r->ready += f->len;
}

run *csctp_reasm_ext_open(csctp_reasm *r, const csctp_data *d,
                          const csctp_addr *from) {
  int unordered = (d->flags & CSCTP_DATA_FLAG_U) != 0;
  if (d->sid >= r->ninstreams)
    return NULL;
  stream *st = unordered ? NULL : stream_find(r, d->sid);
  if (!unordered && st == NULL && stream_insert(r, d->sid, &st) != 0)
    return NULL;
  run *u = mem_alloc(r, sizeof(run));
  frag *f = u ? ext_frag(r, d->payload, d->len, from) : NULL;
  if (f == NULL) {
    mem_free(r, u);
    return NULL;
  }
  memset(u, 0, sizeof(*u));
  u->first = u->last = d->tsn;
  u->ppid = d->ppid;
  u->sid = d->sid;
  u->ssn = d->ssn;
  u->has_b = 1;
  u->unordered = (uint8_t)unordered;
  enqueue(r, u); /* RUN_PD, never indexed: its parts come from outside */
  ext_add(r, u, f);
  if (st != NULL) {
    st->next_ssn = (uint16_t)(d->ssn + 1u);
    stream_advance(r, st, d->sid);
    ix_trim(r);
  }
  return u;
}

int csctp_reasm_ext_append(csctp_reasm *r, run *u, const uint8_t *p, size_t len,
                           int last, const csctp_addr *from) {
  frag *f = ext_frag(r, p, len, from);
  if (f == NULL)
    return CSCTP_ERR_NOMEM;
  ext_add(r, u, f);
  if (last) {
    u->has_e = 1;
    u->state = RUN_QUEUED;
  }
  return 0;
}

void csctp_reasm_ext_abort(csctp_reasm *r, run *u) {
  /* Read in part: as forget_before's "ends there" (RFC 3758 3.6). */
  drop_run(r, u);
}

uint16_t csctp_reasm_next_ssn(const csctp_reasm *r, uint16_t sid) {
  const stream *st = stream_find(r, sid);
  return st != NULL ? st->next_ssn : 0;
}

void csctp_reasm_reset_ssn(csctp_reasm *r, uint16_t sid) {
  stream *st = stream_find(r, sid);
  if (st != NULL) /* no record: it expects 0 already */
    st->next_ssn = 0;
}

/* ---- SSN/TSN reset (RFC 6525 5.2.4 G4, G5; 5.2.7 H5) ------------------- */

/* Moves the complete ordered messages of stream sid held behind a missing
 * SSN into the ready queue, in SSN order from the one expected. */
static void reasm_release_stream(csctp_reasm *r, uint16_t sid, uint16_t from) {
  for (uint32_t k = 0; k < 0xFFFFu; k++) {
    run *u = ix_find_ssn(r, sid, (uint16_t)(from + k));
    if (u == NULL || u->state != RUN_HELD)
      continue;
    if (u->has_e) {
      ix_del(r, u);
      enqueue(r, u);
    } else {
      drop_run(r, u); /* its missing fragments were abandoned */
    }
  }
}

/* A held ordered run, or NULL. */
static run *reasm_any_held(const csctp_reasm *r) {
  for (size_t i = 0; i < r->nbuckets; i++)
    for (run *u = r->buckets[(size_t)IX_FIRST * r->nbuckets + i]; u != NULL;
         u = u->hnext[IX_FIRST])
      if (u->state == RUN_HELD && !u->unordered)
        return u;
  return NULL;
}

void csctp_reasm_tsn_reset(csctp_reasm *r, uint32_t highest) {
  /* G4: as a FORWARD TSN over every TSN received, all streams affected:
   * unfinished messages are dropped, complete ones become deliverable. */
  csctp_reasm_forget_before(r, highest);
  run *u;
  while ((u = reasm_any_held(r)) != NULL) {
    stream *st = stream_find(r, u->sid);
    reasm_release_stream(r, u->sid, st != NULL ? st->next_ssn : 0);
    if (u == reasm_any_held(r))
      break; /* defensive: u was released or dropped above */
  }
  for (size_t i = 0; i < r->nstreams_cap; i++) /* G5 */
    if (r->streams[i].key != 0)
      r->streams[i].next_ssn = 0;
  ix_trim(r);
}
