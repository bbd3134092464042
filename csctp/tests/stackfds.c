/* stackfds.c -- see stackfds.h. */
#include "config.h"

#include "stackfds.h"

void add_stack_fds(struct pollfd *p, int *n, const csctp_stack *st) {
  int fds[4];
  int k = csctp_stack_fds(st, fds, 4);
  for (int i = 0; i < k && i < 4; i++) {
    p[*n].fd = fds[i];
    p[*n].events = POLLIN;
    p[*n].revents = 0;
    (*n)++;
  }
}
