#include "config.h"

/* io_evfd.c -- the sockets' wake-up fds (csctp_sock_fd / csctp_sock_wfd):
 * an eventfd(2) on Linux, a pipe pair elsewhere (and in the portable build,
 * IO_POLL=1). Either way the fd a caller polls is readable exactly between
 * a raise and the next drain. */

#include "io_internal.h"
#include "io_poller.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#if IO_HAVE_EVENTFD
#include <sys/eventfd.h>
#endif

int io_fd_setup(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
    return -errno;
  int fdf = fcntl(fd, F_GETFD);
  if (fdf < 0 || fcntl(fd, F_SETFD, fdf | FD_CLOEXEC) != 0)
    return -errno;
  return 0;
}

#if IO_HAVE_EVENTFD

int io_evfd_open(int *rd, int *wr) {
  int f = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (f < 0)
    return -errno;
  *rd = *wr = f;
  return 0;
}

void io_evfd_raise(int wr) {
  uint64_t one = 1;
  if (wr < 0)
    return; /* nobody asked for the fd: csctp_sock_poll tells */
  ssize_t r = write(wr, &one, sizeof one);
  (void)r; /* EAGAIN: counter saturated, already readable */
}

void io_evfd_drain(int rd) {
  uint64_t v;
  if (rd < 0)
    return;
  ssize_t r = read(rd, &v, sizeof v);
  (void)r;
}

void io_evfd_close(int rd, int wr) {
  (void)wr; /* the same fd */
  if (rd >= 0)
    close(rd);
}

#else

int io_evfd_open(int *rd, int *wr) {
  int p[2];
  if (pipe(p) != 0)
    return -errno;
  int e = io_fd_setup(p[0]);
  if (e == 0)
    e = io_fd_setup(p[1]);
  if (e != 0) {
    close(p[0]);
    close(p[1]);
    return e;
  }
  *rd = p[0];
  *wr = p[1];
  return 0;
}

void io_evfd_raise(int wr) {
  char one = 1;
  if (wr < 0)
    return;
  ssize_t r = write(wr, &one, 1);
  (void)r; /* EAGAIN: the pipe is full, so already readable */
}

void io_evfd_drain(int rd) {
  char buf[64];
  if (rd < 0)
    return;
  while (read(rd, buf, sizeof buf) == (ssize_t)sizeof buf)
    ;
}

void io_evfd_close(int rd, int wr) {
  if (rd >= 0)
    close(rd);
  if (wr >= 0)
    close(wr);
}

#endif
