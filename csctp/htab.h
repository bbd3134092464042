/* htab.h -- an open-addressing hash multimap from a 64-bit hash to a
 * pointer, used for the indexed lookups of the engine and the I/O layer
 * (associations by id, verification tag, peer address). Internal.
 *
 * The table stores (hash, pointer) pairs with linear probing and deletion
 * by backward shift (no tombstones). It does not compare keys: a lookup
 * walks the pairs whose hash matches and the caller checks each candidate.
 * Several entries may share a hash. Keys an attacker chooses (addresses,
 * ports) are hashed with csctp_htab_mix and a secret seed, so that chains
 * cannot be built on purpose. */
#ifndef CSCTP_HTAB_H
#define CSCTP_HTAB_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

typedef struct csctp_hslot {
  uint64_t h;
  void *p; /* NULL: empty slot */
} csctp_hslot;

/* A table of one entry (an endpoint of a one-to-one socket holds one
 * association) keeps it inline, without slots: cap 0, n 1, (h1, p1). */
typedef struct csctp_htab {
  union {
    csctp_hslot *s; /* cap > 0: cap slots */
    void *p1;       /* cap == 0, n == 1: the entry */
  } u;
  uint64_t h1;
  uint32_t cap; /* 0 or a power of two */
  uint32_t n;
} csctp_htab;

/* csctp_htab_put adds (h, p); p must not be NULL. Grows the table (load at
 * most 3/4). Returns 0 or CSCTP_ERR_NOMEM (the table is unchanged). */
int csctp_htab_put(csctp_htab *t, const csctp_mem *m, uint64_t h, void *p);
/* csctp_htab_del removes the entry (h, p) if present. */
void csctp_htab_del(csctp_htab *t, uint64_t h, const void *p);
/* csctp_htab_next returns the next entry with hash h, or NULL when there is
 * none left. *it must be 0 before the first call of a lookup. */
void *csctp_htab_next(const csctp_htab *t, uint64_t h, size_t *it);
void csctp_htab_free(csctp_htab *t, const csctp_mem *m);

/* csctp_htab_mix folds a 64-bit word into a running hash (keyed by the
 * starting value, a secret seed for attacker-chosen keys). */
static inline uint64_t csctp_htab_mix(uint64_t h, uint64_t w) {
  h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 32;
  return h;
}

#endif
