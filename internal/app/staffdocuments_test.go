package app

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// A document staff add goes through the same sealing store as the
// requester's: on disk it is not readable without the case's key, and
// through the store it reads back as added.
func TestStaffDocumentsAreSealedAtRest(t *testing.T) {
	raw, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var st *store.Store // opened by caseworktest.New, which needs the sealing store first
	sealer := func(ctx context.Context, key string) (blob.Sealer, error) { return documentSealerFor(st)(ctx, key) }
	sealed := blob.Sealed(raw, sealer)
	w, st := caseworktest.New(t, t.TempDir(), time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), casework.WithDocuments(sealed))
	res, err := w.Create(t.Context(), "token:test", cases.NewCase{
		Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
		ReceivedOn: "2026-02-27", Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	plaintext := []byte("appraisal notes: Ada Lovelace, excellent analytical engine work\n")
	c, err := w.AddDocument(t.Context(), "user:sam", res.Case.ID, cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "HR system"},
		usecase.Upload{Name: "appraisal.txt", Content: bytes.NewReader(plaintext)})
	if err != nil {
		t.Fatal(err)
	}
	key := c.Documents[0].Key
	if got := read(t, raw, key); bytes.Contains(got, []byte("analytical engine")) {
		t.Error("the stored blob holds the document in clear")
	}
	rc, _, err := w.Document(t.Context(), c.ID, "d1")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, plaintext) {
		t.Errorf("the document reads back as %q", got)
	}
}
