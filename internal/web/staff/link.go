package staff

import (
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Duplicates are found by the reference people see on letters and
// screens, typed as they like; the use cases take the other case's id.

func referenceQuestion(name, label string) field {
	return field{Kind: "input", Name: name, Label: label, Hint: "For example, RD-7K3M-Q9XP. Upper or lower case, with or without the hyphens."}
}

// otherCase finds the case whose reference the field holds. A reference
// that names no case is an error on the field and a nil case.
func (h *handler) otherCase(r *http.Request, f *web.Form, name string) (*cases.Case, error) {
	ref := required(f, name, "Enter the reference of the other case")
	if ref == "" {
		return nil, nil
	}
	other, err := h.cfg.Work.ByReference(r.Context(), ref)
	if e := web.ErrorOf(err); err != nil && e.Kind == web.Missing {
		f.Fail(name, "", "No case has the reference "+ref+": check it and try again")
		return nil, nil
	}
	return other, err
}

var linkAction = action{
	slug: "link", title: "Link to another case", act: cases.ActLink, rpcs: []string{"CaseService/LinkCases"},
	intro:  "Link cases about the same person or matter, so that each shows the other. Both go on as they are.",
	button: "Link the cases", first: "link-reference",
	questions: ask(referenceQuestion("link-reference", "Reference of the other case")),
	fieldFor:  fields("other", "link-reference"),
	run: func(h *handler, r *http.Request, me *staffer, c *cases.Case, _ string, f *web.Form, _ string) (string, error) {
		other, err := h.otherCase(r, f, "link-reference")
		if other == nil {
			return "", err
		}
		_, err = h.cfg.Work.Link(r.Context(), me.actor, c.ID, other.ID)
		return "case.linked", err
	},
}

var mergeAction = action{
	slug: "merge", title: "Merge into another case", act: cases.ActMerge, rpcs: []string{"CaseService/MergeCase"},
	intro: "When this request repeats another, merge it: this case closes as a duplicate, the other goes on in its place, and each links to the other.",
	warning: func(*cases.Case, string) string {
		return "This closes the case. Only an administrator can reopen it."
	},
	button: "Merge and close this case", on: "When was it found to be a duplicate?", first: "merge-reference",
	letter:    mergeLetter,
	questions: ask(referenceQuestion("merge-reference", "Reference of the case that goes on")),
	fieldFor:  fields("into", "merge-reference", "on", "on"),
	draft:     mergeCommand,
	run: func(h *handler, r *http.Request, me *staffer, c *cases.Case, etag string, f *web.Form, on string) (string, error) {
		into, err := h.otherCase(r, f, "merge-reference")
		if into == nil {
			return "", err
		}
		if etag == "" { // merging closes the case: never over a change unseen
			f.Fail("etag", "merge-reference", "Reload the case and try again: the page was sent without its version")
			return "", nil
		}
		_, err = h.cfg.Work.Merge(r.Context(), me.actor, c.ID, etag, into.ID, on, action{letter: mergeLetter}.letterText(f))
		return "case.merged", err
	},
}

// mergeLetter is how the merge page speaks of the duplicate's letter.
var mergeLetter = &letterUse{button: "Send the letter, merge and close this case"}

// mergeCommand is the merge the form asks for, whose letter the page
// previews.
func mergeCommand(h *handler, r *http.Request, _ *cases.Case, f *web.Form, on string) (cases.Command, error) {
	into, err := h.otherCase(r, f, "merge-reference")
	if into == nil {
		return nil, err
	}
	return cases.MergeInto{Into: into.ID, On: on}, nil
}
