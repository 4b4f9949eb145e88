package accounts_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// A retried create (same request id, email, name, role and password) gets
// the account the first call made; the id with anything else is refused
// as reused. Neither writes an account.
func TestCreateWithARequestIDCreatesOnce(t *testing.T) {
	d, _, _ := newDirectory(t)
	in := users.NewUser{Email: "casey@example.org", Name: "Casey Jones", Role: auth.RoleCaseworker, Password: password, By: "user:admin", RequestID: "hire-1"}
	first, err := d.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	retry := in
	retry.Email, retry.Name, retry.By = " CASEY@example.org", "Casey Jones ", "cli:other" // as typed again
	again, err := d.Create(ctx, retry)
	if err != nil || again.ID != first.ID {
		t.Fatalf("a retry = %+v, %v; want account %s", again, err, first.ID)
	}
	for field, other := range map[string]users.NewUser{
		"email":    {Email: "casey2@example.org", Name: in.Name, Role: in.Role, Password: password},
		"name":     {Email: in.Email, Name: "Casey Smith", Role: in.Role, Password: password},
		"role":     {Email: in.Email, Name: in.Name, Role: auth.RoleAdmin, Password: password},
		"password": {Email: in.Email, Name: in.Name, Role: in.Role, Password: "a different long passphrase"},
	} {
		other.By, other.RequestID = "user:admin", "hire-1"
		var reused *fault.RequestReused
		if _, err := d.Create(ctx, other); !errors.As(err, &reused) || reused.Retry || reused.Name != "users/"+first.ID {
			t.Errorf("the id with another %s = %v, want it refused as reused, naming users/%s", field, err, first.ID)
		}
	}
	// Once the password has changed the retry's no longer opens the
	// account: answering it would say a password works that does not.
	if _, err := d.ResetPassword(ctx, first.ID, "harbour lantern porridge", "user:admin"); err != nil {
		t.Fatal(err)
	}
	var reused *fault.RequestReused
	if _, err := d.Create(ctx, in); !errors.As(err, &reused) {
		t.Errorf("a retry after a password change = %v, want it refused as reused", err)
	}
	if all, err := d.List(ctx); err != nil || len(all) != 1 {
		t.Fatalf("List = %d accounts, %v; want only the first", len(all), err)
	}

	// A bad id is refused before anything is looked up or written.
	in.Email, in.RequestID = "dana@example.org", "has spaces"
	var inv *fault.InvalidArgument
	if _, err := d.Create(ctx, in); !errors.As(err, &inv) || inv.Violations[0].Field != "request_id" {
		t.Errorf("a request id with spaces: %v, want request_id invalid", err)
	}
	// Without an id the email rule stands as before.
	in.Email, in.RequestID = "casey@example.org", ""
	if _, err := d.Create(ctx, in); !errors.As(err, &inv) || inv.Violations[0].Field != "email" {
		t.Errorf("a second account for the address without a request id: %v, want email invalid", err)
	}
}

// Concurrent calls with one id create one account, and every caller gets it.
func TestConcurrentCreatesWithOneRequestIDCreateOne(t *testing.T) {
	d, _, _ := newDirectory(t)
	const n = 16
	var wg sync.WaitGroup
	got := make([]*users.User, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = d.Create(ctx, users.NewUser{Email: "casey@example.org", Name: "Casey Jones", Role: auth.RoleViewer, Password: password, By: "user:admin", RequestID: "hire-2"})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i].ID != got[0].ID {
			t.Errorf("call %d = %+v, %v; want account %s", i, got[i], errs[i], got[0].ID)
		}
	}
	if all, _ := d.List(ctx); len(all) != 1 {
		t.Errorf("%d accounts, want 1", len(all))
	}
}
