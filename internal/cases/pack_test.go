package cases_test

import (
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// packDoc is a document of kind with id, redacting redactionOf, with the
// decision when it is not "".
func packDoc(id string, kind cases.DocumentKind, redactionOf string, decision cases.DisclosureDecision) cases.Document {
	d := cases.Document{File: cases.File{ID: id, Name: id + ".pdf"}, Kind: kind, RedactionOf: redactionOf}
	if decision != "" {
		d.Disclosure = &cases.Disclosure{Decision: decision, Exemption: "third_party"}
	}
	return d
}

func packIDs(docs []cases.Document) []string {
	ids := []string{}
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestPackContents(t *testing.T) {
	record, redacted := cases.DocumentCollectedRecord, cases.DocumentRedactedVersion
	tests := []struct {
		name string
		docs []cases.Document
		want []string
	}{
		{"nothing collected", nil, []string{}},
		{"a disclosed record goes in as collected", []cases.Document{packDoc("d1", record, "", cases.Disclose)}, []string{"d1"}},
		{"a record redacted goes in as its redacted version only",
			[]cases.Document{packDoc("d1", record, "", cases.DiscloseRedacted), packDoc("d2", redacted, "d1", "")}, []string{"d2"}},
		{"the latest redacted version replaces an earlier one",
			[]cases.Document{packDoc("d1", record, "", cases.DiscloseRedacted), packDoc("d2", redacted, "d1", ""), packDoc("d3", redacted, "d1", "")}, []string{"d3"}},
		{"a withheld record and its redacted version stay out",
			[]cases.Document{packDoc("d1", record, "", cases.Withhold), packDoc("d2", redacted, "d1", "")}, []string{}},
		{"a redacted version of a record disclosed whole stays out",
			[]cases.Document{packDoc("d1", record, "", cases.Disclose), packDoc("d2", redacted, "d1", "")}, []string{"d1"}},
		{"a record with no decision stays out", []cases.Document{packDoc("d1", record, "", "")}, []string{}},
		{"the requester's own documents and staff's others never go in",
			[]cases.Document{packDoc("d1", cases.DocumentIdentityEvidence, "", ""), packDoc("d2", cases.DocumentAuthority, "", ""), packDoc("d3", cases.DocumentOther, "", "")}, []string{}},
		{"a response letter staff added goes in", []cases.Document{packDoc("d1", cases.DocumentResponseLetter, "", "")}, []string{"d1"}},
		{"the case's order is kept",
			[]cases.Document{
				packDoc("d1", record, "", cases.DiscloseRedacted), packDoc("d2", record, "", cases.Disclose),
				packDoc("d3", record, "", cases.Withhold), packDoc("d4", redacted, "d1", ""), packDoc("d5", cases.DocumentResponseLetter, "", ""),
			}, []string{"d2", "d4", "d5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &cases.Case{Documents: tt.docs}
			got := c.PackContents()
			if ids := packIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("pack contents %v; want %v", ids, tt.want)
			}
			for _, d := range got {
				if d.Kind == record && d.Disclosure.Decision != cases.Disclose {
					t.Errorf("record %s, decided %s, is in the pack unredacted", d.ID, d.Disclosure.Decision)
				}
			}
		})
	}
}

func TestResponseOutcome(t *testing.T) {
	record := cases.DocumentCollectedRecord
	tests := []struct {
		name string
		c    cases.Case
		want cases.OutcomeKind
	}{
		{"all disclosed is fulfilled", cases.Case{Documents: []cases.Document{packDoc("d1", record, "", cases.Disclose)}}, cases.OutcomeFulfilled},
		{"nothing found is fulfilled", cases.Case{}, cases.OutcomeFulfilled},
		{"anything redacted is a partial response", cases.Case{Documents: []cases.Document{packDoc("d1", record, "", cases.Disclose), packDoc("d2", record, "", cases.DiscloseRedacted)}}, cases.OutcomePartiallyFulfilled},
		{"anything withheld is a partial response", cases.Case{Documents: []cases.Document{packDoc("d1", record, "", cases.Withhold)}}, cases.OutcomePartiallyFulfilled},
		{"a closed case keeps its own outcome",
			cases.Case{Outcome: &cases.Outcome{Kind: cases.OutcomeFulfilled, ClosedOn: "2026-03-01"}, Documents: []cases.Document{packDoc("d1", record, "", cases.Withhold)}}, cases.OutcomeFulfilled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.Clock.Due = "2026-03-02"
			got := tt.c.ResponseOutcome("2026-03-03")
			if got.Kind != tt.want {
				t.Fatalf("outcome %s; want %s", got.Kind, tt.want)
			}
			if tt.c.Outcome == nil && (got.ClosedOn != "2026-03-03" || got.OnTime) {
				t.Errorf("outcome %+v; want it dated 2026-03-03, late against the due date 2026-03-02", got)
			}
			partial := got.Kind == cases.OutcomePartiallyFulfilled
			if says := got.Detail == cases.PartialResponseDetail; tt.c.Outcome == nil && partial != says {
				t.Errorf("detail %q; want a partial response to say so, and no detail otherwise", got.Detail)
			}
		})
	}
}
