//go:build !cgo || !unix

package sctp

const (
	cTransportConn = 3
	cAFConn        = 123
	cEDMIDDTLS     = 1
)

func cNewConnStack(uintptr, uint32, int) (*cStack, error) { return nil, errNoCore }

func (s *cStack) connInput([]byte) int { return cErrNotSupported }

func connSockaddr(int) []byte { return nil }
