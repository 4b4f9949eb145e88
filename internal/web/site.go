package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Site holds what every handler of a part of the web site shares.
type Site struct {
	Render   *Renderer
	Sessions *Sessions
	Log      *slog.Logger

	maxBody int64
	larger  map[string]int64
	posts   *Limiter
	origins *http.CrossOriginProtection
}

// SiteOptions tune a Site.
type SiteOptions struct {
	// MaxBody is the largest form accepted, in bytes; default 128 KiB, room
	// for the longest free-text answer even if every character is encoded.
	MaxBody int64
	// Larger lets the forms posted to the named paths be bigger than
	// MaxBody, e.g. a page that takes a whole document; those may also be
	// sent as multipart/form-data, with a file.
	Larger map[string]int64
	// Posts limits how fast one client may send forms; default a burst of
	// 100, then two a second: far beyond a person, well short of a flood
	// of session writes.
	Posts *Limiter
}

// NewSite assembles a Site.
func NewSite(render *Renderer, sessions *Sessions, log *slog.Logger, opts SiteOptions) *Site {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 128 << 10
	}
	if opts.Posts == nil {
		opts.Posts = NewLimiter(500*time.Millisecond, 100)
	}
	return &Site{Render: render, Sessions: sessions, Log: log, maxBody: opts.MaxBody, larger: opts.Larger, posts: opts.Posts, origins: http.NewCrossOriginProtection()}
}

// contentSecurityPolicy allows only our own files: no inline script or
// style, no framing, and forms that post only to us.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// Protect wraps the handler of a part of the site. Every response gets the
// security headers. Any request that is not GET or HEAD must get past, in
// order: the client's rate limit (429), the body size limit (413), the
// browser's own cross-origin signals (Sec-Fetch-Site, Origin) and the
// session's anti-forgery token (both 403). Two checks, because either alone
// has gaps: old browsers send neither header, and a token cannot stop a
// request the browser is willing to make with the victim's cookie when the
// token leaks. The handler finds the form already parsed.
func (s *Site) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		w = &requestWriter{ResponseWriter: w, ctx: r.Context()}
		if s.Sessions.opts.SecureCookie {
			// A year, the span browsers' preload lists ask for; without
			// includeSubDomains, which is the organisation's to decide for
			// its other sites.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := s.posts.Allow(r); !ok {
			s.TooManyRequests(w, wait)
			return
		}
		if !s.readForm(w, r) {
			return
		}
		if err := s.origins.Check(r); err != nil || !s.Sessions.validToken(s.Sessions.Current(r), r.PostForm.Get("csrf_token")) {
			s.forbidden(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestWriter carries the request's context to the Renderer, which draws
// pages from a ResponseWriter alone, so that what it logs (a page that
// failed) names the request — its id and trace — as the request's other
// log lines do.
type requestWriter struct {
	http.ResponseWriter
	ctx context.Context
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *requestWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestContext is the context of the request w answers, or Background
// for a writer that carries none.
func requestContext(w http.ResponseWriter) context.Context {
	for {
		switch rw := w.(type) {
		case *requestWriter:
			return rw.ctx
		case interface{ Unwrap() http.ResponseWriter }:
			w = rw.Unwrap()
		default:
			return context.Background()
		}
	}
}

func (s *Site) readForm(w http.ResponseWriter, r *http.Request) bool {
	limit, large := s.larger[r.URL.Path]
	if !large {
		limit = s.maxBody
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	files := large && mt == "multipart/form-data"
	if r.ContentLength > limit {
		s.tooLarge(w, limit, files)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if files {
		AllowSlowBody(w, r, limit)
		// Held in memory up to the limit, which bounds the whole body, so
		// an upload never lands in a temporary file.
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.tooLarge(w, limit, files)
		return false
	case err != nil:
		s.Render.Error(w, http.StatusBadRequest, Problem{
			Heading: "Sorry, we could not read your answers",
			Body:    []string{"Go back, check what you entered and try again."},
		})
		return false
	}
	return true
}

// tooLarge says what was too big: for a form sent with files, the files.
func (s *Site) tooLarge(w http.ResponseWriter, limit int64, files bool) {
	p := Problem{
		Heading: "What you sent is too long",
		Body:    []string{fmt.Sprintf("We accept up to %d KB in one form. Go back, shorten your answer and try again.", limit>>10)},
	}
	if files {
		p = Problem{
			Heading: "What you sent is too large",
			Body:    []string{fmt.Sprintf("We accept up to %d MB in one form, files included. Go back, send fewer or smaller files and try again.", limit>>20)},
		}
	}
	s.Render.Error(w, http.StatusRequestEntityTooLarge, p)
}

func (s *Site) forbidden(w http.ResponseWriter) {
	s.Render.Error(w, http.StatusForbidden, Problem{
		Heading: "Sorry, this form has expired",
		Body: []string{
			"We could not accept your answers because the form was sent from another site, or it was open for too long.",
			"Your browser must accept cookies from this site for the form to work.",
		},
		Link: &Link{Text: "Start again", Href: s.Render.chrome.ServiceURL},
	})
}

// TooManyRequests renders the friendly 429 page with a Retry-After header.
func (s *Site) TooManyRequests(w http.ResponseWriter, wait time.Duration) {
	seconds := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	s.Render.Error(w, http.StatusTooManyRequests, Problem{
		Heading: "Sorry, you have sent too many requests",
		Body: []string{
			"To protect this service, each person can send only a limited number of forms in a short time.",
			"Try again " + inAbout(seconds) + ". If you were filling in a form, the answers you have already given are saved.",
		},
	})
}

func inAbout(seconds int) string {
	switch {
	case seconds <= 60:
		return "in a minute"
	case seconds < 3600:
		return fmt.Sprintf("in %d minutes", (seconds+59)/60)
	}
	return "later today"
}

// Static serves the files under static/ and dist/ at /static/. They hold
// nothing personal and change only with a new build, so browsers may keep
// them for an hour.
func Static(files fs.FS) (http.Handler, error) {
	own, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	built, err := fs.Sub(files, "dist")
	if err != nil {
		return nil, err
	}
	server := http.FileServerFS(overlay{own, built})
	return http.StripPrefix("/static", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "/README.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		server.ServeHTTP(w, r)
	})), nil
}

// overlay reads a file from the first tree that has it.
type overlay []fs.FS

func (o overlay) Open(name string) (fs.File, error) {
	for _, f := range o[:len(o)-1] {
		if file, err := f.Open(name); err == nil {
			return file, nil
		}
	}
	return o[len(o)-1].Open(name)
}
