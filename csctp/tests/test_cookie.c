/* Tests for cookie.c: the State Cookie of RFC 9260 5.1.3 must carry
 * everything the TCB needs and be authenticated (5.1.5 step 2: a cookie
 * whose MAC does not verify is discarded). */
#include "config.h"

#include "cookie.h"
#include "sha256.h"

#include "test.h"

static void key_fill(uint8_t *k, uint8_t seed) {
  for (int i = 0; i < CSCTP_COOKIE_KEY_LEN; i++)
    k[i] = (uint8_t)(seed + i * 13);
}

static csctp_addr mk4(uint8_t last, uint16_t port) {
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 192, a.ip[1] = 0, a.ip[2] = 2, a.ip[3] = last;
  a.port = port;
  return a;
}

static csctp_addr mk6(uint8_t last, uint32_t scope) {
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET6;
  a.ip[0] = 0x20, a.ip[1] = 0x01, a.ip[2] = 0x0d, a.ip[3] = 0xb8;
  a.ip[15] = last;
  a.scope_id = scope;
  return a;
}

static void sample(csctp_cookie *c, uint8_t naddrs) {
  memset(c, 0, sizeof(*c));
  c->created = 0x0123456789ABCDEFULL;
  c->lifetime = 60ULL * CSCTP_SECONDS;
  c->local_tag = 0xDEADBEEF;
  c->peer_tag = 0x01020304;
  c->local_tsn = 0xFFFFFFFF;
  c->peer_tsn = 0x80000000;
  c->peer_rwnd = 1u << 20;
  c->ostreams = 10;
  c->istreams = 65535;
  c->local_port = 5000;
  c->peer_port = 6000;
  c->local_tie_tag = 0xAAAA5555;
  c->peer_tie_tag = 0x5555AAAA;
  c->src = mk6(1, 7);
  c->src.port = 9899;
  c->naddrs = naddrs;
  /* every flag bit, in a pattern that changes with the address count */
  c->pr = naddrs & 1u;
  c->reconf = (naddrs >> 1) & 1u;
  c->idata = (naddrs >> 2) & 1u;
  c->zcsum = ((naddrs >> 3) ^ naddrs) & 1u;
  for (uint8_t i = 0; i < naddrs && i < CSCTP_COOKIE_MAX_ADDRS; i++)
    c->addrs[i] = (i % 2) ? mk6((uint8_t)(i + 10), i) : mk4(i, (uint16_t)i);
}

static int addr_same(const csctp_addr *a, const csctp_addr *b) {
  return a->family == b->family && memcmp(a->ip, b->ip, 16) == 0 &&
         a->port == b->port && a->scope_id == b->scope_id;
}

static int cookie_same(const csctp_cookie *a, const csctp_cookie *b) {
  if (a->created != b->created || a->lifetime != b->lifetime ||
      a->local_tag != b->local_tag || a->peer_tag != b->peer_tag ||
      a->local_tsn != b->local_tsn || a->peer_tsn != b->peer_tsn ||
      a->peer_rwnd != b->peer_rwnd || a->ostreams != b->ostreams ||
      a->istreams != b->istreams || a->local_port != b->local_port ||
      a->peer_port != b->peer_port || a->local_tie_tag != b->local_tie_tag ||
      a->peer_tie_tag != b->peer_tie_tag || !addr_same(&a->src, &b->src) ||
      a->naddrs != b->naddrs || a->pr != b->pr || a->reconf != b->reconf ||
      a->idata != b->idata || a->zcsum != b->zcsum ||
      a->auth_local_len != b->auth_local_len ||
      a->auth_peer_len != b->auth_peer_len ||
      memcmp(a->auth_local, b->auth_local, a->auth_local_len) != 0 ||
      memcmp(a->auth_peer, b->auth_peer, a->auth_peer_len) != 0)
    return 0;
  for (int i = 0; i < a->naddrs; i++)
    if (!addr_same(&a->addrs[i], &b->addrs[i]))
      return 0;
  return 1;
}

static void test_round_trip(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 1);
  for (uint8_t n = 0; n <= CSCTP_COOKIE_MAX_ADDRS; n++) {
    csctp_cookie c, d;
    sample(&c, n);
    uint8_t buf[CSCTP_COOKIE_MAX_LEN];
    size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
    /* 81 fixed bytes + 23 per address + a 32-byte MAC. */
    CHECK_EQ(len, 81 + 23 * (size_t)n + 32);
    memset(&d, 0xA5, sizeof(d));
    CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
    CHECK(cookie_same(&c, &d));
  }
}

/* RFC 4895 6.3: AUTH key vectors of the largest size ride in the cookie. */
static void max_auth(csctp_cookie *c) {
  c->auth_local_len = c->auth_peer_len = CSCTP_COOKIE_AUTH_VEC_MAX;
  for (int i = 0; i < CSCTP_COOKIE_AUTH_VEC_MAX; i++) {
    c->auth_local[i] = (uint8_t)i;
    c->auth_peer[i] = (uint8_t)(255 - i);
  }
}

static void test_max_addresses(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 2);
  csctp_cookie c, d;
  sample(&c, CSCTP_COOKIE_MAX_ADDRS);
  max_auth(&c);
  uint8_t buf[CSCTP_COOKIE_MAX_LEN + 64];
  size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  CHECK_EQ(len, CSCTP_COOKIE_MAX_LEN); /* the bound is exact */
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
  CHECK_EQ(d.naddrs, CSCTP_COOKIE_MAX_ADDRS);
  CHECK(cookie_same(&c, &d));
  /* Exactly the needed room works, one byte less does not. */
  CHECK_EQ(csctp_cookie_encode(&c, key, buf, CSCTP_COOKIE_MAX_LEN),
           CSCTP_COOKIE_MAX_LEN);
  CHECK_EQ(csctp_cookie_encode(&c, key, buf, CSCTP_COOKIE_MAX_LEN - 1), 0);
  sample(&c, 0);
  CHECK_EQ(csctp_cookie_encode(&c, key, buf, 112), 0);
  CHECK_EQ(csctp_cookie_encode(&c, key, buf, 113), 113);
  /* More addresses than fit are clamped to the maximum, never overflow. */
  sample(&c, CSCTP_COOKIE_MAX_ADDRS);
  max_auth(&c);
  c.naddrs = 200;
  len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  CHECK_EQ(len, CSCTP_COOKIE_MAX_LEN);
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
  CHECK_EQ(d.naddrs, CSCTP_COOKIE_MAX_ADDRS);
}

/* 5.1.5 (2): any change to the cookie makes the MAC fail. */
static void test_any_flipped_byte(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 3);
  for (uint8_t n = 0; n <= 2; n++) {
    csctp_cookie c, d;
    sample(&c, n);
    uint8_t buf[CSCTP_COOKIE_MAX_LEN];
    size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
    REQUIRE(len > 0);
    for (size_t i = 0; i < len; i++) {
      for (int bit = 0; bit < 8; bit++) {
        buf[i] ^= (uint8_t)(1u << bit);
        int rv = csctp_cookie_decode(buf, len, key, &d);
        if (rv == 0)
          fprintf(stderr, "  accepted with byte %zu bit %d flipped\n", i, bit);
        CHECK(rv == CSCTP_ERR_PROTO || rv == CSCTP_ERR_MALFORMED);
        buf[i] ^= (uint8_t)(1u << bit);
      }
    }
    /* Restored: valid again. */
    CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
  }
  /* A flip in the authenticated body (not the magic, not the address
   * count) is a MAC failure precisely. */
  csctp_cookie c, d;
  sample(&c, 1);
  uint8_t buf[CSCTP_COOKIE_MAX_LEN];
  size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  buf[20] ^= 1; /* local tag */
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_PROTO);
  buf[20] ^= 1;
  buf[len - 1] ^= 0x80; /* the MAC itself */
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_PROTO);
}

static void test_wrong_key(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN], other[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 4);
  memcpy(other, key, sizeof(other));
  other[CSCTP_COOKIE_KEY_LEN - 1] ^= 1; /* one bit, last byte */
  csctp_cookie c, d;
  sample(&c, 3);
  uint8_t buf[CSCTP_COOKIE_MAX_LEN];
  size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  CHECK_EQ(csctp_cookie_decode(buf, len, other, &d), CSCTP_ERR_PROTO);
  memset(other, 0, sizeof(other));
  CHECK_EQ(csctp_cookie_decode(buf, len, other, &d), CSCTP_ERR_PROTO);
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
  /* The same cookie under two keys differs only in the MAC. */
  uint8_t buf2[CSCTP_COOKIE_MAX_LEN];
  key_fill(other, 99);
  CHECK_EQ(csctp_cookie_encode(&c, other, buf2, sizeof(buf2)), len);
  CHECK_MEM(buf, buf2, len - CSCTP_SHA256_DIGEST_LEN);
  CHECK(memcmp(buf + len - 32, buf2 + len - 32, 32) != 0);
}

static void test_length_mismatch(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 5);
  csctp_cookie c, d;
  sample(&c, 2);
  uint8_t buf[CSCTP_COOKIE_MAX_LEN + 8];
  size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  REQUIRE(len > 0);
  /* Truncated by any amount. */
  for (size_t l = 0; l < len; l++)
    CHECK(csctp_cookie_decode(buf, l, key, &d) != 0);
  /* Extended by trailing bytes, even zeros. */
  memset(buf + len, 0, 8);
  for (size_t extra = 1; extra <= 8; extra++)
    CHECK_EQ(csctp_cookie_decode(buf, len + extra, key, &d),
             CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), 0);
  /* An address count that disagrees with the length. */
  buf[79] = 3;
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_MALFORMED);
  buf[79] = 17; /* above the maximum */
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_MALFORMED);
  buf[79] = 2;
  /* Wrong magic. */
  buf[0] = 'X';
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_MALFORMED);
}

/* Authentic but unusable content (a bad address family) is refused. */
static void test_bad_family_signed(void) {
  uint8_t key[CSCTP_COOKIE_KEY_LEN];
  key_fill(key, 6);
  csctp_cookie c, d;
  sample(&c, 2);
  c.src.family = 0;
  uint8_t buf[CSCTP_COOKIE_MAX_LEN];
  size_t len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  REQUIRE(len > 0);
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_MALFORMED);
  sample(&c, 2);
  c.addrs[1].family = 5;
  len = csctp_cookie_encode(&c, key, buf, sizeof(buf));
  CHECK_EQ(csctp_cookie_decode(buf, len, key, &d), CSCTP_ERR_MALFORMED);
}

int main(void) {
  TEST_RUN(test_round_trip);
  TEST_RUN(test_max_addresses);
  TEST_RUN(test_any_flipped_byte);
  TEST_RUN(test_wrong_key);
  TEST_RUN(test_length_mismatch);
  TEST_RUN(test_bad_family_signed);
  return TEST_SUMMARY();
}
