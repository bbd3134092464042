/* udp_relay.c -- a UDP impairment relay for `make bench-wan`
 * (scripts/bench_wan.sh), `make bench-fair` (scripts/bench_fair.sh) and
 * `make bench-hol`: delay, jitter, loss, reordering and a rate limit
 * with a drop-tail queue, for stacks that run over UDP (SCTP over UDP
 * encapsulation, RFC 6951). The kernel here has no netem; this is ours.
 *
 *   udp_relay -listen PORT -server HOST:PORT [-bind ADDR]
 *             [-delay MS] [-jitter MS] [-loss PCT] [-reorder PCT]
 *             [-reorder-delay MS] [-rate MBIT] [-queue BYTES] [-burst BYTES]
 *             [-up-loss PCT] [-down-loss PCT] [-seed N] [-early MS] [-json]
 *             [-flows FILE]
 *
 * Clients send to ADDR:PORT (default 127.0.0.1); the relay forwards each
 * client's datagrams to the server from a socket of its own for that client
 * (an ephemeral port, connected to the server), and sends the server's
 * replies that arrive on that socket back to that client from PORT. A client
 * is a source address (IP and port): the first one gets the socket opened at
 * start (relay_port in the ready line), each new one another, up to
 * MAX_CLIENTS (16; datagrams from more are dropped, counted as drop_full).
 * All clients share the two links below (one FIFO, rate, queue, loss and
 * delay per direction), as flows through one bottleneck do; with one client
 * the relay is a plain point-to-point impairment.
 *
 * Each direction (up: client -> server, down: server -> client) is its own
 * link with the same settings:
 *   1. loss: each datagram is dropped with probability -loss % (or -up-loss,
 *      -down-loss);
 *   2. rate: a FIFO bottleneck of -rate Mbit/s (0 = unlimited). A datagram
 *      leaves the bottleneck len*8/rate after the one before it, or at once
 *      when the link is idle; a token bucket of -burst bytes (default 0: one
 *      datagram at a time) lets a burst after an idle period go at once.
 *      Drop-tail: a datagram that would find more than -queue bytes waiting
 *      (default 0 = unlimited) is dropped;
 *   3. delay: then it travels -delay ms (one way; RTT = 2 x delay), plus a
 *      uniform random jitter in [0, -jitter] ms. Jitter alone never reorders
 *      (a datagram is not delivered before the one sent before it); with
 *      probability -reorder % a datagram instead gets -reorder-delay ms
 *      (default: delay/2, at least 1 ms) more and may be overtaken.
 * UDP payload bytes are what the rate and the queue count (no IP/UDP header).
 *
 * SCTP accounting (DATA and I-DATA chunks, when a datagram parses as an SCTP
 * packet; kept per client and direction, summed over clients in the output):
 * a chunk whose TSN is not beyond the highest TSN seen so far in that
 * direction for that client is a retransmission (a sender gives new data the
 * next TSN); it is "wire-spurious" when an earlier copy of that TSN passed the
 * relay (was not dropped by the loss or the queue). The receiver may still have
 * dropped the earlier copy itself (full socket buffer, full receive window):
 * the count is an upper bound of what the sender could have avoided.
 * Retransmissions seen within -early ms (default 2000) of the direction's first
 * DATA chunk are also counted apart (rtx_early): on a loss-free path, the
 * slow-start overshoot.
 *
 * On SIGTERM/SIGINT/SIGHUP it prints its counters to stdout (one
 * `udp_relay stats ...` line per direction, or one JSON object with -json)
 * and exits 0. It prints `udp_relay ready ...` on stdout once it listens.
 * -flows FILE: at exit it also writes, per client, the UDP payload bytes the
 * up direction (client -> server) delivered to the server in each second
 * since the relay started (its first FLOW_SECS seconds): `#` comment lines
 * (one `# client N addr=IP:PORT first_ms=T ...` per client: T is when its
 * first datagram came, in ms since the start; its up-direction totals), then
 * one `SECOND CLIENT BYTES` line per second per client, every client from
 * second 0 to the last second anything was delivered (zeros included).
 * scripts/bench_fair.sh reads it.
 * Each direction runs on a thread of its own (so that one direction's sends
 * never hold up the other's receives, and the two use both cores), with
 * non-blocking sockets, ppoll() with a nanosecond timeout to its next
 * departure, and CLOCK_MONOTONIC. Datagrams are read and sent in batches
 * (recvmmsg/sendmmsg, up to 64 a call; up, one call per run of datagrams
 * for the same client's socket). The down thread watches every client's
 * upstream socket; the up thread, which learns new clients, wakes it through
 * an eventfd when it adds one. Delay is constant per direction and
 * jitter never reorders, so the datagrams a direction holds leave in arrival
 * order: they wait in a preallocated FIFO (a ring of slots and a ring of
 * bytes, no allocation per datagram); only the ones picked for reordering go
 * to a small binary heap ordered by delivery time. Loss, the queue and the
 * rate are still decided datagram by datagram. The RNG (xoshiro256**, one
 * stream per direction) is seeded by -seed (default 1), so a direction's
 * loss pattern is repeatable for a given arrival order in that direction.
 * A direction holds at most 2^18 datagrams and 64 MB (drop_full beyond).
 * scripts/udp_blast.c measures what the relay can carry.
 *
 * Build: cc -O2 -pthread -o udp_relay scripts/udp_relay.c */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM 65536
#define FIFO_SLOTS (1u << 18)    /* datagrams held at once per direction */
#define FIFO_BYTES (64u << 20)   /* bytes held at once per direction */
#define MAX_REORDERED (1u << 16) /* reordered datagrams held per direction */
#define TSN_BITS (1u << 22)      /* per-direction window of "passed" bits */
#define BATCH 64                 /* datagrams per recvmmsg / sendmmsg */
#define MAX_WAIT_NS 50000000u /* a thread looks at the stop flag this often */
#define MAX_CLIENTS 16        /* client addresses served at once */
#define FLOW_SECS 3600        /* per-second counters kept per client */

typedef uint64_t ns_t;

static ns_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (ns_t)ts.tv_sec * 1000000000u + (ns_t)ts.tv_nsec;
}

/* ---- RNG: xoshiro256** seeded by splitmix64, one stream per direction --- */

typedef struct rng {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *g) {
  uint64_t *s = g->s;
  uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

/* uniform in [0, 1) */
static double rng_unit(rng *g) {
  return (double)(rng_next(g) >> 11) * 0x1.0p-53;
}

/* ---- settings ----------------------------------------------------------- */

typedef struct link_cfg {
  double loss;        /* probability */
  double rate_bps;    /* bits per second, 0 = unlimited */
  uint64_t queue;     /* bytes, 0 = unlimited */
  uint64_t burst;     /* token bucket depth in bytes */
  ns_t delay, jitter; /* one way */
  double reorder;     /* probability */
  ns_t reorder_delay;
} link_cfg;

/* ---- held datagrams ----------------------------------------------------- */

/* The FIFO: slots in arrival order (= delivery order, see the header), their
 * bytes in a ring of FIFO_BYTES, each datagram contiguous (one that does not
 * fit before the end starts again at 0). */
typedef struct slot {
  ns_t at;
  uint32_t off, len;
  uint32_t cl; /* the client it belongs to (index into clients) */
} slot;

typedef struct fifo {
  slot *slots;
  uint8_t *bytes;
  uint32_t head, n; /* oldest slot, slots in use */
  uint32_t wpos;    /* where the next datagram's bytes go */
} fifo;

/* fifo_place: where a datagram of len bytes would go, or -1 if full. */
static int64_t fifo_place(const fifo *f, uint32_t len) {
  if (f->n == FIFO_SLOTS)
    return -1;
  if (f->n == 0)
    return 0;
  uint32_t r = f->slots[f->head].off; /* the oldest datagram's bytes */
  if (f->wpos >= r) {
    if ((uint64_t)f->wpos + len <= FIFO_BYTES)
      return f->wpos;
    return len < r ? 0 : -1;
  }
  return (uint64_t)f->wpos + len < r ? (int64_t)f->wpos : -1;
}

static void fifo_push(fifo *f, uint32_t off, const uint8_t *buf, uint32_t len,
                      ns_t at, uint32_t cl) {
  if (f->n == 0)
    f->head = 0;
  memcpy(f->bytes + off, buf, len);
  slot *s = &f->slots[(f->head + f->n) & (FIFO_SLOTS - 1)];
  s->at = at;
  s->off = off;
  s->len = len;
  s->cl = cl;
  f->n++;
  f->wpos = off + len;
}

/* The reordered datagrams: a binary heap by delivery time. */
typedef struct held {
  ns_t at;
  uint64_t seq;
  uint32_t len, cl;
  uint8_t *data;
} held;

typedef struct heap {
  held *v;
  size_t n, cap;
  uint64_t seq;
} heap;

static int heap_less(const held *a, const held *b) {
  return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static int heap_push(heap *hp, held h) {
  if (hp->n == hp->cap) {
    size_t nc = hp->cap ? hp->cap * 2 : 256;
    held *n = realloc(hp->v, nc * sizeof *n);
    if (!n)
      return -1;
    hp->v = n;
    hp->cap = nc;
  }
  size_t i = hp->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!heap_less(&h, &hp->v[p]))
      break;
    hp->v[i] = hp->v[p];
    i = p;
  }
  hp->v[i] = h;
  return 0;
}

static held heap_pop(heap *hp) {
  held *v = hp->v;
  held top = v[0], last = v[--hp->n];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    const held *mv = &last;
    if (l < hp->n && heap_less(&v[l], mv)) {
      m = l;
      mv = &v[l];
    }
    if (r < hp->n && heap_less(&v[r], mv))
      m = r;
    if (m == i)
      break;
    v[i] = v[m];
    i = m;
  }
  if (hp->n)
    v[i] = last;
  return top;
}

/* ---- per-direction state ------------------------------------------------ */

/* One client's SCTP TSN state in one direction (see tsn_visit). */
typedef struct tsn_state {
  int have_tsn;
  uint32_t max_tsn;
  ns_t first_data; /* when the first DATA chunk came by; 0: none yet */
  uint8_t *passed; /* TSN_BITS bits: a copy of this TSN passed the relay */
} tsn_state;

typedef struct dir {
  const char *name;
  link_cfg cfg;
  int to_client; /* down: read from the clients' sockets, send to them */
  rng rng;
  fifo fifo;
  heap reord;
  ns_t last_depart;  /* when the bottleneck finishes the last datagram */
  ns_t last_deliver; /* delivery time of the last non-reordered datagram */
  /* counters */
  uint64_t in_pkts, in_bytes, out_pkts, out_bytes;
  uint64_t drop_loss, drop_queue, drop_full, send_err;
  uint64_t reordered, max_backlog;
  /* SCTP, summed over the clients */
  uint64_t data_chunks, rtx_chunks, spurious_chunks;
  uint64_t rtx_early; /* retransmissions within -early of first_data */
} dir;

/* ---- clients ------------------------------------------------------------ */

/* A client: written by the up thread before it publishes nclients (release),
 * then read-only but for the counters, which only the up thread touches
 * (tsn[1]: only the down thread). */
typedef struct client {
  struct sockaddr_storage addr;
  socklen_t len;
  int fd;           /* its upstream socket, connected to the server */
  ns_t first;       /* when its first datagram came */
  tsn_state tsn[2]; /* [0] up, [1] down */
  uint64_t up_in_bytes, up_out_bytes, up_drops;
  uint64_t *up_sec; /* FLOW_SECS: up payload bytes delivered per second */
} client;

static client clients[MAX_CLIENTS];
static _Atomic unsigned nclients;
static int client_wake = -1; /* eventfd: a new client's socket to watch */

/* ---- SCTP parsing ------------------------------------------------------- */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* tsn_visit counts every DATA (0) / I-DATA (64) chunk of an SCTP packet;
 * nothing if the datagram does not parse as one. */
static ns_t early_ns = 2000000000u; /* -early */

static void tsn_visit(dir *d, tsn_state *ts, const uint8_t *p, size_t n,
                      int passed, ns_t now) {
  if (n < 12 + 4)
    return;
  size_t off = 12;
  while (off + 4 <= n) {
    uint8_t type = p[off];
    size_t clen = (size_t)p[off + 2] << 8 | p[off + 3];
    if (clen < 4 || off + clen > n)
      return;
    if ((type == 0 || type == 64) && clen >= 8) {
      uint32_t tsn = be32(p + off + 4);
      uint32_t bit = tsn & (TSN_BITS - 1);
      uint8_t mask = (uint8_t)(1u << (bit & 7));
      d->data_chunks++;
      if (!ts->first_data)
        ts->first_data = now;
      if (ts->have_tsn && (int32_t)(tsn - ts->max_tsn) <= 0) {
        d->rtx_chunks++;
        if (now - ts->first_data <= early_ns)
          d->rtx_early++;
        if (ts->passed[bit >> 3] & mask)
          d->spurious_chunks++;
      } else {
        ts->have_tsn = 1;
        ts->max_tsn = tsn;
        ts->passed[bit >> 3] &= (uint8_t)~mask;
      }
      if (passed)
        ts->passed[bit >> 3] |= mask;
    }
    off += (clen + 3) & ~(size_t)3;
  }
}

/* ---- the relay ---------------------------------------------------------- */

static atomic_int stop; /* set by the main thread, read by the others */

static int csock = -1, ssock = -1; /* client-facing, first server-facing */
static struct sockaddr_storage server_addr;
static socklen_t server_len;
static dir up = {.name = "up"}, down = {.name = "down"};
static int json;
static ns_t t_start; /* the relay's start: second 0 of the flow counters */

static void bigbuf(int fd) {
  int v = 32 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  v = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
}

/* admit_rate runs the bottleneck (rate, token bucket, drop-tail queue) for
 * one datagram of n bytes; it sets *depart and returns 0 if it is queued,
 * -1 if the queue is full. */
static int admit_rate(dir *d, size_t n, ns_t now, ns_t *depart) {
  const link_cfg *c = &d->cfg;
  ns_t tx = (ns_t)((double)n * 8.0 * 1e9 / c->rate_bps);
  ns_t burst_ns = (ns_t)((double)c->burst * 8.0 * 1e9 / c->rate_bps);
  ns_t start = d->last_depart;
  if (start + burst_ns < now)
    start = now - burst_ns; /* idle: the bucket refilled */
  uint64_t backlog =
      d->last_depart > now
          ? (uint64_t)((double)(d->last_depart - now) * c->rate_bps / 8e9)
          : 0;
  if (c->queue && backlog + n > c->queue)
    return -1;
  if (backlog + n > d->max_backlog)
    d->max_backlog = backlog + n;
  *depart = start + tx;
  if (*depart < now)
    *depart = now;
  d->last_depart = *depart;
  return 0;
}

/* admit runs one arriving datagram of client cl through loss, queue and
 * delay. */
static void admit(dir *d, const uint8_t *buf, size_t n, ns_t now, uint32_t cl) {
  const link_cfg *c = &d->cfg;
  client *k = &clients[cl];
  d->in_pkts++;
  d->in_bytes += n;
  if (!d->to_client)
    k->up_in_bytes += n;
  int pass = 1;
  ns_t depart = now;
  int64_t off = fifo_place(&d->fifo, (uint32_t)n);
  if (c->loss > 0 && rng_unit(&d->rng) < c->loss) {
    d->drop_loss++;
    pass = 0;
  } else if (c->rate_bps > 0 && admit_rate(d, n, now, &depart) != 0) {
    d->drop_queue++;
    pass = 0;
  }
  if (pass && off < 0) {
    d->drop_full++;
    pass = 0;
  }
  tsn_visit(d, &k->tsn[d->to_client], buf, n, pass, now);
  if (!pass) {
    if (!d->to_client)
      k->up_drops++;
    return;
  }
  ns_t at = depart + c->delay;
  if (c->jitter)
    at += (ns_t)(rng_unit(&d->rng) * (double)c->jitter);
  if (c->reorder > 0 && rng_unit(&d->rng) < c->reorder) {
    at += c->reorder_delay;
    d->reordered++;
    uint8_t *copy = d->reord.n < MAX_REORDERED ? malloc(n ? n : 1) : NULL;
    if (!copy) {
      d->drop_full++;
      if (!d->to_client)
        k->up_drops++;
      return;
    }
    memcpy(copy, buf, n);
    held h = {at, d->reord.seq++, (uint32_t)n, cl, copy};
    if (heap_push(&d->reord, h) != 0) {
      free(copy);
      d->drop_full++;
      if (!d->to_client)
        k->up_drops++;
    }
    return;
  }
  if (at < d->last_deliver)
    at = d->last_deliver;
  d->last_deliver = at;
  fifo_push(&d->fifo, (uint32_t)off, buf, (uint32_t)n, at, cl);
}

/* next_due: when the direction's next datagram is due (0: none held). */
static ns_t next_due(const dir *d) {
  ns_t t = 0;
  if (d->fifo.n)
    t = d->fifo.slots[d->fifo.head].at;
  if (d->reord.n && (!t || d->reord.v[0].at < t))
    t = d->reord.v[0].at;
  return t;
}

/* sent_up: the up direction delivered n bytes of client cl at now. */
static void sent_up(uint32_t cl, size_t n, ns_t now) {
  client *k = &clients[cl];
  uint64_t sec = (now - t_start) / 1000000000u;
  k->up_out_bytes += n;
  if (sec < FLOW_SECS)
    k->up_sec[sec] += n;
}

/* send_runs sends m[0..k) with sendmmsg, each run of consecutive datagrams
 * with the same socket (fds) in one call at most BATCH long. */
static void send_runs(dir *d, struct mmsghdr *m, const int *fds,
                      const uint32_t *cls, int k, ns_t now) {
  int i = 0;
  while (i < k) {
    int j = i + 1;
    while (j < k && fds[j] == fds[i])
      j++;
    int r = sendmmsg(fds[i], m + i, (unsigned)(j - i), 0);
    if (r <= 0) {
      d->send_err++; /* this one failed; go on with the next */
      i++;
      continue;
    }
    for (int x = i; x < i + r; x++) {
      size_t len = m[x].msg_hdr.msg_iov->iov_len;
      d->out_pkts++;
      d->out_bytes += len;
      if (!d->to_client)
        sent_up(cls[x], len, now);
    }
    i += r;
  }
}

/* release sends what is due at now, in batches of BATCH, earliest first:
 * up on the client's own upstream socket, down from the listening socket to
 * the client's address. */
static void release(dir *d, ns_t now) {
  struct mmsghdr m[BATCH];
  struct iovec iov[BATCH];
  uint8_t *owned[BATCH]; /* heap copies to free after the send */
  int fds[BATCH];
  uint32_t cls[BATCH];
  for (;;) {
    int k = 0, nfifo = 0;
    uint32_t fi = d->fifo.head;
    while (k < BATCH) {
      const slot *s = nfifo < (int)d->fifo.n ? &d->fifo.slots[fi] : NULL;
      const held *h = d->reord.n ? &d->reord.v[0] : NULL;
      if (s && s->at > now)
        s = NULL;
      if (h && h->at > now)
        h = NULL;
      if (!s && !h)
        break;
      if (h && (!s || h->at < s->at)) {
        held x = heap_pop(&d->reord);
        iov[k].iov_base = x.data;
        iov[k].iov_len = x.len;
        owned[k] = x.data;
        cls[k] = x.cl;
      } else {
        iov[k].iov_base = d->fifo.bytes + s->off;
        iov[k].iov_len = s->len;
        owned[k] = NULL;
        cls[k] = s->cl;
        nfifo++;
        fi = (fi + 1) & (FIFO_SLOTS - 1);
      }
      const client *c = &clients[cls[k]];
      memset(&m[k], 0, sizeof m[k]);
      m[k].msg_hdr.msg_iov = &iov[k];
      m[k].msg_hdr.msg_iovlen = 1;
      if (d->to_client) {
        m[k].msg_hdr.msg_name = (void *)&c->addr;
        m[k].msg_hdr.msg_namelen = c->len;
        fds[k] = csock;
      } else {
        fds[k] = c->fd;
      }
      k++;
    }
    if (k == 0)
      return;
    send_runs(d, m, fds, cls, k, now);
    for (int i = 0; i < k; i++)
      free(owned[i]);
    d->fifo.head = fi;
    d->fifo.n -= (uint32_t)nfifo;
    if (k < BATCH)
      return;
  }
}

/* client_open: a new client at from (up thread): its upstream socket (the
 * first client gets the one opened at start), published to the down thread.
 * Its index, or -1 (table full, no socket, no memory). */
static int client_open(const struct sockaddr_storage *from, socklen_t fl,
                       ns_t now) {
  unsigned n = atomic_load_explicit(&nclients, memory_order_relaxed);
  if (n == MAX_CLIENTS)
    return -1;
  client *c = &clients[n];
  int fd = ssock;
  if (n > 0) {
    fd = socket(server_addr.ss_family,
                SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return -1;
    bigbuf(fd);
    if (connect(fd, (struct sockaddr *)&server_addr, server_len) != 0) {
      close(fd);
      return -1;
    }
  }
  c->up_sec = calloc(FLOW_SECS, sizeof *c->up_sec);
  c->tsn[0].passed = calloc(TSN_BITS / 8, 1);
  c->tsn[1].passed = calloc(TSN_BITS / 8, 1);
  if (!c->up_sec || !c->tsn[0].passed || !c->tsn[1].passed) {
    free(c->up_sec);
    free(c->tsn[0].passed);
    free(c->tsn[1].passed);
    memset(c, 0, sizeof *c);
    if (fd != ssock)
      close(fd);
    return -1;
  }
  memcpy(&c->addr, from, fl);
  c->len = fl;
  c->fd = fd;
  c->first = now;
  atomic_store_explicit(&nclients, n + 1, memory_order_release);
  uint64_t one = 1; /* the down thread watches its socket from now on */
  if (write(client_wake, &one, sizeof one) < 0)
    perror("udp_relay: eventfd"); /* the down thread sees it within 50 ms */
  return (int)n;
}

/* client_find: the index of the client at from (up thread), a new one if it
 * is new; -1 if it cannot be served. */
static int client_find(const struct sockaddr_storage *from, socklen_t fl,
                       ns_t now) {
  static int last = -1; /* most datagrams come from the one before's client */
  unsigned n = atomic_load_explicit(&nclients, memory_order_relaxed);
  if (last >= 0 && clients[last].len == fl &&
      !memcmp(&clients[last].addr, from, fl))
    return last;
  for (unsigned i = 0; i < n; i++)
    if (clients[i].len == fl && !memcmp(&clients[i].addr, from, fl))
      return last = (int)i;
  int r = client_open(from, fl, now);
  if (r >= 0)
    last = r;
  return r;
}

/* receive reads up to BATCH datagrams from fd and admits them (down: those
 * of client cl; up: cl is ignored, each datagram's source says); the number
 * read. */
static int receive(dir *d, uint8_t *buf, int fd, uint32_t cl) {
  struct mmsghdr m[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_storage from[BATCH];
  memset(m, 0, sizeof m);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = buf + (size_t)i * MAX_DGRAM;
    iov[i].iov_len = MAX_DGRAM;
    m[i].msg_hdr.msg_iov = &iov[i];
    m[i].msg_hdr.msg_iovlen = 1;
    if (!d->to_client) {
      m[i].msg_hdr.msg_name = &from[i];
      m[i].msg_hdr.msg_namelen = sizeof from[i];
    }
  }
  int r = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
  if (r <= 0)
    return 0;
  ns_t now = now_ns();
  for (int i = 0; i < r; i++) {
    if (!d->to_client) {
      int c = client_find(&from[i], m[i].msg_hdr.msg_namelen, now);
      if (c < 0) {
        d->in_pkts++;
        d->in_bytes += m[i].msg_len;
        d->drop_full++; /* more clients than MAX_CLIENTS */
        continue;
      }
      cl = (uint32_t)c;
    }
    admit(d, iov[i].iov_base, m[i].msg_len, now, cl);
  }
  return r;
}

/* watch_fds: the sockets a direction reads: up the listening socket; down
 * the wake-up eventfd, then every client's upstream socket (pfd[1 + i] is
 * client i's). The number of entries. */
static int watch_fds(const dir *d, struct pollfd *pfd) {
  if (!d->to_client) {
    pfd[0] = (struct pollfd){.fd = csock, .events = POLLIN};
    return 1;
  }
  unsigned n = atomic_load_explicit(&nclients, memory_order_acquire);
  pfd[0] = (struct pollfd){.fd = client_wake, .events = POLLIN};
  for (unsigned i = 0; i < n; i++)
    pfd[1 + i] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
  return 1 + (int)n;
}

/* dir_run: one direction's loop, until stop. */
static void *dir_run(void *arg) {
  dir *d = arg;
  uint8_t *buf = malloc((size_t)BATCH * MAX_DGRAM);
  if (!buf) {
    fprintf(stderr, "udp_relay: out of memory\n");
    exit(1);
  }
  struct pollfd pfd[1 + MAX_CLIENTS];
  while (!stop) {
    ns_t now = now_ns();
    release(d, now);
    ns_t due = next_due(d), wait = MAX_WAIT_NS;
    if (due && due <= now)
      wait = 0;
    else if (due && due - now < wait)
      wait = due - now;
    struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000u),
                          .tv_nsec = (long)(wait % 1000000000u)};
    int nfd = watch_fds(d, pfd);
    int r = ppoll(pfd, (nfds_t)nfd, &ts, NULL);
    if (r < 0 && errno != EINTR) {
      perror("udp_relay: ppoll");
      exit(1);
    }
    if (r <= 0)
      continue;
    if (d->to_client && (pfd[0].revents & POLLIN)) {
      uint64_t v;
      if (read(client_wake, &v, sizeof v) < 0 && errno != EAGAIN)
        perror("udp_relay: eventfd");
    }
    for (int i = d->to_client ? 1 : 0; i < nfd; i++) {
      if (!(pfd[i].revents & POLLIN))
        continue;
      uint32_t cl = d->to_client ? (uint32_t)(i - 1) : 0;
      for (int k = 0; k < 4 && receive(d, buf, pfd[i].fd, cl) == BATCH; k++)
        ;
    }
  }
  free(buf);
  return NULL;
}

/* write_flows: the -flows file (see the header). */
static int write_flows(const char *path, ns_t end) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  unsigned n = atomic_load_explicit(&nclients, memory_order_acquire);
  uint64_t last = 0; /* one past the last second with bytes */
  for (unsigned i = 0; i < n; i++)
    for (uint64_t s = 0; s < FLOW_SECS; s++)
      if (clients[i].up_sec[s] && s + 1 > last)
        last = s + 1;
  fprintf(f,
          "# udp_relay flows: UDP payload bytes the up direction (client -> "
          "server) delivered, per client per second since the relay "
          "started\n# clients=%u seconds=%llu run_ms=%.1f\n",
          n, (unsigned long long)last, (double)(end - t_start) / 1e6);
  for (unsigned i = 0; i < n; i++) {
    const client *c = &clients[i];
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (c->addr.ss_family == AF_INET6) {
      const struct sockaddr_in6 *a = (const void *)&c->addr;
      inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
      port = ntohs(a->sin6_port);
    } else if (c->addr.ss_family == AF_INET) {
      const struct sockaddr_in *a = (const void *)&c->addr;
      inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
      port = ntohs(a->sin_port);
    }
    fprintf(f,
            "# client %u addr=%s:%u first_ms=%.1f up_in_bytes=%llu "
            "up_out_bytes=%llu up_drops=%llu\n",
            i, host, port, (double)(c->first - t_start) / 1e6,
            (unsigned long long)c->up_in_bytes,
            (unsigned long long)c->up_out_bytes,
            (unsigned long long)c->up_drops);
  }
  fprintf(f, "# second client bytes\n");
  for (uint64_t s = 0; s < last; s++)
    for (unsigned i = 0; i < n; i++)
      fprintf(f, "%llu %u %llu\n", (unsigned long long)s, i,
              (unsigned long long)clients[i].up_sec[s]);
  return fclose(f);
}

static void print_stats(void) {
  const dir *ds[2] = {&up, &down};
  if (json) {
    printf("{");
    for (int i = 0; i < 2; i++) {
      const dir *d = ds[i];
      printf(
          "%s\"%s\":{\"in_pkts\":%llu,\"in_bytes\":%llu,\"out_pkts\":%llu,"
          "\"out_bytes\":%llu,\"drop_loss\":%llu,\"drop_queue\":%llu,"
          "\"drop_full\":%llu,\"send_err\":%llu,\"reordered\":%llu,"
          "\"max_backlog\":%llu,\"data_chunks\":%llu,\"rtx_chunks\":%llu,"
          "\"spurious_chunks\":%llu,\"rtx_early\":%llu}",
          i ? "," : "", d->name, (unsigned long long)d->in_pkts,
          (unsigned long long)d->in_bytes, (unsigned long long)d->out_pkts,
          (unsigned long long)d->out_bytes, (unsigned long long)d->drop_loss,
          (unsigned long long)d->drop_queue, (unsigned long long)d->drop_full,
          (unsigned long long)d->send_err, (unsigned long long)d->reordered,
          (unsigned long long)d->max_backlog,
          (unsigned long long)d->data_chunks, (unsigned long long)d->rtx_chunks,
          (unsigned long long)d->spurious_chunks,
          (unsigned long long)d->rtx_early);
    }
    printf("}\n");
  } else {
    for (int i = 0; i < 2; i++) {
      const dir *d = ds[i];
      printf(
          "udp_relay stats dir=%s in=%llu out=%llu drop_loss=%llu "
          "drop_queue=%llu "
          "drop_full=%llu send_err=%llu reordered=%llu max_backlog=%llu "
          "data_chunks=%llu rtx_chunks=%llu spurious_chunks=%llu "
          "rtx_early=%llu\n",
          d->name, (unsigned long long)d->in_pkts,
          (unsigned long long)d->out_pkts, (unsigned long long)d->drop_loss,
          (unsigned long long)d->drop_queue, (unsigned long long)d->drop_full,
          (unsigned long long)d->send_err, (unsigned long long)d->reordered,
          (unsigned long long)d->max_backlog,
          (unsigned long long)d->data_chunks, (unsigned long long)d->rtx_chunks,
          (unsigned long long)d->spurious_chunks,
          (unsigned long long)d->rtx_early);
    }
  }
  fflush(stdout);
}

static void usage(void) {
  fprintf(stderr,
          "usage: udp_relay -listen PORT -server HOST:PORT [-bind ADDR]\n"
          "         [-delay MS] [-jitter MS] [-loss PCT] [-up-loss PCT] "
          "[-down-loss PCT]\n"
          "         [-reorder PCT] [-reorder-delay MS] [-rate MBIT] [-queue "
          "BYTES]\n"
          "         [-burst BYTES] [-seed N] [-early MS] [-json] [-flows "
          "FILE]\n");
  exit(2);
}

static int resolve(const char *host, const char *port,
                   struct sockaddr_storage *ss, socklen_t *len) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, port, &hints, &res) != 0)
    return -1;
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

int main(int argc, char **argv) {
  const char *listen_port = NULL, *server = NULL, *bind_addr = "127.0.0.1";
  const char *flows = NULL;
  double delay_ms = 0, jitter_ms = 0, loss = 0, reorder = 0, rate = 0;
  double up_loss = -1, down_loss = -1, reorder_ms = -1;
  uint64_t queue = 0, burst = 0, seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int hv = i + 1 < argc;
#define ARG(name) (!strcmp(a, name) && hv)
    if (ARG("-listen"))
      listen_port = argv[++i];
    else if (ARG("-server"))
      server = argv[++i];
    else if (ARG("-bind"))
      bind_addr = argv[++i];
    else if (ARG("-delay"))
      delay_ms = atof(argv[++i]);
    else if (ARG("-jitter"))
      jitter_ms = atof(argv[++i]);
    else if (ARG("-loss"))
      loss = atof(argv[++i]);
    else if (ARG("-up-loss"))
      up_loss = atof(argv[++i]);
    else if (ARG("-down-loss"))
      down_loss = atof(argv[++i]);
    else if (ARG("-reorder"))
      reorder = atof(argv[++i]);
    else if (ARG("-reorder-delay"))
      reorder_ms = atof(argv[++i]);
    else if (ARG("-rate"))
      rate = atof(argv[++i]);
    else if (ARG("-queue"))
      queue = strtoull(argv[++i], NULL, 10);
    else if (ARG("-burst"))
      burst = strtoull(argv[++i], NULL, 10);
    else if (ARG("-seed"))
      seed = strtoull(argv[++i], NULL, 10);
    else if (ARG("-early"))
      early_ns = (ns_t)(atof(argv[++i]) * 1e6);
    else if (ARG("-flows"))
      flows = argv[++i];
    else if (!strcmp(a, "-json"))
      json = 1;
    else
      usage();
#undef ARG
  }
  if (!listen_port || !server || delay_ms < 0 || jitter_ms < 0 || rate < 0)
    usage();
  /* HOST:PORT, [v6]:PORT */
  char host[256];
  const char *colon = strrchr(server, ':');
  if (!colon || (size_t)(colon - server) >= sizeof host)
    usage();
  memcpy(host, server, (size_t)(colon - server));
  host[colon - server] = 0;
  char *h = host;
  if (h[0] == '[' && h[strlen(h) - 1] == ']') {
    h[strlen(h) - 1] = 0;
    h++;
  }
  if (resolve(h, colon + 1, &server_addr, &server_len) != 0) {
    fprintf(stderr, "udp_relay: cannot resolve %s\n", server);
    return 1;
  }
  struct sockaddr_storage la;
  socklen_t lalen;
  if (resolve(bind_addr, listen_port, &la, &lalen) != 0) {
    fprintf(stderr, "udp_relay: cannot resolve %s\n", bind_addr);
    return 1;
  }

  for (int i = 0; i < 4; i++)
    up.rng.s[i] = splitmix64(&seed);
  for (int i = 0; i < 4; i++)
    down.rng.s[i] = splitmix64(&seed);
  link_cfg base = {
      .rate_bps = rate * 1e6,
      .queue = queue,
      .burst = burst,
      .delay = (ns_t)(delay_ms * 1e6),
      .jitter = (ns_t)(jitter_ms * 1e6),
      .reorder = reorder / 100.0,
  };
  base.reorder_delay =
      reorder_ms >= 0 ? (ns_t)(reorder_ms * 1e6) : base.delay / 2;
  if (base.reorder_delay < 1000000)
    base.reorder_delay = 1000000;
  up.cfg = down.cfg = base;
  up.cfg.loss = (up_loss >= 0 ? up_loss : loss) / 100.0;
  down.cfg.loss = (down_loss >= 0 ? down_loss : loss) / 100.0;
  dir *ds[2] = {&up, &down};
  for (int i = 0; i < 2; i++) {
    ds[i]->fifo.slots = malloc(FIFO_SLOTS * sizeof(slot));
    ds[i]->fifo.bytes = malloc(FIFO_BYTES);
  }
  if (!up.fifo.slots || !up.fifo.bytes || !down.fifo.slots ||
      !down.fifo.bytes) {
    fprintf(stderr, "udp_relay: out of memory\n");
    return 1;
  }

  csock = socket(la.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ssock = socket(server_addr.ss_family,
                 SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  client_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (csock < 0 || ssock < 0 || client_wake < 0) {
    perror("udp_relay: socket");
    return 1;
  }
  bigbuf(csock);
  bigbuf(ssock);
  if (bind(csock, (struct sockaddr *)&la, lalen) != 0) {
    fprintf(stderr, "udp_relay: bind %s:%s: %s\n", bind_addr, listen_port,
            strerror(errno));
    return 1;
  }
  /* The server-facing socket: connected, so that only the server's replies
   * reach it. */
  if (connect(ssock, (struct sockaddr *)&server_addr, server_len) != 0) {
    fprintf(stderr, "udp_relay: connect %s: %s\n", server, strerror(errno));
    return 1;
  }
  struct sockaddr_storage sa;
  socklen_t salen = sizeof sa;
  getsockname(ssock, (struct sockaddr *)&sa, &salen);
  unsigned sport = sa.ss_family == AF_INET6
                       ? ntohs(((struct sockaddr_in6 *)&sa)->sin6_port)
                       : ntohs(((struct sockaddr_in *)&sa)->sin_port);

  /* SIGTERM/SIGINT/SIGHUP: blocked in every thread; the main thread waits
   * for one and then stops the two direction threads. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);

  t_start = now_ns();
  printf("udp_relay ready listen=%s:%s server=%s relay_port=%u delay_ms=%g "
         "jitter_ms=%g "
         "loss_up=%g%% loss_down=%g%% reorder=%g%% rate_mbit=%g queue=%llu "
         "burst=%llu\n",
         bind_addr, listen_port, server, sport, delay_ms, jitter_ms,
         up.cfg.loss * 100, down.cfg.loss * 100, reorder, rate,
         (unsigned long long)queue, (unsigned long long)burst);
  fflush(stdout);

  down.to_client = 1;
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&th[i], NULL, dir_run, ds[i]) != 0) {
      fprintf(stderr, "udp_relay: cannot start a thread\n");
      return 1;
    }
  int sig;
  while (sigwait(&sigs, &sig) != 0)
    ;
  stop = 1;
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  print_stats();
  if (flows && write_flows(flows, now_ns()) != 0) {
    fprintf(stderr, "udp_relay: cannot write %s: %s\n", flows, strerror(errno));
    return 1;
  }
  return 0;
}
