/* Tests for crc32c.c: CRC32c (RFC 9260 Appendix A, RFC 3309) and the SCTP
 * packet checksum (RFC 9260 section 6.8).
 *
 * Vectors: "123456789" check value, the four 32-byte vectors of RFC 3720
 * section B.4, and captured SCTP packets whose checksums were also confirmed
 * with an independent bit-at-a-time implementation. */
#include "config.h"

#include "crc32c.h"
#include "test.h"

/* Deterministic xorshift64 so failures are reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint8_t rng_byte(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint8_t)(rng_state >> 32);
}

static void rng_fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = rng_byte();
}

/* Straightforward bit-serial CRC32c, independent of the library tables. */
static uint32_t ref_crc32c(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int b = 0; b < 8; b++)
      c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

typedef uint32_t (*crc_fn)(const uint8_t *, size_t);

/* Runs the known-answer vectors through fn, at every alignment 0..7. */
static void check_vectors(crc_fn fn) {
  uint8_t zeros[32], ones[32], asc[32], desc[32];
  for (int i = 0; i < 32; i++) {
    zeros[i] = 0x00;
    ones[i] = 0xFF;
    asc[i] = (uint8_t)i;
    desc[i] = (uint8_t)(31 - i);
  }
  const struct {
    const uint8_t *data;
    size_t len;
    uint32_t crc;
  } vecs[] = {
      {(const uint8_t *)"123456789", 9, 0xE3069283u},
      {zeros, 32, 0x8A9136AAu},
      {ones, 32, 0x62A8AB43u},
      {asc, 32, 0x46DD794Eu},
      {desc, 32, 0x113FDB5Cu},
      {(const uint8_t *)"", 0, 0x00000000u},
  };
  uint8_t buf[32 + 8];
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
    CHECK_EQ(fn(vecs[i].data, vecs[i].len), vecs[i].crc);
    for (size_t align = 0; align < 8; align++) {
      if (vecs[i].len > 0)
        memcpy(buf + align, vecs[i].data, vecs[i].len);
      CHECK_EQ(fn(buf + align, vecs[i].len), vecs[i].crc);
    }
  }
  CHECK_EQ(fn(NULL, 0), 0);
}

static void test_vectors_portable(void) {
  check_vectors(csctp_crc32c_portable);
}

static void test_vectors_hw(void) {
  if (!csctp_crc32c_hw_available()) {
    printf(
        "test_crc32c: no SSE4.2 CRC32c on this CPU/build, skipping hw checks "
        "(portable path still tested)\n");
    return;
  }
  check_vectors(csctp_crc32c_hw);
}

static void test_vectors_dispatch(void) {
  check_vectors(csctp_crc32c);
  printf("test_crc32c: csctp_crc32c dispatches to %s\n",
         csctp_crc32c_hw_available() ? "SSE4.2" : "portable");
}

static void test_reference_agreement(void) {
  uint8_t buf[1100];
  rng_fill(buf, sizeof buf);
  for (size_t len = 0; len <= 1024; len += (len < 80 ? 1 : 37)) {
    uint32_t want = ref_crc32c(buf + 3, len);
    CHECK_EQ(csctp_crc32c_portable(buf + 3, len), want);
    CHECK_EQ(csctp_crc32c(buf + 3, len), want);
  }
}

static void test_hw_matches_portable(void) {
  if (!csctp_crc32c_hw_available()) {
    printf("test_crc32c: no SSE4.2 CRC32c, skipping hw/portable agreement\n");
    return;
  }
  enum { MAXLEN = 300, MAXALIGN = 7 };
  /* Over-allocate so that buf + 8 is 8-aligned whatever malloc returned. */
  uint8_t *mem = malloc(MAXLEN + MAXALIGN + 16);
  REQUIRE(mem != NULL);
  uint8_t *base = mem + (8 - ((uintptr_t)mem & 7u));
  int mismatches = 0;
  for (int round = 0; round < 4; round++) {
    rng_fill(base, MAXLEN + MAXALIGN);
    for (size_t align = 0; align <= MAXALIGN; align++) {
      for (size_t len = 0; len <= MAXLEN; len++) {
        uint32_t hw = csctp_crc32c_hw(base + align, len);
        uint32_t sw = csctp_crc32c_portable(base + align, len);
        if (hw != sw && mismatches++ < 5)
          fprintf(stderr,
                  "mismatch align=%zu len=%zu hw=%08" PRIx32 " sw=%08" PRIx32
                  "\n",
                  align, len, hw, sw);
      }
    }
  }
  CHECK_EQ(mismatches, 0);
  free(mem);
}

static void test_update_chaining(void) {
  uint8_t buf[200];
  rng_fill(buf, sizeof buf);
  uint32_t whole = csctp_crc32c(buf, sizeof buf);
  CHECK_EQ(csctp_crc32c_update(0, buf, sizeof buf), whole);
  for (size_t split = 0; split <= sizeof buf; split++) {
    uint32_t c = csctp_crc32c_update(0, buf, split);
    c = csctp_crc32c_update(c, buf + split, sizeof buf - split);
    CHECK_EQ(c, whole);
  }
  /* Many small uneven pieces. */
  uint32_t c = 0;
  size_t off = 0, step = 1;
  while (off < sizeof buf) {
    size_t n = step < sizeof buf - off ? step : sizeof buf - off;
    c = csctp_crc32c_update(c, buf + off, n);
    off += n;
    step = step % 13 + 2;
  }
  CHECK_EQ(c, whole);
}

/* Appending a CRC32c least significant byte first yields a constant CRC,
 * which is what makes little-endian the natural order for this CRC. */
static void test_residue(void) {
  uint8_t buf[64 + 4];
  for (size_t n = 0; n <= 64; n += 7) {
    rng_fill(buf, n);
    uint32_t c = csctp_crc32c(buf, n);
    buf[n] = (uint8_t)c;
    buf[n + 1] = (uint8_t)(c >> 8);
    buf[n + 2] = (uint8_t)(c >> 16);
    buf[n + 3] = (uint8_t)(c >> 24);
    CHECK_EQ(csctp_crc32c(buf, n + 4), 0x48674BC7u);
  }
}

/* Captured SCTP packets (common header + chunks, no IP header) carrying a
 * correct checksum. The field bytes are the CRC32c least significant byte
 * first. */
static const uint8_t pkt_init[32] = {
    0x0f, 0xe4, 0x0f, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x9f, 0x78, 0xa7,
    0x04, 0x01, 0x00, 0x00, 0x14, 0xbb, 0x7b, 0x0f, 0x9c, 0x00, 0x00,
    0xfa, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0xbb, 0x7b, 0x0f, 0x9c,
};
static const uint8_t pkt_sack[28] = {
    0x0f, 0x1c, 0x0f, 0xe4, 0xbb, 0x7b, 0x0f, 0x9c, 0x79, 0x94,
    0x91, 0x29, 0x03, 0x00, 0x00, 0x10, 0xbb, 0x7b, 0x0f, 0x9c,
    0x00, 0x00, 0xfa, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t pkt_abort[16] = {
    0x30, 0x39, 0x30, 0x39, 0xbe, 0x65, 0xa7, 0xef,
    0x7d, 0xc1, 0xb2, 0xfc, 0x06, 0x00, 0x00, 0x04,
};

static void check_known_packet(const uint8_t *pkt, size_t len,
                               uint32_t expect) {
  uint8_t copy[64];
  REQUIRE(len <= sizeof copy);
  CHECK_EQ(csctp_sctp_checksum(pkt, len), expect);
  CHECK_EQ(csctp_sctp_checksum_ok(pkt, len), 1);
  memcpy(copy, pkt, len);
  memset(copy + 8, 0, 4);
  CHECK_EQ(csctp_sctp_checksum_ok(copy, len), 0);
  csctp_sctp_checksum_store(copy, len);
  CHECK_MEM(copy, pkt, len);
}

static void test_sctp_known_packets(void) {
  check_known_packet(pkt_init, sizeof pkt_init, 0x04A7789Fu);
  check_known_packet(pkt_sack, sizeof pkt_sack, 0x29919479u);
  check_known_packet(pkt_abort, sizeof pkt_abort, 0xFCB2C17Du);
}

static void test_sctp_checksum_ignores_field(void) {
  uint8_t pkt[48];
  rng_fill(pkt, sizeof pkt);
  uint8_t before[48];
  memcpy(before, pkt, sizeof pkt);
  uint32_t a = csctp_sctp_checksum(pkt, sizeof pkt);
  CHECK_MEM(pkt, before, sizeof pkt); /* input untouched */
  pkt[8] ^= 0x5A;
  pkt[11] ^= 0xA5;
  CHECK_EQ(csctp_sctp_checksum(pkt, sizeof pkt), a);
  memset(pkt + 8, 0, 4);
  CHECK_EQ(csctp_sctp_checksum(pkt, sizeof pkt), a);
  CHECK_EQ(csctp_crc32c(pkt, sizeof pkt), a);
  CHECK_EQ(ref_crc32c(pkt, sizeof pkt), a);
}

static void test_sctp_store_verify_bitflip(void) {
  static const size_t lens[] = {12, 13, 16, 20, 31, 32, 64, 100, 257, 1500};
  uint8_t *pkt = malloc(1500);
  REQUIRE(pkt != NULL);
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t len = lens[i];
    rng_fill(pkt, len);
    csctp_sctp_checksum_store(pkt, len);
    CHECK_EQ(csctp_sctp_checksum_ok(pkt, len), 1);
    uint32_t sum = csctp_sctp_checksum(pkt, len);
    CHECK_EQ(pkt[8], sum & 0xFFu);
    CHECK_EQ(pkt[11], sum >> 24);
    int accepted = 0;
    for (size_t bit = 0; bit < len * 8; bit++) {
      pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      accepted += csctp_sctp_checksum_ok(pkt, len);
      pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK_EQ(accepted, 0);
    CHECK_EQ(csctp_sctp_checksum_ok(pkt, len), 1);
  }
  free(pkt);
}

static void test_sctp_short(void) {
  uint8_t pkt[12];
  rng_fill(pkt, sizeof pkt);
  uint8_t before[12];
  memcpy(before, pkt, sizeof pkt);
  for (size_t len = 0; len < 12; len++) {
    CHECK_EQ(csctp_sctp_checksum_ok(pkt, len), 0);
    csctp_sctp_checksum_store(pkt, len);
    CHECK_MEM(pkt, before, sizeof pkt);
    /* Partial checksum field bytes count as zero. */
    uint8_t z[12];
    memcpy(z, pkt, len);
    for (size_t j = 8; j < len; j++)
      z[j] = 0;
    CHECK_EQ(csctp_sctp_checksum(pkt, len), csctp_crc32c(z, len));
  }
  CHECK_EQ(csctp_sctp_checksum_ok(NULL, 0), 0);
  CHECK_EQ(csctp_sctp_checksum(NULL, 0), 0);
}

int main(void) {
  TEST_RUN(test_vectors_portable);
  TEST_RUN(test_vectors_hw);
  TEST_RUN(test_vectors_dispatch);
  TEST_RUN(test_reference_agreement);
  TEST_RUN(test_hw_matches_portable);
  TEST_RUN(test_update_chaining);
  TEST_RUN(test_residue);
  TEST_RUN(test_sctp_known_packets);
  TEST_RUN(test_sctp_checksum_ignores_field);
  TEST_RUN(test_sctp_store_verify_bitflip);
  TEST_RUN(test_sctp_short);
  return TEST_SUMMARY();
}
