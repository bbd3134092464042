/* CRC32c (Castagnoli) and the SCTP packet checksum built on it.
 *
 * SCTP protects every packet with CRC32c (RFC 9260 section 6.8, algorithm in
 * RFC 9260 Appendix A; originally RFC 3309). The polynomial is 0x1EDC6F41,
 * used here in its reflected form 0x82F63B78, with the register preset to all
 * ones and the result complemented.
 *
 * All csctp_crc32c* functions return the final (complemented) CRC value, the
 * number the literature quotes: csctp_crc32c("123456789", 9) == 0xE3069283. */
#ifndef CSCTP_CRC32C_H
#define CSCTP_CRC32C_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC32c of buf[0..len). Uses the SSE4.2 instruction when the CPU has it
 * (decided once, at first call) and the portable code otherwise. */
uint32_t csctp_crc32c(const uint8_t *buf, size_t len);

/* Continues a CRC32c. crc is a value previously returned by any csctp_crc32c*
 * function, or 0 to start. Hence
 *   csctp_crc32c_update(csctp_crc32c(a, n), b, m) == CRC32c(a || b)
 * and csctp_crc32c_update(0, buf, len) == csctp_crc32c(buf, len). */
uint32_t csctp_crc32c_update(uint32_t crc, const uint8_t *buf,
                                       size_t len);

/* Table-driven (slicing-by-8) implementation; works on any CPU. */
uint32_t csctp_crc32c_portable(const uint8_t *buf, size_t len);

/* SSE4.2 implementation. On builds for other architectures, or when the CPU
 * lacks SSE4.2, this silently computes the same value with the portable
 * code, so it is always safe to call. */
uint32_t csctp_crc32c_hw(const uint8_t *buf, size_t len);

/* 1 if csctp_crc32c_hw really uses the CPU instruction, 0 otherwise. */
int csctp_crc32c_hw_available(void);

/* SCTP checksum of the packet pkt[0..len) (common header + chunks), computed
 * as if the checksum field, bytes 8..11, were zero; pkt is not modified. If
 * len < 12, whatever part of the field is present is still taken as zero.
 *
 * The result is the CRC32c value as a host integer. On the wire it is stored
 * least significant byte first at pkt[8] (Appendix A's bit mapping makes the
 * reflected register's low byte SCTP byte 0), i.e. NOT in network byte order:
 * use csctp_sctp_checksum_store() rather than writing it with htonl(). */
uint32_t csctp_sctp_checksum(const uint8_t *pkt, size_t len);

/* Computes the checksum of pkt[0..len) and writes it into pkt[8..12) in the
 * wire byte order. Does nothing if len < 12. */
void csctp_sctp_checksum_store(uint8_t *pkt, size_t len);

/* 1 if the checksum stored in pkt[8..12) matches the packet, 0 otherwise
 * (always 0 when len < 12). */
int csctp_sctp_checksum_ok(const uint8_t *pkt, size_t len);

#ifdef __cplusplus
}
#endif

#endif
