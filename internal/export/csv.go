package export

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Lister is the casework query CasesCSV pages through.
type Lister interface {
	List(ctx context.Context, q usecase.Query) (*usecase.Page, error)
}

// csvPage is how many cases CasesCSV asks for at a time; each page is
// flushed to the writer before the next is read.
const csvPage = 500

// CasesCSV streams every case matching the query's filter and order (as
// the list API reads them: "" lists open cases by due date; order by
// "received" for closed cases too) as CSV. Personal adds the requester's
// details, for record keeping that needs them; leave it off otherwise.
func CasesCSV(ctx context.Context, w io.Writer, list Lister, filter, orderBy string, personal bool) error {
	out := NewCSV(w, personal)
	q := usecase.Query{Filter: filter, OrderBy: orderBy, Limit: csvPage}
	for {
		page, err := list.List(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range page.Cases {
			if err := out.Write(c); err != nil {
				return err
			}
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if page.Next == nil {
			return nil
		}
		q.After = page.Next
	}
}

// CSV writes cases as CSV rows under a header row.
type CSV struct {
	w        *csv.Writer
	personal bool
	started  bool
}

// NewCSV returns a CSV writer; personal adds the requester's details.
func NewCSV(w io.Writer, personal bool) *CSV {
	return &CSV{w: csv.NewWriter(w), personal: personal}
}

var csvColumns = []string{
	"reference", "case_id", "state", "waiting_for", "notice", "notice_version", "context", "audience", "rights",
	"channel", "region", "received_on", "clock_start", "statutory_due", "extended_due", "due", "clock_paused",
	"assignee", "identity_status", "fee_status", "extension_granted_on", "extension_months",
	"outcome", "refusal_reason", "closed_on", "on_time", "systems_searched", "systems_not_searched", "open_tasks",
	"created", "updated",
}

// personalColumns hold the requester's details and free text that may
// describe them.
var personalColumns = []string{
	"requester_name", "requester_email", "requester_phone", "requester_postal_address", "relationship",
	"data_subject_name", "representative_authority", "extension_reason", "outcome_detail",
}

// Write adds one case, after the header row if it is the first.
func (x *CSV) Write(c *cases.Case) error {
	if !x.started {
		x.started = true
		header := csvColumns
		if x.personal {
			header = append(append([]string(nil), csvColumns...), personalColumns...)
		}
		if err := x.w.Write(header); err != nil {
			return err
		}
	}
	return x.w.Write(neutralise(x.row(c)))
}

// Flush writes any buffered rows and reports the first write error.
func (x *CSV) Flush() error {
	x.w.Flush()
	return x.w.Error()
}

func (x *CSV) row(c *cases.Case) []string {
	rights := make([]string, len(c.Rights))
	for i, r := range c.Rights {
		rights[i] = string(r.Right)
	}
	var extOn, extMonths, extReason string
	if c.Extension != nil {
		extOn, extMonths, extReason = c.Extension.GrantedOn, strconv.Itoa(c.Extension.Months), c.Extension.Reason
	}
	var outcome, refusal, closedOn, onTime, detail string
	if c.Outcome != nil {
		outcome, refusal, closedOn, onTime, detail = string(c.Outcome.Kind), string(c.Outcome.RefusalReason), c.Outcome.ClosedOn, strconv.FormatBool(c.Outcome.OnTime), c.Outcome.Detail
	}
	searched, skipped := c.SearchCounts()
	openTasks := 0
	for _, t := range c.Tasks {
		if t.State == cases.TaskOpen {
			openTasks++
		}
	}
	// A case names any number of notices: each column lists them in the
	// case's order, separated by ";", so the columns stay aligned.
	var noticeIDs, versions, contexts, audiences []string
	for _, n := range c.Notices {
		noticeIDs, versions = append(noticeIDs, n.ID), append(versions, strconv.Itoa(n.Version))
		contexts, audiences = append(contexts, n.Context), append(audiences, n.Audience)
	}
	row := []string{
		c.Reference, c.ID, string(c.State), string(c.WaitingFor), strings.Join(noticeIDs, ";"), strings.Join(versions, ";"),
		strings.Join(contexts, ";"), strings.Join(audiences, ";"),
		strings.Join(rights, ";"), string(c.Channel), c.Region, c.ReceivedOn, c.Clock.Start, c.Clock.StatutoryDue,
		c.Clock.ExtendedDue, c.Clock.Due, strconv.FormatBool(c.Clock.Paused), c.Assignee, string(c.IdentityStatus),
		string(c.FeeStatus), extOn, extMonths, outcome, refusal, closedOn, onTime, strconv.Itoa(searched),
		strconv.Itoa(skipped), strconv.Itoa(openTasks), c.Created.UTC().Format(timeLayout), c.Updated.UTC().Format(timeLayout),
	}
	if !x.personal {
		return row
	}
	var subject string
	if c.Requester.DataSubject != nil {
		subject = c.Requester.DataSubject.Name
	}
	p := c.Requester.Person
	return append(row, p.Name, p.Email, p.Phone, p.PostalAddress, string(c.Requester.Relationship), subject, c.Requester.Authority, extReason, detail)
}

// timeLayout is RFC 3339 to the second, which spreadsheets read as text
// rather than reformat.
const timeLayout = "2006-01-02T15:04:05Z07:00"

// NeutraliseCell stops a spreadsheet reading a cell as a formula (OWASP's
// "CSV injection"): a value starting with = + - @ or with any control
// character (tab, carriage return, NUL…), or starting with one of = + - @
// after spaces or control characters that an importer may trim, gets a
// leading apostrophe, which Excel, LibreOffice and Google Sheets take as
// "this is text" and do not display.
func NeutraliseCell(s string) string {
	if s == "" {
		return s
	}
	first, _ := utf8.DecodeRuneInString(s)
	rest := strings.TrimLeftFunc(s, func(r rune) bool { return r == ' ' || unicode.IsControl(r) })
	if unicode.IsControl(first) || strings.ContainsRune("=+-@", first) || (rest != "" && strings.ContainsRune("=+-@", rune(rest[0]))) {
		return "'" + s
	}
	return s
}

func neutralise(row []string) []string {
	for i, cell := range row {
		row[i] = NeutraliseCell(cell)
	}
	return row
}
