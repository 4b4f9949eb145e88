package staff

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The case's documents: the list on the case page, the page that adds one
// (a file upload that works without JavaScript) and the page that decides
// what the response does with a collected record. The upload posts to one
// fixed path, documentUploadPath, with the case named in the form, because
// the site lets only named paths take a body the size of a document.

const documentUploadPath = "/staff/documents"

// maxDocumentBody is the largest upload form: the largest document and
// room for the form's other fields and multipart framing.
const maxDocumentBody = cases.MaxDocumentSize + 64<<10

// addDocumentRPCs and decideRPCs are the API calls the pages stand for.
var (
	addDocumentRPCs = []string{"CaseService/GetCase", "CaseService/AddDocument"}
	decideRPCs      = []string{"CaseService/GetCase", "CaseService/DecideDisclosure"}
)

func newDocumentURL(caseID string) string { return caseURL(caseID) + "/documents/new" }

func decideURL(caseID, documentID string) string { return documentURL(caseID, documentID) + "/decide" }

// kindLabels name each kind of document as staff read it.
var kindLabels = map[cases.DocumentKind]string{
	cases.DocumentIdentityEvidence: "Identity evidence",
	cases.DocumentAuthority:        "Authority to act",
	cases.DocumentCollectedRecord:  "Collected record",
	cases.DocumentRedactedVersion:  "Redacted version",
	cases.DocumentResponseLetter:   "Response letter",
	cases.DocumentOther:            "Other",
}

var kindHints = map[cases.DocumentKind]string{
	cases.DocumentCollectedRecord: "What a search of a system or team found. Decide later whether to disclose it.",
	cases.DocumentRedactedVersion: "A collected record with parts removed, disclosed in its place.",
}

// documentsView is the case page's Documents section.
type documentsView struct {
	Rows []documentRow
	// AddHref links to the page that adds one, for those who may.
	AddHref string
	// Waiting counts the collected records with no decision yet, and
	// NeedRedaction those to be disclosed redacted with no redacted
	// version yet.
	Waiting, NeedRedaction int
}

type documentRow struct {
	ID, Kind, Name, Href, Source, AddedBy, Added, Size, Type string
	// SHA is the start of the SHA-256, SHAFull all of it (for a tooltip
	// and for checking a copy).
	SHA, SHAFull string
	// RedactionOf names the document a redacted version redacts.
	RedactionOf string
	// Decision is the decision on a collected record ("" for any other
	// kind); DecideHref the page that makes or changes it.
	Decision   *web.Tag
	Exemption  string
	DecideHref string
	// RedactHref uploads a redacted version, while one is needed.
	RedactHref string
}

func documentsViewOf(c *cases.Case, canDownload, canAdd, canDecide bool, names directory) *documentsView {
	v := &documentsView{}
	if canAdd && c.Open() {
		v.AddHref = newDocumentURL(c.ID)
	}
	for _, d := range c.Documents {
		row := documentRow{
			ID: d.ID, Kind: kindLabels[d.Kind], Name: d.Name, Source: d.Source, AddedBy: names.of(d.AddedBy),
			Added: web.LongDate(d.ReceivedOn), Size: sizeText(d.Size), Type: mediaLabel(d.MediaType),
			SHA: d.SHA256[:min(12, len(d.SHA256))], SHAFull: d.SHA256,
		}
		if d.AddedBy == cases.RequesterActor {
			row.AddedBy = "The requester"
		}
		if canDownload {
			row.Href = documentURL(c.ID, d.ID)
		}
		if d.RedactionOf != "" {
			if original, ok := c.Document(d.RedactionOf); ok {
				row.RedactionOf = original.ID + " " + original.Name
			}
		}
		if d.Kind == cases.DocumentCollectedRecord {
			row.Decision = decisionTag(d.Disclosure)
			if d.Disclosure == nil {
				v.Waiting++
			} else if e, ok := cases.ExemptionByCode(d.Disclosure.Exemption); ok {
				row.Exemption = e.Title
			}
			if canDecide && c.Open() {
				row.DecideHref = decideURL(c.ID, d.ID)
			}
			if d.Disclosure != nil && d.Disclosure.Decision == cases.DiscloseRedacted && len(c.RedactionsOf(d.ID)) == 0 {
				v.NeedRedaction++
				if v.AddHref != "" {
					row.RedactHref = v.AddHref + "?" + url.Values{"kind": {string(cases.DocumentRedactedVersion)}, "redaction_of": {d.ID}}.Encode()
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func decisionTag(d *cases.Disclosure) *web.Tag {
	if d == nil {
		return &web.Tag{Text: "Not decided", Colour: "yellow"}
	}
	switch d.Decision {
	case cases.Disclose:
		return &web.Tag{Text: "Disclose", Colour: "green"}
	case cases.DiscloseRedacted:
		return &web.Tag{Text: "Disclose redacted", Colour: "blue"}
	}
	return &web.Tag{Text: "Withhold", Colour: "red"}
}

// addDocumentData is what the add-a-document page shows.
type addDocumentData struct {
	Case         *cases.Case
	UploadPath   string
	Kinds        []web.Option
	Searches     []web.Option
	Originals    []web.Option
	MaxMB        int
	FileAccept   string
	TextAccepted string
}

// documentFields maps the use case's fields to the form's.
func documentFields(domain string) string {
	switch domain {
	case "kind", "source", "search_id", "redaction_of", "file":
		return domain
	}
	return "file"
}

func (h *handler) showAddDocument(w http.ResponseWriter, r *http.Request, me *staffer) {
	c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	q := r.URL.Query()
	v := url.Values{"case": {c.ID}, "kind": {q.Get("kind")}, "redaction_of": {q.Get("redaction_of")}}
	h.renderAddDocument(w, me, c, http.StatusOK, web.NewForm(v))
}

func (h *handler) renderAddDocument(w http.ResponseWriter, me *staffer, c *cases.Case, status int, f *web.Form) {
	d := addDocumentData{Case: c, UploadPath: documentUploadPath, MaxMB: cases.MaxDocumentSize >> 20,
		FileAccept: ".pdf,.jpg,.jpeg,.png,.txt,.csv,application/pdf,image/jpeg,image/png,text/plain,text/csv"}
	for _, k := range cases.DocumentKinds {
		d.Kinds = append(d.Kinds, web.Option{Value: string(k), Label: kindLabels[k], Hint: kindHints[k]})
	}
	for _, s := range c.Searches {
		if s.Kind == cases.SearchDone {
			d.Searches = append(d.Searches, web.Option{Value: s.ID, Label: s.Source + " (searched " + web.LongDate(s.On) + ")"})
		}
	}
	for _, doc := range c.Documents {
		if doc.Kind == cases.DocumentCollectedRecord {
			d.Originals = append(d.Originals, web.Option{Value: doc.ID, Label: doc.ID + ": " + doc.Name})
		}
	}
	h.render.Render(w, status, "staff/document-add", web.View{Title: "Add a document", Back: caseURL(c.ID) + "#documents", Form: f, CSRF: me.csrf, Data: d})
}

// addDocument takes the upload form. A file over the limit is refused
// before it is read again (413, on the form); anything the case or the
// file's content refuses comes back on the form with the field named.
func (h *handler) addDocument(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(r.PostForm)
	c, err := h.cfg.Work.Get(r.Context(), f.Get("case"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	var file *multipart.FileHeader
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["file"]; len(files) > 0 && (files[0].Filename != "" || files[0].Size > 0) {
			file = files[0]
		}
	}
	switch {
	case file == nil:
		f.Fail("file", "", "Choose the file to add")
	case file.Size > cases.MaxDocumentSize:
		f.Take(web.ErrorOf(cases.DocumentTooLarge(cases.SanitiseFileName(file.Filename))), documentFields, "file")
		h.renderAddDocument(w, me, c, http.StatusRequestEntityTooLarge, f)
		return
	}
	if f.Get("kind") == "" {
		f.Fail("kind", "", "Choose what kind of document this is")
	}
	if f.HasErrors() {
		h.renderAddDocument(w, me, c, http.StatusUnprocessableEntity, f)
		return
	}
	content, err := file.Open()
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	defer content.Close()
	spec := cases.DocumentSpec{Kind: cases.DocumentKind(f.Get("kind")), Source: f.Get("source"), SearchID: f.Get("search_id"), RedactionOf: f.Get("redaction_of")}
	if _, err := h.cfg.Work.AddDocument(r.Context(), me.actor, c.ID, spec, usecase.Upload{Name: file.Filename, Content: content}); err != nil {
		e := web.ErrorOf(err)
		if e.Kind == web.Missing || e.Kind == web.Internal {
			h.render.Fail(w, err)
			return
		}
		f.Take(e, documentFields, "file")
		h.renderAddDocument(w, me, c, e.Status, f)
		return
	}
	http.Redirect(w, r, caseURL(c.ID)+"?done=case.document_added#documents", http.StatusSeeOther)
}

// decideData is what the decision page shows.
type decideData struct {
	Case       *cases.Case
	Document   cases.Document
	Row        documentRow
	Decisions  []web.Option
	Exemptions []web.Option
	Action     string
}

func decideFields(domain string) string {
	switch domain {
	case "decision", "exemption", "reason":
		return domain
	}
	return "decision"
}

// decisionTarget finds the case and the collected record a decision page
// is about; false when it has answered already.
func (h *handler) decisionTarget(w http.ResponseWriter, r *http.Request) (*cases.Case, cases.Document, bool) {
	c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return nil, cases.Document{}, false
	}
	d, ok := c.Document(r.PathValue("file"))
	if !ok || d.Kind != cases.DocumentCollectedRecord {
		h.render.NotFound(w)
		return nil, cases.Document{}, false
	}
	return c, d, true
}

func (h *handler) showDecide(w http.ResponseWriter, r *http.Request, me *staffer) {
	c, d, ok := h.decisionTarget(w, r)
	if !ok {
		return
	}
	v := url.Values{"etag": {c.Etag()}}
	if x := d.Disclosure; x != nil {
		v.Set("decision", string(x.Decision))
		v.Set("exemption", x.Exemption)
		v.Set("reason", x.Reason)
	}
	h.renderDecide(w, r, me, c, d, http.StatusOK, web.NewForm(v))
}

func (h *handler) renderDecide(w http.ResponseWriter, r *http.Request, me *staffer, c *cases.Case, d cases.Document, status int, f *web.Form) {
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	data := decideData{Case: c, Document: d, Action: decideURL(c.ID, d.ID), Decisions: []web.Option{
		{Value: string(cases.Disclose), Label: "Disclose it", Hint: "The requester gets the record whole."},
		{Value: string(cases.DiscloseRedacted), Label: "Disclose a redacted version", Hint: "Upload the redacted version beside it before the pack is submitted for review."},
		{Value: string(cases.Withhold), Label: "Withhold it", Hint: "The requester does not get it; the response letter names the exemption."},
	}}
	data.Row = documentsViewOf(&cases.Case{ID: c.ID, Documents: []cases.Document{d}}, true, false, false, names).Rows[0]
	for _, e := range cases.Exemptions {
		data.Exemptions = append(data.Exemptions, web.Option{Value: e.Code, Label: fmt.Sprintf("%s (%s)", e.Title, e.Reference)})
	}
	h.render.Render(w, status, "staff/document-decide", web.View{Title: "Decide on " + d.ID, Back: caseURL(c.ID) + "#documents", Form: f, CSRF: me.csrf, Data: data})
}

func (h *handler) decide(w http.ResponseWriter, r *http.Request, me *staffer) {
	c, d, ok := h.decisionTarget(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r.PostForm)
	cmd := cases.DecideDisclosure{Document: d.ID, Decision: cases.DisclosureDecision(f.Get("decision")), Exemption: f.Get("exemption"), Reason: f.Get("reason")}
	if cmd.Decision == cases.Disclose {
		cmd.Exemption = "" // a choice left in the list when the answer changed
	}
	if _, err := h.cfg.Work.Apply(r.Context(), me.actor, c.ID, f.Get("etag"), cmd); err != nil {
		e := web.ErrorOf(err)
		if e.Kind == web.Missing || e.Kind == web.Internal {
			h.render.Fail(w, err)
			return
		}
		f.Take(e, decideFields, "decision")
		if e.Kind == web.Conflict {
			f.Values.Set("etag", c.Etag()) // the page now shows the case as it is
		}
		h.renderDecide(w, r, me, c, d, e.Status, f)
		return
	}
	http.Redirect(w, r, caseURL(c.ID)+"?done=case.disclosure_decided#documents", http.StatusSeeOther)
}

// documentsFor is the case page's Documents section for the staffer:
// downloads, the add link and decisions as their role allows.
func (h *handler) documentsFor(c *cases.Case, me *staffer, names directory) *documentsView {
	// The roles were checked when the routes were made.
	download, _ := strictest(documentRPCs)
	add, _ := strictest(addDocumentRPCs)
	decide, _ := strictest(decideRPCs)
	return documentsViewOf(c, me.can(download), me.can(add), me.can(decide), names)
}
