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

/* RFC 9260 9.2 with 8.5.1 E and 8.4 (5): A's SHUTDOWN COMPLETE is lost, so
 * B stays in SHUTDOWN-ACK-SENT; A reconnects from the same ports. B
 * answers the INIT with its SHUTDOWN ACK (9.2); A, in COOKIE-WAIT, treats
 * it as out of the blue and answers SHUTDOWN COMPLETE with the T bit and
 * the reflected tag, which ends B's old association; A's next INIT (one
 * T1-init later) then gets in. */
static void test_reconnect_after_lost_shutdown_complete(void) {
  pair p;
  pair_init(&p, NULL);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_id bid = ev.assoc_id;
  CHECK_EQ(csctp_shutdown(p.a, id, p.now), 0);
  p.drop_type = CSCTP_CT_SHUTDOWN_COMPLETE;
  pair_flush(&p);
  REQUIRE(p.dropped == 1);
  REQUIRE(find_event(p.a, CSCTP_EV_SHUTDOWN_COMPLETE, &ev));
  csctp_assoc_status st;
  REQUIRE(csctp_assoc_status_get(p.b, bid, &st) == 0);
  REQUIRE(st.state == CSCTP_STATE_SHUTDOWN_ACK_SENT);
  /* A connects again from the same address and port. */
  csctp_tstamp t0 = p.now;
  csctp_assoc_id id2 = 0;
  CHECK_EQ(csctp_connect(p.a, &p.addr_b, 1, 6000, NULL, p.now, &id2), 0);
  int up = 0, lost = 0, b_closed = 0;
  while (!up && !lost && p.now - t0 < 600 * CSCTP_SECONDS) {
    pair_flush(&p);
    csctp_event evs[16];
    size_t n = csctp_endpoint_poll_events(p.a, evs, 16);
    for (size_t i = 0; i < n; i++) {
      up |= evs[i].type == CSCTP_EV_ASSOC_UP && evs[i].assoc_id == id2;
      lost |= evs[i].type == CSCTP_EV_ASSOC_LOST && evs[i].assoc_id == id2;
      csctp_event_clear(p.a, &evs[i]);
    }
    n = csctp_endpoint_poll_events(p.b, evs, 16);
    for (size_t i = 0; i < n; i++) {
      b_closed |=
          evs[i].type == CSCTP_EV_SHUTDOWN_COMPLETE && evs[i].assoc_id == bid;
      csctp_event_clear(p.b, &evs[i]);
    }
    if (!up && !lost)
      pair_tick(&p);
  }
  CHECK(b_closed);
  CHECK(up);
  CHECK(!lost);
  /* One T1-init (RTO.Initial, 1 s) and a little more, not minutes. */
  CHECK(p.now - t0 <= 3 * CSCTP_SECONDS);
  if (up) {
    csctp_sndinfo si = {.sid = 0, .assoc_id = id2};
    CHECK_EQ(csctp_send(p.a, &si, NULL, (const uint8_t *)"hi", 2, p.now), 0);
    pair_flush(&p);
    CHECK_EQ(csctp_recv_pending(p.b, 0), 2);
  }
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

/* ---- A scripted peer: receive window rules (RFC 9260 6.2, 6.9) ---------- */

/* One csctp endpoint (S, port 6000) against a peer written here with the
 * codec, which does the handshake by hand and then sends exactly the DATA
 * chunks a test wants. */
typedef struct sp {
  uint64_t seed;
  csctp_endpoint *s;
  csctp_addr me, peer;
  csctp_tstamp now;
  uint32_t tag, s_tag, tsn; /* tsn: our initial TSN */
  csctp_assoc_id id;
} sp;

static void sp_inject(sp *p, const uint8_t *chunks, size_t len) {
  static uint8_t pkt[70000];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  csctp_pkt_begin(&b, 5000, 6000, p->s_tag);
  csctp_put_bytes(&b, chunks, len);
  size_t n = csctp_pkt_finish(&b);
  csctp_endpoint_read_pkt(p->s, &p->peer, &p->me, pkt, n, p->now);
}

/* Drains S's output; returns the first chunk of type in it (copied into
 * keep) or 0. */
static int sp_pull(sp *p, int type, uint8_t *keep, size_t cap, csctp_tlv *out) {
  static uint8_t buf[70000];
  csctp_addr dst, src;
  csctp_ssize n;
  int found = 0;
  while ((n = csctp_endpoint_write_pkt(p->s, &dst, &src, buf, sizeof(buf),
                                       p->now)) > 0) {
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, buf + 12, (size_t)n - 12);
    while (!found && keep && csctp_chunk_next(&it, &c) == 1)
      if (c.type == type && (size_t)n <= cap) {
        memcpy(keep, buf, (size_t)n);
        *out = c;
        out->value = keep + (c.value - buf);
        found = 1;
      }
  }
  return found;
}

static int sp_connect(sp *p, const csctp_settings *s) {
  memset(p, 0, sizeof(*p));
  p->seed = 77;
  p->me.family = p->peer.family = CSCTP_AF_INET;
  p->me.ip[0] = 10, p->me.ip[3] = 2;
  p->peer.ip[0] = 10, p->peer.ip[3] = 9;
  p->now = 1000 * CSCTP_SECONDS;
  p->tag = 0xA1B2C3D4;
  p->tsn = 7000;
  if (csctp_endpoint_new(&p->s, 6000, s, NULL, seeded_rand, &p->seed, p->now))
    return 0;
  csctp_endpoint_listen(p->s, 1);
  uint8_t chunk[1024];
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, chunk, sizeof(chunk));
  csctp_init in = {.init_tag = p->tag,
                   .a_rwnd = 1u << 20,
                   .num_ostreams = 4,
                   .max_instreams = 4,
                   .init_tsn = p->tsn};
  csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off);
  csctp_chunk_end(&b, off);
  sp_inject(p, chunk, b.len); /* vtag 0: s_tag is still 0 */
  static uint8_t keep[70000];
  csctp_tlv c;
  if (!sp_pull(p, CSCTP_CT_INIT_ACK, keep, sizeof(keep), &c))
    return 0;
  csctp_init ack;
  if (csctp_init_decode(&c, &ack) != 0)
    return 0;
  csctp_tlv_iter it;
  csctp_tlv par, ck;
  int have = 0;
  csctp_tlv_iter_init(&it, c.value + 16, c.value_len - 16);
  while (!have && csctp_param_next(&it, &par) == 1)
    if (par.type == CSCTP_PT_STATE_COOKIE)
      ck = par, have = 1;
  if (!have)
    return 0;
  p->s_tag = ack.init_tag;
  uint8_t echo[1024];
  csctp_buf_init(&b, echo, sizeof(echo));
  csctp_put_cookie_echo(&b, ck.value, ck.value_len);
  sp_inject(p, echo, b.len);
  sp_pull(p, 0, NULL, 0, NULL);
  csctp_event ev;
  if (!find_event(p->s, CSCTP_EV_ASSOC_UP, &ev))
    return 0;
  p->id = ev.assoc_id;
  return 1;
}

/* Sends one DATA chunk of len bytes (TSN = initial + off); returns 1 when
 * S took it (its count of DATA chunks received grew). */
static int sp_data(sp *p, uint32_t off, uint16_t sid, uint16_t ssn,
                   uint8_t flags, size_t len) {
  static uint8_t payload[2000], chunk[2100];
  memset(payload, (int)(off & 0xFF), len);
  csctp_buf b;
  csctp_buf_init(&b, chunk, sizeof(chunk));
  csctp_data d = {.flags = flags,
                  .tsn = p->tsn + off,
                  .sid = sid,
                  .ssn = ssn,
                  .ppid = 5,
                  .payload = payload,
                  .len = len};
  csctp_put_data(&b, &d);
  csctp_assoc_status st0, st1;
  csctp_assoc_status_get(p->s, p->id, &st0);
  sp_inject(p, chunk, b.len);
  sp_pull(p, 0, NULL, 0, NULL);
  csctp_assoc_status_get(p->s, p->id, &st1);
  return st1.data_chunks_in > st0.data_chunks_in;
}

static size_t sp_read_all(sp *p, size_t *msgs) {
  static uint8_t buf[1 << 16];
  csctp_rcvinfo ri;
  csctp_ssize n;
  size_t total = 0;
  while ((n = csctp_recv(p->s, p->id, &ri, buf, sizeof(buf), p->now)) > 0) {
    total += (size_t)n;
    if (msgs && (ri.flags & CSCTP_RCV_EOR))
      (*msgs)++;
  }
  return total;
}

#define FB CSCTP_DATA_FLAG_B
#define FE CSCTP_DATA_FLAG_E

/* RFC 9260 6.9 and 6.2: a message under partial delivery heads the queue;
 * 200 complete messages released behind it by late hole fillers hold more
 * than the receive buffer. The reader waits for the big message's next
 * fragment, above the highest TSN received: the window must stay open for
 * it and it must be taken, or nothing can ever be read again. */
static void test_rx_partial_delivery_reserve(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.rcvbuf = 16384; /* partial delivery from 8192 bytes */
  sp p;
  REQUIRE(sp_connect(&p, &s));
  /* TSN 0: stream 1 SSN 0, missing for now; 1..200: stream 1 SSN 1..200,
   * ten bytes each; 201..: stream 0 SSN 0, 1000-byte fragments. */
  for (uint32_t i = 0; i < 9; i++)
    CHECK(sp_data(&p, 201 + i, 0, 0, i == 0 ? FB : 0, 1000));
  CHECK_EQ(sp_read_all(&p, NULL), 9000); /* partial delivery */
  int took = 0;
  for (uint16_t i = 1; i <= 200; i++)
    took += sp_data(&p, i, 1, i, FB | FE, 10); /* fill holes */
  CHECK_EQ(took, 200);
  CHECK(sp_data(&p, 0, 1, 0, FB | FE, 10));
  /* all 201 are complete but queued behind the partial message */
  CHECK_EQ(sp_read_all(&p, NULL), 0);
  csctp_assoc_status st;
  REQUIRE(csctp_assoc_status_get(p.s, p.id, &st) == 0);
  CHECK(st.local_rwnd >= 1000); /* open for the next fragment */
  CHECK(sp_data(&p, 210, 0, 0, 0, 1000));
  CHECK_EQ(sp_read_all(&p, NULL), 1000);
  CHECK(sp_data(&p, 211, 0, 0, FE, 500));
  size_t msgs = 0;
  CHECK_EQ(sp_read_all(&p, &msgs), 500 + 201 * 10);
  CHECK_EQ(msgs, 202);
  csctp_endpoint_del(p.s);
}

/* RFC 9260 6.2: with nothing readable, the chunk filling the lowest hole
 * is taken even when late hole fillers behind it charged the buffer to its
 * limit; otherwise the reader waits forever. */
static void test_rx_lowest_hole_always_taken(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.rcvbuf = 16384;
  sp p;
  REQUIRE(sp_connect(&p, &s));
  CHECK(sp_data(&p, 1000, 2, 0, FB | FE, 10)); /* highest TSN */
  CHECK_EQ(sp_read_all(&p, NULL), 10);
  /* hole fillers on stream 1 behind its SSN 0, until one is refused */
  uint16_t n = 1;
  while (n < 1000 && sp_data(&p, n, 1, n, FB | FE, 10))
    n++;
  CHECK(n < 1000); /* the buffer's limit was reached */
  CHECK_EQ(sp_read_all(&p, NULL), 0);
  CHECK(sp_data(&p, 0, 1, 0, FB | FE, 1000)); /* the lowest hole */
  size_t msgs = 0;
  CHECK_EQ(sp_read_all(&p, &msgs), 1000 + (size_t)(n - 1) * 10);
  CHECK_EQ(msgs, n);
  csctp_endpoint_del(p.s);
}

/* Moves the packets `from` has to write into `to`; returns how many. With
 * hold, the first one is kept in *held instead (its length in *held_len). */
static int pair_move(pair *p, int a_to_b, uint8_t *held, size_t *held_len) {
  uint8_t buf[2048];
  csctp_endpoint *from = a_to_b ? p->a : p->b, *to = a_to_b ? p->b : p->a;
  const csctp_addr *src = a_to_b ? &p->addr_a : &p->addr_b;
  const csctp_addr *dst = a_to_b ? &p->addr_b : &p->addr_a;
  csctp_addr d, s;
  csctp_ssize n;
  int moved = 0;
  while ((n = csctp_endpoint_write_pkt(from, &d, &s, buf, sizeof(buf),
                                       p->now)) > 0) {
    if (held && *held_len == 0) {
      memcpy(held, buf, (size_t)n);
      *held_len = (size_t)n;
      continue;
    }
    csctp_endpoint_read_pkt(to, src, dst, buf, (size_t)n, p->now);
    moved++;
  }
  return moved;
}

/* RFC 9260 5.2.4 A and 5.1.1: the peer restarts allowing fewer inbound
 * streams. A message never sent on a stream it no longer allows fails with
 * SEND_FAILED (unsent, data returned); one on an allowed stream goes on in
 * the new incarnation. */
static void test_restart_fewer_streams_fails_unsent(void) {
  pair p;
  pair_init(&p, NULL);
  pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  csctp_assoc_id bid = ev.assoc_id;
  csctp_endpoint_del(p.a);
  csctp_settings sa;
  csctp_settings_default(&sa);
  sa.max_instreams = 2;
  seed_a += 200;
  REQUIRE(csctp_endpoint_new(&p.a, 5000, &sa, NULL, seeded_rand, &seed_a,
                             p.now) == 0);
  csctp_assoc_id id = 0;
  csctp_addr to = p.addr_b;
  REQUIRE(csctp_connect(p.a, &to, 1, 6000, NULL, p.now, &id) == 0);
  pair_move(&p, 1, NULL, NULL); /* INIT */
  pair_move(&p, 0, NULL, NULL); /* INIT ACK */
  uint8_t echo[2048];
  size_t echo_len = 0;
  pair_move(&p, 1, echo, &echo_len); /* COOKIE ECHO, held */
  REQUIRE(echo_len > 0);
  /* b queues two messages that it has not sent when the restart comes */
  csctp_sndinfo s5 = {.sid = 5, .ppid = 55, .context = 5, .assoc_id = bid};
  csctp_sndinfo s1 = {.sid = 1, .ppid = 11, .context = 1, .assoc_id = bid};
  CHECK_EQ(csctp_send(p.b, &s5, NULL, (const uint8_t *)"five", 4, p.now), 0);
  CHECK_EQ(csctp_send(p.b, &s1, NULL, (const uint8_t *)"one", 3, p.now), 0);
  csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, echo, echo_len, p.now);
  pair_flush(&p);
  csctp_event evs[32];
  size_t n = csctp_endpoint_poll_events(p.b, evs, 32);
  int restart = 0, failed = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == CSCTP_EV_ASSOC_RESTART) {
      restart++;
      CHECK_EQ(evs[i].u.up.outbound_streams, 2);
    }
    if (evs[i].type == CSCTP_EV_SEND_FAILED) {
      failed++;
      CHECK_EQ(evs[i].u.send_failed.info.sid, 5);
      CHECK_EQ(evs[i].u.send_failed.info.context, 5);
      CHECK_EQ(evs[i].u.send_failed.was_sent, 0);
      CHECK_EQ(evs[i].u.send_failed.len, 4);
      if (evs[i].u.send_failed.data)
        CHECK_MEM(evs[i].u.send_failed.data, "five", 4);
    }
    csctp_event_clear(p.b, &evs[i]);
  }
  CHECK_EQ(restart, 1);
  CHECK_EQ(failed, 1);
  uint8_t buf[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(p.a, id, &ri, buf, sizeof(buf), p.now), 3);
  CHECK_EQ(ri.sid, 1);
  CHECK_MEM(buf, "one", 3);
  CHECK_EQ(csctp_recv(p.a, id, &ri, buf, sizeof(buf), p.now), CSCTP_ERR_AGAIN);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

/* Count the DATA chunks in an SCTP packet (common header first). */
static int count_data_chunks(const uint8_t *pkt, size_t len) {
  int n = 0;
  size_t off = 12;
  while (off + 4 <= len) {
    size_t cl = (size_t)pkt[off + 2] << 8 | pkt[off + 3];
    if (cl < 4)
      break;
    if (pkt[off] == CSCTP_CT_DATA)
      n++;
    off += (cl + 3) & ~(size_t)3;
  }
  return n;
}

/* RFC 9260 6.1 B, 6.10: with NODELAY, small messages queued while the
 * association is cwnd-limited leave bundled. A packet may start whenever
 * the flight size is below cwnd and is then filled up to the PMTU, so N
 * queued messages of 64 bytes (80-byte DATA chunks) leave in about
 * N * 80 / (PMTU - 12) packets, not one packet per message. The link is
 * driven packet by packet as the I/O layer does: each packet is read, and
 * what the receiver has to send is produced at once. */
static void test_bundle_under_cwnd_backlog(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.nodelay = 1;
  pair p;
  pair_init(&p, &s);
  csctp_assoc_id id = pair_connect(&p);
  csctp_event ev;
  REQUIRE(find_event(p.b, CSCTP_EV_ASSOC_UP, &ev));
  enum { N = 1000, SZ = 64 };
  uint8_t msg[SZ];
  memset(msg, 0x5a, sizeof msg);
  csctp_sndinfo si = {.sid = 0, .assoc_id = id};
  for (int i = 0; i < N; i++)
    REQUIRE(csctp_send(p.a, &si, NULL, msg, SZ, p.now) == 0);
  /* A FIFO of packets from a to b; b's answers go back at once. */
  static uint8_t q[256][2048];
  static size_t qlen[256];
  size_t head = 0, tail = 0;
  int data_pkts = 0, chunks = 0;
  uint8_t buf[2048];
  csctp_addr dst, src;
  csctp_ssize n;
  for (int round = 0; round < 100000; round++) {
    while (tail - head < 256 &&
           (n = csctp_endpoint_write_pkt(p.a, &dst, &src, q[tail % 256],
                                         sizeof q[0], p.now)) > 0)
      qlen[tail++ % 256] = (size_t)n;
    if (head == tail) {
      if (csctp_endpoint_get_expiry(p.a) == CSCTP_TSTAMP_NEVER &&
          csctp_endpoint_get_expiry(p.b) == CSCTP_TSTAMP_NEVER)
        break;
      pair_tick(&p); /* a delayed SACK, if that is what is left */
      while ((n = csctp_endpoint_write_pkt(p.b, &dst, &src, buf, sizeof buf,
                                           p.now)) > 0)
        csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, buf, (size_t)n,
                                p.now);
      if (csctp_recv_pending(p.b, 0) >= (size_t)N * SZ &&
          csctp_endpoint_get_expiry(p.a) == CSCTP_TSTAMP_NEVER)
        break;
      continue;
    }
    const uint8_t *pk = q[head % 256];
    size_t pl = qlen[head++ % 256];
    int c = count_data_chunks(pk, pl);
    if (c > 0) {
      data_pkts++;
      chunks += c;
    }
    csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, pk, pl, p.now);
    while ((n = csctp_endpoint_write_pkt(p.b, &dst, &src, buf, sizeof buf,
                                         p.now)) > 0)
      csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, buf, (size_t)n, p.now);
  }
  CHECK_EQ(chunks, N);
  CHECK_EQ(csctp_recv_pending(p.b, 0), (size_t)N * SZ);
  /* 1452-byte PMTU: 18 chunks of 80 bytes per packet; 1000 messages fit in
   * 56 packets. One per message would be 1000. */
  size_t per_pkt = (s.pmtu - 12) / (16 + SZ);
  int ideal = (int)((N + per_pkt - 1) / per_pkt);
  if (data_pkts > ideal + 2)
    fprintf(stderr, "bundling: %d DATA packets for %d messages (ideal %d)\n",
            data_pkts, N, ideal);
  CHECK(data_pkts <= ideal + 2);
  csctp_endpoint_del(p.a);
  csctp_endpoint_del(p.b);
}

int main(void) {
  TEST_RUN(test_reconnect_after_lost_shutdown_complete);
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
  TEST_RUN(test_rx_partial_delivery_reserve);
  TEST_RUN(test_rx_lowest_hole_always_taken);
  TEST_RUN(test_restart_fewer_streams_fails_unsent);
  TEST_RUN(test_bundle_under_cwnd_backlog);
  return TEST_SUMMARY();
}
