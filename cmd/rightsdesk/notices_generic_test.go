package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

// A GOV.UK service page whose only heading is "Privacy policy" is previewed
// without --id: the draft takes its id from the service the notice covers.
func TestImportPrivacyPolicyPreviewNeedsNoID(t *testing.T) {
	code, stdout, stderr := runCLI(t, "notices", "import", fixture("privacy-policy.md"), "--dry-run", "--json", "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("import --dry-run --json: exit %d: %s", code, stderr)
	}
	var out struct {
		ID      string `json:"id"`
		Version struct {
			Title    string `json:"title"`
			Contexts []any  `json:"contexts"`
		} `json:"version"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if out.ID != "apply-for-an-angling-licence" || out.Version.Title != "Privacy policy" || len(out.Version.Contexts) == 0 {
		t.Errorf("draft %+v, want the angling licence service's notice", out)
	}
}

// A dry run stores nothing, so it creates nothing either: without a
// database it reads against the built-in catalogue, and with one it leaves
// the file's bytes as they were.
func TestADryRunCreatesAndChangesNothing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	if code, _, stderr := runCLI(t, "notices", "import", fixture("privacy-policy.md"), "--dry-run", "--data", missing); code != 0 || !strings.Contains(stderr, "built-in catalogue only") {
		t.Fatalf("dry run without a database: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dry run made %s (%v)", missing, err)
	}
	dir := t.TempDir()
	createToken(t, dir, "--role", "admin", "--name", "ops") // a database to leave alone
	before := bolttest.SHA256(t, filepath.Join(dir, bolt.FileName))
	if code, _, stderr := runCLI(t, "notices", "import", fixture("privacy-policy.md"), "--dry-run", "--data", dir); code != 0 {
		t.Fatalf("dry run on a database: exit %d: %s", code, stderr)
	}
	if bolttest.SHA256(t, filepath.Join(dir, bolt.FileName)) != before {
		t.Error("the dry run changed the database file")
	}
}
