package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// A case's events page like every list (AIP-158): pages of page_size,
// oldest first, until next_page_token is empty; a token belongs to its
// case.
func TestListCaseEventsPages(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	create := func() string {
		c := rc.ok("POST", "/v1/cases", map[string]any{
			"rights":    []map[string]any{{"right": "RIGHT_ACCESS"}},
			"requester": map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
		})
		return c["name"].(string)
	}
	name, other := create(), create()
	for _, text := range []string{"Phoned", "Searched the mailbox", "Searched the service desk", "Wrote back"} {
		rc.ok("POST", "/v1/"+name+":addNote", map[string]any{"text": text})
	}
	sequences := func(body map[string]any) []string {
		var out []string
		events, _ := body["events"].([]any)
		for _, e := range events {
			out = append(out, e.(map[string]any)["sequence"].(string))
		}
		return out
	}
	all := sequences(rc.ok("GET", "/v1/"+name+"/events", nil))
	if len(all) != 5 {
		t.Fatalf("%d events, want 5 (created and four notes)", len(all))
	}
	var paged []string
	token, pages := "", 0
	for {
		body := rc.ok("GET", "/v1/"+name+"/events?page_size=2&page_token="+url.QueryEscape(token), nil)
		pages++
		paged = append(paged, sequences(body)...)
		token, _ = body["next_page_token"].(string)
		if token == "" || pages > 5 {
			break
		}
		if code, refused := rc.do("GET", "/v1/"+other+"/events?page_token="+url.QueryEscape(token), nil); code != http.StatusBadRequest {
			t.Errorf("another case's page token = %d %v, want 400", code, refused)
		}
	}
	if pages != 3 || !slices.Equal(paged, all) {
		t.Errorf("%d pages of %v, want 3 pages of 2 holding %v", pages, paged, all)
	}
}
