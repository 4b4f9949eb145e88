package main

import (
	"encoding/json"
	"testing"
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
