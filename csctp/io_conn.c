/* io_conn.c -- the lower layer the application carries
 * (CSCTP_TRANSPORT_CONN, csctp_io.h): SCTP over DTLS (RFC 8261) or any
 * other packet carrier. The transport opens no fd: its send hands each
 * packet to the application's callback, and packets come in through
 * csctp_conn_input instead of recv. */
#include "config.h"

#include "io_internal.h"
#include "io_transport.h"

#include <string.h>

typedef struct io_conn {
  io_transport t;
  csctp_mem mem;
  csctp_conn_output_fn out;
  void *ud;
} io_conn;

/* Nothing to read: packets arrive through csctp_conn_input. */
static int io_conn_recv(io_transport *t, int which, io_pkt *pkts, size_t n) {
  (void)t;
  (void)which;
  (void)pkts;
  (void)n;
  return 0;
}

static int io_conn_send(io_transport *t, const io_pkt *pkts, size_t n) {
  io_conn *c = (io_conn *)t;
  t->stats.send_batches++;
  for (size_t i = 0; i < n; i++) {
    void *h = csctp_addr_conn_handle(&pkts[i].peer);
    if (!h) { /* not one of ours: an address the engine learnt elsewhere */
      t->stats.send_errors++;
      continue;
    }
    if (c->out(c->ud, h, pkts[i].buf, pkts[i].len) < 0)
      t->stats.send_errors++;
  }
  return (int)n;
}

static void io_conn_close(io_transport *t) {
  io_conn *c = (io_conn *)t;
  c->mem.free(c, c->mem.user_data);
}

static const io_transport_ops io_conn_ops = {"conn", io_conn_recv, io_conn_send,
                                             io_conn_close};

int io_conn_config_check(const csctp_stack_config *cfg) {
  uint32_t want = cfg->settings.zero_checksum_edmid;
  if (want == CSCTP_EDMID_NONE)
    return 0;
  /* RFC 9653 5.1, 6: only a lower layer that detects errors itself (DTLS)
   * may let checksums be zero; never plain UDP or IP. */
  if (cfg->transport != CSCTP_TRANSPORT_CONN || cfg->conn_edmid != want)
    return CSCTP_ERR_INVAL;
  return 0;
}

int io_conn_open(io_transport **out, const csctp_stack_config *cfg,
                 const csctp_mem *mem) {
  if (!cfg->conn_output)
    return CSCTP_ERR_INVAL;
  io_conn *c = mem->calloc(1, sizeof *c, mem->user_data);
  if (!c)
    return CSCTP_ERR_NOMEM;
  c->mem = *mem;
  c->out = cfg->conn_output;
  c->ud = cfg->conn_user_data;
  c->t.ops = &io_conn_ops;
  c->t.nfds = 0;
  c->t.families = CSCTP_STACK_CONN;
  *out = &c->t;
  return 0;
}

CSCTP_API int csctp_conn_input(csctp_stack *st, void *handle, const void *pkt,
                               size_t len) {
  if (!st || !handle || !pkt || len == 0 || len > IO_PKT_ROOM ||
      st->cfg.transport != CSCTP_TRANSPORT_CONN)
    return CSCTP_ERR_INVAL;
  io_pkt p;
  memset(&p, 0, sizeof p);
  /* The engine only reads an input packet (csctp_endpoint_read_pkt takes
   * it const); io_pkt's buffer is not const for the transports' sake. */
  p.buf = (uint8_t *)(uintptr_t)pkt;
  p.len = len;
  csctp_addr_set_conn(&p.peer, handle);
  st->tr->stats.recv_batches++;
  io_stack_input(st, &p);
  return 0;
}
