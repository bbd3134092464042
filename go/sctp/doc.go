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
// [SCTPConn.ReadFromSCTPAddrPort] and [SCTPConn.WriteToSCTPAddrPort] are
// the same with a caller-provided [RcvInfo] / [SndInfo] and
// netip.AddrPort addresses: like Read and Write, they allocate nothing per
// message. [SCTPConn.SetDefaultSendInfo] ([Options.DefaultSendInfo]) picks
// the stream and PPID of Write and io.Copy.
//
// [SCTPConn.WriteBatch] and [SCTPConn.ReadBatch] move many messages per
// call (one cgo call per run of small messages when writing; when reading,
// the messages a conn has already read ahead). Reads of small messages
// are batched for every read form: a read that gets one also takes the
// ones waiting behind it in the same C call, and the next reads are served
// from the conn's memory.
//
// Notifications (association changes, path changes, failed sends, ...) are
// typed Go values read with [SCTPConn.ReadNotification] after
// [SCTPConn.Subscribe]; they never come back from Read.
//
// # Over a connection the program already has
//
// [Client] and [Server] run one association over any [net.Conn] that
// carries one packet per Read and Write (a DTLS connection, as WebRTC data
// channels use it, RFC 8261; a UDP connection; [net.Pipe]), and
// [PacketConn] adapts a [net.PacketConn]. The result is the usual
// one-to-one [SCTPConn]; [ConnConfig.ZeroChecksum] turns on zero checksum
// (RFC 9653) where the connection is DTLS.
//
// # Concurrency and readiness
//
// The conns are safe for concurrent use. No OS thread ever blocks in C: a
// process-wide userland stack (one per transport and local UDP port) is
// driven by a goroutine of its own waiting in Go's network poller and by
// its conns (below), and every socket waits for readiness in the poller
// too, so deadlines and Close work as they do for net.Conn. The goroutine ends when the last socket of its stack is
// closed (after giving graceful shutdowns a moment to complete). Kernel
// sockets need no such goroutine: the kernel runs the protocol, and conns
// wait for their sockets in the poller.
//
// The stack's work is done where it is needed: a conn that has to wait (a
// Read with nothing to read, a Write with its send buffer full) steps the
// stack itself while no other conn does, and a conn that writes in bulk
// (256 KiB per 10 ms or more) steps it every 256 KiB it sends; the stack's
// goroutine does the rest (timers, packets while no conn waits) and looks
// at least every 10 ms while conns do the work (and steps the stack then
// only if none of them does). A bulk writer yields the processor
// (runtime.Gosched) after each of its steps, so that it never runs long
// enough for the runtime to preempt it inside a C call. So a goroutine that writes
// in bulk or waits for its reads keeps its association's work on its own
// thread, as the loop of a single-threaded C program does.
//
// Every call into a stack holds that stack's lock, so the conns of one
// stack use about one core between them. Sockets on an ephemeral local UDP
// port (dials and [ListenSCTP] clients by default, listeners given
// [EphemeralPort]) are therefore spread over up to GOMAXPROCS stacks (at
// most 8), each with its own UDP port, lock and goroutine, and many conns
// driven by many goroutines use several cores. The conns accepted by one
// listener share its stack, as do all sockets on a fixed UDP port (9899 by
// default for a listener).
//
// # Several processes on one host
//
// RFC 6951 (section 5.1) has SCTP stacks talk over UDP on the registered
// port 9899 ([DefaultUDPPort]) at both ends, one local UDP port per stack:
// every association of the host, whatever its SCTP ports, travels in UDP
// datagrams to and from that port, and the SCTP port inside tells them
// apart. That convention assumes one SCTP stack per host, as an operating
// system has; the RFC notes that it cannot hold when each application
// carries its own stack, and asks for APIs that set other local and
// remote UDP ports. A userland stack lives in its process, and only one
// process can bind a UDP port, so processes that each run their own stack
// need a UDP port each.
//
// This package handles that as follows. All conns of one process with the
// same transport and fixed local UDP port share one stack, hence one UDP
// port; those on an ephemeral port share up to GOMAXPROCS stacks, each with
// its own ephemeral port.
// A listener with the default [Options.LocalUDPPort] (0) takes 9899 when
// it is free, and otherwise an ephemeral UDP port; dials and [ListenSCTP]
// clients use an ephemeral port unless told otherwise. The UDP port is part
// of a listener's address ([SCTPAddr.UDPPort], string form
// "127.0.0.1:5000;udp=40312"), so Dial(ln.Addr().Network(),
// ln.Addr().String()) reaches the listener whichever port it got; a peer
// that only knows the host and SCTP port reaches the process on 9899, and
// must otherwise be told the UDP port (its [Options.RemoteUDPPort], or the
// ";udp=N" of the address). A process that must serve on a given UDP port
// sets [Options.LocalUDPPort]; when that port is taken the error is a
// [*UDPPortInUseError] naming it (errors.Is(err, syscall.EADDRINUSE)).
// The kernel transport has none of this: the kernel is the host's one
// stack.
//
// # Errors
//
// Errors are *net.OpError values, as the net package returns, and match
// what a TCP conn gives in the same situation:
//
//   - after our own Close (or Abort): errors.Is(err, net.ErrClosed), and
//     only then;
//   - the peer aborted the association (ABORT, RFC 9260 9.1): an
//     [*AbortError] that matches syscall.ECONNRESET;
//   - the association was lost because the peer stopped answering
//     (retransmission limits, RFC 9260 8.1): an [*AssocLostError] that
//     matches syscall.ETIMEDOUT and has Timeout() == true; a refused setup
//     matches syscall.ECONNREFUSED;
//   - the peer shut the association down (SHUTDOWN, RFC 9260 9.2): Read
//     returns io.EOF once every message was read, and Write fails with a
//     [*ShutdownError] that matches syscall.EPIPE (so does a Write after
//     our own [SCTPConn.CloseWrite]).
//
// errors.As gives the typed errors for the details. Deadline errors
// satisfy errors.Is(err, os.ErrDeadlineExceeded) and have Timeout() ==
// true.
//
// The package needs cgo and a C compiler; built with CGO_ENABLED=0 every
// function returns [ErrNeedCgo].
package sctp
