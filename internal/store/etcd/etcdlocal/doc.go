// Package etcdlocal (layer: tooling) starts an etcd cluster of real
// members (go.etcd.io/etcd/server/v3/embed) inside the calling process, on
// 127.0.0.1 ports and a directory of its own, for the tests that run the
// etcd engine, the failure tests, `make bench --store etcd` and trying
// scale-out on one machine. Members can be stopped and started again (with
// their data) to play a machine failing. It is no way to run production:
// three members in one process fail together.
//
// It must not be imported by the doors, the use cases or the engines.
package etcdlocal
