package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// A validate_only import says what storing it would change from the current
// version; a save can insist on the previewed version and refuse lint errors.
func TestImportPreviewChangesOverREST(t *testing.T) {
	as := startWithTokens(t)
	code, body := as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": smallNotice, "validateOnly": true})
	if code != http.StatusOK || body["changes"] != nil || body["current_version"] != nil && body["current_version"] != float64(0) {
		t.Fatalf("preview of a new notice = %d %v; want no changes and no current version", code, body)
	}
	if code, body := as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": smallNotice}); code != http.StatusOK || body["created"] != true {
		t.Fatalf("import = %d %v", code, body)
	}
	revised := strings.Replace(strings.Replace(smallNotice, "Published 4 April 2024", "Updated 2 February 2026", 1), "2 years after", "3 years after", 1)
	code, body = as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": revised, "validateOnly": true})
	changes, _ := body["changes"].([]any)
	if code != http.StatusOK || body["current_version"] != float64(1) || len(changes) == 0 {
		t.Fatalf("preview of version 2 = %d %v; want the changes from version 1", code, body)
	}
	var retention bool
	for _, c := range changes {
		c := c.(map[string]any)
		retention = retention || strings.HasPrefix(str(c["field"]), "retention/") && strings.Contains(str(c["before"]), "2 years") && strings.Contains(str(c["after"]), "3 years")
	}
	if !retention {
		t.Errorf("changes %v; want the retention period before and after", changes)
	}
	if code, body := as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": revised, "expectVersion": 3}); code != http.StatusConflict {
		t.Errorf("a save expecting version 3 of a notice at version 1 = %d %v; want 409", code, body)
	}
	noComplaints := strings.Replace(revised, "You can complain to the Information Commissioner. The Information Commissioner can be contacted at: casework@ico.org.uk", "", 1)
	if code, body := as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": noComplaints, "refuseLintErrors": true}); code != http.StatusBadRequest && code != http.StatusPreconditionFailed {
		t.Errorf("a save refusing lint errors of a draft with one = %d %v; want it refused", code, body)
	}
	code, body = as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": revised, "expectVersion": 2, "refuseLintErrors": true})
	if code != http.StatusOK || body["created"] != true {
		t.Fatalf("the previewed save = %d %v", code, body)
	}
}
