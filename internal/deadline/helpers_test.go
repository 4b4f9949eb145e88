package deadline

import (
	"errors"
	"testing"
)

// d parses a test date, failing loudly on a typo in the test itself.
func d(s string) Date {
	date, err := ParseDate(s)
	if err != nil {
		panic("bad test date: " + err.Error())
	}
	return date
}

func ptr(s string) *Date {
	date := d(s)
	return &date
}

func pause(asked, answered string) Pause { return Pause{Asked: d(asked), Answered: d(answered)} }

func calculate(t *testing.T, req Request) Result {
	t.Helper()
	res, err := NewEngine(nil).Calculate(req)
	if err != nil {
		t.Fatalf("Calculate: %v", err)
	}
	return res
}

func asFieldError(t *testing.T, err error) *FieldError {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	return fe
}
