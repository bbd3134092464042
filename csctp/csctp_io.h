/* csctp_io.h -- the I/O layer and socket-like API of csctp.
 *
 * Around the sans-IO engine of csctp.h this header adds:
 *
 *   - a *stack* (csctp_stack): the transports (UDP encapsulation per RFC
 *     6951, or raw IP protocol 132), one engine endpoint per bound SCTP port,
 *     and an event loop (epoll, kqueue or poll(2)). There are no hidden
 * threads: the caller drives the stack, either by waiting on csctp_stack_fd()
 * and calling csctp_stack_step() (any outer loop, Go's netpoller included), or
 * by calling csctp_stack_run() (blocking, for plain C programs).
 *
 *   - *sockets* (csctp_sock) in the spirit of RFC 6458: one-to-one
 *     (CSCTP_SOCK_STREAM) and one-to-many (CSCTP_SOCK_SEQPACKET) styles,
 *     csctp_bindx / csctp_connectx / csctp_listen / csctp_accept,
 *     csctp_sendv / csctp_recvv with csctp_sndinfo / csctp_rcvinfo,
 *     notifications, options, peeloff, shutdown and close with linger.
 *
 * Threading: a stack and all its sockets form one unit that must be used by
 * one thread at a time (a caller that uses it from several threads holds one
 * lock around every call). No call ever blocks except csctp_stack_run().
 *
 * Errors. Every function that can fail returns a negative value:
 *   - negated errno values, in [-999, -1]:
 *       * a system call failed (socket, bind, sendmsg, epoll_ctl, ...): the
 *         errno it set, e.g. -EPERM, -EADDRINUSE from the kernel;
 *       * and these socket-level conditions, named as POSIX sockets name
 *         them:
 *           -EAGAIN       not ready now; retry after the socket's event fd
 *                         (csctp_sock_fd / csctp_sock_wfd) becomes readable;
 *           -EINPROGRESS  csctp_connectx started an association;
 *           -EALREADY     a connect is already in progress on the socket;
 *           -EISCONN      the one-to-one socket already has an association;
 *           -ENOTCONN     the one-to-one socket has no association (yet);
 *           -EADDRINUSE   csctp_bindx: the SCTP port is already bound;
 *           -EOPNOTSUPP   the call does not apply to this socket style or
 *                         state (accept on one-to-many, peeloff on
 *                         one-to-one, ...);
 *           -ENOPROTOOPT  unknown option;
 *           -EAFNOSUPPORT the address family is not enabled in the stack.
 *   - library codes, in [-1999, -1000]: the CSCTP_ERR_* of csctp.h, e.g.
 *     CSCTP_ERR_INVAL (bad argument), CSCTP_ERR_NOMEM, CSCTP_ERR_MSGSIZE,
 *     CSCTP_ERR_STREAM, CSCTP_ERR_NOT_FOUND (unknown association id), and the
 *     end-of-association codes CSCTP_ERR_CLOSED (graceful shutdown),
 *     CSCTP_ERR_ABORTED (an ABORT was sent or received), CSCTP_ERR_TIMEOUT
 *     (peer unreachable), CSCTP_ERR_REFUSED (peer refused the association).
 * csctp_strerror() names them all.
 *
 * Addresses. Socket calls take and return struct sockaddr_in /
 * struct sockaddr_in6 with sin_port / sin6_port holding the SCTP port in
 * network byte order, as in RFC 6458. An IPv4 address is always given and
 * returned as a sockaddr_in (never IPv4-mapped IPv6). The UDP encapsulation
 * port of a path is not part of a sockaddr; it is in csctp_addr.port (see
 * csctp_rcvinfo.from, csctp_path_status.addr) and in the
 * CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT option.
 *
 * Byte order: every integer in the structs of this header is in host byte
 * order (the PPID included), except the ports inside struct sockaddr_*.
 */
#ifndef CSCTP_IO_H
#define CSCTP_IO_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Stack
 * ====================================================================== */

typedef struct csctp_stack csctp_stack;
typedef struct csctp_sock csctp_sock;

/* Transports (csctp_stack_config.transport). */
#define CSCTP_TRANSPORT_UDP 0 /* SCTP in UDP, RFC 6951 (default, no root) */
#define CSCTP_TRANSPORT_RAW 1 /* raw IP protocol 132 (root, no kernel SCTP) */
/* The operating system's own SCTP (Linux IPPROTO_SCTP sockets): the same
 * socket API, served by the kernel. The stack then has no transport, no
 * engine and no timers (its fd never becomes readable; stepping it is
 * harmless), and the readiness rules differ, see "Readiness" below. */
#define CSCTP_TRANSPORT_KERNEL 2
/* A lower layer the application carries (in the spirit of usrsctp's
 * AF_CONN; SCTP over DTLS, RFC 8261, as WebRTC data channels use it): the
 * stack opens no socket; every SCTP packet it sends is handed to
 * csctp_stack_config.conn_output, and the application passes every packet
 * it receives to csctp_conn_input. Sockets are created with family
 * CSCTP_AF_CONN and take struct csctp_sockaddr_conn addresses; see "Lower
 * layer" below. Timers still run in csctp_stack_step / csctp_stack_run
 * (csctp_stack_fd becomes readable when one is due). */
#define CSCTP_TRANSPORT_CONN 3

/* csctp_kernel_probe returns 0 when the kernel offers SCTP sockets, else
 * the negated errno that socket(2) gave (-EPROTONOSUPPORT: no SCTP in the
 * kernel; -EPERM / -EACCES: a security policy forbids it).
 * csctp_kernel_available is 1 when the probe returns 0, else 0.
 * csctp_kernel_why names the cause of such an error in a static sentence
 * (csctp_strerror for other codes). */
CSCTP_API int csctp_kernel_probe(void);
CSCTP_API int csctp_kernel_available(void);
CSCTP_API const char *csctp_kernel_why(int err);

/* The UDP port registered for SCTP over UDP (RFC 6951 section 6 / IANA
 * "sctp-tunneling"). */
#define CSCTP_UDP_ENCAPS_PORT 9899

/* Address families a stack serves (csctp_stack_config.families). */
#define CSCTP_STACK_IPV4 0x1
#define CSCTP_STACK_IPV6 0x2
/* Served by a CSCTP_TRANSPORT_CONN stack (set by the stack itself; not a
 * value for csctp_stack_config.families). */
#define CSCTP_STACK_CONN 0x4

/* csctp_conn_output_fn is the lower layer's send function
 * (csctp_stack_config.conn_output): it gets one whole SCTP packet (common
 * header first) for the connection `handle` (the sconn_addr of the peer's
 * csctp_sockaddr_conn). pkt is only lent for the call: copy or send it
 * before returning. It must not block and must not call into the stack
 * (queue the packet instead). Return 0, or a negative value for a packet
 * it could not send (counted in send_errors; SCTP treats it as lost). */
typedef int (*csctp_conn_output_fn)(void *user_data, void *handle,
                                    const uint8_t *pkt, size_t len);

typedef struct csctp_stack_config {
  /* CSCTP_TRANSPORT_UDP (default), CSCTP_TRANSPORT_RAW or
   * CSCTP_TRANSPORT_KERNEL. */
  int transport;
  /* CSCTP_STACK_IPV4 | CSCTP_STACK_IPV6 (default both). With both, IPv6
   * is optional: if the host has no IPv6 the stack serves IPv4 only. */
  int families;
  /* UDP transport only: the local UDP encapsulation port the stack binds
   * (default CSCTP_UDP_ENCAPS_PORT; 0 = an ephemeral port chosen by the
   * kernel; csctp_stack_udp_port() tells which). IPv4 and IPv6 use the same
   * port number. */
  uint16_t udp_port;
  /* UDP transport only: the peer's UDP encapsulation port used by
   * csctp_connectx (and implicit association setup) unless the socket sets
   * CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT. Default CSCTP_UDP_ENCAPS_PORT. The
   * engine then follows the UDP source port of the peer's packets (RFC 6951
   * 5.4). */
  uint16_t remote_udp_port;
  /* Kernel socket buffer sizes of the transport sockets (SO_RCVBUF /
   * SO_SNDBUF), bytes; 0 leaves the system default. Default 4 MiB each. */
  int so_rcvbuf, so_sndbuf;
  /* Protocol settings every new socket starts from (copied). Default:
   * csctp_settings_default() with path MTU discovery on (pmtud = 1, RFC
   * 8899; the kernel transport leaves it to the kernel). */
  csctp_settings settings;
  /* Allocator for the stack, its sockets and its endpoints; NULL = the C
   * library's. The pointed-to struct is copied. */
  const csctp_mem *mem;
  /* Random source for the endpoints; NULL = csctp_rand_default. */
  csctp_rand_fn rand;
  void *rand_user_data;
  /* Debug logger for the stack and its endpoints; NULL = none. */
  csctp_log_fn log;
  void *log_user_data;
  /* Memory budget, bytes, for the received data all the stack's
   * associations hold for reading (csctp_budget in csctp.h: windows shrink
   * as it fills, then data is refused); 0 = no limit. Default: an eighth of
   * the machine's memory, at least 64 MiB. csctp_stack_stats_get reports
   * what is used. */
  uint64_t mem_limit;
  /* CSCTP_TRANSPORT_CONN only: the lower layer's send function (required)
   * and its first argument. */
  csctp_conn_output_fn conn_output;
  void *conn_user_data;
  /* CSCTP_TRANSPORT_CONN only: the error detection method the lower layer
   * provides (RFC 9653), CSCTP_EDMID_LOWER_LAYER_DTLS when it is DTLS;
   * default CSCTP_EDMID_NONE. settings.zero_checksum_edmid may be set (to
   * this value) only when it is; csctp_stack_new returns CSCTP_ERR_INVAL
   * otherwise, and always over UDP and raw IP. */
  uint32_t conn_edmid;
} csctp_stack_config;

/* csctp_stack_config_default fills *cfg with the defaults documented in the
 * struct. */
CSCTP_API void csctp_stack_config_default(csctp_stack_config *cfg);

/* csctp_stack_new creates a stack: it opens the transport sockets, the
 * readiness backend's fds (epoll + timerfd, or kqueue) (all non-blocking,
 * close-on-exec). cfg NULL means all defaults. On success stores the stack in
 * *out and returns 0; the caller owns it and frees it with csctp_stack_del.
 * Errors: CSCTP_ERR_INVAL, CSCTP_ERR_NOMEM, negated errno from the kernel
 * (-EADDRINUSE when the UDP port is taken, -EPERM / -EACCES for the raw
 * transport without privilege), CSCTP_ERR_NOT_SUPPORTED for the raw transport
 * when the kernel itself implements SCTP (both would answer the same packets),
 * and for the kernel transport what csctp_kernel_probe returns when the kernel
 * has no SCTP (CSCTP_ERR_NOT_SUPPORTED where there is no kernel backend at
 * all). */
CSCTP_API int csctp_stack_new(csctp_stack **out, const csctp_stack_config *cfg);

/* csctp_stack_del aborts every association of the stack (sending ABORT),
 * frees every socket still open (their pointers become invalid, their fds are
 * closed), closes the transports and frees the stack. NULL is allowed. */
CSCTP_API void csctp_stack_del(csctp_stack *st);

/* csctp_stack_drain runs the stack (blocking, like csctp_stack_run) until
 * every association closing in the background has ended: those of sockets
 * closed with csctp_close, whose graceful shutdown (RFC 9260 9.2) continues
 * inside the stack after close. It waits at most timeout_ms milliseconds
 * (-1: until they end; each still ends by itself, through its SHUTDOWN
 * retransmission limit or its CSCTP_OPT_LINGER time). Associations of
 * sockets still open are not waited for: close them first.
 *
 * A userland stack dies with its process, and csctp_stack_del aborts what
 * is left: a C program that wants its last data delivered calls, before it
 * exits, csctp_close on its sockets, then csctp_stack_drain, then
 * csctp_stack_del. Returns 0 when nothing is closing any more,
 * CSCTP_ERR_TIMEOUT when timeout_ms passed first (the associations keep
 * closing; csctp_stack_del aborts them), CSCTP_ERR_INVAL for NULL, or what
 * csctp_stack_step returned on a failure of the stack itself. A kernel
 * transport stack returns 0 at once (the kernel finishes its shutdowns). */
CSCTP_API int csctp_stack_drain(csctp_stack *st, int timeout_ms);

/* csctp_stack_closing returns how many associations are closing in the
 * background (see csctp_stack_drain), without blocking: for programs that
 * drive the stack from their own loop. 0 for NULL. */
CSCTP_API size_t csctp_stack_closing(const csctp_stack *st);

/* csctp_stack_fd returns the stack's readiness fd: the epoll fd on Linux,
 * the kqueue fd on macOS and the BSDs (csctp_io_backend names which). It
 * becomes readable whenever csctp_stack_step has work: a transport received
 * datagrams, or the engine's next timer is due (a timerfd inside the epoll
 * set, an EVFILT_TIMER in the kqueue, follows it). It stays readable until
 * csctp_stack_step has done that work (level-triggered). Packets that
 * socket calls produce (csctp_sendv, csctp_connectx, ...) are sent inside
 * those calls, with one exception that bundles (RFC 9260 6.10): the
 * messages csctp_sendv queues after the first one since the last step wait
 * (NODELAY or not) until the next csctp_stack_step or until about 4800
 * bytes of them wait; likewise the window update of reads after the first
 * one. The fd is then readable at once (a wake-up fd it watches) and
 * csctp_stack_timeout returns 0, so any loop that steps when the fd is
 * readable sends them within microseconds. The stack owns the fd: never
 * close it, never read from it.
 *
 * With the portable poll(2) backend (systems with neither epoll nor kqueue,
 * or a build with CSCTP_IO_POLL=1) no single fd can also signal the timer:
 * csctp_stack_fd returns CSCTP_ERR_NOT_SUPPORTED there; wait on the fds of
 * csctp_stack_fds with csctp_stack_timeout as the timeout, or call
 * csctp_stack_run. CSCTP_ERR_INVAL for NULL.
 *
 * Single-threaded C programs need only this fd: socket readiness changes
 * only inside calls on the stack, so "call until -EAGAIN, then
 * csctp_stack_run()" is a complete loop (see examples/echo.c). */
CSCTP_API int csctp_stack_fd(const csctp_stack *st);

/* csctp_stack_fds stores in fds[0..n) the fds a loop waits on for
 * readability (POLLIN) to drive the stack, and returns how many there are
 * (which may exceed n; call with n 0 to ask): the one csctp_stack_fd with
 * epoll and kqueue, the transport sockets (one or two) with poll(2), where
 * the loop must also wake after csctp_stack_timeout. Works with every
 * backend, so a portable loop polls these fds with that timeout and then
 * calls csctp_stack_step. CSCTP_ERR_INVAL for NULL st, n < 0 or NULL fds
 * with n > 0. */
CSCTP_API int csctp_stack_fds(const csctp_stack *st, int *fds, int n);

/* csctp_io_backend names the readiness backend this library was built
 * with: "epoll" (Linux), "kqueue" (macOS, FreeBSD, NetBSD, OpenBSD,
 * DragonFly) or "poll" (any other POSIX system, or CSCTP_IO_POLL=1). */
CSCTP_API const char *csctp_io_backend(void);

/* csctp_stack_timeout returns the milliseconds (rounded up) until the
 * engine's next timer is due, 0 if one is due now or messages wait for the
 * next step (see csctp_stack_fd), -1 if none is armed.
 * csctp_stack_timeout_ns is the same in nanoseconds. Waiting on
 * csctp_stack_fd alone is enough with epoll and kqueue (the timer is in the
 * set); these are for loops that prefer their own timers, and the timeout
 * of a poll(2) loop over csctp_stack_fds. The value can change after any
 * call on the stack or its sockets. */
CSCTP_API int csctp_stack_timeout(const csctp_stack *st);
CSCTP_API int64_t csctp_stack_timeout_ns(const csctp_stack *st);

/* csctp_stack_step does all the work that is ready, without blocking:
 * receives what the transports hold (in batches; at most a bounded amount per
 * call, the fd stays readable if more is left), hands each packet to its
 * endpoint, runs due timers, sends what the endpoints want sent, turns engine
 * events into socket state and notifications, and signals the sockets' event
 * fds. Returns 0, or a negative value for a failure of the stack itself (the
 * epoll or timer fd failing; errors on single datagrams are only counted). */
CSCTP_API int csctp_stack_step(csctp_stack *st);

/* csctp_stack_set_oneshot switches the stack to one-shot readiness, for a
 * caller that does not always wait on csctp_stack_fd between steps (e.g.
 * a thread that steps the stack and then does other work): a transport
 * socket that became readable wakes the stack fd once, and then no more
 * until the caller, about to wait again, calls csctp_stack_prepare_wait.
 * Packets that arrive while nobody waits wake nobody; the next step
 * receives them. Likewise packets a step left for the next one (a step
 * takes a bounded number) and deferred sends: csctp_stack_prepare_wait
 * reports them instead of the fd. Returns 0, or CSCTP_ERR_NOT_SUPPORTED where the readiness
 * backend is not epoll (the stack keeps level-triggered readiness). */
CSCTP_API int csctp_stack_set_oneshot(csctp_stack *st);

/* csctp_stack_prepare_wait is called before waiting on csctp_stack_fd.
 * Returns 1 when the stack has work now (step instead of waiting), 0 when
 * the caller may wait (in one-shot mode the transport fds are watched
 * again: whatever arrived meanwhile makes the fd readable at once), or a
 * negative error of the readiness backend. csctp_stack_run calls it. */
CSCTP_API int csctp_stack_prepare_wait(csctp_stack *st);

/* csctp_stack_run waits up to timeout_ms (-1: without limit, 0: not at all)
 * for the stack to have work, then calls csctp_stack_step. Returns 0 (also
 * on timeout or EINTR) or what csctp_stack_step returned. */
CSCTP_API int csctp_stack_run(csctp_stack *st, int timeout_ms);

/* csctp_stack_udp_port returns the local UDP encapsulation port the stack
 * is bound to (the real one when 0 was configured), or 0 for the raw
 * transport. */
CSCTP_API uint16_t csctp_stack_udp_port(const csctp_stack *st);

/* csctp_stack_transport returns CSCTP_TRANSPORT_UDP or _RAW. */
CSCTP_API int csctp_stack_transport(const csctp_stack *st);

/* csctp_now returns CLOCK_MONOTONIC in nanoseconds: the clock the stack
 * gives its engines. */
CSCTP_API csctp_tstamp csctp_now(void);

typedef struct csctp_stack_stats {
  uint64_t dgrams_in, dgrams_out;      /* datagrams received / sent */
  uint64_t bytes_in, bytes_out;        /* SCTP bytes (no IP/UDP headers) */
  uint64_t recv_batches, send_batches; /* recvmmsg / sendmmsg calls */
  uint64_t no_endpoint;  /* packets for an SCTP port nobody bound */
  uint64_t ootb_replies; /* ABORT / SHUTDOWN COMPLETE sent for those
                            (RFC 9260 8.4; UDP transport only: over raw
                            IP other programs' packets are seen too) */
  uint64_t short_pkts;   /* shorter than the SCTP common header */
  uint64_t bad_src;      /* UDP source port 0, or unusable source */
  uint64_t send_errors;  /* sendmsg failures (packet counted as lost) */
  uint64_t endpoints;    /* endpoints now */
  uint64_t sockets;      /* sockets now */
  uint64_t mem_used;     /* received data held for reading, bytes */
  uint64_t mem_limit;    /* the budget for it (0: none) */
  /* UDP transport on Linux, segmentation offload (UDP_GRO unless the
   * environment has CSCTP_UDP_GSO=0, UDP_SEGMENT sends only with
   * CSCTP_UDP_GSO=1): datagrams sent with UDP_SEGMENT and the packets
   * they carried; datagrams received coalesced (UDP_GRO) and the packets
   * split out of them. All 0 when the kernel or the device lacks it. */
  uint64_t gso_sends, gso_pkts;
  uint64_t gro_recvs, gro_pkts;
  /* Packets sent with IP fragmentation allowed (the engine's
   * CSCTP_PKT_FRAG_OK: chunks cut before the path MTU fell, RFC 8899
   * 4.4): IPv4 DF clear, IPv6 fragments of 1280 bytes. */
  uint64_t frag_sends;
  /* ICMP errors read from the sockets' error queues (Linux IP_RECVERR,
   * UDP and raw IP): port or protocol unreachable, fragmentation needed /
   * packet too big; each is then validated by the endpoint it quotes. */
  uint64_t icmp_in;
} csctp_stack_stats;

/* csctp_stack_stats_get fills *s with the stack's counters. */
CSCTP_API void csctp_stack_stats_get(const csctp_stack *st,
                                     csctp_stack_stats *s);

/* ======================================================================
 * Sockets
 * ====================================================================== */

/* Socket styles (csctp_socket's type). */
#define CSCTP_SOCK_STREAM 1    /* one-to-one */
#define CSCTP_SOCK_SEQPACKET 2 /* one-to-many */

/* csctp_socket creates a socket of the stack. family is AF_INET (IPv4
 * addresses only) or AF_INET6 (IPv6 and IPv4 addresses); type is
 * CSCTP_SOCK_STREAM or CSCTP_SOCK_SEQPACKET. The socket starts unbound, with
 * the stack's settings, no event subscription, and the default send info
 * (stream 0, PPID 0, ordered). Stores it in *out; the caller owns it and
 * frees it with csctp_close. Returns 0, CSCTP_ERR_INVAL, CSCTP_ERR_NOMEM,
 * -EAFNOSUPPORT, or a negated errno from eventfd(2) or pipe(2). */
CSCTP_API int csctp_socket(csctp_stack *st, int family, int type,
                           csctp_sock **out);

/* csctp_bindx binds the socket to one SCTP port on n >= 1 local addresses.
 * addrs points to n socket addresses packed one after the other, each a
 * struct sockaddr_in or struct sockaddr_in6 according to its sa_family (the
 * RFC 6458 sctp_bindx layout; an array of one is just a pointer to one
 * address). All must carry the same port; port 0 lets the stack choose an
 * unused one (csctp_getladdrs tells which). A wildcard address (INADDR_ANY /
 * in6addr_any) means every local address. With specific addresses they are
 * the ones announced in INIT / INIT ACK when there are two or more; packets
 * to other local addresses are still accepted (the stack shares one
 * transport socket). Can be called once per socket. Returns 0,
 * -EADDRINUSE, CSCTP_ERR_INVAL (bad addresses, mixed ports), -EAFNOSUPPORT,
 * -EOPNOTSUPP (accepted/peeled-off socket, already bound), CSCTP_ERR_NOMEM.
 */
CSCTP_API int csctp_bindx(csctp_sock *s, const struct sockaddr *addrs,
                          size_t n);

/* csctp_bindx_op adds (flags CSCTP_BINDX_ADD_ADDR) or removes
 * (CSCTP_BINDX_REM_ADDR) n local addresses of a socket bound already, like
 * RFC 6458 sctp_bindx (9.1) after the first bind; addrs as for csctp_bindx,
 * port 0 or the bound port. With CSCTP_OPT_AUTO_ASCONF on (the default)
 * every association of the socket that uses ASCONF (CSCTP_OPT_ASCONF_
 * SUPPORTED on both sides, RFC 5061) asks its peer to add or delete the
 * addresses (Add / Delete IP Address); the peer answers asynchronously.
 * Removing every address is refused. The kernel backend maps this to
 * SCTP_SOCKOPT_BINDX_ADD / _REM. Returns 0, CSCTP_ERR_INVAL (bad addresses
 * or flags, another port, removing the last address), -EOPNOTSUPP (not
 * bound, accepted socket), -EAFNOSUPPORT or CSCTP_ERR_NOMEM. */
#define CSCTP_BINDX_ADD_ADDR 0x01
#define CSCTP_BINDX_REM_ADDR 0x02
CSCTP_API int csctp_bindx_op(csctp_sock *s, const struct sockaddr *addrs,
                             size_t n, int flags);

/* csctp_listen makes the socket accept incoming associations. A one-to-one
 * socket queues up to backlog (<= 0: 128) established associations for
 * csctp_accept; further ones are aborted. A one-to-many socket simply
 * accepts associations (backlog is ignored; backlog 0 disables accepting
 * again). The socket must be bound (an unbound one is bound to an ephemeral
 * port). Returns 0, -EOPNOTSUPP (connected, accepted or peeled-off socket),
 * -EADDRINUSE (another socket listens on the port), or an error of the
 * implicit bind. */
CSCTP_API int csctp_listen(csctp_sock *s, int backlog);

/* csctp_connectx starts an association to the peer reachable at the n
 * packed addresses (layout as for csctp_bindx; all with the peer's SCTP
 * port; the first is the primary path). Never blocks: returns -EINPROGRESS
 * when the INIT was queued and sent, storing the association id in *assoc_id
 * (may be NULL). Completion is reported on the socket's write side: the
 * write event fd (csctp_sock_wfd) and csctp_sock_poll's CSCTP_POLLOUT; then
 * csctp_sock_error() returns 0 if the association is up, or the reason it
 * failed (CSCTP_ERR_REFUSED: the peer answered with ABORT, e.g. no listener;
 * CSCTP_ERR_TIMEOUT: no answer), with CSCTP_POLLERR set until read. An
 * unbound socket is bound implicitly to an ephemeral port on the wildcard
 * address. The UDP destination port is CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT if
 * set, else the stack's remote_udp_port.
 * One-to-one: only once (-EALREADY while in progress, -EISCONN after).
 * One-to-many: may be called for several peers (CSCTP_ERR_STATE if an
 * association to this peer already exists).
 * Other errors: CSCTP_ERR_INVAL, -EAFNOSUPPORT, CSCTP_ERR_NOMEM,
 * CSCTP_ERR_LIMIT, -EOPNOTSUPP on a listening one-to-one socket. */
CSCTP_API int csctp_connectx(csctp_sock *s, const struct sockaddr *addrs,
                             size_t n, csctp_assoc_id *assoc_id);

/* csctp_accept takes the oldest established association from a listening
 * one-to-one socket and returns it as a new connected one-to-one socket in
 * *out (owned by the caller: csctp_close it). The new socket shares the
 * listening socket's SCTP port and endpoint and inherits its options and
 * subscriptions; closing the listening socket does not affect it. If peer is
 * not NULL it receives the peer's primary address (and *peerlen, if not
 * NULL, its length). Returns 0, -EAGAIN when none is waiting (the read event
 * fd signals a new one), -EOPNOTSUPP (not a listening one-to-one socket),
 * CSCTP_ERR_NOMEM or a negated errno from eventfd(2) or pipe(2). */
CSCTP_API int csctp_accept(csctp_sock *s, csctp_sock **out,
                           struct sockaddr_storage *peer, socklen_t *peerlen);

/* Send flags (csctp_sendv's flags): none defined yet; pass 0. MSG_DONTWAIT
 * and MSG_NOSIGNAL are accepted and ignored (nothing blocks, no signals). */

/* csctp_sendv sends one user message made of the iovcnt buffers (total
 * length >= 1, or 0 with CSCTP_SEND_EOF / CSCTP_SEND_ABORT in info->flags).
 * The message is copied; it is queued whole or not at all.
 *   to:   optional peer address (struct sockaddr_in / _in6 with the SCTP
 *         port). One-to-one: selects the path; must be one of the peer's
 *         addresses. One-to-many: selects the association when
 *         info->assoc_id is 0; if no association to that peer exists, one is
 *         set up implicitly (RFC 6458 implicit association setup) and the
 *         message is sent once it is established. If it cannot be sent
 *         after all (the setup is refused or times out, its stream is at or
 *         beyond the peer's inbound stream count, the socket is shut down
 *         while the setup runs), the socket gets a CSCTP_EV_SEND_FAILED
 *         notification carrying the message (if subscribed) and the cause
 *         as its pending error (csctp_sock_error, CSCTP_POLLERR). A
 *         csctp_close during the setup aborts it and drops the message.
 *   info: optional send info (stream, flags CSCTP_SEND_*, PPID, context,
 *         assoc_id for one-to-many); NULL = the socket's default send info
 *         (CSCTP_OPT_DEFAULT_SNDINFO). On a one-to-one socket assoc_id is
 *         ignored.
 * Returns the number of bytes queued (the message length), or -EAGAIN when
 * the send buffer cannot take the whole message now, or the association is
 * still being set up (the write event fd signals when it can: the connect
 * completing counts), -ENOTCONN (one-to-one socket never connected, or
 * listening), CSCTP_ERR_MSGSIZE (longer than the send buffer),
 * CSCTP_ERR_STREAM, CSCTP_ERR_NOT_FOUND (one-to-many: unknown association
 * and no `to`), CSCTP_ERR_INVAL, CSCTP_ERR_NOMEM, or, once the association
 * has ended or is shutting down, CSCTP_ERR_CLOSED (shut down),
 * CSCTP_ERR_ABORTED, CSCTP_ERR_TIMEOUT or CSCTP_ERR_REFUSED (why it ended).
 * Sending flushes the packets the engine produced at once. */
CSCTP_API csctp_ssize csctp_sendv(csctp_sock *s, const struct iovec *iov,
                                  int iovcnt, const struct sockaddr *to,
                                  const csctp_sndinfo *info, int flags);

/* Receive flags returned in *msg_flags by csctp_recvv. */
#define CSCTP_MSG_EOR 0x0080          /* equal to Linux MSG_EOR */
#define CSCTP_MSG_NOTIFICATION 0x8000 /* the bytes are a csctp_notification */

/* csctp_recvv reads the next message, or the next part of it, into the
 * iovcnt buffers. Data and notifications come in the order they arrived.
 *   from, fromlen: optional; receive the peer's address (the path the
 *         message came on, SCTP port in sin_port). *fromlen is set to the
 *         address length when fromlen is not NULL.
 *   info: optional; receives the message's csctp_rcvinfo (stream, SSN,
 *         PPID, TSN, flags, assoc_id, and `from` with the UDP port).
 *         Zeroed for a notification except assoc_id.
 *   msg_flags: optional; receives CSCTP_MSG_EOR when this read completes the
 *         message (or notification), and CSCTP_MSG_NOTIFICATION when the
 *         bytes are a notification (struct csctp_notification followed by
 *         its data, see below).
 * A message longer than the buffers is returned in several reads, the last
 * one with CSCTP_MSG_EOR; at fragment interleave level 0 no other
 * message or notification of the same socket is returned in between (RFC
 * 6458 partial delivery), at level 1 only another association's message
 * (one-to-many). At level 2 (CSCTP_OPT_FRAGMENT_INTERLEAVE) the
 * next read may return a part of another stream's (or association's)
 * message, or a notification: read info's assoc_id, sid and ssn (with
 * I-DATA the MID's low 16 bits) and CSCTP_MSG_EOR to put each message
 * together; the PPID is in every part. One read still fills all the
 * buffers from one message only.
 * Returns the number of bytes copied (> 0), or:
 *   0        one-to-one socket whose association has ended for any reason,
 *            or whose peer shut down, once every message was read: end of
 *            file (the reason of an abnormal end is in csctp_sock_error,
 *            and csctp_sendv returns it);
 *   -EAGAIN  nothing to read now (the read event fd signals more);
 *   -ENOTCONN one-to-one socket not connected (or listening);
 *   CSCTP_ERR_INVAL.
 */
CSCTP_API csctp_ssize csctp_recvv(csctp_sock *s, const struct iovec *iov,
                                  int iovcnt, struct sockaddr_storage *from,
                                  socklen_t *fromlen, csctp_rcvinfo *info,
                                  int *msg_flags);

/* csctp_peeloff moves association assoc_id of a one-to-many socket into a
 * new one-to-one socket (*out, owned by the caller), which shares the
 * endpoint and inherits options and subscriptions. Returns 0, -EOPNOTSUPP
 * (not one-to-many), CSCTP_ERR_NOT_FOUND, CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_peeloff(csctp_sock *s, csctp_assoc_id assoc_id,
                            csctp_sock **out);

/* csctp_shutdown_sock: how is SHUT_RD, SHUT_WR or SHUT_RDWR (from
 * <sys/socket.h>). SHUT_WR (and SHUT_RDWR) starts a graceful shutdown of
 * the association(s) (RFC 9260 9.2): queued data is still delivered, then
 * the association closes; further sends fail with CSCTP_ERR_CLOSED.
 * SHUT_RD discards unread and future data (the socket then reads EOF).
 * Returns 0, -ENOTCONN, CSCTP_ERR_INVAL. */
CSCTP_API int csctp_shutdown_sock(csctp_sock *s, int how);

/* csctp_close closes the socket and frees it (with its event fds).
 * Without CSCTP_OPT_LINGER (the default) each of its associations is shut
 * down gracefully and the shutdown continues inside the stack after close:
 * data received from then on is discarded, and the association (and the
 * endpoint, when no socket uses it any more) is released when the shutdown
 * completes or fails. With LINGER {onoff 1, linger 0} the associations are
 * aborted at once (ABORT sent). With LINGER {1, n > 0} it behaves like the
 * default (nothing blocks) but aborts what has not closed after n seconds.
 * A listening one-to-one socket aborts the associations still waiting in
 * its accept queue; accepted sockets stay open. Returns 0 (also for NULL).
 * csctp_close never blocks; a program that exits next calls
 * csctp_stack_drain first, or the shutdowns die with it.
 */
CSCTP_API int csctp_close(csctp_sock *s);

/* csctp_sock_open_assocs returns how many associations of the socket have
 * not ended yet (being set up, established or shutting down; for a
 * one-to-one listener none: those in its accept queue are not its own),
 * and stores in *connecting (may be NULL) how many of them are still being
 * set up. It lets a caller that must not block wait, with its own timer,
 * for a graceful shutdown (csctp_shutdown_sock SHUT_WR) to complete before
 * csctp_close. Returns the count, CSCTP_ERR_INVAL for NULL, or
 * CSCTP_ERR_NOT_SUPPORTED for a kernel transport socket (the kernel
 * finishes the shutdown after close). */
CSCTP_API int csctp_sock_open_assocs(const csctp_sock *s, int *connecting);

/* csctp_sock_assoc_ids writes up to max ids of the socket's associations
 * that have not ended (for one-to-one: its association) into out, and
 * returns how many there are (may exceed max), as RFC 6458
 * SCTP_GET_ASSOC_ID_LIST (8.2.6) does. Returns CSCTP_ERR_INVAL (NULL
 * socket, or out NULL with max > 0) or CSCTP_ERR_NOT_SUPPORTED for a
 * kernel transport socket. */
CSCTP_API int csctp_sock_assoc_ids(const csctp_sock *s, csctp_assoc_id *out,
                                   size_t max);

/* csctp_sock_error returns and clears the socket's pending error (like
 * SO_ERROR): 0 when none, else the reason a connect failed or the
 * association ended (CSCTP_ERR_REFUSED, _TIMEOUT, _ABORTED) or a negated
 * errno. */
CSCTP_API int csctp_sock_error(csctp_sock *s);

/* ---- Readiness ---------------------------------------------------------
 *
 * Each socket has two wake-up fds (eventfds on Linux, the read ends of pipe
 * pairs elsewhere; non-blocking, close-on-exec, owned by the socket: never
 * close or read them): csctp_sock_fd, the read side, and
 * csctp_sock_wfd, the write side. Each is made on the first call that asks
 * for it: a program that waits on the stack fd and uses csctp_sock_poll
 * holds no fd per socket. Wait for them to become *readable* (both
 * of them: the write side too) with poll/epoll/the Go netpoller.
 *
 * Contract (edge semantics):
 *   - A side is "armed" when the socket is created and again each time a
 *     call on that side returns -EAGAIN. Read-side calls: csctp_recvv,
 *     csctp_accept, csctp_sock_next_notification. Write-side calls:
 *     csctp_sendv (and csctp_connectx while in progress: use
 *     csctp_sock_poll / csctp_sock_error then).
 *   - When an armed side may have become ready, the stack makes its fd
 *     readable and disarms it. Read side: data or a notification arrived,
 *     an association is waiting for accept, the association ended (EOF or
 *     error), the socket got an error. Write side: the connect completed or
 *     failed, send buffer space was freed for the message that got -EAGAIN,
 *     the association ended or failed.
 *   - The fd stays readable until the next -EAGAIN on that side: a call
 *     returning -EAGAIN first drains it (resets the fd), atomically
 *     with its check. So the loop is always: call until -EAGAIN, then wait
 *     for the fd. No wake-up is lost, and spurious ones (fd readable, call
 *     still -EAGAIN) are possible and harmless.
 *   - Nothing else drains the fds: csctp_sock_poll reads the state without
 *     touching them, so waiters on the other side are never robbed.
 * Two fds let a reader and a writer (two goroutines) wait independently;
 * each side supports one waiter at a time (a second reader would drain the
 * fd under the first one's feet). A C program that wants one fd can poll
 * both.
 *
 * Kernel transport (CSCTP_TRANSPORT_KERNEL): csctp_sock_fd and
 * csctp_sock_wfd both return the kernel socket itself, which is
 * level-triggered: wait for it to be READABLE for the read side and
 * WRITABLE for the write side (connect completion included); nothing is
 * armed or drained. csctp_sock_poll works the same for every transport.
 *
 * Ownership: csctp_close (and csctp_stack_del) close these fds, as
 * csctp_stack_del closes the stack fd. A binding that wraps one in an object
 * that closes it too (Go's os.NewFile) must wrap a dup(2) of it, and close
 * that wrapper before or after csctp_close as it likes: the two never close
 * each other's descriptor. Readiness is shared between an fd and its dup. */

/* CSCTP_POLLIN may be a false positive while received data is held back
 * for reassembly or ordering (a retransmission is awaited): recvv then
 * returns -EAGAIN, and the read side waits as usual. */
#define CSCTP_POLLIN 0x1  /* recvv/accept would not return -EAGAIN */
#define CSCTP_POLLOUT 0x2 /* sendv of a small message would not -EAGAIN */
#define CSCTP_POLLERR 0x4 /* csctp_sock_error would return non-zero */
#define CSCTP_POLLHUP 0x8 /* association ended, or closed for sending */

/* csctp_sock_fd returns the read-side event fd, csctp_sock_wfd the
 * write-side one (see above), made on the first call; a negated errno
 * (-EMFILE, ...) if it cannot be made. */
CSCTP_API int csctp_sock_fd(const csctp_sock *s);
CSCTP_API int csctp_sock_wfd(const csctp_sock *s);

/* ---- Readiness without file descriptors --------------------------------
 *
 * A program (or a binding such as the Go package) that drives the stack
 * itself can learn which sockets became ready from the stack instead of
 * their eventfds: after csctp_stack_set_ready_list(st, 1), every time an
 * armed side is signalled (the moments the contract above makes its fd
 * readable) the socket is put on the stack's ready list with that side,
 * once until polled; csctp_stack_poll_ready takes up to max entries off
 * it, oldest first, and returns how many. The arming rules are the same
 * (a side is armed at creation and by each -EAGAIN), so a waiter that got
 * -EAGAIN is sure to be listed. A closed socket leaves the list. Userland
 * transports only (the kernel's sockets are their own fds). */
#define CSCTP_READY_READ 0x1
#define CSCTP_READY_WRITE 0x2

typedef struct csctp_ready {
  csctp_sock *sock;
  void *user; /* csctp_sock_set_user's value */
  int which;  /* CSCTP_READY_READ | CSCTP_READY_WRITE */
} csctp_ready;

CSCTP_API void csctp_stack_set_ready_list(csctp_stack *st, int enable);
CSCTP_API size_t csctp_stack_poll_ready(csctp_stack *st, csctp_ready *out,
                                        size_t max);
/* csctp_stack_ready_count returns the address of the number of sockets on
 * the ready list, valid until csctp_stack_del (NULL for NULL st). A caller
 * that serialises its calls into the stack may read it between them to skip
 * csctp_stack_poll_ready when it is 0 (a binding saves a foreign call per
 * call that signalled nothing); the stack changes it only inside its own
 * calls. */
CSCTP_API const unsigned *csctp_stack_ready_count(const csctp_stack *st);
/* csctp_sock_set_user attaches an opaque value to s (returned with it by
 * csctp_stack_poll_ready); the stack never looks at it. */
CSCTP_API void csctp_sock_set_user(csctp_sock *s, void *user);

/* csctp_sock_poll returns the socket's readiness now as a mask of
 * CSCTP_POLL* (0 if nothing). Does not drain the event fds. For a
 * one-to-many socket CSCTP_POLLOUT is set unless the association on
 * which a sendv last returned -EAGAIN still has no room (a check whose
 * cost does not grow with the number of associations). */
CSCTP_API int csctp_sock_poll(const csctp_sock *s);

/* ---- Notifications -----------------------------------------------------
 *
 * Engine events (csctp_event) become notifications for the sockets that
 * subscribed to their type with csctp_sock_subscribe or CSCTP_OPT_EVENT (none
 * by default). A notification is queued in the order it arrived relative to
 * the data of the socket. It is read either inline with csctp_recvv (bytes =
 * a struct csctp_notification, then data_len bytes of data; msg_flags has
 * CSCTP_MSG_NOTIFICATION; a short buffer gets it in parts like a message), or
 * with csctp_sock_next_notification. Both take from the same queue. Unread
 * notifications do not block the socket's state machine; the queue is
 * bounded (1024; older ones are dropped first, counted in `dropped` of the
 * next one). */

typedef struct csctp_notification {
  uint32_t type;   /* enum csctp_event_type */
  uint32_t length; /* sizeof(csctp_notification) + data_len */
  csctp_assoc_id assoc_id;
  uint32_t data_len; /* bytes that follow the struct in a recvv buffer */
  uint32_t dropped;  /* notifications dropped (queue full) before this one */
  int32_t error;     /* ASSOC_LOST: CSCTP_ERR_ABORTED/_TIMEOUT/_REFUSED/..;
                        else 0 */
  union {
    struct { /* CSCTP_EV_ASSOC_UP, CSCTP_EV_ASSOC_RESTART */
      uint16_t outbound_streams, inbound_streams;
      uint16_t peer_port; /* SCTP port */
      uint16_t reserved;
      csctp_addr peer; /* primary path */
    } up;
    struct {               /* CSCTP_EV_ASSOC_LOST */
      uint32_t reason;     /* enum csctp_lost_reason */
      uint16_t cause_code; /* first cause of the ABORT, or 0 */
      uint16_t reserved;
    } lost;
    struct { /* CSCTP_EV_SEND_FAILED; the message follows (data_len) */
      csctp_sndinfo info;
      uint32_t was_sent;
      uint32_t abandoned; /* 1: its PR-SCTP policy gave it up (userland
                             stack; the kernel backend reports 0) */
    } send_failed;
    struct { /* CSCTP_EV_PEER_ADDR_CHANGE */
      csctp_addr addr;
      uint32_t state; /* enum csctp_path_state */
    } paddr;
    struct { /* CSCTP_EV_REMOTE_ERROR; cause value bytes follow */
      uint16_t cause_code;
      uint16_t reserved;
    } remote_error;
    struct { /* CSCTP_EV_AUTHENTICATION (RFC 6458 6.1.8) */
      uint16_t keynumber;
      uint16_t reserved;
      uint32_t indication; /* enum csctp_auth_indication */
    } auth;
    struct {          /* CSCTP_EV_STREAM_RESET (RFC 6525 6.1.1): number_streams
                         uint16_t stream ids follow (data_len bytes, host order);
                         none: every stream */
      uint16_t flags; /* CSCTP_STREAM_RESET_INCOMING_SSN, ... */
      uint16_t number_streams;
    } stream_reset;
    struct { /* CSCTP_EV_ASSOC_RESET (RFC 6525 6.1.2) */
      uint16_t flags;
      uint16_t reserved;
      uint32_t local_tsn, remote_tsn;
    } assoc_reset;
    struct { /* CSCTP_EV_STREAM_CHANGE (RFC 6525 6.1.3): the counts now */
      uint16_t flags; /* CSCTP_STREAM_CHANGE_DENIED, _FAILED */
      uint16_t instrms, outstrms;
    } stream_change;
    struct {               /* CSCTP_EV_PARTIAL_DELIVERY (RFC 6458 6.1.7) */
      uint32_t indication; /* CSCTP_PARTIAL_DELIVERY_ABORTED */
      uint16_t stream;
      uint16_t flags; /* CSCTP_RCV_UNORDERED when the message was */
      uint32_t seq;   /* its SSN, or with I-DATA its MID */
    } pdapi;
    uint8_t pad[64]; /* keeps the layout stable as members are added */
  } u;
} csctp_notification;

/* csctp_sock_subscribe turns delivery of notification type `type` (enum
 * csctp_event_type) on (on != 0) or off for the socket. Returns 0 or
 * CSCTP_ERR_INVAL. */
CSCTP_API int csctp_sock_subscribe(csctp_sock *s, uint32_t type, int on);

/* csctp_sock_next_notification takes the next notification of the socket
 * when it is due (all data that arrived before it was read): copies it into
 * *n and up to datalen bytes of its data (SEND_FAILED message, REMOTE_ERROR
 * cause) into data (may be NULL when datalen is 0; the rest is discarded;
 * n->data_len tells the full length). Returns 0, or -EAGAIN when no
 * notification is due (arms the read side). A notification partially read
 * by csctp_recvv is returned whole. */
CSCTP_API int csctp_sock_next_notification(csctp_sock *s, csctp_notification *n,
                                           uint8_t *data, size_t datalen);

/* ---- Options ----------------------------------------------------------- */

/* Option names for csctp_setsockopt / csctp_getsockopt, and the type of
 * their value. "assoc" structs carry an assoc_id: on a one-to-one socket it
 * is ignored (the socket's association, or the socket's defaults before it
 * has one); on a one-to-many socket 0 means the socket's defaults for future
 * associations and a non-zero id that association. */
enum csctp_sockopt {
  CSCTP_OPT_INITMSG = 1,     /* csctp_initmsg; before connect / listen */
  CSCTP_OPT_RTOINFO,         /* csctp_rtoinfo */
  CSCTP_OPT_ASSOCINFO,       /* csctp_assocparams */
  CSCTP_OPT_NODELAY,         /* int: 1 send at once (default), 0 bundle */
  CSCTP_OPT_DELAYED_SACK,    /* csctp_sack_info */
  CSCTP_OPT_DEFAULT_SNDINFO, /* csctp_sndinfo */
  CSCTP_OPT_EVENT,           /* csctp_event_subscribe */
  CSCTP_OPT_STATUS,          /* csctp_assoc_status; get only; set
                                assoc_id in the value first (one-to-many) */
  CSCTP_OPT_PEER_ADDR_INFO,  /* csctp_paddrinfo + paths; get only */
  CSCTP_OPT_PRIMARY_ADDR,    /* csctp_prim */
  CSCTP_OPT_MAXSEG,          /* csctp_assoc_value: user bytes per DATA */
  CSCTP_OPT_RCVBUF,          /* int, bytes; before connect / listen */
  CSCTP_OPT_SNDBUF,          /* int, bytes; before connect / listen */
  CSCTP_OPT_LINGER,          /* csctp_linger */
  CSCTP_OPT_REMOTE_UDP_ENCAPS_PORT, /* csctp_udpencaps */
  CSCTP_OPT_CONGESTION,             /* csctp_assoc_value: CSCTP_CC_* */
  CSCTP_OPT_HEARTBEAT,              /* csctp_assoc_value: HB.interval, ms */
  /* Authenticated chunks (RFC 4895; RFC 6458 8.1.17-8.1.18, 8.2.3-8.2.4,
   * 8.3.2-8.3.5). The endpoint options (AUTH_CHUNK, HMAC_IDENT,
   * AUTH_SUPPORTED) given before bind / connect are kept by the socket
   * and apply to its endpoint; the key options need a bound socket (else
   * CSCTP_ERR_STATE) and act on the association when assoc_id names one
   * (one-to-one: the connected association), else on the endpoint, whose
   * keys new associations copy. */
  CSCTP_OPT_AUTH_CHUNK,          /* csctp_authchunk; set only */
  CSCTP_OPT_HMAC_IDENT,          /* csctp_hmacalgo */
  CSCTP_OPT_AUTH_KEY,            /* csctp_authkey + key bytes; set only */
  CSCTP_OPT_AUTH_ACTIVE_KEY,     /* csctp_authkeyid */
  CSCTP_OPT_AUTH_DEACTIVATE_KEY, /* csctp_authkeyid; set only */
  CSCTP_OPT_AUTH_DELETE_KEY,     /* csctp_authkeyid; set only */
  CSCTP_OPT_PEER_AUTH_CHUNKS,    /* csctp_authchunks + room; get only */
  CSCTP_OPT_LOCAL_AUTH_CHUNKS,   /* csctp_authchunks + room; get only */
  CSCTP_OPT_AUTH_SUPPORTED       /* csctp_assoc_value (assoc_id 0): 0 / 1 */
};
/* CSCTP_OPT_CONGESTION (RFC 6458 has none) selects the congestion
 * controller: CSCTP_CC_RENO, RFC 9260 7.2's (the default),
 * CSCTP_CC_CUBIC, RFC 9438 with HyStart++ (RFC 9406) and the ack-train
 * slow start exit, or CSCTP_CC_CUBIC_RFC9406, that CUBIC without the ack
 * train (csctp.h, csctp_settings.cc; CSCTP_CC_CUBIC_TRAIN is a synonym of
 * CSCTP_CC_CUBIC). Set on an
 * association, its paths switch at once, keeping cwnd and ssthresh; on the
 * socket's defaults, for associations set up afterwards. Not on the kernel
 * backend (-ENOPROTOOPT). */

/* CSCTP_OPT_HEARTBEAT: the heartbeat interval HB.interval (RFC 9260 8.3)
 * in ms, for every path; 0 turns heartbeats off. RFC 6458 sets it with
 * SCTP_PEER_ADDR_PARAMS (spp_hbinterval, SPP_HB_ENABLE / SPP_HB_DISABLE),
 * which is what the kernel transport uses. */

/* The RFC 6458 names. */
#define CSCTP_AUTH_CHUNK CSCTP_OPT_AUTH_CHUNK
#define CSCTP_HMAC_IDENT CSCTP_OPT_HMAC_IDENT
#define CSCTP_AUTH_KEY CSCTP_OPT_AUTH_KEY
#define CSCTP_AUTH_ACTIVE_KEY CSCTP_OPT_AUTH_ACTIVE_KEY
#define CSCTP_AUTH_DEACTIVATE_KEY CSCTP_OPT_AUTH_DEACTIVATE_KEY
#define CSCTP_AUTH_DELETE_KEY CSCTP_OPT_AUTH_DELETE_KEY
#define CSCTP_PEER_AUTH_CHUNKS CSCTP_OPT_PEER_AUTH_CHUNKS
#define CSCTP_LOCAL_AUTH_CHUNKS CSCTP_OPT_LOCAL_AUTH_CHUNKS
#define CSCTP_AUTH_SUPPORTED CSCTP_OPT_AUTH_SUPPORTED
#define CSCTP_AUTHENTICATION_EVENT CSCTP_EV_AUTHENTICATION

/* CSCTP_OPT_AUTH_CHUNK: a chunk type to accept only authenticated; not
 * INIT, INIT ACK, SHUTDOWN COMPLETE or AUTH (CSCTP_ERR_INVAL). Enables
 * AUTH. */
typedef struct csctp_authchunk {
  uint8_t chunk;
} csctp_authchunk;

/* CSCTP_OPT_HMAC_IDENT: HMAC ids by preference (CSCTP_AUTH_HMAC_SHA1 must
 * be one; at most 4). */
typedef struct csctp_hmacalgo {
  uint32_t num_idents;
  uint16_t idents[4];
} csctp_hmacalgo;

/* CSCTP_OPT_AUTH_KEY: len = sizeof(csctp_authkey) + keylength; at most
 * 256 key bytes, 0 for a null key. */
typedef struct csctp_authkey {
  csctp_assoc_id assoc_id;
  uint16_t keynumber;
  uint16_t keylength;
  uint8_t key[];
} csctp_authkey;

typedef struct csctp_authkeyid {
  csctp_assoc_id assoc_id;
  uint16_t keynumber;
  uint16_t reserved;
} csctp_authkeyid;

/* CSCTP_OPT_PEER_AUTH_CHUNKS / _LOCAL_AUTH_CHUNKS: len = sizeof(header) +
 * room for k chunk types; on return num_chunks is their number (may exceed
 * k). CSCTP_ERR_STATE when the association does not use AUTH. */
typedef struct csctp_authchunks {
  csctp_assoc_id assoc_id;
  uint32_t num_chunks;
  uint8_t chunks[];
} csctp_authchunks;

/* PR-SCTP options (RFC 7496 4, RFC 6458 8.1.31), numbered apart from the
 * list above so that both can grow. */
enum csctp_sockopt_pr {
  /* csctp_assoc_value. Set: the socket's default for new associations
   * (value != 0 announces PR-SCTP; CSCTP_ERR_STATE once the socket has an
   * association). Get: whether the association negotiated it, else the
   * default. */
  CSCTP_OPT_PR_SUPPORTED = 64,
  /* csctp_default_prinfo: the policy of sends without a csctp_sndinfo. */
  CSCTP_OPT_DEFAULT_PRINFO = 65,
  /* csctp_prstatus; get only. */
  CSCTP_OPT_PR_ASSOC_STATUS = 66,
  CSCTP_OPT_PR_STREAM_STATUS = 67
};

/* CSCTP_OPT_DEFAULT_PRINFO (RFC 6458 8.1.31 SCTP_DEFAULT_PRINFO). */
typedef struct csctp_default_prinfo {
  csctp_assoc_id assoc_id; /* must be 0 (socket level) */
  uint16_t pr_policy;      /* CSCTP_PR_SCTP_* */
  uint16_t reserved;
  uint32_t pr_value;
} csctp_default_prinfo;

/* CSCTP_OPT_PR_ASSOC_STATUS / _STREAM_STATUS (RFC 7496 4.3, 4.4
 * sctp_prstatus): set assoc_id (one-to-many), sid (stream status) and
 * policy (CSCTP_PR_SCTP_TTL, _PRIO, _RTX or _ALL) first; the counts are
 * filled in. */
typedef struct csctp_prstatus {
  csctp_assoc_id assoc_id;
  uint16_t sid;
  uint16_t policy;
  uint64_t abandoned_unsent;
  uint64_t abandoned_sent;
} csctp_prstatus;

/* Stream reconfiguration options (RFC 6525 6.3), numbered apart too. */
enum csctp_sockopt_reconf {
  /* csctp_assoc_value: CSCTP_ENABLE_RESET_STREAM_REQ, _RESET_ASSOC_REQ,
   * _CHANGE_ASSOC_REQ: which of the peer's requests are performed (others
   * denied; default none, RFC 6525 6.3.1). assoc_id 0: the socket's
   * default for new associations. */
  CSCTP_OPT_ENABLE_STREAM_RESET = 80,
  /* struct csctp_reset_streams + stream list; set only (RFC 6525 6.3.2):
   * see csctp_reset_streams for the errors. */
  CSCTP_OPT_RESET_STREAMS = 81,
  /* csctp_assoc_id; set only (RFC 6525 6.3.3): SSN/TSN reset is not
   * implemented by the userland stack (CSCTP_ERR_NOT_SUPPORTED). */
  CSCTP_OPT_RESET_ASSOC = 82,
  /* struct csctp_add_streams; set only (RFC 6525 6.3.4). */
  CSCTP_OPT_ADD_STREAMS = 83,
  /* csctp_assoc_value. Set: the socket's default for new associations
   * (value != 0 lists RE-CONFIG in the Supported Extensions parameter, the
   * default; CSCTP_ERR_STATE once the socket has an association). Get:
   * whether the association negotiated it, else the default. */
  CSCTP_OPT_RECONFIG_SUPPORTED = 84
};

/* User message interleaving and stream schedulers (RFC 8260 4.3; RFC 6458
 * 8.1.20), numbered apart too. */
enum csctp_sockopt_ilv {
  /* csctp_assoc_value. Set: the socket's default for new associations
   * (value != 0 lists I-DATA; default 0, RFC 8260 2.2.1; CSCTP_ERR_STATE
   * once the socket has an association). Get: whether the association
   * negotiated it, else the default. */
  CSCTP_OPT_INTERLEAVING_SUPPORTED = 96,
  /* csctp_assoc_value: CSCTP_SS_* (csctp.h). With an association (assoc_id
   * on one-to-many, or the one-to-one socket's), its scheduler; assoc_id
   * 0 on one-to-many (and before connect): the default for new ones. */
  CSCTP_OPT_STREAM_SCHEDULER = 97,
  /* csctp_stream_value: a stream's priority (CSCTP_SS_PRIO) or weight
   * (CSCTP_SS_WFQ); needs an association. */
  CSCTP_OPT_STREAM_SCHEDULER_VALUE = 98,
  /* int: RFC 6458 8.1.20 level 0, 1 or 2 (default 0), for the socket's
   * associations and those it sets up later. 0 and 1: a read never
   * returns parts of two messages of one association interleaved (partial
   * delivery, of DATA or I-DATA messages, finishes one message before the
   * reader gets another; with I-DATA the other streams' messages are
   * still received meanwhile); at 1 a one-to-many socket may return
   * another association's message between two parts (0: never). 2:
   * parts of messages of different streams and associations, and
   * notifications, may come in turn (csctp_recvv; the order is
   * csctp_set_fragment_interleave's, csctp.h), never two messages of one
   * stream; with I-DATA several messages, one per stream, are then under
   * partial delivery at once, so a large message stalled by loss no
   * longer holds back the others in the receive buffer. */
  CSCTP_OPT_FRAGMENT_INTERLEAVE = 99
};

/* CSCTP_OPT_STREAM_SCHEDULER_VALUE (RFC 8260 4.3.3 sctp_stream_value). */
typedef struct csctp_stream_value {
  csctp_assoc_id assoc_id;
  uint16_t stream_id;
  uint16_t stream_value;
} csctp_stream_value;

#define CSCTP_INTERLEAVING_SUPPORTED CSCTP_OPT_INTERLEAVING_SUPPORTED
#define CSCTP_STREAM_SCHEDULER CSCTP_OPT_STREAM_SCHEDULER
#define CSCTP_STREAM_SCHEDULER_VALUE CSCTP_OPT_STREAM_SCHEDULER_VALUE
#define CSCTP_FRAGMENT_INTERLEAVE CSCTP_OPT_FRAGMENT_INTERLEAVE

/* CSCTP_OPT_EXPLICIT_EOR (RFC 6458 8.1.26 SCTP_EXPLICIT_EOR): int, 0 or 1,
 * default 0. On, each csctp_sendv is a part of a message, ended by the
 * first part sent with CSCTP_SEND_EOR in its sndinfo flags (which may be
 * empty): a message larger than the send buffer can be written in parts.
 * Each part must fit the send buffer (CSCTP_ERR_MSGSIZE) and is accepted
 * whole or not at all (-EAGAIN); while a message is open on an association
 * a send on another stream fails with CSCTP_ERR_INVAL, and parts take no
 * PR-SCTP policy. See csctp_send (CSCTP_SEND_MORE) for the rules. */
#define CSCTP_OPT_EXPLICIT_EOR 100
#define CSCTP_EXPLICIT_EOR CSCTP_OPT_EXPLICIT_EOR

/* Zero checksum (RFC 9653 7.1), numbered apart too. */
enum csctp_sockopt_zcsum {
  /* uint32_t, set only: the error detection method (CSCTP_EDMID_*)
   * announced to future associations of the socket (its
   * settings.zero_checksum_edmid). CSCTP_EDMID_NONE always; another value
   * only on a CSCTP_TRANSPORT_CONN stack whose conn_edmid is that value,
   * else CSCTP_ERR_INVAL. */
  CSCTP_OPT_ACCEPT_ZERO_CHECKSUM = 101
};
#define CSCTP_ACCEPT_ZERO_CHECKSUM CSCTP_OPT_ACCEPT_ZERO_CHECKSUM

/* The RFC 6525 names. */
#define CSCTP_ENABLE_STREAM_RESET CSCTP_OPT_ENABLE_STREAM_RESET
#define CSCTP_RESET_STREAMS CSCTP_OPT_RESET_STREAMS
#define CSCTP_RESET_ASSOC CSCTP_OPT_RESET_ASSOC
#define CSCTP_ADD_STREAMS CSCTP_OPT_ADD_STREAMS
#define CSCTP_RECONFIG_SUPPORTED CSCTP_OPT_RECONFIG_SUPPORTED
#define CSCTP_STREAM_RESET_EVENT CSCTP_EV_STREAM_RESET
#define CSCTP_ASSOC_RESET_EVENT CSCTP_EV_ASSOC_RESET
#define CSCTP_STREAM_CHANGE_EVENT CSCTP_EV_STREAM_CHANGE
/* RFC 6458 6.1.7; raised when an I-FORWARD-TSN abandons a message being
 * read in parts (userland stack). */
#define CSCTP_PARTIAL_DELIVERY_EVENT CSCTP_EV_PARTIAL_DELIVERY

/* Dynamic address reconfiguration (RFC 5061; RFC 6458 8.1.23, 8.3.3).
 * CSCTP_OPT_ASCONF_SUPPORTED: csctp_assoc_value; set with assoc_id 0 before
 * connect / listen (turns AUTH on and asks for ASCONF and ASCONF-ACK
 * authenticated); get with an association: 1 when it uses ASCONF.
 * CSCTP_OPT_AUTO_ASCONF: int, 1 (default) or 0: whether csctp_bindx_op
 * sends ASCONF. CSCTP_OPT_SET_PEER_PRIMARY_ADDR: csctp_setpeerprim, set
 * only: ask the peer to use one of our addresses as its primary (Set
 * Primary Address). The peer's requests show as CSCTP_EV_PEER_ADDR_CHANGE
 * notifications with state CSCTP_PATH_ADDED, _REMOVED, _MADE_PRIMARY. */
enum {
  CSCTP_OPT_ASCONF_SUPPORTED = 112,
  CSCTP_OPT_AUTO_ASCONF = 113,
  CSCTP_OPT_SET_PEER_PRIMARY_ADDR = 114
};

/* CSCTP_OPT_PACING (RFC 6458 has none): csctp_assoc_value, pacing of DATA
 * per path, CSCTP_PACING_OFF (the default) or CSCTP_PACING_ON (csctp.h,
 * csctp_settings.pacing). Set on an association, it applies from its next
 * packet; on the socket's defaults, for associations set up afterwards.
 * Not on the kernel backend (-ENOPROTOOPT). */
enum { CSCTP_OPT_PACING = 128 };

/* CSCTP_OPT_IDATA_FSN_FROM0 (RFC 6458 has none), for Linux 6.1 peers:
 * csctp_assoc_value, 0 (default) or 1, csctp_settings.idata_fsn_from0.
 * Linux 6.1 numbers the I-DATA fragments after the B one from 0 where RFC
 * 8260 2.1 has 1, 2, ..., and waits for that numbering back, so our
 * fragmented messages never complete there until csctp has seen Linux's
 * numbering in a fragmented message Linux sent. 1 uses Linux's numbering
 * both ways from the start. Set on an association, it applies to the
 * messages whose first fragment goes from then on; on the socket's
 * defaults, to associations set up afterwards. INIT and INIT ACK name no
 * implementation or version, so csctp cannot choose this by itself. Not
 * on the kernel backend (-ENOPROTOOPT: Linux numbers its own). */
enum { CSCTP_OPT_IDATA_FSN_FROM0 = 136 };

#define CSCTP_ASCONF_SUPPORTED CSCTP_OPT_ASCONF_SUPPORTED
#define CSCTP_AUTO_ASCONF CSCTP_OPT_AUTO_ASCONF
#define CSCTP_SET_PEER_PRIMARY_ADDR CSCTP_OPT_SET_PEER_PRIMARY_ADDR

/* CSCTP_OPT_SET_PEER_PRIMARY_ADDR (RFC 6458 8.3.3 sctp_setpeerprim). */
typedef struct csctp_setpeerprim {
  csctp_assoc_id assoc_id;
  struct sockaddr_storage addr; /* one of our addresses; port ignored */
} csctp_setpeerprim;

/* CSCTP_OPT_RESET_STREAMS (RFC 6525 6.3.2 sctp_reset_streams): len =
 * sizeof(struct csctp_reset_streams) + 2 * srs_number_streams. */
struct csctp_reset_streams {
  csctp_assoc_id srs_assoc_id;
  uint16_t srs_flags;          /* CSCTP_STREAM_RESET_INCOMING, _OUTGOING */
  uint16_t srs_number_streams; /* 0: every stream */
  uint16_t srs_stream_list[];
};

/* CSCTP_OPT_ADD_STREAMS (RFC 6525 6.3.4 sctp_add_streams). */
struct csctp_add_streams {
  csctp_assoc_id sas_assoc_id;
  uint16_t sas_instrms;
  uint16_t sas_outstrms;
};

typedef struct csctp_initmsg {
  uint16_t num_ostreams;  /* outbound streams requested; 0 = keep */
  uint16_t max_instreams; /* inbound streams accepted; 0 = keep */
  uint16_t max_attempts;  /* INIT retransmissions; 0 = keep */
  uint16_t reserved;
  uint32_t max_init_timeout; /* ms, cap of the INIT timer; 0 = keep */
} csctp_initmsg;

typedef struct csctp_rtoinfo {
  csctp_assoc_id assoc_id;
  uint32_t initial, max, min; /* ms; 0 = keep (set) */
} csctp_rtoinfo;

typedef struct csctp_assocparams {
  csctp_assoc_id assoc_id;
  uint16_t max_retrans;       /* Association.Max.Retrans; 0 = keep */
  uint16_t peer_destinations; /* get: number of peer addresses */
  uint32_t peer_rwnd;         /* get only */
  uint32_t local_rwnd;        /* get only */
  uint32_t cookie_life;       /* ms, Valid.Cookie.Life; 0 = keep */
} csctp_assocparams;

typedef struct csctp_sack_info {
  csctp_assoc_id assoc_id;
  uint32_t delay; /* ms; 0 with freq 1 = SACK every packet */
  uint32_t freq;  /* SACK every freq-th packet; 0 = keep */
} csctp_sack_info;

typedef struct csctp_event_subscribe {
  csctp_assoc_id assoc_id; /* must be 0: subscriptions are per socket */
  uint16_t type;           /* enum csctp_event_type */
  uint8_t on;
  uint8_t reserved;
} csctp_event_subscribe;

/* CSCTP_OPT_PEER_ADDR_INFO: the value is a csctp_paddrinfo header followed
 * by room for path records; len = sizeof(csctp_paddrinfo) + k *
 * sizeof(csctp_path_status). On return npaths is the number of paths (may
 * exceed k: only k were written) and *len the bytes written. */
typedef struct csctp_paddrinfo {
  csctp_assoc_id assoc_id;
  uint32_t npaths;
  csctp_path_status paths[];
} csctp_paddrinfo;

typedef struct csctp_prim {
  csctp_assoc_id assoc_id;
  struct sockaddr_storage addr; /* SCTP port ignored on set */
} csctp_prim;

typedef struct csctp_assoc_value {
  csctp_assoc_id assoc_id;
  uint32_t value;
} csctp_assoc_value;

typedef struct csctp_linger {
  int onoff;  /* 0: default close (graceful, in the background) */
  int linger; /* seconds; with onoff, 0 aborts at close */
} csctp_linger;

typedef struct csctp_udpencaps {
  csctp_assoc_id assoc_id; /* must be 0 (socket level) */
  uint16_t port;           /* remote UDP encapsulation port; 0 = stack's */
  uint16_t reserved;
} csctp_udpencaps;

/* csctp_setsockopt sets option opt (enum csctp_sockopt) from the len bytes
 * at val, which must be exactly the option's type (len == sizeof, except
 * ints which accept sizeof(int)). Returns 0, -ENOPROTOOPT, CSCTP_ERR_INVAL
 * (bad length or value), CSCTP_ERR_NOT_FOUND (unknown assoc_id),
 * -EOPNOTSUPP (get-only option). */
CSCTP_API int csctp_setsockopt(csctp_sock *s, int opt, const void *val,
                               size_t len);

/* csctp_getsockopt reads option opt into val. *len holds the room at val on
 * entry and the bytes written on return. Input fields of the value (the
 * assoc_id of "assoc" structs) are read from val first. Returns 0,
 * -ENOPROTOOPT, CSCTP_ERR_INVAL (room too small), CSCTP_ERR_NOT_FOUND,
 * -ENOTCONN. */
CSCTP_API int csctp_getsockopt(csctp_sock *s, int opt, void *val, size_t *len);

/* ---- Lower layer (CSCTP_TRANSPORT_CONN) -------------------------------- */

/* The address of a lower-layer connection, for the socket calls of a
 * CSCTP_TRANSPORT_CONN stack (csctp_socket with family CSCTP_AF_CONN,
 * csctp_bindx, csctp_connectx, csctp_accept, csctp_getpaddrs, ...).
 * sconn_family is CSCTP_AF_CONN, sconn_port the SCTP port in network byte
 * order (as sin_port), sconn_addr the application's handle for the
 * connection: any non-NULL value, never dereferenced by the stack, handed
 * back to conn_output with each packet for that peer. Binding takes the
 * port only (the handle is ignored: a lower layer has no local addresses),
 * so one socket may serve associations over several connections, told
 * apart by handle. Per RFC 8261 6.1 associations here list no IP
 * addresses in INIT / INIT ACK and are single-homed. */
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) ||       \
    defined(__OpenBSD__) || defined(__DragonFly__)
#define CSCTP_SOCKADDR_HAS_LEN 1 /* BSD sockaddrs begin with their length */
#endif
struct csctp_sockaddr_conn {
#ifdef CSCTP_SOCKADDR_HAS_LEN
  uint8_t sconn_len;
#endif
  sa_family_t sconn_family;
  uint16_t sconn_port;
  void *sconn_addr;
};

/* csctp_conn_input gives the stack one SCTP packet (common header first)
 * that the lower layer received on the connection `handle`. The packet is
 * read during the call only (the caller keeps ownership of pkt). It is
 * processed at once: answers and data it releases are handed to
 * conn_output before the call returns, and sockets become readable as for
 * received datagrams. Never call it from inside conn_output. Returns 0
 * (a packet the engine drops, malformed or with a bad checksum, is still
 * 0 and counted in the stats), CSCTP_ERR_INVAL (NULL st or pkt, NULL
 * handle, len 0 or above 65536, or a stack not of CSCTP_TRANSPORT_CONN).
 */
CSCTP_API int csctp_conn_input(csctp_stack *st, void *handle, const void *pkt,
                               size_t len);

/* ---- Addresses and status (conveniences over the options) -------------- */

/* csctp_getladdrs writes up to max local addresses of the socket (the bound
 * ones; the wildcard address when bound to it) with the SCTP port, and
 * returns how many there are, or CSCTP_ERR_STATE when the socket is not
 * bound. */
CSCTP_API int csctp_getladdrs(const csctp_sock *s, struct sockaddr_storage *out,
                              size_t max);

/* csctp_getpaddrs writes up to max addresses of the peer of association
 * assoc_id (one-to-one: 0 = the socket's) with the peer's SCTP port, and
 * returns how many there are, or -ENOTCONN, CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_getpaddrs(const csctp_sock *s, csctp_assoc_id assoc_id,
                              struct sockaddr_storage *out, size_t max);

/* csctp_sock_assoc_id returns the association of a one-to-one socket (0 if
 * none yet). */
CSCTP_API csctp_assoc_id csctp_sock_assoc_id(const csctp_sock *s);

/* csctp_sock_status fills *st for association assoc_id (one-to-one: 0 = the
 * socket's). Returns 0, -ENOTCONN, CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_sock_status(const csctp_sock *s, csctp_assoc_id assoc_id,
                                csctp_assoc_status *st);

/* csctp_addr_from_sockaddr converts a sockaddr_in / sockaddr_in6 into *a
 * (port 0: native) and stores its SCTP port (host order) in *sctp_port when
 * not NULL. Returns 0 or CSCTP_ERR_INVAL. csctp_addr_to_sockaddr is the
 * reverse (sctp_port in host order) and returns the sockaddr length, or
 * CSCTP_ERR_INVAL. */
CSCTP_API int csctp_addr_from_sockaddr(csctp_addr *a, uint16_t *sctp_port,
                                       const struct sockaddr *sa,
                                       socklen_t salen);
CSCTP_API int csctp_addr_to_sockaddr(const csctp_addr *a, uint16_t sctp_port,
                                     struct sockaddr_storage *ss);

#ifdef __cplusplus
}
#endif
#endif
