/* tsn.h -- serial number comparisons on 32-bit TSNs (RFC 9260 section 1.6,
 * RFC 1982 with SERIAL_BITS = 32). Internal to the engine.
 *
 * a is "before" b when b is reached from a by adding less than 2^31. Two
 * values exactly 2^31 apart are unordered: neither is before the other.
 */
#ifndef CSCTP_TSN_H
#define CSCTP_TSN_H

#include <stdint.h>

/* csctp_tsn_lt: a comes before b. */
static inline int csctp_tsn_lt(uint32_t a, uint32_t b) {
  return a != b && (uint32_t)(b - a) < 0x80000000u;
}

/* csctp_tsn_le: a is b or comes before it. */
static inline int csctp_tsn_le(uint32_t a, uint32_t b) {
  return a == b || csctp_tsn_lt(a, b);
}

/* csctp_tsn_gt: a comes after b. */
static inline int csctp_tsn_gt(uint32_t a, uint32_t b) {
  return csctp_tsn_lt(b, a);
}

/* csctp_tsn_ge: a is b or comes after it. */
static inline int csctp_tsn_ge(uint32_t a, uint32_t b) {
  return a == b || csctp_tsn_lt(b, a);
}

#endif
