// Package auth (layer: domain) owns staff authentication and authorisation as pure domain
// rules: the ordered roles (public < viewer < caseworker < admin), API tokens
// (generation, the SHA-256 form they are stored in, expiry and revocation),
// the Principal a request runs as and the actor it is recorded under in the
// audit trail, and the errors an authentication or authorisation failure
// returns.
//
// It must not touch storage, transport or the system clock: callers look a
// token up by its hash, pass "now" in, and map the errors to status codes at
// their own boundary.
package auth
