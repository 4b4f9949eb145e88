package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func runDevSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev seed", stderr)
	data := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	opts := devseed.Options{}
	fs.IntVar(&opts.Cases, "cases", 10_000, "how many cases to open")
	fs.Uint64Var(&opts.Seed, "seed", 1, "picks the cases; the same seed opens the same cases, and running again with it adds none")
	fs.IntVar(&opts.Writers, "writers", 64, "cases opened at once, so many commit in one transaction")
	holidays := fs.String("holidays", "", "GOV.UK bank-holidays.json to merge over the built-in calendars, as given to serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if opts.Cases < 0 {
		fmt.Fprintln(stderr, "--cases must not be negative")
		return errUsage
	}
	cal, err := loadCalendars(*holidays)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *data)
	if err != nil {
		return err
	}
	if !st.Sealed() {
		_ = st.Close()
		return fmt.Errorf("dev seed writes cases, which are encrypted at rest: give it the keyring serve will use, in $%s (a file) or $%s", keyringFileEnv, keyring.EnvVar)
	}
	opts.Progress = func(done int) { fmt.Fprintf(stderr, "seeded %d/%d cases\n", done, opts.Cases) }
	res, err := devseed.Seed(ctx, st, deadline.NewEngine(cal), opts)
	if err = errors.Join(err, st.Close()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "opened %d cases (%d closed, %d audit events) in %s, %.0f cases/s\n",
		res.Cases, res.Closed, res.Events, res.Elapsed.Round(time.Millisecond), float64(res.Cases)/res.Elapsed.Seconds())
	return nil
}
