package casework_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/pack"
)

// Each document's bytes say which it is, so the pack can be searched for
// what must not be in it.
var (
	originalRecord = []byte("ORIGINAL-UNREDACTED: appraisal by Grace's manager, naming Alan Turing\n")
	redactedRecord = []byte("REDACTED: appraisal by Grace's manager, naming [removed]\n")
	disclosedMail  = []byte("DISCLOSED: email to Grace about her laptop\n")
	withheldAdvice = []byte("WITHHELD: legal advice about Grace's contract\n")
)

type packFixture struct {
	w    *casework.Service
	docs blob.Store
	c    *cases.Case
}

// newPackFixture is an access case with four documents decided: d1
// disclosed redacted (d2 its redacted version), d3 disclosed, d4
// withheld; opts are the service's options besides the document store.
func newPackFixture(t *testing.T, opts ...casework.Option) *packFixture {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := caseworktest.New(t, t.TempDir(), today, append([]casework.Option{casework.WithDocuments(docs)}, opts...)...)
	c := create(t, w, request(notice.RightAccess, ""))
	steps := []func() (*cases.Case, error){
		func() (*cases.Case, error) {
			return w.Apply(ctx, "user:sam", c.ID, "", cases.RecordSearch{Source: "HR system", Found: "an appraisal, emails and advice"})
		},
		func() (*cases.Case, error) {
			return w.AddDocument(ctx, "user:sam", c.ID, collected, upload("appraisal.txt", originalRecord))
		},
		func() (*cases.Case, error) {
			return w.AddDocument(ctx, "user:sam", c.ID, cases.DocumentSpec{Kind: cases.DocumentRedactedVersion, RedactionOf: "d1"}, upload("appraisal (redacted).txt", redactedRecord))
		},
		func() (*cases.Case, error) {
			return w.AddDocument(ctx, "user:sam", c.ID, collected, upload(`C:\\exports\\laptop email.txt`, disclosedMail))
		},
		func() (*cases.Case, error) {
			return w.AddDocument(ctx, "user:sam", c.ID, collected, upload("advice.txt", withheldAdvice))
		},
		func() (*cases.Case, error) {
			return w.Apply(ctx, "user:sam", c.ID, "", cases.DecideDisclosure{Document: "d1", Decision: cases.DiscloseRedacted, Exemption: "third_party"})
		},
		func() (*cases.Case, error) {
			return w.Apply(ctx, "user:sam", c.ID, "", cases.DecideDisclosure{Document: "d3", Decision: cases.Disclose})
		},
		func() (*cases.Case, error) {
			return w.Apply(ctx, "user:sam", c.ID, "", cases.DecideDisclosure{Document: "d4", Decision: cases.Withhold, Exemption: "legal_privilege"})
		},
	}
	for _, step := range steps {
		var err error
		if c, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	return &packFixture{w: w, docs: docs, c: c}
}

func TestWritePackHoldsWhatIsDisclosedAndVerifies(t *testing.T) {
	f := newPackFixture(t, casework.SendLetters(caseworktest.Letters(t)))
	var zipped bytes.Buffer
	if err := f.w.WritePack(ctx, f.c.ID, &zipped); err != nil {
		t.Fatal(err)
	}
	rep, err := pack.Verify(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatalf("the pack does not verify: %v %+v", err, rep)
	}
	entries := unzip(t, zipped.Bytes())
	want := []string{"documents/001-appraisal_redacted.txt", "documents/002-laptop_email.txt", pack.LetterHTMLName, pack.LetterPDFName, pack.IndexName, pack.ManifestName}
	for _, name := range want {
		if _, ok := entries[name]; !ok {
			t.Errorf("the pack has no %s; it has %v", name, keysOf(entries))
		}
	}
	if len(entries) != len(want) {
		t.Errorf("the pack has %v; want %v", keysOf(entries), want)
	}
	if got := entries["documents/001-appraisal_redacted.txt"]; got != string(redactedRecord) {
		t.Errorf("the redacted version reads %q", got)
	}
	for name, body := range entries {
		for _, secret := range [][]byte{originalRecord, withheldAdvice} {
			if strings.Contains(body, string(secret)) || strings.Contains(body, "ORIGINAL-UNREDACTED") || strings.Contains(body, "WITHHELD:") {
				t.Errorf("%s holds a document the requester must not get", name)
			}
		}
	}
	if letter := entries[pack.LetterHTMLName]; !strings.Contains(letter, f.c.Reference) || !strings.Contains(letter, "Grace Hopper") {
		t.Error("the letter's HTML does not name the case's reference and the requester")
	}
	for _, exemption := range []string{"Legal professional privilege", "Information about other people"} {
		if !strings.Contains(entries[pack.LetterHTMLName], exemption) {
			t.Errorf("the letter does not name the exemption relied on, %q", exemption)
		}
	}
	if !strings.HasPrefix(entries[pack.LetterPDFName], "%PDF-") {
		t.Error("the letter's PDF is not a PDF")
	}
	index := entries[pack.IndexName]
	for _, want := range []string{f.c.Reference, "appraisal (redacted).txt", "HR system", "with some parts removed"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

func TestPrintablePackIsTheLetterAndTheDocumentsDisclosed(t *testing.T) {
	f := newPackFixture(t, casework.SendLetters(caseworktest.Letters(t)))
	p, err := f.w.PrintablePack(ctx, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range p.Documents {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "d2,d3" || p.Case.ID != f.c.ID {
		t.Errorf("printable pack documents %v; want d2,d3", ids)
	}
	if p.Letter.Reference != f.c.Reference || !strings.Contains(p.Letter.Text, "Grace Hopper") {
		t.Errorf("printable pack letter %+v; want the case's response", p.Letter)
	}
}

func TestWritePackRefusesBeforeWriting(t *testing.T) {
	f := newPackFixture(t) // no letters are written here
	var out bytes.Buffer
	var failed *fault.FailedPrecondition
	if err := f.w.WritePack(ctx, f.c.ID, &out); !errors.As(err, &failed) || out.Len() != 0 {
		t.Errorf("no letter writer: %v, %d bytes written; want a failed precondition and nothing written", err, out.Len())
	}
	if _, err := f.w.PrintablePack(ctx, f.c.ID); !errors.As(err, &failed) {
		t.Errorf("printable pack without a letter writer: %v; want a failed precondition", err)
	}
	withLetters := newPackFixture(t, casework.SendLetters(caseworktest.Letters(t)))
	if err := withLetters.w.WritePack(ctx, "01HZZZZZZZZZZZZZZZZZZZZZZZ", &out); !isNotFound(err) || out.Len() != 0 {
		t.Errorf("an unknown case: %v; want not found, nothing written", err)
	}
	erasure := create(t, withLetters.w, request(notice.RightErasure, ""))
	if err := withLetters.w.WritePack(ctx, erasure.ID, &out); !errors.As(err, &failed) || out.Len() != 0 {
		t.Errorf("an erasure request: %v; want a failed precondition, nothing written", err)
	}
	if _, err := withLetters.w.PrintablePack(ctx, erasure.ID); !errors.As(err, &failed) {
		t.Errorf("printable pack of an erasure request: %v; want a failed precondition", err)
	}
}

// A document changed in the store since the case recorded it is not
// passed off as the one staff decided on.
func TestWritePackRefusesADocumentChangedInTheStore(t *testing.T) {
	f := newPackFixture(t, casework.SendLetters(caseworktest.Letters(t)))
	d, _ := f.c.Document("d3")
	if err := f.docs.Delete(ctx, d.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := f.docs.Put(ctx, d.Key, strings.NewReader("DISCLOSED: something else entirely\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.w.WritePack(ctx, f.c.ID, io.Discard); !errors.Is(err, pack.ErrMismatch) {
		t.Errorf("write: %v; want ErrMismatch", err)
	}
	if err := f.docs.Delete(ctx, d.Key); err != nil {
		t.Fatal(err)
	}
	if err := f.w.WritePack(ctx, f.c.ID, io.Discard); !isNotFound(err) {
		t.Errorf("write with the document gone: %v; want not found", err)
	}
}

// unzip is every entry of a zip, by name.
func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(body)
	}
	return out
}

func keysOf(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// Once the case is closed, the pack's letter is the response it sent, in
// the words staff gave it, not the template's afresh.
func TestAClosedCasesPackHoldsTheResponseAsSent(t *testing.T) {
	f := newPackFixture(t, casework.SendLetters(caseworktest.Letters(t)))
	for _, step := range []struct {
		actor string
		cmd   cases.Command
	}{{"user:sam", cases.SubmitForReview{}}, {"user:alex", cases.ApproveReview{}}, {"user:alex", cases.ReleasePack{}}} {
		if _, err := f.w.Apply(ctx, step.actor, f.c.ID, "", step.cmd); err != nil {
			t.Fatalf("%s: %v", step.cmd.Action(), err)
		}
	}
	closing := cases.Close{Outcome: cases.OutcomePartiallyFulfilled, Detail: "We withheld legal advice about your contract."}
	draft, err := f.w.DraftLetter(ctx, f.c.ID, closing, "")
	if err != nil {
		t.Fatal(err)
	}
	const staffWords = "A paragraph only the caseworker wrote."
	if _, err := f.w.ApplyWithLetter(ctx, "user:sam", f.c.ID, "", closing, draft.Text+"\n\n"+staffWords); err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	if err := f.w.WritePack(ctx, f.c.ID, &zipped); err != nil {
		t.Fatal(err)
	}
	entries := unzip(t, zipped.Bytes())
	if !strings.Contains(entries[pack.LetterHTMLName], staffWords) {
		t.Error("the pack's letter is not the response as sent, in staff's words")
	}
	if words := pdfText(t, []byte(entries[pack.LetterPDFName])); words != "" && !strings.Contains(words, staffWords) {
		t.Errorf("the pack's PDF letter does not read back staff's words:\n%s", words)
	}
}

// pdfText is the words of a PDF as pdftotext reads them, or "" where it
// is not installed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		return ""
	}
	file := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
