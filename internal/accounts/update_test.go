package accounts_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// accountEvents lists "actor action role required" for each audit event
// about the account.
func accountEvents(t *testing.T, st *store.Store, id string) []string {
	t.Helper()
	var got []string
	err := st.View(ctx, func(tx store.ReadTx) error {
		events, _, err := store.CaseEvents(tx, audit.UserSubject(id))
		for _, e := range events {
			got = append(got, e.Actor+" "+e.Action+" "+e.After["role"]+" "+e.After["password_change_required"])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestUpdateRoleIsChainedAndKeepsTheLastAdministrator(t *testing.T) {
	d, _, st := newDirectory(t)
	admin := mustCreate(t, d, "admin@example.org", auth.RoleAdmin)
	cw := mustCreate(t, d, "cw@example.org", auth.RoleCaseworker)

	u, err := d.Update(ctx, "CW@example.org", users.Update{Paths: []string{"role"}, Role: auth.RoleAdmin}, admin.Actor())
	if err != nil || u.Role != auth.RoleAdmin || u.ID != cw.ID {
		t.Fatalf("promote by email = %+v, %v", u, err)
	}
	if got, _ := d.Get(ctx, cw.ID); got.Role != auth.RoleAdmin {
		t.Fatalf("stored role %s, want admin", got.Role)
	}
	// The same role again writes nothing.
	if _, err := d.Update(ctx, cw.ID, users.Update{Paths: []string{"role"}, Role: auth.RoleAdmin}, admin.Actor()); err != nil {
		t.Fatal(err)
	}
	// Two administrators now: one may demote the other, not themselves.
	var refused *fault.FailedPrecondition
	if _, err := d.Update(ctx, admin.ID, users.Update{Paths: []string{"role"}, Role: auth.RoleViewer}, admin.Actor()); !errors.As(err, &refused) {
		t.Fatalf("demoting oneself = %v, want FAILED_PRECONDITION", err)
	}
	if _, err := d.Update(ctx, admin.ID, users.Update{Paths: []string{"role"}, Role: auth.RoleViewer}, cw.Actor()); err != nil {
		t.Fatalf("demoting the other administrator: %v", err)
	}
	// cw is the last administrator now, whoever asks.
	if _, err := d.Update(ctx, cw.ID, users.Update{Paths: []string{"role"}, Role: auth.RoleCaseworker}, "cli:ops"); !errors.As(err, &refused) {
		t.Fatalf("demoting the last administrator = %v, want FAILED_PRECONDITION", err)
	}
	if got, _ := d.Get(ctx, cw.ID); got.Role != auth.RoleAdmin {
		t.Errorf("the last administrator is %s after a refused demotion", got.Role)
	}
	var notFound *fault.NotFound
	if _, err := d.Update(ctx, "nobody@example.org", users.Update{Paths: []string{"role"}, Role: auth.RoleViewer}, "cli:ops"); !errors.As(err, &notFound) {
		t.Errorf("an unknown account = %v, want NOT_FOUND", err)
	}

	want := []string{" user.created caseworker false", admin.Actor() + " user.updated admin false"}
	if got := accountEvents(t, st, cw.ID); !slices.Equal(got, want) {
		t.Errorf("events of the promoted account:\n got %q\nwant %q", got, want)
	}
	want = []string{" user.created admin false", cw.Actor() + " user.updated viewer false"}
	if got := accountEvents(t, st, admin.ID); !slices.Equal(got, want) {
		t.Errorf("events of the demoted account:\n got %q\nwant %q", got, want)
	}
}

// A required password change stays through a password an administrator
// sets (they know it) and ends when the user chooses their own.
func TestPasswordChangeRequiredClearsWhenTheUserChangesIt(t *testing.T) {
	d, _, st := newDirectory(t)
	u := mustCreate(t, d, "cw@example.org", auth.RoleCaseworker)
	require := users.Update{Paths: []string{"password_change_required"}, PasswordChangeRequired: true}
	if got, err := d.Update(ctx, u.ID, require, "user:admin"); err != nil || !got.PasswordChangeRequired {
		t.Fatalf("require a new password = %+v, %v", got, err)
	}
	if got, err := d.SignIn(ctx, "cw@example.org", password); err != nil || !got.PasswordChangeRequired {
		t.Fatalf("sign-in = %+v, %v; want it to succeed and carry the requirement", got, err)
	}
	const set, chosen = "harbour lantern porridge", "porridge harbour lantern"
	if got, err := d.ResetPassword(ctx, u.ID, set, "user:admin"); err != nil || !got.PasswordChangeRequired {
		t.Fatalf("an administrator's new password = %+v, %v; want the requirement kept", got, err)
	}
	if got, err := d.ChangePassword(ctx, u.ID, set, chosen); err != nil || got.PasswordChangeRequired {
		t.Fatalf("the user's own change = %+v, %v; want the requirement cleared", got, err)
	}
	want := []string{
		" user.created caseworker false", "user:admin user.updated caseworker true",
		"user:admin user.password_set caseworker true", u.Actor() + " user.password_changed caseworker false",
	}
	if got := accountEvents(t, st, u.ID); !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}

func TestUnlockLetsALockedAccountSignInAtOnce(t *testing.T) {
	d, clk, st := newDirectory(t)
	u := mustCreate(t, d, "cw@example.org", auth.RoleCaseworker)
	for range lockout.FreeAttempts + 1 {
		_, _ = d.SignIn(ctx, "cw@example.org", "not the password at all")
	}
	if got, _ := d.Get(ctx, u.ID); !got.Locked(clk.Now()) {
		t.Fatal("the account did not lock")
	}
	if _, err := d.SignIn(ctx, "cw@example.org", password); err == nil {
		t.Fatal("a locked account signed in")
	}
	got, err := d.Unlock(ctx, u.ID, "user:admin")
	if err != nil || got.Locked(clk.Now()) || got.Failures != 0 {
		t.Fatalf("Unlock = %+v, %v", got, err)
	}
	// Unlocking an open account writes nothing.
	if _, err := d.Unlock(ctx, u.ID, "user:admin"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if signedIn, err := d.SignIn(ctx, "cw@example.org", password); err != nil || !signedIn.LastSignIn.Equal(clk.Now()) {
		t.Fatalf("sign-in after unlock = %+v, %v; want it recorded as the last sign-in", signedIn, err)
	}
	want := []string{" user.created caseworker false", "user:admin user.unlocked caseworker false"}
	if got := accountEvents(t, st, u.ID); !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}
