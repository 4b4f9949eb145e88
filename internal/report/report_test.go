package report_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
)

func date(s string) deadline.Date {
	d, err := deadline.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func open(state cases.State, due string, rights ...notice.Right) *cases.Case {
	c := &cases.Case{State: state, ReceivedOn: "2026-02-01", Clock: cases.Clock{Due: due}}
	for _, r := range rights {
		c.Rights = append(c.Rights, cases.RequestedRight{Right: r})
	}
	return c
}

func closed(received, closedOn string, onTime, extended bool) *cases.Case {
	c := &cases.Case{State: cases.StateClosed, ReceivedOn: received, Outcome: &cases.Outcome{Kind: cases.OutcomeFulfilled, ClosedOn: closedOn, OnTime: onTime}}
	if extended {
		c.Extension = &cases.Extension{GrantedOn: received, Months: 2, Reason: "complex"}
	}
	return c
}

// Wednesday 4 March 2026: the week ends on Sunday 8 March, and the twelve
// months run from April 2025 to March 2026.
const today = "2026-03-04"

func TestDashboard(t *testing.T) {
	extendedOpen := open(cases.StateInProgress, "2026-05-04", notice.RightAccess)
	extendedOpen.Extension = &cases.Extension{GrantedOn: "2026-03-01", Months: 2}
	all := []*cases.Case{
		open(cases.StateNew, "2026-03-03", notice.RightAccess),                                    // overdue
		open(cases.StateInProgress, "2026-03-04", notice.RightErasure),                            // due today: this week, not overdue
		open(cases.StateAwaitingRequester, "2026-03-08", notice.RightAccess, notice.RightErasure), // Sunday: still this week
		open(cases.StateInProgress, "2026-03-09", notice.RightPortability),                        // next Monday
		extendedOpen,
		closed("2026-01-05", "2026-02-03", true, false),  // 29 days
		closed("2026-01-10", "2026-03-02", false, true),  // 51 days, late, extended
		closed("2025-04-01", "2025-04-20", true, false),  // 19 days, first month of the window
		closed("2025-02-01", "2025-03-31", true, false),  // closed before the window
		closed("2025-12-01", "2026-01-31", false, false), // 61 days
	}
	d := report.Build(date(today), all)
	if d.Today != today || d.Open != 5 || d.Overdue != 1 || d.DueThisWeek != 2 || d.ExtendedOpen != 1 {
		t.Errorf("open figures: open %d overdue %d due this week %d extended %d", d.Open, d.Overdue, d.DueThisWeek, d.ExtendedOpen)
	}
	wantStates := []report.Count{{"new", "New", 1}, {"awaiting_requester", "Waiting for requester", 1}, {"in_progress", "In progress", 3}}
	if !equal(d.OpenByState, wantStates) {
		t.Errorf("by state = %+v, want %+v", d.OpenByState, wantStates)
	}
	wantRights := []report.Count{{"access", "Access", 3}, {"erasure", "Erasure", 2}, {"portability", "Portability", 1}}
	if !equal(d.OpenByRight, wantRights) {
		t.Errorf("by right = %+v, want %+v", d.OpenByRight, wantRights)
	}
	if len(d.ClosedByMonth) != report.Months || d.ClosedByMonth[0].Month != "2025-04" || d.ClosedByMonth[11].Label != "Mar 2026" {
		t.Fatalf("months = %+v", d.ClosedByMonth)
	}
	for i, want := range map[int][2]int{0: {1, 0}, 9: {0, 1}, 10: {1, 0}, 11: {0, 1}, 5: {0, 0}} {
		if m := d.ClosedByMonth[i]; m.OnTime != want[0] || m.Late != want[1] {
			t.Errorf("%s: %d on time, %d late; want %v", m.Month, m.OnTime, m.Late, want)
		}
	}
	// 19, 29, 51, 61 days: the median is the mean of the middle two.
	if d.Closed != 4 || d.MedianDaysToClose != 40 || d.ExtendedClosed != 1 {
		t.Errorf("closed %d, median %v, extended %d; want 4, 40, 1", d.Closed, d.MedianDaysToClose, d.ExtendedClosed)
	}
}

func equal(a, b []report.Count) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWeekAndMedianEdges(t *testing.T) {
	for _, tt := range []struct {
		name, today string
		cases       []*cases.Case
		dueThisWeek int
		median      float64
	}{
		{"on a Sunday the week ends today", "2026-03-08", []*cases.Case{open(cases.StateNew, "2026-03-08"), open(cases.StateNew, "2026-03-09")}, 1, 0},
		{"on a Monday the whole week counts", "2026-03-02", []*cases.Case{open(cases.StateNew, "2026-03-08"), open(cases.StateNew, "2026-03-02")}, 2, 0},
		{"an odd count takes the middle", "2026-03-02", []*cases.Case{closed("2026-02-01", "2026-02-11", true, false), closed("2026-02-01", "2026-02-04", true, false), closed("2026-02-01", "2026-03-01", true, false)}, 0, 10},
		{"January reaches back into the year before", "2026-01-15", []*cases.Case{closed("2025-01-20", "2025-02-01", true, false)}, 0, 12},
	} {
		d := report.Build(date(tt.today), tt.cases)
		if d.DueThisWeek != tt.dueThisWeek || d.MedianDaysToClose != tt.median {
			t.Errorf("%s: due this week %d, median %v; want %d, %v", tt.name, d.DueThisWeek, d.MedianDaysToClose, tt.dueThisWeek, tt.median)
		}
	}
}

func TestBuilderMatchesBuild(t *testing.T) {
	b := report.NewBuilder(date(today))
	b.Add(open(cases.StateNew, "2026-03-03", notice.RightAccess))
	first := b.Dashboard()
	b.Add(closed("2026-01-05", "2026-02-03", true, false))
	if first.Closed != 0 || first.ClosedByMonth[10].OnTime != 0 {
		t.Error("adding a case changed a dashboard already returned")
	}
	if got := b.Dashboard(); got.Open != 1 || got.Closed != 1 || got.MedianDaysToClose != 29 {
		t.Errorf("builder dashboard = %+v", got)
	}
}

// wellFormed parses the SVG as XML, so a stray "<" or "&" in a label fails.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func TestChartIsAccessibleWithoutColour(t *testing.T) {
	c := report.Chart{
		ID: "closed", Title: "Cases closed per month", Desc: "Closed cases, on time and late.",
		Series: []string{"on time", "late"},
		Bars:   []report.Bar{{Label: "Feb 2026", Values: []int{5, 2}}, {Label: "Mar 2026", Values: []int{0, 0}}},
	}
	svg := string(c.SVG())
	wellFormed(t, svg)
	for _, want := range []string{
		`role="img"`, `aria-labelledby="closed-title closed-desc"`,
		`<title id="closed-title">Cases closed per month</title>`,
		`<desc id="closed-desc">Closed cases, on time and late. Feb 2026: 5 on time, 2 late. Mar 2026: 0 on time, 0 late.</desc>`,
		`<pattern id="closed-solid"`, `<pattern id="closed-hatch"`, `fill="url(#closed-hatch)"`, // series differ by pattern
		`>5 on time, 2 late</text>`, `>0 on time, 0 late</text>`, // every value as text
		`>on time</text>`, `>late</text>`, // a legend
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "http://") && !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("chart loads or runs something: %s", svg)
	}
}

func TestChartEscapesText(t *testing.T) {
	c := report.Chart{ID: `x" onload="alert(1)`, Title: "<script>alert(1)</script>", Bars: []report.Bar{{Label: "R&D <team>", Values: []int{3}}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if strings.Contains(svg, "<script>") || strings.Contains(svg, `" onload="`) || !strings.Contains(svg, "R&amp;D &lt;team&gt;") {
		t.Errorf("text not escaped:\n%s", svg)
	}
	empty := string(report.Chart{ID: "e", Title: "Nothing"}.SVG())
	wellFormed(t, empty)
	if !strings.Contains(empty, "No cases.") {
		t.Errorf("an empty chart should say so:\n%s", empty)
	}
}

func TestDashboardCharts(t *testing.T) {
	d := report.Build(date(today), []*cases.Case{open(cases.StateNew, "2026-03-03", notice.RightAccess), closed("2026-01-05", "2026-02-03", true, false)})
	charts := d.Charts("dash")
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3", len(charts))
	}
	ids := map[string]bool{}
	for _, c := range charts {
		svg := string(c.SVG())
		wellFormed(t, svg)
		if ids[c.ID] || !strings.HasPrefix(c.ID, "dash-") {
			t.Errorf("chart id %q is repeated or unprefixed", c.ID)
		}
		ids[c.ID] = true
	}
	if desc := string(charts[0].SVG()); !strings.Contains(desc, "New: 1. Waiting for requester: 0. In progress: 0.") {
		t.Errorf("state chart desc does not read out the figures:\n%s", desc)
	}
	if bars := charts[2].Bars; len(bars) != report.Months || bars[10].Label != "Feb 2026" || bars[10].Values[0] != 1 {
		t.Errorf("closed chart bars = %+v", bars)
	}
}

// The site's CSP has no 'unsafe-inline' for styles, so a style attribute
// would be dropped by the browser and reported as a violation.
func TestChartsNeedNoInlineStyle(t *testing.T) {
	d := report.Build(date(today), []*cases.Case{open(cases.StateNew, "2026-03-03", notice.RightAccess), closed("2026-01-05", "2026-02-03", true, false)})
	for _, c := range d.Charts("dash") {
		dec := xml.NewDecoder(strings.NewReader(string(c.SVG())))
		root := true
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			el, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			attrs := map[string]string{}
			for _, a := range el.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if _, ok := attrs["style"]; ok {
				t.Errorf("%s: <%s> has a style attribute", c.ID, el.Name.Local)
			}
			if root {
				root = false
				if attrs["width"] == "" || attrs["height"] == "" || !strings.HasSuffix(attrs["viewBox"], " "+attrs["width"]+" "+attrs["height"]) || attrs["class"] != "app-chart" {
					t.Errorf("%s: <svg> sized by %v, want width and height matching the viewBox and the app-chart class", c.ID, attrs)
				}
			}
		}
	}
}
