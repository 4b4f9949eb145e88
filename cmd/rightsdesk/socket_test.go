package main

import (
	"os"
	"os/user"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// shortDataDir is a data directory whose admin socket path fits a Unix
// socket address (t.TempDir's paths can be too long for one).
func shortDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// While a server holds the database, the commands given --data go through
// its admin socket: no token, the same output, and the audit names the
// operator as it does for work on the file.
func TestLocalCommandsWorkWhileTheServerRuns(t *testing.T) {
	dir := shortDataDir(t)
	srv, stop := apptest.Start(t, app.Config{DataDir: dir})
	if _, ok := app.AdminSocket(dir); !ok {
		t.Fatalf("the admin socket path in %s is too long", dir)
	}

	token := newToken(t, "--data", dir, "--role", "caseworker", "--name", "via-socket")
	if code := listCases(t, srv.GRPCAddr(), token); code != codes.OK {
		t.Fatalf("the token made through the socket: ListCases gave %v", code)
	}
	withStdin(t, "lighthouse keeper biscuit\n")
	if code, _, stderr := runCLI(t, "users", "create", "--data", dir, "--role", "admin", "--name", "Local Admin", "--email", "local@example.org"); code != 0 {
		t.Fatalf("users create --data while serving: exit %d: %s", code, stderr)
	}
	code, listed, stderr := runCLI(t, "tokens", "list", "--data", dir)
	if code != 0 || !strings.Contains(listed, "via-socket") {
		t.Fatalf("tokens list --data while serving: exit %d\n%s%s", code, listed, stderr)
	}
	code, verified, stderr := runCLI(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(verified, "Audit chain intact") {
		t.Fatalf("audit verify --data while serving: exit %d\n%s%s", code, verified, stderr)
	}
	stop()

	if code, offline, _ := runCLI(t, "tokens", "list", "--data", dir); code != 0 || offline != listed {
		t.Errorf("tokens list on the file after the stop:\n%s\nwant what the socket gave:\n%s", offline, listed)
	}
	if code, offline, _ := runCLI(t, "audit", "verify", "--data", dir); code != 0 || offline != verified {
		t.Errorf("audit verify on the file after the stop:\n%s\nwant what the socket gave:\n%s", offline, verified)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStoreReadOnly(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	actors := map[string]string{}
	if err := st.View(t.Context(), func(tx store.ReadTx) error {
		return store.EachEvent(tx, func(e *audit.Event, _ *audit.Payload) error { actors[e.Action] = e.Actor; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"token.created", "user.created"} {
		if actors[action] != "cli:"+me.Username {
			t.Errorf("%s through the socket is recorded as %q, want cli:%s", action, actors[action], me.Username)
		}
	}
}
