//go:build cgo

package sctp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Issue 12, defects 4 to 6: what a new user of the package runs into.

// ---- defect 4: a second process, UDP ports in addresses --------------------

func TestAddrUDPPortString(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		udp      int
		bad      bool
	}{
		{"127.0.0.1:5000;udp=9900", "127.0.0.1:5000;udp=9900", 9900, false},
		{"10.0.0.1/10.0.1.1:5000;udp=1", "10.0.0.1/10.0.1.1:5000;udp=1", 1, false},
		{"[::1/fd00::2]:80;udp=65535", "[::1/fd00::2]:80;udp=65535", 65535, false},
		{":7;udp=40000", ":7;udp=40000", 40000, false},
		// The old forms (no UDP port) still parse, with UDPPort 0.
		{"127.0.0.1:5000", "127.0.0.1:5000", 0, false},
		{"[::1]/[fd00::2]:80", "[::1/fd00::2]:80", 0, false},
		{"127.0.0.1:5000;udp=", "", 0, true},
		{"127.0.0.1:5000;udp=0", "", 0, true},
		{"127.0.0.1:5000;udp=65536", "", 0, true},
		{"127.0.0.1:5000;udp=x", "", 0, true},
		{"127.0.0.1;udp=5", "", 0, true},
	} {
		a, err := ResolveSCTPAddr("sctp", tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q: %v, want an error", tt.in, a)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if a.UDPPort != tt.udp || a.String() != tt.want {
			t.Errorf("%q: %v (UDP %d), want %v (UDP %d)", tt.in, a, a.UDPPort, tt.want, tt.udp)
		}
		if b, err := ResolveSCTPAddr("sctp", a.String()); err != nil || b.String() != a.String() {
			t.Errorf("round trip of %v: %v, %v", a, b, err)
		}
	}
}

// freeUDPPort returns a UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// echoOnce accepts one association on l and echoes one message.
func echoOnce(l *SCTPListener) error {
	l.SetDeadline(time.Now().Add(10 * time.Second))
	c, err := l.AcceptSCTP()
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 100)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	_, err = c.Write(buf[:n])
	return err
}

// pingAddr dials address as a new user would (package Dial, default
// options) and checks the echo.
func pingAddr(network, address string) error {
	c, err := Dial(network, address)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("ping " + address)); err != nil {
		return err
	}
	buf := make([]byte, 100)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "ping "+address {
		return fmt.Errorf("echo %q", buf[:n])
	}
	return nil
}

// TestDialListenerAddr: two listeners of one process on different UDP
// ports; Dial(ln.Addr().Network(), ln.Addr().String()) and DialSCTP with
// ln.Addr() reach each of them with the default options.
func TestDialListenerAddr(t *testing.T) {
	for i, port := range []int{EphemeralPort, freeUDPPort(t)} {
		lc := &ListenConfig{Options: Options{Transport: TransportUDP, LocalUDPPort: port}}
		ln, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		a := ln.Addr().(*SCTPAddr)
		if a.UDPPort == 0 || a.UDPPort != ln.(*SCTPListener).UDPPort() {
			t.Fatalf("listener %d: Addr %v has UDP port %d, want %d", i, a, a.UDPPort, ln.(*SCTPListener).UDPPort())
		}
		if !strings.HasSuffix(a.String(), fmt.Sprintf(";udp=%d", a.UDPPort)) {
			t.Errorf("Addr().String() = %q does not name the UDP port", a)
		}
		errc := make(chan error, 1)
		go func() { errc <- echoOnce(ln.(*SCTPListener)) }()
		if err := pingAddr(ln.Addr().Network(), ln.Addr().String()); err != nil {
			t.Errorf("listener %d (%v): Dial(Addr().String()): %v", i, a, err)
		}
		if err := <-errc; err != nil {
			t.Errorf("listener %d: %v", i, err)
		}
		go func() { errc <- echoOnce(ln.(*SCTPListener)) }()
		c, err := DialSCTP("sctp4", nil, a)
		if err == nil {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err = c.Write([]byte("x")); err == nil {
				_, err = c.Read(make([]byte, 10))
			}
			c.Close()
		}
		if err != nil {
			t.Errorf("listener %d (%v): DialSCTP(Addr()): %v", i, a, err)
		}
		if err := <-errc; err != nil {
			t.Errorf("listener %d: %v", i, err)
		}
	}
}

// TestUDPPortInUse: a listener on a UDP port another socket holds fails
// with an error that names the port and the option that picks another.
func TestUDPPortInUse(t *testing.T) {
	pc, err := net.ListenPacket("udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	lc := &ListenConfig{Options: Options{Transport: TransportUDP, LocalUDPPort: port}}
	l, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
	if err == nil {
		l.Close()
		t.Fatalf("listen on UDP port %d held by another socket succeeded", port)
	}
	var pe *UDPPortInUseError
	if !errors.Is(err, syscall.EADDRINUSE) || !errors.As(err, &pe) || pe.Port != port {
		t.Errorf("error %v: want a *UDPPortInUseError for port %d matching EADDRINUSE", err, port)
	}
	if s := err.Error(); !strings.Contains(s, fmt.Sprint(port)) || !strings.Contains(s, "LocalUDPPort") {
		t.Errorf("error %q names neither the port %d nor the option", s, port)
	}
}

// secondProcEnv makes the test binary the child of TestSecondProcess.
const secondProcEnv = "CSCTP_TEST_SECOND_PROCESS"

// TestSecondProcess: a process listens with the defaults while another
// listener of this process, also with the defaults, holds a UDP port
// (9899 when it was free); the parent reaches the child through the
// address the child prints.
func TestSecondProcess(t *testing.T) {
	if os.Getenv(secondProcEnv) == "1" {
		secondProcChild()
		return
	}
	lc := &ListenConfig{Options: Options{Transport: TransportUDP}}
	ln, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("first listener with the defaults: %v", err)
	}
	defer ln.Close()
	t.Logf("this process listens on %v", ln.Addr())
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), secondProcEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	line, err := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "ADDR ") {
		cmd.Process.Kill()
		t.Fatalf("child: %q %v\n%s", line, err, stderr.String())
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	t.Logf("the child listens on %s", addr)
	if addr == ln.Addr().String() {
		t.Errorf("both processes report the same address %s", addr)
	}
	if err := pingAddr("sctp4", addr); err != nil {
		t.Errorf("dial the child at %s: %v", addr, err)
	}
	go io.Copy(io.Discard, out)
}

func secondProcChild() {
	lc := &ListenConfig{Options: Options{Transport: TransportUDP}}
	ln, err := lc.Listen(context.Background(), "sctp4", "127.0.0.1:0")
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	if err := echoOnce(ln.(*SCTPListener)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln.Close()
	os.Exit(0)
}

// ---- defect 5: errors and addresses as package net has them ---------------

// TestLocalAddrConcrete: a dialed (and an accepted) conn bound to every
// address reports the address its association uses, not the wildcard.
func TestLocalAddrConcrete(t *testing.T) {
	cc, sc := pairT(t, Options{Transport: TransportUDP})
	for name, c := range map[string]*SCTPConn{"dialed": cc, "accepted": sc} {
		a, _ := c.LocalAddr().(*SCTPAddr)
		if a == nil || len(a.IPAddrs) == 0 || a.Port == 0 {
			t.Errorf("%s: LocalAddr %v", name, a)
			continue
		}
		if a.isWildcard() || !a.IPAddrs[0].IP.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("%s: LocalAddr %v, want 127.0.0.1 (the loopback association's address)", name, a)
		}
		if a.UDPPort != c.UDPPort() {
			t.Errorf("%s: LocalAddr UDP port %d, want %d", name, a.UDPPort, c.UDPPort())
		}
	}
}

// TestOwnCloseOnlyIsErrClosed: a Read or Write after our own Close matches
// net.ErrClosed; the errors of a peer's ABORT (ECONNRESET) and SHUTDOWN
// (EOF, EPIPE) do not (TestAbort and TestEOFAndShutdown check those).
func TestOwnCloseOnlyIsErrClosed(t *testing.T) {
	cc, _ := pairT(t, Options{Transport: TransportUDP})
	cc.Close()
	if _, err := cc.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after own close: %v", err)
	}
	if _, err := cc.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after own close: %v", err)
	}
}

// TestLostIsETIMEDOUT: an association lost because the peer stopped
// answering (RFC 9260 8.1: Association.Max.Retrans exceeded) matches
// syscall.ETIMEDOUT, is a timeout, and does not match net.ErrClosed.
func TestLostIsETIMEDOUT(t *testing.T) {
	e := error(&AssocLostError{Reason: LostTimeout})
	var ne net.Error
	if !errors.Is(e, syscall.ETIMEDOUT) || errors.Is(e, net.ErrClosed) || !errors.As(e, &ne) || !ne.Timeout() {
		t.Errorf("%v: want ETIMEDOUT, a timeout, not net.ErrClosed", e)
	}
	if e := codeError(cErrTimeout); !errors.Is(e, syscall.ETIMEDOUT) {
		t.Errorf("CSCTP_ERR_TIMEOUT maps to %v", e)
	}
	if e := codeError(cErrAborted); !errors.Is(e, syscall.ECONNRESET) || errors.Is(e, net.ErrClosed) {
		t.Errorf("CSCTP_ERR_ABORTED maps to %v", e)
	}
	if e := codeError(cErrClosed); !errors.Is(e, syscall.EPIPE) || errors.Is(e, net.ErrClosed) {
		t.Errorf("CSCTP_ERR_CLOSED maps to %v", e)
	}
}

// ---- defect 6: the knobs ----------------------------------------------------

func TestRTOAndHeartbeatOptions(t *testing.T) {
	o := Options{Transport: TransportUDP, RTOInitial: 300 * time.Millisecond,
		RTOMin: 120 * time.Millisecond, RTOMax: 900 * time.Millisecond, HeartbeatInterval: 20 * time.Millisecond}
	cc, sc := pairT(t, o)
	i, lo, hi, err := cc.RTO()
	if err != nil || i != o.RTOInitial || lo != o.RTOMin || hi != o.RTOMax {
		t.Errorf("RTO() = %v %v %v %v, want %v %v %v", i, lo, hi, err, o.RTOInitial, o.RTOMin, o.RTOMax)
	}
	if err := cc.SetRTO(0, 0, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if i, lo, hi, _ := cc.RTO(); i != o.RTOInitial || lo != o.RTOMin || hi != 2*time.Second {
		t.Errorf("after SetRTO(0, 0, 2s): %v %v %v", i, lo, hi)
	}
	if err := cc.SetRTO(0, 3*time.Second, time.Second); err == nil {
		t.Errorf("SetRTO with min > max accepted")
	}
	// RFC 9260 8.3: an idle path is probed every HB.interval (plus
	// jitter and RTO); with heartbeats off nothing is sent while idle.
	idlePkts := func(c *SCTPConn) uint64 {
		s0, err := c.Status()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		s1, _ := c.Status()
		return s1.PktsOut - s0.PktsOut
	}
	if n := idlePkts(cc); n < 2 {
		t.Errorf("heartbeat interval 20 ms: %d packets in 500 ms idle, want heartbeats", n)
	}
	// Both sides: the peer's heartbeats draw HEARTBEAT ACKs.
	for _, c := range []*SCTPConn{cc, sc} {
		if err := c.SetHeartbeatInterval(0); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(700 * time.Millisecond) // a heartbeat already scheduled (RTO + HB.interval)
	if n := idlePkts(cc); n != 0 {
		t.Errorf("heartbeats off: %d packets in 500 ms idle", n)
	}
	if err := (&Options{RTOMin: -1}).validate(); err == nil {
		t.Errorf("negative RTOMin accepted")
	}
}

func TestDefaultSendInfo(t *testing.T) {
	check := func(name string, sc *SCTPConn, stream uint16, ppid uint32) {
		t.Helper()
		sc.SetReadDeadline(time.Now().Add(5 * time.Second))
		got, info := readMsg(t, sc, 100)
		if string(got) != "copied" || info.Stream != stream || info.PPID != ppid {
			t.Errorf("%s: %q on stream %d ppid %d, want \"copied\" on %d/%d", name, got, info.Stream, info.PPID, stream, ppid)
		}
	}
	cc, sc := pairT(t, Options{Transport: TransportUDP, DefaultSendInfo: &SndInfo{Stream: 2, PPID: 51}})
	if _, err := io.Copy(cc, strings.NewReader("copied")); err != nil {
		t.Fatal(err)
	}
	check("Options.DefaultSendInfo", sc, 2, 51)
	if err := cc.SetDefaultSendInfo(SndInfo{Stream: 7, PPID: 0xdeadbeef}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(cc, strings.NewReader("copied")); err != nil {
		t.Fatal(err)
	}
	check("SetDefaultSendInfo", sc, 7, 0xdeadbeef)
}

func TestSyscallConnUserland(t *testing.T) {
	cc, _ := pairT(t, Options{Transport: TransportUDP})
	rc, err := cc.SyscallConn()
	if rc != nil || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SyscallConn on a UDP conn: %v, %v; want an error wrapping errors.ErrUnsupported", rc, err)
	}
}

func TestListenSCTPListenerFunc(t *testing.T) {
	l, err := ListenSCTPListener("sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	errc := make(chan error, 1)
	go func() { errc <- echoOnce(l) }()
	if err := pingAddr(l.Addr().Network(), l.Addr().String()); err != nil {
		t.Error(err)
	}
	if err := <-errc; err != nil {
		t.Error(err)
	}
}

func TestNoDelayOption(t *testing.T) {
	var o Options
	if !o.NoDelay() {
		t.Errorf("zero Options: NoDelay false")
	}
	o.Bundling = true
	if o.NoDelay() {
		t.Errorf("Bundling: NoDelay true")
	}
	o.SetNoDelay(true)
	if !o.NoDelay() {
		t.Errorf("SetNoDelay(true) with Bundling: NoDelay false")
	}
	var d Dialer
	d.SetNoDelay(false) // promoted, as on a conn
	if d.NoDelay() {
		t.Errorf("Dialer.SetNoDelay(false): NoDelay true")
	}
}

func TestStatusOneToMany(t *testing.T) {
	lc := testListenConfig(Options{Transport: TransportUDP})
	srv, err := lc.ListenSCTP(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Status(); !errors.Is(err, ErrNoAssociation) || !strings.Contains(err.Error(), "0 associations") {
		t.Errorf("Status with no association: %v", err)
	}
	clients := make([]*SCTPConn, 2)
	for i := range clients {
		clc := testListenConfig(Options{Transport: TransportUDP, RemoteUDPPort: srv.UDPPort()})
		cl, err := clc.ListenSCTP(context.Background(), "sctp4", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		clients[i] = cl
		if _, err := cl.WriteTo([]byte("hi"), srv.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		srv.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, info, err := srv.ReadFromSCTP(make([]byte, 10))
		if err != nil {
			t.Fatal(err)
		}
		st, err := srv.Status()
		if i == 0 && (err != nil || st.AssocID != info.AssocID || st.State != StateEstablished) {
			t.Errorf("Status with one association: %+v, %v (want id %d)", st, err, info.AssocID)
		}
		if i == 1 && (!errors.Is(err, ErrNoAssociation) || !strings.Contains(err.Error(), "2 associations")) {
			t.Errorf("Status with two associations: %v", err)
		}
	}
	if st, err := clients[0].Status(); err != nil || st.State != StateEstablished {
		t.Errorf("client Status: %+v %v", st, err)
	}
}

// TestAssocLostETIMEDOUT: an established association whose peer stops
// answering is lost when its retransmissions reach Association.Max.Retrans
// (RFC 9260 8.1); the error matches syscall.ETIMEDOUT, is a timeout, and
// is not net.ErrClosed. A UDP relay between the two stacks goes silent.
func TestAssocLostETIMEDOUT(t *testing.T) {
	fast := Options{Transport: TransportUDP, RTOInitial: 50 * time.Millisecond,
		RTOMin: 20 * time.Millisecond, RTOMax: 60 * time.Millisecond}
	lo := fast
	lo.LocalUDPPort = freeUDPPort(t)
	l, err := (&ListenConfig{Options: lo}).ListenSCTPListener(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	relay, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	var silent atomic.Bool
	go func() {
		srv := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: l.UDPPort()}
		var cli *net.UDPAddr
		buf := make([]byte, 64<<10)
		for {
			n, from, err := relay.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if silent.Load() {
				continue
			}
			if from.Port == srv.Port {
				if cli != nil {
					relay.WriteToUDP(buf[:n], cli)
				}
				continue
			}
			cli = from
			relay.WriteToUDP(buf[:n], srv)
		}
	}()
	co := fast
	co.LocalUDPPort = EphemeralPort
	co.RemoteUDPPort = relay.LocalAddr().(*net.UDPAddr).Port
	d := &Dialer{Timeout: 10 * time.Second, Options: co}
	c, err := d.DialSCTPContext(context.Background(), "sctp4", &SCTPAddr{IPAddrs: loopback4.IPAddrs, Port: l.Addr().(*SCTPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetLinger(0)
	sc, err := l.AcceptSCTP()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	sc.SetLinger(0)
	silent.Store(true)
	if _, err := c.Write([]byte("into the void")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = c.Read(make([]byte, 10))
	var le *AssocLostError
	var ne net.Error
	if !errors.As(err, &le) || !errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, net.ErrClosed) ||
		!errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read on a lost association: %v; want an *AssocLostError matching ETIMEDOUT, a timeout, not net.ErrClosed", err)
	}
}
