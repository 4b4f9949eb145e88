package bolt

import (
	"errors"
	"syscall"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// diskErrors are the errors with which a disk refuses a write: it is full
// (or the user's quota is), mounted read-only, or failing. While they last
// no write can succeed, so the server should be taken out of rotation
// rather than answer every write with a failure.
var diskErrors = []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EIO, syscall.EFBIG}

// noteCommit records the outcome of a commit that bbolt itself answered
// (not a function's refusal): a disk refusal marks writes as failing and
// comes back as a *fault.StorageUnavailable; a success that wrote
// something clears the mark. A commit that wrote nothing rewrites only a
// meta page already on disk, which a full disk still allows, so it proves
// nothing. Any other error is returned as it is and leaves the mark alone.
func (b *Backend) noteCommit(err error, wrote bool) error {
	if err == nil {
		if wrote {
			b.disk.Store(nil)
		}
		return nil
	}
	for _, target := range diskErrors {
		if errors.Is(err, target) {
			refused := &fault.StorageUnavailable{Cause: err}
			b.disk.Store(refused)
			return refused
		}
	}
	return err
}

// WritesFailing returns the disk's refusal of the last commit while no
// commit has succeeded since, and nil otherwise. Readiness reads it: a
// server that cannot write is not ready, even though it can still read.
func (b *Backend) WritesFailing() error {
	if refused := b.disk.Load(); refused != nil {
		return refused
	}
	return nil
}

// injectedCommitFault is the error a test asked commits to fail with.
func (b *Backend) injectedCommitFault() error {
	if f := b.commitFault.Load(); f != nil {
		return (*f)()
	}
	return nil
}
