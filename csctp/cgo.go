//go:build cgo

// Package csctp is the carrier that makes `go build` compile the C core of
// csctp: the sans-IO SCTP engine and the I/O layer in this directory's .c
// files. Importing "C" here is what makes cgo compile every csctp/*.c (files
// ending in _linux.c only on Linux); the C tests, fuzz targets and examples
// live in subdirectories, which cgo ignores.
//
// The package has no Go API. The Go package github.com/csctp/csctp/go/sctp
// builds on it; C programs use the Makefile's libcsctp instead.
package csctp

/*
#cgo CFLAGS: -std=gnu11 -O2 -I${SRCDIR}
*/
import "C"
