/* auth.c -- Authenticated Chunks for SCTP (RFC 4895): parameters, key
 * vectors and association shared keys (6.1), sending (6.2) and receiving
 * (6.3) AUTH chunks, shared keys (RFC 6458 8.1.18, 8.3.3-8.3.5).
 *
 *  AUTH chunk (RFC 4895 5.1):
 *  | Type = 0x0F   |   Flags=0     |             Length            |
 *  |    Shared Key Identifier      |        HMAC Identifier        |
 *  \                             HMAC                              /
 */
#include "config.h"

#include "auth.h"

#include "engine.h"
#include "mem.h"
#include "sha1.h"
#include "sha256.h"

#include <string.h>

/* ---- HMAC ----------------------------------------------------------------
 */

size_t csctp_auth_hmac_len(uint16_t id) {
  switch (id) {
  case CSCTP_AUTH_HMAC_SHA1:
    return CSCTP_SHA1_DIGEST_LEN;
  case CSCTP_AUTH_HMAC_SHA256:
    return CSCTP_SHA256_DIGEST_LEN;
  default:
    return 0;
  }
}

size_t csctp_auth_hmac(uint16_t id, const uint8_t *key, size_t keylen,
                       const uint8_t *data, size_t len, uint8_t *out) {
  switch (id) {
  case CSCTP_AUTH_HMAC_SHA1:
    csctp_hmac_sha1(key, keylen, data, len, out);
    return CSCTP_SHA1_DIGEST_LEN;
  case CSCTP_AUTH_HMAC_SHA256:
    csctp_hmac_sha256(key, keylen, data, len, out);
    return CSCTP_SHA256_DIGEST_LEN;
  default:
    return 0;
  }
}

/* ---- Key rings ----------------------------------------------------------- */

static csctp_auth_key *auth_ring_find(csctp_auth_keyring *r, uint16_t id) {
  for (int i = 0; i < r->nkeys; i++)
    if (r->keys[i].id == id)
      return &r->keys[i];
  return NULL;
}

static void auth_ring_free(csctp_mem *mem, csctp_auth_keyring *r) {
  for (int i = 0; i < r->nkeys; i++) {
    if (r->keys[i].key) {
      memset(r->keys[i].key, 0, r->keys[i].len);
      csctp_free(mem, r->keys[i].key);
    }
  }
  memset(r, 0, sizeof(*r));
}

/* RFC 6458 8.3.3: a key of an existing identifier replaces the old one. */
static int auth_ring_set(csctp_mem *mem, csctp_auth_keyring *r, uint16_t id,
                         const uint8_t *key, size_t len) {
  if (len > CSCTP_AUTH_MAX_KEY_LEN || (len > 0 && !key))
    return CSCTP_ERR_INVAL;
  csctp_auth_key *k = auth_ring_find(r, id);
  if (!k && r->nkeys >= CSCTP_AUTH_MAX_KEYS)
    return CSCTP_ERR_LIMIT;
  uint8_t *copy = NULL;
  if (len > 0) {
    copy = csctp_malloc(mem, len);
    if (!copy)
      return CSCTP_ERR_NOMEM;
    memcpy(copy, key, len);
  }
  if (!k) {
    k = &r->keys[r->nkeys++];
  } else if (k->key) {
    memset(k->key, 0, k->len);
    csctp_free(mem, k->key);
  }
  k->id = id;
  k->key = copy;
  k->len = (uint16_t)len;
  k->deactivated = 0;
  return 0;
}

static int auth_ring_copy(csctp_mem *mem, csctp_auth_keyring *dst,
                          const csctp_auth_keyring *src) {
  memset(dst, 0, sizeof(*dst));
  for (int i = 0; i < src->nkeys; i++) {
    const csctp_auth_key *k = &src->keys[i];
    int rv = auth_ring_set(mem, dst, k->id, k->key, k->len);
    if (rv != 0) {
      auth_ring_free(mem, dst);
      return rv;
    }
    dst->keys[dst->nkeys - 1].deactivated = k->deactivated;
  }
  dst->active = src->active;
  return 0;
}

/* RFC 6458 8.1.18: the key must exist (and still be usable for sending). */
static int auth_ring_activate(csctp_auth_keyring *r, uint16_t id) {
  csctp_auth_key *k = auth_ring_find(r, id);
  if (!k)
    return CSCTP_ERR_NOT_FOUND;
  if (k->deactivated)
    return CSCTP_ERR_STATE;
  r->active = id;
  return 0;
}

/* RFC 6458 8.3.4: "The currently active key cannot be deactivated." */
static int auth_ring_deactivate(csctp_auth_keyring *r, uint16_t id) {
  csctp_auth_key *k = auth_ring_find(r, id);
  if (!k)
    return CSCTP_ERR_NOT_FOUND;
  if (r->active == id)
    return CSCTP_ERR_STATE;
  k->deactivated = 1;
  return 0;
}

/* RFC 6458 8.3.5: only a deactivated key may be deleted. */
static int auth_ring_delete(csctp_mem *mem, csctp_auth_keyring *r,
                            uint16_t id) {
  csctp_auth_key *k = auth_ring_find(r, id);
  if (!k)
    return CSCTP_ERR_NOT_FOUND;
  if (r->active == id || !k->deactivated)
    return CSCTP_ERR_STATE;
  if (k->key) {
    memset(k->key, 0, k->len);
    csctp_free(mem, k->key);
  }
  *k = r->keys[--r->nkeys];
  memset(&r->keys[r->nkeys], 0, sizeof(r->keys[0]));
  return 0;
}

/* ---- Endpoint configuration ---------------------------------------------- */

csctp_auth_ep *csctp_auth_ep_get(csctp_endpoint *ep) {
  if (ep->auth)
    return ep->auth;
  csctp_auth_ep *e = csctp_calloc(&ep->mem, 1, sizeof(*e));
  if (!e)
    return NULL;
  /* RFC 4895 6.1: SHA-1 must be listed; SHA-256 first, preferred. */
  e->hmacs[0] = CSCTP_AUTH_HMAC_SHA256;
  e->hmacs[1] = CSCTP_AUTH_HMAC_SHA1;
  e->nhmacs = 2;
  /* RFC 6458 8.1.18: key 0, a null key, is active at first. */
  e->ring.nkeys = 1;
  e->ring.active = 0;
  ep->auth = e;
  return e;
}

void csctp_auth_ep_free(csctp_mem *mem, csctp_auth_ep *e) {
  if (!e)
    return;
  auth_ring_free(mem, &e->ring);
  csctp_free(mem, e);
}

int csctp_auth_ep_enabled(const csctp_endpoint *ep) {
  return ep->auth && ep->auth->enabled;
}

uint32_t csctp_auth_ep_overhead(const csctp_endpoint *ep) {
  return csctp_auth_ep_enabled(ep) ? CSCTP_AUTH_CHUNK_MAX : 0;
}

static int auth_bit(const uint8_t *map, uint8_t type) {
  return (map[type >> 3] >> (type & 7)) & 1;
}

static void auth_set_bit(uint8_t *map, uint8_t type) {
  map[type >> 3] |= (uint8_t)(1u << (type & 7));
}

/* RFC 4895 3.2: these are never listed (and ignored when received). */
static int auth_never_listed(uint8_t type) {
  return type == CSCTP_CT_INIT || type == CSCTP_CT_INIT_ACK ||
         type == CSCTP_CT_SHUTDOWN_COMPLETE || type == CSCTP_CT_AUTH;
}

int csctp_auth_enable(csctp_endpoint *ep, int enable) {
  if (!ep)
    return CSCTP_ERR_INVAL;
  if (!enable && !ep->auth)
    return 0;
  csctp_auth_ep *e = csctp_auth_ep_get(ep);
  if (!e)
    return CSCTP_ERR_NOMEM;
  e->enabled = enable != 0;
  return 0;
}

int csctp_auth_add_chunk(csctp_endpoint *ep, uint8_t type) {
  if (!ep || auth_never_listed(type))
    return CSCTP_ERR_INVAL; /* RFC 6458 8.3.2, RFC 4895 3.2 */
  csctp_auth_ep *e = csctp_auth_ep_get(ep);
  if (!e)
    return CSCTP_ERR_NOMEM;
  auth_set_bit(e->chunks, type);
  e->enabled = 1;
  return 0;
}

int csctp_auth_set_hmacs(csctp_endpoint *ep, const uint16_t *ids, size_t n) {
  if (!ep || !ids || n == 0 || n > CSCTP_AUTH_MAX_HMACS)
    return CSCTP_ERR_INVAL;
  int sha1 = 0;
  for (size_t i = 0; i < n; i++) {
    if (csctp_auth_hmac_len(ids[i]) == 0)
      return CSCTP_ERR_INVAL;
    for (size_t j = 0; j < i; j++)
      if (ids[j] == ids[i])
        return CSCTP_ERR_INVAL;
    sha1 |= ids[i] == CSCTP_AUTH_HMAC_SHA1;
  }
  if (!sha1)
    return CSCTP_ERR_INVAL; /* RFC 4895 6.1: SHA-1 MUST be included */
  csctp_auth_ep *e = csctp_auth_ep_get(ep);
  if (!e)
    return CSCTP_ERR_NOMEM;
  memcpy(e->hmacs, ids, n * sizeof(ids[0]));
  e->nhmacs = (uint8_t)n;
  return 0;
}

/* ---- Key vectors (6.1) --------------------------------------------------- */

/* Appends one parameter TLV without padding to a vector. */
static size_t auth_vec_param(uint8_t *vec, size_t off, uint16_t type,
                             const uint8_t *value, size_t len) {
  csctp_put16(vec + off, type);
  csctp_put16(vec + off + 2, (uint16_t)(4 + len));
  if (len > 0)
    memcpy(vec + off + 4, value, len);
  return off + 4 + len;
}

int csctp_auth_make_vec(csctp_endpoint *ep, uint8_t *vec) {
  const csctp_auth_ep *e = ep->auth;
  if (!e)
    return CSCTP_ERR_STATE;
  uint8_t rnd[CSCTP_AUTH_RANDOM_LEN];
  if (csctp_ep_random(ep, rnd, sizeof(rnd)) != 0)
    return CSCTP_ERR_RANDOM;
  size_t off = auth_vec_param(vec, 0, CSCTP_PT_RANDOM, rnd, sizeof(rnd));
  uint8_t types[256];
  size_t n = 0;
  for (int t = 0; t < 256; t++)
    if (auth_bit(e->chunks, (uint8_t)t))
      types[n++] = (uint8_t)t;
  if (n > 0) /* 6.1: MAY be omitted when empty */
    off = auth_vec_param(vec, off, CSCTP_PT_CHUNK_LIST, types, n);
  uint8_t ids[2 * CSCTP_AUTH_MAX_HMACS];
  for (int i = 0; i < e->nhmacs; i++)
    csctp_put16(ids + 2 * i, e->hmacs[i]);
  off = auth_vec_param(vec, off, CSCTP_PT_HMAC_ALGO, ids, 2u * e->nhmacs);
  return (int)off;
}

int csctp_auth_put_vec(csctp_buf *b, const uint8_t *vec, size_t len) {
  size_t save = b->len;
  size_t off = 0;
  while (off + 4 <= len) {
    uint16_t type = csctp_get16(vec + off);
    uint16_t plen = csctp_get16(vec + off + 2);
    if (plen < 4 || off + plen > len)
      break;
    if (csctp_put_param(b, type, vec + off + 4, plen - 4u) != 0) {
      b->len = save;
      return CSCTP_ERR_NOBUF;
    }
    off += plen;
  }
  return 0; /* AUTH is listed by csctp_put_supported_ext */
}

int csctp_auth_peer_vec(const csctp_init *in, uint8_t *vec) {
  const csctp_tlv *found[3] = {NULL, NULL, NULL}; /* RANDOM CHUNKS HMAC */
  csctp_tlv ps[3];
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while (csctp_init_param_next(&it, &p) != CSCTP_PARAM_END) {
    int i = p.type == CSCTP_PT_RANDOM       ? 0
            : p.type == CSCTP_PT_CHUNK_LIST ? 1
            : p.type == CSCTP_PT_HMAC_ALGO  ? 2
                                            : -1;
    if (i < 0)
      continue;
    if (found[i])
      return CSCTP_ERR_PROTO; /* 3.1-3.3: each "MUST be included once" */
    ps[i] = p;
    found[i] = &ps[i];
  }
  if (!found[0] || !found[2])
    return 0; /* the peer does not offer AUTH */
  if (found[0]->value_len != CSCTP_AUTH_RANDOM_LEN)
    return CSCTP_ERR_PROTO; /* 6.1: abort with Protocol Violation */
  if ((found[1] && found[1]->value_len > 256) ||
      found[2]->value_len > 2 * CSCTP_AUTH_MAX_PEER_HMACS ||
      found[2]->value_len % 2 != 0)
    return CSCTP_ERR_PROTO; /* 3.2: at most 260 bytes */
  size_t off = 0;
  for (int i = 0; i < 3; i++)
    if (found[i])
      off = auth_vec_param(vec, off, found[i]->type, found[i]->value,
                           found[i]->value_len);
  return (int)off;
}

/* 6.1: "all numerical comparisons use network byte order to convert the
 * key vectors to a number": compare as unsigned big-endian integers, so
 * leading zero bytes do not count. Returns <0, 0, >0. */
static int auth_vec_cmp(const uint8_t *a, size_t la, const uint8_t *b,
                        size_t lb) {
  while (la > lb) {
    if (*a)
      return 1;
    a++;
    la--;
  }
  while (lb > la) {
    if (*b)
      return -1;
    b++;
    lb--;
  }
  return memcmp(a, b, la);
}

size_t csctp_auth_assoc_key(const uint8_t *key, size_t keylen,
                            const uint8_t *v1, size_t len1, const uint8_t *v2,
                            size_t len2, uint8_t *out) {
  int c = auth_vec_cmp(v1, len1, v2, len2);
  /* 6.1: numerically smaller first; equal as numbers but of different
   * lengths: the shorter first; identical: either order. */
  int v1_first = c < 0 || (c == 0 && len1 <= len2);
  const uint8_t *first = v1_first ? v1 : v2, *second = v1_first ? v2 : v1;
  size_t lf = v1_first ? len1 : len2, ls = v1_first ? len2 : len1;
  size_t off = 0;
  if (keylen > 0)
    memcpy(out, key, keylen);
  off += keylen;
  memcpy(out + off, first, lf);
  off += lf;
  memcpy(out + off, second, ls);
  return off + ls;
}

/* Finds parameter type in a key vector; its value and length. */
static const uint8_t *auth_vec_find(const uint8_t *vec, size_t len,
                                    uint16_t type, size_t *vlen) {
  size_t off = 0;
  while (off + 4 <= len) {
    uint16_t t = csctp_get16(vec + off);
    uint16_t plen = csctp_get16(vec + off + 2);
    if (plen < 4 || off + plen > len)
      return NULL;
    if (t == type) {
      *vlen = plen - 4u;
      return vec + off + 4;
    }
    off += plen;
  }
  return NULL;
}

/* CHUNKS of a vector as a bitmap; 3.2: INIT, INIT ACK, SHUTDOWN COMPLETE
 * and AUTH are ignored when listed. */
static void auth_vec_chunks(const uint8_t *vec, size_t len, uint8_t *map) {
  size_t n = 0;
  const uint8_t *v = auth_vec_find(vec, len, CSCTP_PT_CHUNK_LIST, &n);
  memset(map, 0, 32);
  for (size_t i = 0; v && i < n; i++)
    if (!auth_never_listed(v[i]))
      auth_set_bit(map, v[i]);
}

/* ---- Associations -------------------------------------------------------- */

static csctp_auth_assoc *auth_of(const csctp_assoc *a) { return a->auth; }

int csctp_auth_on(const csctp_assoc *a) {
  return a->auth != NULL && a->auth->on;
}

void csctp_auth_assoc_free(csctp_assoc *a) {
  if (!a->auth)
    return;
  auth_ring_free(&a->ep->mem, &a->auth->ring);
  csctp_free(&a->ep->mem, a->auth);
  a->auth = NULL;
}

/* a's AUTH state, made with the endpoint's keys if it has none yet. */
static csctp_auth_assoc *auth_assoc_get(csctp_assoc *a) {
  if (a->auth)
    return a->auth;
  if (!a->ep->auth)
    return NULL;
  csctp_auth_assoc *s = csctp_calloc(&a->ep->mem, 1, sizeof(*s));
  if (!s)
    return NULL;
  if (auth_ring_copy(&a->ep->mem, &s->ring, &a->ep->auth->ring) != 0) {
    csctp_free(&a->ep->mem, s);
    return NULL;
  }
  a->auth = s;
  return s;
}

int csctp_auth_put_init(csctp_assoc *a, csctp_buf *b) {
  if (!csctp_auth_ep_enabled(a->ep))
    return 0;
  csctp_auth_assoc *s = auth_assoc_get(a);
  if (!s)
    return CSCTP_ERR_NOMEM;
  int n = csctp_auth_make_vec(a->ep, s->local_vec);
  if (n < 0)
    return n;
  s->local_len = (uint16_t)n;
  s->on = 0;
  return csctp_auth_put_vec(b, s->local_vec, s->local_len);
}

int csctp_auth_on_init_ack(csctp_assoc *a, const csctp_init *in) {
  csctp_auth_assoc *s = a->auth;
  if (!s || s->local_len == 0)
    return 0; /* we did not offer AUTH: its parameters are ignored */
  uint8_t peer[CSCTP_AUTH_VEC_MAX];
  int n = csctp_auth_peer_vec(in, peer);
  if (n <= 0)
    return n;
  return csctp_auth_assoc_setup(a, s->local_vec, s->local_len, peer, (size_t)n);
}

int csctp_auth_assoc_setup(csctp_assoc *a, const uint8_t *local,
                           size_t local_len, const uint8_t *peer,
                           size_t peer_len) {
  if (a->auth)
    a->auth->on = 0;
  if (peer_len == 0 || local_len == 0 || !a->ep->auth)
    return 0;
  size_t n = 0;
  const uint8_t *ids = auth_vec_find(peer, peer_len, CSCTP_PT_HMAC_ALGO, &n);
  uint16_t pick = 0;
  /* 6.1: "The receiver of an HMAC-ALGO parameter SHOULD use the first
   * listed algorithm it supports." */
  for (size_t i = 0; ids && i + 2 <= n && !pick; i += 2)
    if (csctp_auth_hmac_len(csctp_get16(ids + i)))
      pick = csctp_get16(ids + i);
  if (!pick)
    return CSCTP_ERR_PROTO;
  csctp_auth_assoc *s = auth_assoc_get(a);
  if (!s)
    return CSCTP_ERR_NOMEM;
  s->on = 1;
  s->send_hmac = pick;
  s->nlocal_hmacs = 0;
  memmove(s->local_vec, local, local_len);
  s->local_len = (uint16_t)local_len;
  memcpy(s->peer_vec, peer, peer_len);
  s->peer_len = (uint16_t)peer_len;
  auth_vec_chunks(local, local_len, s->local_chunks);
  auth_vec_chunks(peer, peer_len, s->peer_chunks);
  ids = auth_vec_find(local, local_len, CSCTP_PT_HMAC_ALGO, &n);
  for (size_t i = 0; ids && i + 2 <= n; i += 2)
    if (s->nlocal_hmacs < CSCTP_AUTH_MAX_PEER_HMACS)
      s->local_hmacs[s->nlocal_hmacs++] = csctp_get16(ids + i);
  return 0;
}

size_t csctp_auth_reserve(const csctp_assoc *a) {
  const csctp_auth_assoc *s = auth_of(a);
  if (!s || !s->on)
    return 0;
  for (int i = 0; i < 32; i++)
    if (s->peer_chunks[i])
      return 8 + csctp_auth_hmac_len(s->send_hmac);
  return 0;
}

/* The association shared key of keyring entry k (6.1). */
static size_t auth_key_of(const csctp_auth_assoc *s, const csctp_auth_key *k,
                          uint8_t *out) {
  return csctp_auth_assoc_key(k->key, k->len, s->local_vec, s->local_len,
                              s->peer_vec, s->peer_len, out);
}

#define AUTH_KEY_BUF (CSCTP_AUTH_MAX_KEY_LEN + 2 * CSCTP_AUTH_VEC_MAX)

/* 6.2, Figure 6: HMAC over the AUTH chunk with a zero HMAC field followed
 * by every chunk after it, padding included. auth points at the chunk. */
static size_t auth_compute(uint16_t hmac, const uint8_t *key, size_t keylen,
                           const uint8_t *auth, const uint8_t *end,
                           uint8_t *mac) {
  size_t hl = csctp_auth_hmac_len(hmac);
  uint8_t zero[CSCTP_SHA256_DIGEST_LEN];
  memset(zero, 0, sizeof(zero));
  const uint8_t *after = auth + 8 + hl;
  if (hmac == CSCTP_AUTH_HMAC_SHA1) {
    csctp_hmac_sha1_ctx c;
    csctp_hmac_sha1_init(&c, key, keylen);
    csctp_hmac_sha1_update(&c, auth, 8);
    csctp_hmac_sha1_update(&c, zero, hl);
    csctp_hmac_sha1_update(&c, after, (size_t)(end - after));
    csctp_hmac_sha1_final(&c, mac);
    return hl;
  }
  if (hmac == CSCTP_AUTH_HMAC_SHA256) {
    csctp_hmac_sha256_ctx c;
    csctp_hmac_sha256_init(&c, key, keylen);
    csctp_hmac_sha256_update(&c, auth, 8);
    csctp_hmac_sha256_update(&c, zero, hl);
    csctp_hmac_sha256_update(&c, after, (size_t)(end - after));
    csctp_hmac_sha256_final(&c, mac);
    return hl;
  }
  return 0;
}

int csctp_auth_sign(const csctp_assoc *a, uint8_t *pkt, size_t *len,
                    size_t cap) {
  const csctp_auth_assoc *s = auth_of(a);
  if (!s || !s->on || *len <= CSCTP_COMMON_HDR_LEN)
    return 0;
  csctp_tlv_iter it;
  csctp_tlv c;
  const uint8_t *first = NULL;
  csctp_tlv_iter_init(&it, pkt + CSCTP_COMMON_HDR_LEN,
                      *len - CSCTP_COMMON_HDR_LEN);
  while (!first && csctp_chunk_next(&it, &c) == 1)
    if (auth_bit(s->peer_chunks, (uint8_t)c.type))
      first = c.raw; /* 6.2: requested chunks go after the AUTH chunk */
  if (!first)
    return 0;
  const csctp_auth_key *k =
      auth_ring_find((csctp_auth_keyring *)&s->ring, s->ring.active);
  if (!k)
    return CSCTP_ERR_STATE;
  size_t hl = csctp_auth_hmac_len(s->send_hmac);
  size_t alen = 8 + hl; /* 20 and 32 are multiples of 4: no padding */
  if (*len + alen > cap)
    return CSCTP_ERR_NOBUF;
  size_t at = (size_t)(first - pkt);
  memmove(pkt + at + alen, pkt + at, *len - at);
  uint8_t *auth = pkt + at;
  auth[0] = CSCTP_CT_AUTH;
  auth[1] = 0;
  csctp_put16(auth + 2, (uint16_t)alen);
  csctp_put16(auth + 4, k->id);
  csctp_put16(auth + 6, s->send_hmac);
  *len += alen;
  uint8_t key[AUTH_KEY_BUF];
  size_t kl = auth_key_of(s, k, key);
  uint8_t mac[CSCTP_SHA256_DIGEST_LEN];
  auth_compute(s->send_hmac, key, kl, auth, pkt + *len, mac);
  memcpy(auth + 8, mac, hl);
  memset(key, 0, kl);
  return 0;
}

int csctp_auth_input_begin(csctp_assoc *a) {
  csctp_auth_assoc *s = auth_of(a);
  if (!s)
    return 0;
  int v = s->preverified;
  s->preverified = 0;
  return v;
}

int csctp_auth_required(const csctp_assoc *a, uint8_t type) {
  const csctp_auth_assoc *s = auth_of(a);
  return s && s->on && auth_bit(s->local_chunks, type);
}

/* 6.3: the HMAC id must be one we listed; the key one we have; the MAC
 * right. Returns 1 when authentic, 0 to discard, -1 for an unsupported
 * HMAC id (to report). */
static int auth_verify(const uint16_t *hmacs, size_t nhmacs,
                       const csctp_auth_keyring *ring, const uint8_t *lv,
                       size_t ll, const uint8_t *pv, size_t pl,
                       const csctp_tlv *c, const uint8_t *end) {
  if (c->value_len < 4)
    return 0;
  uint16_t keyid = csctp_get16(c->value);
  uint16_t hmac = csctp_get16(c->value + 2);
  int listed = 0;
  for (size_t i = 0; i < nhmacs; i++)
    listed |= hmacs[i] == hmac;
  size_t hl = csctp_auth_hmac_len(hmac);
  if (!listed || hl == 0)
    return -1;
  if (c->value_len != 4 + hl || c->raw + 8 + hl > end)
    return 0;
  const csctp_auth_key *k = auth_ring_find((csctp_auth_keyring *)ring, keyid);
  if (!k)
    return 0; /* 6.3: no such key: silently discard */
  uint8_t key[AUTH_KEY_BUF];
  size_t kl = csctp_auth_assoc_key(k->key, k->len, lv, ll, pv, pl, key);
  uint8_t mac[CSCTP_SHA256_DIGEST_LEN];
  auth_compute(hmac, key, kl, c->raw, end, mac);
  memset(key, 0, kl);
  return csctp_memeq_ct(mac, c->value + 4, hl);
}

static void auth_event(csctp_assoc *a, uint32_t indication, uint16_t key) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_AUTHENTICATION;
  ev.assoc_id = a->id;
  ev.u.auth.keynumber = key;
  ev.u.auth.indication = indication;
  csctp_ep_push_event(a->ep, &ev);
}

int csctp_auth_on_chunk(csctp_assoc *a, const csctp_tlv *c,
                        const uint8_t *end) {
  csctp_auth_assoc *s = auth_of(a);
  if (!s || !s->on)
    return 0; /* AUTH not negotiated: nothing after it is trusted */
  int rv = auth_verify(s->local_hmacs, s->nlocal_hmacs, &s->ring, s->local_vec,
                       s->local_len, s->peer_vec, s->peer_len, c, end);
  if (rv < 0) {
    /* 6.3: discard, and SHOULD send an ERROR with the cause of 4.1. */
    uint8_t v[2];
    memcpy(v, c->value_len >= 4 ? c->value + 2 : (const uint8_t *)"\0\0", 2);
    csctp_assoc_queue_error(a, CSCTP_CAUSE_UNSUPPORTED_HMAC, v, 2);
    return 0;
  }
  if (rv == 0)
    return 0;
  uint16_t keyid = csctp_get16(c->value);
  /* RFC 6458 6.1.8: the peer uses a key for the first time (key 0, the
   * null key, is the one in use at first). */
  if (s->last_rx_key != keyid) {
    auth_event(a, CSCTP_AUTH_NEW_KEY, keyid);
    s->last_rx_key = keyid;
  }
  return 1;
}

int csctp_auth_check_with_vecs(csctp_endpoint *ep, const uint8_t *local,
                               size_t local_len, const uint8_t *peer,
                               size_t peer_len, const csctp_tlv *c,
                               const uint8_t *end) {
  if (!ep->auth || local_len == 0 || peer_len == 0)
    return 0;
  uint16_t hmacs[CSCTP_AUTH_MAX_PEER_HMACS];
  size_t nh = 0, n = 0;
  const uint8_t *ids = auth_vec_find(local, local_len, CSCTP_PT_HMAC_ALGO, &n);
  for (size_t i = 0; ids && i + 2 <= n && nh < CSCTP_AUTH_MAX_PEER_HMACS;
       i += 2)
    hmacs[nh++] = csctp_get16(ids + i);
  return auth_verify(hmacs, nh, &ep->auth->ring, local, local_len, peer,
                     peer_len, c, end) == 1;
}

void csctp_auth_on_up(csctp_assoc *a) {
  if (csctp_auth_ep_enabled(a->ep) && !csctp_auth_on(a))
    auth_event(a, CSCTP_AUTH_NO_AUTH, 0); /* RFC 6458 6.1.8 */
}

/* ---- Public key management ----------------------------------------------- */

/* The key ring an id names: the endpoint's (id 0) or an association's. */
static int auth_ring_of(csctp_endpoint *ep, csctp_assoc_id id,
                        csctp_auth_keyring **r, csctp_assoc **pa) {
  *pa = NULL;
  if (!ep)
    return CSCTP_ERR_INVAL;
  if (id == 0) {
    csctp_auth_ep *e = csctp_auth_ep_get(ep);
    if (!e)
      return CSCTP_ERR_NOMEM;
    *r = &e->ring;
    return 0;
  }
  csctp_assoc *a = csctp_ep_peek(ep, id);
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (!csctp_auth_on(a))
    return CSCTP_ERR_STATE;
  *r = &a->auth->ring;
  *pa = a;
  return 0;
}

int csctp_auth_set_key(csctp_endpoint *ep, csctp_assoc_id id, uint16_t keyid,
                       const uint8_t *key, size_t len) {
  csctp_auth_keyring *r;
  csctp_assoc *a;
  int rv = auth_ring_of(ep, id, &r, &a);
  return rv != 0 ? rv : auth_ring_set(&ep->mem, r, keyid, key, len);
}

int csctp_auth_set_active_key(csctp_endpoint *ep, csctp_assoc_id id,
                              uint16_t keyid) {
  csctp_auth_keyring *r;
  csctp_assoc *a;
  int rv = auth_ring_of(ep, id, &r, &a);
  if (rv == 0)
    rv = auth_ring_activate(r, keyid);
  if (rv == 0 && a)
    csctp_ep_touch(a);
  return rv;
}

int csctp_auth_get_active_key(const csctp_endpoint *ep, csctp_assoc_id id,
                              uint16_t *keyid) {
  if (!ep || !keyid)
    return CSCTP_ERR_INVAL;
  if (id == 0) {
    *keyid = ep->auth ? ep->auth->ring.active : 0;
    return 0;
  }
  const csctp_assoc *a = csctp_ep_peek(ep, id);
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (!csctp_auth_on(a))
    return CSCTP_ERR_STATE;
  *keyid = a->auth->ring.active;
  return 0;
}

int csctp_auth_deactivate_key(csctp_endpoint *ep, csctp_assoc_id id,
                              uint16_t keyid) {
  csctp_auth_keyring *r;
  csctp_assoc *a;
  int rv = auth_ring_of(ep, id, &r, &a);
  if (rv == 0)
    rv = auth_ring_deactivate(r, keyid);
  /* RFC 6458 6.1.8: packets are built when they leave, never kept with a
   * MAC, so the key is free at once. */
  if (rv == 0 && a)
    auth_event(a, CSCTP_AUTH_FREE_KEY, keyid);
  return rv;
}

int csctp_auth_delete_key(csctp_endpoint *ep, csctp_assoc_id id,
                          uint16_t keyid) {
  csctp_auth_keyring *r;
  csctp_assoc *a;
  int rv = auth_ring_of(ep, id, &r, &a);
  return rv != 0 ? rv : auth_ring_delete(&ep->mem, r, keyid);
}

int csctp_auth_chunks(const csctp_endpoint *ep, csctp_assoc_id id, int peer,
                      uint8_t *types, size_t max) {
  if (!ep || (max > 0 && !types))
    return CSCTP_ERR_INVAL;
  const uint8_t *map;
  if (id == 0) {
    if (peer)
      return CSCTP_ERR_INVAL;
    static const uint8_t none[32];
    map = ep->auth ? ep->auth->chunks : none;
  } else {
    const csctp_assoc *a = csctp_ep_peek(ep, id);
    if (!a)
      return CSCTP_ERR_NOT_FOUND;
    if (!csctp_auth_on(a))
      return CSCTP_ERR_STATE;
    map = peer ? a->auth->peer_chunks : a->auth->local_chunks;
  }
  size_t n = 0;
  for (int t = 0; t < 256; t++) {
    if (!auth_bit(map, (uint8_t)t))
      continue;
    if (n < max)
      types[n] = (uint8_t)t;
    n++;
  }
  return (int)n;
}

int csctp_auth_vec_lists(const uint8_t *vec, size_t len, uint8_t type) {
  uint8_t map[32];
  auth_vec_chunks(vec, len, map);
  return auth_bit(map, type);
}

void csctp_auth_sign_ctrl(const csctp_assoc *a, uint8_t *pkt, size_t *len,
                          size_t cap) {
  size_t l = *len;
  if (csctp_auth_sign(a, pkt, &l, cap) != 0 || l == *len)
    return;
  csctp_buf b;
  csctp_buf_init(&b, pkt, cap);
  b.len = l;
  *len = csctp_pkt_finish(&b);
}

_Static_assert(CSCTP_AUTH_VEC_MAX == CSCTP_COOKIE_AUTH_VEC_MAX,
               "the cookie keeps whole AUTH key vectors");
