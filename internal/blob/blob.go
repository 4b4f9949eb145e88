package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"
)

// Store keeps blobs by key. Keys are never reused: Put refuses a key that
// exists, so a reader never sees one document's metadata with another's
// bytes; a new version of a document gets a new key.
type Store interface {
	// Put stores what r yields under key, streaming it, and returns what
	// was stored. Over the store's size limit it fails with ErrTooLarge and
	// stores nothing; an existing key is ErrExists.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Get streams the blob; the caller closes it. A missing key is
	// ErrNotFound.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes the blob without reading it.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List visits the blobs whose keys start with prefix, in key order,
	// until fn returns an error. Listed Infos may lack SHA256 (S3 lists no
	// metadata): Stat has it.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// Info describes a stored blob: the bytes as stored (after any sealing).
type Info struct {
	Key      string
	Size     int64
	SHA256   string // hex; "" where a listing does not carry it
	Modified time.Time
}

var (
	ErrNotFound   = errors.New("blob not found")
	ErrExists     = errors.New("a blob with this key already exists")
	ErrTooLarge   = errors.New("blob over the size limit")
	ErrInvalidKey = errors.New("invalid blob key")
)

// DefaultMaxSize is the size limit when a store is given none.
const DefaultMaxSize = 256 << 20

// MaxKeyLength bounds a key (S3 allows 1,024 bytes).
const MaxKeyLength = 512

// CheckKey enforces the key rules every store shares: 1 to MaxKeyLength
// bytes of lower-case letters, digits, '-', '_', '.' and '/', as path
// segments that are neither empty, "." nor "..", so a key is a safe
// relative path on a filesystem and a plain S3 key.
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return fmt.Errorf("%w: %d bytes (1 to %d)", ErrInvalidKey, len(key), MaxKeyLength)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: empty, '.' or '..' path segment", ErrInvalidKey)
		}
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/') {
			return fmt.Errorf("%w: %q is not allowed (a-z, 0-9, '-', '_', '.', '/')", ErrInvalidKey, r)
		}
	}
	return nil
}

// Metered counts and hashes what passes through it and fails once more
// than Max bytes have, so a stream over the limit is refused before it is
// all read; implementations wrap the caller's reader in one.
type Metered struct {
	R   io.Reader
	Max int64
	n   int64
	h   hash.Hash
}

// NewMetered wraps r with a limit of max bytes.
func NewMetered(r io.Reader, max int64) *Metered {
	return &Metered{R: r, Max: max, h: sha256.New()}
}

func (m *Metered) Read(p []byte) (int, error) {
	n, err := m.R.Read(p)
	m.n += int64(n)
	m.h.Write(p[:n])
	if m.n > m.Max {
		return n, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, m.Max)
	}
	return n, err
}

// Size is the bytes read so far.
func (m *Metered) Size() int64 { return m.n }

// SHA256 is the hex digest of the bytes read so far.
func (m *Metered) SHA256() string { return hex.EncodeToString(m.h.Sum(nil)) }

// StopWith wraps r so that a copy from it stops with ctx's error once ctx
// ends, between reads: a Put whose caller has gone does not write on.
func StopWith(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
