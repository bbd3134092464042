/* stackfds.h -- a helper the I/O tests share: the fds to poll for a
 * stack, whatever its readiness backend. */
#ifndef CSCTP_TEST_STACKFDS_H
#define CSCTP_TEST_STACKFDS_H

#include "csctp_io.h"

#include <poll.h>

/* add_stack_fds appends the fds that drive st (csctp_stack_fds: the stack
 * fd with epoll and kqueue, the transport sockets with poll(2)) to p, at
 * most 4, advancing *n. */
void add_stack_fds(struct pollfd *p, int *n, const csctp_stack *st);

#endif
