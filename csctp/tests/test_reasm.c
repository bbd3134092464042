/* Tests for reasm.c: reassembly (RFC 9260 6.9), ordered and unordered
 * delivery (6.5, 6.6, SSN serial arithmetic of 1.6), the ready queue with
 * partial reads, partial delivery (RFC 6458 8.1.21), protocol violations,
 * allocation failures and memory use.
 *
 * The randomised cases shuffle the chunks of many messages on many streams
 * with a seeded LCG and check every read against a model of what must be
 * readable after each chunk. */
#include "config.h"

#include "reasm.h"

#include "talloc.h"
#include "test.h"

/* ---- Helpers ------------------------------------------------------------ */

#define FB CSCTP_DATA_FLAG_B
#define FE CSCTP_DATA_FLAG_E
#define FU CSCTP_DATA_FLAG_U
#define FBE (CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E)

static uint64_t lcg_state;

static uint32_t lcg(void) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(lcg_state >> 33);
}

static csctp_addr addr4(uint8_t last) {
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 10;
  a.ip[3] = last;
  return a;
}

static int add(csctp_reasm *r, uint8_t flags, uint32_t tsn, uint16_t sid,
               uint16_t ssn, uint32_t ppid, const void *p, size_t len) {
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = flags;
  d.tsn = tsn;
  d.sid = sid;
  d.ssn = ssn;
  d.ppid = ppid;
  d.payload = p;
  d.len = len;
  csctp_addr a = addr4((uint8_t)(tsn & 0xFF));
  return csctp_reasm_add(r, &d, &a);
}

static int add_str(csctp_reasm *r, uint8_t flags, uint32_t tsn, uint16_t sid,
                   uint16_t ssn, const char *s) {
  return add(r, flags, tsn, sid, ssn, 0, s, strlen(s));
}

/* Reads one whole message as a string; returns its length or the error. */
static long read_str(csctp_reasm *r, char *buf, size_t cap,
                     csctp_rcvinfo *info) {
  csctp_rcvinfo tmp;
  if (info == NULL)
    info = &tmp;
  memset(info, 0, sizeof(*info));
  csctp_ssize n = csctp_reasm_read(r, info, (uint8_t *)buf, cap - 1);
  if (n >= 0)
    buf[n] = 0;
  return n;
}

/* Deterministic payload byte of message m at offset o. */
static uint8_t pbyte(uint32_t m, size_t o) {
  return (uint8_t)(m * 31u + o * 7u + (o >> 8) + 1u);
}

/* ---- Basic behaviour ---------------------------------------------------- */

static void test_init_args(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  CHECK_EQ(csctp_reasm_init(&r, NULL, 10, 100), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_reasm_init(&r, &mem, 0, 100), CSCTP_ERR_INVAL);
  REQUIRE(csctp_reasm_init(&r, &mem, 10, 100) == 0);
  CHECK_EQ(t.count, 0);
  CHECK_EQ(add_str(&r, FBE, 1, 10, 0, "x"), CSCTP_ERR_INVAL);
  CHECK_EQ(add(&r, FBE, 1, 0, 0, 0, NULL, 3), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK(!csctp_reasm_has_ready(&r));
  uint8_t buf[4];
  csctp_rcvinfo info;
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  csctp_reasm_free(&r);
  csctp_reasm_free(&r); // twice is harmless
  CHECK_EQ(t.live, 0);
}

static void test_single_in_order(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 4, 1u << 20) == 0);
  REQUIRE(add(&r, FBE, 77, 2, 0, 0x01020304u, "hello", 5) == 0);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 5);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 5);
  CHECK(csctp_reasm_has_ready(&r));
  csctp_rcvinfo info;
  memset(&info, 0xAB, sizeof(info));
  uint8_t buf[16];
  REQUIRE(csctp_reasm_read(&r, &info, buf, sizeof(buf)) == 5);
  CHECK_MEM(buf, "hello", 5);
  CHECK_EQ(info.sid, 2);
  CHECK_EQ(info.ssn, 0);
  CHECK_EQ(info.ppid, 0x01020304u);
  CHECK_EQ(info.tsn, 77);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  csctp_addr a = addr4(77);
  CHECK(memcmp(&info.from, &a, sizeof(a)) == 0);
  // The caller's fields are left alone.
  CHECK_EQ(info.assoc_id, 0xABABABABu);
  CHECK_EQ(info.cumtsn, 0xABABABABu);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  // In-order single chunks: one payload allocation and one node each, plus
  // one stream record; no index is needed.
  long before = t.count;
  for (uint16_t i = 1; i <= 200; i++) {
    REQUIRE(add(&r, FBE, 77u + i, 2, i, i, "abc", 3) == 0);
    REQUIRE(csctp_reasm_read(&r, &info, buf, sizeof(buf)) == 3);
    REQUIRE(info.ssn == i && info.flags == CSCTP_RCV_EOR);
  }
  CHECK_EQ(t.count - before, 400);
  CHECK_EQ(t.count, 403);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

static void test_ordered_out_of_order(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 4, 1u << 20) == 0);
  char buf[64];
  csctp_rcvinfo info;
  REQUIRE(add_str(&r, FBE, 12, 1, 2, "two") == 0);
  REQUIRE(add_str(&r, FBE, 11, 1, 1, "one") == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_held_bytes(&r), 6);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 0);
  // Another stream is not held back.
  REQUIRE(add_str(&r, FBE, 13, 3, 0, "other") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 5);
  CHECK_EQ(info.sid, 3);
  CHECK(!csctp_reasm_has_ready(&r));
  // Unordered on the blocked stream is not held back either.
  REQUIRE(add_str(&r, FBE | FU, 14, 1, 999, "u") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 1);
  CHECK_EQ(info.flags, CSCTP_RCV_UNORDERED | CSCTP_RCV_EOR);
  CHECK_EQ(info.ssn, 999);
  // SSN 0 arrives: 0, 1, 2 come out in order.
  REQUIRE(add_str(&r, FBE, 10, 1, 0, "zero") == 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 10);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 4);
  CHECK(strcmp(buf, "zero") == 0 && info.ssn == 0 && info.tsn == 10);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 3);
  CHECK(strcmp(buf, "one") == 0 && info.ssn == 1);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 3);
  CHECK(strcmp(buf, "two") == 0 && info.ssn == 2);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), CSCTP_ERR_AGAIN);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

static void test_fragments(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 4, 1u << 20) == 0);
  char buf[64];
  csctp_rcvinfo info;
  // Ordered "abcdefghi" in 3 chunks (TSN 100..102) arriving E, B, middle,
  // interleaved with an unordered 2-chunk message (103..104) on the same
  // stream.
  REQUIRE(add(&r, FE, 102, 0, 0, 9, "ghi", 3) == 0);
  REQUIRE(add(&r, FU | FE, 104, 0, 0, 8, "YZ", 2) == 0);
  REQUIRE(add(&r, FB, 100, 0, 0, 9, "abc", 3) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  REQUIRE(add(&r, FU | FB, 103, 0, 0, 8, "WX", 2) == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 4);
  CHECK(strcmp(buf, "WXYZ") == 0);
  CHECK_EQ(info.tsn, 103);
  CHECK_EQ(info.ppid, 8);
  CHECK_EQ(info.flags, CSCTP_RCV_UNORDERED | CSCTP_RCV_EOR);
  csctp_addr a104 = addr4(104);
  CHECK(memcmp(&info.from, &a104, sizeof(a104)) == 0);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 6);
  REQUIRE(add(&r, 0, 101, 0, 0, 9, "def", 3) == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 9);
  CHECK(strcmp(buf, "abcdefghi") == 0);
  CHECK_EQ(info.tsn, 100);
  CHECK_EQ(info.ppid, 9);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  // from: the last fragment's path (TSN 102).
  csctp_addr a102 = addr4(102);
  CHECK(memcmp(&info.from, &a102, sizeof(a102)) == 0);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* A message spanning the TSN wrap. */
static void test_tsn_wrap(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 1, 1u << 20) == 0);
  char buf[64];
  csctp_rcvinfo info;
  REQUIRE(add_str(&r, 0, 0, 0, 0, "cd") == 0);
  REQUIRE(add_str(&r, FE, 1, 0, 0, "ef") == 0);
  REQUIRE(add_str(&r, FB, 0xFFFFFFFEu, 0, 0, "a") == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  REQUIRE(add_str(&r, 0, 0xFFFFFFFFu, 0, 0, "b") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 6);
  CHECK(strcmp(buf, "abcdef") == 0);
  CHECK_EQ(info.tsn, 0xFFFFFFFEu);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* Reading one byte at a time: EOR exactly on the last byte. */
static void test_tiny_reads(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 2, 1u << 20) == 0);
  REQUIRE(add(&r, FB, 5, 1, 0, 42, "0123", 4) == 0);
  REQUIRE(add(&r, 0, 6, 1, 0, 42, "456", 3) == 0);
  REQUIRE(add(&r, FE, 7, 1, 0, 42, "789", 3) == 0);
  REQUIRE(add(&r, FBE, 8, 1, 1, 43, "X", 1) == 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 11);
  uint8_t b;
  csctp_rcvinfo info;
  for (int i = 0; i < 10; i++) {
    REQUIRE(csctp_reasm_read(&r, &info, &b, 1) == 1);
    CHECK_EQ(b, '0' + i);
    CHECK_EQ(info.ppid, 42);
    CHECK_EQ(info.tsn, 5);
    CHECK_EQ(info.ssn, 0);
    CHECK_EQ(info.flags, i == 9 ? CSCTP_RCV_EOR : 0);
    CHECK_EQ(csctp_reasm_held_bytes(&r), (size_t)(10 - i));
  }
  REQUIRE(csctp_reasm_read(&r, &info, &b, 1) == 1);
  CHECK_EQ(b, 'X');
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(info.ssn, 1);
  // A zero-length buffer copies nothing and ends nothing.
  REQUIRE(add(&r, FBE, 9, 1, 2, 44, "Q", 1) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, &b, 0), 0);
  CHECK_EQ(info.flags, 0);
  REQUIRE(csctp_reasm_read(&r, &info, &b, 1) == 1);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  // A buffer ending exactly on a fragment boundary: no EOR yet.
  REQUIRE(add(&r, FB, 10, 0, 0, 1, "ab", 2) == 0);
  REQUIRE(add(&r, FE, 11, 0, 0, 1, "cd", 2) == 0);
  uint8_t b2[4];
  REQUIRE(csctp_reasm_read(&r, &info, b2, 2) == 2);
  CHECK_EQ(info.flags, 0);
  REQUIRE(csctp_reasm_read(&r, &info, b2, 4) == 2);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_MEM(b2, "cd", 2);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* Empty chunks (the association answers them with an error cause, but the
 * queue copes) and a NULL path. */
static void test_zero_length(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 1, 1u << 20) == 0);
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = FBE;
  d.tsn = 1;
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  d.flags = FB;
  d.tsn = 2;
  d.ssn = 1;
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  d.flags = FE;
  d.tsn = 3;
  d.payload = (const uint8_t *)"xy";
  d.len = 2;
  REQUIRE(csctp_reasm_add(&r, &d, NULL) == 0);
  uint8_t buf[4];
  csctp_rcvinfo info;
  csctp_addr zero;
  memset(&zero, 0, sizeof(zero));
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 0);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(info.tsn, 1);
  CHECK(memcmp(&info.from, &zero, sizeof(zero)) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 1), 1);
  CHECK_EQ(info.flags, 0);
  CHECK_EQ(info.tsn, 2);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf + 1, 1), 1);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_MEM(buf, "xy", 2);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 1), CSCTP_ERR_AGAIN);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* ---- Partial delivery --------------------------------------------------- */

static void test_partial_delivery(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 8, 1000) == 0);
  static uint8_t big[5000];
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = pbyte(1, i);
  static uint8_t buf[8000];
  csctp_rcvinfo info;
  // Message A: stream 1, SSN 0, 10 x 500 bytes, TSN 100..109. Stream 2 gets
  // single-chunk messages at TSN 110.. meanwhile.
#define A_FRAG(i)                                                              \
  add(&r, (uint8_t)(((i) == 0 ? FB : 0) | ((i) == 9 ? FE : 0)), 100 + (i), 1,  \
      0, 77, big + 500 * (i), 500)
  REQUIRE(A_FRAG(0) == 0);
  CHECK(!csctp_reasm_has_ready(&r)); // 500 < pd_point
  REQUIRE(add_str(&r, FBE, 110, 2, 0, "x0") == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 2);
  CHECK_EQ(info.sid, 2);
  // A far fragment does not count: it is not contiguous with B.
  REQUIRE(A_FRAG(5) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_held_bytes(&r), 1000);
  REQUIRE(A_FRAG(1) == 0); // 1000 contiguous from B: partial delivery
  CHECK(csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 1000);
  REQUIRE(add_str(&r, FBE, 111, 2, 1, "x1") == 0); // queued behind A
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 1002);
  REQUIRE(csctp_reasm_read(&r, &info, buf, 700) == 700);
  CHECK_EQ(info.sid, 1);
  CHECK_EQ(info.tsn, 100);
  CHECK_EQ(info.ppid, 77);
  CHECK_EQ(info.flags, 0);
  size_t off = 700;
  REQUIRE(csctp_reasm_read(&r, &info, buf + off, 700) == 300);
  CHECK_EQ(info.flags, 0);
  off += 300;
  // A is being read and its next part is missing: nothing else comes out.
  CHECK(!csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  REQUIRE(add_str(&r, FBE, 112, 3, 0, "y0") == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  REQUIRE(A_FRAG(3) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  REQUIRE(A_FRAG(2) == 0); // 2 joins the run, which then absorbs 3
  CHECK(csctp_reasm_has_ready(&r));
  REQUIRE(csctp_reasm_read(&r, &info, buf + off, 5000) == 1000);
  CHECK_EQ(info.flags, 0);
  off += 1000;
  REQUIRE(A_FRAG(4) == 0); // absorbs 5 too
  REQUIRE(A_FRAG(8) == 0);
  REQUIRE(A_FRAG(9) == 0);
  REQUIRE(A_FRAG(6) == 0);
  REQUIRE(csctp_reasm_read(&r, &info, buf + off, 5000) == 1500);
  CHECK_EQ(info.flags, 0);
  off += 1500;
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  REQUIRE(A_FRAG(7) == 0);
  REQUIRE(csctp_reasm_read(&r, &info, buf + off, 999) == 999);
  CHECK_EQ(info.flags, 0);
  off += 999;
  REQUIRE(csctp_reasm_read(&r, &info, buf + off, 999) == 501);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(info.tsn, 100);
  csctp_addr a109 = addr4(109);
  CHECK(memcmp(&info.from, &a109, sizeof(a109)) == 0);
  off += 501;
  CHECK_EQ(off, 5000);
  CHECK_MEM(buf, big, 5000);
  // Then the others, in the order they became ready.
  CHECK_EQ(read_str(&r, (char *)buf, 100, &info), 2);
  CHECK(strcmp((char *)buf, "x1") == 0);
  CHECK_EQ(read_str(&r, (char *)buf, 100, &info), 2);
  CHECK(strcmp((char *)buf, "y0") == 0);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 0);
#undef A_FRAG
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* Interleaved reads (RFC 6458 8.1.20 level 2; reasm.h): while message A
 * under partial delivery waits for a fragment, the other streams' messages
 * are read; none of A's stream (ordered or unordered, RFC 8260 4.3.1)
 * before A ends. Two messages with bytes to read go in turn (round robin
 * after the one the last read left unfinished); csctp_reasm_read_cont
 * continues that one only. Back at level 0 the unfinished one comes
 * first. */
static void test_interleaved_reads(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 8, 1000) == 0);
  REQUIRE(csctp_reasm_set_interleave(&r, 1) == 0);
  static uint8_t big[5000];
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = pbyte(1, i);
  uint8_t buf[2000];
  csctp_rcvinfo info;
#define FRAG(tsn0, sid, i)                                                     \
  add(&r, (uint8_t)(((i) == 0 ? FB : 0) | ((i) == 9 ? FE : 0)), (tsn0) + (i),  \
      sid, 0, 70u + (sid), big + 500 * (i), 500)
  REQUIRE(FRAG(100, 1, 0) == 0);
  REQUIRE(FRAG(100, 1, 1) == 0); /* A: partial delivery */
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 1000);
  CHECK_EQ(info.sid, 1);
  CHECK(!csctp_reasm_has_ready(&r)); /* A waits for TSN 102 */
  REQUIRE(add_str(&r, FBE, 110, 2, 0, "x0") == 0);
  REQUIRE(add_str(&r, FU | FBE, 111, 1, 0, "u1") == 0); /* A's stream */
  CHECK(csctp_reasm_has_ready(&r));
  CHECK_EQ(read_str(&r, (char *)buf, 100, &info), 2);
  CHECK(strcmp((char *)buf, "x0") == 0);
  CHECK_EQ(info.sid, 2);
  CHECK(info.flags & CSCTP_RCV_EOR);
  CHECK(!csctp_reasm_has_ready(&r)); /* "u1" waits for A's end */
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  /* B on stream 4 under partial delivery too: A (first in the queue)
   * and B in turn */
  REQUIRE(FRAG(200, 4, 0) == 0);
  REQUIRE(FRAG(200, 4, 1) == 0);
  REQUIRE(FRAG(100, 1, 2) == 0);
  REQUIRE(FRAG(100, 1, 3) == 0);
  uint16_t want[4] = {1, 4, 1, 4};
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(csctp_reasm_read(&r, &info, buf, 500), 500);
    CHECK_EQ(info.sid, want[i]);
    CHECK_EQ(info.ppid, 70u + want[i]);
    CHECK_EQ(info.flags, 0);
  }
  /* both read out; more of each: the read after B's wraps round to A,
   * and read_cont stays on A */
  REQUIRE(FRAG(100, 1, 4) == 0);
  REQUIRE(FRAG(200, 4, 2) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 200), 200);
  uint16_t first = info.sid;
  CHECK_EQ(first, 1);
  CHECK_EQ(csctp_reasm_read_cont(&r, &info, buf, 1000), 300);
  CHECK_EQ(info.sid, first);
  CHECK_EQ(csctp_reasm_read_cont(&r, &info, buf, 1000), CSCTP_ERR_AGAIN);
  CHECK(csctp_reasm_has_ready(&r)); /* the other one */
  /* level 0 again: the one left unfinished comes first, then nothing */
  REQUIRE(csctp_reasm_set_interleave(&r, 0) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), CSCTP_ERR_AGAIN);
  REQUIRE(csctp_reasm_set_interleave(&r, 1) == 0);
  /* A to its end, then "u1" */
  for (uint32_t i = 5; i < 10; i++)
    REQUIRE(FRAG(100, 1, i) == 0);
  size_t a = 0;
  int eor = 0;
  csctp_ssize n;
  while (!eor && (n = csctp_reasm_read(&r, &info, buf, sizeof(buf))) > 0) {
    if (info.sid == 1) {
      a += (size_t)n;
      eor = (info.flags & CSCTP_RCV_EOR) != 0;
    }
  }
  CHECK(eor);
  CHECK_EQ(a, 500u * 10 - 2500u); /* 2500 of A were read above */
  CHECK_EQ(read_str(&r, (char *)buf, 100, &info), 2);
  CHECK(strcmp((char *)buf, "u1") == 0);
#undef FRAG
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* Partial delivery only for the next message in line; unordered messages
 * qualify at once. */
static void test_partial_delivery_rules(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 8, 100) == 0);
  static uint8_t p[300];
  memset(p, 'p', sizeof(p));
  uint8_t buf[1000];
  csctp_rcvinfo info;
  // Stream 3, SSN 1: 200 bytes of an incomplete message, but SSN 0 is
  // missing, so nothing is readable.
  REQUIRE(add(&r, FB, 20, 3, 1, 0, p, 150) == 0);
  REQUIRE(add(&r, 0, 21, 3, 1, 0, p, 50) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  // SSN 0 completes: it is read, then SSN 1 in parts.
  REQUIRE(add(&r, FBE, 19, 3, 0, 0, "zero", 4) == 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 204);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 4);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 200);
  CHECK_EQ(info.flags, 0);
  CHECK_EQ(info.ssn, 1);
  // SSN 2 completes meanwhile: it waits behind SSN 1.
  REQUIRE(add(&r, FBE, 23, 3, 2, 0, "two", 3) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  REQUIRE(add(&r, FE, 22, 3, 1, 0, p, 1) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 1);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 3);
  CHECK_EQ(info.ssn, 2);
  // Unordered: 120 bytes from B are enough.
  REQUIRE(add(&r, FU | FB, 50, 4, 0, 5, p, 60) == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  REQUIRE(add(&r, FU, 51, 4, 0, 5, p, 60) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 120);
  CHECK_EQ(info.flags, CSCTP_RCV_UNORDERED);
  CHECK_EQ(info.ppid, 5);
  // A complete unordered message queued behind it waits.
  REQUIRE(add(&r, FU | FBE, 60, 4, 0, 6, "u", 1) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  REQUIRE(add(&r, FU | FE, 52, 4, 0, 5, p, 10) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 10);
  CHECK_EQ(info.flags, CSCTP_RCV_UNORDERED | CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 1);
  CHECK_EQ(info.ppid, 6);
  // A complete message that became ready after a partially delivered one
  // waits for all of it.
  REQUIRE(add(&r, FU | FB, 70, 5, 0, 7, p, 150) == 0);
  REQUIRE(add(&r, FU | FBE, 80, 5, 0, 8, "v", 1) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), 150);
  CHECK_EQ(info.ppid, 7);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof(buf)), CSCTP_ERR_AGAIN);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 1);
  csctp_reasm_free(&r); // frees a message in the middle of delivery
  CHECK_EQ(t.live, 0);
}

/* pd_point 0: fragments of the next message are readable as they come. */
static void test_pd_point_zero(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 1, 0) == 0);
  uint8_t buf[16];
  csctp_rcvinfo info;
  REQUIRE(add(&r, FB, 1, 0, 0, 0, "ab", 2) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 16), 2);
  CHECK_EQ(info.flags, 0);
  REQUIRE(add(&r, FE, 2, 0, 0, 0, "c", 1) == 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 16), 1);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* ---- Protocol violations ------------------------------------------------ */

static void test_proto(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 8, 1u << 20) == 0);
  char buf[64];
  // Left neighbour unfinished on stream 1; a chunk claiming stream 2.
  REQUIRE(add_str(&r, FB, 10, 1, 5, "a") == 0);
  long live = t.live;
  size_t held = csctp_reasm_held_bytes(&r);
  CHECK_EQ(add_str(&r, 0, 11, 2, 5, "b"), CSCTP_ERR_PROTO);
  CHECK_EQ(add_str(&r, 0, 11, 1, 6, "b"), CSCTP_ERR_PROTO);  // other SSN
  CHECK_EQ(add_str(&r, FU, 11, 1, 5, "b"), CSCTP_ERR_PROTO); // U differs
  CHECK_EQ(add_str(&r, FB, 11, 1, 6, "b"), CSCTP_ERR_PROTO); // B too early
  CHECK_EQ(add_str(&r, FBE, 11, 3, 0, "b"), CSCTP_ERR_PROTO);
  // Right neighbour is a middle fragment of stream 1; a chunk before it
  // that ends a message, or belongs elsewhere.
  REQUIRE(add_str(&r, 0, 21, 1, 7, "m") == 0);
  live = t.live;
  held = csctp_reasm_held_bytes(&r);
  CHECK_EQ(add_str(&r, FE, 20, 1, 7, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(add_str(&r, FB, 20, 2, 7, "x"), CSCTP_ERR_PROTO);
  // Right neighbour starts a message: the chunk before it must end one.
  REQUIRE(add_str(&r, FB, 31, 1, 8, "s") == 0);
  CHECK_EQ(add_str(&r, FB, 30, 4, 0, "x"), CSCTP_ERR_PROTO);
  REQUIRE(add_str(&r, FBE, 30, 4, 0, "ok") == 0);
  live = t.live;
  held = csctp_reasm_held_bytes(&r);
  // Left neighbour ended a message (stream 1 SSN 9, held): the next TSN must
  // begin one.
  REQUIRE(add_str(&r, FBE, 40, 1, 9, "n") == 0);
  live = t.live;
  held = csctp_reasm_held_bytes(&r);
  CHECK_EQ(add_str(&r, FE, 41, 1, 10, "x"), CSCTP_ERR_PROTO);
  // A second message with SSN 9 on stream 1 while one is held.
  CHECK_EQ(add_str(&r, FBE, 50, 1, 9, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(add_str(&r, FB, 50, 1, 5, "x"), CSCTP_ERR_PROTO);
  // A later fragment of SSN 9, which is already complete.
  CHECK_EQ(add_str(&r, FE, 60, 1, 9, "x"), CSCTP_ERR_PROTO);
  // A fragment of SSN 5 placed before its B (TSN 10).
  CHECK_EQ(add_str(&r, FE, 5, 1, 5, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(t.live, live);
  CHECK_EQ(csctp_reasm_held_bytes(&r), held);
  // The same SSN on another stream, or unordered, is fine.
  REQUIRE(add_str(&r, FBE, 50, 2, 9, "y") == 0);
  REQUIRE(add_str(&r, FBE | FU, 51, 1, 9, "z") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), NULL), 2); // "ok", stream 4
  CHECK(strcmp(buf, "ok") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), NULL), 1);
  CHECK(strcmp(buf, "z") == 0);

  // SSNs behind the next expected one (serial arithmetic on 16 bits).
  for (uint16_t i = 0; i < 3; i++) {
    REQUIRE(add_str(&r, FBE, 100u + i, 6, i, "s") == 0);
    REQUIRE(read_str(&r, buf, sizeof(buf), NULL) == 1);
  }
  live = t.live;
  held = csctp_reasm_held_bytes(&r);
  // The SSN just before the next expected one is 2^16 - 1 ahead: the
  // sender would have 2^16 messages outstanding, more than 6.1 allows.
  CHECK_EQ(add_str(&r, FBE, 200, 6, 2, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(add_str(&r, FE, 200, 6, 2, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(add_str(&r, 0, 200, 6, 2, "x"), CSCTP_ERR_PROTO);
  CHECK_EQ(t.live, live);
  CHECK_EQ(csctp_reasm_held_bytes(&r), held);
  // Every other SSN is ahead by less than 2^16 - 1 (6.1): SSN 0 is 65533
  // messages ahead of 3 and 0x8003 32768 ahead, both possible with a new
  // TSN (a duplicate TSN never reaches reassembly).
  REQUIRE(add_str(&r, FBE, 200, 6, 0x8003, "x") == 0);
  REQUIRE(add_str(&r, FB, 202, 6, 0, "x") == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  // A stream never used expects SSN 0.
  CHECK_EQ(add_str(&r, FBE, 300, 7, 0xFFFF, "x"), CSCTP_ERR_PROTO);
  REQUIRE(add_str(&r, FBE, 300, 7, 0x7FFF, "x") == 0);
  REQUIRE(add_str(&r, FBE, 301, 7, 0xFFFE, "x") == 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* ---- SSN wrap ----------------------------------------------------------- */

static void test_ssn_wrap(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 8, 1u << 20) == 0);
  csctp_rcvinfo info;
  uint8_t buf[8];
  const uint32_t n = 140000; // wraps the SSN twice
  uint32_t tsn0 = 0xFFFFFF00u;
  uint32_t expect = 0;
  // Messages arrive in pairs swapped (k+1 before k), sometimes two pairs.
  for (uint32_t k = 0; k < n; k += 2) {
    uint32_t v0 = k, v1 = k + 1;
    REQUIRE(add(&r, FBE, tsn0 + v1, 5, (uint16_t)v1, v1, &v1, 4) == 0);
    if (k % 3 == 0)
      REQUIRE(!csctp_reasm_has_ready(&r));
    REQUIRE(add(&r, FBE, tsn0 + v0, 5, (uint16_t)v0, v0, &v0, 4) == 0);
    if (k % 6 == 0 && k + 2 < n)
      continue; // leave them queued a while
    csctp_ssize got;
    while ((got = csctp_reasm_read(&r, &info, buf, sizeof(buf))) > 0) {
      REQUIRE(got == 4);
      uint32_t v;
      memcpy(&v, buf, 4);
      REQUIRE(v == expect);
      REQUIRE(info.ssn == (uint16_t)expect);
      REQUIRE(info.ppid == expect);
      REQUIRE(info.tsn == tsn0 + expect);
      expect++;
    }
  }
  CHECK_EQ(expect, n);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  // Nothing accumulated: one stream record and a small index.
  CHECK(t.live <= 3);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* ---- Many fragments ----------------------------------------------------- */

static void test_reverse_1000(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 4, 1u << 30) == 0);
  static uint8_t buf[1000 * 7];
  static uint8_t want[1000 * 7];
  for (size_t i = 0; i < sizeof(want); i++)
    want[i] = pbyte(3, i);
  uint32_t tsn0 = 0xFFFFFE00u; // crosses 2^32 on the way
  for (int i = 999; i >= 0; i--) {
    uint8_t fl = (uint8_t)((i == 0 ? FB : 0) | (i == 999 ? FE : 0));
    REQUIRE(add(&r, fl, tsn0 + (uint32_t)i, 2, 0, 3, want + 7 * i, 7) == 0);
    REQUIRE(csctp_reasm_has_ready(&r) == (i == 0));
  }
  // One allocation per fragment, one run node, one index, one stream record.
  CHECK_EQ(t.count, 1003);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 7000);
  csctp_rcvinfo info;
  REQUIRE(csctp_reasm_read(&r, &info, buf, sizeof(buf)) == 7000);
  CHECK_EQ(info.flags, CSCTP_RCV_EOR);
  CHECK_EQ(info.tsn, tsn0);
  CHECK_MEM(buf, want, sizeof(want));
  CHECK_EQ(t.live, 2);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* Linear cost: 200000 one-byte fragments in reverse, then in a shuffled
 * order; quadratic work would not finish. */
static void test_many_fragments(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  const uint32_t n = 200000;
  uint32_t *order = malloc(n * sizeof(uint32_t));
  uint8_t *buf = malloc(n);
  REQUIRE(order != NULL && buf != NULL);
  for (int pass = 0; pass < 2; pass++) {
    REQUIRE(csctp_reasm_init(&r, &mem, 1, 1u << 30) == 0);
    for (uint32_t i = 0; i < n; i++)
      order[i] = n - 1 - i;
    if (pass == 1) {
      lcg_state = 99;
      for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = lcg() % (i + 1);
        uint32_t tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    for (uint32_t k = 0; k < n; k++) {
      uint32_t i = order[k];
      uint8_t fl = (uint8_t)((i == 0 ? FB : 0) | (i == n - 1 ? FE : 0));
      uint8_t c = pbyte(4, i);
      REQUIRE(add(&r, fl, 1000 + i, 0, 0, 0, &c, 1) == 0);
    }
    csctp_rcvinfo info;
    REQUIRE(csctp_reasm_read(&r, &info, buf, n) == (csctp_ssize)n);
    CHECK_EQ(info.flags, CSCTP_RCV_EOR);
    for (uint32_t i = 0; i < n; i++)
      REQUIRE(buf[i] == pbyte(4, i));
    // The index grew for the shuffled pass and was given back.
    CHECK(t.bytes < 1024);
    csctp_reasm_free(&r);
    CHECK_EQ(t.live, 0);
  }
  free(order);
  free(buf);
}

/* A peer using 3 of 65535 streams costs a few small allocations. */
static void test_memory_per_stream(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 65535, 1u << 20) == 0);
  const uint16_t sids[3] = {0, 30000, 65534};
  uint32_t tsn = 1;
  // Each stream has SSN 0 missing and 20 later messages held.
  for (uint16_t ssn = 1; ssn <= 20; ssn++)
    for (int s = 0; s < 3; s++)
      REQUIRE(add_str(&r, FBE, tsn++, sids[s], ssn, "m") == 0);
  CHECK(!csctp_reasm_has_ready(&r));
  // 60 held messages (payload + node each), index and stream table.
  CHECK(t.peak < 16384);
  for (int s = 0; s < 3; s++)
    REQUIRE(add_str(&r, FBE, tsn++, sids[s], 0, "m") == 0);
  char buf[8];
  int n = 0;
  while (read_str(&r, buf, sizeof(buf), NULL) == 1)
    n++;
  CHECK_EQ(n, 63);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* ---- Randomised reassembly against a model ------------------------------ */

typedef struct tmsg {
  uint16_t sid, ssn;
  int unordered;
  uint32_t len, nfrags, got;
  uint32_t first_tsn;
  uint32_t read_off;
  int done;
} tmsg;

typedef struct tchunk {
  uint32_t msg, tsn, off, len;
  uint8_t flags;
} tchunk;

#define RND_MAX_MSGS 1200
#define RND_MAX_CHUNKS 60000
#define RND_STREAMS 7

typedef struct rnd {
  tmsg msgs[RND_MAX_MSGS];
  tchunk chunks[RND_MAX_CHUNKS];
  uint32_t nmsgs, nchunks;
  /* Ordered messages of each stream, in SSN order. */
  uint32_t order[RND_STREAMS][RND_MAX_MSGS];
  uint32_t norder[RND_STREAMS];
  uint32_t model_next[RND_STREAMS]; /* index in order[]: next undelivered */
  uint32_t read_next[RND_STREAMS];  /* index in order[]: next to be read */
} rnd;

/* Builds nmsgs messages on RND_STREAMS streams starting at TSN tsn0, SSNs
 * starting at ssn0 on every stream, and shuffles their chunks. */
static void rnd_build(rnd *w, uint32_t nmsgs, uint32_t tsn0, uint16_t ssn0,
                      uint32_t maxlen, uint32_t maxfrag, int shuffle_span) {
  memset(w, 0, sizeof(*w));
  uint16_t ssn[RND_STREAMS];
  for (int s = 0; s < RND_STREAMS; s++)
    ssn[s] = ssn0;
  uint32_t tsn = tsn0;
  for (uint32_t i = 0; i < nmsgs; i++) {
    tmsg *m = &w->msgs[i];
    m->sid = (uint16_t)(lcg() % RND_STREAMS);
    m->unordered = lcg() % 4 == 0;
    m->len = 1 + lcg() % maxlen;
    uint32_t fs = 1 + lcg() % maxfrag;
    m->nfrags = (m->len + fs - 1) / fs;
    if (w->nchunks + m->nfrags > RND_MAX_CHUNKS)
      break;
    if (m->unordered) {
      m->ssn = (uint16_t)lcg(); // ignored by the receiver
    } else {
      m->ssn = ssn[m->sid]++;
      w->order[m->sid][w->norder[m->sid]++] = i;
    }
    m->first_tsn = tsn;
    for (uint32_t f = 0; f < m->nfrags; f++) {
      tchunk *c = &w->chunks[w->nchunks++];
      c->msg = i;
      c->tsn = tsn++;
      c->off = f * fs;
      c->len = f + 1 < m->nfrags ? fs : m->len - f * fs;
      c->flags = (uint8_t)((f == 0 ? FB : 0) | (f + 1 == m->nfrags ? FE : 0) |
                           (m->unordered ? FU : 0));
    }
    w->nmsgs = i + 1;
  }
  // Fisher-Yates, each chunk swapped within shuffle_span of its place
  // (0: anywhere).
  for (uint32_t i = w->nchunks; i > 1; i--) {
    uint32_t lo = 0;
    if (shuffle_span > 0 && i - 1 > (uint32_t)shuffle_span)
      lo = i - 1 - (uint32_t)shuffle_span;
    uint32_t j = lo + lcg() % (i - lo);
    tchunk tmp = w->chunks[i - 1];
    w->chunks[i - 1] = w->chunks[j];
    w->chunks[j] = tmp;
  }
}

static int add_chunk(csctp_reasm *r, const rnd *w, const tchunk *c,
                     uint8_t *scratch) {
  const tmsg *m = &w->msgs[c->msg];
  for (uint32_t o = 0; o < c->len; o++)
    scratch[o] = pbyte(c->msg, c->off + o);
  return add(r, c->flags, c->tsn, m->sid, m->ssn, c->msg, scratch, c->len);
}

/* Reads everything readable with random buffer sizes, checking contents,
 * stream order and that messages never interleave. Appends each message
 * whose end was read to done_list. Returns 0, or -1 on a mismatch. */
static int rnd_drain(csctp_reasm *r, rnd *w, int64_t *cur, uint8_t *buf,
                     uint32_t maxbuf, uint32_t *done_list, uint32_t *ndone) {
  for (;;) {
    csctp_rcvinfo info;
    uint32_t want = 1 + lcg() % maxbuf;
    csctp_ssize n = csctp_reasm_read(r, &info, buf, want);
    if (n == CSCTP_ERR_AGAIN)
      return csctp_reasm_has_ready(r) ? -1 : 0;
    if (n <= 0)
      return -1;
    uint32_t mi = info.ppid;
    if (mi >= w->nmsgs)
      return -1;
    tmsg *m = &w->msgs[mi];
    if (*cur >= 0 && *cur != (int64_t)mi)
      return -1; // interleaved
    if (m->done || info.sid != m->sid || info.tsn != m->first_tsn)
      return -1;
    if (!!(info.flags & CSCTP_RCV_UNORDERED) != m->unordered)
      return -1;
    if (m->read_off == 0 && !m->unordered) {
      uint32_t s = m->sid;
      if (w->order[s][w->read_next[s]] != mi || info.ssn != m->ssn)
        return -1;
      w->read_next[s]++;
    }
    for (csctp_ssize k = 0; k < n; k++)
      if (buf[k] != pbyte(mi, m->read_off + (uint32_t)k))
        return -1;
    m->read_off += (uint32_t)n;
    int eor = (info.flags & CSCTP_RCV_EOR) != 0;
    if (eor != (m->read_off == m->len))
      return -1;
    if (eor) {
      m->done = 1;
      *cur = -1;
      if (done_list != NULL)
        done_list[(*ndone)++] = mi;
    } else {
      *cur = mi;
    }
  }
}

/* Without partial delivery: after every chunk exactly the messages the
 * model says became deliverable come out, in that order. */
static void run_model(uint64_t seed, uint32_t nmsgs, uint32_t tsn0,
                      uint16_t ssn0, int span) {
  static rnd w;
  static uint8_t scratch[4096], buf[4096];
  static uint32_t expect[RND_MAX_MSGS], got[RND_MAX_MSGS];
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  lcg_state = seed;
  rnd_build(&w, nmsgs, tsn0, ssn0, 1500, 400, span);
  // SSNs start at ssn0: deliver dummies first so the streams expect it.
  REQUIRE(csctp_reasm_init(&r, &mem, RND_STREAMS, (size_t)1 << 40) == 0);
  uint32_t dtsn = tsn0 - 0x10000000u;
  for (int s = 0; s < RND_STREAMS; s++) {
    for (uint16_t q = 0; q != ssn0; q++) {
      REQUIRE(add(&r, FBE, dtsn++, (uint16_t)s, q, 0, "d", 1) == 0);
      REQUIRE(csctp_reasm_read(&r, &(csctp_rcvinfo){0}, buf, 1) == 1);
    }
  }
  int64_t cur = -1;
  for (uint32_t k = 0; k < w.nchunks; k++) {
    const tchunk *c = &w.chunks[k];
    tmsg *m = &w.msgs[c->msg];
    REQUIRE(add_chunk(&r, &w, c, scratch) == 0);
    // What the model expects now.
    uint32_t nexp = 0;
    if (++m->got == m->nfrags) {
      if (m->unordered) {
        expect[nexp++] = c->msg;
      } else {
        uint32_t s = m->sid;
        while (w.model_next[s] < w.norder[s]) {
          tmsg *o = &w.msgs[w.order[s][w.model_next[s]]];
          if (o->got != o->nfrags)
            break;
          expect[nexp++] = w.order[s][w.model_next[s]++];
        }
      }
    }
    uint32_t ngot = 0;
    REQUIRE(rnd_drain(&r, &w, &cur, buf, 2000, got, &ngot) == 0);
    REQUIRE(ngot == nexp);
    REQUIRE(memcmp(got, expect, nexp * sizeof(uint32_t)) == 0);
  }
  for (uint32_t i = 0; i < w.nmsgs; i++)
    REQUIRE(w.msgs[i].done);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

static void test_random_model(void) {
  run_model(1, 300, 1, 0, 0);
  run_model(2, 1000, 0xFFFFF000u, 0, 0);     // TSN wrap
  run_model(3, 1000, 0xFFFFFF80u, 65500, 0); // SSN wrap on every stream
  run_model(4, 1000, 123456, 65530, 40);     // mostly local reordering
  run_model(5, 1200, 0x7FFFFF00u, 100, 5);
}

/* With partial delivery and reads at random moments: contents, order, no
 * interleaving, everything delivered once. */
static void run_pd(uint64_t seed, size_t pd_point, int span) {
  static rnd w;
  static uint8_t scratch[4096], buf[8192];
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  lcg_state = seed;
  rnd_build(&w, 800, 0xFFFFF800u, 0, 5000, 300, span);
  REQUIRE(csctp_reasm_init(&r, &mem, RND_STREAMS, pd_point) == 0);
  int64_t cur = -1;
  size_t held = 0;
  for (uint32_t k = 0; k < w.nchunks; k++) {
    const tchunk *c = &w.chunks[k];
    REQUIRE(add_chunk(&r, &w, c, scratch) == 0);
    held += c->len;
    if (lcg() % 3 == 0) {
      REQUIRE(rnd_drain(&r, &w, &cur, buf, 3000, NULL, NULL) == 0);
      size_t rd = 0;
      for (uint32_t i = 0; i < w.nmsgs; i++)
        rd += w.msgs[i].read_off;
      REQUIRE(csctp_reasm_held_bytes(&r) == held - rd);
      REQUIRE(csctp_reasm_ready_bytes(&r) <= held - rd);
    }
  }
  REQUIRE(rnd_drain(&r, &w, &cur, buf, 3000, NULL, NULL) == 0);
  for (uint32_t i = 0; i < w.nmsgs; i++)
    REQUIRE(w.msgs[i].done);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  CHECK_EQ(csctp_reasm_ready_bytes(&r), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

static void test_random_partial_delivery(void) {
  run_pd(11, 1000, 0);
  run_pd(12, 1, 0);
  run_pd(13, 0, 30);
  run_pd(14, 2500, 200);
  run_pd(15, 4000, 10);
}

/* ---- Allocation failures ------------------------------------------------ */

/* A fixed scenario (fragments in a shuffled order, ordered and unordered,
 * partial delivery, reads in between) as a transcript of every read. On
 * CSCTP_ERR_NOMEM the chunk is offered again, as a retransmission would. */
static size_t nomem_scenario(csctp_reasm *r, talloc *t, uint8_t *log,
                             size_t logcap, int *ok) {
  static rnd w;
  static uint8_t scratch[4096], buf[512];
  lcg_state = 77;
  rnd_build(&w, 60, 0xFFFFFFF0u, 0, 1200, 300, 25);
  size_t nlog = 0;
  *ok = 1;
  for (uint32_t k = 0; k < w.nchunks; k++) {
    size_t held = csctp_reasm_held_bytes(r);
    size_t ready = csctp_reasm_ready_bytes(r);
    long live = t->live;
    int rc = add_chunk(r, &w, &w.chunks[k], scratch);
    if (rc == CSCTP_ERR_NOMEM) {
      // Nothing kept.
      if (csctp_reasm_held_bytes(r) != held ||
          csctp_reasm_ready_bytes(r) != ready || t->live > live + 1)
        *ok = 0;
      rc = add_chunk(r, &w, &w.chunks[k], scratch);
    }
    if (rc != 0)
      *ok = 0;
    if (k % 4 != 0)
      continue;
    for (;;) {
      csctp_rcvinfo info;
      csctp_ssize n = csctp_reasm_read(r, &info, buf, 100 + k % 300);
      if (n < 0)
        break;
      if (nlog + 16 + (size_t)n > logcap) {
        *ok = 0;
        break;
      }
      memcpy(log + nlog, &info.ppid, 4);
      memcpy(log + nlog + 4, &info.flags, 2);
      memcpy(log + nlog + 6, &info.sid, 2);
      memcpy(log + nlog + 8, &info.ssn, 2);
      memcpy(log + nlog + 10, &n, sizeof(n) < 6 ? sizeof(n) : 6);
      memcpy(log + nlog + 16, buf, (size_t)n);
      nlog += 16 + (size_t)n;
    }
  }
  return nlog;
}

static void test_nomem(void) {
  static uint8_t ref[1 << 18], log[1 << 18];
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  int ok;
  REQUIRE(csctp_reasm_init(&r, &mem, RND_STREAMS, 700) == 0);
  size_t nref = nomem_scenario(&r, &t, ref, sizeof(ref), &ok);
  REQUIRE(ok);
  REQUIRE(nref > 1000);
  csctp_reasm_free(&r);
  REQUIRE(t.live == 0);
  long total = t.count;
  long n;
  for (n = 1;; n++) {
    mem = talloc_mem(&t);
    t.fail_at = n;
    REQUIRE(csctp_reasm_init(&r, &mem, RND_STREAMS, 700) == 0);
    size_t nlog = nomem_scenario(&r, &t, log, sizeof(log), &ok);
    REQUIRE(ok);
    REQUIRE(nlog == nref);
    REQUIRE(memcmp(log, ref, nref) == 0);
    csctp_reasm_free(&r);
    REQUIRE(t.live == 0);
    if (t.failures == 0)
      break;
    REQUIRE(n <= total + 10);
  }
  CHECK(n > total);
}

/* ---- SSNs far ahead ----------------------------------------------------- */

/* RFC 9260 6.1 lets a sender have up to 2^16 - 1 ordered messages
 * outstanding per stream, so while SSN 0 is missing SSNs 1 .. 65534 can all
 * arrive (with new TSNs): none of them is a duplicate message. */
static void test_ssn_window_ahead(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 2, 1u << 20) == 0);
  uint8_t b = 0;
  for (uint32_t ssn = 1; ssn <= 0xFFFE; ssn++) {
    b = (uint8_t)ssn;
    int rv = add(&r, FBE, 1000u + ssn, 1, (uint16_t)ssn, ssn, &b, 1);
    if (rv != 0) {
      CHECK_EQ(rv, 0);
      fprintf(stderr, "  refused SSN %u\n", ssn);
      break;
    }
  }
  CHECK(!csctp_reasm_has_ready(&r));
  // 2^16 - 1 ahead is one too many outstanding.
  b = 0xFF;
  CHECK_EQ(add(&r, FBE, 1000u + 0xFFFF, 1, 0xFFFF, 0, &b, 1), CSCTP_ERR_PROTO);
  // SSN 0 arrives: all 65535 messages come out in order.
  b = 0;
  REQUIRE(add(&r, FBE, 1000, 1, 0, 0, &b, 1) == 0);
  csctp_rcvinfo info;
  uint8_t buf[4];
  uint32_t n = 0;
  while (csctp_reasm_read(&r, &info, buf, sizeof(buf)) == 1) {
    if (info.ssn != (uint16_t)n || buf[0] != (uint8_t)n)
      break;
    n++;
  }
  CHECK_EQ(n, 0xFFFF);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* csctp_reasm_pd_head: what the reader waits for while a message under
 * partial delivery heads the ready queue (RFC 9260 6.9), whatever is
 * queued behind it. */
static void test_pd_head(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  REQUIRE(csctp_reasm_init(&r, &mem, 4, 100) == 0);
  static uint8_t p[300];
  uint32_t next = 0;
  size_t charged = 0, frag = 0;
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 0);
  REQUIRE(add(&r, FB, 10, 0, 0, 1, p, 150) == 0); /* >= pd_point: out */
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 1);
  CHECK_EQ(next, 11);
  CHECK_EQ(charged, csctp_reasm_charged_bytes(&r));
  CHECK(charged > 150);
  CHECK_EQ(frag, 150);
  /* a complete message on another stream queues behind it */
  REQUIRE(add(&r, FBE, 20, 1, 0, 2, p, 5) == 0);
  csctp_rcvinfo info;
  uint8_t buf[400];
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, 100), 100);
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 1);
  CHECK(charged >= 50 && charged < csctp_reasm_charged_bytes(&r));
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof buf), 50);
  /* everything received was read: the reader waits for TSN 11 */
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 1);
  CHECK_EQ(next, 11);
  CHECK_EQ(charged, 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof buf), CSCTP_ERR_AGAIN);
  REQUIRE(add(&r, 0, 11, 0, 0, 1, p, 200) == 0);
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 1);
  CHECK_EQ(next, 12);
  CHECK(charged > 200);
  CHECK_EQ(frag, 200);
  /* its end arrives: no longer partial */
  REQUIRE(add(&r, FE, 12, 0, 0, 1, p, 7) == 0);
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 0);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof buf), 207);
  CHECK(info.flags & CSCTP_RCV_EOR);
  CHECK_EQ(csctp_reasm_read(&r, &info, buf, sizeof buf), 5);
  CHECK_EQ(info.sid, 1);
  CHECK_EQ(csctp_reasm_pd_head(&r, &next, &charged, &frag), 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

/* RFC 6525 5.2.4 G4, G5: an SSN/TSN reset acts as a FORWARD TSN over all
 * that was received, on every stream, then every stream expects SSN 0. */
static void test_tsn_reset(void) {
  talloc t;
  csctp_mem mem = talloc_mem(&t);
  csctp_reasm r;
  char buf[64];
  csctp_rcvinfo info;
  REQUIRE(csctp_reasm_init(&r, &mem, 10, 1000) == 0);
  REQUIRE(add_str(&r, FBE, 1, 1, 0, "a0") == 0); /* read below */
  REQUIRE(add_str(&r, FBE, 3, 1, 2, "a2") == 0); /* waits for SSN 1 */
  REQUIRE(add_str(&r, FBE, 4, 1, 3, "a3") == 0);
  REQUIRE(add_str(&r, FB, 5, 2, 0, "b0-") == 0); /* never completes */
  REQUIRE(add_str(&r, FBE, 7, 3, 1, "c1") == 0); /* waits for SSN 0 */
  CHECK_EQ(read_str(&r, buf, sizeof(buf), NULL), 2);
  CHECK(!csctp_reasm_has_ready(&r));
  csctp_reasm_tsn_reset(&r, 7);
  /* Complete messages become readable, in SSN order on each stream; the
   * fragment goes. */
  char got[3][4];
  for (int i = 0; i < 3; i++) {
    CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 2);
    memcpy(got[i], buf, 3);
  }
  int ia2 = -1, ia3 = -1, ic1 = -1;
  for (int i = 0; i < 3; i++) {
    if (strcmp(got[i], "a2") == 0)
      ia2 = i;
    if (strcmp(got[i], "a3") == 0)
      ia3 = i;
    if (strcmp(got[i], "c1") == 0)
      ic1 = i;
  }
  CHECK(ia2 >= 0 && ia3 > ia2);
  CHECK(ic1 >= 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), NULL), CSCTP_ERR_AGAIN);
  CHECK_EQ(csctp_reasm_held_bytes(&r), 0);
  /* G5: SSN 0 is next everywhere (with new TSNs, H5). */
  REQUIRE(add_str(&r, FBE, 0x80000010u, 1, 0, "n1") == 0);
  REQUIRE(add_str(&r, FBE, 0x80000011u, 3, 0, "n3") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 2);
  CHECK(strcmp(buf, "n1") == 0);
  CHECK_EQ(read_str(&r, buf, sizeof(buf), &info), 2);
  CHECK(strcmp(buf, "n3") == 0);
  csctp_reasm_free(&r);
  CHECK_EQ(t.live, 0);
}

int main(void) {
  TEST_RUN(test_init_args);
  TEST_RUN(test_single_in_order);
  TEST_RUN(test_ordered_out_of_order);
  TEST_RUN(test_fragments);
  TEST_RUN(test_tsn_wrap);
  TEST_RUN(test_tiny_reads);
  TEST_RUN(test_zero_length);
  TEST_RUN(test_partial_delivery);
  TEST_RUN(test_partial_delivery_rules);
  TEST_RUN(test_interleaved_reads);
  TEST_RUN(test_pd_point_zero);
  TEST_RUN(test_proto);
  TEST_RUN(test_ssn_wrap);
  TEST_RUN(test_ssn_window_ahead);
  TEST_RUN(test_pd_head);
  TEST_RUN(test_reverse_1000);
  TEST_RUN(test_many_fragments);
  TEST_RUN(test_memory_per_stream);
  TEST_RUN(test_random_model);
  TEST_RUN(test_random_partial_delivery);
  TEST_RUN(test_nomem);
  TEST_RUN(test_tsn_reset);
  return TEST_SUMMARY();
}
