package casework

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// maxExamined bounds the index entries one page may look at, so a very
// selective filter returns a short page with a cursor instead of a long scan.
const maxExamined = 10000

// maxBatch bounds the cases a selective query reads in one batch.
const maxBatch = 1024

// plan is how a query walks the indexes: one bucket, the keys under prefix
// in [lo, hi) (hi nil: to the end), ascending or, with desc, descending.
// In a due-ordered index lo and hi also bound the due dates, so e.g.
// overdue=true stops at today instead of reading every open case.
type plan struct {
	bucket store.Bucket
	prefix []byte
	lo, hi []byte
	desc   bool
	// also are more indexes, in the same order under their own prefixes
	// (due / id after the prefix), whose entries a case must have too: the
	// walk visits only the keys all of them share (see intersect).
	also []plan
}

// holds reports whether a key is one the plan walks.
func (p plan) holds(k []byte) bool {
	return bytes.HasPrefix(k, p.prefix) && bytes.Compare(k, p.lo) >= 0 && (p.hi == nil || bytes.Compare(k, p.hi) < 0)
}

// walk visits the plan's keys in ascending or descending order, starting
// strictly past from (nil: at the range's first key in that direction),
// until visit returns false.
func (p plan) walk(tx store.ReadTx, ascending bool, from []byte, visit func(k []byte) (bool, error)) error {
	if len(p.also) > 0 {
		return p.intersect(tx, ascending, from, visit)
	}
	if ascending {
		start := p.lo
		if from != nil && bytes.Compare(from, start) >= 0 {
			start = append(bytes.Clone(from), 0)
		}
		return tx.Scan(p.bucket, start, func(k, _ []byte) (bool, error) {
			if !p.holds(k) {
				return false, nil
			}
			return visit(k)
		})
	}
	start := p.hi // never a key itself: it ends in a date or 0xff, not an id
	if from != nil && (start == nil || bytes.Compare(from, start) < 0) {
		start = from
	}
	return tx.ScanReverse(p.bucket, start, func(k, _ []byte) (bool, error) {
		if start != nil && bytes.Equal(k, start) {
			return true, nil
		}
		if !p.holds(k) {
			return false, nil
		}
		return visit(k)
	})
}

// intersect is walk over several indexes at once: it visits, as keys of
// p's own index, the entries whose part after the prefix (due / id) every
// index holds, leapfrogging: each index seeks to the furthest entry any
// other has reached, so a walk costs seeks in proportion to the entries of
// the smallest index near the matches, not a read of every entry of one.
func (p plan) intersect(tx store.ReadTx, ascending bool, from []byte, visit func(k []byte) (bool, error)) error {
	legs := append([]plan{p}, p.also...)
	var target []byte // the due / id every leg must reach; nil: the range's start
	inclusive := true
	if from != nil {
		if !bytes.HasPrefix(from, p.prefix) {
			return fault.Invalid("page_token", "is not a page of this list")
		}
		target, inclusive = bytes.Clone(from[len(p.prefix):]), false
	}
	for {
		for agreed, i := 0, 0; agreed < len(legs); i = (i + 1) % len(legs) {
			key, err := legs[i].seek(tx, ascending, target, inclusive)
			if err != nil || key == nil {
				return err
			}
			if rest := key[len(legs[i].prefix):]; inclusive && target != nil && bytes.Equal(rest, target) {
				agreed++
			} else {
				target, inclusive, agreed = bytes.Clone(rest), true, 1
			}
		}
		more, err := visit(append(bytes.Clone(p.prefix), target...))
		if err != nil || !more {
			return err
		}
		inclusive = false
	}
}

// seek returns the plan's first key, in the walk's direction, whose part
// after the prefix is at or past target (strictly past unless inclusive;
// nil target: the range's first key), or nil when none is left.
func (p plan) seek(tx store.ReadTx, ascending bool, target []byte, inclusive bool) ([]byte, error) {
	var found []byte
	take := func(k, _ []byte) (bool, error) {
		switch {
		case !p.holds(k):
			// Walking down from the range's end, which is never a key
			// itself, reads on; anything else outside the range ends it.
			return !ascending && p.hi != nil && bytes.Equal(k, p.hi), nil
		case !inclusive && target != nil && bytes.Equal(k[len(p.prefix):], target):
			return true, nil // strictly past the target
		}
		found = bytes.Clone(k)
		return false, nil
	}
	if ascending {
		start := p.lo
		if target != nil {
			if at := append(bytes.Clone(p.prefix), target...); bytes.Compare(at, start) > 0 {
				start = at
			}
		}
		return found, tx.Scan(p.bucket, start, take)
	}
	start := p.hi
	if target != nil {
		if at := append(bytes.Clone(p.prefix), target...); start == nil || bytes.Compare(at, start) < 0 {
			start = at
		}
	}
	return found, tx.ScanReverse(p.bucket, start, take)
}

// List runs a query over the indexes.
func (s *Service) List(ctx context.Context, q usecase.Query) (*usecase.Page, error) {
	f, err := parseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	d := newDay(s.Today(), s.nextAction(), s.extensionDue())
	p, err := choosePlan(f, q.OrderBy, d)
	if err != nil {
		return nil, err
	}
	page := &usecase.Page{}
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		if ref, ok := f.required("reference"); ok {
			return lookupReference(tx, ref.text, f, d, page)
		}
		return scan(tx, p, q, s.decoded.decode, func(c *cases.Case) bool { return f.match(c, d) }, page)
	})
	return page, err
}

// nextAction is each case's likely next action as of now.
func (s *Service) nextAction() func(*cases.Case) cases.StaffAction {
	env := s.env("")
	return func(c *cases.Case) cases.StaffAction { return c.NextAction(env) }
}

func lookupReference(tx store.ReadTx, reference string, f filter, d day, page *usecase.Page) error {
	c, err := caseByReference(tx, reference)
	var missing *fault.NotFound
	if errors.As(err, &missing) {
		return nil // no such reference: an empty page, not an error
	}
	if err == nil && f.match(c, d) {
		page.Cases = append(page.Cases, c)
	}
	return err
}

// ByReference finds a case by its public reference as a person types it.
func (s *Service) ByReference(ctx context.Context, reference string) (c *cases.Case, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		c, err = caseByReference(tx, reference)
		return err
	})
	return c, err
}

func caseByReference(tx store.ReadTx, reference string) (*cases.Case, error) {
	ref := cases.NormaliseReference(reference)
	id, err := store.CaseIDByReference(tx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &fault.NotFound{Resource: "case", Name: ref}
	}
	if err != nil {
		return nil, err
	}
	return store.GetCase(tx, id)
}

// scan walks one index from the cursor, loading each case it points at,
// until the page is full and one more match is found (the next page
// starts there: its cursor is the entry before it) or the index ends (no
// next page). So a page holds cases whenever a next page is offered.
// A page that holds cases is also cut, with a cursor after its last
// examined entry, once maxExamined entries were read; an empty one reads
// on, since offering "next" with nothing shown would tell nothing.
// With q.Before it walks back from there instead, and returns that page
// in the index's order; when no match lies before the page, walking back
// gives the first page as a walk from the start draws it.
//
// The cases of the entries walked are read a batch at a time, the first
// batch as many as a page can use, so that on a networked store a page
// is one read of its index and one of its cases, not a read per case.
func scan(tx store.ReadTx, p plan, q usecase.Query, decode func(store.ReadTx, string, []byte) (*cases.Case, error), match func(*cases.Case) bool, page *usecase.Page) error {
	back := q.Before != nil
	from := q.After
	if back {
		from = q.Before
	}
	var (
		first, last []byte // the first and last entries the page covers
		examined    int
		more        bool     // matches may lie past last
		batch       [][]byte // entries walked whose cases are not read yet
		batchSize   = q.Limit + 1
		stopped     bool
	)
	// examine reads the batch's cases and takes them in index order,
	// until the page is done.
	examine := func() (bool, error) {
		ids := make([]string, len(batch))
		for i, k := range batch {
			ids[i] = store.IndexedCaseID(k)
		}
		records := store.CaseRecords(tx, ids)
		for i, k := range batch {
			if len(page.Cases) > 0 && examined >= maxExamined {
				more, stopped = true, true
				return false, nil
			}
			examined++
			c, err := decode(tx, ids[i], records[i])
			if err != nil {
				return false, err
			}
			if match(c) {
				if len(page.Cases) >= q.Limit {
					more, stopped = true, true
					return false, nil
				}
				page.Cases = append(page.Cases, c)
			}
			if first == nil {
				first = bytes.Clone(k)
			}
			last = append(last[:0], k...)
		}
		batch = batch[:0]
		batchSize = min(2*batchSize, maxBatch)
		return true, nil
	}
	err := p.walk(tx, p.desc == back, from, func(k []byte) (bool, error) {
		batch = append(batch, bytes.Clone(k))
		if len(batch) < batchSize {
			return true, nil
		}
		return examine()
	})
	if err == nil && !stopped && len(batch) > 0 {
		_, err = examine()
	}
	switch {
	case err != nil:
		return err
	case back && !more:
		*page = usecase.Page{}
		return scan(tx, p, usecase.Query{Limit: q.Limit}, decode, match, page)
	case back:
		slices.Reverse(page.Cases)
		// Walking on from the entry next to Before draws the page Before
		// came from; the last entry walked is where this one begins.
		page.Next, page.Prev = first, last
	default:
		if more {
			page.Next = last
		}
		if q.After != nil {
			page.Prev = first // nil when the page is empty: nothing to go back from
		}
	}
	return nil
}

func choosePlan(f filter, orderBy string, d day) (plan, error) {
	field, desc, err := parseOrderBy(orderBy)
	if err != nil {
		return plan{}, err
	}
	if field == "received" {
		if n, ok := f.required("notice"); ok {
			return bounded(store.BucketByNotice, n.text+"\x00", "", "", desc), nil
		}
		return bounded(store.BucketByReceived, "", "", "", desc), nil
	}
	// Due order lists open cases, through the open-by-due index, or
	// through an index that holds fewer of them and is also in due order
	// within its prefix.
	from, to := f.dueRange(d)
	state, byState := f.required("state")
	var legs []plan
	switch {
	case f.requires("undelivered", true):
		// Few cases have a letter not delivered; closed ones are listed
		// too, since their response may be the letter that failed.
		legs = append(legs, bounded(store.BucketUndelivered, "", from, to, desc))
	case byState:
		legs = append(legs, bounded(store.BucketByState, state.text+"/", from, to, desc))
	case f.requires("waiting", true):
		legs = append(legs, bounded(store.BucketByState, string(cases.StateAwaitingRequester)+"/", from, to, desc))
	case f.requires("open", false):
		legs = append(legs, bounded(store.BucketByState, string(cases.StateClosed)+"/", from, to, desc))
	}
	if listsOpenOnly(f) {
		legs = append(legs, openLegs(f, from, to, desc)...)
	}
	if len(legs) == 0 {
		return bounded(store.BucketOpenByDue, "", from, to, desc), nil
	}
	legs[0].also = legs[1:]
	return legs[0], nil
}

// listsOpenOnly reports whether every case the filter can match in due
// order is open, so that the indexes of open cases alone (assignee, right,
// notice) may narrow it: a due-ordered list shows open cases unless a
// top-level term asks for closed ones, or for undelivered letters, which
// closed cases have too, without also asking for open ones.
func listsOpenOnly(f filter) bool {
	if f.requires("open", true) {
		return true
	}
	state, byState := f.required("state")
	return !f.requires("undelivered", true) && !f.requires("open", false) && !(byState && state.text == string(cases.StateClosed))
}

// openLegs are the indexes of open cases the filter's top-level terms
// name: the open cases with a new reply, an assignee's queue, and the open
// cases by each right and notice required.
func openLegs(f filter, from, to string, desc bool) []plan {
	var legs []plan
	if f.requires("new_reply", true) {
		legs = append(legs, bounded(store.BucketOpenByTerm, store.OpenNewReplyPrefix, from, to, desc))
	}
	for _, t := range f.conjuncts() {
		switch {
		case t.field == "assignee" && t.text != "":
			legs = append(legs, bounded(store.BucketByAssignee, t.text+"\x00", from, to, desc))
		case t.field == "right":
			legs = append(legs, bounded(store.BucketOpenByTerm, store.OpenRightPrefix(t.text), from, to, desc))
		case t.field == "notice":
			legs = append(legs, bounded(store.BucketOpenByTerm, store.OpenNoticePrefix(t.text), from, to, desc))
		}
	}
	return legs
}

// bounded is the plan for the keys under prefix, in a due-ordered index
// also those due in [from, to) (empty: unbounded).
func bounded(b store.Bucket, prefix, from, to string, desc bool) plan {
	p := plan{bucket: b, prefix: []byte(prefix), lo: []byte(prefix + from), desc: desc}
	switch {
	case to != "":
		p.hi = []byte(prefix + to)
	case prefix != "":
		p.hi = []byte(prefix + "\xff")
	}
	return p
}

func parseOrderBy(s string) (field string, desc bool, err error) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) == 0 {
		return "due", false, nil
	}
	if len(words) > 2 || (words[0] != "due" && words[0] != "received") || (len(words) == 2 && words[1] != "desc" && words[1] != "asc") {
		return "", false, fault.Invalid("order_by", "%q: use \"due\" or \"received\", optionally followed by \"desc\"", s)
	}
	return words[0], len(words) == 2 && words[1] == "desc", nil
}
