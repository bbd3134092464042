/* fuzz_assoc.c -- libFuzzer target: an established association driven by a
 * program.
 *
 * Each run builds two endpoints in process (deterministic seeds, one
 * counting allocator), A (port 5000) connects to B (port 6000, listening)
 * over a lossless in-memory link, and the handshake completes. The input is
 * then a program of one-byte opcodes with operands; bit 3 of the opcode
 * picks the target side (0: B, 1: A):
 *
 *   0  inject: len (1 byte; 2 bytes when bit 4 is set), then len bytes of
 *      chunks, sent to the target in a packet with the RIGHT verification
 *      tag (bit 5: a tag from the next 4 bytes instead), from the peer's
 *      address (bit 6: from an unknown address), valid CRC32c
 *   1  advance time by 2 bytes of ms (x 64 when bit 4 is set), run expiry
 *   2  user send on the target: sid, 2 bytes of size, flags
 *   3  user recv on the target: 1 byte of buffer size (x 16); with bit 4
 *      set, first the fragment interleave level (RFC 6458 8.1.20) = that
 *      byte % 3; with bit 5 set, the reads after the first continue its
 *      message only (csctp_recv_cont)
 *   4  shutdown the target's association; with bit 4 set instead an ASCONF
 *      request of the target (RFC 5061): kind (1 byte: add IP, delete IP,
 *      set peer primary) and the last byte of a 10.0.0.x address
 *   5  abort the target's association
 *   6  link: drop the next N packets (1 byte); with bit 4 set, the byte
 *      sets the link MTU instead: 0 none, else 1200 + 4 * (byte % 64);
 *      larger packets vanish silently (a black hole, RFC 8899 4.3) unless
 *      the engine marked them CSCTP_PKT_FRAG_OK (they pass as IP
 *      fragments would); a probe so marked aborts
 *   7  allocation failure: the Nth allocation from now fails (1 byte)
 *
 * An input whose first bytes are 0xA5 and / or 0x9D sets up the
 * association with RFC 4895 AUTH (0xA5, see setup_auth) and with PLPMTUD
 * (0x9D: RFC 8899 probes of a HEARTBEAT and a PAD chunk, path MTU bound
 * 1452); 0xA6 sets it up with user message interleaving (RFC 8260 I-DATA,
 * both ends) and the round robin stream scheduler, so that injected chunks
 * meet the I-DATA receiver and sends go out as I-DATA; 0xAC sets it up with
 * AUTH and ASCONF (RFC 5061) on both ends. The program starts after them.
 * With AUTH, inject with bit 7 set signs the packet with the sender's
 * association keys (RFC 4895 6.2), so that chunks the target accepts only
 * authenticated (ASCONF, ASCONF-ACK and their parameters) reach their
 * parsers.
 *
 * After every step packets are moved across the link until it is quiet and
 * events are drained. At the end both endpoints are freed and the
 * allocator must hold nothing (abort() otherwise, so libFuzzer reports it).
 */
#include "chunk.h"
#include "crc32c.h"
#include "csctp.h"
#include "engine.h"
#include "talloc.h"

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

/* ---- Two endpoints ----------------------------------------------------- */

typedef struct side {
  csctp_endpoint *ep;
  csctp_addr addr;
  uint16_t port;
  uint32_t tag; /* our verification tag, learnt from the peer's packets */
  csctp_assoc_id id;
} side;

typedef struct world {
  side s[2]; /* 0: B (server), 1: A (client) */
  csctp_addr stranger;
  csctp_tstamp now;
  int drop;
  uint32_t mtu; /* link: larger packets vanish unless CSCTP_PKT_FRAG_OK */
} world;

static void check_pkt(const uint8_t *pkt, size_t n) {
  csctp_pkt_hdr h;
  if (csctp_pkt_hdr_decode(pkt, n, &h) != 0 || !csctp_sctp_checksum_ok(pkt, n))
    abort();
  csctp_tlv_iter it;
  csctp_tlv c;
  int rv;
  csctp_tlv_iter_init(&it, pkt + 12, n - 12);
  while ((rv = csctp_chunk_next(&it, &c)) == 1)
    ;
  if (rv != 0)
    abort();
}

static void drain_events(world *w) {
  for (int k = 0; k < 2; k++) {
    csctp_event evs[16];
    size_t n;
    while ((n = csctp_endpoint_poll_events(w->s[k].ep, evs, 16)) > 0)
      for (size_t i = 0; i < n; i++) {
        if (evs[i].type == CSCTP_EV_ASSOC_UP && k == 0)
          w->s[0].id = evs[i].assoc_id;
        csctp_event_clear(w->s[k].ep, &evs[i]);
      }
  }
}

/* Moves packets both ways until the link is quiet. */
static void flush(world *w) {
  static uint8_t buf[65536];
  for (int round = 0; round < 64; round++) {
    int any = 0;
    for (int k = 0; k < 2; k++) {
      side *from = &w->s[k], *to = &w->s[1 - k];
      csctp_addr dst, src;
      csctp_ssize n;
      int guard = 0;
      unsigned fl;
      while ((n = csctp_endpoint_write_pkt_flags(
                  from->ep, &dst, &src, buf, sizeof(buf), w->now, &fl)) > 0) {
        any = 1;
        check_pkt(buf, (size_t)n);
        /* RFC 8899 6.2.1.2: a probe (HEARTBEAT first) is never sent with
         * fragmentation allowed. */
        if ((fl & CSCTP_PKT_FRAG_OK) && buf[12] == CSCTP_CT_HEARTBEAT)
          abort();
        if (++guard > 100000)
          abort(); /* write_pkt must run dry */
        /* Learn the receiver's tag, except from T-bit packets (which carry
         * the sender's own tag, 8.5.1) and INIT (tag 0). */
        if (csctp_get32(buf + 4) != 0 && n >= 14 &&
            !(buf[13] & CSCTP_FLAG_T &&
              (buf[12] == CSCTP_CT_ABORT ||
               buf[12] == CSCTP_CT_SHUTDOWN_COMPLETE)))
          to->tag = csctp_get32(buf + 4);
        if (w->drop > 0) {
          w->drop--;
          continue;
        }
        if (w->mtu && (size_t)n > w->mtu && !(fl & CSCTP_PKT_FRAG_OK))
          continue; /* silent black hole */
        csctp_endpoint_read_pkt(to->ep, &from->addr, &to->addr, buf, (size_t)n,
                                w->now);
      }
      if (n < 0)
        abort();
    }
    drain_events(w);
    if (!any)
      break;
  }
}

static void tick(world *w) {
  for (int k = 0; k < 2; k++)
    if (csctp_endpoint_get_expiry(w->s[k].ep) <= w->now)
      csctp_endpoint_handle_expiry(w->s[k].ep, w->now);
}

/* RFC 4895 AUTH on both ends (input starting with 0xA5): B accepts DATA
 * and ABORT only authenticated, A SACK and DATA; both hold key 1. */
static int setup_auth(world *w) {
  static const uint8_t key[7] = {'f', 'u', 'z', 'z', 'k', 'e', 'y'};
  const uint8_t want[2][2] = {{CSCTP_CT_DATA, CSCTP_CT_ABORT},
                              {CSCTP_CT_SACK, CSCTP_CT_DATA}};
  for (int k = 0; k < 2; k++) {
    for (int i = 0; i < 2; i++)
      if (csctp_auth_add_chunk(w->s[k].ep, want[k][i]) != 0)
        return -1;
    if (csctp_auth_set_key(w->s[k].ep, 0, 1, key, sizeof(key)) != 0)
      return -1;
  }
  return 0;
}

static int setup(world *w, const csctp_mem *mem, uint64_t *seeds, int auth,
                 int idata, int asconf, int pmtud) {
  memset(w, 0, sizeof(*w));
  w->now = 1000 * CSCTP_SECONDS;
  csctp_settings s;
  csctp_settings_default(&s);
  s.rcvbuf = 64 * 1024;
  s.sndbuf = 64 * 1024;
  s.interleaving_supported = (uint32_t)idata; /* RFC 8260 */
  s.stream_scheduler = idata ? CSCTP_SS_RR : CSCTP_SS_FCFS;
  if (pmtud) {
    s.pmtud = 1; /* RFC 8899 */
    s.pmtu = 1452;
  }
  for (int k = 0; k < 2; k++) {
    side *sd = &w->s[k];
    sd->port = k == 0 ? 6000 : 5000;
    sd->addr.family = CSCTP_AF_INET;
    sd->addr.ip[0] = 10;
    sd->addr.ip[3] = (uint8_t)(k + 1);
    if (csctp_endpoint_new(&sd->ep, sd->port, &s, mem, seeded_rand, &seeds[k],
                           w->now) != 0)
      return -1;
  }
  w->stranger.family = CSCTP_AF_INET;
  w->stranger.ip[0] = 192;
  w->stranger.ip[3] = 66;
  csctp_endpoint_listen(w->s[0].ep, 1);
  if (auth && setup_auth(w) != 0)
    return -1;
  for (int k = 0; asconf && k < 2; k++)
    if (csctp_asconf_enable(w->s[k].ep, 1) != 0)
      return -1;
  if (csctp_connect(w->s[1].ep, &w->s[0].addr, 1, w->s[0].port, NULL, w->now,
                    &w->s[1].id) != 0)
    return -1;
  flush(w);
  csctp_assoc_status st;
  if (csctp_assoc_status_get(w->s[1].ep, w->s[1].id, &st) != 0 ||
      st.state != CSCTP_STATE_ESTABLISHED || w->s[0].id == 0)
    return -1;
  return 0;
}

static void inject(world *w, int k, uint8_t op, const uint8_t *d, size_t n,
                   uint32_t vtag) {
  static uint8_t pkt[70000];
  side *to = &w->s[k], *from = &w->s[1 - k];
  csctp_buf b;
  csctp_buf_init(&b, pkt, sizeof(pkt));
  csctp_pkt_begin(&b, from->port, to->port, vtag);
  if (csctp_put_bytes(&b, d, n) != 0)
    return;
  if (op & 0x80) { /* signed by the sender's association (RFC 4895 6.2) */
    csctp_assoc *a = csctp_ep_peek(from->ep, from->id);
    if (a && csctp_auth_on(a))
      (void)csctp_auth_sign(a, pkt, &b.len, sizeof(pkt));
  }
  csctp_sctp_checksum_store(pkt, b.len);
  const csctp_addr *src = (op & 0x40) ? &w->stranger : &from->addr;
  csctp_endpoint_read_pkt(to->ep, src, &to->addr, pkt, b.len, w->now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  talloc cm;
  csctp_mem mem = talloc_mem(&cm);
  uint64_t seeds[2] = {7, 11};
  world w;
  int auth = 0, pmtud = 0, idata = 0, asconf = 0;
  while (size > 0 &&
         ((data[0] == 0xA5 && !auth) || (data[0] == 0xAC && !auth) ||
          (data[0] == 0x9D && !pmtud) || (data[0] == 0xA6 && !idata))) {
    if (data[0] == 0xA5 || data[0] == 0xAC)
      auth = 1; /* RFC 4895 AUTH on */
    if (data[0] == 0xAC)
      asconf = 1; /* RFC 5061 */
    if (data[0] == 0x9D)
      pmtud = 1; /* RFC 8899 PLPMTUD on */
    if (data[0] == 0xA6)
      idata = 1; /* RFC 8260 I-DATA on */
    data++;
    size--;
  }
  if (setup(&w, &mem, seeds, auth, idata, asconf, pmtud) != 0)
    abort(); /* the handshake must work */
  static uint8_t buf[70000];
  size_t pos = 0;
#define NEED(n) ((pos + (n)) <= size)
  while (pos < size) {
    uint8_t op = data[pos++];
    int k = (op >> 3) & 1;
    side *sd = &w.s[k];
    switch (op & 7) {
    case 0: {
      size_t n;
      if (op & 0x10) {
        if (!NEED(2))
          goto out;
        n = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
      } else {
        if (!NEED(1))
          goto out;
        n = data[pos++];
      }
      uint32_t vtag = sd->tag;
      if (op & 0x20) {
        if (!NEED(4))
          goto out;
        vtag = csctp_get32(data + pos);
        pos += 4;
      }
      if (n > size - pos)
        n = size - pos;
      inject(&w, k, op, data + pos, n, vtag);
      pos += n;
      break;
    }
    case 1: {
      if (!NEED(2))
        goto out;
      csctp_tstamp ms = (csctp_tstamp)data[pos] << 8 | data[pos + 1];
      pos += 2;
      if (op & 0x10)
        ms *= 64;
      w.now += ms * CSCTP_MILLISECONDS;
      tick(&w);
      break;
    }
    case 2: {
      if (!NEED(4))
        goto out;
      csctp_sndinfo si;
      memset(&si, 0, sizeof(si));
      si.assoc_id = sd->id;
      si.sid = data[pos] % 12;
      size_t len = ((size_t)data[pos + 1] << 8 | data[pos + 2]) + 1;
      si.flags = data[pos + 3] &
                 (CSCTP_SEND_UNORDERED | CSCTP_SEND_EOF | CSCTP_SEND_SACK_NOW);
      si.ppid = data[pos + 3];
      pos += 4;
      memset(buf, (int)len, len);
      csctp_send(sd->ep, &si, NULL, buf, len, w.now);
      break;
    }
    case 3: {
      if (!NEED(1))
        goto out;
      if (op & 0x10)
        (void)csctp_set_fragment_interleave(sd->ep, sd->id, data[pos] % 3);
      size_t len = (size_t)data[pos++] * 16 + 1;
      csctp_rcvinfo ri;
      for (int i = 0; i < 64; i++)
        if ((i && (op & 0x20)
                 ? csctp_recv_cont(sd->ep, sd->id, &ri, buf, len, w.now)
                 : csctp_recv(sd->ep, sd->id, &ri, buf, len, w.now)) <= 0)
          break;
      break;
    }
    case 4:
      if (op & 0x10) { /* RFC 5061 requests */
        if (!NEED(2))
          goto out;
        csctp_addr x = w.s[0].addr;
        x.ip[3] = data[pos + 1];
        uint8_t kind = data[pos] % 3;
        pos += 2;
        if (kind == 0)
          csctp_asconf_add_addr(sd->ep, sd->id, &x, w.now);
        else if (kind == 1)
          csctp_asconf_del_addr(sd->ep, sd->id, &x, w.now);
        else
          csctp_asconf_set_peer_primary(sd->ep, sd->id, &x, w.now);
        break;
      }
      csctp_shutdown(sd->ep, sd->id, w.now);
      break;
    case 5:
      csctp_abort(sd->ep, sd->id, (const uint8_t *)"fuzz", 4, w.now);
      break;
    case 6:
      if (!NEED(1))
        goto out;
      if (op & 0x10) {
        uint8_t v = data[pos++];
        w.mtu = v ? 1200u + 4u * (v % 64u) : 0;
      } else {
        w.drop = data[pos++] % 16;
      }
      break;
    case 7:
      if (!NEED(1))
        goto out;
      cm.fail_at = cm.count + data[pos++] + 1; /* one allocation fails */
      break;
    }
    flush(&w);
    cm.fail_at = 0;
  }
out:
  cm.fail_at = 0;
  /* Let the timers play out for a while (bounded). */
  for (int i = 0; i < 32; i++) {
    csctp_tstamp ta = csctp_endpoint_get_expiry(w.s[0].ep);
    csctp_tstamp tb = csctp_endpoint_get_expiry(w.s[1].ep);
    csctp_tstamp t = ta < tb ? ta : tb;
    if (t == CSCTP_TSTAMP_NEVER)
      break;
    if (t > w.now)
      w.now = t;
    tick(&w);
    flush(&w);
  }
  csctp_endpoint_del(w.s[0].ep);
  csctp_endpoint_del(w.s[1].ep);
  if (cm.live != 0 || cm.bytes != 0) {
    fprintf(stderr, "leak: %ld allocations, %zu bytes live\n", cm.live,
            cm.bytes);
    abort();
  }
  return 0;
}
