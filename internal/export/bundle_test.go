package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// closedCase is a phone request taken from receipt to closure with every
// kind of record a bundle must show.
func closedCase(t *testing.T, w *casework.Service) *cases.Case {
	t.Helper()
	c := newCase(t, w, "Ada <b>Lovelace</b>", "ada@example.org", "2026-02-02", notice.RightAccess)
	other := newCase(t, w, "Alan Turing", "alan@example.org", "2026-02-03", notice.RightErasure)
	apply(t, w, c.ID,
		cases.Assign{Assignee: "user:0123456789ab"},
		cases.RequestFromRequester{What: cases.WaitingForClarification, On: "2026-02-04", Detail: "which emails?"},
		cases.RecordResponse{On: "2026-02-10", Detail: "the grievance emails"},
	)
	apply(t, w, other.ID, cases.AddNote{Text: "interleaves with the first case in the chain"})
	apply(t, w, c.ID,
		cases.RecordSearch{Source: "Email archive", On: "2026-02-12", Found: "14 emails about the grievance"},
		cases.RecordNotSearched{Source: "CCTV", Reason: "the request is about emails only"},
		cases.Extend{On: "2026-02-20", Reason: "the archive search is complex"},
		cases.AddNote{Text: "sent the copy by secure email"},
		cases.CompleteTask{TaskID: "t1", State: cases.TaskDone},
	)
	caseworktest.ReleasePack(t, w, c.ID)
	apply(t, w, c.ID, cases.Close{Outcome: cases.OutcomeFulfilled})
	return c
}

// bundleFiles writes the case's bundle and returns the files in it.
func bundleFiles(t *testing.T, w *casework.Service, id string) map[string][]byte {
	t.Helper()
	ev, err := w.Evidence(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteBundle(&buf, ev); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	return files
}

func TestEvidenceBundle(t *testing.T) {
	w, _ := newService(t)
	c := closedCase(t, w)
	files := bundleFiles(t, w, c.ID)
	for _, name := range []string{export.BundleHTML, export.BundleJSON, export.BundleProof, export.BundleReadme} {
		if len(files[name]) == 0 {
			t.Fatalf("bundle lacks %s", name)
		}
	}

	var b export.Bundle
	if err := json.Unmarshal(files[export.BundleJSON], &b); err != nil {
		t.Fatal(err)
	}
	if b.Format != export.BundleFormat || b.Case.State != cases.StateClosed || len(b.Notices) != 1 || b.Notices[0].ID != "it-service-desk" || b.Notices[0].Missing || !b.ProofVerified {
		t.Fatalf("bundle = format %q, state %s, notices %+v, verified %v (%s)", b.Format, b.Case.State, b.Notices, b.ProofVerified, b.ProofProblem)
	}
	// Nine steps, the extension notice done and the pack's three review steps.
	if len(b.Timeline) != 13 || b.Timeline[0].Action != "case.created" || b.Timeline[12].Action != "case.closed" {
		t.Fatalf("timeline has %d entries from %s", len(b.Timeline), b.Timeline[0].Action)
	}
	if len(b.Case.Searches) != 2 || b.Case.Extension == nil || len(b.Case.Clarifications) != 1 || len(b.Case.Clock.Steps) == 0 {
		t.Errorf("case record lacks searches, extension, pause or explanation: %+v", b.Case)
	}
	// Creation, the clarification, its answer (a 7-day pause) and the
	// extension each changed the clock's dates.
	var clockActions []string
	for _, ch := range b.ClockHistory {
		clockActions = append(clockActions, ch.Action)
	}
	if got := strings.Join(clockActions, " "); got != "case.created case.requested_clarification case.requester_responded case.extended" {
		t.Errorf("clock history = %s", got)
	}
	for _, e := range b.Timeline {
		if e.Action == "case.search_recorded" && (e.PersonalStatus != export.PersonalRecorded || !strings.Contains(string(e.Personal), "14 emails")) {
			t.Errorf("the search event's payload: %s %s", e.PersonalStatus, e.Personal)
		}
		if e.Action == "case.assigned" && e.PersonalStatus != export.PersonalNone {
			t.Errorf("assignment recorded personal data: %s", e.PersonalStatus)
		}
	}

	page := string(files[export.BundleHTML])
	for _, want := range []string{
		c.Reference, "Email archive", "14 emails about the grievance", "CCTV", "the request is about emails only",
		"the archive search is complex", "2026-02-04", "2026-02-10", "sent the copy by secure email",
		"Ada &lt;b&gt;Lovelace&lt;/b&gt;", b.Case.Clock.Steps[0].Text, "The proof below verified",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("evidence.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>Lovelace") {
		t.Error("evidence.html runs script or renders a requester's markup")
	}
	if !strings.Contains(string(files[export.BundleReadme]), "rightsdesk audit verify --data DIR --proof") {
		t.Error("README does not say how to check the proof")
	}
}

func TestBundleProofVerifiesAndFailsWhenAltered(t *testing.T) {
	w, _ := newService(t)
	c := closedCase(t, w)
	raw := bundleFiles(t, w, c.ID)[export.BundleProof]
	read := func() audit.Proof {
		var p audit.Proof
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := read()
	if err := audit.VerifyProof(p); err != nil {
		t.Fatalf("the bundle's proof does not verify: %v", err)
	}
	if len(p.Events) != 13 || p.Events[0].CaseID != c.ID || p.HeadSeq != p.Events[len(p.Events)-1].Seq {
		t.Fatalf("proof of %d events up to head %d", len(p.Events), p.HeadSeq)
	}
	// The other case's note sits between two of this case's events: the
	// proof still verifies across the gap.
	if p.Events[4].Seq != p.Events[3].Seq+2 {
		t.Fatalf("events %d and %d were expected to straddle the other case's event", p.Events[3].Seq, p.Events[4].Seq)
	}

	// Leaving one of the case's events out cannot be seen from the proof
	// alone; `rightsdesk audit verify --proof` checks that against the chain.
	alterations := map[string]func(p *audit.Proof){
		"an outcome rewritten": func(p *audit.Proof) { p.Events[8].After["outcome"] = "refused" },
		"an actor changed":     func(p *audit.Proof) { p.Events[1].Actor = "token:mallory" },
		"a date moved":         func(p *audit.Proof) { p.Events[0].Time = p.Events[0].Time.Add(-48 * 3600e9) },
		"events swapped":       func(p *audit.Proof) { p.Events[1], p.Events[2] = p.Events[2], p.Events[1] },
		"a neighbour replaced": func(p *audit.Proof) { p.Events[2].PrevHash = p.Events[0].Hash },
		"the head replaced":    func(p *audit.Proof) { p.Head = p.Events[0].Hash },
	}
	for name, alter := range alterations {
		p := read()
		alter(&p)
		var br *audit.Break
		if err := audit.VerifyProof(p); !errors.As(err, &br) {
			t.Errorf("%s: the proof still verifies (%v)", name, err)
		}
	}
}

func TestBundleSaysWhenPersonalDataWasErasedOrAltered(t *testing.T) {
	w, _ := newService(t)
	c := closedCase(t, w)
	ev, err := w.Evidence(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev.Payloads[0] = &audit.Payload{} // erased after retention
	ev.Payloads[2].Data = []byte(`{"detail":"something else"}`)
	ev.Payloads[3] = nil
	b := export.NewBundle(ev)
	for i, want := range []string{export.PersonalErased, export.PersonalNone, export.PersonalAltered, export.PersonalMissing} {
		if got := b.Timeline[i].PersonalStatus; got != want || (want != export.PersonalRecorded && b.Timeline[i].Personal != nil) {
			t.Errorf("entry %d (%s): personal %s %s, want %s and nothing shown", i, b.Timeline[i].Action, got, b.Timeline[i].Personal, want)
		}
	}
	if !b.ProofVerified {
		t.Errorf("erasing personal data broke the proof: %s", b.ProofProblem)
	}
}
