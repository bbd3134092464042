/* bench_scale_usrsctp.c -- the usrsctp column of `make bench-scale`: the
 * same measurements as scripts/bench_scale.c, made with Debian's libusrsctp
 * (the FreeBSD stack in userland) over loopback UDP encapsulation:
 *
 *   - setup time of 1,000 and of N simultaneous (non-blocking) dials;
 *   - server RSS growth per idle association (one one-to-many socket);
 *   - client RSS growth per one-to-one socket with its association;
 *   - the server's CPU while the N associations sit idle.
 *
 * A server process and this client process; one markdown table row set is
 * printed with the same labels as bench_scale, prefixed "usrsctp".
 * Usage: bench_scale_usrsctp [-n N] [-i idle seconds]
 * Build: cc -O2 -o bench_scale_usrsctp bench_scale_usrsctp.c -lusrsctp
 *        -lpthread */
#define _GNU_SOURCE
#define SCTP_DEBUG /* declares usrsctp_sysctl_set_sctp_debug_on */
#include <usrsctp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define SCTP_PORT 5301

static void stack_init(uint16_t udp_port) {
  usrsctp_init(udp_port, NULL, NULL);
  usrsctp_sysctl_set_sctp_debug_on(0);
  usrsctp_sysctl_set_sctp_blackhole(0);
}

/* The server answers each 'r' on cmd with "rss_kb cpu_s" on rep; 'q' ends. */
static void server(uint16_t udp_port, int cmd, int rep) {
  stack_init(udp_port);
  struct socket *s = usrsctp_socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, NULL,
                                    NULL, 0, NULL);
  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(SCTP_PORT);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!s || usrsctp_bind(s, (struct sockaddr *)&la, sizeof la) != 0 ||
      usrsctp_listen(s, 1) != 0) {
    perror("bench_scale_usrsctp: server socket");
    exit(1);
  }
  for (;;) {
    char c;
    if (read(cmd, &c, 1) != 1 || c == 'q')
      break;
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %.6f\n", rss_kb(), cpu_s());
    if (write(rep, line, (size_t)n) != n)
      break;
  }
  usrsctp_close(s);
  exit(0);
}

static int cmd_w, rep_r;

static void ask(long *rss, double *cpu) {
  char line[64];
  size_t n = 0;
  *rss = 0;
  *cpu = 0;
  if (write(cmd_w, "r", 1) != 1)
    return;
  while (n < sizeof line - 1 && read(rep_r, line + n, 1) == 1 &&
         line[n] != '\n')
    n++;
  line[n] = 0;
  sscanf(line, "%ld %lf", rss, cpu);
}

static struct sockaddr_in srv_addr;
static uint16_t srv_udp;

/* dial_many starts n non-blocking dials at once; seconds until all are up,
 * -1 if some failed or 60 s passed. */
static double dial_many(struct socket **socks, int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    socks[i] =
        usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!socks[i])
      return -1;
    struct sctp_udpencaps enc;
    memset(&enc, 0, sizeof enc);
    enc.sue_address.ss_family = AF_INET;
    enc.sue_port = htons(srv_udp);
    usrsctp_setsockopt(socks[i], IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT,
                       &enc, sizeof enc);
    usrsctp_set_non_blocking(socks[i], 1);
    if (usrsctp_connect(socks[i], (struct sockaddr *)&srv_addr,
                        sizeof srv_addr) != 0 &&
        errno != EINPROGRESS)
      return -1;
  }
  char *done = calloc((unsigned)n, 1);
  int up = 0, failed = 0;
  while (up + failed < n && now_s() - t0 < 60) {
    usleep(2000);
    for (int i = 0; i < n; i++) {
      if (done[i])
        continue;
      int ev = usrsctp_get_events(socks[i]);
      if (ev & SCTP_EVENT_ERROR) {
        done[i] = 1;
        failed++;
      } else if (ev & SCTP_EVENT_WRITE) {
        done[i] = 1;
        up++;
      }
    }
  }
  free(done);
  return up == n ? now_s() - t0 : -1;
}

static void close_all(struct socket **socks, int n) {
  for (int i = 0; i < n; i++)
    if (socks[i])
      usrsctp_close(socks[i]);
  memset(socks, 0, (size_t)n * sizeof *socks);
  sleep(2); /* the shutdowns run in usrsctp's threads */
}

int main(int argc, char **argv) {
  int n = 10000;
  double idle = 35;
  int opt;
  while ((opt = getopt(argc, argv, "n:i:")) != -1) {
    if (opt == 'n')
      n = atoi(optarg);
    else if (opt == 'i')
      idle = atof(optarg);
    else
      return 2;
  }
  if (n < 1000)
    return 2;
  int cmd[2], rep[2];
  if (pipe(cmd) != 0 || pipe(rep) != 0)
    return 1;
  srv_udp = (uint16_t)(20000 + getpid() % 20000);
  pid_t pid = fork();
  if (pid == 0) {
    close(cmd[1]);
    close(rep[0]);
    server(srv_udp, cmd[0], rep[1]);
  }
  close(cmd[0]);
  close(rep[1]);
  cmd_w = cmd[1];
  rep_r = rep[0];
  usleep(300000);
  stack_init((uint16_t)(srv_udp + 1));
  memset(&srv_addr, 0, sizeof srv_addr);
  srv_addr.sin_family = AF_INET;
  srv_addr.sin_port = htons(SCTP_PORT);
  srv_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  struct socket **socks = calloc((unsigned)n, sizeof *socks);
  long srss0, srss1;
  double scpu;
  ask(&srss0, &scpu);
  long crss0 = rss_kb();
  double tn = dial_many(socks, n);
  sleep(1);
  ask(&srss1, &scpu);
  long crss1 = rss_kb();

  double c0, c1;
  long dummy;
  ask(&dummy, &c0);
  double w0 = now_s();
  sleep((unsigned)idle);
  ask(&dummy, &c1);
  double idle_wall = now_s() - w0;

  close_all(socks, n);
  double t1000 = dial_many(socks, 1000);
  close_all(socks, 1000);
  if (write(cmd_w, "q", 1) != 1)
    perror("write");
  waitpid(pid, NULL, 0);

  printf("\n| usrsctp, %d associations | value |\n|---|---|\n", n);
  if (t1000 < 0)
    printf("| setup of 1,000 simultaneous dials | FAILED |\n");
  else
    printf("| setup of 1,000 simultaneous dials | %.2f s |\n", t1000);
  if (tn < 0)
    printf("| setup of %d simultaneous dials | FAILED |\n", n);
  else
    printf("| setup of %d simultaneous dials | %.2f s |\n", n, tn);
  printf("| server RSS growth per idle association (one-to-many) | %.2f KB "
         "|\n",
         (double)(srss1 - srss0) / n * 1.024);
  printf("| client RSS growth per one-to-one socket + association | %.2f KB "
         "|\n",
         (double)(crss1 - crss0) / n * 1.024);
  printf("| server CPU with %d idle associations (%.0f s, heartbeats) | "
         "%.2f %% of a core |\n",
         n, idle_wall, 100.0 * (c1 - c0) / idle_wall);
  free(socks);
  usrsctp_finish();
  return tn < 0 || t1000 < 0 ? 1 : 0;
}
