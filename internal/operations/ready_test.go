package operations_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/operations"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// refusingDisk is an engine on a disk that may be full: while it is, every
// commit is refused and WritesFailing says so, until a commit succeeds
// again. It sits behind a wrapper (as the metrics wrapper does in
// production) that says what it wraps only through Unwrap.
type refusingDisk struct {
	store.Backend
	full    bool
	refusal error
}

func (d *refusingDisk) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if d.full {
		d.refusal = &fault.StorageUnavailable{Cause: fmt.Errorf("write: %w", syscall.ENOSPC)}
		return d.refusal
	}
	err := d.Backend.Update(ctx, fn)
	if err == nil {
		d.refusal = nil
	}
	return err
}

func (d *refusingDisk) WritesFailing() error { return d.refusal }

type wrapper struct{ store.Backend }

func (w wrapper) Unwrap() store.Backend { return w.Backend }

// A server whose disk refuses writes is not ready, though it still reads;
// once the disk takes writes again it is ready, without waiting for a
// client to write (it gets none while it is out of rotation).
func TestNotReadyWhileTheDiskRefusesWrites(t *testing.T) {
	engine, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	disk := &refusingDisk{Backend: engine}
	st, err := store.Open(ctx, wrapper{disk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ops := operations.New(st, operations.Options{SpoolDir: t.TempDir()})
	if err := ops.Ready(ctx); err != nil {
		t.Fatalf("Ready = %v on a sound disk", err)
	}
	disk.full = true
	if err := st.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("k"), []byte("v")) }); err == nil {
		t.Fatal("a write on a full disk succeeded")
	}
	for range 2 { // the probe fails too, and keeps it not ready
		if err := ops.Ready(ctx); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("Ready = %v while the disk refuses writes; want its refusal", err)
		}
	}
	disk.full = false
	if err := ops.Ready(ctx); err != nil {
		t.Fatalf("Ready = %v once the disk takes writes again", err)
	}
}
