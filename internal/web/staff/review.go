package staff

import (
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The response pack's four-eyes review on the staff pages: the case page's
// Review section says where the pack stands and who did what, and each
// step (submit, approve, return, release) is an action page of its own.
// Whether a step is allowed, and that the approver is not the submitter,
// are the domain's rules (cases/review.go): a refused step comes back on
// its page with the domain's words.

// reviewView is the case page's Review section; nil for a case with no
// response pack.
type reviewView struct {
	State web.Tag
	// Says what the pack's state means for what comes next.
	Says string
	// Problems stop the pack being submitted (DisclosureProblems).
	Problems []string
	Steps    []reviewStepView
	// YouSubmitted is set while the pack waits for review and the staffer
	// viewing it is who submitted it: someone else must review it.
	YouSubmitted bool
}

type reviewStepView struct{ What, By, When, Comments string }

var reviewTags = map[cases.ReviewState]web.Tag{
	cases.ReviewNotSubmitted: {Text: "Not submitted", Colour: "grey"},
	cases.ReviewSubmitted:    {Text: "Waiting for review", Colour: "blue"},
	cases.ReviewReturned:     {Text: "Returned", Colour: "orange"},
	cases.ReviewApproved:     {Text: "Approved", Colour: "turquoise"},
	cases.ReviewReleased:     {Text: "Released", Colour: "green"},
	cases.ReviewChanged:      {Text: "Changed since approval", Colour: "red"},
}

var reviewSays = map[cases.ReviewState]string{
	cases.ReviewNotSubmitted: "When every collected record has its decision, submit the pack: a second member of staff with the caseworker role checks it before it can be released.",
	cases.ReviewSubmitted:    "A member of staff other than the one who submitted it approves it or returns it with comments.",
	cases.ReviewReturned:     "Make the changes the reviewer asked for, then submit it again.",
	cases.ReviewApproved:     "Release it to the requester: only then can the case close as fulfilled.",
	cases.ReviewReleased:     "The requester can have it.",
	cases.ReviewChanged:      "A document or decision changed after the approval, so the approval no longer counts: submit the pack again.",
}

var reviewStepWords = map[cases.ReviewState]string{
	cases.ReviewSubmitted: "Submitted for review", cases.ReviewReturned: "Returned",
	cases.ReviewApproved: "Approved", cases.ReviewReleased: "Released to the requester",
}

// reviewViewOf is the Review section of case c for staffer me.
func reviewViewOf(c *cases.Case, me *staffer, names directory) *reviewView {
	if !c.HasPack() {
		return nil
	}
	state := c.PackState()
	v := &reviewView{State: reviewTags[state], Says: reviewSays[state]}
	if state == cases.ReviewNotSubmitted || state == cases.ReviewReturned || state == cases.ReviewChanged {
		v.Problems = c.DisclosureProblems()
	}
	if c.Review != nil {
		v.YouSubmitted = state == cases.ReviewSubmitted && c.Review.Submitter() == me.actor
		for i := len(c.Review.Steps) - 1; i >= 0; i-- {
			s := c.Review.Steps[i]
			v.Steps = append(v.Steps, reviewStepView{What: reviewStepWords[s.State], By: names.of(s.By), When: ukTime(s.On), Comments: s.Comments})
		}
	}
	return v
}

// packFacts are what a reviewer looks at: where the pack stands, who
// submitted it, and each document with the decision on it.
func packFacts(c *cases.Case, names directory) []fact {
	out := []fact{{"The pack", reviewTags[c.PackState()].Text}}
	if c.Review != nil {
		if s := c.Review.Submitter(); s != "" {
			out = append(out, fact{"Submitted by", names.of(s)})
		}
	}
	documents := 0
	for _, d := range c.Documents {
		if d.Kind == cases.DocumentIdentityEvidence || d.Kind == cases.DocumentAuthority {
			continue
		}
		documents++
		decision := web.Words(string(d.Kind))
		if p := d.Disclosure; p != nil {
			decision = web.Words(string(p.Decision))
			if p.Exemption != "" {
				decision += " under " + web.Words(p.Exemption)
			}
		}
		out = append(out, fact{d.Name, decision})
	}
	if documents == 0 {
		out = append(out, fact{"Documents", "None: the pack is the response letter alone"})
	}
	return out
}

// reviewComments maps the domain's comments field to the page's.
var reviewComments = fields("comments", "review-comments")

var (
	submitReviewAction = action{
		slug: "submit-review", title: "Submit the response pack for review", act: cases.ActSubmitReview,
		rpcs:   []string{"CaseService/SubmitForReview"},
		intro:  "A second member of staff with the caseworker role checks every document and decision before the pack can be released. You cannot approve a pack you submitted.",
		about:  packFacts,
		button: "Submit for review", first: "submit-review", questions: ask(), fieldFor: fields(),
		command: func(*web.Form, *staffer, *cases.Case, string) cases.Command { return cases.SubmitForReview{} },
	}
	approveReviewAction = action{
		slug: "approve-review", title: "Approve the response pack", act: cases.ActApproveReview,
		rpcs:   []string{"CaseService/ApproveReview"},
		intro:  "Approve the pack as its documents and decisions stand. If any of them changes afterwards, the approval no longer counts and the pack must be submitted again.",
		about:  packFacts,
		button: "Approve", first: "review-comments",
		questions: ask(textarea("review-comments", "Comments (optional)", "Kept on the case for the caseworker; not sent to the requester.")),
		fieldFor:  reviewComments,
		command: func(f *web.Form, _ *staffer, _ *cases.Case, _ string) cases.Command {
			return cases.ApproveReview{Comments: f.Get("review-comments")}
		},
	}
	returnReviewAction = action{
		slug: "return-review", title: "Return the response pack", act: cases.ActReturnReview,
		rpcs:   []string{"CaseService/ReturnReview"},
		intro:  "Send the pack back to the caseworker, saying what must change before it can be approved.",
		about:  packFacts,
		button: "Return the pack", first: "review-comments",
		questions: ask(textarea("review-comments", "What must change", "Kept on the case for the caseworker; not sent to the requester.")),
		fieldFor:  reviewComments,
		command: func(f *web.Form, _ *staffer, _ *cases.Case, _ string) cases.Command {
			return cases.ReturnReview{Comments: required(f, "review-comments", "Say what must change before the pack can be approved")}
		},
	}
	releasePackAction = action{
		slug: "release-pack", title: "Release the response pack", act: cases.ActReleasePack,
		rpcs:   []string{"CaseService/ReleasePack"},
		intro:  "The requester can then have the approved pack. Nothing in it can change without a new review.",
		about:  packFacts,
		button: "Release the pack", first: "release-pack", questions: ask(), fieldFor: fields(),
		command: func(*web.Form, *staffer, *cases.Case, string) cases.Command { return cases.ReleasePack{} },
	}
)

// closeOverrideRole is the role that may close a case past the closure
// guard-rails, as the API declares it on CloseCaseRequest.override_reason;
// a missing declaration stops the server at start-up.
var closeOverrideRole = func() auth.Role {
	role, err := policy.FieldOf("CloseCaseRequest.override_reason")
	if err != nil {
		panic(err)
	}
	return role
}()

// closeOverride reads the close page's override reason, which only a
// staffer with closeOverrideRole may give.
func closeOverride(f *web.Form, me *staffer) string {
	reason := f.Get("close-override")
	if reason != "" && !me.can(closeOverrideRole) {
		f.Fail("close-override", "", "Only an administrator may close a case although something is missing")
		return ""
	}
	return reason
}

// closeOverrideQuestion is the close page's override, for a staffer who
// may give one while something stops the case closing as fulfilled.
func closeOverrideQuestion(c *cases.Case, me *staffer) (field, bool) {
	if !me.can(closeOverrideRole) || len(c.ClosureProblems(cases.OutcomeFulfilled, "")) == 0 {
		return field{}, false
	}
	return textarea("close-override", "Close anyway (administrators only): your reason",
		"Only to close as fulfilled or partially fulfilled although something listed above is missing. Your reason and what was missing go in the audit trail."), true
}

// actionTakenQuestion asks what was done, for a case asking for any right
// but access, which closing it as fulfilled needs.
func actionTakenQuestion(c *cases.Case) (field, bool) {
	if !c.NeedsActionTaken() {
		return field{}, false
	}
	return textarea("close-action", "What was done",
		"For a fulfilled or partly fulfilled request: what was corrected, erased, restricted or stopped, and where. Kept on the case for staff; the detail above is what the requester is told."), true
}

// closeProblemFacts are what stops the case closing as fulfilled now,
// for the close page to show before the staffer chooses.
func closeProblemFacts(c *cases.Case, _ directory) []fact {
	var out []fact
	for _, p := range c.ClosureProblems(cases.OutcomeFulfilled, "") {
		out = append(out, fact{"Before closing as fulfilled", p})
	}
	return out
}
