package staff

import (
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// An action whose step writes to the requester (asking for something,
// extending, closing) shows the letter on its page as a draft: its words
// in the letters' markup, in a box staff may edit, written from the case
// as the step would leave it. The letter quotes the answers (what is
// asked, the reason, the outcome), so it is first written when Preview is
// pressed: that fills the box and shows the letter as the requester will
// read it, keeping the edits and the answers; the action's own button does the
// step and sends the letter, in staff's words if they changed any, in one
// transaction. The draft's hash rides along (letter-from), so words left as
// the template wrote them are written again from the answers as they stand
// when sent, and the letter is recorded as edited only when it was.

// Form fields of the draft.
const (
	letterField     = "letter-text"
	letterFromField = "letter-from"
	previewField    = "preview"
)

// letterUse is how an action's page speaks of the letter its step sends.
type letterUse struct {
	// button replaces the action's own when a letter goes with it.
	button string
	// when says which of the page's answers send a letter, when not all do.
	when string
}

// letterDraft is the letter part of an action's page.
type letterDraft struct {
	// Sends is true when the service writes to this requester; otherwise
	// Unsent says why no letter goes and what to do instead.
	Sends  bool
	Unsent string
	When   string
	// None says that the answers previewed send no letter.
	None bool
	// Preview is the letter as the requester will read it, once Preview
	// is pressed; Subject its subject and Edited whether staff changed it.
	Preview []letters.Block
	Subject string
	Edited  bool
}

// unsentWords say why no letter goes to a requester.
var unsentWords = map[usecase.NoLetters]string{
	usecase.NoLettersRelay:   "No letter will be sent: this service has no mail relay set up. Send the requester the letter yourself, and record it in a note.",
	usecase.NoLettersAddress: "No letter will be sent: the requester gave neither an email nor a postal address. Send the letter yourself, and record it in a note.",
}

// drafted is what Preview wrote: the requester's letter, if the step
// sends one, and the letter to each recipient told (Article 19).
type drafted struct {
	Letter     *letters.Letter
	Recipients []recipientDraft
}

// letterSection is the letter part of action a's page for c; nil for an
// action that sends no letter. preview is the letter Preview wrote.
func (h *handler) letterSection(a action, c *cases.Case, f *web.Form, preview *letters.Letter) *letterDraft {
	if a.letter == nil {
		return nil
	}
	sends, why := h.cfg.Work.LettersTo(c)
	if !sends {
		return &letterDraft{Unsent: unsentWords[why]}
	}
	d := &letterDraft{Sends: true, When: a.letter.when}
	switch {
	case preview != nil:
		d.Preview, d.Subject, d.Edited = preview.Blocks(), preview.Subject, preview.Edited
	case f.Get(previewField) != "" && !f.HasErrors():
		d.None = true
	}
	return d
}

// previewLetter shows action a's page again with the letter cmd would
// send, in the words on the form: the template's, written from the
// answers, unless staff changed them.
func (h *handler) previewLetter(w http.ResponseWriter, r *http.Request, me *staffer, a action, c *cases.Case, f *web.Form, cmd cases.Command) {
	if f.HasErrors() || cmd == nil {
		h.renderAction(w, r, me, a, http.StatusUnprocessableEntity, f, "", nil)
		return
	}
	text := a.letterText(f)
	l, err := h.cfg.Work.DraftLetter(r.Context(), c.ID, cmd, text)
	var recipients []letters.Letter
	if err == nil {
		recipients, err = h.cfg.Work.DraftRecipientLetters(r.Context(), c.ID, cmd)
	}
	if err != nil {
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		take(f, e, actionFields(a, f), a.first)
		h.renderAction(w, r, me, a, e.Status, f, "", nil)
		return
	}
	if l != nil && text == "" {
		f.Values.Set(letterField, l.Text)
		f.Values.Set(letterFromField, l.TextHash)
	}
	h.renderAction(w, r, me, a, http.StatusOK, f, "", &drafted{Letter: l, Recipients: putRecipientDrafts(f, recipients)})
}

// letterText is staff's wording of the letter on a's form: "" when they
// left the draft as the template wrote it (or emptied the box), so the
// template writes it again from the answers as they now stand, and for a
// page with no letter.
func (a action) letterText(f *web.Form) string {
	if a.letter == nil {
		return ""
	}
	return draftedText(f, letterField, letterFromField)
}

// actionFields maps the fields the domain names to action a's form, the
// draft's text included.
func actionFields(a action, f *web.Form) func(string) string {
	return func(domain string) string {
		if domain == usecase.LetterTextField {
			return letterField
		}
		return a.fieldFor(f, domain)
	}
}
