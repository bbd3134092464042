/* bench_hol.c -- `make bench-hol`: head-of-line blocking between streams,
 * with and without user message interleaving (RFC 8260 I-DATA).
 *
 * A client process sends 1 MiB messages on stream 0 and a 64-byte message
 * on stream 1 every 10 ms to a server process, over loopback UDP
 * encapsulation through the impairment relay (scripts/udp_relay.c: a
 * bottleneck of -r Mbit/s with a 64 kB drop-tail queue and 5 ms each way).
 * Three 1 MiB messages are queued at the start and one more every 100 ms
 * (at the default 100 Mbit/s the link carries one in about 85 ms, so the
 * big stream always has data waiting). The send and receive buffers (64
 * MiB) are large enough that the small messages never wait for buffer
 * space: what delays them is the data queued before them on the other
 * stream. The server timestamps each small message's arrival against the
 * send time it carries (same host, CLOCK_MONOTONIC).
 *
 * Prints one markdown table: latency of the small messages (p50, p99, max)
 * for DATA with first come first served, round robin and fair bandwidth
 * (message granularity: RFC 8260 3), and I-DATA with first come first
 * served (no interleaving: 3.1) and round robin (fragment granularity).
 * Round robin over DATA lets one small message pass per 1 MiB message
 * (RFC 8260 3.2 counts messages), so the small ones pile up.
 *
 * Usage: bench_hol [-d seconds per run] [-r Mbit/s] [-R path to udp_relay]
 */
#define _GNU_SOURCE
#include "csctp_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCTP_PORT 5400
#define BIG (1u << 20)
#define SMALL 64
#define BUFS (64 << 20)
#define MAXLAT 100000

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static csctp_stack *stack_new(uint16_t udp_port) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = udp_port;
  cfg.families = CSCTP_STACK_IPV4;
  csctp_stack *st = NULL;
  if (csctp_stack_new(&st, &cfg) != 0) {
    fprintf(stderr, "bench_hol: csctp_stack_new failed\n");
    exit(1);
  }
  return st;
}

static void stack_wait(csctp_stack *st, int max_ms) {
  struct pollfd p = {csctp_stack_fd(st), POLLIN, 0};
  int t = csctp_stack_timeout(st);
  if (t < 0 || t > max_ms)
    t = max_ms;
  (void)poll(&p, 1, t);
  (void)csctp_stack_step(st);
}

static void set_av(csctp_sock *s, int opt, uint32_t v) {
  csctp_assoc_value a;
  memset(&a, 0, sizeof a);
  a.value = v;
  if (csctp_setsockopt(s, opt, &a, sizeof a) != 0) {
    fprintf(stderr, "bench_hol: setsockopt %d failed\n", opt);
    exit(1);
  }
}

static void set_bufs(csctp_sock *s) {
  int b = BUFS;
  (void)csctp_setsockopt(s, CSCTP_OPT_SNDBUF, &b, sizeof b);
  (void)csctp_setsockopt(s, CSCTP_OPT_RCVBUF, &b, sizeof b);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* ---- Server: one run per connection; reports "n p50 p99 max" (µs). ----- */

static void server(uint16_t udp_port, int idata, int rep) {
  csctp_stack *st = stack_new(udp_port);
  csctp_sock *l, *s = NULL;
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(SCTP_PORT);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (csctp_socket(st, AF_INET, CSCTP_SOCK_STREAM, &l) != 0 ||
      csctp_bindx(l, (struct sockaddr *)&la, 1) != 0)
    exit(1);
  set_bufs(l);
  set_av(l, CSCTP_OPT_INTERLEAVING_SUPPORTED, (uint32_t)idata);
  if (csctp_listen(l, 1) != 0)
    exit(1);
  static uint64_t lat[MAXLAT];
  size_t n = 0;
  static uint8_t buf[BIG + 16];
  size_t have = 0;
  for (;;) {
    stack_wait(st, 10);
    if (!s && csctp_accept(l, &s, NULL, NULL) != 0)
      s = NULL;
    if (!s)
      continue;
    for (;;) {
      struct iovec v = {buf + have, sizeof buf - have};
      csctp_rcvinfo info;
      int fl = 0;
      csctp_ssize r = csctp_recvv(s, &v, 1, NULL, NULL, &info, &fl);
      if (r == 0)
        goto done; /* the client closed: the run is over */
      if (r < 0)
        break;
      have += (size_t)r;
      if (!(fl & CSCTP_MSG_EOR))
        continue;
      if (info.sid == 1 && have == SMALL && n < MAXLAT) {
        uint64_t t;
        memcpy(&t, buf, sizeof t);
        lat[n++] = now_ns() - t;
      }
      have = 0;
    }
  }
done:
  qsort(lat, n, sizeof lat[0], cmp_u64);
  char line[128];
  int k = snprintf(
      line, sizeof line, "%zu %.1f %.1f %.1f\n", n, n ? lat[n / 2] / 1e3 : 0.0,
      n ? lat[(n * 99 + 99) / 100 - 1] / 1e3 : 0.0, n ? lat[n - 1] / 1e3 : 0.0);
  if (write(rep, line, (size_t)k) != k)
    exit(1);
  csctp_close(s);
  csctp_close(l);
  csctp_stack_del(st);
  exit(0);
}

/* ---- Client ------------------------------------------------------------ */

static int client(uint16_t relay_port, int idata, uint32_t sched, double secs) {
  csctp_stack *st = stack_new(0);
  csctp_sock *s;
  if (csctp_socket(st, AF_INET, CSCTP_SOCK_STREAM, &s) != 0)
    return -1;
  set_bufs(s);
  set_av(s, CSCTP_OPT_INTERLEAVING_SUPPORTED, (uint32_t)idata);
  set_av(s, CSCTP_OPT_STREAM_SCHEDULER, sched);
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = relay_port;
  (void)csctp_setsockopt(s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(SCTP_PORT);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (csctp_connectx(s, (struct sockaddr *)&sa, 1, NULL) != -EINPROGRESS)
    return -1;
  for (int i = 0; i < 5000 && !(csctp_sock_poll(s) & CSCTP_POLLOUT); i++)
    stack_wait(st, 2);
  static uint8_t big[BIG];
  memset(big, 'b', sizeof big);
  uint64_t t0 = now_ns(), next_small = t0, next_big = t0;
  int queued_start = 0;
  while (now_ns() - t0 < (uint64_t)(secs * 1e9)) {
    uint64_t t = now_ns();
    if (queued_start < 3 || t >= next_big) {
      struct iovec v = {big, sizeof big};
      csctp_sndinfo si;
      memset(&si, 0, sizeof si);
      si.sid = 0;
      if (csctp_sendv(s, &v, 1, NULL, &si, 0) == (csctp_ssize)sizeof big) {
        if (queued_start < 3)
          queued_start++;
        else
          next_big += 100000000u;
      }
    }
    if (t >= next_small) {
      uint8_t m[SMALL] = {0};
      uint64_t ts = now_ns();
      memcpy(m, &ts, sizeof ts);
      struct iovec v = {m, sizeof m};
      csctp_sndinfo si;
      memset(&si, 0, sizeof si);
      si.sid = 1;
      if (csctp_sendv(s, &v, 1, NULL, &si, 0) == SMALL)
        next_small += 10000000u;
    }
    stack_wait(st, 1);
  }
  csctp_close(s); /* graceful: waits for what is queued */
  (void)csctp_stack_drain(st, 60000);
  csctp_stack_del(st);
  return 0;
}

static uint16_t free_udp_port(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t l = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &l) != 0)
    exit(1);
  close(fd);
  return ntohs(a.sin_port);
}

static pid_t start_relay(const char *relay, uint16_t listen, uint16_t server,
                         double mbit) {
  char lp[16], sv[32], rate[32];
  snprintf(lp, sizeof lp, "%u", listen);
  snprintf(sv, sizeof sv, "127.0.0.1:%u", server);
  snprintf(rate, sizeof rate, "%g", mbit);
  int pfd[2];
  if (pipe(pfd) != 0)
    exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    execl(relay, relay, "-listen", lp, "-server", sv, "-delay", "5", "-rate",
          rate, "-queue", "65536", (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  char c; /* wait for "udp_relay ready ..." */
  while (read(pfd[0], &c, 1) == 1 && c != '\n')
    ;
  close(pfd[0]);
  return pid;
}

static void run(const char *name, const char *relay, double mbit, int idata,
                uint32_t sched, double secs) {
  uint16_t sport = free_udp_port(), rport = free_udp_port();
  int rep[2];
  if (pipe(rep) != 0)
    exit(1);
  pid_t srv = fork();
  if (srv == 0) {
    close(rep[0]);
    server(sport, idata, rep[1]);
  }
  close(rep[1]);
  pid_t rel = start_relay(relay, rport, sport, mbit);
  usleep(100000);
  int rc = client(rport, idata, sched, secs);
  char line[128] = {0};
  size_t n = 0;
  while (n < sizeof line - 1 && read(rep[0], line + n, 1) == 1 &&
         line[n] != '\n')
    n++;
  close(rep[0]);
  waitpid(srv, NULL, 0);
  kill(rel, SIGTERM);
  waitpid(rel, NULL, 0);
  size_t cnt = 0;
  double p50 = 0, p99 = 0, mx = 0;
  if (rc != 0 || sscanf(line, "%zu %lf %lf %lf", &cnt, &p50, &p99, &mx) != 4)
    printf("| %s | failed | | | |\n", name);
  else
    printf("| %s | %zu | %.1f | %.1f | %.1f |\n", name, cnt, p50 / 1e3,
           p99 / 1e3, mx / 1e3);
  fflush(stdout);
}

int main(int argc, char **argv) {
  double secs = 3, mbit = 100;
  const char *relay = "build/udp_relay";
  int opt;
  while ((opt = getopt(argc, argv, "d:r:R:")) != -1) {
    switch (opt) {
    case 'd':
      secs = atof(optarg);
      break;
    case 'r':
      mbit = atof(optarg);
      break;
    case 'R':
      relay = optarg;
      break;
    default:
      fprintf(stderr, "usage: bench_hol [-d s] [-r Mbit/s] [-R udp_relay]\n");
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  printf("HOL blocking: 64 B messages on stream 1 every 10 ms beside 1 MiB "
         "messages on stream 0; %g Mbit/s bottleneck, 64 kB queue, 5 ms each "
         "way, %g s per run, 64 MiB buffers\n\n",
         mbit, secs);
  printf("| sender | small messages | p50 ms | p99 ms | max ms |\n");
  printf("|---|---|---|---|---|\n");
  run("DATA, FCFS", relay, mbit, 0, CSCTP_SS_FCFS, secs);
  run("DATA, round robin (per message)", relay, mbit, 0, CSCTP_SS_RR, secs);
  run("DATA, fair bandwidth (per message)", relay, mbit, 0, CSCTP_SS_FB, secs);
  run("I-DATA, FCFS", relay, mbit, 1, CSCTP_SS_FCFS, secs);
  run("I-DATA, round robin (per fragment)", relay, mbit, 1, CSCTP_SS_RR, secs);
  return 0;
}
