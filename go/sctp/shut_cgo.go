//go:build cgo && unix

package sctp

// #include <sys/socket.h>
import "C"

// Compile-time checks: shut.go's values are the C headers'.
var (
	_ [C.SHUT_WR - shutWR]struct{}
	_ [shutWR - C.SHUT_WR]struct{}
	_ [C.SHUT_RDWR - shutRDWR]struct{}
	_ [shutRDWR - C.SHUT_RDWR]struct{}
)
