/* csctp.h -- the public API of the csctp SCTP engine (RFC 9260).
 *
 * The engine is sans-IO: it never touches a socket or a clock. The caller
 * feeds it packets and the current time, pulls the packets it wants sent,
 * polls events and received messages, and calls it back when its next timer
 * is due:
 *
 *   csctp_endpoint_read_pkt()      a packet arrived
 *   csctp_endpoint_write_pkt()     fetch the next packet to send (loop to 0)
 *   csctp_endpoint_poll_events()   association events, in batches
 *   csctp_recv()                   received user messages
 *   csctp_endpoint_get_expiry()    when to call ...
 *   csctp_endpoint_handle_expiry() ... this
 *
 * Threading: one thread at a time per endpoint; no locks inside, no global
 * mutable state.
 *
 * Time (csctp_tstamp) is in nanoseconds from any fixed epoch the caller
 * chooses; it must never go backwards.
 *
 * Errors: every function that can fail returns 0 (or a non-negative count)
 * on success and a negative value on failure. Values in [-999, -1] are a
 * negated errno that the operating system reported (only the I/O layer
 * produces them); values in [-1999, -1000] are the library's own codes listed
 * below. csctp_strerror() names both.
 *
 * Byte order: every integer in these structs is in host byte order,
 * including the payload protocol identifier (PPID); the engine converts to
 * and from the wire's network byte order.
 */
#ifndef CSCTP_H
#define CSCTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CSCTP_API
#if defined(__GNUC__) || defined(__clang__)
#define CSCTP_API __attribute__((visibility("default")))
#else
#define CSCTP_API
#endif
#endif

/* ---- Basic types ------------------------------------------------------- */

/* Nanoseconds since an arbitrary epoch chosen by the caller. */
typedef uint64_t csctp_tstamp;
#define CSCTP_TSTAMP_NEVER UINT64_MAX
#define CSCTP_MILLISECONDS ((csctp_tstamp)1000000ULL)
#define CSCTP_SECONDS ((csctp_tstamp)1000000000ULL)

/* Association identifier, unique within an endpoint and never reused by it.
 * 0 means "no association" or, where documented, "any association". */
typedef uint32_t csctp_assoc_id;

typedef long csctp_ssize;

/* ---- Errors ------------------------------------------------------------ */

#define CSCTP_ERR_INVAL -1001     /* invalid argument */
#define CSCTP_ERR_NOMEM -1002     /* memory allocation failed */
#define CSCTP_ERR_NOBUF -1003     /* caller's buffer too small */
#define CSCTP_ERR_AGAIN -1004     /* would block: retry after progress */
#define CSCTP_ERR_NOT_FOUND -1005 /* no such association */
#define CSCTP_ERR_STATE -1006     /* not allowed in the current state */
#define CSCTP_ERR_STREAM -1007    /* stream id beyond the negotiated count */
#define CSCTP_ERR_MSGSIZE -1008   /* message larger than the send buffer */
#define CSCTP_ERR_MALFORMED -1009 /* malformed packet (dropped, counted) */
#define CSCTP_ERR_CHECKSUM -1010  /* bad CRC32c (dropped, counted) */
#define CSCTP_ERR_CLOSED -1011    /* association shut down or ended */
#define CSCTP_ERR_LIMIT -1012     /* a configured resource limit was hit */
#define CSCTP_ERR_ADDR -1013      /* unusable or unknown address */
#define CSCTP_ERR_ABORTED -1014   /* association aborted */
#define CSCTP_ERR_TIMEOUT -1015   /* association failed: peer unreachable */
#define CSCTP_ERR_REFUSED -1016   /* peer refused the association (ABORT) */
#define CSCTP_ERR_PROTO -1017     /* peer violated the protocol */
#define CSCTP_ERR_NOT_SUPPORTED -1018 /* feature unavailable here */
#define CSCTP_ERR_RANDOM -1019        /* the random source failed */

/* csctp_strerror returns a static, human readable description of err (a
 * library code or a negated errno). Never NULL. */
CSCTP_API const char *csctp_strerror(int err);

/* ---- Injected dependencies --------------------------------------------- */

/* csctp_mem is the allocator the engine uses for everything it allocates.
 * All four functions must be set; they follow the C library's contracts and
 * may return NULL, which the engine survives (the operation in progress fails
 * with CSCTP_ERR_NOMEM or the packet is dropped as if lost). */
typedef struct csctp_mem {
  void *user_data;
  void *(*malloc)(size_t size, void *user_data);
  void (*free)(void *ptr, void *user_data);
  void *(*calloc)(size_t nmemb, size_t size, void *user_data);
  void *(*realloc)(void *ptr, size_t size, void *user_data);
} csctp_mem;

/* csctp_mem_default returns the C library allocator. */
CSCTP_API const csctp_mem *csctp_mem_default(void);

/* csctp_rand_fn fills dest with len unpredictable bytes; returns 0, or a
 * negative value on failure. Verification tags, initial TSNs and the cookie
 * secret come from it. */
typedef int (*csctp_rand_fn)(uint8_t *dest, size_t len, void *user_data);

/* csctp_rand_default reads the kernel's getrandom(2). */
CSCTP_API int csctp_rand_default(uint8_t *dest, size_t len, void *user_data);

/* ---- Addresses --------------------------------------------------------- */

#define CSCTP_AF_INET 4
#define CSCTP_AF_INET6 6
/* A lower layer the application carries (csctp_io.h CSCTP_TRANSPORT_CONN;
 * SCTP over DTLS, RFC 8261, is the common one): the address is an opaque
 * handle the application chose, kept in ip[0 .. sizeof(void *)) (the other
 * bytes zero); see csctp_addr_set_conn. Such associations list no IP
 * addresses in INIT / INIT ACK (RFC 8261 6.1). The same number is the
 * sa_family of struct csctp_sockaddr_conn (csctp_io.h). */
#define CSCTP_AF_CONN 123

/* csctp_addr is one transport address of a peer or of ourselves: an IP
 * address plus, under UDP encapsulation (RFC 6951), the UDP port; port 0
 * means native SCTP over IP. The SCTP port is not part of it (an association
 * has one SCTP port per side). Two csctp_addr name the same path when family,
 * ip (and scope_id for IPv6) are equal; the UDP port is an attribute of the
 * path that RFC 6951 5.4 lets the peer change. */
typedef struct csctp_addr {
  uint8_t family;    /* CSCTP_AF_INET or CSCTP_AF_INET6; 0 = unspecified */
  uint8_t ip[16];    /* IPv4 in ip[0..3], network byte order */
  uint16_t port;     /* UDP encapsulation port, host order; 0 = native */
  uint32_t scope_id; /* IPv6 scope (interface index); 0 otherwise */
} csctp_addr;

/* csctp_addr_equal returns 1 when a and b name the same IP address (the UDP
 * port is ignored), else 0. */
CSCTP_API int csctp_addr_equal(const csctp_addr *a, const csctp_addr *b);

/* csctp_addr_set_conn makes *a the CSCTP_AF_CONN address of handle (any
 * pointer-sized value the application uses to name its lower-layer
 * connection; the engine never dereferences it). csctp_addr_conn_handle
 * returns the handle of such an address, NULL for other families. */
CSCTP_API void csctp_addr_set_conn(csctp_addr *a, void *handle);
CSCTP_API void *csctp_addr_conn_handle(const csctp_addr *a);

/* ---- Settings ---------------------------------------------------------- */

/* csctp_settings holds every protocol parameter. csctp_settings_default
 * fills in the defaults of RFC 9260 section 16 and those noted here. */
typedef struct csctp_settings {
  csctp_tstamp rto_initial;       /* RTO.Initial, 1 s */
  csctp_tstamp rto_min;           /* RTO.Min, 1 s */
  csctp_tstamp rto_max;           /* RTO.Max, 60 s */
  uint32_t rto_alpha_shift;       /* RTO.Alpha = 1/2^shift, 3 (1/8) */
  uint32_t rto_beta_shift;        /* RTO.Beta = 1/2^shift, 2 (1/4) */
  uint32_t max_init_retransmits;  /* Max.Init.Retransmits, 8 */
  csctp_tstamp max_init_timeout;  /* cap on the T1 timer; 0 = rto_max */
  uint32_t assoc_max_retrans;     /* Association.Max.Retrans, 10 */
  uint32_t path_max_retrans;      /* Path.Max.Retrans, 5 */
  csctp_tstamp hb_interval;       /* HB.interval, 30 s; 0 disables */
  csctp_tstamp sack_delay;        /* delayed SACK timer, 200 ms */
  uint32_t sack_freq;             /* SACK every Nth packet, 2 */
  uint16_t num_ostreams;          /* outbound streams requested, 10 */
  uint16_t max_instreams;         /* inbound streams accepted, 65535 */
  uint32_t rcvbuf;                /* receive buffer (bytes), 1 MiB */
  uint32_t sndbuf;                /* send buffer (bytes), 1 MiB */
  uint32_t max_burst;             /* Max.Burst (packets), 4 */
  csctp_tstamp valid_cookie_life; /* Valid.Cookie.Life, 60 s */
  /* Largest SCTP packet emitted, common header included, IP and UDP headers
   * excluded. Default 1452: fits a 1500-byte link under UDP/IPv6. */
  uint32_t pmtu;
  uint32_t nodelay;        /* 1: send at once (default); 0: coalesce */
  uint32_t max_assocs;     /* associations per endpoint, 16384 */
  uint32_t max_init_addrs; /* peer addresses kept from an INIT, 16 */
  /* Bytes our sender counts against the peer's receive window for each DATA
   * chunk on top of its user data, default 128. RFC 9260 6.2.1 counts user
   * data only (0 does that, as usrsctp and Linux do); receivers, ours
   * included, also spend memory per chunk, and 128 keeps a stream of tiny
   * messages from overrunning them. Values above 65536 count as 65536. */
  uint32_t peer_chunk_overhead;
  /* Congestion controller of new associations (and of each of their
   * paths): CSCTP_CC_RENO (0, the default), RFC 9260 7.2's algorithm, or
   * CSCTP_CC_CUBIC, RFC 9438 CUBIC with HyStart++ (RFC 9406) whose first
   * slow start also reads the bottleneck's rate from its ack trains: it
   * enters Conservative Slow Start at half the path's bandwidth-delay
   * product and ends by the BDP (no loss burst on queues shorter than half
   * a BDP), or CSCTP_CC_CUBIC_RFC9406, CUBIC with HyStart++ as RFC 9406
   * writes it (the delay increase alone). CSCTP_CC_CUBIC_TRAIN is a
   * synonym of CSCTP_CC_CUBIC (see CHANGES.md). */
  uint32_t cc;
  /* PR-SCTP (RFC 3758, policies of RFC 7496): 1 (default) advertises the
   * Forward-TSN-Supported parameter and FORWARD TSN in the Supported
   * Extensions parameter (RFC 5061 4.2.7) of INIT and INIT ACK; 0
   * advertises neither, and FORWARD TSN chunks are then treated as unknown
   * chunks. PR-SCTP is used only when both sides advertise it. */
  uint32_t pr_supported;
  /* Stream reconfiguration (RFC 6525): 1 (default, as usrsctp and Linux)
   * lists RE-CONFIG in the Supported Extensions parameter; used only when
   * the peer lists it too. reconf_enable: which of the peer's requests are
   * performed (CSCTP_ENABLE_RESET_STREAM_REQ, _RESET_ASSOC_REQ,
   * _CHANGE_ASSOC_REQ); the others are denied. Default 0: deny all (RFC
   * 6525 6.3.1). */
  uint32_t reconf_supported;
  uint32_t reconf_enable;
  /* Path MTU discovery, RFC 8899 (PLPMTUD, section 6.2 for SCTP): 1
   * (default) probes each path with HEARTBEAT + PAD packets from
   * BASE_PLPMTU (1200 bytes, csctp_path_status.mtu shows the size in use)
   * up to pmtu, which stays the upper bound; 0 uses pmtu on every path as
   * before. An upper bound below 1204 turns discovery off. */
  uint32_t pmtud;
  /* User message interleaving (RFC 8260): 1 lists I-DATA in the Supported
   * Extensions parameter; it is used when the peer lists it too, and then
   * carries every message (PR-SCTP is then off: I-FORWARD-TSN is not
   * implemented). Default 0: RFC 8260 2.2.1 has the user ask for it (the
   * reader must cope with messages of several streams arriving
   * interleaved; csctp_recv still returns one message at a time unless
   * fragment interleave level 2 is set, csctp_set_fragment_interleave). */
  uint32_t interleaving_supported;
  /* Stream scheduler of new associations (RFC 8260 3): CSCTP_SS_FCFS (0,
   * the default), _RR, _RR_PKT, _PRIO, _FB or _WFQ; see
   * csctp_set_stream_scheduler. */
  uint32_t stream_scheduler;
  /* Zero checksum (RFC 9653): the alternate error detection method
   * (CSCTP_EDMID_*) announced in the Zero Checksum Acceptable parameter of
   * INIT and INIT ACK; packets of an association whose peer announced the
   * same method then go with checksum zero (except those RFC 9653 5.2
   * names), and packets with checksum zero are accepted from it (5.3).
   * Default CSCTP_EDMID_NONE. Only for a lower layer that protects the
   * packets: the I/O layer refuses it except over CSCTP_TRANSPORT_CONN
   * with a matching csctp_stack_config.conn_edmid. */
  uint32_t zero_checksum_edmid;
  /* Pacing of DATA per path (RFC 9260 7.2 lets a sender send less than
   * cwnd allows): CSCTP_PACING_ON spreads a path's window over its
   * smoothed RTT, at 2 * cwnd / SRTT in slow start and 1.2 * cwnd / SRTT
   * after, in bursts of about 1 ms (2 to 16 packets), instead of sending
   * what each SACK opens back to back; either controller. Default
   * CSCTP_PACING_OFF (0): see CHANGES.md for what it was measured to do. */
  uint32_t pacing;
  /* For Linux 6.1 peers: 1 numbers the fragments after the B one of our
   * I-DATA messages from 0 (B, 0, 1, ...), as Linux 6.1 does and expects
   * back, and reads the peer's that way from its first fragment. Default 0:
   * RFC 8260 2.1 (B = 0, then 1, 2, ...) until the peer is seen numbering
   * from 0 (a fragment without B numbered 0), which csctp learns by itself
   * but only once Linux sent a fragmented message first (idata.h "Linux's
   * numbering"). Wrong with any other peer: its messages of three or more
   * fragments never complete. See CSCTP_OPT_IDATA_FSN_FROM0. */
  uint32_t idata_fsn_from0;
} csctp_settings;

/* Values of csctp_settings.pacing. */
#define CSCTP_PACING_OFF 0
#define CSCTP_PACING_ON 1

/* Stream schedulers (RFC 8260 3, 4.3.2). */
#define CSCTP_SS_FCFS 0   /* first come, first served (3.1) */
#define CSCTP_SS_RR 1     /* round robin (3.2) */
#define CSCTP_SS_RR_PKT 2 /* round robin per packet (3.3) */
#define CSCTP_SS_PRIO 3   /* priority, lowest value first (3.4) */
#define CSCTP_SS_FB 4     /* fair capacity (3.5) */
#define CSCTP_SS_WFQ 5    /* weighted fair queueing (3.6) */
#define CSCTP_SS_DEFAULT CSCTP_SS_FCFS

/* Error detection method identifiers (RFC 9653 8, csctp_settings.
 * zero_checksum_edmid). */
#define CSCTP_EDMID_NONE 0
#define CSCTP_EDMID_LOWER_LAYER_DTLS 1 /* SCTP over DTLS, RFC 9653 6 */

/* Values of csctp_settings.cc. */
#define CSCTP_CC_RENO 0
#define CSCTP_CC_CUBIC 1
#define CSCTP_CC_CUBIC_TRAIN 2   /* the same as CSCTP_CC_CUBIC */
#define CSCTP_CC_CUBIC_RFC9406 3 /* HyStart++ without the ack train */

CSCTP_API void csctp_settings_default(csctp_settings *s);

/* ---- Endpoint ---------------------------------------------------------- */

typedef struct csctp_endpoint csctp_endpoint;

/* csctp_endpoint_new creates an endpoint for SCTP port `port` (1..65535).
 * settings, mem and rand may be NULL for the defaults. settings is copied.
 * Stores the endpoint in *pep and returns 0, or CSCTP_ERR_INVAL,
 * CSCTP_ERR_NOMEM, CSCTP_ERR_RANDOM. The caller owns the endpoint and frees
 * it with csctp_endpoint_del. */
CSCTP_API int csctp_endpoint_new(csctp_endpoint **pep, uint16_t port,
                                 const csctp_settings *settings,
                                 const csctp_mem *mem, csctp_rand_fn rand,
                                 void *rand_user_data, csctp_tstamp now);

/* csctp_endpoint_del frees ep and every association in it without sending
 * anything (call csctp_abort or csctp_shutdown first for a polite exit).
 * NULL is allowed. */
CSCTP_API void csctp_endpoint_del(csctp_endpoint *ep);

/* csctp_endpoint_port returns the endpoint's SCTP port. */
CSCTP_API uint16_t csctp_endpoint_port(const csctp_endpoint *ep);

/* csctp_endpoint_set_local_addrs sets the addresses the endpoint lists in
 * INIT and INIT ACK (RFC 9260 5.1.2). n == 0 (the default) lists none, so the
 * peer uses the packet's source address. The array is copied. Returns 0,
 * CSCTP_ERR_INVAL or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_endpoint_set_local_addrs(csctp_endpoint *ep,
                                             const csctp_addr *addrs, size_t n);

/* csctp_endpoint_settings returns the endpoint's settings (used for new
 * associations). */
CSCTP_API const csctp_settings *
csctp_endpoint_settings(const csctp_endpoint *ep);

/* csctp_endpoint_set_settings replaces the settings used for associations
 * created from now on. Returns 0 or CSCTP_ERR_INVAL for values out of range.
 */
CSCTP_API int csctp_endpoint_set_settings(csctp_endpoint *ep,
                                          const csctp_settings *s);

/* csctp_budget is a memory budget that endpoints may share (the I/O layer
 * gives one to every endpoint of a stack) for the data their associations
 * hold for reading: received, being reassembled, or out of order. As it
 * fills, the receive windows they advertise shrink; when it is spent,
 * received data is dropped (the peer retransmits it), except each
 * association's first two path MTUs and the chunk that fills its lowest
 * hole, so none is starved into a deadlock. So `used` may pass `limit` by
 * at most that much per association. The caller owns the struct and sets
 * limit (bytes, 0: no limit) and zeroes the rest; the engine keeps them.
 * Each association is offered a window of at most its share of what is
 * left: the headroom divided among the associations holding data, and
 * by four (others may start sending). */
typedef struct csctp_budget {
  uint64_t limit;
  uint64_t used;
  uint64_t holders; /* associations holding some of it (engine's) */
} csctp_budget;

/* csctp_endpoint_set_budget makes ep charge b (NULL: none), which must
 * outlive ep. Returns 0, CSCTP_ERR_INVAL, or CSCTP_ERR_STATE if ep already
 * has associations. */
CSCTP_API int csctp_endpoint_set_budget(csctp_endpoint *ep, csctp_budget *b);

/* csctp_init_pacer spaces the INIT chunks of the endpoints that share it
 * (the I/O layer gives one to every endpoint of a stack), so that many
 * dials started at once do not send their INITs, nor later their
 * retransmissions, in one burst: at most `burst` INITs leave at once, then
 * one per `interval`. An INIT that has to wait leaves when its turn comes,
 * and its T1-init timer starts then (RFC 9260 5.1 A: after sending the
 * INIT); a retransmission waits the same way after T1-init expires. The
 * caller owns the struct, sets burst (0 counts as 1) and interval (0: no
 * pacing) and zeroes the rest; the engine keeps `next`. */
typedef struct csctp_init_pacer {
  uint32_t burst;
  csctp_tstamp interval;
  /* The engine's: when the last reserved INIT leaves, plus interval. */
  csctp_tstamp next;
} csctp_init_pacer;

/* csctp_endpoint_set_init_pacer makes ep's associations take their INIT
 * transmissions from p (NULL: none, the default: every INIT leaves at once),
 * which must outlive ep. Returns 0 or CSCTP_ERR_INVAL. */
CSCTP_API int csctp_endpoint_set_init_pacer(csctp_endpoint *ep,
                                            csctp_init_pacer *p);

/* csctp_endpoint_listen makes ep accept (enable != 0) or refuse (enable ==
 * 0, the default) incoming associations. Enabling reserves the ring the
 * answers to INITs are built in (so that answering never allocates).
 * Returns 0, or CSCTP_ERR_NOMEM (nothing changed). */
CSCTP_API int csctp_endpoint_listen(csctp_endpoint *ep, int enable);

/* csctp_pkt_ports reads the SCTP source and destination ports of a packet so
 * that a caller serving several endpoints can pick one. Returns 0 or
 * CSCTP_ERR_MALFORMED when len < 12. */
CSCTP_API int csctp_pkt_ports(const uint8_t *pkt, size_t len,
                              uint16_t *src_port, uint16_t *dst_port);

/* csctp_endpoint_read_pkt hands ep one received SCTP packet (common header
 * first). src is the peer's address as the packet arrived (IP and, under UDP
 * encapsulation, the UDP source port); dst is the local address it was sent
 * to (family 0 if unknown). The engine does not keep pkt. Returns 0 when the
 * packet was processed, CSCTP_ERR_MALFORMED or CSCTP_ERR_CHECKSUM when it was
 * dropped (also counted in csctp_endpoint_stats); other errors are not
 * fatal to ep either. CSCTP_ERR_MALFORMED is also returned when only the
 * tail of the packet was dropped: a malformed chunk and those after it,
 * the well-formed chunks before it having been processed (RFC 9260 6.10). */
CSCTP_API int csctp_endpoint_read_pkt(csctp_endpoint *ep, const csctp_addr *src,
                                      const csctp_addr *dst, const uint8_t *pkt,
                                      size_t len, csctp_tstamp now);

/* csctp_endpoint_write_pkt writes the next packet ep wants sent into buf and
 * its destination into *dst (and the local address to send from into *src,
 * family 0 for "any"). Call it until it returns 0.
 * Returns the packet length (> 0), 0 if there is nothing to send now, or
 * CSCTP_ERR_NOBUF if buflen is below the path MTU setting (nothing is lost).
 */
CSCTP_API csctp_ssize csctp_endpoint_write_pkt(csctp_endpoint *ep,
                                               csctp_addr *dst, csctp_addr *src,
                                               uint8_t *buf, size_t buflen,
                                               csctp_tstamp now);

/* Flags of a packet from csctp_endpoint_write_pkt_flags. */
/* CSCTP_PKT_FRAG_OK: the packet is larger than its path's current PLPMTU:
 * it carries DATA chunks cut before the path MTU fell (RFC 9260 7.3; they
 * cannot be cut again), so it must be sent with IP fragmentation allowed
 * (IPv4: DF clear; IPv6: source fragmentation) or it may never pass (RFC
 * 8899 4.4). Probe packets never carry it (they must not be fragmented). */
#define CSCTP_PKT_FRAG_OK 0x1u

/* csctp_endpoint_write_pkt_flags is csctp_endpoint_write_pkt that also
 * stores the packet's CSCTP_PKT_* flags in *flags (when not NULL; 0 when
 * nothing is returned). A caller that sends on real networks should use
 * it and honour CSCTP_PKT_FRAG_OK. */
CSCTP_API csctp_ssize csctp_endpoint_write_pkt_flags(
    csctp_endpoint *ep, csctp_addr *dst, csctp_addr *src, uint8_t *buf,
    size_t buflen, csctp_tstamp now, unsigned *flags);

/* csctp_endpoint_poll_changed moves up to max ids of associations that
 * something happened to (a packet, a timer, a call that may have changed
 * what they have to read or room to send) into ids (NULL: discard), oldest
 * first, and returns how many. Each id is listed once until polled; an id
 * may name an association that is gone since. *overflow (if not NULL) is
 * set to 1 when the list could not hold every change: the caller must then
 * re-check all its associations. Lets a caller keep readiness without
 * looking at every association after every step. */
CSCTP_API size_t csctp_endpoint_poll_changed(csctp_endpoint *ep,
                                             csctp_assoc_id *ids, size_t max,
                                             int *overflow);

/* csctp_endpoint_next_readable iterates the associations that have data to
 * read (csctp_recv), the one that has waited longest first: after 0 gives
 * the first, after an id the one that follows it. Returns 0 at the end (or
 * when after has nothing to read any more). */
CSCTP_API csctp_assoc_id csctp_endpoint_next_readable(const csctp_endpoint *ep,
                                                      csctp_assoc_id after);

/* csctp_endpoint_assoc_by_peer returns the id of the live association
 * whose peer has the IP address addr (one of its paths; the UDP port is not
 * compared) and SCTP port peer_port, or 0. */
CSCTP_API csctp_assoc_id csctp_endpoint_assoc_by_peer(const csctp_endpoint *ep,
                                                      const csctp_addr *addr,
                                                      uint16_t peer_port);

/* csctp_endpoint_get_expiry returns when csctp_endpoint_handle_expiry must
 * next be called, or CSCTP_TSTAMP_NEVER. Its cost does not grow with the
 * number of associations (a timer heap). */
CSCTP_API csctp_tstamp csctp_endpoint_get_expiry(const csctp_endpoint *ep);

/* csctp_endpoint_handle_expiry runs every timer due at now. Returns 0. */
CSCTP_API int csctp_endpoint_handle_expiry(csctp_endpoint *ep,
                                           csctp_tstamp now);

/* csctp_endpoint_icmp_unreach reports an ICMP / ICMPv6 "destination
 * unreachable" (protocol unreachable; under UDP encapsulation also port
 * unreachable, which RFC 6951 5.5 maps to it) for a packet ep sent to dst:
 * pkt holds the SCTP packet as far as the ICMP message quotes it (common
 * header first, len bytes). Per RFC 9260 section 10 the association that
 * sent it is found and its Verification Tag checked (a quoted tag 0 must
 * be our INIT with our tag); then an association still being set up fails
 * at once (CSCTP_EV_ASSOC_LOST with CSCTP_LOST_REFUSED, CSCTP_ERR_REFUSED),
 * an established one counts a path error. Returns 1 when an association
 * took it, 0 when it was ignored, CSCTP_ERR_INVAL. */
CSCTP_API int csctp_endpoint_icmp_unreach(csctp_endpoint *ep,
                                          const csctp_addr *dst,
                                          const uint8_t *pkt, size_t len,
                                          csctp_tstamp now);

/* csctp_endpoint_icmp_too_big reports an ICMP "fragmentation needed"
 * (IPv4 type 3 code 4) or ICMPv6 "packet too big" (type 2) for a packet ep
 * sent to dst: pkt and len as for csctp_endpoint_icmp_unreach, size the
 * MTU the message reports less the IP (and UDP) headers the caller's
 * transport adds, i.e. in the units of csctp_settings.pmtu. The quote is
 * validated (RFC 9260 appendix C: ports, the Verification Tag of the
 * association, and a quoted DATA chunk's TSN must be in flight; RFC 8899
 * 4.6.1), then the path's PLPMTU is lowered per RFC 8899 4.6.2, never
 * below BASE_PLPMTU (1200); with discovery off the message is ignored.
 * Returns 1 when an association took it, 0 when it was ignored,
 * CSCTP_ERR_INVAL. */
CSCTP_API int csctp_endpoint_icmp_too_big(csctp_endpoint *ep,
                                          const csctp_addr *dst,
                                          const uint8_t *pkt, size_t len,
                                          uint32_t size, csctp_tstamp now);

/* Counters kept per endpoint. */
typedef struct csctp_endpoint_stats {
  uint64_t pkts_in, pkts_out;
  uint64_t malformed;     /* dropped: bad lengths, bad chunk layout */
  uint64_t bad_checksum;  /* dropped: CRC32c mismatch */
  uint64_t bad_vtag;      /* dropped: verification tag rules, 8.5 */
  uint64_t ootb;          /* out of the blue packets, 8.4 */
  uint64_t bad_cookie;    /* COOKIE ECHO with bad MAC or too old */
  uint64_t inits_dropped; /* INITs not answered (limits, backpressure) */
  uint64_t assocs;        /* associations now */
} csctp_endpoint_stats;

CSCTP_API void csctp_endpoint_stats_get(const csctp_endpoint *ep,
                                        csctp_endpoint_stats *st);

/* csctp_endpoint_assoc_ids writes up to max association ids into ids and
 * returns how many associations exist (may exceed max). */
CSCTP_API size_t csctp_endpoint_assoc_ids(const csctp_endpoint *ep,
                                          csctp_assoc_id *ids, size_t max);

/* ---- Associations ------------------------------------------------------ */

/* csctp_connect starts an association to the peer's SCTP port on the given
 * transport addresses (the first is the primary path; at most
 * settings.max_init_addrs). It queues an INIT; progress is reported by
 * CSCTP_EV_ASSOC_UP or CSCTP_EV_ASSOC_LOST. settings may be NULL for the
 * endpoint's. Stores the new id in *id. Returns 0, CSCTP_ERR_INVAL,
 * CSCTP_ERR_NOMEM, CSCTP_ERR_LIMIT, or CSCTP_ERR_STATE if an association to
 * that peer already exists. */
CSCTP_API int csctp_connect(csctp_endpoint *ep, const csctp_addr *addrs,
                            size_t naddrs, uint16_t peer_port,
                            const csctp_settings *settings, csctp_tstamp now,
                            csctp_assoc_id *id);

/* Association states, RFC 9260 4. */
enum csctp_state {
  CSCTP_STATE_CLOSED = 0,
  CSCTP_STATE_COOKIE_WAIT,
  CSCTP_STATE_COOKIE_ECHOED,
  CSCTP_STATE_ESTABLISHED,
  CSCTP_STATE_SHUTDOWN_PENDING,
  CSCTP_STATE_SHUTDOWN_SENT,
  CSCTP_STATE_SHUTDOWN_RECEIVED,
  CSCTP_STATE_SHUTDOWN_ACK_SENT
};

/* Send flags (csctp_sndinfo.flags). */
#define CSCTP_SEND_UNORDERED 0x0001 /* deliver without stream order */
#define CSCTP_SEND_EOF 0x0002       /* graceful shutdown after this message */
#define CSCTP_SEND_ABORT 0x0004     /* abort; the data is the user reason */
#define CSCTP_SEND_SACK_NOW 0x0008  /* set the I bit (RFC 9260 3.3.1) */
/* More parts of this message follow (csctp_send; RFC 6458 8.1.26 explicit
 * EOR: a send without it ends the message). */
#define CSCTP_SEND_MORE 0x0010
/* csctp_sendv on a socket with CSCTP_OPT_EXPLICIT_EOR: this part ends the
 * message (RFC 6458 SCTP_EOR). Ignored elsewhere. */
#define CSCTP_SEND_EOR 0x0020

/* PR-SCTP policies (csctp_sndinfo.pr_policy): RFC 6458 5.3.7 and RFC 7496
 * 4.2, with the values of usrsctp / FreeBSD. */
#define CSCTP_PR_SCTP_NONE 0 /* reliable */
#define CSCTP_PR_SCTP_TTL 1  /* pr_value: lifetime in milliseconds */
#define CSCTP_PR_SCTP_PRIO 2 /* pr_value: priority, 0 the highest */
#define CSCTP_PR_SCTP_RTX 3  /* pr_value: retransmissions allowed */
#define CSCTP_PR_SCTP_MAX 3
#define CSCTP_PR_SCTP_ALL 0xF /* csctp_pr_status_get: every policy */

typedef struct csctp_sndinfo {
  uint16_t sid;     /* stream id */
  uint16_t flags;   /* CSCTP_SEND_* */
  uint32_t ppid;    /* payload protocol id, host order */
  uint32_t context; /* returned in CSCTP_EV_SEND_FAILED */
  csctp_assoc_id assoc_id;
  /* PR-SCTP (RFC 3758, RFC 7496): CSCTP_PR_SCTP_* and its value. Applied
   * only on an association where both sides support PR-SCTP; elsewhere
   * the message is sent reliably (RFC 6458 5.3.7: NONE means reliable, and
   * RFC 3758 3.3.2 forbids FORWARD TSN there). */
  uint16_t pr_policy;
  uint32_t pr_value;
} csctp_sndinfo;

/* csctp_send queues one user message of len bytes (1 <= len) on association
 * info->assoc_id, copying data. dst selects a path (NULL: the primary).
 * Messages are atomic: the whole message is queued or none of it.
 * With CSCTP_SEND_MORE, data is a part of a message that later sends on the
 * same stream continue, the first one without CSCTP_SEND_MORE ending it (it
 * may be empty); each part is atomic and must fit the send buffer, the
 * message need not. While such a message is open, a send on another stream
 * returns CSCTP_ERR_INVAL (one message at a time: its fragments take
 * consecutive TSNs, RFC 9260 6.9); parts take no PR-SCTP policy
 * (CSCTP_ERR_INVAL). See RFC 6458 8.1.26.
 * With CSCTP_SEND_EOF and len == 0 it only starts a graceful shutdown; with
 * CSCTP_SEND_ABORT it aborts, data being the reason (may be empty).
 * Returns 0, CSCTP_ERR_AGAIN (send buffer full now, or 2^16 - 1 ordered
 * messages of the stream outstanding (RFC 9260 6.1); retry after SACKs),
 * CSCTP_ERR_MSGSIZE (len exceeds the send buffer), CSCTP_ERR_STREAM,
 * CSCTP_ERR_NOT_FOUND, CSCTP_ERR_STATE (shutting down or closed),
 * CSCTP_ERR_NOMEM, CSCTP_ERR_INVAL. */
CSCTP_API int csctp_send(csctp_endpoint *ep, const csctp_sndinfo *info,
                         const csctp_addr *dst, const uint8_t *data, size_t len,
                         csctp_tstamp now);

/* csctp_send_space returns how many bytes csctp_send would accept now on
 * the association (0 if none or unknown). */
CSCTP_API size_t csctp_send_space(const csctp_endpoint *ep, csctp_assoc_id id);

/* Receive flags (csctp_rcvinfo.flags). */
#define CSCTP_RCV_UNORDERED 0x0001 /* message was sent unordered */
#define CSCTP_RCV_EOR 0x0002       /* this read completes the message */

typedef struct csctp_rcvinfo {
  uint16_t sid;
  uint16_t ssn;
  uint16_t flags; /* CSCTP_RCV_* */
  uint32_t ppid;  /* host order */
  uint32_t tsn;   /* TSN of the message's first fragment */
  uint32_t cumtsn;
  csctp_assoc_id assoc_id;
  csctp_addr from; /* path the message's last fragment came on */
} csctp_rcvinfo;

/* csctp_recv copies the next received message (or the next part of it) of
 * association id (0: any association of ep, oldest first) into buf. When the
 * message is longer than buflen, buflen bytes are copied, CSCTP_RCV_EOR is
 * clear, and the next call continues the same message. A message may also
 * come in parts when it exceeds the receive buffer (partial delivery).
 * Returns the bytes copied (> 0), or CSCTP_ERR_AGAIN when nothing is ready,
 * once the association has ended and everything was read: why it ended
 * (CSCTP_ERR_CLOSED after a graceful shutdown, CSCTP_ERR_ABORTED,
 * CSCTP_ERR_TIMEOUT, CSCTP_ERR_REFUSED),
 * CSCTP_ERR_NOT_FOUND. Reading opens the receive window; a window update may
 * be queued for sending. */
CSCTP_API csctp_ssize csctp_recv(csctp_endpoint *ep, csctp_assoc_id id,
                                 csctp_rcvinfo *info, uint8_t *buf,
                                 size_t buflen, csctp_tstamp now);

/* csctp_recv_cont reads as csctp_recv, but only the next part of the
 * message the last read of association id (not 0) left unfinished:
 * CSCTP_ERR_AGAIN when there is none or nothing more of it has arrived,
 * never a part of another message. For scatter reads (csctp_recvv) at
 * fragment interleave level 2, where csctp_recv may move to another
 * stream's message. */
CSCTP_API csctp_ssize csctp_recv_cont(csctp_endpoint *ep, csctp_assoc_id id,
                                      csctp_rcvinfo *info, uint8_t *buf,
                                      size_t buflen, csctp_tstamp now);

/* csctp_set_fragment_interleave sets the fragment interleave level (RFC
 * 6458 8.1.20) of association id's reads, or with id 0 of associations
 * created from now on. 0 (the default) and 1: csctp_recv returns one
 * message, or its parts one after the other, before the next message of
 * the association; while a message under partial delivery waits for its
 * next part, nothing else of the association is read. 2: csctp_recv may
 * return a part of another stream's message in between (each read's
 * csctp_rcvinfo names its stream, sid; its SSN, with I-DATA the low 16
 * bits of the MID, RFC 8260 4.1; the PPID; CSCTP_RCV_EOR on the last
 * part), so a stalled message no longer holds back the other streams;
 * within a stream, messages still come one after the other (RFC 8260
 * 4.3.1: ordered and unordered alike). With I-DATA, level 2 also lets
 * several messages, one per stream, be under partial delivery at once.
 * Order at level 2: round robin over the messages with bytes to read, in
 * the order they became readable; each read continues after the message
 * the previous read left unfinished. At levels 0 and 1, with I-DATA, two
 * large messages interleaved on the wire may together exceed what the
 * receive buffer holds for incomplete messages and stall: RFC 8260 4.3.1
 * has readers of interleaved associations use level 2. Returns 0,
 * CSCTP_ERR_INVAL, CSCTP_ERR_NOT_FOUND or CSCTP_ERR_NOMEM.
 * csctp_fragment_interleave returns the level (>= 0) or such an error. */
CSCTP_API int csctp_set_fragment_interleave(csctp_endpoint *ep,
                                            csctp_assoc_id id, int level);
CSCTP_API int csctp_fragment_interleave(const csctp_endpoint *ep,
                                        csctp_assoc_id id);

/* csctp_recv_pending returns the number of received bytes on association
 * id (0: on all of ep) queued for reading, counted only while csctp_recv
 * would return data now (0 while the next message still waits for a
 * missing fragment or an earlier message of its stream). */
CSCTP_API size_t csctp_recv_pending(const csctp_endpoint *ep,
                                    csctp_assoc_id id);

/* csctp_shutdown starts a graceful shutdown (RFC 9260 9.2): queued data is
 * still sent, then SHUTDOWN. Returns 0, CSCTP_ERR_NOT_FOUND, or
 * CSCTP_ERR_STATE if it is already closing. */
CSCTP_API int csctp_shutdown(csctp_endpoint *ep, csctp_assoc_id id,
                             csctp_tstamp now);

/* csctp_abort aborts the association at once (RFC 9260 9.1), sending ABORT
 * with a User-Initiated Abort cause carrying reason (may be NULL/0).
 * Unsent messages are reported by CSCTP_EV_SEND_FAILED. Returns 0 or
 * CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_abort(csctp_endpoint *ep, csctp_assoc_id id,
                          const uint8_t *reason, size_t reason_len,
                          csctp_tstamp now);

/* csctp_assoc_release forgets an association at once, discarding unread
 * data and sending nothing. An association that has ended is otherwise
 * freed by the engine once its events were polled and its data read.
 * Returns 0 or CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_assoc_release(csctp_endpoint *ep, csctp_assoc_id id);

/* csctp_assoc_settings copies the association's settings into *s.
 * csctp_assoc_set_settings changes them; stream counts, buffer sizes and
 * init parameters only matter before the association is up. Both return 0,
 * CSCTP_ERR_NOT_FOUND or CSCTP_ERR_INVAL. */
CSCTP_API int csctp_assoc_settings(const csctp_endpoint *ep, csctp_assoc_id id,
                                   csctp_settings *s);
CSCTP_API int csctp_assoc_set_settings(csctp_endpoint *ep, csctp_assoc_id id,
                                       const csctp_settings *s);

/* Path states (RFC 9260 8.2; RFC 7829 adds potentially failed). */
enum csctp_path_state {
  CSCTP_PATH_ACTIVE = 0,
  CSCTP_PATH_INACTIVE,
  CSCTP_PATH_UNCONFIRMED,
  CSCTP_PATH_POTENTIALLY_FAILED,
  /* Only in CSCTP_EV_PEER_ADDR_CHANGE events (RFC 6458 6.1.2 SCTP_ADDR_
   * ADDED, _REMOVED, _MADE_PRIM): the peer added or deleted the address,
   * or asked for it as our primary, by ASCONF (RFC 5061). */
  CSCTP_PATH_ADDED,
  CSCTP_PATH_REMOVED,
  CSCTP_PATH_MADE_PRIMARY
};

typedef struct csctp_path_status {
  csctp_addr addr;
  uint32_t state; /* enum csctp_path_state */
  uint32_t is_primary;
  uint32_t cwnd, ssthresh, flight_size, partial_bytes_acked;
  uint32_t error_count;
  uint32_t mtu; /* path MTU in use (PLPMTU when discovery is on) */
  csctp_tstamp srtt, rttvar, rto; /* srtt 0 until measured */
  /* RFC 8899 5.2 state of path MTU discovery: CSCTP_PMTUD_* */
  uint32_t pmtud_state;
} csctp_path_status;

/* Values of csctp_path_status.pmtud_state (RFC 8899 5.2). */
#define CSCTP_PMTUD_STATE_DISABLED 0
#define CSCTP_PMTUD_STATE_BASE 1
#define CSCTP_PMTUD_STATE_SEARCHING 2
#define CSCTP_PMTUD_STATE_SEARCH_COMPLETE 3
#define CSCTP_PMTUD_STATE_ERROR 4

typedef struct csctp_assoc_status {
  csctp_assoc_id assoc_id;
  uint32_t state; /* enum csctp_state */
  uint16_t peer_port;
  uint16_t inbound_streams, outbound_streams;
  uint32_t peer_rwnd;   /* peer's receive window as we track it */
  uint32_t local_rwnd;  /* window we advertise */
  uint32_t unacked;     /* DATA chunks in flight */
  uint32_t pending;     /* DATA chunks queued, not yet sent */
  uint32_t send_queued; /* bytes held in the send buffer */
  uint32_t recv_queued; /* bytes received, not read */
  uint32_t frag_point;  /* largest user data per DATA chunk */
  uint32_t npaths;
  csctp_addr primary;
  uint64_t retransmits, fast_retransmits, t3_expiries;
  uint64_t data_chunks_out, data_chunks_in, dup_tsns_in;
  uint64_t pkts_out, pkts_in;
  /* Retransmissions the peer reported as duplicates (its SACK's Duplicate
   * TSNs, RFC 9260 3.3.4): the original had arrived after all. */
  uint64_t spurious_retransmits;
  /* Tail loss probes sent (RFC 8985 7) and Fast Recovery periods entered
   * (RFC 9260 7.2.4) or restarted by a lost retransmission (RFC 8985 9.3):
   * each one a cwnd reduction. */
  uint64_t tail_loss_probes, fast_recoveries;
  /* PR-SCTP: 1 when both sides support it (RFC 3758 3.3); messages
   * abandoned by a PR-SCTP policy before any part was sent, and after
   * (RFC 7496 4.4, every policy). */
  uint32_t pr_enabled;
  uint64_t pr_abandoned_unsent, pr_abandoned_sent;
  /* Stream reconfiguration: 1 when both sides listed RE-CONFIG (RFC 6525
   * 5.1.1); the peer's requests performed (CSCTP_ENABLE_* bits). */
  uint32_t reconf_enabled, reconf_enable;
} csctp_assoc_status;

/* csctp_assoc_status_get fills *st. Returns 0 or CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_assoc_status_get(const csctp_endpoint *ep,
                                     csctp_assoc_id id, csctp_assoc_status *st);

/* PR-SCTP statistics (RFC 7496 4.3, 4.4): user messages abandoned by a
 * policy before any part of them was sent, and after. */
typedef struct csctp_pr_status {
  uint64_t abandoned_unsent, abandoned_sent;
} csctp_pr_status;

/* csctp_pr_status_get fills *st with the counts of association id for
 * policy (CSCTP_PR_SCTP_TTL, _PRIO, _RTX or _ALL), on outbound stream sid,
 * or on every stream when sid is -1. Returns 0, CSCTP_ERR_NOT_FOUND,
 * CSCTP_ERR_INVAL (policy NONE or unknown, st NULL) or CSCTP_ERR_STREAM
 * (sid not an outbound stream). */
CSCTP_API int csctp_pr_status_get(const csctp_endpoint *ep, csctp_assoc_id id,
                                  int sid, uint16_t policy,
                                  csctp_pr_status *st);

/* csctp_assoc_paths writes up to max path records and returns the number of
 * paths, or CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_assoc_paths(const csctp_endpoint *ep, csctp_assoc_id id,
                                csctp_path_status *out, size_t max);

/* csctp_assoc_set_primary makes addr the primary path. Returns 0,
 * CSCTP_ERR_NOT_FOUND or CSCTP_ERR_ADDR (not a path of the association). */
CSCTP_API int csctp_assoc_set_primary(csctp_endpoint *ep, csctp_assoc_id id,
                                      const csctp_addr *addr);

/* ---- Events ------------------------------------------------------------ */

enum csctp_event_type {
  CSCTP_EV_ASSOC_UP = 1,      /* COMM_UP: established */
  CSCTP_EV_ASSOC_LOST,        /* association ended abnormally */
  CSCTP_EV_ASSOC_RESTART,     /* peer restarted (RFC 9260 5.2) */
  CSCTP_EV_SHUTDOWN_COMPLETE, /* graceful shutdown finished */
  CSCTP_EV_SHUTDOWN_RECEIVED, /* peer sent SHUTDOWN: no more data */
  CSCTP_EV_SEND_FAILED,       /* a message could not be delivered */
  CSCTP_EV_PEER_ADDR_CHANGE,  /* a path changed state */
  CSCTP_EV_REMOTE_ERROR,      /* peer sent an ERROR chunk */
  CSCTP_EV_SENDER_DRY,        /* everything sent was acknowledged */
  CSCTP_EV_AUTHENTICATION,    /* AUTH key use changed (RFC 6458 6.1.8) */
  CSCTP_EV_STREAM_RESET,      /* streams were reset (RFC 6525 6.1.1) */
  CSCTP_EV_ASSOC_RESET,       /* SSN/TSN reset (RFC 6525 6.1.2) */
  CSCTP_EV_STREAM_CHANGE,     /* streams were added (RFC 6525 6.1.3) */
  CSCTP_EV_PARTIAL_DELIVERY   /* partial delivery aborted (RFC 6458 6.1.7) */
};

/* csctp_event.u.stream_reset.flags (RFC 6525 6.1.1) and
 * csctp_event.u.stream_change.flags (6.1.3: DENIED, FAILED). */
#define CSCTP_STREAM_RESET_INCOMING_SSN 0x0001
#define CSCTP_STREAM_RESET_OUTGOING_SSN 0x0002
#define CSCTP_STREAM_RESET_DENIED 0x0004
#define CSCTP_STREAM_RESET_FAILED 0x0008
#define CSCTP_STREAM_CHANGE_DENIED 0x0004
#define CSCTP_STREAM_CHANGE_FAILED 0x0008

/* csctp_event.u.pdapi.indication (RFC 6458 6.1.7). */
#define CSCTP_PARTIAL_DELIVERY_ABORTED 0

/* Why an association was lost (csctp_event.u.lost.reason). */
enum csctp_lost_reason {
  CSCTP_LOST_PEER_ABORT = 1, /* peer sent ABORT */
  CSCTP_LOST_USER_ABORT,     /* csctp_abort */
  CSCTP_LOST_TIMEOUT,        /* Association.Max.Retrans exceeded */
  CSCTP_LOST_INIT_FAILED,    /* no answer to INIT/COOKIE ECHO (can't start) */
  CSCTP_LOST_REFUSED,        /* peer answered the INIT with ABORT */
  CSCTP_LOST_PROTOCOL,       /* we aborted on a protocol violation */
  CSCTP_LOST_NOMEM           /* we aborted: out of memory */
};

typedef struct csctp_event {
  uint32_t type; /* enum csctp_event_type */
  csctp_assoc_id assoc_id;
  union {
    struct { /* ASSOC_UP, ASSOC_RESTART */
      uint16_t outbound_streams, inbound_streams;
      uint16_t peer_port;
      csctp_addr peer; /* primary path */
    } up;
    struct {               /* ASSOC_LOST */
      uint32_t reason;     /* enum csctp_lost_reason */
      uint16_t cause_code; /* first error cause in the ABORT, or 0 */
    } lost;
    struct { /* SEND_FAILED; data is owned by the event (csctp_event_clear) */
      csctp_sndinfo info;
      uint32_t was_sent; /* 1 if some of it was sent (maybe delivered) */
      uint8_t *data;
      size_t len;
      /* 1: abandoned by its PR-SCTP policy (RFC 3758 3.4) on a live
       * association; 0: the association ended first. */
      uint32_t abandoned;
    } send_failed;
    struct { /* PEER_ADDR_CHANGE */
      csctp_addr addr;
      uint32_t state; /* enum csctp_path_state */
    } paddr;
    struct { /* REMOTE_ERROR */
      uint16_t cause_code;
      uint16_t len;     /* bytes of the cause value in data */
      uint8_t data[64]; /* first bytes of the cause value */
    } remote_error;
    struct {               /* AUTHENTICATION */
      uint16_t keynumber;  /* shared key identifier concerned */
      uint32_t indication; /* enum csctp_auth_indication */
    } auth;
    struct { /* STREAM_RESET; sids is owned by the event (csctp_event_clear)
                and NULL when n is 0, meaning every stream */
      uint16_t flags; /* CSCTP_STREAM_RESET_* */
      uint16_t n;
      uint16_t *sids;
    } stream_reset;
    struct {          /* ASSOC_RESET (RFC 6525 6.1.2) */
      uint16_t flags; /* CSCTP_STREAM_RESET_DENIED, _FAILED */
      /* the next TSN we send, the next TSN the peer sends */
      uint32_t local_tsn, remote_tsn;
    } assoc_reset;
    struct {          /* STREAM_CHANGE: the stream counts now */
      uint16_t flags; /* CSCTP_STREAM_CHANGE_* */
      uint16_t instrms, outstrms;
    } stream_change;
    /* PARTIAL_DELIVERY (RFC 6458 6.1.7 SCTP_PARTIAL_DELIVERY_EVENT): the
     * message being read in parts will not complete (the peer abandoned
     * it, RFC 3758 / RFC 8260 2.3.1); the next read begins another. */
    struct {
      uint32_t indication; /* CSCTP_PARTIAL_DELIVERY_ABORTED */
      uint16_t stream;
      uint16_t flags; /* CSCTP_RCV_UNORDERED when the message was */
      uint32_t seq;   /* its SSN, or with I-DATA its MID (RFC 8260 2.1) */
    } pdapi;
  } u;
} csctp_event;

/* csctp_endpoint_poll_events moves up to max pending events into evs, oldest
 * first, and returns how many. Events that carry memory (SEND_FAILED) must be
 * passed to csctp_event_clear once used. */
CSCTP_API size_t csctp_endpoint_poll_events(csctp_endpoint *ep,
                                            csctp_event *evs, size_t max);

/* csctp_event_clear frees memory an event owns. Safe on any event. */
CSCTP_API void csctp_event_clear(csctp_endpoint *ep, csctp_event *ev);

/* ---- Authenticated chunks (RFC 4895) ----------------------------------- */

/* HMAC identifiers, RFC 4895 3.3. */
#define CSCTP_AUTH_HMAC_SHA1 1
#define CSCTP_AUTH_HMAC_SHA256 3

/* csctp_event.u.auth.indication (RFC 6458 6.1.8). */
enum csctp_auth_indication {
  CSCTP_AUTH_NEW_KEY = 1, /* the peer used this key id for the first time */
  CSCTP_AUTH_NO_AUTH,     /* the peer does not support AUTH */
  CSCTP_AUTH_FREE_KEY     /* a deactivated key is no longer used: delete it */
};

/* csctp_auth_enable makes ep offer AUTH (RANDOM, CHUNKS, HMAC-ALGO) in the
 * INIT and INIT ACK of associations set up from now on (enable != 0), or
 * stop offering it. Off by default. Returns 0 or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_auth_enable(csctp_endpoint *ep, int enable);

/* csctp_auth_add_chunk adds chunk type to the list of chunks ep accepts only
 * authenticated (RFC 6458 SCTP_AUTH_CHUNK), and enables AUTH. INIT, INIT
 * ACK, SHUTDOWN COMPLETE and AUTH may not be listed (RFC 4895 3.2): they
 * give CSCTP_ERR_INVAL. Returns 0, CSCTP_ERR_INVAL or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_auth_add_chunk(csctp_endpoint *ep, uint8_t type);

/* csctp_auth_set_hmacs sets the HMAC identifiers ep asks peers to use, by
 * preference (RFC 6458 SCTP_HMAC_IDENT). Default: HMAC-SHA256, HMAC-SHA1.
 * The list must hold CSCTP_AUTH_HMAC_SHA1 (RFC 4895 6.1) and only ids we
 * support. Returns 0, CSCTP_ERR_INVAL or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_auth_set_hmacs(csctp_endpoint *ep, const uint16_t *ids,
                                   size_t n);

/* Shared keys (RFC 4895 6.1, RFC 6458 8.1.18, 8.3.3-8.3.5). id 0 names the
 * endpoint (its keys are copied into each association set up later),
 * another id that association. Key 0, the empty key, exists and is active
 * at first.
 * csctp_auth_set_key adds or replaces key keyid (len <= 256; 0: a null
 * key). csctp_auth_set_active_key makes keyid the key used for sending (it
 * must exist and not be deactivated); csctp_auth_get_active_key reads it.
 * csctp_auth_deactivate_key stops keyid being used for sending (not the
 * active key; an association reports CSCTP_AUTH_FREE_KEY at once since it
 * keeps no packet built with it). csctp_auth_delete_key forgets a
 * deactivated key: AUTH chunks using it are no longer accepted.
 * Each returns 0, CSCTP_ERR_NOT_FOUND (no such association or key),
 * CSCTP_ERR_STATE (the association does not use AUTH; the key is active;
 * deleting a key not deactivated), CSCTP_ERR_INVAL, CSCTP_ERR_LIMIT (more
 * than 16 keys) or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_auth_set_key(csctp_endpoint *ep, csctp_assoc_id id,
                                 uint16_t keyid, const uint8_t *key,
                                 size_t len);
CSCTP_API int csctp_auth_set_active_key(csctp_endpoint *ep, csctp_assoc_id id,
                                        uint16_t keyid);
CSCTP_API int csctp_auth_get_active_key(const csctp_endpoint *ep,
                                        csctp_assoc_id id, uint16_t *keyid);
CSCTP_API int csctp_auth_deactivate_key(csctp_endpoint *ep, csctp_assoc_id id,
                                        uint16_t keyid);
CSCTP_API int csctp_auth_delete_key(csctp_endpoint *ep, csctp_assoc_id id,
                                    uint16_t keyid);

/* csctp_auth_chunks writes the chunk types an association authenticates
 * into types (up to max) and returns their number: peer != 0, those the
 * peer asked us to authenticate (RFC 6458 SCTP_PEER_AUTH_CHUNKS); else
 * those we accept only authenticated (SCTP_LOCAL_AUTH_CHUNKS; id 0: the
 * endpoint's list). CSCTP_ERR_NOT_FOUND, or CSCTP_ERR_STATE when the
 * association does not use AUTH. */
CSCTP_API int csctp_auth_chunks(const csctp_endpoint *ep, csctp_assoc_id id,
                                int peer, uint8_t *types, size_t max);

/* ---- Stream reconfiguration (RFC 6525) --------------------------------- */

/* Flags of csctp_reset_streams (RFC 6525 6.3.2). */
#define CSCTP_STREAM_RESET_INCOMING 0x01
#define CSCTP_STREAM_RESET_OUTGOING 0x02
/* Flags of csctp_settings.reconf_enable and csctp_enable_stream_reset
 * (RFC 6525 6.3.1). */
#define CSCTP_ENABLE_RESET_STREAM_REQ 0x01
#define CSCTP_ENABLE_RESET_ASSOC_REQ 0x02
#define CSCTP_ENABLE_CHANGE_ASSOC_REQ 0x04

/* csctp_enable_stream_reset sets which of the peer's requests association
 * id performs (CSCTP_ENABLE_* bits; the others are denied), like
 * SCTP_ENABLE_STREAM_RESET. Returns 0, CSCTP_ERR_NOT_FOUND or
 * CSCTP_ERR_INVAL (unknown bits). */
CSCTP_API int csctp_enable_stream_reset(csctp_endpoint *ep, csctp_assoc_id id,
                                        uint32_t flags);

/* csctp_reset_streams asks for the reset of the SSNs of n streams sids
 * (n 0: every stream), outbound (CSCTP_STREAM_RESET_OUTGOING), inbound
 * (_INCOMING: the peer resets its outbound ones) or both (RFC 6525 5.1.2,
 * 5.1.3, 6.3.2). The result comes as a CSCTP_EV_STREAM_RESET event. Returns
 * 0, CSCTP_ERR_NOT_FOUND, CSCTP_ERR_STATE (not established),
 * CSCTP_ERR_NOT_SUPPORTED (the peer did not announce RE-CONFIG),
 * CSCTP_ERR_INVAL (no flag, a stream out of range, list too long for a
 * packet), CSCTP_ERR_AGAIN (a request is in flight, or a listed outbound
 * stream still has unsent messages) or CSCTP_ERR_NOMEM. While an outbound
 * reset is in flight, csctp_send on its streams gives CSCTP_ERR_AGAIN. */
CSCTP_API int csctp_reset_streams(csctp_endpoint *ep, csctp_assoc_id id,
                                  uint32_t flags, const uint16_t *sids,
                                  size_t n, csctp_tstamp now);

/* csctp_add_streams asks for in more inbound and out more outbound streams
 * (RFC 6525 5.1.5, 5.1.6, 6.3.4); new outbound streams are usable after
 * the CSCTP_EV_STREAM_CHANGE event. Errors as csctp_reset_streams, and
 * CSCTP_ERR_INVAL when both are 0 or a count would pass 65535. */
CSCTP_API int csctp_add_streams(csctp_endpoint *ep, csctp_assoc_id id,
                                uint16_t in, uint16_t out, csctp_tstamp now);

/* csctp_reset_assoc asks the peer to reset the TSNs and the SSNs of every
 * stream in both directions (SSN/TSN Reset, RFC 6525 5.1.4, 6.3.3). The
 * result comes as a CSCTP_EV_ASSOC_RESET event with the next TSNs of both
 * sides (flags CSCTP_STREAM_RESET_DENIED or _FAILED when it was not
 * performed). Returns 0, CSCTP_ERR_NOT_FOUND, CSCTP_ERR_STATE,
 * CSCTP_ERR_NOT_SUPPORTED (the peer did not announce RE-CONFIG),
 * CSCTP_ERR_AGAIN (a request is in flight, or DATA we sent is not yet
 * acknowledged: RFC 6525 5.1.4 C2, nothing is abandoned) or
 * CSCTP_ERR_NOMEM. Until the answer, messages sent are queued but not
 * transmitted (C2); after a reset they start from SSN 0. The peer performs
 * it only with CSCTP_ENABLE_RESET_ASSOC_REQ set, and answers "In progress"
 * while its own DATA is unacknowledged (the request is then retried). */
CSCTP_API int csctp_reset_assoc(csctp_endpoint *ep, csctp_assoc_id id,
                                csctp_tstamp now);

/* ---- User message interleaving and stream schedulers (RFC 8260) ------- */

/* csctp_interleaving says whether association id uses I-DATA (RFC 8260
 * 2.2.1: both sides listed it): 1 or 0, or CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_interleaving(const csctp_endpoint *ep, csctp_assoc_id id);

/* csctp_set_stream_scheduler chooses association id's stream scheduler
 * (CSCTP_SS_*, like SCTP_STREAM_SCHEDULER, RFC 8260 4.3.2); it applies to
 * what is sent from now on. Returns 0, CSCTP_ERR_NOT_FOUND or
 * CSCTP_ERR_INVAL. csctp_stream_scheduler returns the scheduler in use or
 * CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_set_stream_scheduler(csctp_endpoint *ep, csctp_assoc_id id,
                                         uint32_t sched);
CSCTP_API int csctp_stream_scheduler(const csctp_endpoint *ep,
                                     csctp_assoc_id id);

/* csctp_set_stream_sched_value sets outbound stream sid's value (like
 * SCTP_STREAM_SCHEDULER_VALUE, RFC 8260 4.3.3): the priority for
 * CSCTP_SS_PRIO (0 highest, the default), the weight for CSCTP_SS_WFQ (0
 * counts as 1); other schedulers keep it unused. Returns 0,
 * CSCTP_ERR_NOT_FOUND, CSCTP_ERR_STREAM (not an outbound stream) or
 * CSCTP_ERR_NOMEM. csctp_stream_sched_value stores it in *value: 0 or the
 * same errors. */
CSCTP_API int csctp_set_stream_sched_value(csctp_endpoint *ep,
                                           csctp_assoc_id id, uint16_t sid,
                                           uint16_t value);
CSCTP_API int csctp_stream_sched_value(const csctp_endpoint *ep,
                                       csctp_assoc_id id, uint16_t sid,
                                       uint16_t *value);

/* ---- Dynamic address reconfiguration (RFC 5061) ------------------------ */

/* csctp_asconf_enable makes ep offer ASCONF to the associations it sets up
 * from now on: AUTH is turned on and ASCONF and ASCONF-ACK are added to
 * the chunks it accepts only authenticated (RFC 5061 4.1.1, 6.1), and both
 * are listed in Supported Extensions (4.2.7). ASCONF is used on an
 * association when the peer asks for both chunks authenticated too.
 * enable 0 stops offering it (the CHUNKS list keeps them). Returns 0,
 * CSCTP_ERR_INVAL or CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_asconf_enable(csctp_endpoint *ep, int enable);

/* csctp_asconf_enabled returns 1 when association id uses ASCONF, 0 when
 * not, or CSCTP_ERR_NOT_FOUND. */
CSCTP_API int csctp_asconf_enabled(const csctp_endpoint *ep, csctp_assoc_id id);

/* csctp_asconf_add_addr asks the peer of association id to add our address
 * addr (Add IP Address, RFC 5061 4.2.1; the wildcard 0.0.0.0 / :: means the
 * source of the packet); csctp_asconf_del_addr to delete one (4.2.2; never
 * our last one, F5); csctp_asconf_set_peer_primary to send to addr as its
 * primary (4.2.4, SCTP_SET_PEER_PRIMARY_ADDR). The requests go in the next
 * ASCONF (one is outstanding at a time, 5.1.1 C1); the peer's refusals are
 * logged. The caller keeps its socket able to receive on an added address
 * and stops sending from a deleted one; the engine stops using a deleted
 * address as a source at once (F4). Returns 0, CSCTP_ERR_INVAL (addr NULL
 * or not IPv4 / IPv6), CSCTP_ERR_NOT_FOUND, CSCTP_ERR_NOT_SUPPORTED (ASCONF
 * not on, or the peer refused this kind of request, F3a / F3b),
 * CSCTP_ERR_STATE (not established), CSCTP_ERR_ADDR (deleting our last
 * address or the wildcard), CSCTP_ERR_AGAIN (too many requests waiting) or
 * CSCTP_ERR_NOMEM. */
CSCTP_API int csctp_asconf_add_addr(csctp_endpoint *ep, csctp_assoc_id id,
                                    const csctp_addr *addr, csctp_tstamp now);
CSCTP_API int csctp_asconf_del_addr(csctp_endpoint *ep, csctp_assoc_id id,
                                    const csctp_addr *addr, csctp_tstamp now);
CSCTP_API int csctp_asconf_set_peer_primary(csctp_endpoint *ep,
                                            csctp_assoc_id id,
                                            const csctp_addr *addr,
                                            csctp_tstamp now);

/* ---- Logging ----------------------------------------------------------- */

/* csctp_log_fn receives one line of debug text (no newline). */
typedef void (*csctp_log_fn)(const char *line, void *user_data);

/* csctp_endpoint_set_log installs a debug logger (NULL turns it off). */
CSCTP_API void csctp_endpoint_set_log(csctp_endpoint *ep, csctp_log_fn fn,
                                      void *user_data);

#ifdef __cplusplus
}
#endif
#endif
