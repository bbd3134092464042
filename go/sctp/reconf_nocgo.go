//go:build !cgo

package sctp

func (k *cSock) resetStreams(AssocID, int, []uint16) int { return cErrNotSupported }
func (k *cSock) addStreams(AssocID, int, int) int        { return cErrNotSupported }
func (k *cSock) resetAssoc(AssocID) int                  { return cErrNotSupported }
func (k *cSock) enableStreamReset(AssocID, uint32) int   { return cErrNotSupported }
