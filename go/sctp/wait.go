package sctp

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A waitFile is what one side of a conn (its reads, its writes, or
// ReadNotification) waits on between attempts of a C call that returned
// EAGAIN, with RawConn's contract: Wait runs f, and while f returns false
// waits for the side to become ready and runs it again; deadlines end the
// wait with os.ErrDeadlineExceeded, Close with os.ErrClosed.
//
// A conn on a userland stack waits on a readyWait, signalled by the stack
// from the C stack's ready list (csctp_stack_poll_ready) after every C call:
// no file descriptor of its own. When nobody else waits on the stack's fd,
// it waits on it itself and steps the stack (leader/follower: stack.go). A conn on the
// kernel's SCTP waits on its socket in the netpoller (fdWait).
type waitFile interface {
	Wait(f func(uintptr) bool) error      // ready to read (userland: signalled)
	WaitWrite(f func(uintptr) bool) error // ready to write
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	Close() error
}

// fdWait waits on a dup of an fd in the netpoller.
type fdWait struct {
	f  *os.File
	rc syscall.RawConn
}

func newFDWait(fd int, name string) (*fdWait, error) {
	f, rc, err := pollFile(fd, name)
	if err != nil {
		return nil, err
	}
	return &fdWait{f: f, rc: rc}, nil
}

func (w *fdWait) Wait(f func(uintptr) bool) error      { return w.rc.Read(f) }
func (w *fdWait) WaitWrite(f func(uintptr) bool) error { return w.rc.Write(f) }
func (w *fdWait) SetReadDeadline(t time.Time) error    { return w.f.SetReadDeadline(t) }
func (w *fdWait) SetWriteDeadline(t time.Time) error   { return w.f.SetWriteDeadline(t) }
func (w *fdWait) Close() error                         { return w.f.Close() }

// readyWait is a side woken by its stack (signal). One waiter at a time, as
// with an fd's read lock; one deadline (a side has one direction). The
// waiter's checks between attempts are two atomic loads: the deadline's
// timer (fire) sets expired, so no attempt reads the clock.
type readyWait struct {
	mu     sync.Mutex    // held by the waiter for the whole Wait
	sig    chan struct{} // cap 1: "may be ready", from signal
	closed chan struct{} // closed by Close

	isClosed atomic.Bool
	expired  atomic.Bool // the deadline has passed

	dmu      sync.Mutex // guards deadline, timer, closing
	deadline time.Time
	timer    *time.Timer // runs fire at deadline; stopped when none

	// Leader/follower (stack.go): st is the stack whose fd the waiter may
	// wait on itself (nil: wait on sig only); leading is set while it may
	// be parked in the netpoller on st's lead file, so that signal
	// interrupts that wait; leadFn is the lead file's RawConn callback,
	// made once (no allocation per wait).
	st        *stack
	leading   atomic.Bool
	leadFn    func(uintptr) bool
	following bool // listed in st.followers; guarded by st.mu
	yielded   bool // gave the lead to a follower it woke: follow next
}

func newReadyWait(st *stack) *readyWait {
	w := &readyWait{sig: make(chan struct{}, 1), closed: make(chan struct{}), st: st}
	w.timer = time.AfterFunc(time.Hour, w.fire)
	w.timer.Stop()
	if st != nil && st.lf != nil {
		w.leadFn = func(uintptr) bool { return st.leadStep(w) }
	} else {
		w.st = nil
	}
	return w
}

// fire is the deadline timer's function. A timer stopped or reset too late
// may still run it: it checks the deadline now in force (a later one
// re-arms the timer).
func (w *readyWait) fire() {
	w.dmu.Lock()
	if !w.deadline.IsZero() && !w.isClosed.Load() {
		if d := time.Until(w.deadline); d > 0 {
			w.timer.Reset(d) // early (a coarse clock): wait the rest
		} else {
			w.expired.Store(true)
		}
	}
	w.dmu.Unlock()
	w.signal()
}

// signal wakes the waiter, or the next one (the token is kept). It never
// blocks: the stack calls it with its mutex held. A waiter leading its
// stack (parked on the stack's fd) is interrupted.
func (w *readyWait) signal() {
	select {
	case w.sig <- struct{}{}:
	default:
	}
	if w.leading.Load() {
		w.st.interruptLeader()
	}
}

// taken consumes w's token: true if it was signalled, closed or its
// deadline passed since the last look.
func (w *readyWait) taken() bool {
	if w.state() != nil {
		return true
	}
	select {
	case <-w.sig:
		return true
	default:
		return false
	}
}

// state reports whether the side is closed or its deadline has passed.
func (w *readyWait) state() error {
	if w.isClosed.Load() {
		return os.ErrClosed
	}
	if w.expired.Load() {
		return os.ErrDeadlineExceeded
	}
	return nil
}

// Wait runs f until it reports done. Between attempts the waiter either
// leads its stack (waits on the stack's fd itself and steps the stack:
// stack.go) when nobody else does, or follows: waits for a signal from
// whoever steps the stack.
func (w *readyWait) Wait(f func(uintptr) bool) error {
	return w.wait(f, false)
}

// try is the first attempt of a wait, made without w.mu by a caller that
// already has its side to itself (the conn's rmu or wmu): it runs f once,
// unless the side is closed or its deadline has passed. If it reports
// false with a nil error, the caller waits with waitMore.
func (w *readyWait) try(f func(uintptr) bool) (bool, error) {
	if err := w.state(); err != nil {
		return true, err
	}
	return f(0), nil
}

// waitMore is Wait after an attempt (try) that reported false: it waits
// before running f again.
func (w *readyWait) waitMore(f func(uintptr) bool) error {
	return w.wait(f, true)
}

func (w *readyWait) wait(f func(uintptr) bool, tried bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if err := w.state(); err != nil {
			return err
		}
		if !tried && f(0) {
			return nil
		}
		tried = false
		if w.st != nil && w.st.tryLead(w, w.yielded) {
			if !w.st.lead(w) {
				w.st = nil // the lead file is gone: follow from now on
			}
			continue
		}
		w.yielded = false
		st := w.st // non-nil: tryLead listed w as a follower
		select {
		case <-w.sig:
		case <-w.closed:
		}
		if st != nil {
			st.unfollow(w)
		}
	}
}

func (w *readyWait) WaitWrite(f func(uintptr) bool) error { return w.Wait(f) }

func (w *readyWait) SetReadDeadline(t time.Time) error {
	w.dmu.Lock()
	if w.isClosed.Load() {
		w.dmu.Unlock()
		return os.ErrClosed
	}
	w.deadline = t
	switch {
	case t.IsZero():
		w.timer.Stop()
		w.expired.Store(false)
	case !time.Now().Before(t):
		w.timer.Stop()
		w.expired.Store(true)
	default:
		w.expired.Store(false)
		w.timer.Reset(time.Until(t))
	}
	w.dmu.Unlock()
	w.signal() // a waiter re-reads the deadline
	return nil
}

func (w *readyWait) SetWriteDeadline(t time.Time) error { return w.SetReadDeadline(t) }

func (w *readyWait) Close() error {
	w.dmu.Lock()
	if w.isClosed.Load() {
		w.dmu.Unlock()
		return os.ErrClosed
	}
	w.isClosed.Store(true)
	w.timer.Stop()
	w.dmu.Unlock()
	close(w.closed)
	if w.leading.Load() {
		w.st.interruptLeader()
	}
	return nil
}

// waitBox holds ReadNotification's waitFile in an atomic.Pointer.
type waitBox struct{ w waitFile }

// sockWaiters are the readyWaits of one userland C socket, found by the
// key its C socket carries (csctp_sock_set_user).
type sockWaiters struct {
	key     uintptr
	r, w, n *readyWait // n: ReadNotification's, made on demand
}

// addWaiters makes the readyWaits of cs and tells cs its key. st.mu held.
func (s *stack) addWaiters(cs *cSock) *sockWaiters {
	if s.waiters == nil {
		s.waiters = make(map[uintptr]*sockWaiters)
	}
	s.nextWaiter++
	sw := &sockWaiters{key: s.nextWaiter, r: newReadyWait(s), w: newReadyWait(s)}
	s.waiters[sw.key] = sw
	cs.setUser(sw.key)
	return sw
}

// notifWaiter returns the notification readyWait of key, made on the
// first call. st.mu held.
func (s *stack) notifWaiter(key uintptr) *readyWait {
	sw := s.waiters[key]
	if sw.n == nil {
		sw.n = newReadyWait(s)
	}
	return sw.n
}

// dropWaiters forgets key (0: none). st.mu held.
func (s *stack) dropWaiters(key uintptr) {
	if key != 0 {
		delete(s.waiters, key)
	}
}

// unlock wakes the waiters of the sockets the C calls made under s.mu
// signalled (the C stack's ready list), then unlocks s.mu. Every C call is
// made under s.mu, so no signal waits for the driver's next step.
func (s *stack) unlock() {
	if s.cs != nil && !s.kernel {
		s.wakeReadyLocked()
	}
	s.mu.Unlock()
}

func (s *stack) wakeReadyLocked() {
	for s.cs.readyPending() { // nothing listed: no cgo call
		n := s.cs.pollReady(s.readyKeys[:], s.readySides[:])
		for i := 0; i < n; i++ {
			sw := s.waiters[s.readyKeys[i]]
			if sw == nil {
				continue
			}
			if s.readySides[i]&readyRead != 0 {
				s.wake(sw.r)
				if sw.n != nil {
					s.wake(sw.n)
				}
			}
			if s.readySides[i]&readyWrite != 0 {
				s.wake(sw.w)
			}
		}
		if n < len(s.readyKeys) {
			return
		}
	}
}

// wake signals w and notes it if it was a follower (a leader that woke one
// gives it the lead: stack.leadStep). st.mu held.
func (s *stack) wake(w *readyWait) {
	if w.following {
		s.wokeFollower = w
	}
	w.signal()
}
