// Package dtls is the SCTP-over-DTLS interop suite (RFC 8261, as WebRTC data
// channels use it): csctp's go/sctp over pion/dtls against pion/sctp over
// pion/dtls, both roles, with and without zero checksum (RFC 9653). Its
// own module, so that neither pion/dtls nor pion/sctp is a dependency of
// the core package. Run by interop/dtls.sh (make interop).
package dtls

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csctp/csctp/go/sctp"
	"github.com/pion/dtls/v4"
	"github.com/pion/dtls/v4/pkg/crypto/selfsign"
	"github.com/pion/logging"
	psctp "github.com/pion/sctp"
)

const (
	nStreams = 4
	nMsgs    = 48 // per direction, spread over the streams
	maxSize  = 16000
)

// dtlsPair sets up a DTLS connection over two UDP sockets on loopback.
func dtlsPair(t *testing.T) (client, server *dtls.Conn) {
	t.Helper()
	cert, err := selfsign.GenerateSelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ua, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ub, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts := []dtls.Option{dtls.WithCertificates(cert), dtls.WithInsecureSkipVerify(true)}
	srvOpts := []dtls.ServerOption{}
	cliOpts := []dtls.ClientOption{}
	for _, o := range opts {
		srvOpts = append(srvOpts, o)
		cliOpts = append(cliOpts, o)
	}
	server, err = dtls.Server(ub, ua.LocalAddr(), srvOpts...)
	if err != nil {
		t.Fatal(err)
	}
	client, err = dtls.Client(ua, ub.LocalAddr(), cliOpts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- server.HandshakeContext(ctx) }()
	if err := client.HandshakeContext(ctx); err != nil {
		t.Fatalf("DTLS client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("DTLS server handshake: %v", err)
	}
	return client, server
}

// spy counts the SCTP packets csctp writes to and reads from DTLS whose
// checksum field is zero (RFC 9653), and all of them.
type spy struct {
	net.Conn
	outZero, outAll, inZero, inAll atomic.Int64
}

func zeroSum(b []byte) bool { return len(b) >= 12 && b[8]|b[9]|b[10]|b[11] == 0 }

func (s *spy) Write(b []byte) (int, error) {
	s.outAll.Add(1)
	if zeroSum(b) {
		s.outZero.Add(1)
	}
	return s.Conn.Write(b)
}

func (s *spy) Read(b []byte) (int, error) {
	n, err := s.Conn.Read(b)
	if n > 0 {
		s.inAll.Add(1)
		if zeroSum(b[:n]) {
			s.inZero.Add(1)
		}
	}
	return n, err
}

type msg struct {
	stream uint16
	ppid   uint32
	data   []byte
}

// plan is nMsgs messages over nStreams streams; PPID = 1000 + index.
func plan(seed int64) []msg {
	rng := rand.New(rand.NewSource(seed))
	m := make([]msg, nMsgs)
	for i := range m {
		m[i] = msg{stream: uint16(i % nStreams), ppid: uint32(1000 + i), data: make([]byte, 1+rng.Intn(maxSize))}
		rng.Read(m[i].data)
	}
	return m
}

// checker verifies arrivals against a plan: per stream in order, PPID and
// SHA-256 of each message.
type checker struct {
	mu   sync.Mutex
	want []msg
	next [nStreams]int
	n    int
}

func newChecker(want []msg) *checker {
	c := &checker{want: want}
	for s := range c.next {
		c.next[s] = s
	}
	return c
}

func (c *checker) got(stream uint16, ppid uint32, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int(stream) >= nStreams {
		return fmt.Errorf("message on stream %d", stream)
	}
	i := c.next[stream]
	if i >= len(c.want) {
		return fmt.Errorf("stream %d: more messages than sent", stream)
	}
	c.next[stream] += nStreams
	w := c.want[i]
	if ppid != w.ppid {
		return fmt.Errorf("stream %d: PPID %d, want %d", stream, ppid, w.ppid)
	}
	if sha256.Sum256(b) != sha256.Sum256(w.data) {
		return fmt.Errorf("message %d: SHA-256 differs (%d bytes, want %d)", i, len(b), len(w.data))
	}
	c.n++
	return nil
}

// csctpSend / csctpRecv run a plan on the csctp side.
func csctpSend(c *sctp.SCTPConn, p []msg) error {
	for i, m := range p {
		if _, err := c.WriteToSCTP(m.data, nil, &sctp.SndInfo{Stream: m.stream, PPID: m.ppid}); err != nil {
			return fmt.Errorf("csctp write %d: %w", i, err)
		}
	}
	return nil
}

func csctpRecv(c *sctp.SCTPConn, ck *checker, n int) error {
	buf := make([]byte, 64<<10)
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	for k := 0; k < n; k++ {
		got, info, err := c.ReadFromSCTP(buf)
		if err != nil {
			return fmt.Errorf("csctp read %d: %w", k, err)
		}
		if err := ck.got(info.Stream, info.PPID, buf[:got]); err != nil {
			return err
		}
	}
	return nil
}

// pionSend / pionRecv run a plan on the pion side.
func pionSend(a *psctp.Association, p []msg) error {
	streams := map[uint16]*psctp.Stream{}
	for i, m := range p {
		s := streams[m.stream]
		if s == nil {
			var err error
			if s, err = a.OpenStream(m.stream, psctp.PayloadTypeWebRTCBinary); err != nil {
				return err
			}
			streams[m.stream] = s
		}
		if _, err := s.WriteSCTP(m.data, psctp.PayloadProtocolIdentifier(m.ppid)); err != nil {
			return fmt.Errorf("pion write %d: %w", i, err)
		}
	}
	return nil
}

// pionRecv accepts the streams csctp opens and reads n messages over them.
func pionRecv(a *psctp.Association, ck *checker, n int) error {
	errc := make(chan error, nStreams+1)
	var total atomic.Int64
	done := make(chan struct{})
	go func() {
		for k := 0; k < nStreams; k++ {
			s, err := a.AcceptStream()
			if err != nil {
				errc <- fmt.Errorf("pion accept: %w", err)
				return
			}
			go func() {
				buf := make([]byte, 64<<10)
				for {
					got, ppid, err := s.ReadSCTP(buf)
					if err != nil {
						return
					}
					if err := ck.got(s.StreamIdentifier(), uint32(ppid), buf[:got]); err != nil {
						errc <- err
						return
					}
					if total.Add(1) == int64(n) {
						close(done)
					}
				}
			}()
		}
	}()
	select {
	case <-done:
		return nil
	case err := <-errc:
		return err
	case <-time.After(20 * time.Second):
		return fmt.Errorf("pion received %d of %d messages", total.Load(), n)
	}
}

func pionConfig(conn net.Conn, zc bool) psctp.Config {
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	return psctp.Config{NetConn: conn, LoggerFactory: lf, EnableZeroChecksum: zc, MTU: 1200}
}

// row runs one row: csctp as SCTP client or server over DTLS, pion as the
// other, messages both ways, then csctp closes (a graceful shutdown).
func row(t *testing.T, csctpClient, zc bool) {
	dc, ds := dtlsPair(t)
	cconn, pconn := net.Conn(dc), net.Conn(ds)
	if !csctpClient {
		cconn, pconn = ds, dc
	}
	sp := &spy{Conn: cconn}
	cfg := &sctp.ConnConfig{ZeroChecksum: zc}
	cfg.InitNumStreams = nStreams

	type pres struct {
		a   *psctp.Association
		err error
	}
	pch := make(chan pres, 1)
	go func() {
		var a *psctp.Association
		var err error
		if csctpClient {
			a, err = psctp.Server(pionConfig(pconn, zc))
		} else {
			a, err = psctp.Client(pionConfig(pconn, zc))
		}
		pch <- pres{a, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var c *sctp.SCTPConn
	var err error
	if csctpClient {
		c, err = sctp.ClientContext(ctx, sp, cfg)
	} else {
		c, err = sctp.ServerContext(ctx, sp, cfg)
	}
	if err != nil {
		t.Fatalf("csctp association over DTLS: %v", err)
	}
	pr := <-pch
	if pr.err != nil {
		c.Close()
		t.Fatalf("pion association over DTLS: %v", pr.err)
	}
	a := pr.a
	defer a.Close()

	// csctp -> pion, then pion -> csctp, on streams 0..3.
	toPion, toCsctp := plan(1), plan(2)
	ck := newChecker(toPion)
	errc := make(chan error, 1)
	go func() { errc <- csctpSend(c, toPion) }()
	if err := pionRecv(a, ck, len(toPion)); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	ck2 := newChecker(toCsctp)
	go func() { errc <- pionSend(a, toCsctp) }()
	if err := csctpRecv(c, ck2, len(toCsctp)); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}

	// RFC 9653: with zero checksum on both sides, both send zero after the
	// handshake (csctp keeps CRC32c on INIT and COOKIE ECHO); without it
	// neither does.
	oz, oa, iz, ia := sp.outZero.Load(), sp.outAll.Load(), sp.inZero.Load(), sp.inAll.Load()
	t.Logf("csctp sent %d packets (%d with checksum 0), received %d (%d with checksum 0)", oa, oz, ia, iz)
	if zc {
		if oz < int64(nMsgs/2) || iz < int64(nMsgs/2) {
			t.Fatalf("zero checksum on: csctp sent %d of %d packets with checksum 0, pion %d of %d", oz, oa, iz, ia)
		}
	} else if oz != 0 || iz != 0 {
		t.Fatalf("zero checksum off: %d sent and %d received packets with checksum 0", oz, iz)
	}
	fmt.Fprintf(os.Stderr, "RESULT row=%s zero_checksum=%v msgs=%d/%d sha256=ok out_zero=%d/%d in_zero=%d/%d\n",
		rowName(csctpClient), zc, ck.n, ck2.n, oz, oa, iz, ia)

	// csctp ends the association: pion sees it close.
	if err := c.Close(); err != nil {
		t.Fatalf("csctp close: %v", err)
	}
}

func rowName(csctpClient bool) string {
	if csctpClient {
		return "csctp-client:pion-server"
	}
	return "pion-client:csctp-server"
}

func TestDTLS(t *testing.T) {
	for _, zc := range []bool{false, true} {
		for _, cc := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/zero_checksum=%v", rowName(cc), zc), func(t *testing.T) { row(t, cc, zc) })
		}
	}
}

// csctp <-> csctp over DTLS with zero checksum, for comparison.
func TestDTLSCsctpBoth(t *testing.T) {
	dc, ds := dtlsPair(t)
	cfg := &sctp.ConnConfig{ZeroChecksum: true}
	cfg.InitNumStreams = nStreams
	ch := make(chan *sctp.SCTPConn, 1)
	go func() {
		s, err := sctp.Server(ds, cfg)
		if err != nil {
			t.Error(err)
		}
		ch <- s
	}()
	c, err := sctp.Client(dc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.FailNow()
	}
	p := plan(3)
	ck := newChecker(p)
	go func() {
		if err := csctpSend(c, p); err != nil {
			t.Error(err)
		}
	}()
	if err := csctpRecv(s, ck, len(p)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	buf := make([]byte, 16)
	if _, err := s.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("after the peer's close: %v", err)
	}
	s.Close()
}
