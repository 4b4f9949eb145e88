// Package letters (layer: domain) writes the letters a rights request
// needs — acknowledgement; identity, clarification and fee requests;
// extension notice; the response for each right and outcome (for access,
// with the Article 15(1)(a)–(h) and 15(2) information taken from the
// version of each notice pinned on the case); refusal with the complaint
// and judicial-remedy wording of Article 12(4); the letter for a request
// passed to its controller, pointed to self-service, withdrawn or merged
// into another; and Article 19 notices to recipients — as text, as HTML for
// email and as a PDF for post.
//
// It owns the templates (embedded files under templates/, which an
// organisation overrides from a directory without rebuilding: Load), the
// data each template is written from (data.go; every field documented in
// FIELDS.md, which a test generates from the Go comments), the check that
// refuses at load time a template naming a field its data does not have,
// and what a rendered letter carries for the case and the audit trail: the
// template, a version (the SHA-256 of every template source used) and the
// SHA-256 of the final text.
//
// One source, three forms: templates are text/template files writing a
// small markup (headings, paragraphs, lists; see markup.go), and the
// email's HTML (through html/template, so every value is escaped), its
// plain-text part and the PDF are all laid out from the same blocks. Staff
// editing a draft edit that text; whatever they write is laid out the same
// way, and nothing can say one thing in the email and another on paper.
//
// It is pure: a letter is a function of the case, the notices it names,
// the organisation's configuration and the date given. It must not read
// the store or the clock, send anything, or import a door or a use case;
// delivery, drafts and the outbox call it.
//
// # Using it
//
// At start-up, once (the composition root; a mistake in an override
// directory stops serve with the template and field named):
//
//	templates, err := letters.Load(dir) // dir "" for the built-in templates only
//	writer, err := letters.NewWriter(templates, letters.Organisation{Name: ..., Address: ..., Email: ...})
//
// For each letter, from the case as it will be once the action is done
// (apply the command to a copy to draft before it is committed):
//
//	l, err := writer.Write(kind, letters.Facts{Case: c, Notice: env.Notice, On: today})
//	l, err = writer.Revise(l, staffText)  // staff's edit of the draft
//	pdf, err := letters.PDF(l)             // for post: needs both postal addresses
//
// A Letter carries Kind, Template, Parts, TemplateVersion, Subject, Text
// (canonical, what is kept and hashed), TextHash (SHA-256 of Text), HTML
// (for the email), PlainText() (the email's text part), and To and From.
// Write's errors are fault.FailedPrecondition (the case cannot support
// that letter yet: it says what is missing) or fault.InvalidArgument.
//
// Which letter each action needs:
//
//	case created                  KindAcknowledgement
//	asked for identity/clarification/fee   RequestKind(waitingFor): KindIdentityRequest, KindClarificationRequest, KindFeeRequest
//	extended                      KindExtensionNotice (refused once the first period has ended)
//	closed                        ClosingKind(outcome): KindResponse (fulfilled, partially fulfilled),
//	                              KindRefusal, KindWithdrawn, KindPassedOn (passed to the controller),
//	                              KindSelfService, KindDuplicate (merged; Facts.DuplicateOf names the other case)
//	after rectification, erasure or restriction, one per Article 19 task
//	                              KindArticle19 (Facts.Recipient is the task's recipient)
package letters
