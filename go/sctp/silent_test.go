//go:build cgo

package sctp

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 12: the ways data or events could vanish without an error.

// closeExitEnv makes the test binary the child of TestWriteCloseExit:
// "udpport:sctpaddr".
const closeExitEnv = "CSCTP_TEST_CLOSE_EXIT"

const (
	closeExitMsgs = 100
	closeExitSize = 1453 // two fragments each
)

// TestWriteCloseExit: a child process dials, writes 100 messages, calls
// Close and exits at once, as a program returning from main does. Every
// message must arrive: Close waits for the graceful shutdown.
func TestWriteCloseExit(t *testing.T) {
	if spec := os.Getenv(closeExitEnv); spec != "" {
		closeExitChild(spec)
		return
	}
	l := listenT(t, Options{Transport: TransportUDP})
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteCloseExit$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", closeExitEnv, l.UDPPort(), l.Addr()))
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
	udpS, addrS, _ := strings.Cut(spec, ":")
	udp, _ := strconv.Atoi(udpS)
	raddr, err := ResolveSCTPAddr("sctp4", addrS)
	if err != nil {
		fail("resolve: %v", err)
	}
	c, err := dialerFor(udp, Options{Transport: TransportUDP}).DialSCTPContext(context.Background(), "sctp4", raddr)
	if err != nil {
		fail("dial: %v", err)
	}
	msg := make([]byte, closeExitSize)
	for i := 0; i < closeExitMsgs; i++ {
		if _, err := c.Write(msg); err != nil {
			fail("write %d: %v", i, err)
		}
	}
	if err := c.Close(); err != nil {
		fail("close: %v", err)
	}
	os.Exit(0) // returning from main: nothing runs after this
}
