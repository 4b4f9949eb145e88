package casework

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// The daily digest: once a working day, at a set local time, each enabled
// caseworker and administrator with an email address is sent the open
// cases assigned to them that are overdue or fall due within the next few
// working days. Whether an account's digest for a date has been made is
// recorded in the transaction that queues it (store.PutDigestMadeOn), so
// two ticks, a restart or a new leader never make a second; the email
// waits in the staff outbox (store.StaffEmail), sent with retries and at
// most once, as case letters are. It names no requester: references,
// dates, states and next steps only, since staff mail is read on phones
// and kept by mail providers.

// StaffDirectory lists the staff accounts (internal/accounts).
type StaffDirectory interface {
	List(ctx context.Context) ([]users.User, error)
}

// Transactor runs store transactions: the job's *leader.Lead, whose writes
// fail once another replica leads, or a *store.Store.
type Transactor interface {
	View(ctx context.Context, fn func(store.ReadTx) error) error
	Update(ctx context.Context, fn func(store.WriteTx) error) error
}

// DigestOptions tune the daily digest; zero fields take the defaults.
type DigestOptions struct {
	// At is the local time of day digests are made, as time since
	// midnight (zero is midnight; DefaultDigestTime is the usual);
	// Location is that time's zone (Europe/London), whose date is also the
	// digest's date.
	At       time.Duration
	Location *time.Location
	// Site is the address the staff pages are reached at (--public-url),
	// for a link to each case.
	Site string
	// Within is how many working days ahead a case counts as falling due
	// (5).
	Within int
	// Poll is how often the job looks at the time and the staff outbox
	// (1 minute); Claim, Retry and Batch are as for OutboxOptions.
	Poll, Claim time.Duration
	Retry       cases.RetryPolicy
	Batch       int
	Log         *slog.Logger
}

// DefaultDigestTime is when digests are made unless staff configure
// another time: 07:00, before the working day starts.
const DefaultDigestTime = 7 * time.Hour

func (o *DigestOptions) defaults() {
	if o.Location == nil {
		o.Location = ukTime
	}
	if o.Within <= 0 {
		o.Within = 5
	}
	if o.Poll <= 0 {
		o.Poll = time.Minute
	}
	outbox := OutboxOptions{Claim: o.Claim, Retry: o.Retry, Batch: o.Batch, Log: o.Log}
	outbox.defaults()
	o.Claim, o.Retry, o.Batch, o.Log = outbox.Claim, outbox.Retry, outbox.Batch, outbox.Log
	o.Site = strings.TrimSuffix(o.Site, "/")
}

var ukTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // cases embeds the tzdata: unreachable
	}
	return loc
}()

// DigestJob is the leader's job that makes the daily digests and sends
// them through sender.
func (s *Service) DigestJob(staff StaffDirectory, sender Sender, o DigestOptions) leader.Job {
	o.defaults()
	return leader.Job{Name: "digest", Run: func(ctx context.Context, lead *leader.Lead) error {
		for {
			if _, err := s.MakeDigests(ctx, lead, staff, o); err != nil {
				return err
			}
			if err := s.SendStaffEmails(ctx, lead, sender, o); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.Poll):
			}
		}
	}}
}

// MakeDigests queues today's digest for every recipient who has not had
// one, once the digest time has passed on a working day of the default
// region; it returns how many emails it queued. A recipient with nothing
// overdue or due soon gets no email, but the day is recorded all the same.
func (s *Service) MakeDigests(ctx context.Context, tx Transactor, staff StaffDirectory, o DigestOptions) (int, error) {
	o.defaults()
	now := s.clock.Now().In(o.Location)
	day := deadline.DateOf(now)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, o.Location)
	if now.Before(midnight.Add(o.At)) || !s.workingDay(day) {
		return 0, nil
	}
	people, err := staff.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("list the staff for the digest: %w", err)
	}
	made := 0
	for _, u := range people {
		if u.Disabled || u.Email == "" || !u.Role.Includes(auth.RoleCaseworker) {
			continue
		}
		var done bool
		if err := tx.View(ctx, func(rt store.ReadTx) error { done = store.DigestMadeOn(rt, u.ID) == day.String(); return nil }); err != nil || done {
			if err != nil {
				return made, err
			}
			continue
		}
		d, err := s.digestOf(ctx, u, day, o)
		if err != nil {
			return made, err
		}
		queued := false
		err = tx.Update(ctx, func(wt store.WriteTx) error {
			queued = false
			if store.DigestMadeOn(wt, u.ID) == day.String() {
				return nil // made meanwhile
			}
			if err := store.PutDigestMadeOn(wt, u.ID, day.String()); err != nil {
				return err
			}
			if d.empty() {
				return nil
			}
			queued = true
			return store.PutStaffEmail(wt, d.email(u, day, now))
		})
		if err != nil {
			return made, fmt.Errorf("queue the digest of account %s: %w", u.ID, err)
		}
		if queued {
			made++
		}
	}
	if made > 0 {
		o.Log.Info("daily digests queued", "date", day.String(), "emails", made)
	}
	return made, nil
}

// workingDay is whether the default region's office works on day.
func (s *Service) workingDay(day deadline.Date) bool {
	region := s.region
	if region == "" {
		region = deadline.EnglandAndWales
	}
	// The working days after the day before, up to and including day.
	st, err := s.engine.StandingOn(region, day, day.AddDays(-1))
	return err == nil && st.WorkingDaysLeft == 1
}

// digest is what one person is told: their overdue cases and those
// falling due soon, each in due order.
type digest struct {
	overdue, dueSoon []digestLine
	within           int
}

type digestLine struct {
	Reference, Due, State, NextStep, Link string
}

func (d digest) empty() bool { return len(d.overdue) == 0 && len(d.dueSoon) == 0 }

// digestOf reads the open cases assigned to u, through the assignee index
// in due order, and picks those overdue or due within o.Within working
// days of day. A case whose clock is stopped is neither: its due date
// moves until the requester answers.
func (s *Service) digestOf(ctx context.Context, u users.User, day deadline.Date, o DigestOptions) (digest, error) {
	d := digest{within: o.Within}
	env := s.env("")
	q := usecase.Query{Filter: `open=true AND assignee="` + u.Actor() + `"`, Limit: 500}
	for {
		page, err := s.List(ctx, q)
		if err != nil {
			return d, err
		}
		for _, c := range page.Cases {
			st := c.StandingOn(s.engine, day)
			if st == nil || (!st.Overdue && st.WorkingDaysLeft > o.Within) {
				continue
			}
			due, _ := deadline.ParseDate(c.Clock.Due) // StandingOn has read it
			line := digestLine{Reference: c.Reference, Due: due.Human(), State: stateWords(c), NextStep: actionWords(c.NextAction(env))}
			if o.Site != "" {
				line.Link = o.Site + "/staff/cases/" + c.ID
			}
			if st.Overdue {
				d.overdue = append(d.overdue, line)
			} else {
				d.dueSoon = append(d.dueSoon, line)
			}
		}
		if page.Next == nil {
			return d, nil
		}
		q.After = page.Next
	}
}

// stateWords is the case's state as staff read it, with what it waits for.
func stateWords(c *cases.Case) string {
	s := report.StateLabel(c.State)
	if c.WaitingFor != cases.WaitingForNothing {
		s += " (waiting for " + string(c.WaitingFor) + ")"
	}
	return s
}

// actionWords is an action's name as a sentence: "Record search".
func actionWords(a cases.StaffAction) string {
	if a == "" {
		return "None"
	}
	w := strings.ReplaceAll(string(a), "_", " ")
	return strings.ToUpper(w[:1]) + w[1:]
}

// email is the digest as the staff outbox keeps it. Its id is the
// account's and the date's, so every attempt carries the same Message-ID.
func (d digest) email(u users.User, day deadline.Date, now time.Time) store.StaffEmail {
	var parts []string
	if n := len(d.overdue); n > 0 {
		parts = append(parts, plural(n, "case")+" overdue")
	}
	if n := len(d.dueSoon); n > 0 {
		parts = append(parts, fmt.Sprintf("%s due in the next %d working days", plural(n, "case"), d.within))
	}
	subject := "Your cases on " + day.Human() + ": " + strings.Join(parts, ", ")
	var text, page strings.Builder
	text.WriteString(subject + ".\n")
	page.WriteString("<p>" + html.EscapeString(subject) + ".</p>\n")
	section := func(title string, lines []digestLine) {
		if len(lines) == 0 {
			return
		}
		text.WriteString("\n" + title + "\n")
		page.WriteString("<h2>" + html.EscapeString(title) + "</h2>\n<ul>\n")
		for _, l := range lines {
			fmt.Fprintf(&text, "- %s, due %s. %s. Next step: %s.", l.Reference, l.Due, l.State, l.NextStep)
			ref := html.EscapeString(l.Reference)
			if l.Link != "" {
				fmt.Fprintf(&text, " %s", l.Link)
				ref = `<a href="` + html.EscapeString(l.Link) + `">` + ref + `</a>`
			}
			text.WriteString("\n")
			fmt.Fprintf(&page, "<li>%s, due %s. %s. Next step: %s.</li>\n", ref, html.EscapeString(l.Due), html.EscapeString(l.State), html.EscapeString(l.NextStep))
		}
		page.WriteString("</ul>\n")
	}
	section("Overdue", d.overdue)
	section(fmt.Sprintf("Due in the next %d working days", d.within), d.dueSoon)
	text.WriteString("\nYou get this email each working day you have cases overdue or due soon.\n")
	page.WriteString("<p>You get this email each working day you have cases overdue or due soon.</p>\n")
	return store.StaffEmail{Due: now, ID: "digest-" + u.ID + "-" + day.String(), To: u.Email, Subject: subject, Text: text.String(), HTML: page.String()}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// SendStaffEmails sends every staff email due now, one at a time: each
// is claimed (moved Claim into the future) before it leaves, so a sender
// that dies mid-send leaves it to be tried again once the claim runs out,
// and never sent twice meanwhile; a refusal is tried again with backoff
// until the retry policy gives up, a permanent refusal at once.
func (s *Service) SendStaffEmails(ctx context.Context, tx Transactor, sender Sender, o DigestOptions) error {
	o.defaults()
	for {
		var due []store.StaffEmail
		err := tx.View(ctx, func(rt store.ReadTx) (err error) {
			due, err = store.DueStaffEmails(rt, s.clock.Now(), o.Batch)
			return err
		})
		if err != nil || len(due) == 0 {
			return err
		}
		for _, e := range due {
			if err := s.sendStaffEmail(ctx, tx, sender, o, e); err != nil {
				return err
			}
		}
	}
}

func (s *Service) sendStaffEmail(ctx context.Context, tx Transactor, sender Sender, o DigestOptions, e store.StaffEmail) error {
	claimed := e
	claimed.Due = s.clock.Now().Add(o.Claim)
	held := false
	err := tx.Update(ctx, func(wt store.WriteTx) error {
		if held = store.StaffEmailHeld(wt, e); !held {
			return nil // taken meanwhile
		}
		if err := store.DeleteStaffEmail(wt, e); err != nil {
			return err
		}
		return store.PutStaffEmail(wt, claimed)
	})
	if err != nil || !held {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, o.Claim/2)
	sendErr := sender.Send(sendCtx, Letter{ID: e.ID, To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML})
	cancel()
	if sendErr != nil && ctx.Err() != nil {
		return ctx.Err() // stopping: the claim runs out and it is tried again
	}
	again := claimed
	giveUp := false
	if sendErr != nil {
		again.Attempts++
		var wait time.Duration
		wait, giveUp = o.Retry.Wait(again.Attempts)
		giveUp = giveUp || permanent(sendErr)
		again.Due = s.clock.Now().Add(wait)
	}
	err = tx.Update(ctx, func(wt store.WriteTx) error {
		if !store.StaffEmailHeld(wt, claimed) {
			return nil
		}
		if err := store.DeleteStaffEmail(wt, claimed); err != nil {
			return err
		}
		if sendErr == nil || giveUp {
			return nil
		}
		return store.PutStaffEmail(wt, again)
	})
	if err != nil {
		return fmt.Errorf("record the sending of staff email %s: %w", e.ID, err)
	}
	switch {
	case giveUp:
		o.Log.Error("staff email not delivered; given up", "email", e.ID, "attempts", again.Attempts, "error", scrubbed(sendErr, e.To))
	case sendErr != nil:
		o.Log.Warn("staff email not delivered; will try again", "email", e.ID, "attempts", again.Attempts, "error", scrubbed(sendErr, e.To))
	}
	return nil
}
