/* Tests for sha1.c: the SHA-1 vectors of RFC 3174 section 7.3 / RFC 6234
 * section 8.4 (FIPS 180 examples "abc", the 448-bit message, one million
 * 'a', 10 x the 64-byte "01234567..." string), streaming in uneven pieces,
 * and the seven HMAC-SHA1 test cases of RFC 2202 section 3. */
#include "config.h"

#include "sha1.h"
#include "test.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (hex[0] && hex[1] && n < cap) {
    unsigned v;
    if (sscanf(hex, "%2x", &v) != 1)
      break;
    out[n++] = (uint8_t)v;
    hex += 2;
  }
  return n;
}

static void check_digest(const uint8_t got[20], const char *want_hex) {
  uint8_t want[20];
  CHECK_EQ(unhex(want_hex, want, sizeof want), 20);
  CHECK_MEM(got, want, 20);
}

static void test_sha1_fips_examples(void) {
  uint8_t out[20];
  csctp_sha1("abc", 3, out);
  check_digest(out, "A9993E364706816ABA3E25717850C26C9CD0D89D");
  const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  csctp_sha1(m448, strlen(m448), out);
  check_digest(out, "84983E441C3BD26EBAAE4AA1F95129E5E54670F1");
  /* The empty message (FIPS 180 padding of a zero-length input). */
  csctp_sha1("", 0, out);
  check_digest(out, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
}

static void test_sha1_million_a(void) {
  csctp_sha1_ctx c;
  uint8_t out[20];
  uint8_t a[1000];
  memset(a, 'a', sizeof(a));
  csctp_sha1_init(&c);
  for (int i = 0; i < 1000; i++)
    csctp_sha1_update(&c, a, sizeof(a));
  csctp_sha1_final(&c, out);
  check_digest(out, "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F");
}

static void test_sha1_repeated_64(void) {
  const char *s = "0123456701234567012345670123456701234567012345670123456701"
                  "234567";
  REQUIRE(strlen(s) == 64);
  csctp_sha1_ctx c;
  uint8_t out[20];
  csctp_sha1_init(&c);
  for (int i = 0; i < 10; i++)
    csctp_sha1_update(&c, s, 64);
  csctp_sha1_final(&c, out);
  check_digest(out, "DEA356A2CDDD90C7A7ECEDC5EBB563934F460452");
}

static void test_sha1_uneven_pieces(void) {
  uint8_t msg[300], one[20], pieces[20];
  for (size_t i = 0; i < sizeof(msg); i++)
    msg[i] = (uint8_t)(i * 7 + 3);
  csctp_sha1(msg, sizeof(msg), one);
  csctp_sha1_ctx c;
  csctp_sha1_init(&c);
  size_t off = 0, step = 1;
  while (off < sizeof(msg)) {
    size_t n = step < sizeof(msg) - off ? step : sizeof(msg) - off;
    csctp_sha1_update(&c, msg + off, n);
    off += n;
    step = step * 3 % 67 + 1;
  }
  csctp_sha1_final(&c, pieces);
  CHECK_MEM(one, pieces, 20);
  /* A single changed bit changes the digest. */
  msg[150] ^= 1;
  csctp_sha1(msg, sizeof(msg), pieces);
  CHECK(memcmp(one, pieces, 20) != 0);
}

static void hmac_case(const uint8_t *key, size_t klen, const void *data,
                      size_t dlen, const char *want) {
  uint8_t out[20];
  csctp_hmac_sha1(key, klen, data, dlen, out);
  check_digest(out, want);
}

/* RFC 2202 section 3, test cases 1-7 (case 5's digest is the full 160-bit
 * value; the RFC also lists its 96-bit truncation). */
static void test_hmac_sha1_rfc2202(void) {
  uint8_t k[80], d[80];
  memset(k, 0x0b, 20);
  hmac_case(k, 20, "Hi There", 8, "b617318655057264e28bc0b6fb378c8ef146be00");
  hmac_case((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  memset(k, 0xaa, 20);
  memset(d, 0xdd, 50);
  hmac_case(k, 20, d, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  for (int i = 0; i < 25; i++)
    k[i] = (uint8_t)(i + 1);
  memset(d, 0xcd, 50);
  hmac_case(k, 25, d, 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
  memset(k, 0x0c, 20);
  hmac_case(k, 20, "Test With Truncation", 20,
            "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
  memset(k, 0xaa, 80);
  hmac_case(k, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  hmac_case(k, 80,
            "Test Using Larger Than Block-Size Key and Larger Than One "
            "Block-Size Data",
            73, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

static void test_hmac_sha1_streaming(void) {
  uint8_t out1[20], out2[20];
  const char *msg = "what do ya want for nothing?";
  csctp_hmac_sha1((const uint8_t *)"Jefe", 4, msg, 28, out1);
  csctp_hmac_sha1_ctx c;
  csctp_hmac_sha1_init(&c, (const uint8_t *)"Jefe", 4);
  csctp_hmac_sha1_update(&c, msg, 5);
  csctp_hmac_sha1_update(&c, msg + 5, 23);
  csctp_hmac_sha1_final(&c, out2);
  CHECK_MEM(out1, out2, 20);
}

int main(void) {
  TEST_RUN(test_sha1_fips_examples);
  TEST_RUN(test_sha1_million_a);
  TEST_RUN(test_sha1_repeated_64);
  TEST_RUN(test_sha1_uneven_pieces);
  TEST_RUN(test_hmac_sha1_rfc2202);
  TEST_RUN(test_hmac_sha1_streaming);
  return TEST_SUMMARY();
}
