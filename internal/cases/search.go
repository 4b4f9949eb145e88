package cases

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// SearchKind says whether a search record is a search made or a source
// deliberately left out.
type SearchKind string

const (
	SearchDone    SearchKind = "searched"
	SearchSkipped SearchKind = "not_searched"
)

// Search is one entry of the record UK GDPR Art 15(1A) expects of a
// "reasonable and proportionate search": each system or team searched, when,
// by whom and what was found, and each one not searched and why. Entries are
// only ever appended, so the record shows the search as it was done.
type Search struct {
	ID     string     `json:"id"`
	Kind   SearchKind `json:"kind"`
	Source string     `json:"source"`          // the system or team
	On     string     `json:"on,omitempty"`    // searched: the date of the search
	By     string     `json:"by,omitempty"`    // searched: who did it
	Found  string     `json:"found,omitempty"` // searched: what was found, "nothing" included
	Reason string     `json:"reason,omitempty"`
	// RecordedBy and Recorded say who wrote the entry and when, which may
	// differ from who searched and when (a team reports back by email).
	RecordedBy string    `json:"recorded_by"`
	Recorded   time.Time `json:"recorded"`
	// RequestID is the client's id for the request that recorded the
	// entry, so that a retry records no second one (Repeats).
	RequestID string `json:"request_id,omitempty"`
}

// Bounds on the free text of a search record: enough for a paragraph, not
// for pasting the data found into the record.
const (
	MaxSearchSource = 200
	MaxSearchText   = 2000
)

// RecordSearch adds a system or team that was searched. By defaults to the
// actor and On to today.
type RecordSearch struct {
	Source    string
	On        string
	By        string
	Found     string
	RequestID string // see Repeats
}

// Action implements Command.
func (RecordSearch) Action() string { return "case.search_recorded" }

func (cmd RecordSearch) statedOn() string { return cmd.On }

func (cmd RecordSearch) apply(c *Case, env Env) (map[string]any, error) {
	s := Search{
		Kind: SearchDone, Source: strings.TrimSpace(cmd.Source), By: strings.TrimSpace(cmd.By),
		Found: strings.TrimSpace(cmd.Found), RecordedBy: env.Actor, Recorded: env.Now, RequestID: cmd.RequestID,
	}
	if s.By == "" {
		s.By = env.Actor
	}
	var v []fault.FieldViolation
	checkText(&v, "source", s.Source, MaxSearchSource, line, "name the system or team searched")
	checkText(&v, "by", s.By, MaxSearchSource, line, "say who searched")
	checkText(&v, "found", s.Found, MaxSearchText, paragraph, `say what was found, or "nothing"`)
	// The date is checked with the text so one answer names every bad field.
	on, err := actionDate(c, env, "on", cmd.On)
	var inv *fault.InvalidArgument
	if errors.As(err, &inv) {
		v = append(v, inv.Violations...)
	} else if err != nil {
		return nil, err
	}
	s.On = on
	return c.addSearch(s, v)
}

// RecordNotSearched adds a system or team that was deliberately not
// searched, and why: the other half of showing a search was proportionate.
type RecordNotSearched struct {
	Source    string
	Reason    string
	On        string // the date the source was set aside; today by default
	RequestID string // see Repeats
}

// Action implements Command.
func (RecordNotSearched) Action() string { return "case.not_searched_recorded" }

func (cmd RecordNotSearched) statedOn() string { return cmd.On }

func (cmd RecordNotSearched) apply(c *Case, env Env) (map[string]any, error) {
	s := Search{
		Kind: SearchSkipped, Source: strings.TrimSpace(cmd.Source), Reason: strings.TrimSpace(cmd.Reason),
		RecordedBy: env.Actor, Recorded: env.Now, RequestID: cmd.RequestID,
	}
	var v []fault.FieldViolation
	checkText(&v, "source", s.Source, MaxSearchSource, line, "name the system or team not searched")
	checkText(&v, "reason", s.Reason, MaxSearchText, paragraph, "say why it was not searched (e.g. it holds no data about people like the requester)")
	on, err := actionDate(c, env, "on", cmd.On)
	var inv *fault.InvalidArgument
	if errors.As(err, &inv) {
		v = append(v, inv.Violations...)
	} else if err != nil {
		return nil, err
	}
	s.On = on
	return c.addSearch(s, v)
}

// addSearch appends the entry, unless the case is closed or the entry has
// violations, and returns the audit payload. What was found and why a source
// was skipped can describe the requester's data, so the whole entry goes to
// the erasable payload and the chain only counts entries.
func (c *Case) addSearch(s Search, v []fault.FieldViolation) (map[string]any, error) {
	if !c.Open() {
		return nil, c.illegal("record a search on")
	}
	if problem := identifierProblem(s.RequestID, false); problem != "" {
		v = append(v, fault.FieldViolation{Field: "request_id", Description: problem})
	}
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	if err := c.checkRoom(len(c.Searches), MaxSearches, "search records"); err != nil {
		return nil, err
	}
	s.ID = fmt.Sprintf("s%d", len(c.Searches)+1)
	c.Searches = append(c.Searches, s)
	return map[string]any{"search": s}, nil
}

// SearchCounts counts the systems or teams searched and those not searched.
func (c *Case) SearchCounts() (searched, skipped int) {
	for _, s := range c.Searches {
		if s.Kind == SearchDone {
			searched++
		} else {
			skipped++
		}
	}
	return searched, skipped
}
