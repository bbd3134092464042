#include "config.h"

/* io_kernel_linux.c -- the kernel backend: the socket API of csctp_io.h
 * over Linux's own SCTP sockets (IPPROTO_SCTP), see io_kernel.h.
 *
 * Built against the kernel uapi header <linux/sctp.h> only (no libsctp).
 * Traps handled here:
 *   - RFC 6458 structs that grew between kernel versions
 *     (sctp_paddrparams, sctp_event_subscribe): getsockopt is retried with
 *     the older size, returned lengths are checked, and the newer options
 *     (SCTP_EVENT, SCTP_SOCKOPT_PEELOFF_FLAGS, SCTP_REMOTE_UDP_ENCAPS_PORT)
 *     use local copies of their ABI so that an old header still builds;
 *   - packed structs (sctp_paddrinfo, sctp_prim, sctp_paddr_change,
 *     sctp_paddrparams): always copied with memcpy, never through a pointer
 *     to a member;
 *   - SCTP_EOF is MSG_FIN, and the kernel does not send data passed with
 *     it: data + EOF becomes two sendmsg calls;
 *   - the PPID is in network byte order in sctp_sndinfo / sctp_rcvinfo /
 *     the SEND_FAILED event: our API is host order;
 *   - sac_error of SCTP_ASSOC_CHANGE holds a cause code that the kernel
 *     casts from network order without converting it: both orders are
 *     recognised;
 *   - SCTP_SOCKOPT_CONNECTX loses the association id when the connect is
 *     non-blocking (-EINPROGRESS): SCTP_SOCKOPT_CONNECTX3 returns it.
 *
 * The kernel reports association changes only as notifications on the
 * receive queue. The backend always subscribes to SCTP_ASSOC_CHANGE itself
 * (to know how a one-to-one association ended) and hides the notifications
 * the user did not subscribe to. */

#include "io_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sctp.h>

#define CSCTP_AUTH_MAX_KEY_BYTES 256 /* as the userland engine */

#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK O_NONBLOCK
#endif

/* Options newer than some uapi headers. Their numbers and layouts are
 * kernel ABI; local copies keep this file building with an older header. */
#define IO_K_EVENT 127         /* SCTP_EVENT, Linux 5.0 */
#define IO_K_PEELOFF_FLAGS 122 /* SCTP_SOCKOPT_PEELOFF_FLAGS, Linux 4.13 */
#define IO_K_ENCAPS_PORT 132   /* SCTP_REMOTE_UDP_ENCAPS_PORT, Linux 5.11 */
#define IO_K_SENDALL (1 << 6)  /* SCTP_SENDALL, Linux 4.17 */
#define IO_K_ALL_ASSOC 2       /* SCTP_ALL_ASSOC */

struct io_k_event { /* struct sctp_event */
  sctp_assoc_t assoc_id;
  uint16_t type;
  uint8_t on;
};

struct io_k_udpencaps { /* struct sctp_udpencaps */
  sctp_assoc_t assoc_id;
  struct sockaddr_storage addr;
  uint16_t port; /* network byte order */
};

struct io_k_peeloff { /* sctp_peeloff_flags_arg_t */
  sctp_assoc_t assoc_id;
  int sd;
  unsigned flags;
};

_Static_assert(sizeof(struct io_k_event) == 8, "struct sctp_event ABI");
_Static_assert(sizeof(struct io_k_peeloff) == 12, "sctp_peeloff_flags ABI");
#ifdef SCTP_REMOTE_UDP_ENCAPS_PORT
_Static_assert(sizeof(struct io_k_udpencaps) == sizeof(struct sctp_udpencaps),
               "struct sctp_udpencaps ABI");
#endif
_Static_assert((int)SCTP_EOF == (int)MSG_FIN, "SCTP_EOF is MSG_FIN");

/* The RFC 6458 event subscription struct of the oldest kernels we fall back
 * to when SCTP_EVENT is missing (10 bytes: data_io .. sender_dry). */
#define IO_K_NEVENTS_OLD 10

#define IO_K_NOTIF_MIN 4096

struct io_ksock {
  csctp_mem mem;
  int fd;
  int family, type;
  int bound, listening, accepted;
  int connecting; /* one-to-one: connect in progress */
  int connected;  /* one-to-one: the association came up */
  int ended;      /* one-to-one: the association ended */
  int end_err;    /* one-to-one: CSCTP_ERR_CLOSED or why it failed */
  int err;        /* pending error for io_ksock_error */
  int shut_rd, shut_wr;
  int abort_on_close; /* one-to-one: ABORT requested, sent by close */
  int knext;          /* head of the queue per NXTINFO: 0 ?, 1 data, 2 notif */
  int partial;        /* a message was read in part */
  int frag_level;     /* RFC 6458 8.1.20 level set (Linux keeps 0 or 1) */
  uint32_t subs;      /* user subscriptions: bit (1 << csctp_event_type) */
  uint32_t ksubs;     /* kernel subscriptions: bit (type - SCTP_SN_TYPE_BASE) */
  csctp_assoc_id assoc_id; /* one-to-one */
  csctp_sndinfo def_snd;
  csctp_linger linger;
  /* A translated notification that recvv returns (in parts). */
  uint8_t *nbuf;
  size_t ncap, nlen, noff;
  /* The raw kernel notification being read. */
  uint8_t *kbuf;
  size_t kcap, klen;
};

/* ---- Memory ------------------------------------------------------------ */

static void io_k_free(io_ksock *k, void *p) {
  if (p)
    k->mem.free(p, k->mem.user_data);
}

/* io_k_reserve grows *buf to at least n bytes. */
static int io_k_reserve(io_ksock *k, uint8_t **buf, size_t *cap, size_t n) {
  if (*cap >= n)
    return 0;
  size_t nc = *cap ? *cap : IO_K_NOTIF_MIN;
  while (nc < n)
    nc *= 2;
  uint8_t *nb = k->mem.realloc(*buf, nc, k->mem.user_data);
  if (!nb)
    return CSCTP_ERR_NOMEM;
  *buf = nb;
  *cap = nc;
  return 0;
}

/* ---- Errors ------------------------------------------------------------ */

/* io_k_errno maps an errno of a socket call into csctp_io.h's space. */
static int io_k_errno(int e) {
  switch (e) {
  case 0:
    return 0;
  case EWOULDBLOCK:
    return -EAGAIN;
  case EINVAL:
    return CSCTP_ERR_INVAL;
  case ENOMEM:
    return CSCTP_ERR_NOMEM;
  case EMSGSIZE:
    return CSCTP_ERR_MSGSIZE;
  default:
    return -e;
  }
}

/* io_k_end_errno maps the errno with which the kernel ends a one-to-one
 * association (SO_ERROR, recvmsg, sendmsg) to the end-of-association code. */
static int io_k_end_errno(int e) {
  switch (e) {
  case 0:
    return 0;
  case ECONNREFUSED:
    return CSCTP_ERR_REFUSED;
  case ETIMEDOUT:
    return CSCTP_ERR_TIMEOUT;
  case ECONNRESET:
  case ECONNABORTED:
    return CSCTP_ERR_ABORTED;
  case EPIPE:
  case ESHUTDOWN:
    return CSCTP_ERR_CLOSED;
  default:
    return io_k_errno(e);
  }
}

static int io_k_so_error(int fd) {
  int e = 0;
  socklen_t l = sizeof e;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
    return 0;
  return e;
}

/* ---- Probe ------------------------------------------------------------- */

CSCTP_API int csctp_kernel_probe(void) {
  int fd = socket(AF_INET, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd < 0)
    return -errno;
  close(fd);
  return 0;
}

CSCTP_API int csctp_kernel_available(void) { return csctp_kernel_probe() == 0; }

CSCTP_API const char *csctp_kernel_why(int err) {
  switch (err) {
  case 0:
    return "kernel SCTP is available";
  case -EPROTONOSUPPORT:
  case -ESOCKTNOSUPPORT:
    return "kernel has no SCTP (module sctp not loaded?)";
  case -EAFNOSUPPORT:
    return "kernel SCTP: address family not supported (IPv6 disabled?)";
  case -EPERM:
  case -EACCES:
    return "kernel SCTP sockets are not permitted here (security policy, "
           "seccomp or container restrictions?)";
  case -EMFILE:
  case -ENFILE:
    return "kernel SCTP: too many open files";
  case CSCTP_ERR_NOT_SUPPORTED:
    return "kernel SCTP backend not available on this operating system";
  default:
    return csctp_strerror(err);
  }
}

/* ---- Helpers ----------------------------------------------------------- */

static uint32_t io_k_ms(csctp_tstamp t) {
  uint64_t ms = (t + CSCTP_MILLISECONDS - 1) / CSCTP_MILLISECONDS;
  return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static uint16_t io_k_u16(uint64_t v) { return v > 65535 ? 65535 : (uint16_t)v; }

static int io_k_setopt(int fd, int name, const void *v, socklen_t l) {
  return setsockopt(fd, SOL_SCTP, name, v, l) < 0 ? io_k_errno(errno) : 0;
}

static int io_k_int_opt(int fd, int name, int v) {
  return io_k_setopt(fd, name, &v, sizeof v);
}

/* io_k_sid maps an assoc_id of our API to the kernel's: on a one-to-one
 * socket it is ignored (the kernel ignores it too, 0 is safe). */
static sctp_assoc_t io_k_sid(const io_ksock *k, csctp_assoc_id id) {
  return k->type == CSCTP_SOCK_STREAM ? 0 : (sctp_assoc_t)id;
}

/* io_k_opt_err maps an errno of an association option: EINVAL for an
 * association id means "no such association". */
static int io_k_opt_err(const io_ksock *k, csctp_assoc_id id, int e) {
  if (e == EINVAL) {
    if (k->type == CSCTP_SOCK_STREAM && !k->connected && !k->accepted)
      return -ENOTCONN;
    if (k->type == CSCTP_SOCK_SEQPACKET && id != 0)
      return CSCTP_ERR_NOT_FOUND;
  }
  return io_k_errno(e);
}

static int io_k_getopt(const io_ksock *k, csctp_assoc_id id, int name, void *v,
                       socklen_t *l) {
  if (getsockopt(k->fd, SOL_SCTP, name, v, l) < 0)
    return io_k_opt_err(k, id, errno);
  return 0;
}

/* io_k_pr_policy maps a CSCTP_PR_SCTP_* policy to Linux's values (RFC 7496
 * names, Linux numbers: TTL 0x10, RTX 0x20, PRIO 0x30, ALL 0x80). */
static uint16_t io_k_pr_policy(uint16_t p) {
  switch (p) {
  case CSCTP_PR_SCTP_TTL:
    return SCTP_PR_SCTP_TTL;
  case CSCTP_PR_SCTP_RTX:
    return SCTP_PR_SCTP_RTX;
  case CSCTP_PR_SCTP_PRIO:
    return SCTP_PR_SCTP_PRIO;
  case CSCTP_PR_SCTP_ALL:
    return 0x80; /* SCTP_PR_SCTP_ALL */
  default:
    return SCTP_PR_SCTP_NONE;
  }
}

/* io_k_addrs_len checks n packed sockaddrs and returns their total size. */
static int io_k_addrs_len(const io_ksock *k, const struct sockaddr *addrs,
                          size_t n, socklen_t *len) {
  if (!addrs || n == 0 || n > 64)
    return CSCTP_ERR_INVAL;
  const uint8_t *p = (const uint8_t *)addrs;
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    sa_family_t fam;
    memcpy(&fam, p + off + offsetof(struct sockaddr, sa_family), sizeof fam);
    if (fam == AF_INET) {
      off += sizeof(struct sockaddr_in);
    } else if (fam == AF_INET6) {
      if (k->family == AF_INET)
        return -EAFNOSUPPORT;
      off += sizeof(struct sockaddr_in6);
    } else {
      return -EAFNOSUPPORT;
    }
  }
  *len = (socklen_t)off;
  return 0;
}

static void io_k_addr(csctp_addr *a, uint16_t *port, const void *sa) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  sa_family_t fam;
  memcpy(&fam, (const uint8_t *)sa + offsetof(struct sockaddr, sa_family),
         sizeof fam);
  size_t l = fam == AF_INET6 ? sizeof(struct sockaddr_in6)
                             : sizeof(struct sockaddr_in);
  memcpy(&ss, sa, l);
  memset(a, 0, sizeof *a);
  if (port)
    *port = 0;
  (void)csctp_addr_from_sockaddr(a, port, (struct sockaddr *)&ss, (socklen_t)l);
}

static socklen_t io_k_salen(const struct sockaddr_storage *ss) {
  return ss->ss_family == AF_INET6  ? sizeof(struct sockaddr_in6)
         : ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                    : 0;
}

/* io_k_event turns delivery of kernel notification `type` on or off. */
static int io_k_event(io_ksock *k, uint16_t type, int on) {
  uint32_t bit = 1u << (type - SCTP_SN_TYPE_BASE);
  if (on)
    k->ksubs |= bit;
  else
    k->ksubs &= ~bit;
  struct io_k_event ev;
  memset(&ev, 0, sizeof ev);
  ev.assoc_id = k->type == CSCTP_SOCK_STREAM ? 0 : IO_K_ALL_ASSOC;
  ev.type = type;
  ev.on = on ? 1 : 0;
  if (setsockopt(k->fd, SOL_SCTP, IO_K_EVENT, &ev, sizeof ev) == 0)
    return 0;
  if (errno != ENOPROTOOPT && errno != EINVAL)
    return io_k_errno(errno);
  /* Before Linux 5.0: the whole RFC 6458 (section 6.2.1) subscription. */
  uint8_t old[IO_K_NEVENTS_OLD];
  for (int i = 0; i < IO_K_NEVENTS_OLD; i++)
    old[i] = (uint8_t)((k->ksubs >> i) & 1);
  return io_k_setopt(k->fd, SCTP_EVENTS, old, sizeof old);
}

/* io_k_setup applies what every kernel socket of ours needs. */
static int io_k_set_reconf(int fd) {
  struct sctp_assoc_value v;
  memset(&v, 0, sizeof v);
  v.assoc_value = 1;
  return setsockopt(fd, SOL_SCTP, SCTP_RECONFIG_SUPPORTED, &v, sizeof v);
}

static int io_k_setup(io_ksock *k) {
  int r = io_k_int_opt(k->fd, SCTP_RECVRCVINFO, 1);
  if (r == 0)
    r = io_k_int_opt(k->fd, SCTP_RECVNXTINFO, 1);
  if (r == 0 && k->family == AF_INET6)
    r = io_k_int_opt(k->fd, SCTP_I_WANT_MAPPED_V4_ADDR, 0);
  if (r == 0)
    r = io_k_event(k, SCTP_ASSOC_CHANGE, 1);
  /* RFC 6525 on by default, as in the userland stack (Linux's default is
   * the sysctl net.sctp.reconf_enable, 0); kernels before 4.11 lack it. */
  if (r == 0)
    (void)io_k_set_reconf(k->fd);
  return r;
}

/* io_k_bufsize sets SO_RCVBUF / SO_SNDBUF. The kernel caps them at
 * net.core.rmem_max / wmem_max (and doubles the value); with CAP_NET_ADMIN
 * SO_*BUFFORCE lifts the cap. A message longer than the send buffer is
 * refused (CSCTP_ERR_MSGSIZE), as in the userland stack. */
static int io_k_bufsize(int fd, int rcv, int v) {
  if (setsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUF : SO_SNDBUF, &v, sizeof v) < 0)
    return io_k_errno(errno);
  int got = 0;
  socklen_t l = sizeof got;
  if (getsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUF : SO_SNDBUF, &got, &l) == 0 &&
      got / 2 < v)
    (void)setsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &v,
                     sizeof v);
  return 0;
}

static void io_k_apply_settings(io_ksock *k, const csctp_settings *s) {
  int fd = k->fd;
  if (s->rcvbuf)
    (void)io_k_bufsize(fd, 1,
                       (int)(s->rcvbuf > INT32_MAX ? INT32_MAX : s->rcvbuf));
  if (s->sndbuf)
    (void)io_k_bufsize(fd, 0,
                       (int)(s->sndbuf > INT32_MAX ? INT32_MAX : s->sndbuf));
  struct sctp_rtoinfo rto;
  memset(&rto, 0, sizeof rto);
  rto.srto_initial = io_k_ms(s->rto_initial);
  rto.srto_max = io_k_ms(s->rto_max);
  rto.srto_min = io_k_ms(s->rto_min);
  (void)io_k_setopt(fd, SCTP_RTOINFO, &rto, sizeof rto);
  struct sctp_initmsg im;
  memset(&im, 0, sizeof im);
  im.sinit_num_ostreams = s->num_ostreams;
  im.sinit_max_instreams = s->max_instreams;
  im.sinit_max_attempts = io_k_u16(s->max_init_retransmits);
  im.sinit_max_init_timeo =
      io_k_u16(io_k_ms(s->max_init_timeout ? s->max_init_timeout : s->rto_max));
  (void)io_k_setopt(fd, SCTP_INITMSG, &im, sizeof im);
  struct sctp_assocparams ap;
  memset(&ap, 0, sizeof ap);
  ap.sasoc_asocmaxrxt = io_k_u16(s->assoc_max_retrans);
  ap.sasoc_cookie_life = io_k_ms(s->valid_cookie_life);
  (void)io_k_setopt(fd, SCTP_ASSOCINFO, &ap, sizeof ap);
  struct sctp_sack_info si;
  memset(&si, 0, sizeof si);
  si.sack_delay = io_k_ms(s->sack_delay);
  si.sack_freq = s->sack_freq;
  (void)io_k_setopt(fd, SCTP_DELAYED_SACK, &si, sizeof si);
  io_kpaddrparams pp;
  memset(&pp, 0, sizeof pp);
  pp.hb_interval = io_k_ms(s->hb_interval);
  pp.hb_enabled = s->hb_interval ? 1 : 2;
  pp.path_max_retrans = io_k_u16(s->path_max_retrans);
  (void)io_ksock_set_paddrparams(k, &pp);
  (void)io_k_int_opt(fd, SCTP_NODELAY, s->nodelay ? 1 : 0);
}

static io_ksock *io_k_alloc(const csctp_mem *mem, int family, int type,
                            int fd) {
  if (!mem)
    mem = csctp_mem_default();
  io_ksock *k = mem->calloc(1, sizeof *k, mem->user_data);
  if (!k)
    return NULL;
  k->mem = *mem;
  k->fd = fd;
  k->family = family;
  k->type = type;
  return k;
}

static void io_k_release(io_ksock *k) {
  io_k_free(k, k->nbuf);
  io_k_free(k, k->kbuf);
  csctp_mem m = k->mem;
  m.free(k, m.user_data);
}

/* ---- Sockets ----------------------------------------------------------- */

int io_ksock_open(const csctp_mem *mem, int family, int type,
                  const csctp_settings *settings, io_ksock **out) {
  if (!out || (family != AF_INET && family != AF_INET6) ||
      (type != CSCTP_SOCK_STREAM && type != CSCTP_SOCK_SEQPACKET))
    return CSCTP_ERR_INVAL;
  int st = type == CSCTP_SOCK_STREAM ? SOCK_STREAM : SOCK_SEQPACKET;
  int fd = socket(family, st | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd < 0)
    return -errno;
  io_ksock *k = io_k_alloc(mem, family, type, fd);
  if (!k) {
    close(fd);
    return CSCTP_ERR_NOMEM;
  }
  int r = io_k_setup(k);
  if (r != 0) {
    close(fd);
    io_k_release(k);
    return r;
  }
  if (settings)
    io_k_apply_settings(k, settings);
  else
    (void)io_k_int_opt(fd, SCTP_NODELAY, 1);
  *out = k;
  return 0;
}

/* io_k_spawn wraps fd (accepted or peeled off) in a new io_ksock. */
static int io_k_spawn(io_ksock *k, int fd, io_ksock **out) {
  io_ksock *n = io_k_alloc(&k->mem, k->family, CSCTP_SOCK_STREAM, fd);
  if (!n) {
    close(fd);
    return CSCTP_ERR_NOMEM;
  }
  n->bound = 1;
  n->accepted = 1;
  n->connected = 1;
  n->subs = k->subs;
  n->ksubs = k->ksubs;
  n->def_snd = k->def_snd;
  n->linger = k->linger;
  n->frag_level = k->frag_level;
  /* The options are inherited by the kernel; set ours again anyway. */
  (void)io_k_int_opt(fd, SCTP_RECVRCVINFO, 1);
  (void)io_k_int_opt(fd, SCTP_RECVNXTINFO, 1);
  if (n->family == AF_INET6)
    (void)io_k_int_opt(fd, SCTP_I_WANT_MAPPED_V4_ADDR, 0);
  struct sctp_status ss;
  memset(&ss, 0, sizeof ss);
  socklen_t l = sizeof ss;
  if (getsockopt(fd, SOL_SCTP, SCTP_STATUS, &ss, &l) == 0)
    n->assoc_id = (csctp_assoc_id)ss.sstat_assoc_id;
  *out = n;
  return 0;
}

int io_ksock_bindx(io_ksock *k, const struct sockaddr *addrs, size_t n) {
  if (!k)
    return CSCTP_ERR_INVAL;
  if (k->bound || k->accepted)
    return -EOPNOTSUPP;
  socklen_t len;
  int r = io_k_addrs_len(k, addrs, n, &len);
  if (r != 0)
    return r;
  if (setsockopt(k->fd, SOL_SCTP, SCTP_SOCKOPT_BINDX_ADD, addrs, len) < 0)
    return io_k_errno(errno);
  k->bound = 1;
  return 0;
}

int io_ksock_bindx_op(io_ksock *k, const struct sockaddr *addrs, size_t n,
                      int flags) {
  if (!k)
    return CSCTP_ERR_INVAL;
  if (!k->bound || k->accepted)
    return -EOPNOTSUPP;
  int name = flags == CSCTP_BINDX_ADD_ADDR   ? SCTP_SOCKOPT_BINDX_ADD
             : flags == CSCTP_BINDX_REM_ADDR ? SCTP_SOCKOPT_BINDX_REM
                                             : -1;
  if (name < 0)
    return CSCTP_ERR_INVAL;
  socklen_t len;
  int r = io_k_addrs_len(k, addrs, n, &len);
  if (r != 0)
    return r;
  if (setsockopt(k->fd, SOL_SCTP, name, addrs, len) < 0)
    return errno == EINVAL ? CSCTP_ERR_INVAL : io_k_errno(errno);
  return 0;
}

int io_ksock_listen(io_ksock *k, int backlog) {
  if (!k)
    return CSCTP_ERR_INVAL;
  if (k->accepted ||
      (k->type == CSCTP_SOCK_STREAM && (k->connecting || k->connected)))
    return -EOPNOTSUPP;
  int bl;
  if (k->type == CSCTP_SOCK_STREAM)
    bl = backlog > 0 ? backlog : 128;
  else
    bl = backlog < 0 ? 128 : backlog; /* 0: stop accepting */
  if (listen(k->fd, bl) < 0)
    return io_k_errno(errno);
  k->bound = 1;
  k->listening = bl > 0;
  return 0;
}

int io_ksock_connectx(io_ksock *k, const struct sockaddr *addrs, size_t n,
                      csctp_assoc_id *assoc_id) {
  if (!k)
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_STREAM) {
    if (k->listening || k->accepted)
      return k->accepted ? -EISCONN : -EOPNOTSUPP;
    if (k->connecting)
      return -EALREADY;
    if (k->connected)
      return -EISCONN;
  }
  socklen_t len;
  int r = io_k_addrs_len(k, addrs, n, &len);
  if (r != 0)
    return r;
  /* SCTP_SOCKOPT_CONNECTX3 (a getsockopt) returns the association id even
   * when the connect is in progress; SCTP_SOCKOPT_CONNECTX does not. */
  struct sctp_getaddrs_old arg;
  memset(&arg, 0, sizeof arg);
  arg.assoc_id = 0;
  arg.addr_num = (int)len; /* the kernel reads it as the byte count */
  arg.addrs = (struct sockaddr *)(uintptr_t)addrs;
  socklen_t al = sizeof arg;
  sctp_assoc_t id = 0;
  int e;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX3, &arg, &al) == 0) {
    memcpy(&id, &arg, sizeof id);
    e = 0;
  } else {
    e = errno;
    if (e == EINPROGRESS)
      memcpy(&id, &arg, sizeof id);
    if (e == ENOPROTOOPT) {
      int rc = setsockopt(k->fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, addrs, len);
      e = rc < 0 ? errno : 0;
      if (rc > 0)
        id = rc;
    }
  }
  if (e != 0 && e != EINPROGRESS) {
    if (k->type == CSCTP_SOCK_SEQPACKET && (e == EALREADY || e == EISCONN))
      return CSCTP_ERR_STATE;
    return io_k_errno(e);
  }
  k->bound = 1;
  if (k->type == CSCTP_SOCK_STREAM) {
    k->connecting = e == EINPROGRESS;
    k->connected = e == 0;
    k->assoc_id = (csctp_assoc_id)id;
  }
  if (assoc_id)
    *assoc_id = (csctp_assoc_id)id;
  return -EINPROGRESS;
}

int io_ksock_accept(io_ksock *k, io_ksock **out, struct sockaddr_storage *peer,
                    socklen_t *peerlen) {
  if (!k || !out)
    return CSCTP_ERR_INVAL;
  if (k->type != CSCTP_SOCK_STREAM || !k->listening)
    return -EOPNOTSUPP;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int fd;
  do
    fd = accept4(k->fd, (struct sockaddr *)&ss, &sl,
                 SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return errno == EINVAL ? -EOPNOTSUPP : io_k_errno(errno);
  if (peer)
    memcpy(peer, &ss, sizeof ss);
  if (peerlen)
    *peerlen = sl;
  return io_k_spawn(k, fd, out);
}

int io_ksock_peeloff(io_ksock *k, csctp_assoc_id assoc_id, io_ksock **out) {
  if (!k || !out)
    return CSCTP_ERR_INVAL;
  if (k->type != CSCTP_SOCK_SEQPACKET)
    return -EOPNOTSUPP;
  if (assoc_id == 0)
    return CSCTP_ERR_NOT_FOUND;
  struct io_k_peeloff a;
  memset(&a, 0, sizeof a);
  a.assoc_id = (sctp_assoc_t)assoc_id;
  a.flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  socklen_t l = sizeof a;
  int fd;
  /* Returns the new fd (also in a.sd). */
  if (getsockopt(k->fd, SOL_SCTP, IO_K_PEELOFF_FLAGS, &a, &l) >= 0) {
    fd = a.sd;
  } else if (errno == ENOPROTOOPT) {
    sctp_peeloff_arg_t b;
    memset(&b, 0, sizeof b);
    b.associd = (sctp_assoc_t)assoc_id;
    l = sizeof b;
    if (getsockopt(k->fd, SOL_SCTP, SCTP_SOCKOPT_PEELOFF, &b, &l) < 0 ||
        b.sd < 0)
      return errno == EINVAL ? CSCTP_ERR_NOT_FOUND : io_k_errno(errno);
    fd = b.sd;
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  } else {
    return errno == EINVAL ? CSCTP_ERR_NOT_FOUND : io_k_errno(errno);
  }
  return io_k_spawn(k, fd, out);
}

/* ---- One-to-one association state ---------------------------------------- */

/* io_k_ended records the end of a one-to-one socket's association. */
static void io_k_ended(io_ksock *k, int code) {
  if (k->ended)
    return;
  k->ended = 1;
  k->connecting = 0;
  k->end_err = code ? code : CSCTP_ERR_CLOSED;
  if (code && code != CSCTP_ERR_CLOSED && k->err == 0)
    k->err = code;
}

/* io_k_connect_check sees whether a connect in progress finished. */
static void io_k_connect_check(io_ksock *k) {
  if (!k->connecting)
    return;
  struct pollfd p = {k->fd, POLLOUT, 0};
  if (poll(&p, 1, 0) <= 0)
    return;
  int e = io_k_so_error(k->fd);
  if (e) {
    io_k_ended(k, io_k_end_errno(e));
  } else if (p.revents & POLLOUT) {
    k->connecting = 0;
    k->connected = 1;
  } else if (p.revents & (POLLHUP | POLLERR)) {
    io_k_ended(k, CSCTP_ERR_CLOSED);
  }
}

/* ---- Notifications ------------------------------------------------------- */

static uint16_t io_k_be16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}

/* io_k_cause normalises a cause code the kernel stored in sac_error: it is
 * the network-order field cast to a host integer. */
static uint16_t io_k_cause(uint16_t v) {
  uint16_t sw = (uint16_t)((v >> 8) | (v << 8));
  /* cause codes are small (RFC 9260 3.3.10: 1..13, extensions < 0x100) */
  if (v > 0xff && sw <= 0xff)
    return sw;
  return v;
}

/* io_k_peer_of fills the primary peer address of an association. */
static void io_k_peer_of(const io_ksock *k, sctp_assoc_t id, csctp_addr *a,
                         uint16_t *port) {
  struct sctp_prim p;
  memset(&p, 0, sizeof p);
  p.ssp_assoc_id = id;
  socklen_t l = sizeof p;
  memset(a, 0, sizeof *a);
  *port = 0;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_PRIMARY_ADDR, &p, &l) == 0) {
    struct sockaddr_storage ss;
    memcpy(&ss, (const uint8_t *)&p + offsetof(struct sctp_prim, ssp_addr),
           sizeof ss);
    io_k_addr(a, port, &ss);
  }
}

static uint32_t io_k_path_state(int s) {
  switch (s) {
  case SCTP_ADDR_AVAILABLE:
  case SCTP_ADDR_CONFIRMED:
    return CSCTP_PATH_ACTIVE;
  case SCTP_ADDR_ADDED: /* RFC 6458 6.1.2, by ASCONF (RFC 5061) */
    return CSCTP_PATH_ADDED;
  case SCTP_ADDR_REMOVED:
    return CSCTP_PATH_REMOVED;
  case SCTP_ADDR_MADE_PRIM:
    return CSCTP_PATH_MADE_PRIMARY;
  case SCTP_ADDR_POTENTIALLY_FAILED:
    return CSCTP_PATH_POTENTIALLY_FAILED;
  default: /* UNREACHABLE, REMOVED */
    return CSCTP_PATH_INACTIVE;
  }
}

static uint16_t io_k_flags_in(uint16_t f) {
  uint16_t o = 0;
  if (f & SCTP_UNORDERED)
    o |= CSCTP_SEND_UNORDERED;
  if (f & SCTP_EOF)
    o |= CSCTP_SEND_EOF;
  if (f & SCTP_ABORT)
    o |= CSCTP_SEND_ABORT;
  if (f & SCTP_SACK_IMMEDIATELY)
    o |= CSCTP_SEND_SACK_NOW;
  return o;
}

static uint16_t io_k_flags_out(uint16_t f) {
  uint16_t o = 0;
  if (f & CSCTP_SEND_UNORDERED)
    o |= SCTP_UNORDERED;
  if (f & CSCTP_SEND_EOF)
    o |= SCTP_EOF;
  if (f & CSCTP_SEND_ABORT)
    o |= SCTP_ABORT;
  if (f & CSCTP_SEND_SACK_NOW)
    o |= SCTP_SACK_IMMEDIATELY;
  return o;
}

/* io_k_lost fills the reason of a COMM_LOST / CANT_STR_ASSOC event. */
static void io_k_lost(io_ksock *k, const struct sctp_assoc_change *sac,
                      const uint8_t *info, size_t info_len, int cant_start,
                      csctp_notification *n) {
  uint32_t reason;
  uint16_t cause = 0;
  int so_err = 0;
  if (k->type == CSCTP_SOCK_STREAM)
    so_err = io_k_so_error(k->fd); /* the precise reason; consumes it */
  if (info_len >= 4 && info[0] == 6 /* ABORT chunk header included */ &&
      io_k_be16(info + 2) <= info_len + 4) {
    info += 4;
    info_len -= 4;
  }
  if (info_len >= 4)
    cause = io_k_be16(info);
  uint16_t se = io_k_cause(sac->sac_error);
  if (cant_start) {
    if (so_err == ECONNREFUSED || (!so_err && (info_len || se)))
      reason = CSCTP_LOST_REFUSED;
    else
      reason = CSCTP_LOST_INIT_FAILED;
    if (!cause)
      cause = se;
  } else if (so_err == ETIMEDOUT) {
    reason = CSCTP_LOST_TIMEOUT;
  } else if (so_err == ECONNABORTED || (!info_len && se == 12)) {
    reason = CSCTP_LOST_USER_ABORT; /* SCTP_ERROR_USER_ABORT: ours */
    if (!cause)
      cause = se;
  } else if (so_err == ECONNRESET || info_len) {
    reason = CSCTP_LOST_PEER_ABORT;
    if (!cause)
      cause = se;
  } else if (se) {
    reason = CSCTP_LOST_PROTOCOL;
    cause = se;
  } else {
    reason = CSCTP_LOST_TIMEOUT;
  }
  n->u.lost.reason = reason;
  n->u.lost.cause_code = cause;
  switch (reason) {
  case CSCTP_LOST_PEER_ABORT:
  case CSCTP_LOST_USER_ABORT:
    n->error = CSCTP_ERR_ABORTED;
    break;
  case CSCTP_LOST_REFUSED:
    n->error = CSCTP_ERR_REFUSED;
    break;
  case CSCTP_LOST_PROTOCOL:
    n->error = CSCTP_ERR_PROTO;
    break;
  default:
    n->error = CSCTP_ERR_TIMEOUT;
  }
  if (k->type == CSCTP_SOCK_STREAM)
    io_k_ended(k, n->error);
}

/* io_k_on_notif handles one complete kernel notification in kbuf: updates
 * the socket's state and, when the user subscribed to it, puts the
 * translated csctp_notification into nbuf. Returns 1 if it did, 0 if the
 * notification is not for the user, or CSCTP_ERR_NOMEM. */
static int io_k_on_notif(io_ksock *k) {
  const uint8_t *b = k->kbuf;
  size_t len = k->klen;
  if (len < 8)
    return 0;
  uint16_t ktype;
  uint32_t klen;
  memcpy(&ktype, b, sizeof ktype);
  memcpy(&klen, b + 4, sizeof klen);
  if (klen < len)
    len = klen;
  csctp_notification n;
  memset(&n, 0, sizeof n);
  const uint8_t *data = NULL;
  size_t dlen = 0;
  switch (ktype) {
  case SCTP_ASSOC_CHANGE: {
    struct sctp_assoc_change sac;
    memset(&sac, 0, sizeof sac);
    memcpy(&sac, b, len < sizeof sac ? len : sizeof sac);
    n.assoc_id = (csctp_assoc_id)sac.sac_assoc_id;
    const uint8_t *info = b + sizeof sac;
    size_t info_len = len > sizeof sac ? len - sizeof sac : 0;
    switch (sac.sac_state) {
    case SCTP_COMM_UP:
    case SCTP_RESTART:
      n.type = sac.sac_state == SCTP_COMM_UP ? CSCTP_EV_ASSOC_UP
                                             : CSCTP_EV_ASSOC_RESTART;
      n.u.up.outbound_streams = sac.sac_outbound_streams;
      n.u.up.inbound_streams = sac.sac_inbound_streams;
      io_k_peer_of(k, sac.sac_assoc_id, &n.u.up.peer, &n.u.up.peer_port);
      if (k->type == CSCTP_SOCK_STREAM && sac.sac_state == SCTP_COMM_UP &&
          !k->ended) {
        k->connecting = 0;
        k->connected = 1;
        k->assoc_id = n.assoc_id;
      }
      break;
    case SCTP_SHUTDOWN_COMP:
      n.type = CSCTP_EV_SHUTDOWN_COMPLETE;
      if (k->type == CSCTP_SOCK_STREAM)
        io_k_ended(k, CSCTP_ERR_CLOSED);
      break;
    case SCTP_COMM_LOST:
    case SCTP_CANT_STR_ASSOC:
      n.type = CSCTP_EV_ASSOC_LOST;
      io_k_lost(k, &sac, info, info_len, sac.sac_state == SCTP_CANT_STR_ASSOC,
                &n);
      break;
    default:
      return 0;
    }
    break;
  }
  case SCTP_PEER_ADDR_CHANGE: {
    struct sctp_paddr_change pc;
    memset(&pc, 0, sizeof pc);
    memcpy(&pc, b, len < sizeof pc ? len : sizeof pc);
    int state;
    sctp_assoc_t id;
    struct sockaddr_storage ss;
    memcpy(&state,
           (uint8_t *)&pc + offsetof(struct sctp_paddr_change, spc_state),
           sizeof state);
    memcpy(&id,
           (uint8_t *)&pc + offsetof(struct sctp_paddr_change, spc_assoc_id),
           sizeof id);
    memcpy(&ss, (uint8_t *)&pc + offsetof(struct sctp_paddr_change, spc_aaddr),
           sizeof ss);
    n.type = CSCTP_EV_PEER_ADDR_CHANGE;
    n.assoc_id = (csctp_assoc_id)id;
    io_k_addr(&n.u.paddr.addr, NULL, &ss);
    n.u.paddr.state = io_k_path_state(state);
    break;
  }
  case SCTP_REMOTE_ERROR: {
    struct sctp_remote_error re;
    size_t off = offsetof(struct sctp_remote_error, sre_data);
    memset(&re, 0, sizeof re);
    memcpy(&re, b, len < sizeof re ? len : sizeof re);
    n.type = CSCTP_EV_REMOTE_ERROR;
    n.assoc_id = (csctp_assoc_id)re.sre_assoc_id;
    n.u.remote_error.cause_code = ntohs(re.sre_error);
    if (len > off) {
      data = b + off;
      dlen = len - off;
    }
    break;
  }
  case SCTP_SEND_FAILED_EVENT: {
    struct sctp_send_failed_event sf;
    size_t off = offsetof(struct sctp_send_failed_event, ssf_data);
    memset(&sf, 0, sizeof sf);
    memcpy(&sf, b, len < sizeof sf ? len : sizeof sf);
    n.type = CSCTP_EV_SEND_FAILED;
    n.assoc_id = (csctp_assoc_id)sf.ssf_assoc_id;
    n.u.send_failed.info.sid = sf.ssfe_info.snd_sid;
    n.u.send_failed.info.flags = io_k_flags_in(sf.ssfe_info.snd_flags);
    n.u.send_failed.info.ppid = ntohl(sf.ssfe_info.snd_ppid);
    n.u.send_failed.info.context = sf.ssfe_info.snd_context;
    n.u.send_failed.info.assoc_id = (csctp_assoc_id)sf.ssf_assoc_id;
    n.u.send_failed.was_sent = (sf.ssf_flags & SCTP_DATA_SENT) ? 1 : 0;
    if (len > off) {
      data = b + off;
      dlen = len - off;
    }
    break;
  }
  case SCTP_SHUTDOWN_EVENT: {
    struct sctp_shutdown_event se;
    memset(&se, 0, sizeof se);
    memcpy(&se, b, len < sizeof se ? len : sizeof se);
    n.type = CSCTP_EV_SHUTDOWN_RECEIVED;
    n.assoc_id = (csctp_assoc_id)se.sse_assoc_id;
    break;
  }
  case SCTP_SENDER_DRY_EVENT: {
    struct sctp_sender_dry_event de;
    memset(&de, 0, sizeof de);
    memcpy(&de, b, len < sizeof de ? len : sizeof de);
    n.type = CSCTP_EV_SENDER_DRY;
    n.assoc_id = (csctp_assoc_id)de.sender_dry_assoc_id;
    break;
  }
  case SCTP_AUTHENTICATION_EVENT: { /* RFC 6458 6.1.8 */
    struct sctp_authkey_event ae;
    memset(&ae, 0, sizeof ae);
    memcpy(&ae, b, len < sizeof ae ? len : sizeof ae);
    n.type = CSCTP_EV_AUTHENTICATION;
    n.assoc_id = (csctp_assoc_id)ae.auth_assoc_id;
    n.u.auth.keynumber = ae.auth_keynumber;
    n.u.auth.indication =
        ae.auth_indication == SCTP_AUTH_NEW_KEY    ? CSCTP_AUTH_NEW_KEY
        : ae.auth_indication == SCTP_AUTH_FREE_KEY ? CSCTP_AUTH_FREE_KEY
                                                   : CSCTP_AUTH_NO_AUTH;
    break;
  }
  case SCTP_STREAM_RESET_EVENT: { /* RFC 6525 6.1.1: same flag bits */
    struct sctp_stream_reset_event re;
    size_t off = offsetof(struct sctp_stream_reset_event, strreset_stream_list);
    memset(&re, 0, sizeof re);
    memcpy(&re, b, len < sizeof re ? len : sizeof re);
    n.type = CSCTP_EV_STREAM_RESET;
    n.assoc_id = (csctp_assoc_id)re.strreset_assoc_id;
    n.u.stream_reset.flags = re.strreset_flags;
    if (len > off) {
      data = b + off; /* host order, as csctp_notification says */
      dlen = (len - off) & ~(size_t)1;
    }
    n.u.stream_reset.number_streams = (uint16_t)(dlen / 2);
    break;
  }
  case SCTP_ASSOC_RESET_EVENT: { /* RFC 6525 6.1.2 */
    struct sctp_assoc_reset_event ar;
    memset(&ar, 0, sizeof ar);
    memcpy(&ar, b, len < sizeof ar ? len : sizeof ar);
    n.type = CSCTP_EV_ASSOC_RESET;
    n.assoc_id = (csctp_assoc_id)ar.assocreset_assoc_id;
    n.u.assoc_reset.flags = ar.assocreset_flags;
    /* Linux (6.1) fills the two fields the other way round from RFC 6525
     * 6.1.2 on both sides (local_tsn is the peer's next TSN): swapped back
     * here, so that local_tsn is the next TSN we send (make test-kernel:
     * TestReconfResetAssoc/kernel checks it against the TSN received). */
    n.u.assoc_reset.local_tsn = ar.assocreset_remote_tsn;
    n.u.assoc_reset.remote_tsn = ar.assocreset_local_tsn;
    break;
  }
  case SCTP_STREAM_CHANGE_EVENT: { /* RFC 6525 6.1.3 */
    struct sctp_stream_change_event sc;
    memset(&sc, 0, sizeof sc);
    memcpy(&sc, b, len < sizeof sc ? len : sizeof sc);
    n.type = CSCTP_EV_STREAM_CHANGE;
    n.assoc_id = (csctp_assoc_id)sc.strchange_assoc_id;
    n.u.stream_change.flags = sc.strchange_flags;
    n.u.stream_change.instrms = sc.strchange_instrms;
    n.u.stream_change.outstrms = sc.strchange_outstrms;
    break;
  }
  case SCTP_PARTIAL_DELIVERY_EVENT: { /* RFC 6458 6.1.7 */
    struct sctp_pdapi_event pd;
    memset(&pd, 0, sizeof pd);
    memcpy(&pd, b, len < sizeof pd ? len : sizeof pd);
    n.type = CSCTP_EV_PARTIAL_DELIVERY;
    n.assoc_id = (csctp_assoc_id)pd.pdapi_assoc_id;
    n.u.pdapi.indication = pd.pdapi_indication;
    n.u.pdapi.stream = (uint16_t)pd.pdapi_stream;
    n.u.pdapi.seq = pd.pdapi_seq;
    /* n.u.pdapi.flags 0: Linux does not say whether it was unordered */
    break;
  }
  default:
    return 0;
  }
  if (n.type >= 32 || !(k->subs & (1u << n.type)))
    return 0;
  n.data_len = (uint32_t)dlen;
  n.length = (uint32_t)(sizeof n + dlen);
  if (io_k_reserve(k, &k->nbuf, &k->ncap, sizeof n + dlen) != 0)
    return CSCTP_ERR_NOMEM;
  memcpy(k->nbuf, &n, sizeof n);
  if (dlen)
    memcpy(k->nbuf + sizeof n, data, dlen);
  k->nlen = sizeof n + dlen;
  k->noff = 0;
  return 1;
}

/* io_k_take_notif completes the notification whose first `have` bytes are
 * in kbuf (eor: it is already complete) by reading the rest. */
static int io_k_take_notif(io_ksock *k, size_t have, int eor) {
  while (!eor) {
    size_t want = have + IO_K_NOTIF_MIN;
    if (have >= 8) {
      uint32_t total;
      memcpy(&total, k->kbuf + 4, sizeof total);
      if (total > have && total < (64u << 20))
        want = total;
    }
    if (io_k_reserve(k, &k->kbuf, &k->kcap, want) != 0)
      return CSCTP_ERR_NOMEM;
    struct iovec v = {k->kbuf + have, k->kcap - have};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &v;
    m.msg_iovlen = 1;
    ssize_t r = recvmsg(k->fd, &m, 0);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return io_k_errno(errno);
    }
    if (!(m.msg_flags & MSG_NOTIFICATION))
      return CSCTP_ERR_PROTO; /* cannot happen: the rest is at the head */
    have += (size_t)r;
    eor = (m.msg_flags & MSG_EOR) != 0;
    if (r == 0)
      break;
  }
  k->klen = have;
  return 0;
}

/* io_k_serve_notif copies the pending translated notification into iov. */
static csctp_ssize io_k_serve_notif(io_ksock *k, const struct iovec *iov,
                                    int iovcnt, csctp_rcvinfo *info,
                                    int *msg_flags) {
  size_t copied = 0;
  for (int i = 0; i < iovcnt && k->noff < k->nlen; i++) {
    size_t c = k->nlen - k->noff;
    if (c > iov[i].iov_len)
      c = iov[i].iov_len;
    if (c)
      memcpy(iov[i].iov_base, k->nbuf + k->noff, c);
    k->noff += c;
    copied += c;
  }
  if (info) {
    csctp_notification n;
    memcpy(&n, k->nbuf, sizeof n);
    memset(info, 0, sizeof *info);
    info->assoc_id = n.assoc_id;
  }
  int done = k->noff >= k->nlen;
  if (msg_flags)
    *msg_flags = CSCTP_MSG_NOTIFICATION | (done ? CSCTP_MSG_EOR : 0);
  if (done)
    k->noff = k->nlen = 0;
  return (csctp_ssize)copied;
}

/* io_k_read_head_notif reads the notification known to be at the head of
 * the queue and handles it. */
static int io_k_read_head_notif(io_ksock *k) {
  k->knext = 0;
  int r = io_k_take_notif(k, 0, 0);
  if (r != 0)
    return r;
  return io_k_on_notif(k);
}

/* ---- Send ---------------------------------------------------------------- */

static csctp_ssize io_k_sendmsg(io_ksock *k, const struct iovec *iov,
                                int iovcnt, const struct sockaddr *to,
                                const csctp_sndinfo *si, uint16_t kflags) {
  union {
    struct cmsghdr h;
    uint8_t b[CMSG_SPACE(sizeof(struct sctp_sndinfo)) +
              CMSG_SPACE(sizeof(struct sctp_prinfo))];
  } cb;
  memset(&cb, 0, sizeof cb);
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = (struct iovec *)(uintptr_t)iov;
  m.msg_iovlen = (size_t)iovcnt;
  if (to) {
    m.msg_name = (void *)(uintptr_t)to;
    m.msg_namelen = to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
  }
  m.msg_control = cb.b;
  m.msg_controllen = CMSG_SPACE(sizeof(struct sctp_sndinfo));
  if (si->pr_policy != CSCTP_PR_SCTP_NONE) /* RFC 6458 5.3.7 SCTP_PRINFO */
    m.msg_controllen += CMSG_SPACE(sizeof(struct sctp_prinfo));
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = IPPROTO_SCTP;
  c->cmsg_type = SCTP_SNDINFO;
  c->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndinfo));
  struct sctp_sndinfo ks;
  memset(&ks, 0, sizeof ks);
  ks.snd_sid = si->sid;
  ks.snd_flags = kflags;
  ks.snd_ppid = htonl(si->ppid);
  ks.snd_context = si->context;
  ks.snd_assoc_id = io_k_sid(k, si->assoc_id);
  memcpy(CMSG_DATA(c), &ks, sizeof ks);
  if (si->pr_policy != CSCTP_PR_SCTP_NONE) {
    struct cmsghdr *pc = CMSG_NXTHDR(&m, c);
    struct sctp_prinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.pr_policy = io_k_pr_policy(si->pr_policy);
    pi.pr_value = si->pr_value;
    pc->cmsg_level = IPPROTO_SCTP;
    pc->cmsg_type = SCTP_PRINFO;
    pc->cmsg_len = CMSG_LEN(sizeof pi);
    memcpy(CMSG_DATA(pc), &pi, sizeof pi);
  }
  ssize_t r;
  do
    r = sendmsg(k->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -(csctp_ssize)errno : (csctp_ssize)r;
}

/* io_k_send_err maps an errno of sendmsg. */
static int io_k_send_err(io_ksock *k, int e, const csctp_sndinfo *si) {
  switch (e) {
  case EAGAIN:
    return -EAGAIN;
  case EINVAL: {
    csctp_assoc_status st;
    if (io_ksock_status(k, si->assoc_id, &st) == 0 &&
        si->sid >= st.outbound_streams)
      return CSCTP_ERR_STREAM;
    return CSCTP_ERR_INVAL;
  }
  case EPIPE:
  case ECONNRESET:
  case ECONNABORTED:
  case ETIMEDOUT:
  case ECONNREFUSED:
  case ESHUTDOWN:
    if (k->type == CSCTP_SOCK_SEQPACKET)
      return e == ESHUTDOWN ? CSCTP_ERR_CLOSED : CSCTP_ERR_NOT_FOUND;
    if (e == ESHUTDOWN)
      return CSCTP_ERR_CLOSED;
    if (!k->ended) {
      int so = io_k_so_error(k->fd);
      int code = io_k_end_errno(so ? so : e);
      io_k_ended(k, code);
      if (k->err == code)
        k->err = 0; /* reported here */
    }
    return k->end_err;
  default:
    return io_k_errno(e);
  }
}

csctp_ssize io_ksock_sendv(io_ksock *k, const struct iovec *iov, int iovcnt,
                           const struct sockaddr *to, const csctp_sndinfo *info,
                           int flags) {
  (void)flags;
  if (!k || iovcnt < 0 || (iovcnt > 0 && !iov))
    return CSCTP_ERR_INVAL;
  csctp_sndinfo si = info ? *info : k->def_snd;
  size_t len = 0;
  for (int i = 0; i < iovcnt; i++)
    len += iov[i].iov_len;
  if (len == 0 && !(si.flags & (CSCTP_SEND_EOF | CSCTP_SEND_ABORT)))
    return CSCTP_ERR_INVAL;
  if (to && to->sa_family != AF_INET && to->sa_family != AF_INET6)
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_STREAM) {
    if (k->listening ||
        (!k->connecting && !k->connected && !k->accepted && !k->ended))
      return -ENOTCONN;
    io_k_connect_check(k);
    if (k->ended)
      return k->end_err;
    if (k->connecting)
      return -EAGAIN;
    if (si.flags & CSCTP_SEND_ABORT) {
      /* The kernel takes SCTP_ABORT on one-to-many sockets only; closing
       * with SO_LINGER {1, 0} is the one way to abort a one-to-one
       * association: the ABORT (User-Initiated Abort, without the reason)
       * is sent by io_ksock_close. Until then the socket acts aborted. */
      struct linger lg = {1, 0};
      if (setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
        return io_k_errno(errno);
      k->abort_on_close = 1;
      io_k_ended(k, CSCTP_ERR_ABORTED);
      k->err = 0;
      return (csctp_ssize)len;
    }
    if (k->shut_wr)
      return CSCTP_ERR_CLOSED;
  } else {
    if (!si.assoc_id && !to)
      return CSCTP_ERR_NOT_FOUND;
    if (k->shut_wr)
      return CSCTP_ERR_CLOSED;
  }
  uint16_t kf = io_k_flags_out(si.flags);
  csctp_ssize r;
  if ((si.flags & CSCTP_SEND_EOF) && !(si.flags & CSCTP_SEND_ABORT) &&
      (len > 0 || k->type == CSCTP_SOCK_STREAM)) {
    /* The kernel refuses SCTP_EOF with data, and on one-to-one sockets:
     * send the message, then the EOF (one-to-one: shutdown(2)). */
    if (len > 0) {
      r = io_k_sendmsg(k, iov, iovcnt, to, &si, (uint16_t)(kf & ~SCTP_EOF));
      if (r < 0)
        return io_k_send_err(k, (int)-r, &si);
    }
    /* The message is queued: it is reported as sent even if the shutdown
     * request fails (the error then comes back on the next call). */
    if (k->type == CSCTP_SOCK_STREAM)
      (void)shutdown(k->fd, SHUT_WR);
    else
      (void)io_k_sendmsg(k, NULL, 0, to, &si, SCTP_EOF);
  } else {
    r = io_k_sendmsg(k, iov, iovcnt, to, &si, kf);
    if (r < 0)
      return io_k_send_err(k, (int)-r, &si);
  }
  if ((si.flags & CSCTP_SEND_EOF) && k->type == CSCTP_SOCK_STREAM)
    k->shut_wr = 1;
  return (csctp_ssize)len;
}

/* ---- Receive ------------------------------------------------------------- */

static int io_k_iov_ok(const struct iovec *iov, int iovcnt) {
  for (int i = 0; i < iovcnt; i++)
    if (iov[i].iov_len)
      return 1;
  return 0;
}

/* io_k_gather copies the first n bytes of iov into kbuf. */
static int io_k_gather(io_ksock *k, const struct iovec *iov, int iovcnt,
                       size_t n) {
  if (io_k_reserve(k, &k->kbuf, &k->kcap, n + 1) != 0)
    return CSCTP_ERR_NOMEM;
  size_t off = 0;
  for (int i = 0; i < iovcnt && off < n; i++) {
    size_t c = iov[i].iov_len < n - off ? iov[i].iov_len : n - off;
    memcpy(k->kbuf + off, iov[i].iov_base, c);
    off += c;
  }
  return 0;
}

/* io_k_recv_error handles an error of recvmsg; returns what recvv returns,
 * or 1 to try again. */
static csctp_ssize io_k_recv_error(io_ksock *k, int e) {
  switch (e) {
  case EINTR:
    return 1;
  case EAGAIN:
    k->knext = 0;
    if (k->shut_rd)
      return 0;
    if (k->type == CSCTP_SOCK_STREAM && k->ended)
      return 0;
    return -EAGAIN;
  case ECONNRESET:
  case ECONNABORTED:
  case ETIMEDOUT:
  case ECONNREFUSED:
  case EPIPE:
    if (k->type == CSCTP_SOCK_STREAM) {
      io_k_ended(k, io_k_end_errno(e));
      return 1; /* read what is left, then EOF */
    }
    return io_k_errno(e);
  case ENOTCONN:
    return -ENOTCONN;
  default:
    return io_k_errno(e);
  }
}

csctp_ssize io_ksock_recvv(io_ksock *k, const struct iovec *iov, int iovcnt,
                           struct sockaddr_storage *from, socklen_t *fromlen,
                           csctp_rcvinfo *info, int *msg_flags) {
  if (msg_flags)
    *msg_flags = 0;
  if (fromlen)
    *fromlen = 0;
  if (!k || iovcnt <= 0 || !iov || !io_k_iov_ok(iov, iovcnt))
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_STREAM &&
      (k->listening ||
       (!k->connecting && !k->connected && !k->accepted && !k->ended)))
    return -ENOTCONN;
  if (k->abort_on_close)
    return 0;
  for (;;) {
    if (k->noff < k->nlen)
      return io_k_serve_notif(k, iov, iovcnt, info, msg_flags);
    if (k->knext == 2 && !k->partial) {
      int r = io_k_read_head_notif(k);
      if (r < 0)
        return r;
      continue;
    }
    union {
      struct cmsghdr h;
      uint8_t b[CMSG_SPACE(sizeof(struct sctp_rcvinfo)) +
                CMSG_SPACE(sizeof(struct sctp_nxtinfo)) + 64];
    } cb;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &ss;
    m.msg_namelen = sizeof ss;
    m.msg_iov = (struct iovec *)(uintptr_t)iov;
    m.msg_iovlen = (size_t)iovcnt;
    m.msg_control = cb.b;
    m.msg_controllen = sizeof cb.b;
    ssize_t n = recvmsg(k->fd, &m, 0);
    if (n < 0) {
      csctp_ssize r = io_k_recv_error(k, errno);
      if (r == 1)
        continue;
      return r;
    }
    k->knext = 0;
    if (m.msg_flags & MSG_NOTIFICATION) {
      int r = io_k_gather(k, iov, iovcnt, (size_t)n);
      if (r == 0)
        r = io_k_take_notif(k, (size_t)n, (m.msg_flags & MSG_EOR) != 0);
      if (r == 0)
        r = io_k_on_notif(k);
      if (r < 0)
        return r;
      continue;
    }
    if (n == 0) {
      /* End of file: the peer shut down, or the association ended. */
      if (k->partial) {
        k->partial = 0;
        continue;
      }
      return 0;
    }
    int eor = (m.msg_flags & MSG_EOR) != 0;
    k->partial = !eor;
    struct sctp_rcvinfo ri;
    int have_ri = 0;
    memset(&ri, 0, sizeof ri);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != IPPROTO_SCTP)
        continue;
      if (c->cmsg_type == SCTP_RCVINFO &&
          c->cmsg_len >= CMSG_LEN(sizeof(struct sctp_rcvinfo))) {
        memcpy(&ri, CMSG_DATA(c), sizeof ri);
        have_ri = 1;
      } else if (c->cmsg_type == SCTP_NXTINFO && eor &&
                 c->cmsg_len >= CMSG_LEN(sizeof(struct sctp_nxtinfo))) {
        struct sctp_nxtinfo ni;
        memcpy(&ni, CMSG_DATA(c), sizeof ni);
        k->knext = (ni.nxt_flags & SCTP_NOTIFICATION) ? 2 : 1;
      }
    }
    if (k->shut_rd)
      continue; /* discarded */
    if (info) {
      memset(info, 0, sizeof *info);
      if (have_ri) {
        info->sid = ri.rcv_sid;
        info->ssn = ri.rcv_ssn;
        info->flags = (ri.rcv_flags & SCTP_UNORDERED) ? CSCTP_RCV_UNORDERED : 0;
        info->ppid = ntohl(ri.rcv_ppid);
        info->tsn = ri.rcv_tsn;
        info->cumtsn = ri.rcv_cumtsn;
        info->assoc_id = (csctp_assoc_id)ri.rcv_assoc_id;
      } else if (k->type == CSCTP_SOCK_STREAM) {
        info->assoc_id = k->assoc_id;
      }
      if (eor)
        info->flags |= CSCTP_RCV_EOR;
      if (m.msg_namelen)
        io_k_addr(&info->from, NULL, &ss);
    }
    if (from) {
      memcpy(from, &ss, sizeof ss);
      if (fromlen)
        *fromlen = io_k_salen(&ss);
    }
    if (msg_flags)
      *msg_flags = eor ? CSCTP_MSG_EOR : 0;
    return (csctp_ssize)n;
  }
}

int io_ksock_next_notification(io_ksock *k, csctp_notification *n,
                               uint8_t *data, size_t datalen) {
  if (!k || !n || (datalen && !data))
    return CSCTP_ERR_INVAL;
  for (;;) {
    if (k->nlen) {
      memcpy(n, k->nbuf, sizeof *n);
      size_t c = n->data_len < datalen ? n->data_len : datalen;
      if (c)
        memcpy(data, k->nbuf + sizeof *n, c);
      k->nlen = k->noff = 0;
      return 0;
    }
    if (k->partial || k->knext == 1)
      return -EAGAIN; /* data comes first */
    if (k->knext != 2) {
      uint8_t peek[8];
      struct iovec v = {peek, sizeof peek};
      struct msghdr m;
      memset(&m, 0, sizeof m);
      m.msg_iov = &v;
      m.msg_iovlen = 1;
      ssize_t r = recvmsg(k->fd, &m, MSG_PEEK);
      if (r < 0) {
        csctp_ssize e = io_k_recv_error(k, errno);
        if (e == 1)
          continue;
        return e == 0 ? -EAGAIN : (int)e;
      }
      if (!(m.msg_flags & MSG_NOTIFICATION)) {
        if (r > 0)
          k->knext = 1;
        return -EAGAIN;
      }
    }
    int r = io_k_read_head_notif(k);
    if (r < 0)
      return r;
  }
}

/* ---- Stream reconfiguration (RFC 6525 6.3; Linux 4.11+) --------------- */

/* io_k_get_int reads the int option (level, name) into the caller's int at
 * val (len bytes, set to sizeof(int)). Returns 0 or an error. */
static int io_k_get_int(io_ksock *k, int level, int name, void *val,
                        size_t *len) {
  int v = 0;
  socklen_t l = sizeof v;
  if (*len < sizeof v)
    return CSCTP_ERR_INVAL;
  if (getsockopt(k->fd, level, name, &v, &l) < 0)
    return io_k_errno(errno);
  memcpy(val, &v, sizeof v);
  *len = sizeof v;
  return 0;
}

/* io_k_get_av reads the struct sctp_assoc_value option name for the
 * csctp_assoc_value at val (len bytes; its assoc_id mapped) into *value.
 * Returns 0 or an error; io_k_put_av then writes the answer back. */
static int io_k_get_av(io_ksock *k, int name, const void *val, size_t len,
                       uint32_t *value) {
  csctp_assoc_value v;
  if (len < sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  struct sctp_assoc_value kv;
  memset(&kv, 0, sizeof kv);
  kv.assoc_id = io_k_sid(k, v.assoc_id);
  socklen_t l = sizeof kv;
  int r = io_k_getopt(k, v.assoc_id, name, &kv, &l);
  if (r == 0)
    *value = kv.assoc_value;
  return r;
}

static int io_k_put_av(void *val, size_t *len, uint32_t value) {
  csctp_assoc_value v;
  memcpy(&v, val, sizeof v);
  v.value = value;
  memcpy(val, &v, sizeof v);
  *len = sizeof v;
  return 0;
}

/* A struct sctp_assoc_value option: assoc_id mapped, value as given. */
static int io_k_set_av(io_ksock *k, int name, const void *val, size_t len) {
  csctp_assoc_value v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  struct sctp_assoc_value kv;
  memset(&kv, 0, sizeof kv);
  kv.assoc_id = io_k_sid(k, v.assoc_id);
  kv.assoc_value = name == SCTP_RECONFIG_SUPPORTED ? v.value != 0 : v.value;
  if (setsockopt(k->fd, SOL_SCTP, name, &kv, sizeof kv) < 0)
    return io_k_opt_err(k, v.assoc_id, errno);
  return 0;
}

/* io_k_copy_port gives dst the port of src (network order, either family):
 * Linux looks addresses up with their port. */
static void io_k_copy_port(struct sockaddr_storage *dst,
                           const struct sockaddr_storage *src) {
  uint16_t port = src->ss_family == AF_INET6
                      ? ((const struct sockaddr_in6 *)src)->sin6_port
                      : ((const struct sockaddr_in *)src)->sin_port;
  if (dst->ss_family == AF_INET6)
    ((struct sockaddr_in6 *)dst)->sin6_port = port;
  else
    ((struct sockaddr_in *)dst)->sin_port = port;
}

/* ---- Dynamic address reconfiguration (RFC 5061; RFC 6458 8.1.23, 8.3.3) */

static int io_k_asconf_setopt(io_ksock *k, int opt, const void *val,
                              size_t len) {
  if (opt == CSCTP_OPT_ASCONF_SUPPORTED)
    return io_k_set_av(k, SCTP_ASCONF_SUPPORTED, val, len);
  if (opt == CSCTP_OPT_AUTO_ASCONF) {
    int v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    v = v != 0;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_AUTO_ASCONF, &v, sizeof v) < 0)
      return io_k_errno(errno);
    return 0;
  }
  csctp_setpeerprim v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  /* Linux looks our address up with its port: use the bound one (the API
   * ignores the port given). */
  struct sockaddr_storage self;
  socklen_t sl = sizeof self;
  if (getsockname(k->fd, (struct sockaddr *)&self, &sl) == 0) {
    io_k_copy_port(&v.addr, &self);
  }
  struct sctp_setpeerprim p;
  memset(&p, 0, sizeof p);
  sctp_assoc_t id = io_k_sid(k, v.assoc_id);
  memcpy((uint8_t *)&p + offsetof(struct sctp_setpeerprim, sspp_assoc_id), &id,
         sizeof id);
  memcpy((uint8_t *)&p + offsetof(struct sctp_setpeerprim, sspp_addr), &v.addr,
         sizeof v.addr);
  if (setsockopt(k->fd, SOL_SCTP, SCTP_SET_PEER_PRIMARY_ADDR, &p, sizeof p) < 0)
    return io_k_opt_err(k, v.assoc_id, errno);
  return 0;
}

static int io_k_asconf_getopt(io_ksock *k, int opt, void *val, size_t *len) {
  if (opt == CSCTP_OPT_SET_PEER_PRIMARY_ADDR)
    return -EOPNOTSUPP;
  if (opt == CSCTP_OPT_AUTO_ASCONF)
    return io_k_get_int(k, SOL_SCTP, SCTP_AUTO_ASCONF, val, len);
  uint32_t on;
  int r = io_k_get_av(k, SCTP_ASCONF_SUPPORTED, val, *len, &on);
  return r != 0 ? r : io_k_put_av(val, len, on != 0);
}

/* ---- Interleaving and stream schedulers (RFC 8260 4.3; Linux 5.0+) ----
 *
 * Linux 6.1 has the FCFS, PRIO and RR schedulers (FC and WFQ came in 6.4:
 * older kernels refuse them with EINVAL); RR per packet has no Linux
 * counterpart (CSCTP_ERR_NOT_SUPPORTED). Linux turns interleaving on only
 * with net.sctp.intl_enable = 1 and a fragment interleave level set
 * (SCTP_FRAGMENT_INTERLEAVE): enabling sets level 2 first, as RFC 8260
 * 4.3.1 advises; at that level Linux may hand out parts of messages of
 * different streams interleaved (read the stream and EOR of each read). */
#ifndef SCTP_STREAM_SCHEDULER
#define SCTP_STREAM_SCHEDULER 123
#define SCTP_STREAM_SCHEDULER_VALUE 124
struct sctp_stream_value {
  sctp_assoc_t assoc_id;
  uint16_t stream_id;
  uint16_t stream_value;
};
#endif
#ifndef SCTP_INTERLEAVING_SUPPORTED
#define SCTP_INTERLEAVING_SUPPORTED 125
#endif

static int io_k_ss_to_linux(uint32_t ss) {
  static const int map[] = {
      [CSCTP_SS_FCFS] = 0, [CSCTP_SS_RR] = 2, [CSCTP_SS_RR_PKT] = -1,
      [CSCTP_SS_PRIO] = 1, [CSCTP_SS_FB] = 3, [CSCTP_SS_WFQ] = 4};
  return ss <= CSCTP_SS_WFQ ? map[ss] : -2;
}

static uint32_t io_k_ss_from_linux(uint32_t v) {
  static const uint32_t map[] = {CSCTP_SS_FCFS, CSCTP_SS_PRIO, CSCTP_SS_RR,
                                 CSCTP_SS_FB, CSCTP_SS_WFQ};
  return v < 5 ? map[v] : CSCTP_SS_FCFS;
}

/* RFC 6458 8.1.20 on Linux: SCTP_FRAGMENT_INTERLEAVE keeps 0 or 1 (any
 * non-zero value is 1, and 0 also turns interleaving off for new
 * associations). At 1 Linux interleaves other associations' messages with
 * a partial one (level 1) and, on an I-DATA association, other streams'
 * (level 2: its per-stream partial delivery); our level 1 and 2 both map
 * onto it. The level set is remembered so that it reads back as set. */
static int io_k_set_level(io_ksock *k, int level) {
  if (level < 0 || level > 2)
    return CSCTP_ERR_INVAL;
  if (setsockopt(k->fd, SOL_SCTP, SCTP_FRAGMENT_INTERLEAVE, &level,
                 sizeof level) < 0)
    return io_k_errno(errno);
  k->frag_level = level;
  return 0;
}

static int io_k_get_level(io_ksock *k, void *val, size_t *len) {
  int r = io_k_get_int(k, SOL_SCTP, SCTP_FRAGMENT_INTERLEAVE, val, len);
  int v;
  memcpy(&v, val, sizeof v);
  if (r == 0 && v != 0 && k->frag_level > 0)
    memcpy(val, &k->frag_level, sizeof k->frag_level);
  return r;
}

static int io_k_ilv_setopt(io_ksock *k, int opt, const void *val, size_t len) {
  if (opt == CSCTP_OPT_FRAGMENT_INTERLEAVE) {
    int level;
    if (len != sizeof level)
      return CSCTP_ERR_INVAL;
    memcpy(&level, val, sizeof level);
    return io_k_set_level(k, level);
  }
  if (opt == CSCTP_OPT_STREAM_SCHEDULER_VALUE) {
    csctp_stream_value v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    struct sctp_stream_value kv;
    memset(&kv, 0, sizeof kv);
    kv.assoc_id = io_k_sid(k, v.assoc_id);
    kv.stream_id = v.stream_id;
    kv.stream_value = v.stream_value;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_STREAM_SCHEDULER_VALUE, &kv,
                   sizeof kv) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  csctp_assoc_value v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  if (opt == CSCTP_OPT_STREAM_SCHEDULER) {
    int ls = io_k_ss_to_linux(v.value);
    if (ls < 0)
      return ls == -1 ? CSCTP_ERR_NOT_SUPPORTED : CSCTP_ERR_INVAL;
    v.value = (uint32_t)ls;
    return io_k_set_av(k, SCTP_STREAM_SCHEDULER, &v, sizeof v);
  }
  int r;
  if (v.value && k->frag_level == 0 && (r = io_k_set_level(k, 2)) != 0)
    return r; /* RFC 8260 4.3.1; Linux requires a level */
  return io_k_set_av(k, SCTP_INTERLEAVING_SUPPORTED, &v, sizeof v);
}

static int io_k_ilv_getopt(io_ksock *k, int opt, void *val, size_t *len) {
  int r;
  if (opt == CSCTP_OPT_FRAGMENT_INTERLEAVE)
    return io_k_get_level(k, val, len);
  if (opt == CSCTP_OPT_STREAM_SCHEDULER_VALUE) {
    csctp_stream_value v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    struct sctp_stream_value kv;
    memset(&kv, 0, sizeof kv);
    kv.assoc_id = io_k_sid(k, v.assoc_id);
    kv.stream_id = v.stream_id;
    socklen_t l = sizeof kv;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_STREAM_SCHEDULER_VALUE, &kv,
                         &l)) != 0)
      return r;
    v.stream_value = kv.stream_value;
    *len = sizeof v;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  int name = opt == CSCTP_OPT_STREAM_SCHEDULER ? SCTP_STREAM_SCHEDULER
                                               : SCTP_INTERLEAVING_SUPPORTED;
  uint32_t lv;
  if ((r = io_k_get_av(k, name, val, *len, &lv)) != 0)
    return r;
  return io_k_put_av(val, len,
                     opt == CSCTP_OPT_STREAM_SCHEDULER ? io_k_ss_from_linux(lv)
                                                       : lv != 0);
}

/* struct csctp_reset_streams and struct csctp_add_streams have Linux's
 * layouts (sctp_reset_streams, sctp_add_streams): only the id is mapped. */
static int io_k_reconf_setopt(io_ksock *k, int opt, const void *val,
                              size_t len) {
  switch (opt) {
  case CSCTP_OPT_ENABLE_STREAM_RESET:
    return io_k_set_av(k, SCTP_ENABLE_STREAM_RESET, val, len);
  case CSCTP_OPT_RECONFIG_SUPPORTED:
    return io_k_set_av(k, SCTP_RECONFIG_SUPPORTED, val, len);
  case CSCTP_OPT_RESET_STREAMS: {
    struct csctp_reset_streams v;
    if (len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (len != sizeof v + 2u * v.srs_number_streams)
      return CSCTP_ERR_INVAL;
    struct sctp_reset_streams *r = malloc(len);
    if (!r)
      return CSCTP_ERR_NOMEM;
    memcpy(r, val, len);
    r->srs_assoc_id = io_k_sid(k, v.srs_assoc_id);
    int rv =
        setsockopt(k->fd, SOL_SCTP, SCTP_RESET_STREAMS, r, (socklen_t)len) < 0
            ? io_k_opt_err(k, v.srs_assoc_id, errno)
            : 0;
    free(r);
    return rv;
  }
  case CSCTP_OPT_ADD_STREAMS: {
    struct csctp_add_streams v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    struct sctp_add_streams a;
    memset(&a, 0, sizeof a);
    a.sas_assoc_id = io_k_sid(k, v.sas_assoc_id);
    a.sas_instrms = v.sas_instrms;
    a.sas_outstrms = v.sas_outstrms;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_ADD_STREAMS, &a, sizeof a) < 0)
      return io_k_opt_err(k, v.sas_assoc_id, errno);
    return 0;
  }
  default: { /* CSCTP_OPT_RESET_ASSOC */
    csctp_assoc_id id;
    if (len != sizeof id)
      return CSCTP_ERR_INVAL;
    memcpy(&id, val, sizeof id);
    sctp_assoc_t kid = io_k_sid(k, id);
    if (setsockopt(k->fd, SOL_SCTP, SCTP_RESET_ASSOC, &kid, sizeof kid) < 0)
      return io_k_opt_err(k, id, errno);
    return 0;
  }
  }
}

int io_ksock_subscribe(io_ksock *k, uint32_t type, int on) {
  if (!k || type == 0 || type > CSCTP_EV_PARTIAL_DELIVERY)
    return CSCTP_ERR_INVAL;
  uint16_t kt = 0;
  switch (type) {
  case CSCTP_EV_SHUTDOWN_RECEIVED:
    kt = SCTP_SHUTDOWN_EVENT;
    break;
  case CSCTP_EV_SEND_FAILED:
    kt = SCTP_SEND_FAILED_EVENT;
    break;
  case CSCTP_EV_PEER_ADDR_CHANGE:
    kt = SCTP_PEER_ADDR_CHANGE;
    break;
  case CSCTP_EV_REMOTE_ERROR:
    kt = SCTP_REMOTE_ERROR;
    break;
  case CSCTP_EV_SENDER_DRY:
    kt = SCTP_SENDER_DRY_EVENT;
    break;
  case CSCTP_EV_AUTHENTICATION:
    kt = SCTP_AUTHENTICATION_EVENT;
    break;
  case CSCTP_EV_STREAM_RESET: /* RFC 6525 6.1 */
    kt = SCTP_STREAM_RESET_EVENT;
    break;
  case CSCTP_EV_ASSOC_RESET:
    kt = SCTP_ASSOC_RESET_EVENT;
    break;
  case CSCTP_EV_STREAM_CHANGE:
    kt = SCTP_STREAM_CHANGE_EVENT;
    break;
  case CSCTP_EV_PARTIAL_DELIVERY:
    kt = SCTP_PARTIAL_DELIVERY_EVENT;
    break;
  default: /* association changes: always subscribed in the kernel */
    break;
  }
  if (kt) {
    int r = io_k_event(k, kt, on);
    if (r != 0)
      return r;
  }
  if (on)
    k->subs |= 1u << type;
  else
    k->subs &= ~(1u << type);
  return 0;
}

/* ---- Shutdown, close, errors, readiness ------------------------------------
 */

int io_ksock_shutdown(io_ksock *k, int how) {
  if (!k || (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR))
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_STREAM) {
    if (k->listening || (!k->connecting && !k->connected && !k->accepted))
      return -ENOTCONN;
  } else if (!k->bound) {
    return -ENOTCONN;
  }
  if (how == SHUT_RD || how == SHUT_RDWR)
    k->shut_rd = 1;
  if (how == SHUT_WR || how == SHUT_RDWR) {
    k->shut_wr = 1;
    if (k->type == CSCTP_SOCK_STREAM) {
      if (!k->ended && shutdown(k->fd, SHUT_WR) < 0 && errno != ENOTCONN)
        return io_k_errno(errno);
    } else {
      /* shutdown(2) does nothing on a one-to-many socket: SCTP_EOF to every
       * association (RFC 6458 SCTP_SENDALL). */
      csctp_sndinfo si;
      memset(&si, 0, sizeof si);
      csctp_ssize r =
          io_k_sendmsg(k, NULL, 0, NULL, &si, SCTP_EOF | IO_K_SENDALL);
      if (r < 0 && r != -EPIPE)
        return io_k_errno((int)-r);
    }
  }
  return 0;
}

int io_ksock_close(io_ksock *k) {
  if (!k)
    return 0;
  if (k->abort_on_close || (k->linger.onoff && k->linger.linger == 0)) {
    struct linger l = {1, 0};
    (void)setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  close(k->fd);
  io_k_release(k);
  return 0;
}

int io_ksock_error(io_ksock *k) {
  if (!k)
    return CSCTP_ERR_INVAL;
  io_k_connect_check(k);
  int e = k->err;
  k->err = 0;
  if (e)
    return e;
  if (k->type == CSCTP_SOCK_STREAM) {
    int so = io_k_so_error(k->fd);
    if (so) {
      int code = io_k_end_errno(so);
      if (k->connected || k->accepted)
        io_k_ended(k, code);
      k->err = 0;
      return code;
    }
  }
  return 0;
}

int io_ksock_fd(const io_ksock *k) { return k ? k->fd : -1; }

int io_ksock_poll(const io_ksock *k) {
  if (!k)
    return 0;
  struct pollfd p = {k->fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  int m = 0;
  if (poll(&p, 1, 0) > 0) {
    if (p.revents & POLLIN)
      m |= CSCTP_POLLIN;
    if (p.revents & POLLOUT)
      m |= CSCTP_POLLOUT;
    if (p.revents & POLLERR)
      m |= CSCTP_POLLERR;
    if (p.revents & POLLHUP)
      m |= CSCTP_POLLIN | CSCTP_POLLOUT | CSCTP_POLLHUP;
    if ((p.revents & POLLRDHUP) && k->type == CSCTP_SOCK_STREAM &&
        !k->listening)
      m |= CSCTP_POLLIN | CSCTP_POLLOUT | CSCTP_POLLHUP;
  }
  if (k->err)
    m |= CSCTP_POLLERR;
  if (k->nlen)
    m |= CSCTP_POLLIN;
  if (k->type == CSCTP_SOCK_STREAM && (k->ended || k->shut_wr))
    m |= CSCTP_POLLOUT | CSCTP_POLLHUP | (k->ended ? CSCTP_POLLIN : 0);
  return m;
}

/* ---- Options ---------------------------------------------------------------
 */

/* Path parameters: struct sctp_paddrparams grew spp_ipv6_flowlabel and
 * spp_dscp in Linux 4.19; older kernels want the shorter struct. */
static socklen_t io_k_pp_oldlen(void) {
  size_t o = offsetof(struct sctp_paddrparams, spp_ipv6_flowlabel);
  return (socklen_t)((o + 3) & ~(size_t)3);
}

static void io_k_pp_in(io_ksock *k, const io_kpaddrparams *p,
                       struct sctp_paddrparams *kp) {
  memset(kp, 0, sizeof *kp);
  sctp_assoc_t id = io_k_sid(k, p->assoc_id);
  memcpy((uint8_t *)kp + offsetof(struct sctp_paddrparams, spp_assoc_id), &id,
         sizeof id);
  memcpy((uint8_t *)kp + offsetof(struct sctp_paddrparams, spp_address),
         &p->addr, sizeof p->addr);
}

int io_ksock_get_paddrparams(io_ksock *k, io_kpaddrparams *p) {
  if (!k || !p)
    return CSCTP_ERR_INVAL;
  struct sctp_paddrparams kp;
  io_k_pp_in(k, p, &kp);
  socklen_t l = sizeof kp;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &kp, &l) < 0) {
    if (errno != EINVAL)
      return io_k_opt_err(k, p->assoc_id, errno);
    l = io_k_pp_oldlen();
    if (getsockopt(k->fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &kp, &l) < 0)
      return io_k_opt_err(k, p->assoc_id, errno);
  }
  if (l < io_k_pp_oldlen())
    return CSCTP_ERR_PROTO;
  uint32_t hb, mtu, sd, fl;
  uint16_t pmr;
  const uint8_t *b = (const uint8_t *)&kp;
  memcpy(&hb, b + offsetof(struct sctp_paddrparams, spp_hbinterval), 4);
  memcpy(&pmr, b + offsetof(struct sctp_paddrparams, spp_pathmaxrxt), 2);
  memcpy(&mtu, b + offsetof(struct sctp_paddrparams, spp_pathmtu), 4);
  memcpy(&sd, b + offsetof(struct sctp_paddrparams, spp_sackdelay), 4);
  memcpy(&fl, b + offsetof(struct sctp_paddrparams, spp_flags), 4);
  p->hb_interval = hb;
  p->hb_enabled = (fl & SPP_HB_ENABLE) ? 1 : 0;
  p->path_max_retrans = pmr;
  p->path_mtu = mtu;
  p->sack_delay = sd;
  return 0;
}

int io_ksock_set_paddrparams(io_ksock *k, const io_kpaddrparams *p) {
  if (!k || !p)
    return CSCTP_ERR_INVAL;
  struct sctp_paddrparams kp;
  io_k_pp_in(k, p, &kp);
  uint32_t fl = 0, hb = p->hb_interval;
  uint16_t pmr = p->path_max_retrans;
  if (p->hb_enabled == 1)
    fl |= SPP_HB_ENABLE;
  else if (p->hb_enabled == 2)
    fl |= SPP_HB_DISABLE;
  uint8_t *b = (uint8_t *)&kp;
  memcpy(b + offsetof(struct sctp_paddrparams, spp_hbinterval), &hb, 4);
  memcpy(b + offsetof(struct sctp_paddrparams, spp_pathmaxrxt), &pmr, 2);
  memcpy(b + offsetof(struct sctp_paddrparams, spp_flags), &fl, 4);
  if (setsockopt(k->fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &kp, sizeof kp) < 0) {
    if (errno != EINVAL)
      return io_k_opt_err(k, p->assoc_id, errno);
    if (setsockopt(k->fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &kp,
                   io_k_pp_oldlen()) < 0)
      return io_k_opt_err(k, p->assoc_id, errno);
  }
  return 0;
}

#define IO_K_NEED(T)                                                           \
  do {                                                                         \
    if (len != sizeof(T))                                                      \
      return CSCTP_ERR_INVAL;                                                  \
  } while (0)

static int io_k_auth_setopt(io_ksock *k, int opt, const void *val, size_t len);
static int io_k_auth_getopt(io_ksock *k, int opt, void *val, size_t *len);

int io_ksock_setsockopt(io_ksock *k, int opt, const void *val, size_t len) {
  if (!k || (!val && len))
    return CSCTP_ERR_INVAL;
  switch (opt) {
  case CSCTP_OPT_INITMSG: {
    IO_K_NEED(csctp_initmsg);
    csctp_initmsg v;
    memcpy(&v, val, sizeof v);
    struct sctp_initmsg im;
    memset(&im, 0, sizeof im);
    socklen_t l = sizeof im;
    if (getsockopt(k->fd, SOL_SCTP, SCTP_INITMSG, &im, &l) < 0)
      return io_k_errno(errno);
    if (v.num_ostreams)
      im.sinit_num_ostreams = v.num_ostreams;
    if (v.max_instreams)
      im.sinit_max_instreams = v.max_instreams;
    if (v.max_attempts)
      im.sinit_max_attempts = v.max_attempts;
    if (v.max_init_timeout)
      im.sinit_max_init_timeo = io_k_u16(v.max_init_timeout);
    return io_k_setopt(k->fd, SCTP_INITMSG, &im, sizeof im);
  }
  case CSCTP_OPT_RTOINFO: {
    IO_K_NEED(csctp_rtoinfo);
    csctp_rtoinfo v;
    memcpy(&v, val, sizeof v);
    struct sctp_rtoinfo r;
    memset(&r, 0, sizeof r);
    r.srto_assoc_id = io_k_sid(k, v.assoc_id);
    r.srto_initial = v.initial;
    r.srto_max = v.max;
    r.srto_min = v.min;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_RTOINFO, &r, sizeof r) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_ASSOCINFO: {
    IO_K_NEED(csctp_assocparams);
    csctp_assocparams v;
    memcpy(&v, val, sizeof v);
    struct sctp_assocparams a;
    memset(&a, 0, sizeof a);
    a.sasoc_assoc_id = io_k_sid(k, v.assoc_id);
    a.sasoc_asocmaxrxt = v.max_retrans;
    a.sasoc_cookie_life = v.cookie_life;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_ASSOCINFO, &a, sizeof a) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_NODELAY:
  case CSCTP_OPT_RCVBUF:
  case CSCTP_OPT_SNDBUF: {
    IO_K_NEED(int);
    int v;
    memcpy(&v, val, sizeof v);
    if (v < 0)
      return CSCTP_ERR_INVAL;
    if (opt == CSCTP_OPT_NODELAY)
      return io_k_int_opt(k->fd, SCTP_NODELAY, v);
    return io_k_bufsize(k->fd, opt == CSCTP_OPT_RCVBUF, v);
  }
  case CSCTP_OPT_DELAYED_SACK: {
    IO_K_NEED(csctp_sack_info);
    csctp_sack_info v;
    memcpy(&v, val, sizeof v);
    struct sctp_sack_info s;
    memset(&s, 0, sizeof s);
    s.sack_assoc_id = io_k_sid(k, v.assoc_id);
    s.sack_delay = v.delay;
    s.sack_freq = v.freq;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_DELAYED_SACK, &s, sizeof s) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_DEFAULT_SNDINFO:
    IO_K_NEED(csctp_sndinfo);
    memcpy(&k->def_snd, val, sizeof k->def_snd);
    return 0;
  case CSCTP_OPT_EVENT: {
    IO_K_NEED(csctp_event_subscribe);
    csctp_event_subscribe v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL;
    return io_ksock_subscribe(k, v.type, v.on);
  }
  case CSCTP_OPT_PRIMARY_ADDR: {
    IO_K_NEED(csctp_prim);
    csctp_prim v;
    memcpy(&v, val, sizeof v);
    if (v.addr.ss_family != AF_INET && v.addr.ss_family != AF_INET6)
      return CSCTP_ERR_INVAL;
    /* The kernel looks the path up by address and port: use the peer's
     * port (the API ignores the one given). */
    struct sockaddr_storage pa[1];
    int np = io_ksock_getpaddrs(k, v.assoc_id, pa, 1);
    if (np < 0)
      return np;
    if (np == 0)
      return -ENOTCONN;
    io_k_copy_port(&v.addr, pa);
    struct sctp_prim p;
    memset(&p, 0, sizeof p);
    sctp_assoc_t id = io_k_sid(k, v.assoc_id);
    memcpy((uint8_t *)&p + offsetof(struct sctp_prim, ssp_assoc_id), &id,
           sizeof id);
    memcpy((uint8_t *)&p + offsetof(struct sctp_prim, ssp_addr), &v.addr,
           sizeof v.addr);
    if (setsockopt(k->fd, SOL_SCTP, SCTP_PRIMARY_ADDR, &p, sizeof p) < 0)
      return errno == EINVAL ? CSCTP_ERR_ADDR
                             : io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_MAXSEG: {
    IO_K_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    if (v.value == 0)
      return 0;
    struct sctp_assoc_value a;
    memset(&a, 0, sizeof a);
    a.assoc_id = io_k_sid(k, v.assoc_id);
    a.assoc_value = v.value;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_MAXSEG, &a, sizeof a) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_LINGER:
    IO_K_NEED(csctp_linger);
    memcpy(&k->linger, val, sizeof k->linger);
    if (k->linger.linger < 0)
      k->linger.linger = 0;
    return 0;
  case CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT: {
    IO_K_NEED(csctp_udpencaps);
    csctp_udpencaps v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL;
    struct io_k_udpencaps e;
    memset(&e, 0, sizeof e);
    e.assoc_id = 0;
    e.port = htons(v.port);
    if (setsockopt(k->fd, SOL_SCTP, IO_K_ENCAPS_PORT, &e, sizeof e) < 0)
      return io_k_errno(errno); /* -ENOPROTOOPT before Linux 5.11 */
    return 0;
  }
  case CSCTP_OPT_HEARTBEAT: {
    IO_K_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    io_kpaddrparams pp; /* RFC 6458 8.1.12, every path */
    memset(&pp, 0, sizeof pp);
    pp.assoc_id = v.assoc_id;
    pp.hb_interval = v.value;
    pp.hb_enabled = v.value ? 1 : 2;
    return io_ksock_set_paddrparams(k, &pp);
  }
  case CSCTP_OPT_PR_SUPPORTED: {
    IO_K_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    struct sctp_assoc_value kv;
    memset(&kv, 0, sizeof kv);
    kv.assoc_id = io_k_sid(k, v.assoc_id);
    kv.assoc_value = v.value != 0;
    if (setsockopt(k->fd, SOL_SCTP, SCTP_PR_SUPPORTED, &kv, sizeof kv) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    return 0;
  }
  case CSCTP_OPT_DEFAULT_PRINFO: {
    /* Kept here and sent as SCTP_PRINFO with each message. */
    IO_K_NEED(csctp_default_prinfo);
    csctp_default_prinfo v;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0 || v.pr_policy > CSCTP_PR_SCTP_MAX)
      return CSCTP_ERR_INVAL;
    k->def_snd.pr_policy = v.pr_policy;
    k->def_snd.pr_value = v.pr_value;
    return 0;
  }
  case CSCTP_OPT_STATUS:
  case CSCTP_OPT_PEER_ADDR_INFO:
  case CSCTP_OPT_PR_ASSOC_STATUS:
  case CSCTP_OPT_PR_STREAM_STATUS:
    return -EOPNOTSUPP;
  case CSCTP_OPT_ENABLE_STREAM_RESET:
  case CSCTP_OPT_RESET_STREAMS:
  case CSCTP_OPT_RESET_ASSOC:
  case CSCTP_OPT_ADD_STREAMS:
  case CSCTP_OPT_RECONFIG_SUPPORTED:
    return io_k_reconf_setopt(k, opt, val, len);
  case CSCTP_OPT_INTERLEAVING_SUPPORTED:
  case CSCTP_OPT_STREAM_SCHEDULER:
  case CSCTP_OPT_STREAM_SCHEDULER_VALUE:
  case CSCTP_OPT_FRAGMENT_INTERLEAVE:
    return io_k_ilv_setopt(k, opt, val, len);
  case CSCTP_OPT_ASCONF_SUPPORTED:
  case CSCTP_OPT_AUTO_ASCONF:
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return io_k_asconf_setopt(k, opt, val, len);
  default:
    return io_k_auth_setopt(k, opt, val, len);
  }
}

#define IO_K_ROOM(T)                                                           \
  do {                                                                         \
    if (*len < sizeof(T))                                                      \
      return CSCTP_ERR_INVAL;                                                  \
    *len = sizeof(T);                                                          \
  } while (0)

static uint32_t io_k_kpath_state(int32_t s) {
  switch (s) {
  case SCTP_INACTIVE:
    return CSCTP_PATH_INACTIVE;
  case SCTP_PF:
    return CSCTP_PATH_POTENTIALLY_FAILED;
  case SCTP_UNCONFIRMED:
    return CSCTP_PATH_UNCONFIRMED;
  default:
    return CSCTP_PATH_ACTIVE;
  }
}

/* io_k_paddrinfo reads a packed struct sctp_paddrinfo into *ps. */
static void io_k_paddrinfo(const void *kpi, csctp_path_status *ps) {
  const uint8_t *b = kpi;
  struct sockaddr_storage ss;
  int32_t state;
  uint32_t cwnd, srtt, rto, mtu;
  memcpy(&ss, b + offsetof(struct sctp_paddrinfo, spinfo_address), sizeof ss);
  memcpy(&state, b + offsetof(struct sctp_paddrinfo, spinfo_state), 4);
  memcpy(&cwnd, b + offsetof(struct sctp_paddrinfo, spinfo_cwnd), 4);
  memcpy(&srtt, b + offsetof(struct sctp_paddrinfo, spinfo_srtt), 4);
  memcpy(&rto, b + offsetof(struct sctp_paddrinfo, spinfo_rto), 4);
  memcpy(&mtu, b + offsetof(struct sctp_paddrinfo, spinfo_mtu), 4);
  memset(ps, 0, sizeof *ps);
  io_k_addr(&ps->addr, NULL, &ss);
  ps->state = io_k_kpath_state(state);
  ps->cwnd = cwnd;
  ps->mtu = mtu;
  ps->srtt = (csctp_tstamp)srtt * CSCTP_MILLISECONDS;
  ps->rto = (csctp_tstamp)rto * CSCTP_MILLISECONDS;
}

/* ---- AUTH options (RFC 4895) on Linux's SCTP_AUTH_* ------------------- */

/* Our AUTH option numbers to Linux's; 0 when the kernel headers lack it. */
static int io_k_auth_name(int opt) {
  switch (opt) {
  case CSCTP_OPT_AUTH_CHUNK:
    return SCTP_AUTH_CHUNK;
  case CSCTP_OPT_HMAC_IDENT:
    return SCTP_HMAC_IDENT;
  case CSCTP_OPT_AUTH_KEY:
    return SCTP_AUTH_KEY;
  case CSCTP_OPT_AUTH_ACTIVE_KEY:
    return SCTP_AUTH_ACTIVE_KEY;
  case CSCTP_OPT_AUTH_DELETE_KEY:
    return SCTP_AUTH_DELETE_KEY;
  case CSCTP_OPT_PEER_AUTH_CHUNKS:
    return SCTP_PEER_AUTH_CHUNKS;
  case CSCTP_OPT_LOCAL_AUTH_CHUNKS:
    return SCTP_LOCAL_AUTH_CHUNKS;
#ifdef SCTP_AUTH_DEACTIVATE_KEY
  case CSCTP_OPT_AUTH_DEACTIVATE_KEY:
    return SCTP_AUTH_DEACTIVATE_KEY;
#endif
#ifdef SCTP_AUTH_SUPPORTED
  case CSCTP_OPT_AUTH_SUPPORTED:
    return SCTP_AUTH_SUPPORTED;
#endif
  default:
    return 0;
  }
}

static int io_k_auth_setopt(io_ksock *k, int opt, const void *val, size_t len) {
  int name = io_k_auth_name(opt);
  if (!name)
    return -ENOPROTOOPT;
  uint8_t buf[sizeof(struct sctp_authkey) + CSCTP_AUTH_MAX_KEY_BYTES];
  size_t kl = 0;
  csctp_assoc_id id = 0;
  switch (opt) {
  case CSCTP_OPT_AUTH_CHUNK: {
    IO_K_NEED(csctp_authchunk);
    struct sctp_authchunk c = {((const csctp_authchunk *)val)->chunk};
    return io_k_setopt(k->fd, name, &c, sizeof c);
  }
  case CSCTP_OPT_HMAC_IDENT: {
    IO_K_NEED(csctp_hmacalgo);
    csctp_hmacalgo v;
    memcpy(&v, val, sizeof v);
    if (v.num_idents == 0 || v.num_idents > 4)
      return CSCTP_ERR_INVAL;
    struct sctp_hmacalgo *h = (struct sctp_hmacalgo *)buf;
    h->shmac_num_idents = v.num_idents;
    memcpy(buf + sizeof *h, v.idents, 2 * v.num_idents);
    return io_k_setopt(k->fd, name, buf,
                       (socklen_t)(sizeof *h + 2 * v.num_idents));
  }
  case CSCTP_OPT_AUTH_KEY: {
    csctp_authkey v;
    if (len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (len != sizeof v + v.keylength || v.keylength > CSCTP_AUTH_MAX_KEY_BYTES)
      return CSCTP_ERR_INVAL;
    struct sctp_authkey *ak = (struct sctp_authkey *)buf;
    ak->sca_assoc_id = io_k_sid(k, v.assoc_id);
    ak->sca_keynumber = v.keynumber;
    ak->sca_keylength = v.keylength;
    memcpy(buf + sizeof *ak, (const uint8_t *)val + sizeof v, v.keylength);
    kl = sizeof *ak + v.keylength;
    id = v.assoc_id;
    break;
  }
  case CSCTP_OPT_AUTH_ACTIVE_KEY:
  case CSCTP_OPT_AUTH_DEACTIVATE_KEY:
  case CSCTP_OPT_AUTH_DELETE_KEY: {
    IO_K_NEED(csctp_authkeyid);
    csctp_authkeyid v;
    memcpy(&v, val, sizeof v);
    struct sctp_authkeyid ki;
    memset(&ki, 0, sizeof ki);
    ki.scact_assoc_id = io_k_sid(k, v.assoc_id);
    ki.scact_keynumber = v.keynumber;
    memcpy(buf, &ki, sizeof ki);
    kl = sizeof ki;
    id = v.assoc_id;
    break;
  }
  case CSCTP_OPT_AUTH_SUPPORTED: {
    IO_K_NEED(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    struct sctp_assoc_value av = {0, v.value != 0};
    return io_k_setopt(k->fd, name, &av, sizeof av);
  }
  default:
    return -EOPNOTSUPP; /* the chunk lists are get only */
  }
  if (setsockopt(k->fd, SOL_SCTP, name, buf, (socklen_t)kl) < 0)
    return io_k_opt_err(k, id, errno);
  return 0;
}

static int io_k_auth_getopt(io_ksock *k, int opt, void *val, size_t *len) {
  int name = io_k_auth_name(opt);
  if (!name)
    return -ENOPROTOOPT;
  uint8_t buf[sizeof(struct sctp_authchunks) + 256];
  socklen_t l = sizeof buf;
  memset(buf, 0, sizeof buf);
  switch (opt) {
  case CSCTP_OPT_HMAC_IDENT: {
    IO_K_ROOM(csctp_hmacalgo);
    if (getsockopt(k->fd, SOL_SCTP, name, buf, &l) < 0)
      return io_k_errno(errno);
    csctp_hmacalgo v;
    memset(&v, 0, sizeof v);
    const struct sctp_hmacalgo *h = (const struct sctp_hmacalgo *)buf;
    v.num_idents = h->shmac_num_idents > 4 ? 4 : h->shmac_num_idents;
    memcpy(v.idents, buf + sizeof *h, 2 * v.num_idents);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_AUTH_ACTIVE_KEY: {
    IO_K_ROOM(csctp_authkeyid);
    csctp_authkeyid v;
    memcpy(&v, val, sizeof v);
    struct sctp_authkeyid ki;
    memset(&ki, 0, sizeof ki);
    ki.scact_assoc_id = io_k_sid(k, v.assoc_id);
    l = sizeof ki;
    if (getsockopt(k->fd, SOL_SCTP, name, &ki, &l) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    v.keynumber = ki.scact_keynumber;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PEER_AUTH_CHUNKS:
  case CSCTP_OPT_LOCAL_AUTH_CHUNKS: {
    csctp_authchunks v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    struct sctp_authchunks *ac = (struct sctp_authchunks *)buf;
    ac->gauth_assoc_id = io_k_sid(k, v.assoc_id);
    if (getsockopt(k->fd, SOL_SCTP, name, buf, &l) < 0)
      return io_k_opt_err(k, v.assoc_id, errno);
    size_t room = *len - sizeof v, n = ac->gauth_number_of_chunks;
    v.num_chunks = (uint32_t)n;
    memcpy(val, &v, sizeof v);
    memcpy((uint8_t *)val + sizeof v, buf + sizeof *ac, n < room ? n : room);
    *len = sizeof v + (n < room ? n : room);
    return 0;
  }
  case CSCTP_OPT_AUTH_SUPPORTED: {
    IO_K_ROOM(csctp_assoc_value);
    struct sctp_assoc_value av = {0, 0};
    l = sizeof av;
    if (getsockopt(k->fd, SOL_SCTP, name, &av, &l) < 0)
      return io_k_errno(errno);
    csctp_assoc_value v = {0, av.assoc_value};
    memcpy(val, &v, sizeof v);
    return 0;
  }
  default:
    return -EOPNOTSUPP; /* set only */
  }
}

int io_ksock_getsockopt(io_ksock *k, int opt, void *val, size_t *len) {
  if (!k || !val || !len)
    return CSCTP_ERR_INVAL;
  int r;
  switch (opt) {
  case CSCTP_OPT_INITMSG: {
    IO_K_ROOM(csctp_initmsg);
    struct sctp_initmsg im;
    memset(&im, 0, sizeof im);
    socklen_t l = sizeof im;
    if (getsockopt(k->fd, SOL_SCTP, SCTP_INITMSG, &im, &l) < 0)
      return io_k_errno(errno);
    csctp_initmsg v;
    memset(&v, 0, sizeof v);
    v.num_ostreams = im.sinit_num_ostreams;
    v.max_instreams = im.sinit_max_instreams;
    v.max_attempts = im.sinit_max_attempts;
    v.max_init_timeout = im.sinit_max_init_timeo;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_RTOINFO: {
    IO_K_ROOM(csctp_rtoinfo);
    csctp_rtoinfo v;
    memcpy(&v, val, sizeof v);
    struct sctp_rtoinfo ro;
    memset(&ro, 0, sizeof ro);
    ro.srto_assoc_id = io_k_sid(k, v.assoc_id);
    socklen_t l = sizeof ro;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_RTOINFO, &ro, &l)) != 0)
      return r;
    v.initial = ro.srto_initial;
    v.max = ro.srto_max;
    v.min = ro.srto_min;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_ASSOCINFO: {
    IO_K_ROOM(csctp_assocparams);
    csctp_assocparams v;
    memcpy(&v, val, sizeof v);
    struct sctp_assocparams a;
    memset(&a, 0, sizeof a);
    a.sasoc_assoc_id = io_k_sid(k, v.assoc_id);
    socklen_t l = sizeof a;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_ASSOCINFO, &a, &l)) != 0)
      return r;
    v.max_retrans = a.sasoc_asocmaxrxt;
    v.peer_destinations = a.sasoc_number_peer_destinations;
    v.peer_rwnd = a.sasoc_peer_rwnd;
    v.local_rwnd = a.sasoc_local_rwnd;
    v.cookie_life = a.sasoc_cookie_life;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_NODELAY:
  case CSCTP_OPT_RCVBUF:
  case CSCTP_OPT_SNDBUF: {
    if (opt == CSCTP_OPT_NODELAY)
      return io_k_get_int(k, SOL_SCTP, SCTP_NODELAY, val, len);
    return io_k_get_int(k, SOL_SOCKET,
                        opt == CSCTP_OPT_RCVBUF ? SO_RCVBUF : SO_SNDBUF, val,
                        len);
  }
  case CSCTP_OPT_DELAYED_SACK: {
    IO_K_ROOM(csctp_sack_info);
    csctp_sack_info v;
    memcpy(&v, val, sizeof v);
    struct sctp_sack_info s;
    memset(&s, 0, sizeof s);
    s.sack_assoc_id = io_k_sid(k, v.assoc_id);
    socklen_t l = sizeof s;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_DELAYED_SACK, &s, &l)) != 0)
      return r;
    v.delay = s.sack_delay;
    v.freq = s.sack_freq;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_DEFAULT_SNDINFO:
    IO_K_ROOM(csctp_sndinfo);
    memcpy(val, &k->def_snd, sizeof k->def_snd);
    return 0;
  case CSCTP_OPT_EVENT: {
    IO_K_ROOM(csctp_event_subscribe);
    csctp_event_subscribe v;
    memcpy(&v, val, sizeof v);
    v.on = v.type < 32 && (k->subs & (1u << v.type)) ? 1 : 0;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_STATUS: {
    IO_K_ROOM(csctp_assoc_status);
    csctp_assoc_status v;
    memcpy(&v, val, sizeof v);
    r = io_ksock_status(k, v.assoc_id, &v);
    if (r == 0)
      memcpy(val, &v, sizeof v);
    return r;
  }
  case CSCTP_OPT_PEER_ADDR_INFO: {
    if (*len < sizeof(csctp_paddrinfo))
      return CSCTP_ERR_INVAL;
    csctp_paddrinfo hdr;
    memcpy(&hdr, val, sizeof hdr);
    size_t room = (*len - sizeof hdr) / sizeof(csctp_path_status);
    struct sockaddr_storage pa[64];
    int np = io_ksock_getpaddrs(k, hdr.assoc_id, pa, 64);
    if (np < 0)
      return np;
    if (np > 64)
      np = 64;
    csctp_assoc_status st;
    int have_st = io_ksock_status(k, hdr.assoc_id, &st) == 0;
    size_t w = 0;
    for (int i = 0; i < np && w < room; i++) {
      struct sctp_paddrinfo kpi;
      memset(&kpi, 0, sizeof kpi);
      sctp_assoc_t id = io_k_sid(k, hdr.assoc_id);
      memcpy((uint8_t *)&kpi + offsetof(struct sctp_paddrinfo, spinfo_assoc_id),
             &id, sizeof id);
      memcpy((uint8_t *)&kpi + offsetof(struct sctp_paddrinfo, spinfo_address),
             &pa[i], sizeof pa[i]);
      socklen_t l = sizeof kpi;
      if (getsockopt(k->fd, SOL_SCTP, SCTP_GET_PEER_ADDR_INFO, &kpi, &l) < 0)
        continue;
      csctp_path_status ps;
      io_k_paddrinfo(&kpi, &ps);
      ps.is_primary = have_st && csctp_addr_equal(&ps.addr, &st.primary);
      memcpy((uint8_t *)val + sizeof hdr + w * sizeof ps, &ps, sizeof ps);
      w++;
    }
    hdr.npaths = (uint32_t)np;
    memcpy(val, &hdr, sizeof hdr);
    *len = sizeof hdr + w * sizeof(csctp_path_status);
    return 0;
  }
  case CSCTP_OPT_PRIMARY_ADDR: {
    IO_K_ROOM(csctp_prim);
    csctp_prim v;
    memcpy(&v, val, sizeof v);
    struct sctp_prim p;
    memset(&p, 0, sizeof p);
    sctp_assoc_t id = io_k_sid(k, v.assoc_id);
    memcpy((uint8_t *)&p + offsetof(struct sctp_prim, ssp_assoc_id), &id,
           sizeof id);
    socklen_t l = sizeof p;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_PRIMARY_ADDR, &p, &l)) != 0)
      return r;
    memcpy(&v.addr, (uint8_t *)&p + offsetof(struct sctp_prim, ssp_addr),
           sizeof v.addr);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_MAXSEG: {
    IO_K_ROOM(csctp_assoc_value);
    csctp_assoc_value v;
    memcpy(&v, val, sizeof v);
    struct sctp_assoc_value a;
    memset(&a, 0, sizeof a);
    a.assoc_id = io_k_sid(k, v.assoc_id);
    socklen_t l = sizeof a;
    if ((r = io_k_getopt(k, v.assoc_id, SCTP_MAXSEG, &a, &l)) != 0)
      return r;
    v.value = a.assoc_value;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_LINGER:
    IO_K_ROOM(csctp_linger);
    memcpy(val, &k->linger, sizeof k->linger);
    return 0;
  case CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT: {
    IO_K_ROOM(csctp_udpencaps);
    struct io_k_udpencaps e;
    memset(&e, 0, sizeof e);
    socklen_t l = sizeof e;
    if (getsockopt(k->fd, SOL_SCTP, IO_K_ENCAPS_PORT, &e, &l) < 0)
      return io_k_errno(errno);
    csctp_udpencaps v;
    memset(&v, 0, sizeof v);
    v.port = ntohs(e.port);
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_INTERLEAVING_SUPPORTED:
  case CSCTP_OPT_STREAM_SCHEDULER:
  case CSCTP_OPT_STREAM_SCHEDULER_VALUE:
  case CSCTP_OPT_FRAGMENT_INTERLEAVE:
    return io_k_ilv_getopt(k, opt, val, len);
  case CSCTP_OPT_ASCONF_SUPPORTED:
  case CSCTP_OPT_AUTO_ASCONF:
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return io_k_asconf_getopt(k, opt, val, len);
  case CSCTP_OPT_ENABLE_STREAM_RESET:
  case CSCTP_OPT_RECONFIG_SUPPORTED:
  case CSCTP_OPT_PR_SUPPORTED: {
    IO_K_ROOM(csctp_assoc_value);
    int name = opt == CSCTP_OPT_PR_SUPPORTED         ? SCTP_PR_SUPPORTED
               : opt == CSCTP_OPT_RECONFIG_SUPPORTED ? SCTP_RECONFIG_SUPPORTED
                                                     : SCTP_ENABLE_STREAM_RESET;
    uint32_t lv;
    if ((r = io_k_get_av(k, name, val, *len, &lv)) != 0)
      return r;
    /* ENABLE_STREAM_RESET is a set of flags, the others are booleans */
    return io_k_put_av(val, len,
                       opt == CSCTP_OPT_ENABLE_STREAM_RESET ? lv : lv != 0);
  }
  case CSCTP_OPT_DEFAULT_PRINFO: {
    IO_K_ROOM(csctp_default_prinfo);
    csctp_default_prinfo v;
    memset(&v, 0, sizeof v);
    v.pr_policy = k->def_snd.pr_policy;
    v.pr_value = k->def_snd.pr_value;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  case CSCTP_OPT_PR_ASSOC_STATUS:
  case CSCTP_OPT_PR_STREAM_STATUS: {
    IO_K_ROOM(csctp_prstatus);
    csctp_prstatus v;
    memcpy(&v, val, sizeof v);
    if (v.policy == CSCTP_PR_SCTP_NONE ||
        (v.policy > CSCTP_PR_SCTP_MAX && v.policy != CSCTP_PR_SCTP_ALL))
      return CSCTP_ERR_INVAL;
    struct sctp_prstatus ks;
    memset(&ks, 0, sizeof ks);
    ks.sprstat_assoc_id = io_k_sid(k, v.assoc_id);
    ks.sprstat_sid = v.sid;
    ks.sprstat_policy = io_k_pr_policy(v.policy);
    socklen_t l = sizeof ks;
    int r =
        io_k_getopt(k, v.assoc_id,
                    opt == CSCTP_OPT_PR_ASSOC_STATUS ? SCTP_PR_ASSOC_STATUS
                                                     : SCTP_PR_STREAM_STATUS,
                    &ks, &l);
    if (r != 0)
      return r;
    v.abandoned_unsent = ks.sprstat_abandoned_unsent;
    v.abandoned_sent = ks.sprstat_abandoned_sent;
    memcpy(val, &v, sizeof v);
    return 0;
  }
  default:
    return io_k_auth_getopt(k, opt, val, len);
  }
}

/* ---- Addresses and status
 * ---------------------------------------------------- */

/* io_k_getaddrs runs SCTP_GET_LOCAL_ADDRS / SCTP_GET_PEER_ADDRS. */
static int io_k_getaddrs(const io_ksock *k, int name, csctp_assoc_id id,
                         struct sockaddr_storage *out, size_t max) {
  union {
    struct sctp_getaddrs h;
    uint8_t b[sizeof(struct sctp_getaddrs) + 64 * sizeof(struct sockaddr_in6)];
  } u;
  memset(&u, 0, sizeof u);
  u.h.assoc_id = io_k_sid(k, id);
  socklen_t l = sizeof u;
  if (getsockopt(k->fd, SOL_SCTP, name, &u, &l) < 0) {
    if (errno == EINVAL || errno == ENOTCONN)
      return k->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_NOT_FOUND;
    return io_k_errno(errno);
  }
  /* The kernel sets the length to the bytes of addresses (without the
   * header); addr_num bounds the walk either way. */
  size_t n = u.h.addr_num, off = sizeof(struct sctp_getaddrs);
  size_t end = off + (size_t)l;
  if (end > sizeof u)
    end = sizeof u;
  for (size_t i = 0; i < n; i++) {
    if (off + sizeof(struct sockaddr) > end)
      return (int)i;
    sa_family_t fam;
    memcpy(&fam, u.b + off + offsetof(struct sockaddr, sa_family), sizeof fam);
    size_t sl = fam == AF_INET6 ? sizeof(struct sockaddr_in6)
                                : sizeof(struct sockaddr_in);
    if (off + sl > end)
      return (int)i;
    if (i < max) {
      memset(&out[i], 0, sizeof out[i]);
      memcpy(&out[i], u.b + off, sl);
    }
    off += sl;
  }
  return (int)n;
}

int io_ksock_getladdrs(const io_ksock *k, struct sockaddr_storage *out,
                       size_t max) {
  if (!k || (max && !out))
    return CSCTP_ERR_INVAL;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t l = sizeof ss;
  if (getsockname(k->fd, (struct sockaddr *)&ss, &l) < 0)
    return io_k_errno(errno);
  uint16_t port = ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port;
  if (port == 0)
    return CSCTP_ERR_STATE; /* not bound */
  csctp_addr a;
  io_k_addr(&a, NULL, &ss);
  static const uint8_t zero[16];
  int wildcard = a.family == CSCTP_AF_INET ? !memcmp(a.ip, zero, 4)
                                           : !memcmp(a.ip, zero, 16);
  if (wildcard) {
    /* The wildcard stands for every address, as in the userland stack (the
     * kernel would list every local address). */
    if (max)
      out[0] = ss;
    return 1;
  }
  return io_k_getaddrs(k, SCTP_GET_LOCAL_ADDRS, 0, out, max);
}

int io_ksock_getpaddrs(const io_ksock *k, csctp_assoc_id assoc_id,
                       struct sockaddr_storage *out, size_t max) {
  if (!k || (max && !out))
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_STREAM && !k->connected && !k->accepted &&
      !k->connecting)
    return -ENOTCONN;
  if (k->type == CSCTP_SOCK_SEQPACKET && assoc_id == 0)
    return CSCTP_ERR_NOT_FOUND;
  return io_k_getaddrs(k, SCTP_GET_PEER_ADDRS, assoc_id, out, max);
}

csctp_assoc_id io_ksock_assoc_id(const io_ksock *k) {
  if (!k || k->type != CSCTP_SOCK_STREAM)
    return 0;
  if (k->assoc_id)
    return k->assoc_id;
  struct sctp_status ss;
  memset(&ss, 0, sizeof ss);
  socklen_t l = sizeof ss;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_STATUS, &ss, &l) == 0)
    return (csctp_assoc_id)ss.sstat_assoc_id;
  return 0;
}

int io_ksock_status(const io_ksock *k, csctp_assoc_id assoc_id,
                    csctp_assoc_status *st) {
  if (!k || !st)
    return CSCTP_ERR_INVAL;
  if (k->type == CSCTP_SOCK_SEQPACKET && assoc_id == 0)
    return CSCTP_ERR_NOT_FOUND;
  if (k->type == CSCTP_SOCK_STREAM && !k->connected && !k->accepted &&
      !k->connecting)
    return -ENOTCONN;
  struct sctp_status ks;
  memset(&ks, 0, sizeof ks);
  ks.sstat_assoc_id = io_k_sid(k, assoc_id);
  socklen_t l = sizeof ks;
  int r = io_k_getopt(k, assoc_id, SCTP_STATUS, &ks, &l);
  if (r == CSCTP_ERR_INVAL)
    r = k->type == CSCTP_SOCK_STREAM ? -ENOTCONN : CSCTP_ERR_NOT_FOUND;
  if (r != 0)
    return r;
  if (l < offsetof(struct sctp_status, sstat_primary))
    return CSCTP_ERR_PROTO;
  memset(st, 0, sizeof *st);
  st->assoc_id = (csctp_assoc_id)ks.sstat_assoc_id;
  st->state = ks.sstat_state > 0 ? (uint32_t)ks.sstat_state - 1 : 0;
  st->inbound_streams = ks.sstat_instrms;
  st->outbound_streams = ks.sstat_outstrms;
  st->peer_rwnd = ks.sstat_rwnd;
  st->unacked = ks.sstat_unackdata;
  st->pending = ks.sstat_penddata;
  st->frag_point = ks.sstat_fragmentation_point;
  csctp_path_status prim;
  io_k_paddrinfo((const uint8_t *)&ks +
                     offsetof(struct sctp_status, sstat_primary),
                 &prim);
  st->primary = prim.addr;
  struct sockaddr_storage pss;
  memcpy(&pss,
         (const uint8_t *)&ks + offsetof(struct sctp_status, sstat_primary) +
             offsetof(struct sctp_paddrinfo, spinfo_address),
         sizeof pss);
  io_k_addr(&prim.addr, &st->peer_port, &pss);
  struct sctp_assocparams ap;
  memset(&ap, 0, sizeof ap);
  ap.sasoc_assoc_id = ks.sstat_assoc_id;
  l = sizeof ap;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_ASSOCINFO, &ap, &l) == 0) {
    st->local_rwnd = ap.sasoc_local_rwnd;
    st->npaths = ap.sasoc_number_peer_destinations;
  }
  struct sctp_assoc_stats as;
  memset(&as, 0, sizeof as);
  as.sas_assoc_id = ks.sstat_assoc_id;
  l = sizeof as;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_GET_ASSOC_STATS, &as, &l) == 0 &&
      l >= offsetof(struct sctp_assoc_stats, sas_ictrlchunks)) {
    st->retransmits = as.sas_rtxchunks;
    st->pkts_out = as.sas_opackets;
    st->pkts_in = as.sas_ipackets;
    st->data_chunks_out = as.sas_oodchunks + as.sas_ouodchunks;
    st->data_chunks_in = as.sas_iodchunks + as.sas_iuodchunks;
    st->dup_tsns_in = as.sas_idupchunks;
  }
  /* PR-SCTP (RFC 7496 4.4, 4.5): negotiated, and messages abandoned. */
  struct sctp_assoc_value pv;
  memset(&pv, 0, sizeof pv);
  pv.assoc_id = ks.sstat_assoc_id;
  l = sizeof pv;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_PR_SUPPORTED, &pv, &l) == 0)
    st->pr_enabled = pv.assoc_value != 0;
  struct sctp_prstatus ps;
  memset(&ps, 0, sizeof ps);
  ps.sprstat_assoc_id = ks.sstat_assoc_id;
  ps.sprstat_policy = io_k_pr_policy(CSCTP_PR_SCTP_ALL);
  l = sizeof ps;
  if (getsockopt(k->fd, SOL_SCTP, SCTP_PR_ASSOC_STATUS, &ps, &l) == 0) {
    st->pr_abandoned_unsent = ps.sprstat_abandoned_unsent;
    st->pr_abandoned_sent = ps.sprstat_abandoned_sent;
  }
  return 0;
}
