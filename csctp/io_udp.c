#include "config.h"

/* io_udp.c -- the UDP encapsulation transport (RFC 6951).
 *
 * SCTP packets travel as the payload of UDP datagrams between the local and
 * the remote "UDP encapsulation port" (RFC 6951 5.1). The stack binds one UDP
 * socket per address family to the same local port: an IPv4 socket and an
 * IPv6-only socket (so addresses never appear IPv4-mapped). Received: the
 * datagram's source IP and UDP source port become the csctp_addr handed to
 * the engine, which stores the port as the path's remote encapsulation port
 * (RFC 6951 5.4). Sent: each packet goes to dst.ip : dst.port from the engine
 * with the stack's port as UDP source port (RFC 6951 5.3). The kernel
 * computes the UDP checksum (5.3 SHOULD). */

#include "io_compat.h"
#include "io_transport.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct io_udp {
  io_transport t;
  csctp_mem mem;
  int fam[2]; /* AF_INET / AF_INET6 of fds[i] */
  struct mmsghdr msgs[IO_BATCH];
  struct iovec iovs[IO_BATCH];
  struct sockaddr_storage names[IO_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct cmsghdr align;
  } cmsgs[IO_BATCH];
} io_udp;

void io_set_bufsizes(int fd, const csctp_stack_config *cfg) {
  /* Best effort: a smaller buffer than asked for is not an error. */
  if (cfg->so_rcvbuf > 0) {
    int v = cfg->so_rcvbuf;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
      (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  }
  if (cfg->so_sndbuf > 0) {
    int v = cfg->so_sndbuf;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0)
      (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
  }
}

/* io_udp_local reads the destination address of a received datagram from
 * its IP_PKTINFO / IPV6_PKTINFO control message. */
static void io_udp_local(struct msghdr *mh, csctp_addr *local) {
  memset(local, 0, sizeof *local);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
#ifdef IP_PKTINFO
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      local->family = CSCTP_AF_INET;
      memcpy(local->ip, &pi.ipi_addr, 4);
      continue;
    }
#elif defined(IP_RECVDSTADDR) /* the BSDs: the address alone */
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVDSTADDR) {
      local->family = CSCTP_AF_INET;
      memcpy(local->ip, CMSG_DATA(c), 4);
      continue;
    }
#endif
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      local->family = CSCTP_AF_INET6;
      memcpy(local->ip, &pi.ipi6_addr, 16);
      if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
        local->scope_id = (uint32_t)pi.ipi6_ifindex;
    }
  }
}

static int io_udp_recv(io_transport *t, int which, io_pkt *pkts, size_t n) {
  io_udp *u = (io_udp *)t;
  if (n > IO_BATCH)
    n = IO_BATCH;
  for (size_t i = 0; i < n; i++) {
    struct msghdr *mh = &u->msgs[i].msg_hdr;
    u->iovs[i].iov_base = pkts[i].buf;
    u->iovs[i].iov_len = IO_PKT_ROOM;
    mh->msg_name = &u->names[i];
    mh->msg_namelen = sizeof u->names[i];
    mh->msg_iov = &u->iovs[i];
    mh->msg_iovlen = 1;
    mh->msg_control = u->cmsgs[i].buf;
    mh->msg_controllen = sizeof u->cmsgs[i].buf;
    mh->msg_flags = 0;
    u->msgs[i].msg_len = 0;
  }
  int r = recvmmsg(t->fds[which], u->msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      return 0;
    /* ICMP errors surface here as ECONNREFUSED & co. on unconnected UDP
     * sockets only with IP_RECVERR; treat any per-datagram error as "try
     * again later" rather than a broken socket. */
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
      return 0;
    return -errno;
  }
  t->stats.recv_batches++;
  int out = 0;
  for (int i = 0; i < r; i++) {
    struct msghdr *mh = &u->msgs[i].msg_hdr;
    size_t len = u->msgs[i].msg_len;
    if ((mh->msg_flags & MSG_TRUNC) || len < 12) {
      t->stats.short_pkts++;
      continue;
    }
    io_pkt *p = &pkts[out];
    uint16_t sport = 0;
    if (io_sockaddr_to_addr(&p->peer, &u->names[i], &sport) != 0) {
      t->stats.bad_src++;
      continue;
    }
    /* UDP source port 0 means "no reply expected" (RFC 768): we could never
     * answer such a peer, and port 0 would read as native SCTP to the
     * engine. Drop it. */
    if (sport == 0) {
      t->stats.bad_src++;
      continue;
    }
    p->peer.port = sport;
    io_udp_local(mh, &p->local);
    p->len = len;
    if (out != i) {
      /* Keep received bytes with their metadata: swap the buffers. */
      uint8_t *b = p->buf;
      p->buf = pkts[i].buf;
      pkts[i].buf = b;
    }
    out++;
  }
  return out;
}

static int io_udp_fd_for(io_udp *u, int family) {
  int want = family == CSCTP_AF_INET ? AF_INET : AF_INET6;
  for (int i = 0; i < u->t.nfds; i++)
    if (u->fam[i] == want)
      return i;
  return -1;
}

static size_t io_udp_srcinfo(const io_pkt *p, void *buf) {
  struct cmsghdr *c = buf;
#ifdef IP_PKTINFO
  if (p->local.family == CSCTP_AF_INET) {
    struct in_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    memcpy(&pi.ipi_spec_dst, p->local.ip, 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
    return CMSG_SPACE(sizeof pi);
  }
#elif defined(IP_SENDSRCADDR) /* the BSDs: the source address alone */
  if (p->local.family == CSCTP_AF_INET) {
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_SENDSRCADDR;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_addr));
    memcpy(CMSG_DATA(c), p->local.ip, 4);
    return CMSG_SPACE(sizeof(struct in_addr));
  }
#endif
  if (p->local.family == CSCTP_AF_INET6) {
    struct in6_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    memcpy(&pi.ipi6_addr, p->local.ip, 16);
    pi.ipi6_ifindex = p->local.scope_id;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
    return CMSG_SPACE(sizeof pi);
  }
  return 0;
}

/* io_udp_send_run sends pkts[0..n) (all of one family) on fd index fi. */
static void io_udp_send_run(io_udp *u, int fi, const io_pkt *pkts, size_t n) {
  io_transport *t = &u->t;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const io_pkt *p = &pkts[i];
    struct msghdr *mh = &u->msgs[k].msg_hdr;
    memset(mh, 0, sizeof *mh);
    if (p->peer.port == 0 ||
        io_addr_to_sockaddr(&p->peer, p->peer.port, &u->names[k]) <= 0) {
      t->stats.send_errors++; /* no UDP port: cannot encapsulate */
      continue;
    }
    mh->msg_name = &u->names[k];
    mh->msg_namelen = u->names[k].ss_family == AF_INET
                          ? sizeof(struct sockaddr_in)
                          : sizeof(struct sockaddr_in6);
    u->iovs[k].iov_base = p->buf;
    u->iovs[k].iov_len = p->len;
    mh->msg_iov = &u->iovs[k];
    mh->msg_iovlen = 1;
    size_t cl = io_udp_srcinfo(p, u->cmsgs[k].buf);
    if (cl) {
      mh->msg_control = u->cmsgs[k].buf;
      mh->msg_controllen = cl;
    }
    k++;
  }
  size_t done = 0;
  while (done < k) {
    int r = sendmmsg(t->fds[fi], u->msgs + done, (unsigned)(k - done),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    t->stats.send_batches++;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      /* The first datagram failed (no route, buffer full, ...): it is lost
       * to SCTP, which retransmits; go on with the next one. */
      t->stats.send_errors++;
      done++;
      continue;
    }
    done += (size_t)r;
  }
}

static int io_udp_send(io_transport *t, const io_pkt *pkts, size_t n) {
  io_udp *u = (io_udp *)t;
  size_t i = 0;
  while (i < n) {
    /* Runs of one family go out in one sendmmsg. */
    size_t j = i + 1;
    while (j < n && j - i < IO_BATCH &&
           pkts[j].peer.family == pkts[i].peer.family)
      j++;
    int fi = io_udp_fd_for(u, pkts[i].peer.family);
    if (fi < 0)
      t->stats.send_errors += j - i;
    else
      io_udp_send_run(u, fi, pkts + i, j - i);
    i = j;
  }
  return (int)n;
}

static void io_udp_close(io_transport *t) {
  io_udp *u = (io_udp *)t;
  for (int i = 0; i < t->nfds; i++)
    close(t->fds[i]);
  u->mem.free(u, u->mem.user_data);
}

static const io_transport_ops io_udp_ops = {"udp", io_udp_recv, io_udp_send,
                                            io_udp_close};

/* io_udp_socket opens and binds one UDP socket of family af to port. */
static int io_udp_socket(int af, uint16_t port, const csctp_stack_config *cfg,
                         int *pfd) {
  int fd = io_socket(af, SOCK_DGRAM, IPPROTO_UDP);
  if (fd < 0)
    return fd;
  int one = 1;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl;
  if (af == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sl = sizeof *sin;
#ifdef IP_PKTINFO
    (void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
#elif defined(IP_RECVDSTADDR)
    (void)setsockopt(fd, IPPROTO_IP, IP_RECVDSTADDR, &one, sizeof one);
#endif
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sl = sizeof *sin6;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
  }
  io_set_bufsizes(fd, cfg);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
    int e = -errno;
    close(fd);
    return e;
  }
  *pfd = fd;
  return 0;
}

static uint16_t io_udp_bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
    return 0;
  if (ss.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int io_udp_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem) {
  io_udp *u = mem->calloc(1, sizeof *u, mem->user_data);
  if (!u)
    return CSCTP_ERR_NOMEM;
  u->mem = *mem;
  u->t.ops = &io_udp_ops;
  int fams =
      cfg->families ? cfg->families : CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6;
  int err = 0;
  /* With port 0 the second socket must take the port the kernel gave the
   * first; if another program holds it for the other family, start over. */
  for (int attempt = 0; attempt < 8; attempt++) {
    uint16_t port = cfg->udp_port;
    u->t.nfds = 0;
    err = 0;
    if (fams & CSCTP_STACK_IPV4) {
      err = io_udp_socket(AF_INET, port, cfg, &u->t.fds[0]);
      if (err == 0) {
        u->fam[0] = AF_INET;
        u->t.nfds = 1;
        u->t.families |= CSCTP_STACK_IPV4;
        port = io_udp_bound_port(u->t.fds[0]);
      }
    }
    if (err == 0 && (fams & CSCTP_STACK_IPV6)) {
      int fd;
      int e6 = io_udp_socket(AF_INET6, port, cfg, &fd);
      if (e6 == 0) {
        u->fam[u->t.nfds] = AF_INET6;
        u->t.fds[u->t.nfds++] = fd;
        u->t.families |= CSCTP_STACK_IPV6;
        if (port == 0)
          port = io_udp_bound_port(fd);
      } else if (e6 == -EADDRINUSE && cfg->udp_port == 0 && u->t.nfds) {
        close(u->t.fds[0]);
        u->t.nfds = 0;
        u->t.families = 0;
        continue;
      } else if (!(fams & CSCTP_STACK_IPV4) ||
                 (e6 != -EAFNOSUPPORT && e6 != -EADDRNOTAVAIL)) {
        /* IPv6 is optional only when IPv4 is served and the host simply
         * lacks IPv6. */
        err = e6;
      }
    }
    if (err == 0)
      u->t.udp_port = port;
    break;
  }
  if (err == 0 && u->t.nfds == 0)
    err = -EAFNOSUPPORT;
  if (err != 0) {
    for (int i = 0; i < u->t.nfds; i++)
      close(u->t.fds[i]);
    mem->free(u, mem->user_data);
    return err;
  }
  *out = &u->t;
  return 0;
}
