module github.com/csctp/csctp/interop/dtls

go 1.26

replace github.com/csctp/csctp => ../..

require (
	github.com/csctp/csctp v0.0.0-00010101000000-000000000000
	github.com/pion/dtls/v4 v4.0.1
	github.com/pion/logging v0.2.4
	github.com/pion/sctp v1.12.1
)

require (
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/transport/v5 v5.1.4 // indirect
	golang.org/x/crypto v0.48.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
)
