//go:build !cgo

package sctp

const (
	cBindxAdd      = 1
	cBindxRem      = 2
	cOptAutoASCONF = 113
)

func (k *cSock) asconfSupported(bool) int          { return cErrNotSupported }
func (k *cSock) asconfEnabled(AssocID) (bool, int) { return false, cErrNotSupported }
func (k *cSock) bindxOp([]byte, int, int) int      { return cErrNotSupported }
func (k *cSock) setPeerPrimary(AssocID, []byte) int {
	return cErrNotSupported
}
