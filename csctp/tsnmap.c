/* tsnmap.c -- receive-side TSN bookkeeping: duplicate detection, the
 * cumulative TSN ack point, Gap Ack Blocks and duplicate TSN reports
 * (RFC 9260 sections 6.2 and 6.7; serial number arithmetic of section 1.6).
 *
 * TSNs above cum live in a ring of bits whose slot `head` stands for cum+1.
 * Moving cum forward advances head instead of shifting the bits, so each
 * received TSN costs O(1) amortised: it is set once and cleared once.
 */
#include "config.h"

#include "tsnmap.h"

#include "tsn.h"

#include <string.h>

#define TSNMAP_MIN_BITS 256u
#define TSNMAP_WINDOW_LIMIT 0x7FFFFFFFu

static uint32_t round64(uint32_t n) { return (n + 63u) & ~63u; }

/* Ring position of logical offset d (d = tsn - cum - 1, d < nbits). */
static uint32_t ring_pos(const csctp_tsnmap *m, uint32_t d) {
  uint32_t p = m->head + d;
  return p >= m->nbits ? p - m->nbits : p;
}

static int bit_get(const csctp_tsnmap *m, uint32_t d) {
  uint32_t p = ring_pos(m, d);
  return (int)((m->bits[p >> 6] >> (p & 63u)) & 1u);
}

static void bit_set(csctp_tsnmap *m, uint32_t d) {
  uint32_t p = ring_pos(m, d);
  m->bits[p >> 6] |= (uint64_t)1 << (p & 63u);
}

/* Clears logical offsets [d, d + n). Capacity is a multiple of 64, so no
 * word straddles the end of the ring. */
static void clear_range(csctp_tsnmap *m, uint32_t d, uint32_t n) {
  while (n > 0) {
    uint32_t p = ring_pos(m, d);
    uint32_t off = p & 63u;
    uint32_t take = 64u - off;
    if (take > n)
      take = n;
    uint64_t mask = take == 64u ? ~(uint64_t)0 : ((uint64_t)1 << take) - 1u;
    m->bits[p >> 6] &= ~(mask << off);
    d += take;
    n -= take;
  }
}

/* Returns the first logical offset in [d, end) whose bit equals val, or end.
 */
static uint32_t scan(const csctp_tsnmap *m, uint32_t d, uint32_t end, int val) {
  while (d < end) {
    uint32_t p = ring_pos(m, d);
    uint32_t off = p & 63u;
    uint64_t w = m->bits[p >> 6];
    if (!val)
      w = ~w;
    w >>= off;
    if (w != 0) {
      d += (uint32_t)__builtin_ctzll(w);
      return d < end ? d : end;
    }
    d += 64u - off;
  }
  return end;
}

/* Moves cum over the TSNs received contiguously after it. */
static void advance_cum(csctp_tsnmap *m) {
  uint32_t span = m->highest - m->cum;
  if (span == 0)
    return;
  uint32_t k = scan(m, 0, span, 0);
  if (k == 0)
    return;
  clear_range(m, 0, k);
  m->head = ring_pos(m, k % m->nbits);
  m->cum += k;
}

/* Makes the ring hold at least need bits (need <= max_window). */
static int grow(csctp_tsnmap *m, uint32_t need) {
  uint64_t want = (uint64_t)m->nbits * 2u;
  if (want < TSNMAP_MIN_BITS)
    want = TSNMAP_MIN_BITS;
  if (want < round64(need))
    want = round64(need);
  if (want > round64(m->max_window))
    want = round64(m->max_window);
  uint32_t nbits = (uint32_t)want;
  uint64_t *bits =
      m->mem->calloc(nbits / 64u, sizeof(uint64_t), m->mem->user_data);
  if (bits == NULL)
    return CSCTP_ERR_NOMEM;
  // Re-lay the received bits with head at 0, one run of ones at a time.
  uint32_t span = m->highest - m->cum;
  uint32_t d = 0;
  while (d < span) {
    uint32_t s = scan(m, d, span, 1);
    if (s >= span)
      break;
    uint32_t e = scan(m, s, span, 0);
    for (uint32_t i = s; i < e; i++)
      bits[i >> 6] |= (uint64_t)1 << (i & 63u);
    d = e;
  }
  if (m->bits != NULL)
    m->mem->free(m->bits, m->mem->user_data);
  m->bits = bits;
  m->nbits = nbits;
  m->head = 0;
  return 0;
}

int csctp_tsnmap_init(csctp_tsnmap *m, const csctp_mem *mem,
                      uint32_t initial_tsn, uint32_t max_window) {
  if (m == NULL || mem == NULL || max_window == 0 ||
      max_window > TSNMAP_WINDOW_LIMIT)
    return CSCTP_ERR_INVAL;
  memset(m, 0, sizeof(*m));
  m->mem = mem;
  m->cum = initial_tsn - 1u;
  m->highest = m->cum;
  m->max_window = max_window;
  return 0;
}

void csctp_tsnmap_free(csctp_tsnmap *m) {
  if (m == NULL)
    return;
  if (m->bits != NULL)
    m->mem->free(m->bits, m->mem->user_data);
  m->bits = NULL;
  m->nbits = 0;
  m->head = 0;
  m->highest = m->cum;
  m->ndups = 0;
}

int csctp_tsnmap_classify(const csctp_tsnmap *m, uint32_t tsn) {
  uint32_t d = tsn - m->cum;
  if (d == 0 || d > 0x80000000u)
    return CSCTP_TSN_DUP; // at or before cum
  if (d > m->max_window)
    return CSCTP_TSN_OUT_OF_WINDOW;
  if (d - 1u < m->highest - m->cum && bit_get(m, d - 1u))
    return CSCTP_TSN_DUP;
  return CSCTP_TSN_NEW;
}

int csctp_tsnmap_mark(csctp_tsnmap *m, uint32_t tsn) {
  if (csctp_tsnmap_classify(m, tsn) != CSCTP_TSN_NEW)
    return CSCTP_ERR_INVAL;
  uint32_t d = tsn - m->cum - 1u;
  if (d == 0) {
    // The common in-order case never touches (or needs) the ring.
    if (m->highest == m->cum) {
      m->cum = tsn;
      m->highest = tsn;
      return 0;
    }
    m->head = ring_pos(m, 1u % m->nbits);
    m->cum = tsn;
    advance_cum(m);
    return 0;
  }
  if (d >= m->nbits) {
    int rc = grow(m, d + 1u);
    if (rc != 0)
      return rc;
  }
  bit_set(m, d);
  if (csctp_tsn_gt(tsn, m->highest))
    m->highest = tsn;
  return 0;
}

void csctp_tsnmap_note_dup(csctp_tsnmap *m, uint32_t tsn) {
  if (m->ndups < CSCTP_TSNMAP_MAX_DUPS)
    m->dups[m->ndups++] = tsn;
}

uint32_t csctp_tsnmap_cum(const csctp_tsnmap *m) { return m->cum; }

uint32_t csctp_tsnmap_highest(const csctp_tsnmap *m) { return m->highest; }

int csctp_tsnmap_has_gaps(const csctp_tsnmap *m) {
  // cum would have moved over cum+1 had it arrived, so any TSN received
  // above cum leaves a hole.
  return m->highest != m->cum;
}

size_t csctp_tsnmap_gaps(const csctp_tsnmap *m, uint16_t *pairs,
                         size_t max_blocks) {
  uint32_t span = m->highest - m->cum;
  uint32_t d = 0;
  size_t n = 0;
  while (n < max_blocks && d < span) {
    uint32_t s = scan(m, d, span, 1);
    if (s >= span)
      break;
    uint32_t e = scan(m, s, span, 0);
    // Logical offset i is TSN cum + 1 + i, so the block is [s + 1, e].
    if (s + 1u > 0xFFFFu)
      break;
    pairs[2 * n] = (uint16_t)(s + 1u);
    pairs[2 * n + 1] = (uint16_t)(e > 0xFFFFu ? 0xFFFFu : e);
    n++;
    d = e;
  }
  return n;
}

size_t csctp_tsnmap_dups(const csctp_tsnmap *m, uint32_t *dups, size_t max) {
  size_t n = m->ndups < max ? m->ndups : max;
  if (n > 0)
    memcpy(dups, m->dups, n * sizeof(uint32_t));
  return n;
}

void csctp_tsnmap_clear_dups(csctp_tsnmap *m) { m->ndups = 0; }

void csctp_tsnmap_forward(csctp_tsnmap *m, uint32_t new_cum) {
  if (!csctp_tsn_gt(new_cum, m->cum))
    return;
  uint32_t adv = new_cum - m->cum;
  uint32_t span = m->highest - m->cum;
  if (adv >= span) {
    if (span > 0)
      clear_range(m, 0, span);
    m->head = 0;
    m->cum = new_cum;
    m->highest = new_cum;
    return;
  }
  // span <= nbits, so adv < nbits here.
  clear_range(m, 0, adv);
  m->head = ring_pos(m, adv);
  m->cum = new_cum;
  advance_cum(m);
}

void csctp_tsnmap_reset(csctp_tsnmap *m, uint32_t next_tsn) {
  uint32_t span = m->highest - m->cum;
  if (span > 0)
    clear_range(m, 0, span);
  m->head = 0;
  m->cum = next_tsn - 1u;
  m->highest = m->cum;
  m->ndups = 0;
}
