/* test_chunk.c -- tests of the SCTP chunk codec (chunk.c), RFC 9260
 * section 3.
 *
 * Expected byte arrays were written by hand from the layouts in RFC 9260
 * 3.1-3.3. Inputs to decoders are copied into exactly-sized heap buffers so
 * that AddressSanitizer reports any read past their end; build with
 * -fsanitize=address,undefined.
 */
#include "config.h"

#include "chunk.h"
#include "crc32c.h"
#include "test.h"

/* ---- Helpers ----------------------------------------------------------- */

/* A heap copy of exactly n bytes (at least one byte is allocated so that
 * malloc(0) is never relied on; n == 0 still means an empty view). */
static uint8_t *dup_exact(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  if (q == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  if (n)
    memcpy(q, p, n);
  return q;
}

/* Reads the only chunk of a chunk sequence held in a heap copy. */
static int one_chunk(const uint8_t *p, size_t n, csctp_tlv *c) {
  csctp_tlv_iter it;
  csctp_tlv_iter_init(&it, p, n);
  return csctp_chunk_next(&it, c);
}

/* Runs every decoder on one chunk view and touches every byte the results
 * point at; returns the number of decoders that accepted it. */
static volatile unsigned sink_;

static void touch(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    sink_ += p[i];
}

static void walk_params(const uint8_t *p, size_t n) {
  csctp_tlv_iter it;
  csctp_tlv t;
  csctp_addr a;
  csctp_tlv_iter_init(&it, p, n);
  while (csctp_param_next(&it, &t) == 1) {
    touch(t.raw, 4);
    touch(t.value, t.value_len);
    if (csctp_addr_param_decode(&t, &a) == 0)
      sink_ += a.family;
  }
}

static int decode_everything(const csctp_tlv *c) {
  csctp_data d;
  csctp_init in;
  csctp_sack s;
  uint32_t cum;
  const uint8_t *info;
  size_t info_len, i;
  uint16_t gs, ge;
  int ok = 0;

  touch(c->raw, 4);
  touch(c->value, c->value_len);
  if (csctp_data_decode(c, &d) == 0) {
    touch(d.payload, d.len);
    ok++;
  }
  if (csctp_init_decode(c, &in) == 0) {
    walk_params(in.params, in.params_len);
    ok++;
  }
  if (csctp_sack_decode(c, &s) == 0) {
    for (i = 0; i < s.ngaps; i++) {
      csctp_sack_gap(&s, i, &gs, &ge);
      sink_ += gs + ge;
    }
    for (i = 0; i < s.ndups; i++)
      sink_ += csctp_sack_dup(&s, i);
    ok++;
  }
  if (csctp_shutdown_decode(c, &cum) == 0) {
    sink_ += cum;
    ok++;
  }
  if (csctp_heartbeat_decode(c, &info, &info_len) == 0) {
    touch(info, info_len);
    ok++;
  }
  walk_params(c->value, c->value_len);
  return ok;
}

/* Parses a whole packet (common header, then chunks). Returns 1 if every
 * chunk was read, 0 on an iterator error. */
static int decode_packet(const uint8_t *p, size_t n) {
  csctp_pkt_hdr h;
  csctp_tlv_iter it;
  csctp_tlv c;
  int r;

  if (csctp_pkt_hdr_decode(p, n, &h) != 0)
    return 0;
  sink_ += h.vtag;
  csctp_tlv_iter_init(&it, p + CSCTP_COMMON_HDR_LEN, n - CSCTP_COMMON_HDR_LEN);
  while ((r = csctp_chunk_next(&it, &c)) == 1)
    decode_everything(&c);
  return r == 0;
}

/* Encodes with fn into a large buffer; returns the length. */
typedef int (*writer_fn)(csctp_buf *b);

static size_t encode(writer_fn fn, uint8_t *out, size_t cap) {
  csctp_buf b;
  csctp_buf_init(&b, out, cap);
  if (fn(&b) != 0)
    return 0;
  return b.len;
}

/* ---- Writers used by several tests ------------------------------------- */

static const uint8_t hello[5] = {'h', 'e', 'l', 'l', 'o'};
static const uint8_t cookie5[5] = {1, 2, 3, 4, 5};
static const uint8_t hbinfo[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
static const uint16_t sack_gaps[4] = {2, 3, 5, 5};
static const uint32_t sack_dups[1] = {0x0E};

static csctp_addr addr_v4(void) {
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 192;
  a.ip[1] = 0;
  a.ip[2] = 2;
  a.ip[3] = 1;
  return a;
}

static csctp_addr addr_v6(void) {
  static const uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                 0,    0,    0,    0,    0, 0, 0, 0x42};
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET6;
  memcpy(a.ip, ip, 16);
  return a;
}

static int w_init_packet(csctp_buf *b) {
  csctp_init in;
  csctp_addr a = addr_v4();
  static const uint8_t types[2] = {0x00, 0x05}; /* IPv4 */
  size_t off;
  int r;

  memset(&in, 0, sizeof(in));
  in.init_tag = 0xA1B2C3D4;
  in.a_rwnd = 65536;
  in.num_ostreams = 10;
  in.max_instreams = 0xFFFF;
  in.init_tsn = 0x11223344;
  if ((r = csctp_pkt_begin(b, 5000, 5001, 0x01020304)) != 0)
    return r;
  if ((r = csctp_put_init_begin(b, CSCTP_CT_INIT, &in, &off)) != 0)
    return r;
  if ((r = csctp_put_addr_param(b, &a)) != 0)
    return r;
  if ((r = csctp_put_param(b, CSCTP_PT_SUPPORTED_ADDR_TYPES, types, 2)) != 0)
    return r;
  if ((r = csctp_chunk_end(b, off)) != 0)
    return r;
  csctp_pkt_finish(b);
  return 0;
}

static int w_data(csctp_buf *b) {
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  d.tsn = 0x100;
  d.sid = 1;
  d.ssn = 2;
  d.ppid = 51;
  d.payload = hello;
  d.len = sizeof(hello);
  return csctp_put_data(b, &d);
}

static int w_sack(csctp_buf *b) {
  return csctp_put_sack(b, 0x10, 0x8000, sack_gaps, 2, sack_dups, 1);
}

static int w_heartbeat(csctp_buf *b) {
  return csctp_put_heartbeat(b, CSCTP_CT_HEARTBEAT, hbinfo, sizeof(hbinfo));
}

static int w_heartbeat_ack(csctp_buf *b) {
  return csctp_put_heartbeat(b, CSCTP_CT_HEARTBEAT_ACK, hbinfo, 4);
}

static int w_shutdown(csctp_buf *b) {
  return csctp_put_shutdown(b, 0x12345678);
}

static int w_cookie_echo(csctp_buf *b) {
  return csctp_put_cookie_echo(b, cookie5, sizeof(cookie5));
}

static int w_cookie_ack(csctp_buf *b) {
  return csctp_put_empty_chunk(b, CSCTP_CT_COOKIE_ACK, 0);
}

static int w_shutdown_complete_t(csctp_buf *b) {
  return csctp_put_empty_chunk(b, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T);
}

static int w_abort_user(csctp_buf *b) {
  return csctp_put_cause_chunk(b, CSCTP_CT_ABORT, 0, CSCTP_CAUSE_USER_ABORT,
                               "bye", 3);
}

static int w_error_stream(csctp_buf *b) {
  static const uint8_t v[4] = {0x00, 0x07, 0x00, 0x00}; /* sid 7, reserved */
  return csctp_put_cause_chunk(b, CSCTP_CT_ERROR, 0, CSCTP_CAUSE_INVALID_STREAM,
                               v, sizeof(v));
}

/* ---- Expected encodings (by hand, from RFC 9260 3.1-3.3) --------------- */

/* clang-format off */

static const uint8_t x_init_packet[48] = {
    /* common header: ports 5000 -> 5001, vtag, CRC32c (LSB first) */
    0x13, 0x88, 0x13, 0x89, 0x01, 0x02, 0x03, 0x04, 0x0b, 0xd1, 0x32, 0x5c,
    /* INIT, Length 34: the last parameter's padding is not counted */
    0x01, 0x00, 0x00, 0x22,
    0xa1, 0xb2, 0xc3, 0xd4, /* initiate tag */
    0x00, 0x01, 0x00, 0x00, /* a_rwnd 65536 */
    0x00, 0x0a, 0xff, 0xff, /* OS 10, MIS 65535 */
    0x11, 0x22, 0x33, 0x44, /* initial TSN */
    0x00, 0x05, 0x00, 0x08, 0xc0, 0x00, 0x02, 0x01, /* IPv4 192.0.2.1 */
    0x00, 0x0c, 0x00, 0x06, 0x00, 0x05, 0x00, 0x00, /* addr types + pad */
};

static const uint8_t x_data[24] = {
    0x00, 0x03, 0x00, 0x15, /* DATA, B|E, Length 21 */
    0x00, 0x00, 0x01, 0x00, /* TSN */
    0x00, 0x01, 0x00, 0x02, /* SID 1, SSN 2 */
    0x00, 0x00, 0x00, 0x33, /* PPID 51 */
    'h', 'e', 'l', 'l',     /* payload */
    'o', 0x00, 0x00, 0x00,  /* 1 byte + 3 bytes of padding */
};

static const uint8_t x_sack[28] = {
    0x03, 0x00, 0x00, 0x1c, /* SACK, Length 28 */
    0x00, 0x00, 0x00, 0x10, /* cum TSN */
    0x00, 0x00, 0x80, 0x00, /* a_rwnd */
    0x00, 0x02, 0x00, 0x01, /* 2 gaps, 1 dup */
    0x00, 0x02, 0x00, 0x03, /* gap 2..3 */
    0x00, 0x05, 0x00, 0x05, /* gap 5..5 */
    0x00, 0x00, 0x00, 0x0e, /* dup TSN */
};

static const uint8_t x_heartbeat[16] = {
    0x04, 0x00, 0x00, 0x0e, /* HEARTBEAT, Length 14 */
    0x00, 0x01, 0x00, 0x0a, /* Heartbeat Info, length 10 */
    'a', 'b', 'c', 'd',
    'e', 'f', 0x00, 0x00,   /* 2 bytes of padding */
};

static const uint8_t x_shutdown[8] = {
    0x07, 0x00, 0x00, 0x08, /* SHUTDOWN, Length 8 */
    0x12, 0x34, 0x56, 0x78, /* cum TSN */
};

static const uint8_t x_cookie_echo[12] = {
    0x0a, 0x00, 0x00, 0x09, /* COOKIE ECHO, Length 9 */
    0x01, 0x02, 0x03, 0x04,
    0x05, 0x00, 0x00, 0x00, /* 3 bytes of padding */
};

static const uint8_t x_cookie_ack[4] = {0x0b, 0x00, 0x00, 0x04};

/* SHUTDOWN COMPLETE with the T bit */
static const uint8_t x_shutdown_complete_t[4] = {0x0e, 0x01, 0x00, 0x04};

static const uint8_t x_abort_user[12] = {
    0x06, 0x00, 0x00, 0x0b, /* ABORT, Length 11 */
    0x00, 0x0c, 0x00, 0x07, /* User-Initiated Abort, length 7 */
    'b', 'y', 'e', 0x00,    /* reason + 1 byte of padding */
};

static const uint8_t x_error_stream[12] = {
    0x09, 0x00, 0x00, 0x0c, /* ERROR, Length 12 */
    0x00, 0x01, 0x00, 0x08, /* Invalid Stream Identifier, length 8 */
    0x00, 0x07, 0x00, 0x00, /* SID 7, reserved */
};

/* clang-format on */

struct vector {
  const char *name;
  writer_fn fn;
  const uint8_t *want;
  size_t len;
};

static const struct vector vectors[] = {
    {"init packet", w_init_packet, x_init_packet, sizeof(x_init_packet)},
    {"data", w_data, x_data, sizeof(x_data)},
    {"sack", w_sack, x_sack, sizeof(x_sack)},
    {"heartbeat", w_heartbeat, x_heartbeat, sizeof(x_heartbeat)},
    {"shutdown", w_shutdown, x_shutdown, sizeof(x_shutdown)},
    {"cookie echo", w_cookie_echo, x_cookie_echo, sizeof(x_cookie_echo)},
    {"cookie ack", w_cookie_ack, x_cookie_ack, sizeof(x_cookie_ack)},
    {"shutdown complete", w_shutdown_complete_t, x_shutdown_complete_t,
     sizeof(x_shutdown_complete_t)},
    {"abort", w_abort_user, x_abort_user, sizeof(x_abort_user)},
    {"error", w_error_stream, x_error_stream, sizeof(x_error_stream)},
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* ---- Byte-exact encodings ---------------------------------------------- */

static void test_encode_vectors(void) {
  size_t i;
  for (i = 0; i < NVECTORS; i++) {
    uint8_t out[256];
    size_t n;
    memset(out, 0xAA, sizeof(out)); /* so unwritten padding would show */
    n = encode(vectors[i].fn, out, sizeof(out));
    if (n != vectors[i].len || memcmp(out, vectors[i].want, n) != 0)
      fprintf(stderr, "vector '%s' differs (len %zu, want %zu)\n",
              vectors[i].name, n, vectors[i].len);
    CHECK_EQ(n, vectors[i].len);
    CHECK_MEM(out, vectors[i].want, vectors[i].len);
  }
}

static void test_data_padding(void) {
  uint8_t out[64];
  size_t n;
  memset(out, 0xFF, sizeof(out));
  n = encode(w_data, out, sizeof(out));
  CHECK_EQ(n, 24);
  CHECK_EQ(csctp_get16(out + 2), 21);
  CHECK_EQ(out[21], 0);
  CHECK_EQ(out[22], 0);
  CHECK_EQ(out[23], 0);
  CHECK_EQ(out[24], 0xFF); /* nothing written past the padding */
  CHECK_EQ(csctp_data_chunk_size(5), 24);
  CHECK_EQ(csctp_data_chunk_size(0), 16);
  CHECK_EQ(csctp_data_chunk_size(4), 20);
}

/* The decoded INIT packet of the vector above. */
static void test_decode_init_packet(void) {
  uint8_t *p = dup_exact(x_init_packet, sizeof(x_init_packet));
  csctp_pkt_hdr h;
  csctp_tlv_iter it;
  csctp_tlv c, t;
  csctp_init in;
  csctp_addr a;

  CHECK_EQ(csctp_sctp_checksum_ok(p, sizeof(x_init_packet)), 1);
  CHECK_EQ(csctp_pkt_hdr_decode(p, sizeof(x_init_packet), &h), 0);
  CHECK_EQ(h.src_port, 5000);
  CHECK_EQ(h.dst_port, 5001);
  CHECK_EQ(h.vtag, 0x01020304);
  CHECK_EQ(h.checksum, 0x0bd1325c);
  csctp_tlv_iter_init(&it, p + 12, sizeof(x_init_packet) - 12);
  CHECK_EQ(csctp_chunk_next(&it, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_INIT);
  CHECK_EQ(c.flags, 0);
  CHECK_EQ(c.length, 34);
  CHECK_EQ(c.value_len, 30);
  CHECK(c.raw == p + 12);
  CHECK(c.value == p + 16);
  CHECK_EQ(csctp_chunk_next(&it, &t), 0); /* padding skipped, then end */
  CHECK_EQ(csctp_init_decode(&c, &in), 0);
  CHECK_EQ(in.init_tag, 0xA1B2C3D4);
  CHECK_EQ(in.a_rwnd, 65536);
  CHECK_EQ(in.num_ostreams, 10);
  CHECK_EQ(in.max_instreams, 0xFFFF);
  CHECK_EQ(in.init_tsn, 0x11223344);
  CHECK_EQ(in.params_len, 14);
  csctp_tlv_iter_init(&it, in.params, in.params_len);
  CHECK_EQ(csctp_param_next(&it, &t), 1);
  CHECK_EQ(t.type, CSCTP_PT_IPV4);
  CHECK_EQ(t.flags, 0);
  CHECK_EQ(csctp_addr_param_decode(&t, &a), 0);
  CHECK_EQ(a.family, CSCTP_AF_INET);
  CHECK_EQ(a.ip[0], 192);
  CHECK_EQ(a.ip[3], 1);
  CHECK_EQ(a.port, 0);
  CHECK_EQ(a.scope_id, 0);
  CHECK_EQ(csctp_param_next(&it, &t), 1);
  CHECK_EQ(t.type, CSCTP_PT_SUPPORTED_ADDR_TYPES);
  CHECK_EQ(t.length, 6);
  CHECK_EQ(t.value_len, 2);
  CHECK_EQ(csctp_get16(t.value), 5);
  CHECK_EQ(csctp_addr_param_decode(&t, &a), CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_param_next(&it, &t), 0); /* no padding left: still fine */
  free(p);
}

/* ---- Round trips ------------------------------------------------------- */

static void test_roundtrip_data(void) {
  static const size_t lens[] = {0, 1, 3, 4, 5, 1000};
  uint8_t payload[1000];
  size_t i, k;
  for (i = 0; i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 7 + 1);
  for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
    uint8_t out[1100];
    csctp_buf b;
    csctp_data d, e;
    csctp_tlv c;
    uint8_t *p;

    memset(&d, 0, sizeof(d));
    d.flags = (uint8_t)(CSCTP_DATA_FLAG_U | CSCTP_DATA_FLAG_I | k % 4);
    d.tsn = 0xFFFFFFF0u + (uint32_t)k;
    d.sid = (uint16_t)(0xFFFE + k);
    d.ssn = (uint16_t)(k * 1000);
    d.ppid = 0xDEADBEEF;
    d.payload = lens[k] ? payload : NULL;
    d.len = lens[k];
    csctp_buf_init(&b, out, sizeof(out));
    REQUIRE(csctp_put_data(&b, &d) == 0);
    CHECK_EQ(b.len, csctp_data_chunk_size(lens[k]));
    p = dup_exact(out, b.len);
    REQUIRE(one_chunk(p, b.len, &c) == 1);
    CHECK_EQ(c.type, CSCTP_CT_DATA);
    CHECK_EQ(c.length, 16 + lens[k]);
    CHECK_EQ(csctp_data_decode(&c, &e), 0);
    CHECK_EQ(e.flags, d.flags);
    CHECK_EQ(e.tsn, d.tsn);
    CHECK_EQ(e.sid, d.sid);
    CHECK_EQ(e.ssn, d.ssn);
    CHECK_EQ(e.ppid, d.ppid);
    CHECK_EQ(e.len, d.len);
    if (lens[k])
      CHECK_MEM(e.payload, payload, lens[k]);
    free(p);
  }
}

static void test_roundtrip_init_ack(void) {
  uint8_t out[256];
  static const uint8_t cookie[13] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3};
  csctp_buf b;
  csctp_init in, got;
  csctp_addr v6 = addr_v6(), a;
  csctp_tlv c, t;
  csctp_tlv_iter it;
  size_t off;
  uint8_t *p;

  memset(&in, 0, sizeof(in));
  in.init_tag = 1;
  in.a_rwnd = 0xFFFFFFFF;
  in.num_ostreams = 1;
  in.max_instreams = 2;
  in.init_tsn = 0;
  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_put_init_begin(&b, CSCTP_CT_INIT_ACK, &in, &off) == 0);
  CHECK_EQ(off, 0);
  REQUIRE(csctp_put_addr_param(&b, &v6) == 0);
  REQUIRE(csctp_put_param(&b, CSCTP_PT_ECN_CAPABLE, NULL, 0) == 0);
  REQUIRE(csctp_put_param(&b, CSCTP_PT_STATE_COOKIE, cookie, 13) == 0);
  REQUIRE(csctp_chunk_end(&b, off) == 0);
  /* 20 + 20 + 4 + 17 (the cookie's 3 padding bytes are not counted) */
  CHECK_EQ(b.len, 64);
  CHECK_EQ(csctp_get16(out + 2), 61);

  p = dup_exact(out, b.len);
  REQUIRE(one_chunk(p, b.len, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_INIT_ACK);
  CHECK_EQ(csctp_init_decode(&c, &got), 0);
  CHECK_EQ(got.init_tag, 1);
  CHECK_EQ(got.a_rwnd, 0xFFFFFFFF);
  CHECK_EQ(got.num_ostreams, 1);
  CHECK_EQ(got.max_instreams, 2);
  CHECK_EQ(got.init_tsn, 0);
  csctp_tlv_iter_init(&it, got.params, got.params_len);
  REQUIRE(csctp_param_next(&it, &t) == 1);
  CHECK_EQ(csctp_addr_param_decode(&t, &a), 0);
  CHECK_EQ(a.family, CSCTP_AF_INET6);
  CHECK_MEM(a.ip, v6.ip, 16);
  CHECK_EQ(a.port, 0);
  CHECK_EQ(a.scope_id, 0);
  REQUIRE(csctp_param_next(&it, &t) == 1);
  CHECK_EQ(t.type, CSCTP_PT_ECN_CAPABLE);
  CHECK_EQ(t.value_len, 0);
  REQUIRE(csctp_param_next(&it, &t) == 1);
  CHECK_EQ(t.type, CSCTP_PT_STATE_COOKIE);
  CHECK_EQ(t.value_len, 13);
  CHECK_MEM(t.value, cookie, 13);
  CHECK_EQ(csctp_param_next(&it, &t), 0);
  free(p);
}

static void test_roundtrip_sack(void) {
  static const size_t counts[][2] = {{0, 0}, {2, 1}, {0, 5}, {100, 50}};
  uint16_t gaps[200];
  uint32_t dups[50];
  size_t k, i;
  for (i = 0; i < 200; i++)
    gaps[i] = (uint16_t)(i * 331 + 1);
  for (i = 0; i < 50; i++)
    dups[i] = (uint32_t)(i * 0x01010101u);
  for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
    uint8_t out[1024];
    csctp_buf b;
    csctp_tlv c;
    csctp_sack s;
    size_t ng = counts[k][0], nd = counts[k][1];
    uint8_t *p;

    csctp_buf_init(&b, out, sizeof(out));
    REQUIRE(csctp_put_sack(&b, 0x80000000u + (uint32_t)k, 12345, gaps, ng, dups,
                           nd) == 0);
    CHECK_EQ(b.len, 16 + 4 * ng + 4 * nd);
    p = dup_exact(out, b.len);
    REQUIRE(one_chunk(p, b.len, &c) == 1);
    CHECK_EQ(c.type, CSCTP_CT_SACK);
    REQUIRE(csctp_sack_decode(&c, &s) == 0);
    CHECK_EQ(s.cum_tsn, 0x80000000u + k);
    CHECK_EQ(s.a_rwnd, 12345);
    CHECK_EQ(s.ngaps, ng);
    CHECK_EQ(s.ndups, nd);
    for (i = 0; i < ng; i++) {
      uint16_t st, en;
      csctp_sack_gap(&s, i, &st, &en);
      CHECK_EQ(st, gaps[2 * i]);
      CHECK_EQ(en, gaps[2 * i + 1]);
    }
    for (i = 0; i < nd; i++)
      CHECK_EQ(csctp_sack_dup(&s, i), dups[i]);
    free(p);
  }
}

static void test_roundtrip_heartbeat(void) {
  static const uint8_t types[2] = {CSCTP_CT_HEARTBEAT, CSCTP_CT_HEARTBEAT_ACK};
  uint8_t info[40];
  size_t len, k;
  for (len = 0; len < sizeof(info); len++)
    info[len] = (uint8_t)(0xA0 + len);
  for (k = 0; k < 2; k++) {
    for (len = 0; len <= sizeof(info); len += 3) {
      uint8_t out[64];
      csctp_buf b;
      csctp_tlv c;
      const uint8_t *got;
      size_t got_len;
      uint8_t *p;

      csctp_buf_init(&b, out, sizeof(out));
      REQUIRE(csctp_put_heartbeat(&b, types[k], info, len) == 0);
      CHECK_EQ(b.len, CSCTP_PAD4(8 + len));
      p = dup_exact(out, b.len);
      REQUIRE(one_chunk(p, b.len, &c) == 1);
      CHECK_EQ(c.type, types[k]);
      CHECK_EQ(c.length, 8 + len);
      REQUIRE(csctp_heartbeat_decode(&c, &got, &got_len) == 0);
      CHECK_EQ(got_len, len);
      CHECK_MEM(got, info, len);
      free(p);
    }
  }
}

static void test_roundtrip_small_chunks(void) {
  uint8_t out[64];
  csctp_buf b;
  csctp_tlv_iter it;
  csctp_tlv c;
  uint32_t cum = 0;
  uint8_t *p;

  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_put_shutdown(&b, 0xFEDCBA98) == 0);
  REQUIRE(csctp_put_empty_chunk(&b, CSCTP_CT_SHUTDOWN_ACK, 0) == 0);
  REQUIRE(csctp_put_empty_chunk(&b, CSCTP_CT_COOKIE_ACK, 0) == 0);
  REQUIRE(csctp_put_empty_chunk(&b, CSCTP_CT_SHUTDOWN_COMPLETE, 0) == 0);
  REQUIRE(csctp_put_empty_chunk(&b, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T) ==
          0);
  REQUIRE(csctp_put_cookie_echo(&b, cookie5, 5) == 0);
  REQUIRE(csctp_put_cookie_echo(&b, NULL, 0) == 0);
  CHECK_EQ(b.len, 8 + 4 * 4 + 12 + 4);

  p = dup_exact(out, b.len);
  csctp_tlv_iter_init(&it, p, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN);
  CHECK_EQ(csctp_shutdown_decode(&c, &cum), 0);
  CHECK_EQ(cum, 0xFEDCBA98);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_ACK);
  CHECK_EQ(c.length, 4);
  CHECK_EQ(csctp_shutdown_decode(&c, &cum), CSCTP_ERR_MALFORMED);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(c.value_len, 0);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_COMPLETE);
  CHECK_EQ(c.flags, 0);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_COMPLETE);
  CHECK_EQ(c.flags, CSCTP_FLAG_T);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ECHO);
  CHECK_EQ(c.length, 9);
  CHECK_EQ(c.value_len, 5);
  CHECK_MEM(c.value, cookie5, 5);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ECHO);
  CHECK_EQ(c.value_len, 0);
  CHECK_EQ(csctp_chunk_next(&it, &c), 0);
  free(p);
}

static void test_roundtrip_abort_error(void) {
  uint8_t out[128];
  static const uint8_t sid[4] = {0x12, 0x34, 0, 0};
  static const uint8_t unrec[8] = {0x80, 0x0A, 0x00, 0x05, 0xEE, 0, 0, 0};
  csctp_buf b;
  csctp_tlv_iter it, ci;
  csctp_tlv c, t;
  size_t off;
  uint8_t *p;

  csctp_buf_init(&b, out, sizeof(out));
  /* ABORT with T bit and no cause. */
  REQUIRE(csctp_put_cause_chunk(&b, CSCTP_CT_ABORT, CSCTP_FLAG_T, 0, NULL, 0) ==
          0);
  CHECK_EQ(b.len, 4);
  /* ABORT with a reason of 5 bytes (Length 13, 3 bytes of padding). */
  REQUIRE(csctp_put_cause_chunk(&b, CSCTP_CT_ABORT, 0, CSCTP_CAUSE_USER_ABORT,
                                "later", 5) == 0);
  CHECK_EQ(b.len, 4 + 16);
  /* ERROR with two causes built piece by piece. */
  REQUIRE(csctp_chunk_begin(&b, CSCTP_CT_ERROR, 0, &off) == 0);
  CHECK_EQ(off, 20);
  REQUIRE(csctp_put_cause(&b, CSCTP_CAUSE_INVALID_STREAM, sid, 4) == 0);
  REQUIRE(csctp_put_cause(&b, CSCTP_CAUSE_UNRECOGNIZED_PARAMS, unrec, 5) == 0);
  REQUIRE(csctp_chunk_end(&b, off) == 0);
  CHECK_EQ(b.len, 20 + 4 + 8 + 12);
  CHECK_EQ(csctp_get16(out + off + 2), 4 + 8 + 9);

  p = dup_exact(out, b.len);
  csctp_tlv_iter_init(&it, p, b.len);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_ABORT);
  CHECK_EQ(c.flags, CSCTP_FLAG_T);
  CHECK_EQ(c.length, 4);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_ABORT);
  CHECK_EQ(c.length, 13);
  csctp_tlv_iter_init(&ci, c.value, c.value_len);
  REQUIRE(csctp_param_next(&ci, &t) == 1);
  CHECK_EQ(t.type, CSCTP_CAUSE_USER_ABORT);
  CHECK_EQ(t.value_len, 5);
  CHECK_MEM(t.value, "later", 5);
  CHECK_EQ(csctp_param_next(&ci, &t), 0);
  REQUIRE(csctp_chunk_next(&it, &c) == 1);
  CHECK_EQ(c.type, CSCTP_CT_ERROR);
  csctp_tlv_iter_init(&ci, c.value, c.value_len);
  REQUIRE(csctp_param_next(&ci, &t) == 1);
  CHECK_EQ(t.type, CSCTP_CAUSE_INVALID_STREAM);
  CHECK_EQ(t.length, 8);
  CHECK_EQ(csctp_get16(t.value), 0x1234);
  REQUIRE(csctp_param_next(&ci, &t) == 1);
  CHECK_EQ(t.type, CSCTP_CAUSE_UNRECOGNIZED_PARAMS);
  CHECK_EQ(t.length, 9);
  CHECK_MEM(t.value, unrec, 5);
  CHECK_EQ(csctp_param_next(&ci, &t), 0);
  CHECK_EQ(csctp_chunk_next(&it, &c), 0);
  free(p);
}

/* chunk_end counts every byte of a chunk whose value is not a TLV list, and
 * abandon removes a chunk. */
static void test_chunk_begin_end_misc(void) {
  uint8_t out[64];
  csctp_buf b;
  size_t off, off2;

  memset(out, 0xCC, sizeof(out));
  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_chunk_begin(&b, CSCTP_CT_PAD, 0x5A, &off) == 0);
  REQUIRE(csctp_put_bytes(&b, "\0\0\0\0\0", 5) == 0);
  REQUIRE(csctp_chunk_end(&b, off) == 0);
  CHECK_EQ(b.len, 12);
  CHECK_EQ(out[0], CSCTP_CT_PAD);
  CHECK_EQ(out[1], 0x5A);
  CHECK_EQ(csctp_get16(out + 2), 9);
  CHECK_EQ(out[9], 0);
  CHECK_EQ(out[11], 0);
  CHECK_EQ(out[12], 0xCC);

  /* An empty HEARTBEAT-typed chunk (no TLVs): Length 4. */
  REQUIRE(csctp_chunk_begin(&b, CSCTP_CT_HEARTBEAT, 0, &off2) == 0);
  REQUIRE(csctp_chunk_end(&b, off2) == 0);
  CHECK_EQ(b.len, 16);
  CHECK_EQ(csctp_get16(out + 14), 4);

  csctp_chunk_abandon(&b, off2);
  CHECK_EQ(b.len, 12);
  csctp_chunk_abandon(&b, off);
  CHECK_EQ(b.len, 0);

  /* INIT with unpadded-length final parameter built from raw bytes. */
  {
    csctp_init in;
    static const uint8_t raw[7] = {0x00, 0x0b, 0x00, 0x07, 'a', 'b', 0};
    memset(&in, 0, sizeof(in));
    REQUIRE(csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off) == 0);
    REQUIRE(csctp_put_bytes(&b, raw, 7) == 0);
    REQUIRE(csctp_chunk_end(&b, off) == 0);
    CHECK_EQ(b.len, 28);
    CHECK_EQ(csctp_get16(out + 2), 27);
    CHECK_EQ(out[27], 0);
  }
}

static void test_pkt_header_roundtrip(void) {
  uint8_t out[12];
  csctp_buf b;
  csctp_pkt_hdr h;
  static const uint8_t want[12] = {0xFF, 0xFE, 0x00, 0x01, 0xCA, 0xFE,
                                   0xBA, 0xBE, 0,    0,    0,    0};
  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_pkt_begin(&b, 0xFFFE, 1, 0xCAFEBABE) == 0);
  CHECK_EQ(b.len, 12);
  CHECK_MEM(out, want, 12);
  CHECK_EQ(csctp_pkt_hdr_decode(out, 12, &h), 0);
  CHECK_EQ(h.src_port, 0xFFFE);
  CHECK_EQ(h.dst_port, 1);
  CHECK_EQ(h.vtag, 0xCAFEBABE);
  CHECK_EQ(h.checksum, 0);
}

static void test_addr_params(void) {
  csctp_addr v4 = addr_v4(), v6 = addr_v6(), a, bad;
  uint8_t out[64];
  csctp_buf b;
  csctp_tlv_iter it;
  csctp_tlv t;
  uint8_t *p;

  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_put_addr_param(&b, &v4) == 0);
  REQUIRE(csctp_put_addr_param(&b, &v6) == 0);
  CHECK_EQ(b.len, 28);
  memset(&bad, 0, sizeof(bad));
  CHECK_EQ(csctp_put_addr_param(&b, &bad), CSCTP_ERR_INVAL);
  CHECK_EQ(b.len, 28);

  p = dup_exact(out, b.len);
  csctp_tlv_iter_init(&it, p, b.len);
  REQUIRE(csctp_param_next(&it, &t) == 1);
  memset(&a, 0x55, sizeof(a));
  CHECK_EQ(csctp_addr_param_decode(&t, &a), 0);
  CHECK_EQ(a.family, CSCTP_AF_INET);
  CHECK_MEM(a.ip, v4.ip, 4);
  CHECK_EQ(a.port, 0);
  CHECK_EQ(a.scope_id, 0);
  REQUIRE(csctp_param_next(&it, &t) == 1);
  memset(&a, 0x55, sizeof(a));
  CHECK_EQ(csctp_addr_param_decode(&t, &a), 0);
  CHECK_EQ(a.family, CSCTP_AF_INET6);
  CHECK_MEM(a.ip, v6.ip, 16);
  CHECK_EQ(a.port, 0);
  CHECK_EQ(a.scope_id, 0);
  free(p);
}

static void test_type_names(void) {
  static const struct {
    uint8_t type;
    const char *name;
  } names[] = {
      {CSCTP_CT_DATA, "DATA"},
      {CSCTP_CT_INIT, "INIT"},
      {CSCTP_CT_INIT_ACK, "INIT_ACK"},
      {CSCTP_CT_SACK, "SACK"},
      {CSCTP_CT_HEARTBEAT, "HEARTBEAT"},
      {CSCTP_CT_HEARTBEAT_ACK, "HEARTBEAT_ACK"},
      {CSCTP_CT_ABORT, "ABORT"},
      {CSCTP_CT_SHUTDOWN, "SHUTDOWN"},
      {CSCTP_CT_SHUTDOWN_ACK, "SHUTDOWN_ACK"},
      {CSCTP_CT_ERROR, "ERROR"},
      {CSCTP_CT_COOKIE_ECHO, "COOKIE_ECHO"},
      {CSCTP_CT_COOKIE_ACK, "COOKIE_ACK"},
      {CSCTP_CT_ECNE, "ECNE"},
      {CSCTP_CT_CWR, "CWR"},
      {CSCTP_CT_SHUTDOWN_COMPLETE, "SHUTDOWN_COMPLETE"},
      {CSCTP_CT_AUTH, "AUTH"},
      {CSCTP_CT_I_DATA, "I_DATA"},
      {CSCTP_CT_ASCONF_ACK, "ASCONF_ACK"},
      {CSCTP_CT_RE_CONFIG, "RE_CONFIG"},
      {CSCTP_CT_PAD, "PAD"},
      {CSCTP_CT_FORWARD_TSN, "FORWARD_TSN"},
      {CSCTP_CT_ASCONF, "ASCONF"},
      {CSCTP_CT_I_FORWARD_TSN, "I_FORWARD_TSN"},
      {16, "UNKNOWN"},
      {255, "UNKNOWN"},
  };
  size_t i;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    const char *got = csctp_chunk_type_name(names[i].type);
    REQUIRE(got != NULL);
    if (strcmp(got, names[i].name) != 0)
      fprintf(stderr, "type %u: got %s\n", names[i].type, got);
    CHECK(strcmp(got, names[i].name) == 0);
  }
}

/* ---- Checksum ---------------------------------------------------------- */

static void test_checksum(void) {
  uint8_t out[128];
  csctp_buf b;
  size_t n, i;

  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_pkt_begin(&b, 1234, 80, 0xDEADBEEF) == 0);
  REQUIRE(w_data(&b) == 0);
  REQUIRE(w_sack(&b) == 0);
  n = csctp_pkt_finish(&b);
  CHECK_EQ(n, 12 + 24 + 28);
  CHECK_EQ(n, b.len);
  CHECK_EQ(csctp_sctp_checksum_ok(out, n), 1);
  for (i = 0; i < n; i++) {
    out[i] ^= 0x01;
    if (csctp_sctp_checksum_ok(out, n) != 0) {
      fprintf(stderr, "flip at byte %zu not detected\n", i);
      CHECK(0);
    }
    out[i] ^= 0x01;
  }
  CHECK_EQ(csctp_sctp_checksum_ok(out, n), 1);
  /* A bare common header also gets a valid checksum. */
  csctp_buf_init(&b, out, sizeof(out));
  REQUIRE(csctp_pkt_begin(&b, 1, 2, 3) == 0);
  CHECK_EQ(csctp_pkt_finish(&b), 12);
  CHECK_EQ(csctp_sctp_checksum_ok(out, 12), 1);
}

/* ---- Truncated input --------------------------------------------------- */

/* Decodes chunk vector v (one chunk, padded length v->len) cut to every
 * prefix length k, via the chunk iterator on an exactly-sized heap copy. */
static void check_prefixes(const uint8_t *enc, size_t n) {
  uint16_t length = csctp_get16(enc + 2);
  size_t k;
  for (k = 0; k <= n; k++) {
    uint8_t *p = dup_exact(enc, k);
    csctp_tlv c;
    int r = one_chunk(p, k, &c);
    if (k == 0)
      CHECK_EQ(r, 0);
    else if (k < length)
      CHECK_EQ(r, CSCTP_ERR_MALFORMED);
    else
      CHECK_EQ(r, 1); /* missing padding is accepted */
    if (r == 1) {
      CHECK_EQ(c.length, length);
      decode_everything(&c);
    }
    free(p);
  }
}

static void test_truncated_chunks(void) {
  size_t i;
  for (i = 1; i < NVECTORS; i++) /* vector 0 is a whole packet */
    check_prefixes(vectors[i].want, vectors[i].len);
  check_prefixes(x_init_packet + 12, sizeof(x_init_packet) - 12);
}

static void test_truncated_packet(void) {
  size_t k;
  for (k = 0; k <= sizeof(x_init_packet); k++) {
    uint8_t *p = dup_exact(x_init_packet, k);
    csctp_pkt_hdr h;
    int ok = decode_packet(p, k);
    if (k < 12)
      CHECK_EQ(csctp_pkt_hdr_decode(p, k, &h), CSCTP_ERR_MALFORMED);
    /* The INIT (Length 34) is readable once its unpadded bytes are in. */
    CHECK_EQ(ok, k == 12 || k >= 12 + 34);
    free(p);
  }
}

/* Rewrites the Length field of a chunk to m and hands the decoders a view
 * of exactly m bytes, for every m from 4 up to the true length: the chunk
 * is shorter than it should be but honest about it. */
static int decode_shortened(const uint8_t *enc, size_t m,
                            int (*dec)(const csctp_tlv *)) {
  uint8_t *p = dup_exact(enc, m);
  csctp_tlv c;
  int r;
  csctp_put16(p + 2, (uint16_t)m);
  r = one_chunk(p, m, &c);
  if (r == 1) {
    r = dec(&c);
    decode_everything(&c);
  } else {
    r = 99;
  }
  free(p);
  return r;
}

static int dec_data(const csctp_tlv *c) {
  csctp_data d;
  return csctp_data_decode(c, &d);
}
static int dec_init(const csctp_tlv *c) {
  csctp_init in;
  return csctp_init_decode(c, &in);
}
static int dec_sack(const csctp_tlv *c) {
  csctp_sack s;
  return csctp_sack_decode(c, &s);
}
static int dec_shutdown(const csctp_tlv *c) {
  uint32_t cum;
  return csctp_shutdown_decode(c, &cum);
}
static int dec_heartbeat(const csctp_tlv *c) {
  const uint8_t *info;
  size_t n;
  return csctp_heartbeat_decode(c, &info, &n);
}

static void test_short_values(void) {
  size_t m;
  /* DATA needs 16 bytes; fewer payload bytes are fine above that. */
  for (m = 4; m <= 21; m++)
    CHECK_EQ(decode_shortened(x_data, m, dec_data),
             m < 16 ? CSCTP_ERR_MALFORMED : 0);
  /* INIT needs 20 bytes. */
  for (m = 4; m <= 34; m++)
    CHECK_EQ(decode_shortened(x_init_packet + 12, m, dec_init),
             m < 20 ? CSCTP_ERR_MALFORMED : 0);
  /* SACK: 16 bytes plus what the counts (2 gaps, 1 dup) promise. */
  for (m = 4; m <= 28; m++)
    CHECK_EQ(decode_shortened(x_sack, m, dec_sack),
             m < 28 ? CSCTP_ERR_MALFORMED : 0);
  for (m = 4; m <= 8; m++)
    CHECK_EQ(decode_shortened(x_shutdown, m, dec_shutdown),
             m < 8 ? CSCTP_ERR_MALFORMED : 0);
  /* HEARTBEAT: the info parameter (length 10) must fit. */
  for (m = 4; m <= 14; m++)
    CHECK_EQ(decode_shortened(x_heartbeat, m, dec_heartbeat),
             m < 14 ? CSCTP_ERR_MALFORMED : 0);
}

/* A chunk with its Length field set to a lie, in a buffer of exactly n. */
static int next_with_length(const uint8_t *enc, size_t n, uint16_t length,
                            int param) {
  uint8_t *p = dup_exact(enc, n);
  csctp_tlv_iter it;
  csctp_tlv t;
  int r;
  csctp_put16(p + 2, length);
  csctp_tlv_iter_init(&it, p, n);
  r = param ? csctp_param_next(&it, &t) : csctp_chunk_next(&it, &t);
  if (r == 1)
    decode_everything(&t);
  free(p);
  return r;
}

static void test_lying_lengths(void) {
  static const uint16_t lies[] = {0, 1, 2, 3, 29, 30, 31, 100, 0xFFFF};
  size_t i, v;
  for (v = 1; v < NVECTORS; v++) {
    const uint8_t *enc = vectors[v].want;
    size_t n = vectors[v].len;
    for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
      int want = (lies[i] < 4 || lies[i] > n) ? CSCTP_ERR_MALFORMED : 1;
      CHECK_EQ(next_with_length(enc, n, lies[i], 0), want);
      CHECK_EQ(next_with_length(enc, n, lies[i], 1), want);
    }
    /* One more than the data holds. */
    CHECK_EQ(next_with_length(enc, n, (uint16_t)(n + 1), 0),
             CSCTP_ERR_MALFORMED);
  }
}

static void test_trailing_bytes(void) {
  /* COOKIE ACK followed by 1..3 bytes that cannot be a header. */
  uint8_t in[8] = {0x0b, 0, 0, 4, 0, 0, 0, 0};
  size_t extra;
  for (extra = 1; extra <= 3; extra++) {
    uint8_t *p = dup_exact(in, 4 + extra);
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, p, 4 + extra);
    CHECK_EQ(csctp_chunk_next(&it, &c), 1);
    CHECK_EQ(csctp_chunk_next(&it, &c), CSCTP_ERR_MALFORMED);
    csctp_tlv_iter_init(&it, p, 4 + extra);
    CHECK_EQ(csctp_param_next(&it, &c), 1);
    CHECK_EQ(csctp_param_next(&it, &c), CSCTP_ERR_MALFORMED);
    free(p);
  }
  {
    /* A 5-byte chunk (Length 5) followed by its 3 padding bytes and a
     * second chunk: padding is skipped whatever it holds. */
    static const uint8_t two[12] = {0x0a, 0,    0,    5, 0x77, 0xEE,
                                    0xEE, 0xEE, 0x0b, 0, 0,    4};
    uint8_t *p = dup_exact(two, sizeof(two));
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, p, sizeof(two));
    CHECK_EQ(csctp_chunk_next(&it, &c), 1);
    CHECK_EQ(c.value_len, 1);
    CHECK_EQ(csctp_chunk_next(&it, &c), 1);
    CHECK_EQ(c.type, CSCTP_CT_COOKIE_ACK);
    CHECK_EQ(csctp_chunk_next(&it, &c), 0);
    free(p);
  }
}

static void test_sack_bad_counts(void) {
  static const uint16_t counts[][2] = {
      {0xFFFF, 0}, {0, 0xFFFF}, {0xFFFF, 0xFFFF}, {4, 0}, {2, 2}, {0, 4}};
  size_t i;
  for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
    uint8_t *p = dup_exact(x_sack, sizeof(x_sack));
    csctp_tlv c;
    csctp_sack s;
    csctp_put16(p + 12, counts[i][0]);
    csctp_put16(p + 14, counts[i][1]);
    REQUIRE(one_chunk(p, sizeof(x_sack), &c) == 1);
    CHECK_EQ(csctp_sack_decode(&c, &s), CSCTP_ERR_MALFORMED);
    free(p);
  }
  {
    /* Counts that exactly fill the chunk are fine: 0 gaps, 3 dups. */
    uint8_t *p = dup_exact(x_sack, sizeof(x_sack));
    csctp_tlv c;
    csctp_sack s;
    csctp_put16(p + 12, 0);
    csctp_put16(p + 14, 3);
    REQUIRE(one_chunk(p, sizeof(x_sack), &c) == 1);
    CHECK_EQ(csctp_sack_decode(&c, &s), 0);
    CHECK_EQ(csctp_sack_dup(&s, 2), 0x0E);
    free(p);
  }
}

static void test_init_19_bytes(void) {
  uint8_t buf[20];
  uint8_t *p;
  csctp_tlv c;
  csctp_init in;

  memcpy(buf, x_init_packet + 12, 20);
  csctp_put16(buf + 2, 19);
  p = dup_exact(buf, 19);
  REQUIRE(one_chunk(p, 19, &c) == 1);
  CHECK_EQ(c.length, 19);
  CHECK_EQ(csctp_init_decode(&c, &in), CSCTP_ERR_MALFORMED);
  free(p);
  /* Exactly 20 bytes: no parameters. */
  csctp_put16(buf + 2, 20);
  p = dup_exact(buf, 20);
  REQUIRE(one_chunk(p, 20, &c) == 1);
  CHECK_EQ(csctp_init_decode(&c, &in), 0);
  CHECK_EQ(in.params_len, 0);
  free(p);
}

static void test_heartbeat_bad(void) {
  static const uint8_t cases[][12] = {
      /* Info parameter of length 12 in a chunk holding 8 value bytes. */
      {0x04, 0, 0, 12, 0x00, 0x01, 0x00, 0x0c, 1, 2, 3, 4},
      /* Parameter length 3. */
      {0x04, 0, 0, 12, 0x00, 0x01, 0x00, 0x03, 1, 2, 3, 4},
      /* Wrong parameter type. */
      {0x04, 0, 0, 12, 0x00, 0x02, 0x00, 0x08, 1, 2, 3, 4},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint8_t *p = dup_exact(cases[i], 12);
    csctp_tlv c;
    const uint8_t *info;
    size_t n;
    REQUIRE(one_chunk(p, 12, &c) == 1);
    CHECK_EQ(csctp_heartbeat_decode(&c, &info, &n), CSCTP_ERR_MALFORMED);
    free(p);
  }
}

static void test_addr_param_bad(void) {
  static const struct {
    uint16_t type, length;
  } bad[] = {{5, 4}, {5, 7},  {5, 9},  {5, 12}, {5, 20}, {6, 4},
             {6, 8}, {6, 19}, {6, 21}, {6, 24}, {1, 8},  {12, 8}};
  uint8_t raw[24];
  size_t i;
  memset(raw, 0x11, sizeof(raw));
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint8_t *p;
    csctp_tlv t;
    csctp_tlv_iter it;
    csctp_addr a;
    csctp_put16(raw, bad[i].type);
    csctp_put16(raw + 2, bad[i].length);
    p = dup_exact(raw, bad[i].length);
    csctp_tlv_iter_init(&it, p, bad[i].length);
    REQUIRE(csctp_param_next(&it, &t) == 1);
    CHECK_EQ(csctp_addr_param_decode(&t, &a), CSCTP_ERR_MALFORMED);
    free(p);
  }
}

/* ---- NOBUF ------------------------------------------------------------- */

/* Each writer, run into a buffer one byte too small (with some bytes
 * already in it), must fail with NOBUF and leave the buffer as it was. */
static int w_init_begin(csctp_buf *b) {
  csctp_init in;
  size_t off;
  memset(&in, 0, sizeof(in));
  return csctp_put_init_begin(b, CSCTP_CT_INIT, &in, &off);
}
static int w_pkt_begin(csctp_buf *b) { return csctp_pkt_begin(b, 1, 2, 3); }
static int w_chunk_begin(csctp_buf *b) {
  size_t off;
  return csctp_chunk_begin(b, CSCTP_CT_ERROR, 0, &off);
}
static int w_bytes(csctp_buf *b) { return csctp_put_bytes(b, hello, 5); }
static int w_param(csctp_buf *b) {
  return csctp_put_param(b, CSCTP_PT_STATE_COOKIE, hello, 5);
}
static int w_cause(csctp_buf *b) {
  return csctp_put_cause(b, CSCTP_CAUSE_PROTOCOL_VIOLATION, hello, 3);
}
static int w_addr4(csctp_buf *b) {
  csctp_addr a = addr_v4();
  return csctp_put_addr_param(b, &a);
}
static int w_addr6(csctp_buf *b) {
  csctp_addr a = addr_v6();
  return csctp_put_addr_param(b, &a);
}
static int w_empty_data(csctp_buf *b) {
  csctp_data d;
  memset(&d, 0, sizeof(d));
  return csctp_put_data(b, &d);
}
static int w_sack_empty(csctp_buf *b) {
  return csctp_put_sack(b, 1, 2, NULL, 0, NULL, 0);
}
static int w_abort_empty(csctp_buf *b) {
  return csctp_put_cause_chunk(b, CSCTP_CT_ABORT, CSCTP_FLAG_T, 0, NULL, 0);
}

static void check_nobuf(writer_fn fn, const char *name) {
  uint8_t big[256];
  size_t need, pre;
  memset(big, 0x5C, sizeof(big));
  need = encode(fn, big, sizeof(big));
  if (need == 0) {
    fprintf(stderr, "writer %s failed\n", name);
    CHECK(0);
    return;
  }
  for (pre = 0; pre <= 7; pre += 7) {
    size_t cap = pre + need - 1;
    uint8_t *mem = dup_exact(big, cap); /* any content will do */
    uint8_t *copy = dup_exact(mem, cap);
    csctp_buf b;
    int r;
    csctp_buf_init(&b, mem, cap);
    b.len = pre;
    r = fn(&b);
    if (r != CSCTP_ERR_NOBUF)
      fprintf(stderr, "writer %s (pre %zu): %d\n", name, pre, r);
    CHECK_EQ(r, CSCTP_ERR_NOBUF);
    CHECK_EQ(b.len, pre);
    CHECK_MEM(mem, copy, cap);
    /* And one byte more is enough. */
    free(mem);
    mem = malloc(cap + 1);
    REQUIRE(mem != NULL);
    csctp_buf_init(&b, mem, cap + 1);
    b.len = pre;
    CHECK_EQ(fn(&b), 0);
    CHECK_EQ(b.len, pre + need);
    free(mem);
    free(copy);
  }
}

static void test_nobuf_writers(void) {
  static const struct {
    writer_fn fn;
    const char *name;
  } ws[] = {
      {w_pkt_begin, "pkt_begin"},
      {w_chunk_begin, "chunk_begin"},
      {w_bytes, "put_bytes"},
      {w_param, "put_param"},
      {w_cause, "put_cause"},
      {w_addr4, "put_addr_param v4"},
      {w_addr6, "put_addr_param v6"},
      {w_data, "put_data"},
      {w_empty_data, "put_data empty"},
      {w_init_begin, "put_init_begin"},
      {w_sack, "put_sack"},
      {w_sack_empty, "put_sack empty"},
      {w_heartbeat, "put_heartbeat"},
      {w_heartbeat_ack, "put_heartbeat ack"},
      {w_shutdown, "put_shutdown"},
      {w_cookie_ack, "put_empty_chunk"},
      {w_shutdown_complete_t, "put_empty_chunk T"},
      {w_cookie_echo, "put_cookie_echo"},
      {w_abort_user, "put_cause_chunk abort"},
      {w_abort_empty, "put_cause_chunk empty"},
      {w_error_stream, "put_cause_chunk error"},
  };
  size_t i;
  for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
    check_nobuf(ws[i].fn, ws[i].name);
}

/* chunk_end needs room for its padding; without it nothing changes. */
static void test_nobuf_chunk_end(void) {
  uint8_t *mem = malloc(8);
  uint8_t copy[8];
  csctp_buf b;
  size_t off;
  REQUIRE(mem != NULL);
  csctp_buf_init(&b, mem, 8);
  REQUIRE(csctp_chunk_begin(&b, CSCTP_CT_PAD, 0, &off) == 0);
  REQUIRE(csctp_put_bytes(&b, hello, 3) == 0); /* 7 bytes, pad to 8 ok */
  CHECK_EQ(csctp_chunk_end(&b, off), 0);
  CHECK_EQ(b.len, 8);
  CHECK_EQ(csctp_get16(mem + 2), 7);

  csctp_buf_init(&b, mem, 8);
  REQUIRE(csctp_chunk_begin(&b, CSCTP_CT_PAD, 0, &off) == 0);
  REQUIRE(csctp_put_bytes(&b, hello, 1) == 0); /* 5 bytes, needs 8 */
  CHECK_EQ(csctp_put_bytes(&b, hello, 4), CSCTP_ERR_NOBUF);
  CHECK_EQ(b.len, 5);
  b.cap = 7;
  memcpy(copy, mem, 8);
  CHECK_EQ(csctp_chunk_end(&b, off), CSCTP_ERR_NOBUF);
  CHECK_EQ(b.len, 5);
  CHECK_MEM(mem, copy, 8);
  csctp_chunk_abandon(&b, off);
  CHECK_EQ(b.len, 0);
  free(mem);
}

/* Arguments too large for a 16-bit Length are refused without writing. */
static void test_too_large(void) {
  static uint8_t big[70000];
  static const uint8_t src[0x10000];
  uint16_t gaps[2 * 16400];
  csctp_buf b;
  csctp_data d;
  memset(gaps, 0, sizeof(gaps));
  csctp_buf_init(&b, big, sizeof(big));
  memset(&d, 0, sizeof(d));
  d.payload = src;
  d.len = 0xFFFF - 15;
  CHECK_EQ(csctp_put_data(&b, &d), CSCTP_ERR_INVAL);
  d.len = 0xFFFF - 16;
  CHECK_EQ(csctp_put_data(&b, &d), 0);
  CHECK_EQ(b.len, 0x10000);
  b.len = 0;
  CHECK_EQ(csctp_put_param(&b, 1, src, 0xFFFC), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_put_cookie_echo(&b, src, 0xFFFC), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_put_heartbeat(&b, 4, src, 0xFFF8), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_put_cause_chunk(&b, 6, 0, 12, src, 0xFFF8), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_put_sack(&b, 0, 0, gaps, 16400, NULL, 0), CSCTP_ERR_INVAL);
  CHECK_EQ(b.len, 0);
}

/* ---- Random input ------------------------------------------------------ */

static uint32_t lcg_state_ = 12345;
static uint32_t lcg(void) {
  lcg_state_ = lcg_state_ * 1103515245u + 12345u;
  return lcg_state_ >> 8;
}

static void test_random_input(void) {
  static const uint8_t types[] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 0xC0};
  uint8_t tmp[96];
  unsigned iter;
  for (iter = 0; iter < 100000; iter++) {
    size_t n = lcg() % sizeof(tmp), i;
    uint8_t *p;
    csctp_tlv_iter it;
    csctp_tlv t;
    for (i = 0; i < n; i++)
      tmp[i] = (uint8_t)lcg();
    /* Half the time, make the first header plausible so that the decoders
     * get past the iterator more often. */
    if ((iter & 1) && n >= 4) {
      tmp[0] = types[lcg() % sizeof(types)];
      csctp_put16(tmp + 2, (uint16_t)(lcg() % (n + 8)));
      if (n >= 16 && (iter & 2)) {
        tmp[12] = 0;
        tmp[13] = (uint8_t)(lcg() % 4);
        tmp[14] = 0;
        tmp[15] = (uint8_t)(lcg() % 4);
      }
    }
    p = dup_exact(tmp, n);
    decode_packet(p, n);
    csctp_tlv_iter_init(&it, p, n);
    while (csctp_chunk_next(&it, &t) == 1)
      decode_everything(&t);
    walk_params(p, n);
    free(p);
  }
  CHECK(1);
}

/* ---- Layout by chunk type and INIT parameter walking --------------------- */

/* 3.3.1, 3.3.2, 3.3.4, 3.3.8: a chunk's Length must cover its type's fixed
 * fields. */
static void test_chunk_check_fixed_fields(void) {
  static const struct {
    uint8_t type;
    uint16_t min;
  } t[] = {{CSCTP_CT_DATA, 16},     {CSCTP_CT_INIT, 20},
           {CSCTP_CT_INIT_ACK, 20}, {CSCTP_CT_SACK, 16},
           {CSCTP_CT_SHUTDOWN, 8},  {CSCTP_CT_COOKIE_ACK, 4},
           {CSCTP_CT_ABORT, 4},     {0xE5, 4}};
  uint8_t buf[32];
  memset(buf, 0, sizeof(buf));
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    for (uint16_t len = 4; len <= 24; len++) {
      buf[0] = t[i].type;
      csctp_put16(buf + 2, len);
      uint8_t *q = dup_exact(buf, len);
      csctp_tlv c;
      CHECK_EQ(one_chunk(q, len, &c), 1);
      CHECK_EQ(csctp_chunk_check(&c), len < t[i].min ? CSCTP_ERR_MALFORMED : 0);
      free(q);
    }
  }
  /* SACK: the gap blocks and duplicates it announces must be there. */
  uint8_t sack[24] = {CSCTP_CT_SACK,
                      0,
                      0,
                      24,
                      0,
                      0,
                      0,
                      1,
                      0,
                      0,
                      0x10,
                      0,
                      0,
                      1,
                      0,
                      1,
                      0,
                      1,
                      0,
                      2,
                      0,
                      0,
                      0,
                      9};
  csctp_tlv c;
  CHECK_EQ(one_chunk(sack, sizeof(sack), &c), 1);
  CHECK_EQ(csctp_chunk_check(&c), 0);
  sack[15] = 2; /* two duplicates: 4 bytes short */
  CHECK_EQ(one_chunk(sack, sizeof(sack), &c), 1);
  CHECK_EQ(csctp_chunk_check(&c), CSCTP_ERR_MALFORMED);
}

/* 3.2.1 Table 3: known parameters come back; unknown ones by their upper
 * two bits: 00 stop, 01 stop and report, 10 skip, 11 skip and report. */
static void test_init_param_walk(void) {
  uint8_t buf[128];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  CHECK_EQ(csctp_put_param(&b, CSCTP_PT_STATE_COOKIE, "ck", 2), 0);
  CHECK_EQ(csctp_put_param(&b, 0x8001 + 0x100, "a", 1), 0); /* 10 */
  CHECK_EQ(csctp_put_param(&b, 0xC123, "b", 1), 0);         /* 11 */
  CHECK_EQ(csctp_put_param(&b, CSCTP_PT_UNRECOGNIZED, "x", 1), 0);
  size_t keep = b.len;
  CHECK_EQ(csctp_put_param(&b, 0x4123, "c", 1), 0); /* 01 */
  CHECK_EQ(csctp_put_param(&b, CSCTP_PT_IPV4, "\x0a\0\0\x01", 4), 0);
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, buf, b.len);
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_KNOWN);
  CHECK_EQ(p.type, CSCTP_PT_STATE_COOKIE);
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_REPORT);
  CHECK_EQ(p.type, 0xC123);
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_KNOWN);
  CHECK_EQ(p.type, CSCTP_PT_UNRECOGNIZED);
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_REPORT);
  CHECK_EQ(p.type, 0x4123);
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_END); /* stopped */
  CHECK_EQ(csctp_init_param_next(&it, &p), CSCTP_PARAM_END);
  /* 00 in the same place: stop without a report. */
  b.len = keep;
  CHECK_EQ(csctp_put_param(&b, 0x0123, "c", 1), 0);
  CHECK_EQ(csctp_put_param(&b, CSCTP_PT_IPV4, "\x0a\0\0\x01", 4), 0);
  csctp_tlv_iter_init(&it, buf, b.len);
  int n = 0, rv;
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END)
    n++;
  CHECK_EQ(n, 3);
  CHECK(p.type != CSCTP_PT_IPV4);
}

int main(void) {
  TEST_RUN(test_chunk_check_fixed_fields);
  TEST_RUN(test_init_param_walk);
  TEST_RUN(test_encode_vectors);
  TEST_RUN(test_data_padding);
  TEST_RUN(test_decode_init_packet);
  TEST_RUN(test_roundtrip_data);
  TEST_RUN(test_roundtrip_init_ack);
  TEST_RUN(test_roundtrip_sack);
  TEST_RUN(test_roundtrip_heartbeat);
  TEST_RUN(test_roundtrip_small_chunks);
  TEST_RUN(test_roundtrip_abort_error);
  TEST_RUN(test_chunk_begin_end_misc);
  TEST_RUN(test_pkt_header_roundtrip);
  TEST_RUN(test_addr_params);
  TEST_RUN(test_type_names);
  TEST_RUN(test_checksum);
  TEST_RUN(test_truncated_chunks);
  TEST_RUN(test_truncated_packet);
  TEST_RUN(test_short_values);
  TEST_RUN(test_lying_lengths);
  TEST_RUN(test_trailing_bytes);
  TEST_RUN(test_sack_bad_counts);
  TEST_RUN(test_init_19_bytes);
  TEST_RUN(test_heartbeat_bad);
  TEST_RUN(test_addr_param_bad);
  TEST_RUN(test_nobuf_writers);
  TEST_RUN(test_nobuf_chunk_end);
  TEST_RUN(test_too_large);
  TEST_RUN(test_random_input);
  return TEST_SUMMARY();
}
