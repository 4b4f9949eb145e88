package export_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

var ctx = context.Background()

// today is the injected time every test runs at.
var today = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*casework.Service, *store.Store) {
	t.Helper()
	return caseworktest.New(t, t.TempDir(), today)
}

func newCase(t *testing.T, w *casework.Service, name, email, received string, rights ...notice.Right) *cases.Case {
	t.Helper()
	res, err := w.Create(ctx, "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
		Rights: rights, ReceivedOn: received, Channel: cases.ChannelPhone,
		Requester: cases.Requester{Person: cases.Person{Name: name, Email: email}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Case
}

func apply(t *testing.T, w *casework.Service, id string, cmds ...cases.Command) {
	t.Helper()
	for _, cmd := range cmds {
		if _, err := w.Apply(ctx, "token:alice", id, "", cmd); err != nil {
			t.Fatalf("%s: %v", cmd.Action(), err)
		}
	}
}

// dumpBucket returns every key and value of the feed token bucket.
func dumpBucket(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	err := st.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketFeedTokens, nil, func(k, v []byte) (bool, error) {
			b.Write(k)
			b.Write(v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
