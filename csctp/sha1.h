/* SHA-1 (FIPS 180-4; RFC 3174) and HMAC-SHA1 (RFC 2104, test cases in
 * RFC 2202), used by csctp for SCTP AUTH (RFC 4895 3.3: every endpoint
 * that supports AUTH must support HMAC-SHA1). Internal. */
#ifndef CSCTP_SHA1_H
#define CSCTP_SHA1_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#define CSCTP_SHA1_DIGEST_LEN 20
#define CSCTP_SHA1_BLOCK_LEN 64

/* Streaming SHA-1 state. Treat the fields as private. */
typedef struct csctp_sha1_ctx {
  uint32_t state[5];                   /* chaining value H0..H4 */
  uint64_t total;                      /* message bytes absorbed */
  uint8_t block[CSCTP_SHA1_BLOCK_LEN]; /* pending partial block */
  size_t block_len;                    /* bytes used in block */
} csctp_sha1_ctx;

void csctp_sha1_init(csctp_sha1_ctx *ctx);
void csctp_sha1_update(csctp_sha1_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes ctx. */
void csctp_sha1_final(csctp_sha1_ctx *ctx, uint8_t out[20]);
void csctp_sha1(const void *data, size_t len, uint8_t out[20]);

/* Streaming HMAC-SHA1: inner and outer hashes already keyed. */
typedef struct csctp_hmac_sha1_ctx {
  csctp_sha1_ctx inner;
  csctp_sha1_ctx outer;
} csctp_hmac_sha1_ctx;

/* Any key length; keys longer than 64 bytes are hashed first (RFC 2104). */
void csctp_hmac_sha1_init(csctp_hmac_sha1_ctx *ctx, const uint8_t *key,
                          size_t keylen);
void csctp_hmac_sha1_update(csctp_hmac_sha1_ctx *ctx, const void *data,
                            size_t len);
/* Writes the 20-byte MAC and wipes ctx. */
void csctp_hmac_sha1_final(csctp_hmac_sha1_ctx *ctx, uint8_t out[20]);
void csctp_hmac_sha1(const uint8_t *key, size_t keylen, const void *data,
                     size_t len, uint8_t out[20]);

#endif
