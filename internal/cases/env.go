package cases

import (
	"io"
	"time"
	_ "time/tzdata" // the UK calendar date must not depend on the host's zone files

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// london is the zone whose calendar date decides "today" for UK deadlines.
var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // embedded tzdata makes this unreachable
	}
	return loc
}

// Env is everything a command may depend on besides the case itself.
type Env struct {
	Now    time.Time
	Actor  string
	Engine *deadline.Engine
	Random io.Reader
	// Notice looks a notice up by id, with every version, for the commands
	// that evaluate a request against the notices it names; nil when none
	// is needed. The caller reads them where it reads the case.
	Notice func(id string) (*notice.Notice, bool)
}

// Today is the UK calendar date at Now.
func (e Env) Today() deadline.Date { return deadline.DateOf(e.Now.In(london)) }
