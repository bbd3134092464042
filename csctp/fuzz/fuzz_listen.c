/* fuzz_listen.c -- libFuzzer target: a listening endpoint fed arbitrary
 * packets.
 *
 * Each run builds a fresh endpoint (seeded random source, counting
 * allocator) and reads the input as a list of records:
 *
 *   op (1 byte), len (2 bytes, big-endian), len bytes
 *
 *   op & 3 == 0  deliver the bytes as a packet. Bit 2 set: the destination
 *                port is overwritten with the endpoint's. Bits 3-4 choose one
 *                of four source addresses (two IPv4, one IPv6, one IPv4 with
 *                a UDP port). The CRC32c is always fixed up so that the
 *                engine gets past the checksum.
 *   op & 3 == 1  advance virtual time by the first two bytes in ms (x 16
 *                when bit 2 is set) and run expiry.
 *   op & 3 == 2  answer the last INIT ACK the endpoint sent: a COOKIE ECHO
 *                with that cookie and tag, the bytes appended as further
 *                chunks (so the fuzzer reaches live associations). Bit 2
 *                flips a cookie byte chosen by the first byte.
 *   op & 3 == 3  user calls on an association: send, recv, shutdown,
 *                abort, chosen by the bytes.
 *
 * An input whose first byte is 0xA5 makes the endpoint offer RFC 4895 AUTH
 * and accept COOKIE ECHO and DATA only authenticated; the records follow.
 * One whose first byte is 0x5A runs the endpoint over a lower layer
 * (CSCTP_AF_CONN sources) with zero checksum (RFC 9653) offered: a
 * delivered packet with bit 5 of its op gets checksum 0 instead of its
 * CRC32c (so the receiver rule of 9653 5.3 is fuzzed), and every packet
 * the endpoint sends with checksum 0 must be one 9653 5.2 allows.
 *
 * After every record the endpoint's output and events are drained. At the
 * end the endpoint is freed and the allocator must hold nothing.
 */
#include "chunk.h"
#include "crc32c.h"
#include "csctp.h"
#include "talloc.h"
#include "zcsum.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seeded_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

/* ---- State of one run -------------------------------------------------- */

#define LPORT 5000

typedef struct run {
  csctp_endpoint *ep;
  csctp_tstamp now;
  csctp_addr srcs[4], local;
  /* Last INIT ACK seen on the way out. */
  uint8_t cookie[2048];
  size_t cookie_len;
  uint32_t cookie_tag; /* the INIT ACK's initiate tag: our tag */
  uint16_t cookie_port;
  int cookie_src;
  int zc; /* zero checksum mode (0x5A) */
} run;

static void note_output(run *r, const uint8_t *pkt, size_t n,
                        const csctp_addr *dst) {
  csctp_pkt_hdr h;
  if (csctp_pkt_hdr_decode(pkt, n, &h) != 0)
    abort(); /* the engine must emit well-formed packets */
  /* RFC 9653 5.2: checksum 0 only where allowed, else a correct CRC32c. */
  if (!csctp_sctp_checksum_ok(pkt, n) &&
      !(r->zc && h.checksum == 0 && !csctp_zcsum_needs_crc(pkt, n)))
    abort();
  if (h.src_port != LPORT)
    abort();
  csctp_tlv_iter it;
  csctp_tlv c;
  int rv;
  csctp_tlv_iter_init(&it, pkt + 12, n - 12);
  while ((rv = csctp_chunk_next(&it, &c)) == 1) {
    if (c.type != CSCTP_CT_INIT_ACK)
      continue;
    csctp_init in;
    if (csctp_init_decode(&c, &in) != 0)
      abort();
    csctp_tlv_iter pit;
    csctp_tlv p;
    csctp_tlv_iter_init(&pit, in.params, in.params_len);
    while (csctp_param_next(&pit, &p) == 1) {
      if (p.type == CSCTP_PT_STATE_COOKIE && p.value_len <= sizeof(r->cookie)) {
        memcpy(r->cookie, p.value, p.value_len);
        r->cookie_len = p.value_len;
        r->cookie_tag = in.init_tag;
        r->cookie_port = h.dst_port;
        r->cookie_src = 0;
        for (int i = 0; i < 4; i++)
          if (csctp_addr_equal(dst, &r->srcs[i]))
            r->cookie_src = i;
      }
    }
  }
  if (rv != 0)
    abort(); /* a chunk list we wrote must parse */
}

static void drain(run *r) {
  uint8_t buf[65536];
  csctp_addr dst, src;
  csctp_ssize n;
  int guard = 0;
  while ((n = csctp_endpoint_write_pkt(r->ep, &dst, &src, buf, sizeof(buf),
                                       r->now)) > 0) {
    note_output(r, buf, (size_t)n, &dst);
    if (++guard > 100000)
      abort(); /* write_pkt must run dry */
  }
  if (n < 0)
    abort();
  csctp_event evs[16];
  size_t k;
  while ((k = csctp_endpoint_poll_events(r->ep, evs, 16)) > 0)
    for (size_t i = 0; i < k; i++)
      csctp_event_clear(r->ep, &evs[i]);
  csctp_tstamp e = csctp_endpoint_get_expiry(r->ep);
  if (e <= r->now) {
    csctp_endpoint_handle_expiry(r->ep, r->now);
    while (csctp_endpoint_write_pkt(r->ep, &dst, &src, buf, sizeof(buf),
                                    r->now) > 0)
      ;
    while ((k = csctp_endpoint_poll_events(r->ep, evs, 16)) > 0)
      for (size_t i = 0; i < k; i++)
        csctp_event_clear(r->ep, &evs[i]);
  }
}

static void deliver(run *r, int si, uint8_t *pkt, size_t len, int zero) {
  if (len >= 12 && zero)
    memset(pkt + 8, 0, 4);
  else if (len >= 12)
    csctp_sctp_checksum_store(pkt, len);
  csctp_endpoint_read_pkt(r->ep, &r->srcs[si], &r->local, pkt, len, r->now);
}

static void op_cookie_echo(run *r, uint8_t op, const uint8_t *d, size_t n) {
  if (r->cookie_len == 0)
    return;
  static uint8_t pkt[70000];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  if (csctp_pkt_begin(&b, r->cookie_port, LPORT, r->cookie_tag) != 0)
    return;
  size_t ck_off = b.len + 4;
  if (csctp_put_cookie_echo(&b, r->cookie, r->cookie_len) != 0)
    return;
  if ((op & 4) && n > 0)
    pkt[ck_off + d[0] % r->cookie_len] ^= 0x01;
  if (csctp_put_bytes(&b, d, n) != 0)
    return;
  deliver(r, r->cookie_src, pkt, b.len, 0);
}

static void op_user(run *r, const uint8_t *d, size_t n) {
  if (n < 2)
    return;
  csctp_assoc_id ids[8];
  size_t na = csctp_endpoint_assoc_ids(r->ep, ids, 8);
  if (na == 0)
    return;
  csctp_assoc_id id = ids[d[1] % (na < 8 ? na : 8)];
  static uint8_t buf[70000];
  switch (d[0] % 5) {
  case 0: {
    size_t len = n >= 4 ? ((size_t)d[2] << 8 | d[3]) + 1 : 1;
    memset(buf, 0xab, len);
    csctp_sndinfo si = {.sid = n >= 5 ? d[4] % 12 : 0, .assoc_id = id};
    if (n >= 6)
      si.flags = d[5] & (CSCTP_SEND_UNORDERED | CSCTP_SEND_SACK_NOW);
    csctp_send(r->ep, &si, NULL, buf, len, r->now);
    break;
  }
  case 1: {
    csctp_rcvinfo ri;
    size_t len = n >= 3 ? (size_t)d[2] * 64 : 100;
    while (csctp_recv(r->ep, id, &ri, buf, len, r->now) > 0)
      ;
    break;
  }
  case 2:
    csctp_shutdown(r->ep, id, r->now);
    break;
  case 3:
    csctp_abort(r->ep, id, d, n, r->now);
    break;
  case 4: {
    csctp_assoc_status st;
    csctp_path_status ps[16];
    csctp_assoc_status_get(r->ep, id, &st);
    csctp_assoc_paths(r->ep, id, ps, 16);
    break;
  }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  talloc cm;
  csctp_mem mem = talloc_mem(&cm);
  uint64_t seed = 42;
  run r;
  memset(&r, 0, sizeof(r));
  r.now = 1000 * CSCTP_SECONDS;
  csctp_settings s;
  csctp_settings_default(&s);
  s.max_assocs = 8;
  if (size > 0 && data[0] == 0x5A) { /* RFC 9653 over a lower layer */
    r.zc = 1;
    s.zero_checksum_edmid = CSCTP_EDMID_LOWER_LAYER_DTLS;
    data++;
    size--;
  }
  if (csctp_endpoint_new(&r.ep, LPORT, &s, &mem, seeded_rand, &seed, r.now) !=
      0)
    abort();
  csctp_endpoint_listen(r.ep, 1);
  if (size > 0 && data[0] == 0xA5) { /* RFC 4895 AUTH, COOKIE ECHO and DATA */
    static const uint8_t key[3] = {1, 2, 3};
    if (csctp_auth_add_chunk(r.ep, CSCTP_CT_COOKIE_ECHO) != 0 ||
        csctp_auth_add_chunk(r.ep, CSCTP_CT_DATA) != 0 ||
        csctp_auth_set_key(r.ep, 0, 2, key, sizeof(key)) != 0)
      abort();
    data++;
    size--;
  }
  for (int i = 0; i < 4; i++) {
    r.srcs[i].family = CSCTP_AF_INET;
    r.srcs[i].ip[0] = 10;
    r.srcs[i].ip[3] = (uint8_t)(i + 1);
  }
  r.srcs[2].family = CSCTP_AF_INET6;
  r.srcs[2].ip[0] = 0xfd;
  r.srcs[2].ip[15] = 3;
  r.srcs[3].port = 9899;
  r.local.family = CSCTP_AF_INET;
  r.local.ip[0] = 10;
  r.local.ip[3] = 100;
  static int conns[4];
  for (int i = 0; r.zc && i < 4; i++)
    csctp_addr_set_conn(&r.srcs[i], &conns[i]);
  if (r.zc)
    memset(&r.local, 0, sizeof r.local);

  static uint8_t pkt[70000];
  size_t pos = 0;
  while (pos + 3 <= size) {
    uint8_t op = data[pos];
    size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
    pos += 3;
    if (len > size - pos)
      len = size - pos;
    const uint8_t *d = data + pos;
    pos += len;
    switch (op & 3) {
    case 0:
      memcpy(pkt, d, len);
      if ((op & 4) && len >= 4)
        csctp_put16(pkt + 2, LPORT);
      deliver(&r, (op >> 3) & 3, pkt, len, r.zc && (op & 0x20));
      break;
    case 1: {
      csctp_tstamp ms = len >= 2 ? ((csctp_tstamp)d[0] << 8 | d[1]) : 1000;
      if (op & 4)
        ms *= 16;
      r.now += ms * CSCTP_MILLISECONDS;
      csctp_endpoint_handle_expiry(r.ep, r.now);
      break;
    }
    case 2:
      op_cookie_echo(&r, op, d, len);
      break;
    case 3:
      op_user(&r, d, len);
      break;
    }
    drain(&r);
  }
  /* Let every timer run out. */
  for (int i = 0; i < 64; i++) {
    csctp_tstamp e = csctp_endpoint_get_expiry(r.ep);
    if (e == CSCTP_TSTAMP_NEVER)
      break;
    if (e > r.now)
      r.now = e;
    csctp_endpoint_handle_expiry(r.ep, r.now);
    drain(&r);
  }
  csctp_endpoint_stats st;
  csctp_endpoint_stats_get(r.ep, &st);
  if (st.assocs > s.max_assocs)
    abort();
  csctp_endpoint_del(r.ep);
  if (cm.live != 0 || cm.bytes != 0) {
    fprintf(stderr, "leak: %ld allocations, %zu bytes live\n", cm.live,
            cm.bytes);
    abort();
  }
  return 0;
}
