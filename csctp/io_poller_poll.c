#include "config.h"

/* io_poller_poll.c -- the portable readiness backend: plain poll(2) on the
 * transport sockets, the stack timer kept as a time (st->armed) that bounds
 * the wait. For POSIX systems without epoll or kqueue, and for Linux with
 * make IO_POLL=1 (CSCTP_IO_POLL), which runs the whole C test suite on it.
 *
 * There is no single fd that also becomes readable when a timer is due:
 * csctp_stack_fd returns CSCTP_ERR_NOT_SUPPORTED and a caller's own loop
 * polls the fds of csctp_stack_fds for POLLIN with csctp_stack_timeout as
 * its timeout (or simply calls csctp_stack_run, which does exactly that). */

#include "io_internal.h"
#include "io_poller.h"

#if IO_BACKEND_POLL

#include <errno.h>
#include <poll.h>

const char io_poller_name[] = "poll";

int io_poller_open(csctp_stack *st) {
  st->pfd = st->tfd = -1;
  return 0;
}

int io_poller_watch(csctp_stack *st, int fd) {
  (void)st;
  return fd >= 0 ? 0 : -EBADF; /* io_poller_wait polls st->tr->fds */
}

void io_poller_close(csctp_stack *st) { (void)st; }

int io_poller_arm(csctp_stack *st, csctp_tstamp due) {
  (void)st; /* io_timer_update records due in st->armed */
  (void)due;
  return 0;
}

int io_poller_fired(csctp_stack *st) {
  return st->armed != CSCTP_TSTAMP_NEVER && st->armed <= csctp_now();
}

/* io_poll_timeout bounds timeout_ms by the armed timer (rounded up, so the
 * wait never ends before the timer is due). */
static int io_poll_timeout(const csctp_stack *st, int timeout_ms) {
  if (st->corked)
    return 0; /* deferred kicks wait for the next step (io_ep_defer) */
  if (st->armed >= CSCTP_TSTAMP_NEVER - 1)
    return timeout_ms;
  csctp_tstamp now = csctp_now();
  if (st->armed <= now)
    return 0;
  csctp_tstamp ms =
      (st->armed - now + CSCTP_MILLISECONDS - 1) / CSCTP_MILLISECONDS;
  if (timeout_ms >= 0 && (csctp_tstamp)timeout_ms < ms)
    return timeout_ms;
  return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int io_poller_wait(csctp_stack *st, int timeout_ms) {
  struct pollfd p[2];
  int n = 0;
  for (int i = 0; i < st->tr->nfds && i < 2; i++) {
    p[n].fd = st->tr->fds[i];
    p[n].events = POLLIN;
    p[n++].revents = 0;
  }
  int r = poll(p, (nfds_t)n, io_poll_timeout(st, timeout_ms));
  if (r < 0 && errno != EINTR)
    return -errno;
  return 0;
}

int io_poller_fds(const csctp_stack *st, int *fds, int n) {
  int k = 0;
  for (int i = 0; i < st->tr->nfds; i++)
    if (k < n)
      fds[k++] = st->tr->fds[i];
  return st->tr->nfds;
}

int io_poller_oneshot(csctp_stack *st) {
  (void)st;
  return CSCTP_ERR_NOT_SUPPORTED;
}

void io_poller_harvest(csctp_stack *st) { (void)st; }

int io_poller_rearm(csctp_stack *st) {
  (void)st;
  return 0;
}

#endif
