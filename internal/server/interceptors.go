package server

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strings"

	"buf.build/go/protovalidate"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rightsdesk/rightsdesk/internal/telemetry"
)

// unaryInterceptors returns the chain every RPC passes through, from every
// door: the request context (id, client) and metrics outermost, so every
// log line has the id and the metrics count panics and rejections too,
// then logging and recovery, then the error boundary, which therefore maps
// what validation and the handler return. The call limits sit either side
// of authentication: an address out of calls is refused before its token
// is looked up, and a caller's rate is known only once its token is.
func unaryInterceptors(log *slog.Logger, in *telemetry.Instruments, limits *callLimits, authn *authenticator, validator protovalidate.Validator) []grpc.UnaryServerInterceptor {
	return append(in.UnaryInterceptors(),
		logging.UnaryServerInterceptor(slogAdapter(log), callLogging...),
		recovery.UnaryServerInterceptor(recoveryHandler(log)),
		errorBoundary(log),
		limits.beforeAuthentication(),
		authn.unaryInterceptor(), // before validation: an unauthenticated caller learns nothing about the request shape
		limits.afterAuthentication(),
		validationInterceptor(validator),
	)
}

// streamInterceptors is the same chain for streaming RPCs (backup, the
// response pack), so a stream is counted, logged, recovered, validated and
// error-mapped like any other call.
func streamInterceptors(log *slog.Logger, in *telemetry.Instruments, limits *callLimits, authn *authenticator, validator protovalidate.Validator) []grpc.StreamServerInterceptor {
	return append(in.StreamInterceptors(),
		logging.StreamServerInterceptor(slogAdapter(log), callLogging...),
		recovery.StreamServerInterceptor(recoveryHandler(log)),
		func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
			return toStatus(ss.Context(), log, next(srv, ss))
		},
		limits.streamBeforeAuthentication(),
		authn.streamInterceptor(),
		limits.streamAfterAuthentication(),
		streamValidationInterceptor(validator),
	)
}

func recoveryHandler(log *slog.Logger) recovery.Option {
	return recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in handler", "panic", p, "stack", string(debug.Stack()))
		return internalError()
	})
}

// callLogging logs each call once, as it finishes, with the error's code,
// reason and the fields it names (errorFields) in place of its text.
var callLogging = []logging.Option{logging.WithLogOnEvents(logging.FinishCall), logging.WithErrorFields(errorFields)}

// errorFields are what the log keeps of a call's error: its ErrorInfo
// reason and the fields a refusal names. The error's text is left out
// (slogAdapter drops it): a refusal quotes what the caller sent, such as a
// malformed email address, and personal data never goes in the log. Our
// own failures are logged with their cause where they are mapped
// (toStatus); their text to the caller says nothing more.
func errorFields(err error) logging.Fields {
	st := status.Convert(err)
	var fields logging.Fields
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			fields = append(fields, "grpc.reason", d.GetReason())
		case *errdetails.BadRequest:
			names := make([]string, 0, len(d.GetFieldViolations()))
			for _, v := range d.GetFieldViolations() {
				names = append(names, v.GetField())
			}
			fields = append(fields, "grpc.fields", strings.Join(names, ","))
		}
	}
	return fields
}

// errorTextField is the logging middleware's field for an error's text,
// which slogAdapter drops (see errorFields).
const errorTextField = "grpc.error"

func slogAdapter(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		kept := fields[:0:0]
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] != errorTextField {
				kept = append(kept, fields[i], fields[i+1])
			}
		}
		log.Log(ctx, slog.Level(lvl), msg, kept...)
	})
}

// validationInterceptor checks the protovalidate rules declared in the
// protos before a handler runs.
func validationInterceptor(v protovalidate.Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if msg, ok := req.(proto.Message); ok {
			if err := v.Validate(msg); err != nil {
				return nil, err
			}
		}
		return next(ctx, req)
	}
}

// streamValidationInterceptor checks the protovalidate rules on each
// message a stream receives, the request of a server stream included,
// before the handler acts on it.
func streamValidationInterceptor(v protovalidate.Validator) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		return next(srv, validatingStream{ServerStream: ss, validator: v})
	}
}

type validatingStream struct {
	grpc.ServerStream
	validator protovalidate.Validator
}

func (s validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if msg, ok := m.(proto.Message); ok {
		return s.validator.Validate(msg)
	}
	return nil
}

// errorBoundary maps whatever a handler or an inner interceptor returns.
func errorBoundary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		resp, err := next(ctx, req)
		return resp, toStatus(ctx, log, err)
	}
}
