package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// lifecycleNow is after every date the lifecycle steps name, so each step
// can be recorded on the day it happened.
var lifecycleNow = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// The dates below are worked by hand (England & Wales calendar; Good Friday
// is 3 Apr 2026 and Easter Monday 6 Apr 2026):
//   - received Mon 2 Mar 2026 → due Thu 2 Apr 2026 (same date next month);
//   - identity asked Wed 4 Mar: the clock stops until it arrives;
//   - identity received Tue 10 Mar → the clock starts again on 10 Mar →
//     due Fri 10 Apr 2026, a working day;
//   - extended by two months on Fri 20 Mar, inside the first period →
//     three months after the start, Wed 10 Jun 2026, a working day; the
//     requester must be told by the original due date, 10 Apr;
//   - closed Thu 30 Apr 2026 → on time.
const (
	lifecycleReceived   = "2026-03-02"
	dueOnReceipt        = "2026-04-02"
	identityAsked       = "2026-03-04"
	identityArrived     = "2026-03-10"
	dueAfterIdentity    = "2026-04-10"
	extendedOn          = "2026-03-20"
	dueAfterExtension   = "2026-06-10"
	closedOn            = "2026-04-30"
	lifecycleNoticeName = "notices/it-service-desk"
)

// lifecycleStep is one call of the lifecycle and what the case must show
// after it.
type lifecycleStep struct {
	name      string
	state     rdv1.CaseState
	due       string
	statutory string
	paused    bool
}

var lifecycleSteps = []lifecycleStep{
	{"create", rdv1.CaseState_CASE_STATE_NEW, dueOnReceipt, dueOnReceipt, false},
	{"assign", rdv1.CaseState_CASE_STATE_IN_PROGRESS, dueOnReceipt, dueOnReceipt, false},
	// The clock stops while identity is awaited; the last computed date
	// stays on the case, marked paused, so the queue can still sort it.
	{"requestIdentity", rdv1.CaseState_CASE_STATE_AWAITING_REQUESTER, dueOnReceipt, dueOnReceipt, true},
	{"recordRequesterResponse", rdv1.CaseState_CASE_STATE_IN_PROGRESS, dueAfterIdentity, dueAfterIdentity, false},
	{"addNote", rdv1.CaseState_CASE_STATE_IN_PROGRESS, dueAfterIdentity, dueAfterIdentity, false},
	{"extend", rdv1.CaseState_CASE_STATE_IN_PROGRESS, dueAfterExtension, dueAfterIdentity, false},
	{"completeTasks", rdv1.CaseState_CASE_STATE_IN_PROGRESS, dueAfterExtension, dueAfterIdentity, false},
	{"close", rdv1.CaseState_CASE_STATE_CLOSED, dueAfterExtension, dueAfterIdentity, false},
}

func checkStep(t *testing.T, door string, step lifecycleStep, c *rdv1.Case) {
	t.Helper()
	if c.GetState() != step.state {
		t.Errorf("%s %s: state %v, want %v", door, step.name, c.GetState(), step.state)
	}
	if got := c.GetClock().GetDue(); got != step.due {
		t.Errorf("%s %s: due %q, want %q", door, step.name, got, step.due)
	}
	if got := c.GetClock().GetStatutoryDue(); got != step.statutory {
		t.Errorf("%s %s: statutory due %q, want %q", door, step.name, got, step.statutory)
	}
	if got := c.GetClock().GetPaused(); got != step.paused {
		t.Errorf("%s %s: paused %v, want %v", door, step.name, got, step.paused)
	}
}

// The erasure request names a context whose notice lists recipients, so
// Art 19 tasks appear; the access request rides along on the same case.
func lifecycleCase() *rdv1.Case {
	return &rdv1.Case{
		Notices:     []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}},
		Rights:      []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ERASURE}, {Right: rdv1.Right_RIGHT_ACCESS}},
		Description: "Please erase my service desk tickets and send me a copy first.",
		Requester:   &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:     rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
		Region:      "england-and-wales",
		ReceivedOn:  lifecycleReceived,
	}
}

func TestLifecycleOverGRPC(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	steps := lifecycleSteps

	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase(), RequestId: "grpc-lifecycle-1"})
	mustStep(t, "create", err)
	checkStep(t, "gRPC", steps[0], c)
	if len(c.GetTasks()) == 0 {
		t.Fatal("an erasure request against a notice with recipients must carry Art 19 tasks")
	}
	if !strings.HasPrefix(c.GetReference(), "RD-") || c.GetStatusToken() == "" {
		t.Errorf("create returned reference %q and token %q", c.GetReference(), c.GetStatusToken())
	}

	c, err = client.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Assignee: "caseworker"})
	mustStep(t, "assign", err)
	checkStep(t, "gRPC", steps[1], c)

	c, err = client.RequestIdentity(ctx, &rdv1.RequestIdentityRequest{Name: c.GetName(), Etag: c.GetEtag(), On: identityAsked, Detail: "photo ID"})
	mustStep(t, "requestIdentity", err)
	checkStep(t, "gRPC", steps[2], c)

	c, err = client.RecordRequesterResponse(ctx, &rdv1.RecordRequesterResponseRequest{Name: c.GetName(), Etag: c.GetEtag(), On: identityArrived, Detail: "passport seen"})
	mustStep(t, "recordRequesterResponse", err)
	checkStep(t, "gRPC", steps[3], c)

	c, err = client.AddNote(ctx, &rdv1.AddNoteRequest{Name: c.GetName(), Text: "Searched the ticketing system and mailbox."})
	mustStep(t, "addNote", err)
	checkStep(t, "gRPC", steps[4], c)

	c, err = client.ExtendCase(ctx, &rdv1.ExtendCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), On: extendedOn, Reason: "Numerous systems hold tickets", Months: 2})
	mustStep(t, "extend", err)
	checkStep(t, "gRPC", steps[5], c)
	if got := c.GetClock().GetExtensionNoticeBy(); got != dueAfterIdentity {
		t.Errorf("extension notice by %q, want %q", got, dueAfterIdentity)
	}

	for i, task := range c.GetTasks() {
		req := &rdv1.CompleteTaskRequest{Name: c.GetName(), Etag: c.GetEtag(), TaskId: task.GetId(), State: rdv1.TaskState_TASK_STATE_DONE}
		if i%2 == 1 {
			req.State, req.Resolution = rdv1.TaskState_TASK_STATE_IMPOSSIBLE, "Recipient no longer exists"
		}
		c, err = client.CompleteTask(ctx, req)
		mustStep(t, "completeTask "+task.GetId(), err)
	}
	checkStep(t, "gRPC", steps[6], c)
	for _, task := range c.GetTasks() {
		if task.GetState() == rdv1.TaskState_TASK_STATE_OPEN {
			t.Errorf("task %s still open", task.GetId())
		}
	}

	// The access part needs its pack reviewed by a second person and
	// released before the case can close as fulfilled.
	admin := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["admin"])
	c, err = client.SubmitForReview(ctx, &rdv1.SubmitForReviewRequest{Name: c.GetName(), Etag: c.GetEtag()})
	mustStep(t, "submitForReview", err)
	c, err = client.ApproveReview(admin, &rdv1.ApproveReviewRequest{Name: c.GetName(), Etag: c.GetEtag()})
	mustStep(t, "approveReview", err)
	c, err = client.ReleasePack(ctx, &rdv1.ReleasePackRequest{Name: c.GetName(), Etag: c.GetEtag()})
	mustStep(t, "releasePack", err)

	c, err = client.CloseCase(ctx, &rdv1.CloseCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), On: closedOn, Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED, Detail: "Copy sent; tickets erased", ActionTaken: "Tickets erased from the service desk."})
	mustStep(t, "close", err)
	checkStep(t, "gRPC", steps[7], c)
	if !c.GetOutcome().GetOnTime() {
		t.Error("closed before the extended due date but not on time")
	}

	events, err := client.ListCaseEvents(ctx, &rdv1.ListCaseEventsRequest{Name: c.GetName()})
	mustStep(t, "listCaseEvents", err)
	// One per write: the steps, each task, the pack's three review steps.
	if want := 7 + len(c.GetTasks()) + 3; len(events.GetEvents()) != want {
		t.Errorf("%d events, want %d (one per write)", len(events.GetEvents()), want)
	}

	adminCtx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["admin"])
	verdict, err := rdv1.NewAdminServiceClient(as.conn).VerifyAudit(adminCtx, &rdv1.VerifyAuditRequest{})
	mustStep(t, "verifyAudit", err)
	if !verdict.GetIntact() || verdict.GetEvents() != uint64(len(events.GetEvents())) {
		t.Errorf("audit verdict %v", verdict)
	}
	// Hashes are lower-case hex, as `rightsdesk audit verify` prints them,
	// and link: each event names the hash of the one before it.
	hexHash := regexp.MustCompile(`^[0-9a-f]{64}$`)
	list := events.GetEvents()
	for i, e := range list {
		if !hexHash.MatchString(e.GetHash()) || !hexHash.MatchString(e.GetPrevHash()) {
			t.Fatalf("event %d: hash %q, prev_hash %q; want 64 hex digits each", e.GetSequence(), e.GetHash(), e.GetPrevHash())
		}
		if i > 0 && list[i-1].GetSequence()+1 == e.GetSequence() && e.GetPrevHash() != list[i-1].GetHash() {
			t.Errorf("event %d names %s before it, not %s", e.GetSequence(), e.GetPrevHash(), list[i-1].GetHash())
		}
	}
	if last := list[len(list)-1]; verdict.GetHead() != last.GetHash() {
		t.Errorf("VerifyAudit head %q, want the newest event's hash %q in the same form", verdict.GetHead(), last.GetHash())
	}
}

func mustStep(t *testing.T, step string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// restClient talks JSON to the gateway with a bearer token.
type restClient struct {
	t     *testing.T
	base  string
	token string
}

func (rc restClient) do(method, path string, body any) (int, map[string]any) {
	rc.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			rc.t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(rc.t.Context(), method, rc.base+path, bytes.NewReader(raw))
	if err != nil {
		rc.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+rc.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rc.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var decoded map[string]any
	if err := json.Unmarshal(out, &decoded); err != nil {
		rc.t.Fatalf("%s %s: %d with a body that is not JSON: %q", method, path, resp.StatusCode, out)
	}
	checkErrorBody(rc.t, method+" "+path, resp.StatusCode, decoded)
	return resp.StatusCode, decoded
}

// ok calls and fails the test unless the answer is 200.
func (rc restClient) ok(method, path string, body any) map[string]any {
	rc.t.Helper()
	code, out := rc.do(method, path, body)
	if code != http.StatusOK {
		rc.t.Fatalf("%s %s: %d %v", method, path, code, out)
	}
	return out
}

func checkRESTStep(t *testing.T, step lifecycleStep, c map[string]any) {
	t.Helper()
	clock, _ := c["clock"].(map[string]any)
	got := &rdv1.Case{
		State: rdv1.CaseState(rdv1.CaseState_value[fmt.Sprint(c["state"])]),
		Clock: &rdv1.CaseClock{Due: str(clock["due"]), StatutoryDue: str(clock["statutory_due"]), Paused: clock["paused"] == true},
	}
	checkStep(t, "REST", step, got)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestLifecycleOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	steps := lifecycleSteps
	body := map[string]any{
		"notice":      lifecycleNoticeName,
		"rights":      []map[string]any{{"right": "RIGHT_ERASURE"}, {"right": "RIGHT_ACCESS"}},
		"description": "Please erase my service desk tickets.",
		"requester":   map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}, "relationship": "RELATIONSHIP_SELF"},
		"channel":     "RECEIVED_CHANNEL_POST",
		"region":      "england-and-wales",
		"received_on": lifecycleReceived,
	}

	c := rc.ok("POST", "/v1/cases?request_id=rest-lifecycle-1", body)
	checkRESTStep(t, steps[0], c)
	name := str(c["name"])
	again := rc.ok("POST", "/v1/cases?request_id=rest-lifecycle-1", body)
	if str(again["name"]) != name {
		t.Errorf("a repeated request_id opened %s, want the original %s", again["name"], name)
	}

	act := func(verb string, fields map[string]any) map[string]any {
		t.Helper()
		fields["etag"] = c["etag"]
		return rc.ok("POST", "/v1/"+name+":"+verb, fields)
	}
	c = act("assign", map[string]any{"assignee": "caseworker"})
	checkRESTStep(t, steps[1], c)
	staleEtag := c["etag"]

	c = act("requestIdentity", map[string]any{"on": identityAsked, "detail": "photo ID"})
	checkRESTStep(t, steps[2], c)

	code, out := rc.do("POST", "/v1/"+name+":extend", map[string]any{"etag": c["etag"], "on": identityAsked, "reason": "complex"})
	if code != http.StatusBadRequest || out["code"] != float64(codes.FailedPrecondition) || !strings.Contains(fmt.Sprint(out["message"]), "allowed: IN_PROGRESS") {
		t.Errorf("extend while awaiting identity: %d %v, want 400 FAILED_PRECONDITION naming the allowed states", code, out)
	}
	code, out = rc.do("POST", "/v1/"+name+":assign", map[string]any{"etag": staleEtag, "assignee": "someone-else"})
	if code != http.StatusConflict {
		t.Errorf("stale etag: %d %v, want 409", code, out)
	}
	if now := rc.ok("GET", "/v1/"+name, nil); str(now["assignee"]) != "caseworker" || now["etag"] != c["etag"] {
		t.Errorf("a rejected stale write changed the case: %v", now)
	}

	c = act("recordRequesterResponse", map[string]any{"on": identityArrived, "detail": "passport seen"})
	checkRESTStep(t, steps[3], c)
	c = act("addNote", map[string]any{"text": "Searched the ticketing system."})
	checkRESTStep(t, steps[4], c)
	c = act("extend", map[string]any{"on": extendedOn, "reason": "Numerous systems", "months": 2})
	checkRESTStep(t, steps[5], c)
	tasks, _ := c["tasks"].([]any)
	if len(tasks) == 0 {
		t.Fatal("no Art 19 tasks on an erasure case")
	}
	for _, task := range tasks {
		c = act("completeTask", map[string]any{"task_id": task.(map[string]any)["id"], "state": "TASK_STATE_DONE"})
	}
	checkRESTStep(t, steps[6], c)
	c = act("submitForReview", map[string]any{})
	reviewer := restClient{t: t, base: as.base, token: as.tokens["admin"]}
	c = reviewer.ok("POST", "/v1/"+name+":approveReview", map[string]any{"etag": c["etag"], "comments": "Checked."})
	c = act("releasePack", map[string]any{})
	c = act("close", map[string]any{"on": closedOn, "outcome": "OUTCOME_KIND_FULFILLED", "action_taken": "Tickets erased from the service desk."})
	checkRESTStep(t, steps[7], c)

	code, out = rc.do("POST", "/v1/"+name+":addNote", map[string]any{"text": strings.Repeat("x", 5000)})
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %v, want 413", code, out)
	}
	events := rc.ok("GET", "/v1/"+name+"/events", nil)
	if got, _ := events["events"].([]any); len(got) != 7+len(tasks)+3 {
		t.Errorf("%d events, want %d", len(got), 7+len(tasks)+3)
	}
}

func TestCaseInputErrorsOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	for _, tc := range []struct {
		name   string
		body   string
		fields []string
	}{
		{"unknown notice", `{"notice":"notices/no-such-notice","rights":[{"right":"RIGHT_ACCESS"}],"requester":{"person":{"name":"A","email":"a@example.org"}},"received_on":"2026-03-02"}`, []string{"case.notice"}},
		{"no right", `{"notice":"notices/it-service-desk","rights":[],"requester":{"person":{"name":"A","email":"a@example.org"}},"received_on":"2026-03-02"}`, []string{"case.rights"}},
		{"unknown right", `{"notice":"notices/it-service-desk","rights":[{"right":99}],"requester":{"person":{"name":"A","email":"a@example.org"}},"received_on":"2026-03-02"}`, []string{"case.rights"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := rc.do("POST", "/v1/cases", tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %v, want 400", code, out)
			}
			got := fmt.Sprint(out["details"])
			for _, f := range tc.fields {
				if !strings.Contains(got, f) {
					t.Errorf("details %s do not name field %s", got, f)
				}
			}
		})
	}
	code, out := rc.do("GET", "/v1/cases", nil)
	if listed, _ := out["cases"].([]any); code != http.StatusOK || len(listed) != 0 {
		t.Errorf("bad input left a case behind: %d %v", code, out)
	}
}

func TestIllegalTransitionNamesAllowedStatesOverGRPC(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+as.tokens["caseworker"])
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	mustStep(t, "create", err)
	_, err = client.RecordRequesterResponse(ctx, &rdv1.RecordRequesterResponseRequest{Name: c.GetName(), Etag: c.GetEtag(), On: identityArrived})
	st := status.Convert(err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("response to nothing asked: %v, want FAILED_PRECONDITION", err)
	}
	var violations []string
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				violations = append(violations, v.GetDescription())
			}
		}
	}
	if !strings.Contains(strings.Join(violations, " ")+st.Message(), "AWAITING_REQUESTER") {
		t.Errorf("error %q with violations %q does not name the state that allows it", st.Message(), violations)
	}
}
