package etcdleader

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/rightsdesk/rightsdesk/internal/leader"
)

// DefaultTTL is the lease's time to live: how long the replicas wait for a
// leader that died without resigning.
const DefaultTTL = 10 * time.Second

// Elector campaigns in an etcd election.
type Elector struct {
	cli     *clientv3.Client
	key     string
	replica string
	ttl     time.Duration
}

var _ leader.Elector = (*Elector)(nil)

// New returns an Elector for the election at key (the engine's prefix +
// "x/leader" keeps it beside the store), campaigning as replica, with a
// lease of ttl (DefaultTTL when zero; whole seconds, at least one).
func New(cli *clientv3.Client, key, replica string, ttl time.Duration) *Elector {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Elector{cli: cli, key: key, replica: replica, ttl: ttl}
}

// Campaign implements leader.Elector: it opens a session (a lease kept
// alive in the background) and waits to be elected in it.
func (e *Elector) Campaign(ctx context.Context) (leader.Term, error) {
	secs := max(int(e.ttl/time.Second), 1)
	s, err := concurrency.NewSession(e.cli, concurrency.WithTTL(secs), concurrency.WithContext(context.WithoutCancel(ctx)))
	if err != nil {
		return nil, err
	}
	el := concurrency.NewElection(s, e.key)
	if err := el.Campaign(ctx, e.replica); err != nil {
		_ = s.Close()
		return nil, err
	}
	return &term{s: s, el: el}, nil
}

// Leader returns the replica that leads now, "" when none does.
func (e *Elector) Leader(ctx context.Context) (string, error) {
	resp, err := e.cli.Get(ctx, e.key+"/", clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortAscend), clientv3.WithLimit(1))
	if err != nil || len(resp.Kvs) == 0 {
		return "", err
	}
	return string(resp.Kvs[0].Value), nil
}

type term struct {
	s  *concurrency.Session
	el *concurrency.Election
}

func (t *term) Lost() <-chan struct{} { return t.s.Done() }

func (t *term) Resign(ctx context.Context) error {
	err := t.el.Resign(ctx)
	// Closing the session revokes the lease, which also ends the term.
	if cerr := t.s.Close(); err == nil {
		err = cerr
	}
	return err
}
