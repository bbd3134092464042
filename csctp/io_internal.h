/* io_internal.h -- internal: the structures the I/O layer's files share
 * (io_loop.c: the stack, demultiplexing, timers, event dispatch; io_sock.c:
 * the socket API). Not part of the public API. */
#ifndef CSCTP_IO_INTERNAL_H
#define CSCTP_IO_INTERNAL_H

#include "config.h"

#include "csctp_io.h"
#include "htab.h"
#include "io_kernel.h"
#include "io_transport.h"

#include <stddef.h>
#include <stdint.h>

typedef struct io_ep io_ep;
typedef struct io_assoc io_assoc;
typedef struct io_notif io_notif;

/* The first message of an implicit setup (one-to-many sendv to a new
 * peer), sent once the association is up. */
typedef struct io_first {
  csctp_sndinfo info;
  size_t len;
  uint8_t data[]; /* len bytes */
} io_first;

/* io_assoc states, as the socket layer sees them. */
enum {
  IO_A_CONNECTING = 1, /* INIT sent (our connect) */
  IO_A_PENDING,        /* up, waiting in a listener's accept queue */
  IO_A_UP,             /* established and owned by a socket */
  IO_A_ENDED           /* shut down or lost; end_err says how */
};

/* One association of an endpoint, as tracked by the socket layer. */
struct io_assoc {
  csctp_assoc_id id;
  io_ep *iep;
  csctp_sock *owner; /* NULL: pending accept or orphan (closing) */
  int state;
  int orphan;    /* owner closed it; released when it ends */
  int end_err;   /* 0, CSCTP_ERR_CLOSED (graceful), or why it failed */
  int peer_shut; /* peer sent SHUTDOWN: no more data will come */
  int shut_wr;   /* we started the graceful shutdown */
  uint16_t peer_port;
  csctp_addr peer; /* primary path */
  uint16_t ostreams, istreams;
  csctp_tstamp linger_deadline; /* orphan: abort at this time (0: none) */
  /* Implicit setup (one-to-many sendv to a new peer): the first message,
   * sent once the association is up. */
  io_first *first;     /* NULL: none (allocated with the message) */
  io_assoc *next;      /* in iep->assocs */
  io_assoc *acc_next;  /* in the listener's accept queue */
  io_assoc *orph_next; /* in iep->orphans */
};

/* One bound SCTP port: its engine endpoint. Shared by the socket that bound
 * it and the sockets accepted / peeled off from it; freed when no socket and
 * no orphan association uses it any more. */
struct io_ep {
  csctp_stack *st;
  csctp_endpoint *ep;
  uint16_t port;
  int refs;             /* sockets + orphan associations */
  csctp_sock *listener; /* socket new associations go to (NULL: refuse) */
  csctp_sock *socks;    /* sockets using this endpoint (s->ep_next) */
  io_assoc *assocs;
  csctp_htab by_id; /* assocs by id */
  size_t nassocs;
  io_assoc *orphans; /* associations closing in the background */
  size_t norphans;
  csctp_addr *laddrs; /* bound addresses (wildcard: none) */
  size_t nladdrs;
  int wildcard;
  csctp_tstamp exp; /* next timer, as the stack's heap knows it */
  size_t exp_idx;   /* place in st->eheap */
  io_ep *next;      /* in st->eps */
  io_ep *hnext;     /* in the port hash */
  /* Send coalescing (io_ep_kick_send): messages written since the last
   * step after the first one wait in the engine, bundled, until the next
   * step or until cork_bytes reaches IO_CORK_BYTES; reads (io_ep_kick_recv)
   * also leave their kick to the next step. */
  uint64_t send_gen; /* st->step_gen of the last send that flushed */
  uint64_t recv_gen; /* ... of the last read that kicked */
  size_t cork_bytes; /* bytes of messages waiting */
  int corked;        /* on st->corked: kick at the next step (a reference) */
  io_ep *cork_next;
};

/* A queued notification. */
struct io_notif {
  io_notif *next;
  uint64_t mark; /* due when the socket has read this many data bytes */
  csctp_assoc_id assoc_id;
  size_t off;           /* bytes already returned by a partial recvv */
  size_t len;           /* sizeof(csctp_notification) + n.data_len */
  csctp_notification n; /* followed in memory by data_len bytes */
};

#define IO_NOTIF_MAX 1024

struct csctp_sock {
  csctp_stack *st;
  io_ksock *k; /* kernel transport: every call goes to io_ksock_* */
  int family, type;
  int rfd, wfd;     /* the wake-up fds callers poll (-1: not made yet) */
  int rfd_w, wfd_w; /* their write ends (== rfd / wfd for an eventfd) */
  int r_armed, w_armed;
  size_t want_space;         /* bytes the last -EAGAIN sendv needed */
  csctp_assoc_id want_assoc; /* ... on this association */
  io_ep *iep;                /* NULL until bound */
  int listening, backlog;
  int accepted;      /* made by accept / peeloff */
  io_assoc *assoc;   /* one-to-one: its association */
  int lost_reported; /* one-to-one: end error returned once */
  int end_err;       /* one-to-one: copy of assoc end_err */
  int peer_shut;     /* one-to-one: peer shut down */
  int shut_rd, shut_wr;
  io_assoc *acc_head, *acc_tail; /* accept queue (listening one-to-one) */
  int acc_len;
  int err; /* pending SO_ERROR-like error */
  csctp_settings settings;
  csctp_sndinfo def_snd;
  int explicit_eor; /* CSCTP_OPT_EXPLICIT_EOR */
  uint32_t subs;    /* bit (1 << type) per subscribed event */
  io_notif *nq_head, *nq_tail;
  size_t nq_len;
  uint32_t nq_dropped;
  uint64_t read_total;    /* data bytes read so far */
  csctp_assoc_id partial; /* mid-message data read on this assoc */
  int partial_notif;      /* mid-notification read */
  csctp_linger linger;
  uint32_t frag_interleave; /* CSCTP_OPT_FRAGMENT_INTERLEAVE level, 0..2 */
  uint16_t remote_udp_port; /* 0: stack default */
  struct {                  /* AUTH options given before bind (RFC 4895) */
    uint8_t on, nhmacs, set_hmacs;
    uint8_t chunks[32]; /* bitmap */
    uint16_t hmacs[4];
  } auth;
  uint8_t asconf_on;               /* CSCTP_OPT_ASCONF_SUPPORTED (RFC 5061) */
  uint8_t auto_asconf_off;         /* CSCTP_OPT_AUTO_ASCONF set to 0 */
  void *user;                      /* csctp_sock_set_user */
  int ready_mask;                  /* queued in st's ready list */
  csctp_sock *rdy_next, *rdy_prev; /* in st's ready list */
  csctp_sock *next, *prev;         /* in st->socks */
  csctp_sock *ep_next;             /* in iep->socks */
};

struct csctp_stack {
  csctp_mem mem;
  csctp_stack_config cfg;
  io_transport *tr;
  /* The readiness backend's fds (io_poller_*): the epoll or kqueue fd (-1
   * for poll(2)), the timerfd (epoll only, else -1). */
  int pfd, tfd;
  io_ep *eps;
  io_ep *hash[256];
  size_t neps;
  io_ep **eheap; /* every endpoint, a min-heap by exp */
  size_t neheap, eheap_cap;
  csctp_sock *socks;
  size_t nsocks;
  csctp_tstamp armed;       /* what the timer fd is set to */
  csctp_tstamp linger_next; /* earliest orphan linger deadline */
  io_pkt rx[IO_BATCH], tx[IO_BATCH];
  size_t ntx;  /* packets waiting in tx for the next batched send */
  int pcap_fd; /* CSCTP_PCAP tap (io_pcap.h), -1 when off */
  uint8_t *rxmem, *txmem;
  uint8_t *scratch; /* gather buffer for sendv */
  size_t scratch_len;
  csctp_stack_stats stats;
  csctp_budget budget; /* every endpoint's (cfg.mem_limit) */
  int ready_list;      /* csctp_stack_set_ready_list */
  csctp_sock *rdy_head, *rdy_tail;
  unsigned rdy_count; /* sockets on the list (csctp_stack_ready_count) */
  int in_kick;
  uint64_t step_gen;  /* csctp_stack_step calls so far */
  io_ep *corked;      /* endpoints to kick at the next step */
  int wakefd, wake_w; /* wake-up fd (io_evfd) the poller watches, and its
                         write end: readable when corked */
  int woken;          /* wakefd has been written since the last step */
  /* What the last io_poller_wait saw readable (bit i: tr->fds[i]), when
   * rd_known; the next step receives on those transport fds only. */
  uint32_t rd_mask;
  int rd_known;
  /* One-shot readiness (csctp_stack_set_oneshot): the transport fds are
   * watched one-shot; disarmed has bit i set while tr->fds[i] fired and
   * was not watched again (csctp_stack_prepare_wait); waiting says a
   * caller prepared to wait and has not stepped since; taken says
   * io_poller_wait took the events the next step would harvest. */
  int oneshot, waiting, taken;
  uint32_t disarmed;
  /* Every endpoint's INITs (pacer.h). */
  csctp_init_pacer init_pacer;
};

/* ---- io_loop.c ------------------------------------------------------ */

void *io_alloc(csctp_stack *st, size_t n);
void *io_zalloc(csctp_stack *st, size_t n);
void io_free(csctp_stack *st, void *p);

/* io_ep_get / io_ep_new: the endpoint of port, or a new one (port 0: an
 * unused ephemeral port). io_ep_new returns 0 or an error. */
io_ep *io_ep_find(csctp_stack *st, uint16_t port);
int io_ep_new(csctp_stack *st, uint16_t port, const csctp_settings *set,
              io_ep **out);
/* io_ep_unref drops one reference; frees the endpoint at zero. */
void io_ep_unref(io_ep *iep);

/* io_ep_kick is called after every engine call on iep: sends what the
 * engine wants sent, dispatches its events to the sockets, signals ready
 * sockets and re-arms the stack timer. */
void io_ep_kick(io_ep *iep);
/* io_ep_kick_sock is io_ep_kick after a call on socket `only`: only that
 * socket's readiness is re-checked (events still reach every socket). */
void io_ep_kick_sock(io_ep *iep, csctp_sock *only);
/* io_ep_kick_send is io_ep_kick_sock after socket s queued a message of len
 * bytes (csctp_sendv). With NODELAY a message never waits for the network,
 * but when the application writes several small messages between two steps
 * the ones after the first are bundled (RFC 9260 6.10): they go at the next
 * csctp_stack_step (the stack fd becomes readable at once) or as soon as
 * IO_CORK_BYTES of them wait. */
void io_ep_kick_send(io_ep *iep, csctp_sock *s, size_t len);
/* io_ep_kick_recv is io_ep_kick_sock after socket s read data (csctp_recvv):
 * the first read since the last step kicks at once; after it, the window
 * update reads may allow (RFC 9260 6.2) and the engine's events go at the
 * start of the next step (the stack fd becomes readable at once): once per
 * step rather than once per message read. */
void io_ep_kick_recv(io_ep *iep, csctp_sock *s);

io_assoc *io_assoc_find(io_ep *iep, csctp_assoc_id id);
io_assoc *io_assoc_add(io_ep *iep, csctp_assoc_id id);
/* io_assoc_free unlinks a and frees it (not the engine association). */
void io_assoc_free(io_assoc *a);
/* io_assoc_orphan hands a to the stack (its owner closes): graceful
 * shutdown or abort per linger; released when it ends. */
void io_assoc_orphan(io_assoc *a, const csctp_linger *lg);

void io_timer_update(csctp_stack *st);

int io_lost_err(uint32_t reason);

/* ---- io_poller_*.c: the readiness backend ------------------------------
 * Exactly one of io_poller_epoll_linux.c (epoll + timerfd), io_poller_kqueue.c
 * (kqueue, EVFILT_TIMER) and io_poller_poll.c (plain poll(2)) has a body in a
 * build; io_poller.h picks it. Each returns 0 or a negated errno. */

/* io_poller_open makes the backend's fds (st->pfd, st->tfd). */
int io_poller_open(csctp_stack *st);
/* io_poller_watch adds a transport fd (wait for readable). */
int io_poller_watch(csctp_stack *st, int fd);
/* io_poller_close closes what io_poller_open made. */
void io_poller_close(csctp_stack *st);
/* io_poller_arm sets the one-shot stack timer to the absolute time `due`
 * (csctp_now's clock; a time in the past fires at once). */
int io_poller_arm(csctp_stack *st, csctp_tstamp due);
/* io_poller_fired returns 1 (once) when the armed timer has fired. */
int io_poller_fired(csctp_stack *st);
/* io_poller_wait blocks until a watched fd is readable, the timer fires or
 * timeout_ms passes (-1: no limit). EINTR counts as a return. A backend
 * that learns which transport fds are readable sets st->rd_mask and
 * st->rd_known (the others leave rd_known 0: every fd is tried). */
int io_poller_wait(csctp_stack *st, int timeout_ms);
/* io_poller_oneshot watches the transport fds one-shot (st->oneshot);
 * io_poller_harvest takes the fired ones' events without waiting (they are
 * then disarmed: st->disarmed); io_poller_rearm watches the disarmed ones
 * again. Epoll only: elsewhere io_poller_oneshot returns
 * CSCTP_ERR_NOT_SUPPORTED and the others do nothing. */
int io_poller_oneshot(csctp_stack *st);
void io_poller_harvest(csctp_stack *st);
int io_poller_rearm(csctp_stack *st);
/* io_poller_fds stores the fds a caller waits on for readability (at most
 * n) and returns how many there are. */
int io_poller_fds(const csctp_stack *st, int *fds, int n);
/* io_poller_name: "epoll", "kqueue" or "poll". */
extern const char io_poller_name[];

/* ---- io_evfd.c: the sockets' wake-up fds ------------------------------
 * An eventfd where the platform has one (rd == wr), else a pipe pair (the
 * caller polls rd, raising writes wr). Both non-blocking, close-on-exec. */
int io_evfd_open(int *rd, int *wr);
void io_evfd_raise(int wr);
void io_evfd_drain(int rd);
void io_evfd_close(int rd, int wr);

/* io_fd_setup makes fd non-blocking and close-on-exec (for systems whose
 * socket(2) / pipe(2) lack the flags). Returns 0 or a negated errno. */
int io_fd_setup(int fd);

/* ---- io_sock.c ------------------------------------------------------- */

/* io_sock_signal_read / _write make a side's fd readable if it is armed. */
void io_sock_signal_read(csctp_sock *s);
void io_sock_signal_write(csctp_sock *s);
/* io_sock_update checks an armed socket's readiness and signals it. */
void io_sock_update(csctp_sock *s);
/* io_sock_event queues a notification of ev for s if it subscribed. */
void io_sock_event(csctp_sock *s, const csctp_event *ev);
/* io_sock_free_all frees every socket (stack teardown). */
void io_sock_free_internal(csctp_sock *s);
/* io_sock_accept_ready: an association became ready on listener s. */
void io_sock_enqueue_accept(csctp_sock *s, io_assoc *a);
/* io_sock_assoc_ended: association a owned by s ended. */
void io_sock_assoc_ended(csctp_sock *s, io_assoc *a);

/* ---- io_asconf.c: RFC 5061 over the socket layer ---- */
/* io_asconf_bindx adds (flags CSCTP_BINDX_ADD_ADDR) or removes the n
 * addresses la (SCTP port checked by the caller) of bound socket s, and
 * with SCTP_AUTO_ASCONF asks the peers of s's associations for the same. */
int io_asconf_bindx(csctp_sock *s, const csctp_addr *la, size_t n, int flags);
int io_sock_asconf_setopt(csctp_sock *s, int opt, const void *val, size_t len);
int io_sock_asconf_getopt(csctp_sock *s, int opt, void *val, size_t *len);

#endif
