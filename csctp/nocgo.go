//go:build !cgo

// Package csctp is the carrier for the C core of csctp (see cgo.go). Built
// without cgo it contains nothing: the C sources are not compiled, so that
// `go vet` and `go build` of pure-Go code still work with CGO_ENABLED=0.
package csctp
