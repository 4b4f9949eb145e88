package keyring_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// sealer is the blob store's Sealer (internal/blob), restated so that this
// package, which imports nothing of ours, is checked against its shape.
type sealer interface {
	Seal(w io.Writer) (io.WriteCloser, error)
	Open(r io.Reader) (io.Reader, error)
}

var _ sealer = keyring.StreamSealer{}

// sealerFor has the shape of the blob store's SealerFor.
var _ func(context.Context, string) (sealer, error) = func(_ context.Context, key string) (sealer, error) {
	return keyring.NewDataKey().StreamSealer(keyring.AssociatedData("01JCASE", "file/"+key)), nil
}

const chunk = keyring.StreamChunkSize

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>8)
	}
	return b
}

func sealStream(t testing.TB, k *keyring.DataKey, plain, ad []byte, writeSize int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := k.SealStream(&out, ad)
	if err != nil {
		t.Fatal(err)
	}
	for p := plain; len(p) > 0; {
		n := min(writeSize, len(p))
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func openStream(k *keyring.DataKey, sealed, ad []byte) ([]byte, error) {
	r, err := k.OpenStream(bytes.NewReader(sealed), ad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestStreamRoundTripsEverySize(t *testing.T) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "file/id-document.pdf")
	for _, n := range []int{0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 3*chunk + 17} {
		for _, writeSize := range []int{1 << 20, chunk, 1000, 7} {
			if writeSize < 100 && n > chunk+1 {
				continue // byte-sized writes of big streams prove nothing more, slowly
			}
			plain := pattern(n)
			sealed := sealStream(t, k, plain, ad, writeSize)
			chunks := max(1, (n+chunk-1)/chunk)
			if want := 33 + n + 16*chunks; len(sealed) != want {
				t.Errorf("%d bytes in writes of %d: sealed %d bytes; want %d", n, writeSize, len(sealed), want)
			}
			got, err := openStream(k, sealed, ad)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d bytes in writes of %d: opened %d bytes, %v", n, writeSize, len(got), err)
			}
			// One byte at a time, through a reader that returns data with EOF.
			r, err := k.OpenStream(iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(sealed))), ad)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d bytes read a byte at a time: %d bytes, %v", n, len(got), err)
			}
		}
	}
}

func TestAlteredStreamsDoNotOpen(t *testing.T) {
	k := keyring.NewDataKey()
	ad := keyring.AssociatedData("01JCASE", "file/letter.pdf")
	plain := pattern(3*chunk + 100)
	sealed := sealStream(t, k, plain, ad, 1<<20)
	const header = 33
	enc := chunk + 16
	chunkAt := func(i int) []byte { return sealed[header+i*enc : min(header+(i+1)*enc, len(sealed))] }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	flip := func(i int) []byte { b := bytes.Clone(sealed); b[i] ^= 1; return b }

	for _, tc := range []struct {
		name   string
		sealed []byte
		key    *keyring.DataKey
		ad     []byte
		want   error
	}{
		{"a changed byte in the salt", flip(5), k, ad, keyring.ErrAuthentication},
		{"a changed byte in the first chunk", flip(header + 10), k, ad, keyring.ErrAuthentication},
		{"a changed byte in the last chunk", flip(len(sealed) - 1), k, ad, keyring.ErrAuthentication},
		{"cut after a full chunk", sealed[:header+enc], k, ad, keyring.ErrAuthentication},
		{"cut after three full chunks", sealed[:header+3*enc], k, ad, keyring.ErrAuthentication},
		{"cut inside a chunk", sealed[:header+enc+100], k, ad, keyring.ErrAuthentication},
		{"cut to less than a tag", sealed[:header+5], k, ad, keyring.ErrAuthentication},
		{"only the header", sealed[:header], k, ad, keyring.ErrAuthentication},
		{"a chunk dropped", cat(sealed[:header], chunkAt(0), chunkAt(2), chunkAt(3)), k, ad, keyring.ErrAuthentication},
		{"two chunks swapped", cat(sealed[:header], chunkAt(1), chunkAt(0), chunkAt(2), chunkAt(3)), k, ad, keyring.ErrAuthentication},
		{"a byte appended", cat(sealed, []byte{0}), k, ad, keyring.ErrAuthentication},
		{"a chunk appended", cat(sealed, chunkAt(1)), k, ad, keyring.ErrAuthentication},
		{"another case's file", sealed, k, keyring.AssociatedData("01JOTHER", "file/letter.pdf"), keyring.ErrAuthentication},
		{"another key", sealed, keyring.NewDataKey(), ad, keyring.ErrAuthentication},
		{"a short header", sealed[:20], k, ad, keyring.ErrMalformed},
		{"another version", cat([]byte{2}, sealed[1:]), k, ad, keyring.ErrMalformed},
		{"nothing", nil, k, ad, keyring.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := openStream(tc.key, tc.sealed, tc.ad)
			if !errors.Is(err, tc.want) {
				t.Fatalf("opened %d bytes, %v; want %v", len(got), err, tc.want)
			}
			if !bytes.HasPrefix(plain, got) {
				t.Fatal("bytes that were never sealed came out")
			}
		})
	}
}

func TestStreamWriterAfterClose(t *testing.T) {
	k := keyring.NewDataKey()
	var out bytes.Buffer
	w, err := k.SealStream(&out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := out.Len()
	if err := w.Close(); err != nil || out.Len() != n {
		t.Fatalf("a second Close = %v and wrote %d bytes", err, out.Len()-n)
	}
	if _, err := w.Write([]byte("d")); err == nil {
		t.Fatal("a write after Close was accepted")
	}
}

func TestStreamWriteErrorsAreKept(t *testing.T) {
	k := keyring.NewDataKey()
	broken := errors.New("disk full")
	if _, err := k.SealStream(failingWriter{broken}, nil); !errors.Is(err, broken) {
		t.Fatalf("SealStream onto a failing writer = %v", err)
	}
	var out limitedWriter
	out.room = 33 + 10
	w, err := k.SealStream(&out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pattern(2 * chunk)); !errors.Is(err, errNoRoom) {
		t.Fatalf("Write onto a full writer = %v", err)
	}
	if err := w.Close(); !errors.Is(err, errNoRoom) {
		t.Fatalf("Close after a failed write = %v", err)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

var errNoRoom = errors.New("no room")

type limitedWriter struct{ room int }

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.room {
		return 0, errNoRoom
	}
	l.room -= len(p)
	return len(p), nil
}

// A stream is the documented layout, rebuilt here with the standard
// library alone: the stream key from HKDF of the data key with the salt,
// and each chunk's nonce its counter and last flag.
func TestTheStreamIsTheDocumentedFormat(t *testing.T) {
	raw := material(13)
	k, err := keyring.DataKeyFrom(raw)
	if err != nil {
		t.Fatal(err)
	}
	ad := keyring.AssociatedData("01JCASE", "file/a")
	salt := pattern(32)
	streamKey, _ := hkdf.Key(sha256.New, raw, salt, "rightsdesk/stream/v1\x00"+string(ad), 32)
	block, _ := aes.NewCipher(streamKey)
	gcm, _ := cipher.NewGCM(block)
	plain := pattern(chunk + 5)
	nonce := func(n byte, last bool) []byte {
		b := make([]byte, 12)
		b[10] = n
		if last {
			b[11] = 1
		}
		return b
	}
	sealed := append([]byte{1}, salt...)
	sealed = gcm.Seal(sealed, nonce(0, false), plain[:chunk], nil)
	sealed = gcm.Seal(sealed, nonce(1, true), plain[chunk:], nil)
	got, err := openStream(k, sealed, ad)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("a hand-built stream: %d bytes, %v", len(got), err)
	}
}

func TestStreamNeverShowsThePlaintext(t *testing.T) {
	k := keyring.NewDataKey()
	plain := bytes.Repeat([]byte("Ada Example, ada@example.org. "), 5000)
	sealed := sealStream(t, k, plain, nil, 4096)
	if containsAny(sealed, []byte("Ada Example"), []byte("example.org")) {
		t.Fatal("the sealed stream shows the plaintext")
	}
	if bytes.Equal(sealed, sealStream(t, k, plain, nil, 4096)) {
		t.Fatal("the same file sealed twice gives the same bytes")
	}
}

// The blob store seals every file of a case through one sealer per file:
// a file moved under another file's name, or another case, does not open.
func TestStreamSealerBindsFilesToTheirPlace(t *testing.T) {
	k := keyring.NewDataKey()
	passport := k.StreamSealer(keyring.AssociatedData("01JCASE", "file/passport.jpg"))
	letter := k.StreamSealer(keyring.AssociatedData("01JCASE", "file/letter.pdf"))
	var out bytes.Buffer
	w, err := passport.Seal(&out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pattern(100)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(s keyring.StreamSealer) ([]byte, error) {
		r, err := s.Open(bytes.NewReader(out.Bytes()))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	if got, err := read(passport); err != nil || !bytes.Equal(got, pattern(100)) {
		t.Fatalf("the file under its own name: %d bytes, %v", len(got), err)
	}
	if _, err := read(letter); !errors.Is(err, keyring.ErrAuthentication) {
		t.Fatalf("the file under another name: %v; want ErrAuthentication", err)
	}
}
