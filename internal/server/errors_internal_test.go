package server

import (
	"context"
	"io"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorReason is errorReason for the external tests (package server_test).
type ErrorReason = errorReason

// ErrorReasons is the table of ErrorInfo reasons, for the external tests.
var ErrorReasons = errorReasons

// ErrorDomain is the ErrorInfo domain, for the external tests.
const ErrorDomain = errorDomain

// MapError is toStatus with its log discarded, for the external tests of
// the reasons no live call can produce on demand (a store that is down,
// a failure nobody planned for).
func MapError(ctx context.Context, err error) error {
	return toStatus(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), err)
}

// ErrorInfoOf is errorInfoOf on err's status, for the external tests.
func ErrorInfoOf(err error) *errdetails.ErrorInfo {
	return errorInfoOf(status.Convert(err))
}

// UnplannedStatus is a status of a code no reason has, as a handler that
// made its own would return it.
var UnplannedStatus = status.Error(codes.DataLoss, "lost a page")
