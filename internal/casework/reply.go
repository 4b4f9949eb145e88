package casework

import (
	"context"
	"errors"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// WithDocuments keeps the documents requesters send in docs. Without it a
// reply may carry text only.
func WithDocuments(docs blob.Store) Option { return func(s *Service) { s.documents = docs } }

// Reply takes the requester's reply. Each document is stored first, under
// a key of its own drawn at random, and the case then records them in one
// transaction; if anything fails, the documents stored for the reply are
// deleted again. A document left behind all the same (the process killed
// between the two) is harmless: no case names it, so nobody is shown it,
// and its key is never drawn again.
func (s *Service) Reply(ctx context.Context, reference, token, text string, uploads []usecase.Upload) (updated *cases.Case, err error) {
	c, err := s.Status(ctx, reference, token)
	if err != nil {
		return nil, err
	}
	// Fail on what is known before storing anything.
	if err := cases.CheckReply(text, len(uploads)); err != nil {
		return nil, err
	}
	if len(uploads) > 0 && s.documents == nil {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "documents cannot be sent here: no document store is set up"}
	}
	files := make([]cases.File, 0, len(uploads))
	defer func() {
		if err != nil {
			s.forget(ctx, files)
		}
	}()
	for _, up := range uploads {
		f, err := s.storeDocument(ctx, c.ID, up)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	env := s.env(usecase.RequesterActor)
	err = s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		updated, err = s.applyIn(tx, env, c.ID, "", cases.RequesterReply{Text: text, Files: files})
		return err
	})
	return updated, err
}

// storeDocument stores one upload from a requester (or a data owner):
// the types and size a requester may send (requesterUploads).
func (s *Service) storeDocument(ctx context.Context, caseID string, up usecase.Upload) (cases.File, error) {
	return s.storeUpload(ctx, caseID, up, requesterUploads)
}

// forget deletes the documents of a reply that was not recorded. It runs
// even when the caller gave up, which is one way a reply fails.
func (s *Service) forget(ctx context.Context, files []cases.File) {
	ctx = context.WithoutCancel(ctx)
	for _, f := range files {
		_ = s.documents.Delete(ctx, f.Key) // one left behind is harmless (see Reply)
	}
}

// Withdraw closes the request at the requester's word, found by reference
// and status code as Status finds it.
func (s *Service) Withdraw(ctx context.Context, reference, token, reason string) (*cases.Case, error) {
	c, err := s.Status(ctx, reference, token)
	if err != nil {
		return nil, err
	}
	return s.Apply(ctx, usecase.RequesterActor, c.ID, "", cases.Withdraw{Reason: reason})
}

// Document streams a document of the case: the requester's, a data
// owner's or one staff added.
func (s *Service) Document(ctx context.Context, caseID, fileID string) (io.ReadCloser, cases.File, error) {
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return nil, cases.File{}, err
	}
	d, ok := c.Document(fileID)
	f := d.File
	if !ok || s.documents == nil {
		return nil, cases.File{}, &fault.NotFound{Resource: "document", Name: c.Name() + "/documents/" + fileID}
	}
	rc, _, err := s.documents.Get(ctx, f.Key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, cases.File{}, &fault.NotFound{Resource: "document", Name: c.Name() + "/documents/" + fileID, Detail: "the case lists it, but the document store no longer holds it"}
	}
	if err != nil {
		return nil, cases.File{}, err
	}
	return rc, f, nil
}
