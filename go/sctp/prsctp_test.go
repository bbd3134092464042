//go:build cgo

package sctp

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"
)

// PR-SCTP (RFC 3758, RFC 7496) through the Go API, over UDP encapsulation
// on loopback (the userland engine; the kernel transport maps the same
// options onto Linux's and is exercised by make test-kernel).

// TestPRSCTPNegotiation: PR-SCTP is on when both ends announce it (the
// default), off when either one disables it (RFC 3758 3.3); over the
// kernel transport the same option drives Linux's SCTP_PR_SUPPORTED.
func TestPRSCTPNegotiation(t *testing.T) { forEachTransport(t, testPRSCTPNegotiation) }

func testPRSCTPNegotiation(t *testing.T, tr Transport) {
	for _, tc := range []struct {
		name           string
		client, server bool // DisablePRSCTP
		want           bool
	}{
		{"both", false, false, true},
		{"client-off", true, false, false},
		{"server-off", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listenT(t, Options{Transport: tr, DisablePRSCTP: tc.server})
			ch := make(chan *SCTPConn, 1)
			go func() {
				s, err := l.AcceptSCTP()
				if err != nil {
					t.Errorf("accept: %v", err)
				}
				ch <- s
			}()
			c := dialT(t, l, Options{Transport: tr, DisablePRSCTP: tc.client})
			s := <-ch
			if s == nil {
				return
			}
			defer s.Close()
			for _, x := range []*SCTPConn{c, s} {
				st, err := x.Status()
				if err != nil {
					t.Fatal(err)
				}
				if st.PREnabled != tc.want {
					t.Errorf("PREnabled %v, want %v", st.PREnabled, tc.want)
				}
			}
		})
	}
}

// TestPRSCTPPriority: with the send buffer full (the peer does not read),
// a message of higher priority abandons queued ones of lower priority
// (RFC 7496 3.2) instead of blocking; each abandoned message is reported by
// a SendFailed notification with its data, is counted, and never arrives.
func TestPRSCTPPriority(t *testing.T) {
	o := Options{Transport: TransportUDP, WriteBuffer: 32 << 10, ReadBuffer: 16 << 10,
		Notifications: []NotificationType{NotifySendFailed}}
	c, s := pairT(t, o)
	msg := func(i uint32) []byte {
		b := make([]byte, 1000)
		binary.BigEndian.PutUint32(b, i)
		for k := 4; k < len(b); k++ {
			b[k] = byte(i) ^ byte(k)
		}
		return b
	}
	// Fill until a priority-5 write would block.
	var n uint32
	for ; n < 1000; n++ {
		c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := c.WriteToSCTP(msg(n), nil, &SndInfo{Context: n, PRPolicy: PRPriority, PRValue: 5})
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("write %d: %v", n, err)
			}
			break
		}
	}
	if n < 10 || n == 1000 {
		t.Fatalf("%d priority-5 messages before the buffer filled", n)
	}
	// Same priority: nothing lower to abandon, the write still blocks.
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.WriteToSCTP(msg(5000), nil, &SndInfo{Context: 5000, PRPolicy: PRPriority, PRValue: 5}); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("equal priority write: %v, want a deadline error", err)
	}
	// Higher priority goes at once.
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.WriteToSCTP(msg(9000), nil, &SndInfo{Context: 9000, PRPolicy: PRPriority, PRValue: 1}); err != nil {
		t.Fatalf("priority-1 write: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nf, err := c.ReadNotification(ctx)
	if err != nil {
		t.Fatalf("no SendFailed: %v", err)
	}
	sf, ok := nf.(*SendFailed)
	if !ok {
		t.Fatalf("notification %T, want *SendFailed", nf)
	}
	ctxID := sf.Info.Context
	if !sf.Abandoned || sf.Sent || sf.Info.PRPolicy != PRPriority || sf.Info.PRValue != 5 ||
		ctxID >= n || !bytesEqual(sf.Data, msg(ctxID)) {
		t.Errorf("SendFailed: abandoned %v sent %v policy %v/%d context %d, data ok %v",
			sf.Abandoned, sf.Sent, sf.Info.PRPolicy, sf.Info.PRValue, ctxID,
			bytesEqual(sf.Data, msg(ctxID)))
	}
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.AbandonedUnsent != 1 || st.AbandonedSent != 0 {
		t.Errorf("abandoned unsent %d sent %d, want 1 and 0", st.AbandonedUnsent, st.AbandonedSent)
	}
	// The reader gets every message but the abandoned one, in order, and
	// the priority-1 message last.
	want := uint32(0)
	for {
		if want == ctxID {
			want++
		}
		if want == n {
			want = 9000
		}
		s.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := readMsg(t, s, 2000)
		got := binary.BigEndian.Uint32(b)
		if got != want || !bytesEqual(b, msg(got)) {
			t.Fatalf("read message %d, want %d", got, want)
		}
		if got == 9000 {
			break
		}
		want++
	}
}
