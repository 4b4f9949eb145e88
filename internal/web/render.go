package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Chrome is what every page's header and footer show.
type Chrome struct {
	// Organisation runs the service; it is the header's text logo.
	Organisation string
	// Service is the name of this part of the site, e.g. "Make a data
	// protection request", with the address of its first page.
	Service    string
	ServiceURL string
	// FooterLinks are the support links in the footer.
	FooterLinks []Link
}

// Link is a labelled address.
type Link struct {
	Text string
	Href string
}

// View is what a page template is given.
type View struct {
	Chrome Chrome
	// Title is the page's own title; the layout adds the service and
	// organisation, and "Error: " when the form has errors.
	Title string
	// Back is the back link's address, if the page has one.
	Back string
	// Form holds the fields and errors; never nil when a template sees it.
	Form *Form
	// CSRF is the anti-forgery token every POST form must send back.
	CSRF string
	// Data is the page's own content.
	Data any
}

// Renderer executes page templates inside the shared layout.
type Renderer struct {
	pages  map[string]*template.Template
	chrome Chrome
	log    *slog.Logger
}

// NewRenderer parses the layout and components (templates/*.tmpl), the
// shared pages (templates/shared/*.tmpl) and every page matching the
// patterns, e.g. "templates/public/*.tmpl". A page is named by its path
// under templates/ without the extension: "public/start".
func NewRenderer(files fs.FS, chrome Chrome, log *slog.Logger, patterns ...string) (*Renderer, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(files, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse the layout: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}, chrome: chrome, log: log}
	for _, pattern := range append([]string{"templates/shared/*.tmpl"}, patterns...) {
		names, err := fs.Glob(files, pattern)
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no page templates match %s", pattern)
		}
		for _, name := range names {
			t, err := template.Must(base.Clone()).ParseFS(files, name)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", name, err)
			}
			r.pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), path.Ext(name))] = t
		}
	}
	return r, nil
}

// Render writes a page. It renders into a buffer first, so a template
// error becomes a clean 500 page rather than half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, v View) {
	t, ok := r.pages[page]
	if !ok {
		r.fail(w, fmt.Errorf("no page template %q", page))
		return
	}
	v.Chrome = r.chrome
	if v.Form == nil {
		v.Form = NewForm(nil)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		r.fail(w, fmt.Errorf("render %s: %w", page, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Every page may show personal data (or, like a form, be about to),
	// so none may be kept by the browser or a shared cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Option is one radio or checkbox.
type Option struct {
	Value string
	Label string
	Hint  string
	// Notes are further lines under the hint, each with an optional tag.
	Notes []Note
	// DividerBefore, e.g. "or", separates this radio from the ones above.
	DividerBefore string
}

// Note is a line of text with an optional coloured tag before it.
type Note struct {
	Tag  *Tag
	Text string
}

// Tag is a GOV.UK tag; Colour is one of its colour modifiers, e.g. "green".
type Tag struct {
	Text   string
	Colour string
}

// Problem is what the shared error page says.
type Problem struct {
	Heading string
	Body    []string
	// Link, if set, is where the person can go next.
	Link *Link
}

// Error renders the shared error page.
func (r *Renderer) Error(w http.ResponseWriter, status int, p Problem) {
	r.Render(w, status, "shared/problem", View{Title: p.Heading, Data: p})
}

// NotFound is the page for an address that is not there.
func (r *Renderer) NotFound(w http.ResponseWriter) {
	r.Error(w, http.StatusNotFound, Problem{
		Heading: "Page not found",
		Body:    []string{"If you typed the web address, check it is correct.", "If you pasted the web address, check you copied the entire address."},
		Link:    &Link{Text: "Go to the start page", Href: r.chrome.ServiceURL},
	})
}

// Unavailable is the page for a failure that is ours, not the user's. The
// cause is logged, never shown.
func (r *Renderer) Unavailable(w http.ResponseWriter, err error) {
	e := ErrorOf(err)
	status := e.Status
	if status == http.StatusServiceUnavailable {
		// The store is out of reach for a moment (an etcd election, say):
		// nothing of ours is broken, and a retry shortly will likely work.
		w.Header().Set("Retry-After", retryUnavailable)
		r.log.WarnContext(requestContext(w), "web page unavailable for a moment", "error", err)
	} else {
		r.log.ErrorContext(requestContext(w), "web page failed", "error", err)
	}
	r.Error(w, status, Problem{
		Heading: "Sorry, there is a problem with the service",
		Body:    []string{cmp.Or(e.Message, "Try again later.")},
		Link:    &Link{Text: "Go to the start page", Href: r.chrome.ServiceURL},
	})
}

func (r *Renderer) fail(w http.ResponseWriter, err error) {
	r.log.ErrorContext(requestContext(w), "web page failed", "error", err)
	http.Error(w, "Sorry, there is a problem with the service. Try again later.", http.StatusInternalServerError)
}

var funcs = template.FuncMap{
	// dict passes several named values to a component template.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict wants key, value pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	// ids joins the non-empty element ids for aria-describedby.
	"ids": func(ids ...any) string {
		var out []string
		for _, id := range ids {
			if s, ok := id.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	},
	// longDate shows an ISO date as people write it: 2 April 2026.
	"longDate": LongDate,
	"list":     func(items ...string) []string { return items },
	"inc":      func(i int) int { return i + 1 },
	"title":    notice.Capitalise,
	"words":    func(v any) string { return Words(fmt.Sprint(v)) },
}

// Words turns a stored value such as "not_requested" into "Not requested"
// for people to read.
func Words(v string) string { return notice.Capitalise(strings.ReplaceAll(v, "_", " ")) }

// LongDate formats an ISO date (YYYY-MM-DD) as "2 April 2026"; anything
// else is returned as it is.
func LongDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("2 January 2006")
}
