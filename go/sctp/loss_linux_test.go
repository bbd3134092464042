//go:build cgo

package sctp

// Loss on real sockets (issue 6): two network namespaces joined by a veth
// pair, nftables dropping a share of the packets arriving in each
// namespace (`numgen random mod 100 < N drop`), and 20 MB moved each way
// over one association, UDP encapsulation, with the content checked at
// the far end.
//
// A csctp stack's UDP socket belongs to the network namespace of the thread
// that creates it, and a Go program cannot keep a goroutine on one thread
// in another namespace reliably, so both ends run in child processes: the
// test binary itself re-executed under `ip netns exec` with
// -test.run=^TestLossyLinkHelper$ and its role in the environment. The
// parent only sets up the namespaces, starts the children, reads their
// results (one JSON line each) and checks them. Nothing outside the two
// namespaces it creates is touched (besides `ip netns` bookkeeping under
// /run/netns), so it is safe alongside other tests and packages.
//
// Environment knobs for experiments (the defaults are the test):
//
//	CSCTP_LOSS_PCT   drop percentage per direction (default 5)
//	CSCTP_LOSS_MB    MiB per direction (default 20)
//	CSCTP_LOSS_SEQUENTIAL=1  client->server first, then server->client
//	                 (default: both directions at once on the association)

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	lossEnvRole     = "CSCTP_LOSS_HELPER_ROLE" // "server" or "client": set only for the helper
	lossEnvAddr     = "CSCTP_LOSS_HELPER_ADDR" // server IPv4 address
	lossEnvPort     = "CSCTP_LOSS_HELPER_PORT" // server SCTP port
	lossEnvUDP      = "CSCTP_LOSS_HELPER_UDP"  // server UDP encapsulation port
	lossEnvSize     = "CSCTP_LOSS_HELPER_SIZE" // bytes per direction
	lossEnvSeed     = "CSCTP_LOSS_HELPER_SEED" // hex seed of the content
	lossEnvDeadline = "CSCTP_LOSS_HELPER_DEADLINE"
	lossEnvConc     = "CSCTP_LOSS_HELPER_CONCURRENT"

	lossReadyTag  = "CSCTP-LOSS-READY"
	lossResultTag = "CSCTP-LOSS-RESULT "
	lossLogTag    = "CSCTP-LOSS-LOG "

	lossMaxMsg = 65536
)

// lossResult is what a helper reports, as one JSON line.
type lossResult struct {
	Role        string
	SentBytes   int64
	SentMsgs    int
	SentSHA     string
	SendSeconds float64 // first write to last write accepted
	RecvBytes   int64
	RecvMsgs    int
	RecvSHA     string
	RecvSeconds float64 // first byte to last byte read
	Mismatch    string  // first content or boundary mismatch, if any
	Status      *AssocStatus
	Paths       []PathInfo
	Err         string
}

// lossStream is the content of one direction: a ChaCha8 byte stream cut
// into messages of 1..65536 bytes drawn from a PCG with the same seed.
type lossStream struct {
	data  *mrand.ChaCha8
	sizes *mrand.Rand
	left  int64
}

func newLossStream(seed [32]byte, dir byte, total int64) *lossStream {
	seed[0] ^= dir
	s1 := binary.LittleEndian.Uint64(seed[8:])
	s2 := binary.LittleEndian.Uint64(seed[16:])
	return &lossStream{
		data:  mrand.NewChaCha8(seed),
		sizes: mrand.New(mrand.NewPCG(s1, s2^uint64(dir))),
		left:  total,
	}
}

// next fills the next message into buf (len >= lossMaxMsg) and returns it;
// nil at the end.
func (s *lossStream) next(buf []byte) []byte {
	if s.left == 0 {
		return nil
	}
	n := int64(s.sizes.IntN(lossMaxMsg) + 1)
	n = min(n, s.left)
	s.left -= n
	m := buf[:n]
	s.data.Read(m)
	return m
}

// lossStreamSHA is the SHA-256 of a direction's whole content.
func lossStreamSHA(seed [32]byte, dir byte, total int64) string {
	s := newLossStream(seed, dir, total)
	h := sha256.New()
	buf := make([]byte, lossMaxMsg)
	for m := s.next(buf); m != nil; m = s.next(buf) {
		h.Write(m)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const (
	lossDirC2S = 1
	lossDirS2C = 2
)

// ---- parent ----------------------------------------------------------------

func TestLossyLinkTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: moves 20 MB each way over a 5%-loss link (up to 3 minutes)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces, a veth pair and nftables rules")
	}
	ipBin := lossLookPath("ip")
	if ipBin == "" {
		t.Skip("needs the ip command (iproute2), not found")
	}
	nftBin := lossLookPath("nft")
	if nftBin == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "-q", "nftables")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		cancel()
		if nftBin = lossLookPath("nft"); nftBin == "" {
			t.Skipf("needs the nft command (package nftables): missing, and apt-get install nftables failed: %v\n%s", err, lossTail(out, 2000))
		}
		t.Logf("installed nftables (%s)", nftBin)
	}

	pct := lossEnvInt(t, "CSCTP_LOSS_PCT", 5)
	size := int64(lossEnvInt(t, "CSCTP_LOSS_MB", 20)) << 20
	concurrent := os.Getenv("CSCTP_LOSS_SEQUENTIAL") != "1"

	// The whole test ends within 3 minutes, and before go test's deadline.
	budget := 175 * time.Second
	if dl, ok := t.Deadline(); ok {
		if left := time.Until(dl) - 10*time.Second; left < budget {
			budget = left
		}
	}
	if budget < 30*time.Second {
		t.Skipf("go test -timeout leaves %v: too little for the transfer", budget)
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	start := time.Now()

	lossReapStale(t, ipBin)
	var tag [3]byte
	rand.Read(tag[:])
	base := fmt.Sprintf("csctp-loss-%d-%s", os.Getpid(), hex.EncodeToString(tag[:]))
	nsA, nsB := base+"-a", base+"-b"
	const (
		ifA, ifB     = "lossa", "lossb"
		addrA, addrB = "10.231.0.1", "10.231.0.2"
		sctpPort     = 5001
		udpPort      = 9899
	)

	run := func(name string, stdin string, args ...string) error {
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(c, name, args...)
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	output := func(name string, args ...string) (string, error) {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(c, name, args...).CombinedOutput()
		return string(out), err
	}

	if err := run(ipBin, "", "netns", "add", nsA); err != nil {
		t.Skipf("cannot create a network namespace (no CAP_SYS_ADMIN here?): %v", err)
	}
	defer func() {
		if _, err := output(ipBin, "netns", "del", nsA); err != nil {
			t.Errorf("ip netns del %s: %v", nsA, err)
		}
	}()
	if err := run(ipBin, "", "netns", "add", nsB); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := output(ipBin, "netns", "del", nsB); err != nil {
			t.Errorf("ip netns del %s: %v", nsB, err)
		}
	}()
	// The veth pair is created inside the namespaces: no device ever
	// appears in the test's own namespace.
	setup := [][]string{
		{"-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB},
		{"-n", nsA, "addr", "add", addrA + "/24", "dev", ifA},
		{"-n", nsB, "addr", "add", addrB + "/24", "dev", ifB},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
		{"-n", nsA, "link", "set", ifA, "up"},
		{"-n", nsB, "link", "set", ifB, "up"},
	}
	for _, args := range setup {
		if err := run(ipBin, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	// Drops on the input hook of each side: a packet lost on the wire, as
	// far as the sender can tell (a drop on the output hook would fail
	// the sender's sendmsg with EPERM instead).
	for _, ns := range []struct{ name, ifname string }{{nsA, ifA}, {nsB, ifB}} {
		rules := fmt.Sprintf(`table inet csctp_loss {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname %q counter comment "seen"
		iifname %q numgen random mod 100 < %d counter drop comment "dropped"
	}
}
`, ns.ifname, ns.ifname, pct)
		if err := run(ipBin, rules, "netns", "exec", ns.name, nftBin, "-f", "-"); err != nil {
			t.Fatal(err)
		}
	}

	var seed [32]byte
	rand.Read(seed[:])
	env := []string{
		lossEnvAddr + "=" + addrB,
		lossEnvPort + "=" + strconv.Itoa(sctpPort),
		lossEnvUDP + "=" + strconv.Itoa(udpPort),
		lossEnvSize + "=" + strconv.FormatInt(size, 10),
		lossEnvSeed + "=" + hex.EncodeToString(seed[:]),
		lossEnvDeadline + "=" + strconv.FormatInt(start.Add(budget-4*time.Second).UnixNano(), 10),
	}
	if concurrent {
		env = append(env, lossEnvConc+"=1")
	}
	mode := "sequential"
	if concurrent {
		mode = "concurrent"
	}
	t.Logf("namespaces %s (%s, client) and %s (%s, server); %d%% loss each way; %d MiB each way, %s; budget %v",
		nsA, addrA, nsB, addrB, pct, size>>20, mode, budget.Round(time.Second))

	server := startLossHelper(ctx, t, ipBin, nsB, "server", env)
	select {
	case <-server.ready:
	case <-server.done:
		t.Fatalf("server helper ended before it was ready: %v\n%s", server.err, server.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("server helper not ready after 30 s\n%s", server.log())
	}
	client := startLossHelper(ctx, t, ipBin, nsA, "client", env)
	<-client.done
	select {
	case <-server.done:
	case <-time.After(15 * time.Second):
		cancelHelper(server)
		<-server.done
	}
	elapsed := time.Since(start)

	// Packet counters of the nft rules: what arrived on each side and
	// what was dropped.
	counters := func(ns string) (seen, dropped int64) {
		out, err := output(ipBin, "netns", "exec", ns, nftBin, "list", "table", "inet", "csctp_loss")
		if err != nil {
			t.Logf("nft list in %s: %v\n%s", ns, err, out)
			return -1, -1
		}
		re := regexp.MustCompile(`counter packets (\d+) bytes \d+.*comment "(\w+)"`)
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			v, _ := strconv.ParseInt(m[1], 10, 64)
			switch m[2] {
			case "seen":
				seen = v
			case "dropped":
				dropped = v
			}
		}
		return seen, dropped
	}
	seenB, dropB := counters(nsB) // client -> server direction
	seenA, dropA := counters(nsA) // server -> client direction

	failed := false
	for _, h := range []*lossHelper{server, client} {
		if h.err != nil || h.res == nil || h.res.Err != "" {
			failed = true
		}
	}
	if failed || t.Failed() || testing.Verbose() {
		for _, h := range []*lossHelper{server, client} {
			t.Logf("%s helper output (exit: %v):\n%s", h.role, h.err, h.log())
		}
	}
	if server.res == nil || client.res == nil {
		t.Fatalf("missing results (server %v, client %v) after %v", server.err, client.err, elapsed.Round(time.Millisecond))
	}
	sr, cr := server.res, client.res
	if sr.Err != "" {
		t.Errorf("server: %s", sr.Err)
	}
	if cr.Err != "" {
		t.Errorf("client: %s", cr.Err)
	}

	wantC2S := lossStreamSHA(seed, lossDirC2S, size)
	wantS2C := lossStreamSHA(seed, lossDirS2C, size)
	check := func(dir string, snd, rcv *lossResult, want string) {
		if snd.SentBytes != size || snd.SentSHA != want {
			t.Errorf("%s: sender sent %d bytes sha256 %s, want %d bytes %s", dir, snd.SentBytes, snd.SentSHA, size, want)
		}
		if rcv.RecvBytes != size || rcv.RecvSHA != want {
			t.Errorf("%s: receiver got %d bytes sha256 %s, want %d bytes %s", dir, rcv.RecvBytes, rcv.RecvSHA, size, want)
		}
		if rcv.RecvMsgs != snd.SentMsgs {
			t.Errorf("%s: %d messages received, %d sent", dir, rcv.RecvMsgs, snd.SentMsgs)
		}
		if rcv.Mismatch != "" {
			t.Errorf("%s: %s", dir, rcv.Mismatch)
		}
	}
	check("client->server", cr, sr, wantC2S)
	check("server->client", sr, cr, wantS2C)

	report := func(dir string, snd, rcv *lossResult, seen, dropped int64) string {
		mbps := 0.0
		if rcv.RecvSeconds > 0 {
			mbps = float64(rcv.RecvBytes) / 1e6 / rcv.RecvSeconds
		}
		dropPct := 0.0
		if seen > 0 {
			dropPct = 100 * float64(dropped) / float64(seen)
		}
		s := fmt.Sprintf("%s: %d bytes, %d msgs, %.2f s, %.2f MB/s, sha256 ok=%v; packets arriving %d, dropped %d (%.2f%%)",
			dir, rcv.RecvBytes, rcv.RecvMsgs, rcv.RecvSeconds, mbps, rcv.RecvSHA == snd.SentSHA && rcv.RecvBytes == size, seen, dropped, dropPct)
		if st := snd.Status; st != nil {
			s += fmt.Sprintf("; sender retransmits %d (fast %d), T3 expiries %d, DATA chunks out %d, packets out %d",
				st.Retransmits, st.FastRetransmits, st.T3Expiries, st.DataChunksOut, st.PktsOut)
		}
		if st := rcv.Status; st != nil {
			s += fmt.Sprintf("; receiver DATA chunks in %d, dup TSNs %d", st.DataChunksIn, st.DupTSNsIn)
		}
		return s
	}
	lines := []string{
		fmt.Sprintf("lossy link %d%% each way, %s, total %.2f s", pct, mode, elapsed.Seconds()),
		report("client->server", cr, sr, seenB, dropB),
		report("server->client", sr, cr, seenA, dropA),
	}
	if cr.RecvBytes < size || sr.RecvBytes < size {
		var t3 uint64
		for _, r := range []*lossResult{cr, sr} {
			if r.Status != nil {
				t3 += r.Status.T3Expiries
			}
		}
		lines = append(lines, fmt.Sprintf("INCOMPLETE after %.0f s: client->server %.1f%%, server->client %.1f%%; %d T3-rtx expiries in all (each one waits at least RTO.Min)",
			elapsed.Seconds(), 100*float64(sr.RecvBytes)/float64(size), 100*float64(cr.RecvBytes)/float64(size), t3))
		t.Errorf("%s", lines[len(lines)-1])
	}
	for _, l := range lines {
		t.Log(l)
		fmt.Printf("CSCTP-LOSS %s\n", l)
	}
}

func lossLookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := dir + "/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

func lossEnvInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

func lossTail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// lossReapStale deletes namespaces left by earlier runs of this test whose
// process is gone (a run killed before its deferred cleanup).
func lossReapStale(t *testing.T, ipBin string) {
	out, err := exec.Command(ipBin, "netns", "list").Output()
	if err != nil {
		return
	}
	re := regexp.MustCompile(`^(csctp-loss-(\d+)-[0-9a-f]+-[ab])\b`)
	for _, line := range strings.Split(string(out), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[2])
		if pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			continue // still running
		}
		if err := exec.Command(ipBin, "netns", "del", m[1]).Run(); err == nil {
			t.Logf("deleted stale namespace %s", m[1])
		}
	}
}

// lossHelper is one child process.
type lossHelper struct {
	role  string
	cmd   *exec.Cmd
	ready chan struct{}
	done  chan struct{}
	err   error // exit status, once done
	res   *lossResult

	mu    sync.Mutex
	lines []string
}

func (h *lossHelper) log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}

func cancelHelper(h *lossHelper) {
	if h.cmd.Process != nil {
		syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// startLossHelper runs this test binary's TestLossyLinkHelper in namespace
// ns. The helper is killed (its whole process group) when ctx is done.
func startLossHelper(ctx context.Context, t *testing.T, ipBin, ns, role string, env []string) *lossHelper {
	h := &lossHelper{role: role, ready: make(chan struct{}), done: make(chan struct{})}
	timeout := time.Until(mustDeadline(ctx))
	args := []string{"netns", "exec", ns, os.Args[0],
		"-test.run=^TestLossyLinkHelper$", "-test.count=1", "-test.v",
		"-test.timeout=" + timeout.Round(time.Second).String()}
	cmd := exec.CommandContext(ctx, ipBin, args...)
	cmd.Env = append(append(os.Environ(), lossEnvRole+"="+role), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	h.cmd = cmd
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s helper: %v", role, err)
	}
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<16), 1<<22)
		readyOnce := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, lossReadyTag):
				readyOnce.Do(func() { close(h.ready) })
			case strings.HasPrefix(line, lossResultTag):
				var r lossResult
				if err := json.Unmarshal([]byte(line[len(lossResultTag):]), &r); err == nil {
					h.res = &r
				} else {
					line = "bad result line: " + err.Error() + ": " + line
				}
			}
			h.mu.Lock()
			h.lines = append(h.lines, line)
			h.mu.Unlock()
		}
		io.Copy(io.Discard, stdout)
		h.err = cmd.Wait()
		h.mu.Lock()
		if stderr.Len() > 0 {
			h.lines = append(h.lines, "stderr: "+string(lossTail(stderr.Bytes(), 20000)))
		}
		h.mu.Unlock()
	}()
	return h
}

func mustDeadline(ctx context.Context) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(3 * time.Minute)
	}
	return dl
}

// ---- helper (child process) ------------------------------------------------

// TestLossyLinkHelper is one end of TestLossyLinkTransfer, run in a child
// process inside a network namespace. It skips at once unless the parent
// set its role.
func TestLossyLinkHelper(t *testing.T) {
	role := os.Getenv(lossEnvRole)
	if role == "" {
		t.Skip("helper process of TestLossyLinkTransfer; runs only when started by it")
	}
	res := &lossResult{Role: role}
	err := lossHelperRun(role, res)
	if err != nil {
		res.Err = err.Error()
	}
	b, _ := json.Marshal(res)
	fmt.Printf("%s%s\n", lossResultTag, b)
	if err != nil {
		t.Fatal(err)
	}
}

func lossLogf(format string, args ...any) {
	fmt.Printf(lossLogTag+time.Now().Format("15:04:05.000 ")+format+"\n", args...)
}

func lossHelperRun(role string, res *lossResult) error {
	addr := net.ParseIP(os.Getenv(lossEnvAddr)).To4()
	port, _ := strconv.Atoi(os.Getenv(lossEnvPort))
	udp, _ := strconv.Atoi(os.Getenv(lossEnvUDP))
	size, _ := strconv.ParseInt(os.Getenv(lossEnvSize), 10, 64)
	seedB, _ := hex.DecodeString(os.Getenv(lossEnvSeed))
	dlNS, _ := strconv.ParseInt(os.Getenv(lossEnvDeadline), 10, 64)
	concurrent := os.Getenv(lossEnvConc) == "1"
	if addr == nil || port == 0 || udp == 0 || size <= 0 || len(seedB) != 32 || dlNS == 0 {
		return fmt.Errorf("bad helper environment")
	}
	var seed [32]byte
	copy(seed[:], seedB)
	deadline := time.Unix(0, dlNS)
	raddr := &SCTPAddr{IPAddrs: []net.IPAddr{{IP: addr}}, Port: port}

	var c *SCTPConn
	switch role {
	case "server":
		lc := &ListenConfig{Options: Options{Transport: TransportUDP, LocalUDPPort: udp}}
		l, err := lc.ListenSCTPListener(context.Background(), "sctp4", raddr)
		if err != nil {
			return err
		}
		defer l.Close()
		l.SetDeadline(deadline)
		fmt.Println(lossReadyTag)
		c, err = l.AcceptSCTP()
		if err != nil {
			return err
		}
	case "client":
		d := &Dialer{Timeout: 30 * time.Second,
			Options: Options{Transport: TransportUDP, LocalUDPPort: EphemeralPort, RemoteUDPPort: udp}}
		var err error
		c, err = d.DialSCTPContext(context.Background(), "sctp4", raddr)
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	lossLogf("%s: association up: %v -> %v", role, c.LocalAddr(), c.RemoteAddr())

	var sent, rcvd atomic.Int64
	snapshot := func() {
		if st, err := c.Status(); err == nil {
			res.Status = st
		}
		if ps, err := c.Paths(); err == nil {
			res.Paths = ps
		}
	}
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		var last int64 = -1
		stalled := 0
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
			}
			s, r := sent.Load(), rcvd.Load()
			line := fmt.Sprintf("%s: sent %d received %d", role, s, r)
			if st, err := c.Status(); err == nil {
				line += fmt.Sprintf(" | state %v unacked %d pending %d sendq %d recvq %d peer_rwnd %d rwnd %d retrans %d fast %d t3 %d dup %d",
					st.State, st.Unacked, st.Pending, st.SendQueued, st.RecvQueued, st.PeerRwnd, st.LocalRwnd,
					st.Retransmits, st.FastRetransmits, st.T3Expiries, st.DupTSNsIn)
			} else {
				line += fmt.Sprintf(" | status: %v", err)
			}
			if ps, err := c.Paths(); err == nil {
				for _, p := range ps {
					line += fmt.Sprintf(" | path %v %v cwnd %d ssthresh %d flight %d errors %d srtt %v rto %v",
						p.Addr.IP, p.State, p.Cwnd, p.Ssthresh, p.FlightSize, p.ErrorCount, p.SRTT, p.RTO)
				}
			}
			if s+r == last {
				stalled++
				line += fmt.Sprintf(" | NO PROGRESS for %d s", 5*stalled)
			} else {
				stalled = 0
			}
			last = s + r
			lossLogf("%s", line)
		}
	}()
	defer func() {
		close(stopProgress)
		<-progressDone
	}()

	sendDir, recvDir := byte(lossDirC2S), byte(lossDirS2C)
	if role == "server" {
		sendDir, recvDir = lossDirS2C, lossDirC2S
	}
	send := func() error {
		st := newLossStream(seed, sendDir, size)
		h := sha256.New()
		buf := make([]byte, lossMaxMsg)
		t0 := time.Now()
		defer func() {
			res.SendSeconds = time.Since(t0).Seconds()
			res.SentSHA = hex.EncodeToString(h.Sum(nil))
		}()
		for m := st.next(buf); m != nil; m = st.next(buf) {
			if _, err := c.Write(m); err != nil {
				return fmt.Errorf("write after %d bytes, %d messages: %w", res.SentBytes, res.SentMsgs, err)
			}
			h.Write(m)
			res.SentBytes += int64(len(m))
			res.SentMsgs++
			sent.Store(res.SentBytes)
		}
		return nil
	}
	recv := func() error {
		st := newLossStream(seed, recvDir, size)
		h := sha256.New()
		want := make([]byte, lossMaxMsg)
		buf := make([]byte, lossMaxMsg)
		var t0 time.Time
		defer func() {
			if !t0.IsZero() {
				res.RecvSeconds = time.Since(t0).Seconds()
			}
			res.RecvSHA = hex.EncodeToString(h.Sum(nil))
		}()
		for res.RecvBytes < size {
			exp := st.next(want)
			var msg []byte
			for {
				n, info, err := c.ReadFromSCTP(buf)
				if err != nil {
					return fmt.Errorf("read after %d bytes, %d messages: %w", res.RecvBytes, res.RecvMsgs, err)
				}
				if t0.IsZero() {
					t0 = time.Now()
				}
				h.Write(buf[:n])
				res.RecvBytes += int64(n)
				rcvd.Store(res.RecvBytes)
				msg = append(msg, buf[:n]...)
				if info == nil || info.EndOfRecord() {
					break
				}
			}
			res.RecvMsgs++
			if res.Mismatch == "" {
				if len(msg) != len(exp) {
					res.Mismatch = fmt.Sprintf("message %d (ending at byte %d): %d bytes, want %d",
						res.RecvMsgs-1, res.RecvBytes, len(msg), len(exp))
				} else if i := lossFirstDiff(msg, exp); i >= 0 {
					res.Mismatch = fmt.Sprintf("message %d: first wrong byte at offset %d in it (stream offset %d): %#02x, want %#02x",
						res.RecvMsgs-1, i, res.RecvBytes-int64(len(msg))+int64(i), msg[i], exp[i])
				}
				if res.Mismatch != "" {
					lossLogf("%s: CONTENT MISMATCH: %s", role, res.Mismatch)
				}
			}
		}
		return nil
	}
	// waitAcked waits until everything sent has been acknowledged, so that
	// the counters are final for that direction.
	waitAcked := func() {
		for time.Now().Before(deadline) {
			st, err := c.Status()
			if err != nil || (st.Unacked == 0 && st.Pending == 0 && st.SendQueued == 0) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	var err error
	switch {
	case concurrent:
		errc := make(chan error, 1)
		go func() { errc <- send() }()
		rerr := recv()
		serr := <-errc
		err = errors.Join(serr, rerr)
	case role == "client":
		if err = send(); err == nil {
			err = recv()
		}
	default:
		if err = recv(); err == nil {
			err = send()
		}
	}
	if err != nil {
		snapshot()
		return err
	}
	waitAcked()
	snapshot()
	lossLogf("%s: done: sent %d in %.2f s, received %d in %.2f s", role, res.SentBytes, res.SendSeconds, res.RecvBytes, res.RecvSeconds)

	// Graceful end. The server's counters are final (its data acked) when
	// it sends "fin"; the client waits for it, so that its shutdown cannot
	// end the association before the server's snapshot, then shuts down;
	// both read io.EOF.
	var buf [16]byte
	if role == "server" {
		if _, err := c.Write([]byte("fin")); err != nil {
			return fmt.Errorf("write fin: %w", err)
		}
	} else {
		n, err := c.Read(buf[:])
		if err != nil || string(buf[:n]) != "fin" {
			return fmt.Errorf("after the transfer: read %q, %v; want \"fin\"", buf[:n], err)
		}
		if err := c.CloseWrite(); err != nil {
			return fmt.Errorf("close write: %w", err)
		}
	}
	if n, err := c.Read(buf[:]); err != io.EOF {
		return fmt.Errorf("at the end: read %q, %v; want io.EOF", buf[:n], err)
	}
	return nil
}

func lossFirstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
