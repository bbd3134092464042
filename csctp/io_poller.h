/* io_poller.h -- internal: which readiness backend and which system-call
 * fast paths this build uses. Included by the io_poller_*.c files, io_evfd.c
 * and io_udp.c; everything else goes through io_internal.h.
 *
 *   CSCTP_IO_POLL=1 (make IO_POLL=1): the portable build on any system: the
 *     poll(2) loop, pipe pairs for the sockets' wake-up fds, one recvmsg /
 *     sendmsg per datagram, socket(2) + fcntl(2). On Linux this runs the
 *     same code a POSIX system without epoll or kqueue gets.
 *   CSCTP_IO_KQUEUE_SHIM=1 (make IO_KQUEUE_SHIM=1, tests only): the kqueue
 *     backend on Linux over an emulation (csctp/tests/kqshim.c).
 *   Otherwise: epoll + timerfd + eventfd + recvmmsg / sendmmsg on Linux,
 *     kqueue on macOS and the BSDs, the portable build elsewhere. */
#ifndef CSCTP_IO_POLLER_H
#define CSCTP_IO_POLLER_H

#include "config.h"

#if defined(CSCTP_IO_POLL) && CSCTP_IO_POLL
#define IO_PORTABLE 1
#else
#define IO_PORTABLE 0
#endif

#if defined(CSCTP_IO_KQUEUE_SHIM) && CSCTP_IO_KQUEUE_SHIM
/* Test only (make IO_KQUEUE_SHIM=1): the kqueue backend on Linux through
 * csctp/tests/kqshim.c, with the macOS fallbacks (pipes, no mmsg). */
#define IO_BACKEND_KQUEUE 1
#elif !IO_PORTABLE && defined(__linux__)
#define IO_BACKEND_EPOLL 1
#define IO_HAVE_EVENTFD 1
#define IO_HAVE_MMSG 1
#define IO_HAVE_SOCK_FLAGS 1
#elif !IO_PORTABLE &&                                                          \
    (defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) ||      \
     defined(__OpenBSD__) || defined(__DragonFly__))
#define IO_BACKEND_KQUEUE 1
#else
#define IO_BACKEND_POLL 1
#endif

#ifndef IO_BACKEND_EPOLL
#define IO_BACKEND_EPOLL 0
#endif
#ifndef IO_BACKEND_KQUEUE
#define IO_BACKEND_KQUEUE 0
#endif
#ifndef IO_BACKEND_POLL
#define IO_BACKEND_POLL 0
#endif
#ifndef IO_HAVE_EVENTFD
#define IO_HAVE_EVENTFD 0
#endif
#ifndef IO_HAVE_MMSG
#define IO_HAVE_MMSG 0
#endif
#ifndef IO_HAVE_SOCK_FLAGS
#define IO_HAVE_SOCK_FLAGS 0
#endif

#endif
