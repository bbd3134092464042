/* fuzz_packet.c -- libFuzzer target for the chunk / parameter / error cause
 * codec (chunk.h) and the State Cookie decoder (cookie.h).
 *
 * The input is taken as an SCTP packet: the common header is decoded, the
 * checksum checked, then every chunk after it is walked with
 * csctp_chunk_next and handed to the decoder of its type. Parameter and
 * cause lists inside chunks are walked too. Everything a decoder returns is
 * checked to lie inside the input, and decoded DATA, SACK, SHUTDOWN,
 * HEARTBEAT, INIT / INIT ACK and single-cause ABORT / ERROR chunks are
 * re-encoded and decoded again: the result must be the same. The whole
 * input is also walked as a bare chunk list and as a bare parameter list, so
 * the iterators see every byte offset. INIT / INIT ACK parameters also go
 * through the RFC 4895 key vector code (auth.h).
 *
 * Any finding aborts (libFuzzer reports it); ASan and UBSan catch reads
 * outside the input.
 */
#include "auth.h"
#include "chunk.h"
#include "cookie.h"
#include "crc32c.h"
#include "csctp.h"
#include "idata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(c)                                                         \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__,     \
              #c);                                                             \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static const uint8_t *g_begin, *g_end;

/* p[0..n) must lie inside the input. */
static void in_input(const uint8_t *p, size_t n) {
  if (n == 0)
    return;
  FUZZ_ASSERT(p >= g_begin && p <= g_end && n <= (size_t)(g_end - p));
}

static void check_tlv(const csctp_tlv *t, size_t hdr) {
  FUZZ_ASSERT(t->length >= hdr);
  FUZZ_ASSERT(t->value == t->raw + hdr);
  FUZZ_ASSERT(t->value_len == (size_t)t->length - hdr);
  in_input(t->raw, t->length);
}

/* Walks a parameter or cause list; returns the number of TLVs read. */
static size_t walk_params(const uint8_t *p, size_t len) {
  csctp_tlv_iter it;
  csctp_tlv t;
  size_t n = 0;
  int r;
  csctp_tlv_iter_init(&it, p, len);
  while ((r = csctp_param_next(&it, &t)) == 1) {
    check_tlv(&t, 4);
    FUZZ_ASSERT(t.flags == 0);
    in_input(it.p, it.left);
    csctp_addr a;
    if (csctp_addr_param_decode(&t, &a) == 0) {
      FUZZ_ASSERT(t.type == CSCTP_PT_IPV4 || t.type == CSCTP_PT_IPV6);
      FUZZ_ASSERT(a.family ==
                  (t.type == CSCTP_PT_IPV4 ? CSCTP_AF_INET : CSCTP_AF_INET6));
      FUZZ_ASSERT(memcmp(a.ip, t.value, t.value_len) == 0);
      /* Round trip. */
      uint8_t buf[32];
      csctp_buf b;
      csctp_buf_init(&b, buf, sizeof(buf));
      FUZZ_ASSERT(csctp_put_addr_param(&b, &a) == 0);
      FUZZ_ASSERT(b.len == t.length);
      FUZZ_ASSERT(memcmp(buf, t.raw, t.length) == 0);
    }
    n++;
    if (n > 70000)
      abort(); /* the iterator must always advance */
  }
  FUZZ_ASSERT(r == 0 || r == CSCTP_ERR_MALFORMED);
  return n;
}

static void fuzz_data(const csctp_tlv *c) {
  csctp_data d;
  if (csctp_data_decode(c, &d) != 0) {
    FUZZ_ASSERT(c->length < CSCTP_DATA_HDR_LEN);
    return;
  }
  FUZZ_ASSERT(c->length >= CSCTP_DATA_HDR_LEN);
  in_input(d.payload, d.len);
  FUZZ_ASSERT(d.len == (size_t)c->length - CSCTP_DATA_HDR_LEN);
  static uint8_t buf[70000];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  FUZZ_ASSERT(csctp_put_data(&b, &d) == 0);
  FUZZ_ASSERT(b.len == CSCTP_PAD4(c->length));
  FUZZ_ASSERT(memcmp(buf, c->raw, c->length) == 0);
  /* A buffer one byte short must leave it untouched. */
  csctp_buf_init(&b, buf, CSCTP_PAD4(c->length) - 1);
  FUZZ_ASSERT(csctp_put_data(&b, &d) == CSCTP_ERR_NOBUF && b.len == 0);
}

/* I-DATA (RFC 8260 2.1): decoded fields lie in the input; re-encoding
 * gives the chunk back with its reserved bits (flags Res, the 16-bit
 * Reserved field) zero. */
static void fuzz_idata(const csctp_tlv *c) {
  csctp_idata_chunk d;
  if (csctp_idata_decode(c, &d) != 0) {
    FUZZ_ASSERT(c->length < CSCTP_IDATA_HDR_LEN);
    return;
  }
  FUZZ_ASSERT(c->length >= CSCTP_IDATA_HDR_LEN);
  in_input(d.payload, d.len);
  FUZZ_ASSERT(d.len == (size_t)c->length - CSCTP_IDATA_HDR_LEN);
  FUZZ_ASSERT((d.flags & CSCTP_DATA_FLAG_B) ? d.fsn == 0 : d.ppid == 0);
  static uint8_t buf[70000], want[70000];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  FUZZ_ASSERT(csctp_idata_put(&b, &d) == 0);
  FUZZ_ASSERT(b.len == CSCTP_PAD4(c->length));
  memcpy(want, c->raw, c->length);
  want[1] &= 0x0F;
  want[10] = want[11] = 0;
  FUZZ_ASSERT(memcmp(buf, want, c->length) == 0);
  csctp_buf_init(&b, buf, CSCTP_PAD4(c->length) - 1);
  FUZZ_ASSERT(csctp_idata_put(&b, &d) == CSCTP_ERR_NOBUF && b.len == 0);
}

/* RFC 4895 6.1: the peer's key vector from an INIT's RANDOM, CHUNKS and
 * HMAC-ALGO: bounded, a sequence of whole parameters with a 32-byte RANDOM
 * first; the association key of the vector with itself is twice it. */
static void fuzz_auth_params(const csctp_init *in) {
  static uint8_t vec[CSCTP_AUTH_VEC_MAX], key[2 * CSCTP_AUTH_VEC_MAX + 3];
  int n = csctp_auth_peer_vec(in, vec);
  FUZZ_ASSERT(n == 0 || n == CSCTP_ERR_PROTO ||
              (n >= 36 + 4 && n <= CSCTP_AUTH_VEC_MAX));
  if (n <= 0)
    return;
  FUZZ_ASSERT(csctp_get16(vec) == CSCTP_PT_RANDOM &&
              csctp_get16(vec + 2) == 36);
  size_t off = 0;
  while (off < (size_t)n) {
    FUZZ_ASSERT(off + 4 <= (size_t)n);
    size_t plen = csctp_get16(vec + off + 2);
    FUZZ_ASSERT(plen >= 4 && off + plen <= (size_t)n);
    off += plen;
  }
  const uint8_t k3[3] = {1, 2, 3};
  FUZZ_ASSERT(csctp_auth_assoc_key(k3, 3, vec, (size_t)n, vec, (size_t)n,
                                   key) == 3 + 2 * (size_t)n);
  FUZZ_ASSERT(memcmp(key + 3, vec, (size_t)n) == 0 &&
              memcmp(key + 3 + n, vec, (size_t)n) == 0);
}

static void fuzz_init(const csctp_tlv *c) {
  csctp_init in;
  if (csctp_init_decode(c, &in) != 0) {
    FUZZ_ASSERT(c->length < CSCTP_INIT_FIXED_LEN);
    return;
  }
  in_input(in.params, in.params_len);
  FUZZ_ASSERT(in.params_len == (size_t)c->length - CSCTP_INIT_FIXED_LEN);
  fuzz_auth_params(&in);
  size_t n = walk_params(in.params, in.params_len);
  /* Rebuild the chunk from its parameters; decode it again. */
  static uint8_t buf[70000];
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, buf, sizeof(buf));
  FUZZ_ASSERT(csctp_put_init_begin(&b, (uint8_t)c->type, &in, &off) == 0);
  csctp_tlv_iter it;
  csctp_tlv p;
  size_t k = 0;
  csctp_tlv_iter_init(&it, in.params, in.params_len);
  while (csctp_param_next(&it, &p) == 1) {
    if (csctp_put_param(&b, p.type, p.value, p.value_len) != 0)
      return; /* can exceed 64 KiB after padding: nothing to compare */
    k++;
  }
  FUZZ_ASSERT(k == n);
  if (csctp_chunk_end(&b, off) != 0)
    return;
  FUZZ_ASSERT(b.len % 4 == 0);
  csctp_tlv_iter_init(&it, buf, b.len);
  csctp_tlv c2;
  FUZZ_ASSERT(csctp_chunk_next(&it, &c2) == 1);
  FUZZ_ASSERT(it.left == 0);
  FUZZ_ASSERT(c2.type == c->type);
  csctp_init in2;
  FUZZ_ASSERT(csctp_init_decode(&c2, &in2) == 0);
  FUZZ_ASSERT(in2.init_tag == in.init_tag && in2.a_rwnd == in.a_rwnd &&
              in2.num_ostreams == in.num_ostreams &&
              in2.max_instreams == in.max_instreams &&
              in2.init_tsn == in.init_tsn);
  /* The rebuilt list holds the parameters that were read, same order. */
  csctp_tlv_iter it2;
  csctp_tlv p2;
  csctp_tlv_iter_init(&it, in.params, in.params_len);
  csctp_tlv_iter_init(&it2, in2.params, in2.params_len);
  for (size_t i = 0; i < n; i++) {
    FUZZ_ASSERT(csctp_param_next(&it, &p) == 1);
    FUZZ_ASSERT(csctp_param_next(&it2, &p2) == 1);
    FUZZ_ASSERT(p.type == p2.type && p.length == p2.length);
    FUZZ_ASSERT(p.value_len == 0 ||
                memcmp(p.value, p2.value, p.value_len) == 0);
  }
  FUZZ_ASSERT(csctp_param_next(&it2, &p2) == 0);
}

static void fuzz_sack(const csctp_tlv *c) {
  csctp_sack s;
  if (csctp_sack_decode(c, &s) != 0)
    return;
  size_t need = 12 + 4 * (size_t)s.ngaps + 4 * (size_t)s.ndups;
  FUZZ_ASSERT(need <= c->value_len);
  in_input(s.gaps, 4 * (size_t)s.ngaps);
  in_input(s.dups, 4 * (size_t)s.ndups);
  static uint16_t gaps[2 * 65536];
  static uint32_t dups[65536];
  for (size_t i = 0; i < s.ngaps; i++)
    csctp_sack_gap(&s, i, &gaps[2 * i], &gaps[2 * i + 1]);
  for (size_t i = 0; i < s.ndups; i++)
    dups[i] = csctp_sack_dup(&s, i);
  static uint8_t buf[70000];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  int rv =
      csctp_put_sack(&b, s.cum_tsn, s.a_rwnd, gaps, s.ngaps, dups, s.ndups);
  if (rv != 0) {
    FUZZ_ASSERT(rv == CSCTP_ERR_INVAL && 4 + need > 0xFFFF);
    return;
  }
  FUZZ_ASSERT(b.len == 4 + need);
  FUZZ_ASSERT(buf[0] == CSCTP_CT_SACK);
  FUZZ_ASSERT(memcmp(buf + 4, c->value, need) == 0);
}

static void fuzz_heartbeat(const csctp_tlv *c) {
  const uint8_t *info;
  size_t len;
  if (csctp_heartbeat_decode(c, &info, &len) != 0)
    return;
  in_input(info, len);
  FUZZ_ASSERT(info >= c->value + 4 && info + len <= c->value + c->value_len);
  static uint8_t buf[70000];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  FUZZ_ASSERT(csctp_put_heartbeat(&b, (uint8_t)c->type, info, len) == 0);
  csctp_tlv_iter it;
  csctp_tlv c2;
  csctp_tlv_iter_init(&it, buf, b.len);
  FUZZ_ASSERT(csctp_chunk_next(&it, &c2) == 1 && it.left == 0);
  const uint8_t *info2;
  size_t len2;
  FUZZ_ASSERT(csctp_heartbeat_decode(&c2, &info2, &len2) == 0);
  FUZZ_ASSERT(len2 == len && memcmp(info, info2, len) == 0);
}

static void fuzz_causes(const csctp_tlv *c) {
  size_t n = walk_params(c->value, c->value_len);
  if (n != 1)
    return;
  csctp_tlv_iter it;
  csctp_tlv cause;
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  FUZZ_ASSERT(csctp_param_next(&it, &cause) == 1);
  if (cause.type == 0)
    return; /* code 0 means "no cause" to the writer */
  static uint8_t buf[70000];
  csctp_buf b;
  csctp_buf_init(&b, buf, sizeof(buf));
  FUZZ_ASSERT(csctp_put_cause_chunk(&b, (uint8_t)c->type, c->flags, cause.type,
                                    cause.value, cause.value_len) == 0);
  csctp_tlv_iter_init(&it, buf, b.len);
  csctp_tlv c2, cause2;
  FUZZ_ASSERT(csctp_chunk_next(&it, &c2) == 1 && it.left == 0);
  FUZZ_ASSERT(c2.type == c->type && c2.flags == c->flags);
  csctp_tlv_iter_init(&it, c2.value, c2.value_len);
  FUZZ_ASSERT(csctp_param_next(&it, &cause2) == 1);
  FUZZ_ASSERT(cause2.type == cause.type && cause2.value_len == cause.value_len);
  FUZZ_ASSERT(cause.value_len == 0 ||
              memcmp(cause.value, cause2.value, cause.value_len) == 0);
}

static void fuzz_cookie(const csctp_tlv *c) {
  static const uint8_t key[CSCTP_COOKIE_KEY_LEN] = {1, 2, 3, 4, 5};
  csctp_cookie ck;
  int rv = csctp_cookie_decode(c->value, c->value_len, key, &ck);
  FUZZ_ASSERT(rv == 0 || rv == CSCTP_ERR_MALFORMED || rv == CSCTP_ERR_PROTO);
  if (rv == 0) { /* only possible if the input carries a valid MAC */
    uint8_t buf[CSCTP_COOKIE_MAX_LEN];
    size_t n = csctp_cookie_encode(&ck, key, buf, sizeof(buf));
    FUZZ_ASSERT(n == c->value_len && memcmp(buf, c->value, n) == 0);
  }
}

static void fuzz_chunk(const csctp_tlv *c) {
  check_tlv(c, 4);
  FUZZ_ASSERT(csctp_chunk_type_name((uint8_t)c->type) != NULL);
  switch (c->type) {
  case CSCTP_CT_DATA:
    fuzz_data(c);
    break;
  case CSCTP_CT_I_DATA:
    fuzz_idata(c);
    break;
  case CSCTP_CT_I_FORWARD_TSN: { /* RFC 8260 2.3.1 */
    csctp_ifwd f;
    if (csctp_ifwd_decode(c, &f) != 0) {
      FUZZ_ASSERT(c->length < 8 || (c->length - 8u) % 8u != 0);
      break;
    }
    FUZZ_ASSERT(c->length == 8 + 8 * f.n);
    in_input(f.entries, 8 * f.n);
    for (size_t i = 0; i < f.n; i++) {
      csctp_ifwd_ent e;
      csctp_ifwd_entry(&f, i, &e);
      FUZZ_ASSERT(e.sid == csctp_get16(c->value + 4 + 8 * i));
      FUZZ_ASSERT(e.u == (c->value[7 + 8 * i] & 1u));
      FUZZ_ASSERT(e.mid == csctp_get32(c->value + 8 + 8 * i));
    }
    break;
  }
  case CSCTP_CT_INIT:
  case CSCTP_CT_INIT_ACK:
    fuzz_init(c);
    break;
  case CSCTP_CT_SACK:
    fuzz_sack(c);
    break;
  case CSCTP_CT_HEARTBEAT:
  case CSCTP_CT_HEARTBEAT_ACK:
    fuzz_heartbeat(c);
    break;
  case CSCTP_CT_ABORT:
  case CSCTP_CT_ERROR:
    fuzz_causes(c);
    break;
  case CSCTP_CT_SHUTDOWN: {
    uint32_t cum;
    if (csctp_shutdown_decode(c, &cum) == 0) {
      FUZZ_ASSERT(c->value_len >= 4);
      FUZZ_ASSERT(cum == csctp_get32(c->value));
    } else {
      FUZZ_ASSERT(c->value_len < 4);
    }
    break;
  }
  case CSCTP_CT_COOKIE_ECHO:
    fuzz_cookie(c);
    break;
  case CSCTP_CT_FORWARD_TSN: { /* RFC 3758 3.2 */
    csctp_fwd_tsn f;
    if (csctp_fwd_tsn_decode(c, &f) == 0) {
      FUZZ_ASSERT(c->value_len == 4 + 4 * f.n);
      FUZZ_ASSERT(f.new_cum == csctp_get32(c->value));
      for (size_t i = 0; i < f.n; i++) {
        uint16_t sid, ssn;
        csctp_fwd_tsn_entry(&f, i, &sid, &ssn);
        FUZZ_ASSERT(sid == csctp_get16(c->value + 4 + 4 * i));
        FUZZ_ASSERT(ssn == csctp_get16(c->value + 6 + 4 * i));
      }
    } else {
      FUZZ_ASSERT(c->value_len < 4 || (c->value_len - 4) % 4 != 0);
    }
    break;
  }
  default:
    walk_params(c->value, c->value_len);
    break;
  }
}

static void walk_chunks(const uint8_t *p, size_t len) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int r;
  size_t n = 0;
  csctp_tlv_iter_init(&it, p, len);
  while ((r = csctp_chunk_next(&it, &c)) == 1) {
    fuzz_chunk(&c);
    in_input(it.p, it.left);
    if (++n > 70000)
      abort();
  }
  FUZZ_ASSERT(r == 0 || r == CSCTP_ERR_MALFORMED);
  /* 1..3 trailing bytes are malformed, never an empty success. */
  if (r == 0)
    FUZZ_ASSERT(it.left == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  g_begin = data;
  g_end = data + size;
  csctp_pkt_hdr h;
  int rv = csctp_pkt_hdr_decode(data, size, &h);
  if (size < CSCTP_COMMON_HDR_LEN) {
    FUZZ_ASSERT(rv == CSCTP_ERR_MALFORMED);
    FUZZ_ASSERT(!csctp_sctp_checksum_ok(data, size));
  } else {
    FUZZ_ASSERT(rv == 0);
    uint16_t sp, dp;
    FUZZ_ASSERT(csctp_pkt_ports(data, size, &sp, &dp) == 0);
    FUZZ_ASSERT(sp == h.src_port && dp == h.dst_port);
    (void)csctp_sctp_checksum_ok(data, size);
    walk_chunks(data + CSCTP_COMMON_HDR_LEN, size - CSCTP_COMMON_HDR_LEN);
  }
  /* The same bytes as a bare chunk list and as a bare parameter list. */
  walk_chunks(data, size);
  walk_params(data, size);
  /* The writer side: checksum store then verify on a copy. */
  if (size >= CSCTP_COMMON_HDR_LEN && size <= 4096) {
    uint8_t copy[4096];
    memcpy(copy, data, size);
    csctp_sctp_checksum_store(copy, size);
    FUZZ_ASSERT(csctp_sctp_checksum_ok(copy, size));
    FUZZ_ASSERT(csctp_crc32c_portable(copy, size) ==
                csctp_crc32c_hw(copy, size));
  }
  return 0;
}
