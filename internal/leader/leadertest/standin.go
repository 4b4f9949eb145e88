package leadertest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// The stand-in's records live in the meta bucket under this prefix.
const prefix = "standin/"

// Enqueue queues a message with the given id, as a use case would write an
// outbox entry in its own transaction.
func Enqueue(ctx context.Context, st *store.Store, id string) error {
	return st.Update(ctx, func(tx store.WriteTx) error {
		return tx.Put(store.BucketMeta, []byte(prefix+"queue/"+id), []byte(id))
	})
}

// Execution is one recorded run of a queued message.
type Execution struct {
	ID, Replica string
	Epoch       uint64
}

// StandIn is the leader-run job: every Interval it takes each queued
// message and, in one transaction fenced by the leader's epoch, removes it
// from the queue and records an execution naming the replica and epoch.
func StandIn(interval time.Duration) leader.Job {
	return leader.Job{Name: "stand-in outbox", Run: func(ctx context.Context, lead *leader.Lead) error {
		for {
			var queued []string
			err := lead.View(ctx, func(tx store.ReadTx) error {
				queued = queued[:0]
				return tx.Scan(store.BucketMeta, []byte(prefix+"queue/"), func(k, _ []byte) (bool, error) {
					id, ok := strings.CutPrefix(string(k), prefix+"queue/")
					if ok {
						queued = append(queued, id)
					}
					return ok, nil
				})
			})
			if err != nil {
				return err
			}
			for _, id := range queued {
				if err := lead.Update(ctx, func(tx store.WriteTx) error {
					q := []byte(prefix + "queue/" + id)
					if tx.Get(store.BucketMeta, q) == nil {
						return nil // taken meanwhile
					}
					if err := tx.Delete(store.BucketMeta, q); err != nil {
						return err
					}
					key := fmt.Sprintf("%sexec/%s/%s/%d", prefix, id, lead.Replica, lead.Epoch)
					return tx.Put(store.BucketMeta, []byte(key), nil)
				}); err != nil {
					return err
				}
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(interval):
			}
		}
	}}
}

// Executions lists every recorded execution, and the ids still queued.
func Executions(ctx context.Context, st *store.Store) (runs []Execution, queued []string, err error) {
	err = st.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketMeta, []byte(prefix), func(k, _ []byte) (bool, error) {
			rest, ok := strings.CutPrefix(string(k), prefix)
			if !ok {
				return false, nil
			}
			switch kind, rest, _ := strings.Cut(rest, "/"); kind {
			case "queue":
				queued = append(queued, rest)
			case "exec":
				parts := strings.Split(rest, "/")
				if len(parts) != 3 {
					return false, fmt.Errorf("stand-in execution record %q is malformed", k)
				}
				var epoch uint64
				fmt.Sscan(parts[2], &epoch)
				runs = append(runs, Execution{ID: parts[0], Replica: parts[1], Epoch: epoch})
			}
			return true, nil
		})
	})
	return runs, queued, err
}
