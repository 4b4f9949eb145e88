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
	"github.com/rightsdesk/rightsdesk/internal/users/userstest"
)

func TestSecondFactorSetUpSignInAndRecovery(t *testing.T) {
	d, clk, st := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleAdmin)
	if !d.MustSetUpSecondFactor(u) {
		t.Fatal("an administrator without two-step verification is not sent to set it up under the default policy")
	}
	e, err := d.BeginSecondFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, found, err := d.PendingSecondFactor(ctx, u.ID)
	if err != nil || !found || again != e {
		t.Fatalf("PendingSecondFactor = %+v, %v, %v; want %+v", again, found, err, e)
	}
	var invalid *fault.InvalidArgument
	if _, _, err := d.SetUpSecondFactor(ctx, u.ID, "000000"); !errors.As(err, &invalid) {
		t.Fatalf("a wrong code set it up: %v", err)
	}
	codes, after, err := d.SetUpSecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != users.RecoveryCodeCount || !after.HasSecondFactor() || after.CredentialVersion == u.CredentialVersion || d.MustSetUpSecondFactor(after) {
		t.Fatalf("after set-up: %d codes, %+v", len(codes), after)
	}
	if _, found, _ := d.PendingSecondFactor(ctx, u.ID); found {
		t.Error("the secret is still pending after set-up")
	}

	// The password alone no longer signs in: it leaves the attempt counted.
	clk.Advance(time.Minute)
	signedIn, err := d.SignIn(ctx, "ada@example.org", password)
	if err != nil || !signedIn.HasSecondFactor() || !signedIn.LastSignIn.IsZero() || signedIn.Failures != 1 {
		t.Fatalf("password step: %+v, %v", signedIn, err)
	}
	if _, err := d.VerifySecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	var refused *users.SignInError
	if _, err := d.VerifySecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now())); !errors.As(err, &refused) {
		t.Errorf("the same code signed in twice: %v", err)
	}
	clk.Advance(30 * time.Second)
	if _, err := d.VerifySecondFactor(ctx, u.ID, codes[0]); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if _, err := d.VerifySecondFactor(ctx, u.ID, codes[0]); !errors.As(err, &refused) {
		t.Errorf("a recovery code signed in twice: %v", err)
	}

	err = st.View(ctx, func(tx store.ReadTx) error {
		events, _, err := store.CaseEvents(tx, audit.UserSubject(u.ID))
		if err != nil {
			return err
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Action+" "+e.After["second_factor"]+e.After["recovery_codes_left"])
		}
		want := []string{"user.created false", "user.second_factor_set_up true", "user.recovery_code_used 9"}
		if !slices.Equal(got, want) {
			t.Errorf("account events:\n got %q\nwant %q", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Knowing the password must not buy unlimited guesses at the code: only a
// right code clears the count, so the account locks as for wrong passwords.
func TestCodeGuessesLockTheAccountEvenWithTheRightPassword(t *testing.T) {
	d, clk, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleCaseworker)
	e, err := d.BeginSecondFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.SetUpSecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	var refused *users.SignInError
	for i := range 10 {
		clk.Advance(time.Second)
		if _, err := d.SignIn(ctx, "ada@example.org", password); err != nil {
			if !errors.As(err, &refused) || !errors.Is(err, users.ErrLocked) {
				t.Fatalf("round %d: %v", i, err)
			}
			return // locked, as it must be
		}
		if _, err := d.VerifySecondFactor(ctx, u.ID, "123456"); !errors.As(err, &refused) {
			t.Fatalf("round %d: a guessed code was accepted: %v", i, err)
		}
	}
	t.Fatal("ten rounds of right password and wrong code never locked the account")
}

func TestResetSecondFactorEndsSessionsAndRequiresSetUpAgain(t *testing.T) {
	d, clk, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleAdmin)
	e, err := d.BeginSecondFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, enrolled, err := d.SetUpSecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var failed *fault.FailedPrecondition
	if _, err := d.BeginSecondFactor(ctx, u.ID); !errors.As(err, &failed) {
		t.Errorf("beginning again while enrolled: %v", err)
	}
	reset, err := d.ResetSecondFactor(ctx, u.ID, "user:other")
	if err != nil {
		t.Fatal(err)
	}
	if reset.HasSecondFactor() || reset.CredentialVersion == enrolled.CredentialVersion || !d.MustSetUpSecondFactor(reset) {
		t.Errorf("after reset: %+v", reset)
	}
	if _, err := d.VerifySecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now().Add(30*time.Second))); err == nil {
		t.Error("the old secret still works after a reset")
	}
}

func TestNewRecoveryCodesReplaceTheOld(t *testing.T) {
	d, clk, _ := newDirectory(t)
	u := mustCreate(t, d, "ada@example.org", auth.RoleViewer)
	if d.MustSetUpSecondFactor(u) {
		t.Error("a viewer must set up two-step verification under the default policy")
	}
	e, err := d.BeginSecondFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := d.SetUpSecondFactor(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Second)
	if _, err := d.NewRecoveryCodes(ctx, u.ID, old[0]); err == nil {
		t.Error("a recovery code was accepted to make new recovery codes")
	}
	fresh, err := d.NewRecoveryCodes(ctx, u.ID, userstest.AppCode(t, e.Secret, clk.Now()))
	if err != nil || len(fresh) != users.RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %d codes, %v", len(fresh), err)
	}
	if _, err := d.VerifySecondFactor(ctx, u.ID, old[1]); err == nil {
		t.Error("an old recovery code still works")
	}
	if _, err := d.VerifySecondFactor(ctx, u.ID, fresh[1]); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}
}
