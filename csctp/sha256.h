/* SHA-256 (FIPS 180-4; see also RFC 6234) and HMAC-SHA256 (RFC 2104,
 * test vectors in RFC 4231), used by csctp for SCTP AUTH (RFC 4895) and
 * state cookie signatures (RFC 9260 section 5.1.3). */
#ifndef CSCTP_SHA256_H
#define CSCTP_SHA256_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSCTP_SHA256_DIGEST_LEN 32
#define CSCTP_SHA256_BLOCK_LEN 64

/* Streaming SHA-256 state. Treat the fields as private. */
typedef struct csctp_sha256_ctx {
  uint32_t state[8];                     /* chaining value H0..H7 */
  uint64_t total;                        /* message bytes absorbed */
  uint8_t block[CSCTP_SHA256_BLOCK_LEN]; /* pending partial block */
  size_t block_len;                      /* bytes used in block */
} csctp_sha256_ctx;

void csctp_sha256_init(csctp_sha256_ctx *ctx);
void csctp_sha256_update(csctp_sha256_ctx *ctx, const void *data,
                                   size_t len);
/* Writes the digest and wipes ctx; call csctp_sha256_init() to reuse it. */
void csctp_sha256_final(csctp_sha256_ctx *ctx, uint8_t out[32]);
void csctp_sha256(const void *data, size_t len, uint8_t out[32]);

/* Streaming HMAC-SHA256 state: inner and outer hashes already keyed. */
typedef struct csctp_hmac_sha256_ctx {
  csctp_sha256_ctx inner;
  csctp_sha256_ctx outer;
} csctp_hmac_sha256_ctx;

/* Any key length is accepted; keys longer than 64 bytes are hashed first, as
 * RFC 2104 specifies. */
void csctp_hmac_sha256_init(csctp_hmac_sha256_ctx *ctx,
                                      const uint8_t *key, size_t keylen);
void csctp_hmac_sha256_update(csctp_hmac_sha256_ctx *ctx,
                                        const void *data, size_t len);
/* Writes the 32-byte MAC and wipes ctx. */
void csctp_hmac_sha256_final(csctp_hmac_sha256_ctx *ctx,
                                       uint8_t out[32]);
void csctp_hmac_sha256(const uint8_t *key, size_t keylen,
                                 const void *data, size_t len, uint8_t out[32]);

/* Returns 1 if a[0..n) equals b[0..n), else 0, in time that depends only on
 * n. Use it to compare MACs. n == 0 compares equal. */
int csctp_memeq_ct(const void *a, const void *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif
