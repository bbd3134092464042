/* endpoint.c -- the SCTP endpoint: settings, demultiplexing of packets to
 * associations (RFC 9260 8.5, 8.5.1), out-of-the-blue packets (8.4), the
 * stateless answer to INIT (5.1.3), COOKIE ECHO authentication (5.1.5,
 * 5.2.4), the event queue and output scheduling. */
#include "config.h"

#include "engine.h"

#include "crc32c.h"
#include "mem.h"
#include "sha256.h"
#include "tsn.h"

#include <stdio.h>
#include <string.h>

/* ---- Settings ---------------------------------------------------------- */

void csctp_settings_default(csctp_settings *s) {
  memset(s, 0, sizeof(*s));
  s->rto_initial = 1 * CSCTP_SECONDS; /* RFC 9260 16 */
  s->rto_min = 1 * CSCTP_SECONDS;
  s->rto_max = 60 * CSCTP_SECONDS;
  s->rto_alpha_shift = 3;
  s->rto_beta_shift = 2;
  s->max_init_retransmits = 8;
  s->max_init_timeout = 0;
  s->assoc_max_retrans = 10;
  s->path_max_retrans = 5;
  s->hb_interval = 30 * CSCTP_SECONDS;
  s->sack_delay = 200 * CSCTP_MILLISECONDS;
  s->sack_freq = 2;
  s->num_ostreams = 10;
  s->max_instreams = 65535;
  s->rcvbuf = 1024 * 1024;
  s->sndbuf = 1024 * 1024;
  s->max_burst = 4;
  s->valid_cookie_life = 60 * CSCTP_SECONDS;
  s->pmtu = 1452;
  s->pmtud = 0; /* the I/O layer turns it on (csctp_io.h) */
  s->nodelay = 1;
  s->max_assocs = 16384;
  s->max_init_addrs = 16;
  s->peer_chunk_overhead = CSCTP_PEER_CHUNK_OVERHEAD;
  s->pr_supported = 1;     /* RFC 3758, as usrsctp and Linux */
  s->reconf_supported = 1; /* RFC 6525, as usrsctp and Linux */
}

static int ep_settings_valid(const csctp_settings *s) {
  return s->rto_min > 0 && s->rto_min <= s->rto_max &&
         s->rto_initial >= s->rto_min && s->rto_initial <= s->rto_max &&
         s->rto_alpha_shift > 0 && s->rto_alpha_shift < 16 &&
         s->rto_beta_shift > 0 && s->rto_beta_shift < 16 &&
         s->assoc_max_retrans > 0 && s->path_max_retrans > 0 &&
         s->sack_freq > 0 && s->sack_delay <= 500 * CSCTP_MILLISECONDS &&
         s->num_ostreams > 0 && s->max_instreams > 0 && s->rcvbuf >= 1500 &&
         s->sndbuf >= 1500 && s->max_burst > 0 && s->pmtu >= 508 &&
         s->pmtu <= 65535 && s->valid_cookie_life > 0 && s->max_assocs > 0 &&
         s->max_init_addrs > 0 && s->max_init_addrs <= CSCTP_MAX_PATHS &&
         s->cc <= CSCTP_CC_CUBIC_RFC9406 && s->stream_scheduler <= CSCTP_SS_WFQ &&
         s->pacing <= CSCTP_PACING_ON;
}

/* ---- Endpoint life ----------------------------------------------------- */

/* Two: a step rarely queues more for one endpoint (COMM_UP, a message's
 * send failure), and the ring doubles on demand. */
#define EP_INITIAL_EVENTS 2

int csctp_endpoint_new(csctp_endpoint **pep, uint16_t port,
                       const csctp_settings *settings, const csctp_mem *mem,
                       csctp_rand_fn rand, void *rand_user_data,
                       csctp_tstamp now) {
  csctp_settings def;
  if (!pep || port == 0)
    return CSCTP_ERR_INVAL;
  if (!settings) {
    csctp_settings_default(&def);
    settings = &def;
  }
  if (!ep_settings_valid(settings))
    return CSCTP_ERR_INVAL;
  if (!mem)
    mem = csctp_mem_default();
  csctp_endpoint *ep = csctp_calloc(mem, 1, sizeof(*ep));
  if (!ep)
    return CSCTP_ERR_NOMEM;
  ep->mem = *mem;
  ep->rand = rand ? rand : csctp_rand_default;
  ep->rand_ud = rand ? rand_user_data : NULL;
  ep->port = port;
  ep->settings = *settings;
  ep->next_id = 1;
  /* Events are reserved up front so that the common ones never need an
   * allocation that could fail. */
  ep->events = csctp_malloc(&ep->mem, EP_INITIAL_EVENTS * sizeof(csctp_event));
  ep->ev_cap = EP_INITIAL_EVENTS;
  if (!ep->events) {
    csctp_free(&ep->mem, ep);
    return CSCTP_ERR_NOMEM;
  }
  ep->secret_born = ep->secret_used_until = now;
  if (ep->rand(ep->secret, sizeof(ep->secret), ep->rand_ud) != 0) {
    csctp_free(&ep->mem, ep->events);
    csctp_free(&ep->mem, ep->ctrl);
    csctp_free(&ep->mem, ep);
    return CSCTP_ERR_RANDOM;
  }
  /* The index hash seed, derived from the first secret so that it costs
   * no draw of its own: one-way (HMAC), so it tells nothing of the key. */
  uint8_t seed[32];
  csctp_hmac_sha256(ep->secret, sizeof(ep->secret),
                    (const uint8_t *)"csctp index seed", 16, seed);
  memcpy(&ep->hash_seed, seed, sizeof(ep->hash_seed));
  *pep = ep;
  return 0;
}

void csctp_endpoint_del(csctp_endpoint *ep) {
  if (!ep)
    return;
  while (ep->assocs)
    csctp_assoc_free(ep->assocs);
  csctp_ep_index_free(ep);
  for (size_t i = 0; i < ep->ev_len; i++)
    csctp_event_clear(ep, &ep->events[(ep->ev_head + i) % ep->ev_cap]);
  csctp_free(&ep->mem, ep->events);
  csctp_free(&ep->mem, ep->laddrs);
  csctp_free(&ep->mem, ep->ctrl);
  csctp_auth_ep_free(&ep->mem, ep->auth);
  csctp_mem mem = ep->mem;
  csctp_free(&mem, ep);
}

uint16_t csctp_endpoint_port(const csctp_endpoint *ep) { return ep->port; }

int csctp_endpoint_set_local_addrs(csctp_endpoint *ep, const csctp_addr *addrs,
                                   size_t n) {
  if (n > CSCTP_MAX_PATHS || (n > 0 && !addrs))
    return CSCTP_ERR_INVAL;
  for (size_t i = 0; i < n; i++)
    if (addrs[i].family != CSCTP_AF_INET && addrs[i].family != CSCTP_AF_INET6)
      return CSCTP_ERR_INVAL;
  csctp_addr *copy = NULL;
  if (n > 0) {
    copy = csctp_malloc(&ep->mem, n * sizeof(*copy));
    if (!copy)
      return CSCTP_ERR_NOMEM;
    memcpy(copy, addrs, n * sizeof(*copy));
  }
  csctp_free(&ep->mem, ep->laddrs);
  ep->laddrs = copy;
  ep->nladdrs = n;
  return 0;
}

const csctp_settings *csctp_endpoint_settings(const csctp_endpoint *ep) {
  return &ep->settings;
}

int csctp_endpoint_set_settings(csctp_endpoint *ep, const csctp_settings *s) {
  if (!s || !ep_settings_valid(s))
    return CSCTP_ERR_INVAL;
  ep->settings = *s;
  return 0;
}

static int ep_ctrl_ring(csctp_endpoint *ep);

int csctp_endpoint_listen(csctp_endpoint *ep, int enable) {
  if (enable && ep_ctrl_ring(ep) != 0)
    return CSCTP_ERR_NOMEM;
  ep->listening = enable != 0;
  return 0;
}

void csctp_endpoint_set_log(csctp_endpoint *ep, csctp_log_fn fn,
                            void *user_data) {
  ep->log = fn;
  ep->log_ud = user_data;
}

void csctp_ep_log(csctp_endpoint *ep, const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  ep->log(line, ep->log_ud);
}

int csctp_ep_random(csctp_endpoint *ep, void *dst, size_t len) {
  return ep->rand(dst, len, ep->rand_ud) == 0 ? 0 : CSCTP_ERR_RANDOM;
}

/* 5.3.1: tags are random and never 0. */
uint32_t csctp_ep_random_tag(csctp_endpoint *ep) {
  uint32_t t = 0;
  while (t == 0) {
    uint8_t b[4];
    if (csctp_ep_random(ep, b, 4) != 0)
      b[0] = b[1] = b[2] = b[3] = 0x5a; /* never 0; rand failure is rare */
    t = csctp_get32(b);
  }
  return t;
}

void csctp_endpoint_stats_get(const csctp_endpoint *ep,
                              csctp_endpoint_stats *st) {
  *st = ep->stats;
  st->assocs = ep->nassocs;
}

size_t csctp_endpoint_assoc_ids(const csctp_endpoint *ep, csctp_assoc_id *ids,
                                size_t max) {
  size_t n = 0;
  for (csctp_assoc *a = ep->assocs; a; a = a->next, n++)
    if (n < max)
      ids[n] = a->id;
  return n;
}

int csctp_pkt_ports(const uint8_t *pkt, size_t len, uint16_t *src_port,
                    uint16_t *dst_port) {
  if (!pkt || len < CSCTP_COMMON_HDR_LEN)
    return CSCTP_ERR_MALFORMED;
  if (src_port)
    *src_port = csctp_get16(pkt);
  if (dst_port)
    *dst_port = csctp_get16(pkt + 2);
  return 0;
}

/* ---- Events ------------------------------------------------------------ */

#define EP_MAX_EVENTS 65536

int csctp_ep_push_event(csctp_endpoint *ep, const csctp_event *ev) {
  if (ep->ev_len == ep->ev_cap) {
    size_t cap = ep->ev_cap ? ep->ev_cap * 2 : 16;
    if (cap > EP_MAX_EVENTS)
      return CSCTP_ERR_LIMIT;
    csctp_event *n = csctp_malloc(&ep->mem, cap * sizeof(*n));
    if (!n)
      return CSCTP_ERR_NOMEM;
    for (size_t i = 0; i < ep->ev_len; i++)
      n[i] = ep->events[(ep->ev_head + i) % ep->ev_cap];
    csctp_free(&ep->mem, ep->events);
    ep->events = n;
    ep->ev_cap = cap;
    ep->ev_head = 0;
  }
  ep->events[(ep->ev_head + ep->ev_len) % ep->ev_cap] = *ev;
  ep->ev_len++;
  return 0;
}

size_t csctp_endpoint_poll_events(csctp_endpoint *ep, csctp_event *evs,
                                  size_t max) {
  size_t n = 0;
  while (n < max && ep->ev_len > 0) {
    evs[n++] = ep->events[ep->ev_head];
    ep->ev_head = (ep->ev_head + 1) % ep->ev_cap;
    ep->ev_len--;
  }
  return n;
}

void csctp_event_clear(csctp_endpoint *ep, csctp_event *ev) {
  if (ev->type == CSCTP_EV_SEND_FAILED && ev->u.send_failed.data) {
    csctp_free(&ep->mem, ev->u.send_failed.data);
    ev->u.send_failed.data = NULL;
  }
  if (ev->type == CSCTP_EV_STREAM_RESET && ev->u.stream_reset.sids) {
    csctp_free(&ep->mem, ev->u.stream_reset.sids);
    ev->u.stream_reset.sids = NULL;
  }
}

/* ---- Control packets outside associations ------------------------------ */

/* ep_ctrl_ring allocates the ring of control slots: when the endpoint
 * starts listening (so that answering an INIT never allocates, 5.1.3), or
 * on first use for one that only dials (most never need it). */
static int ep_ctrl_ring(csctp_endpoint *ep) {
  if (!ep->ctrl)
    ep->ctrl =
        csctp_malloc(&ep->mem, sizeof(csctp_ctrl_slot) * CSCTP_CTRL_SLOTS);
  return ep->ctrl ? 0 : CSCTP_ERR_NOMEM;
}

csctp_ctrl_slot *csctp_ep_ctrl_slot(csctp_endpoint *ep) {
  if (ep->ctrl_len == CSCTP_CTRL_SLOTS || ep_ctrl_ring(ep) != 0)
    return NULL;
  csctp_ctrl_slot *s =
      &ep->ctrl[(ep->ctrl_head + ep->ctrl_len) % CSCTP_CTRL_SLOTS];
  ep->ctrl_len++;
  return s;
}

static void ep_ctrl_unreserve(csctp_endpoint *ep) { ep->ctrl_len--; }

void csctp_ep_send_ctrl(csctp_endpoint *ep, const csctp_addr *dst,
                        uint16_t peer_port, uint32_t vtag, uint8_t type,
                        uint8_t flags, uint16_t cause, const void *value,
                        size_t len) {
  csctp_ctrl_slot *s = csctp_ep_ctrl_slot(ep);
  if (!s)
    return; /* like a loss; the peer retransmits */
  csctp_buf b;
  csctp_buf_init(&b, s->pkt, sizeof(s->pkt));
  if (csctp_pkt_begin(&b, ep->port, peer_port, vtag) != 0 ||
      csctp_put_cause_chunk(&b, type, flags, cause, value, len) != 0) {
    ep_ctrl_unreserve(ep);
    return;
  }
  s->dst = *dst;
  memset(&s->src, 0, sizeof(s->src));
  s->len = csctp_pkt_finish(&b);
}

/* 5.1.2: the peer's addresses are the INIT's source address plus every
 * address parameter listed (as far as 3.2.1 lets us process them), up to
 * max. Returns the count. */
static size_t ep_collect_addrs(const csctp_init *in, const csctp_addr *src,
                               csctp_addr *out, size_t max) {
  size_t n = 0;
  out[n++] = *src;
  csctp_tlv_iter it;
  csctp_tlv p;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while (n < max && csctp_init_param_next(&it, &p) != CSCTP_PARAM_END) {
    csctp_addr a;
    if ((p.type != CSCTP_PT_IPV4 && p.type != CSCTP_PT_IPV6) ||
        csctp_addr_param_decode(&p, &a) != 0)
      continue;
    if (a.family != src->family)
      continue; /* we only reach the peer in the family it used */
    a.port = src->port;
    int dup = 0;
    for (size_t i = 0; i < n; i++)
      dup |= csctp_addr_equal(&out[i], &a);
    if (!dup)
      out[n++] = a;
  }
  return n;
}

/* 3.2.1, 3.2.2: unknown parameters whose second bit says "report" go back
 * in the INIT ACK as Unrecognized Parameters, up to the first one that
 * stops processing. */
static void ep_report_unknown_params(const csctp_init *in, csctp_buf *b) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END) {
    if (rv != CSCTP_PARAM_REPORT)
      continue;
    size_t save = b->len;
    if (csctp_put_param(b, CSCTP_PT_UNRECOGNIZED, p.raw, p.length) != 0)
      b->len = save; /* no room: report fewer */
  }
}

/* ---- State Cookie keys, 5.1.3 ------------------------------------------ */

static csctp_tstamp ep_tstamp_add(csctp_tstamp t, csctp_tstamp d) {
  return t > CSCTP_TSTAMP_NEVER - d ? CSCTP_TSTAMP_NEVER : t + d;
}

/* 5.1.3: the key that signs State Cookies SHOULD change from time to time;
 * here every Valid.Cookie.Life, as the caller's time `now` passes (checked
 * whenever a key is about to be used). The previous key stays valid until
 * every cookie it signed has reached the end of its life, and at least one
 * more period, so that a cookie echoed a little late still authenticates
 * and draws its Stale Cookie error; the key before that is forgotten. */
static void ep_secret_tick(csctp_endpoint *ep, csctp_tstamp now) {
  csctp_tstamp period = ep->settings.valid_cookie_life;
  if (now < ep->secret_born || now - ep->secret_born < period)
    return;
  if (ep->has_old_secret && now < ep->old_secret_until)
    return; /* the previous key still guards cookies in their life */
  uint8_t fresh[CSCTP_COOKIE_KEY_LEN];
  if (csctp_ep_random(ep, fresh, sizeof(fresh)) != 0)
    return; /* keep the current key; try again next time */
  memcpy(ep->old_secret, ep->secret, sizeof(ep->old_secret));
  ep->has_old_secret = 1;
  ep->old_secret_until = ep_tstamp_add(now, period);
  if (ep->secret_used_until > ep->old_secret_until)
    ep->old_secret_until = ep->secret_used_until;
  memcpy(ep->secret, fresh, sizeof(ep->secret));
  ep->secret_born = ep->secret_used_until = now;
}

/* 5.1.5 (1), (2): authenticate with the current key, else the previous
 * one while it is kept. */
static int ep_cookie_open(const csctp_endpoint *ep, const csctp_tlv *c,
                          csctp_tstamp now, csctp_cookie *ck) {
  int rv = csctp_cookie_decode(c->value, c->value_len, ep->secret, ck);
  if (rv == CSCTP_ERR_PROTO && ep->has_old_secret &&
      now <= ep->old_secret_until)
    rv = csctp_cookie_decode(c->value, c->value_len, ep->old_secret, ck);
  return rv;
}

static void ep_fill_cookie(csctp_endpoint *ep, csctp_cookie *ck,
                           const csctp_settings *s, const csctp_init *init,
                           const csctp_pkt_hdr *hdr, const csctp_addr *src,
                           csctp_tstamp now) {
  memset(ck, 0, sizeof(*ck));
  ck->created = now;
  ck->lifetime = s->valid_cookie_life;
  ck->peer_tag = init->init_tag;
  ck->peer_tsn = init->init_tsn;
  ck->peer_rwnd = init->a_rwnd;
  /* 5.1.1: outbound = min(our wish, their MIS), inbound = min(their OS,
   * our MIS). */
  ck->ostreams = s->num_ostreams < init->max_instreams ? s->num_ostreams
                                                       : init->max_instreams;
  ck->istreams = init->num_ostreams < s->max_instreams ? init->num_ostreams
                                                       : s->max_instreams;
  ck->local_port = ep->port;
  ck->peer_port = hdr->src_port;
  ck->src = *src;
  size_t max = s->max_init_addrs;
  if (max > CSCTP_COOKIE_MAX_ADDRS)
    max = CSCTP_COOKIE_MAX_ADDRS;
  ck->naddrs = (uint8_t)ep_collect_addrs(init, src, ck->addrs, max);
  /* RFC 3758 3.3.2: PR-SCTP when both sides announce it. */
  ck->pr = s->pr_supported && csctp_prsctp_peer_supports(init);
  /* RFC 6525 5.1.1 */
  ck->reconf = s->reconf_supported && csctp_reconf_peer_supports(init);
  /* RFC 8260 2.2.1 */
  ck->idata = s->interleaving_supported && csctp_idata_peer_supports(init);
  /* RFC 8260 2.3.1: PR-SCTP with I-DATA only with I-FORWARD-TSN */
  if (ck->idata)
    ck->pr = s->pr_supported && csctp_idata_peer_supports_ifwd(init);
  ck->zcsum = (uint8_t)csctp_zcsum_negotiate(s, init); /* RFC 9653 5.2 */
}

static int ep_put_local_addrs(const csctp_endpoint *ep, csctp_buf *b) {
  for (size_t i = 0; i < ep->nladdrs; i++) {
    int rv = csctp_put_addr_param(b, &ep->laddrs[i]);
    if (rv != 0)
      return rv;
  }
  return 0;
}

/* 5.2.1, 5.2.2: Tie-Tags, random values other than 0 chosen once per TCB
 * and copied into the cookie. */
static void ep_tie_tags(csctp_endpoint *ep, csctp_assoc *a, csctp_cookie *ck) {
  if (a->local_tie_tag == 0) {
    a->local_tie_tag = csctp_ep_random_tag(ep);
    a->peer_tie_tag = csctp_ep_random_tag(ep);
  }
  ck->local_tie_tag = a->local_tie_tag;
  ck->peer_tie_tag = a->peer_tie_tag;
}

/* RFC 4895 6.1: our AUTH parameters for an INIT ACK, and the two key
 * vectors for the cookie (6.3). In an INIT collision the Random Number of
 * our INIT is reused, as its tag is (5.2.1). Returns 0, or CSCTP_ERR_PROTO
 * when the peer's Random Number is not 32 bytes (6.1: abort). */
static int ep_auth_answer(csctp_endpoint *ep, const csctp_assoc *in_setup,
                          const csctp_init *init, csctp_cookie *ck) {
  int pl = csctp_auth_peer_vec(init, ck->auth_peer);
  if (pl < 0)
    return pl;
  int ll;
  if (in_setup && in_setup->auth && in_setup->auth->local_len) {
    ll = in_setup->auth->local_len;
    memcpy(ck->auth_local, in_setup->auth->local_vec, (size_t)ll);
  } else {
    ll = csctp_auth_make_vec(ep, ck->auth_local);
  }
  ck->auth_local_len = ll > 0 ? (uint16_t)ll : 0;
  ck->auth_peer_len = (uint16_t)pl;
  return 0;
}

void csctp_ep_answer_init(csctp_endpoint *ep, csctp_assoc *existing,
                          const csctp_pkt_hdr *hdr, const csctp_init *init,
                          const csctp_addr *src, const csctp_addr *dst,
                          csctp_tstamp now) {
  const csctp_settings *s = existing ? &existing->s : &ep->settings;
  csctp_cookie ck;
  ep_fill_cookie(ep, &ck, s, init, hdr, src, now);
  csctp_init ack;
  memset(&ack, 0, sizeof(ack));
  if (existing && (existing->state == CSCTP_STATE_COOKIE_WAIT ||
                   existing->state == CSCTP_STATE_COOKIE_ECHOED)) {
    /* 5.2.1: same parameters as our own INIT, tag unchanged. */
    ack.init_tag = existing->local_tag;
    ack.init_tsn = existing->local_initial_tsn;
    if (existing->state == CSCTP_STATE_COOKIE_ECHOED)
      ep_tie_tags(ep, existing, &ck);
  } else {
    ack.init_tag = csctp_ep_random_tag(ep);
    uint8_t b4[4];
    if (csctp_ep_random(ep, b4, 4) != 0)
      return;
    ack.init_tsn = csctp_get32(b4);
    if (existing)
      ep_tie_tags(ep, existing, &ck);
  }
  ck.local_tag = ack.init_tag;
  ck.local_tsn = ack.init_tsn;
  int in_setup = existing && (existing->state == CSCTP_STATE_COOKIE_WAIT ||
                              existing->state == CSCTP_STATE_COOKIE_ECHOED);
  if (csctp_auth_ep_enabled(ep) &&
      ep_auth_answer(ep, in_setup ? existing : NULL, init, &ck) != 0) {
    csctp_ep_send_ctrl(ep, src, hdr->src_port, init->init_tag, CSCTP_CT_ABORT,
                       0, CSCTP_CAUSE_PROTOCOL_VIOLATION, NULL, 0);
    return;
  }
  ack.a_rwnd = s->rcvbuf;
  ack.num_ostreams = ck.ostreams;
  ack.max_instreams = s->max_instreams;

  csctp_ctrl_slot *slot = csctp_ep_ctrl_slot(ep);
  if (!slot) {
    ep->stats.inits_dropped++;
    return;
  }
  uint8_t cookie[CSCTP_COOKIE_MAX_LEN];
  ep_secret_tick(ep, now);
  size_t clen = csctp_cookie_encode(&ck, ep->secret, cookie, sizeof(cookie));
  csctp_tstamp until = ep_tstamp_add(ck.created, ck.lifetime);
  if (clen != 0 && until > ep->secret_used_until)
    ep->secret_used_until = until;
  size_t cap = s->pmtu < sizeof(slot->pkt) ? s->pmtu : sizeof(slot->pkt);
  csctp_buf b;
  size_t off;
  csctp_buf_init(&b, slot->pkt, cap);
  if (clen == 0 ||
      csctp_pkt_begin(&b, ep->port, hdr->src_port, init->init_tag) != 0 ||
      csctp_put_init_begin(&b, CSCTP_CT_INIT_ACK, &ack, &off) != 0 ||
      csctp_put_param(&b, CSCTP_PT_STATE_COOKIE, cookie, clen) != 0 ||
      (src->family != CSCTP_AF_CONN && /* RFC 8261 6.1 */
       ep_put_local_addrs(ep, &b) != 0) ||
      (ck.auth_local_len &&
       csctp_auth_put_vec(&b, ck.auth_local, ck.auth_local_len) != 0) ||
      csctp_prsctp_put_init_params(&b, s) != 0 ||
      csctp_put_supported_ext(&b, s->pr_supported, ck.auth_local_len != 0,
                              s->reconf_supported, s->interleaving_supported,
                              ck.auth_local_len != 0 &&
                                  csctp_asconf_ep_enabled(ep)) != 0 ||
      csctp_zcsum_put_param(&b, s) != 0) { /* RFC 9653 5.1 */
    ep_ctrl_unreserve(ep);
    ep->stats.inits_dropped++;
    return;
  }
  ep_report_unknown_params(init, &b);
  if (csctp_chunk_end(&b, off) != 0) {
    ep_ctrl_unreserve(ep);
    ep->stats.inits_dropped++;
    return;
  }
  slot->dst = *src;
  if (dst)
    slot->src = *dst;
  else
    memset(&slot->src, 0, sizeof(slot->src));
  slot->len = csctp_pkt_finish(&b);
}

/* ---- Input ------------------------------------------------------------- */

/* What a packet holds, found by one pass over its chunk headers. */
typedef struct ep_scan {
  uint8_t first_type, second_type;
  int nchunks;   /* well-formed chunks, in front of any malformed one */
  size_t len;    /* their bytes: what is processed */
  int malformed; /* a malformed chunk follows them (6.10) */
  int has_init, has_init_ack, has_abort, has_shutdown_ack;
  int has_shutdown_complete, has_cookie_ack, has_stale_cookie_error;
  uint8_t abort_flags, shutdown_complete_flags;
} ep_scan;

static int ep_is_stale_cookie_error(const csctp_tlv *c) {
  csctp_tlv_iter it;
  csctp_tlv cause;
  csctp_tlv_iter_init(&it, c->value, c->value_len);
  while (csctp_param_next(&it, &cause) == 1)
    if (cause.type == CSCTP_CAUSE_STALE_COOKIE)
      return 1;
  return 0;
}

/* One pass over the chunk headers. 6.10: chunks are processed in order
 * and a partial chunk is dropped; one whose Length is below 4, runs past
 * the packet or does not cover its type's fixed fields ends the scan, and
 * it and whatever follows it are left out. */
static void ep_scan_chunks(const uint8_t *p, size_t len, ep_scan *sc) {
  memset(sc, 0, sizeof(*sc));
  csctp_tlv_iter it;
  csctp_tlv c;
  int rv;
  csctp_tlv_iter_init(&it, p, len);
  while ((rv = csctp_chunk_next(&it, &c)) == 1) {
    if (csctp_chunk_check(&c) != 0) {
      rv = CSCTP_ERR_MALFORMED;
      break;
    }
    sc->len = len - it.left;
    if (sc->nchunks == 1)
      sc->second_type = (uint8_t)c.type;
    if (sc->nchunks++ == 0)
      sc->first_type = (uint8_t)c.type;
    switch (c.type) {
    case CSCTP_CT_INIT:
      sc->has_init = 1;
      break;
    case CSCTP_CT_INIT_ACK:
      sc->has_init_ack = 1;
      break;
    case CSCTP_CT_ABORT:
      sc->has_abort = 1;
      sc->abort_flags = c.flags;
      break;
    case CSCTP_CT_SHUTDOWN_ACK:
      sc->has_shutdown_ack = 1;
      break;
    case CSCTP_CT_SHUTDOWN_COMPLETE:
      sc->has_shutdown_complete = 1;
      sc->shutdown_complete_flags = c.flags;
      break;
    case CSCTP_CT_COOKIE_ACK:
      sc->has_cookie_ack = 1;
      break;
    case CSCTP_CT_ERROR:
      sc->has_stale_cookie_error |= ep_is_stale_cookie_error(&c);
      break;
    }
  }
  sc->malformed = rv < 0;
}

/* 8.4: answer an out-of-the-blue packet. */
static void ep_ootb(csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                    const ep_scan *sc, const csctp_addr *src) {
  ep->stats.ootb++;
  if (sc->has_abort || sc->has_shutdown_complete || sc->has_cookie_ack ||
      sc->has_stale_cookie_error)
    return;                   /* 8.4 (2), (6), (7) */
  if (sc->has_shutdown_ack) { /* 8.4 (5) */
    csctp_ep_send_ctrl(ep, src, hdr->src_port, hdr->vtag,
                       CSCTP_CT_SHUTDOWN_COMPLETE, CSCTP_FLAG_T, 0, NULL, 0);
    return;
  }
  /* 8.4 (8) */
  csctp_ep_send_ctrl(ep, src, hdr->src_port, hdr->vtag, CSCTP_CT_ABORT,
                     CSCTP_FLAG_T, 0, NULL, 0);
}

/* 5.2.1, 5.2.2: an INIT for an existing association that lists addresses
 * the association does not have is refused with ABORT (tag: the INIT's
 * Initiate Tag) carrying "Restart of an Association with New Addresses"
 * and the new addresses. Returns 1 when it did so.
 * The addresses compared are those an association keeps from an INIT: the
 * source and the first ones listed, up to its max_init_addrs (see
 * csctp_assoc_add_path). Listing more than that adds nothing, so a peer
 * restarting with its usual long list is not refused; a new address within
 * the kept ones still is (RFC 5062 2). */
static int ep_init_adds_addrs(csctp_endpoint *ep, const csctp_assoc *a,
                              const csctp_init *init, const csctp_addr *src,
                              const csctp_pkt_hdr *hdr) {
  csctp_addr addrs[CSCTP_MAX_PATHS];
  size_t max = a->s.max_init_addrs;
  if (max > CSCTP_MAX_PATHS)
    max = CSCTP_MAX_PATHS;
  size_t n = ep_collect_addrs(init, src, addrs, max);
  uint8_t value[CSCTP_MAX_PATHS * 20];
  csctp_buf b;
  csctp_buf_init(&b, value, sizeof(value));
  for (size_t i = 0; i < n; i++)
    if (csctp_assoc_find_path(a, &addrs[i]) < 0)
      csctp_put_addr_param(&b, &addrs[i]);
  if (b.len == 0)
    return 0;
  csctp_ep_send_ctrl(ep, src, hdr->src_port, init->init_tag, CSCTP_CT_ABORT, 0,
                     CSCTP_CAUSE_RESTART_NEW_ADDRS, value, b.len);
  return 1;
}

/* 5.1, 5.2.1, 5.2.2, 8.4 (3): a packet holding INIT. */
static void ep_on_init(csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                       const uint8_t *chunks, size_t len, const csctp_addr *src,
                       const csctp_addr *dst, csctp_tstamp now) {
  csctp_tlv_iter it;
  csctp_tlv c;
  csctp_init init;
  csctp_tlv_iter_init(&it, chunks, len);
  /* 8.5.1 A: the packet must hold only the INIT, with tag 0. */
  if (hdr->vtag != 0 || csctp_chunk_next(&it, &c) != 1 ||
      c.type != CSCTP_CT_INIT || it.left != 0 ||
      csctp_init_decode(&c, &init) != 0) {
    ep->stats.malformed++;
    return;
  }
  if (init.init_tag == 0) /* 3.3.2: silently discard */
    return;
  if (init.a_rwnd < 1500) { /* 3.3.2: too small to be an SCTP peer */
    csctp_ep_send_ctrl(ep, src, hdr->src_port, init.init_tag, CSCTP_CT_ABORT, 0,
                       CSCTP_CAUSE_INVALID_PARAM, NULL, 0);
    return;
  }
  if (init.num_ostreams == 0 || init.max_instreams == 0) {
    /* 3.3.2: a protocol violation; answer with ABORT (8.4 (3)). */
    csctp_ep_send_ctrl(ep, src, hdr->src_port, init.init_tag, CSCTP_CT_ABORT, 0,
                       CSCTP_CAUSE_INVALID_PARAM, NULL, 0);
    return;
  }
  csctp_assoc *a = csctp_ep_find_peer(ep, src, hdr->src_port);
  if (a)
    csctp_ep_touch(a); /* an INIT may change its state or make it send */
  if (a && a->state != CSCTP_STATE_COOKIE_WAIT &&
      ep_init_adds_addrs(ep, a, &init, src, hdr)) {
    return; /* 5.2.1, 5.2.2: answered with ABORT, association unchanged */
  }
  if (a && a->state == CSCTP_STATE_SHUTDOWN_ACK_SENT) {
    a->send_shutdown_ack = 1; /* 9.2: resend SHUTDOWN ACK */
    return;
  }
  if (!a && !ep->listening) {
    csctp_ep_send_ctrl(ep, src, hdr->src_port, init.init_tag, CSCTP_CT_ABORT, 0,
                       0, NULL, 0);
    return;
  }
  if (!a && ep->nassocs >= ep->settings.max_assocs) {
    ep->stats.inits_dropped++;
    csctp_ep_send_ctrl(ep, src, hdr->src_port, init.init_tag, CSCTP_CT_ABORT, 0,
                       CSCTP_CAUSE_OUT_OF_RESOURCE, NULL, 0);
    return;
  }
  csctp_ep_answer_init(ep, a, hdr, &init, src, dst, now);
}

static void ep_stale_cookie(csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                            const csctp_cookie *ck, const csctp_addr *src,
                            csctp_tstamp now) {
  /* 3.3.10.3: staleness in microseconds. */
  csctp_tstamp late = now - (ck->created + ck->lifetime);
  uint64_t us = late / 1000;
  uint8_t v[4];
  csctp_put32(v, us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
  ep->stats.bad_cookie++;
  csctp_ep_send_ctrl(ep, src, hdr->src_port, ck->peer_tag, CSCTP_CT_ERROR, 0,
                     CSCTP_CAUSE_STALE_COOKIE, v, sizeof(v));
}

/* 5.1.5 and 5.2.4: a packet whose first chunk is COOKIE ECHO. Returns the
 * association that should process the rest of the packet, or NULL. */
static csctp_assoc *ep_on_cookie_echo(csctp_endpoint *ep,
                                      const csctp_pkt_hdr *hdr,
                                      const csctp_tlv *c, const csctp_addr *src,
                                      int authed, csctp_tstamp now) {
  csctp_cookie ck;
  ep_secret_tick(ep, now);
  if (ep_cookie_open(ep, c, now, &ck) != 0 || ck.local_port != ep->port ||
      ck.peer_port != hdr->src_port) {
    ep->stats.bad_cookie++; /* 5.1.5 (2): silently discard */
    return NULL;
  }
  if (!authed && ck.auth_peer_len &&
      csctp_auth_vec_lists(ck.auth_local, ck.auth_local_len,
                           CSCTP_CT_COOKIE_ECHO))
    return NULL; /* RFC 4895 6.3: listed, so only after an AUTH chunk */
  if (hdr->vtag != ck.local_tag) { /* 5.1.5 (3) */
    ep->stats.bad_vtag++;
    return NULL;
  }
  csctp_assoc *a = csctp_ep_find_peer(ep, &ck.src, hdr->src_port);
  for (size_t i = 0; !a && i < ck.naddrs; i++)
    a = csctp_ep_find_peer(ep, &ck.addrs[i], hdr->src_port);
  if (a)
    csctp_ep_touch(a);
  int expired = now > ck.created + ck.lifetime;
  if (a) {
    /* 5.2.4 (3): an old cookie is fine only when both tags match (E). */
    if (expired && !(ck.local_tag == a->local_tag && a->peer_tag != 0 &&
                     ck.peer_tag == a->peer_tag)) {
      ep_stale_cookie(ep, hdr, &ck, src, now);
      return NULL;
    }
    return csctp_assoc_on_cookie_echo(a, &ck, now) ? a : NULL;
  }
  if (expired) {
    ep_stale_cookie(ep, hdr, &ck, src, now);
    return NULL;
  }
  if (ep->nassocs >= ep->settings.max_assocs) {
    ep->stats.inits_dropped++;
    csctp_ep_send_ctrl(ep, src, hdr->src_port, ck.peer_tag, CSCTP_CT_ABORT, 0,
                       CSCTP_CAUSE_OUT_OF_RESOURCE, NULL, 0);
    return NULL;
  }
  a = csctp_assoc_new(ep, &ep->settings);
  if (!a)
    return NULL; /* out of memory: the peer will retransmit */
  a->peer_port = ck.peer_port;
  a->peer_tag = ck.peer_tag;
  a->local_initial_tsn = ck.local_tsn;
  a->pr.on = ck.pr;
  a->reconf.on = ck.reconf;
  a->idata_on = ck.idata;
  a->zcsum_send = ck.zcsum;
  int rv = csctp_ep_index_tag(a, ck.local_tag);
  if (rv == 0)
    rv = csctp_assoc_add_path(a, &ck.src, now);
  for (size_t i = 0; rv == 0 && i < ck.naddrs; i++) {
    if (csctp_assoc_find_path(a, &ck.addrs[i]) >= 0)
      continue;
    rv = csctp_assoc_add_path(a, &ck.addrs[i], now);
    int pi = csctp_assoc_find_path(a, &ck.addrs[i]);
    if (rv == 0 && pi >= 0) /* 5.4: listed addresses need confirming */
      a->paths[pi].state = CSCTP_PATH_UNCONFIRMED;
  }
  /* 5.4: the COOKIE ECHO's source answered our INIT ACK: it is confirmed
   * and becomes the primary path (RFC 6951 5.4: with its UDP port). */
  int si = csctp_assoc_find_path(a, src);
  if (rv == 0 && si < 0 && csctp_assoc_add_path(a, src, now) == 0)
    si = csctp_assoc_find_path(a, src);
  if (rv == 0 && si >= 0) {
    a->paths[si].addr.port = src->port;
    a->paths[si].state = CSCTP_PATH_ACTIVE;
    a->primary = (uint8_t)si;
  }
  if (rv == 0)
    rv = csctp_assoc_start(a, ck.peer_tsn, ck.peer_rwnd, ck.ostreams,
                           ck.istreams, now);
  if (rv == 0) /* RFC 4895 6.1: keys from the vectors in the cookie */
    rv = csctp_auth_assoc_setup(a, ck.auth_local, ck.auth_local_len,
                                ck.auth_peer, ck.auth_peer_len);
  if (rv != 0) {
    csctp_assoc_free(a);
    return NULL;
  }
  a->send_cookie_ack = 1;
  csctp_assoc_established(a, now);
  return a;
}

/* RFC 4895 6.3: AUTH first, COOKIE ECHO second. With an association for
 * the packet, its keys judge the AUTH; without one, the key vectors in the
 * cookie (and the endpoint's shared keys). Not authentic: discarded. */
static void ep_on_auth_cookie_echo(csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                                   const uint8_t *chunks, size_t clen,
                                   const csctp_addr *src, const csctp_addr *dst,
                                   csctp_tstamp now) {
  csctp_tlv_iter it;
  csctp_tlv auth, c;
  csctp_cookie ck;
  csctp_tlv_iter_init(&it, chunks, clen);
  csctp_chunk_next(&it, &auth);
  csctp_chunk_next(&it, &c);
  ep_secret_tick(ep, now);
  if (ep_cookie_open(ep, &c, now, &ck) != 0) {
    ep->stats.bad_cookie++;
    return;
  }
  csctp_assoc *a = csctp_ep_find_peer(ep, &ck.src, hdr->src_port);
  for (size_t i = 0; !a && i < ck.naddrs; i++)
    a = csctp_ep_find_peer(ep, &ck.addrs[i], hdr->src_port);
  int ok = a && csctp_auth_on(a)
               ? csctp_auth_on_chunk(a, &auth, chunks + clen)
               : csctp_auth_check_with_vecs(
                     ep, ck.auth_local, ck.auth_local_len, ck.auth_peer,
                     ck.auth_peer_len, &auth, chunks + clen);
  if (!ok)
    return;
  a = ep_on_cookie_echo(ep, hdr, &c, src, 1, now);
  if (a && it.left > 0) {
    if (a->auth)
      a->auth->preverified = 1;
    csctp_assoc_input(a, hdr, it.p, it.left, src, dst, 0, now);
  }
}

/* 8.5.1 B, C: ABORT and SHUTDOWN COMPLETE may carry the peer's tag with
 * the T bit set -- only a tag we know: in COOKIE-WAIT (and after a Stale
 * Cookie error) the peer's tag is still 0, and nothing may be let in by
 * it. */
static csctp_assoc *ep_find_for_t_bit(const csctp_endpoint *ep,
                                      const csctp_pkt_hdr *hdr,
                                      const csctp_addr *src, uint8_t flags) {
  if (flags & CSCTP_FLAG_T) {
    csctp_assoc *a = csctp_ep_find_peer(ep, src, hdr->src_port);
    return a && a->peer_tag != 0 && a->peer_tag == hdr->vtag ? a : NULL;
  }
  return csctp_ep_find_tag(ep, hdr->vtag, hdr->src_port);
}

static int ep_in_setup(const csctp_assoc *a) {
  return a->state == CSCTP_STATE_COOKIE_WAIT ||
         a->state == CSCTP_STATE_COOKIE_ECHOED;
}

/* The well-formed chunks of a packet (sc->len bytes at chunks). */
static void ep_dispatch(csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                        const ep_scan *sc, const uint8_t *chunks,
                        const csctp_addr *src, const csctp_addr *dst,
                        csctp_tstamp now) {
  size_t clen = sc->len;
  /* 8.5.1 A: a packet with tag 0 holds only an INIT, else it is silently
   * discarded (it is no OOTB packet to answer with a reflected 0 tag). */
  if (hdr->vtag == 0 && !sc->has_init) {
    ep->stats.bad_vtag++;
    return;
  }
  /* 5.1: INIT ACK "MUST be the only chunk" of its packet; 3.1, 6.10: nor
   * is SHUTDOWN COMPLETE ever bundled. A packet breaking this is not one
   * a conforming peer sends: discard it whole. (INIT alone: ep_on_init.) */
  if ((sc->has_init_ack || sc->has_shutdown_complete) &&
      (sc->nchunks > 1 || sc->malformed)) {
    if (!sc->malformed)
      ep->stats.malformed++; /* else counted by the caller */
    return;
  }
  csctp_assoc *a = NULL;
  if (sc->first_type == CSCTP_CT_AUTH &&
      sc->second_type == CSCTP_CT_COOKIE_ECHO) {
    ep_on_auth_cookie_echo(ep, hdr, chunks, clen, src, dst, now);
    return;
  }
  if (sc->first_type == CSCTP_CT_COOKIE_ECHO) {
    csctp_tlv_iter it;
    csctp_tlv c;
    csctp_tlv_iter_init(&it, chunks, clen);
    csctp_chunk_next(&it, &c);
    a = ep_on_cookie_echo(ep, hdr, &c, src, 0, now);
    if (a && it.left > 0)
      csctp_assoc_input(a, hdr, it.p, it.left, src, dst, 0, now);
    return;
  }
  if (sc->has_abort)
    a = ep_find_for_t_bit(ep, hdr, src, sc->abort_flags);
  else if (sc->has_shutdown_complete)
    a = ep_find_for_t_bit(ep, hdr, src, sc->shutdown_complete_flags);
  else
    a = csctp_ep_find_tag(ep, hdr->vtag, hdr->src_port);
  if (sc->has_shutdown_ack && !sc->has_abort) {
    /* 8.5.1 E: in COOKIE-WAIT and COOKIE-ECHOED a SHUTDOWN ACK is out of
     * the blue (whatever its tag: a previous association's peer still
     * shutting down, 9.2), answered per 8.4 (5). */
    csctp_assoc *peer = a ? a : csctp_ep_find_peer(ep, src, hdr->src_port);
    if (peer && ep_in_setup(peer)) {
      ep_ootb(ep, hdr, sc, src);
      return;
    }
  }
  if (!a) {
    /* A packet with a tag we do not know but from a known peer is a
     * verification tag failure (8.5), not OOTB. */
    if (csctp_ep_find_peer(ep, src, hdr->src_port)) {
      ep->stats.bad_vtag++;
      return;
    }
    ep_ootb(ep, hdr, sc, src);
    return;
  }
  /* RFC 5061 5.3 F13: from an address the peer deleted, once the late
   * packets' grace (2 RTO) is over, a packet is out of the blue. */
  if (csctp_asconf_peer_gone(a, src, now)) {
    ep_ootb(ep, hdr, sc, src);
    return;
  }
  /* 8.5.1 B, C: a packet let in by the T bit under the peer's own tag may
   * only end the association; nothing else in it counts. */
  int reflected = hdr->vtag != a->local_tag;
  csctp_assoc_input(a, hdr, chunks, clen, src, dst, reflected, now);
}

int csctp_endpoint_read_pkt(csctp_endpoint *ep, const csctp_addr *src,
                            const csctp_addr *dst, const uint8_t *pkt,
                            size_t len, csctp_tstamp now) {
  csctp_pkt_hdr hdr;
  ep_scan sc;
  if (!ep || !src || !pkt)
    return CSCTP_ERR_INVAL;
  ep->stats.pkts_in++;
  if (csctp_pkt_hdr_decode(pkt, len, &hdr) != 0) {
    ep->stats.malformed++;
    return CSCTP_ERR_MALFORMED;
  }
  /* RFC 9653 5.3: a correct CRC32c, or zero where we announced a method. */
  if (!csctp_sctp_checksum_ok(pkt, len) && !csctp_zcsum_accept(ep, &hdr, src)) {
    ep->stats.bad_checksum++; /* 6.8: silently discard */
    return CSCTP_ERR_CHECKSUM;
  }
  if (hdr.dst_port != ep->port || hdr.src_port == 0) {
    ep->stats.malformed++;
    return CSCTP_ERR_MALFORMED;
  }
  const uint8_t *chunks = pkt + CSCTP_COMMON_HDR_LEN;
  size_t clen = len - CSCTP_COMMON_HDR_LEN;
  ep_scan_chunks(chunks, clen, &sc);
  if (sc.nchunks == 0) {
    ep->stats.malformed++;
    return CSCTP_ERR_MALFORMED;
  }
  if (src->family != CSCTP_AF_INET && src->family != CSCTP_AF_INET6 &&
      src->family != CSCTP_AF_CONN)
    return CSCTP_ERR_ADDR;
  if (sc.has_init) {
    /* 8.5.1 A, 12.3: judged on the whole packet (the INIT must be alone,
     * malformed bytes after it included). */
    ep_on_init(ep, &hdr, chunks, clen, src, dst, now);
    return sc.malformed ? CSCTP_ERR_MALFORMED : 0;
  }
  ep_dispatch(ep, &hdr, &sc, chunks, src, dst, now);
  if (sc.malformed) {
    ep->stats.malformed++; /* the chunk dropped with what followed it */
    return CSCTP_ERR_MALFORMED;
  }
  return 0;
}

/* ---- Output and timers ------------------------------------------------- */

csctp_ssize csctp_endpoint_write_pkt(csctp_endpoint *ep, csctp_addr *dst,
                                     csctp_addr *src, uint8_t *buf,
                                     size_t buflen, csctp_tstamp now) {
  return csctp_endpoint_write_pkt_flags(ep, dst, src, buf, buflen, now, NULL);
}

csctp_ssize csctp_endpoint_write_pkt_flags(csctp_endpoint *ep, csctp_addr *dst,
                                           csctp_addr *src, uint8_t *buf,
                                           size_t buflen, csctp_tstamp now,
                                           unsigned *flags) {
  unsigned tmpflags;
  if (!flags)
    flags = &tmpflags;
  *flags = 0;
  if (!ep || !dst || !buf)
    return CSCTP_ERR_INVAL;
  if (ep->ctrl_len > 0) {
    csctp_ctrl_slot *s = &ep->ctrl[ep->ctrl_head];
    if (buflen < s->len)
      return CSCTP_ERR_NOBUF;
    memcpy(buf, s->pkt, s->len);
    *dst = s->dst;
    if (src)
      *src = s->src;
    ep->ctrl_head = (ep->ctrl_head + 1) % CSCTP_CTRL_SLOTS;
    ep->ctrl_len--;
    ep->stats.pkts_out++;
    return (csctp_ssize)s->len;
  }
  if (buflen < ep->settings.pmtu)
    return CSCTP_ERR_NOBUF;
  /* Round robin over the active associations (the only ones that can have
   * something to send) so that one cannot starve the rest; one that has
   * nothing leaves the list, and is freed if it ended and has no data left
   * to read. */
  size_t n = ep->nactive;
  csctp_assoc *a = ep->act_cursor ? ep->act_cursor : ep->act_head;
  for (size_t i = 0; i < n && a; i++) {
    csctp_assoc *next = a->act_next ? a->act_next : ep->act_head;
    if (buflen < a->s.pmtu) { /* stays active: a larger buffer may come */
      a = next;
      continue;
    }
    csctp_addr tmp;
    csctp_ssize len = a->dead ? 0
                              : csctp_assoc_write_pkt(a, dst, src ? src : &tmp,
                                                      buf, buflen, now, flags);
    if (len > 0) {
      csctp_zcsum_finish(a, buf, (size_t)len); /* RFC 9653 5.2 */
      ep->act_cursor = next;
      ep->stats.pkts_out++;
      return len;
    }
    if (next == a)
      next = NULL;
    csctp_ep_idle(a);
    if (csctp_assoc_reapable(a))
      csctp_assoc_free(a);
    a = next ? next : ep->act_head;
  }
  return 0;
}

csctp_tstamp csctp_endpoint_get_expiry(const csctp_endpoint *ep) {
  return csctp_ep_next_expiry(ep);
}

int csctp_endpoint_handle_expiry(csctp_endpoint *ep, csctp_tstamp now) {
  csctp_ep_run_timers(ep, now);
  return 0;
}
