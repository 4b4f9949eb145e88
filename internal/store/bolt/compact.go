package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/rightsdesk/rightsdesk/internal/durable"
)

// bbolt never overwrites a freed page until it reuses it, so after a purge
// the old ciphertext (and, in a store from before encryption, plaintext)
// stays in the file. Compact rewrites the database into a new file that
// holds only live pages and puts it in the old one's place.

// compactTxSize is how many bytes bbolt.Compact copies per transaction of
// the new file, so memory stays bounded on a large database.
const compactTxSize = 64 << 20

// CompactResult is the file's size before and after.
type CompactResult struct{ Before, After int64 }

// Compact rewrites the database in dir, which must exist and must not be
// open in another process (ErrLocked while a server runs), into a
// temporary file in the same directory, syncs it, and renames it over the
// database; the directory is synced so the rename survives a crash. A
// crash before the rename leaves the old database as it was and a stray
// temporary file, which the next Compact replaces.
func Compact(dir string) (CompactResult, error) {
	var res CompactResult
	// Opened for writing, which takes bbolt's exclusive lock: no server,
	// reader or second Compact can be running, nor start until we finish
	// (two at once would each replace the other's temporary file). Open
	// would create a missing database, so that is refused first.
	if _, err := os.Stat(databasePath(dir)); errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("%w at %s", ErrNoDatabase, databasePath(dir))
	}
	src, err := Open(dir, Options{})
	if err != nil {
		return res, err
	}
	defer func() { _ = src.Close() }()
	path := src.path
	info, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	res.Before = info.Size()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".compact")
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return res, ErrLocked
	}
	if err != nil {
		return res, fmt.Errorf("create the compacted copy: %w", err)
	}
	if err := bbolt.Compact(dst, src.db, compactTxSize); err != nil {
		_ = dst.Close()
		_ = os.Remove(tmp)
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := dst.Close(); err != nil {
		_ = os.Remove(tmp)
		return res, err
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return res, err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return res, fmt.Errorf("replace %s with its compacted copy: %w", path, err)
	}
	if err := durable.SyncDir(filepath.Dir(path)); err != nil {
		return res, err
	}
	if info, err = os.Stat(path); err != nil {
		return res, err
	}
	res.After = info.Size()
	return res, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
