package main

import (
	"context"
	"crypto/rand"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/users/userstest"
)

// enrolSecondFactor sets up two-step verification for the account in dir,
// with the server stopped, as its owner would on the web page.
func enrolSecondFactor(t *testing.T, dir, id string) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := accounts.New(st, clock.System{}, rand.Reader, accounts.Options{})
	e, err := d.BeginSecondFactor(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.SetUpSecondFactor(ctx, id, userstest.AppCode(t, e.Secret, time.Now())); err != nil {
		t.Fatal(err)
	}
}

// The only administrator who lost both device and recovery codes gets back
// in from the server's machine.
func TestUsersResetSecondFactor(t *testing.T) {
	dir := t.TempDir()
	admin := createAccount(t, "--data", dir, "--role", "admin", "--name", "Ada Admin", "--email", "ada@example.org")
	enrolSecondFactor(t, dir, admin)
	if _, list, _ := runCLI(t, "users", "list", "--data", dir); !regexp.MustCompile(admin + `.*active, two-step verification`).MatchString(list) {
		t.Fatalf("users list does not show two-step verification:\n%s", list)
	}
	code, stdout, stderr := runCLI(t, "users", "reset-second-factor", "ada@example.org", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "has no two-step verification now and is signed out everywhere") {
		t.Fatalf("users reset-second-factor: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, list, _ := runCLI(t, "users", "list", "--data", dir); strings.Contains(list, "two-step") {
		t.Errorf("users list still shows two-step verification after the reset:\n%s", list)
	}
	if code, _, stderr := runCLI(t, "users", "reset-second-factor", "nobody@example.org", "--data", dir); code != 1 || !strings.Contains(stderr, "no account") {
		t.Errorf("an unknown account: exit %d, %q", code, stderr)
	}
}

func TestUsersResetSecondFactorThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	cw := createAccount(t, "--data", dir, "--role", "caseworker", "--name", "Casey Worker", "--email", "casey@example.org")
	enrolSecondFactor(t, dir, cw)
	addr, admin, stop := serveWithCases(t, dir, 0)
	defer stop()
	if _, list, _ := runCLI(t, at(addr, admin, "users", "list")...); !regexp.MustCompile(cw + `.*two-step verification`).MatchString(list) {
		t.Fatalf("users list --server does not show two-step verification:\n%s", list)
	}
	code, stdout, stderr := runCLI(t, at(addr, admin, "users", "reset-second-factor", "casey@example.org")...)
	if code != 0 || !strings.Contains(stdout, "has no two-step verification now") {
		t.Fatalf("users reset-second-factor --server: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, list, _ := runCLI(t, at(addr, admin, "users", "list")...); strings.Contains(list, "two-step") {
		t.Errorf("users list --server still shows two-step verification after the reset:\n%s", list)
	}
}
