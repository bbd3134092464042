#include "config.h"

/* io_poller_epoll_linux.c -- the Linux readiness backend: one epoll(7) fd
 * holding the transport sockets and a timerfd(2) that follows the stack's
 * next timer. The epoll fd is csctp_stack_fd. Built on Linux only (file
 * suffix, as cgo does); without body in the portable build (IO_POLL=1). */

#include "io_internal.h"
#include "io_poller.h"

#if IO_BACKEND_EPOLL

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

const char io_poller_name[] = "epoll";

static int io_epoll_ctl(csctp_stack *st, int op, int fd, uint32_t events) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.fd = fd;
  return epoll_ctl(st->pfd, op, fd, &ev) == 0 ? 0 : -errno;
}

static int io_epoll_add(csctp_stack *st, int fd) {
  return io_epoll_ctl(st, EPOLL_CTL_ADD, fd, EPOLLIN);
}

int io_poller_open(csctp_stack *st) {
  st->pfd = epoll_create1(EPOLL_CLOEXEC);
  if (st->pfd < 0)
    return -errno;
  st->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (st->tfd < 0)
    return -errno;
  return io_epoll_add(st, st->tfd);
}

int io_poller_watch(csctp_stack *st, int fd) { return io_epoll_add(st, fd); }

void io_poller_close(csctp_stack *st) {
  if (st->tfd >= 0)
    close(st->tfd);
  if (st->pfd >= 0)
    close(st->pfd);
  st->tfd = st->pfd = -1;
}

int io_poller_arm(csctp_stack *st, csctp_tstamp due) {
  struct itimerspec its;
  memset(&its, 0, sizeof its); /* NEVER: all zero disarms */
  if (due != CSCTP_TSTAMP_NEVER) {
    if (due == 0)
      due = 1; /* it_value 0 would disarm; 1 ns is long past */
    its.it_value.tv_sec = (time_t)(due / CSCTP_SECONDS);
    its.it_value.tv_nsec = (long)(due % CSCTP_SECONDS);
  }
  if (timerfd_settime(st->tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
    return -errno;
  return 0;
}

int io_poller_fired(csctp_stack *st) {
  uint64_t ticks;
  int fired = 0;
  while (read(st->tfd, &ticks, sizeof ticks) > 0)
    fired = 1;
  return fired;
}

int io_poller_wait(csctp_stack *st, int timeout_ms) {
  struct epoll_event evs[8];
  int n = epoll_wait(st->pfd, evs, 8, timeout_ms);
  if (n < 0 && errno != EINTR)
    return -errno;
  /* Which transport fds are readable (or have an error pending): the step
   * receives on those only, not on every socket of the stack. A full
   * event array may have left some out: then every fd is tried. */
  uint32_t mask = 0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < st->tr->nfds && k < 32; k++)
      if (evs[i].data.fd == st->tr->fds[k])
        mask |= 1u << k;
  st->rd_mask = mask;
  if (st->oneshot) {
    st->disarmed |= mask; /* taken: watched again by prepare_wait */
    st->taken = n >= 0 && n < 8;
  }
  st->rd_known = n >= 0 && n < 8 && st->tr->nfds <= 32;
  return 0;
}

int io_poller_fds(const csctp_stack *st, int *fds, int n) {
  if (n > 0)
    fds[0] = st->pfd;
  return 1;
}

/* One-shot (EPOLLONESHOT): a transport fd that fired stops waking the
 * stack fd once its event was taken (io_poller_harvest) until it is
 * watched again (io_poller_rearm). */
static int io_epoll_oneshot(csctp_stack *st, int fd) {
  return io_epoll_ctl(st, EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLONESHOT);
}

int io_poller_oneshot(csctp_stack *st) {
  if (st->tr->nfds > 32)
    return CSCTP_ERR_NOT_SUPPORTED;
  for (int k = 0; k < st->tr->nfds; k++) {
    int err = io_epoll_oneshot(st, st->tr->fds[k]);
    if (err != 0)
      return err;
  }
  st->oneshot = 1;
  return 0;
}

/* The step then receives on the fds that fired and on those disarmed
 * before (data may have come since): not on an armed fd that stayed quiet
 * (the IPv6 socket of an IPv4 association), so taking the events costs no
 * more system calls than trying every fd would. */
void io_poller_harvest(csctp_stack *st) {
  uint32_t all = st->tr->nfds >= 32 ? UINT32_MAX : (1u << st->tr->nfds) - 1u;
  int taken = st->taken;
  st->taken = 0;
  st->rd_mask = st->disarmed;
  st->rd_known = 1;
  if (taken || st->disarmed == all)
    return; /* io_poller_wait took them, or nothing is armed */
  struct epoll_event evs[8];
  int n = epoll_wait(st->pfd, evs, 8, 0);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < st->tr->nfds; k++)
      if (evs[i].data.fd == st->tr->fds[k])
        st->disarmed |= 1u << k;
  st->rd_mask = st->disarmed;
  st->rd_known = n >= 0 && n < 8;
}

int io_poller_rearm(csctp_stack *st) {
  for (int k = 0; st->disarmed && k < st->tr->nfds; k++) {
    if (!(st->disarmed & (1u << k)))
      continue;
    int err = io_epoll_oneshot(st, st->tr->fds[k]);
    if (err != 0)
      return err;
    st->disarmed &= ~(1u << k);
  }
  return 0;
}

#endif
