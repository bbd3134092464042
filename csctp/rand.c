/* rand.c -- the default random source: getrandom(2). */
#include "config.h"

#include "csctp.h"

#include <errno.h>
#include <sys/random.h>

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
