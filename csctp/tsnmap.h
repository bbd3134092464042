/* tsnmap.h -- receive-side TSN bookkeeping (RFC 9260 sections 6.2 and 6.7).
 * Internal to the engine.
 *
 * A csctp_tsnmap tells new TSNs from duplicates and from TSNs too far ahead,
 * keeps the cumulative TSN ack point, and produces the Gap Ack Blocks and the
 * duplicate TSN list of the next SACK. TSN comparisons use serial number
 * arithmetic (tsn.h).
 *
 * Memory: nothing is allocated while TSNs arrive in order. TSNs received
 * beyond a hole are kept in a bit ring that covers cum+1 .. cum+capacity; it
 * grows by doubling as far as the highest TSN seen needs, never beyond
 * max_window bits (rounded up to 64). Marking is O(1) amortised; the gap
 * list is computed in time linear in highest - cum.
 */
#ifndef CSCTP_TSNMAP_H
#define CSCTP_TSNMAP_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

/* Duplicate TSNs remembered for one SACK; more are dropped. */
#define CSCTP_TSNMAP_MAX_DUPS 16

/* The fields are private; the struct is visible so that it can be embedded. */
typedef struct csctp_tsnmap {
  const csctp_mem *mem;
  uint64_t *bits;      /* ring: bit (head + i) % nbits is TSN cum + 1 + i */
  uint32_t nbits;      /* ring capacity in bits, a multiple of 64; 0: none */
  uint32_t head;       /* ring position of TSN cum + 1 */
  uint32_t cum;        /* cumulative TSN ack point */
  uint32_t highest;    /* highest TSN received; cum when none beyond it */
  uint32_t max_window; /* largest accepted distance tsn - cum */
  uint32_t ndups;
  uint32_t dups[CSCTP_TSNMAP_MAX_DUPS];
} csctp_tsnmap;

/* csctp_tsnmap_init prepares m so that initial_tsn is the first TSN expected
 * (cum = initial_tsn - 1). A TSN is in the window when 0 < tsn - cum <=
 * max_window; max_window must be in 1 .. 2^31 - 1. Allocates nothing.
 * Returns 0 or CSCTP_ERR_INVAL. */
int csctp_tsnmap_init(csctp_tsnmap *m, const csctp_mem *mem,
                      uint32_t initial_tsn, uint32_t max_window);

/* csctp_tsnmap_free releases m's memory. m may be initialised again. */
void csctp_tsnmap_free(csctp_tsnmap *m);

enum { CSCTP_TSN_NEW = 0, CSCTP_TSN_DUP = 1, CSCTP_TSN_OUT_OF_WINDOW = 2 };

/* csctp_tsnmap_classify says whether tsn would be new, was already received
 * (including anything at or before cum) or lies beyond the window. */
int csctp_tsnmap_classify(const csctp_tsnmap *m, uint32_t tsn);

/* csctp_tsnmap_mark records a NEW tsn and moves cum over every TSN received
 * contiguously after it. Returns 0, CSCTP_ERR_INVAL when tsn is not NEW, or
 * CSCTP_ERR_NOMEM (nothing recorded). */
int csctp_tsnmap_mark(csctp_tsnmap *m, uint32_t tsn);

/* csctp_tsnmap_note_dup remembers tsn for the next SACK's duplicate list
 * (at most CSCTP_TSNMAP_MAX_DUPS; extra ones are dropped). */
void csctp_tsnmap_note_dup(csctp_tsnmap *m, uint32_t tsn);

uint32_t csctp_tsnmap_cum(const csctp_tsnmap *m);

/* csctp_tsnmap_highest returns the highest TSN received (cum if none is
 * above it). */
uint32_t csctp_tsnmap_highest(const csctp_tsnmap *m);

/* csctp_tsnmap_has_gaps returns 1 when a TSN above cum was received. */
int csctp_tsnmap_has_gaps(const csctp_tsnmap *m);

/* csctp_tsnmap_gaps writes up to max_blocks Gap Ack Blocks, lowest first,
 * into pairs (2 * max_blocks entries): start and end offsets from cum, as
 * in RFC 9260 3.3.4. Blocks are cut at offset 65535, the largest a SACK can
 * carry. Returns the number of blocks written. */
size_t csctp_tsnmap_gaps(const csctp_tsnmap *m, uint16_t *pairs,
                         size_t max_blocks);

/* csctp_tsnmap_dups copies up to max remembered duplicate TSNs, in arrival
 * order, and returns how many. csctp_tsnmap_clear_dups forgets them (after a
 * SACK was sent). */
size_t csctp_tsnmap_dups(const csctp_tsnmap *m, uint32_t *dups, size_t max);
void csctp_tsnmap_clear_dups(csctp_tsnmap *m);

/* csctp_tsnmap_forward moves cum to new_cum, as if every TSN up to it had
 * arrived (FORWARD TSN, RFC 3758), then over any TSNs received contiguously
 * after it. A new_cum at or before cum is ignored. */
void csctp_tsnmap_forward(csctp_tsnmap *m, uint32_t new_cum);

/* csctp_tsnmap_reset forgets every TSN received and expects next_tsn next
 * (cum = next_tsn - 1), wherever it lies: an SSN/TSN reset (RFC 6525
 * 5.2.4 G4, 5.2.7 H5) may move it by 2^31. The ring is kept. */
void csctp_tsnmap_reset(csctp_tsnmap *m, uint32_t next_tsn);

#endif
