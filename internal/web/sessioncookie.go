package web

// WithCookie returns sessions kept in the same store under the same secret
// but carried in their own cookie, sent only to paths under path. Two parts
// of the site open in one browser then each keep their own session: a
// visitor starting the public form does not replace a staff sign-in.
func (s *Sessions) WithCookie(name, path string) *Sessions {
	c := *s
	c.cookie, c.path = s.cookieNamed(name, path)
	return &c
}

// hostPrefix is the cookie name prefix browsers keep to cookies set by a
// secure origin for the whole host (RFC 6265bis, "__Host-").
const hostPrefix = "__Host-"

// cookieNamed is the cookie name and path to use for name and path: on an
// https site, the __Host- prefixed name, which the browser insists be for
// Path=/.
func (s *Sessions) cookieNamed(name, path string) (string, string) {
	if s.opts.SecureCookie {
		return hostPrefix + name, "/"
	}
	return name, path
}

// CookieName is the name of the cookie these sessions use, for the page
// that lists the site's cookies.
func (s *Sessions) CookieName() string { return s.cookie }
