//go:build cgo

package sctp

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// skipTimingShort skips a test of the userland stack's timing under
// -short, which the kernel VM runs with on one emulated CPU (QEMU TCG),
// where it measures the emulator.
func skipTimingShort(t *testing.T) {
	if testing.Short() {
		t.Skip("timing of the userland stack: not under -short (the kernel VM's emulated CPU)")
	}
}

// writerStepsOf reports how often st's busy writers stepped it themselves.
func writerStepsOf(st *stack) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.writerSteps
}

// busyPair returns a client and the server conn it reached, each on a
// stack of its own (the listener on a fixed UDP port, the client on an
// ephemeral one), with 4 MiB buffers so that the writer never waits.
func busyPair(t *testing.T) (*SCTPConn, *SCTPConn) {
	t.Helper()
	o := Options{Transport: TransportUDP, ReadBuffer: 4 << 20, WriteBuffer: 4 << 20}
	lo := o
	lo.LocalUDPPort = freeUDPPort(t)
	l := listenT(t, lo)
	accept := acceptor(t, l)
	cli := dialT(t, l, o)
	srv := accept()
	if cli.st == srv.st {
		t.Fatal("client and server share a stack")
	}
	return cli, srv
}

// TestBusyWriterStepsAndLeavesNothingBehind: a conn that sends in bulk
// without ever waiting steps its stack itself (the driver parks), and the
// messages it queued last, while nobody else stepped the stack, still all
// arrive once it stops calling anything (the parked driver's next look
// sends them).
func TestBusyWriterStepsAndLeavesNothingBehind(t *testing.T) {
	cli, srv := busyPair(t)
	const n, size = 4000, 1200 // 4.8 MB, about 18 writerStepBytes
	got := make(chan int, 1)
	go func() {
		buf := make([]byte, 2*size)
		srv.SetReadDeadline(time.Now().Add(30 * time.Second))
		k := 0
		for k < n {
			if _, err := srv.Read(buf); err != nil {
				break
			}
			k++
		}
		got <- k
	}()
	msg := make([]byte, size)
	for i := 0; i < n; i++ {
		if _, err := cli.Write(msg); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	// The writer now makes no call at all.
	select {
	case k := <-got:
		if k != n {
			t.Fatalf("the peer read %d of %d messages", k, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the peer did not read every message")
	}
	s := writerStepsOf(cli.st)
	t.Logf("the writer stepped its stack %d times", s)
	if testing.Short() {
		return // the kernel VM's emulated CPU may not write at a busy writer's rate
	}
	if s == 0 {
		t.Errorf("a writer that never waited did not step its stack (%d bytes sent)", n*len(msg))
	}
}

// TestBusyWriterKeepsOthersPrompt: while one conn of a stack writes
// without waiting (the driver parked), another conn of the same stack
// still gets its round trips at loopback speed: 200 of them would take at
// least 2 s if each waited for the parked driver's look (parkMax).
func TestBusyWriterKeepsOthersPrompt(t *testing.T) {
	skipTimingShort(t)
	o := Options{Transport: TransportUDP, ReadBuffer: 4 << 20, WriteBuffer: 4 << 20}
	l := listenT(t, o)
	accept := acceptor(t, l)
	do := o
	do.LocalUDPPort = freeUDPPort(t) // one stack for both clients
	busy := dialT(t, l, do)
	sink := accept()
	cli := dialT(t, l, do)
	echo := accept()
	if busy.st != cli.st {
		t.Fatal("the two clients do not share a stack")
	}

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the busy writer and its reader
		defer close(done)
		go func() {
			buf := make([]byte, 256)
			for {
				if _, err := sink.Read(buf); err != nil {
					return
				}
			}
		}()
		msg := make([]byte, 64)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := busy.Write(msg); err != nil {
				return
			}
		}
	}()
	go func() {
		b := make([]byte, 64)
		for {
			n, err := echo.Read(b)
			if err != nil {
				return
			}
			if _, err := echo.Write(b[:n]); err != nil {
				return
			}
		}
	}()

	const rounds = 200
	b := make([]byte, 64)
	start := time.Now()
	for i := 0; i < rounds; i++ {
		if _, err := cli.Write([]byte("ping")); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, err := cli.Read(b); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	took := time.Since(start)
	close(stop)
	<-done
	if took > 2*time.Second {
		t.Fatalf("%d round trips beside a busy writer took %v", rounds, took)
	}
	t.Logf("%d round trips beside a busy writer in %v (the writer stepped its stack %d times)",
		rounds, took, writerStepsOf(busy.st))
}

// TestSteadyWriterIsNotHeldBack: a conn that writes small messages steadily
// but far below a busy writer's rate (here 50-byte messages, 8000 a
// second: 400 kB/s) keeps the driver, which sends the messages the C
// stack holds back for bundling at once: they arrive within about a
// millisecond, not when 4800 bytes of them have gathered (12 ms at this
// rate) or at a parked driver's next look (up to 10 ms).
func TestSteadyWriterIsNotHeldBack(t *testing.T) {
	skipTimingShort(t)
	cli, srv := busyPair(t)
	const n, size, every = 2400, 50, 125 * time.Microsecond
	base := time.Now()
	lat := make(chan []time.Duration, 1)
	go func() {
		buf := make([]byte, 256)
		srv.SetReadDeadline(time.Now().Add(30 * time.Second))
		var d []time.Duration
		for len(d) < n {
			k, err := srv.Read(buf)
			if err != nil || k != size {
				break
			}
			sent := time.Duration(binary.BigEndian.Uint64(buf))
			d = append(d, time.Since(base)-sent)
		}
		lat <- d
	}()
	msg := make([]byte, size)
	for i := 0; i < n; i++ {
		for time.Since(base) < time.Duration(i)*every {
		}
		binary.BigEndian.PutUint64(msg, uint64(time.Since(base)))
		if _, err := cli.Write(msg); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	d := <-lat
	if len(d) != n {
		t.Fatalf("the peer read %d of %d messages", len(d), n)
	}
	slices.Sort(d)
	p50, p90 := d[n/2], d[n*9/10]
	t.Logf("one-way latency p50 %v, p90 %v (the writer stepped its stack %d times)", p50, p90, writerStepsOf(cli.st))
	if p50 > 2*time.Millisecond {
		t.Errorf("median one-way latency %v: small messages were held back", p50)
	}
}
