/* io_pcap.h -- a debugging tap: when the environment variable CSCTP_PCAP
 * names a file, every SCTP packet a stack sends or receives is appended to
 * it as a pcap record (link type "raw IP", with a synthesized IPv4 or IPv6
 * header, protocol 132), so that tools such as tshark can check what went
 * over the wire whatever the transport and ports. Internal. */
#ifndef CSCTP_IO_PCAP_H
#define CSCTP_IO_PCAP_H

#include "csctp.h"

/* io_pcap_open returns a file descriptor for the CSCTP_PCAP file (writing
 * the pcap file header if this call created it), or -1 when the variable is
 * unset or the file cannot be opened. */
int io_pcap_open(void);

/* io_pcap_write appends one packet from src to dst. Each record goes out in
 * a single write(2) on an O_APPEND descriptor, so stacks in several threads
 * or processes may share the file. */
void io_pcap_write(int fd, const csctp_addr *src, const csctp_addr *dst,
                   const uint8_t *pkt, size_t len);

#endif
