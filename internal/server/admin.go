package server

import (
	"context"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// backupChunkSize keeps each message well under gRPC's 4 MiB default.
const backupChunkSize = 1 << 20

// Tokens and accounts are few (one per person or tool), so their lists are
// read whole and paged here.
const (
	adminPageDefault = 100
	adminPageMax     = 1000
)

// adminService is the AdminService: each method parses, calls one use case
// once and converts the result.
type adminService struct {
	rdv1.UnimplementedAdminServiceServer
	ops    usecase.Operations
	tokens usecase.Tokens
	users  usecase.Accounts
	// subjects answers requests about Rightsdesk's own data (datasubject.go).
	subjects usecase.DataSubjects
	// clock says whether an account is locked now.
	clock clock.Clock
}

func (s *adminService) Backup(_ *rdv1.BackupRequest, stream rdv1.AdminService_BackupServer) error {
	w := &chunkWriter{send: func(b []byte) error { return stream.Send(&rdv1.BackupChunk{Data: b}) }}
	if _, err := s.ops.Backup(stream.Context(), w); err != nil {
		return err
	}
	return w.flush()
}

func (s *adminService) VerifyAudit(ctx context.Context, _ *rdv1.VerifyAuditRequest) (*rdv1.VerifyAuditResponse, error) {
	res, err := s.ops.VerifyAudit(ctx)
	resp := &rdv1.VerifyAuditResponse{Events: res.Events, Head: hex.EncodeToString(res.Head), Intact: err == nil}
	var br *audit.Break
	if errors.As(err, &br) {
		resp.BrokenAt, resp.BrokenCase, resp.Reason = br.Seq, br.CaseID, br.Reason
		return resp, nil
	}
	return resp, err
}

func (s *adminService) CreateToken(ctx context.Context, req *rdv1.CreateTokenRequest) (*rdv1.CreateTokenResponse, error) {
	in := usecase.NewToken{Name: req.GetDisplayName(), Role: policy.FromProto(req.GetRole()), By: actor(ctx), RequestID: req.GetRequestId()}
	if req.GetLifetime() != nil {
		in.Lifetime = req.GetLifetime().AsDuration()
	}
	created, err := s.tokens.Create(ctx, in)
	if err != nil {
		return nil, asRequestFields(err, "tokens/")
	}
	return &rdv1.CreateTokenResponse{ApiToken: tokenToProto(&created.Token), Token: created.Plaintext}, nil
}

func (s *adminService) ListTokens(ctx context.Context, req *rdv1.ListTokensRequest) (*rdv1.ListTokensResponse, error) {
	const query = "tokens"
	after, err := decodePageToken(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	all, err := s.tokens.List(ctx)
	if err != nil {
		return nil, err
	}
	page, next, err := pageAfter(all, func(t auth.Token) string { return t.ID }, after, pageSize(req.GetPageSize(), adminPageDefault, adminPageMax))
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListTokensResponse{}
	for i := range page {
		resp.Tokens = append(resp.Tokens, tokenToProto(&page[i]))
	}
	if next != "" {
		resp.NextPageToken = encodePageToken(next, query)
	}
	return resp, nil
}

func (s *adminService) RevokeToken(ctx context.Context, req *rdv1.RevokeTokenRequest) (*rdv1.ApiToken, error) {
	t, err := s.tokens.Revoke(ctx, strings.TrimPrefix(req.GetName(), "tokens/"), actor(ctx))
	if err != nil {
		return nil, asRequestFields(err, "tokens/")
	}
	return tokenToProto(t), nil
}

func (s *adminService) ListUsers(ctx context.Context, req *rdv1.ListUsersRequest) (*rdv1.ListUsersResponse, error) {
	const query = "users"
	after, err := decodePageToken(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	all, err := s.users.List(ctx)
	if err != nil {
		return nil, err
	}
	page, next, err := pageAfter(all, func(u users.User) string { return u.ID }, after, pageSize(req.GetPageSize(), adminPageDefault, adminPageMax))
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListUsersResponse{}
	now := s.clock.Now()
	for i := range page {
		resp.Users = append(resp.Users, userToProto(&page[i], now))
	}
	if next != "" {
		resp.NextPageToken = encodePageToken(next, query)
	}
	return resp, nil
}

func (s *adminService) CreateUser(ctx context.Context, req *rdv1.CreateUserRequest) (*rdv1.StaffUser, error) {
	u, err := s.users.Create(ctx, users.NewUser{
		Email: req.GetEmail(), Name: req.GetDisplayName(), Role: policy.FromProto(req.GetRole()),
		Password: req.GetPassword(), By: actor(ctx), RequestID: req.GetRequestId(),
	})
	return s.userResult(u, err)
}

func (s *adminService) DisableUser(ctx context.Context, req *rdv1.DisableUserRequest) (*rdv1.StaffUser, error) {
	u, err := s.users.Disable(ctx, userID(req.GetName()), actor(ctx))
	return s.userResult(u, err)
}

func (s *adminService) ResetUserPassword(ctx context.Context, req *rdv1.ResetUserPasswordRequest) (*rdv1.StaffUser, error) {
	u, err := s.users.ResetPassword(ctx, userID(req.GetName()), req.GetPassword(), actor(ctx))
	return s.userResult(u, err)
}

func (s *adminService) ResetUserSecondFactor(ctx context.Context, req *rdv1.ResetUserSecondFactorRequest) (*rdv1.StaffUser, error) {
	u, err := s.users.ResetSecondFactor(ctx, userID(req.GetName()), actor(ctx))
	return s.userResult(u, err)
}

// userName is a user's resource name, which UpdateUser's request carries
// inside the user rather than in a field protovalidate checks.
var userName = regexp.MustCompile(`^users/[0-9a-f]{12}$`)

func (s *adminService) UpdateUser(ctx context.Context, req *rdv1.UpdateUserRequest) (*rdv1.StaffUser, error) {
	from := req.GetUser()
	if !userName.MatchString(from.GetName()) {
		return nil, fault.Invalid("user.name", "%q is not a user's name: want users/ and 12 hex digits", from.GetName())
	}
	up := users.Update{Paths: req.GetUpdateMask().GetPaths(), Role: policy.FromProto(from.GetRole()), PasswordChangeRequired: from.GetPasswordChangeRequired()}
	u, err := s.users.Update(ctx, userID(from.GetName()), up, actor(ctx))
	var invalid *fault.InvalidArgument
	if errors.As(err, &invalid) {
		// The domain names the account's own fields; the request holds them
		// under user.
		out := &fault.InvalidArgument{Violations: slices.Clone(invalid.Violations)}
		for i, v := range out.Violations {
			if v.Field != "update_mask" {
				out.Violations[i].Field = "user." + v.Field
			}
		}
		err = out
	}
	return s.userResult(u, err)
}

func (s *adminService) UnlockUser(ctx context.Context, req *rdv1.UnlockUserRequest) (*rdv1.StaffUser, error) {
	u, err := s.users.Unlock(ctx, userID(req.GetName()), actor(ctx))
	return s.userResult(u, err)
}

func (s *adminService) userResult(u *users.User, err error) (*rdv1.StaffUser, error) {
	if err != nil {
		return nil, asRequestFields(err, "users/")
	}
	return userToProto(u, s.clock.Now()), nil
}

func userID(name string) string { return strings.TrimPrefix(name, "users/") }

// asRequestFields speaks of a use case's error in the request's terms: the
// domain calls a holder's or a person's name "name", which in the API is
// the resource name, so the request field is display_name; and a record
// that is not found is named as the resource (prefix + id). Other errors
// pass unchanged to the error boundary.
func asRequestFields(err error, prefix string) error {
	var (
		invalid  *fault.InvalidArgument
		notFound *fault.NotFound
	)
	switch {
	case errors.As(err, &invalid):
		out := &fault.InvalidArgument{Violations: slices.Clone(invalid.Violations)}
		for i, v := range out.Violations {
			if v.Field == "name" {
				out.Violations[i].Field = "display_name"
			}
		}
		return out
	case errors.As(err, &notFound) && notFound.Name != "" && !strings.HasPrefix(notFound.Name, prefix):
		out := *notFound
		out.Name = prefix + out.Name
		return &out
	}
	return err
}

// pageAfter returns up to size items following the one whose key is after
// ("" for the first page) and the key to continue from ("" on the last
// page). Tokens and accounts are never deleted, so a cursor this server
// issued always names an item; one that does not was not issued here.
func pageAfter[T any](items []T, key func(T) string, after string, size int) ([]T, string, error) {
	start := 0
	if after != "" {
		i := slices.IndexFunc(items, func(it T) bool { return key(it) == after })
		if i < 0 {
			return nil, "", fault.Invalid("page_token", "is not a token this server issued; pass the next_page_token of the previous response")
		}
		start = i + 1
	}
	end := min(start+size, len(items))
	if end < len(items) {
		return items[start:end], key(items[end-1]), nil
	}
	return items[start:end], "", nil
}

func roleToProto(r auth.Role) rdv1.Role {
	return enumFromDomain[rdv1.Role](rdv1.Role_value, "ROLE_", r.String())
}

// tokenToProto converts a token's record; it has no secret to leak.
func tokenToProto(t *auth.Token) *rdv1.ApiToken {
	out := &rdv1.ApiToken{Name: "tokens/" + t.ID, DisplayName: t.Name, Role: roleToProto(t.Role), Revoked: t.Revoked, CreatedBy: t.CreatedBy}
	if t.LastUsed != nil {
		out.LastUseTime = timestamppb.New(*t.LastUsed)
	}
	if !t.CreatedAt.IsZero() {
		out.CreateTime = timestamppb.New(t.CreatedAt)
	}
	if t.ExpiresAt != nil {
		out.ExpireTime = timestamppb.New(*t.ExpiresAt)
	}
	return out
}

// userToProto converts an account as it stands at now. users.User holds no
// password or hash, so none can leak from here.
func userToProto(u *users.User, now time.Time) *rdv1.StaffUser {
	out := &rdv1.StaffUser{
		Name: "users/" + u.ID, Email: u.Email, DisplayName: u.Name, Role: roleToProto(u.Role),
		Disabled: u.Disabled, Locked: u.Locked(now), PasswordChangeRequired: u.PasswordChangeRequired,
	}
	if out.Locked {
		out.LockExpireTime = timestamppb.New(u.LockedUntil)
	}
	if !u.LastSignIn.IsZero() {
		out.LastSignInTime = timestamppb.New(u.LastSignIn)
	}
	if !u.Created.IsZero() {
		out.CreateTime = timestamppb.New(u.Created)
	}
	if u.HasSecondFactor() {
		out.SecondFactorTime = timestamppb.New(u.SecondFactorSince)
	}
	return out
}

// chunkWriter turns the engine's byte stream into bounded messages.
type chunkWriter struct {
	buf  []byte
	send func([]byte) error
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(backupChunkSize-len(w.buf), len(p))
		w.buf, p = append(w.buf, p[:take]...), p[take:]
		if len(w.buf) == backupChunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.send(w.buf)
	w.buf = nil
	return err
}
