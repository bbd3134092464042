/* sendq.c -- outbound queue, retransmission marking and SACK processing
 * (RFC 9260 6.2.1, 6.3.2, 6.3.3, 6.9, 7.2.4). */
#include "config.h"

#include "sendq.h"

#include "chunk.h"
#include "mem.h"
#include "tsn.h"

#include <string.h>

int csctp_sendq_init(csctp_sendq *q, const csctp_mem *mem, uint16_t nstreams,
                     uint32_t initial_tsn) {
  memset(q, 0, sizeof(*q));
  q->mem = mem;
  q->nstreams = nstreams;
  q->next_tsn = initial_tsn;
  q->cum_acked = initial_tsn - 1;
  q->miss_threshold = 3; /* 7.2.4 */
  q->chunk_overhead = CSCTP_PEER_CHUNK_OVERHEAD;
  if (nstreams > 0) {
    q->next_ssn = csctp_calloc(mem, 2 * (size_t)nstreams, sizeof(uint16_t));
    if (!q->next_ssn)
      return CSCTP_ERR_NOMEM;
    q->ordered_out = q->next_ssn + nstreams;
  }
  return 0;
}

static void sendq_release(csctp_sendq *q, csctp_chunk_out *c) {
  csctp_msg_out *m = c->msg;
  q->buffered -= c->len;
  q->overhead -= sizeof(*c);
  csctp_free(q->mem, c);
  if (--m->refs == 0) {
    if (!(m->info.flags & CSCTP_SEND_UNORDERED))
      q->ordered_out[m->info.sid]--; /* 6.1: no longer outstanding */
    q->overhead -= sizeof(*m);
    csctp_free(q->mem, m);
  }
}

static void sendq_free_list(csctp_sendq *q, csctp_chunk_out *c) {
  while (c) {
    csctp_chunk_out *next = c->next;
    sendq_release(q, c);
    c = next;
  }
}

void csctp_sendq_free(csctp_sendq *q) {
  sendq_free_list(q, q->unsent);
  sendq_free_list(q, q->out);
  csctp_free(q->mem, q->next_ssn);
  memset(q, 0, sizeof(*q));
}

uint32_t csctp_chunk_out_wire_size(const csctp_chunk_out *c) {
  return (uint32_t)csctp_data_chunk_size(c->len);
}

/* 6.9: split a message into fragments of at most frag_point bytes; all
 * fragments are allocated before any is queued so failure leaves no trace.
 */
int csctp_sendq_push(csctp_sendq *q, const csctp_sndinfo *info,
                     const uint8_t *data, size_t len, size_t frag_point,
                     int sack_now) {
  if (len == 0 || frag_point == 0 || info->sid >= q->nstreams)
    return CSCTP_ERR_INVAL;
  int unordered = (info->flags & CSCTP_SEND_UNORDERED) != 0;
  /* 6.1: at most 2^16 - 1 ordered messages outstanding per stream. */
  if (!unordered && q->ordered_out[info->sid] >= CSCTP_SENDQ_MAX_ORDERED)
    return CSCTP_ERR_AGAIN;
  size_t nfrag = (len + frag_point - 1) / frag_point;
  csctp_msg_out *m = csctp_malloc(q->mem, sizeof(*m) + len);
  if (!m)
    return CSCTP_ERR_NOMEM;
  memset(m, 0, sizeof(*m));
  m->len = (uint32_t)len;
  m->info = *info;
  memcpy(m->data, data, len);
  csctp_chunk_out *head = NULL, *tail = NULL;
  uint16_t ssn = unordered ? 0 : q->next_ssn[info->sid];
  for (size_t i = 0; i < nfrag; i++) {
    csctp_chunk_out *c = csctp_calloc(q->mem, 1, sizeof(*c));
    if (!c) {
      while (head) {
        csctp_chunk_out *n = head->next;
        csctp_free(q->mem, head);
        head = n;
      }
      csctp_free(q->mem, m);
      return CSCTP_ERR_NOMEM;
    }
    c->msg = m;
    c->off = (uint32_t)(i * frag_point);
    c->len = (uint32_t)(i + 1 < nfrag ? frag_point : len - i * frag_point);
    c->sid = info->sid;
    c->ssn = ssn;
    c->fsn = (uint32_t)i; /* RFC 8260 2.1: from 0, +1 per fragment */
    if (i == 0)
      c->flags |= CSCTP_DATA_FLAG_B;
    if (i + 1 == nfrag)
      c->flags |= CSCTP_DATA_FLAG_E;
    if (unordered)
      c->flags |= CSCTP_DATA_FLAG_U;
    if (sack_now && i + 1 == nfrag)
      c->flags |= CSCTP_DATA_FLAG_I;
    if (tail)
      tail->next = c;
    else
      head = c;
    tail = c;
  }
  m->refs = (uint32_t)nfrag;
  if (!unordered) {
    q->next_ssn[info->sid]++;
    q->ordered_out[info->sid]++;
  }
  if (q->unsent_tail)
    q->unsent_tail->next = head;
  else
    q->unsent = head;
  q->unsent_tail = tail;
  q->n_unsent += (uint32_t)nfrag;
  q->buffered += len;
  q->overhead += sizeof(*m) + nfrag * sizeof(csctp_chunk_out);
  q->unsent_bytes += len;
  return 0;
}

csctp_chunk_out *csctp_sendq_first_rtx(const csctp_sendq *q) {
  if (q->n_rtx == 0)
    return NULL;
  for (csctp_chunk_out *c = q->out; c; c = c->next)
    if (c->state == CSCTP_OUT_RTX)
      return c;
  return NULL;
}

csctp_chunk_out *csctp_sendq_next_rtx(const csctp_chunk_out *c) {
  for (c = c->next; c; c = c->next)
    if (c->state == CSCTP_OUT_RTX)
      return (csctp_chunk_out *)c;
  return NULL;
}

/* Unlinks *pp (whose predecessor in the unsent FIFO is prev) from the
 * unsent FIFO. */
static void sendq_unlink_unsent(csctp_sendq *q, csctp_chunk_out **pp,
                                csctp_chunk_out *prev) {
  csctp_chunk_out *c = *pp;
  *pp = c->next;
  if (q->unsent_tail == c)
    q->unsent_tail = prev;
  q->n_unsent--;
  q->unsent_bytes -= c->len;
  c->next = NULL;
}

/* Gives c the next TSN and appends it to the outstanding list. */
static void sendq_number_out(csctp_sendq *q, csctp_chunk_out *c) {
  c->tsn = q->next_tsn++;
  if (q->out_tail)
    q->out_tail->next = c;
  else
    q->out = c;
  q->out_tail = c;
  q->n_out++;
}

void csctp_sendq_mark_sent(csctp_sendq *q, csctp_chunk_out *c,
                           csctp_path *paths, uint8_t path, csctp_tstamp now) {
  if (c->tx_count > 0 && paths[c->path].rtt_pending &&
      paths[c->path].rtt_tsn == c->tsn)
    paths[c->path].rtt_pending = 0; /* Karn: a resent chunk times nothing */
  if (c->state == CSCTP_OUT_UNSENT) {
    /* Always the head of the FIFO: TSNs follow transmission order. */
    sendq_unlink_unsent(q, &q->unsent, NULL);
    sendq_number_out(q, c);
  } else if (c->state == CSCTP_OUT_RTX) {
    q->n_rtx--;
  }
  c->state = CSCTP_OUT_INFLIGHT;
  if (c->tx_count == 0 && !paths[path].rtt_pending) {
    paths[path].rtt_pending = 1; /* time this chunk's round trip */
    paths[path].rtt_tsn = c->tsn;
  }
  c->path = path;
  c->miss = 0;
  c->tx_count++;
  c->xmit_seq = q->next_xmit++;
  c->sent_at = now;
  c->msg->sent = 1;
  q->bytes_inflight += csctp_chunk_rwnd_cost(q, c->len);
}

/* leave_flight takes an in-flight chunk out of its path's flight. */
static void sendq_leave_flight(csctp_sendq *q, csctp_path *paths,
                               csctp_chunk_out *c) {
  uint32_t sz = csctp_chunk_out_wire_size(c);
  csctp_path *p = &paths[c->path];
  p->flight = p->flight > sz ? p->flight - sz : 0;
  q->bytes_inflight -= csctp_chunk_rwnd_cost(q, c->len);
}

/* RFC 8985 6.2 step 2: remember the newly acknowledged chunk sent last.
 * A retransmitted chunk acknowledged within min_rtt of its resending was
 * most likely acknowledged for its first copy: it says nothing. */
static void sendq_note_rack(const csctp_chunk_out *c, csctp_tstamp now,
                            csctp_tstamp min_rtt, csctp_sack_result *res) {
  csctp_tstamp rtt = now > c->sent_at ? now - c->sent_at : 0;
  if (c->tx_count > 1 && rtt < min_rtt)
    return;
  if (c->tx_count == 1 && rtt > 0 &&
      (res->min_rtt_sample == 0 || rtt < res->min_rtt_sample))
    res->min_rtt_sample = rtt;
  if (!res->rack_have || c->sent_at > res->rack_sent_at ||
      (c->sent_at == res->rack_sent_at &&
       csctp_tsn_gt(c->xmit_seq, res->rack_seq))) {
    res->rack_have = 1;
    res->rack_sent_at = c->sent_at;
    res->rack_tsn = c->tsn;
    res->rack_seq = c->xmit_seq;
    res->rack_rtt = rtt;
  }
}

static void sendq_note_acked(csctp_chunk_out *c, csctp_path *paths,
                             csctp_tstamp now, csctp_tstamp min_rtt,
                             csctp_sack_result *res, uint32_t *htna,
                             int *have_htna) {
  csctp_path *p = &paths[c->path];
  res->new_acked = 1;
  sendq_note_rack(c, now, min_rtt, res);
  res->acked_bytes[c->path] += csctp_chunk_out_wire_size(c);
  /* 6.3.1 C4, C5: one timed chunk per round trip, never a retransmitted
   * one (Karn). */
  if (p->rtt_pending && c->tsn == p->rtt_tsn) {
    p->rtt_pending = 0;
    if (c->tx_count == 1 && now >= c->sent_at)
      res->rtt[c->path] = now - c->sent_at;
  }
  if (!*have_htna || csctp_tsn_gt(c->tsn, *htna)) {
    *htna = c->tsn;
    *have_htna = 1;
  }
}

/* Cumulative part: free everything up to cum_tsn. */
static void sendq_apply_cum(csctp_sendq *q, csctp_path *paths, uint32_t cum_tsn,
                            csctp_tstamp now, csctp_tstamp min_rtt,
                            csctp_sack_result *res, uint32_t *htna,
                            int *have_htna) {
  while (q->out && csctp_tsn_le(q->out->tsn, cum_tsn)) {
    csctp_chunk_out *c = q->out;
    q->out = c->next;
    if (!q->out)
      q->out_tail = NULL;
    q->n_out--;
    if (c->state == CSCTP_OUT_INFLIGHT)
      sendq_leave_flight(q, paths, c);
    else if (c->state == CSCTP_OUT_RTX)
      q->n_rtx--;
    /* RFC 3758 3.5 A2: an abandoned chunk credits nothing. */
    if (c->state != CSCTP_OUT_GAPPED && c->state != CSCTP_OUT_ABANDONED) {
      sendq_note_acked(c, paths, now, min_rtt, res, htna, have_htna);
      res->earliest_acked[c->path] = 1;
    }
    sendq_release(q, c);
  }
  if (csctp_tsn_gt(cum_tsn, q->cum_acked)) {
    q->cum_acked = cum_tsn;
    res->cum_advanced = 1;
  }
}

/* 6.2.1 D iii: a chunk a gap block acknowledged before is missing from
 * this SACK: the receiver reneged, or this SACK is older than the last one
 * (SACKs can pass each other). Either way the chunk is outstanding again
 * with one miss indication, and its path's T3-rtx runs. */
static void sendq_ungap(csctp_sendq *q, csctp_path *paths, csctp_chunk_out *c,
                        csctp_sack_result *res) {
  c->state = CSCTP_OUT_INFLIGHT;
  paths[c->path].flight += csctp_chunk_out_wire_size(c);
  q->bytes_inflight += csctp_chunk_rwnd_cost(q, c->len);
  res->t3_start[c->path] = 1;
  if (++c->miss >= q->miss_threshold && !c->fast_rtx_done)
    csctp_sendq_mark_lost(q, paths, c, res);
}

/* Gap blocks: blocks are in ascending order (3.3.4), as are chunks. */
static void sendq_apply_gaps(csctp_sendq *q, csctp_path *paths,
                             uint32_t cum_tsn, const uint16_t *gaps,
                             size_t ngaps, csctp_tstamp now,
                             csctp_tstamp min_rtt, csctp_sack_result *res,
                             uint32_t *htna, int *have_htna) {
  size_t g = 0;
  /* A receiver short of room in its SACK leaves out the highest blocks: a
   * chunk above the last block reported is not said to be missing. With no
   * block at all, nothing above the cumulative ack is held. */
  uint32_t top = ngaps > 0 ? gaps[2 * ngaps - 1] : 0xFFFFFFFFu;
  if (ngaps == 0 && !q->maybe_gapped)
    return; /* nothing to ack, nothing to un-gap: no walk per SACK */
  int gapped = 0, whole = 1;
  for (csctp_chunk_out *c = q->out; c; c = c->next) {
    uint32_t off = c->tsn - cum_tsn;
    if (ngaps > 0 && off > top) {
      whole = 0; /* above the last block nothing changes */
      break;
    }
    while (g < ngaps && gaps[2 * g + 1] < off)
      g++;
    int in_gap = g < ngaps && gaps[2 * g] <= off && off <= gaps[2 * g + 1] &&
                 off <= 0xFFFF;
    if (c->state == CSCTP_OUT_ABANDONED)
      continue; /* RFC 3758 3.5 A2: finally acked already */
    if (in_gap && c->state != CSCTP_OUT_GAPPED) {
      if (c->state == CSCTP_OUT_INFLIGHT)
        sendq_leave_flight(q, paths, c);
      else if (c->state == CSCTP_OUT_RTX)
        q->n_rtx--;
      c->state = CSCTP_OUT_GAPPED;
      sendq_note_acked(c, paths, now, min_rtt, res, htna, have_htna);
    } else if (!in_gap && c->state == CSCTP_OUT_GAPPED && off < top) {
      sendq_ungap(q, paths, c, res);
    }
    gapped |= c->state == CSCTP_OUT_GAPPED;
  }
  q->maybe_gapped =
      whole ? (uint8_t)gapped : (uint8_t)(q->maybe_gapped | gapped);
}

void csctp_sendq_mark_lost(csctp_sendq *q, csctp_path *paths,
                           csctp_chunk_out *c, csctp_sack_result *res) {
  sendq_leave_flight(q, paths, c);
  c->state = CSCTP_OUT_RTX;
  c->fast_rtx_done = 1; /* 7.2.4 (5) */
  q->n_rtx++;
  res->new_fast_rtx++;
  res->fast_rtx_path[c->path] = 1;
}

/* 7.2.4: count miss indications for in-flight chunks below limit (the HTNA,
 * or in Fast Recovery after a cumulative advance the highest TSN the SACK
 * reports) and mark a chunk for fast retransmit at the third. */
static void sendq_count_misses(csctp_sendq *q, csctp_path *paths,
                               uint32_t limit, csctp_sack_result *res) {
  for (csctp_chunk_out *c = q->out; c && csctp_tsn_lt(c->tsn, limit);
       c = c->next) {
    if (c->state != CSCTP_OUT_INFLIGHT || c->fast_rtx_done)
      continue;
    if (++c->miss >= q->miss_threshold)
      csctp_sendq_mark_lost(q, paths, c, res);
  }
}

void csctp_sendq_on_sack(csctp_sendq *q, csctp_path *paths, size_t npaths,
                         uint32_t cum_tsn, const uint16_t *gaps, size_t ngaps,
                         int in_fast_recovery, csctp_tstamp min_rtt,
                         csctp_tstamp now, csctp_sack_result *res) {
  (void)npaths;
  memset(res, 0, sizeof(*res));
  if (csctp_tsn_lt(cum_tsn, q->cum_acked)) {
    res->ignored = 1; /* 6.2.1 D i */
    return;
  }
  uint32_t htna = 0;
  int have_htna = 0;
  sendq_apply_cum(q, paths, cum_tsn, now, min_rtt, res, &htna, &have_htna);
  if (!gaps)
    return; /* no gap information: nothing is said about the rest */
  sendq_apply_gaps(q, paths, cum_tsn, gaps, ngaps, now, min_rtt, res, &htna,
                   &have_htna);
  /* 7.2.4: in Fast Recovery, a SACK that advances the cumulative ack counts
   * a miss for every TSN it reports missing. */
  if (in_fast_recovery && res->cum_advanced && ngaps > 0) {
    uint32_t top = cum_tsn + gaps[2 * ngaps - 1];
    if (!have_htna || csctp_tsn_gt(top, htna))
      htna = top;
    have_htna = 1;
  }
  if (have_htna)
    sendq_count_misses(q, paths, htna, res);
}

int csctp_sendq_acked(const csctp_sendq *q, uint32_t tsn) {
  if (csctp_tsn_le(tsn, q->cum_acked))
    return 1;
  for (const csctp_chunk_out *c = q->out; c && csctp_tsn_le(c->tsn, tsn);
       c = c->next)
    if (c->tsn == tsn)
      return c->state == CSCTP_OUT_GAPPED;
  return 0;
}

const csctp_chunk_out *csctp_sendq_first_on_path(const csctp_sendq *q,
                                                 uint8_t path) {
  for (const csctp_chunk_out *c = q->out; c; c = c->next)
    if (c->path == path && c->state != CSCTP_OUT_GAPPED &&
        c->state != CSCTP_OUT_ABANDONED)
      return c;
  return NULL;
}

uint32_t csctp_sendq_mark_path_rtx(csctp_sendq *q, csctp_path *paths,
                                   uint8_t path) {
  uint32_t n = 0;
  for (csctp_chunk_out *c = q->out; c; c = c->next) {
    if (c->path != path || c->state != CSCTP_OUT_INFLIGHT)
      continue;
    sendq_leave_flight(q, paths, c);
    c->state = CSCTP_OUT_RTX;
    q->n_rtx++;
    n++;
  }
  return n;
}

int csctp_sendq_path_has_inflight(const csctp_sendq *q, uint8_t path) {
  for (const csctp_chunk_out *c = q->out; c; c = c->next)
    if (c->path == path && c->state == CSCTP_OUT_INFLIGHT)
      return 1;
  return 0;
}

static const csctp_msg_out *sendq_first_unreported(csctp_chunk_out *c) {
  for (; c; c = c->next) {
    if (!c->msg->reported) {
      c->msg->reported = 1;
      return c->msg;
    }
  }
  return NULL;
}

const csctp_msg_out *csctp_sendq_next_failed(csctp_sendq *q) {
  const csctp_msg_out *m = sendq_first_unreported(q->out);
  return m ? m : sendq_first_unreported(q->unsent);
}

int csctp_sendq_add_streams(csctp_sendq *q, uint16_t nstreams) {
  if (nstreams <= q->nstreams)
    return 0;
  uint16_t *t = csctp_calloc(q->mem, 2 * (size_t)nstreams, sizeof(uint16_t));
  if (!t)
    return CSCTP_ERR_NOMEM;
  if (q->nstreams > 0) {
    memcpy(t, q->next_ssn, q->nstreams * sizeof(uint16_t));
    memcpy(t + nstreams, q->ordered_out, q->nstreams * sizeof(uint16_t));
  }
  csctp_free(q->mem, q->next_ssn);
  q->next_ssn = t;
  q->ordered_out = t + nstreams;
  q->nstreams = nstreams;
  return 0;
}

void csctp_sendq_limit_streams(csctp_sendq *q, uint16_t nstreams,
                               void (*fail)(const csctp_msg_out *m, void *ud),
                               void *ud) {
  if (nstreams >= q->nstreams)
    return;
  q->nstreams = nstreams;
  csctp_chunk_out **pp = &q->unsent, *prev = NULL;
  while (*pp) {
    csctp_chunk_out *c = *pp;
    csctp_msg_out *m = c->msg;
    if (c->sid < nstreams || m->sent) {
      prev = c;
      pp = &c->next;
      continue;
    }
    sendq_unlink_unsent(q, pp, prev);
    if (!m->reported) {
      m->reported = 1;
      fail(m, ud);
    }
    sendq_release(q, c);
  }
}

int csctp_sendq_move_unsent(csctp_sendq *from, csctp_sendq *to,
                            size_t frag_point) {
  for (csctp_chunk_out *c = from->unsent; c; c = c->next) {
    csctp_msg_out *m = c->msg;
    if (!(c->flags & CSCTP_DATA_FLAG_B) || m->sent || m->reported ||
        m->info.sid >= to->nstreams)
      continue;
    int rv = csctp_sendq_push(to, &m->info, m->data, m->len, frag_point,
                              (c->flags & CSCTP_DATA_FLAG_I) != 0);
    if (rv != 0)
      return rv;
    m->reported = 1;
  }
  return 0;
}

/* Cuts c (unsent, longer than frag_point) into pieces of frag_point bytes
 * inserted after it in the FIFO. All pieces are allocated first. */
static int sendq_recut_one(csctp_sendq *q, csctp_chunk_out *c,
                           size_t frag_point) {
  size_t extra = (c->len + frag_point - 1) / frag_point - 1;
  csctp_chunk_out *head = NULL, *tail = NULL;
  for (size_t i = 0; i < extra; i++) {
    csctp_chunk_out *n = csctp_calloc(q->mem, 1, sizeof(*n));
    if (!n) {
      while (head) {
        csctp_chunk_out *nx = head->next;
        csctp_free(q->mem, head);
        head = nx;
      }
      return CSCTP_ERR_NOMEM;
    }
    if (tail)
      tail->next = n;
    else
      head = n;
    tail = n;
  }
  /* 6.9: B on the first piece only; E (and the SACK-IMMEDIATELY bit of
   * RFC 7053) on the last; U on every piece. */
  uint8_t last_flags = c->flags & (CSCTP_DATA_FLAG_E | CSCTP_DATA_FLAG_I);
  uint32_t off = c->off + (uint32_t)frag_point;
  uint32_t left = c->len - (uint32_t)frag_point;
  c->len = (uint32_t)frag_point;
  c->flags &= (uint8_t)~last_flags;
  for (csctp_chunk_out *n = head; n; n = n->next) {
    n->msg = c->msg;
    n->off = off;
    n->len = left < frag_point ? left : (uint32_t)frag_point;
    n->sid = c->sid;
    n->ssn = c->ssn;
    n->flags = c->flags & CSCTP_DATA_FLAG_U;
    if (!n->next)
      n->flags |= last_flags;
    off += n->len;
    left -= n->len;
  }
  tail->next = c->next;
  c->next = head;
  if (q->unsent_tail == c)
    q->unsent_tail = tail;
  c->msg->refs += (uint32_t)extra;
  q->n_unsent += (uint32_t)extra;
  q->overhead += extra * sizeof(csctp_chunk_out);
  return 0;
}

int csctp_sendq_recut(csctp_sendq *q, size_t frag_point) {
  if (frag_point == 0)
    return CSCTP_ERR_INVAL;
  for (csctp_chunk_out *c = q->unsent; c; c = c->next) {
    if (c->len <= frag_point)
      continue;
    int rv = sendq_recut_one(q, c, frag_point);
    if (rv != 0)
      return rv;
  }
  return 0;
}

void csctp_sendq_abandon_chunk(csctp_sendq *q, csctp_path *paths,
                               csctp_chunk_out *c) {
  /* RFC 9260 6.3.1 C4: an abandoned chunk is never acknowledged as itself
   * (RFC 3758 3.5 A2); if it was timing the round trip, the next chunk
   * sent does, or RTO would keep its backed-off value for good. */
  if (c->tx_count > 0 && paths[c->path].rtt_pending &&
      paths[c->path].rtt_tsn == c->tsn)
    paths[c->path].rtt_pending = 0;
  if (c->state == CSCTP_OUT_INFLIGHT)
    sendq_leave_flight(q, paths, c);
  else if (c->state == CSCTP_OUT_RTX)
    q->n_rtx--;
  c->state = CSCTP_OUT_ABANDONED;
}

/* The SSN of a message that never reached the wire is given back. */
static void sendq_return_ssn(csctp_sendq *q, const csctp_msg_out *m,
                             uint16_t ssn) {
  uint16_t sid = m->info.sid;
  for (csctp_chunk_out *c = q->unsent; c; c = c->next)
    if (c->sid == sid && !(c->flags & CSCTP_DATA_FLAG_U) && c->msg != m &&
        (uint16_t)(c->ssn - ssn) < 0x8000u)
      c->ssn--;
  q->next_ssn[sid]--;
}

/* The unsent fragments of a message that was partly sent take the next
 * TSNs and join the outstanding list abandoned, never sent (RFC 3758 3.5
 * A3), so that the FORWARD TSN or I-FORWARD-TSN covers the message even
 * when every fragment sent was acknowledged: the receiver holds those and
 * waits for the rest (with I-DATA it learns of the skip only from the
 * entry's MID, RFC 8260 2.3.1). They are in fragment order in the FIFO
 * but not always at its head, nor always together: a stream scheduler
 * moves the fragment it picks to the head (stream_sched.h), another
 * stream's may be ahead of them. */
static void sendq_number_abandoned(csctp_sendq *q, csctp_msg_out *m) {
  csctp_chunk_out **pp = &q->unsent, *prev = NULL;
  while (*pp) {
    csctp_chunk_out *c = *pp;
    if (c->msg != m) {
      prev = c;
      pp = &c->next;
      continue;
    }
    sendq_unlink_unsent(q, pp, prev);
    c->state = CSCTP_OUT_ABANDONED;
    sendq_number_out(q, c);
  }
}

void csctp_sendq_drop_unsent(csctp_sendq *q, csctp_msg_out *m) {
  if (m->sent) {
    sendq_number_abandoned(q, m); /* moves all of m's unsent fragments */
    return;
  }
  int ordered = !(m->info.flags & CSCTP_SEND_UNORDERED);
  int give_back = ordered && m->info.sid < q->nstreams;
  uint16_t ssn = 0;
  csctp_chunk_out **pp = &q->unsent, *prev = NULL;
  while (*pp) {
    csctp_chunk_out *c = *pp;
    if (c->msg != m) {
      prev = c;
      pp = &c->next;
      continue;
    }
    ssn = c->ssn;
    sendq_unlink_unsent(q, pp, prev);
    int last = (c->flags & CSCTP_DATA_FLAG_E) != 0;
    if (last && give_back)
      sendq_return_ssn(q, m, ssn); /* before m may be freed */
    sendq_release(q, c);
    if (last)
      break; /* a message's fragments are queued together */
  }
}
