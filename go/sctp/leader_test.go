//go:build cgo

package sctp

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// leaderOf reports who waits on st's fd (leadNone, leadDriver, leadConn).
func leaderOf(st *stack) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.leader
}

// TestLeaderReadDeadlineAndClose: a Read with nothing to read, alone on its
// stack, waits on the stack's fd itself (it leads); its deadline and Close
// still end that wait, with os.ErrDeadlineExceeded and net.ErrClosed.
func TestLeaderReadDeadlineAndClose(t *testing.T) {
	_, srv := pairT(t, Options{Transport: TransportUDP})
	if srv.st.lf == nil {
		t.Fatal("the stack has no lead file: conns cannot lead")
	}
	buf := make([]byte, 64)

	srv.SetReadDeadline(time.Now().Add(time.Second))
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Read(buf)
		errc <- err
	}()
	if !settle(func() bool { return leaderOf(srv.st) == leadConn }) {
		t.Fatal("a blocked Read did not take the lead")
	}
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read: %v, want os.ErrDeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read deadline did not end a leading Read")
	}

	srv.SetReadDeadline(time.Time{})
	go func() {
		_, err := srv.Read(buf)
		errc <- err
	}()
	if !settle(func() bool { return leaderOf(srv.st) == leadConn }) {
		t.Fatal("a blocked Read did not take the lead")
	}
	srv.SetLinger(0)
	srv.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a leading Read")
	}
}

// TestLeaderIdleWaitersDoNotDelay: a ping-pong between two conns while
// other waiters of the same stacks sit idle (an Accept and a Read that
// never get anything). The idle ones must neither keep the lead from the
// busy conns nor be left with nobody stepping the stack: 300 round trips
// would take at least 3 s if each hop waited for the parked driver
// (parkMax, 10 ms); they take milliseconds when the busy conns lead.
func TestLeaderIdleWaitersDoNotDelay(t *testing.T) {
	o := Options{Transport: TransportUDP}
	l := listenT(t, o)
	accept := acceptor(t, l)
	cli := dialT(t, l, o)
	srv := accept()
	idleCli := dialT(t, l, o)
	idleSrv := accept()
	// The listener's Accept loop is now blocked again; idle readers too.
	for _, c := range []*SCTPConn{idleCli, idleSrv} {
		go func(c *SCTPConn) {
			b := make([]byte, 16)
			c.Read(b)
		}(c)
	}

	const rounds = 300
	echoErr := make(chan error, 1)
	go func() {
		b := make([]byte, 64)
		for i := 0; i < rounds; i++ {
			n, err := srv.Read(b)
			if err == nil {
				_, err = srv.Write(b[:n])
			}
			if err != nil {
				echoErr <- err
				return
			}
		}
		echoErr <- nil
	}()
	msg := []byte("ping")
	b := make([]byte, 64)
	start := time.Now()
	for i := 0; i < rounds; i++ {
		if _, err := cli.Write(msg); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, err := cli.Read(b); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	took := time.Since(start)
	if err := <-echoErr; err != nil {
		t.Fatalf("echo: %v", err)
	}
	if took > 2*time.Second {
		t.Fatalf("%d round trips took %v: hops waited for the parked driver", rounds, took)
	}
	t.Logf("%d round trips in %v", rounds, took)
}

// TestLeaderHasTheStackToItself: while a conn leads (its Read waits on the
// stack's fd itself and steps the stack on every packet and timer), the
// parked driver's looks, every parkMax, leave the stack alone, so that
// its cgo calls do not meet the leader's; and what arrives meanwhile is
// still read at once.
func TestLeaderHasTheStackToItself(t *testing.T) {
	cli, srv := busyPair(t)
	const wait = 300 * time.Millisecond
	go func() {
		time.Sleep(wait)
		cli.Write([]byte("late"))
	}()
	before := lookStepsOf(srv.st)
	srv.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 16)
	start := time.Now()
	n, err := srv.Read(b)
	took := time.Since(start)
	looks := lookStepsOf(srv.st) - before
	if err != nil || string(b[:n]) != "late" {
		t.Fatalf("read %q, %v", b[:n], err)
	}
	if took > wait+time.Second {
		t.Fatalf("the message sent after %v was read after %v", wait, took)
	}
	// A look may step once as the Read begins (before it leads); over
	// wait, a driver that stepped at every look would have stepped about
	// wait/parkMax (30) times.
	if looks > 2 {
		t.Fatalf("the driver stepped the stack %d times in %v while a conn led", looks, took)
	}
	t.Logf("read after %v; the driver stepped %d times", took, looks)
}

// lookStepsOf reports how often st's driver stepped it at its looks.
func lookStepsOf(st *stack) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.lookSteps
}
