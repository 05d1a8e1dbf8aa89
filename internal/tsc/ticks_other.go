//go:build !amd64

package tsc

func ticks() uint64 { return 0 }

func invariant() bool { return false }
