/* bench_scale.c -- `make bench-scale`: what many associations cost csctp.
 *
 * A server process (one one-to-many socket, a sink counting messages) and
 * this client process (one-to-one sockets, one per association) talk over
 * loopback UDP encapsulation. Prints one markdown table:
 *
 *   - setup time of 1,000 and of N (default 10,000) dials started at once;
 *   - memory per idle association: growth of the server's RSS ÷ N (one
 *     one-to-many socket) and of the client's RSS ÷ N (one-to-one sockets,
 *     each with its endpoint and association);
 *   - the server's CPU while the N associations sit idle (heartbeats only),
 *     as a share of one core;
 *   - one busy association's message rate alone and beside the N idle ones.
 *
 * Usage: bench_scale [-n N] [-d seconds per rate run] [-i idle seconds]
 *        [-s message size]
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define SCTP_PORT 5300

static csctp_stack *stack_new(uint16_t udp_port) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = udp_port;
  cfg.families = CSCTP_STACK_IPV4;
  csctp_stack *st = NULL;
  int r = csctp_stack_new(&st, &cfg);
  if (r != 0) {
    fprintf(stderr, "bench_scale: csctp_stack_new: %s\n", csctp_strerror(r));
    exit(1);
  }
  return st;
}

static void stack_wait(csctp_stack *st, int extra_fd, int max_ms) {
  struct pollfd p[2] = {{csctp_stack_fd(st), POLLIN, 0}, {extra_fd, POLLIN, 0}};
  int t = csctp_stack_timeout(st);
  if (t < 0 || t > max_ms)
    t = max_ms;
  (void)poll(p, extra_fd >= 0 ? 2 : 1, t);
  (void)csctp_stack_step(st);
}

/* ---- Server ------------------------------------------------------------ */

/* The server answers each command byte on cmd with one line on rep:
 * "rss_kb cpu_s messages associations". */
static void server(uint16_t udp_port, int cmd, int rep) {
  csctp_stack *st = stack_new(udp_port);
  csctp_sock *s;
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(SCTP_PORT);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (csctp_socket(st, AF_INET, CSCTP_SOCK_SEQPACKET, &s) != 0 ||
      csctp_bindx(s, (struct sockaddr *)&la, 1) != 0 ||
      csctp_listen(s, 1) != 0) {
    fprintf(stderr, "bench_scale: server socket failed\n");
    exit(1);
  }
  uint64_t msgs = 0;
  static char buf[65536];
  for (;;) {
    stack_wait(st, cmd, 100);
    for (;;) {
      struct iovec v = {buf, sizeof buf};
      csctp_ssize r = csctp_recvv(s, &v, 1, NULL, NULL, NULL, NULL);
      if (r <= 0)
        break;
      msgs++;
    }
    struct pollfd p = {cmd, POLLIN, 0};
    if (poll(&p, 1, 0) == 1) {
      char c;
      if (read(cmd, &c, 1) != 1 || c == 'q')
        break;
      char line[128];
      int n =
          snprintf(line, sizeof line, "%ld %.6f %llu %d\n", rss_kb(), cpu_s(),
                   (unsigned long long)msgs, csctp_sock_open_assocs(s, NULL));
      if (write(rep, line, (size_t)n) != n)
        break;
    }
  }
  csctp_close(s);
  csctp_stack_del(st);
  exit(0);
}

typedef struct {
  long rss_kb;
  double cpu;
  unsigned long long msgs;
  int assocs;
} srv_report;

static int cmd_w, rep_r;

static srv_report ask(void) {
  srv_report r;
  memset(&r, 0, sizeof r);
  char line[128];
  size_t n = 0;
  if (write(cmd_w, "r", 1) != 1)
    return r;
  while (n < sizeof line - 1) {
    ssize_t k = read(rep_r, line + n, 1);
    if (k != 1 || line[n] == '\n')
      break;
    n++;
  }
  line[n] = 0;
  sscanf(line, "%ld %lf %llu %d", &r.rss_kb, &r.cpu, &r.msgs, &r.assocs);
  return r;
}

/* ---- Client ------------------------------------------------------------ */

static csctp_stack *cst;
static struct sockaddr_in srv_addr;
static csctp_udpencaps srv_udp;

static csctp_sock *dial_one(void) {
  csctp_sock *s;
  if (csctp_socket(cst, AF_INET, CSCTP_SOCK_STREAM, &s) != 0)
    return NULL;
  (void)csctp_setsockopt(s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &srv_udp,
                         sizeof srv_udp);
  if (csctp_connectx(s, (struct sockaddr *)&srv_addr, 1, NULL) !=
      -EINPROGRESS) {
    csctp_close(s);
    return NULL;
  }
  return s;
}

/* dial_many starts n dials at once and returns the seconds until all are up
 * (-1 if some failed or 60 s passed). */
static double dial_many(csctp_sock **socks, int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++)
    if (!(socks[i] = dial_one()))
      return -1;
  int *done = calloc((unsigned)n, sizeof *done);
  int up = 0, failed = 0;
  while (up + failed < n && now_s() - t0 < 60) {
    stack_wait(cst, -1, 5);
    for (int i = 0; i < n; i++) {
      if (done[i])
        continue;
      int m = csctp_sock_poll(socks[i]);
      if (m & CSCTP_POLLERR) {
        done[i] = 1;
        failed++;
      } else if (m & CSCTP_POLLOUT) {
        done[i] = 1;
        up++;
      }
    }
  }
  free(done);
  return up == n ? now_s() - t0 : -1;
}

static void close_all(csctp_sock **socks, int n) {
  for (int i = 0; i < n; i++)
    if (socks[i])
      csctp_close(socks[i]);
  (void)csctp_stack_drain(cst, 30000);
}

/* busy_rate sends size-byte messages on s as fast as the association takes
 * them for secs seconds; returns the server's received messages per second. */
static double busy_rate(csctp_sock *s, int size, double secs) {
  static char buf[65536];
  memset(buf, 'x', (size_t)size);
  srv_report a = ask();
  double t0 = now_s();
  while (now_s() - t0 < secs) {
    struct iovec iov = {buf, (size_t)size};
    while (csctp_sendv(s, &iov, 1, NULL, NULL, 0) == size)
      ;
    stack_wait(cst, -1, 1);
  }
  /* Count what arrived while sending; then let the rest drain, so that
   * the next run starts from an empty queue. */
  double t1 = now_s();
  srv_report b = ask();
  for (unsigned long long last = 0; last != ask().msgs;) {
    last = ask().msgs;
    for (int i = 0; i < 50; i++)
      stack_wait(cst, -1, 1);
  }
  return (double)(b.msgs - a.msgs) / (t1 - t0);
}

int main(int argc, char **argv) {
  int n = 10000, size = 64;
  double dur = 3, idle = 35; /* idle: every heartbeat (30 s + RTO) comes due */
  int opt;
  while ((opt = getopt(argc, argv, "n:d:i:s:")) != -1) {
    switch (opt) {
    case 'n':
      n = atoi(optarg);
      break;
    case 'd':
      dur = atof(optarg);
      break;
    case 'i':
      idle = atof(optarg);
      break;
    case 's':
      size = atoi(optarg);
      break;
    default:
      fprintf(stderr, "usage: bench_scale [-n N] [-d s] [-i s] [-s size]\n");
      return 2;
    }
  }
  if (n < 1000 || size < 1 || size > 65536) {
    fprintf(stderr, "bench_scale: N must be >= 1000, size 1..65536\n");
    return 2;
  }
  int cmd[2], rep[2];
  if (pipe(cmd) != 0 || pipe(rep) != 0)
    return 1;
  uint16_t sport = 0;
  {
    /* Pick a free UDP port for the server's stack. */
    csctp_stack *probe = stack_new(0);
    sport = csctp_stack_udp_port(probe);
    csctp_stack_del(probe);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(cmd[1]);
    close(rep[0]);
    server(sport, cmd[0], rep[1]);
  }
  close(cmd[0]);
  close(rep[1]);
  cmd_w = cmd[1];
  rep_r = rep[0];
  usleep(200000);
  cst = stack_new(0);
  memset(&srv_addr, 0, sizeof srv_addr);
  srv_addr.sin_family = AF_INET;
  srv_addr.sin_port = htons(SCTP_PORT);
  srv_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  memset(&srv_udp, 0, sizeof srv_udp);
  srv_udp.port = sport;

  csctp_sock **socks = calloc((unsigned)n, sizeof *socks);
  csctp_sock *busy[1];

  /* One busy association, then N idle ones dialled at once beside it. */
  if (dial_many(busy, 1) < 0) {
    fprintf(stderr, "bench_scale: the busy association did not come up\n");
    return 1;
  }
  srv_report before = ask();
  long cli_before = rss_kb();
  double tn = dial_many(socks, n);
  for (int i = 0; i < 50; i++)
    stack_wait(cst, -1, 2);
  srv_report up = ask();
  long cli_up = rss_kb();

  /* Idle: heartbeats only. */
  srv_report i0 = ask();
  double c0 = cpu_s(), w0 = now_s();
  while (now_s() - w0 < idle)
    stack_wait(cst, -1, 100);
  srv_report i1 = ask();
  double idle_wall = now_s() - w0;
  double cli_idle_cpu = cpu_s() - c0;

  double beside = busy_rate(busy[0], size, dur);
  close_all(socks, n);
  memset(socks, 0, (size_t)n * sizeof *socks);
  double lone = busy_rate(busy[0], size, dur);
  double t1000 = dial_many(socks, 1000);
  close_all(socks, 1000);
  close_all(busy, 1);
  if (write(cmd_w, "q", 1) != 1)
    perror("write");
  waitpid(pid, NULL, 0);

  printf("\n| csctp, %d associations, %d B messages | value |\n", n, size);
  printf("|---|---|\n");
  if (t1000 < 0)
    printf("| setup of 1,000 simultaneous dials | FAILED |\n");
  else
    printf("| setup of 1,000 simultaneous dials | %.2f s |\n", t1000);
  if (tn < 0)
    printf("| setup of %d simultaneous dials | FAILED |\n", n);
  else
    printf("| setup of %d simultaneous dials | %.2f s |\n", n, tn);
  printf("| server: associations up | %d |\n", up.assocs);
  printf("| server RSS growth per idle association (one-to-many) | %.2f KB "
         "|\n",
         (double)(up.rss_kb - before.rss_kb) / n * 1.024);
  printf("| client RSS growth per one-to-one socket + association | %.2f KB "
         "|\n",
         (double)(cli_up - cli_before) / n * 1.024);
  printf("| server CPU with %d idle associations (%.0f s, heartbeats) | "
         "%.2f %% of a core |\n",
         n, idle_wall, 100.0 * (i1.cpu - i0.cpu) / idle_wall);
  printf("| client CPU with %d idle sockets (same window) | %.2f %% of a "
         "core |\n",
         n, 100.0 * cli_idle_cpu / idle_wall);
  printf("| busy association alone | %.0f msg/s |\n", lone);
  printf("| busy association beside %d idle | %.0f msg/s (%.0f %%) |\n", n,
         beside, lone > 0 ? 100.0 * beside / lone : 0);
  /* Issue 11's targets, judged on this run (the idle attack: handshakes
   * completed, then quiet; n >= 3,500 covers its 3,500). */
  double srv_rss = (double)(up.rss_kb - before.rss_kb) / n * 1.024;
  double cli_rss = (double)(cli_up - cli_before) / n * 1.024;
  double idle_pct = 100.0 * (i1.cpu - i0.cpu) / idle_wall;
  printf("| targets: idle server CPU < 5 %% of a core | %s |\n",
         idle_pct < 5 ? "met" : "NOT met");
  printf("| targets: busy rate beside the idle ones >= 90 %% of alone | %s |\n",
         lone > 0 && beside >= 0.9 * lone ? "met" : "NOT met");
  printf("| targets: <= 2 KB per idle association (one-to-many), <= 4 KB "
         "per one-to-one socket | %s |\n",
         srv_rss <= 2.0 && cli_rss <= 4.0 ? "met" : "NOT met");
  printf("| targets: %d simultaneous dials established in <= 10 s | %s |\n", n,
         tn >= 0 && tn <= 10 ? "met" : "NOT met");
  csctp_stack_del(cst);
  free(socks);
  return tn < 0 || t1000 < 0 ? 1 : 0;
}
