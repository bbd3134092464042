/* Tests for endpoint.c through the public API: packet validation (6.8),
 * the stateless INIT answer (5.1, 5.1.3), INIT checks (3.3.2, 8.5.1 A,
 * 12.3), out-of-the-blue packets (8.4), unrecognised INIT parameters
 * (3.2.1, 3.2.2), unknown chunk types in an association (3.2), the
 * association limit, settings validation, csctp_strerror and
 * csctp_pkt_ports.
 *
 * The test plays the peer by hand: packets are built with the chunk.h
 * writers and csctp_pkt_finish, answers are parsed with the chunk.h
 * readers. */
#include "config.h"

#include "chunk.h"
#include "crc32c.h"
#include "csctp.h"

#include "test.h"

#include <errno.h>

#define MS CSCTP_MILLISECONDS
#define SEC CSCTP_SECONDS
#define NOW (1000 * SEC)
#define EP_PORT 5000

/* ---- Environment -------------------------------------------------------- */

static uint64_t rand_state = 42;

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static csctp_addr addr4(uint8_t last) {
  csctp_addr a;
  memset(&a, 0, sizeof(a));
  a.family = CSCTP_AF_INET;
  a.ip[0] = 10, a.ip[3] = last;
  return a;
}

static csctp_addr local_addr(void) { return addr4(1); }

static csctp_endpoint *mkep(int listen, const csctp_settings *s) {
  csctp_endpoint *ep = NULL;
  int rv =
      csctp_endpoint_new(&ep, EP_PORT, s, NULL, seeded_rand, &rand_state, NOW);
  CHECK_EQ(rv, 0);
  if (ep)
    csctp_endpoint_listen(ep, listen);
  return ep;
}

static csctp_endpoint_stats stats(const csctp_endpoint *ep) {
  csctp_endpoint_stats st;
  csctp_endpoint_stats_get(ep, &st);
  return st;
}

/* ---- Building packets --------------------------------------------------- */

typedef struct bld {
  uint8_t mem[2048];
  csctp_buf b;
} bld;

static void begin(bld *p, uint16_t sport, uint32_t vtag) {
  csctp_buf_init(&p->b, p->mem, sizeof(p->mem));
  CHECK_EQ(csctp_pkt_begin(&p->b, sport, EP_PORT, vtag), 0);
}

static size_t finish(bld *p) { return csctp_pkt_finish(&p->b); }

typedef struct init_args {
  uint32_t tag, a_rwnd, tsn;
  uint16_t os, mis;
  const uint8_t *params; /* already formatted parameters */
  size_t params_len;
} init_args;

static init_args default_init(uint32_t tag) {
  init_args a;
  memset(&a, 0, sizeof(a));
  a.tag = tag;
  a.a_rwnd = 65536;
  a.tsn = 1000;
  a.os = 5;
  a.mis = 7;
  return a;
}

static void put_init(bld *p, const init_args *ia) {
  csctp_init in;
  size_t off;
  memset(&in, 0, sizeof(in));
  in.init_tag = ia->tag;
  in.a_rwnd = ia->a_rwnd;
  in.num_ostreams = ia->os;
  in.max_instreams = ia->mis;
  in.init_tsn = ia->tsn;
  CHECK_EQ(csctp_put_init_begin(&p->b, CSCTP_CT_INIT, &in, &off), 0);
  if (ia->params_len)
    CHECK_EQ(csctp_put_bytes(&p->b, ia->params, ia->params_len), 0);
  CHECK_EQ(csctp_chunk_end(&p->b, off), 0);
}

/* A raw chunk of any type with the given value. */
static void put_raw_chunk(bld *p, uint8_t type, uint8_t flags,
                          const void *value, size_t len) {
  size_t off;
  CHECK_EQ(csctp_chunk_begin(&p->b, type, flags, &off), 0);
  if (len)
    CHECK_EQ(csctp_put_bytes(&p->b, value, len), 0);
  CHECK_EQ(csctp_chunk_end(&p->b, off), 0);
}

static int feed(csctp_endpoint *ep, const csctp_addr *src, bld *p) {
  size_t len = finish(p);
  csctp_addr dst = local_addr();
  return csctp_endpoint_read_pkt(ep, src, &dst, p->mem, len, NOW);
}

/* ---- Reading answers ---------------------------------------------------- */

typedef struct outp {
  uint8_t b[2048];
  size_t len;
  csctp_addr dst, src;
} outp;

/* Fetches the next packet; 0 when there is none. */
static int next_out(csctp_endpoint *ep, outp *o) {
  csctp_ssize n =
      csctp_endpoint_write_pkt(ep, &o->dst, &o->src, o->b, sizeof(o->b), NOW);
  CHECK(n >= 0);
  o->len = n > 0 ? (size_t)n : 0;
  return n > 0;
}

static int drain(csctp_endpoint *ep) {
  outp o;
  int n = 0;
  while (n < 100 && next_out(ep, &o))
    n++;
  return n;
}

static uint16_t o_sport(const outp *o) { return csctp_get16(o->b); }
static uint16_t o_dport(const outp *o) { return csctp_get16(o->b + 2); }
static uint32_t o_vtag(const outp *o) { return csctp_get32(o->b + 4); }

/* Number of chunks (-1 if unparsable); *first gets the first. */
static int o_chunks(const outp *o, csctp_tlv *first) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int n = 0, rv;
  csctp_tlv_iter_init(&it, o->b + CSCTP_COMMON_HDR_LEN,
                      o->len - CSCTP_COMMON_HDR_LEN);
  while ((rv = csctp_chunk_next(&it, &c)) == 1) {
    if (n++ == 0 && first)
      *first = c;
  }
  return rv < 0 ? -1 : n;
}

/* Checks the common header of an answer to a packet from peer:port. */
static void check_hdr(const outp *o, const csctp_addr *peer, uint16_t port,
                      uint32_t vtag) {
  CHECK(o->len >= CSCTP_COMMON_HDR_LEN + 4);
  CHECK(csctp_sctp_checksum_ok(o->b, o->len));
  CHECK_EQ(o_sport(o), EP_PORT);
  CHECK_EQ(o_dport(o), port);
  CHECK_EQ(o_vtag(o), vtag);
  CHECK(csctp_addr_equal(&o->dst, peer));
  CHECK_EQ(o->len % 4, 0);
}

/* Expects exactly one packet: a lone ABORT to peer with vtag and T bit t;
 * returns the first cause code (0 if none). */
static int expect_abort(csctp_endpoint *ep, const csctp_addr *peer,
                        uint16_t port, uint32_t vtag, int t) {
  outp o;
  csctp_tlv c;
  if (!next_out(ep, &o)) {
    CHECK(!"an ABORT was expected");
    return -1;
  }
  check_hdr(&o, peer, port, vtag);
  CHECK_EQ(o_chunks(&o, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_ABORT);
  CHECK_EQ(c.flags & CSCTP_FLAG_T, t ? CSCTP_FLAG_T : 0);
  CHECK(!next_out(ep, &o));
  if (c.value_len < 4)
    return 0;
  return csctp_get16(c.value);
}

static void expect_silence(csctp_endpoint *ep) {
  outp o;
  int n = 0;
  while (n < 10 && next_out(ep, &o)) {
    csctp_tlv c;
    if (o_chunks(&o, &c) > 0)
      fprintf(stderr, "  unexpected packet, first chunk type %u\n", c.type);
    n++;
  }
  CHECK_EQ(n, 0);
}

/* Answer to an INIT: the INIT ACK fields and its State Cookie. */
typedef struct init_ack_info {
  csctp_init ack;
  uint8_t cookie[1024];
  size_t cookie_len;
  int ncookies;
  uint8_t unrec[8][64]; /* Unrecognized Parameter values */
  size_t unrec_len[8];
  int nunrec;
} init_ack_info;

static int expect_init_ack(csctp_endpoint *ep, const csctp_addr *peer,
                           uint16_t port, uint32_t init_tag,
                           init_ack_info *info) {
  outp o;
  csctp_tlv c;
  memset(info, 0, sizeof(*info));
  if (!next_out(ep, &o)) {
    CHECK(!"an INIT ACK was expected");
    return 0;
  }
  check_hdr(&o, peer, port, init_tag); /* 8.5: the INIT's Initiate Tag */
  CHECK_EQ(o_chunks(&o, &c), 1);       /* 6.10: never bundled */
  if (c.type != CSCTP_CT_INIT_ACK) {
    CHECK_EQ(c.type, CSCTP_CT_INIT_ACK);
    return 0;
  }
  if (csctp_init_decode(&c, &info->ack) != 0) {
    CHECK(!"INIT ACK does not decode");
    return 0;
  }
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, info->ack.params, info->ack.params_len);
  while ((rv = csctp_param_next(&it, &p)) == 1) {
    if (p.type == CSCTP_PT_STATE_COOKIE) {
      info->ncookies++;
      if (p.value_len <= sizeof(info->cookie)) {
        memcpy(info->cookie, p.value, p.value_len);
        info->cookie_len = p.value_len;
      }
    } else if (p.type == CSCTP_PT_UNRECOGNIZED && info->nunrec < 8) {
      size_t n = p.value_len < 64 ? p.value_len : 64;
      memcpy(info->unrec[info->nunrec], p.value, n);
      info->unrec_len[info->nunrec++] = p.value_len;
    }
  }
  CHECK_EQ(rv, 0);
  CHECK(!next_out(ep, &o));
  return 1;
}

/* A peer talking to the endpoint by hand. */
typedef struct peer {
  csctp_addr addr;
  uint16_t port;
  uint32_t tag;    /* our Initiate Tag: the endpoint's packets carry it */
  uint32_t ep_tag; /* the endpoint's tag: our packets carry it */
  uint32_t ep_tsn; /* the endpoint's initial TSN */
  csctp_assoc_id id;
} peer;

static void send_cookie_echo(csctp_endpoint *ep, const peer *pr,
                             const init_ack_info *ia) {
  bld p;
  begin(&p, pr->port, ia->ack.init_tag);
  CHECK_EQ(csctp_put_cookie_echo(&p.b, ia->cookie, ia->cookie_len), 0);
  CHECK_EQ(feed(ep, &pr->addr, &p), 0);
}

/* Runs the four-way handshake as the initiator; returns 1 when the
 * endpoint reported the association up. */
static int establish(csctp_endpoint *ep, peer *pr) {
  bld p;
  init_ack_info ia;
  init_args a = default_init(pr->tag);
  begin(&p, pr->port, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &pr->addr, &p), 0);
  if (!expect_init_ack(ep, &pr->addr, pr->port, pr->tag, &ia))
    return 0;
  pr->ep_tag = ia.ack.init_tag;
  pr->ep_tsn = ia.ack.init_tsn;
  send_cookie_echo(ep, pr, &ia);
  outp o;
  csctp_tlv c;
  if (!next_out(ep, &o)) {
    CHECK(!"a COOKIE ACK was expected");
    return 0;
  }
  check_hdr(&o, &pr->addr, pr->port, pr->tag);
  CHECK_EQ(o_chunks(&o, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ACK);
  csctp_event ev[8];
  size_t n = csctp_endpoint_poll_events(ep, ev, 8);
  int up = 0;
  for (size_t i = 0; i < n; i++) {
    if (ev[i].type == CSCTP_EV_ASSOC_UP) {
      up = 1;
      pr->id = ev[i].assoc_id;
    }
    csctp_event_clear(ep, &ev[i]);
  }
  CHECK(up);
  return up;
}

static peer mkpeer(uint8_t last, uint16_t port, uint32_t tag) {
  peer p;
  memset(&p, 0, sizeof(p));
  p.addr = addr4(last);
  p.port = port;
  p.tag = tag;
  return p;
}

/* ---- Packet validation --------------------------------------------------- */

static void test_bad_checksum(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2);
  csctp_addr dst = local_addr();
  init_args a = default_init(0x11111111);
  bld p;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  size_t len = finish(&p);
  /* 6.8: a wrong CRC32c is dropped silently (and counted). */
  p.mem[8] ^= 0x01;
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, p.mem, len, NOW),
           CSCTP_ERR_CHECKSUM);
  p.mem[8] ^= 0x01;
  p.mem[20] ^= 0x40; /* a byte of the INIT */
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, p.mem, len, NOW),
           CSCTP_ERR_CHECKSUM);
  p.mem[20] ^= 0x40;
  /* A checksum stored in the wrong byte order is wrong too. */
  uint32_t crc = csctp_get32(p.mem + 8);
  uint8_t sw[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                   (uint8_t)(crc >> 24)};
  if (csctp_get32(sw) != crc) {
    memcpy(p.mem + 8, sw, 4);
    CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, p.mem, len, NOW),
             CSCTP_ERR_CHECKSUM);
    csctp_put32(p.mem + 8, crc);
  }
  csctp_endpoint_stats st = stats(ep);
  CHECK_EQ(st.bad_checksum, csctp_get32(sw) != crc ? 3 : 2);
  CHECK_EQ(st.malformed, 0);
  expect_silence(ep);
  /* The intact packet is fine. */
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, p.mem, len, NOW), 0);
  CHECK(drain(ep) == 1);
  csctp_endpoint_del(ep);
}

/* Writes a raw packet (header + body) with a correct checksum. */
static size_t raw_pkt(uint8_t *buf, uint16_t sport, uint16_t dport,
                      uint32_t vtag, const uint8_t *body, size_t blen) {
  csctp_put16(buf, sport);
  csctp_put16(buf + 2, dport);
  csctp_put32(buf + 4, vtag);
  csctp_put32(buf + 8, 0);
  if (blen)
    memcpy(buf + 12, body, blen);
  csctp_sctp_checksum_store(buf, 12 + blen);
  return 12 + blen;
}

static void test_malformed(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2), dst = local_addr();
  uint8_t buf[256];
  uint64_t want = 0;
  /* Shorter than the common header. */
  size_t len = raw_pkt(buf, 6000, EP_PORT, 0, NULL, 0);
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, 11, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* A header and no chunk at all. */
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* Chunk Length below 4. */
  uint8_t b1[] = {CSCTP_CT_HEARTBEAT, 0, 0, 2};
  len = raw_pkt(buf, 6000, EP_PORT, 0x1234, b1, sizeof(b1));
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* Chunk Length running past the end of the packet. */
  uint8_t b2[] = {CSCTP_CT_COOKIE_ACK, 0, 0, 8};
  len = raw_pkt(buf, 6000, EP_PORT, 0x1234, b2, sizeof(b2));
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* A good chunk followed by 2 stray bytes. */
  uint8_t b3[] = {CSCTP_CT_COOKIE_ACK, 0, 0, 4, 0xAB, 0xCD};
  len = raw_pkt(buf, 6000, EP_PORT, 0x1234, b3, sizeof(b3));
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* Second chunk truncated. */
  uint8_t b4[] = {
      CSCTP_CT_COOKIE_ACK, 0, 0, 4, CSCTP_CT_ABORT, 0, 0, 12, 0, 0, 0, 0};
  len = raw_pkt(buf, 6000, EP_PORT, 0x1234, b4, sizeof(b4));
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* Addressed to another port. */
  len = raw_pkt(buf, 6000, EP_PORT + 1, 0x1234, b2, 4);
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  /* Source port 0. */
  len = raw_pkt(buf, 0, EP_PORT, 0x1234, b2, 4);
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW),
           CSCTP_ERR_MALFORMED);
  want++;
  csctp_endpoint_stats st = stats(ep);
  CHECK_EQ(st.malformed, want);
  CHECK_EQ(st.bad_checksum, 0);
  CHECK_EQ(st.pkts_in, want);
  /* An INIT chunk shorter than its fixed part: dropped. */
  uint8_t b5[] = {CSCTP_CT_INIT, 0, 0, 8, 0x11, 0x22, 0x33, 0x44};
  len = raw_pkt(buf, 6000, EP_PORT, 0, b5, sizeof(b5));
  csctp_endpoint_read_pkt(ep, &src, &dst, buf, len, NOW);
  CHECK_EQ(stats(ep).malformed, want + 1);
  expect_silence(ep);
  CHECK_EQ(stats(ep).assocs, 0);
  /* Bad arguments. */
  CHECK_EQ(csctp_endpoint_read_pkt(ep, NULL, &dst, buf, len, NOW),
           CSCTP_ERR_INVAL);
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &src, &dst, NULL, len, NOW),
           CSCTP_ERR_INVAL);
  csctp_endpoint_del(ep);
}

/* ---- INIT --------------------------------------------------------------- */

static void test_init_answered(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0x11223344);
  init_args a = default_init(pr.tag);
  bld p;
  begin(&p, pr.port, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  init_ack_info ia;
  REQUIRE(expect_init_ack(ep, &pr.addr, pr.port, pr.tag, &ia));
  CHECK(ia.ack.init_tag != 0);          /* 3.3.3 */
  CHECK(ia.ack.a_rwnd >= 1500);         /* 3.3.3 */
  CHECK_EQ(ia.ack.a_rwnd, 1024 * 1024); /* rcvbuf */
  /* 5.1.1: our outbound streams are at most the peer's MIS (7). */
  CHECK_EQ(ia.ack.num_ostreams, 7);
  CHECK_EQ(ia.ack.max_instreams, 65535);
  CHECK_EQ(ia.ncookies, 1); /* 3.3.3: State Cookie, mandatory */
  CHECK(ia.cookie_len > 0);
  CHECK_EQ(ia.nunrec, 0);
  /* 5.1.3: stateless until the COOKIE ECHO. */
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_event ev[4];
  CHECK_EQ(csctp_endpoint_poll_events(ep, ev, 4), 0);
  CHECK_EQ(csctp_endpoint_get_expiry(ep), CSCTP_TSTAMP_NEVER);

  /* A COOKIE ECHO with a tag other than the INIT ACK's is dropped
   * (5.1.5 (3)). */
  {
    bld q;
    begin(&q, pr.port, ia.ack.init_tag ^ 1);
    CHECK_EQ(csctp_put_cookie_echo(&q.b, ia.cookie, ia.cookie_len), 0);
    CHECK_EQ(feed(ep, &pr.addr, &q), 0);
    expect_silence(ep);
    CHECK_EQ(stats(ep).assocs, 0);
  }

  /* Completing it: COOKIE ACK with the peer's tag, association up. */
  pr.ep_tag = ia.ack.init_tag;
  send_cookie_echo(ep, &pr, &ia);
  outp o;
  csctp_tlv c;
  REQUIRE(next_out(ep, &o));
  check_hdr(&o, &pr.addr, pr.port, pr.tag);
  CHECK_EQ(o_chunks(&o, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(stats(ep).assocs, 1);
  size_t n = csctp_endpoint_poll_events(ep, ev, 4);
  REQUIRE(n == 1);
  CHECK_EQ(ev[0].type, CSCTP_EV_ASSOC_UP);
  CHECK_EQ(ev[0].u.up.outbound_streams, 7);
  CHECK_EQ(ev[0].u.up.inbound_streams, 5); /* min(peer OS 5, our MIS) */
  CHECK_EQ(ev[0].u.up.peer_port, 6000);
  CHECK(csctp_addr_equal(&ev[0].u.up.peer, &pr.addr));
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(ep, ev[0].assoc_id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  CHECK_EQ(st.peer_rwnd, 65536);
  csctp_endpoint_del(ep);
}

/* 8.4 (3): a non-listening endpoint refuses with ABORT carrying the INIT's
 * Initiate Tag and the T bit clear. */
static void test_init_not_listening(void) {
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0xCAFEBABE);
  init_args a = default_init(pr.tag);
  bld p;
  begin(&p, pr.port, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  expect_abort(ep, &pr.addr, pr.port, pr.tag, 0);
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 3.3.2: an Initiate Tag of 0 makes the receiver silently discard. */
static void test_init_tag_zero(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2);
  init_args a = default_init(0);
  bld p;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &src, &p), 0);
  expect_silence(ep);
  /* Not listening: also no ABORT (there is no tag to put in it). */
  csctp_endpoint_listen(ep, 0);
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_silence(ep);
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 8.5.1 A, 12.3: INIT must be alone in its packet, with tag 0; otherwise
 * the packet is silently discarded. */
static void test_init_bundled(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2);
  init_args a = default_init(0x12345678);
  bld p;
  /* INIT then another chunk. */
  begin(&p, 6000, 0);
  put_init(&p, &a);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_COOKIE_ACK, 0), 0);
  feed(ep, &src, &p);
  expect_silence(ep);
  /* Another chunk, then INIT. */
  begin(&p, 6000, 0);
  CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "abcdefgh", 8), 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_silence(ep);
  /* Two INITs. */
  begin(&p, 6000, 0);
  put_init(&p, &a);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_silence(ep);
  /* A lone INIT with a non-zero verification tag. */
  begin(&p, 6000, 0x12345678);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_silence(ep);
  CHECK_EQ(stats(ep).assocs, 0);
  /* The same INIT alone with tag 0 is answered. */
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  init_ack_info ia;
  expect_init_ack(ep, &src, 6000, 0x12345678, &ia);
  csctp_endpoint_del(ep);
}

/* 3.3.2: OS or MIS of 0 is a protocol error answered by ABORT with the
 * Initiate Tag. */
static void test_init_zero_streams(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2);
  init_args a = default_init(0x0A0B0C0D);
  a.os = 0;
  bld p;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_abort(ep, &src, 6000, 0x0A0B0C0D, 0);
  a.os = 5;
  a.mis = 0;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  expect_abort(ep, &src, 6000, 0x0A0B0C0D, 0);
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 3.3.2: "A receiver of an INIT chunk with the a_rwnd value set to a value
 * smaller than 1500 MUST discard the packet, SHOULD send a packet in
 * response containing an ABORT chunk and using the Initiate Tag as the
 * Verification Tag". */
static void test_init_small_rwnd(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(2);
  init_args a = default_init(0x0A0B0C0D);
  a.a_rwnd = 1499;
  bld p;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  outp o;
  csctp_tlv c;
  int n = 0;
  while (n < 4 && next_out(ep, &o)) {
    n++;
    CHECK_EQ(o_chunks(&o, &c), 1);
    CHECK_EQ(c.type, CSCTP_CT_ABORT); /* never an INIT ACK */
    CHECK_EQ(o_vtag(&o), 0x0A0B0C0D);
    CHECK_EQ(c.flags & CSCTP_FLAG_T, 0);
  }
  CHECK(n <= 1);
  /* 1500 is acceptable. */
  a.a_rwnd = 1500;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  feed(ep, &src, &p);
  init_ack_info ia;
  expect_init_ack(ep, &src, 6000, 0x0A0B0C0D, &ia);
  csctp_endpoint_del(ep);
}

/* ---- Out of the blue, 8.4 ----------------------------------------------- */

#define OOTB_TAG 0x0BADF00Du

static void ootb_feed(csctp_endpoint *ep, bld *p) {
  csctp_addr src = addr4(9);
  CHECK_EQ(feed(ep, &src, p), 0);
}

static void test_ootb_silent(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  bld p;
  /* (2) ABORT, T clear and set. */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, 0), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, CSCTP_FLAG_T), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  /* (2) an ABORT anywhere in the packet wins. */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
  CHECK_EQ(csctp_put_cause_chunk(&p.b, CSCTP_CT_ABORT, 0,
                                 CSCTP_CAUSE_USER_ABORT, "x", 1),
           0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  /* (6) SHUTDOWN COMPLETE. */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_COMPLETE, 0), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(
      csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  /* (7) COOKIE ACK. */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_COOKIE_ACK, 0), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  /* (7) ERROR with Stale Cookie. */
  uint8_t stale[4] = {0, 0, 0x10, 0};
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_cause_chunk(&p.b, CSCTP_CT_ERROR, 0,
                                 CSCTP_CAUSE_STALE_COOKIE, stale, 4),
           0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  CHECK_EQ(stats(ep).ootb, 7);
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 8.4 (5): SHUTDOWN ACK -> SHUTDOWN COMPLETE, tag reflected, T bit set. */
static void test_ootb_shutdown_ack(void) {
  for (int listen = 0; listen <= 1; listen++) {
    csctp_endpoint *ep = mkep(listen, NULL);
    REQUIRE(ep);
    bld p;
    begin(&p, 7000, OOTB_TAG);
    CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_ACK, 0), 0);
    ootb_feed(ep, &p);
    outp o;
    csctp_tlv c;
    csctp_addr src = addr4(9);
    REQUIRE(next_out(ep, &o));
    check_hdr(&o, &src, 7000, OOTB_TAG);
    CHECK_EQ(o_chunks(&o, &c), 1);
    CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_COMPLETE);
    CHECK_EQ(c.flags & CSCTP_FLAG_T, CSCTP_FLAG_T);
    CHECK_EQ(c.length, 4);
    expect_silence(ep);
    csctp_endpoint_del(ep);
  }
}

/* 8.4 (8): anything else is answered by ABORT, tag reflected, T bit set. */
static void test_ootb_abort(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(9);
  bld p;
  /* DATA */
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  d.tsn = 77;
  d.payload = (const uint8_t *)"hello";
  d.len = 5;
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_data(&p.b, &d), 0);
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  /* SACK */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_sack(&p.b, 5, 65536, NULL, 0, NULL, 0), 0);
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  /* HEARTBEAT */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  /* SHUTDOWN */
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_shutdown(&p.b, 5), 0);
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  /* ERROR with a cause other than Stale Cookie */
  uint8_t v[4] = {0, 3, 0, 0};
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_cause_chunk(&p.b, CSCTP_CT_ERROR, 0,
                                 CSCTP_CAUSE_INVALID_STREAM, v, 4),
           0);
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  /* An INIT ACK nobody asked for */
  begin(&p, 7000, OOTB_TAG);
  {
    csctp_init in;
    size_t off;
    memset(&in, 0, sizeof(in));
    in.init_tag = 1, in.a_rwnd = 5000, in.num_ostreams = 1,
    in.max_instreams = 1, in.init_tsn = 1;
    CHECK_EQ(csctp_put_init_begin(&p.b, CSCTP_CT_INIT_ACK, &in, &off), 0);
    CHECK_EQ(csctp_put_param(&p.b, CSCTP_PT_STATE_COOKIE, "ck", 2), 0);
    CHECK_EQ(csctp_chunk_end(&p.b, off), 0);
  }
  ootb_feed(ep, &p);
  expect_abort(ep, &src, 7000, OOTB_TAG, 1);
  CHECK_EQ(stats(ep).ootb, 6);
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 5.1.5 (2) via 8.4 (4): a COOKIE ECHO that does not authenticate is
 * discarded without an answer. */
static void test_ootb_bad_cookie(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  bld p;
  uint8_t junk[120];
  memset(junk, 0x5A, sizeof(junk));
  begin(&p, 7000, OOTB_TAG);
  CHECK_EQ(csctp_put_cookie_echo(&p.b, junk, sizeof(junk)), 0);
  ootb_feed(ep, &p);
  expect_silence(ep);
  CHECK_EQ(stats(ep).bad_cookie, 1);
  CHECK_EQ(stats(ep).assocs, 0);
  /* A real cookie from another endpoint (another secret) too. */
  csctp_endpoint *other = mkep(1, NULL);
  REQUIRE(other);
  peer pr = mkpeer(9, 7000, 0x77777777);
  init_args a = default_init(pr.tag);
  begin(&p, pr.port, 0);
  put_init(&p, &a);
  feed(other, &pr.addr, &p);
  init_ack_info ia;
  REQUIRE(expect_init_ack(other, &pr.addr, pr.port, pr.tag, &ia));
  send_cookie_echo(ep, &pr, &ia);
  expect_silence(ep);
  CHECK_EQ(stats(ep).bad_cookie, 2);
  CHECK_EQ(stats(ep).assocs, 0);
  /* The right endpoint accepts it. */
  send_cookie_echo(other, &pr, &ia);
  CHECK_EQ(stats(other).assocs, 1);
  csctp_endpoint_del(other);
  csctp_endpoint_del(ep);
}

/* ---- Unrecognised INIT parameters, 3.2.1 / 3.2.2 ------------------------ */

/* Sends an INIT carrying params and returns the INIT ACK info (or 0). */
static int init_with_params(csctp_endpoint *ep, const uint8_t *params,
                            size_t plen, init_ack_info *ia) {
  csctp_addr src = addr4(2);
  init_args a = default_init(0x31323334);
  a.params = params;
  a.params_len = plen;
  bld p;
  begin(&p, 6000, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &src, &p), 0);
  return expect_init_ack(ep, &src, 6000, 0x31323334, ia);
}

/* Appends parameter (type, value) to buf; returns the bytes written. */
static size_t mkparam(uint8_t *buf, size_t cap, uint16_t type,
                      const void *value, size_t len) {
  csctp_buf b;
  csctp_buf_init(&b, buf, cap);
  CHECK_EQ(csctp_put_param(&b, type, value, len), 0);
  return b.len;
}

static void test_unknown_param_skip_report(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  uint8_t params[64];
  size_t n = mkparam(params, sizeof(params), 0xC0FE, "hello", 5);
  init_ack_info ia;
  REQUIRE(init_with_params(ep, params, n, &ia));
  CHECK_EQ(ia.ncookies, 1);
  /* 11: skip and report: the whole parameter, header included, is the
   * value of an Unrecognized Parameter (3.3.3): 0xC0FE, length 9, hello. */
  REQUIRE(ia.nunrec == 1);
  CHECK_EQ(ia.unrec_len[0], 9);
  static const uint8_t want[] = {0xC0, 0xFE, 0, 9, 'h', 'e', 'l', 'l', 'o'};
  CHECK_MEM(ia.unrec[0], want, 9);
  csctp_endpoint_del(ep);
}

static void test_unknown_param_skip_silent(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  uint8_t params[64];
  size_t n = mkparam(params, sizeof(params), 0x80FE, "hello", 5);
  init_ack_info ia;
  REQUIRE(init_with_params(ep, params, n, &ia));
  CHECK_EQ(ia.ncookies, 1);
  CHECK_EQ(ia.nunrec, 0);
  csctp_endpoint_del(ep);
}

static void test_unknown_params_several(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  uint8_t params[128];
  size_t n = mkparam(params, sizeof(params), 0xC0F1, "a", 1);
  n += mkparam(params + n, sizeof(params) - n, 0x80F2, "bb", 2);
  n += mkparam(params + n, sizeof(params) - n, 0xC0F3, "cccc", 4);
  init_ack_info ia;
  REQUIRE(init_with_params(ep, params, n, &ia));
  REQUIRE(ia.nunrec == 2);
  static const uint8_t w1[] = {0xC0, 0xF1, 0, 5, 'a'};
  static const uint8_t w2[] = {0xC0, 0xF3, 0, 8, 'c', 'c', 'c', 'c'};
  CHECK_EQ(ia.unrec_len[0], 5);
  CHECK_MEM(ia.unrec[0], w1, 5);
  CHECK_EQ(ia.unrec_len[1], 8);
  CHECK_MEM(ia.unrec[1], w2, 8);
  csctp_endpoint_del(ep);
}

/* RFC 9260 3.2.1: "when an INIT or INIT ACK chunk is received, in all four
 * cases, an INIT ACK or COOKIE ECHO chunk is sent in response". 01: stop
 * processing parameters and report. */
static void test_unknown_param_stop_report(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  uint8_t params[64];
  size_t n = mkparam(params, sizeof(params), 0x40FE, "hello", 5);
  n += mkparam(params + n, sizeof(params) - n, 0xC0F3, "cccc", 4);
  init_ack_info ia;
  if (init_with_params(ep, params, n, &ia)) {
    CHECK_EQ(ia.ncookies, 1);
    /* Reported; the parameter after it is not processed, so not reported
     * either. */
    REQUIRE(ia.nunrec == 1);
    static const uint8_t want[] = {0x40, 0xFE, 0, 9, 'h', 'e', 'l', 'l', 'o'};
    CHECK_EQ(ia.unrec_len[0], 9);
    CHECK_MEM(ia.unrec[0], want, 9);
  }
  csctp_endpoint_del(ep);
}

/* 00: stop processing parameters, no report, INIT ACK still sent. */
static void test_unknown_param_stop_silent(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  uint8_t params[64];
  size_t n = mkparam(params, sizeof(params), 0x00FE, "hello", 5);
  n += mkparam(params + n, sizeof(params) - n, 0xC0F3, "cccc", 4);
  init_ack_info ia;
  if (init_with_params(ep, params, n, &ia)) {
    CHECK_EQ(ia.ncookies, 1);
    CHECK_EQ(ia.nunrec, 0);
  }
  csctp_endpoint_del(ep);
}

/* ---- Unknown chunk types in an association, 3.2 ------------------------- */

/* Sends [pre?][unknown chunk][HEARTBEAT] on the association and reports
 * what came back. */
typedef struct unk_result {
  int hb_ack;       /* HEARTBEAT ACKs seen */
  int errors;       /* ERROR chunks with cause 6 seen */
  uint8_t echo[64]; /* the cause value of the first one */
  size_t echo_len;
  int other; /* other chunk types */
} unk_result;

static void unknown_chunk_round(csctp_endpoint *ep, const peer *pr,
                                uint8_t type, const uint8_t *value, size_t vlen,
                                int hb_first, unk_result *r) {
  bld p;
  memset(r, 0, sizeof(*r));
  begin(&p, pr->port, pr->ep_tag);
  if (hb_first)
    CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "first!!!", 8), 0);
  put_raw_chunk(&p, type, 0, value, vlen);
  if (!hb_first)
    CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "after!!!", 8), 0);
  CHECK_EQ(feed(ep, &pr->addr, &p), 0);
  outp o;
  int guard = 0;
  while (guard++ < 10 && next_out(ep, &o)) {
    check_hdr(&o, &pr->addr, pr->port, pr->tag);
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, o.b + 12, o.len - 12);
    while (csctp_chunk_next(&it, &c) == 1) {
      if (c.type == CSCTP_CT_HEARTBEAT_ACK) {
        r->hb_ack++;
      } else if (c.type == CSCTP_CT_ERROR && c.value_len >= 4 &&
                 csctp_get16(c.value) == CSCTP_CAUSE_UNRECOGNIZED_CHUNK) {
        if (r->errors++ == 0) {
          size_t clen = csctp_get16(c.value + 2);
          CHECK(clen >= 4 && clen <= c.value_len);
          r->echo_len = clen >= 4 ? clen - 4 : 0;
          if (r->echo_len > sizeof(r->echo))
            r->echo_len = sizeof(r->echo);
          memcpy(r->echo, c.value + 4, r->echo_len);
        }
      } else if (c.type != CSCTP_CT_SACK) {
        r->other++;
      }
    }
  }
}

static void test_unknown_chunks(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0xA1B2C3D4);
  REQUIRE(establish(ep, &pr));
  const uint8_t val[4] = {1, 2, 3, 4};
  unk_result r;
  /* The unknown chunk as it must come back: type, flags 0, length 8, value.
   */
  uint8_t echo[8] = {0, 0, 0, 8, 1, 2, 3, 4};

  /* 00: stop, discard the rest, no report. */
  unknown_chunk_round(ep, &pr, 0x30, val, 4, 0, &r);
  CHECK_EQ(r.hb_ack, 0);
  CHECK_EQ(r.errors, 0);
  CHECK_EQ(r.other, 0);
  /* 01: stop, discard the rest, report in ERROR (3.3.10.6). */
  unknown_chunk_round(ep, &pr, 0x70, val, 4, 0, &r);
  CHECK_EQ(r.hb_ack, 0);
  CHECK_EQ(r.errors, 1);
  echo[0] = 0x70;
  CHECK_EQ(r.echo_len, 8);
  CHECK_MEM(r.echo, echo, 8);
  CHECK_EQ(r.other, 0);
  /* 10: skip, go on, no report. */
  unknown_chunk_round(ep, &pr, 0xB0, val, 4, 0, &r);
  CHECK_EQ(r.hb_ack, 1);
  CHECK_EQ(r.errors, 0);
  CHECK_EQ(r.other, 0);
  /* 11: skip, go on, report. */
  unknown_chunk_round(ep, &pr, 0xF0, val, 4, 0, &r);
  CHECK_EQ(r.hb_ack, 1);
  CHECK_EQ(r.errors, 1);
  echo[0] = 0xF0;
  CHECK_EQ(r.echo_len, 8);
  CHECK_MEM(r.echo, echo, 8);
  CHECK_EQ(r.other, 0);
  /* Chunks before a "stop" chunk were processed (no roll back). */
  unknown_chunk_round(ep, &pr, 0x30, val, 4, 1, &r);
  CHECK_EQ(r.hb_ack, 1);
  CHECK_EQ(r.errors, 0);
  /* An empty unknown chunk (length 4) is reported as 4 bytes. */
  unknown_chunk_round(ep, &pr, 0x7F, NULL, 0, 0, &r);
  CHECK_EQ(r.errors, 1);
  CHECK_EQ(r.echo_len, 4);
  uint8_t e4[4] = {0x7F, 0, 0, 4};
  CHECK_MEM(r.echo, e4, 4);
  /* The association is still up. */
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(ep, pr.id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  csctp_endpoint_del(ep);
}

/* 3.3.10.6: "The Unrecognized Chunk field contains the unrecognized chunk
 * from the SCTP packet complete with Chunk Type, Chunk Flags, and Chunk
 * Length." A 28-byte chunk must come back whole. */
static void test_unknown_chunk_reported_whole(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0xA1B2C3D4);
  REQUIRE(establish(ep, &pr));
  uint8_t val[24];
  for (int i = 0; i < 24; i++)
    val[i] = (uint8_t)(0x40 + i);
  unk_result r;
  unknown_chunk_round(ep, &pr, 0xF0, val, sizeof(val), 0, &r);
  CHECK_EQ(r.hb_ack, 1);
  REQUIRE(r.errors == 1);
  uint8_t want[28] = {0xF0, 0, 0, 28};
  memcpy(want + 4, val, 24);
  CHECK_EQ(r.echo_len, 28);
  CHECK_MEM(r.echo, want, r.echo_len < 28 ? r.echo_len : 28);
  csctp_endpoint_del(ep);
}

/* 5.1.5 (3) and 3.3.10.3: a cookie past its lifetime is answered by an
 * ERROR with Stale Cookie; the staleness is in microseconds. */
static void test_stale_cookie(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0x51525354);
  init_args a = default_init(pr.tag);
  bld p;
  begin(&p, pr.port, 0);
  put_init(&p, &a);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  init_ack_info ia;
  REQUIRE(expect_init_ack(ep, &pr.addr, pr.port, pr.tag, &ia));
  /* Valid.Cookie.Life is 60 s: at NOW + 61 s the cookie is 1 s stale. */
  begin(&p, pr.port, ia.ack.init_tag);
  CHECK_EQ(csctp_put_cookie_echo(&p.b, ia.cookie, ia.cookie_len), 0);
  size_t len = finish(&p);
  csctp_addr dst = local_addr();
  CHECK_EQ(
      csctp_endpoint_read_pkt(ep, &pr.addr, &dst, p.mem, len, NOW + 61 * SEC),
      0);
  outp o;
  csctp_tlv c;
  REQUIRE(next_out(ep, &o));
  check_hdr(&o, &pr.addr, pr.port, pr.tag);
  CHECK_EQ(o_chunks(&o, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_ERROR);
  REQUIRE(c.value_len >= 8);
  CHECK_EQ(csctp_get16(c.value), CSCTP_CAUSE_STALE_COOKIE);
  CHECK_EQ(csctp_get16(c.value + 2), 8);
  CHECK_EQ(csctp_get32(c.value + 4), 1000000);
  CHECK_EQ(stats(ep).assocs, 0);
  CHECK_EQ(stats(ep).bad_cookie, 1);
  expect_silence(ep);
  /* At exactly the end of its life it is still good. */
  CHECK_EQ(
      csctp_endpoint_read_pkt(ep, &pr.addr, &dst, p.mem, len, NOW + 60 * SEC),
      0);
  CHECK_EQ(stats(ep).assocs, 1);
  csctp_endpoint_del(ep);
}

/* 8.5.1 B: an ABORT is accepted with our tag and T clear, or with the
 * peer's tag and T set; otherwise silently discarded. */
static void test_abort_tag_rules(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0x61626364);
  REQUIRE(establish(ep, &pr));
  bld p;
  csctp_assoc_status st;
  /* Wrong tag, T clear. */
  begin(&p, pr.port, pr.ep_tag ^ 0x100);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, 0), 0);
  feed(ep, &pr.addr, &p);
  /* Our tag but T set (it should then be the peer's tag). */
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, CSCTP_FLAG_T), 0);
  feed(ep, &pr.addr, &p);
  /* Peer's tag, T clear. */
  begin(&p, pr.port, pr.tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, 0), 0);
  feed(ep, &pr.addr, &p);
  expect_silence(ep);
  CHECK_EQ(csctp_assoc_status_get(ep, pr.id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  csctp_event ev[4];
  CHECK_EQ(csctp_endpoint_poll_events(ep, ev, 4), 0);
  /* Peer's tag, T set: accepted. */
  begin(&p, pr.port, pr.tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, CSCTP_FLAG_T), 0);
  feed(ep, &pr.addr, &p);
  expect_silence(ep); /* never answer an ABORT */
  size_t n = csctp_endpoint_poll_events(ep, ev, 4);
  REQUIRE(n >= 1);
  CHECK_EQ(ev[0].type, CSCTP_EV_ASSOC_LOST);
  CHECK_EQ(ev[0].u.lost.reason, CSCTP_LOST_PEER_ABORT);
  for (size_t i = 0; i < n; i++)
    csctp_event_clear(ep, &ev[i]);
  csctp_endpoint_del(ep);

  /* And with our tag, T clear: accepted too. */
  ep = mkep(1, NULL);
  REQUIRE(ep);
  REQUIRE(establish(ep, &pr));
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_cause_chunk(&p.b, CSCTP_CT_ABORT, 0,
                                 CSCTP_CAUSE_USER_ABORT, "bye", 3),
           0);
  feed(ep, &pr.addr, &p);
  expect_silence(ep);
  n = csctp_endpoint_poll_events(ep, ev, 4);
  REQUIRE(n >= 1);
  CHECK_EQ(ev[0].type, CSCTP_EV_ASSOC_LOST);
  CHECK_EQ(ev[0].u.lost.cause_code, CSCTP_CAUSE_USER_ABORT);
  csctp_endpoint_del(ep);
}

/* ---- Association limit --------------------------------------------------- */

static void test_max_assocs(void) {
  csctp_settings s;
  csctp_settings_default(&s);
  s.max_assocs = 1;
  csctp_endpoint *ep = mkep(1, &s);
  REQUIRE(ep);
  /* B gets its INIT ACK while there is still room... */
  peer b = mkpeer(3, 6001, 0xBBBBBBBB);
  init_args ab = default_init(b.tag);
  bld p;
  begin(&p, b.port, 0);
  put_init(&p, &ab);
  CHECK_EQ(feed(ep, &b.addr, &p), 0);
  init_ack_info iab;
  REQUIRE(expect_init_ack(ep, &b.addr, b.port, b.tag, &iab));
  /* ...then A takes the only slot. */
  peer a = mkpeer(2, 6000, 0xAAAAAAAA);
  REQUIRE(establish(ep, &a));
  CHECK_EQ(stats(ep).assocs, 1);
  uint64_t dropped = stats(ep).inits_dropped;
  /* A new INIT: ABORT with Out of Resource (3.3.10.4), Initiate Tag,
   * T bit clear (8.4 (3)). */
  peer c = mkpeer(4, 6002, 0xCCCCCCCC);
  init_args ac = default_init(c.tag);
  begin(&p, c.port, 0);
  put_init(&p, &ac);
  CHECK_EQ(feed(ep, &c.addr, &p), 0);
  CHECK_EQ(expect_abort(ep, &c.addr, c.port, c.tag, 0),
           CSCTP_CAUSE_OUT_OF_RESOURCE);
  CHECK(stats(ep).inits_dropped > dropped);
  /* B's COOKIE ECHO: no room either; ABORT to B with B's tag. */
  send_cookie_echo(ep, &b, &iab);
  CHECK_EQ(expect_abort(ep, &b.addr, b.port, b.tag, 0),
           CSCTP_CAUSE_OUT_OF_RESOURCE);
  CHECK_EQ(stats(ep).assocs, 1);
  /* Once A is gone, C gets in. */
  CHECK_EQ(csctp_assoc_release(ep, a.id), 0);
  CHECK_EQ(stats(ep).assocs, 0);
  REQUIRE(establish(ep, &c));
  CHECK_EQ(stats(ep).assocs, 1);
  csctp_endpoint_del(ep);
}

/* ---- Settings ----------------------------------------------------------- */

static int settings_ok(void (*tweak)(csctp_settings *)) {
  csctp_settings s;
  csctp_settings_default(&s);
  tweak(&s);
  csctp_endpoint *ep = NULL;
  int rv =
      csctp_endpoint_new(&ep, 1234, &s, NULL, seeded_rand, &rand_state, NOW);
  csctp_endpoint_del(ep);
  /* set_settings agrees with new and leaves the old settings on failure. */
  csctp_endpoint *ep2 = mkep(0, NULL);
  if (!ep2)
    return -1;
  csctp_settings before = *csctp_endpoint_settings(ep2);
  int rv2 = csctp_endpoint_set_settings(ep2, &s);
  if (rv2 != 0)
    CHECK_MEM(csctp_endpoint_settings(ep2), &before, sizeof(before));
  else
    CHECK_MEM(csctp_endpoint_settings(ep2), &s, sizeof(s));
  csctp_endpoint_del(ep2);
  CHECK_EQ(rv, rv2);
  CHECK(rv == 0 || rv == CSCTP_ERR_INVAL);
  return rv;
}

#define TWEAK(name, body)                                                      \
  static void name(csctp_settings *s) { body; }
TWEAK(tw_none, (void)s)
TWEAK(tw_rto_min0, s->rto_min = 0)
TWEAK(tw_min_gt_max, s->rto_min = 61 * SEC)
TWEAK(tw_init_lt_min, s->rto_initial = 500 * MS)
TWEAK(tw_init_gt_max, s->rto_initial = 61 * SEC)
TWEAK(tw_alpha0, s->rto_alpha_shift = 0)
TWEAK(tw_beta16, s->rto_beta_shift = 16)
TWEAK(tw_amr0, s->assoc_max_retrans = 0)
TWEAK(tw_pmr0, s->path_max_retrans = 0)
TWEAK(tw_sackfreq0, s->sack_freq = 0)
TWEAK(tw_sackdelay501, s->sack_delay = 501 * MS)
TWEAK(tw_sackdelay500, s->sack_delay = 500 * MS)
TWEAK(tw_os0, s->num_ostreams = 0)
TWEAK(tw_mis0, s->max_instreams = 0)
TWEAK(tw_rcvbuf1499, s->rcvbuf = 1499)
TWEAK(tw_rcvbuf1500, s->rcvbuf = 1500)
TWEAK(tw_sndbuf1499, s->sndbuf = 1499)
TWEAK(tw_burst0, s->max_burst = 0)
TWEAK(tw_pmtu507, s->pmtu = 507)
TWEAK(tw_pmtu508, s->pmtu = 508)
TWEAK(tw_pmtu65536, s->pmtu = 65536)
TWEAK(tw_cookie0, s->valid_cookie_life = 0)
TWEAK(tw_assocs0, s->max_assocs = 0)
TWEAK(tw_addrs0, s->max_init_addrs = 0)
TWEAK(tw_addrs17, s->max_init_addrs = 17)
TWEAK(tw_addrs16, s->max_init_addrs = 16)
TWEAK(tw_custom, {
  s->rto_min = 100 * MS;
  s->rto_initial = 200 * MS;
  s->rto_max = 2 * SEC;
  s->num_ostreams = 1;
  s->pmtu = 1200;
})

static void test_settings_default(void) {
  csctp_settings s;
  memset(&s, 0xFF, sizeof(s));
  csctp_settings_default(&s);
  /* RFC 9260 16. */
  CHECK_EQ(s.rto_initial, 1 * SEC);
  CHECK_EQ(s.rto_min, 1 * SEC);
  CHECK_EQ(s.rto_max, 60 * SEC);
  CHECK_EQ(s.rto_alpha_shift, 3);
  CHECK_EQ(s.rto_beta_shift, 2);
  CHECK_EQ(s.max_init_retransmits, 8);
  CHECK_EQ(s.assoc_max_retrans, 10);
  CHECK_EQ(s.path_max_retrans, 5);
  CHECK_EQ(s.hb_interval, 30 * SEC);
  CHECK_EQ(s.valid_cookie_life, 60 * SEC);
  CHECK_EQ(s.max_burst, 4);
  CHECK(s.sack_delay <= 500 * MS); /* 6.2 */
  CHECK(s.rcvbuf >= 1500);
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  CHECK_MEM(csctp_endpoint_settings(ep), &s, sizeof(s));
  CHECK_EQ(csctp_endpoint_port(ep), EP_PORT);
  CHECK_EQ(csctp_endpoint_set_settings(ep, NULL), CSCTP_ERR_INVAL);
  csctp_endpoint_del(ep);
}

static void test_settings_validation(void) {
  CHECK_EQ(settings_ok(tw_none), 0);
  CHECK_EQ(settings_ok(tw_rto_min0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_min_gt_max), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_init_lt_min), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_init_gt_max), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_alpha0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_beta16), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_amr0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_pmr0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_sackfreq0), CSCTP_ERR_INVAL);
  /* 6.2: the SACK delay MUST NOT exceed 500 ms. */
  CHECK_EQ(settings_ok(tw_sackdelay501), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_sackdelay500), 0);
  CHECK_EQ(settings_ok(tw_os0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_mis0), CSCTP_ERR_INVAL);
  /* 3.3.2: a_rwnd MUST NOT be smaller than 1500. */
  CHECK_EQ(settings_ok(tw_rcvbuf1499), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_rcvbuf1500), 0);
  CHECK_EQ(settings_ok(tw_sndbuf1499), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_burst0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_pmtu507), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_pmtu508), 0);
  CHECK_EQ(settings_ok(tw_pmtu65536), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_cookie0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_assocs0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_addrs0), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_addrs17), CSCTP_ERR_INVAL);
  CHECK_EQ(settings_ok(tw_addrs16), 0);
  CHECK_EQ(settings_ok(tw_custom), 0);
  /* Port 0 and NULL out-pointer. */
  csctp_endpoint *ep = NULL;
  CHECK_EQ(csctp_endpoint_new(&ep, 0, NULL, NULL, NULL, NULL, NOW),
           CSCTP_ERR_INVAL);
  CHECK(ep == NULL);
  CHECK_EQ(csctp_endpoint_new(NULL, 1, NULL, NULL, NULL, NULL, NOW),
           CSCTP_ERR_INVAL);
}

static int failing_rand(uint8_t *d, size_t n, void *ud) {
  (void)d, (void)n, (void)ud;
  return -1;
}

static void test_endpoint_new_rand_fails(void) {
  csctp_endpoint *ep = NULL;
  CHECK_EQ(csctp_endpoint_new(&ep, 1, NULL, NULL, failing_rand, NULL, NOW),
           CSCTP_ERR_RANDOM);
  CHECK(ep == NULL);
}

/* ---- csctp_strerror, csctp_pkt_ports ------------------------------------ */

static void test_strerror(void) {
  static const int codes[] = {
      CSCTP_ERR_INVAL,    CSCTP_ERR_NOMEM,     CSCTP_ERR_NOBUF,
      CSCTP_ERR_AGAIN,    CSCTP_ERR_NOT_FOUND, CSCTP_ERR_STATE,
      CSCTP_ERR_STREAM,   CSCTP_ERR_MSGSIZE,   CSCTP_ERR_MALFORMED,
      CSCTP_ERR_CHECKSUM, CSCTP_ERR_CLOSED,    CSCTP_ERR_LIMIT,
      CSCTP_ERR_ADDR,     CSCTP_ERR_ABORTED,   CSCTP_ERR_TIMEOUT,
      CSCTP_ERR_REFUSED,  CSCTP_ERR_PROTO,     CSCTP_ERR_NOT_SUPPORTED,
      CSCTP_ERR_RANDOM};
  const size_t n = sizeof(codes) / sizeof(codes[0]);
  const char *unknown = csctp_strerror(-1999);
  REQUIRE(unknown != NULL);
  CHECK(strlen(unknown) > 0);
  for (size_t i = 0; i < n; i++) {
    const char *m = csctp_strerror(codes[i]);
    REQUIRE(m != NULL);
    CHECK(strlen(m) > 0);
    CHECK(strcmp(m, unknown) != 0);
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(m, csctp_strerror(codes[j])) != 0); /* all distinct */
  }
  /* The codes are the documented values. */
  CHECK_EQ(CSCTP_ERR_INVAL, -1001);
  CHECK_EQ(CSCTP_ERR_RANDOM, -1019);
  /* Negated errno: the C library's text. */
  CHECK(strcmp(csctp_strerror(-ENOENT), strerror(ENOENT)) == 0);
  CHECK(strcmp(csctp_strerror(-EAGAIN), strerror(EAGAIN)) == 0);
  CHECK(strcmp(csctp_strerror(-ECONNREFUSED), strerror(ECONNREFUSED)) == 0);
  CHECK(strcmp(csctp_strerror(-EHOSTUNREACH), strerror(EHOSTUNREACH)) == 0);
  /* Never NULL, whatever the input. */
  static const int odd[] = {0,     1,      1000,       -1000,          -1020,
                            -2000, -99999, 2147483647, -2147483647 - 1};
  for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
    const char *m = csctp_strerror(odd[i]);
    CHECK(m != NULL && strlen(m) > 0);
  }
  CHECK(strcmp(csctp_strerror(-1020), unknown) == 0);
  CHECK(strcmp(csctp_strerror(-1000), unknown) == 0);
}

static void test_pkt_ports(void) {
  uint8_t pkt[16] = {0x13, 0x88, 0xEA, 0x60, 1, 2, 3, 4, 5, 6, 7, 8};
  uint16_t s = 0, d = 0;
  CHECK_EQ(csctp_pkt_ports(pkt, 12, &s, &d), 0);
  CHECK_EQ(s, 5000);
  CHECK_EQ(d, 60000);
  CHECK_EQ(csctp_pkt_ports(pkt, 16, &s, NULL), 0);
  CHECK_EQ(csctp_pkt_ports(pkt, 16, NULL, &d), 0);
  CHECK_EQ(csctp_pkt_ports(pkt, 16, NULL, NULL), 0);
  s = d = 7;
  CHECK_EQ(csctp_pkt_ports(pkt, 11, &s, &d), CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_pkt_ports(pkt, 0, &s, &d), CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_pkt_ports(NULL, 12, &s, &d), CSCTP_ERR_MALFORMED);
  CHECK_EQ(s, 7);
  CHECK_EQ(d, 7);
  /* On a real packet. */
  bld p;
  begin(&p, 6543, 0);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_COOKIE_ACK, 0), 0);
  size_t len = finish(&p);
  CHECK_EQ(csctp_pkt_ports(p.mem, len, &s, &d), 0);
  CHECK_EQ(s, 6543);
  CHECK_EQ(d, EP_PORT);
}

/* ---- The endpoint as initiator ------------------------------------------ */

/* csctp_connect to pr and read the INIT: pr->ep_tag gets its Initiate Tag,
 * pr->id the association. Returns 1 on success. */
static int connect_out(csctp_endpoint *ep, peer *pr) {
  csctp_assoc_id id = 0;
  CHECK_EQ(csctp_connect(ep, &pr->addr, 1, pr->port, NULL, NOW, &id), 0);
  pr->id = id;
  outp o;
  csctp_tlv c;
  csctp_init in;
  if (!next_out(ep, &o) || o_chunks(&o, &c) != 1 || c.type != CSCTP_CT_INIT ||
      csctp_init_decode(&c, &in) != 0) {
    CHECK(!"an INIT was expected");
    return 0;
  }
  CHECK_EQ(o_vtag(&o), 0);
  pr->ep_tag = in.init_tag;
  pr->ep_tsn = in.init_tsn;
  return 1;
}

/* An INIT ACK from pr (Initiate Tag pr->tag) with the given a_rwnd and
 * parameters (the test supplies the State Cookie among them). */
static void put_init_ack(bld *p, const peer *pr, uint32_t a_rwnd,
                         const uint8_t *params, size_t plen) {
  csctp_init in;
  size_t off;
  memset(&in, 0, sizeof(in));
  in.init_tag = pr->tag;
  in.a_rwnd = a_rwnd;
  in.num_ostreams = 5;
  in.max_instreams = 5;
  in.init_tsn = 7000;
  begin(p, pr->port, pr->ep_tag);
  CHECK_EQ(csctp_put_init_begin(&p->b, CSCTP_CT_INIT_ACK, &in, &off), 0);
  if (plen)
    CHECK_EQ(csctp_put_bytes(&p->b, params, plen), 0);
  CHECK_EQ(csctp_chunk_end(&p->b, off), 0);
}

static uint32_t assoc_state(csctp_endpoint *ep, csctp_assoc_id id) {
  csctp_assoc_status st;
  if (csctp_assoc_status_get(ep, id, &st) != 0)
    return 0xFFFFFFFFu;
  return st.state;
}

/* Counts the events of a type (and clears them all). */
static int count_events(csctp_endpoint *ep, uint32_t type) {
  csctp_event ev[16];
  size_t n;
  int k = 0;
  while ((n = csctp_endpoint_poll_events(ep, ev, 16)) > 0)
    for (size_t i = 0; i < n; i++) {
      k += ev[i].type == type;
      csctp_event_clear(ep, &ev[i]);
    }
  return k;
}

/* Expects one packet, a lone SHUTDOWN COMPLETE with the T bit set and the
 * given (reflected) tag. */
static void expect_shutdown_complete_t(csctp_endpoint *ep, const peer *pr,
                                       uint32_t vtag) {
  outp o;
  csctp_tlv c;
  if (!next_out(ep, &o)) {
    CHECK(!"a SHUTDOWN COMPLETE was expected");
    return;
  }
  check_hdr(&o, &pr->addr, pr->port, vtag);
  CHECK_EQ(o_chunks(&o, &c), 1);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_COMPLETE);
  CHECK_EQ(c.flags & CSCTP_FLAG_T, CSCTP_FLAG_T);
  expect_silence(ep);
}

/* 8.5.1 E and 8.4 (5): a SHUTDOWN ACK reaching an association in
 * COOKIE-WAIT or COOKIE-ECHOED is treated as out of the blue: it is
 * answered by a SHUTDOWN COMPLETE carrying the packet's own tag with the T
 * bit set, and the association is not disturbed. */
static void test_shutdown_ack_in_cookie_states(void) {
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 7000, 0x71727374);
  REQUIRE(connect_out(ep, &pr));
  const uint32_t old_tag = 0x0DDBA11u; /* a previous association's tag */
  bld p;
  begin(&p, pr.port, old_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_ACK, 0), 0);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  expect_shutdown_complete_t(ep, &pr, old_tag);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_WAIT);
  CHECK_EQ(count_events(ep, CSCTP_EV_ASSOC_LOST), 0);

  /* COOKIE-ECHOED: answer the INIT, the endpoint echoes the cookie. */
  uint8_t params[64];
  size_t n =
      mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "cookie!", 7);
  put_init_ack(&p, &pr, 65536, params, n);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  outp o;
  csctp_tlv c;
  REQUIRE(next_out(ep, &o));
  CHECK_EQ(o_chunks(&o, &c) >= 1, 1);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ECHO);
  REQUIRE(assoc_state(ep, pr.id) == CSCTP_STATE_COOKIE_ECHOED);
  begin(&p, pr.port, old_tag + 1);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_ACK, 0), 0);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  expect_shutdown_complete_t(ep, &pr, old_tag + 1);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_ECHOED);
  /* Even under the endpoint's own tag it is out of the blue here. */
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_ACK, 0), 0);
  CHECK_EQ(feed(ep, &pr.addr, &p), 0);
  expect_shutdown_complete_t(ep, &pr, pr.ep_tag);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_ECHOED);
  CHECK_EQ(count_events(ep, CSCTP_EV_ASSOC_LOST), 0);
  csctp_endpoint_del(ep);
}

/* 8.5.1 B, C: an ABORT or SHUTDOWN COMPLETE with the T bit is accepted only
 * under the peer's tag. In COOKIE-WAIT that tag is not known yet (and it is
 * forgotten again after a Stale Cookie error, 5.2.6): a blind ABORT with T
 * set and tag 0 must not end the association. */
static void test_blind_t_bit_in_setup(void) {
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 7000, 0x81828384);
  REQUIRE(connect_out(ep, &pr));
  bld p;
  for (int round = 0; round < 2; round++) {
    begin(&p, pr.port, 0);
    CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, CSCTP_FLAG_T), 0);
    feed(ep, &pr.addr, &p);
    begin(&p, pr.port, 0);
    CHECK_EQ(
        csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T),
        0);
    feed(ep, &pr.addr, &p);
    expect_silence(ep);
    CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_WAIT);
    CHECK_EQ(count_events(ep, CSCTP_EV_ASSOC_LOST), 0);
    if (round == 1)
      break;
    /* INIT ACK, COOKIE ECHO, then a Stale Cookie error: back to
     * COOKIE-WAIT with a new INIT (5.2.6). */
    uint8_t params[64];
    size_t n =
        mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "cookie!", 7);
    put_init_ack(&p, &pr, 65536, params, n);
    feed(ep, &pr.addr, &p);
    REQUIRE(drain(ep) == 1);
    REQUIRE(assoc_state(ep, pr.id) == CSCTP_STATE_COOKIE_ECHOED);
    uint8_t stale[4] = {0, 0, 0x10, 0};
    begin(&p, pr.port, pr.ep_tag);
    CHECK_EQ(csctp_put_cause_chunk(&p.b, CSCTP_CT_ERROR, 0,
                                   CSCTP_CAUSE_STALE_COOKIE, stale, 4),
             0);
    feed(ep, &pr.addr, &p);
    REQUIRE(assoc_state(ep, pr.id) == CSCTP_STATE_COOKIE_WAIT);
    REQUIRE(drain(ep) == 1); /* the new INIT */
  }
  /* The peer's real refusal (8.4 (3): our tag, T clear) still works. */
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_ABORT, 0), 0);
  feed(ep, &pr.addr, &p);
  expect_silence(ep);
  CHECK_EQ(count_events(ep, CSCTP_EV_ASSOC_LOST), 1);
  csctp_endpoint_del(ep);
}

/* 8.5.1 A: a packet with Verification Tag 0 must hold only an INIT;
 * anything else is silently discarded -- no reflected ABORT with tag 0
 * (8.4 (8) would otherwise answer it). */
static void test_vtag_zero_not_init_silent(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  csctp_addr src = addr4(9);
  bld p;
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  d.tsn = 77;
  d.payload = (const uint8_t *)"hello";
  d.len = 5;
  for (int k = 0; k < 5; k++) {
    begin(&p, 7000, 0);
    switch (k) {
    case 0:
      CHECK_EQ(csctp_put_data(&p.b, &d), 0);
      break;
    case 1:
      CHECK_EQ(csctp_put_sack(&p.b, 5, 65536, NULL, 0, NULL, 0), 0);
      break;
    case 2:
      CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
      break;
    case 3:
      CHECK_EQ(csctp_put_shutdown(&p.b, 5), 0);
      break;
    case 4:
      CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_ACK, 0), 0);
      break;
    }
    feed(ep, &src, &p);
    expect_silence(ep);
  }
  CHECK_EQ(stats(ep).assocs, 0);
  csctp_endpoint_del(ep);
}

/* 3.3.3: an INIT ACK with a_rwnd below 1500 is discarded; the association
 * (COOKIE-WAIT) is not changed; an ABORT under the INIT ACK's Initiate Tag
 * SHOULD be sent. */
static void test_init_ack_small_rwnd(void) {
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 7000, 0x91929394);
  REQUIRE(connect_out(ep, &pr));
  uint8_t params[64];
  size_t n =
      mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "cookie!", 7);
  bld p;
  put_init_ack(&p, &pr, 1499, params, n);
  feed(ep, &pr.addr, &p);
  outp o;
  int k = 0;
  while (k < 10 && next_out(ep, &o)) {
    csctp_tlv c;
    k++;
    CHECK_EQ(o_chunks(&o, &c), 1);
    CHECK_EQ(c.type, CSCTP_CT_ABORT); /* never a COOKIE ECHO */
    CHECK_EQ(c.flags & CSCTP_FLAG_T, 0);
    CHECK_EQ(o_vtag(&o), pr.tag);
  }
  CHECK(k <= 1);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_WAIT);
  CHECK_EQ(count_events(ep, CSCTP_EV_ASSOC_LOST), 0);
  /* 1500 is fine. */
  put_init_ack(&p, &pr, 1500, params, n);
  feed(ep, &pr.addr, &p);
  REQUIRE(next_out(ep, &o));
  csctp_tlv c;
  o_chunks(&o, &c);
  CHECK_EQ(c.type, CSCTP_CT_COOKIE_ECHO);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_ECHOED);
  csctp_endpoint_del(ep);
}

/* What the endpoint sent during an INIT ACK exchange: whether its packets
 * carried an ERROR with Unrecognized Parameters (cause 8), and the value of
 * that cause; whether it came before the COOKIE ACK was received. */
typedef struct unrec_seen {
  int errors, early, bundled;
  uint8_t value[128];
  size_t len;
} unrec_seen;

static void scan_unrec(const outp *o, int cookie_acked, unrec_seen *u) {
  csctp_tlv_iter it;
  csctp_tlv c;
  int echo = 0;
  csctp_tlv_iter_init(&it, o->b + 12, o->len - 12);
  while (csctp_chunk_next(&it, &c) == 1) {
    echo |= c.type == CSCTP_CT_COOKIE_ECHO;
    if (c.type != CSCTP_CT_ERROR || c.value_len < 4 ||
        csctp_get16(c.value) != CSCTP_CAUSE_UNRECOGNIZED_PARAMS)
      continue;
    /* 3.2.2: bundled with the COOKIE ECHO, or after the COOKIE ACK. */
    if (!echo && !cookie_acked)
      u->early++;
    u->bundled += echo; /* 3.2.2 SHOULD: in the COOKIE ECHO's packet */
    if (u->errors++ == 0) {
      size_t clen = csctp_get16(c.value + 2);
      CHECK(clen >= 4 && clen <= c.value_len);
      u->len = clen >= 4 && clen - 4 <= sizeof(u->value) ? clen - 4 : 0;
      memcpy(u->value, c.value + 4, u->len);
    }
  }
}

/* Runs an INIT ACK carrying params through to the COOKIE ACK; fills *u
 * and returns the number of paths the association ended with (or -1 if
 * no COOKIE ECHO was sent). */
static int init_ack_round(const uint8_t *params, size_t plen, unrec_seen *u) {
  memset(u, 0, sizeof(*u));
  csctp_endpoint *ep = mkep(0, NULL);
  if (!ep)
    return -1;
  peer pr = mkpeer(2, 7000, 0xA5A5A5A5);
  int npaths = -1;
  if (!connect_out(ep, &pr))
    goto out;
  bld p;
  put_init_ack(&p, &pr, 65536, params, plen);
  feed(ep, &pr.addr, &p);
  outp o;
  int echoed = 0;
  while (next_out(ep, &o)) {
    csctp_tlv c;
    if (o_chunks(&o, &c) >= 1 && c.type == CSCTP_CT_COOKIE_ECHO)
      echoed = 1;
    scan_unrec(&o, 0, u);
  }
  if (!echoed)
    goto out;
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_COOKIE_ACK, 0), 0);
  feed(ep, &pr.addr, &p);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_ESTABLISHED);
  while (next_out(ep, &o))
    scan_unrec(&o, 1, u);
  csctp_path_status ps[8];
  npaths = csctp_assoc_paths(ep, pr.id, ps, 8);
out:
  csctp_endpoint_del(ep);
  return npaths;
}

/* 3.2.1 and 3.2.2 for the INIT ACK: unknown parameters are handled by the
 * upper two bits of their type; those that ask for it are reported in an
 * ERROR with an Unrecognized Parameters cause, bundled with the COOKIE
 * ECHO or sent after the COOKIE ACK, never before; a COOKIE ECHO is sent
 * in all four cases; nothing after a "stop" parameter is processed. */
static void test_init_ack_unknown_params(void) {
  uint8_t params[256];
  csctp_addr extra = addr4(3); /* a second address of the peer */
  uint8_t ap[16];
  csctp_buf ab;
  csctp_buf_init(&ab, ap, sizeof(ap));
  CHECK_EQ(csctp_put_addr_param(&ab, &extra), 0);
  unrec_seen u;
  /* 11 (skip, report) and 10 (skip silently), the cookie between them, an
   * address at the end: processed. */
  size_t n = mkparam(params, sizeof(params), 0xC123, "report", 6);
  n += mkparam(params + n, sizeof(params) - n, CSCTP_PT_STATE_COOKIE, "ck", 2);
  n += mkparam(params + n, sizeof(params) - n, 0x8123, "silent", 6);
  memcpy(params + n, ap, ab.len);
  n += ab.len;
  CHECK_EQ(init_ack_round(params, n, &u), 2);
  CHECK_EQ(u.errors, 1);
  CHECK_EQ(u.early, 0);
  CHECK_EQ(u.bundled, 1);
  static const uint8_t w1[] = {0xC1, 0x23, 0, 10, 'r', 'e', 'p', 'o', 'r', 't'};
  CHECK_EQ(u.len >= sizeof(w1), 1);
  CHECK_MEM(u.value, w1, sizeof(w1));
  /* 01 (stop, report) after the cookie: reported, the address after it is
   * not processed. */
  n = mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "ck", 2);
  n += mkparam(params + n, sizeof(params) - n, 0x4123, "stop!", 5);
  memcpy(params + n, ap, ab.len);
  n += ab.len;
  CHECK_EQ(init_ack_round(params, n, &u), 1);
  CHECK_EQ(u.errors, 1);
  CHECK_EQ(u.early, 0);
  static const uint8_t w2[] = {0x41, 0x23, 0, 9, 's', 't', 'o', 'p', '!'};
  CHECK_EQ(u.len >= sizeof(w2), 1);
  CHECK_MEM(u.value, w2, sizeof(w2));
  /* 00 (stop silently) after the cookie: no report, address ignored. */
  n = mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "ck", 2);
  n += mkparam(params + n, sizeof(params) - n, 0x0123, "stop.", 5);
  memcpy(params + n, ap, ab.len);
  n += ab.len;
  CHECK_EQ(init_ack_round(params, n, &u), 1);
  CHECK_EQ(u.errors, 0);
}

/* 6.10: chunks are processed in their order; a partial or malformed chunk
 * (Length below 4, running past the packet, or shorter than its type's
 * fixed fields) is dropped with whatever follows it, but the chunks before
 * it take effect. The drop is counted. */
static void test_malformed_chunk_keeps_prefix(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0xB1B2B3B4);
  REQUIRE(establish(ep, &pr));
  uint8_t bad[3][8] = {
      {CSCTP_CT_ABORT, 0, 0, 2, 0, 0, 0, 0},    /* Length below 4 */
      {CSCTP_CT_ABORT, 0, 0, 40, 0, 0, 0, 0},   /* runs past the end */
      {CSCTP_CT_SHUTDOWN, 0, 0, 4, 0, 0, 0, 0}, /* no Cumulative TSN */
  };
  for (int k = 0; k < 3; k++) {
    uint64_t m0 = stats(ep).malformed;
    bld p;
    begin(&p, pr.port, pr.ep_tag);
    CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "prefix!!", 8), 0);
    CHECK_EQ(csctp_put_bytes(&p.b, bad[k], 8), 0);
    CHECK_EQ(feed(ep, &pr.addr, &p), CSCTP_ERR_MALFORMED);
    CHECK_EQ(stats(ep).malformed, m0 + 1);
    outp o;
    csctp_tlv c;
    int hb_ack = 0;
    while (next_out(ep, &o))
      hb_ack += o_chunks(&o, &c) >= 1 && c.type == CSCTP_CT_HEARTBEAT_ACK;
    CHECK_EQ(hb_ack, 1);
    CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_ESTABLISHED);
    CHECK_EQ(count_events(ep, CSCTP_EV_SHUTDOWN_RECEIVED), 0);
  }
  /* DATA before a malformed chunk is received; DATA after one is not. */
  csctp_data d;
  memset(&d, 0, sizeof(d));
  d.flags = CSCTP_DATA_FLAG_B | CSCTP_DATA_FLAG_E;
  d.tsn = 1000;
  d.payload = (const uint8_t *)"first";
  d.len = 5;
  bld p;
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_data(&p.b, &d), 0);
  CHECK_EQ(csctp_put_bytes(&p.b, bad[2], 8), 0);
  d.tsn = 1001;
  d.payload = (const uint8_t *)"after";
  CHECK_EQ(csctp_put_data(&p.b, &d), 0);
  CHECK_EQ(feed(ep, &pr.addr, &p), CSCTP_ERR_MALFORMED);
  CHECK_EQ(csctp_recv_pending(ep, pr.id), 5);
  uint8_t buf[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(ep, pr.id, &ri, buf, sizeof(buf), NOW), 5);
  CHECK_MEM(buf, "first", 5);
  CHECK_EQ(count_events(ep, CSCTP_EV_SHUTDOWN_RECEIVED), 0);
  csctp_endpoint_del(ep);
}

/* 5.1: an INIT ACK "MUST be the only chunk" in its packet; a packet that
 * bundles one with other chunks is discarded. */
static void test_bundled_init_ack_discarded(void) {
  csctp_endpoint *ep = mkep(0, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 7000, 0xC1C2C3C4);
  REQUIRE(connect_out(ep, &pr));
  uint8_t params[64];
  size_t n =
      mkparam(params, sizeof(params), CSCTP_PT_STATE_COOKIE, "cookie!", 7);
  for (int where = 0; where < 2; where++) {
    uint64_t m0 = stats(ep).malformed;
    bld p;
    put_init_ack(&p, &pr, 65536, params, n);
    size_t ack_len = p.b.len - CSCTP_COMMON_HDR_LEN;
    if (where == 0) { /* INIT ACK first, HEARTBEAT after */
      CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
    } else { /* HEARTBEAT first: move the INIT ACK behind it */
      uint8_t tmp[256];
      memcpy(tmp, p.mem + CSCTP_COMMON_HDR_LEN, ack_len);
      begin(&p, pr.port, pr.ep_tag);
      CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
      CHECK_EQ(csctp_put_bytes(&p.b, tmp, ack_len), 0);
    }
    feed(ep, &pr.addr, &p);
    expect_silence(ep);
    CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_WAIT);
    CHECK_EQ(stats(ep).malformed, m0 + 1);
  }
  bld p;
  put_init_ack(&p, &pr, 65536, params, n);
  feed(ep, &pr.addr, &p);
  CHECK_EQ(drain(ep), 1);
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_COOKIE_ECHOED);
  csctp_endpoint_del(ep);
}

/* 3.1, 6.10: SHUTDOWN COMPLETE is never bundled; a packet that bundles it
 * with other chunks breaks the rule and is discarded, in whole. */
static void test_bundled_shutdown_complete_discarded(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer pr = mkpeer(2, 6000, 0xD1D2D3D4);
  REQUIRE(establish(ep, &pr));
  bld p;
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_shutdown(&p.b, pr.ep_tsn - 1), 0);
  feed(ep, &pr.addr, &p);
  outp o;
  csctp_tlv c;
  REQUIRE(next_out(ep, &o));
  o_chunks(&o, &c);
  CHECK_EQ(c.type, CSCTP_CT_SHUTDOWN_ACK);
  REQUIRE(assoc_state(ep, pr.id) == CSCTP_STATE_SHUTDOWN_ACK_SENT);
  count_events(ep, 0);
  uint64_t m0 = stats(ep).malformed;
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_heartbeat(&p.b, CSCTP_CT_HEARTBEAT, "12345678", 8), 0);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_COMPLETE, 0), 0);
  feed(ep, &pr.addr, &p);
  expect_silence(ep); /* not even the HEARTBEAT is answered */
  CHECK_EQ(assoc_state(ep, pr.id), CSCTP_STATE_SHUTDOWN_ACK_SENT);
  CHECK_EQ(count_events(ep, CSCTP_EV_SHUTDOWN_COMPLETE), 0);
  CHECK_EQ(stats(ep).malformed, m0 + 1);
  /* Alone, it completes the shutdown (8.5.1 C). */
  begin(&p, pr.port, pr.ep_tag);
  CHECK_EQ(csctp_put_empty_chunk(&p.b, CSCTP_CT_SHUTDOWN_COMPLETE, 0), 0);
  feed(ep, &pr.addr, &p);
  CHECK_EQ(count_events(ep, CSCTP_EV_SHUTDOWN_COMPLETE), 1);
  csctp_endpoint_del(ep);
}

/* ---- Cookie secret rotation, 5.1.3 ------------------------------------- */

/* Sends an INIT from peer `last` at time t and returns its cookie. */
static int cookie_at(csctp_endpoint *ep, peer *pr, csctp_tstamp t,
                     init_ack_info *ia) {
  bld p;
  init_args a = default_init(pr->tag);
  begin(&p, pr->port, 0);
  put_init(&p, &a);
  size_t len = finish(&p);
  csctp_addr dst = local_addr();
  CHECK_EQ(csctp_endpoint_read_pkt(ep, &pr->addr, &dst, p.mem, len, t), 0);
  return expect_init_ack(ep, &pr->addr, pr->port, pr->tag, ia);
}

/* Echoes a cookie at time t; returns the first chunk type of the answer
 * (0 when there is none). */
static int echo_at(csctp_endpoint *ep, const peer *pr, const init_ack_info *ia,
                   csctp_tstamp t) {
  bld p;
  begin(&p, pr->port, ia->ack.init_tag);
  CHECK_EQ(csctp_put_cookie_echo(&p.b, ia->cookie, ia->cookie_len), 0);
  size_t len = finish(&p);
  csctp_addr dst = local_addr();
  csctp_endpoint_read_pkt(ep, &pr->addr, &dst, p.mem, len, t);
  outp o;
  csctp_tlv c;
  csctp_ssize n =
      csctp_endpoint_write_pkt(ep, &o.dst, &o.src, o.b, sizeof(o.b), t);
  if (n <= 0)
    return 0;
  o.len = (size_t)n;
  int type = o_chunks(&o, &c) >= 1 ? c.type : 0;
  outp rest;
  while (csctp_endpoint_write_pkt(ep, &rest.dst, &rest.src, rest.b,
                                  sizeof(rest.b), t) > 0)
    ;
  return type;
}

/* 5.1.3: the secret key SHOULD change from time to time (here once per
 * Valid.Cookie.Life, 60 s), and the previous one is kept so that cookies
 * already handed out stay good for their life. A cookie signed with a key
 * two changes old no longer authenticates: it is discarded silently like
 * any cookie whose MAC fails (5.1.5 (2)), where an unchanged key would let
 * it through to the staleness check and its Stale Cookie error. */
static void test_cookie_secret_rotation(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer p0 = mkpeer(20, 6000, 0x10000001), p1 = mkpeer(21, 6000, 0x10000002);
  peer p2 = mkpeer(22, 6000, 0x10000003), p3 = mkpeer(23, 6000, 0x10000004);
  init_ack_info c0, c1, c2, c3;
  REQUIRE(cookie_at(ep, &p0, NOW, &c0));
  REQUIRE(cookie_at(ep, &p1, NOW + 61 * SEC, &c1));  /* after change 1 */
  REQUIRE(cookie_at(ep, &p2, NOW + 120 * SEC, &c2)); /* same key as c1 */
  REQUIRE(cookie_at(ep, &p3, NOW + 122 * SEC, &c3)); /* after change 2 */
  csctp_tstamp t = NOW + 123 * SEC;
  /* Made before the last change, still in its life: accepted. */
  uint64_t bad0 = stats(ep).bad_cookie;
  CHECK_EQ(echo_at(ep, &p2, &c2, t), CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(stats(ep).assocs, 1);
  /* Made after it: accepted. */
  CHECK_EQ(echo_at(ep, &p3, &c3, t), CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(stats(ep).assocs, 2);
  CHECK_EQ(stats(ep).bad_cookie, bad0);
  /* Past its life under the previous key: still authenticated, so the
   * peer hears that it is stale (5.1.5 (3)). */
  CHECK_EQ(echo_at(ep, &p1, &c1, t), CSCTP_CT_ERROR);
  /* Two changes old: the MAC no longer verifies; no answer. */
  CHECK_EQ(echo_at(ep, &p0, &c0, t), 0);
  CHECK_EQ(stats(ep).bad_cookie, bad0 + 2);
  CHECK_EQ(stats(ep).assocs, 2);
  csctp_endpoint_del(ep);
}

/* 5.1.3 with a cookie made just before a change of key and echoed just
 * after it. */
static void test_cookie_across_secret_change(void) {
  csctp_endpoint *ep = mkep(1, NULL);
  REQUIRE(ep);
  peer p0 = mkpeer(30, 6000, 0x20000001), p1 = mkpeer(31, 6000, 0x20000002);
  init_ack_info c0, c1;
  REQUIRE(cookie_at(ep, &p0, NOW + 59 * SEC, &c0));
  REQUIRE(cookie_at(ep, &p1, NOW + 61 * SEC, &c1)); /* the key changes */
  CHECK_EQ(echo_at(ep, &p0, &c0, NOW + 62 * SEC), CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(echo_at(ep, &p1, &c1, NOW + 62 * SEC), CSCTP_CT_COOKIE_ACK);
  CHECK_EQ(stats(ep).assocs, 2);
  csctp_endpoint_del(ep);
}

int main(void) {
  TEST_RUN(test_shutdown_ack_in_cookie_states);
  TEST_RUN(test_blind_t_bit_in_setup);
  TEST_RUN(test_vtag_zero_not_init_silent);
  TEST_RUN(test_init_ack_small_rwnd);
  TEST_RUN(test_init_ack_unknown_params);
  TEST_RUN(test_malformed_chunk_keeps_prefix);
  TEST_RUN(test_bundled_init_ack_discarded);
  TEST_RUN(test_bundled_shutdown_complete_discarded);
  TEST_RUN(test_cookie_secret_rotation);
  TEST_RUN(test_cookie_across_secret_change);
  TEST_RUN(test_bad_checksum);
  TEST_RUN(test_malformed);
  TEST_RUN(test_init_answered);
  TEST_RUN(test_init_not_listening);
  TEST_RUN(test_init_tag_zero);
  TEST_RUN(test_init_bundled);
  TEST_RUN(test_init_zero_streams);
  TEST_RUN(test_init_small_rwnd);
  TEST_RUN(test_ootb_silent);
  TEST_RUN(test_ootb_shutdown_ack);
  TEST_RUN(test_ootb_abort);
  TEST_RUN(test_ootb_bad_cookie);
  TEST_RUN(test_unknown_param_skip_report);
  TEST_RUN(test_unknown_param_skip_silent);
  TEST_RUN(test_unknown_params_several);
  TEST_RUN(test_unknown_param_stop_report);
  TEST_RUN(test_unknown_param_stop_silent);
  TEST_RUN(test_unknown_chunks);
  TEST_RUN(test_unknown_chunk_reported_whole);
  TEST_RUN(test_stale_cookie);
  TEST_RUN(test_abort_tag_rules);
  TEST_RUN(test_max_assocs);
  TEST_RUN(test_settings_default);
  TEST_RUN(test_settings_validation);
  TEST_RUN(test_endpoint_new_rand_fails);
  TEST_RUN(test_strerror);
  TEST_RUN(test_pkt_ports);
  return TEST_SUMMARY();
}
