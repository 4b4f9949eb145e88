package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The REST door's error boundary: every error the gateway answers, from a
// gRPC call or from its own routing, passes through gatewayError, which
// writes the google.rpc.Status body as the gateway does and adds the
// headers HTTP clients expect: WWW-Authenticate (RFC 6750) on 401 and 403,
// Allow on 405, Retry-After where the status carries a RetryInfo (429, 503).

// bearerRealm names the protection space in every Bearer challenge.
const bearerRealm = `Bearer realm="rightsdesk"`

// restMethods are the methods a REST route may be bound to (google.api.http).
var restMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// gatewayOptions installs the error boundary on the gateway's mux.
func gatewayOptions() []runtime.ServeMuxOption {
	return []runtime.ServeMuxOption{
		runtime.WithErrorHandler(gatewayError),
		runtime.WithRoutingErrorHandler(routingError),
		runtime.WithMiddlewares(answerProbes),
	}
}

// gatewayError is runtime.DefaultHTTPErrorHandler with the RFC 6750
// challenge in place of the gateway's own, which is the status message.
func gatewayError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	var withStatus *runtime.HTTPStatusError
	if errors.As(err, &withStatus) {
		err = &runtime.HTTPStatusError{HTTPStatus: withStatus.HTTPStatus, Err: gatewayStatus(withStatus.Err).Err()}
	} else {
		err = gatewayStatus(err).Err()
	}
	if challenge := bearerChallenge(status.Code(err), r.Header); challenge != "" {
		w = &headerAtWrite{ResponseWriter: w, name: "WWW-Authenticate", value: challenge}
	} else if after := retryAfter(status.Convert(err)); after != "" {
		w = &headerAtWrite{ResponseWriter: w, name: "Retry-After", value: after}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// gatewayStatus is err as a status with an ErrorInfo. The gRPC server's
// errors carry one already (toStatus); the gateway's own are given one
// here: INVALID_ARGUMENT from the gateway is a body or query parameter it
// could not read (MALFORMED_REQUEST), any other code takes its reason in
// errorReasons, and a code with none (or an error that is no status) is
// INTERNAL.
func gatewayStatus(err error) *status.Status {
	st := status.Convert(err)
	if errorInfoOf(st) != nil {
		return st
	}
	if st.Code() == codes.InvalidArgument {
		return withReason(st, "MALFORMED_REQUEST")
	}
	if reason, ok := reasonByCode[st.Code()]; ok {
		return withReason(st, reason)
	}
	return status.Convert(internalError())
}

// bearerChallenge is the WWW-Authenticate value for a refusal with code,
// or "" when the code is not an authentication refusal. A request that
// presented no bearer token is told only the scheme and realm (RFC 6750
// §3.1: no error code when no token was tried); one whose token was
// refused, that it is invalid; one whose token's role is too low, that
// the scope is insufficient.
func bearerChallenge(code codes.Code, h http.Header) string {
	switch code {
	case codes.Unauthenticated:
		if presentedBearer(h) {
			return bearerRealm + `, error="invalid_token"`
		}
		return bearerRealm
	case codes.PermissionDenied:
		return bearerRealm + `, error="insufficient_scope"`
	}
	return ""
}

// presentedBearer reports whether the request carried a Bearer credential,
// in Authorization or in the gateway's Grpc-Metadata-Authorization.
func presentedBearer(h http.Header) bool {
	for _, v := range slices.Concat(h.Values("Authorization"), h.Values("Grpc-Metadata-Authorization")) {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		if strings.EqualFold(scheme, "Bearer") {
			return true
		}
	}
	return false
}

// headerAtWrite sets one header just before the status line is written,
// over whatever the wrapped handler set.
type headerAtWrite struct {
	http.ResponseWriter
	name, value string
	wrote       bool
}

func (h *headerAtWrite) WriteHeader(code int) {
	if !h.wrote {
		h.wrote = true
		h.Header().Set(h.name, h.value)
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerAtWrite) Write(b []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// routingError answers a path the gateway does not know with 404 and
// ErrorInfo PATH_NOT_FOUND, and a known path with a method it does not accept with
// 405, an Allow header and ErrorInfo METHOD_NOT_ALLOWED (the gateway's
// default is 501).
func routingError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	if _, probing := ctx.Value(probeKey{}).(*bool); probing {
		return // a probe's miss: allowedMethods counts it
	}
	if httpStatus == http.StatusNotFound {
		gatewayError(ctx, mux, m, w, r, &runtime.HTTPStatusError{HTTPStatus: httpStatus,
			Err: refusal("PATH_NOT_FOUND", "no method is bound to this path", nil)})
		return
	}
	if httpStatus != http.StatusMethodNotAllowed {
		runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, httpStatus)
		return
	}
	allow := strings.Join(allowedMethods(mux, r), ", ")
	w.Header().Set("Allow", allow)
	err := refusal("METHOD_NOT_ALLOWED", r.Method+" is not allowed on this path; it accepts "+allow,
		map[string]string{"method": r.Method, "allow": allow})
	gatewayError(ctx, mux, m, w, r, &runtime.HTTPStatusError{HTTPStatus: http.StatusMethodNotAllowed, Err: err})
}

// probeKey marks a request allowedMethods sends through the mux to learn
// whether a route matches; answerProbes stops it before the handler runs.
type probeKey struct{}

func answerProbes(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		if matched, ok := r.Context().Value(probeKey{}).(*bool); ok {
			*matched = true
			return
		}
		next(w, r, params)
	}
}

// allowedMethods asks the mux itself which methods r's path is routed for,
// so the Allow header follows the google.api.http bindings with no table
// of its own. A probe carries no body and none of the headers that make
// the gateway treat a POST as a GET.
func allowedMethods(mux *runtime.ServeMux, r *http.Request) []string {
	var allow []string
	for _, method := range restMethods {
		matched := false
		probe := r.Clone(context.WithValue(r.Context(), probeKey{}, &matched))
		probe.Method, probe.Body, probe.ContentLength = method, http.NoBody, 0
		probe.Header = http.Header{}
		mux.ServeHTTP(discardResponse{}, probe)
		if matched {
			allow = append(allow, method)
		}
	}
	return allow
}

// discardResponse is where a probe's (empty) answer goes.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}

// writeStatus answers a request the gateway never saw (limitBody) with
// err's google.rpc.Status, in the body the gateway writes for its own.
func writeStatus(w http.ResponseWriter, httpStatus int, err error) {
	body, merr := RESTMarshalOptions().Marshal(status.Convert(err).Proto())
	if merr != nil {
		httpStatus, body = http.StatusInternalServerError, []byte(`{"code":13,"message":"internal error","details":[]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	_, _ = w.Write(body)
}
