package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// pauseFlags collects repeated --pause ASKED:ANSWERED values.
type pauseFlags []*rdv1.ClarificationPause

func (p *pauseFlags) String() string { return fmt.Sprint(len(*p), " pauses") }

func (p *pauseFlags) Set(v string) error {
	asked, answered, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("want ASKED:ANSWERED, e.g. 2026-03-04:2026-03-10")
	}
	*p = append(*p, &rdv1.ClarificationPause{Asked: asked, Answered: answered})
	return nil
}

func runDeadline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("deadline", stderr)
	req := &rdv1.CalculateDeadlineRequest{}
	var pauses pauseFlags
	regime := fs.String("regime", "uk-gdpr", "uk-gdpr, eu-gdpr or ccpa")
	fs.StringVar(&req.Region, "region", deadline.EnglandAndWales, "bank-holiday region: england-and-wales, scotland or northern-ireland")
	fs.StringVar(&req.Received, "received", "", "date the request was received (YYYY-MM-DD, required)")
	fs.StringVar(&req.IdentityReceived, "id-received", "", "date identity information was received, if asked for")
	fs.StringVar(&req.FeeReceived, "fee-received", "", "date a fee was received, if charged")
	fs.Var(&pauses, "pause", "clarification pause ASKED:ANSWERED (repeatable)")
	extend := fs.Bool("extend", false, "apply an extension of two further months")
	extendOn := fs.String("extend-on", "", "date the extension was decided (default: the date received)")
	extendReason := fs.String("extend-reason", "complex or numerous requests", "reason for the extension")
	fs.BoolVar(&req.CautiousPauses, "cautious", false, "count pauses as answered − asked days (one day fewer)")
	target := fs.Int("target-days", 0, "also show an internal target this many days after the clock starts")
	fs.StringVar(&req.AsOf, "as-of", "", "measure days left from this date (default: today)")
	holidays := fs.String("holidays", "", "GOV.UK bank-holidays.json to extend the built-in bank holidays")
	asJSON := fs.Bool("json", false, "print the result as JSON (the REST response shape)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if req.Received == "" {
		fmt.Fprintln(stderr, "--received is required")
		return errUsage
	}
	req.Regime = rdv1.Regime(rdv1.Regime_value["REGIME_"+strings.ToUpper(strings.ReplaceAll(*regime, "-", "_"))])
	if req.Regime == rdv1.Regime_REGIME_UNSPECIFIED {
		return fmt.Errorf("--regime %q: want uk-gdpr, eu-gdpr or ccpa", *regime)
	}
	req.Pauses, req.InternalTargetDays = pauses, int32(*target)
	if *extend {
		req.Extension = &rdv1.DeadlineExtension{GrantedOn: *extendOn, Reason: *extendReason}
		if req.Extension.GrantedOn == "" {
			req.Extension.GrantedOn = req.Received
		}
	}
	cal, err := loadCalendars(*holidays)
	if err != nil {
		return err
	}
	resp, err := server.NewDeadlineService(deadline.NewEngine(cal), clock.System{}).CalculateDeadline(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		opts := server.RESTMarshalOptions()
		opts.Multiline, opts.Indent = true, "  "
		out, err := opts.Marshal(resp)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, string(out))
		return err
	}
	return printDeadline(stdout, resp)
}

func printDeadline(w io.Writer, r *rdv1.CalculateDeadlineResponse) error {
	rows := [][2]string{
		{"Rule set", r.GetRuleSet()},
		{"Clock starts", r.GetClockStart()},
		{"Statutory due", r.GetStatutoryDue()},
		{"Extended due", r.GetExtendedDue()},
		{"Tell requester of extension by", r.GetExtensionNoticeBy()},
		{"Confirm receipt by", r.GetConfirmBy()},
		{"Internal target", r.GetInternalTarget()},
		{"Due", r.GetDue()},
	}
	for _, row := range rows {
		if row[1] != "" {
			fmt.Fprintf(w, "%-31s %s\n", row[0]+":", row[1])
		}
	}
	st := r.GetStanding()
	fmt.Fprintf(w, "%-31s %d calendar days, %d working days (%s)\n", "Left:", st.GetCalendarDaysLeft(), st.GetWorkingDaysLeft(), st.GetRag())
	fmt.Fprintln(w, "\nHow this was worked out:")
	for i, s := range r.GetSteps() {
		fmt.Fprintf(w, "%2d. %s\n", i+1, s.GetText())
	}
	return nil
}

var _ flag.Value = (*pauseFlags)(nil)
