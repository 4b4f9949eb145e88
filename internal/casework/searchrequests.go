package casework

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Search requests to data owners (cases.SearchRequest): staff send one,
// its email carries a link to the public site; the owner answers through
// it; a daily job chases those that pass their due date unanswered.
//
// A link's token is the case id, a dot and 160 random bits. The case id
// lets the answer find its case without an index; only the token's keyed
// hash (store.SearchLinkHash) is kept, and the token itself travels only
// in the email, as a secret of its outbox entry (sealed, and dropped once
// sent), never in the kept copy of the letter.

var _ usecase.SearchRequests = (*Service)(nil)

// PublicSite is the address of the public site as people reach it (e.g.
// https://rights.example.org), which search request links lead to.
func PublicSite(url string) Option {
	return func(s *Service) { s.site = strings.TrimSuffix(url, "/") }
}

// searchSecretBytes is the randomness of a link: 160 bits.
const searchSecretBytes = 20

// searchToken is the token's secret part as written in a link.
var searchToken = base32.StdEncoding.WithPadding(base32.NoPadding)

// searchLinkPlaceholder stands for the link in the kept copy of a letter.
const searchLinkPlaceholder = "[link: sent to the data owner only, not kept]"

// newSearchToken draws a link token for a request on case caseID.
func (s *Service) newSearchToken(caseID string) (string, error) {
	b := make([]byte, searchSecretBytes)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return "", err
	}
	return caseID + "." + strings.ToLower(searchToken.EncodeToString(b)), nil
}

// searchTokenCase is the case a token names, or false for a token that is
// not one this service draws, so no guess reaches the store.
func searchTokenCase(token string) (string, bool) {
	caseID, secret, ok := strings.Cut(token, ".")
	// The decoder below skips line breaks, so a secret holding one decodes.
	if !ok || !validCaseID(caseID) || len(secret) != searchToken.EncodedLen(searchSecretBytes) || strings.ContainsAny(secret, "\r\n") {
		return "", false
	}
	if _, err := searchToken.DecodeString(strings.ToUpper(secret)); err != nil {
		return "", false
	}
	return caseID, true
}

func validCaseID(id string) bool {
	_, err := ulid.ParseStrict(id)
	return err == nil && id == strings.ToUpper(id)
}

// DefaultSearchDue is the due date a new search request on c takes.
func (s *Service) DefaultSearchDue(c *cases.Case) (deadline.Date, error) {
	return c.DefaultSearchDue(s.env(""))
}

// sendsSearchRequests refuses, naming what is missing, when the service
// cannot email an owner a link.
func (s *Service) sendsSearchRequests(c *cases.Case) error {
	if s.letters == nil || s.site == "" {
		return &fault.FailedPrecondition{Subject: c.Name(), Description: "this service has no mail relay or public address, so it cannot send search requests: ask the owner another way and record their answer in the search record"}
	}
	return nil
}

// SendSearchRequest records a search request and queues its email, in one
// transaction.
func (s *Service) SendSearchRequest(ctx context.Context, actor, id, etag string, cmd cases.SendSearchRequest) (*cases.Case, error) {
	token, err := s.newSearchToken(id)
	if err != nil {
		return nil, err
	}
	env := s.env(actor)
	var updated *cases.Case
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		c, err := s.load(tx, id)
		if err != nil {
			return err
		}
		if err := s.sendsSearchRequests(c); err != nil {
			return err
		}
		if etag != "" && etag != c.Etag() {
			return &fault.Conflict{Subject: c.Name(), CurrentEtag: c.Etag()}
		}
		if cmd.LinkHash, err = store.SearchLinkHash(tx, token); err != nil {
			return err
		}
		err = s.applyWithSearchLetter(tx, env, c, cmd, func(c *cases.Case) *cases.SearchRequest {
			return &c.SearchRequests[len(c.SearchRequests)-1]
		}, letters.KindSearchRequest, token)
		updated = c
		return err
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// applyWithSearchLetter applies cmd to c and queues the letter of kind to
// the owner of the request it acted on, with the link of token: the case,
// its audit event, the letter and its outbox entry in tx.
func (s *Service) applyWithSearchLetter(tx store.WriteTx, env cases.Env, c *cases.Case, cmd cases.Command,
	request func(*cases.Case) *cases.SearchRequest, kind letters.Kind, token string) error {
	env.Notice = noticesIn(tx)
	before, err := store.IndexOf(tx, c)
	if err != nil {
		return err
	}
	change, err := cases.Apply(c, cmd, env)
	if err != nil {
		return err
	}
	r := request(c)
	l, err := s.letters.Write(kind, letters.Facts{
		Case: c, Notice: env.Notice, On: env.Today().String(), SearchRequest: r.ID, SearchLink: searchLinkPlaceholder,
	})
	if err != nil {
		return err
	}
	link := s.site + usecase.SearchLinkPath + token
	queued, err := s.queueTo(tx, env, c, l, cases.ChannelEmail, r.Email, r.Owner, []cases.Secret{{Placeholder: searchLinkPlaceholder, Value: link}})
	if err != nil {
		return err
	}
	if err := s.write(tx, env, before, c, change); err != nil {
		return err
	}
	return s.record(tx, env, c, *queued)
}

// errSearchLink is the one answer for every link that does not work, so
// the page cannot tell an unknown link from an expired or answered one.
var errSearchLink = &fault.NotFound{Resource: "search request", Name: "search request link"}

// findSearchRequest finds the case and the request a working link is
// for, or errSearchLink.
func (s *Service) findSearchRequest(tx store.ReadTx, token string) (*cases.Case, *cases.SearchRequest, error) {
	caseID, ok := searchTokenCase(token)
	if !ok {
		return nil, nil, errSearchLink
	}
	c, err := s.load(tx, caseID)
	var nf *fault.NotFound
	if errors.As(err, &nf) {
		return nil, nil, errSearchLink
	}
	if err != nil {
		return nil, nil, err
	}
	hash, err := store.SearchLinkHash(tx, token)
	if err != nil {
		return nil, nil, err
	}
	r := c.SearchRequestByLink(hash)
	if r == nil || !c.Open() || c.Purged != nil || !r.LinkOpen(s.Today()) {
		return nil, nil, errSearchLink
	}
	return c, r, nil
}

func taskOf(c *cases.Case, r *cases.SearchRequest) *usecase.SearchTask {
	return &usecase.SearchTask{
		Reference: c.Reference, RequestID: r.ID, Owner: r.Owner, System: r.Source, Due: r.Due, LinkUntil: r.LinkUntil, State: r.State,
	}
}

// SearchTask is what an owner's link asks of them.
func (s *Service) SearchTask(ctx context.Context, token string) (task *usecase.SearchTask, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		c, r, err := s.findSearchRequest(tx, token)
		if err == nil {
			task = taskOf(c, r)
		}
		return err
	})
	return task, err
}

// AnswerSearch takes the owner's answer: documents stored first, then the
// answer and the documents added to the case in one transaction.
func (s *Service) AnswerSearch(ctx context.Context, token, note string, uploads []usecase.Upload) (task *usecase.SearchTask, err error) {
	found, err := s.SearchTask(ctx, token)
	if err != nil {
		return nil, err
	}
	if len(uploads) > cases.MaxFilesPerAnswer {
		return nil, fault.Invalid("files", "send at most %d files at a time", cases.MaxFilesPerAnswer)
	}
	caseID, _ := searchTokenCase(token)
	if len(uploads) > 0 && s.documents == nil {
		return nil, &fault.FailedPrecondition{Subject: "cases/" + caseID, Description: "documents cannot be sent here: no document store is set up"}
	}
	files := make([]cases.File, 0, len(uploads))
	defer func() {
		if err != nil {
			s.forget(ctx, files)
		}
	}()
	for _, up := range uploads {
		f, err := s.storeDocument(ctx, caseID, up)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	env := s.env(cases.SearchRequestActor(found.RequestID))
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		c, r, err := s.findSearchRequest(tx, token)
		if err != nil {
			return err
		}
		if r.ID != found.RequestID {
			return errSearchLink // the link changed hands meanwhile: answer it afresh
		}
		before, err := store.IndexOf(tx, c)
		if err != nil {
			return err
		}
		change, err := cases.Apply(c, cases.AnswerSearchRequest{ID: r.ID, Files: len(files), Note: note}, env)
		if err != nil {
			return err
		}
		changes := []cases.Change{change}
		r, _ = c.SearchRequest(found.RequestID)
		for _, f := range files {
			// Each document answers the search entry the answer made.
			spec := cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: r.Source, SearchID: r.SearchID}
			change, err := cases.Apply(c, cases.AddDocument{DocumentSpec: spec, File: f}, env)
			if err != nil {
				return err
			}
			changes = append(changes, change)
		}
		if err := store.PutCase(tx, before, c); err != nil {
			return err
		}
		for _, change := range changes {
			if err := s.record(tx, env, c, change); err != nil {
				return err
			}
		}
		task = taskOf(c, r)
		task.Files = len(files)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return task, nil
}

// SearchChaserOptions tune the daily chaser run; zero fields take the
// defaults.
type SearchChaserOptions struct {
	// Poll is how often the job looks whether today's run is done (1 hour).
	Poll time.Duration
	Log  *slog.Logger
}

// SearchChaserActor is the actor the audit chain names for a chaser.
const SearchChaserActor = "system:search-chaser"

// SearchChaserJob is the leader's job that chases, once a day, the search
// requests that passed their due date unanswered. Each request is chased
// once (the domain refuses a second), so a run repeated after a change of
// leader sends no chaser twice.
func (s *Service) SearchChaserJob(o SearchChaserOptions) leader.Job {
	if o.Poll <= 0 {
		o.Poll = time.Hour
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return leader.Job{Name: "search-chaser", Run: func(ctx context.Context, lead *leader.Lead) error {
		var ranOn deadline.Date
		for {
			if today := s.Today(); today != ranOn {
				chased, err := s.ChaseSearchRequests(ctx, lead)
				if err != nil {
					return err
				}
				o.Log.InfoContext(ctx, "search requests chased", "chased", chased)
				ranOn = today
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.Poll):
			}
		}
	}}
}

// ChaseSearchRequests sends a chaser, with a new link, for every search
// request of an open case that passed its due date unanswered and was not
// chased yet: one transaction per case. It finds them through the index of
// open cases with a request to chase, so the other open cases are never
// read. It returns how many it chased.
func (s *Service) ChaseSearchRequests(ctx context.Context, tx Transactor) (int, error) {
	var due []string
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		due, err = store.CasesToChase(tx, s.Today().String())
		return err
	})
	if err != nil {
		return 0, err
	}
	chased := 0
	for _, id := range due {
		n, err := s.chaseCase(ctx, tx, id)
		if err != nil {
			return chased, fmt.Errorf("chase the search requests of case %s: %w", id, err)
		}
		chased += n
	}
	return chased, nil
}

// chaseCase chases the requests of one case that are due a chaser now.
func (s *Service) chaseCase(ctx context.Context, tx Transactor, id string) (int, error) {
	env := s.env(SearchChaserActor)
	n := 0
	err := tx.Update(ctx, func(tx store.WriteTx) error {
		n = 0
		c, err := s.load(tx, id)
		if err != nil || s.sendsSearchRequests(c) != nil {
			return err // a service without a relay has nothing to chase with
		}
		for _, rid := range c.SearchRequestsToChase(env.Today()) {
			token, err := s.newSearchToken(c.ID)
			if err != nil {
				return err
			}
			hash, err := store.SearchLinkHash(tx, token)
			if err != nil {
				return err
			}
			err = s.applyWithSearchLetter(tx, env, c, cases.ChaseSearchRequest{ID: rid, LinkHash: hash}, func(c *cases.Case) *cases.SearchRequest {
				r, _ := c.SearchRequest(rid)
				return r
			}, letters.KindSearchChaser, token)
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
