package store

import (
	"context"
	"io"
	"time"
)

// keyWriteProbe is the meta key ProbeWrites writes; its value means nothing.
var keyWriteProbe = []byte("write_probe")

// Bucket names an ordered key space.
type Bucket string

// Backend is a transactional, ordered key-value engine.
//
// Update may run fn more than once when the engine groups concurrent writers
// into one commit, so fn must derive everything it writes from what it reads
// inside the transaction. A returned error rolls back everything fn wrote.
// A refusal should be found before fn's first write: an engine answers such
// a failure alone, while one after a write makes the writers sharing its
// commit run again.
type Backend interface {
	View(ctx context.Context, fn func(ReadTx) error) error
	Update(ctx context.Context, fn func(WriteTx) error) error
	// Backup writes a consistent snapshot that Open can read back.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	Close() error
}

// ReadTx reads within one consistent snapshot. Byte slices it returns are
// valid only until the transaction ends.
type ReadTx interface {
	// Get returns nil when the key is absent.
	Get(b Bucket, key []byte) []byte
	// GetMany returns the value of each of keys, in their order (nil for
	// an absent key), as Get would one after another. A networked engine
	// reads them in one round trip, so a caller that knows a batch of keys
	// up front (a page of cases found through an index) asks for them
	// together.
	GetMany(b Bucket, keys [][]byte) [][]byte
	// Scan visits keys ≥ start in ascending byte order until fn returns false
	// or an error.
	Scan(b Bucket, start []byte, fn func(key, value []byte) (bool, error)) error
	// ScanReverse visits keys ≤ start (every key when start is nil) in
	// descending byte order until fn returns false or an error.
	ScanReverse(b Bucket, start []byte, fn func(key, value []byte) (bool, error)) error
}

// WriteTx reads and writes within one atomic transaction.
type WriteTx interface {
	ReadTx
	Put(b Bucket, key, value []byte) error
	Delete(b Bucket, key []byte) error
}

// WriteHealth is implemented by an engine that notices when its disk
// refuses writes (full, read-only, failing).
type WriteHealth interface {
	// WritesFailing returns the refusal of the last commit while no
	// commit has succeeded since, and nil otherwise.
	WritesFailing() error
}

// DiskRoom is implemented by an engine that can tell, without writing,
// whether its disk takes writes (not read-only, room left): a small write
// may fit in pages a full disk already holds, so a probe write alone
// could call a full disk healthy.
type DiskRoom interface {
	DiskRoom() error
}

// PageChecker is implemented by an engine that may check its pages in the
// background after it opens (bbolt, for a file too large to check first).
type PageChecker interface {
	// WaitPageCheck waits until that check has finished and returns its
	// finding; at once when there is none.
	WaitPageCheck(ctx context.Context) error
}

// WaitPageCheck waits for the engine's background page check (PageChecker),
// and returns at once on an engine without one (etcd).
func (s *Store) WaitPageCheck(ctx context.Context) error {
	if c, ok := engineAs[PageChecker](s.backend); ok {
		return c.WaitPageCheck(ctx)
	}
	return nil
}

// GroupCommitter is implemented by an engine whose one writer commits the
// writers waiting for it in groups (bbolt): the totals it keeps since it
// opened.
type GroupCommitter interface {
	WriterStats() WriterStats
}

// WriterStats are a group commit's totals: how many transactions its
// writer ran and how many writers they held, and the time it spent running
// their functions (which every other writer waits for) and committing
// (writing pages and syncing, paid once per group). Under load a group
// commit is busy nearly all the time whatever holds its writers back,
// since with time to spare it commits smaller groups more often; where
// its time goes, and how many writers share each commit, is what these
// tell.
type WriterStats struct {
	Commits, Calls      uint64
	Running, Committing time.Duration
}

// Sub is what happened between earlier and s.
func (s WriterStats) Sub(earlier WriterStats) WriterStats {
	return WriterStats{Commits: s.Commits - earlier.Commits, Calls: s.Calls - earlier.Calls,
		Running: s.Running - earlier.Running, Committing: s.Committing - earlier.Committing}
}

// Add is s and other together.
func (s WriterStats) Add(other WriterStats) WriterStats {
	return WriterStats{Commits: s.Commits + other.Commits, Calls: s.Calls + other.Calls,
		Running: s.Running + other.Running, Committing: s.Committing + other.Committing}
}

// WriterStats returns the engine's group-commit totals, and false for an
// engine that keeps none (etcd).
func (s *Store) WriterStats() (WriterStats, bool) {
	if g, ok := engineAs[GroupCommitter](s.backend); ok {
		return g.WriterStats(), true
	}
	return WriterStats{}, false
}

// engineAs finds the engine under s's wrappers (metrics) that implements
// T, following Unwrap.
func engineAs[T any](b Backend) (T, bool) {
	for {
		if e, ok := b.(T); ok {
			return e, true
		}
		w, ok := b.(interface{ Unwrap() Backend })
		if !ok {
			var zero T
			return zero, false
		}
		b = w.Unwrap()
	}
}

// WritesFailing is the engine's WritesFailing, or nil for an engine that
// does not track it.
func (s *Store) WritesFailing() error {
	if h, ok := engineAs[WriteHealth](s.backend); ok {
		return h.WritesFailing()
	}
	return nil
}

// ProbeWrites, while the engine reports that its disk refused the last
// commit, checks whether the disk takes writes again — its room first
// (DiskRoom), then a small write — and returns the engine's verdict: nil
// once the write went through. A server whose writes fail is taken out of
// rotation, so no client writes to it any more; without a probe it would
// never learn that the disk takes writes again. It writes nothing while
// writes are not failing.
func (s *Store) ProbeWrites(ctx context.Context) error {
	failing := s.WritesFailing()
	if failing == nil {
		return nil
	}
	if room, ok := engineAs[DiskRoom](s.backend); ok && room.DiskRoom() != nil {
		return failing
	}
	err := s.Update(ctx, func(tx WriteTx) error { return tx.Put(BucketMeta, keyWriteProbe, []byte{1}) })
	if err != nil {
		return err
	}
	return s.WritesFailing()
}
