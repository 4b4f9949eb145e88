package cases_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// staffEnv is a caseworker's actor on day.
func staffEnv(day string) cases.Env {
	env := envOn(day)
	env.Actor = "caseworker-1"
	return env
}

// caseWithRecord is an open case with one search and one collected record
// from it, d1.
func caseWithRecord(t *testing.T) *cases.Case {
	t.Helper()
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	if _, err := cases.Apply(c, cases.RecordSearch{Source: "HR system", Found: "two letters"}, staffEnv("2026-02-03")); err != nil {
		t.Fatal(err)
	}
	add := cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "HR system", SearchID: "s1"}, File: storedFile("letters.pdf")}
	if _, err := cases.Apply(c, add, staffEnv("2026-02-03")); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAddDocumentRecordsWhatStaffSaid(t *testing.T) {
	c := caseWithRecord(t)
	d, ok := c.Document("d1")
	if !ok || d.Kind != cases.DocumentCollectedRecord || d.Source != "HR system" || d.SearchID != "s1" || d.AddedBy != "caseworker-1" || d.ReceivedOn != "2026-02-03" || d.Added.IsZero() {
		t.Fatalf("document %+v (found %v); want the collected record as added", d, ok)
	}
	redacted := cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentRedactedVersion, RedactionOf: "d1"}, File: storedFile("letters-redacted.pdf")}
	change, err := cases.Apply(c, redacted, staffEnv("2026-02-04"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.RedactionsOf("d1"); len(got) != 1 || got[0].ID != "d2" {
		t.Errorf("redactions of d1: %+v; want d2", got)
	}
	if change.After["document"] != "d2" || change.After["kind"] != "redacted_version" || change.After["redaction_of"] != "d1" || change.After["documents"] != "2" {
		t.Errorf("audit after %v; want the document's id, kind and what it redacts", change.After)
	}
	for k, v := range change.After {
		if strings.Contains(v, "letters") {
			t.Errorf("audit field %s=%q names the file, which is personal", k, v)
		}
	}
}

func TestAddDocumentValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*cases.AddDocument)
		field string
	}{
		{"no kind", func(a *cases.AddDocument) { a.Kind = "" }, "kind"},
		{"unknown kind", func(a *cases.AddDocument) { a.Kind = "photograph" }, "kind"},
		{"collected record without a source", func(a *cases.AddDocument) { a.Source = "  " }, "source"},
		{"source with a line break", func(a *cases.AddDocument) { a.Source = "HR\nsystem" }, "source"},
		{"source too long", func(a *cases.AddDocument) { a.Source = strings.Repeat("s", cases.MaxDocumentSource+1) }, "source"},
		{"search not on the case", func(a *cases.AddDocument) { a.SearchID = "s9" }, "search_id"},
		{"redacted version of nothing", func(a *cases.AddDocument) { a.Kind = cases.DocumentRedactedVersion }, "redaction_of"},
		{"redacted version of a missing document", func(a *cases.AddDocument) {
			a.Kind, a.RedactionOf = cases.DocumentRedactedVersion, "d7"
		}, "redaction_of"},
		{"redaction on another kind", func(a *cases.AddDocument) { a.RedactionOf = "d1" }, "redaction_of"},
		{"empty file", func(a *cases.AddDocument) { a.File.Size = 0 }, "file"},
		{"over the staff limit", func(a *cases.AddDocument) { a.File.Size = cases.MaxDocumentSize + 1 }, "file"},
		{"unsniffed type", func(a *cases.AddDocument) { a.File.MediaType = "application/zip" }, "file"},
		{"text as identity evidence", func(a *cases.AddDocument) {
			a.Kind, a.Source, a.File.MediaType = cases.DocumentIdentityEvidence, "", cases.MediaText
		}, "file"},
		{"name not sanitised", func(a *cases.AddDocument) { a.File.Name = "../x.pdf" }, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseWithRecord(t)
			add := cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "Email"}, File: storedFile("more.pdf")}
			tt.edit(&add)
			_, err := cases.Apply(c, add, staffEnv("2026-02-04"))
			assertInvalid(t, err, tt.field)
			if len(c.Documents) != 1 {
				t.Errorf("%d documents after a refused add; want 1", len(c.Documents))
			}
		})
	}
}

func TestDocumentTypesByKind(t *testing.T) {
	tests := []struct {
		kind  cases.DocumentKind
		media string
		want  bool
	}{
		{cases.DocumentCollectedRecord, cases.MediaText, true},
		{cases.DocumentRedactedVersion, cases.MediaText, true},
		{cases.DocumentIdentityEvidence, cases.MediaText, false},
		{cases.DocumentIdentityEvidence, cases.MediaJPEG, true},
		{cases.DocumentResponseLetter, cases.MediaPDF, true},
		{cases.DocumentOther, "application/zip", false},
	}
	for _, tt := range tests {
		if got := cases.KindAccepts(tt.kind, tt.media); got != tt.want {
			t.Errorf("KindAccepts(%s, %s) = %v; want %v", tt.kind, tt.media, got, tt.want)
		}
	}
}

func TestSniffDocumentType(t *testing.T) {
	tests := []struct {
		name string
		head string
		want string
	}{
		{"pdf", "%PDF-1.7\n", cases.MediaPDF},
		{"png", "\x89PNG\r\n\x1a\nrest", cases.MediaPNG},
		{"csv", "name,date\r\nAda,2026-01-01\r\n", cases.MediaText},
		{"utf-8 text cut mid-character", "caf\xc3", cases.MediaText},
		{"zip (and so docx)", "PK\x03\x04\x14\x00", ""},
		{"binary with a NUL", "abc\x00def", ""},
		{"latin-1", "caf\xe9 au lait", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		if got := cases.SniffDocumentType([]byte(tt.head)); got != tt.want {
			t.Errorf("%s: SniffDocumentType = %q; want %q", tt.name, got, tt.want)
		}
	}
	if problem := cases.TextProblem([]byte("caf\xc3"), false); problem == "" {
		t.Error("a text ending mid-character passes as complete")
	}
}

func TestAddDocumentLimits(t *testing.T) {
	c := caseWithRecord(t)
	for i := 1; i < cases.MaxDocuments; i++ {
		c.Documents = append(c.Documents, cases.Document{File: cases.File{ID: "x"}})
	}
	_, err := cases.Apply(c, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentOther}, File: storedFile("one-more.pdf")}, staffEnv("2026-02-04"))
	var fp *fault.FailedPrecondition
	if !errors.As(err, &fp) {
		t.Fatalf("adding document %d: %v; want FAILED_PRECONDITION", cases.MaxDocuments+1, err)
	}
	closed := caseWithRecord(t)
	if _, err := cases.Apply(closed, cases.Close{Outcome: cases.OutcomeWithdrawn}, staffEnv("2026-02-04")); err != nil {
		t.Fatal(err)
	}
	_, err = cases.Apply(closed, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentOther}, File: storedFile("late.pdf")}, staffEnv("2026-02-05"))
	if !errors.As(err, &fp) {
		t.Errorf("adding to a closed case: %v; want FAILED_PRECONDITION", err)
	}
}

func TestDecideDisclosure(t *testing.T) {
	tests := []struct {
		name     string
		document string
		cmd      cases.DecideDisclosure
		field    string // the violation expected, "" for none
		refused  bool   // another refusal expected
	}{
		{"disclose", "d1", cases.DecideDisclosure{Decision: cases.Disclose}, "", false},
		{"withhold under an exemption", "d1", cases.DecideDisclosure{Decision: cases.Withhold, Exemption: "legal_privilege", Reason: "advice from counsel"}, "", false},
		{"redact third parties", "d1", cases.DecideDisclosure{Decision: cases.DiscloseRedacted, Exemption: "third_party"}, "", false},
		{"withhold without an exemption", "d1", cases.DecideDisclosure{Decision: cases.Withhold}, "exemption", false},
		{"redact without an exemption", "d1", cases.DecideDisclosure{Decision: cases.DiscloseRedacted}, "exemption", false},
		{"unknown exemption", "d1", cases.DecideDisclosure{Decision: cases.Withhold, Exemption: "embarrassment"}, "exemption", false},
		{"disclose with an exemption", "d1", cases.DecideDisclosure{Decision: cases.Disclose, Exemption: "third_party"}, "exemption", false},
		{"no decision", "d1", cases.DecideDisclosure{}, "decision", false},
		{"reason with a control character", "d1", cases.DecideDisclosure{Decision: cases.Disclose, Reason: "a\x00b"}, "reason", false},
		{"no such document", "d9", cases.DecideDisclosure{Decision: cases.Disclose}, "", true},
		{"not a collected record", "d2", cases.DecideDisclosure{Decision: cases.Disclose}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseWithRecord(t)
			if _, err := cases.Apply(c, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentOther}, File: storedFile("note.pdf")}, staffEnv("2026-02-03")); err != nil {
				t.Fatal(err)
			}
			tt.cmd.Document = tt.document
			change, err := cases.Apply(c, tt.cmd, staffEnv("2026-02-04"))
			switch {
			case tt.field != "":
				assertInvalid(t, err, tt.field)
			case tt.refused:
				if err == nil {
					t.Fatal("accepted; want a refusal")
				}
			case err != nil:
				t.Fatal(err)
			default:
				got := c.Documents[0].Disclosure
				if got == nil || got.Decision != tt.cmd.Decision || got.Exemption != tt.cmd.Exemption || got.By != "caseworker-1" {
					t.Fatalf("disclosure %+v; want %s under %q by the actor", got, tt.cmd.Decision, tt.cmd.Exemption)
				}
				if change.After["document"] != "d1" || change.After["decision"] != string(tt.cmd.Decision) || change.After["exemption"] != tt.cmd.Exemption {
					t.Errorf("audit after %v; want the document, decision and exemption code", change.After)
				}
				if tt.cmd.Reason != "" && change.Personal["reason"] != tt.cmd.Reason {
					t.Errorf("personal %v; want the reason kept erasable", change.Personal)
				}
				// The exemption is the audit's record of a partial refusal.
				if want := tt.cmd.Decision != cases.Disclose; c.PartialRefusal() != want || change.After["partial_refusal"] != tt.cmd.Exemption {
					t.Errorf("partial refusal %v, audited as %q; want %v", c.PartialRefusal(), change.After["partial_refusal"], want)
				}
				return
			}
			if c.Documents[0].Disclosure != nil {
				t.Errorf("a refused decision left %+v", c.Documents[0].Disclosure)
			}
		})
	}
}

func TestExemptionsReliedAreListedOnceInListOrder(t *testing.T) {
	c := caseWithRecord(t)
	for _, name := range []string{"b.pdf", "c.pdf"} {
		if _, err := cases.Apply(c, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "Email"}, File: storedFile(name)}, staffEnv("2026-02-03")); err != nil {
			t.Fatal(err)
		}
	}
	for id, exemption := range map[string]string{"d1": "legal_privilege", "d2": "third_party", "d3": "legal_privilege"} {
		if _, err := cases.Apply(c, cases.DecideDisclosure{Document: id, Decision: cases.Withhold, Exemption: exemption}, staffEnv("2026-02-04")); err != nil {
			t.Fatal(err)
		}
	}
	var codes []string
	for _, e := range c.ExemptionsRelied() {
		codes = append(codes, e.Code)
	}
	if got := strings.Join(codes, ","); got != "third_party,legal_privilege" {
		t.Errorf("exemptions relied on: %s; want third_party,legal_privilege", got)
	}
}

func TestExemptionListIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range cases.Exemptions {
		if e.Code == "" || e.Reference == "" || e.Title == "" || !strings.HasSuffix(e.Plain, ".") || seen[e.Code] {
			t.Errorf("exemption %+v: want a unique code, a reference, a title and a plain sentence", e)
		}
		seen[e.Code] = true
		if got, ok := cases.ExemptionByCode(e.Code); !ok || got != e {
			t.Errorf("ExemptionByCode(%s) = %+v, %v", e.Code, got, ok)
		}
	}
	for _, code := range []string{"third_party", "legal_privilege", "management_forecasts", "negotiations", "confidential_references", "exam_scripts", "exam_marks", "crime_taxation", "immigration", "health_data", "child_abuse_data", "statutory_restrictions"} {
		if !seen[code] {
			t.Errorf("no exemption %s", code)
		}
	}
}

func TestRequesterFilesBecomeDocuments(t *testing.T) {
	tests := []struct {
		name         string
		relationship cases.Relationship
		ask          cases.WaitingFor
		want         cases.DocumentKind
	}{
		{"identity asked of the requester", cases.RelationshipSelf, cases.WaitingForIdentity, cases.DocumentIdentityEvidence},
		{"identity asked of a representative", cases.RelationshipRepresentative, cases.WaitingForIdentity, cases.DocumentAuthority},
		{"clarification asked", cases.RelationshipSelf, cases.WaitingForClarification, cases.DocumentOther},
		{"nothing asked", cases.RelationshipSelf, "", cases.DocumentOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validNew()
			if tt.relationship == cases.RelationshipRepresentative {
				in.Requester.Relationship = tt.relationship
				in.Requester.DataSubject = &cases.Person{Name: "Byron"}
				in.Requester.Authority = "power of attorney"
			}
			c := mustCreate(t, in, envOn("2026-02-02"))
			// A staff document first, so ids must not collide.
			if _, err := cases.Apply(c, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentOther}, File: storedFile("note.pdf")}, staffEnv("2026-02-02")); err != nil {
				t.Fatal(err)
			}
			if tt.ask != "" {
				if _, err := cases.Apply(c, cases.RequestFromRequester{What: tt.ask}, envOn("2026-02-02")); err != nil {
					t.Fatal(err)
				}
			}
			sent := storedFile("proof.pdf")
			if _, err := cases.Apply(c, cases.RequesterReply{Files: []cases.File{sent, sent}}, requesterEnv("2026-02-05")); err != nil {
				t.Fatal(err)
			}
			files := c.Exchanges[len(c.Exchanges)-1].Files
			if len(c.Documents) != 3 || len(files) != 2 {
				t.Fatalf("%d documents and %d files on the exchange; want 3 and 2", len(c.Documents), len(files))
			}
			for i, d := range c.Documents[1:] {
				if d.Kind != tt.want || d.AddedBy != "requester" || d.File != files[i] || d.Key != sent.Key {
					t.Errorf("document %+v; want kind %s by the requester, the exchange's file %+v (same key)", d, tt.want, files[i])
				}
			}
			if ids := c.Documents[0].ID + c.Documents[1].ID + c.Documents[2].ID; ids != "d1d2d3" {
				t.Errorf("ids %s; want d1d2d3", ids)
			}
		})
	}
}

func TestDocumentFindsFilesFromBeforeTheList(t *testing.T) {
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	old := storedFile("old.pdf")
	old.ID = "d1"
	c.Exchanges = append(c.Exchanges, cases.Exchange{Kind: cases.ExchangeReplied, Files: []cases.File{old}})
	if d, ok := c.Document("d1"); !ok || d.Key != old.Key {
		t.Errorf("Document(d1) = %+v, %v; want the exchange's file", d, ok)
	}
	if _, err := cases.Apply(c, cases.AddDocument{DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentOther}, File: storedFile("new.pdf")}, staffEnv("2026-02-03")); err != nil {
		t.Fatal(err)
	}
	if got := c.Documents[0].ID; got != "d2" {
		t.Errorf("new document id %s; want d2, after the exchange's d1", got)
	}
}

// docs/documents.md lists every exemption as the code holds it, so the
// API's users can read what each code means.
func TestDocumentsDocListsEveryExemption(t *testing.T) {
	doc, err := os.ReadFile("../../docs/documents.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cases.Exemptions {
		if row := fmt.Sprintf("| `%s` | %s | %s | %s |", e.Code, e.Title, e.Reference, e.Plain); !strings.Contains(string(doc), row) {
			t.Errorf("docs/documents.md lacks the row %s", row)
		}
	}
}
