package casework

// Retention and erasure: destroying a case's personal data.
//
// For erasure (Rightsdesk's own data subjects) call
//
//	func (s *Service) PurgeCase(ctx context.Context, actor, caseID string, reason cases.PurgeReason) (*cases.Case, error)
//
// with reason cases.PurgeErasure. It checks cases.CheckPurge (closed, not on
// legal hold, not purged already; FailedPrecondition otherwise), and in one
// transaction calls store.PurgeCase and appends the audit event
// "case.purged" (its after: reason; no personal data), then removes the
// case's documents from the blob store. It returns the tombstone.
//
// For retention, the leader runs RetentionJob: once a day it purges, one
// transaction each, every case RetentionPlan lists as due. RetentionPlan is
// what `rightsdesk retention plan` and the staff retention page show.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Retention = (*Service)(nil)

// RetentionSchedule sets how long closed cases keep their personal data
// (cases.DefaultSchedule when not given).
func RetentionSchedule(sch cases.Schedule) Option { return func(s *Service) { s.retention = sch } }

func (s *Service) schedule() cases.Schedule {
	if s.retention == nil {
		return cases.DefaultSchedule()
	}
	return s.retention
}

// PurgeCase destroys one case's personal data now, for reason; see the top
// of this file.
func (s *Service) PurgeCase(ctx context.Context, actor, caseID string, reason cases.PurgeReason) (*cases.Case, error) {
	tomb, err := s.purgeIn(ctx, s.store, actor, caseID, reason)
	if err != nil {
		return nil, err
	}
	if err := s.removeFiles(ctx, s.store, caseID); err != nil {
		// The key is gone, so what is left is unreadable; the next daily
		// run removes it. The purge itself succeeded.
		slog.WarnContext(ctx, "retention: documents of a purged case not yet removed; the next run retries", "error", err)
	}
	return tomb, nil
}

func (s *Service) purgeIn(ctx context.Context, tx Transactor, actor, caseID string, reason cases.PurgeReason) (*cases.Case, error) {
	env := s.env(actor)
	today := env.Today()
	var tomb *cases.Case
	err := tx.Update(ctx, func(tx store.WriteTx) error {
		c, err := s.load(tx, caseID)
		if err != nil {
			return err
		}
		if err := cases.CheckPurge(c, reason, s.schedule(), today); err != nil {
			return err
		}
		if tomb, err = store.PurgeCase(tx, caseID, cases.Purged{On: today.String(), Reason: reason}, env.Now); err != nil {
			return err
		}
		change := cases.Change{Action: "case.purged", Before: map[string]string{}, After: map[string]string{"purged": string(reason)}}
		return s.record(tx, env, tomb, change)
	})
	return tomb, err
}

// documentPrefix is where every document of a case is kept in the blob
// store (documentKey).
func documentPrefix(caseID string) string { return strings.ToLower(caseID) + "/" }

// removeFiles deletes a purged case's documents and records that they are
// gone.
func (s *Service) removeFiles(ctx context.Context, tx Transactor, caseID string) error {
	if s.documents != nil {
		var keys []string
		err := s.documents.List(ctx, documentPrefix(caseID), func(i blob.Info) error {
			keys = append(keys, i.Key)
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.documents.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	return tx.Update(ctx, func(tx store.WriteTx) error { return store.FilesRemoved(tx, caseID) })
}

// RetentionPlan lists what a retention run would do today: the cases it
// would purge, the closed ones it keeps past their date and why, and the
// counts of the rest. It names no one.
func (s *Service) RetentionPlan(ctx context.Context) (*usecase.RetentionPlan, error) {
	p, err := s.RetentionDue(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx store.ReadTx) (err error) {
		p.Open, _, err = store.OpenCaseCounts(tx)
		return err
	})
	return p, err
}

// RetentionDue is RetentionPlan without the count of open cases, for the
// dashboard's figures, which do not show it.
func (s *Service) RetentionDue(ctx context.Context) (*usecase.RetentionPlan, error) {
	return s.retentionPlan(ctx, s.Today())
}

// DueSoonDays is how far ahead the dashboard counts cases falling due for
// deletion.
const DueSoonDays = 30

// retentionPlan is the plan without the count of open cases, which the
// daily run does not need: counting them reads every open case's index
// entry, a million at the scale targets, beside the server's first calls.
// It counts from the index of closed cases' retention facts and reads only
// the cases it lists, for their references and reasons.
func (s *Service) retentionPlan(ctx context.Context, today deadline.Date) (*usecase.RetentionPlan, error) {
	p := &usecase.RetentionPlan{Today: today, Schedule: s.schedule().String(), DueSoonDays: DueSoonDays}
	soon := today.AddDays(DueSoonDays)
	var listed []string
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		listed, p.Purged, p.Kept, p.DueSoon = nil, 0, 0, 0
		return store.EachClosedCase(tx, func(id string, f cases.RetentionFacts) error {
			r := f.Retention(s.schedule(), today)
			switch r.Status {
			case cases.RetentionPurged:
				p.Purged++
			case cases.RetentionKept:
				p.Kept++
				if !r.Due.IsZero() && !r.Due.After(soon) {
					p.DueSoon++
				}
			}
			if planListOf(r) != notListed {
				listed = append(listed, id)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	err = s.eachCaseOf(ctx, listed, func(c *cases.Case) {
		r := cases.RetentionOf(c, s.schedule(), today)
		e := usecase.RetentionEntry{CaseID: c.ID, Reference: c.Reference, Due: r.Due, Status: r.Status, Why: r.Why}
		if c.Outcome != nil {
			e.ClosedOn, e.Outcome = c.Outcome.ClosedOn, c.Outcome.Kind
		}
		switch planListOf(r) {
		case listedToPurge:
			p.Purge = append(p.Purge, e)
		case listedAsHeld:
			p.Held = append(p.Held, e)
		}
	})
	byDue := func(a, b usecase.RetentionEntry) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.CaseID, b.CaseID))
	}
	slices.SortFunc(p.Purge, byDue)
	slices.SortFunc(p.Held, byDue)
	return p, err
}

// planList is the list of the plan a case is shown on, if any.
type planList int

const (
	notListed planList = iota
	listedToPurge
	// listedAsHeld: on legal hold, or kept without a date to be deleted
	// on (no valid closing date), which staff should know of.
	listedAsHeld
)

// planListOf decides it once for both passes of retentionPlan: the count
// from the index, which reads only the listed cases, and the listing of
// each from its record.
func planListOf(r cases.Retention) planList {
	switch {
	case r.Status == cases.RetentionDue:
		return listedToPurge
	case r.Status == cases.RetentionLegalHold, r.Status == cases.RetentionKept && r.Due.IsZero():
		return listedAsHeld
	}
	return notListed
}

// eachCaseOf visits the cases ids names that still exist, in batches of
// short read transactions.
func (s *Service) eachCaseOf(ctx context.Context, ids []string, fn func(*cases.Case)) error {
	for len(ids) > 0 {
		batch := ids[:min(len(ids), scanBatch)]
		ids = ids[len(batch):]
		var decoded []*cases.Case
		err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
			decoded, err = decodeCases(tx, batch)
			return err
		})
		if err != nil {
			return err
		}
		for _, c := range decoded {
			fn(c)
		}
	}
	return nil
}

// decodeCases reads and decodes the cases ids names, leaving out any that
// are gone.
func decodeCases(tx store.ReadTx, ids []string) ([]*cases.Case, error) {
	var out []*cases.Case
	for i, raw := range store.CaseRecords(tx, ids) {
		if raw == nil {
			continue
		}
		c, err := store.DecodeCase(tx, ids[i], raw)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// RetentionOptions tune the daily retention run; zero fields take the
// defaults.
type RetentionOptions struct {
	// Poll is how often the job looks whether today's run is done (1 hour).
	Poll time.Duration
	// Batch bounds the cases one run purges (1,000): a backlog (the first
	// run on an old store) is worked off in further runs, Poll apart,
	// rather than in one long burst of writes.
	Batch int
	Log   *slog.Logger
}

func (o *RetentionOptions) defaults() {
	if o.Poll <= 0 {
		o.Poll = time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// RetentionActor is the actor the audit chain names for the daily run.
const RetentionActor = "system:retention"

// RetentionJob is the leader's job that runs the retention purge once a
// day.
func (s *Service) RetentionJob(o RetentionOptions) leader.Job {
	o.defaults()
	return leader.Job{Name: "retention", Run: func(ctx context.Context, lead *leader.Lead) error {
		for {
			if _, err := s.RunRetention(ctx, lead, o); err != nil {
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

// RetentionRun is what one run did, in counts.
type RetentionRun struct {
	Ran          bool // false when today's run was already done
	Purged       int
	Skipped      int // due when planned, refused when purged (changed meanwhile)
	FilesRemoved int // purged cases whose documents were removed
}

// RunRetention runs today's retention purge unless it was done already:
// it finishes removing the documents of cases purged before (a crash
// between a purge and its file removal), then purges every case the plan
// lists as due, each in its own transaction, at most o.Batch, and records
// the day. It logs counts only.
func (s *Service) RunRetention(ctx context.Context, tx Transactor, o RetentionOptions) (RetentionRun, error) {
	o.defaults()
	var run RetentionRun
	today := s.Today()
	var last string
	if err := tx.View(ctx, func(rtx store.ReadTx) (err error) { last, err = store.RetentionRanOn(rtx); return err }); err != nil {
		return run, err
	}
	if last == today.String() {
		return run, nil
	}
	run.Ran = true
	removed, err := s.removePendingFiles(ctx, tx, o.Batch)
	run.FilesRemoved = removed
	if err != nil {
		// The documents are unreadable already (their key is gone), so a
		// blob store that is down must not stop the purge: the next run
		// tries them again.
		o.Log.WarnContext(ctx, "retention: documents of cases purged earlier not yet removed; the next run retries", "error", err)
	}
	plan, err := s.retentionPlan(ctx, today)
	if err != nil {
		return run, err
	}
	for _, e := range plan.Purge {
		if run.Purged == o.Batch {
			break
		}
		_, err := s.purgeIn(ctx, tx, RetentionActor, e.CaseID, cases.PurgeRetention)
		var refused *fault.FailedPrecondition
		switch {
		case err == nil:
			run.Purged++
		case errors.As(err, &refused):
			run.Skipped++
			continue
		default:
			return run, fmt.Errorf("retention: purge %s: %w", e.Reference, err)
		}
		if err := s.removeFiles(ctx, tx, e.CaseID); err != nil {
			o.Log.WarnContext(ctx, "retention: documents of a purged case not yet removed; the next run retries", "error", err)
		} else {
			run.FilesRemoved++
		}
	}
	if run.Purged < o.Batch {
		err = tx.Update(ctx, func(wtx store.WriteTx) error { return store.SetRetentionRanOn(wtx, today.String()) })
		if err != nil {
			return run, err
		}
	}
	o.Log.InfoContext(ctx, "retention run", "purged", run.Purged, "skipped", run.Skipped, "files_removed", run.FilesRemoved,
		"held", len(plan.Held), "due_within_30_days", plan.DueSoon)
	return run, nil
}

// removePendingFiles removes the documents of cases purged earlier whose
// removal did not finish.
func (s *Service) removePendingFiles(ctx context.Context, tx Transactor, limit int) (int, error) {
	var ids []string
	if err := tx.View(ctx, func(rtx store.ReadTx) (err error) { ids, err = store.PendingFileRemovals(rtx, limit); return err }); err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.removeFiles(ctx, tx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
