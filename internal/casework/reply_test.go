package casework_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// replyFixture is a service with a document store and one case, with the
// status code its requester was given.
type replyFixture struct {
	w         *casework.Service
	docs      blob.Store
	c         *cases.Case
	reference string
	code      string
}

func newReplyFixture(t *testing.T) *replyFixture {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := caseworktest.New(t, t.TempDir(), today, casework.WithDocuments(docs))
	res, err := w.Create(ctx, "web:public", request(notice.RightAccess, ""))
	if err != nil {
		t.Fatal(err)
	}
	return &replyFixture{w: w, docs: docs, c: res.Case, reference: res.Case.Reference, code: res.StatusToken}
}

// stored lists the keys the document store holds.
func (f *replyFixture) stored(t *testing.T) []string {
	t.Helper()
	var keys []string
	if err := f.docs.List(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

var pdf = []byte("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func upload(name string, content []byte) usecase.Upload {
	return usecase.Upload{Name: name, Content: bytes.NewReader(content)}
}

func TestReplyWithADocumentRestartsTheClockAndStaffCanReadIt(t *testing.T) {
	f := newReplyFixture(t)
	if _, err := f.w.Apply(ctx, "token:test", f.c.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-23"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.w.Reply(ctx, strings.ToLower(f.reference), f.code, "My passport.", []usecase.Upload{upload(`C:\scans\passport.pdf`, pdf)})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != cases.StateInProgress || c.Clock.Start != "2026-03-02" || c.IdentityReceivedOn != "2026-03-02" || !c.NewReply {
		t.Errorf("state %s clock start %s identity received %s new reply %v; want the clock restarted from the reply's date",
			c.State, c.Clock.Start, c.IdentityReceivedOn, c.NewReply)
	}
	// A passport sent is not a passport checked: staff verify it.
	if next := f.w.NextActions([]*cases.Case{c})[0]; c.IdentityStatus != cases.IdentityReceived || next != cases.ActCheckIdentity {
		t.Errorf("identity %s, next action %s; want received, and checking it next", c.IdentityStatus, next)
	}
	sum := sha256.Sum256(pdf)
	file, ok := c.File("d1")
	if !ok || file.Name != "passport.pdf" || file.MediaType != cases.MediaPDF || file.Size != int64(len(pdf)) ||
		file.SHA256 != hex.EncodeToString(sum[:]) || file.ReceivedOn != "2026-03-02" ||
		!strings.HasPrefix(file.Key, strings.ToLower(c.ID)+"/requester/") {
		t.Fatalf("file %+v, %v", file, ok)
	}
	rc, got, err := f.w.Document(ctx, c.ID, "d1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(body, pdf) || got != file {
		t.Errorf("document %q %+v; want what was sent", body, got)
	}
	if _, _, err := f.w.Document(ctx, c.ID, "d2"); !isNotFound(err) {
		t.Errorf("an unknown document: %v", err)
	}

	events, err := f.w.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Actor != usecase.RequesterActor || last.Action != "case.requester_replied" || last.After["waiting_for"] != "" || last.Before["waiting_for"] != "identity" {
		t.Errorf("audit event %+v", last)
	}

	page, err := f.w.List(ctx, usecase.Query{Filter: "new_reply=true", Limit: 10})
	if err != nil || len(page.Cases) != 1 {
		t.Fatalf("new_reply=true lists %d cases, %v; want the one replied on", len(page.Cases), err)
	}
	if _, err := f.w.Apply(ctx, "token:test", c.ID, "", cases.AcknowledgeReply{}); err != nil {
		t.Fatal(err)
	}
	if page, _ := f.w.List(ctx, usecase.Query{Filter: "new_reply=true", Limit: 10}); len(page.Cases) != 0 {
		t.Errorf("new_reply=true still lists the case after staff acknowledged the reply")
	}
	if page, _ := f.w.List(ctx, usecase.Query{Filter: "new_reply=false", Limit: 10}); len(page.Cases) != 1 {
		t.Errorf("new_reply=false does not list the acknowledged case")
	}

	verified, err := f.w.Apply(ctx, "token:test", c.ID, "", cases.ConfirmIdentity{Detail: "The passport matches."})
	if err != nil {
		t.Fatal(err)
	}
	if verified.IdentityStatus != cases.IdentityVerified || verified.Clock.Start != "2026-03-02" {
		t.Errorf("after the check: identity %s, clock start %s; want verified with the clock still from the reply", verified.IdentityStatus, verified.Clock.Start)
	}
}

func TestReplyAtAnotherTimeLeavesTheClock(t *testing.T) {
	f := newReplyFixture(t)
	c, err := f.w.Reply(ctx, f.reference, f.code, "Also search the old HR system, please.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Clock.Due != f.c.Clock.Due || c.Clock.Start != f.c.Clock.Start || c.State != f.c.State || !c.NewReply {
		t.Errorf("clock %s→%s state %s new reply %v; want the clock as it was (%s→%s)", c.Clock.Start, c.Clock.Due, c.State, c.NewReply, f.c.Clock.Start, f.c.Clock.Due)
	}
}

func TestReplyRefusalsStoreNoDocument(t *testing.T) {
	big := append(bytes.Clone(pdf), make([]byte, cases.MaxFileSize)...)
	tests := []struct {
		name      string
		reference string
		code      func(*replyFixture) string
		files     []usecase.Upload
		field     string // "" for not found
	}{
		{"wrong type", "", nil, []usecase.Upload{upload("ok.pdf", pdf), upload("photo.pdf", []byte("GIF89a..."))}, "files"},
		{"too large", "", nil, []usecase.Upload{upload("big.pdf", big)}, "files"},
		{"empty", "", nil, []usecase.Upload{upload("empty.pdf", nil)}, "files"},
		{"too many", "", nil, []usecase.Upload{upload("1.pdf", pdf), upload("2.pdf", pdf), upload("3.pdf", pdf), upload("4.pdf", pdf)}, "files"},
		{"a parent folder in a name", "", nil, []usecase.Upload{upload("ok.pdf", pdf), upload("../../keys/x.pdf", pdf)}, "files"},
		{"wrong code", "", func(*replyFixture) string { return "wrong" }, []usecase.Upload{upload("ok.pdf", pdf)}, ""},
		{"unknown reference", "RD-2222-2222", nil, []usecase.Upload{upload("ok.pdf", pdf)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newReplyFixture(t)
			ref, code := f.reference, f.code
			if tt.reference != "" {
				ref = tt.reference
			}
			if tt.code != nil {
				code = tt.code(f)
			}
			_, err := f.w.Reply(ctx, ref, code, "", tt.files)
			var invalid *fault.InvalidArgument
			switch {
			case tt.field == "" && !isNotFound(err):
				t.Errorf("err = %v; want not found", err)
			case tt.field != "" && (!errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field):
				t.Errorf("err = %v; want invalid %s", err, tt.field)
			}
			if keys := f.stored(t); len(keys) != 0 {
				t.Errorf("the document store holds %v after a refused reply", keys)
			}
			if c, _ := f.w.Get(ctx, f.c.ID); c.Version != f.c.Version {
				t.Errorf("the case changed (version %d → %d)", f.c.Version, c.Version)
			}
		})
	}
}

func TestReplyToAClosedCaseDeletesItsDocuments(t *testing.T) {
	f := newReplyFixture(t)
	if _, err := f.w.Withdraw(ctx, f.reference, f.code, "No longer needed."); err != nil {
		t.Fatal(err)
	}
	_, err := f.w.Reply(ctx, f.reference, f.code, "One more thing", []usecase.Upload{upload("late.pdf", pdf)})
	var refused *fault.FailedPrecondition
	if !errors.As(err, &refused) {
		t.Fatalf("err = %v; want a closed case to refuse the reply", err)
	}
	if keys := f.stored(t); len(keys) != 0 {
		t.Errorf("the document store holds %v: the refused reply's document was not deleted", keys)
	}
}

func TestWithdrawByTheRequester(t *testing.T) {
	f := newReplyFixture(t)
	if _, err := f.w.Withdraw(ctx, f.reference, "wrong", ""); !isNotFound(err) {
		t.Errorf("withdraw with a wrong code: %v", err)
	}
	c, err := f.w.Withdraw(ctx, f.reference, f.code, "No longer needed.")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != cases.StateClosed || c.Outcome.Kind != cases.OutcomeWithdrawn || !c.NewReply {
		t.Errorf("state %s outcome %+v new reply %v", c.State, c.Outcome, c.NewReply)
	}
	events, _ := f.w.Events(ctx, c.ID)
	if last := events[len(events)-1]; last.Actor != usecase.RequesterActor || last.Action != "case.withdrawn_by_requester" || last.PayloadHash == nil {
		t.Errorf("audit event %+v; want the requester's withdrawal with its reason sealed apart", last)
	}
}
