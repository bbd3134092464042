//go:build cgo

package sctp

import (
	"bytes"
	"context"
	"net"
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
	a1, a2 := ip4(127, 0, 0, 1), ip4(127, 0, 0, 2)
	d.LocalAddr = &SCTPAddr{IPAddrs: []net.IPAddr{a1}}
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
	defer c.Close()
	s := <-ch
	if s == nil {
		t.FailNow()
	}
	defer s.Close()
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
	if err := c.SetPeerPrimary(0, a2); err != nil {
		t.Fatal(err)
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
	if PathAdded.String() != "added" || PathMadePrimary.String() != "made-primary" {
		t.Fatalf("names %v %v", PathAdded, PathMadePrimary)
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
