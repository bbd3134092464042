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

/* A table starts with two slots (one entry: what the endpoint of a
 * one-to-one socket holds) and doubles when an entry would take the load
 * past 3/4. Linear probing stays short at that load (about 2.5 slots per
 * hit, 8.5 per miss on average) and every table keeps a free slot, which
 * ends every probe. */
static int htab_grow(csctp_htab *t, const csctp_mem *m) {
  size_t cap = t->cap ? t->cap * 2 : 2;
  csctp_hslot *s = csctp_calloc(m, cap, sizeof *s);
  if (!s)
    return CSCTP_ERR_NOMEM;
  for (size_t i = 0; i < t->cap; i++)
    if (t->s[i].p)
      htab_insert(s, cap, t->s[i].h, t->s[i].p);
  csctp_free(m, t->s);
  t->s = s;
  t->cap = cap;
  return 0;
}

int csctp_htab_put(csctp_htab *t, const csctp_mem *m, uint64_t h, void *p) {
  if ((t->n + 1) * 4 > t->cap * 3 && htab_grow(t, m) != 0)
    return CSCTP_ERR_NOMEM;
  htab_insert(t->s, t->cap, h, p);
  t->n++;
  return 0;
}

void csctp_htab_del(csctp_htab *t, uint64_t h, const void *p) {
  if (!t->cap)
    return;
  size_t mask = t->cap - 1, i = htab_home(t, h);
  while (t->s[i].p && !(t->s[i].p == p && t->s[i].h == h))
    i = (i + 1) & mask;
  if (!t->s[i].p)
    return;
  /* Backward shift: move later members of the run into the hole when the
   * hole lies between their home slot and their slot. */
  size_t hole = i;
  for (size_t j = (i + 1) & mask; t->s[j].p; j = (j + 1) & mask) {
    size_t home = htab_home(t, t->s[j].h);
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      t->s[hole] = t->s[j];
      hole = j;
    }
  }
  t->s[hole].p = NULL;
  t->s[hole].h = 0;
  t->n--;
}

void *csctp_htab_next(const csctp_htab *t, uint64_t h, size_t *it) {
  if (!t->cap)
    return NULL;
  size_t mask = t->cap - 1;
  /* *it counts the slots already looked at from the home slot. */
  for (size_t k = *it; k <= mask; k++) {
    const csctp_hslot *s = &t->s[(htab_home(t, h) + k) & mask];
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
  csctp_free(m, t->s);
  memset(t, 0, sizeof *t);
}
