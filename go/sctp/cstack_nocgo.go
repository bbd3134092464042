//go:build !cgo || !unix

package sctp

import (
	"net/netip"
	"strconv"
	"time"
)

// Without cgo (or off unix) there is no C core: creating a stack fails with
// errNoCore (ErrNeedCgo; off unix an error wrapping errors.ErrUnsupported),
// so no conn ever exists and the methods below are never reached. They
// exist so that the package (and its whole API) builds.

func cStrerror(code int) string { return "error " + strconv.Itoa(code) }

// haveCore is false: this build has no C core.
const haveCore = false

func cKernelProbe() int     { return cErrNotSupported }
func cKernelWhy(int) string { return "" }

type cStack struct{}

func cNewStack(stackKey) (*cStack, error) { return nil, errNoCore }

func (s *cStack) fd() int                          { return -1 }
func (s *cStack) step() int                        { return cErrNotSupported }
func (s *cStack) udpPort() int                     { return 0 }
func (s *cStack) endpoints() int                   { return 0 }
func (s *cStack) stats(*StackStats)                {}
func (s *cStack) more() bool                       { return false }
func (s *cStack) setOneshot() bool                 { return false }
func (s *cStack) readyPending() bool               { return false }
func (s *cStack) timeoutNS() int64                 { return -1 }
func (s *cStack) del()                             {}
func (s *cStack) setReadyList()                    {}
func (s *cStack) pollReady([]uintptr, []int32) int { return 0 }
func (k *cSock) setUser(uintptr)                   {}

const (
	readyRead  = 1
	readyWrite = 2
)

func (s *cStack) socket(int, int) (*cSock, int) { return nil, cErrNotSupported }
func notifSize() int                            { return 1 << 30 }
func parseNotif([]byte) rawNotif                { return rawNotif{} }
func (k *cSock) fd() int                        { return -1 }
func (k *cSock) wfd() int                       { return -1 }
func (k *cSock) poll() int                      { return cPollErr }
func (k *cSock) sockError() int                 { return cErrNotSupported }
func (k *cSock) close()                         {}
func (k *cSock) isClosed() bool                 { return true }
func (k *cSock) bindx([]byte, int) int          { return cErrNotSupported }
func (k *cSock) listen(int) int                 { return cErrNotSupported }
func (k *cSock) connectx([]byte, int) (AssocID, int) {
	return 0, cErrNotSupported
}
func (k *cSock) accept() (*cSock, []byte, int)             { return nil, nil, cErrNotSupported }
func (k *cSock) peeloff(AssocID) (*cSock, int)             { return nil, cErrNotSupported }
func (k *cSock) send([]byte, []byte, *SndInfo, uint16) int { return cErrNotSupported }
func (k *cSock) recv([]byte, *RcvInfo) (int, int)          { return cErrNotSupported, 0 }
func (k *cSock) sendBatch([]byte, []txMeta) (int, int)     { return 0, cErrNotSupported }
func (k *cSock) recvBatch([]byte, *RcvInfo, []byte, []rxMeta) (int, int, int) {
	return cErrNotSupported, 0, 0
}
func (k *cSock) fromAddrPort() (netip.AddrPort, bool) { return netip.AddrPort{}, false }
func (k *cSock) nextNotif([]byte) (rawNotif, int)     { return rawNotif{}, cErrNotSupported }
func (k *cSock) subscribe(uint32, bool) int           { return cErrNotSupported }
func (k *cSock) setInitMsg(int, int, int, time.Duration) int {
	return cErrNotSupported
}
func (k *cSock) setInt(int, int) int               { return cErrNotSupported }
func (k *cSock) setLinger(bool, int) int           { return cErrNotSupported }
func (k *cSock) openAssocs() (int, int)            { return cErrNotSupported, 0 }
func (k *cSock) setRemoteUDPPort(int) int          { return cErrNotSupported }
func (k *cSock) setRTO(uint32, uint32, uint32) int { return cErrNotSupported }
func (k *cSock) rto() (uint32, uint32, uint32, int) {
	return 0, 0, 0, cErrNotSupported
}
func (k *cSock) setHeartbeat(uint32) int           { return cErrNotSupported }
func (k *cSock) setDefaultSndInfo(SndInfo) int     { return cErrNotSupported }
func (k *cSock) assocIDs() ([2]AssocID, int)       { return [2]AssocID{}, cErrNotSupported }
func (k *cSock) setPRSupported(bool) int           { return cErrNotSupported }
func (k *cSock) shutdown(int) int                  { return cErrNotSupported }
func (k *cSock) assocID() AssocID                  { return 0 }
func (k *cSock) status(AssocID) (AssocStatus, int) { return AssocStatus{}, cErrNotSupported }
func (k *cSock) paths(AssocID) ([]PathInfo, int)   { return nil, cErrNotSupported }
func (k *cSock) laddrs() ([][]byte, int)           { return nil, cErrNotSupported }
func (k *cSock) paddrs(AssocID) ([][]byte, int)    { return nil, cErrNotSupported }

func (k *cSock) setCongestion(CongestionControl) int { return cErrNotSupported }

type cSock struct{}
