package storetest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func withRequester(c *cases.Case, name, email string) *cases.Case {
	c.Requester = cases.Requester{Person: cases.Person{Name: name, Email: email}, Relationship: cases.RelationshipSelf}
	return c
}

func requesterIDs(t *testing.T, s *store.Store, term string, limit int) ([]string, bool) {
	t.Helper()
	var (
		ids  []string
		more bool
	)
	err := s.View(ctx, func(tx store.ReadTx) (err error) {
		ids, more, err = store.CaseIDsByRequesterTerm(tx, term, limit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, more
}

// testRequesterIndex checks that PutCase keeps the requester index in step
// with each case's requester, that lookups page, and that the index holds
// keyed hashes, never the details themselves.
func testRequesterIndex(t *testing.T, h Harness) {
	b, dir := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	put := func(old, c *cases.Case) {
		t.Helper()
		if err := s.Update(ctx, func(tx store.WriteTx) error { return putOver(tx, old, c) }); err != nil {
			t.Fatal(err)
		}
	}
	a := withRequester(storedCase("01A", "RD-AAAA-AAAA", "", "new", "", "2026-04-02"), "Grace Hopper", "grace@example.org")
	bb := withRequester(storedCase("01B", "RD-BBBB-BBBB", "", "new", "", "2026-04-03"), "Grace Brewster Hopper", "grace@example.org")
	c := withRequester(storedCase("01C", "RD-CCCC-CCCC", "", "closed", "", "2026-04-04"), "Alan Turing", "alan@example.org")
	for _, cs := range []*cases.Case{a, bb, c} {
		put(nil, cs)
	}
	email := cases.EmailTerm("grace@example.org")
	if ids, more := requesterIDs(t, s, email, 10); !slices.Equal(ids, []string{"01A", "01B"}) || more {
		t.Errorf("cases for grace@ = %v (more %v), want 01A 01B", ids, more)
	}
	if ids, more := requesterIDs(t, s, email, 1); !slices.Equal(ids, []string{"01A"}) || !more {
		t.Errorf("first case for grace@ = %v (more %v), want 01A and more", ids, more)
	}
	if ids, _ := requesterIDs(t, s, cases.NameTerms("Turing")[0], 10); !slices.Equal(ids, []string{"01C"}) {
		t.Errorf("cases for turing = %v, want 01C: closed cases are found too", ids)
	}

	// A corrected address moves the case; the old one no longer finds it.
	fixed := *a
	fixed.Requester.Person.Email = "g.hopper@example.org"
	put(a, &fixed)
	if ids, _ := requesterIDs(t, s, email, 10); !slices.Equal(ids, []string{"01B"}) {
		t.Errorf("after the change, grace@ finds %v, want only 01B", ids)
	}
	if ids, _ := requesterIDs(t, s, cases.EmailTerm("G.Hopper@example.org"), 10); !slices.Equal(ids, []string{"01A"}) {
		t.Errorf("the new address finds %v, want 01A", ids)
	}
	err = s.View(ctx, func(tx store.ReadTx) error {
		for _, cs := range []*cases.Case{&fixed, bb, c} {
			if err := store.CaseIndexesConsistent(tx, cs); err != nil {
				return err
			}
		}
		has, err := store.CaseHasRequesterTerm(tx, cases.NameTerms("brewster")[0], "01B")
		if err != nil || !has {
			t.Errorf("CaseHasRequesterTerm(brewster, 01B) = %v, %v", has, err)
		}
		if has, _ := store.CaseHasRequesterTerm(tx, cases.NameTerms("brewster")[0], "01A"); has {
			t.Error("01A claims a name word it does not have")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	keys := requesterIndexKeys(t, s)
	if len(keys) != 10 { // 01A: 1 email + 2 words; 01B: 1 + 3; 01C: 1 + 2; and none stale
		t.Errorf("index holds %d entries, want 10", len(keys))
	}
	for _, k := range keys {
		for _, plain := range []string{"grace", "hopper", "example", "turing", "email:", "name:"} {
			if strings.Contains(strings.ToLower(string(k)), plain) {
				t.Fatalf("index key %q holds %q in the clear", k, plain)
			}
		}
	}

	// The key survives a reopen; another installation has its own.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	reopened := h.Open(t, dir)
	t.Cleanup(func() { _ = reopened.Close() })
	if s, err = store.Open(ctx, reopened); err != nil {
		t.Fatal(err)
	}
	if ids, _ := requesterIDs(t, s, cases.EmailTerm("g.hopper@example.org"), 10); !slices.Equal(ids, []string{"01A"}) {
		t.Errorf("after reopening, the index finds %v, want 01A", ids)
	}
	other := openStore(t, h)
	if err := other.Update(ctx, func(tx store.WriteTx) error { return store.PutCase(tx, nil, c) }); err != nil {
		t.Fatal(err)
	}
	for _, k := range requesterIndexKeys(t, other) {
		if slices.ContainsFunc(keys, func(mine []byte) bool { return bytes.Equal(mine, k) }) {
			t.Fatalf("two installations hash %q to the same key: the index key is not per installation", k)
		}
	}
}

func requesterIndexKeys(t *testing.T, s *store.Store) [][]byte {
	t.Helper()
	var keys [][]byte
	err := s.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketByRequester, nil, func(k, _ []byte) (bool, error) {
			keys = append(keys, bytes.Clone(k))
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// testMigrateV1 opens a database as schema version 1 left it — cases
// without requester index entries, no index key — and checks that Open
// indexes every case, across more than one migration batch, and records the
// new version.
func testMigrateV1(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const n = 2500
	putCasesAsVersion(t, b, 1, n, func(i int) *cases.Case {
		c := withRequester(storedCase(caseID(i), "", "", "new", "", "2026-04-02"), "Ada Lovelace", "ada@example.org")
		if i == n-1 {
			c.Requester.Person.Email = "last@example.org"
		}
		return c
	})
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if ids, more := requesterIDs(t, s, cases.EmailTerm("ada@example.org"), n); len(ids) != n-1 || more {
		t.Errorf("after migrating, ada@ finds %d cases, want %d", len(ids), n-1)
	}
	if ids, _ := requesterIDs(t, s, cases.EmailTerm("last@example.org"), n); !slices.Equal(ids, []string{caseID(n - 1)}) {
		t.Errorf("the last case, in the last batch, was not indexed: %v", ids)
	}
	if v, _ := get(t, b, "schema_version"); binary.BigEndian.Uint32([]byte(v)) != store.SchemaVersion {
		t.Errorf("schema version after migrating = %x, want %d", v, store.SchemaVersion)
	}
	if _, err := store.Open(ctx, b); err != nil {
		t.Fatalf("opening the migrated database again: %v", err)
	}
}

// testMigrateV3 checks that opening a version 3 database enters its open
// cases, across more than one migration batch, in the index of open cases
// by right and notice, and leaves closed ones out.
func testMigrateV3(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const n = 2100
	putCasesAsVersion(t, b, 3, n, func(i int) *cases.Case {
		state := "new"
		if i%2 == 1 {
			state = "closed"
		}
		c := storedCase(caseID(i), "", "", state, "", "2026-04-02")
		c.Rights = []cases.RequestedRight{{Right: "access"}}
		return c
	})
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for i := 0; i < n; i += 2 {
		open = append(open, caseID(i))
	}
	for _, prefix := range []string{store.OpenRightPrefix("access"), store.OpenNoticePrefix("notice-a")} {
		if got := termIDs(t, s, prefix); !slices.Equal(got, open) {
			t.Errorf("after migrating, %q holds %d cases, want the %d open ones", prefix, len(got), len(open))
		}
	}
	if v, _ := get(t, b, "schema_version"); binary.BigEndian.Uint32([]byte(v)) != store.SchemaVersion {
		t.Errorf("schema version after migrating = %x, want %d", v, store.SchemaVersion)
	}
}

// testMigrateV4 checks that opening a version 4 database enters its open
// cases with a new reply in the index of open cases, across more than one
// migration batch, and leaves out the closed ones and those without.
func testMigrateV4(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const n = 2100
	putCasesAsVersion(t, b, 4, n, func(i int) *cases.Case {
		state := "in_progress"
		if i%3 == 2 {
			state = "closed"
		}
		c := storedCase(caseID(i), "", "", state, "", "2026-04-02")
		c.NewReply = i%3 != 1
		return c
	})
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < n; i += 3 {
		want = append(want, caseID(i))
	}
	if got := termIDs(t, s, store.OpenNewReplyPrefix); !slices.Equal(got, want) {
		t.Errorf("after migrating, the new replies hold %d cases, want the %d open ones with a new reply", len(got), len(want))
	}
	if v, _ := get(t, b, "schema_version"); binary.BigEndian.Uint32([]byte(v)) != store.SchemaVersion {
		t.Errorf("schema version after migrating = %x, want %d", v, store.SchemaVersion)
	}
}

// testMigrateV5 checks that opening a version 5 database enters its
// closed cases, and only those, in the index of closed cases, across more
// than one migration batch, each with its retention facts; and its open
// cases with a search request to chase in the index of open cases, found
// from the day after the request's due date.
func testMigrateV5(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const n = 2100
	caseAt := func(i int) *cases.Case {
		c := storedCase(caseID(i), "", "", "in_progress", "", "2026-04-02")
		if i%4 == 1 {
			c.SearchRequests = []cases.SearchRequest{
				{ID: "r1", State: cases.SearchRequestChased, Due: "2026-03-01"},
				{ID: "r2", State: cases.SearchRequestSent, Due: fmt.Sprintf("2026-03-%02d", 10+i%8/5)},
			}
		}
		if i%2 == 0 {
			c.State = "closed"
			c.Outcome = &cases.Outcome{Kind: cases.OutcomeFulfilled, ClosedOn: fmt.Sprintf("2026-03-%02d", 1+i%28)}
			if i%3 == 0 {
				c.LegalHold = &cases.LegalHold{Reason: "claim", Since: "2026-03-30"}
			}
			if i%5 == 0 {
				c.Purged = &cases.Purged{On: "2026-04-01"}
			}
		}
		return c
	}
	putCasesAsVersion(t, b, 5, n, caseAt)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]cases.RetentionFacts{}
	err = s.View(ctx, func(tx store.ReadTx) error {
		return store.EachClosedCase(tx, func(id string, f cases.RetentionFacts) error {
			got[id] = f
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n/2 {
		t.Errorf("after migrating, the closed index holds %d cases, want the %d closed ones", len(got), n/2)
	}
	for i := 0; i < n; i += 2 {
		if want := caseAt(i).RetentionFacts(); got[caseID(i)] != want {
			t.Fatalf("case %d: facts %+v from the index, want %+v", i, got[caseID(i)], want)
		}
	}
	for today, want := range map[string]int{"2026-03-10": 0, "2026-03-11": 263, "2026-03-12": 525} {
		var ids []string
		err := s.View(ctx, func(tx store.ReadTx) (err error) { ids, err = store.CasesToChase(tx, today); return err })
		if err != nil || len(ids) != want {
			t.Errorf("on %s, %d cases to chase (%v), want %d", today, len(ids), err, want)
		}
	}
}

func caseID(i int) string { return fmt.Sprintf("01M%05d", i) }

// putCasesAsVersion writes n plain case records, made by caseAt, into a
// database marked as schema version, as that version would have left
// them, for a migration test.
func putCasesAsVersion(t *testing.T, b store.Backend, version uint32, n int, caseAt func(i int) *cases.Case) {
	t.Helper()
	err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("schema_version"), binary.BigEndian.AppendUint32(nil, version)); err != nil {
			return err
		}
		for i := range n {
			c := caseAt(i)
			raw, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := tx.Put(store.BucketCases, []byte(c.ID), raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
