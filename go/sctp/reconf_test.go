//go:build cgo

package sctp

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// Stream reconfiguration (RFC 6525) through the Go API, over UDP
// encapsulation on loopback (the userland engine).

// reconfPair connects a pair; the server performs the requests enable
// allows. The client enables everything too: Linux sends only the kinds of
// request it would itself perform.
func reconfPair(t *testing.T, tr Transport, enable StreamResetEnable) (c, s *SCTPConn) {
	t.Helper()
	o := Options{Transport: tr,
		Notifications: []NotificationType{NotifyStreamReset, NotifyStreamChange, NotifyAssocReset}}
	c, s = pairT(t, o)
	if err := c.EnableStreamReset(0, EnableResetStreams|EnableAddStreams); err != nil {
		t.Fatal(err)
	}
	if err := s.EnableStreamReset(0, enable); err != nil {
		t.Fatal(err)
	}
	return c, s
}

// retryAgain repeats f while it fails with ErrReconfPending (a stream
// still has data queued, a request is in flight, data unacknowledged).
func retryAgain(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := f()
		if err == nil || !errors.Is(err, ErrReconfPending) || time.Now().After(deadline) {
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func nextNotif(t *testing.T, c *SCTPConn) Notification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := c.ReadNotification(ctx)
	if err != nil {
		t.Fatalf("notification: %v", err)
	}
	return n
}

func writeOn(t *testing.T, c *SCTPConn, sid uint16, b []byte) {
	t.Helper()
	if _, err := c.WriteToSCTP(b, nil, &SndInfo{Stream: sid}); err != nil {
		t.Fatalf("write on %d: %v", sid, err)
	}
}

// TestReconfResetStreams: an outgoing SSN reset of stream 1 is reported on
// both sides (RFC 6525 6.1.1) and the stream starts again at SSN 0 (5.2.2
// E3, 5.2.7 H4); added streams are reported (6.1.3) and usable (5.1.5).
func TestReconfResetStreams(t *testing.T) { forEachTransport(t, testReconfResetStreams) }

func testReconfResetStreams(t *testing.T, tr Transport) {
	c, s := reconfPair(t, tr, EnableResetStreams|EnableAddStreams)
	writeOn(t, c, 1, []byte("a"))
	writeOn(t, c, 1, []byte("b"))
	for want := uint16(0); want < 2; want++ {
		if _, info := readMsg(t, s, 64); info.Stream != 1 || info.SSN != want {
			t.Fatalf("stream %d ssn %d, want 1 / %d", info.Stream, info.SSN, want)
		}
	}
	retryAgain(t, func() error { return c.ResetStreams(0, ResetOutgoing, 1) })
	n, ok := nextNotif(t, c).(*StreamReset)
	if !ok || n.Flags != StreamResetOutgoingSSN || !slices.Equal(n.Streams, []uint16{1}) {
		t.Fatalf("sender got %v", n)
	}
	n, ok = nextNotif(t, s).(*StreamReset)
	if !ok || n.Flags != StreamResetIncomingSSN || !slices.Equal(n.Streams, []uint16{1}) {
		t.Fatalf("receiver got %v", n)
	}
	writeOn(t, c, 1, []byte("c"))
	if _, info := readMsg(t, s, 64); info.SSN != 0 {
		t.Fatalf("after the reset: ssn %d, want 0", info.SSN)
	}

	retryAgain(t, func() error { return c.AddStreams(0, 0, 2) })
	ch, ok := nextNotif(t, c).(*StreamChange)
	if !ok || ch.Flags != 0 || !streamCount(tr, ch.OutboundStreams, 12, 2) {
		t.Fatalf("sender got %v", ch)
	}
	if ch, ok := nextNotif(t, s).(*StreamChange); !ok ||
		!streamCount(tr, ch.InboundStreams, 12, 2) && !(tr == TransportKernel && ch.OutboundStreams == 2) {
		t.Fatalf("receiver got %v", ch)
	}
	writeOn(t, c, 11, []byte("d"))
	if _, info := readMsg(t, s, 64); info.Stream != 11 || info.SSN != 0 {
		t.Fatalf("new stream: %d / %d, want 11 / 0", info.Stream, info.SSN)
	}
}

// TestReconfDenied: without EnableStreamReset the peer denies requests
// (RFC 6525 6.3.1) and the sender is told (6.1.1, 6.1.2, 6.1.3).
func TestReconfDenied(t *testing.T) { forEachTransport(t, testReconfDenied) }

func testReconfDenied(t *testing.T, tr Transport) {
	c, _ := reconfPair(t, tr, 0)
	// Linux sends an SSN/TSN Reset Request only when it would perform one
	// itself (ENOPROTOOPT otherwise).
	if err := c.EnableStreamReset(0, EnableResetStreams|EnableAddStreams|EnableResetAssoc); err != nil {
		t.Fatal(err)
	}
	retryAgain(t, func() error { return c.ResetStreams(0, ResetOutgoing) })
	n, ok := nextNotif(t, c).(*StreamReset)
	if !ok || n.Flags != StreamResetOutgoingSSN|StreamResetDenied || len(n.Streams) != 0 {
		t.Fatalf("got %v", n)
	}
	retryAgain(t, func() error { return c.AddStreams(0, 0, 1) })
	ch, ok := nextNotif(t, c).(*StreamChange)
	if !ok || ch.Flags != StreamResetDenied || !streamCount(tr, ch.OutboundStreams, 10, 1) {
		t.Fatalf("got %v", ch)
	}
	retryAgain(t, func() error { return c.ResetAssoc(0) })
	if ar, ok := nextNotif(t, c).(*AssocReset); !ok || ar.Flags != StreamResetDenied {
		t.Fatalf("ResetAssoc: got %v", ar)
	}
	if err := c.AddStreams(0, -1, 0); err == nil {
		t.Fatal("AddStreams(-1): no error")
	}
}

// streamCount checks a STREAM_CHANGE count: the number of streams after
// the change (RFC 6525 6.1.3), as the userland stack reports it; Linux's
// SCTP reports the number asked for instead (docs/kernel-backend.md).
func streamCount(tr Transport, got, total, asked int) bool {
	if tr == TransportKernel {
		return got == asked
	}
	return got == total
}

// TestReconfResetAssoc: an SSN/TSN reset (RFC 6525 5.1.4, 5.2.4) is
// reported on both sides with the next TSNs of each (6.1.2), and every
// stream starts again at SSN 0 both ways (5.2.4 G5, 5.2.7 H5), the
// requester's data from the TSN the peer gave it.
func TestReconfResetAssoc(t *testing.T) { forEachTransport(t, testReconfResetAssoc) }

func testReconfResetAssoc(t *testing.T, tr Transport) {
	c, s := reconfPair(t, tr, EnableResetStreams|EnableResetAssoc)
	if err := c.EnableStreamReset(0, EnableResetStreams|EnableResetAssoc); err != nil {
		t.Fatal(err)
	}
	writeOn(t, c, 1, []byte("a"))
	writeOn(t, c, 1, []byte("b"))
	writeOn(t, s, 2, []byte("x"))
	readMsg(t, s, 64)
	if _, info := readMsg(t, s, 64); info.SSN != 1 {
		t.Fatalf("before the reset: ssn %d, want 1", info.SSN)
	}
	readMsg(t, c, 64)
	retryAgain(t, func() error { return c.ResetAssoc(0) })
	nc, ok := nextNotif(t, c).(*AssocReset)
	if !ok || nc.Flags != 0 {
		t.Fatalf("requester got %v", nc)
	}
	ns, ok := nextNotif(t, s).(*AssocReset)
	if !ok || ns.Flags != 0 || ns.LocalTSN != nc.RemoteTSN || ns.RemoteTSN != nc.LocalTSN {
		t.Fatalf("peer got %v, requester %v", ns, nc)
	}
	writeOn(t, c, 1, []byte("c"))
	if _, info := readMsg(t, s, 64); info.SSN != 0 || info.TSN != nc.LocalTSN {
		t.Fatalf("after the reset: ssn %d tsn %d, want 0 / %d", info.SSN, info.TSN, nc.LocalTSN)
	}
	writeOn(t, s, 2, []byte("y"))
	if _, info := readMsg(t, c, 64); info.SSN != 0 || info.TSN != ns.LocalTSN {
		t.Fatalf("peer after the reset: ssn %d tsn %d, want 0 / %d", info.SSN, info.TSN, ns.LocalTSN)
	}
}

// TestReconfPending: an SSN/TSN Reset asked for while data written just
// before is unacknowledged (RFC 6525 5.1.4: the userland stack abandons
// nothing; Linux answers EAGAIN) fails with a *net.OpError whose
// Temporary is true and that matches ErrReconfPending; the same call
// succeeds once the data is acknowledged.
func TestReconfPending(t *testing.T) { forEachTransport(t, testReconfPending) }

func testReconfPending(t *testing.T, tr Transport) {
	c, s := reconfPair(t, tr, EnableResetStreams|EnableResetAssoc)
	if err := c.EnableStreamReset(0, EnableResetStreams|EnableResetAssoc); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		writeOn(t, c, 1, []byte("a"))
		err = c.ResetAssoc(0) // the peer's SACK is at least a round trip away
		readMsg(t, s, 64)
		if err == nil { // acknowledged already: this reset goes through
			nextNotif(t, c)
			nextNotif(t, s)
		}
	}
	if err == nil {
		t.Fatal("ResetAssoc never refused with data unacknowledged")
	}
	var oe *net.OpError
	if !errors.Is(err, ErrReconfPending) || !errors.As(err, &oe) || !oe.Temporary() || oe.Op != "reset assoc" {
		t.Fatalf("ResetAssoc with data unacknowledged: %#v (%v)", err, err)
	}
	retryAgain(t, func() error { return c.ResetAssoc(0) })
	if n, ok := nextNotif(t, c).(*AssocReset); !ok || n.Flags != 0 {
		t.Fatalf("requester got %v", n)
	}
}
