/* test_auth.c -- Authenticated Chunks (RFC 4895, auth.c): the key vectors
 * and association shared key of 6.1, the parameters of 3.1-3.3, the AUTH
 * chunk placement and HMAC of 6.2, the receiving rules of 6.3 (including
 * the COOKIE ECHO case), and the shared key calls and events of RFC 6458
 * (8.1.18, 8.3.2-8.3.5, 6.1.8), through two endpoints joined back to back
 * with a link that lets a test look at and change every packet. */
#include "config.h"

#include "csctp.h"
#include "csctp_io.h"
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>

#include "../auth.h"
#include "../chunk.h"
#include "../crc32c.h"
#include "../sha1.h"
#include "../sha256.h"
#include "sim.h"

/* ---- 6.1: association shared key ---------------------------------------- */

/* "...selecting the numerically smaller key vector and concatenating it to
 * the endpoint pair shared key, and then concatenating the numerically
 * larger key vector to that." */
static void test_assoc_key_smaller_vector_first(void) {
  uint8_t key[3] = {0xaa, 0xbb, 0xcc};
  uint8_t small[4] = {0x80, 0x02, 0x00, 0x05};
  uint8_t large[4] = {0x80, 0x02, 0x00, 0x06};
  uint8_t out[64];
  size_t n = csctp_auth_assoc_key(key, 3, large, 4, small, 4, out);
  REQUIRE(n == 11);
  uint8_t want[11] = {0xaa, 0xbb, 0xcc, 0x80, 0x02, 0x00,
                      0x05, 0x80, 0x02, 0x00, 0x06};
  CHECK_MEM(out, want, 11);
  /* The order the vectors are given in does not matter. */
  uint8_t out2[64];
  CHECK_EQ(csctp_auth_assoc_key(key, 3, small, 4, large, 4, out2), 11);
  CHECK_MEM(out2, want, 11);
}

/* "If the key vectors are equal as numbers but differ in length, then the
 * concatenation order is the endpoint shared key, followed by the shorter
 * key vector, followed by the longer key vector." "...all numerical
 * comparisons use network byte order": 00 00 01 02 equals 01 02. */
static void test_assoc_key_equal_numbers_shorter_first(void) {
  uint8_t shorter[2] = {0x01, 0x02};
  uint8_t longer[4] = {0x00, 0x00, 0x01, 0x02};
  uint8_t out[16];
  CHECK_EQ(csctp_auth_assoc_key(NULL, 0, longer, 4, shorter, 2, out), 6);
  uint8_t want[6] = {0x01, 0x02, 0x00, 0x00, 0x01, 0x02};
  CHECK_MEM(out, want, 6);
  CHECK_EQ(csctp_auth_assoc_key(NULL, 0, shorter, 2, longer, 4, out), 6);
  CHECK_MEM(out, want, 6);
  /* A longer vector with a leading non-zero byte is the larger number. */
  uint8_t big[3] = {0x01, 0x00, 0x00};
  uint8_t small[2] = {0xff, 0xff};
  CHECK_EQ(csctp_auth_assoc_key(NULL, 0, big, 3, small, 2, out), 5);
  uint8_t want2[5] = {0xff, 0xff, 0x01, 0x00, 0x00};
  CHECK_MEM(out, want2, 5);
}

/* "If there is no endpoint pair shared key, only one association shared
 * key is computed by using an empty byte vector": the key is the two
 * vectors alone; identical vectors in any order. */
static void test_assoc_key_empty_shared_key(void) {
  uint8_t v[4] = {1, 2, 3, 4};
  uint8_t out[16];
  CHECK_EQ(csctp_auth_assoc_key(NULL, 0, v, 4, v, 4, out), 8);
  uint8_t want[8] = {1, 2, 3, 4, 1, 2, 3, 4};
  CHECK_MEM(out, want, 8);
}

/* ---- 3.1-3.3, 6.1: parameters and key vectors --------------------------- */

/* An INIT whose parameters are given as wire bytes. */
static void init_with_params(csctp_init *in, const uint8_t *params,
                             size_t len) {
  memset(in, 0, sizeof(*in));
  in->params = params;
  in->params_len = len;
}

/* "These parameters include the parameter type, parameter length, and the
 * parameter value, but padding is omitted", in the order RANDOM, CHUNKS,
 * HMAC-ALGO whatever their order in the chunk. */
static void test_peer_vector_drops_padding(void) {
  uint8_t p[36 + 8 + 8 + 8];
  size_t o = 0;
  /* HMAC-ALGO first on the wire: one id (SHA-1), 2 bytes of padding. */
  uint8_t h[8] = {0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0, 0};
  memcpy(p + o, h, 8);
  o += 8;
  /* CHUNKS: DATA (0) and ABORT (6) and SACK (3): length 7, one pad byte. */
  uint8_t c[8] = {0x80, 0x03, 0x00, 0x07, 0x00, 0x06, 0x03, 0};
  memcpy(p + o, c, 8);
  o += 8;
  /* RANDOM: 32 bytes. */
  p[o] = 0x80, p[o + 1] = 0x02, p[o + 2] = 0x00, p[o + 3] = 36;
  for (int i = 0; i < 32; i++)
    p[o + 4 + i] = (uint8_t)(0x40 + i);
  o += 36;
  csctp_init in;
  init_with_params(&in, p, o);
  uint8_t vec[CSCTP_AUTH_VEC_MAX];
  int n = csctp_auth_peer_vec(&in, vec);
  REQUIRE(n == 36 + 7 + 6);
  CHECK_MEM(vec, p + 16, 36);    /* RANDOM first */
  CHECK_MEM(vec + 36, c, 7);     /* CHUNKS without its pad byte */
  CHECK_MEM(vec + 36 + 7, h, 6); /* HMAC-ALGO without its padding */
  CHECK(csctp_auth_vec_lists(vec, (size_t)n, CSCTP_CT_ABORT));
  CHECK(csctp_auth_vec_lists(vec, (size_t)n, CSCTP_CT_DATA));
  CHECK(!csctp_auth_vec_lists(vec, (size_t)n, CSCTP_CT_HEARTBEAT));
}

/* 6.1: "If the Random Number is not 32 bytes, the association MUST be
 * aborted"; without RANDOM or HMAC-ALGO the peer does not offer AUTH. */
static void test_peer_vector_random_must_be_32(void) {
  uint8_t p[4 + 16 + 8];
  memset(p, 0, sizeof(p));
  p[0] = 0x80, p[1] = 0x02, p[3] = 20;
  uint8_t h[8] = {0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0, 0};
  memcpy(p + 20, h, 8);
  csctp_init in;
  uint8_t vec[CSCTP_AUTH_VEC_MAX];
  init_with_params(&in, p, sizeof(p));
  CHECK_EQ(csctp_auth_peer_vec(&in, vec), CSCTP_ERR_PROTO);
  init_with_params(&in, h, sizeof(h)); /* HMAC-ALGO alone */
  CHECK_EQ(csctp_auth_peer_vec(&in, vec), 0);
}

/* 3.2: "The chunk types for INIT, INIT-ACK, SHUTDOWN-COMPLETE, and AUTH
 * chunks MUST NOT be listed ... if a CHUNKS parameter is received then
 * the types ... MUST be ignored." RFC 6458 8.3.2: an error if asked. */
static void test_never_listed_chunks(void) {
  csctp_endpoint *ep;
  REQUIRE(csctp_endpoint_new(&ep, 1, NULL, NULL, NULL, NULL, 0) == 0);
  CHECK_EQ(csctp_auth_add_chunk(ep, CSCTP_CT_INIT), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_add_chunk(ep, CSCTP_CT_INIT_ACK), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_add_chunk(ep, CSCTP_CT_SHUTDOWN_COMPLETE),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_add_chunk(ep, CSCTP_CT_AUTH), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_add_chunk(ep, CSCTP_CT_DATA), 0);
  uint8_t types[8];
  CHECK_EQ(csctp_auth_chunks(ep, 0, 0, types, 8), 1);
  CHECK_EQ(types[0], CSCTP_CT_DATA);
  uint8_t v[8] = {0x80, 0x03, 0x00, 0x08, 1, 2, 14, 15};
  CHECK(!csctp_auth_vec_lists(v, 8, CSCTP_CT_INIT));
  CHECK(!csctp_auth_vec_lists(v, 8, CSCTP_CT_INIT_ACK));
  CHECK(!csctp_auth_vec_lists(v, 8, CSCTP_CT_SHUTDOWN_COMPLETE));
  CHECK(!csctp_auth_vec_lists(v, 8, CSCTP_CT_AUTH));
  csctp_endpoint_del(ep);
}

/* 6.1: "The HMAC algorithm based on SHA-1 MUST be supported and included
 * in the HMAC-ALGO parameter." */
static void test_hmac_list_needs_sha1(void) {
  csctp_endpoint *ep;
  REQUIRE(csctp_endpoint_new(&ep, 1, NULL, NULL, NULL, NULL, 0) == 0);
  uint16_t only256[1] = {CSCTP_AUTH_HMAC_SHA256};
  uint16_t unknown[2] = {CSCTP_AUTH_HMAC_SHA1, 2};
  uint16_t good[2] = {CSCTP_AUTH_HMAC_SHA1, CSCTP_AUTH_HMAC_SHA256};
  CHECK_EQ(csctp_auth_set_hmacs(ep, only256, 1), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_set_hmacs(ep, unknown, 2), CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_auth_set_hmacs(ep, good, 2), 0);
  csctp_endpoint_del(ep);
}

/* Table 2: id 1 is HMAC-SHA-1, id 3 HMAC-SHA-256 (RFC 2202 / RFC 4231
 * test case 2, key "Jefe"); ids 0 and 2 are reserved. */
static void test_hmac_ids(void) {
  const char *d = "what do ya want for nothing?";
  uint8_t out[32], want1[20], want3[32];
  csctp_hmac_sha1((const uint8_t *)"Jefe", 4, d, 28, want1);
  csctp_hmac_sha256((const uint8_t *)"Jefe", 4, d, 28, want3);
  CHECK_EQ(csctp_auth_hmac(1, (const uint8_t *)"Jefe", 4, (const uint8_t *)d,
                           28, out),
           20);
  CHECK_MEM(out, want1, 20);
  CHECK_EQ(csctp_auth_hmac(3, (const uint8_t *)"Jefe", 4, (const uint8_t *)d,
                           28, out),
           32);
  CHECK_MEM(out, want3, 32);
  uint8_t rfc4231_2[4] = {0x5b, 0xdc, 0xc1, 0x46}; /* first bytes */
  CHECK_MEM(out, rfc4231_2, 4);
  CHECK_EQ(csctp_auth_hmac_len(0), 0);
  CHECK_EQ(csctp_auth_hmac_len(2), 0);
}

/* ---- Two endpoints ------------------------------------------------------- */

typedef struct apair apair;
/* A tap sees each packet (to = the receiving endpoint) and may change it;
 * returning 0 drops it. */
typedef int (*tap_fn)(apair *p, int to_b, uint8_t *pkt, size_t *len);

struct apair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_tstamp now;
  tap_fn tap;
  int seen_auth_data;  /* packets with AUTH right before a DATA */
  int seen_plain_data; /* DATA with no AUTH before it */
  uint16_t last_key, last_hmac;
  int auth_before_cookie; /* AUTH first and COOKIE ECHO second */
};

static int arand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t aseed_a = 11, aseed_b = 22;

static void apair_init(apair *p) {
  memset(p, 0, sizeof(*p));
  p->addr_a.family = p->addr_b.family = CSCTP_AF_INET;
  p->addr_a.ip[0] = 10, p->addr_a.ip[3] = 1;
  p->addr_b.ip[0] = 10, p->addr_b.ip[3] = 2;
  p->now = 1000 * CSCTP_SECONDS;
  CHECK_EQ(csctp_endpoint_new(&p->a, 5000, NULL, NULL, arand, &aseed_a, p->now),
           0);
  CHECK_EQ(csctp_endpoint_new(&p->b, 6000, NULL, NULL, arand, &aseed_b, p->now),
           0);
  csctp_endpoint_listen(p->b, 1);
}

static void apair_del(apair *p) {
  csctp_endpoint_del(p->a);
  csctp_endpoint_del(p->b);
}

/* Looks at the chunks of a packet: where AUTH sits and what follows. */
static void note_packet(apair *p, const uint8_t *pkt, size_t len) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int prev_auth = 0, idx = 0, first_auth = 0;
  csctp_tlv_iter_init(&it, pkt + 12, len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_AUTH) {
      prev_auth = 1;
      first_auth = idx == 0;
      p->last_key = csctp_get16(c.value);
      p->last_hmac = csctp_get16(c.value + 2);
    } else if (c.type == CSCTP_CT_DATA) {
      if (prev_auth)
        p->seen_auth_data++;
      else
        p->seen_plain_data++;
      break;
    } else if (c.type == CSCTP_CT_COOKIE_ECHO && idx == 1 && first_auth) {
      p->auth_before_cookie = 1;
    }
    idx++;
  }
}

static int apair_flush(apair *p) {
  uint8_t buf[2048];
  int moved = 0;
  for (int round = 0; round < 200; round++) {
    int any = 0;
    for (int dir = 0; dir < 2; dir++) {
      csctp_endpoint *from = dir == 0 ? p->a : p->b;
      csctp_endpoint *to = dir == 0 ? p->b : p->a;
      csctp_addr dst, src;
      csctp_ssize n;
      while ((n = csctp_endpoint_write_pkt(from, &dst, &src, buf, sizeof(buf),
                                           p->now)) > 0) {
        size_t len = (size_t)n;
        any = 1;
        note_packet(p, buf, len);
        if (p->tap && !p->tap(p, dir == 0, buf, &len))
          continue;
        csctp_endpoint_read_pkt(to, dir == 0 ? &p->addr_a : &p->addr_b,
                                dir == 0 ? &p->addr_b : &p->addr_a, buf, len,
                                p->now);
        moved++;
      }
    }
    if (!any)
      break;
  }
  return moved;
}

static int count_events(csctp_endpoint *ep, uint32_t type, csctp_event *last) {
  csctp_event evs[64];
  size_t n = csctp_endpoint_poll_events(ep, evs, 64);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == type) {
      found++;
      if (last)
        *last = evs[i];
    }
    csctp_event_clear(ep, &evs[i]);
  }
  return found;
}

static csctp_assoc_id apair_connect(apair *p, csctp_assoc_id *bid) {
  csctp_assoc_id id = 0;
  csctp_addr to = p->addr_b;
  CHECK_EQ(csctp_connect(p->a, &to, 1, 6000, NULL, p->now, &id), 0);
  apair_flush(p);
  csctp_assoc_id ids[4];
  *bid = csctp_endpoint_assoc_ids(p->b, ids, 4) == 1 ? ids[0] : 0;
  return id;
}

static int send_msg(csctp_endpoint *ep, csctp_assoc_id id, const char *msg,
                    csctp_tstamp now) {
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = id;
  return csctp_send(ep, &si, NULL, (const uint8_t *)msg, strlen(msg), now);
}

static csctp_ssize recv_msg(csctp_endpoint *ep, csctp_assoc_id id, char *buf,
                            size_t cap, csctp_tstamp now) {
  csctp_rcvinfo ri;
  csctp_ssize n = csctp_recv(ep, id, &ri, (uint8_t *)buf, cap - 1, now);
  if (n >= 0)
    buf[n] = 0;
  return n;
}

/* Both ends offer AUTH; A (the client) wants DATA authenticated, B lists
 * nothing. */
static void apair_auth_data(apair *p) {
  apair_init(p);
  CHECK_EQ(csctp_auth_add_chunk(p->a, CSCTP_CT_DATA), 0);
  CHECK_EQ(csctp_auth_enable(p->b, 1), 0);
}

/* 6.2: "Endpoints MUST send all requested chunks that have been
 * authenticated": B's DATA goes after an AUTH chunk with the HMAC it picked
 * from A's list (SHA-256 listed first, 6.1 "first listed algorithm it
 * supports"), key id 0 (no shared key); A's DATA, which B did not ask
 * for, goes plain. */
static void test_data_authenticated_when_asked(void) {
  apair p;
  apair_auth_data(&p);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  CHECK_EQ(count_events(p.a, CSCTP_EV_ASSOC_UP, NULL), 1);
  uint8_t types[8];
  CHECK_EQ(csctp_auth_chunks(p.b, idb, 1, types, 8), 1); /* peer's list */
  CHECK_EQ(types[0], CSCTP_CT_DATA);
  CHECK_EQ(csctp_auth_chunks(p.a, ida, 1, types, 8), 0);
  CHECK_EQ(send_msg(p.b, idb, "to a", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.seen_auth_data, 1);
  CHECK_EQ(p.seen_plain_data, 0);
  CHECK_EQ(p.last_key, 0);
  CHECK_EQ(p.last_hmac, CSCTP_AUTH_HMAC_SHA256);
  char buf[64];
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 4);
  CHECK(strcmp(buf, "to a") == 0);
  CHECK_EQ(send_msg(p.a, ida, "to b", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.seen_plain_data, 1);
  CHECK_EQ(recv_msg(p.b, idb, buf, sizeof(buf), p.now), 4);
  apair_del(&p);
}

/* A tap that removes the AUTH chunk from packets to A (and fixes the
 * checksum): the DATA arrives unauthenticated. */
static int tap_strip_auth(apair *p, int to_b, uint8_t *pkt, size_t *len) {
  (void)p;
  if (to_b)
    return 1;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, *len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type != CSCTP_CT_AUTH)
      continue;
    size_t at = (size_t)(c.raw - pkt), l = CSCTP_PAD4(c.length);
    memmove(pkt + at, pkt + at + l, *len - at - l);
    *len -= l;
    csctp_sctp_checksum_store(pkt, *len);
    break;
  }
  return 1;
}

/* Flips one byte of the last chunk of AUTH-carrying packets to A. */
static int tap_corrupt_after_auth(apair *p, int to_b, uint8_t *pkt,
                                  size_t *len) {
  (void)p;
  if (to_b || *len < 40 || pkt[12] == CSCTP_CT_COOKIE_ECHO)
    return 1;
  csctp_tlv_iter it;
  csctp_tlv c;
  int auth = 0;
  csctp_tlv_iter_init(&it, pkt + 12, *len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    auth |= c.type == CSCTP_CT_AUTH;
  if (auth) {
    pkt[*len - 1] ^= 0x20;
    csctp_sctp_checksum_store(pkt, *len);
  }
  return 1;
}

/* 6.3: "It MUST silently discard these chunks if they are not placed after
 * an AUTH chunk in the packet"; and "If the field does not match the
 * result of the calculation, all the chunks following the AUTH chunk MUST
 * be silently discarded." Once the tap goes, the retransmission (with its
 * AUTH) is delivered. */
static void test_unauthenticated_or_altered_data_discarded(void) {
  tap_fn taps[2] = {tap_strip_auth, tap_corrupt_after_auth};
  for (int t = 0; t < 2; t++) {
    apair p;
    apair_auth_data(&p);
    csctp_assoc_id ida, idb;
    ida = apair_connect(&p, &idb);
    REQUIRE(idb != 0);
    p.tap = taps[t];
    CHECK_EQ(send_msg(p.b, idb, "hello", p.now), 0);
    apair_flush(&p);
    char buf[64];
    CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), CSCTP_ERR_AGAIN);
    csctp_assoc_status st;
    CHECK_EQ(csctp_assoc_status_get(p.a, ida, &st), 0);
    CHECK_EQ(st.data_chunks_in, 0);
    p.tap = NULL;
    p.now = csctp_endpoint_get_expiry(p.b); /* T3-rtx */
    csctp_endpoint_handle_expiry(p.b, p.now);
    apair_flush(&p);
    CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 5);
    apair_del(&p);
  }
}

/* Replaces the HMAC id of AUTH chunks to A by 2 (reserved, Table 2). */
static int tap_bad_hmac_id(apair *p, int to_b, uint8_t *pkt, size_t *len) {
  (void)p;
  if (to_b)
    return 1;
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_tlv_iter_init(&it, pkt + 12, *len - 12);
  while (csctp_chunk_next(&it, &c) == 1)
    if (c.type == CSCTP_CT_AUTH) {
      csctp_put16((uint8_t *)c.value + 2, 2);
      csctp_sctp_checksum_store(pkt, *len);
    }
  return 1;
}

static int error_seen;
static int tap_find_hmac_error(apair *p, int to_b, uint8_t *pkt, size_t *len) {
  if (!to_b)
    return tap_bad_hmac_id(p, to_b, pkt, len);
  csctp_tlv_iter it;
  csctp_tlv c, cause;
  csctp_tlv_iter_init(&it, pkt + 12, *len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    if (c.type != CSCTP_CT_ERROR)
      continue;
    csctp_tlv_iter ci;
    csctp_tlv_iter_init(&ci, c.value, c.value_len);
    while (csctp_param_next(&ci, &cause) == 1)
      if (cause.type == CSCTP_CAUSE_UNSUPPORTED_HMAC && cause.length == 6 &&
          csctp_get16(cause.value) == 2)
        error_seen++;
  }
  return 1;
}

/* 6.3: an HMAC id the receiver did not list: "the AUTH chunk and all the
 * chunks after it MUST be discarded and an ERROR chunk SHOULD be sent with
 * the error cause defined in Section 4.1" (cause 0x0105, length 6). */
static void test_unsupported_hmac_reported(void) {
  apair p;
  apair_auth_data(&p);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  error_seen = 0;
  p.tap = tap_find_hmac_error;
  CHECK_EQ(send_msg(p.b, idb, "x", p.now), 0);
  apair_flush(&p);
  char buf[8];
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), CSCTP_ERR_AGAIN);
  CHECK_EQ(error_seen, 1);
  apair_del(&p);
}

/* RFC 6458: shared keys with identifiers; key 0 (null) active at first;
 * the active key cannot be deactivated (8.3.4) nor deleted; only a
 * deactivated key can be deleted (8.3.5); SCTP_AUTH_FREE_KEY and
 * SCTP_AUTH_NEW_KEY events (6.1.8). 6.2: the AUTH chunk names the key. */
static void test_key_change(void) {
  apair p;
  apair_auth_data(&p);
  const uint8_t k1[5] = {'s', 'e', 'c', 'r', 't'};
  CHECK_EQ(csctp_auth_set_key(p.a, 0, 1, k1, sizeof(k1)), 0);
  CHECK_EQ(csctp_auth_set_key(p.b, 0, 1, k1, sizeof(k1)), 0);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  uint16_t active = 99;
  CHECK_EQ(csctp_auth_get_active_key(p.b, idb, &active), 0);
  CHECK_EQ(active, 0);
  CHECK_EQ(csctp_auth_set_active_key(p.b, idb, 7), CSCTP_ERR_NOT_FOUND);
  CHECK_EQ(send_msg(p.b, idb, "k0", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.last_key, 0);
  count_events(p.a, 0, NULL);
  CHECK_EQ(csctp_auth_set_active_key(p.b, idb, 1), 0);
  CHECK_EQ(send_msg(p.b, idb, "k1", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.last_key, 1);
  csctp_event ev;
  CHECK_EQ(count_events(p.a, CSCTP_EV_AUTHENTICATION, &ev), 1);
  CHECK_EQ(ev.u.auth.indication, CSCTP_AUTH_NEW_KEY);
  CHECK_EQ(ev.u.auth.keynumber, 1);
  char buf[8];
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 2);
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 2);
  CHECK(strcmp(buf, "k1") == 0);
  /* Key 1 is active on B: not to be deactivated or deleted. */
  CHECK_EQ(csctp_auth_deactivate_key(p.b, idb, 1), CSCTP_ERR_STATE);
  CHECK_EQ(csctp_auth_delete_key(p.b, idb, 1), CSCTP_ERR_STATE);
  /* Key 0 is not active any more: deleting needs deactivating first. */
  CHECK_EQ(csctp_auth_delete_key(p.b, idb, 0), CSCTP_ERR_STATE);
  CHECK_EQ(csctp_auth_deactivate_key(p.b, idb, 0), 0);
  CHECK_EQ(count_events(p.b, CSCTP_EV_AUTHENTICATION, &ev), 1);
  CHECK_EQ(ev.u.auth.indication, CSCTP_AUTH_FREE_KEY);
  CHECK_EQ(ev.u.auth.keynumber, 0);
  CHECK_EQ(csctp_auth_set_active_key(p.b, idb, 0), CSCTP_ERR_STATE);
  CHECK_EQ(csctp_auth_delete_key(p.b, idb, 0), 0);
  CHECK_EQ(csctp_auth_delete_key(p.b, idb, 0), CSCTP_ERR_NOT_FOUND);
  apair_del(&p);
}

/* 6.3: "If no endpoint pair shared key has been configured for that Shared
 * Key Identifier, all authenticated chunks MUST be silently discarded";
 * a key of the same identifier but other bytes gives another association
 * key, so the HMAC does not match either. After A deletes its key 1, B's
 * DATA under key 1 is discarded too. */
static void test_wrong_or_deleted_key_discarded(void) {
  for (int variant = 0; variant < 2; variant++) {
    apair p;
    apair_auth_data(&p);
    const uint8_t ka[3] = {1, 2, 3}, kb[3] = {1, 2, 4};
    CHECK_EQ(csctp_auth_set_key(p.b, 0, 1, kb, 3), 0);
    csctp_assoc_id ida, idb;
    if (variant == 0)
      CHECK_EQ(csctp_auth_set_key(p.a, 0, 1, ka, 3), 0);
    ida = apair_connect(&p, &idb);
    REQUIRE(idb != 0);
    if (variant == 1) { /* A has B's key, then deletes it */
      CHECK_EQ(csctp_auth_set_key(p.a, ida, 1, kb, 3), 0);
      CHECK_EQ(csctp_auth_deactivate_key(p.a, ida, 1), 0);
      CHECK_EQ(csctp_auth_delete_key(p.a, ida, 1), 0);
    }
    CHECK_EQ(csctp_auth_set_active_key(p.b, idb, 1), 0);
    CHECK_EQ(send_msg(p.b, idb, "zz", p.now), 0);
    apair_flush(&p);
    CHECK_EQ(p.last_key, 1);
    char buf[8];
    CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), CSCTP_ERR_AGAIN);
    /* Back to key 0 on B: the retransmission gets through. */
    CHECK_EQ(csctp_auth_set_active_key(p.b, idb, 0), 0);
    p.now = csctp_endpoint_get_expiry(p.b);
    csctp_endpoint_handle_expiry(p.b, p.now);
    apair_flush(&p);
    CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 2);
    apair_del(&p);
  }
}

/* 6.1: the receiver of HMAC-ALGO uses the first listed algorithm it
 * supports: A lists SHA-1 first, so B's AUTH carries id 1 (20-byte MAC). */
static void test_peer_hmac_preference(void) {
  apair p;
  apair_auth_data(&p);
  uint16_t pref[2] = {CSCTP_AUTH_HMAC_SHA1, CSCTP_AUTH_HMAC_SHA256};
  CHECK_EQ(csctp_auth_set_hmacs(p.a, pref, 2), 0);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  CHECK_EQ(send_msg(p.b, idb, "sha1", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.last_hmac, CSCTP_AUTH_HMAC_SHA1);
  char buf[8];
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 4);
  apair_del(&p);
}

/* RFC 6458 6.1.8 SCTP_AUTH_NO_AUTH: "the peer does not support SCTP
 * authentication"; then nothing is authenticated and DATA flows. */
static void test_peer_without_auth(void) {
  apair p;
  apair_init(&p);
  CHECK_EQ(csctp_auth_add_chunk(p.a, CSCTP_CT_DATA), 0);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  csctp_event ev;
  CHECK_EQ(count_events(p.a, CSCTP_EV_AUTHENTICATION, &ev), 1);
  CHECK_EQ(ev.u.auth.indication, CSCTP_AUTH_NO_AUTH);
  CHECK_EQ(csctp_auth_chunks(p.a, ida, 1, NULL, 0), CSCTP_ERR_STATE);
  CHECK_EQ(send_msg(p.b, idb, "plain", p.now), 0);
  apair_flush(&p);
  CHECK_EQ(p.seen_auth_data, 0);
  char buf[8];
  CHECK_EQ(recv_msg(p.a, ida, buf, sizeof(buf), p.now), 5);
  apair_del(&p);
}

/* 6.3 with COOKIE ECHO listed by the server: the client sends AUTH first
 * and COOKIE ECHO second ("authentication is based on the contents of the
 * COOKIE-ECHO chunk"); a COOKIE ECHO with its AUTH removed is discarded
 * and the association does not come up. The DATA bundled after the
 * COOKIE ECHO is processed. */
static int strip_cookie_auth;
static int tap_strip_cookie_auth(apair *p, int to_b, uint8_t *pkt,
                                 size_t *len) {
  (void)p;
  if (!to_b || !strip_cookie_auth || pkt[12] != CSCTP_CT_AUTH)
    return 1;
  size_t l = CSCTP_PAD4(csctp_get16(pkt + 14));
  memmove(pkt + 12, pkt + 12 + l, *len - 12 - l);
  *len -= l;
  csctp_sctp_checksum_store(pkt, *len);
  return 1;
}

static void test_cookie_echo_authenticated(void) {
  for (int strip = 0; strip < 2; strip++) {
    apair p;
    apair_init(&p);
    CHECK_EQ(csctp_auth_enable(p.a, 1), 0);
    CHECK_EQ(csctp_auth_add_chunk(p.b, CSCTP_CT_COOKIE_ECHO), 0);
    CHECK_EQ(csctp_auth_add_chunk(p.b, CSCTP_CT_DATA), 0);
    strip_cookie_auth = strip;
    p.tap = tap_strip_cookie_auth;
    csctp_assoc_id id = 0;
    csctp_addr to = p.addr_b;
    CHECK_EQ(csctp_connect(p.a, &to, 1, 6000, NULL, p.now, &id), 0);
    CHECK_EQ(send_msg(p.a, id, "early", p.now), 0); /* rides with it */
    apair_flush(&p);
    CHECK_EQ(p.auth_before_cookie, 1);
    csctp_assoc_id ids[2];
    size_t nb = csctp_endpoint_assoc_ids(p.b, ids, 2);
    if (strip) {
      CHECK_EQ(nb, 0);
      CHECK_EQ(count_events(p.a, CSCTP_EV_ASSOC_UP, NULL), 0);
    } else {
      REQUIRE(nb == 1);
      CHECK_EQ(count_events(p.a, CSCTP_EV_ASSOC_UP, NULL), 1);
      char buf[8];
      CHECK_EQ(recv_msg(p.b, ids[0], buf, sizeof(buf), p.now), 5);
    }
    apair_del(&p);
  }
}

/* 6.2 with ABORT listed: our ABORT carries an AUTH chunk, so the peer
 * that requires it accepts it; without AUTH it would be discarded. */
static void test_abort_authenticated(void) {
  apair p;
  apair_init(&p);
  CHECK_EQ(csctp_auth_add_chunk(p.a, CSCTP_CT_ABORT), 0);
  CHECK_EQ(csctp_auth_enable(p.b, 1), 0);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  count_events(p.a, 0, NULL);
  CHECK_EQ(csctp_abort(p.b, idb, NULL, 0, p.now), 0);
  apair_flush(&p);
  CHECK_EQ(count_events(p.a, CSCTP_EV_ASSOC_LOST, NULL), 1);
  (void)ida;
  apair_del(&p);
}

/* An unauthenticated ABORT (forged: right tag, no AUTH) is ignored when
 * ABORT is listed (6.3); the association stays up. */
static void test_forged_abort_ignored(void) {
  apair p;
  apair_init(&p);
  CHECK_EQ(csctp_auth_add_chunk(p.a, CSCTP_CT_ABORT), 0);
  CHECK_EQ(csctp_auth_enable(p.b, 1), 0);
  csctp_assoc_id ida, idb;
  ida = apair_connect(&p, &idb);
  REQUIRE(idb != 0);
  p.tap = tap_strip_auth;
  CHECK_EQ(csctp_abort(p.b, idb, NULL, 0, p.now), 0);
  apair_flush(&p);
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, ida, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  apair_del(&p);
}

/* ---- Simulator: AUTH under loss ----------------------------------------- */

/* 6.2 on every packet that carries a requested chunk, retransmissions and
 * fragments included: both sides accept DATA only authenticated, the
 * client also SACK, the server also SHUTDOWN and SHUTDOWN ACK, with key 4
 * set on both endpoints and active; 5% loss, reordering and duplication
 * each way; every message of both flows is delivered exactly once (the
 * simulator's invariants), AUTH chunks were sent by both, and the graceful
 * close completes. */
static void test_sim_auth_under_loss(void) {
  static const uint64_t seeds[] = {0xa7700001, 0xa7700002, 0xa7700003};
  for (size_t k = 0; k < 3; k++) {
    sim *s = sim_new(seeds[k], "auth_loss");
    sim_node *c = sim_node_add(s, "client", 0x0a000001, 4000, NULL);
    sim_node *v = sim_node_add(s, "server", 0x0a000002, 5000, NULL);
    sim_pair(c, v);
    sim_node_listen(v, 1);
    sim_link_params lp;
    sim_link_params_default(&lp);
    lp.loss = 0.05;
    lp.reorder = 0.02;
    lp.dup = 0.01;
    sim_link_nodes(s, c, v, &lp);
    const uint8_t key[4] = {9, 8, 7, 6};
    const uint8_t cw[] = {CSCTP_CT_DATA, CSCTP_CT_SACK};
    const uint8_t vw[] = {CSCTP_CT_DATA, CSCTP_CT_SHUTDOWN,
                          CSCTP_CT_SHUTDOWN_ACK};
    for (size_t i = 0; i < sizeof(cw); i++)
      CHECK_EQ(csctp_auth_add_chunk(c->ep, cw[i]), 0);
    for (size_t i = 0; i < sizeof(vw); i++)
      CHECK_EQ(csctp_auth_add_chunk(v->ep, vw[i]), 0);
    for (int n = 0; n < 2; n++) {
      csctp_endpoint *ep = n ? v->ep : c->ep;
      CHECK_EQ(csctp_auth_set_key(ep, 0, 4, key, sizeof(key)), 0);
      CHECK_EQ(csctp_auth_set_active_key(ep, 0, 4), 0);
    }
    sim_rng r;
    sim_rng_seed(&r, seeds[k]);
    for (int n = 0; n < 2; n++) {
      sim_flow *f = n ? &v->app.tx : &c->app.tx;
      for (int i = 0; i < 60; i++)
        sim_flow_add(f, (uint16_t)(i % 3), (uint32_t)i, i % 5 == 4,
                     (uint32_t)sim_rng_logrange(&r, 1, 20000));
    }
    CHECK_EQ(sim_connect(c, v), 0);
    int ok = sim_run_until(s, s->now + 120 * CSCTP_SECONDS, sim_pred_flows_done,
                           NULL);
    CHECK_EQ(ok, 1);
    CHECK(!c->lost && !v->lost);
    CHECK_EQ(sim_check_delivered(s, c, 0), 0);
    CHECK_EQ(sim_check_delivered(s, v, 0), 0);
    CHECK(c->chunks_out[CSCTP_CT_AUTH] > 0);
    CHECK(v->chunks_out[CSCTP_CT_AUTH] > 0);
    CHECK(sim_node_retransmits(c) + sim_node_retransmits(v) > 0);
    if (ok == 1 && csctp_shutdown(c->ep, c->assoc, s->now) == 0) {
      c->app.shutdown_called = 1;
      CHECK_EQ(sim_run_until(s, s->now + 120 * CSCTP_SECONDS,
                             sim_pred_all_closed, NULL),
               1);
      CHECK(c->shutdown_complete && v->shutdown_complete);
    }
    sim_print_stats(s);
    CHECK_EQ(sim_free(s), 0);
  }
}

/* ---- Socket options (RFC 6458 names, csctp_io.h) ------------------------- */

static csctp_stack *sock_stack(void) {
  csctp_stack_config cfg;
  csctp_stack_config_default(&cfg);
  cfg.udp_port = 0;
  cfg.families = CSCTP_STACK_IPV4;
  cfg.settings.rto_initial = 100 * CSCTP_MILLISECONDS;
  cfg.settings.rto_min = 50 * CSCTP_MILLISECONDS;
  csctp_stack *st = NULL;
  return csctp_stack_new(&st, &cfg) == 0 ? st : NULL;
}

static void sock_pump(csctp_stack *a, csctp_stack *b) {
  struct pollfd p[2] = {{csctp_stack_fd(a), POLLIN, 0},
                        {csctp_stack_fd(b), POLLIN, 0}};
  (void)poll(p, 2, 2);
  csctp_stack_step(a);
  csctp_stack_step(b);
}

/* Reads the next data message or notification, pumping up to 3 s. */
static csctp_ssize sock_read(csctp_stack *a, csctp_stack *b, csctp_sock *s,
                             void *buf, size_t len, int *flags) {
  csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
  for (;;) {
    struct iovec iov = {buf, len};
    csctp_ssize r = csctp_recvv(s, &iov, 1, NULL, NULL, NULL, flags);
    if (r != -EAGAIN || csctp_now() > end)
      return r;
    sock_pump(a, b);
  }
}

/* Options before bind are kept (AUTH_CHUNK, AUTH_SUPPORTED, HMAC_IDENT);
 * the chunk types of RFC 4895 3.2 and a list without SHA-1 are refused;
 * keys need a bound socket. Over UDP loopback: the client learns the
 * server's list (PEER_AUTH_CHUNKS), both sides use key 5 set with
 * AUTH_KEY, the client makes it active and the server reads an
 * AUTHENTICATION notification SCTP_AUTH_NEW_KEY for it with the data. */
static void test_socket_options(void) {
  csctp_stack *a = sock_stack(), *b = sock_stack();
  REQUIRE(a && b);
  csctp_sock *l, *c, *srv = NULL;
  REQUIRE(csctp_socket(a, AF_INET, CSCTP_SOCK_STREAM, &l) == 0);
  REQUIRE(csctp_socket(b, AF_INET, CSCTP_SOCK_STREAM, &c) == 0);
  csctp_authchunk ch = {CSCTP_CT_INIT};
  CHECK_EQ(csctp_setsockopt(l, CSCTP_AUTH_CHUNK, &ch, sizeof ch),
           CSCTP_ERR_INVAL);
  ch.chunk = CSCTP_CT_DATA;
  CHECK_EQ(csctp_setsockopt(l, CSCTP_AUTH_CHUNK, &ch, sizeof ch), 0);
  csctp_hmacalgo ha = {1, {CSCTP_AUTH_HMAC_SHA256}};
  CHECK_EQ(csctp_setsockopt(l, CSCTP_HMAC_IDENT, &ha, sizeof ha),
           CSCTP_ERR_INVAL);
  uint8_t kbuf[sizeof(csctp_authkey) + 4];
  csctp_authkey *k = (csctp_authkey *)kbuf;
  memset(kbuf, 0, sizeof kbuf);
  k->keynumber = 5;
  k->keylength = 4;
  memcpy(kbuf + sizeof(csctp_authkey), "abcd", 4);
  CHECK_EQ(csctp_setsockopt(c, CSCTP_AUTH_KEY, kbuf, sizeof kbuf),
           CSCTP_ERR_STATE);
  csctp_assoc_value on = {0, 1};
  CHECK_EQ(csctp_setsockopt(c, CSCTP_AUTH_SUPPORTED, &on, sizeof on), 0);
  csctp_event_subscribe sub = {0, CSCTP_AUTHENTICATION_EVENT, 1, 0};
  CHECK_EQ(csctp_setsockopt(l, CSCTP_OPT_EVENT, &sub, sizeof sub), 0);

  struct sockaddr_in la;
  memset(&la, 0, sizeof la);
  la.sin_family = AF_INET;
  la.sin_port = htons(5151);
  la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(csctp_bindx(l, (struct sockaddr *)&la, 1) == 0);
  REQUIRE(csctp_listen(l, 4) == 0);
  CHECK_EQ(csctp_setsockopt(l, CSCTP_AUTH_KEY, kbuf, sizeof kbuf), 0);
  csctp_udpencaps u = {0, csctp_stack_udp_port(a), 0};
  CHECK_EQ(csctp_setsockopt(c, CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, &u, sizeof u),
           0);
  csctp_assoc_id id = 0;
  CHECK_EQ(csctp_connectx(c, (struct sockaddr *)&la, 1, &id), -EINPROGRESS);
  csctp_tstamp end = csctp_now() + 3 * CSCTP_SECONDS;
  while (csctp_accept(l, &srv, NULL, NULL) == -EAGAIN && csctp_now() < end)
    sock_pump(a, b);
  REQUIRE(srv != NULL);
  while (!(csctp_sock_poll(c) & CSCTP_POLLOUT) && csctp_now() < end)
    sock_pump(a, b);

  uint8_t cbuf[sizeof(csctp_authchunks) + 8];
  csctp_authchunks *peer = (csctp_authchunks *)cbuf;
  memset(cbuf, 0, sizeof cbuf);
  size_t len = sizeof cbuf;
  CHECK_EQ(csctp_getsockopt(c, CSCTP_PEER_AUTH_CHUNKS, cbuf, &len), 0);
  CHECK_EQ(peer->num_chunks, 1);
  CHECK_EQ(peer->chunks[0], CSCTP_CT_DATA);
  CHECK_EQ(len, sizeof(csctp_authchunks) + 1);
  /* The client's association gets key 5 and uses it. */
  CHECK_EQ(csctp_setsockopt(c, CSCTP_AUTH_KEY, kbuf, sizeof kbuf), 0);
  csctp_authkeyid kid = {0, 5, 0};
  CHECK_EQ(csctp_setsockopt(c, CSCTP_AUTH_ACTIVE_KEY, &kid, sizeof kid), 0);
  kid.keynumber = 0;
  len = sizeof kid;
  CHECK_EQ(csctp_getsockopt(c, CSCTP_AUTH_ACTIVE_KEY, &kid, &len), 0);
  CHECK_EQ(kid.keynumber, 5);
  CHECK_EQ(csctp_setsockopt(c, CSCTP_AUTH_DELETE_KEY, &kid, sizeof kid),
           CSCTP_ERR_STATE);
  struct iovec iov = {(void *)"auth", 4};
  CHECK_EQ(csctp_sendv(c, &iov, 1, NULL, NULL, 0), 4);
  int got_data = 0, got_newkey = 0;
  for (int i = 0; i < 4 && !(got_data && got_newkey); i++) {
    uint8_t buf[256];
    int fl = 0;
    csctp_ssize r = sock_read(a, b, srv, buf, sizeof buf, &fl);
    if (r <= 0)
      break;
    if (fl & CSCTP_MSG_NOTIFICATION) {
      csctp_notification n;
      memcpy(&n, buf, sizeof n);
      if (n.type == CSCTP_AUTHENTICATION_EVENT &&
          n.u.auth.indication == CSCTP_AUTH_NEW_KEY && n.u.auth.keynumber == 5)
        got_newkey = 1;
    } else {
      got_data = r == 4 && memcmp(buf, "auth", 4) == 0;
    }
  }
  CHECK(got_data);
  CHECK(got_newkey);
  csctp_close(c);
  csctp_close(srv);
  csctp_close(l);
  csctp_stack_del(a);
  csctp_stack_del(b);
}

int main(void) {
  TEST_RUN(test_assoc_key_smaller_vector_first);
  TEST_RUN(test_assoc_key_equal_numbers_shorter_first);
  TEST_RUN(test_assoc_key_empty_shared_key);
  TEST_RUN(test_peer_vector_drops_padding);
  TEST_RUN(test_peer_vector_random_must_be_32);
  TEST_RUN(test_never_listed_chunks);
  TEST_RUN(test_hmac_list_needs_sha1);
  TEST_RUN(test_hmac_ids);
  TEST_RUN(test_data_authenticated_when_asked);
  TEST_RUN(test_unauthenticated_or_altered_data_discarded);
  TEST_RUN(test_unsupported_hmac_reported);
  TEST_RUN(test_key_change);
  TEST_RUN(test_wrong_or_deleted_key_discarded);
  TEST_RUN(test_peer_hmac_preference);
  TEST_RUN(test_peer_without_auth);
  TEST_RUN(test_cookie_echo_authenticated);
  TEST_RUN(test_abort_authenticated);
  TEST_RUN(test_forged_abort_ignored);
  TEST_RUN(test_sim_auth_under_loss);
  TEST_RUN(test_socket_options);
  return TEST_SUMMARY();
}
