package accounts

import (
	"context"
	"strconv"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// MustSetUpSecondFactor reports whether the account may do nothing but set
// up two-step verification, by the organisation's policy.
func (d *Directory) MustSetUpSecondFactor(u *users.User) bool {
	return !u.HasSecondFactor() && d.policy.Requires(u)
}

// BeginSecondFactor makes a fresh secret for the account to add to an
// authenticator app and keeps it, unconfirmed, until SetUpSecondFactor
// receives a code made from it. Beginning again replaces it.
func (d *Directory) BeginSecondFactor(ctx context.Context, id string) (users.Enrolment, error) {
	var e users.Enrolment
	err := d.store.Update(ctx, func(tx store.WriteTx) error {
		rec, err := load(tx, id)
		if err != nil {
			return err
		}
		if rec.SecondFactor != nil {
			return &fault.FailedPrecondition{Subject: "users/" + id, Description: "this account already has two-step verification"}
		}
		if e, err = users.NewEnrolment(d.issuer, rec.Email, d.random); err != nil {
			return err
		}
		rec.PendingSecondFactor = e.Secret
		return put(tx, rec)
	})
	return e, err
}

// PendingSecondFactor is the secret BeginSecondFactor made, to show again
// (for instance after a mistyped code), or found false.
func (d *Directory) PendingSecondFactor(ctx context.Context, id string) (e users.Enrolment, found bool, err error) {
	err = d.store.View(ctx, func(tx store.ReadTx) error {
		rec, err := load(tx, id)
		if err != nil || rec.PendingSecondFactor == "" || rec.SecondFactor != nil {
			return err
		}
		e, found = users.EnrolmentOf(d.issuer, rec.Email, rec.PendingSecondFactor), true
		return nil
	})
	return e, found, err
}

// SetUpSecondFactor confirms the pending secret with a code the
// authenticator app made from it and returns the recovery codes, shown
// once. The account's other sessions end, as with a new password; the
// caller begins a fresh one for the person who set it up.
func (d *Directory) SetUpSecondFactor(ctx context.Context, id, code string) (codes []string, u *users.User, err error) {
	u, err = d.change(ctx, id, "user:"+id, "user.second_factor_set_up", func(rec *record, _ []users.User) (bool, error) {
		if rec.SecondFactor != nil {
			return false, &fault.FailedPrecondition{Subject: "users/" + id, Description: "this account already has two-step verification"}
		}
		if rec.PendingSecondFactor == "" {
			return false, &fault.FailedPrecondition{Subject: "users/" + id, Description: "two-step verification has not been begun for this account: start again"}
		}
		now := d.clock.Now()
		step, ok := users.CodeStep(rec.PendingSecondFactor, code, now, 0)
		if !ok {
			return false, fault.Invalid("code", "is not the code your authenticator app shows now: check the app has the key from this page and the device's clock is right")
		}
		var hashes []string
		if codes, hashes, err = users.NewRecoveryCodes(d.random); err != nil {
			return false, err
		}
		rec.SecondFactor = &users.SecondFactor{Secret: rec.PendingSecondFactor, Since: now.UTC(), LastStep: step, RecoveryHashes: hashes}
		rec.PendingSecondFactor, rec.SecondFactorSince = "", now.UTC()
		rec.EndSessions()
		return true, nil
	})
	return codes, u, err
}

// VerifySecondFactor is the second step of signing in to an account that
// has two-step verification, after SignIn accepted its password: the code
// from the authenticator app, or one of the recovery codes, which is then
// spent. Failures count towards the same lockout as wrong passwords, and
// only a right code clears them, so knowing the password does not buy
// unlimited guesses at the code. Every refusal is a *users.SignInError.
func (d *Directory) VerifySecondFactor(ctx context.Context, id, code string) (*users.User, error) {
	var (
		u       *users.User
		refusal error
	)
	err := d.store.Update(ctx, func(tx store.WriteTx) error {
		u, refusal = nil, nil
		rec, err := load(tx, id)
		now := d.clock.Now()
		switch {
		case err != nil:
			return err
		case rec.Refusal(now) != nil:
			refusal = rec.Refusal(now)
			return nil
		case rec.SecondFactor == nil:
			refusal = users.ErrBadCredentials
			return nil
		}
		d.lockout.CountAttempt(&rec.User, now)
		ok, recovery := rec.SecondFactor.Check(code, now)
		if !ok {
			refusal = users.ErrBadCredentials
			return put(tx, rec)
		}
		rec.Failures, rec.LockedUntil, rec.LastSignIn = 0, time.Time{}, now.UTC()
		u = &rec.User
		if err := put(tx, rec); err != nil {
			return err
		}
		if !recovery {
			return nil
		}
		return store.AppendEvent(tx, &audit.Event{
			CaseID: audit.UserSubject(rec.ID), Time: now.UTC(), Actor: rec.Actor(), Action: "user.recovery_code_used",
			After: map[string]string{"recovery_codes_left": strconv.Itoa(len(rec.SecondFactor.RecoveryHashes))},
		}, nil)
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, &users.SignInError{Reason: refusal, UserID: id}
	}
	return u, nil
}

// NewRecoveryCodes replaces the account's recovery codes, on a code from
// its authenticator app, for someone who has used or lost them.
func (d *Directory) NewRecoveryCodes(ctx context.Context, id, code string) ([]string, error) {
	var codes []string
	_, err := d.change(ctx, id, "user:"+id, "user.recovery_codes_renewed", func(rec *record, _ []users.User) (bool, error) {
		if rec.SecondFactor == nil {
			return false, &fault.FailedPrecondition{Subject: "users/" + id, Description: "this account has no two-step verification"}
		}
		if ok, recovery := rec.SecondFactor.Check(code, d.clock.Now()); !ok || recovery {
			return false, fault.Invalid("code", "is not the code your authenticator app shows now")
		}
		var err error
		codes, rec.SecondFactor.RecoveryHashes, err = users.NewRecoveryCodes(d.random)
		return err == nil, err
	})
	return codes, err
}

// ResetSecondFactor removes the account's two-step verification, for
// someone who lost both their authenticator and their recovery codes: an
// administrator's step, after checking who is asking. Every session of the
// account ends; where the policy requires two-step verification, the
// account must set it up again at its next sign-in.
func (d *Directory) ResetSecondFactor(ctx context.Context, idOrEmail, by string) (*users.User, error) {
	return d.change(ctx, idOrEmail, by, "user.second_factor_reset", func(rec *record, _ []users.User) (bool, error) {
		if rec.SecondFactor == nil && rec.PendingSecondFactor == "" {
			return false, nil
		}
		rec.SecondFactor, rec.PendingSecondFactor, rec.SecondFactorSince = nil, "", time.Time{}
		rec.EndSessions()
		return true, nil
	})
}
