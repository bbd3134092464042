/* io_pcap.c -- the CSCTP_PCAP packet tap (io_pcap.h). */
#include "config.h"

#include "io_pcap.h"

#include "chunk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_LINKTYPE_RAW 101u /* packets start with an IPv4/IPv6 header */
#define PCAP_SNAPLEN 65535u

static void pcap_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

int io_pcap_open(void) {
  const char *path = getenv("CSCTP_PCAP");
  if (!path || !*path)
    return -1;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) { /* we created it: the global header goes first */
    uint8_t h[24] = {0};
    pcap_le32(h, PCAP_MAGIC);
    h[4] = 2; /* version 2.4 */
    h[6] = 4;
    pcap_le32(h + 16, PCAP_SNAPLEN);
    pcap_le32(h + 20, PCAP_LINKTYPE_RAW);
    if (write(fd, h, sizeof(h)) != (ssize_t)sizeof(h)) {
      close(fd);
      return -1;
    }
    return fd;
  }
  if (errno != EEXIST)
    return -1;
  return open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

/* One's complement sum for the IPv4 header checksum. */
static uint16_t pcap_ip_checksum(const uint8_t *h, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; i += 2)
    sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static size_t pcap_ip_header(uint8_t *h, const csctp_addr *src,
                             const csctp_addr *dst, size_t len) {
  if (dst->family == CSCTP_AF_INET6) {
    memset(h, 0, 40);
    h[0] = 0x60;
    csctp_put16(h + 4, (uint16_t)len);
    h[6] = 132; /* next header: SCTP */
    h[7] = 64;
    if (src->family == CSCTP_AF_INET6)
      memcpy(h + 8, src->ip, 16);
    memcpy(h + 24, dst->ip, 16);
    return 40;
  }
  memset(h, 0, 20);
  h[0] = 0x45;
  csctp_put16(h + 2, (uint16_t)(20 + len));
  h[8] = 64;
  h[9] = 132; /* protocol: SCTP */
  if (src->family == CSCTP_AF_INET)
    memcpy(h + 12, src->ip, 4);
  memcpy(h + 16, dst->ip, 4);
  csctp_put16(h + 10, pcap_ip_checksum(h, 20));
  return 20;
}

void io_pcap_write(int fd, const csctp_addr *src, const csctp_addr *dst,
                   const uint8_t *pkt, size_t len) {
  if (fd < 0 || len > PCAP_SNAPLEN - 40)
    return;
  uint8_t rec[16 + 40];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  size_t iplen = pcap_ip_header(rec + 16, src, dst, len);
  pcap_le32(rec, (uint32_t)ts.tv_sec);
  pcap_le32(rec + 4, (uint32_t)(ts.tv_nsec / 1000));
  pcap_le32(rec + 8, (uint32_t)(iplen + len));
  pcap_le32(rec + 12, (uint32_t)(iplen + len));
  struct iovec iov[2] = {{rec, 16 + iplen}, {(void *)pkt, len}};
  (void)writev(fd, iov, 2); /* best effort: a debugging aid */
}
