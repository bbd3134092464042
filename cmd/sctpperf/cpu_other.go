//go:build !unix

package main

// cpuSeconds is 0 where getrusage(2) is missing.
func cpuSeconds() float64 { return 0 }
