// clang-format off
//go:build darwin || dragonfly || freebsd || netbsd || openbsd

/* clang-format on */

#include "config.h"

/* io_poller_kqueue.c -- the readiness backend of macOS and the BSDs: one
 * kqueue(2) holding the transport sockets (EVFILT_READ, level-triggered)
 * and the stack timer (EVFILT_TIMER, one-shot, re-armed as the engine's
 * next timer moves). The kqueue fd is csctp_stack_fd: it polls readable
 * while an event is pending, so poll(2), kqueue and Go's netpoller can wait
 * on it. The stack needs no wake-up event of its own: socket calls do their
 * work inside the call, and the sockets' wake-up fds are pipe pairs
 * (io_evfd.c). Built where the go:build line above says (cgo and the
 * Makefile both read it); without body in the portable build (IO_POLL=1). */

#include "io_internal.h"
#include "io_poller.h"

#if IO_BACKEND_KQUEUE

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

const char io_poller_name[] = "kqueue";

#define IO_KQ_TIMER_ID 1

int io_poller_open(csctp_stack *st) {
  st->tfd = -1;
  st->pfd = kqueue();
  if (st->pfd < 0)
    return -errno;
  return io_fd_setup(st->pfd);
}

int io_poller_watch(csctp_stack *st, int fd) {
  struct kevent kev;
  EV_SET(&kev, fd, EVFILT_READ, EV_ADD, 0, 0, 0);
  return kevent(st->pfd, &kev, 1, NULL, 0, NULL) == 0 ? 0 : -errno;
}

void io_poller_close(csctp_stack *st) {
  if (st->pfd >= 0)
    close(st->pfd);
  st->pfd = -1;
}

int io_poller_arm(csctp_stack *st, csctp_tstamp due) {
  struct kevent kev;
  if (due == CSCTP_TSTAMP_NEVER) {
    EV_SET(&kev, IO_KQ_TIMER_ID, EVFILT_TIMER, EV_DELETE, 0, 0, 0);
    (void)kevent(st->pfd, &kev, 1, NULL, 0, NULL); /* ENOENT: not armed */
    return 0;
  }
  /* EVFILT_TIMER counts from now: turn the absolute time into a delay. */
  csctp_tstamp now = csctp_now();
  csctp_tstamp d = due > now ? due - now : 1;
#ifdef NOTE_NSECONDS
  EV_SET(&kev, IO_KQ_TIMER_ID, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_NSECONDS,
         (intptr_t)d, 0);
#else
  /* Milliseconds only: round up, never early. */
  EV_SET(&kev, IO_KQ_TIMER_ID, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0,
         (intptr_t)((d + CSCTP_MILLISECONDS - 1) / CSCTP_MILLISECONDS), 0);
#endif
  return kevent(st->pfd, &kev, 1, NULL, 0, NULL) == 0 ? 0 : -errno;
}

int io_poller_fired(csctp_stack *st) {
  /* Take the pending events off the queue (the read events come back while
   * their sockets hold data; a fired one-shot timer goes away). */
  struct kevent evs[8];
  struct timespec zero = {0, 0};
  int fired = 0;
  int n = kevent(st->pfd, NULL, 0, evs, 8, &zero);
  for (int i = 0; i < n; i++)
    if (evs[i].filter == EVFILT_TIMER)
      fired = 1;
  return fired;
}

/* io_poller_wait waits with poll(2) on the kqueue fd itself: readable while
 * an event is pending, and nothing is taken off the queue, so the timer
 * event is still there for io_poller_fired. */
int io_poller_wait(csctp_stack *st, int timeout_ms) {
  struct pollfd p = {st->pfd, POLLIN, 0};
  int n = poll(&p, 1, timeout_ms);
  if (n < 0 && errno != EINTR)
    return -errno;
  return 0;
}

int io_poller_fds(const csctp_stack *st, int *fds, int n) {
  if (n > 0)
    fds[0] = st->pfd;
  return 1;
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
