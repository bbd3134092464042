/* test_pacer.c -- INIT pacing (pacer.c, csctp_init_pacer in csctp.h).
 *
 * The rules under test:
 *  - RFC 9260 5.1 A: the T1-init timer starts after the INIT is sent; 5.1
 *    and 6.3 (6.3.1 C1, 6.3.3 E2): a retransmitted INIT follows one RTO
 *    after the one before, RTO.Initial then doubling, never sooner; at most
 *    Max.Init.Retransmits retransmissions.
 *  - the pacer's contract (csctp.h): at most `burst` INITs leave at once,
 *    then one per `interval`, shared by the endpoints given the same pacer;
 *    a lone dial is never held back.
 *
 * The many-dial scenario: N client endpoints (one association each, as
 * the I/O layer's one-to-one sockets) dial one listener at once through a
 * link whose receive queue holds Q packets and is served one packet per
 * 100 us (a listener's socket buffer). Without pacing the INITs arrive as
 * one burst, most are dropped, and every retransmission comes back in a
 * burst one RTO later; with pacing none is dropped and all come up. Time
 * is virtual. */
#include "csctp.h"
#include "test.h"

#include "../pacer.h"

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static csctp_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  csctp_addr x;
  memset(&x, 0, sizeof(x));
  x.family = CSCTP_AF_INET;
  x.ip[0] = a, x.ip[1] = b, x.ip[2] = c, x.ip[3] = d;
  return x;
}

#define MS CSCTP_MILLISECONDS
#define US (CSCTP_MILLISECONDS / 1000)
#define SEC CSCTP_SECONDS
#define T0 (1000 * SEC) /* virtual time starts here */

/* ---- The pacer alone ------------------------------------------------- */

/* burst turns at once, then one per interval, in the order asked; a pacer
 * that had time to refill gives a burst again; interval 0 never delays. */
static void test_take(void) {
  csctp_init_pacer p = {.burst = 3, .interval = 10 * MS};
  for (int i = 0; i < 3; i++)
    CHECK_EQ(csctp_pacer_take(&p, T0), T0);
  CHECK_EQ(csctp_pacer_take(&p, T0), T0 + 10 * MS);
  CHECK_EQ(csctp_pacer_take(&p, T0), T0 + 20 * MS);
  CHECK_EQ(csctp_pacer_take(&p, T0 + 5 * MS), T0 + 30 * MS);
  /* After 3 intervals with nothing asked, the bucket is full again. */
  csctp_tstamp later = T0 + 60 * MS + 3 * 10 * MS;
  for (int i = 0; i < 3; i++)
    CHECK_EQ(csctp_pacer_take(&p, later), later);
  CHECK(csctp_pacer_take(&p, later) > later);
  csctp_init_pacer off = {.burst = 1, .interval = 0};
  for (int i = 0; i < 100; i++)
    CHECK_EQ(csctp_pacer_take(&off, T0), T0);
  CHECK_EQ(csctp_pacer_take(NULL, T0), T0);
  csctp_init_pacer one = {.burst = 0, .interval = MS}; /* 0 counts as 1 */
  CHECK_EQ(csctp_pacer_take(&one, T0), T0);
  CHECK_EQ(csctp_pacer_take(&one, T0), T0 + MS);
}

/* ---- Many dials through a small queue -------------------------------- */

#define NCLI 400
#define QLEN 32          /* packets the listener's queue holds */
#define SERVE (100 * US) /* the listener takes one packet per SERVE */
#define DELAY (1 * MS)   /* one-way delay both ways */
#define MAXPKT 1500
#define MAXFLIGHT 4096
#define MAXINITS (NCLI * 10)

typedef struct flight {
  csctp_tstamp at;
  uint16_t len;
  uint8_t b[MAXPKT];
} flight;

/* A FIFO of packets (times never decrease: one delay per direction). */
typedef struct fifo {
  flight *f;
  size_t head, len;
} fifo;

static flight *fifo_push(fifo *q) {
  if (q->len == MAXFLIGHT)
    return NULL;
  flight *x = &q->f[(q->head + q->len) % MAXFLIGHT];
  q->len++;
  return x;
}
static flight *fifo_peek(fifo *q) { return q->len ? &q->f[q->head] : NULL; }
static void fifo_pop(fifo *q) {
  q->head = (q->head + 1) % MAXFLIGHT;
  q->len--;
}

typedef struct net {
  csctp_endpoint *srv, *cli[NCLI];
  uint64_t rseed;
  fifo c2s, s2c, queue;
  csctp_tstamp next_serve;
  int up[NCLI], lost[NCLI];
  /* Every INIT a client sent: when and which client, in time order. */
  csctp_tstamp init_t[MAXINITS];
  int init_c[MAXINITS];
  int ninits;
  uint64_t queue_drops, init_drops;
} net;

static int is_init(const uint8_t *b, size_t len) {
  return len > 12 && b[12] == 1; /* INIT goes alone (RFC 9260 6.10) */
}

static void net_init(net *n, csctp_init_pacer *pacer) {
  memset(n, 0, sizeof(*n));
  n->rseed = 11;
  n->c2s.f = calloc(MAXFLIGHT, sizeof(flight));
  n->s2c.f = calloc(MAXFLIGHT, sizeof(flight));
  n->queue.f = calloc(MAXFLIGHT, sizeof(flight));
  REQUIRE(n->c2s.f && n->s2c.f && n->queue.f);
  REQUIRE(csctp_endpoint_new(&n->srv, 6000, NULL, NULL, seeded_rand, &n->rseed,
                             T0) == 0);
  REQUIRE(csctp_endpoint_listen(n->srv, 1) == 0);
  csctp_addr sa = v4(10, 0, 0, 2);
  for (int i = 0; i < NCLI; i++) {
    REQUIRE(csctp_endpoint_new(&n->cli[i], (uint16_t)(5000 + i), NULL, NULL,
                               seeded_rand, &n->rseed, T0) == 0);
    REQUIRE(csctp_endpoint_set_init_pacer(n->cli[i], pacer) == 0);
    csctp_assoc_id id;
    REQUIRE(csctp_connect(n->cli[i], &sa, 1, 6000, NULL, T0, &id) == 0);
  }
}

static void net_free(net *n) {
  for (int i = 0; i < NCLI; i++)
    csctp_endpoint_del(n->cli[i]);
  csctp_endpoint_del(n->srv);
  free(n->c2s.f);
  free(n->s2c.f);
  free(n->queue.f);
}

static int drain_out(net *n, csctp_endpoint *ep, fifo *to, int ci,
                     csctp_tstamp now) {
  int did = 0;
  for (;;) {
    uint8_t buf[MAXPKT];
    csctp_addr dst, src;
    csctp_ssize r =
        csctp_endpoint_write_pkt(ep, &dst, &src, buf, sizeof buf, now);
    if (r <= 0)
      break;
    did = 1;
    if (ci >= 0 && is_init(buf, (size_t)r) && n->ninits < MAXINITS) {
      n->init_t[n->ninits] = now;
      n->init_c[n->ninits++] = ci;
    }
    flight *f = fifo_push(to);
    if (!f)
      continue; /* the wire itself is never the bottleneck here */
    f->at = now + DELAY;
    f->len = (uint16_t)r;
    memcpy(f->b, buf, (size_t)r);
  }
  return did;
}

static void poll_events(net *n, int ci, csctp_endpoint *ep) {
  csctp_event ev[8];
  size_t k;
  while ((k = csctp_endpoint_poll_events(ep, ev, 8)) > 0)
    for (size_t j = 0; j < k; j++) {
      if (ci >= 0 && ev[j].type == CSCTP_EV_ASSOC_UP)
        n->up[ci] = 1;
      if (ci >= 0 && ev[j].type == CSCTP_EV_ASSOC_LOST)
        n->lost[ci] = 1;
      csctp_event_clear(ep, &ev[j]);
    }
}

static csctp_tstamp min_t(csctp_tstamp a, csctp_tstamp b) {
  return a < b ? a : b;
}

/* Runs the network until every dial ended (up or lost) or `until`. */
static void net_run(net *n, csctp_tstamp until) {
  csctp_addr ca = v4(10, 0, 0, 1), sa = v4(10, 0, 0, 2);
  csctp_tstamp now = T0;
  n->next_serve = T0;
  for (long iter = 0; iter < 10000000; iter++) {
    for (int i = 0; i < NCLI; i++) {
      if (csctp_endpoint_get_expiry(n->cli[i]) <= now)
        csctp_endpoint_handle_expiry(n->cli[i], now);
      drain_out(n, n->cli[i], &n->c2s, i, now);
      poll_events(n, i, n->cli[i]);
    }
    if (csctp_endpoint_get_expiry(n->srv) <= now)
      csctp_endpoint_handle_expiry(n->srv, now);
    drain_out(n, n->srv, &n->s2c, -1, now);
    poll_events(n, -1, n->srv);
    /* Server to clients: lossless. */
    flight *f;
    while ((f = fifo_peek(&n->s2c)) && f->at <= now) {
      uint16_t sp, dp;
      if (csctp_pkt_ports(f->b, f->len, &sp, &dp) == 0 && dp >= 5000 &&
          dp < 5000 + NCLI)
        (void)csctp_endpoint_read_pkt(n->cli[dp - 5000], &sa, NULL, f->b,
                                      f->len, now);
      fifo_pop(&n->s2c);
    }
    /* Clients to server: into the listener's queue, dropped when full. */
    while ((f = fifo_peek(&n->c2s)) && f->at <= now) {
      flight *q = n->queue.len < QLEN ? fifo_push(&n->queue) : NULL;
      if (q) {
        *q = *f;
      } else {
        n->queue_drops++;
        if (is_init(f->b, f->len))
          n->init_drops++;
      }
      fifo_pop(&n->c2s);
    }
    if ((f = fifo_peek(&n->queue)) && n->next_serve <= now) {
      (void)csctp_endpoint_read_pkt(n->srv, &ca, NULL, f->b, f->len, now);
      fifo_pop(&n->queue);
      n->next_serve = now + SERVE;
    }
    int done = 1;
    for (int i = 0; i < NCLI; i++)
      if (!n->up[i] && !n->lost[i])
        done = 0;
    if (done)
      return;
    /* The next thing that happens. */
    csctp_tstamp next = csctp_endpoint_get_expiry(n->srv);
    for (int i = 0; i < NCLI; i++)
      next = min_t(next, csctp_endpoint_get_expiry(n->cli[i]));
    if ((f = fifo_peek(&n->s2c)))
      next = min_t(next, f->at);
    if ((f = fifo_peek(&n->c2s)))
      next = min_t(next, f->at);
    if (n->queue.len)
      next = min_t(next, n->next_serve);
    if (next > now)
      now = next;
    if (now > until)
      return;
  }
}

/* The most INITs any window of length w held. */
static int max_in_window(const net *n, csctp_tstamp w) {
  int best = 0;
  for (int i = 0, j = 0; j < n->ninits; j++) {
    while (n->init_t[j] - n->init_t[i] >= w)
      i++;
    if (j - i + 1 > best)
      best = j - i + 1;
  }
  return best;
}

/* RFC 9260 5.1 A, 6.3.1 C1, 6.3.3 E2: each client's INITs are at least its
 * T1 apart: RTO.Initial, doubling, capped at RTO.Max; at most
 * 1 + Max.Init.Retransmits of them. Returns the violations. */
static int t1_violations(const net *n) {
  csctp_settings s;
  csctp_settings_default(&s);
  int bad = 0;
  for (int c = 0; c < NCLI; c++) {
    csctp_tstamp last = 0, rto = s.rto_initial;
    uint32_t count = 0;
    for (int k = 0; k < n->ninits; k++) {
      if (n->init_c[k] != c)
        continue;
      if (count > 0) {
        if (n->init_t[k] - last < rto)
          bad++;
        rto = rto * 2 > s.rto_max ? s.rto_max : rto * 2;
      }
      last = n->init_t[k];
      count++;
    }
    if (count == 0 || count > 1 + s.max_init_retransmits)
      bad++;
  }
  return bad;
}

static int count_up(const net *n) {
  int up = 0;
  for (int i = 0; i < NCLI; i++)
    up += n->up[i];
  return up;
}

/* Unpaced, the burst overflows the queue and the retransmissions come back
 * as bursts one RTO later (what pacing is for: this run shows the scenario
 * can fail the paced run's checks). */
static void test_many_dials_unpaced(void) {
  static net n;
  net_init(&n, NULL);
  net_run(&n, T0 + 400 * SEC);
  int up = count_up(&n);
  int burst = max_in_window(&n, MS);
  printf("test_pacer: unpaced: %d of %d up, %llu INITs dropped, %d INITs "
         "sent, at most %d in 1 ms\n",
         up, NCLI, (unsigned long long)n.init_drops, n.ninits, burst);
  CHECK(n.init_drops > 0);
  CHECK(burst > QLEN); /* synchronized: more than the queue holds at once */
  CHECK_EQ(t1_violations(&n), 0);
  net_free(&n);
}

/* Paced (16 at once, then one per ms): no window of k ms holds more than
 * 16 + k INITs, none is dropped, every dial comes up, and every INIT's
 * retransmission still waits its full T1 (the pacer only ever delays). */
static void test_many_dials_paced(void) {
  static net n;
  csctp_init_pacer p = {.burst = 16, .interval = MS};
  net_init(&n, &p);
  net_run(&n, T0 + 400 * SEC);
  int up = count_up(&n);
  printf("test_pacer: paced: %d of %d up, %llu INITs dropped, %d INITs "
         "sent, at most %d in 1 ms, %d in 10 ms\n",
         up, NCLI, (unsigned long long)n.init_drops, n.ninits,
         max_in_window(&n, MS), max_in_window(&n, 10 * MS));
  CHECK_EQ(up, NCLI);
  CHECK_EQ(n.init_drops, 0);
  CHECK_EQ(n.ninits, NCLI); /* none needed retransmitting */
  for (int k = 1; k <= 50; k++)
    CHECK(max_in_window(&n, (csctp_tstamp)k * MS) <= 16 + k);
  /* The first 16 leave at the dial; the last one NCLI - 16 turns later. */
  CHECK_EQ(n.init_t[15], T0);
  CHECK(n.init_t[16] >= T0 + MS);
  CHECK(n.init_t[NCLI - 1] >= T0 + (NCLI - 16) * MS);
  CHECK_EQ(t1_violations(&n), 0);
  net_free(&n);
}

/* A paced INIT that is lost: its T1 counts from when it left, not from the
 * dial (5.1 A), and a retransmission takes a turn as well (one INIT per
 * 50 ms here). */
static void test_turn_then_t1(void) {
  csctp_init_pacer p = {.burst = 1, .interval = 50 * MS};
  uint64_t seed = 5;
  csctp_endpoint *e[3];
  csctp_addr sa = v4(10, 0, 0, 2);
  for (int i = 0; i < 3; i++) {
    REQUIRE(csctp_endpoint_new(&e[i], (uint16_t)(5000 + i), NULL, NULL,
                               seeded_rand, &seed, T0) == 0);
    REQUIRE(csctp_endpoint_set_init_pacer(e[i], &p) == 0);
    csctp_assoc_id id;
    REQUIRE(csctp_connect(e[i], &sa, 1, 6000, NULL, T0, &id) == 0);
  }
  uint8_t buf[MAXPKT];
  csctp_addr dst, src;
  csctp_ssize r;
  /* One leaves at once; the others have nothing to send before their
   * turns, 50 and 100 ms later. */
  r = csctp_endpoint_write_pkt(e[0], &dst, &src, buf, sizeof buf, T0);
  CHECK(r > 0 && is_init(buf, (size_t)r));
  CHECK_EQ(csctp_endpoint_write_pkt(e[1], &dst, &src, buf, sizeof buf, T0), 0);
  CHECK_EQ(csctp_endpoint_write_pkt(e[2], &dst, &src, buf, sizeof buf, T0), 0);
  CHECK_EQ(csctp_endpoint_get_expiry(e[1]), T0 + 50 * MS);
  CHECK_EQ(csctp_endpoint_get_expiry(e[2]), T0 + 100 * MS);
  for (int i = 1; i < 3; i++) {
    csctp_tstamp turn = T0 + (csctp_tstamp)i * 50 * MS;
    CHECK_EQ(
        csctp_endpoint_write_pkt(e[i], &dst, &src, buf, sizeof buf, turn - 1),
        0);
    CHECK_EQ(csctp_endpoint_handle_expiry(e[i], turn), 0);
    r = csctp_endpoint_write_pkt(e[i], &dst, &src, buf, sizeof buf, turn);
    CHECK(r > 0 && is_init(buf, (size_t)r));
    /* Nothing answers: T1-init, RTO.Initial (1 s), from the send. */
    CHECK_EQ(csctp_endpoint_get_expiry(e[i]), turn + SEC);
  }
  CHECK_EQ(csctp_endpoint_get_expiry(e[0]), T0 + SEC);
  /* e[0] and e[1] are handled together at T0 + 1.05 s: e[0] retransmits
   * at once; e[1]'s retransmission waits one turn, then leaves, and its T1
   * (doubled: 6.3.3 E2) counts from then. */
  csctp_tstamp t = T0 + SEC + 50 * MS;
  CHECK_EQ(csctp_endpoint_handle_expiry(e[0], t), 0);
  CHECK_EQ(csctp_endpoint_handle_expiry(e[1], t), 0);
  r = csctp_endpoint_write_pkt(e[0], &dst, &src, buf, sizeof buf, t);
  CHECK(r > 0 && is_init(buf, (size_t)r));
  CHECK_EQ(csctp_endpoint_get_expiry(e[0]), t + 2 * SEC);
  CHECK_EQ(csctp_endpoint_write_pkt(e[1], &dst, &src, buf, sizeof buf, t), 0);
  CHECK_EQ(csctp_endpoint_get_expiry(e[1]), t + 50 * MS);
  CHECK_EQ(csctp_endpoint_handle_expiry(e[1], t + 50 * MS), 0);
  r = csctp_endpoint_write_pkt(e[1], &dst, &src, buf, sizeof buf, t + 50 * MS);
  CHECK(r > 0 && is_init(buf, (size_t)r));
  CHECK_EQ(csctp_endpoint_get_expiry(e[1]), t + 50 * MS + 2 * SEC);
  for (int i = 0; i < 3; i++)
    csctp_endpoint_del(e[i]);
}

/* A lone dial is never held back by a pacer with room. */
static void test_lone_dial(void) {
  csctp_init_pacer p = {.burst = 1, .interval = SEC};
  uint64_t seed = 9;
  csctp_endpoint *e;
  REQUIRE(csctp_endpoint_new(&e, 5000, NULL, NULL, seeded_rand, &seed, T0) ==
          0);
  REQUIRE(csctp_endpoint_set_init_pacer(e, &p) == 0);
  csctp_addr sa = v4(10, 0, 0, 2);
  csctp_assoc_id id;
  REQUIRE(csctp_connect(e, &sa, 1, 6000, NULL, T0, &id) == 0);
  uint8_t buf[MAXPKT];
  csctp_addr dst, src;
  csctp_ssize r = csctp_endpoint_write_pkt(e, &dst, &src, buf, sizeof buf, T0);
  CHECK(r > 0 && is_init(buf, (size_t)r));
  CHECK_EQ(csctp_endpoint_get_expiry(e), T0 + SEC); /* T1-init */
  CHECK_EQ(csctp_endpoint_set_init_pacer(NULL, &p), CSCTP_ERR_INVAL);
  csctp_endpoint_del(e);
}

int main(void) {
  TEST_RUN(test_take);
  TEST_RUN(test_lone_dial);
  TEST_RUN(test_turn_then_t1);
  TEST_RUN(test_many_dials_paced);
  TEST_RUN(test_many_dials_unpaced);
  return TEST_SUMMARY();
}
