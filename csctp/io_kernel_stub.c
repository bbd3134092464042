#include "config.h"

/* io_kernel_stub.c -- the kernel-SCTP probe where csctp has no kernel
 * backend (every system but Linux: macOS has no kernel SCTP; FreeBSD's is
 * not wired up yet). io_kernel_linux.c has the real one. */

#include "csctp.h"
#include "io_kernel.h"

#if !IO_KERNEL_SUPPORTED

CSCTP_API int csctp_kernel_probe(void) { return CSCTP_ERR_NOT_SUPPORTED; }

CSCTP_API int csctp_kernel_available(void) { return 0; }

CSCTP_API const char *csctp_kernel_why(int err) {
  if (err == CSCTP_ERR_NOT_SUPPORTED)
    return "csctp has no kernel SCTP backend on this system (use the UDP "
           "transport)";
  return csctp_strerror(err);
}

#endif
