// Command pion-peer is an SCTP interop peer built on github.com/pion/sctp,
// run over a plain UDP socket: pion's packets are SCTP common header plus
// chunks, which in a UDP payload is RFC 6951's encapsulation. It is
// independent of csctp; see interop/README.md for scenarios and output.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/logging"
	"github.com/pion/sctp"
)

const impl = "pion"

var (
	fServer        = flag.Bool("server", false, "listen for associations")
	fClient        = flag.String("client", "", "connect to HOST:PORT (PORT: the peer's SCTP port)")
	fBind          = flag.String("bind", "", "local address (default 127.0.0.1, or ::1 for an IPv6 peer)")
	fSCTPPort      = flag.Int("sctp-port", 0, "client: local SCTP port (default 5000, pion's own); server: ignored (pion adopts the INIT's ports)")
	fUDPPort       = flag.Int("udp-port", -1, "local UDP port (server default 9899, client: any)")
	fRemoteUDPPort = flag.Int("remote-udp-port", 9899, "client: the peer's UDP encapsulation port")
	fScenario      = flag.String("scenario", "", "ping | echo | send | recv | discard-hash")
	fCount         = flag.Int("count", -1, "messages in the plan (default 100; echo: 0 = until the peer closes)")
	fSizes         = flag.String("sizes", "1,100,1200,65536,262144", "message sizes, cycled")
	fStreams       = flag.Int("streams", 1, "streams used by the plan")
	fUnordered     = flag.Int("unordered", 0, "every Nth message unordered (0 none, 1 all)")
	fBytes         = flag.String("bytes", "0", "send/discard-hash: bulk size (k/m/g suffixes, powers of 1024)")
	fMsgSize       = flag.String("msg-size", "65536", "bulk message size")
	fDuration      = flag.Duration("duration", 0, "bulk send: stop after this long (then -bytes is a cap)")
	fClose         = flag.String("close", "", "after the scenario: shutdown | abort | wait (default: shutdown for ping/send, else wait)")
	fExpectClose   = flag.String("expect-close", "any", "any | shutdown | abort | peer-shutdown | peer-abort")
	fRestart       = flag.Bool("restart", false, "client: phase 1, vanish silently, phase 2 from the same ports")
	fMany          = flag.Int("many", 1, "client: concurrent associations")
	fAssocs        = flag.Int("assocs", 1, "server: serve N associations, then exit")
	fExpectRestart = flag.Int("expect-restarts", -1, "server: fail unless N restarts were seen")
	fTimeout       = flag.Int("timeout", 120, "give up (exit 1) after SECS")
	fMTU           = flag.Int("mtu", 1200, "pion's MTU for outgoing packets")
	fBuf           = flag.String("buf", "4m", "receive buffer (a_rwnd) and send high-water mark")
	fMaxMsg        = flag.String("max-msg", "1m", "largest message pion may send")
	fInterleaving  = flag.Bool("interleaving", true, "offer I-DATA (RFC 8260); pion's default")
	fIData         = flag.Bool("idata", false, "require I-DATA (RFC 8260): offer it and fail unless the association carried I-DATA chunks and no DATA chunk")
	fLingerMs      = flag.Int("linger-ms", 500, "restart: pause before vanishing (lets the last SACKs go)")
	fStrip         = flag.Bool("strip-addr-params", true, "remove IPv4/IPv6/host-name/supported-address-types parameters from inbound INIT and INIT ACK (pion rejects them)")
	fLogLevel      = flag.String("log", "error", "pion log level: disabled | error | warn | info | debug | trace")
	fPR            = flag.String("pr", "", "send: every plan message with PR-SCTP policy ttl:MS (pion's timed reliability) or rtx:N (retransmissions, pion's rexmit) (RFC 3758)")
	fAllowMissing  = flag.Bool("allow-missing", false, "recv: read until the peer ends the association; messages the sender abandoned may be missing (missing=N)")
	fCloseStreams  = flag.Bool("close-streams", false, "send: after the plan, close every stream used (pion sends an Outgoing SSN Reset Request for each, RFC 6525 5.1.2) and wait for the answers")
	fNoHash        = flag.Bool("nohash", false, "bulk send / discard-hash: no generated content, no hash (make bench: the stack's cost alone)")
)

var (
	prType   = sctp.ReliabilityTypeReliable
	prValue  uint32
	role     string
	thePlan  plan
	bulk     int64
	msgSize  int
	bufSize  int
	maxMsg   int
	printMu  sync.Mutex
	closeAct string
)

func out(format string, args ...any) {
	printMu.Lock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
	printMu.Unlock()
}

func errf(format string, args ...any) {
	printMu.Lock()
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	printMu.Unlock()
}

func usage(msg string) {
	if msg != "" {
		fmt.Fprintln(os.Stderr, msg)
	}
	flag.Usage()
	os.Exit(2)
}

func main() {
	flag.Parse()
	stripParams = *fStrip
	if *fServer == (*fClient != "") || *fScenario == "" || flag.NArg() > 0 {
		usage("need -server or -client HOST:PORT, and -scenario")
	}
	role = "client"
	if *fServer {
		role = "server"
	}
	active := *fScenario == "ping" || *fScenario == "send"
	switch *fScenario {
	case "ping", "send", "echo", "recv", "discard-hash":
	default:
		usage("unknown scenario " + *fScenario)
	}
	if *fCount < 0 {
		*fCount = 100
		if *fScenario == "echo" {
			*fCount = 0
		}
	}
	closeAct = *fClose
	if closeAct == "" {
		closeAct = "wait"
		if active {
			closeAct = "shutdown"
		}
	}
	switch closeAct {
	case "shutdown", "abort", "wait":
	default:
		usage("bad -close " + closeAct)
	}
	if *fPR != "" {
		pol, val, ok := strings.Cut(*fPR, ":")
		v, err := strconv.ParseUint(val, 10, 32)
		switch {
		case !ok || err != nil:
			usage("bad -pr " + *fPR)
		case pol == "ttl":
			prType = sctp.ReliabilityTypeTimed
		case pol == "rtx":
			prType = sctp.ReliabilityTypeRexmit
		default:
			usage("-pr: policy ttl or rtx (pion has no priority policy)")
		}
		prValue = uint32(v)
	}
	thePlan = plan{count: *fCount, streams: *fStreams, unordered: *fUnordered}
	for _, s := range strings.Split(*fSizes, ",") {
		v, err := parseSize(s)
		if err != nil {
			usage(err.Error())
		}
		thePlan.sizes = append(thePlan.sizes, int(v))
	}
	var err error
	must := func(v int64, e error) int64 {
		if e != nil {
			usage(e.Error())
		}
		return v
	}
	bulk = must(parseSize(*fBytes))
	msgSize = int(must(parseSize(*fMsgSize)))
	bufSize = int(must(parseSize(*fBuf)))
	maxMsg = int(must(parseSize(*fMaxMsg)))
	if *fIData {
		*fInterleaving = true
	}
	if thePlan.streams < 1 || thePlan.streams > 65535 || msgSize < 1 || *fMany < 1 || *fAssocs < 1 {
		usage("bad numbers")
	}
	if (*fRestart || *fMany > 1) && *fServer {
		usage("-restart and -many are client flags")
	}
	// pion sends PPID 50 (WebRTC DCEP) ordered whatever the stream says.
	if thePlan.unordered > 0 && thePlan.count > 50 && thePlan.isUnordered(50) && (active || *fScenario == "echo") {
		errf("WARN impl=pion: plan message 50 is unordered, but pion always sends PPID 50 (WebRTC DCEP) ordered; pick another -unordered")
	}
	time.AfterFunc(time.Duration(*fTimeout)*time.Second, func() {
		out("RESULT impl=%s summary status=fail reason=timeout", impl)
		os.Exit(1)
	})
	if *fServer {
		err = serverMain()
	} else {
		err = clientMain()
	}
	if err != nil {
		errf("ERROR impl=%s role=%s: %v", impl, role, err)
		os.Exit(1)
	}
}

func loggerFactory() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	switch *fLogLevel {
	case "disabled":
		f.DefaultLogLevel = logging.LogLevelDisabled
	case "error":
		f.DefaultLogLevel = logging.LogLevelError
	case "warn":
		f.DefaultLogLevel = logging.LogLevelWarn
	case "info":
		f.DefaultLogLevel = logging.LogLevelInfo
	case "debug":
		f.DefaultLogLevel = logging.LogLevelDebug
	case "trace":
		f.DefaultLogLevel = logging.LogLevelTrace
	}
	return f
}

func assocOptions(c net.Conn, name string) []sctp.AssociationOption {
	return []sctp.AssociationOption{
		sctp.WithNetConn(c),
		sctp.WithName(name),
		sctp.WithLoggerFactory(loggerFactory()),
		sctp.WithMTU(uint32(*fMTU)),
		sctp.WithMaxReceiveBufferSize(uint32(bufSize)),
		sctp.WithMaxMessageSize(uint32(maxMsg)),
		sctp.WithEnableInterleaving(*fInterleaving),
	}
}

// ---------------------------------------------------------------- client

func clientMain() error {
	host, portStr, err := net.SplitHostPort(*fClient)
	if err != nil {
		return err
	}
	rport, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("resolve %s: %v", host, err)
	}
	raddr := &net.UDPAddr{IP: ips[0], Port: *fRemoteUDPPort}
	localSCTP := *fSCTPPort
	if localSCTP == 0 {
		localSCTP = pionPort
	}
	udpPort := *fUDPPort
	if udpPort < 0 {
		udpPort = 0
	}
	failed, total := 0, *fMany
	if *fRestart {
		// RFC 9260 5.2: phase 1 ends without SHUTDOWN or ABORT (Close()
		// sends nothing); phase 2 is a fresh association from the same UDP
		// port, SCTP ports and address: a restart as the server sees it.
		if udpPort == 0 {
			udpPort = 20000 + rand.IntN(40000)
		}
		total = 2
		r := runClient(0, 1, udpPort, raddr, uint16(localSCTP), uint16(rport), true)
		if !r {
			failed++
		}
		errf("EVENT impl=%s role=client restarting from udp port %d sctp port %d", impl, udpPort, localSCTP)
		if !runClient(0, 2, udpPort, raddr, uint16(localSCTP), uint16(rport), false) {
			failed++
		}
	} else {
		var wg sync.WaitGroup
		var nf atomic.Int32
		for k := 0; k < *fMany; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				up := udpPort
				if *fMany > 1 {
					up = 0
				}
				if !runClient(k, 1, up, raddr, uint16(localSCTP+k), uint16(rport), false) {
					nf.Add(1)
				}
			}()
		}
		wg.Wait()
		failed = int(nf.Load())
	}
	status := "ok"
	if failed > 0 {
		status = "fail"
	}
	out("RESULT impl=%s role=client summary assocs=%d failed=%d udp_port=%d status=%s", impl, total, failed, udpPort, status)
	if failed > 0 {
		os.Exit(1)
	}
	return nil
}

func runClient(id, phase, udpPort int, raddr *net.UDPAddr, lport, rport uint16, vanish bool) bool {
	r := newRun(id, phase)
	c, err := dialUDP(udpPort, raddr, lport, rport)
	if err != nil {
		r.fail("dial: %v", err)
		r.result()
		return false
	}
	r.sn = c.sn
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*fTimeout)*time.Second)
	defer cancel()
	opts := assocOptions(c, fmt.Sprintf("client-%d-%d", id, phase))
	copts := make([]sctp.ClientOption, len(opts))
	for i, o := range opts {
		copts[i] = o
	}
	a, err := sctp.ClientContext(ctx, copts...)
	if err != nil {
		r.fail("association: %v", err)
		_ = c.Close()
		r.result()
		return false
	}
	r.start(a)
	if vanish {
		r.scenario()
		time.Sleep(time.Duration(*fLingerMs) * time.Millisecond)
		_ = a.Close() // sends nothing: the peer sees us vanish
		r.closeHow = "vanished"
		r.result()
		return r.errors == 0
	}
	r.run()
	return r.errors == 0
}

// ---------------------------------------------------------------- server

func serverMain() error {
	bind := *fBind
	if bind == "" {
		bind = "127.0.0.1"
	}
	port := *fUDPPort
	if port < 0 {
		port = 9899
	}
	d, err := listenDemux(&net.UDPAddr{IP: net.ParseIP(bind), Port: port}, *fAssocs)
	if err != nil {
		return err
	}
	out("READY impl=%s role=server addr=%s udp_port=%d", impl, bind, port)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for k := 0; k < *fAssocs; k++ {
		vc := <-d.newConn
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newRun(k, 1)
			r.sn = vc.sn
			r.vc = vc
			opts := assocOptions(vc, fmt.Sprintf("server-%d", k))
			sopts := make([]sctp.ServerOption, len(opts))
			for i, o := range opts {
				sopts[i] = o
			}
			a, err := sctp.ServerWithOptions(sopts...)
			if err != nil {
				r.fail("association: %v", err)
				r.result()
				failed.Add(1)
				return
			}
			r.start(a)
			r.run()
			if r.errors > 0 {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	status := "ok"
	if failed.Load() > 0 {
		status = "fail"
	}
	out("RESULT impl=%s role=server summary assocs=%d failed=%d dropped_datagrams=%d status=%s",
		impl, *fAssocs, failed.Load(), d.dropped.Load(), status)
	if failed.Load() > 0 {
		os.Exit(1)
	}
	return nil
}

// ----------------------------------------------------------- association

type rxMsg struct {
	sid  uint16
	ppid uint32
	data []byte
}

type run struct {
	id, phase int
	a         *sctp.Association
	sn        *sniffer
	vc        *vconn

	mu      sync.Mutex
	streams map[uint16]*sctp.Stream
	ended   bool
	wg      sync.WaitGroup
	msgs    chan rxMsg
	gone    chan struct{} // closed when the association is over
	endErr  error

	msgsTx, msgsRx, bytesTx, bytesRx uint64
	errors                           int
	missing, resets, resetReqs       int // -allow-missing, -close-streams
	tFirst, tLast                    time.Time
	hash                             hash.Hash
	closeHow                         string
	weShutdown, weAborted            bool
}

func newRun(id, phase int) *run {
	return &run{id: id, phase: phase, streams: map[uint16]*sctp.Stream{}, msgs: make(chan rxMsg, 1024),
		gone: make(chan struct{}), hash: sha256.New()}
}

// idataCheck, with -idata: the I-DATA and I-FORWARD-TSN chunks pion
// received and sent (RFC 8260 2.1, 2.3.1), and a failure when the
// association carried no I-DATA or any DATA chunk (2.2.3: with I-DATA
// negotiated, DATA is not used).
func (r *run) idataCheck() string {
	if !*fIData {
		return ""
	}
	in, out := r.sn.in[ctIData].Load(), r.sn.out[ctIData].Load()
	dIn, dOut := r.sn.in[ctData].Load(), r.sn.out[ctData].Load()
	if in+out == 0 || dIn+dOut > 0 {
		r.fail("-idata: I-DATA chunks in %d out %d, DATA chunks in %d out %d", in, out, dIn, dOut)
	}
	return fmt.Sprintf(" idata_in=%d idata_out=%d ifwd_in=%d ifwd_out=%d", in, out,
		r.sn.in[ctIForwardTSN].Load(), r.sn.out[ctIForwardTSN].Load())
}

func (r *run) fail(format string, args ...any) {
	r.mu.Lock()
	r.errors++
	n := r.errors
	r.mu.Unlock()
	if n <= 20 {
		errf("ERROR impl=%s role=%s assoc=%d phase=%d: %s", impl, role, r.id, r.phase, fmt.Sprintf(format, args...))
	}
}

// start runs the accept loop; every stream, opened or accepted, gets one
// reader feeding r.msgs. r.msgs is closed once the association is gone and
// every reader has drained its stream.
func (r *run) start(a *sctp.Association) {
	r.a = a
	r.wg.Add(1)
	go func() {
		for {
			s, err := a.AcceptStream()
			if err != nil {
				break
			}
			r.adopt(s)
		}
		r.mu.Lock()
		r.ended = true
		r.mu.Unlock()
		close(r.gone)
		r.wg.Done()
	}()
	go func() {
		r.wg.Wait()
		close(r.msgs)
	}()
}

func (r *run) adopt(s *sctp.Stream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sid := s.StreamIdentifier()
	if _, ok := r.streams[sid]; ok || r.ended {
		return
	}
	r.streams[sid] = s
	r.wg.Add(1)
	go r.reader(s)
}

func (r *run) reader(s *sctp.Stream) {
	defer r.wg.Done()
	buf := make([]byte, max(maxMsg, thePlan.maxSize(), msgSize)+1)
	for {
		n, ppi, err := s.ReadSCTP(buf)
		if err != nil {
			if errors.Is(err, io.ErrShortBuffer) {
				r.fail("message larger than %d bytes on stream %d", len(buf), s.StreamIdentifier())
				continue
			}
			r.mu.Lock()
			if r.endErr == nil && !errors.Is(err, io.EOF) {
				r.endErr = err
			}
			r.mu.Unlock()
			return
		}
		r.msgs <- rxMsg{sid: s.StreamIdentifier(), ppid: uint32(ppi), data: append([]byte(nil), buf[:n]...)}
	}
}

func (r *run) stream(sid uint16) (*sctp.Stream, error) {
	r.mu.Lock()
	s := r.streams[sid]
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := r.a.OpenStream(sid, sctp.PayloadTypeUnknown)
	if err != nil {
		return nil, err
	}
	r.adopt(s)
	return s, nil
}

// send queues one message; pion's Write never blocks, so keep at most
// bufSize bytes buffered in the association (flow control for bulk sends).
func (r *run) send(sid uint16, ppid uint32, data []byte, unordered bool) error {
	s, err := r.stream(sid)
	if err != nil {
		return err
	}
	s.SetReliabilityParams(unordered, prType, prValue)
	if _, err := s.WriteSCTP(data, sctp.PayloadProtocolIdentifier(ppid)); err != nil {
		return err
	}
	r.msgsTx++
	r.bytesTx += uint64(len(data))
	return r.drain(bufSize)
}

// drain waits until at most limit bytes are buffered (queued or in flight).
func (r *run) drain(limit int) error {
	for r.a.BufferedAmount() > limit {
		select {
		case <-r.gone:
			return sctp.ErrAssociationClosed
		case <-time.After(200 * time.Microsecond):
		}
	}
	return nil
}

func (r *run) noteRx(n int) {
	t := time.Now()
	if r.tFirst.IsZero() {
		r.tFirst = t
	}
	r.tLast = t
	r.msgsRx++
	r.bytesRx += uint64(n)
}

// scenario runs the data exchange; true if the association already ended.
func (r *run) scenario() bool {
	switch *fScenario {
	case "ping":
		return r.ping()
	case "echo":
		return r.echo()
	case "send":
		return r.sendPlan()
	case "recv":
		return r.recv()
	case "discard-hash":
		return r.discardHash()
	}
	return false
}

func (r *run) run() {
	ended := r.scenario()
	r.finish(ended)
	r.result()
}

func (r *run) ping() bool {
	v := newVerifier(&thePlan, r.fail)
	r.tFirst = time.Now() // ping times the whole exchange
	sendErr := make(chan error, 1)
	go func() {
		buf := make([]byte, thePlan.maxSize())
		for i := 0; i < thePlan.count; i++ {
			b := buf[:thePlan.size(i)]
			gen(uint32(i), b)
			if err := r.send(thePlan.stream(i), uint32(i), b, thePlan.isUnordered(i)); err != nil {
				sendErr <- fmt.Errorf("send of message %d: %w", i, err)
				return
			}
		}
		sendErr <- nil
	}()
	for got := 0; got < thePlan.count; got++ {
		m, ok := <-r.msgs
		if !ok {
			r.fail("association ended after %d of %d echoes (%v)", got, thePlan.count, r.endErr)
			return true
		}
		r.noteRx(len(m.data))
		v.check(m.sid, m.ppid, m.data)
	}
	if err := <-sendErr; err != nil {
		r.fail("%v", err)
	}
	v.final()
	return false
}

// echo sends every message back on its stream with its PPID. pion does not
// expose a received message's U flag, so the echo's U flag follows the plan
// rule (-unordered N, as given to the sender); default: ordered.
func (r *run) echo() bool {
	for thePlan.count == 0 || int(r.msgsRx) < thePlan.count {
		m, ok := <-r.msgs
		if !ok {
			return true
		}
		r.noteRx(len(m.data))
		if err := r.send(m.sid, m.ppid, m.data, thePlan.isUnordered(int(m.ppid))); err != nil {
			r.fail("echo send: %v", err)
			return true
		}
	}
	return false
}

func (r *run) sendPlan() bool {
	r.tFirst = time.Now()
	if bulk > 0 {
		buf := make([]byte, msgSize)
		left := bulk
		var stopAt time.Time
		if *fDuration > 0 {
			stopAt = r.tFirst.Add(*fDuration)
		}
		for i := uint32(0); left > 0; i++ {
			if !stopAt.IsZero() && i%16 == 0 && time.Now().After(stopAt) {
				break
			}
			n := int(min(int64(msgSize), left))
			if !*fNoHash {
				gen(i, buf[:n])
				r.hash.Write(buf[:n])
			}
			if err := r.send(0, i, buf[:n], false); err != nil {
				r.fail("send of bulk message %d: %v", i, err)
				return true
			}
			left -= int64(n)
		}
	} else {
		buf := make([]byte, thePlan.maxSize())
		for i := 0; i < thePlan.count; i++ {
			b := buf[:thePlan.size(i)]
			gen(uint32(i), b)
			r.hash.Write(b)
			if err := r.send(thePlan.stream(i), uint32(i), b, thePlan.isUnordered(i)); err != nil {
				r.fail("send of message %d: %v", i, err)
				return true
			}
		}
	}
	// Count the time until everything is acknowledged.
	if err := r.drain(0); err != nil {
		r.tLast = time.Now()
		return true // the peer ended the association; finish() tells how
	}
	r.tLast = time.Now()
	if *fCloseStreams {
		return r.closeStreams()
	}
	return false
}

// closeStreams closes every stream used: pion resets its outgoing streams
// (Outgoing SSN Reset Requests, RFC 6525 5.1.2; it bundles the streams
// closed together into one request) and offers no event for the answer,
// so the RE-CONFIG chunks are counted both ways until every one sent was
// answered (each answer is a Re-configuration Response, 4.4). resets=
// reports the streams closed, reset_requests= the RE-CONFIG chunks sent.
func (r *run) closeStreams() bool {
	r.mu.Lock()
	var ss []*sctp.Stream
	for _, s := range r.streams {
		ss = append(ss, s)
	}
	r.mu.Unlock()
	in0, out0 := r.sn.in[ctReconfig].Load(), r.sn.out[ctReconfig].Load()
	for _, s := range ss {
		if err := s.Close(); err != nil {
			r.fail("close of stream %d: %v", s.StreamIdentifier(), err)
			return false
		}
		r.resets++
	}
	deadline := time.Now().Add(10 * time.Second)
	answered := 0
	for answered < 20 { // 20 ms with every request answered
		sent := r.sn.out[ctReconfig].Load() - out0
		if sent > 0 && r.sn.in[ctReconfig].Load()-in0 >= sent {
			answered++
		} else {
			answered = 0
		}
		if time.Now().After(deadline) {
			r.fail("%d RE-CONFIG chunks sent, %d received", sent, r.sn.in[ctReconfig].Load()-in0)
			return false
		}
		select {
		case <-r.gone:
			return true
		case <-time.After(time.Millisecond):
		}
	}
	r.resetReqs = int(r.sn.out[ctReconfig].Load() - out0)
	return false
}

func (r *run) recv() bool {
	v := newVerifier(&thePlan, r.fail)
	if *fAllowMissing { // PR-SCTP: until the peer ends it
		v.allowMissing = true
		for m := range r.msgs {
			r.noteRx(len(m.data))
			r.hash.Write(m.data)
			v.check(m.sid, m.ppid, m.data)
		}
		r.missing = v.final()
		return true
	}
	for got := 0; got < thePlan.count; got++ {
		m, ok := <-r.msgs
		if !ok {
			r.fail("association ended after %d of %d messages (%v)", got, thePlan.count, r.endErr)
			return true
		}
		r.noteRx(len(m.data))
		r.hash.Write(m.data)
		v.check(m.sid, m.ppid, m.data)
	}
	v.final()
	return false
}

func (r *run) discardHash() bool {
	ended := false
	for bulk == 0 || int64(r.bytesRx) < bulk {
		m, ok := <-r.msgs
		if !ok {
			ended = true
			break
		}
		r.noteRx(len(m.data))
		if !*fNoHash {
			r.hash.Write(m.data)
		}
	}
	if bulk > 0 && int64(r.bytesRx) != bulk {
		r.fail("received %d bytes, want %d", r.bytesRx, bulk)
	}
	return ended
}

// waitEnd reads until the association is gone; data is an error.
func (r *run) waitEnd() {
	for m := range r.msgs {
		r.noteRx(len(m.data))
		r.fail("unexpected message of %d bytes while waiting for the end", len(m.data))
	}
}

func (r *run) finish(ended bool) {
	if !ended {
		switch closeAct {
		case "shutdown":
			r.weShutdown = true
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := r.a.Shutdown(ctx); err != nil {
				r.fail("shutdown: %v", err)
			}
			cancel()
			_ = r.a.Close()
			r.waitEnd()
		case "abort":
			r.weAborted = true
			r.a.Abort("csctp interop: abort requested")
			_ = r.a.Close()
			r.waitEnd()
		default:
			r.waitEnd()
		}
	} else {
		r.waitEnd() // drain; msgs is closed once every reader is done
	}
	_ = r.a.Close()
	if r.vc != nil {
		_ = r.vc.Close()
	}
	r.mu.Lock()
	endErr := r.endErr
	r.mu.Unlock()
	switch {
	case r.weAborted:
		r.closeHow = "abort"
	case errors.Is(endErr, sctp.ErrChunk) || r.sn.in[ctAbort].Load() > 0:
		r.closeHow = "peer-abort"
	case r.weShutdown:
		r.closeHow = "shutdown"
	case r.sn.in[ctShutdown].Load() > 0:
		r.closeHow = "peer-shutdown"
	default:
		r.closeHow = fmt.Sprintf("unknown(%v)", endErr)
		r.closeHow = strings.ReplaceAll(r.closeHow, " ", "_")
	}
	if *fExpectClose != "any" && *fExpectClose != r.closeHow {
		r.fail("association ended by %s, expected %s", r.closeHow, *fExpectClose)
	}
	if *fExpectRestart >= 0 && r.restarts() != *fExpectRestart {
		r.fail("saw %d restarts, expected %d", r.restarts(), *fExpectRestart)
	}
}

func (r *run) restarts() int {
	if r.vc == nil {
		return 0
	}
	return max(int(r.vc.inits.Load())-1, 0)
}

func (r *run) result() {
	secs := r.tLast.Sub(r.tFirst).Seconds()
	bytes := r.bytesRx
	if *fScenario == "send" {
		bytes = r.bytesTx
	}
	mbps := 0.0
	if secs > 0 {
		mbps = float64(bytes) / secs / 1e6
	}
	h := ""
	switch *fScenario {
	case "send", "recv", "discard-hash":
		h = " sha256=" + hex.EncodeToString(r.hash.Sum(nil))
	}
	extra := ""
	if r.sn != nil {
		extra = fmt.Sprintf(" idata=%t stripped_params=%d oversize_datagrams=%d",
			r.sn.in[ctIData].Load()+r.sn.out[ctIData].Load() > 0, r.sn.stripped.Load(), r.sn.oversize.Load())
		extra += r.idataCheck()
	}
	status := "ok"
	if r.errors > 0 {
		status = "fail"
	}
	if *fAllowMissing {
		extra += fmt.Sprintf(" missing=%d", r.missing)
	}
	if *fCloseStreams {
		extra += fmt.Sprintf(" resets=%d reset_requests=%d", r.resets, r.resetReqs)
	}
	closeHow := r.closeHow
	if closeHow == "" {
		closeHow = "none"
	}
	out("RESULT impl=%s role=%s scenario=%s assoc=%d phase=%d msgs_sent=%d msgs_recv=%d bytes_sent=%d bytes_recv=%d%s secs=%.3f mbps=%.2f restarts=%d close=%s%s errors=%d status=%s",
		impl, role, *fScenario, r.id, r.phase, r.msgsTx, r.msgsRx, r.bytesTx, r.bytesRx, h, secs, mbps,
		r.restarts(), closeHow, extra, r.errors, status)
}
