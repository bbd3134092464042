/* echo.c -- SCTP echo server and client over the csctp C socket API.
 *
 *   echo -server [-port 7] [-udp-port 9899] [-raw]
 *   echo -client HOST[:PORT] [-udp-port 0] [-remote-udp-port 9899] [-raw]
 *        [-m MESSAGE -n COUNT]
 *
 * The server is one one-to-many socket: every message is sent back on the
 * association, stream and PPID it came from. The client connects a
 * one-to-one socket, sends each line of standard input (or -m MESSAGE, -n
 * times) and prints what comes back.
 *
 * It shows the single-threaded pattern for C programs: call the
 * non-blocking socket functions until they return -EAGAIN, then
 * csctp_stack_run() to wait for the stack (socket readiness only changes
 * inside the stack's calls, so waiting on the stack is enough). Standard
 * input is polled alongside the stack fd. */
#include "config.h"

#include "csctp_io.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what, int err) {
  fprintf(stderr, "echo: %s: %s\n", what, csctp_strerror(err));
  exit(1);
}

/* parse_hostport parses HOST, HOST:PORT or [V6]:PORT into ss. */
static int parse_hostport(const char *s, uint16_t defport,
                          struct sockaddr_storage *ss, socklen_t *len) {
  char host[256];
  const char *port = NULL;
  if (s[0] == '[') {
    const char *e = strchr(s, ']');
    if (!e || (size_t)(e - s - 1) >= sizeof host)
      return -1;
    memcpy(host, s + 1, (size_t)(e - s - 1));
    host[e - s - 1] = 0;
    if (e[1] == ':')
      port = e + 2;
  } else {
    const char *c = strrchr(s, ':');
    if (c && strchr(s, ':') == c) {
      if ((size_t)(c - s) >= sizeof host)
        return -1;
      memcpy(host, s, (size_t)(c - s));
      host[c - s] = 0;
      port = c + 1;
    } else {
      snprintf(host, sizeof host, "%s", s);
    }
  }
  char pbuf[8];
  snprintf(pbuf, sizeof pbuf, "%u", port ? (unsigned)atoi(port) : defport);
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, pbuf, &hints, &res) != 0)
    return -1;
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

static _Noreturn void run_server(csctp_stack *st, uint16_t port) {
  csctp_sock *s;
  int r = csctp_socket(st, AF_INET6, CSCTP_SOCK_SEQPACKET, &s);
  if (r)
    die("socket", r);
  struct sockaddr_in6 any;
  memset(&any, 0, sizeof any);
  any.sin6_family = AF_INET6;
  any.sin6_port = htons(port);
  if ((r = csctp_bindx(s, (struct sockaddr *)&any, 1)) != 0)
    die("bind", r);
  if ((r = csctp_listen(s, 1)) != 0)
    die("listen", r);
  csctp_sock_subscribe(s, CSCTP_EV_ASSOC_UP, 1);
  csctp_sock_subscribe(s, CSCTP_EV_ASSOC_LOST, 1);
  csctp_sock_subscribe(s, CSCTP_EV_SHUTDOWN_COMPLETE, 1);
  printf("echo server: SCTP port %u, UDP encapsulation port %u\n", port,
         csctp_stack_udp_port(st));
  fflush(stdout);
  static uint8_t buf[1 << 16];
  for (;;) {
    for (;;) {
      csctp_rcvinfo ri;
      int fl = 0;
      struct iovec iov = {buf, sizeof buf};
      csctp_ssize n = csctp_recvv(s, &iov, 1, NULL, NULL, &ri, &fl);
      if (n == -EAGAIN)
        break;
      if (n < 0)
        die("recv", (int)n);
      if (fl & CSCTP_MSG_NOTIFICATION) {
        csctp_notification no;
        memcpy(&no, buf, sizeof no);
        if (no.type == CSCTP_EV_ASSOC_UP)
          printf("association %u up\n", no.assoc_id);
        else
          printf("association %u ended%s%s\n", no.assoc_id,
                 no.error ? ": " : "",
                 no.error ? csctp_strerror(no.error) : "");
        fflush(stdout);
        continue;
      }
      /* Echo on the same association, stream and PPID. Messages longer than
       * the buffer come in parts; each part is echoed as a message. */
      csctp_sndinfo si;
      memset(&si, 0, sizeof si);
      si.assoc_id = ri.assoc_id;
      si.sid = ri.sid;
      si.ppid = ri.ppid;
      if (ri.flags & CSCTP_RCV_UNORDERED)
        si.flags = CSCTP_SEND_UNORDERED;
      struct iovec out = {buf, (size_t)n};
      csctp_ssize w;
      while ((w = csctp_sendv(s, &out, 1, NULL, &si, 0)) == -EAGAIN)
        csctp_stack_run(st, 100);
      if (w < 0)
        fprintf(stderr, "echo: send to %u: %s\n", ri.assoc_id,
                csctp_strerror((int)w));
    }
    csctp_stack_run(st, -1);
  }
}

static int run_client(csctp_stack *st, const struct sockaddr_storage *peer,
                      uint16_t remote_udp, const char *msg, int count) {
  csctp_sock *s;
  int r = csctp_socket(st, peer->ss_family, CSCTP_SOCK_STREAM, &s);
  if (r)
    die("socket", r);
  if (remote_udp) {
    csctp_udpencaps u;
    memset(&u, 0, sizeof u);
    u.port = remote_udp;
    csctp_setsockopt(s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u);
  }
  r = csctp_connectx(s, (const struct sockaddr *)peer, 1, NULL);
  if (r != -EINPROGRESS)
    die("connect", r);
  while (!(csctp_sock_poll(s) & (CSCTP_POLLOUT | CSCTP_POLLERR)))
    csctp_stack_run(st, -1);
  if ((r = csctp_sock_error(s)) != 0)
    die("connect", r);
  fprintf(stderr, "connected (association %u)\n", csctp_sock_assoc_id(s));
  int outstanding = 0, sent = 0, stdin_open = msg == NULL;
  static char line[1 << 16];
  for (;;) {
    /* Read what came back. */
    for (;;) {
      int fl = 0;
      struct iovec iov = {line, sizeof line};
      csctp_ssize n = csctp_recvv(s, &iov, 1, NULL, NULL, NULL, &fl);
      if (n == -EAGAIN)
        break;
      if (n <= 0) {
        r = csctp_sock_error(s);
        if (r)
          die("recv", r);
        csctp_close(s);
        return 0;
      }
      fwrite(line, 1, (size_t)n, stdout);
      if (fl & CSCTP_MSG_EOR) {
        if (msg)
          fputc('\n', stdout);
        outstanding--;
      }
      fflush(stdout);
    }
    /* Send more. */
    if (msg && sent < count) {
      csctp_ssize w = csctp_sendv(s, &(struct iovec){(void *)msg, strlen(msg)},
                                  1, NULL, NULL, 0);
      if (w > 0) {
        sent++;
        outstanding++;
        continue;
      }
      if (w != -EAGAIN)
        die("send", (int)w);
    }
    if (((msg && sent == count) || (!msg && !stdin_open)) && outstanding <= 0) {
      csctp_shutdown_sock(s, SHUT_WR);
      msg = NULL;
      stdin_open = 0;
      outstanding = 1 << 30; /* now wait for EOF */
    }
    /* stdin, then the fds that drive the stack (csctp_stack_fds: the one
     * stack fd with epoll / kqueue, the transport sockets with poll(2));
     * the timeout covers the stack's timers either way. */
    struct pollfd p[4] = {{0, POLLIN, 0}};
    int sfd[3];
    int nsfd = csctp_stack_fds(st, sfd, 3);
    int np = 1;
    for (int i = 0; i < nsfd && i < 3; i++)
      p[np++] = (struct pollfd){sfd[i], POLLIN, 0};
    if (!stdin_open)
      p[0].fd = -1; /* poll skips it */
    poll(p, (nfds_t)np, csctp_stack_timeout(st));
    if (stdin_open && (p[0].revents & (POLLIN | POLLHUP))) {
      if (!fgets(line, sizeof line, stdin)) {
        stdin_open = 0;
      } else {
        size_t len = strlen(line);
        csctp_ssize w;
        while ((w = csctp_sendv(s, &(struct iovec){line, len}, 1, NULL, NULL,
                                0)) == -EAGAIN)
          csctp_stack_run(st, 100);
        if (w < 0)
          die("send", (int)w);
        outstanding++;
      }
    }
    csctp_stack_step(st);
  }
}

static void usage(void) {
  fprintf(stderr, "usage: echo -server [-port P] [-udp-port U] [-raw]\n"
                  "       echo -client HOST[:PORT] [-udp-port U] "
                  "[-remote-udp-port R] [-raw] [-m MSG -n COUNT]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int server = 0, raw = 0, count = 1;
  const char *client = NULL, *msg = NULL;
  long port = 7, udp_port = -1, remote_udp = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-server"))
      server = 1;
    else if (!strcmp(a, "-raw"))
      raw = 1;
    else if (!strcmp(a, "-client") && v)
      client = argv[++i];
    else if (!strcmp(a, "-port") && v)
      port = atol(argv[++i]);
    else if (!strcmp(a, "-udp-port") && v)
      udp_port = atol(argv[++i]);
    else if (!strcmp(a, "-remote-udp-port") && v)
      remote_udp = atol(argv[++i]);
    else if (!strcmp(a, "-m") && v)
      msg = argv[++i];
    else if (!strcmp(a, "-n") && v)
      count = atoi(argv[++i]);
    else
      usage();
  }
  if (server == !!client)
    usage();
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  if (raw)
    cfg.transport = CSCTP_TRANSPORT_RAW;
  if (udp_port >= 0)
    cfg.udp_port = (uint16_t)udp_port;
  else if (client)
    cfg.udp_port = 0; /* a client need not own the well-known port */
  csctp_stack *st;
  int r = csctp_stack_new(&st, &cfg);
  if (r)
    die("stack", r);
  if (server)
    run_server(st, (uint16_t)port);
  struct sockaddr_storage peer;
  socklen_t pl;
  if (parse_hostport(client, (uint16_t)port, &peer, &pl) != 0) {
    fprintf(stderr, "echo: cannot resolve %s\n", client);
    return 1;
  }
  r = run_client(st, &peer, (uint16_t)remote_udp, msg, count);
  /* A userland stack dies with the process: let closed associations finish
   * their SHUTDOWN before it goes. */
  (void)csctp_stack_drain(st, 30000);
  csctp_stack_del(st);
  return r;
}
