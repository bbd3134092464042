/* err.c -- csctp_strerror: one error space for the library and the OS. */
#include "config.h"

#include "csctp.h"

#include <string.h>

static const char *err_library(int err) {
  switch (err) {
  case CSCTP_ERR_INVAL:
    return "invalid argument";
  case CSCTP_ERR_NOMEM:
    return "out of memory";
  case CSCTP_ERR_NOBUF:
    return "buffer too small";
  case CSCTP_ERR_AGAIN:
    return "operation would block";
  case CSCTP_ERR_NOT_FOUND:
    return "no such association";
  case CSCTP_ERR_STATE:
    return "not allowed in the association's state";
  case CSCTP_ERR_STREAM:
    return "stream id beyond the negotiated stream count";
  case CSCTP_ERR_MSGSIZE:
    return "message larger than the send buffer";
  case CSCTP_ERR_MALFORMED:
    return "malformed packet";
  case CSCTP_ERR_CHECKSUM:
    return "bad checksum";
  case CSCTP_ERR_CLOSED:
    return "association closed";
  case CSCTP_ERR_LIMIT:
    return "resource limit reached";
  case CSCTP_ERR_ADDR:
    return "unusable address";
  case CSCTP_ERR_ABORTED:
    return "association aborted";
  case CSCTP_ERR_TIMEOUT:
    return "association failed: peer unreachable";
  case CSCTP_ERR_REFUSED:
    return "association refused by peer";
  case CSCTP_ERR_PROTO:
    return "protocol violation";
  case CSCTP_ERR_NOT_SUPPORTED:
    return "not supported";
  case CSCTP_ERR_RANDOM:
    return "random source failed";
  default:
    return "unknown error";
  }
}

const char *csctp_strerror(int err) {
  if (err == 0)
    return "success";
  if (err < 0 && err > -1000)
    return strerror(-err); /* negated errno from the OS */
  return err_library(err);
}
