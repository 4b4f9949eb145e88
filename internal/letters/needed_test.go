package letters_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
)

func TestNeeded(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  cases.Command
		want letters.Kind // "" for no letter
	}{
		{"identity request", cases.RequestFromRequester{What: cases.WaitingForIdentity}, letters.KindIdentityRequest},
		{"clarification request", cases.RequestFromRequester{What: cases.WaitingForClarification, Detail: "which years?"}, letters.KindClarificationRequest},
		{"fee request", cases.RequestFromRequester{What: cases.WaitingForFee}, letters.KindFeeRequest},
		{"request for something unknown", cases.RequestFromRequester{What: "biscuits"}, ""},
		{"extension", cases.Extend{Reason: "complex", Months: 2}, letters.KindExtensionNotice},
		{"fulfilled", cases.Close{Outcome: cases.OutcomeFulfilled}, letters.KindResponse},
		{"partly fulfilled", cases.Close{Outcome: cases.OutcomePartiallyFulfilled}, letters.KindResponse},
		{"refused", cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "manifestly_unfounded"}, letters.KindRefusal},
		{"closed as withdrawn by staff", cases.Close{Outcome: cases.OutcomeWithdrawn}, letters.KindWithdrawn},
		{"withdrawn from the status page", cases.Withdraw{}, letters.KindWithdrawn},
		{"passed to the controller", cases.Close{Outcome: cases.OutcomePassedToController}, letters.KindPassedOn},
		{"pointed to self-service", cases.Close{Outcome: cases.OutcomeSelfService}, letters.KindSelfService},
		{"merged into another case", cases.MergeInto{Into: "01J0000000000000000000000"}, letters.KindDuplicate},
		{"an unknown outcome", cases.Close{Outcome: "shrugged"}, ""},
		{"assigned", cases.Assign{Assignee: "sam"}, ""},
		{"identity confirmed from the request", cases.ConfirmIdentity{}, ""},
		{"requester's answer recorded", cases.RecordResponse{}, ""},
		{"requester's reply", cases.RequesterReply{Text: "here it is"}, ""},
		{"note", cases.AddNote{Text: "rang"}, ""},
		{"reopened", cases.Reopen{Reason: "more found"}, ""},
		{"linked", cases.Link{Other: "01J0000000000000000000000"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := letters.Needed(tc.cmd)
			if ok != (tc.want != "") || got != tc.want {
				t.Errorf("Needed(%T) = %q, %v; want %q", tc.cmd, got, ok, tc.want)
			}
		})
	}
}
