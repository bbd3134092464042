/* pmtud.c -- Packetization Layer Path MTU Discovery (RFC 8899) for SCTP
 * (RFC 8899 6.2; RFC 9260 7.3): per path, a search from BASE_PLPMTU up to
 * the configured upper bound with probe packets made of a HEARTBEAT and a
 * PAD chunk (RFC 4820), the raise timer, black-hole detection and PTB
 * input. Probes are outside congestion control and their loss is no path
 * error (RFC 8899 6.2.1.2: an unsuccessful probe is discounted). */
#include "config.h"

#include "pmtud.h"

#include "engine.h"

#include <string.h>

static uint32_t pmtud_align(uint32_t n) { return n & ~3u; }

void csctp_pmtud_init(csctp_pmtud *m, uint32_t max, int on) {
  memset(m, 0, sizeof(*m));
  if (max > 65532)
    max = 65532;
  m->max = (uint16_t)pmtud_align(max);
  m->on = on && m->max > CSCTP_PMTUD_BASE;
  /* 5.2: the PLPMTU starts at BASE_PLPMTU until the search confirms more. */
  m->plpmtu = (uint16_t)(m->on ? CSCTP_PMTUD_BASE : max);
  m->high = m->max;
  m->due = CSCTP_TSTAMP_NEVER;
}

/* 5.2: send a probe of size (the caller has set the state). */
static void pmtud_probe(csctp_pmtud *m, uint32_t size) {
  if (size != m->probed)
    m->probe_count = 0; /* 5.1.3: PROBE_COUNT counts probes of one size */
  m->probed = (uint16_t)size;
  m->send_now = 1;
  m->out = 0;
  m->raise = 0;
  m->due = CSCTP_TSTAMP_NEVER;
}

/* 5.3.2: the next size to probe: first the upper bound (a path as large
 * as the bound takes one round), after a failure halfway between the
 * confirmed size and the largest size not known to fail. */
static uint32_t pmtud_next_size(const csctp_pmtud *m) {
  if (!m->failed)
    return m->high;
  uint32_t mid = pmtud_align(m->plpmtu + (m->high - m->plpmtu + 4) / 2);
  if (mid <= m->plpmtu)
    mid = m->plpmtu + 4;
  return mid > m->high ? m->high : mid;
}

/* 5.2: SEARCHING goes on, or ends when no size is left between the
 * confirmed one and the smallest that failed. */
static void pmtud_search_step(csctp_pmtud *m, csctp_tstamp now) {
  if (m->high < m->plpmtu + 4) {
    m->state = CSCTP_PMTUD_SEARCH_COMPLETE;
    m->send_now = m->out = 0;
    m->probed = 0;
    m->raise = 1;
    m->due = now + CSCTP_PMTUD_RAISE_TIMER; /* 5.1.1 */
    return;
  }
  m->state = CSCTP_PMTUD_SEARCHING;
  pmtud_probe(m, pmtud_next_size(m));
}

/* 5.2: back to BASE (black hole, PTB below the PLPMTU): the PLPMTU is
 * BASE_PLPMTU and BASE_PLPMTU is confirmed again before a new search. */
static void pmtud_enter_base(csctp_pmtud *m, uint32_t high) {
  m->state = CSCTP_PMTUD_BASE_STATE;
  m->plpmtu = CSCTP_PMTUD_BASE;
  m->high = (uint16_t)(high < m->max ? pmtud_align(high) : m->max);
  m->failed = 0; /* the first probe after the base tries high */
  m->strikes = 0;
  pmtud_probe(m, CSCTP_PMTUD_BASE);
}

void csctp_pmtud_start(csctp_pmtud *m) {
  if (!m->on || m->state != CSCTP_PMTUD_DISABLED)
    return;
  pmtud_enter_base(m, m->max); /* 6.2.1.1 */
}

void csctp_pmtud_sent(csctp_pmtud *m, uint32_t nonce, csctp_tstamp now,
                      csctp_tstamp probe_timer) {
  if (probe_timer < CSCTP_PMTUD_PROBE_TIMER_MIN)
    probe_timer = CSCTP_PMTUD_PROBE_TIMER_MIN; /* 5.1.1: at least 1 s */
  m->nonce = nonce;
  m->send_now = 0;
  m->out = 1;
  m->probe_count++; /* 5.1.3 */
  m->raise = 0;
  m->due = now + probe_timer;
}

int csctp_pmtud_on_ack(csctp_pmtud *m, uint32_t nonce, uint32_t size,
                       csctp_tstamp now) {
  if (!m->out || nonce != m->nonce || size != m->probed)
    return 0; /* not the probe in flight */
  uint32_t old = m->plpmtu;
  m->out = 0;
  m->probe_count = 0;
  m->due = CSCTP_TSTAMP_NEVER;
  m->strikes = 0;
  if (size > m->plpmtu || m->state == CSCTP_PMTUD_BASE_STATE ||
      m->state == CSCTP_PMTUD_ERROR)
    m->plpmtu = (uint16_t)size; /* 5.2: a confirmed size becomes the PLPMTU */
  pmtud_search_step(m, now);
  return m->plpmtu != old;
}

/* 5.2: MAX_PROBES probes of one size went unanswered. */
static int pmtud_probe_failed(csctp_pmtud *m, csctp_tstamp now) {
  if (m->state == CSCTP_PMTUD_BASE_STATE || m->state == CSCTP_PMTUD_ERROR) {
    /* BASE_PLPMTU is not confirmed: ERROR, and keep trying the base
     * (the PLPMTU stays MIN_PLPMTU = BASE_PLPMTU: never below it). */
    m->state = CSCTP_PMTUD_ERROR;
    m->plpmtu = CSCTP_PMTUD_MIN;
    pmtud_probe(m, CSCTP_PMTUD_BASE);
    return 0;
  }
  m->failed = 1;
  m->high = (uint16_t)(m->probed - 4); /* the probed size does not pass */
  pmtud_search_step(m, now);
  return 0;
}

static int pmtud_on_probe_timer(csctp_pmtud *m, csctp_tstamp now) {
  m->due = CSCTP_TSTAMP_NEVER;
  m->out = 0;
  if (m->probe_count >= CSCTP_PMTUD_MAX_PROBES)
    return pmtud_probe_failed(m, now);
  m->send_now = 1; /* 5.1.3: probe the same size again */
  return 0;
}

int csctp_pmtud_on_timer(csctp_pmtud *m, csctp_tstamp now) {
  if (m->due > now)
    return 0;
  if (!m->raise)
    return pmtud_on_probe_timer(m, now);
  /* 5.1.1 PMTU_RAISE_TIMER: search again from the PLPMTU upwards. */
  m->due = CSCTP_TSTAMP_NEVER;
  m->raise = 0;
  m->high = m->max;
  m->failed = 0;
  pmtud_search_step(m, now);
  return 0;
}

csctp_tstamp csctp_pmtud_expiry(const csctp_pmtud *m) { return m->due; }

int csctp_pmtud_on_loss(csctp_pmtud *m) {
  if (!m->on || m->state == CSCTP_PMTUD_DISABLED ||
      m->plpmtu <= CSCTP_PMTUD_BASE)
    return 0;
  if (++m->strikes < CSCTP_PMTUD_BLACK_HOLE_STRIKES)
    return 0;
  /* 4.3, 5.2: packets of the PLPMTU keep being lost: black hole. The
   * search starts over below the size that stopped passing. */
  pmtud_enter_base(m, m->plpmtu - 4u);
  return 1;
}

void csctp_pmtud_on_data_acked(csctp_pmtud *m) {
  m->strikes = 0;
  /* 6.2.1.1: the ack confirms connectivity; 5.1.1: probing waits for data
   * (an association that never sends any is never probed). */
  csctp_pmtud_start(m);
}

int csctp_pmtud_on_ptb(csctp_pmtud *m, uint32_t size, csctp_tstamp now) {
  if (!m->on || m->state == CSCTP_PMTUD_DISABLED)
    return 0;
  size = pmtud_align(size);
  if (size < CSCTP_PMTUD_MIN)
    return 0; /* 4.6.2: PL_PTB_SIZE < MIN_PLPMTU is discarded */
  if (size < m->plpmtu) {
    /* 4.6.2: BASE_PLPMTU <= PL_PTB_SIZE < PLPMTU (and below the base,
     * which is the minimum here): to BASE, and search up to the size. */
    pmtud_enter_base(m, size);
    return 1;
  }
  if (m->out && size < m->probed) {
    /* 4.6.2: PLPMTU <= PL_PTB_SIZE < PROBED_SIZE: the probe was too big;
     * the reported size bounds the search. */
    m->failed = 0; /* 4.6.2: the reported size starts the search */
    m->high = (uint16_t)size;
    pmtud_search_step(m, now);
  }
  return 0; /* PL_PTB_SIZE >= PROBED_SIZE: ignored */
}

void csctp_pmtud_set_max(csctp_pmtud *m, uint32_t max, int on) {
  int started = m->state != CSCTP_PMTUD_DISABLED;
  csctp_pmtud_init(m, max, on);
  if (started)
    csctp_pmtud_start(m);
}

/* ---- Association glue ------------------------------------------------ */

void csctp_pmtud_assoc_sync(csctp_assoc *a) {
  uint32_t least = 0;
  for (int i = 0; i < a->npaths; i++) {
    csctp_path *p = &a->paths[i];
    p->mtu = p->pmtud.plpmtu;
    if (least == 0 || p->mtu < least)
      least = p->mtu;
  }
  if (least == 0)
    return;
  /* RFC 9260 7.3 (2): fragments are cut for the smallest path MTU of the
   * association. */
  uint32_t fp = least - CSCTP_COMMON_HDR_LEN - CSCTP_DATA_HDR_LEN -
                csctp_auth_ep_overhead(a->ep);
  fp &= ~3u;
  /* RFC 8899 4.4: data not yet sent is cut again at the new size (it has
   * no TSN yet); chunks already sent keep theirs and, when too large, go
   * with IP fragmentation allowed (CSCTP_PKT_FRAG_OK). Out of memory, the
   * larger fragments stay and go the same way. */
  if (fp < a->frag_point)
    (void)csctp_sendq_recut(&a->sq, fp);
  a->frag_point = fp;
}

int csctp_pmtud_assoc_due(const csctp_assoc *a) {
  if (a->state != CSCTP_STATE_ESTABLISHED)
    return -1;
  for (int i = 0; i < a->npaths; i++)
    if (a->paths[i].pmtud.send_now)
      return i;
  return -1;
}

/* One probe packet of size bytes with a PAD chunk of pad bytes after the
 * HEARTBEAT (RFC 8899 6.2.1.2), signed when the peer wants HEARTBEAT
 * authenticated (RFC 4895 6.2). Returns its length before the checksum, 0
 * when it does not fit. */
static size_t pmtud_build(const csctp_assoc *a, csctp_buf *b, uint8_t *buf,
                          size_t size, const uint8_t *info, size_t pad) {
  csctp_buf_init(b, buf, size);
  if (csctp_pkt_begin(b, a->ep->port, a->peer_port, a->peer_tag) != 0 ||
      csctp_put_heartbeat(b, CSCTP_CT_HEARTBEAT, info,
                          CSCTP_PMTUD_HB_INFO_LEN) != 0 ||
      (pad >= 4 && csctp_put_pad(b, pad) != 0) ||
      csctp_auth_sign(a, b->base, &b->len, b->cap) != 0)
    return 0;
  return b->len;
}

size_t csctp_pmtud_put_probe(csctp_assoc *a, uint8_t pi, uint8_t *buf,
                             size_t buflen, csctp_tstamp now) {
  csctp_path *p = &a->paths[pi];
  csctp_pmtud *m = &p->pmtud;
  size_t size = m->probed;
  size_t fixed = CSCTP_COMMON_HDR_LEN + CSCTP_CHUNK_HDR_LEN + 4 +
                 CSCTP_PMTUD_HB_INFO_LEN; /* header, HEARTBEAT */
  size_t reserve = (csctp_auth_reserve(a) + 3) & ~(size_t)3;
  if (buflen < size || size < fixed + reserve + 4)
    return 0;
  uint8_t info[CSCTP_PMTUD_HB_INFO_LEN];
  uint32_t nonce = csctp_ep_random_tag(a->ep);
  memset(info, 0, sizeof(info));
  csctp_put32(info, (uint32_t)++a->hb_seq);
  csctp_put32(info + 4, nonce);
  csctp_put32(info + 8, (uint32_t)(now >> 32));
  csctp_put32(info + 12, (uint32_t)now);
  info[16] = pi;
  info[17] = 1; /* marks a probe */
  csctp_put32(info + 20, (uint32_t)size);
  /* The PAD chunk fills the packet to the probe size; room is kept for an
   * AUTH chunk, and given to the PAD when none was needed. */
  csctp_buf b;
  size_t pad = size - fixed - reserve;
  size_t len = pmtud_build(a, &b, buf, size, info, pad);
  if (len > 0 && len < size)
    len = pmtud_build(a, &b, buf, size, info, pad + (size - len));
  if (len == 0)
    return 0;
  csctp_pmtud_sent(m, nonce, now, p->rto);
  a->pkts_out++;
  return csctp_pkt_finish(&b);
}

int csctp_pmtud_on_hb_ack(csctp_assoc *a, const uint8_t *info, size_t len,
                          csctp_tstamp now) {
  if (len != CSCTP_PMTUD_HB_INFO_LEN || info[17] != 1 || info[16] >= a->npaths)
    return 0;
  uint8_t pi = info[16];
  csctp_path *p = &a->paths[pi];
  uint32_t nonce = csctp_get32(info + 4);
  uint32_t size = csctp_get32(info + 20);
  if (!p->pmtud.out || nonce != p->pmtud.nonce || size != p->pmtud.probed)
    return 1; /* a stale or forged answer: nothing more */
  if (csctp_pmtud_on_ack(&p->pmtud, nonce, size, now))
    csctp_pmtud_assoc_sync(a);
  /* RFC 8899 6.2.1.2: a successful probe updates the path's counters. */
  a->error_count = 0;
  csctp_assoc_path_ok(a, pi);
  return 1;
}

void csctp_pmtud_assoc_timers(csctp_assoc *a, csctp_tstamp now) {
  int changed = 0;
  for (int i = 0; i < a->npaths; i++)
    if (csctp_pmtud_expiry(&a->paths[i].pmtud) <= now)
      changed |= csctp_pmtud_on_timer(&a->paths[i].pmtud, now);
  if (changed)
    csctp_pmtud_assoc_sync(a);
}

csctp_tstamp csctp_pmtud_assoc_expiry(const csctp_assoc *a) {
  csctp_tstamp t = CSCTP_TSTAMP_NEVER;
  for (int i = 0; i < a->npaths; i++)
    if (csctp_pmtud_expiry(&a->paths[i].pmtud) < t)
      t = csctp_pmtud_expiry(&a->paths[i].pmtud);
  return t;
}
