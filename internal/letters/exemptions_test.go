package letters_test

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// collectedRecord adds a collected record from the IT service management
// system; the file facts are what storing it would have found.
func collectedRecord(name string) cases.Command {
	return cases.AddDocument{
		DocumentSpec: cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "IT service management system", SearchID: "s1"},
		File:         cases.File{Key: "case/documents/" + name, Name: name, MediaType: cases.MediaPDF, Size: 2048, SHA256: strings.Repeat("0f", 32)},
	}
}

// An access response that withheld or redacted anything names each
// exemption relied on, once, in plain words with its legal reference; one
// that disclosed everything says nothing of exemptions.
func TestAccessResponseListsTheExemptionsReliedOn(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	refs := []cases.NoticeRef{{ID: "it-service-desk"}}
	access := []notice.Right{notice.RightAccess}
	steps := append(append([]cases.Command{cases.ConfirmIdentity{On: "2026-03-03"}}, searched...),
		collectedRecord("tickets.pdf"), collectedRecord("advice.pdf"), collectedRecord("emails.pdf"),
		cases.DecideDisclosure{Document: "d1", Decision: cases.Disclose},
		cases.DecideDisclosure{Document: "d2", Decision: cases.Withhold, Exemption: "legal_privilege"},
		cases.DecideDisclosure{Document: "d3", Decision: cases.DiscloseRedacted, Exemption: "third_party"},
	)
	// The pack and its review are another part's; closing past them keeps
	// this test to the letter.
	closing := cases.Close{Outcome: cases.OutcomePartiallyFulfilled, On: today,
		Detail: "We have withheld one document and blacked out parts of another.", OverrideReason: "letter test: the pack is not under test"}
	c := newCase(t, ns, refs, access, append(steps, closing)...)
	l := write(t, w, letters.KindResponse, letters.Facts{Case: c, Notice: finder(ns)})
	for _, want := range []string{
		"### What we have withheld, and why",
		"- Information about other people (UK GDPR Article 15(4); DPA 2018 Schedule 2 paragraph 16).",
		"- Legal professional privilege (DPA 2018 Schedule 2 paragraph 19).",
	} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("the response does not say %q", want)
		}
	}
	if strings.Count(l.Text, "Legal professional privilege") != 1 {
		t.Error("an exemption relied on twice is listed twice")
	}
	golden(t, "access-with-exemptions.txt", "===== the "+l.Template+" letter =====\n\n"+l.Text+"\n")

	disclosed := newCase(t, ns, refs, access, append(append([]cases.Command{cases.ConfirmIdentity{On: "2026-03-03"}}, searched...),
		collectedRecord("tickets.pdf"), cases.DecideDisclosure{Document: "d1", Decision: cases.Disclose},
		cases.Close{Outcome: cases.OutcomeFulfilled, On: today, OverrideReason: "letter test: the pack is not under test"})...)
	if l := write(t, w, letters.KindResponse, letters.Facts{Case: disclosed, Notice: finder(ns)}); strings.Contains(l.Text, "withheld") {
		t.Errorf("a response that withheld nothing speaks of withholding:\n%s", l.Text)
	}
}
