package server

import (
	"context"
	"errors"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// backupChunkSize keeps each message well under gRPC's 4 MiB default.
const backupChunkSize = 1 << 20

type adminService struct {
	rdv1.UnimplementedAdminServiceServer
	ops    usecase.Operations
	tokens usecase.Tokens
	users  usecase.Accounts
}

func (s *adminService) Backup(_ *rdv1.BackupRequest, stream rdv1.AdminService_BackupServer) error {
	w := &chunkWriter{send: func(b []byte) error { return stream.Send(&rdv1.BackupChunk{Data: b}) }}
	if _, err := s.ops.Backup(stream.Context(), w); err != nil {
		return err
	}
	return w.flush()
}

func (s *adminService) VerifyAudit(ctx context.Context, _ *rdv1.VerifyAuditRequest) (*rdv1.VerifyAuditResponse, error) {
	res, err := s.ops.VerifyAudit(ctx)
	resp := &rdv1.VerifyAuditResponse{Events: res.Events, Head: res.Head, Intact: err == nil}
	var br *audit.Break
	if errors.As(err, &br) {
		resp.BrokenAt, resp.BrokenCase, resp.Reason = br.Seq, br.CaseID, br.Reason
		return resp, nil
	}
	return resp, err
}

// chunkWriter turns the engine's byte stream into bounded messages.
type chunkWriter struct {
	buf  []byte
	send func([]byte) error
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(backupChunkSize-len(w.buf), len(p))
		w.buf, p = append(w.buf, p[:take]...), p[take:]
		if len(w.buf) == backupChunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.send(w.buf)
	w.buf = nil
	return err
}
