package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Error is a failure as a page shows it: the HTTP status to answer with,
// what to tell the person, and the fields to mark and link from the error
// summary. ErrorOf is the one place the web doors turn the use cases'
// errors into one; Renderer.Fail and Form.Take are the two ways to show it.
type Error struct {
	Status int
	Kind   ErrorKind
	// Message is what the person reads about the whole request; for
	// Invalid it is empty and Fields say what is wrong.
	Message string
	// Fields are the problems with named fields of the request, by the use
	// case's field names ("text", "case.requester.person.name", …).
	Fields []fault.FieldViolation
	// Allowed lists what could be done instead, for Refused.
	Allowed []string
	cause   error
}

// ErrorKind says which kind of failure an Error is.
type ErrorKind int

const (
	// Internal is a failure of ours, or the store out of reach for a
	// moment (503): logged, never shown.
	Internal ErrorKind = iota
	// Invalid is input the person can correct, field by field.
	Invalid
	// Refused is a well-formed request the resource's state does not allow.
	Refused
	// Conflict is a change someone else made first.
	Conflict
	// Missing is something that does not exist (or may not be seen).
	Missing
)

func (e *Error) Error() string { return e.cause.Error() }

func (e *Error) Unwrap() error { return e.cause }

// OnForm reports whether the person can put the error right on the form
// they sent, so the form is shown again with it, rather than an error page.
func (e *Error) OnForm() bool { return e.Kind == Invalid || e.Kind == Refused || e.Kind == Conflict }

// ErrorOf maps an error from a use case to what a page says of it.
func ErrorOf(err error) *Error {
	var (
		shown    *Error
		invalid  *fault.InvalidArgument
		refused  *fault.FailedPrecondition
		conflict *fault.Conflict
		missing  *fault.NotFound
		reused   *fault.RequestReused
	)
	switch {
	case errors.As(err, &shown):
		return shown
	case errors.As(err, &invalid):
		return &Error{Status: http.StatusUnprocessableEntity, Kind: Invalid, Fields: invalid.Violations, cause: err}
	case errors.As(err, &refused):
		return &Error{Status: http.StatusUnprocessableEntity, Kind: Refused, Message: Words(refused.Description), Allowed: refused.Allowed, cause: err}
	case errors.As(err, &conflict):
		return &Error{Status: http.StatusConflict, Kind: Conflict, Message: "Someone else changed this while you were working on it. The page now shows their change: check it and try again", cause: err}
	case errors.As(err, &missing):
		return &Error{Status: http.StatusNotFound, Kind: Missing, Message: Words(missing.Error()), cause: err}
	case errors.As(err, &reused):
		// A form sent again after its answers changed: the first one was
		// taken, so this one is refused rather than mistaken for a retry.
		return &Error{Status: http.StatusConflict, Kind: Refused, cause: err,
			Message: "This form was already sent with different answers, and that request was taken. Start again to send a new one"}
	}
	var disk *fault.StorageUnavailable
	if errors.As(err, &disk) {
		return &Error{Status: http.StatusServiceUnavailable, Kind: Internal, cause: err,
			Message: "The service cannot save anything at the moment. Nothing you sent was saved. Try again later."}
	}
	var busy *fault.Unavailable
	if errors.As(err, &busy) {
		return &Error{Status: http.StatusServiceUnavailable, Kind: Internal, cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Kind: Internal, cause: err}
}

// retryUnavailable is the Retry-After, in seconds, of a page that failed
// because the store was out of reach for a moment: about as long as an
// etcd leader election takes.
const retryUnavailable = "5"

// Take puts an error that belongs on a form onto it: each field problem on
// the form field fieldFor names (fallback when it names none, e.g. for a
// field the form does not show), and a refusal or conflict on fallback.
func (f *Form) Take(e *Error, fieldFor func(string) string, fallback string) {
	if e.Kind != Invalid {
		msg := e.Message
		if len(e.Allowed) > 0 {
			msg += ". Allowed now: " + strings.Join(e.Allowed, ", ")
		}
		f.Fail(fallback, "", msg)
		return
	}
	for _, v := range e.Fields {
		field := fieldFor(v.Field)
		if field == "" {
			field = fallback
		}
		f.Fail(field, "", Words(v.Description))
	}
}

// Fail renders the page for an error that has no form to go back to: the
// not-found page, a page saying what was refused, or, for a failure of
// ours, the page that says to try later (the cause logged, never shown).
func (r *Renderer) Fail(w http.ResponseWriter, err error) {
	e := ErrorOf(err)
	switch e.Kind {
	case Missing:
		r.NotFound(w)
	case Internal:
		r.Unavailable(w, err)
	default:
		var body []string
		if e.Message != "" {
			body = append(body, e.Message)
		}
		for _, v := range e.Fields {
			body = append(body, Words(v.Description))
		}
		r.Error(w, e.Status, Problem{Heading: "Sorry, that could not be done", Body: body, Link: &Link{Text: "Go to the start page", Href: r.chrome.ServiceURL}})
	}
}
