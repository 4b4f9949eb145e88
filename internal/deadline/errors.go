package deadline

import "fmt"

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
