/* kqshim/sys/event.h -- test only: the part of kqueue(2) that
 * io_poller_kqueue.c uses, emulated on Linux (kqshim.c) so that the whole C
 * suite can run on the kqueue backend here (make IO_KQUEUE_SHIM=1 check-c).
 * Semantics follow the BSD manual: EVFILT_READ is level-triggered, an
 * EV_ONESHOT EVFILT_TIMER fires once, `data` after NOTE_NSECONDS is in
 * nanoseconds (else milliseconds), the kqueue fd polls readable while an
 * event is pending. Not a kqueue implementation: one timer per queue. */
#ifndef KQSHIM_SYS_EVENT_H
#define KQSHIM_SYS_EVENT_H

#include <stdint.h>
#include <time.h>

struct kevent {
  uintptr_t ident;
  short filter;
  unsigned short flags;
  unsigned int fflags;
  intptr_t data;
  void *udata;
};

#define EVFILT_READ (-1)
#define EVFILT_TIMER (-7)
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ONESHOT 0x0010
#define NOTE_NSECONDS 0x00000004

#define EV_SET(kevp, a, b, c, d, e, f)                                         \
  do {                                                                         \
    struct kevent *kq_ = (kevp);                                               \
    kq_->ident = (uintptr_t)(a);                                               \
    kq_->filter = (short)(b);                                                  \
    kq_->flags = (unsigned short)(c);                                          \
    kq_->fflags = (unsigned int)(d);                                           \
    kq_->data = (intptr_t)(e);                                                 \
    kq_->udata = (void *)(uintptr_t)(f);                                       \
  } while (0)

int kqueue(void);
int kevent(int kq, const struct kevent *changes, int nchanges,
           struct kevent *events, int nevents, const struct timespec *timeout);
/* A kqueue here is an epoll fd plus a timerfd: closing it closes both. */
int kqshim_close(int fd);
#define close(fd) kqshim_close(fd)

#endif
