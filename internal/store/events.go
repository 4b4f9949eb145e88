package store

import "github.com/rightsdesk/rightsdesk/internal/audit"

// AuditEvent reads the event with the given sequence number, without its
// payload; ErrNotFound if the chain has no such event. An evidence bundle's
// proof is checked against the live chain with it.
func AuditEvent(tx ReadTx, seq uint64) (*audit.Event, error) {
	e, _, err := eventAt(tx, seqKey(seq))
	return e, err
}
