package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// reasonIn is the ErrorInfo reason of a REST error body.
func reasonIn(body map[string]any) string {
	details, _ := body["details"].([]any)
	for _, d := range details {
		if m, _ := d.(map[string]any); m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" {
			reason, _ := m["reason"].(string)
			return reason
		}
	}
	return ""
}

// Every method that creates something takes a request_id (AIP-155): a
// retry with the same id returns what the first call made, once.
func TestRetriedCreatesMakeOneThing(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	newCase := map[string]any{
		"rights":    []map[string]any{{"right": "RIGHT_ACCESS"}},
		"requester": map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
	}
	first := rc.ok("POST", "/v1/cases?request_id=mail-1", newCase)
	if again := rc.ok("POST", "/v1/cases?request_id=mail-1", newCase); again["name"] != first["name"] || again["etag"] != first["etag"] {
		t.Errorf("a retried CreateCase made %v (etag %v), want %v (etag %v)", again["name"], again["etag"], first["name"], first["etag"])
	} else if again["status_token"] == nil || again["status_token"] != first["status_token"] {
		t.Errorf("a retried CreateCase gave status token %v, want the first answer's %v again", again["status_token"], first["status_token"])
	}
	name := first["name"].(string)
	otherCase := map[string]any{
		"rights":    []map[string]any{{"right": "RIGHT_ERASURE"}},
		"requester": newCase["requester"],
	}
	if code, body := rc.do("POST", "/v1/cases?request_id=mail-1", otherCase); code != http.StatusConflict ||
		!strings.Contains(fmt.Sprint(body["message"]), first["reference"].(string)) || reasonIn(body) != "REQUEST_ID_REUSED" {
		t.Errorf("another CreateCase under mail-1 = %d %v; want 409 REQUEST_ID_REUSED naming %v", code, body, first["reference"])
	}

	note := map[string]any{"text": "Phoned", "request_id": "note-1"}
	noted := rc.ok("POST", "/v1/"+name+":addNote", note)
	again := rc.ok("POST", "/v1/"+name+":addNote", note)
	if notes, _ := again["notes"].([]any); len(notes) != 1 || again["etag"] != noted["etag"] {
		t.Errorf("a retried AddNote: %d notes, etag %v; want 1 note and etag %v", len(notes), again["etag"], noted["etag"])
	}
	if other := rc.ok("POST", "/v1/"+name+":addNote", map[string]any{"text": "Phoned", "request_id": "note-2"}); len(other["notes"].([]any)) != 2 {
		t.Errorf("another request_id added no note: %v", other["notes"])
	}
	if code, body := rc.do("POST", "/v1/"+name+":addNote", map[string]any{"text": "Emailed", "request_id": "note-1"}); code != http.StatusConflict || reasonIn(body) != "REQUEST_ID_REUSED" {
		t.Errorf("another note under note-1 = %d %v; want 409 REQUEST_ID_REUSED", code, body)
	}
	search := map[string]any{"source": "Mailbox", "found": "nothing", "request_id": "search-1"}
	rc.ok("POST", "/v1/"+name+":recordSearch", search)
	if again := rc.ok("POST", "/v1/"+name+":recordSearch", search); len(again["searches"].([]any)) != 1 {
		t.Errorf("a retried RecordSearch: searches %v, want 1", again["searches"])
	}
	skipped := map[string]any{"source": "Payroll", "reason": "holds no requesters", "request_id": "skip-1"}
	rc.ok("POST", "/v1/"+name+":recordNotSearched", skipped)
	if again := rc.ok("POST", "/v1/"+name+":recordNotSearched", skipped); len(again["searches"].([]any)) != 2 {
		t.Errorf("a retried RecordNotSearched: searches %v, want 2", again["searches"])
	}
	events, _ := rc.ok("GET", "/v1/"+name+"/events", nil)["events"].([]any)
	if len(events) != 5 {
		t.Errorf("%d events, want 5: created, two notes and two search records, none for the retries", len(events))
	}
	if code, body := rc.do("POST", "/v1/"+name+":addNote", map[string]any{"text": "Phoned", "request_id": "has spaces"}); code != http.StatusBadRequest {
		t.Errorf("a request_id with spaces = %d %v, want 400", code, body)
	}
}
