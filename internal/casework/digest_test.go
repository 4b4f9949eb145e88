package casework_test

import (
	"context"
	crand "crypto/rand"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

type staffList []users.User

func (l staffList) List(context.Context) ([]users.User, error) { return l, nil }

var digestStaff = staffList{
	{ID: "a1", Email: "ada@staff.example", Name: "Ada", Role: auth.RoleCaseworker},
	{ID: "b2", Email: "bob@staff.example", Name: "Bob", Role: auth.RoleAdmin},
	{ID: "c3", Email: "cy@staff.example", Name: "Cy", Role: auth.RoleCaseworker, Disabled: true},
	{ID: "d4", Email: "di@staff.example", Name: "Di", Role: auth.RoleViewer},
	{ID: "e5", Name: "Ed (signs in with single sign-on, no address)", Role: auth.RoleCaseworker},
}

// uk is a wall-clock time in London on a day of March 2026 (GMT).
func uk(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC)
}

// digestRig is a casework service on a manual clock with cases assigned
// to the staff above: for Ada one overdue, one due in three working days,
// one due in three weeks and one whose clock is stopped; for Cy (disabled)
// and Di (a viewer) an overdue case each; nothing for Bob.
type digestRig struct {
	work    *casework.Service
	st      *store.Store
	clock   *clock.Manual
	relay   *notifytest.Server
	sender  mailSender
	overdue *cases.Case
	soon    *cases.Case
}

func newDigestRig(t *testing.T) *digestRig {
	t.Helper()
	_, st := caseworktest.New(t, t.TempDir(), uk(2, 6, 0))
	c := clock.NewManual(uk(2, 6, 0))
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), c, crand.Reader)
	relay := notifytest.Start(t)
	mailer, err := notify.ParseSMTPURL("smtp://" + relay.Addr + "?from=rightsdesk@example.org")
	if err != nil {
		t.Fatal(err)
	}
	r := &digestRig{work: w, st: st, clock: c, relay: relay, sender: mailSender{mailer}}
	assigned := func(received, to string, more ...cases.Command) *cases.Case {
		req := request("access", "")
		req.ReceivedOn = received
		created := create(t, w, req)
		for _, cmd := range append([]cases.Command{cases.Assign{Assignee: to}}, more...) {
			got, err := w.Apply(ctx, "token:test", created.ID, created.Etag(), cmd)
			if err != nil {
				t.Fatal(err)
			}
			created = got
		}
		return created
	}
	r.overdue = assigned("2026-01-15", "user:a1")                                                 // due Mon 16 Feb
	r.soon = assigned("2026-02-05", "user:a1")                                                    // due Thu 5 Mar
	assigned("2026-02-20", "user:a1")                                                             // due Fri 20 Mar
	assigned("2026-01-16", "user:a1", cases.RequestFromRequester{What: cases.WaitingForIdentity}) // clock stopped
	assigned("2026-01-15", "user:c3")
	assigned("2026-01-15", "user:d4")
	return r
}

func (r *digestRig) options() casework.DigestOptions {
	return casework.DigestOptions{At: casework.DefaultDigestTime, Site: "https://rights.example.org/", Retry: testRetry, Log: slog.New(slog.DiscardHandler)}
}

func (r *digestRig) make(t *testing.T, w *casework.Service) int {
	t.Helper()
	n, err := w.MakeDigests(ctx, r.st, digestStaff, r.options())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (r *digestRig) send(t *testing.T) {
	t.Helper()
	if err := r.work.SendStaffEmails(ctx, r.st, r.sender, r.options()); err != nil {
		t.Fatal(err)
	}
}

func (r *digestRig) queued(t *testing.T) []store.StaffEmail {
	t.Helper()
	var q []store.StaffEmail
	if err := r.st.View(ctx, func(tx store.ReadTx) (err error) { q, err = store.DueStaffEmails(tx, time.Time{}, 100); return err }); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestTheDailyDigestListsOverdueAndDueSoonOnceADay(t *testing.T) {
	r := newDigestRig(t)
	if n := r.make(t, r.work); n != 0 {
		t.Fatalf("at 06:00, before the digest time, %d digests were made", n)
	}

	r.clock.Advance(90 * time.Minute) // 07:30
	if n := r.make(t, r.work); n != 1 {
		t.Fatalf("at 07:30 %d digests were made, want 1 (Ada's)", n)
	}
	q := r.queued(t)
	if len(q) != 1 || q[0].To != "ada@staff.example" {
		t.Fatalf("queued %+v, want one email to Ada", q)
	}
	e := q[0]
	if e.Subject != "Your cases on Mon 2 Mar 2026: 1 case overdue, 1 case due in the next 5 working days" {
		t.Errorf("subject %q", e.Subject)
	}
	overdueAt, soonAt := strings.Index(e.Text, r.overdue.Reference), strings.Index(e.Text, r.soon.Reference)
	if overdueAt < 0 || soonAt < overdueAt {
		t.Errorf("the digest should list %s (overdue) before %s (due soon):\n%s", r.overdue.Reference, r.soon.Reference, e.Text)
	}
	for _, want := range []string{
		"Overdue\n- " + r.overdue.Reference + ", due Mon 16 Feb 2026. In progress. Next step: Check identity. https://rights.example.org/staff/cases/" + r.overdue.ID,
		"Due in the next 5 working days\n- " + r.soon.Reference + ", due Thu 5 Mar 2026.",
	} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, e.Text)
		}
	}
	if !strings.Contains(e.HTML, `<a href="https://rights.example.org/staff/cases/`+r.soon.ID+`">`+r.soon.Reference+`</a>`) {
		t.Errorf("the HTML does not link the case:\n%s", e.HTML)
	}
	if n := strings.Count(e.Text, "\n- "); n != 2 {
		t.Errorf("the digest lists %d cases, want 2 (not the one due in three weeks, not the one waiting for identity):\n%s", n, e.Text)
	}
	for _, personal := range []string{"Grace", "Hopper", "grace@"} {
		if strings.Contains(e.Subject+e.Text+e.HTML, personal) {
			t.Errorf("the digest carries the requester's %q", personal)
		}
	}

	// Later the same day, and after a restart (a new service on the same
	// store, as a new process or a new leader would have): nothing more.
	r.clock.Advance(4 * time.Hour)
	if n := r.make(t, r.work); n != 0 {
		t.Errorf("a second run at 11:30 made %d digests", n)
	}
	restarted := casework.New(r.st, deadline.NewEngine(deadline.BuiltinCalendars()), r.clock, crand.Reader)
	if n := r.make(t, restarted); n != 0 {
		t.Errorf("after a restart %d digests were made again", n)
	}

	// Sent once, with the digest's id as its Message-ID.
	r.send(t)
	r.send(t)
	msgs := r.relay.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ada@staff.example" || !strings.Contains(msgs[0].Data, "Message-ID: <digest-a1-2026-03-02@rightsdesk.test>") {
		t.Fatalf("relay got %+v, want one digest to Ada", msgs)
	}
	if q := r.queued(t); len(q) != 0 {
		t.Errorf("still queued after sending: %+v", q)
	}

	// The next working day brings the next digest; a Saturday none.
	r.clock.Advance(20 * time.Hour) // Tue 3 Mar 07:30
	if n := r.make(t, r.work); n != 1 {
		t.Errorf("on the next working day %d digests were made, want 1", n)
	}
	r.clock.Advance(uk(7, 9, 0).Sub(r.clock.Now()))
	if n := r.make(t, r.work); n != 0 {
		t.Errorf("on a Saturday %d digests were made", n)
	}
}

func TestADigestTheRelayRefusesIsTriedAgainAndSentOnce(t *testing.T) {
	r := newDigestRig(t)
	r.clock.Advance(time.Hour) // 07:00
	if n := r.make(t, r.work); n != 1 {
		t.Fatalf("%d digests made at 07:00, want 1", n)
	}
	r.relay.RefuseNext(1, 451)
	r.send(t)
	q := r.queued(t)
	if len(r.relay.Messages()) != 0 || len(q) != 1 || q[0].Attempts != 1 || !q[0].Due.Equal(r.clock.Now().Add(testRetry.First)) {
		t.Fatalf("after a refusal: relay %d messages, queue %+v; want it waiting %s", len(r.relay.Messages()), q, testRetry.First)
	}
	r.send(t) // not due yet
	if len(r.relay.Messages()) != 0 {
		t.Fatal("tried again before the backoff passed")
	}
	r.clock.Advance(testRetry.First)
	r.send(t)
	if len(r.relay.Messages()) != 1 || len(r.queued(t)) != 0 {
		t.Errorf("after the backoff: relay %d messages, queue %+v; want one sent, none queued", len(r.relay.Messages()), r.queued(t))
	}
}

func TestTheDigestJobSendsOnTheLeader(t *testing.T) {
	r := newDigestRig(t)
	r.clock.Advance(2 * time.Hour) // 08:00
	o := r.options()
	o.Poll = 5 * time.Millisecond
	runner := leader.NewRunner(r.st, leader.Local{}, "test", []leader.Job{r.work.DigestJob(digestStaff, r.sender, o)}, slog.New(slog.DiscardHandler))
	jobCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { runner.Run(jobCtx); close(done) }()
	defer func() { cancel(); <-done }()
	until := time.Now().Add(10 * time.Second)
	for len(r.relay.Messages()) == 0 {
		if time.Now().After(until) {
			t.Fatal("after 10s the job has sent no digest")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
