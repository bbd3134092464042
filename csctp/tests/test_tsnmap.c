/* Tests for tsnmap.c and tsn.h: serial number comparisons (RFC 9260 1.6),
 * duplicate detection, cumulative TSN and Gap Ack Blocks (6.2, 6.7), the
 * receive window limit, FORWARD TSN moves and allocation failures.
 *
 * Gap offsets in the hand-written cases were worked out on paper; the
 * randomised case compares against a plain array model. */
#include "config.h"

#include "tsn.h"
#include "tsnmap.h"

#include "talloc.h"
#include "test.h"

/* ---- Helpers ------------------------------------------------------------ */

/* Marks every TSN in list (n entries), checking each was NEW. */
static int mark_all(csctp_tsnmap *m, const uint32_t *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (csctp_tsnmap_classify(m, list[i]) != CSCTP_TSN_NEW)
      return -1;
    if (csctp_tsnmap_mark(m, list[i]) != 0)
      return -1;
  }
  return 0;
}

/* ---- Tests -------------------------------------------------------------- */

static void test_serial_compare(void) {
  CHECK(csctp_tsn_lt(1, 2));
  CHECK(!csctp_tsn_lt(2, 1));
  CHECK(!csctp_tsn_lt(5, 5));
  CHECK(csctp_tsn_le(5, 5));
  CHECK(csctp_tsn_ge(5, 5));
  CHECK(!csctp_tsn_gt(5, 5));
  // Across the wrap: 0xFFFFFFFF is before 0 and before 5.
  CHECK(csctp_tsn_lt(0xFFFFFFFFu, 0));
  CHECK(csctp_tsn_lt(0xFFFFFFF0u, 5));
  CHECK(csctp_tsn_gt(0, 0xFFFFFFFFu));
  CHECK(csctp_tsn_gt(5, 0xFFFFFFF0u));
  CHECK(!csctp_tsn_gt(0xFFFFFFFFu, 0));
  // 2^31 - 1 apart is still ordered.
  CHECK(csctp_tsn_lt(0, 0x7FFFFFFFu));
  CHECK(csctp_tsn_gt(0x7FFFFFFFu, 0));
  CHECK(csctp_tsn_lt(0x80000001u, 0));
  // Exactly 2^31 apart: unordered both ways.
  CHECK(!csctp_tsn_lt(0, 0x80000000u));
  CHECK(!csctp_tsn_lt(0x80000000u, 0));
  CHECK(!csctp_tsn_gt(0, 0x80000000u));
  CHECK(!csctp_tsn_le(0, 0x80000000u));
  CHECK(!csctp_tsn_ge(0, 0x80000000u));
}

static void test_init_args(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  CHECK_EQ(csctp_tsnmap_init(&m, NULL, 1, 100), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_tsnmap_init(&m, &mem, 1, 0), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_tsnmap_init(&m, &mem, 1, 0x80000000u), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_tsnmap_init(&m, &mem, 1, 0x7FFFFFFFu), 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0);
  csctp_tsnmap_free(&m);
  CHECK_EQ(csctp_tsnmap_init(&m, &mem, 0, 10), 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0xFFFFFFFFu);
  CHECK_EQ(csctp_tsnmap_highest(&m), 0xFFFFFFFFu);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_in_order(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 100, 65536) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 99);
  CHECK_EQ(csctp_tsnmap_classify(&m, 99), CSCTP_TSN_DUP);
  for (uint32_t tsn = 100; tsn < 100000; tsn++) {
    CHECK_EQ(csctp_tsnmap_classify(&m, tsn), CSCTP_TSN_NEW);
    CHECK_EQ(csctp_tsnmap_mark(&m, tsn), 0);
  }
  CHECK_EQ(csctp_tsnmap_cum(&m), 99999);
  CHECK_EQ(csctp_tsnmap_highest(&m), 99999);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  uint16_t pairs[8];
  CHECK_EQ(csctp_tsnmap_gaps(&m, pairs, 4), 0);
  // In-order arrival needs no bitmap at all.
  CHECK_EQ(t.count, 0);
  CHECK_EQ(csctp_tsnmap_classify(&m, 500), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_mark(&m, 500), CSCTP_ERR_INVAL);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_gaps_hand_checked(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1000, 65536) == 0);
  // cum = 999. Receive 1001 1002 1005 1007 1008 1009 (1000, 1003, 1004,
  // 1006 missing).
  const uint32_t got[] = {1002, 1008, 1001, 1005, 1009, 1007};
  REQUIRE(mark_all(&m, got, 6) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 999);
  CHECK_EQ(csctp_tsnmap_highest(&m), 1009);
  CHECK(csctp_tsnmap_has_gaps(&m));
  uint16_t p[16];
  // Offsets from 999: 1001-1002 -> 2..3, 1005 -> 6..6, 1007-1009 -> 8..10.
  REQUIRE(csctp_tsnmap_gaps(&m, p, 8) == 3);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 3);
  CHECK_EQ(p[2], 6);
  CHECK_EQ(p[3], 6);
  CHECK_EQ(p[4], 8);
  CHECK_EQ(p[5], 10);
  // Truncation keeps the lowest blocks.
  memset(p, 0, sizeof(p));
  REQUIRE(csctp_tsnmap_gaps(&m, p, 2) == 2);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[3], 6);
  CHECK_EQ(p[4], 0);
  CHECK_EQ(csctp_tsnmap_gaps(&m, p, 0), 0);

  CHECK_EQ(csctp_tsnmap_classify(&m, 999), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1001), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1009), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1000), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1003), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1010), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_mark(&m, 1005), CSCTP_ERR_INVAL);

  // 1000 fills the first hole: cum moves to 1002. Blocks from 1002:
  // 1005 -> 3..3, 1007-1009 -> 5..7.
  REQUIRE(csctp_tsnmap_mark(&m, 1000) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 1002);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 8) == 2);
  CHECK_EQ(p[0], 3);
  CHECK_EQ(p[1], 3);
  CHECK_EQ(p[2], 5);
  CHECK_EQ(p[3], 7);
  // 1004 joins the 1005 block: 1004-1005 -> 2..3.
  REQUIRE(csctp_tsnmap_mark(&m, 1004) == 0);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 8) == 2);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 3);
  // 1006 merges both blocks: 1004-1009 -> 2..7.
  REQUIRE(csctp_tsnmap_mark(&m, 1006) == 0);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 8) == 1);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 7);
  // 1003 closes everything.
  REQUIRE(csctp_tsnmap_mark(&m, 1003) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 1009);
  CHECK_EQ(csctp_tsnmap_highest(&m), 1009);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  CHECK_EQ(csctp_tsnmap_gaps(&m, p, 8), 0);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

/* The example of RFC 9260 Figure 9: 6 and 8 received, 7 lost. */
static void test_gap_rfc_example(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 6, 100) == 0);
  REQUIRE(csctp_tsnmap_mark(&m, 6) == 0);
  REQUIRE(csctp_tsnmap_mark(&m, 8) == 0);
  uint16_t p[2];
  CHECK_EQ(csctp_tsnmap_cum(&m), 6);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 1) == 1);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 2);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_dups(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 100) == 0);
  uint32_t d[32];
  CHECK_EQ(csctp_tsnmap_dups(&m, d, 32), 0);
  for (uint32_t i = 0; i < 20; i++)
    csctp_tsnmap_note_dup(&m, 1000 + i);
  REQUIRE(csctp_tsnmap_dups(&m, d, 32) == CSCTP_TSNMAP_MAX_DUPS);
  CHECK_EQ(CSCTP_TSNMAP_MAX_DUPS, 16);
  for (uint32_t i = 0; i < CSCTP_TSNMAP_MAX_DUPS; i++)
    CHECK_EQ(d[i], 1000 + i);
  REQUIRE(csctp_tsnmap_dups(&m, d, 3) == 3);
  CHECK_EQ(d[2], 1002);
  csctp_tsnmap_clear_dups(&m);
  CHECK_EQ(csctp_tsnmap_dups(&m, d, 32), 0);
  csctp_tsnmap_note_dup(&m, 7);
  REQUIRE(csctp_tsnmap_dups(&m, d, 32) == 1);
  CHECK_EQ(d[0], 7);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_wrap(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 0xFFFFFFFCu, 1000) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0xFFFFFFFBu);
  // Receive ...FC, ...FE, 0, 1, 3 (missing ...FD, ...FF, 2).
  const uint32_t got[] = {0xFFFFFFFCu, 1, 0xFFFFFFFEu, 3, 0};
  REQUIRE(mark_all(&m, got, 5) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0xFFFFFFFCu);
  CHECK_EQ(csctp_tsnmap_highest(&m), 3);
  uint16_t p[8];
  // Offsets from ...FC: ...FE -> 2..2, 0-1 -> 4..5, 3 -> 7..7.
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 3);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 2);
  CHECK_EQ(p[2], 4);
  CHECK_EQ(p[3], 5);
  CHECK_EQ(p[4], 7);
  CHECK_EQ(p[5], 7);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0xFFFFFFFFu), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0xFFFFFFF0u), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0), CSCTP_TSN_DUP);
  REQUIRE(csctp_tsnmap_mark(&m, 0xFFFFFFFDu) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0xFFFFFFFEu);
  REQUIRE(csctp_tsnmap_mark(&m, 0xFFFFFFFFu) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 1);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 1);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 2);
  REQUIRE(csctp_tsnmap_mark(&m, 2) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 3);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  // Window counted across the wrap from the new cum.
  CHECK_EQ(csctp_tsnmap_classify(&m, 1003), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1004), CSCTP_TSN_OUT_OF_WINDOW);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_window(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 100) == 0);
  // cum 0: 1..100 are in the window.
  CHECK_EQ(csctp_tsnmap_classify(&m, 100), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 101), CSCTP_TSN_OUT_OF_WINDOW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0x7FFFFFFFu), CSCTP_TSN_OUT_OF_WINDOW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0x80000000u), CSCTP_TSN_OUT_OF_WINDOW);
  // Everything serially before cum counts as already received.
  CHECK_EQ(csctp_tsnmap_classify(&m, 0x80000001u), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 0xFFFFFFFBu), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_mark(&m, 101), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_tsnmap_highest(&m), 0);
  REQUIRE(csctp_tsnmap_mark(&m, 100) == 0);
  CHECK_EQ(csctp_tsnmap_highest(&m), 100);
  uint16_t p[2];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 1) == 1);
  CHECK_EQ(p[0], 100);
  CHECK_EQ(p[1], 100);
  // The window follows cum.
  REQUIRE(csctp_tsnmap_mark(&m, 1) == 0);
  CHECK_EQ(csctp_tsnmap_classify(&m, 101), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 102), CSCTP_TSN_OUT_OF_WINDOW);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

/* Memory follows the highest TSN seen, doubling, capped by max_window. */
static void test_growth_limit(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 5000) == 0);
  REQUIRE(csctp_tsnmap_mark(&m, 3) == 0);
  CHECK_EQ(t.bytes, 256 / 8); // the smallest ring: 256 bits
  REQUIRE(csctp_tsnmap_mark(&m, 300) == 0);
  CHECK_EQ(t.bytes, 512 / 8);
  REQUIRE(csctp_tsnmap_mark(&m, 4000) == 0);
  CHECK_EQ(t.bytes, 4032 / 8); // 4000 rounded up to 64 bits
  REQUIRE(csctp_tsnmap_mark(&m, 5000) == 0);
  // Doubling would give 8064 bits; max_window caps it at 5000 -> 5056.
  CHECK_EQ(t.bytes, 5056 / 8);
  CHECK(t.peak <= (4032 + 5056) / 8);
  CHECK_EQ(csctp_tsnmap_classify(&m, 5001), CSCTP_TSN_OUT_OF_WINDOW);
  uint16_t p[8];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 4);
  CHECK_EQ(p[0], 3);
  CHECK_EQ(p[2], 300);
  CHECK_EQ(p[4], 4000);
  CHECK_EQ(p[6], 5000);
  CHECK_EQ(p[7], 5000);
  // Fill everything: cum runs to 5000 and the ring, now empty, stays.
  for (uint32_t tsn = 1; tsn < 5000; tsn++)
    if (csctp_tsnmap_classify(&m, tsn) == CSCTP_TSN_NEW)
      REQUIRE(csctp_tsnmap_mark(&m, tsn) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 5000);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  // The ring is reused from wherever its head now is.
  long allocs = t.count;
  REQUIRE(csctp_tsnmap_mark(&m, 10000) == 0);
  REQUIRE(csctp_tsnmap_mark(&m, 9999) == 0);
  CHECK_EQ(t.count, allocs);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 1);
  CHECK_EQ(p[0], 4999);
  CHECK_EQ(p[1], 5000);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

/* With a window wider than 16 bits, blocks stop at offset 65535. */
/* Growing while the ring's head sits mid-ring and the held bits wrap around
 * its end keeps every bit in place. */
static void test_grow_wrapped(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 100000) == 0);
  REQUIRE(csctp_tsnmap_mark(&m, 200) == 0); // 256-bit ring
  for (uint32_t tsn = 1; tsn < 200; tsn++)
    REQUIRE(csctp_tsnmap_mark(&m, tsn) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 200); // head is now at bit 200
  // 202..300 and 340..450: offsets up to 250 wrap past the ring's end.
  for (uint32_t tsn = 202; tsn <= 300; tsn++)
    REQUIRE(csctp_tsnmap_mark(&m, tsn) == 0);
  for (uint32_t tsn = 340; tsn <= 450; tsn++)
    REQUIRE(csctp_tsnmap_mark(&m, tsn) == 0);
  CHECK_EQ(t.count, 1);
  REQUIRE(csctp_tsnmap_mark(&m, 1000) == 0); // grows to 1024 bits
  CHECK_EQ(t.count, 2);
  uint16_t p[8];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 3);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 100);
  CHECK_EQ(p[2], 140);
  CHECK_EQ(p[3], 250);
  CHECK_EQ(p[4], 800);
  CHECK_EQ(p[5], 800);
  REQUIRE(csctp_tsnmap_mark(&m, 201) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 300);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 2);
  CHECK_EQ(p[0], 40);
  CHECK_EQ(p[1], 150);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_gap_offset_limit(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 200000) == 0);
  const uint32_t got[] = {10,    65530, 65531, 65532, 65533,
                          65534, 65535, 65536, 65537, 70000};
  REQUIRE(mark_all(&m, got, 10) == 0);
  uint16_t p[8];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 2);
  CHECK_EQ(p[0], 10);
  CHECK_EQ(p[1], 10);
  CHECK_EQ(p[2], 65530);
  CHECK_EQ(p[3], 65535);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_forward(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 1000) == 0);
  const uint32_t got[] = {3, 4, 8, 9, 12};
  REQUIRE(mark_all(&m, got, 5) == 0);
  // Older or equal values change nothing.
  csctp_tsnmap_forward(&m, 0);
  csctp_tsnmap_forward(&m, 0xFFFFFF00u);
  CHECK_EQ(csctp_tsnmap_cum(&m), 0);
  // Forward to 2: 3 and 4 were received, so cum lands on 4.
  csctp_tsnmap_forward(&m, 2);
  CHECK_EQ(csctp_tsnmap_cum(&m), 4);
  uint16_t p[8];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 2);
  CHECK_EQ(p[0], 4); // 8-9
  CHECK_EQ(p[1], 5);
  CHECK_EQ(p[2], 8); // 12
  CHECK_EQ(p[3], 8);
  CHECK_EQ(csctp_tsnmap_classify(&m, 6), CSCTP_TSN_NEW);
  // Forward to 6, a TSN never received: lands on 6, then stops (7 missing).
  csctp_tsnmap_forward(&m, 6);
  CHECK_EQ(csctp_tsnmap_cum(&m), 6);
  CHECK_EQ(csctp_tsnmap_classify(&m, 5), CSCTP_TSN_DUP);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 2);
  CHECK_EQ(p[0], 2);
  CHECK_EQ(p[1], 3);
  // Forward past the highest TSN received.
  csctp_tsnmap_forward(&m, 20);
  CHECK_EQ(csctp_tsnmap_cum(&m), 20);
  CHECK_EQ(csctp_tsnmap_highest(&m), 20);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  CHECK_EQ(csctp_tsnmap_classify(&m, 12), CSCTP_TSN_DUP);
  CHECK_EQ(csctp_tsnmap_classify(&m, 21), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1020), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, 1021), CSCTP_TSN_OUT_OF_WINDOW);
  // No stale bits survive: marks after the jump read back exactly.
  REQUIRE(csctp_tsnmap_mark(&m, 25) == 0);
  REQUIRE(csctp_tsnmap_gaps(&m, p, 4) == 1);
  CHECK_EQ(p[0], 5);
  CHECK_EQ(p[1], 5);
  REQUIRE(csctp_tsnmap_mark(&m, 21) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), 21);
  // Forward onto exactly the highest TSN.
  csctp_tsnmap_forward(&m, 25);
  CHECK_EQ(csctp_tsnmap_cum(&m), 25);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

/* ---- Randomised comparison with an array model -------------------------- */

static uint64_t lcg_state;

static uint32_t lcg(void) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(lcg_state >> 33);
}

#define MODEL_N 40000u

typedef struct model {
  uint32_t base; /* TSN of recv[0] */
  uint32_t cum;  /* offset form: TSNs base .. base + cum - 1 are received */
  uint32_t highest_off; /* one past the highest received offset */
  uint8_t recv[MODEL_N];
} model;

static int model_classify(const model *md, uint32_t tsn, uint32_t win) {
  uint32_t off = tsn - md->base;
  uint32_t cumtsn = md->base + md->cum - 1u;
  uint32_t d = tsn - cumtsn;
  if (d == 0 || d > 0x80000000u)
    return CSCTP_TSN_DUP;
  if (d > win)
    return CSCTP_TSN_OUT_OF_WINDOW;
  return md->recv[off] ? CSCTP_TSN_DUP : CSCTP_TSN_NEW;
}

static size_t model_gaps(const model *md, uint16_t *p, size_t max) {
  size_t n = 0;
  uint32_t i = md->cum;
  while (i < md->highest_off && n < max) {
    while (i < md->highest_off && !md->recv[i])
      i++;
    if (i >= md->highest_off)
      break;
    uint32_t s = i;
    while (i < md->highest_off && md->recv[i])
      i++;
    // Offsets from cum TSN (base + cum - 1).
    p[2 * n] = (uint16_t)(s - md->cum + 1u);
    p[2 * n + 1] = (uint16_t)(i - md->cum);
    n++;
  }
  return n;
}

static void run_random(uint32_t initial, uint32_t win, uint64_t seed,
                       int fail_some) {
  static model md;
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  memset(&md, 0, sizeof(md));
  md.base = initial;
  lcg_state = seed;
  REQUIRE(csctp_tsnmap_init(&m, &mem, initial, win) == 0);
  uint16_t p1[2 * 64], p2[2 * 64];
  long steps = 0;
  while (md.cum + win + 16 < MODEL_N) {
    uint32_t cumtsn = initial + md.cum - 1u;
    uint32_t r = lcg();
    uint32_t tsn;
    if (r % 16 == 0)
      tsn = cumtsn - (lcg() % 50); // old
    else if (r % 16 == 1)
      tsn = cumtsn + 1u; // fills the first hole
    else
      tsn = cumtsn + 1u + lcg() % (win + 10);
    int c = csctp_tsnmap_classify(&m, tsn);
    REQUIRE(c == model_classify(&md, tsn, win));
    if (c == CSCTP_TSN_NEW) {
      if (fail_some && (t.failures == 0 || lcg() % 2 == 0))
        t.fail_at = t.count + 1;
      int rc = csctp_tsnmap_mark(&m, tsn);
      t.fail_at = 0;
      if (rc == CSCTP_ERR_NOMEM) {
        REQUIRE(fail_some);
        REQUIRE(csctp_tsnmap_classify(&m, tsn) == CSCTP_TSN_NEW);
      } else {
        REQUIRE(rc == 0);
        uint32_t off = tsn - md.base;
        md.recv[off] = 1;
        if (off + 1u > md.highest_off)
          md.highest_off = off + 1u;
        while (md.recv[md.cum])
          md.cum++;
      }
    } else if (c == CSCTP_TSN_DUP) {
      csctp_tsnmap_note_dup(&m, tsn);
    }
    REQUIRE(csctp_tsnmap_cum(&m) == initial + md.cum - 1u);
    uint32_t hi = md.highest_off > md.cum ? initial + md.highest_off - 1u
                                          : initial + md.cum - 1u;
    REQUIRE(csctp_tsnmap_highest(&m) == hi);
    REQUIRE(csctp_tsnmap_has_gaps(&m) == (md.highest_off > md.cum));
    if (steps++ % 7 == 0) {
      size_t n1 = csctp_tsnmap_gaps(&m, p1, 64);
      size_t n2 = model_gaps(&md, p2, 64);
      REQUIRE(n1 == n2);
      REQUIRE(memcmp(p1, p2, n1 * 2 * sizeof(uint16_t)) == 0);
      csctp_tsnmap_clear_dups(&m);
    }
  }
  CHECK(steps > 1000);
  if (fail_some)
    CHECK(t.failures > 0);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

static void test_random_vs_model(void) {
  run_random(1, 200, 1, 0);
  run_random(0xFFFFF000u, 300, 2, 0); // crosses 2^32
  run_random(0xFFFFFF00u, 5000, 3, 0);
  run_random(12345, 64, 4, 0);
  run_random(0x7FFFFF80u, 1000, 5, 0); // crosses 2^31
  run_random(0xFFFFFFF0u, 3000, 6, 1); // with allocation failures
}

/* A failed allocation leaves the map as it was; it works again later. */
static void test_nomem(void) {
  // Every N: fail the Nth allocation of a fixed scenario, retrying the
  // failed mark once, until a run sees no failure.
  for (long n = 1;; n++) {
    talloc t;
    csctp_mem mem = talloc_mem(&t);
    t.fail_at = n;
    csctp_tsnmap m;
    REQUIRE(csctp_tsnmap_init(&m, &mem, 0xFFFFFF00u, 4000) == 0);
    uint16_t before[64], after[64];
    for (uint32_t i = 0; i < 3000; i++) {
      uint32_t tsn = 0xFFFFFF00u + (i * 7919u) % 3500u;
      if (csctp_tsnmap_classify(&m, tsn) != CSCTP_TSN_NEW)
        continue;
      size_t nb = csctp_tsnmap_gaps(&m, before, 32);
      uint32_t cum = csctp_tsnmap_cum(&m), hi = csctp_tsnmap_highest(&m);
      int rc = csctp_tsnmap_mark(&m, tsn);
      if (rc == CSCTP_ERR_NOMEM) {
        REQUIRE(csctp_tsnmap_cum(&m) == cum);
        REQUIRE(csctp_tsnmap_highest(&m) == hi);
        REQUIRE(csctp_tsnmap_classify(&m, tsn) == CSCTP_TSN_NEW);
        size_t na = csctp_tsnmap_gaps(&m, after, 32);
        REQUIRE(na == nb);
        REQUIRE(memcmp(before, after, 2 * nb * sizeof(uint16_t)) == 0);
        rc = csctp_tsnmap_mark(&m, tsn);
      }
      REQUIRE(rc == 0);
    }
    // Fill the rest; everything up to the highest is then contiguous.
    uint32_t hi = csctp_tsnmap_highest(&m);
    for (uint32_t tsn = 0xFFFFFF00u; tsn != hi + 1u; tsn++)
      if (csctp_tsnmap_classify(&m, tsn) == CSCTP_TSN_NEW)
        REQUIRE(csctp_tsnmap_mark(&m, tsn) == 0);
    CHECK_EQ(csctp_tsnmap_cum(&m), hi);
    CHECK(!csctp_tsnmap_has_gaps(&m));
    csctp_tsnmap_free(&m);
    CHECK_EQ(t.live, 0);
    if (t.failures == 0)
      break;
    REQUIRE(n < 100);
  }
}

/* Every other TSN lost, then retransmitted: each fill moves cum by two and
 * must not cost a pass over the ring. A million TSNs in well under a
 * second even under sanitizers. */
static void test_amortised(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 7, 65536) == 0);
  uint32_t base = 7;
  for (uint32_t round = 0; round < 40; round++) {
    // 30000 TSNs per round: odd ones first, then the even ones.
    for (uint32_t i = 1; i < 30000; i += 2)
      REQUIRE(csctp_tsnmap_mark(&m, base + i) == 0);
    REQUIRE(csctp_tsnmap_gaps(&m, NULL, 0) == 0);
    for (uint32_t i = 0; i < 30000; i += 2)
      REQUIRE(csctp_tsnmap_mark(&m, base + i) == 0);
    base += 30000;
    REQUIRE(csctp_tsnmap_cum(&m) == base - 1u);
  }
  CHECK(t.count <= 10); // the ring grew a few times, then stayed
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

/* RFC 6525 5.2.4 G4 and 5.2.7 H5: after an SSN/TSN reset the next TSN
 * expected may lie 2^31 away, where serial arithmetic cannot say forward. */
static void test_reset(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_tsnmap m;
  REQUIRE(csctp_tsnmap_init(&m, &mem, 1, 1000) == 0);
  const uint32_t got[] = {1, 2, 5, 9};
  REQUIRE(mark_all(&m, got, 4) == 0);
  csctp_tsnmap_note_dup(&m, 2);
  uint32_t next = 3u + 0x80000000u; /* cum + 1 + 2^31 */
  csctp_tsnmap_reset(&m, next);
  CHECK_EQ(csctp_tsnmap_cum(&m), next - 1u);
  CHECK_EQ(csctp_tsnmap_highest(&m), next - 1u);
  CHECK(!csctp_tsnmap_has_gaps(&m));
  uint32_t d[4];
  CHECK_EQ(csctp_tsnmap_dups(&m, d, 4), 0);
  CHECK_EQ(csctp_tsnmap_classify(&m, next), CSCTP_TSN_NEW);
  CHECK_EQ(csctp_tsnmap_classify(&m, next - 5u), CSCTP_TSN_DUP);
  /* No stale bit of 5 or 9 survives at the same ring positions. */
  REQUIRE(csctp_tsnmap_mark(&m, next + 3u) == 0);
  uint16_t p[4];
  REQUIRE(csctp_tsnmap_gaps(&m, p, 2) == 1);
  CHECK_EQ(p[0], 4);
  CHECK_EQ(p[1], 4);
  REQUIRE(csctp_tsnmap_mark(&m, next) == 0);
  CHECK_EQ(csctp_tsnmap_cum(&m), next);
  csctp_tsnmap_free(&m);
  CHECK_EQ(t.live, 0);
}

int main(void) {
  TEST_RUN(test_serial_compare);
  TEST_RUN(test_init_args);
  TEST_RUN(test_in_order);
  TEST_RUN(test_gaps_hand_checked);
  TEST_RUN(test_gap_rfc_example);
  TEST_RUN(test_dups);
  TEST_RUN(test_wrap);
  TEST_RUN(test_window);
  TEST_RUN(test_growth_limit);
  TEST_RUN(test_grow_wrapped);
  TEST_RUN(test_gap_offset_limit);
  TEST_RUN(test_forward);
  TEST_RUN(test_random_vs_model);
  TEST_RUN(test_nomem);
  TEST_RUN(test_amortised);
  TEST_RUN(test_reset);
  return TEST_SUMMARY();
}
