package casework_test

import (
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func TestExtensionDueFiltersTheCasesWhoseExtensionMustBeDecidedSoon(t *testing.T) {
	w, _ := newService(t, t.TempDir()) // on Mon 2 Mar 2026
	received := func(on string) *cases.Case {
		req := request("access", "")
		req.ReceivedOn = on
		return create(t, w, req)
	}
	soon := received("2026-02-05")    // first period ends Thu 5 Mar
	later := received("2026-02-20")   // ends Fri 20 Mar
	overdue := received("2026-01-15") // ended Mon 16 Feb: too late
	extended := received("2026-02-06")
	if _, err := w.Apply(ctx, "token:test", extended.ID, extended.Etag(), cases.Extend{Reason: "complex"}); err != nil {
		t.Fatal(err)
	}
	ids := func(filter string) []string {
		t.Helper()
		page, err := w.List(ctx, usecase.Query{Filter: filter, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range page.Cases {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids("extension_due=true"); !slices.Equal(got, []string{soon.ID}) {
		t.Errorf("extension_due=true lists %v, want only %s", got, soon.ID)
	}
	if got := ids("extension_due=false"); len(got) != 3 || slices.Contains(got, soon.ID) {
		t.Errorf("extension_due=false lists %v, want the other three", got)
	}
	list := []*cases.Case{soon, later, overdue}
	decisions := w.ExtensionDecisions(list)
	if decisions[0].String() != "2026-03-05" || !decisions[1].IsZero() || !decisions[2].IsZero() {
		t.Errorf("ExtensionDecisions = %v, want 2026-03-05 for the first only", decisions)
	}
	if _, err := w.List(ctx, usecase.Query{Filter: "extension_due=soon", Limit: 10}); err == nil {
		t.Error("extension_due=soon was accepted")
	}
}
