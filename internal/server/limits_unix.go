//go:build unix

package server

import "syscall"

// openFileLimit is how many files the process may open (Go raises the soft
// limit to the hard one at start), or 0 when it cannot tell.
func openFileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return rl.Cur
}
