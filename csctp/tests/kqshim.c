/* kqshim.c -- test only: kqueue(2) emulated with epoll and timerfd (see
 * kqshim/sys/event.h), linked into the test programs of the
 * make IO_KQUEUE_SHIM=1 build; empty otherwise. */
#include "config.h"

#if defined(CSCTP_IO_KQUEUE_SHIM) && CSCTP_IO_KQUEUE_SHIM

#include "kqshim/sys/event.h"

#undef close
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define KQ_MAX 4096
static int kq_tfd[KQ_MAX]; /* timerfd + 1 of each kqueue (epoll) fd */

int kqueue(void) {
  int ep = epoll_create1(0);
  if (ep < 0)
    return -1;
  int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = UINT64_MAX; /* the timer */
  if (ep >= KQ_MAX || t < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev) != 0) {
    if (t >= 0)
      close(t);
    close(ep);
    errno = EMFILE;
    return -1;
  }
  kq_tfd[ep] = t + 1;
  return ep;
}

int kqshim_close(int fd) {
  if (fd >= 0 && fd < KQ_MAX && kq_tfd[fd]) {
    close(kq_tfd[fd] - 1);
    kq_tfd[fd] = 0;
  }
  return close(fd);
}

static int kq_change(int kq, const struct kevent *c) {
  int t = kq_tfd[kq] - 1;
  if (c->filter == EVFILT_READ) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = c->ident;
    int op = (c->flags & EV_DELETE) ? EPOLL_CTL_DEL : EPOLL_CTL_ADD;
    return epoll_ctl(kq, op, (int)c->ident, &ev);
  }
  if (c->filter != EVFILT_TIMER) {
    errno = EINVAL;
    return -1;
  }
  struct itimerspec its;
  memset(&its, 0, sizeof its); /* EV_DELETE: disarm */
  if (c->flags & EV_ADD) {
    int64_t ns = (c->fflags & NOTE_NSECONDS) ? (int64_t)c->data
                                             : (int64_t)c->data * 1000000;
    if (ns <= 0)
      ns = 1;
    its.it_value.tv_sec = (time_t)(ns / 1000000000);
    its.it_value.tv_nsec = (long)(ns % 1000000000);
  }
  uint64_t junk;
  while (read(t, &junk, sizeof junk) > 0) /* re-arming drops a pending one */
    ;
  return timerfd_settime(t, 0, &its, NULL);
}

int kevent(int kq, const struct kevent *changes, int nchanges,
           struct kevent *events, int nevents, const struct timespec *timeout) {
  if (kq < 0 || kq >= KQ_MAX || !kq_tfd[kq]) {
    errno = EBADF;
    return -1;
  }
  for (int i = 0; i < nchanges; i++)
    if (kq_change(kq, &changes[i]) != 0)
      return -1;
  if (nevents <= 0)
    return 0;
  int ms = -1;
  if (timeout)
    ms = (int)(timeout->tv_sec * 1000 + timeout->tv_nsec / 1000000);
  struct epoll_event evs[16];
  int n = epoll_wait(kq, evs, nevents < 16 ? nevents : 16, ms);
  if (n < 0)
    return -1;
  for (int i = 0; i < n; i++) {
    memset(&events[i], 0, sizeof events[i]);
    if (evs[i].data.u64 == UINT64_MAX) {
      uint64_t ticks = 0;
      ssize_t r = read(kq_tfd[kq] - 1, &ticks, sizeof ticks); /* taken */
      (void)r;
      events[i].filter = EVFILT_TIMER;
      events[i].ident = 1;
      events[i].data = (intptr_t)ticks;
    } else {
      events[i].filter = EVFILT_READ;
      events[i].ident = (uintptr_t)evs[i].data.u64;
    }
  }
  return n;
}

#endif
