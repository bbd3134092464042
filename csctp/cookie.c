/* cookie.c -- State Cookie encoding and authentication (RFC 9260 5.1.3,
 * 5.1.5). Layout (all big-endian): magic "CSK1", created, lifetime, tags,
 * TSNs, rwnd, streams, ports, tie-tags, source address, two flag bytes
 * (address count, PR-SCTP, RECONF, I-DATA; zero checksum), address list, then
 * the AUTH key vectors when AUTH was offered by both (RFC 4895 6.3), then
 * HMAC-SHA256 over everything before it. */
#include "config.h"

#include "cookie.h"

#include "chunk.h"
#include "sha256.h"

#include <string.h>

#define COOKIE_ADDR_LEN 23

static void cookie_put64(uint8_t *p, uint64_t v) {
  csctp_put32(p, (uint32_t)(v >> 32));
  csctp_put32(p + 4, (uint32_t)v);
}
static uint64_t cookie_get64(const uint8_t *p) {
  return ((uint64_t)csctp_get32(p) << 32) | csctp_get32(p + 4);
}

static uint8_t *cookie_put_addr(uint8_t *p, const csctp_addr *a) {
  p[0] = a->family;
  memcpy(p + 1, a->ip, 16);
  csctp_put16(p + 17, a->port);
  csctp_put32(p + 19, a->scope_id);
  return p + COOKIE_ADDR_LEN;
}

static int cookie_get_addr(const uint8_t *p, csctp_addr *a) {
  memset(a, 0, sizeof(*a));
  a->family = p[0];
  if (a->family != CSCTP_AF_INET && a->family != CSCTP_AF_INET6 &&
      a->family != CSCTP_AF_CONN)
    return CSCTP_ERR_MALFORMED;
  memcpy(a->ip, p + 1, 16);
  a->port = csctp_get16(p + 17);
  a->scope_id = csctp_get32(p + 19);
  return 0;
}

static uint8_t *cookie_put_auth(uint8_t *p, const csctp_cookie *c) {
  csctp_put16(p, c->auth_local_len);
  memcpy(p + 2, c->auth_local, c->auth_local_len);
  p += 2 + c->auth_local_len;
  csctp_put16(p, c->auth_peer_len);
  memcpy(p + 2, c->auth_peer, c->auth_peer_len);
  return p + 2 + c->auth_peer_len;
}

/* The optional AUTH trailer of len bytes at p: its layout is checked
 * (c NULL) before the MAC, then read. */
static int cookie_get_auth(const uint8_t *p, size_t len, csctp_cookie *c) {
  if (len == 0)
    return 0;
  if (len < 4)
    return CSCTP_ERR_MALFORMED;
  size_t ll = csctp_get16(p);
  if (ll > CSCTP_COOKIE_AUTH_VEC_MAX || 2 + ll + 2 > len)
    return CSCTP_ERR_MALFORMED;
  size_t pl = csctp_get16(p + 2 + ll);
  if (pl > CSCTP_COOKIE_AUTH_VEC_MAX || 4 + ll + pl != len)
    return CSCTP_ERR_MALFORMED;
  if (!c)
    return 0;
  memcpy(c->auth_local, p + 2, ll);
  memcpy(c->auth_peer, p + 4 + ll, pl);
  c->auth_local_len = (uint16_t)ll;
  c->auth_peer_len = (uint16_t)pl;
  return 0;
}

size_t csctp_cookie_encode(const csctp_cookie *c, const uint8_t *key,
                           uint8_t *out, size_t cap) {
  size_t n =
      c->naddrs > CSCTP_COOKIE_MAX_ADDRS ? CSCTP_COOKIE_MAX_ADDRS : c->naddrs;
  size_t alen =
      c->auth_peer_len ? 4u + c->auth_local_len + c->auth_peer_len : 0;
  size_t len = 4 + 16 + 20 + 8 + 8 + COOKIE_ADDR_LEN + 2 + COOKIE_ADDR_LEN * n +
               alen + CSCTP_SHA256_DIGEST_LEN;
  if (len > cap)
    return 0;
  uint8_t *p = out;
  memcpy(p, "CSK1", 4);
  cookie_put64(p + 4, c->created);
  cookie_put64(p + 12, c->lifetime);
  csctp_put32(p + 20, c->local_tag);
  csctp_put32(p + 24, c->peer_tag);
  csctp_put32(p + 28, c->local_tsn);
  csctp_put32(p + 32, c->peer_tsn);
  csctp_put32(p + 36, c->peer_rwnd);
  csctp_put16(p + 40, c->ostreams);
  csctp_put16(p + 42, c->istreams);
  csctp_put16(p + 44, c->local_port);
  csctp_put16(p + 46, c->peer_port);
  csctp_put32(p + 48, c->local_tie_tag);
  csctp_put32(p + 52, c->peer_tie_tag);
  p = cookie_put_addr(p + 56, &c->src);
  /* n <= 16: bits 7, 6 and 5 are free */
  *p++ = (uint8_t)(n | (c->pr ? 0x80u : 0u) | (c->reconf ? 0x40u : 0u) |
                   (c->idata ? 0x20u : 0u));
  *p++ = (uint8_t)(c->zcsum ? 0x01u : 0u); /* second flags byte */
  for (size_t i = 0; i < n; i++)
    p = cookie_put_addr(p, &c->addrs[i]);
  if (alen) /* RFC 4895 6.3: the key vectors, after the addresses */
    p = cookie_put_auth(p, c);
  csctp_hmac_sha256(key, CSCTP_COOKIE_KEY_LEN, out, (size_t)(p - out), p);
  return len;
}

int csctp_cookie_decode(const uint8_t *in, size_t len, const uint8_t *key,
                        csctp_cookie *c) {
  size_t fixed = 56 + COOKIE_ADDR_LEN + 2;
  if (len < fixed + CSCTP_SHA256_DIGEST_LEN || memcmp(in, "CSK1", 4) != 0)
    return CSCTP_ERR_MALFORMED;
  size_t n = in[fixed - 2] & 0x1Fu;
  if (n > CSCTP_COOKIE_MAX_ADDRS ||
      len < fixed + COOKIE_ADDR_LEN * n + CSCTP_SHA256_DIGEST_LEN)
    return CSCTP_ERR_MALFORMED;
  uint8_t mac[CSCTP_SHA256_DIGEST_LEN];
  size_t body = len - CSCTP_SHA256_DIGEST_LEN;
  size_t at = fixed + COOKIE_ADDR_LEN * n;
  if (cookie_get_auth(in + at, body - at, NULL) != 0)
    return CSCTP_ERR_MALFORMED;
  csctp_hmac_sha256(key, CSCTP_COOKIE_KEY_LEN, in, body, mac);
  if (!csctp_memeq_ct(mac, in + body, sizeof(mac)))
    return CSCTP_ERR_PROTO; /* 5.1.5 step 2 */
  memset(c, 0, sizeof(*c));
  c->created = cookie_get64(in + 4);
  c->lifetime = cookie_get64(in + 12);
  c->local_tag = csctp_get32(in + 20);
  c->peer_tag = csctp_get32(in + 24);
  c->local_tsn = csctp_get32(in + 28);
  c->peer_tsn = csctp_get32(in + 32);
  c->peer_rwnd = csctp_get32(in + 36);
  c->ostreams = csctp_get16(in + 40);
  c->istreams = csctp_get16(in + 42);
  c->local_port = csctp_get16(in + 44);
  c->peer_port = csctp_get16(in + 46);
  c->local_tie_tag = csctp_get32(in + 48);
  c->peer_tie_tag = csctp_get32(in + 52);
  if (cookie_get_addr(in + 56, &c->src) != 0)
    return CSCTP_ERR_MALFORMED;
  c->naddrs = (uint8_t)n;
  c->pr = in[fixed - 2] >> 7;
  c->reconf = (in[fixed - 2] >> 6) & 1u;
  c->idata = (in[fixed - 2] >> 5) & 1u;
  c->zcsum = in[fixed - 1] & 1u;
  for (size_t i = 0; i < n; i++)
    if (cookie_get_addr(in + fixed + COOKIE_ADDR_LEN * i, &c->addrs[i]) != 0)
      return CSCTP_ERR_MALFORMED;
  return cookie_get_auth(in + at, body - at, c);
}
