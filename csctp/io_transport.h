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

/* The UDP transport uses Linux UDP segmentation offload when the kernel
 * has it: with UDP_GRO the kernel hands over several packets of one sender
 * coalesced, split here by the segment size it reports; with UDP_SEGMENT a
 * run of equal-size packets to one destination (the last may be shorter)
 * leaves in one sendmsg. Both are probed when the stack opens and dropped
 * for good (back to sendmmsg / recvmmsg alone) when the kernel or the
 * device refuses them. GRO is on by default; UDP_SEGMENT sends only with
 * the environment variable CSCTP_UDP_GSO=1: a segmented datagram reaches a
 * receiver on the same host (loopback, veth) whole, and Linux 6.1's own
 * SCTP over UDP panics on it (make test-kernel: "Fatal exception in
 * interrupt" in udp_queue_rcv_skb); peers on other hosts get the segments.
 * CSCTP_UDP_GSO=0 turns both off (benchmarks compare). */
#define IO_UDP_GSO_ENV "CSCTP_UDP_GSO"

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
  /* CSCTP_PKT_FRAG_OK from the engine: send with IP fragmentation allowed
   * (io_udp.c, io_raw_linux.c; RFC 8899 4.4). Outgoing packets only. */
  unsigned flags;
} io_pkt;

/* Counters a transport keeps (added into csctp_stack_stats). */
typedef struct io_transport_stats {
  uint64_t recv_batches, send_batches;
  uint64_t bad_src;     /* source unusable (UDP port 0, odd family) */
  uint64_t short_pkts;  /* truncated or shorter than an SCTP header */
  uint64_t send_errors; /* packets the kernel refused */
  /* UDP segmentation offload (io_udp.c): datagrams sent with UDP_SEGMENT
   * and the packets they carried; datagrams received coalesced by UDP_GRO
   * and the packets split out of them. */
  uint64_t gso_sends, gso_pkts, gro_recvs, gro_pkts;
  uint64_t frag_sends; /* packets sent with fragmentation allowed */
  uint64_t icmp_in;    /* ICMP errors read and handed on (io_icmp_drain) */
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
  /* Packets received but not yet returned by recv (a UDP_GRO datagram split
   * into more packets than the caller's batch took): recv has work even if
   * no fd is readable, so the caller must call it again soon. */
  size_t rx_pending;
  io_transport_stats stats;
  /* ICMP "port unreachable" for a datagram sent to dst (io_udp.c, with
   * IP_RECVERR): the transport calls unreach, when set, with the quoted
   * SCTP packet (pkt, len bytes). */
  void (*unreach)(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                  size_t len);
  void *unreach_ud;
  /* ICMP "fragmentation needed" / ICMPv6 "packet too big" for a datagram
   * to dst (io_udp.c): too_big, when set, gets the quoted SCTP packet and
   * the reported MTU less the IP and UDP headers (RFC 8899 4.6). Its user
   * data is unreach_ud. */
  void (*too_big)(void *ud, const csctp_addr *dst, const uint8_t *pkt,
                  size_t len, uint32_t size);
};

/* Openers: store a transport in *out and return 0, or return a negated
 * errno / CSCTP_ERR_*. mem is the stack's allocator. */
int io_udp_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem);
int io_raw_open(io_transport **out, const csctp_stack_config *cfg,
                const csctp_mem *mem);
/* The application's lower layer (io_conn.c): no fds; packets leave through
 * cfg->conn_output and come in through csctp_conn_input. */
int io_conn_open(io_transport **out, const csctp_stack_config *cfg,
                 const csctp_mem *mem);
/* io_conn_config_check returns 0 when cfg's zero checksum settings are
 * allowed (RFC 9653: only over a lower layer that protects the packets),
 * else CSCTP_ERR_INVAL. */
int io_conn_config_check(const csctp_stack_config *cfg);
/* io_stack_input (io_loop.c) processes one received packet at once. */
void io_stack_input(csctp_stack *st, const io_pkt *p);

/* Helpers shared by the transports (io_udp.c). */
int io_sockaddr_to_addr(csctp_addr *a, const void *sa, uint16_t *port);
int io_addr_to_sockaddr(const csctp_addr *a, uint16_t port,
                        struct sockaddr_storage *ss);
void io_set_bufsizes(int fd, const csctp_stack_config *cfg);
/* io_icmp_kind classifies an ICMP error from the error queue (its
 * sock_extended_err origin, type and code): IO_ICMP_UNREACH (port or
 * protocol unreachable: nobody serves the destination), IO_ICMP_TOO_BIG
 * (fragmentation needed / packet too big), or 0 (ignored). */
#define IO_ICMP_UNREACH 1
#define IO_ICMP_TOO_BIG 2
int io_icmp_kind(int origin, int type, int code);
/* io_icmp_drain reads fd's error queue (IP_RECVERR / IPV6_RECVERR set)
 * and hands each ICMP error io_icmp_kind keeps to t->unreach or
 * t->too_big with the quoted SCTP packet; l4hdr is the size of the header
 * between IP and SCTP (8 for UDP, 0 for raw IP). Linux only. */
void io_icmp_drain(io_transport *t, int fd, uint32_t l4hdr);
/* io_frag_begin allows IP fragmentation for the sends on fd (of family
 * af, AF_INET or AF_INET6) that follow: IPv4 with DF clear, IPv6 in
 * fragments of 1280 bytes (RFC 8899 4.4). It returns what io_frag_end
 * needs to restore the socket. */
int io_frag_begin(int fd, int af);
void io_frag_end(int fd, int af, int saved);

#endif
