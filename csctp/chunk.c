#include "config.h"

/* chunk.c -- SCTP packet, chunk, parameter and error cause codec.
 *
 * Wire formats are those of RFC 9260 section 3: the common header (3.1),
 * the chunk and parameter TLV layouts (3.2, 3.2.1) and the chunk types,
 * parameters and error causes of 3.3. The small diagrams above each codec
 * show the layout in 32-bit rows; every integer is big-endian on the wire.
 *
 * Decoders never read a byte before checking that it lies inside the view
 * they were given. Writers check the room they need before touching the
 * buffer, so a failed write leaves it exactly as it was.
 */

#include "chunk.h"
#include "crc32c.h"

#include <string.h>

#define TLV_HDR_LEN 4u
#define TLV_MAX_LEN 0xFFFFu

/* ---- TLV iteration (3.2, 3.2.1) ---------------------------------------- */

/* Reads the header at it->p: for chunks byte 0 is the type and byte 1 the
 * flags, for parameters and causes bytes 0-1 are the type. Bytes 2-3 are
 * the Length in both. */
static int tlv_next(csctp_tlv_iter *it, csctp_tlv *out, int is_chunk) {
  uint16_t length;
  size_t step;

  if (it->left == 0)
    return 0;
  if (it->left < TLV_HDR_LEN)
    return CSCTP_ERR_MALFORMED;
  length = csctp_get16(it->p + 2);
  if (length < TLV_HDR_LEN || length > it->left)
    return CSCTP_ERR_MALFORMED;

  if (is_chunk) {
    out->type = it->p[0];
    out->flags = it->p[1];
  } else {
    out->type = csctp_get16(it->p);
    out->flags = 0;
  }
  out->length = length;
  out->raw = it->p;
  out->value = it->p + TLV_HDR_LEN;
  out->value_len = (size_t)length - TLV_HDR_LEN;

  /* Skip the padding; the last TLV may come without (all of) it. */
  step = CSCTP_PAD4(length);
  if (step > it->left)
    step = it->left;
  it->p += step;
  it->left -= step;
  return 1;
}

int csctp_chunk_next(csctp_tlv_iter *it, csctp_tlv *out) {
  return tlv_next(it, out, 1);
}

int csctp_param_next(csctp_tlv_iter *it, csctp_tlv *out) {
  return tlv_next(it, out, 0);
}

/* ---- Common header (3.1) ----------------------------------------------- */

/*  | source port          | destination port     |
 *  | verification tag                            |
 *  | checksum (CRC32c)                           |
 */
int csctp_pkt_hdr_decode(const uint8_t *pkt, size_t len, csctp_pkt_hdr *hdr) {
  if (len < CSCTP_COMMON_HDR_LEN)
    return CSCTP_ERR_MALFORMED;
  hdr->src_port = csctp_get16(pkt);
  hdr->dst_port = csctp_get16(pkt + 2);
  hdr->vtag = csctp_get32(pkt + 4);
  hdr->checksum = csctp_get32(pkt + 8);
  return 0;
}

/* ---- Chunk decoders ---------------------------------------------------- */

/* The value of chunk c, checked to hold at least min bytes. */
static int chunk_value(const csctp_tlv *c, size_t min, const uint8_t **v,
                       size_t *n) {
  if (c->value_len < min || (c->value_len > 0 && c->value == NULL))
    return CSCTP_ERR_MALFORMED;
  *v = c->value;
  *n = c->value_len;
  return 0;
}

/* DATA (3.3.1)
 *  | type=0 | rsvd|I|U|B|E | length                |
 *  | TSN                                           |
 *  | stream identifier     | stream sequence number|
 *  | payload protocol identifier                   |
 *  | user data ...                                 |
 */
int csctp_data_decode(const csctp_tlv *c, csctp_data *out) {
  const uint8_t *v;
  size_t n;

  if (chunk_value(c, CSCTP_DATA_HDR_LEN - TLV_HDR_LEN, &v, &n) != 0)
    return CSCTP_ERR_MALFORMED;
  out->flags = c->flags;
  out->tsn = csctp_get32(v);
  out->sid = csctp_get16(v + 4);
  out->ssn = csctp_get16(v + 6);
  out->ppid = csctp_get32(v + 8);
  out->payload = v + 12;
  out->len = n - 12;
  return 0;
}

/* INIT (3.3.2) and INIT ACK (3.3.3)
 *  | type=1/2 | flags=0    | length                |
 *  | initiate tag                                  |
 *  | advertised receiver window credit (a_rwnd)    |
 *  | number of outbound st.| number of inbound st. |
 *  | initial TSN                                   |
 *  | parameters (TLVs) ...                         |
 */
int csctp_init_decode(const csctp_tlv *c, csctp_init *out) {
  const uint8_t *v;
  size_t n;

  if (chunk_value(c, CSCTP_INIT_FIXED_LEN - TLV_HDR_LEN, &v, &n) != 0)
    return CSCTP_ERR_MALFORMED;
  out->init_tag = csctp_get32(v);
  out->a_rwnd = csctp_get32(v + 4);
  out->num_ostreams = csctp_get16(v + 8);
  out->max_instreams = csctp_get16(v + 10);
  out->init_tsn = csctp_get32(v + 12);
  out->params = v + 16;
  out->params_len = n - 16;
  return 0;
}

/* SACK (3.3.4)
 *  | type=3 | flags=0    | length                  |
 *  | cumulative TSN ack                            |
 *  | advertised receiver window credit (a_rwnd)    |
 *  | number of gap blocks  | number of dup TSNs    |
 *  | gap 1 start           | gap 1 end             |  x ngaps
 *  | duplicate TSN 1                               |  x ndups
 */
int csctp_sack_decode(const csctp_tlv *c, csctp_sack *out) {
  const uint8_t *v;
  size_t n, need;
  uint16_t ngaps, ndups;

  if (chunk_value(c, CSCTP_SACK_FIXED_LEN - TLV_HDR_LEN, &v, &n) != 0)
    return CSCTP_ERR_MALFORMED;
  ngaps = csctp_get16(v + 8);
  ndups = csctp_get16(v + 10);
  need = 12 + 4 * (size_t)ngaps + 4 * (size_t)ndups;
  if (need > n)
    return CSCTP_ERR_MALFORMED;
  out->cum_tsn = csctp_get32(v);
  out->a_rwnd = csctp_get32(v + 4);
  out->ngaps = ngaps;
  out->ndups = ndups;
  out->gaps = v + 12;
  out->dups = v + 12 + 4 * (size_t)ngaps;
  return 0;
}

void csctp_sack_gap(const csctp_sack *s, size_t i, uint16_t *start,
                    uint16_t *end) {
  const uint8_t *g = s->gaps + 4 * i;
  *start = csctp_get16(g);
  *end = csctp_get16(g + 2);
}

uint32_t csctp_sack_dup(const csctp_sack *s, size_t i) {
  return csctp_get32(s->dups + 4 * i);
}

/* SHUTDOWN (3.3.8)
 *  | type=7 | flags=0    | length=8                |
 *  | cumulative TSN ack                            |
 */
int csctp_shutdown_decode(const csctp_tlv *c, uint32_t *cum_tsn) {
  const uint8_t *v;
  size_t n;

  if (chunk_value(c, 4, &v, &n) != 0)
    return CSCTP_ERR_MALFORMED;
  *cum_tsn = csctp_get32(v);
  return 0;
}

/* FORWARD TSN (RFC 3758 3.2)
 *  | type=192 | flags=0  | length = 8 + 4 * N       |
 *  | New Cumulative TSN                             |
 *  | Stream-1            | Stream Sequence-1        |
 *  | ...                                            |
 */
int csctp_fwd_tsn_decode(const csctp_tlv *c, csctp_fwd_tsn *out) {
  const uint8_t *v;
  size_t n;

  if (chunk_value(c, 4, &v, &n) != 0 || (n - 4) % 4 != 0)
    return CSCTP_ERR_MALFORMED;
  out->new_cum = csctp_get32(v);
  out->n = (n - 4) / 4;
  out->entries = v + 4;
  return 0;
}

void csctp_fwd_tsn_entry(const csctp_fwd_tsn *f, size_t i, uint16_t *sid,
                         uint16_t *ssn) {
  *sid = csctp_get16(f->entries + 4 * i);
  *ssn = csctp_get16(f->entries + 4 * i + 2);
}

/* HEARTBEAT (3.3.5) and HEARTBEAT ACK (3.3.6)
 *  | type=4/5 | flags=0  | length                  |
 *  | param type=1        | info length             |
 *  | sender-specific heartbeat information ...     |
 */
int csctp_heartbeat_decode(const csctp_tlv *c, const uint8_t **info,
                           size_t *info_len) {
  const uint8_t *v;
  size_t n;
  csctp_tlv_iter it;
  csctp_tlv p;

  if (chunk_value(c, TLV_HDR_LEN, &v, &n) != 0)
    return CSCTP_ERR_MALFORMED;
  csctp_tlv_iter_init(&it, v, n);
  if (csctp_param_next(&it, &p) != 1 || p.type != CSCTP_PT_HEARTBEAT_INFO)
    return CSCTP_ERR_MALFORMED;
  *info = p.value;
  *info_len = p.value_len;
  return 0;
}

/* ---- Layout by chunk type (6.10, 3.3) ---------------------------------- */

int csctp_chunk_check(const csctp_tlv *c) {
  size_t min;
  csctp_sack s;

  switch (c->type) {
  case CSCTP_CT_DATA:
    min = CSCTP_DATA_HDR_LEN;
    break;
  case CSCTP_CT_I_DATA: /* RFC 8260 2.1 */
    min = CSCTP_DATA_HDR_LEN + 4u;
    break;
  case CSCTP_CT_INIT:
  case CSCTP_CT_INIT_ACK:
    min = CSCTP_INIT_FIXED_LEN;
    break;
  case CSCTP_CT_SACK:
    return csctp_sack_decode(c, &s);
  case CSCTP_CT_SHUTDOWN:
    min = TLV_HDR_LEN + 4; /* Cumulative TSN Ack */
    break;
  case CSCTP_CT_AUTH:        /* RFC 4895 5.1: key and HMAC identifiers */
  case CSCTP_CT_FORWARD_TSN: /* RFC 3758 3.2: New Cumulative TSN */
    min = TLV_HDR_LEN + 4;
    break;
  default:
    min = TLV_HDR_LEN;
    break;
  }
  return c->length < min ? CSCTP_ERR_MALFORMED : 0;
}

/* ---- INIT / INIT ACK parameters (3.2.1) -------------------------------- */

int csctp_param_recognized(uint16_t type) {
  switch (type) {
  case CSCTP_PT_IPV4:
  case CSCTP_PT_IPV6:
  case CSCTP_PT_STATE_COOKIE:
  case CSCTP_PT_UNRECOGNIZED:
  case CSCTP_PT_COOKIE_PRESERVATIVE:
  case CSCTP_PT_SUPPORTED_ADDR_TYPES:
  case CSCTP_PT_ECN_CAPABLE:
  case CSCTP_PT_FORWARD_TSN_SUPPORTED:
  case CSCTP_PT_SUPPORTED_EXT:
  case CSCTP_PT_RANDOM:
  case CSCTP_PT_CHUNK_LIST:
  case CSCTP_PT_HMAC_ALGO:
  case CSCTP_PT_ZERO_CHECKSUM:
  case CSCTP_PT_PADDING:
    return 1;
  default:
    return 0;
  }
}

int csctp_init_param_next(csctp_tlv_iter *it, csctp_tlv *out) {
  while (csctp_param_next(it, out) == 1) {
    if (csctp_param_recognized(out->type))
      return CSCTP_PARAM_KNOWN;
    /* Table 3: the high bit clear stops the processing of the parameters
     * that follow; the next bit asks for a report. */
    if (!(out->type & 0x8000))
      it->left = 0;
    if (out->type & 0x4000)
      return CSCTP_PARAM_REPORT;
  }
  it->left = 0;
  return CSCTP_PARAM_END;
}

/* IPv4 address parameter (3.3.2.1.1), IPv6 address parameter (3.3.2.1.2)
 *  | type=5           | length=8                   |
 *  | IPv4 address                                  |
 *
 *  | type=6           | length=20                  |
 *  | IPv6 address (4 rows)                         |
 */
int csctp_addr_param_decode(const csctp_tlv *p, csctp_addr *out) {
  size_t alen;
  uint8_t family;

  if (p->type == CSCTP_PT_IPV4) {
    alen = 4;
    family = CSCTP_AF_INET;
  } else if (p->type == CSCTP_PT_IPV6) {
    alen = 16;
    family = CSCTP_AF_INET6;
  } else {
    return CSCTP_ERR_MALFORMED;
  }
  if (p->length != TLV_HDR_LEN + alen || p->value_len != alen ||
      p->value == NULL)
    return CSCTP_ERR_MALFORMED;
  memset(out, 0, sizeof(*out));
  out->family = family;
  memcpy(out->ip, p->value, alen);
  return 0;
}

/* ---- Encoding helpers -------------------------------------------------- */

static int has_room(const csctp_buf *b, size_t n) {
  return b->len <= b->cap && n <= b->cap - b->len;
}

/* Appends n raw bytes; the caller has checked the room. */
static void append(csctp_buf *b, const void *p, size_t n) {
  if (n > 0)
    memcpy(b->base + b->len, p, n);
  b->len += n;
}

/* Appends zeros up to the next multiple of 4 after unpadded byte count n
 * (counted from wherever the TLV started); the room has been checked. */
static void append_pad(csctp_buf *b, size_t n) {
  size_t pad = CSCTP_PAD4(n) - n;
  memset(b->base + b->len, 0, pad);
  b->len += pad;
}

/* Appends a 4-byte header: one-byte type and flags (chunks) or a two-byte
 * type (parameters, causes), then the length. */
static void append_chunk_hdr(csctp_buf *b, uint8_t type, uint8_t flags,
                             size_t length) {
  uint8_t *p = b->base + b->len;
  p[0] = type;
  p[1] = flags;
  csctp_put16(p + 2, (uint16_t)length);
  b->len += TLV_HDR_LEN;
}

static void append_param_hdr(csctp_buf *b, uint16_t type, size_t length) {
  uint8_t *p = b->base + b->len;
  csctp_put16(p, type);
  csctp_put16(p + 2, (uint16_t)length);
  b->len += TLV_HDR_LEN;
}

static void append32(csctp_buf *b, uint32_t v) {
  csctp_put32(b->base + b->len, v);
  b->len += 4;
}

static void append16(csctp_buf *b, uint16_t v) {
  csctp_put16(b->base + b->len, v);
  b->len += 2;
}

/* ---- Packet ------------------------------------------------------------ */

int csctp_pkt_begin(csctp_buf *b, uint16_t src_port, uint16_t dst_port,
                    uint32_t vtag) {
  if (!has_room(b, CSCTP_COMMON_HDR_LEN))
    return CSCTP_ERR_NOBUF;
  append16(b, src_port);
  append16(b, dst_port);
  append32(b, vtag);
  append32(b, 0);
  return 0;
}

size_t csctp_pkt_finish(csctp_buf *b) {
  csctp_sctp_checksum_store(b->base, b->len);
  return b->len;
}

/* ---- Open-ended chunks ------------------------------------------------- */

int csctp_chunk_begin(csctp_buf *b, uint8_t type, uint8_t flags, size_t *off) {
  if (!has_room(b, TLV_HDR_LEN))
    return CSCTP_ERR_NOBUF;
  *off = b->len;
  append_chunk_hdr(b, type, flags, TLV_HDR_LEN);
  return 0;
}

/* Size of the fixed fields before the parameter / cause list of a chunk
 * type whose value ends in TLVs, or -1 if its value is not such a list. */
static int tlv_list_offset(uint8_t type) {
  switch (type) {
  case CSCTP_CT_INIT:
  case CSCTP_CT_INIT_ACK:
    return 16;
  case CSCTP_CT_ASCONF:
  case CSCTP_CT_ASCONF_ACK:
    return 4; /* serial number */
  case CSCTP_CT_ABORT:
  case CSCTP_CT_ERROR:
  case CSCTP_CT_HEARTBEAT:
  case CSCTP_CT_HEARTBEAT_ACK:
  case CSCTP_CT_RE_CONFIG:
    return 0;
  default:
    return -1;
  }
}

/* The padding of the last parameter or cause of the n-byte chunk at c, or
 * 0 if the chunk does not end in a well-formed TLV list. RFC 9260 3.2
 * counts the padding of every parameter in the chunk Length except the
 * last one's, which is the chunk's own padding. */
static size_t last_tlv_pad(const uint8_t *c, size_t n) {
  int fixed = tlv_list_offset(c[0]);
  csctp_tlv_iter it;
  csctp_tlv t;
  size_t end = 0;
  int r;

  if (fixed < 0 || n < TLV_HDR_LEN + (size_t)fixed)
    return 0;
  csctp_tlv_iter_init(&it, c + TLV_HDR_LEN + fixed,
                      n - TLV_HDR_LEN - (size_t)fixed);
  while ((r = csctp_param_next(&it, &t)) == 1)
    end = (size_t)(t.raw - c) + t.length;
  if (r != 0 || end == 0)
    return 0;
  return n - end;
}

int csctp_chunk_end(csctp_buf *b, size_t off) {
  size_t n, length;

  if (off > b->len || b->len - off < TLV_HDR_LEN || b->len > b->cap)
    return CSCTP_ERR_INVAL;
  n = b->len - off;
  length = n - last_tlv_pad(b->base + off, n);
  if (length > TLV_MAX_LEN)
    return CSCTP_ERR_INVAL;
  if (!has_room(b, CSCTP_PAD4(n) - n))
    return CSCTP_ERR_NOBUF;
  csctp_put16(b->base + off + 2, (uint16_t)length);
  append_pad(b, n);
  return 0;
}

void csctp_chunk_abandon(csctp_buf *b, size_t off) {
  if (off <= b->len)
    b->len = off;
}

int csctp_put_bytes(csctp_buf *b, const void *p, size_t len) {
  if (!has_room(b, len))
    return CSCTP_ERR_NOBUF;
  append(b, p, len);
  return 0;
}

/* Parameter or error cause (3.2.1, 3.3.10)
 *  | type / cause code   | length = 4 + len        |
 *  | value ...                      | zero padding |
 */
int csctp_put_supported_ext(csctp_buf *b, int fwd_tsn, int auth, int reconf,
                            int idata, int asconf) {
  uint8_t ext[7];
  size_t n = 0;
  if (idata)
    ext[n++] = CSCTP_CT_I_DATA; /* RFC 8260 2.2.1 */
  if (idata && fwd_tsn)
    ext[n++] = CSCTP_CT_I_FORWARD_TSN; /* RFC 8260 2.3.1 */
  if (asconf) { /* RFC 5061 4.2.7: ASCONF, ASCONF-ACK (and AUTH) */
    ext[n++] = CSCTP_CT_ASCONF;
    ext[n++] = CSCTP_CT_ASCONF_ACK;
  }
  if (reconf)
    ext[n++] = CSCTP_CT_RE_CONFIG;
  if (fwd_tsn)
    ext[n++] = CSCTP_CT_FORWARD_TSN;
  if (auth)
    ext[n++] = CSCTP_CT_AUTH;
  return n ? csctp_put_param(b, CSCTP_PT_SUPPORTED_EXT, ext, n) : 0;
}

int csctp_put_param(csctp_buf *b, uint16_t type, const void *value,
                    size_t len) {
  size_t length;

  if (len > TLV_MAX_LEN - TLV_HDR_LEN)
    return CSCTP_ERR_INVAL;
  length = TLV_HDR_LEN + len;
  if (!has_room(b, CSCTP_PAD4(length)))
    return CSCTP_ERR_NOBUF;
  append_param_hdr(b, type, length);
  append(b, value, len);
  append_pad(b, length);
  return 0;
}

int csctp_put_cause(csctp_buf *b, uint16_t code, const void *value,
                    size_t len) {
  return csctp_put_param(b, code, value, len);
}

int csctp_put_addr_param(csctp_buf *b, const csctp_addr *a) {
  if (a->family == CSCTP_AF_INET)
    return csctp_put_param(b, CSCTP_PT_IPV4, a->ip, 4);
  if (a->family == CSCTP_AF_INET6)
    return csctp_put_param(b, CSCTP_PT_IPV6, a->ip, 16);
  return CSCTP_ERR_INVAL;
}

/* ---- Complete chunks --------------------------------------------------- */

/* DATA: see the diagram above csctp_data_decode. */
int csctp_put_data(csctp_buf *b, const csctp_data *d) {
  size_t length;

  if (d->len > TLV_MAX_LEN - CSCTP_DATA_HDR_LEN)
    return CSCTP_ERR_INVAL;
  length = CSCTP_DATA_HDR_LEN + d->len;
  if (!has_room(b, CSCTP_PAD4(length)))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, CSCTP_CT_DATA, d->flags, length);
  append32(b, d->tsn);
  append16(b, d->sid);
  append16(b, d->ssn);
  append32(b, d->ppid);
  append(b, d->payload, d->len);
  append_pad(b, length);
  return 0;
}

/* INIT / INIT ACK: see the diagram above csctp_init_decode. */
int csctp_put_init_begin(csctp_buf *b, uint8_t type, const csctp_init *in,
                         size_t *off) {
  if (!has_room(b, CSCTP_INIT_FIXED_LEN))
    return CSCTP_ERR_NOBUF;
  *off = b->len;
  append_chunk_hdr(b, type, 0, CSCTP_INIT_FIXED_LEN);
  append32(b, in->init_tag);
  append32(b, in->a_rwnd);
  append16(b, in->num_ostreams);
  append16(b, in->max_instreams);
  append32(b, in->init_tsn);
  return 0;
}

/* SACK: see the diagram above csctp_sack_decode. */
int csctp_put_sack(csctp_buf *b, uint32_t cum_tsn, uint32_t a_rwnd,
                   const uint16_t *gaps, size_t ngaps, const uint32_t *dups,
                   size_t ndups) {
  size_t length, i;

  if (ngaps > 0xFFFF || ndups > 0xFFFF)
    return CSCTP_ERR_INVAL;
  length = CSCTP_SACK_FIXED_LEN + 4 * ngaps + 4 * ndups;
  if (length > TLV_MAX_LEN)
    return CSCTP_ERR_INVAL;
  if (!has_room(b, length))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, CSCTP_CT_SACK, 0, length);
  append32(b, cum_tsn);
  append32(b, a_rwnd);
  append16(b, (uint16_t)ngaps);
  append16(b, (uint16_t)ndups);
  for (i = 0; i < ngaps; i++) {
    append16(b, gaps[2 * i]);
    append16(b, gaps[2 * i + 1]);
  }
  for (i = 0; i < ndups; i++)
    append32(b, dups[i]);
  return 0;
}

/* HEARTBEAT / HEARTBEAT ACK: see the diagram above csctp_heartbeat_decode.
 * The chunk Length leaves out the info parameter's padding (3.2). */
int csctp_put_heartbeat(csctp_buf *b, uint8_t type, const void *info,
                        size_t len) {
  size_t length;

  if (len > TLV_MAX_LEN - 2 * TLV_HDR_LEN)
    return CSCTP_ERR_INVAL;
  length = 2 * TLV_HDR_LEN + len;
  if (!has_room(b, CSCTP_PAD4(length)))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, type, 0, length);
  append_param_hdr(b, CSCTP_PT_HEARTBEAT_INFO, TLV_HDR_LEN + len);
  append(b, info, len);
  append_pad(b, length);
  return 0;
}

/* SHUTDOWN: see the diagram above csctp_shutdown_decode. */
int csctp_put_shutdown(csctp_buf *b, uint32_t cum_tsn) {
  if (!has_room(b, 8))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, CSCTP_CT_SHUTDOWN, 0, 8);
  append32(b, cum_tsn);
  return 0;
}

int csctp_put_fwd_tsn(csctp_buf *b, uint32_t new_cum, const uint16_t *pairs,
                      size_t n) {
  size_t len = 8 + 4 * n;
  if (len > 0xFFFF || !has_room(b, len))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, CSCTP_CT_FORWARD_TSN, 0, len);
  append32(b, new_cum);
  for (size_t i = 0; i < n; i++) {
    append16(b, pairs[2 * i]);
    append16(b, pairs[2 * i + 1]);
  }
  return 0;
}

/* SHUTDOWN ACK (3.3.9), COOKIE ACK (3.3.12), SHUTDOWN COMPLETE (3.3.13)
 *  | type  | flags (T bit for 14) | length=4       |
 */
int csctp_put_empty_chunk(csctp_buf *b, uint8_t type, uint8_t flags) {
  if (!has_room(b, TLV_HDR_LEN))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, type, flags, TLV_HDR_LEN);
  return 0;
}

/* COOKIE ECHO (3.3.11)
 *  | type=10 | flags=0  | length = 4 + cookie len  |
 *  | cookie (the State Cookie value) ...           |
 */
int csctp_put_raw_chunk(csctp_buf *b, uint8_t type, uint8_t flags,
                        const void *value, size_t len) {
  size_t length;

  if (len > TLV_MAX_LEN - TLV_HDR_LEN)
    return CSCTP_ERR_INVAL;
  length = TLV_HDR_LEN + len;
  if (!has_room(b, CSCTP_PAD4(length)))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, type, flags, length);
  append(b, value, len);
  append_pad(b, length);
  return 0;
}

/* PAD (RFC 4820 3)
 *  | type=0x84 | flags=0 | length = 4 + padding    |
 *  | padding data (ignored by the receiver) ...     |
 */
int csctp_put_pad(csctp_buf *b, size_t len) {
  if (len < TLV_HDR_LEN || len % 4 != 0 || len > TLV_MAX_LEN)
    return CSCTP_ERR_INVAL;
  if (!has_room(b, len))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, CSCTP_CT_PAD, 0, len);
  memset(b->base + b->len, 0, len - TLV_HDR_LEN);
  b->len += len - TLV_HDR_LEN;
  return 0;
}

int csctp_put_cookie_echo(csctp_buf *b, const void *cookie, size_t len) {
  return csctp_put_raw_chunk(b, CSCTP_CT_COOKIE_ECHO, 0, cookie, len);
}

/* ABORT (3.3.7) and ERROR (3.3.10)
 *  | type=6/9 | rsvd|T (ABORT) | length            |
 *  | cause code          | cause length            |
 *  | cause value ...                | zero padding |
 * The chunk Length leaves out the cause's padding (3.2).
 */
int csctp_put_cause_chunk(csctp_buf *b, uint8_t type, uint8_t flags,
                          uint16_t code, const void *value, size_t len) {
  size_t length;

  if (code == 0)
    return csctp_put_empty_chunk(b, type, flags);
  if (len > TLV_MAX_LEN - 2 * TLV_HDR_LEN)
    return CSCTP_ERR_INVAL;
  length = 2 * TLV_HDR_LEN + len;
  if (!has_room(b, CSCTP_PAD4(length)))
    return CSCTP_ERR_NOBUF;
  append_chunk_hdr(b, type, flags, length);
  append_param_hdr(b, code, TLV_HDR_LEN + len);
  append(b, value, len);
  append_pad(b, length);
  return 0;
}

/* ---- Names ------------------------------------------------------------- */

const char *csctp_chunk_type_name(uint8_t type) {
  switch (type) {
  case CSCTP_CT_DATA:
    return "DATA";
  case CSCTP_CT_INIT:
    return "INIT";
  case CSCTP_CT_INIT_ACK:
    return "INIT_ACK";
  case CSCTP_CT_SACK:
    return "SACK";
  case CSCTP_CT_HEARTBEAT:
    return "HEARTBEAT";
  case CSCTP_CT_HEARTBEAT_ACK:
    return "HEARTBEAT_ACK";
  case CSCTP_CT_ABORT:
    return "ABORT";
  case CSCTP_CT_SHUTDOWN:
    return "SHUTDOWN";
  case CSCTP_CT_SHUTDOWN_ACK:
    return "SHUTDOWN_ACK";
  case CSCTP_CT_ERROR:
    return "ERROR";
  case CSCTP_CT_COOKIE_ECHO:
    return "COOKIE_ECHO";
  case CSCTP_CT_COOKIE_ACK:
    return "COOKIE_ACK";
  case CSCTP_CT_ECNE:
    return "ECNE";
  case CSCTP_CT_CWR:
    return "CWR";
  case CSCTP_CT_SHUTDOWN_COMPLETE:
    return "SHUTDOWN_COMPLETE";
  case CSCTP_CT_AUTH:
    return "AUTH";
  case CSCTP_CT_I_DATA:
    return "I_DATA";
  case CSCTP_CT_ASCONF_ACK:
    return "ASCONF_ACK";
  case CSCTP_CT_RE_CONFIG:
    return "RE_CONFIG";
  case CSCTP_CT_PAD:
    return "PAD";
  case CSCTP_CT_FORWARD_TSN:
    return "FORWARD_TSN";
  case CSCTP_CT_ASCONF:
    return "ASCONF";
  case CSCTP_CT_I_FORWARD_TSN:
    return "I_FORWARD_TSN";
  default:
    return "UNKNOWN";
  }
}
