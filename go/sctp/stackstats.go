package sctp

import (
	"errors"
	"fmt"
	"net"
)

// StackStats are the packet counters of the userland stack a conn runs
// on: its UDP (or raw IP) sockets, which every conn of the process on the
// same transport and local UDP port shares, so the counts include the
// other conns' packets. They are what csctp_stack_stats_get reports to a
// C program (csctp/csctp_io.h), so that a Go program and a C program can
// be compared with the same counters (cmd/sctpperf -json prints them as
// csctp/examples/perf.c does).
type StackStats struct {
	DatagramsIn, DatagramsOut uint64 // SCTP packets received / sent
	BytesIn, BytesOut         uint64 // SCTP bytes (no IP/UDP headers)
	RecvBatches, SendBatches  uint64 // recvmmsg / sendmmsg calls
	// Linux UDP segmentation offload (UDP_SEGMENT sends with
	// CSCTP_UDP_GSO=1; UDP_GRO unless CSCTP_UDP_GSO=0): the datagrams
	// sent with UDP_SEGMENT and the packets they carried; the coalesced
	// datagrams received and the packets split out of them. 0 without
	// offload.
	GSOSends, GSOPackets    uint64
	GROReceives, GROPackets uint64
	SendErrors              uint64 // packets the sockets refused (counted lost)
}

// StackStats returns the counters of the userland stack c runs on (see
// [StackStats]). On the kernel's SCTP there is no such stack: the error
// wraps errors.ErrUnsupported.
func (c *SCTPConn) StackStats() (StackStats, error) {
	var st StackStats
	if !c.ok() {
		return st, invalid("stats")
	}
	if c.st.kernel {
		return st, c.opErr("stats", fmt.Errorf("%w: the kernel's SCTP (%v) has no userland stack to count",
			errors.ErrUnsupported, c.Transport()))
	}
	c.st.mu.Lock()
	defer c.st.unlock()
	if c.closedLocked() || c.st.cs == nil {
		return st, c.opErr("stats", net.ErrClosed)
	}
	c.st.cs.stats(&st)
	return st, nil
}
