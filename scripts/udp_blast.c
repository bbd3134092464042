/* udp_blast.c -- checks that scripts/udp_relay.c is not the bottleneck:
 * starts the relay with the given arguments, sends paced plain UDP
 * datagrams through it and counts what comes out the other side.
 *
 *   udp_blast -relay PATH [-rate MBIT] [-size BYTES] [-duration S] [-both]
 *             [-- RELAY ARGS...]
 *
 * -rate (default 1000) Mbit/s of UDP payload offered, in datagrams of -size
 * bytes (default 1200), for -duration seconds (default 3); -both sends the
 * same load server -> client at the same time (down). The relay is started as
 * `PATH -listen P -server 127.0.0.1:Q RELAY ARGS...` (P, Q: free ports on
 * 127.0.0.1). The payload starts with a sequence number and is zero from
 * byte 8 on, so the relay's SCTP parser sees no chunk in it; the receiver
 * counts datagrams that come out of order or altered (wrong size, a nonzero
 * byte after the sequence number).
 *
 * Prints per direction
 *   relay check: offered X, delivered Y Mbit/s (DIR, ...)
 * where offered is what the sender got out in its sending time (a sender that
 * falls more than 20 ms behind its schedule skips ahead rather than bursting,
 * so offered is below -rate when the blaster itself is short of CPU) and
 * delivered what the receiver counted between its first and last datagram;
 * then the relay's CPU time over the sending time (from /proc/PID/stat) and
 * its own `udp_relay stats` lines. Exit 0 if, in every direction, the sender
 * offered at least 90 % of -rate and the relay delivered at least 95 % of what
 * was offered; 1 otherwise, 2 on a setup error.
 *
 * Build: cc -O2 -pthread -o udp_blast scripts/udp_blast.c */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLAST_BATCH 16

typedef struct blast_dir {
  const char *name;
  int tx_fd, rx_fd;           /* send on tx_fd (connected), count on rx_fd */
  double offered_mbit;        /* out: what the sender got out */
  uint64_t tx_pkts, tx_err;   /* out */
  uint64_t rx_pkts, rx_bytes; /* out */
  uint64_t rx_late,
      rx_bad;      /* out: sequence number not above the last one; bad bytes */
  uint64_t rx_seq; /* the highest sequence number + 1 so far */
  double rx_first, rx_last; /* out: seconds, CLOCK_MONOTONIC */
  volatile int started;     /* rx saw its first datagram */
} blast_dir;

static double rate_mbit = 1000, duration_s = 3;
static size_t dgram_size = 1200;
static volatile int rx_stop;

static double blast_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void blast_sleep_until(double t) {
  struct timespec ts = {.tv_sec = (time_t)t,
                        .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

/* blast_tx sends batches of BLAST_BATCH datagrams at -rate for -duration. */
static void *blast_tx(void *arg) {
  blast_dir *d = arg;
  uint8_t *buf = calloc(BLAST_BATCH, dgram_size);
  struct mmsghdr m[BLAST_BATCH];
  struct iovec iov[BLAST_BATCH];
  memset(m, 0, sizeof m);
  for (int i = 0; i < BLAST_BATCH; i++) {
    iov[i].iov_base = buf + (size_t)i * dgram_size;
    iov[i].iov_len = dgram_size;
    m[i].msg_hdr.msg_iov = &iov[i];
    m[i].msg_hdr.msg_iovlen = 1;
  }
  double tick =
      (double)BLAST_BATCH * (double)dgram_size * 8.0 / (rate_mbit * 1e6);
  double t0 = blast_now(), next = t0, end = t0 + duration_s;
  uint64_t seq = 0, bytes = 0;
  while (next < end) {
    for (int i = 0; i < BLAST_BATCH; i++) {
      uint64_t s = seq++;
      memcpy(iov[i].iov_base, &s, dgram_size < 8 ? dgram_size : 8);
    }
    int left = BLAST_BATCH, off = 0;
    while (left > 0) {
      int r = sendmmsg(d->tx_fd, m + off, (unsigned)left, 0);
      if (r < 0) {
        d->tx_err++; /* ENOBUFS / EAGAIN / ECONNREFUSED: not offered */
        off++;
        left--;
        continue;
      }
      d->tx_pkts += (uint64_t)r;
      bytes += (uint64_t)r * dgram_size;
      off += r;
      left -= r;
    }
    next += tick;
    double now = blast_now();
    if (now - next > 0.02)
      next = now; /* more than 20 ms behind (no CPU): skip, do not burst */
    blast_sleep_until(next);
  }
  d->offered_mbit = (double)bytes * 8.0 / (blast_now() - t0) / 1e6;
  free(buf);
  return NULL;
}

/* blast_rx counts datagrams until rx_stop. */
static void *blast_rx(void *arg) {
  blast_dir *d = arg;
  enum { N = 64 };
  static __thread uint8_t buf[N][2048];
  struct mmsghdr m[N];
  struct iovec iov[N];
  memset(m, 0, sizeof m);
  for (int i = 0; i < N; i++) {
    iov[i].iov_base = buf[i];
    iov[i].iov_len = sizeof buf[i];
    m[i].msg_hdr.msg_iov = &iov[i];
    m[i].msg_hdr.msg_iovlen = 1;
  }
  struct timeval tv = {.tv_usec = 100000};
  setsockopt(d->rx_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (!rx_stop) {
    int r = recvmmsg(d->rx_fd, m, N, MSG_WAITFORONE, NULL);
    if (r <= 0)
      continue;
    double t = blast_now();
    if (!d->rx_pkts)
      d->rx_first = t;
    d->rx_last = t;
    d->rx_pkts += (uint64_t)r;
    for (int i = 0; i < r; i++) {
      uint64_t seq;
      d->rx_bytes += m[i].msg_len;
      if (m[i].msg_len != dgram_size) {
        d->rx_bad++;
        continue;
      }
      memcpy(&seq, buf[i], 8);
      if (seq + 1 <= d->rx_seq)
        d->rx_late++;
      else
        d->rx_seq = seq + 1;
      for (size_t k = 8; k < dgram_size; k++)
        if (buf[i][k]) {
          d->rx_bad++;
          break;
        }
    }
    d->started = 1;
  }
  return NULL;
}

static int blast_udp(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int v = 32 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v);
  v = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
    return -1;
  socklen_t l = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &l);
  *port = ntohs(a.sin_port);
  return fd;
}

static int blast_connect(int fd, uint16_t port) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                          .sin_port = htons(port)};
  return connect(fd, (struct sockaddr *)&a, sizeof a);
}

/* blast_cpu: user + system seconds of PID so far. */
static double blast_cpu(pid_t pid) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  size_t n = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[n] = 0;
  char *p = strrchr(line, ')');
  unsigned long ut = 0, st = 0;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                   &ut, &st) != 2)
    return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void blast_usage(void) {
  fprintf(
      stderr,
      "usage: udp_blast -relay PATH [-rate MBIT] [-size BYTES] [-duration S] "
      "[-both] [-- RELAY ARGS...]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *relay = NULL;
  int both = 0, i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    int hv = i + 1 < argc;
    if (!strcmp(a, "-relay") && hv)
      relay = argv[++i];
    else if (!strcmp(a, "-rate") && hv)
      rate_mbit = atof(argv[++i]);
    else if (!strcmp(a, "-size") && hv)
      dgram_size = (size_t)atoi(argv[++i]);
    else if (!strcmp(a, "-duration") && hv)
      duration_s = atof(argv[++i]);
    else if (!strcmp(a, "-both"))
      both = 1;
    else if (!strcmp(a, "--")) {
      i++;
      break;
    } else
      blast_usage();
  }
  if (!relay || rate_mbit <= 0 || duration_s <= 0 || dgram_size < 8 ||
      dgram_size > 2048)
    blast_usage();
  uint16_t cport, sport, lport;
  int cfd = blast_udp(&cport), sfd = blast_udp(&sport), tmp = blast_udp(&lport);
  if (cfd < 0 || sfd < 0 || tmp < 0) {
    perror("udp_blast: socket");
    return 2;
  }
  close(tmp); /* the relay's listening port: free a moment ago */

  char lp[16], sv[32];
  snprintf(lp, sizeof lp, "%u", lport);
  snprintf(sv, sizeof sv, "127.0.0.1:%u", sport);
  int nrel = argc - i;
  char **rargv = calloc((size_t)nrel + 6, sizeof *rargv);
  rargv[0] = (char *)relay;
  rargv[1] = "-listen";
  rargv[2] = lp;
  rargv[3] = "-server";
  rargv[4] = sv;
  for (int k = 0; k < nrel; k++)
    rargv[5 + k] = argv[i + k];
  int pfd[2];
  if (pipe(pfd) != 0)
    return 2;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    execv(relay, rargv);
    perror("udp_blast: exec relay");
    _exit(127);
  }
  close(pfd[1]);
  FILE *rout = fdopen(pfd[0], "r");
  char line[1024];
  unsigned rport = 0;
  if (!fgets(line, sizeof line, rout) || !strstr(line, "udp_relay ready")) {
    fprintf(stderr, "udp_blast: the relay did not start\n");
    return 2;
  }
  char *rp = strstr(line, "relay_port=");
  if (rp)
    rport = (unsigned)atoi(rp + 11);
  if (blast_connect(cfd, lport) != 0 ||
      (both && blast_connect(sfd, (uint16_t)rport) != 0)) {
    perror("udp_blast: connect");
    return 2;
  }

  blast_dir up = {.name = "up", .tx_fd = cfd, .rx_fd = sfd};
  blast_dir down = {.name = "down", .tx_fd = sfd, .rx_fd = cfd};
  pthread_t t_up, r_up, t_down, r_down;
  pthread_create(&r_up, NULL, blast_rx, &up);
  if (both)
    pthread_create(&r_down, NULL, blast_rx, &down);
  /* One datagram first, so that the relay knows the client before the
   * server sends. */
  send(cfd, "\0\0\0\0\0\0\0\0", 8, 0);
  for (int k = 0; k < 200 && !up.started; k++)
    usleep(10000);
  up.rx_pkts = up.rx_bytes = up.rx_seq = up.rx_late = up.rx_bad = 0;
  double cpu0 = blast_cpu(pid), w0 = blast_now();
  pthread_create(&t_up, NULL, blast_tx, &up);
  if (both)
    pthread_create(&t_down, NULL, blast_tx, &down);
  pthread_join(t_up, NULL);
  if (both)
    pthread_join(t_down, NULL);
  double cpu1 = blast_cpu(pid), w1 = blast_now();
  usleep(1000000); /* what is still held in the relay (its delay, queue) */
  rx_stop = 1;
  pthread_join(r_up, NULL);
  if (both)
    pthread_join(r_down, NULL);
  kill(pid, SIGTERM);

  int ok = 1;
  blast_dir *ds[2] = {&up, &down};
  for (int k = 0; k < 1 + both; k++) {
    blast_dir *d = ds[k];
    double span = d->rx_last - d->rx_first;
    double got = span > 0 ? (double)d->rx_bytes * 8.0 / span / 1e6 : 0;
    printf("relay check: offered %.0f, delivered %.0f Mbit/s (%s, %zu-byte "
           "datagrams, "
           "%.0f s; sent %llu, received %llu, out of order %llu, corrupt %llu, "
           "send errors %llu)\n",
           d->offered_mbit, got, d->name, dgram_size, duration_s,
           (unsigned long long)d->tx_pkts, (unsigned long long)d->rx_pkts,
           (unsigned long long)d->rx_late, (unsigned long long)d->rx_bad,
           (unsigned long long)d->tx_err);
    /* The relay's part: it delivered what it was given (the loss and the
     * queue of its settings aside). The machine's part: the sender could
     * offer about the rate at all. */
    if (got < 0.95 * d->offered_mbit || d->offered_mbit < 0.9 * rate_mbit)
      ok = 0;
    if (d->offered_mbit < 0.9 * rate_mbit)
      printf("relay check: the sender itself got out only %.0f of %.0f Mbit/s "
             "(%s; short of CPU?): inconclusive\n",
             d->offered_mbit, rate_mbit, d->name);
  }
  printf("relay check: relay CPU %.2f s in %.2f s of sending (%.0f %% of one "
         "core)\n",
         cpu1 - cpu0, w1 - w0, 100.0 * (cpu1 - cpu0) / (w1 - w0));
  while (fgets(line, sizeof line, rout))
    fputs(line, stdout);
  int st;
  waitpid(pid, &st, 0);
  return ok ? 0 : 1;
}
