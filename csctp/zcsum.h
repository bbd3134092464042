/* zcsum.h -- zero checksum (RFC 9653): the Zero Checksum Acceptable chunk
 * parameter and the rules for when a packet may carry a checksum of zero.
 * Internal to the engine.
 *
 * Negotiation (RFC 9653 5.1): our INIT and INIT ACK carry the parameter
 * with csctp_settings.zero_checksum_edmid when that is not
 * CSCTP_EDMID_NONE. The engine never chooses a method by itself: the I/O
 * layer allows a non-zero value only on a lower layer that protects the
 * packets (CSCTP_TRANSPORT_CONN with csctp_stack_config.conn_edmid set),
 * never over plain UDP or IP.
 *
 * Sender (5.2): an association sends checksum zero only when the peer
 * announced the very method we enabled (an implementation may require the
 * upper layer to allow it, 5.2 and 7.1: we do), and even then packets with
 * an INIT, COOKIE ECHO or ASCONF chunk carry a correct CRC32c; replies to
 * out-of-the-blue packets always do (they are built by the endpoint, not
 * an association). DTLS has no method-specific constraints (6).
 *
 * Receiver (5.3): a packet with a correct CRC32c is always accepted; one
 * whose checksum field is zero but incorrect is accepted only when it
 * belongs to an association to which we announced a method; everything
 * else with a wrong checksum is dropped (RFC 9260 6.8). OOTB packets with
 * checksum zero are dropped (5.3 makes processing them optional). */
#ifndef CSCTP_ZCSUM_H
#define CSCTP_ZCSUM_H

#include "chunk.h"
#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

struct csctp_assoc;
struct csctp_endpoint;

/* csctp_zcsum_put_param appends the Zero Checksum Acceptable parameter
 * (RFC 9653 4) when s announces a method; nothing otherwise. Returns 0 or
 * CSCTP_ERR_NOBUF. */
int csctp_zcsum_put_param(csctp_buf *b, const csctp_settings *s);

/* csctp_zcsum_peer_edmid returns the method the peer's INIT / INIT ACK
 * announced, CSCTP_EDMID_NONE when it has no well-formed parameter (RFC
 * 9653 4: length 8, at most once; a second one voids the announcement). */
uint32_t csctp_zcsum_peer_edmid(const csctp_init *in);

/* csctp_zcsum_negotiate says whether an association with settings s may
 * send checksum zero to a peer whose INIT / INIT ACK is in (RFC 9653 5.2
 * rule 1, 7.1). */
int csctp_zcsum_negotiate(const csctp_settings *s, const csctp_init *in);

/* csctp_zcsum_needs_crc is 1 when the packet pkt[0..len) must carry a
 * correct CRC32c whatever was negotiated: it has an INIT (5.2 1a), a
 * COOKIE ECHO (5.2 2) or an ASCONF (5.2 3) chunk, or its chunks cannot be
 * walked. */
int csctp_zcsum_needs_crc(const uint8_t *pkt, size_t len);

/* csctp_zcsum_finish rewrites the checksum of an association's packet
 * (already finished with a CRC32c) to zero when the association negotiated
 * zero checksum and the packet may go without one (5.2: "SHOULD use zero").
 */
void csctp_zcsum_finish(const struct csctp_assoc *a, uint8_t *pkt, size_t len);

/* csctp_zcsum_accept is 1 when a packet whose CRC32c is wrong may still be
 * processed (RFC 9653 5.3): its checksum field is zero, and it is for an
 * association of ep, found by its source address and port and carrying
 * that association's verification tag, to which we announced a method. */
int csctp_zcsum_accept(const struct csctp_endpoint *ep,
                       const csctp_pkt_hdr *hdr, const csctp_addr *src);

#endif
