//go:build cgo

package sctp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 12: the ways data or events could vanish without an error.

// closeExitEnv makes the test binary the child of TestWriteCloseExit:
// "style:udpport:sctpaddr", style "one" (Dial, Write) or "many"
// (ListenSCTP, WriteTo: implicit setup).
const closeExitEnv = "CSCTP_TEST_CLOSE_EXIT"

const (
	closeExitMsgs = 100
	closeExitSize = 1453 // two fragments each
)

// TestWriteCloseExit: a child process writes 100 messages on a one-to-one
// or a one-to-many conn, calls Close and exits at once, as a program
// returning from main does. Every message must arrive: Close waits for the
// graceful shutdown.
func TestWriteCloseExit(t *testing.T) {
	if spec := os.Getenv(closeExitEnv); spec != "" {
		closeExitChild(spec)
		return
	}
	for _, style := range []string{"one", "many"} {
		t.Run(style, func(t *testing.T) { testWriteCloseExit(t, style) })
	}
}

func testWriteCloseExit(t *testing.T, style string) {
	l := listenT(t, Options{Transport: TransportUDP})
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteCloseExit$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d:%s", closeExitEnv, style, l.UDPPort(), l.Addr()))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l.SetDeadline(time.Now().Add(20 * time.Second))
	c, err := l.AcceptSCTP()
	if err != nil {
		cmd.Wait()
		t.Fatalf("accept: %v\nchild: %s", err, out.String())
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64<<10)
	msgs, bytes := 0, 0
	var rerr error
	for {
		n, info, err := c.ReadFromSCTP(buf)
		if err != nil {
			rerr = err
			break
		}
		bytes += n
		if info.EndOfRecord() {
			msgs++
		}
	}
	werr := cmd.Wait()
	if werr != nil {
		t.Errorf("child: %v\n%s", werr, out.String())
	}
	if msgs != closeExitMsgs || bytes != closeExitMsgs*closeExitSize || rerr != io.EOF {
		t.Errorf("received %d of %d messages (%d bytes), read ended with %v; want all, then io.EOF",
			msgs, closeExitMsgs, bytes, rerr)
	}
}

func closeExitChild(spec string) {
	fail := func(f string, a ...any) {
		fmt.Fprintf(os.Stderr, f+"\n", a...)
		os.Exit(2)
	}
	style, rest, _ := strings.Cut(spec, ":")
	udpS, addrS, _ := strings.Cut(rest, ":")
	udp, _ := strconv.Atoi(udpS)
	raddr, err := ResolveSCTPAddr("sctp4", addrS)
	if err != nil {
		fail("resolve: %v", err)
	}
	var c *SCTPConn
	if style == "many" {
		lc := testListenConfig(Options{Transport: TransportUDP, RemoteUDPPort: udp})
		c, err = lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	} else {
		c, err = dialerFor(udp, Options{Transport: TransportUDP}).DialSCTPContext(context.Background(), "sctp4", raddr)
	}
	if err != nil {
		fail("dial: %v", err)
	}
	msg := make([]byte, closeExitSize)
	for i := 0; i < closeExitMsgs; i++ {
		var err error
		if style == "many" {
			_, err = c.WriteTo(msg, raddr)
		} else {
			_, err = c.Write(msg)
		}
		if err != nil {
			fail("write %d: %v", i, err)
		}
	}
	if err := c.Close(); err != nil {
		fail("close: %v", err)
	}
	os.Exit(0) // returning from main: nothing runs after this
}

// TestNotifQueueCountsDrops: more notifications than the conn's queue
// holds: the oldest go, and the next one handed out says how many; the
// queue's data is bounded too.
func TestNotifQueueCountsDrops(t *testing.T) {
	c, _ := pairT(t, Options{Transport: TransportUDP})
	const total = 1300
	c.st.mu.Lock()
	for i := 0; i < total; i++ {
		c.queueNotifLocked(&SenderDry{NotificationHeader{AssocID: AssocID(i)}}, 0)
	}
	c.st.mu.Unlock()
	got, dropped := 0, 0
	for {
		n, err := c.popNotif()
		if err != nil {
			t.Fatal(err)
		}
		if n == nil {
			break
		}
		got++
		dropped += n.(*SenderDry).Dropped
	}
	if got+dropped != total || dropped == 0 {
		t.Errorf("delivered %d, Dropped fields sum to %d: want %d in all", got, dropped, total)
	}
	if d := c.DroppedNotifications(); d != uint64(dropped) {
		t.Errorf("DroppedNotifications() = %d, want %d", d, dropped)
	}
	// Data bytes: SendFailed notifications of 64 KiB each.
	c.st.mu.Lock()
	for i := 0; i < 200; i++ {
		c.queueNotifLocked(&SendFailed{Data: make([]byte, notifDataMax)}, notifDataMax)
	}
	n, bytes := len(c.notifq), c.notifBytes
	c.st.mu.Unlock()
	if bytes > maxNotifBytes || n*notifDataMax != bytes {
		t.Errorf("queue holds %d notifications, %d data bytes; want at most %d bytes", n, bytes, maxNotifBytes)
	}
}

// TestImplicitSetupFailureReported: the first message of an implicit setup
// that cannot be sent is reported: a SendFailed notification with its
// data, and an EarlierSendError from the next write.
func TestImplicitSetupFailureReported(t *testing.T) {
	peer := listenT(t, Options{Transport: TransportUDP, InitMaxInStreams: 2})
	lc := testListenConfig(Options{Transport: TransportUDP, RemoteUDPPort: peer.UDPPort(),
		Notifications: []NotificationType{NotifySendFailed}})
	c, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nextFailed := func() *SendFailed {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for {
			n, err := c.ReadNotification(ctx)
			if err != nil {
				t.Fatalf("no SendFailed: %v", err)
			}
			if sf, ok := n.(*SendFailed); ok {
				return sf
			}
		}
	}
	// 1: refused: an SCTP port nobody uses on the peer's stack. The
	// message is larger than a notification keeps (64 KiB).
	nobody := &SCTPAddr{IPAddrs: loopback4.IPAddrs, Port: 5024}
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if _, err := c.WriteToSCTP(big, nobody, &SndInfo{Context: 42}); err != nil {
		t.Fatalf("first write: %v", err)
	}
	sf := nextFailed()
	if sf.DataLen != len(big) || len(sf.Data) > notifDataMax || len(sf.Data) == 0 ||
		!bytesEqual(sf.Data, big[:len(sf.Data)]) || sf.Info.Context != 42 {
		t.Errorf("SendFailed: DataLen %d, %d data bytes, context %d; want %d, a prefix of at most %d, 42",
			sf.DataLen, len(sf.Data), sf.Info.Context, len(big), notifDataMax)
	}
	var earlier *EarlierSendError
	_, err = c.WriteTo([]byte("x"), nobody)
	if !errors.As(err, &earlier) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("next write: %v, want an EarlierSendError matching ECONNREFUSED", err)
	}
	// 2: a stream beyond the peer's inbound stream count.
	paddr := peer.Addr().(*SCTPAddr)
	if _, err := c.WriteToSCTP([]byte("stream-five"), paddr, &SndInfo{Stream: 5}); err != nil {
		t.Fatalf("first write: %v", err)
	}
	sf = nextFailed()
	if string(sf.Data) != "stream-five" || sf.Info.Stream != 5 {
		t.Errorf("SendFailed: data %q stream %d", sf.Data, sf.Info.Stream)
	}
	_, err = c.WriteTo([]byte("x"), paddr)
	if !errors.As(err, &earlier) || !errors.Is(err, ErrInvalidStream) {
		t.Errorf("next write: %v, want an EarlierSendError matching ErrInvalidStream", err)
	}
	if _, err := c.WriteTo([]byte("x"), paddr); err != nil {
		t.Errorf("write after the report: %v", err)
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// TestDroppedConnsReleased: a listener and a connected pair dropped without
// Close release their C sockets, fds and stack references once collected.
func TestDroppedConnsReleased(t *testing.T) {
	// An anchor keeps a stack alive. Sockets on ephemeral UDP ports are
	// spread over several stacks (shardFor), so the references are counted
	// over every stack of the process.
	listenT(t, Options{Transport: TransportUDP})
	refs := func() int {
		registry.mu.Lock()
		defer registry.mu.Unlock()
		n := 0
		for _, s := range registry.stacks {
			n += s.refs
		}
		return n
	}
	fds0, refs0 := countFDs(t), refs()
	func() {
		lc := testListenConfig(Options{Transport: TransportUDP})
		l, err := lc.ListenSCTPListener(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
		if err != nil {
			t.Fatal(err)
		}
		ch := make(chan *SCTPConn, 1)
		go func() {
			s, _ := l.AcceptSCTP()
			ch <- s
		}()
		c, err := dialerFor(l.UDPPort(), Options{Transport: TransportUDP}).
			DialSCTPContext(context.Background(), "sctp4", l.Addr().(*SCTPAddr))
		if err != nil {
			t.Fatal(err)
		}
		s := <-ch
		if s == nil {
			t.Fatal("accept failed")
		}
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		readMsg(t, s, 64)
		if got := refs(); got != refs0+3 {
			t.Fatalf("stack references %d, want %d", got, refs0+3)
		}
	}()
	ok := settle(func() bool { return refs() == refs0 && countFDs(t) <= fds0 })
	if !ok {
		t.Errorf("after GC: stack references %d (want %d), fds %d (want <= %d)",
			refs(), refs0, countFDs(t), fds0)
	}
}

// TestCloseLingerBounds: SetLinger(0) makes Close abort at once; a write
// deadline that has passed bounds Close's wait, which then aborts and
// reports a timeout. Either way the peer learns of the abort.
func TestCloseLingerBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		prep func(c *SCTPConn) error
		want func(error) bool
	}{
		{"linger0", func(c *SCTPConn) error { return c.SetLinger(0) },
			func(err error) bool { return err == nil }},
		{"deadline", func(c *SCTPConn) error { return c.SetWriteDeadline(time.Now().Add(-time.Second)) },
			func(err error) bool {
				var ne net.Error
				return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout()
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := pairT(t, Options{Transport: TransportUDP})
			if err := tc.prep(c); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write([]byte("x")); err != nil && tc.name != "deadline" {
				t.Fatal(err)
			}
			start := time.Now()
			if err := c.Close(); !tc.want(err) {
				t.Errorf("Close: %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v", d)
			}
			s.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 16)
			var err error
			for err == nil {
				_, err = s.Read(buf)
			}
			var ae *AbortError
			if !errors.As(err, &ae) {
				t.Errorf("peer read: %v, want an AbortError", err)
			}
		})
	}
}
