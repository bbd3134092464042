/* test_ready.c -- readiness without file descriptors: the stack's ready
 * list (csctp_stack_set_ready_list / csctp_stack_poll_ready), checked
 * against the contract in csctp_io.h: a side is listed when it was armed
 * (at creation, by an -EAGAIN) and may have become ready, once until
 * polled; a closed socket leaves the list. Two stacks over loopback. */
#include "config.h"

#include "csctp_io.h"
#include "stackfds.h"
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>

static csctp_stack *new_stack(void) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.settings.rcvbuf = 64 * 1024;
  cfg.settings.sndbuf = 64 * 1024;
  csctp_stack *st = NULL;
  return csctp_stack_new(&st, &cfg) == 0 ? st : NULL;
}

static void pump(csctp_stack *a, csctp_stack *b, int rounds) {
  for (int i = 0; i < rounds; i++) {
    struct pollfd p[8];
    int n = 0;
    add_stack_fds(p, &n, a);
    add_stack_fds(p, &n, b);
    (void)poll(p, (nfds_t)n, 2);
    CHECK_EQ(csctp_stack_step(a), 0);
    CHECK_EQ(csctp_stack_step(b), 0);
  }
}

/* ready_of polls st's list and returns the sides listed for s (0: none),
 * checking that each entry carries its socket's user value. */
static int ready_of(csctp_stack *st, csctp_sock *s) {
  csctp_ready r[16];
  int which = 0;
  size_t n, total = 0;
  /* csctp_stack_ready_count: the number of sockets listed, read without a
   * call; 0 once they are all polled. */
  const unsigned *count = csctp_stack_ready_count(st);
  CHECK(count != NULL);
  if (!count)
    return 0;
  unsigned listed = *count;
  while ((n = csctp_stack_poll_ready(st, r, 16)) > 0) {
    total += n;
    for (size_t i = 0; i < n; i++) {
      CHECK(r[i].user == (void *)r[i].sock);
      if (r[i].sock == s)
        which |= r[i].which;
    }
  }
  CHECK_EQ(total, (size_t)listed);
  CHECK_EQ(*count, 0u);
  return which;
}

static void test_ready_list(void) {
  csctp_stack *a = new_stack(), *b = new_stack();
  REQUIRE(a && b);
  csctp_stack_set_ready_list(a, 1);
  csctp_stack_set_ready_list(b, 1);
  csctp_sock *lsn, *cli, *srv = NULL;
  REQUIRE(csctp_socket(a, AF_INET, CSCTP_SOCK_STREAM, &lsn) == 0);
  csctp_sock_set_user(lsn, lsn);
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(5400);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(csctp_bindx(lsn, (struct sockaddr *)&la, 1) == 0);
  REQUIRE(csctp_listen(lsn, 4) == 0);
  REQUIRE(csctp_socket(b, AF_INET, CSCTP_SOCK_STREAM, &cli) == 0);
  csctp_sock_set_user(cli, cli);
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = csctp_stack_udp_port(a);
  REQUIRE(csctp_setsockopt(cli, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u,
                           sizeof u) == 0);
  REQUIRE(csctp_connectx(cli, (struct sockaddr *)&la, 1, NULL) == -EINPROGRESS);
  /* The connect completing is the client's write side; the association to
   * accept is the listener's read side. */
  int cw = 0, lr = 0;
  for (int i = 0; i < 500 && !(cw && lr); i++) {
    pump(a, b, 1);
    cw |= ready_of(b, cli) & CSCTP_READY_WRITE;
    lr |= ready_of(a, lsn) & CSCTP_READY_READ;
  }
  CHECK(cw);
  CHECK(lr);
  REQUIRE(csctp_accept(lsn, &srv, NULL, NULL) == 0);
  csctp_sock_set_user(srv, srv);

  /* Read side: armed at creation; data makes it listed once. (Its write
   * side, armed at creation too, may be listed beside it.) */
  char buf[2048];
  struct iovec iov = {buf, 100};
  memset(buf, 'r', sizeof buf);
  CHECK_EQ(csctp_sendv(cli, &iov, 1, NULL, NULL, 0), 100);
  int sr = 0;
  for (int i = 0; i < 500 && !sr; i++) {
    pump(a, b, 1);
    sr = ready_of(a, srv) & CSCTP_READY_READ;
  }
  CHECK(sr);
  /* Not armed again until a read returns -EAGAIN: more data, no entry. */
  CHECK_EQ(csctp_sendv(cli, &iov, 1, NULL, NULL, 0), 100);
  pump(a, b, 20);
  CHECK_EQ(ready_of(a, srv) & CSCTP_READY_READ, 0);
  struct iovec rv = {buf, sizeof buf};
  int got = 0;
  while (csctp_recvv(srv, &rv, 1, NULL, NULL, NULL, NULL) > 0)
    got++;
  CHECK_EQ(got, 2);
  /* Re-armed by the -EAGAIN: the next message lists it again. */
  CHECK_EQ(csctp_sendv(cli, &iov, 1, NULL, NULL, 0), 100);
  sr = 0;
  for (int i = 0; i < 500 && !sr; i++) {
    pump(a, b, 1);
    sr = ready_of(a, srv) & CSCTP_READY_READ;
  }
  CHECK(sr);
  while (csctp_recvv(srv, &rv, 1, NULL, NULL, NULL, NULL) > 0)
    ;

  /* Write side: fill the client's send buffer to -EAGAIN (arms it); the
   * server reading makes room and the client is listed for writing. */
  struct iovec big = {buf, sizeof buf};
  int sent = 0;
  while (csctp_sendv(cli, &big, 1, NULL, NULL, 0) > 0)
    sent++;
  CHECK(sent > 0);
  CHECK_EQ(ready_of(b, cli) & CSCTP_READY_WRITE, 0);
  int w = 0;
  for (int i = 0; i < 2000 && !w; i++) {
    while (csctp_recvv(srv, &rv, 1, NULL, NULL, NULL, NULL) > 0)
      ;
    pump(a, b, 1);
    w = ready_of(b, cli) & CSCTP_READY_WRITE;
  }
  CHECK(w);

  /* A socket signalled and then closed leaves the list. */
  CHECK_EQ(csctp_sendv(cli, &iov, 1, NULL, NULL, 0), 100);
  while (csctp_recvv(srv, &rv, 1, NULL, NULL, NULL, NULL) > 0)
    ;
  pump(a, b, 30);
  csctp_close(srv);
  csctp_ready r[16];
  size_t n = csctp_stack_poll_ready(a, r, 16);
  for (size_t i = 0; i < n; i++)
    CHECK(r[i].sock != srv);

  /* Switched off: nothing is listed. */
  csctp_stack_set_ready_list(b, 0);
  csctp_close(cli);
  pump(a, b, 10);
  CHECK_EQ(csctp_stack_poll_ready(b, r, 16), 0);
  CHECK_EQ(*csctp_stack_ready_count(b), 0u);
  CHECK(csctp_stack_ready_count(NULL) == NULL);
  csctp_close(lsn);
  csctp_stack_del(a);
  csctp_stack_del(b);
}

int main(void) {
  TEST_RUN(test_ready_list);
  return TEST_SUMMARY();
}
