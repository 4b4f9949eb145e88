package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

func TestKeysInitWritesAPrivateKeyringOutsideTheData(t *testing.T) {
	root := t.TempDir()
	data, path := filepath.Join(root, "data"), filepath.Join(root, "keys", "keyring.json")
	code, stdout, stderr := runCLI(t, "keys", "init", "--out", path, "--data", data)
	if code != 0 || !strings.Contains(stdout, path) {
		t.Fatalf("keys init: exit %d, %q, %q", code, stdout, stderr)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the keyring file: %v, %v; want mode 0600", info, err)
	}
	before, _ := os.ReadFile(path)
	if code, _, stderr := runCLI(t, "keys", "init", "--out", path, "--data", data); code == 0 || !strings.Contains(stderr, "already exists") {
		t.Errorf("init over an existing keyring: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a second init changed the keyring")
	}
	if code, _, stderr := runCLI(t, "keys", "init", "--out", filepath.Join(data, "keyring.json"), "--data", data); code == 0 || !strings.Contains(stderr, "inside the data directory") {
		t.Errorf("init inside the data directory: exit %d, %q", code, stderr)
	}
}

// makeCases stores n cases in the bbolt database in dir through the
// domain code, with keys sealing them (nil: a store from before
// encryption), and returns their ids.
func makeCases(t *testing.T, dir string, keys *keyring.Keyring, n int) []string {
	t.Helper()
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var opts []store.OpenOption
	if keys != nil {
		opts = append(opts, store.WithKeyring(keys))
	}
	st, err := store.Open(t.Context(), b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddMissingNotices(t.Context(), st, notices); err != nil {
		t.Fatal(err)
	}
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clock.Fixed(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), rand.Reader)
	var ids []string
	for range n {
		res, err := w.Create(t.Context(), "token:test", cases.NewCase{
			Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
			ReceivedOn: "2026-02-27", Description: "Copies of my tickets.",
			Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Case.ID)
	}
	return ids
}

// readCases reads every case in dir with the keyring in the file at path.
func readCases(t *testing.T, dir, path string, ids []string) error {
	t.Helper()
	keys, err := keyring.LoadFile(path, dir)
	if err != nil {
		return err
	}
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer b.Close()
	st, err := store.OpenReadOnly(t.Context(), b, store.WithKeyring(keys))
	if err != nil {
		return err
	}
	return st.View(t.Context(), func(tx store.ReadTx) error {
		for _, id := range ids {
			c, err := store.GetCase(tx, id)
			if err != nil {
				return err
			}
			if c.Requester.Person.Email != "ada@example.org" {
				return errors.New("a case read back wrong")
			}
		}
		return nil
	})
}

// keys status shows what each key wraps; keys rotate re-wraps every data
// key under a new one without rewriting a case, and with --retire retires
// the old key; every case still reads with the rotated keyring.
func TestKeysRotateThenRetireKeepsEveryCaseReadable(t *testing.T) {
	root := t.TempDir()
	data, path := filepath.Join(root, "data"), filepath.Join(root, "keyring.json")
	if code, _, stderr := runCLI(t, "keys", "init", "--out", path, "--data", data); code != 0 {
		t.Fatalf("keys init: %s", stderr)
	}
	first, err := keyring.LoadFile(path, data)
	if err != nil {
		t.Fatal(err)
	}
	ids := makeCases(t, data, first, 3)
	code, stdout, stderr := runCLI(t, "keys", "status", "--keyring", path, "--data", data)
	if code != 0 || !strings.Contains(stdout, first.Current()) || !hasRow(stdout, first.Current(), "current", "4") {
		t.Fatalf("keys status: exit %d\n%s%s; want %s current wrapping 4 keys (3 cases and the root)", code, stdout, stderr, first.Current())
	}
	dbBefore := bolttest.SHA256(t, filepath.Join(data, bolt.FileName))
	code, stdout, stderr = runCLI(t, "keys", "rotate", "--retire", "--keyring", path, "--data", data)
	if code != 0 || !strings.Contains(stdout, "re-wrapped 4") || !strings.Contains(stdout, "Retired "+first.Current()) {
		t.Fatalf("keys rotate: exit %d\n%s%s", code, stdout, stderr)
	}
	if bolttest.SHA256(t, filepath.Join(data, bolt.FileName)) == dbBefore {
		t.Error("rotation changed nothing in the database")
	}
	rotated, err := keyring.LoadFile(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Current() == first.Current() {
		t.Fatal("the keyring file's current key did not change")
	}
	_, stdout, _ = runCLI(t, "keys", "status", "--keyring", path, "--data", data)
	if !hasRow(stdout, rotated.Current(), "current", "4") || !hasRow(stdout, first.Current(), "retired", "0") {
		t.Errorf("keys status after rotation:\n%s", stdout)
	}
	if err := readCases(t, data, path, ids); err != nil {
		t.Errorf("reading every case after rotation and retirement: %v", err)
	}
}

// hasRow reports whether a line of out starts with words[0] and holds the
// others.
func hasRow(out string, words ...string) bool {
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		ok := len(f) > 0 && f[0] == words[0]
		for _, w := range words[1:] {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// A store written before encryption: serve refuses it naming the command,
// keys migrate encrypts it, and serve's keyring then reads every case.
func TestKeysMigrateEncryptsAStoreFromBeforeEncryption(t *testing.T) {
	root := t.TempDir()
	data, path := filepath.Join(root, "data"), filepath.Join(root, "keyring.json")
	ids := makeCases(t, data, nil, 3)
	if code, _, stderr := runCLI(t, "keys", "init", "--out", path, "--data", data); code != 0 {
		t.Fatalf("keys init: %s", stderr)
	}
	docs, err := fsblob.Open(filepath.Join(data, "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	upload := []byte("%PDF-1.4\n% an old upload\n%%EOF\n")
	if _, err := docs.Put(t.Context(), strings.ToLower(ids[0])+"/requester/0123", bytes.NewReader(upload)); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, bolt.FileName)
	before := bolttest.SHA256(t, db)
	code, _, stderr := runCLI(t, "serve", "--data", data, "--keyring", path, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--admin-addr", "off")
	if code == 0 || !strings.Contains(stderr, "rightsdesk keys migrate") {
		t.Fatalf("serve on a store from before encryption: exit %d, %q; want a refusal naming keys migrate", code, stderr)
	}
	if bolttest.SHA256(t, db) != before {
		t.Error("the refused start changed the database file")
	}
	code, stdout, stderr := runCLI(t, "keys", "migrate", "--keyring", path, "--data", data)
	if code != 0 || !strings.Contains(stdout, "is encrypted") || !strings.Contains(stdout, "documents: 1 sealed") {
		t.Fatalf("keys migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t, "keys", "migrate", "--keyring", path, "--data", data); code != 0 || !strings.Contains(stdout, "already encrypted") {
		t.Errorf("keys migrate again: exit %d, %q", code, stdout)
	}
	if err := readCases(t, data, path, ids); err != nil {
		t.Errorf("reading every case after migration: %v", err)
	}
}

// serve without a keyring (no --keyring, nothing in the environment) says
// how to make one, and creates nothing.
func TestServeWithoutAKeyringSaysHowToMakeOne(t *testing.T) {
	t.Setenv(keyring.EnvVar, "")
	data := filepath.Join(t.TempDir(), "data")
	code, _, stderr := runCLI(t, "serve", "--data", data, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--admin-addr", "off")
	if code == 0 || !strings.Contains(stderr, "rightsdesk keys init --out FILE") || !strings.Contains(stderr, "--keyring FILE") {
		t.Fatalf("serve without a keyring: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused start left %s behind (%v)", data, err)
	}
}

// dev seed writes cases, so it needs the keyring: without one it stops
// before writing any, rather than make a store serve would refuse.
func TestDevSeedNeedsTheKeyring(t *testing.T) {
	t.Setenv(keyring.EnvVar, "")
	data := filepath.Join(t.TempDir(), "data")
	code, _, stderr := runCLI(t, "dev", "seed", "--data", data, "--cases", "3")
	if code == 0 || !strings.Contains(stderr, "RIGHTSDESK_KEYRING") {
		t.Fatalf("dev seed without a keyring: exit %d, %q", code, stderr)
	}
	b, err := bolt.Open(data, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.View(t.Context(), func(tx store.ReadTx) error {
		return tx.Scan(store.BucketCases, nil, func(_, _ []byte) (bool, error) {
			t.Error("dev seed without a keyring stored a case")
			return false, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
