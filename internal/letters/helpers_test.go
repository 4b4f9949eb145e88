package letters_test

import (
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
)

var update = flag.Bool("update", false, "rewrite the golden files and FIELDS.md from what the code writes now")

// Every test works on the same fictitious organisation and requester.
var (
	organisation = letters.Organisation{
		Name:       "Example Department",
		Address:    "1 Example Street\nExampleton\nEX1 2AB",
		Email:      "privacy@example.org",
		Phone:      "0100 000 0000",
		Web:        "https://www.example.org",
		DPO:        letters.Contact{Name: "Sam Sample, Data Protection Officer", Email: "dpo@example.org"},
		StatusPage: "https://rights.example.org/status",
	}
	requester = cases.Requester{
		Person:       cases.Person{Name: "Alex Example", Email: "alex@example.com", PostalAddress: "Flat 2\n10 Sample Road\nTesttown\nTT1 1TT"},
		Relationship: cases.RelationshipSelf,
	}
)

const (
	received = "2026-03-02"
	today    = "2026-03-20"
)

var engine = deadline.NewEngine(deadline.BuiltinCalendars())

// builtin is the built-in catalogue.
func builtin(t *testing.T) []notice.Notice {
	t.Helper()
	ns, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func finder(ns []notice.Notice) func(string) (*notice.Notice, bool) {
	return func(id string) (*notice.Notice, bool) {
		for i := range ns {
			if ns[i].ID == id {
				return &ns[i], true
			}
		}
		return nil, false
	}
}

// envOn is an Env at noon on day, finding the given notices.
func envOn(day string, ns []notice.Notice) cases.Env {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return cases.Env{Now: d.Add(12 * time.Hour), Actor: "caseworker", Engine: engine, Random: rand.NewChaCha8([32]byte{7}), Notice: finder(ns)}
}

// newCase creates a case received on received about the notices, as the
// domain does, and applies the commands in order.
func newCase(t *testing.T, ns []notice.Notice, refs []cases.NoticeRef, rights []notice.Right, cmds ...cases.Command) *cases.Case {
	t.Helper()
	env := envOn(today, ns)
	created, err := cases.Create(cases.NewCase{Notices: refs, Rights: rights, Requester: requester, Channel: cases.ChannelWeb, ReceivedOn: received}, env)
	if err != nil {
		t.Fatal(err)
	}
	c := created.Case
	for _, cmd := range cmds {
		if _, err := cases.Apply(c, cmd, env); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	return c
}

// searchedNothing is the search record of a case refused because no
// personal data is held.
var searchedNothing = []cases.Command{
	cases.RecordSearch{Source: "IT service management system", By: "caseworker", Found: "nothing", On: "2026-03-10"},
	cases.RecordSearch{Source: "HR records system", By: "caseworker", Found: "nothing", On: "2026-03-10"},
}

// searched is the search record most test cases carry.
var searched = []cases.Command{
	cases.RecordSearch{Source: "IT service management system", By: "caseworker", Found: "12 tickets raised by the requester", On: "2026-03-10"},
	cases.RecordNotSearched{Source: "Paper archive", Reason: "It holds records from before 2015 only, and the requester joined in 2020.", On: "2026-03-10"},
}

func writer(t *testing.T, templates *letters.Templates) *letters.Writer {
	t.Helper()
	if templates == nil {
		var err error
		if templates, err = letters.Load(""); err != nil {
			t.Fatal(err)
		}
	}
	w, err := letters.NewWriter(templates, organisation)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func write(t *testing.T, w *letters.Writer, kind letters.Kind, f letters.Facts) letters.Letter {
	t.Helper()
	if f.On == "" {
		f.On = today
	}
	l, err := w.Write(kind, f)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return l
}

// golden compares got with the file under testdata/golden, or rewrites
// the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/letters -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what the templates write now (go test ./internal/letters -update rewrites it after review):\n%s", path, firstDifference(string(want), got))
	}
}

// firstDifference shows the first line that differs.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs)"
}

// guardRailsNotUnderTest closes a letter test's case as done without the
// review and the action the closure guard-rails want (cases/review.go):
// the letters, not those, are under test.
const guardRailsNotUnderTest = "letter test: the pack and the action taken are not under test"
