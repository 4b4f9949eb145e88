package main

import (
	"context"
	"encoding/json"
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

// command is one subcommand; name may hold a space ("notices list"), and
// its first word is then a group ("notices") that has help of its own.
// operands names the positional arguments for the help's synopsis.
type command struct {
	name     string
	operands string
	summary  string
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "", "start the gRPC, REST and web server", runServe},
		{"notices list", "", "list the notices in the catalogue of a running server", runNoticesList},
		{"notices import", "FILE", "read a privacy notice (text, markdown or HTML) and store it as the notice's next version", runNoticesImport},
		{"notices lint", "[ID]", "check notices against the rights-by-basis table and good practice; exit 1 on an error finding", runNoticesLint},
		{"notices diff", "ID", "show what changed between two versions of a notice (database file only: server stopped)", runNoticesDiff},
		{"deadline", "", "work out a statutory deadline and explain it", runDeadline},
		{"holidays import", "FILE", "store a GOV.UK bank-holidays.json in the database (server stopped)", runHolidaysImport},
		{"tokens create", "", "create an API token and print it once", runTokensCreate},
		{"tokens list", "", "list API tokens: id, name, role, dates; never the token", runTokensList},
		{"tokens revoke", "ID", "revoke an API token by its id; it is refused from then on", runTokensRevoke},
		{"users create", "", "create a staff sign-in account; the password is read from stdin", runUsersCreate},
		{"users list", "", "list staff accounts: id, email, name, role, state; never a password", runUsersList},
		{"users disable", "ID|EMAIL", "stop a staff account signing in, by id or email", runUsersDisable},
		{"users reset-password", "ID|EMAIL", "set a new password (from stdin), unlock and re-enable an account", runUsersResetPassword},
		{"users update", "ID|EMAIL", "change an account's role, or require a new password at its next sign-in", runUsersUpdate},
		{"users unlock", "ID|EMAIL", "let a locked account sign in again at once, keeping its password", runUsersUnlock},
		{"users reset-second-factor", "ID|EMAIL", "remove an account's two-step verification, for someone who lost both device and recovery codes; signs them out everywhere", runUsersResetSecondFactor},
		{"audit verify", "", "recompute the audit chain and name the first broken link", runAuditVerify},
		{"pack verify", "FILE", "check every file of a response pack (.zip) against its manifest; exit 1 on any problem (needs no database)", runPackVerify},
		{"check", "", "check a stopped server's database: pages, indexes against records, audit chain; exit 1 on any problem (read-only)", runCheck},
		{"backup", "", "write a consistent copy of the database", runBackup},
		{"compact", "", "rewrite a stopped server's database without its freed pages, so data purged or changed is gone from the file too", runCompact},
		{"retention plan", "", "list what the daily retention run would purge and what it keeps past its date, and why (server stopped; read-only)", runRetentionPlan},
		{"keys init", "", "write a new keyring file (0600, outside the data directory) for encrypting personal data at rest", runKeysInit},
		{"keys status", "", "show the keyring's keys and how many stored keys each wraps (server stopped)", runKeysStatus},
		{"keys rotate", "", "add a new current key to the keyring file and re-wrap every stored key under it, rewriting no case (server stopped)", runKeysRotate},
		{"keys migrate", "", "encrypt, in place, a store written before encryption at rest; safe to run again if interrupted (server stopped)", runKeysMigrate},
		{"store copy", "", "copy a whole store between engines (bbolt, etcd) and verify the copy: counts, digests, audit chain head", runStoreCopy},
		{"dev bench", "", "measure the DESIGN.md performance targets on loopback (make bench)", runDevBench},
		{"dev soak", "", "run mixed load on a server on loopback for a long time, printing its memory, goroutines and open files (make soak)", runDevSoak},
		{"dev seed", "", "fill a database with realistic, varied cases through the domain code (server stopped)", runDevSeed},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	setGCPercent(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage means the command line was wrong; the flag set has said why.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && isVersionFlag(args[0]):
		return exitCode(command{name: "version"}, runVersion(ctx, nil, stdout, stderr), stderr)
	case len(args) > 0 && (isHelpFlag(args[0]) || args[0] == "help"):
		return help(ctx, args[1:], stdout, stderr)
	}
	cmd, rest, ok := lookup(args)
	switch {
	case !ok && len(args) == 2 && len(group(args[0])) > 0 && (isHelpFlag(args[1]) || args[1] == "help"):
		return help(ctx, args[:1], stdout, stderr)
	case !ok:
		return usageError(stderr, args)
	case wantsHelp(rest):
		return commandHelp(ctx, cmd, stdout)
	}
	return exitCode(cmd, cmd.run(ctx, rest, stdout, stderr), stderr)
}

// exitCode is 0 for success or help, 2 for a usage error and 1 otherwise,
// having said why on stderr.
func exitCode(cmd command, err error, stderr io.Writer) int {
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

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func isVersionFlag(arg string) bool { return arg == "--version" || arg == "-version" }

// wantsHelp reports a help flag among a command's arguments, before any "--".
func wantsHelp(args []string) bool {
	for _, arg := range args {
		if arg == "--" {
			return false
		}
		if isHelpFlag(arg) {
			return true
		}
	}
	return false
}

// help answers `rightsdesk help [COMMAND]` (and --help) on stdout: the
// command list, a group's subcommands, or one command's flags.
func help(ctx context.Context, topic []string, stdout, stderr io.Writer) int {
	if len(topic) == 0 {
		printCommands(stdout, "", commands())
		return 0
	}
	if cmd, rest, ok := lookup(topic); ok && len(rest) == 0 {
		return commandHelp(ctx, cmd, stdout)
	}
	if members := group(topic[0]); len(topic) == 1 && len(members) > 0 {
		printCommands(stdout, topic[0], members)
		return 0
	}
	return usageError(stderr, topic)
}

// commandHelp prints one command's synopsis, summary and flags on stdout.
// Only the help flag reaches the command, so nothing else on its line can
// fail first, and its flag set prints to stdout.
func commandHelp(ctx context.Context, cmd command, stdout io.Writer) int {
	return exitCode(cmd, cmd.run(ctx, []string{"-h"}, stdout, stdout), stdout)
}

// usageError explains a command line that names no command, on stderr:
// the group's subcommands when it names a group, or every command.
func usageError(stderr io.Writer, args []string) int {
	if len(args) == 0 {
		printCommands(stderr, "", commands())
		return 2
	}
	members := group(args[0])
	switch {
	case len(members) > 0 && len(args) == 1:
		fmt.Fprintf(stderr, "rightsdesk %s: name a subcommand\n\n", args[0])
		printCommands(stderr, args[0], members)
	case len(members) > 0:
		fmt.Fprintf(stderr, "rightsdesk %s: unknown subcommand %q\n\n", args[0], args[1])
		printCommands(stderr, args[0], members)
	default:
		fmt.Fprintf(stderr, "rightsdesk: unknown command %q\n\n", args[0])
		printCommands(stderr, "", commands())
	}
	return 2
}

// group returns the commands whose name starts with the word name and a
// space: the subcommands of the group name.
func group(name string) []command {
	var members []command
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name+" ") {
			members = append(members, c)
		}
	}
	return members
}

// printCommands lists cmds with their summaries; prefix is the group they
// belong to, or "" for the whole command list.
func printCommands(w io.Writer, prefix string, cmds []command) {
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	if prefix == "" {
		fmt.Fprintln(w, "Usage: rightsdesk COMMAND [flags]\n\nCommands:")
	} else {
		fmt.Fprintf(w, "Usage: rightsdesk %s SUBCOMMAND [flags]\n\nSubcommands:\n", prefix)
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	if prefix != "" {
		fmt.Fprintf(w, "\nRun 'rightsdesk %s SUBCOMMAND --help' for its flags.\n", prefix)
		return
	}
	fmt.Fprintln(w, "\nThe tokens, users, notices, audit and backup commands work on a running server with --server HOST:PORT --token TOKEN,")
	fmt.Fprintln(w, "or on the database file with --data DIR while the server is stopped.")
	fmt.Fprintln(w, "\nEvery flag can also be set as RIGHTSDESK_<FLAG> (e.g. RIGHTSDESK_SERVER, RIGHTSDESK_TOKEN).")
	fmt.Fprintln(w, "Run 'rightsdesk COMMAND --help' for its flags, 'rightsdesk --version' for the version.")
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

// newFlags returns a flag set whose errors go to stderr and come back as
// errUsage.
// Its usage (help, or after an error) is the command's synopsis, summary and
// flags, from the command table.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("rightsdesk "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cmd, _, _ := lookup(strings.Fields(name))
	fs.Usage = func() {
		synopsis := "rightsdesk " + name + " [flags]"
		if cmd.operands != "" {
			synopsis += " " + cmd.operands
		}
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", synopsis, cmd.summary)
		printFlags(fs)
	}
	return fs
}

// printFlags is flag.PrintDefaults with the flags spelled --name, as the
// rest of the help and the README write them.
func printFlags(fs *flag.FlagSet) {
	var defaults strings.Builder
	out := fs.Output()
	fs.SetOutput(&defaults)
	fs.PrintDefaults()
	fs.SetOutput(out)
	for line := range strings.Lines(defaults.String()) {
		if strings.HasPrefix(line, "  -") {
			line = "  --" + line[len("  -"):]
		}
		fmt.Fprint(out, line)
	}
}

// parseFlags applies RIGHTSDESK_* environment variables as defaults, then
// the command line, which wins.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if wantsHelp(args) {
		// Help describes the defaults, whatever the environment holds.
		fs.Usage()
		return flag.ErrHelp
	}
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

// printJSONLines writes items as JSON, one per line: the --json shape of
// the list commands, which a script reads line by line.
func printJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	for _, item := range items {
		if err := enc.Encode(item); err != nil {
			return err
		}
	}
	return nil
}
