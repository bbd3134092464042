/* io_kernel.h -- internal: the kernel SCTP backend (io_kernel_linux.c).
 *
 * The same socket API as csctp_io.h, over the operating system's own SCTP
 * sockets (Linux IPPROTO_SCTP, built against the kernel uapi header
 * <linux/sctp.h> only). A kernel socket is an io_ksock; every function
 * here mirrors the public csctp_* socket call of the same name and has the
 * same contract (arguments, return values, error codes), except where noted
 * "kernel:". io_sock.c dispatches to these when a csctp_sock is backed by
 * the kernel (its stack was made with CSCTP_TRANSPORT_KERNEL).
 *
 * Readiness: the kernel socket fd is the readiness fd for both sides
 * (io_ksock_fd): wait for it to be READABLE for the read side (recvv,
 * accept, next_notification) and WRITABLE for the write side (sendv, connect
 * completion). It is level-triggered: the edge contract of csctp_io.h does
 * not apply, nothing has to be drained.
 *
 * Only Linux has an implementation (io_kernel_linux.c, built on Linux
 * only): callers guard their use with IO_KERNEL_SUPPORTED.
 *
 * Not part of the public API, except csctp_kernel_available,
 * csctp_kernel_probe and csctp_kernel_why (CSCTP_API; to be declared in
 * csctp_io.h). */
#ifndef CSCTP_IO_KERNEL_H
#define CSCTP_IO_KERNEL_H

#include "csctp_io.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#if defined(__linux__)
#define IO_KERNEL_SUPPORTED 1
#else
#define IO_KERNEL_SUPPORTED 0
#endif

typedef struct io_ksock io_ksock;

/* ---- Probe -------------------------------------------------------------- */

/* csctp_kernel_probe tries socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP)
 * (and closes it). Returns 0 when the kernel has SCTP, else the negated
 * errno (-EPROTONOSUPPORT / -ESOCKTNOSUPPORT: no SCTP in the kernel, -EPERM /
 * -EACCES: forbidden by a security policy, ...). */
CSCTP_API int csctp_kernel_probe(void);

/* csctp_kernel_available returns 1 when csctp_kernel_probe() == 0, else 0. */
CSCTP_API int csctp_kernel_available(void);

/* csctp_kernel_why returns a static sentence naming why kernel SCTP sockets
 * cannot be made, for an error returned by csctp_kernel_probe or by the
 * creation of a kernel socket, e.g. "kernel has no SCTP (module sctp not
 * loaded?)"; for other codes csctp_strerror(err). */
CSCTP_API const char *csctp_kernel_why(int err);

/* ---- Sockets ------------------------------------------------------------ */

/* io_ksock_open creates a kernel socket: family AF_INET or AF_INET6, type
 * CSCTP_SOCK_STREAM (one-to-one, SOCK_STREAM) or CSCTP_SOCK_SEQPACKET
 * (one-to-many, SOCK_SEQPACKET); non-blocking and close-on-exec. mem: the
 * allocator for the io_ksock (NULL = the C library's; copied). settings:
 * protocol parameters applied to the kernel socket (RTO, INIT, association
 * retransmissions, cookie life, delayed SACK, heartbeat interval, path
 * retransmissions, nodelay, stream counts); NULL keeps the kernel's
 * defaults except SCTP_NODELAY, which is turned on as in the userland
 * engine. IPv4 peers of an AF_INET6 socket are given and returned as
 * sockaddr_in (SCTP_I_WANT_MAPPED_V4_ADDR off). Returns 0 and *out, or
 * CSCTP_ERR_INVAL, CSCTP_ERR_NOMEM, a negated errno from socket(2)
 * (csctp_kernel_why names the cause). */
int io_ksock_open(const csctp_mem *mem, int family, int type,
                  const csctp_settings *settings, io_ksock **out);

int io_ksock_bindx(io_ksock *k, const struct sockaddr *addrs, size_t n);
/* csctp_bindx_op: SCTP_SOCKOPT_BINDX_ADD / _REM on a bound socket. */
int io_ksock_bindx_op(io_ksock *k, const struct sockaddr *addrs, size_t n,
                      int flags);
int io_ksock_listen(io_ksock *k, int backlog);
int io_ksock_connectx(io_ksock *k, const struct sockaddr *addrs, size_t n,
                      csctp_assoc_id *assoc_id);
/* io_ksock_accept / io_ksock_peeloff make a new io_ksock (same allocator,
 * inheriting the subscriptions, default send info and linger of k). */
int io_ksock_accept(io_ksock *k, io_ksock **out, struct sockaddr_storage *peer,
                    socklen_t *peerlen);
int io_ksock_peeloff(io_ksock *k, csctp_assoc_id assoc_id, io_ksock **out);
csctp_ssize io_ksock_sendv(io_ksock *k, const struct iovec *iov, int iovcnt,
                           const struct sockaddr *to, const csctp_sndinfo *info,
                           int flags);
csctp_ssize io_ksock_recvv(io_ksock *k, const struct iovec *iov, int iovcnt,
                           struct sockaddr_storage *from, socklen_t *fromlen,
                           csctp_rcvinfo *info, int *msg_flags);
int io_ksock_shutdown(io_ksock *k, int how);
/* io_ksock_close closes the fd and frees k. NULL is allowed. */
int io_ksock_close(io_ksock *k);
int io_ksock_error(io_ksock *k);

/* io_ksock_fd is the kernel socket: csctp_sock_fd and csctp_sock_wfd of a
 * kernel socket both return it. */
int io_ksock_fd(const io_ksock *k);
int io_ksock_poll(const io_ksock *k);

int io_ksock_subscribe(io_ksock *k, uint32_t type, int on);
int io_ksock_next_notification(io_ksock *k, csctp_notification *n,
                               uint8_t *data, size_t datalen);

int io_ksock_setsockopt(io_ksock *k, int opt, const void *val, size_t len);
int io_ksock_getsockopt(io_ksock *k, int opt, void *val, size_t *len);

int io_ksock_getladdrs(const io_ksock *k, struct sockaddr_storage *out,
                       size_t max);
int io_ksock_getpaddrs(const io_ksock *k, csctp_assoc_id assoc_id,
                       struct sockaddr_storage *out, size_t max);
csctp_assoc_id io_ksock_assoc_id(const io_ksock *k);
int io_ksock_status(const io_ksock *k, csctp_assoc_id assoc_id,
                    csctp_assoc_status *st);

/* ---- Kernel-only extras -------------------------------------------------- */

/* Per-path parameters (SCTP_PEER_ADDR_PARAMS). addr: a peer address (SCTP
 * port ignored) or family 0 for the association / socket defaults. */
typedef struct io_kpaddrparams {
  csctp_assoc_id assoc_id;
  struct sockaddr_storage addr;
  uint32_t hb_interval;      /* ms; 0 = keep (set) */
  uint32_t hb_enabled;       /* get: 1/0; set: 1 enable, 2 disable, 0 keep */
  uint16_t path_max_retrans; /* 0 = keep (set) */
  uint16_t reserved;
  uint32_t path_mtu;   /* get only */
  uint32_t sack_delay; /* ms; get only */
} io_kpaddrparams;

int io_ksock_get_paddrparams(io_ksock *k, io_kpaddrparams *p);
int io_ksock_set_paddrparams(io_ksock *k, const io_kpaddrparams *p);

#endif
