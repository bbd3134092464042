package sctp

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A stack wraps one C csctp_stack: the transport sockets, the SCTP
// endpoints and the event loop, shared by every conn of the process with the
// same transport and local UDP port (on an ephemeral port, of the same
// shard: shardFor). One mutex guards the C stack and all
// its sockets: every C call is made under it, and every C call is short and
// never blocks.
//
// A driver goroutine waits for the stack's fd (epoll on Linux, kqueue on
// macOS and the BSDs) in the netpoller (via a dup wrapped in an os.File)
// and calls csctp_stack_step. The read deadline of that file is the Go
// timer that follows csctp_stack_timeout (the C stack's own timer, inside
// that fd's set, would wake it too). Where the C core has only its poll(2)
// backend there is no such fd and creating a stack fails (stack_unix.go).
// Conns do not wait on fds of their own: the C stack lists the sockets it
// signalled (its ready list), and the unlock that ends every C call wakes
// their waiters (wait.go). Leader/follower: a conn's waiter about to block
// when nobody waits on the stack's fd waits on it itself (lf, a second
// dup), steps the stack and returns when its own side is signalled, so a
// wake-up is one hand-off, not two; meanwhile the driver parks (looking at
// the stack every parkMax) and followers wait for their signals. The C
// stack's readiness is one-shot (csctp_stack_set_oneshot, epoll only): a
// packet wakes the stack's fd once, and after a step no more until a
// leader or the driver is about to wait again (cStack.more calls
// csctp_stack_prepare_wait), so packets that arrive while a conn is busy
// in its own code and the driver is parked do not wake an idle thread in
// the netpoller for nothing (CSCTP_ONESHOT=0 in the environment keeps
// level-triggered readiness, for comparisons). A conn that writes in bulk
// without waiting parks the driver too, steps the stack itself and yields
// after each such step (busy writers: noteSendLocked, writerYield). The
// parked driver's looks leave the stack alone while a conn leads or
// writes in bulk (othersStepLocked). When the last conn closes, the driver
// keeps running until the graceful shutdowns in progress are done (at
// most drainMax), then frees the stack and ends.
//
// A kernel stack (CSCTP_TRANSPORT_KERNEL) has no engine, transport or
// timers: the kernel moves the packets and finishes graceful shutdowns
// after close on its own. It has no driver (ef is nil) and is freed as soon
// as its last conn closes.
type stack struct {
	key    stackKey
	port   int  // local UDP encapsulation port (0 for raw IP and kernel)
	kernel bool // CSCTP_TRANSPORT_KERNEL: no driver, no timers

	mu       sync.Mutex // guards cs, every C call, deadline
	cs       *cStack
	deadline time.Time // read deadline set on ef

	ef   *os.File // dup of csctp_stack_fd
	rc   syscall.RawConn
	done chan struct{}

	refs     int // guarded by registry.mu
	draining atomic.Bool

	// The conns' waiters by their C sockets' keys, and the buffers of the
	// ready list (wait.go). Guarded by mu.
	waiters    map[uintptr]*sockWaiters
	nextWaiter uintptr
	readyKeys  [64]uintptr
	readySides [64]int32

	// Leader/follower. lf is a second dup of the stack's fd, which a conn
	// about to block waits on itself (its own file: its deadline is the
	// leader's interrupt, not the driver's timer). leader says who waits on
	// the fd; followers are the readyWaits waiting for a signal while
	// someone else leads; connActive records that a conn led or wanted to
	// since the driver last looked (the driver then stays parked); kick
	// and parkT wake the parked driver. Guarded by mu, except lfDirty (lf's
	// deadline was set in the past by an interrupt).
	lf         *os.File
	lrc        syscall.RawConn
	lfDirty    atomic.Bool
	leader     int
	followers  []*readyWait
	connActive bool
	// wokeFollower: a follower a step signalled (wait.go wake). heir:
	// the follower a leader gave the lead to, until it runs. wanted: the
	// last follower that wanted the lead while the driver had it.
	wokeFollower *readyWait
	heir         *readyWait
	wanted       *readyWait
	kick         chan struct{}
	parkT        *time.Timer

	// Busy writers (writerStepBytes): sentBytes counts the bytes conns
	// sent since sentFrom (when the driver last decided whether to lead,
	// or later); unstepped the bytes they sent since the stack was last
	// stepped; writerSteps the steps busy writers made, lookSteps those
	// the driver made at its looks (both for tests). Guarded by mu.
	sentBytes   int
	sentFrom    time.Time
	unstepped   int
	writerSteps int
	lookSteps   int

	// lower is the caller's connection of a stack made by Client or
	// Server (lower.go); nil for the others.
	lower *lowerLink
}

var registry struct {
	mu     sync.Mutex
	stacks map[stackKey]*stack
}

const (
	drainMax   = 2 * time.Second       // longest wait for shutdowns after the last close
	drainPoll  = 10 * time.Millisecond // check interval while draining
	timerFloor = 200 * time.Microsecond
	timerSlack = 50 * time.Microsecond
)

// aLongTimeAgo is a deadline in the past, used to wake waiters.
var aLongTimeAgo = time.Unix(1, 0)

// acquireStack returns the stack for k, creating it if needed, with one
// more reference. When k's UDP port is only preferred and another process
// holds it, the stack of an ephemeral port is used instead (RFC 6951's one
// port per host cannot be shared between processes: the listener's address
// carries the port it got).
func acquireStack(k stackKey) (*stack, error) {
	pref := k.preferred
	k.preferred = false
	s, err := acquireKey(k)
	if err != nil && pref && errors.Is(err, errEADDRINUSE) {
		s, err = acquireKey(stackKey{transport: k.transport})
	}
	return s, err
}

// UDPPortInUseError is the error (wrapped in a *net.OpError) of a listen
// or dial whose local UDP encapsulation port is held by another socket,
// usually another process's SCTP stack (RFC 6951 gives a host one port,
// 9899, which only one process can bind). It matches syscall.EADDRINUSE.
// Pick another port with [Options.LocalUDPPort] ([EphemeralPort] lets the
// kernel choose; a listener's address then carries the port).
type UDPPortInUseError struct {
	Port int
	Err  error // the bind error (errEADDRINUSE)
}

// Error names the port and the option that picks another.
func (e *UDPPortInUseError) Error() string {
	return fmt.Sprintf("sctp: local UDP port %d for SCTP over UDP is already in use "+
		"(another process's SCTP stack?); choose another with Options.LocalUDPPort "+
		"(sctp.EphemeralPort for any free port): %v", e.Port, e.Err)
}

// Unwrap returns the bind error.
func (e *UDPPortInUseError) Unwrap() error { return e.Err }

func acquireKey(k stackKey) (*stack, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	k.shard = shardFor(k)
	if s := registry.stacks[k]; s != nil {
		s.refs++
		s.draining.Store(false)
		return s, nil
	}
	s, err := newStack(k)
	if err != nil {
		return nil, err
	}
	s.refs = 1
	if registry.stacks == nil {
		registry.stacks = make(map[stackKey]*stack)
	}
	registry.stacks[k] = s
	if s.kernel {
		close(s.done)
	} else {
		go s.run()
	}
	return s, nil
}

func newStack(k stackKey) (*stack, error) {
	kernel := k.transport == cTransportKernel
	if kernel {
		// Name the cause when the kernel has no SCTP.
		if code := cKernelProbe(); code != 0 {
			return nil, kernelUnavailable(code)
		}
	}
	cs, err := cNewStack(k)
	if err != nil {
		if k.transport == cTransportUDP && k.udpPort != 0 && errors.Is(err, errEADDRINUSE) {
			return nil, &UDPPortInUseError{Port: k.udpPort, Err: err}
		}
		if kernel {
			return nil, fmt.Errorf("%w: %w", ErrKernelUnavailable, err)
		}
		return nil, err
	}
	s := &stack{key: k, cs: cs, kernel: kernel, done: make(chan struct{})}
	s.port = cs.udpPort()
	if kernel {
		return s, nil
	}
	s.ef, s.rc, err = pollFile(cs.fd(), "sctp-stack")
	if err != nil {
		cs.del()
		return nil, err
	}
	s.openLeadFile()
	if os.Getenv("CSCTP_ONESHOT") != "0" {
		cs.setOneshot()
	}
	cs.setReadyList() // conns wait on the ready list, not on event fds
	return s, nil
}

// maxShards bounds the stacks that conns on an ephemeral UDP port are
// spread over (shardFor).
const maxShards = 8

// shardFor picks the stack of a new socket on k. Every C call on a stack
// and its sockets is made under the stack's one mutex, so the conns of one
// stack use about one core between them however many goroutines drive them
// (BenchmarkManyConns). Sockets on an ephemeral UDP port need no particular
// port, so they are spread over up to GOMAXPROCS stacks (at most
// maxShards), each with its own UDP socket, mutex and driver goroutine: a
// new socket goes to the shard with the fewest references, the lowest
// numbered on a tie (one conn alone uses shard 0, as before). A fixed UDP
// port stays one stack: RFC 6951 gives a host one port, and UDP sockets
// sharing a port (SO_REUSEPORT) would have the kernel hand an association's
// packets to a stack that does not hold it. Raw IP stays one stack too: every
// raw socket receives every SCTP packet. Called with registry.mu held.
func shardFor(k stackKey) int {
	if k.transport != cTransportUDP || k.udpPort != 0 || k.lower != 0 {
		return 0
	}
	n := min(runtime.GOMAXPROCS(0), maxShards)
	best, bestRefs := 0, -1
	for i := 0; i < n; i++ {
		k.shard = i
		refs := 0
		if s := registry.stacks[k]; s != nil {
			refs = s.refs
		}
		if bestRefs < 0 || refs < bestRefs {
			best, bestRefs = i, refs
		}
	}
	return best
}

// addRef takes one more reference on a stack that already has one.
func (s *stack) addRef() {
	registry.mu.Lock()
	s.refs++
	s.draining.Store(false)
	registry.mu.Unlock()
}

// release drops one reference. The last one starts the drain.
func (s *stack) release() {
	registry.mu.Lock()
	s.refs--
	last := s.refs == 0
	if last {
		s.draining.Store(true)
	}
	if last && s.kernel {
		// Nothing runs inside a kernel stack: free it now.
		delete(registry.stacks, s.key)
		s.destroy()
		registry.mu.Unlock()
		return
	}
	registry.mu.Unlock()
	if last {
		s.mu.Lock()
		s.deadline = aLongTimeAgo
		s.ef.SetReadDeadline(aLongTimeAgo) // wake the driver
		s.kickDriver()
		s.unlock()
	}
}

// run is the driver goroutine.
func (s *stack) run() {
	defer close(s.done)
	var drainStart time.Time
	for {
		s.mu.Lock()
		now := time.Now()
		busy := s.busyLocked(now)
		if !s.othersStepLocked(busy) {
			s.stepLocked()
			s.lookSteps++
			s.armLocked()
		}
		lead := s.driverLeadLocked(now, busy)
		s.unlock()

		if !lead {
			s.park()
		} else if err := s.driverWait(); err != nil {
			return // the file was closed: the stack is gone
		}
		if !s.draining.Load() {
			drainStart = time.Time{}
			continue
		}
		registry.mu.Lock()
		if s.refs > 0 {
			s.draining.Store(false)
			registry.mu.Unlock()
			continue
		}
		if drainStart.IsZero() {
			drainStart = time.Now()
		}
		s.mu.Lock()
		eps := s.cs.endpoints()
		s.unlock()
		if eps == 0 || time.Since(drainStart) > drainMax {
			delete(registry.stacks, s.key)
			s.destroy()
			registry.mu.Unlock()
			return
		}
		registry.mu.Unlock()
	}
}

// driverWait is the driver's wait on the stack's fd while it leads. It
// ends early when a conn wants to lead. A nil error includes an expired
// deadline (the driver's timer).
func (s *stack) driverWait() error {
	err := s.rc.Read(s.pollStep)
	s.mu.Lock()
	s.leader = leadNone
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		s.deadline = aLongTimeAgo // expired: force the next arm
		err = nil
	}
	s.unlock()
	return err
}

// pollStep is the RawConn.Read callback of the driver: step while the epoll
// fd stays readable (a step does a bounded amount of work), then wait. It
// returns at once when a conn wants to lead (connActive), so that the
// driver parks and the conn leads from its next wait on.
func (s *stack) pollStep(uintptr) bool {
	for i := 0; i < 64; i++ {
		s.mu.Lock()
		s.stepLocked()
		more := s.cs.more()
		s.armLocked()
		yield := s.connActive || (s.lf != nil && s.busyLocked(time.Now()))
		s.unlock()
		if yield {
			return true
		}
		if !more {
			return false
		}
	}
	return true // let the loop run (it steps again at once)
}

// Who waits on the stack's fd (stack.leader).
const (
	leadNone   = iota
	leadDriver // the driver goroutine, on ef
	leadConn   // a conn's waiter, on lf
)

// parkMax bounds how long the parked driver leaves the fd to the conns: a
// conn that stops waiting (busy in its own code) leaves the stack's
// background work (timers, deferred sends, packets for conns that are not
// waiting) to the driver's next look at most this late.
const parkMax = 10 * time.Millisecond

// openLeadFile makes lf, the file conns lead on. Without it conns only
// follow (the driver always leads).
func (s *stack) openLeadFile() {
	f, rc, err := pollFile(s.cs.fd(), "sctp-stack-lead")
	if err != nil {
		return
	}
	s.lf, s.lrc = f, rc
	s.kick = make(chan struct{}, 1)
	s.parkT = time.NewTimer(time.Hour)
	s.parkT.Stop()
}

// othersStepLocked reports whether the driver's look can leave the stack
// alone: a conn leads (it waits on the stack's fd, timers included, and
// steps on every event) or writes as a busy writer (it steps every
// writerStepBytes). A step of the driver would find nothing to do: it
// would only contend with that conn for mu and make a cgo call beside the
// conn's, on the other CPU (Go -> Go 8 KiB and 64 KiB: 2-4 % more without
// it). busy is busyLocked's answer. st.mu held.
func (s *stack) othersStepLocked(busy bool) bool {
	if s.lf == nil || s.draining.Load() {
		return false
	}
	return s.leader == leadConn || busy
}

// driverLeadLocked decides whether the driver waits on the fd (true) or
// parks: it parks while a conn leads or has led (or wanted to) since its
// last look, or a conn was a busy writer since then, and then hands the
// lead to a follower. While the stack drains (no conns) it always leads.
// now is the look's time and busy busyLocked's answer then. st.mu held.
func (s *stack) driverLeadLocked(now time.Time, busy bool) bool {
	s.sentBytes, s.sentFrom = 0, now
	if s.lf == nil || (s.draining.Load() && s.leader != leadConn) {
		s.leader = leadDriver
		return true
	}
	if s.leader == leadConn {
		s.connActive = false
		return false
	}
	if s.connActive || busy {
		// A conn led or wanted the lead since the driver's last look, or
		// one writes without waiting (a busy writer steps the stack
		// itself: noteSendLocked): leave it to the conns. The follower
		// that wanted it is signalled: it tries its call again, then
		// leads. Followers left without a leader (the active conn went
		// away) have the driver back within two parkMax.
		s.connActive = false
		if w := s.wanted; w != nil {
			s.wanted = nil
			if w.following {
				w.signal()
			}
		}
		return false
	}
	s.connActive = false
	s.leader = leadDriver
	return true
}

// Busy writers. A conn that sends in bulk without waiting (its send
// buffer never fills: small messages, or a peer that keeps up) is the
// stack's only regular user while it writes, as the one thread of a C
// program that sends in a loop: the driver then parks (it would wake for
// every SACK and contend with the writer for mu from another thread), and
// the writer steps the stack itself every writerStepBytes it sends, so
// SACKs are taken and the data they let go is sent on the writer's thread
// while that data is still in its cache, not in bursts from another
// thread. Conns are busy when they sent writerStepBytes since the driver's
// last look, at writerStepBytes per parkMax (25 MB/s) or faster. A slower
// writer keeps the driver, which sends within microseconds the small
// messages the C stack holds back for bundling (TestSteadyWriterIsNotHeldBack);
// a busy writer's own sends flush them whenever IO_CORK_BYTES wait (well
// under a millisecond at that rate), and what it leaves when it stops goes
// at the driver's first look that finds the conns no longer busy (within
// two parkMax), or at once when a conn of the stack waits (it leads).
const writerStepBytes = 256 << 10

// busyLocked reports whether conns sent writerStepBytes or more since
// sentFrom, at writerStepBytes per parkMax or faster; a slower run starts
// counting anew. st.mu held.
func (s *stack) busyLocked(now time.Time) bool {
	if s.sentBytes < writerStepBytes {
		return false
	}
	if d := now.Sub(s.sentFrom); d < time.Second &&
		int64(s.sentBytes)*int64(parkMax) >= writerStepBytes*int64(d) {
		return true
	}
	s.sentBytes, s.sentFrom = 0, now
	return false
}

// stepLocked runs the C stack's step. st.mu held.
func (s *stack) stepLocked() {
	s.cs.step()
	s.unstepped = 0
}

// noteSendLocked counts the bytes a conn sent, and steps the stack when
// writerStepBytes were sent since its last step and nobody waits on the
// stack's fd (a leader or the driver would step it). It reports whether it
// stepped: the caller then yields (writerYield) once it has unlocked
// st.mu. st.mu held.
func (s *stack) noteSendLocked(bytes int) bool {
	s.sentBytes += bytes
	s.unstepped += bytes
	if s.unstepped >= writerStepBytes && s.leader == leadNone {
		s.stepLocked()
		s.writerSteps++
		return true
	}
	return false
}

// writerYield lets the scheduler run after a busy writer's step. A busy
// writer never blocks, so without it the runtime's monitor (sysmon) finds
// its goroutine running for 10 ms, asks it to stop and, as it is nearly
// always inside a cgo call, takes its P away; the writer then comes back
// from C without a P, its goroutine moves to another thread, and the
// monitor, having taken a P, looks again every 20 µs for the next
// millisecond (Go client, 8 KiB: 100-1000 such retakes a second, none with
// the yield). Yielding at each step (at most every writerStepBytes) keeps
// the goroutine's time slice short; with nothing else runnable it goes on
// at once, as a rule on the same thread.
func writerYield() { runtime.Gosched() }

// park waits until kicked or parkMax passed.
func (s *stack) park() {
	s.parkT.Reset(parkMax)
	select {
	case <-s.kick:
	case <-s.parkT.C:
	}
	s.parkT.Stop()
}

// kickDriver wakes a parked driver. Never blocks.
func (s *stack) kickDriver() {
	if s.kick == nil {
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// tryLead makes w the stack's leader if nobody leads and w did not just
// yield the lead to a follower that has not run yet (true); otherwise it
// lists w as a follower, to be signalled (false). A driver that leads is
// woken to hand the lead over.
func (s *stack) tryLead(w *readyWait, yielded bool) bool {
	s.mu.Lock()
	s.connActive = true
	if s.leader == leadNone && s.cs != nil && (!yielded || s.heir == nil) {
		s.leader = leadConn
		s.mu.Unlock()
		return true
	}
	if s.leader == leadDriver && s.ef != nil {
		// End the driver's wait on ef now (it may have no timer for a
		// long while): its next look hands the lead to w.
		s.wanted = w
		s.deadline = aLongTimeAgo
		s.ef.SetReadDeadline(aLongTimeAgo)
	}
	w.following = true
	s.followers = append(s.followers, w)
	s.mu.Unlock()
	return false
}

// unfollow removes w from the followers.
func (s *stack) unfollow(w *readyWait) {
	s.mu.Lock()
	w.following = false
	if s.wanted == w {
		s.wanted = nil
	}
	if s.heir == w {
		s.heir = nil
	}
	for i, f := range s.followers {
		if f == w {
			last := len(s.followers) - 1
			s.followers[i] = s.followers[last]
			s.followers[last] = nil
			s.followers = s.followers[:last]
			break
		}
	}
	s.mu.Unlock()
}

// lead is the wait of a conn's waiter w that leads: it waits on lf in the
// netpoller and steps the stack until w is signalled (its side may be
// ready, its deadline or Close) or its step woke a follower (which then
// leads from its next wait on: the lead goes to the conns that are busy,
// not to an idle Accept), then gives the lead up. When w stops for itself
// the other followers, which nothing signalled, keep waiting for the next
// conn to lead or, when none does, for the driver. It reports false if lf
// cannot be waited on.
func (s *stack) lead(w *readyWait) bool {
	if s.lfDirty.Swap(false) {
		s.lf.SetReadDeadline(time.Time{})
	}
	err := s.lrc.Read(w.leadFn)
	w.leading.Store(false)
	s.mu.Lock()
	s.leader = leadNone
	s.mu.Unlock()
	return err == nil || errors.Is(err, os.ErrDeadlineExceeded)
}

// leadStep is the lead file's callback: done (true) once w is signalled;
// otherwise step while the fd stays readable, then wait (false). leading is
// set before the last look at w's token, so a signal after it interrupts
// the netpoller wait (interruptLeader).
func (s *stack) leadStep(w *readyWait) bool {
	w.leading.Store(false)
	for i := 0; ; i++ {
		if w.taken() {
			return true
		}
		if i == 64 {
			return true // the caller tries f and leads again
		}
		s.mu.Lock()
		s.wokeFollower = nil
		s.stepLocked()
		more := s.cs.more()
		s.wakeReadyLocked()
		heir := s.wokeFollower
		s.wokeFollower = nil
		if heir != nil {
			s.heir = heir
		}
		s.mu.Unlock()
		if heir != nil {
			w.yielded = true
			return true
		}
		if !more {
			break
		}
	}
	w.leading.Store(true)
	if w.taken() {
		w.leading.Store(false)
		return true
	}
	return false
}

// interruptLeader ends the leader's netpoller wait on lf: its deadline is
// set in the past (first), then marked for the next leader to clear.
func (s *stack) interruptLeader() {
	s.lf.SetReadDeadline(aLongTimeAgo)
	s.lfDirty.Store(true)
}

// armLocked sets the driver's deadline from csctp_stack_timeout, after
// each of its steps. Conns do not call it after their C calls (a cgo call
// and a clock read per message): with epoll and kqueue, the only backends a
// Go stack runs on, the C stack's timer and its wake-up fd for deferred
// sends are in the set of the fd the driver waits on (csctp_stack_fd), so a
// timer a conn's call armed or brought forward wakes the driver by itself.
func (s *stack) armLocked() {
	if s.cs == nil || s.ef == nil {
		return // freed, or a kernel stack (no timers)
	}
	var want time.Time
	now := time.Now()
	if ns := s.cs.timeoutNS(); ns >= 0 {
		d := time.Duration(ns)
		if d < timerFloor {
			d = timerFloor
		}
		want = now.Add(d + timerSlack)
	}
	if s.draining.Load() {
		if d := now.Add(drainPoll); want.IsZero() || d.Before(want) {
			want = d
		}
	}
	cur := s.deadline
	switch {
	case want.IsZero() && cur.IsZero():
		return
	case !want.IsZero() && !cur.IsZero():
		if diff := want.Sub(cur); diff > -time.Millisecond && diff < time.Millisecond {
			return
		}
	}
	s.deadline = want
	s.ef.SetReadDeadline(want)
}

// destroy frees the stack. Called by the driver (by release for a kernel
// stack) with registry.mu held.
func (s *stack) destroy() {
	if s.ef != nil {
		s.ef.Close()
	}
	if s.lf != nil {
		s.lf.Close()
	}
	s.mu.Lock()
	s.cs.del()
	s.cs = nil
	s.unlock()
	if s.lower != nil {
		s.lower.shutdown()
	}
}
