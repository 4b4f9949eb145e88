package casework_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// scannerFunc is a Scanner from a function.
type scannerFunc func(ctx context.Context, content io.Reader, f cases.File) error

func (s scannerFunc) Scan(ctx context.Context, content io.Reader, f cases.File) error {
	return s(ctx, content, f)
}

// newDocumentFixture is newReplyFixture with a scanner and one search
// recorded on its access case (s1).
func newDocumentFixture(t *testing.T, scanner casework.Scanner) *replyFixture {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := caseworktest.New(t, t.TempDir(), today, casework.WithDocuments(docs), casework.WithScanner(scanner))
	res, err := w.Create(ctx, "web:public", request(notice.RightAccess, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Apply(ctx, "user:sam", res.Case.ID, "", cases.RecordSearch{Source: "HR system", Found: "letters"}); err != nil {
		t.Fatal(err)
	}
	return &replyFixture{w: w, docs: docs, c: res.Case, reference: res.Case.Reference, code: res.StatusToken}
}

var collected = cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "HR system", SearchID: "s1"}

func TestAddDocumentStoresRecordsAndServesIt(t *testing.T) {
	f := newDocumentFixture(t, casework.NoScan)
	// A whole path, as old browsers sent, is only a label, cleaned to its
	// last part: the key is the server's own.
	c, err := f.w.AddDocument(ctx, "user:sam", f.c.ID, collected, upload(`C:\Users\sam\Documents/letters.pdf`, pdf))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Document("d1")
	if !ok || d.Name != "letters.pdf" || d.Kind != cases.DocumentCollectedRecord || d.AddedBy != "user:sam" || d.Size != int64(len(pdf)) ||
		!strings.HasPrefix(d.Key, strings.ToLower(c.ID)+"/documents/") {
		t.Fatalf("document %+v, %v", d, ok)
	}
	rc, got, err := f.w.Document(ctx, c.ID, "d1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(body, pdf) || got != d.File {
		t.Errorf("download %q %+v; want what was added", body, got)
	}

	csv := []byte("date,subject\n2026-01-05,Appraisal — Grace\n")
	c, err = f.w.AddDocument(ctx, "user:sam", c.ID, cases.DocumentSpec{Kind: cases.DocumentRedactedVersion, RedactionOf: "d1"}, upload("letters.csv", csv))
	if err != nil {
		t.Fatal(err)
	}
	if red := c.RedactionsOf("d1"); len(red) != 1 || red[0].MediaType != cases.MediaText {
		t.Errorf("redactions %+v; want the text version", red)
	}
	c, err = f.w.Apply(ctx, "user:sam", c.ID, c.Etag(), cases.DecideDisclosure{Document: "d1", Decision: cases.DiscloseRedacted, Exemption: "third_party"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.w.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "case.disclosure_decided" || last.After["document"] != "d1" || last.After["exemption"] != "third_party" || last.Actor != "user:sam" {
		t.Errorf("audit event %+v; want the decision by ids and codes", last)
	}
	if keys := f.stored(t); len(keys) != 2 {
		t.Errorf("store holds %v; want the two documents", keys)
	}
}

// Whatever refuses a document — its type, its size, its bytes, the virus
// check or the case itself — leaves nothing stored and the case as it was.
func TestAddDocumentRefusedLeavesNothing(t *testing.T) {
	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte{'x'}, cases.MaxDocumentSize)...)
	textThenBinary := append(bytes.Repeat([]byte("name,value\n"), 100), 0, 1, 2)
	tests := []struct {
		name     string
		spec     cases.DocumentSpec
		content  []byte
		scanner  casework.Scanner
		field    string // the field an INVALID_ARGUMENT names, "" for another error
		fileName string // record.pdf when empty
	}{
		{"a zip (so a DOCX too)", collected, []byte("PK\x03\x04\x14\x00\x00\x00"), nil, "file", ""},
		{"text as identity evidence", cases.DocumentSpec{Kind: cases.DocumentIdentityEvidence}, []byte("hello\n"), nil, "file", ""},
		{"binary after a text head", collected, textThenBinary, nil, "file", ""},
		{"over the size limit", collected, big, nil, "file", ""},
		{"no source", cases.DocumentSpec{Kind: cases.DocumentCollectedRecord}, pdf, nil, "source", ""},
		{"a harmful file", collected, pdf, scannerFunc(func(context.Context, io.Reader, cases.File) error {
			return fmt.Errorf("test signature: %w", casework.ErrHarmful)
		}), "file", ""},
		{"a scanner that is down", collected, pdf, scannerFunc(func(context.Context, io.Reader, cases.File) error {
			return errors.New("scanner unreachable")
		}), "", ""},
		{"a name climbing out of its folder", collected, pdf, nil, "file", `..\..\blobs\record.pdf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scanner := tt.scanner
			if scanner == nil {
				scanner = casework.NoScan
			}
			f := newDocumentFixture(t, scanner)
			name := tt.fileName
			if name == "" {
				name = "record.pdf"
			}
			_, err := f.w.AddDocument(ctx, "user:sam", f.c.ID, tt.spec, upload(name, tt.content))
			var inv *fault.InvalidArgument
			switch {
			case err == nil:
				t.Fatal("accepted")
			case tt.field != "" && (!errors.As(err, &inv) || inv.Violations[0].Field != tt.field):
				t.Errorf("error %v; want INVALID_ARGUMENT on %s", err, tt.field)
			}
			if keys := f.stored(t); len(keys) != 0 {
				t.Errorf("store holds %v after a refusal", keys)
			}
			if c, _ := f.w.Get(ctx, f.c.ID); len(c.Documents) != 0 {
				t.Errorf("case lists %d documents after a refusal", len(c.Documents))
			}
		})
	}
}

// The scanner reads what was stored, and a case that refuses the document
// by the time it is recorded (here closed during the scan) leaves nothing.
func TestAddDocumentRefusedByTheCaseDeletesTheStoredBytes(t *testing.T) {
	var f *replyFixture
	var scanned []byte
	f = newDocumentFixture(t, scannerFunc(func(ctx context.Context, content io.Reader, _ cases.File) error {
		scanned, _ = io.ReadAll(content)
		_, err := f.w.Withdraw(ctx, f.reference, f.code, "")
		return err
	}))
	_, err := f.w.AddDocument(ctx, "user:sam", f.c.ID, collected, upload("letters.pdf", pdf))
	var fp *fault.FailedPrecondition
	if !errors.As(err, &fp) {
		t.Fatalf("adding to a case closed meanwhile: %v; want FAILED_PRECONDITION", err)
	}
	if !bytes.Equal(scanned, pdf) {
		t.Errorf("scanner read %q; want the stored document", scanned)
	}
	if keys := f.stored(t); len(keys) != 0 {
		t.Errorf("store holds %v after the case refused the document", keys)
	}
}

func TestRequesterUploadIsADocumentWithTheSameBytes(t *testing.T) {
	f := newReplyFixture(t)
	if _, err := f.w.Apply(ctx, "token:test", f.c.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-23"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.w.Reply(ctx, f.reference, f.code, "", []usecase.Upload{upload("passport.pdf", pdf)})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := c.File("d1")
	if len(c.Documents) != 1 || c.Documents[0].File != file || c.Documents[0].Kind != cases.DocumentIdentityEvidence || c.Documents[0].AddedBy != usecase.RequesterActor {
		t.Errorf("documents %+v; want the reply's file as identity evidence from the requester", c.Documents)
	}
	if keys := f.stored(t); len(keys) != 1 {
		t.Errorf("store holds %v; want the one file, not a copy", keys)
	}
}
