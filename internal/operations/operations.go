package operations

import (
	"context"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Operations = (*Service)(nil)

// Service runs operational work on the store.
type Service struct {
	store *store.Store
}

// New returns a Service.
func New(st *store.Store) *Service { return &Service{store: st} }

// Ready returns nil when the store answers a read.
func (s *Service) Ready(ctx context.Context) error {
	return s.store.View(ctx, func(store.ReadTx) error { return nil })
}

// Backup writes a consistent snapshot of the whole store to w and says how
// many bytes it wrote; copied into an empty data directory, it restores.
func (s *Service) Backup(ctx context.Context, w io.Writer) (int64, error) {
	return s.store.Backend().Backup(ctx, w)
}

// VerifyAudit recomputes the audit chain; see casework.VerifyChain.
func (s *Service) VerifyAudit(ctx context.Context) (usecase.ChainResult, error) {
	return casework.VerifyChain(ctx, s.store)
}
