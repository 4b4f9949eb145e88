// Package etcdleader (layer: use cases, beside package leader) is the
// leader.Elector of replicas that share an etcd cluster: etcd's election
// (go.etcd.io/etcd/client/v3/concurrency) over a lease the client keeps
// alive, so the background work moves to another replica within the
// lease's time to live when the leader dies, and at once when it stops
// cleanly and resigns.
//
// It must not touch the store's keys: the election lives beside them,
// under the engine's prefix, and package leader's epoch fences the store.
package etcdleader
