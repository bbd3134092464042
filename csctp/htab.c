/* htab.c -- open-addressing hash multimap (htab.h). */
#include "config.h"

#include "htab.h"

#include "mem.h"

#include <string.h>

static size_t htab_home(const csctp_htab *t, uint64_t h) {
  return (size_t)(h ^ (h >> 32)) & (t->cap - 1);
}

static void htab_insert(csctp_hslot *s, size_t cap, uint64_t h, void *p) {
  size_t i = (size_t)(h ^ (h >> 32)) & (cap - 1);
  while (s[i].p)
    i = (i + 1) & (cap - 1);
  s[i].h = h;
  s[i].p = p;
}

/* A table starts inline (one entry, no slots), then has four slots and
 * doubles when an entry would take the load past 3/4. Linear probing stays
 * short at that load (about 2.5 slots per hit, 8.5 per miss on average) and
 * every table keeps a free slot, which ends every probe. */
static int htab_grow(csctp_htab *t, const csctp_mem *m) {
  uint32_t cap = t->cap ? t->cap * 2 : 4;
  csctp_hslot *s = csctp_calloc(m, cap, sizeof *s);
  if (!s)
    return CSCTP_ERR_NOMEM;
  if (t->cap == 0 && t->n == 1)
    htab_insert(s, cap, t->h1, t->u.p1);
  for (size_t i = 0; i < t->cap; i++)
    if (t->u.s[i].p)
      htab_insert(s, cap, t->u.s[i].h, t->u.s[i].p);
  if (t->cap)
    csctp_free(m, t->u.s);
  t->u.s = s;
  t->cap = cap;
  return 0;
}

int csctp_htab_put(csctp_htab *t, const csctp_mem *m, uint64_t h, void *p) {
  if (t->cap == 0 && t->n == 0) {
    t->u.p1 = p;
    t->h1 = h;
    t->n = 1;
    return 0;
  }
  if ((t->n + 1) * 4 > t->cap * 3 && htab_grow(t, m) != 0)
    return CSCTP_ERR_NOMEM;
  htab_insert(t->u.s, t->cap, h, p);
  t->n++;
  return 0;
}

void csctp_htab_del(csctp_htab *t, uint64_t h, const void *p) {
  if (!t->cap) {
    if (t->n == 1 && t->u.p1 == p && t->h1 == h) {
      t->u.p1 = NULL;
      t->h1 = 0;
      t->n = 0;
    }
    return;
  }
  csctp_hslot *sl = t->u.s;
  size_t mask = t->cap - 1, i = htab_home(t, h);
  while (sl[i].p && !(sl[i].p == p && sl[i].h == h))
    i = (i + 1) & mask;
  if (!sl[i].p)
    return;
  /* Backward shift: move later members of the run into the hole when the
   * hole lies between their home slot and their slot. */
  size_t hole = i;
  for (size_t j = (i + 1) & mask; sl[j].p; j = (j + 1) & mask) {
    size_t home = htab_home(t, sl[j].h);
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      sl[hole] = sl[j];
      hole = j;
    }
  }
  sl[hole].p = NULL;
  sl[hole].h = 0;
  t->n--;
}

void *csctp_htab_next(const csctp_htab *t, uint64_t h, size_t *it) {
  if (!t->cap) {
    if (t->n == 1 && *it == 0 && t->h1 == h) {
      *it = 1;
      return t->u.p1;
    }
    return NULL;
  }
  size_t mask = t->cap - 1;
  /* *it counts the slots already looked at from the home slot. */
  for (size_t k = *it; k <= mask; k++) {
    const csctp_hslot *s = &t->u.s[(htab_home(t, h) + k) & mask];
    if (!s->p)
      return NULL;
    if (s->h == h) {
      *it = k + 1;
      return s->p;
    }
  }
  return NULL;
}

void csctp_htab_free(csctp_htab *t, const csctp_mem *m) {
  if (t->cap)
    csctp_free(m, t->u.s);
  memset(t, 0, sizeof *t);
}
