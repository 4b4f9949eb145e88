package public

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

// Config is what the public pages need.
type Config struct {
	Work usecase.Cases
	// Delivery hands released response packs to their requesters, and
	// Packs writes them; without both the status page offers none.
	Delivery usecase.Delivery
	Packs    usecase.PackWriter
	// Searches takes data owners' answers to search requests through
	// their links (ownersearch.go); without it the links lead nowhere.
	Searches usecase.SearchRequests
	Notices  usecase.Notices
	Sessions *web.Sessions
	Log      *slog.Logger
	// Organisation runs the service and is named in the header.
	Organisation string
	// PublicURL is the site's address as requesters reach it, e.g.
	// https://rights.example.org, for the status link in emails.
	PublicURL string
	// Submissions limits how many requests one client may send; default
	// SubmissionBurst at once, then one every SubmissionEvery.
	Submissions *web.Limiter
	// Lookups limits status-page lookups per client; default 20 at once,
	// then one every 10 seconds.
	Lookups *web.Limiter
	// Contact is how the organisation asks to be reached about a request
	// that names no service (a notice's own contact serves one that does).
	// Unset, the contact every notice gives is shown, as far as they agree.
	Contact notice.Party
}

// The documented submission limit: enough for a family's requests, too few
// to flood the caseworkers' queue.
const (
	SubmissionBurst = 10
	SubmissionEvery = 6 * time.Minute
)

// ServiceName is the public service's name in the header and titles.
const ServiceName = "Make a data protection request"

// actor is who the audit trail records for cases opened here.
const actor = "web:public"

type handler struct {
	cfg    Config
	site   *web.Site
	render *web.Renderer
}

// New returns the public site's handler, for every path the other doors
// (/v1/, /healthz, …) do not claim.
func New(cfg Config) (http.Handler, error) {
	if cfg.Submissions == nil {
		cfg.Submissions = web.NewLimiter(SubmissionEvery, SubmissionBurst)
	}
	if cfg.Lookups == nil {
		cfg.Lookups = web.NewLimiter(10*time.Second, 20)
	}
	chrome := web.Chrome{
		Organisation: cfg.Organisation, Service: ServiceName, ServiceURL: "/",
		FooterLinks: []web.Link{{Text: "Check the progress of a request", Href: "/status"}, {Text: "Cookies", Href: "/cookies"}},
	}
	render, err := web.NewRenderer(webfiles.FS(), chrome, cfg.Log, "templates/public/*.tmpl")
	if err != nil {
		return nil, err
	}
	if err := render.Include(webfiles.FS(), "templates/public/include/*.tmpl"); err != nil {
		return nil, err
	}
	static, err := web.Static(webfiles.FS())
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, render: render, site: web.NewSite(render, cfg.Sessions, cfg.Log, web.SiteOptions{
		Larger: map[string]int64{replyPath: maxReplyBody, searchAnswerPath: maxReplyBody},
	})}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", static)
	mux.HandleFunc("GET /{$}", h.page("public/start", ServiceName, startData{Organisation: cfg.Organisation, FirstQuestion: firstQuestion}))
	mux.HandleFunc("GET /cookies", h.page("public/cookies", "Cookies", cookiesData{Name: cfg.Sessions.CookieName()}))
	for i := range steps {
		mux.HandleFunc("GET /request/"+steps[i].slug, h.showStep(&steps[i]))
		mux.HandleFunc("POST /request/"+steps[i].slug, h.saveStep(&steps[i]))
	}
	mux.HandleFunc("POST "+searchPath, h.searchServices(stepFor(servicesStep.slug)))
	mux.HandleFunc("GET /request/check", h.showCheck)
	mux.HandleFunc("POST /request/check", h.submit)
	mux.HandleFunc("GET /request/confirmation", h.confirmation)
	mux.HandleFunc("GET /status", h.statusForm)
	mux.HandleFunc("POST /status", h.status)
	mux.HandleFunc("GET "+resultPath, h.showResult)
	mux.HandleFunc("GET "+replyPath, h.showReply)
	mux.HandleFunc("POST "+replyPath, h.reply)
	mux.HandleFunc("GET "+replySentPath, h.replySent)
	mux.HandleFunc("GET "+withdrawPath, h.showWithdraw)
	mux.HandleFunc("POST "+withdrawPath, h.withdraw)
	mux.HandleFunc("GET "+withdrawnPath, h.withdrawn)
	mux.HandleFunc("GET "+responsePath, h.showResponse)
	mux.HandleFunc("POST "+responseCodePath, h.sendCode)
	mux.HandleFunc("GET "+responseCodePath, h.showCode)
	mux.HandleFunc("POST "+downloadPath, h.download)
	if cfg.Searches != nil {
		mux.HandleFunc(searchLinkRoute, h.showSearchTask)
		mux.HandleFunc("POST "+searchAnswerPath, h.answerSearch)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { render.NotFound(w) })
	return limitUploads(make(chan struct{}, uploadSlots), h.site.Protect(mux)), nil
}

func (h *handler) page(name, title string, data any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		h.render.Render(w, http.StatusOK, name, web.View{Title: title, Data: data})
	}
}

type startData struct {
	Organisation  string
	FirstQuestion string
}

// cookiesData names the one cookie the public pages set, which takes a
// prefix on an https site.
type cookiesData struct{ Name string }

// journey is one visitor's answers and the notices they chose, each as in
// force today.
type journey struct {
	sess     *web.Session
	csrf     string
	a        answers
	versions map[string]*notice.Version
}

// load reads the visitor's answers, starting a session when there is none.
// After a submission, a question page starts a new request.
func (h *handler) load(w http.ResponseWriter, r *http.Request, fresh bool) (*journey, error) {
	sess, err := h.cfg.Sessions.Start(w, r)
	if err != nil {
		return nil, err
	}
	j := &journey{sess: sess, csrf: h.cfg.Sessions.CSRFToken(sess), versions: map[string]*notice.Version{}}
	if err := h.cfg.Sessions.Load(r.Context(), sess, &j.a); err != nil {
		return nil, err
	}
	if fresh && j.a.Submitted != nil {
		j.a = answers{}
	}
	kept := j.a.Services[:0]
	for _, s := range j.a.Services {
		n, _, err := h.cfg.Notices.Notice(r.Context(), s.NoticeID, 0)
		if web.ErrorOf(err).Kind == web.Missing {
			continue // removed while the visitor was answering
		}
		if err != nil {
			return nil, err
		}
		j.versions[s.NoticeID] = n.InForceOn(h.today())
		kept = append(kept, s)
	}
	j.a.Services = kept
	return j, nil
}

// today is the date a request sent now is received on, which picks the
// version of each notice in force.
func (h *handler) today() string { return h.cfg.Work.Today().String() }

// save stores the answers. The first save of a journey moves it to a new
// session id: a cookie planted in the browser beforehand (session
// fixation) then never holds anyone's answers.
func (h *handler) save(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.a.RequestID == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		j.a.RequestID = "web-" + hex.EncodeToString(b)
		fresh := r.Clone(r.Context())
		fresh.Header.Del("Cookie")
		sess, err := h.cfg.Sessions.Start(w, fresh)
		if err != nil {
			return err
		}
		j.sess = sess
	}
	return h.cfg.Sessions.Save(r.Context(), j.sess, j.a)
}

// next is the first question still to answer, or the check page.
func next(j *journey) string {
	for i := range steps {
		if steps[i].appliesTo(j) && !steps[i].done(&j.a) {
			return "/request/" + steps[i].slug
		}
	}
	return "/request/check"
}

// stepFor is the question with the given slug.
func stepFor(slug string) *step {
	for i := range steps {
		if steps[i].slug == slug {
			return &steps[i]
		}
	}
	panic("no question " + slug)
}

// reachable says whether every question before st has an answer; nobody
// lands on a question out of order, e.g. from a bookmark.
func reachable(j *journey, st *step) bool {
	for i := range steps {
		if &steps[i] == st {
			return true
		}
		if steps[i].appliesTo(j) && !steps[i].done(&j.a) {
			return false
		}
	}
	return true
}

// back is the question before st, or the start page.
func back(j *journey, st *step) string {
	prev := "/"
	for i := range steps {
		if &steps[i] == st {
			break
		}
		if steps[i].appliesTo(j) {
			prev = "/request/" + steps[i].slug
		}
	}
	return prev
}

// open loads the journey, or answers with the error page and returns nil.
func (h *handler) open(w http.ResponseWriter, r *http.Request, fresh bool) *journey {
	j, err := h.load(w, r, fresh)
	if err != nil {
		h.render.Fail(w, err)
		return nil
	}
	return j
}

// openAt loads the journey for a question, or, when the question is not
// asked of this visitor or not yet, sends them to the one they are due.
// nil means the response is written.
func (h *handler) openAt(w http.ResponseWriter, r *http.Request, st *step) *journey {
	j := h.open(w, r, true)
	if j != nil && (!st.appliesTo(j) || !reachable(j, st)) {
		http.Redirect(w, r, next(j), http.StatusSeeOther)
		return nil
	}
	return j
}

func (h *handler) showStep(st *step) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if j := h.openAt(w, r, st); j != nil {
			h.renderStep(w, r, http.StatusOK, st, j, web.NewForm(st.values(j)))
		}
	}
}

func (h *handler) saveStep(st *step) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j := h.openAt(w, r, st)
		if j == nil {
			return
		}
		f := web.NewForm(trimmed(r.PostForm))
		if err := st.save(h, r.Context(), f, j); err != nil {
			h.render.Fail(w, err)
			return
		}
		if f.HasErrors() {
			h.renderStep(w, r, http.StatusUnprocessableEntity, st, j, f)
			return
		}
		if err := h.save(w, r, j); err != nil {
			h.render.Fail(w, err)
			return
		}
		http.Redirect(w, r, next(j), http.StatusSeeOther)
	}
}

func (h *handler) renderStep(w http.ResponseWriter, r *http.Request, status int, st *step, j *journey, f *web.Form) {
	data, err := st.data(h, r, j)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	data.Action = "/request/" + st.slug
	h.render.Render(w, status, "public/"+st.slug, web.View{Title: st.heading(j), Back: back(j, st), Form: f, CSRF: j.csrf, Data: data})
}

// trimmed drops the spaces people paste around their answers, and the
// anti-forgery token, which is not an answer. Browsers send a text box's
// line breaks as CR LF; the case keeps them as LF.
func trimmed(in url.Values) url.Values {
	out := url.Values{}
	for k, vs := range in {
		if k == "csrf_token" {
			continue
		}
		for _, v := range vs {
			out.Add(k, strings.ReplaceAll(strings.TrimSpace(v), "\r\n", "\n"))
		}
	}
	return out
}

// statusURL is the status page with the reference filled in. The status
// code never goes in an address, where logs and browser history keep it.
func statusURL(base, reference string) string {
	return fmt.Sprintf("%s/status?%s", strings.TrimSuffix(base, "/"), url.Values{"reference": {reference}}.Encode())
}
