package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// errorDomain is the ErrorInfo domain clients can match on.
const errorDomain = "rightsdesk.dev"

// errorReason is one reason an error's ErrorInfo may carry: the gRPC code
// that goes with it, the HTTP status the REST door answers with, when it
// happens and the metadata keys it sets (lowerCamel, AIP-193).
type errorReason struct {
	Reason   string
	Code     codes.Code
	HTTP     int
	When     string
	Metadata []string
}

// errorReasons are every reason the API gives, and the only ones:
// docs/api-errors.md is this table, and a test holds the two together and
// makes each reason happen. Where two share a code, the first is what a
// status of that code that carries no ErrorInfo is given.
var errorReasons = []errorReason{
	{"UNAUTHENTICATED", codes.Unauthenticated, http.StatusUnauthorized,
		"The method needs a bearer token and none was sent, or the token is unknown, revoked or expired.", nil},
	{"PERMISSION_DENIED", codes.PermissionDenied, http.StatusForbidden,
		"The token's role is below the one the method needs.", []string{"requiredRole"}},
	{"INVALID_ARGUMENT", codes.InvalidArgument, http.StatusBadRequest,
		"A field is missing, malformed or out of range; a google.rpc.BadRequest detail names each field.", nil},
	{"MALFORMED_REQUEST", codes.InvalidArgument, http.StatusBadRequest,
		"REST only: the body is not JSON of the request's shape (an unknown field, a wrong type), a query parameter cannot be read as its field, or the body could not be read.", nil},
	{"REQUEST_TOO_LARGE", codes.InvalidArgument, http.StatusRequestEntityTooLarge,
		"REST only: the body is larger than the server's limit.", []string{"limitBytes"}},
	{"NOT_FOUND", codes.NotFound, http.StatusNotFound,
		"The named resource does not exist (or not in the version asked for).", []string{"resource", "name"}},
	{"PATH_NOT_FOUND", codes.NotFound, http.StatusNotFound,
		"REST only: no method is bound to the path.", nil},
	{"METHOD_NOT_ALLOWED", codes.Unimplemented, http.StatusMethodNotAllowed,
		"REST only: the path exists but not with this HTTP method; the Allow header lists those it takes.", []string{"method", "allow"}},
	{"FAILED_PRECONDITION", codes.FailedPrecondition, http.StatusBadRequest,
		"The request is well formed but the resource's state does not allow it (e.g. closing a closed case); a google.rpc.PreconditionFailure detail says why.", []string{"name"}},
	{"REQUEST_ID_REUSED", codes.AlreadyExists, http.StatusConflict,
		"The request_id was already used with a different request: by a create (CreateCase, CreateToken, CreateUser), or by an addition to a case (AddNote, RecordSearch, RecordNotSearched). Nothing was written. name is what the earlier call created or added to (for a case, the message also gives its reference); send a new request_id.", []string{"name", "requestId"}},
	{"ALREADY_CREATED", codes.AlreadyExists, http.StatusConflict,
		"A retry (same request_id, same request) of a create whose answer cannot be given again: an API token is shown only once. Nothing new was created; name is what the first call created.", []string{"name", "requestId"}},
	{"ETAG_MISMATCH", codes.Aborted, http.StatusConflict,
		"The etag sent is not the resource's current one: someone changed it first. Nothing was written; reload and retry.", []string{"name", "currentEtag"}},
	{"UNAVAILABLE", codes.Unavailable, http.StatusServiceUnavailable,
		"The store could not be reached in time. The call may be retried; ambiguous is true when a write was sent but not confirmed.", []string{"ambiguous"}},
	{"RATE_LIMITED", codes.ResourceExhausted, http.StatusTooManyRequests,
		"The caller's token, or for calls without one its address, has made more calls than its rate allows. Nothing was done; a google.rpc.RetryInfo detail (REST: the Retry-After header) says when to try again.", []string{"scope"}},
	{"OVERLOADED", codes.Unavailable, http.StatusServiceUnavailable,
		"A write was refused at once because the most writes the server takes at a time are in flight. Nothing was written; a google.rpc.RetryInfo detail (REST: the Retry-After header) says when to try again.", nil},
	{"STORAGE_UNAVAILABLE", codes.Unavailable, http.StatusServiceUnavailable,
		"The server's disk refused the write: it is full, read-only or failing. Nothing was written, and the server reports not ready (/readyz) until a write succeeds again; retry once an operator has made room, or on another replica.", nil},
	{"CANCELLED", codes.Canceled, 499,
		"The caller cancelled the call or went away.", nil},
	{"DEADLINE_EXCEEDED", codes.DeadlineExceeded, http.StatusGatewayTimeout,
		"The call's deadline passed before it finished.", nil},
	{"INTERNAL", codes.Internal, http.StatusInternalServerError,
		"An unexpected failure; the server's log has the cause, the answer never does.", nil},
}

// reasonByCode is the reason for a status of a code that carries none.
var reasonByCode = func() map[codes.Code]string {
	m := map[codes.Code]string{}
	for _, r := range slices.Backward(errorReasons) {
		m[r.Code] = r.Reason
	}
	return m
}()

// toStatus is the one place where errors become gRPC statuses. Anything it
// does not recognise is logged and reported as INTERNAL without its text, so
// a storage error never reaches a client.
func toStatus(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if st, ok := status.FromError(err); ok {
		return classified(ctx, log, st).Err()
	}
	var (
		invalid    *fault.InvalidArgument
		notFound   *fault.NotFound
		failed     *fault.FailedPrecondition
		conflict   *fault.Conflict
		reused     *fault.RequestReused
		down       *fault.Unavailable
		disk       *fault.StorageUnavailable
		validation *protovalidate.ValidationError
		field      *deadline.FieldError
		fields     deadline.FieldErrors
		unknownCtx *notice.UnknownContextError
		unauthed   *auth.UnauthenticatedError
		denied     *auth.PermissionDeniedError
		limited    *RateLimitedError
		overloaded *OverloadedError
	)
	switch {
	case errors.As(err, &limited):
		return refusal("RATE_LIMITED", limited.Error(), map[string]string{"scope": limited.Scope}, retryInfo(limited.RetryAfter))
	case errors.As(err, &overloaded):
		return refusal("OVERLOADED", overloaded.Error(), nil, retryInfo(overloaded.RetryAfter))
	case errors.As(err, &unauthed):
		return refusal("UNAUTHENTICATED", unauthed.Error(), nil)
	case errors.As(err, &denied):
		return refusal("PERMISSION_DENIED", denied.Error(), map[string]string{"requiredRole": denied.Need.String()})
	case errors.As(err, &invalid):
		return badRequest(invalid.Error(), invalid.Violations...)
	case errors.As(err, &validation):
		return badRequest("invalid argument: "+validation.Error(), violationsOf(validation)...)
	case errors.As(err, &fields): // before field, which would find only the first
		violations := make([]fault.FieldViolation, len(fields))
		for i, f := range fields {
			violations[i] = fault.FieldViolation{Field: f.Field, Description: f.Description}
		}
		return badRequest(fields.Error(), violations...)
	case errors.As(err, &field):
		return badRequest(field.Error(), fault.FieldViolation{Field: field.Field, Description: field.Description})
	case errors.As(err, &unknownCtx):
		return badRequest(unknownCtx.Error(), fault.FieldViolation{Field: "context", Description: unknownCtx.Error()})
	case errors.As(err, &notFound):
		return refusal("NOT_FOUND", notFound.Error(), map[string]string{"resource": notFound.Resource, "name": notFound.Name})
	case errors.As(err, &failed):
		return preconditionFailed(failed)
	case errors.As(err, &conflict):
		return refusal("ETAG_MISMATCH", conflict.Error(), map[string]string{"name": conflict.Subject, "currentEtag": conflict.CurrentEtag})
	case errors.As(err, &reused):
		reason := "REQUEST_ID_REUSED"
		if reused.Retry {
			reason = "ALREADY_CREATED"
		}
		return refusal(reason, reused.Error(), map[string]string{"name": reused.Name, "requestId": reused.RequestID})
	case errors.As(err, &disk):
		// Which file and which errno are for the log and the operator.
		log.ErrorContext(ctx, "the disk refused a write", "error", err)
		return refusal("STORAGE_UNAVAILABLE", "the server cannot store anything at the moment (its disk is full or read-only); nothing was written; try again later", nil)
	case errors.As(err, &down):
		// The cause (which store member, which address) is for the log.
		log.WarnContext(ctx, "store unavailable", "error", err)
		return refusal("UNAVAILABLE", "the service is briefly unavailable; try again", map[string]string{"ambiguous": fmt.Sprint(down.Ambiguous)})
	case errors.Is(err, context.Canceled):
		return refusal("CANCELLED", "request cancelled", nil)
	case errors.Is(err, context.DeadlineExceeded):
		return refusal("DEADLINE_EXCEEDED", "deadline exceeded", nil)
	}
	log.ErrorContext(ctx, "internal error", "error", err)
	return internalError()
}

// classified returns st with an ErrorInfo: its own if it has one, else
// the reason for its code; a status of a code no reason has is a failure
// nobody planned for, logged and answered as INTERNAL.
func classified(ctx context.Context, log *slog.Logger, st *status.Status) *status.Status {
	if errorInfoOf(st) != nil {
		return st
	}
	reason, ok := reasonByCode[st.Code()]
	if !ok {
		log.ErrorContext(ctx, "internal error", "error", st.Err())
		return status.Convert(internalError())
	}
	return withReason(st, reason)
}

// internalError is what a client is told of a failure it cannot act on.
func internalError() error {
	return refusal("INTERNAL", "internal error", nil)
}

func badRequest(msg string, violations ...fault.FieldViolation) error {
	br := &errdetails.BadRequest{}
	for _, v := range violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
	}
	return refusal("INVALID_ARGUMENT", msg, nil, br)
}

// refusal is the status for reason, with msg, an ErrorInfo carrying
// metadata, and any other details. Its code is the reason's in
// errorReasons; a reason missing there is a bug, answered as INTERNAL.
func refusal(reason, msg string, metadata map[string]string, details ...protoadapt.MessageV1) error {
	i := slices.IndexFunc(errorReasons, func(r errorReason) bool { return r.Reason == reason })
	if i < 0 {
		reason, msg, metadata, details = "INTERNAL", "internal error", nil, nil
		i = slices.IndexFunc(errorReasons, func(r errorReason) bool { return r.Reason == reason })
	}
	st := withReason(status.New(errorReasons[i].Code, msg), reason, metadata)
	if withDetails, err := st.WithDetails(details...); err == nil {
		st = withDetails
	}
	return st.Err()
}

// withReason returns st with an ErrorInfo for reason (and metadata), or st
// itself if it already carries one.
func withReason(st *status.Status, reason string, metadata ...map[string]string) *status.Status {
	if errorInfoOf(st) != nil {
		return st
	}
	info := &errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}
	if len(metadata) > 0 {
		info.Metadata = metadata[0]
	}
	withInfo, err := st.WithDetails(info)
	if err != nil {
		return st
	}
	return withInfo
}

// errorInfoOf returns st's ErrorInfo detail, or nil.
func errorInfoOf(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}

func violationsOf(v *protovalidate.ValidationError) []fault.FieldViolation {
	out := make([]fault.FieldViolation, 0, len(v.Violations))
	for _, viol := range v.Violations {
		out = append(out, fault.FieldViolation{
			Field:       protovalidate.FieldPathString(viol.Proto.GetField()),
			Description: viol.Proto.GetMessage(),
		})
	}
	return out
}

func preconditionFailed(f *fault.FailedPrecondition) error {
	pf := &errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{
		Type: "STATE", Subject: f.Subject, Description: f.Error(),
	}}}
	return refusal("FAILED_PRECONDITION", f.Error(), map[string]string{"name": f.Subject}, pf)
}
