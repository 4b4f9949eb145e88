package accounts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// Options tune a Directory; zero fields take the defaults.
type Options struct {
	Params  users.Params
	Lockout users.Lockout
	// SecondFactor says who must use two-step verification; Issuer is the
	// name authenticator apps show beside the codes ("Rightsdesk").
	SecondFactor users.SecondFactorPolicy
	Issuer       string
	// RequireSingleSignOn refuses password sign-in to all but
	// administrators (users.PasswordSignInAllowed).
	RequireSingleSignOn bool
}

// record is how an account is stored: the account with its password hash,
// which never leaves this package.
type record struct {
	users.User
	PasswordHash string `json:"password_hash"`
	// SecondFactor is the enrolled two-step verification, if any;
	// PendingSecondFactor the secret being set up, shown to the user and
	// not yet confirmed with a code.
	SecondFactor        *users.SecondFactor `json:"second_factor,omitempty"`
	PendingSecondFactor string              `json:"pending_second_factor,omitempty"`
	// RequestID is the client's request id of the call that created the
	// account, if it sent one, and RequestDigest a hash of that call's
	// email, name and role (the password is checked against the hash
	// instead): see Create.
	RequestID     string `json:"request_id,omitempty"`
	RequestDigest string `json:"request_digest,omitempty"`
}

var _ usecase.Accounts = (*Directory)(nil)

// Directory keeps staff accounts in the store.
type Directory struct {
	store   *store.Store
	clock   clock.Clock
	random  io.Reader
	params  users.Params
	lockout users.Lockout
	policy  users.SecondFactorPolicy
	issuer  string
	// requireSSO is Options.RequireSingleSignOn.
	requireSSO bool

	// decoy is a hash checked when no account's can be, so an unknown,
	// disabled or locked account takes as long to refuse as a wrong password.
	decoyOnce sync.Once
	decoy     string
}

// New returns a Directory. random supplies salts and ids (crypto/rand.Reader
// outside tests).
func New(st *store.Store, c clock.Clock, random io.Reader, opts Options) *Directory {
	if opts.Params == (users.Params{}) {
		opts.Params = users.DefaultParams
	}
	if opts.Lockout == (users.Lockout{}) {
		opts.Lockout = users.DefaultLockout
	}
	if opts.Issuer == "" {
		opts.Issuer = "Rightsdesk"
	}
	return &Directory{store: st, clock: c, random: random, params: opts.Params, lockout: opts.Lockout, policy: opts.SecondFactor, issuer: opts.Issuer, requireSSO: opts.RequireSingleSignOn}
}

// Create adds an account. The email address must not have one already.
// A call with a request id an earlier create used makes nothing: the same
// request (email, name, role and password) gets the account that call
// created, as it is now; any other is refused with a fault.RequestReused.
// A retry whose password no longer opens the account (changed since) is
// refused too, since answering it would tell the client a password works
// that does not.
func (d *Directory) Create(ctx context.Context, in users.NewUser) (*users.User, error) {
	if err := cases.CheckRequestID(in.RequestID); err != nil {
		return nil, err
	}
	in, err := checked(in)
	if err != nil {
		return nil, err
	}
	digest := requestDigest(in)
	// A retry is answered before a new password is hashed, which is slow
	// on purpose.
	if u, err := d.earlierRequest(ctx, in, digest); u != nil || err != nil {
		return u, err
	}
	rec, err := d.newRecord(in)
	if err != nil {
		return nil, err
	}
	if in.RequestID != "" {
		rec.RequestID, rec.RequestDigest = in.RequestID, digest
	}
	err = d.store.Update(ctx, func(tx store.WriteTx) error {
		if prior, err := byRequest(tx, in.RequestID); prior != nil || err != nil {
			return cmp.Or(err, errRequestRaced)
		}
		return d.insert(tx, rec, in.By)
	})
	if errors.Is(err, errRequestRaced) {
		u, err := d.earlierRequest(ctx, in, digest)
		if u == nil && err == nil {
			err = errors.New("an account created with this request id was not found again")
		}
		return u, err
	}
	if err != nil {
		return nil, err
	}
	return &rec.User, nil
}

// errRequestRaced is a concurrent create with the same request id that
// wrote first; Create then answers as it answers a retry.
var errRequestRaced = errors.New("another call with this request id created an account first")

// requestDigest identifies the fields of a create that are kept as they
// were sent, so that a second call with its request id can be told apart
// as a retry or a reuse of the id for another account. Who sends it is
// left out: a retry is the same request whoever sends it.
func requestDigest(in users.NewUser) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s", strings.ToLower(in.Email), in.Name, in.Role))
	return hex.EncodeToString(sum[:])
}

// earlierRequest returns the account an earlier create with in's request
// id made, when in is that request again; a fault.RequestReused when it
// is another; nil and nil when no account was created with the id.
func (d *Directory) earlierRequest(ctx context.Context, in users.NewUser, digest string) (*users.User, error) {
	if in.RequestID == "" {
		return nil, nil
	}
	var prior *record
	err := d.store.View(ctx, func(tx store.ReadTx) (err error) {
		prior, err = byRequest(tx, in.RequestID)
		return err
	})
	if prior == nil || err != nil {
		return nil, err
	}
	reused := &fault.RequestReused{RequestID: in.RequestID, Name: "users/" + prior.ID}
	if prior.RequestDigest != digest {
		return nil, reused
	}
	same, err := users.VerifyPassword(prior.PasswordHash, in.Password)
	if err != nil {
		return nil, err
	}
	if !same {
		return nil, reused
	}
	return &prior.User, nil
}

// byRequest returns the account created with the request id, or nil.
// Accounts are few (one per member of staff), so they are scanned rather
// than indexed by request id.
func byRequest(tx store.ReadTx, requestID string) (*record, error) {
	if requestID == "" {
		return nil, nil
	}
	return find(tx, func(r *record) bool { return r.RequestID == requestID })
}

// checked returns an account to create as it will be stored (the email
// address and name trimmed) once its fields are valid.
func checked(in users.NewUser) (users.NewUser, error) {
	in.Email, in.Name = strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	return in, in.Validate()
}

// newRecord checks an account to create and prepares its record, hashing
// the password outside any transaction, which the deliberately slow hash
// would otherwise hold.
func (d *Directory) newRecord(in users.NewUser) (*record, error) {
	in, err := checked(in)
	if err != nil {
		return nil, err
	}
	hash, err := users.HashPassword(in.Password, d.params, d.random)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 6)
	if _, err := io.ReadFull(d.random, raw); err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	return &record{User: users.User{ID: hex.EncodeToString(raw), Email: in.Email, Name: in.Name, Role: in.Role, Created: d.clock.Now().UTC()}, PasswordHash: hash}, nil
}

// insert stores a new account, whose email address must have none yet,
// and chains its creation by `by`.
func (d *Directory) insert(tx store.WriteTx, rec *record, by string) error {
	existing, err := find(tx, func(r *record) bool { return r.ID == rec.ID || users.SameEmail(r.Email, rec.Email) })
	switch {
	case err != nil:
		return err
	case existing != nil && existing.ID == rec.ID:
		return errors.New("a new user id collided with an existing one; try again")
	case existing != nil:
		return fault.Invalid("email", "%s already has an account (%s)", rec.Email, existing.ID)
	}
	if err := put(tx, rec); err != nil {
		return err
	}
	return appendAccountEvent(tx, &rec.User, "user.created", by, d.clock.Now())
}

// Get returns the account with the given id, e.g. for a session's user.
func (d *Directory) Get(ctx context.Context, id string) (*users.User, error) {
	var u *users.User
	err := d.store.View(ctx, func(tx store.ReadTx) error {
		rec, err := load(tx, id)
		if err == nil {
			u = &rec.User
		}
		return err
	})
	return u, err
}

// List returns every account, ordered by email address.
func (d *Directory) List(ctx context.Context) ([]users.User, error) {
	var out []users.User
	err := d.store.View(ctx, func(tx store.ReadTx) error {
		_, err := find(tx, func(r *record) bool {
			out = append(out, r.User)
			return false
		})
		return err
	})
	slices.SortFunc(out, func(a, b users.User) int { return strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email)) })
	return out, err
}

// RememberName keeps the display name of someone who signs in without a
// local account (single sign-on, actor "oidc:…"), so their work is shown
// under their name. It writes only when the name is new or changed. The
// name is the identity provider's, not typed here, so it is kept less
// the characters no name may hold (cases.LineProblem) rather than refused.
func (d *Directory) RememberName(ctx context.Context, actor, name string) error {
	name = strings.TrimSpace(cases.WithoutHiddenText(name))
	var known string
	if err := d.store.View(ctx, func(tx store.ReadTx) error { known = store.StaffName(tx, actor); return nil }); err != nil || known == name {
		return err
	}
	return d.store.Update(ctx, func(tx store.WriteTx) error { return store.PutStaffName(tx, actor, name) })
}

// Names maps every actor the directory can name, local accounts and
// remembered single sign-on users, to their display name.
func (d *Directory) Names(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	err := d.store.View(ctx, func(tx store.ReadTx) error {
		if err := store.EachStaffName(tx, func(actor, name string) error { names[actor] = name; return nil }); err != nil {
			return err
		}
		_, err := find(tx, func(r *record) bool {
			names[r.Actor()] = r.Name
			return false
		})
		return err
	})
	return names, err
}

// appendAccountEvent chains a change to an account. Only the role and
// state (disabled, a password change required) go into the hashed event: the name and email are personal data and stay
// in the account record.
func appendAccountEvent(tx store.WriteTx, u *users.User, action, by string, now time.Time) error {
	return store.AppendEvent(tx, &audit.Event{
		CaseID: audit.UserSubject(u.ID), Time: now.UTC(), Actor: by, Action: action,
		After: map[string]string{
			"role": u.Role.String(), "disabled": strconv.FormatBool(u.Disabled),
			"password_change_required": strconv.FormatBool(u.PasswordChangeRequired),
			"second_factor":            strconv.FormatBool(u.HasSecondFactor()),
		},
	}, nil)
}

// Disable stops the account, named by id or email address, from signing in.
// Its history stays: cases and the audit trail still name it. by is who
// disables it.
func (d *Directory) Disable(ctx context.Context, idOrEmail, by string) (*users.User, error) {
	return d.change(ctx, idOrEmail, by, "user.disabled", func(rec *record, _ []users.User) (bool, error) {
		return rec.Disable(by)
	})
}

// EndSessions signs the account, named by id or email address, out
// everywhere and stops its calendar feed address working, for a device
// that was lost or a session that may have been stolen. by is who ends
// them; an administrator may end their own, which signs them out too.
func (d *Directory) EndSessions(ctx context.Context, idOrEmail, by string) (*users.User, error) {
	return d.change(ctx, idOrEmail, by, "user.sessions_ended", func(rec *record, _ []users.User) (bool, error) {
		rec.EndSessions()
		return true, nil
	})
}

// Update changes the role of the account named by id or email address, or
// whether its user must choose a new password before anything else, by the
// rules of users.Update. by is who changes it.
func (d *Directory) Update(ctx context.Context, idOrEmail string, up users.Update, by string) (*users.User, error) {
	return d.change(ctx, idOrEmail, by, "user.updated", func(rec *record, all []users.User) (bool, error) {
		return up.Apply(&rec.User, by, all)
	})
}

// Unlock lets the account named by id or email address be tried again at
// once, for someone who mistyped their password too often and remembers
// it now. by is who unlocks it.
func (d *Directory) Unlock(ctx context.Context, idOrEmail, by string) (*users.User, error) {
	return d.change(ctx, idOrEmail, by, "user.unlocked", func(rec *record, _ []users.User) (bool, error) {
		return rec.Unlock(), nil
	})
}

// change runs an administrator's change to one account, named by id or
// email address, in one transaction: edit sees the account and every
// account as they stand (for rules such as "not the last administrator")
// and reports whether it changed anything; only a change is written and
// chained in the audit log as action, by `by`.
func (d *Directory) change(ctx context.Context, idOrEmail, by, action string, edit func(rec *record, all []users.User) (bool, error)) (*users.User, error) {
	var u *users.User
	err := d.store.Update(ctx, func(tx store.WriteTx) error {
		u = nil
		var (
			rec *record
			all []users.User
		)
		_, err := find(tx, func(r *record) bool {
			all = append(all, r.User)
			if rec == nil && (r.ID == idOrEmail || users.SameEmail(r.Email, idOrEmail)) {
				rec = r
			}
			return false
		})
		switch {
		case err != nil:
			return err
		case rec == nil:
			return &fault.NotFound{Resource: "user", Name: idOrEmail}
		}
		version := rec.CredentialVersion
		changed, err := edit(rec, all)
		if err != nil {
			return err
		}
		u = &rec.User
		if !changed {
			return nil
		}
		return d.write(tx, rec, version, action, by)
	})
	return u, err
}

// write stores a changed account and chains the change; when the change
// ended the account's sessions (its credential version moved on from
// before), the calendar feed address, a credential of its own that no
// session guards, stops working in the same transaction.
func (d *Directory) write(tx store.WriteTx, rec *record, before uint64, action, by string) error {
	if rec.CredentialVersion != before {
		if err := store.DeleteFeedTokens(tx, rec.Actor()); err != nil {
			return err
		}
	}
	if err := put(tx, rec); err != nil {
		return err
	}
	return appendAccountEvent(tx, &rec.User, action, by, d.clock.Now())
}

// ResetPassword gives the account, named by id or email address, a new
// password, lifts any lockout and enables it again: what an administrator
// does for someone who forgot their password or was disabled by mistake.
// The hash is computed before the write transaction, which it would
// otherwise hold for the length of a deliberately slow hash.
// by is who sets it.
func (d *Directory) ResetPassword(ctx context.Context, idOrEmail, password, by string) (*users.User, error) {
	return d.setPassword(ctx, idOrEmail, password, by, "user.password_set")
}

func (d *Directory) setPassword(ctx context.Context, idOrEmail, password, by, action string) (*users.User, error) {
	var current *users.User
	err := d.store.View(ctx, func(tx store.ReadTx) error {
		rec, err := find(tx, func(r *record) bool { return r.ID == idOrEmail || users.SameEmail(r.Email, idOrEmail) })
		if err == nil && rec == nil {
			err = &fault.NotFound{Resource: "user", Name: idOrEmail}
		}
		if err == nil {
			current = &rec.User
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if problem := users.CheckPassword(password, current.Email, current.Name); problem != "" {
		return nil, fault.Invalid("password", "%s", problem)
	}
	hash, err := users.HashPassword(password, d.params, d.random)
	if err != nil {
		return nil, err
	}
	var u *users.User
	err = d.store.Update(ctx, func(tx store.WriteTx) error {
		rec, err := load(tx, current.ID)
		if err != nil {
			return err
		}
		version := rec.CredentialVersion
		rec.PasswordHash, rec.Disabled, rec.Failures, rec.LockedUntil = hash, false, 0, time.Time{}
		rec.EndSessions()
		if action == actionPasswordChanged {
			// The user chose it themselves: what a required change asks for.
			rec.PasswordChangeRequired = false
		}
		u = &rec.User
		return d.write(tx, rec, version, action, by)
	})
	return u, err
}

// actionPasswordChanged is the audit action of a user choosing their own
// new password, which satisfies a required change; an administrator
// setting one (user.password_set) does not, as the administrator knows it.
const actionPasswordChanged = "user.password_changed"

// ChangePassword is a signed-in user replacing their own password. The
// current one is checked as at sign-in, so wrong guesses count towards the
// lockout; the new one is checked first, so a weak choice costs no attempt.
func (d *Directory) ChangePassword(ctx context.Context, id, current, next string) (*users.User, error) {
	u, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if problem := users.CheckPassword(next, u.Email, u.Name); problem != "" {
		return nil, fault.Invalid("new_password", "%s", problem)
	}
	if current == next {
		return nil, fault.Invalid("new_password", "must differ from the current password")
	}
	if _, err := d.SignIn(ctx, u.Email, current); err != nil {
		return nil, err
	}
	return d.setPassword(ctx, u.ID, next, u.Actor(), actionPasswordChanged)
}

// SignIn checks an email address and password. It counts the attempt as a
// failure before checking the password (in its own short transaction, so
// the deliberately slow hash never holds the store's write lock) and clears
// the count when the password is right, so however many guesses arrive at
// once, no more than the free attempts are ever checked. Every refusal is a
// *users.SignInError.
func (d *Directory) SignIn(ctx context.Context, email, password string) (*users.User, error) {
	var (
		id, hash string
		role     auth.Role
		refusal  error
	)
	err := d.store.Update(ctx, func(tx store.WriteTx) error {
		id, hash, role, refusal = "", "", auth.RoleNone, nil
		rec, err := find(tx, func(r *record) bool { return users.SameEmail(r.Email, email) })
		now := d.clock.Now()
		switch {
		case err != nil:
			return err
		case rec == nil:
			refusal = users.ErrBadCredentials
			return nil
		case rec.Refusal(now) != nil:
			id, refusal = rec.ID, rec.Refusal(now)
			return nil
		}
		d.lockout.CountAttempt(&rec.User, now)
		id, hash, role = rec.ID, rec.PasswordHash, rec.Role
		return put(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		_, _ = users.VerifyPassword(d.decoyHash(), password)
		return nil, &users.SignInError{Reason: refusal, UserID: id}
	}
	ok, err := users.VerifyPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", id, err)
	}
	if !ok {
		return nil, &users.SignInError{Reason: users.ErrBadCredentials, UserID: id}
	}
	// After the password, so the refusal says nothing a wrong password
	// would not, and the attempt stays counted towards the lockout.
	if !users.PasswordSignInAllowed(role, d.requireSSO) {
		return nil, &users.SignInError{Reason: users.ErrSingleSignOnRequired, UserID: id}
	}
	rehash := ""
	if !d.params.Current(hash) {
		if rehash, err = users.HashPassword(password, d.params, d.random); err != nil {
			return nil, err
		}
	}
	var u *users.User
	err = d.store.Update(ctx, func(tx store.WriteTx) error {
		rec, err := load(tx, id)
		if err != nil {
			return err
		}
		if rec.Disabled { // while the password was being checked
			u = nil
			return nil
		}
		if rec.SecondFactor == nil {
			rec.Failures, rec.LockedUntil, rec.LastSignIn = 0, time.Time{}, d.clock.Now().UTC()
		} // else the attempt stays counted until its code is right (VerifySecondFactor)
		if rehash != "" && rec.PasswordHash == hash {
			rec.PasswordHash = rehash
		}
		u = &rec.User
		return put(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, &users.SignInError{Reason: users.ErrDisabled, UserID: id}
	}
	return u, nil
}

func (d *Directory) decoyHash() string {
	d.decoyOnce.Do(func() {
		d.decoy, _ = users.HashPassword("decoy password, never a real one", d.params, d.random)
	})
	return d.decoy
}

func load(tx store.ReadTx, id string) (*record, error) {
	raw, err := store.GetUser(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &fault.NotFound{Resource: "user", Name: id}
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(raw)
}

// find returns the first account match accepts, or nil.
func find(tx store.ReadTx, match func(*record) bool) (*record, error) {
	var found *record
	err := store.EachUser(tx, func(_ string, raw []byte) error {
		if found != nil {
			return nil
		}
		rec, err := decodeRecord(raw)
		if err != nil {
			return err
		}
		if match(rec) {
			found = rec
		}
		return nil
	})
	return found, err
}

func decodeRecord(raw []byte) (*record, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decode user: %w", err)
	}
	return &rec, nil
}

func put(tx store.WriteTx, rec *record) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode user %s: %w", rec.ID, err)
	}
	return store.PutUser(tx, rec.ID, raw)
}
