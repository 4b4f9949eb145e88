package devseed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Options say what to seed.
type Options struct {
	Cases int
	// Seed picks the cases: the same seed, count and Now give the same
	// cases, ids and references. Only the order of the audit chain follows
	// the order the concurrent writers commit in.
	Seed uint64
	// Writers open cases concurrently, so the store's batching commits many
	// of them per transaction; default 64.
	Writers int
	// Now is the day the cases are seeded up to; default the system time.
	Now time.Time
	// Progress, if set, is told how many cases are done now and then.
	Progress func(done int)
}

// Result counts what was seeded.
type Result struct {
	Cases   int // opened by this run; a case an earlier run with the same seed opened is left alone
	Closed  int
	Events  int
	Elapsed time.Duration
}

// actor is who the audit trail records for the seeded changes, and
// reviewer the second person who approves a seeded response pack.
const (
	actor    = "token:dev-seed"
	reviewer = "token:dev-seed-reviewer"
)

// Seed opens opts.Cases cases in st, with the built-in notices stored first
// if they are missing.
func Seed(ctx context.Context, st *store.Store, engine *deadline.Engine, opts Options) (Result, error) {
	start := time.Now()
	if opts.Writers <= 0 {
		opts.Writers = 64
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	notices, err := ensureCatalogue(ctx, st)
	if err != nil {
		return Result{}, err
	}
	var next, done, closed, events atomic.Int64
	created := atomic.Int64{}
	g, gctx := errgroup.WithContext(ctx)
	for range min(opts.Writers, max(opts.Cases, 1)) {
		g.Go(func() error {
			for i := next.Add(1) - 1; i < int64(opts.Cases); i = next.Add(1) - 1 {
				p := plan(int(i), opts, notices)
				n, wasClosed, err := p.run(gctx, st, engine)
				if err != nil {
					return fmt.Errorf("case %d: %w", i, err)
				}
				if n > 0 {
					created.Add(1)
					events.Add(int64(n))
				}
				if wasClosed {
					closed.Add(1)
				}
				if d := done.Add(1); opts.Progress != nil && d%1000 == 0 {
					opts.Progress(int(d))
				}
			}
			return nil
		})
	}
	err = g.Wait()
	return Result{Cases: int(created.Load()), Closed: int(closed.Load()), Events: int(events.Load()), Elapsed: time.Since(start)}, err
}

// ensureCatalogue stores the built-in notices the store lacks and returns
// the ids of every notice cases may be opened against.
func ensureCatalogue(ctx context.Context, st *store.Store) ([]string, error) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(builtin))
	for _, n := range builtin {
		ids = append(ids, n.ID)
	}
	err = store.AddMissingNotices(ctx, st, builtin)
	if err == nil && len(ids) == 0 {
		err = errors.New("the built-in catalogue has no notices")
	}
	return ids, err
}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Katherine", "Tim", "Sophie", "Mary", "Chidi", "Priya", "Owen", "Niamh", "Kwame", "Fatima", "Hamish", "Siân", "Zoë", "Wei", "Olu", "Marta", "Rhys"}
	lastNames  = []string{"Lovelace", "Turing", "Hopper", "Johnson", "Berners-Lee", "Wilson", "Somerville", "Okafor", "Patel", "Evans", "O'Brien", "Mensah", "Hussain", "MacLeod", "Jones", "Nowak", "Zhang", "Adeyemi", "Kowalski", "Price"}
	asks       = []string{
		"Please send me a copy of all the personal data you hold about me, including emails and notes.",
		"I would like to know what you hold about me and who you have shared it with.",
		"Please delete the records you hold about me from the last two years.",
		"The address on my record is wrong; please correct it.",
		"I object to my details being used for marketing and want it to stop.",
		"Please send my data in a format I can move to another provider.",
	}
	sources   = []string{"HR system", "Case management system", "Shared mailbox", "CCTV archive", "Finance ledger", "Service desk tickets"}
	assignees = []string{"user:seed-alex", "user:seed-bea", "user:seed-cal", "user:seed-dee"}
	channels  = []cases.Channel{cases.ChannelWeb, cases.ChannelWeb, cases.ChannelEmail, cases.ChannelEmail, cases.ChannelPost, cases.ChannelPhone, cases.ChannelInPerson, cases.ChannelAPI}
	outcomes  = []cases.OutcomeKind{cases.OutcomeFulfilled, cases.OutcomeFulfilled, cases.OutcomePartiallyFulfilled, cases.OutcomeWithdrawn, cases.OutcomeRefused, cases.OutcomeSelfService}
)

// step is one command on a case, on a day after its receipt.
type step struct {
	day int // days after receipt
	cmd cases.Command
	by  string // who takes the step; actor when ""
}

// casePlan is one case and what happens to it.
type casePlan struct {
	req    cases.NewCase
	recv   time.Time
	steps  []step
	random uint64 // seeds the ids, references and tokens
	closes bool
}

// seedNotices picks the notices a seeded request names: usually one, one
// in eight two, and one in sixteen none, as an "everything you hold"
// request waiting for triage.
func seedNotices(notices []string, pick func(int) int) []cases.NoticeRef {
	switch pick(16) {
	case 0:
		return nil
	case 1, 2:
		a, b := notices[pick(len(notices))], notices[pick(len(notices))]
		if a != b {
			return []cases.NoticeRef{{ID: a}, {ID: b}}
		}
		return []cases.NoticeRef{{ID: a}}
	default:
		return []cases.NoticeRef{{ID: notices[pick(len(notices))]}}
	}
}

// plan decides case i from the seed alone, so every run agrees.
func plan(i int, opts Options, notices []string) casePlan {
	rng := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
	pick := func(n int) int { return rng.IntN(n) }
	// One requester in ten comes back, so Find a requester has repeats.
	person := i
	if i > 10 && pick(10) == 0 {
		person = pick(i)
	}
	prng := rand.New(rand.NewPCG(opts.Seed, uint64(person)<<32|0xfeed))
	first, last := firstNames[prng.IntN(len(firstNames))], lastNames[prng.IntN(len(lastNames))]
	age := pick(80)
	today := opts.Now.UTC().Truncate(24 * time.Hour)
	recv := today.AddDate(0, 0, -age)
	rights := []notice.Right{notice.Rights[pick(len(notice.Rights))]}
	if pick(4) == 0 {
		if r := notice.Rights[pick(len(notice.Rights))]; r != rights[0] {
			rights = append(rights, r)
		}
	}
	p := casePlan{
		recv:   recv,
		random: rng.Uint64(),
		req: cases.NewCase{
			Notices:     seedNotices(notices, pick),
			Rights:      rights,
			Description: asks[pick(len(asks))],
			Channel:     channels[pick(len(channels))],
			ReceivedOn:  recv.Format(time.DateOnly),
			RequestID:   fmt.Sprintf("dev-seed-%d-%d", opts.Seed, i),
			Requester: cases.Requester{
				Person:       cases.Person{Name: first + " " + last, Email: fmt.Sprintf("%s.%s.%d@example.org", lower(first), lower(last), person)},
				Relationship: cases.RelationshipSelf,
			},
		},
	}
	on := func(day int) string { return recv.AddDate(0, 0, day).Format(time.DateOnly) }
	// day counts forward through the case's life, never past today.
	day := 0
	later := func(most int) (int, bool) {
		d := day + 1 + pick(most)
		if d > age {
			return 0, false
		}
		day = d
		return d, true
	}
	if pick(4) == 0 { // a quarter are still untouched
		return p
	}
	if d, ok := later(3); ok {
		p.steps = append(p.steps, step{d, cases.Assign{Assignee: assignees[pick(len(assignees))]}, ""})
	} else {
		return p
	}
	if pick(5) == 0 {
		d, ok := later(4)
		if !ok {
			return p
		}
		p.steps = append(p.steps, step{d, cases.RequestFromRequester{What: cases.WaitingForIdentity, On: on(d), Detail: "Asked for photo ID"}, ""})
		if d, ok = later(10); !ok || pick(3) == 0 {
			return p
		}
		p.steps = append(p.steps, step{d, cases.RecordResponse{On: on(d), Detail: "Passport copy received"}, ""})
	}
	for range pick(3) {
		d, ok := later(5)
		if !ok {
			return p
		}
		p.steps = append(p.steps, step{d, cases.RecordSearch{Source: sources[pick(len(sources))], On: on(d), Found: fmt.Sprintf("%d records", pick(40))}, ""})
	}
	if pick(3) == 0 {
		if d, ok := later(3); ok {
			p.steps = append(p.steps, step{d, cases.AddNote{Text: "Spoke to the requester to confirm the scope."}, ""})
		}
	}
	if pick(8) == 0 && day < 20 {
		if d, ok := later(3); ok {
			p.steps = append(p.steps, step{d, cases.Extend{On: on(d), Months: 1 + pick(2), Reason: "Numerous records across several systems"}, ""})
		}
	}
	if pick(2) == 0 {
		d, ok := later(25)
		if !ok {
			return p
		}
		out := outcomes[pick(len(outcomes))]
		cl := cases.Close{On: on(d), Outcome: out}
		if out == cases.OutcomeRefused {
			cl.RefusalReason = cases.RefusalReasons[pick(len(cases.RefusalReasons))]
		}
		if out == cases.OutcomeFulfilled || out == cases.OutcomePartiallyFulfilled {
			// Done, as the closure guard-rails want it: what was done
			// stated and, for access, the pack reviewed and released.
			cl.ActionTaken = "Done as asked; see the search record."
			if slices.Contains(p.req.Rights, notice.RightAccess) {
				p.steps = append(p.steps, step{d, cases.SubmitForReview{}, ""}, step{d, cases.ApproveReview{}, reviewer}, step{d, cases.ReleasePack{}, ""})
			}
		}
		p.steps = append(p.steps, step{d, cl, ""})
		p.closes = true
	}
	return p
}

// run opens the case and applies its steps, each with the clock at its
// day, so the audit trail reads like the case's real history. It returns
// how many events it wrote: none when an earlier run opened the case.
func (p casePlan) run(ctx context.Context, st *store.Store, engine *deadline.Engine) (int, bool, error) {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], p.random)
	random := rand.NewChaCha8(seed)
	at := func(day int) *casework.Service {
		return casework.New(st, engine, clock.Fixed(p.recv.AddDate(0, 0, day).Add(9*time.Hour+time.Duration(day)*time.Minute)), random)
	}
	res, err := at(0).Create(ctx, actor, p.req)
	if err != nil || !res.Created {
		return 0, false, err
	}
	events, c := 1, res.Case
	apply := func(day int, by string, cmd cases.Command) error {
		if by == "" {
			by = actor
		}
		if c, err = at(day).Apply(ctx, by, res.Case.ID, "", cmd); err != nil {
			return fmt.Errorf("%s: %w", cmd.Action(), err)
		}
		events++
		return nil
	}
	for _, s := range p.steps {
		if _, closing := s.cmd.(cases.Close); closing {
			// The requester was told of the extension before the close.
			for _, t := range c.Tasks {
				if t.Kind == cases.TaskExtensionNotice && t.State == cases.TaskOpen {
					if err := apply(s.day, "", cases.CompleteTask{TaskID: t.ID, State: cases.TaskDone}); err != nil {
						return 0, false, err
					}
				}
			}
		}
		if err := apply(s.day, s.by, s.cmd); err != nil {
			return 0, false, err
		}
	}
	return events, p.closes, nil
}

func lower(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r >= 'a' && r <= 'z':
			out = append(out, r)
		}
	}
	return string(out)
}
