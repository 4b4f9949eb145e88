package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fixedSecretStore signs with a fixed secret and stores nothing: reading a
// cookie never touches the records.
type fixedSecretStore struct{}

func (fixedSecretStore) Secret(context.Context) ([]byte, error) {
	return []byte("a fixed secret for fuzzing cookies"), nil
}

func (fixedSecretStore) Get(context.Context, time.Time, []byte) ([]byte, bool, error) {
	return nil, false, nil
}

func (fixedSecretStore) Put(context.Context, time.Time, []byte, []byte, time.Time) error { return nil }
func (fixedSecretStore) Delete(context.Context, time.Time, []byte) error                 { return nil }

// FuzzSessionCookie sends any Cookie header. The only session cookie
// accepted is the one the server issued, byte for byte: nothing the
// fuzzer writes is signed, so any other value that is accepted would be a
// forgery. Nothing panics on the way.
func FuzzSessionCookie(f *testing.F) {
	c := &manualClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s, err := NewSessions(context.Background(), fixedSecretStore{}, c, SessionOptions{})
	if err != nil {
		f.Fatal(err)
	}
	// Every fuzzing process must issue the same cookie, so the seeds the
	// coordinator sends name the session each worker accepts.
	s.random = strings.NewReader(strings.Repeat("fixed session id", 2))
	w := httptest.NewRecorder()
	if _, err := s.Start(w, httptest.NewRequest(http.MethodGet, "/", nil)); err != nil {
		f.Fatal(err)
	}
	issued := w.Result().Cookies()[0].Value
	for _, h := range []string{
		CookieName + "=" + issued, CookieName + `="` + issued + `"`, "other=1; " + CookieName + "=" + issued + "; x=y",
		CookieName + "=" + issued + "A", CookieName + "=" + issued[:len(issued)-1] + "B", CookieName + "=",
		CookieName + "=" + issued[:10], CookieName + "=%%%; " + CookieName + "=" + issued, "",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", header)
		sess := s.Current(r)
		if sess == nil {
			return
		}
		if got, err := r.Cookie(CookieName); err != nil || got.Value != issued {
			t.Fatalf("Cookie %q is accepted as a session", header)
		}
		if s.CSRFToken(sess) == "" {
			t.Fatal("an accepted session has no anti-forgery token")
		}
	})
}
