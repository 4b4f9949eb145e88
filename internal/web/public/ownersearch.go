package public

import (
	"fmt"
	"mime/multipart"
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// A data owner's search request link (usecase.SearchLinkPath + token)
// opens a page that needs no account: it names the case by its reference,
// the system to search and the dates, and takes the owner's answer, files
// found or "nothing held". The page shows nothing of the requester (no
// name, no request text): the owner gets who to search for from staff,
// and a link that reached the wrong person discloses only a reference.
//
// The token is a capability, like a password-reset link. The access log
// names the route pattern, never the path, so it is not logged; the page
// carries it in its forms' hidden field, so the answer goes to the request
// whose page it is even when the owner has several open; the answer is
// posted to a fixed address. Every link that does not work gets the same
// 404 page, and opening links and answering are rate-limited per client
// with the status lookups' limiter.

const (
	searchLinkRoute  = "GET " + usecase.SearchLinkPath + "{token}"
	searchAnswerPath = "/search/answer"
)

type searchTaskData struct {
	Token     string
	Reference string
	System    string
	Due       string
	LinkUntil string
	FileHint  string
	MaxNote   int
}

// searchTaskView is the owner's page for task.
func searchTaskView(token string, task *usecase.SearchTask) searchTaskData {
	return searchTaskData{
		Token: token, Reference: task.Reference, System: task.System, Due: task.Due, LinkUntil: task.LinkUntil,
		FileHint: fmt.Sprintf("You can send up to %d files, each a PDF, JPEG or PNG of up to %d MB.", cases.MaxFilesPerAnswer, cases.MaxFileSize>>20),
		MaxNote:  cases.MaxAnswerNote,
	}
}

// searchLinkLimited answers a client over the lookup limit, and reports
// whether it did.
func (h *handler) searchLinkLimited(w http.ResponseWriter, r *http.Request) bool {
	if ok, wait := h.cfg.Lookups.Allow(r); !ok {
		h.site.TooManyRequests(w, wait)
		return true
	}
	return false
}

// invalidSearchLink is the one page for every link that does not work.
func (h *handler) invalidSearchLink(w http.ResponseWriter) {
	h.render.Error(w, http.StatusNotFound, web.Problem{
		Heading: "This link is not valid",
		Body: []string{
			"The link may have been answered already, cancelled, or it may have expired. A reminder email carries a new link, and the link in an earlier email stops working.",
			"If you still need to answer, contact the data protection team that emailed you.",
		},
	})
}

func (h *handler) showSearchTask(w http.ResponseWriter, r *http.Request) {
	if h.searchLinkLimited(w, r) {
		return
	}
	token := r.PathValue("token")
	task, err := h.cfg.Searches.SearchTask(r.Context(), token)
	if err != nil {
		h.searchLinkFailed(w, err)
		return
	}
	sess, err := h.cfg.Sessions.Start(w, r) // for the form's anti-forgery token; nothing is saved in it
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.renderSearchTask(w, http.StatusOK, h.cfg.Sessions.CSRFToken(sess), token, task, web.NewForm(nil))
}

func (h *handler) renderSearchTask(w http.ResponseWriter, status int, csrf, token string, task *usecase.SearchTask, f *web.Form) {
	h.render.Render(w, status, "public/search-request", web.View{
		Title: "Search " + task.System + " for a data protection request", Form: f, CSRF: csrf, Data: searchTaskView(token, task),
	})
}

func (h *handler) searchLinkFailed(w http.ResponseWriter, err error) {
	if web.ErrorOf(err).Kind == web.Missing {
		h.invalidSearchLink(w)
		return
	}
	h.render.Fail(w, err)
}

// searchFields maps the use case's fields to the fields of the form of
// answer ("found" or "nothing"), each with its own note.
func searchFields(answer string) func(string) string {
	return func(domain string) string {
		if domain == "files" {
			return "files"
		}
		return answer + "_note"
	}
}

// answerSearch takes the owner's answer: "found" with files, or
// "nothing" held.
func (h *handler) answerSearch(w http.ResponseWriter, r *http.Request) {
	if h.searchLinkLimited(w, r) {
		return
	}
	csrf := h.cfg.Sessions.CSRFToken(h.cfg.Sessions.Current(r)) // Protect checked it against this session
	f := web.NewForm(trimmed(r.PostForm))
	token := f.Get("token")
	task, err := h.cfg.Searches.SearchTask(r.Context(), token)
	if err != nil {
		h.searchLinkFailed(w, err)
		return
	}
	var headers []*multipart.FileHeader
	if r.MultipartForm != nil && f.Get("answer") == "found" {
		for _, fh := range r.MultipartForm.File["files"] {
			if fh.Filename != "" || fh.Size > 0 { // a browser sends an empty part for an empty input
				headers = append(headers, fh)
			}
		}
	}
	status := http.StatusUnprocessableEntity
	answer := f.Get("answer")
	switch answer {
	case "found":
		if len(headers) == 0 {
			f.Fail("files", "files", "Choose the files you found, or answer that nothing is held")
		}
		for _, fh := range headers {
			if fh.Size > cases.MaxFileSize {
				f.Take(web.ErrorOf(cases.FileTooLarge(cases.SanitiseFileName(fh.Filename))), searchFields(answer), "files")
				status = http.StatusRequestEntityTooLarge
			}
		}
	case "nothing":
	default:
		f.Fail("answer", "answer", "Say whether you found anything")
	}
	if f.HasErrors() {
		h.renderSearchTask(w, status, csrf, token, task, f)
		return
	}
	uploads := make([]usecase.Upload, 0, len(headers))
	for _, fh := range headers {
		file, err := fh.Open()
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		defer file.Close()
		uploads = append(uploads, usecase.Upload{Name: fh.Filename, Content: file})
	}
	answered, err := h.cfg.Searches.AnswerSearch(r.Context(), token, f.Get(answer+"_note"), uploads)
	if e := web.ErrorOf(err); err != nil && (e.Kind == web.Invalid || e.Kind == web.Refused) {
		f.Take(e, searchFields(answer), answer+"_note")
		h.renderSearchTask(w, e.Status, csrf, token, task, f)
		return
	}
	if err != nil {
		h.searchLinkFailed(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "public/search-answered", web.View{Title: "Answer sent", Data: answered})
}
