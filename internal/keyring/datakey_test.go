package keyring_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func TestSealOpensOnlyWithTheSameKeyRecordAndField(t *testing.T) {
	k, other := keyring.NewDataKey(), keyring.NewDataKey()
	plain := []byte("Ada Example <ada@example.org>: please send me a copy of my data")
	sealed := k.Seal(plain, keyring.AssociatedData("01JCASEA", "requester"))

	got, err := k.Open(sealed, keyring.AssociatedData("01JCASEA", "requester"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v; want the plaintext back", got, err)
	}
	for _, tc := range []struct {
		name string
		key  *keyring.DataKey
		ad   []byte
	}{
		{"another case", k, keyring.AssociatedData("01JCASEB", "requester")},
		{"another field", k, keyring.AssociatedData("01JCASEA", "description")},
		{"the boundary moved between case and field", k, keyring.AssociatedData("01JCASEAr", "equester")},
		{"no associated data", k, nil},
		{"another case's key", other, keyring.AssociatedData("01JCASEA", "requester")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := tc.key.Open(sealed, tc.ad); !errors.Is(err, keyring.ErrAuthentication) {
				t.Fatalf("Open = %q, %v; want ErrAuthentication", got, err)
			}
		})
	}
}

func TestSealRoundTripsEverySize(t *testing.T) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "notes/1")
	for _, n := range []int{0, 1, 15, 16, 17, 3000, 1 << 20} {
		plain := bytes.Repeat([]byte{'x'}, n)
		sealed := k.Seal(plain, ad)
		if len(sealed) != n+keyring.Overhead {
			t.Errorf("%d bytes seal to %d; want %d", n, len(sealed), n+keyring.Overhead)
		}
		got, err := k.Open(sealed, ad)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: Open = %d bytes, %v", n, len(got), err)
		}
	}
}

func TestEveryChangedByteIsRefused(t *testing.T) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "personal")
	sealed := k.Seal([]byte("Flat 2, 1 Example Street"), ad)
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		_, err := k.Open(bad, ad)
		if i == 0 {
			if !errors.Is(err, keyring.ErrMalformed) {
				t.Errorf("version byte changed: %v; want ErrMalformed", err)
			}
			continue
		}
		if !errors.Is(err, keyring.ErrAuthentication) {
			t.Errorf("byte %d changed: Open = %v; want ErrAuthentication", i, err)
		}
	}
	for _, cut := range []int{0, 1, keyring.Overhead - 1, len(sealed) - 1} {
		if _, err := k.Open(sealed[:cut], ad); err == nil {
			t.Errorf("cut to %d bytes: opened", cut)
		}
	}
	if _, err := k.Open(append(bytes.Clone(sealed), 0), ad); !errors.Is(err, keyring.ErrAuthentication) {
		t.Errorf("a byte appended: %v; want ErrAuthentication", err)
	}
}

func TestSealNeverRepeatsANonceNorShowsThePlaintext(t *testing.T) {
	k := keyring.NewDataKey()
	plain := []byte("ada@example.org")
	seen := map[string]bool{}
	for range 10000 {
		sealed := k.Seal(plain, nil)
		nonce := string(sealed[1:13])
		if seen[nonce] {
			t.Fatal("a nonce repeated")
		}
		seen[nonce] = true
		if containsAny(sealed, plain, []byte("example")) {
			t.Fatal("the envelope contains the plaintext")
		}
	}
}

// The envelope is the documented layout, built here with the standard
// library alone, so a change to the format cannot pass unnoticed and
// stored data written by this version stays readable.
func TestTheEnvelopeIsTheDocumentedFormat(t *testing.T) {
	raw := material(1)
	k, err := keyring.DataKeyFrom(raw)
	if err != nil {
		t.Fatal(err)
	}
	nonce, _ := hex.DecodeString("000102030405060708090a0b")
	ad := keyring.AssociatedData("01JCASE", "requester")
	block, _ := aes.NewCipher(raw)
	gcm, _ := cipher.NewGCM(block)
	envelope := gcm.Seal(append([]byte{1}, nonce...), nonce, []byte("Ada Example"), ad)

	got, err := k.Open(envelope, ad)
	if err != nil || string(got) != "Ada Example" {
		t.Fatalf("Open of a hand-built envelope = %q, %v", got, err)
	}
	// And the associated data is the documented encoding.
	want := "rightsdesk/field/v1\x0701JCASE\x09requester"
	if string(ad) != want {
		t.Errorf("AssociatedData = %q; want %q", ad, want)
	}
}

func TestAssociatedDataIsUnambiguous(t *testing.T) {
	pairs := [][2]string{{"ab", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}, {"a\x01b", "c"}, {"a", "\x01bc"}, {strings.Repeat("r", 200), "f"}}
	seen := map[string][2]string{}
	for _, p := range pairs {
		ad := string(keyring.AssociatedData(p[0], p[1]))
		if q, dup := seen[ad]; dup {
			t.Errorf("%q and %q give the same associated data", p, q)
		}
		seen[ad] = p
	}
}

func TestDataKeyFromRefusesAWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := keyring.DataKeyFrom(make([]byte, n)); err == nil {
			t.Errorf("a %d-byte data key was accepted", n)
		}
	}
	raw := material(2)
	k, err := keyring.DataKeyFrom(raw)
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("x"), nil)
	raw[0] ^= 0xff // the caller's buffer, reused
	if _, err := k.Open(sealed, nil); err != nil {
		t.Fatalf("the data key shares its caller's buffer: %v", err)
	}
}

// Keys must never reach a log or an error message, however printed.
func TestKeysFormatRedacted(t *testing.T) {
	raw := material(3)
	k, _ := keyring.DataKeyFrom(raw)
	r := mustParse(t, raw)
	root, _, err := keyring.NewRoot(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	h := root.Hasher("test")
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	log.Info("keys", "data_key", k, "keyring", r, "root", root, "hasher", h)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		for _, v := range []any{k, r, root, h, *k, *r, *root} {
			out := fmt.Sprintf(verb, v)
			if containsAny([]byte(out), []byte(hex.EncodeToString(raw)), []byte(hex.EncodeToString(raw[:8])), []byte(fmt.Sprint(raw[:8]))) {
				t.Errorf("%s of %T shows key material: %s", verb, v, out)
			}
		}
	}
	if containsAny(logged.Bytes(), []byte(hex.EncodeToString(raw[:8])), []byte(base64.StdEncoding.EncodeToString(raw[:6]))) {
		t.Errorf("the log shows key material: %s", logged.String())
	}
	if !strings.Contains(fmt.Sprint(r), r.Current()) {
		t.Errorf("a keyring should print its key ids: %v", r)
	}
}
