package operations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Operations = (*Service)(nil)

// Service runs operational work on the store.
type Service struct {
	store *store.Store
	opts  Options
}

// Options tune a Service; zero fields take the defaults.
type Options struct {
	// SpoolDir is where a backup is written before it is sent (the data
	// directory, so the copy is a local one on a disk known to have room
	// for the database); "" is the system's temporary directory.
	SpoolDir string
	// Stall is how long a backup waits for a client that has stopped
	// reading before giving up on it (2 minutes).
	Stall time.Duration
}

// spoolPattern names backup spool files, so one a crash left behind is
// recognised and removed at the next start.
const spoolPattern = ".backup-spool-*"

// New returns a Service, removing spool files an earlier process left.
func New(st *store.Store, opts Options) *Service {
	if opts.SpoolDir == "" {
		opts.SpoolDir = os.TempDir()
	}
	if opts.Stall <= 0 {
		opts.Stall = 2 * time.Minute
	}
	if stale, err := filepath.Glob(filepath.Join(opts.SpoolDir, spoolPattern)); err == nil {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	return &Service{store: st, opts: opts}
}

// Ready returns nil when the store answers a read and takes writes: a
// server whose disk refused the last write is taken out of rotation until
// a write succeeds again, which, since clients then send it none, the
// check itself tries (store.ProbeWrites).
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.ProbeWrites(ctx); err != nil {
		return err
	}
	return s.store.View(ctx, func(store.ReadTx) error { return nil })
}

// ErrBackupStalled is a backup whose client stopped reading for longer
// than Options.Stall.
var ErrBackupStalled = errors.New("the backup's client stopped reading")

// Backup writes a consistent snapshot of the whole store to w and says how
// many bytes it wrote; copied into an empty data directory, it restores.
//
// The snapshot is first written to a spool file beside the database and
// only then sent to w, so the store's read transaction lasts as long as a
// local copy does, never as long as a slow or stalled client takes: a
// read transaction held open stops bbolt growing its file, which would
// hold up every write behind it.
func (s *Service) Backup(ctx context.Context, w io.Writer) (int64, error) {
	spool, err := os.CreateTemp(s.opts.SpoolDir, spoolPattern)
	if err != nil {
		return 0, fmt.Errorf("backup spool: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	size, err := s.store.Backend().Backup(ctx, spool)
	if err != nil {
		return 0, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("backup spool: %w", err)
	}
	n, err := s.send(ctx, w, spool)
	if err == nil && n != size {
		err = fmt.Errorf("backup: sent %d of %d bytes", n, size)
	}
	return n, err
}

// send copies the spool to w, giving up once a write has made no progress
// for Options.Stall. The copy runs apart, so a write blocked on a client
// that reads nothing cannot hold send; it ends when the caller's stream
// does.
func (s *Service) send(ctx context.Context, w io.Writer, spool io.Reader) (int64, error) {
	var sent atomic.Int64
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(writerFunc(func(p []byte) (int, error) {
			n, err := w.Write(p)
			sent.Add(int64(n))
			return n, err
		}), spool)
		done <- err
	}()
	tick := time.NewTicker(s.opts.Stall / 4)
	defer tick.Stop()
	last, lastProgress := int64(0), time.Now()
	for {
		select {
		case err := <-done:
			return sent.Load(), err
		case <-ctx.Done():
			return sent.Load(), ctx.Err()
		case now := <-tick.C:
			if n := sent.Load(); n != last {
				last, lastProgress = n, now
			} else if now.Sub(lastProgress) >= s.opts.Stall {
				return n, fmt.Errorf("%w for %s", ErrBackupStalled, s.opts.Stall)
			}
		}
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// VerifyAudit recomputes the audit chain; see casework.VerifyChain.
func (s *Service) VerifyAudit(ctx context.Context) (usecase.ChainResult, error) {
	return casework.VerifyChain(ctx, s.store)
}
