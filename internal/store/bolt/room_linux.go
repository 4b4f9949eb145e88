//go:build linux

package bolt

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// minRoom is the free space below which DiskRoom reports no room: bbolt
// grows its file by up to 16 MiB at a time (its default AllocSize), so
// less than that may refuse the next write that needs new pages.
const minRoom = 16 << 20

// DiskRoom says, without writing, whether the file system holding the
// database takes writes: it is not mounted read-only and has at least
// minRoom free for this process. A write that fits in pages the file
// already has may succeed on a full disk; one that grows the file will
// not, so readiness asks this before it trusts a probe write.
func (b *Backend) DiskRoom() error {
	var fs unix.Statfs_t
	if err := unix.Statfs(filepath.Dir(b.path), &fs); err != nil {
		return fmt.Errorf("statfs %s: %w", filepath.Dir(b.path), err)
	}
	if fs.Flags&unix.ST_RDONLY != 0 {
		return fmt.Errorf("%s is on a file system mounted read-only: %w", b.path, unix.EROFS)
	}
	if free := fs.Bavail * uint64(fs.Bsize); free < minRoom {
		return fmt.Errorf("%s: %d bytes free, under the %d a write may need: %w", b.path, free, minRoom, unix.ENOSPC)
	}
	return nil
}
