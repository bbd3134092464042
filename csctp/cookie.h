/* cookie.h -- the State Cookie (RFC 9260 5.1.3, 5.1.5): everything needed to
 * build the association when the COOKIE ECHO arrives, signed with
 * HMAC-SHA256 so that the listener keeps no state per INIT. Internal. */
#ifndef CSCTP_COOKIE_H
#define CSCTP_COOKIE_H

#include "csctp.h"

#define CSCTP_COOKIE_MAX_ADDRS 16
#define CSCTP_COOKIE_KEY_LEN 32
#define CSCTP_COOKIE_AUTH_VEC_MAX 364 /* CSCTP_AUTH_VEC_MAX (auth.h) */

typedef struct csctp_cookie {
  csctp_tstamp created, lifetime;
  uint32_t local_tag, peer_tag;
  uint32_t local_tsn, peer_tsn;
  uint32_t peer_rwnd;
  uint16_t ostreams, istreams; /* negotiated (5.1.1) */
  uint16_t local_port, peer_port;
  uint32_t local_tie_tag, peer_tie_tag; /* 5.2.2 */
  csctp_addr src;                       /* where the INIT came from */
  uint8_t naddrs;                       /* peer addresses from the INIT */
  uint8_t pr;     /* PR-SCTP on (RFC 3758 3.3): both sides announced it */
  uint8_t reconf; /* RE-CONFIG on (RFC 6525 5.1.1): both sides listed it */
  uint8_t idata;  /* I-DATA on (RFC 8260 2.2.1): both sides listed it */
  uint8_t zcsum;  /* send checksum zero (RFC 9653 5.2): same method both */
  csctp_addr addrs[CSCTP_COOKIE_MAX_ADDRS];
  /* RFC 4895 6.3: the two AUTH key vectors (ours, the peer's), kept so
   * that the association shared keys can be made when the COOKIE ECHO
   * comes; both lengths 0 without AUTH. Never a shared key (6.3). */
  uint16_t auth_local_len, auth_peer_len;
  uint8_t auth_local[CSCTP_COOKIE_AUTH_VEC_MAX];
  uint8_t auth_peer[CSCTP_COOKIE_AUTH_VEC_MAX];
} csctp_cookie;

/* Largest encoded cookie. */
#define CSCTP_COOKIE_MAX_LEN                                                   \
  (4 + 16 + 20 + 8 + 8 + 23 + 2 + 23 * CSCTP_COOKIE_MAX_ADDRS + 32 + 4 +       \
   2 * CSCTP_COOKIE_AUTH_VEC_MAX)

/* csctp_cookie_encode writes the signed cookie into out and returns its
 * length, or 0 if cap is too small. */
size_t csctp_cookie_encode(const csctp_cookie *c, const uint8_t *key,
                           uint8_t *out, size_t cap);

/* csctp_cookie_decode checks the MAC and unpacks. Returns 0,
 * CSCTP_ERR_MALFORMED (bad layout) or CSCTP_ERR_PROTO (bad MAC). Age is
 * judged by the caller. */
int csctp_cookie_decode(const uint8_t *in, size_t len, const uint8_t *key,
                        csctp_cookie *c);

#endif
