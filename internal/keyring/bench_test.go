package keyring_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// personalPart is a fictitious case's personal fields as a store codec
// would seal them in one envelope: about 3 KB of JSON.
func personalPart(tb testing.TB) []byte {
	tb.Helper()
	notes := make([]string, 4)
	for i := range notes {
		notes[i] = fmt.Sprintf("Note %d: called the requester back; they confirmed the date range and the two systems to search. %s", i+1, strings.Repeat("Details of the call. ", 17))
	}
	part := map[string]any{
		"requester":      map[string]string{"name": "Ada Example", "email": "ada@example.org", "phone": "01632 960001", "address": "Flat 2, 1 Example Street, Exampletown EX1 2AB"},
		"representative": map[string]string{"name": "Sam Sample", "organisation": "Example Advice Centre", "email": "sam@example.net"},
		"description":    "I would like a copy of all the personal data you hold about me, including emails, " + strings.Repeat("call recordings and HR records from 2019 to today. ", 14),
		"notes":          notes,
		"replies":        []string{"Please find attached a copy of my passport.", "Yes, the date range is correct."},
	}
	b, err := json.Marshal(part)
	if err != nil {
		tb.Fatal(err)
	}
	if len(b) < 2800 || len(b) > 3300 {
		tb.Fatalf("the benchmark case is %d bytes; it should be about 3 KB", len(b))
	}
	return b
}

// BenchmarkSealCase: ns/op is the cost of sealing one case's personal part
// on every write.
func BenchmarkSealCase(b *testing.B) {
	k := keyring.NewDataKey()
	part := personalPart(b)
	ad := keyring.AssociatedData("01JCASE0000000000000000000", "personal")
	b.SetBytes(int64(len(part)))
	b.ReportAllocs()
	for b.Loop() {
		k.Seal(part, ad)
	}
}

// BenchmarkOpenCase: ns/op is the cost of opening it on every read of a
// case whose data key is already unwrapped.
func BenchmarkOpenCase(b *testing.B) {
	k := keyring.NewDataKey()
	part := personalPart(b)
	ad := keyring.AssociatedData("01JCASE0000000000000000000", "personal")
	sealed := k.Seal(part, ad)
	b.SetBytes(int64(len(part)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(sealed, ad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateCaseEncryption: ns/op is everything encryption adds to
// creating a case — a new data key, wrapped under the local keyring, the
// personal part sealed, and three keyed hashes for the requester index —
// to set against CreateCase's own time in `make bench`.
func BenchmarkCreateCaseEncryption(b *testing.B) {
	r := newKeyring(b)
	root, _, err := keyring.NewRoot(ctx, r)
	if err != nil {
		b.Fatal(err)
	}
	h := root.Hasher("requester-term")
	part := personalPart(b)
	ad := keyring.AssociatedData("01JCASE0000000000000000000", "personal")
	terms := [][]byte{[]byte("ada@example.org"), []byte("ada"), []byte("example")}
	b.ReportAllocs()
	for b.Loop() {
		k := keyring.NewDataKey()
		if _, err := keyring.WrapDataKey(ctx, r, k); err != nil {
			b.Fatal(err)
		}
		k.Seal(part, ad)
		for _, term := range terms {
			h.Sum(term)
		}
	}
}

// BenchmarkReadCaseEncryption: ns/op is what reading a case costs when its
// data key is not cached: unwrap, then open.
func BenchmarkReadCaseEncryption(b *testing.B) {
	r := newKeyring(b)
	k := keyring.NewDataKey()
	w, err := keyring.WrapDataKey(ctx, r, k)
	if err != nil {
		b.Fatal(err)
	}
	ad := keyring.AssociatedData("01JCASE0000000000000000000", "personal")
	sealed := k.Seal(personalPart(b), ad)
	b.ReportAllocs()
	for b.Loop() {
		k, err := keyring.UnwrapDataKey(ctx, r, w)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open(sealed, ad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewrap: ns/op is the cost per stored key of a rotation.
func BenchmarkRewrap(b *testing.B) {
	r1 := newKeyring(b)
	w, err := keyring.WrapDataKey(ctx, r1, keyring.NewDataKey())
	if err != nil {
		b.Fatal(err)
	}
	r2, _, err := r1.Rotate(t0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keyring.Rewrap(ctx, r2, w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHasherSum: ns/op per keyed hash of an email address.
func BenchmarkHasherSum(b *testing.B) {
	root, _, err := keyring.NewRoot(ctx, newKeyring(b))
	if err != nil {
		b.Fatal(err)
	}
	h := root.Hasher("requester-term")
	term := []byte("ada@example.org")
	b.ReportAllocs()
	for b.Loop() {
		h.Sum(term)
	}
}

// BenchmarkSealStream and BenchmarkOpenStream: throughput for files.
func BenchmarkSealStream(b *testing.B) {
	k := keyring.NewDataKey()
	file := pattern(4 << 20)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		w, err := k.SealStream(io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(file); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenStream(b *testing.B) {
	k := keyring.NewDataKey()
	file := pattern(4 << 20)
	sealed := sealStream(b, k, file, nil, 1<<20)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := k.OpenStream(bytes.NewReader(sealed), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
