/* test_zcsum.c -- zero checksum (RFC 9653) in the engine: the Zero
 * Checksum Acceptable parameter, the sender's rules (section 5.2) and the
 * receiver's (5.3), between two endpoints over a lower-layer (CSCTP_AF_CONN)
 * address, joined by an in-memory link that records every packet. */
#include "csctp.h"
#include "test.h"

#include "../chunk.h"
#include "../crc32c.h"
#include "../zcsum.h"

typedef struct zpkt {
  uint8_t from_a;
  uint8_t first_chunk;
  uint8_t has[256]; /* chunk types in the packet */
  uint32_t checksum, vtag;
  int crc_ok;
} zpkt;

typedef struct zpair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_tstamp now;
  zpkt log[512];
  size_t nlog;
  int corrupt_next_b; /* corrupt the next packet b sends (keeping its sum) */
} zpair;

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t seed_a = 11, seed_b = 12;
static int conn_a, conn_b; /* their addresses are pointers to these */

static void zpair_init(zpair *p, uint32_t edmid_a, uint32_t edmid_b) {
  memset(p, 0, sizeof(*p));
  csctp_addr_set_conn(&p->addr_a, &conn_a);
  csctp_addr_set_conn(&p->addr_b, &conn_b);
  p->now = 1000 * CSCTP_SECONDS;
  csctp_settings s;
  csctp_settings_default(&s);
  s.zero_checksum_edmid = edmid_a;
  CHECK_EQ(
      csctp_endpoint_new(&p->a, 5000, &s, NULL, seeded_rand, &seed_a, p->now),
      0);
  s.zero_checksum_edmid = edmid_b;
  CHECK_EQ(
      csctp_endpoint_new(&p->b, 5000, &s, NULL, seeded_rand, &seed_b, p->now),
      0);
  csctp_endpoint_listen(p->b, 1);
}

static void zpair_record(zpair *p, int from_a, const uint8_t *buf, size_t n) {
  if (p->nlog == sizeof(p->log) / sizeof(p->log[0]))
    return;
  zpkt *z = &p->log[p->nlog++];
  memset(z, 0, sizeof(*z));
  z->from_a = (uint8_t)from_a;
  z->first_chunk = buf[12];
  z->checksum = csctp_get32(buf + 8);
  z->vtag = csctp_get32(buf + 4);
  z->crc_ok = csctp_sctp_checksum_ok(buf, n);
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, buf + 12, n - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    z->has[c.type & 0xff] = 1;
}

static int zpair_flush(zpair *p) {
  uint8_t buf[2048];
  int moved = 0;
  for (int round = 0; round < 1000; round++) {
    int any = 0;
    csctp_addr dst, src;
    csctp_ssize n;
    while ((n = csctp_endpoint_write_pkt(p->a, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      any = 1;
      CHECK(csctp_addr_conn_handle(&dst) == &conn_b);
      zpair_record(p, 1, buf, (size_t)n);
      csctp_endpoint_read_pkt(p->b, &p->addr_a, NULL, buf, (size_t)n, p->now);
      moved++;
    }
    while ((n = csctp_endpoint_write_pkt(p->b, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      any = 1;
      CHECK(csctp_addr_conn_handle(&dst) == &conn_a);
      zpair_record(p, 0, buf, (size_t)n);
      if (p->corrupt_next_b && n > 40) {
        p->corrupt_next_b = 0;
        buf[n - 1] ^= 0x5a; /* a bit error the checksum must catch */
      }
      csctp_endpoint_read_pkt(p->a, &p->addr_b, NULL, buf, (size_t)n, p->now);
      moved++;
    }
    if (!any)
      break;
  }
  return moved;
}

static void zpair_tick(zpair *p) {
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

static int zfind_up(csctp_endpoint *ep, csctp_assoc_id *id) {
  csctp_event evs[32];
  size_t n = csctp_endpoint_poll_events(ep, evs, 32);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == CSCTP_EV_ASSOC_UP && !found) {
      *id = evs[i].assoc_id;
      found = 1;
    }
    csctp_event_clear(ep, &evs[i]);
  }
  return found;
}

/* Sets up an association a -> b, sends msgs messages each way on streams
 * 0..3, and checks they arrive whole. */
static void zpair_run(zpair *p, int msgs) {
  csctp_assoc_id ida = 0, idb = 0;
  csctp_addr to = p->addr_b;
  REQUIRE(csctp_connect(p->a, &to, 1, 5000, NULL, p->now, &ida) == 0);
  zpair_flush(p);
  csctp_assoc_id tmp;
  REQUIRE(zfind_up(p->a, &tmp));
  REQUIRE(zfind_up(p->b, &idb));
  uint8_t msg[3000];
  for (int i = 0; i < msgs; i++) {
    memset(msg, 'a' + i % 26, sizeof msg);
    csctp_sndinfo si = {.sid = (uint16_t)(i % 4), .ppid = 51, .assoc_id = ida};
    CHECK_EQ(csctp_send(p->a, &si, NULL, msg, sizeof msg, p->now), 0);
    si.assoc_id = idb;
    CHECK_EQ(csctp_send(p->b, &si, NULL, msg, 100 + (size_t)i, p->now), 0);
  }
  size_t want_b = (size_t)msgs * sizeof msg, want_a = 0;
  for (int i = 0; i < msgs; i++)
    want_a += 100 + (size_t)i;
  size_t got_a = 0, got_b = 0;
  uint8_t rbuf[4000];
  for (int round = 0; round < 400 && (got_a < want_a || got_b < want_b);
       round++) {
    zpair_flush(p);
    csctp_rcvinfo ri;
    csctp_ssize n;
    while ((n = csctp_recv(p->b, idb, &ri, rbuf, sizeof rbuf, p->now)) > 0)
      got_b += (size_t)n;
    while ((n = csctp_recv(p->a, ida, &ri, rbuf, sizeof rbuf, p->now)) > 0)
      got_a += (size_t)n;
    zpair_flush(p);
    zpair_tick(p);
  }
  CHECK_EQ(got_b, want_b);
  CHECK_EQ(got_a, want_a);
}

/* The verification tag b puts on its packets to a: a's own tag. */
static uint32_t a_tag(const zpair *p) {
  for (size_t i = p->nlog; i-- > 0;)
    if (!p->log[i].from_a && p->log[i].vtag)
      return p->log[i].vtag;
  return 0;
}

/* The first chunk type of the next packet a wants to send, -1 if none. */
static int a_next_chunk(zpair *p) {
  uint8_t buf[2048];
  csctp_addr dst, src;
  csctp_ssize n =
      csctp_endpoint_write_pkt(p->a, &dst, &src, buf, sizeof buf, p->now);
  return n > 12 ? buf[12] : -1;
}

static void zpair_del(zpair *p) {
  csctp_endpoint_del(p->a);
  csctp_endpoint_del(p->b);
}

/* RFC 9653 4: type 0x8001, length 8, the EDMID; only when announced. */
static void test_param_encoding(void) {
  uint8_t raw[64];
  csctp_buf b;
  csctp_settings s;
  csctp_settings_default(&s);
  CHECK_EQ(s.zero_checksum_edmid, CSCTP_EDMID_NONE); /* 7.1: off by default */
  csctp_buf_init(&b, raw, sizeof raw);
  CHECK_EQ(csctp_zcsum_put_param(&b, &s), 0);
  CHECK_EQ(b.len, 0);
  s.zero_checksum_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
  CHECK_EQ(csctp_zcsum_put_param(&b, &s), 0);
  static const uint8_t want[8] = {0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1};
  CHECK_EQ(b.len, 8);
  CHECK_MEM(raw, want, 8);
}

static uint32_t edmid_of(const uint8_t *params, size_t len) {
  csctp_init in;
  memset(&in, 0, sizeof in);
  in.params = params;
  in.params_len = len;
  return csctp_zcsum_peer_edmid(&in);
}

static void test_param_parsing(void) {
  static const uint8_t one[8] = {0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1};
  CHECK_EQ(edmid_of(one, 8), 1);
  CHECK_EQ(edmid_of(one, 0), CSCTP_EDMID_NONE); /* absent */
  /* Length MUST be 8: 12 with a longer value is no announcement. */
  static const uint8_t longer[12] = {0x80, 0x01, 0x00, 0x0c, 0, 0,
                                     0,    1,    0,    0,    0, 0};
  CHECK_EQ(edmid_of(longer, 12), CSCTP_EDMID_NONE);
  /* MUST NOT appear more than once. */
  static const uint8_t twice[16] = {0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1,
                                    0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1};
  CHECK_EQ(edmid_of(twice, 16), CSCTP_EDMID_NONE);
  /* After another parameter (Forward-TSN-Supported). */
  static const uint8_t after[12] = {0xc0, 0x00, 0x00, 0x04, 0x80, 0x01,
                                    0x00, 0x08, 0,    0,    0,    7};
  CHECK_EQ(edmid_of(after, 12), 7);
  /* 5.2 rule 1 / 7.1: send zero only for the method enabled here. */
  csctp_init in;
  memset(&in, 0, sizeof in);
  in.params = one;
  in.params_len = 8;
  csctp_settings s;
  csctp_settings_default(&s);
  CHECK(!csctp_zcsum_negotiate(&s, &in));
  s.zero_checksum_edmid = 1;
  CHECK(csctp_zcsum_negotiate(&s, &in));
  s.zero_checksum_edmid = 2;
  CHECK(!csctp_zcsum_negotiate(&s, &in));
}

static size_t mkpkt(uint8_t *p, const uint8_t *types, size_t n) {
  memset(p, 0, 12);
  size_t off = 12;
  for (size_t i = 0; i < n; i++) {
    p[off] = types[i];
    p[off + 1] = 0;
    p[off + 2] = 0;
    p[off + 3] = 8;
    memset(p + off + 4, 0, 4);
    off += 8;
  }
  return off;
}

/* 5.2: INIT (1a), COOKIE ECHO (2), ASCONF (3) always carry a CRC32c,
 * bundled or not; other packets need not. */
static void test_needs_crc(void) {
  uint8_t p[64];
  static const uint8_t init[] = {CSCTP_CT_INIT};
  static const uint8_t ce_data[] = {CSCTP_CT_COOKIE_ECHO, CSCTP_CT_DATA};
  static const uint8_t sack_asconf[] = {CSCTP_CT_SACK, CSCTP_CT_ASCONF};
  static const uint8_t data_sack[] = {CSCTP_CT_DATA, CSCTP_CT_SACK};
  static const uint8_t cookie_ack[] = {CSCTP_CT_COOKIE_ACK};
  CHECK(csctp_zcsum_needs_crc(p, mkpkt(p, init, 1)));
  CHECK(csctp_zcsum_needs_crc(p, mkpkt(p, ce_data, 2)));
  CHECK(csctp_zcsum_needs_crc(p, mkpkt(p, sack_asconf, 2)));
  CHECK(!csctp_zcsum_needs_crc(p, mkpkt(p, data_sack, 2)));
  CHECK(!csctp_zcsum_needs_crc(p, mkpkt(p, cookie_ack, 1)));
  CHECK(csctp_zcsum_needs_crc(p, 8)); /* not even a header */
}

/* Both sides announce DTLS: the handshake's INIT, INIT ACK and COOKIE ECHO
 * carry the parameter / a correct CRC32c as 5.1 and 5.2 say, and the rest
 * goes with checksum zero both ways; the data still arrives whole. */
static void test_negotiated(void) {
  zpair p;
  zpair_init(&p, CSCTP_EDMID_LOWER_LAYER_DTLS, CSCTP_EDMID_LOWER_LAYER_DTLS);
  zpair_run(&p, 20);
  int zero_a = 0, zero_b = 0;
  for (size_t i = 0; i < p.nlog; i++) {
    zpkt *z = &p.log[i];
    if (z->has[CSCTP_CT_INIT] || z->has[CSCTP_CT_COOKIE_ECHO] ||
        z->has[CSCTP_CT_INIT_ACK])
      CHECK(z->crc_ok && z->checksum != 0); /* 5.2 1a, 2; and before */
    else if (z->checksum == 0)
      *(z->from_a ? &zero_a : &zero_b) += 1;
    else
      CHECK(0); /* 5.2: SHOULD use zero when nothing forbids it */
  }
  /* a sent 20 messages of 3000 bytes (60 DATA packets at least), b 20
   * short ones (bundled) and the SACKs. */
  CHECK(zero_a >= 40);
  CHECK(zero_b >= 5);
  int data_b = 0;
  for (size_t i = 0; i < p.nlog; i++)
    data_b += !p.log[i].from_a && p.log[i].has[CSCTP_CT_DATA] &&
              p.log[i].checksum == 0;
  CHECK(data_b >= 1);
  csctp_endpoint_stats st;
  csctp_endpoint_stats_get(p.a, &st);
  CHECK_EQ(st.bad_checksum, 0);
  csctp_endpoint_stats_get(p.b, &st);
  CHECK_EQ(st.bad_checksum, 0);
  zpair_del(&p);
}

/* Only one side announces: 5.2 rule 1, nobody sends zero (the one that
 * announced did not hear the parameter; the other does not accept it). */
static void test_one_sided(void) {
  for (int side = 0; side < 2; side++) {
    zpair p;
    zpair_init(&p, side ? CSCTP_EDMID_LOWER_LAYER_DTLS : 0,
               side ? 0 : CSCTP_EDMID_LOWER_LAYER_DTLS);
    zpair_run(&p, 5);
    for (size_t i = 0; i < p.nlog; i++)
      CHECK(p.log[i].crc_ok);
    CHECK(p.nlog > 10);
    zpair_del(&p);
  }
}

/* Different methods announced: 7.1, send zero only for the method that is
 * enabled locally. */
static void test_different_methods(void) {
  zpair p;
  zpair_init(&p, 1, 2);
  zpair_run(&p, 5);
  for (size_t i = 0; i < p.nlog; i++)
    CHECK(p.log[i].crc_ok);
  zpair_del(&p);
}

/* 5.3: without an announcement a packet with an incorrect zero checksum
 * is dropped; with one, a packet with a wrong non-zero checksum still is. */
static void test_receiver_rules(void) {
  zpair p;
  zpair_init(&p, 0, 0);
  csctp_assoc_id ida = 0, idb = 0;
  csctp_addr to = p.addr_b;
  REQUIRE(csctp_connect(p.a, &to, 1, 5000, NULL, p.now, &ida) == 0);
  zpair_flush(&p);
  csctp_assoc_id tmp;
  REQUIRE(zfind_up(p.a, &tmp));
  REQUIRE(zfind_up(p.b, &idb));
  /* A HEARTBEAT from b, re-sent with checksum zero to a (which never
   * announced): dropped and counted. */
  uint8_t pkt[28] = {
      0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, CSCTP_CT_HEARTBEAT,
      0,    0,    16,   0,    1, 0, 12};
  csctp_put32(pkt + 4, a_tag(&p));
  csctp_endpoint_stats st0, st1;
  csctp_endpoint_stats_get(p.a, &st0);
  CHECK_EQ(
      csctp_endpoint_read_pkt(p.a, &p.addr_b, NULL, pkt, sizeof pkt, p.now),
      CSCTP_ERR_CHECKSUM);
  csctp_endpoint_stats_get(p.a, &st1);
  CHECK_EQ(st1.bad_checksum, st0.bad_checksum + 1);
  CHECK_EQ(a_next_chunk(&p), -1);
  /* The same packet with its CRC32c is answered (always accepted, 5.3). */
  csctp_sctp_checksum_store(pkt, sizeof pkt);
  CHECK_EQ(
      csctp_endpoint_read_pkt(p.a, &p.addr_b, NULL, pkt, sizeof pkt, p.now), 0);
  CHECK_EQ(a_next_chunk(&p), CSCTP_CT_HEARTBEAT_ACK);
  zpair_del(&p);

  zpair_init(&p, 1, 1);
  REQUIRE(csctp_connect(p.a, &to, 1, 5000, NULL, p.now, &ida) == 0);
  zpair_flush(&p);
  REQUIRE(zfind_up(p.a, &tmp));
  csctp_put32(pkt + 4, a_tag(&p));
  memset(pkt + 8, 0, 4);
  /* Announced: the zero checksum is accepted... */
  CHECK_EQ(
      csctp_endpoint_read_pkt(p.a, &p.addr_b, NULL, pkt, sizeof pkt, p.now), 0);
  CHECK_EQ(a_next_chunk(&p), CSCTP_CT_HEARTBEAT_ACK);
  /* ...but not a wrong non-zero one... */
  csctp_put32(pkt + 8, 0x12345678);
  CHECK_EQ(
      csctp_endpoint_read_pkt(p.a, &p.addr_b, NULL, pkt, sizeof pkt, p.now),
      CSCTP_ERR_CHECKSUM);
  CHECK_EQ(a_next_chunk(&p), -1);
  /* ...nor zero under a tag that is not the association's. */
  memset(pkt + 8, 0, 4);
  csctp_put32(pkt + 4, a_tag(&p) + 1);
  CHECK_EQ(
      csctp_endpoint_read_pkt(p.a, &p.addr_b, NULL, pkt, sizeof pkt, p.now),
      CSCTP_ERR_CHECKSUM);
  zpair_del(&p);
}

static void test_ootb_reply_keeps_crc(void) {
  /* 5.2 1b: an endpoint that negotiated nothing with the sender of an OOTB
   * packet answers it with a correct CRC32c, announcing or not. */
  zpair p;
  zpair_init(&p, 1, 1);
  uint8_t pkt[16] = {
      0x13, 0x88, 0x13, 0x88, 0, 0, 0, 9, 0, 0, 0, 0, CSCTP_CT_HEARTBEAT_ACK,
      0,    0,    4};
  csctp_sctp_checksum_store(pkt, sizeof pkt);
  csctp_endpoint_read_pkt(p.b, &p.addr_a, NULL, pkt, sizeof pkt, p.now);
  uint8_t buf[256];
  csctp_addr dst, src;
  csctp_ssize n =
      csctp_endpoint_write_pkt(p.b, &dst, &src, buf, sizeof buf, p.now);
  REQUIRE(n > 12);
  CHECK_EQ(buf[12], CSCTP_CT_ABORT); /* RFC 9260 8.4 8) */
  CHECK(csctp_sctp_checksum_ok(buf, (size_t)n));
  CHECK(csctp_get32(buf + 8) != 0);
  zpair_del(&p);
}

int main(void) {
  TEST_RUN(test_param_encoding);
  TEST_RUN(test_param_parsing);
  TEST_RUN(test_needs_crc);
  TEST_RUN(test_negotiated);
  TEST_RUN(test_one_sided);
  TEST_RUN(test_different_methods);
  TEST_RUN(test_receiver_rules);
  TEST_RUN(test_ootb_reply_keeps_crc);
  return TEST_SUMMARY();
}
