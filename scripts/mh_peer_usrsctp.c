/* mh_peer_usrsctp.c -- a usrsctp end of the multihoming rig
 * (scripts/mh_rig.sh) on Debian's libusrsctp over UDP encapsulation.
 *
 * Server (MH_SERVER_PEER): a one-to-one listener bound to two addresses
 * that reads scripts/mh_peer.c's numbered stream and prints the same lines
 * as mh_peer -server (pauses over 100 ms, the summary with the SHA-256),
 * so that scripts/mh_verdict.py judges the run.
 *
 * Client (MH_PEER, with MH_SERVER_PEER=build/mh_peer: usrsctp sends to
 * csctp): bound to two addresses, it dials both of the server's
 * (connectx), sends the same numbered stream as mh_peer -client (-size
 * bytes, -rate messages/s for -duration s), runs the rig's actions (-at ms
 * after the association is up, -do a shell command: the link down / up),
 * prints the path changes usrsctp reports (SCTP_PEER_ADDR_CHANGE, as
 * ACTIVE / INACTIVE / ...) and the summary with the SHA-256, then shuts
 * down and waits until the association is gone (the server has it all).
 *
 *   mh_peer_usrsctp (-server | -client P1,P2) -bind B1,B2 [-port p]
 *                   [-udp-port p] [-remote-udp-port p] [-size n]
 *                   [-duration s] [-rate n] [-at ms -do cmd]...
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

#define MAX_ACTIONS 8

/* The options of both roles. */
static const char *peer_list, *bind_list;
static int port = 5500, udp_port = 9899, remote_udp = 9899, size = 1000;
static double duration = 8, rate = 2000;
static int nact;
static double at[MAX_ACTIONS];
static const char *cmd[MAX_ACTIONS];

/* Up to 4 IPv4 addresses "A,B" with port p. Returns the count. */
static int addr_list(const char *list, int p, struct sockaddr_in *a) {
  char buf[256];
  int n = 0;
  snprintf(buf, sizeof buf, "%s", list);
  for (char *t = strtok(buf, ","); t && n < 4; t = strtok(NULL, ",")) {
    memset(&a[n], 0, sizeof a[n]);
    a[n].sin_family = AF_INET;
    a[n].sin_port = htons((uint16_t)p);
    if (inet_pton(AF_INET, t, &a[n].sin_addr) != 1)
      return -1;
    n++;
  }
  return n;
}

/* The numbered message seq, as scripts/mh_peer.c fills it. */
static void fill(uint8_t *b, size_t len, uint64_t seq) {
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(seq >> (56 - 8 * i));
  for (size_t i = 8; i < len; i++)
    b[i] = (uint8_t)(seq * 31 + i);
}

static const char *addr_state(uint32_t st) {
  switch (st) {
  case SCTP_ADDR_AVAILABLE:
    return "ACTIVE";
  case SCTP_ADDR_UNREACHABLE:
    return "INACTIVE";
  case SCTP_ADDR_REMOVED:
    return "REMOVED";
  case SCTP_ADDR_ADDED:
    return "ADDED";
  case SCTP_ADDR_MADE_PRIM:
    return "MADE_PRIMARY";
  case SCTP_ADDR_CONFIRMED:
    return "CONFIRMED";
  default:
    return "OTHER";
  }
}

/* Reads what is there without blocking: prints path changes; returns 1
 * when the association is over (EOF, or it went down). */
static int client_drain(struct socket *s) {
  static uint8_t m[4096];
  for (;;) {
    socklen_t fl = 0, il = 0;
    unsigned int type = 0;
    int flags = 0;
    ssize_t r =
        usrsctp_recvv(s, m, sizeof m, NULL, &fl, NULL, &il, &type, &flags);
    if (r < 0)
      return errno != EWOULDBLOCK && errno != EAGAIN;
    if (r == 0)
      return 1;
    if (!(flags & MSG_NOTIFICATION))
      continue;
    const union sctp_notification *n = (const void *)m;
    if (n->sn_header.sn_type == SCTP_PEER_ADDR_CHANGE) {
      const struct sctp_paddr_change *pc = &n->sn_paddr_change;
      char ip[INET_ADDRSTRLEN] = "?";
      const struct sockaddr_in *sin = (const void *)&pc->spc_aaddr;
      if (sin->sin_family == AF_INET)
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
      printf("client t=%.3f path %s %s\n", mono(), ip,
             addr_state(pc->spc_state));
      fflush(stdout);
    } else if (n->sn_header.sn_type == SCTP_ASSOC_CHANGE &&
               (n->sn_assoc_change.sac_state == SCTP_COMM_LOST ||
                n->sn_assoc_change.sac_state == SCTP_SHUTDOWN_COMP)) {
      return 1;
    }
  }
}

static void sleep_ms(double ms) {
  struct timespec ts = {0, (long)(ms * 1e6)};
  nanosleep(&ts, NULL);
}

static int client_main(void) {
  struct sockaddr_in loc[4], rem[4];
  int nl = addr_list(bind_list, port + 1, loc);
  int nr = addr_list(peer_list, port, rem);
  if (nl <= 0 || nr <= 0) {
    fprintf(stderr, "mh_peer_usrsctp: bad -bind or -client list\n");
    return 2;
  }
  struct socket *s =
      usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  if (!s) {
    perror("mh_peer_usrsctp: socket");
    return 1;
  }
  struct sctp_udpencaps enc;
  memset(&enc, 0, sizeof enc);
  enc.sue_assoc_id = SCTP_FUTURE_ASSOC;
  enc.sue_port = htons((uint16_t)remote_udp);
  uint16_t evs[] = {SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE};
  for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
    struct sctp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.se_assoc_id = SCTP_FUTURE_ASSOC;
    ev.se_type = evs[i];
    ev.se_on = 1;
    usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev);
  }
  int on = 1;
  usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
  if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc,
                         sizeof enc) != 0 ||
      usrsctp_bindx(s, (struct sockaddr *)loc, nl, SCTP_BINDX_ADD_ADDR) != 0 ||
      usrsctp_connectx(s, (struct sockaddr *)rem, nr, NULL) != 0) {
    perror("mh_peer_usrsctp: encapsulation port / bind / connect");
    return 1;
  }
  double t_up = mono();
  printf("client t=%.3f up\n", t_up);
  fflush(stdout);
  usrsctp_set_non_blocking(s, 1);
  sha256_ctx sha;
  sha256_init(&sha);
  static uint8_t m[65536];
  uint64_t seq = 0;
  int done_act = 0, ended = 0;
  double t_end = 0;
  while (!ended) {
    double now = mono();
    while (done_act < nact && now - t_up >= at[done_act]) {
      printf("client t=%.3f action: %s\n", mono(), cmd[done_act]);
      fflush(stdout);
      if (system(cmd[done_act]) != 0)
        printf("client: action failed: %s\n", cmd[done_act]);
      done_act++;
    }
    ended = client_drain(s);
    if (t_end == 0) {
      uint64_t due = (uint64_t)((now - t_up) * rate);
      while (seq < due && now - t_up < duration) {
        fill(m, (size_t)size, seq);
        if (usrsctp_sendv(s, m, (size_t)size, NULL, 0, NULL, 0,
                          SCTP_SENDV_NOINFO, 0) != size)
          break; /* the send buffer is full: later */
        sha256_update(&sha, m, (size_t)size);
        seq++;
      }
      if (now - t_up >= duration) {
        t_end = now;
        usrsctp_shutdown(s, SHUT_WR); /* SHUTDOWN once all is acked */
      }
    } else if (now - t_end > 30) {
      fprintf(stderr, "mh_peer_usrsctp: shutdown did not complete in 30 s\n");
      return 1;
    }
    sleep_ms(0.5);
  }
  uint8_t d[32];
  char hx[65];
  sha256_final(&sha, d);
  sha256_hex(d, hx);
  printf("client t=%.3f done: %llu messages of %d B, 0 out of order or "
         "wrong size, sha256 %s\n",
         mono(), (unsigned long long)seq, size, hx);
  fflush(stdout);
  usrsctp_close(s);
  return t_end > 0 && seq > 0 ? 0 : 1;
}

static int server_main(void);

int main(int argc, char **argv) {
  int server = 0;
  long rto_min = 1000, rto_max = 60000, rto_init = 3000, hb = 30000;
  long sack = 200, pmr = 5;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : "";
    if (strcmp(argv[i], "-server") == 0)
      server = 1;
    else if (strcmp(argv[i], "-client") == 0)
      peer_list = argv[++i];
    else if (strcmp(argv[i], "-remote-udp-port") == 0)
      remote_udp = atoi(argv[++i]);
    else if (strcmp(argv[i], "-duration") == 0)
      duration = atof(argv[++i]);
    else if (strcmp(argv[i], "-rate") == 0)
      rate = atof(argv[++i]);
    else if (strcmp(argv[i], "-at") == 0 && nact < MAX_ACTIONS)
      at[nact] = atof(argv[++i]) / 1000;
    else if (strcmp(argv[i], "-do") == 0 && nact < MAX_ACTIONS)
      cmd[nact++] = argv[++i];
    else if (strcmp(argv[i], "-rto-min") == 0)
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
    else if (argv[i][0] == '-' && v[0] && v[0] != '-')
      i++; /* a csctp timer option: not ours */
  }
  if (!bind_list || (!server && !peer_list) || size < 8 || size > 65536) {
    fprintf(stderr, "usage: mh_peer_usrsctp (-server | -client P1,P2) "
                    "-bind B1,B2\n");
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
  /* The sender, RFC 7829: a path is potentially failed after its first
   * timeout, as with the csctp side's PotentiallyFailed.Max 0. */
  if (!server)
    usrsctp_sysctl_set_sctp_path_pf_threshold(0);
  printf("%s settings: usrsctp over UDP, RTO.Min %ld ms, RTO.Max %ld "
         "ms, RTO.Initial %ld ms, HB.interval %ld ms, SACK delay %ld ms, "
         "Path.Max.Retrans %ld%s\n",
         server ? "server" : "client", rto_min, rto_max, rto_init, hb, sack,
         pmr, server ? "" : ", PF threshold 0");
  fflush(stdout);
  return server ? server_main() : client_main();
}

static int server_main(void) {
  struct socket *l =
      usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  struct sockaddr_in a[4];
  int n = addr_list(bind_list, port, a);
  if (n <= 0 || !l ||
      usrsctp_bindx(l, (struct sockaddr *)a, n, SCTP_BINDX_ADD_ADDR) ||
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
