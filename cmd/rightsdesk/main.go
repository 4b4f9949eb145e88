package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand; name may hold a space ("notices list").
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "start the gRPC, REST and web server", runServe},
		{"notices list", "list the notices in the catalogue of a running server", runNoticesList},
		{"notices import", "read a privacy notice (text, markdown or HTML) and store it as the notice's next version", runNoticesImport},
		{"notices lint", "check notices against the rights-by-basis table and good practice; exit 1 on an error finding", runNoticesLint},
		{"notices diff", "show what changed between two versions of a notice (database file only: server stopped)", runNoticesDiff},
		{"deadline", "work out a statutory deadline and explain it", runDeadline},
		{"holidays import", "store a GOV.UK bank-holidays.json in the database (server stopped)", runHolidaysImport},
		{"tokens create", "create an API token and print it once", runTokensCreate},
		{"tokens list", "list API tokens: id, name, role, dates; never the token", runTokensList},
		{"tokens revoke", "revoke an API token by its id; it is refused from then on", runTokensRevoke},
		{"users create", "create a staff sign-in account; the password is read from stdin", runUsersCreate},
		{"users list", "list staff accounts: id, email, name, role, state; never a password", runUsersList},
		{"users disable", "stop a staff account signing in, by id or email", runUsersDisable},
		{"users reset-password", "set a new password (from stdin), unlock and re-enable an account", runUsersResetPassword},
		{"users update", "change an account's role, or require a new password at its next sign-in", runUsersUpdate},
		{"users unlock", "let a locked account sign in again at once, keeping its password", runUsersUnlock},
		{"audit verify", "recompute the audit chain and name the first broken link", runAuditVerify},
		{"check", "check a stopped server's database: pages, indexes against records, audit chain; exit 1 on any problem (read-only)", runCheck},
		{"backup", "write a consistent copy of the database", runBackup},
		{"store copy", "copy a whole store between engines (bbolt, etcd) and verify the copy: counts, digests, audit chain head", runStoreCopy},
		{"dev bench", "measure the DESIGN.md performance targets on loopback (make bench)", runDevBench},
		{"dev seed", "fill a database with realistic, varied cases through the domain code (server stopped)", runDevSeed},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage means the command line was wrong; the flag set has said why.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, rest, ok := lookup(args)
	if !ok {
		usage(stderr, args)
		return 2
	}
	err := cmd.run(ctx, rest, stdout, stderr)
	var bad fieldErrors
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &bad):
		printFieldErrors(stderr, bad)
		return 2
	case errors.Is(err, errAuditBroken), errors.Is(err, errCheckFailed), errors.Is(err, errCopyDiffers):
		return 1
	}
	fmt.Fprintf(stderr, "rightsdesk %s: %v\n", cmd.name, err)
	return 1
}

// lookup finds the longest command name matching the leading arguments.
func lookup(args []string) (command, []string, bool) {
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return len(cmds[i].name) > len(cmds[j].name) })
	for _, c := range cmds {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

func usage(w io.Writer, args []string) {
	if len(args) > 0 && args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
		fmt.Fprintf(w, "rightsdesk: unknown command %q\n\n", strings.Join(args, " "))
	}
	fmt.Fprintln(w, "Usage: rightsdesk COMMAND [flags]\n\nCommands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nThe tokens, users, notices, audit and backup commands work on a running server with --server HOST:PORT --token TOKEN,")
	fmt.Fprintln(w, "or on the database file with --data DIR while the server is stopped.")
	fmt.Fprintln(w, "\nEvery flag can also be set as RIGHTSDESK_<FLAG> (e.g. RIGHTSDESK_SERVER, RIGHTSDESK_TOKEN). Run 'rightsdesk COMMAND -h' for its flags.")
}

// newFlags returns a flag set whose errors go to stderr and come back as
// errUsage.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("rightsdesk "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags applies RIGHTSDESK_* environment variables as defaults, then
// the command line, which wins.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "RIGHTSDESK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return errUsage
	}
	return nil
}
