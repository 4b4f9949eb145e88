package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

func refused(err error) bool {
	var fp *fault.FailedPrecondition
	return errors.As(err, &fp)
}

var firstAdmin = users.NewUser{Email: "first@example.org", Name: "First Admin", Password: password}

func TestTheSetUpLinkMakesTheFirstAdministratorOnce(t *testing.T) {
	d, clk, _ := newDirectory(t)
	secret, expires, err := d.SetupLink(ctx)
	if err != nil || secret == "" || !expires.Equal(clk.Now().Add(accounts.SetupLifetime).Truncate(time.Second)) {
		t.Fatalf("SetupLink on a new installation = %q, %v, %v", secret, expires, err)
	}
	if err := d.CheckSetupLink(ctx, secret); err != nil {
		t.Errorf("a fresh link: %v", err)
	}
	if err := d.CheckSetupLink(ctx, secret+"x"); !refused(err) {
		t.Errorf("a wrong link: %v, want it refused", err)
	}
	weak := firstAdmin
	weak.Password = "short"
	if _, err := d.FirstAdministrator(ctx, secret, weak); err == nil || refused(err) {
		t.Fatalf("a weak password: %v, want the field named", err)
	}
	u, err := d.FirstAdministrator(ctx, secret, firstAdmin)
	if err != nil || u.Role != auth.RoleAdmin {
		t.Fatalf("FirstAdministrator after a refused try (the link is spent only by success) = %+v, %v", u, err)
	}
	second := firstAdmin
	second.Email = "second@example.org"
	if _, err := d.FirstAdministrator(ctx, secret, second); !refused(err) {
		t.Errorf("the link used again: %v, want it refused", err)
	}
	if secret, _, err := d.SetupLink(ctx); secret != "" || err != nil {
		t.Errorf("SetupLink once an administrator exists = %q, %v; want none", secret, err)
	}
}

func TestTheSetUpLinkExpires(t *testing.T) {
	d, clk, _ := newDirectory(t)
	secret, _, err := d.SetupLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(accounts.SetupLifetime)
	if _, err := d.FirstAdministrator(ctx, secret, firstAdmin); !refused(err) {
		t.Errorf("an expired link: %v, want it refused", err)
	}
	again, _, err := d.SetupLink(ctx)
	if err != nil || again == "" || again == secret {
		t.Fatalf("a restart makes a new link: %q, %v", again, err)
	}
	if err := d.CheckSetupLink(ctx, secret); !refused(err) {
		t.Errorf("the old link after a new one was made: %v", err)
	}
}

func TestTheSetUpLinkDiesWhenAnAdministratorIsMadeOtherwise(t *testing.T) {
	d, _, _ := newDirectory(t)
	secret, _, err := d.SetupLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, d, "cli@example.org", auth.RoleAdmin) // e.g. `rightsdesk users create`
	if _, err := d.FirstAdministrator(ctx, secret, firstAdmin); !refused(err) {
		t.Errorf("the link after an administrator was made by other means: %v, want it refused", err)
	}
}
