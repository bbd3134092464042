/* perf.c -- SCTP throughput and latency tool over the csctp C API (the C
 * twin of the Go sctpperf).
 *
 *   perf -server [-port 5001] [-udp-port 9899] [-raw] [-json] [-discard]
 *   perf -client HOST[:PORT] [-size 1200] [-duration 10 | -count N]
 *        [-streams 1] [-unordered] [-nodelay] [-pingpong] [-json]
 *        [-udp-port 0] [-remote-udp-port 9899] [-raw] [-sndbuf B] [-rcvbuf B]
 *        [-v]
 *
 * Throughput (default): the client sends messages of -size bytes as fast as
 * the association takes them, round robin over -streams streams, for
 * -duration seconds or -count messages; then it shuts down and waits until
 * the server has acknowledged everything. The server discards the data.
 * -pingpong: one message at a time, the server echoes it, and the client
 * reports round-trip times (min, avg, p50, p99, max).
 * -nodelay sends every message at once; without it the stack may bundle
 * small messages (like TCP's Nagle).
 * Progress is printed every second; the final summary has MB/s (10^6 bytes
 * per second) and messages per second; -json prints the summary as one JSON
 * object instead; -v adds the path's cwnd, flight size, smoothed RTT and the
 * peer's window to each progress line. With CSCTP_PERF_TRACE_MS=N in the
 * environment, a client also prints the path's cwnd, ssthresh, flight size,
 * smoothed RTT and retransmissions to stderr every N ms of its first 2 s
 * (slow start: scripts/bench_wan.sh keeps it in the client's log). The client's
 * PPID tells the server the mode (0: sink, 1: echo); a server with -discard
 * never echoes (for peers whose PPIDs mean something else, e.g.
 * interop/usrsctp's bulk send, whose PPID is the message index). */
#include "config.h"

#include "csctp_io.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define PPID_SINK 0
#define PPID_ECHO 1

typedef struct opts {
  int server, raw, json, unordered, nodelay, pingpong, verbose, discard;
  const char *client;
  long port, udp_port, remote_udp;
  long size, count, streams, sndbuf, rcvbuf;
  double duration;
  uint32_t cc;     /* CSCTP_CC_* (-cc reno|cubic|cubic-rfc9406) */
  uint32_t pacing; /* CSCTP_PACING_* (-pacing off|on) */
} opts;

static void die(const char *what, int err) {
  fprintf(stderr, "perf: %s: %s\n", what, csctp_strerror(err));
  exit(1);
}

static double now_s(void) { return (double)csctp_now() / 1e9; }

static int parse_hostport(const char *s, uint16_t defport,
                          struct sockaddr_storage *ss) {
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
  freeaddrinfo(res);
  return 0;
}

static void apply_opts(csctp_sock *s, const opts *o) {
  int v = o->nodelay ? 1 : 0;
  csctp_setsockopt(s, CSCTP_OPT_NODELAY, &v, sizeof v);
  if (o->sndbuf > 0) {
    v = (int)o->sndbuf;
    csctp_setsockopt(s, CSCTP_OPT_SNDBUF, &v, sizeof v);
  }
  if (o->rcvbuf > 0) {
    v = (int)o->rcvbuf;
    csctp_setsockopt(s, CSCTP_OPT_RCVBUF, &v, sizeof v);
  }
  csctp_assoc_value ccv = {0, o->cc};
  int r = csctp_setsockopt(s, CSCTP_OPT_CONGESTION, &ccv, sizeof ccv);
  if (r != 0 && o->cc != CSCTP_CC_RENO)
    die("-cc", r);
  csctp_assoc_value pv = {0, o->pacing};
  r = csctp_setsockopt(s, CSCTP_OPT_PACING, &pv, sizeof pv);
  if (r != 0 && o->pacing != CSCTP_PACING_OFF)
    die("-pacing", r);
  csctp_initmsg im;
  memset(&im, 0, sizeof im);
  im.num_ostreams = (uint16_t)(o->streams > 0 ? o->streams : 1);
  if (im.num_ostreams < 10)
    im.num_ostreams = 10;
  csctp_setsockopt(s, CSCTP_OPT_INITMSG, &im, sizeof im);
}

/* ---- Server ------------------------------------------------------------ */

typedef struct conn {
  csctp_sock *s;
  csctp_assoc_id id;
  uint64_t bytes, msgs;
  double start;
  struct conn *next;
} conn;

/* stack_json prints, as JSON members, the process's CPU time so far
 * (getrusage: user + system seconds) and the stack's datagram counters,
 * UDP segmentation offload included (CSCTP_UDP_GSO=1 adds UDP_SEGMENT
 * sends, =0 turns GRO off too). */
static void stack_json(csctp_stack *st) {
  struct rusage ru;
  double cpu = 0;
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
          (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  csctp_stack_stats ss;
  csctp_stack_stats_get(st, &ss);
  printf(",\"cpu_s\":%.3f,\"dgrams_in\":%llu,\"dgrams_out\":%llu,"
         "\"gso_pkts\":%llu,\"gro_pkts\":%llu,\"gso_sends\":%llu,"
         "\"send_batches\":%llu,\"recv_batches\":%llu",
         cpu, (unsigned long long)ss.dgrams_in,
         (unsigned long long)ss.dgrams_out, (unsigned long long)ss.gso_pkts,
         (unsigned long long)ss.gro_pkts, (unsigned long long)ss.gso_sends,
         (unsigned long long)ss.send_batches,
         (unsigned long long)ss.recv_batches);
}

static void server_report(csctp_stack *st, const opts *o, const conn *c) {
  double dt = now_s() - c->start;
  if (dt <= 0)
    dt = 1e-9;
  if (o->json) {
    printf("{\"role\":\"server\",\"assoc\":%u,\"bytes\":%llu,\"messages\":%llu,"
           "\"seconds\":%.3f,\"mbps\":%.3f,\"msgs_per_s\":%.1f",
           c->id, (unsigned long long)c->bytes, (unsigned long long)c->msgs, dt,
           (double)c->bytes / dt / 1e6, (double)c->msgs / dt);
    stack_json(st);
    printf("}\n");
  } else
    printf("association %u done: %llu bytes, %llu messages in %.2f s: "
           "%.2f MB/s, %.0f msgs/s\n",
           c->id, (unsigned long long)c->bytes, (unsigned long long)c->msgs, dt,
           (double)c->bytes / dt / 1e6, (double)c->msgs / dt);
  fflush(stdout);
}

static _Noreturn void run_server(csctp_stack *st, const opts *o) {
  csctp_sock *l;
  int r = csctp_socket(st, AF_INET6, CSCTP_SOCK_STREAM, &l);
  if (r)
    die("socket", r);
  apply_opts(l, o);
  struct sockaddr_in6 any;
  memset(&any, 0, sizeof any);
  any.sin6_family = AF_INET6;
  any.sin6_port = htons((uint16_t)o->port);
  if ((r = csctp_bindx(l, (struct sockaddr *)&any, 1)) != 0)
    die("bind", r);
  if ((r = csctp_listen(l, 64)) != 0)
    die("listen", r);
  if (!o->json)
    printf("perf server: SCTP port %ld, UDP encapsulation port %u\n", o->port,
           csctp_stack_udp_port(st));
  fflush(stdout);
  size_t bufsz = 1 << 20;
  uint8_t *buf = malloc(bufsz);
  if (!buf)
    die("malloc", CSCTP_ERR_NOMEM);
  conn *conns = NULL;
  double last = now_s();
  for (;;) {
    csctp_sock *ns;
    while (csctp_accept(l, &ns, NULL, NULL) == 0) {
      conn *c = calloc(1, sizeof *c);
      if (!c)
        die("malloc", CSCTP_ERR_NOMEM);
      c->s = ns;
      c->id = csctp_sock_assoc_id(ns);
      c->start = now_s();
      c->next = conns;
      conns = c;
      if (!o->json) {
        printf("association %u accepted\n", c->id);
        fflush(stdout);
      }
    }
    int more = 0; /* a connection still has data: do not block below */
    for (conn **pc = &conns; *pc;) {
      conn *c = *pc;
      int closed = 0, k;
      for (k = 0; k < 256; k++) {
        csctp_rcvinfo ri;
        int fl = 0;
        struct iovec iov = {buf, bufsz};
        csctp_ssize n = csctp_recvv(c->s, &iov, 1, NULL, NULL, &ri, &fl);
        if (n == -EAGAIN)
          break;
        if (n <= 0) {
          closed = 1;
          break;
        }
        c->bytes += (uint64_t)n;
        if (fl & CSCTP_MSG_EOR)
          c->msgs++;
        if (ri.ppid == PPID_ECHO && !o->discard) {
          csctp_sndinfo si;
          memset(&si, 0, sizeof si);
          si.sid = ri.sid;
          si.ppid = ri.ppid;
          struct iovec out = {buf, (size_t)n};
          csctp_ssize w;
          while ((w = csctp_sendv(c->s, &out, 1, NULL, &si, 0)) == -EAGAIN)
            csctp_stack_run(st, 10);
        }
      }
      if (k == 256)
        more = 1;
      if (closed) {
        server_report(st, o, c);
        csctp_close(c->s);
        *pc = c->next;
        free(c);
      } else {
        pc = &c->next;
      }
    }
    double t = now_s();
    if (!o->json && t - last >= 1.0 && conns) {
      for (conn *c = conns; c; c = c->next) {
        printf("[assoc %u] %.1f s: %llu bytes", c->id, t - c->start,
               (unsigned long long)c->bytes);
        csctp_assoc_status vs;
        if (o->verbose && csctp_sock_status(c->s, 0, &vs) == 0)
          printf("  local_rwnd %u recv_queued %u poll %#x", vs.local_rwnd,
                 vs.recv_queued, csctp_sock_poll(c->s));
        printf("\n");
      }
      fflush(stdout);
      last = t;
    }
    csctp_stack_run(st, more ? 0 : 1000);
  }
}

/* ---- Client ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* CSCTP_PERF_TRACE_MS: one line of the primary path's state. */
static void perf_trace(csctp_sock *s, double at) {
  struct {
    csctp_paddrinfo h;
    csctp_path_status p[1];
  } pi;
  size_t pl = sizeof pi;
  csctp_assoc_status vs;
  memset(&pi, 0, sizeof pi);
  if (csctp_getsockopt(s, CSCTP_OPT_PEER_ADDR_INFO, &pi, &pl) != 0 ||
      csctp_sock_status(s, 0, &vs) != 0)
    return;
  const csctp_path_status *ps = &pi.h.paths[0];
  fprintf(stderr,
          "trace %.1f ms cwnd %u ssthresh %u flight %u srtt %.0f us rtx %llu\n",
          at * 1e3, ps->cwnd, ps->ssthresh, ps->flight_size,
          (double)ps->srtt / 1e3, (unsigned long long)vs.retransmits);
}

static int run_client(csctp_stack *st, const opts *o) {
  struct sockaddr_storage peer;
  if (parse_hostport(o->client, (uint16_t)o->port, &peer) != 0) {
    fprintf(stderr, "perf: cannot resolve %s\n", o->client);
    return 1;
  }
  csctp_sock *s;
  int r = csctp_socket(st, peer.ss_family, CSCTP_SOCK_STREAM, &s);
  if (r)
    die("socket", r);
  apply_opts(s, o);
  if (o->remote_udp > 0) {
    csctp_udpencaps u;
    memset(&u, 0, sizeof u);
    u.port = (uint16_t)o->remote_udp;
    csctp_setsockopt(s, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u);
  }
  double t0 = now_s();
  r = csctp_connectx(s, (struct sockaddr *)&peer, 1, NULL);
  if (r != -EINPROGRESS)
    die("connect", r);
  while (!(csctp_sock_poll(s) & (CSCTP_POLLOUT | CSCTP_POLLERR)))
    csctp_stack_run(st, 1000);
  if ((r = csctp_sock_error(s)) != 0)
    die("connect", r);
  double setup = now_s() - t0;
  csctp_assoc_status ast;
  csctp_sock_status(s, 0, &ast);
  long streams = o->streams > 0 ? o->streams : 1;
  if (streams > ast.outbound_streams)
    streams = ast.outbound_streams;
  uint8_t *msg = malloc((size_t)o->size);
  uint8_t *rbuf = malloc((size_t)o->size + 1);
  if (!msg || !rbuf)
    die("malloc", CSCTP_ERR_NOMEM);
  for (long i = 0; i < o->size; i++)
    msg[i] = (uint8_t)i;
  size_t nrtt = 0, caprtt = 0;
  double *rtts = NULL;
  uint64_t sent = 0, bytes = 0;
  double start = now_s(), last = start, end_at = start + o->duration;
  uint64_t last_bytes = 0, last_msgs = 0;
  csctp_sndinfo si;
  memset(&si, 0, sizeof si);
  si.ppid = o->pingpong ? PPID_ECHO : PPID_SINK;
  if (o->unordered)
    si.flags = CSCTP_SEND_UNORDERED;
  int done = 0;
  uint64_t iter = 0;
  double t = start, last_trace = 0;
  const char *trace_env = getenv("CSCTP_PERF_TRACE_MS");
  double trace_s = trace_env ? atof(trace_env) / 1e3 : 0;
  while (!done) {
    /* The clock is read once per message in ping-pong mode, every 16th
     * time round otherwise (reading it costs as much as a small send). */
    int tick = o->pingpong || (iter++ & 15) == 0;
    if (tick)
      t = now_s();
    if (tick && trace_s > 0 && t - start < 2.0 && t - last_trace >= trace_s) {
      perf_trace(s, t - start);
      last_trace = t;
    }
    if ((o->count > 0 && sent >= (uint64_t)o->count) ||
        (o->count <= 0 && t >= end_at))
      break;
    si.sid = (uint16_t)(sent % (uint64_t)streams);
    struct iovec iov = {msg, (size_t)o->size};
    double ts = t;
    csctp_ssize w = csctp_sendv(s, &iov, 1, NULL, &si, 0);
    if (w == -EAGAIN) {
      csctp_stack_run(st, 10);
      continue;
    }
    if (w < 0)
      die("send", (int)w);
    sent++;
    bytes += (uint64_t)w;
    if (o->pingpong) {
      size_t got = 0;
      while (got < (size_t)o->size) {
        struct iovec rv = {rbuf, (size_t)o->size};
        int fl = 0;
        csctp_ssize n = csctp_recvv(s, &rv, 1, NULL, NULL, NULL, &fl);
        if (n == -EAGAIN) {
          csctp_stack_run(st, 1000);
          continue;
        }
        if (n <= 0)
          die("recv", n ? (int)n : CSCTP_ERR_CLOSED);
        got += (size_t)n;
      }
      if (nrtt == caprtt) {
        caprtt = caprtt ? caprtt * 2 : 4096;
        rtts = realloc(rtts, caprtt * sizeof *rtts);
        if (!rtts)
          die("malloc", CSCTP_ERR_NOMEM);
      }
      rtts[nrtt++] = now_s() - ts;
    } else {
      /* Keep the stack moving while sending. */
      if ((sent & 63) == 0)
        csctp_stack_step(st);
    }
    if (tick)
      t = now_s();
    if (tick && t - last >= 1.0) {
      if (!o->json) {
        printf("[%5.1f s] %8.2f MB/s %10.0f msgs/s", t - start,
               (double)(bytes - last_bytes) / (t - last) / 1e6,
               (double)(sent - last_msgs) / (t - last));
        if (o->pingpong && nrtt)
          printf("  last rtt %.1f us", rtts[nrtt - 1] * 1e6);
        if (o->verbose) {
          csctp_assoc_status vs;
          csctp_path_status ps;
          if (csctp_sock_status(s, 0, &vs) != 0)
            memset(&vs, 0, sizeof vs);
          struct {
            csctp_paddrinfo h;
            csctp_path_status p[1];
          } pi;
          size_t pl = sizeof pi;
          memset(&pi, 0, sizeof pi);
          if (csctp_getsockopt(s, CSCTP_OPT_PEER_ADDR_INFO, &pi, &pl) == 0)
            ps = pi.h.paths[0];
          else
            memset(&ps, 0, sizeof ps);
          printf("  cwnd %u flight %u srtt %.0f us peer_rwnd %u queued %u "
                 "rtx %llu",
                 ps.cwnd, ps.flight_size, (double)ps.srtt / 1e3, vs.peer_rwnd,
                 vs.send_queued, (unsigned long long)vs.retransmits);
        }
        printf("\n");
        fflush(stdout);
      }
      last = t;
      last_bytes = bytes;
      last_msgs = sent;
    }
  }
  csctp_assoc_status fin;
  memset(&fin, 0, sizeof fin);
  csctp_sock_status(s, 0, &fin);
  /* Graceful shutdown: returns once the peer acknowledged everything. */
  csctp_shutdown_sock(s, SHUT_WR);
  for (;;) {
    struct iovec rv = {rbuf, (size_t)o->size};
    csctp_ssize n = csctp_recvv(s, &rv, 1, NULL, NULL, NULL, NULL);
    if (n == -EAGAIN) {
      csctp_stack_run(st, 1000);
      /* The counters go on while the send buffer drains (retransmissions
       * under loss): keep the last snapshot of a live association. */
      csctp_assoc_status cur;
      if (csctp_sock_status(s, 0, &cur) == 0)
        fin = cur;
      continue;
    }
    if (n <= 0)
      break;
  }
  double dt = now_s() - start;
  int err = csctp_sock_error(s);
  double p50 = 0, p99 = 0, mn = 0, mx = 0, avg = 0;
  if (nrtt) {
    qsort(rtts, nrtt, sizeof *rtts, cmp_double);
    p50 = rtts[nrtt / 2];
    p99 = rtts[(size_t)((double)(nrtt - 1) * 0.99)];
    mn = rtts[0];
    mx = rtts[nrtt - 1];
    for (size_t i = 0; i < nrtt; i++)
      avg += rtts[i];
    avg /= (double)nrtt;
  }
  if (o->json) {
    printf("{\"role\":\"client\",\"mode\":\"%s\",\"size\":%ld,\"streams\":%ld,"
           "\"unordered\":%s,\"nodelay\":%s,\"setup_ms\":%.3f,\"seconds\":%.3f,"
           "\"messages\":%llu,\"bytes\":%llu,\"mbps\":%.3f,\"msgs_per_s\":%.1f",
           o->pingpong ? "pingpong" : "throughput", o->size, streams,
           o->unordered ? "true" : "false", o->nodelay ? "true" : "false",
           setup * 1e3, dt, (unsigned long long)sent, (unsigned long long)bytes,
           (double)bytes / dt / 1e6, (double)sent / dt);
    if (nrtt)
      printf(",\"rtt_us\":{\"min\":%.1f,\"avg\":%.1f,\"p50\":%.1f,\"p99\":%.1f,"
             "\"max\":%.1f}",
             mn * 1e6, avg * 1e6, p50 * 1e6, p99 * 1e6, mx * 1e6);
    printf(",\"retransmits\":%llu,\"fast_retransmits\":%llu,"
           "\"t3_expiries\":%llu",
           (unsigned long long)fin.retransmits,
           (unsigned long long)fin.fast_retransmits,
           (unsigned long long)fin.t3_expiries);
    printf(",\"spurious_retransmits\":%llu,\"tail_loss_probes\":%llu",
           (unsigned long long)fin.spurious_retransmits,
           (unsigned long long)fin.tail_loss_probes);
    stack_json(st);
    printf(",\"error\":\"%s\"}\n", err ? csctp_strerror(err) : "");
  } else {
    printf("%s: %llu messages of %ld bytes, %llu bytes in %.2f s "
           "(setup %.1f ms)\n",
           o->pingpong ? "pingpong" : "throughput", (unsigned long long)sent,
           o->size, (unsigned long long)bytes, dt, setup * 1e3);
    printf("  %.2f MB/s, %.0f msgs/s\n", (double)bytes / dt / 1e6,
           (double)sent / dt);
    if (nrtt)
      printf("  rtt us: min %.1f avg %.1f p50 %.1f p99 %.1f max %.1f\n",
             mn * 1e6, avg * 1e6, p50 * 1e6, p99 * 1e6, mx * 1e6);
    printf("  data chunks out %llu, retransmits %llu (fast %llu, T3 "
           "expiries %llu)\n",
           (unsigned long long)fin.data_chunks_out,
           (unsigned long long)fin.retransmits,
           (unsigned long long)fin.fast_retransmits,
           (unsigned long long)fin.t3_expiries);
    if (err)
      printf("  association ended with: %s\n", csctp_strerror(err));
  }
  free(rtts);
  free(msg);
  free(rbuf);
  csctp_close(s);
  return err ? 1 : 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: perf -server [-port P] [-udp-port U] [-raw] [-json] "
          "[-discard]\n"
          "       perf -client HOST[:PORT] [-size B] [-duration S | -count N]\n"
          "            [-streams N] [-unordered] [-nodelay] [-pingpong] "
          "[-json]\n"
          "            [-udp-port U] [-remote-udp-port R] [-raw] [-sndbuf B] "
          "[-rcvbuf B] [-v]\n"
          "            [-cc reno|cubic|cubic-rfc9406] [-pacing off|on]\n");
  exit(2);
}

int main(int argc, char **argv) {
  opts o;
  memset(&o, 0, sizeof o);
  o.port = 5001;
  o.udp_port = -1;
  o.size = 1200;
  o.duration = 10;
  o.streams = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int hv = i + 1 < argc;
    if (!strcmp(a, "-server"))
      o.server = 1;
    else if (!strcmp(a, "-raw"))
      o.raw = 1;
    else if (!strcmp(a, "-json"))
      o.json = 1;
    else if (!strcmp(a, "-unordered"))
      o.unordered = 1;
    else if (!strcmp(a, "-nodelay"))
      o.nodelay = 1;
    else if (!strcmp(a, "-pingpong"))
      o.pingpong = 1;
    else if (!strcmp(a, "-v"))
      o.verbose = 1;
    else if (!strcmp(a, "-discard"))
      o.discard = 1;
    else if (!strcmp(a, "-client") && hv)
      o.client = argv[++i];
    else if (!strcmp(a, "-port") && hv)
      o.port = atol(argv[++i]);
    else if (!strcmp(a, "-udp-port") && hv)
      o.udp_port = atol(argv[++i]);
    else if (!strcmp(a, "-remote-udp-port") && hv)
      o.remote_udp = atol(argv[++i]);
    else if (!strcmp(a, "-size") && hv)
      o.size = atol(argv[++i]);
    else if (!strcmp(a, "-count") && hv)
      o.count = atol(argv[++i]);
    else if (!strcmp(a, "-duration") && hv)
      o.duration = atof(argv[++i]);
    else if (!strcmp(a, "-streams") && hv)
      o.streams = atol(argv[++i]);
    else if (!strcmp(a, "-sndbuf") && hv)
      o.sndbuf = atol(argv[++i]);
    else if (!strcmp(a, "-rcvbuf") && hv)
      o.rcvbuf = atol(argv[++i]);
    else if (!strcmp(a, "-pacing") && hv && !strcmp(argv[i + 1], "on"))
      o.pacing = CSCTP_PACING_ON, i++;
    else if (!strcmp(a, "-pacing") && hv && !strcmp(argv[i + 1], "off"))
      o.pacing = CSCTP_PACING_OFF, i++;
    else if (!strcmp(a, "-cc") && hv && !strcmp(argv[i + 1], "reno"))
      o.cc = CSCTP_CC_RENO, i++;
    else if (!strcmp(a, "-cc") && hv && !strcmp(argv[i + 1], "cubic"))
      o.cc = CSCTP_CC_CUBIC, i++;
    else if (!strcmp(a, "-cc") && hv && !strcmp(argv[i + 1], "cubic-train"))
      o.cc = CSCTP_CC_CUBIC, i++; /* CSCTP_CC_CUBIC_TRAIN's old name */
    else if (!strcmp(a, "-cc") && hv && !strcmp(argv[i + 1], "cubic-rfc9406"))
      o.cc = CSCTP_CC_CUBIC_RFC9406, i++;
    else
      usage();
  }
  if (o.server == !!o.client || o.size <= 0 || o.streams <= 0 ||
      o.streams > 65535)
    usage();
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  if (o.raw)
    cfg.transport = CSCTP_TRANSPORT_RAW;
  if (o.udp_port >= 0)
    cfg.udp_port = (uint16_t)o.udp_port;
  else if (o.client)
    cfg.udp_port = 0;
  csctp_stack *st;
  int r = csctp_stack_new(&st, &cfg);
  if (r)
    die("stack", r);
  if (o.server)
    run_server(st, &o);
  r = run_client(st, &o);
  /* A userland stack dies with the process: let closed associations finish
   * their SHUTDOWN before it goes. */
  (void)csctp_stack_drain(st, 30000);
  csctp_stack_del(st);
  return r;
}
