#include "config.h"

/* io_asconf.c -- dynamic address reconfiguration (RFC 5061) at the socket
 * layer: adding and removing local addresses of a bound socket (RFC 6458
 * 9.1 sctp_bindx with SCTP_BINDX_ADD_ADDR / _REM_ADDR), SCTP_AUTO_ASCONF
 * (8.1.23), SCTP_SET_PEER_PRIMARY_ADDR (8.3.3) and the ASCONF switch. The
 * protocol is the engine's (asconf.c). */

#include "io_internal.h"

#include <errno.h>
#include <string.h>

/* The bound address list of iep with la added / removed; 0 or an error. */
static int io_asconf_list_add(csctp_sock *s, io_ep *iep, const csctp_addr *x) {
  for (size_t i = 0; i < iep->nladdrs; i++)
    if (csctp_addr_equal(&iep->laddrs[i], x))
      return 0;
  csctp_addr *n = io_alloc(s->st, (iep->nladdrs + 1) * sizeof *n);
  if (!n)
    return CSCTP_ERR_NOMEM;
  if (iep->nladdrs)
    memcpy(n, iep->laddrs, iep->nladdrs * sizeof *n);
  n[iep->nladdrs] = *x;
  n[iep->nladdrs].port = s->st->tr->udp_port;
  io_free(s->st, iep->laddrs);
  iep->laddrs = n;
  iep->nladdrs++;
  return 0;
}

static void io_asconf_list_del(io_ep *iep, const csctp_addr *x) {
  for (size_t i = 0; i < iep->nladdrs; i++)
    if (csctp_addr_equal(&iep->laddrs[i], x)) {
      memmove(&iep->laddrs[i], &iep->laddrs[i + 1],
              (iep->nladdrs - i - 1) * sizeof iep->laddrs[0]);
      iep->nladdrs--;
      return;
    }
}

/* RFC 6458 8.1.23: with SCTP_AUTO_ASCONF the change goes to every peer. */
static void io_asconf_tell_peers(csctp_sock *s, const csctp_addr *x, int add) {
  io_ep *iep = s->iep;
  csctp_tstamp now = csctp_now();
  for (io_assoc *a = iep->assocs; a; a = a->next) {
    if (a->owner != s || a->state != IO_A_UP ||
        csctp_asconf_enabled(iep->ep, a->id) != 1)
      continue;
    if (add)
      (void)csctp_asconf_add_addr(iep->ep, a->id, x, now);
    else
      (void)csctp_asconf_del_addr(iep->ep, a->id, x, now);
  }
}

int io_asconf_bindx(csctp_sock *s, const csctp_addr *la, size_t n, int flags) {
  io_ep *iep = s->iep;
  int add = flags == CSCTP_BINDX_ADD_ADDR;
  if (!add && flags != CSCTP_BINDX_REM_ADDR)
    return CSCTP_ERR_INVAL;
  if (!add && !iep->wildcard) {
    size_t left = iep->nladdrs;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < iep->nladdrs; j++)
        left -= csctp_addr_equal(&la[i], &iep->laddrs[j]);
    if (left == 0)
      return CSCTP_ERR_INVAL; /* RFC 5061 5.3 F5: never the last one */
  }
  for (size_t i = 0; i < n; i++) {
    if (!iep->wildcard) {
      if (add) {
        int r = io_asconf_list_add(s, iep, &la[i]);
        if (r != 0)
          return r;
      } else {
        io_asconf_list_del(iep, &la[i]);
      }
    }
    if (!s->auto_asconf_off)
      io_asconf_tell_peers(s, &la[i], add);
  }
  if (!iep->wildcard) /* the addresses new associations announce */
    (void)csctp_endpoint_set_local_addrs(iep->ep, iep->laddrs,
                                         iep->nladdrs >= 2 ? iep->nladdrs : 0);
  io_ep_kick_sock(iep, s);
  return 0;
}

/* The association a per-association option names (one-to-one: its own). */
static io_assoc *io_asconf_target(csctp_sock *s, csctp_assoc_id id) {
  if (!s->iep)
    return NULL;
  if (s->type == CSCTP_SOCK_STREAM)
    return s->assoc && s->assoc->state != IO_A_ENDED ? s->assoc : NULL;
  for (io_assoc *a = s->iep->assocs; a; a = a->next)
    if (a->id == id && a->owner == s)
      return a;
  return NULL;
}

static int io_asconf_set_peer_primary(csctp_sock *s, const void *val,
                                      size_t len) {
  csctp_setpeerprim v;
  if (len != sizeof v)
    return CSCTP_ERR_INVAL;
  memcpy(&v, val, sizeof v);
  io_assoc *a = io_asconf_target(s, v.assoc_id);
  if (!a)
    return -ENOTCONN;
  csctp_addr x;
  if (io_sockaddr_to_addr(&x, &v.addr, NULL) != 0)
    return CSCTP_ERR_INVAL;
  int r = csctp_asconf_set_peer_primary(s->iep->ep, a->id, &x, csctp_now());
  io_ep_kick_sock(s->iep, s);
  return r;
}

int io_sock_asconf_setopt(csctp_sock *s, int opt, const void *val, size_t len) {
  switch (opt) {
  case CSCTP_OPT_ASCONF_SUPPORTED: {
    csctp_assoc_value v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    if (v.assoc_id != 0)
      return CSCTP_ERR_INVAL; /* negotiated at setup */
    int r = s->iep ? csctp_asconf_enable(s->iep->ep, v.value != 0) : 0;
    if (r == 0)
      s->asconf_on = v.value != 0;
    return r;
  }
  case CSCTP_OPT_AUTO_ASCONF: {
    int v;
    if (len != sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    s->auto_asconf_off = v == 0;
    return 0;
  }
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return io_asconf_set_peer_primary(s, val, len);
  default:
    return -ENOPROTOOPT;
  }
}

int io_sock_asconf_getopt(csctp_sock *s, int opt, void *val, size_t *len) {
  switch (opt) {
  case CSCTP_OPT_ASCONF_SUPPORTED: {
    csctp_assoc_value v;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(&v, val, sizeof v);
    io_assoc *a = io_asconf_target(s, v.assoc_id);
    if (a) {
      int r = csctp_asconf_enabled(s->iep->ep, a->id);
      if (r < 0)
        return r;
      v.value = (uint32_t)r;
    } else {
      v.value = s->asconf_on;
    }
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
  }
  case CSCTP_OPT_AUTO_ASCONF: {
    int v = !s->auto_asconf_off;
    if (*len < sizeof v)
      return CSCTP_ERR_INVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
  }
  case CSCTP_OPT_SET_PEER_PRIMARY_ADDR:
    return -EOPNOTSUPP; /* set only */
  default:
    return -ENOPROTOOPT;
  }
}
