/* auth.h -- Authenticated Chunks for SCTP (RFC 4895): the RANDOM, CHUNKS
 * and HMAC-ALGO parameters of INIT / INIT ACK, the key vectors and the
 * association shared keys (6.1), the AUTH chunk on output (6.2) and its
 * check on input (6.3), shared keys with key identifiers. Internal; the
 * public calls are csctp_auth_* in csctp.h.
 *
 * The endpoint holds its AUTH configuration (csctp_auth_ep: enabled, the
 * chunk types it accepts only authenticated, its HMAC list, its endpoint
 * pair shared keys); an association where both sides sent RANDOM and
 * HMAC-ALGO holds a csctp_auth_assoc built from the two key vectors, with
 * its own copy of the keys (inherited from the endpoint when it is made). */
#ifndef CSCTP_AUTH_H
#define CSCTP_AUTH_H

#include "csctp.h"

#include "chunk.h"

#include <stddef.h>
#include <stdint.h>

typedef struct csctp_assoc csctp_assoc;

#define CSCTP_AUTH_RANDOM_LEN 32 /* 6.1: MUST be 32 bytes */
#define CSCTP_AUTH_MAX_HMACS 4   /* HMAC ids we list */
#define CSCTP_AUTH_MAX_PEER_HMACS 32
#define CSCTP_AUTH_MAX_KEYS 16
#define CSCTP_AUTH_MAX_KEY_LEN 256
/* A key vector: RANDOM (36) + CHUNKS (at most 260, 3.2) + HMAC-ALGO (at
 * most 4 + 2 * CSCTP_AUTH_MAX_PEER_HMACS), padding removed (6.1). */
#define CSCTP_AUTH_VEC_MAX (36 + 260 + 4 + 2 * CSCTP_AUTH_MAX_PEER_HMACS)
/* The largest AUTH chunk we send: header, key id, HMAC id, SHA-256 MAC. */
#define CSCTP_AUTH_CHUNK_MAX (8 + 32)
/* Unsupported HMAC Identifier error cause, RFC 4895 4.1. */
#define CSCTP_CAUSE_UNSUPPORTED_HMAC 0x0105

typedef struct csctp_auth_key {
  uint16_t id;
  uint8_t deactivated; /* RFC 6458 8.3.4: no longer used for sending */
  uint16_t len;        /* endpoint pair shared key bytes */
  uint8_t *key;        /* owned; NULL when len is 0 */
} csctp_auth_key;

typedef struct csctp_auth_keyring {
  csctp_auth_key keys[CSCTP_AUTH_MAX_KEYS];
  uint8_t nkeys;
  uint16_t active; /* the key identifier used for sending */
} csctp_auth_keyring;

typedef struct csctp_auth_ep {
  int enabled;
  uint8_t chunks[32]; /* bitmap of types we accept only authenticated */
  uint16_t hmacs[CSCTP_AUTH_MAX_HMACS]; /* by preference */
  uint8_t nhmacs;
  csctp_auth_keyring ring;
} csctp_auth_ep;

typedef struct csctp_auth_assoc {
  int on; /* both sides sent RANDOM and HMAC-ALGO */
  uint8_t local_chunks[32], peer_chunks[32];
  uint16_t local_hmacs[CSCTP_AUTH_MAX_PEER_HMACS];
  uint8_t nlocal_hmacs;
  uint16_t send_hmac; /* 6.1: the first of the peer's list we support */
  uint16_t local_len, peer_len;
  uint8_t local_vec[CSCTP_AUTH_VEC_MAX], peer_vec[CSCTP_AUTH_VEC_MAX];
  csctp_auth_keyring ring;
  int have_rx_key; /* a key id was seen in a received AUTH */
  uint16_t last_rx_key;
  int preverified; /* the packet about to be input was checked already */
} csctp_auth_assoc;

/* ---- Endpoint configuration ---- */

/* csctp_auth_ep_get returns ep's AUTH configuration, made (disabled, with
 * the empty key 0, HMAC-SHA256 then HMAC-SHA1) on first use; NULL on
 * NOMEM. csctp_auth_ep_free frees it. */
csctp_auth_ep *csctp_auth_ep_get(csctp_endpoint *ep);
void csctp_auth_ep_free(csctp_mem *mem, csctp_auth_ep *e);
/* csctp_auth_ep_enabled: 1 when ep offers AUTH in INIT / INIT ACK. */
int csctp_auth_ep_enabled(const csctp_endpoint *ep);
/* Bytes the AUTH chunk may take from every packet of an association of ep:
 * CSCTP_AUTH_CHUNK_MAX when AUTH is enabled, else 0. */
uint32_t csctp_auth_ep_overhead(const csctp_endpoint *ep);

/* ---- Key vectors (6.1) ---- */

/* csctp_auth_make_vec draws a fresh 32-byte Random Number and writes our
 * key vector (RANDOM, CHUNKS if any, HMAC-ALGO; no padding) into vec
 * (CSCTP_AUTH_VEC_MAX bytes). Returns its length, or a negative error. */
int csctp_auth_make_vec(csctp_endpoint *ep, uint8_t *vec);
/* csctp_auth_put_vec writes the parameters of a key vector into an INIT or
 * INIT ACK (padding added) followed by a Supported Extensions parameter
 * listing AUTH (RFC 5061 4.2.7). 0 or CSCTP_ERR_NOBUF. */
int csctp_auth_put_vec(csctp_buf *b, const uint8_t *vec, size_t len);
/* csctp_auth_peer_vec gathers the peer's RANDOM, CHUNKS and HMAC-ALGO
 * parameters from an INIT or INIT ACK into vec, in that order (6.1).
 * Returns the vector's length, 0 when the peer does not offer AUTH (no
 * RANDOM or no HMAC-ALGO), or CSCTP_ERR_PROTO when a Random Number is not
 * 32 bytes or a parameter is too long or repeated (6.1: abort). */
int csctp_auth_peer_vec(const csctp_init *in, uint8_t *vec);
/* csctp_auth_assoc_key computes the association shared key of 6.1 into out
 * (room for CSCTP_AUTH_MAX_KEY_LEN + 2 * CSCTP_AUTH_VEC_MAX bytes): the
 * endpoint pair shared key, then the numerically smaller key vector, then
 * the larger. Returns its length. */
size_t csctp_auth_assoc_key(const uint8_t *key, size_t keylen,
                            const uint8_t *v1, size_t len1, const uint8_t *v2,
                            size_t len2, uint8_t *out);
/* csctp_auth_hmac computes HMAC id (CSCTP_AUTH_HMAC_*) of data under key
 * into out; returns the MAC length, 0 for an id we do not support. */
size_t csctp_auth_hmac(uint16_t id, const uint8_t *key, size_t keylen,
                       const uint8_t *data, size_t len, uint8_t *out);
/* MAC length of an HMAC id, 0 when unsupported. */
size_t csctp_auth_hmac_len(uint16_t id);

/* ---- Associations ---- */

/* csctp_auth_put_init adds our AUTH parameters to the INIT a is building
 * (when the endpoint offers AUTH), keeping the key vector. 0 or an error.
 * csctp_auth_on_init_ack takes the peer's parameters from its INIT ACK:
 * 0 (AUTH on, or not offered by one side), CSCTP_ERR_PROTO (abort: 6.1)
 * or CSCTP_ERR_NOMEM. */
int csctp_auth_put_init(csctp_assoc *a, csctp_buf *b);
int csctp_auth_on_init_ack(csctp_assoc *a, const csctp_init *in);
/* csctp_auth_vec_lists: 1 when the CHUNKS parameter of key vector vec
 * lists type. */
int csctp_auth_vec_lists(const uint8_t *vec, size_t len, uint8_t type);
/* csctp_auth_sign_ctrl signs an association's packet queued in a control
 * slot (an ABORT) when the peer wants it authenticated, and redoes its
 * checksum. */
void csctp_auth_sign_ctrl(const csctp_assoc *a, uint8_t *pkt, size_t *len,
                          size_t cap);

/* csctp_auth_assoc_setup makes a's AUTH state from the two key vectors
 * (peer_len 0: the peer did not offer AUTH; then a has none). The keys come
 * from the endpoint. Returns 0, CSCTP_ERR_NOMEM or CSCTP_ERR_PROTO (no HMAC
 * of the peer's list we support). */
int csctp_auth_assoc_setup(csctp_assoc *a, const uint8_t *local,
                           size_t local_len, const uint8_t *peer,
                           size_t peer_len);
void csctp_auth_assoc_free(csctp_assoc *a);
/* 1 when a authenticates chunks (negotiated). */
int csctp_auth_on(const csctp_assoc *a);
/* Bytes to keep free in each packet of a for the AUTH chunk. */
size_t csctp_auth_reserve(const csctp_assoc *a);

/* 6.2: when the packet of *len bytes at pkt (common header first) holds a
 * chunk the peer wants authenticated, csctp_auth_sign inserts an AUTH
 * chunk before the first such chunk and fills its HMAC; *len grows, at
 * most to cap. Returns 0, or CSCTP_ERR_NOBUF (packet unchanged). */
int csctp_auth_sign(const csctp_assoc *a, uint8_t *pkt, size_t *len,
                    size_t cap);

/* Input (6.3). csctp_auth_input_begin returns whether the packet about to
 * be processed was already authenticated (the AUTH before a COOKIE ECHO,
 * checked by the endpoint) and clears that mark. csctp_auth_on_chunk
 * checks an AUTH chunk c whose packet's chunks end at end: 1 when the
 * chunks after it are authenticated, 0 when they must be discarded (an
 * ERROR may be queued, 6.3). csctp_auth_required: 1 when we accept chunk
 * type only after an AUTH. */
int csctp_auth_input_begin(csctp_assoc *a);
int csctp_auth_on_chunk(csctp_assoc *a, const csctp_tlv *c, const uint8_t *end);
int csctp_auth_required(const csctp_assoc *a, uint8_t type);
/* csctp_auth_check_with_vecs verifies an AUTH chunk against key vectors
 * (and the endpoint's keys) when no association exists yet: the AUTH
 * before a COOKIE ECHO (6.3). 1 when authentic. */
int csctp_auth_check_with_vecs(csctp_endpoint *ep, const uint8_t *local,
                               size_t local_len, const uint8_t *peer,
                               size_t peer_len, const csctp_tlv *c,
                               const uint8_t *end);

/* Events: CSCTP_EV_AUTHENTICATION when the association comes up without
 * AUTH although ep asked for it (CSCTP_AUTH_NO_AUTH). */
void csctp_auth_on_up(csctp_assoc *a);

#endif
