package app

import (
	"bytes"
	"context"
	"errors"
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

// deletesNothing is a blob store that keeps every file it is asked to
// delete, as a disk does when the purge stops between its commit and the
// files' removal: what is left is the ciphertext alone.
type deletesNothing struct{ blob.Store }

func (deletesNothing) Delete(context.Context, string) error {
	return errors.New("the disk refuses deletes")
}

// Destroying a case's data key destroys its documents: a document stored
// sealed holds none of its words on disk; once the case is purged (the
// one purge primitive deletes its key), the file left behind can no
// longer be opened, through the sealing store or through casework, while
// the audit chain `rightsdesk audit verify` checks still verifies.
func TestDestroyingACasesKeyLeavesItsDocumentsUnreadableAndTheChainIntact(t *testing.T) {
	ctx := t.Context()
	raw, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var st *store.Store // opened by caseworktest.New, which needs the sealing store first
	sealer := func(ctx context.Context, key string) (blob.Sealer, error) { return documentSealerFor(st)(ctx, key) }
	sealed := blob.Sealed(deletesNothing{raw}, sealer)
	w, st := caseworktest.New(t, t.TempDir(), time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), casework.WithDocuments(sealed))
	res, err := w.Create(ctx, "token:test", cases.NewCase{
		Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
		ReceivedOn: "2026-02-27", Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	const marker = "STAFF-PASS-OF-ADA-LOVELACE-0042"
	pass := []byte("%PDF-1.4\n% " + marker + "\n%%EOF\n")
	c, err := w.AddDocument(ctx, "user:sam", res.Case.ID, cases.DocumentSpec{Kind: cases.DocumentIdentityEvidence},
		usecase.Upload{Name: "staff-pass.pdf", Content: bytes.NewReader(pass)})
	if err != nil {
		t.Fatal(err)
	}
	key := c.Documents[0].Key
	if stored := read(t, raw, key); bytes.Contains(stored, []byte(marker)) {
		t.Fatal("the stored file holds the document in clear")
	}
	if opened := read(t, sealed, key); !bytes.Equal(opened, pass) {
		t.Fatal("with the case's key the document does not read back as added")
	}

	caseworktest.ReleasePack(t, w, res.Case.ID)
	if _, err := w.Apply(ctx, "user:sam", res.Case.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PurgeCase(ctx, "user:sam", res.Case.ID, cases.PurgeErasure); err != nil {
		t.Fatal(err)
	}

	if left := read(t, raw, key); len(left) == 0 || bytes.Contains(left, []byte(marker)) {
		t.Fatalf("after the purge the file left on disk is %d bytes, in clear %v; want the ciphertext alone", len(left), bytes.Contains(left, []byte(marker)))
	}
	// The file is there (read above): what fails is its key.
	if rc, _, err := sealed.Get(ctx, key); err == nil || errors.Is(err, blob.ErrNotFound) {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("opening the document after its case's key was destroyed: %v; want it refused for want of the key", err)
	}
	if rc, _, err := w.Document(ctx, res.Case.ID, c.Documents[0].ID); err == nil {
		rc.Close()
		t.Error("casework still serves the document after its case's key was destroyed")
	}
	chain, err := casework.VerifyChain(ctx, st)
	if err != nil || chain.Events == 0 {
		t.Errorf("audit verify after the key was destroyed: %d events, %v", chain.Events, err)
	}
}
