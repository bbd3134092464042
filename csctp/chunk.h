/* chunk.h -- SCTP packet, chunk, parameter and error cause codec
 * (RFC 9260 section 3). Internal to the engine.
 *
 * Decoding never copies: views point into the caller's packet and are valid
 * while it is. Every length is checked before a byte is read; a decoder
 * returns CSCTP_ERR_MALFORMED instead of reading past the end.
 * Encoding writes into a csctp_buf; a writer that would overflow returns
 * CSCTP_ERR_NOBUF and leaves the buffer as it was.
 */
#ifndef CSCTP_CHUNK_H
#define CSCTP_CHUNK_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

#define CSCTP_PAD4(n) (((n) + 3u) & ~(size_t)3u)
#define CSCTP_COMMON_HDR_LEN 12u
#define CSCTP_CHUNK_HDR_LEN 4u
#define CSCTP_DATA_HDR_LEN 16u   /* chunk header + TSN, SID, SSN, PPID */
#define CSCTP_INIT_FIXED_LEN 20u /* chunk header + fixed INIT fields */
#define CSCTP_SACK_FIXED_LEN 16u

/* Chunk types, RFC 9260 3.2 (and extensions we recognise by name). */
enum csctp_chunk_type {
  CSCTP_CT_DATA = 0,
  CSCTP_CT_INIT = 1,
  CSCTP_CT_INIT_ACK = 2,
  CSCTP_CT_SACK = 3,
  CSCTP_CT_HEARTBEAT = 4,
  CSCTP_CT_HEARTBEAT_ACK = 5,
  CSCTP_CT_ABORT = 6,
  CSCTP_CT_SHUTDOWN = 7,
  CSCTP_CT_SHUTDOWN_ACK = 8,
  CSCTP_CT_ERROR = 9,
  CSCTP_CT_COOKIE_ECHO = 10,
  CSCTP_CT_COOKIE_ACK = 11,
  CSCTP_CT_ECNE = 12,
  CSCTP_CT_CWR = 13,
  CSCTP_CT_SHUTDOWN_COMPLETE = 14,
  CSCTP_CT_AUTH = 15,
  CSCTP_CT_I_DATA = 64,
  CSCTP_CT_ASCONF_ACK = 128,
  CSCTP_CT_RE_CONFIG = 130,
  CSCTP_CT_PAD = 132,
  CSCTP_CT_FORWARD_TSN = 192,
  CSCTP_CT_ASCONF = 193,
  CSCTP_CT_I_FORWARD_TSN = 194
};

/* DATA chunk flags, RFC 9260 3.3.1. */
#define CSCTP_DATA_FLAG_E 0x01 /* ending fragment */
#define CSCTP_DATA_FLAG_B 0x02 /* beginning fragment */
#define CSCTP_DATA_FLAG_U 0x04 /* unordered */
#define CSCTP_DATA_FLAG_I 0x08 /* SACK immediately */
/* ABORT and SHUTDOWN COMPLETE flag, RFC 9260 3.3.7 / 3.3.13. */
#define CSCTP_FLAG_T 0x01

/* Parameter types, RFC 9260 3.3.2.1 and extensions. */
enum csctp_param_type {
  CSCTP_PT_HEARTBEAT_INFO = 1,
  CSCTP_PT_IPV4 = 5,
  CSCTP_PT_IPV6 = 6,
  CSCTP_PT_STATE_COOKIE = 7,
  CSCTP_PT_UNRECOGNIZED = 8,
  CSCTP_PT_COOKIE_PRESERVATIVE = 9,
  CSCTP_PT_HOSTNAME = 11,
  CSCTP_PT_SUPPORTED_ADDR_TYPES = 12,
  CSCTP_PT_ECN_CAPABLE = 0x8000,
  CSCTP_PT_ZERO_CHECKSUM = 0x8001,
  CSCTP_PT_RANDOM = 0x8002,
  CSCTP_PT_CHUNK_LIST = 0x8003,
  CSCTP_PT_HMAC_ALGO = 0x8004,
  CSCTP_PT_PADDING = 0x8005,
  CSCTP_PT_SUPPORTED_EXT = 0x8008,
  CSCTP_PT_FORWARD_TSN_SUPPORTED = 0xC000
};

/* Error cause codes, RFC 9260 3.3.10. */
enum csctp_cause_code {
  CSCTP_CAUSE_INVALID_STREAM = 1,
  CSCTP_CAUSE_MISSING_PARAM = 2,
  CSCTP_CAUSE_STALE_COOKIE = 3,
  CSCTP_CAUSE_OUT_OF_RESOURCE = 4,
  CSCTP_CAUSE_UNRESOLVABLE_ADDR = 5,
  CSCTP_CAUSE_UNRECOGNIZED_CHUNK = 6,
  CSCTP_CAUSE_INVALID_PARAM = 7,
  CSCTP_CAUSE_UNRECOGNIZED_PARAMS = 8,
  CSCTP_CAUSE_NO_USER_DATA = 9,
  CSCTP_CAUSE_COOKIE_WHILE_SHUTDOWN = 10,
  CSCTP_CAUSE_RESTART_NEW_ADDRS = 11,
  CSCTP_CAUSE_USER_ABORT = 12,
  CSCTP_CAUSE_PROTOCOL_VIOLATION = 13
};

/* ---- Byte helpers (big-endian wire) ------------------------------------ */

static inline uint16_t csctp_get16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t csctp_get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}
static inline void csctp_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void csctp_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* ---- Decoding ---------------------------------------------------------- */

/* Common header, RFC 9260 3.1. */
typedef struct csctp_pkt_hdr {
  uint16_t src_port, dst_port;
  uint32_t vtag;
  uint32_t checksum; /* as read, big-endian interpretation */
} csctp_pkt_hdr;

/* csctp_pkt_hdr_decode reads the common header. Returns 0, or
 * CSCTP_ERR_MALFORMED if len < 12. */
int csctp_pkt_hdr_decode(const uint8_t *pkt, size_t len, csctp_pkt_hdr *hdr);

/* A TLV view (chunk, parameter or error cause). */
typedef struct csctp_tlv {
  uint16_t type;        /* chunk type (8 bits) or parameter / cause code */
  uint8_t flags;        /* chunk flags; 0 for parameters and causes */
  uint16_t length;      /* the Length field: header included, no padding */
  const uint8_t *raw;   /* first byte of the TLV header */
  const uint8_t *value; /* first byte after the header */
  size_t value_len;     /* length - header size */
} csctp_tlv;

/* Iterator over a sequence of TLVs (chunks of a packet after the common
 * header, parameters of a chunk, causes of an ABORT or ERROR). */
typedef struct csctp_tlv_iter {
  const uint8_t *p;
  size_t left;
} csctp_tlv_iter;

static inline void csctp_tlv_iter_init(csctp_tlv_iter *it, const uint8_t *p,
                                       size_t len) {
  it->p = p;
  it->left = len;
}

/* csctp_chunk_next reads the next chunk (4-byte header: type, flags,
 * length). csctp_param_next reads the next parameter or error cause (type,
 * length). Both return 1 with *out filled, 0 at the end, or
 * CSCTP_ERR_MALFORMED when the Length field is below the header size or
 * runs past the end. Padding after a TLV is skipped; a final TLV whose
 * padding is missing is accepted. Trailing bytes too short to be a header
 * (1..3) are malformed. */
int csctp_chunk_next(csctp_tlv_iter *it, csctp_tlv *out);
int csctp_param_next(csctp_tlv_iter *it, csctp_tlv *out);

/* DATA, RFC 9260 3.3.1. */
typedef struct csctp_data {
  uint8_t flags; /* CSCTP_DATA_FLAG_* */
  uint32_t tsn;
  uint16_t sid, ssn;
  uint32_t ppid; /* host order */
  const uint8_t *payload;
  size_t len;
} csctp_data;

/* Returns 0, or CSCTP_ERR_MALFORMED (chunk shorter than 16 bytes). A DATA
 * chunk with no user data decodes with len 0; the caller answers it with
 * the No User Data cause (3.3.1). */
int csctp_data_decode(const csctp_tlv *c, csctp_data *out);

/* INIT and INIT ACK fixed part, RFC 9260 3.3.2 / 3.3.3. */
typedef struct csctp_init {
  uint32_t init_tag;
  uint32_t a_rwnd;
  uint16_t num_ostreams;
  uint16_t max_instreams;
  uint32_t init_tsn;
  const uint8_t *params; /* parameters, iterate with csctp_param_next */
  size_t params_len;
} csctp_init;

/* Returns 0 or CSCTP_ERR_MALFORMED (shorter than 20 bytes). Field values
 * (zero tag, zero streams) are not judged here. */
int csctp_init_decode(const csctp_tlv *c, csctp_init *out);

/* SACK, RFC 9260 3.3.4. */
typedef struct csctp_sack {
  uint32_t cum_tsn;
  uint32_t a_rwnd;
  uint16_t ngaps, ndups;
  const uint8_t *gaps; /* ngaps pairs of 16-bit start, end offsets */
  const uint8_t *dups; /* ndups 32-bit TSNs */
} csctp_sack;

/* Returns 0 or CSCTP_ERR_MALFORMED (short, or gap/dup counts that do not
 * fit the chunk length). */
int csctp_sack_decode(const csctp_tlv *c, csctp_sack *out);
/* Gap block i: start and end offsets from cum_tsn (i < ngaps). */
void csctp_sack_gap(const csctp_sack *s, size_t i, uint16_t *start,
                    uint16_t *end);
uint32_t csctp_sack_dup(const csctp_sack *s, size_t i);

/* SHUTDOWN, RFC 9260 3.3.8: returns 0 or CSCTP_ERR_MALFORMED. */
int csctp_shutdown_decode(const csctp_tlv *c, uint32_t *cum_tsn);

/* FORWARD TSN, RFC 3758 3.2: the new cumulative TSN and n (stream,
 * sequence) pairs; entries points at them as they are on the wire (read
 * them with csctp_fwd_tsn_entry). Returns 0 or CSCTP_ERR_MALFORMED (shorter
 * than 8 bytes, or a length that is not 8 + 4 * n). */
typedef struct csctp_fwd_tsn {
  uint32_t new_cum;
  size_t n;
  const uint8_t *entries;
} csctp_fwd_tsn;
int csctp_fwd_tsn_decode(const csctp_tlv *c, csctp_fwd_tsn *out);
void csctp_fwd_tsn_entry(const csctp_fwd_tsn *f, size_t i, uint16_t *sid,
                         uint16_t *ssn);

/* HEARTBEAT / HEARTBEAT ACK, RFC 9260 3.3.5-6: finds the Heartbeat Info
 * parameter; *info points at its value. Returns 0 or CSCTP_ERR_MALFORMED. */
int csctp_heartbeat_decode(const csctp_tlv *c, const uint8_t **info,
                           size_t *info_len);

/* csctp_chunk_check judges a chunk's layout by its type, for the types the
 * engine processes: 0 when its Length covers the type's fixed fields (and,
 * for SACK, the gap blocks and duplicate TSNs it announces), else
 * CSCTP_ERR_MALFORMED. Unknown types only need their 4-byte header. */
int csctp_chunk_check(const csctp_tlv *c);

/* Parameters of INIT and INIT ACK by what an unrecognised type asks for
 * (RFC 9260 3.2.1: the upper two bits of the type). */
enum csctp_param_action {
  CSCTP_PARAM_END = 0,   /* no more parameters to process */
  CSCTP_PARAM_KNOWN = 1, /* a parameter the engine recognises */
  CSCTP_PARAM_REPORT = 2 /* unrecognised; report it (3.2.2) */
};

/* csctp_param_recognized says whether the engine recognises a parameter
 * type of INIT / INIT ACK (including extensions it knowingly ignores). */
int csctp_param_recognized(uint16_t type);

/* csctp_init_param_next returns the next parameter (*out) of an INIT or
 * INIT ACK that must be looked at: CSCTP_PARAM_KNOWN, or CSCTP_PARAM_REPORT
 * for an unrecognised one to report. Unrecognised parameters not to report
 * are passed over (10) or end the walk (00); after one that stops the
 * processing (00, 01) the walk ends (01 is returned first, to be
 * reported). A malformed parameter ends the walk. Returns CSCTP_PARAM_END
 * at the end. */
int csctp_init_param_next(csctp_tlv_iter *it, csctp_tlv *out);

/* csctp_addr_param_decode turns an IPv4 or IPv6 address parameter into a
 * csctp_addr (port 0). Returns 0 or CSCTP_ERR_MALFORMED (wrong length or
 * type). */
int csctp_addr_param_decode(const csctp_tlv *p, csctp_addr *out);

/* ---- Encoding ---------------------------------------------------------- */

typedef struct csctp_buf {
  uint8_t *base;
  size_t cap;
  size_t len;
} csctp_buf;

static inline void csctp_buf_init(csctp_buf *b, uint8_t *mem, size_t cap) {
  b->base = mem;
  b->cap = cap;
  b->len = 0;
}
static inline size_t csctp_buf_left(const csctp_buf *b) {
  return b->cap - b->len;
}

/* csctp_pkt_begin writes the common header (checksum zero). Returns 0 or
 * CSCTP_ERR_NOBUF. csctp_pkt_finish computes and stores the CRC32c and
 * returns the packet length. */
int csctp_pkt_begin(csctp_buf *b, uint16_t src_port, uint16_t dst_port,
                    uint32_t vtag);
size_t csctp_pkt_finish(csctp_buf *b);

/* Open-ended chunk: csctp_chunk_begin writes a 4-byte chunk header with a
 * provisional length and stores its offset in *off; parameters or causes
 * follow (csctp_put_param, csctp_put_cause, csctp_put_bytes);
 * csctp_chunk_end writes the final Length (without padding) and pads to 4
 * bytes. Returns 0 or CSCTP_ERR_NOBUF. csctp_chunk_abandon removes a chunk
 * begun at off (to undo after a later NOBUF). */
int csctp_chunk_begin(csctp_buf *b, uint8_t type, uint8_t flags, size_t *off);
int csctp_chunk_end(csctp_buf *b, size_t off);
void csctp_chunk_abandon(csctp_buf *b, size_t off);

/* csctp_put_bytes appends raw bytes (no padding). */
int csctp_put_bytes(csctp_buf *b, const void *p, size_t len);
/* csctp_put_param appends a parameter TLV (type, length = 4 + len) and pads
 * it to 4 bytes. csctp_put_cause is the same layout for error causes. */
int csctp_put_param(csctp_buf *b, uint16_t type, const void *value, size_t len);
/* csctp_put_supported_ext appends the Supported Extensions parameter
 * (RFC 5061 4.2.7) listing the chunk types of the extensions that are on:
 * FORWARD TSN (RFC 3758) if fwd_tsn, AUTH (RFC 4895) if auth, RE-CONFIG
 * (RFC 6525) if reconf, I-DATA (RFC 8260) if idata, I-FORWARD-TSN
 * (RFC 8260 2.3.1) if idata and fwd_tsn, ASCONF and ASCONF-ACK (RFC 5061
 * 4.2.7) if asconf; nothing when none is. 0 or CSCTP_ERR_NOBUF. */
int csctp_put_supported_ext(csctp_buf *b, int fwd_tsn, int auth, int reconf,
                            int idata, int asconf);
int csctp_put_cause(csctp_buf *b, uint16_t code, const void *value, size_t len);
/* csctp_put_addr_param appends an IPv4 or IPv6 address parameter. */
int csctp_put_addr_param(csctp_buf *b, const csctp_addr *a);

/* Complete chunks. Each returns 0 or CSCTP_ERR_NOBUF (buffer unchanged). */
int csctp_put_data(csctp_buf *b, const csctp_data *d);
/* INIT or INIT ACK fixed part only; then parameters, then csctp_chunk_end. */
int csctp_put_init_begin(csctp_buf *b, uint8_t type, const csctp_init *in,
                         size_t *off);
/* gaps: ngaps pairs {start, end}; dups: ndups TSNs. */
int csctp_put_sack(csctp_buf *b, uint32_t cum_tsn, uint32_t a_rwnd,
                   const uint16_t *gaps, size_t ngaps, const uint32_t *dups,
                   size_t ndups);
/* HEARTBEAT or HEARTBEAT ACK carrying one Heartbeat Info parameter. */
int csctp_put_heartbeat(csctp_buf *b, uint8_t type, const void *info,
                        size_t len);
int csctp_put_shutdown(csctp_buf *b, uint32_t cum_tsn);
/* FORWARD TSN (RFC 3758 3.2): pairs holds n {stream, sequence} pairs. */
int csctp_put_fwd_tsn(csctp_buf *b, uint32_t new_cum, const uint16_t *pairs,
                      size_t n);
/* A chunk with no value: COOKIE ACK, SHUTDOWN ACK, SHUTDOWN COMPLETE. */
int csctp_put_empty_chunk(csctp_buf *b, uint8_t type, uint8_t flags);
int csctp_put_cookie_echo(csctp_buf *b, const void *cookie, size_t len);
/* A chunk whose value is len bytes given as they go on the wire (padding
 * added): e.g. a HEARTBEAT ACK echoing a HEARTBEAT's parameters. */
int csctp_put_raw_chunk(csctp_buf *b, uint8_t type, uint8_t flags,
                        const void *value, size_t len);
/* csctp_put_pad appends a PAD chunk (RFC 4820) len bytes long on the wire
 * (len >= 4, a multiple of 4), its padding data zero. */
int csctp_put_pad(csctp_buf *b, size_t len);
/* ABORT or ERROR with a single cause (code 0: no cause, for ABORT). */
int csctp_put_cause_chunk(csctp_buf *b, uint8_t type, uint8_t flags,
                          uint16_t code, const void *value, size_t len);

/* Size on the wire of a DATA chunk carrying len bytes, padding included. */
static inline size_t csctp_data_chunk_size(size_t len) {
  return CSCTP_PAD4(CSCTP_DATA_HDR_LEN + len);
}

/* csctp_chunk_type_name returns "DATA", "INIT", ... or "UNKNOWN". */
const char *csctp_chunk_type_name(uint8_t type);

#endif
