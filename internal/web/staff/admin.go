package staff

import (
	"time"
	_ "time/tzdata" // UK times must not depend on the host's zone files

	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The administrators' pages (staff accounts, API tokens, importing a
// notice) share a sub-navigation and a way of saying, after a change, what
// it did: a redirect whose query names the change and the record by id,
// never by a person's name, which must stay out of addresses and logs.

// adminPage is what every administrators' page shows besides its own
// content: which of them it is, for the sub-navigation, and the success
// banner of the last change.
type adminPage struct {
	Section string
	Done    string
}

// The sections of the administrators' sub-navigation, by their paths.
const (
	sectionAccounts = "/staff/users"
	sectionTokens   = "/staff/tokens"
	sectionImport   = "/staff/notices/import"
	sectionSubjects = "/staff/data-subjects"
)

var adminSections = []web.Link{
	{Text: "Staff accounts", Href: sectionAccounts},
	{Text: "API tokens", Href: sectionTokens},
	{Text: "Import a notice", Href: sectionImport},
	{Text: "Data subject requests about Rightsdesk", Href: sectionSubjects},
}

// Sections are the administrators' pages, for the sub-navigation.
func (adminPage) Sections() []web.Link { return adminSections }

var london = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the embedded tzdata makes this unreachable
	}
	return loc
}

// ukTime shows an instant as people in the UK read it, in the style of
// GOV.UK: "9:05am on 14 March 2026".
func ukTime(t time.Time) string {
	return t.In(london).Format("3:04pm on 2 January 2006")
}
