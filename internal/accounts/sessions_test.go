package accounts_test

import (
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// Each change that ends an account's sessions moves its credential version
// on and deletes its calendar feed token in the same write, chained as
// one event; the others leave both alone.
func TestWhichChangesEndSessionsAndTheFeed(t *testing.T) {
	const newPassword = "a different lighthouse entirely"
	feedHash := sha256Of("the target's feed token")
	for _, tt := range []struct {
		name   string
		change func(d *accounts.Directory, target, admin *users.User) (*users.User, error)
		ends   bool
		action string
	}{
		{"password changed by its owner", func(d *accounts.Directory, target, _ *users.User) (*users.User, error) {
			return d.ChangePassword(ctx, target.ID, password, newPassword)
		}, true, "user.password_changed"},
		{"password reset by an administrator", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			return d.ResetPassword(ctx, target.ID, newPassword, admin.Actor())
		}, true, "user.password_set"},
		{"role changed", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			return d.Update(ctx, target.ID, users.Update{Paths: []string{"role"}, Role: auth.RoleViewer}, admin.Actor())
		}, true, "user.updated"},
		{"disabled", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			return d.Disable(ctx, target.ID, admin.Actor())
		}, true, "user.disabled"},
		{"all sessions ended", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			return d.EndSessions(ctx, target.Email, admin.Actor())
		}, true, "user.sessions_ended"},
		{"a new password required", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			return d.Update(ctx, target.ID, users.Update{Paths: []string{"password_change_required"}, PasswordChangeRequired: true}, admin.Actor())
		}, false, "user.updated"},
		{"unlocked", func(d *accounts.Directory, target, admin *users.User) (*users.User, error) {
			for range lockout.FreeAttempts {
				_, _ = d.SignIn(ctx, target.Email, "not the password at all")
			}
			return d.Unlock(ctx, target.ID, admin.Actor())
		}, false, "user.unlocked"},
		{"signed in", func(d *accounts.Directory, target, _ *users.User) (*users.User, error) {
			return d.SignIn(ctx, target.Email, password)
		}, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, st := newDirectory(t)
			admin := mustCreate(t, d, "admin@example.org", auth.RoleAdmin)
			target := mustCreate(t, d, "cw@example.org", auth.RoleCaseworker)
			if err := st.Update(ctx, func(tx store.WriteTx) error { return store.PutFeedToken(tx, target.Actor(), feedHash) }); err != nil {
				t.Fatal(err)
			}
			events := len(accountEvents(t, st, target.ID))

			u, err := tt.change(d, target, admin)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := d.Get(ctx, target.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.CredentialVersion != u.CredentialVersion {
				t.Errorf("returned credential version %d, stored %d", u.CredentialVersion, stored.CredentialVersion)
			}
			if ended := !stored.SessionValid(target.CredentialVersion); ended != tt.ends {
				t.Errorf("a session begun before ended = %v, want %v (version %d → %d)", ended, tt.ends, target.CredentialVersion, stored.CredentialVersion)
			}
			var owner string
			err = st.View(ctx, func(tx store.ReadTx) (err error) { owner, err = store.FeedTokenOwner(tx, feedHash); return err })
			switch {
			case tt.ends && !errors.Is(err, store.ErrNotFound):
				t.Errorf("the feed token still opens %q (%v), want it gone", owner, err)
			case !tt.ends && (err != nil || owner != target.Actor()):
				t.Errorf("the feed token opens %q (%v), want it kept for %s", owner, err, target.Actor())
			}
			got := accountEvents(t, st, target.ID)
			if tt.action != "" && (len(got) != events+1 || !slices.Contains(strings.Fields(got[len(got)-1]), tt.action)) {
				t.Errorf("events after the change: %q, want one more, %s", got, tt.action)
			}
		})
	}
}

// A feed token of another account is not touched by this one's change.
func TestEndingSessionsKeepsOtherAccountsFeeds(t *testing.T) {
	d, _, st := newDirectory(t)
	admin := mustCreate(t, d, "admin@example.org", auth.RoleAdmin)
	target := mustCreate(t, d, "cw@example.org", auth.RoleCaseworker)
	if err := st.Update(ctx, func(tx store.WriteTx) error {
		return store.PutFeedToken(tx, admin.Actor(), sha256Of("the administrator's feed token"))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.EndSessions(ctx, target.ID, admin.Actor()); err != nil {
		t.Fatal(err)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		_, err := store.FeedTokenOwner(tx, sha256Of("the administrator's feed token"))
		return err
	})
	if err != nil {
		t.Errorf("the administrator's own feed: %v, want it kept", err)
	}
}

func sha256Of(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
