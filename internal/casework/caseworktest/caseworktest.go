package caseworktest

import (
	"context"
	crand "crypto/rand"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// OpenStore opens the store in dir, encrypted with the test binary's
// keyring for dir (testkeys.For), and closes it when the test ends.
func OpenStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), backend, store.WithKeyring(testkeys.For(t, dir)))
	if err != nil {
		_ = backend.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// New returns a service on the store in dir, with the built-in notices
// stored and the clock fixed at now.
func New(t testing.TB, dir string, now time.Time, opts ...casework.Option) (*casework.Service, *store.Store) {
	t.Helper()
	st := OpenStore(t, dir)
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	err = store.AddMissingNotices(context.Background(), st, notices)
	if err != nil {
		t.Fatal(err)
	}
	return casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clock.Fixed(now), crand.Reader, opts...), st
}

// Organisation is the fictitious organisation whose letters tests write,
// with its status page at https://rights.example.org/status.
var Organisation = letters.Organisation{
	Name: "Example Office", Email: "privacy@example.org", Address: "1 Example Street, Exampleton, EX1 2AB",
	StatusPage: "https://rights.example.org/status",
}

// Letters is a writer of Organisation's letters from the built-in
// templates, for casework.SendLetters.
func Letters(t testing.TB) *letters.Writer {
	t.Helper()
	templates, err := letters.Load("")
	if err != nil {
		t.Fatal(err)
	}
	w, err := letters.NewWriter(templates, Organisation)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Applier runs a command on a case as an actor, as casework.Service does.
type Applier interface {
	Apply(ctx context.Context, actor, id, etag string, cmd cases.Command) (*cases.Case, error)
}

// ReleasePack takes case id's response pack through its four-eyes review
// as two caseworkers would (one submits, another approves) and releases
// it, so that an access case can close as fulfilled.
func ReleasePack(t testing.TB, work Applier, id string) *cases.Case {
	t.Helper()
	var c *cases.Case
	for _, s := range []struct {
		actor string
		cmd   cases.Command
	}{
		{"user:submitter", cases.SubmitForReview{}},
		{"user:reviewer", cases.ApproveReview{}},
		{"user:submitter", cases.ReleasePack{}},
	} {
		var err error
		if c, err = work.Apply(context.Background(), s.actor, id, "", s.cmd); err != nil {
			t.Fatalf("%s: %v", s.cmd.Action(), err)
		}
	}
	return c
}
