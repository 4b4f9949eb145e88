package web

import (
	"net/url"
	"slices"
)

// Form is what a page shows in its fields: the user's own input when they
// sent it (kept as typed, errors and all) or the saved answers otherwise,
// plus the errors to list in the summary in page order.
type Form struct {
	Values url.Values
	Errors []FieldError
}

// FieldError is one problem with what was entered. ID is the element the
// error summary links to, which for radios, checkboxes and dates is not the
// field's name.
type FieldError struct {
	Field   string
	ID      string
	Message string
}

// NewForm returns a form showing values.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values}
}

// Get returns the first value of a field.
func (f *Form) Get(name string) string { return f.Values.Get(name) }

// Has reports whether a radio or checkbox field holds value.
func (f *Form) Has(name, value string) bool { return slices.Contains(f.Values[name], value) }

// Fail records an error on field, linked from the summary to the element
// with the given id (the field's own name when id is empty).
func (f *Form) Fail(field, id, message string) {
	if id == "" {
		id = field
	}
	f.Errors = append(f.Errors, FieldError{Field: field, ID: id, Message: message})
}

// Error is the message for a field, or "" when it is fine.
func (f *Form) Error(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// HasErrors reports whether the page must be shown again.
func (f *Form) HasErrors() bool { return len(f.Errors) > 0 }
