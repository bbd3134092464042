/* test_eor.c -- explicit end of record (RFC 6458 8.1.26 SCTP_EXPLICIT_EOR),
 * written from the RFCs' words:
 *  - a message written in several sends is one message: one SSN, its
 *    fragments queued back to back (so they take consecutive TSNs, RFC
 *    9260 6.9), B on the first, E on the last, the bytes in order;
 *  - while a message is open, another stream's message cannot come between
 *    its fragments (refused, eor.h), and can once it ended;
 *  - end to end over two stacks: a 10 MiB message written in 64 KiB parts
 *    through a 256 KiB send buffer arrives as one message with the same
 *    SHA-256; without the option each send is a message (8.1.26: "each
 *    individual send system call is considered to have an SCTP_EOR"). */
#include "config.h"

#include "csctp.h"
#include "csctp_io.h"
#include "stackfds.h"
#include "test.h"

#include "../engine.h"
#include "../eor.h"
#include "../sendq.h"
#include "../sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* ---- The engine's queue ------------------------------------------------ */

typedef struct fake {
  csctp_endpoint ep;
  csctp_assoc a;
} fake;

static void fake_init(fake *f, uint32_t frag) {
  memset(f, 0, sizeof *f);
  f->ep.mem = *csctp_mem_default();
  f->a.ep = &f->ep;
  f->a.frag_point = frag;
  REQUIRE(csctp_sendq_init(&f->a.sq, &f->ep.mem, 4, 1000) == 0);
}

static void fake_free(fake *f) {
  csctp_eor_free(&f->a);
  csctp_sendq_free(&f->a.sq);
}

static csctp_sndinfo part(uint16_t sid, int more) {
  csctp_sndinfo si;
  memset(&si, 0, sizeof si);
  si.sid = sid;
  si.ppid = 7;
  si.flags = more ? CSCTP_SEND_MORE : 0;
  return si;
}

static void test_parts_one_message(void) {
  fake f;
  fake_init(&f, 100);
  uint8_t data[1000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 13 + 5);
  csctp_sndinfo more = part(1, 1), end = part(1, 0);
  /* 30 + 170 + 0 (more) + 250 + 50 (end) = 500 bytes in 5 fragments. */
  CHECK_EQ(csctp_eor_push(&f.a, &more, data, 30), 0);
  CHECK_EQ(f.a.sq.n_unsent, 0); /* the end is not known: held */
  CHECK_EQ(csctp_eor_held(&f.a), 30);
  CHECK_EQ(csctp_eor_push(&f.a, &more, data + 30, 170), 0);
  CHECK_EQ(csctp_eor_push(&f.a, &more, data + 200, 0), 0);
  CHECK_EQ(csctp_eor_push(&f.a, &more, data + 200, 250), 0);
  /* Another stream's message may not come between the fragments. */
  csctp_sndinfo other = part(2, 0);
  CHECK_EQ(csctp_eor_push(&f.a, &other, data, 10), CSCTP_ERR_INVAL);
  /* A part refuses a PR-SCTP policy. */
  csctp_sndinfo pr = more;
  pr.pr_policy = CSCTP_PR_SCTP_TTL;
  pr.pr_value = 10;
  CHECK_EQ(csctp_eor_push(&f.a, &pr, data, 10), CSCTP_ERR_INVAL);
  CHECK(csctp_eor_held(&f.a) >= 1);
  CHECK_EQ(csctp_eor_push(&f.a, &end, data + 450, 50), 0);
  CHECK_EQ(csctp_eor_held(&f.a), 0);
  CHECK(f.a.eor == NULL);
  /* RFC 9260 6.9: consecutive in the queue, one SSN, B first, E last. */
  uint8_t got[1000];
  size_t off = 0, n = 0;
  for (csctp_chunk_out *c = f.a.sq.unsent; c; c = c->next, n++) {
    CHECK_EQ(c->sid, 1);
    CHECK_EQ(c->ssn, 0);
    CHECK_EQ(c->msg->info.ppid, 7);
    CHECK_EQ(!!(c->flags & CSCTP_DATA_FLAG_B), n == 0);
    CHECK_EQ(!!(c->flags & CSCTP_DATA_FLAG_E), c->next == NULL);
    CHECK(c->len >= 1 && c->len <= 100);
    if (off + c->len <= sizeof got)
      memcpy(got + off, c->msg->data + c->off, c->len);
    off += c->len;
  }
  CHECK_EQ(off, 500);
  CHECK_EQ(n, 5);
  CHECK(memcmp(got, data, 500) == 0);
  CHECK_EQ(f.a.sq.next_ssn[1], 1); /* one message, one SSN */
  CHECK_EQ(f.a.sq.buffered, 500);
  /* Once it ended, another stream's message goes after it. */
  CHECK_EQ(csctp_eor_push(&f.a,
                          &(csctp_sndinfo){.sid = 2, .flags = CSCTP_SEND_MORE},
                          data, 10),
           0);
  CHECK_EQ(f.a.sq.unsent_tail->sid, 1); /* held, not yet queued */
  fake_free(&f);
}

static void test_empty_end_and_single(void) {
  fake f;
  fake_init(&f, 100);
  uint8_t data[300];
  memset(data, 'x', sizeof data);
  csctp_sndinfo more = part(0, 1), end = part(0, 0);
  /* An empty part cannot open a message. */
  CHECK_EQ(csctp_eor_push(&f.a, &end, data, 0), CSCTP_ERR_INVAL);
  /* 200 bytes, then an empty end: the held fragment gets the E bit. */
  CHECK_EQ(csctp_eor_push(&f.a, &more, data, 200), 0);
  CHECK_EQ(f.a.sq.n_unsent, 1);
  CHECK_EQ(csctp_eor_push(&f.a, &end, data, 0), 0);
  CHECK_EQ(f.a.sq.n_unsent, 2);
  CHECK_EQ(f.a.sq.unsent_tail->len, 100);
  CHECK(f.a.sq.unsent_tail->flags & CSCTP_DATA_FLAG_E);
  /* The next message takes the next SSN. */
  CHECK_EQ(csctp_eor_push(&f.a, &more, data, 50), 0);
  CHECK_EQ(csctp_eor_push(&f.a, &end, data, 20), 0);
  CHECK_EQ(f.a.sq.unsent_tail->ssn, 1);
  CHECK_EQ(f.a.sq.unsent_tail->len, 70);
  CHECK_EQ(f.a.sq.unsent_tail->flags & (CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E),
           CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E);
  /* MORE with EOF is a contradiction. */
  csctp_sndinfo bad = more;
  bad.flags |= CSCTP_SEND_EOF;
  CHECK_EQ(csctp_eor_push(&f.a, &bad, data, 5), CSCTP_ERR_INVAL);
  fake_free(&f);
}

/* ---- End to end over two stacks ----------------------------------------- */

static csctp_stack *new_stack(size_t sndbuf) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.settings.rcvbuf = 256 * 1024;
  cfg.settings.sndbuf = (uint32_t)sndbuf;
  csctp_stack *st = NULL;
  return csctp_stack_new(&st, &cfg) == 0 ? st : NULL;
}

static void pump(csctp_stack *a, csctp_stack *b) {
  struct pollfd p[8];
  int n = 0;
  add_stack_fds(p, &n, a);
  add_stack_fds(p, &n, b);
  (void)poll(p, (nfds_t)n, 1);
  csctp_stack_step(a);
  csctp_stack_step(b);
}

typedef struct conn {
  csctp_stack *a, *b;
  csctp_sock *lsn, *cli, *srv;
} conn;

static int conn_open(conn *c, size_t sndbuf) {
  memset(c, 0, sizeof *c);
  c->a = new_stack(256 * 1024);
  c->b = new_stack(sndbuf);
  if (!c->a || !c->b)
    return -1;
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(5410);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (csctp_socket(c->a, AF_INET, CSCTP_SOCK_STREAM, &c->lsn) != 0 ||
      csctp_bindx(c->lsn, (struct sockaddr *)&la, 1) != 0 ||
      csctp_listen(c->lsn, 4) != 0 ||
      csctp_socket(c->b, AF_INET, CSCTP_SOCK_STREAM, &c->cli) != 0)
    return -1;
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = csctp_stack_udp_port(c->a);
  if (csctp_setsockopt(c->cli, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u,
                       sizeof u) != 0 ||
      csctp_connectx(c->cli, (struct sockaddr *)&la, 1, NULL) != -EINPROGRESS)
    return -1;
  for (int i = 0; i < 2000 && !c->srv; i++) {
    pump(c->a, c->b);
    if (csctp_accept(c->lsn, &c->srv, NULL, NULL) != 0)
      c->srv = NULL;
  }
  for (int i = 0; i < 50; i++)
    pump(c->a, c->b); /* the COOKIE ACK reaches the client */
  return c->srv ? 0 : -1;
}

static void conn_close(conn *c) {
  if (c->srv)
    csctp_close(c->srv);
  if (c->cli)
    csctp_close(c->cli);
  if (c->lsn)
    csctp_close(c->lsn);
  if (c->a)
    csctp_stack_del(c->a);
  if (c->b)
    csctp_stack_del(c->b);
}

/* recv_all reads what is there; returns the bytes and sets *msgs to the
 * number of reads that carried CSCTP_RCV_EOR. */
static size_t recv_all(conn *c, uint8_t *buf, size_t room, csctp_sha256_ctx *h,
                       int *msgs) {
  size_t got = 0;
  for (;;) {
    struct iovec iov = {buf, room};
    csctp_rcvinfo ri;
    int flags = 0;
    csctp_ssize r = csctp_recvv(c->srv, &iov, 1, NULL, NULL, &ri, &flags);
    if (r <= 0)
      return got;
    if (h)
      csctp_sha256_update(h, buf, (size_t)r);
    got += (size_t)r;
    if (flags & CSCTP_MSG_EOR)
      (*msgs)++;
  }
}

static void test_big_message_small_buffer(void) {
  const size_t total = 10u << 20, partsz = 64u << 10;
  conn c;
  REQUIRE(conn_open(&c, 256 * 1024) == 0);
  int on = 1;
  REQUIRE(csctp_setsockopt(c.cli, CSCTP_OPT_EXPLICIT_EOR, &on, sizeof on) == 0);
  int v = 0;
  size_t vl = sizeof v;
  CHECK_EQ(csctp_getsockopt(c.cli, CSCTP_OPT_EXPLICIT_EOR, &v, &vl), 0);
  CHECK_EQ(v, 1);
  uint8_t *msg = malloc(total), *buf = malloc(128 * 1024);
  REQUIRE(msg && buf);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < total; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    msg[i] = (uint8_t)x;
  }
  uint8_t want[32], got_h[32];
  csctp_sha256(msg, total, want);
  csctp_sha256_ctx h;
  csctp_sha256_init(&h);
  size_t sent = 0, got = 0;
  int msgs = 0, eor_sent = 0, refused_other = 0;
  for (int it = 0; it < 200000 && (got < total || !eor_sent); it++) {
    if (sent < total || !eor_sent) {
      size_t n = total - sent < partsz ? total - sent : partsz;
      csctp_sndinfo si;
      memset(&si, 0, sizeof si);
      si.ppid = 51;
      /* The last part carries the end (RFC 6458 SCTP_EOR). */
      si.flags = sent + n == total ? CSCTP_SEND_EOR : 0;
      struct iovec iov = {msg + sent, n};
      csctp_ssize r = csctp_sendv(c.cli, &iov, 1, NULL, &si, 0);
      if (r > 0) {
        CHECK_EQ((size_t)r, n); /* a part is taken whole */
        sent += n;
        eor_sent = sent == total;
      } else {
        CHECK_EQ(r, -EAGAIN);
      }
      if (sent > 0 && !eor_sent && !refused_other) {
        /* Another stream while the message is open: refused. */
        si.sid = 1;
        si.flags = CSCTP_SEND_EOR;
        struct iovec o = {buf, 10};
        CHECK_EQ(csctp_sendv(c.cli, &o, 1, NULL, &si, 0), CSCTP_ERR_INVAL);
        refused_other = 1;
      }
    }
    pump(c.a, c.b);
    got += recv_all(&c, buf, 128 * 1024, &h, &msgs);
  }
  csctp_sha256_final(&h, got_h);
  CHECK_EQ(got, total);
  CHECK_EQ(msgs, 1); /* one message: CSCTP_MSG_EOR once, at its end */
  CHECK(memcmp(want, got_h, 32) == 0);
  CHECK(refused_other);
  free(msg);
  free(buf);
  conn_close(&c);
}

/* Without the option each send is a whole message (RFC 6458 8.1.26). */
static void test_implicit_eor(void) {
  conn c;
  REQUIRE(conn_open(&c, 256 * 1024) == 0);
  uint8_t buf[4096];
  memset(buf, 'm', sizeof buf);
  for (int i = 0; i < 3; i++) {
    struct iovec iov = {buf, 1000};
    CHECK_EQ(csctp_sendv(c.cli, &iov, 1, NULL, NULL, 0), 1000);
  }
  size_t got = 0;
  int msgs = 0;
  for (int i = 0; i < 500 && got < 3000; i++) {
    pump(c.a, c.b);
    got += recv_all(&c, buf, sizeof buf, NULL, &msgs);
  }
  CHECK_EQ(got, 3000);
  CHECK_EQ(msgs, 3);
  conn_close(&c);
}

int main(void) {
  TEST_RUN(test_parts_one_message);
  TEST_RUN(test_empty_end_and_single);
  TEST_RUN(test_big_message_small_buffer);
  TEST_RUN(test_implicit_eor);
  return TEST_SUMMARY();
}
