package main

import (
	"encoding/binary"
	"hash/crc32"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// pion/sctp writes and reads whole SCTP packets (common header + chunks) on a
// net.Conn. Carried in UDP payloads that is exactly RFC 6951's format, so a
// UDP socket is all it needs to talk to a UDP-encapsulating stack.
//
// pion always uses SCTP port 5000 for both ends when it initiates (a WebRTC
// convention); as a server it adopts the ports of the INIT. portMap lets the
// client use other ports: it rewrites the port pair in the common header on
// the way out and back, recomputing CRC32c (only for packets whose checksum was
// correct; a zero checksum is left alone). With both ports 5000 it is a no-op.

const pionPort = 5000

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sctpCRC computes the packet's CRC32c with the checksum field taken as zero
// (RFC 9260 Appendix A); it is stored little-endian in bytes 8..11.
func sctpCRC(p []byte) uint32 {
	var zero [4]byte
	c := crc32.Update(0, castagnoli, p[:8])
	c = crc32.Update(c, castagnoli, zero[:])
	return crc32.Update(c, castagnoli, p[12:])
}

func rewritePorts(p []byte, src, dst uint16) {
	if len(p) < 12 {
		return
	}
	sum := binary.LittleEndian.Uint32(p[8:])
	valid := sum != 0 && sum == sctpCRC(p)
	binary.BigEndian.PutUint16(p[0:], src)
	binary.BigEndian.PutUint16(p[2:], dst)
	if valid {
		binary.LittleEndian.PutUint32(p[8:], sctpCRC(p))
	}
}

// pion/sctp v1.12 does not implement the RFC 9260 address parameters of INIT
// and INIT ACK: IPv4 Address (5), IPv6 Address (6), Host Name Address (11),
// Supported Address Types (12). Their action bits are 00 ("stop
// processing"), and pion then rejects the whole INIT ("INIT with unknown
// param"). usrsctp always sends Supported Address Types, so pion cannot accept
// an association from it. stripAddrParams removes these parameters from an
// inbound INIT / INIT ACK (fixing the chunk length and the CRC32c) before pion
// sees it; the count is reported as stripped_params. -strip-addr-params=false
// turns this off.
var stripParams = true

func stripAddrParams(p []byte) ([]byte, int) {
	if !stripParams || len(p) < 12+20 || (p[12] != 1 && p[12] != 2) {
		return p, 0
	}
	clen := int(binary.BigEndian.Uint16(p[14:]))
	if clen < 20 || 12+clen > len(p) {
		return p, 0
	}
	out := make([]byte, 0, len(p))
	out = append(out, p[:12+20]...)
	stripped, lastPad := 0, 0
	for off := 12 + 20; off+4 <= 12+clen; {
		typ := binary.BigEndian.Uint16(p[off:])
		plen := int(binary.BigEndian.Uint16(p[off+2:]))
		if plen < 4 || off+plen > 12+clen {
			return p, 0 // malformed: leave it to pion
		}
		padded := (plen + 3) &^ 3
		end := min(off+padded, len(p))
		switch typ {
		case 5, 6, 11, 12:
			stripped++
		default:
			out = append(out, p[off:end]...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
			lastPad = padded - plen
		}
		off += padded
	}
	if stripped == 0 {
		return p, 0
	}
	newLen := len(out) - 12 - lastPad
	binary.BigEndian.PutUint16(out[14:], uint16(newLen))
	sum := binary.LittleEndian.Uint32(p[8:])
	if sum != 0 && sum == sctpCRC(p) {
		binary.LittleEndian.PutUint32(out[8:], sctpCRC(out))
	}
	return out, stripped
}

// sniffer counts chunk types per direction, for diagnostics and to tell how
// an association ended (pion reports a peer SHUTDOWN only as a closed conn).
type sniffer struct {
	in, out  [256]atomic.Uint64
	oversize atomic.Uint64 // inbound datagrams larger than pion's read buffer
	stripped atomic.Uint64 // parameters removed by stripAddrParams
}

// inbound prepares an inbound packet for pion: strip, then count chunks.
func (s *sniffer) inbound(p []byte) []byte {
	p, n := stripAddrParams(p)
	if n > 0 {
		s.stripped.Add(uint64(n))
	}
	s.count(p, &s.in)
	return p
}

func (s *sniffer) count(p []byte, dir *[256]atomic.Uint64) {
	for off := 12; off+4 <= len(p); {
		dir[p[off]].Add(1)
		l := int(binary.BigEndian.Uint16(p[off+2:]))
		if l < 4 {
			return
		}
		off += (l + 3) &^ 3
	}
}

// Chunk types (RFC 9260 3.2, RFC 8260).
const (
	ctData         = 0
	ctInit         = 1
	ctAbort        = 6
	ctShutdown     = 7
	ctShutdownAck  = 8
	ctShutdownComp = 14
	ctIData        = 64
	ctReconfig     = 130
	ctIForwardTSN  = 194
)

// firstChunk returns the type of the packet's first chunk, or -1.
func firstChunk(p []byte) int {
	if len(p) < 16 {
		return -1
	}
	return int(p[12])
}

// clientConn is a connected UDP socket with the port map.
type clientConn struct {
	*net.UDPConn
	local, remote uint16
	sn            *sniffer
	rbuf          []byte
}

func (c *clientConn) Read(p []byte) (int, error) {
	for {
		n, err := c.UDPConn.Read(c.rbuf)
		if err != nil {
			return 0, err
		}
		pkt := c.rbuf[:n]
		if n < 12 {
			continue
		}
		if n > len(p) {
			c.sn.oversize.Add(1)
		}
		if c.local != pionPort || c.remote != pionPort {
			if binary.BigEndian.Uint16(pkt[0:]) != c.remote || binary.BigEndian.Uint16(pkt[2:]) != c.local {
				continue // not our association
			}
			rewritePorts(pkt, pionPort, pionPort)
		}
		pkt = c.sn.inbound(pkt)
		return copy(p, pkt), nil
	}
}

func (c *clientConn) Write(p []byte) (int, error) {
	c.sn.count(p, &c.sn.out)
	if c.local == pionPort && c.remote == pionPort {
		return c.UDPConn.Write(p)
	}
	q := append([]byte(nil), p...)
	rewritePorts(q, c.local, c.remote)
	return c.UDPConn.Write(q)
}

func dialUDP(localPort int, raddr *net.UDPAddr, sctpLocal, sctpRemote uint16) (*clientConn, error) {
	var laddr *net.UDPAddr
	if localPort > 0 {
		laddr = &net.UDPAddr{Port: localPort}
		if raddr.IP.IsLoopback() {
			laddr.IP = raddr.IP
		}
	}
	uc, err := net.DialUDP("udp", laddr, raddr)
	if err != nil {
		return nil, err
	}
	_ = uc.SetReadBuffer(4 << 20)
	_ = uc.SetWriteBuffer(4 << 20)
	return &clientConn{UDPConn: uc, local: sctpLocal, remote: sctpRemote, sn: &sniffer{},
		rbuf: make([]byte, 65536)}, nil
}

// demux is the server side: one UDP socket, one pion association per
// (peer UDP address, SCTP source port, SCTP destination port). A new key is
// admitted only by a packet whose first chunk is INIT. Several associations
// from one peer UDP port (a multi-association usrsctp client) work too.
type demux struct {
	uc      *net.UDPConn
	mu      sync.Mutex
	conns   map[string]*vconn
	newConn chan *vconn
	limit   int // admit at most this many associations
	dropped atomic.Uint64
}

func listenDemux(addr *net.UDPAddr, limit int) (*demux, error) {
	uc, err := net.ListenUDP("udp", addr)
	if err != nil {
		return nil, err
	}
	_ = uc.SetReadBuffer(4 << 20)
	_ = uc.SetWriteBuffer(4 << 20)
	d := &demux{uc: uc, conns: map[string]*vconn{}, newConn: make(chan *vconn, limit), limit: limit}
	go d.loop()
	return d, nil
}

func (d *demux) loop() {
	buf := make([]byte, 65536)
	admitted := 0
	for {
		n, from, err := d.uc.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if n < 12 {
			d.dropped.Add(1)
			continue
		}
		pkt := append([]byte(nil), buf[:n]...)
		key := from.String() + "/" + itoa(binary.BigEndian.Uint16(pkt[0:])) + "/" +
			itoa(binary.BigEndian.Uint16(pkt[2:]))
		d.mu.Lock()
		vc := d.conns[key]
		if vc == nil && firstChunk(pkt) == ctInit && admitted < d.limit {
			admitted++
			vc = newVconn(d, from)
			d.conns[key] = vc
			d.newConn <- vc
		}
		d.mu.Unlock()
		if vc == nil {
			d.dropped.Add(1)
			continue
		}
		if firstChunk(pkt) == ctInit {
			vc.inits.Add(1) // more than one: a restart (or a retransmitted INIT)
		}
		vc.deliver(pkt)
	}
}

func itoa(v uint16) string {
	var b [5]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// vconn is one association's view of the demux socket. It implements
// net.Conn with working read deadlines (pion relies on them to unblock).
type vconn struct {
	d      *demux
	peer   *net.UDPAddr
	in     chan []byte
	closed chan struct{}
	once   sync.Once
	sn     *sniffer
	inits  atomic.Uint64

	mu     sync.Mutex
	rdl    time.Time
	rdlChg chan struct{}
}

func newVconn(d *demux, peer *net.UDPAddr) *vconn {
	return &vconn{d: d, peer: peer, in: make(chan []byte, 4096), closed: make(chan struct{}),
		sn: &sniffer{}, rdlChg: make(chan struct{})}
}

func (c *vconn) deliver(p []byte) {
	select {
	case c.in <- p:
	case <-c.closed:
	default:
		c.d.dropped.Add(1) // queue full: behave like a lossy link
	}
}

var errTimeout = os.ErrDeadlineExceeded

func (c *vconn) Read(p []byte) (int, error) {
	for {
		c.mu.Lock()
		dl, chg := c.rdl, c.rdlChg
		c.mu.Unlock()
		var tc <-chan time.Time
		var t *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, errTimeout
			}
			t = time.NewTimer(d)
			tc = t.C
		}
		select {
		case pkt := <-c.in:
			if t != nil {
				t.Stop()
			}
			if len(pkt) > len(p) {
				c.sn.oversize.Add(1)
			}
			pkt = c.sn.inbound(pkt)
			return copy(p, pkt), nil
		case <-c.closed:
			if t != nil {
				t.Stop()
			}
			return 0, net.ErrClosed
		case <-tc:
			return 0, errTimeout
		case <-chg:
			if t != nil {
				t.Stop()
			}
		}
	}
}

func (c *vconn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.sn.count(p, &c.sn.out)
	return c.d.uc.WriteToUDP(p, c.peer)
}

func (c *vconn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *vconn) LocalAddr() net.Addr  { return c.d.uc.LocalAddr() }
func (c *vconn) RemoteAddr() net.Addr { return c.peer }

func (c *vconn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *vconn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.rdl = t
	close(c.rdlChg)
	c.rdlChg = make(chan struct{})
	c.mu.Unlock()
	return nil
}

func (c *vconn) SetWriteDeadline(time.Time) error { return nil } // UDP writes do not block

var _ net.Conn = (*vconn)(nil)
