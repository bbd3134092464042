package sctp

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// SCTPAddr is the address of an SCTP endpoint: one or more IP addresses
// (multi-homing), one SCTP port and, for SCTP over UDP (RFC 6951), the UDP
// port the endpoint's packets travel on.
type SCTPAddr struct {
	IPAddrs []net.IPAddr
	Port    int
	// UDPPort is the endpoint's UDP encapsulation port (RFC 6951), 0 when
	// unknown or not encapsulated. The address of a listener over UDP
	// carries it (see [SCTPListener.Addr]), so that dialing that address
	// reaches the listener's stack whatever its UDP port: a dial to an
	// address with UDPPort set sends to that UDP port (it takes the place
	// of [Options.RemoteUDPPort] and selects [TransportUDP] under
	// [TransportAuto]), and so does a WriteTo that sets up an association
	// implicitly. 0 means [Options.RemoteUDPPort], else [DefaultUDPPort].
	UDPPort int
}

// udpSuffix introduces the UDP encapsulation port in an address's string
// form: "127.0.0.1:5000;udp=9900".
const udpSuffix = ";udp="

// Network returns the address's network name, "sctp".
func (a *SCTPAddr) Network() string { return "sctp" }

// String returns the address as "ip1/ip2:port", followed by ";udp=N" when
// UDPPort is not 0: "10.0.0.1/10.0.1.1:5000;udp=9899". IPv6 addresses are
// written as net.JoinHostPort writes them, inside one pair of brackets
// around the host part: "[::1/fd00::2]:5000". An address without IPs is
// ":port". [ResolveSCTPAddr] parses every form String returns.
func (a *SCTPAddr) String() string {
	if a == nil {
		return "<nil>"
	}
	hosts := make([]string, 0, len(a.IPAddrs))
	for _, ip := range a.IPAddrs {
		hosts = append(hosts, ip.String())
	}
	s := net.JoinHostPort(strings.Join(hosts, "/"), strconv.Itoa(a.Port))
	if a.UDPPort != 0 {
		s += udpSuffix + strconv.Itoa(a.UDPPort)
	}
	return s
}

// isWildcard reports whether a lists no IP address or only unspecified
// ones.
func (a *SCTPAddr) isWildcard() bool {
	if a == nil {
		return true
	}
	for _, ip := range a.IPAddrs {
		if !ip.IP.IsUnspecified() {
			return false
		}
	}
	return true
}

// family reports which address families a holds.
func (a *SCTPAddr) families() (v4, v6 bool) {
	if a == nil {
		return false, false
	}
	for _, ip := range a.IPAddrs {
		if ip.IP.To4() != nil {
			v4 = true
		} else {
			v6 = true
		}
	}
	return
}

// ResolveSCTPAddr returns an address of an SCTP endpoint. network is
// "sctp", "sctp4" or "sctp6"; address is "host:port" where host lists one
// or more IP addresses or names separated by "/": "10.0.0.1/10.0.1.1:5000",
// "[::1/fd00::2]:5000" (each IPv6 address may also be bracketed on its own:
// "[::1]/[fd00::2]:5000"). An empty host (":5000") means every local
// address. A name resolves to its first address of the network's family
// (IPv4 first for "sctp"). The address may end with ";udp=N", the UDP
// encapsulation port of the endpoint ([SCTPAddr.UDPPort]):
// "127.0.0.1:5000;udp=40312" is what [SCTPListener.Addr] of a listener on
// UDP port 40312 returns, and dialing it reaches that listener.
func ResolveSCTPAddr(network, address string) (*SCTPAddr, error) {
	return resolveSCTPAddr(context.Background(), "resolve", network, address)
}

func resolveSCTPAddr(ctx context.Context, op, network, address string) (*SCTPAddr, error) {
	if err := checkNetwork(network); err != nil {
		return nil, &net.OpError{Op: op, Net: network, Err: err}
	}
	address, udpPort, err := splitUDPPort(address)
	if err != nil {
		return nil, &net.OpError{Op: op, Net: network, Err: err}
	}
	hosts, port, err := splitSCTPHostPort(address)
	if err != nil {
		return nil, &net.OpError{Op: op, Net: network, Err: err}
	}
	a := &SCTPAddr{Port: port, UDPPort: udpPort}
	for _, h := range hosts {
		ipa, err := resolveHost(ctx, network, h)
		if err != nil {
			return nil, &net.OpError{Op: op, Net: network, Err: err}
		}
		a.IPAddrs = append(a.IPAddrs, ipa)
	}
	return a, nil
}

func checkNetwork(network string) error {
	switch network {
	case "sctp", "sctp4", "sctp6":
		return nil
	}
	return net.UnknownNetworkError(network)
}

// splitUDPPort takes the ";udp=N" suffix off an address (port 0 when there
// is none).
func splitUDPPort(address string) (string, int, error) {
	i := strings.LastIndex(address, udpSuffix)
	if i < 0 {
		return address, 0, nil
	}
	p, err := strconv.ParseUint(address[i+len(udpSuffix):], 10, 16)
	if err != nil || p == 0 {
		return "", 0, &net.AddrError{Err: "invalid UDP port", Addr: address}
	}
	return address[:i], int(p), nil
}

// splitSCTPHostPort splits "h1/h2:port" into its hosts and port.
func splitSCTPHostPort(address string) ([]string, int, error) {
	i := strings.LastIndexByte(address, ':')
	if i < 0 {
		return nil, 0, &net.AddrError{Err: "missing port in address", Addr: address}
	}
	host, ps := address[:i], address[i+1:]
	port, err := parsePort(ps)
	if err != nil {
		return nil, 0, &net.AddrError{Err: "invalid port", Addr: address}
	}
	whole := false // one pair of brackets around the whole host list
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") && strings.Count(host, "[") == 1 {
		host = host[1 : len(host)-1]
		whole = true
	}
	if host == "" {
		return nil, port, nil
	}
	var hosts []string
	for _, h := range strings.Split(host, "/") {
		own := false
		if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
			h = h[1 : len(h)-1]
			own = true
		}
		if h == "" || strings.ContainsAny(h, "[]") {
			return nil, 0, &net.AddrError{Err: "invalid host list", Addr: address}
		}
		if strings.Contains(h, ":") && !whole && !own {
			return nil, 0, &net.AddrError{Err: "too many colons in address (bracket IPv6 addresses)", Addr: address}
		}
		hosts = append(hosts, h)
	}
	return hosts, port, nil
}

func parsePort(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		if p, lerr := net.LookupPort("sctp", s); lerr == nil {
			return p, nil
		}
		return 0, err
	}
	return int(p), nil
}

func resolveHost(ctx context.Context, network, h string) (net.IPAddr, error) {
	if ap, err := netip.ParseAddr(h); err == nil {
		ap = ap.Unmap()
		ipa := net.IPAddr{IP: net.IP(ap.AsSlice()), Zone: ap.Zone()}
		if err := checkFamily(network, ipa.IP); err != nil {
			return net.IPAddr{}, err
		}
		return ipa, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, h)
	if err != nil {
		return net.IPAddr{}, err
	}
	for _, want4 := range []bool{true, false} {
		for _, a := range addrs {
			is4 := a.IP.To4() != nil
			if is4 != want4 || checkFamily(network, a.IP) != nil {
				continue
			}
			if is4 {
				a.IP = a.IP.To4()
			}
			return a, nil
		}
	}
	return net.IPAddr{}, &net.AddrError{Err: "no suitable address found", Addr: h}
}

func checkFamily(network string, ip net.IP) error {
	is4 := ip.To4() != nil
	switch {
	case network == "sctp4" && !is4:
		return &net.AddrError{Err: "address family mismatch: IPv6 address on network sctp4", Addr: ip.String()}
	case network == "sctp6" && is4:
		return &net.AddrError{Err: "address family mismatch: IPv4 address on network sctp6", Addr: ip.String()}
	}
	return nil
}

// checkFamilyAddr is checkFamily for a netip.Addr.
func checkFamilyAddr(network string, a netip.Addr) error {
	is4 := a.Is4() || a.Is4In6()
	switch {
	case network == "sctp4" && !is4:
		return &net.AddrError{Err: "address family mismatch: IPv6 address on network sctp4", Addr: a.String()}
	case network == "sctp6" && is4:
		return &net.AddrError{Err: "address family mismatch: IPv4 address on network sctp6", Addr: a.String()}
	}
	return nil
}

// checkAddrFamily checks every address of a against network.
func checkAddrFamily(network string, a *SCTPAddr) error {
	if a == nil {
		return nil
	}
	if a.Port < 0 || a.Port > 65535 {
		return &net.AddrError{Err: "invalid port", Addr: strconv.Itoa(a.Port)}
	}
	if a.UDPPort < 0 || a.UDPPort > 65535 {
		return &net.AddrError{Err: "invalid UDP port", Addr: strconv.Itoa(a.UDPPort)}
	}
	for _, ip := range a.IPAddrs {
		if ip.IP == nil || (len(ip.IP) != 4 && len(ip.IP) != 16) {
			return &net.AddrError{Err: "invalid IP address", Addr: ip.String()}
		}
		if err := checkFamily(network, ip.IP); err != nil {
			return err
		}
	}
	return nil
}

// ---- sockaddr encoding (the layout of Linux struct sockaddr_in / _in6) ----

const (
	sizeofSockaddrInet4 = 16
	sizeofSockaddrInet6 = 28
	sizeofSockaddrStor  = 128
)

// appendSockaddr appends ip:port as a struct sockaddr_in or sockaddr_in6.
func appendSockaddr(b []byte, ip net.IPAddr, port int) ([]byte, error) {
	if ip4 := ip.IP.To4(); ip4 != nil {
		var sa [sizeofSockaddrInet4]byte
		binary.NativeEndian.PutUint16(sa[0:], afINET)
		binary.BigEndian.PutUint16(sa[2:], uint16(port))
		copy(sa[4:8], ip4)
		return append(b, sa[:]...), nil
	}
	if len(ip.IP) != net.IPv6len {
		return b, &net.AddrError{Err: "invalid IP address", Addr: ip.String()}
	}
	var sa [sizeofSockaddrInet6]byte
	binary.NativeEndian.PutUint16(sa[0:], afINET6)
	binary.BigEndian.PutUint16(sa[2:], uint16(port))
	copy(sa[8:24], ip.IP)
	if ip.Zone != "" {
		idx, err := zoneIndex(ip.Zone)
		if err != nil {
			return b, err
		}
		binary.NativeEndian.PutUint32(sa[24:], idx)
	}
	return append(b, sa[:]...), nil
}

func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, &net.AddrError{Err: "unknown IPv6 zone", Addr: zone}
	}
	return uint32(ifi.Index), nil
}

func zoneName(idx uint32) string {
	if idx == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(idx)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(idx), 10)
}

// packSockaddrs encodes a for csctp_bindx / csctp_connectx: n packed
// addresses. An address without IPs becomes the wildcard of the family
// (IPv4 when v6 is false).
func packSockaddrs(a *SCTPAddr, wildcardV6 bool) ([]byte, int, error) {
	port := 0
	if a != nil {
		port = a.Port
	}
	if a == nil || len(a.IPAddrs) == 0 {
		ip := net.IPAddr{IP: net.IPv4zero.To4()}
		if wildcardV6 {
			ip.IP = net.IPv6unspecified
		}
		b, err := appendSockaddr(nil, ip, port)
		return b, 1, err
	}
	var b []byte
	for _, ip := range a.IPAddrs {
		var err error
		if b, err = appendSockaddr(b, ip, port); err != nil {
			return nil, 0, err
		}
	}
	return b, len(a.IPAddrs), nil
}

// parseSockaddr decodes a struct sockaddr_in / sockaddr_in6.
func parseSockaddr(b []byte) (net.IPAddr, int, bool) {
	if len(b) < 4 {
		return net.IPAddr{}, 0, false
	}
	port := int(binary.BigEndian.Uint16(b[2:]))
	switch binary.NativeEndian.Uint16(b) {
	case afINET:
		if len(b) < 8 {
			return net.IPAddr{}, 0, false
		}
		return net.IPAddr{IP: net.IPv4(b[4], b[5], b[6], b[7]).To4()}, port, true
	case afINET6:
		if len(b) < sizeofSockaddrInet6 {
			return net.IPAddr{}, 0, false
		}
		ip := make(net.IP, net.IPv6len)
		copy(ip, b[8:24])
		return net.IPAddr{IP: ip, Zone: zoneName(binary.NativeEndian.Uint32(b[24:]))}, port, true
	}
	return net.IPAddr{}, 0, false
}

// sockaddrAddrPort decodes a struct sockaddr_in / sockaddr_in6 without
// allocating (except for the zone name of a scoped IPv6 address).
func sockaddrAddrPort(b []byte) (netip.AddrPort, bool) {
	if len(b) < 8 {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(b[2:])
	switch binary.NativeEndian.Uint16(b) {
	case afINET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), true
	case afINET6:
		if len(b) < sizeofSockaddrInet6 {
			return netip.AddrPort{}, false
		}
		a := netip.AddrFrom16([16]byte(b[8:24]))
		if idx := binary.NativeEndian.Uint32(b[24:]); idx != 0 {
			a = a.WithZone(zoneName(idx))
		}
		return netip.AddrPortFrom(a, port), true
	}
	return netip.AddrPort{}, false
}

// putSockaddr encodes ap as a struct sockaddr_in (IPv4 and IPv4-mapped
// addresses) or sockaddr_in6 into sa and returns its length.
func putSockaddr(sa *[sizeofSockaddrInet6]byte, ap netip.AddrPort) (int, error) {
	*sa = [sizeofSockaddrInet6]byte{}
	a := ap.Addr()
	if !a.IsValid() {
		return 0, &net.AddrError{Err: "invalid IP address", Addr: ap.String()}
	}
	binary.BigEndian.PutUint16(sa[2:], ap.Port())
	if a.Is4() || a.Is4In6() {
		binary.NativeEndian.PutUint16(sa[0:], afINET)
		v4 := a.Unmap().As4()
		copy(sa[4:8], v4[:])
		return sizeofSockaddrInet4, nil
	}
	binary.NativeEndian.PutUint16(sa[0:], afINET6)
	v6 := a.As16()
	copy(sa[8:24], v6[:])
	if z := a.Zone(); z != "" {
		idx, err := zoneIndex(z)
		if err != nil {
			return 0, err
		}
		binary.NativeEndian.PutUint32(sa[24:], idx)
	}
	return sizeofSockaddrInet6, nil
}

// ipAddrPort converts ip:port to a netip.AddrPort (an IPv4 address as a
// 4-byte address).
func ipAddrPort(ip net.IPAddr, port int) (netip.AddrPort, bool) {
	a, ok := netip.AddrFromSlice(ip.IP)
	if !ok {
		return netip.AddrPort{}, false
	}
	a = a.Unmap()
	if ip.Zone != "" && a.Is6() {
		a = a.WithZone(ip.Zone)
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

// addrPortSCTP converts a peer address to a one-IP *SCTPAddr.
func addrPortSCTP(ap netip.AddrPort, udpPort int) *SCTPAddr {
	a := ap.Addr()
	ip := net.IPAddr{IP: net.IP(a.AsSlice()), Zone: a.Zone()}
	return &SCTPAddr{IPAddrs: []net.IPAddr{ip}, Port: int(ap.Port()), UDPPort: udpPort}
}

// sockaddrsToSCTPAddr joins decoded sockaddrs into one SCTPAddr.
func sockaddrsToSCTPAddr(list [][]byte) *SCTPAddr {
	if len(list) == 0 {
		return nil
	}
	a := &SCTPAddr{}
	for _, b := range list {
		ip, port, ok := parseSockaddr(b)
		if !ok {
			continue
		}
		a.IPAddrs = append(a.IPAddrs, ip)
		a.Port = port
	}
	return a
}

// rawAddr mirrors csctp_addr: an IP address and the UDP encapsulation port.
type rawAddr struct {
	family uint8
	ip     [16]byte
	port   uint16
	scope  uint32
}

func (r rawAddr) ipAddr() net.IPAddr {
	switch r.family {
	case 4:
		return net.IPAddr{IP: net.IPv4(r.ip[0], r.ip[1], r.ip[2], r.ip[3]).To4()}
	case 6:
		ip := make(net.IP, net.IPv6len)
		copy(ip, r.ip[:])
		return net.IPAddr{IP: ip, Zone: zoneName(r.scope)}
	}
	return net.IPAddr{}
}
