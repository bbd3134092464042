/* mh_peer.c -- one side of the multihoming rig (scripts/mh_rig.sh): a csctp
 * one-to-one association between two multihomed endpoints, carrying a paced
 * stream of sequence-numbered messages on one ordered stream, while the rig
 * takes a link away and gives it back.
 *
 *   mh_peer -server -bind B1,B2 [common options]
 *   mh_peer -client B1,B2 -bind A1,A2 [-duration s] [-rate msg/s]
 *           [-size bytes] [-at ms -do cmd]... [common options]
 *   common: [-port sctp-port] [-udp-port p] [-remote-udp-port p] [-raw]
 *           [-kernel]
 *           [-rto-min ms] [-rto-max ms] [-rto-initial ms] [-hb ms]
 *           [-sack-delay ms] [-pmr n]
 *
 * The client runs each -do command (sh -c) at its -at time after the
 * association is up: the rig's way of cutting a link at a known moment.
 * Both sides print one line per path state change (PEER_ADDR_CHANGE) and a
 * summary; every time is CLOCK_MONOTONIC in seconds, shared by the two
 * processes. The server checks that sequence numbers arrive in order,
 * none lost or twice, and prints the SHA-256 of the bytes received and the
 * longest pause in arrivals after each client action; the client prints
 * the SHA-256 of what it sent. Exit status 0 when the transfer completed
 * (the rig compares the digests). */
#define _GNU_SOURCE
#include "csctp_io.h"
#include "sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 4
#define MAX_ACTIONS 8

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_addrs(const char *list, uint16_t port,
                       struct sockaddr_in *out) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", list);
  int n = 0;
  for (char *tok = strtok(buf, ","); tok && n < MAX_ADDRS;
       tok = strtok(NULL, ",")) {
    memset(&out[n], 0, sizeof out[n]);
    out[n].sin_family = AF_INET;
    out[n].sin_port = htons(port);
    if (inet_pton(AF_INET, tok, &out[n].sin_addr) != 1) {
      fprintf(stderr, "mh_peer: bad IPv4 address %s\n", tok);
      exit(2);
    }
    n++;
  }
  return n;
}

static const char *state_name(uint32_t s) {
  switch (s) {
  case CSCTP_PATH_ACTIVE:
    return "ACTIVE";
  case CSCTP_PATH_INACTIVE:
    return "INACTIVE";
  case CSCTP_PATH_UNCONFIRMED:
    return "UNCONFIRMED";
  case CSCTP_PATH_POTENTIALLY_FAILED:
    return "PF";
  default:
    return "?";
  }
}

static const char *side = "?";

/* on_notification prints path changes; returns 1 if the association ended. */
static int on_notification(const uint8_t *buf) {
  csctp_notification n;
  memcpy(&n, buf, sizeof n);
  if (n.type == CSCTP_EV_PEER_ADDR_CHANGE) {
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, n.u.paddr.addr.ip, ip, sizeof ip);
    printf("%s t=%.3f path %s %s\n", side, mono(), ip,
           state_name(n.u.paddr.state));
    fflush(stdout);
  }
  return n.type == CSCTP_EV_ASSOC_LOST || n.type == CSCTP_EV_SHUTDOWN_COMPLETE;
}

/* print_stats: the client's retransmission counters, before the end. */
static void print_stats(csctp_sock *conn) {
  csctp_assoc_status as;
  size_t al = sizeof as;
  memset(&as, 0, sizeof as);
  if (csctp_getsockopt(conn, CSCTP_OPT_STATUS, &as, &al) == 0)
    printf("client stats: %llu retransmissions (%llu fast, %llu tail loss "
           "probes), %llu T3 expiries\n",
           (unsigned long long)as.retransmits,
           (unsigned long long)as.fast_retransmits,
           (unsigned long long)as.tail_loss_probes,
           (unsigned long long)as.t3_expiries);
  /* The path MTU of each path (RFC 8899 discovery when on): the PMTU rig
   * (scripts/pmtu_rig.sh) reads these lines. */
  union {
    csctp_paddrinfo h;
    uint8_t room[sizeof(csctp_paddrinfo) + 4 * sizeof(csctp_path_status)];
  } pi;
  size_t pl = sizeof pi;
  memset(&pi, 0, sizeof pi);
  if (csctp_getsockopt(conn, CSCTP_OPT_PEER_ADDR_INFO, &pi, &pl) == 0)
    for (uint32_t i = 0; i < pi.h.npaths && i < 4; i++) {
      char ip[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, pi.h.paths[i].addr.ip, ip, sizeof ip);
      printf("client path %s mtu %u pmtud-state %u\n", ip, pi.h.paths[i].mtu,
             pi.h.paths[i].pmtud_state);
    }
}

/* watch_mtu prints the primary path's MTU when it changes (RFC 8899
 * discovery): the PMTU rig takes the last change as the discovery time. */
static void watch_mtu(csctp_sock *conn, uint32_t *last) {
  union {
    csctp_paddrinfo h;
    uint8_t room[sizeof(csctp_paddrinfo) + sizeof(csctp_path_status)];
  } pi;
  size_t pl = sizeof pi;
  memset(&pi, 0, sizeof pi);
  if (csctp_getsockopt(conn, CSCTP_OPT_PEER_ADDR_INFO, &pi, &pl) != 0 ||
      pi.h.npaths == 0 || pi.h.paths[0].mtu == *last)
    return;
  *last = pi.h.paths[0].mtu;
  printf("client t=%.3f mtu %u\n", mono(), *last);
  fflush(stdout);
}

static void hex(const uint8_t *d, char *out) {
  for (int i = 0; i < 32; i++)
    sprintf(out + 2 * i, "%02x", d[i]);
}

/* The payload of message seq: its number, then bytes that depend on it. */
static void fill(uint8_t *b, size_t len, uint64_t seq) {
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(seq >> (56 - 8 * i));
  for (size_t i = 8; i < len; i++)
    b[i] = (uint8_t)(seq * 31 + i);
}

int main(int argc, char **argv) {
  int server = 0, raw = 0, kernel = 0;
  const char *peer = NULL, *bind_list = NULL;
  double t_dial = 0;
  int port = 5500, udp_port = 9899, remote_udp = 9899, size = 1000;
  double duration = 8, rate = 2000;
  long rto_min = 100, rto_max = 400, rto_init = 300, hb = 300, sack = 200;
  int pmr = 1, nact = 0;
  double at[MAX_ACTIONS];
  const char *cmd[MAX_ACTIONS];
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(o, name) == 0 && v && ++i)
    if (strcmp(o, "-server") == 0)
      server = 1;
    else if (strcmp(o, "-raw") == 0)
      raw = 1;
    else if (strcmp(o, "-kernel") == 0)
      kernel = 1; /* the OS's own SCTP (csctp's kernel backend) */
    else if (ARG("-client"))
      peer = v;
    else if (ARG("-bind"))
      bind_list = v;
    else if (ARG("-port"))
      port = atoi(v);
    else if (ARG("-udp-port"))
      udp_port = atoi(v);
    else if (ARG("-remote-udp-port"))
      remote_udp = atoi(v);
    else if (ARG("-size"))
      size = atoi(v);
    else if (ARG("-duration"))
      duration = atof(v);
    else if (ARG("-rate"))
      rate = atof(v);
    else if (ARG("-rto-min"))
      rto_min = atol(v);
    else if (ARG("-rto-max"))
      rto_max = atol(v);
    else if (ARG("-rto-initial"))
      rto_init = atol(v);
    else if (ARG("-hb"))
      hb = atol(v);
    else if (ARG("-sack-delay"))
      sack = atol(v);
    else if (ARG("-pmr"))
      pmr = atoi(v);
    else if (ARG("-at") && nact < MAX_ACTIONS)
      at[nact] = atof(v) / 1000;
    else if (ARG("-do") && nact < MAX_ACTIONS)
      cmd[nact++] = v;
    else {
      fprintf(stderr, "mh_peer: unknown or incomplete option %s\n", o);
      return 2;
    }
  }
  if (!bind_list || (!server && !peer) || size < 8 || size > 65536) {
    fprintf(stderr, "usage: see the comment at the top of mh_peer.c\n");
    return 2;
  }
  side = server ? "server" : "client";
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.transport = kernel ? CSCTP_TRANSPORT_KERNEL
                  : raw  ? CSCTP_TRANSPORT_RAW
                         : CSCTP_TRANSPORT_UDP;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.udp_port = (uint16_t)udp_port;
  cfg.remote_udp_port = (uint16_t)remote_udp;
  cfg.settings.rto_min = (csctp_tstamp)rto_min * CSCTP_MILLISECONDS;
  cfg.settings.rto_max = (csctp_tstamp)rto_max * CSCTP_MILLISECONDS;
  cfg.settings.rto_initial = (csctp_tstamp)rto_init * CSCTP_MILLISECONDS;
  cfg.settings.hb_interval = (csctp_tstamp)hb * CSCTP_MILLISECONDS;
  cfg.settings.path_max_retrans = (uint32_t)pmr;
  cfg.settings.sack_delay = (csctp_tstamp)sack * CSCTP_MILLISECONDS;
  cfg.settings.assoc_max_retrans = 1000; /* ends only if every path dies */
  printf("%s settings: transport %s, RTO.Min %ld ms, RTO.Max %ld ms, "
         "RTO.Initial %ld ms, HB.interval %ld ms, SACK delay %ld ms, "
         "Path.Max.Retrans %d, PotentiallyFailed.Max 0 (RFC 7829)\n",
         side,
         kernel ? "kernel SCTP"
         : raw  ? "raw IP"
                : "UDP",
         rto_min, rto_max, rto_init, hb, sack, pmr);
  csctp_stack *st;
  int r = csctp_stack_new(&st, &cfg);
  if (r != 0) {
    fprintf(stderr, "mh_peer: csctp_stack_new: %s\n", csctp_strerror(r));
    return 1;
  }
  struct sockaddr_in local[MAX_ADDRS], remote[MAX_ADDRS];
  int nl = parse_addrs(bind_list, (uint16_t)port, local);
  csctp_sock *s, *conn = NULL;
  if (csctp_socket(st, AF_INET, CSCTP_SOCK_STREAM, &s) != 0 ||
      (r = csctp_bindx(s, (struct sockaddr *)local, nl)) != 0) {
    fprintf(stderr, "mh_peer: bind: %s\n", csctp_strerror(r));
    return 1;
  }
  if (server) {
    if (csctp_listen(s, 1) != 0)
      return 1;
  } else {
    int nr = parse_addrs(peer, (uint16_t)port, remote);
    conn = s;
    (void)csctp_sock_subscribe(conn, CSCTP_EV_PEER_ADDR_CHANGE, 1);
    /* The end of the SHUTDOWN: a kernel socket has no
     * csctp_sock_open_assocs, the notification says it. */
    (void)csctp_sock_subscribe(conn, CSCTP_EV_SHUTDOWN_COMPLETE, 1);
    t_dial = mono();
    r = csctp_connectx(conn, (struct sockaddr *)remote, nr, NULL);
    if (r != -EINPROGRESS) {
      fprintf(stderr, "mh_peer: connect: %s\n", csctp_strerror(r));
      return 1;
    }
  }
  uint8_t *buf = malloc(65536 + 256);
  csctp_sha256_ctx sha;
  csctp_sha256_init(&sha);
  uint64_t seq = 0, bad = 0;
  double t_up = 0, last_arrival = 0, t_end = 0;
  int done_act = 0, ended = 0;
  uint32_t mtu_seen = 0;
  /* The server does not know the client's action times: it reports every
   * pause in arrivals longer than 100 ms, with its start and end, and the
   * rig matches them to the actions (one clock for both). */
  while (!ended) {
    struct pollfd p = {csctp_stack_fd(st), POLLIN, 0};
    (void)poll(&p, 1, 1);
    if (csctp_stack_step(st) < 0)
      break;
    double now = mono();
    if (server && !conn) {
      if (csctp_accept(s, &conn, NULL, NULL) == 0) {
        (void)csctp_sock_subscribe(conn, CSCTP_EV_PEER_ADDR_CHANGE, 1);
        (void)csctp_sock_subscribe(conn, CSCTP_EV_SHUTDOWN_COMPLETE, 1);
        t_up = now;
        printf("server t=%.3f up\n", now);
      }
      continue;
    }
    if (!conn)
      continue;
    if (server) {
      for (;;) {
        struct iovec v = {buf, 65536 + 256};
        int fl = 0;
        csctp_ssize n = csctp_recvv(conn, &v, 1, NULL, NULL, NULL, &fl);
        if (n == -EAGAIN)
          break;
        if (n <= 0) {
          ended = 1;
          break;
        }
        if (fl & CSCTP_MSG_NOTIFICATION) {
          (void)on_notification(buf);
          continue;
        }
        uint64_t got = 0;
        for (int i = 0; i < 8; i++)
          got = got << 8 | buf[i];
        if (got != seq || n != size)
          bad++;
        seq = got + 1;
        csctp_sha256_update(&sha, buf, (size_t)n);
        if (last_arrival > 0 && now - last_arrival > 0.1) {
          printf("server t=%.3f pause %.3f s (from t=%.3f)\n", now,
                 now - last_arrival, last_arrival);
          fflush(stdout);
        }
        last_arrival = now;
      }
      continue;
    }
    /* Client. */
    if (!t_up) {
      int m = csctp_sock_poll(conn);
      if (m & CSCTP_POLLERR) {
        /* The PMTU rig's "refused" scenario reads this line: an ICMP port
         * or protocol unreachable fails the dial at once. */
        csctp_stack_stats ss;
        csctp_stack_stats_get(st, &ss);
        printf("client connect failed after %.3f ms: %s (%llu ICMP errors "
               "read)\n",
               (now - t_dial) * 1e3, csctp_strerror(csctp_sock_error(conn)),
               (unsigned long long)ss.icmp_in);
        fprintf(stderr, "mh_peer: connect failed: %s\n",
                csctp_strerror(csctp_sock_error(conn)));
        return 1;
      }
      if (m & CSCTP_POLLOUT) {
        t_up = now;
        printf("client t=%.3f up\n", now);
      }
      continue;
    }
    if (!kernel)
      watch_mtu(conn, &mtu_seen);
    while (done_act < nact && now - t_up >= at[done_act]) {
      printf("client t=%.3f action: %s\n", mono(), cmd[done_act]);
      fflush(stdout);
      if (system(cmd[done_act]) != 0)
        printf("client: action failed: %s\n", cmd[done_act]);
      done_act++;
    }
    for (;;) {
      struct iovec v = {buf, 65536};
      int fl = 0;
      csctp_ssize n = csctp_recvv(conn, &v, 1, NULL, NULL, NULL, &fl);
      if (n <= 0)
        break;
      if ((fl & CSCTP_MSG_NOTIFICATION) && on_notification(buf) && t_end > 0)
        ended = 1; /* SHUTDOWN COMPLETE (or the association lost) */
    }
    if (ended)
      break;
    if (t_end == 0) {
      uint64_t due = (uint64_t)((now - t_up) * rate);
      while (seq < due && now - t_up < duration) {
        fill(buf, (size_t)size, seq);
        struct iovec iov = {buf, (size_t)size};
        if (csctp_sendv(conn, &iov, 1, NULL, NULL, 0) != size)
          break;
        csctp_sha256_update(&sha, buf, (size_t)size);
        seq++;
      }
      if (now - t_up >= duration) {
        t_end = now;
        print_stats(conn);
        (void)csctp_shutdown_sock(conn, SHUT_WR);
      }
    } else if (csctp_sock_open_assocs(conn, NULL) == 0) {
      ended = 1; /* the SHUTDOWN completed: the peer has everything */
    } else if (now - t_end > 30) {
      fprintf(stderr, "mh_peer: shutdown did not complete in 30 s\n");
      /* What was sent, but no "done" line: the run did not complete. */
      uint8_t d[32];
      char hx[65];
      csctp_sha256_final(&sha, d);
      hex(d, hx);
      printf("client t=%.3f sent %llu messages, sha256 %s; shutdown did not "
             "complete in 30 s\n",
             now, (unsigned long long)seq, hx);
      return 1;
    }
  }
  uint8_t d[32];
  char hx[65];
  csctp_sha256_final(&sha, d);
  hex(d, hx);
  printf("%s t=%.3f done: %llu messages of %d B, %llu out of order or "
         "wrong size, sha256 %s\n",
         side, mono(), (unsigned long long)seq, size, (unsigned long long)bad,
         hx);
  if (!kernel) {
    /* Packets the engine marked CSCTP_PKT_FRAG_OK (chunks cut before the
     * path MTU fell, RFC 8899 4.4): the PMTU rig reads this line. */
    csctp_stack_stats ss;
    csctp_stack_stats_get(st, &ss);
    printf("%s stack: %llu packets sent with fragmentation allowed, %llu "
           "ICMP errors read\n",
           side, (unsigned long long)ss.frag_sends,
           (unsigned long long)ss.icmp_in);
  }
  csctp_close(conn);
  if (server)
    csctp_close(s);
  (void)csctp_stack_drain(st, 3000);
  csctp_stack_del(st);
  free(buf);
  return bad == 0 && seq > 0 ? 0 : 1;
}
