/* rand.c -- the default random source: getrandom(2) on Linux, getentropy(3)
 * (at most 256 bytes a call) on macOS and the BSDs. */
#include "config.h"

#include "csctp.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__)
#include <sys/random.h>
#endif

#if defined(__linux__)
int csctp_rand_default(uint8_t *dest, size_t len, void *user_data) {
  (void)user_data;
  while (len > 0) {
    ssize_t n = getrandom(dest, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    dest += n;
    len -= (size_t)n;
  }
  return 0;
}
#else
int csctp_rand_default(uint8_t *dest, size_t len, void *user_data) {
  (void)user_data;
  while (len > 0) {
    size_t k = len < 256 ? len : 256;
    if (getentropy(dest, k) != 0)
      return -errno;
    dest += k;
    len -= k;
  }
  return 0;
}
#endif
