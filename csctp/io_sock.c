#include "config.h"

/* io_sock.c -- the socket-like API (RFC 6458 in spirit) over the stack's
 * endpoints: one-to-one and one-to-many sockets, bind / listen / connect /
 * accept, sendv / recvv, notifications, options, peeloff, shutdown and
 * close. See csctp_io.h for the contract of every public function. */

#include "io_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define IO_MAX_ADDRS 16

/* IO_K hands a call on a kernel-backed socket to io_kernel_linux.c. */
#if IO_KERNEL_SUPPORTED
#define IO_K(s, call)                                                          \
  do {                                                                         \
    if ((s) && (s)->k)                                                         \
      return call;                                                             \
  } while (0)
#else
#define IO_K(s, call)                                                          \
  do {                                                                         \
  } while (0)
#endif

/* ---- Event fds --------------------------------------------------------- */

/* The wake-up fds themselves (eventfd or pipe pair) are io_evfd.c's. */

/* io_sock_ready_queue puts s on the stack's ready list with side `which`
 * (when the caller asked for the list). */
static void io_sock_ready_queue(csctp_sock *s, int which) {
  csctp_stack *st = s->st;
  if (!st->ready_list)
    return;
  if (!s->ready_mask) {
    s->rdy_next = NULL;
    s->rdy_prev = st->rdy_tail;
    if (st->rdy_tail)
      st->rdy_tail->rdy_next = s;
    else
      st->rdy_head = s;
    st->rdy_tail = s;
    st->rdy_count++;
  }
  s->ready_mask |= which;
}

static void io_sock_ready_unlink(csctp_sock *s) {
  csctp_stack *st = s->st;
  if (!s->ready_mask)
    return;
  if (s->rdy_prev)
    s->rdy_prev->rdy_next = s->rdy_next;
  else
    st->rdy_head = s->rdy_next;
  if (s->rdy_next)
    s->rdy_next->rdy_prev = s->rdy_prev;
  else
    st->rdy_tail = s->rdy_prev;
  st->rdy_count--;
  s->ready_mask = 0;
  s->rdy_next = s->rdy_prev = NULL;
}

void io_sock_signal_read(csctp_sock *s) {
  if (s->r_armed) {
    s->r_armed = 0;
    io_evfd_raise(s->rfd_w);
    io_sock_ready_queue(s, CSCTP_READY_READ);
  }
}

void io_sock_signal_write(csctp_sock *s) {
  if (s->w_armed) {
    s->w_armed = 0;
    io_evfd_raise(s->wfd_w);
    io_sock_ready_queue(s, CSCTP_READY_WRITE);
  }
}

CSCTP_API void csctp_stack_set_ready_list(csctp_stack *st, int enable) {
  if (!st)
    return;
  st->ready_list = enable != 0;
  while (!st->ready_list && st->rdy_head)
    io_sock_ready_unlink(st->rdy_head);
}

CSCTP_API size_t csctp_stack_poll_ready(csctp_stack *st, csctp_ready *out,
                                        size_t max) {
  size_t n = 0;
  while (st && n < max && st->rdy_head) {
    csctp_sock *s = st->rdy_head;
    out[n].sock = s;
    out[n].user = s->user;
    out[n].which = s->ready_mask;
    n++;
    io_sock_ready_unlink(s);
  }
  return n;
}

CSCTP_API const unsigned *csctp_stack_ready_count(const csctp_stack *st) {
  return st ? &st->rdy_count : NULL;
}

CSCTP_API void csctp_sock_set_user(csctp_sock *s, void *user) {
  if (s)
    s->user = user;
}

/* io_sock_again arms a side and drains its fd: the -EAGAIN path. */
static csctp_ssize io_sock_again_read(csctp_sock *s) {
  io_evfd_drain(s->rfd);
  s->r_armed = 1;
  return -EAGAIN;
}

static csctp_ssize io_sock_again_write(csctp_sock *s, csctp_assoc_id id,
                                       size_t need) {
  io_evfd_drain(s->wfd);
  s->w_armed = 1;
  s->want_assoc = id;
  s->want_space = need;
  return -EAGAIN;
}

/* ---- Helpers ----------------------------------------------------------- */

static io_assoc *io_sock_owned(const csctp_sock *s, csctp_assoc_id id) {
  if (!s->iep || id == 0)
    return NULL;
  io_assoc *a = io_assoc_find(s->iep, id);
  return a && a->owner == s ? a : NULL;
}

/* io_sock_pending is the data bytes waiting for s (all its associations). */
static size_t io_sock_pending(const csctp_sock *s) {
  if (!s->iep)
    return 0;
  if (s->type == CSCTP_SOCK_STREAM)
    return s->assoc ? csctp_recv_pending(s->iep->ep, s->assoc->id) : 0;
  size_t n = 0;
  for (csctp_assoc_id id = 0;
       (id = csctp_endpoint_next_readable(s->iep->ep, id)) != 0;)
    if (io_sock_owned(s, id))
      n += csctp_recv_pending(s->iep->ep, id);
  return n;
}

/* io_parse_addrs reads n packed sockaddrs into out (at most IO_MAX_ADDRS).
 * Stores their common port. */
static int io_parse_addrs(const csctp_sock *s, const struct sockaddr *addrs,
                          size_t n, csctp_addr *out, uint16_t *port,
                          int *wildcard) {
  if (!addrs || n == 0 || n > IO_MAX_ADDRS)
    return CSCTP_ERR_INVAL;
  const uint8_t *p = (const uint8_t *)addrs;
  int fams = s->st->tr->families;
  if (wildcard)
    *wildcard = 0;
  for (size_t i = 0; i < n; i++) {
    struct sockaddr sa;
    memcpy(&sa, p, sizeof sa);
    size_t sl;
    uint16_t pt = 0;
    if (sa.sa_family == AF_INET) {
      sl = sizeof(struct sockaddr_in);
      if (!(fams & CSCTP_STACK_IPV4))
        return -EAFNOSUPPORT;
    } else if (sa.sa_family == AF_INET6) {
      sl = sizeof(struct sockaddr_in6);
      if (s->family == AF_INET || s->family == CSCTP_AF_CONN)
        return -EAFNOSUPPORT;
    } else if (sa.sa_family == CSCTP_AF_CONN) {
      sl = sizeof(struct csctp_sockaddr_conn);
      if (s->family != CSCTP_AF_CONN)
        return -EAFNOSUPPORT;
    } else {
      return -EAFNOSUPPORT;
    }
    if (io_sockaddr_to_addr(&out[i], p, &pt) != 0)
      return CSCTP_ERR_INVAL;
    if (out[i].family == CSCTP_AF_INET6 && !(fams & CSCTP_STACK_IPV6))
      return -EAFNOSUPPORT;
    if (i == 0)
      *port = pt;
    else if (pt != *port)
      return CSCTP_ERR_INVAL;
    static const uint8_t zero[16];
    size_t alen = out[i].family == CSCTP_AF_INET ? 4 : 16;
    /* A lower layer's connection is no local address: binding one binds
     * the port only (RFC 8261 6.1: SCTP does not deal with addresses). */
    if (wildcard && out[i].family == CSCTP_AF_CONN)
      *wildcard = 1;
    if (memcmp(out[i].ip, zero, alen) == 0) {
      if (!wildcard)
        return CSCTP_ERR_INVAL; /* cannot connect to the wildcard */
      *wildcard = 1;
    }
    p += sl;
  }
  return 0;
}

/* ---- Creation and destruction ------------------------------------------ */

static int io_sock_alloc(csctp_stack *st, int family, int type, io_ksock *k,
                         csctp_sock **out) {
  csctp_sock *s = io_zalloc(st, sizeof *s);
  if (!s)
    return CSCTP_ERR_NOMEM;
  s->st = st;
  s->k = k;
  s->family = family;
  s->type = type;
  s->rfd = s->wfd = -1; /* made on demand: io_sock_event_fd */
  s->rfd_w = s->wfd_w = -1;
  s->r_armed = s->w_armed = 1;
  s->settings = st->cfg.settings;
  s->next = st->socks;
  if (st->socks)
    st->socks->prev = s;
  st->socks = s;
  st->nsocks++;
  *out = s;
  return 0;
}

CSCTP_API int csctp_socket(csctp_stack *st, int family, int type,
                           csctp_sock **out) {
  if (!st || !out)
    return CSCTP_ERR_INVAL;
  if (type != CSCTP_SOCK_STREAM && type != CSCTP_SOCK_SEQPACKET)
    return CSCTP_ERR_INVAL;
  if (family == AF_INET) {
    if (!(st->tr->families & CSCTP_STACK_IPV4))
      return -EAFNOSUPPORT;
  } else if (family == CSCTP_AF_CONN) {
    if (!(st->tr->families & CSCTP_STACK_CONN))
      return -EAFNOSUPPORT;
  } else if (family != AF_INET6 || (st->tr->families & CSCTP_STACK_CONN)) {
    return -EAFNOSUPPORT;
  }
  io_ksock *k = NULL;
  if (st->cfg.transport == CSCTP_TRANSPORT_KERNEL) {
#if IO_KERNEL_SUPPORTED
    int r = io_ksock_open(&st->mem, family, type, &st->cfg.settings, &k);
    if (r != 0)
      return r;
#else
    return CSCTP_ERR_NOT_SUPPORTED;
#endif
  }
  int r = io_sock_alloc(st, family, type, k, out);
#if IO_KERNEL_SUPPORTED
  if (r != 0 && k)
    io_ksock_close(k);
#endif
  return r;
}

static void io_notif_free_all(csctp_sock *s) {
  while (s->nq_head) {
    io_notif *q = s->nq_head;
    s->nq_head = q->next;
    io_free(s->st, q);
  }
  s->nq_tail = NULL;
  s->nq_len = 0;
}

void io_sock_free_internal(csctp_sock *s) {
  csctp_stack *st = s->st;
  if (s->prev)
    s->prev->next = s->next;
  else
    st->socks = s->next;
  if (s->next)
    s->next->prev = s->prev;
  st->nsocks--;
  io_sock_ready_unlink(s);
  io_notif_free_all(s);
#if IO_KERNEL_SUPPORTED
  if (s->k)
    io_ksock_close(s->k);
#endif
  io_evfd_close(s->rfd, s->rfd_w);
  io_evfd_close(s->wfd, s->wfd_w);
  io_free(st, s);
}

static void io_sock_link_ep(csctp_sock *s, io_ep *iep) {
  s->iep = iep;
  iep->refs++;
  s->ep_next = iep->socks;
  iep->socks = s;
}

static void io_sock_unlink_ep(csctp_sock *s) {
  for (csctp_sock **pp = &s->iep->socks; *pp; pp = &(*pp)->ep_next)
    if (*pp == s) {
      *pp = s->ep_next;
      break;
    }
}

/* A new socket that takes over association a (accept, peeloff). */
static int io_sock_spawn(csctp_sock *s, io_assoc *a, csctp_sock **out) {
  csctp_sock *ns;
  int r = io_sock_alloc(s->st, s->family, CSCTP_SOCK_STREAM, NULL, &ns);
  if (r != 0)
    return r;
  ns->settings = s->settings;
  ns->frag_interleave = s->frag_interleave;
  ns->def_snd = s->def_snd;
  ns->subs = s->subs;
  ns->linger = s->linger;
  ns->remote_udp_port = s->remote_udp_port;
  ns->auth = s->auth;
  ns->accepted = 1;
  io_sock_link_ep(ns, s->iep);
  ns->assoc = a;
  ns->peer_shut = a->peer_shut;
  a->owner = ns;
  if (a->state == IO_A_PENDING)
    a->state = IO_A_UP;
  if (a->state == IO_A_ENDED)
    ns->end_err = a->end_err;
  *out = ns;
  return 0;
}

#if IO_KERNEL_SUPPORTED
/* io_sock_wrap_k wraps a new kernel socket (accept, peeloff). */
static int io_sock_wrap_k(csctp_sock *s, io_ksock *k, csctp_sock **out) {
  int r = io_sock_alloc(s->st, s->family, CSCTP_SOCK_STREAM, k, out);
  if (r != 0)
    io_ksock_close(k);
  return r;
}

static int io_k_accept(csctp_sock *s, csctp_sock **out,
                       struct sockaddr_storage *peer, socklen_t *peerlen) {
  io_ksock *k;
  int r = io_ksock_accept(s->k, &k, peer, peerlen);
  return r != 0 ? r : io_sock_wrap_k(s, k, out);
}

static int io_k_peeloff(csctp_sock *s, csctp_assoc_id id, csctp_sock **out) {
  io_ksock *k;
  int r = io_ksock_peeloff(s->k, id, &k);
  return r != 0 ? r : io_sock_wrap_k(s, k, out);
}
#endif

/* ---- Notifications ----------------------------------------------------- */

static void io_sock_notify(csctp_sock *s, const csctp_event *ev, int due_now) {
  if (ev->type >= 32 || !(s->subs & (1u << ev->type)))
    return;
  const uint8_t *data = NULL;
  size_t dlen = 0;
  if (ev->type == CSCTP_EV_SEND_FAILED) {
    data = ev->u.send_failed.data;
    dlen = data ? ev->u.send_failed.len : 0;
  } else if (ev->type == CSCTP_EV_STREAM_RESET) {
    data = (const uint8_t *)ev->u.stream_reset.sids; /* host order */
    dlen = data ? 2u * ev->u.stream_reset.n : 0;
  } else if (ev->type == CSCTP_EV_REMOTE_ERROR) {
    data = ev->u.remote_error.data;
    dlen = ev->u.remote_error.len;
    if (dlen > sizeof ev->u.remote_error.data)
      dlen = sizeof ev->u.remote_error.data;
  }
  if (s->nq_len >= IO_NOTIF_MAX && s->nq_head && !(s->partial_notif)) {
    io_notif *old = s->nq_head;
    s->nq_head = old->next;
    if (!s->nq_head)
      s->nq_tail = NULL;
    s->nq_len--;
    s->nq_dropped++;
    io_free(s->st, old);
  }
  io_notif *q = io_zalloc(s->st, sizeof *q + dlen);
  if (!q) {
    s->nq_dropped++;
    return;
  }
  q->assoc_id = ev->assoc_id;
  q->mark = due_now ? 0 : s->read_total + io_sock_pending(s);
  csctp_notification *n = &q->n;
  n->type = ev->type;
  n->assoc_id = ev->assoc_id;
  n->data_len = (uint32_t)dlen;
  n->length = (uint32_t)(sizeof *n + dlen);
  n->dropped = s->nq_dropped;
  s->nq_dropped = 0;
  switch (ev->type) {
  case CSCTP_EV_ASSOC_UP:
  case CSCTP_EV_ASSOC_RESTART:
    n->u.up.outbound_streams = ev->u.up.outbound_streams;
    n->u.up.inbound_streams = ev->u.up.inbound_streams;
    n->u.up.peer_port = ev->u.up.peer_port;
    n->u.up.peer = ev->u.up.peer;
    break;
  case CSCTP_EV_ASSOC_LOST:
    n->u.lost.reason = ev->u.lost.reason;
    n->u.lost.cause_code = ev->u.lost.cause_code;
    n->error = io_lost_err(ev->u.lost.reason);
    break;
  case CSCTP_EV_SEND_FAILED:
    n->u.send_failed.info = ev->u.send_failed.info;
    n->u.send_failed.was_sent = ev->u.send_failed.was_sent;
    n->u.send_failed.abandoned = ev->u.send_failed.abandoned;
    break;
  case CSCTP_EV_PEER_ADDR_CHANGE:
    n->u.paddr.addr = ev->u.paddr.addr;
    n->u.paddr.state = ev->u.paddr.state;
    break;
  case CSCTP_EV_REMOTE_ERROR:
    n->u.remote_error.cause_code = ev->u.remote_error.cause_code;
    break;
  case CSCTP_EV_AUTHENTICATION:
    n->u.auth.keynumber = ev->u.auth.keynumber;
    n->u.auth.indication = ev->u.auth.indication;
    break;
  case CSCTP_EV_STREAM_RESET:
    n->u.stream_reset.flags = ev->u.stream_reset.flags;
    n->u.stream_reset.number_streams = (uint16_t)(dlen / 2);
    break;
  case CSCTP_EV_ASSOC_RESET:
    n->u.assoc_reset.flags = ev->u.assoc_reset.flags;
    n->u.assoc_reset.local_tsn = ev->u.assoc_reset.local_tsn;
    n->u.assoc_reset.remote_tsn = ev->u.assoc_reset.remote_tsn;
    break;
  case CSCTP_EV_STREAM_CHANGE:
    n->u.stream_change.flags = ev->u.stream_change.flags;
    n->u.stream_change.instrms = ev->u.stream_change.instrms;
    n->u.stream_change.outstrms = ev->u.stream_change.outstrms;
    break;
  case CSCTP_EV_PARTIAL_DELIVERY:
    n->u.pdapi.indication = ev->u.pdapi.indication;
    n->u.pdapi.stream = ev->u.pdapi.stream;
    n->u.pdapi.flags = ev->u.pdapi.flags;
    n->u.pdapi.seq = ev->u.pdapi.seq;
    break;
  default:
    break;
  }
  if (dlen)
    memcpy(q + 1, data, dlen);
  q->len = sizeof *n + dlen;
  if (s->nq_tail)
    s->nq_tail->next = q;
  else
    s->nq_head = q;
  s->nq_tail = q;
  s->nq_len++;
  io_sock_signal_read(s);
}

void io_sock_event(csctp_sock *s, const csctp_event *ev) {
  io_sock_notify(s, ev, 0);
}

CSCTP_API int csctp_sock_subscribe(csctp_sock *s, uint32_t type, int on) {
  IO_K(s, io_ksock_subscribe(s->k, type, on));
  if (!s || type < CSCTP_EV_ASSOC_UP || type > CSCTP_EV_PARTIAL_DELIVERY)
    return CSCTP_ERR_INVAL;
  if (on)
    s->subs |= 1u << type;
  else
    s->subs &= ~(1u << type);
  return 0;
}

/* io_notif_copy copies bytes [off, off+len) of notification q. */
static void io_notif_copy(const io_notif *q, size_t off, uint8_t *dst,
                          size_t len) {
  const uint8_t *hdr = (const uint8_t *)&q->n;
  const uint8_t *data = (const uint8_t *)(q + 1);
  while (len) {
    if (off < sizeof q->n) {
      size_t k = sizeof q->n - off;
      if (k > len)
        k = len;
      memcpy(dst, hdr + off, k);
      dst += k;
      off += k;
      len -= k;
    } else {
      memcpy(dst, data + (off - sizeof q->n), len);
      return;
    }
  }
}

static void io_notif_pop(csctp_sock *s) {
  io_notif *q = s->nq_head;
  s->nq_head = q->next;
  if (!s->nq_head)
    s->nq_tail = NULL;
  s->nq_len--;
  s->partial_notif = 0;
  io_free(s->st, q);
}

static csctp_ssize io_recv_notif(csctp_sock *s, const struct iovec *iov,
                                 int iovcnt, csctp_rcvinfo *info,
                                 int *msg_flags) {
  io_notif *q = s->nq_head;
  size_t total = 0;
  for (int i = 0; i < iovcnt && q->off < q->len; i++) {
    size_t k = q->len - q->off;
    if (k > iov[i].iov_len)
      k = iov[i].iov_len;
    io_notif_copy(q, q->off, iov[i].iov_base, k);
    q->off += k;
    total += k;
  }
  if (info) {
    memset(info, 0, sizeof *info);
    info->assoc_id = q->assoc_id;
  }
  int fl = CSCTP_MSG_NOTIFICATION;
  if (q->off >= q->len) {
    fl |= CSCTP_MSG_EOR;
    io_notif_pop(s);
  } else {
    s->partial_notif = 1;
  }
  if (msg_flags)
    *msg_flags = fl;
  return (csctp_ssize)total;
}

CSCTP_API int csctp_sock_next_notification(csctp_sock *s, csctp_notification *n,
                                           uint8_t *data, size_t datalen) {
  IO_K(s, io_ksock_next_notification(s->k, n, data, datalen));
  if (!s || !n || (datalen && !data))
    return CSCTP_ERR_INVAL;
  io_notif *q = s->nq_head;
  if (!q ||
      (q->mark > s->read_total && !s->partial_notif && io_sock_pending(s) > 0))
    return (int)io_sock_again_read(s);
  *n = q->n;
  size_t k = q->n.data_len < datalen ? q->n.data_len : datalen;
  if (k)
    memcpy(data, q + 1, k);
  io_notif_pop(s);
  return 0;
}

/* ---- Readiness --------------------------------------------------------- */

/* io_sock_event_fd returns a side's wake-up fd (io_evfd.c), made on the
 * first call (a socket nobody waits on through an fd holds none): readable
 * at once if the side was signalled and not re-armed since. */
static int io_sock_event_fd(int *fd, int *wr, int armed) {
  if (*fd >= 0)
    return *fd;
  int e = io_evfd_open(fd, wr);
  if (e != 0)
    return e;
  if (!armed)
    io_evfd_raise(*wr);
  return *fd;
}

/* The fds are state the socket keeps for its caller, not part of what the
 * const promises (its protocol state): making one on demand is allowed. */
CSCTP_API int csctp_sock_fd(const csctp_sock *s) {
  IO_K(s, io_ksock_fd(s->k));
  csctp_sock *m = (csctp_sock *)s;
  return io_sock_event_fd(&m->rfd, &m->rfd_w, m->r_armed);
}

CSCTP_API int csctp_sock_wfd(const csctp_sock *s) {
  IO_K(s, io_ksock_fd(s->k));
  csctp_sock *m = (csctp_sock *)s;
  return io_sock_event_fd(&m->wfd, &m->wfd_w, m->w_armed);
}

static int io_assoc_space_ok(const csctp_sock *s, const io_assoc *a,
                             size_t need) {
  if (a->state != IO_A_UP)
    return 0;
  size_t sp = csctp_send_space(s->iep->ep, a->id);
  return sp > 0 && sp >= need;
}

CSCTP_API int csctp_sock_poll(const csctp_sock *s) {
  IO_K(s, io_ksock_poll(s->k));
  int m = 0;
  if (s->err)
    m |= CSCTP_POLLERR;
  if (s->nq_head)
    m |= CSCTP_POLLIN;
  if (!s->iep)
    return m;
  if (s->type == CSCTP_SOCK_STREAM) {
    if (s->listening) {
      if (s->acc_len)
        m |= CSCTP_POLLIN;
      return m;
    }
    const io_assoc *a = s->assoc;
    if (!a)
      return m;
    if (a->state == IO_A_ENDED) {
      m |= CSCTP_POLLIN | CSCTP_POLLOUT | CSCTP_POLLHUP;
      return m;
    }
    if (s->shut_rd || s->peer_shut || csctp_recv_pending(s->iep->ep, a->id) > 0)
      m |= CSCTP_POLLIN;
    if (s->shut_wr || a->peer_shut)
      m |= CSCTP_POLLOUT | CSCTP_POLLHUP; /* sendv fails at once */
    else if (io_assoc_space_ok(s, a, 1))
      m |= CSCTP_POLLOUT;
    return m;
  }
  /* One-to-many: readable when one of its associations is (the endpoint's
   * ready list, not every association); writable unless the association
   * the last sendv found full (-EAGAIN) still has no room. */
  for (csctp_assoc_id id = 0;
       !(m & CSCTP_POLLIN) &&
       (id = csctp_endpoint_next_readable(s->iep->ep, id)) != 0;)
    if (io_sock_owned(s, id))
      m |= CSCTP_POLLIN;
  const io_assoc *w = s->want_assoc ? io_sock_owned(s, s->want_assoc) : NULL;
  if (!w || w->state == IO_A_ENDED || io_assoc_space_ok(s, w, 1))
    m |= CSCTP_POLLOUT;
  return m;
}

void io_sock_update(csctp_sock *s) {
  if (!s->r_armed && !s->w_armed)
    return;
  int m = csctp_sock_poll(s);
  if (s->r_armed && (m & (CSCTP_POLLIN | CSCTP_POLLERR | CSCTP_POLLHUP)))
    io_sock_signal_read(s);
  if (!s->w_armed)
    return;
  if (m & (CSCTP_POLLERR | CSCTP_POLLHUP)) {
    io_sock_signal_write(s);
    return;
  }
  if (s->type == CSCTP_SOCK_STREAM) {
    if (s->assoc && (s->assoc->state == IO_A_ENDED ||
                     io_assoc_space_ok(s, s->assoc, s->want_space)))
      io_sock_signal_write(s);
    return;
  }
  io_assoc *a = io_sock_owned(s, s->want_assoc);
  if (a) {
    if (a->state == IO_A_ENDED || io_assoc_space_ok(s, a, s->want_space))
      io_sock_signal_write(s);
  } else if (m & CSCTP_POLLOUT) {
    io_sock_signal_write(s);
  }
}

CSCTP_API int csctp_sock_error(csctp_sock *s) {
  IO_K(s, io_ksock_error(s->k));
  if (!s)
    return CSCTP_ERR_INVAL;
  int e = s->err;
  s->err = 0;
  return e;
}

void io_sock_enqueue_accept(csctp_sock *s, io_assoc *a) {
  a->acc_next = NULL;
  if (s->acc_tail)
    s->acc_tail->acc_next = a;
  else
    s->acc_head = a;
  s->acc_tail = a;
  s->acc_len++;
  io_sock_signal_read(s);
}

void io_sock_assoc_ended(csctp_sock *s, io_assoc *a) {
  if (s->type == CSCTP_SOCK_STREAM) {
    s->end_err = a->end_err;
    if (a->end_err != CSCTP_ERR_CLOSED && a->end_err != 0 && s->err == 0)
      s->err = a->end_err;
  } else if (csctp_recv_pending(s->iep->ep, a->id) == 0) {
    /* One-to-many: nothing left to read; forget it (the notification, if
     * subscribed, says it ended). */
    if (s->partial == a->id)
      s->partial = 0;
    (void)csctp_assoc_release(s->iep->ep, a->id);
    io_assoc_free(a);
  }
  io_sock_signal_read(s);
  io_sock_signal_write(s);
}

/* ---- Bind, listen, connect, accept ------------------------------------- */

/* The AUTH options given before bind go to the new endpoint. */
static int io_sock_auth_apply(csctp_sock *s, csctp_endpoint *ep) {
  int r = 0;
  if (s->auth.on)
    r = csctp_auth_enable(ep, 1);
  for (int t = 0; r == 0 && t < 256; t++)
    if (s->auth.chunks[t >> 3] & (1u << (t & 7)))
      r = csctp_auth_add_chunk(ep, (uint8_t)t);
  if (r == 0 && s->auth.set_hmacs)
    r = csctp_auth_set_hmacs(ep, s->auth.hmacs, s->auth.nhmacs);
  if (r == 0 && s->asconf_on) /* RFC 5061: after the AUTH options */
    r = csctp_asconf_enable(ep, 1);
  return r;
}

static int io_sock_bind(csctp_sock *s, uint16_t port, const csctp_addr *addrs,
                        size_t n, int wildcard) {
  io_ep *iep;
  int r = io_ep_new(s->st, port, &s->settings, &iep);
  if (r == 0 && (r = io_sock_auth_apply(s, iep->ep)) != 0) {
    iep->refs = 1;
    io_ep_unref(iep);
  }
  if (r != 0)
    return r;
  iep->wildcard = wildcard || n == 0;
  if (!iep->wildcard) {
    iep->laddrs = io_alloc(s->st, n * sizeof *addrs);
    if (!iep->laddrs) {
      iep->refs = 1;
      io_ep_unref(iep);
      return CSCTP_ERR_NOMEM;
    }
    memcpy(iep->laddrs, addrs, n * sizeof *addrs);
    iep->nladdrs = n;
    for (size_t i = 0; i < n; i++)
      iep->laddrs[i].port = s->st->tr->udp_port;
    if (n >= 2) {
      r = csctp_endpoint_set_local_addrs(iep->ep, iep->laddrs, n);
      if (r != 0) {
        iep->refs = 1;
        io_ep_unref(iep);
        return r;
      }
    }
  }
  io_sock_link_ep(s, iep);
  /* RFC 6458 8.1.20: the level set before bind holds for what comes */
  (void)csctp_set_fragment_interleave(iep->ep, 0, (int)s->frag_interleave);
  return 0;
}

CSCTP_API int csctp_bindx(csctp_sock *s, const struct sockaddr *addrs,
                          size_t n) {
  IO_K(s, io_ksock_bindx(s->k, addrs, n));
  if (!s)
    return CSCTP_ERR_INVAL;
  if (s->iep || s->accepted)
    return -EOPNOTSUPP;
  csctp_addr la[IO_MAX_ADDRS];
  uint16_t port = 0;
  int wild = 0;
  int r = io_parse_addrs(s, addrs, n, la, &port, &wild);
  if (r != 0)
    return r;
  return io_sock_bind(s, port, la, wild ? 0 : n, wild);
}

CSCTP_API int csctp_bindx_op(csctp_sock *s, const struct sockaddr *addrs,
                             size_t n, int flags) {
  IO_K(s, io_ksock_bindx_op(s->k, addrs, n, flags));
  if (!s)
    return CSCTP_ERR_INVAL;
  if (!s->iep || s->accepted)
    return -EOPNOTSUPP;
  csctp_addr la[IO_MAX_ADDRS];
  uint16_t port = 0;
  int wild = 0;
  int r = io_parse_addrs(s, addrs, n, la, &port, &wild);
  if (r != 0)
    return r;
  if (wild || (port != 0 && port != s->iep->port))
    return CSCTP_ERR_INVAL;
  return io_asconf_bindx(s, la, n, flags); /* io_asconf.c */
}

static void io_sock_apply_settings(csctp_sock *s) {
  if (s->iep && !s->accepted && s->iep->socks == s && !s->iep->socks->ep_next)
    (void)csctp_endpoint_set_settings(s->iep->ep, &s->settings);
}

CSCTP_API int csctp_listen(csctp_sock *s, int backlog) {
  IO_K(s, io_ksock_listen(s->k, backlog));
  if (!s)
    return CSCTP_ERR_INVAL;
  if (s->accepted || (s->type == CSCTP_SOCK_STREAM && s->assoc))
    return -EOPNOTSUPP;
  if (!s->iep) {
    int r = io_sock_bind(s, 0, NULL, 0, 1);
    if (r != 0)
      return r;
  }
  if (s->type == CSCTP_SOCK_SEQPACKET && backlog == 0) {
    s->listening = 0;
    return csctp_endpoint_listen(s->iep->ep, 0);
  }
  if (s->iep->listener && s->iep->listener != s)
    return -EADDRINUSE;
  s->listening = 1;
  s->backlog = backlog > 0 ? backlog : 128;
  s->iep->listener = s;
  io_sock_apply_settings(s);
  return csctp_endpoint_listen(s->iep->ep, 1);
}

/* io_sock_connect starts an association from s to the peer; *pa gets it. */
static int io_sock_connect(csctp_sock *s, csctp_addr *pa, size_t n,
                           uint16_t peer_port, io_assoc **pa_out) {
  if (peer_port == 0)
    return CSCTP_ERR_INVAL;
  if (!s->iep) {
    int r = io_sock_bind(s, 0, NULL, 0, 1);
    if (r != 0)
      return r;
  }
  uint16_t udp = 0;
  if (s->st->cfg.transport == CSCTP_TRANSPORT_UDP)
    udp = s->remote_udp_port ? s->remote_udp_port : s->st->cfg.remote_udp_port;
  for (size_t i = 0; i < n; i++)
    pa[i].port = udp;
  csctp_assoc_id id = 0;
  csctp_tstamp now = csctp_now();
  int r = csctp_connect(s->iep->ep, pa, n, peer_port, &s->settings, now, &id);
  if (r != 0)
    return r;
  io_assoc *a = io_assoc_add(s->iep, id);
  if (!a) {
    (void)csctp_assoc_release(s->iep->ep, id);
    return CSCTP_ERR_NOMEM;
  }
  a->owner = s;
  a->state = IO_A_CONNECTING;
  a->peer = pa[0];
  a->peer_port = peer_port;
  *pa_out = a;
  return 0;
}

CSCTP_API int csctp_connectx(csctp_sock *s, const struct sockaddr *addrs,
                             size_t n, csctp_assoc_id *assoc_id) {
  IO_K(s, io_ksock_connectx(s->k, addrs, n, assoc_id));
  if (!s)
    return CSCTP_ERR_INVAL;
  if (s->type == CSCTP_SOCK_STREAM) {
    if (s->listening)
      return -EOPNOTSUPP;
    if (s->assoc)
      return s->assoc->state == IO_A_CONNECTING ? -EALREADY : -EISCONN;
  }
  csctp_addr pa[IO_MAX_ADDRS];
  uint16_t port = 0;
  int r = io_parse_addrs(s, addrs, n, pa, &port, NULL);
  if (r != 0)
    return r;
  io_assoc *a;
  r = io_sock_connect(s, pa, n, port, &a);
  if (r != 0)
    return r;
  if (s->type == CSCTP_SOCK_STREAM) {
    s->assoc = a;
    s->w_armed = 1;
    io_evfd_drain(s->wfd);
  }
  if (assoc_id)
    *assoc_id = a->id;
  io_ep_kick_sock(s->iep, s);
  return -EINPROGRESS;
}

CSCTP_API int csctp_accept(csctp_sock *s, csctp_sock **out,
                           struct sockaddr_storage *peer, socklen_t *peerlen) {
  IO_K(s, out ? io_k_accept(s, out, peer, peerlen) : CSCTP_ERR_INVAL);
  if (!s || !out)
    return CSCTP_ERR_INVAL;
  if (s->type != CSCTP_SOCK_STREAM || !s->listening)
    return -EOPNOTSUPP;
  io_assoc *a = s->acc_head;
  if (!a)
    return (int)io_sock_again_read(s);
  csctp_sock *ns;
  int r = io_sock_spawn(s, a, &ns);
  if (r != 0)
    return r;
  s->acc_head = a->acc_next;
  if (!s->acc_head)
    s->acc_tail = NULL;
  s->acc_len--;
  a->acc_next = NULL;
  /* The association came up before the socket existed: its COMM_UP comes
   * first. */
  csctp_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = CSCTP_EV_ASSOC_UP;
  ev.assoc_id = a->id;
  ev.u.up.outbound_streams = a->ostreams;
  ev.u.up.inbound_streams = a->istreams;
  ev.u.up.peer_port = a->peer_port;
  ev.u.up.peer = a->peer;
  io_sock_notify(ns, &ev, 1);
  ns->r_armed = 1; /* fresh socket: its fd reports what comes next */
  if (peer) {
    int sl = io_addr_to_sockaddr(&a->peer, a->peer_port, peer);
    if (peerlen)
      *peerlen = sl > 0 ? (socklen_t)sl : 0;
  }
  io_sock_update(ns);
  *out = ns;
  return 0;
}

CSCTP_API int csctp_peeloff(csctp_sock *s, csctp_assoc_id assoc_id,
                            csctp_sock **out) {
  IO_K(s, out ? io_k_peeloff(s, assoc_id, out) : CSCTP_ERR_INVAL);
  if (!s || !out)
    return CSCTP_ERR_INVAL;
  if (s->type != CSCTP_SOCK_SEQPACKET)
    return -EOPNOTSUPP;
  io_assoc *a = io_sock_owned(s, assoc_id);
  if (!a)
    return CSCTP_ERR_NOT_FOUND;
  csctp_sock *ns;
  int r = io_sock_spawn(s, a, &ns);
  if (r != 0)
    return r;
  if (s->partial == assoc_id)
    s->partial = 0;
  io_sock_update(ns);
  *out = ns;
  return 0;
}

/* ---- Send -------------------------------------------------------------- */

static io_assoc *io_sock_find_peer(csctp_sock *s, const csctp_addr *pa,
                                   uint16_t port) {
  if (!s->iep)
    return NULL;
  io_assoc *a =
      io_sock_owned(s, csctp_endpoint_assoc_by_peer(s->iep->ep, pa, port));
  return a && a->state != IO_A_ENDED ? a : NULL;
}

static int io_end_code(const io_assoc *a) {
  return a->end_err ? a->end_err : CSCTP_ERR_CLOSED;
}

/* RFC 6458 8.1.26: with explicit EOR each send is a part that
 * CSCTP_SEND_EOR ends (the engine's CSCTP_SEND_MORE when it does not). */
static void io_sock_eor_flags(const csctp_sock *s, csctp_sndinfo *si) {
  uint16_t eor = si->flags & CSCTP_SEND_EOR;
  si->flags &= (uint16_t) ~(CSCTP_SEND_EOR | CSCTP_SEND_MORE);
  if (s->explicit_eor && !eor && !(si->flags & CSCTP_SEND_ABORT))
    si->flags |= CSCTP_SEND_MORE;
}

CSCTP_API csctp_ssize csctp_sendv(csctp_sock *s, const struct iovec *iov,
                                  int iovcnt, const struct sockaddr *to,
                                  const csctp_sndinfo *info, int flags) {
  IO_K(s, io_ksock_sendv(s->k, iov, iovcnt, to, info, flags));
  (void)flags;
  if (!s || iovcnt < 0 || (iovcnt > 0 && !iov))
    return CSCTP_ERR_INVAL;
  csctp_sndinfo si = info ? *info : s->def_snd;
  io_sock_eor_flags(s, &si);
  size_t len = 0;
  for (int i = 0; i < iovcnt; i++)
    len += iov[i].iov_len;
  if (len == 0 && !(si.flags & (CSCTP_SEND_EOF | CSCTP_SEND_ABORT)) &&
      !(s->explicit_eor && !(si.flags & CSCTP_SEND_MORE)))
    return CSCTP_ERR_INVAL;
  csctp_addr dst;
  uint16_t to_port = 0;
  if (to && io_sockaddr_to_addr(&dst, to, &to_port) != 0)
    return CSCTP_ERR_INVAL;
  io_assoc *a = NULL;
  if (s->type == CSCTP_SOCK_STREAM) {
    a = s->assoc;
    if (!a || s->listening)
      return -ENOTCONN;
    if (a->state == IO_A_ENDED)
      return io_end_code(a);
    if (a->state == IO_A_CONNECTING)
      return io_sock_again_write(s, a->id, len);
    if (s->shut_wr || a->peer_shut)
      return CSCTP_ERR_CLOSED;
  } else {
    if (si.assoc_id) {
      a = io_sock_owned(s, si.assoc_id);
      if (!a)
        return CSCTP_ERR_NOT_FOUND;
    } else if (to) {
      a = io_sock_find_peer(s, &dst, to_port);
      if (!a) {
        /* RFC 6458 implicit association setup. */
        if (si.flags & (CSCTP_SEND_EOF | CSCTP_SEND_ABORT))
          return CSCTP_ERR_NOT_FOUND;
        csctp_addr pa = dst;
        io_first *copy = io_alloc(s->st, sizeof *copy + len);
        if (!copy)
          return CSCTP_ERR_NOMEM;
        int r = io_sock_connect(s, &pa, 1, to_port, &a);
        if (r != 0) {
          io_free(s->st, copy);
          return r;
        }
        size_t off = 0;
        for (int i = 0; i < iovcnt; i++) {
          memcpy(copy->data + off, iov[i].iov_base, iov[i].iov_len);
          off += iov[i].iov_len;
        }
        copy->len = len;
        copy->info = si;
        a->first = copy;
        io_ep_kick_sock(s->iep, s);
        return (csctp_ssize)len;
      }
    } else {
      return CSCTP_ERR_NOT_FOUND;
    }
    if (a->state == IO_A_ENDED)
      return io_end_code(a);
    if (a->state == IO_A_CONNECTING)
      return io_sock_again_write(s, a->id, len);
    if (a->shut_wr || a->peer_shut)
      return CSCTP_ERR_CLOSED;
  }
  si.assoc_id = a->id;
  const uint8_t *data = NULL;
  if (iovcnt == 1) {
    data = iov[0].iov_base;
  } else if (len) {
    csctp_stack *st = s->st;
    if (st->scratch_len < len) {
      uint8_t *nb = st->mem.realloc(st->scratch, len, st->mem.user_data);
      if (!nb)
        return CSCTP_ERR_NOMEM;
      st->scratch = nb;
      st->scratch_len = len;
    }
    size_t off = 0;
    for (int i = 0; i < iovcnt; i++) {
      if (iov[i].iov_len)
        memcpy(st->scratch + off, iov[i].iov_base, iov[i].iov_len);
      off += iov[i].iov_len;
    }
    data = st->scratch;
  }
  csctp_addr path;
  const csctp_addr *pp = NULL;
  if (to) {
    path = dst;
    pp = &path;
  }
  int r = csctp_send(s->iep->ep, &si, pp, data, len, csctp_now());
  if (r == CSCTP_ERR_AGAIN)
    return io_sock_again_write(s, a->id, len);
  if (r == CSCTP_ERR_STATE)
    r = a->state == IO_A_ENDED ? io_end_code(a) : CSCTP_ERR_CLOSED;
  if (r == 0 && (si.flags & CSCTP_SEND_EOF)) {
    a->shut_wr = 1;
    if (s->type == CSCTP_SOCK_STREAM)
      s->shut_wr = 1;
  }
  io_ep_kick_send(s->iep, s, r == 0 && !(si.flags & CSCTP_SEND_EOF) ? len : 0);
  return r == 0 ? (csctp_ssize)len : r;
}

/* ---- Receive ----------------------------------------------------------- */

/* io_recv_assoc reads from association id (0: any of the endpoint) into the
 * iovecs. Returns bytes (> 0), or the engine's error. */
static csctp_ssize io_recv_assoc(csctp_sock *s, csctp_assoc_id id,
                                 const struct iovec *iov, int iovcnt,
                                 csctp_rcvinfo *ri, int *eor) {
  csctp_tstamp now = csctp_now();
  size_t total = 0;
  int first = 1;
  *eor = 0;
  for (int i = 0; i < iovcnt; i++) {
    if (iov[i].iov_len == 0)
      continue;
    csctp_rcvinfo tmp;
    /* the later buffers continue the same message (at level 2 csctp_recv
     * could move to another stream's) */
    csctp_ssize r = first
                        ? csctp_recv(s->iep->ep, id, ri, iov[i].iov_base,
                                     iov[i].iov_len, now)
                        : csctp_recv_cont(s->iep->ep, id, &tmp, iov[i].iov_base,
                                          iov[i].iov_len, now);
    if (r <= 0) {
      if (first)
        return r ? r : CSCTP_ERR_AGAIN;
      break;
    }
    if (first)
      id = ri->assoc_id; /* continue the same message */
    total += (size_t)r;
    int done =
        first ? (ri->flags & CSCTP_RCV_EOR) : (tmp.flags & CSCTP_RCV_EOR);
    first = 0;
    if (done) {
      *eor = 1;
      break;
    }
    if ((size_t)r < iov[i].iov_len)
      break; /* partial delivery: the rest is not here yet */
  }
  return (csctp_ssize)total;
}

static int io_iov_total_ok(const struct iovec *iov, int iovcnt) {
  for (int i = 0; i < iovcnt; i++)
    if (iov[i].iov_len)
      return 1;
  return 0;
}

static void io_recv_done(csctp_sock *s, csctp_ssize n, const csctp_rcvinfo *ri,
                         int eor, struct sockaddr_storage *from,
                         socklen_t *fromlen, csctp_rcvinfo *info,
                         int *msg_flags) {
  s->read_total += (uint64_t)n;
  s->partial = eor ? 0 : ri->assoc_id;
  io_assoc *a = io_assoc_find(s->iep, ri->assoc_id);
  if (info) {
    *info = *ri;
    if (eor)
      info->flags |= CSCTP_RCV_EOR;
    else
      info->flags &= (uint16_t)~CSCTP_RCV_EOR;
  }
  if (from) {
    int sl = io_addr_to_sockaddr(&ri->from, a ? a->peer_port : 0, from);
    if (fromlen)
      *fromlen = sl > 0 ? (socklen_t)sl : 0;
  }
  if (msg_flags)
    *msg_flags = eor ? CSCTP_MSG_EOR : 0;
  /* One-to-many: an ended association read empty is forgotten. */
  if (a && s->type == CSCTP_SOCK_SEQPACKET && a->state == IO_A_ENDED && eor &&
      csctp_recv_pending(s->iep->ep, a->id) == 0) {
    (void)csctp_assoc_release(s->iep->ep, a->id);
    io_assoc_free(a);
  }
}

/* RFC 6458 8.1.20 level 2: another association's message, another
 * stream's, or a notification may come between two parts of a message. */
static int io_sock_ilv2(const csctp_sock *s) { return s->frag_interleave == 2; }

/* io_recv_data reads the next message (part) for s. Level 0 stays on the
 * association of an unfinished message; levels 1 and 2 may read another
 * association's message in between (RFC 6458 8.1.20; within one
 * association level 1 is level 0: the engine's reads continue its
 * unfinished message). */
static csctp_ssize io_recv_data(csctp_sock *s, const struct iovec *iov,
                                int iovcnt, csctp_rcvinfo *ri, int *eor) {
  if (s->partial && s->frag_interleave == 0)
    return io_recv_assoc(s, s->partial, iov, iovcnt, ri, eor);
  if (s->type == CSCTP_SOCK_STREAM) {
    if (!s->assoc)
      return CSCTP_ERR_AGAIN;
    return io_recv_assoc(s, s->assoc->id, iov, iovcnt, ri, eor);
  }
  /* One-to-many: the message of ours that has waited longest (the engine
   * moves an association behind the others once read from). */
  for (csctp_assoc_id id = 0;
       (id = csctp_endpoint_next_readable(s->iep->ep, id)) != 0;)
    if (io_sock_owned(s, id))
      return io_recv_assoc(s, id, iov, iovcnt, ri, eor);
  return CSCTP_ERR_AGAIN;
}

CSCTP_API csctp_ssize csctp_recvv(csctp_sock *s, const struct iovec *iov,
                                  int iovcnt, struct sockaddr_storage *from,
                                  socklen_t *fromlen, csctp_rcvinfo *info,
                                  int *msg_flags) {
  IO_K(s, io_ksock_recvv(s->k, iov, iovcnt, from, fromlen, info, msg_flags));
  if (msg_flags)
    *msg_flags = 0;
  if (fromlen)
    *fromlen = 0;
  if (!s || iovcnt <= 0 || !iov || !io_iov_total_ok(iov, iovcnt))
    return CSCTP_ERR_INVAL;
  if (!s->iep || (s->type == CSCTP_SOCK_STREAM && (s->listening || !s->assoc)))
    return -ENOTCONN;
  if (s->partial_notif && s->nq_head)
    return io_recv_notif(s, iov, iovcnt, info, msg_flags);
  if ((!s->partial || io_sock_ilv2(s)) && s->nq_head &&
      s->nq_head->mark <= s->read_total)
    return io_recv_notif(s, iov, iovcnt, info, msg_flags);
  if (s->shut_rd) {
    /* Discard whatever arrives; report end of file. */
    uint8_t junk[2048];
    struct iovec jv = {junk, sizeof junk};
    csctp_rcvinfo ri;
    int eor;
    while (io_recv_data(s, &jv, 1, &ri, &eor) > 0)
      s->partial = eor ? 0 : ri.assoc_id;
    io_ep_kick_sock(s->iep, s);
    if (s->nq_head)
      return io_recv_notif(s, iov, iovcnt, info, msg_flags);
    return 0;
  }
  csctp_rcvinfo ri;
  int eor = 0;
  csctp_ssize r = io_recv_data(s, iov, iovcnt, &ri, &eor);
  if (r > 0) {
    io_recv_done(s, r, &ri, eor, from, fromlen, info, msg_flags);
    io_ep_kick_recv(s->iep, s); /* the window opened: maybe a SACK to send */
    return r;
  }
  if (s->partial && r != CSCTP_ERR_AGAIN)
    s->partial = 0; /* the association went away mid-message */
  if (s->nq_head && (!s->partial || io_sock_ilv2(s)))
    return io_recv_notif(s, iov, iovcnt, info, msg_flags);
  if (s->type == CSCTP_SOCK_STREAM && !s->partial) {
    io_assoc *a = s->assoc;
    if (a->state == IO_A_ENDED || s->peer_shut || a->peer_shut)
      return 0;
  }
  return io_sock_again_read(s);
}

/* ---- Shutdown and close ------------------------------------------------ */

CSCTP_API int csctp_shutdown_sock(csctp_sock *s, int how) {
  IO_K(s, io_ksock_shutdown(s->k, how));
  if (!s || (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR))
    return CSCTP_ERR_INVAL;
  if (!s->iep)
    return -ENOTCONN;
  if (s->type == CSCTP_SOCK_STREAM && !s->assoc)
    return -ENOTCONN;
  if (how == SHUT_RD || how == SHUT_RDWR)
    s->shut_rd = 1;
  if (how == SHUT_WR || how == SHUT_RDWR) {
    csctp_tstamp now = csctp_now();
    s->shut_wr = 1;
    io_assoc *only = s->type == CSCTP_SOCK_STREAM ? s->assoc : NULL;
    for (io_assoc *a = only ? only : s->iep->assocs; a;
         a = only ? NULL : a->next) {
      if (a->owner != s || a->shut_wr || a->state == IO_A_ENDED)
        continue;
      a->shut_wr = 1;
      if (a->state == IO_A_CONNECTING)
        (void)csctp_abort(s->iep->ep, a->id, NULL, 0, now);
      else
        (void)csctp_shutdown(s->iep->ep, a->id, now);
    }
  }
  io_ep_kick_sock(s->iep, s);
  return 0;
}

CSCTP_API int csctp_close(csctp_sock *s) {
  if (!s)
    return 0;
  io_ep *iep = s->iep;
  if (iep) {
    static const csctp_linger abort_now = {1, 0};
    /* Associations still waiting to be accepted: refuse them. */
    while (s->acc_head) {
      io_assoc *a = s->acc_head;
      s->acc_head = a->acc_next;
      a->acc_next = NULL;
      io_assoc_orphan(a, &abort_now);
    }
    s->acc_tail = NULL;
    s->acc_len = 0;
    if (s->type == CSCTP_SOCK_STREAM) {
      if (s->assoc && s->assoc->owner == s)
        io_assoc_orphan(s->assoc, &s->linger);
    } else {
      for (io_assoc *a = iep->assocs; a; a = a->next)
        if (a->owner == s)
          io_assoc_orphan(a, &s->linger);
    }
    if (iep->listener == s) {
      iep->listener = NULL;
      (void)csctp_endpoint_listen(iep->ep, 0);
    }
    io_sock_unlink_ep(s);
    io_ep_kick(iep);
  }
  io_sock_free_internal(s);
  if (iep)
    io_ep_unref(iep);
  return 0;
}

/* ---- Options ----------------------------------------------------------- */

/* io_opt_target resolves an option's assoc_id: *a = the association, or
 * NULL for the socket's defaults. */
static int io_opt_target(csctp_sock *s, csctp_assoc_id id, io_assoc **a) {
  *a = NULL;
  if (s->type == CSCTP_SOCK_STREAM) {
    if (s->assoc && s->assoc->state != IO_A_ENDED)
      *a = s->assoc;
    return 0;
  }
  if (id == 0)
    return 0;
  *a = io_sock_owned(s, id);
  return *a ? 0 : CSCTP_ERR_NOT_FOUND;
}

/* io_opt_settings loads the settings an option edits. */
static int io_opt_load(csctp_sock *s, io_assoc *a, csctp_settings *set) {
  if (a)
    return csctp_assoc_settings(s->iep->ep, a->id, set);
  *set = s->settings;
  return 0;
}

static int io_opt_store(csctp_sock *s, io_assoc *a, const csctp_settings *set) {
  if (a) {
    int r = csctp_assoc_set_settings(s->iep->ep, a->id, set);
    io_ep_kick_sock(s->iep, s); /* its timers may have moved */
    return r;
  }
  csctp_settings old = s->settings;
  s->settings = *set;
  if (s->iep && !s->accepted && s->iep->socks == s && !s->ep_next) {
    int r = csctp_endpoint_set_settings(s->iep->ep, set);
    if (r != 0) {
      s->settings = old;
      return r;
    }
  }
  return 0;
}

#define IO_MS(ns) ((uint32_t)((ns) / CSCTP_MILLISECONDS))

/* ---- AUTH options (RFC 4895, RFC 6458 8.1.17-18, 8.2.3-4, 8.3.2-5) ---- */

/* The engine association a key option names (0: the endpoint). */
static int io_auth_target(csctp_sock *s, csctp_assoc_id id,
                          csctp_assoc_id *eid) {
  io_assoc *a;
  int r = io_opt_target(s, id, &a);
  if (r != 0)
    return r;
  if (!s->iep)
    return CSCTP_ERR_STATE; /* keys live in an endpoint: bind first */
  *eid = a ? a->id : 0;
  return 0;
}

static int io_sock_auth_keyid_op(csctp_sock *s, int opt, const void *val,
                                 size_t len) {
  csctp_authkeyid v;
  csctp_assoc_id eid;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  int r = io_auth_target(s, v.assoc_id, &eid);
  if (r != 0)
    return r;
  if (opt == CSCTP_OPT_AUTH_ACTIVE_KEY)
    r = csctp_auth_set_active_key(s->iep->ep, eid, v.keynumber);
  else if (opt == CSCTP_OPT_AUTH_DEACTIVATE_KEY)
    r = csctp_auth_deactivate_key(s->iep->ep, eid, v.keynumber);
  else
    r = csctp_auth_delete_key(s->iep->ep, eid, v.keynumber);
  io_ep_kick_sock(s->iep, s); /* an event may be queued */
  return r;
}

static int io_sock_auth_setopt(csctp_sock *s, int opt, const void *val,
                               size_t len) {
  csctp_endpoint *ep = s->iep ? s->iep->ep : NULL;
  switch (opt) {
  case CSCTP_OPT_AUTH_CHUNK: {
    csctp_authchunk v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (v.chunk == 1 || v.chunk == 2 || v.chunk == 14 || v.chunk == 15)
      return CSCTP_ERR_INVAL; /* RFC 4895 3.2 */
    int r = ep ? csctp_auth_add_chunk(ep, v.chunk) : 0;
    if (r == 0) {
      s->auth.chunks[v.chunk >> 3] |= (uint8_t)(1u << (v.chunk & 7));
      s->auth.on = 1;
    }
    return r;
  }
  case CSCTP_OPT_HMAC_IDENT: {
    csctp_hmacalgo v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (v.num_idents == 0 || v.num_idents > 4)
      return CSCTP_ERR_INVAL;
    int r = 0, sha1 = 0;
    for (uint32_t i = 0; i < v.num_idents; i++) { /* RFC 4895 6.1, Table 2 */
      uint16_t id = v.idents[i];
      sha1 |= id == CSCTP_AUTH_HMAC_SHA1;
      if (id != CSCTP_AUTH_HMAC_SHA1 && id != CSCTP_AUTH_HMAC_SHA256)
        r = CSCTP_ERR_INVAL;
      for (uint32_t j = 0; j < i; j++)
        if (v.idents[j] == id)
          r = CSCTP_ERR_INVAL;
    }
    if (r == 0 && !sha1)
      r = CSCTP_ERR_INVAL;
    if (r == 0 && ep)
      r = csctp_auth_set_hmacs(ep, v.idents, v.num_idents);
    if (r == 0) {
      memcpy(s->auth.hmacs, v.idents, sizeof s->auth.hmacs);
      s->auth.nhmacs = (uint8_t)v.num_idents;
      s->auth.set_hmacs = 1;
    }
    return r;
  }
  case CSCTP_OPT_AUTH_SUPPORTED: {
    csctp_assoc_value v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL;
    int r = ep ? csctp_auth_enable(ep, v.value != 0) : 0;
    if (r == 0)
      s->auth.on = v.value != 0;
    return r;
  }
  case CSCTP_OPT_AUTH_KEY: {
    csctp_authkey v;
    csctp_assoc_id eid;
    if (len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (len != sizeof v + v.keylength)
      return CSCTP_ERR_INVAL;
    int r = io_auth_target(s, v.assoc_id, &eid);
    if (r != 0)
      return r;
    return csctp_auth_set_key(ep, eid, v.keynumber,
                              (const uint8_t *)val + sizeof v, v.keylength);
  }
  case CSCTP_OPT_AUTH_ACTIVE_KEY:
  case CSCTP_OPT_AUTH_DEACTIVATE_KEY:
  case CSCTP_OPT_AUTH_DELETE_KEY:
    return io_sock_auth_keyid_op(s, opt, val, len);
  default:
    return -ENOPROTOOPT;
  }
}

static int io_sock_auth_getopt(csctp_sock *s, int opt, void *val, size_t *len) {
  switch (opt) {
  case CSCTP_OPT_HMAC_IDENT: {
    csctp_hmacalgo v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memset(&v, 0, sizeof v);
    if (s->auth.set_hmacs) {
      v.num_idents = s->auth.nhmacs;
      memcpy(v.idents, s->auth.hmacs, sizeof v.idents);
    } else { /* the engine's default */
      v.num_idents = 2;
      v.idents[0] = CSCTP_AUTH_HMAC_SHA256;
      v.idents[1] = CSCTP_AUTH_HMAC_SHA1;
    }
    *len = sizeof v;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_AUTH_SUPPORTED: {
    csctp_assoc_value v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memset(&v, 0, sizeof v);
    v.value = s->auth.on;
    *len = sizeof v;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_AUTH_ACTIVE_KEY: {
    csctp_authkeyid v;
    csctp_assoc_id eid;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    int r = io_auth_target(s, v.assoc_id, &eid);
    if (r == 0)
      r = csctp_auth_get_active_key(s->iep->ep, eid, &v.keynumber);
    if (r != 0)
      return r;
    *len = sizeof v;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PEER_AUTH_CHUNKS:
  case CSCTP_OPT_LOCAL_AUTH_CHUNKS: {
    csctp_authchunks v;
    csctp_assoc_id eid;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    int r = io_auth_target(s, v.assoc_id, &eid);
    if (r != 0)
      return r;
    if (opt == CSCTP_OPT_PEER_AUTH_CHUNKS && eid == 0)
      return -ENOTCONN;
    size_t room = *len - sizeof v;
    r = csctp_auth_chunks(s->iep->ep, eid, opt == CSCTP_OPT_PEER_AUTH_CHUNKS,
                          (uint8_t *)val + sizeof v, room);
    if (r < 0)
      return r;
    v.num_chunks = (uint32_t)r;
    memcpy(val, &v, sizeof v);
    *len = sizeof v + ((size_t)r < room ? (size_t)r : room);
    return 0;
  }
  default:
    return -ENOPROTOOPT;
  }
}

/* ---- Stream reconfiguration options (RFC 6525 6.3) --------------------- */

/* The association a request names: -ENOTCONN without one. */
static int io_reconf_assoc(csctp_sock *s, csctp_assoc_id id, io_assoc **a) {
  int r = io_opt_target(s, id, a);
  if (r == 0 && !*a)
    r = s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_INVAL;
  return r;
}

static int io_sock_reset_streams(csctp_sock *s, const void *val, size_t len) {
  struct csctp_reset_streams v;
  io_assoc *a;
  if (len < sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  if (len != sizeof v + 2u * v.srs_number_streams)
    return CSCTP_ERR_INVAL;
  int r = io_reconf_assoc(s, v.srs_assoc_id, &a);
  if (r != 0)
    return r;
  uint16_t *sids = NULL;
  if (v.srs_number_streams) {
    sids = io_zalloc(s->st, 2u * v.srs_number_streams);
    if (!sids)
      return CSCTP_ERR_NOMEM;
    memcpy(sids, (const uint8_t *)val + sizeof v, 2u * v.srs_number_streams);
  }
  r = csctp_reset_streams(s->iep->ep, a->id, v.srs_flags, sids,
                          v.srs_number_streams, csctp_now());
  io_free(s->st, sids);
  io_ep_kick_sock(s->iep, s);
  return r;
}

static int io_sock_reconf_setopt(csctp_sock *s, int opt, const void *val,
                                 size_t len) {
  io_assoc *a = NULL;
  csctp_settings set;
  int r;
  if (opt == CSCTP_OPT_RESET_STREAMS)
    return io_sock_reset_streams(s, val, len);
  if (opt == CSCTP_OPT_ADD_STREAMS) {
    struct csctp_add_streams v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if ((r = io_reconf_assoc(s, v.sas_assoc_id, &a)) != 0)
      return r;
    r = csctp_add_streams(s->iep->ep, a->id, v.sas_instrms, v.sas_outstrms,
                          csctp_now());
    io_ep_kick_sock(s->iep, s);
    return r;
  }
  if (opt == CSCTP_OPT_RESET_ASSOC) {
    csctp_assoc_id id;
    if (len != sizeof id)
      return CSCTP_ERR_INVAL;
    memcpy(&id, val, sizeof id);
    if ((r = io_reconf_assoc(s, id, &a)) != 0)
      return r;
    r = csctp_reset_assoc(s->iep->ep, a->id, csctp_now());
    io_ep_kick_sock(s->iep, s); /* the request leaves now, not at the
                                   next packet or timer */
    return r;
  }
  csctp_assoc_value v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
    return r;
  if (opt == CSCTP_OPT_ENABLE_STREAM_RESET && a)
    return csctp_enable_stream_reset(s->iep->ep, a->id, v.value);
  if (opt == CSCTP_OPT_ENABLE_STREAM_RESET && v.value > 7u)
    return CSCTP_ERR_INVAL;
  if (opt == CSCTP_OPT_RECONFIG_SUPPORTED && a)
    return CSCTP_ERR_STATE; /* RFC 6525 5.1.1: negotiated at setup */
  set = s->settings;
  if (opt == CSCTP_OPT_ENABLE_STREAM_RESET)
    set.reconf_enable = v.value;
  else
    set.reconf_supported = v.value != 0;
  return io_opt_store(s, NULL, &set);
}

static int io_sock_reconf_getopt(csctp_sock *s, io_assoc *a, int opt,
                                 csctp_assoc_value *v, void *val) {
  csctp_assoc_status st;
  if (opt == CSCTP_OPT_ENABLE_STREAM_RESET)
    v->value = s->settings.reconf_enable;
  else
    v->value = s->settings.reconf_supported != 0;
  if (a && csctp_assoc_status_get(s->iep->ep, a->id, &st) == 0)
    v->value = opt == CSCTP_OPT_ENABLE_STREAM_RESET ? st.reconf_enable
                                                    : st.reconf_enabled;
  memcpy(val, v, sizeof *v);
  return 0;
}

/* RFC 6458 8.1.20: the fragment interleave level holds for the socket's
 * associations and, where the socket owns its endpoint, for those set up
 * later. Level 2 needs no SCTP_RECVRCVINFO here (8.1.20 asks for an error
 * without it): csctp_recvv's info always names the stream. */
static int io_sock_set_ilv_level(csctp_sock *s, int level) {
  int r;
  if (!s->iep)
    return 0; /* applied at bind */
  csctp_endpoint *ep = s->iep->ep;
  if (!s->accepted && s->iep->socks == s && !s->ep_next &&
      (r = csctp_set_fragment_interleave(ep, 0, level)) != 0)
    return r;
  for (io_assoc *a = s->iep->assocs; a; a = a->next)
    if (a->owner == s &&
        (r = csctp_set_fragment_interleave(ep, a->id, level)) != 0 &&
        r != CSCTP_ERR_NOT_FOUND)
      return r;
  io_ep_kick_sock(s->iep, s); /* a stalled message may no longer hold it */
  return 0;
}

/* RFC 8260 4.3.1-4.3.3, RFC 6458 8.1.20. */
static int io_sock_ilv_setopt(csctp_sock *s, int opt, const void *val,
                              size_t len) {
  io_assoc *a = NULL;
  csctp_settings set;
  int r;
  if (opt == CSCTP_OPT_FRAGMENT_INTERLEAVE) {
    int level;
    if (len != sizeof level)
      return CSCTP_ERR_INVAL;
    memcpy(&level, val, sizeof level);
    if (level < 0 || level > 2)
      return CSCTP_ERR_INVAL;
    if ((r = io_sock_set_ilv_level(s, level)) != 0)
      return r;
    s->frag_interleave = (uint32_t)level;
    return 0;
  }
  if (opt == CSCTP_OPT_STREAM_SCHEDULER_VALUE) {
    csctp_stream_value v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
      return r;
    if (!a)
      return s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_INVAL;
    return csctp_set_stream_sched_value(s->iep->ep, a->id, v.stream_id,
                                        v.stream_value);
  }
  csctp_assoc_value v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
    return r;
  if (opt == CSCTP_OPT_STREAM_SCHEDULER) {
    if (v.value > CSCTP_SS_WFQ)
      return CSCTP_ERR_INVAL;
    if (a)
      return csctp_set_stream_scheduler(s->iep->ep, a->id, v.value);
    set = s->settings;
    set.stream_scheduler = v.value;
    return io_opt_store(s, NULL, &set);
  }
  if (a)
    return CSCTP_ERR_STATE; /* RFC 8260 2.2.1: negotiated at setup */
  set = s->settings;
  set.interleaving_supported = v.value != 0;
  return io_opt_store(s, NULL, &set);
}

static int io_sock_ilv_getopt(csctp_sock *s, int opt, void *val, size_t *len) {
  io_assoc *a = NULL;
  int r;
  if (opt == CSCTP_OPT_FRAGMENT_INTERLEAVE) {
    int level = (int)s->frag_interleave;
    if (*len < sizeof level)
      return CSCTP_ERR_INVAL;
    *len = sizeof level;
    memcpy(val, &level, sizeof level);
    return 0;
  }
  if (opt == CSCTP_OPT_STREAM_SCHEDULER_VALUE) {
    csctp_stream_value v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    *len = sizeof v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
      return r;
    if (!a)
      return s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_INVAL;
    r = csctp_stream_sched_value(s->iep->ep, a->id, v.stream_id,
                                 &v.stream_value);
    if (r == 0)
      memcpy(val, &v, sizeof v);
    return r;
  }
  csctp_assoc_value v;
  if (*len < sizeof v)
    return CSCTP_ERR_INVAL;
  *len = sizeof v;
  memcpy(&v, val, sizeof v);
  if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
    return r;
  if (opt == CSCTP_OPT_STREAM_SCHEDULER) {
    v.value = s->settings.stream_scheduler;
    if (a && (r = csctp_stream_scheduler(s->iep->ep, a->id)) >= 0)
      v.value = (uint32_t)r;
  } else {
    v.value = s->settings.interleaving_supported != 0;
    if (a && (r = csctp_interleaving(s->iep->ep, a->id)) >= 0)
      v.value = (uint32_t)r;
  }
  memcpy(val, &v, sizeof v);
  return 0;
}

CSCTP_API int csctp_setsockopt(csctp_sock *s, int opt, const void *val,
                               size_t len) {
  IO_K(s, io_ksock_setsockopt(s->k, opt, val, len));
  if (!s || (!val && len))
    return CSCTP_ERR_INVAL;
  io_assoc *a = NULL;
  csctp_settings set;
  int r;
#define IO_NEED(T)                                                             \
  do {                                                                         \
    if (len != sizeof(T))                                                      \
      return CSCTP_ERR_INVAL;                                                  \
  } while (0)
  switch (opt) {
  case CSCTP_OPT_INITMSG: {
    IO_NEED(csctp_initmsg);
    csctp_initmsg v;
    memcpy(&v, val, sizeof v);
    set = s->settings;
    if (v.num_ostreams)
      set.num_ostreams = v.num_ostreams;
    if (v.max_instreams)
      set.max_instreams = v.max_instreams;
    if (v.max_attempts)
      set.max_init_retransmits = v.max_attempts;
    if (v.max_init_timeout)
      set.max_init_timeout =
          (csctp_tstamp)v.max_init_timeout * CSCTP_MILLISECONDS;
    return io_opt_store(s, NULL, &set);
  }
  case CSCTP_OPT_RTOINFO: {
    IO_NEED(csctp_rtoinfo);
    csctp_rtoinfo v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.initial)
      set.rto_initial = (csctp_tstamp)v.initial * CSCTP_MILLISECONDS;
    if (v.max)
      set.rto_max = (csctp_tstamp)v.max * CSCTP_MILLISECONDS;
    if (v.min)
      set.rto_min = (csctp_tstamp)v.min * CSCTP_MILLISECONDS;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_ASSOCINFO: {
    IO_NEED(csctp_assocparams);
    csctp_assocparams v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.max_retrans)
      set.assoc_max_retrans = v.max_retrans;
    if (v.cookie_life)
      set.valid_cookie_life = (csctp_tstamp)v.cookie_life * CSCTP_MILLISECONDS;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_NODELAY:
  case CSCTP_OPT_RCVBUF:
  case CSCTP_OPT_SNDBUF: {
    IO_NEED(int);
    int v;
    memcpy(&v, val, sizeof v);
    if (v < 0)
      return CSCTP_ERR_INVAL;
    if ((r = io_opt_target(s, 0, &a)) != 0)
      return r;
    if (opt != CSCTP_OPT_NODELAY)
      a = NULL; /* buffer sizes are fixed once the association exists */
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (opt == CSCTP_OPT_NODELAY)
      set.nodelay = v != 0;
    else if (opt == CSCTP_OPT_RCVBUF)
      set.rcvbuf = (uint32_t)v;
    else
      set.sndbuf = (uint32_t)v;
    r = io_opt_store(s, a, &set);
    if (r == 0 && a && opt == CSCTP_OPT_NODELAY) {
      s->settings.nodelay = v != 0;
      io_ep_kick_sock(s->iep, s);
    }
    return r;
  }
  case CSCTP_OPT_DELAYED_SACK: {
    IO_NEED(csctp_sack_info);
    csctp_sack_info v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    set.sack_delay = (csctp_tstamp)v.delay * CSCTP_MILLISECONDS;
    if (v.freq)
      set.sack_freq = v.freq;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_DEFAULT_SNDINFO:
    IO_NEED(csctp_sndinfo);
    memcpy(&s->def_snd, val, sizeof s->def_snd);
    return 0;
  case CSCTP_OPT_EXPLICIT_EOR: { /* RFC 6458 8.1.26 */
    IO_NEED(int);
    int v;
    memcpy(&v, val, sizeof v);
    s->explicit_eor = v != 0;
    return 0;
  }
  case CSCTP_OPT_EVENT: {
    IO_NEED(csctp_event_subscribe);
    csctp_event_subscribe v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL;
    return csctp_sock_subscribe(s, v.type, v.on);
  }
  case CSCTP_OPT_PRIMARY_ADDR: {
    IO_NEED(csctp_prim);
    csctp_prim v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
      return r;
    if (!a)
      return -ENOTCONN;
    csctp_addr pa;
    if (io_sockaddr_to_addr(&pa, &v.addr, NULL) != 0)
      return CSCTP_ERR_INVAL;
    r = csctp_assoc_set_primary(s->iep->ep, a->id, &pa);
    io_ep_kick_sock(s->iep, s);
    return r;
  }
  case CSCTP_OPT_MAXSEG: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.value == 0)
      return 0;
    /* User bytes per DATA chunk + DATA chunk header (16) + common header
     * (12) = the packet size limit the engine works with. */
    if (v.value > 65535 - 28)
      return CSCTP_ERR_INVAL;
    if (v.value + 28 < set.pmtu)
      set.pmtu = v.value + 28;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_CONGESTION: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.value > CSCTP_CC_CUBIC_RFC9406)
      return CSCTP_ERR_INVAL;
    set.cc = v.value;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_PACING: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.value > CSCTP_PACING_ON)
      return CSCTP_ERR_INVAL;
    set.pacing = v.value;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_IDATA_FSN_FROM0: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    if (v.value > 1)
      return CSCTP_ERR_INVAL;
    set.idata_fsn_from0 = v.value;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_LINGER:
    IO_NEED(csctp_linger);
    memcpy(&s->linger, val, sizeof s->linger);
    if (s->linger.linger < 0)
      s->linger.linger = 0;
    return 0;
  case CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT: {
    IO_NEED(csctp_udpencaps);
    csctp_udpencaps v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL;
    s->remote_udp_port = v.port;
    return 0;
  }
  case CSCTP_OPT_HEARTBEAT: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    /* RFC 9260 8.3: HB.interval; 0 disables heartbeats. */
    set.hb_interval = (csctp_tstamp)v.value * CSCTP_MILLISECONDS;
    return io_opt_store(s, a, &set);
  }
  case CSCTP_OPT_PR_SUPPORTED: {
    IO_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)
      return r;
    if (a)
      return CSCTP_ERR_STATE; /* RFC 3758 3.3: negotiated at setup */
    set = s->settings;
    set.pr_supported = v.value != 0;
    return io_opt_store(s, NULL, &set);
  }
  case CSCTP_OPT_ENABLE_STREAM_RESET:
  case CSCTP_OPT_RESET_STREAMS:
  case CSCTP_OPT_RESET_ASSOC:
  case CSCTP_OPT_ADD_STREAMS:
  case CSCTP_OPT_RECONFIG_SUPPORTED:
    return io_sock_reconf_setopt(s, opt, val, len);
  case CSCTP_OPT_INTERLEAVING_SUPPORTED:
  case CSCTP_OPT_STREAM_SCHEDULER:
  case CSCTP_OPT_STREAM_SCHEDULER_VALUE:
  case CSCTP_OPT_FRAGMENT_INTERLEAVE:
    return io_sock_ilv_setopt(s, opt, val, len);
  case CSCTP_OPT_ACCEPT_ZERO_CHECKSUM: {
    IO_NEED(uint32_t);
    uint32_t v;
    memcpy(&v, val, sizeof v);
    /* RFC 9653 7.1: for future associations; only the method the lower
     * layer provides (never over UDP or raw IP, RFC 9653 6). */
    if (v != CSCTP_EDMID_NONE &&
        (s->st->cfg.transport != CSCTP_TRANSPORT_CONN ||
         v != s->st->cfg.conn_edmid))
      return CSCTP_ERR_INVAL;
    set = s->settings;
    set.zero_checksum_edmid = v;
    return io_opt_store(s, NULL, &set);
  }
  case CSCTP_OPT_ASCONF_SUPPORTED:
  case CSCTP_OPT_AUTO_ASCONF:
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return io_sock_asconf_setopt(s, opt, val, len); /* io_asconf.c */
  case CSCTP_OPT_DEFAULT_PRINFO: {
    IO_NEED(csctp_default_prinfo);
    csctp_default_prinfo v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0 || v.pr_policy > CSCTP_PR_SCTP_MAX)
      return CSCTP_ERR_INVAL;
    s->def_snd.pr_policy = v.pr_policy;
    s->def_snd.pr_value = v.pr_value;
    return 0;
  }
  case CSCTP_OPT_STATUS:
  case CSCTP_OPT_PEER_ADDR_INFO:
  case CSCTP_OPT_PEER_AUTH_CHUNKS:
  case CSCTP_OPT_LOCAL_AUTH_CHUNKS:
  case CSCTP_OPT_PR_ASSOC_STATUS:
  case CSCTP_OPT_PR_STREAM_STATUS:
    return -EOPNOTSUPP;
  default:
    return io_sock_auth_setopt(s, opt, val, len);
  }
#undef IO_NEED
}

CSCTP_API int csctp_getsockopt(csctp_sock *s, int opt, void *val, size_t *len) {
  IO_K(s, io_ksock_getsockopt(s->k, opt, val, len));
  if (!s || !val || !len)
    return CSCTP_ERR_INVAL;
  io_assoc *a = NULL;
  csctp_settings set;
  int r;
#define IO_ROOM(T)                                                             \
  do {                                                                         \
    if (*len < sizeof(T))                                                      \
      return CSCTP_ERR_INVAL;                                                  \
    *len = sizeof(T);                                                          \
  } while (0)
#define IO_ASSOC_IN(T, v)                                                      \
  T v;                                                                         \
  IO_ROOM(T);                                                                  \
  memcpy(&v, val, sizeof v);                                                   \
  if ((r = io_opt_target(s, v.assoc_id, &a)) != 0)                             \
  return r
  switch (opt) {
  case CSCTP_OPT_INITMSG: {
    IO_ROOM(csctp_initmsg);
    csctp_initmsg v;
    memset(&v, 0, sizeof v);
    v.num_ostreams = s->settings.num_ostreams;
    v.max_instreams = s->settings.max_instreams;
    v.max_attempts = (uint16_t)s->settings.max_init_retransmits;
    v.max_init_timeout = IO_MS(s->settings.max_init_timeout);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_RTOINFO: {
    IO_ASSOC_IN(csctp_rtoinfo, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.initial = IO_MS(set.rto_initial);
    v.max = IO_MS(set.rto_max);
    v.min = IO_MS(set.rto_min);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_ASSOCINFO: {
    IO_ASSOC_IN(csctp_assocparams, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.max_retrans = (uint16_t)set.assoc_max_retrans;
    v.cookie_life = IO_MS(set.valid_cookie_life);
    v.peer_destinations = 0;
    v.peer_rwnd = 0;
    v.local_rwnd = set.rcvbuf;
    if (a) {
      csctp_assoc_status st;
      if (csctp_assoc_status_get(s->iep->ep, a->id, &st) == 0) {
        v.peer_destinations = (uint16_t)st.npaths;
        v.peer_rwnd = st.peer_rwnd;
        v.local_rwnd = st.local_rwnd;
      }
    }
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_NODELAY:
  case CSCTP_OPT_RCVBUF:
  case CSCTP_OPT_SNDBUF: {
    IO_ROOM(int);
    if ((r = io_opt_target(s, 0, &a)) != 0 ||
        (r = io_opt_load(s, a, &set)) != 0)
      return r;
    int v = opt == CSCTP_OPT_NODELAY  ? (int)set.nodelay
            : opt == CSCTP_OPT_RCVBUF ? (int)set.rcvbuf
                                      : (int)set.sndbuf;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_DELAYED_SACK: {
    IO_ASSOC_IN(csctp_sack_info, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.delay = IO_MS(set.sack_delay);
    v.freq = set.sack_freq;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_DEFAULT_SNDINFO:
    IO_ROOM(csctp_sndinfo);
    memcpy(val, &s->def_snd, sizeof s->def_snd);
    return 0;
  case CSCTP_OPT_EXPLICIT_EOR:
    IO_ROOM(int);
    memcpy(val, &s->explicit_eor, sizeof(int));
    return 0;
  case CSCTP_OPT_EVENT: {
    IO_ROOM(csctp_event_subscribe);
    csctp_event_subscribe v;
    memcpy(&v, val, sizeof v);
    v.on = v.type < 32 && (s->subs & (1u << v.type)) ? 1 : 0;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_STATUS: {
    IO_ROOM(csctp_assoc_status);
    csctp_assoc_status v;
    memcpy(&v, val, sizeof v);
    r = csctp_sock_status(s, v.assoc_id, &v);
    if (r == 0)
      memcpy(val, &v, sizeof v);
    return r;
  }
  case CSCTP_OPT_PEER_ADDR_INFO: {
    if (*len < sizeof(csctp_paddrinfo))
      return CSCTP_ERR_INVAL;
    csctp_paddrinfo *pi = val;
    if ((r = io_opt_target(s, pi->assoc_id, &a)) != 0)
      return r;
    if (!a)
      return -ENOTCONN;
    size_t k = (*len - sizeof *pi) / sizeof(csctp_path_status);
    r = csctp_assoc_paths(s->iep->ep, a->id, pi->paths, k);
    if (r < 0)
      return r;
    pi->npaths = (uint32_t)r;
    if ((size_t)r < k)
      k = (size_t)r;
    *len = sizeof *pi + k * sizeof(csctp_path_status);
    return 0;
  }
  case CSCTP_OPT_PRIMARY_ADDR: {
    IO_ASSOC_IN(csctp_prim, v);
    if (!a)
      return -ENOTCONN;
    csctp_assoc_status st;
    if ((r = csctp_assoc_status_get(s->iep->ep, a->id, &st)) != 0)
      return r;
    io_addr_to_sockaddr(&st.primary, a->peer_port, &v.addr);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_MAXSEG: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.value = set.pmtu > 28 ? set.pmtu - 28 : 0;
    if (a) {
      csctp_assoc_status st;
      if (csctp_assoc_status_get(s->iep->ep, a->id, &st) == 0 && st.frag_point)
        v.value = st.frag_point;
    }
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_CONGESTION: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.value = set.cc;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PACING: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.value = set.pacing;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_IDATA_FSN_FROM0: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.value = set.idata_fsn_from0;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_LINGER:
    IO_ROOM(csctp_linger);
    memcpy(val, &s->linger, sizeof s->linger);
    return 0;
  case CSCTP_OPT_HEARTBEAT: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    if ((r = io_opt_load(s, a, &set)) != 0)
      return r;
    v.value = IO_MS(set.hb_interval);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT: {
    IO_ROOM(csctp_udpencaps);
    csctp_udpencaps v;
    memset(&v, 0, sizeof v);
    v.port =
        s->remote_udp_port ? s->remote_udp_port : s->st->cfg.remote_udp_port;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PR_SUPPORTED: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    v.value = s->settings.pr_supported != 0;
    csctp_assoc_status st;
    if (a && csctp_assoc_status_get(s->iep->ep, a->id, &st) == 0)
      v.value = st.pr_enabled;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_ENABLE_STREAM_RESET:
  case CSCTP_OPT_RECONFIG_SUPPORTED: {
    IO_ASSOC_IN(csctp_assoc_value, v);
    return io_sock_reconf_getopt(s, a, opt, &v, val);
  }
  case CSCTP_OPT_INTERLEAVING_SUPPORTED:
  case CSCTP_OPT_STREAM_SCHEDULER:
  case CSCTP_OPT_STREAM_SCHEDULER_VALUE:
  case CSCTP_OPT_FRAGMENT_INTERLEAVE:
    return io_sock_ilv_getopt(s, opt, val, len);
  case CSCTP_OPT_DEFAULT_PRINFO: {
    IO_ROOM(csctp_default_prinfo);
    csctp_default_prinfo v;
    memset(&v, 0, sizeof v);
    v.pr_policy = s->def_snd.pr_policy;
    v.pr_value = s->def_snd.pr_value;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PR_ASSOC_STATUS:
  case CSCTP_OPT_PR_STREAM_STATUS: {
    IO_ASSOC_IN(csctp_prstatus, v);
    if (!a)
      return s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_INVAL;
    csctp_pr_status ps;
    int sid = opt == CSCTP_OPT_PR_STREAM_STATUS ? (int)v.sid : -1;
    if ((r = csctp_pr_status_get(s->iep->ep, a->id, sid, v.policy, &ps)) != 0)
      return r;
    v.abandoned_unsent = ps.abandoned_unsent;
    v.abandoned_sent = ps.abandoned_sent;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_ASCONF_SUPPORTED:
  case CSCTP_OPT_AUTO_ASCONF:
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return io_sock_asconf_getopt(s, opt, val, len); /* io_asconf.c */
  default:
    return io_sock_auth_getopt(s, opt, val, len);
  }
#undef IO_ROOM
#undef IO_ASSOC_IN
}

/* ---- Addresses and status ---------------------------------------------- */

CSCTP_API int csctp_getladdrs(const csctp_sock *s, struct sockaddr_storage *out,
                              size_t max) {
  IO_K(s, io_ksock_getladdrs(s->k, out, max));
  if (!s || (max && !out))
    return CSCTP_ERR_INVAL;
  if (!s->iep)
    return CSCTP_ERR_STATE;
  const io_ep *iep = s->iep;
  if (iep->wildcard) {
    csctp_addr any;
    memset(&any, 0, sizeof any);
    any.family = s->family == AF_INET         ? CSCTP_AF_INET
                 : s->family == CSCTP_AF_CONN ? CSCTP_AF_CONN
                                              : CSCTP_AF_INET6;
    if (max)
      io_addr_to_sockaddr(&any, iep->port, &out[0]);
    return 1;
  }
  for (size_t i = 0; i < iep->nladdrs && i < max; i++)
    io_addr_to_sockaddr(&iep->laddrs[i], iep->port, &out[i]);
  return (int)iep->nladdrs;
}

static io_assoc *io_sock_assoc_arg(const csctp_sock *s, csctp_assoc_id id) {
  if (!s->iep)
    return NULL;
  if (s->type == CSCTP_SOCK_STREAM)
    return s->assoc;
  return io_sock_owned(s, id);
}

CSCTP_API int csctp_getpaddrs(const csctp_sock *s, csctp_assoc_id assoc_id,
                              struct sockaddr_storage *out, size_t max) {
  IO_K(s, io_ksock_getpaddrs(s->k, assoc_id, out, max));
  if (!s || (max && !out))
    return CSCTP_ERR_INVAL;
  io_assoc *a = io_sock_assoc_arg(s, assoc_id);
  if (!a)
    return s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_NOT_FOUND;
  csctp_path_status ps[IO_MAX_ADDRS];
  int n = csctp_assoc_paths(s->iep->ep, a->id, ps, IO_MAX_ADDRS);
  if (n <= 0) {
    /* The engine forgot it (ended): the primary we knew. */
    if (max)
      io_addr_to_sockaddr(&a->peer, a->peer_port, &out[0]);
    return 1;
  }
  for (int i = 0; i < n && (size_t)i < max && i < IO_MAX_ADDRS; i++)
    io_addr_to_sockaddr(&ps[i].addr, a->peer_port, &out[i]);
  return n;
}

CSCTP_API csctp_assoc_id csctp_sock_assoc_id(const csctp_sock *s) {
  IO_K(s, io_ksock_assoc_id(s->k));
  return s && s->assoc ? s->assoc->id : 0;
}

CSCTP_API int csctp_sock_status(const csctp_sock *s, csctp_assoc_id assoc_id,
                                csctp_assoc_status *st) {
  IO_K(s, io_ksock_status(s->k, assoc_id, st));
  if (!s || !st)
    return CSCTP_ERR_INVAL;
  io_assoc *a = io_sock_assoc_arg(s, assoc_id);
  if (!a)
    return s->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_NOT_FOUND;
  return csctp_assoc_status_get(s->iep->ep, a->id, st);
}

CSCTP_API int csctp_sock_assoc_ids(const csctp_sock *s, csctp_assoc_id *out,
                                   size_t max) {
  if (!s || (max && !out))
    return CSCTP_ERR_INVAL;
  if (s->k)
    return CSCTP_ERR_NOT_SUPPORTED;
  if (!s->iep)
    return 0;
  size_t n = 0;
  for (const io_assoc *a = s->iep->assocs; a; a = a->next) {
    if (a->owner != s || a->state == IO_A_ENDED)
      continue;
    if (n < max)
      out[n] = a->id;
    n++;
  }
  return (int)n;
}

CSCTP_API int csctp_sock_open_assocs(const csctp_sock *s, int *connecting) {
  if (connecting)
    *connecting = 0;
  if (!s)
    return CSCTP_ERR_INVAL;
  if (s->k)
    return CSCTP_ERR_NOT_SUPPORTED;
  if (!s->iep)
    return 0;
  int n = 0;
  const io_assoc *only = s->type == CSCTP_SOCK_STREAM ? s->assoc : NULL;
  for (const io_assoc *a = only ? only : s->iep->assocs; a;
       a = only ? NULL : a->next) {
    if (a->owner != s || a->state == IO_A_ENDED)
      continue;
    n++;
    if (connecting && a->state == IO_A_CONNECTING)
      (*connecting)++;
  }
  return n;
}
