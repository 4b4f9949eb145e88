package deadline

import (
	"strings"
	"testing"
	"time"
)

func TestCalculateRejectsInvalidInputNamingTheField(t *testing.T) {
	valid := func() Request { return ewReq("2026-03-02") }
	with := func(change func(*Request)) Request {
		r := valid()
		change(&r)
		return r
	}
	ext := func(granted string, months int, reason string) func(*Request) {
		return func(r *Request) { r.Extension = &Extension{GrantedOn: d(granted), Months: months, Reason: reason} }
	}
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"received absent (zero date)", with(func(r *Request) { r.Received = Date{} }), "received"},
		{"received impossible: 30 Feb", with(func(r *Request) { r.Received = Date{2026, time.February, 30} }), "received"},
		{"received month 13", with(func(r *Request) { r.Received = Date{2026, 13, 1} }), "received"},
		{"received in year 1899", with(func(r *Request) { r.Received = Date{1899, time.June, 1} }), "received"},
		{"received in year 2201", with(func(r *Request) { r.Received = Date{2201, time.June, 1} }), "received"},
		{"received in year -5000000", with(func(r *Request) { r.Received = Date{-5000000, time.June, 1} }), "received"},
		{"received before UK GDPR applied (24 May 2018)", with(func(r *Request) { r.Received = d("2018-05-24") }), "received"},
		{"unknown regime", with(func(r *Request) { r.Regime = "lgpd" }), "regime"},
		{"region absent", with(func(r *Request) { r.Region = "" }), "region"},
		{"unknown region", with(func(r *Request) { r.Region = "wales" }), "region"},
		{"identity received before the request", with(func(r *Request) { r.IdentityReceived = ptr("2026-03-01") }), "identity_received"},
		{"identity received impossible date", with(func(r *Request) { r.IdentityReceived = &Date{2026, time.April, 31} }), "identity_received"},
		{"fee received before the request", with(func(r *Request) { r.FeeReceived = ptr("2026-02-27") }), "fee_received"},
		{"pause answered before asked", with(func(r *Request) { r.Pauses = []Pause{pause("2026-03-10", "2026-03-04")} }), "pauses[0].answered"},
		{"pause asked before the request was received", with(func(r *Request) { r.Pauses = []Pause{pause("2026-03-01", "2026-03-04")} }), "pauses[0].asked"},
		{"pause with no answer date", with(func(r *Request) { r.Pauses = []Pause{{Asked: d("2026-03-04")}} }), "pauses[0].answered"},
		{"second pause overlaps the first", with(func(r *Request) {
			r.Pauses = []Pause{pause("2026-03-04", "2026-03-10"), pause("2026-03-08", "2026-03-12")}
		}), "pauses[1].asked"},
		{"pauses sharing an end day overlap (a day is paused once)", with(func(r *Request) {
			r.Pauses = []Pause{pause("2026-03-10", "2026-03-12"), pause("2026-03-04", "2026-03-10")}
		}), "pauses[0].asked"},
		{"pause asked after the period ended (due Thu 2 Apr, asked Fri 3 Apr)", with(func(r *Request) { r.Pauses = []Pause{pause("2026-04-03", "2026-04-10")} }), "pauses[0].asked"},
		{"extension granted after the statutory due date", with(ext("2026-04-03", 2, "complex")), "extension.granted_on"},
		{"pause asked after the extended period ended (extended due Tue 2 Jun, asked Wed 3 Jun)", with(func(r *Request) {
			ext("2026-03-02", 2, "complex")(r)
			r.Pauses = []Pause{pause("2026-06-03", "2026-06-05")}
		}), "pauses[0].asked"},
		{"a pause during the extension cannot save an extension granted after the first month (Thu 2 Apr)", with(func(r *Request) {
			ext("2026-04-03", 2, "complex")(r)
			r.Pauses = []Pause{pause("2026-04-10", "2026-04-15")}
		}), "extension.granted_on"},
		{"extension granted before the request", with(ext("2026-03-01", 2, "complex")), "extension.granted_on"},
		{"extension with no grant date", with(func(r *Request) { r.Extension = &Extension{Reason: "complex"} }), "extension.granted_on"},
		{"extension of 3 months", with(ext("2026-03-10", 3, "complex")), "extension.months"},
		{"extension of -1 months", with(ext("2026-03-10", -1, "complex")), "extension.months"},
		{"extension without a reason", with(ext("2026-03-10", 2, "  ")), "extension.reason"},
		{"negative internal target", with(func(r *Request) { r.InternalTargetDays = -1 }), "internal_target_days"},
		{"internal target beyond 90 days", with(func(r *Request) { r.InternalTargetDays = 91 }), "internal_target_days"},
	}
	engine := NewEngine(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.Calculate(tt.req)
			if err == nil {
				t.Fatal("no error")
			}
			fe := asFieldError(t, err)
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if fe.Description == "" || !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("error text %q should start with the field and describe the problem", err)
			}
		})
	}
}

func TestExtensionGrantedOnTheDueDateIsAccepted(t *testing.T) {
	req := ewReq("2026-03-02")
	req.Extension = &Extension{GrantedOn: d("2026-04-02"), Reason: "complex"}
	if _, err := NewEngine(nil).Calculate(req); err != nil {
		t.Fatalf("extension granted on the statutory due date itself was refused: %v", err)
	}
}
