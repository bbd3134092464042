/* test_conn.c -- the lower layer the application carries
 * (CSCTP_TRANSPORT_CONN, io_conn.c): two stacks in one process whose
 * packets go through their conn_output callbacks into in-memory queues and
 * from there into the other stack's csctp_conn_input, as a DTLS connection
 * (RFC 8261) would carry them. Checks RFC 8261 6.1 (no IP addresses in
 * INIT / INIT ACK) and zero checksum over it (RFC 9653). */
#include "config.h"

#include "crc32c.h"
#include "csctp_io.h"
#include "stackfds.h"
#include "test.h"

#include "../chunk.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>

/* ---- The link: a queue of packets per direction ------------------------ */

#define LQ_MAX 4096

typedef struct lpkt {
  void *handle; /* what conn_output was given */
  size_t len;
  uint8_t *buf;
} lpkt;

typedef struct lqueue {
  lpkt q[LQ_MAX];
  size_t head, n;
  size_t dropped;
  /* Everything sent, for the checks on the wire format. */
  size_t nsent;
  uint8_t first_chunk[LQ_MAX];
  uint32_t checksum[LQ_MAX];
  uint8_t crc_ok[LQ_MAX];
  uint8_t has_data[LQ_MAX];
  uint8_t *init_copy; /* the first INIT or INIT ACK it carried */
  size_t init_len;
} lqueue;

static int lq_output(void *ud, void *handle, const uint8_t *pkt, size_t len) {
  lqueue *q = ud;
  if (q->nsent < LQ_MAX) {
    size_t i = q->nsent++;
    q->first_chunk[i] = len > 12 ? pkt[12] : 0xff;
    q->checksum[i] = csctp_get32(pkt + 8);
    q->crc_ok[i] = (uint8_t)csctp_sctp_checksum_ok(pkt, len);
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, pkt + 12, len - 12);
    while (csctp_chunk_next(&it, &c) == 1)
      q->has_data[i] |= c.type == CSCTP_CT_DATA;
    if (!q->init_copy &&
        (pkt[12] == CSCTP_CT_INIT || pkt[12] == CSCTP_CT_INIT_ACK)) {
      q->init_copy = malloc(len);
      if (q->init_copy) {
        memcpy(q->init_copy, pkt, len);
        q->init_len = len;
      }
    }
  }
  if (q->n == LQ_MAX) {
    q->dropped++;
    return -1;
  }
  lpkt *p = &q->q[(q->head + q->n) % LQ_MAX];
  p->buf = malloc(len);
  if (!p->buf)
    return -1;
  memcpy(p->buf, pkt, len);
  p->len = len;
  p->handle = handle;
  q->n++;
  return 0;
}

static void lq_free(lqueue *q) {
  while (q->n) {
    free(q->q[q->head].buf);
    q->head = (q->head + 1) % LQ_MAX;
    q->n--;
  }
  free(q->init_copy);
  q->init_copy = NULL;
}

/* Two stacks; a's connection to b is named by &link_ab at a, b's to a by
 * &link_ba at b. */
static int link_ab, link_ba;

typedef struct cpair {
  csctp_stack *a, *b;
  lqueue qa, qb; /* what a sent, what b sent */
  csctp_sock *lsn, *srv, *cli;
  int bad_handle;
} cpair;

/* set_edmid: settings.zero_checksum_edmid as well as conn_edmid (else
 * sockets may turn it on with CSCTP_OPT_ACCEPT_ZERO_CHECKSUM). */
static int set_edmid = 1;

static csctp_stack *conn_stack(lqueue *q, uint32_t edmid) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.transport = CSCTP_TRANSPORT_CONN;
  cfg.conn_output = lq_output;
  cfg.conn_user_data = q;
  cfg.conn_edmid = edmid;
  cfg.settings.zero_checksum_edmid = set_edmid ? edmid : 0;
  cfg.settings.pmtu = 1200;
  csctp_stack *st = NULL;
  int r = csctp_stack_new(&st, &cfg);
  if (r != 0)
    fprintf(stderr, "csctp_stack_new: %s\n", csctp_strerror(r));
  return st;
}

/* Moves queued packets across (each side's to the other's input). */
static int deliver(cpair *p) {
  int moved = 0;
  for (int round = 0; round < 64; round++) {
    int any = 0;
    while (p->qa.n) {
      lpkt *k = &p->qa.q[p->qa.head];
      p->qa.head = (p->qa.head + 1) % LQ_MAX;
      p->qa.n--;
      p->bad_handle |= k->handle != &link_ab;
      CHECK_EQ(csctp_conn_input(p->b, &link_ba, k->buf, k->len), 0);
      free(k->buf);
      any = 1;
      moved++;
    }
    while (p->qb.n) {
      lpkt *k = &p->qb.q[p->qb.head];
      p->qb.head = (p->qb.head + 1) % LQ_MAX;
      p->qb.n--;
      p->bad_handle |= k->handle != &link_ba;
      CHECK_EQ(csctp_conn_input(p->a, &link_ab, k->buf, k->len), 0);
      free(k->buf);
      any = 1;
      moved++;
    }
    if (!any)
      break;
  }
  return moved;
}

/* pump delivers, then waits up to 2 ms for timers and steps both. */
static void pump(cpair *p) {
  deliver(p);
  struct pollfd fds[8];
  int n = 0;
  add_stack_fds(fds, &n, p->a);
  add_stack_fds(fds, &n, p->b);
  int t = csctp_stack_timeout(p->a), tb = csctp_stack_timeout(p->b);
  if (t < 0 || (tb >= 0 && tb < t))
    t = tb;
  if (t < 0 || t > 2)
    t = 2;
  (void)poll(fds, (nfds_t)n, t);
  CHECK_EQ(csctp_stack_step(p->a), 0);
  CHECK_EQ(csctp_stack_step(p->b), 0);
  deliver(p);
}

#define PUMP_UNTIL(ok, p, cond, ms)                                            \
  do {                                                                         \
    csctp_tstamp end_ = csctp_now() + (csctp_tstamp)(ms)*CSCTP_MILLISECONDS;   \
    (ok) = 0;                                                                  \
    for (;;) {                                                                 \
      if (cond) {                                                              \
        (ok) = 1;                                                              \
        break;                                                                 \
      }                                                                        \
      if (csctp_now() > end_)                                                  \
        break;                                                                 \
      pump(p);                                                                 \
    }                                                                          \
  } while (0)

static struct csctp_sockaddr_conn sconn(void *handle, uint16_t port) {
  struct csctp_sockaddr_conn a;
  memset(&a, 0, sizeof a);
  a.sconn_family = CSCTP_AF_CONN;
  a.sconn_port = htons(port);
  a.sconn_addr = handle;
  return a;
}

/* A one-to-one association over the link: listener and accepted socket on
 * a (SCTP port 5000), client on b. */
static int cpair_open(cpair *p, uint32_t edmid_a, uint32_t edmid_b) {
  memset(p, 0, sizeof *p);
  p->a = conn_stack(&p->qa, edmid_a);
  p->b = conn_stack(&p->qb, edmid_b);
  if (!p->a || !p->b)
    return 0;
  if (csctp_socket(p->a, CSCTP_AF_CONN, CSCTP_SOCK_STREAM, &p->lsn) != 0)
    return 0;
  if (!set_edmid && edmid_a) { /* RFC 9653 7.1, before the association */
    uint32_t v = edmid_a;
    CHECK_EQ(
        csctp_setsockopt(p->lsn, CSCTP_OPT_ACCEPT_ZERO_CHECKSUM, &v, sizeof v),
        0);
  }
  struct csctp_sockaddr_conn la = sconn(&link_ab, 5000);
  if (csctp_bindx(p->lsn, (struct sockaddr *)&la, 1) != 0 ||
      csctp_listen(p->lsn, 4) != 0)
    return 0;
  if (csctp_socket(p->b, CSCTP_AF_CONN, CSCTP_SOCK_STREAM, &p->cli) != 0)
    return 0;
  if (!set_edmid && edmid_b) {
    uint32_t v = edmid_b;
    CHECK_EQ(
        csctp_setsockopt(p->cli, CSCTP_OPT_ACCEPT_ZERO_CHECKSUM, &v, sizeof v),
        0);
  }
  struct csctp_sockaddr_conn ra = sconn(&link_ba, 5000);
  if (csctp_connectx(p->cli, (struct sockaddr *)&ra, 1, NULL) != -EINPROGRESS)
    return 0;
  int ok;
  PUMP_UNTIL(ok, p, (csctp_sock_poll(p->cli) & CSCTP_POLLOUT), 3000);
  if (!ok || csctp_sock_error(p->cli) != 0)
    return 0;
  PUMP_UNTIL(ok, p, (csctp_sock_poll(p->lsn) & CSCTP_POLLIN), 3000);
  if (!ok)
    return 0;
  struct sockaddr_storage peer;
  socklen_t plen = sizeof peer;
  if (csctp_accept(p->lsn, &p->srv, &peer, &plen) != 0)
    return 0;
  /* The peer's address is the connection it came over. */
  struct csctp_sockaddr_conn pc;
  memcpy(&pc, &peer, sizeof pc);
  CHECK_EQ(pc.sconn_family, CSCTP_AF_CONN);
  CHECK(pc.sconn_addr == &link_ab);
  CHECK_EQ(plen, sizeof(struct csctp_sockaddr_conn));
  return 1;
}

static void cpair_close(cpair *p) {
  csctp_close(p->cli);
  csctp_close(p->srv);
  csctp_close(p->lsn);
  csctp_stack_del(p->a);
  csctp_stack_del(p->b);
  lq_free(&p->qa);
  lq_free(&p->qb);
}

static csctp_ssize send_msg(csctp_sock *s, const void *buf, size_t len,
                            uint16_t sid, uint32_t ppid) {
  csctp_sndinfo si;
  memset(&si, 0, sizeof si);
  si.sid = sid;
  si.ppid = ppid;
  struct iovec iov = {(void *)buf, len};
  return csctp_sendv(s, &iov, 1, NULL, &si, 0);
}

static csctp_ssize recv_wait(cpair *p, csctp_sock *s, void *buf, size_t len,
                             csctp_rcvinfo *ri) {
  csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
  for (;;) {
    struct iovec iov = {buf, len};
    int flags = 0;
    csctp_ssize r = csctp_recvv(s, &iov, 1, NULL, NULL, ri, &flags);
    if (r != -EAGAIN || csctp_now() > end)
      return r;
    pump(p);
  }
}

/* Sends n messages on streams 0..3 each way and checks content, stream
 * and PPID on arrival. */
static void exchange(cpair *p, int n, size_t size) {
  uint8_t *buf = malloc(size), *rbuf = malloc(size + 16);
  REQUIRE(buf && rbuf);
  for (int dir = 0; dir < 2; dir++) {
    csctp_sock *from = dir ? p->srv : p->cli, *to = dir ? p->cli : p->srv;
    for (int i = 0; i < n; i++) {
      memset(buf, 'A' + (i + dir) % 26, size);
      csctp_ssize r;
      csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
      while ((r = send_msg(from, buf, size, (uint16_t)(i % 4),
                           (uint32_t)(100 + i))) == -EAGAIN &&
             csctp_now() < end)
        pump(p);
      CHECK_EQ(r, (long long)size);
    }
    uint32_t next_per_sid[4] = {0, 1, 2, 3};
    for (int i = 0; i < n; i++) {
      csctp_rcvinfo ri;
      memset(&ri, 0, sizeof ri);
      csctp_ssize r = recv_wait(p, to, rbuf, size + 16, &ri);
      REQUIRE(r == (csctp_ssize)size);
      REQUIRE(ri.sid < 4);
      int k = (int)next_per_sid[ri.sid];
      next_per_sid[ri.sid] += 4;
      CHECK_EQ(ri.ppid, 100 + k); /* in order per stream */
      memset(buf, 'A' + (k + dir) % 26, size);
      CHECK_MEM(rbuf, buf, size);
    }
  }
  free(buf);
  free(rbuf);
}

/* ---- Tests ------------------------------------------------------------- */

static void test_config(void) {
  csctp_stack_config cfg;
  csctp_stack *st = NULL;
  csctp_stack_config_default(&cfg);
  cfg.transport = CSCTP_TRANSPORT_CONN;
  CHECK_EQ(csctp_stack_new(&st, &cfg), CSCTP_ERR_INVAL); /* no output */
  lqueue *q = calloc(1, sizeof *q);
  REQUIRE(q);
  cfg.conn_output = lq_output;
  cfg.conn_user_data = q;
  /* RFC 9653: zero checksum needs a lower layer that says it protects. */
  cfg.settings.zero_checksum_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
  CHECK_EQ(csctp_stack_new(&st, &cfg), CSCTP_ERR_INVAL);
  cfg.conn_edmid = 2;
  CHECK_EQ(csctp_stack_new(&st, &cfg), CSCTP_ERR_INVAL);
  cfg.conn_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
  REQUIRE(csctp_stack_new(&st, &cfg) == 0);
  CHECK_EQ(csctp_stack_transport(st), CSCTP_TRANSPORT_CONN);
  csctp_sock *s = NULL;
  CHECK_EQ(csctp_socket(st, AF_INET, CSCTP_SOCK_STREAM, &s), -EAFNOSUPPORT);
  CHECK_EQ(csctp_socket(st, AF_INET6, CSCTP_SOCK_STREAM, &s), -EAFNOSUPPORT);
  REQUIRE(csctp_socket(st, CSCTP_AF_CONN, CSCTP_SOCK_STREAM, &s) == 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons(7);
  CHECK_EQ(csctp_bindx(s, (struct sockaddr *)&sin, 1), -EAFNOSUPPORT);
  struct csctp_sockaddr_conn none = sconn(NULL, 7);
  CHECK_EQ(csctp_connectx(s, (struct sockaddr *)&none, 1, NULL),
           CSCTP_ERR_INVAL); /* no connection to send over */
  /* Binding takes the port; the local "address" is the lower layer. */
  struct csctp_sockaddr_conn la = sconn(&link_ab, 7);
  CHECK_EQ(csctp_bindx(s, (struct sockaddr *)&la, 1), 0);
  struct sockaddr_storage ss[2];
  CHECK_EQ(csctp_getladdrs(s, ss, 2), 1);
  struct csctp_sockaddr_conn got;
  memcpy(&got, &ss[0], sizeof got);
  CHECK_EQ(got.sconn_family, CSCTP_AF_CONN);
  CHECK_EQ(ntohs(got.sconn_port), 7);
  uint8_t pkt[16] = {0};
  CHECK_EQ(csctp_conn_input(st, NULL, pkt, sizeof pkt), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_conn_input(st, &link_ab, NULL, 16), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_conn_input(st, &link_ab, pkt, 0), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_conn_input(NULL, &link_ab, pkt, 16), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_conn_input(st, &link_ab, pkt, 16), 0); /* bad sum: dropped */
  csctp_close(s);
  csctp_stack_del(st);
  /* Never over UDP (RFC 9653 6: the method is DTLS). */
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.settings.zero_checksum_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
  cfg.conn_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
  CHECK_EQ(csctp_stack_new(&st, &cfg), CSCTP_ERR_INVAL);
  cfg.settings.zero_checksum_edmid = 0;
  REQUIRE(csctp_stack_new(&st, &cfg) == 0);
  CHECK_EQ(csctp_conn_input(st, &link_ab, pkt, 16), CSCTP_ERR_INVAL);
  csctp_stack_del(st);
  lq_free(q);
  free(q);
}

static void test_echo_streams(void) {
  cpair *p = calloc(1, sizeof *p);
  REQUIRE(p);
  if (cpair_open(p, 0, 0)) {
    exchange(p, 40, 700);
    exchange(p, 4, 20000); /* fragmented */
    CHECK(!p->bad_handle);
    struct sockaddr_storage ss[2];
    CHECK_EQ(csctp_getpaddrs(p->cli, 0, ss, 2), 1);
    struct csctp_sockaddr_conn pc;
    memcpy(&pc, &ss[0], sizeof pc);
    CHECK_EQ(pc.sconn_family, CSCTP_AF_CONN);
    CHECK(pc.sconn_addr == &link_ba);
    CHECK_EQ(ntohs(pc.sconn_port), 5000);
    /* No zero checksum without the lower layer's say-so. */
    for (size_t i = 0; i < p->qa.nsent; i++)
      CHECK(p->qa.crc_ok[i]);
    for (size_t i = 0; i < p->qb.nsent; i++)
      CHECK(p->qb.crc_ok[i]);
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
}

/* walks the INIT / INIT ACK parameters: 1 when one of type t is there. */
static int init_has_param(const uint8_t *pkt, size_t len, uint16_t t,
                          uint32_t *value) {
  if (len < 12 + 20)
    return 0;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12 + 20, len - 12 - 20);
  while (csctp_param_next(&it, &c) == 1)
    if (c.type == t) {
      if (value && c.value_len >= 4)
        *value = csctp_get32(c.value);
      return 1;
    }
  return 0;
}

/* RFC 8261 6.1: no IPv4 / IPv6 Address parameters in INIT and INIT ACK,
 * no Supported Address Types in INIT. RFC 9653 5.1: the Zero Checksum
 * Acceptable parameter with EDMID 1 when zero checksum is on. */
static void test_init_lists_no_addresses(void) {
  cpair *p = calloc(1, sizeof *p);
  REQUIRE(p);
  if (cpair_open(p, CSCTP_EDMID_LOWER_LAYER_DTLS,
                 CSCTP_EDMID_LOWER_LAYER_DTLS)) {
    REQUIRE(p->qb.init_copy && p->qa.init_copy);
    CHECK_EQ(p->qb.init_copy[12], CSCTP_CT_INIT);
    CHECK_EQ(p->qa.init_copy[12], CSCTP_CT_INIT_ACK);
    for (int side = 0; side < 2; side++) {
      const uint8_t *k = side ? p->qa.init_copy : p->qb.init_copy;
      size_t len = side ? p->qa.init_len : p->qb.init_len;
      CHECK(!init_has_param(k, len, CSCTP_PT_IPV4, NULL));
      CHECK(!init_has_param(k, len, CSCTP_PT_IPV6, NULL));
      CHECK(!init_has_param(k, len, CSCTP_PT_SUPPORTED_ADDR_TYPES, NULL));
      uint32_t edmid = 0;
      CHECK(init_has_param(k, len, CSCTP_PT_ZERO_CHECKSUM, &edmid));
      CHECK_EQ(edmid, CSCTP_EDMID_LOWER_LAYER_DTLS);
      CHECK(csctp_sctp_checksum_ok(k, len)); /* 5.2 1a */
    }
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
}

/* RFC 9653 over the lower layer: both enable DTLS, so after the handshake
 * the packets carry checksum zero (5.2 SHOULD) and are accepted (5.3);
 * the COOKIE ECHO still has its CRC32c (5.2 2). Data arrives intact. */
static void test_zero_checksum(void) {
  cpair *p = calloc(1, sizeof *p);
  REQUIRE(p);
  if (cpair_open(p, CSCTP_EDMID_LOWER_LAYER_DTLS,
                 CSCTP_EDMID_LOWER_LAYER_DTLS)) {
    exchange(p, 24, 3000);
    size_t zero_data[2] = {0, 0}, cookie_echo = 0;
    for (int side = 0; side < 2; side++) {
      lqueue *q = side ? &p->qb : &p->qa;
      for (size_t i = 0; i < q->nsent; i++) {
        if (q->first_chunk[i] == CSCTP_CT_COOKIE_ECHO) {
          cookie_echo++;
          CHECK(q->crc_ok[i] && q->checksum[i] != 0);
        }
        if (q->first_chunk[i] == CSCTP_CT_INIT)
          CHECK(q->crc_ok[i]);
        if (q->has_data[i] && q->first_chunk[i] != CSCTP_CT_COOKIE_ECHO) {
          CHECK_EQ(q->checksum[i], 0);
          zero_data[side] += q->checksum[i] == 0;
        }
      }
    }
    CHECK_EQ(cookie_echo, 1);
    CHECK(zero_data[0] >= 24 && zero_data[1] >= 24);
    csctp_stack_stats sa;
    csctp_stack_stats_get(p->a, &sa);
    CHECK(sa.dgrams_in >= 48);
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
  /* Only one side's lower layer allows it: CRC32c everywhere (5.2 1). */
  p = calloc(1, sizeof *p);
  REQUIRE(p);
  if (cpair_open(p, CSCTP_EDMID_LOWER_LAYER_DTLS, 0)) {
    exchange(p, 8, 1000);
    for (size_t i = 0; i < p->qa.nsent; i++)
      CHECK(p->qa.crc_ok[i]);
    for (size_t i = 0; i < p->qb.nsent; i++)
      CHECK(p->qb.crc_ok[i]);
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
}

/* RFC 9653 7.1: the socket option turns zero checksum on for future
 * associations, only for the method the lower layer provides. */
static void test_sockopt(void) {
  cpair *p = calloc(1, sizeof *p);
  REQUIRE(p);
  set_edmid = 0;
  int ok =
      cpair_open(p, CSCTP_EDMID_LOWER_LAYER_DTLS, CSCTP_EDMID_LOWER_LAYER_DTLS);
  set_edmid = 1;
  if (ok) {
    exchange(p, 8, 2000);
    size_t zero = 0;
    for (size_t i = 0; i < p->qb.nsent; i++)
      zero += p->qb.has_data[i] && p->qb.checksum[i] == 0;
    CHECK(zero >= 8);
    uint32_t v = 2; /* not the lower layer's method */
    CHECK_EQ(
        csctp_setsockopt(p->srv, CSCTP_OPT_ACCEPT_ZERO_CHECKSUM, &v, sizeof v),
        CSCTP_ERR_INVAL);
    v = CSCTP_EDMID_NONE;
    CHECK_EQ(
        csctp_setsockopt(p->srv, CSCTP_OPT_ACCEPT_ZERO_CHECKSUM, &v, sizeof v),
        0);
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
  /* Over UDP: refused. */
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  csctp_stack *st = NULL;
  REQUIRE(csctp_stack_new(&st, &cfg) == 0);
  csctp_sock *s = NULL;
  if (csctp_socket(st, AF_INET, CSCTP_SOCK_STREAM, &s) == 0) {
    uint32_t v = CSCTP_EDMID_LOWER_LAYER_DTLS;
    CHECK_EQ(csctp_setsockopt(s, CSCTP_OPT_ACCEPT_ZERO_CHECKSUM, &v, sizeof v),
             CSCTP_ERR_INVAL);
    csctp_close(s);
  } else {
    CHECK(0);
  }
  csctp_stack_del(st);
}

/* Close on one side ends the association gracefully: the peer reads 0. */
static void test_close(void) {
  cpair *p = calloc(1, sizeof *p);
  REQUIRE(p);
  if (cpair_open(p, 0, 0)) {
    REQUIRE(send_msg(p->cli, "last words", 10, 1, 7) == 10);
    csctp_close(p->cli);
    p->cli = NULL;
    uint8_t buf[64];
    csctp_rcvinfo ri;
    CHECK_EQ(recv_wait(p, p->srv, buf, sizeof buf, &ri), 10);
    CHECK_MEM(buf, "last words", 10);
    CHECK_EQ(recv_wait(p, p->srv, buf, sizeof buf, &ri), 0);
    int ok;
    PUMP_UNTIL(ok, p, csctp_stack_closing(p->b) == 0, 3000);
    CHECK(ok);
  } else {
    CHECK(0);
  }
  cpair_close(p);
  free(p);
}

int main(void) {
  TEST_RUN(test_config);
  TEST_RUN(test_echo_streams);
  TEST_RUN(test_init_lists_no_addresses);
  TEST_RUN(test_zero_checksum);
  TEST_RUN(test_sockopt);
  TEST_RUN(test_close);
  return TEST_SUMMARY();
}
