/* icmp.c -- ICMP "destination unreachable" for an endpoint's packets (RFC
 * 9260 section 10, RFC 6951 5.5): the association that sent the quoted
 * packet is located and its tag checked; during setup the association
 * fails at once (like an ABORT), later the path's error counter counts it.
 * "Fragmentation needed" / "packet too big" lowers the path's PLPMTU (RFC
 * 8899 4.6, 6.2.1.4). The caller (the I/O layer) reads the ICMP message. */
#include "config.h"

#include "engine.h"
#include "tsn.h"

/* ICMP6: the quoted Verification Tag is the peer's; a quoted tag 0 must be
 * our INIT, with our tag as its Initiate Tag. */
static int icmp_tag_ok(const csctp_assoc *a, const uint8_t *pkt, size_t len,
                       int *init) {
  uint32_t vtag = csctp_get32(pkt + 4);
  *init = len >= CSCTP_COMMON_HDR_LEN + 8 && pkt[12] == CSCTP_CT_INIT;
  if (vtag != 0)
    return a->peer_tag != 0 && vtag == a->peer_tag;
  return *init && csctp_get32(pkt + 16) == a->local_tag;
}

int csctp_endpoint_icmp_unreach(csctp_endpoint *ep, const csctp_addr *dst,
                                const uint8_t *pkt, size_t len,
                                csctp_tstamp now) {
  if (!ep || !dst || !pkt)
    return CSCTP_ERR_INVAL;
  if (len < CSCTP_COMMON_HDR_LEN || csctp_get16(pkt) != ep->port)
    return 0;
  /* ICMP5: the association that sent the packet. */
  csctp_assoc *a = csctp_ep_find_peer(ep, dst, csctp_get16(pkt + 2));
  int init;
  if (!a || a->dead || !icmp_tag_ok(a, pkt, len, &init))
    return 0; /* ICMP5, ICMP6: ignored */
  csctp_ep_touch(a);
  int setup = (a->state == CSCTP_STATE_COOKIE_WAIT && init) ||
              a->state == CSCTP_STATE_COOKIE_ECHOED;
  if (setup) {
    /* ICMP8: with our INIT in COOKIE-WAIT, like an ABORT; in
     * COOKIE-ECHOED, an abort with the T bit set. */
    csctp_assoc_end(a, CSCTP_EV_ASSOC_LOST, CSCTP_LOST_REFUSED, 0,
                    CSCTP_ERR_REFUSED);
    return 1;
  }
  /* ICMP9: established, the destination counts an error (a peer that
   * lost its socket also stops answering: the usual timers end it). */
  int pi = csctp_assoc_find_path(a, dst);
  if (pi >= 0)
    csctp_assoc_path_error(a, (uint8_t)pi, now);
  return 1;
}

/* ICMP6 with a DATA chunk quoted (RFC 8899 4.6.1: the PTB must answer a
 * packet we sent): its TSN must be outstanding. A quote without one (8
 * bytes of common header, a HEARTBEAT probe, control) passes on the tag. */
static int icmp_tsn_ok(const csctp_assoc *a, const uint8_t *pkt, size_t len) {
  if (len < CSCTP_COMMON_HDR_LEN + 8 || pkt[12] != CSCTP_CT_DATA)
    return 1;
  uint32_t tsn = csctp_get32(pkt + 16);
  return csctp_tsn_gt(tsn, a->sq.cum_acked) &&
         csctp_tsn_lt(tsn, a->sq.next_tsn);
}

int csctp_endpoint_icmp_too_big(csctp_endpoint *ep, const csctp_addr *dst,
                                const uint8_t *pkt, size_t len, uint32_t size,
                                csctp_tstamp now) {
  if (!ep || !dst || !pkt)
    return CSCTP_ERR_INVAL;
  /* RFC 9260 appendix C ICMP3/ICMP4: at least the common header's first 8
   * bytes (ports and tag) must be quoted (RFC 8899 6.2.1.4). */
  if (len < 8 || csctp_get16(pkt) != ep->port)
    return 0;
  csctp_assoc *a = csctp_ep_find_peer(ep, dst, csctp_get16(pkt + 2));
  int init;
  if (!a || a->dead || csctp_get32(pkt + 4) == 0 ||
      !icmp_tag_ok(a, pkt, len, &init) || !icmp_tsn_ok(a, pkt, len))
    return 0; /* ICMP5, ICMP6: ignored */
  int pi = csctp_assoc_find_path(a, dst);
  if (pi < 0)
    return 0;
  csctp_ep_touch(a);
  if (csctp_pmtud_on_ptb(&a->paths[pi].pmtud, size, now))
    csctp_pmtud_assoc_sync(a);
  return 1;
}
