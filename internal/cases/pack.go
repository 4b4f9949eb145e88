package cases

// The response pack is what the requester receives: the records they are
// given, each in the form decided for it, and the response letter. What
// goes in is decided here, once, for every door and for delivery: a record
// disclosed goes in as collected; a record disclosed redacted goes in only
// as its redacted version, never as the original; a record withheld does
// not go in at all. The requester's own identity evidence and authority
// never go back to them in the pack, nor do staff's other documents.

// PackContents are the documents of the response pack, in the order the
// case lists them: each collected record disclosed, the latest redacted
// version of each record disclosed redacted (a later upload replaces an
// earlier one), and any response letter staff added as a document (a
// signed copy, say). A record with no decision yet is left out, as one
// withheld is; the review will not pass such a pack (DisclosureProblems).
func (c *Case) PackContents() []Document {
	var out []Document
	for i := range c.Documents {
		d := &c.Documents[i]
		switch d.Kind {
		case DocumentCollectedRecord:
			if d.Disclosure != nil && d.Disclosure.Decision == Disclose {
				out = append(out, *d)
			}
		case DocumentRedactedVersion:
			if c.packsRedaction(i) {
				out = append(out, *d)
			}
		case DocumentResponseLetter:
			out = append(out, *d)
		}
	}
	return out
}

// packsRedaction reports whether the redacted version at index i of the
// documents goes into the pack: the record it redacts is to be disclosed
// redacted, and it is that record's latest redacted version.
func (c *Case) packsRedaction(i int) bool {
	redacted := &c.Documents[i]
	original, ok := c.Document(redacted.RedactionOf)
	if !ok || original.Kind != DocumentCollectedRecord || original.Disclosure == nil || original.Disclosure.Decision != DiscloseRedacted {
		return false
	}
	versions := c.RedactionsOf(redacted.RedactionOf)
	return versions[len(versions)-1].ID == redacted.ID
}

// ResponseOutcome is the outcome the response letter in the pack tells:
// the case's own once it is closed; before that, the close the pack
// stands for, on the date given: partly fulfilled when anything collected
// is withheld or disclosed redacted (PartialRefusal), else fulfilled. A
// partial response's detail only says so: the letter lists each exemption
// relied on, in plain words, from the decisions (Article 12(4)).
func (c *Case) ResponseOutcome(on string) Outcome {
	if c.Outcome != nil {
		return *c.Outcome
	}
	o := Outcome{Kind: OutcomeFulfilled, ClosedOn: on, OnTime: on <= c.Clock.Due}
	if c.PartialRefusal() {
		o.Kind = OutcomePartiallyFulfilled
		o.Detail = PartialResponseDetail
	}
	return o
}

// PartialResponseDetail is what the pack's letter says of a partial
// response before staff close the case in their own words.
const PartialResponseDetail = "We have not given you all of the information we hold about you: some is withheld, or given with parts removed. This letter says what, and which exemptions in the law we rely on."
