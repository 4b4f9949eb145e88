package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// The administrative commands work in one of two modes, chosen once when
// their flags are parsed: remote, through a running server's API
// (--server ADDR --token T), or local, on the database file (--data DIR).
// While a server runs on that directory it holds the file, so a local
// command goes through the server's admin socket in the directory instead,
// without a token: the server lets in only its own system user and root,
// who could open the file anyway. Everything after that choice — checking
// the input, printing the result, naming a bad argument — is the same code
// for all of them.

// target is where a command works: a running server or a database file.
type target struct {
	fs     *flag.FlagSet
	opts   targetOptions
	server string // --server
	addr   string // --addr, the older name of --server
	token  string // --token
	data   string // --data; empty when the command has no local mode
	remote bool   // decided by parse
	// socket is set when a local command goes through the admin socket of
	// the server running on --data.
	socket bool
}

type targetOptions struct {
	// need is the least role the command's RPCs need; below RoleViewer the
	// command needs no token.
	need auth.Role
	// dataUsage is the help of --data; empty for a command with no local
	// mode, which always works through a server.
	dataUsage string
	// defaultServer is --server's default, for a command with no local mode.
	defaultServer string
	// addrAlias keeps --addr, the name scripts used before --server.
	addrAlias bool
	// fields names the command's flags for the fields of a bad argument,
	// where they differ from "--" + the field (display_name → --name). It
	// holds the API's names (remote) and the domain's (local).
	fields map[string]string
}

const defaultDataDir = "./rightsdesk-data"

// addTarget defines --server, --token and, for a command with a local
// mode, --data (and --addr where scripts may use it) on fs.
func addTarget(fs *flag.FlagSet, o targetOptions) *target {
	t := &target{fs: fs, opts: o}
	how := "gRPC address (host:port) of a running server: work through its API instead of on the database file (or $RIGHTSDESK_SERVER)"
	if o.dataUsage == "" {
		how = "gRPC address (host:port) of a running server (or $RIGHTSDESK_SERVER)"
	}
	if o.defaultServer != "" {
		how += " (default " + o.defaultServer + ")"
	}
	fs.StringVar(&t.server, "server", "", how)
	if o.addrAlias {
		fs.StringVar(&t.addr, "addr", "", "alias of --server (its older name), kept for existing scripts")
	}
	switch {
	case o.need == auth.RoleAdmin:
		fs.StringVar(&t.token, "token", "", "API token with the admin role, for --server (or $RIGHTSDESK_TOKEN)")
	case o.need >= auth.RoleViewer:
		fs.StringVar(&t.token, "token", "", fmt.Sprintf("API token with the %s role or above, for --server (or $RIGHTSDESK_TOKEN)", o.need))
	default:
		fs.StringVar(&t.token, "token", "", "API token for --server; optional, as this command's calls are public (or $RIGHTSDESK_TOKEN)")
	}
	if o.dataUsage != "" {
		fs.StringVar(&t.data, "data", defaultDataDir, o.dataUsage+" (when the server is stopped; not with --server)")
	}
	return t
}

// parse parses the flags and decides the mode: remote when --server,
// --addr or $RIGHTSDESK_SERVER names a server, local otherwise. An
// explicit --data on the command line wins over a server named only in the
// environment; giving it beside --server is a usage error.
func (t *target) parse(args []string) error {
	if err := parseFlags(t.fs, args); err != nil {
		return err
	}
	onCommandLine := map[string]bool{}
	t.fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	serverFlag := "--server"
	if onCommandLine["addr"] && !onCommandLine["server"] {
		serverFlag = "--addr"
	}
	switch {
	case onCommandLine["server"] && onCommandLine["addr"] && t.server != t.addr:
		fmt.Fprintln(t.fs.Output(), "--server and --addr name different servers: --addr is an alias of --server, so give one")
		return errUsage
	case (onCommandLine["server"] || onCommandLine["addr"]) && onCommandLine["data"]:
		fmt.Fprintf(t.fs.Output(), "%s and --data both given: %s works through a running server, --data on its database file while it is stopped; give one\n", serverFlag, serverFlag)
		return errUsage
	}
	// The command line first, then the environment, then the default.
	switch {
	case onCommandLine["server"]:
	case onCommandLine["addr"], t.server == "" && t.addr != "":
		t.server = t.addr
	case t.server == "":
		t.server = t.opts.defaultServer
	}
	t.remote = t.server != "" && (t.opts.dataUsage == "" || !onCommandLine["data"])
	if !t.remote && t.opts.dataUsage != "" {
		t.useAdminSocket()
	}
	if t.remote && !t.socket && t.opts.need >= auth.RoleViewer && t.token == "" {
		fmt.Fprintf(t.fs.Output(), "%s needs an API token with the %s role: give --token TOKEN or set RIGHTSDESK_TOKEN.\n"+
			"An admin makes one while the server runs with `rightsdesk tokens create --server %s --token ADMIN_TOKEN --role %s --name NAME`;\n"+
			"the first admin token is made on the server's machine with `rightsdesk tokens create --data DIR --role admin --name NAME`.\n",
			serverFlag, t.opts.need, t.server, t.opts.need)
		return errUsage
	}
	return nil
}

// useAdminSocket switches a local command to the admin socket of a server
// running on its data directory, if one answers there.
func (t *target) useAdminSocket() {
	path, ok := app.AdminSocket(t.data)
	if !ok {
		return
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	conn, err := net.DialTimeout("unix", abs, time.Second)
	if err != nil {
		return // no server running there: work on the file
	}
	_ = conn.Close()
	t.remote, t.socket, t.server, t.token = true, true, "unix://"+abs, ""
}

// splitParse parses a command line whose positional arguments may come
// before, between or after the flags, and returns the positional ones.
func (t *target) splitParse(args []string) ([]string, error) {
	flags, positional := splitPositional(t.fs, args)
	return positional, t.parse(flags)
}

// client is a connection to a running server that presents the token on
// every call and explains the server's refusals in the command's terms.
type client struct {
	conn   *grpc.ClientConn
	addr   string
	fields map[string]string
}

// dial connects to the server named by --server, in plaintext as the
// server's gRPC port speaks it. The connection is made on the first call,
// so an address with no server behind it fails there, with explain's
// "no server answering".
func (t *target) dial() (*client, error) {
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if t.token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(t.token)))
	}
	conn, err := grpc.NewClient(t.server, opts...)
	if err != nil {
		return nil, fmt.Errorf("--server %q: %w", t.server, err)
	}
	return &client{conn: conn, addr: t.server, fields: t.opts.fields}, nil
}

func (c *client) Close() error                      { return c.conn.Close() }
func (c *client) admin() rdv1.AdminServiceClient    { return rdv1.NewAdminServiceClient(c.conn) }
func (c *client) notices() rdv1.NoticeServiceClient { return rdv1.NewNoticeServiceClient(c.conn) }

// bearer sends the token as `authorization: Bearer T` on every call. The
// server's gRPC port is plaintext (loopback or a private network, as
// `rightsdesk serve` documents), so it is allowed without TLS.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }

// serverError is the server's refusal as one line for the command line.
// It wraps the domain's error where there is one (*fault.NotFound,
// *fault.FailedPrecondition), so a command tells "no such token" apart
// the same way in both modes.
type serverError struct {
	msg   string
	cause error
}

func (e *serverError) Error() string { return e.msg }
func (e *serverError) Unwrap() error { return e.cause }

// explain turns an error from a call into a clear line (or, for bad
// arguments, a line per argument). Errors that are not the server's pass
// unchanged.
func (c *client) explain(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := st.Message()
	var info *errdetails.ErrorInfo
	var bad *errdetails.BadRequest
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			info = d
		case *errdetails.BadRequest:
			bad = d
		}
	}
	switch st.Code() {
	case codes.Unauthenticated:
		if strings.Contains(msg, "expired") {
			return &serverError{msg: "the server refused the token: it has expired; ask an administrator for a new one"}
		}
		return &serverError{msg: "the server refused the token: it is unknown there, revoked or malformed (check --token or RIGHTSDESK_TOKEN)"}
	case codes.PermissionDenied:
		need := info.GetMetadata()["requiredRole"]
		if need == "" {
			need = "a higher"
		}
		_, have, ok := strings.Cut(msg, "this token has the ")
		if !ok {
			return &serverError{msg: fmt.Sprintf("this needs the %s role, which the token lacks (the server says: %s)", need, msg)}
		}
		return &serverError{msg: fmt.Sprintf("this needs the %s role, and the token has the %s; use a token with the %s role", need, have, need)}
	case codes.Unavailable:
		if strings.Contains(msg, "HTTP/1") {
			return &serverError{msg: fmt.Sprintf("%s answers HTTP, not gRPC: --server takes the server's gRPC address (--grpc-addr, 127.0.0.1:9090 by default)", c.addr)}
		}
		return &serverError{msg: fmt.Sprintf("no server answering at %s (%s): is `rightsdesk serve` running there? --server takes its gRPC address (--grpc-addr, 127.0.0.1:9090 by default)",
			c.addr, lastClause(msg))}
	case codes.InvalidArgument:
		inv := &fault.InvalidArgument{}
		for _, v := range bad.GetFieldViolations() {
			inv.Violations = append(inv.Violations, fault.FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
		}
		if len(inv.Violations) == 0 {
			inv.Violations = []fault.FieldViolation{{Description: msg}}
		}
		return badArguments(inv, c.fields)
	case codes.NotFound:
		md := info.GetMetadata()
		return &serverError{msg: msg, cause: &fault.NotFound{Resource: md["resource"], Name: md["name"]}}
	case codes.FailedPrecondition:
		return &serverError{msg: msg, cause: &fault.FailedPrecondition{Description: msg}}
	case codes.Unimplemented:
		return &serverError{msg: fmt.Sprintf("the server at %s does not offer this call; it runs an older Rightsdesk than this command", c.addr)}
	case codes.Canceled:
		return &serverError{msg: "interrupted before the server answered", cause: context.Canceled}
	case codes.DeadlineExceeded:
		return &serverError{msg: "the server did not answer in time", cause: context.DeadlineExceeded}
	}
	return &serverError{msg: fmt.Sprintf("the server at %s answered %s: %s", c.addr, st.Code(), msg)}
}

// lastClause is the end of a transport error ("connection refused"), the
// part that says why.
func lastClause(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.Trim(msg, "\" ")
}

// fieldErrors are bad arguments, one line each as `--flag: description`;
// run prints them and exits 2, as for any other misuse of the command line.
type fieldErrors []string

func (e fieldErrors) Error() string { return strings.Join(e, "\n") }

// badArguments names each of inv's fields as the command's flag; fields
// maps the names that differ. It serves both modes: the API's field names
// (display_name) and the domain's (name) map to the same flag.
func badArguments(inv *fault.InvalidArgument, fields map[string]string) fieldErrors {
	var out fieldErrors
	for _, v := range inv.Violations {
		switch flag, ok := fields[v.Field]; {
		case v.Field == "":
			out = append(out, v.Description)
		case ok:
			out = append(out, flag+": "+v.Description)
		default:
			out = append(out, "--"+strings.ReplaceAll(v.Field, "_", "-")+": "+v.Description)
		}
	}
	return out
}

// asFieldErrors is badArguments for an error that may hold bad arguments;
// other errors pass unchanged.
func asFieldErrors(err error, fields map[string]string) error {
	var inv *fault.InvalidArgument
	if errors.As(err, &inv) {
		return badArguments(inv, fields)
	}
	return err
}

// allPages calls page with each next_page_token until the last page and
// returns every item.
func allPages[T any](page func(token string) ([]T, string, error)) ([]T, error) {
	var all []T
	token := ""
	for {
		items, next, err := page(token)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		token = next
	}
}

// printFieldErrors writes each bad argument on its own line.
func printFieldErrors(w io.Writer, e fieldErrors) {
	for _, line := range e {
		fmt.Fprintln(w, line)
	}
}
