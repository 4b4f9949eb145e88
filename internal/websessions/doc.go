// Package websessions is a use case (layer: use cases): it keeps the web
// doors' session records and the secret their cookies and anti-forgery
// tokens are signed with, in the store, so that a restart keeps people's
// answers and open forms. It implements web.SessionStore; what a session
// holds and how its cookie looks is internal/web's business.
//
// It must not know about HTTP.
package websessions
