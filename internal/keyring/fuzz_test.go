package keyring_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The decoders take bytes from the database, files and the environment:
// whatever they are given, they must not panic, and must open only what
// was really sealed. Forging a GCM tag by chance is out of reach, so any
// input that opens must be one of the genuine seeds, byte for byte.

func FuzzOpen(f *testing.F) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "personal")
	genuine := [][]byte{k.Seal(nil, ad), k.Seal([]byte("Ada Example"), ad), k.Seal(pattern(3000), ad)}
	for _, g := range genuine {
		f.Add(g)
		f.Add(g[:len(g)-1])
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(make([]byte, keyring.Overhead))
	f.Fuzz(func(t *testing.T, envelope []byte) {
		plain, err := k.Open(envelope, ad)
		if err == nil && !isOneOf(envelope, genuine) {
			t.Fatalf("a forged envelope opened to %q", plain)
		}
		if err != nil && !errors.Is(err, keyring.ErrMalformed) && !errors.Is(err, keyring.ErrAuthentication) {
			t.Fatalf("Open = %v; want ErrMalformed or ErrAuthentication", err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	r := newKeyring(f)
	var genuine [][]byte
	for range 2 {
		w, err := keyring.WrapDataKey(ctx, r, keyring.NewDataKey())
		if err != nil {
			f.Fatal(err)
		}
		genuine = append(genuine, w.Wrapped)
		f.Add(w.Wrapped, w.KeyID)
	}
	f.Add([]byte{1, 2, 3}, "kek-x")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, wrapped []byte, id string) {
		_, err := r.Unwrap(ctx, wrapped, id)
		if err == nil && (id != r.Current() || !isOneOf(wrapped, genuine)) {
			t.Fatalf("a forged wrapped key (%q, %x) unwrapped", id, wrapped)
		}
	})
}

func FuzzUnmarshalWrappedKey(f *testing.F) {
	r := newKeyring(f)
	w, err := keyring.WrapDataKey(ctx, r, keyring.NewDataKey())
	if err != nil {
		f.Fatal(err)
	}
	b, err := w.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:3])
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var w keyring.WrappedKey
		if err := w.UnmarshalBinary(b); err != nil {
			return
		}
		again, err := w.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decoded %+v, which encodes to %x, %v; want %x", w, again, err, b)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add(documentWith("a", "a:1", "b:2:retired"))
	f.Add(newKeyring(f).Encode())
	f.Add(material(1))
	f.Add([]byte(base64.StdEncoding.EncodeToString(material(1))))
	f.Add([]byte(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": null}]}`))
	f.Add([]byte(`{"format": "rightsdesk-keyring", "version": 1, "current": "a", "keys": [{"id": "a", "key": "AAAA", "created": "x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := keyring.Parse(data)
		if err != nil {
			return
		}
		// Whatever parses is a usable keyring that survives its own encoding.
		back, err := keyring.Parse(r.Encode())
		if err != nil || !back.Check().Equal(r.Check()) || back.Current() != r.Current() {
			t.Fatalf("a parsed keyring does not round-trip: %v", err)
		}
		w, err := keyring.WrapDataKey(ctx, r, keyring.NewDataKey())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.UnwrapDataKey(ctx, back, w); err != nil {
			t.Fatalf("a parsed keyring cannot unwrap what it wrapped: %v", err)
		}
	})
}

func FuzzOpenStream(f *testing.F) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "file/a")
	var genuine [][]byte
	for _, n := range []int{0, 10, chunk + 1} {
		var out bytes.Buffer
		w, err := k.SealStream(&out, ad)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := w.Write(pattern(n)); err != nil {
			f.Fatal(err)
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		genuine = append(genuine, out.Bytes())
		f.Add(out.Bytes())
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, sealed []byte) {
		r, err := k.OpenStream(bytes.NewReader(sealed), ad)
		if err != nil {
			return
		}
		plain, err := io.ReadAll(r)
		if err == nil && !isOneOf(sealed, genuine) {
			t.Fatalf("a forged stream opened to %d bytes", len(plain))
		}
	})
}

func isOneOf(b []byte, set [][]byte) bool {
	for _, s := range set {
		if bytes.Equal(b, s) {
			return true
		}
	}
	return false
}
