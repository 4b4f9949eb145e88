//go:build !linux

package bolt

// DiskRoom cannot ask the file system here; readiness relies on its probe
// write alone.
func (b *Backend) DiskRoom() error { return nil }
