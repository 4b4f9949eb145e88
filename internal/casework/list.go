package casework

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// maxExamined bounds the index entries one page may look at, so a very
// selective filter returns a short page with a cursor instead of a long scan.
const maxExamined = 10000

// plan is how a query walks the indexes.
type plan struct {
	bucket store.Bucket
	prefix []byte
	desc   bool
	// dueTo stops an ascending walk of a due-ordered index at the first
	// entry due on or after it (exclusive), e.g. today for overdue=true.
	dueTo string
}

// List runs a query over the indexes.
func (s *Service) List(ctx context.Context, q usecase.Query) (*usecase.Page, error) {
	today := s.Today().String()
	f, err := parseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	p, err := choosePlan(f, q.OrderBy, today)
	if err != nil {
		return nil, err
	}
	page := &usecase.Page{}
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		if f.reference != "" {
			return lookupReference(tx, f, today, page)
		}
		return scan(tx, p, q, s.decoded.load, func(c *cases.Case) bool { return f.match(c, today) }, page)
	})
	return page, err
}

func lookupReference(tx store.ReadTx, f filter, today string, page *usecase.Page) error {
	id, err := store.CaseIDByReference(tx, cases.NormaliseReference(f.reference))
	if errors.Is(err, store.ErrNotFound) {
		return nil // no such reference: an empty page, not an error
	}
	if err != nil {
		return err
	}
	c, err := store.GetCase(tx, id)
	if err == nil && f.match(c, today) {
		page.Cases = append(page.Cases, c)
	}
	return err
}

// scan walks one index from the cursor, loading each case it points at. A
// page is cut, with a cursor after its last examined entry, only when a
// further entry exists.
func scan(tx store.ReadTx, p plan, q usecase.Query, load func(store.ReadTx, string) (*cases.Case, error), match func(*cases.Case) bool, page *usecase.Page) error {
	var (
		last     []byte
		examined int
		cut      bool
	)
	visit := func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, p.prefix) || (p.dueTo != "" && !p.desc && dueOf(k, p.prefix) >= p.dueTo) {
			return false, nil
		}
		if p.desc && q.After != nil && bytes.Equal(k, q.After) {
			return true, nil
		}
		if len(page.Cases) == q.Limit || examined == maxExamined {
			cut = true
			return false, nil
		}
		examined++
		last = append(last[:0], k...)
		c, err := load(tx, store.IndexedCaseID(k))
		if err != nil {
			return false, err
		}
		if match(c) {
			page.Cases = append(page.Cases, c)
		}
		return true, nil
	}
	var err error
	if p.desc {
		start := q.After
		if start == nil && len(p.prefix) > 0 {
			start = append(append([]byte(nil), p.prefix...), 0xff)
		}
		err = tx.ScanReverse(p.bucket, start, visit)
	} else {
		start := p.prefix
		if q.After != nil {
			start = append(append([]byte(nil), q.After...), 0)
		}
		err = tx.Scan(p.bucket, start, visit)
	}
	if cut {
		page.Next = last
	}
	return err
}

// dueOf reads the ISO date that follows the prefix in a due-ordered key.
func dueOf(k, prefix []byte) string {
	rest := k[len(prefix):]
	if len(rest) < 10 {
		return string(rest)
	}
	return string(rest[:10])
}

func choosePlan(f filter, orderBy, today string) (plan, error) {
	field, desc, err := parseOrderBy(orderBy)
	if err != nil {
		return plan{}, err
	}
	if field == "received" {
		if f.notice != nil {
			return plan{bucket: store.BucketByNotice, prefix: []byte(*f.notice + "\x00"), desc: desc}, nil
		}
		return plan{bucket: store.BucketByReceived, desc: desc}, nil
	}
	p := plan{bucket: store.BucketOpenByDue, desc: desc, dueTo: f.dueTo}
	switch {
	case f.state != nil:
		p.bucket, p.prefix = store.BucketByState, []byte(string(*f.state)+"/")
	case f.assignee != nil && *f.assignee != "":
		p.bucket, p.prefix = store.BucketByAssignee, []byte(*f.assignee+"\x00")
	}
	if f.overdue != nil && *f.overdue && (p.dueTo == "" || today < p.dueTo) {
		p.dueTo = today
	}
	return p, nil
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
