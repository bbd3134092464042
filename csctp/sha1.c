/* sha1.c -- SHA-1 (FIPS 180-4 section 6.1; RFC 3174) and HMAC-SHA1
 * (RFC 2104). */
#include "config.h"

#include "sha1.h"

#include <string.h>

static uint32_t sha1_rol(uint32_t x, unsigned n) {
  return (x << n) | (x >> (32 - n));
}

static uint32_t sha1_load32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

static void sha1_store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* FIPS 180-4 4.1.1: f_t and K_t by round group. */
static uint32_t sha1_f(unsigned t, uint32_t b, uint32_t c, uint32_t d,
                       uint32_t *k) {
  if (t < 20) {
    *k = 0x5a827999u;
    return (b & c) | (~b & d);
  }
  if (t < 40) {
    *k = 0x6ed9eba1u;
    return b ^ c ^ d;
  }
  if (t < 60) {
    *k = 0x8f1bbcdcu;
    return (b & c) | (b & d) | (c & d);
  }
  *k = 0xca62c1d6u;
  return b ^ c ^ d;
}

/* FIPS 180-4 6.1.2: one 512-bit block. */
static void sha1_block(uint32_t h[5], const uint8_t *blk) {
  uint32_t w[80];
  for (unsigned t = 0; t < 16; t++)
    w[t] = sha1_load32(blk + 4 * t);
  for (unsigned t = 16; t < 80; t++)
    w[t] = sha1_rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (unsigned t = 0; t < 80; t++) {
    uint32_t k;
    uint32_t f = sha1_f(t, b, c, d, &k);
    uint32_t tmp = sha1_rol(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = sha1_rol(b, 30);
    b = a;
    a = tmp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

void csctp_sha1_init(csctp_sha1_ctx *ctx) {
  /* FIPS 180-4 5.3.1 */
  ctx->state[0] = 0x67452301u;
  ctx->state[1] = 0xefcdab89u;
  ctx->state[2] = 0x98badcfeu;
  ctx->state[3] = 0x10325476u;
  ctx->state[4] = 0xc3d2e1f0u;
  ctx->total = 0;
  ctx->block_len = 0;
}

void csctp_sha1_update(csctp_sha1_ctx *ctx, const void *data, size_t len) {
  const uint8_t *p = data;
  ctx->total += len;
  while (len > 0) {
    size_t take = CSCTP_SHA1_BLOCK_LEN - ctx->block_len;
    if (take > len)
      take = len;
    memcpy(ctx->block + ctx->block_len, p, take);
    ctx->block_len += take;
    p += take;
    len -= take;
    if (ctx->block_len == CSCTP_SHA1_BLOCK_LEN) {
      sha1_block(ctx->state, ctx->block);
      ctx->block_len = 0;
    }
  }
}

void csctp_sha1_final(csctp_sha1_ctx *ctx, uint8_t out[20]) {
  /* FIPS 180-4 5.1.1: a 1 bit, zeros, the 64-bit bit length. */
  uint64_t bits = ctx->total * 8;
  uint8_t pad = 0x80;
  csctp_sha1_update(ctx, &pad, 1);
  uint8_t zero = 0;
  while (ctx->block_len != 56)
    csctp_sha1_update(ctx, &zero, 1);
  uint8_t len8[8];
  sha1_store32(len8, (uint32_t)(bits >> 32));
  sha1_store32(len8 + 4, (uint32_t)bits);
  csctp_sha1_update(ctx, len8, 8);
  for (unsigned i = 0; i < 5; i++)
    sha1_store32(out + 4 * i, ctx->state[i]);
  memset(ctx, 0, sizeof(*ctx));
}

void csctp_sha1(const void *data, size_t len, uint8_t out[20]) {
  csctp_sha1_ctx c;
  csctp_sha1_init(&c);
  csctp_sha1_update(&c, data, len);
  csctp_sha1_final(&c, out);
}

/* RFC 2104 2: K padded to B bytes, XORed with ipad (0x36) and opad (0x5c). */
void csctp_hmac_sha1_init(csctp_hmac_sha1_ctx *ctx, const uint8_t *key,
                          size_t keylen) {
  uint8_t k[CSCTP_SHA1_BLOCK_LEN];
  memset(k, 0, sizeof(k));
  if (keylen > CSCTP_SHA1_BLOCK_LEN)
    csctp_sha1(key, keylen, k);
  else if (keylen > 0)
    memcpy(k, key, keylen);
  uint8_t pad[CSCTP_SHA1_BLOCK_LEN];
  for (unsigned i = 0; i < sizeof(pad); i++)
    pad[i] = k[i] ^ 0x36;
  csctp_sha1_init(&ctx->inner);
  csctp_sha1_update(&ctx->inner, pad, sizeof(pad));
  for (unsigned i = 0; i < sizeof(pad); i++)
    pad[i] = k[i] ^ 0x5c;
  csctp_sha1_init(&ctx->outer);
  csctp_sha1_update(&ctx->outer, pad, sizeof(pad));
  memset(k, 0, sizeof(k));
  memset(pad, 0, sizeof(pad));
}

void csctp_hmac_sha1_update(csctp_hmac_sha1_ctx *ctx, const void *data,
                            size_t len) {
  csctp_sha1_update(&ctx->inner, data, len);
}

void csctp_hmac_sha1_final(csctp_hmac_sha1_ctx *ctx, uint8_t out[20]) {
  uint8_t ih[CSCTP_SHA1_DIGEST_LEN];
  csctp_sha1_final(&ctx->inner, ih);
  csctp_sha1_update(&ctx->outer, ih, sizeof(ih));
  csctp_sha1_final(&ctx->outer, out);
  memset(ih, 0, sizeof(ih));
}

void csctp_hmac_sha1(const uint8_t *key, size_t keylen, const void *data,
                     size_t len, uint8_t out[20]) {
  csctp_hmac_sha1_ctx c;
  csctp_hmac_sha1_init(&c, key, keylen);
  csctp_hmac_sha1_update(&c, data, len);
  csctp_hmac_sha1_final(&c, out);
}
