package auth

import (
	"errors"
	"fmt"
)

// Why a caller could not be authenticated. They are for logs and tests;
// UnauthenticatedError decides what a client is told.
var (
	ErrNoToken        = errors.New("no bearer token")
	ErrMalformedToken = errors.New("malformed authorization header or token")
	ErrUnknownToken   = errors.New("unknown token")
	ErrTokenRevoked   = errors.New("token revoked")
	ErrTokenExpired   = errors.New("token expired")
)

// UnauthenticatedError is a call that needs a usable token and did not come
// with one. Its message is safe to return to the client: it says the same
// thing whether the token was missing, malformed, unknown or revoked, so a
// caller cannot probe which tokens exist; only expiry is told apart, because
// it tells an honest holder what to do. Reason says which, for logs.
type UnauthenticatedError struct {
	Reason error
}

func (e *UnauthenticatedError) Error() string {
	if errors.Is(e.Reason, ErrTokenExpired) {
		return "the bearer token has expired; ask an administrator for a new one"
	}
	return "a valid bearer token is required: send it as the header `authorization: Bearer <token>`"
}

func (e *UnauthenticatedError) Unwrap() error { return e.Reason }

// PermissionDeniedError is an authenticated caller whose role is below the
// one the call needs.
type PermissionDeniedError struct {
	Method string // e.g. "rightsdesk.v1.CaseService/ReopenCase"
	Need   Role
	Have   Role
}

func (e *PermissionDeniedError) Error() string {
	return fmt.Sprintf("permission denied: %s needs the %s role; this token has the %s role", e.Method, e.Need, e.Have)
}
