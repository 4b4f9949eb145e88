package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/websessions"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

func TestLimiterPerClient(t *testing.T) {
	l := NewLimiter(time.Minute, 3)
	from := func(addr string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RemoteAddr = addr
		return r
	}
	for i := range 3 {
		if ok, _ := l.Allow(from("192.0.2.1:1000")); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow(from("192.0.2.1:2000"))
	if ok || wait <= 0 || wait > time.Minute {
		t.Errorf("fourth request: ok=%v wait=%v, want refused for up to a minute", ok, wait)
	}
	if ok, _ := l.Allow(from("192.0.2.2:1000")); !ok {
		t.Error("another client was refused")
	}
	// One IPv6 client holds a whole /64.
	for i := range 3 {
		l.Allow(from("[2001:db8::" + string(rune('1'+i)) + "]:1000"))
	}
	if ok, _ := l.Allow(from("[2001:db8::ffff]:1000")); ok {
		t.Error("a fourth address in the same /64 was let through")
	}
	if ok, _ := l.Allow(from("[2001:db8:0:1::1]:1000")); !ok {
		t.Error("another /64 was refused")
	}
}

type manualClock struct{ now time.Time }

func (c *manualClock) Now() time.Time { return c.now }

func openSessions(t *testing.T, c *manualClock) (*Sessions, *store.Store) {
	t.Helper()
	return openSessionsWith(t, c, SessionOptions{IdleTimeout: time.Hour, Lifetime: 3 * time.Hour})
}

func openSessionsWith(t *testing.T, c *manualClock, opts SessionOptions) (*Sessions, *store.Store) {
	t.Helper()
	backend, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), backend)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s, err := NewSessions(context.Background(), websessions.New(st, rand.Reader), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

// visit starts or resumes a session the way a browser would, carrying the
// cookie from an earlier response.
func visit(t *testing.T, s *Sessions, cookie *http.Cookie) (*Session, *http.Cookie) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	sess, err := s.Start(w, r)
	if err != nil {
		t.Fatal(err)
	}
	if set := w.Result().Cookies(); len(set) == 1 {
		cookie = set[0]
	}
	return sess, cookie
}

func TestSessionsExpireAndArePruned(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s, st := openSessions(t, c)
	type data struct{ Name string }

	first, cookie := visit(t, s, nil)
	if err := s.Save(ctx, first, data{"Ada"}); err != nil {
		t.Fatal(err)
	}
	c.now = c.now.Add(59 * time.Minute)
	again, _ := visit(t, s, cookie)
	var got data
	if err := s.Load(ctx, again, &got); err != nil || got.Name != "Ada" {
		t.Fatalf("within the idle timeout: %+v, %v", got, err)
	}
	c.now = c.now.Add(61 * time.Minute)
	got = data{}
	if err := s.Load(ctx, again, &got); err != nil || got.Name != "" {
		t.Errorf("after the idle timeout: %+v, %v; want nothing", got, err)
	}

	// Past its lifetime the cookie no longer names a session, and the next
	// save anywhere deletes the old record.
	c.now = c.now.Add(2 * time.Hour)
	if later, _ := visit(t, s, cookie); later.created.Equal(first.created) {
		t.Error("a session past its lifetime was resumed")
	}
	other, _ := visit(t, s, nil)
	if err := s.Save(ctx, other, data{"Grace"}); err != nil {
		t.Fatal(err)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		_, err := store.GetWebSession(tx, first.created, first.id)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the expired session's record: %v, want it pruned", err)
	}
}

// On an https site the session cookies take the __Host- prefix (Secure,
// Path=/, no Domain, as browsers require of it) and pages say
// Strict-Transport-Security; on plain http neither, so a developer's
// http://127.0.0.1 still works.
func TestAnHTTPSSiteUsesHostPrefixedCookiesAndHSTS(t *testing.T) {
	c := &manualClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	for _, https := range []bool{true, false} {
		s, _ := openSessionsWith(t, c, SessionOptions{SecureCookie: https})
		for _, sessions := range []*Sessions{s, s.WithCookie("rightsdesk_staff", "/staff/")} {
			_, cookie := visit(t, sessions, nil)
			wantName, wantPath := map[bool]string{true: "__Host-", false: ""}[https]+strings.TrimPrefix(sessions.CookieName(), "__Host-"), "/"
			if !https && sessions != s {
				wantPath = "/staff/"
			}
			if cookie.Name != wantName || cookie.Name != sessions.CookieName() || cookie.Path != wantPath || cookie.Secure != https || cookie.Domain != "" || !cookie.HttpOnly {
				t.Errorf("https=%v: cookie %s path %q secure %v domain %q httponly %v; want %s path %q", https, cookie.Name, cookie.Path, cookie.Secure, cookie.Domain, cookie.HttpOnly, wantName, wantPath)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(cookie)
			if sessions.Current(r) == nil {
				t.Errorf("https=%v: the cookie %s does not name its session", https, cookie.Name)
			}
		}
		site := NewSite(nil, s, nil, SiteOptions{})
		w := httptest.NewRecorder()
		site.Protect(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if got := w.Header().Get("Strict-Transport-Security"); (got == "max-age=31536000") != https || (got != "") != https {
			t.Errorf("https=%v: Strict-Transport-Security %q", https, got)
		}
	}
}

func TestTamperedCookieStartsANewSession(t *testing.T) {
	c := &manualClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s, _ := openSessions(t, c)
	sess, cookie := visit(t, s, nil)
	for i := range len(cookie.Value) {
		v := []byte(cookie.Value)
		v[i] = map[bool]byte{true: 'A', false: 'B'}[v[i] != 'A']
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: string(v)})
		if s.Current(r) != nil {
			t.Fatalf("cookie altered at byte %d was accepted", i)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	if cur := s.Current(r); cur == nil || s.CSRFToken(cur) != s.CSRFToken(sess) {
		t.Error("the untouched cookie was not accepted")
	}
}

// contextKey marks the request a log line came from, in the test below.
type contextKey struct{}

// contextsSeen is a log handler that keeps what each record's context
// carried under contextKey.
type contextsSeen struct {
	slog.Handler
	seen *[]any
}

func (h contextsSeen) Handle(ctx context.Context, r slog.Record) error {
	*h.seen = append(*h.seen, ctx.Value(contextKey{}))
	return nil
}

// wrapped stands for a middleware's writer, which unwraps as
// http.ResponseController expects.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// A page that fails is logged with its request's context, which is where
// the request id and trace id come from, however deep the writer it was
// drawn on is wrapped.
func TestAFailedPageIsLoggedWithItsRequest(t *testing.T) {
	var seen []any
	log := slog.New(contextsSeen{Handler: slog.NewTextHandler(io.Discard, nil), seen: &seen})
	render, err := NewRenderer(webfiles.FS(), Chrome{Organisation: "Org", Service: "Service", ServiceURL: "/"}, log)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := openSessions(t, &manualClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
	site := NewSite(render, s, log, SiteOptions{})
	page := site.Protect(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		render.Fail(wrapped{w}, errors.New("the store broke"))
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(context.WithValue(req.Context(), contextKey{}, "request 1"))
	page.ServeHTTP(httptest.NewRecorder(), req)
	if len(seen) != 1 || seen[0] != "request 1" {
		t.Errorf("the failure was logged with contexts %v, want the request's", seen)
	}
}

func TestRenderFailsCleanly(t *testing.T) {
	r, err := NewRenderer(webfiles.FS(), Chrome{Organisation: "Org", Service: "Service", ServiceURL: "/"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	r.Render(w, http.StatusOK, "public/no-such-page", View{Title: "x"})
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "no-such-page") {
		t.Errorf("unknown page: %d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	r.Error(w, http.StatusTeapot, Problem{Heading: "Short and stout"})
	if w.Code != http.StatusTeapot || !strings.Contains(w.Body.String(), "<title>Short and stout – Service – Org</title>") {
		t.Errorf("problem page: %d\n%s", w.Code, w.Body.String())
	}
}

// A store out of reach for a moment (an etcd election) is a 503 the
// browser may retry, not a 500; anything else unexpected stays a 500.
func TestAStoreOutOfReachIsA503(t *testing.T) {
	r, err := NewRenderer(webfiles.FS(), Chrome{Organisation: "Org", Service: "Service", ServiceURL: "/"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		err        error
		status     int
		retryAfter string
	}{
		{fmt.Errorf("list: %w", &fault.Unavailable{Description: "etcd: no leader"}), http.StatusServiceUnavailable, retryUnavailable},
		{errors.New("disk on fire"), http.StatusInternalServerError, ""},
	} {
		w := httptest.NewRecorder()
		r.Fail(w, tt.err)
		if w.Code != tt.status || w.Header().Get("Retry-After") != tt.retryAfter || strings.Contains(w.Body.String(), "etcd") {
			t.Errorf("%v: %d, Retry-After %q; want %d, %q, and the cause not shown", tt.err, w.Code, w.Header().Get("Retry-After"), tt.status, tt.retryAfter)
		}
	}
}

// A disk that refuses writes is a 503 whose page says nothing was saved,
// without the file or the errno.
func TestARefusingDiskIsA503SayingNothingWasSaved(t *testing.T) {
	r, err := NewRenderer(webfiles.FS(), Chrome{Organisation: "Org", Service: "Service", ServiceURL: "/"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	r.Fail(w, fmt.Errorf("add note: %w", &fault.StorageUnavailable{Cause: fmt.Errorf("write /data/rightsdesk.db: %w", syscall.ENOSPC)}))
	body := w.Body.String()
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(body, "Nothing you sent was saved") ||
		strings.Contains(body, "rightsdesk.db") || strings.Contains(body, "no space") {
		t.Errorf("a full disk: %d\n%s\nwant 503 saying nothing was saved, and not the cause", w.Code, body)
	}
}

// A form sent again under its request id after its answers changed is
// refused on the form, not a failure page.
func TestAReusedRequestIDIsRefusedOnTheForm(t *testing.T) {
	e := ErrorOf(&fault.RequestReused{RequestID: "r1", Name: "cases/01J"})
	if e.Status != http.StatusConflict || !e.OnForm() || !strings.Contains(e.Message, "already sent") {
		t.Errorf("ErrorOf(RequestReused) = %+v; want a 409 on the form saying it was already sent", e)
	}
}

func TestWordsReadsStoredValuesAloud(t *testing.T) {
	for in, want := range map[string]string{"not_requested": "Not requested", "article_19_notification": "Article 19 notification", "": "", "done": "Done", "élan_vital": "Élan vital"} {
		if got := Words(in); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
