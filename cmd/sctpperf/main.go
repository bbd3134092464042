// Command sctpperf measures the throughput and latency of the userland SCTP
// of package github.com/csctp/csctp/go/sctp, like iperf or tsctp.
//
// Server:
//
//	sctpperf -server -port 5001
//
// Client, throughput (messages of -size bytes for -duration or -count):
//
//	sctpperf -client 127.0.0.1 -port 5001 -size 1400 -duration 5s
//
// Client, latency (one message in flight; RTT percentiles):
//
//	sctpperf -client 127.0.0.1 -pingpong -size 64 -count 10000
//
// A progress line is printed every second and a summary at the end (-json:
// one JSON object). Over UDP encapsulation (the default) the server binds
// the local UDP port -udp-port (default 9899) and the client sends to
// -remote-udp-port (default 9899).
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/csctp/csctp/go/sctp"
)

// PPIDs of the control messages; data uses ppidData.
const (
	ppidData  = 0
	ppidHello = 0x7e500001 // client → server: JSON hello
	ppidEnd   = 0x7e500002 // client → server: no more data
	ppidStats = 0x7e500003 // server → client: JSON receiver stats
)

type hello struct {
	Mode string `json:"mode"` // "stream" or "pingpong"
	Size int    `json:"size"`
}

type rxStats struct {
	Bytes    int64   `json:"bytes"`
	Messages int64   `json:"messages"`
	Seconds  float64 `json:"seconds"`
}

type summary struct {
	Mode          string  `json:"mode"`
	Transport     string  `json:"transport"`
	Size          int     `json:"size"`
	Streams       int     `json:"streams"`
	Unordered     bool    `json:"unordered"`
	NoDelay       bool    `json:"nodelay"`
	Seconds       float64 `json:"seconds"`
	Messages      int64   `json:"messages"`
	Bytes         int64   `json:"bytes"`
	MBps          float64 `json:"mb_per_s"`
	MsgsPerSec    float64 `json:"msgs_per_s"`
	RxBytes       int64   `json:"rx_bytes,omitempty"`
	RxMBps        float64 `json:"rx_mb_per_s,omitempty"`
	RTTMinUs      float64 `json:"rtt_min_us,omitempty"`
	RTTP50Us      float64 `json:"rtt_p50_us,omitempty"`
	RTTP99Us      float64 `json:"rtt_p99_us,omitempty"`
	RTTMaxUs      float64 `json:"rtt_max_us,omitempty"`
	Retransmits   uint64  `json:"retransmits"`
	FastRetrans   uint64  `json:"fast_retransmits"`
	T3Expiries    uint64  `json:"t3_expiries"`
	SpuriousRtx   uint64  `json:"spurious_retransmits"`
	TailProbes    uint64  `json:"tail_loss_probes"`
	SRTTUs        float64 `json:"srtt_us"`
	CwndBytes     uint32  `json:"cwnd"`
	OutboundStrms int     `json:"outbound_streams"`
	// The process's CPU time and its stack's packet counters, the
	// fields csctp/examples/perf.c prints (sctp.StackStats).
	CPUSeconds  float64 `json:"cpu_s"`
	DgramsIn    uint64  `json:"dgrams_in"`
	DgramsOut   uint64  `json:"dgrams_out"`
	SendBatches uint64  `json:"send_batches"`
	RecvBatches uint64  `json:"recv_batches"`
	GSOSends    uint64  `json:"gso_sends"`
	GSOPkts     uint64  `json:"gso_pkts"`
	GROPkts     uint64  `json:"gro_pkts"`
}

var (
	jsonOut = flag.Bool("json", false, "print the summary as JSON (progress lines go to stderr)")
	quiet   = flag.Bool("quiet", false, "no progress lines")
	batch   = flag.Int("batch", 0, "throughput test: send (client) or read (server) up to this many messages per WriteBatch / ReadBatch call (0: Write / Read per message, as csctp/examples/perf.c does)")
	cPeer   = flag.Bool("cpeer", false, "client: speak csctp/examples/perf.c's protocol (no hello, no receiver stats: the rate is the sender's, and Close waits until everything is acknowledged), to run against its server")
)

func main() {
	server := flag.Bool("server", false, "run the server")
	clientAddr := flag.String("client", "", "run the client against this address (ip or ip1/ip2)")
	laddr := flag.String("addr", "", "server: local address(es), ip1/ip2 (default: all)")
	port := flag.Int("port", 5001, "SCTP port")
	size := flag.Int("size", 1400, "message size in bytes")
	duration := flag.Duration("duration", 5*time.Second, "test length (unless -count)")
	count := flag.Int64("count", 0, "messages to send (overrides -duration)")
	streams := flag.Int("streams", 1, "streams to rotate over")
	unordered := flag.Bool("unordered", false, "send unordered")
	nodelay := flag.Bool("nodelay", true, "send at once (false: allow bundling)")
	pingpong := flag.Bool("pingpong", false, "latency test: one message in flight, RTT percentiles")
	transport := flag.String("transport", "udp", "transport: udp or raw")
	udpPort := flag.Int("udp-port", 0, "local UDP encapsulation port (default: 9899 server, ephemeral client)")
	remoteUDPPort := flag.Int("remote-udp-port", 0, "peer's UDP encapsulation port (default 9899)")
	bufSize := flag.Int("buffer", 4<<20, "socket send and receive buffer (bytes)")
	ccName := flag.String("cc", "reno", "congestion control: reno (RFC 9260) or cubic (RFC 9438)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("sctpperf: ")

	opts := sctp.Options{
		LocalUDPPort:     *udpPort,
		RemoteUDPPort:    *remoteUDPPort,
		InitNumStreams:   max(*streams, 1),
		InitMaxInStreams: 65535,
		Bundling:         !*nodelay,
		ReadBuffer:       *bufSize,
		WriteBuffer:      *bufSize,
	}
	cc, err := sctp.ParseCongestionControl(*ccName)
	if err != nil {
		log.Fatal(err)
	}
	opts.Congestion = cc
	switch *transport {
	case "udp":
		opts.Transport = sctp.TransportUDP
	case "raw":
		opts.Transport = sctp.TransportRaw
	default:
		log.Fatalf("unknown transport %q", *transport)
	}
	if *size < 1 || *size > *bufSize {
		log.Fatalf("-size must be in 1..-buffer")
	}
	switch {
	case *server:
		a, err := sctp.ResolveSCTPAddr("sctp", hostPort(*laddr, *port))
		if err != nil {
			log.Fatal(err)
		}
		if err := serve(opts, a); err != nil {
			log.Fatal(err)
		}
	case *clientAddr != "":
		a, err := sctp.ResolveSCTPAddr("sctp", hostPort(*clientAddr, *port))
		if err != nil {
			log.Fatal(err)
		}
		s := summary{Transport: *transport, Size: *size, Streams: *streams, Unordered: *unordered, NoDelay: *nodelay}
		if err := runClient(opts, a, *pingpong, *duration, *count, &s); err != nil {
			log.Fatal(err)
		}
		report(&s)
	default:
		fmt.Fprintln(os.Stderr, "sctpperf: need -server or -client ADDR")
		flag.Usage()
		os.Exit(2)
	}
}

func hostPort(hosts string, port int) string {
	if hosts == "" {
		return fmt.Sprintf(":%d", port)
	}
	var parts []string
	for _, h := range strings.Split(hosts, "/") {
		h = strings.Trim(h, "[]")
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		parts = append(parts, h)
	}
	return fmt.Sprintf("%s:%d", strings.Join(parts, "/"), port)
}

func progressf(format string, args ...any) {
	if *quiet {
		return
	}
	w := os.Stdout
	if *jsonOut {
		w = os.Stderr
	}
	fmt.Fprintf(w, format, args...)
}

// ---- server ------------------------------------------------------------------

func serve(opts sctp.Options, laddr *sctp.SCTPAddr) error {
	lc := sctp.ListenConfig{Options: opts}
	l, err := lc.ListenSCTPListener(context.Background(), "sctp", laddr)
	if err != nil {
		return err
	}
	progressf("listening on %v (UDP port %d)\n", l.Addr(), l.UDPPort())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() {
		<-sig
		l.Close()
	}()
	for {
		c, err := l.AcceptSCTP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go func() {
			if err := serveConn(c); err != nil {
				progressf("[assoc %d] %v\n", c.AssocID(), err)
			}
		}()
	}
}

func serveConn(c *sctp.SCTPConn) error {
	defer c.Close()
	buf := make([]byte, 1<<20)
	// The first message is the hello.
	n, info, err := c.ReadFromSCTP(buf)
	if err != nil {
		return err
	}
	var h hello
	if info.PPID != ppidHello {
		// csctp/examples/perf.c's client sends no hello: its data
		// (PPID 0) is counted, and it ends with a SHUTDOWN (io.EOF).
		return serveStream(c, buf, n, info)
	}
	if json.Unmarshal(buf[:n], &h) != nil {
		return fmt.Errorf("bad hello")
	}
	progressf("[assoc %d] %s test from %v, %d-byte messages\n", c.AssocID(), h.Mode, c.RemoteAddr(), h.Size)
	var ri sctp.RcvInfo
	if h.Mode == "pingpong" {
		// Echo each message whole, without allocating: a message that
		// came in one read is echoed from buf.
		var msg []byte
		var si sctp.SndInfo
		for {
			n, _, err := c.ReadFromSCTPAddrPort(buf, &ri)
			if err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			out := buf[:n]
			if len(msg) > 0 || !ri.EndOfRecord() {
				msg = append(msg, buf[:n]...)
				out = msg
			}
			if !ri.EndOfRecord() {
				continue
			}
			si.Stream, si.PPID = ri.Stream, ri.PPID
			if _, err := c.WriteToSCTPAddrPort(out, netip.AddrPort{}, &si); err != nil {
				return err
			}
			msg = msg[:0]
		}
	}
	var st rxStats
	info = &ri
	start := time.Now()
	// Like the C perf server (csctp/examples/perf.c), which reads the clock
	// once per round of up to 256 receives: the allocation-free read and a
	// clock read every 256th message keep the tool's own cost out of the
	// figure.
	if *batch > 1 {
		return serveBatch(c, &st, start)
	}
	return serveLoop(c, &st, start, buf, info)
}

// serveStream serves a client of csctp/examples/perf.c's protocol, whose
// first message (n bytes in buf, info) is data: it counts what arrives
// until the peer shuts down and prints the rate.
func serveStream(c *sctp.SCTPConn, buf []byte, n int, info *sctp.RcvInfo) error {
	st := rxStats{Bytes: int64(n)}
	if info.EndOfRecord() {
		st.Messages++
	}
	progressf("[assoc %d] perf.c client from %v\n", c.AssocID(), c.RemoteAddr())
	return serveLoop(c, &st, time.Now(), buf, info)
}

// serveLoop counts messages until the client's end message (then it sends
// the stats) or its SHUTDOWN.
func serveLoop(c *sctp.SCTPConn, st *rxStats, start time.Time, buf []byte, info *sctp.RcvInfo) error {
	last, lastBytes := start, int64(0)
	for k := 0; ; k++ {
		n, _, err := c.ReadFromSCTPAddrPort(buf, info)
		if err != nil {
			if err == io.EOF {
				st.Seconds = time.Since(start).Seconds()
				progressf("[assoc %d] received %d messages, %d bytes in %.2fs: %.2f MB/s\n",
					c.AssocID(), st.Messages, st.Bytes, st.Seconds, float64(st.Bytes)/st.Seconds/1e6)
				return nil
			}
			return err
		}
		if info.PPID == ppidEnd {
			break
		}
		st.Bytes += int64(n)
		if info.EndOfRecord() {
			st.Messages++
		}
		if k&255 != 0 {
			continue
		}
		if now := time.Now(); now.Sub(last) >= time.Second {
			progressf("[assoc %d] %6.1fs  %8.2f MB/s\n", c.AssocID(), now.Sub(start).Seconds(),
				float64(st.Bytes-lastBytes)/now.Sub(last).Seconds()/1e6)
			last, lastBytes = now, st.Bytes
		}
	}
	return finishServe(c, st, start, buf)
}

// finishServe sends the receiver's stats and waits for the client to
// close.
func finishServe(c *sctp.SCTPConn, st *rxStats, start time.Time, buf []byte) error {
	st.Seconds = time.Since(start).Seconds()
	progressf("[assoc %d] received %d messages, %d bytes in %.2fs: %.2f MB/s\n",
		c.AssocID(), st.Messages, st.Bytes, st.Seconds, float64(st.Bytes)/st.Seconds/1e6)
	b, _ := json.Marshal(st)
	if _, err := c.WriteToSCTP(b, nil, &sctp.SndInfo{PPID: ppidStats}); err != nil {
		return err
	}
	// Wait for the client to close.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := c.ReadFromSCTP(buf); err != nil {
			return nil
		}
	}
}

// serveBatch is serveConn's throughput loop with ReadBatch (-batch).
func serveBatch(c *sctp.SCTPConn, st *rxStats, start time.Time) error {
	ms := make([]sctp.Message, *batch)
	for i := range ms {
		ms[i].Buffer = make([]byte, 64<<10)
	}
	for {
		k, err := c.ReadBatch(ms)
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		for _, m := range ms[:k] {
			if m.RcvInfo.PPID == ppidEnd {
				return finishServe(c, st, start, ms[0].Buffer)
			}
			st.Bytes += int64(m.N)
			if m.RcvInfo.EndOfRecord() {
				st.Messages++
			}
		}
	}
}

// ---- client ------------------------------------------------------------------

func runClient(opts sctp.Options, raddr *sctp.SCTPAddr, pingpong bool, duration time.Duration, count int64, s *summary) error {
	d := sctp.Dialer{Timeout: 10 * time.Second, Options: opts}
	c, err := d.DialSCTPContext(context.Background(), "sctp", raddr)
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return err
	}
	s.OutboundStrms = st.OutboundStreams
	streams := min(max(s.Streams, 1), st.OutboundStreams)
	mode := "stream"
	if pingpong {
		mode = "pingpong"
	}
	s.Mode = mode
	if *cPeer && pingpong {
		return errors.New("-cpeer: only the throughput test")
	}
	if !*cPeer {
		hb, _ := json.Marshal(hello{Mode: mode, Size: s.Size})
		if _, err := c.WriteToSCTP(hb, nil, &sctp.SndInfo{PPID: ppidHello}); err != nil {
			return err
		}
	}
	progressf("connected to %v: %s test, %d-byte messages, %d stream(s)\n", c.RemoteAddr(), mode, s.Size, streams)

	msg := make([]byte, s.Size)
	var flags sctp.SendFlags
	if s.Unordered {
		flags = sctp.SendUnordered
	}
	deadline := time.Now().Add(duration)
	// The clock is read for every message in ping-pong mode and every 16th
	// otherwise, as the C perf client does (a clock read costs about as
	// much as a small send).
	done := func(i int64) bool {
		if count > 0 {
			return i >= count
		}
		if !pingpong && i&15 != 0 {
			return false
		}
		return time.Now().After(deadline)
	}
	var sent, sentBytes atomic.Int64
	stopProgress := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		lastB, lastM, last := int64(0), int64(0), start
		for {
			select {
			case <-stopProgress:
				return
			case now := <-t.C:
				b, m := sentBytes.Load(), sent.Load()
				dt := now.Sub(last).Seconds()
				progressf("%6.1fs  %8.2f MB/s  %9.0f msgs/s\n", now.Sub(start).Seconds(),
					float64(b-lastB)/dt/1e6, float64(m-lastM)/dt)
				lastB, lastM, last = b, m, now
			}
		}
	}()

	var rtts []time.Duration
	buf := make([]byte, max(s.Size, 4096))
	var i int64
	info := sctp.SndInfo{PPID: ppidData, Flags: flags}
	if *batch > 1 && !pingpong {
		ms := make([]sctp.Message, *batch)
		infos := make([]sctp.SndInfo, len(ms))
		for j := range ms {
			infos[j] = info
			ms[j] = sctp.Message{Buffer: msg, SndInfo: &infos[j]}
		}
		for count <= 0 || i < count {
			if count <= 0 && time.Now().After(deadline) {
				break
			}
			k := len(ms)
			if count > 0 {
				k = int(min(int64(k), count-i))
			}
			for j := range ms[:k] {
				infos[j].Stream = uint16((i + int64(j)) % int64(streams))
			}
			if _, err := c.WriteBatch(ms[:k]); err != nil {
				close(stopProgress)
				return err
			}
			i += int64(k)
			sent.Store(i)
			sentBytes.Store(i * int64(len(msg)))
		}
	}
	var ri sctp.RcvInfo
	for ; !done(i); i++ {
		info.Stream = uint16(i % int64(streams))
		var t0 time.Time
		if pingpong {
			binary.BigEndian.PutUint64(msg[:min(8, len(msg))], uint64(i))
			t0 = time.Now()
		}
		if _, err := c.WriteToSCTPAddrPort(msg, netip.AddrPort{}, &info); err != nil {
			close(stopProgress)
			return err
		}
		if pingpong {
			got := 0
			for {
				n, _, err := c.ReadFromSCTPAddrPort(buf, &ri)
				if err != nil {
					close(stopProgress)
					return err
				}
				got += n
				if ri.EndOfRecord() {
					break
				}
			}
			rtts = append(rtts, time.Since(t0))
			if got != len(msg) {
				close(stopProgress)
				return fmt.Errorf("echo of %d bytes, sent %d", got, len(msg))
			}
		}
		if pingpong || i&15 == 15 {
			// The progress goroutine's counters, every 16th message.
			sent.Store(i + 1)
			sentBytes.Store((i + 1) * int64(len(msg)))
		}
	}
	sent.Store(i)
	sentBytes.Store(i * int64(len(msg)))
	elapsed := time.Since(start)
	close(stopProgress)
	s.Seconds = elapsed.Seconds()
	s.Messages = sent.Load()
	s.Bytes = sentBytes.Load()
	s.MBps = float64(s.Bytes) / s.Seconds / 1e6
	s.MsgsPerSec = float64(s.Messages) / s.Seconds

	if *cPeer {
		// perf.c's server sends no stats: Close waits until the peer
		// has acknowledged everything (the SHUTDOWN completes).
		if err := c.Close(); err != nil {
			return err
		}
	} else if !pingpong {
		// Ask for the receiver's count: it includes everything delivered.
		if _, err := c.WriteToSCTP([]byte{0}, nil, &sctp.SndInfo{PPID: ppidEnd}); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		for {
			n, ri, err := c.ReadFromSCTP(buf)
			if err != nil {
				return fmt.Errorf("waiting for the receiver's stats: %w", err)
			}
			if ri.PPID == ppidStats {
				var rx rxStats
				if json.Unmarshal(buf[:n], &rx) == nil {
					s.RxBytes = rx.Bytes
					s.RxMBps = float64(rx.Bytes) / rx.Seconds / 1e6
				}
				break
			}
		}
	} else if len(rtts) > 0 {
		sort.Slice(rtts, func(a, b int) bool { return rtts[a] < rtts[b] })
		us := func(d time.Duration) float64 { return float64(d) / 1e3 }
		s.RTTMinUs = us(rtts[0])
		s.RTTP50Us = us(rtts[len(rtts)/2])
		s.RTTP99Us = us(rtts[min(len(rtts)-1, len(rtts)*99/100)])
		s.RTTMaxUs = us(rtts[len(rtts)-1])
	}
	if st, err := c.Status(); err == nil {
		s.Retransmits, s.FastRetrans, s.T3Expiries = st.Retransmits, st.FastRetransmits, st.T3Expiries
		s.SpuriousRtx, s.TailProbes = st.SpuriousRetransmits, st.TailLossProbes
	}
	if ps, err := c.Paths(); err == nil && len(ps) > 0 {
		s.SRTTUs = float64(ps[0].SRTT) / 1e3
		s.CwndBytes = ps[0].Cwnd
	}
	if ss, err := c.StackStats(); err == nil {
		s.DgramsIn, s.DgramsOut = ss.DatagramsIn, ss.DatagramsOut
		s.SendBatches, s.RecvBatches = ss.SendBatches, ss.RecvBatches
		s.GSOSends, s.GSOPkts, s.GROPkts = ss.GSOSends, ss.GSOPackets, ss.GROPackets
	}
	s.CPUSeconds = cpuSeconds()
	return nil
}

func report(s *summary) {
	if *jsonOut {
		b, _ := json.MarshalIndent(s, "", "  ")
		fmt.Println(string(b))
		return
	}
	fmt.Printf("summary: %s, %d messages of %d bytes in %.2fs: %.2f MB/s, %.0f msgs/s\n",
		s.Mode, s.Messages, s.Size, s.Seconds, s.MBps, s.MsgsPerSec)
	if s.RxBytes > 0 {
		fmt.Printf("receiver: %d bytes, %.2f MB/s\n", s.RxBytes, s.RxMBps)
	}
	if s.Mode == "pingpong" {
		fmt.Printf("rtt: min %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us\n", s.RTTMinUs, s.RTTP50Us, s.RTTP99Us, s.RTTMaxUs)
	}
	fmt.Printf("retransmits %d (fast %d, T3 %d), srtt %.0f us, cwnd %d\n",
		s.Retransmits, s.FastRetrans, s.T3Expiries, s.SRTTUs, s.CwndBytes)
}
