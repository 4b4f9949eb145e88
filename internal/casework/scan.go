package casework

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// scanBatch is how many cases one read transaction of EachCase decodes. A
// read transaction held across a million cases would stop bbolt growing its
// file for seconds; short ones let writers carry on.
const scanBatch = 1000

// EachCase visits every case, open and closed, in id (creation) order. It
// reads in batches of short transactions, so each case is read whole but
// the visit as a whole is not one snapshot: a case changed meanwhile may be
// seen before or after the change. It is for reports and exports; lists
// and searches go through the indexes instead.
func (s *Service) EachCase(ctx context.Context, fn func(*cases.Case) error) error {
	var after []byte
	for {
		var batch []*cases.Case
		err := s.store.View(ctx, func(tx store.ReadTx) error {
			return tx.Scan(store.BucketCases, after, func(k, _ []byte) (bool, error) {
				if len(batch) == scanBatch {
					return false, nil
				}
				c, err := store.GetCase(tx, string(k))
				if err != nil {
					return false, err
				}
				batch = append(batch, c)
				return true, nil
			})
		})
		if err != nil {
			return err
		}
		for _, c := range batch {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(batch) < scanBatch {
			return nil
		}
		after = append([]byte(batch[len(batch)-1].ID), 0)
	}
}

// Dashboard computes the privacy team's figures as of today over every
// case; see package report.
func (s *Service) Dashboard(ctx context.Context) (report.Dashboard, error) {
	b := report.NewBuilder(s.Today())
	err := s.EachCase(ctx, func(c *cases.Case) error {
		b.Add(c)
		return nil
	})
	return b.Dashboard(), err
}
