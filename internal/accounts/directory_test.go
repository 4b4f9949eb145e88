package accounts_test

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

var ctx = context.Background()

var (
	cheap   = users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	lockout = users.Lockout{FreeAttempts: 3, FirstLock: time.Minute, MaxLock: time.Hour}
)

func newDirectory(t *testing.T) (*accounts.Directory, *clock.Manual, *store.Store) {
	t.Helper()
	st := caseworktest.OpenStore(t, t.TempDir())
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	return accounts.New(st, clk, crand.Reader, accounts.Options{Params: cheap, Lockout: lockout}), clk, st
}

const password = "lighthouse keeper biscuit"

func mustCreate(t *testing.T, d *accounts.Directory, email string, role auth.Role) *users.User {
	t.Helper()
	u, err := d.Create(ctx, users.NewUser{Email: email, Name: "Ada Lovelace", Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCreateStoresOnlyAnArgon2idHash(t *testing.T) {
	d, clk, st := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	if len(u.ID) != 12 || u.Actor() != "user:"+u.ID || u.Role != auth.RoleCaseworker || !u.Created.Equal(clk.Now()) {
		t.Errorf("created %+v", u)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		raw, err := store.GetUser(tx, u.ID)
		if err != nil {
			return err
		}
		if strings.Contains(string(raw), password) || !strings.Contains(string(raw), `"password_hash":"$argon2id$v=19$m=64,t=1,p=1$`) || !strings.Contains(string(raw), `"role":"caseworker"`) {
			t.Errorf("stored record %s", raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, u.ID)
	if err != nil || got.Email != "ada@example.org" {
		t.Errorf("Get = %+v, %v", got, err)
	}
	var nf *fault.NotFound
	if _, err := d.Get(ctx, "000000000000"); !errors.As(err, &nf) {
		t.Errorf("Get(unknown) = %v, want NOT_FOUND", err)
	}
}

func TestCreateValidation(t *testing.T) {
	d, _, _ := newDirectory(t)
	mustCreate(t, d, "taken@example.org", auth.RoleViewer)
	valid := users.NewUser{Email: "new@example.org", Name: "New Colleague", Role: auth.RoleViewer, Password: password}
	tests := []struct {
		name   string
		change func(*users.NewUser)
		fields []string
	}{
		{"not an email", func(n *users.NewUser) { n.Email = "new at example" }, []string{"email"}},
		{"display form", func(n *users.NewUser) { n.Email = "New <new@example.org>" }, []string{"email"}},
		{"email taken, in another case", func(n *users.NewUser) { n.Email = "Taken@Example.org" }, []string{"email"}},
		{"no name", func(n *users.NewUser) { n.Name = "  " }, []string{"name"}},
		{"control character in the name", func(n *users.NewUser) { n.Name = "New\x1b[31m" }, []string{"name"}},
		{"no role", func(n *users.NewUser) { n.Role = auth.RoleNone }, []string{"role"}},
		{"public is not a staff role", func(n *users.NewUser) { n.Role = auth.RolePublic }, []string{"role"}},
		{"short password", func(n *users.NewUser) { n.Password = "hunter2" }, []string{"password"}},
		{"password is the email", func(n *users.NewUser) { n.Password = "new@example.org" }, []string{"password"}},
		{"everything wrong", func(n *users.NewUser) { *n = users.NewUser{} }, []string{"email", "name", "role", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.change(&in)
			_, err := d.Create(ctx, in)
			var inv *fault.InvalidArgument
			if !errors.As(err, &inv) || len(inv.Violations) != len(tt.fields) {
				t.Fatalf("got %v, want violations on %v", err, tt.fields)
			}
			for i, f := range tt.fields {
				if inv.Violations[i].Field != f {
					t.Errorf("violation %d on %s, want %s", i, inv.Violations[i].Field, f)
				}
			}
		})
	}
	if list, _ := d.List(ctx); len(list) != 1 {
		t.Errorf("%d users after refused creates, want 1", len(list))
	}
}

func reason(err error) error {
	var se *users.SignInError
	if !errors.As(err, &se) {
		return err
	}
	return se.Reason
}

func TestSignIn(t *testing.T) {
	d, clk, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleAdmin)
	got, err := d.SignIn(ctx, " ADA@example.org", password)
	if err != nil || got.ID != u.ID || !got.LastSignIn.Equal(clk.Now()) || got.Role != auth.RoleAdmin {
		t.Fatalf("SignIn = %+v, %v", got, err)
	}
	_, wrong := d.SignIn(ctx, "ada@example.org", "not the password")
	_, unknown := d.SignIn(ctx, "nobody@example.org", password)
	if reason(wrong) != users.ErrBadCredentials || reason(unknown) != users.ErrBadCredentials || wrong.Error() != unknown.Error() {
		t.Fatalf("wrong password: %v; unknown address: %v — want the same refusal", wrong, unknown)
	}
	if _, err := d.Disable(ctx, "Ada@Example.org", "user:admin"); err != nil {
		t.Fatal(err)
	}
	_, disabled := d.SignIn(ctx, "ada@example.org", password)
	if reason(disabled) != users.ErrDisabled || disabled.Error() != wrong.Error() {
		t.Fatalf("disabled account: %v, want ErrDisabled with the same message", disabled)
	}
	var nf *fault.NotFound
	if _, err := d.Disable(ctx, "nobody@example.org", "user:admin"); !errors.As(err, &nf) {
		t.Errorf("Disable(unknown) = %v, want NOT_FOUND", err)
	}
}

func TestLockoutBacksOffAndClearsOnSuccess(t *testing.T) {
	d, clk, _ := newDirectory(t)
	mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	steps := []struct {
		advance  time.Duration
		password string
		want     error
	}{
		{0, "guess 1", users.ErrBadCredentials},
		{0, "guess 2", users.ErrBadCredentials},
		{0, "guess 3", users.ErrBadCredentials}, // the third failure locks for a minute
		{0, password, users.ErrLocked},          // even the right password waits
		{59 * time.Second, password, users.ErrLocked},
		{time.Second, "guess 4", users.ErrBadCredentials}, // fourth failure: two minutes
		{time.Minute, password, users.ErrLocked},
		{time.Minute, password, nil}, // clears the count
		{0, "guess 5", users.ErrBadCredentials},
		{0, "guess 6", users.ErrBadCredentials},
		{0, password, nil}, // two failures are still free
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		u, err := d.SignIn(ctx, "ada@example.org", s.password)
		if reason(err) != s.want {
			t.Fatalf("step %d: SignIn = %v, want %v", i, err, s.want)
		}
		if s.want == nil && (u.Failures != 0 || !u.LockedUntil.IsZero()) {
			t.Fatalf("step %d: a successful sign-in left %d failures, locked until %s", i, u.Failures, u.LockedUntil)
		}
	}
}

// Guesses sent at once are each counted before any password is checked, so
// no more than the free attempts are ever checked.
func TestConcurrentGuessesAreCountedBeforeTheyAreChecked(t *testing.T) {
	d, clk, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() { _, _ = d.SignIn(ctx, "ada@example.org", "wrong guess") })
	}
	wg.Wait()
	got, _ := d.Get(ctx, u.ID)
	if got.Failures != lockout.FreeAttempts || !got.Locked(clk.Now()) {
		t.Fatalf("after 32 concurrent guesses: %d failures counted, locked %v; want %d and locked", got.Failures, got.Locked(clk.Now()), lockout.FreeAttempts)
	}
}

func TestSignInUpgradesAnOutdatedHash(t *testing.T) {
	d, clk, st := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleViewer)
	stronger := accounts.New(st, clk, crand.Reader, accounts.Options{Params: users.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if _, err := stronger.SignIn(ctx, "ada@example.org", password); err != nil {
		t.Fatal(err)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		raw, err := store.GetUser(tx, u.ID)
		if err == nil && !strings.Contains(string(raw), "$m=128,t=2,p=1$") {
			t.Errorf("the hash was not upgraded: %s", raw)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stronger.SignIn(ctx, "ada@example.org", password); err != nil {
		t.Fatalf("signing in with the upgraded hash: %v", err)
	}
}

func TestListIsOrderedByEmail(t *testing.T) {
	d, _, _ := newDirectory(t)
	for _, e := range []string{"carol@example.org", "Alice@example.org", "bob@example.org"} {
		mustCreate(t, d, e, auth.RoleViewer)
	}
	list, err := d.List(ctx)
	if err != nil || len(list) != 3 || list[0].Email != "Alice@example.org" || list[2].Email != "carol@example.org" {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

// An administrator's reset gives a locked or disabled account a new
// password and lets it sign in again; the old password stops working.
func TestResetPasswordUnlocksAndEnables(t *testing.T) {
	d, _, _ := newDirectory(t)
	mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	for i := range 3 {
		if _, err := d.SignIn(ctx, "ada@example.org", fmt.Sprintf("guess %d", i)); reason(err) != users.ErrBadCredentials {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := d.Disable(ctx, "ada@example.org", "user:admin"); err != nil {
		t.Fatal(err)
	}
	const fresh = "harbour lantern porridge"
	var inv *fault.InvalidArgument
	if _, err := d.ResetPassword(ctx, "ada@example.org", "short", "user:admin"); !errors.As(err, &inv) {
		t.Errorf("a too-short password: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := d.ResetPassword(ctx, "ada@example.org", "ada@example.org", "user:admin"); !errors.As(err, &inv) {
		t.Errorf("the email as password: %v, want INVALID_ARGUMENT", err)
	}
	var nf *fault.NotFound
	if _, err := d.ResetPassword(ctx, "nobody@example.org", fresh, "user:admin"); !errors.As(err, &nf) {
		t.Errorf("an unknown account: %v, want NOT_FOUND", err)
	}
	u, err := d.ResetPassword(ctx, "ADA@example.org", fresh, "user:admin")
	if err != nil || u.Disabled || u.Failures != 0 || !u.LockedUntil.IsZero() {
		t.Fatalf("ResetPassword = %+v, %v", u, err)
	}
	if _, err := d.SignIn(ctx, "ada@example.org", password); reason(err) != users.ErrBadCredentials {
		t.Errorf("the old password after a reset: %v, want refused", err)
	}
	if _, err := d.SignIn(ctx, "ada@example.org", fresh); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

func TestChangePasswordNeedsTheCurrentOne(t *testing.T) {
	d, _, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	const fresh = "harbour lantern porridge"
	var inv *fault.InvalidArgument
	if _, err := d.ChangePassword(ctx, u.ID, password, "short"); !errors.As(err, &inv) {
		t.Errorf("a weak new password: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := d.ChangePassword(ctx, u.ID, password, password); !errors.As(err, &inv) {
		t.Errorf("the same password again: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := d.ChangePassword(ctx, u.ID, "not the password", fresh); reason(err) != users.ErrBadCredentials {
		t.Errorf("a wrong current password: %v, want refused", err)
	}
	if got, _ := d.Get(ctx, u.ID); got.Failures != 1 {
		t.Errorf("%d failures after one wrong current password (and two weak new ones), want 1", got.Failures)
	}
	if _, err := d.ChangePassword(ctx, u.ID, password, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SignIn(ctx, "ada@example.org", fresh); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

func TestNamesCoverLocalAccountsAndSingleSignOn(t *testing.T) {
	d, _, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	if err := d.RememberName(ctx, "oidc:123", "Olive Idsee"); err != nil {
		t.Fatal(err)
	}
	if err := d.RememberName(ctx, "oidc:123", "Olive Idsee-Smith"); err != nil {
		t.Fatal(err)
	}
	names, err := d.Names(ctx)
	if err != nil || names[u.Actor()] != u.Name || names["oidc:123"] != "Olive Idsee-Smith" || len(names) != 2 {
		t.Errorf("Names = %v, %v", names, err)
	}
}

// A name from the identity provider is kept without the characters no
// name may hold: it is shown to colleagues, so it must not be made to read
// as something else.
func TestRememberedNamesLoseHiddenCharacters(t *testing.T) {
	d, _, _ := newDirectory(t)
	if err := d.RememberName(ctx, "oidc:456", " Mallory\u202Egpj.exe\u200F\n"); err != nil {
		t.Fatal(err)
	}
	names, err := d.Names(ctx)
	if err != nil || names["oidc:456"] != "Mallorygpj.exe" {
		t.Errorf("the remembered name is %q, %v; want %q", names["oidc:456"], err, "Mallorygpj.exe")
	}
}

// Every change to an account is chained with who made it, and no personal
// data: the name and email stay in the account record.
func TestAccountChangesAreChained(t *testing.T) {
	d, _, st := newDirectory(t)
	u, err := d.Create(ctx, users.NewUser{Email: "ada@example.org", Name: "Ada Lovelace", Role: auth.RoleCaseworker, Password: password, By: "cli:root"})
	if err != nil {
		t.Fatal(err)
	}
	const fresh = "harbour lantern porridge"
	if _, err := d.Disable(ctx, u.ID, "user:admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ResetPassword(ctx, u.ID, fresh, "user:admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ChangePassword(ctx, u.ID, fresh, "porridge harbour lantern"); err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.ReadTx) error {
		events, _, err := store.CaseEvents(tx, audit.UserSubject(u.ID))
		if err != nil {
			return err
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Actor+" "+e.Action+" "+e.After["disabled"])
			for _, v := range e.After {
				if strings.Contains(v, "ada") || strings.Contains(v, "Ada") {
					t.Errorf("event %s holds personal data: %v", e.Action, e.After)
				}
			}
		}
		want := []string{"cli:root user.created false", "user:admin user.disabled true", "user:admin user.password_set false", u.Actor() + " user.password_changed false"}
		if !slices.Equal(got, want) {
			t.Errorf("account events:\n got %q\nwant %q", got, want)
		}
		var v audit.Verifier
		return store.EachEvent(tx, v.Next)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNoOneDisablesTheirOwnAccount(t *testing.T) {
	d, _, _ := newDirectory(t)
	admin := mustCreate(t, d, "admin@example.org", auth.RoleAdmin)
	_, err := d.Disable(ctx, admin.ID, admin.Actor())
	var refused *fault.FailedPrecondition
	if !errors.As(err, &refused) {
		t.Fatalf("an administrator disabling their own account: %v, want FAILED_PRECONDITION", err)
	}
	if u, _ := d.Get(ctx, admin.ID); u.Disabled {
		t.Error("the account was disabled anyway")
	}
	if _, err := d.Disable(ctx, admin.ID, "token:ops"); err != nil {
		t.Errorf("another caller disabling it: %v", err)
	}
}

// With single sign-on required, a password signs in an administrator (the
// break-glass account) and no one else; a non-administrator's right
// password is refused as a wrong one is, and the attempt counts towards
// the lockout.
func TestRequireSingleSignOnLeavesPasswordsToAdministrators(t *testing.T) {
	st := caseworktest.OpenStore(t, t.TempDir())
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	d := accounts.New(st, clk, crand.Reader, accounts.Options{Params: cheap, Lockout: lockout, RequireSingleSignOn: true, SecondFactor: users.SecondFactorOptional})
	mustCreate(t, d, "root@example.org", auth.RoleAdmin)
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleCaseworker} {
		u := mustCreate(t, d, role.String()+"@example.org", role)
		_, err := d.SignIn(ctx, u.Email, password)
		var refused *users.SignInError
		if !errors.As(err, &refused) || !errors.Is(err, users.ErrSingleSignOnRequired) || refused.UserID != u.ID {
			t.Errorf("%s with the right password: %v; want a SignInError for single sign-on", role, err)
		}
		if _, wrong := d.SignIn(ctx, u.Email, "not the password at all"); err == nil || err.Error() != wrong.Error() {
			t.Errorf("%s: the refusal says %q, a wrong password %q; want the same words", role, err, wrong)
		}
		got, err := d.Get(ctx, u.ID)
		if err != nil || got.Failures != 2 {
			t.Errorf("%s: %d failures counted, %v; want both attempts counted", role, got.Failures, err)
		}
	}
	if _, err := d.SignIn(ctx, "root@example.org", password); err != nil {
		t.Errorf("the administrator's password: %v; want it to sign in (break-glass)", err)
	}
}
