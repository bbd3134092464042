/* test_pmtud.c -- Packetization Layer Path MTU Discovery (pmtud.c, RFC
 * 8899 with its section 6.2 for SCTP; RFC 9260 7.3) and ICMP "packet too
 * big" (icmp.c, RFC 9260 appendix C, RFC 8899 4.6).
 *
 * The state machine of RFC 8899 5.2 is driven directly (BASE, SEARCHING,
 * SEARCH_COMPLETE, ERROR; PROBE_COUNT and MAX_PROBES; the raise timer;
 * black-hole detection; PTB sizes), then whole associations in the
 * simulator: a path whose MTU is 1280 is discovered and data flows without
 * loss; a black hole appearing mid-transfer is found and left; a PTB with
 * the association's tag lowers the path MTU, one with another tag does not.
 */
#include "sim.h"
#include "test.h"

#include "../chunk.h"
#include "../pmtud.h"

#include <string.h>

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define CLIENT_IP 0x0a000001u
#define SERVER_IP 0x0a000002u

static char run_name[160];

/* ---- the state machine alone ---------------------------------------- */

/* A path that carries packets up to pmtu bytes: answers the probes that
 * fit and lets the others time out, until the search completes or limit
 * probes went. Returns the number of probes sent; checks every probe's
 * size (RFC 8899 5.1.2: between BASE_PLPMTU and MAX_PLPMTU; SCTP packets
 * are multiples of 4) and that a failing size is probed MAX_PROBES times
 * before the search moves on (5.1.3). */
static int drive(csctp_pmtud *m, uint32_t pmtu, csctp_tstamp *now, int limit) {
  int n = 0;
  uint32_t last = 0, same = 0;
  while (n < limit && m->state != CSCTP_PMTUD_SEARCH_COMPLETE) {
    if (!m->send_now) {
      if (csctp_pmtud_expiry(m) == CSCTP_TSTAMP_NEVER)
        break;
      *now = csctp_pmtud_expiry(m);
      csctp_pmtud_on_timer(m, *now);
      continue;
    }
    uint32_t size = m->probed;
    CHECK(size >= CSCTP_PMTUD_BASE && size <= m->max);
    CHECK_EQ(size % 4, 0);
    same = size == last ? same + 1 : 1;
    CHECK(same <= CSCTP_PMTUD_MAX_PROBES);
    last = size;
    csctp_pmtud_sent(m, 1000u + (uint32_t)n, *now, 0);
    /* 5.1.1: PROBE_TIMER at least 1 s even when asked for less */
    CHECK(csctp_pmtud_expiry(m) >= *now + SEC);
    n++;
    if (size <= pmtu) {
      *now += 10 * MS;
      csctp_pmtud_on_ack(m, 1000u + (uint32_t)(n - 1), size, *now);
    }
  }
  return n;
}

static void test_init(void) {
  csctp_pmtud m;
  csctp_pmtud_init(&m, 1452, 1);
  /* 5.2: the PLPMTU starts at BASE_PLPMTU; no probe before connectivity */
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_BASE);
  CHECK_EQ(m.state, CSCTP_PMTUD_DISABLED);
  CHECK(!m.send_now);
  csctp_pmtud_init(&m, 1452, 0); /* off: the configured size, no probes */
  CHECK_EQ(m.plpmtu, 1452);
  csctp_pmtud_start(&m);
  CHECK_EQ(m.state, CSCTP_PMTUD_DISABLED);
  CHECK(!m.send_now);
  /* a bound at or below the base leaves nothing to search */
  csctp_pmtud_init(&m, 1100, 1);
  CHECK_EQ(m.plpmtu, 1100);
  csctp_pmtud_start(&m);
  CHECK_EQ(m.state, CSCTP_PMTUD_DISABLED);
  /* settings change: a started search starts over from BASE with the new
   * bound; turned off, the bound is used at once */
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  csctp_pmtud_set_max(&m, 1400, 1);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  CHECK_EQ(m.max, 1400);
  csctp_pmtud_set_max(&m, 1400, 0);
  CHECK_EQ(m.state, CSCTP_PMTUD_DISABLED);
  CHECK_EQ(m.plpmtu, 1400);
}

static void test_base_then_search_max(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  /* 6.2.1.1, 5.2: BASE confirms BASE_PLPMTU with a probe of that size */
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  CHECK(m.send_now);
  CHECK_EQ(m.probed, CSCTP_PMTUD_BASE);
  csctp_pmtud_sent(&m, 7, now, 2 * SEC);
  CHECK_EQ(csctp_pmtud_expiry(&m), 2 * SEC);
  /* a HEARTBEAT ACK for another nonce or size is no confirmation */
  CHECK_EQ(csctp_pmtud_on_ack(&m, 8, CSCTP_PMTUD_BASE, now), 0);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  csctp_pmtud_on_ack(&m, 7, 1300, now);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  csctp_pmtud_on_ack(&m, 7, CSCTP_PMTUD_BASE, now);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCHING);
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_BASE);
  CHECK(m.send_now);
  /* a path as large as the bound passes the first probe: done */
  CHECK_EQ(drive(&m, 1500, &now, 50), 1);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  CHECK_EQ(m.plpmtu, 1452);
  CHECK(!m.send_now);
}

static void test_search_finds_1280(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  int n = drive(&m, 1280, &now, 100);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  CHECK_EQ(m.plpmtu, 1280); /* the largest size that passes */
  CHECK(n < 40);            /* a search, not a walk in 4-byte steps */
}

static void test_search_odd_mtu(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  drive(&m, 1331, &now, 100);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  CHECK_EQ(m.plpmtu, 1328); /* packets are multiples of 4 */
}

static void test_raise_timer(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  drive(&m, 1280, &now, 100);
  REQUIRE(m.state == CSCTP_PMTUD_SEARCH_COMPLETE);
  csctp_tstamp done = now;
  /* 6.2.1.3: no CONFIRMATION_TIMER in SEARCH_COMPLETE; 5.1.1: the search
   * resumes after PMTU_RAISE_TIMER (600 s), not before */
  CHECK_EQ(csctp_pmtud_expiry(&m), done + CSCTP_PMTUD_RAISE_TIMER);
  csctp_pmtud_on_timer(&m, done + CSCTP_PMTUD_RAISE_TIMER - 1);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  CHECK(!m.send_now);
  now = done + CSCTP_PMTUD_RAISE_TIMER;
  csctp_pmtud_on_timer(&m, now);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCHING);
  CHECK(m.send_now);
  CHECK(m.probed > 1280);
  CHECK_EQ(m.plpmtu, 1280); /* the PLPMTU stays in use while searching */
  /* the path grew meanwhile */
  drive(&m, 1400, &now, 100);
  CHECK_EQ(m.plpmtu, 1400);
}

static void test_base_fails_error(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  /* MAX_PROBES probes of BASE_PLPMTU unanswered: ERROR (5.2), the PLPMTU
   * never below the minimum */
  for (uint32_t i = 0; i < CSCTP_PMTUD_MAX_PROBES; i++) {
    CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
    REQUIRE(m.send_now);
    CHECK_EQ(m.probed, CSCTP_PMTUD_BASE);
    csctp_pmtud_sent(&m, i, now, SEC);
    now = csctp_pmtud_expiry(&m);
    csctp_pmtud_on_timer(&m, now);
  }
  CHECK_EQ(m.state, CSCTP_PMTUD_ERROR);
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_MIN);
  /* ERROR keeps trying the base; once it passes, the search goes on */
  REQUIRE(m.send_now);
  CHECK_EQ(m.probed, CSCTP_PMTUD_BASE);
  csctp_pmtud_sent(&m, 99, now, SEC);
  csctp_pmtud_on_ack(&m, 99, CSCTP_PMTUD_BASE, now + MS);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCHING);
}

static void test_black_hole(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  drive(&m, 1500, &now, 10);
  REQUIRE(m.plpmtu == 1452);
  /* a single loss is congestion, not a black hole */
  CHECK_EQ(csctp_pmtud_on_loss(&m), 0);
  CHECK_EQ(m.plpmtu, 1452);
  csctp_pmtud_on_data_acked(&m); /* full-size data passes again */
  CHECK_EQ(csctp_pmtud_on_loss(&m), 0);
  CHECK_EQ(m.plpmtu, 1452);
  /* 4.3, 5.2: packets of the PLPMTU keep being lost while the path still
   * answers (the heartbeats' small packets): back to BASE */
  CHECK_EQ(csctp_pmtud_on_loss(&m), 1);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_BASE);
  CHECK(m.send_now);
  CHECK_EQ(m.probed, CSCTP_PMTUD_BASE);
  /* then a new search below the size that stopped passing */
  drive(&m, 1300, &now, 100);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  CHECK_EQ(m.plpmtu, 1300);
  /* at BASE_PLPMTU there is nothing lower to fall back to */
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  CHECK_EQ(csctp_pmtud_on_loss(&m), 0);
  CHECK_EQ(csctp_pmtud_on_loss(&m), 0);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
}

static void test_ptb_sizes(void) {
  csctp_pmtud m;
  csctp_tstamp now = 0;
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  drive(&m, 1500, &now, 10);
  REQUIRE(m.plpmtu == 1452);
  /* 4.6.2: PL_PTB_SIZE < MIN_PLPMTU is discarded */
  CHECK_EQ(csctp_pmtud_on_ptb(&m, 1000, now), 0);
  CHECK_EQ(m.plpmtu, 1452);
  CHECK_EQ(m.state, CSCTP_PMTUD_SEARCH_COMPLETE);
  /* a size at or above the PLPMTU with no probe out changes nothing */
  CHECK_EQ(csctp_pmtud_on_ptb(&m, 1452, now), 0);
  CHECK_EQ(m.plpmtu, 1452);
  /* BASE_PLPMTU <= PL_PTB_SIZE < PLPMTU: to BASE_PLPMTU, and the search
   * starts below the reported size */
  CHECK_EQ(csctp_pmtud_on_ptb(&m, 1280, now), 1);
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_BASE);
  CHECK_EQ(m.state, CSCTP_PMTUD_BASE_STATE);
  int n = drive(&m, 1280, &now, 100);
  CHECK_EQ(m.plpmtu, 1280);
  CHECK_EQ(n, 2); /* the base, then the reported size at once */
  /* PLPMTU < PL_PTB_SIZE < PROBED_SIZE: the probe was too large; the
   * PLPMTU stays, the search goes on below the reported size */
  csctp_pmtud_init(&m, 1452, 1);
  csctp_pmtud_start(&m);
  drive(&m, 1200, &now, 1); /* BASE confirmed */
  REQUIRE(m.state == CSCTP_PMTUD_SEARCHING && m.send_now);
  csctp_pmtud_sent(&m, 5, now, SEC);
  CHECK_EQ(m.probed, 1452);
  CHECK_EQ(csctp_pmtud_on_ptb(&m, 1400, now), 0);
  CHECK_EQ(m.plpmtu, CSCTP_PMTUD_BASE);
  CHECK(m.send_now);
  CHECK(m.probed <= 1400);
  drive(&m, 1400, &now, 100);
  CHECK_EQ(m.plpmtu, 1400);
  /* off: ignored */
  csctp_pmtud_init(&m, 1452, 0);
  CHECK_EQ(csctp_pmtud_on_ptb(&m, 1280, now), 0);
  CHECK_EQ(m.plpmtu, 1452);
}

/* ---- whole associations in the simulator ----------------------------- */

/* What crossed a link: probes (a HEARTBEAT then a PAD chunk, RFC 8899
 * 6.2.1.2) and DATA packets; the first DATA packet is kept for the PTB
 * tests. */
typedef struct watch {
  uint64_t probes, bad_probes, data_pkts, data_over;
  uint32_t largest_probe, largest_data, limit;
  uint8_t first_data[64];
  size_t first_data_len;
} watch;

static int watch_hook(sim *s, sim_link *l, const uint8_t *pkt, size_t len,
                      csctp_tstamp *extra, void *ud) {
  (void)s;
  (void)l;
  (void)extra;
  watch *w = ud;
  if (len < 16)
    return 0;
  if (pkt[12] == CSCTP_CT_HEARTBEAT) {
    size_t hb = CSCTP_PAD4(csctp_get16(pkt + 14));
    if (len >= 12 + hb + 4 && pkt[12 + hb] == CSCTP_CT_PAD) {
      w->probes++;
      if (len % 4 != 0 || 12 + hb + csctp_get16(pkt + 12 + hb + 2) != len)
        w->bad_probes++;
      if (len > w->largest_probe)
        w->largest_probe = (uint32_t)len;
    }
  }
  if (pkt[12] == CSCTP_CT_DATA || (pkt[12] == CSCTP_CT_SACK && len > 60)) {
    w->data_pkts++;
    if (len > w->largest_data)
      w->largest_data = (uint32_t)len;
    if (w->limit && len > w->limit)
      w->data_over++;
    if (!w->first_data_len && pkt[12] == CSCTP_CT_DATA) {
      w->first_data_len =
          len < sizeof w->first_data ? len : sizeof w->first_data;
      memcpy(w->first_data, pkt, w->first_data_len);
    }
  }
  return 0;
}

static sim *mtu_pair(uint64_t seed, const char *name, uint32_t mtu,
                     sim_node **c, sim_node **v, sim_link **cv) {
  sim *s = sim_new(seed, name);
  snprintf(run_name, sizeof run_name, "scenario=%s seed=0x%llx", name,
           (unsigned long long)seed);
  test_cur_name_ = run_name;
  csctp_settings st;
  csctp_settings_default(&st);
  st.pmtud = 1;
  st.pmtu = 1452;
  *c = sim_node_add(s, "client", CLIENT_IP, 4000, &st);
  *v = sim_node_add(s, "server", SERVER_IP, 5000, &st);
  sim_pair(*c, *v);
  sim_node_listen(*v, 1);
  sim_link_params lp;
  sim_link_params_default(&lp);
  lp.mtu = mtu;
  sim_link_nodes(s, *c, *v, &lp);
  csctp_addr ca = sim_addr4(CLIENT_IP), va = sim_addr4(SERVER_IP);
  *cv = sim_link_find(s, &ca, &va);
  return s;
}

static void add_flow(sim_node *c, uint64_t seed, int n, uint32_t lo,
                     uint32_t hi) {
  sim_rng r;
  sim_rng_seed(&r, seed);
  for (int i = 0; i < n; i++)
    sim_flow_add(&c->app.tx, (uint16_t)(i % 4), (uint32_t)i, 0,
                 (uint32_t)sim_rng_logrange(&r, lo, hi));
}

static csctp_path_status path0(sim_node *n) {
  csctp_path_status ps;
  memset(&ps, 0, sizeof ps);
  csctp_assoc_paths(n->ep, n->assoc, &ps, 1);
  return ps;
}

static int pred_search_complete(sim *s, void *ud) {
  (void)s;
  sim_node *n = ud;
  csctp_path_status ps;
  return n->up && csctp_assoc_paths(n->ep, n->assoc, &ps, 1) == 1 &&
         ps.pmtud_state == CSCTP_PMTUD_STATE_SEARCH_COMPLETE;
}

static void test_sim_path_1280(void) {
  static const uint64_t seeds[] = {0x9d0001, 0x9d0002, 0x9d0003};
  for (size_t k = 0; k < 3; k++) {
    sim_node *c, *v;
    sim_link *cv;
    sim *s = mtu_pair(seeds[k], "pmtud_path_1280", 1280, &c, &v, &cv);
    REQUIRE(cv);
    watch w;
    memset(&w, 0, sizeof w);
    w.limit = 1280;
    cv->hook = watch_hook;
    cv->hook_data = &w;
    add_flow(c, seeds[k], 400, 1, 20000);
    CHECK_EQ(sim_connect(c, v), 0);
    /* the search ends (a lost probe waits for its timer, RTO >= 1 s) */
    CHECK_EQ(sim_run_until(s, 120 * SEC, pred_search_complete, c), 1);
    double took = (double)(s->now - c->up_time) / 1e9;
    int r = sim_run_until(s, s->now + 120 * SEC, sim_pred_flows_done, NULL);
    CHECK_EQ(r, 1);
    /* then more data, cut for the discovered size */
    add_flow(c, seeds[k] + 1, 400, 1, 20000);
    CHECK_EQ(sim_run_until(s, s->now + 120 * SEC, sim_pred_flows_done, NULL),
             1);
    sim_check_delivered(s, c, 0);
    csctp_path_status ps = path0(c);
    printf("sim: scenario=pmtud_path_1280 seed=0x%llx discovered %u "
           "%.1f s after setup (virtual time), %llu probes (largest %u), %llu "
           "DATA "
           "packets (largest %u), %llu dropped at the MTU, retransmissions "
           "%llu\n",
           (unsigned long long)seeds[k], ps.mtu, took,
           (unsigned long long)w.probes, w.largest_probe,
           (unsigned long long)w.data_pkts, w.largest_data,
           (unsigned long long)cv->drop_mtu,
           (unsigned long long)sim_node_retransmits(c));
    CHECK_EQ(ps.mtu, 1280);
    CHECK_EQ(ps.pmtud_state, CSCTP_PMTUD_STATE_SEARCH_COMPLETE);
    CHECK(w.probes > 0);
    CHECK_EQ(w.bad_probes, 0);
    CHECK_EQ(w.largest_probe, 1452); /* the bound is tried */
    /* no DATA lost to the MTU: every packet dropped there was a probe */
    CHECK_EQ(w.data_over, 0);
    CHECK_EQ(sim_node_retransmits(c), 0);
    /* RFC 8899 6.2.1.2: a lost probe is discounted: no path error, no
     * state change, no T3-rtx */
    CHECK_EQ(c->ev_count[CSCTP_EV_PEER_ADDR_CHANGE], 0);
    CHECK_EQ(ps.error_count, 0);
    CHECK_EQ(w.largest_data, 1280); /* the discovered size is used */
    csctp_assoc_status st;
    CHECK_EQ(csctp_assoc_status_get(c->ep, c->assoc, &st), 0);
    CHECK(st.frag_point > 1200 && st.frag_point <= 1280 - 28);
    CHECK_EQ(sim_free(s), 0);
  }
}

/* A black hole appears mid-transfer (packets over 1300 bytes vanish, no
 * ICMP): found through the loss of full-size packets, the PLPMTU falls to
 * the base and a new search settles at 1300. Messages are small enough
 * that their chunks fit the base (chunks already cut are not cut again,
 * RFC 9260 7.3). */
static void test_sim_black_hole(void) {
  sim_node *c, *v;
  sim_link *cv;
  sim *s = mtu_pair(0x9d0100, "pmtud_black_hole", 0, &c, &v, &cv);
  REQUIRE(cv);
  add_flow(c, 0x9d0100, 100, 100, 1000);
  CHECK_EQ(sim_connect(c, v), 0);
  CHECK_EQ(sim_run_until(s, 30 * SEC, sim_pred_flows_done, NULL), 1);
  sim_run_until(s, s->now + 5 * SEC, NULL, NULL);
  CHECK_EQ(path0(c).mtu, 1452);
  cv->p.mtu = 1300;
  add_flow(c, 0x9d0101, 20000, 100, 1000);
  int r = sim_run_until(s, 300 * SEC, sim_pred_flows_done, NULL);
  CHECK_EQ(r, 1);
  sim_run_until(s, s->now + 60 * SEC, NULL, NULL);
  sim_check_delivered(s, c, 0);
  csctp_path_status ps = path0(c);
  printf("sim: scenario=pmtud_black_hole mtu after %u (state %u), %llu "
         "dropped at the MTU, retransmissions %llu\n",
         ps.mtu, ps.pmtud_state, (unsigned long long)cv->drop_mtu,
         (unsigned long long)sim_node_retransmits(c));
  CHECK_EQ(ps.mtu, 1300);
  CHECK(!c->lost);
  CHECK_EQ(sim_free(s), 0);
}

/* Counts, on the client's link, DATA packets over the link MTU: those
 * sent with fragmentation allowed, and among them those whose first TSN
 * had never been sent (a first transmission cut too large). */
typedef struct cut_watch {
  uint32_t link_mtu;
  int have_tsn;
  uint32_t max_tsn;
  uint64_t over, over_frag, over_frag_new, probes_frag;
} cut_watch;

static int cut_hook(sim *s, sim_link *l, const uint8_t *pkt, size_t len,
                    csctp_tstamp *extra, void *ud) {
  (void)extra;
  cut_watch *w = ud;
  int frag = (s->pkt_flags & CSCTP_PKT_FRAG_OK) != 0;
  if (len >= 16 && pkt[12] == CSCTP_CT_HEARTBEAT && frag)
    w->probes_frag++; /* RFC 8899 6.2.1.2: probes are never fragmented */
  if (len < 20 || pkt[12] != CSCTP_CT_DATA)
    return 0;
  uint32_t tsn = csctp_get32(pkt + 16);
  int fresh = !w->have_tsn || (int32_t)(tsn - w->max_tsn) > 0;
  if (l->p.mtu && len > l->p.mtu) {
    w->over++;
    w->over_frag += frag;
    w->over_frag_new += frag && fresh;
  }
  if (fresh) {
    w->max_tsn = tsn;
    w->have_tsn = 1;
  }
  return 0;
}

/* RFC 8899 4.4, RFC 9260 7.3: a silent black hole (no ICMP) appears
 * while messages cut for 1452-byte packets are in flight and queued. The
 * chunks already sent cannot be cut again: once the black hole is found
 * they go with IP fragmentation allowed (the link carries them as
 * fragments); the queued ones are cut again at the new size and never
 * need fragmentation. Every message is delivered. */
static void test_sim_black_hole_cut(void) {
  static const uint64_t seeds[] = {0x9d0200, 0x9d0201, 0x9d0202};
  for (size_t k = 0; k < 3; k++) {
    sim_node *c, *v;
    sim_link *cv;
    sim *s = mtu_pair(seeds[k], "pmtud_black_hole_cut", 0, &c, &v, &cv);
    REQUIRE(cv);
    cut_watch w;
    memset(&w, 0, sizeof w);
    cv->hook = cut_hook;
    cv->hook_data = &w;
    add_flow(c, seeds[k], 50, 100, 1000);
    CHECK_EQ(sim_connect(c, v), 0);
    CHECK_EQ(sim_run_until(s, 30 * SEC, sim_pred_flows_done, NULL), 1);
    sim_run_until(s, s->now + 5 * SEC, NULL, NULL);
    CHECK_EQ(path0(c).mtu, 1452);
    /* large messages, cut for 1452 when queued; some leave, then the
     * path silently stops carrying more than 1300 bytes */
    add_flow(c, seeds[k] + 1, 600, 3000, 20000);
    sim_run_until(s, s->now + 30 * MS, NULL, NULL);
    CHECK(c->app.tx.next_send > 0);
    cv->p.mtu = 1300;
    int r = sim_run_until(s, s->now + 300 * SEC, sim_pred_flows_done, NULL);
    CHECK_EQ(r, 1);
    sim_run_until(s, s->now + 30 * SEC, NULL, NULL);
    sim_check_delivered(s, c, 0);
    csctp_path_status ps = path0(c);
    csctp_assoc_status st;
    CHECK_EQ(csctp_assoc_status_get(c->ep, c->assoc, &st), 0);
    printf("sim: scenario=pmtud_black_hole_cut seed=0x%llx mtu after %u, "
           "%llu DATA packets over the link MTU (%llu with fragmentation "
           "allowed, %llu of them first transmissions), %llu dropped at the "
           "MTU, retransmissions %llu\n",
           (unsigned long long)seeds[k], ps.mtu, (unsigned long long)w.over,
           (unsigned long long)w.over_frag, (unsigned long long)w.over_frag_new,
           (unsigned long long)cv->drop_mtu,
           (unsigned long long)sim_node_retransmits(c));
    CHECK(!c->lost);
    CHECK_EQ(ps.mtu, 1300);
    CHECK(st.frag_point <= 1300 - 28);
    /* the chunks cut before went through as fragments ... */
    CHECK(cv->frag_mtu > 0);
    CHECK_EQ(cv->frag_mtu, w.over_frag);
    /* ... and only chunks already sent once: queued data was cut again */
    CHECK_EQ(w.over_frag_new, 0);
    CHECK_EQ(w.probes_frag, 0);
    CHECK_EQ(sim_free(s), 0);
  }
}

/* RFC 9260 appendix C, RFC 8899 4.6.1: a PTB is believed only when the
 * packet it quotes is ours: the association's Verification Tag, and a
 * quoted DATA chunk's TSN still in flight. */
static void test_icmp_too_big_validation(void) {
  sim_node *c, *v;
  sim_link *cv;
  sim *s = mtu_pair(0x9d0200, "pmtud_icmp", 0, &c, &v, &cv);
  REQUIRE(cv);
  watch w;
  memset(&w, 0, sizeof w);
  cv->hook = watch_hook;
  cv->hook_data = &w;
  add_flow(c, 0x9d0200, 50, 1000, 3000);
  CHECK_EQ(sim_connect(c, v), 0);
  CHECK_EQ(sim_run_until(s, 30 * SEC, sim_pred_flows_done, NULL), 1);
  sim_run_until(s, s->now + 10 * SEC, NULL, NULL);
  REQUIRE(w.first_data_len >= 28);
  REQUIRE(path0(c).mtu == 1452);
  csctp_addr va = sim_addr4(SERVER_IP);
  uint8_t q[64];
  memcpy(q, w.first_data, w.first_data_len);
  /* its TSN was acknowledged long ago: not in flight, ignored */
  CHECK_EQ(csctp_endpoint_icmp_too_big(c->ep, &va, q, w.first_data_len, 1280,
                                       s->now),
           0);
  CHECK_EQ(path0(c).mtu, 1452);
  /* only the first 8 bytes quoted (ports, tag): believed on the tag */
  uint8_t bad[8];
  memcpy(bad, q, 8);
  bad[4] ^= 0x5a; /* another tag */
  CHECK_EQ(csctp_endpoint_icmp_too_big(c->ep, &va, bad, 8, 1280, s->now), 0);
  CHECK_EQ(path0(c).mtu, 1452);
  memcpy(bad, q, 8);
  bad[0] ^= 1; /* not our port */
  CHECK_EQ(csctp_endpoint_icmp_too_big(c->ep, &va, bad, 8, 1280, s->now), 0);
  CHECK_EQ(csctp_endpoint_icmp_too_big(c->ep, &va, q, 8, 1000, s->now), 1);
  CHECK_EQ(path0(c).mtu, 1452); /* below MIN_PLPMTU: discarded */
  CHECK_EQ(csctp_endpoint_icmp_too_big(c->ep, &va, q, 8, 1280, s->now), 1);
  /* 4.6.2: to BASE_PLPMTU, never below, and a search up to 1280 */
  CHECK_EQ(path0(c).mtu, CSCTP_PMTUD_BASE);
  sim_run_until(s, s->now + 30 * SEC, NULL, NULL);
  CHECK_EQ(path0(c).mtu, 1280);
  CHECK_EQ(path0(c).pmtud_state, CSCTP_PMTUD_STATE_SEARCH_COMPLETE);
  CHECK_EQ(sim_free(s), 0);
}

int main(void) {
  TEST_RUN(test_init);
  TEST_RUN(test_base_then_search_max);
  TEST_RUN(test_search_finds_1280);
  TEST_RUN(test_search_odd_mtu);
  TEST_RUN(test_raise_timer);
  TEST_RUN(test_base_fails_error);
  TEST_RUN(test_black_hole);
  TEST_RUN(test_ptb_sizes);
  TEST_RUN(test_sim_path_1280);
  TEST_RUN(test_sim_black_hole);
  TEST_RUN(test_sim_black_hole_cut);
  TEST_RUN(test_icmp_too_big_validation);
  return TEST_SUMMARY();
}
