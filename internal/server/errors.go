package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// errorDomain is the ErrorInfo domain clients can match on.
const errorDomain = "rightsdesk.dev"

// toStatus is the one place where errors become gRPC statuses. Anything it
// does not recognise is logged and reported as INTERNAL without its text, so
// a storage error never reaches a client.
func toStatus(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var (
		invalid    *fault.InvalidArgument
		notFound   *fault.NotFound
		failed     *fault.FailedPrecondition
		conflict   *fault.Conflict
		down       *fault.Unavailable
		validation *protovalidate.ValidationError
		field      *deadline.FieldError
		fields     deadline.FieldErrors
		unknownCtx *notice.UnknownContextError
		unauthed   *auth.UnauthenticatedError
		denied     *auth.PermissionDeniedError
	)
	switch {
	case errors.As(err, &unauthed):
		return withInfo(codes.Unauthenticated, unauthed.Error(), "UNAUTHENTICATED", nil)
	case errors.As(err, &denied):
		return withInfo(codes.PermissionDenied, denied.Error(), "PERMISSION_DENIED", map[string]string{"required_role": denied.Need.String()})
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
		return withInfo(codes.NotFound, notFound.Error(), "NOT_FOUND", map[string]string{"resource": notFound.Resource, "name": notFound.Name})
	case errors.As(err, &failed):
		return preconditionFailed(failed)
	case errors.As(err, &conflict):
		return withInfo(codes.Aborted, conflict.Error(), "ETAG_MISMATCH", map[string]string{"name": conflict.Subject, "current_etag": conflict.CurrentEtag})
	case errors.As(err, &down):
		// The cause (which store member, which address) is for the log.
		log.WarnContext(ctx, "store unavailable", "error", err)
		return withInfo(codes.Unavailable, "the service is briefly unavailable; try again", "UNAVAILABLE", map[string]string{"ambiguous": fmt.Sprint(down.Ambiguous)})
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "deadline exceeded")
	}
	log.ErrorContext(ctx, "internal error", "error", err)
	return status.Error(codes.Internal, "internal error")
}

func badRequest(msg string, violations ...fault.FieldViolation) error {
	br := &errdetails.BadRequest{}
	for _, v := range violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
	}
	st, err := status.New(codes.InvalidArgument, msg).WithDetails(br)
	if err != nil {
		return status.Error(codes.InvalidArgument, msg)
	}
	return st.Err()
}

func withInfo(code codes.Code, msg, reason string, metadata map[string]string) error {
	st, err := status.New(code, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain, Metadata: metadata})
	if err != nil {
		return status.Error(code, msg)
	}
	return st.Err()
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
	st, err := status.New(codes.FailedPrecondition, f.Error()).WithDetails(pf)
	if err != nil {
		return status.Error(codes.FailedPrecondition, f.Error())
	}
	return st.Err()
}
