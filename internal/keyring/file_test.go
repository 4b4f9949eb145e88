package keyring_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func TestParseAcceptsEachSource(t *testing.T) {
	raw := material(6)
	want := mustParse(t, raw).Current()
	for name, data := range map[string][]byte{
		"raw bytes":               raw,
		"base64":                  []byte(base64.StdEncoding.EncodeToString(raw)),
		"base64 with a newline":   []byte(base64.StdEncoding.EncodeToString(raw) + "\n"),
		"base64 without padding":  []byte(base64.RawStdEncoding.EncodeToString(raw)),
		"URL-safe base64":         []byte(base64.URLEncoding.EncodeToString(raw)),
		"a document with the key": documentWith(want, want+":6"),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := keyring.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Current() != want || len(r.Keys()) != 1 {
				t.Fatalf("Parse: current %q, keys %+v; want the one key %q", r.Current(), r.Keys(), want)
			}
		})
	}
}

// One random key in 256 starts with "{": it is still a raw key.
func TestParseTakesRawBytesThatLookLikeJSONAsAKey(t *testing.T) {
	raw := append([]byte(" {"), material(6)[2:]...)
	r, err := keyring.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustParse(t, []byte(base64.StdEncoding.EncodeToString(raw))).Current(); r.Current() != want {
		t.Fatalf("Parse = key %q; want %q", r.Current(), want)
	}
}

// Every refusal names the problem, and no message quotes the input: it is
// key material.
func TestParseRefuses(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(material(7))
	doc := func(s string) []byte { return []byte(strings.ReplaceAll(s, "KEY", key)) }
	for _, tc := range []struct {
		name string
		data []byte
		says string
	}{
		{"nothing", nil, "not a keyring"},
		{"a password of 32 characters", []byte("correct-horse-battery-staple-123"), "not a keyring"},
		{"a short key", []byte(base64.StdEncoding.EncodeToString(material(7)[:16])), "not a keyring"},
		{"a long key", []byte(base64.StdEncoding.EncodeToString(append(material(7), 1))), "not a keyring"},
		{"zeros", []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), "one byte repeated"},
		{"raw zeros", make([]byte, 32), "one byte repeated"},
		{"not base64", []byte(key[:40] + "!!!!"), "not a keyring"},
		{"another format", doc(`{"format": "something-else", "version": 1}`), `format "something-else"`},
		{"a newer version", doc(`{"format": "rightsdesk-keyring", "version": 2, "kms": {}, "current": "a", "keys": []}`), "version 2; this build reads version 1"},
		{"an unknown field", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": "KEY", "algorithm": "x"}]}`), `unknown field "algorithm"`},
		{"no keys", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": []}`), "holds no key"},
		{"no current", doc(`{"format": "rightsdesk-keyring", "version": 1, "keys": [{"id": "a", "key": "KEY"}]}`), `current key "" is not among the keys`},
		{"a current key that is retired", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "retired": true, "key": "KEY"}]}`), "is retired"},
		{"two keys with one id", documentWith("a", "a:1", "a:2"), `two keys have the id "a"`},
		{"one key under two ids", documentWith("a", "a:1", "b:1"), `keys "a" and "b" are the same key`},
		{"an id with capitals", documentWith("A", "A:1"), "only a-z"},
		{"an empty id", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "", "keys": [{"id": "", "key": "KEY"}]}`), "a key id is 1 to 64"},
		{"a short key in a document", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": "AAEC"}]}`), "is 3 bytes"},
		{"a key that is not base64", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": "KEY!"}]}`), "not valid base64"},
		{"a retirement date on a key in use", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": "KEY", "retired_at": "2026-01-01T00:00:00Z"}]}`), "retired_at date but is not retired"},
		{"broken JSON", doc(`{"format": "rightsdesk-keyring", "version": 1, "keys": [{"id": "a", "key": "KEY"`), "not valid JSON"},
		{"a number for a string", doc(`{"format": "rightsdesk-keyring", "version": 1, "current": 7, "keys": []}`), `"current" has the wrong type`},
		{"a second document after the first", append(documentWith("a", "a:1"), documentWith("a", "a:1")...), "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := keyring.Parse(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Parse = %v; want an error saying %q", err, tc.says)
			}
			if strings.Contains(err.Error(), key[:12]) || strings.Contains(err.Error(), "correct-horse") {
				t.Fatalf("the error quotes the input: %v", err)
			}
		})
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	r1 := newKeyring(t)
	w, err := keyring.WrapDataKey(ctx, r1, keyring.NewDataKey())
	if err != nil {
		t.Fatal(err)
	}
	r2, _, err := r1.Rotate(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r3, _, err := r2.Rotate(t0.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r3, err = r3.Retire(r2.Current(), t0.Add(3*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, r3.Encode())
	if got, want := back.Keys(), r3.Keys(); len(got) != 3 || !equalInfos(got, want) {
		t.Fatalf("round trip: %+v; want %+v", got, want)
	}
	if !back.Check().Equal(r3.Check()) {
		t.Fatal("round trip changed the keys")
	}
	if _, err := keyring.UnwrapDataKey(ctx, back, w); err != nil {
		t.Fatalf("the parsed keyring does not unwrap what the first key wrapped: %v", err)
	}
}

func equalInfos(a, b []keyring.KeyInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || !a[i].Created.Equal(b[i].Created) || a[i].Current != b[i].Current || a[i].Retired != b[i].Retired || !a[i].RetiredAt.Equal(b[i].RetiredAt) {
			return false
		}
	}
	return true
}

func TestABareKeyBecomesADocumentOnRotation(t *testing.T) {
	bare := mustParse(t, material(8))
	if info := bare.Keys()[0]; !info.Created.IsZero() {
		t.Errorf("a bare key has no creation date to tell: %+v", info)
	}
	rotated, _, err := bare.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, rotated.Encode())
	if err := back.Verify(bare.Check()); err != nil {
		t.Fatalf("the rotated document lost the bare key: %v", err)
	}
	if bytes.Contains(rotated.Encode(), []byte(`"created"`+": \"0001")) {
		t.Error("a bare key's unknown creation date is written as year 1")
	}
}

func TestLoadFileChecksModeAndPlace(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(path string, mode os.FileMode) string {
		t.Helper()
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(material(9))), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return path
	}
	outside := write(filepath.Join(dir, "keyring"), 0o600)
	inside := write(filepath.Join(dataDir, "keyring"), 0o600)
	if err := os.Symlink(inside, filepath.Join(dir, "link-inside")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "alias")); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, path, dataDir string
		unsafe              bool
		says                string
	}{
		{"mode 0600 outside", outside, dataDir, false, ""},
		{"mode 0400", write(filepath.Join(dir, "k0400"), 0o400), dataDir, false, ""},
		{"no data directory to keep out of", inside, "", false, ""},
		{"a data directory not made yet", outside, filepath.Join(dir, "new", "data"), false, ""},
		{"mode 0644", write(filepath.Join(dir, "k0644"), 0o644), dataDir, true, "mode 0644"},
		{"mode 0640", write(filepath.Join(dir, "k0640"), 0o640), dataDir, true, "chmod 600"},
		{"mode 0602", write(filepath.Join(dir, "k0602"), 0o602), dataDir, true, "0600 or stricter"},
		{"inside the data directory", inside, dataDir, true, "inside the data directory"},
		{"a link to a file inside", filepath.Join(dir, "link-inside"), dataDir, true, "inside the data directory"},
		{"inside, through a linked parent", filepath.Join(dir, "alias", "data", "keyring"), dataDir, true, "inside the data directory"},
		{"inside, named relatively", inside, filepath.Join(dir, "data", "..", "data"), true, "inside the data directory"},
		{"the data directory itself", dataDir, dataDir, true, "inside the data directory"},
		{"a directory", dir, dataDir, true, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := keyring.LoadFile(tc.path, tc.dataDir)
			if !tc.unsafe {
				if err != nil || r.Current() == "" {
					t.Fatalf("LoadFile = %v", err)
				}
				return
			}
			if !errors.Is(err, keyring.ErrUnsafeFile) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("LoadFile = %v; want ErrUnsafeFile saying %q", err, tc.says)
			}
		})
	}
	if _, err := keyring.LoadFile(filepath.Join(dir, "missing"), dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing keyring: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte{' '}, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.LoadFile(big, dataDir); err == nil || !strings.Contains(err.Error(), "not a keyring") {
		t.Errorf("a 1 MiB file: %v", err)
	}
}

func TestCreateAndSave(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	path := filepath.Join(dir, "keyring.json")
	r := newKeyring(t)
	if err := r.Create(path, dataDir); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path)
	loaded, err := keyring.LoadFile(path, dataDir)
	if err != nil || !loaded.Check().Equal(r.Check()) {
		t.Fatalf("LoadFile after Create = %v, %v", loaded, err)
	}

	other := newKeyring(t)
	if err := other.Create(path, dataDir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Create over an existing keyring = %v", err)
	}
	if loaded, _ := keyring.LoadFile(path, dataDir); !loaded.Check().Equal(r.Check()) {
		t.Fatal("a refused Create changed the keyring")
	}

	rotated, _, err := r.Rotate(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := rotated.Save(path, dataDir); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path)
	if loaded, err := keyring.LoadFile(path, dataDir); err != nil || !loaded.Check().Equal(rotated.Check()) {
		t.Fatalf("LoadFile after Save = %v, %v", loaded, err)
	}

	for name, f := range map[string]func() error{
		"Create": func() error { return r.Create(filepath.Join(dataDir, "keyring.json"), dataDir) },
		"Save":   func() error { return r.Save(filepath.Join(dataDir, "keyring.json"), dataDir) },
	} {
		if err := f(); !errors.Is(err, keyring.ErrUnsafeFile) {
			t.Errorf("%s inside the data directory = %v; want ErrUnsafeFile", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind in the keyring's directory: %v", entries)
	}
}

func checkMode(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %04o; want 0600", path, info.Mode().Perm())
	}
}

func TestFromEnv(t *testing.T) {
	raw := material(10)
	env := func(v string, set bool) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name != keyring.EnvVar {
				t.Fatalf("read %s", name)
			}
			return v, set
		}
	}
	want := mustParse(t, raw).Current()
	r, err := keyring.FromEnv(env(base64.StdEncoding.EncodeToString(raw), true))
	if err != nil || r.Current() != want {
		t.Fatalf("FromEnv(base64) = %v, %v", r, err)
	}
	doc := mustParse(t, documentWith("a", "a:1", "b:2"))
	if r, err := keyring.FromEnv(env(string(doc.Encode()), true)); err != nil || !r.Check().Equal(doc.Check()) {
		t.Fatalf("FromEnv(document) = %v, %v", r, err)
	}
	for name, e := range map[string]func(string) (string, bool){
		"unset":     env("", false),
		"empty":     env("  ", true),
		"raw bytes": env(string(raw), true),
	} {
		if _, err := keyring.FromEnv(e); err == nil || !strings.Contains(err.Error(), keyring.EnvVar) {
			t.Errorf("FromEnv, %s: %v; want an error naming %s", name, err, keyring.EnvVar)
		}
	}
}
