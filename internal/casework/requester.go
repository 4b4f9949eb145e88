package casework

import (
	"cmp"
	"context"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// maxTermScan bounds how many cases one name word is read for before the
// search settles for the rarest word it has seen in full.
const maxTermScan = 5000

// FindRequester finds the cases whose requester (or, for a representative's
// request, data subject) has the email address or every word of the name,
// through the keyed-hash requester index: no case is read unless the index
// points at it. Either argument may be empty, not both. See
// cases.RequesterTerms for how both are normalised.
func (s *Service) FindRequester(ctx context.Context, email, name string) (*usecase.RequesterResult, error) {
	emailTerm, nameTerms := cases.EmailTerm(email), cases.NameTerms(name)
	if emailTerm == "" && len(nameTerms) == 0 {
		return nil, &fault.InvalidArgument{Violations: []fault.FieldViolation{
			{Field: "email", Description: "give an email address, a name or both to search for"},
			{Field: "name", Description: "give an email address, a name or both to search for"},
		}}
	}
	res := &usecase.RequesterResult{}
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		found := map[string]*usecase.RequesterMatch{}
		if emailTerm != "" {
			ids, more, err := store.CaseIDsByRequesterTerm(tx, emailTerm, usecase.MaxRequesterMatches)
			if err != nil {
				return err
			}
			res.Truncated = more
			for _, id := range ids {
				found[id] = &usecase.RequesterMatch{ByEmail: true}
			}
		}
		if len(nameTerms) > 0 {
			ids, more, err := casesWithEveryTerm(tx, nameTerms)
			if err != nil {
				return err
			}
			res.Truncated = res.Truncated || more
			for _, id := range ids {
				if found[id] == nil {
					found[id] = &usecase.RequesterMatch{}
				}
				found[id].ByName = true
			}
		}
		for id, m := range found {
			c, err := store.GetCase(tx, id)
			if err != nil {
				return err
			}
			m.Case = c
			res.Matches = append(res.Matches, *m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(res.Matches, func(a, b usecase.RequesterMatch) int {
		return cmp.Or(
			-cmp.Compare(strength(a), strength(b)),
			-cmp.Compare(a.Case.ReceivedOn, b.Case.ReceivedOn),
			-cmp.Compare(a.Case.ID, b.Case.ID),
		)
	})
	if len(res.Matches) > usecase.MaxRequesterMatches {
		res.Matches, res.Truncated = res.Matches[:usecase.MaxRequesterMatches], true
	}
	return res, nil
}

// strength ranks a match on both over one on the email address alone, which
// identifies a person better than a name does.
func strength(m usecase.RequesterMatch) int {
	n := 0
	if m.ByEmail {
		n += 2
	}
	if m.ByName {
		n++
	}
	return n
}

// casesWithEveryTerm walks the rarest term's cases and keeps those indexed
// under every other term too, each checked with one read. more is set when
// even the rarest term had more cases than maxTermScan.
func casesWithEveryTerm(tx store.ReadTx, terms []string) (ids []string, more bool, err error) {
	var rarest []string
	for i, term := range terms {
		got, truncated, err := store.CaseIDsByRequesterTerm(tx, term, maxTermScan)
		if err != nil {
			return nil, false, err
		}
		if i == 0 || (!truncated && (more || len(got) < len(rarest))) {
			rarest, more = got, truncated
		}
	}
	for _, id := range rarest {
		every := true
		for _, term := range terms {
			if every, err = store.CaseHasRequesterTerm(tx, term, id); err != nil || !every {
				break
			}
		}
		if err != nil {
			return nil, false, err
		}
		if every {
			ids = append(ids, id)
		}
	}
	return ids, more, nil
}
