/* test_io_udp.c -- the UDP encapsulation transport (io_udp.c, RFC 6951)
 * with Linux segmentation offload on, seen from the system calls it makes.
 *
 * UDP_SEGMENT exists to carry a run of packets to one destination in one
 * datagram (io_transport.h); a lone packet has nothing to gain from it, and
 * UDP_GRO exists to hand several packets of one sender over in one
 * datagram. So with CSCTP_UDP_GSO=1 a packet that leaves alone must leave
 * exactly as it does with offload off: one sendmmsg entry, one iovec, the
 * same control data (the source address, RFC 6951 5.3) and no UDP_SEGMENT
 * control message; a lone datagram must be received with one recvmmsg, as
 * without GRO, and nothing held back. A run of equal packets still goes out
 * as one UDP_SEGMENT datagram (where the kernel has it), and comes back as
 * the same packets in the same order.
 *
 * The test defines sendmmsg and recvmmsg itself: the transport's calls
 * land here, are recorded, and go on to the kernel through syscall(2). */
#include "config.h"

#include "csctp_io.h"
#include "test.h"

#include "../io_poller.h" /* IO_HAVE_MMSG */
#include "../io_transport.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GSO_ENV "CSCTP_UDP_GSO" /* IO_UDP_GSO_ENV */
#define CTL_MAX 128

/* What the last sendmmsg was given (its first entry), and call counts. */
typedef struct sent_rec {
  unsigned calls, vlen;
  size_t iovlen, bytes;
  size_t controllen;
  unsigned char control[CTL_MAX];
  int segment; /* UDP_SEGMENT value, -1 when absent */
} sent_rec;

static sent_rec last_send;
static unsigned recv_calls;

/* cmsg_segment returns the UDP_SEGMENT value in mh's control data, or -1. */
static int cmsg_segment(struct msghdr *mh) {
#ifdef UDP_SEGMENT
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
    if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_SEGMENT) {
      uint16_t v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      return v;
    }
#else
  (void)mh;
#endif
  return -1;
}

int sendmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags) {
  struct msghdr *mh = &msgs[0].msg_hdr;
  last_send.calls++;
  last_send.vlen = vlen;
  last_send.iovlen = mh->msg_iovlen;
  last_send.bytes = 0;
  for (size_t i = 0; i < mh->msg_iovlen; i++)
    last_send.bytes += mh->msg_iov[i].iov_len;
  last_send.controllen = mh->msg_controllen;
  memset(last_send.control, 0, sizeof last_send.control);
  if (mh->msg_control && mh->msg_controllen <= CTL_MAX)
    memcpy(last_send.control, mh->msg_control, mh->msg_controllen);
  last_send.segment = mh->msg_control ? cmsg_segment(mh) : -1;
  return (int)syscall(SYS_sendmmsg, fd, msgs, vlen, flags);
}

int recvmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
             struct timespec *timeout) {
  recv_calls++;
  return (int)syscall(SYS_recvmmsg, fd, msgs, vlen, flags, timeout);
}

#if IO_HAVE_MMSG
/* kernel_has_gso: the kernel knows UDP_SEGMENT and UDP_GRO. */
static int kernel_has_gso(void) {
#if defined(UDP_SEGMENT) && defined(UDP_GRO)
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0)
    return 0;
  int v = 0, one = 1;
  socklen_t vl = sizeof v;
  int ok = getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &v, &vl) == 0 &&
           setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof one) == 0;
  close(fd);
  return ok;
#else
  return 0;
#endif
}
#endif

/* A pair of IPv4 UDP transports on loopback, opened with CSCTP_UDP_GSO set
 * to env. */
typedef struct tpair {
  io_transport *a, *b;
  io_pkt rx[IO_BATCH];
  uint8_t *rxmem;
} tpair;

static int tpair_open(tpair *p, const char *env) {
  csctp_stack_config cfg;
  memset(p, 0, sizeof *p);
  memset(&cfg, 0, sizeof cfg);
  cfg.families = CSCTP_STACK_IPV4;
  setenv(GSO_ENV, env, 1);
  int ea = io_udp_open(&p->a, &cfg, csctp_mem_default());
  int eb = ea == 0 ? io_udp_open(&p->b, &cfg, csctp_mem_default()) : -1;
  unsetenv(GSO_ENV);
  p->rxmem = malloc((size_t)IO_BATCH * IO_PKT_ROOM);
  if (ea != 0 || eb != 0 || !p->rxmem)
    return -1;
  for (size_t i = 0; i < IO_BATCH; i++)
    p->rx[i].buf = p->rxmem + i * IO_PKT_ROOM;
  return 0;
}

static void tpair_close(tpair *p) {
  if (p->a)
    p->a->ops->close(p->a);
  if (p->b)
    p->b->ops->close(p->b);
  free(p->rxmem);
}

/* pkt_to fills n packets of len bytes from 127.0.0.1 (an explicit source:
 * the control data every send carries) to the transport `to`; byte k of
 * packet i is i + k. */
static void pkt_to(io_pkt *pk, uint8_t *mem, size_t n, size_t len,
                   const io_transport *to) {
  for (size_t i = 0; i < n; i++) {
    memset(&pk[i], 0, sizeof pk[i]);
    pk[i].buf = mem + i * len;
    pk[i].len = len;
    for (size_t k = 0; k < len; k++)
      pk[i].buf[k] = (uint8_t)(i + k);
    pk[i].peer.family = CSCTP_AF_INET;
    inet_pton(AF_INET, "127.0.0.1", pk[i].peer.ip);
    pk[i].peer.port = to->udp_port;
    pk[i].local = pk[i].peer;
    pk[i].local.port = 0;
  }
}

/* recv_one waits for t's socket and calls recv once; returns its result and
 * stores the recvmmsg calls it made in *calls. */
static int recv_one(tpair *p, io_transport *t, unsigned *calls) {
  struct pollfd pf = {t->fds[0], POLLIN, 0};
  if (poll(&pf, 1, 2000) != 1)
    return -1;
  unsigned before = recv_calls;
  int n = t->ops->recv(t, 0, p->rx, IO_BATCH);
  *calls = recv_calls - before;
  return n;
}

/* check_pkt: received packet r is packet i of pkt_to (len bytes). */
static int check_pkt(const io_pkt *r, size_t i, size_t len) {
  if (r->len != len)
    return 0;
  for (size_t k = 0; k < len; k++)
    if (r->buf[k] != (uint8_t)(i + k))
      return 0;
  return 1;
}

#if IO_HAVE_MMSG
/* A lone packet leaves and arrives the same way with offload on and off. */
static void test_lone_packet_same_calls(void) {
  enum { LEN = 100 };
  static uint8_t mem[4 * LEN];
  sent_rec rec[2];
  unsigned rcalls[2];
  const char *envs[2] = {"1", "0"};
  for (int m = 0; m < 2; m++) {
    tpair p;
    REQUIRE(tpair_open(&p, envs[m]) == 0);
    io_pkt pk[1];
    pkt_to(pk, mem, 1, LEN, p.b);
    memset(&last_send, 0, sizeof last_send);
    CHECK_EQ(p.a->ops->send(p.a, pk, 1), 1);
    rec[m] = last_send;
    CHECK_EQ(rec[m].calls, 1);
    CHECK_EQ(rec[m].vlen, 1);
    CHECK_EQ(rec[m].iovlen, 1);
    CHECK_EQ(rec[m].bytes, LEN);
    CHECK_EQ(rec[m].segment, -1); /* no UDP_SEGMENT for one packet */
    CHECK_EQ(p.a->stats.gso_sends, 0);
    /* One recvmmsg takes it, whole, and nothing is held back (GRO on for
     * m == 0 where the kernel has it). */
    CHECK_EQ(recv_one(&p, p.b, &rcalls[m]), 1);
    CHECK_EQ(rcalls[m], 1);
    CHECK(check_pkt(&p.rx[0], 0, LEN));
    CHECK_EQ(p.rx[0].peer.port, p.a->udp_port);
    CHECK_EQ(p.b->rx_pending, 0);
    CHECK_EQ(p.b->stats.gro_recvs + p.b->stats.gro_pkts, 0);
    tpair_close(&p);
  }
  /* The same datagram description with offload on as off: the source
   * address control message alone, byte for byte. */
  CHECK(rec[0].controllen > 0);
  CHECK_EQ(rec[0].controllen, rec[1].controllen);
  CHECK_MEM(rec[0].control, rec[1].control, CTL_MAX);
  CHECK_EQ(rcalls[0], rcalls[1]);
}

/* A run of equal packets to one destination is one UDP_SEGMENT datagram
 * with offload on (the kernel permitting), and arrives as the same packets
 * in order. */
static void test_run_is_segmented(void) {
  enum { N = 4, LEN = 100 };
  static uint8_t mem[N * LEN];
  int have = kernel_has_gso();
  tpair p;
  REQUIRE(tpair_open(&p, "1") == 0);
  io_pkt pk[N];
  pkt_to(pk, mem, N, LEN, p.b);
  memset(&last_send, 0, sizeof last_send);
  CHECK_EQ(p.a->ops->send(p.a, pk, N), N);
  if (have) {
    CHECK_EQ(last_send.calls, 1);
    CHECK_EQ(last_send.vlen, 1);
    CHECK_EQ(last_send.iovlen, N);
    CHECK_EQ(last_send.segment, LEN);
    CHECK_EQ(p.a->stats.gso_sends, 1);
    CHECK_EQ(p.a->stats.gso_pkts, N);
  } else {
    printf("test_run_is_segmented: the kernel lacks UDP_SEGMENT; checked "
           "the fallback (one datagram per packet) only\n");
    CHECK_EQ(last_send.segment, -1);
    CHECK_EQ(p.a->stats.gso_sends, 0);
  }
  size_t got = 0;
  unsigned calls;
  while (got < N) {
    int n = recv_one(&p, p.b, &calls);
    REQUIRE(n > 0);
    for (int i = 0; i < n; i++)
      CHECK(check_pkt(&p.rx[i], got + (size_t)i, LEN));
    got += (size_t)n;
  }
  CHECK_EQ(got, N);
  CHECK_EQ(p.b->rx_pending, 0);
  tpair_close(&p);
}

/* Receives reuse their headers: after a lone datagram (the kernel
 * shortened its name and control room to what it stored) or a send (which
 * used the same headers), a coalesced run still brings its UDP_GRO segment
 * size along and is split, whole packets arrive whole, and they still
 * carry their destination address (PKTINFO). */
static void test_headers_reused(void) {
  enum { N = 4, LEN = 120 };
  static uint8_t mem[N * LEN];
  tpair p;
  REQUIRE(tpair_open(&p, "1") == 0);
  io_pkt pk[N];
  unsigned calls;
  for (int round = 0; round < 3; round++) {
    pkt_to(pk, mem, N, LEN, p.b);
    CHECK_EQ(p.a->ops->send(p.a, pk, 1), 1); /* alone */
    CHECK_EQ(recv_one(&p, p.b, &calls), 1);
    CHECK(check_pkt(&p.rx[0], 0, LEN));
    CHECK_EQ(p.rx[0].local.family, CSCTP_AF_INET);
    CHECK_EQ(p.a->ops->send(p.a, pk, N), N); /* a run */
    size_t got = 0;
    while (got < N) {
      int n = recv_one(&p, p.b, &calls);
      REQUIRE(n > 0);
      for (int i = 0; i < n; i++) {
        CHECK(check_pkt(&p.rx[i], got + (size_t)i, LEN));
        CHECK_EQ(p.rx[i].local.family, CSCTP_AF_INET);
        CHECK_EQ(p.rx[i].peer.port, p.a->udp_port);
      }
      got += (size_t)n;
    }
    CHECK_EQ(got, N);
    /* B answers with a run of shorter packets (its headers serve a send
     * in between); A takes them. */
    io_pkt back[N - 1];
    pkt_to(back, mem, N - 1, LEN / 2, p.a);
    CHECK_EQ(p.b->ops->send(p.b, back, N - 1), N - 1);
    for (got = 0; got < N - 1;) {
      int n = recv_one(&p, p.a, &calls);
      REQUIRE(n > 0);
      for (int i = 0; i < n; i++)
        CHECK(check_pkt(&p.rx[i], got + (size_t)i, LEN / 2));
      got += (size_t)n;
    }
  }
  if (kernel_has_gso())
    CHECK(p.b->stats.gro_recvs >= 1); /* the runs came coalesced */
  tpair_close(&p);
}

/* Two lone packets in one send call (to one destination, different
 * lengths: no run) leave as two plain datagrams in one sendmmsg. */
static void test_unequal_packets_not_segmented(void) {
  enum { LEN = 100 };
  static uint8_t mem[2 * LEN];
  tpair p;
  REQUIRE(tpair_open(&p, "1") == 0);
  io_pkt pk[2];
  pkt_to(pk, mem, 2, LEN, p.b);
  pk[0].len = LEN / 2; /* shorter first: the run ends after it */
  memset(&last_send, 0, sizeof last_send);
  CHECK_EQ(p.a->ops->send(p.a, pk, 2), 2);
  CHECK_EQ(last_send.calls, 1);
  CHECK_EQ(last_send.vlen, 2);
  CHECK_EQ(last_send.iovlen, 1);
  CHECK_EQ(last_send.segment, -1);
  CHECK_EQ(p.a->stats.gso_sends, 0);
  tpair_close(&p);
}
#else
/* The portable build (make IO_POLL=1: sendmmsg / recvmmsg emulated by a
 * sendmsg / recvmsg per entry, so the interposers above see nothing; on
 * Linux the UDP_SEGMENT / UDP_GRO control data still applies). With
 * offload on, a lone packet is sent without segmentation and a run of
 * equal packets arrives as the same packets, in order; with it off,
 * neither side counts any offload. */
static void test_portable_per_datagram(void) {
  enum { N = 4, LEN = 100 };
  static uint8_t mem[N * LEN];
  const char *envs[2] = {"1", "0"};
  for (int m = 0; m < 2; m++) {
    tpair p;
    REQUIRE(tpair_open(&p, envs[m]) == 0);
    io_pkt pk[N];
    pkt_to(pk, mem, 1, LEN, p.b);
    CHECK_EQ(p.a->ops->send(p.a, pk, 1), 1);
    CHECK_EQ(p.a->stats.gso_sends, 0); /* no UDP_SEGMENT for one packet */
    unsigned calls;
    CHECK_EQ(recv_one(&p, p.b, &calls), 1);
    CHECK(check_pkt(&p.rx[0], 0, LEN));
    pkt_to(pk, mem, N, LEN, p.b);
    CHECK_EQ(p.a->ops->send(p.a, pk, N), N);
    size_t got = 0;
    int n;
    while (got < N && (n = recv_one(&p, p.b, &calls)) > 0) {
      for (int i = 0; i < n; i++)
        CHECK(check_pkt(&p.rx[i], got + (size_t)i, LEN));
      got += (size_t)n;
    }
    CHECK_EQ(got, N);
    if (m == 1) {
      CHECK_EQ(p.a->stats.gso_sends, 0);
      CHECK_EQ(p.b->stats.gro_recvs + p.b->stats.gro_pkts, 0);
    }
    tpair_close(&p);
  }
}
#endif /* IO_HAVE_MMSG */
#endif /* __linux__ */

int main(void) {
#if defined(__linux__) && IO_HAVE_MMSG
  TEST_RUN(test_lone_packet_same_calls);
  TEST_RUN(test_run_is_segmented);
  TEST_RUN(test_unequal_packets_not_segmented);
  TEST_RUN(test_headers_reused);
#elif defined(__linux__)
  TEST_RUN(test_portable_per_datagram);
#endif
  return TEST_SUMMARY();
}
