package server_test

import (
	"net/http"
	"testing"
)

// A case read with GET, edited and sent back whole with update_mask=*
// (AIP-134) is updated as sent; its unchanged region needs no reason.
func TestUpdateCaseWithFullReplacementOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	c := rc.ok("POST", "/v1/cases", map[string]any{
		"rights":      []map[string]any{{"right": "RIGHT_ACCESS"}},
		"requester":   map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
		"description": "My records",
	})
	name := c["name"].(string)
	c = rc.ok("GET", "/v1/"+name, nil)
	c["description"] = "My records since 2024"
	updated := rc.ok("PATCH", "/v1/"+name+"?update_mask=*", c)
	if updated["description"] != "My records since 2024" || updated["region"] != c["region"] || updated["etag"] == c["etag"] {
		t.Errorf("after update_mask=*: description %v, region %v (was %v), etag %v (was %v)",
			updated["description"], updated["region"], c["region"], updated["etag"], c["etag"])
	}
	if code, body := rc.do("PATCH", "/v1/"+name+"?update_mask=*,description", updated); code != http.StatusBadRequest {
		t.Errorf("* with another path = %d %v, want 400", code, body)
	}
}
