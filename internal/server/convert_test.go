package server

import (
	"testing"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Every fact the domain holds about a notice reaches the API: a field
// added to the domain but not to the protos would otherwise vanish from
// GetNotice and from the remote CLI's drafts.
func TestNoticeFactsReachTheAPI(t *testing.T) {
	v := &notice.Version{
		Number: 1, Title: "Example",
		Contexts: []notice.Context{{ID: "fraud", Name: "fraud prevention", Basis: notice.BasisRecognisedLegitimateInterests,
			Criminal: &notice.CriminalOffenceData{Condition: "DPA 2018 Sch 1 para 10"}}},
		Retention: []notice.RetentionRule{{Description: "a week", Days: 7}},
		Rights:    []notice.DeclaredRight{{Right: notice.RightRectification, Completion: true}},
	}
	out := noticeToProto(&notice.Notice{ID: "example", Versions: []notice.Version{*v}}, v)
	c := out.GetContexts()[0]
	if c.GetLawfulBasis() != rdv1.LawfulBasis_LAWFUL_BASIS_RECOGNISED_LEGITIMATE_INTERESTS {
		t.Errorf("basis %v, want recognised legitimate interests", c.GetLawfulBasis())
	}
	if c.GetCriminalOffenceData().GetCondition() != "DPA 2018 Sch 1 para 10" {
		t.Errorf("criminal offence data %v", c.GetCriminalOffenceData())
	}
	if d := out.GetRetention()[0].GetDays(); d != 7 {
		t.Errorf("retention days %d, want 7", d)
	}
	if !out.GetRights()[0].GetCompletion() {
		t.Error("the completion flag is lost")
	}
}
