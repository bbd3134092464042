/* SHA-256 per FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 6.2; also described
 * in RFC 6234) and HMAC per RFC 2104, instantiated with SHA-256 as in
 * RFC 4231. Plain portable C; byte order handled explicitly. */
#include "config.h"

#include "sha256.h"

#include <string.h>

/* Round constants: first 32 bits of the fractional parts of the cube roots of
 * the first 64 primes (FIPS 180-4 section 4.2.2). */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Initial hash value: fractional parts of the square roots of the first 8
 * primes (FIPS 180-4 section 5.3.3). */
static const uint32_t sha256_h0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t sha256_rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32 - n));
}

static inline uint32_t sha256_load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline void sha256_store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* Zeroes memory in a way the compiler may not drop as a dead store. */
static void sha256_wipe(void *p, size_t n) {
  volatile uint8_t *v = p;
  while (n--)
    *v++ = 0;
}

/* Absorbs one 64-byte block into the chaining value. */
static void sha256_compress(uint32_t st[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = sha256_load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = sha256_rotr(w[t - 15], 7) ^ sha256_rotr(w[t - 15], 18) ^
                  (w[t - 15] >> 3);
    uint32_t s1 = sha256_rotr(w[t - 2], 17) ^ sha256_rotr(w[t - 2], 19) ^
                  (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }

  uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
  uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
  for (int t = 0; t < 64; t++) {
    uint32_t big_s1 =
        sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = h + big_s1 + ch + sha256_k[t] + w[t];
    uint32_t big_s0 =
        sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = big_s0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
  st[4] += e;
  st[5] += f;
  st[6] += g;
  st[7] += h;
  sha256_wipe(w, sizeof w);
}

void csctp_sha256_init(csctp_sha256_ctx *ctx) {
  memcpy(ctx->state, sha256_h0, sizeof ctx->state);
  ctx->total = 0;
  ctx->block_len = 0;
}

void csctp_sha256_update(csctp_sha256_ctx *ctx, const void *data, size_t len) {
  const uint8_t *p = data;
  if (len == 0)
    return;
  ctx->total += len;

  if (ctx->block_len > 0) {
    size_t take = CSCTP_SHA256_BLOCK_LEN - ctx->block_len;
    if (take > len)
      take = len;
    memcpy(ctx->block + ctx->block_len, p, take);
    ctx->block_len += take;
    p += take;
    len -= take;
    if (ctx->block_len < CSCTP_SHA256_BLOCK_LEN)
      return;
    sha256_compress(ctx->state, ctx->block);
    ctx->block_len = 0;
  }
  while (len >= CSCTP_SHA256_BLOCK_LEN) {
    sha256_compress(ctx->state, p);
    p += CSCTP_SHA256_BLOCK_LEN;
    len -= CSCTP_SHA256_BLOCK_LEN;
  }
  if (len > 0) {
    memcpy(ctx->block, p, len);
    ctx->block_len = len;
  }
}

void csctp_sha256_final(csctp_sha256_ctx *ctx, uint8_t out[32]) {
  uint64_t bits = ctx->total * 8;

  /* Padding: a single 1 bit, zeros up to 56 mod 64, then the 64-bit
   * big-endian message length in bits (FIPS 180-4 section 5.1.1). */
  ctx->block[ctx->block_len++] = 0x80;
  if (ctx->block_len > CSCTP_SHA256_BLOCK_LEN - 8) {
    memset(ctx->block + ctx->block_len, 0,
           CSCTP_SHA256_BLOCK_LEN - ctx->block_len);
    sha256_compress(ctx->state, ctx->block);
    ctx->block_len = 0;
  }
  memset(ctx->block + ctx->block_len, 0,
         CSCTP_SHA256_BLOCK_LEN - 8 - ctx->block_len);
  sha256_store_be32(ctx->block + 56, (uint32_t)(bits >> 32));
  sha256_store_be32(ctx->block + 60, (uint32_t)bits);
  sha256_compress(ctx->state, ctx->block);

  for (int i = 0; i < 8; i++)
    sha256_store_be32(out + 4 * i, ctx->state[i]);
  sha256_wipe(ctx, sizeof *ctx);
}

void csctp_sha256(const void *data, size_t len, uint8_t out[32]) {
  csctp_sha256_ctx ctx;
  csctp_sha256_init(&ctx);
  csctp_sha256_update(&ctx, data, len);
  csctp_sha256_final(&ctx, out);
}

/* RFC 2104: HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)), where K0 is
 * the key (or its hash if longer than a block) zero-padded to a block. */
void csctp_hmac_sha256_init(csctp_hmac_sha256_ctx *ctx, const uint8_t *key,
                            size_t keylen) {
  uint8_t k0[CSCTP_SHA256_BLOCK_LEN];
  uint8_t pad[CSCTP_SHA256_BLOCK_LEN];

  memset(k0, 0, sizeof k0);
  if (keylen > CSCTP_SHA256_BLOCK_LEN)
    csctp_sha256(key, keylen, k0);
  else if (keylen > 0)
    memcpy(k0, key, keylen);

  for (size_t i = 0; i < sizeof pad; i++)
    pad[i] = (uint8_t)(k0[i] ^ 0x36);
  csctp_sha256_init(&ctx->inner);
  csctp_sha256_update(&ctx->inner, pad, sizeof pad);

  for (size_t i = 0; i < sizeof pad; i++)
    pad[i] = (uint8_t)(k0[i] ^ 0x5c);
  csctp_sha256_init(&ctx->outer);
  csctp_sha256_update(&ctx->outer, pad, sizeof pad);

  sha256_wipe(k0, sizeof k0);
  sha256_wipe(pad, sizeof pad);
}

void csctp_hmac_sha256_update(csctp_hmac_sha256_ctx *ctx, const void *data,
                              size_t len) {
  csctp_sha256_update(&ctx->inner, data, len);
}

void csctp_hmac_sha256_final(csctp_hmac_sha256_ctx *ctx, uint8_t out[32]) {
  uint8_t inner_hash[CSCTP_SHA256_DIGEST_LEN];
  csctp_sha256_final(&ctx->inner, inner_hash);
  csctp_sha256_update(&ctx->outer, inner_hash, sizeof inner_hash);
  csctp_sha256_final(&ctx->outer, out);
  sha256_wipe(inner_hash, sizeof inner_hash);
}

void csctp_hmac_sha256(const uint8_t *key, size_t keylen, const void *data,
                       size_t len, uint8_t out[32]) {
  csctp_hmac_sha256_ctx ctx;
  csctp_hmac_sha256_init(&ctx, key, keylen);
  csctp_hmac_sha256_update(&ctx, data, len);
  csctp_hmac_sha256_final(&ctx, out);
}

int csctp_memeq_ct(const void *a, const void *b, size_t n) {
  /* volatile keeps the compiler from turning this into an early-exit loop. */
  const volatile uint8_t *pa = a;
  const volatile uint8_t *pb = b;
  uint32_t diff = 0;
  for (size_t i = 0; i < n; i++)
    diff |= (uint32_t)(pa[i] ^ pb[i]);
  /* diff is 0..255; (diff - 1) has bit 8 set only when diff == 0. */
  return (int)(((diff - 1) >> 8) & 1u);
}
