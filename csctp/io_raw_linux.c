#include "config.h"

/* io_raw_linux.c -- native SCTP over raw IP sockets (IP protocol 132).
 *
 * For hosts whose kernel lacks SCTP: the stack opens raw sockets for
 * protocol 132 (root or CAP_NET_RAW needed) and speaks SCTP directly on IP.
 * IPv4 raw sockets deliver the IP header with each packet; it is stripped
 * here. IPv6 raw sockets deliver the payload only; the destination comes
 * from IPV6_PKTINFO. The kernel builds the IP header on send. Addresses
 * given to the engine carry port 0 (native SCTP, no encapsulation).
 *
 * If the kernel implements SCTP itself, it would answer the same packets
 * (with ABORTs, as out of the blue), so the stack refuses to start. */

#include "io_transport.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

typedef struct io_raw {
  io_transport t;
  csctp_mem mem;
  int fam[2];
  struct mmsghdr msgs[IO_BATCH];
  struct iovec iovs[IO_BATCH];
  struct sockaddr_storage names[IO_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct cmsghdr align;
  } cmsgs[IO_BATCH];
} io_raw;

static int io_raw_recv(io_transport *t, int which, io_pkt *pkts, size_t n) {
  io_raw *r = (io_raw *)t;
  /* ICMP errors for our packets (IP_RECVERR): the same validation as over
   * UDP (RFC 9260 10, appendix C; RFC 8899 4.6). */
  io_icmp_drain(t, t->fds[which], 0);
  if (n > IO_BATCH)
    n = IO_BATCH;
  for (size_t i = 0; i < n; i++) {
    struct msghdr *mh = &r->msgs[i].msg_hdr;
    memset(mh, 0, sizeof *mh);
    r->iovs[i].iov_base = pkts[i].buf;
    r->iovs[i].iov_len = IO_PKT_ROOM;
    mh->msg_name = &r->names[i];
    mh->msg_namelen = sizeof r->names[i];
    mh->msg_iov = &r->iovs[i];
    mh->msg_iovlen = 1;
    mh->msg_control = r->cmsgs[i].buf;
    mh->msg_controllen = sizeof r->cmsgs[i].buf;
  }
  int got = recvmmsg(t->fds[which], r->msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      return 0;
    /* With IP_RECVERR an ICMP error also surfaces once as the socket's
     * error (what io_icmp_drain read): not a broken socket. */
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
        errno == ENETUNREACH || errno == ENOPROTOOPT || errno == EMSGSIZE ||
        errno == EPROTO || errno == EOPNOTSUPP || errno == EACCES)
      return 0;
    return -errno;
  }
  t->stats.recv_batches++;
  int out = 0;
  for (int i = 0; i < got; i++) {
    struct msghdr *mh = &r->msgs[i].msg_hdr;
    size_t len = r->msgs[i].msg_len;
    uint8_t *b = pkts[i].buf;
    csctp_addr local;
    memset(&local, 0, sizeof local);
    size_t off = 0;
    if (mh->msg_flags & MSG_TRUNC) {
      t->stats.short_pkts++;
      continue;
    }
    if (r->fam[which] == AF_INET) {
      /* Strip the IPv4 header (IHL words of 4 bytes); take the
       * destination from it. */
      if (len < 20 || (b[0] >> 4) != 4) {
        t->stats.short_pkts++;
        continue;
      }
      off = (size_t)(b[0] & 0x0f) * 4;
      if (off < 20 || len < off) {
        t->stats.short_pkts++;
        continue;
      }
      local.family = CSCTP_AF_INET;
      memcpy(local.ip, b + 16, 4);
    } else {
      for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          struct in6_pktinfo pi;
          memcpy(&pi, CMSG_DATA(c), sizeof pi);
          local.family = CSCTP_AF_INET6;
          memcpy(local.ip, &pi.ipi6_addr, 16);
          if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
            local.scope_id = (uint32_t)pi.ipi6_ifindex;
        }
      }
    }
    if (len - off < 12) {
      t->stats.short_pkts++;
      continue;
    }
    io_pkt *p = &pkts[out];
    if (io_sockaddr_to_addr(&p->peer, &r->names[i], NULL) != 0) {
      t->stats.bad_src++;
      continue;
    }
    p->peer.port = 0;
    p->local = local;
    if (out != i) {
      uint8_t *tmp = p->buf;
      p->buf = pkts[i].buf;
      pkts[i].buf = tmp;
    }
    if (off)
      memmove(p->buf, p->buf + off, len - off);
    p->len = len - off;
    out++;
  }
  return out;
}

static int io_raw_send(io_transport *t, const io_pkt *pkts, size_t n) {
  io_raw *r = (io_raw *)t;
  for (size_t i = 0; i < n; i++) {
    const io_pkt *p = &pkts[i];
    int want = p->peer.family == CSCTP_AF_INET ? AF_INET : AF_INET6;
    int fi = -1;
    for (int k = 0; k < t->nfds; k++)
      if (r->fam[k] == want)
        fi = k;
    struct sockaddr_storage ss;
    int sl = fi < 0 ? -1 : io_addr_to_sockaddr(&p->peer, 0, &ss);
    if (sl <= 0) {
      t->stats.send_errors++;
      continue;
    }
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    struct iovec iov = {p->buf, p->len};
    union {
      char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
      struct cmsghdr align;
    } cm;
    mh.msg_name = &ss;
    mh.msg_namelen = (socklen_t)sl;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (p->local.family == CSCTP_AF_INET && want == AF_INET) {
      struct in_pktinfo pi;
      memset(&pi, 0, sizeof pi);
      memcpy(&pi.ipi_spec_dst, p->local.ip, 4);
      struct cmsghdr *c = &cm.align;
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      memcpy(CMSG_DATA(c), &pi, sizeof pi);
      mh.msg_control = cm.buf;
      mh.msg_controllen = CMSG_SPACE(sizeof pi);
    } else if (p->local.family == CSCTP_AF_INET6 && want == AF_INET6) {
      struct in6_pktinfo pi;
      memset(&pi, 0, sizeof pi);
      memcpy(&pi.ipi6_addr, p->local.ip, 16);
      pi.ipi6_ifindex = p->local.scope_id;
      struct cmsghdr *c = &cm.align;
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      memcpy(CMSG_DATA(c), &pi, sizeof pi);
      mh.msg_control = cm.buf;
      mh.msg_controllen = CMSG_SPACE(sizeof pi);
    }
    t->stats.send_batches++;
    int frag = (p->flags & CSCTP_PKT_FRAG_OK) != 0; /* RFC 8899 4.4 */
    int saved = frag ? io_frag_begin(t->fds[fi], want) : -1;
    if (sendmsg(t->fds[fi], &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
      t->stats.send_errors++;
    if (frag) {
      io_frag_end(t->fds[fi], want, saved);
      t->stats.frag_sends++;
    }
  }
  return (int)n;
}

static void io_raw_close(io_transport *t) {
  io_raw *r = (io_raw *)t;
  for (int i = 0; i < t->nfds; i++)
    close(t->fds[i]);
  r->mem.free(r, r->mem.user_data);
}

static const io_transport_ops io_raw_ops = {"raw", io_raw_recv, io_raw_send,
                                            io_raw_close};

/* io_raw_kernel_sctp returns 1 when the kernel implements SCTP. */
static int io_raw_kernel_sctp(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd >= 0) {
    close(fd);
    return 1;
  }
  return 0;
}

int io_raw_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem) {
  if (io_raw_kernel_sctp())
    return CSCTP_ERR_NOT_SUPPORTED;
  io_raw *r = mem->calloc(1, sizeof *r, mem->user_data);
  if (!r)
    return CSCTP_ERR_NOMEM;
  r->mem = *mem;
  r->t.ops = &io_raw_ops;
  int fams =
      cfg->families ? cfg->families : CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6;
  int err = 0;
  static const int afs[2] = {AF_INET, AF_INET6};
  for (int k = 0; k < 2 && err == 0; k++) {
    int af = afs[k];
    if (!(fams & (af == AF_INET ? CSCTP_STACK_IPV4 : CSCTP_STACK_IPV6)))
      continue;
    int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
    if (fd < 0) {
      int e = -errno;
      /* IPv6 is optional when IPv4 works and the host has no IPv6. */
      if (af == AF_INET6 && r->t.nfds > 0 && e == -EAFNOSUPPORT)
        continue;
      err = e;
      break;
    }
    int one = 1;
    if (af == AF_INET6) {
      (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
      (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
    } else {
      (void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
    }
    io_set_bufsizes(fd, cfg);
    r->fam[r->t.nfds] = af;
    r->t.fds[r->t.nfds++] = fd;
    r->t.families |= af == AF_INET ? CSCTP_STACK_IPV4 : CSCTP_STACK_IPV6;
  }
  if (err == 0 && r->t.nfds == 0)
    err = -EAFNOSUPPORT;
  if (err != 0) {
    for (int i = 0; i < r->t.nfds; i++)
      close(r->t.fds[i]);
    mem->free(r, mem->user_data);
    return err;
  }
  *out = &r->t;
  return 0;
}
