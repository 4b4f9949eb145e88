package bench

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

func recordTemplates(t *testing.T) []createTemplate {
	t.Helper()
	shapes, err := recordShapes(t.Context(), t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	templates, err := makeTemplates(shapes)
	if err != nil {
		t.Fatal(err)
	}
	return templates
}

// A baseline create puts what its recorded create put, with the parts
// unique to that case made new and the parts cases share kept, so each
// index has the insertion points it has in use.
func TestBaselineKeysAreMadeAsRealCreatesMakeThem(t *testing.T) {
	templates := recordTemplates(t)
	if len(templates) != templateCount {
		t.Fatalf("%d templates, want %d", len(templates), templateCount)
	}
	writes := newBaselineWrites(templates, 1)
	seen := map[string]bool{}
	for range 2 * templateCount {
		n := writes.next.Load() + 1
		tmpl := templates[n%uint64(len(templates))]
		puts, err := writes.puts(0)
		if err != nil {
			t.Fatal(err)
		}
		if len(puts) != len(tmpl.puts) {
			t.Fatalf("%d puts, want the template's %d", len(puts), len(tmpl.puts))
		}
		var id []byte
		for i, p := range puts {
			rec := tmpl.puts[i]
			if string(p.bucket) != string(rec.bucket) || len(p.value) != rec.valueLen || len(p.key) != len(rec.key) {
				t.Fatalf("put %d: %s, %d-byte key, %d-byte value; want the recorded %s, %d, %d", i, p.bucket, len(p.key), len(p.value), rec.bucket, len(rec.key), rec.valueLen)
			}
			if rec.bucket == store.BucketCases {
				id = p.key
			}
			if bytes.Contains(p.key, tmpl.caseID) {
				t.Errorf("put %d in %s keeps the recorded case id", i, p.bucket)
			}
			for _, part := range tmpl.unique {
				if bytes.Contains(p.key, part) {
					t.Errorf("put %d in %s keeps a part unique to the recorded case", i, p.bucket)
				}
			}
			if rec.bucket != store.BucketMeta {
				if seen[string(p.bucket)+"\x00"+string(p.key)] {
					t.Errorf("put %d in %s repeats a key an earlier create put", i, p.bucket)
				}
				seen[string(p.bucket)+"\x00"+string(p.key)] = true
			}
		}
		for i, p := range puts {
			if rec := tmpl.puts[i]; bytes.Contains(rec.key, tmpl.caseID) && !bytes.Contains(p.key, id) {
				t.Errorf("put %d in %s does not name the create's new case id", i, p.bucket)
			}
		}
	}
	// Dates and states are shared, never made new.
	var kept bool
	for _, tmpl := range templates {
		for _, part := range tmpl.unique {
			if isoDate.Match(part) || bytes.Equal(part, []byte("new")) {
				t.Errorf("the shared part %q is treated as unique to its case", part)
			}
		}
		kept = kept || len(tmpl.unique) > 0
	}
	if !kept {
		t.Error("no template has a part unique to its case: the reference and request id are")
	}
}

// Every create a client is answered for is in the file, and many clients
// share commits.
func TestGroupCommitCommitsEveryCreateItAnswers(t *testing.T) {
	templates := recordTemplates(t)
	dir := t.TempDir()
	const clients, each = 8, 25
	op, stop, err := openGroupCommit(dir, templates, clients)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for c := range clients {
		wg.Go(func() {
			for range each {
				if err := op(c); err != nil {
					errs[c] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for c, err := range errs {
		if err != nil {
			t.Fatalf("client %d: %v", c, err)
		}
	}
	db, err := bbolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		if got := tx.Bucket([]byte(store.BucketCases)).Stats().KeyN; got != clients*each {
			return fmt.Errorf("%d case records, want %d", got, clients*each)
		}
		if txid := tx.ID(); txid > clients*each {
			return fmt.Errorf("%d commits for %d creates", txid, clients*each)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
