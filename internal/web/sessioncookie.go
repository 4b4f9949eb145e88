package web

// WithCookie returns sessions kept in the same store under the same secret
// but carried in their own cookie, sent only to paths under path. Two parts
// of the site open in one browser then each keep their own session: a
// visitor starting the public form does not replace a staff sign-in.
func (s *Sessions) WithCookie(name, path string) *Sessions {
	c := *s
	c.cookie, c.path = name, path
	return &c
}
