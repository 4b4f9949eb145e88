package casework_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func requestFrom(name, email, received string) cases.NewCase {
	r := request(notice.RightAccess, "")
	r.ReceivedOn = received
	r.Requester.Person = cases.Person{Name: name, Email: email}
	return r
}

func TestFindRequesterSpotsRepeatRequests(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	made := map[string]*cases.Case{
		"phone":  create(t, w, requestFrom("Grace Hopper", "grace@example.org", "2026-02-20")),
		"older":  create(t, w, requestFrom("GRACE  HOPPER", "Grace@Example.org", "2026-01-10")),
		"full":   create(t, w, requestFrom("Grace Brewster Murray Hopper", "gbmh@navy.example", "2026-02-01")),
		"dots":   create(t, w, requestFrom("G Hopper", "g.race@example.org", "2026-02-02")),
		"gracie": create(t, w, requestFrom("Gracie Hopper", "gracie@example.org", "2026-02-03")),
		"other":  create(t, w, requestFrom("Alan Turing", "alan@example.org", "2026-02-04")),
	}
	rep := request(notice.RightAccess, "")
	rep.ReceivedOn = "2026-02-25"
	rep.Requester = cases.Requester{
		Person: cases.Person{Name: "Sam Solicitor", Email: "sam@law.example"}, Relationship: cases.RelationshipRepresentative,
		Authority: "signed letter of authority", DataSubject: &cases.Person{Name: "Grace Hopper"},
	}
	made["representative"] = create(t, w, rep)

	tests := []struct {
		name, email, who string
		want             []string // in the order returned
	}{
		{"email, any case and spacing", " GRACE@example.org ", "", []string{"phone", "older"}},
		{"name, any order", "", "hopper grace", []string{"representative", "phone", "full", "older"}},
		{"email and name: both first", "grace@example.org", "Grace Hopper", []string{"phone", "older", "representative", "full"}},
		{"one word", "", "Brewster", []string{"full"}},
		{"dots in the local part are not ignored", "grace@example.org", "", []string{"phone", "older"}},
		{"the dotted address finds only itself", "g.race@example.org", "", []string{"dots"}},
		{"nobody", "nobody@example.org", "Ada Lovelace", nil},
	}
	for _, tt := range tests {
		res, err := w.FindRequester(ctx, tt.email, tt.who)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, m := range res.Matches {
			for label, c := range made {
				if c.ID == m.Case.ID {
					got = append(got, label)
				}
			}
		}
		if !slices.Equal(got, tt.want) || res.Truncated {
			t.Errorf("%s: got %v (truncated %v), want %v", tt.name, got, res.Truncated, tt.want)
		}
	}
	res, _ := w.FindRequester(ctx, "grace@example.org", "grace hopper")
	if m := res.Matches[0]; !m.ByEmail || !m.ByName {
		t.Errorf("first match %+v should have matched on both", m)
	}
	if m := res.Matches[len(res.Matches)-1]; m.ByEmail || !m.ByName {
		t.Errorf("last match %+v should have matched on the name only", m)
	}
}

func TestFindRequesterFollowsCorrections(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	c := create(t, w, requestFrom("Grace Hopper", "grace@example.org", "2026-02-20"))
	fixed := cases.Case{Requester: cases.Requester{Person: cases.Person{Name: "Grace Hopper", Email: "hopper@example.org"}, Relationship: cases.RelationshipSelf}}
	if _, err := w.Apply(ctx, "token:x", c.ID, "", cases.Update{Paths: []string{"requester"}, From: fixed}); err != nil {
		t.Fatal(err)
	}
	if res, _ := w.FindRequester(ctx, "grace@example.org", ""); len(res.Matches) != 0 {
		t.Errorf("the old address still finds %d cases", len(res.Matches))
	}
	if res, _ := w.FindRequester(ctx, "hopper@example.org", ""); len(res.Matches) != 1 || res.Matches[0].Case.ID != c.ID {
		t.Errorf("the corrected address finds %+v", res)
	}
}

func TestFindRequesterIsBounded(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	for i := range usecase.MaxRequesterMatches + 1 {
		create(t, w, requestFrom("Grace Hopper", fmt.Sprintf("grace%d@example.org", i), "2026-02-20"))
	}
	res, err := w.FindRequester(ctx, "", "Grace Hopper")
	if err != nil || len(res.Matches) != usecase.MaxRequesterMatches || !res.Truncated {
		t.Fatalf("%d matches, truncated %v, %v; want %d and truncated", len(res.Matches), res.Truncated, err, usecase.MaxRequesterMatches)
	}
}

func TestFindRequesterNeedsSomethingToFind(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	for _, args := range [][2]string{{"", ""}, {"  ", " - "}} {
		_, err := w.FindRequester(ctx, args[0], args[1])
		var inv *fault.InvalidArgument
		if !errors.As(err, &inv) || len(inv.Violations) != 2 {
			t.Errorf("FindRequester(%q, %q) = %v, want INVALID_ARGUMENT on email and name", args[0], args[1], err)
		}
	}
}
