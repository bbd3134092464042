package sctp

import (
	"fmt"
	"sync"
	"time"
)

// Transport selects what carries the SCTP packets.
type Transport int

// Transports.
const (
	// TransportAuto picks the best transport available: the kernel's SCTP
	// (TransportKernel) when the operating system has it, else UDP
	// encapsulation (TransportUDP). Options that only make sense for UDP
	// encapsulation ([Options.LocalUDPPort] or [Options.RemoteUDPPort] not
	// 0) select UDP. [SCTPConn.Transport] tells which was chosen.
	TransportAuto Transport = iota
	// TransportUDP encapsulates SCTP in UDP (RFC 6951). Works everywhere,
	// without privileges. See [Options.LocalUDPPort] and
	// [Options.RemoteUDPPort].
	TransportUDP
	// TransportRaw sends SCTP over raw IP (protocol 132), as the kernel
	// would: native SCTP on the wire. Needs root (CAP_NET_RAW) and a kernel
	// without its own SCTP.
	TransportRaw
	// TransportKernel uses the operating system's SCTP sockets (Linux
	// IPPROTO_SCTP) behind the same API. Where the operating system has no
	// SCTP, conns fail with an error wrapping [ErrKernelUnavailable] that
	// names the cause (see [KernelAvailable]). The protocol parameters of
	// [Options] are applied to each kernel socket; the kernel's own limits
	// and defaults apply otherwise (see docs/kernel-backend.md for the
	// differences from the userland engine). LocalUDPPort must be 0 (the
	// kernel's UDP encapsulation port is the system-wide sysctl
	// net.sctp.udp_port); RemoteUDPPort sets the peer's UDP encapsulation
	// port per socket (Linux 5.11 or later; the kernel sends over UDP only
	// when net.sctp.udp_port is set).
	TransportKernel
)

// KernelAvailable reports whether the operating system offers SCTP
// sockets: nil when it does (TransportKernel works and TransportAuto uses
// it), else an error wrapping [ErrKernelUnavailable] that names the cause.
func KernelAvailable() error {
	if code := cKernelProbe(); code != 0 {
		return kernelUnavailable(code)
	}
	return nil
}

// kernelAuto caches whether TransportAuto uses the kernel.
var kernelAuto = sync.OnceValue(func() bool { return cKernelProbe() == 0 })

// String returns the transport's name.
func (t Transport) String() string {
	switch t {
	case TransportAuto:
		return "auto"
	case TransportUDP:
		return "udp"
	case TransportRaw:
		return "raw"
	case TransportKernel:
		return "kernel"
	}
	return fmt.Sprintf("Transport(%d)", int(t))
}

// DefaultUDPPort is the UDP port registered for SCTP over UDP (RFC 6951,
// "sctp-tunneling"): the default local port of listeners and the default
// remote port of dials.
const DefaultUDPPort = 9899

// EphemeralPort as [Options.LocalUDPPort] asks for a UDP port chosen by the
// kernel.
const EphemeralPort = -1

// Options configures how conns are created: transport and protocol
// parameters. The zero value means the defaults. [Dialer] and
// [ListenConfig] embed it.
type Options struct {
	// Transport carries the packets; the zero value is TransportAuto.
	Transport Transport

	// LocalUDPPort is the local UDP encapsulation port (UDP transport;
	// must be 0 with TransportKernel).
	//
	// 0, the default, means for listeners: DefaultUDPPort (9899) if it is
	// free, else (another process holds it) an ephemeral port; for dials
	// and ListenSCTP clients alike, the listener's choice is then visible
	// in its address ([SCTPListener.Addr], [SCTPAddr.UDPPort]). For dials
	// 0 means an ephemeral port. EphemeralPort (-1) asks for an ephemeral
	// port. Any other value is that port, and an error wrapping
	// syscall.EADDRINUSE (naming the port) when it is taken. All conns of
	// a process with the same transport and local UDP port share one
	// stack. See the package documentation on sharing a host.
	LocalUDPPort int
	// RemoteUDPPort is the peer's UDP encapsulation port used to set up
	// associations (0: DefaultUDPPort). Later packets follow the UDP source
	// port of the peer's packets (RFC 6951 5.4). With TransportKernel it is
	// the per-socket remote encapsulation port (0: the system's
	// net.sctp.encap_port).
	RemoteUDPPort int

	// InitNumStreams is the number of outbound streams requested (0: 10).
	InitNumStreams int
	// InitMaxInStreams is the most inbound streams accepted (0: 65535).
	InitMaxInStreams int
	// InitMaxAttempts is the number of INIT retransmissions (0: 8).
	InitMaxAttempts int
	// InitMaxInitTimeout caps the INIT retransmission timer (0: RTO.Max).
	InitMaxInitTimeout time.Duration

	// RTOInitial, RTOMin and RTOMax set the retransmission timeout's
	// initial value and bounds (RFC 9260 6.3.1; defaults from section 16:
	// 1 s, 1 s and 60 s); 0 keeps the default. Millisecond resolution.
	// See [SCTPConn.SetRTO].
	RTOInitial, RTOMin, RTOMax time.Duration
	// HeartbeatInterval is HB.interval (RFC 9260 8.3), the time between
	// heartbeats on an idle path (default 30 s); 0 keeps the default, a
	// negative value turns heartbeats off. Millisecond resolution. See
	// [SCTPConn.SetHeartbeatInterval].
	HeartbeatInterval time.Duration
	// DefaultSendInfo, when not nil, is the send information of Write,
	// io.Copy and every write that gives none: stream, PPID, flags and
	// context (AssocID is ignored). See [SCTPConn.SetDefaultSendInfo].
	DefaultSendInfo *SndInfo

	// Bundling turns off NoDelay: small messages may wait to be bundled
	// into one packet. Off by default (messages are sent at once).
	//
	// Deprecated: Bundling is the inverse of SCTPConn.SetNoDelay; use
	// [Options.SetNoDelay](false), which reads the same way. Bundling
	// still works when SetNoDelay was not called.
	Bundling bool
	noDelay  int8 // SetNoDelay: 0 not called, 1 true, 2 false
	// ReadBuffer and WriteBuffer set the receive and send buffer sizes in
	// bytes (0: 1 MiB each). A message longer than the send buffer cannot
	// be sent.
	ReadBuffer, WriteBuffer int

	// Congestion selects the congestion controller of the conn's
	// associations: CongestionReno (the zero value, RFC 9260's) or
	// CongestionCubic (RFC 9438 CUBIC with HyStart++, for paths with a
	// large bandwidth-delay product). Not with TransportKernel (the
	// kernel's SCTP has its own); TransportAuto then picks UDP.
	Congestion CongestionControl

	// Notifications are subscribed when the conn is created, so that no
	// early event (such as the AssocChange of a new association) is
	// missed.
	Notifications []NotificationType

	// Auth, when not nil, switches on authenticated chunks (RFC 4895).
	Auth *AuthConfig
	// DisablePRSCTP stops announcing PR-SCTP (RFC 3758, with the policies
	// of RFC 7496) when associations are set up; it is announced by
	// default and used when the peer announces it too. Without it every
	// message is sent reliably, whatever its [SndInfo.PRPolicy].
	DisablePRSCTP bool

	// Interleaving announces user message interleaving (RFC 8260, the
	// I-DATA chunk) when associations are set up; it is used when the peer
	// announces it too. Off by default (RFC 8260 2.2.1). Reads still
	// return one message at a time (see [SCTPConn.Interleaving]) unless
	// InterleavedReads is set too. Set InterleavedReads with it when the
	// peer may interleave large messages of several streams into a small
	// receive buffer: reads that give one message at a time can then stall
	// for good, every message waiting for fragments the full buffer
	// refuses (RFC 8260 4.3.1 asks for fragment interleave level 2).
	Interleaving bool
	// InterleavedReads opts into interleaved delivery (RFC 6458 8.1.20
	// fragment interleave level 2): between two parts of a message that
	// is read in parts (a message larger than the read buffer, or
	// partially delivered before it is complete), Read and ReadFromSCTP
	// may return a part of a message of another stream (or, on a
	// one-to-many conn, of another association); never of another message
	// of the same stream. Use [SCTPConn.ReadFromSCTP] and put each message
	// together from its parts by [RcvInfo] AssocID and Stream until
	// [RcvInfo.EndOfRecord]; the PPID is in every part. With Interleaving,
	// several large messages, one per stream, are then received and read
	// in parts at once, so a message stalled by a loss does not hold back
	// the others. Off by default: a Read then returns one message, or
	// consecutive parts of it, before any other. On a listener it holds
	// for the conns it accepts.
	InterleavedReads bool
	// StreamScheduler is the stream scheduler of new associations (RFC 8260
	// 3); the zero value is [SchedFCFS].
	StreamScheduler StreamScheduler
	// ASCONF offers dynamic address reconfiguration (RFC 5061) when
	// associations are set up: the conn asks for ASCONF and ASCONF-ACK
	// chunks authenticated (it switches AUTH on, as if Auth were set) and
	// lists them as supported. Associations where the peer does the same
	// use it (see [SCTPConn.BindAdd]). Over TransportKernel Linux needs
	// sysctl net.sctp.addip_enable and net.sctp.auth_enable.
	ASCONF bool
}

// CongestionControl names a congestion controller.
type CongestionControl int

// The congestion controllers.
const (
	// CongestionReno is RFC 9260 section 7.2's algorithm, the default.
	CongestionReno CongestionControl = 0
	// CongestionCubic is CUBIC (RFC 9438) with HyStart++ (RFC 9406).
	CongestionCubic CongestionControl = 1
)

// String returns "reno" or "cubic".
func (c CongestionControl) String() string {
	switch c {
	case CongestionReno:
		return "reno"
	case CongestionCubic:
		return "cubic"
	}
	return fmt.Sprintf("CongestionControl(%d)", int(c))
}

// ParseCongestionControl returns the controller named "reno" or "cubic".
func ParseCongestionControl(name string) (CongestionControl, error) {
	switch name {
	case "reno":
		return CongestionReno, nil
	case "cubic":
		return CongestionCubic, nil
	}
	return 0, fmt.Errorf("sctp: unknown congestion controller %q (reno, cubic)", name)
}

// SetNoDelay sets whether messages are sent at once (true, the default)
// or may wait briefly to be bundled with others (false), for the conns
// made with o, as [SCTPConn.SetNoDelay] does for one conn. It takes
// precedence over the deprecated Bundling field.
func (o *Options) SetNoDelay(noDelay bool) {
	o.noDelay = 2
	if noDelay {
		o.noDelay = 1
	}
}

// NoDelay reports whether conns made with o send messages at once: what
// SetNoDelay set, else !o.Bundling.
func (o *Options) NoDelay() bool {
	if o.noDelay != 0 {
		return o.noDelay == 1
	}
	return !o.Bundling
}

// msRange checks a millisecond-resolution duration option.
func msRange(name string, d time.Duration) error {
	if d < 0 || d > time.Duration(1<<32-1)*time.Millisecond {
		return fmt.Errorf("sctp: %s %v out of range", name, d)
	}
	return nil
}

// ms converts a duration to whole milliseconds, at least 1 when d > 0.
func ms(d time.Duration) uint32 {
	if d > 0 && d < time.Millisecond {
		return 1
	}
	return uint32(d / time.Millisecond)
}

// checkRTO checks RTO.Initial, RTO.Min and RTO.Max (0: unchanged).
func checkRTO(initial, min, max time.Duration) error {
	for _, v := range []struct {
		name string
		d    time.Duration
	}{{"RTOInitial", initial}, {"RTOMin", min}, {"RTOMax", max}} {
		if err := msRange(v.name, v.d); err != nil {
			return err
		}
	}
	if min != 0 && max != 0 && min > max {
		return fmt.Errorf("sctp: RTOMin %v above RTOMax %v", min, max)
	}
	return nil
}

// stackKey selects a process-wide stack.
type stackKey struct {
	transport int // cTransportUDP, cTransportRaw or cTransportKernel
	udpPort   int // 0: ephemeral
	// preferred: udpPort is only preferred (a listener's default): when
	// another process holds it the stack takes an ephemeral port. Never
	// part of a registry key (acquireStack clears it).
	preferred bool
	// lower: the id of a stack over a caller's connection (lower.go), each
	// its own; 0 for the shared stacks.
	lower uint64
	// shard: which of the stacks of an ephemeral UDP port (stack.go,
	// shardFor); 0 for every other key.
	shard int
}

// transportName returns the Transport of a resolved key.
func (k stackKey) transportName() Transport {
	switch k.transport {
	case cTransportRaw:
		return TransportRaw
	case cTransportKernel:
		return TransportKernel
	}
	return TransportUDP
}

// key resolves the transport and local UDP port. listener tells the
// default of LocalUDPPort.
func (o *Options) key(listener bool) (stackKey, error) {
	if o.RemoteUDPPort < 0 || o.RemoteUDPPort > 65535 {
		return stackKey{}, fmt.Errorf("sctp: invalid remote UDP port %d", o.RemoteUDPPort)
	}
	switch o.Transport {
	case TransportAuto:
		// The kernel's SCTP has its own congestion control: a conn
		// asking for another controller takes the userland stack.
		if o.LocalUDPPort == 0 && o.RemoteUDPPort == 0 && o.Congestion == CongestionReno && kernelAuto() {
			return stackKey{transport: cTransportKernel}, nil
		}
	case TransportUDP:
	case TransportRaw:
		return stackKey{transport: cTransportRaw}, nil
	case TransportKernel:
		if o.LocalUDPPort != 0 && o.LocalUDPPort != EphemeralPort {
			return stackKey{}, fmt.Errorf("sctp: LocalUDPPort %d does not apply to the kernel transport (its UDP port is the sysctl net.sctp.udp_port)", o.LocalUDPPort)
		}
		return stackKey{transport: cTransportKernel}, nil
	default:
		return stackKey{}, fmt.Errorf("sctp: unknown transport %d", int(o.Transport))
	}
	k := stackKey{transport: cTransportUDP}
	switch p := o.LocalUDPPort; {
	case p == 0 && listener:
		k.udpPort = DefaultUDPPort
		k.preferred = true
	case p == 0, p == EphemeralPort:
		k.udpPort = 0
	case p > 0 && p <= 65535:
		k.udpPort = p
	default:
		return stackKey{}, fmt.Errorf("sctp: invalid local UDP port %d", p)
	}
	return k, nil
}

// validate checks the protocol parameters.
func (o *Options) validate() error {
	if o.InitNumStreams < 0 || o.InitNumStreams > 65535 {
		return fmt.Errorf("sctp: InitNumStreams %d out of range 1..65535", o.InitNumStreams)
	}
	if o.InitMaxInStreams < 0 || o.InitMaxInStreams > 65535 {
		return fmt.Errorf("sctp: InitMaxInStreams %d out of range 1..65535", o.InitMaxInStreams)
	}
	if o.InitMaxAttempts < 0 || o.InitMaxAttempts > 65535 {
		return fmt.Errorf("sctp: InitMaxAttempts %d out of range", o.InitMaxAttempts)
	}
	if o.InitMaxInitTimeout < 0 || o.InitMaxInitTimeout > time.Duration(1<<32-1)*time.Millisecond {
		return fmt.Errorf("sctp: InitMaxInitTimeout %v out of range", o.InitMaxInitTimeout)
	}
	if err := checkRTO(o.RTOInitial, o.RTOMin, o.RTOMax); err != nil {
		return err
	}
	if o.HeartbeatInterval > time.Duration(1<<32-1)*time.Millisecond {
		return fmt.Errorf("sctp: HeartbeatInterval %v out of range", o.HeartbeatInterval)
	}
	if o.ReadBuffer < 0 || o.WriteBuffer < 0 {
		return fmt.Errorf("sctp: negative buffer size")
	}
	if o.Congestion != CongestionReno && o.Congestion != CongestionCubic {
		return fmt.Errorf("sctp: unknown congestion controller %d", int(o.Congestion))
	}
	for _, t := range o.Notifications {
		if t.cTypes() == nil {
			return fmt.Errorf("sctp: unknown notification type %d", int(t))
		}
	}
	return nil
}
