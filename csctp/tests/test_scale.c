/* test_scale.c -- many associations on one endpoint, over real loopback
 * sockets (issue "The C data path", item 3): 10,000 one-to-one client
 * sockets dial one one-to-many listener at once and all get through; the
 * sockets hold no file descriptors; memory per association is bounded;
 * messages still flow on any of them and everything is released at the
 * end. Two stacks in one process, as in test_io.c. No timed assertions:
 * throughput and CPU beside idle associations are measured by
 * scripts/bench_scale (make bench). */
#include "config.h"

#include "csctp_io.h"
#include "stackfds.h"
#include "test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>

/* ---- A byte-counting allocator ---------------------------------------- */

/* With TEST_SCALE_BREAKDOWN=1 in the environment the allocator also records
 * which call site made each live block, and the test prints the live bytes
 * per site after the dials (resolve the offsets with
 * `addr2line -f -e build/tests/test_scale OFFSET`). */
#define BD_SLOTS (1u << 20)
typedef struct {
  void *p;
  void *site;
} bd_slot;

typedef struct {
  long long live_bytes;
  bd_slot *bd; /* NULL: no breakdown */
} byte_mem;

static size_t bd_hash(void *p) {
  return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull) & (BD_SLOTS - 1);
}
static void bd_add(byte_mem *m, void *p, void *site) {
  if (!m->bd || !p)
    return;
  for (size_t i = bd_hash(p);; i = (i + 1) & (BD_SLOTS - 1))
    if (!m->bd[i].p || m->bd[i].p == (void *)1) {
      m->bd[i].p = p;
      m->bd[i].site = site;
      return;
    }
}
static void bd_del(byte_mem *m, void *p) {
  if (!m->bd || !p)
    return;
  for (size_t i = bd_hash(p); m->bd[i].p; i = (i + 1) & (BD_SLOTS - 1))
    if (m->bd[i].p == p) {
      m->bd[i].p = (void *)1; /* tombstone */
      return;
    }
}

static void *bm_malloc(size_t n, void *u) {
  void *p = malloc(n);
  if (p) {
    ((byte_mem *)u)->live_bytes += (long long)malloc_usable_size(p);
    bd_add(u, p, __builtin_return_address(0));
  }
  return p;
}
static void bm_free(void *p, void *u) {
  if (p) {
    ((byte_mem *)u)->live_bytes -= (long long)malloc_usable_size(p);
    bd_del(u, p);
  }
  free(p);
}
static void *bm_calloc(size_t a, size_t b, void *u) {
  void *p = calloc(a, b);
  if (p) {
    ((byte_mem *)u)->live_bytes += (long long)malloc_usable_size(p);
    bd_add(u, p, __builtin_return_address(0));
  }
  return p;
}
static void *bm_realloc(void *p, size_t n, void *u) {
  long long before = p ? (long long)malloc_usable_size(p) : 0;
  bd_del(u, p);
  void *q = realloc(p, n);
  if (q)
    ((byte_mem *)u)->live_bytes += (long long)malloc_usable_size(q) - before;
  bd_add(u, q ? q : p, __builtin_return_address(0));
  return q;
}

/* bd_print prints the live bytes per call site, largest first, per n
 * associations. */
static void bd_print(byte_mem *m, const char *what, int n) {
  enum { NSITES = 256 };
  struct {
    void *site;
    long long bytes, blocks;
  } s[NSITES];
  int ns = 0;
  if (!m->bd)
    return;
  for (size_t i = 0; i < BD_SLOTS; i++) {
    void *p = m->bd[i].p;
    if (!p || p == (void *)1)
      continue;
    int k = 0;
    while (k < ns && s[k].site != m->bd[i].site)
      k++;
    if (k == ns) {
      if (ns == NSITES)
        continue;
      s[ns].site = m->bd[i].site;
      s[ns].bytes = s[ns].blocks = 0;
      ns++;
    }
    s[k].bytes += (long long)malloc_usable_size(p);
    s[k].blocks++;
  }
  Dl_info di;
  uintptr_t base = 0;
  if (dladdr((void *)bd_print, &di))
    base = (uintptr_t)di.dli_fbase;
  for (int a = 0; a < ns; a++) {
    int best = a;
    for (int b = a + 1; b < ns; b++)
      if (s[b].bytes > s[best].bytes)
        best = b;
    if (best != a) {
      __typeof__(s[0]) t = s[a];
      s[a] = s[best];
      s[best] = t;
    }
    printf("  %s: site 0x%lx: %lld blocks, %.1f bytes per association\n", what,
           (unsigned long)((uintptr_t)s[a].site - base), s[a].blocks,
           (double)s[a].bytes / n);
  }
}

/* ---- Helpers ----------------------------------------------------------- */

static csctp_stack *new_stack_limit(csctp_mem *mem, uint64_t mem_limit) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  if (mem_limit)
    cfg.mem_limit = mem_limit;
  /* Loopback: short retransmission timers keep the test quick where data
   * refused by the budget waits for T3. */
  cfg.settings.rto_initial = 200 * CSCTP_MILLISECONDS;
  cfg.settings.rto_min = 100 * CSCTP_MILLISECONDS;
  cfg.settings.rto_max = 1 * CSCTP_SECONDS;
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.mem = mem;
  csctp_stack *st = NULL;
  int r = csctp_stack_new(&st, &cfg);
  if (r != 0)
    fprintf(stderr, "csctp_stack_new: %s\n", csctp_strerror(r));
  return st;
}

static csctp_stack *new_stack(csctp_mem *mem) {
  return new_stack_limit(mem, 0);
}

static void pump(csctp_stack *a, csctp_stack *b) {
  struct pollfd p[8];
  int n = 0;
  add_stack_fds(p, &n, a);
  add_stack_fds(p, &n, b);
  int t = csctp_stack_timeout(a), tb = csctp_stack_timeout(b);
  if (t < 0 || (tb >= 0 && tb < t))
    t = tb;
  if (t < 0 || t > 5)
    t = 5;
  (void)poll(p, (nfds_t)n, t);
  CHECK_EQ(csctp_stack_step(a), 0);
  CHECK_EQ(csctp_stack_step(b), 0);
}

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (!d)
    return -1;
  while (readdir(d))
    n++;
  closedir(d);
  return n;
}

static struct sockaddr_in loop4(uint16_t port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* ---- Tests ------------------------------------------------------------- */

#define NCLIENTS 10000

static void test_ten_thousand_associations(void) {
  byte_mem smem = {0}, cmem = {0};
  const char *bd = getenv("TEST_SCALE_BREAKDOWN");
  if (bd && *bd == '1') {
    smem.bd = calloc(BD_SLOTS, sizeof *smem.bd);
    cmem.bd = calloc(BD_SLOTS, sizeof *cmem.bd);
  }
  csctp_mem sm = {&smem, bm_malloc, bm_free, bm_calloc, bm_realloc};
  csctp_mem cm = {&cmem, bm_malloc, bm_free, bm_calloc, bm_realloc};
  csctp_stack *srv_st = new_stack(&sm), *cli_st = new_stack(&cm);
  REQUIRE(srv_st && cli_st);
  csctp_sock *srv;
  REQUIRE(csctp_socket(srv_st, AF_INET, CSCTP_SOCK_SEQPACKET, &srv) == 0);
  struct sockaddr_in la = loop4(5200);
  REQUIRE(csctp_bindx(srv, (struct sockaddr *)&la, 1) == 0);
  REQUIRE(csctp_listen(srv, 1) == 0);
  long long srv_base = smem.live_bytes, cli_base = cmem.live_bytes;

  csctp_sock **cli = calloc(NCLIENTS, sizeof *cli);
  REQUIRE(cli);
  int fds_before = open_fds();
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = csctp_stack_udp_port(srv_st);
  int started = 0;
  for (int i = 0; i < NCLIENTS; i++) {
    if (csctp_socket(cli_st, AF_INET, CSCTP_SOCK_STREAM, &cli[i]) != 0)
      break;
    CHECK_EQ(csctp_setsockopt(cli[i], CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u,
                              sizeof u),
             0);
    if (csctp_connectx(cli[i], (struct sockaddr *)&la, 1, NULL) != -EINPROGRESS)
      break;
    started++;
  }
  REQUIRE(started == NCLIENTS);
  /* The sockets hold no file descriptor: readiness is read with
   * csctp_sock_poll, and eventfds are only made for callers that ask. */
  CHECK_EQ(open_fds(), fds_before);

  /* Every dial completes (a liveness bound, not a timing claim). */
  int up = 0, failed = 0;
  csctp_tstamp end = csctp_now() + 120 * CSCTP_SECONDS;
  while (up + failed < NCLIENTS && csctp_now() < end) {
    pump(srv_st, cli_st);
    up = failed = 0;
    for (int i = 0; i < NCLIENTS; i++) {
      int m = csctp_sock_poll(cli[i]);
      if (m & CSCTP_POLLERR)
        failed++;
      else if (m & CSCTP_POLLOUT)
        up++;
    }
  }
  CHECK_EQ(failed, 0);
  CHECK_EQ(up, NCLIENTS);
  int connecting = 0;
  CHECK_EQ(csctp_sock_open_assocs(srv, &connecting), NCLIENTS);
  CHECK_EQ(connecting, 0);

  /* Memory per idle association (the engine's and the socket layer's
   * allocations; the socket buffers are allocated on demand). */
  long long per_srv = (smem.live_bytes - srv_base) / NCLIENTS;
  long long per_cli = (cmem.live_bytes - cli_base) / NCLIENTS;
  printf("test_scale: %d associations: %lld bytes each on the one-to-many "
         "server, %lld per one-to-one client socket with its association\n",
         NCLIENTS, per_srv, per_cli);
  bd_print(&smem, "server", NCLIENTS);
  bd_print(&cmem, "client", NCLIENTS);
  /* Issue 11: at most 2 KB RSS per idle association on a one-to-many
   * socket and 4 KB per one-to-one socket with its association; the
   * allocator's count leaves room for malloc's overhead and fragmentation
   * (measured: 1,764 and 3,285 bytes, bench_scale's RSS 1.82 and 3.46 KB;
   * 1,828 and 3,397 bytes once I-DATA, explicit EOR, ASCONF and zero
   * checksum each added their pointer or flags). */
  CHECK(per_srv <= 1900);
  CHECK(per_cli <= 3500);

  /* Messages flow on a sample of them, in both directions. */
  int got = 0;
  for (int i = 0; i < NCLIENTS; i += 97) {
    char msg[16];
    int n = snprintf(msg, sizeof msg, "c%d", i);
    struct iovec iov = {msg, (size_t)n};
    CHECK_EQ(csctp_sendv(cli[i], &iov, 1, NULL, NULL, 0), n);
  }
  int want = (NCLIENTS + 96) / 97;
  end = csctp_now() + 30 * CSCTP_SECONDS;
  while (got < want && csctp_now() < end) {
    char buf[64];
    struct iovec v = {buf, sizeof buf - 1};
    csctp_rcvinfo ri;
    int fl = 0;
    csctp_ssize r = csctp_recvv(srv, &v, 1, NULL, NULL, &ri, &fl);
    if (r == -EAGAIN) {
      pump(srv_st, cli_st);
      continue;
    }
    REQUIRE(r > 0);
    if (fl & CSCTP_MSG_NOTIFICATION)
      continue;
    buf[r] = 0;
    CHECK_EQ(buf[0], 'c');
    got++;
    csctp_sndinfo si;
    memset(&si, 0, sizeof si);
    si.assoc_id = ri.assoc_id;
    buf[0] = 's';
    struct iovec rv = {buf, (size_t)r};
    CHECK_EQ(csctp_sendv(srv, &rv, 1, NULL, &si, 0), r);
  }
  CHECK_EQ(got, want);
  int echoed = 0;
  end = csctp_now() + 30 * CSCTP_SECONDS;
  for (int i = 0; i < NCLIENTS && csctp_now() < end;) {
    char buf[64];
    struct iovec v = {buf, sizeof buf - 1};
    csctp_ssize r = csctp_recvv(cli[i], &v, 1, NULL, NULL, NULL, NULL);
    if (r == -EAGAIN) {
      pump(srv_st, cli_st);
      continue;
    }
    CHECK(r > 1);
    if (r > 1) {
      buf[r] = 0;
      CHECK_EQ(buf[0], 's');
      CHECK_EQ(atoi(buf + 1), i);
      echoed++;
    }
    i += 97;
  }
  CHECK_EQ(echoed, want);

  /* Close every client gracefully; the server ends up with none. */
  for (int i = 0; i < NCLIENTS; i++)
    csctp_close(cli[i]);
  end = csctp_now() + 60 * CSCTP_SECONDS;
  while ((csctp_sock_open_assocs(srv, NULL) > 0 ||
          csctp_stack_closing(cli_st) > 0) &&
         csctp_now() < end)
    pump(srv_st, cli_st);
  CHECK_EQ(csctp_sock_open_assocs(srv, NULL), 0);
  CHECK_EQ(csctp_stack_closing(cli_st), 0);
  csctp_stack_stats ss;
  csctp_stack_stats_get(cli_st, &ss);
  CHECK_EQ(ss.sockets, 0);
  CHECK_EQ(ss.endpoints, 0);
  free(cli);
  csctp_close(srv);
  csctp_stack_del(srv_st);
  csctp_stack_del(cli_st);
  CHECK_EQ(smem.live_bytes, 0);
  CHECK_EQ(cmem.live_bytes, 0);
  free(smem.bd);
  free(cmem.bd);
}

/* dial_all makes n one-to-one sockets on cli_st, dialled at once to the
 * listener at la on srv_st; returns how many came up (all or a failure). */
static int dial_all(csctp_stack *srv_st, csctp_stack *cli_st,
                    struct sockaddr_in *la, csctp_sock **cli, int n) {
  csctp_udpencaps u;
  memset(&u, 0, sizeof u);
  u.port = csctp_stack_udp_port(srv_st);
  for (int i = 0; i < n; i++) {
    if (csctp_socket(cli_st, AF_INET, CSCTP_SOCK_STREAM, &cli[i]) != 0)
      return 0;
    (void)csctp_setsockopt(cli[i], CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u,
                           sizeof u);
    if (csctp_connectx(cli[i], (struct sockaddr *)la, 1, NULL) != -EINPROGRESS)
      return 0;
  }
  int up = 0;
  csctp_tstamp end = csctp_now() + 120 * CSCTP_SECONDS;
  while (up < n && csctp_now() < end) {
    pump(srv_st, cli_st);
    up = 0;
    for (int i = 0; i < n; i++)
      if ((csctp_sock_poll(cli[i]) & (CSCTP_POLLOUT | CSCTP_POLLERR)) ==
          CSCTP_POLLOUT)
        up++;
  }
  return up;
}

#define BUDGET_LIMIT (32u << 20)
#define PER_ASSOC (16 * 1024)

/* The stack-wide memory budget: 10,000 associations each send 16 KB to a
 * server that does not read, 160 MB against a 32 MiB budget. What the
 * server holds never passes the budget plus the two path MTUs each
 * association is always allowed; then the server reads, and every byte
 * arrives. */
static void test_budget_holds_ten_thousand(void) {
  csctp_stack *srv_st = new_stack_limit(NULL, BUDGET_LIMIT);
  csctp_stack *cli_st = new_stack(NULL);
  REQUIRE(srv_st && cli_st);
  csctp_sock *srv;
  REQUIRE(csctp_socket(srv_st, AF_INET, CSCTP_SOCK_SEQPACKET, &srv) == 0);
  struct sockaddr_in la = loop4(5201);
  REQUIRE(csctp_bindx(srv, (struct sockaddr *)&la, 1) == 0);
  REQUIRE(csctp_listen(srv, 1) == 0);
  csctp_sock **cli = calloc(NCLIENTS, sizeof *cli);
  REQUIRE(cli);
  REQUIRE(dial_all(srv_st, cli_st, &la, cli, NCLIENTS) == NCLIENTS);

  static char msg[1024];
  memset(msg, 'b', sizeof msg);
  for (int i = 0; i < NCLIENTS; i++)
    for (int k = 0; k < PER_ASSOC / (int)sizeof msg; k++) {
      struct iovec iov = {msg, sizeof msg};
      REQUIRE(csctp_sendv(cli[i], &iov, 1, NULL, NULL, 0) ==
              (csctp_ssize)sizeof msg);
    }
  /* Pump until the server holds no more (no growth for a second). */
  csctp_stack_stats ss;
  uint64_t peak = 0, last = 0;
  csctp_tstamp quiet_since = csctp_now();
  csctp_tstamp end = csctp_now() + 60 * CSCTP_SECONDS;
  while (csctp_now() - quiet_since < CSCTP_SECONDS / 2 && csctp_now() < end) {
    pump(srv_st, cli_st);
    csctp_stack_stats_get(srv_st, &ss);
    if (ss.mem_used > peak)
      peak = ss.mem_used;
    if (ss.mem_used != last) {
      last = ss.mem_used;
      quiet_since = csctp_now();
    }
  }
  CHECK_EQ(ss.mem_limit, BUDGET_LIMIT);
  uint64_t allowance = (uint64_t)NCLIENTS * 2 * 1500;
  printf("test_scale: budget %u MiB: %d associations sent %d KB each; the "
         "server held at most %.1f MiB (budget + 2 MTU each: %.1f MiB)\n",
         BUDGET_LIMIT >> 20, NCLIENTS, PER_ASSOC / 1024,
         (double)peak / (1 << 20),
         (double)(BUDGET_LIMIT + allowance) / (1 << 20));
  CHECK(peak <= BUDGET_LIMIT + allowance);
  CHECK(peak >= BUDGET_LIMIT / 2); /* it was filled, not idle */

  /* Now the server reads: everything arrives. */
  uint64_t got = 0, want = (uint64_t)NCLIENTS * PER_ASSOC;
  end = csctp_now() + 120 * CSCTP_SECONDS;
  while (got < want && csctp_now() < end) {
    char buf[4096];
    struct iovec v = {buf, sizeof buf};
    int fl = 0;
    csctp_ssize r = csctp_recvv(srv, &v, 1, NULL, NULL, NULL, &fl);
    if (r == -EAGAIN) {
      pump(srv_st, cli_st);
      continue;
    }
    REQUIRE(r > 0);
    if (!(fl & CSCTP_MSG_NOTIFICATION))
      got += (uint64_t)r;
  }
  CHECK_EQ(got, want);
  csctp_stack_stats_get(srv_st, &ss);
  CHECK_EQ(ss.mem_used, 0);
  for (int i = 0; i < NCLIENTS; i++)
    csctp_close(cli[i]);
  free(cli);
  csctp_close(srv);
  csctp_stack_del(srv_st);
  csctp_stack_del(cli_st);
}

int main(void) {
  TEST_RUN(test_ten_thousand_associations);
  TEST_RUN(test_budget_holds_ten_thousand);
  return TEST_SUMMARY();
}
