/* assoc_output.c -- building an association's next packet: setup chunks,
 * control chunks, SACK and DATA bundled (RFC 9260 6.10), within the
 * congestion window (6.1, 7.2), the peer's window (6.1 A), Max.Burst and
 * the Nagle-like coalescing when NODELAY is off. */
#include "config.h"

#include "engine.h"

#include "mem.h"
#include "pacing.h"

#include <string.h>

/* RFC 9260 7.3: a chunk cut before the path MTU fell (or for a larger
 * path) is not cut again: its packet may exceed the path MTU, up to the
 * configured bound, and IP fragments it. */
static int out_oversize(const csctp_assoc *a, uint8_t path) {
  const csctp_chunk_out *c =
      a->sq.n_rtx > 0 ? csctp_sendq_first_rtx(&a->sq) : a->sq.unsent;
  return c && path == csctp_assoc_data_path(a) &&
         CSCTP_COMMON_HDR_LEN + csctp_idata_out_size(a, c) +
                 csctp_auth_reserve(a) >
             a->paths[path].mtu;
}

static size_t out_cap(const csctp_assoc *a, uint8_t path, size_t buflen) {
  size_t mtu = a->paths[path].mtu;
  if (a->state == CSCTP_STATE_COOKIE_ECHOED || out_oversize(a, path))
    mtu = a->s.pmtu; /* handshake (RFC 8899 6.2.1.1), or a chunk cut
                        before the MTU fell (RFC 9260 7.3) */
  return buflen < mtu ? buflen : mtu;
}

static void out_dst(const csctp_assoc *a, uint8_t path, csctp_addr *dst,
                    csctp_addr *src) {
  *dst = a->paths[path].addr;
  *src = a->paths[path].local;
}

/* INIT goes alone with tag 0 (8.5.1 A). */
static csctp_ssize out_init(csctp_assoc *a, csctp_buf *b) {
  if (csctp_pkt_begin(b, a->ep->port, a->peer_port, 0) != 0 ||
      csctp_put_bytes(b, a->init_chunk, a->init_len) != 0)
    return 0;
  a->send_init = 0;
  return (csctp_ssize)csctp_pkt_finish(b);
}

/* A SACK goes when due (sack_now); a delayed one rides along with a packet
 * that leaves anyway (6.2: bundling with DATA or control). */
static int out_sack_pending(const csctp_assoc *a) {
  if (!a->rx_ready)
    return 0;
  if (a->sack_now)
    return 1;
  return a->sack_timer != CSCTP_TSTAMP_NEVER &&
         (a->sq.n_rtx > 0 ||
          (a->sq.unsent && a->paths[csctp_assoc_data_path(a)].flight <
                               a->paths[csctp_assoc_data_path(a)].cwnd) ||
          a->send_cookie_ack || a->nerrors > 0 || a->send_shutdown ||
          a->send_shutdown_ack);
}

/* 3.3.4: cumulative TSN, gap blocks, duplicates, our window. */
static int out_put_sack(csctp_assoc *a, csctp_buf *b) {
  uint16_t gaps[2 * CSCTP_MAX_SACK_GAPS];
  uint32_t dups[CSCTP_MAX_SACK_DUPS];
  size_t ng = csctp_tsnmap_gaps(&a->tsn, gaps, CSCTP_MAX_SACK_GAPS);
  size_t nd = csctp_tsnmap_dups(&a->tsn, dups, CSCTP_MAX_SACK_DUPS);
  uint32_t rwnd = csctp_assoc_local_rwnd(a);
  /* Shrink the report until it fits the room left in the packet. */
  while (1) {
    size_t need = CSCTP_SACK_FIXED_LEN + 4 * ng + 4 * nd;
    if (need <= csctp_buf_left(b))
      break;
    if (nd > 0)
      nd--;
    else if (ng > 0)
      ng--;
    else
      return CSCTP_ERR_NOBUF;
  }
  int rv =
      csctp_put_sack(b, csctp_tsnmap_cum(&a->tsn), rwnd, gaps, ng, dups, nd);
  if (rv != 0)
    return rv;
  a->sack_now = 0;
  a->sack_timer = CSCTP_TSTAMP_NEVER;
  a->pkts_unacked = 0;
  a->last_rwnd = rwnd;
  csctp_assoc_budget_note_window(a, csctp_assoc_buffer_rwnd(a));
  csctp_tsnmap_clear_dups(&a->tsn);
  return 0;
}

static int out_put_heartbeat(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                             csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  uint8_t info[17];
  uint64_t nonce = ((uint64_t)csctp_ep_random_tag(a->ep) << 32) | (++a->hb_seq);
  csctp_put32(info, (uint32_t)(nonce >> 32));
  csctp_put32(info + 4, (uint32_t)nonce);
  csctp_put32(info + 8, (uint32_t)(now >> 32));
  csctp_put32(info + 12, (uint32_t)now);
  info[16] = pi;
  int rv = csctp_put_heartbeat(b, CSCTP_CT_HEARTBEAT, info, sizeof(info));
  if (rv != 0)
    return rv;
  p->hb_send_now = 0;
  p->hb_outstanding = 1;
  p->hb_nonce = nonce;
  return 0;
}

/* Queued ERROR chunks, oldest first, as many as fit. */
static void out_put_errors(csctp_assoc *a, csctp_buf *b) {
  while (a->nerrors > 0) {
    csctp_pending_error *e = &a->errors[0];
    if (csctp_put_cause_chunk(b, CSCTP_CT_ERROR, 0, e->code, e->value,
                              e->len) != 0)
      break;
    csctp_free(&a->ep->mem, e->value);
    memmove(&a->errors[0], &a->errors[1],
            (size_t)(--a->nerrors) * sizeof(a->errors[0]));
  }
}

/* Control chunks for path pi, in the order the peer must see them.
 * Heartbeats are tied to a path, SACKs and ERRORs go where the DATA came
 * from (csctp_assoc_reply_path), the rest travels on the data path. */
static void out_control(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                        csctp_tstamp now) {
  int data_path = pi == csctp_assoc_data_path(a);
  int reply_path = pi == csctp_assoc_reply_path(a);
  if (data_path && a->send_cookie_ack &&
      csctp_put_empty_chunk(b, CSCTP_CT_COOKIE_ACK, 0) == 0)
    a->send_cookie_ack = 0;
  if (reply_path)
    out_put_errors(a, b);
  if (a->send_hb_ack && a->hb_ack_path == pi &&
      csctp_put_raw_chunk(b, CSCTP_CT_HEARTBEAT_ACK, 0, a->hb_ack_info,
                          a->hb_ack_len) == 0)
    a->send_hb_ack = 0;
  if (a->paths[pi].hb_send_now)
    out_put_heartbeat(a, b, pi, now);
  csctp_asconf_put(a, b, pi, now); /* RFC 5061 5.1, 5.2 E6 */
  if (data_path && csctp_reconf_answer_first(a))
    csctp_reconf_put(a, b, pi, now); /* RFC 6525 5.2.4 G7, see reconf.h */
  if (reply_path && out_sack_pending(a) &&
      a->state != CSCTP_STATE_SHUTDOWN_ACK_SENT && out_put_sack(a, b) == 0)
    csctp_assoc_sack_sent(a, pi);
  if (!data_path)
    return;
  csctp_prsctp_sweep(a, now);          /* RFC 3758 4.1: TTL */
  csctp_prsctp_check_rtx(a, now);      /* RFC 7496 3.1, before DATA */
  csctp_prsctp_put_fwd(a, b, pi, now); /* RFC 3758 3.5 C3, F2 */
  csctp_reconf_put(a, b, pi, now);     /* RFC 6525 5.1.1, 5.1.7 */
  if (a->send_shutdown && a->rx_ready &&
      csctp_put_shutdown(b, csctp_tsnmap_cum(&a->tsn)) == 0)
    a->send_shutdown = 0;
  if (a->send_shutdown_ack &&
      csctp_put_empty_chunk(b, CSCTP_CT_SHUTDOWN_ACK, 0) == 0)
    a->send_shutdown_ack = 0;
}

/* DATA, or I-DATA when negotiated (RFC 8260 2.2.1). */
static void out_encode_chunk(csctp_assoc *a, csctp_buf *b, csctp_chunk_out *c,
                             const csctp_data *d) {
  if (a->idata_on)
    csctp_idata_put_chunk(a, b, c);
  else
    csctp_put_data(b, d);
}

static int out_put_chunk(csctp_assoc *a, csctp_buf *b, csctp_chunk_out *c,
                         uint8_t pi, csctp_tstamp now) {
  csctp_data d;
  d.flags = c->flags;
  d.tsn = c->tsn;
  d.sid = c->sid;
  d.ssn = c->ssn;
  d.ppid = c->msg->info.ppid;
  d.payload = c->msg->data + c->off;
  d.len = c->len;
  int was_unsent = c->state == CSCTP_OUT_UNSENT;
  if (was_unsent)
    d.tsn = a->sq.next_tsn; /* what csctp_sendq_mark_sent will assign */
  if (csctp_buf_left(b) < csctp_idata_out_size(a, c))
    return CSCTP_ERR_NOBUF;
  if (a->idata_on && csctp_idata_prepare(a, c) != 0)
    return CSCTP_ERR_NOMEM; /* no MID counter: try again later */
  csctp_path *p = &a->paths[pi];
  if (!was_unsent) {
    a->retransmits++;
    /* 7.2.4 (4): resending the earliest outstanding chunk of its path
     * restarts T3-rtx (else a timer started for the lost first copy
     * expires while the retransmission is still on its way). */
    if (csctp_sendq_first_on_path(&a->sq, c->path) == c)
      p->t3 = now + p->rto;
  }
  csctp_sendq_mark_sent(&a->sq, c, a->paths, pi, now);
  out_encode_chunk(a, b, c, &d);
  uint32_t sz = csctp_chunk_out_wire_size(c);
  p->flight += sz;
  p->last_send = now;
  uint32_t cost = csctp_chunk_rwnd_cost(&a->sq, c->len); /* 6.2.1 B */
  a->peer_rwnd = a->peer_rwnd > cost ? a->peer_rwnd - cost : 0;
  a->data_chunks_out++;
  csctp_assoc_restart_t3(a, pi, now);
  return 0;
}

/* RFC 9260 6.1 B: a packet may start while the flight size is below cwnd
 * and then be filled up to the PMTU (the one packet that may exceed cwnd by
 * up to PMDCS - 1 bytes). The decision is taken once per packet, not per
 * chunk: a per-chunk check sends a packet with a single small chunk each
 * time a SACK opens a few bytes of cwnd (6.10: bundle what is queued). */
static int out_cwnd_open(const csctp_path *p) { return p->flight < p->cwnd; }

/* Retransmissions first (6.1 C), lowest TSN first, when the packet may
 * start (open, 6.1 B). With force set (fast retransmit, 7.2.4 (3)) one
 * packet goes regardless of cwnd. */
static int out_retransmit(csctp_assoc *a, csctp_buf *b, uint8_t pi, int force,
                          int open, csctp_tstamp now) {
  int n = 0;
  csctp_chunk_out *c = csctp_sendq_first_rtx(&a->sq);
  while (c) {
    csctp_chunk_out *next = csctp_sendq_next_rtx(c);
    if (!force && !open)
      break;
    if (csctp_buf_left(b) < csctp_idata_out_size(a, c))
      break;
    if (csctp_prsctp_before_rtx(a, c, now)) { /* RFC 7496 3.1 */
      c = csctp_sendq_next_rtx(c);
      continue;
    }
    if (out_put_chunk(a, b, c, pi, now) != 0)
      break;
    n++;
    c = next;
  }
  return n;
}

/* 6.1: new DATA within cwnd (open: the packet may start, 6.1 B) and the
 * peer's rwnd (one chunk may probe a zero window when nothing is in
 * flight). A tail loss probe (probe set) is one packet past cwnd and
 * Max.Burst (recovery.h). */
static int out_new_data(csctp_assoc *a, csctp_buf *b, uint8_t pi, int probe,
                        int open, csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  int n = 0;
  if (a->burst >= a->s.max_burst && !probe)
    return 0; /* Max.Burst (7.2.4, 6.1) */
  if (csctp_reconf_holds_data(a))
    return 0; /* RFC 6525 5.1.4 C2: no TSN assigned until it is answered */
  if (p->flight == 0)
    csctp_cc_on_idle(p, now);
  if (!a->s.nodelay && a->sq.n_out > 0 &&
      a->sq.unsent_bytes + CSCTP_DATA_HDR_LEN + CSCTP_COMMON_HDR_LEN < p->mtu)
    return 0; /* coalesce: hold a small tail while data is unacknowledged */
  while (a->sq.unsent) {
    if (!open && !probe)
      break;
    /* RFC 8260 3: the stream scheduler picks the next chunk */
    csctp_chunk_out *c = csctp_sched_next(a, n == 0, a->idata_on);
    if (!c)
      break;
    if (a->peer_rwnd < csctp_chunk_rwnd_cost(&a->sq, c->len) &&
        a->sq.bytes_inflight > 0)
      break;
    if (csctp_buf_left(b) < csctp_idata_out_size(a, c))
      break;
    if (out_put_chunk(a, b, c, pi, now) != 0)
      break;
    csctp_sched_sent(a, c, a->idata_on);
    n++;
    if (a->peer_rwnd == 0)
      break; /* a zero window probe is one chunk */
  }
  if (n > 0) {
    a->burst++;
    csctp_assoc_arm_probe(a, now); /* RFC 8985 7.2 */
  }
  return n;
}

/* RFC 8985 7.3: the probe timeout fired (and re-armed T3-rtx, see
 * csctp_assoc_on_recovery_timer). One packet goes: new data if the peer's
 * window takes it, else the highest-TSN chunk in flight again. Returns 1 if
 * a probe went. */
static int out_probe(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                     csctp_tstamp now) {
  csctp_recovery *r = &a->rec;
  r->probe_due = 0;
  if (r->probe_out || !r->rtt_since_probe)
    return 0;
  csctp_chunk_out *u = a->sq.unsent;
  int sent = 0;
  r->probe_rtx = 0;
  if (u && (a->peer_rwnd >= csctp_chunk_rwnd_cost(&a->sq, u->len) ||
            a->sq.bytes_inflight == 0))
    sent = out_new_data(a, b, pi, 1, 1, now) > 0;
  if (!sent) {
    csctp_chunk_out *c = csctp_recovery_probe_rtx(r, &a->sq, a->paths);
    if (!c || csctp_prsctp_before_rtx(a, c, now)) {
      r->probe_rtx = 0;
      return 0;
    }
    if (out_put_chunk(a, b, c, pi, now) != 0) {
      r->probe_rtx = 0; /* no room: it stays marked, resent within cwnd */
      return 0;
    }
  }
  r->probe_out = 1;
  r->probe_path = pi;
  r->rtt_since_probe = 0;
  r->pto = CSCTP_TSTAMP_NEVER;
  a->tail_loss_probes++;
  return 1;
}

static int out_data_allowed(const csctp_assoc *a) {
  switch (a->state) {
  case CSCTP_STATE_ESTABLISHED:
  case CSCTP_STATE_SHUTDOWN_PENDING:
  case CSCTP_STATE_SHUTDOWN_RECEIVED:
  case CSCTP_STATE_COOKIE_ECHOED:
    return 1;
  default:
    return 0;
  }
}

/* pacing.h: DATA that cwnd lets start (open) may still wait for the
 * path's pacing rate (RFC 9260 7.2: a sender may send less than cwnd
 * allows). Asked only when there is DATA to send, so that an idle path
 * arms no pacing timer. */
static int out_paced_open(csctp_assoc *a, uint8_t pi, int open,
                          csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  if (!open || (!a->sq.unsent && a->sq.n_rtx == 0) ||
      !csctp_pacing_enabled(p, a->s.pacing))
    return open;
  return csctp_pacing_allows(p, now);
}

static void out_data_send(csctp_assoc *a, csctp_buf *b, uint8_t pi, int open,
                          csctp_tstamp now);

static void out_data(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                     csctp_tstamp now) {
  if (!out_data_allowed(a))
    return;
  int open = out_cwnd_open(&a->paths[pi]); /* 6.1 B, at packet start */
  open = out_paced_open(a, pi, open, now);
  uint32_t flight = a->paths[pi].flight;
  out_data_send(a, b, pi, open, now);
  if (a->paths[pi].flight > flight &&
      csctp_pacing_enabled(&a->paths[pi], a->s.pacing))
    csctp_pacing_sent(&a->paths[pi], a->paths[pi].flight - flight, now);
}

static void out_data_send(csctp_assoc *a, csctp_buf *b, uint8_t pi, int open,
                          csctp_tstamp now) {
  if (a->t3_rtx_pending) {
    /* 6.3.3 E3: after a T3 expiry, one packet of the earliest chunks, then
     * wait for the peer (cwnd is one MTU). */
    a->t3_rtx_pending = 0;
    a->fast_rtx_now = 0;
    if (out_retransmit(a, b, pi, 1, open, now) > 0)
      a->t3_hold = 1;
    return;
  }
  if (a->t3_hold && a->paths[pi].flight > 0)
    return; /* the T3 retransmission is still out */
  a->t3_hold = 0;
  if (a->rec.probe_due)
    out_probe(a, b, pi, now);
  int force = a->fast_rtx_now;
  a->fast_rtx_now = 0;
  out_retransmit(a, b, pi, force, open, now);
  if (a->sq.n_rtx == 0)
    out_new_data(a, b, pi, 0, open, now);
}

/* The path that control chunks need now, else the data path. */
static uint8_t out_pick_path(const csctp_assoc *a) {
  if (a->send_hb_ack)
    return a->hb_ack_path;
  for (uint8_t i = 0; i < a->npaths; i++)
    if (a->paths[i].hb_send_now)
      return i;
  int ap = csctp_asconf_want_path(a); /* RFC 5061 5.2 E6, 5.1 A3 */
  if (ap >= 0)
    return (uint8_t)ap;
  if ((out_sack_pending(a) || a->nerrors > 0) &&
      a->state != CSCTP_STATE_SHUTDOWN_ACK_SENT)
    return csctp_assoc_reply_path(a);
  return csctp_assoc_data_path(a);
}

/* RFC 8899 4.4, RFC 9260 7.3: a packet over its path's PLPMTU carries
 * chunks cut before the PLPMTU fell (they cannot be cut again once they
 * have a TSN): it may only pass as IP fragments, so it goes with
 * fragmentation allowed (DF clear). Never a probe (RFC 8899 3 (3): probes
 * are sent unfragmented) nor the handshake's COOKIE ECHO packet. */
static unsigned out_flags(const csctp_assoc *a, uint8_t pi, size_t len) {
  if (a->state == CSCTP_STATE_COOKIE_ECHOED || len <= a->paths[pi].mtu)
    return 0;
  return CSCTP_PKT_FRAG_OK;
}

csctp_ssize csctp_assoc_write_pkt(csctp_assoc *a, csctp_addr *dst,
                                  csctp_addr *src, uint8_t *buf, size_t buflen,
                                  csctp_tstamp now, unsigned *flags) {
  csctp_buf b;
  *flags = 0;
  if (a->npaths == 0)
    return 0;
  if (a->state == CSCTP_STATE_COOKIE_WAIT) {
    if (!a->send_init)
      return 0;
    csctp_buf_init(&b, buf, out_cap(a, a->setup_path, buflen));
    out_dst(a, a->setup_path, dst, src);
    a->pkts_out++;
    return out_init(a, &b);
  }
  int probe = csctp_pmtud_assoc_due(a); /* RFC 8899 6.2.1.2: alone */
  if (probe >= 0) {
    size_t n = csctp_pmtud_put_probe(a, (uint8_t)probe, buf, buflen, now);
    if (n > 0) {
      out_dst(a, (uint8_t)probe, dst, src);
      return (csctp_ssize)n;
    }
  }
  uint8_t pi =
      a->state == CSCTP_STATE_COOKIE_ECHOED ? a->setup_path : out_pick_path(a);
  /* RFC 4895 6.2: room for the AUTH chunk inserted at the end. */
  csctp_buf_init(&b, buf, out_cap(a, pi, buflen) - csctp_auth_reserve(a));
  if (csctp_pkt_begin(&b, a->ep->port, a->peer_port, a->peer_tag) != 0)
    return 0;
  size_t empty = b.len;
  if (a->state == CSCTP_STATE_COOKIE_ECHOED) {
    /* 5.1 D: COOKIE ECHO first; queued DATA may follow in the packet. */
    if (!a->send_cookie_echo ||
        csctp_put_cookie_echo(&b, a->cookie, a->cookie_len) != 0)
      return 0;
    a->send_cookie_echo = 0;
    /* 3.2.2: an Unrecognized Parameters report on the INIT ACK rides with
     * the COOKIE ECHO. */
    out_put_errors(a, &b);
    out_data(a, &b, pi, now);
  } else {
    out_control(a, &b, pi, now);
    if (pi == csctp_assoc_data_path(a)) {
      uint64_t data_before = a->data_chunks_out;
      out_data(a, &b, pi, now);
      /* RFC 3758 3.5 C3: an abandonment while choosing DATA moved the ack
       * point. Control chunks never follow DATA (RFC 9260 6.10): the
       * FORWARD TSN goes here only if no DATA did, else first in the next
       * packet (the caller asks until nothing is left). */
      if (a->data_chunks_out == data_before)
        csctp_prsctp_put_fwd(a, &b, pi, now);
    }
  }
  if (b.len == empty)
    return 0;
  b.cap = out_cap(a, pi, buflen);
  csctp_auth_sign(a, b.base, &b.len, b.cap); /* RFC 4895 6.2 */
  out_dst(a, pi, dst, src);
  a->pkts_out++;
  /* RFC 9653 5.2: where negotiated and allowed, no CRC32c is computed:
   * the checksum field stays the zero csctp_pkt_begin wrote. */
  size_t len = a->zcsum_send && !csctp_zcsum_needs_crc(b.base, b.len)
                   ? b.len
                   : csctp_pkt_finish(&b);
  *flags = out_flags(a, pi, len);
  return (csctp_ssize)len;
}
