/* asconf.c -- dynamic address reconfiguration (RFC 5061). See asconf.h.
 *
 * ASCONF (RFC 5061 4.1.1):
 *  | Type = 0xC1   |  Chunk Flags  |      Chunk Length             |
 *  |                      Sequence Number                          |
 *  |                    Address Parameter                          |
 *  |                     ASCONF Parameter #1 ... #N                |
 *
 * ASCONF-ACK (4.1.2):
 *  | Type = 0x80   |  Chunk Flags  |      Chunk Length             |
 *  |                      Sequence Number                          |
 *  |                 ASCONF Parameter Response #1 ... #N           |
 *
 * Add IP (0xC001), Delete IP (0xC002), Set Primary (0xC004), 4.2.1-4.2.4:
 *  |        Type                   |    Length = Variable          |
 *  |               ASCONF-Request Correlation ID                   |
 *  |                       Address Parameter                       |
 *
 * Error Cause Indication (0xC003), Success Indication (0xC005), 4.2.3,
 * 4.2.5:
 *  |        Type                   |    Length                     |
 *  |               ASCONF-Response Correlation ID                  |
 *  |          Error Cause(s) (0xC003 only)                         |
 */
#include "config.h"

#include "asconf.h"
#include "engine.h"
#include "mem.h"

#include <string.h>

/* ---- Helpers ----------------------------------------------------------- */

/* A flag of the state; 0 while there is none. */
#define ASCONF_FLAG(a, f) ((a)->asconf.st && (a)->asconf.st->f)

static int asconf_is_wildcard(const csctp_addr *x) {
  size_t n = x->family == CSCTP_AF_INET ? 4 : 16;
  for (size_t i = 0; i < n; i++)
    if (x->ip[i])
      return 0;
  return 1;
}

/* Serial number arithmetic (RFC 5061 3, RFC 1982): s1 > s2. */
static int asconf_sn_gt(uint32_t s1, uint32_t s2) {
  return s1 != s2 && (uint32_t)(s1 - s2) < 0x80000000u;
}

csctp_asconf_state *csctp_asconf_get(csctp_assoc *a) {
  if (!a->asconf.st) {
    csctp_asconf_state *st =
        csctp_calloc(&a->ep->mem, 1, sizeof(csctp_asconf_state));
    if (!st)
      return NULL;
    st->t4 = CSCTP_TSTAMP_NEVER;
    /* RFC 5061 5.1 A2: our sequence numbers start at our initial TSN; the
     * peer's first ASCONF carries its initial TSN (E1: Peer-Sequence-Number
     * + 1). */
    st->next_sn = a->local_initial_tsn;
    st->peer_sn = a->peer_initial_tsn - 1;
    a->asconf.st = st;
  }
  return a->asconf.st;
}

/* RFC 5061 4.1.1, 4.2.7, 6.1: on when AUTH is on and both sides list
 * ASCONF and ASCONF-ACK as chunks to authenticate. */
static int asconf_on(const csctp_assoc *a) {
  const csctp_auth_assoc *s = a->auth;
  if (!csctp_asconf_ep_enabled(a->ep) || !csctp_auth_on(a) || !s)
    return 0;
  return csctp_auth_vec_lists(s->local_vec, s->local_len, CSCTP_CT_ASCONF) &&
         csctp_auth_vec_lists(s->local_vec, s->local_len,
                              CSCTP_CT_ASCONF_ACK) &&
         csctp_auth_vec_lists(s->peer_vec, s->peer_len, CSCTP_CT_ASCONF) &&
         csctp_auth_vec_lists(s->peer_vec, s->peer_len, CSCTP_CT_ASCONF_ACK);
}

/* RFC 5061 5.1.1 C4: ASCONF and ASCONF-ACK only in these states. */
static int asconf_state_ok(const csctp_assoc *a) {
  switch (a->state) {
  case CSCTP_STATE_ESTABLISHED:
  case CSCTP_STATE_SHUTDOWN_PENDING:
  case CSCTP_STATE_SHUTDOWN_RECEIVED:
  case CSCTP_STATE_SHUTDOWN_SENT:
    return !a->dead;
  default:
    return 0;
  }
}

static void asconf_event(csctp_assoc *a, const csctp_addr *addr,
                         uint32_t state) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_PEER_ADDR_CHANGE;
  ev.assoc_id = a->id;
  ev.u.paddr.addr = *addr;
  ev.u.paddr.state = state;
  csctp_ep_push_event(a->ep, &ev);
}

/* ---- Endpoint and life ------------------------------------------------- */

int csctp_asconf_ep_enabled(const csctp_endpoint *ep) {
  return ep->asconf_enabled && csctp_auth_ep_enabled(ep);
}

int csctp_asconf_enable(csctp_endpoint *ep, int enable) {
  if (!ep)
    return CSCTP_ERR_INVAL;
  if (!enable) {
    ep->asconf_enabled = 0;
    return 0;
  }
  /* RFC 5061 4.1.1, 4.1.2: both chunks are sent and accepted only
   * authenticated (RFC 4895 6.3), so both go in our CHUNKS list. */
  int rv = csctp_auth_add_chunk(ep, CSCTP_CT_ASCONF);
  if (rv == 0)
    rv = csctp_auth_add_chunk(ep, CSCTP_CT_ASCONF_ACK);
  if (rv == 0)
    ep->asconf_enabled = 1;
  return rv;
}

void csctp_asconf_start(csctp_assoc *a) {
  csctp_asconf_free(a); /* a restart forgets the old exchange */
}

void csctp_asconf_free(csctp_assoc *a) {
  csctp_free(&a->ep->mem, a->asconf.st);
  a->asconf.st = NULL;
}

/* ---- Paths ------------------------------------------------------------- */

static uint8_t asconf_remap(uint8_t idx, uint8_t gone, uint8_t repl) {
  if (idx == gone)
    return repl;
  return idx > gone ? (uint8_t)(idx - 1) : idx;
}

/* The path that takes over from gone: an active one, the primary first. */
static uint8_t asconf_successor(const csctp_assoc *a, uint8_t gone) {
  if (a->primary != gone)
    return a->primary;
  for (uint8_t i = 0; i < a->npaths; i++)
    if (i != gone && a->paths[i].state == CSCTP_PATH_ACTIVE)
      return i;
  return gone == 0 ? 1 : 0;
}

static void asconf_remap_chunks(csctp_chunk_out *c, uint8_t gone,
                                uint8_t repl) {
  for (; c; c = c->next)
    c->path = asconf_remap(c->path, gone, repl);
}

void csctp_asconf_remove_path(csctp_assoc *a, uint8_t pi) {
  if (a->npaths < 2 || pi >= a->npaths)
    return;
  /* RFC 5061 5.3 F13: nothing more goes to the address; what is in flight
   * there is sent again on another path (RFC 9260 6.4.1). */
  csctp_sendq_mark_path_rtx(&a->sq, a->paths, pi);
  if (a->sq.n_rtx > 0)
    a->fast_rtx_now = 1;
  /* F12: the new primary is our choice: the successor. */
  uint8_t succ = asconf_successor(a, pi);
  uint8_t repl = succ > pi ? (uint8_t)(succ - 1) : succ;
  csctp_ep_unindex_path(a, pi);
  asconf_remap_chunks(a->sq.out, pi, repl);
  asconf_remap_chunks(a->sq.unsent, pi, repl);
  memmove(&a->paths[pi], &a->paths[pi + 1],
          (size_t)(a->npaths - pi - 1) * sizeof(a->paths[0]));
  a->npaths--;
  a->primary = asconf_remap(a->primary, pi, repl);
  a->sack_path = asconf_remap(a->sack_path, pi, repl);
  a->sack_out_path = asconf_remap(a->sack_out_path, pi, repl);
  a->setup_path = asconf_remap(a->setup_path, pi, repl);
  a->hb_ack_path = asconf_remap(a->hb_ack_path, pi, repl);
  if (a->sack_avoid == pi)
    a->sack_avoid = -1;
  else if (a->sack_avoid > pi)
    a->sack_avoid--;
  a->rec.probe_path = asconf_remap(a->rec.probe_path, pi, repl);
  if (a->reconf.st)
    a->reconf.st->req_path = asconf_remap(a->reconf.st->req_path, pi, repl);
  if (a->asconf.st) {
    csctp_asconf_state *st = a->asconf.st;
    st->req_path = asconf_remap(st->req_path, pi, repl);
    st->ack_path = asconf_remap(st->ack_path, pi, repl);
  }
}

/* ---- Receiver (RFC 5061 5.2) ------------------------------------------- */

/* The response being built for one ASCONF. */
typedef struct asconf_resp {
  csctp_buf b;
  int failing; /* F11: an Add or Delete failed, fail those that follow */
} asconf_resp;

/* An Error Cause Indication (4.2.3) for request parameter p wrapping cause
 * code with the request TLV copied (4.3.1-4.3.5). */
static void asconf_put_error(asconf_resp *r, const csctp_tlv *p, uint32_t corr,
                             uint16_t code) {
  size_t save = r->b.len;
  uint8_t hdr[8];
  size_t plen = p->length; /* the request TLV copied, unpadded */
  if (code == CSCTP_CAUSE_INVALID_PARAM)
    plen = 0; /* 3.3.10.7 of RFC 9260: no value */
  size_t cause_len = 4 + plen;
  csctp_put16(hdr, CSCTP_PT_ERROR_IND);
  csctp_put16(hdr + 2, (uint16_t)(8 + CSCTP_PAD4(cause_len)));
  csctp_put32(hdr + 4, corr);
  if (csctp_put_bytes(&r->b, hdr, 8) != 0)
    return;
  uint8_t tlv[4];
  csctp_put16(tlv, p->type);
  csctp_put16(tlv + 2, p->length);
  uint8_t body[CSCTP_ASCONF_MAX_CHUNK];
  if (plen > sizeof(body)) {
    r->b.len = save;
    return;
  }
  if (plen) {
    memcpy(body, tlv, 4);
    memcpy(body + 4, p->value, p->value_len);
  }
  if (csctp_put_cause(&r->b, code, body, plen) != 0)
    r->b.len = save;
}

/* Decodes a request parameter's correlation id and address (4.2.1). */
static int asconf_req_decode(const csctp_tlv *p, uint32_t *corr,
                             csctp_addr *addr) {
  if (p->value_len < 4)
    return CSCTP_ERR_MALFORMED;
  *corr = csctp_get32(p->value);
  csctp_tlv_iter it;
  csctp_tlv ap;
  csctp_tlv_iter_init(&it, p->value + 4, p->value_len - 4);
  if (csctp_param_next(&it, &ap) != 1)
    return CSCTP_ERR_MALFORMED;
  return csctp_addr_param_decode(&ap, addr);
}

/* An address the peer adds (again) is no longer a deleted one. */
static void asconf_forget_peer_gone(csctp_asconf_state *st,
                                    const csctp_addr *x) {
  for (int i = 0; i < st->npeer_gone; i++)
    if (csctp_addr_equal(&st->peer_gone[i], x)) {
      st->npeer_gone--;
      memmove(&st->peer_gone[i], &st->peer_gone[i + 1],
              (size_t)(st->npeer_gone - i) * sizeof(st->peer_gone[0]));
      memmove(&st->peer_gone_until[i], &st->peer_gone_until[i + 1],
              (size_t)(st->npeer_gone - i) * sizeof(st->peer_gone_until[0]));
      return;
    }
}

int csctp_asconf_peer_gone(const csctp_assoc *a, const csctp_addr *src,
                           csctp_tstamp now) {
  const csctp_asconf_state *st = a->asconf.st;
  if (!st || !src || csctp_assoc_find_path(a, src) >= 0)
    return 0;
  for (int i = 0; i < st->npeer_gone; i++)
    if (csctp_addr_equal(&st->peer_gone[i], src))
      return now >= st->peer_gone_until[i];
  return 0;
}

/* 4.2.1: Add IP; the wildcard adds the packet's source. */
static uint16_t asconf_do_add(csctp_assoc *a, const csctp_addr *req,
                              const csctp_addr *src, csctp_tstamp now) {
  csctp_addr addr = asconf_is_wildcard(req) ? *src : *req;
  addr.port = src->port; /* RFC 6951 5.4: the peer's encapsulation port */
  if (addr.family != src->family)
    return CSCTP_CAUSE_RESOURCE_SHORTAGE; /* no route between families */
  if (csctp_assoc_find_path(a, &addr) >= 0)
    return 0; /* already part of the association */
  uint8_t before = a->npaths;
  if (csctp_assoc_add_path(a, &addr, now) != 0 || a->npaths == before)
    return CSCTP_CAUSE_RESOURCE_SHORTAGE; /* F9 */
  csctp_path *p = &a->paths[a->npaths - 1];
  /* F14: unconfirmed until a HEARTBEAT verifies it (RFC 9260 5.4). */
  p->state = CSCTP_PATH_UNCONFIRMED;
  p->hb_send_now = 1;
  p->hb_due = now + p->rto;
  if (a->asconf.st)
    asconf_forget_peer_gone(a->asconf.st, &addr);
  asconf_event(a, &p->addr, CSCTP_PATH_ADDED);
  return 0;
}

/* 5.3: a late packet from a deleted address may be taken for at most 2
 * RTO of its path; F13: out of the blue after that. */
static void asconf_note_peer_gone(csctp_asconf_state *st, const csctp_path *p,
                                  csctp_tstamp now) {
  asconf_forget_peer_gone(st, &p->addr);
  if (st->npeer_gone == CSCTP_ASCONF_MAX_REQS) {
    memmove(&st->peer_gone[0], &st->peer_gone[1],
            (CSCTP_ASCONF_MAX_REQS - 1) * sizeof(st->peer_gone[0]));
    memmove(&st->peer_gone_until[0], &st->peer_gone_until[1],
            (CSCTP_ASCONF_MAX_REQS - 1) * sizeof(st->peer_gone_until[0]));
    st->npeer_gone--;
  }
  st->peer_gone[st->npeer_gone] = p->addr;
  st->peer_gone_until[st->npeer_gone++] = now + 2 * p->rto;
}

static void asconf_delete_one(csctp_assoc *a, int pi, csctp_tstamp now) {
  csctp_addr gone = a->paths[pi].addr;
  if (a->asconf.st)
    asconf_note_peer_gone(a->asconf.st, &a->paths[pi], now);
  csctp_asconf_remove_path(a, (uint8_t)pi);
  asconf_event(a, &gone, CSCTP_PATH_REMOVED);
}

/* 4.2.2: Delete IP; the wildcard deletes all but the source. F7 before F8
 * (F8: "unless Rule F5 has also been violated"). */
static uint16_t asconf_do_delete(csctp_assoc *a, const csctp_addr *req,
                                 const csctp_addr *src, csctp_tstamp now) {
  if (asconf_is_wildcard(req)) {
    int keep = csctp_assoc_find_path(a, src);
    if (keep < 0)
      return CSCTP_CAUSE_DEL_LAST_ADDR; /* nothing would be left */
    for (int i = a->npaths - 1; i >= 0; i--)
      if (!csctp_addr_equal(&a->paths[i].addr, src))
        asconf_delete_one(a, i, now);
    return 0;
  }
  int pi = csctp_assoc_find_path(a, req);
  if (pi >= 0 && a->npaths == 1)
    return CSCTP_CAUSE_DEL_LAST_ADDR; /* F7 */
  if (csctp_addr_equal(req, src))
    return CSCTP_CAUSE_DEL_SOURCE_ADDR; /* F8 */
  if (pi < 0)
    return 0; /* not part of the association: nothing to do */
  asconf_delete_one(a, pi, now);
  return 0;
}

/* 5.4: Set Primary; an unknown address leaves the primary alone. */
static void asconf_do_set_primary(csctp_assoc *a, const csctp_addr *req,
                                  const csctp_addr *src) {
  const csctp_addr *x = asconf_is_wildcard(req) ? src : req;
  int pi = csctp_assoc_find_path(a, x);
  if (pi < 0 || pi == a->primary)
    return;
  a->primary = (uint8_t)pi;
  asconf_event(a, &a->paths[pi].addr, CSCTP_PATH_MADE_PRIMARY);
}

/* V1-V3: one request parameter. */
static void asconf_process_param(csctp_assoc *a, asconf_resp *r,
                                 const csctp_tlv *p, const csctp_addr *src,
                                 csctp_tstamp now) {
  uint32_t corr = 0;
  csctp_addr addr;
  int known = p->type == CSCTP_PT_ADD_IP || p->type == CSCTP_PT_DEL_IP ||
              p->type == CSCTP_PT_SET_PRIMARY;
  if (!known) {
    /* V2: by the parameter type's upper bits (RFC 9260 3.2.1). */
    if (p->type & 0x4000)
      asconf_put_error(r, p, p->value_len >= 4 ? csctp_get32(p->value) : 0,
                       CSCTP_CAUSE_UNRECOGNIZED_PARAMS);
    return;
  }
  if (asconf_req_decode(p, &corr, &addr) != 0) {
    asconf_put_error(r, p, corr, CSCTP_CAUSE_INVALID_PARAM);
    return;
  }
  uint16_t cause = 0;
  if (p->type == CSCTP_PT_SET_PRIMARY) {
    asconf_do_set_primary(a, &addr, src);
    return;
  }
  if (r->failing) /* F11 */
    cause = CSCTP_CAUSE_RESOURCE_SHORTAGE;
  else if (p->type == CSCTP_PT_ADD_IP)
    cause = asconf_do_add(a, &addr, src, now);
  else
    cause = asconf_do_delete(a, &addr, src, now);
  if (cause == CSCTP_CAUSE_RESOURCE_SHORTAGE)
    r->failing = 1;
  if (cause)
    asconf_put_error(r, p, corr, cause);
}

/* A new slot at the end of the ASCONF-ACK cache, the oldest dropped when
 * it is full. */
static csctp_asconf_ack *asconf_ack_slot(csctp_asconf_state *st) {
  if (st->nacks == CSCTP_ASCONF_ACK_CACHE) {
    memmove(&st->acks[0], &st->acks[1],
            (CSCTP_ASCONF_ACK_CACHE - 1) * sizeof(st->acks[0]));
    st->nacks--;
  }
  return &st->acks[st->nacks++];
}

/* E4: process the expected ASCONF and cache its ASCONF-ACK. */
static void asconf_process(csctp_assoc *a, csctp_asconf_state *st,
                           const csctp_tlv *c, const csctp_addr *src,
                           csctp_tstamp now) {
  uint32_t sn = csctp_get32(c->value);
  csctp_asconf_ack *k = asconf_ack_slot(st);
  k->sn = sn;
  asconf_resp r;
  memset(&r, 0, sizeof(r));
  csctp_buf_init(&r.b, k->v, sizeof(k->v));
  uint8_t snb[4];
  csctp_put32(snb, sn);
  csctp_put_bytes(&r.b, snb, 4);
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, c->value + 4, c->value_len - 4);
  int n = 0;
  while (!a->dead && csctp_param_next(&it, &p) == 1) {
    if (n++ == 0) /* the Address Parameter (4.1.1): lookup only */
      continue;
    asconf_process_param(a, &r, &p, src, now); /* V1: in order */
  }
  k->len = r.b.len;
  k->pending = 1;   /* V4: answered with this packet's response */
  st->peer_sn = sn; /* V5 */
}

/* E2: the cached ASCONF-ACK for sn goes into the response again; an older
 * ASCONF with none cached gets no answer. Returns 1 when one is found. */
static int asconf_resend_cached(csctp_asconf_state *st, uint32_t sn) {
  for (int i = 0; i < st->nacks; i++)
    if (st->acks[i].sn == sn) {
      st->acks[i].pending = 1;
      return 1;
    }
  return 0;
}

/* E1: the cached ASCONF-ACKs are dropped, but for those still to be sent
 * (an earlier packet's answer not out yet). */
static void asconf_clean_cache(csctp_asconf_state *st) {
  uint8_t n = 0;
  for (uint8_t i = 0; i < st->nacks; i++)
    if (st->acks[i].pending) {
      if (n != i)
        st->acks[n] = st->acks[i];
      n++;
    }
  st->nacks = n;
}

/* An ASCONF: E1-E6. first: the first ASCONF chunk of its packet. */
static void asconf_on_asconf(csctp_assoc *a, const csctp_tlv *c,
                             const csctp_addr *src, int first,
                             csctp_tstamp now) {
  if (c->value_len < 4 + 8)
    return; /* no room for the mandatory Address Parameter */
  uint32_t sn = csctp_get32(c->value);
  csctp_asconf_state *st = csctp_asconf_get(a);
  if (!st)
    return; /* as if lost: the peer retransmits */
  if (sn == st->peer_sn + 1) {
    /* E1: the first one in the packet may clean the cache up to
     * Peer-Sequence-Number; E1-ext: a later one keeps it. */
    if (first)
      asconf_clean_cache(st);
    asconf_process(a, st, c, src, now); /* E4 */
  } else if ((int32_t)(sn - (st->peer_sn + 1)) < 0) {
    if (!asconf_resend_cached(st, sn)) /* E2, E3 */
      return;
  } else {
    return; /* E5: stale or forged */
  }
  st->send_ack = 1;
  /* E6: to the source of the packet that held the ASCONF. */
  int pi = csctp_assoc_find_path(a, src);
  st->ack_path = pi >= 0 ? (uint8_t)pi : a->primary;
}

/* ---- Sender (RFC 5061 5.1) --------------------------------------------- */

/* The Address Parameter of our ASCONF (4.1.1): where the peer reaches us
 * unless this ASCONF deletes it (5.3.2), else the wildcard. */
static void asconf_own_addr(const csctp_assoc *a, const csctp_asconf_req *reqs,
                            size_t n, uint8_t pi, csctp_addr *out) {
  const csctp_path *p = &a->paths[pi];
  csctp_addr x = p->local;
  if (!x.family && a->ep->nladdrs > 0)
    x = a->ep->laddrs[0];
  for (size_t i = 0; x.family && i < n; i++)
    if (reqs[i].type == CSCTP_PT_DEL_IP && csctp_addr_equal(&reqs[i].addr, &x))
      x.family = 0;
  if (!x.family) {
    memset(&x, 0, sizeof(x));
    x.family = p->addr.family;
  }
  *out = x;
}

static int asconf_in(const csctp_addr *list, size_t n, const csctp_addr *x) {
  for (size_t i = 0; i < n; i++)
    if (csctp_addr_equal(&list[i], x))
      return 1;
  return 0;
}

static void asconf_list_add(csctp_addr *list, uint8_t *n, const csctp_addr *x) {
  if (asconf_in(list, *n, x))
    return;
  if (*n == CSCTP_ASCONF_MAX_REQS) /* forget the oldest */
    memmove(&list[0], &list[1], (size_t)--(*n) * sizeof(list[0]));
  list[(*n)++] = *x;
}

static void asconf_list_del(csctp_addr *list, uint8_t *n, const csctp_addr *x) {
  for (uint8_t i = 0; i < *n; i++)
    if (csctp_addr_equal(&list[i], x)) {
      memmove(&list[i], &list[i + 1], (size_t)(*n - i - 1) * sizeof(list[0]));
      (*n)--;
      return;
    }
}

/* A source for packets of a in family fam that is not deleted: one the
 * peer accepted by ASCONF (F2), else one of the endpoint's. */
static int asconf_pick_source(const csctp_assoc *a,
                              const csctp_asconf_state *st, uint8_t fam,
                              csctp_addr *out) {
  for (int i = st->nadded; i-- > 0;)
    if (st->added[i].family == fam &&
        !asconf_in(st->gone, st->ngone, &st->added[i])) {
      *out = st->added[i];
      return 1;
    }
  for (size_t i = 0; i < a->ep->nladdrs; i++)
    if (a->ep->laddrs[i].family == fam &&
        !asconf_in(st->gone, st->ngone, &a->ep->laddrs[i])) {
      *out = a->ep->laddrs[i];
      return 1;
    }
  return 0;
}

/* F4, F6: an address we delete is no longer a source, not even of the
 * packet that carries the Delete. */
static void asconf_forget_local(csctp_assoc *a, csctp_asconf_state *st,
                                const csctp_addr *x) {
  asconf_list_add(st->gone, &st->ngone, x);
  asconf_list_del(st->added, &st->nadded, x);
  for (int i = 0; i < a->npaths; i++) {
    csctp_path *p = &a->paths[i];
    if (!p->local.family || !csctp_addr_equal(&p->local, x))
      continue;
    csctp_addr repl;
    if (asconf_pick_source(a, st, p->addr.family, &repl)) {
      repl.port = p->local.port;
      p->local = repl;
    } else {
      memset(&p->local, 0, sizeof(p->local));
    }
  }
}

/* A1-A4: build the next ASCONF from the queued requests. */
static void asconf_build(csctp_assoc *a, csctp_asconf_state *st,
                         csctp_tstamp now) {
  uint8_t pi = csctp_assoc_data_path(a);
  csctp_buf b;
  csctp_buf_init(&b, st->req, sizeof(st->req));
  uint8_t snb[4];
  csctp_put32(snb, st->next_sn++); /* A2 */
  csctp_put_bytes(&b, snb, 4);
  csctp_addr own;
  asconf_own_addr(a, st->queued, st->nqueued, pi, &own);
  csctp_put_addr_param(&b, &own);
  st->nsent = 0;
  for (uint8_t i = 0; i < st->nqueued; i++) {
    csctp_asconf_req *q = &st->queued[i];
    uint8_t v[4 + 20];
    csctp_buf vb;
    csctp_buf_init(&vb, v, sizeof(v));
    uint8_t cb[4];
    csctp_put32(cb, q->corr);
    csctp_put_bytes(&vb, cb, 4);
    csctp_put_addr_param(&vb, &q->addr);
    if (csctp_put_param(&b, q->type, v, vb.len) != 0)
      break;
    if (q->type == CSCTP_PT_DEL_IP)
      asconf_forget_local(a, st, &q->addr);
    st->sent[st->nsent++] = *q;
  }
  memmove(&st->queued[0], &st->queued[st->nsent],
          (size_t)(st->nqueued - st->nsent) * sizeof(st->queued[0]));
  st->nqueued = (uint8_t)(st->nqueued - st->nsent);
  st->req_len = b.len;
  st->outstanding = 1;
  st->send_req = 1;
  st->req_path = pi;
  st->t4 = now + a->paths[pi].rto; /* A4 */
}

int csctp_asconf_queue(csctp_assoc *a, uint16_t type, const csctp_addr *addr,
                       csctp_tstamp now) {
  if (!asconf_on(a) || ASCONF_FLAG(a, peer_unsup))
    return CSCTP_ERR_NOT_SUPPORTED;
  if (!asconf_state_ok(a))
    return CSCTP_ERR_STATE;
  csctp_asconf_state *st = csctp_asconf_get(a);
  if (!st)
    return CSCTP_ERR_NOMEM;
  if (st->nqueued >= CSCTP_ASCONF_MAX_REQS)
    return CSCTP_ERR_AGAIN;
  csctp_asconf_req *q = &st->queued[st->nqueued++];
  q->type = type;
  q->corr = ++st->next_corr; /* A1: unique per request */
  q->addr = *addr;
  q->addr.port = 0;
  if (!st->outstanding) /* A3; else C1: wait for the ASCONF-ACK */
    asconf_build(a, st, now);
  csctp_ep_touch(a);
  return 0;
}

/* The peer's answer to one of our requests. */
static void asconf_result(csctp_assoc *a, const csctp_asconf_req *q, int ok,
                          uint16_t cause) {
  if (!ok) {
    CSCTP_LOG(a->ep, "asconf: request 0x%04x refused, cause 0x%04x", q->type,
              cause);
    if (cause == CSCTP_CAUSE_UNRECOGNIZED_PARAMS) {
      if (q->type == CSCTP_PT_SET_PRIMARY)
        a->asconf.st->no_setprim = 1; /* F3b */
      else
        a->asconf.st->no_addel = 1; /* F3a */
    }
    return;
  }
  if (q->type == CSCTP_PT_ADD_IP && !asconf_is_wildcard(&q->addr)) {
    /* F2: the added address may now be a source. */
    csctp_asconf_state *st = a->asconf.st;
    asconf_list_add(st->added, &st->nadded, &q->addr);
    asconf_list_del(st->gone, &st->ngone, &q->addr);
  }
}

/* The cause code inside an Error Cause Indication, 0 if none. */
static uint16_t asconf_first_cause(const csctp_tlv *p) {
  if (p->value_len < 8)
    return 0;
  return csctp_get16(p->value + 4);
}

/* A5-A8: the ASCONF-ACK for our outstanding ASCONF. */
static void asconf_on_our_ack(csctp_assoc *a, csctp_asconf_state *st,
                              const csctp_tlv *c) {
  uint8_t done[CSCTP_ASCONF_MAX_REQS] = {0};
  int failed_at = -1;
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, c->value + 4, c->value_len - 4);
  while (csctp_param_next(&it, &p) == 1) {
    if (p.value_len < 4)
      continue;
    uint32_t corr = csctp_get32(p.value);
    for (int i = 0; i < st->nsent; i++) {
      if (st->sent[i].corr != corr || done[i])
        continue;
      done[i] = 1;
      int ok = p.type == CSCTP_PT_SUCCESS_IND;
      if (!ok && (failed_at < 0 || i < failed_at))
        failed_at = i;
      asconf_result(a, &st->sent[i], ok, ok ? 0 : asconf_first_cause(&p));
    }
  }
  /* A7, A8: silent ones before a failure succeeded, after it failed. */
  for (int i = 0; i < st->nsent; i++)
    if (!done[i])
      asconf_result(a, &st->sent[i], failed_at < 0 || i < failed_at, 0);
  st->nsent = 0;
  st->outstanding = 0;
  st->send_req = 0;
  st->t4 = CSCTP_TSTAMP_NEVER; /* A5 */
  a->error_count = 0;
  csctp_assoc_path_ok(a, st->req_path);
}

static int asconf_on_ack(csctp_assoc *a, const csctp_tlv *c, csctp_tstamp now) {
  if (c->value_len < 4)
    return 0;
  uint32_t sn = csctp_get32(c->value);
  csctp_asconf_state *st = csctp_asconf_get(a);
  if (!st)
    return 0;                      /* as if lost */
  uint32_t last = st->next_sn - 1; /* the sequence number last sent */
  if (st->outstanding && sn == last) {
    asconf_on_our_ack(a, st, c);
    if (st->nqueued > 0 && asconf_state_ok(a))
      asconf_build(a, st, now); /* C1: the next one */
    return 0;
  }
  if (!asconf_sn_gt(sn, last))
    return 0; /* 4.3.4: older ones (or a duplicate) are silently ignored */
  /* F0, 4.3.4: it acknowledges what we never sent. */
  csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_ILLEGAL_ASCONF_ACK,
                    NULL, 0);
  return 1;
}

int csctp_asconf_on_chunk(csctp_assoc *a, const csctp_tlv *c, int authed,
                          const csctp_addr *src, uint8_t path, int first,
                          csctp_tstamp now) {
  (void)path;
  /* 4.1.1, 4.1.2, 5.2 D5: only ever accepted authenticated. */
  if (!authed)
    return 1;
  if (c->type == CSCTP_CT_ASCONF) {
    asconf_on_asconf(a, c, src, first, now);
    return 0;
  }
  return asconf_on_ack(a, c, now);
}

void csctp_asconf_on_unrecognized(csctp_assoc *a, uint8_t type) {
  if (type != CSCTP_CT_ASCONF)
    return;
  /* A9: no further ASCONF, the T-4 timer stops. */
  if (a->asconf.st) {
    a->asconf.st->peer_unsup = 1;
    a->asconf.st->outstanding = a->asconf.st->send_req = 0;
    a->asconf.st->nqueued = 0;
    a->asconf.st->t4 = CSCTP_TSTAMP_NEVER;
  }
}

int csctp_asconf_ignore_abort(const csctp_assoc *a, const csctp_addr *dst) {
  const csctp_asconf_state *st = a->asconf.st;
  if (!st || !st->outstanding || !dst || !dst->family)
    return 0;
  for (int i = 0; i < st->nsent; i++)
    if (st->sent[i].type == CSCTP_PT_DEL_IP &&
        csctp_addr_equal(&st->sent[i].addr, dst))
      return 1;
  return 0;
}

int csctp_asconf_local_gone(const csctp_assoc *a, const csctp_addr *x) {
  const csctp_asconf_state *st = a->asconf.st;
  return st && x && x->family && asconf_in(st->gone, st->ngone, x);
}

/* ---- Output and the T-4 timer ----------------------------------------- */

int csctp_asconf_want_path(const csctp_assoc *a) {
  const csctp_asconf_state *st = a->asconf.st;
  if (!st || !asconf_state_ok(a))
    return -1;
  if (st->send_ack && st->ack_path < a->npaths)
    return st->ack_path;
  if (st->send_req && st->req_path < a->npaths)
    return st->req_path;
  return -1;
}

static void asconf_put_acks(csctp_asconf_state *st, csctp_buf *b) {
  for (int i = 0; i < st->nacks; i++) {
    csctp_asconf_ack *k = &st->acks[i];
    if (!k->pending)
      continue;
    if (csctp_put_raw_chunk(b, CSCTP_CT_ASCONF_ACK, 0, k->v, k->len) != 0)
      return;
    k->pending = 0;
  }
  st->send_ack = 0;
}

void csctp_asconf_put(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                      csctp_tstamp now) {
  (void)now;
  csctp_asconf_state *st = a->asconf.st;
  if (!st || !asconf_state_ok(a))
    return;
  /* C3, E6: the ASCONF-ACKs go where the ASCONFs came from, together and
   * in sequence order (V4, 5.5 rule 2); E7: those that do not fit wait. */
  if (st->send_ack && st->ack_path == pi)
    asconf_put_acks(st, b);
  if (st->send_req && st->req_path == pi &&
      csctp_put_raw_chunk(b, CSCTP_CT_ASCONF, 0, st->req, st->req_len) == 0)
    st->send_req = 0;
}

csctp_tstamp csctp_asconf_expiry(const csctp_assoc *a) {
  const csctp_asconf_state *st = a->asconf.st;
  return st && st->outstanding ? st->t4 : CSCTP_TSTAMP_NEVER;
}

/* The next path for a retransmission (B4, RFC 9260 6.4.1): another active
 * one when there is one. */
static uint8_t asconf_alt_path(const csctp_assoc *a, uint8_t last) {
  for (uint8_t k = 1; k < a->npaths; k++) {
    uint8_t i = (uint8_t)((last + k) % a->npaths);
    if (a->paths[i].state == CSCTP_PATH_ACTIVE)
      return i;
  }
  return last < a->npaths ? last : a->primary;
}

void csctp_asconf_on_timer(csctp_assoc *a, csctp_tstamp now) {
  csctp_asconf_state *st = a->asconf.st;
  if (!st || !st->outstanding || st->t4 > now)
    return;
  uint8_t pi = st->req_path < a->npaths ? st->req_path : a->primary;
  /* B1, B2: error counters and failure detection (RFC 9260 8.1, 8.2). */
  csctp_assoc_path_error(a, pi, now);
  if (a->dead)
    return;
  csctp_path_backoff(&a->paths[pi], &a->s); /* B3 */
  /* B4: the same chunk, to an alternate address if possible. */
  st->req_path = asconf_alt_path(a, pi);
  st->send_req = 1;
  st->t4 = now + a->paths[st->req_path].rto; /* B5 */
}

/* ---- Public calls (csctp.h) -------------------------------------------- */

static csctp_assoc *asconf_find(csctp_endpoint *ep, csctp_assoc_id id,
                                const csctp_addr *addr, int *rv) {
  *rv = CSCTP_ERR_INVAL;
  if (!ep || !addr ||
      (addr->family != CSCTP_AF_INET && addr->family != CSCTP_AF_INET6))
    return NULL;
  csctp_assoc *a = csctp_ep_find(ep, id);
  *rv = a ? 0 : CSCTP_ERR_NOT_FOUND;
  return a;
}

int csctp_asconf_add_addr(csctp_endpoint *ep, csctp_assoc_id id,
                          const csctp_addr *addr, csctp_tstamp now) {
  int rv;
  csctp_assoc *a = asconf_find(ep, id, addr, &rv);
  if (!a)
    return rv;
  if (ASCONF_FLAG(a, no_addel)) /* F3a */
    return CSCTP_ERR_NOT_SUPPORTED;
  return csctp_asconf_queue(a, CSCTP_PT_ADD_IP, addr, now);
}

/* F5: how many addresses the association has on our side: the endpoint's
 * and those added by ASCONF (acknowledged, F2, or queued / sent) less
 * those deleted (gone from the Delete's sending on) or queued for
 * deletion; *listed: x is one of them. */
static int asconf_count_ours(const csctp_assoc *a, const csctp_addr *x,
                             int *listed) {
  const csctp_asconf_state *st = a->asconf.st;
  const csctp_addr *gone = st ? st->gone : NULL;
  int ngone = st ? st->ngone : 0, n = 0;
  for (size_t i = 0; i < a->ep->nladdrs; i++)
    if (!asconf_in(gone, (size_t)ngone, &a->ep->laddrs[i])) {
      n++;
      *listed |= csctp_addr_equal(&a->ep->laddrs[i], x);
    }
  for (int i = 0; st && i < st->nadded; i++)
    if (!asconf_in(a->ep->laddrs, a->ep->nladdrs, &st->added[i]) &&
        !asconf_in(gone, (size_t)ngone, &st->added[i])) {
      n++;
      *listed |= csctp_addr_equal(&st->added[i], x);
    }
  for (int k = 0; st && k < 2; k++) {
    const csctp_asconf_req *r = k ? st->sent : st->queued;
    int nr = k ? st->nsent : st->nqueued;
    for (int i = 0; i < nr; i++) {
      if (r[i].type == CSCTP_PT_ADD_IP) {
        n++;
        *listed |= csctp_addr_equal(&r[i].addr, x);
      } else if (r[i].type == CSCTP_PT_DEL_IP && !k) {
        n--; /* a sent one is in gone already (F4) */
      }
    }
  }
  return n;
}

int csctp_asconf_del_addr(csctp_endpoint *ep, csctp_assoc_id id,
                          const csctp_addr *addr, csctp_tstamp now) {
  int rv;
  csctp_assoc *a = asconf_find(ep, id, addr, &rv);
  if (!a)
    return rv;
  if (ASCONF_FLAG(a, no_addel)) /* F3a */
    return CSCTP_ERR_NOT_SUPPORTED;
  if (asconf_is_wildcard(addr))
    return CSCTP_ERR_ADDR;
  /* F5: never our last address. */
  int listed = 0;
  if (asconf_count_ours(a, addr, &listed) < 2 && listed)
    return CSCTP_ERR_ADDR;
  return csctp_asconf_queue(a, CSCTP_PT_DEL_IP, addr, now);
}

int csctp_asconf_set_peer_primary(csctp_endpoint *ep, csctp_assoc_id id,
                                  const csctp_addr *addr, csctp_tstamp now) {
  int rv;
  csctp_assoc *a = asconf_find(ep, id, addr, &rv);
  if (!a)
    return rv;
  if (ASCONF_FLAG(a, no_setprim)) /* F3b */
    return CSCTP_ERR_NOT_SUPPORTED;
  return csctp_asconf_queue(a, CSCTP_PT_SET_PRIMARY, addr, now);
}

int csctp_asconf_active(const csctp_assoc *a) {
  return asconf_on(a) && !ASCONF_FLAG(a, peer_unsup);
}

int csctp_asconf_enabled(const csctp_endpoint *ep, csctp_assoc_id id) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  return csctp_asconf_active(a);
}
