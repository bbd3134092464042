/* sim.c -- the deterministic network simulator (see sim.h). */
#include "sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG ---------------------------------------------------------------- */

uint64_t sim_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t sim_mix64(uint64_t x) {
  uint64_t st = x;
  return sim_splitmix64(&st);
}

void sim_rng_seed(sim_rng *r, uint64_t seed) {
  uint64_t st = seed;
  for (int i = 0; i < 4; i++)
    r->s[i] = sim_splitmix64(&st);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sim_rng_next(sim_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double sim_rng_double(sim_rng *r) {
  return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t sim_rng_range(sim_rng *r, uint64_t lo, uint64_t hi) {
  if (hi <= lo)
    return lo;
  uint64_t span = hi - lo + 1;
  if (span == 0)
    return sim_rng_next(r);
  return lo + sim_rng_next(r) % span;
}

int sim_rng_chance(sim_rng *r, double p) {
  if (p <= 0)
    return 0;
  return sim_rng_double(r) < p;
}

uint64_t sim_rng_logrange(sim_rng *r, uint64_t lo, uint64_t hi) {
  if (lo < 1)
    lo = 1;
  if (hi <= lo)
    return lo;
  /* pick a power-of-two band, then uniform inside it */
  int blo = 63 - __builtin_clzll(lo), bhi = 63 - __builtin_clzll(hi);
  int b = (int)sim_rng_range(r, (uint64_t)blo, (uint64_t)bhi);
  uint64_t a = (uint64_t)1 << b, z = (b >= 63) ? UINT64_MAX : (a << 1) - 1;
  if (a < lo)
    a = lo;
  if (z > hi)
    z = hi;
  return sim_rng_range(r, a, z);
}

/* ---- Counting allocator --------------------------------------------------
 *
 * Every block carries a header with its size so that free and realloc know
 * what leaves the live counters. */

#define SIM_MEM_HDR 16u

static int mem_should_fail(sim_mem *m) {
  m->calls++;
  if (m->fail_at && m->calls == m->fail_at) {
    m->failures++;
    return 1;
  }
  if (m->fail_prob > 0 && sim_rng_double(&m->rng) < m->fail_prob) {
    m->failures++;
    return 1;
  }
  return 0;
}

static void mem_account_add(sim_mem *m, size_t size) {
  m->live_count++;
  m->live_bytes += size;
  if (m->live_bytes > m->peak_bytes)
    m->peak_bytes = m->live_bytes;
  if (m->live_count > m->peak_count)
    m->peak_count = m->live_count;
}

static void *mem_malloc(size_t size, void *ud) {
  sim_mem *m = ud;
  if (mem_should_fail(m))
    return NULL;
  if (size > SIZE_MAX - SIM_MEM_HDR)
    return NULL;
  unsigned char *p = malloc(size + SIM_MEM_HDR);
  if (!p)
    return NULL;
  memcpy(p, &size, sizeof size);
  mem_account_add(m, size);
  return p + SIM_MEM_HDR;
}

static void mem_free(void *ptr, void *ud) {
  sim_mem *m = ud;
  if (!ptr)
    return;
  unsigned char *p = (unsigned char *)ptr - SIM_MEM_HDR;
  size_t size;
  memcpy(&size, p, sizeof size);
  m->live_count--;
  m->live_bytes -= size;
  /* poison so use-after-free shows up even without ASan */
  memset(p, 0xDD, size + SIM_MEM_HDR < 64 ? size + SIM_MEM_HDR : 64);
  free(p);
}

static void *mem_calloc(size_t nmemb, size_t size, void *ud) {
  sim_mem *m = ud;
  if (size && nmemb > (SIZE_MAX - SIM_MEM_HDR) / size) {
    m->calls++;
    return NULL;
  }
  size_t total = nmemb * size;
  if (mem_should_fail(m))
    return NULL;
  unsigned char *p = calloc(1, total + SIM_MEM_HDR);
  if (!p)
    return NULL;
  memcpy(p, &total, sizeof total);
  mem_account_add(m, total);
  return p + SIM_MEM_HDR;
}

static void *mem_realloc(void *ptr, size_t size, void *ud) {
  sim_mem *m = ud;
  if (!ptr)
    return mem_malloc(size, ud);
  if (mem_should_fail(m))
    return NULL;
  if (size > SIZE_MAX - SIM_MEM_HDR)
    return NULL;
  unsigned char *old = (unsigned char *)ptr - SIM_MEM_HDR;
  size_t osize;
  memcpy(&osize, old, sizeof osize);
  unsigned char *p = realloc(old, size + SIM_MEM_HDR);
  if (!p)
    return NULL;
  memcpy(p, &size, sizeof size);
  m->live_bytes -= osize;
  m->live_count--;
  mem_account_add(m, size);
  return p + SIM_MEM_HDR;
}

void sim_mem_init(sim_mem *m, uint64_t seed) {
  memset(m, 0, sizeof *m);
  m->mem.user_data = m;
  m->mem.malloc = mem_malloc;
  m->mem.free = mem_free;
  m->mem.calloc = mem_calloc;
  m->mem.realloc = mem_realloc;
  sim_rng_seed(&m->rng, seed);
}

void sim_mem_reset_peak(sim_mem *m) {
  m->peak_bytes = m->live_bytes;
  m->peak_count = m->live_count;
}

/* ---- Names --------------------------------------------------------------- */

const char *sim_ev_name(uint32_t type) {
  switch (type) {
  case CSCTP_EV_ASSOC_UP:
    return "ASSOC_UP";
  case CSCTP_EV_ASSOC_LOST:
    return "ASSOC_LOST";
  case CSCTP_EV_ASSOC_RESTART:
    return "ASSOC_RESTART";
  case CSCTP_EV_SHUTDOWN_COMPLETE:
    return "SHUTDOWN_COMPLETE";
  case CSCTP_EV_SHUTDOWN_RECEIVED:
    return "SHUTDOWN_RECEIVED";
  case CSCTP_EV_SEND_FAILED:
    return "SEND_FAILED";
  case CSCTP_EV_PEER_ADDR_CHANGE:
    return "PEER_ADDR_CHANGE";
  case CSCTP_EV_REMOTE_ERROR:
    return "REMOTE_ERROR";
  case CSCTP_EV_SENDER_DRY:
    return "SENDER_DRY";
  }
  return "EV_?";
}

const char *sim_lost_name(uint32_t reason) {
  switch (reason) {
  case CSCTP_LOST_PEER_ABORT:
    return "PEER_ABORT";
  case CSCTP_LOST_USER_ABORT:
    return "USER_ABORT";
  case CSCTP_LOST_TIMEOUT:
    return "TIMEOUT";
  case CSCTP_LOST_INIT_FAILED:
    return "INIT_FAILED";
  case CSCTP_LOST_REFUSED:
    return "REFUSED";
  case CSCTP_LOST_PROTOCOL:
    return "PROTOCOL";
  case CSCTP_LOST_NOMEM:
    return "NOMEM";
  }
  return "LOST_?";
}

const char *sim_chunk_name(uint8_t type) {
  static const char *names[] = {"DATA",  "INIT",        "INIT_ACK",
                                "SACK",  "HEARTBEAT",   "HEARTBEAT_ACK",
                                "ABORT", "SHUTDOWN",    "SHUTDOWN_ACK",
                                "ERROR", "COOKIE_ECHO", "COOKIE_ACK",
                                "ECNE",  "CWR",         "SHUTDOWN_COMPLETE",
                                "AUTH"};
  if (type < sizeof names / sizeof names[0])
    return names[type];
  switch (type) {
  case 64:
    return "I_DATA";
  case 128:
    return "ASCONF_ACK";
  case 130:
    return "RE_CONFIG";
  case 132:
    return "PAD";
  case 192:
    return "FORWARD_TSN";
  case 193:
    return "ASCONF";
  case 194:
    return "I_FORWARD_TSN";
  }
  return "?";
}

/* ---- Simulator core ------------------------------------------------------ */

static double secs(csctp_tstamp t) { return (double)t / 1e9; }

void sim_violation(sim *s, const char *fmt, ...) {
  s->violations++;
  if (s->printed >= 20) {
    if (s->printed == 20)
      fprintf(stderr,
              "SIM FAILURE seed=0x%016llx scenario=%s: (further violations "
              "not printed)\n",
              (unsigned long long)s->seed, s->scenario);
    s->printed++;
    return;
  }
  s->printed++;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "SIM FAILURE seed=0x%016llx scenario=%s: t=%.6f %s\n",
          (unsigned long long)s->seed, s->scenario, secs(s->now), buf);
}

void sim_log(sim *s, const char *fmt, ...) {
  if (!s->verbose)
    return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "[%12.6f] %s\n", secs(s->now), buf);
}

csctp_addr sim_addr4(uint32_t ip) {
  csctp_addr a;
  memset(&a, 0, sizeof a);
  a.family = CSCTP_AF_INET;
  a.ip[0] = (uint8_t)(ip >> 24);
  a.ip[1] = (uint8_t)(ip >> 16);
  a.ip[2] = (uint8_t)(ip >> 8);
  a.ip[3] = (uint8_t)ip;
  return a;
}

static int addr_same(const csctp_addr *a, const csctp_addr *b) {
  return a->family == b->family && memcmp(a->ip, b->ip, 4) == 0;
}

static const char *addr_str(const csctp_addr *a, char *buf, size_t n) {
  if (a->family == CSCTP_AF_INET)
    snprintf(buf, n, "%u.%u.%u.%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3]);
  else
    snprintf(buf, n, "(family %u)", a->family);
  return buf;
}

static int env_flag(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0;
}

sim *sim_new(uint64_t seed, const char *scenario) {
  sim *s = calloc(1, sizeof *s);
  if (!s) {
    fprintf(stderr, "sim_new: out of memory\n");
    abort();
  }
  s->seed = seed;
  s->scenario = scenario;
  s->now = 0;
  sim_rng_seed(&s->rng, seed ^ 0x51u);
  s->scratch_key_idx = -1;
  s->verbose = env_flag("SIM_VERBOSE");
  s->trace = env_flag("SIM_TRACE");
  s->log_engine = env_flag("SIM_LOG");
  return s;
}

static int rand_fn(uint8_t *dest, size_t len, void *ud) {
  sim_node *n = ud;
  while (len) {
    uint64_t v = sim_rng_next(&n->rng);
    size_t k = len < 8 ? len : 8;
    memcpy(dest, &v, k);
    dest += k;
    len -= k;
  }
  return 0;
}

static void engine_log(const char *line, void *ud) {
  sim_node *n = ud;
  fprintf(stderr, "[%12.6f] %s/log: %s\n", secs(n->sim->now), n->name, line);
}

static int node_create_ep(sim_node *n) {
  sim *s = n->sim;
  uint64_t g = (uint64_t)n->generation++;
  sim_rng_seed(&n->rng, sim_mix64(s->seed ^ ((uint64_t)n->idx << 32) ^ g));
  sim_mem_init(&n->mem,
               sim_mix64(s->seed + 0x77 + (uint64_t)n->idx * 131 + g * 7919));
  int rc = csctp_endpoint_new(&n->ep, n->port, &n->settings, &n->mem.mem,
                              rand_fn, n, s->now);
  if (rc != 0) {
    n->ep = NULL;
    sim_violation(s, "%s: csctp_endpoint_new failed: %s", n->name,
                  csctp_strerror(rc));
    return rc;
  }
  n->live = 1;
  if (s->log_engine)
    csctp_endpoint_set_log(n->ep, engine_log, n);
  if (n->listen)
    csctp_endpoint_listen(n->ep, 1);
  if (n->naddrs > 1) {
    rc = csctp_endpoint_set_local_addrs(n->ep, n->addrs, (size_t)n->naddrs);
    if (rc != 0)
      sim_violation(s, "%s: set_local_addrs: %s", n->name, csctp_strerror(rc));
  }
  return 0;
}

sim_node *sim_node_add(sim *s, const char *name, uint32_t ip, uint16_t port,
                       const csctp_settings *settings) {
  if (s->nnodes >= SIM_MAX_NODES) {
    sim_violation(s, "too many nodes");
    return NULL;
  }
  sim_node *n = &s->nodes[s->nnodes];
  memset(n, 0, sizeof *n);
  n->idx = s->nnodes++;
  n->sim = s;
  snprintf(n->name, sizeof n->name, "%s", name);
  n->addrs[0] = sim_addr4(ip);
  n->naddrs = 1;
  n->port = port;
  if (settings)
    n->settings = *settings;
  else
    csctp_settings_default(&n->settings);
  if (env_flag("SIM_CC_CUBIC"))
    n->settings.cc = CSCTP_CC_CUBIC; /* every scenario under CUBIC */
  sim_flow_reset(&n->app.tx,
                 sim_mix64(s->seed ^ (0xF10Dull + (uint64_t)n->idx)));
  n->app.send_enabled = 1;
  n->app.read_enabled = 1;
  n->app.rd_min = n->app.rd_max = 65536;
  node_create_ep(n);
  return n;
}

void sim_node_add_addr(sim_node *n, uint32_t ip) {
  if (n->naddrs >= SIM_MAX_ADDRS)
    return;
  n->addrs[n->naddrs++] = sim_addr4(ip);
  if (n->ep) {
    int rc = csctp_endpoint_set_local_addrs(n->ep, n->addrs, (size_t)n->naddrs);
    if (rc != 0)
      sim_violation(n->sim, "%s: set_local_addrs: %s", n->name,
                    csctp_strerror(rc));
  }
}

int sim_node_listen(sim_node *n, int enable) {
  n->listen = enable;
  return n->ep ? csctp_endpoint_listen(n->ep, enable) : 0;
}

static void node_snapshot(sim_node *n);

void sim_node_del(sim_node *n) {
  sim *s = n->sim;
  if (!n->ep)
    return;
  node_snapshot(n);
  if (n->have_status)
    n->retx_base += n->last_status.retransmits;
  n->have_status = 0;
  n->status_id = 0;
  csctp_endpoint_del(n->ep);
  n->ep = NULL;
  n->live = 0;
  if (n->mem.live_count != 0 || n->mem.live_bytes != 0)
    sim_violation(s,
                  "%s: leak after csctp_endpoint_del: %zu allocations, %zu "
                  "bytes still live",
                  n->name, n->mem.live_count, n->mem.live_bytes);
}

int sim_node_restart(sim_node *n) {
  sim_node_del(n);
  n->assoc = 0;
  n->up = n->lost = n->shutdown_complete = n->shutdown_received = 0;
  n->restarted = 0;
  memset(&n->app.rd, 0, sizeof n->app.rd);
  n->app.shutdown_called = 0;
  return node_create_ep(n);
}

void sim_pair(sim_node *a, sim_node *b) {
  a->peer = b;
  b->peer = a;
}

int sim_connect(sim_node *a, sim_node *b) {
  csctp_assoc_id id = 0;
  int rc = csctp_connect(a->ep, b->addrs, (size_t)b->naddrs, b->port, NULL,
                         a->sim->now, &id);
  if (rc == 0)
    a->assoc = id;
  sim_log(a->sim, "%s: connect -> %s rc=%d id=%u", a->name, b->name, rc,
          (unsigned)id);
  return rc;
}

void sim_link_params_default(sim_link_params *p) {
  memset(p, 0, sizeof *p);
  p->delay = 10 * CSCTP_MILLISECONDS;
  p->rate = 12500000; /* 100 Mbit/s */
  p->queue_limit = 1u << 20;
}

sim_link *sim_link_add(sim *s, const csctp_addr *from, const csctp_addr *to,
                       const sim_link_params *p) {
  if (s->nlinks >= SIM_MAX_LINKS) {
    sim_violation(s, "too many links");
    return NULL;
  }
  sim_link *l = &s->links[s->nlinks++];
  memset(l, 0, sizeof *l);
  l->from = *from;
  l->to = *to;
  if (p)
    l->p = *p;
  else
    sim_link_params_default(&l->p);
  return l;
}

void sim_link_nodes(sim *s, sim_node *a, sim_node *b,
                    const sim_link_params *p) {
  for (int i = 0; i < a->naddrs; i++)
    for (int j = 0; j < b->naddrs; j++) {
      sim_link_add(s, &a->addrs[i], &b->addrs[j], p);
      sim_link_add(s, &b->addrs[j], &a->addrs[i], p);
    }
}

sim_link *sim_link_find(sim *s, const csctp_addr *from, const csctp_addr *to) {
  for (int i = 0; i < s->nlinks; i++)
    if (addr_same(&s->links[i].from, from) && addr_same(&s->links[i].to, to))
      return &s->links[i];
  return NULL;
}

void sim_link_set_down(sim *s, sim_node *a, sim_node *b, int down) {
  for (int i = 0; i < a->naddrs; i++)
    for (int j = 0; j < b->naddrs; j++) {
      sim_link *l = sim_link_find(s, &a->addrs[i], &b->addrs[j]);
      if (l)
        l->p.down = down;
      l = sim_link_find(s, &b->addrs[j], &a->addrs[i]);
      if (l)
        l->p.down = down;
    }
}

int sim_link_is_down(const sim *s, const sim_link *l) {
  return l->p.down || (s->now >= l->p.down_from && s->now < l->p.down_until);
}

static sim_node *node_by_addr(sim *s, const csctp_addr *a) {
  for (int i = 0; i < s->nnodes; i++)
    for (int j = 0; j < s->nodes[i].naddrs; j++)
      if (addr_same(&s->nodes[i].addrs[j], a))
        return &s->nodes[i];
  return NULL;
}

/* ---- Delivery heap ------------------------------------------------------- */

static int pkt_before(const sim_pkt *a, const sim_pkt *b) {
  return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_push(sim *s, sim_pkt *p) {
  if (s->nheap == s->capheap) {
    size_t nc = s->capheap ? s->capheap * 2 : 256;
    sim_pkt **nh = realloc(s->heap, nc * sizeof *nh);
    if (!nh) {
      fprintf(stderr, "sim: out of memory\n");
      abort();
    }
    s->heap = nh;
    s->capheap = nc;
  }
  size_t i = s->nheap++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!pkt_before(p, s->heap[parent]))
      break;
    s->heap[i] = s->heap[parent];
    i = parent;
  }
  s->heap[i] = p;
}

static sim_pkt *heap_pop(sim *s) {
  if (!s->nheap)
    return NULL;
  sim_pkt *top = s->heap[0];
  sim_pkt *last = s->heap[--s->nheap];
  size_t i = 0, n = s->nheap;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    const sim_pkt *best = last;
    if (l < n && pkt_before(s->heap[l], best)) {
      m = l;
      best = s->heap[l];
    }
    if (r < n && pkt_before(s->heap[r], best))
      m = r;
    if (m == i)
      break;
    s->heap[i] = s->heap[m];
    i = m;
  }
  if (n)
    s->heap[i] = last;
  return top;
}

static void schedule(sim *s, sim_link *l, const uint8_t *pkt, size_t len,
                     csctp_tstamp t) {
  sim_pkt *p = malloc(sizeof *p + len);
  if (!p) {
    fprintf(stderr, "sim: out of memory\n");
    abort();
  }
  p->t = t;
  p->seq = s->seq++;
  p->link = l;
  p->len = len;
  memcpy(p->data, pkt, len);
  heap_push(s, p);
}

/* ---- Packets: tracing and wire accounting -------------------------------- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void pkt_describe(const uint8_t *pkt, size_t len, char *out, size_t n) {
  size_t o = 0;
  out[0] = 0;
  if (len < 12) {
    snprintf(out, n, "(runt %zu)", len);
    return;
  }
  o += (size_t)snprintf(out + o, n - o, "%u>%u vtag=%08x", be16(pkt),
                        be16(pkt + 2), be32(pkt + 4));
  size_t off = 12;
  int count = 0;
  while (off + 4 <= len && o < n - 64) {
    uint8_t type = pkt[off], flags = pkt[off + 1];
    uint16_t clen = be16(pkt + off + 2);
    if (clen < 4 || off + clen > len) {
      o += (size_t)snprintf(out + o, n - o, " (bad chunk len %u)", clen);
      break;
    }
    if (++count > 8) {
      o += (size_t)snprintf(out + o, n - o, " ...");
      break;
    }
    o += (size_t)snprintf(out + o, n - o, " %s", sim_chunk_name(type));
    if (type == 0 && clen >= 16)
      o +=
          (size_t)snprintf(out + o, n - o, "(tsn=%u sid=%u ssn=%u f=%x len=%u)",
                           be32(pkt + off + 4), be16(pkt + off + 8),
                           be16(pkt + off + 10), flags, clen - 16u);
    else if (type == 3 && clen >= 16)
      o += (size_t)snprintf(out + o, n - o, "(cum=%u rwnd=%u gaps=%u dups=%u)",
                            be32(pkt + off + 4), be32(pkt + off + 8),
                            be16(pkt + off + 12), be16(pkt + off + 14));
    else if ((type == 6 || type == 9) && clen >= 8)
      o += (size_t)snprintf(out + o, n - o, "(f=%x cause=%u)", flags,
                            be16(pkt + off + 4));
    else if (flags)
      o += (size_t)snprintf(out + o, n - o, "(f=%x)", flags);
    off += (clen + 3u) & ~3u;
  }
}

static void pkt_account(sim_node *n, const uint8_t *pkt, size_t len) {
  size_t off = 12;
  while (off + 4 <= len) {
    uint8_t type = pkt[off];
    uint16_t clen = be16(pkt + off + 2);
    if (clen < 4 || off + clen > len)
      break;
    n->chunks_out[type]++;
    if (type == 9) { /* ERROR: walk causes */
      size_t c = off + 4, end = off + clen;
      while (c + 4 <= end) {
        uint16_t code = be16(pkt + c), cl = be16(pkt + c + 2);
        if (cl < 4)
          break;
        if (code == 3)
          n->stale_cookie_out++;
        c += (cl + 3u) & ~3u;
      }
    }
    off += (clen + 3u) & ~3u;
  }
}

/* Puts one packet written by node n on the link to dst. */
static void transmit(sim *s, sim_node *n, const csctp_addr *src,
                     const csctp_addr *dst, const uint8_t *pkt, size_t len) {
  sim_link *l = NULL;
  if (src->family)
    l = sim_link_find(s, src, dst);
  /* source "any": like an IP stack, use a working route when there is one */
  for (int i = 0; !l && i < n->naddrs; i++) {
    sim_link *c = sim_link_find(s, &n->addrs[i], dst);
    if (c && !sim_link_is_down(s, c))
      l = c;
  }
  for (int i = 0; !l && i < n->naddrs; i++)
    l = sim_link_find(s, &n->addrs[i], dst);
  n->pkts_out++;
  pkt_account(n, pkt, len);
  if (s->trace) {
    char d[1024], a[32], b[32];
    pkt_describe(pkt, len, d, sizeof d);
    fprintf(stderr, "[%12.6f] %s send %s->%s len=%zu %s%s\n", secs(s->now),
            n->name, l ? addr_str(&l->from, a, sizeof a) : "?",
            addr_str(dst, b, sizeof b), len, d, l ? "" : " NO ROUTE");
  }
  if (!l) {
    n->no_route++;
    return;
  }
  l->pkts++;
  l->bytes += len;
  if (sim_link_is_down(s, l)) {
    l->drop_down++;
    return;
  }
  csctp_tstamp extra = 0;
  if (l->hook && l->hook(s, l, pkt, len, &extra, l->hook_data)) {
    l->drop_hook++;
    if (s->trace)
      fprintf(stderr, "[%12.6f]   dropped by hook\n", secs(s->now));
    return;
  }
  if (l->p.mtu && len > l->p.mtu && (s->pkt_flags & CSCTP_PKT_FRAG_OK)) {
    l->frag_mtu++; /* RFC 8899 4.4: fragmentation allowed, it passes */
  } else if (l->p.mtu && len > l->p.mtu) {
    l->drop_mtu++;
    if (s->trace)
      fprintf(stderr, "[%12.6f]   dropped: larger than the link MTU\n",
              secs(s->now));
    return;
  }
  /* serialisation and queue (drop tail) */
  csctp_tstamp depart = s->now;
  if (l->p.rate) {
    csctp_tstamp backlog = l->busy_until > s->now ? l->busy_until - s->now : 0;
    uint64_t queued = (uint64_t)((double)backlog * (double)l->p.rate / 1e9);
    if (l->p.queue_limit && queued + len > l->p.queue_limit) {
      l->drop_queue++;
      if (s->trace)
        fprintf(stderr, "[%12.6f]   dropped: queue full\n", secs(s->now));
      return;
    }
    csctp_tstamp start = l->busy_until > s->now ? l->busy_until : s->now;
    csctp_tstamp tx =
        (csctp_tstamp)((double)len * 1e9 / (double)l->p.rate + 0.5);
    l->busy_until = start + tx;
    depart = l->busy_until;
  }
  if (sim_rng_chance(&s->rng, l->p.loss)) {
    l->drop_loss++;
    if (s->trace)
      fprintf(stderr, "[%12.6f]   lost\n", secs(s->now));
    return;
  }
  csctp_tstamp t = depart + l->p.delay + extra;
  if (l->p.jitter)
    t += sim_rng_range(&s->rng, 0, l->p.jitter);
  if (sim_rng_chance(&s->rng, l->p.reorder)) {
    l->reorders++;
    t += sim_rng_range(&s->rng, 0, l->p.reorder_delay);
  } else {
    if (t < l->last_arrival)
      t = l->last_arrival;
    l->last_arrival = t;
  }
  schedule(s, l, pkt, len, t);
  if (sim_rng_chance(&s->rng, l->p.dup)) {
    l->dups++;
    csctp_tstamp t2 =
        t + sim_rng_range(&s->rng, 0, l->p.jitter + CSCTP_MILLISECONDS);
    schedule(s, l, pkt, len, t2);
  }
}

static void deliver(sim *s, sim_pkt *p) {
  sim_link *l = p->link;
  sim_node *n = node_by_addr(s, &l->to);
  if (sim_link_is_down(s, l)) {
    l->drop_down++;
    return;
  }
  if (!n || !n->ep) {
    l->drop_down++;
    return;
  }
  uint16_t sp = 0, dp = 0;
  if (csctp_pkt_ports(p->data, p->len, &sp, &dp) != 0 || dp != n->port) {
    l->drop_down++;
    return;
  }
  l->delivered++;
  n->pkts_in++;
  if (s->trace) {
    char d[1024];
    pkt_describe(p->data, p->len, d, sizeof d);
    fprintf(stderr, "[%12.6f] %s recv len=%zu %s\n", secs(s->now), n->name,
            p->len, d);
  }
  int rc =
      csctp_endpoint_read_pkt(n->ep, &l->from, &l->to, p->data, p->len, s->now);
  if (rc == CSCTP_ERR_MALFORMED || rc == CSCTP_ERR_CHECKSUM)
    sim_violation(s, "%s: engine rejected a packet its peer wrote: %s", n->name,
                  csctp_strerror(rc));
  else if (rc < 0 && s->verbose)
    sim_log(s, "%s: read_pkt: %s", n->name, csctp_strerror(rc));
}

/* ---- Flows --------------------------------------------------------------- */

void sim_flow_reset(sim_flow *f, uint64_t key) {
  sim_msg *m = f->msgs;
  uint8_t *st = f->state;
  uint32_t *no = f->next_ord;
  size_t cap = f->cap;
  memset(f, 0, sizeof *f);
  f->msgs = m;
  f->state = st;
  f->next_ord = no;
  f->cap = cap;
  f->key = key;
  for (int i = 0; i < SIM_MAX_STREAMS; i++)
    f->first_ord[i] = f->last_ord[i] = f->cur_ord[i] = SIM_NONE;
}

void sim_flow_free(sim_flow *f) {
  free(f->msgs);
  free(f->state);
  free(f->next_ord);
  f->msgs = NULL;
  f->state = NULL;
  f->next_ord = NULL;
  f->n = f->cap = 0;
}

size_t sim_flow_add(sim_flow *f, uint16_t sid, uint32_t ppid, int unordered,
                    uint32_t size) {
  if (f->n == f->cap) {
    size_t nc = f->cap ? f->cap * 2 : 64;
    sim_msg *m = realloc(f->msgs, nc * sizeof *m);
    uint8_t *st = realloc(f->state, nc);
    uint32_t *no = realloc(f->next_ord, nc * sizeof *no);
    if (!m || !st || !no) {
      fprintf(stderr, "sim: out of memory\n");
      abort();
    }
    f->msgs = m;
    f->state = st;
    f->next_ord = no;
    f->cap = nc;
  }
  size_t i = f->n++;
  if (sid >= SIM_MAX_STREAMS)
    sid = SIM_MAX_STREAMS - 1;
  f->msgs[i].sid = sid;
  f->msgs[i].ppid = ppid;
  f->msgs[i].unordered = unordered ? 1 : 0;
  f->msgs[i].size = size ? size : 1;
  f->state[i] = 0;
  f->next_ord[i] = SIM_NONE;
  f->total_bytes += f->msgs[i].size;
  if (!unordered) {
    if (f->last_ord[sid] == SIM_NONE) {
      f->first_ord[sid] = (uint32_t)i;
      if (f->cur_ord[sid] == SIM_NONE)
        f->cur_ord[sid] = (uint32_t)i;
    } else {
      f->next_ord[f->last_ord[sid]] = (uint32_t)i;
      /* the cursor may have run past the end of the list */
      if (f->cur_ord[sid] == SIM_NONE)
        f->cur_ord[sid] = (uint32_t)i;
    }
    f->last_ord[sid] = (uint32_t)i;
  }
  return i;
}

/* Bytes 0..3 of a message of 4 bytes or more are its index (little
 * endian); every other byte comes from a keyed hash of (index, offset / 8). */
void sim_msg_fill(uint64_t key, uint64_t idx, uint32_t size, uint64_t off,
                  uint8_t *out, size_t n) {
  uint64_t base = sim_mix64(key ^ (idx * 0x9E3779B97F4A7C15ull));
  uint64_t end = off + n;
  uint64_t pos = off;
  while (pos < end) {
    uint64_t w = sim_mix64(base + (pos >> 3));
    unsigned b = (unsigned)(pos & 7);
    while (b < 8 && pos < end) {
      out[pos - off] = (uint8_t)(w >> (8 * b));
      b++;
      pos++;
    }
  }
  if (size >= 4)
    for (uint64_t p = off; p < 4 && p < end; p++)
      out[p - off] = (uint8_t)(idx >> (8 * p));
}

int sim_flow_done(const sim_flow *f) {
  return f->next_send == f->n && f->delivered == f->n;
}

int sim_flow_settled(const sim_flow *f) {
  if (f->next_send < f->n)
    return 0;
  for (size_t i = f->first_open; i < f->n; i++)
    if (!(f->state[i] &
          (SIM_MSG_DELIVERED | SIM_MSG_FAILED | SIM_MSG_REJECTED)))
      return 0;
  return 1;
}

/* ---- Application layer --------------------------------------------------- */

static int app_paused(const sim_app *a, csctp_tstamp now) {
  for (int i = 0; i < a->npauses; i++)
    if (now >= a->pause_start[i] && now < a->pause_end[i])
      return 1;
  return 0;
}

static void node_snapshot(sim_node *n) {
  if (!n->ep || !n->assoc)
    return;
  csctp_assoc_status st;
  if (csctp_assoc_status_get(n->ep, n->assoc, &st) != 0)
    return;
  if (n->have_status &&
      (n->status_id != n->assoc || st.retransmits < n->last_status.retransmits))
    n->retx_base += n->last_status.retransmits;
  n->last_status = st;
  n->have_status = 1;
  n->status_id = n->assoc;
}

uint64_t sim_node_retransmits(sim_node *n) {
  node_snapshot(n);
  return n->retx_base + (n->have_status ? n->last_status.retransmits : 0);
}

static void handle_event(sim *s, sim_node *n, csctp_event *ev) {
  uint32_t t = ev->type;
  uint32_t reason = 0;
  if (t < SIM_EV_TYPES) {
    if (!n->ev_count[t])
      n->ev_first[t] = s->now;
    n->ev_count[t]++;
  }
  switch (t) {
  case CSCTP_EV_ASSOC_UP:
    if (n->up && !n->lost && !n->shutdown_complete && n->assoc == ev->assoc_id)
      sim_violation(s, "%s: second ASSOC_UP for association %u", n->name,
                    (unsigned)ev->assoc_id);
    if (n->lost || n->shutdown_complete) {
      /* a new association after the previous one ended */
      n->lost = n->shutdown_complete = n->shutdown_received = 0;
      n->app.shutdown_called = 0;
      memset(&n->app.rd, 0, sizeof n->app.rd);
    }
    n->assoc = ev->assoc_id;
    n->up = 1;
    n->up_time = s->now;
    break;
  case CSCTP_EV_ASSOC_RESTART:
    n->assoc = ev->assoc_id;
    n->restarted++;
    n->up = 1;
    break;
  case CSCTP_EV_ASSOC_LOST:
    reason = ev->u.lost.reason;
    n->lost = 1;
    n->lost_reason = ev->u.lost.reason;
    n->lost_cause = ev->u.lost.cause_code;
    n->lost_time = s->now;
    break;
  case CSCTP_EV_SHUTDOWN_COMPLETE:
    n->shutdown_complete = 1;
    n->shutdown_time = s->now;
    break;
  case CSCTP_EV_SHUTDOWN_RECEIVED:
    n->shutdown_received = 1;
    break;
  case CSCTP_EV_REMOTE_ERROR:
    reason = ev->u.remote_error.cause_code;
    break;
  case CSCTP_EV_PEER_ADDR_CHANGE:
    reason = ev->u.paddr.state;
    break;
  case CSCTP_EV_SEND_FAILED: {
    sim_flow *f = &n->app.tx;
    uint32_t idx = ev->u.send_failed.info.context;
    reason = idx;
    if (idx >= f->n || !(f->state[idx] & SIM_MSG_QUEUED)) {
      sim_violation(s, "%s: SEND_FAILED for message %u never queued", n->name,
                    (unsigned)idx);
    } else {
      const sim_msg *m = &f->msgs[idx];
      if (ev->u.send_failed.len != 0 && ev->u.send_failed.len != m->size)
        /* the API does not promise the whole message; note only */
        sim_log(s, "%s: SEND_FAILED msg %u returns %zu of %u bytes", n->name,
                (unsigned)idx, ev->u.send_failed.len, m->size);
      if (ev->u.send_failed.info.sid != m->sid)
        sim_violation(s, "%s: SEND_FAILED msg %u has sid %u, sent on %u",
                      n->name, (unsigned)idx, ev->u.send_failed.info.sid,
                      m->sid);
      if (!(f->state[idx] & SIM_MSG_FAILED)) {
        f->state[idx] |= SIM_MSG_FAILED;
        f->failed++;
      }
      if (!ev->u.send_failed.was_sent) {
        f->state[idx] |= SIM_MSG_UNSENT;
        if (f->state[idx] & SIM_MSG_STARTED)
          sim_violation(s,
                        "%s: SEND_FAILED says message %u was never sent, "
                        "but the peer received it",
                        n->name, (unsigned)idx);
      }
    }
    break;
  }
  default:
    break;
  }
  if (n->nev_log < SIM_EV_LOG) {
    sim_ev_rec *r = &n->ev_log[n->nev_log++];
    r->t = s->now;
    r->type = t;
    r->reason = reason;
    r->id = ev->assoc_id;
  }
  if (s->verbose) {
    if (t == CSCTP_EV_ASSOC_LOST)
      sim_log(s, "%s: event %s id=%u reason=%s cause=%u", n->name,
              sim_ev_name(t), (unsigned)ev->assoc_id, sim_lost_name(reason),
              ev->u.lost.cause_code);
    else if (t == CSCTP_EV_SEND_FAILED)
      sim_log(s, "%s: event SEND_FAILED msg=%u was_sent=%u len=%zu", n->name,
              (unsigned)reason, ev->u.send_failed.was_sent,
              ev->u.send_failed.len);
    else if (t == CSCTP_EV_PEER_ADDR_CHANGE) {
      char a[32];
      sim_log(s, "%s: event PEER_ADDR_CHANGE id=%u addr=%s state=%s", n->name,
              (unsigned)ev->assoc_id, addr_str(&ev->u.paddr.addr, a, sizeof a),
              reason == CSCTP_PATH_ACTIVE        ? "ACTIVE"
              : reason == CSCTP_PATH_INACTIVE    ? "INACTIVE"
              : reason == CSCTP_PATH_UNCONFIRMED ? "UNCONFIRMED"
                                                 : "PF");
    } else
      sim_log(s, "%s: event %s id=%u arg=%u", n->name, sim_ev_name(t),
              (unsigned)ev->assoc_id, (unsigned)reason);
  }
  if (n->on_event)
    n->on_event(s, n, ev, n->on_event_data);
}

static void poll_events(sim *s, sim_node *n) {
  csctp_event evs[8];
  for (;;) {
    size_t k = csctp_endpoint_poll_events(n->ep, evs, 8);
    if (k > 8) {
      sim_violation(s, "%s: poll_events returned %zu > max 8", n->name, k);
      k = 8;
    }
    for (size_t i = 0; i < k; i++) {
      handle_event(s, n, &evs[i]); /* on_event hooks must not delete ep */
      csctp_event_clear(n->ep, &evs[i]);
    }
    if (k < 8)
      break;
  }
}

/* Finds message `idx` claimed by the first 4 bytes; checks it is plausible. */
static int64_t identify(sim *s, sim_node *n, const sim_flow *f, uint64_t total,
                        int eor) {
  sim_app *a = &n->app;
  uint16_t sid = a->rd.sid;
  int have4 = a->rd.got >= 4 || (eor && total >= 4);
  (void)s;
  if (!a->rd.unordered) {
    uint32_t e = sid < SIM_MAX_STREAMS ? f->cur_ord[sid] : SIM_NONE;
    uint32_t k = SIM_NONE;
    if (have4)
      k = (uint32_t)a->rd.head[0] | (uint32_t)a->rd.head[1] << 8 |
          (uint32_t)a->rd.head[2] << 16 | (uint32_t)a->rd.head[3] << 24;
    /* messages reported failed (or refused) may be missing from the
     * stream: skip them */
    while (e != SIM_NONE && e != k &&
           (f->state[e] & (SIM_MSG_FAILED | SIM_MSG_REJECTED)) &&
           !(f->state[e] & SIM_MSG_STARTED))
      e = f->next_ord[e];
    if (have4) {
      if (k < f->n && f->msgs[k].size >= 4 && !f->msgs[k].unordered &&
          f->msgs[k].sid == sid && k != e) {
        sim_violation(s,
                      "%s: ordered stream %u delivers message %u but %d was "
                      "due (out of order or lost)",
                      n->name, sid, (unsigned)k, e == SIM_NONE ? -1 : (int)e);
        return k;
      }
    }
    if (e == SIM_NONE)
      return -1;
    return e;
  }
  /* unordered */
  if (have4) {
    uint32_t k = (uint32_t)a->rd.head[0] | (uint32_t)a->rd.head[1] << 8 |
                 (uint32_t)a->rd.head[2] << 16 | (uint32_t)a->rd.head[3] << 24;
    if (k < f->n && f->msgs[k].size >= 4 && f->msgs[k].unordered &&
        f->msgs[k].sid == sid && !(f->state[k] & SIM_MSG_DELIVERED))
      return k;
    if (!eor || total >= 4) {
      /* a long message: must carry its index */
      if (k < f->n && f->msgs[k].size >= 4 && f->msgs[k].unordered)
        return k; /* delivered twice or wrong stream: caught by caller */
      return -1;
    }
  }
  if (!eor)
    return -1;
  /* a message of fewer than 4 bytes: find an undelivered twin */
  for (size_t i = f->first_open; i < f->n; i++) {
    const sim_msg *m = &f->msgs[i];
    if (!m->unordered || m->sid != sid || m->size != total ||
        m->ppid != a->rd.ppid || (f->state[i] & SIM_MSG_DELIVERED))
      continue;
    uint8_t exp[4];
    sim_msg_fill(f->key, i, m->size, 0, exp, m->size);
    if (memcmp(exp, a->rd.head, m->size) == 0)
      return (int64_t)i;
  }
  return -1;
}

static void verify_bytes(sim *s, sim_node *n, const sim_flow *f, uint64_t idx,
                         uint64_t off, const uint8_t *p, size_t len) {
  const sim_msg *m = &f->msgs[idx];
  if (off >= m->size)
    return; /* length checked by the caller */
  if (off + len > m->size)
    len = (size_t)(m->size - off);
  sim_msg_fill(f->key, idx, m->size, off, s->expbuf, len);
  if (memcmp(s->expbuf, p, len) != 0) {
    size_t i = 0;
    while (i < len && s->expbuf[i] == p[i])
      i++;
    sim_violation(s,
                  "%s: message %u (sid %u, %u bytes) corrupt at byte %llu: "
                  "got 0x%02x want 0x%02x",
                  n->name, (unsigned)idx, m->sid, m->size,
                  (unsigned long long)(off + i), p[i], s->expbuf[i]);
  }
}

static void read_part(sim *s, sim_node *n, const csctp_rcvinfo *info,
                      const uint8_t *buf, size_t len) {
  sim_app *a = &n->app;
  sim_flow *f = n->peer ? &n->peer->app.tx : NULL;
  int eor = (info->flags & CSCTP_RCV_EOR) != 0;
  uint16_t unord = (info->flags & CSCTP_RCV_UNORDERED) ? 1 : 0;
  if (!f) {
    sim_violation(s, "%s: received %zu bytes with no peer flow", n->name, len);
    return;
  }
  if (!a->rd.active) {
    memset(&a->rd, 0, sizeof a->rd);
    a->rd.active = 1;
    a->rd.idx = -1;
    a->rd.sid = info->sid;
    a->rd.ppid = info->ppid;
    a->rd.unordered = unord;
  } else if (a->rd.sid != info->sid || a->rd.ppid != info->ppid ||
             a->rd.unordered != unord) {
    sim_violation(s,
                  "%s: parts of one message disagree (sid %u/%u ppid %u/%u "
                  "unordered %u/%u): interleaved or lost boundary",
                  n->name, a->rd.sid, info->sid, a->rd.ppid, info->ppid,
                  a->rd.unordered, unord);
  }
  if (a->rd.idx == -1) {
    uint64_t before = a->rd.got;
    for (size_t i = 0; i < len && before + i < 4; i++)
      a->rd.head[before + i] = buf[i];
    uint64_t total = before + len;
    if (total >= 4 || eor) {
      a->rd.got = total >= 4 ? 4 : total; /* what head holds */
      int64_t k = identify(s, n, f, total, eor);
      a->rd.got = before;
      if (k < 0) {
        sim_violation(s,
                      "%s: received a message that was never sent (sid %u "
                      "ppid %u unordered %u, %llu+ bytes)",
                      n->name, info->sid, info->ppid, unord,
                      (unsigned long long)total);
        a->rd.idx = -2;
      } else {
        const sim_msg *m = &f->msgs[k];
        a->rd.idx = k;
        if (f->state[k] & SIM_MSG_DELIVERED)
          sim_violation(s, "%s: message %lld delivered twice", n->name,
                        (long long)k);
        else if (!(f->state[k] & SIM_MSG_QUEUED))
          sim_violation(s, "%s: message %lld delivered but never sent", n->name,
                        (long long)k);
        if (m->sid != a->rd.sid || m->ppid != a->rd.ppid ||
            m->unordered != a->rd.unordered)
          sim_violation(s,
                        "%s: message %lld arrives as sid %u ppid %u "
                        "unordered %u; it was sent as sid %u ppid %u "
                        "unordered %u",
                        n->name, (long long)k, a->rd.sid, a->rd.ppid,
                        a->rd.unordered, m->sid, m->ppid, m->unordered);
        if (f->state[k] & SIM_MSG_UNSENT)
          sim_violation(s,
                        "%s: message %lld arrives, but SEND_FAILED said it "
                        "was never sent",
                        n->name, (long long)k);
        f->state[k] |= SIM_MSG_STARTED;
        if (!m->unordered && m->sid < SIM_MAX_STREAMS)
          f->cur_ord[m->sid] = f->next_ord[k];
        if (before)
          verify_bytes(s, n, f, (uint64_t)k, 0, a->rd.head, (size_t)before);
      }
    }
  }
  if (a->rd.idx >= 0)
    verify_bytes(s, n, f, (uint64_t)a->rd.idx, a->rd.got, buf, len);
  a->rd.got += len;
  if (a->rd.idx >= 0) {
    const sim_msg *m = &f->msgs[a->rd.idx];
    if (a->rd.got > m->size) {
      sim_violation(s,
                    "%s: message %lld longer than sent (%llu > %u bytes): "
                    "boundary lost",
                    n->name, (long long)a->rd.idx,
                    (unsigned long long)a->rd.got, m->size);
      a->rd.idx = -2;
    } else if (eor && a->rd.got != m->size) {
      sim_violation(s,
                    "%s: message %lld ends (EOR) after %llu of %u bytes: "
                    "boundary lost",
                    n->name, (long long)a->rd.idx,
                    (unsigned long long)a->rd.got, m->size);
    }
  }
  if (eor) {
    if (a->rd.idx >= 0 && !(f->state[a->rd.idx] & SIM_MSG_DELIVERED)) {
      f->state[a->rd.idx] |= SIM_MSG_DELIVERED;
      f->delivered++;
      f->delivered_bytes += f->msgs[a->rd.idx].size;
      while (f->first_open < f->n &&
             (f->state[f->first_open] & SIM_MSG_DELIVERED))
        f->first_open++;
    }
    a->rd.active = 0;
  }
}

static void app_read(sim *s, sim_node *n) {
  sim_app *a = &n->app;
  if (!a->read_enabled || app_paused(a, s->now))
    return;
  for (;;) {
    size_t bl = (size_t)sim_rng_range(&s->rng, a->rd_min, a->rd_max);
    if (bl < 1)
      bl = 1;
    if (bl > sizeof s->rdbuf)
      bl = sizeof s->rdbuf;
    csctp_rcvinfo info;
    memset(&info, 0, sizeof info);
    csctp_ssize r = csctp_recv(n->ep, 0, &info, s->rdbuf, bl, s->now);
    if (r > 0) {
      if ((size_t)r > bl) {
        sim_violation(s, "%s: csctp_recv returned %ld > buffer %zu", n->name, r,
                      bl);
        r = (csctp_ssize)bl;
      }
      a->reads++;
      a->last_read_time = s->now;
      read_part(s, n, &info, s->rdbuf, (size_t)r);
      if (a->on_read)
        a->on_read(s, &info, s->rdbuf, (size_t)r, a->on_read_data);
      continue;
    }
    if (r == 0) {
      sim_violation(s, "%s: csctp_recv returned 0", n->name);
      break;
    }
    if (r == CSCTP_ERR_CLOSED || r == CSCTP_ERR_ABORTED ||
        r == CSCTP_ERR_TIMEOUT || r == CSCTP_ERR_REFUSED)
      a->rx_closed++; /* ended, everything read; the code says why */
    else if (r == CSCTP_ERR_NOMEM)
      a->nomem++;
    else if (r != CSCTP_ERR_AGAIN && r != CSCTP_ERR_NOT_FOUND)
      sim_violation(s, "%s: csctp_recv: %s", n->name, csctp_strerror((int)r));
    break;
  }
}

static const uint8_t *msg_bytes(sim *s, const sim_flow *f, size_t idx) {
  const sim_msg *m = &f->msgs[idx];
  if (s->scratch_key_idx == (int64_t)idx && s->scratch_key == f->key)
    return s->scratch;
  if (m->size > s->scratch_cap) {
    uint8_t *p = realloc(s->scratch, m->size);
    if (!p) {
      fprintf(stderr, "sim: out of memory\n");
      abort();
    }
    s->scratch = p;
    s->scratch_cap = m->size;
  }
  sim_msg_fill(f->key, idx, m->size, 0, s->scratch, m->size);
  s->scratch_key_idx = (int64_t)idx;
  s->scratch_key = f->key;
  return s->scratch;
}

static void app_send(sim *s, sim_node *n) {
  sim_app *a = &n->app;
  sim_flow *f = &a->tx;
  if (!a->send_enabled || !n->up || n->lost || n->shutdown_complete ||
      a->shutdown_called || s->now < a->send_at)
    return;
  int peer_paused = n->peer && app_paused(&n->peer->app, s->now);
  while (f->next_send < f->n) {
    size_t i = f->next_send;
    const sim_msg *m = &f->msgs[i];
    csctp_sndinfo info;
    memset(&info, 0, sizeof info);
    info.sid = m->sid;
    info.ppid = m->ppid;
    info.flags = m->unordered ? CSCTP_SEND_UNORDERED : 0;
    if (a->eof_on_last && i + 1 == f->n)
      info.flags |= CSCTP_SEND_EOF;
    info.context = (uint32_t)i;
    info.assoc_id = n->assoc;
    const uint8_t *data = msg_bytes(s, f, i);
    int rc = csctp_send(n->ep, &info, NULL, data, m->size, s->now);
    a->sends++;
    if (rc == 0) {
      f->state[i] |= SIM_MSG_QUEUED;
      f->queued++;
      f->next_send++;
      a->last_send_time = s->now;
      if (info.flags & CSCTP_SEND_EOF)
        a->shutdown_called = 1;
      continue;
    }
    if (rc == CSCTP_ERR_AGAIN) {
      a->again++;
      if (peer_paused)
        a->again_paused++;
      break;
    }
    if (rc == CSCTP_ERR_NOMEM) {
      a->nomem++;
      break;
    }
    /* refused for good: counted, never silently */
    f->state[i] |= SIM_MSG_REJECTED;
    f->rejected++;
    f->last_reject_err = rc;
    f->next_send++;
    sim_log(s, "%s: csctp_send msg %zu: %s", n->name, i, csctp_strerror(rc));
    if (rc == CSCTP_ERR_STATE || rc == CSCTP_ERR_CLOSED ||
        rc == CSCTP_ERR_NOT_FOUND) {
      /* the association is gone: reject the rest at once */
      while (f->next_send < f->n) {
        f->state[f->next_send++] |= SIM_MSG_REJECTED;
        f->rejected++;
      }
    }
  }
  if (f->next_send == f->n && a->shutdown_when_sent && !a->shutdown_called &&
      n->assoc &&
      (!a->shutdown_wait_peer || !n->peer ||
       n->peer->app.tx.next_send == n->peer->app.tx.n)) {
    a->shutdown_called = 1;
    a->shutdown_rc = csctp_shutdown(n->ep, n->assoc, s->now);
    sim_log(s, "%s: csctp_shutdown rc=%d", n->name, a->shutdown_rc);
  }
}

static void write_packets(sim *s, sim_node *n) {
  for (int guard = 0; guard < 100000; guard++) {
    csctp_addr dst, src;
    memset(&dst, 0, sizeof dst);
    memset(&src, 0, sizeof src);
    csctp_ssize r = csctp_endpoint_write_pkt_flags(
        n->ep, &dst, &src, s->pktbuf, sizeof s->pktbuf, s->now, &s->pkt_flags);
    if (r == 0)
      return;
    if (r < 0) {
      sim_violation(s, "%s: write_pkt: %s", n->name, csctp_strerror((int)r));
      return;
    }
    if ((size_t)r > n->settings.pmtu && n->settings.pmtu)
      sim_violation(s, "%s: packet of %ld bytes exceeds the PMTU %u", n->name,
                    r, n->settings.pmtu);
    if (r < 12)
      sim_violation(s, "%s: runt packet of %ld bytes", n->name, r);
    transmit(s, n, &src, &dst, s->pktbuf, (size_t)r);
  }
  sim_violation(s, "%s: write_pkt never returns 0", n->name);
}

static void service_node(sim *s, sim_node *n) {
  if (!n->ep)
    return;
  poll_events(s, n);
  if (!n->ep)
    return;
  app_read(s, n);
  app_send(s, n);
  write_packets(s, n);
  poll_events(s, n);
  if (!n->ep)
    return;
  node_snapshot(n);
}

void sim_service(sim *s) {
  for (int i = 0; i < s->nnodes; i++)
    service_node(s, &s->nodes[i]);
  /* a read or an event on a later node can make an earlier one write */
  for (int i = 0; i < s->nnodes; i++)
    if (s->nodes[i].ep)
      write_packets(s, &s->nodes[i]);
}

static csctp_tstamp app_wake(const sim_node *n, csctp_tstamp now) {
  csctp_tstamp t = CSCTP_TSTAMP_NEVER;
  const sim_app *a = &n->app;
  if (a->send_at > now && a->send_at < t)
    t = a->send_at;
  for (int i = 0; i < a->npauses; i++) {
    if (a->pause_start[i] > now && a->pause_start[i] < t)
      t = a->pause_start[i];
    if (a->pause_end[i] > now && a->pause_end[i] < t)
      t = a->pause_end[i];
  }
  return t;
}

int sim_run_until(sim *s, csctp_tstamp t_end, sim_pred pred, void *ud) {
  csctp_tstamp last = s->now;
  uint64_t same = 0;
  for (;;) {
    sim_service(s);
    if (pred && pred(s, ud))
      return 1;
    csctp_tstamp t = CSCTP_TSTAMP_NEVER;
    if (s->nheap)
      t = s->heap[0]->t;
    for (int i = 0; i < s->nnodes; i++) {
      sim_node *n = &s->nodes[i];
      if (n->ep) {
        csctp_tstamp e = csctp_endpoint_get_expiry(n->ep);
        if (e < t)
          t = e;
      }
      csctp_tstamp w = app_wake(n, s->now);
      if (w < t)
        t = w;
    }
    if (t == CSCTP_TSTAMP_NEVER || t > t_end) {
      if (t_end != CSCTP_TSTAMP_NEVER && t_end > s->now)
        s->now = t_end;
      sim_service(s);
      return pred ? (pred(s, ud) ? 1 : 0) : 0;
    }
    if (t < s->now)
      t = s->now;
    if (t == last) {
      if (++same > 1000000) {
        char why[256];
        size_t o = 0;
        why[0] = 0;
        for (int i = 0; i < s->nnodes && o < sizeof why - 64; i++)
          if (s->nodes[i].ep)
            o += (size_t)snprintf(
                why + o, sizeof why - o, " %s.expiry=%+lldns", s->nodes[i].name,
                (long long)(csctp_endpoint_get_expiry(s->nodes[i].ep) - t));
        sim_violation(s,
                      "stuck: a million steps without time passing "
                      "(packets due now: %s;%s)",
                      s->nheap && s->heap[0]->t <= t ? "yes" : "no", why);
        return -1;
      }
    } else {
      same = 0;
      last = t;
    }
    s->now = t;
    s->steps++;
    if (s->nheap && s->heap[0]->t <= t) {
      sim_pkt *p = heap_pop(s);
      deliver(s, p);
      free(p);
    } else {
      for (int i = 0; i < s->nnodes; i++) {
        sim_node *n = &s->nodes[i];
        if (n->ep && csctp_endpoint_get_expiry(n->ep) <= t) {
          int rc = csctp_endpoint_handle_expiry(n->ep, t);
          if (rc != 0)
            sim_violation(s, "%s: handle_expiry returned %d", n->name, rc);
        }
      }
    }
  }
}

/* ---- Predicates and checks ----------------------------------------------- */

int sim_pred_all_up(sim *s, void *ud) {
  (void)ud;
  for (int i = 0; i < s->nnodes; i++)
    if (s->nodes[i].ep && !s->nodes[i].up)
      return 0;
  return 1;
}

int sim_pred_flows_done(sim *s, void *ud) {
  (void)ud;
  for (int i = 0; i < s->nnodes; i++)
    if (!sim_flow_done(&s->nodes[i].app.tx))
      return 0;
  return 1;
}

int sim_pred_flows_settled(sim *s, void *ud) {
  (void)ud;
  for (int i = 0; i < s->nnodes; i++)
    if (!sim_flow_settled(&s->nodes[i].app.tx))
      return 0;
  return 1;
}

int sim_pred_all_closed(sim *s, void *ud) {
  (void)ud;
  for (int i = 0; i < s->nnodes; i++) {
    sim_node *n = &s->nodes[i];
    if (n->ep && !n->lost && !n->shutdown_complete)
      return 0;
  }
  return 1;
}

uint64_t sim_check_delivered(sim *s, sim_node *tx, int allow_loss) {
  sim_flow *f = &tx->app.tx;
  uint64_t missing = 0;
  for (size_t i = 0; i < f->n; i++) {
    if ((f->state[i] & SIM_MSG_QUEUED) && !(f->state[i] & SIM_MSG_DELIVERED)) {
      if (!missing && !allow_loss)
        sim_violation(
            s,
            "%s -> %s: message %zu (sid %u, %u bytes, %s) was "
            "queued and never delivered%s",
            tx->name, tx->peer ? tx->peer->name : "?", i, f->msgs[i].sid,
            f->msgs[i].size, f->msgs[i].unordered ? "unordered" : "ordered",
            (f->state[i] & SIM_MSG_FAILED) ? " (SEND_FAILED reported)" : "");
      missing++;
    }
  }
  if (missing && !allow_loss)
    sim_violation(s, "%s -> %s: %llu of %llu queued messages not delivered",
                  tx->name, tx->peer ? tx->peer->name : "?",
                  (unsigned long long)missing, (unsigned long long)f->queued);
  return missing;
}

void sim_stats_get(sim *s, sim_stats *st) {
  memset(st, 0, sizeof *st);
  for (int i = 0; i < s->nnodes; i++) {
    sim_node *n = &s->nodes[i];
    st->messages += n->app.tx.delivered;
    st->bytes += n->app.tx.delivered_bytes;
    st->retransmissions += sim_node_retransmits(n);
  }
  for (int i = 0; i < s->nlinks; i++) {
    sim_link *l = &s->links[i];
    st->dropped += l->drop_loss + l->drop_queue + l->drop_down + l->drop_hook;
  }
  st->violations = s->violations;
}

void sim_print_stats(sim *s) {
  sim_stats st;
  sim_stats_get(s, &st);
  printf("sim: scenario=%s seed=0x%llx t=%.3fs messages=%llu bytes=%llu "
         "retransmissions=%llu dropped=%llu violations=%llu",
         s->scenario, (unsigned long long)s->seed, secs(s->now),
         (unsigned long long)st.messages, (unsigned long long)st.bytes,
         (unsigned long long)st.retransmissions, (unsigned long long)st.dropped,
         (unsigned long long)st.violations);
  for (int i = 0; i < s->nnodes; i++)
    printf(" %s.peak=%zuK", s->nodes[i].name,
           s->nodes[i].mem.peak_bytes / 1024);
  printf("\n");
}

uint64_t sim_free(sim *s) {
  for (int i = 0; i < s->nnodes; i++)
    sim_node_del(&s->nodes[i]);
  for (int i = 0; i < s->nnodes; i++)
    sim_flow_free(&s->nodes[i].app.tx);
  for (size_t i = 0; i < s->nheap; i++)
    free(s->heap[i]);
  free(s->heap);
  free(s->scratch);
  uint64_t v = s->violations;
  free(s);
  return v;
}

/* ---- Hooks --------------------------------------------------------------- */

int sim_hook_drop_chunk(sim *s, sim_link *l, const uint8_t *pkt, size_t len,
                        csctp_tstamp *extra_delay, void *ud) {
  sim_hook_chunk *h = ud;
  (void)l;
  (void)extra_delay;
  if (len < 16 || pkt[12] != h->type)
    return 0;
  h->seen++;
  if (h->dropped < h->count) {
    h->dropped++;
    sim_log(s, "hook: dropping %s #%u", sim_chunk_name(h->type), h->seen);
    return 1;
  }
  return 0;
}

int sim_hook_delay_chunk(sim *s, sim_link *l, const uint8_t *pkt, size_t len,
                         csctp_tstamp *extra_delay, void *ud) {
  sim_hook_chunk *h = ud;
  (void)l;
  if (len < 16 || pkt[12] != h->type)
    return 0;
  h->seen++;
  if (h->dropped < h->count) {
    h->dropped++;
    *extra_delay += h->delay;
    sim_log(s, "hook: delaying %s #%u by %.3fs", sim_chunk_name(h->type),
            h->seen, secs(h->delay));
  }
  return 0;
}

/* ---- Shared bottleneck -------------------------------------------------- */

int sim_hook_bottleneck(struct sim *s, sim_link *l, const uint8_t *pkt,
                        size_t len, csctp_tstamp *extra_delay, void *ud) {
  sim_bottleneck *b = ud;
  (void)l;
  (void)pkt;
  csctp_tstamp backlog = b->busy_until > s->now ? b->busy_until - s->now : 0;
  uint64_t queued = (uint64_t)((double)backlog * (double)b->rate / 1e9);
  if (b->queue_limit && queued + len > b->queue_limit) {
    b->drops++;
    return 1;
  }
  if (queued + len > b->max_queued)
    b->max_queued = queued + len;
  csctp_tstamp start = b->busy_until > s->now ? b->busy_until : s->now;
  csctp_tstamp tx = (csctp_tstamp)((double)len * 1e9 / (double)b->rate + 0.5);
  b->busy_until = start + tx;
  b->pkts++;
  *extra_delay += b->busy_until - s->now;
  return 0;
}
