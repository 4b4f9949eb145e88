package operations_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/operations"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

var ctx = context.Background()

// stalledClient is a backup client that reads the first chunk and then
// nothing until released, as a download that stops does: its Write blocks.
type stalledClient struct {
	first   chan struct{}
	release chan struct{}
	got     bytes.Buffer
}

func (c *stalledClient) Write(p []byte) (int, error) {
	if c.got.Len() > 0 {
		<-c.release
		return 0, errors.New("the client went away")
	}
	close(c.first)
	return c.got.Write(p)
}

// grow writes n values of 8 KiB, enough that bbolt must grow (remap) its
// file more than once: what a read transaction held open would block.
func grow(t *testing.T, st *store.Store, n int) {
	t.Helper()
	value := bytes.Repeat([]byte{0xa5}, 8<<10)
	bucket := store.Buckets()[0]
	for i := range n {
		err := st.Backend().Update(ctx, func(tx store.WriteTx) error {
			return tx.Put(bucket, binary.BigEndian.AppendUint64([]byte("grow/"), uint64(i)), value)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A client that stops reading a backup must hold up nothing but itself:
// writes that grow the database go on, and the backup gives up on the
// client once it has stalled for the configured time.
func TestAStalledBackupHoldsUpNoWrite(t *testing.T) {
	dir := t.TempDir()
	st := caseworktest.OpenStore(t, dir)
	grow(t, st, 64)
	ops := operations.New(st, operations.Options{SpoolDir: dir, Stall: 300 * time.Millisecond})

	client := &stalledClient{first: make(chan struct{}), release: make(chan struct{})}
	defer close(client.release)
	backup := make(chan error, 1)
	go func() { _, err := ops.Backup(ctx, client); backup <- err }()
	<-client.first

	wrote := make(chan struct{})
	go func() { grow(t, st, 2000); close(wrote) }()
	select {
	case <-wrote:
	case <-time.After(60 * time.Second):
		t.Fatal("writes that grow the file were still held up after 60s by a backup whose client stopped reading")
	}
	select {
	case err := <-backup:
		if !errors.Is(err, operations.ErrBackupStalled) {
			t.Errorf("the stalled backup ended with %v, want ErrBackupStalled", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the backup never gave up on its stalled client")
	}
	if spools, _ := filepath.Glob(filepath.Join(dir, ".backup-spool-*")); len(spools) != 0 {
		t.Errorf("spool files left behind: %v", spools)
	}
}

// A backup read to the end is the whole database, and a spool file a
// crash left behind is removed when the service starts.
func TestABackupIsTheWholeDatabaseAndLeavesNoSpool(t *testing.T) {
	dir := t.TempDir()
	st := caseworktest.OpenStore(t, dir)
	grow(t, st, 100)
	stale := filepath.Join(dir, ".backup-spool-123")
	if err := os.WriteFile(stale, []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	ops := operations.New(st, operations.Options{SpoolDir: dir})
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale spool file is still there: %v", err)
	}
	var out bytes.Buffer
	n, err := ops.Backup(ctx, &out)
	if err != nil {
		t.Fatal(err)
	}
	var direct bytes.Buffer
	if _, err := st.Backend().Backup(ctx, &direct); err != nil {
		t.Fatal(err)
	}
	if n != int64(out.Len()) || !bytes.Equal(out.Bytes(), direct.Bytes()) {
		t.Errorf("the backup (%d bytes, said %d) differs from the store's own snapshot (%d bytes)", out.Len(), n, direct.Len())
	}
	if spools, _ := filepath.Glob(filepath.Join(dir, ".backup-spool-*")); len(spools) != 0 {
		t.Errorf("spool files left behind: %v", spools)
	}
}
