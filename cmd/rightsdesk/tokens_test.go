package main

import (
	"encoding/json"
	"flag"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

var tokenShape = regexp.MustCompile(`^rd_[a-z2-7]{52}$`)

// createToken runs `tokens create` on the database in dir and returns the
// token it printed.
func createToken(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return newToken(t, append([]string{"--data", dir}, args...)...)
}

// newToken runs `tokens create` with args, locally or through a server,
// and returns the token it printed: alone on stdout, with one line on
// stderr saying it cannot be shown again.
func newToken(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"tokens", "create"}, args...)...)
	if code != 0 {
		t.Fatalf("tokens create %v: exit %d: %s", args, code, stderr)
	}
	token := strings.TrimSuffix(stdout, "\n")
	if !tokenShape.MatchString(token) {
		t.Fatalf("stdout %q: want exactly one token line", stdout)
	}
	if !strings.Contains(stderr, "cannot be shown again") || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, token) {
		t.Fatalf("stderr %q: want one line saying the token cannot be shown again, without the token", stderr)
	}
	return token
}

func TestTokensCreateListRevoke(t *testing.T) {
	dir := t.TempDir()
	admin := createToken(t, dir, "--role", "admin", "--name", "ada")
	viewer := createToken(t, dir, "--name", "vera", "--role", "viewer", "--expires", "720h")
	if admin == viewer {
		t.Fatal("two tokens are the same")
	}

	// The database holds the hash, never the token, with the right record.
	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var rec *auth.Token
	err = st.View(t.Context(), func(tx store.ReadTx) (err error) {
		rec, err = store.TokenByHash(tx, auth.HashToken(viewer))
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Name != "vera" || rec.Role != auth.RoleViewer || rec.ExpiresAt == nil || rec.ID != auth.TokenID(auth.HashToken(viewer)) {
		t.Fatalf("stored record = %+v", rec)
	}
	if life := rec.ExpiresAt.Sub(rec.CreatedAt); life != 720*time.Hour {
		t.Errorf("--expires 720h stored a lifetime of %s", life)
	}

	code, stdout, stderr := runCLI(t, "tokens", "list", "--data", dir)
	if code != 0 {
		t.Fatalf("tokens list: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("tokens list: want a header and two rows:\n%s", stdout)
	}
	for _, col := range []string{"NAME", "ROLE", "CREATED", "EXPIRES", "REVOKED"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("tokens list header lacks %s: %q", col, lines[0])
		}
	}
	rows := map[string]string{}
	for _, line := range lines[1:] {
		rows[strings.Fields(line)[1]] = line
	}
	if !strings.Contains(rows["ada"], " admin ") || !strings.Contains(rows["ada"], "never") ||
		!strings.Contains(rows["vera"], " viewer ") || !strings.HasPrefix(rows["vera"], rec.ID) || !strings.Contains(rows["vera"], rec.ExpiresAt.Format(time.RFC3339)) {
		t.Errorf("tokens list rows lack id, role or expiry:\n%s", stdout)
	}
	if strings.Contains(stdout, admin) || strings.Contains(stdout, viewer) || strings.Contains(stdout, "rd_") {
		t.Fatalf("tokens list printed a token:\n%s", stdout)
	}

	// Revoke by id, with the id before or after the flags.
	code, stdout, stderr = runCLI(t, "tokens", "revoke", "--data", dir, rec.ID)
	if code != 0 || !strings.Contains(stdout, rec.ID) {
		t.Fatalf("tokens revoke: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "tokens", "revoke", rec.ID, "--data", dir); code != 0 {
		t.Fatalf("revoking again, id first: exit %d: %s", code, stderr)
	}
	code, stdout, _ = runCLI(t, "tokens", "list", "--data", dir, "--json")
	if code != 0 {
		t.Fatalf("tokens list --json: exit %d", code)
	}
	revoked := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var tok auth.Token
		if err := json.Unmarshal([]byte(line), &tok); err != nil {
			t.Fatalf("tokens list --json line %q: %v", line, err)
		}
		revoked[tok.Name] = tok.Revoked
	}
	if len(revoked) != 2 || !revoked["vera"] || revoked["ada"] {
		t.Fatalf("after revoking vera's token: %v", revoked)
	}

	if code, _, stderr := runCLI(t, "tokens", "revoke", "--data", dir, "000000000000"); code != 1 || !strings.Contains(stderr, "no token has the id") {
		t.Errorf("revoking an unknown id: exit %d, stderr %q", code, stderr)
	}
}

func TestTokensCreateRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--role", "admin"}, 2, "usage"},
		{[]string{"--name", "ada"}, 2, "usage"},
		{[]string{"--role", "root", "--name", "ada"}, 1, "viewer, caseworker or admin"},
		{[]string{"--role", "public", "--name", "ada"}, 1, "--role"},
		{[]string{"--role", "admin", "--name", "two words"}, 1, "--name"},
		{[]string{"--role", "admin", "--name", "ada", "--expires", "-1h"}, 1, "--expires"},
		{[]string{"--role", "admin", "--name", "ada", "--expires", "30d"}, 2, "invalid value"},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"tokens", "create", "--data", dir}, tt.args...)...)
		if code != tt.code || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("tokens create %v: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", tt.args, code, stdout, stderr, tt.code, tt.want)
		}
	}
	// Refused before the database was opened: none was even created.
	if code, stdout, stderr := runCLI(t, "tokens", "list", "--data", dir); code != 1 || stdout != "" || !strings.Contains(stderr, "no database at") {
		t.Errorf("after refused creates: exit %d, stdout %q, stderr %q; want no database", code, stdout, stderr)
	}
	if code, _, _ := runCLI(t, "tokens", "revoke", "--data", dir); code != 2 {
		t.Errorf("tokens revoke without an id: exit %d, want 2", code)
	}
}

func TestTokensEnvironmentSetsData(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("RIGHTSDESK_DATA", dir)
	createToken(t, dir, "--role", "caseworker", "--name", "carl")
	code, stdout, _ := runCLI(t, "tokens", "list")
	if code != 0 || !strings.Contains(stdout, "carl") {
		t.Fatalf("tokens list with RIGHTSDESK_DATA: exit %d\n%s", code, stdout)
	}
}

func TestTokensWhileTheDatabaseIsLocked(t *testing.T) {
	dir := t.TempDir()
	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, args := range [][]string{
		{"tokens", "create", "--data", dir, "--role", "admin", "--name", "ada"},
		{"tokens", "list", "--data", dir},
		{"tokens", "revoke", "--data", dir, "0123456789ab"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "in use by another process") {
			t.Errorf("%v while the database is open elsewhere: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestSplitPositional(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.String("data", "", "")
	fs.Bool("json", false, "")
	for _, tt := range []struct {
		args             []string
		flags, positions string
	}{
		{[]string{"--data", "d", "ID"}, "--data d", "ID"},
		{[]string{"ID", "--data", "d"}, "--data d", "ID"},
		{[]string{"--data=d", "ID", "--json"}, "--data=d --json", "ID"},
		{[]string{"--json", "ID"}, "--json", "ID"},
		{[]string{"--", "-odd-id"}, "", "-odd-id"},
		{[]string{"--unknown", "ID"}, "--unknown", "ID"},
	} {
		flags, pos := splitPositional(fs, tt.args)
		if strings.Join(flags, " ") != tt.flags || strings.Join(pos, " ") != tt.positions {
			t.Errorf("splitPositional(%q) = %q, %q; want %q, %q", tt.args, flags, pos, tt.flags, tt.positions)
		}
	}
}
