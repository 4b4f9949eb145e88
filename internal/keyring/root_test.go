package keyring_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func TestRootSurvivesRotationWithTheSameHashes(t *testing.T) {
	r1 := newKeyring(t)
	root, w, err := keyring.NewRoot(ctx, r1)
	if err != nil {
		t.Fatal(err)
	}
	term := []byte("ada@example.org")
	before := root.Hasher("requester-term").Sum(term)
	session := root.DataKey("web-session").Seal([]byte("answers"), keyring.AssociatedData("session-1", "answers"))

	r2, _, err := r1.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := keyring.Rewrap(ctx, r2, w)
	if err != nil {
		t.Fatal(err)
	}
	r3, err := r2.Retire(r1.Current(), t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := keyring.OpenRoot(ctx, r3, w2)
	if err != nil {
		t.Fatal(err)
	}
	if after := again.Hasher("requester-term").Sum(term); !bytes.Equal(before, after) {
		t.Fatal("rotation changed the keyed hashes: every index would need rebuilding")
	}
	if got, err := again.DataKey("web-session").Open(session, keyring.AssociatedData("session-1", "answers")); err != nil || string(got) != "answers" {
		t.Fatalf("a session sealed before rotation: %q, %v", got, err)
	}
	if _, err := keyring.OpenRoot(ctx, r3, w); !errors.Is(err, keyring.ErrRetiredKey) {
		t.Fatalf("the root wrapped with the retired key: %v", err)
	}
	if _, err := keyring.OpenRoot(ctx, newKeyring(t), w2); !errors.Is(err, keyring.ErrUnknownKey) {
		t.Fatalf("another keyring opened the root: %v", err)
	}
}

func TestHashersArePerPurposeAndPerInstallation(t *testing.T) {
	r := newKeyring(t)
	root1, _, err := keyring.NewRoot(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	root2, _, err := keyring.NewRoot(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	term := []byte("ada@example.org")
	emails := root1.Hasher("requester-term")
	sums := map[string]string{
		"one purpose":          string(emails.Sum(term)),
		"another purpose":      string(root1.Hasher("status-code").Sum(term)),
		"another installation": string(root2.Hasher("requester-term").Sum(term)),
		"another input":        string(emails.Sum([]byte("ada@example.com"))),
	}
	seen := map[string]string{}
	for name, s := range sums {
		if len(s) != keyring.SumSize {
			t.Errorf("%s: %d bytes", name, len(s))
		}
		if other, dup := seen[s]; dup {
			t.Errorf("%s and %s hash alike", name, other)
		}
		seen[s] = name
	}
	if !bytes.Equal(emails.Sum(term), root1.Hasher("requester-term").Sum(term)) {
		t.Error("the same purpose gives different hashes")
	}
	if !emails.Equal(emails.Sum(term), term) || emails.Equal(emails.Sum(term), []byte("ada@example.com")) || emails.Equal(nil, term) {
		t.Error("Hasher.Equal is wrong")
	}
}

// The hasher is HMAC-SHA-256 under HKDF(root, label + purpose), so a
// reader of the documentation can recompute it, and DataKey(purpose) is
// HKDF with its own label.
func TestHasherIsTheDocumentedDerivation(t *testing.T) {
	secret := material(11)
	kek := mustParse(t, material(12))
	wrapped, id, err := kek.Wrap(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	root, err := keyring.OpenRoot(ctx, kek, keyring.WrappedKey{KeyID: id, Wrapped: wrapped})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := hkdf.Key(sha256.New, secret, nil, "rightsdesk/root/hash/v1/status-code", 32)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("ABCD-1234"))
	if got := root.Hasher("status-code").Sum([]byte("ABCD-1234")); !bytes.Equal(got, mac.Sum(nil)) {
		t.Fatalf("Sum = %x; want %x", got, mac.Sum(nil))
	}
	dk, _ := hkdf.Key(sha256.New, secret, nil, "rightsdesk/root/data-key/v1/web-session", 32)
	want, err := keyring.DataKeyFrom(dk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := want.Open(root.DataKey("web-session").Seal([]byte("x"), nil), nil); err != nil {
		t.Fatalf("DataKey(purpose) is not the documented derivation: %v", err)
	}
}

func TestOpenRootRefusesAWrongSize(t *testing.T) {
	kek := newKeyring(t)
	wrapped, id, err := kek.Wrap(ctx, make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.OpenRoot(ctx, kek, keyring.WrappedKey{KeyID: id, Wrapped: wrapped}); err == nil {
		t.Fatal("a 16-byte root was accepted")
	}
}

func TestHasherIsSafeForConcurrentUse(t *testing.T) {
	root, _, err := keyring.NewRoot(ctx, newKeyring(t))
	if err != nil {
		t.Fatal(err)
	}
	h := root.Hasher("requester-term")
	want := h.Sum([]byte("ada"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if !bytes.Equal(h.Sum([]byte("ada")), want) {
					t.Error("a concurrent Sum differs")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPurposesAreRequired(t *testing.T) {
	root, _, err := keyring.NewRoot(ctx, newKeyring(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"Hasher":  func() { root.Hasher("") },
		"DataKey": func() { root.DataKey("") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with no purpose did not panic", name)
				}
			}()
			f()
		}()
	}
}
