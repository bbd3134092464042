package sctp

// shutWR and shutRDWR are shutdown(2)'s "how" values that the C core's
// csctp_shutdown_sock takes (SHUT_WR and SHUT_RDWR: 1 and 2 on every POSIX
// system; shut_cgo.go checks them against the C headers). Named here since
// package syscall lacks them on some systems (js/wasm).
const (
	shutWR   = 1
	shutRDWR = 2
)
