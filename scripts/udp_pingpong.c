/* udp_pingpong.c -- raw UDP ping-pong over loopback: the RTT floor that
 * `make bench` (scripts/bench.sh) compares the SCTP ping-pong against.
 *
 *   udp_pingpong -server PORT
 *   udp_pingpong -client HOST PORT [-size 64] [-duration 3] [-json]
 *
 * The server echoes every datagram back to its sender. The client sends one
 * datagram of -size bytes at a time and waits for its echo (blocking
 * sockets, no poll), for -duration seconds, then prints the round-trip
 * times (min, avg, p50, p99, max, in microseconds); -json prints them as one
 * JSON object. A lost datagram (no echo within 1 s) is counted and resent.
 * Build: cc -O2 -o udp_pingpong scripts/udp_pingpong.c */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void usage(void) {
  fprintf(stderr, "usage: udp_pingpong -server PORT\n"
                  "       udp_pingpong -client HOST PORT [-size B] "
                  "[-duration S] [-json]\n");
  exit(2);
}

static int run_server(const char *port) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE;
  if (getaddrinfo(NULL, port, &hints, &res) != 0) {
    fprintf(stderr, "udp_pingpong: bad port %s\n", port);
    return 1;
  }
  int fd = socket(res->ai_family, SOCK_DGRAM, 0);
  int off = 0;
  if (fd >= 0)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
    fprintf(stderr, "udp_pingpong: bind port %s: %s\n", port, strerror(errno));
    return 1;
  }
  freeaddrinfo(res);
  printf("udp_pingpong server: UDP port %s\n", port);
  fflush(stdout);
  static uint8_t buf[65536];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      perror("udp_pingpong: recvfrom");
      return 1;
    }
    if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) < 0)
      perror("udp_pingpong: sendto");
  }
}

static int run_client(const char *host, const char *port, long size,
                      double duration, int json) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) {
    fprintf(stderr, "udp_pingpong: cannot resolve %s\n", host);
    return 1;
  }
  int fd = socket(res->ai_family, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    fprintf(stderr, "udp_pingpong: connect: %s\n", strerror(errno));
    return 1;
  }
  freeaddrinfo(res);
  struct timeval tv = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  uint8_t *msg = calloc(1, (size_t)size), *rbuf = malloc((size_t)size + 1);
  size_t n = 0, cap = 1 << 16;
  double *rtt = malloc(cap * sizeof *rtt);
  if (!msg || !rbuf || !rtt) {
    fprintf(stderr, "udp_pingpong: out of memory\n");
    return 1;
  }
  unsigned long lost = 0;
  uint64_t seq = 0;
  double start = now_s(), end = start + duration;
  while (now_s() < end) {
    seq++;
    memcpy(msg, &seq, size < 8 ? (size_t)size : 8);
    double t0 = now_s();
    if (send(fd, msg, (size_t)size, 0) != size) {
      fprintf(stderr, "udp_pingpong: send: %s\n", strerror(errno));
      return 1;
    }
    for (;;) {
      ssize_t r = recv(fd, rbuf, (size_t)size + 1, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        lost++;
        break;
      }
      if (r < 0) {
        fprintf(stderr, "udp_pingpong: recv: %s\n", strerror(errno));
        return 1;
      }
      if (r == size && memcmp(rbuf, msg, size < 8 ? (size_t)size : 8) == 0) {
        if (n == cap) {
          cap *= 2;
          rtt = realloc(rtt, cap * sizeof *rtt);
          if (!rtt)
            return 1;
        }
        rtt[n++] = now_s() - t0;
        break;
      }
      /* a late echo of an earlier (timed-out) datagram: keep waiting */
    }
  }
  double secs = now_s() - start;
  if (n == 0) {
    fprintf(stderr, "udp_pingpong: no echo received\n");
    return 1;
  }
  qsort(rtt, n, sizeof *rtt, cmp_double);
  double avg = 0;
  for (size_t i = 0; i < n; i++)
    avg += rtt[i];
  avg /= (double)n;
  double p50 = rtt[n / 2], p99 = rtt[(size_t)((double)(n - 1) * 0.99)];
  if (json)
    printf("{\"mode\":\"pingpong\",\"transport\":\"udp\",\"size\":%ld,"
           "\"seconds\":%.3f,\"messages\":%zu,\"lost\":%lu,\"msgs_per_s\":%.1f,"
           "\"rtt_us\":{\"min\":%.1f,\"avg\":%.1f,\"p50\":%.1f,\"p99\":%.1f,"
           "\"max\":%.1f}}\n",
           size, secs, n, lost, (double)n / secs, rtt[0] * 1e6, avg * 1e6,
           p50 * 1e6, p99 * 1e6, rtt[n - 1] * 1e6);
  else
    printf("udp pingpong: %zu round trips of %ld bytes in %.2f s, %lu lost\n"
           "  rtt us: min %.1f avg %.1f p50 %.1f p99 %.1f max %.1f\n",
           n, size, secs, lost, rtt[0] * 1e6, avg * 1e6, p50 * 1e6, p99 * 1e6,
           rtt[n - 1] * 1e6);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "-server"))
    return run_server(argv[2]);
  if (argc < 4 || strcmp(argv[1], "-client"))
    usage();
  long size = 64;
  double duration = 3;
  int json = 0;
  for (int i = 4; i < argc; i++) {
    if (!strcmp(argv[i], "-size") && i + 1 < argc)
      size = atol(argv[++i]);
    else if (!strcmp(argv[i], "-duration") && i + 1 < argc)
      duration = atof(argv[++i]);
    else if (!strcmp(argv[i], "-json"))
      json = 1;
    else
      usage();
  }
  if (size < 1 || size > 65507 || duration <= 0)
    usage();
  return run_client(argv[2], argv[3], size, duration, json);
}
