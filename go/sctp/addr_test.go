package sctp

import (
	"net"
	"testing"
)

func TestResolveSCTPAddr(t *testing.T) {
	tests := []struct {
		net, in string
		want    string
		n       int
		bad     bool
	}{
		{"sctp", "127.0.0.1:5000", "127.0.0.1:5000", 1, false},
		{"sctp", "10.0.0.1/10.0.1.1:5000", "10.0.0.1/10.0.1.1:5000", 2, false},
		{"sctp", "[::1/fd00::2]:80", "[::1/fd00::2]:80", 2, false},
		{"sctp", "[::1]/[fd00::2]:80", "[::1/fd00::2]:80", 2, false},
		{"sctp", "10.0.0.1/[::1]:80", "[10.0.0.1/::1]:80", 2, false},
		{"sctp", ":9", ":9", 0, false},
		{"sctp6", "[::1]:1", "[::1]:1", 1, false},
		{"sctp", "::ffff:1.2.3.4:7", "", 0, true}, // ambiguous without brackets
		{"sctp", "[::ffff:1.2.3.4]:7", "1.2.3.4:7", 1, false},
		{"sctp4", "[::1]:1", "", 0, true},
		{"sctp6", "1.2.3.4:1", "", 0, true},
		{"tcp", "1.2.3.4:1", "", 0, true},
		{"sctp", "1.2.3.4", "", 0, true},
		{"sctp", "1.2.3.4:99999", "", 0, true},
		{"sctp", "1.2.3.4//1.2.3.5:1", "", 0, true},
	}
	for _, tt := range tests {
		a, err := ResolveSCTPAddr(tt.net, tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ResolveSCTPAddr(%q, %q) = %v, want error", tt.net, tt.in, a)
			}
			continue
		}
		if err != nil {
			t.Errorf("ResolveSCTPAddr(%q, %q): %v", tt.net, tt.in, err)
			continue
		}
		if a.String() != tt.want || len(a.IPAddrs) != tt.n {
			t.Errorf("ResolveSCTPAddr(%q, %q) = %v (%d IPs), want %v (%d)", tt.net, tt.in, a, len(a.IPAddrs), tt.want, tt.n)
		}
		if a.Network() != "sctp" {
			t.Errorf("Network() = %q", a.Network())
		}
		// The string form parses back to the same address.
		b, err := ResolveSCTPAddr("sctp", a.String())
		if err != nil || b.String() != a.String() {
			t.Errorf("round trip of %v: %v, %v", a, b, err)
		}
	}
	var nilAddr *SCTPAddr
	if nilAddr.String() != "<nil>" {
		t.Errorf("nil String() = %q", nilAddr.String())
	}
}

func TestSockaddrRoundTrip(t *testing.T) {
	a := &SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(10, 1, 2, 3)}, {IP: net.ParseIP("fd00::5")}}, Port: 4242}
	b, n, err := packSockaddrs(a, true)
	if err != nil || n != 2 || len(b) != sizeofSockaddrInet4+sizeofSockaddrInet6 {
		t.Fatalf("pack: %d %d %v", n, len(b), err)
	}
	ip, port, ok := parseSockaddr(b[:sizeofSockaddrInet4])
	if !ok || !ip.IP.Equal(a.IPAddrs[0].IP) || port != 4242 {
		t.Errorf("v4: %v %d %v", ip, port, ok)
	}
	ip, port, ok = parseSockaddr(b[sizeofSockaddrInet4:])
	if !ok || !ip.IP.Equal(a.IPAddrs[1].IP) || port != 4242 {
		t.Errorf("v6: %v %d %v", ip, port, ok)
	}
	w, n, _ := packSockaddrs(nil, false)
	if n != 1 || len(w) != sizeofSockaddrInet4 {
		t.Errorf("wildcard v4: %d %d", n, len(w))
	}
}
