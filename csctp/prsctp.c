/* prsctp.c -- partially reliable SCTP (RFC 3758, RFC 7496); see prsctp.h.
 */
#include "config.h"

#include "prsctp.h"

#include "engine.h"
#include "mem.h"
#include "tsn.h"

#include <string.h>

/* Stream entries one FORWARD TSN carries at most (C4 also bounds them by
 * the room in the packet). */
#define PRSCTP_MAX_PAIRS 256

void csctp_prsctp_init(csctp_prsctp *p) {
  memset(p, 0, sizeof(*p));
  p->next_expiry = CSCTP_TSTAMP_NEVER;
}

void csctp_prsctp_free(csctp_assoc *a) {
  csctp_free(&a->ep->mem, a->pr.counts);
  a->pr.counts = NULL;
  a->pr.nstreams = 0;
}

void csctp_prsctp_abandoned(const csctp_assoc *a, uint64_t *unsent,
                            uint64_t *sent) {
  if (!a->pr.counts)
    return;
  for (int p = 1; p <= CSCTP_PR_SCTP_MAX; p++) {
    *unsent += a->pr.counts[0].unsent[p];
    *sent += a->pr.counts[0].sent[p];
  }
}

/* ---- Negotiation (RFC 3758 3.3, RFC 5061 4.2.7) ------------------------ */

int csctp_prsctp_put_init_params(csctp_buf *b, const csctp_settings *s) {
  /* FORWARD TSN also goes in the Supported Extensions parameter:
   * csctp_put_supported_ext. */
  if (!s->pr_supported)
    return 0;
  return csctp_put_param(b, CSCTP_PT_FORWARD_TSN_SUPPORTED, NULL, 0);
}

static int prsctp_ext_lists_fwd(const csctp_tlv *p) {
  for (size_t i = 0; i < p->value_len; i++)
    if (p->value[i] == CSCTP_CT_FORWARD_TSN)
      return 1;
  return 0;
}

int csctp_prsctp_peer_supports(const csctp_init *in) {
  csctp_tlv_iter it;
  csctp_tlv p;
  int rv;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while ((rv = csctp_init_param_next(&it, &p)) != CSCTP_PARAM_END) {
    if (rv != CSCTP_PARAM_KNOWN)
      continue;
    if (p.type == CSCTP_PT_FORWARD_TSN_SUPPORTED)
      return 1;
    if (p.type == CSCTP_PT_SUPPORTED_EXT && prsctp_ext_lists_fwd(&p))
      return 1;
  }
  return 0;
}

/* ---- Abandoning (RFC 3758 3.4, 3.5 A2, A3) ----------------------------- */

static void prsctp_count(csctp_assoc *a, const csctp_msg_out *m) {
  uint16_t pol = m->info.pr_policy;
  if (pol == 0 || pol > CSCTP_PR_SCTP_MAX)
    return;
  if (!a->pr.counts) {
    /* The association's and every stream's counts; failing that, the
     * association's alone (a failed allocation loses counts, nothing
     * else). */
    a->pr.counts =
        csctp_calloc(&a->ep->mem, 1u + a->sq.nstreams, sizeof(csctp_pr_counts));
    a->pr.nstreams = a->pr.counts ? a->sq.nstreams : 0;
    if (!a->pr.counts)
      a->pr.counts = csctp_calloc(&a->ep->mem, 1, sizeof(csctp_pr_counts));
    if (!a->pr.counts)
      return;
  }
  csctp_pr_counts *tot = &a->pr.counts[0];
  (m->sent ? tot->sent : tot->unsent)[pol]++;
  if (m->info.sid < a->pr.nstreams) {
    csctp_pr_counts *s = &a->pr.counts[1 + m->info.sid];
    (m->sent ? s->sent : s->unsent)[pol]++;
  }
}

/* Abandons message m whole: every chunk of it, sent or not (A3). m may be
 * freed on return. */
static void prsctp_abandon(csctp_assoc *a, csctp_msg_out *m) {
  if (m->abandoned)
    return;
  m->abandoned = 1;
  prsctp_count(a, m);
  if (!m->reported) {
    m->reported = 1;
    csctp_assoc_report_failed(a, m, 1);
  }
  int sent = m->sent;
  for (csctp_chunk_out *c = a->sq.out; c; c = c->next)
    if (c->msg == m && c->state != CSCTP_OUT_ABANDONED)
      csctp_sendq_abandon_chunk(&a->sq, a->paths, c);
  csctp_sendq_drop_unsent(&a->sq, m);
  if (sent)
    a->pr.send_fwd = 1; /* C2, C3: the ack point may move now */
}

static int prsctp_applies(const csctp_assoc *a, const csctp_msg_out *m,
                          uint16_t policy) {
  return a->pr.on && !m->abandoned && m->info.pr_policy == policy;
}

void csctp_prsctp_on_push(csctp_assoc *a, csctp_msg_out *m, csctp_tstamp now) {
  m->pr_expiry = CSCTP_TSTAMP_NEVER;
  if (m->info.pr_policy != CSCTP_PR_SCTP_TTL)
    return;
  /* RFC 6458 5.3.7: the lifetime in milliseconds, from now. */
  m->pr_expiry = now + (csctp_tstamp)m->info.pr_value * CSCTP_MILLISECONDS;
  if (m->pr_expiry < a->pr.next_expiry)
    a->pr.next_expiry = m->pr_expiry;
}

/* Checks one TTL message; returns 1 if it was abandoned, else lowers
 * *next to its expiry. */
static int prsctp_check_ttl(csctp_assoc *a, csctp_msg_out *m, csctp_tstamp now,
                            csctp_tstamp *next) {
  if (!prsctp_applies(a, m, CSCTP_PR_SCTP_TTL))
    return 0;
  if (m->pr_expiry <= now) {
    prsctp_abandon(a, m);
    return 1;
  }
  if (m->pr_expiry < *next)
    *next = m->pr_expiry;
  return 0;
}

void csctp_prsctp_sweep(csctp_assoc *a, csctp_tstamp now) {
  if (!a->pr.on || now < a->pr.next_expiry || !a->sq.mem)
    return;
  csctp_tstamp next = CSCTP_TSTAMP_NEVER;
  /* RFC 3758 4.1 TR4: a message with a TSN is judged before it is sent
   * again, i.e. when marked for retransmission (one in flight may still
   * arrive). Abandoned chunks stay listed: the walk is safe. */
  for (csctp_chunk_out *c = a->sq.out; c; c = c->next)
    if (c->state == CSCTP_OUT_RTX)
      prsctp_check_ttl(a, c->msg, now, &next);
  csctp_chunk_out *c = a->sq.unsent;
  while (c) {
    csctp_msg_out *m = c->msg;
    csctp_chunk_out *n = c->next;
    while (n && n->msg == m) /* the first chunk of another message */
      n = n->next;
    prsctp_check_ttl(a, m, now, &next);
    c = n;
  }
  a->pr.next_expiry = next;
}

int csctp_prsctp_before_rtx(csctp_assoc *a, csctp_chunk_out *c,
                            csctp_tstamp now) {
  csctp_msg_out *m = c->msg;
  if (m->abandoned)
    return 1;
  csctp_tstamp next = a->pr.next_expiry;
  if (prsctp_check_ttl(a, m, now, &next))
    return 1;
  /* RFC 7496 3.1: tx_count - 1 retransmissions so far; this one would be
   * the tx_count-th. */
  if (prsctp_applies(a, m, CSCTP_PR_SCTP_RTX) && c->tx_count > 0 &&
      c->tx_count > m->info.pr_value) {
    prsctp_abandon(a, m);
    return 1;
  }
  return 0;
}

void csctp_prsctp_check_rtx(csctp_assoc *a, csctp_tstamp now) {
  if (!a->pr.on || !a->sq.mem || a->sq.n_rtx == 0)
    return;
  /* Abandoned chunks stay listed: the walk is safe. */
  for (csctp_chunk_out *c = a->sq.out; c && a->sq.n_rtx > 0; c = c->next)
    if (c->state == CSCTP_OUT_RTX)
      csctp_prsctp_before_rtx(a, c, now);
}

/* RFC 7496 3.2: reliable messages rank above every PRIO message. */
static int prsctp_lower(const csctp_msg_out *m, const csctp_sndinfo *info) {
  if (m->abandoned || m->info.pr_policy != CSCTP_PR_SCTP_PRIO)
    return 0;
  return info->pr_policy != CSCTP_PR_SCTP_PRIO ||
         m->info.pr_value > info->pr_value;
}

/* The lowest-priority message below info's that has unsent fragments
 * (abandoning it frees room now), the oldest of equals. */
static csctp_msg_out *prsctp_victim(const csctp_assoc *a,
                                    const csctp_sndinfo *info) {
  csctp_msg_out *best = NULL;
  for (csctp_chunk_out *c = a->sq.unsent; c; c = c->next)
    if (prsctp_lower(c->msg, info) &&
        (!best || c->msg->info.pr_value > best->info.pr_value))
      best = c->msg;
  return best;
}

int csctp_prsctp_make_room(csctp_assoc *a, const csctp_sndinfo *info,
                           size_t len) {
  int any = 0;
  if (!a->pr.on || !a->sq.mem)
    return 0;
  while (a->sq.buffered + a->sq.overhead + len > a->s.sndbuf) {
    csctp_msg_out *m = prsctp_victim(a, info);
    if (!m)
      break;
    prsctp_abandon(a, m);
    any = 1;
  }
  return any;
}

/* ---- Advanced.Peer.Ack.Point and FORWARD TSN (A1, C1-C5, A5) ----------- */

uint32_t csctp_prsctp_ack_point(const csctp_sendq *q) {
  uint32_t ap = q->cum_acked; /* C1: never below the cumulative ack */
  for (const csctp_chunk_out *c = q->out;
       c && c->state == CSCTP_OUT_ABANDONED && c->tsn == ap + 1u; c = c->next)
    ap = c->tsn; /* C2 */
  return ap;
}

static int prsctp_fwd_due(const csctp_assoc *a) {
  return a->pr.on && a->sq.mem &&
         csctp_tsn_gt(csctp_prsctp_ack_point(&a->sq), a->sq.cum_acked);
}

void csctp_prsctp_after_sack(csctp_assoc *a) {
  if (prsctp_fwd_due(a))
    a->pr.send_fwd = 1; /* C3 */
}

int csctp_prsctp_on_t3(csctp_assoc *a, csctp_tstamp now) {
  if (!a->pr.on)
    return 0;
  csctp_prsctp_sweep(a, now);
  if (!prsctp_fwd_due(a))
    return 0;
  a->pr.send_fwd = 1; /* A5 */
  return 1;
}

/* C4: adds (sid, ssn) for an abandoned ordered chunk, keeping the highest
 * SSN per stream. Returns 0, or -1 when a new stream does not fit. */
static int prsctp_add_pair(uint16_t *pairs, size_t *n, size_t max, uint16_t sid,
                           uint16_t ssn) {
  for (size_t i = 0; i < *n; i++) {
    if (pairs[2 * i] != sid)
      continue;
    if ((uint16_t)(ssn - pairs[2 * i + 1]) < 0x8000u)
      pairs[2 * i + 1] = ssn;
    return 0;
  }
  if (*n >= max)
    return -1;
  pairs[2 * *n] = sid;
  pairs[2 * *n + 1] = ssn;
  (*n)++;
  return 0;
}

static void prsctp_keep_t3(csctp_assoc *a, uint8_t pi, csctp_tstamp now) {
  for (uint8_t i = 0; i < a->npaths; i++)
    if (a->paths[i].t3 != CSCTP_TSTAMP_NEVER)
      return;
  a->paths[pi].t3 = now + a->paths[pi].rto; /* C5 */
}

void csctp_prsctp_put_fwd(csctp_assoc *a, csctp_buf *b, uint8_t pi,
                          csctp_tstamp now) {
  if (!a->pr.send_fwd)
    return;
  if (!prsctp_fwd_due(a)) {
    a->pr.send_fwd = 0;
    return;
  }
  if (csctp_buf_left(b) < 8)
    return; /* stays due: the next packet */
  if (a->idata_on) {
    /* RFC 8260 2.3.1: I-FORWARD-TSN instead */
    if (csctp_idata_put_ifwd(a, b, csctp_prsctp_ack_point(&a->sq)) != 0)
      return;
    a->pr.send_fwd = 0;
    prsctp_keep_t3(a, pi, now);
    return;
  }
  uint16_t pairs[2 * PRSCTP_MAX_PAIRS];
  size_t n = 0, max = (csctp_buf_left(b) - 8) / 4;
  if (max > PRSCTP_MAX_PAIRS)
    max = PRSCTP_MAX_PAIRS;
  uint32_t ap = csctp_prsctp_ack_point(&a->sq);
  for (const csctp_chunk_out *c = a->sq.out; c && csctp_tsn_le(c->tsn, ap);
       c = c->next) {
    if (c->flags & CSCTP_DATA_FLAG_U)
      continue; /* 3.2: unordered chunks are never listed */
    if (prsctp_add_pair(pairs, &n, max, c->sid, c->ssn) != 0) {
      ap = c->tsn - 1u; /* C4: lower the point to what fits */
      break;
    }
  }
  if (!csctp_tsn_gt(ap, a->sq.cum_acked) ||
      csctp_put_fwd_tsn(b, ap, pairs, n) != 0)
    return;
  a->pr.send_fwd = 0;
  prsctp_keep_t3(a, pi, now);
}

/* ---- Receiver (RFC 3758 3.6) -------------------------------------------- */

int csctp_prsctp_on_fwd_tsn(csctp_assoc *a, const csctp_tlv *c) {
  csctp_fwd_tsn f;
  if (!a->rx_ready || csctp_fwd_tsn_decode(c, &f) != 0)
    return 0;
  if (csctp_reconf_drops_fwd(a, f.new_cum))
    return 2; /* RFC 6525 5.2.4 G1: from before an SSN/TSN reset */
  if (!csctp_tsn_gt(f.new_cum, csctp_tsnmap_cum(&a->tsn))) {
    a->sack_now = 1; /* out of date: our last SACK may have been lost */
    return 2;
  }
  int was_ready = csctp_reasm_has_ready(&a->rx);
  uint32_t pd_first = 0, now_first;
  uint16_t pd_sid = 0, pd_ssn = 0, s16;
  int pd_u = 0, u;
  int in_pd = csctp_reasm_pd_msg(&a->rx, &pd_first, &pd_sid, &pd_ssn, &pd_u);
  csctp_reasm_forget_before(&a->rx, f.new_cum);
  for (size_t i = 0; i < f.n; i++) {
    uint16_t sid, ssn;
    csctp_fwd_tsn_entry(&f, i, &sid, &ssn);
    if (sid < a->istreams)
      csctp_reasm_skip_ssn(&a->rx, sid, ssn);
  }
  csctp_tsnmap_forward(&a->tsn, f.new_cum);
  /* RFC 6458 6.1.7: the message being read in parts was abandoned; its
   * reader learns it ended (the next read starts another message). */
  if (in_pd && (!csctp_reasm_pd_msg(&a->rx, &now_first, &s16, &s16, &u) ||
                now_first != pd_first))
    csctp_assoc_event_pd_aborted(a, pd_sid, pd_ssn, pd_u);
  if (!was_ready && csctp_reasm_has_ready(&a->rx))
    csctp_ep_ready_push(a);
  return 1;
}

/* ---- Statistics (RFC 7496 4.3, 4.4) ------------------------------------ */

static void prsctp_sum(const csctp_pr_counts *k, uint16_t policy,
                       csctp_pr_status *st) {
  for (uint16_t p = 1; p <= CSCTP_PR_SCTP_MAX; p++) {
    if (policy != CSCTP_PR_SCTP_ALL && policy != p)
      continue;
    st->abandoned_unsent += k->unsent[p];
    st->abandoned_sent += k->sent[p];
  }
}

int csctp_pr_status_get(const csctp_endpoint *ep, csctp_assoc_id id, int sid,
                        uint16_t policy, csctp_pr_status *st) {
  const csctp_assoc *a = ep ? csctp_ep_peek(ep, id) : NULL;
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  if (!st || policy == CSCTP_PR_SCTP_NONE ||
      (policy > CSCTP_PR_SCTP_MAX && policy != CSCTP_PR_SCTP_ALL))
    return CSCTP_ERR_INVAL;
  memset(st, 0, sizeof(*st));
  if (sid >= 0 && sid >= a->ostreams)
    return CSCTP_ERR_STREAM;
  if (!a->pr.counts)
    return 0; /* nothing abandoned yet */
  if (sid < 0)
    prsctp_sum(&a->pr.counts[0], policy, st);
  else if (sid < a->pr.nstreams)
    prsctp_sum(&a->pr.counts[1 + sid], policy, st);
  return 0;
}
