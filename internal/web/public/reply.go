package public

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// After a status lookup the requester can answer from the status page:
// reply in words, send documents, or withdraw the request. Which request
// they looked up is kept in their session (statusLookup), never in an
// address or a hidden field, and every answer is checked against its
// reference and status code again by the use case.

const (
	resultPath    = "/status/request"
	replyPath     = "/status/reply"
	replySentPath = "/status/reply/sent"
	withdrawPath  = "/status/withdraw"
	withdrawnPath = "/status/withdrawn"
)

// maxReplyBody is the largest reply form: the most documents one reply
// may carry, each at the largest size, and room for the words.
const maxReplyBody = cases.MaxFilesPerReply*cases.MaxFileSize + 256<<10

// uploadSlots bounds the replies with documents read at once: the form is
// held in memory (so no document lands in a temporary file), and this
// keeps that memory to a few of the largest forms. Others wait their turn.
const uploadSlots = 2

// statusLookup is the request a visitor looked up, with what their last
// answer did, for its confirmation page.
type statusLookup struct {
	Reference string `json:"reference"`
	Code      string `json:"code"`
	// Sent is set after a reply, Withdrawn after withdrawing.
	Sent      *sentReply `json:"sent,omitempty"`
	Withdrawn bool       `json:"withdrawn,omitempty"`
}

// sentReply is what a reply did, as its confirmation page says it.
type sentReply struct {
	Files int `json:"files"`
	// Answered is what the reply answered that the case was waiting for,
	// "" when it waited for nothing; Due is the due date after it.
	Answered cases.WaitingFor `json:"answered,omitempty"`
	Due      string           `json:"due"`
}

// visit is a visitor's session with the request they looked up.
type visit struct {
	sess   *web.Session
	csrf   string
	a      answers
	lookup *statusLookup
}

// openVisit loads the request the visitor looked up; with none (no
// session, or it expired) it sends them to look it up again and returns
// nil.
func (h *handler) openVisit(w http.ResponseWriter, r *http.Request) *visit {
	sess := h.cfg.Sessions.Current(r)
	if sess == nil {
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return nil
	}
	v := &visit{sess: sess, csrf: h.cfg.Sessions.CSRFToken(sess)}
	if err := h.cfg.Sessions.Load(r.Context(), sess, &v.a); err != nil {
		h.render.Fail(w, err)
		return nil
	}
	if v.lookup = v.a.Lookup; v.lookup == nil {
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return nil
	}
	return v
}

func (h *handler) saveVisit(ctx context.Context, v *visit) error {
	v.a.Lookup = v.lookup
	return h.cfg.Sessions.Save(ctx, v.sess, v.a)
}

// rememberLookup keeps a successful lookup in a session of its own: the
// visitor's answers move to a new session id, so a session cookie planted
// in their browser beforehand never gains the request (session fixation).
func (h *handler) rememberLookup(w http.ResponseWriter, r *http.Request, reference, code string) error {
	ctx := r.Context()
	var a answers
	if old := h.cfg.Sessions.Current(r); old != nil {
		if err := h.cfg.Sessions.Load(ctx, old, &a); err != nil {
			return err
		}
		if err := h.cfg.Sessions.Clear(ctx, old); err != nil {
			return err
		}
	}
	a.Lookup = &statusLookup{Reference: reference, Code: code}
	fresh := r.Clone(ctx)
	fresh.Header.Del("Cookie")
	sess, err := h.cfg.Sessions.Start(w, fresh)
	if err != nil {
		return err
	}
	return h.cfg.Sessions.Save(ctx, sess, a)
}

// current reads the looked-up case again. A code that no longer works
// (nothing changes one today, but a case may be erased) sends the visitor
// to look it up again.
func (h *handler) current(w http.ResponseWriter, r *http.Request, v *visit) *cases.Case {
	c, err := h.cfg.Work.Status(r.Context(), v.lookup.Reference, v.lookup.Code)
	if web.ErrorOf(err).Kind == web.Missing {
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		h.render.Fail(w, err)
		return nil
	}
	return c
}

// showResult shows the looked-up request's progress again, for the links
// back from the reply and withdraw pages.
func (h *handler) showResult(w http.ResponseWriter, r *http.Request) {
	if v := h.openVisit(w, r); v != nil {
		if c := h.current(w, r, v); c != nil {
			h.renderResult(w, r, c)
		}
	}
}

type replyData struct {
	Reference string
	// Waiting says what the request waits for from them, if anything.
	Waiting  string
	FileHint string
	MaxText  int
}

func (h *handler) showReply(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if c := h.current(w, r, v); c != nil {
		h.renderReply(w, http.StatusOK, v, c, web.NewForm(nil))
	}
}

func (h *handler) renderReply(w http.ResponseWriter, status int, v *visit, c *cases.Case, f *web.Form) {
	if !c.Open() {
		h.renderClosed(w, c)
		return
	}
	d := replyData{Reference: c.Reference, FileHint: fileLimits(), MaxText: cases.MaxDetail}
	if c.State == cases.StateAwaitingRequester {
		d.Waiting = waitingText[c.WaitingFor]
	}
	h.render.Render(w, status, "public/reply", web.View{Title: "Reply to us about your request", Back: resultPath, Form: f, CSRF: v.csrf, Data: d})
}

// renderClosed is the answer to a reply or withdrawal of a closed request.
func (h *handler) renderClosed(w http.ResponseWriter, c *cases.Case) {
	h.render.Error(w, http.StatusConflict, web.Problem{
		Heading: "Your request is closed",
		Body:    []string{"We cannot take replies on a closed request. If you need something else, make a new request or contact us."},
		Link:    &web.Link{Text: "See the progress of request " + c.Reference, Href: resultPath},
	})
}

// replyFields maps the use case's fields to the form's.
func replyFields(domain string) string {
	switch domain {
	case "files":
		return "files"
	}
	return "reply"
}

func (h *handler) reply(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	f := web.NewForm(trimmed(r.PostForm))
	var headers []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			// A browser sends an empty part for a file input left empty.
			if fh.Filename != "" || fh.Size > 0 {
				headers = append(headers, fh)
			}
		}
	}
	status := http.StatusUnprocessableEntity
	for _, fh := range headers {
		if fh.Size > cases.MaxFileSize {
			f.Take(web.ErrorOf(cases.FileTooLarge(cases.SanitiseFileName(fh.Filename))), replyFields, "files")
			status = http.StatusRequestEntityTooLarge
		}
	}
	if f.HasErrors() {
		h.rerenderReply(w, r, v, status, f)
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
	c, err := h.cfg.Work.Reply(r.Context(), v.lookup.Reference, v.lookup.Code, f.Get("reply"), uploads)
	if err != nil {
		h.refused(w, r, v, f, err)
		return
	}
	sent := &sentReply{Files: len(uploads), Due: c.Clock.Due}
	if last := c.Exchanges[len(c.Exchanges)-1]; last.Kind == cases.ExchangeReplied {
		sent.Answered = last.What
	}
	v.lookup.Sent = sent
	if err := h.saveVisit(r.Context(), v); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, replySentPath, http.StatusSeeOther)
}

// refused shows a refused reply on its form: a field the person can put
// right, or the request closed meanwhile.
func (h *handler) refused(w http.ResponseWriter, r *http.Request, v *visit, f *web.Form, err error) {
	e := web.ErrorOf(err)
	switch e.Kind {
	case web.Missing:
		http.Redirect(w, r, "/status", http.StatusSeeOther)
	case web.Invalid:
		f.Take(e, replyFields, "reply")
		h.rerenderReply(w, r, v, e.Status, f)
	case web.Refused:
		if c := h.current(w, r, v); c != nil && !c.Open() {
			h.renderClosed(w, c)
		} else if c != nil {
			f.Take(e, replyFields, "reply")
			h.rerenderReply(w, r, v, e.Status, f)
		}
	default:
		h.render.Fail(w, err)
	}
}

func (h *handler) rerenderReply(w http.ResponseWriter, r *http.Request, v *visit, status int, f *web.Form) {
	if c := h.current(w, r, v); c != nil {
		h.renderReply(w, status, v, c, f)
	}
}

type replySentData struct {
	Reference string
	Files     int
	// Restarted says the reply gave what the request waited for; Clarified
	// that it was a clarification, which pauses the clock rather than
	// stopping it.
	Restarted, Clarified bool
	Due                  string
}

func (h *handler) replySent(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	s := v.lookup.Sent
	if s == nil {
		http.Redirect(w, r, resultPath, http.StatusSeeOther)
		return
	}
	d := replySentData{Reference: v.lookup.Reference, Files: s.Files, Restarted: s.Answered != "", Clarified: s.Answered == cases.WaitingForClarification, Due: s.Due}
	h.render.Render(w, http.StatusOK, "public/reply-sent", web.View{Title: "Reply sent", Data: d})
}

type withdrawData struct {
	Reference string
	MaxText   int
}

func (h *handler) showWithdraw(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if c := h.current(w, r, v); c != nil {
		h.renderWithdraw(w, http.StatusOK, v, c, web.NewForm(nil))
	}
}

func (h *handler) renderWithdraw(w http.ResponseWriter, status int, v *visit, c *cases.Case, f *web.Form) {
	if !c.Open() {
		h.renderClosed(w, c)
		return
	}
	h.render.Render(w, status, "public/withdraw", web.View{Title: "Are you sure you want to withdraw your request?", Back: resultPath, Form: f, CSRF: v.csrf,
		Data: withdrawData{Reference: c.Reference, MaxText: cases.MaxDetail}})
}

func (h *handler) withdraw(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	f := web.NewForm(trimmed(r.PostForm))
	_, err := h.cfg.Work.Withdraw(r.Context(), v.lookup.Reference, v.lookup.Code, f.Get("reason"))
	e := web.ErrorOf(err)
	switch {
	case err == nil:
	case e.Kind == web.Missing:
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return
	case e.Kind == web.Invalid:
		f.Take(e, func(string) string { return "reason" }, "reason")
		if c := h.current(w, r, v); c != nil {
			h.renderWithdraw(w, e.Status, v, c, f)
		}
		return
	case e.Kind == web.Refused:
		if c := h.current(w, r, v); c != nil {
			h.renderClosed(w, c)
		}
		return
	default:
		h.render.Fail(w, err)
		return
	}
	v.lookup.Withdrawn, v.lookup.Sent = true, nil
	if err := h.saveVisit(r.Context(), v); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, withdrawnPath, http.StatusSeeOther)
}

func (h *handler) withdrawn(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if !v.lookup.Withdrawn {
		http.Redirect(w, r, resultPath, http.StatusSeeOther)
		return
	}
	h.render.Render(w, http.StatusOK, "public/withdrawn", web.View{Title: "Request withdrawn", Data: struct{ Reference string }{v.lookup.Reference}})
}

// limitUploads lets uploadSlots replies (and owners' answers) be read at once and holds the
// rest until a slot is free (or their client gives up), before any of
// their body is read.
func limitUploads(slots chan struct{}, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || (r.URL.Path != replyPath && r.URL.Path != searchAnswerPath) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// fileLimits says the document limits in words, for the hint.
func fileLimits() string {
	return fmt.Sprintf("For example, a copy of your passport or a letter giving you authority to act. You can send up to %d files at a time, each a PDF, JPEG or PNG of up to %d MB.",
		cases.MaxFilesPerReply, cases.MaxFileSize>>20)
}
