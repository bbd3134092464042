/* sim.h -- a deterministic network simulator for the csctp engine.
 *
 * Everything runs in virtual time and everything random comes from one
 * 64-bit seed, so a run is reproduced exactly by its seed. The simulator
 * only uses the public engine API (csctp.h).
 *
 *   nodes   each wraps one csctp_endpoint created with a seeded random source
 *           and a counting allocator (sim_mem) that tracks live allocations
 *           and their peak and can inject allocation failures. A node has
 *           one or more IPv4 addresses (native SCTP: UDP port 0).
 *   links   directional, one per (source address, destination address): one
 *           way delay, jitter, rate (serialisation delay), queue limit (drop
 *           tail), loss, reordering, duplication, up/down. A hook may peek at
 *           every packet and drop or delay it.
 *   loop    sim_run_until(): packets written by the endpoints go on links;
 *           the earliest of (next delivery, each endpoint's expiry, each
 *           application wake-up) is run; after every step the application
 *           layer of every node polls events, reads and writes messages.
 *   app     per node: a flow of messages to send (stream, PPID, unordered
 *           flag, size; the bytes are derived from the seed and the message
 *           index so the receiver verifies them without a copy), a reader
 *           with configurable buffer sizes and pause windows.
 *   checks  every message delivered once, in order per stream when ordered,
 *           with its exact bytes, boundaries, stream and PPID; nothing
 *           delivered that was not sent; no live allocation after the
 *           endpoint is deleted. A violation prints
 *           "SIM FAILURE seed=0x... scenario=NAME: what" and is counted.
 */
#ifndef CSCTP_SIM_H
#define CSCTP_SIM_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_NODES 4
#define SIM_MAX_ADDRS 4
#define SIM_MAX_LINKS 64
#define SIM_MAX_STREAMS 256 /* stream ids the verifier tracks */
#define SIM_MAX_PAUSES 4
#define SIM_EV_TYPES 16 /* > largest csctp_event_type */
#define SIM_EV_LOG 64   /* events kept per node, in order */
#define SIM_PKT_BUF 65536

/* ---- PRNG: xoshiro256** seeded through splitmix64 --------------------- */

typedef struct sim_rng {
  uint64_t s[4];
} sim_rng;

uint64_t sim_splitmix64(uint64_t *state);
uint64_t sim_mix64(uint64_t x);
void sim_rng_seed(sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(sim_rng *r);
double sim_rng_double(sim_rng *r); /* [0, 1) */
/* uniform in [lo, hi] (inclusive); lo when hi <= lo */
uint64_t sim_rng_range(sim_rng *r, uint64_t lo, uint64_t hi);
int sim_rng_chance(sim_rng *r, double p);
/* log-uniform integer in [lo, hi], lo >= 1 */
uint64_t sim_rng_logrange(sim_rng *r, uint64_t lo, uint64_t hi);

/* ---- Counting allocator ------------------------------------------------ */

typedef struct sim_mem {
  csctp_mem mem; /* hand &mem to the engine; user_data points here */
  size_t live_count, live_bytes;
  size_t peak_count, peak_bytes;
  uint64_t calls;    /* malloc + calloc + realloc calls */
  uint64_t failures; /* injected failures */
  double fail_prob;  /* fail each call with this probability */
  uint64_t fail_at;  /* fail the call with this number (1-based); 0: never */
  sim_rng rng;
} sim_mem;

void sim_mem_init(sim_mem *m, uint64_t seed);
void sim_mem_reset_peak(sim_mem *m);

/* ---- Links ------------------------------------------------------------- */

typedef struct sim_link_params {
  csctp_tstamp delay;         /* one-way propagation delay */
  csctp_tstamp jitter;        /* extra uniform [0, jitter], order kept */
  uint64_t rate;              /* bytes per second; 0: infinite */
  uint32_t queue_limit;       /* bytes waiting to be serialised; 0: none */
  double loss;                /* drop probability */
  double reorder;             /* probability of an extra delay ... */
  csctp_tstamp reorder_delay; /* ... uniform in [0, reorder_delay] */
  double dup;                 /* probability of a second copy */
  int down;                   /* 1: drops everything (path failure) */
  /* scheduled outage: also down while down_from <= now < down_until */
  csctp_tstamp down_from, down_until;
  /* largest packet carried (SCTP packet bytes, as the engine counts its
   * pmtu); larger ones are dropped silently, like a black hole with no
   * ICMP (RFC 8899 4.3). 0: no limit. */
  uint32_t mtu;
} sim_link_params;

struct sim;
struct sim_link;

/* A hook sees every packet put on its link (before loss). It returns 1 to
 * drop the packet, else 0, and may add to *extra_delay. */
typedef int (*sim_pkt_hook)(struct sim *s, struct sim_link *l,
                            const uint8_t *pkt, size_t len,
                            csctp_tstamp *extra_delay, void *user_data);

typedef struct sim_link {
  csctp_addr from, to;
  sim_link_params p;
  sim_pkt_hook hook;
  void *hook_data;
  csctp_tstamp busy_until;   /* serialisation of queued packets ends */
  csctp_tstamp last_arrival; /* keeps in-order packets in order */
  /* counters */
  uint64_t pkts, bytes, delivered;
  uint64_t drop_loss, drop_queue, drop_down, drop_hook;
  uint64_t dups, reorders;
  uint64_t drop_mtu; /* larger than p.mtu */
  /* larger than p.mtu but sent with CSCTP_PKT_FRAG_OK: carried as IP
   * fragments would be (DF clear) */
  uint64_t frag_mtu;
} sim_link;

/* Drops the first `count` packets whose first chunk has type `type` (the
 * byte at offset 12), counting them in `dropped`. */
typedef struct sim_hook_chunk {
  uint8_t type;
  uint32_t count;
  uint32_t seen, dropped;
  csctp_tstamp delay; /* sim_hook_delay_chunk: extra delay */
} sim_hook_chunk;

int sim_hook_drop_chunk(struct sim *s, sim_link *l, const uint8_t *pkt,
                        size_t len, csctp_tstamp *extra_delay, void *ud);
/* Delays the first `count` packets of that type by `delay`. */
int sim_hook_delay_chunk(struct sim *s, sim_link *l, const uint8_t *pkt,
                         size_t len, csctp_tstamp *extra_delay, void *ud);

/* A bottleneck shared by several links (two associations through one
 * router port): one serialiser at `rate` and one drop-tail queue of
 * `queue_limit` bytes. Install sim_hook_bottleneck with the same
 * sim_bottleneck as hook_data on each link that crosses it (those links'
 * own rate is best left 0). The hook delays each packet by its wait in the
 * queue plus its serialisation, or drops it when the queue is full. */
typedef struct sim_bottleneck {
  uint64_t rate;        /* bytes per second, > 0 */
  uint32_t queue_limit; /* bytes; 0: none */
  csctp_tstamp busy_until;
  uint64_t pkts, drops; /* counters */
  uint64_t max_queued;  /* largest backlog seen (bytes) */
} sim_bottleneck;
int sim_hook_bottleneck(struct sim *s, sim_link *l, const uint8_t *pkt,
                        size_t len, csctp_tstamp *extra_delay, void *ud);

/* ---- Application flows ------------------------------------------------- */

typedef struct sim_msg {
  uint16_t sid;
  uint16_t unordered;
  uint32_t ppid;
  uint32_t size;
} sim_msg;

/* Message states (bit set). */
#define SIM_MSG_QUEUED 0x01    /* csctp_send accepted it */
#define SIM_MSG_DELIVERED 0x02 /* receiver read all of it */
#define SIM_MSG_FAILED 0x04    /* CSCTP_EV_SEND_FAILED named it */
#define SIM_MSG_REJECTED 0x08  /* csctp_send refused it (not AGAIN/NOMEM) */
#define SIM_MSG_STARTED 0x10   /* receiver saw its first bytes */
#define SIM_MSG_UNSENT 0x20    /* SEND_FAILED said was_sent == 0 */

#define SIM_NONE UINT32_MAX

/* The messages one node sends to its peer. The receiver checks what it
 * reads against the sender's flow. */
typedef struct sim_flow {
  sim_msg *msgs;
  uint8_t *state;
  uint32_t *next_ord; /* next ordered message on the same stream */
  size_t n, cap;
  uint64_t key; /* content key */
  uint32_t first_ord[SIM_MAX_STREAMS];
  uint32_t last_ord[SIM_MAX_STREAMS];
  uint32_t cur_ord[SIM_MAX_STREAMS]; /* next ordered message expected */
  size_t next_send;                  /* next message to csctp_send */
  size_t first_open;                 /* every message below is delivered */
  uint64_t total_bytes;
  uint64_t queued, delivered, delivered_bytes, failed, rejected;
  int last_reject_err;
} sim_flow;

void sim_flow_reset(sim_flow *f, uint64_t key);
void sim_flow_free(sim_flow *f);
/* Appends a message; returns its index. */
size_t sim_flow_add(sim_flow *f, uint16_t sid, uint32_t ppid, int unordered,
                    uint32_t size);
/* Writes bytes [off, off + n) of message idx of flow key. */
void sim_msg_fill(uint64_t key, uint64_t idx, uint32_t size, uint64_t off,
                  uint8_t *out, size_t n);
/* 1 when every message was queued and delivered. */
int sim_flow_done(const sim_flow *f);
/* 1 when every message is delivered, failed or rejected. */
int sim_flow_settled(const sim_flow *f);

typedef struct sim_app {
  sim_flow tx;             /* what this node sends */
  csctp_tstamp send_at;    /* no csctp_send before this time */
  int send_enabled;        /* 0: leave tx alone */
  int shutdown_when_sent;  /* csctp_shutdown once every message is queued */
  int eof_on_last;         /* ... or send the last one with CSCTP_SEND_EOF */
  int shutdown_wait_peer;  /* ... and only once the peer queued all too */
  uint32_t rd_min, rd_max; /* reader buffer size range (bytes) */
  int read_enabled;
  csctp_tstamp pause_start[SIM_MAX_PAUSES], pause_end[SIM_MAX_PAUSES];
  int npauses;
  /* counters */
  uint64_t again, again_paused, nomem, sends, reads;
  int shutdown_called, shutdown_rc;
  csctp_tstamp last_send_time, last_read_time;
  /* reader state: the message being read */
  struct {
    int active;
    int64_t idx; /* -1 unknown yet, -2 unidentifiable */
    uint64_t got;
    uint8_t head[4];
    uint16_t sid, unordered;
    uint32_t ppid;
  } rd;
  uint64_t rx_closed; /* csctp_recv said the association ended */
  /* Called with every part read, after the reader's checks (may be NULL). */
  void (*on_read)(struct sim *s, const csctp_rcvinfo *info, const uint8_t *p,
                  size_t len, void *ud);
  void *on_read_data;
} sim_app;

/* ---- Nodes ------------------------------------------------------------- */

typedef struct sim_ev_rec {
  csctp_tstamp t;
  uint32_t type;
  uint32_t reason; /* lost.reason or remote_error cause */
  csctp_assoc_id id;
} sim_ev_rec;

typedef struct sim_node {
  int idx;
  char name[16];
  struct sim *sim;
  csctp_endpoint *ep;
  sim_mem mem;
  sim_rng rng; /* the engine's random source */
  csctp_addr addrs[SIM_MAX_ADDRS];
  int naddrs;
  uint16_t port;
  csctp_settings settings;
  int listen;
  int generation;        /* endpoint instances created */
  struct sim_node *peer; /* whose flow this node's reader checks */
  /* the association (one per node) */
  csctp_assoc_id assoc;
  int up, lost, shutdown_complete, shutdown_received, restarted;
  uint32_t lost_reason, lost_cause;
  csctp_tstamp up_time, lost_time, shutdown_time;
  /* events */
  uint32_t ev_count[SIM_EV_TYPES];
  csctp_tstamp ev_first[SIM_EV_TYPES];
  sim_ev_rec ev_log[SIM_EV_LOG];
  int nev_log;
  void (*on_event)(struct sim *s, struct sim_node *n, const csctp_event *ev,
                   void *ud);
  void *on_event_data;
  /* wire: chunks this node sent, by type; error causes (ERROR/ABORT) */
  uint64_t chunks_out[256];
  uint64_t stale_cookie_out; /* ERROR chunks with cause 3 sent */
  uint64_t pkts_out, pkts_in, no_route;
  /* retransmissions: snapshot of csctp_assoc_status_get */
  csctp_assoc_status last_status;
  int have_status;
  uint64_t retx_base;
  csctp_assoc_id status_id;
  sim_app app;
  int live; /* 0 after sim_node_del */
} sim_node;

/* ---- The simulator ----------------------------------------------------- */

typedef struct sim_pkt {
  csctp_tstamp t;
  uint64_t seq;
  sim_link *link;
  size_t len;
  uint8_t data[];
} sim_pkt;

typedef struct sim_stats {
  uint64_t messages, bytes, retransmissions, dropped, violations;
} sim_stats;

typedef struct sim {
  uint64_t seed;
  const char *scenario;
  csctp_tstamp now;
  sim_rng rng; /* links */
  sim_node nodes[SIM_MAX_NODES];
  int nnodes;
  sim_link links[SIM_MAX_LINKS];
  int nlinks;
  sim_pkt **heap;
  size_t nheap, capheap;
  uint64_t seq;
  uint64_t violations;
  int verbose;    /* events and summaries on stderr */
  int trace;      /* every packet on stderr */
  int log_engine; /* engine debug log on stderr */
  int printed;    /* violations printed (capped) */
  uint64_t steps;
  uint8_t *scratch; /* sender: message bytes */
  size_t scratch_cap;
  int64_t scratch_key_idx; /* message idx held in scratch, -1 none */
  uint64_t scratch_key;
  uint8_t rdbuf[SIM_PKT_BUF];
  uint8_t expbuf[SIM_PKT_BUF];
  uint8_t pktbuf[SIM_PKT_BUF];
  /* CSCTP_PKT_* flags of the packet being transmitted (hooks may read) */
  unsigned pkt_flags;
} sim;

/* sim_new returns a zeroed simulator for seed and scenario name (a string
 * that must outlive it). Reads SIM_TRACE / SIM_LOG / SIM_VERBOSE from the
 * environment. */
sim *sim_new(uint64_t seed, const char *scenario);
/* sim_free deletes every endpoint (checking for leaks: a violation), frees
 * everything and returns the number of violations. */
uint64_t sim_free(sim *s);

/* Records a violation: prints "SIM FAILURE seed=0x... scenario=NAME: ...". */
void sim_violation(sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_log(sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

csctp_addr sim_addr4(uint32_t ip); /* ip in host order, e.g. 0x0a000001 */

/* Adds a node with one address; settings may be NULL (defaults). Creates
 * the endpoint at once (a violation when that fails). With SIM_CC_CUBIC=1
 * in the environment every node's congestion controller is CUBIC
 * (csctp_settings.cc), whatever settings say: the scenarios and the soak
 * run under the other controller. */
sim_node *sim_node_add(sim *s, const char *name, uint32_t ip, uint16_t port,
                       const csctp_settings *settings);
void sim_node_add_addr(sim_node *n, uint32_t ip);
int sim_node_listen(sim_node *n, int enable);
/* Deletes the endpoint and checks that its allocator has nothing live. */
void sim_node_del(sim_node *n);
/* Deletes the endpoint (checked) and creates a fresh one on the same port
 * and addresses: a restarted peer. The association fields are reset. */
int sim_node_restart(sim_node *n);
/* Makes a peer of b (whose reader checks a's flow) and vice versa. */
void sim_pair(sim_node *a, sim_node *b);
/* csctp_connect from a to every address of b. Returns its result. */
int sim_connect(sim_node *a, sim_node *b);

/* Adds one directional link. */
sim_link *sim_link_add(sim *s, const csctp_addr *from, const csctp_addr *to,
                       const sim_link_params *p);
/* Links every address of a to every address of b, both ways. */
void sim_link_nodes(sim *s, sim_node *a, sim_node *b, const sim_link_params *p);
sim_link *sim_link_find(sim *s, const csctp_addr *from, const csctp_addr *to);
/* 1 when l drops everything now (down, or inside its scheduled outage). */
int sim_link_is_down(const sim *s, const sim_link *l);
/* Sets down on every link between a and b (both directions). */
void sim_link_set_down(sim *s, sim_node *a, sim_node *b, int down);
void sim_link_params_default(sim_link_params *p);

typedef int (*sim_pred)(sim *s, void *ud);

/* Runs until pred(s, ud) holds (returns 1), virtual time passes t_end
 * (returns 0) or the run is stuck (a violation; returns -1). pred may be
 * NULL. */
int sim_run_until(sim *s, csctp_tstamp t_end, sim_pred pred, void *ud);
/* Runs the application layer of every node once (events, reads, sends,
 * packets out) without advancing time. */
void sim_service(sim *s);

/* Predicates. */
int sim_pred_all_up(sim *s, void *ud);     /* every live node up */
int sim_pred_flows_done(sim *s, void *ud); /* every flow done */
int sim_pred_all_closed(sim *s, void *ud); /* every node ended */
int sim_pred_flows_settled(sim *s, void *ud);

/* Checks that every message node `tx` queued reached its peer. With
 * allow_loss, undelivered messages are tolerated (the association was
 * reported lost). Returns the number of undelivered queued messages. */
uint64_t sim_check_delivered(sim *s, sim_node *tx, int allow_loss);

/* Refreshes the status snapshots and fills *st. */
void sim_stats_get(sim *s, sim_stats *st);
/* Prints "sim: scenario=... seed=... ..." to stdout. */
void sim_print_stats(sim *s);
uint64_t sim_node_retransmits(sim_node *n);

const char *sim_ev_name(uint32_t type);
const char *sim_lost_name(uint32_t reason);
const char *sim_chunk_name(uint8_t type);

#endif
