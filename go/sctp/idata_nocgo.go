//go:build !cgo

package sctp

const (
	cOptInterleaving       = 96
	cOptStreamScheduler    = 97
	cOptFragmentInterleave = 99
	cOptIDataFSNFrom0      = 136
)

func (k *cSock) setAssocValue(int, AssocID, uint32) int     { return cErrNotSupported }
func (k *cSock) getAssocValue(int, AssocID) (uint32, int)   { return 0, cErrNotSupported }
func (k *cSock) setStreamValue(AssocID, uint16, uint16) int { return cErrNotSupported }
func (k *cSock) streamValue(AssocID, uint16) (uint16, int)  { return 0, cErrNotSupported }
