package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

// The details of the requester and the staff member of checkedDatabase,
// which nothing the read-only commands print about problems may show.
var personalDetails = []string{"Ada", "Lovelace", "ada@example.org", "Vera", "vera@example.org"}

// checkedDatabase returns a closed database holding cases made through the
// domain code (one assigned, one with a note, one closed), an API token and
// a staff account, and the path of its file.
func checkedDatabase(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	w, st := caseworktest.New(t, dir, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	for i := range 4 {
		res, err := w.Create(t.Context(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
			Rights: []notice.Right{notice.RightErasure}, ReceivedOn: "2026-02-20", RequestID: fmt.Sprintf("req-%d", i),
			Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Case
		switch i {
		case 1:
			_, err = w.Apply(t.Context(), "token:test", c.ID, c.Etag(), cases.Assign{Assignee: "alice"})
		case 2:
			_, err = w.Apply(t.Context(), "token:test", c.ID, c.Etag(), cases.AddNote{Text: "Ada Lovelace called."})
		case 3:
			_, err = w.Apply(t.Context(), "token:test", c.ID, c.Etag(), cases.Close{On: "2026-03-02", Outcome: cases.OutcomeWithdrawn})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	createToken(t, dir, "--role", "admin", "--name", "ops")
	withStdin(t, "lighthouse keeper biscuit\n")
	if code, _, stderr := runCLI(t, "users", "create", "--role", "admin", "--name", "Vera Lovelace", "--email", "vera@example.org", "--data", dir); code != 0 {
		t.Fatalf("users create: exit %d: %s", code, stderr)
	}
	return dir, filepath.Join(dir, bolt.FileName)
}

// readOnlyCommands are the commands that only read the database, each with
// what its output shows on success.
func readOnlyCommands(dir, out string) []struct {
	args []string
	want string
} {
	return []struct {
		args []string
		want string
	}{
		{[]string{"audit", "verify", "--data", dir}, "Audit chain intact"},
		{[]string{"backup", "--data", dir, "--out", out}, "Backup written"},
		{[]string{"users", "list", "--data", dir}, "vera@example.org"},
		{[]string{"tokens", "list", "--data", dir}, "ops"},
		{[]string{"check", "--data", dir}, "Database consistent"},
		{[]string{"notices", "lint", "it-service-desk", "--data", dir}, "it-service-desk version 1"},
		{[]string{"notices", "diff", "it-service-desk", "--from", "1", "--to", "1", "--data", dir}, "No differences."},
	}
}

func TestReadOnlyCommandsOnAMissingDirectoryCreateNothing(t *testing.T) {
	parent := t.TempDir()
	missing := filepath.Join(parent, "no", "such", "dir")
	out := filepath.Join(parent, "backup.db")
	for _, c := range readOnlyCommands(missing, out) {
		code, stdout, stderr := runCLI(t, c.args...)
		want := "no database at " + filepath.Join(missing, bolt.FileName)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want non-zero and %q", c.args, code, stdout, stderr, want)
		}
		if _, err := os.Stat(filepath.Join(parent, "no")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created the data directory (stat: %v)", c.args, err)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v left a backup file behind (stat: %v)", c.args, err)
		}
	}
}

func TestReadOnlyCommandsLeaveTheDatabaseUnchanged(t *testing.T) {
	dir, path := checkedDatabase(t)
	before := bolttest.SHA256(t, path)
	for _, c := range readOnlyCommands(dir, filepath.Join(t.TempDir(), "backup.db")) {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Fatalf("%v: exit %d, want 0 and %q\n%s%s", c.args, code, c.want, stdout, stderr)
		}
		if bolttest.SHA256(t, path) != before {
			t.Fatalf("%v changed the database file", c.args)
		}
	}
}

// A read-only command runs beside another read-only one, but not beside a
// writer such as the server.
func TestReadOnlyCommandsShareTheDatabaseButNotWithAWriter(t *testing.T) {
	dir, _ := checkedDatabase(t)
	reader, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCLI(t, "check", "--data", dir); code != 0 {
		t.Fatalf("check beside another reader: exit %d\n%s%s", code, stdout, stderr)
	}
	_ = reader.Close()
	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if code, _, stderr := runCLI(t, "check", "--data", dir); code != 1 || !strings.Contains(stderr, "in use by another process") {
		t.Fatalf("check beside a writer: exit %d, stderr %q", code, stderr)
	}
}

func TestCheckPassesAGoodDatabase(t *testing.T) {
	dir, _ := checkedDatabase(t)
	st, err := openStoreReadOnly(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := casework.VerifyChain(t.Context(), st)
	_ = st.Close()
	if err != nil || chain.Events < 7 { // 4 creates, an assignment, a note and a close at least
		t.Fatalf("the chain has %d events (%v)", chain.Events, err)
	}
	code, stdout, stderr := runCLI(t, "check", "--data", dir)
	want := "Database consistent: pages checked, 4 cases and their indexes agree"
	if code != 0 || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, fmt.Sprintf("audit chain intact (%d events)", chain.Events)) || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("check of a good database: exit %d\n%s%s", code, stdout, stderr)
	}
}

// openForServe opens the database as `rightsdesk serve` does.
func openForServe(dir string) error {
	b, err := bolt.Open(dir, bolt.Options{CheckPages: true})
	if err == nil {
		_ = b.Close()
		return errors.New("opened")
	}
	return err
}

func TestCheckNamesAnEmptyFile(t *testing.T) {
	dir, path := checkedDatabase(t)
	bolttest.Empty(t, path)
	code, stdout, stderr := runCLI(t, "check", "--data", dir)
	if code != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, "empty") || !strings.Contains(stderr, "not a Rightsdesk database") {
		t.Fatalf("check of an empty file: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := openForServe(dir); !errors.Is(err, bolt.ErrEmptyFile) || !strings.Contains(err.Error(), "backup") {
		t.Fatalf("serve's open of an empty file: %v, want ErrEmptyFile", err)
	}
	if info, err := os.Stat(path); err != nil || info.Size() != 0 {
		t.Fatal("the empty file was initialised")
	}
}

func TestCheckNamesATruncatedFile(t *testing.T) {
	dir, path := checkedDatabase(t)
	bolttest.TruncateHalf(t, path)
	code, stdout, stderr := runCLI(t, "check", "--data", dir)
	if code != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, "truncated") {
		t.Fatalf("check of a truncated file: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := openForServe(dir); !errors.Is(err, bolt.ErrTruncated) {
		t.Fatalf("serve's open of a truncated file: %v, want ErrTruncated", err)
	}
}

func TestCheckNamesADamagedPage(t *testing.T) {
	dir, path := checkedDatabase(t)
	page := bolttest.DamagePage(t, path)
	before := bolttest.SHA256(t, path)
	code, stdout, stderr := runCLI(t, "check", "--data", dir)
	if code != 1 || !strings.Contains(stdout, "pages: ") || !strings.Contains(stdout, fmt.Sprint(page)) || !strings.Contains(stdout, "DAMAGED") {
		t.Fatalf("check of a file whose page %d is damaged: exit %d\n%s%s", page, code, stdout, stderr)
	}
	showsNoPersonalDetails(t, stdout+stderr)
	if bolttest.SHA256(t, path) != before {
		t.Fatal("check changed the damaged file")
	}
	err := openForServe(dir)
	if !errors.Is(err, bolt.ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprint(page)) {
		t.Fatalf("serve's open of a damaged file: %v, want ErrDamaged naming page %d", err, page)
	}
}

func TestCheckNamesIndexAndChainProblemsWithoutPersonalDetails(t *testing.T) {
	dir, _ := checkedDatabase(t)
	var assigned, stale string
	alterStore(t, dir, func(tx store.WriteTx) error {
		var key []byte
		err := tx.Scan(store.BucketByAssignee, nil, func(k, _ []byte) (bool, error) {
			key, assigned = append([]byte(nil), k...), store.IndexedCaseID(k)
			return false, nil
		})
		if err != nil || key == nil {
			return fmt.Errorf("no assignee entry (%v)", err)
		}
		if err := tx.Delete(store.BucketByAssignee, key); err != nil {
			return err
		}
		// A stale entry whose key holds a name, as a damaged write might.
		stale = "01JZZZZZZZZZZZZZZZZZZZZZZZ"
		if err := tx.Put(store.BucketByState, []byte("Ada Lovelace/"+stale), nil); err != nil {
			return err
		}
		return tx.Delete(store.BucketMeta, []byte("audit_head"))
	})
	code, stdout, stderr := runCLI(t, "check", "--data", dir)
	for _, want := range []string{
		"indexes: idx_assignee: case " + assigned + ": its entry is missing",
		"indexes: idx_state: an entry points at case " + stale + ", which does not exist",
		"audit: audit chain broken",
		"NOT CONSISTENT: 3 problem(s)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	if code != 1 || t.Failed() {
		t.Fatalf("check of a database with index and chain problems: exit %d\n%s%s", code, stdout, stderr)
	}
	showsNoPersonalDetails(t, stdout+stderr)
}

func showsNoPersonalDetails(t *testing.T, out string) {
	t.Helper()
	for _, s := range personalDetails {
		if strings.Contains(out, s) {
			t.Errorf("output shows %q:\n%s", s, out)
		}
	}
}

// Commands that write still create a new database, but refuse a damaged
// file rather than initialise it or write into it.
func TestWritingCommandsRefuseEmptyAndTruncatedFiles(t *testing.T) {
	for _, damage := range []struct {
		name string
		do   func(testing.TB, string)
		want string
	}{
		{"empty", bolttest.Empty, "empty"},
		{"truncated", bolttest.TruncateHalf, "truncated"},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir, path := checkedDatabase(t)
			damage.do(t, path)
			before := bolttest.SHA256(t, path)
			code, _, stderr := runCLI(t, "tokens", "create", "--data", dir, "--role", "admin", "--name", "second")
			if code != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, damage.want) {
				t.Fatalf("tokens create on a %s file: exit %d, stderr %q", damage.name, code, stderr)
			}
			withStdin(t, "lighthouse keeper biscuit\n")
			code, _, stderr = runCLI(t, "users", "create", "--role", "admin", "--name", "Someone", "--email", "someone@example.org", "--data", dir)
			if code != 1 || !strings.Contains(stderr, damage.want) {
				t.Fatalf("users create on a %s file: exit %d, stderr %q", damage.name, code, stderr)
			}
			if bolttest.SHA256(t, path) != before {
				t.Fatalf("a writing command changed the %s file", damage.name)
			}
		})
	}
	// A new data directory is still made, for the first token.
	dir := filepath.Join(t.TempDir(), "new")
	createToken(t, dir, "--role", "admin", "--name", "first")
	if code, stdout, stderr := runCLI(t, "check", "--data", dir); code != 0 {
		t.Fatalf("check of a new database: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestReadOnlyCommandsRefuseAnOlderSchema(t *testing.T) {
	dir, path := checkedDatabase(t)
	alterStore(t, dir, func(tx store.WriteTx) error {
		return tx.Put(store.BucketMeta, []byte("schema_version"), []byte{0, 0, 0, store.SchemaVersion - 1})
	})
	before := bolttest.SHA256(t, path)
	code, _, stderr := runCLI(t, "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "rightsdesk serve") || !strings.Contains(stderr, path) {
		t.Fatalf("audit verify of an older schema: exit %d, stderr %q", code, stderr)
	}
	if bolttest.SHA256(t, path) != before {
		t.Fatal("audit verify migrated the database")
	}
}
