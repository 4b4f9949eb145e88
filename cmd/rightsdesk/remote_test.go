package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// at is the flags that send a command to the server at addr with token.
func at(addr, token string, args ...string) []string {
	return append(args, "--server", addr, "--token", token)
}

// listCases calls CaseService/ListCases with token and returns its code.
func listCases(t *testing.T, addr, token string) codes.Code {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)
	_, err = rdv1.NewCaseServiceClient(conn).ListCases(ctx, &rdv1.ListCasesRequest{})
	return status.Code(err)
}

// oneClearLine fails unless out is a single line with nothing of gRPC's
// raw form or a Go stack in it.
func oneClearLine(t *testing.T, what, out string) {
	t.Helper()
	if strings.Count(out, "\n") != 1 {
		t.Errorf("%s: want one line, got %q", what, out)
	}
	for _, raw := range []string{"rpc error", "desc =", "goroutine", "panic", "code ="} {
		if strings.Contains(out, raw) {
			t.Errorf("%s: %q shows %q", what, out, raw)
		}
	}
}

var tokenID = regexp.MustCompile(`token ([0-9a-f]{12}) for`)

func TestTokensThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	addr, admin, stop := serveWithCases(t, dir, 0)

	var created string
	var stderr string
	token := func() string {
		t.Helper()
		code, stdout, errOut := runCLI(t, at(addr, admin, "tokens", "create", "--role", "caseworker", "--name", "x")...)
		if code != 0 {
			t.Fatalf("tokens create --server: exit %d: %s", code, errOut)
		}
		stderr = errOut
		return strings.TrimSuffix(stdout, "\n")
	}()
	if !tokenShape.MatchString(token) || !strings.Contains(stderr, "cannot be shown again") || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, token) {
		t.Fatalf("tokens create --server: stdout %q, stderr %q; want the token alone on stdout and the explanation on stderr", token, stderr)
	}
	if m := tokenID.FindStringSubmatch(stderr); m != nil {
		created = m[1]
	} else {
		t.Fatalf("tokens create --server: stderr %q names no token id", stderr)
	}
	if code := listCases(t, addr, token); code != codes.OK {
		t.Fatalf("ListCases with the new token: %v, want OK at once", code)
	}

	code, stdout, stderr := runCLI(t, at(addr, admin, "tokens", "list")...)
	if code != 0 || !regexp.MustCompile(`(?m)^`+created+`\s+x\s+caseworker\s.*\sno$`).MatchString(stdout) {
		t.Fatalf("tokens list --server: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "rd_") {
		t.Fatalf("tokens list --server printed a token:\n%s", stdout)
	}

	code, stdout, stderr = runCLI(t, at(addr, admin, "tokens", "revoke", created)...)
	if code != 0 || stdout != "Revoked token "+created+": it is refused from now on.\n" {
		t.Fatalf("tokens revoke --server: exit %d\n%s%s", code, stdout, stderr)
	}
	if code := listCases(t, addr, token); code != codes.Unauthenticated {
		t.Fatalf("ListCases with the revoked token: %v, want UNAUTHENTICATED at once", code)
	}
	code, remote, stderr := runCLI(t, at(addr, admin, "tokens", "list")...)
	if code != 0 || !regexp.MustCompile(`(?m)^`+created+`\s+x\s+caseworker\s.*\syes$`).MatchString(remote) {
		t.Fatalf("tokens list --server after revoking: exit %d\n%s%s", code, remote, stderr)
	}
	_, remoteJSON, _ := runCLI(t, at(addr, admin, "tokens", "list", "--json")...)

	// The same rows from the database file, once the server has stopped.
	stop()
	if code, local, _ := runCLI(t, "tokens", "list", "--data", dir); code != 0 || local != remote {
		t.Errorf("tokens list --data:\n%s\ndiffers from tokens list --server:\n%s", local, remote)
	}
	if _, localJSON, _ := runCLI(t, "tokens", "list", "--json", "--data", dir); localJSON != remoteJSON {
		t.Errorf("tokens list --json --data:\n%s\ndiffers from --server:\n%s", localJSON, remoteJSON)
	}
}

func TestUsersThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	addr, admin, stop := serveWithCases(t, dir, 0)

	withStdin(t, "lighthouse keeper biscuit\n")
	code, stdout, stderr := runCLI(t, at(addr, admin, "users", "create", "--role", "caseworker", "--name", "Ada Lovelace", "--email", "ada@example.org")...)
	created := regexp.MustCompile(`^Created caseworker account ([0-9a-f]{12}) for ada@example.org \(Ada Lovelace\)\.\n$`).FindStringSubmatch(stdout)
	if code != 0 || created == nil {
		t.Fatalf("users create --server: exit %d\n%s%s", code, stdout, stderr)
	}
	ada := created[1]
	withStdin(t, "another long password\n")
	code, stdout, stderr = runCLI(t, at(addr, admin, "users", "create", "--role", "viewer", "--name", "Vera", "--email", "vera@example.org")...)
	created = regexp.MustCompile(`account ([0-9a-f]{12}) for`).FindStringSubmatch(stdout)
	if code != 0 || created == nil {
		t.Fatalf("users create --server: exit %d\n%s%s", code, stdout, stderr)
	}
	vera := created[1]

	code, stdout, _ = runCLI(t, at(addr, admin, "users", "list")...)
	if code != 0 || !strings.Contains(stdout, ada) || !strings.Contains(stdout, "vera@example.org") || strings.Count(stdout, "active") != 2 {
		t.Fatalf("users list --server: exit %d\n%s", code, stdout)
	}
	_, asJSON, _ := runCLI(t, at(addr, admin, "users", "list", "--json")...)
	for _, secret := range []string{"argon2", "password", "hash", "lighthouse", "another long"} {
		if strings.Contains(stdout+asJSON, secret) {
			t.Fatalf("users list --server shows %q:\n%s%s", secret, stdout, asJSON)
		}
	}

	// By id, then by email, which is looked up and said.
	code, stdout, stderr = runCLI(t, at(addr, admin, "users", "disable", ada)...)
	if code != 0 || !strings.HasPrefix(stdout, "Disabled account "+ada+" (ada@example.org)") {
		t.Fatalf("users disable --server ID: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, at(addr, admin, "users", "disable", "vera@example.org")...)
	if code != 0 || !strings.HasPrefix(stdout, "Disabled account "+vera) || stderr != "vera@example.org is account "+vera+".\n" {
		t.Fatalf("users disable --server EMAIL: exit %d\n%s%s", code, stdout, stderr)
	}
	_, stdout, _ = runCLI(t, at(addr, admin, "users", "list", "--json")...)
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var u users.User
		if err := json.Unmarshal([]byte(line), &u); err != nil || !u.Disabled {
			t.Fatalf("after disabling both, users list --json --server: %v\n%s", err, stdout)
		}
	}

	withStdin(t, "harbour lantern porridge\n")
	code, stdout, stderr = runCLI(t, at(addr, admin, "users", "reset-password", "ada@example.org")...)
	if code != 0 || stdout != "New password set for "+ada+" (ada@example.org); the account is active and unlocked.\n" {
		t.Fatalf("users reset-password --server: exit %d\n%s%s", code, stdout, stderr)
	}
	code, remote, _ := runCLI(t, at(addr, admin, "users", "list")...)
	if code != 0 || !regexp.MustCompile(`(?m)^`+ada+`\s.*\sactive$`).MatchString(remote) || !regexp.MustCompile(`(?m)^`+vera+`\s.*\sdisabled$`).MatchString(remote) {
		t.Fatalf("users list --server after reset-password: exit %d\n%s", code, remote)
	}

	// Bad arguments, named as the command's flags, one line each.
	withStdin(t, "short\n")
	code, _, stderr = runCLI(t, at(addr, admin, "users", "create", "--role", "admin", "--name", "Bad\x07Name", "--email", "bad@example.org")...)
	if code != 2 || strings.Count(stderr, "\n") != 2 || !regexp.MustCompile(`(?m)^--name: `).MatchString(stderr) ||
		!strings.Contains(stderr, "password (from standard input): ") || strings.Contains(stderr, "display_name") {
		t.Errorf("users create --server with a bad name and password: exit %d, stderr %q; want a line for each, naming --name", code, stderr)
	}
	withStdin(t, "lighthouse keeper biscuit\n")
	code, _, stderr = runCLI(t, at(addr, admin, "users", "create", "--role", "admin", "--name", "Bad", "--email", "bad at example")...)
	if code != 2 || !strings.HasPrefix(stderr, "--email: ") {
		t.Errorf("users create --server with a bad email: exit %d, stderr %q", code, stderr)
	}
	oneClearLine(t, "users create --server with a bad email", stderr)
	withStdin(t, "harbour lantern porridge\n")
	code, _, stderr = runCLI(t, at(addr, admin, "users", "reset-password", "nobody@example.org")...)
	if code != 1 || !strings.Contains(stderr, `no account has the id or email "nobody@example.org"`) {
		t.Errorf("users reset-password --server for nobody: exit %d, stderr %q", code, stderr)
	}
	oneClearLine(t, "users reset-password --server for nobody", stderr)
	code, _, stderr = runCLI(t, at(addr, admin, "users", "disable", "0123456789ab")...)
	if code != 1 || !strings.Contains(stderr, "no account has the id or email") {
		t.Errorf("users disable --server for an unknown id: exit %d, stderr %q", code, stderr)
	}

	// The same rows from the database file, and the new password works.
	stop()
	if code, local, _ := runCLI(t, "users", "list", "--data", dir); code != 0 || local != remote {
		t.Errorf("users list --data:\n%s\ndiffers from users list --server:\n%s", local, remote)
	}
	d, closeStore, err := openDirectory(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if u, err := d.SignIn(t.Context(), "ada@example.org", "harbour lantern porridge"); err != nil || u.Disabled {
		t.Fatalf("signing in with the password reset through the server: %+v, %v", u, err)
	}
}

// Tokens, accounts, the audit chain and backups are the admin's: a viewer's
// or a caseworker's token is refused with one line saying so.
func TestAdminCommandsRefuseLesserRoles(t *testing.T) {
	dir := t.TempDir()
	addr, admin, _ := serveWithCases(t, dir, 0)
	out := t.TempDir()
	for _, role := range []string{"viewer", "caseworker"} {
		token := newToken(t, at(addr, admin, "--role", role, "--name", role)...)
		for _, args := range [][]string{
			{"tokens", "create", "--role", "admin", "--name", "escalate"},
			{"tokens", "list"},
			{"tokens", "revoke", "0123456789ab"},
			{"users", "create", "--role", "admin", "--name", "Mallory", "--email", "mallory@example.org"},
			{"users", "list"},
			{"users", "disable", "0123456789ab"},
			{"users", "reset-password", "0123456789ab"},
			{"audit", "verify"},
			{"backup", "--out", out + "/" + role + ".db"},
			{"notices", "import", fixture("bullets.txt"), "--dry-run"},
		} {
			withStdin(t, "lighthouse keeper biscuit\n")
			code, stdout, stderr := runCLI(t, at(addr, token, args...)...)
			want := "needs the admin role, and the token has the " + role + " role"
			if code != 1 || stdout != "" || !strings.Contains(stderr, want) {
				t.Errorf("%v with a %s token: exit %d, stdout %q, stderr %q; want exit 1 and %q", args, role, code, stdout, stderr, want)
			}
			oneClearLine(t, strings.Join(args, " "), stderr)
		}
	}
	if code, stdout, stderr := runCLI(t, at(addr, admin, "tokens", "list")...); code != 0 || strings.Contains(stdout, "escalate") {
		t.Fatalf("a refused tokens create made a token: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestAuditVerifyThroughARunningServerMatchesTheFile(t *testing.T) {
	dir := t.TempDir()
	addr, admin, stop := serveWithCases(t, dir, 3)
	code, remote, stderr := runCLI(t, at(addr, admin, "audit", "verify")...)
	if code != 0 || !regexp.MustCompile(`^Audit chain intact: 5 events verified; head [0-9a-f]{64}\n$`).MatchString(remote) {
		t.Fatalf("audit verify --server: exit %d\n%s%s", code, remote, stderr)
	}
	if code, _, stderr := runCLI(t, at(addr, admin, "audit", "verify", "--proof", "bundle.zip")...); code != 2 || !strings.Contains(stderr, "--proof") {
		t.Errorf("audit verify --server --proof: exit %d, stderr %q; want a usage error", code, stderr)
	}
	stop()
	if code, local, _ := runCLI(t, "audit", "verify", "--data", dir); code != 0 || local != remote {
		t.Fatalf("audit verify --data after the server stopped:\n%s\nwant the same report as --server:\n%s", local, remote)
	}
}

func TestNoticesThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	addr, admin, stop := serveWithCases(t, dir, 0)
	viewer := newToken(t, at(addr, admin, "--role", "viewer", "--name", "vera")...)
	file := fixture("numbered-sections.txt")

	code, remote, stderr := runCLI(t, at(addr, admin, "notices", "import", file, "--dry-run")...)
	if code != 0 || !strings.Contains(remote, "Would be version 1, in force from 2022-03-03 (--dry-run: nothing stored).") ||
		!strings.Contains(remote, "Provenance:") || !strings.Contains(remote, "portability-missing") {
		t.Fatalf("notices import --server --dry-run: exit %d\n%s%s", code, remote, stderr)
	}
	// The draft prints as a local dry run prints it.
	if _, local, _ := runCLI(t, "notices", "import", file, "--dry-run", "--data", t.TempDir()); local != remote {
		t.Errorf("notices import --dry-run --data:\n%s\ndiffers from --server:\n%s", local, remote)
	}
	code, stdout, stderr := runCLI(t, at(addr, admin, "notices", "import", file, "--id", "learning", "--effective-from", "2024-01-01")...)
	if code != 0 || !strings.Contains(stdout, "Stored as version 1, in force from 2024-01-01.") {
		t.Fatalf("notices import --server: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, at(addr, viewer, "notices", "lint", "learning")...)
	if code != 0 || !strings.HasPrefix(stdout, "learning version 1 (") || !strings.Contains(stdout, "warning portability-missing") {
		t.Fatalf("notices lint --server ID: exit %d\n%s%s", code, stdout, stderr)
	}
	// Every notice: exit 1 only on a finding of error severity, as locally.
	remoteCode, remote, stderr := runCLI(t, at(addr, viewer, "notices", "lint")...)
	if (remoteCode != 0) != strings.Contains(remote, "  error ") || remoteCode > 1 ||
		strings.Count(remote, " version 1 (") != 6 || !strings.Contains(remote, "retention-ended") {
		t.Fatalf("notices lint --server: exit %d\n%s%s", remoteCode, remote, stderr)
	}
	_, remoteJSON, _ := runCLI(t, at(addr, viewer, "notices", "lint", "--json")...)
	code, _, stderr = runCLI(t, at(addr, viewer, "notices", "lint", "no-such-notice")...)
	if code != 1 || !strings.Contains(stderr, `notice "notices/no-such-notice" not found`) {
		t.Errorf("notices lint --server of an unknown notice: exit %d, stderr %q", code, stderr)
	}
	oneClearLine(t, "notices lint --server of an unknown notice", stderr)
	code, _, stderr = runCLI(t, "notices", "lint", "--server", addr)
	if code != 2 || !strings.Contains(stderr, "--token") {
		t.Errorf("notices lint --server without a token: exit %d, stderr %q", code, stderr)
	}

	stop()
	if code, local, _ := runCLI(t, "notices", "lint", "--data", dir); local != remote || code != remoteCode {
		t.Errorf("notices lint --data: exit %d\n%s\ndiffers from --server: exit %d\n%s", code, local, remoteCode, remote)
	}
	if _, localJSON, _ := runCLI(t, "notices", "lint", "--json", "--data", dir); localJSON != remoteJSON {
		t.Errorf("notices lint --json --data:\n%s\ndiffers from --server:\n%s", localJSON, remoteJSON)
	}
}

func TestRemoteCommandsExplainBadInput(t *testing.T) {
	addr, admin, _ := serveWithCases(t, t.TempDir(), 0)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()
	wrong := "rd_" + strings.Repeat("a", 52)
	web := httptest.NewServer(http.NotFoundHandler())
	defer web.Close()
	httpAddr := web.Listener.Addr().String()
	latin1 := filepath.Join(t.TempDir(), "latin1.txt")
	if err := os.WriteFile(latin1, []byte("Privacy notice\n\nWe keep your data for 2 years \xa9 Example\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown role", at(addr, admin, "tokens", "create", "--role", "root", "--name", "x"), 1, "--role: unknown role"},
		{"bad token name", at(addr, admin, "tokens", "create", "--role", "viewer", "--name", "two words"), 1, "--name: "},
		{"unknown token id", at(addr, admin, "tokens", "revoke", "000000000000"), 1, `no token has the id "000000000000"`},
		{"malformed token id", at(addr, admin, "tokens", "revoke", "xyz"), 1, `no token has the id "xyz"`},
		{"malformed notice id", at(addr, admin, "notices", "import", fixture("bullets.txt"), "--id", "Bad Id"), 2, "--id: "},
		{"not UTF-8", at(addr, admin, "notices", "import", latin1, "--dry-run"), 1, "not UTF-8 text"},
		{"HTTP port", at(httpAddr, admin, "tokens", "list"), 1, httpAddr + " answers HTTP, not gRPC"},
		{"wrong token", at(addr, wrong, "tokens", "list"), 1, "the server refused the token: "},
		{"wrong token, audit", at(addr, wrong, "audit", "verify"), 1, "the server refused the token: "},
		{"no server", at(closed, admin, "tokens", "list"), 1, "no server answering at " + closed},
		{"no server, backup", at(closed, admin, "backup", "--out", t.TempDir()+"/b.db"), 1, "no server answering at " + closed},
		{"no server, notices list", []string{"notices", "list", "--addr", closed}, 1, "no server answering at " + closed},
		{"no token", []string{"tokens", "list", "--server", addr}, 2, "tokens create --data DIR --role admin"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tt.name, code, stdout, stderr, tt.code, tt.want)
		}
		if tt.name != "no token" {
			oneClearLine(t, tt.name, stderr)
		}
	}
}

func TestServerAndDataTogether(t *testing.T) {
	dir := t.TempDir()
	createToken(t, dir, "--role", "admin", "--name", "ops")
	for _, args := range [][]string{
		{"tokens", "list", "--server", "127.0.0.1:9", "--token", "t", "--data", dir},
		{"users", "disable", "--data", dir, "--server", "127.0.0.1:9", "--token", "t", "ada@example.org"},
		{"audit", "verify", "--server", "127.0.0.1:9", "--token", "t", "--data", dir},
		{"notices", "lint", "--server", "127.0.0.1:9", "--token", "t", "--data", dir},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--server and --data both given") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error naming both", args, code, stdout, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "backup", "--addr", "127.0.0.1:9", "--token", "t", "--data", dir, "--out", t.TempDir()+"/b.db"); code != 2 || !strings.Contains(stderr, "--addr and --data both given") {
		t.Errorf("backup --addr --data: exit %d, stderr %q", code, stderr)
	}

	// A server named only in the environment gives way to --data on the
	// command line, which wins as for every flag.
	t.Setenv("RIGHTSDESK_SERVER", "127.0.0.1:9")
	t.Setenv("RIGHTSDESK_TOKEN", "t")
	if code, stdout, stderr := runCLI(t, "tokens", "list", "--data", dir); code != 0 || !strings.Contains(stdout, "ops") {
		t.Errorf("tokens list --data with RIGHTSDESK_SERVER set: exit %d\n%s%s", code, stdout, stderr)
	}
}

// RIGHTSDESK_SERVER and RIGHTSDESK_TOKEN choose the remote mode as the
// flags do.
func TestServerAndTokenFromTheEnvironment(t *testing.T) {
	addr, admin, _ := serveWithCases(t, t.TempDir(), 0)
	t.Setenv("RIGHTSDESK_SERVER", addr)
	t.Setenv("RIGHTSDESK_TOKEN", admin)
	t.Setenv("RIGHTSDESK_DATA", t.TempDir()) // a server wins over a data directory from the environment
	if code, stdout, stderr := runCLI(t, "tokens", "list"); code != 0 || !strings.Contains(stdout, " ops ") || !strings.Contains(stdout, " cw ") {
		t.Fatalf("tokens list with RIGHTSDESK_SERVER and RIGHTSDESK_TOKEN: exit %d\n%s%s", code, stdout, stderr)
	}
}
