/* talloc.h -- a counting csctp_mem for the C tests: live allocations and
 * bytes, the peak, and failure injection (the Nth attempt, or every Nth). */
#ifndef CSCTP_TALLOC_H
#define CSCTP_TALLOC_H

#include "csctp.h"

typedef struct talloc {
  long live;       /* allocations not yet freed */
  long count;      /* allocations attempted */
  long fail_at;    /* fail attempt number fail_at (1-based); 0: never */
  long fail_every; /* fail every attempt whose number is a multiple; 0: no */
  long failures;   /* attempts failed */
  size_t bytes;    /* live bytes */
  size_t peak;     /* most live bytes at once */
} talloc;

void *talloc_malloc(size_t size, void *ud);
void talloc_free(void *p, void *ud);
void *talloc_calloc(size_t n, size_t size, void *ud);
void *talloc_realloc(void *p, size_t size, void *ud);

/* talloc_mem zeroes *t and returns an allocator counting into it. */
csctp_mem talloc_mem(talloc *t);

#endif
