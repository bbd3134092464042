/* Tests for sha256.c: SHA-256 vectors (FIPS 180-4 examples, as listed in
 * RFC 6234 section 8.5), HMAC-SHA256 test cases 1-7 of RFC 4231 section 4,
 * streaming in uneven pieces, and csctp_memeq_ct. */
#include "config.h"

#include "sha256.h"
#include "test.h"

/* Decodes a hex string (no separators) into out; returns the byte count. */
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

static void check_digest(const uint8_t got[32], const char *want_hex) {
  uint8_t want[32];
  CHECK_EQ(unhex(want_hex, want, sizeof want), 32);
  CHECK_MEM(got, want, 32);
}

static const char abc_hex[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_hex[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char msg448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg448_hex[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char million_a_hex[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void test_sha256_short(void) {
  uint8_t out[32];
  csctp_sha256("abc", 3, out);
  check_digest(out, abc_hex);
  csctp_sha256("", 0, out);
  check_digest(out, empty_hex);
  csctp_sha256(NULL, 0, out);
  check_digest(out, empty_hex);
  csctp_sha256(msg448, strlen(msg448), out);
  check_digest(out, msg448_hex);
}

static void test_sha256_million_a(void) {
  enum { N = 1000000 };
  uint8_t out[32];
  uint8_t *buf = malloc(N);
  REQUIRE(buf != NULL);
  memset(buf, 'a', N);
  csctp_sha256(buf, N, out);
  check_digest(out, million_a_hex);

  /* Same message streamed in uneven pieces. */
  csctp_sha256_ctx ctx;
  csctp_sha256_init(&ctx);
  size_t off = 0, step = 1;
  while (off < N) {
    size_t n = step < N - off ? step : N - off;
    csctp_sha256_update(&ctx, buf + off, n);
    off += n;
    step = (step * 7 + 3) % 1000 + 1;
  }
  csctp_sha256_final(&ctx, out);
  check_digest(out, million_a_hex);
  free(buf);
}

/* Every message length around the padding boundaries, streamed with every
 * first-piece split, must match the one-shot digest. */
static void test_sha256_incremental(void) {
  uint8_t msg[200];
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (uint8_t)(i * 31 + 7);
  for (size_t len = 0; len <= sizeof msg; len++) {
    uint8_t want[32], got[32];
    csctp_sha256(msg, len, want);
    for (size_t split = 0; split <= len; split += 3) {
      csctp_sha256_ctx ctx;
      csctp_sha256_init(&ctx);
      csctp_sha256_update(&ctx, msg, split);
      size_t off = split, step = 5;
      while (off < len) {
        size_t n = step < len - off ? step : len - off;
        csctp_sha256_update(&ctx, msg + off, n);
        off += n;
        step += 6; /* 5, 11, 17, ... */
      }
      csctp_sha256_final(&ctx, got);
      CHECK_MEM(got, want, 32);
    }
  }
}

struct hmac_case {
  const char *key_hex; /* NULL: key_fill repeated key_len times */
  uint8_t key_fill;
  size_t key_len;
  const char *data_hex; /* NULL: data_fill repeated data_len times */
  uint8_t data_fill;
  size_t data_len;
  const char *mac_hex;
  size_t mac_len; /* compared prefix, for the truncated case 5 */
};

/* RFC 4231 section 4, HMAC-SHA-256 results. */
static const struct hmac_case hmac_cases[] = {
    /* 4.2 Test Case 1 */
    {NULL, 0x0b, 20, "4869205468657265", 0, 0,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32},
    /* 4.3 Test Case 2 */
    {"4a656665", 0, 0,
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f", 0, 0,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32},
    /* 4.4 Test Case 3 */
    {NULL, 0xaa, 20, NULL, 0xdd, 50,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32},
    /* 4.5 Test Case 4 */
    {"0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0, NULL, 0xcd, 50,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32},
    /* 4.6 Test Case 5 (truncated to 128 bits) */
    {NULL, 0x0c, 20, "546573742057697468205472756e636174696f6e", 0, 0,
     "a3b6167473100ee06e0c796c2955552b", 16},
    /* 4.7 Test Case 6 */
    {NULL, 0xaa, 131,
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
     "65204b6579202d2048617368204b6579204669727374",
     0, 0, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     32},
    /* 4.8 Test Case 7 */
    {NULL, 0xaa, 131,
     "5468697320697320612074657374207573696e672061206c6172676572207468"
     "616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468"
     "616e20626c6f636b2d73697a6520646174612e20546865206b6579206e656564"
     "7320746f20626520686173686564206265666f7265206265696e672075736564"
     "2062792074686520484d414320616c676f726974686d2e",
     0, 0, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     32},
};

/* Expands a test case's key, data and expected MAC into the buffers. */
static void hmac_case_load(const struct hmac_case *tc, uint8_t *key,
                           size_t *key_len, uint8_t *data, size_t *data_len,
                           uint8_t *mac, size_t *mac_len) {
  if (tc->key_hex) {
    *key_len = unhex(tc->key_hex, key, 256);
  } else {
    memset(key, tc->key_fill, tc->key_len);
    *key_len = tc->key_len;
  }
  if (tc->data_hex) {
    *data_len = unhex(tc->data_hex, data, 256);
  } else {
    memset(data, tc->data_fill, tc->data_len);
    *data_len = tc->data_len;
  }
  *mac_len = unhex(tc->mac_hex, mac, 32);
}

static void test_hmac_rfc4231(void) {
  for (size_t i = 0; i < sizeof hmac_cases / sizeof hmac_cases[0]; i++) {
    uint8_t key[256], data[256], want[32], got[32];
    size_t key_len, data_len, mac_len;
    hmac_case_load(&hmac_cases[i], key, &key_len, data, &data_len, want,
                   &mac_len);
    CHECK_EQ(mac_len, hmac_cases[i].mac_len);
    csctp_hmac_sha256(key, key_len, data, data_len, got);
    if (memcmp(got, want, mac_len) != 0)
      fprintf(stderr, "RFC 4231 test case %zu mismatch\n", i + 1);
    CHECK_MEM(got, want, mac_len);
    CHECK_EQ(csctp_memeq_ct(got, want, mac_len), 1);
  }
}

static void test_hmac_incremental(void) {
  for (size_t i = 0; i < sizeof hmac_cases / sizeof hmac_cases[0]; i++) {
    uint8_t key[256], data[256], want[32], got[32];
    size_t key_len, data_len, mac_len;
    hmac_case_load(&hmac_cases[i], key, &key_len, data, &data_len, want,
                   &mac_len);
    for (size_t step = 1; step <= 13; step += 2) {
      csctp_hmac_sha256_ctx ctx;
      csctp_hmac_sha256_init(&ctx, key, key_len);
      for (size_t off = 0; off < data_len; off += step) {
        size_t n = step < data_len - off ? step : data_len - off;
        csctp_hmac_sha256_update(&ctx, data + off, n);
      }
      csctp_hmac_sha256_final(&ctx, got);
      CHECK_MEM(got, want, mac_len);
    }
  }
  /* Longer message crossing several blocks: streamed == one-shot. */
  uint8_t msg[1000], one[32], streamed[32];
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (uint8_t)(i ^ (i >> 3));
  static const uint8_t key[] = "a key of moderate length";
  csctp_hmac_sha256(key, sizeof key - 1, msg, sizeof msg, one);
  csctp_hmac_sha256_ctx ctx;
  csctp_hmac_sha256_init(&ctx, key, sizeof key - 1);
  size_t off = 0, step = 1;
  while (off < sizeof msg) {
    size_t n = step < sizeof msg - off ? step : sizeof msg - off;
    csctp_hmac_sha256_update(&ctx, msg + off, n);
    off += n;
    step = step * 3 % 97 + 1;
  }
  csctp_hmac_sha256_final(&ctx, streamed);
  CHECK_MEM(streamed, one, 32);
}

/* RFC 2104: keys longer than the block are replaced by their hash, and
 * keys are zero-padded, so these pairs must give identical MACs. */
static void test_hmac_key_handling(void) {
  uint8_t long_key[100], hashed[32], a[32], b[32];
  for (size_t i = 0; i < sizeof long_key; i++)
    long_key[i] = (uint8_t)i;
  csctp_sha256(long_key, sizeof long_key, hashed);
  csctp_hmac_sha256(long_key, sizeof long_key, "msg", 3, a);
  csctp_hmac_sha256(hashed, sizeof hashed, "msg", 3, b);
  CHECK_MEM(a, b, 32);

  uint8_t zero_key[64] = {0};
  csctp_hmac_sha256(NULL, 0, "msg", 3, a);
  csctp_hmac_sha256(zero_key, sizeof zero_key, "msg", 3, b);
  CHECK_MEM(a, b, 32);

  /* 64-byte key is used as is (no hashing). */
  csctp_hmac_sha256(long_key, 64, "msg", 3, a);
  csctp_sha256(long_key, 64, hashed);
  csctp_hmac_sha256(hashed, 32, "msg", 3, b);
  CHECK(memcmp(a, b, 32) != 0);
}

static void test_memeq_ct(void) {
  uint8_t a[64], b[64];
  for (size_t i = 0; i < sizeof a; i++)
    a[i] = b[i] = (uint8_t)(i * 13);
  CHECK_EQ(csctp_memeq_ct(a, b, sizeof a), 1);
  CHECK_EQ(csctp_memeq_ct(a, b, 0), 1);
  CHECK_EQ(csctp_memeq_ct(NULL, NULL, 0), 1);
  for (size_t i = 0; i < sizeof a; i++) {
    for (int bit = 0; bit < 8; bit++) {
      b[i] ^= (uint8_t)(1u << bit);
      CHECK_EQ(csctp_memeq_ct(a, b, sizeof a), 0);
      CHECK_EQ(csctp_memeq_ct(a, b, i), 1); /* difference outside range */
      b[i] ^= (uint8_t)(1u << bit);
    }
  }
  b[10] = (uint8_t)(a[10] ^ 0xFF);
  CHECK_EQ(csctp_memeq_ct(a, b, sizeof a), 0);
}

int main(void) {
  TEST_RUN(test_sha256_short);
  TEST_RUN(test_sha256_million_a);
  TEST_RUN(test_sha256_incremental);
  TEST_RUN(test_hmac_rfc4231);
  TEST_RUN(test_hmac_incremental);
  TEST_RUN(test_hmac_key_handling);
  TEST_RUN(test_memeq_ct);
  return TEST_SUMMARY();
}
