package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/users"
)

// withStdin feeds the password prompt for one command.
func withStdin(t *testing.T, input string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(input)
	t.Cleanup(func() { stdin = old })
}

func TestUsersCreateListDisable(t *testing.T) {
	dir := t.TempDir()
	withStdin(t, "lighthouse keeper biscuit\n")
	code, stdout, stderr := runCLI(t, "users", "create", "--data", dir, "--role", "caseworker", "--name", "Ada Lovelace", "--email", "ada@example.org")
	created := regexp.MustCompile(`^Created caseworker account ([0-9a-f]{12}) for ada@example.org \(Ada Lovelace\)\.\n$`).FindStringSubmatch(stdout)
	if code != 0 || created == nil {
		t.Fatalf("users create: exit %d\n%s%s", code, stdout, stderr)
	}
	id := created[1]

	withStdin(t, "another long password\r\n")
	if code, _, stderr := runCLI(t, "users", "create", "--data", dir, "--role", "viewer", "--name", "Vera", "--email", "vera@example.org"); code != 0 {
		t.Fatalf("a password ending in CRLF: exit %d: %s", code, stderr)
	}

	code, stdout, _ = runCLI(t, "users", "list", "--data", dir)
	if code != 0 || !strings.Contains(stdout, id) || !strings.Contains(stdout, "vera@example.org") || strings.Contains(stdout, "argon2") || strings.Count(stdout, "active") != 2 {
		t.Fatalf("users list: exit %d\n%s", code, stdout)
	}

	if code, stdout, stderr := runCLI(t, "users", "disable", "ada@example.org", "--data", dir); code != 0 || !strings.Contains(stdout, id) {
		t.Fatalf("users disable: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "users", "list", "--data", dir, "--json")
	var first users.User
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &first); code != 0 || err != nil || first.ID != id || !first.Disabled {
		t.Fatalf("users list --json: exit %d, %v\n%s", code, err, stdout)
	}
	if strings.Contains(stdout, "password") {
		t.Fatalf("users list --json shows password data:\n%s", stdout)
	}

	withStdin(t, "short\n")
	if code, _, stderr := runCLI(t, "users", "reset-password", "ada@example.org", "--data", dir); code != 2 || !strings.Contains(stderr, "at least 12 characters") {
		t.Fatalf("users reset-password with a short password: exit %d: %s", code, stderr)
	}
	withStdin(t, "harbour lantern porridge\n")
	if code, _, stderr := runCLI(t, "users", "reset-password", "nobody@example.org", "--data", dir); code != 1 || !strings.Contains(stderr, "no account") {
		t.Fatalf("users reset-password for nobody: exit %d: %s", code, stderr)
	}
	withStdin(t, "harbour lantern porridge\n")
	if code, stdout, stderr := runCLI(t, "users", "reset-password", id, "--data", dir); code != 0 || !strings.Contains(stdout, "active and unlocked") {
		t.Fatalf("users reset-password: exit %d\n%s%s", code, stdout, stderr)
	}

	// The password works, through the same directory the web sign-in uses.
	d, closeStore, err := openDirectory(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if u, err := d.SignIn(t.Context(), "vera@example.org", "another long password"); err != nil || u.Email != "vera@example.org" {
		t.Fatalf("signing in with the password given on stdin: %+v, %v", u, err)
	}
	if u, err := d.SignIn(t.Context(), "ada@example.org", "harbour lantern porridge"); err != nil || u.Disabled {
		t.Fatalf("signing in after reset-password re-enabled the account: %+v, %v", u, err)
	}
}

func TestUsersCreateRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, input string
		args        []string
		code        int
		want        string
	}{
		{"no email", "long enough password\n", []string{"--role", "admin", "--name", "A"}, 2, "usage:"},
		{"unknown role", "long enough password\n", []string{"--role", "root", "--name", "A", "--email", "a@example.org"}, 1, "viewer, caseworker or admin"},
		{"no password", "", []string{"--role", "admin", "--name", "A", "--email", "a@example.org"}, 1, "no password"},
		{"short password", "short\n", []string{"--role", "admin", "--name", "A", "--email", "a@example.org"}, 2, "password (from standard input): must be at least 12"},
		{"bad email", "long enough password\n", []string{"--role", "admin", "--name", "A", "--email", "a at example"}, 2, "--email:"},
		{"no such flag as --password", "", []string{"--password", "x", "--role", "admin", "--name", "A", "--email", "a@example.org"}, 2, "not defined"},
	} {
		withStdin(t, tt.input)
		code, _, stderr := runCLI(t, append([]string{"users", "create", "--data", dir}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", tt.name, code, stderr, tt.code, tt.want)
		}
	}
	if code, _, stderr := runCLI(t, "users", "disable", "--data", dir, "nobody@example.org"); code != 1 || !strings.Contains(stderr, "no account") {
		t.Errorf("disabling an unknown account: exit %d, %q", code, stderr)
	}
}
