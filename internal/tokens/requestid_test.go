package tokens_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// A request id makes a second create with it make nothing: the same body
// is a retry, refused because the token cannot be shown twice; another
// body is a reuse of the id. Neither writes a token or an event.
func TestCreateWithARequestIDCreatesOnce(t *testing.T) {
	s, clk, st := newService(t)
	in := usecase.NewToken{Name: "case-importer", Role: auth.RoleCaseworker, Lifetime: 24 * time.Hour, By: "cli:test", RequestID: "import-1"}
	first := mustCreate(t, s, in)
	name := "tokens/" + first.Token.ID

	clk.Advance(time.Hour) // a retry later asks for the same lifetime, not the same expiry
	in.By = "token:someone-else"
	var reused *fault.RequestReused
	if _, err := s.Create(ctx, in); !errors.As(err, &reused) || !reused.Retry || reused.Name != name || reused.RequestID != "import-1" {
		t.Fatalf("a retry = %v (%+v), want a retry of %s refused", err, reused, name)
	}
	if !strings.Contains(reused.Error(), "revoke "+name) {
		t.Errorf("the retry's error %q does not say to revoke %s", reused.Error(), name)
	}
	if strings.Contains(reused.Error(), first.Plaintext) {
		t.Error("the retry's error holds the token")
	}
	for _, other := range []usecase.NewToken{
		{Name: "case-importer", Role: auth.RoleAdmin, Lifetime: 24 * time.Hour},
		{Name: "case-importer", Role: auth.RoleCaseworker},
		{Name: "other-tool", Role: auth.RoleCaseworker, Lifetime: 24 * time.Hour},
	} {
		other.By, other.RequestID = "cli:test", "import-1"
		reused = nil
		if _, err := s.Create(ctx, other); !errors.As(err, &reused) || reused.Retry || reused.Name != name {
			t.Errorf("the id with another body %+v = %v, want it refused as reused, naming %s", other, err, name)
		}
	}
	if all, err := s.List(ctx); err != nil || len(all) != 1 {
		t.Fatalf("List = %d tokens, %v; want only the first", len(all), err)
	}
	if got := events(t, st, first.Token.ID); len(got) != 1 {
		t.Errorf("%d events, want only token.created", len(got))
	}

	in.RequestID = "import-2"
	if second := mustCreate(t, s, in); second.Token.ID == first.Token.ID {
		t.Error("another request id made no new token")
	}
	in.RequestID = ""
	mustCreate(t, s, in)
	mustCreate(t, s, in) // no request id: every call creates
	if all, _ := s.List(ctx); len(all) != 4 {
		t.Errorf("%d tokens, want 4", len(all))
	}
}

func TestCreateRefusesABadRequestID(t *testing.T) {
	s, _, _ := newService(t)
	for _, id := range []string{"has spaces", strings.Repeat("x", 129), "caf\u00e9"} {
		var inv *fault.InvalidArgument
		_, err := s.Create(ctx, usecase.NewToken{Name: "tool", Role: auth.RoleViewer, By: "cli:test", RequestID: id})
		if !errors.As(err, &inv) || inv.Violations[0].Field != "request_id" {
			t.Errorf("request id %.20q: %v, want request_id invalid", id, err)
		}
	}
	if all, _ := s.List(ctx); len(all) != 0 {
		t.Errorf("bad request ids created %d tokens", len(all))
	}
}

// Concurrent calls with one id create one token: the check and the write
// share a transaction.
func TestConcurrentCreatesWithOneRequestIDCreateOne(t *testing.T) {
	s, _, _ := newService(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Create(ctx, usecase.NewToken{Name: "tool", Role: auth.RoleViewer, By: "cli:test", RequestID: "once"})
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		var reused *fault.RequestReused
		switch {
		case err == nil:
			created++
		case !errors.As(err, &reused) || !reused.Retry:
			t.Errorf("a concurrent retry: %v", err)
		}
	}
	if all, _ := s.List(ctx); created != 1 || len(all) != 1 {
		t.Errorf("%d calls succeeded and %d tokens exist, want 1 and 1", created, len(all))
	}
}
