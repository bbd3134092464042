//go:build cgo

package sctp

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkManyConns streams 64-byte messages over many associations of
// one process at once (issue 12: many goroutines on many conns of one
// process should scale past one core): one writer and one reader goroutine
// per association, b.N messages in all, split evenly. It reports msg/s; run
// it with -cpu 1,2 to see how it scales with GOMAXPROCS. Both ends of every
// association are in this process, each pair with its own listener, on
// ephemeral UDP ports as a program's dialers get by default: the package
// spreads such sockets over up to GOMAXPROCS stacks (stack.go, shardFor).
// Besides msg/s it reports the CPU time per message and "cores", the
// process's user+system CPU time over the wall time of the run: above 1
// means more than one core worked (on a loaded machine msg/s alone does not
// tell).
func BenchmarkManyConns(b *testing.B) {
	for _, conns := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			benchManyConns(b, conns, 64)
		})
	}
}

// BenchmarkManyConnsOneListener is BenchmarkManyConns with every
// association accepted by one listener, as a server's are: the server ends
// share the listener's stack (one lock), only the client ends are spread
// over several stacks.
func BenchmarkManyConnsOneListener(b *testing.B) {
	b.Run("conns=8", func(b *testing.B) {
		o := Options{Transport: TransportUDP}
		l := listenT(b, o)
		pairs := make([]benchPair, 8)
		for i := range pairs {
			ch := make(chan *SCTPConn, 1)
			go func() {
				s, err := l.AcceptSCTP()
				if err != nil {
					b.Errorf("accept: %v", err)
				}
				ch <- s
			}()
			pairs[i].c = dialT(b, l, o)
			pairs[i].s = <-ch
			if pairs[i].s == nil {
				b.FailNow()
			}
			b.Cleanup(func() { pairs[i].s.Close() })
		}
		benchPairs(b, pairs, 64)
	})
}

// benchPair is one association: its client and server conns.
type benchPair struct{ c, s *SCTPConn }

func benchManyConns(b *testing.B, conns, size int) {
	o := Options{Transport: TransportUDP}
	pairs := make([]benchPair, conns)
	for i := range pairs {
		pairs[i].c, pairs[i].s = pairT(b, o)
	}
	benchPairs(b, pairs, size)
}

// benchPairs streams b.N messages of size bytes over the pairs, client to
// server, one writer and one reader goroutine per pair.
func benchPairs(b *testing.B, pairs []benchPair, size int) {
	conns := len(pairs)
	per := (b.N + conns - 1) / conns
	deadline := time.Now().Add(5 * time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 2*conns)
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for _, p := range pairs {
		p.c.SetDeadline(deadline)
		p.s.SetDeadline(deadline)
		wg.Add(2)
		go func(c *SCTPConn) {
			defer wg.Done()
			msg := make([]byte, size)
			for i := 0; i < per; i++ {
				if _, err := c.Write(msg); err != nil {
					errs <- fmt.Errorf("write %d: %w", i, err)
					return
				}
			}
		}(p.c)
		go func(c *SCTPConn) {
			defer wg.Done()
			buf := make([]byte, size+64)
			for i := 0; i < per; i++ {
				n, err := c.Read(buf)
				if err != nil {
					errs <- fmt.Errorf("read %d: %w", i, err)
					return
				}
				if n != size {
					errs <- fmt.Errorf("read %d: %d bytes, want %d", i, n, size)
					return
				}
			}
		}(p.s)
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(per*conns)/el.Seconds(), "msg/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(per*conns), "cpu-ns/msg")
	b.ReportMetric(cpu.Seconds()/el.Seconds(), "cores")
}

// cpuTime is the user and system CPU time the process has used (both ends
// of every association and the stack's driver are in it).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStream64 is one association streaming 64-byte messages, the
// binding's per-message cost (cgo calls, the stack lock, wake-ups).
func BenchmarkStream64(b *testing.B) { benchManyConns(b, 1, 64) }
