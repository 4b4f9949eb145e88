package main

import (
	"regexp"
	"strings"
	"testing"
)

// createAccount makes an account with the CLI and returns its id.
func createAccount(t *testing.T, args ...string) string {
	t.Helper()
	withStdin(t, "lighthouse keeper biscuit\n")
	code, stdout, stderr := runCLI(t, append([]string{"users", "create"}, args...)...)
	m := regexp.MustCompile(`account ([0-9a-f]{12}) for`).FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("users create %v: exit %d\n%s%s", args, code, stdout, stderr)
	}
	return m[1]
}

func TestUsersUpdateAndUnlock(t *testing.T) {
	dir := t.TempDir()
	admin := createAccount(t, "--data", dir, "--role", "admin", "--name", "Ada Admin", "--email", "ada@example.org")
	cw := createAccount(t, "--data", dir, "--role", "caseworker", "--name", "Casey Worker", "--email", "casey@example.org")

	code, stdout, stderr := runCLI(t, "users", "update", "casey@example.org", "--role", "viewer", "--require-new-password", "--data", dir)
	if code != 0 || stdout != "Account "+cw+" (casey@example.org) is viewer; a new password is required at the next sign-in.\n" {
		t.Fatalf("users update: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, list, _ := runCLI(t, "users", "list", "--data", dir); !regexp.MustCompile(cw + `.*viewer.*active, new password required`).MatchString(list) {
		t.Errorf("users list does not show the change:\n%s", list)
	}
	if code, stdout, _ := runCLI(t, "users", "update", cw, "--withdraw-new-password", "--data", dir); code != 0 || strings.Contains(stdout, "required") {
		t.Errorf("withdrawing the request: exit %d, %q", code, stdout)
	}
	// The last administrator keeps the role, whoever asks.
	code, _, stderr = runCLI(t, "users", "update", admin, "--role", "caseworker", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "only active administrator") {
		t.Errorf("demoting the last administrator: exit %d, %q", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "users", "unlock", "casey@example.org", "--data", dir); code != 0 || !strings.Contains(stdout, "is unlocked; its password is unchanged") {
		t.Errorf("users unlock: exit %d, %q", code, stdout)
	}
	for _, bad := range [][]string{
		{"users", "update", cw, "--data", dir},
		{"users", "update", "--role", "viewer", "--data", dir},
		{"users", "update", cw, "--require-new-password", "--withdraw-new-password", "--data", dir},
	} {
		if code, _, stderr := runCLI(t, bad...); code != 2 || !strings.Contains(stderr, "usage: rightsdesk users update") {
			t.Errorf("%v: exit %d, %q; want the usage", bad, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "users", "update", cw, "--role", "overlord", "--data", dir); code == 0 || !strings.Contains(stderr, "--role") {
		t.Errorf("an unknown role: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "users", "unlock", "nobody@example.org", "--data", dir); code != 1 || !strings.Contains(stderr, "no account") {
		t.Errorf("unlocking an unknown account: exit %d, %q", code, stderr)
	}
}

func TestUsersUpdateThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	addr, admin, stop := serveWithCases(t, dir, 0)
	defer stop()
	withStdin(t, "lighthouse keeper biscuit\n")
	code, stdout, stderr := runCLI(t, at(addr, admin, "users", "create", "--role", "caseworker", "--name", "Casey Worker", "--email", "casey@example.org")...)
	if code != 0 {
		t.Fatalf("users create --server: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, at(addr, admin, "users", "update", "casey@example.org", "--role", "admin", "--require-new-password")...)
	if code != 0 || !strings.Contains(stdout, "is admin; a new password is required") || !strings.Contains(stderr, "casey@example.org is account") {
		t.Fatalf("users update --server: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(t, at(addr, admin, "users", "unlock", "casey@example.org")...); code != 0 || !strings.Contains(stdout, "is unlocked") {
		t.Errorf("users unlock --server: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, at(addr, admin, "users", "update", "casey@example.org", "--role", "public")...); code == 0 {
		t.Errorf("users update --server to a role no account holds: exit %d, %q", code, stderr)
	}
}
