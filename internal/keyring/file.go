package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// EnvVar is the environment variable FromEnv reads.
const EnvVar = "RIGHTSDESK_KEK"

// A keyring is written as a JSON document (version 1):
//
//	{
//	  "format": "rightsdesk-keyring",
//	  "version": 1,
//	  "current": "kek-20260501-3f9a1c2e",
//	  "keys": [
//	    {"id": "kek-20250101-0b1c2d3e", "created": "2025-01-01T09:00:00Z",
//	     "retired": true, "retired_at": "2026-05-02T09:00:00Z", "key": "<base64>"},
//	    {"id": "kek-20260501-3f9a1c2e", "created": "2026-05-01T09:00:00Z",
//	     "retired": false, "key": "<base64>"}
//	  ]
//	}
//
// A file or the environment may instead hold one bare key: 32 random bytes,
// raw or in base64. It is named after itself (see bareKeyID), and the first
// rotation writes it out as a document.
const (
	documentFormat  = "rightsdesk-keyring"
	documentVersion = 1
)

type document struct {
	Format  string        `json:"format"`
	Version int           `json:"version"`
	Current string        `json:"current"`
	Keys    []documentKey `json:"keys"`
}

type documentKey struct {
	ID        string     `json:"id"`
	Created   *time.Time `json:"created,omitempty"`
	Retired   bool       `json:"retired"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	Key       []byte     `json:"key"`
}

// maxFileSize bounds what LoadFile reads: a keyring of a thousand keys is
// far smaller.
const maxFileSize = 1 << 20

// maxLocalKeyIDLength bounds the ids a keyring document may use.
const maxLocalKeyIDLength = 64

// ErrUnsafeFile means a keyring file is where others can read it: too open
// a mode, or inside the data directory (and so in every backup of it).
var ErrUnsafeFile = errors.New("keyring: unsafe keyring file")

// Parse reads a keyring from a file's bytes: a keyring document, one bare
// key in base64, or one bare key as 32 raw bytes. Error messages never
// quote the input: it is key material.
func Parse(data []byte) (*Keyring, error) { return parse(data, true) }

func parse(data []byte, allowRaw bool) (*Keyring, error) {
	// Raw bytes first: one random key in 256 starts with "{", and no
	// keyring document is as short as a key.
	trimmed := bytes.TrimSpace(data)
	switch {
	case allowRaw && len(data) == KeySize && !printable(data):
		return bareKeyring(data)
	case bytes.HasPrefix(trimmed, []byte("{")):
		return parseDocument(trimmed)
	}
	key, err := decodeBase64(trimmed)
	if err != nil || len(key) != KeySize {
		return nil, errors.New("keyring: not a keyring: expected a keyring JSON document, or one key of 32 random bytes (raw, or in base64: 44 characters)")
	}
	return bareKeyring(key)
}

// printable reports whether b is all printable ASCII, which 32 random
// bytes are with odds of about 1 in 10^14: such a "raw key" is a password
// or a typo, and is refused rather than used as a weak key.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func decodeBase64(s []byte) ([]byte, error) {
	s = bytes.TrimRight(s, "=")
	if bytes.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(string(s))
	}
	return base64.RawStdEncoding.DecodeString(string(s))
}

func bareKeyring(material []byte) (*Keyring, error) {
	if err := checkMaterial("the key", material); err != nil {
		return nil, err
	}
	id := bareKeyID(material)
	k, err := newKEK(id, material, time.Time{})
	if err != nil {
		return nil, err
	}
	return &Keyring{current: id, keys: []*kek{k}}, nil
}

func checkMaterial(what string, material []byte) error {
	if len(material) != KeySize {
		return fmt.Errorf("keyring: %s is %d bytes; a key-encryption key is %d random bytes", what, len(material), KeySize)
	}
	if bytes.Count(material, material[:1]) == len(material) {
		return fmt.Errorf("keyring: %s is one byte repeated, not random bytes", what)
	}
	return nil
}

func parseDocument(data []byte) (*Keyring, error) {
	// The format and version first, leniently: a newer document has fields
	// this build does not know, and should say so rather than name a field.
	// Unmarshal also refuses anything after the document.
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError(err)
	}
	if head.Format != documentFormat {
		return nil, fmt.Errorf("keyring: not a keyring document (format %q, expected %q)", head.Format, documentFormat)
	}
	if head.Version != documentVersion {
		return nil, fmt.Errorf("keyring: keyring document version %d; this build reads version %d (a newer build wrote it?)", head.Version, documentVersion)
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(err)
	}
	return fromDocument(doc)
}

// jsonError describes a decoding error by position and field only: the
// json package's own messages can quote the input.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("keyring: keyring document is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Type == reflect.TypeFor[[]byte]():
		// Go 1.27's decoder reports bad base64 this way; earlier ones
		// reached the default below.
		return fmt.Errorf("keyring: keyring document: %q is not valid base64 (at byte %d)", typ.Field, typ.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("keyring: keyring document: %q has the wrong type (at byte %d)", typ.Field, typ.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("keyring: keyring document: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return errors.New("keyring: keyring document is not valid JSON (or a key is not valid base64)")
}

func fromDocument(doc document) (*Keyring, error) {
	if len(doc.Keys) == 0 {
		return nil, errors.New("keyring: the keyring document holds no key")
	}
	r := &Keyring{current: doc.Current}
	seen := map[string]string{} // check value → id, to catch a key pasted twice
	for i, dk := range doc.Keys {
		if err := checkLocalKeyID(dk.ID); err != nil {
			return nil, fmt.Errorf("keyring: key %d: %w", i+1, err)
		}
		if r.key(dk.ID) != nil {
			return nil, fmt.Errorf("keyring: two keys have the id %q", dk.ID)
		}
		if err := checkMaterial(fmt.Sprintf("key %q", dk.ID), dk.Key); err != nil {
			return nil, err
		}
		k, err := newKEK(dk.ID, dk.Key, timeOrZero(dk.Created))
		if err != nil {
			return nil, err
		}
		if other, ok := seen[string(k.check)]; ok {
			return nil, fmt.Errorf("keyring: keys %q and %q are the same key", other, dk.ID)
		}
		seen[string(k.check)] = dk.ID
		if !dk.Retired && dk.RetiredAt != nil {
			return nil, fmt.Errorf("keyring: key %q has a retired_at date but is not retired", dk.ID)
		}
		k.retired, k.retiredAt = dk.Retired, timeOrZero(dk.RetiredAt)
		r.keys = append(r.keys, k)
	}
	switch cur := r.key(doc.Current); {
	case cur == nil:
		return nil, fmt.Errorf("keyring: the current key %q is not among the keys (%s)", doc.Current, r.ids())
	case cur.retired:
		return nil, fmt.Errorf("keyring: the current key %q is retired; a retired key cannot wrap new keys", doc.Current)
	}
	return r, nil
}

func checkLocalKeyID(id string) error {
	if id == "" || len(id) > maxLocalKeyIDLength {
		return fmt.Errorf("a key id is 1 to %d characters, not %d", maxLocalKeyIDLength, len(id))
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("key id %q: only a-z, 0-9, '-', '_' and '.'", id)
		}
	}
	return nil
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Encode returns the keyring as a keyring document — key material in
// clear, for a file with Create or Save, or for a secret store that feeds
// RIGHTSDESK_KEK. Nothing else should ever see it.
func (r *Keyring) Encode() []byte {
	doc := document{Format: documentFormat, Version: documentVersion, Current: r.current}
	for _, k := range r.keys {
		doc.Keys = append(doc.Keys, documentKey{ID: k.id, Created: timeOrNil(k.created), Retired: k.retired, RetiredAt: timeOrNil(k.retiredAt), Key: k.material})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("keyring: encoding a keyring document: " + err.Error()) // only strings, times and bytes
	}
	return append(out, '\n')
}

// FromEnv reads the keyring from EnvVar through lookup (os.LookupEnv in
// production): a keyring document, or one bare key in base64 (raw bytes do
// not survive an environment).
func FromEnv(lookup func(string) (string, bool)) (*Keyring, error) {
	v, ok := lookup(EnvVar)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("keyring: %s is not set", EnvVar)
	}
	r, err := parse([]byte(v), false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvVar, err)
	}
	return r, nil
}

// LoadFile reads a keyring file. It refuses, with ErrUnsafeFile, a file
// that others than its owner may read or write (mode looser than 0600) and
// one inside dataDir, where it would travel in every copy and backup of the
// data it protects; symbolic links are followed first, so a link cannot
// hide either. An empty dataDir means the store has no local directory
// (etcd), and skips that check.
func LoadFile(path, dataDir string) (*Keyring, error) {
	if err := checkOutside(path, dataDir); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnsafeFile, path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, which lets other users at it; it must be 0600 or stricter (chmod 600 %s)", ErrUnsafeFile, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyring: %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("keyring: %s is over %d bytes: not a keyring", path, maxFileSize)
	}
	r, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// checkOutside refuses a keyring path inside dataDir (or equal to it).
func checkOutside(path, dataDir string) error {
	if dataDir == "" {
		return nil
	}
	p, err := resolve(path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	d, err := resolve(dataDir)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return nil // on another volume: outside
	}
	if rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%w: %s is inside the data directory %s, so every copy of the data would carry its key; keep the keyring elsewhere (for example /etc/rightsdesk)", ErrUnsafeFile, path, dataDir)
	}
	return nil
}

// resolve makes p absolute with every symbolic link in it followed, as far
// as it exists: the data directory may not exist yet on a first start, nor
// the keyring before Create.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// Create writes the keyring to a new file at path with mode 0600, and
// refuses to replace an existing file: overwriting a keyring would destroy
// every key it held. It refuses a path inside dataDir, as LoadFile does.
func (r *Keyring) Create(path, dataDir string) error {
	return r.write(path, dataDir, func(tmp string) error {
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("keyring: %s already exists; a keyring is never overwritten by init", path)
			}
			return fmt.Errorf("keyring: %w", err)
		}
		return nil
	})
}

// Save replaces the keyring file at path atomically (a rename), mode 0600:
// a crash leaves the old file or the new one, never half of either. After a
// rotation the new keyring holds every key of the old one, so a server
// still using the old file keeps working until it reloads.
func (r *Keyring) Save(path, dataDir string) error {
	return r.write(path, dataDir, func(tmp string) error {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("keyring: %w", err)
		}
		return nil
	})
}

func (r *Keyring) write(path, dataDir string, place func(tmp string) error) error {
	if err := checkOutside(path, dataDir); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".keyring-*") // mode 0600
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after Link, the new name keeps the file
	_, err = f.Write(r.Encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keyring: writing %s: %w", path, err)
	}
	if err := place(tmp); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a new name in dir survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("keyring: syncing %s: %w", dir, err)
	}
	return nil
}
