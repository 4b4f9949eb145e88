package blob

import (
	"context"
	"io"
)

// Sealer transforms a blob's bytes on their way into a store and back:
// encryption under the case's data key is one (keyring.StreamSealer; the
// composition root wires it, see internal/app's documents.go). Seal returns a writer that writes the sealed form of
// what it is given to w, and must be closed to flush; Open returns the
// plain bytes of sealed r.
type Sealer interface {
	Seal(w io.Writer) (io.WriteCloser, error)
	Open(r io.Reader) (io.Reader, error)
}

// SealerFor chooses the Sealer for a key (a per-case key from the case id
// the key starts with).
type SealerFor func(ctx context.Context, key string) (Sealer, error)

// Sealed returns a Store that seals every blob with the Sealer that sealer
// chooses for its key before s stores it, and opens it on Get. Size and
// SHA256 in Infos describe the sealed bytes, as stored.
func Sealed(s Store, sealer SealerFor) Store { return &sealed{s: s, sealer: sealer} }

type sealed struct {
	s      Store
	sealer SealerFor
}

func (z *sealed) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	sl, err := z.sealer(ctx, key)
	if err != nil {
		return Info{}, err
	}
	pr, pw := io.Pipe()
	go func() {
		w, err := sl.Seal(pw)
		if err == nil {
			_, err = io.Copy(w, r)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		pw.CloseWithError(err)
	}()
	info, err := z.s.Put(ctx, key, pr)
	pr.CloseWithError(err) // stops the sealing goroutine if Put gave up early
	return info, err
}

func (z *sealed) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	sl, err := z.sealer(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	rc, info, err := z.s.Get(ctx, key)
	if err != nil {
		return nil, info, err
	}
	plain, err := sl.Open(rc)
	if err != nil {
		rc.Close()
		return nil, info, err
	}
	return struct {
		io.Reader
		io.Closer
	}{plain, rc}, info, nil
}

func (z *sealed) Stat(ctx context.Context, key string) (Info, error) { return z.s.Stat(ctx, key) }

func (z *sealed) Delete(ctx context.Context, key string) error { return z.s.Delete(ctx, key) }

func (z *sealed) List(ctx context.Context, prefix string, fn func(Info) error) error {
	return z.s.List(ctx, prefix, fn)
}
