/* test_threads.c -- the threading contract of csctp_io.h: a stack and its
 * sockets are one unit used by one thread at a time (the caller holds one
 * lock around every call), and separate stacks share nothing, so each can
 * be driven by its own threads under its own lock (what go/sctp does when it
 * spreads conns over several stacks).
 *
 * Several associations, each with a writer and a reader thread at both
 * ends, all streaming at once on several streams, while a driver thread per
 * stack waits on the stack fd and steps. Every message carries its
 * association, stream and sequence number and a payload derived from them:
 * each must arrive exactly once, whole, in order per stream (RFC 9260 6.6:
 * ordered delivery within a stream), with its payload intact. Build it with
 * -fsanitize=thread to check that no state is shared outside the lock. */
#include "config.h"

#include "csctp_io.h"
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define TH_PAIRS 4
#define TH_STREAMS 3
#define TH_PER_STREAM 800 /* messages per stream per direction */
#define TH_MAX_LEN 1100
#define TH_HDR 12
#define TH_GIVE_UP_NS (60LL * 1000000000LL)

/* One stack with its caller lock and driver thread. */
typedef struct {
  csctp_stack *st;
  pthread_mutex_t mu;
  pthread_t drv;
  atomic_int stop;
  int fds[4]; /* csctp_stack_fds: the stack fd, or the transport sockets */
  int nfds;
} th_stack;

/* One end of an association: its socket and the stack it lives on. */
typedef struct {
  th_stack *ts;
  csctp_sock *s;
  int rfd, wfd; /* read and write event fds (taken under the lock) */
} th_end;

/* What one thread found wrong: how many errors, and the first. */
typedef struct {
  int errors;
  char first[160];
} th_err;

/* A direction: a writer on `from`, a reader on `to`, and what each found
 * (apart, so that the two threads write nothing in common). */
typedef struct {
  th_end *from, *to;
  int pair, dir;
  long received;
  th_err werr, rerr;
} th_flow;

static int64_t th_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *th_drive(void *arg) {
  th_stack *ts = arg;
  while (!atomic_load(&ts->stop)) {
    struct pollfd p[4];
    for (int i = 0; i < ts->nfds; i++)
      p[i] = (struct pollfd){ts->fds[i], POLLIN, 0};
    (void)poll(p, (nfds_t)ts->nfds, 1); /* 1 ms also covers the timers */
    pthread_mutex_lock(&ts->mu);
    int r = csctp_stack_step(ts->st);
    pthread_mutex_unlock(&ts->mu);
    if (r < 0) {
      fprintf(stderr, "step: %s\n", csctp_strerror(r));
      break;
    }
  }
  return NULL;
}

/* th_len and th_byte define every message from (pair, dir, sid, seq). */
static size_t th_len(int sid, uint32_t seq) {
  return TH_HDR + (seq * 7u + (unsigned)sid * 131u) % (TH_MAX_LEN - TH_HDR);
}

static uint8_t th_byte(const th_flow *f, int sid, uint32_t seq, size_t i) {
  return (uint8_t)(f->pair * 31 + f->dir * 17 + sid * 5 + seq + i);
}

static void th_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t th_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void th_fail(const th_flow *f, th_err *e, const char *what, long a,
                    long b) {
  if (e->errors++ == 0)
    snprintf(e->first, sizeof e->first, "pair %d dir %d: %s (%ld, %ld)",
             f->pair, f->dir, what, a, b);
}

/* th_wait_fd waits up to 10 ms for fd to become readable (fd -1: just
 * sleeps), outside every lock. */
static void th_wait_fd(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  (void)poll(&p, 1, 10);
}

static void *th_writer(void *arg) {
  th_flow *f = arg;
  th_end *e = f->from;
  uint8_t msg[TH_MAX_LEN];
  int64_t end = th_now() + TH_GIVE_UP_NS;
  for (uint32_t seq = 0; seq < TH_PER_STREAM; seq++) {
    for (int sid = 0; sid < TH_STREAMS; sid++) {
      size_t len = th_len(sid, seq);
      th_put32(msg, (uint32_t)f->pair);
      th_put32(msg + 4, (uint32_t)sid);
      th_put32(msg + 8, seq);
      for (size_t i = TH_HDR; i < len; i++)
        msg[i] = th_byte(f, sid, seq, i);
      csctp_sndinfo info;
      memset(&info, 0, sizeof info);
      info.sid = (uint16_t)sid;
      struct iovec iov = {msg, len};
      for (;;) {
        pthread_mutex_lock(&e->ts->mu);
        csctp_ssize r = csctp_sendv(e->s, &iov, 1, NULL, &info, 0);
        pthread_mutex_unlock(&e->ts->mu);
        if (r == (csctp_ssize)len)
          break;
        if (r != -EAGAIN || th_now() > end) {
          th_fail(f, &f->werr, "sendv", (long)r, (long)seq);
          return NULL;
        }
        th_wait_fd(e->wfd);
      }
    }
  }
  return NULL;
}

/* th_check checks one received message against what its writer sent next
 * on that stream. */
static void th_check(th_flow *f, const uint8_t *buf, csctp_ssize n,
                     const csctp_rcvinfo *ri, int flags, uint32_t *next) {
  if (!(flags & CSCTP_MSG_EOR) || (flags & CSCTP_MSG_NOTIFICATION) ||
      n < TH_HDR) {
    th_fail(f, &f->rerr, "not one whole data message", (long)n, flags);
    return;
  }
  int sid = (int)th_get32(buf + 4);
  uint32_t seq = th_get32(buf + 8);
  if ((int)th_get32(buf) != f->pair || sid >= TH_STREAMS || sid != ri->sid) {
    th_fail(f, &f->rerr, "wrong association or stream", (long)th_get32(buf),
            sid);
    return;
  }
  if (seq != next[sid]) {
    th_fail(f, &f->rerr, "out of order, lost or duplicated", (long)seq,
            (long)next[sid]);
    next[sid] = seq; /* resynchronise to count the rest */
  }
  next[sid]++;
  if ((size_t)n != th_len(sid, seq)) {
    th_fail(f, &f->rerr, "length", (long)n, (long)th_len(sid, seq));
    return;
  }
  for (size_t i = TH_HDR; i < (size_t)n; i++)
    if (buf[i] != th_byte(f, sid, seq, i)) {
      th_fail(f, &f->rerr, "payload", (long)seq, (long)i);
      return;
    }
}

static void *th_reader(void *arg) {
  th_flow *f = arg;
  th_end *e = f->to;
  uint8_t buf[TH_MAX_LEN + 64];
  uint32_t next[TH_STREAMS] = {0};
  const long want = (long)TH_STREAMS * TH_PER_STREAM;
  int64_t end = th_now() + TH_GIVE_UP_NS;
  while (f->received < want) {
    csctp_rcvinfo ri;
    int flags = 0;
    struct iovec iov = {buf, sizeof buf};
    pthread_mutex_lock(&e->ts->mu);
    csctp_ssize n = csctp_recvv(e->s, &iov, 1, NULL, NULL, &ri, &flags);
    pthread_mutex_unlock(&e->ts->mu);
    if (n == -EAGAIN) {
      if (th_now() > end) {
        th_fail(f, &f->rerr, "gave up waiting: received, wanted", f->received,
                want);
        return NULL;
      }
      th_wait_fd(e->rfd);
      continue;
    }
    if (n <= 0) {
      th_fail(f, &f->rerr, "recvv", (long)n, f->received);
      return NULL;
    }
    th_check(f, buf, n, &ri, flags, next);
    f->received++;
  }
  for (int sid = 0; sid < TH_STREAMS; sid++)
    if (next[sid] != TH_PER_STREAM)
      th_fail(f, &f->rerr, "stream count", (long)next[sid], sid);
  return NULL;
}

static int th_stack_open(th_stack *ts) {
  memset(ts, 0, sizeof *ts);
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  /* Small buffers: writers hit -EAGAIN and wait on their fds often. */
  cfg.settings.rcvbuf = 32 * 1024;
  cfg.settings.sndbuf = 32 * 1024;
  cfg.settings.num_ostreams = TH_STREAMS;
  if (csctp_stack_new(&ts->st, &cfg) != 0)
    return 0;
  ts->nfds = csctp_stack_fds(ts->st, ts->fds, 4);
  pthread_mutex_init(&ts->mu, NULL);
  atomic_init(&ts->stop, 0);
  return ts->nfds > 0 && ts->nfds <= 4;
}

static void th_end_fds(th_end *e) {
  pthread_mutex_lock(&e->ts->mu);
  e->rfd = csctp_sock_fd(e->s);
  e->wfd = csctp_sock_wfd(e->s);
  pthread_mutex_unlock(&e->ts->mu);
}

/* th_locked_poll reads csctp_sock_poll under the socket's stack lock. */
static int th_locked_poll(th_end *e) {
  pthread_mutex_lock(&e->ts->mu);
  int r = csctp_sock_poll(e->s);
  pthread_mutex_unlock(&e->ts->mu);
  return r;
}

/* th_connect sets up pair i while the drivers run: listener on ls, client
 * on cs. Every call is made under the lock of the stack it touches. */
static int th_connect(th_end *srv, th_end *cli, uint16_t port) {
  th_end lsn = {srv->ts, NULL, -1, -1};
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(port);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pthread_mutex_lock(&srv->ts->mu);
  int ok = csctp_socket(srv->ts->st, AF_INET, CSCTP_SOCK_STREAM, &lsn.s) == 0 &&
           csctp_bindx(lsn.s, (struct sockaddr *)&la, 1) == 0 &&
           csctp_listen(lsn.s, 4) == 0;
  uint16_t udp = csctp_stack_udp_port(srv->ts->st);
  pthread_mutex_unlock(&srv->ts->mu);
  if (!ok)
    return 0;
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = udp;
  pthread_mutex_lock(&cli->ts->mu);
  ok = csctp_socket(cli->ts->st, AF_INET, CSCTP_SOCK_STREAM, &cli->s) == 0 &&
       csctp_setsockopt(cli->s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u,
                        sizeof u) == 0 &&
       csctp_connectx(cli->s, (struct sockaddr *)&la, 1, NULL) == -EINPROGRESS;
  pthread_mutex_unlock(&cli->ts->mu);
  int64_t end = th_now() + 10000000000LL;
  while (ok && !(th_locked_poll(cli) & CSCTP_POLLOUT) && th_now() < end)
    th_wait_fd(-1);
  while (ok && !(th_locked_poll(&lsn) & CSCTP_POLLIN) && th_now() < end)
    th_wait_fd(-1);
  pthread_mutex_lock(&srv->ts->mu);
  ok = ok && csctp_accept(lsn.s, &srv->s, NULL, NULL) == 0;
  csctp_close(lsn.s);
  pthread_mutex_unlock(&srv->ts->mu);
  if (ok) {
    th_end_fds(srv);
    th_end_fds(cli);
  }
  return ok;
}

/* th_run streams both ways over TH_PAIRS associations; pair i has its
 * listener on stack i % nst and its client on stack (i + 1) % nst. */
static void th_run(int nst, uint16_t base_port) {
  th_stack ts[2];
  th_end srv[TH_PAIRS], cli[TH_PAIRS];
  th_flow fl[2 * TH_PAIRS];
  pthread_t th[4 * TH_PAIRS];
  int opened = 0, nth = 0;
  memset(srv, 0, sizeof srv);
  memset(cli, 0, sizeof cli);
  memset(fl, 0, sizeof fl);
  for (; opened < nst; opened++)
    if (!th_stack_open(&ts[opened]))
      break;
  CHECK_EQ(opened, nst);
  for (int i = 0; i < opened; i++)
    CHECK_EQ(pthread_create(&ts[i].drv, NULL, th_drive, &ts[i]), 0);
  int connected = 0;
  for (int i = 0; opened == nst && i < TH_PAIRS; i++) {
    srv[i].ts = &ts[i % nst];
    cli[i].ts = &ts[(i + 1) % nst];
    if (!th_connect(&srv[i], &cli[i], (uint16_t)(base_port + i)))
      break;
    connected++;
  }
  CHECK_EQ(connected, TH_PAIRS);
  if (connected == TH_PAIRS) {
    for (int i = 0; i < TH_PAIRS; i++) {
      fl[2 * i] = (th_flow){.from = &cli[i], .to = &srv[i], .pair = i};
      fl[2 * i + 1] =
          (th_flow){.from = &srv[i], .to = &cli[i], .pair = i, .dir = 1};
    }
    for (int i = 0; i < 2 * TH_PAIRS; i++) {
      CHECK_EQ(pthread_create(&th[nth++], NULL, th_reader, &fl[i]), 0);
      CHECK_EQ(pthread_create(&th[nth++], NULL, th_writer, &fl[i]), 0);
    }
    for (int i = 0; i < nth; i++)
      pthread_join(th[i], NULL);
    for (int i = 0; i < 2 * TH_PAIRS; i++) {
      const th_err *es[2] = {&fl[i].werr, &fl[i].rerr};
      for (int k = 0; k < 2; k++) {
        if (es[k]->errors)
          fprintf(stderr, "%s: %s (%d errors)\n", k ? "reader" : "writer",
                  es[k]->first, es[k]->errors);
        CHECK_EQ(es[k]->errors, 0);
      }
      CHECK_EQ(fl[i].received, (long)TH_STREAMS * TH_PER_STREAM);
    }
  }
  for (int i = 0; i < opened; i++) {
    atomic_store(&ts[i].stop, 1);
    pthread_join(ts[i].drv, NULL);
  }
  for (int i = 0; i < TH_PAIRS; i++) {
    if (cli[i].s)
      csctp_close(cli[i].s);
    if (srv[i].s)
      csctp_close(srv[i].s);
  }
  for (int i = 0; i < opened; i++) {
    csctp_stack_del(ts[i].st);
    pthread_mutex_destroy(&ts[i].mu);
  }
}

/* Every socket on one stack: writers, readers and the driver of eight
 * association ends all take the one lock. */
static void test_threads_one_stack(void) { th_run(1, 5710); }

/* Two stacks, each with its own lock and driver and no lock in common;
 * every association joins the two, so both stacks' threads run at once. */
static void test_threads_two_stacks(void) { th_run(2, 5720); }

int main(void) {
  TEST_RUN(test_threads_one_stack);
  TEST_RUN(test_threads_two_stacks);
  return TEST_SUMMARY();
}
