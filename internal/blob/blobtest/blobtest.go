package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob"
)

// Harness opens a new, empty store whose size limit is MaxSize.
type Harness struct {
	Open    func(t testing.TB) blob.Store
	MaxSize int64
}

// RunAll runs every conformance test.
func RunAll(t *testing.T, h Harness) {
	for name, fn := range map[string]func(*testing.T, Harness){
		"RoundTrip":              testRoundTrip,
		"KeysAreNeverReused":     testExists,
		"Missing":                testMissing,
		"OverLimitStoresNothing": testOverLimit,
		"KeyRules":               testKeys,
		"ListByPrefixInOrder":    testList,
		"Delete":                 testDelete,
		"CancelledPut":           testCancelled,
		"ConcurrentPutsOneKey":   testConcurrent,
		"Sealed":                 testSealed,
	} {
		t.Run(name, func(t *testing.T) { fn(t, h) })
	}
}

func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func digest(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func mustPut(t *testing.T, s blob.Store, key string, data []byte) blob.Info {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
	return info
}

func mustGet(t *testing.T, s blob.Store, key string) ([]byte, blob.Info) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data, info
}

// slowReader yields its data a few bytes at a time, as a network upload.
type slowReader struct{ data []byte }

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 4093)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func testRoundTrip(t *testing.T, h Harness) {
	s := h.Open(t)
	for i, size := range []int{0, 1, 1 << 20, int(min(h.MaxSize, 6<<20))} {
		key := fmt.Sprintf("case-01/doc-%d.pdf", i)
		data := payload(size, uint64(i))
		info, err := s.Put(t.Context(), key, &slowReader{data})
		if err != nil {
			t.Fatal(err)
		}
		if info.Key != key || info.Size != int64(size) || info.SHA256 != digest(data) {
			t.Errorf("Put(%d bytes) = %+v, want size %d and sha256 %s", size, info, size, digest(data))
		}
		got, ginfo := mustGet(t, s, key)
		if !bytes.Equal(got, data) || ginfo.SHA256 != info.SHA256 || ginfo.Size != info.Size {
			t.Errorf("Get of %d bytes: %d bytes back, info %+v", size, len(got), ginfo)
		}
		if st, err := s.Stat(t.Context(), key); err != nil || st.SHA256 != info.SHA256 || st.Size != info.Size {
			t.Errorf("Stat = %+v, %v", st, err)
		}
	}
}

func testExists(t *testing.T, h Harness) {
	s := h.Open(t)
	first := payload(100, 1)
	mustPut(t, s, "k", first)
	if _, err := s.Put(t.Context(), "k", bytes.NewReader(payload(50, 2))); !errors.Is(err, blob.ErrExists) {
		t.Fatalf("a second Put of one key: %v, want ErrExists", err)
	}
	if got, _ := mustGet(t, s, "k"); !bytes.Equal(got, first) {
		t.Fatal("a refused Put changed the blob")
	}
}

func testMissing(t *testing.T, h Harness) {
	s := h.Open(t)
	if _, _, err := s.Get(t.Context(), "nope"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get of a missing key: %v", err)
	}
	if _, err := s.Stat(t.Context(), "nope"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat of a missing key: %v", err)
	}
	if err := s.Delete(t.Context(), "nope"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
}

func testOverLimit(t *testing.T, h Harness) {
	s := h.Open(t)
	if _, err := s.Put(t.Context(), "big", &slowReader{payload(int(h.MaxSize)+1, 3)}); !errors.Is(err, blob.ErrTooLarge) {
		t.Fatalf("Put of MaxSize+1 bytes: %v, want ErrTooLarge", err)
	}
	if _, err := s.Stat(t.Context(), "big"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("after a refused Put, Stat: %v, want ErrNotFound", err)
	}
	mustPut(t, s, "exact", payload(int(h.MaxSize), 4))
}

func testKeys(t *testing.T, h Harness) {
	s := h.Open(t)
	for _, bad := range []string{"", "../x", "/abs", "a//b", "a/./b", "A", "a b", "a,b", "a\x00", string(make([]byte, blob.MaxKeyLength+1))} {
		if _, err := s.Put(t.Context(), bad, bytes.NewReader(nil)); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", bad, err)
		}
	}
}

func testList(t *testing.T, h Harness) {
	s := h.Open(t)
	for _, k := range []string{"c2/x", "c1/b", "c10/a", "c1/a", "c1-z"} {
		mustPut(t, s, k, []byte(k))
	}
	list := func(prefix string) []string {
		var keys []string
		if err := s.List(t.Context(), prefix, func(i blob.Info) error {
			if i.Size != int64(len(i.Key)) {
				t.Errorf("List: %s has size %d", i.Key, i.Size)
			}
			keys = append(keys, i.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	for prefix, want := range map[string][]string{
		"c1/": {"c1/a", "c1/b"},
		"c1":  {"c1-z", "c1/a", "c1/b", "c10/a"},
		"":    {"c1-z", "c1/a", "c1/b", "c10/a", "c2/x"},
		"c3/": nil,
	} {
		if got := list(prefix); !slices.Equal(got, want) {
			t.Errorf("List(%q) = %v, want %v", prefix, got, want)
		}
	}
}

func testDelete(t *testing.T, h Harness) {
	s := h.Open(t)
	mustPut(t, s, "case-9/a", []byte("a"))
	if err := s.Delete(t.Context(), "case-9/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(t.Context(), "case-9/a"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("after Delete, Stat: %v", err)
	}
	mustPut(t, s, "case-9/a", []byte("again")) // a deleted key may be used again
}

func testCancelled(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(payload(64<<10, 5))
		cancel()
		_, _ = pw.Write(payload(64<<10, 6))
		pw.CloseWithError(context.Canceled)
	}()
	if _, err := s.Put(ctx, "cancelled", pr); err == nil {
		t.Fatal("a Put whose context ended succeeded")
	}
	if _, err := s.Stat(t.Context(), "cancelled"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("after a cancelled Put, Stat: %v", err)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	s := h.Open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			_, err := s.Put(t.Context(), "race", bytes.NewReader(payload(32<<10, uint64(10+i))))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, blob.ErrExists):
			t.Errorf("concurrent Put: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent Puts of one key succeeded, want 1", ok)
	}
	got, info := mustGet(t, s, "race")
	if digest(got) != info.SHA256 {
		t.Fatal("the stored bytes do not match their recorded hash")
	}
}

// xor is a toy Sealer standing in for encryption: it proves the stream is
// transformed on the way in and back on the way out.
type xor byte

func (x xor) Seal(w io.Writer) (io.WriteCloser, error) { return xorWriter{w, byte(x)}, nil }
func (x xor) Open(r io.Reader) (io.Reader, error)      { return xorReader{r, byte(x)}, nil }

type xorWriter struct {
	w io.Writer
	k byte
}

func (x xorWriter) Write(p []byte) (int, error) {
	q := make([]byte, len(p))
	for i := range p {
		q[i] = p[i] ^ x.k
	}
	return x.w.Write(q)
}
func (x xorWriter) Close() error { return nil }

type xorReader struct {
	r io.Reader
	k byte
}

func (x xorReader) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	for i := range p[:n] {
		p[i] ^= x.k
	}
	return n, err
}

func testSealed(t *testing.T, h Harness) {
	inner := h.Open(t)
	perCase := map[string]xor{"case-a": 0x5a, "case-b": 0xa5}
	s := blob.Sealed(inner, func(_ context.Context, key string) (blob.Sealer, error) {
		for c, k := range perCase {
			if len(key) > len(c) && key[:len(c)+1] == c+"/" {
				return k, nil
			}
		}
		return nil, fmt.Errorf("no key for %s", key)
	})
	data := payload(200<<10, 7)
	mustPut(t, s, "case-a/doc", data)
	if got, _ := mustGet(t, s, "case-a/doc"); !bytes.Equal(got, data) {
		t.Fatal("a sealed blob did not open to what was put")
	}
	if raw, _ := mustGet(t, inner, "case-a/doc"); bytes.Equal(raw, data) || len(raw) != len(data) {
		t.Fatal("the store holds the plain bytes of a sealed blob")
	}
	if _, err := s.Put(t.Context(), "case-z/doc", bytes.NewReader(data)); err == nil {
		t.Fatal("a blob with no sealer was stored")
	}
	if _, err := s.Put(t.Context(), "case-b/big", &slowReader{payload(int(h.MaxSize)+1, 8)}); !errors.Is(err, blob.ErrTooLarge) {
		t.Fatalf("an over-size sealed Put: %v", err)
	}
}
