#include "config.h"

/* io_loop.c -- the stack: transports, endpoints per SCTP port, the event
 * loop and its timer, packet demultiplexing, and turning engine events into
 * socket state (see csctp_io.h). The waiting itself is the readiness
 * backend's (io_poller_*.c: epoll, kqueue or poll). */

#include "crc32c.h"
#include "io_internal.h"
#include "io_pcap.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Receive batches per fd per step: bounds the work of one step. */
#define IO_STEP_ROUNDS 16
/* INIT pacing shared by the stack's endpoints (pacer.h): a lone dial or a
 * few dozen leave at once; a burst of thousands goes out at 50,000 INITs a
 * second instead of overflowing the listener's receive queue in one go. */
#define IO_INIT_BURST 64
#define IO_INIT_INTERVAL (20 * CSCTP_MILLISECONDS / 1000)

/* ---- Memory ------------------------------------------------------------ */

void *io_alloc(csctp_stack *st, size_t n) {
  return st->mem.malloc(n, st->mem.user_data);
}

void *io_zalloc(csctp_stack *st, size_t n) {
  return st->mem.calloc(1, n, st->mem.user_data);
}

void io_free(csctp_stack *st, void *p) {
  if (p)
    st->mem.free(p, st->mem.user_data);
}

/* ---- Addresses --------------------------------------------------------- */

int io_sockaddr_to_addr(csctp_addr *a, const void *sa, uint16_t *port) {
  const struct sockaddr *s = sa;
  memset(a, 0, sizeof *a);
  if (s->sa_family == AF_INET) {
    struct sockaddr_in sin;
    memcpy(&sin, sa, sizeof sin);
    a->family = CSCTP_AF_INET;
    memcpy(a->ip, &sin.sin_addr, 4);
    if (port)
      *port = ntohs(sin.sin_port);
    return 0;
  }
  if (s->sa_family == AF_INET6) {
    struct sockaddr_in6 sin6;
    memcpy(&sin6, sa, sizeof sin6);
    if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
      a->family = CSCTP_AF_INET;
      memcpy(a->ip, sin6.sin6_addr.s6_addr + 12, 4);
    } else {
      a->family = CSCTP_AF_INET6;
      memcpy(a->ip, &sin6.sin6_addr, 16);
      a->scope_id = sin6.sin6_scope_id;
    }
    if (port)
      *port = ntohs(sin6.sin6_port);
    return 0;
  }
  if (s->sa_family == CSCTP_AF_CONN) {
    struct csctp_sockaddr_conn sc;
    memcpy(&sc, sa, sizeof sc);
    csctp_addr_set_conn(a, sc.sconn_addr);
    if (port)
      *port = ntohs(sc.sconn_port);
    return 0;
  }
  return CSCTP_ERR_INVAL;
}

int io_addr_to_sockaddr(const csctp_addr *a, uint16_t port,
                        struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (a->family == CSCTP_AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    memcpy(&sin->sin_addr, a->ip, 4);
    return (int)sizeof *sin;
  }
  if (a->family == CSCTP_AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, a->ip, 16);
    sin6->sin6_scope_id = a->scope_id;
    return (int)sizeof *sin6;
  }
  if (a->family == CSCTP_AF_CONN) {
    struct csctp_sockaddr_conn *sc = (struct csctp_sockaddr_conn *)ss;
#ifdef CSCTP_SOCKADDR_HAS_LEN
    sc->sconn_len = (uint8_t)sizeof *sc;
#endif
    sc->sconn_family = CSCTP_AF_CONN;
    sc->sconn_port = htons(port);
    sc->sconn_addr = csctp_addr_conn_handle(a);
    return (int)sizeof *sc;
  }
  return CSCTP_ERR_INVAL;
}

CSCTP_API int csctp_addr_from_sockaddr(csctp_addr *a, uint16_t *sctp_port,
                                       const struct sockaddr *sa,
                                       socklen_t salen) {
  if (!a || !sa)
    return CSCTP_ERR_INVAL;
  if ((sa->sa_family == AF_INET && salen < sizeof(struct sockaddr_in)) ||
      (sa->sa_family == AF_INET6 && salen < sizeof(struct sockaddr_in6)) ||
      (sa->sa_family == CSCTP_AF_CONN &&
       salen < sizeof(struct csctp_sockaddr_conn)))
    return CSCTP_ERR_INVAL;
  return io_sockaddr_to_addr(a, sa, sctp_port);
}

CSCTP_API int csctp_addr_to_sockaddr(const csctp_addr *a, uint16_t sctp_port,
                                     struct sockaddr_storage *ss) {
  if (!a || !ss)
    return CSCTP_ERR_INVAL;
  return io_addr_to_sockaddr(a, sctp_port, ss);
}

/* ---- Clock ------------------------------------------------------------- */

CSCTP_API csctp_tstamp csctp_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (csctp_tstamp)ts.tv_sec * CSCTP_SECONDS + (csctp_tstamp)ts.tv_nsec;
}

/* ---- Stack ------------------------------------------------------------- */

/* An eighth of the machine's memory, at least 64 MiB. */
static uint64_t io_default_mem_limit(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  uint64_t m = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 8 : 0;
  return m > ((uint64_t)64 << 20) ? m : (uint64_t)64 << 20;
}

CSCTP_API void csctp_stack_config_default(csctp_stack_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->transport = CSCTP_TRANSPORT_UDP;
  cfg->families = CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6;
  cfg->udp_port = CSCTP_UDP_ENCAPS_PORT;
  cfg->remote_udp_port = CSCTP_UDP_ENCAPS_PORT;
  cfg->so_rcvbuf = 4 << 20;
  cfg->so_sndbuf = 4 << 20;
  csctp_settings_default(&cfg->settings);
  cfg->settings.pmtud = 1; /* RFC 8899 over UDP encapsulation and raw IP */
  cfg->mem_limit = io_default_mem_limit();
}

/* The kernel transport's stand-in: the kernel moves the packets. */
static int io_null_recv(io_transport *t, int which, io_pkt *pkts, size_t n) {
  (void)t;
  (void)which;
  (void)pkts;
  (void)n;
  return 0;
}

static int io_null_send(io_transport *t, const io_pkt *pkts, size_t n) {
  (void)pkts;
  t->stats.send_errors += n;
  return (int)n;
}

typedef struct io_null {
  io_transport t;
  csctp_mem mem;
} io_null;

static void io_null_close(io_transport *t) {
  io_null *z = (io_null *)t;
  z->mem.free(z, z->mem.user_data);
}

static const io_transport_ops io_null_ops = {"kernel", io_null_recv,
                                             io_null_send, io_null_close};

static int io_null_open(io_transport **out, const csctp_mem *mem) {
  io_null *z = mem->calloc(1, sizeof *z, mem->user_data);
  if (!z)
    return CSCTP_ERR_NOMEM;
  z->mem = *mem;
  z->t.ops = &io_null_ops;
  z->t.families = CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6;
  *out = &z->t;
  return 0;
}

static void io_on_unreach(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                          size_t len);
static void io_on_too_big(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                          size_t len, uint32_t size);

static void io_log(csctp_stack *st, const char *msg) {
  if (st->cfg.log)
    st->cfg.log(msg, st->cfg.log_user_data);
}

CSCTP_API int csctp_stack_new(csctp_stack **out,
                              const csctp_stack_config *cfg) {
  csctp_stack_config def;
  if (!out)
    return CSCTP_ERR_INVAL;
  *out = NULL;
  if (!cfg) {
    csctp_stack_config_default(&def);
    cfg = &def;
  }
  if (cfg->transport != CSCTP_TRANSPORT_UDP &&
      cfg->transport != CSCTP_TRANSPORT_RAW &&
      cfg->transport != CSCTP_TRANSPORT_KERNEL &&
      cfg->transport != CSCTP_TRANSPORT_CONN)
    return CSCTP_ERR_INVAL;
  if (io_conn_config_check(cfg) != 0) /* zero checksum: io_conn.c */
    return CSCTP_ERR_INVAL;
  if (cfg->families & ~(CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6))
    return CSCTP_ERR_INVAL;
  const csctp_mem *mem = cfg->mem ? cfg->mem : csctp_mem_default();
  csctp_stack *st = mem->calloc(1, sizeof *st, mem->user_data);
  if (!st)
    return CSCTP_ERR_NOMEM;
  st->mem = *mem;
  st->cfg = *cfg;
  st->cfg.mem = &st->mem;
  st->budget.limit = cfg->mem_limit;
  /* Dials started together: 64 INITs at once, then 50,000 a second. */
  st->init_pacer.burst = IO_INIT_BURST;
  st->init_pacer.interval = IO_INIT_INTERVAL;
  st->pfd = st->tfd = st->wakefd = st->wake_w = -1;
  st->pcap_fd = io_pcap_open();
  int err = CSCTP_ERR_NOMEM;
  st->rxmem = io_alloc(st, (size_t)IO_BATCH * IO_PKT_ROOM);
  st->txmem = io_alloc(st, (size_t)IO_BATCH * IO_PKT_ROOM);
  if (!st->rxmem || !st->txmem)
    goto fail;
  for (int i = 0; i < IO_BATCH; i++) {
    st->rx[i].buf = st->rxmem + (size_t)i * IO_PKT_ROOM;
    st->tx[i].buf = st->txmem + (size_t)i * IO_PKT_ROOM;
  }
  err = io_poller_open(st);
  if (err != 0)
    goto fail;
  /* Deferred kicks (io_ep_defer) make the stack fd readable through this
   * wake-up fd: cheaper than arming the timer at once. (The poll(2) backend
   * has no stack fd: csctp_stack_timeout returns 0 while kicks wait.) */
  if ((err = io_evfd_open(&st->wakefd, &st->wake_w)) != 0 ||
      (err = io_poller_watch(st, st->wakefd)) != 0)
    goto fail;
  if (cfg->transport == CSCTP_TRANSPORT_UDP) {
    err = io_udp_open(&st->tr, cfg, &st->mem);
  } else if (cfg->transport == CSCTP_TRANSPORT_CONN) {
    err = io_conn_open(&st->tr, cfg, &st->mem);
  } else if (cfg->transport == CSCTP_TRANSPORT_KERNEL) {
    err = csctp_kernel_probe(); /* io_kernel_stub.c where there is none */
    if (err != 0)
      io_log(st, csctp_kernel_why(err));
    if (err == 0)
      err = io_null_open(&st->tr, &st->mem);
  } else {
#ifdef __linux__
    err = io_raw_open(&st->tr, cfg, &st->mem);
    if (err == -EPERM || err == -EACCES)
      io_log(st, "csctp: the raw IP transport needs root or CAP_NET_RAW");
    else if (err == CSCTP_ERR_NOT_SUPPORTED)
      io_log(st, "csctp: the kernel implements SCTP; use it (or the UDP "
                 "transport) instead of raw IP");
#else
    err = CSCTP_ERR_NOT_SUPPORTED;
#endif
  }
  if (err != 0)
    goto fail;
  /* ICMP errors the transport reads (UDP and raw IP: IP_RECVERR). */
  st->tr->unreach = io_on_unreach;
  st->tr->too_big = io_on_too_big;
  st->tr->unreach_ud = st;
  for (int i = 0; i < st->tr->nfds; i++)
    if ((err = io_poller_watch(st, st->tr->fds[i])) != 0)
      goto fail;
  st->armed = CSCTP_TSTAMP_NEVER;
  st->linger_next = CSCTP_TSTAMP_NEVER;
  *out = st;
  return 0;
fail:
  if (st->tr)
    st->tr->ops->close(st->tr);
  io_poller_close(st);
  io_evfd_close(st->wakefd, st->wake_w);
  if (st->pcap_fd >= 0)
    close(st->pcap_fd);
  io_free(st, st->rxmem);
  io_free(st, st->txmem);
  mem->free(st, mem->user_data);
  return err;
}

static void io_ep_flush(io_ep *iep, csctp_tstamp now);
static void io_uncork(csctp_stack *st, int full);

CSCTP_API void csctp_stack_del(csctp_stack *st) {
  if (!st)
    return;
  io_uncork(st, 0);
  csctp_tstamp now = csctp_now();
  /* Say goodbye: abort every association still alive. */
  for (io_ep *iep = st->eps; iep; iep = iep->next) {
    for (io_assoc *a = iep->assocs; a; a = a->next)
      if (a->state != IO_A_ENDED)
        (void)csctp_abort(iep->ep, a->id, NULL, 0, now);
    io_ep_flush(iep, now);
  }
  while (st->socks)
    io_sock_free_internal(st->socks);
  while (st->eps) {
    io_ep *iep = st->eps;
    st->eps = iep->next;
    while (iep->assocs) {
      io_assoc *a = iep->assocs;
      iep->assocs = a->next;
      io_free(st, a->first);
      io_free(st, a);
    }
    csctp_htab_free(&iep->by_id, &st->mem);
    csctp_endpoint_del(iep->ep);
    io_free(st, iep->laddrs);
    io_free(st, iep);
  }
  st->tr->ops->close(st->tr);
  io_poller_close(st);
  io_evfd_close(st->wakefd, st->wake_w);
  if (st->pcap_fd >= 0)
    close(st->pcap_fd);
  io_free(st, st->rxmem);
  io_free(st, st->txmem);
  io_free(st, st->scratch);
  io_free(st, st->eheap);
  csctp_mem mem = st->mem;
  mem.free(st, mem.user_data);
}

CSCTP_API int csctp_stack_fd(const csctp_stack *st) {
  if (!st)
    return CSCTP_ERR_INVAL;
  return st->pfd >= 0 ? st->pfd : CSCTP_ERR_NOT_SUPPORTED;
}

CSCTP_API int csctp_stack_fds(const csctp_stack *st, int *fds, int n) {
  if (!st || n < 0 || (n > 0 && !fds))
    return CSCTP_ERR_INVAL;
  return io_poller_fds(st, fds, n);
}

CSCTP_API const char *csctp_io_backend(void) { return io_poller_name; }

CSCTP_API uint16_t csctp_stack_udp_port(const csctp_stack *st) {
  return st->tr->udp_port;
}

CSCTP_API int csctp_stack_transport(const csctp_stack *st) {
  return st->cfg.transport;
}

/* ---- The endpoints' timer heap -------------------------------------- */

static void io_eheap_set(csctp_stack *st, size_t i, io_ep *e) {
  st->eheap[i] = e;
  e->exp_idx = i;
}

static void io_eheap_up(csctp_stack *st, size_t i) {
  io_ep *e = st->eheap[i];
  while (i > 0 && st->eheap[(i - 1) / 2]->exp > e->exp) {
    io_eheap_set(st, i, st->eheap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  io_eheap_set(st, i, e);
}

static void io_eheap_down(csctp_stack *st, size_t i) {
  io_ep *e = st->eheap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= st->neheap)
      break;
    if (c + 1 < st->neheap && st->eheap[c + 1]->exp < st->eheap[c]->exp)
      c++;
    if (st->eheap[c]->exp >= e->exp)
      break;
    io_eheap_set(st, i, st->eheap[c]);
    i = c;
  }
  io_eheap_set(st, i, e);
}

static void io_eheap_key(io_ep *iep, csctp_tstamp exp) {
  csctp_stack *st = iep->st;
  csctp_tstamp old = iep->exp;
  iep->exp = exp;
  if (exp < old)
    io_eheap_up(st, iep->exp_idx);
  else if (exp > old)
    io_eheap_down(st, iep->exp_idx);
}

/* io_ep_rekey files iep under its engine's next timer (cheap once the
 * endpoint was flushed: csctp_endpoint_get_expiry). */
static void io_ep_rekey(io_ep *iep) {
  io_eheap_key(iep, csctp_endpoint_get_expiry(iep->ep));
}

static int io_eheap_add(csctp_stack *st, io_ep *iep) {
  if (st->neheap == st->eheap_cap) {
    size_t cap = st->eheap_cap ? st->eheap_cap * 2 : 16;
    io_ep **h = st->mem.realloc(st->eheap, cap * sizeof *h, st->mem.user_data);
    if (!h)
      return CSCTP_ERR_NOMEM;
    st->eheap = h;
    st->eheap_cap = cap;
  }
  iep->exp = CSCTP_TSTAMP_NEVER;
  io_eheap_set(st, st->neheap++, iep);
  return 0;
}

static void io_eheap_remove(csctp_stack *st, io_ep *iep) {
  io_ep *last = st->eheap[--st->neheap];
  if (last == iep)
    return;
  io_eheap_set(st, iep->exp_idx, last);
  io_eheap_up(st, last->exp_idx);
  io_eheap_down(st, last->exp_idx);
}

/* The earliest timer of the stack's endpoints and lingering closes. */
static csctp_tstamp io_next_timer(const csctp_stack *st) {
  csctp_tstamp next = st->linger_next;
  if (st->neheap && st->eheap[0]->exp < next)
    next = st->eheap[0]->exp;
  return next;
}

static csctp_tstamp io_next_expiry(const csctp_stack *st) {
  /* Received packets the transport still holds: the next step has work now
   * (1 ns is long past; not 0, which io_timer_update would re-arm on every
   * call). Deferred kicks use the wake eventfd instead (io_ep_defer). */
  if (st->tr->rx_pending)
    return 1;
  return io_next_timer(st);
}

CSCTP_API int64_t csctp_stack_timeout_ns(const csctp_stack *st) {
  if (st->corked)
    return 0; /* deferred kicks: step now */
  csctp_tstamp next = io_next_expiry(st);
  if (next == CSCTP_TSTAMP_NEVER)
    return -1;
  csctp_tstamp now = csctp_now();
  if (next <= now)
    return 0;
  csctp_tstamp d = next - now;
  return d > (csctp_tstamp)INT64_MAX ? INT64_MAX : (int64_t)d;
}

CSCTP_API int csctp_stack_timeout(const csctp_stack *st) {
  int64_t ns = csctp_stack_timeout_ns(st);
  if (ns < 0)
    return -1;
  int64_t ms = (ns + 999999) / 1000000;
  return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

void io_timer_update(csctp_stack *st) {
  /* One-shot: packets left for the next step wake the stack fd only when
   * a caller waits on it; until then csctp_stack_prepare_wait reports them
   * (an expired timer would wake a thread that has nothing to do: in a
   * Go program, one of the runtime's idle threads, thousands of times a
   * second while a writer steps the stack itself). */
  csctp_tstamp next = st->oneshot && !st->waiting ? io_next_timer(st)
                                                  : io_next_expiry(st);
  /* An armed timer due no later than next stays: waking early costs one
   * empty step, re-arming costs a system call on nearly every packet (T3
   * moves with each SACK). */
  if (next >= st->armed)
    return;
  if (io_poller_arm(st, next) == 0)
    st->armed = next;
  else
    st->armed = CSCTP_TSTAMP_NEVER - 1; /* retry next time */
}

CSCTP_API void csctp_stack_stats_get(const csctp_stack *st,
                                     csctp_stack_stats *s) {
  *s = st->stats;
  s->recv_batches = st->tr->stats.recv_batches;
  s->send_batches = st->tr->stats.send_batches;
  s->bad_src = st->tr->stats.bad_src;
  s->short_pkts += st->tr->stats.short_pkts;
  s->send_errors = st->tr->stats.send_errors;
  s->gso_sends = st->tr->stats.gso_sends;
  s->gso_pkts = st->tr->stats.gso_pkts;
  s->gro_recvs = st->tr->stats.gro_recvs;
  s->gro_pkts = st->tr->stats.gro_pkts;
  s->frag_sends = st->tr->stats.frag_sends;
  s->icmp_in = st->tr->stats.icmp_in;
  s->endpoints = st->neps;
  s->sockets = st->nsocks;
  s->mem_used = st->budget.used;
  s->mem_limit = st->budget.limit;
}

int io_lost_err(uint32_t reason) {
  switch (reason) {
  case CSCTP_LOST_PEER_ABORT:
  case CSCTP_LOST_USER_ABORT:
    return CSCTP_ERR_ABORTED;
  case CSCTP_LOST_TIMEOUT:
  case CSCTP_LOST_INIT_FAILED:
    return CSCTP_ERR_TIMEOUT;
  case CSCTP_LOST_REFUSED:
    return CSCTP_ERR_REFUSED;
  case CSCTP_LOST_PROTOCOL:
    return CSCTP_ERR_PROTO;
  case CSCTP_LOST_NOMEM:
    return CSCTP_ERR_NOMEM;
  default:
    return CSCTP_ERR_ABORTED;
  }
}

/* ---- Endpoints --------------------------------------------------------- */

io_ep *io_ep_find(csctp_stack *st, uint16_t port) {
  for (io_ep *iep = st->hash[port & 255]; iep; iep = iep->hnext)
    if (iep->port == port)
      return iep;
  return NULL;
}

static uint16_t io_ephemeral_port(csctp_stack *st) {
  /* The dynamic range 49152..65535; start somewhere unpredictable so that
   * a restarted program does not reuse the same port at once. */
  uint16_t start = 0;
  uint8_t r[2] = {0, 0};
  csctp_rand_fn rnd = st->cfg.rand ? st->cfg.rand : csctp_rand_default;
  if (rnd(r, 2, st->cfg.rand_user_data) == 0)
    start = (uint16_t)(r[0] << 8 | r[1]);
  else
    start = (uint16_t)csctp_now();
  for (unsigned i = 0; i < 16384; i++) {
    uint16_t port = (uint16_t)(49152 + (start + i) % 16384);
    if (!io_ep_find(st, port))
      return port;
  }
  return 0;
}

int io_ep_new(csctp_stack *st, uint16_t port, const csctp_settings *set,
              io_ep **out) {
  if (port == 0) {
    port = io_ephemeral_port(st);
    if (port == 0)
      return -EADDRINUSE;
  } else if (io_ep_find(st, port)) {
    return -EADDRINUSE;
  }
  io_ep *iep = io_zalloc(st, sizeof *iep);
  if (!iep)
    return CSCTP_ERR_NOMEM;
  int r = csctp_endpoint_new(&iep->ep, port, set, &st->mem, st->cfg.rand,
                             st->cfg.rand_user_data, csctp_now());
  if (r == 0) {
    (void)csctp_endpoint_set_budget(iep->ep, &st->budget); /* no assocs yet */
    (void)csctp_endpoint_set_init_pacer(iep->ep, &st->init_pacer);
  }
  if (r == 0 && (r = io_eheap_add(st, iep)) != 0)
    csctp_endpoint_del(iep->ep);
  if (r != 0) {
    io_free(st, iep);
    return r;
  }
  if (st->cfg.log)
    csctp_endpoint_set_log(iep->ep, st->cfg.log, st->cfg.log_user_data);
  iep->st = st;
  iep->port = port;
  iep->next = st->eps;
  st->eps = iep;
  iep->hnext = st->hash[port & 255];
  st->hash[port & 255] = iep;
  st->neps++;
  *out = iep;
  return 0;
}

void io_ep_unref(io_ep *iep) {
  if (--iep->refs > 0)
    return;
  csctp_stack *st = iep->st;
  for (io_ep **pp = &st->eps; *pp; pp = &(*pp)->next)
    if (*pp == iep) {
      *pp = iep->next;
      break;
    }
  for (io_ep **pp = &st->hash[iep->port & 255]; *pp; pp = &(*pp)->hnext)
    if (*pp == iep) {
      *pp = iep->hnext;
      break;
    }
  while (iep->assocs) {
    io_assoc *a = iep->assocs;
    iep->assocs = a->next;
    io_free(st, a->first);
    io_free(st, a);
  }
  csctp_htab_free(&iep->by_id, &st->mem);
  csctp_endpoint_del(iep->ep);
  io_eheap_remove(st, iep);
  io_free(st, iep->laddrs);
  io_free(st, iep);
  st->neps--;
  io_timer_update(st);
}

/* ---- Associations ------------------------------------------------------ */

static uint64_t io_id_hash(csctp_assoc_id id) { return csctp_htab_mix(0, id); }

io_assoc *io_assoc_find(io_ep *iep, csctp_assoc_id id) {
  size_t it = 0;
  io_assoc *a;
  while ((a = csctp_htab_next(&iep->by_id, io_id_hash(id), &it)))
    if (a->id == id)
      return a;
  return NULL;
}

io_assoc *io_assoc_add(io_ep *iep, csctp_assoc_id id) {
  io_assoc *a = io_zalloc(iep->st, sizeof *a);
  if (!a)
    return NULL;
  if (csctp_htab_put(&iep->by_id, &iep->st->mem, io_id_hash(id), a) != 0) {
    io_free(iep->st, a);
    return NULL;
  }
  a->id = id;
  a->iep = iep;
  a->next = iep->assocs;
  iep->assocs = a;
  iep->nassocs++;
  return a;
}

void io_assoc_free(io_assoc *a) {
  io_ep *iep = a->iep;
  for (io_assoc **pp = &iep->assocs; *pp; pp = &(*pp)->next)
    if (*pp == a) {
      *pp = a->next;
      iep->nassocs--;
      break;
    }
  csctp_htab_del(&iep->by_id, io_id_hash(a->id), a);
  io_free(iep->st, a->first);
  io_free(iep->st, a);
}

void io_assoc_orphan(io_assoc *a, const csctp_linger *lg) {
  io_ep *iep = a->iep;
  csctp_tstamp now = csctp_now();
  a->owner = NULL;
  a->orphan = 1;
  a->orph_next = iep->orphans;
  iep->orphans = a;
  iep->norphans++;
  iep->refs++;
  io_free(iep->st, a->first);
  a->first = NULL;
  if (a->state == IO_A_ENDED)
    return; /* released by the next sweep */
  if ((lg && lg->onoff && lg->linger == 0) || a->state == IO_A_CONNECTING) {
    /* RFC 9260 9.1: abort; an association not yet up cannot be shut down
     * gracefully either. */
    (void)csctp_abort(iep->ep, a->id, NULL, 0, now);
    a->state = IO_A_ENDED;
    return;
  }
  if (!a->shut_wr) {
    a->shut_wr = 1;
    (void)csctp_shutdown(iep->ep, a->id, now);
  }
  if (lg && lg->onoff && lg->linger > 0) {
    a->linger_deadline = now + (csctp_tstamp)lg->linger * CSCTP_SECONDS;
    if (a->linger_deadline < iep->st->linger_next)
      iep->st->linger_next = a->linger_deadline;
  }
}

/* io_ep_sweep releases ended orphans, discards data that reaches orphans,
 * and aborts orphans past their linger deadline. Returns 1 if it called
 * into the engine. Frees orphans, so may drop references on iep (the caller
 * holds one). */
static int io_ep_sweep(io_ep *iep, csctp_tstamp now) {
  int did = 0;
  csctp_stack *st = iep->st;
  io_assoc **pp = &iep->orphans;
  while (*pp) {
    io_assoc *a = *pp;
    if (a->state != IO_A_ENDED && a->linger_deadline &&
        a->linger_deadline <= now) {
      (void)csctp_abort(iep->ep, a->id, NULL, 0, now);
      a->state = IO_A_ENDED;
      did = 1;
    }
    if (a->state == IO_A_ENDED) {
      *pp = a->orph_next;
      (void)csctp_assoc_release(iep->ep, a->id);
      io_assoc_free(a);
      iep->norphans--;
      io_ep_unref(iep);
      did = 1;
      continue;
    }
    if (csctp_recv_pending(iep->ep, a->id) > 0) {
      uint8_t junk[4096];
      csctp_rcvinfo ri;
      while (csctp_recv(iep->ep, a->id, &ri, junk, sizeof junk, now) > 0)
        ;
      did = 1;
    }
    pp = &a->orph_next;
  }
  if (st->linger_next != CSCTP_TSTAMP_NEVER && st->linger_next <= now) {
    /* Recompute the earliest remaining deadline over the stack. */
    csctp_tstamp m = CSCTP_TSTAMP_NEVER;
    for (io_ep *e = st->eps; e; e = e->next)
      for (io_assoc *b = e->orphans; b; b = b->orph_next)
        if (b->state != IO_A_ENDED && b->linger_deadline &&
            b->linger_deadline < m)
          m = b->linger_deadline;
    st->linger_next = m;
  }
  return did;
}

/* ---- Event dispatch ---------------------------------------------------- */

static void io_assoc_drop_new(io_ep *iep, csctp_assoc_id id, csctp_tstamp now) {
  /* An association came up that nobody can take: abort and forget it. */
  (void)csctp_abort(iep->ep, id, NULL, 0, now);
}

/* io_first_failed reports the first message of an implicit setup that will
 * not be sent to its socket: a SEND_FAILED notification carrying the
 * message (if the socket subscribed to them), and err as the socket's
 * pending error (csctp_sock_error; the next call learns of it). Frees the
 * message. */
static void io_first_failed(io_assoc *a, int err) {
  csctp_sock *s = a->owner;
  if (s && a->first) {
    csctp_event fe;
    memset(&fe, 0, sizeof fe);
    fe.type = CSCTP_EV_SEND_FAILED;
    fe.assoc_id = a->id;
    fe.u.send_failed.info = a->first->info;
    fe.u.send_failed.info.assoc_id = a->id;
    fe.u.send_failed.was_sent = 0;
    fe.u.send_failed.data = a->first->data;
    fe.u.send_failed.len = a->first->len;
    io_sock_event(s, &fe);
    if (s->err == 0)
      s->err = err;
    io_sock_signal_read(s);
    io_sock_signal_write(s);
  }
  io_free(a->iep->st, a->first);
  a->first = NULL;
}

static void io_ep_event(io_ep *iep, const csctp_event *ev, csctp_tstamp now) {
  io_assoc *a = io_assoc_find(iep, ev->assoc_id);
  switch (ev->type) {
  case CSCTP_EV_ASSOC_UP: {
    if (!a) {
      csctp_sock *l = iep->listener;
      if (!l) {
        io_assoc_drop_new(iep, ev->assoc_id, now);
        return;
      }
      if (l->type == CSCTP_SOCK_STREAM && l->acc_len >= l->backlog) {
        io_assoc_drop_new(iep, ev->assoc_id, now);
        return;
      }
      a = io_assoc_add(iep, ev->assoc_id);
      if (!a) {
        io_assoc_drop_new(iep, ev->assoc_id, now);
        return;
      }
      a->peer = ev->u.up.peer;
      a->peer_port = ev->u.up.peer_port;
      a->ostreams = ev->u.up.outbound_streams;
      a->istreams = ev->u.up.inbound_streams;
      if (l->type == CSCTP_SOCK_SEQPACKET) {
        a->owner = l;
        a->state = IO_A_UP;
        io_sock_event(l, ev);
      } else {
        a->state = IO_A_PENDING;
        io_sock_enqueue_accept(l, a);
      }
      return;
    }
    a->peer = ev->u.up.peer;
    a->peer_port = ev->u.up.peer_port;
    a->ostreams = ev->u.up.outbound_streams;
    a->istreams = ev->u.up.inbound_streams;
    if (a->state == IO_A_CONNECTING)
      a->state = a->owner ? IO_A_UP : IO_A_PENDING;
    int first_err = 0;
    if (a->first && a->owner) {
      a->first->info.assoc_id = a->id;
      first_err = csctp_send(iep->ep, &a->first->info, NULL, a->first->data,
                             a->first->len, now);
      if (first_err == 0) {
        io_free(iep->st, a->first);
        a->first = NULL;
      }
    }
    if (a->owner) {
      io_sock_event(a->owner, ev);
      if (a->first) /* after COMM_UP: the association exists */
        io_first_failed(a, first_err);
      io_sock_signal_write(a->owner);
    }
    return;
  }
  case CSCTP_EV_ASSOC_LOST:
  case CSCTP_EV_SHUTDOWN_COMPLETE: {
    if (!a)
      return;
    int was_pending = a->state == IO_A_PENDING && !a->owner && !a->orphan;
    a->state = IO_A_ENDED;
    a->end_err = ev->type == CSCTP_EV_ASSOC_LOST
                     ? io_lost_err(ev->u.lost.reason)
                     : CSCTP_ERR_CLOSED;
    if (a->owner) {
      io_sock_event(a->owner, ev);
      if (a->first) /* implicit setup failed: refused, timed out */
        io_first_failed(a, a->end_err);
      io_sock_assoc_ended(a->owner, a);
    } else if (was_pending && iep->listener) {
      /* Left the accept queue before being accepted. */
      csctp_sock *l = iep->listener;
      io_assoc **pp = &l->acc_head;
      io_assoc *prev = NULL;
      while (*pp && *pp != a) {
        prev = *pp;
        pp = &(*pp)->acc_next;
      }
      if (*pp) {
        *pp = a->acc_next;
        if (l->acc_tail == a)
          l->acc_tail = prev;
        l->acc_len--;
      }
      (void)csctp_assoc_release(iep->ep, a->id);
      io_assoc_free(a);
    }
    /* Orphans are released by io_ep_sweep. */
    return;
  }
  case CSCTP_EV_SHUTDOWN_RECEIVED:
    if (!a)
      return;
    a->peer_shut = 1;
    if (a->owner) {
      io_sock_event(a->owner, ev);
      if (a->owner->type == CSCTP_SOCK_STREAM)
        a->owner->peer_shut = 1;
      io_sock_signal_read(a->owner);
    }
    return;
  default:
    if (a && a->owner)
      io_sock_event(a->owner, ev);
    return;
  }
}

/* io_tx_send sends the packets collected in the stack's transmit batch. */
static void io_tx_send(csctp_stack *st) {
  size_t n = st->ntx;
  if (n == 0)
    return;
  if (st->cfg.transport == CSCTP_TRANSPORT_RAW)
    for (size_t i = 0; i < n; i++)
      st->tx[i].peer.port = 0;
  for (size_t i = 0; st->pcap_fd >= 0 && i < n; i++)
    io_pcap_write(st->pcap_fd, &st->tx[i].local, &st->tx[i].peer, st->tx[i].buf,
                  st->tx[i].len);
  (void)st->tr->ops->send(st->tr, st->tx, n);
  st->stats.dgrams_out += n;
  st->ntx = 0;
}

/* io_ep_collect moves what the endpoint wants sent now into the transmit
 * batch, sending the batch whenever it is full. Called after every received
 * packet, so that each SACK (and each SACK's answer) is produced in its turn
 * rather than once per receive batch, while the sends stay batched. */
static void io_ep_collect(io_ep *iep, csctp_tstamp now) {
  csctp_stack *st = iep->st;
  for (;;) {
    if (st->ntx == IO_BATCH)
      io_tx_send(st);
    io_pkt *p = &st->tx[st->ntx];
    csctp_ssize r = csctp_endpoint_write_pkt_flags(
        iep->ep, &p->peer, &p->local, p->buf, IO_PKT_ROOM, now, &p->flags);
    if (r <= 0)
      return;
    p->len = (size_t)r;
    st->stats.bytes_out += (uint64_t)r;
    st->ntx++;
  }
}

/* io_ep_flush sends everything the endpoint wants sent now. */
static void io_ep_flush(io_ep *iep, csctp_tstamp now) {
  iep->cork_bytes = 0;
  io_ep_collect(iep, now);
  io_tx_send(iep->st);
}

/* io_ep_update_changed re-checks the readiness of the sockets owning the
 * associations the engine reports changed (not every socket: DESIGN.md,
 * "Readiness"), and of `only`, the socket of the call. */
static void io_ep_update_changed(io_ep *iep, csctp_sock *only) {
  csctp_assoc_id ids[64];
  size_t n;
  int overflow = 0;
  if (only)
    io_sock_update(only);
  do {
    int ov = 0;
    n = csctp_endpoint_poll_changed(iep->ep, ids, 64, &ov);
    overflow |= ov;
    for (size_t i = 0; i < n; i++) {
      io_assoc *a = io_assoc_find(iep, ids[i]);
      if (a && a->owner && a->owner != only)
        io_sock_update(a->owner);
    }
  } while (n > 0);
  if (overflow)
    for (csctp_sock *s = iep->socks; s; s = s->ep_next)
      io_sock_update(s);
}

void io_ep_kick_sock(io_ep *iep, csctp_sock *only) {
  csctp_stack *st = iep->st;
  csctp_tstamp now = csctp_now();
  iep->refs++;
  for (int round = 0; round < 16; round++) {
    io_ep_flush(iep, now);
    int did = 0;
    csctp_event evs[16];
    size_t n;
    while ((n = csctp_endpoint_poll_events(iep->ep, evs, 16)) > 0) {
      for (size_t i = 0; i < n; i++) {
        io_ep_event(iep, &evs[i], now);
        csctp_event_clear(iep->ep, &evs[i]);
      }
      did = 1;
    }
    did |= io_ep_sweep(iep, now);
    if (!did)
      break;
  }
  io_ep_flush(iep, now);
  io_ep_update_changed(iep, only);
  io_ep_rekey(iep);
  io_ep_unref(iep);
  io_timer_update(st);
}

void io_ep_kick(io_ep *iep) { io_ep_kick_sock(iep, NULL); }

/* Messages may wait for bundling (io_ep_kick_send) until IO_CORK_BYTES of
 * them wait: about what Max.Burst (RFC 9260 6.1 D, four packets) lets one
 * flush send, whether they are small messages bundled into packets (6.10)
 * or 1200-byte ones that leave in one segmentation-offload send. */
#define IO_CORK_BYTES 4800

/* io_ep_defer puts iep on the stack's list of endpoints to kick at the
 * start of the next step, and makes the stack fd readable at once. */
static void io_ep_defer(io_ep *iep) {
  csctp_stack *st = iep->st;
  if (iep->corked)
    return;
  iep->corked = 1;
  iep->refs++;
  iep->cork_next = st->corked;
  st->corked = iep;
  /* One-shot: nobody waits on the stack fd until csctp_stack_prepare_wait
   * (which sees the corked endpoints): no wake-up for nobody. */
  if (!st->woken && (!st->oneshot || st->waiting)) {
    io_evfd_raise(st->wake_w);
    st->woken = 1;
  }
}

void io_ep_kick_send(io_ep *iep, csctp_sock *s, size_t len) {
  csctp_stack *st = iep->st;
  int first = iep->send_gen != st->step_gen;
  if (len == 0 || len >= IO_CORK_BYTES || first ||
      iep->cork_bytes + len >= IO_CORK_BYTES) {
    /* The first message since the last step goes at once: a lone request
     * or reply (ping-pong) never waits. */
    iep->send_gen = st->step_gen;
    io_ep_kick_sock(iep, s);
    return;
  }
  /* Nothing else to do now: a successful send changes no socket's
   * readiness that a later -EAGAIN would not fix, and the engine has no
   * event to report. */
  iep->cork_bytes += len;
  io_ep_defer(iep);
}

void io_ep_kick_recv(io_ep *iep, csctp_sock *s) {
  csctp_stack *st = iep->st;
  if (iep->recv_gen != st->step_gen) {
    /* The first read since the last step kicks at once (a lone message,
     * e.g. ping-pong, costs no extra step); later ones defer. */
    iep->recv_gen = st->step_gen;
    io_ep_kick_sock(iep, s);
    return;
  }
  io_ep_defer(iep);
}

/* io_uncork kicks the deferred endpoints (start of a step): their bundled
 * messages and window updates go; with full 0 (stack teardown) they are
 * only sent. */
static void io_uncork(csctp_stack *st, int full) {
  csctp_tstamp now = csctp_now();
  while (st->corked) {
    io_ep *iep = st->corked;
    st->corked = iep->cork_next;
    iep->corked = 0;
    if (full)
      io_ep_kick(iep);
    else
      io_ep_flush(iep, now);
    io_ep_unref(iep);
  }
}

/* ---- Receive path ------------------------------------------------------ */

static uint32_t io_rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int io_addr_unicast(const csctp_addr *a) {
  if (a->family == CSCTP_AF_INET)
    return a->ip[0] < 224 && !(a->ip[0] == 0);
  if (a->family == CSCTP_AF_INET6)
    return a->ip[0] != 0xff;
  return a->family == CSCTP_AF_CONN; /* one peer: the lower layer's */
}

/* io_ootb answers a packet for an SCTP port no endpoint has bound, by the
 * rules of RFC 9260 8.4 (there is no association, so every packet here is
 * out of the blue). */
static void io_ootb(csctp_stack *st, const io_pkt *p) {
  const uint8_t *b = p->buf;
  size_t len = p->len;
  st->stats.no_endpoint++;
  /* Raw IP sockets see every SCTP packet of the host, also those of other
   * raw SCTP users (another csctp program): answering for ports we do not
   * serve would abort their associations. */
  if (st->cfg.transport == CSCTP_TRANSPORT_RAW)
    return;
  /* 8.4 1): nothing for non-unicast addresses. */
  if (!io_addr_unicast(&p->peer) ||
      (p->local.family && !io_addr_unicast(&p->local)))
    return;
  /* Only correctly formed packets are OOTB packets (8.4, first sentence). */
  if (!csctp_sctp_checksum_ok(b, len))
    return;
  uint32_t vtag = io_rd32(b + 4);
  int has_init = 0, has_shutdown_ack = 0, silent = 0;
  uint32_t init_tag = 0;
  size_t off = 12;
  while (off + 4 <= len) {
    uint8_t type = b[off];
    size_t clen = (size_t)b[off + 2] << 8 | b[off + 3];
    if (clen < 4 || off + clen > len)
      return; /* malformed */
    switch (type) {
    case 6: /* ABORT: 8.4 2) */
      return;
    case 1: /* INIT */
      if (clen >= 20) {
        has_init = 1;
        init_tag = io_rd32(b + off + 4);
      }
      break;
    case 8: /* SHUTDOWN ACK */
      has_shutdown_ack = 1;
      break;
    case 14: /* SHUTDOWN COMPLETE: 8.4 6) */
    case 11: /* COOKIE ACK: 8.4 7) */
      silent = 1;
      break;
    case 9: /* ERROR: 8.4 7) for a Stale Cookie cause (code 3) */
      for (size_t c = off + 4; c + 4 <= off + clen;) {
        size_t cl = (size_t)b[c + 2] << 8 | b[c + 3];
        if (((size_t)b[c] << 8 | b[c + 1]) == 3)
          silent = 1;
        if (cl < 4)
          break;
        c += (cl + 3) & ~(size_t)3;
      }
      break;
    default:
      break;
    }
    off += (clen + 3) & ~(size_t)3;
  }
  if (vtag == 0 && !has_init)
    return; /* 8.5.1 A: tag 0 belongs to INIT alone; discard the rest */
  uint8_t type, flags;
  uint32_t tag;
  if (has_init) {
    /* 8.4 3): an INIT we cannot serve: ABORT with the Initiate Tag, T=0. */
    if (vtag != 0)
      return;
    type = 6;
    flags = 0;
    tag = init_tag;
  } else if (has_shutdown_ack) {
    /* 8.4 5): SHUTDOWN COMPLETE, tag reflected (T=1). */
    type = 14;
    flags = 1;
    tag = vtag;
  } else if (silent) {
    return;
  } else {
    /* 8.4 8): ABORT, tag reflected (T=1). COOKIE ECHO lands here too: with
     * no endpoint on the port there is nothing to process it (8.4 4). */
    type = 6;
    flags = 1;
    tag = vtag;
  }
  io_tx_send(st); /* the reply is built in the first transmit slot */
  io_pkt *r = &st->tx[0];
  uint8_t *o = r->buf;
  o[0] = b[2]; /* source port := their destination port */
  o[1] = b[3];
  o[2] = b[0];
  o[3] = b[1];
  o[4] = (uint8_t)(tag >> 24);
  o[5] = (uint8_t)(tag >> 16);
  o[6] = (uint8_t)(tag >> 8);
  o[7] = (uint8_t)tag;
  memset(o + 8, 0, 4);
  o[12] = type;
  o[13] = flags;
  o[14] = 0;
  o[15] = 4;
  csctp_sctp_checksum_store(o, 16);
  r->len = 16;
  r->peer = p->peer;
  r->local = p->local;
  r->flags = 0;
  if (st->pcap_fd >= 0)
    io_pcap_write(st->pcap_fd, &r->local, &r->peer, r->buf, r->len);
  (void)st->tr->ops->send(st->tr, r, 1);
  st->stats.ootb_replies++;
  st->stats.dgrams_out++;
  st->stats.bytes_out += 16;
}

static void io_demux(csctp_stack *st, const io_pkt *p, csctp_tstamp now,
                     io_ep **touched, size_t *ntouched, size_t maxtouched) {
  uint16_t sport, dport;
  st->stats.dgrams_in++;
  st->stats.bytes_in += p->len;
  if (csctp_pkt_ports(p->buf, p->len, &sport, &dport) != 0) {
    st->stats.short_pkts++;
    return;
  }
  io_ep *iep = io_ep_find(st, dport);
  if (!iep) {
    io_ootb(st, p);
    return;
  }
  (void)csctp_endpoint_read_pkt(iep->ep, &p->peer,
                                p->local.family ? &p->local : NULL, p->buf,
                                p->len, now);
  io_ep_collect(iep, now);
  for (size_t i = 0; i < *ntouched; i++)
    if (touched[i] == iep)
      return;
  if (*ntouched < maxtouched) {
    touched[(*ntouched)++] = iep;
    iep->refs++; /* held until kicked */
  } else {
    io_ep_kick(iep);
  }
}

/* The transport saw an ICMP "port unreachable" for a datagram to dst
 * quoting pkt: the endpoint that sent it (the quoted source port) judges
 * it (csctp_endpoint_icmp_unreach); a dial in progress fails now. */
static void io_on_unreach(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                          size_t len) {
  csctp_stack *st = ud;
  uint16_t sport, dport;
  if (csctp_pkt_ports(pkt, len, &sport, &dport) != 0)
    return;
  io_ep *iep = io_ep_find(st, sport);
  if (!iep)
    return;
  csctp_tstamp now = csctp_now();
  if (csctp_endpoint_icmp_unreach(iep->ep, dst, pkt, len, now) > 0) {
    iep->refs++; /* as io_demux: held while kicked */
    io_ep_collect(iep, now);
    io_ep_kick(iep);
    io_ep_unref(iep);
  }
}

/* ICMP "packet too big" for a datagram to dst quoting pkt: the endpoint
 * that sent it validates it and lowers the path MTU
 * (csctp_endpoint_icmp_too_big, RFC 8899 4.6). */
static void io_on_too_big(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                          size_t len, uint32_t size) {
  csctp_stack *st = ud;
  uint16_t sport, dport;
  if (csctp_pkt_ports(pkt, len, &sport, &dport) != 0)
    return;
  io_ep *iep = io_ep_find(st, sport);
  if (!iep)
    return;
  csctp_tstamp now = csctp_now();
  if (csctp_endpoint_icmp_too_big(iep->ep, dst, pkt, len, size, now) > 0) {
    iep->refs++; /* as io_on_unreach */
    io_ep_collect(iep, now);
    io_ep_kick(iep);
    io_ep_unref(iep);
  }
}

/* io_stack_input hands one packet a lower layer delivered (io_conn.c) to
 * its endpoint and sends what that produced, as csctp_stack_step does for
 * a received batch. */
void io_stack_input(csctp_stack *st, const io_pkt *p) {
  io_uncork(st, 1);
  csctp_tstamp now = csctp_now();
  io_ep *touched[1];
  size_t nt = 0;
  io_demux(st, p, now, touched, &nt, 1);
  for (size_t i = 0; i < nt; i++) {
    io_ep_kick(touched[i]);
    io_ep_unref(touched[i]);
  }
  io_tx_send(st);
  io_timer_update(st);
}

CSCTP_API int csctp_stack_step(csctp_stack *st) {
  st->step_gen++;
  if (st->oneshot) {
    st->waiting = 0;
    io_poller_harvest(st); /* what fired stops waking the fd */
  }
  if (st->woken) {
    io_evfd_drain(st->wakefd);
    st->woken = 0;
  }
  io_uncork(st, 1);
  csctp_tstamp now = csctp_now();
  io_ep *touched[64];
  size_t nt = 0;
  int err = 0;
  int known = st->rd_known && !st->tr->rx_pending;
  st->rd_known = 0;
  for (int which = 0; which < st->tr->nfds; which++) {
    if (known && which < 32 && !(st->rd_mask & (1u << which)))
      continue; /* the poller saw nothing to read there */
    for (int round = 0; round < IO_STEP_ROUNDS; round++) {
      int n = st->tr->ops->recv(st->tr, which, st->rx, IO_BATCH);
      if (n < 0) {
        err = n;
        break;
      }
      for (int i = 0; i < n; i++)
        io_demux(st, &st->rx[i], now, touched, &nt, 64);
      if (n < IO_BATCH)
        break;
      /* Kick as we go when the batch was full, so SACKs are not held back
       * behind a long receive run. */
      for (size_t i = 0; i < nt; i++) {
        io_ep_kick(touched[i]);
        io_ep_unref(touched[i]);
      }
      nt = 0;
      now = csctp_now();
    }
  }
  now = csctp_now();
  /* A timer armed for later cannot have fired: no read of it then. */
  if (st->armed <= now && io_poller_fired(st))
    st->armed = CSCTP_TSTAMP_NEVER - 1; /* the one-shot timer is spent */
  for (size_t i = 0; i < nt; i++) {
    io_ep_kick(touched[i]);
    io_ep_unref(touched[i]);
  }
  /* Timers: the due endpoints come off the heap's top (filed as NEVER
   * until their kick files them again, so each is run once per step).
   * Collect first: kicking may free endpoints. */
  nt = 0;
  while (st->neheap && st->eheap[0]->exp <= now && nt < 64) {
    io_ep *iep = st->eheap[0];
    io_eheap_key(iep, CSCTP_TSTAMP_NEVER);
    (void)csctp_endpoint_handle_expiry(iep->ep, now);
    touched[nt++] = iep;
    iep->refs++;
  }
  if (st->linger_next <= now) {
    for (io_ep *iep = st->eps; iep && nt < 64; iep = iep->next) {
      int have = 0;
      for (size_t i = 0; i < nt; i++)
        have |= touched[i] == iep;
      if (!have) {
        touched[nt++] = iep;
        iep->refs++;
      }
    }
  }
  for (size_t i = 0; i < nt; i++) {
    io_ep_kick(touched[i]);
    io_ep_unref(touched[i]);
  }
  io_tx_send(st);
  io_timer_update(st);
  return err;
}

CSCTP_API int csctp_stack_set_oneshot(csctp_stack *st) {
  if (!st)
    return CSCTP_ERR_INVAL;
  return st->oneshot ? 0 : io_poller_oneshot(st);
}

CSCTP_API int csctp_stack_prepare_wait(csctp_stack *st) {
  if (st->corked || st->tr->rx_pending)
    return 1;
  if (!st->oneshot)
    return 0;
  int err = io_poller_rearm(st);
  if (err != 0)
    return err;
  st->waiting = 1;
  return 0;
}

CSCTP_API int csctp_stack_run(csctp_stack *st, int timeout_ms) {
  if (st->oneshot && csctp_stack_prepare_wait(st) != 0)
    timeout_ms = 0;
  int r = io_poller_wait(st, timeout_ms);
  if (r < 0)
    return r;
  return csctp_stack_step(st);
}

/* io_stack_closing counts the associations closing in the background:
 * orphans (their socket was closed) that have not ended yet. */
static size_t io_stack_closing(const csctp_stack *st) {
  size_t n = 0;
  for (const io_ep *e = st->eps; e; e = e->next)
    for (const io_assoc *a = e->orphans; a; a = a->orph_next)
      if (a->state != IO_A_ENDED)
        n++;
  return n;
}

CSCTP_API size_t csctp_stack_closing(const csctp_stack *st) {
  return st ? io_stack_closing(st) : 0;
}

CSCTP_API int csctp_stack_drain(csctp_stack *st, int timeout_ms) {
  if (!st)
    return CSCTP_ERR_INVAL;
  csctp_tstamp end = CSCTP_TSTAMP_NEVER;
  if (timeout_ms >= 0)
    end = csctp_now() + (csctp_tstamp)timeout_ms * CSCTP_MILLISECONDS;
  int r = csctp_stack_step(st);
  while (r >= 0 && io_stack_closing(st) > 0) {
    csctp_tstamp now = csctp_now();
    if (now >= end)
      return CSCTP_ERR_TIMEOUT;
    int wait = 100; /* re-check the clock at least this often (ms) */
    if (end != CSCTP_TSTAMP_NEVER && end - now < 100 * CSCTP_MILLISECONDS)
      wait = (int)((end - now + CSCTP_MILLISECONDS - 1) / CSCTP_MILLISECONDS);
    r = csctp_stack_run(st, wait);
  }
  return r < 0 ? r : 0;
}
