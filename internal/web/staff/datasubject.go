package staff

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The data-subject pages answer a person who asks what Rightsdesk itself
// holds about them: find their cases, export everything (a JSON download
// or a printable page), correct their details, erase them. Every page is a
// POST that carries the person's email, name or reference in its body, so
// none of it reaches an address, browser history or a log; each later step
// carries the same fields on, hidden, rather than keeping them anywhere.

// The form fields naming the person, and those of a correction.
const (
	fieldSubjectEmail     = "subject-email"
	fieldSubjectName      = "subject-name"
	fieldSubjectReference = "subject-reference"
	fieldNewName          = "new-name"
	fieldNewEmail         = "new-email"
	fieldNewPhone         = "new-phone"
	fieldNewAddress       = "new-address"
	fieldReason           = "reason"
)

// subjectFieldFor is the form field of a use case's field name.
var subjectFieldFor = map[string]string{
	"email": fieldSubjectEmail, "name": fieldSubjectName, "reference": fieldSubjectReference,
	"correction": fieldNewName, "correction.name": fieldNewName, "correction.email": fieldNewEmail,
	"correction.phone": fieldNewPhone, "correction.postal_address": fieldNewAddress, "reason": fieldReason,
}

// subjectForm reads the fields a data-subject page posts, trimmed.
func subjectForm(r *http.Request) *web.Form {
	values := url.Values{}
	for _, name := range []string{fieldSubjectEmail, fieldSubjectName, fieldSubjectReference, fieldNewName, fieldNewEmail, fieldNewPhone, fieldNewAddress, fieldReason} {
		if v := strings.TrimSpace(r.PostForm.Get(name)); v != "" {
			values.Set(name, v)
		}
	}
	return web.NewForm(values)
}

func subjectQuery(f *web.Form) usecase.SubjectQuery {
	return usecase.SubjectQuery{Email: f.Get(fieldSubjectEmail), Name: f.Get(fieldSubjectName), Reference: f.Get(fieldSubjectReference)}
}

func correctionOf(f *web.Form) cases.Person {
	return cases.Person{Name: f.Get(fieldNewName), Email: f.Get(fieldNewEmail), Phone: f.Get(fieldNewPhone), PostalAddress: f.Get(fieldNewAddress)}
}

type subjectsData struct {
	adminPage
	Searched bool
	Table    caseTable
}

func (h *handler) subjectsPage(w http.ResponseWriter, _ *http.Request, me *staffer) {
	h.renderSubjects(w, me, web.NewForm(nil), subjectsData{}, http.StatusOK)
}

// subjectsSearch lists the person's cases, with what can be done next.
func (h *handler) subjectsSearch(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := subjectForm(r)
	d := subjectsData{Searched: true}
	list, err := h.cfg.Subjects.SubjectCases(r.Context(), subjectQuery(f))
	if e := web.ErrorOf(err); err != nil && e.Kind != web.Missing {
		h.subjectFailed(w, me, f, err)
		return
	}
	if d.Table.Rows, err = h.describe(r.Context(), list); err != nil {
		h.render.Fail(w, err)
		return
	}
	h.renderSubjects(w, me, f, d, http.StatusOK)
}

// subjectFailed shows an error the search form can show (a bad or
// ambiguous search, nobody found) on it, and any other as an error page.
func (h *handler) subjectFailed(w http.ResponseWriter, me *staffer, f *web.Form, err error) {
	e := web.ErrorOf(err)
	switch {
	case e.Kind == web.Missing:
		f.Fail(fieldSubjectEmail, "", "No case is about this person")
	case e.OnForm():
		f.Take(e, func(field string) string { return subjectFieldFor[field] }, fieldSubjectEmail)
	default:
		h.render.Fail(w, err)
		return
	}
	h.renderSubjects(w, me, f, subjectsData{Searched: true}, http.StatusUnprocessableEntity)
}

func (h *handler) renderSubjects(w http.ResponseWriter, me *staffer, f *web.Form, d subjectsData, status int) {
	d.Section, d.Table.Form = sectionSubjects, f
	h.render.Render(w, status, "staff/data-subjects", web.View{Title: "Data subject requests about Rightsdesk", Form: f, CSRF: me.csrf, Data: d})
}

// subjectExportJSON downloads the export as the API returns it. The file's
// name carries the date only, never whom it is about.
func (h *handler) subjectExportJSON(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := subjectForm(r)
	export, err := h.cfg.Subjects.ExportSubject(r.Context(), me.actor, subjectQuery(f))
	if err != nil {
		h.subjectFailed(w, me, f, err)
		return
	}
	doc, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rightsdesk-export-`+export.Generated.In(london).Format("2006-01-02")+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(doc, '\n'))
}

type subjectExportData struct {
	Export *usecase.SubjectExport
	// Names shows the actors of the audit trail as colleagues know them.
	Names     directory
	Generated string
}

// Of is the name of an actor of the audit trail.
func (d subjectExportData) Of(actor string) string { return d.Names.of(actor) }

// subjectExportHTML shows the export as a page to read or print.
func (h *handler) subjectExportHTML(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := subjectForm(r)
	export, err := h.cfg.Subjects.ExportSubject(r.Context(), me.actor, subjectQuery(f))
	if err != nil {
		h.subjectFailed(w, me, f, err)
		return
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render.Render(w, http.StatusOK, "staff/data-subject-export", web.View{
		Title: "What Rightsdesk holds about this person", Form: f, CSRF: me.csrf,
		Data: subjectExportData{Export: export, Names: names, Generated: ukTime(export.Generated)},
	})
}

// The steps of correcting a person's details: the form, the answers to
// check, and the correction made.
const (
	stepEdit    = "edit"
	stepCheck   = "check"
	stepConfirm = "confirm"
)

type rectifyData struct {
	adminPage
	Step      string
	Corrected []string
}

// subjectRectify is the correction's form, its check-answers page and its
// confirmation, as the posted step says.
func (h *handler) subjectRectify(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := subjectForm(r)
	q := subjectQuery(f)
	switch r.PostForm.Get("step") {
	case stepCheck:
		if err := (cases.Rectify{Correction: correctionOf(f), Reason: f.Get(fieldReason)}).CheckRectification(); err != nil {
			h.rectifyFailed(w, me, f, err)
			return
		}
		h.renderRectify(w, me, f, rectifyData{Step: stepCheck}, http.StatusOK)
	case stepConfirm:
		done, err := h.cfg.Subjects.RectifySubject(r.Context(), me.actor, q, correctionOf(f), f.Get(fieldReason))
		if err != nil {
			h.rectifyFailed(w, me, f, err)
			return
		}
		d := rectifyData{Step: stepConfirm}
		for _, c := range done {
			d.Corrected = append(d.Corrected, c.Reference)
		}
		// The corrected details now find the person; the old ones do not.
		next := url.Values{}
		if q.Email != "" {
			next.Set(fieldSubjectEmail, cmp.Or(f.Get(fieldNewEmail), q.Email))
		}
		h.renderRectify(w, me, web.NewForm(next), d, http.StatusOK)
	default:
		if _, err := h.cfg.Subjects.SubjectCases(r.Context(), q); err != nil {
			h.subjectFailed(w, me, f, err)
			return
		}
		h.renderRectify(w, me, f, rectifyData{Step: stepEdit}, http.StatusOK)
	}
}

func (h *handler) rectifyFailed(w http.ResponseWriter, me *staffer, f *web.Form, err error) {
	e := web.ErrorOf(err)
	if !e.OnForm() {
		h.subjectFailed(w, me, f, err)
		return
	}
	f.Take(e, func(field string) string {
		if name := subjectFieldFor[field]; strings.HasPrefix(name, "new-") || name == fieldReason {
			return name
		}
		return ""
	}, fieldNewName)
	h.renderRectify(w, me, f, rectifyData{Step: stepEdit}, e.Status)
}

func (h *handler) renderRectify(w http.ResponseWriter, me *staffer, f *web.Form, d rectifyData, status int) {
	d.Section = sectionSubjects
	title := map[string]string{stepEdit: "Correct this person’s details", stepCheck: "Check the correction", stepConfirm: "Details corrected"}[d.Step]
	h.render.Render(w, status, "staff/data-subject-rectify", web.View{Title: title, Form: f, CSRF: me.csrf, Data: d})
}

type eraseData struct {
	adminPage
	Done     bool
	Cases    []usecase.SubjectErasure
	Erasable int
}

// subjectErase shows, case by case, whether the person's data may be
// erased and why not, then on confirmation erases the cases it showed as
// erasable (the use case checks each again).
func (h *handler) subjectErase(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := subjectForm(r)
	q := subjectQuery(f)
	var (
		d   eraseData
		err error
	)
	if r.PostForm.Get("step") == stepConfirm {
		d.Done = true
		d.Cases, err = h.cfg.Subjects.EraseSubject(r.Context(), me.actor, q, r.PostForm["case"])
	} else {
		d.Cases, err = h.cfg.Subjects.ErasureCheck(r.Context(), q)
	}
	if err != nil {
		h.subjectFailed(w, me, f, err)
		return
	}
	for _, c := range d.Cases {
		if c.Erasable {
			d.Erasable++
		}
	}
	d.Section = sectionSubjects
	title := "Erase this person’s data?"
	if d.Done {
		title = "Erasure done"
	}
	h.render.Render(w, http.StatusOK, "staff/data-subject-erase", web.View{Title: title, Form: f, CSRF: me.csrf, Data: d})
}
