package deadline

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is invalid input, naming the request field at fault in the
// API's spelling ("received", "pauses[1].answered", "extension.months") so
// the server can report it as a field violation.
type FieldError struct {
	Field       string
	Description string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Description }

func fieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Description: fmt.Sprintf(format, args...)}
}

// FieldErrors is every problem found with a request, in field order, so
// that one answer names every bad field. errors.As finds the first as a
// *FieldError.
type FieldErrors []*FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap gives each problem to errors.Is and errors.As.
func (e FieldErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, f := range e {
		out[i] = f
	}
	return out
}

// fieldErrors gathers the problems of independent checks into one error:
// nil when there are none, the *FieldError when there is one, FieldErrors
// when there are more. An error that is not a field problem wins outright.
func fieldErrors(errs ...error) error {
	var all FieldErrors
	for _, err := range errs {
		var many FieldErrors
		var one *FieldError
		switch {
		case err == nil:
		case errors.As(err, &many):
			all = append(all, many...)
		case errors.As(err, &one):
			all = append(all, one)
		default:
			return err
		}
	}
	switch len(all) {
	case 0:
		return nil
	case 1:
		return all[0]
	}
	return all
}

// checkDate rejects absent, impossible and absurd dates.
func checkDate(field string, d Date) error {
	switch {
	case d.IsZero():
		return fieldErrorf(field, "required")
	case !d.valid():
		return fieldErrorf(field, "%s is not a calendar date", d)
	case d.Year < minYear || d.Year > maxYear:
		return fieldErrorf(field, "year %d is outside %d–%d", d.Year, minYear, maxYear)
	}
	return nil
}
