package report

import (
	"slices"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Months is how far back the closed-case figures reach, the current month
// included.
const Months = 12

// Count is one labelled figure.
type Count struct {
	Key   string // the state or right, as stored
	Label string // how people read it
	N     int
}

// Month is one calendar month of closed cases.
type Month struct {
	Month  string // YYYY-MM
	Label  string // e.g. "Mar 2026"
	OnTime int    // closed on or before the due date
	Late   int
}

// Dashboard is the privacy team's figures on one day.
type Dashboard struct {
	Today string // YYYY-MM-DD the figures are as of
	Open  int
	// OpenByState lists every open state, in lifecycle order, zeros included.
	OpenByState []Count
	// OpenByRight lists the rights open cases ask for, in the catalogue's
	// order; a case asking for two rights counts under both.
	OpenByRight []Count
	// DueThisWeek counts open cases due from today to Sunday; Overdue counts
	// open cases due before today. Both follow the due date as the queue
	// shows it, so they match the queue's filters.
	DueThisWeek int
	Overdue     int
	// ClosedByMonth covers the last Months months, oldest first.
	ClosedByMonth []Month
	// Closed is the number of cases closed in those months; the median and
	// the extension count are over them.
	Closed int
	// MedianDaysToClose is the median of calendar days from receipt to
	// closure; meaningful only when Closed > 0.
	MedianDaysToClose float64
	// ExtendedClosed counts closed cases whose deadline was extended;
	// ExtendedOpen counts open cases already extended.
	ExtendedClosed int
	ExtendedOpen   int
}

// Builder accumulates a Dashboard one case at a time, so a store of any
// size is reported on without holding every case in memory.
type Builder struct {
	today, weekEnd string
	months         map[string]int // YYYY-MM → index in d.ClosedByMonth
	byState        map[cases.State]int
	byRight        map[notice.Right]int
	daysToClose    []int
	d              Dashboard
}

// NewBuilder starts a dashboard as of today.
func NewBuilder(today deadline.Date) *Builder {
	b := &Builder{
		today: today.String(), weekEnd: WeekEnd(today).String(),
		months: map[string]int{}, byState: map[cases.State]int{}, byRight: map[notice.Right]int{},
	}
	b.d.Today = b.today
	first := time.Date(today.Year, today.Month-Months+1, 1, 12, 0, 0, 0, time.UTC)
	for i := range Months {
		m := first.AddDate(0, i, 0)
		key := m.Format("2006-01")
		b.months[key] = i
		b.d.ClosedByMonth = append(b.d.ClosedByMonth, Month{Month: key, Label: m.Format("Jan 2006")})
	}
	return b
}

// WeekEnd is the last day "due this week" covers, counted from today:
// the coming Sunday, or today when it is Sunday. The dashboard's figure
// and the queue's view of that name both use it.
func WeekEnd(today deadline.Date) deadline.Date {
	return today.AddDays((7 - int(today.Weekday())) % 7)
}

// Add counts one case.
func (b *Builder) Add(c *cases.Case) {
	if c.Open() {
		b.addOpen(c)
		return
	}
	if c.Outcome == nil || len(c.Outcome.ClosedOn) < 7 {
		return
	}
	i, ok := b.months[c.Outcome.ClosedOn[:7]]
	if !ok {
		return
	}
	if c.Outcome.OnTime {
		b.d.ClosedByMonth[i].OnTime++
	} else {
		b.d.ClosedByMonth[i].Late++
	}
	b.d.Closed++
	if c.Extension != nil {
		b.d.ExtendedClosed++
	}
	received, err1 := deadline.ParseDate(c.ReceivedOn)
	closed, err2 := deadline.ParseDate(c.Outcome.ClosedOn)
	if err1 == nil && err2 == nil {
		b.daysToClose = append(b.daysToClose, deadline.DaysBetween(received, closed))
	}
}

func (b *Builder) addOpen(c *cases.Case) {
	b.d.Open++
	b.byState[c.State]++
	for _, r := range c.Rights {
		b.byRight[r.Right]++
	}
	switch due := c.Clock.Due; {
	case due < b.today:
		b.d.Overdue++
	case due <= b.weekEnd:
		b.d.DueThisWeek++
	}
	if c.Extension != nil {
		b.d.ExtendedOpen++
	}
}

// Dashboard returns the figures for the cases added so far.
func (b *Builder) Dashboard() Dashboard {
	d := b.d
	d.ClosedByMonth = slices.Clone(b.d.ClosedByMonth)
	for _, s := range cases.States {
		if s != cases.StateClosed {
			d.OpenByState = append(d.OpenByState, Count{Key: string(s), Label: StateLabel(s), N: b.byState[s]})
		}
	}
	for _, r := range notice.Rights {
		if n := b.byRight[r]; n > 0 {
			d.OpenByRight = append(d.OpenByRight, Count{Key: string(r), Label: RightLabel(r), N: n})
		}
	}
	d.MedianDaysToClose = median(b.daysToClose)
	return d
}

// Build is the dashboard of a slice of cases.
func Build(today deadline.Date, all []*cases.Case) Dashboard {
	b := NewBuilder(today)
	for _, c := range all {
		b.Add(c)
	}
	return b.Dashboard()
}

// median is the middle value, or the mean of the two middle values; 0 for
// no values.
func median(values []int) float64 {
	if len(values) == 0 {
		return 0
	}
	v := slices.Clone(values)
	slices.Sort(v)
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return float64(v[mid])
	}
	return float64(v[mid-1]+v[mid]) / 2
}

// StateLabel is how the privacy team reads a state.
func StateLabel(s cases.State) string {
	switch s {
	case cases.StateNew:
		return "New"
	case cases.StateAwaitingRequester:
		return "Waiting for requester"
	case cases.StateInProgress:
		return "In progress"
	case cases.StateClosed:
		return "Closed"
	}
	return string(s)
}

// RightLabel is the short name of a right for tables and charts.
func RightLabel(r notice.Right) string {
	switch r {
	case notice.RightAccess:
		return "Access"
	case notice.RightRectification:
		return "Rectification"
	case notice.RightErasure:
		return "Erasure"
	case notice.RightRestriction:
		return "Restriction"
	case notice.RightObjection:
		return "Objection"
	case notice.RightObjectionDirectMarketing:
		return "Objection to direct marketing"
	case notice.RightWithdrawConsent:
		return "Consent withdrawal"
	case notice.RightPortability:
		return "Portability"
	case notice.RightAutomatedDecisionReview:
		return "Automated decision review"
	}
	return string(r)
}
