package main

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
)

// TestDeadlineJSONIsTheRESTResponse asks a running server's REST API and
// the CLI the same question and wants the same JSON back: the same keys at
// every level, and the same values.
func TestDeadlineJSONIsTheRESTResponse(t *testing.T) {
	srv, _ := apptest.Start(t, app.Config{})
	body := `{"regime": "REGIME_UK_GDPR", "region": "england-and-wales", "received": "2026-03-02",
		"pauses": [{"asked": "2026-03-04", "answered": "2026-03-10"}],
		"extension": {"granted_on": "2026-03-20", "reason": "complex"}, "internal_target_days": 20, "as_of": "2026-03-02"}`
	resp, err := http.Post("http://"+srv.HTTPAddr()+"/v1/deadline:calculate", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("REST: %d %v\n%s", resp.StatusCode, err, raw)
	}
	var rest map[string]any
	if err := json.Unmarshal(raw, &rest); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "deadline", "--regime", "uk-gdpr", "--region", "england-and-wales", "--received", "2026-03-02",
		"--pause", "2026-03-04:2026-03-10", "--extend", "--extend-on", "2026-03-20", "--extend-reason", "complex",
		"--target-days", "20", "--as-of", "2026-03-02", "--json")
	if code != 0 {
		t.Fatalf("CLI: exit %d: %s", code, stderr)
	}
	var cli map[string]any
	if err := json.Unmarshal([]byte(stdout), &cli); err != nil {
		t.Fatalf("CLI output is not JSON: %v\n%s", err, stdout)
	}

	restKeys, cliKeys := jsonKeys("", rest), jsonKeys("", cli)
	if !slices.Equal(restKeys, cliKeys) {
		t.Fatalf("keys differ\nREST: %v\nCLI:  %v", restKeys, cliKeys)
	}
	// A multi-word key proves the naming is compared, not only the words.
	if !slices.Contains(restKeys, "statutory_due") && !slices.Contains(restKeys, "statutoryDue") {
		t.Fatalf("REST response lacks the statutory due date: %v", restKeys)
	}
	if !reflect.DeepEqual(rest, cli) {
		t.Fatalf("values differ\nREST: %s\nCLI:  %s", raw, stdout)
	}
}

// jsonKeys lists every key path in v, sorted: "standing.rag", "steps[].text".
func jsonKeys(prefix string, v any) []string {
	var keys []string
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			keys = append(keys, prefix+k)
			keys = append(keys, jsonKeys(prefix+k+".", child)...)
		}
	case []any:
		for _, child := range v {
			keys = append(keys, jsonKeys(strings.TrimSuffix(prefix, ".")+"[].", child)...)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
