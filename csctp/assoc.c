/* assoc.c -- association life: setup (RFC 9260 5), the control chunks
 * (heartbeat 8.3, ERROR, ABORT 9.1, SHUTDOWN 9.2), timers, path and
 * association failure (8.1, 8.2), events, and the public per-association
 * calls. DATA and SACK live in assoc_data.c, packet building in
 * assoc_output.c. */
#include "config.h"

#include "engine.h"
#include "eor.h"

#include "mem.h"
#include "pacer.h"
#include "pacing.h"
#include "tsn.h"

#include <string.h>

/* ---- Creation and destruction ------------------------------------------ */

csctp_assoc *csctp_assoc_new(csctp_endpoint *ep, const csctp_settings *s) {
  if (ep->nassocs >= ep->settings.max_assocs)
    return NULL;
  csctp_assoc *a = csctp_calloc(&ep->mem, 1, sizeof(*a));
  if (!a)
    return NULL;
  a->ep = ep;
  a->s = *s;
  a->frag_interleave = ep->frag_interleave;
  a->id = ep->next_id++;
  if (ep->next_id == 0)
    ep->next_id = 1;
  a->state = CSCTP_STATE_CLOSED;
  a->t1 = a->t2 = a->t5 = a->sack_timer = CSCTP_TSTAMP_NEVER;
  a->sack_avoid = -1;
  csctp_recovery_init(&a->rec);
  csctp_prsctp_init(&a->pr);
  csctp_reconf_init(a);
  a->sched_type = (uint8_t)s->stream_scheduler; /* RFC 8260 3 */
  if (csctp_ep_index_add(a) != 0) {
    csctp_free(&ep->mem, a);
    return NULL;
  }
  a->prev = ep->assocs_tail;
  if (ep->assocs_tail)
    ep->assocs_tail->next = a;
  else
    ep->assocs = a;
  ep->assocs_tail = a;
  ep->nassocs++;
  return a;
}

static void assoc_free_rx(csctp_assoc *a) {
  csctp_ep_ready_drop(a);
  csctp_idata_free(a);
  if (a->rx_ready) {
    csctp_tsnmap_free(&a->tsn);
    csctp_reasm_free(&a->rx);
    a->rx_ready = 0;
  }
}

void csctp_assoc_free(csctp_assoc *a) {
  csctp_endpoint *ep = a->ep;
  csctp_ep_index_remove(a);
  if (a->prev)
    a->prev->next = a->next;
  else
    ep->assocs = a->next;
  if (a->next)
    a->next->prev = a->prev;
  else
    ep->assocs_tail = a->prev;
  ep->nassocs--;
  csctp_sendq_free(&a->sq);
  csctp_eor_free(a);
  csctp_prsctp_free(a);
  csctp_reconf_free(a);
  csctp_asconf_free(a);
  assoc_free_rx(a);
  csctp_ilv_free(a);
  for (int i = 0; i < a->nerrors; i++)
    csctp_free(&ep->mem, a->errors[i].value);
  csctp_free(&ep->mem, a->init_chunk);
  csctp_free(&ep->mem, a->cookie);
  csctp_free(&ep->mem, a->hb_ack_info);
  csctp_free(&ep->mem, a->paths);
  csctp_auth_assoc_free(a);
  csctp_free(&ep->mem, a);
}

int csctp_assoc_find_path(const csctp_assoc *a, const csctp_addr *addr) {
  for (int i = 0; i < a->npaths; i++)
    if (csctp_addr_equal(&a->paths[i].addr, addr))
      return i;
  return -1;
}

static csctp_tstamp assoc_hb_jitter(csctp_assoc *a) {
  /* 8.3: RTO + HB.interval with jitter of +/- 50% of the RTO. */
  uint8_t b[2];
  csctp_ep_random(a->ep, b, 2);
  return (csctp_tstamp)csctp_get16(b) * CSCTP_MILLISECONDS / 65536;
}

static void assoc_schedule_hb(csctp_assoc *a, csctp_path *p, csctp_tstamp now) {
  if (a->s.hb_interval == 0) {
    p->hb_due = CSCTP_TSTAMP_NEVER;
    return;
  }
  if (p->error_count > 0 || p->state != CSCTP_PATH_ACTIVE) {
    p->hb_due = now + p->rto; /* probe a suspect path at RTO pace */
    return;
  }
  csctp_tstamp rto = p->rto;
  csctp_tstamp j = rto / 2 + (rto * (assoc_hb_jitter(a) % 1000000)) / 1000000;
  p->hb_due = now + j + a->s.hb_interval;
}

int csctp_assoc_add_path(csctp_assoc *a, const csctp_addr *addr,
                         csctp_tstamp now) {
  if (addr->family != CSCTP_AF_INET && addr->family != CSCTP_AF_INET6 &&
      addr->family != CSCTP_AF_CONN)
    return CSCTP_ERR_ADDR;
  if (a->npaths >= CSCTP_MAX_PATHS || a->npaths >= a->s.max_init_addrs)
    return 0; /* extra addresses are ignored (resource limit) */
  if (a->npaths == a->paths_cap) {
    uint8_t cap = a->paths_cap ? (uint8_t)(a->paths_cap * 2) : 1;
    if (cap > CSCTP_MAX_PATHS)
      cap = CSCTP_MAX_PATHS;
    csctp_path *np =
        csctp_realloc(&a->ep->mem, a->paths, cap * sizeof(*a->paths));
    if (!np)
      return CSCTP_ERR_NOMEM;
    a->paths = np;
    a->paths_cap = cap;
  }
  csctp_path_init(&a->paths[a->npaths], addr, &a->s, now);
  if (csctp_ep_index_path(a, a->npaths) != 0)
    return CSCTP_ERR_NOMEM;
  a->npaths++;
  return 0;
}

/* With AUTH offered, every packet keeps room for an AUTH chunk (RFC 4895
 * 6.2) so that a full DATA chunk still fits. */
static uint32_t assoc_frag_point(const csctp_assoc *a,
                                 const csctp_settings *s) {
  uint32_t mtu = s->pmtu;
  for (int i = 0; i < a->npaths; i++) /* RFC 9260 7.3 (2): the smallest */
    if (a->paths[i].mtu < mtu)
      mtu = a->paths[i].mtu;
  uint32_t fp = mtu - CSCTP_COMMON_HDR_LEN - CSCTP_DATA_HDR_LEN -
                csctp_auth_ep_overhead(a->ep);
  return fp & ~3u;
}

static void assoc_report_failed(const csctp_msg_out *m, void *ud);

int csctp_assoc_start(csctp_assoc *a, uint32_t peer_tsn, uint32_t peer_rwnd,
                      uint16_t ostreams, uint16_t istreams, csctp_tstamp now) {
  (void)now;
  const csctp_mem *mem = &a->ep->mem;
  if (!a->sq.mem) {
    int rv = csctp_sendq_init(&a->sq, mem, ostreams, a->local_initial_tsn);
    if (rv != 0)
      return rv;
  } else if (ostreams < a->sq.nstreams) {
    /* Negotiated down (5.1.1): messages queued before the handshake on a
     * stream the peer does not allow would be discarded by it (6.5); they
     * fail here instead, unsent. */
    csctp_sendq_limit_streams(&a->sq, ostreams, assoc_report_failed, a);
  }
  assoc_free_rx(a);
  /* The TSN window: enough for rcvbuf of tiny chunks, at most 2^16. */
  uint32_t window = a->s.rcvbuf / 16;
  if (window < 1024)
    window = 1024;
  if (window > 65536)
    window = 65536;
  int rv = csctp_tsnmap_init(&a->tsn, mem, peer_tsn, window);
  if (rv != 0)
    return rv;
  rv = csctp_reasm_init(&a->rx, mem, istreams, a->s.rcvbuf / 2);
  if (rv != 0) {
    csctp_tsnmap_free(&a->tsn);
    return rv;
  }
  a->rx.pr_gaps = a->pr.on; /* RFC 3758: see reasm.h */
  if (a->frag_interleave == 2 &&
      (rv = csctp_reasm_set_interleave(&a->rx, 1)) != 0) {
    csctp_reasm_free(&a->rx);
    csctp_tsnmap_free(&a->tsn);
    return rv;
  }
  a->rx_ready = 1;
  /* RFC 6525 4.1: request sequence numbers start at the initial TSNs; a
   * request of the association before a restart is forgotten. */
  csctp_reconf_free(a);
  a->reconf.next_sn = a->local_initial_tsn;
  a->reconf.peer_sn = peer_tsn;
  a->peer_initial_tsn = peer_tsn;
  csctp_asconf_start(a); /* RFC 5061 5.1 A2 */
  a->ostreams = ostreams;
  a->istreams = istreams;
  a->peer_rwnd = peer_rwnd; /* 6.2.1 A */
  a->sq.chunk_overhead = a->s.peer_chunk_overhead < 65536u
                             ? a->s.peer_chunk_overhead
                             : 65536u; /* no overflow with a chunk's length */
  a->frag_point = assoc_frag_point(a, &a->s);
  a->last_rwnd = a->s.rcvbuf;
  return 0;
}

/* ---- Events ------------------------------------------------------------ */

static void assoc_event(csctp_assoc *a, csctp_event *ev) {
  ev->assoc_id = a->id;
  csctp_ep_push_event(a->ep, ev);
}

static void assoc_event_up(csctp_assoc *a, uint32_t type) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = type;
  ev.u.up.outbound_streams = a->ostreams;
  ev.u.up.inbound_streams = a->istreams;
  ev.u.up.peer_port = a->peer_port;
  ev.u.up.peer = a->paths[a->primary].addr;
  assoc_event(a, &ev);
}

static void assoc_event_paddr(csctp_assoc *a, uint8_t path) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_PEER_ADDR_CHANGE;
  ev.u.paddr.addr = a->paths[path].addr;
  ev.u.paddr.state = a->paths[path].state;
  assoc_event(a, &ev);
}

void csctp_assoc_event_pd_aborted(csctp_assoc *a, uint16_t sid, uint32_t seq,
                                  int unordered) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_PARTIAL_DELIVERY;
  ev.u.pdapi.indication = CSCTP_PARTIAL_DELIVERY_ABORTED;
  ev.u.pdapi.stream = sid;
  ev.u.pdapi.flags = unordered ? CSCTP_RCV_UNORDERED : 0;
  ev.u.pdapi.seq = seq;
  assoc_event(a, &ev); /* lost only without memory */
}

/* One SEND_FAILED event (11.2.2) with a copy of the message. */
static void assoc_report_failed(const csctp_msg_out *m, void *ud) {
  csctp_assoc_report_failed(ud, m, 0);
}

void csctp_assoc_report_failed(csctp_assoc *a, const csctp_msg_out *m,
                               int abandoned) {
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = CSCTP_EV_SEND_FAILED;
  ev.u.send_failed.info = m->info;
  ev.u.send_failed.info.assoc_id = a->id;
  ev.u.send_failed.was_sent = m->sent;
  ev.u.send_failed.abandoned = (uint32_t)abandoned;
  ev.u.send_failed.data = csctp_malloc(&a->ep->mem, m->len);
  if (ev.u.send_failed.data) {
    memcpy(ev.u.send_failed.data, m->data, m->len);
    ev.u.send_failed.len = m->len;
  }
  ev.assoc_id = a->id;
  if (csctp_ep_push_event(a->ep, &ev) != 0)
    csctp_event_clear(a->ep, &ev);
}

/* Report every message that was not fully acknowledged (11.2.2). */
static void assoc_fail_messages(csctp_assoc *a) {
  if (!a->sq.mem)
    return;
  const csctp_msg_out *m;
  while ((m = csctp_sendq_next_failed(&a->sq)) != NULL)
    assoc_report_failed(m, a);
}

void csctp_assoc_end(csctp_assoc *a, uint32_t ev_type, uint32_t reason,
                     uint16_t cause, int err) {
  if (a->dead)
    return;
  CSCTP_LOG(a->ep, "assoc %u end type=%u reason=%u cause=%u", a->id, ev_type,
            reason, cause);
  a->dead = 1;
  a->state = CSCTP_STATE_CLOSED;
  a->end_error = err;
  a->t1 = a->t2 = a->t5 = a->sack_timer = CSCTP_TSTAMP_NEVER;
  for (int i = 0; i < a->npaths; i++)
    a->paths[i].t3 = a->paths[i].hb_due = CSCTP_TSTAMP_NEVER;
  assoc_fail_messages(a);
  csctp_sendq_free(&a->sq);
  csctp_eor_free(a);
  csctp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = ev_type;
  if (ev_type == CSCTP_EV_ASSOC_LOST) {
    ev.u.lost.reason = reason;
    ev.u.lost.cause_code = cause;
  }
  assoc_event(a, &ev);
}

int csctp_assoc_reapable(const csctp_assoc *a) {
  return a->dead && !(a->rx_ready && csctp_reasm_has_ready(&a->rx));
}

static uint8_t assoc_primary_dst(const csctp_assoc *a) { return a->primary; }

/* The control packet queued at ctrl slot `queued` (if one was) leaves from
 * path pi's source, like the association's other packets: the peer may
 * treat one from an address we deleted as out of the blue (RFC 5061 F13,
 * F4). */
static void assoc_ctrl_source(csctp_assoc *a, size_t queued, uint8_t pi) {
  if (a->ep->ctrl_len <= queued || pi >= a->npaths)
    return;
  a->ep->ctrl[(a->ep->ctrl_head + queued) % CSCTP_CTRL_SLOTS].src =
      a->paths[pi].local;
}

void csctp_assoc_abort(csctp_assoc *a, uint32_t reason, uint16_t cause,
                       const void *value, size_t len) {
  if (a->dead)
    return;
  size_t queued = a->ep->ctrl_len;
  if (a->peer_tag != 0 && a->npaths > 0)
    csctp_ep_send_ctrl(a->ep, &a->paths[assoc_primary_dst(a)].addr,
                       a->peer_port, a->peer_tag, CSCTP_CT_ABORT, 0, cause,
                       value, len);
  if (a->npaths > 0)
    assoc_ctrl_source(a, queued, assoc_primary_dst(a));
  if (a->ep->ctrl_len > queued) { /* RFC 4895 6.2, if the peer asked */
    csctp_ctrl_slot *s =
        &a->ep->ctrl[(a->ep->ctrl_head + queued) % CSCTP_CTRL_SLOTS];
    csctp_auth_sign_ctrl(a, s->pkt, &s->len, sizeof(s->pkt));
  }
  int err =
      reason == CSCTP_LOST_TIMEOUT ? CSCTP_ERR_TIMEOUT : CSCTP_ERR_ABORTED;
  csctp_assoc_end(a, CSCTP_EV_ASSOC_LOST, reason, cause, err);
}

void csctp_assoc_queue_error(csctp_assoc *a, uint16_t code, const void *value,
                             size_t len) {
  /* Best effort: a cause that cannot fit one packet, or no memory, is
   * simply not reported. */
  size_t room = a->s.pmtu - CSCTP_COMMON_HDR_LEN - CSCTP_CHUNK_HDR_LEN - 4;
  if (a->nerrors >= CSCTP_MAX_PENDING_ERRORS || len > room)
    return;
  uint8_t *copy = NULL;
  if (len > 0) {
    copy = csctp_malloc(&a->ep->mem, len);
    if (!copy)
      return;
    memcpy(copy, value, len);
  }
  csctp_pending_error *e = &a->errors[a->nerrors++];
  e->code = code;
  e->len = (uint16_t)len;
  e->value = copy;
}

/* ---- Setup (5.1) ------------------------------------------------------- */

static csctp_tstamp assoc_t1_cap(const csctp_assoc *a) {
  return a->s.max_init_timeout ? a->s.max_init_timeout : a->s.rto_max;
}

static int assoc_build_init(csctp_assoc *a, uint32_t preservative_ms) {
  csctp_endpoint *ep = a->ep;
  uint8_t tmp[CSCTP_MAX_INIT_LEN]; /* kept at its length: many dials */
  csctp_init in;
  memset(&in, 0, sizeof(in));
  in.init_tag = a->local_tag;
  in.a_rwnd = a->s.rcvbuf;
  in.num_ostreams = a->s.num_ostreams;
  in.max_instreams = a->s.max_instreams;
  in.init_tsn = a->local_initial_tsn;
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, tmp, sizeof tmp);
  int rv = csctp_put_init_begin(&b, CSCTP_CT_INIT, &in, &off);
  /* RFC 8261 6.1: over a lower layer such as DTLS, no address parameters
   * and no Supported Address Types. */
  int conn = a->npaths > 0 && a->paths[0].addr.family == CSCTP_AF_CONN;
  for (size_t i = 0; rv == 0 && !conn && i < ep->nladdrs; i++)
    rv = csctp_put_addr_param(&b, &ep->laddrs[i]);
  if (rv == 0 && preservative_ms) {
    uint8_t v[4];
    csctp_put32(v, preservative_ms);
    rv = csctp_put_param(&b, CSCTP_PT_COOKIE_PRESERVATIVE, v, 4);
  }
  if (rv == 0) /* RFC 4895 6.1: RANDOM, CHUNKS, HMAC-ALGO */
    rv = csctp_auth_put_init(a, &b);
  if (rv == 0 && !conn) { /* 3.3.2.1.5: the families we accept */
    uint8_t types[4];
    csctp_put16(types, CSCTP_PT_IPV4);
    csctp_put16(types + 2, CSCTP_PT_IPV6);
    rv = csctp_put_param(&b, CSCTP_PT_SUPPORTED_ADDR_TYPES, types, 4);
  }
  if (rv == 0) /* RFC 3758 3.3.1 */
    rv = csctp_prsctp_put_init_params(&b, &a->s);
  if (rv == 0) /* RFC 5061 4.2.7: exactly the extensions that are on */
    rv = csctp_put_supported_ext(
        &b, a->s.pr_supported, csctp_auth_ep_enabled(ep), a->s.reconf_supported,
        a->s.interleaving_supported, csctp_asconf_ep_enabled(ep));
  if (rv == 0) /* RFC 9653 5.1 */
    rv = csctp_zcsum_put_param(&b, &a->s);
  if (rv == 0)
    rv = csctp_chunk_end(&b, off);
  if (rv != 0)
    return rv;
  uint8_t *c = csctp_realloc(&ep->mem, a->init_chunk, b.len);
  if (!c)
    return CSCTP_ERR_NOMEM; /* the INIT before, if any, stays */
  memcpy(c, tmp, b.len);
  a->init_chunk = c;
  a->init_len = b.len;
  return 0;
}

static int assoc_send_init(csctp_assoc *a, csctp_tstamp now) {
  int rv = assoc_build_init(a, 0);
  if (rv != 0)
    return rv;
  a->state = CSCTP_STATE_COOKIE_WAIT;
  a->init_retrans = 0;
  a->t1_rto =
      a->s.rto_initial < assoc_t1_cap(a) ? a->s.rto_initial : assoc_t1_cap(a);
  csctp_pacer_arm_init(a, now); /* at once, or at its turn (pacer.h) */
  return 0;
}

int csctp_connect(csctp_endpoint *ep, const csctp_addr *addrs, size_t naddrs,
                  uint16_t peer_port, const csctp_settings *settings,
                  csctp_tstamp now, csctp_assoc_id *id) {
  if (!ep || !addrs || naddrs == 0 || peer_port == 0)
    return CSCTP_ERR_INVAL;
  const csctp_settings *s = settings ? settings : &ep->settings;
  if (naddrs > s->max_init_addrs)
    return CSCTP_ERR_INVAL;
  for (size_t i = 0; i < naddrs; i++) {
    if (addrs[i].family != CSCTP_AF_INET && addrs[i].family != CSCTP_AF_INET6 &&
        addrs[i].family != CSCTP_AF_CONN)
      return CSCTP_ERR_ADDR;
    if (csctp_ep_find_peer(ep, &addrs[i], peer_port))
      return CSCTP_ERR_STATE;
  }
  if (ep->nassocs >= ep->settings.max_assocs)
    return CSCTP_ERR_LIMIT;
  csctp_assoc *a = csctp_assoc_new(ep, s);
  if (!a)
    return CSCTP_ERR_NOMEM;
  a->peer_port = peer_port;
  uint8_t b4[4];
  int rv = csctp_ep_index_tag(a, csctp_ep_random_tag(ep));
  if (rv == 0)
    rv = csctp_ep_random(ep, b4, 4);
  a->local_initial_tsn = csctp_get32(b4);
  for (size_t i = 0; rv == 0 && i < naddrs; i++)
    if (csctp_assoc_find_path(a, &addrs[i]) < 0)
      rv = csctp_assoc_add_path(a, &addrs[i], now);
  if (rv == 0) /* data may be queued before the handshake ends */
    rv = csctp_sendq_init(&a->sq, &ep->mem, s->num_ostreams,
                          a->local_initial_tsn);
  if (rv == 0)
    rv = assoc_send_init(a, now);
  if (rv != 0) {
    csctp_assoc_free(a);
    return rv;
  }
  a->ostreams = s->num_ostreams;
  a->frag_point = assoc_frag_point(a, s);
  a->peer_rwnd = s->pmtu; /* until the INIT ACK says more */
  *id = a->id;
  return 0;
}

void csctp_assoc_established(csctp_assoc *a, csctp_tstamp now) {
  a->state = CSCTP_STATE_ESTABLISHED;
  a->t1 = CSCTP_TSTAMP_NEVER;
  a->send_init = a->send_cookie_echo = 0;
  csctp_free(&a->ep->mem, a->init_chunk);
  a->init_chunk = NULL;
  a->error_count = 0;
  for (int i = 0; i < a->npaths; i++) {
    csctp_path *p = &a->paths[i];
    if (p->state == CSCTP_PATH_UNCONFIRMED)
      p->hb_send_now = 1; /* 5.4: verify the other addresses at once */
    assoc_schedule_hb(a, p, now);
  }
  assoc_event_up(a, CSCTP_EV_ASSOC_UP);
  csctp_auth_on_up(a); /* RFC 6458 6.1.8: SCTP_AUTH_NO_AUTH */
  if (a->shutdown_requested) {
    a->state = CSCTP_STATE_SHUTDOWN_PENDING;
    csctp_assoc_check_shutdown(a, now);
  }
}

/* 3.3.3: the INIT ACK, in COOKIE-WAIT only (5.2.3). */
static void assoc_on_init_ack(csctp_assoc *a, const csctp_tlv *c,
                              const csctp_addr *src, csctp_tstamp now) {
  csctp_init in;
  if (a->state != CSCTP_STATE_COOKIE_WAIT || csctp_init_decode(c, &in) != 0)
    return;
  if (in.init_tag == 0 || in.num_ostreams == 0 || in.max_instreams == 0) {
    a->peer_tag = in.init_tag;
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_INVALID_PARAM, NULL,
                      0);
    return;
  }
  if (in.a_rwnd < 1500) {
    /* 3.3.3: discard the packet, leave the association as it is, and
     * tell the sender under its Initiate Tag. */
    csctp_ep_send_ctrl(a->ep, src, a->peer_port, in.init_tag, CSCTP_CT_ABORT, 0,
                       CSCTP_CAUSE_INVALID_PARAM, NULL, 0);
    return;
  }
  int arv = csctp_auth_on_init_ack(a, &in); /* RFC 4895 6.1 */
  if (arv == CSCTP_ERR_NOMEM)
    return; /* as if lost: T1-init resends the INIT */
  if (arv != 0) {
    a->peer_tag = in.init_tag;
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_PROTOCOL_VIOLATION,
                      NULL, 0);
    return;
  }
  const uint8_t *cookie = NULL;
  size_t cookie_len = 0;
  /* 3.2.1, 3.2.2: unrecognised parameters go by their type's upper bits;
   * those to report are gathered into one Unrecognized Parameters cause. */
  uint8_t unrec[CSCTP_CTRL_SLOT_LEN];
  csctp_buf ub;
  csctp_buf_init(&ub, unrec, sizeof(unrec));
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in.params, in.params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END) {
    if (rv == CSCTP_PARAM_REPORT) {
      size_t save = ub.len;
      if (csctp_put_param(&ub, p.type, p.value, p.value_len) != 0)
        ub.len = save; /* no room: report fewer */
    } else if (p.type == CSCTP_PT_STATE_COOKIE) {
      cookie = p.value;
      cookie_len = p.value_len;
    } else if (p.type == CSCTP_PT_IPV4 || p.type == CSCTP_PT_IPV6) {
      csctp_addr addr;
      if (csctp_addr_param_decode(&p, &addr) == 0 &&
          addr.family == src->family && csctp_assoc_find_path(a, &addr) < 0) {
        addr.port = src->port;
        if (csctp_assoc_add_path(a, &addr, now) == 0 &&
            csctp_assoc_find_path(a, &addr) >= 0)
          a->paths[csctp_assoc_find_path(a, &addr)].state =
              CSCTP_PATH_UNCONFIRMED;
      }
    }
  }
  if (!cookie || cookie_len == 0) {
    /* 3.3.3: the State Cookie is mandatory. */
    uint8_t v[6] = {0, 0, 0, 1, 0, CSCTP_PT_STATE_COOKIE};
    a->peer_tag = in.init_tag;
    csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL, CSCTP_CAUSE_MISSING_PARAM, v,
                      sizeof(v));
    return;
  }
  uint8_t *copy = csctp_malloc(&a->ep->mem, cookie_len);
  if (!copy)
    return; /* as if lost: T1-init resends the INIT */
  memcpy(copy, cookie, cookie_len);
  /* RFC 6951 5.4: learn the peer's encapsulation port from this packet. */
  int pi = csctp_assoc_find_path(a, src);
  if (pi >= 0)
    a->paths[pi].addr.port = src->port;
  uint16_t os = a->s.num_ostreams < in.max_instreams ? a->s.num_ostreams
                                                     : in.max_instreams;
  uint16_t is = in.num_ostreams < a->s.max_instreams ? in.num_ostreams
                                                     : a->s.max_instreams;
  a->peer_tag = in.init_tag;
  /* RFC 3758 3.3.2: PR-SCTP when both sides announce it. */
  a->pr.on = a->s.pr_supported && csctp_prsctp_peer_supports(&in);
  /* RFC 6525 5.1.1: RE-CONFIG when both sides list it. */
  a->reconf.on = a->s.reconf_supported && csctp_reconf_peer_supports(&in);
  /* RFC 8260 2.2.1: I-DATA when both sides list it; 2.3.1: then PR-SCTP
   * only when both list I-FORWARD-TSN too. */
  a->idata_on = a->s.interleaving_supported && csctp_idata_peer_supports(&in);
  if (a->idata_on)
    a->pr.on = a->s.pr_supported && csctp_idata_peer_supports_ifwd(&in);
  a->zcsum_send = (uint8_t)csctp_zcsum_negotiate(&a->s, &in); /* RFC 9653 */
  if (csctp_assoc_start(a, in.init_tsn, in.a_rwnd, os, is, now) != 0) {
    csctp_free(&a->ep->mem, copy);
    return;
  }
  csctp_free(&a->ep->mem, a->cookie);
  a->cookie = copy;
  a->cookie_len = cookie_len;
  a->state = CSCTP_STATE_COOKIE_ECHOED;
  a->send_init = 0;
  a->send_cookie_echo = 1;
  /* 3.2.2: the report SHOULD ride with the COOKIE ECHO, MAY go on its own
   * once the COOKIE ACK is in; queued errors leave with the first packet
   * after COOKIE-ECHOED, i.e. after the COOKIE ACK. */
  if (ub.len > 0)
    csctp_assoc_queue_error(a, CSCTP_CAUSE_UNRECOGNIZED_PARAMS, unrec, ub.len);
  /* init_retrans keeps counting: Max.Init.Retransmits bounds the whole
   * setup, so a peer whose cookies always go stale cannot loop us. */
  a->t1_rto = a->paths[a->primary].rto;
  if (a->t1_rto > assoc_t1_cap(a))
    a->t1_rto = assoc_t1_cap(a);
  a->t1 = now + a->t1_rto; /* T1-cookie */
}

static void assoc_on_cookie_ack(csctp_assoc *a, csctp_tstamp now) {
  if (a->state != CSCTP_STATE_COOKIE_ECHOED)
    return; /* 5.2.5 */
  csctp_free(&a->ep->mem, a->cookie);
  a->cookie = NULL;
  csctp_assoc_established(a, now);
}

/* 5.2.4 action A: the peer restarted. */
static void assoc_restart(csctp_assoc *a, const csctp_cookie *ck,
                          csctp_tstamp now) {
  /* Our stream reconfiguration request in flight: its asker hears that
   * it failed rather than nothing (RFC 6525 6.1). */
  csctp_reconf_restarted(a);
  /* Messages never sent go on in the new incarnation; the rest failed. */
  csctp_sendq old = a->sq;
  memset(&a->sq, 0, sizeof(a->sq));
  int rv = csctp_sendq_init(&a->sq, &a->ep->mem, ck->ostreams, ck->local_tsn);
  if (rv == 0)
    csctp_sendq_move_unsent(&old, &a->sq, csctp_assoc_frag_len(a));
  csctp_sendq tmp = a->sq;
  a->sq = old;
  assoc_fail_messages(a);
  csctp_sendq_free(&a->sq);
  csctp_eor_free(a);
  a->sq = tmp;
  if (rv != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                      0);
    return;
  }
  if (csctp_ep_index_tag(a, ck->local_tag) != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                      0);
    return;
  }
  a->peer_tag = ck->peer_tag;
  a->local_initial_tsn = ck->local_tsn;
  a->local_tie_tag = a->peer_tie_tag = 0;
  a->pr.on = ck->pr; /* RFC 3758 3.3, as the new INIT said */
  a->reconf.on = ck->reconf;
  a->idata_on = ck->idata; /* RFC 8260 2.2.1 */
  a->zcsum_send = ck->zcsum;
  a->pr.send_fwd = 0;
  a->in_fast_recovery = 0;
  csctp_recovery_init(&a->rec);
  a->error_count = 0;
  for (int i = 0; i < a->npaths; i++) {
    csctp_path *p = &a->paths[i];
    csctp_path_init(p, &p->addr, &a->s, now);
  }
  if (csctp_assoc_start(a, ck->peer_tsn, ck->peer_rwnd, ck->ostreams,
                        ck->istreams, now) != 0) {
    csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                      0);
    return;
  }
  a->state = CSCTP_STATE_ESTABLISHED;
  a->shutdown_requested = 0;
  a->t1 = a->t2 = a->t5 = CSCTP_TSTAMP_NEVER;
  a->send_cookie_ack = 1;
  for (int i = 0; i < a->npaths; i++)
    assoc_schedule_hb(a, &a->paths[i], now);
  assoc_event_up(a, CSCTP_EV_ASSOC_RESTART);
}

int csctp_assoc_on_cookie_echo(csctp_assoc *a, const csctp_cookie *ck,
                               csctp_tstamp now) {
  int local_m = ck->local_tag == a->local_tag;
  /* A peer tag of 0 is "not known yet" (COOKIE-WAIT), never a match. */
  int peer_m = a->peer_tag != 0 && ck->peer_tag == a->peer_tag;
  int ties = ck->local_tie_tag != 0 || ck->peer_tie_tag != 0;
  /* Tie-tags are random stand-ins kept in the TCB (5.2.2), so a cookie
   * never shows an attacker the association's real tags (RFC 5062). */
  if (!local_m && !peer_m && ties && ck->local_tie_tag == a->local_tie_tag &&
      ck->peer_tie_tag == a->peer_tie_tag) {
    if (a->state == CSCTP_STATE_SHUTDOWN_ACK_SENT) { /* 5.2.4 A */
      a->send_shutdown_ack = 1;
      csctp_assoc_queue_error(a, CSCTP_CAUSE_COOKIE_WHILE_SHUTDOWN, NULL, 0);
      return 0;
    }
    assoc_restart(a, ck, now);
    /* RFC 4895 6.3: after a restart both ends use the new keys. */
    if (!a->dead &&
        csctp_auth_assoc_setup(a, ck->auth_local, ck->auth_local_len,
                               ck->auth_peer, ck->auth_peer_len) != 0)
      csctp_assoc_abort(a, CSCTP_LOST_NOMEM, CSCTP_CAUSE_OUT_OF_RESOURCE, NULL,
                        0);
    return !a->dead;
  }
  if (local_m && !peer_m) { /* 5.2.4 B: collision */
    a->peer_tag = ck->peer_tag;
    a->pr.on = ck->pr;
    a->reconf.on = ck->reconf;
    a->idata_on = ck->idata;
    a->zcsum_send = ck->zcsum;
    /* RFC 4895 6.1: the Random Numbers follow the tags in a collision. */
    if (csctp_auth_assoc_setup(a, ck->auth_local, ck->auth_local_len,
                               ck->auth_peer, ck->auth_peer_len) != 0)
      return 0;
    if (a->state == CSCTP_STATE_COOKIE_WAIT ||
        a->state == CSCTP_STATE_COOKIE_ECHOED) {
      if (csctp_assoc_start(a, ck->peer_tsn, ck->peer_rwnd, ck->ostreams,
                            ck->istreams, now) != 0)
        return 0;
      a->send_cookie_ack = 1;
      csctp_assoc_established(a, now);
    } else {
      a->send_cookie_ack = 1;
    }
    return 1;
  }
  if (local_m && peer_m) { /* 5.2.4 D */
    a->send_cookie_ack = 1;
    if (a->state == CSCTP_STATE_COOKIE_ECHOED ||
        a->state == CSCTP_STATE_COOKIE_WAIT)
      csctp_assoc_established(a, now);
    return 1;
  }
  return 0; /* 5.2.4 C, or a case Table 12 does not list: discard */
}

/* 5.2.6: a Stale Cookie error while COOKIE-ECHOED: start over with a
 * Cookie Preservative asking for the time we lacked plus one second. */
static void assoc_on_stale_cookie(csctp_assoc *a, const csctp_tlv *cause,
                                  csctp_tstamp now) {
  if (a->state != CSCTP_STATE_COOKIE_ECHOED)
    return;
  uint32_t stale_us = cause->value_len >= 4 ? csctp_get32(cause->value) : 0;
  uint32_t extra_ms = stale_us / 1000 * 2 + 1000;
  if (++a->init_retrans > a->s.max_init_retransmits) {
    csctp_assoc_end(a, CSCTP_EV_ASSOC_LOST, CSCTP_LOST_INIT_FAILED, 0,
                    CSCTP_ERR_TIMEOUT);
    return;
  }
  uint32_t retrans = a->init_retrans;
  if (assoc_build_init(a, extra_ms) != 0)
    return;
  csctp_free(&a->ep->mem, a->cookie);
  a->cookie = NULL;
  a->state = CSCTP_STATE_COOKIE_WAIT;
  a->send_cookie_echo = 0;
  a->peer_tag = 0;
  a->init_retrans = retrans;
  csctp_pacer_arm_init(a, now);
}

/* ---- Control chunks ---------------------------------------------------- */

/* 8.3: answer with the Heartbeat Information, "together with any other
 * received TLVs, copied unchanged": the HEARTBEAT's whole value is echoed.
 * One answer is held per association (a newer HEARTBEAT replaces it), in
 * one buffer that grows to at most the path MTU: a flood cannot grow
 * memory. A HEARTBEAT too big for a HEARTBEAT ACK within the MTU cannot be
 * answered. */
static void assoc_on_heartbeat(csctp_assoc *a, const csctp_tlv *c,
                               uint8_t path) {
  const uint8_t *info;
  size_t info_len, len = c->value_len;
  if (csctp_heartbeat_decode(c, &info, &info_len) != 0)
    return;
  size_t mtu = a->paths[path].mtu;
  size_t over = CSCTP_COMMON_HDR_LEN + CSCTP_CHUNK_HDR_LEN;
  if (mtu < over || CSCTP_PAD4(len) > mtu - over)
    return;
  if (len > a->hb_ack_cap) {
    uint8_t *buf = csctp_realloc(&a->ep->mem, a->hb_ack_info, len);
    if (!buf)
      return; /* as if lost: the peer's next HEARTBEAT tries again */
    a->hb_ack_info = buf;
    a->hb_ack_cap = len;
  }
  memcpy(a->hb_ack_info, c->value, len);
  a->hb_ack_len = len;
  a->hb_ack_path = path;
  a->send_hb_ack = 1;
}

/* Our Heartbeat Info: nonce (8), send time (8), path index (1). */
#define ASSOC_HB_INFO_LEN 17

static void assoc_on_heartbeat_ack(csctp_assoc *a, const csctp_tlv *c,
                                   csctp_tstamp now) {
  const uint8_t *info;
  size_t len;
  if (csctp_heartbeat_decode(c, &info, &len) != 0 ||
      csctp_pmtud_on_hb_ack(a, info, len, now) || len != ASSOC_HB_INFO_LEN)
    return;
  uint64_t nonce = ((uint64_t)csctp_get32(info) << 32) | csctp_get32(info + 4);
  csctp_tstamp sent =
      ((uint64_t)csctp_get32(info + 8) << 32) | csctp_get32(info + 12);
  uint8_t pi = info[16];
  if (pi >= a->npaths)
    return;
  csctp_path *p = &a->paths[pi];
  if (!p->hb_outstanding || nonce != p->hb_nonce || sent > now)
    return; /* not ours, or a stale answer */
  p->hb_outstanding = 0;
  csctp_path_rtt_sample(p, &a->s, now - sent);
  a->error_count = 0; /* 8.3 */
  csctp_assoc_path_ok(a, pi);
}

static void assoc_on_abort(csctp_assoc *a, const csctp_tlv *c) {
  if (a->state == CSCTP_STATE_SHUTDOWN_ACK_SENT && (c->flags & CSCTP_FLAG_T)) {
    /* A reflected ABORT (8.4 (8)) means the peer has no TCB any more: it
     * got our SHUTDOWN ACK and finished, and a stray packet of ours (a
     * late SACK) reached it afterwards. Everything was acknowledged both
     * ways before SHUTDOWN ACK (9.2), so the shutdown is complete. */
    csctp_assoc_end(a, CSCTP_EV_SHUTDOWN_COMPLETE, 0, 0, CSCTP_ERR_CLOSED);
    return;
  }
  csctp_tlv_iter it;
  csctp_tlv cause;
  uint16_t code = 0;
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  if (csctp_param_next(&it, &cause) == 1)
    code = cause.type;
  int setup = a->state == CSCTP_STATE_COOKIE_WAIT ||
              a->state == CSCTP_STATE_COOKIE_ECHOED;
  csctp_assoc_end(a, CSCTP_EV_ASSOC_LOST,
                  setup ? CSCTP_LOST_REFUSED : CSCTP_LOST_PEER_ABORT, code,
                  setup ? CSCTP_ERR_REFUSED : CSCTP_ERR_ABORTED);
}

static void assoc_on_error(csctp_assoc *a, const csctp_tlv *c,
                           csctp_tstamp now) {
  csctp_tlv_iter it;
  csctp_tlv cause;
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  while (csctp_param_next(&it, &cause) == 1 && !a->dead) {
    if (cause.type == CSCTP_CAUSE_STALE_COOKIE) {
      assoc_on_stale_cookie(a, &cause, now);
      continue;
    }
    if (cause.type == CSCTP_CAUSE_UNRECOGNIZED_CHUNK && cause.value_len > 0)
      csctp_asconf_on_unrecognized(a, cause.value[0]); /* RFC 5061 A9 */
    csctp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = CSCTP_EV_REMOTE_ERROR;
    ev.u.remote_error.cause_code = cause.type;
    size_t n = cause.value_len < sizeof(ev.u.remote_error.data)
                   ? cause.value_len
                   : sizeof(ev.u.remote_error.data);
    ev.u.remote_error.len = (uint16_t)n;
    memcpy(ev.u.remote_error.data, cause.value, n);
    assoc_event(a, &ev);
  }
}

static void assoc_start_t2(csctp_assoc *a, csctp_tstamp now) {
  a->t2_rto = a->paths[a->primary].rto;
  a->t2 = now + a->t2_rto;
}

/* 9.2: move the shutdown on once nothing is queued or outstanding. */
void csctp_assoc_check_shutdown(csctp_assoc *a, csctp_tstamp now) {
  if (a->dead || a->sq.n_unsent > 0 || a->sq.n_out > 0)
    return;
  if (a->state == CSCTP_STATE_SHUTDOWN_PENDING) {
    a->state = CSCTP_STATE_SHUTDOWN_SENT;
    a->send_shutdown = 1;
    a->shutdown_retrans = 0;
    assoc_start_t2(a, now);
    a->t5 = now + 5 * a->s.rto_max; /* T5-shutdown-guard */
  } else if (a->state == CSCTP_STATE_SHUTDOWN_RECEIVED) {
    a->state = CSCTP_STATE_SHUTDOWN_ACK_SENT;
    a->send_shutdown_ack = 1;
    a->shutdown_retrans = 0;
    assoc_start_t2(a, now);
  }
}

static void assoc_on_shutdown(csctp_assoc *a, const csctp_tlv *c,
                              csctp_tstamp now) {
  uint32_t cum;
  if (csctp_shutdown_decode(c, &cum) != 0)
    return;
  /* 9.2: the Cumulative TSN Ack acts like a SACK without gaps. */
  if (a->sq.mem && csctp_tsn_lt(cum, a->sq.next_tsn)) {
    csctp_sack_result res;
    csctp_sendq_on_sack(&a->sq, a->paths, a->npaths, cum, NULL, 0, 0, 0, now,
                        &res);
    for (int i = 0; i < a->npaths; i++)
      if (!csctp_sendq_path_has_inflight(&a->sq, (uint8_t)i))
        a->paths[i].t3 = CSCTP_TSTAMP_NEVER;
  }
  switch (a->state) {
  case CSCTP_STATE_ESTABLISHED:
  case CSCTP_STATE_SHUTDOWN_PENDING: {
    a->state = CSCTP_STATE_SHUTDOWN_RECEIVED;
    csctp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = CSCTP_EV_SHUTDOWN_RECEIVED;
    assoc_event(a, &ev);
    csctp_assoc_check_shutdown(a, now);
    break;
  }
  case CSCTP_STATE_SHUTDOWN_SENT:
    /* 9.2: both sides shut down at once. */
    a->state = CSCTP_STATE_SHUTDOWN_ACK_SENT;
    a->send_shutdown = 0;
    a->send_shutdown_ack = 1;
    assoc_start_t2(a, now);
    break;
  case CSCTP_STATE_SHUTDOWN_RECEIVED:
    /* A retransmitted SHUTDOWN may carry the ack we were waiting for. */
    csctp_assoc_check_shutdown(a, now);
    break;
  case CSCTP_STATE_SHUTDOWN_ACK_SENT:
    a->send_shutdown_ack = 1; /* our SHUTDOWN ACK was lost */
    break;
  default:
    break;
  }
}

static void assoc_on_shutdown_ack(csctp_assoc *a) {
  if (a->state != CSCTP_STATE_SHUTDOWN_SENT &&
      a->state != CSCTP_STATE_SHUTDOWN_ACK_SENT)
    return;
  /* 9.2: answer with SHUTDOWN COMPLETE and remove the TCB. */
  size_t queued = a->ep->ctrl_len;
  csctp_ep_send_ctrl(a->ep, &a->paths[a->primary].addr, a->peer_port,
                     a->peer_tag, CSCTP_CT_SHUTDOWN_COMPLETE, 0, 0, NULL, 0);
  assoc_ctrl_source(a, queued, a->primary);
  csctp_assoc_end(a, CSCTP_EV_SHUTDOWN_COMPLETE, 0, 0, CSCTP_ERR_CLOSED);
}

static void assoc_on_shutdown_complete(csctp_assoc *a) {
  if (a->state != CSCTP_STATE_SHUTDOWN_ACK_SENT)
    return; /* 8.5.1 C */
  csctp_assoc_end(a, CSCTP_EV_SHUTDOWN_COMPLETE, 0, 0, CSCTP_ERR_CLOSED);
}

/* 3.2: unknown chunk types by their two upper bits. Returns 1 to stop
 * processing the packet. */
static int assoc_on_unknown_chunk(csctp_assoc *a, const csctp_tlv *c) {
  uint8_t action = (uint8_t)(c->type >> 6);
  if (action == 1 || action == 3) /* 3.3.10.6: the whole chunk */
    csctp_assoc_queue_error(a, CSCTP_CAUSE_UNRECOGNIZED_CHUNK, c->raw,
                            c->length);
  return action < 2;
}

/* ---- Packet input ------------------------------------------------------ */

static uint8_t assoc_path_of(csctp_assoc *a, const csctp_addr *src,
                             const csctp_addr *dst) {
  int i = csctp_assoc_find_path(a, src);
  if (i < 0)
    return a->primary;
  /* RFC 6951 5.4: keep the peer's current encapsulation port. */
  a->paths[i].addr.port = src->port;
  /* Answer from the address the peer is using now (6.4), unless we deleted
   * it (RFC 5061 F4: never again a source). */
  if (dst && dst->family && !csctp_asconf_local_gone(a, dst))
    a->paths[i].local = *dst;
  return (uint8_t)i;
}

void csctp_assoc_input(csctp_assoc *a, const csctp_pkt_hdr *hdr,
                       const uint8_t *chunks, size_t len, const csctp_addr *src,
                       const csctp_addr *dst, int teardown_only,
                       csctp_tstamp now) {
  csctp_ep_touch(a);
  (void)hdr;
  csctp_tlv_iter it;
  csctp_tlv c;
  int had_data = 0, had_new = 0, had_dup = 0, n_asconf = 0;
  uint8_t path = assoc_path_of(a, src, dst);
  int gaps_before = a->rx_ready && csctp_tsnmap_has_gaps(&a->tsn);
  a->pkts_in++;
  a->burst = 0;
  int authed = csctp_auth_input_begin(a);
  csctp_tlv_iter_init(&it, chunks, len);
  while (!a->dead && csctp_chunk_next(&it, &c) == 1) {
    if (c.type == CSCTP_CT_AUTH) { /* RFC 4895 6.3; at most one (5.1) */
      if (authed || !csctp_auth_on_chunk(a, &c, chunks + len))
        goto done;
      authed = 1;
      continue;
    }
    if (!authed && csctp_auth_required(a, (uint8_t)c.type))
      continue; /* RFC 4895 6.3: listed, so only after an AUTH chunk */
    if (teardown_only && c.type != CSCTP_CT_ABORT &&
        c.type != CSCTP_CT_SHUTDOWN_COMPLETE)
      continue;
    switch (c.type) {
    case CSCTP_CT_DATA:
    case CSCTP_CT_I_DATA: {
      int r = 0;
      if (a->rx_ready && a->idata_on != (c.type == CSCTP_CT_I_DATA)) {
        /* RFC 8260 2.2.3: DATA with I-DATA negotiated, or I-DATA
         * without */
        csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL,
                          CSCTP_CAUSE_PROTOCOL_VIOLATION, NULL, 0);
        goto done;
      }
      if (a->idata_on)
        csctp_idata_on_chunk(a, &c, path, src, &r);
      else
        csctp_assoc_on_data(a, &c, path, src, &r);
      had_data = 1;
      had_new |= r == 1;
      had_dup |= r == 2;
      break;
    }
    case CSCTP_CT_INIT_ACK:
      assoc_on_init_ack(a, &c, src, now);
      break;
    case CSCTP_CT_SACK:
      csctp_assoc_on_sack(a, &c, now);
      break;
    case CSCTP_CT_HEARTBEAT:
      assoc_on_heartbeat(a, &c, path);
      break;
    case CSCTP_CT_HEARTBEAT_ACK:
      assoc_on_heartbeat_ack(a, &c, now);
      break;
    case CSCTP_CT_ABORT:
      if (csctp_asconf_ignore_abort(a, dst))
        break; /* RFC 5061 5.3.1, F4 */
      assoc_on_abort(a, &c);
      break;
    case CSCTP_CT_SHUTDOWN:
      assoc_on_shutdown(a, &c, now);
      break;
    case CSCTP_CT_SHUTDOWN_ACK:
      assoc_on_shutdown_ack(a);
      break;
    case CSCTP_CT_ERROR:
      assoc_on_error(a, &c, now);
      break;
    case CSCTP_CT_COOKIE_ECHO:
      break; /* only valid first in a packet; handled by the endpoint */
    case CSCTP_CT_COOKIE_ACK:
      assoc_on_cookie_ack(a, now);
      break;
    case CSCTP_CT_SHUTDOWN_COMPLETE:
      assoc_on_shutdown_complete(a);
      break;
    case CSCTP_CT_INIT:
      break; /* the endpoint handles INIT */
    case CSCTP_CT_PAD:
      break; /* RFC 4820 3: the padding is ignored */
    case CSCTP_CT_I_FORWARD_TSN:
    case CSCTP_CT_FORWARD_TSN: {
      int ifwd = c.type == CSCTP_CT_I_FORWARD_TSN;
      if (a->pr.on && a->idata_on != ifwd) {
        /* RFC 8260 2.3.1: FORWARD-TSN only with DATA, I-FORWARD-TSN only
         * with I-DATA */
        csctp_assoc_abort(a, CSCTP_LOST_PROTOCOL,
                          CSCTP_CAUSE_PROTOCOL_VIOLATION, NULL, 0);
        goto done;
      }
      if (!a->pr.on) { /* RFC 3758 3.3.1: as an unknown chunk */
        if (assoc_on_unknown_chunk(a, &c))
          goto done;
        break;
      }
      int r =
          ifwd ? csctp_idata_on_ifwd(a, &c) : csctp_prsctp_on_fwd_tsn(a, &c);
      had_data |= r != 0; /* 3.6: SACK as for DATA */
      had_new |= r == 1;
      break;
    }
    case CSCTP_CT_ASCONF:
    case CSCTP_CT_ASCONF_ACK:
      if (!csctp_asconf_active(a) || !a->rx_ready) {
        if (assoc_on_unknown_chunk(a, &c)) /* RFC 5061 4.1.1 */
          goto done;
        break;
      }
      /* RFC 5061 5.2 E1 / E1-ext: the first ASCONF in the packet or not. */
      if (csctp_asconf_on_chunk(a, &c, authed, src, path,
                                c.type == CSCTP_CT_ASCONF && n_asconf++ == 0,
                                now))
        goto done; /* RFC 5061 5.2 D5, 5.3 F0 */
      break;
    case CSCTP_CT_RE_CONFIG:
      if (!a->reconf.on || !a->rx_ready) { /* RFC 6525 5.1.1 */
        if (assoc_on_unknown_chunk(a, &c))
          goto done;
        break;
      }
      csctp_reconf_on_chunk(a, &c, now);
      break;
    default:
      if (assoc_on_unknown_chunk(a, &c))
        goto done;
      break;
    }
  }
done:
  if (had_data && !a->dead)
    csctp_assoc_after_data(a, had_new, had_dup && !had_new, gaps_before, now);
  if (had_new && !a->dead)
    csctp_reconf_after_data(a); /* RFC 6525 5.2.2 E2 */
}

/* ---- Path and association failure (8.1, 8.2) --------------------------- */

static int assoc_first_path_in(const csctp_assoc *a, uint32_t state) {
  if (a->paths[a->primary].state == state)
    return a->primary;
  for (int i = 0; i < a->npaths; i++)
    if (a->paths[i].state == state)
      return i;
  return -1;
}

/* 6.4, 6.4.1 and RFC 7829: the primary while it is active; else another
 * active address; else a potentially failed one; else the primary. */
uint8_t csctp_assoc_data_path(const csctp_assoc *a) {
  int i = assoc_first_path_in(a, CSCTP_PATH_ACTIVE);
  if (i < 0)
    i = assoc_first_path_in(a, CSCTP_PATH_POTENTIALLY_FAILED);
  return i < 0 ? a->primary : (uint8_t)i;
}

void csctp_assoc_path_error(csctp_assoc *a, uint8_t pi, csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  p->error_count++;
  /* 5.4: probing an unconfirmed address says nothing about the peer. */
  if (p->state != CSCTP_PATH_UNCONFIRMED)
    a->error_count++;
  if (a->error_count > a->s.assoc_max_retrans) { /* 8.1 */
    csctp_assoc_abort(a, CSCTP_LOST_TIMEOUT, 0, NULL, 0);
    return;
  }
  uint32_t state = p->state;
  if (state == CSCTP_PATH_ACTIVE) /* RFC 7829 with PotentiallyFailed.Max 0 */
    state = CSCTP_PATH_POTENTIALLY_FAILED;
  if (p->error_count > a->s.path_max_retrans &&
      state == CSCTP_PATH_POTENTIALLY_FAILED)
    state = CSCTP_PATH_INACTIVE; /* 8.2 */
  if (state != p->state) {
    p->state = state;
    assoc_event_paddr(a, pi);
  }
  if (!p->hb_outstanding)
    assoc_schedule_hb(a, p, now);
}

void csctp_assoc_path_ok(csctp_assoc *a, uint8_t pi) {
  csctp_path *p = &a->paths[pi];
  p->error_count = 0;
  if (a->sack_avoid == pi)
    a->sack_avoid = -1; /* what we send there arrives */
  if (p->state != CSCTP_PATH_ACTIVE) {
    p->state = CSCTP_PATH_ACTIVE;
    assoc_event_paddr(a, pi);
  }
}

/* ---- Timers ------------------------------------------------------------ */

csctp_tstamp csctp_assoc_expiry(const csctp_assoc *a) {
  if (a->dead)
    return CSCTP_TSTAMP_NEVER;
  csctp_tstamp t = a->t1;
  if (a->t2 < t)
    t = a->t2;
  if (a->t5 < t)
    t = a->t5;
  if (a->sack_timer < t)
    t = a->sack_timer;
  if (csctp_recovery_expiry(&a->rec) < t)
    t = csctp_recovery_expiry(&a->rec);
  if (a->pr.on && a->pr.next_expiry < t) /* RFC 3758 4.1: lifetimes */
    t = a->pr.next_expiry;
  if (csctp_reconf_expiry(a) < t) /* RFC 6525 5.1.1 */
    t = csctp_reconf_expiry(a);
  if (csctp_asconf_expiry(a) < t) /* RFC 5061 5.1 A4: T-4 */
    t = csctp_asconf_expiry(a);
  for (int i = 0; i < a->npaths; i++) {
    if (a->paths[i].t3 < t)
      t = a->paths[i].t3;
    if (a->paths[i].hb_due < t)
      t = a->paths[i].hb_due;
    if (csctp_pacing_expiry(&a->paths[i]) < t)
      t = csctp_pacing_expiry(&a->paths[i]); /* pacing.h */
  }
  if (csctp_pmtud_assoc_expiry(a) < t) /* RFC 8899 5.1.1 */
    t = csctp_pmtud_assoc_expiry(a);
  return t;
}

/* 5.1 C / 5.1.6: T1-init and T1-cookie. */
static void assoc_on_t1(csctp_assoc *a, csctp_tstamp now) {
  if (csctp_pacer_on_t1(a, now)) /* an INIT's turn came, not T1 */
    return;
  if (++a->init_retrans > a->s.max_init_retransmits) {
    a->t1 = CSCTP_TSTAMP_NEVER;
    csctp_assoc_end(a, CSCTP_EV_ASSOC_LOST, CSCTP_LOST_INIT_FAILED, 0,
                    CSCTP_ERR_TIMEOUT);
    return;
  }
  a->t1_rto *= 2;
  if (a->t1_rto > assoc_t1_cap(a))
    a->t1_rto = assoc_t1_cap(a);
  a->t1 = now + a->t1_rto;
  /* 5.1.6: retransmissions use all the peer's addresses in turn. */
  a->setup_path = (uint8_t)((a->setup_path + 1) % a->npaths);
  if (a->state == CSCTP_STATE_COOKIE_WAIT)
    csctp_pacer_arm_init(a, now); /* it takes a turn too */
  else if (a->state == CSCTP_STATE_COOKIE_ECHOED)
    a->send_cookie_echo = 1;
}

/* 9.2: T2-shutdown. */
static void assoc_on_t2(csctp_assoc *a, csctp_tstamp now) {
  csctp_path *p = &a->paths[a->primary];
  csctp_path_backoff(p, &a->s);
  csctp_assoc_path_error(a, a->primary, now);
  if (a->dead)
    return;
  a->t2_rto = p->rto;
  a->t2 = now + a->t2_rto;
  if (a->state == CSCTP_STATE_SHUTDOWN_SENT)
    a->send_shutdown = 1;
  else if (a->state == CSCTP_STATE_SHUTDOWN_ACK_SENT)
    a->send_shutdown_ack = 1;
}

/* 8.3: heartbeat an idle path; an unanswered one counts as an error. */
static void assoc_on_hb_timer(csctp_assoc *a, uint8_t pi, csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  if (a->state == CSCTP_STATE_SHUTDOWN_SENT ||
      a->state == CSCTP_STATE_SHUTDOWN_ACK_SENT) {
    p->hb_due = CSCTP_TSTAMP_NEVER; /* T2-shutdown watches the peer now */
    return;
  }
  if (p->flight > 0 || p->t3 != CSCTP_TSTAMP_NEVER) {
    /* Data is outstanding: its acks and T3-rtx watch this path. */
    p->hb_outstanding = 0;
    assoc_schedule_hb(a, p, now);
    return;
  }
  if (p->hb_outstanding) {
    p->hb_outstanding = 0;
    csctp_path_backoff(p, &a->s);
    csctp_assoc_path_error(a, pi, now);
    if (a->dead)
      return;
  } else if (p->state == CSCTP_PATH_ACTIVE &&
             p->last_send + a->s.hb_interval > now) {
    assoc_schedule_hb(a, p, p->last_send);
    return;
  }
  p->hb_send_now = 1;
  assoc_schedule_hb(a, p, now);
}

void csctp_assoc_handle_expiry(csctp_assoc *a, csctp_tstamp now) {
  if (a->t1 <= now)
    assoc_on_t1(a, now);
  if (!a->dead && a->t2 <= now)
    assoc_on_t2(a, now);
  if (!a->dead && a->t5 <= now) /* 9.2: T5-shutdown-guard */
    csctp_assoc_abort(a, CSCTP_LOST_TIMEOUT, 0, NULL, 0);
  if (!a->dead && a->sack_timer <= now) {
    a->sack_now = 1; /* 6.2: delayed SACK is due */
    a->sack_timer = CSCTP_TSTAMP_NEVER;
  }
  if (!a->dead && csctp_recovery_expiry(&a->rec) <= now)
    csctp_assoc_on_recovery_timer(a, now);
  if (!a->dead)
    csctp_prsctp_sweep(a, now); /* RFC 3758 4.1 TR5: expired lifetimes */
  if (!a->dead && csctp_reconf_expiry(a) <= now)
    csctp_reconf_on_timer(a, now); /* RFC 6525 5.1.1 */
  if (!a->dead && csctp_asconf_expiry(a) <= now)
    csctp_asconf_on_timer(a, now); /* RFC 5061 5.1 B1-B5 */
  for (uint8_t i = 0; !a->dead && i < a->npaths; i++)
    if (a->paths[i].t3 <= now)
      csctp_assoc_on_t3(a, i, now);
  for (uint8_t i = 0; !a->dead && i < a->npaths; i++)
    if (a->paths[i].hb_due <= now)
      assoc_on_hb_timer(a, i, now);
  for (uint8_t i = 0; !a->dead && i < a->npaths; i++)
    csctp_pacing_on_timer(&a->paths[i], now); /* pacing.h */
  if (!a->dead)
    csctp_pmtud_assoc_timers(a, now); /* RFC 8899 5.1.1 */
  a->burst = 0;
}

/* ---- Public per-association calls -------------------------------------- */

int csctp_shutdown(csctp_endpoint *ep, csctp_assoc_id id, csctp_tstamp now) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (a->dead)
    return CSCTP_ERR_STATE;
  switch (a->state) {
  case CSCTP_STATE_COOKIE_WAIT:
  case CSCTP_STATE_COOKIE_ECHOED:
    if (a->shutdown_requested)
      return CSCTP_ERR_STATE;
    a->shutdown_requested = 1;
    return 0;
  case CSCTP_STATE_ESTABLISHED:
    a->shutdown_requested = 1;
    a->state = CSCTP_STATE_SHUTDOWN_PENDING;
    csctp_assoc_check_shutdown(a, now);
    return 0;
  default:
    return CSCTP_ERR_STATE;
  }
}

int csctp_abort(csctp_endpoint *ep, csctp_assoc_id id, const uint8_t *reason,
                size_t reason_len, csctp_tstamp now) {
  (void)now;
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (reason_len > 256)
    reason_len = 256;
  /* 9.1: ABORT with a User-Initiated Abort cause (3.3.10.12). */
  csctp_assoc_abort(a, CSCTP_LOST_USER_ABORT, CSCTP_CAUSE_USER_ABORT, reason,
                    reason ? reason_len : 0);
  return 0;
}

int csctp_assoc_release(csctp_endpoint *ep, csctp_assoc_id id) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  csctp_assoc_free(a);
  return 0;
}

int csctp_assoc_settings(const csctp_endpoint *ep, csctp_assoc_id id,
                         csctp_settings *s) {
  csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a || !s)
    return CSCTP_ERR_NOT_FOUND;
  *s = a->s;
  return 0;
}

int csctp_assoc_set_settings(csctp_endpoint *ep, csctp_assoc_id id,
                             const csctp_settings *s) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  csctp_settings old = ep->settings;
  if (!s || csctp_endpoint_set_settings(ep, s) != 0)
    return CSCTP_ERR_INVAL;
  ep->settings = old;
  if (s->pmtu != a->s.pmtu || s->pmtud != a->s.pmtud) {
    for (int i = 0; i < a->npaths; i++) {
      csctp_pmtud_set_max(&a->paths[i].pmtud, s->pmtu, s->pmtud != 0);
      a->paths[i].mtu = a->paths[i].pmtud.plpmtu;
    }
    a->frag_point = assoc_frag_point(a, s);
  }
  if (s->cc != a->s.cc)
    for (int i = 0; i < a->npaths; i++)
      csctp_cc_select(&a->paths[i], s->cc);
  a->s = *s;
  return 0;
}

int csctp_assoc_status_get(const csctp_endpoint *ep, csctp_assoc_id id,
                           csctp_assoc_status *st) {
  csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a || !st)
    return CSCTP_ERR_NOT_FOUND;
  memset(st, 0, sizeof(*st));
  st->assoc_id = a->id;
  st->state = a->state;
  st->peer_port = a->peer_port;
  st->inbound_streams = a->istreams;
  st->outbound_streams = a->ostreams;
  st->peer_rwnd = a->peer_rwnd;
  st->local_rwnd = a->rx_ready ? csctp_assoc_local_rwnd(a) : a->s.rcvbuf;
  st->unacked = a->sq.n_out;
  st->pending = a->sq.n_unsent;
  st->send_queued = (uint32_t)a->sq.buffered;
  st->recv_queued = a->rx_ready ? (uint32_t)csctp_reasm_ready_bytes(&a->rx) : 0;
  st->frag_point = a->frag_point;
  st->npaths = a->npaths;
  if (a->npaths)
    st->primary = a->paths[a->primary].addr;
  st->retransmits = a->retransmits;
  st->fast_retransmits = a->fast_retransmits;
  st->t3_expiries = a->t3_expiries;
  st->spurious_retransmits = a->spurious_retransmits;
  st->tail_loss_probes = a->tail_loss_probes;
  st->fast_recoveries = a->fast_recoveries;
  st->data_chunks_out = a->data_chunks_out;
  st->data_chunks_in = a->data_chunks_in;
  st->dup_tsns_in = a->dup_tsns_in;
  st->pkts_out = a->pkts_out;
  st->pkts_in = a->pkts_in;
  st->pr_enabled = a->pr.on;
  st->reconf_enabled = a->reconf.on;
  st->reconf_enable = a->reconf.enable;
  csctp_prsctp_abandoned(a, &st->pr_abandoned_unsent, &st->pr_abandoned_sent);
  return 0;
}

int csctp_assoc_paths(const csctp_endpoint *ep, csctp_assoc_id id,
                      csctp_path_status *out, size_t max) {
  csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  for (size_t i = 0; i < a->npaths && i < max; i++) {
    const csctp_path *p = &a->paths[i];
    csctp_path_status *o = &out[i];
    memset(o, 0, sizeof(*o));
    o->addr = p->addr;
    o->state = p->state;
    o->is_primary = i == a->primary;
    o->cwnd = p->cwnd;
    o->ssthresh = p->ssthresh;
    o->flight_size = p->flight;
    o->partial_bytes_acked = p->pba;
    o->error_count = p->error_count;
    o->mtu = p->mtu;
    o->srtt = p->measured ? p->srtt : 0;
    o->rttvar = p->rttvar;
    o->rto = p->rto;
    o->pmtud_state = p->pmtud.state;
  }
  return a->npaths;
}

int csctp_assoc_set_primary(csctp_endpoint *ep, csctp_assoc_id id,
                            const csctp_addr *addr) {
  csctp_assoc *a = ep ? csctp_ep_find(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  int i = addr ? csctp_assoc_find_path(a, addr) : -1;
  if (i < 0)
    return CSCTP_ERR_ADDR;
  a->primary = (uint8_t)i;
  return 0;
}
