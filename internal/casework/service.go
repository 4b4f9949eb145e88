package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Cases = (*Service)(nil)

// Service runs case commands and queries.
type Service struct {
	store  *store.Store
	engine *deadline.Engine
	clock  clock.Clock
	random io.Reader
	region string
	// noticeRegions are the offices handling particular notices' requests.
	noticeRegions map[string]string
	decoded       decodedCases
	// notices are the notices new cases cite, kept decoded.
	notices decodedNotices
	// letters, when set, writes the requester's letters, queued with the
	// changes that call for them (see SendLetters).
	letters *letters.Writer
	// documents keeps what requesters send (see WithDocuments).
	documents blob.Store
	// scanner checks each document stored (see WithScanner).
	scanner Scanner
	// site is the public site's address, for search request links (see
	// PublicSite).
	site string
	// retention is how long closed cases keep their personal data (see
	// RetentionSchedule).
	retention cases.Schedule
}

// Option configures a Service.
type Option func(*Service)

// DefaultRegion is the bank-holiday calendar a new case counts working days
// in when the request names none: the handling office's, whatever the
// requester's address (England and Wales when unset).
func DefaultRegion(region string) Option { return func(s *Service) { s.region = region } }

// NoticeRegions names, by notice id, the calendar of the office handling
// requests about that notice where it is not the default one (a service run
// from a Scottish office, say). A case about notices whose offices disagree,
// or about none, counts in the default region; staff can change a case's
// region with a reason.
func NoticeRegions(byNotice map[string]string) Option {
	return func(s *Service) { s.noticeRegions = maps.Clone(byNotice) }
}

// officeRegion is the calendar a new case about refs counts in.
func (s *Service) officeRegion(refs []cases.NoticeRef) string {
	region := ""
	for _, ref := range refs {
		office, ok := s.noticeRegions[ref.ID]
		if !ok {
			office = s.region
		}
		if region != "" && office != region {
			return s.region
		}
		region = office
	}
	if region == "" {
		return s.region
	}
	return region
}

// New returns a Service. random supplies ids, references and tokens
// (crypto/rand.Reader in production).
func New(st *store.Store, engine *deadline.Engine, c clock.Clock, random io.Reader, opts ...Option) *Service {
	s := &Service{store: st, engine: engine, clock: c, random: random}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Today is the injected clock's date in the UK.
func (s *Service) Today() deadline.Date { return s.env("").Today() }

// Actions is what staff may do to the case today, the likely next first.
func (s *Service) Actions(c *cases.Case) []cases.StaffAction { return c.Actions(s.env("")) }

// NextActions is the likely next action of each case, in order.
func (s *Service) NextActions(list []*cases.Case) []cases.StaffAction {
	env := s.env("")
	out := make([]cases.StaffAction, len(list))
	for i, c := range list {
		out[i] = c.NextAction(env)
	}
	return out
}

func (s *Service) env(actor string) cases.Env {
	return cases.Env{Now: s.clock.Now().UTC(), Actor: actor, Engine: s.engine, Random: s.random}
}

// Create opens a case, or returns the case an earlier call with the same
// request id opened. The domain work (validation, evaluation, clock, ids)
// runs before the write transaction, which only re-checks what may have
// changed meanwhile and writes: concurrent writers share a commit, so time
// spent inside it is time every one of them waits.
func (s *Service) Create(ctx context.Context, actor string, req cases.NewCase) (*usecase.CreateResult, error) {
	// The request id is an index key: check it before it is looked up.
	if err := cases.CheckRequestID(req.RequestID); err != nil {
		return nil, err
	}
	fingerprint, err := requestFingerprint(req)
	if err != nil {
		return nil, err
	}
	for range maxNoticeRaces {
		result, err := s.tryCreate(ctx, actor, req, fingerprint)
		if !errors.Is(err, errNoticeChanged) {
			return result, err
		}
	}
	return nil, fmt.Errorf("notices %v kept changing while the case was opened: %w", req.Notices, errNoticeChanged)
}

// maxNoticeRaces bounds retries when a notice import lands between the
// preparation of a case and its write; one retry is almost always enough.
const maxNoticeRaces = 5

var errNoticeChanged = errors.New("the notice changed")

func (s *Service) tryCreate(ctx context.Context, actor string, req cases.NewCase, fingerprint []byte) (*usecase.CreateResult, error) {
	env := s.env(actor)
	var retried *usecase.CreateResult
	notices := map[string]*notice.Notice{}
	stamps := map[string][]byte{}
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		if retried, err = s.retriedCreate(tx, req.RequestID, fingerprint); retried != nil || err != nil {
			return err
		}
		for _, ref := range req.Notices {
			n, stamp, err := s.notices.stamped(tx, ref.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue // the domain names the unknown notice
			}
			if err != nil {
				return err
			}
			notices[ref.ID], stamps[ref.ID] = n, stamp
		}
		return nil
	})
	if retried != nil || err != nil {
		return retried, err
	}
	env.Notice = func(id string) (*notice.Notice, bool) { n, ok := notices[id]; return n, ok }
	if req.Region == "" {
		req.Region = s.officeRegion(req.Notices)
	}
	created, err := cases.Create(req, env)
	if err != nil {
		return nil, err
	}
	prepared, err := s.prepareCreated(ctx, env, created)
	if err != nil {
		return nil, err
	}
	result := &usecase.CreateResult{Case: created.Case, StatusToken: created.StatusToken, Created: true}
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		// The store may run this more than once; it only reads what it
		// checks and writes what was prepared, so a rerun is the same.
		if retried, err := s.retriedCreate(tx, req.RequestID, fingerprint); retried != nil || err != nil {
			result = retried
			return err
		}
		for id, stamp := range stamps {
			if !store.NoticeUnchanged(tx, id, stamp) {
				return errNoticeChanged
			}
		}
		reference := created.Case.Reference
		if err := uniqueReference(tx, created.Case, env); err != nil {
			return err
		}
		if created.Case.Reference != reference { // taken meanwhile: what was prepared names the old one
			created.Change.After["reference"] = created.Case.Reference
			prepared = nil
		}
		if err := s.writeCreated(tx, env, created, prepared); err != nil {
			return err
		}
		if req.RequestID == "" {
			return nil
		}
		return store.PutRequestReplay(tx, req.RequestID, store.RequestReplay{
			CaseID: created.Case.ID, Fingerprint: fingerprint, StatusToken: created.StatusToken, Created: env.Now,
		})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// preparedCreate is a new case and its audit event encoded before the
// write transaction (store.PreparedCase says why).
type preparedCreate struct {
	record *store.PreparedCase
	event  *store.PreparedEvent
}

// prepareCreated draws a free reference for a new case in a read
// transaction and encodes the case and its event; the write transaction
// checks the reference again. A case acknowledged by email gets nothing
// prepared: its letter is queued, and the case changed, in the
// transaction that opens it.
func (s *Service) prepareCreated(ctx context.Context, env cases.Env, created *cases.Created) (*preparedCreate, error) {
	var p *preparedCreate
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c := created.Case
		if err := uniqueReference(tx, c, env); err != nil {
			return err
		}
		created.Change.After["reference"] = c.Reference
		if s.AcknowledgesByEmail(c) {
			return nil
		}
		record, err := store.PrepareNewCase(tx, c)
		if err != nil {
			return err
		}
		event, err := s.prepareEvent(env, c, created.Change)
		p = &preparedCreate{record: record, event: event}
		return err
	})
	return p, err
}

func existingRequest(tx store.ReadTx, requestID string) (*cases.Case, error) {
	id, err := store.CaseIDByRequestID(tx, requestID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return store.GetCase(tx, id)
}

func uniqueReference(tx store.ReadTx, c *cases.Case, env cases.Env) error {
	for range 10 {
		if _, err := store.CaseIDByReference(tx, c.Reference); errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err := cases.NewReferenceFor(c, env); err != nil {
			return err
		}
	}
	return errors.New("could not find a free case reference in 10 tries")
}

// Apply runs one command on a case in one transaction. A non-empty etag
// must match the stored case, or nothing is written.
func (s *Service) Apply(ctx context.Context, actor, id, etag string, cmd cases.Command) (*cases.Case, error) {
	env := s.env(actor)
	var updated *cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		updated, err = s.applyIn(tx, env, id, etag, cmd)
		return err
	})
	return updated, err
}

// Link links two cases about the same person or matter, both ways, in one
// transaction.
func (s *Service) Link(ctx context.Context, actor, id, other string) (*cases.Case, error) {
	env := s.env(actor)
	var updated *cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		if updated, err = s.applyIn(tx, env, id, "", cases.Link{Other: other}); err != nil {
			return err
		}
		_, err = s.applyIn(tx, env, other, "", cases.Link{Other: id})
		return otherCase("other", err)
	})
	return updated, err
}

// Merge closes a case as a duplicate of another and links the other back,
// in one transaction, with the duplicate's letter in staff's words when
// letterText is not "". The other case must be open: it goes on in the
// duplicate's place.
func (s *Service) Merge(ctx context.Context, actor, id, etag, into, on, letterText string) (*cases.Case, error) {
	env := s.env(actor)
	var merged *cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		if id == into {
			return fault.Invalid("into", "a case cannot be merged into itself")
		}
		target, err := s.load(tx, into)
		if err != nil {
			return otherCase("into", err)
		}
		if !target.Open() {
			return fault.Invalid("into", "%s is closed; merge into the case that goes on", target.Reference)
		}
		if merged, err = s.applyWithLetterIn(tx, env, id, etag, cases.MergeInto{Into: into, On: on}, letterText); err != nil {
			return err
		}
		_, err = s.applyIn(tx, env, into, "", cases.Link{Other: id})
		return err
	})
	return merged, err
}

// otherCase says that a case named as the other of a pair was not found,
// as the field it came from rather than as the case the caller acts on.
func otherCase(field string, err error) error {
	var nf *fault.NotFound
	if errors.As(err, &nf) {
		return fault.Invalid(field, "there is no case %s", nf.Name)
	}
	return err
}

// applyIn runs one command on a case inside tx and writes the result.
func (s *Service) applyIn(tx store.WriteTx, env cases.Env, id, etag string, cmd cases.Command) (*cases.Case, error) {
	return s.applyWithLetterIn(tx, env, id, etag, cmd, "")
}

// applyWithLetterIn is applyIn with the letter the command sends in
// staff's words, letterText, when that is not "".
func (s *Service) applyWithLetterIn(tx store.WriteTx, env cases.Env, id, etag string, cmd cases.Command, letterText string) (*cases.Case, error) {
	c, err := s.load(tx, id)
	if err != nil {
		return nil, err
	}
	repeated, err := cases.Repeats(c, cmd)
	if err != nil {
		return nil, err // its request id names another request: refused, nothing written
	}
	if repeated {
		return c, nil // a retry of a request already applied: its result, nothing written
	}
	if etag != "" && cases.Conditional(cmd) && etag != c.Etag() {
		return nil, &fault.Conflict{Subject: c.Name(), CurrentEtag: c.Etag()}
	}
	env.Notice = noticesIn(tx)
	before, err := store.IndexOf(tx, c) // before the command changes c
	if err != nil {
		return nil, err
	}
	change, err := cases.Apply(c, cmd, env)
	if err != nil {
		return nil, err
	}
	queued, err := s.queueLetterFor(tx, env, c, cmd, letterText)
	if err != nil {
		return nil, err
	}
	toRecipients, err := s.queueRecipientLetters(tx, env, c, cmd)
	if err != nil {
		return nil, err
	}
	if err := s.write(tx, env, before, c, change); err != nil {
		return c, err
	}
	letterChanges := toRecipients
	if queued != nil {
		letterChanges = append([]cases.Change{*queued}, toRecipients...)
	}
	for _, ch := range letterChanges {
		if err := s.record(tx, env, c, ch); err != nil {
			return c, err
		}
	}
	return c, nil
}

// write stores the case, its indexes and its audit event together.
func (s *Service) write(tx store.WriteTx, env cases.Env, before store.CaseIndex, c *cases.Case, change cases.Change) error {
	if err := store.PutCase(tx, before, c); err != nil {
		return err
	}
	return s.record(tx, env, c, change)
}

// record appends the audit event of a change to c, its personal data
// sealed in a payload apart.
func (s *Service) record(tx store.WriteTx, env cases.Env, c *cases.Case, change cases.Change) error {
	event, err := s.prepareEvent(env, c, change)
	if err != nil {
		return err
	}
	return store.AppendPrepared(tx, event)
}

// prepareEvent is the audit event of a change to c, ready for
// store.AppendPrepared.
func (s *Service) prepareEvent(env cases.Env, c *cases.Case, change cases.Change) (*store.PreparedEvent, error) {
	event := &audit.Event{CaseID: c.ID, Time: env.Now, Actor: env.Actor, Action: change.Action, Before: change.Before, After: change.After}
	var payload *audit.Payload
	if len(change.Personal) > 0 {
		data, err := json.Marshal(change.Personal)
		if err != nil {
			return nil, err
		}
		p, hash, err := audit.SealPayload(data, s.random)
		if err != nil {
			return nil, err
		}
		payload, event.PayloadHash = &p, hash
	}
	return store.PrepareEvent(event, payload)
}

func (s *Service) load(tx store.ReadTx, id string) (*cases.Case, error) {
	c, err := store.GetCase(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &fault.NotFound{Resource: "case", Name: "cases/" + id}
	}
	return c, err
}

// Get reads a case.
func (s *Service) Get(ctx context.Context, id string) (c *cases.Case, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		c, err = s.load(tx, id)
		return err
	})
	return c, err
}

// Status finds a case for the public status page. A wrong reference and a
// wrong token give the same error, so neither can be probed.
func (s *Service) Status(ctx context.Context, reference, token string) (*cases.Case, error) {
	notFound := &fault.NotFound{Resource: "request", Detail: "check the reference and the status code you were given"}
	var c *cases.Case
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		id, err := store.CaseIDByReference(tx, cases.NormaliseReference(reference))
		if errors.Is(err, store.ErrNotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		c, err = s.load(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !c.StatusTokenMatches(token) {
		return nil, notFound
	}
	return c, nil
}

// Events returns a case's audit trail, oldest first.
func (s *Service) Events(ctx context.Context, id string) (events []audit.Event, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		if _, err := s.load(tx, id); err != nil {
			return err
		}
		events, _, err = store.CaseEvents(tx, id)
		return err
	})
	return events, err
}

// VerifyChain recomputes every link of the audit chain in sequence order and
// returns the first broken one as an *audit.Break. It ends by comparing the
// chain's last event with the separately recorded head, so events cut from
// the end are reported too.
func VerifyChain(ctx context.Context, st *store.Store) (usecase.ChainResult, error) {
	var v audit.Verifier
	err := st.View(ctx, func(tx store.ReadTx) error {
		if err := store.EachEvent(tx, v.Next); err != nil {
			return err
		}
		seq, hash, err := store.AuditHead(tx)
		if err != nil {
			return err
		}
		if seq == 0 {
			hash = audit.GenesisHash()
		}
		return v.CheckHead(seq, hash)
	})
	return usecase.ChainResult{Events: v.Count(), Head: v.Head()}, err
}

// noticesIn looks notices up in the transaction, for the commands that
// evaluate a case against them.
func noticesIn(tx store.ReadTx) func(id string) (*notice.Notice, bool) {
	return func(id string) (*notice.Notice, bool) {
		n, err := store.GetNotice(tx, id)
		return n, err == nil
	}
}
