package etcd

import "github.com/rightsdesk/rightsdesk/internal/store"

// ReadCost is what a transaction has read from etcd so far: the requests
// sent and the keys they returned.
func ReadCost(rtx store.ReadTx) (requests, keys int) {
	t := rtx.(*tx)
	return t.s.requests, t.s.keys
}
