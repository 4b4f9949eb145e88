package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/clock"
)

// SessionStore keeps session records, keyed by a session's creation time
// and secret id, and the secret cookies are signed with. The composition
// root supplies one (internal/websessions keeps them in the store).
type SessionStore interface {
	// Secret returns the signing key, creating it on first use.
	Secret(ctx context.Context) ([]byte, error)
	// Get returns a session's record, found false when there is none.
	Get(ctx context.Context, created time.Time, id []byte) (record []byte, found bool, err error)
	// Put stores a session's record and deletes every session created
	// before expireBefore, in one transaction.
	Put(ctx context.Context, created time.Time, id, record []byte, expireBefore time.Time) error
	// Delete removes a session's record.
	Delete(ctx context.Context, created time.Time, id []byte) error
}

// Sessions keep a visitor's answers on the server, in the store, so
// nothing they typed travels in hidden fields they could alter, and a long
// free-text answer is not squeezed into a cookie. The cookie holds only the
// session's creation time and 256 random bits, signed so that an altered
// cookie is refused outright; the store keys the record by a hash of those
// bits.
//
// A session lasts IdleTimeout after its last save and never longer than
// Lifetime after it began. Each save deletes the sessions older than
// Lifetime, oldest first, so abandoned answers do not outlive it.
type Sessions struct {
	store  SessionStore
	clock  clock.Clock
	random io.Reader
	// secret signs the anti-forgery tokens; see Session.CSRFToken.
	secret []byte
	opts   SessionOptions
	// cookie and path name the cookie; see WithCookie.
	cookie, path string
}

// SessionOptions tune the sessions.
type SessionOptions struct {
	IdleTimeout time.Duration // default one hour
	Lifetime    time.Duration // default 12 hours
	// SecureCookie says the site is served over https (by a proxy in front
	// of it, or itself): the cookie is Secure on every response and its
	// name takes the __Host- prefix, which browsers accept only from a
	// secure origin, for the whole host (Path=/) and no other, so another
	// site on a sibling domain or a plain-http page cannot set or shadow
	// it; and pages say Strict-Transport-Security. Without it the Secure
	// flag is set only on requests that arrived over TLS.
	SecureCookie bool
}

// CookieName is the session cookie's name.
const CookieName = "rightsdesk_session"

const (
	sessionIDBytes = 32
	cookieMACBytes = 16
)

// NewSessions loads (or on first start creates) the signing secret.
func NewSessions(ctx context.Context, st SessionStore, c clock.Clock, opts SessionOptions) (*Sessions, error) {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = time.Hour
	}
	if opts.Lifetime <= 0 {
		opts.Lifetime = 12 * time.Hour
	}
	s := &Sessions{store: st, clock: c, random: rand.Reader, opts: opts}
	s.cookie, s.path = s.cookieNamed(CookieName, "/")
	var err error
	if s.secret, err = st.Secret(ctx); err != nil {
		return nil, fmt.Errorf("web session secret: %w", err)
	}
	return s, nil
}

// Session is one visitor's session. Its record is read and written only
// through Load and Save.
type Session struct {
	created time.Time
	id      []byte
	raw     []byte // the cookie's bytes: creation time, then id
}

// Current returns the session the request's cookie names, or nil when
// there is no cookie, it is malformed or has outlived Lifetime.
func (s *Sessions) Current(r *http.Request) *Session {
	c, err := r.Cookie(s.cookie)
	if err != nil {
		return nil
	}
	signed, err := base64.RawURLEncoding.Strict().DecodeString(c.Value)
	if err != nil || len(signed) != 8+sessionIDBytes+cookieMACBytes {
		return nil
	}
	raw := signed[:8+sessionIDBytes]
	if !hmac.Equal(signed[len(raw):], s.cookieMAC(raw)) {
		return nil
	}
	created := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0).UTC()
	if age := s.clock.Now().Sub(created); age < -time.Minute || age > s.opts.Lifetime {
		return nil
	}
	return &Session{created: created, id: raw[8:], raw: raw}
}

// Start returns the current session or begins a new one, setting its
// cookie. Nothing is stored until the first Save.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request) (*Session, error) {
	if sess := s.Current(r); sess != nil {
		return sess, nil
	}
	created := s.clock.Now().UTC().Truncate(time.Second)
	raw := binary.BigEndian.AppendUint64(make([]byte, 0, 8+sessionIDBytes), uint64(created.Unix()))
	raw = raw[:8+sessionIDBytes]
	if _, err := io.ReadFull(s.random, raw[8:]); err != nil {
		return nil, fmt.Errorf("new session id: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookie,
		Value:    base64.RawURLEncoding.EncodeToString(append(raw[:len(raw):len(raw)], s.cookieMAC(raw)...)),
		Path:     s.path,
		HttpOnly: true,
		Secure:   s.opts.SecureCookie || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return &Session{created: created, id: raw[8:], raw: raw}, nil
}

func (s *Sessions) cookieMAC(raw []byte) []byte {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte("cookie\x00"))
	mac.Write(raw)
	return mac.Sum(nil)[:cookieMACBytes]
}

// CSRFToken is the anti-forgery token for the session's forms: an HMAC of
// the cookie under the server's secret, so it needs no storage and a page
// from another site can neither read nor forge it.
func (s *Sessions) CSRFToken(sess *Session) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte("csrf\x00"))
	mac.Write(sess.raw)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Sessions) validToken(sess *Session, token string) bool {
	return sess != nil && hmac.Equal([]byte(token), []byte(s.CSRFToken(sess)))
}

type sessionRecord struct {
	Expires time.Time       `json:"expires"`
	Data    json.RawMessage `json:"data"`
}

// Load decodes the session's data into v. A session that was never saved,
// or sat idle past IdleTimeout, leaves v as it was.
func (s *Sessions) Load(ctx context.Context, sess *Session, v any) error {
	raw, found, err := s.store.Get(ctx, sess.created, sess.id)
	if err != nil || !found {
		return err
	}
	var rec sessionRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("decode web session: %w", err)
	}
	if !s.clock.Now().Before(rec.Expires) {
		return nil
	}
	return json.Unmarshal(rec.Data, v)
}

// Save stores v as the session's data and restarts its idle timeout.
func (s *Sessions) Save(ctx context.Context, sess *Session, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode web session: %w", err)
	}
	now := s.clock.Now()
	rec, err := json.Marshal(sessionRecord{Expires: now.Add(s.opts.IdleTimeout), Data: data})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, sess.created, sess.id, rec, now.Add(-s.opts.Lifetime))
}

// Clear deletes the session's data; the cookie may go on being used.
func (s *Sessions) Clear(ctx context.Context, sess *Session) error {
	return s.store.Delete(ctx, sess.created, sess.id)
}
