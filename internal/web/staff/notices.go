package staff

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Importing a notice takes three steps, each a page: the document (pasted
// or uploaded, with optional id, format and date), a preview of what the
// importer read from it (the structured draft, lint's findings and what
// changes from the current version), and the save. The save is a second
// POST carrying the same document, which is read, checked and compared
// again from scratch: nothing the preview worked out travels in the page
// except the version number it promised, which only guards against a
// version stored meanwhile.

// maxImportBody bounds the import pages' forms. A notice is tens of
// kilobytes; the API takes documents up to 1 MiB, which pasted into a form
// (every byte possibly percent-encoded) or carried back in base64 for the
// save stays well within this.
const maxImportBody = 4 << 20

// The import pages' paths.
const (
	importPath  = sectionImport
	previewPath = sectionImport + "/preview"
)

// importFields maps the use case's field names to the form's.
func importField(field string) string {
	switch field {
	case "notice_id":
		return "notice-id"
	case "effective_from":
		return "effective"
	case "format":
		return "format"
	}
	return "document-text"
}

var formats = []web.Option{
	{Value: "auto", Label: "Work it out from the document"},
	{Value: string(importer.FormatText), Label: "Text copied from a web page"},
	{Value: string(importer.FormatMarkdown), Label: "Markdown"},
	{Value: string(importer.FormatHTML), Label: "A saved HTML page"},
}

type importFormData struct {
	adminPage
	Formats []web.Option
	MaxMB   int
}

// importDone says what a save did, from the redirect's query
// (?saved=ID&version=N, or ?unchanged=ID).
func (h *handler) importDone(r *http.Request) string {
	q := r.URL.Query()
	id, number := q.Get("saved"), 0
	if id == "" {
		id = q.Get("unchanged")
	} else if n, err := strconv.Atoi(q.Get("version")); err == nil && n > 0 {
		number = n
	}
	if id == "" {
		return ""
	}
	_, v, err := h.cfg.Notices.Notice(r.Context(), id, number)
	switch {
	case err != nil:
		return ""
	case number == 0:
		return fmt.Sprintf("Nothing saved: the document is the same as version %d of ‘%s’", v.Number, v.Title)
	}
	return fmt.Sprintf("Saved ‘%s’ as version %d of notices/%s, in force from %s", v.Title, v.Number, id, web.LongDate(v.EffectiveFrom))
}

func (h *handler) importForm(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.renderImportForm(w, me, http.StatusOK, web.NewForm(url.Values{"format": {"auto"}}), h.importDone(r))
}

func (h *handler) renderImportForm(w http.ResponseWriter, me *staffer, status int, f *web.Form, done string) {
	h.render.Render(w, status, "staff/notice-import", web.View{
		Title: "Import a privacy notice", CSRF: me.csrf, Form: f,
		Data: importFormData{adminPage: adminPage{Section: sectionImport, Done: done}, Formats: formats, MaxMB: maxImportBody >> 20},
	})
}

// readImportForm reads the first step's form: the document pasted or
// uploaded, and the optional id, format and date.
func readImportForm(r *http.Request) (usecase.ImportRequest, *web.Form) {
	f := web.NewForm(url.Values{})
	for _, k := range []string{"document-text", "notice-id", "format", "effective-day", "effective-month", "effective-year"} {
		f.Values.Set(k, strings.TrimSpace(r.PostForm.Get(k)))
	}
	req := usecase.ImportRequest{ID: f.Get("notice-id"), EffectiveFrom: dateOf(f, "effective")}
	format, err := importer.ParseFormat(f.Get("format"))
	if err != nil {
		f.Fail("format", "", "Choose how the document is written")
	}
	req.Format = format
	pasted := f.Get("document-text")
	file, name, err := uploaded(r, "document-file")
	switch {
	case err != nil:
		f.Fail("document-file", "", "The file could not be read; choose it again")
	case pasted != "" && file != nil:
		f.Fail("document-text", "", "Paste the notice or choose a file, not both")
	case file != nil:
		req.Content, req.Document = file, name
	case pasted != "":
		req.Content = []byte(pasted)
	default:
		f.Fail("document-text", "", "Paste the notice, or choose a file of it")
	}
	return req, f
}

// uploaded returns the bytes and base name of the file sent in field, or
// nil when none was chosen (browsers send an empty part then).
func uploaded(r *http.Request, field string) ([]byte, string, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, "", nil
	}
	fh := r.MultipartForm.File[field][0]
	if fh.Filename == "" && fh.Size == 0 {
		return nil, "", nil
	}
	file, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil {
		return nil, "", err
	}
	name := fh.Filename[strings.LastIndexAny(fh.Filename, `/\`)+1:]
	return content, name, nil
}

func (h *handler) previewImport(w http.ResponseWriter, r *http.Request, me *staffer) {
	req, f := readImportForm(r)
	if f.HasErrors() {
		h.renderImportForm(w, me, http.StatusUnprocessableEntity, f, "")
		return
	}
	h.showPreview(w, r, me, req, f, http.StatusOK)
}

// readSave reads the save's form: the preview's document and options,
// carried back as they were sent, and the version it promised.
func readSave(r *http.Request) (usecase.ImportRequest, *web.Form) {
	f := web.NewForm(nil)
	content, err := base64.StdEncoding.DecodeString(r.PostForm.Get("content"))
	if err != nil || len(content) == 0 {
		f.Fail("document-text", "", "The document did not come back from the preview; paste it or choose the file again")
	}
	format, err := importer.ParseFormat(r.PostForm.Get("format"))
	if err != nil {
		f.Fail("format", "", "Choose how the document is written")
	}
	expect, err := strconv.Atoi(r.PostForm.Get("expect-version"))
	if err != nil || expect < 1 {
		f.Fail("document-text", "", "Preview the notice before you save it")
	}
	return usecase.ImportRequest{
		Content: content, Format: format, ID: r.PostForm.Get("notice-id"), Document: r.PostForm.Get("document"),
		EffectiveFrom: r.PostForm.Get("effective-from"), ExpectVersion: expect, RefuseLintErrors: true,
	}, f
}

// saveImport stores the document the preview showed, read and checked
// again; lint errors and a version stored since the preview refuse it, and
// the preview is shown again, afresh, with the reason.
func (h *handler) saveImport(w http.ResponseWriter, r *http.Request, me *staffer) {
	req, f := readSave(r)
	if f.HasErrors() {
		if utf8.Valid(req.Content) {
			f.Values.Set("document-text", string(req.Content))
		}
		f.Values.Set("format", "auto")
		h.renderImportForm(w, me, http.StatusUnprocessableEntity, f, "")
		return
	}
	req.Actor = me.actor
	res, err := h.cfg.Notices.Import(r.Context(), req)
	if err == nil {
		id := res.Notice.ID
		if res.Unchanged {
			http.Redirect(w, r, importPath+"?"+url.Values{"unchanged": {id}}.Encode(), http.StatusSeeOther)
			return
		}
		h.cfg.Log.InfoContext(r.Context(), "notice imported", "notice", id, "version", res.Version.Number, "by", me.actor)
		http.Redirect(w, r, importPath+"?"+url.Values{"saved": {id}, "version": {strconv.Itoa(res.Version.Number)}}.Encode(), http.StatusSeeOther)
		return
	}
	e := web.ErrorOf(err)
	if !e.OnForm() {
		h.render.Fail(w, e)
		return
	}
	f.Take(e, func(string) string { return "save" }, "save")
	if utf8.Valid(req.Content) {
		// Should the document no longer read at all, the first step shows it.
		f.Values.Set("document-text", string(req.Content))
	}
	req.ExpectVersion, req.RefuseLintErrors = 0, false
	h.showPreview(w, r, me, req, f, e.Status)
}

// showPreview reads the document without storing it and shows the draft,
// lint's findings and what would change, with the form that saves it,
// answering with status; a document that cannot be read goes back to the
// first step with the reason.
func (h *handler) showPreview(w http.ResponseWriter, r *http.Request, me *staffer, req usecase.ImportRequest, f *web.Form, status int) {
	req.ValidateOnly, req.Actor = true, me.actor
	res, err := h.cfg.Notices.Import(r.Context(), req)
	if err != nil {
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		f.Take(e, importField, "document-text")
		h.renderImportForm(w, me, e.Status, f, "")
		return
	}
	current, changes, err := h.cfg.Notices.DiffDraft(r.Context(), res.Draft.ID, res.Version)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, status, "staff/notice-preview", web.View{
		Title: "Check the notice before you save it", Back: importPath, CSRF: me.csrf, Form: f,
		Data: previewOf(req, res, current, changes),
	})
}

// previewData is the preview page: what the importer read, what lint
// found, what changes, and the save form's fields.
type previewData struct {
	adminPage
	ID, Title string
	Format    string
	Version   *notice.Version
	// Current is the version the draft would follow; nil for a new notice.
	Current   *notice.Version
	Unchanged bool
	Changes   []change
	Findings  []finding
	// Errors counts lint's errors, any of which blocks the save.
	Errors   int
	Sections []draftSection
	Notes    []string
	Unplaced []importer.Unplaced
	Save     saveFields
}

// CanSave reports whether the page offers the save: not for content the
// current version already has, nor while lint finds an error.
func (p previewData) CanSave() bool { return !p.Unchanged && p.Errors == 0 }

type change struct {
	Field, Before, After string
}

type finding struct {
	Tag     web.Tag
	Message string
	// At says where in the notice and the document: "rights/3, line 42".
	At string
}

// draftSection is a part of the draft, shown as a summary list.
type draftSection struct {
	Heading string
	Rows    []draftRow
	// Empty says what it means that the document gave nothing here.
	Empty string
}

type draftRow struct {
	Key, Value string
}

// saveFields are the save form's hidden fields: the document exactly as
// sent (base64, so neither the page nor the browser can alter a byte or a
// line ending) and the options it was read with.
type saveFields struct {
	Content, Document, ID, Format, EffectiveFrom string
	ExpectVersion                                int
}

func previewOf(req usecase.ImportRequest, res *usecase.ImportResult, current *notice.Version, changes []notice.Change) previewData {
	v := res.Version
	p := previewData{
		adminPage: adminPage{Section: sectionImport},
		ID:        res.Draft.ID, Title: v.Title, Format: formatLabel(res.Draft.Format), Version: v,
		Current: current, Unchanged: res.Unchanged,
		Notes: res.Draft.Notes, Unplaced: res.Draft.Unplaced,
		Sections: draftSections(v),
		Save: saveFields{
			Content: base64.StdEncoding.EncodeToString(req.Content), Document: req.Document, ID: req.ID,
			Format: string(req.Format), EffectiveFrom: req.EffectiveFrom, ExpectVersion: v.Number,
		},
	}
	if p.Save.Format == "" {
		p.Save.Format = "auto"
	}
	for _, c := range changes {
		p.Changes = append(p.Changes, change{Field: changeLabel(c.Field), Before: web.LongDate(c.Before), After: web.LongDate(c.After)})
	}
	for _, fd := range res.Findings {
		tag := web.Tag{Text: "Warning", Colour: "yellow"}
		if fd.Severity == lint.Error {
			tag = web.Tag{Text: "Error", Colour: "red"}
			p.Errors++
		}
		at := fd.Subject
		if fd.Provenance.Line > 0 {
			at += fmt.Sprintf(", line %d of the document", fd.Provenance.Line)
		}
		p.Findings = append(p.Findings, finding{Tag: tag, Message: fd.Message, At: at})
	}
	return p
}

func formatLabel(f importer.Format) string {
	for _, o := range formats {
		if o.Value == string(f) {
			return strings.ToLower(o.Label[:1]) + o.Label[1:]
		}
	}
	return string(f)
}

// draftSections lay out the structured draft: who is responsible, each
// processing context with its lawful basis, the rights declared, who data
// goes to, how long it is kept, where it goes abroad.
func draftSections(v *notice.Version) []draftSection {
	who := draftSection{Heading: "Who is responsible", Empty: "The document names no controller, DPO or complaints route."}
	for _, p := range []struct {
		key   string
		party *notice.Party
	}{{"Controller", &v.Controller}, {"Data protection officer", &v.DPO}, {"Privacy team", v.PrivacyTeam}, {"Complaints", &v.ComplaintAuthority}} {
		if p.party != nil && partyText(p.party) != "" {
			who.Rows = append(who.Rows, draftRow{p.key, partyText(p.party)})
		}
	}
	for _, a := range v.Audiences {
		who.Rows = append(who.Rows, draftRow{"For " + a.Label, web.Words(string(a.Role)) + ": " + partyText(&a.Controller)})
	}
	contexts := draftSection{Heading: "Processing and lawful bases", Empty: "The document describes no processing."}
	for _, c := range v.Contexts {
		parts := []string{"Lawful basis: " + notice.BasisLabel(c.Basis)}
		if len(c.Purposes) > 0 {
			parts = append(parts, "Purposes: "+strings.Join(c.Purposes, "; "))
		}
		if len(c.DataCategories) > 0 {
			parts = append(parts, "Data: "+strings.Join(c.DataCategories, ", "))
		}
		if c.Special != nil {
			parts = append(parts, "Special category data ("+strings.Join(c.Special.Categories, ", ")+"), condition: "+orNone(c.Special.Condition))
		}
		if c.Criminal != nil {
			parts = append(parts, "Criminal offence data, authority: "+orNone(c.Criminal.Condition))
		}
		if c.SolelyAutomatedDecisions {
			parts = append(parts, "Decisions made solely by automated means")
		}
		contexts.Rows = append(contexts.Rows, draftRow{notice.Capitalise(c.Name), strings.Join(parts, "\n")})
	}
	rights := draftSection{Heading: "Rights the notice declares", Empty: "The document declares no rights."}
	for _, d := range v.Rights {
		parts := []string{}
		switch {
		case d.ScopeText != "":
			parts = append(parts, "Only "+d.ScopeText)
		case len(d.Scope) > 0:
			parts = append(parts, "Only for "+strings.Join(d.Scope, ", "))
		default:
			parts = append(parts, "For all the processing")
		}
		if d.Qualifier != notice.QualifierNone {
			q := "Qualified: " + strings.ReplaceAll(string(d.Qualifier), "_", " ")
			if d.QualifierText != "" {
				q += " (" + d.QualifierText + ")"
			}
			parts = append(parts, q)
		}
		if d.Channel != nil {
			parts = append(parts, "How: "+d.Channel.Description)
		}
		rights.Rows = append(rights.Rows, draftRow{report.RightLabel(d.Right), strings.Join(parts, "\n")})
	}
	recipients := draftSection{Heading: "Recipients", Empty: "The document names no one data is shared with."}
	for _, rc := range v.Recipients {
		recipients.Rows = append(recipients.Rows, draftRow{rc.Name, web.Words(rc.Kind) + scopeText(rc.Scope)})
	}
	retention := draftSection{Heading: "How long data is kept", Empty: "The document says nothing about how long data is kept."}
	for i, rt := range v.Retention {
		retention.Rows = append(retention.Rows, draftRow{fmt.Sprintf("Rule %d", i+1), rt.Description + scopeText(rt.Scope)})
	}
	transfers := draftSection{Heading: "International transfers", Empty: "The document mentions no transfers abroad."}
	for _, t := range v.Transfers {
		transfers.Rows = append(transfers.Rows, draftRow{t.Destination, "Safeguard: " + orNone(t.Safeguard)})
	}
	out := []draftSection{who, contexts, rights, recipients, retention, transfers}
	if v.Children != nil {
		out = append(out, draftSection{Heading: "Children", Rows: []draftRow{{"Not knowingly collected under", strconv.Itoa(v.Children.NotKnowinglyUnder)}}})
	}
	return out
}

func partyText(p *notice.Party) string {
	var parts []string
	for _, s := range []string{p.Name, p.Address, p.Email, p.Phone, p.Web} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func scopeText(scope []string) string {
	if len(scope) == 0 {
		return ""
	}
	return "\nOnly for " + strings.Join(scope, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none given"
	}
	return s
}

// changeLabels name notice.Diff's fields for people.
var changeLabels = map[string]string{
	"title": "Title", "effective_from": "In force from", "source/published": "Published", "source/updated": "Updated",
	"controller": "Controller", "dpo": "Data protection officer", "privacy_team": "Privacy team",
	"complaint_authority": "Complaints", "children": "Children",
}

// changeLabel names a field of notice.Diff for people: "retention/0" is
// "How long data is kept, rule 1", "contexts/general/basis" is
// "Processing ‘general’: basis". A field repeated in one version (#2)
// keeps its number.
func changeLabel(field string) string {
	field, repeat, _ := strings.Cut(field, "#")
	label := changeLabels[field]
	if label == "" {
		kind, rest, _ := strings.Cut(field, "/")
		switch kind {
		case "contexts":
			id, part, _ := strings.Cut(rest, "/")
			label = "Processing ‘" + id + "’: " + strings.ReplaceAll(part, "_", " ")
		case "retention":
			n, _ := strconv.Atoi(rest)
			label = fmt.Sprintf("How long data is kept, rule %d", n+1)
		case "rights":
			right, scope, _ := strings.Cut(rest, " ")
			label = strings.TrimSpace(report.RightLabel(notice.Right(right)) + " " + scope)
		case "recipients":
			label = "Recipient: " + rest
		case "transfers":
			label = "Transfer to " + rest
		case "audiences":
			label = "Audience: " + rest
		case "extra":
			label = "Other: " + rest
		default:
			label = field
		}
	}
	if repeat != "" {
		label += " (" + repeat + ")"
	}
	return label
}
