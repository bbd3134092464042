/* test_icmp.c -- ICMP "destination unreachable" (icmp.c, RFC 9260 section
 * 10, RFC 6951 5.5) through csctp_endpoint_icmp_unreach: the quoted packet
 * locates the association (ICMP5), its tag is checked (ICMP6), a quoted
 * INIT in COOKIE-WAIT ends the setup like an ABORT (ICMP8), and an
 * established association counts a path error (ICMP9); the same over raw
 * IP (port 0); and which errors the I/O layer's error-queue reader passes
 * on for UDP and raw IP (io_icmp_kind). */
#include "config.h"

#include "csctp.h"
#include "test.h"

#include "../chunk.h"
#include "../io_transport.h"

#ifdef __linux__
#include <linux/errqueue.h>
#endif

static int irand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static uint64_t seed_a = 3, seed_b = 4;

typedef struct ipair {
  csctp_endpoint *a, *b;
  csctp_addr addr_a, addr_b;
  csctp_tstamp now;
  csctp_assoc_id id;
  uint8_t init[1500]; /* A's INIT as sent */
  size_t init_len;
} ipair;

/* A dials B (B's UDP encapsulation port: port, 0 for raw IP); A's INIT is
 * kept (not delivered). */
static void ipair_dial_port(ipair *p, uint16_t port) {
  memset(p, 0, sizeof(*p));
  p->addr_a.family = p->addr_b.family = CSCTP_AF_INET;
  p->addr_a.ip[0] = p->addr_b.ip[0] = 10;
  p->addr_a.ip[3] = 1;
  p->addr_b.ip[3] = 2;
  p->addr_b.port = port;
  p->now = 1000 * CSCTP_SECONDS;
  CHECK_EQ(csctp_endpoint_new(&p->a, 5000, NULL, NULL, irand, &seed_a, p->now),
           0);
  CHECK_EQ(csctp_endpoint_new(&p->b, 6000, NULL, NULL, irand, &seed_b, p->now),
           0);
  csctp_endpoint_listen(p->b, 1);
  CHECK_EQ(csctp_connect(p->a, &p->addr_b, 1, 6000, NULL, p->now, &p->id), 0);
  csctp_addr dst, src;
  csctp_ssize n = csctp_endpoint_write_pkt(p->a, &dst, &src, p->init,
                                           sizeof(p->init), p->now);
  CHECK(n > 20 && p->init[12] == CSCTP_CT_INIT);
  p->init_len = n > 0 ? (size_t)n : 0;
}

static void ipair_dial(ipair *p) { ipair_dial_port(p, 9899); }

static void ipair_del(ipair *p) {
  csctp_endpoint_del(p->a);
  csctp_endpoint_del(p->b);
}

static int lost_event(csctp_endpoint *ep, uint32_t *reason) {
  csctp_event evs[8];
  size_t n = csctp_endpoint_poll_events(ep, evs, 8);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == CSCTP_EV_ASSOC_LOST) {
      found = 1;
      *reason = evs[i].u.lost.reason;
    }
    csctp_event_clear(ep, &evs[i]);
  }
  return found;
}

/* ICMP8 (with RFC 6951 5.5's mapping of port unreachable): our INIT quoted
 * while in COOKIE-WAIT: handled like an ABORT, the setup fails at once.
 * The first 20 bytes (common header, chunk header, Initiate Tag) are
 * enough. */
static void test_init_quoted_fails_setup(void) {
  ipair p;
  ipair_dial(&p);
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, p.init, 20, p.now), 1);
  uint32_t reason = 0;
  CHECK(lost_event(p.a, &reason));
  CHECK_EQ(reason, CSCTP_LOST_REFUSED);
  uint8_t buf[16];
  csctp_rcvinfo ri;
  CHECK_EQ(csctp_recv(p.a, p.id, &ri, buf, sizeof(buf), p.now),
           CSCTP_ERR_REFUSED);
  ipair_del(&p);
}

/* Over raw IP (no UDP encapsulation: addresses carry port 0) the same
 * quote of our INIT fails the setup: ICMP "protocol unreachable" from a
 * host without SCTP means what "port unreachable" means over UDP. */
static void test_raw_ip_init_quoted_fails_setup(void) {
  ipair p;
  ipair_dial_port(&p, 0);
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, p.init, 20, p.now), 1);
  uint32_t reason = 0;
  CHECK(lost_event(p.a, &reason));
  CHECK_EQ(reason, CSCTP_LOST_REFUSED);
  ipair_del(&p);
}

/* The I/O layer's reading of the error queue (io_icmp_kind): which ICMP
 * errors reach the validation above, for UDP and raw IP alike. RFC 792
 * type 3 (destination unreachable) code 2 (protocol) and 3 (port); RFC 4443
 * 3.1 type 1 code 4 (port unreachable), 3.4 type 4 code 1 (unrecognized
 * Next Header); RFC 8899 4.6: type 3 code 4 (fragmentation needed), ICMPv6
 * type 2 (packet too big). Others are not ours to act on. */
static void test_icmp_kind(void) {
#ifdef __linux__
  const int v4 = SO_EE_ORIGIN_ICMP, v6 = SO_EE_ORIGIN_ICMP6;
  CHECK_EQ(io_icmp_kind(v4, 3, 3), IO_ICMP_UNREACH);
  CHECK_EQ(io_icmp_kind(v4, 3, 2), IO_ICMP_UNREACH);
  CHECK_EQ(io_icmp_kind(v6, 1, 4), IO_ICMP_UNREACH);
  CHECK_EQ(io_icmp_kind(v6, 4, 1), IO_ICMP_UNREACH);
  CHECK_EQ(io_icmp_kind(v4, 3, 4), IO_ICMP_TOO_BIG);
  CHECK_EQ(io_icmp_kind(v6, 2, 0), IO_ICMP_TOO_BIG);
  /* host / network unreachable, time exceeded, administratively
   * prohibited, and a local error (not ICMP): left to the timers */
  CHECK_EQ(io_icmp_kind(v4, 3, 1), 0);
  CHECK_EQ(io_icmp_kind(v4, 3, 0), 0);
  CHECK_EQ(io_icmp_kind(v4, 11, 0), 0);
  CHECK_EQ(io_icmp_kind(v4, 3, 13), 0);
  CHECK_EQ(io_icmp_kind(v6, 1, 0), 0);
  CHECK_EQ(io_icmp_kind(v6, 4, 0), 0);
  CHECK_EQ(io_icmp_kind(SO_EE_ORIGIN_LOCAL, 3, 3), 0);
  /* the type numbers of one family mean nothing in the other */
  CHECK_EQ(io_icmp_kind(v6, 3, 3), 0);
  CHECK_EQ(io_icmp_kind(v4, 2, 0), 0);
#else
  CHECK_EQ(io_icmp_kind(2, 3, 3), 0); /* no error queue elsewhere */
#endif
}

/* ICMP6: "If it is 0 and the ICMP message contains enough bytes to verify
 * that the chunk type is an INIT chunk and that the Initiate Tag matches
 * ... If the ICMP message is too short or the chunk type or the Initiate
 * Tag does not match, silently discard"; ICMP5: no association, ignored. */
static void test_unverifiable_quotes_ignored(void) {
  ipair p;
  ipair_dial(&p);
  uint8_t q[64];
  memcpy(q, p.init, sizeof(q));
  /* Too short to show the Initiate Tag. */
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 16, p.now), 0);
  /* Another Initiate Tag. */
  q[16] ^= 0x80;
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 20, p.now), 0);
  q[16] ^= 0x80;
  /* Not an INIT under tag 0. */
  q[12] = CSCTP_CT_DATA;
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 20, p.now), 0);
  q[12] = CSCTP_CT_INIT;
  /* A tag that is not the peer's (none is known yet). */
  csctp_put32(q + 4, 0x12345678);
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 20, p.now), 0);
  csctp_put32(q + 4, 0);
  /* Another destination, another port of ours: no association. */
  csctp_addr other = p.addr_b;
  other.ip[3] = 77;
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &other, q, 20, p.now), 0);
  csctp_put16(q, 5001);
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 20, p.now), 0);
  csctp_put16(q, 5000);
  uint32_t reason;
  CHECK(!lost_event(p.a, &reason));
  csctp_assoc_status st;
  CHECK_EQ(csctp_assoc_status_get(p.a, p.id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_COOKIE_WAIT);
  /* The right quote still works after all that. */
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, q, 20, p.now), 1);
  CHECK(lost_event(p.a, &reason));
  ipair_del(&p);
}

/* ICMP9: once established, the destination counts an error instead. */
static void test_established_counts_path_error(void) {
  ipair p;
  ipair_dial(&p);
  csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, p.init, p.init_len, p.now);
  uint8_t buf[2048], last_a[2048];
  size_t last_len = 0;
  for (int round = 0; round < 8; round++) {
    csctp_addr dst, src;
    csctp_ssize n;
    while ((n = csctp_endpoint_write_pkt(p.b, &dst, &src, buf, sizeof(buf),
                                         p.now)) > 0)
      csctp_endpoint_read_pkt(p.a, &p.addr_b, &p.addr_a, buf, (size_t)n, p.now);
    while ((n = csctp_endpoint_write_pkt(p.a, &dst, &src, buf, sizeof(buf),
                                         p.now)) > 0) {
      memcpy(last_a, buf, (size_t)n);
      last_len = (size_t)n;
      csctp_endpoint_read_pkt(p.b, &p.addr_a, &p.addr_b, buf, (size_t)n, p.now);
    }
  }
  csctp_assoc_status st;
  REQUIRE(csctp_assoc_status_get(p.a, p.id, &st) == 0);
  REQUIRE(st.state == CSCTP_STATE_ESTABLISHED);
  REQUIRE(last_len >= 12 && csctp_get32(last_a + 4) != 0);
  csctp_path_status ps;
  REQUIRE(csctp_assoc_paths(p.a, p.id, &ps, 1) == 1);
  uint32_t before = ps.error_count;
  CHECK_EQ(csctp_endpoint_icmp_unreach(p.a, &p.addr_b, last_a, 12, p.now), 1);
  REQUIRE(csctp_assoc_paths(p.a, p.id, &ps, 1) == 1);
  CHECK_EQ(ps.error_count, before + 1);
  CHECK_EQ(csctp_assoc_status_get(p.a, p.id, &st), 0);
  CHECK_EQ(st.state, CSCTP_STATE_ESTABLISHED);
  ipair_del(&p);
}

int main(void) {
  TEST_RUN(test_init_quoted_fails_setup);
  TEST_RUN(test_unverifiable_quotes_ignored);
  TEST_RUN(test_established_counts_path_error);
  TEST_RUN(test_raw_ip_init_quoted_fails_setup);
  TEST_RUN(test_icmp_kind);
  return TEST_SUMMARY();
}
