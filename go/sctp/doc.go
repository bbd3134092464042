// Package sctp provides SCTP (RFC 9260) associations with an API shaped
// like the standard net package.
//
// The protocol runs either in the operating system's own SCTP (Linux
// IPPROTO_SCTP sockets, when the kernel has SCTP) or in userland, in the C
// core of csctp (linked through cgo), over UDP encapsulation (RFC 6951: no
// privileges and no kernel SCTP needed) or over raw IP protocol 132 (root).
// The default, [TransportAuto], picks the kernel where it has SCTP, else UDP
// encapsulation. See [Transport] and [KernelAvailable].
//
// # Types
//
// [SCTPAddr] names a multi-homed endpoint: several IP addresses, one SCTP
// port. Its string form is "ip1/ip2:port" (IPv6 in brackets, as net does:
// "[::1/fd00::2]:5000").
//
// [SCTPConn] is one SCTP socket. A one-to-one conn (from [Dial],
// [DialSCTP], [Dialer] or [SCTPListener.Accept]) carries one association
// and implements [net.Conn]. A one-to-many conn (from [ListenSCTP] or
// [ListenPacket]) carries any number of associations, set up implicitly by
// [SCTPConn.WriteTo] or accepted from peers, and implements
// [net.PacketConn]. Both read and write whole messages: every Write is one
// SCTP user message, and Read returns one message, or its first part when
// the buffer is short (the rest comes on the next Reads;
// [SCTPConn.ReadFromSCTP] reports where a message ends).
//
// [SCTPConn.ReadFromSCTP] and [SCTPConn.WriteToSCTP] expose the stream id,
// the payload protocol identifier (PPID), unordered delivery and the other
// per-message information of RFC 6458. The PPID is given and returned in
// host byte order; the package converts it to and from the network byte
// order of the wire.
//
// Notifications (association changes, path changes, failed sends, ...) are
// typed Go values read with [SCTPConn.ReadNotification] after
// [SCTPConn.Subscribe]; they never come back from Read.
//
// # Concurrency and readiness
//
// The conns are safe for concurrent use. No OS thread ever blocks in C: a
// process-wide userland stack (one per transport and local UDP port) is
// driven by one goroutine waiting in Go's network poller, and every socket
// waits for readiness in the poller too, so deadlines and Close work as they
// do for net.Conn. The goroutine ends when the last socket of its stack is
// closed (after giving graceful shutdowns a moment to complete). Kernel
// sockets need no such goroutine: the kernel runs the protocol, and conns
// wait for their sockets in the poller.
//
// # Errors
//
// Errors are *net.OpError values, as the net package returns. After Close,
// and once an association has ended, errors satisfy errors.Is(err,
// net.ErrClosed); [AbortError], [ShutdownError] and [AssocLostError] tell
// why. Deadline errors satisfy errors.Is(err, os.ErrDeadlineExceeded) and
// have Timeout() == true.
//
// The package needs cgo and a C compiler; built with CGO_ENABLED=0 every
// function returns [ErrNeedCgo].
package sctp
