package casework

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// countingTx counts how a scan reads case records: one at a time or in
// batches.
type countingTx struct {
	store.ReadTx
	gets, batches int
}

func (t *countingTx) Get(b store.Bucket, key []byte) []byte {
	if b == store.BucketCases {
		t.gets++
	}
	return t.ReadTx.Get(b, key)
}

func (t *countingTx) GetMany(b store.Bucket, keys [][]byte) [][]byte {
	if b == store.BucketCases {
		t.batches++
	}
	return t.ReadTx.GetMany(b, keys)
}

// dueIndex stores n open-by-due entries, one case a day from 2027-01-01,
// with a record each, and returns the case ids in index order.
func dueIndex(t *testing.T, n int) (store.Backend, []string) {
	t.Helper()
	b, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ids := make([]string, n)
	err = b.Update(context.Background(), func(tx store.WriteTx) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("case-%05d", i)
			if err := tx.Put(store.BucketOpenByDue, fmt.Appendf(nil, "2027-01-01/%05d/%s", i, ids[i]), nil); err != nil {
				return err
			}
			if err := tx.Put(store.BucketCases, []byte(ids[i]), []byte(ids[i])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, ids
}

// decodeID stands in for decoding: a case that is its record's id.
func decodeID(_ store.ReadTx, id string, raw []byte) (*cases.Case, error) {
	if string(raw) != id {
		return nil, fmt.Errorf("case %s: record %q", id, raw)
	}
	return &cases.Case{ID: id}, nil
}

// A page reads its cases in one batch, not one read per case; a
// selective filter reads growing batches; either way the page, its
// cursor and the cut after maxExamined entries are those of a walk that
// reads each case as it comes.
func TestScanReadsAPagesCasesTogether(t *testing.T) {
	b, ids := dueIndex(t, maxExamined+500)
	p := bounded(store.BucketOpenByDue, "", "", "", false)
	list := func(q usecase.Query, match func(*cases.Case) bool) (*usecase.Page, *countingTx) {
		page := &usecase.Page{}
		var ct *countingTx
		err := b.View(context.Background(), func(tx store.ReadTx) error {
			ct = &countingTx{ReadTx: tx}
			return scan(ct, p, q, decodeID, match, page)
		})
		if err != nil {
			t.Fatal(err)
		}
		return page, ct
	}
	pageIDs := func(page *usecase.Page) []string {
		var out []string
		for _, c := range page.Cases {
			out = append(out, c.ID)
		}
		return out
	}
	entry := func(i int) string { return fmt.Sprintf("2027-01-01/%05d/%s", i, ids[i]) }
	all := func(*cases.Case) bool { return true }

	page, ct := list(usecase.Query{Limit: 50}, all)
	if !slices.Equal(pageIDs(page), ids[:50]) || string(page.Next) != entry(49) {
		t.Errorf("first page: %d cases ending %v, next %q; want the first 50, next %q", len(page.Cases), pageIDs(page)[len(page.Cases)-1:], page.Next, entry(49))
	}
	if ct.gets != 0 || ct.batches != 1 {
		t.Errorf("a page of 50 read its cases in %d Gets and %d batches, want one batch", ct.gets, ct.batches)
	}

	everyTenth := func(c *cases.Case) bool { return slices.Index(ids, c.ID)%10 == 0 }
	page, ct = list(usecase.Query{Limit: 20, After: []byte(entry(5))}, everyTenth)
	var want []string
	for i := 10; len(want) < 20; i += 10 {
		want = append(want, ids[i])
	}
	if !slices.Equal(pageIDs(page), want) || string(page.Next) != entry(209) || string(page.Prev) != entry(6) {
		t.Errorf("a page of every tenth case: %v, next %q, prev %q; want %v, next %q, prev %q", pageIDs(page), page.Next, page.Prev, want, entry(209), entry(6))
	}
	if ct.gets != 0 || ct.batches > 4 {
		t.Errorf("a page of 20 among 210 entries read its cases in %d Gets and %d batches, want a few batches", ct.gets, ct.batches)
	}

	onlyFirst := func(c *cases.Case) bool { return c.ID == ids[0] }
	page, _ = list(usecase.Query{Limit: 5}, onlyFirst)
	if !slices.Equal(pageIDs(page), ids[:1]) || string(page.Next) != entry(maxExamined-1) {
		t.Errorf("a page cut after %d entries: %v, next %q; want the first case, next %q", maxExamined, pageIDs(page), page.Next, entry(maxExamined-1))
	}
}

// A walk over several indexes visits exactly the entries they share, in
// order both ways, from a cursor and within a due range, reading none of
// the others: each leg's keys are due / id under its own prefix.
func TestIntersectionVisitsOnlyWhatEveryIndexHolds(t *testing.T) {
	b, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	suffix := func(i int) string { return fmt.Sprintf("2027-01-%02d/case-%03d", 1+i/10, i) }
	var shared []string // in both indexes and the notice's: every 15th of 300
	err = b.Update(context.Background(), func(tx store.WriteTx) error {
		for i := range 300 {
			put := func(bucket store.Bucket, prefix string) error {
				return tx.Put(bucket, []byte(prefix+suffix(i)), nil)
			}
			if i%3 == 0 {
				if err := put(store.BucketByState, "new/"); err != nil {
					return err
				}
			}
			if err := put(store.BucketByState, "closed/"); err != nil { // another prefix, never visited
				return err
			}
			if i%5 == 0 {
				if err := put(store.BucketOpenByTerm, store.OpenRightPrefix("erasure")); err != nil {
					return err
				}
			}
			if i%5 == 0 || i%7 == 0 {
				if err := put(store.BucketOpenByTerm, store.OpenNoticePrefix("n")); err != nil {
					return err
				}
			}
			if i%15 == 0 {
				shared = append(shared, suffix(i))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	walk := func(p plan, ascending bool, from []byte, limit int) []string {
		var got []string
		err := b.View(context.Background(), func(tx store.ReadTx) error {
			return p.walk(tx, ascending, from, func(k []byte) (bool, error) {
				if !bytes.HasPrefix(k, p.prefix) {
					t.Fatalf("visited %q, not a key of the plan's own index", k)
				}
				got = append(got, string(k[len(p.prefix):]))
				return len(got) < limit, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	legs := func(from, to string) plan {
		p := bounded(store.BucketByState, "new/", from, to, false)
		p.also = []plan{
			bounded(store.BucketOpenByTerm, store.OpenRightPrefix("erasure"), from, to, false),
			bounded(store.BucketOpenByTerm, store.OpenNoticePrefix("n"), from, to, false),
		}
		return p
	}
	p := legs("", "")
	if got := walk(p, true, nil, 1000); !slices.Equal(got, shared) {
		t.Errorf("ascending: %v, want %v", got, shared)
	}
	reversed := slices.Clone(shared)
	slices.Reverse(reversed)
	if got := walk(p, false, nil, 1000); !slices.Equal(got, reversed) {
		t.Errorf("descending: %v, want %v", got, reversed)
	}
	from := []byte("new/" + shared[3])
	if got := walk(p, true, from, 2); !slices.Equal(got, shared[4:6]) {
		t.Errorf("ascending after %s: %v, want %v", shared[3], got, shared[4:6])
	}
	if got := walk(p, false, from, 2); !slices.Equal(got, []string{shared[2], shared[1]}) {
		t.Errorf("descending before %s: %v, want %v", shared[3], got, []string{shared[2], shared[1]})
	}
	ranged := legs("2027-01-05", "2027-01-20")
	var want []string
	for _, s := range shared {
		if s >= "2027-01-05" && s < "2027-01-20" {
			want = append(want, s)
		}
	}
	if got := walk(ranged, true, nil, 1000); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("due in [2027-01-05, 2027-01-20): %v, want %v", got, want)
	}
	if err := b.View(context.Background(), func(tx store.ReadTx) error {
		return p.walk(tx, true, []byte("x"), func([]byte) (bool, error) { return true, nil })
	}); err == nil {
		t.Error("a cursor from another list was walked from")
	}
}
