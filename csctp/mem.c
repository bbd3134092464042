/* mem.c -- the default allocator (the C library's). */
#include "config.h"

#include "mem.h"

#include <stdlib.h>

static void *mem_malloc(size_t n, void *ud) {
  (void)ud;
  return malloc(n);
}
static void mem_free(void *p, void *ud) {
  (void)ud;
  free(p);
}
static void *mem_calloc(size_t k, size_t n, void *ud) {
  (void)ud;
  return calloc(k, n);
}
static void *mem_realloc(void *p, size_t n, void *ud) {
  (void)ud;
  return realloc(p, n);
}

static const csctp_mem mem_default = {NULL, mem_malloc, mem_free, mem_calloc,
                                      mem_realloc};

const csctp_mem *csctp_mem_default(void) { return &mem_default; }
