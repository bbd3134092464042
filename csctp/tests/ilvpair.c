/* ilvpair.c -- see ilvpair.h. */
#include "ilvpair.h"

#include "../chunk.h"

#include <stdlib.h>
#include <string.h>

#define ILV_PKTMAX 2048
#define ILV_RBUF (4u << 20)

typedef struct ilv_q {
  csctp_tstamp at;
  int to_b;
  size_t len;
  uint8_t data[ILV_PKTMAX];
} ilv_q;

static uint64_t ilv_seed_a, ilv_seed_b;

static int ilv_rand(uint8_t *d, size_t n, void *ud) {
  uint64_t *s = ud;
  for (size_t i = 0; i < n; i++) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(*s >> 56);
  }
  return 0;
}

static double ilv_rnd01(ilv_pair *p) {
  p->rng ^= p->rng << 13;
  p->rng ^= p->rng >> 7;
  p->rng ^= p->rng << 17;
  return (double)(p->rng >> 11) / 9007199254740992.0;
}

static uint8_t ilv_byte(uint32_t idx, size_t i) {
  return (uint8_t)(idx * 131u + i * 7u + (i >> 8));
}

int ilv_open(ilv_pair *p, const csctp_settings *sa, const csctp_settings *sb,
             uint64_t seed) {
  memset(p, 0, sizeof(*p));
  p->capq = 8192;
  p->q = calloc(p->capq, sizeof(ilv_q));
  p->recs = calloc(ILV_MAXMSG, sizeof(ilv_rec));
  p->rbuf = malloc(ILV_RBUF);
  if (!p->q || !p->recs || !p->rbuf)
    return -1;
  p->rng = seed * 2654435761u + 88172645463325252ULL;
  p->delay = 10 * CSCTP_MILLISECONDS;
  p->reader_on = 1;
  ilv_seed_a = seed * 3 + 1;
  ilv_seed_b = seed * 5 + 2;
  p->addr_a.family = p->addr_b.family = CSCTP_AF_INET;
  p->addr_a.ip[0] = 10, p->addr_a.ip[3] = 1;
  p->addr_b.ip[0] = 10, p->addr_b.ip[3] = 2;
  p->now = 1000 * CSCTP_SECONDS;
  if (csctp_endpoint_new(&p->a, 5000, sa, NULL, ilv_rand, &ilv_seed_a,
                         p->now) != 0 ||
      csctp_endpoint_new(&p->b, 6000, sb, NULL, ilv_rand, &ilv_seed_b,
                         p->now) != 0)
    return -1;
  csctp_endpoint_listen(p->b, 1);
  return csctp_connect(p->a, &p->addr_b, 1, 6000, NULL, p->now, &p->ida) == 0
             ? 0
             : -1;
}

void ilv_close(ilv_pair *p) {
  csctp_event ev;
  while (p->a && csctp_endpoint_poll_events(p->a, &ev, 1) == 1)
    csctp_event_clear(p->a, &ev);
  while (p->b && csctp_endpoint_poll_events(p->b, &ev, 1) == 1)
    csctp_event_clear(p->b, &ev);
  csctp_endpoint_del(p->a);
  csctp_endpoint_del(p->b);
  free(p->q);
  free(p->recs);
  free(p->rbuf);
  memset(p, 0, sizeof(*p));
}

/* When a packet of len bytes emitted now reaches the other side; 0: the
 * bottleneck queue is full (dropped). */
static csctp_tstamp ilv_arrival(ilv_pair *p, int to_b, size_t len) {
  if (!to_b || p->rate == 0)
    return p->now + p->delay;
  csctp_tstamp start = p->link_free > p->now ? p->link_free : p->now;
  uint64_t backlog = (uint64_t)(start - p->now) * p->rate / CSCTP_SECONDS;
  if (p->queue_limit && backlog + len > p->queue_limit)
    return 0;
  p->link_free = start + (csctp_tstamp)len * CSCTP_SECONDS / p->rate;
  return p->link_free + p->delay;
}

static void ilv_emit(ilv_pair *p) {
  uint8_t buf[ILV_PKTMAX];
  csctp_addr dst, src;
  csctp_ssize n;
  for (int side = 0; side < 2; side++) {
    csctp_endpoint *ep = side ? p->b : p->a;
    while ((n = csctp_endpoint_write_pkt(ep, &dst, &src, buf, sizeof(buf),
                                         p->now)) > 0) {
      int to_b = side == 0;
      if (p->tap && p->tap(p, to_b, buf, (size_t)n))
        continue;
      if (p->loss > 0 && ilv_rnd01(p) < p->loss)
        continue;
      csctp_tstamp at = ilv_arrival(p, to_b, (size_t)n);
      if (at == 0 || p->nq == p->capq)
        continue; /* lost */
      ilv_q *q = &p->q[p->nq++];
      q->at = at;
      q->to_b = to_b;
      q->len = (size_t)n;
      memcpy(q->data, buf, (size_t)n);
    }
  }
}

void ilv_events(ilv_pair *p) {
  csctp_event ev;
  while (csctp_endpoint_poll_events(p->a, &ev, 1) == 1) {
    if (ev.type == CSCTP_EV_ASSOC_UP)
      p->up_a = 1;
    if (ev.type == CSCTP_EV_ASSOC_LOST)
      p->lost_a = 1;
    if (ev.type == CSCTP_EV_STREAM_RESET)
      p->reset_events_a++;
    if (ev.type == CSCTP_EV_SEND_FAILED) {
      p->send_failed_a++;
      p->abandoned_a += ev.u.send_failed.abandoned != 0;
    }
    csctp_event_clear(p->a, &ev);
  }
  while (csctp_endpoint_poll_events(p->b, &ev, 1) == 1) {
    if (ev.type == CSCTP_EV_ASSOC_UP) {
      p->up_b = 1;
      p->idb = ev.assoc_id;
    }
    if (ev.type == CSCTP_EV_ASSOC_LOST) {
      p->lost_b = 1;
      p->lost_reason_b = ev.u.lost.reason;
    }
    csctp_event_clear(p->b, &ev);
  }
}

static void ilv_check(ilv_pair *p, const csctp_rcvinfo *info) {
  const uint8_t *b = p->rbuf;
  size_t len = p->rhave;
  ilv_rec r;
  memset(&r, 0, sizeof(r));
  r.idx = UINT32_MAX;
  if (len >= 12) {
    r.idx = csctp_get32(b);
    csctp_tstamp sent =
        ((csctp_tstamp)csctp_get32(b + 4) << 32) | csctp_get32(b + 8);
    r.latency = p->now - sent;
    for (size_t i = 12; i < len; i++)
      if (b[i] != ilv_byte(r.idx, i))
        p->bad_data = 1;
  } else {
    p->bad_data = 1;
  }
  r.sid = info->sid;
  r.ssn = info->ssn;
  r.flags = info->flags;
  if (!(info->flags & CSCTP_RCV_UNORDERED) && info->sid < ILV_MAXSID) {
    /* ordered: indexes of one stream rise (ilv_send's callers number
     * each stream's messages in sending order) */
    if (r.idx + 1 <= p->last_idx[info->sid])
      p->bad_order = 1;
    p->last_idx[info->sid] = r.idx + 1;
  }
  if (p->nrecs < ILV_MAXMSG)
    p->recs[p->nrecs++] = r;
}

static void ilv_read(ilv_pair *p) {
  csctp_rcvinfo info;
  csctp_ssize n;
  if (!p->reader_on)
    return;
  while ((n = csctp_recv(p->b, 0, &info, p->rbuf + p->rhave,
                         ILV_RBUF - p->rhave, p->now)) > 0) {
    p->rhave += (size_t)n;
    if (!(info.flags & CSCTP_RCV_EOR))
      continue;
    ilv_check(p, &info);
    p->rhave = 0;
  }
}

static void ilv_deliver(ilv_pair *p) {
  for (;;) {
    size_t best = p->nq;
    for (size_t i = 0; i < p->nq; i++)
      if (p->q[i].at <= p->now && (best == p->nq || p->q[i].at < p->q[best].at))
        best = i;
    if (best == p->nq)
      return;
    ilv_q *q = &p->q[best];
    if (q->to_b)
      csctp_endpoint_read_pkt(p->b, &p->addr_a, &p->addr_b, q->data, q->len,
                              p->now);
    else
      csctp_endpoint_read_pkt(p->a, &p->addr_b, &p->addr_a, q->data, q->len,
                              p->now);
    p->q[best] = p->q[--p->nq];
  }
}

static void ilv_step(ilv_pair *p) {
  ilv_deliver(p);
  if (csctp_endpoint_get_expiry(p->a) <= p->now)
    csctp_endpoint_handle_expiry(p->a, p->now);
  if (csctp_endpoint_get_expiry(p->b) <= p->now)
    csctp_endpoint_handle_expiry(p->b, p->now);
  ilv_events(p);
  ilv_read(p);
  ilv_emit(p);
  ilv_events(p);
}

static csctp_tstamp ilv_next(const ilv_pair *p) {
  csctp_tstamp t = csctp_endpoint_get_expiry(p->a);
  csctp_tstamp tb = csctp_endpoint_get_expiry(p->b);
  if (tb < t)
    t = tb;
  for (size_t i = 0; i < p->nq; i++)
    if (p->q[i].at < t)
      t = p->q[i].at;
  return t;
}

int ilv_run(ilv_pair *p, csctp_tstamp dur, ilv_pred pred) {
  csctp_tstamp end = p->now + dur;
  ilv_step(p);
  while (!(pred && pred(p))) {
    csctp_tstamp t = ilv_next(p);
    if (t > end) {
      p->now = end;
      ilv_step(p);
      return pred ? pred(p) : 1;
    }
    if (t > p->now)
      p->now = t;
    ilv_step(p);
  }
  return 1;
}

int ilv_pred_up(ilv_pair *p) { return p->up_a && p->up_b; }

int ilv_pred_idle(ilv_pair *p) {
  csctp_assoc_status st;
  if (csctp_assoc_status_get(p->a, p->ida, &st) != 0)
    return 0;
  return st.unacked == 0 && st.pending == 0;
}

int ilv_send(ilv_pair *p, uint32_t idx, uint16_t sid, int unordered,
             size_t len) {
  return ilv_send_pr(p, idx, sid, unordered, len, CSCTP_PR_SCTP_NONE, 0);
}

int ilv_send_pr(ilv_pair *p, uint32_t idx, uint16_t sid, int unordered,
                size_t len, uint16_t policy, uint32_t value) {
  uint8_t *buf = malloc(len < 12 ? 12 : len);
  if (!buf)
    return CSCTP_ERR_NOMEM;
  csctp_put32(buf, idx);
  csctp_put32(buf + 4, (uint32_t)(p->now >> 32));
  csctp_put32(buf + 8, (uint32_t)p->now);
  for (size_t i = 12; i < len; i++)
    buf[i] = ilv_byte(idx, i);
  csctp_sndinfo si;
  memset(&si, 0, sizeof(si));
  si.assoc_id = p->ida;
  si.sid = sid;
  si.flags = unordered ? CSCTP_SEND_UNORDERED : 0;
  si.context = idx;
  si.ppid = 51;
  si.pr_policy = policy;
  si.pr_value = value;
  int rv = csctp_send(p->a, &si, NULL, buf, len, p->now);
  free(buf);
  return rv;
}
