/* io_transport.h -- internal: the transport interface of the I/O layer.
 *
 * A transport moves whole SCTP packets (common header first) between the
 * stack and the network: UDP encapsulation (io_udp.c, RFC 6951) or raw IP
 * protocol 132 (io_raw_linux.c). Its entry points take arrays of packets so
 * that batching system calls (recvmmsg / sendmmsg, later GSO / GRO) fit
 * without changing the callers. Not part of the public API. */
#ifndef CSCTP_IO_TRANSPORT_H
#define CSCTP_IO_TRANSPORT_H

#include "config.h"

#include "csctp_io.h"

#include <stddef.h>
#include <stdint.h>

/* Most packets handed over in one transport call. */
#define IO_BATCH 32
/* Room of one packet buffer: the largest UDP payload (and raw IPv4 packet,
 * header included). */
#define IO_PKT_ROOM 65536

/* One packet in a batch. On receive the transport fills len, peer (the
 * source: IP, plus the UDP source port under encapsulation) and local (the
 * destination IP, family 0 when unknown). On send the caller fills len, peer
 * (destination; its port is the UDP destination port under encapsulation)
 * and local (source IP to use, family 0 for the kernel's choice). */
typedef struct io_pkt {
  uint8_t *buf;
  size_t len;
  csctp_addr peer;
  csctp_addr local;
} io_pkt;

/* Counters a transport keeps (added into csctp_stack_stats). */
typedef struct io_transport_stats {
  uint64_t recv_batches, send_batches;
  uint64_t bad_src;     /* source unusable (UDP port 0, odd family) */
  uint64_t short_pkts;  /* truncated or shorter than an SCTP header */
  uint64_t send_errors; /* packets the kernel refused */
} io_transport_stats;

typedef struct io_transport io_transport;

typedef struct io_transport_ops {
  const char *name;
  /* recv receives up to n packets from the transport's fd number `which`
   * (0 <= which < nfds) into pkts[i].buf (each IO_PKT_ROOM bytes). Returns
   * the number received (0: nothing waiting), or a negated errno for a
   * failure of the socket itself. Packets that must be ignored are dropped
   * inside and counted. */
  int (*recv)(io_transport *t, int which, io_pkt *pkts, size_t n);
  /* send sends the n packets. Returns how many were handed to the kernel;
   * a packet the kernel refuses is counted in send_errors and skipped (SCTP
   * treats it as lost), so the return is n unless the socket itself broke
   * (then a negated errno). */
  int (*send)(io_transport *t, const io_pkt *pkts, size_t n);
  /* close closes the fds and frees t. */
  void (*close)(io_transport *t);
} io_transport_ops;

struct io_transport {
  const io_transport_ops *ops;
  int fds[2]; /* to wait on (io_poller_*; readable = recv has work) */
  int nfds;
  int families;      /* CSCTP_STACK_IPV4 / _IPV6 actually served */
  uint16_t udp_port; /* local UDP encapsulation port; 0 for raw IP */
  io_transport_stats stats;
};

/* Openers: store a transport in *out and return 0, or return a negated
 * errno / CSCTP_ERR_*. mem is the stack's allocator. */
int io_udp_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem);
int io_raw_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem);

/* Helpers shared by the transports (io_udp.c). */
int io_sockaddr_to_addr(csctp_addr *a, const void *sa, uint16_t *port);
int io_addr_to_sockaddr(const csctp_addr *a, uint16_t port,
                        struct sockaddr_storage *ss);
void io_set_bufsizes(int fd, const csctp_stack_config *cfg);

#endif
