package staff

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The close page of a correction, deletion or restriction names the
// recipients to tell (Article 19), without JavaScript: a row for each
// recipient the notices list whose task is open, with its name carried in
// the form, and spareRecipientRows rows to type others the data went to.
// A row counts when it has an email address, or a typed name. Preview
// writes each counted row's letter into a box of its own, which staff may
// edit like the requester's letter. Every row names itself (notify-N-kind,
// notify-N-recipient), so the command is built from the form as sent,
// whatever happened to the case's tasks meanwhile.

// spareRecipientRows are the rows for recipients the notices do not list.
const spareRecipientRows = 2

// Kinds of recipient row.
const (
	rowListed = "listed"
	rowOther  = "other"
)

// recipientRow is one row of the recipients' part of the close page.
type recipientRow struct {
	// N numbers the row from 1; its fields are notify-N-….
	N int
	// Listed is the recipient a notice lists; "" for a row to type one.
	Listed string
}

func rowField(n int, part string) string { return "notify-" + strconv.Itoa(n) + "-" + part }

// recipientRows are the rows of c's close page: none unless c asks for a
// right after which recipients are told.
func recipientRows(c *cases.Case) []recipientRow {
	if !c.AsksArticle19() {
		return nil
	}
	var rows []recipientRow
	for _, t := range c.Tasks {
		if t.Kind == cases.TaskArticle19 && t.State == cases.TaskOpen {
			rows = append(rows, recipientRow{N: len(rows) + 1, Listed: t.Recipient})
		}
	}
	for range spareRecipientRows {
		rows = append(rows, recipientRow{N: len(rows) + 1})
	}
	return rows
}

// fillRecipientRows writes each row's kind and listed name into the form.
func fillRecipientRows(c *cases.Case, v map[string][]string) {
	for _, row := range recipientRows(c) {
		kind := rowOther
		if row.Listed != "" {
			kind = rowListed
			v[rowField(row.N, "recipient")] = []string{row.Listed}
		}
		v[rowField(row.N, "kind")] = []string{kind}
	}
}

// sentRows are the rows of the form as sent that count, in order.
func sentRows(f *web.Form) []int {
	var out []int
	for n := 1; n <= cases.MaxRecipientNotices+spareRecipientRows+100; n++ {
		kind := f.Get(rowField(n, "kind"))
		if kind == "" {
			break
		}
		if f.Get(rowField(n, "email")) != "" || (kind == rowOther && f.Get(rowField(n, "recipient")) != "") {
			out = append(out, n)
		}
	}
	return out
}

// recipientNotices are the recipients the form names to tell, each with
// staff's words for its letter ("" when left as the template wrote it).
func recipientNotices(f *web.Form) []cases.RecipientNotice {
	var out []cases.RecipientNotice
	for _, n := range sentRows(f) {
		out = append(out, cases.RecipientNotice{
			Recipient:  f.Get(rowField(n, "recipient")),
			Email:      f.Get(rowField(n, "email")),
			LetterText: draftedText(f, rowField(n, "letter"), rowField(n, "from")),
		})
	}
	return out
}

// draftedText is staff's wording in the box named text: "" when they left
// it as the template wrote it (its hash is in from) or emptied it.
func draftedText(f *web.Form, text, from string) string {
	words := f.Get(text)
	if h := f.Get(from); h != "" && cases.TextHash(letters.Normalise(words)) == h {
		return ""
	}
	return words
}

var recipientField = regexp.MustCompile(`^recipient_notices\[(\d+)\]\.(\w+)$`)

// recipientFieldFor maps a field the domain names about the recipients to
// the row of the form it came from; "" for any other field.
func recipientFieldFor(f *web.Form, domain string) string {
	rows := sentRows(f)
	if domain == cases.RecipientNoticesField {
		if len(rows) == 0 {
			return rowField(1, "email")
		}
		return rowField(rows[0], "email")
	}
	m := recipientField.FindStringSubmatch(domain)
	if m == nil {
		return ""
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(rows) {
		return rowField(1, "email")
	}
	n := rows[i]
	switch m[2] {
	case "letter_text":
		return rowField(n, "letter")
	case "recipient":
		if f.Get(rowField(n, "kind")) == rowOther {
			return rowField(n, "recipient")
		}
	}
	return rowField(n, "email")
}

// recipientDraft is one recipient's letter as Preview wrote it.
type recipientDraft struct {
	Recipient string
	Preview   []letters.Block
	Edited    bool
}

// putRecipientDrafts fills each counted row's box with its letter, unless
// staff already changed its words, and returns the letters to preview.
func putRecipientDrafts(f *web.Form, drafts []letters.Letter) []recipientDraft {
	rows := sentRows(f)
	out := make([]recipientDraft, 0, len(drafts))
	for i, l := range drafts {
		if i >= len(rows) {
			break
		}
		n := rows[i]
		if draftedText(f, rowField(n, "letter"), rowField(n, "from")) == "" {
			f.Values.Set(rowField(n, "letter"), l.Text)
			f.Values.Set(rowField(n, "from"), l.TextHash)
		}
		out = append(out, recipientDraft{Recipient: l.To.Name, Preview: l.Blocks(), Edited: l.Edited})
	}
	return out
}

// recipientsQuestion is the recipients' part of the close page of c; ok is
// false when c asks for no right after which recipients are told.
func recipientsQuestion(c *cases.Case) (field, bool) {
	rows := recipientRows(c)
	if rows == nil {
		return field{}, false
	}
	return field{
		Kind: "recipients", Name: "notify", Label: "Tell the recipients (Article 19)",
		Hint: fmt.Sprintf("If the request is fulfilled, or partially, tell everyone the data was shared with: enter an email address for each, up to %d. "+
			"A letter goes to each with the response, and the response tells the requester who was told. Leave a row empty to tell a recipient another way.", cases.MaxRecipientNotices),
		Recipients: rows,
	}, true
}
