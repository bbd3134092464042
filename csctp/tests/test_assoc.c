/* test_assoc.c -- association state machine through the public engine API:
 * two endpoints wired back to back with a tiny lossless in-memory link
 * (the full network simulator lives in sim.c). */
#include "csctp.h"
#include "test.h"

#include "../chunk.h"

typedef struct pair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_tstamp now;
  int drop_type; /* drop the next packet whose first chunk is this type */
  int dropped;
} pair;

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t seed_a = 1, seed_b = 2;

static void pair_init(pair *p, const csctp_settings *s) {
  memset(p, 0, sizeof(*p));
  p->drop_type = -1;
  p->addr_a.family = p->addr_b.family = CSCTP_AF_INET;
  p->addr_a.ip[0] = 10, p->addr_a.ip[3] = 1;
  p->addr_b.ip[0] = 10, p->addr_b.ip[3] = 2;
  p->now = 1000 * CSCTP_SECONDS;
  CHECK_EQ(
      csctp_endpoint_new(&p->a, 5000, s, NULL, seeded_rand, &seed_a, p->now),
      0);
  CHECK_EQ(
      csctp_endpoint_new(&p->b, 6000, s, NULL, seeded_rand, &seed_b, p->now),
      0);
  csctp_endpoint_listen(p->b, 1);
}

/* Move every pending packet across; returns the number moved. */
static int pair_flush(pair *p) {
  uint8_t buf[2048];
  int moved = 0;
  for (int round = 0; round < 1000; round++) {
    int any = 0;
    csctp_addr dst, src;
    csctp_ssize n;
    while ((n = csctp_endpoint_write_pkt(p->a, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      any = 1;
      if (p->drop_type >= 0 && buf[12] == p->drop_type) {
        p->drop_type = -1;
        p->dropped++;
        continue;
      }
      csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, buf, (size_t)n,
                              p->now);
      moved++;
    }
    while ((n = csctp_endpoint_write_pkt(p->b, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      any = 1;
      if (p->drop_type >= 0 && buf[12] == p->drop_type) {
        p->drop_type = -1;
        p->dropped++;
        continue;
      }
      csctp_endpoint_read_pkt(p->a, &p->addr_b, &p->addr_a, buf, (size_t)n,
                              p->now);
      moved++;
    }
    if (!any)
      break;
  }
  return moved;
}

/* Advance time to the next timer of either side and run it. */
static void pair_tick(pair *p) {
  csctp_tstamp ta = csctp_endpoint_get_expiry(p->a);
  csctp_tstamp tb = csctp_endpoint_get_expiry(p->b);
  csctp_tstamp t = ta < tb ? ta : tb;
  if (t == CSCTP_TSTAMP_NEVER)
    return;
  if (t > p->now)
    p->now = t;
  csctp_endpoint_handle_expiry(p->a, p->now);
  csctp_endpoint_handle_expiry(p->b, p->now);
}

static int find_event(csctp_endpoint *ep, uint32_t type, csctp_event *out) {
  csctp_event evs[32];
  size_t n = csctp_endpoint_poll_events(ep, evs, 32);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == type && !found) {
      *out = evs[i];
      found = 1;
    } else {
      csctp_event_clear(ep, &evs[i]);
    }
  }
  return found;
}

static csctp_assoc_id pair_connect(pair *p) {
  csctp_assoc_id id = 0;
  csctp_addr to = p->addr_b;
  CHECK_EQ(csctp_connect(p->a, &to, 1, 6000, NULL, p->now, &id), 0);
  pair_flush(p);
  return id;
}

static void test_handshake(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.a, CSCTP_EV_ASSOC_UP, &ev));
  CHECK_EQ(ev.assoc_id, id);
  CHECK_EQ(ev.u.up.outbound_streams, 10);
  CHECK_EQ(ev.u.up.inbound_streams, 10);
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

static void test_data_and_shutdown(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_id bid = ev.assoc_id;
  static uint8_t big[100000];
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = (uint8_t)(i * 7);
  csctp_sndinfo si = {.sid = 3, .ppid = 0x01020304, .assoc_id = id};
  CHECK_EQ(csctp_send(p.a, &si, NULL, (const uint8_t *)"hello", 5, p.now), 0);
  CHECK_EQ(csctp_send(p.a, &si, NULL, big, sizeof(big), p.now), 0);
  for (int i = 0; i < 200 && csctp_recv_pending(p.b, bid) < sizeof(big) + 5;
       i++) {
    pair_flush(&p);
    pair_tick(&p);
  }
  uint8_t rbuf[200000];
  csctp_rcvinfo ri;
  csctp_ssize n = csctp_recv(p.b, 0, &ri, rbuf, sizeof(rbuf), p.now);
  CHECK_EQ(n, 5);
  CHECK_MEM(rbuf, "hello", 5);
  CHECK_EQ(ri.sid, 3);
  CHECK_EQ(ri.ppid, 0x01020304);
  CHECK(ri.flags & CSCTP_RCV_EOR);
  n = csctp_recv(p.b, bid, &ri, rbuf, sizeof(rbuf), p.now);
  CHECK_EQ(n, (long long)sizeof(big));
  CHECK_MEM(rbuf, big, sizeof(big));
  CHECK_EQ(ri.ssn, 1);
  CHECK_EQ(csctp_shutdown(p.a, id, p.now), 0);
  for (int i = 0; i < 10; i++) {
    pair_flush(&p);
    pair_tick(&p);
  }
  REQUIRE(find_event(p.a, CSCTP_EV_SHUTDOWN_COMPLETE, &ev));
  REQUIRE(find_event(p.b, CSCTP_EV_SHUTDOWN_COMPLETE, &ev));
  csctp_endpoint_stats est;
  csctp_endpoint_stats_get(p.a, &est);
  CHECK_EQ(est.assocs, 0);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

static void test_lost_cookie_echo(void) {
  pair p;
  pair_init(&p, NULL);
  p.drop_type = CSCTP_CT_COOKIE_ECHO;
  csctp_assoc_id id = pair_connect(&p);
  CHECK_EQ(p.dropped, 1);
  for (int i = 0; i < 5; i++) {
    pair_tick(&p);
    pair_flush(&p);
  }
  csctp_event ev;
  REQUIRE(find_event(p.a, CSCTP_EV_ASSOC_UP, &ev));
  CHECK_EQ(ev.assoc_id, id);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

static void test_connect_refused(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_endpoint_listen(p.b, 0);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.a, CSCTP_EV_ASSOC_LOST, &ev));
  CHECK_EQ(ev.assoc_id, id);
  CHECK_EQ(ev.u.lost.reason, CSCTP_LOST_REFUSED);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

static void test_abort(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  CHECK_EQ(csctp_abort(p.a, id, (const uint8_t *)"bye", 3, p.now), 0);
  pair_flush(&p);
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_LOST, &ev));
  CHECK_EQ(ev.u.lost.reason, CSCTP_LOST_PEER_ABORT);
  CHECK_EQ(ev.u.lost.cause_code, 12);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

static void test_bad_args(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_sndinfo si = {.sid = 10, .assoc_id = id};
  uint8_t x = 1;
  CHECK_EQ(csctp_send(p.a, &si, NULL, &x, 1, p.now), CSCTP_ERR_STREAM);
  si.sid = 0;
  CHECK_EQ(csctp_send(p.a, &si, NULL, &x, 0, p.now), CSCTP_ERR_INVAL);
  si.assoc_id = 999;
  CHECK_EQ(csctp_send(p.a, &si, NULL, &x, 1, p.now), CSCTP_ERR_NOT_FOUND);
  csctp_settings s;
  csctp_settings_default(&s);
  s.rto_min = 0;
  csctp_endpoint *ep = NULL;
  CHECK_EQ(csctp_endpoint_new(&ep, 1, &s, NULL, NULL, NULL, 0),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_endpoint_new(&ep, 0, NULL, NULL, NULL, NULL, 0),
           CSCTP_ERR_INVAL);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

/* RFC 9260 5.2.4 action A: the peer comes back with a new INIT. */
static void test_peer_restart(void) {
  pair p;
  pair_init(&p, NULL);
  pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_id bid = ev.assoc_id;
  csctp_endpoint_del(p.a);
  seed_a += 100;
  CHECK_EQ(
      csctp_endpoint_new(&p.a, 5000, NULL, NULL, seeded_rand, &seed_a, p.now),
      0);
  csctp_assoc_id id = pair_connect(&p);
  REQUIRE(find_event(p.a, CSCTP_EV_ASSOC_UP, &ev));
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_RESTART, &ev));
  CHECK_EQ(ev.assoc_id, bid);
  csctp_sndinfo si = {.sid = 1, .assoc_id = id};
  CHECK_EQ(csctp_send(p.a, &si, NULL, (const uint8_t *)"again", 5, p.now), 0);
  pair_flush(&p);
  uint8_t buf[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(p.b, bid, &ri, buf, sizeof(buf), p.now), 5);
  CHECK_EQ(ri.ssn, 0);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

/* RFC 9260 5.2.6: a COOKIE ECHO that arrives too late draws a Stale Cookie
 * error; the client starts over and gets in. */
static void test_stale_cookie(void) {
  csctp_settings ss;
  csctp_settings_default(&ss);
  ss.valid_cookie_life = 10 * CSCTP_MILLISECONDS;
  pair p;
  pair_init(&p, &ss);
  p.drop_type = CSCTP_CT_COOKIE_ECHO; /* hold back the first COOKIE ECHO */
  csctp_assoc_id id = 0;
  CHECK_EQ(csctp_connect(p.a, &p.addr_b, 1, 6000, NULL, p.now, &id), 0);
  uint8_t held[2048];
  csctp_ssize hn = 0;
  csctp_addr dst, src;
  uint8_t buf[2048];
  csctp_ssize n = csctp_endpoint_write_pkt(p.a, &dst, &src, buf, sizeof(buf),
                                           p.now); /* INIT */
  csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, buf, (size_t)n, p.now);
  n = csctp_endpoint_write_pkt(p.b, &dst, &src, buf, sizeof(buf), p.now);
  csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, buf, (size_t)n, p.now);
  hn = csctp_endpoint_write_pkt(p.a, &dst, &src, held, sizeof(held), p.now);
  REQUIRE(hn > 0 && held[12] == CSCTP_CT_COOKIE_ECHO);
  p.now += 200 * CSCTP_MILLISECONDS;
  csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, held, (size_t)hn, p.now);
  p.drop_type = -1;
  pair_flush(&p);
  csctp_event ev;
  REQUIRE(find_event(p.a, CSCTP_EV_ASSOC_UP, &ev));
  CHECK_EQ(ev.assoc_id, id);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

/* A late packet of B's reaching A after A finished the shutdown draws a
 * reflected ABORT (8.4 (8)); B, in SHUTDOWN-ACK-SENT because A's SHUTDOWN
 * COMPLETE was lost, takes it as the end of a completed shutdown. */
static void test_reflected_abort_after_shutdown(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_id bid = ev.assoc_id;
  /* Keep one SACK of B's to replay later. */
  csctp_sndinfo si = {.sid = 0, .assoc_id = id, .flags = CSCTP_SEND_SACK_NOW};
  CHECK_EQ(csctp_send(p.a, &si, NULL, (const uint8_t *)"x", 1, p.now), 0);
  uint8_t buf[2048], stray[2048];
  csctp_addr dst, src;
  csctp_ssize n =
      csctp_endpoint_write_pkt(p.a, &dst, &src, buf, sizeof(buf), p.now);
  REQUIRE(n > 0);
  csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, buf, (size_t)n, p.now);
  csctp_ssize sn =
      csctp_endpoint_write_pkt(p.b, &dst, &src, stray, sizeof(stray), p.now);
  REQUIRE(sn > 0 && stray[12] == CSCTP_CT_SACK);
  csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, stray, (size_t)sn, p.now);
  /* A shuts down; its SHUTDOWN COMPLETE is lost. */
  CHECK_EQ(csctp_shutdown(p.a, id, p.now), 0);
  p.drop_type = CSCTP_CT_SHUTDOWN_COMPLETE;
  pair_flush(&p);
  REQUIRE(find_event(p.a, CSCTP_EV_SHUTDOWN_COMPLETE, &ev));
  csctp_assoc_status st;
  REQUIRE(csctp_assoc_status_get(p.b, bid, &st) == 0);
  CHECK_EQ(st.state, CSCTP_STATE_SHUTDOWN_ACK_SENT);
  /* The stray SACK reaches A, which answers with a reflected ABORT. */
  csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, stray, (size_t)sn, p.now);
  pair_flush(&p);
  REQUIRE(find_event(p.b, CSCTP_EV_SHUTDOWN_COMPLETE, &ev));
  CHECK_EQ(ev.assoc_id, bid);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

/* RFC 9260 5.1.1: the peer's MIS caps our outbound streams. A message
 * queued in COOKIE-WAIT on a stream the peer does not allow is never sent:
 * it fails with SEND_FAILED (unsent, its data returned), and the messages
 * on allowed streams go through. */
static void test_send_failed_stream_beyond_peer_mis(void) {
  csctp_settings sa, sb;
  csctp_settings_default(&sa);
  csctp_settings_default(&sb);
  sa.num_ostreams = 10;
  sb.max_instreams = 2;
  pair p;
  memset(&p, 0, sizeof(p));
  p.drop_type = -1;
  p.addr_a.family = p.addr_b.family = CSCTP_AF_INET;
  p.addr_a.ip[0] = 10, p.addr_a.ip[3] = 1;
  p.addr_b.ip[0] = 10, p.addr_b.ip[3] = 2;
  p.now = 1000 * CSCTP_SECONDS;
  REQUIRE(csctp_endpoint_new(&p.a, 5000, &sa, NULL, seeded_rand, &seed_a,
                             p.now) == 0);
  REQUIRE(csctp_endpoint_new(&p.b, 6000, &sb, NULL, seeded_rand, &seed_b,
                             p.now) == 0);
  csctp_endpoint_listen(p.b, 1);
  csctp_assoc_id id = 0;
  csctp_addr to = p.addr_b;
  REQUIRE(csctp_connect(p.a, &to, 1, 6000, NULL, p.now, &id) == 0);
  /* COOKIE-WAIT: all ten streams are still ours to use */
  csctp_sndinfo s5 = {.sid = 5, .ppid = 55, .context = 0x5555, .assoc_id = id};
  csctp_sndinfo s1 = {.sid = 1, .ppid = 11, .assoc_id = id};
  CHECK_EQ(csctp_send(p.a, &s5, NULL, (const uint8_t *)"lost?", 5, p.now), 0);
  CHECK_EQ(csctp_send(p.a, &s1, NULL, (const uint8_t *)"fine", 4, p.now), 0);
  for (int i = 0; i < 5; i++) {
    pair_flush(&p);
    pair_tick(&p);
  }
  /* the peer saw no DATA on stream 5: nothing to report back */
  csctp_event evs[32];
  size_t n = csctp_endpoint_poll_events(p.a, evs, 32);
  int failed = 0, remote_error = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == CSCTP_EV_SEND_FAILED) {
      failed++;
      CHECK_EQ(evs[i].u.send_failed.info.sid, 5);
      CHECK_EQ(evs[i].u.send_failed.info.ppid, 55);
      CHECK_EQ(evs[i].u.send_failed.info.context, 0x5555);
      CHECK_EQ(evs[i].u.send_failed.was_sent, 0);
      CHECK_EQ(evs[i].u.send_failed.len, 5);
      if (evs[i].u.send_failed.data)
        CHECK_MEM(evs[i].u.send_failed.data, "lost?", 5);
    }
    if (evs[i].type == CSCTP_EV_REMOTE_ERROR)
      remote_error++;
    csctp_event_clear(p.a, &evs[i]);
  }
  CHECK_EQ(failed, 1);
  CHECK_EQ(remote_error, 0);
  csctp_assoc_status st;
  REQUIRE(csctp_assoc_status_get(p.a, id, &st) == 0);
  CHECK_EQ(st.outbound_streams, 2);
  CHECK_EQ(st.send_queued, 0);
  CHECK_EQ(csctp_send(p.a, &s5, NULL, (const uint8_t *)"x", 1, p.now),
           CSCTP_ERR_STREAM);
  uint8_t buf[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(p.b, 0, &ri, buf, sizeof(buf), p.now), 4);
  CHECK_EQ(ri.sid, 1);
  CHECK_EQ(csctp_recv(p.b, 0, &ri, buf, sizeof(buf), p.now), CSCTP_ERR_AGAIN);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

int main(void) {
  TEST_RUN(test_reflected_abort_after_shutdown);
  TEST_RUN(test_stale_cookie);
  TEST_RUN(test_peer_restart);
  TEST_RUN(test_handshake);
  TEST_RUN(test_data_and_shutdown);
  TEST_RUN(test_lost_cookie_echo);
  TEST_RUN(test_connect_refused);
  TEST_RUN(test_abort);
  TEST_RUN(test_bad_args);
  TEST_RUN(test_send_failed_stream_beyond_peer_mis);
  return TEST_SUMMARY();
}
