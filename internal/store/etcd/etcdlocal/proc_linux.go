package etcdlocal

import "syscall"

// dieWithParent makes a member process die with the process that started
// it, so a test that crashes leaves no etcd behind.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
