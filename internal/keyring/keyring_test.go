package keyring_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The keyring is a KeyEncryptionKey; so must any provider added later.
var _ keyring.KeyEncryptionKey = (*keyring.Keyring)(nil)

func TestWrapUnwrapRoundTrip(t *testing.T) {
	r := newKeyring(t)
	k := keyring.NewDataKey()
	w, err := keyring.WrapDataKey(ctx, r, k)
	if err != nil {
		t.Fatal(err)
	}
	if w.KeyID != r.Current() {
		t.Errorf("wrapped with %q; the current key is %q", w.KeyID, r.Current())
	}
	back, err := keyring.UnwrapDataKey(ctx, r, w)
	if err != nil {
		t.Fatal(err)
	}
	ad := keyring.AssociatedData("01JCASE", "requester")
	if got, err := back.Open(k.Seal([]byte("Ada Example"), ad), ad); err != nil || string(got) != "Ada Example" {
		t.Fatalf("the unwrapped key does not open what the original sealed: %q, %v", got, err)
	}
}

func TestUnwrapRefuses(t *testing.T) {
	r := newKeyring(t)
	w, err := keyring.WrapDataKey(ctx, r, keyring.NewDataKey())
	if err != nil {
		t.Fatal(err)
	}
	other := newKeyring(t) // another installation's keyring, same day
	flipped := bytes.Clone(w.Wrapped)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name string
		kek  keyring.KeyEncryptionKey
		w    keyring.WrappedKey
		want error
	}{
		{"a key the keyring does not hold", other, w, keyring.ErrUnknownKey},
		{"a changed byte", r, keyring.WrappedKey{KeyID: w.KeyID, Wrapped: flipped}, keyring.ErrAuthentication},
		{"too short", r, keyring.WrappedKey{KeyID: w.KeyID, Wrapped: w.Wrapped[:20]}, keyring.ErrMalformed},
		{"another version", r, keyring.WrappedKey{KeyID: w.KeyID, Wrapped: append([]byte{2}, w.Wrapped[1:]...)}, keyring.ErrMalformed},
		{"nothing", r, keyring.WrappedKey{KeyID: w.KeyID}, keyring.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := keyring.UnwrapDataKey(ctx, tc.kek, tc.w); !errors.Is(err, tc.want) {
				t.Fatalf("UnwrapDataKey = %v; want %v", err, tc.want)
			}
		})
	}
	if _, err := keyring.UnwrapDataKey(ctx, other, w); err == nil || !strings.Contains(err.Error(), w.KeyID) {
		t.Errorf("an unknown key's error should name it: %v", err)
	}
}

// A wrapped key is the documented layout under a wrapping key derived with
// HKDF from the key-encryption key, rebuilt here with the standard library
// alone; the key id is bound as associated data.
func TestTheWrappedKeyIsTheDocumentedFormat(t *testing.T) {
	raw := material(4)
	r := mustParse(t, raw)
	wrapKey, err := hkdf.Key(sha256.New, raw, nil, "rightsdesk/kek/wrap/v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(wrapKey)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	dataKey := material(5)
	ad := append([]byte("rightsdesk/wrap/v1\x00"), r.Current()...)
	wrapped := gcm.Seal(append([]byte{1}, nonce...), nonce, dataKey, ad)

	got, err := r.Unwrap(ctx, wrapped, r.Current())
	if err != nil || !bytes.Equal(got, dataKey) {
		t.Fatalf("Unwrap of a hand-built wrapped key = %x, %v", got, err)
	}
	// The same bytes bound to another id do not open, even under the right
	// material (the id is part of what is authenticated).
	badAD := append([]byte("rightsdesk/wrap/v1\x00"), "kek-other"...)
	if _, err := r.Unwrap(ctx, gcm.Seal(append([]byte{1}, nonce...), nonce, dataKey, badAD), r.Current()); !errors.Is(err, keyring.ErrAuthentication) {
		t.Fatalf("a key wrapped for another id opened: %v", err)
	}
	// A bare key's id is derived from the key, the same way every time.
	id, _ := hkdf.Key(sha256.New, raw, nil, "rightsdesk/kek/id/v1", 6)
	if want := fmt.Sprintf("kek-%x", id); r.Current() != want {
		t.Errorf("a bare key's id = %q; want %q", r.Current(), want)
	}
}

// Rotation end to end: wrap keys, rotate, re-wrap them all, retire and
// remove the old key; every case still opens, and Status tells each step.
func TestRotationRewrapsWithoutTouchingData(t *testing.T) {
	r1 := newKeyring(t)
	old := r1.Current()
	type storedCase struct {
		id     string
		w      keyring.WrappedKey
		sealed []byte
	}
	var store []storedCase
	for i := range 3 {
		k := keyring.NewDataKey()
		w, err := keyring.WrapDataKey(ctx, r1, k)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("01JCASE%d", i)
		store = append(store, storedCase{id, w, sealCase(t, k, id, []byte("Ada Example, case "+id))})
	}
	count := func() map[string]int {
		m := map[string]int{}
		for _, c := range store {
			m[c.w.KeyID]++
		}
		return m
	}
	// The store records the keyring's check, and records it again whenever
	// a verified keyring's check differs, as a server does at start.
	stored := r1.Check()
	verify := func(r *keyring.Keyring) {
		t.Helper()
		if err := r.Verify(stored); err != nil {
			t.Fatalf("the store does not accept the keyring that followed: %v", err)
		}
		stored = r.Check()
	}
	sealedBefore := make([][]byte, len(store))
	for i, c := range store {
		sealedBefore[i] = c.sealed
	}

	r2, current, err := r1.Rotate(t0.Add(24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if current == old || r2.Current() != current || r1.Current() != old {
		t.Fatalf("Rotate: new current %q (keyring says %q), old %q (the old keyring now says %q)", current, r2.Current(), old, r1.Current())
	}
	if !strings.HasPrefix(current, "kek-20260502-") {
		t.Errorf("a rotated key's id %q should carry its creation date", current)
	}
	verify(r2)
	st := r2.Status(count())
	if st.Rotated() || st.Err() != nil || st.Keys[0].CanRetire() {
		t.Fatalf("after Rotate, before Rewrap: %+v (rotated %v, err %v)", st, st.Rotated(), st.Err())
	}
	if _, err := r2.Retire(old, t0, count()[old]); err == nil {
		t.Fatal("a key still wrapping 3 keys was retired")
	}

	for i := range store {
		w, err := keyring.Rewrap(ctx, r2, store[i].w)
		if err != nil {
			t.Fatal(err)
		}
		if w.KeyID != current {
			t.Fatalf("Rewrap wrapped with %q; want %q", w.KeyID, current)
		}
		store[i].w = w
	}
	st = r2.Status(count())
	if !st.Rotated() || !st.Keys[0].CanRetire() || st.Keys[1].CanRetire() {
		t.Fatalf("after Rewrap: %+v (rotated %v)", st, st.Rotated())
	}

	if _, err := r2.Retire(current, t0, 0); err == nil {
		t.Fatal("the current key was retired")
	}
	if _, err := r2.Remove(old, 0); err == nil {
		t.Fatal("a key was removed without being retired first")
	}
	r3, err := r2.Retire(old, t0.Add(48*time.Hour), count()[old])
	if err != nil {
		t.Fatal(err)
	}
	verify(r3)
	if info := r3.Keys()[0]; !info.Retired || !info.RetiredAt.Equal(t0.Add(48*time.Hour)) || r2.Keys()[0].Retired {
		t.Fatalf("Retire: %+v; the keyring it came from: %+v", info, r2.Keys()[0])
	}
	for i, c := range store {
		k, err := keyring.UnwrapDataKey(ctx, r3, c.w)
		if err != nil {
			t.Fatalf("case %s after rotation and retirement: %v", c.id, err)
		}
		if !bytes.Equal(c.sealed, sealedBefore[i]) {
			t.Fatal("rotation changed sealed data")
		}
		if _, err := k.Open(c.sealed, keyring.AssociatedData(c.id, "personal")); err != nil {
			t.Fatalf("case %s does not open after rotation: %v", c.id, err)
		}
	}
	if st := r3.Status(count()); !st.Keys[0].CanRemove() || st.Keys[0].CanRetire() {
		t.Fatalf("after Retire: %+v", st)
	}

	if _, err := r3.Remove(old, 1); err == nil {
		t.Fatal("a key still wrapping a key was removed")
	}
	if _, err := r3.Remove("kek-nonesuch", 0); !errors.Is(err, keyring.ErrUnknownKey) {
		t.Fatalf("removing a key the keyring lacks: %v", err)
	}
	if _, err := r3.Retire("kek-nonesuch", t0, 0); !errors.Is(err, keyring.ErrUnknownKey) {
		t.Fatalf("retiring a key the keyring lacks: %v", err)
	}
	r4, err := r3.Remove(old, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r4.Keys()) != 1 || r4.Keys()[0].ID != current || len(r3.Keys()) != 2 {
		t.Fatalf("Remove: %+v (from %+v)", r4.Keys(), r3.Keys())
	}
	verify(r4)
	if err := r4.Verify(r1.Check()); !errors.Is(err, keyring.ErrWrongKeyring) {
		t.Fatalf("a store that never recorded the new key accepts a keyring without the old one: %v", err)
	}
}

func TestARetiredKeyNoLongerUnwraps(t *testing.T) {
	r1 := newKeyring(t)
	w, err := keyring.WrapDataKey(ctx, r1, keyring.NewDataKey())
	if err != nil {
		t.Fatal(err)
	}
	r2, _, err := r1.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	// The caller miscounted: Retire trusts the count it is given.
	r3, err := r2.Retire(w.KeyID, t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"UnwrapDataKey": func() error { _, err := keyring.UnwrapDataKey(ctx, r3, w); return err },
		"Rewrap":        func() error { _, err := keyring.Rewrap(ctx, r3, w); return err },
	} {
		if err := f(); !errors.Is(err, keyring.ErrRetiredKey) {
			t.Errorf("%s with a retired key = %v; want ErrRetiredKey", name, err)
		}
	}
	st := r3.Status(map[string]int{w.KeyID: 1})
	if err := st.Err(); !errors.Is(err, keyring.ErrRetiredKey) || !strings.Contains(err.Error(), w.KeyID) {
		t.Errorf("Status.Err = %v; want ErrRetiredKey naming %s", err, w.KeyID)
	}
	if again, err := r3.Retire(w.KeyID, t0.Add(time.Hour), 0); err != nil || !again.Keys()[0].RetiredAt.Equal(t0) {
		t.Errorf("retiring twice: %v, %+v; want no change", err, again.Keys())
	}
}

func TestStatusReportsMissingKeys(t *testing.T) {
	r := newKeyring(t)
	st := r.Status(map[string]int{r.Current(): 5, "kek-gone": 2, "kek-unused": 0})
	if len(st.Keys) != 2 || !st.Keys[1].Missing || st.Keys[1].ID != "kek-gone" || st.Keys[1].Wraps != 2 || st.Keys[0].Wraps != 5 || !st.Keys[0].Current {
		t.Fatalf("Status = %+v", st)
	}
	if err := st.Err(); !errors.Is(err, keyring.ErrUnknownKey) || !strings.Contains(err.Error(), "kek-gone") {
		t.Errorf("Status.Err = %v; want ErrUnknownKey naming kek-gone", err)
	}
	if st.Rotated() {
		t.Error("keys wrapped with a missing key count as rotated")
	}
	if st := r.Status(map[string]int{r.Current(): 5}); st.Err() != nil || !st.Rotated() {
		t.Errorf("a keyring holding every key: %+v, %v", st, st.Err())
	}
}

func TestVerifyTellsTheWrongKeyring(t *testing.T) {
	r := mustParse(t, documentWith("a", "a:1"))
	rotated := mustParse(t, documentWith("b", "a:1", "b:2"))
	onlyNew := mustParse(t, documentWith("b", "b:2"))
	sameIDOtherKey := mustParse(t, documentWith("a", "a:3"))
	stranger := newKeyring(t)

	for _, tc := range []struct {
		name    string
		keyring *keyring.Keyring
		stored  keyring.Check
		ok      bool
		says    string
	}{
		{"the same keyring", r, r.Check(), true, ""},
		{"a rotated successor", rotated, r.Check(), true, ""},
		{"the store after rotation, the keyring without the old key", onlyNew, rotated.Check(), true, ""},
		{"an older keyring than the store's, still holding a key in use", r, rotated.Check(), true, ""},
		{"another installation's keyring", stranger, r.Check(), false, "the store was used with a; the keyring holds " + stranger.Current()},
		{"the same id for another key", sameIDOtherKey, r.Check(), false, "its key a has the same id"},
		{"a successor whose old key was replaced", mustParse(t, documentWith("b", "a:3", "b:2")), rotated.Check(), false, "its key a has the same id"},
		{"a keyring with none of the store's keys", onlyNew, r.Check(), false, "the store was used with a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.keyring.Verify(tc.stored)
			if tc.ok {
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
				return
			}
			if !errors.Is(err, keyring.ErrWrongKeyring) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Verify = %v; want ErrWrongKeyring saying %q", err, tc.says)
			}
		})
	}
	if err := r.Verify(keyring.Check{Version: 2, Keys: r.Check().Keys}); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("a newer check: %v", err)
	}
	if err := r.Verify(keyring.Check{Version: 1}); err == nil {
		t.Error("an empty check verified")
	}
}

func TestCheckChangesWithTheKeysOnly(t *testing.T) {
	r := mustParse(t, documentWith("a", "a:1"))
	again := mustParse(t, documentWith("a", "a:1"))
	if !r.Check().Equal(again.Check()) {
		t.Error("the same keys give different checks")
	}
	rotated, _, err := r.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Check().Equal(rotated.Check()) {
		t.Error("a rotation does not change the check")
	}
	c := r.Check()
	if len(c.Keys) != 1 || len(c.Keys[0].Value) != 16 || bytes.Contains(material(1), c.Keys[0].Value) {
		t.Errorf("Check = %+v", c)
	}
	// The check value is HKDF of the key with its own label: it can be
	// recomputed from the documented derivation, and it is not the key.
	want, _ := hkdf.Key(sha256.New, material(1), nil, "rightsdesk/kek/check/v1", 16)
	if !bytes.Equal(c.Keys[0].Value, want) {
		t.Errorf("check value %x; want %x", c.Keys[0].Value, want)
	}
}

func TestWrappedKeyBinaryEncoding(t *testing.T) {
	r := newKeyring(t)
	w, err := keyring.WrapDataKey(ctx, r, keyring.NewDataKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 + len(w.KeyID) + 1 + 12 + 32 + 16; len(b) != want {
		t.Errorf("encoded wrapped key is %d bytes; want %d", len(b), want)
	}
	var back keyring.WrappedKey
	if err := back.UnmarshalBinary(b); err != nil || back.KeyID != w.KeyID || !bytes.Equal(back.Wrapped, w.Wrapped) {
		t.Fatalf("UnmarshalBinary = %+v, %v", back, err)
	}
	b[len(b)-1] ^= 1
	if bytes.Equal(back.Wrapped, b[2+len(w.KeyID):]) {
		t.Error("UnmarshalBinary keeps the caller's buffer")
	}
	for _, bad := range [][]byte{nil, {1}, {2, 1, 'a', 0}, {1, 0, 0}, {1, 5, 'a', 'b'}, {1, 1, 'a'}} {
		if err := back.UnmarshalBinary(bad); !errors.Is(err, keyring.ErrMalformed) {
			t.Errorf("UnmarshalBinary(%x) = %v; want ErrMalformed", bad, err)
		}
	}
	for _, bad := range []keyring.WrappedKey{{Wrapped: []byte{1}}, {KeyID: "k"}, {KeyID: strings.Repeat("k", 256), Wrapped: []byte{1}}} {
		if _, err := bad.MarshalBinary(); err == nil {
			t.Errorf("MarshalBinary(%+v) succeeded", bad)
		}
	}
}
