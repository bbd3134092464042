//go:build cgo

package sctp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Dynamic address reconfiguration (RFC 5061) through the Go API, over UDP
// encapsulation on loopback: the client moves its association from
// 127.0.0.1 to 127.0.0.2 while data flows, and the server is told each
// step (RFC 6458 6.1.2).

func ip4(a, b, c, d byte) net.IPAddr { return net.IPAddr{IP: net.IPv4(a, b, c, d).To4()} }

// nextPaddr returns the next PeerAddrChange on s, skipping other
// notifications.
func nextPaddr(t *testing.T, s *SCTPConn) *PeerAddrChange {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		n, err := s.ReadNotification(ctx)
		if err != nil {
			t.Fatalf("notification: %v", err)
		}
		if p, ok := n.(*PeerAddrChange); ok {
			return p
		}
	}
}

// waitPaddr waits for a PeerAddrChange with state want for ip.
func waitPaddr(t *testing.T, s *SCTPConn, want PathState, ip net.IPAddr) {
	t.Helper()
	for {
		p := nextPaddr(t, s)
		if p.State == want {
			if !p.Addr.IP.Equal(ip.IP) {
				t.Fatalf("%v for %v, want %v", want, p.Addr, ip)
			}
			return
		}
	}
}

func TestASCONFMoveAssociation(t *testing.T) {
	o := Options{Transport: TransportUDP, ASCONF: true,
		Notifications: []NotificationType{NotifyPeerAddrChange}}
	l := listenT(t, o)
	d := dialerFor(l.UDPPort(), o)
	d.LocalAddr = &SCTPAddr{IPAddrs: []net.IPAddr{ip4(127, 0, 0, 1)}}
	c, s := acceptDial(t, l, d)
	asconfMove(t, c, s)
	if PathAdded.String() != "added" || PathMadePrimary.String() != "made-primary" {
		t.Fatalf("names %v %v", PathAdded, PathMadePrimary)
	}
}

// acceptDial dials l with d and returns the (dialed, accepted) pair.
func acceptDial(t *testing.T, l *SCTPListener, d *Dialer) (*SCTPConn, *SCTPConn) {
	t.Helper()
	ch := make(chan *SCTPConn, 1)
	go func() {
		s, err := l.AcceptSCTP()
		if err != nil {
			t.Error(err)
		}
		ch <- s
	}()
	c, err := d.DialSCTPContext(context.Background(), "sctp4", l.Addr().(*SCTPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var s *SCTPConn
	select {
	case s = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("accept timed out")
	}
	if s == nil {
		t.FailNow()
	}
	t.Cleanup(func() { s.Close() })
	return c, s
}

// asconfMove: c, bound to 127.0.0.1, adds 127.0.0.2, makes it s's primary
// and removes 127.0.0.1 while messages flow both ways; s is told each step.
func asconfMove(t *testing.T, c, s *SCTPConn) {
	t.Helper()
	a1, a2 := ip4(127, 0, 0, 1), ip4(127, 0, 0, 2)
	if on, err := c.ASCONFEnabled(0); err != nil || !on {
		t.Fatalf("ASCONFEnabled: %v %v", on, err)
	}
	if err := c.BindRemove(a1); err == nil {
		t.Fatal("removing the last address succeeded")
	}
	if err := c.BindAdd(a2); err != nil {
		t.Fatal(err)
	}
	waitPaddr(t, s, PathAdded, a2)
	// Notifications come in order with the data: read it first.
	writeOn(t, c, 0, []byte("during"))
	if m, _ := readMsg(t, s, 64); string(m) != "during" {
		t.Fatalf("server read %q", m)
	}
	// RFC 5061 F1: the address is ours only once the ASCONF-ACK is in;
	// Linux refuses Set Primary before that (EADDRNOTAVAIL).
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		err := c.SetPeerPrimary(0, a2)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRNOTAVAIL) || time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	waitPaddr(t, s, PathMadePrimary, a2)
	if err := c.BindRemove(a1); err != nil {
		t.Fatal(err)
	}
	waitPaddr(t, s, PathRemoved, a1)
	if la := c.LocalAddr().(*SCTPAddr); len(la.IPAddrs) != 1 || !la.IPAddrs[0].IP.Equal(a2.IP) {
		t.Fatalf("LocalAddr %v", la)
	}
	writeOn(t, c, 0, []byte("after"))
	writeOn(t, s, 0, []byte("back"))
	if m, _ := readMsg(t, s, 64); !bytes.Equal(m, []byte("after")) {
		t.Fatalf("server read %q", m)
	}
	if m, _ := readMsg(t, c, 64); string(m) != "back" {
		t.Fatalf("client read %q", m)
	}
}

// kernelASCONF turns the kernel's ASCONF and AUTH on (sysctls
// net.sctp.addip_enable, auth_enable) inside the throw-away VM
// (CSCTP_KERNEL_TESTS=1); elsewhere it skips unless they are on.
func kernelASCONF(t *testing.T) {
	t.Helper()
	for _, name := range []string{"addip_enable", "auth_enable"} {
		path := "/proc/sys/net/sctp/" + name
		b, err := os.ReadFile(path)
		if err == nil && strings.TrimSpace(string(b)) == "1" {
			continue
		}
		if os.Getenv(kernelTestsEnv) != "1" {
			t.Skipf("sysctl net.sctp.%s is not 1 (set only with %s=1)", name, kernelTestsEnv)
		}
		if err := os.WriteFile(path, []byte("1"), 0o644); err != nil {
			t.Fatalf("net.sctp.%s: %v", name, err)
		}
	}
}

// TestASCONFCrossStack: ASCONF between our userland engine (UDP
// encapsulation) and the kernel's SCTP, each side moving the association:
// "userland-moves" sends Add IP / Set Primary / Delete IP to the kernel,
// "kernel-moves" receives them from it.
func TestASCONFCrossStack(t *testing.T) {
	kport := kernelUDPEncap(t)
	kernelASCONF(t)
	notes := []NotificationType{NotifyPeerAddrChange}
	for _, kernelMoves := range []bool{false, true} {
		name := "userland-moves"
		if kernelMoves {
			name = "kernel-moves"
		}
		t.Run(name, func(t *testing.T) {
			user := Options{Transport: TransportUDP, ASCONF: true, Notifications: notes}
			kern := Options{Transport: TransportKernel, ASCONF: true, Auth: &AuthConfig{}, Notifications: notes}
			lo, do := kern, user
			if kernelMoves {
				lo, do = user, kern
			}
			l := listenT(t, lo)
			d := dialerFor(l.UDPPort(), do)
			if !kernelMoves {
				d.Options.RemoteUDPPort = kport
			}
			d.LocalAddr = &SCTPAddr{IPAddrs: []net.IPAddr{ip4(127, 0, 0, 1)}}
			c, s := acceptDial(t, l, d)
			asconfMove(t, c, s)
		})
	}
}

// TestASCONFNotOffered: without Options.ASCONF on one end nothing is
// negotiated and BindAdd still binds locally.
func TestASCONFNotOffered(t *testing.T) {
	c, _ := pairT(t, Options{Transport: TransportUDP})
	if on, err := c.ASCONFEnabled(0); err != nil || on {
		t.Fatalf("ASCONFEnabled: %v %v", on, err)
	}
}
