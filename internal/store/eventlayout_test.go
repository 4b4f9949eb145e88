package store_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// A store whose events were all written in the layout before version 9
// goes on as one chain: the events appended after them, in the new
// layout, link to them, and the whole chain verifies and is consistent
// with the cases it names.
func TestEventsOfBothLayoutsMakeOneChain(t *testing.T) {
	dir := t.TempDir()
	st := mustOpenBolt(t, dir, store.WithKeyring(testkeys.For(t, dir)))
	s := newSecrets(t)
	fill(t, st, s, 2)
	rewritten := 0
	if err := st.Update(ctx, func(tx store.WriteTx) error {
		rewritten = 0 // the function may run more than once
		old := map[string][]byte{}
		if err := tx.Scan(store.BucketAudit, nil, func(k, v []byte) (bool, error) {
			whole, err := store.EventInWholeLayout(v)
			old[string(k)] = whole
			return err == nil, err
		}); err != nil {
			return err
		}
		for k, v := range old {
			if err := tx.Put(store.BucketAudit, []byte(k), v); err != nil {
				return err
			}
			rewritten++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rewritten == 0 {
		t.Fatal("no event to rewrite")
	}
	fill(t, st, s, 2)

	var v audit.Verifier
	var consistency *store.Consistency
	if err := st.View(ctx, func(tx store.ReadTx) error {
		if err := store.EachEvent(tx, func(e *audit.Event, p *audit.Payload) error { return v.Next(e, p) }); err != nil {
			return err
		}
		seq, hash, err := store.AuditHead(tx)
		if err != nil {
			return err
		}
		if err := v.CheckHead(seq, hash); err != nil {
			return err
		}
		consistency, err = store.CheckConsistency(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if v.Count() <= uint64(rewritten) {
		t.Errorf("verified %d events, %d of them in the old layout: none appended after them", v.Count(), rewritten)
	}
	if !consistency.OK() {
		t.Errorf("inconsistent: %+v", consistency.Problems)
	}
}
