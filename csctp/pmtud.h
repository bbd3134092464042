/* pmtud.h -- Packetization Layer Path MTU Discovery for one path (RFC 8899,
 * section 6.2 for SCTP): the state machine of RFC 8899 5.2, the probe and
 * raise timers, black-hole detection and PTB (ICMP) input. The state
 * machine is pure (no association); the glue to the association (probe
 * packets: a HEARTBEAT with a PAD chunk, RFC 4820) is at the end. Internal.
 */
#ifndef CSCTP_PMTUD_H
#define CSCTP_PMTUD_H

#include "csctp.h"

/* RFC 8899 5.1.2: constants, sizes of the SCTP packet (common header
 * included, IP and UDP headers excluded, like csctp_settings.pmtu). */
#define CSCTP_PMTUD_BASE 1200u /* BASE_PLPMTU (5.1.2: 1200 recommended) */
#define CSCTP_PMTUD_MIN 1200u  /* MIN_PLPMTU: never below the base */
#define CSCTP_PMTUD_MAX_PROBES 3u
/* 5.1.1: PMTU_RAISE_TIMER 600 s; PROBE_TIMER at least 1 s. */
#define CSCTP_PMTUD_RAISE_TIMER (600 * CSCTP_SECONDS)
#define CSCTP_PMTUD_PROBE_TIMER_MIN CSCTP_SECONDS
/* Consecutive T3-rtx expiries of full-size packets on a path whose
 * heartbeats still pass that count as a black hole (4.3, 5.2). */
#define CSCTP_PMTUD_BLACK_HOLE_STRIKES 2u

/* RFC 8899 5.2 states (csctp_path_status.pmtud_state). */
enum csctp_pmtud_state {
  CSCTP_PMTUD_DISABLED = 0,
  CSCTP_PMTUD_BASE_STATE,
  CSCTP_PMTUD_SEARCHING,
  CSCTP_PMTUD_SEARCH_COMPLETE,
  CSCTP_PMTUD_ERROR
};

/* Kept small: every path of every association has one. */
typedef struct csctp_pmtud {
  uint16_t plpmtu;     /* PLPMTU: the size in use */
  uint16_t max;        /* MAX_PLPMTU: csctp_settings.pmtu, multiple of 4 */
  uint16_t high;       /* largest size not yet known to fail */
  uint16_t probed;     /* PROBED_SIZE of the probe to send / in flight */
  uint8_t state;       /* enum csctp_pmtud_state */
  uint8_t on;          /* discovery enabled (csctp_settings.pmtud) */
  uint8_t probe_count; /* PROBE_COUNT: unacked probes of probed (5.1.3) */
  uint8_t failed;      /* a probe size failed since the search began */
  uint8_t strikes;     /* T3 expiries without an ack (black hole) */
  uint8_t send_now;    /* a probe is due */
  uint8_t out;         /* a probe is in flight */
  uint8_t raise;       /* due is the PMTU_RAISE_TIMER, not PROBE_TIMER */
  uint32_t nonce;      /* the probe's nonce (RFC 8899 6.2.1.2) */
  /* PROBE_TIMER while a probe is out, PMTU_RAISE_TIMER in SEARCH_COMPLETE
   * (never both), else CSCTP_TSTAMP_NEVER. */
  csctp_tstamp due;
} csctp_pmtud;

/* csctp_pmtud_init: on, the PLPMTU starts at BASE_PLPMTU (or max when max
 * is smaller) and waits for csctp_pmtud_start; off, it is max. */
void csctp_pmtud_init(csctp_pmtud *m, uint32_t max, int on);
/* csctp_pmtud_start: connectivity confirmed (6.2.1.1): enter BASE and
 * probe BASE_PLPMTU. No effect when off or already started. */
void csctp_pmtud_start(csctp_pmtud *m);
/* csctp_pmtud_sent: the probe of m->probed left at now; probe_timer is
 * the PROBE_TIMER for it (at least 1 s is enforced). */
void csctp_pmtud_sent(csctp_pmtud *m, uint32_t nonce, csctp_tstamp now,
                      csctp_tstamp probe_timer);
/* csctp_pmtud_on_ack: the probe of size bytes with nonce was acknowledged.
 * Returns 1 when the PLPMTU changed. */
int csctp_pmtud_on_ack(csctp_pmtud *m, uint32_t nonce, uint32_t size,
                       csctp_tstamp now);
/* csctp_pmtud_on_timer runs expired timers. Returns 1 when the PLPMTU
 * changed. */
int csctp_pmtud_on_timer(csctp_pmtud *m, csctp_tstamp now);
csctp_tstamp csctp_pmtud_expiry(const csctp_pmtud *m);
/* Black hole detection (RFC 8899 4.3): a T3-rtx expiry of data on the
 * path / data acknowledged on it. on_loss returns 1 when the PLPMTU fell
 * back to BASE_PLPMTU. The first ack of data on a path starts the search
 * (csctp_pmtud_start: connectivity confirmed, and data to carry). */
int csctp_pmtud_on_loss(csctp_pmtud *m);
void csctp_pmtud_on_data_acked(csctp_pmtud *m);
/* csctp_pmtud_on_ptb: a validated PTB reporting a PL_PTB_SIZE of size
 * bytes (RFC 8899 4.6.2). Returns 1 when the PLPMTU changed. */
int csctp_pmtud_on_ptb(csctp_pmtud *m, uint32_t size, csctp_tstamp now);
/* csctp_pmtud_set_max: a new MAX_PLPMTU or on/off (settings changed): the
 * search starts over (from BASE when it had started). */
void csctp_pmtud_set_max(csctp_pmtud *m, uint32_t max, int on);

/* ---- Association glue (pmtud.c) ---- */
struct csctp_assoc;
struct csctp_buf;
/* Size of the Heartbeat Info of a probe (nonce, time, path, marker,
 * size). */
#define CSCTP_PMTUD_HB_INFO_LEN 24u
/* csctp_pmtud_assoc_sync: the path's MTU follows its PLPMTU and the
 * fragment point the smallest of them (RFC 9260 7.3 AMDCS). */
void csctp_pmtud_assoc_sync(struct csctp_assoc *a);
/* csctp_pmtud_assoc_due: index of a path whose probe is due, or -1. */
int csctp_pmtud_assoc_due(const struct csctp_assoc *a);
/* csctp_pmtud_put_probe writes a probe packet for path pi into buf: the
 * common header, a HEARTBEAT and a PAD chunk up to the probe size (RFC
 * 8899 6.2.1.2). Returns its length, or 0 when buf is too small. */
size_t csctp_pmtud_put_probe(struct csctp_assoc *a, uint8_t pi, uint8_t *buf,
                             size_t buflen, csctp_tstamp now);
/* csctp_pmtud_on_hb_ack: a HEARTBEAT ACK whose info is a probe's (len
 * CSCTP_PMTUD_HB_INFO_LEN). Returns 1 if it was taken. */
int csctp_pmtud_on_hb_ack(struct csctp_assoc *a, const uint8_t *info,
                          size_t len, csctp_tstamp now);
/* csctp_pmtud_assoc_timers runs the expired timers of a's paths (a probe
 * may become due); csctp_pmtud_assoc_expiry, the earliest of them. */
void csctp_pmtud_assoc_timers(struct csctp_assoc *a, csctp_tstamp now);
csctp_tstamp csctp_pmtud_assoc_expiry(const struct csctp_assoc *a);

#endif
