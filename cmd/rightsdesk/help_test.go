package main

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/buildinfo"
)

// The tests here range over the command table, so a command added to it
// gets its help and usage errors checked without a line of its own.

func TestEveryCommandPrintsItsHelpOnStdout(t *testing.T) {
	for _, c := range commands() {
		name := strings.Fields(c.name)
		for _, args := range [][]string{
			append(name, "--help"),
			append(name, "-h"),
			append(name, "-help"),
			append([]string{"help"}, name...),
		} {
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 || stderr != "" {
				t.Errorf("rightsdesk %s: exit %d, stderr %q; want exit 0 and nothing on stderr", strings.Join(args, " "), code, stderr)
			}
			if !strings.HasPrefix(stdout, "Usage: rightsdesk "+c.name+" [flags]") || !strings.Contains(stdout, c.summary) || !strings.Contains(stdout, "Flags:") {
				t.Errorf("rightsdesk %s: stdout does not give the synopsis, summary and flags:\n%s", strings.Join(args, " "), stdout)
			}
		}
	}
}

func TestHelpAfterOtherFlagsStillHelps(t *testing.T) {
	code, stdout, stderr := runCLI(t, "deadline", "--received", "2026-03-02", "--no-such-flag", "--help")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "--received") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}

func TestHelpNamesFlagsWithTwoDashes(t *testing.T) {
	_, stdout, _ := runCLI(t, "notices", "import", "--help")
	for _, flag := range []string{"  --id string", "  --dry-run", "  --server string", "  --data string"} {
		if !strings.Contains(stdout, flag+"\n") {
			t.Errorf("help lacks %q:\n%s", flag, stdout)
		}
	}
	if !strings.HasPrefix(stdout, "Usage: rightsdesk notices import [flags] FILE\n") {
		t.Errorf("synopsis does not name the FILE operand:\n%s", stdout)
	}
}

func TestHelpIgnoresTheEnvironment(t *testing.T) {
	t.Setenv("RIGHTSDESK_TARGET_DAYS", "not a number")
	if code, stdout, stderr := runCLI(t, "deadline", "--help"); code != 0 || stderr != "" || !strings.Contains(stdout, "--target-days") {
		t.Fatalf("with a bad RIGHTSDESK_TARGET_DAYS: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "deadline", "--received", "2026-03-02"); code == 0 || !strings.Contains(stderr, "RIGHTSDESK_TARGET_DAYS") {
		t.Fatalf("a real run with a bad RIGHTSDESK_TARGET_DAYS: exit %d, stderr %q; want the variable named", code, stderr)
	}
}

// groups returns each group's subcommands, from the command table.
func groups() map[string][]command {
	out := map[string][]command{}
	for _, c := range commands() {
		if first, _, ok := strings.Cut(c.name, " "); ok {
			out[first] = append(out[first], c)
		}
	}
	return out
}

func TestEveryGroupListsItsSubcommandsOnStdout(t *testing.T) {
	if len(groups()) == 0 {
		t.Fatal("no groups found in the command table")
	}
	for name, members := range groups() {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {name, "help"}, {"help", name}} {
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 || stderr != "" {
				t.Errorf("rightsdesk %s: exit %d, stderr %q; want exit 0 and nothing on stderr", strings.Join(args, " "), code, stderr)
			}
			for _, c := range members {
				if !strings.Contains(stdout, c.name+"  ") || !strings.Contains(stdout, c.summary) {
					t.Errorf("rightsdesk %s: lacks %q and its summary:\n%s", strings.Join(args, " "), c.name, stdout)
				}
			}
		}
	}
}

func TestTopLevelHelpListsEveryCommandOnStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || stderr != "" {
			t.Errorf("rightsdesk %s: exit %d, stderr %q", args[0], code, stderr)
		}
		for _, c := range commands() {
			if !strings.Contains(stdout, c.name+"  ") || !strings.Contains(stdout, c.summary) {
				t.Errorf("rightsdesk %s lacks %q", args[0], c.name)
			}
		}
	}
}

func TestUsageErrorsGoToStderrWithStatus2(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"help", "frobnicate"},
		{"--no-such-flag"},
	}
	for name := range groups() {
		cases = append(cases, []string{name}, []string{name, "frobnicate"})
	}
	for _, c := range commands() {
		cases = append(cases, append(strings.Fields(c.name), "--no-such-flag"))
	}
	for _, args := range cases {
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: rightsdesk") {
			t.Errorf("rightsdesk %s: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr only",
				strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

func TestAGroupWithoutASubcommandListsItsSubcommands(t *testing.T) {
	code, _, stderr := runCLI(t, "users")
	if code != 2 || !strings.Contains(stderr, "name a subcommand") || !strings.Contains(stderr, "users reset-password") || strings.Contains(stderr, "tokens create") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "users", "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown subcommand "frobnicate"`) || !strings.Contains(stderr, "users list") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestVersionFlagAndCommandAgree(t *testing.T) {
	want := "rightsdesk " + buildinfo.String() + "\n"
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("rightsdesk %s: exit %d, stdout %q, stderr %q; want %q", args[0], code, stdout, stderr, want)
		}
	}
}
