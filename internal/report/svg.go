package report

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
)

// Chart is a horizontal bar chart: one bar per category, each bar split
// into one segment per series.
type Chart struct {
	// ID prefixes the chart's element ids; it must be unique on the page.
	ID    string
	Title string
	// Desc says what the chart shows; SVG appends every value to it, so a
	// screen reader hears the data, not just the topic.
	Desc   string
	Series []string // names of the segments, at most len(patterns)
	Bars   []Bar
}

// Bar is one category and its value in each series.
type Bar struct {
	Label  string
	Values []int
}

// Layout, in SVG user units. Labels sit left of the bars and each bar's
// values follow it as text, so no value is shown by length alone.
const (
	chartWidth  = 680
	labelWidth  = 240
	barArea     = 280
	rowHeight   = 30
	barHeight   = 18
	legendRow   = 28
	titleHeight = 28
)

// patterns tell series apart without colour: solid, diagonal hatching and
// dots, each also in a different shade for those who do see colour.
var patterns = []struct{ id, def string }{
	{"solid", `<pattern id="%s-solid" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#1d70b8"/></pattern>`},
	{"hatch", `<pattern id="%s-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/><rect width="4" height="8" fill="#d4351c"/></pattern>`},
	{"dots", `<pattern id="%s-dots" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.8" fill="#0b0c0c"/></pattern>`},
}

// SVG renders the chart as an inline <svg> element for a page. All text is
// escaped here, which is what makes the result safe to mark as HTML. Its
// natural size is in width and height, not a style attribute, which the
// site's CSP refuses; the app-chart class shrinks it on a narrow screen.
func (c Chart) SVG() template.HTML {
	series := c.Series
	if len(series) == 0 {
		series = []string{""}
	}
	series = series[:min(len(series), len(patterns))]
	most := 1
	for _, b := range c.Bars {
		most = max(most, sum(b.Values, len(series)))
	}
	legend := 0
	if len(series) > 1 {
		legend = legendRow
	}
	height := titleHeight + legend + rowHeight*max(len(c.Bars), 1) + 8
	id := html.EscapeString(c.ID)

	var w strings.Builder
	fmt.Fprintf(&w, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%[1]s-title %[1]s-desc" viewBox="0 0 %[2]d %[3]d" width="%[2]d" height="%[3]d" class="app-chart" font-family="sans-serif" font-size="14">`, id, chartWidth, height)
	fmt.Fprintf(&w, `<title id="%s-title">%s</title>`, id, html.EscapeString(c.Title))
	fmt.Fprintf(&w, `<desc id="%s-desc">%s</desc>`, id, html.EscapeString(c.describe(series)))
	w.WriteString("<defs>")
	for _, p := range patterns[:len(series)] {
		fmt.Fprintf(&w, p.def, id)
	}
	w.WriteString("</defs>")
	fmt.Fprintf(&w, `<text x="0" y="18" font-weight="bold" aria-hidden="true">%s</text>`, html.EscapeString(c.Title))
	if legend > 0 {
		x := 0
		for i, name := range series {
			fmt.Fprintf(&w, `<rect x="%d" y="%d" width="16" height="16" fill="url(#%s-%s)" stroke="#0b0c0c"/>`, x, titleHeight, id, patterns[i].id)
			fmt.Fprintf(&w, `<text x="%d" y="%d">%s</text>`, x+22, titleHeight+13, html.EscapeString(name))
			x += 40 + 9*len([]rune(name))
		}
	}
	if len(c.Bars) == 0 {
		fmt.Fprintf(&w, `<text x="0" y="%d">No cases.</text>`, titleHeight+legend+18)
	}
	for row, b := range c.Bars {
		y := titleHeight + legend + row*rowHeight
		fmt.Fprintf(&w, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelWidth-8, y+barHeight-4, html.EscapeString(b.Label))
		x := labelWidth
		for i := range series {
			v := value(b.Values, i)
			if v == 0 {
				continue
			}
			width := max(v*barArea/most, 2)
			fmt.Fprintf(&w, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s-%s)" stroke="#0b0c0c"/>`, x, y, width, barHeight, id, patterns[i].id)
			x += width
		}
		fmt.Fprintf(&w, `<text x="%d" y="%d">%s</text>`, x+6, y+barHeight-4, html.EscapeString(valueText(b.Values, series)))
	}
	w.WriteString("</svg>")
	return template.HTML(w.String())
}

// describe is the desc text: the chart's purpose and every value.
func (c Chart) describe(series []string) string {
	parts := []string{strings.TrimSuffix(c.Desc, ".") + "."}
	for _, b := range c.Bars {
		parts = append(parts, b.Label+": "+valueText(b.Values, series)+".")
	}
	return strings.Join(parts, " ")
}

// valueText is what a bar says: "7", or "5 on time, 2 late".
func valueText(values []int, series []string) string {
	if len(series) == 1 {
		return strconv.Itoa(value(values, 0))
	}
	parts := make([]string, len(series))
	for i, name := range series {
		parts[i] = strconv.Itoa(value(values, i)) + " " + name
	}
	return strings.Join(parts, ", ")
}

func value(values []int, i int) int {
	if i < len(values) && values[i] > 0 {
		return values[i]
	}
	return 0
}

func sum(values []int, n int) int {
	total := 0
	for i := range n {
		total += value(values, i)
	}
	return total
}

// Charts are the dashboard's charts, with ids prefixed by prefix.
func (d Dashboard) Charts(prefix string) []Chart {
	byState := Chart{ID: prefix + "-state", Title: "Open cases by state", Desc: "Number of open cases in each state"}
	for _, c := range d.OpenByState {
		byState.Bars = append(byState.Bars, Bar{Label: c.Label, Values: []int{c.N}})
	}
	byRight := Chart{ID: prefix + "-right", Title: "Open cases by right", Desc: "Number of open cases asking for each right; a case asking for two rights counts under both"}
	for _, c := range d.OpenByRight {
		byRight.Bars = append(byRight.Bars, Bar{Label: c.Label, Values: []int{c.N}})
	}
	closed := Chart{
		ID: prefix + "-closed", Title: "Cases closed per month", Series: []string{"on time", "late"},
		Desc: fmt.Sprintf("Cases closed in each of the last %d months, on time and late", Months),
	}
	for _, m := range d.ClosedByMonth {
		closed.Bars = append(closed.Bars, Bar{Label: m.Label, Values: []int{m.OnTime, m.Late}})
	}
	return []Chart{byState, byRight, closed}
}
