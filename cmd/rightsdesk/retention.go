package main

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// runRetentionPlan lists, reading only, what the daily retention run would
// do on a day: the cases it would purge and those it keeps past their date,
// by reference, closing date, outcome and due date, never a name.
func runRetentionPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("retention plan", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", "data directory of the database (the server must be stopped); it is opened read-only; the keyring comes from $RIGHTSDESK_KEYRING or $RIGHTSDESK_KEK")
	var schedule cases.Schedule
	fs.Func("retention", "the schedule serve runs with (its --retention); default "+cases.DefaultSchedule().String(), func(v string) (err error) {
		schedule, err = cases.ParseSchedule(v)
		return err
	})
	on := fs.String("on", "", "plan the run of this day, YYYY-MM-DD (default: today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now := time.Now()
	if *on != "" {
		d, err := deadline.ParseDate(*on)
		if err != nil {
			return fmt.Errorf("--on: %w", err)
		}
		// Midday, so the UK date is the one asked for whatever the season.
		now = time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	}
	st, err := openStoreReadOnly(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	work := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clock.Fixed(now), crand.Reader, casework.RetentionSchedule(schedule))
	plan, err := work.RetentionPlan(ctx)
	if err != nil {
		return err
	}
	return printRetentionPlan(stdout, plan)
}

func printRetentionPlan(w io.Writer, p *usecase.RetentionPlan) error {
	fmt.Fprintf(w, "Retention run of %s (schedule %s)\n\n", p.Today, p.Schedule)
	section := func(title string, entries []usecase.RetentionEntry) {
		fmt.Fprintf(w, "%s: %d\n", title, len(entries))
		if len(entries) == 0 {
			fmt.Fprintln(w)
			return
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  REFERENCE\tCLOSED\tOUTCOME\tDUE\tWHY")
		for _, e := range entries {
			due := "-"
			if !e.Due.IsZero() {
				due = e.Due.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", e.Reference, e.ClosedOn, e.Outcome, due, e.Why)
		}
		_ = tw.Flush()
		fmt.Fprintln(w)
	}
	section("Would purge", p.Purge)
	section("Kept past their date", p.Held)
	_, err := fmt.Fprintf(w, "Not yet due: %d closed (%d due within %d days); open, not timed until closed: %d; already purged: %d\n",
		p.Kept, p.DueSoon, p.DueSoonDays, p.Open, p.Purged)
	return err
}
