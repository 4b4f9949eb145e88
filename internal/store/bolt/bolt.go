package bolt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// FileName is the database file inside a data directory.
const FileName = "rightsdesk.db"

// ErrLocked is returned when another process holds the database open.
var ErrLocked = errors.New("the database is in use by another process (is `rightsdesk serve` running on this data directory?)")

// Options tune an opened database.
type Options struct {
	// LockTimeout is how long Open waits for another process to let go.
	LockTimeout time.Duration
	ReadOnly    bool
}

// Backend is a store.Backend on bbolt.
type Backend struct {
	db *bbolt.DB
}

var _ store.Backend = (*Backend)(nil)

// Open opens (creating if needed) the database in dir and makes sure every
// bucket of the schema exists.
func Open(dir string, opts Options) (*Backend, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	db, err := bbolt.Open(filepath.Join(dir, FileName), 0o600, &bbolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	b := &Backend{db: db}
	if opts.ReadOnly {
		return b, nil
	}
	if err := db.Update(createBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create buckets: %w", err)
	}
	return b, nil
}

func createBuckets(tx *bbolt.Tx) error {
	for _, name := range store.Buckets() {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	return nil
}

// View implements store.Backend.
func (b *Backend) View(ctx context.Context, fn func(store.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.View(func(tx *bbolt.Tx) error { return fn(txn{tx}) })
}

// Update implements store.Backend with a group commit.
func (b *Backend) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.Batch(func(tx *bbolt.Tx) error { return fn(txn{tx}) })
}

// Backup implements store.Backend; readers and writers carry on meanwhile.
func (b *Backend) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := b.db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Check runs bbolt's consistency check and returns every problem found.
func (b *Backend) Check() error {
	return b.db.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// Close implements store.Backend.
func (b *Backend) Close() error { return b.db.Close() }

type txn struct{ tx *bbolt.Tx }

func (t txn) bucket(name store.Bucket) *bbolt.Bucket { return t.tx.Bucket([]byte(name)) }

func (t txn) Get(name store.Bucket, key []byte) []byte {
	if bk := t.bucket(name); bk != nil {
		return bk.Get(key)
	}
	return nil
}

func (t txn) Scan(name store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	bk := t.bucket(name)
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek(start); k != nil; k, v = c.Next() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t txn) ScanReverse(name store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	bk := t.bucket(name)
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	k, v := c.Last()
	if start != nil {
		// Seek lands on the first key ≥ start; step back unless it is start.
		if k, v = c.Seek(start); k == nil {
			k, v = c.Last()
		} else if string(k) != string(start) {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t txn) Put(name store.Bucket, key, value []byte) error {
	bk := t.bucket(name)
	if bk == nil {
		return fmt.Errorf("bucket %q does not exist", name)
	}
	return bk.Put(key, value)
}

func (t txn) Delete(name store.Bucket, key []byte) error {
	bk := t.bucket(name)
	if bk == nil {
		return fmt.Errorf("bucket %q does not exist", name)
	}
	return bk.Delete(key)
}
