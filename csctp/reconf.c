/* reconf.c -- stream reconfiguration (RFC 6525); see reconf.h. */
#include "config.h"

#include "reconf.h"

#include "engine.h"
#include "mem.h"
#include "tsn.h"

#include <string.h>

/* Room kept in a packet for the common header, AUTH and a SACK beside a
 * request. */
#define RECONF_PKT_SLACK 128u

void csctp_reconf_init(csctp_assoc *a) {
  csctp_reconf *r = &a->reconf;
  memset(r, 0, sizeof(*r));
  r->enable = (uint8_t)(a->s.reconf_enable & 7u);
}

/* The state, made on first use; NULL when out of memory. */
static csctp_reconf_state *reconf_state(csctp_assoc *a) {
  if (!a->reconf.st) {
    a->reconf.st = csctp_calloc(&a->ep->mem, 1, sizeof(csctp_reconf_state));
    if (a->reconf.st)
      a->reconf.st->timer = CSCTP_TSTAMP_NEVER;
  }
  return a->reconf.st;
}

/* 1 while our request is in flight. */
static int reconf_busy(const csctp_assoc *a) {
  return a->reconf.st && a->reconf.st->req;
}

static void reconf_drop_request(csctp_assoc *a) {
  if (!a->reconf.st)
    return;
  csctp_free(&a->ep->mem, a->reconf.st->req);
  a->reconf.st->req = NULL;
  a->reconf.st->req_len = 0;
  a->reconf.st->send_req = 0;
  a->reconf.st->no_errors = 0;
  a->reconf.st->timer = CSCTP_TSTAMP_NEVER;
}

void csctp_reconf_free(csctp_assoc *a) {
  reconf_drop_request(a);
  if (a->reconf.st)
    csctp_free(&a->ep->mem, a->reconf.st->def_sids);
  csctp_free(&a->ep->mem, a->reconf.st);
  a->reconf.st = NULL;
}

int csctp_reconf_peer_supports(const csctp_init *in) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END) {
    if (rv != CSCTP_PARAM_KNOWN || p.type != CSCTP_PT_SUPPORTED_EXT)
      continue;
    for (size_t i = 0; i < p.value_len; i++)
      if (p.value[i] == CSCTP_CT_RE_CONFIG) /* RFC 6525 5.1.1 */
        return 1;
  }
  return 0;
}

/* ---- Events (RFC 6525 6.1) ---------------------------------------------- */

static void reconf_event_reset(csctp_assoc *a, uint16_t flags,
                               const uint8_t *sids, size_t n) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_STREAM_RESET;
  ev.assoc_id = a->id;
  ev.u.stream_reset.flags = flags;
  if (n > 0) {
    ev.u.stream_reset.sids = csctp_malloc(&a->ep->mem, n * sizeof(uint16_t));
    if (!ev.u.stream_reset.sids)
      n = 0; /* reported as every stream rather than lost */
    for (size_t i = 0; i < n; i++)
      ev.u.stream_reset.sids[i] = csctp_get16(sids + 2 * i);
  }
  ev.u.stream_reset.n = (uint16_t)n;
  if (csctp_ep_push_event(a->ep, &ev) != 0)
    csctp_free(&a->ep->mem, ev.u.stream_reset.sids);
}

static void reconf_event_change(csctp_assoc *a, uint16_t flags) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_STREAM_CHANGE;
  ev.assoc_id = a->id;
  ev.u.stream_change.flags = flags;
  ev.u.stream_change.instrms = a->istreams;
  ev.u.stream_change.outstrms = a->ostreams;
  csctp_ep_push_event(a->ep, &ev);
}

/* ---- Stream state ------------------------------------------------------- */

/* Stream list of a parameter: n big-endian sids at p (n 0: all). */
static int reconf_lists(const uint8_t *p, size_t n, uint16_t sid) {
  if (n == 0)
    return 1;
  for (size_t i = 0; i < n; i++)
    if (csctp_get16(p + 2 * i) == sid)
      return 1;
  return 0;
}

static int reconf_unsent_on(const csctp_assoc *a, const uint8_t *sids,
                            size_t n) {
  for (const csctp_chunk_out *c = a->sq.unsent; c; c = c->next)
    if (reconf_lists(sids, n, c->sid))
      return 1;
  return 0;
}

/* RFC 6525 5.2.2 E3, 5.2.4 G5: the next expected SSN of inbound streams
 * becomes 0. */
static void reconf_reset_in(csctp_assoc *a, const uint8_t *sids, size_t n) {
  if (n == 0) {
    for (uint32_t s = 0; s < a->istreams; s++)
      csctp_reasm_reset_ssn(&a->rx, (uint16_t)s);
    return;
  }
  for (size_t i = 0; i < n; i++)
    csctp_reasm_reset_ssn(&a->rx, csctp_get16(sids + 2 * i));
}

/* RFC 6525 5.2.7 H4: outbound streams start again from SSN 0. */
static void reconf_reset_out(csctp_assoc *a, const uint8_t *sids, size_t n) {
  csctp_idata_reset_out(a, sids, n); /* RFC 8260 2.3.2: the MIDs too */
  if (n == 0) {
    for (uint32_t s = 0; s < a->sq.nstreams; s++)
      a->sq.next_ssn[s] = 0;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint16_t s = csctp_get16(sids + 2 * i);
    if (s < a->sq.nstreams)
      a->sq.next_ssn[s] = 0;
  }
}

/* ---- Our requests (RFC 6525 5.1) ---------------------------------------- */

/* Parameter at offset off of our request, or 0 past its end. */
static int reconf_req_param(const csctp_assoc *a, int idx, csctp_tlv *p) {
  csctp_tlv_iter it;
  csctp_tlv_iter_init(&it, a->reconf.st->req, a->reconf.st->req_len);
  for (int i = 0; i <= idx; i++)
    if (csctp_param_next(&it, p) != 1)
      return 0;
  return 1;
}

int csctp_reconf_blocks(const csctp_assoc *a, uint16_t sid) {
  csctp_tlv p;
  if (!reconf_busy(a))
    return 0;
  for (int i = 0; i < 2 && reconf_req_param(a, i, &p); i++)
    if (p.type == CSCTP_PT_OUT_SSN_RESET && !a->reconf.st->req_done[i] &&
        reconf_lists(p.value + 12, (p.value_len - 12) / 2, sid))
      return 1; /* 5.1.2 A1 */
  return 0;
}

/* Takes params (len bytes, owned by the caller) as our request in flight
 * and schedules it (5.1.1). */
static int reconf_start(csctp_assoc *a, const uint8_t *params, size_t len) {
  if (!reconf_state(a))
    return CSCTP_ERR_NOMEM;
  uint8_t *copy = csctp_malloc(&a->ep->mem, len);
  if (!copy)
    return CSCTP_ERR_NOMEM;
  memcpy(copy, params, len);
  reconf_drop_request(a);
  a->reconf.st->req = copy;
  a->reconf.st->req_len = len;
  a->reconf.st->req_done[0] = a->reconf.st->req_done[1] = 0;
  a->reconf.st->send_req = 1;
  a->reconf.st->rto = 0;
  csctp_ep_touch(a);
  return 0;
}

/* Outgoing SSN Reset Request (4.1, 5.1.2 A2-A4). */
static int reconf_put_out_req(csctp_assoc *a, csctp_buf *b, uint32_t resp_sn,
                              const uint8_t *sids, size_t n) {
  uint8_t v[12];
  csctp_put32(v, a->reconf.next_sn++);
  csctp_put32(v + 4, resp_sn);
  csctp_put32(v + 8, a->sq.next_tsn - 1u); /* A3 */
  size_t off = b->len;
  if (csctp_put_bytes(b, "\0\0\0\0", 4) != 0 ||
      csctp_put_bytes(b, v, 12) != 0 || csctp_put_bytes(b, sids, 2 * n) != 0)
    return CSCTP_ERR_NOBUF;
  csctp_put16(b->base + off, CSCTP_PT_OUT_SSN_RESET);
  csctp_put16(b->base + off + 2, (uint16_t)(16 + 2 * n));
  if (n & 1u) /* pad to 4 */
    return csctp_put_bytes(b, "\0\0", 2);
  return 0;
}

static int reconf_put_sn_param(csctp_buf *b, uint16_t type, uint32_t sn,
                               const uint8_t *tail, size_t tail_len) {
  uint8_t v[8];
  csctp_put32(v, sn);
  if (tail_len > 4)
    tail_len = 4;
  memcpy(v + 4, tail, tail_len);
  return csctp_put_param(b, type, v, 4 + tail_len);
}

static int reconf_can_request(const csctp_assoc *a) {
  if (a->state != CSCTP_STATE_ESTABLISHED)
    return CSCTP_ERR_STATE;
  if (!a->reconf.on)
    return CSCTP_ERR_NOT_SUPPORTED; /* 5.1.1 */
  if (reconf_busy(a))
    return CSCTP_ERR_AGAIN; /* 5.1.1: one request in flight */
  return 0;
}

static size_t reconf_max_sids(const csctp_assoc *a) {
  size_t room =
      a->s.pmtu > RECONF_PKT_SLACK + 32 ? a->s.pmtu - RECONF_PKT_SLACK - 32 : 0;
  return room / 4; /* both lists may be present */
}

int csctp_reset_streams(csctp_endpoint *ep, csctp_assoc_id id, uint32_t flags,
                        const uint16_t *sids, size_t n, csctp_tstamp now) {
  (void)now;
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  int out = (flags & CSCTP_STREAM_RESET_OUTGOING) != 0;
  int in = (flags & CSCTP_STREAM_RESET_INCOMING) != 0;
  if ((!out && !in) || (flags & ~3u) || (n > 0 && !sids) ||
      n > reconf_max_sids(a))
    return CSCTP_ERR_INVAL;
  int rv = reconf_can_request(a);
  if (rv != 0)
    return rv;
  uint8_t *wire = csctp_malloc(&ep->mem, 2 * n + 1);
  if (!wire)
    return CSCTP_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    if ((out && sids[i] >= a->ostreams) || (in && sids[i] >= a->istreams))
      rv = CSCTP_ERR_INVAL;
    csctp_put16(wire + 2 * i, sids[i]);
  }
  if (rv == 0 && out && reconf_unsent_on(a, wire, n))
    rv = CSCTP_ERR_AGAIN; /* their SSNs are assigned: see reconf.h */
  if (rv == 0) {
    uint8_t params[1600];
    csctp_buf b;
    csctp_buf_init(&b, params, sizeof(params));
    uint32_t sn0 = a->reconf.next_sn;
    if (out) /* A4: the peer's next expected request minus 1 */
      rv = reconf_put_out_req(a, &b, a->reconf.peer_sn - 1u, wire, n);
    if (rv == 0 && in) { /* 4.2, 5.1.3 B1, B2 */
      size_t off = b.len;
      uint8_t v[4];
      csctp_put32(v, a->reconf.next_sn++);
      rv = csctp_put_param(&b, CSCTP_PT_IN_SSN_RESET, NULL, 0);
      if (rv == 0 && (csctp_put_bytes(&b, v, 4) != 0 ||
                      csctp_put_bytes(&b, wire, 2 * n) != 0))
        rv = CSCTP_ERR_NOBUF;
      if (rv == 0) {
        csctp_put16(params + off + 2, (uint16_t)(8 + 2 * n));
        if (n & 1u)
          rv = csctp_put_bytes(&b, "\0\0", 2);
      }
    }
    if (rv == 0)
      rv = reconf_start(a, params, b.len);
    if (rv != 0)
      a->reconf.next_sn = sn0;
  }
  csctp_free(&ep->mem, wire);
  return rv;
}

static int reconf_put_add(csctp_buf *b, uint16_t type, uint32_t sn,
                          uint16_t n) {
  uint8_t tail[4] = {(uint8_t)(n >> 8), (uint8_t)n, 0, 0};
  return reconf_put_sn_param(b, type, sn, tail, 4);
}

int csctp_add_streams(csctp_endpoint *ep, csctp_assoc_id id, uint16_t in,
                      uint16_t out, csctp_tstamp now) {
  (void)now;
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if ((in == 0 && out == 0) || (uint32_t)a->istreams + in > 0xFFFFu ||
      (uint32_t)a->ostreams + out > 0xFFFFu)
    return CSCTP_ERR_INVAL;
  int rv = reconf_can_request(a);
  if (rv != 0)
    return rv;
  uint8_t params[32];
  csctp_buf b;
  csctp_buf_init(&b, params, sizeof(params));
  if (out) /* 4.5, 5.1.5 */
    reconf_put_add(&b, CSCTP_PT_ADD_OUT_STREAMS, a->reconf.next_sn++, out);
  if (in) /* 4.6, 5.1.6 */
    reconf_put_add(&b, CSCTP_PT_ADD_IN_STREAMS, a->reconf.next_sn++, in);
  rv = reconf_start(a, params, b.len);
  if (rv != 0)
    a->reconf.next_sn -= (out != 0) + (in != 0);
  return rv;
}

/* ---- SSN/TSN Reset (RFC 6525 4.3, 5.1.4, 5.2.4, 5.2.7 H5) ------------- */

/* 1 while our SSN/TSN Reset Request is in flight. */
static int reconf_tsn_pending(const csctp_assoc *a) {
  csctp_tlv p;
  return reconf_busy(a) && reconf_req_param(a, 0, &p) &&
         p.type == CSCTP_PT_SSN_TSN_RESET && !a->reconf.st->req_done[0];
}

int csctp_reconf_holds_data(const csctp_assoc *a) {
  return reconf_tsn_pending(a); /* 5.1.4 C2 */
}

/* 1 when tsn lies behind base (or 2^31 away): of the space before an
 * SSN/TSN reset. *epoch is cleared once tsn is 2^30 past base. */
static int reconf_tsn_stale(uint8_t *epoch, uint32_t base, uint32_t tsn) {
  if (!*epoch)
    return 0;
  uint32_t d = tsn - base;
  if (d >= 0x80000000u)
    return 1;
  if (d > 0x40000000u)
    *epoch = 0; /* far past the reset: serial arithmetic is sound again */
  return 0;
}

int csctp_reconf_drops_sack(csctp_assoc *a, uint32_t cum) {
  if (reconf_tsn_pending(a))
    return 1;
  csctp_reconf_state *st = a->reconf.st;
  return st && reconf_tsn_stale(&st->tsn_epoch_local, st->tsn_local_base, cum);
}

int csctp_reconf_drops_fwd(csctp_assoc *a, uint32_t new_cum) {
  csctp_reconf_state *st = a->reconf.st;
  return st &&
         reconf_tsn_stale(&st->tsn_epoch_remote, st->tsn_remote_base, new_cum);
}

int csctp_reconf_answer_first(const csctp_assoc *a) {
  const csctp_reconf_state *st = a->reconf.st;
  if (!st || !st->tsn_valid)
    return 0;
  for (int i = 0; i < st->nresp; i++)
    if (st->resp_sn[i] == st->tsn_sn)
      return 1;
  return 0;
}

/* 5.1.4 C2: no TSN outstanding and no message sent in part, so that the
 * reset abandons nothing (as sender) and G3 acknowledges nothing unseen
 * (as receiver). */
static int reconf_tsn_quiet(const csctp_assoc *a) {
  if (a->sq.out != NULL)
    return 0;
  for (const csctp_chunk_out *c = a->sq.unsent; c; c = c->next)
    if (c->msg->sent)
      return 0;
  return 1;
}

/* G5, H5: outbound streams start again from SSN 0. The ordered messages
 * still queued (none was sent: reconf_tsn_quiet) hold the last
 * ordered_out[sid] SSNs of their stream; they are renumbered from 0 in
 * their order. */
static void reconf_tsn_renumber_out(csctp_assoc *a) {
  csctp_sendq *q = &a->sq;
  for (csctp_chunk_out *c = q->unsent; c; c = c->next)
    if (!(c->flags & CSCTP_DATA_FLAG_U) && c->sid < q->nstreams)
      c->ssn = (uint16_t)(c->ssn - (uint16_t)(q->next_ssn[c->sid] -
                                              q->ordered_out[c->sid]));
  for (uint32_t s = 0; s < q->nstreams; s++)
    q->next_ssn[s] = q->ordered_out[s];
}

/* G3-G5 and H5: our next TSN becomes local_next, the peer's remote_next;
 * every stream starts from SSN 0 both ways. */
static void reconf_tsn_perform(csctp_assoc *a, uint32_t local_next,
                               uint32_t remote_next) {
  a->sq.next_tsn = local_next; /* G3: nothing is outstanding */
  a->sq.cum_acked = local_next - 1u;
  int was_ready = csctp_reasm_has_ready(&a->rx);
  csctp_reasm_tsn_reset(&a->rx, csctp_tsnmap_highest(&a->tsn)); /* G4 */
  csctp_idata_tsn_reset(a); /* G4 for I-DATA messages not yet complete */
  csctp_tsnmap_reset(&a->tsn, remote_next);
  reconf_tsn_renumber_out(a);            /* G5 */
  csctp_reconf_state *st = a->reconf.st; /* present: a request or an
                                            answer brought us here */
  st->deferred = 0; /* an Outgoing SSN Reset waiting (E2) is overtaken:
                       every stream was reset */
  st->tsn_epoch_local = st->tsn_epoch_remote = 1;
  st->tsn_local_base = local_next - 1u;
  st->tsn_remote_base = remote_next - 1u;
  if (!was_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a);
  a->sack_now = 1; /* tell the peer the new cumulative TSN */
}

/* 6.1.2: the ASSOC_RESET event. */
static void reconf_tsn_event(csctp_assoc *a, uint16_t flags) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_ASSOC_RESET;
  ev.assoc_id = a->id;
  ev.u.assoc_reset.flags = flags;
  ev.u.assoc_reset.local_tsn = a->sq.next_tsn;
  ev.u.assoc_reset.remote_tsn = csctp_tsnmap_cum(&a->tsn) + 1u;
  csctp_ep_push_event(a->ep, &ev);
}

int csctp_reset_assoc(csctp_endpoint *ep, csctp_assoc_id id, csctp_tstamp now) {
  (void)now;
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  int rv = reconf_can_request(a);
  if (rv != 0)
    return rv;
  if (!reconf_tsn_quiet(a))
    return CSCTP_ERR_AGAIN; /* C2: see reconf.h */
  uint8_t params[8], v[4];
  csctp_buf b;
  csctp_buf_init(&b, params, sizeof(params));
  csctp_put32(v, a->reconf.next_sn); /* C1 */
  rv = csctp_put_param(&b, CSCTP_PT_SSN_TSN_RESET, v, 4);
  if (rv == 0)
    rv = reconf_start(a, params, b.len); /* C3: alone in its chunk, C4 */
  if (rv == 0)
    a->reconf.next_sn++;
  return rv;
}

/* H5: the peer's answer to our SSN/TSN Reset Request. */
static void reconf_tsn_answered(csctp_assoc *a, uint32_t res) {
  csctp_reconf_state *st = a->reconf.st;
  if (res != CSCTP_RECONF_PERFORMED || !st->in_has_tsn) {
    reconf_tsn_event(a, res == CSCTP_RECONF_DENIED ? CSCTP_STREAM_RESET_DENIED
                                                   : CSCTP_STREAM_RESET_FAILED);
    csctp_ep_touch(a); /* the queued data may go now */
    return;
  }
  /* We send from the Receiver's Next TSN, the peer from its Sender's. */
  reconf_tsn_perform(a, st->in_rcv_next, st->in_snd_next);
  reconf_tsn_event(a, 0);
  csctp_ep_touch(a);
}

void csctp_reconf_tsn_choose(uint32_t peer_cum, uint32_t local_next,
                             uint32_t *snd_next, uint32_t *rcv_next) {
  *snd_next = local_next;                  /* G2 */
  *rcv_next = peer_cum + 1u + 0x80000000u; /* G1 */
  if (*rcv_next - local_next < 0x80000000u)
    return;
  /* Not for usrsctp: see reconf.h. */
  uint32_t rcv = local_next + 0x70000000u;
  uint32_t r = rcv - 1u - peer_cum;
  *rcv_next = (r >= 0x10000000u && r <= 0x80000000u) ? rcv : local_next;
}

/* 5.2.4: the peer's SSN/TSN Reset Request. */
static uint32_t reconf_on_tsn_req(csctp_assoc *a, const csctp_tlv *p) {
  csctp_reconf_state *st = a->reconf.st;
  if (p->value_len != 4 || !(a->reconf.enable & CSCTP_ENABLE_RESET_ASSOC_REQ))
    return CSCTP_RECONF_DENIED; /* 6.3.1 */
  if (reconf_busy(a))
    return CSCTP_RECONF_IN_USE; /* crossing: see reconf.h */
  if (!reconf_tsn_quiet(a))
    return CSCTP_RECONF_IN_PROGRESS; /* our data is still outstanding */
  uint32_t snd_next, rcv_next;
  csctp_reconf_tsn_choose(csctp_tsnmap_cum(&a->tsn), a->sq.next_tsn, &snd_next,
                          &rcv_next);        /* G1, G2 */
  reconf_tsn_perform(a, snd_next, rcv_next); /* G3, G4, G5 */
  st->tsn_valid = 1;
  st->tsn_sn = csctp_get32(p->value);
  st->tsn_snd_next = snd_next; /* D3 */
  st->tsn_rcv_next = rcv_next; /* D4 */
  reconf_tsn_event(a, 0);
  return CSCTP_RECONF_PERFORMED; /* G6 */
}

int csctp_enable_stream_reset(csctp_endpoint *ep, csctp_assoc_id id,
                              uint32_t flags) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (flags & ~7u)
    return CSCTP_ERR_INVAL;
  a->reconf.enable = (uint8_t)flags;
  return 0;
}

/* ---- Responses to our request (RFC 6525 5.2.7) -------------------------- */

static void reconf_finish_param(csctp_assoc *a, const csctp_tlv *p,
                                uint32_t res) {
  int ok = res == CSCTP_RECONF_NOTHING || res == CSCTP_RECONF_PERFORMED;
  uint16_t bad = res == CSCTP_RECONF_DENIED
                     ? CSCTP_STREAM_RESET_DENIED
                     : CSCTP_STREAM_RESET_FAILED; /* same bits */
  switch (p->type) {
  case CSCTP_PT_OUT_SSN_RESET: {
    const uint8_t *sids = p->value + 12;
    size_t n = (p->value_len - 12) / 2;
    if (ok)
      reconf_reset_out(a, sids, n); /* H4 */
    reconf_event_reset(a, CSCTP_STREAM_RESET_OUTGOING_SSN | (ok ? 0 : bad),
                       sids, n);
    break;
  }
  case CSCTP_PT_IN_SSN_RESET:
    /* Performed, the peer answers with its own Outgoing SSN Reset (5.2.3
     * F1), whose processing reports the reset: a response parameter
     * says "Nothing to do" or a failure. */
    if (res == CSCTP_RECONF_PERFORMED)
      break;
    reconf_event_reset(a, CSCTP_STREAM_RESET_INCOMING_SSN | (ok ? 0 : bad),
                       p->value + 4, (p->value_len - 4) / 2);
    break;
  case CSCTP_PT_ADD_OUT_STREAMS: {
    uint16_t add = csctp_get16(p->value + 4);
    if (ok &&
        csctp_sendq_add_streams(&a->sq, (uint16_t)(a->ostreams + add)) == 0)
      a->ostreams = (uint16_t)(a->ostreams + add); /* H6 */
    else if (ok)
      bad = CSCTP_STREAM_CHANGE_FAILED, ok = 0;
    reconf_event_change(a, ok ? 0 : bad);
    break;
  }
  case CSCTP_PT_ADD_IN_STREAMS:
    reconf_event_change(a, ok ? 0 : bad);
    break;
  case CSCTP_PT_SSN_TSN_RESET:
    reconf_tsn_answered(a, res);
    break;
  }
}

/* H1: the answer res to our request sn; H2 "In progress" restarts the
 * timer. */
static int reconf_answered(csctp_assoc *a, uint32_t sn, uint32_t res,
                           uint16_t only, csctp_tstamp now) {
  csctp_reconf *r = &a->reconf;
  csctp_tlv p;
  if (!reconf_busy(a))
    return 0;
  int idx = -1;
  for (int i = 0; i < 2 && reconf_req_param(a, i, &p); i++)
    if (csctp_get32(p.value) == sn && !r->st->req_done[i] &&
        (!only || p.type == only)) {
      idx = i;
      break;
    }
  if (idx < 0)
    return 0;                            /* H1: not in flight: done */
  if (res == CSCTP_RECONF_IN_PROGRESS) { /* H2 */
    r->st->no_errors = 1;
    r->st->timer = now + a->paths[r->st->req_path].rto;
    return 1;
  }
  r->st->req_done[idx] = 1;
  reconf_finish_param(a, &p, res);
  int left = 0;
  for (int i = 0; i < 2 && reconf_req_param(a, i, &p); i++)
    left |= !r->st->req_done[i];
  if (!left)
    reconf_drop_request(a); /* H1: timer stopped */
  return 1;
}

void csctp_reconf_restarted(csctp_assoc *a) {
  csctp_tlv p;
  if (!reconf_busy(a))
    return;
  for (int i = 0; i < 2 && reconf_req_param(a, i, &p); i++)
    if (!a->reconf.st->req_done[i]) {
      a->reconf.st->req_done[i] = 1;
      /* Any result but Performed, Nothing to do or Denied reports a
       * failure; the restarted peer never saw this sequence number. */
      reconf_finish_param(a, &p, CSCTP_RECONF_BAD_SEQ);
    }
  reconf_drop_request(a);
}

/* ---- The peer's requests (RFC 6525 5.2) --------------------------------- */

static void reconf_respond(csctp_assoc *a, uint32_t sn, uint32_t res) {
  csctp_reconf *r = &a->reconf;
  if (r->st->nresp >= 2)
    return; /* at most two per chunk (3.1); the peer retransmits */
  r->st->resp_sn[r->st->nresp] = sn;
  r->st->resp_res[r->st->nresp] = res;
  r->st->nresp++;
}

static void reconf_remember(csctp_assoc *a, uint32_t sn, uint32_t res) {
  csctp_reconf *r = &a->reconf;
  if (r->st->nlast == 2) {
    r->st->last_sn[0] = r->st->last_sn[1];
    r->st->last_res[0] = r->st->last_res[1];
    r->st->nlast = 1;
  }
  r->st->last_sn[r->st->nlast] = sn;
  r->st->last_res[r->st->nlast] = res;
  r->st->nlast++;
}

static int reconf_defer(csctp_assoc *a, uint32_t sn, uint32_t last_tsn,
                        const uint8_t *sids, size_t n) {
  csctp_reconf *r = &a->reconf;
  uint16_t *copy = NULL;
  if (n > 0) {
    copy = csctp_malloc(&a->ep->mem, n * sizeof(uint16_t));
    if (!copy)
      return CSCTP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
      copy[i] = csctp_get16(sids + 2 * i);
  }
  csctp_free(&a->ep->mem, r->st->def_sids);
  r->st->deferred = 1;
  r->st->def_sn = sn;
  r->st->def_tsn = last_tsn;
  r->st->def_sids = copy;
  r->st->def_n = (uint16_t)n;
  return 0;
}

/* E3 and the event for the streams of an Outgoing SSN Reset. */
static void reconf_perform_in(csctp_assoc *a, const uint8_t *sids, size_t n) {
  reconf_reset_in(a, sids, n);
  reconf_event_reset(a, CSCTP_STREAM_RESET_INCOMING_SSN, sids, n);
}

/* 5.2.2: returns the result for the peer's Outgoing SSN Reset Request. */
static uint32_t reconf_on_out_req(csctp_assoc *a, const csctp_tlv *p,
                                  csctp_tstamp now) {
  if (p->value_len < 12 || (p->value_len - 12) % 2)
    return CSCTP_RECONF_DENIED;
  uint32_t sn = csctp_get32(p->value);
  const uint8_t *sids = p->value + 12;
  size_t n = (p->value_len - 12) / 2;
  /* E1: an answer to our Incoming SSN Reset (5.2.3 F1, A4), performed
   * since we asked for it. */
  int asked =
      reconf_answered(a, csctp_get32(p->value + 4), CSCTP_RECONF_PERFORMED,
                      CSCTP_PT_IN_SSN_RESET, now);
  if (!asked && !(a->reconf.enable & CSCTP_ENABLE_RESET_STREAM_REQ))
    return CSCTP_RECONF_DENIED; /* 6.3.1 */
  for (size_t i = 0; i < n; i++)
    if (csctp_get16(sids + 2 * i) >= a->istreams)
      return CSCTP_RECONF_WRONG_SSN;
  uint32_t last = csctp_get32(p->value + 8);
  if (csctp_tsn_gt(last, csctp_tsnmap_cum(&a->tsn))) { /* E2 */
    if (reconf_defer(a, sn, last, sids, n) != 0)
      return CSCTP_RECONF_IN_USE;
    return CSCTP_RECONF_IN_PROGRESS;
  }
  reconf_perform_in(a, sids, n);
  return CSCTP_RECONF_PERFORMED; /* E5 */
}

/* 1 if our request in flight resets every stream in sids (5.2.3). */
static int reconf_covers(const csctp_assoc *a, const uint8_t *sids, size_t n) {
  csctp_tlv p;
  for (int i = 0; i < 2 && reconf_req_param(a, i, &p); i++) {
    if (p.type != CSCTP_PT_OUT_SSN_RESET)
      continue;
    size_t m = (p.value_len - 12) / 2;
    if (m == 0)
      return 1;
    if (n == 0)
      return 0;
    for (size_t k = 0; k < n; k++)
      if (!reconf_lists(p.value + 12, m, csctp_get16(sids + 2 * k)))
        return 0;
    return 1;
  }
  return 0;
}

/* 5.2.3: the peer asks us to reset our outbound streams. 0 is returned
 * when the answer is our Outgoing SSN Reset Request (F1). */
static int reconf_on_in_req(csctp_assoc *a, const csctp_tlv *p, uint32_t *res) {
  if (p->value_len < 4 || (p->value_len - 4) % 2) {
    *res = CSCTP_RECONF_DENIED;
    return 1;
  }
  uint32_t sn = csctp_get32(p->value);
  const uint8_t *sids = p->value + 4;
  size_t n = (p->value_len - 4) / 2;
  *res = CSCTP_RECONF_DENIED;
  if (!(a->reconf.enable & CSCTP_ENABLE_RESET_STREAM_REQ))
    return 1; /* 6.3.1 */
  for (size_t i = 0; i < n; i++)
    if (csctp_get16(sids + 2 * i) >= a->ostreams) {
      *res = CSCTP_RECONF_WRONG_SSN;
      return 1;
    }
  if (reconf_busy(a)) {
    *res =
        reconf_covers(a, sids, n) ? CSCTP_RECONF_NOTHING : CSCTP_RECONF_IN_USE;
    return 1;
  }
  if (reconf_unsent_on(a, sids, n)) {
    *res = CSCTP_RECONF_IN_PROGRESS; /* A1: retried by the peer's timer */
    return 1;
  }
  uint8_t params[1600];
  csctp_buf b;
  csctp_buf_init(&b, params, sizeof(params));
  if (reconf_put_out_req(a, &b, sn, sids, n) != 0 || /* F1, A4 */
      reconf_start(a, params, b.len) != 0) {
    a->reconf.next_sn--;
    *res = CSCTP_RECONF_IN_USE;
    return 1;
  }
  return 0;
}

/* 5.2.5: the peer adds outbound streams, our inbound ones. */
static uint32_t reconf_on_add_out(csctp_assoc *a, const csctp_tlv *p,
                                  csctp_tstamp now) {
  if (p->value_len < 8)
    return CSCTP_RECONF_DENIED;
  /* 5.2.6: the answer to our Add Incoming Streams request. */
  csctp_tlv q;
  for (int i = 0; reconf_busy(a) && i < 2 && reconf_req_param(a, i, &q); i++)
    if (q.type == CSCTP_PT_ADD_IN_STREAMS && !a->reconf.st->req_done[i] &&
        csctp_get16(q.value + 4) == csctp_get16(p->value + 4)) {
      a->istreams = (uint16_t)(a->istreams + csctp_get16(p->value + 4));
      a->rx.ninstreams = a->istreams;
      reconf_answered(a, csctp_get32(q.value), CSCTP_RECONF_PERFORMED,
                      CSCTP_PT_ADD_IN_STREAMS, now);
      return CSCTP_RECONF_PERFORMED;
    }
  uint32_t n = a->istreams + (uint32_t)csctp_get16(p->value + 4);
  if (!(a->reconf.enable & CSCTP_ENABLE_CHANGE_ASSOC_REQ) ||
      n > a->s.max_instreams) /* 6.3.4: past sinit_max_instreams */
    return CSCTP_RECONF_DENIED;
  a->istreams = (uint16_t)n; /* next expected SSN 0: no record yet */
  a->rx.ninstreams = a->istreams;
  reconf_event_change(a, 0);
  return CSCTP_RECONF_PERFORMED;
}

/* 5.2.6: answered by our Add Outgoing Streams request (0) or denied. */
static int reconf_on_add_in(csctp_assoc *a, const csctp_tlv *p, uint32_t *res) {
  *res = CSCTP_RECONF_DENIED;
  if (p->value_len < 8 || !(a->reconf.enable & CSCTP_ENABLE_CHANGE_ASSOC_REQ) ||
      (uint32_t)a->ostreams + csctp_get16(p->value + 4) > 0xFFFFu)
    return 1;
  if (reconf_busy(a)) {
    *res = CSCTP_RECONF_IN_USE;
    return 1;
  }
  uint8_t params[12];
  csctp_buf b;
  csctp_buf_init(&b, params, sizeof(params));
  reconf_put_add(&b, CSCTP_PT_ADD_OUT_STREAMS, a->reconf.next_sn++,
                 csctp_get16(p->value + 4));
  if (reconf_start(a, params, b.len) != 0) {
    a->reconf.next_sn--;
    *res = CSCTP_RECONF_IN_USE;
    return 1;
  }
  return 0;
}

static int reconf_is_request(uint16_t type) {
  return type >= CSCTP_PT_OUT_SSN_RESET && type <= CSCTP_PT_ADD_IN_STREAMS &&
         type != CSCTP_PT_RECONF_RESP;
}

/* A request whose sequence number is the one expected. Returns 1 with
 * *res when a response parameter answers it. */
static int reconf_on_new_request(csctp_assoc *a, const csctp_tlv *p,
                                 uint32_t *res, csctp_tstamp now) {
  switch (p->type) {
  case CSCTP_PT_OUT_SSN_RESET:
    *res = reconf_on_out_req(a, p, now);
    return 1;
  case CSCTP_PT_IN_SSN_RESET:
    return reconf_on_in_req(a, p, res);
  case CSCTP_PT_ADD_OUT_STREAMS:
    *res = reconf_on_add_out(a, p, now);
    return 1;
  case CSCTP_PT_ADD_IN_STREAMS:
    return reconf_on_add_in(a, p, res);
  default: /* CSCTP_PT_SSN_TSN_RESET */
    *res = reconf_on_tsn_req(a, p);
    return 1;
  }
}

/* A retransmitted request (5.2.1): the same answer again, re-judged when
 * it was "In progress" (E2). */
static void reconf_on_old_request(csctp_assoc *a, uint32_t sn) {
  csctp_reconf *r = &a->reconf;
  for (int i = 0; i < r->st->nlast; i++) {
    if (r->st->last_sn[i] != sn)
      continue;
    if (r->st->last_res[i] == CSCTP_RECONF_IN_PROGRESS && !r->st->deferred)
      r->st->last_res[i] = CSCTP_RECONF_PERFORMED;
    reconf_respond(a, sn, r->st->last_res[i]);
    return;
  }
  /* Answered by a request of ours (F1, 5.2.6): it is retransmitted on its
   * own timer. */
}

static void reconf_on_request(csctp_assoc *a, const csctp_tlv *p,
                              csctp_tstamp now) {
  csctp_reconf *r = &a->reconf;
  if (p->value_len < 4)
    return;
  uint32_t sn = csctp_get32(p->value);
  if (sn == r->peer_sn) {
    uint32_t res;
    r->peer_sn++;
    if (reconf_on_new_request(a, p, &res, now)) {
      if (p->type == CSCTP_PT_SSN_TSN_RESET && res == CSCTP_RECONF_IN_PROGRESS)
        r->peer_sn--; /* judged again when retransmitted (H2) */
      else
        reconf_remember(a, sn, res);
      reconf_respond(a, sn, res); /* 5.1.7 D1, D2 */
    } else {
      reconf_remember(a, sn, UINT32_MAX);
    }
  } else if (sn == r->peer_sn - 1u || sn == r->peer_sn - 2u) {
    reconf_on_old_request(a, sn);
  } else {
    reconf_respond(a, sn, CSCTP_RECONF_BAD_SEQ);
  }
}

void csctp_reconf_on_chunk(csctp_assoc *a, const csctp_tlv *c,
                           csctp_tstamp now) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int any_req = 0;
  if (!reconf_state(a))
    return; /* as if lost: the peer retransmits */
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  for (int i = 0; i < 2 && csctp_param_next(&it, &p) == 1; i++) {
    if (reconf_is_request(p.type)) {
      any_req = 1;
      reconf_on_request(a, &p, now);
    } else if (p.type == CSCTP_PT_RECONF_RESP && p.value_len >= 8) {
      a->reconf.st->in_has_tsn = p.value_len >= 16; /* 4.4 */
      if (a->reconf.st->in_has_tsn) {
        a->reconf.st->in_snd_next = csctp_get32(p.value + 8);
        a->reconf.st->in_rcv_next = csctp_get32(p.value + 12);
      }
      reconf_answered(a, csctp_get32(p.value), csctp_get32(p.value + 4), 0,
                      now);
      a->reconf.st->in_has_tsn = 0;
    } else {
      break; /* 4: unknown parameter types stop the processing */
    }
  }
  if (any_req)
    a->sack_now = 1; /* 5.2.1: a SACK SHOULD be sent back */
  csctp_ep_touch(a);
}

void csctp_reconf_after_data(csctp_assoc *a) {
  csctp_reconf *r = &a->reconf;
  if (!r->st || !r->st->deferred ||
      csctp_tsn_gt(r->st->def_tsn, csctp_tsnmap_cum(&a->tsn)))
    return;
  /* E2 over: E3, E4 (nothing was held, see reconf.h). */
  uint8_t *wire = NULL;
  if (r->st->def_n > 0) {
    wire = csctp_malloc(&a->ep->mem, 2u * r->st->def_n);
    if (!wire)
      return; /* tried again after the next DATA */
    for (size_t i = 0; i < r->st->def_n; i++)
      csctp_put16(wire + 2 * i, r->st->def_sids[i]);
  }
  r->st->deferred = 0;
  reconf_perform_in(a, wire, r->st->def_n);
  csctp_free(&a->ep->mem, wire);
  csctp_free(&a->ep->mem, r->st->def_sids);
  r->st->def_sids = NULL;
  r->st->def_n = 0;
}

/* ---- Output and timer (5.1.1) ------------------------------------------- */

static int reconf_put_resp(const csctp_assoc *a, csctp_buf *b, uint32_t sn,
                           uint32_t res) {
  const csctp_reconf_state *st = a->reconf.st;
  uint8_t v[16];
  csctp_put32(v, sn);
  csctp_put32(v + 4, res);
  if (st->tsn_valid && st->tsn_sn == sn) { /* D3, D4 */
    csctp_put32(v + 8, st->tsn_snd_next);
    csctp_put32(v + 12, st->tsn_rcv_next);
    return csctp_put_param(b, CSCTP_PT_RECONF_RESP, v, 16);
  }
  return csctp_put_param(b, CSCTP_PT_RECONF_RESP, v, 8);
}

void csctp_reconf_put(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                      csctp_tstamp now) {
  csctp_reconf *r = &a->reconf;
  if (!r->st || (!r->st->nresp && !r->st->send_req))
    return;
  size_t off;
  if (csctp_chunk_begin(b, CSCTP_CT_RE_CONFIG, 0, &off) != 0)
    return;
  int nresp = 0, req = 0;
  for (; nresp < r->st->nresp; nresp++)
    if (reconf_put_resp(a, b, r->st->resp_sn[nresp], r->st->resp_res[nresp]) !=
        0)
      break;
  /* 3.1: a request rides with one response only as combination 9. */
  csctp_tlv p;
  if (r->st->send_req && nresp < 2 && reconf_req_param(a, 0, &p) &&
      (nresp == 0 || (p.type == CSCTP_PT_OUT_SSN_RESET &&
                      r->st->req_len == CSCTP_PAD4(p.length))) &&
      csctp_put_bytes(b, r->st->req, r->st->req_len) == 0)
    req = 1;
  if ((nresp == 0 && !req) || csctp_chunk_end(b, off) != 0) {
    csctp_chunk_abandon(b, off);
    return;
  }
  r->st->nresp = (uint8_t)(r->st->nresp - nresp);
  if (r->st->nresp) { /* what did not fit waits */
    r->st->resp_sn[0] = r->st->resp_sn[1];
    r->st->resp_res[0] = r->st->resp_res[1];
  }
  if (req) {
    r->st->send_req = 0;
    r->st->req_path = pi;
    if (r->st->rto == 0)
      r->st->rto = a->paths[pi].rto;
    r->st->timer = now + r->st->rto; /* 5.1.1 */
  }
}

csctp_tstamp csctp_reconf_expiry(const csctp_assoc *a) {
  return a->reconf.st ? a->reconf.st->timer : CSCTP_TSTAMP_NEVER;
}

void csctp_reconf_on_timer(csctp_assoc *a, csctp_tstamp now) {
  csctp_reconf *r = &a->reconf;
  if (!r->st)
    return;
  r->st->timer = CSCTP_TSTAMP_NEVER;
  if (!r->st->req)
    return;
  r->st->send_req = 1; /* 5.1.1: retransmit, back off */
  r->st->rto = r->st->rto ? 2 * r->st->rto : a->paths[r->st->req_path].rto;
  if (r->st->rto > a->s.rto_max)
    r->st->rto = a->s.rto_max;
  if (!r->st->no_errors) /* H2: not while the peer said "In progress" */
    csctp_assoc_path_error(a, r->st->req_path, now);
  r->st->no_errors = 0;
}
