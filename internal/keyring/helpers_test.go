package keyring_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
)

// material returns 32 bytes that are not a repeated byte, different for
// each seed, so tests can name keys they can rebuild.
func material(seed byte) []byte {
	b := make([]byte, keyring.KeySize)
	for i := range b {
		b[i] = seed + byte(i)*7
	}
	return b
}

func newKeyring(t testing.TB) *keyring.Keyring {
	t.Helper()
	r, err := keyring.NewKeyring(t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// documentWith writes a keyring document by hand, as an operator editing
// the file would, from "id:seed[:retired]" entries, seed a digit for material.
func documentWith(current string, keys ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"format": "rightsdesk-keyring", "version": 1, "current": "` + current + `", "keys": [`)
	for i, k := range keys {
		parts := strings.Split(k, ":")
		if i > 0 {
			b.WriteString(",")
		}
		retired := len(parts) > 2 && parts[2] == "retired"
		b.WriteString(`{"id": "` + parts[0] + `", "created": "2026-01-01T00:00:00Z", "retired": ` + map[bool]string{true: "true", false: "false"}[retired] + `, "key": "` + base64.StdEncoding.EncodeToString(material(parts[1][0]-'0')) + `"}`)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func mustParse(t testing.TB, data []byte) *keyring.Keyring {
	t.Helper()
	r, err := keyring.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sealCase seals a fictitious case's personal part, as a store codec would.
func sealCase(t testing.TB, k *keyring.DataKey, caseID string, personal []byte) []byte {
	t.Helper()
	return k.Seal(personal, keyring.AssociatedData(caseID, "personal"))
}

// containsAny reports whether haystack holds any of needles, so tests can
// show that neither plaintext nor key material leaks.
func containsAny(haystack []byte, needles ...[]byte) bool {
	for _, n := range needles {
		if len(n) > 0 && bytes.Contains(haystack, n) {
			return true
		}
	}
	return false
}
