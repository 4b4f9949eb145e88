package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// failCommits makes every commit of b fail with errno, as a refusing disk
// would, until the test ends or restoreCommits is called.
func failCommits(b *Backend, errno syscall.Errno) {
	fail := func() error { return fmt.Errorf("write %s: %w", b.path, errno) }
	b.commitFault.Store(&fail)
}

func restoreCommits(b *Backend) { b.commitFault.Store(nil) }

func TestDiskRefusalIsUnavailableUntilAWriteSucceeds(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EROFS, syscall.EIO} {
		t.Run(errno.Error(), func(t *testing.T) {
			b := openTest(t)
			if err := b.Update(ctx, putKey("before")); err != nil {
				t.Fatal(err)
			}
			failCommits(b, errno)
			err := b.Update(ctx, putKey("refused"))
			var refused *fault.StorageUnavailable
			if !errors.As(err, &refused) || !errors.Is(err, errno) {
				t.Fatalf("Update returned %v, want a *fault.StorageUnavailable wrapping %v", err, errno)
			}
			if b.WritesFailing() == nil {
				t.Fatal("WritesFailing is nil after the disk refused a commit")
			}
			// A function's own refusal says nothing about the disk.
			restoreCommits(b)
			if err := b.Update(ctx, func(store.WriteTx) error { return errors.New("refused by the domain") }); err == nil {
				t.Fatal("a refusing function succeeded")
			}
			if b.WritesFailing() == nil {
				t.Fatal("a function's refusal cleared WritesFailing")
			}
			if err := b.Update(ctx, putKey("after")); err != nil {
				t.Fatalf("write once the disk is back: %v", err)
			}
			if err := b.WritesFailing(); err != nil {
				t.Fatalf("WritesFailing is %v after a write succeeded", err)
			}
			if !has(t, b, "before") || has(t, b, "refused") || !has(t, b, "after") {
				t.Fatal("want the acknowledged writes and not the refused one")
			}
		})
	}
}

func TestOtherCommitFailuresAreNotDiskRefusals(t *testing.T) {
	b := openTest(t)
	fail := func() error { return errors.New("something else") }
	b.commitFault.Store(&fail)
	err := b.Update(ctx, putKey("k"))
	var refused *fault.StorageUnavailable
	if err == nil || errors.As(err, &refused) {
		t.Fatalf("Update returned %v, want the plain error", err)
	}
	if b.WritesFailing() != nil {
		t.Fatal("WritesFailing set by an error that is not the disk's")
	}
}

// TestFullTmpfs fills a real, small tmpfs until the disk refuses, then
// gives it room again. Mounting needs root (CAP_SYS_ADMIN); elsewhere
// TestDiskRefusalIsUnavailableUntilAWriteSucceeds covers the same path
// with an injected failure.
func TestFullTmpfs(t *testing.T) {
	dir := mountTmpfs(t, "256k")
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	value := make([]byte, 4096)
	var acknowledged []string
	var refusal error
	for i := range 1000 {
		key := fmt.Sprintf("k%04d", i)
		err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(key), value) })
		if err != nil {
			refusal = err
			break
		}
		acknowledged = append(acknowledged, key)
	}
	var refused *fault.StorageUnavailable
	if !errors.As(refusal, &refused) || !errors.Is(refusal, syscall.ENOSPC) {
		t.Fatalf("filling a 256k disk ended with %v, want a *fault.StorageUnavailable wrapping ENOSPC", refusal)
	}
	if b.WritesFailing() == nil {
		t.Fatal("WritesFailing is nil on a full disk")
	}
	checkAcknowledged := func() {
		t.Helper()
		for _, key := range acknowledged {
			if !has(t, b, key) {
				t.Fatalf("acknowledged write %s is missing", key)
			}
		}
	}
	checkAcknowledged()
	// Space returns.
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size=4m"); err != nil {
		t.Fatalf("grow the tmpfs: %v", err)
	}
	if err := b.Update(ctx, putKey("after")); err != nil {
		t.Fatalf("write once space returned: %v", err)
	}
	if err := b.WritesFailing(); err != nil {
		t.Fatalf("WritesFailing is %v after a write succeeded", err)
	}
	checkAcknowledged()
	if err := b.Check(); err != nil {
		t.Fatalf("bbolt consistency check: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err = Open(dir, Options{CheckPages: true}); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer b.Close()
	checkAcknowledged()
	if !has(t, b, "after") {
		t.Fatal("the write made once space returned is missing after reopening")
	}
}

// mountTmpfs mounts a tmpfs of size (mount's syntax, "32m") at a new
// directory, unmounted when the test ends, or skips the test where that
// needs privileges the test does not have.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; the injected-failure tests cover the same path")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); the injected-failure tests cover the same path", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// DiskRoom tells a disk that takes writes from one that is full or
// read-only, without writing.
func TestDiskRoom(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DiskRoom asks the file system on Linux only")
	}
	dir := mountTmpfs(t, "32m")
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DiskRoom(); err != nil {
		t.Fatalf("DiskRoom on an empty 32 MiB disk: %v", err)
	}
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := filler.Write(make([]byte, 1<<20)); err == nil; _, err = filler.Write(make([]byte, 1<<20)) {
	}
	filler.Close()
	if err := b.DiskRoom(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("DiskRoom on a full disk = %v, want ENOSPC", err)
	}
	if err := os.Remove(filler.Name()); err != nil {
		t.Fatal(err)
	}
	// A file open for writing keeps the kernel from remounting read-only,
	// so the database is closed first; DiskRoom asks about its directory.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, "size=32m"); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	if err := b.DiskRoom(); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("DiskRoom on a read-only disk = %v, want EROFS", err)
	}
}
