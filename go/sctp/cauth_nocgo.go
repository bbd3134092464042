//go:build !cgo

package sctp

func (k *cSock) authChunk(uint8) int                    { return cErrNotSupported }
func (k *cSock) authHMACs([]uint16) int                 { return cErrNotSupported }
func (k *cSock) authSupported(bool) int                 { return cErrNotSupported }
func (k *cSock) authKey(AssocID, uint16, []byte) int    { return cErrNotSupported }
func (k *cSock) authKeyOp(int, AssocID, uint16) int     { return cErrNotSupported }
func (k *cSock) authActive(AssocID) (uint16, int)       { return 0, cErrNotSupported }
func (k *cSock) authChunks(bool, AssocID) ([]byte, int) { return nil, cErrNotSupported }
