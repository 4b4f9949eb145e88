//go:build !linux

package etcdlocal

import "syscall"

func dieWithParent() *syscall.SysProcAttr { return nil }
