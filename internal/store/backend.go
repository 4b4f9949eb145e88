package store

import (
	"context"
	"io"
)

// Bucket names an ordered key space.
type Bucket string

// Backend is a transactional, ordered key-value engine.
//
// Update may run fn more than once when the engine groups concurrent writers
// into one commit, so fn must derive everything it writes from what it reads
// inside the transaction. A returned error rolls back everything fn wrote.
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
