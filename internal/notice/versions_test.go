package notice

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func version(effective, digest string) Version {
	return Version{EffectiveFrom: effective, Title: "T", Source: Source{Kind: "import", Digest: digest},
		Contexts: []Context{{ID: "c", Name: "c", Basis: BasisConsent}}}
}

func TestAddVersion(t *testing.T) {
	n := &Notice{ID: "x"}
	if v, added, err := n.AddVersion(version("2024-01-01", "a")); err != nil || !added || v.Number != 1 {
		t.Fatalf("first version: %+v, %v, %v", v, added, err)
	}
	if v, added, err := n.AddVersion(version("2025-01-01", "a")); err != nil || added || v.Number != 1 || len(n.Versions) != 1 {
		t.Fatalf("same digest: %+v, %v, %v; want the current version unchanged", v, added, err)
	}
	if v, added, err := n.AddVersion(version("2024-01-01", "b")); err != nil || !added || v.Number != 2 {
		t.Fatalf("changed content on the same date: %+v, %v, %v", v, added, err)
	}
	var fp *fault.FailedPrecondition
	if _, _, err := n.AddVersion(version("2023-12-31", "c")); !errors.As(err, &fp) || !strings.Contains(err.Error(), "date order") {
		t.Fatalf("an earlier date: %v, want FailedPrecondition", err)
	}
	var invalid *fault.InvalidArgument
	bad := version("2025-01-01", "d")
	bad.Contexts = nil
	if _, _, err := n.AddVersion(bad); !errors.As(err, &invalid) || len(n.Versions) != 2 {
		t.Fatalf("an invalid version: %v, %d versions; want InvalidArgument and nothing added", err, len(n.Versions))
	}
	if got := n.InForceOn("2024-06-01"); got.Number != 2 {
		t.Errorf("in force on 2024-06-01: version %d, want 2 (the later of two on the same date)", got.Number)
	}
}

func TestDiff(t *testing.T) {
	a := version("2024-01-01", "a")
	a.Rights = []DeclaredRight{{Right: RightAccess}, {Right: RightRectification}, {Right: RightRectification}}
	a.Retention = []RetentionRule{{Description: "two years", Months: 24}}
	b := a
	b.EffectiveFrom = "2025-01-01"
	b.Rights = []DeclaredRight{{Right: RightAccess}, {Right: RightRectification}, {Right: RightPortability, Scope: []string{"c"}}}
	b.Retention = []RetentionRule{{Description: "three years", Months: 36}}
	b.Extra = map[string]string{"note": "new"}
	var got []string
	for _, c := range Diff(&a, &b) {
		got = append(got, c.Field+": "+c.Before+" -> "+c.After)
	}
	want := []string{
		"effective_from: 2024-01-01 -> 2025-01-01",
		"retention/0: two years (24 months) -> three years (36 months)",
		"rights/rectification#2: declared -> ",
		"rights/portability (c):  -> declared",
		"extra/note:  -> new",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if changes := Diff(&a, &a); len(changes) != 0 {
		t.Errorf("a version against itself: %+v", changes)
	}
}
