//go:build cgo

package sctp

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestAuthKeys: with Options.Auth on both ends (the server asks for DATA,
// chunk type 0, to be authenticated, RFC 4895 3.2), the client learns the
// server's list, both sides agree on a new key 7 set with SetAuthKey, the
// client makes it active, messages still arrive; an unknown key cannot be
// made active, and the active key can neither be deactivated nor deleted
// (RFC 6458 8.3.4, 8.3.5).
func TestAuthKeys(t *testing.T) {
	srvOpts := Options{Transport: TransportUDP, Auth: &AuthConfig{Chunks: []uint8{0}}}
	cliOpts := Options{Transport: TransportUDP, Auth: &AuthConfig{}}
	l := listenT(t, srvOpts)
	key := []byte("a shared secret")
	if err := l.SetAuthKey(7, key); err != nil {
		t.Fatalf("listener SetAuthKey: %v", err)
	}
	type res struct {
		c   *SCTPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.AcceptSCTP()
		ch <- res{c, err}
	}()
	cli := dialT(t, l, cliOpts)
	r := <-ch
	if r.err != nil {
		t.Fatalf("accept: %v", r.err)
	}
	srv := r.c
	defer srv.Close()

	peer, err := cli.PeerAuthChunks(0)
	if err != nil || !bytes.Equal(peer, []uint8{0}) {
		t.Fatalf("PeerAuthChunks = %v, %v; want [0]", peer, err)
	}
	local, err := srv.LocalAuthChunks(0)
	if err != nil || !bytes.Equal(local, []uint8{0}) {
		t.Fatalf("LocalAuthChunks = %v, %v; want [0]", local, err)
	}
	if err := cli.SetActiveAuthKey(0, 7); err == nil {
		t.Fatal("SetActiveAuthKey of a key the client does not have succeeded")
	}
	if err := cli.SetAuthKey(0, 7, key); err != nil {
		t.Fatalf("SetAuthKey: %v", err)
	}
	if err := cli.SetActiveAuthKey(0, 7); err != nil {
		t.Fatalf("SetActiveAuthKey: %v", err)
	}
	if id, err := cli.ActiveAuthKey(0); err != nil || id != 7 {
		t.Fatalf("ActiveAuthKey = %d, %v; want 7", id, err)
	}
	for _, m := range []string{"first", "second"} {
		if _, err := cli.Write([]byte(m)); err != nil {
			t.Fatalf("write: %v", err)
		}
		got, _ := readMsg(t, srv, 64)
		if string(got) != m {
			t.Fatalf("read %q, want %q", got, m)
		}
	}
	if err := cli.DeactivateAuthKey(0, 7); err == nil {
		t.Fatal("the active key was deactivated")
	}
	if err := cli.DeleteAuthKey(0, 7); err == nil {
		t.Fatal("the active key was deleted")
	}
	if err := cli.DeactivateAuthKey(0, 0); err != nil {
		t.Fatalf("DeactivateAuthKey(0): %v", err)
	}
	if err := cli.DeleteAuthKey(0, 0); err != nil {
		t.Fatalf("DeleteAuthKey(0): %v", err)
	}
}

// TestAuthConfigRefused: RFC 4895 3.2 forbids listing INIT (1), and 6.1
// requires HMAC-SHA-1 in the list; the dial fails before any packet.
func TestAuthConfigRefused(t *testing.T) {
	l := listenT(t, Options{Transport: TransportUDP})
	for _, a := range []*AuthConfig{
		{Chunks: []uint8{1}},
		{HMACs: []uint16{HMACSHA256}},
	} {
		d := dialerFor(l.UDPPort(), Options{Transport: TransportUDP, Auth: a})
		c, err := d.DialSCTPContext(context.Background(), "sctp4", l.Addr().(*SCTPAddr))
		if err == nil {
			c.Close()
			t.Fatalf("dial with %+v succeeded", *a)
		}
		var op interface{ Unwrap() error }
		if !errors.As(err, &op) {
			t.Fatalf("dial error %T is not a wrapped error", err)
		}
	}
}
