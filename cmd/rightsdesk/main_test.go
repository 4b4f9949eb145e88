package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
)

// runCLI runs the command line in process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUnknownCommandShowsUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "frobnicate")
	if code != 2 || !strings.Contains(stderr, "unknown command") || !strings.Contains(stderr, "serve") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "rightsdesk ") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}

func TestEnvironmentSetsFlagsAndCommandLineWins(t *testing.T) {
	t.Setenv("RIGHTSDESK_REGION", "scotland")
	code, stdout, stderr := runCLI(t, "deadline", "--received", "2026-07-03", "--as-of", "2026-07-03")
	// 3 Aug 2026 is the Scottish summer bank holiday, so Scotland rolls to 4 Aug.
	if code != 0 || !strings.Contains(stdout, "Due:") || !strings.Contains(stdout, "2026-08-04") {
		t.Fatalf("with RIGHTSDESK_REGION=scotland: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "deadline", "--received", "2026-07-03", "--region", "england-and-wales", "--as-of", "2026-07-03")
	if code != 0 || !strings.Contains(stdout, "2026-08-03") {
		t.Fatalf("--region on the command line should win over the environment:\n%s", stdout)
	}
}

func TestDeadlineWorkedExampleAsJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "deadline", "--received", "2026-03-02", "--pause", "2026-03-04:2026-03-10", "--as-of", "2026-03-02", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var resp struct {
		Due   string `json:"due"`
		Steps []struct {
			Text string `json:"text"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &resp); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if resp.Due != "2026-04-09" || len(resp.Steps) == 0 {
		t.Fatalf("due %s with %d steps, want 2026-04-09 with an explanation", resp.Due, len(resp.Steps))
	}
}

func TestDeadlineBadInputNamesTheField(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--received", "2026-13-01"}, "received"},
		{[]string{"--received", "2026-01-31", "--region", "atlantis"}, "region"},
		{[]string{"--received", "2026-01-31", "--pause", "2026-02-10:2026-02-05"}, "pauses[0]"},
		{[]string{"--received", "2026-01-31", "--pause", "nonsense"}, "ASKED:ANSWERED"},
	} {
		code, _, stderr := runCLI(t, append([]string{"deadline"}, tt.args...)...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("deadline %v: exit %d, stderr %q; want an error naming %q", tt.args, code, stderr, tt.want)
		}
	}
	if code, _, _ := runCLI(t, "deadline"); code != 2 {
		t.Errorf("deadline without --received: exit %d, want 2", code)
	}
}

func TestNoticesListFromARunningServer(t *testing.T) {
	srv, _ := apptest.Start(t, app.Config{})

	code, stdout, stderr := runCLI(t, "notices", "list", "--addr", srv.GRPCAddr())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, id := range []string{"a-modern-civil-service", "communities-of-practice", "gpg-csep-hub", "nlc-network-members", "it-service-desk"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("notices list lacks %s:\n%s", id, stdout)
		}
	}
}

func TestHolidaysImportAndLockedDatabase(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "bank-holidays.json")
	doc := `{"england-and-wales":{"division":"england-and-wales","events":[{"title":"New Year’s Day","date":"2031-01-01","notes":"","bunting":true}]}}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "holidays", "import", file, "--data", dir)
	if code != 0 || !strings.Contains(stdout, "england-and-wales") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"england-and-wales":{"events":[{"date":"not a date"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "holidays", "import", bad, "--data", dir); code != 1 || stderr == "" {
		t.Fatalf("importing a malformed file: exit %d, stderr %q", code, stderr)
	}

	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, _, stderr = runCLI(t, "holidays", "import", file, "--data", dir)
	if code != 1 || !strings.Contains(stderr, "in use by another process") {
		t.Fatalf("import while the database is open elsewhere: exit %d, stderr %q", code, stderr)
	}
}
