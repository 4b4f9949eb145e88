package fault

import (
	"fmt"
	"strings"
)

// FieldViolation names one bad field and what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

// InvalidArgument is bad input, field by field.
type InvalidArgument struct {
	Violations []FieldViolation
}

// Invalid returns an InvalidArgument for one field.
func Invalid(field, format string, args ...any) *InvalidArgument {
	return &InvalidArgument{Violations: []FieldViolation{{Field: field, Description: fmt.Sprintf(format, args...)}}}
}

func (e *InvalidArgument) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "invalid argument: " + strings.Join(parts, "; ")
}

// NotFound is a resource that does not exist.
type NotFound struct {
	Resource string // e.g. "notice"
	Name     string // e.g. "notices/unknown"
	Detail   string // optional hint for the client
}

func (e *NotFound) Error() string {
	msg := fmt.Sprintf("%s %q not found", e.Resource, e.Name)
	if e.Name == "" {
		msg = e.Resource + " not found"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// FailedPrecondition is a call that is well formed but not allowed in the
// resource's current state, e.g. an illegal transition.
type FailedPrecondition struct {
	Subject     string   // e.g. "cases/01J…"
	Description string   // what is wrong, in plain English
	Allowed     []string // what would be allowed instead, if anything
}

func (e *FailedPrecondition) Error() string {
	if len(e.Allowed) == 0 {
		return e.Description
	}
	return fmt.Sprintf("%s; allowed: %s", e.Description, strings.Join(e.Allowed, ", "))
}

// Conflict is a conditional write whose etag no longer matches: someone else
// changed the resource first. Nothing was written.
type Conflict struct {
	Subject     string
	CurrentEtag string
}

func (e *Conflict) Error() string {
	return fmt.Sprintf("%s was changed by someone else (its etag is now %q); reload it and try again", e.Subject, e.CurrentEtag)
}

// Unavailable is a failure of a service the call depends on (the store's
// cluster electing a leader, a member down) that lasted longer than the
// retries allowed. Nothing was written unless Ambiguous says it may have
// been; the call may be retried.
type Unavailable struct {
	Description string
	// Ambiguous is true when a write was sent but not confirmed.
	Ambiguous bool
	Cause     error
}

func (e *Unavailable) Error() string {
	if e.Cause == nil {
		return e.Description
	}
	return e.Description + ": " + e.Cause.Error()
}

func (e *Unavailable) Unwrap() error { return e.Cause }

// RequestReused is a create whose client request id (AIP-155) an earlier
// create already used, so nothing new was made. Retry is true when the
// body is the earlier one's — a retry whose first answer cannot be given
// again, such as an API token's secret, which is shown once — and false
// when the body differs, which is a client reusing an id by mistake.
type RequestReused struct {
	RequestID string
	Name      string // what the earlier call created, e.g. "tokens/abc"
	Retry     bool
	Detail    string // optional: what the client should do now
	// Added is true when the earlier call added to Name (a note on a
	// case, a search record) rather than created it.
	Added bool
}

func (e *RequestReused) Error() string {
	msg := fmt.Sprintf("request_id %q was already used to create %s with a different request; send a new request_id", e.RequestID, e.Name)
	if e.Added {
		msg = fmt.Sprintf("request_id %q was already used for a different request on %s; send a new request_id", e.RequestID, e.Name)
	}
	if e.Retry {
		msg = fmt.Sprintf("request_id %q already created %s, and that call's answer cannot be given again", e.RequestID, e.Name)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// StorageUnavailable is a write the server's own disk refused: it is full,
// read-only or failing. Nothing was written. Unlike Unavailable it lasts
// until an operator acts (makes room, remounts), so the message says so;
// the call may be retried after that.
type StorageUnavailable struct {
	Cause error
}

func (e *StorageUnavailable) Error() string {
	return "the server's disk refused the write (full, read-only or failing); nothing was written: " + e.Cause.Error()
}

func (e *StorageUnavailable) Unwrap() error { return e.Cause }
