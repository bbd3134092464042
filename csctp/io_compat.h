/* io_compat.h -- internal: the socket calls the transports use, for systems
 * that lack Linux's batch calls and flags (and for the portable build,
 * CSCTP_IO_POLL=1, which uses these on Linux too so that the test suite
 * runs them). Linux keeps recvmmsg / sendmmsg and SOCK_NONBLOCK. */
#ifndef CSCTP_IO_COMPAT_H
#define CSCTP_IO_COMPAT_H

#include "config.h"

#include "io_internal.h"
#include "io_poller.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* no SIGPIPE on UDP anyway */
#endif
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE SO_RCVBUF /* root-only override: Linux only */
#endif
#ifndef SO_SNDBUFFORCE
#define SO_SNDBUFFORCE SO_SNDBUF
#endif

/* io_socket opens a non-blocking, close-on-exec socket. */
static inline int io_socket(int af, int type, int proto) {
#if IO_HAVE_SOCK_FLAGS
  int fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  return fd < 0 ? -errno : fd;
#else
  int fd = socket(af, type, proto);
  if (fd < 0)
    return -errno;
  int e = io_fd_setup(fd);
  if (e != 0) {
    (void)close(fd);
    return e;
  }
  return fd;
#endif
}

#if !IO_HAVE_MMSG
/* One recvmsg / sendmsg per datagram, with recvmmsg / sendmmsg's results:
 * -1 and errno when the first datagram fails, else how many went. */
struct io_mmsghdr {
  struct msghdr msg_hdr;
  unsigned int msg_len;
};
#define mmsghdr io_mmsghdr

static inline int io_recvmmsg(int fd, struct io_mmsghdr *m, unsigned n,
                              int flags, void *timeout) {
  (void)timeout;
  unsigned i = 0;
  for (; i < n; i++) {
    ssize_t r = recvmsg(fd, &m[i].msg_hdr, flags);
    if (r < 0)
      return i ? (int)i : -1;
    m[i].msg_len = (unsigned)r;
  }
  return (int)i;
}
#define recvmmsg io_recvmmsg

static inline int io_sendmmsg(int fd, struct io_mmsghdr *m, unsigned n,
                              int flags) {
  unsigned i = 0;
  for (; i < n; i++) {
    ssize_t r = sendmsg(fd, &m[i].msg_hdr, flags);
    if (r < 0)
      return i ? (int)i : -1;
    m[i].msg_len = (unsigned)r;
  }
  return (int)i;
}
#define sendmmsg io_sendmmsg
#endif

#endif
