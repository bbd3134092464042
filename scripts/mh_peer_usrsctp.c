/* mh_peer_usrsctp.c -- the server side of the multihoming rig
 * (scripts/mh_rig.sh, MH_SERVER=usrsctp) on Debian's libusrsctp: a
 * one-to-one listener bound to two addresses over UDP encapsulation that
 * reads scripts/mh_peer.c's numbered stream and prints the same lines as
 * mh_peer -server (pauses over 100 ms, the summary with the SHA-256), so
 * that scripts/mh_verdict.py judges the run.
 *
 *   mh_peer_usrsctp -server -bind B1,B2 [-port p] [-udp-port p]
 *                   [-rto-min ms] [-rto-max ms] [-rto-initial ms] [-hb ms]
 *                   [-sack-delay ms] [-pmr n] [other options ignored]
 *
 * Build: cc -O2 -o mh_peer_usrsctp mh_peer_usrsctp.c
 *        ../interop/usrsctp/sha256.c -lusrsctp -lpthread */
#define _GNU_SOURCE
#define SCTP_DEBUG
#include <usrsctp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../interop/usrsctp/sha256.h"

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *bind_list = NULL;
  int port = 5500, udp_port = 9899, size = 1000;
  long rto_min = 1000, rto_max = 60000, rto_init = 3000, hb = 30000;
  long sack = 200, pmr = 5;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : "";
    if (strcmp(argv[i], "-rto-min") == 0)
      rto_min = atol(argv[++i]);
    else if (strcmp(argv[i], "-rto-max") == 0)
      rto_max = atol(argv[++i]);
    else if (strcmp(argv[i], "-rto-initial") == 0)
      rto_init = atol(argv[++i]);
    else if (strcmp(argv[i], "-hb") == 0)
      hb = atol(argv[++i]);
    else if (strcmp(argv[i], "-sack-delay") == 0)
      sack = atol(argv[++i]);
    else if (strcmp(argv[i], "-pmr") == 0)
      pmr = atol(argv[++i]);
    else if (strcmp(argv[i], "-bind") == 0)
      bind_list = argv[++i];
    else if (strcmp(argv[i], "-port") == 0)
      port = atoi(argv[++i]);
    else if (strcmp(argv[i], "-udp-port") == 0)
      udp_port = atoi(argv[++i]);
    else if (strcmp(argv[i], "-size") == 0)
      size = atoi(argv[++i]);
    else if (argv[i][0] == '-' && v[0] && v[0] != '-' &&
             strcmp(argv[i], "-server") != 0)
      i++; /* a csctp timer option: not ours */
  }
  if (!bind_list) {
    fprintf(stderr, "usage: mh_peer_usrsctp -server -bind B1,B2\n");
    return 2;
  }
  usrsctp_init((uint16_t)udp_port, NULL, NULL);
  usrsctp_sysctl_set_sctp_debug_on(0);
  usrsctp_sysctl_set_sctp_blackhole(0);
  /* The rig's timers (the same as the csctp side's). */
  usrsctp_sysctl_set_sctp_rto_min_default((uint32_t)rto_min);
  usrsctp_sysctl_set_sctp_rto_max_default((uint32_t)rto_max);
  usrsctp_sysctl_set_sctp_rto_initial_default((uint32_t)rto_init);
  usrsctp_sysctl_set_sctp_heartbeat_interval_default((uint32_t)hb);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default((uint32_t)sack);
  usrsctp_sysctl_set_sctp_path_rtx_max_default((uint32_t)pmr);
  printf("server settings: usrsctp over UDP, RTO.Min %ld ms, RTO.Max %ld "
         "ms, RTO.Initial %ld ms, HB.interval %ld ms, SACK delay %ld ms, "
         "Path.Max.Retrans %ld\n",
         rto_min, rto_max, rto_init, hb, sack, pmr);
  struct socket *l =
      usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  struct sockaddr_in a[4];
  int n = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", bind_list);
  for (char *t = strtok(buf, ","); t && n < 4; t = strtok(NULL, ",")) {
    memset(&a[n], 0, sizeof a[n]);
    a[n].sin_family = AF_INET;
    a[n].sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, t, &a[n].sin_addr);
    n++;
  }
  if (!l || usrsctp_bindx(l, (struct sockaddr *)a, n, SCTP_BINDX_ADD_ADDR) ||
      usrsctp_listen(l, 1) != 0) {
    perror("mh_peer_usrsctp: bind/listen");
    return 1;
  }
  struct socket *c = usrsctp_accept(l, NULL, NULL);
  if (!c) {
    perror("mh_peer_usrsctp: accept");
    return 1;
  }
  printf("server t=%.3f up\n", mono());
  fflush(stdout);
  sha256_ctx sha;
  sha256_init(&sha);
  static uint8_t m[65536 + 256];
  uint64_t seq = 0, bad = 0;
  double last = 0;
  for (;;) {
    struct sctp_rcvinfo ri;
    socklen_t fl = 0, il = sizeof ri;
    unsigned int type = 0;
    int flags = 0;
    ssize_t r =
        usrsctp_recvv(c, m, sizeof m, NULL, &fl, &ri, &il, &type, &flags);
    if (r <= 0)
      break;
    double now = mono();
    uint64_t got = 0;
    for (int i = 0; i < 8; i++)
      got = got << 8 | m[i];
    if (got != seq || r != size || !(flags & MSG_EOR))
      bad++;
    seq = got + 1;
    sha256_update(&sha, m, (size_t)r);
    if (last > 0 && now - last > 0.1) {
      printf("server t=%.3f pause %.3f s (from t=%.3f)\n", now, now - last,
             last);
      fflush(stdout);
    }
    last = now;
  }
  uint8_t d[32];
  char hx[65];
  sha256_final(&sha, d);
  sha256_hex(d, hx);
  printf("server t=%.3f done: %llu messages of %d B, %llu out of order or "
         "wrong size, sha256 %s\n",
         mono(), (unsigned long long)seq, size, (unsigned long long)bad, hx);
  usrsctp_close(c);
  usrsctp_close(l);
  sleep(1);
  return bad == 0 && seq > 0 ? 0 : 1;
}
