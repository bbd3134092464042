/* CRC32c for the SCTP packet checksum (RFC 9260 section 6.8 and Appendix A;
 * RFC 3309).
 *
 * Two engines compute the same reflected CRC register update:
 *  - a portable slicing-by-8 loop whose tables are derived from the
 *    polynomial at first use, and
 *  - on x86_64, the SSE4.2 crc32 instruction, eight bytes per step.
 * csctp_crc32c() probes the CPU once and remembers the answer. */
#include "config.h"

#include "crc32c.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__unix__)
#include <sched.h>
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC32C_HAVE_SSE42 1
#include <cpuid.h>
#include <nmmintrin.h>
#else
#define CRC32C_HAVE_SSE42 0
#endif

/* 0x1EDC6F41 with its bit order reversed. */
#define CRC32C_POLY_REFLECTED 0x82F63B78u

/* ---- Portable slicing-by-8 ---------------------------------------------- */

/* crc32c_table[k][b] is the register contribution of byte value b when it is
 * followed by k more bytes in the same 8-byte step. Row 0 is the classic
 * byte-at-a-time table. Filled once by crc32c_tables_ready(). */
static uint32_t crc32c_table[8][256];

/* 0: not built, 1: some thread is building, 2: ready (release-published). */
static atomic_int crc32c_table_state;

static void crc32c_build_tables(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t r = b;
    for (int bit = 0; bit < 8; bit++)
      r = (r >> 1) ^ (CRC32C_POLY_REFLECTED & (0u - (r & 1u)));
    crc32c_table[0][b] = r;
  }
  for (int k = 1; k < 8; k++) {
    for (int b = 0; b < 256; b++) {
      uint32_t prev = crc32c_table[k - 1][b];
      crc32c_table[k][b] = (prev >> 8) ^ crc32c_table[0][prev & 0xffu];
    }
  }
}

/* Makes sure the tables exist. Exactly one thread builds them; concurrent
 * callers wait for it (building takes a few microseconds). */
static void crc32c_tables_ready(void) {
  if (atomic_load_explicit(&crc32c_table_state, memory_order_acquire) == 2)
    return;
  int expected = 0;
  if (atomic_compare_exchange_strong_explicit(&crc32c_table_state, &expected, 1,
                                              memory_order_acq_rel,
                                              memory_order_acquire)) {
    crc32c_build_tables();
    atomic_store_explicit(&crc32c_table_state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&crc32c_table_state, memory_order_acquire) != 2) {
#if defined(__unix__)
    sched_yield();
#endif
  }
}

static inline uint32_t crc32c_load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* Advances the raw (uncomplemented) register over buf. Tables must be
 * ready. */
static uint32_t crc32c_sw(uint32_t reg, const uint8_t *p, size_t len) {
  while (len >= 8) {
    uint32_t lo = reg ^ crc32c_load_le32(p);
    uint32_t hi = crc32c_load_le32(p + 4);
    reg = crc32c_table[7][lo & 0xffu] ^ crc32c_table[6][(lo >> 8) & 0xffu] ^
          crc32c_table[5][(lo >> 16) & 0xffu] ^ crc32c_table[4][lo >> 24] ^
          crc32c_table[3][hi & 0xffu] ^ crc32c_table[2][(hi >> 8) & 0xffu] ^
          crc32c_table[1][(hi >> 16) & 0xffu] ^ crc32c_table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    reg = (reg >> 8) ^ crc32c_table[0][(reg ^ *p) & 0xffu];
    p++;
    len--;
  }
  return reg;
}

/* ---- SSE4.2 ------------------------------------------------------------- */

#if CRC32C_HAVE_SSE42
/* clang 16 and later want the crc32 feature named for the intrinsics. */
#if defined(__clang__) && __clang_major__ >= 16
#define CRC32C_TARGET "sse4.2,crc32"
#else
#define CRC32C_TARGET "sse4.2"
#endif
/* Same contract as crc32c_sw(). Only called after the CPU check passed. */
__attribute__((target(CRC32C_TARGET))) static uint32_t
crc32c_sse42(uint32_t reg, const uint8_t *p, size_t len) {
  /* Byte steps up to an 8-byte boundary so the wide loads are aligned. */
  while (len > 0 && ((uintptr_t)p & 7u) != 0) {
    reg = _mm_crc32_u8(reg, *p);
    p++;
    len--;
  }
  uint64_t r64 = reg;
  while (len >= 8) {
    uint64_t word;
    memcpy(&word, p, sizeof word); /* x86_64 is little-endian */
    r64 = _mm_crc32_u64(r64, word);
    p += 8;
    len -= 8;
  }
  reg = (uint32_t)r64;
  while (len > 0) {
    reg = _mm_crc32_u8(reg, *p);
    p++;
    len--;
  }
  return reg;
}
#endif

#if CRC32C_HAVE_SSE42
/* 0: not probed yet, 1: no SSE4.2, 2: SSE4.2 present. Every thread that
 * probes computes the same answer, so relaxed ordering is enough. */
static atomic_int crc32c_hw_state;
#endif

static int crc32c_have_hw(void) {
#if CRC32C_HAVE_SSE42
  int s = atomic_load_explicit(&crc32c_hw_state, memory_order_relaxed);
  if (s == 0) {
    /* CPUID leaf 1, ECX bit 20: SSE4.2. Asked directly rather than through
     * __builtin_cpu_supports, whose runtime part (__cpu_model) not every
     * toolchain links (zig cc for macOS does not). */
    unsigned a = 0, b = 0, c = 0, d = 0;
    s = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) ? 2 : 1;
    atomic_store_explicit(&crc32c_hw_state, s, memory_order_relaxed);
  }
  return s == 2;
#else
  return 0;
#endif
}

/* ---- Dispatch and public API -------------------------------------------- */

static uint32_t crc32c_raw(uint32_t reg, const uint8_t *buf, size_t len) {
#if CRC32C_HAVE_SSE42
  if (crc32c_have_hw())
    return crc32c_sse42(reg, buf, len);
#endif
  crc32c_tables_ready();
  return crc32c_sw(reg, buf, len);
}

uint32_t csctp_crc32c_update(uint32_t crc, const uint8_t *buf, size_t len) {
  return ~crc32c_raw(~crc, buf, len);
}

uint32_t csctp_crc32c(const uint8_t *buf, size_t len) {
  return ~crc32c_raw(0xFFFFFFFFu, buf, len);
}

uint32_t csctp_crc32c_portable(const uint8_t *buf, size_t len) {
  crc32c_tables_ready();
  return ~crc32c_sw(0xFFFFFFFFu, buf, len);
}

uint32_t csctp_crc32c_hw(const uint8_t *buf, size_t len) {
#if CRC32C_HAVE_SSE42
  if (crc32c_have_hw())
    return ~crc32c_sse42(0xFFFFFFFFu, buf, len);
#endif
  return csctp_crc32c_portable(buf, len);
}

int csctp_crc32c_hw_available(void) { return crc32c_have_hw(); }

/* Offset and size of the checksum field in the SCTP common header. */
#define CRC32C_SCTP_SUM_OFF 8
#define CRC32C_SCTP_SUM_LEN 4

uint32_t csctp_sctp_checksum(const uint8_t *pkt, size_t len) {
  static const uint8_t zeros[CRC32C_SCTP_SUM_LEN];
  uint32_t reg = 0xFFFFFFFFu;
  size_t head = len < CRC32C_SCTP_SUM_OFF ? len : CRC32C_SCTP_SUM_OFF;
  reg = crc32c_raw(reg, pkt, head);
  if (len > CRC32C_SCTP_SUM_OFF) {
    size_t field = len - CRC32C_SCTP_SUM_OFF;
    if (field > CRC32C_SCTP_SUM_LEN)
      field = CRC32C_SCTP_SUM_LEN;
    reg = crc32c_raw(reg, zeros, field);
  }
  if (len > CRC32C_SCTP_SUM_OFF + CRC32C_SCTP_SUM_LEN) {
    reg = crc32c_raw(reg, pkt + CRC32C_SCTP_SUM_OFF + CRC32C_SCTP_SUM_LEN,
                     len - CRC32C_SCTP_SUM_OFF - CRC32C_SCTP_SUM_LEN);
  }
  return ~reg;
}

void csctp_sctp_checksum_store(uint8_t *pkt, size_t len) {
  if (len < CRC32C_SCTP_SUM_OFF + CRC32C_SCTP_SUM_LEN)
    return;
  uint32_t sum = csctp_sctp_checksum(pkt, len);
  /* Appendix A maps the reflected register's low-order byte to the first
   * byte of the field, so the value goes out least significant byte first. */
  pkt[CRC32C_SCTP_SUM_OFF + 0] = (uint8_t)sum;
  pkt[CRC32C_SCTP_SUM_OFF + 1] = (uint8_t)(sum >> 8);
  pkt[CRC32C_SCTP_SUM_OFF + 2] = (uint8_t)(sum >> 16);
  pkt[CRC32C_SCTP_SUM_OFF + 3] = (uint8_t)(sum >> 24);
}

int csctp_sctp_checksum_ok(const uint8_t *pkt, size_t len) {
  if (len < CRC32C_SCTP_SUM_OFF + CRC32C_SCTP_SUM_LEN)
    return 0;
  uint32_t stored = crc32c_load_le32(pkt + CRC32C_SCTP_SUM_OFF);
  return stored == csctp_sctp_checksum(pkt, len);
}
