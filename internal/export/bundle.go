package export

import (
	"archive/zip"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// BundleFormat names the layout of evidence.json, so a later layout can be
// told apart.
const BundleFormat = "rightsdesk/evidence/v1"

// Files in an evidence bundle.
const (
	BundleHTML   = "evidence.html" // for people: opens in any browser, runs no script
	BundleJSON   = "evidence.json" // the same, for machines
	BundleProof  = "proof.json"    // the audit.Proof alone, for `rightsdesk audit verify --proof`
	BundleReadme = "README.txt"
)

// Bundle is evidence.json: everything recorded about one case.
type Bundle struct {
	Format    string      `json:"format"`
	Generated time.Time   `json:"generated"`
	Case      *cases.Case `json:"case"`
	// Notices are the notice versions the request was received under, in
	// the case's order.
	Notices []NoticeInForce `json:"notices"`
	// ClockHistory is every change the audit trail records to the clock's
	// dates, oldest first; Case.Clock holds the calculation in force with
	// its step-by-step explanation.
	ClockHistory []Change    `json:"clock_history"`
	Timeline     []Entry     `json:"timeline"`
	Proof        audit.Proof `json:"proof"`
	// ProofVerified is whether audit.VerifyProof accepted Proof when the
	// bundle was made, and ProofProblem why not.
	ProofVerified bool   `json:"proof_verified"`
	ProofProblem  string `json:"proof_problem,omitempty"`
}

// NoticeInForce is a notice version the request was received under;
// Missing when the notice has since left the catalogue, leaving only its
// id and version.
type NoticeInForce struct {
	ID            string       `json:"id"`
	Version       int          `json:"version"`
	Context       string       `json:"context,omitempty"`
	Missing       bool         `json:"missing,omitempty"`
	Title         string       `json:"title,omitempty"`
	EffectiveFrom string       `json:"effective_from,omitempty"`
	Controller    notice.Party `json:"controller"`
	DPO           notice.Party `json:"dpo"`
}

// Change is one event's change to some fields.
type Change struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Fields []Field   `json:"fields"`
}

// Field is one field's value before and after an event ("" for none).
type Field struct {
	Name   string `json:"name"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Personal data states of a timeline entry.
const (
	PersonalNone     = "none"     // the event recorded no personal data
	PersonalRecorded = "recorded" // shown, and it matches the hash in the chain
	PersonalErased   = "erased"   // erased after retention; the chain still verifies
	PersonalAltered  = "altered"  // present but does not match the chain: not to be relied on
	PersonalMissing  = "missing"  // the chain has a hash but the store has no payload
)

// Entry is one audit event with the personal data it recorded.
type Entry struct {
	Change
	Personal       json.RawMessage `json:"personal,omitempty"`
	PersonalStatus string          `json:"personal_status"`
	Hash           string          `json:"hash"`
}

// clockFields are the snapshot fields that are the clock's dates.
var clockFields = []string{"received_on", "clock_start", "statutory_due", "extended_due", "extension", "paused_days", "due", "identity_status", "fee_status", "clarifications"}

// NewBundle assembles the bundle from what casework gathered.
func NewBundle(ev *usecase.Evidence) *Bundle {
	b := &Bundle{Format: BundleFormat, Generated: ev.Generated, Case: ev.Case, Proof: ev.Proof, Notices: []NoticeInForce{}, ClockHistory: []Change{}, Timeline: []Entry{}}
	for _, ref := range ev.Case.Notices {
		n := NoticeInForce{ID: ref.ID, Version: ref.Version, Context: ref.Context, Missing: true}
		if v := ev.Notices[ref.ID]; v != nil {
			n.Missing, n.Title, n.EffectiveFrom, n.Controller, n.DPO = false, v.Title, v.EffectiveFrom, v.Controller, v.DPO
		}
		b.Notices = append(b.Notices, n)
	}
	for i := range ev.Events {
		e := &ev.Events[i]
		change := Change{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Fields: fields(e.Before, e.After, nil)}
		entry := Entry{Change: change, PersonalStatus: PersonalNone, Hash: hex.EncodeToString(e.Hash)}
		if len(e.PayloadHash) > 0 {
			entry.PersonalStatus, entry.Personal = personal(ev.Payloads[i], e.PayloadHash)
		}
		b.Timeline = append(b.Timeline, entry)
		if clock := fields(e.Before, e.After, clockFields); len(clock) > 0 {
			change.Fields = clock
			b.ClockHistory = append(b.ClockHistory, change)
		}
	}
	if err := audit.VerifyProof(ev.Proof); err != nil {
		b.ProofProblem = err.Error()
	} else {
		b.ProofVerified = true
	}
	return b
}

func personal(p *audit.Payload, hash []byte) (string, json.RawMessage) {
	switch {
	case p == nil:
		return PersonalMissing, nil
	case p.Erased():
		return PersonalErased, nil
	case !p.Matches(hash):
		return PersonalAltered, nil
	case !json.Valid(p.Data):
		return PersonalAltered, nil
	}
	return PersonalRecorded, json.RawMessage(p.Data)
}

// fields lists the fields an event changed, by name, limited to only when
// it is not nil.
func fields(before, after map[string]string, only []string) []Field {
	names := slices.Sorted(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []Field
	for _, n := range names {
		if only == nil || slices.Contains(only, n) {
			out = append(out, Field{Name: n, Before: before[n], After: after[n]})
		}
	}
	return out
}

// WriteBundle writes the case's evidence as a zip of evidence.html,
// evidence.json, proof.json and a README saying how to check the proof.
func WriteBundle(w io.Writer, ev *usecase.Evidence) error {
	b := NewBundle(ev)
	z := zip.NewWriter(w)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{BundleHTML, func(w io.Writer) error { return bundlePage.Execute(w, b) }},
		{BundleJSON, func(w io.Writer) error { return writeJSON(w, b) }},
		{BundleProof, func(w io.Writer) error { return writeJSON(w, b.Proof) }},
		{BundleReadme, func(w io.Writer) error { _, err := io.WriteString(w, readme(b)); return err }},
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: ev.Generated})
		if err != nil {
			return err
		}
		if err := f.write(fw); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return z.Close()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func readme(b *Bundle) string {
	return fmt.Sprintf(`Evidence bundle for case %s (%s), made %s.

%s    the record, for people: open it in a web browser.
%s    the same record, for machines.
%s       the audit-chain proof of the case's %d events.

To check the proof against the live audit chain, on the Rightsdesk server
with the server stopped:

    rightsdesk audit verify --data DIR --proof this-bundle.zip

It recomputes every event's hash, checks the links between them, and checks
that each event, and the chain's head when the bundle was made (event %d),
are still the ones in the database.
`, b.Case.Reference, b.Case.ID, b.Generated.Format(time.RFC3339), BundleHTML, BundleJSON, BundleProof, len(b.Proof.Events), b.Proof.HeadSeq)
}

//go:embed bundle.html.tmpl
var bundleTemplate string

var bundlePage = template.Must(template.New("bundle").Funcs(template.FuncMap{
	"right":    func(r notice.Right) string { return report.RightLabel(r) },
	"state":    func(s cases.State) string { return report.StateLabel(s) },
	"hex":      func(b []byte) string { return hex.EncodeToString(b) },
	"time":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"personal": func(raw json.RawMessage) string { return indentJSON(raw) },
}).Parse(bundleTemplate))

func indentJSON(raw json.RawMessage) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	var v any
	if json.Unmarshal(raw, &v) != nil || enc.Encode(v) != nil {
		return string(raw)
	}
	return strings.TrimSpace(b.String())
}
