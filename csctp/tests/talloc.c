/* talloc.c -- the counting allocator of the C tests (talloc.h). */
#include "talloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A header before each block remembers its size. */
typedef union talloc_header {
  size_t size;
  max_align_t align;
} talloc_header;

static int talloc_should_fail(talloc *t) {
  return (t->fail_at != 0 && t->count == t->fail_at) ||
         (t->fail_every != 0 && t->count % t->fail_every == 0);
}

void *talloc_malloc(size_t size, void *ud) {
  talloc *t = ud;
  t->count++;
  if (size > (size_t)1 << 30)
    return NULL; /* no test needs 1 GiB; a fuzzed size must not abort */
  if (talloc_should_fail(t)) {
    t->failures++;
    return NULL;
  }
  talloc_header *h = malloc(sizeof(talloc_header) + size);
  if (h == NULL)
    return NULL;
  h->size = size;
  t->live++;
  t->bytes += size;
  if (t->bytes > t->peak)
    t->peak = t->bytes;
  return h + 1;
}

void talloc_free(void *p, void *ud) {
  talloc *t = ud;
  if (p == NULL)
    return;
  talloc_header *h = (talloc_header *)p - 1;
  t->live--;
  t->bytes -= h->size;
  free(h);
}

void *talloc_calloc(size_t n, size_t size, void *ud) {
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  void *p = talloc_malloc(n * size, ud);
  if (p != NULL)
    memset(p, 0, n * size);
  return p;
}

void *talloc_realloc(void *p, size_t size, void *ud) {
  if (p == NULL)
    return talloc_malloc(size, ud);
  void *q = talloc_malloc(size, ud);
  if (q == NULL)
    return NULL;
  talloc_header *h = (talloc_header *)p - 1;
  memcpy(q, p, h->size < size ? h->size : size);
  talloc_free(p, ud);
  return q;
}

csctp_mem talloc_mem(talloc *t) {
  memset(t, 0, sizeof(*t));
  csctp_mem m = {t, talloc_malloc, talloc_free, talloc_calloc, talloc_realloc};
  return m;
}
