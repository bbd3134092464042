/* zcsum.c -- zero checksum, RFC 9653 (see zcsum.h). */
#include "config.h"

#include "zcsum.h"

#include "crc32c.h"
#include "engine.h"

#include <string.h>

/* RFC 9653 4:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Type = 0x8001        |          Length = 8           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Error Detection Method Identifier (EDMID)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#define ZCSUM_VALUE_LEN 4

int csctp_zcsum_put_param(csctp_buf *b, const csctp_settings *s) {
  if (s->zero_checksum_edmid == CSCTP_EDMID_NONE)
    return 0; /* RFC 9653 5.1: only an endpoint willing to accept it */
  uint8_t v[ZCSUM_VALUE_LEN];
  csctp_put32(v, s->zero_checksum_edmid);
  return csctp_put_param(b, CSCTP_PT_ZERO_CHECKSUM, v, sizeof v);
}

uint32_t csctp_zcsum_peer_edmid(const csctp_init *in) {
  csctp_tlv_iter it;
  csctp_tlv p;
  uint32_t edmid = CSCTP_EDMID_NONE;
  int seen = 0;
  csctp_tlv_iter_init(&it, in->params, in->params_len);
  while (csctp_param_next(&it, &p) == 1) {
    if (p.type != CSCTP_PT_ZERO_CHECKSUM)
      continue;
    /* RFC 9653 4: Length MUST be 8; MUST NOT appear more than once. */
    if (p.value_len != ZCSUM_VALUE_LEN || seen++)
      return CSCTP_EDMID_NONE;
    edmid = csctp_get32(p.value);
  }
  return edmid;
}

int csctp_zcsum_negotiate(const csctp_settings *s, const csctp_init *in) {
  /* RFC 9653 5.2 rule 1 and 7.1: the peer announced a method we support,
   * and the upper layer enabled that very method here. */
  return s->zero_checksum_edmid != CSCTP_EDMID_NONE &&
         csctp_zcsum_peer_edmid(in) == s->zero_checksum_edmid;
}

int csctp_zcsum_needs_crc(const uint8_t *pkt, size_t len) {
  if (len < CSCTP_COMMON_HDR_LEN)
    return 1;
  csctp_tlv_iter it;
  csctp_tlv c;
  int rv;
  csctp_tlv_iter_init(&it, pkt + CSCTP_COMMON_HDR_LEN,
                      len - CSCTP_COMMON_HDR_LEN);
  while ((rv = csctp_chunk_next(&it, &c)) == 1) {
    switch (c.type) {
    case CSCTP_CT_INIT:        /* RFC 9653 5.2 1a */
    case CSCTP_CT_COOKIE_ECHO: /* 5.2 2 */
    case CSCTP_CT_ASCONF:      /* 5.2 3 */
      return 1;
    default:
      break;
    }
  }
  return rv != 0;
}

void csctp_zcsum_finish(const csctp_assoc *a, uint8_t *pkt, size_t len) {
  if (!a->zcsum_send || csctp_zcsum_needs_crc(pkt, len))
    return;
  memset(pkt + 8, 0, 4); /* RFC 9653 5.2: SHOULD use zero */
}

int csctp_zcsum_accept(const csctp_endpoint *ep, const csctp_pkt_hdr *hdr,
                       const csctp_addr *src) {
  (void)src;
  if (hdr->checksum != 0) /* RFC 9653 5.3: only an incorrect zero */
    return 0;
  const csctp_assoc *a = csctp_ep_find_tag(ep, hdr->vtag, hdr->src_port);
  /* 5.3: we announced a method to this association's peer. */
  return a && a->s.zero_checksum_edmid != CSCTP_EDMID_NONE;
}
