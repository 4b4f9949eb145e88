package storecopy

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// ErrNotEmpty is returned when the destination already holds a key.
var ErrNotEmpty = errors.New("the destination store is not empty")

// Limiter is implemented by engines that bound a transaction (etcd).
type Limiter interface {
	WriteLimits() (ops, bytes int)
}

// Without a Limiter, a batch holds this many keys or bytes.
const (
	defaultBatchKeys  = 10_000
	defaultBatchBytes = 32 << 20
)

// BucketSummary is what one bucket holds.
type BucketSummary struct {
	Bucket store.Bucket `json:"bucket"`
	Keys   int          `json:"keys"`
	Bytes  int64        `json:"bytes"`
	Digest string       `json:"sha256"`
}

// Summary describes a whole store.
type Summary struct {
	Buckets []BucketSummary `json:"buckets"`
	// AuditSeq and AuditHead are the audit chain head's sequence and hash
	// (hex) as the store records it.
	AuditSeq  uint64 `json:"audit_seq"`
	AuditHead string `json:"audit_head"`
}

// Keys is the number of keys in the bucket b.
func (s Summary) Keys(b store.Bucket) int {
	for _, bs := range s.Buckets {
		if bs.Bucket == b {
			return bs.Keys
		}
	}
	return 0
}

// Diff lists every way other differs from s; none means identical.
func (s Summary) Diff(other Summary) []string {
	var out []string
	for i, a := range s.Buckets {
		if i >= len(other.Buckets) || other.Buckets[i].Bucket != a.Bucket {
			out = append(out, fmt.Sprintf("bucket %s: missing from the other store's summary", a.Bucket))
			continue
		}
		if b := other.Buckets[i]; a != b {
			out = append(out, fmt.Sprintf("bucket %s: %d keys, %d bytes, sha256 %.12s… against %d keys, %d bytes, sha256 %.12s…", a.Bucket, a.Keys, a.Bytes, a.Digest, b.Keys, b.Bytes, b.Digest))
		}
	}
	if s.AuditSeq != other.AuditSeq || s.AuditHead != other.AuditHead {
		out = append(out, fmt.Sprintf("audit head: %d %.16s… against %d %.16s…", s.AuditSeq, s.AuditHead, other.AuditSeq, other.AuditHead))
	}
	return out
}

// summer accumulates one bucket's summary.
type summer struct {
	b      BucketSummary
	h      hash.Hash
	lenBuf [8]byte
}

func newSummer(b store.Bucket) *summer { return &summer{b: BucketSummary{Bucket: b}, h: sha256.New()} }

func (s *summer) add(k, v []byte) {
	s.b.Keys++
	s.b.Bytes += int64(len(k) + len(v))
	binary.BigEndian.PutUint64(s.lenBuf[:], uint64(len(k)))
	s.h.Write(s.lenBuf[:])
	s.h.Write(k)
	binary.BigEndian.PutUint64(s.lenBuf[:], uint64(len(v)))
	s.h.Write(s.lenBuf[:])
	s.h.Write(v)
}

func (s *summer) done() BucketSummary {
	s.b.Digest = fmt.Sprintf("%x", s.h.Sum(nil))
	return s.b
}

// Summarise reads every bucket of b in one snapshot.
func Summarise(ctx context.Context, b store.Backend) (Summary, error) {
	var sum Summary
	err := b.View(ctx, func(tx store.ReadTx) error {
		for _, bucket := range store.Buckets() {
			s := newSummer(bucket)
			if err := tx.Scan(bucket, nil, func(k, v []byte) (bool, error) {
				s.add(k, v)
				return true, ctx.Err()
			}); err != nil {
				return err
			}
			sum.Buckets = append(sum.Buckets, s.done())
		}
		return head(tx, &sum)
	})
	return sum, err
}

func head(tx store.ReadTx, sum *Summary) error {
	seq, h, err := store.AuditHead(tx)
	if err != nil {
		return err
	}
	sum.AuditSeq, sum.AuditHead = seq, fmt.Sprintf("%x", h)
	return nil
}

// Progress is told, after each batch, the bucket being copied and how many
// of its keys are written.
type Progress func(bucket store.Bucket, keys int)

// Copy copies every bucket of from into to, which must be empty, from one
// snapshot of from, and returns the source's summary. It does not verify:
// call Summarise on to and compare (Verify does both). A failed copy
// leaves a partial destination, which a new Copy refuses: empty it (for
// etcd, delete its prefix; for bbolt, remove the file) and start again.
func Copy(ctx context.Context, from, to store.Backend, progress Progress) (Summary, error) {
	if err := mustBeEmpty(ctx, to); err != nil {
		return Summary{}, err
	}
	maxKeys, maxBytes := defaultBatchKeys, defaultBatchBytes
	if l, ok := to.(Limiter); ok {
		ops, bytes := l.WriteLimits()
		// Leave room for the engine's own bookkeeping in each transaction.
		maxKeys, maxBytes = max(ops-8, 1), max(bytes-64<<10, 1<<10)
	}
	var sum Summary
	err := from.View(ctx, func(tx store.ReadTx) error {
		for _, bucket := range store.Buckets() {
			s := newSummer(bucket)
			var (
				keys, values [][]byte
				size         int
			)
			flush := func() error {
				if len(keys) == 0 {
					return nil
				}
				err := to.Update(ctx, func(w store.WriteTx) error {
					for i := range keys {
						if err := w.Put(bucket, keys[i], values[i]); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					return fmt.Errorf("write bucket %s: %w", bucket, err)
				}
				keys, values, size = keys[:0], values[:0], 0
				if progress != nil {
					progress(bucket, s.b.Keys)
				}
				return nil
			}
			err := tx.Scan(bucket, nil, func(k, v []byte) (bool, error) {
				entry := len(k) + len(v) + 64
				if len(keys) > 0 && (len(keys) == maxKeys || size+entry > maxBytes) {
					if err := flush(); err != nil {
						return false, err
					}
				}
				// The source's slices live only as long as its transaction,
				// which outlives the batch; the destination copies them.
				keys, values, size = append(keys, k), append(values, v), size+entry
				s.add(k, v)
				return true, nil
			})
			if err == nil {
				err = flush()
			}
			if err != nil {
				return err
			}
			sum.Buckets = append(sum.Buckets, s.done())
		}
		return head(tx, &sum)
	})
	return sum, err
}

func mustBeEmpty(ctx context.Context, b store.Backend) error {
	return b.View(ctx, func(tx store.ReadTx) error {
		for _, bucket := range store.Buckets() {
			found := false
			if err := tx.Scan(bucket, nil, func(_, _ []byte) (bool, error) { found = true; return false, nil }); err != nil {
				return err
			}
			if found {
				return fmt.Errorf("%w: bucket %s has keys", ErrNotEmpty, bucket)
			}
		}
		return nil
	})
}

// Verify compares the summaries of two stores and returns the
// destination's, or an error listing every difference.
func Verify(ctx context.Context, source Summary, to store.Backend) (Summary, error) {
	got, err := Summarise(ctx, to)
	if err != nil {
		return Summary{}, fmt.Errorf("summarise the copy: %w", err)
	}
	if diff := source.Diff(got); len(diff) > 0 {
		return got, fmt.Errorf("the copy differs from the source: %v", diff)
	}
	return got, nil
}
