package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// writeBundle opens a database in dir, takes one case (interleaved with
// another) from receipt to closure, and writes its evidence bundle.
func writeBundle(t *testing.T, dir string) (bundle string, proof audit.Proof) {
	t.Helper()
	w, st := caseworktest.New(t, dir, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	defer st.Close() // the command under test opens the database next
	var ids []string
	for _, name := range []string{"Ada Lovelace", "Alan Turing"} {
		res, err := w.Create(t.Context(), "token:cw", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
			Rights: []notice.Right{notice.RightAccess}, ReceivedOn: "2026-02-20", Channel: cases.ChannelPhone,
			Requester: cases.Requester{Person: cases.Person{Name: name, Email: "someone@example.org"}, Relationship: cases.RelationshipSelf},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Case.ID)
	}
	for _, step := range []struct {
		id  string
		cmd cases.Command
	}{
		{ids[0], cases.RecordSearch{Source: "HR system", Found: "nothing"}},
		{ids[1], cases.AddNote{Text: "the other case"}},
	} {
		if _, err := w.Apply(t.Context(), "token:cw", step.id, "", step.cmd); err != nil {
			t.Fatal(err)
		}
	}
	caseworktest.ReleasePack(t, w, ids[0])
	if _, err := w.Apply(t.Context(), "token:cw", ids[0], "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
		t.Fatal(err)
	}
	ev, err := w.Evidence(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteBundle(&buf, ev); err != nil {
		t.Fatal(err)
	}
	bundle = filepath.Join(t.TempDir(), "evidence.zip")
	if err := os.WriteFile(bundle, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return bundle, ev.Proof
}

func writeProof(t *testing.T, p audit.Proof) string {
	t.Helper()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "proof.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditVerifyChecksAnEvidenceBundleAgainstTheChain(t *testing.T) {
	dir := t.TempDir()
	bundle, proof := writeBundle(t, dir)
	code, stdout, stderr := runCLI(t, "audit", "verify", "--data", dir, "--proof", bundle)
	if code != 0 || !strings.Contains(stdout, "Audit chain intact: 8 events") || !strings.Contains(stdout, "Proof intact: 6 events") {
		t.Fatalf("verify --proof bundle: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t, "audit", "verify", "--data", dir, "--proof", writeProof(t, proof)); code != 0 {
		t.Fatalf("verify --proof proof.json: exit %d\n%s", code, stdout)
	}

	cut := proof
	cut.Events = []audit.Event{proof.Events[0], proof.Events[2]}
	if err := audit.VerifyProof(cut); err != nil {
		t.Fatalf("the cut proof should verify on its own, or this test shows nothing: %v", err)
	}
	altered := proof
	altered.Events = append([]audit.Event(nil), proof.Events...)
	altered.Events[1].After = map[string]string{"searched": "9"}
	_, foreign := writeBundle(t, t.TempDir())
	for _, tt := range []struct {
		name  string
		proof audit.Proof
		want  string
	}{
		{"an event left out", cut, "leaves out"},
		{"an event altered", altered, "PROOF BROKEN"},
		{"a proof from another database", foreign, "DOES NOT MATCH"},
	} {
		code, stdout, _ := runCLI(t, "audit", "verify", "--data", dir, "--proof", writeProof(t, tt.proof))
		if code != 1 || !strings.Contains(stdout, tt.want) {
			t.Errorf("%s: exit %d\n%s", tt.name, code, stdout)
		}
	}
	if code, _, stderr := runCLI(t, "audit", "verify", "--data", dir, "--proof", filepath.Join(dir, "missing.zip")); code != 1 || !strings.Contains(stderr, "missing.zip") {
		t.Errorf("a missing file: exit %d, %q", code, stderr)
	}
}
