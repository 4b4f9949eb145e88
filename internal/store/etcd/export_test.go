package etcd

import "github.com/rightsdesk/rightsdesk/internal/store"

// ReadCost is what a transaction has read from etcd so far: the requests
// sent and the keys they returned with their values.
func ReadCost(rtx store.ReadTx) (requests, keys int) {
	t := rtx.(*tx)
	return t.s.requests, t.s.keys
}

// WalkCost is what reading cost the members so far: the keys they walked
// to answer (every key of each range, whatever its limit) and the keys
// returned without values, to learn where a bucket's keys lie.
func WalkCost(rtx store.ReadTx) (counted int64, learnt int) {
	t := rtx.(*tx)
	return t.s.counted, t.s.learnt
}
