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
#ifdef __linux__
#include <linux/errqueue.h>
#endif
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP IPPROTO_UDP
#endif
/* UDP segmentation offload is Linux's (UDP_SEGMENT, UDP_GRO); elsewhere
 * io_udp_offload leaves it off and the values below are never used. */
#if defined(UDP_SEGMENT) && defined(UDP_GRO)
#define IO_HAVE_UDP_OFFLOAD 1
#else
#define IO_HAVE_UDP_OFFLOAD 0
#undef UDP_SEGMENT
#undef UDP_GRO
#define UDP_SEGMENT (-1)
#define UDP_GRO (-1)
#endif

/* Segmentation offload (io_transport.h). One UDP_SEGMENT send carries at
 * most this many packets (the kernel's UDP_MAX_SEGMENTS is 64 or more) and
 * this many bytes (the largest IPv4 UDP payload). */
#define IO_GSO_MAX_SEGS 64
#define IO_GSO_MAX_BYTES 65507
/* Datagrams one recvmmsg takes with UDP_GRO on (each up to IO_PKT_ROOM
 * bytes, i.e. up to 64 KiB of coalesced packets). */
#define IO_GRO_BUFS 8

/* Control data of one datagram: a PKTINFO plus a UDP_SEGMENT (send) or
 * UDP_GRO (receive) value. */
typedef union io_udp_cmsg {
  char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
  struct cmsghdr align;
} io_udp_cmsg;

/* A received datagram not yet handed over in full: a UDP_GRO datagram holds
 * several packets of seg bytes each (the last may be shorter). */
typedef struct io_udp_held {
  uint8_t *data;
  size_t len, seg;
  int coalesced; /* more than one packet */
  csctp_addr peer, local;
} io_udp_held;

typedef struct io_udp {
  io_transport t;
  csctp_mem mem;
  int fam[2]; /* AF_INET / AF_INET6 of fds[i] */
  int gso;    /* send runs with UDP_SEGMENT */
  int gro;    /* UDP_GRO on every fd: receive through held[] */
  /* Headers of a sendmmsg or recvmmsg. Receive headers stay filled: a
   * receive rewrites only the buffer pointers and the rx_dirty first
   * entries, those the kernel wrote to in the last receive (it shortens
   * msg_namelen and msg_controllen to what it stored) or a send used. A
   * lone datagram thus costs no more to receive than with one header,
   * whatever the batch. */
  struct mmsghdr msgs[IO_BATCH];
  struct iovec iovs[IO_BATCH];
  struct sockaddr_storage names[IO_BATCH];
  io_udp_cmsg cmsgs[IO_BATCH];
  size_t rx_dirty;
  uint8_t *grobuf; /* IO_GRO_BUFS x IO_PKT_ROOM, when gro */
  io_udp_held held[IO_GRO_BUFS];
  size_t iheld, nheld; /* held[iheld..nheld) still to hand over */
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

int io_frag_begin(int fd, int af) {
  int saved = -1;
#if defined(IP_MTU_DISCOVER) && defined(IPV6_MTU)
  socklen_t sl = sizeof saved;
  if (af == AF_INET) {
    /* IPv4: DF clear; routers on the path fragment (RFC 791). */
    int dont = IP_PMTUDISC_DONT;
    if (getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &saved, &sl) != 0)
      return -1;
    (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont);
  } else {
    /* IPv6: routers never fragment (RFC 8200 5); the source cuts
     * fragments of the minimum link MTU, which every path carries. */
    int min = 1280;
    if (getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &saved, &sl) != 0)
      return -1;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &min, sizeof min);
  }
#else
  (void)fd;
  (void)af;
#endif
  return saved;
}

void io_frag_end(int fd, int af, int saved) {
#if defined(IP_MTU_DISCOVER) && defined(IPV6_MTU)
  if (saved < 0)
    return;
  if (af == AF_INET)
    (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &saved, sizeof saved);
  else
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &saved, sizeof saved);
#else
  (void)fd;
  (void)af;
  (void)saved;
#endif
}

/* io_udp_local reads the destination address of a received datagram from
 * its IP_PKTINFO / IPV6_PKTINFO control message, and returns the segment
 * size of a UDP_GRO datagram (0: a single packet). */
static size_t io_udp_local(struct msghdr *mh, csctp_addr *local) {
  size_t seg = 0;
  memset(local, 0, sizeof *local);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
#if IO_HAVE_UDP_OFFLOAD
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      seg = v > 0 ? (size_t)v : 0;
      continue;
    }
#endif
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
  return seg;
}

int io_icmp_kind(int origin, int type, int code) {
#ifdef __linux__
  int v4 = origin == SO_EE_ORIGIN_ICMP, v6 = origin == SO_EE_ORIGIN_ICMP6;
  /* The peer does not serve the destination: ICMP port unreachable (the
   * UDP port, RFC 6951 5.5), protocol unreachable (no SCTP over raw IP:
   * the same meaning, RFC 9260 10), ICMPv6 port unreachable or parameter
   * problem "unrecognized Next Header" (RFC 4443 3.1, 3.4). */
  if ((v4 && type == 3 && (code == 2 || code == 3)) ||
      (v6 && ((type == 1 && code == 4) || (type == 4 && code == 1))))
    return IO_ICMP_UNREACH;
  /* RFC 8899 4.6: IPv4 type 3 code 4, ICMPv6 type 2. */
  if ((v4 && type == 3 && code == 4) || (v6 && type == 2))
    return IO_ICMP_TOO_BIG;
#else
  (void)origin;
  (void)type;
  (void)code;
#endif
  return 0;
}

void io_icmp_drain(io_transport *t, int fd, uint32_t l4hdr) {
#ifndef __linux__
  (void)t;
  (void)fd;
  (void)l4hdr;
#else
  for (int i = 0; i < IO_BATCH; i++) {
    uint8_t quoted[64]; /* the common header and an INIT's first fields */
    union {
      char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
                          sizeof(struct sockaddr_in6))];
      struct cmsghdr align;
    } ctl;
    struct sockaddr_storage name;
    struct iovec iov = {quoted, sizeof quoted};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_name = &name;
    mh.msg_namelen = sizeof name;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof ctl.buf;
    ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0)
      return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      struct sock_extended_err ee;
      if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
        continue;
      memcpy(&ee, CMSG_DATA(c), sizeof ee);
      int kind = io_icmp_kind(ee.ee_origin, ee.ee_type, ee.ee_code);
      /* ee_info of a PTB holds the reported MTU: less the IP header and
       * the UDP header when encapsulated (l4hdr) is the SCTP packet. */
      uint32_t hdrs = (ee.ee_origin == SO_EE_ORIGIN_ICMP6 ? 40u : 20u) + l4hdr;
      csctp_addr dst;
      uint16_t dport = 0;
      if (kind == 0 || io_sockaddr_to_addr(&dst, &name, &dport) != 0)
        continue;
      dst.port = dport; /* 0 over raw IP */
      t->stats.icmp_in++;
      if (kind == IO_ICMP_UNREACH && t->unreach)
        t->unreach(t->unreach_ud, &dst, quoted, (size_t)n);
      else if (kind == IO_ICMP_TOO_BIG && t->too_big && ee.ee_info > hdrs)
        t->too_big(t->unreach_ud, &dst, quoted, (size_t)n, ee.ee_info - hdrs);
    }
  }
#endif
}

/* io_udp_source checks and converts the source of received datagram i into
 * *peer (IP and UDP source port). Returns 0, or -1 (counted) to drop it. */
static int io_udp_source(io_udp *u, size_t i, csctp_addr *peer) {
  uint16_t sport = 0;
  if (io_sockaddr_to_addr(peer, &u->names[i], &sport) != 0) {
    u->t.stats.bad_src++;
    return -1;
  }
  /* UDP source port 0 means "no reply expected" (RFC 768): we could never
   * answer such a peer, and port 0 would read as native SCTP to the
   * engine. Drop it. */
  if (sport == 0) {
    u->t.stats.bad_src++;
    return -1;
  }
  peer->port = sport;
  return 0;
}

/* io_udp_rx_fill makes header i a receive header (its buffer pointer
 * aside): room for a whole datagram, a name and the control data. */
static void io_udp_rx_fill(io_udp *u, size_t i) {
  struct msghdr *mh = &u->msgs[i].msg_hdr;
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

/* io_udp_recvmmsg points n receive headers at the buffers bufs[i] and
 * calls recvmmsg on fd index which. Returns its result, 0 for "nothing
 * now" (or a per-datagram error), or a negated errno. */
static int io_udp_recvmmsg(io_udp *u, int which, uint8_t *const *bufs,
                           size_t n) {
  for (size_t i = 0; i < u->rx_dirty; i++)
    io_udp_rx_fill(u, i);
  u->rx_dirty = 0;
  for (size_t i = 0; i < n; i++)
    u->iovs[i].iov_base = bufs[i];
  int fd = u->t.fds[which];
  int r = recvmmsg(fd, u->msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    /* A pending socket error: with IP_RECVERR every ICMP error queued on
     * the error queue also sets it, and the receive reports it before any
     * datagram. Read the queue (io_icmp_drain), then the datagrams. The
     * queue is not read on every receive: that was a failing system call
     * per step and socket. */
    io_icmp_drain(&u->t, fd, 8); /* UDP header */
    r = recvmmsg(fd, u->msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  }
  if (r > 0)
    u->rx_dirty = (size_t)r; /* the kernel wrote to these entries */
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      return 0;
    /* ICMP errors surface here as ECONNREFUSED & co. on unconnected UDP
     * sockets only with IP_RECVERR; treat any per-datagram error as "try
     * again later" rather than a broken socket. */
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
        errno == ENETUNREACH || errno == EMSGSIZE || errno == ENOPROTOOPT ||
        errno == EPROTO)
      return 0;
    return -errno;
  }
  u->t.stats.recv_batches++;
  return r;
}

/* io_udp_recv_gro hands over held packets, receiving more datagrams (into
 * grobuf) once all held ones are out. */
static int io_udp_recv_gro(io_udp *u, int which, io_pkt *pkts, size_t n) {
  size_t out = 0;
  int drained = 0;
  while (out < n) {
    if (u->iheld == u->nheld) {
      /* Receive again until n packets are out or the socket is empty:
       * datagrams that were not coalesced (other senders, small packets)
       * must not be taken IO_GRO_BUFS per step. */
      if (drained)
        break;
      uint8_t *bufs[IO_GRO_BUFS];
      for (size_t i = 0; i < IO_GRO_BUFS; i++)
        bufs[i] = u->grobuf + i * IO_PKT_ROOM;
      int r = io_udp_recvmmsg(u, which, bufs, IO_GRO_BUFS);
      if (r < 0 && out == 0)
        return r;
      drained = r < IO_GRO_BUFS;
      u->iheld = u->nheld = 0;
      for (int i = 0; i < r; i++) {
        struct msghdr *mh = &u->msgs[i].msg_hdr;
        io_udp_held *h = &u->held[u->nheld];
        if (mh->msg_flags & MSG_TRUNC) {
          u->t.stats.short_pkts++;
          continue;
        }
        if (io_udp_source(u, (size_t)i, &h->peer) != 0)
          continue;
        h->seg = io_udp_local(mh, &h->local);
        h->data = bufs[i];
        h->len = u->msgs[i].msg_len;
        if (h->seg == 0 || h->seg > h->len)
          h->seg = h->len; /* not coalesced */
        h->coalesced = h->len > h->seg;
        if (h->coalesced)
          u->t.stats.gro_recvs++;
        u->nheld++;
      }
      continue;
    }
    /* The next packet of the oldest held datagram. */
    io_udp_held *h = &u->held[u->iheld];
    size_t take = h->len < h->seg ? h->len : h->seg;
    if (take >= 12) {
      io_pkt *p = &pkts[out++];
      memcpy(p->buf, h->data, take);
      p->len = take;
      p->peer = h->peer;
      p->local = h->local;
      if (h->coalesced)
        u->t.stats.gro_pkts++;
    } else {
      u->t.stats.short_pkts++;
    }
    h->data += take;
    h->len -= take;
    if (h->len == 0)
      u->iheld++;
  }
  u->t.rx_pending = u->nheld - u->iheld;
  return (int)out;
}

static int io_udp_recv(io_transport *t, int which, io_pkt *pkts, size_t n) {
  io_udp *u = (io_udp *)t;
  if (n > IO_BATCH)
    n = IO_BATCH;
  if (u->gro)
    return io_udp_recv_gro(u, which, pkts, n);
  uint8_t *bufs[IO_BATCH];
  for (size_t i = 0; i < n; i++)
    bufs[i] = pkts[i].buf;
  int r = io_udp_recvmmsg(u, which, bufs, n);
  if (r <= 0)
    return r;
  int out = 0;
  for (int i = 0; i < r; i++) {
    struct msghdr *mh = &u->msgs[i].msg_hdr;
    size_t len = u->msgs[i].msg_len;
    if ((mh->msg_flags & MSG_TRUNC) || len < 12) {
      t->stats.short_pkts++;
      continue;
    }
    io_pkt *p = &pkts[out];
    if (io_udp_source(u, (size_t)i, &p->peer) != 0)
      continue;
    (void)io_udp_local(mh, &p->local);
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

/* io_udp_same_dst: b goes from the same local address to the same peer
 * address and UDP port as a (one UDP_SEGMENT datagram). */
static int io_udp_same_dst(const io_pkt *a, const io_pkt *b) {
  size_t iplen = a->peer.family == CSCTP_AF_INET ? 4 : 16;
  return a->peer.family == b->peer.family && a->peer.port == b->peer.port &&
         a->peer.scope_id == b->peer.scope_id &&
         memcmp(a->peer.ip, b->peer.ip, iplen) == 0 &&
         a->local.family == b->local.family &&
         (a->local.family == 0 || memcmp(a->local.ip, b->local.ip, iplen) == 0);
}

/* io_udp_gso_end returns the end of the run starting at pkts[i] that one
 * UDP_SEGMENT datagram can carry: the same destination, every packet as long
 * as the first except the last, which may be shorter. */
static size_t io_udp_gso_end(const io_pkt *pkts, size_t i, size_t n) {
  size_t seg = pkts[i].len, total = seg, j = i + 1;
  while (j < n && j - i < IO_GSO_MAX_SEGS && pkts[j].len <= seg &&
         total + pkts[j].len <= IO_GSO_MAX_BYTES &&
         io_udp_same_dst(&pkts[i], &pkts[j])) {
    total += pkts[j].len;
    if (pkts[j++].len < seg)
      break; /* a shorter packet ends the run */
  }
  return j;
}

/* io_udp_gso_cmsg appends a UDP_SEGMENT control message (segment size seg)
 * at offset off of buf; returns the new length. */
static size_t io_udp_gso_cmsg(void *buf, size_t off, size_t seg) {
  struct cmsghdr *c = (struct cmsghdr *)((char *)buf + off);
  uint16_t v = (uint16_t)seg;
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof v);
  memcpy(CMSG_DATA(c), &v, sizeof v);
  return off + CMSG_SPACE(sizeof v);
}

/* io_udp_gso_refused: the error a UDP_SEGMENT send failed with says the
 * kernel, the device or the route cannot segment (EIO: no checksum offload;
 * EINVAL: a segment over the device MTU, or an option it rejects). */
static int io_udp_gso_refused(int err) {
  return err == EIO || err == EINVAL || err == EOPNOTSUPP || err == ENOPROTOOPT;
}

/* io_udp_send_run sends pkts[0..n) (all of one family) on fd index fi:
 * one datagram per packet, or per run of packets with UDP_SEGMENT. */
static void io_udp_send_run(io_udp *u, int fi, const io_pkt *pkts, size_t n) {
  io_transport *t = &u->t;
  size_t k = 0, iv = 0;
  size_t first[IO_BATCH], cnt[IO_BATCH];
  for (size_t i = 0; i < n;) {
    const io_pkt *p = &pkts[i];
    struct msghdr *mh = &u->msgs[k].msg_hdr;
    if (p->peer.port == 0 ||
        io_addr_to_sockaddr(&p->peer, p->peer.port, &u->names[k]) <= 0) {
      t->stats.send_errors++; /* no UDP port: cannot encapsulate */
      i++;
      continue;
    }
    memset(mh, 0, sizeof *mh); /* header k is a send one now (rx_dirty) */
    size_t j = u->gso ? io_udp_gso_end(pkts, i, n) : i + 1;
    mh->msg_name = &u->names[k];
    mh->msg_namelen = u->names[k].ss_family == AF_INET
                          ? sizeof(struct sockaddr_in)
                          : sizeof(struct sockaddr_in6);
    mh->msg_iov = &u->iovs[iv];
    mh->msg_iovlen = j - i;
    for (size_t m = i; m < j; m++) {
      u->iovs[iv].iov_base = pkts[m].buf;
      u->iovs[iv++].iov_len = pkts[m].len;
    }
    size_t cl = io_udp_srcinfo(p, u->cmsgs[k].buf);
    if (j - i > 1)
      cl = io_udp_gso_cmsg(u->cmsgs[k].buf, cl, p->len);
    if (cl) {
      mh->msg_control = u->cmsgs[k].buf;
      mh->msg_controllen = cl;
    }
    first[k] = i;
    cnt[k++] = j - i;
    i = j;
  }
  /* Headers 0..k and iovecs 0..iv are send ones now (iv >= k); names
   * are written by every receive anyway. */
  if (u->rx_dirty < iv)
    u->rx_dirty = iv;
  size_t done = 0;
  while (done < k) {
    int r = sendmmsg(t->fds[fi], u->msgs + done, (unsigned)(k - done),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    t->stats.send_batches++;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      if (cnt[done] > 1 && io_udp_gso_refused(errno)) {
        /* Segmentation offload refused: sendmmsg alone from now on, starting
         * again with this datagram's packets. */
        u->gso = 0;
        io_udp_send_run(u, fi, pkts + first[done], n - first[done]);
        return;
      }
      /* The first datagram failed (no route, buffer full, ...): it is lost
       * to SCTP, which retransmits; go on with the next one. */
      t->stats.send_errors += cnt[done];
      done++;
      continue;
    }
    for (size_t m = done; m < done + (size_t)r; m++)
      if (cnt[m] > 1) {
        t->stats.gso_sends++;
        t->stats.gso_pkts += cnt[m];
      }
    done += (size_t)r;
  }
}

/* io_udp_send_frag sends one packet the engine marked CSCTP_PKT_FRAG_OK
 * alone, with IP fragmentation allowed for that send (RFC 8899 4.4). */
static void io_udp_send_frag(io_udp *u, int fi, const io_pkt *p) {
  int gso = u->gso;
  int saved = io_frag_begin(u->t.fds[fi], u->fam[fi]);
  u->gso = 0;
  io_udp_send_run(u, fi, p, 1);
  u->gso = gso;
  io_frag_end(u->t.fds[fi], u->fam[fi], saved);
  u->t.stats.frag_sends++;
}

static int io_udp_send(io_transport *t, const io_pkt *pkts, size_t n) {
  io_udp *u = (io_udp *)t;
  size_t i = 0;
  while (i < n) {
    /* Runs of one family go out in one sendmmsg; a packet to be sent
     * with fragmentation allowed goes alone. */
    size_t j = i + 1;
    while (!(pkts[i].flags & CSCTP_PKT_FRAG_OK) && j < n && j - i < IO_BATCH &&
           pkts[j].peer.family == pkts[i].peer.family &&
           !(pkts[j].flags & CSCTP_PKT_FRAG_OK))
      j++;
    int fi = io_udp_fd_for(u, pkts[i].peer.family);
    if (fi < 0)
      t->stats.send_errors += j - i;
    else if (pkts[i].flags & CSCTP_PKT_FRAG_OK)
      io_udp_send_frag(u, fi, &pkts[i]);
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
  if (u->grobuf)
    u->mem.free(u->grobuf, u->mem.user_data);
  u->mem.free(u, u->mem.user_data);
}

/* io_udp_offload turns on UDP_GRO where the kernel has it, unless
 * CSCTP_UDP_GSO=0, and UDP_SEGMENT sends only with CSCTP_UDP_GSO=1
 * (io_transport.h says why). Failures leave them off. */
static void io_udp_offload(io_udp *u) {
  const char *env = getenv(IO_UDP_GSO_ENV);
  if (!IO_HAVE_UDP_OFFLOAD || (env && strcmp(env, "0") == 0))
    return;
  int v = 0;
  socklen_t vl = sizeof v;
  /* Kernels without UDP_SEGMENT answer ENOPROTOOPT. */
  u->gso = env && strcmp(env, "1") == 0 &&
           getsockopt(u->t.fds[0], SOL_UDP, UDP_SEGMENT, &v, &vl) == 0;
  int one = 1, on = 0;
  for (int i = 0; i < u->t.nfds; i++)
    on += setsockopt(u->t.fds[i], SOL_UDP, UDP_GRO, &one, sizeof one) == 0;
  if (on == u->t.nfds)
    u->grobuf =
        u->mem.malloc((size_t)IO_GRO_BUFS * IO_PKT_ROOM, u->mem.user_data);
  u->gro = u->grobuf != NULL;
  if (!u->gro && on > 0) {
    int zero = 0; /* coalesced datagrams would reach the plain path */
    for (int i = 0; i < u->t.nfds; i++)
      (void)setsockopt(u->t.fds[i], SOL_UDP, UDP_GRO, &zero, sizeof zero);
  }
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
#ifdef IP_RECVERR /* ICMP errors reach io_icmp_drain */
    (void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
#endif
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sl = sizeof *sin6;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
#ifdef IPV6_RECVERR
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
#endif
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
  for (size_t i = 0; i < IO_BATCH; i++)
    io_udp_rx_fill(u, i);
  io_udp_offload(u);
  *out = &u->t;
  return 0;
}
