package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is one of the importer's synthetic notices.
func fixture(name string) string {
	return filepath.Join("..", "..", "internal", "notice", "importer", "testdata", name)
}

// revised writes the learning-portal fixture as its publisher might update
// it: a new date and a longer retention period.
func revised(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(fixture("numbered-sections.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "Published 3 March 2022", "Updated 1 February 2026", 1)
	s = strings.Replace(s, "for 2 years after you leave", "for 3 years after you leave", 1)
	path := filepath.Join(t.TempDir(), "learning-v2.md")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNoticesImportLintDiff(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "notices", "import", fixture("numbered-sections.txt"), "--dry-run", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("import --dry-run: exit %d: %s", code, stderr)
	}
	var preview struct {
		ID       string `json:"id"`
		Created  bool   `json:"created"`
		Version  struct{ Number int }
		Findings []struct{ Code string }
		Facts    []struct{ Field string }
	}
	if err := json.Unmarshal([]byte(stdout), &preview); err != nil {
		t.Fatalf("--json output is not one JSON object: %v\n%s", err, stdout)
	}
	if preview.ID != "example-learning-portal" || preview.Created || preview.Version.Number != 1 || len(preview.Facts) == 0 ||
		len(preview.Findings) != 1 || preview.Findings[0].Code != "portability-missing" {
		t.Fatalf("dry run = %+v", preview)
	}

	code, stdout, stderr = runCLI(t, "notices", "import", "--data", dir, fixture("numbered-sections.txt"), "--id", "learning")
	if code != 0 || !strings.Contains(stdout, "Stored as version 1, in force from 2022-03-03") ||
		!strings.Contains(stdout, "Provenance:") || !strings.Contains(stdout, "portability-missing") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "notices", "import", fixture("numbered-sections.txt"), "--id", "learning", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "Unchanged") {
		t.Fatalf("re-import of the same file: exit %d\n%s", code, stdout)
	}
	code, stdout, stderr = runCLI(t, "notices", "import", revised(t), "--id", "learning", "--format", "text", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "Stored as version 2, in force from 2026-02-01") {
		t.Fatalf("import of a changed file: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, _ = runCLI(t, "notices", "diff", "learning", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "version 1 (in force from 2022-03-03) → version 2 (in force from 2026-02-01)") ||
		!strings.Contains(stdout, "~ retention/0:") || !strings.Contains(stdout, "36 months") {
		t.Fatalf("diff: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "notices", "diff", "learning", "--from", "2", "--to", "2", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "No differences.") {
		t.Fatalf("diff of a version with itself: exit %d\n%s", code, stdout)
	}
	if code, _, stderr = runCLI(t, "notices", "diff", "it-service-desk", "--data", dir); code != 1 || !strings.Contains(stderr, "first version") {
		t.Fatalf("diff of a notice with one version: exit %d, %s", code, stderr)
	}

	code, stdout, _ = runCLI(t, "notices", "lint", "learning", "--version", "1", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "learning version 1") || !strings.Contains(stdout, "portability-missing") {
		t.Fatalf("lint learning: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "notices", "lint", "--json", "--data", dir)
	// Exit 1 exactly when a finding is an error (the built-in catalogue's
	// findings change as lint rules are added).
	if (code == 1) != strings.Contains(stdout, `"severity":"error"`) || code > 1 || strings.Count(stdout, "\n") != 6 || !strings.Contains(stdout, `"retention-ended"`) {
		t.Fatalf("lint of every notice (five built in, one imported): exit %d\n%s", code, stdout)
	}
}

func TestNoticesLintFailsOnErrors(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "notices", "import", fixture("bullets.txt"), "--id", "pensions", "--data", dir); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "notices", "lint", "pensions", "--data", dir)
	if code != 1 || !strings.Contains(stdout, "error no-complaint-route") || !strings.Contains(stderr, "error severity") {
		t.Fatalf("lint of a notice with no complaint route: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestNoticesUsageAndErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"notices", "import", "--data", dir}, 2, "usage: rightsdesk notices import FILE"},
		{[]string{"notices", "import", fixture("bullets.txt"), "--format", "pdf", "--data", dir}, 1, "--format: unknown format"},
		{[]string{"notices", "import", filepath.Join(dir, "missing.txt"), "--data", dir}, 1, "no such file"},
		{[]string{"notices", "import", fixture("bullets.txt"), "--id", "Bad Id", "--data", dir}, 2, `--id: "Bad Id" is not a notice id`},
		{[]string{"notices", "lint", "a", "b", "--data", dir}, 2, "usage: rightsdesk notices lint"},
		{[]string{"notices", "lint", "--version", "2", "--data", dir}, 2, "usage: rightsdesk notices lint"},
		{[]string{"notices", "lint", "no-such-notice", "--data", dir}, 1, `notice "notices/no-such-notice" not found`},
		{[]string{"notices", "diff", "--data", dir}, 2, "usage: rightsdesk notices diff ID"},
		{[]string{"notices", "diff", "it-service-desk", "--to", "4", "--data", dir}, 1, "versions 1 to 1"},
	} {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

func TestNoticesWhileTheDatabaseIsLocked(t *testing.T) {
	dir := t.TempDir()
	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tt := range []struct {
		args []string
		hint string
	}{
		{[]string{"notices", "import", fixture("bullets.txt"), "--data", dir}, "use --server"},
		{[]string{"notices", "lint", "--data", dir}, "use --server"},
		{[]string{"notices", "diff", "it-service-desk", "--data", dir}, "while the server is stopped, or on a backup"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "in use by another process") || !strings.Contains(stderr, tt.hint) {
			t.Errorf("%v while the database is open elsewhere: exit %d, stdout %q, stderr %q; want %q", tt.args, code, stdout, stderr, tt.hint)
		}
	}
}
