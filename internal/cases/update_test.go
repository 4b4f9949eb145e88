package cases_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// TestUpdateWithFullReplacement: update_mask "*" sends the whole case back;
// every updatable field takes the value sent, and the region needs a
// reason only when it changes.
func TestUpdateWithFullReplacement(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		edit  func(*cases.Case)
		field string // the field refused, or "" for success
		check func(t *testing.T, c *cases.Case)
	}{
		{"sent back with a new description", []string{"*"}, func(c *cases.Case) { c.Description = "Everything since 2024" }, "",
			func(t *testing.T, c *cases.Case) {
				if c.Description != "Everything since 2024" || c.Region != deadline.EnglandAndWales {
					t.Errorf("description %q, region %s", c.Description, c.Region)
				}
			}},
		{"an emptied description is cleared", []string{"*"}, func(c *cases.Case) { c.Description = "" }, "",
			func(t *testing.T, c *cases.Case) {
				if c.Description != "" {
					t.Errorf("description %q, want it cleared", c.Description)
				}
			}},
		{"a new region with its reason", []string{"*"}, func(c *cases.Case) { c.Region, c.RegionReason = deadline.Scotland, "the Edinburgh office" }, "",
			func(t *testing.T, c *cases.Case) {
				if c.Region != deadline.Scotland || c.RegionReason != "the Edinburgh office" {
					t.Errorf("region %s (%q)", c.Region, c.RegionReason)
				}
			}},
		{"a new region without a reason", []string{"*"}, func(c *cases.Case) { c.Region, c.RegionReason = deadline.Scotland, "" }, "case.region_reason", nil},
		{"a requester without a name", []string{"*"}, func(c *cases.Case) { c.Requester.Person.Name = "" }, "case.requester.person.name", nil},
		{"* with another path", []string{"*", "description"}, func(*cases.Case) {}, "update_mask", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envOn("2026-02-02")
			c := mustCreate(t, func() cases.NewCase { n := validNew(); n.Description = "My records"; return n }(), env)
			from := *c
			tt.edit(&from)
			version := c.Version
			_, err := cases.Apply(c, cases.Update{Paths: tt.paths, From: from}, env)
			if tt.field != "" {
				assertInvalid(t, err, tt.field)
				if c.Version != version {
					t.Errorf("a refused update bumped the version")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
			if c.Version != version+1 {
				t.Errorf("version %d after one update from %d", c.Version, version)
			}
		})
	}
}
