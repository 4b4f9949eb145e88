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
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}
