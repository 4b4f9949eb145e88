package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

const requesterReply = "A scan of my passport is attached."

// correspondenceCase is a case asked for on the web, so an
// acknowledgement goes to the requester through a relay, whose requester
// was then asked for proof of identity and replied: one message out, one
// in. It returns the case, with the status code CreateCase gave, once the
// relay has the acknowledgement.
func correspondenceCase(t *testing.T) (*authServer, *rdv1.Case) {
	t.Helper()
	relay := notifytest.Start(t)
	as := startWithTokensConfig(t, server.Config{
		MaxBodyBytes: 4096, Clock: clock.Fixed(lifecycleNow),
		SMTPURL: "smtp://" + relay.Addr + "?from=privacy@example.org", PublicURL: "https://rights.example.org",
	})
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
		Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_WEB,
		ReceivedOn: "2026-04-27",
	}})
	mustStep(t, "create", err)
	code := c.GetStatusToken()
	c, err = client.RequestIdentity(ctx, &rdv1.RequestIdentityRequest{Name: c.GetName(), Etag: c.GetEtag(), On: "2026-04-28", Detail: "a copy of photo ID"})
	mustStep(t, "requestIdentity", err)
	c, err = client.RecordRequesterResponse(ctx, &rdv1.RecordRequesterResponseRequest{Name: c.GetName(), Etag: c.GetEtag(), On: "2026-04-29", Detail: requesterReply})
	mustStep(t, "recordRequesterResponse", err)
	c.StatusToken = code
	deadline := time.Now().Add(10 * time.Second)
	for len(relay.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("after 10s the relay has not had the acknowledgement")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return as, c
}

// waitSent lists the case's messages until every outgoing one is recorded
// as sent, which follows the relay's acceptance by a transaction.
func waitSent(t *testing.T, client rdv1.CaseServiceClient, ctx context.Context, parent string) []*rdv1.CaseMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: parent})
		if err != nil {
			t.Fatal(err)
		}
		msgs := resp.GetMessages()
		if !slices.ContainsFunc(msgs, func(m *rdv1.CaseMessage) bool {
			return m.GetDirection() == rdv1.MessageDirection_MESSAGE_DIRECTION_OUT && m.GetDelivery().GetState() != rdv1.DeliveryState_DELIVERY_STATE_SENT
		}) {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the letters are not all recorded as sent: %v", msgs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// theOne is the only message that matches, failing the test unless there
// is exactly one.
func theOne(t *testing.T, all []*rdv1.CaseMessage, what string, match func(*rdv1.CaseMessage) bool) *rdv1.CaseMessage {
	t.Helper()
	var found []*rdv1.CaseMessage
	for _, m := range all {
		if match(m) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages are %s, want 1: %v", len(found), what, all)
	}
	return found[0]
}

func TestListCaseMessagesOverGRPC(t *testing.T) {
	as, c := correspondenceCase(t)
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["viewer"])

	all := waitSent(t, client, ctx, c.GetName())
	ack := theOne(t, all, "the acknowledgement", func(m *rdv1.CaseMessage) bool { return m.GetKind() == rdv1.MessageKind_MESSAGE_KIND_ACKNOWLEDGEMENT })
	reply := theOne(t, all, "in", func(m *rdv1.CaseMessage) bool { return m.GetDirection() == rdv1.MessageDirection_MESSAGE_DIRECTION_IN })
	if !strings.HasPrefix(ack.GetName(), c.GetName()+"/messages/") || ack.GetDirection() != rdv1.MessageDirection_MESSAGE_DIRECTION_OUT ||
		ack.GetChannel() != rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL ||
		ack.GetTo() != "ada@example.org" || ack.GetOn() != "2026-05-01" || ack.GetTemplate() == "" || ack.GetTemplateVersion() == "" ||
		len(ack.GetTextSha256()) != 64 || ack.GetSubject() == "" || ack.GetCreateTime() == nil {
		t.Errorf("the acknowledgement is listed as %v", ack)
	}
	if d := ack.GetDelivery(); d.GetAttempts() != 1 || d.GetSentTime() == nil || d.GetLastError() != "" {
		t.Errorf("the acknowledgement's delivery is %v, want sent at the first attempt", d)
	}
	if reply.GetKind() != rdv1.MessageKind_MESSAGE_KIND_REPLY || reply.GetOn() != "2026-04-29" || reply.GetDelivery() != nil || reply.GetTo() != "" {
		t.Errorf("the reply is listed as %v", reply)
	}
	for i, m := range all {
		if m.GetText() != "" || m.GetHtml() != "" {
			t.Errorf("the list carries the text of %s; only GetCaseMessage should", m.GetName())
		}
		if i > 0 && m.GetOn() < all[i-1].GetOn() {
			t.Errorf("%s (%s) is listed after %s (%s): want oldest first", m.GetName(), m.GetOn(), all[i-1].GetName(), all[i-1].GetOn())
		}
	}

	// One at a time, the tokens lead through the same list; the last page has none.
	var paged []string
	token := ""
	for range len(all) {
		page, err := client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: c.GetName(), PageSize: 1, PageToken: token})
		if err != nil || len(page.GetMessages()) != 1 {
			t.Fatalf("page %d of one = %v, %v", len(paged)+1, page, err)
		}
		paged, token = append(paged, page.GetMessages()[0].GetName()), page.GetNextPageToken()
		if (token == "") != (len(paged) == len(all)) {
			t.Fatalf("page %d of %d has next_page_token %q", len(paged), len(all), token)
		}
	}
	var want []string
	for _, m := range all {
		want = append(want, m.GetName())
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paging one at a time gave %v, want %v", paged, want)
	}
	first, err := client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: c.GetName(), PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	other := "cases/" + strings.Repeat("0", 26)
	_, err = client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: other, PageToken: first.GetNextPageToken()})
	assertFieldViolation(t, err, "page_token")
	_, err = client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: "cases/not-an-id"})
	assertFieldViolation(t, err, "parent")
	if _, err := client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: other}); status.Code(err) != codes.NotFound {
		t.Errorf("messages of no case: %v, want NotFound", err)
	}

	got, err := client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: ack.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.GetText(), c.GetReference()) || got.GetTextSha256() != ack.GetTextSha256() {
		t.Errorf("the acknowledgement's text lacks the reference %s or its hash changed", c.GetReference())
	}
	if c.GetStatusToken() == "" {
		t.Fatal("CreateCase gave no status code")
	}
	if strings.Contains(got.GetText(), c.GetStatusToken()) || strings.Contains(got.GetText(), cases.GroupStatusCode(c.GetStatusToken())) {
		t.Error("the kept acknowledgement holds the status code: only the requester's copy may")
	}
	got, err = client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: reply.GetName()})
	if err != nil || got.GetText() != requesterReply {
		t.Errorf("the reply reads %q, %v; want %q", got.GetText(), err, requesterReply)
	}
	if _, err := client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: c.GetName() + "/messages/x9"}); status.Code(err) != codes.NotFound {
		t.Errorf("an unknown message: %v, want NotFound", err)
	}
	_, err = client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: c.GetName() + "/messages/../events"})
	assertFieldViolation(t, err, "name")

	if _, err := client.ListCaseMessages(t.Context(), &rdv1.ListCaseMessagesRequest{Parent: c.GetName()}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("listing messages without a token: %v, want Unauthenticated", err)
	}
	if _, err := client.GetCaseMessage(t.Context(), &rdv1.GetCaseMessageRequest{Name: ack.GetName()}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("reading a message without a token: %v, want Unauthenticated", err)
	}
}

func TestListCaseMessagesOverREST(t *testing.T) {
	as, c := correspondenceCase(t)
	waitSent(t, rdv1.NewCaseServiceClient(as.conn), metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["viewer"]), c.GetName())
	get := func(path, token string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, as.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("GET %s: body is not JSON: %v", path, err)
		}
		return resp.StatusCode, body
	}
	messages := func(body map[string]any) []map[string]any {
		list, _ := body["messages"].([]any)
		out := make([]map[string]any, 0, len(list))
		for _, m := range list {
			out = append(out, m.(map[string]any))
		}
		return out
	}

	path := "/v1/" + c.GetName() + "/messages"
	code, body := get(path, as.tokens["viewer"])
	all := messages(body)
	if code != http.StatusOK || len(all) < 2 {
		t.Fatalf("GET %s = %d %v", path, code, body)
	}
	code, body = get(path+"?page_size=1", as.tokens["viewer"])
	first := messages(body)
	token, _ := body["next_page_token"].(string)
	if code != http.StatusOK || len(first) != 1 || first[0]["name"] != all[0]["name"] || first[0]["text"] != nil || token == "" {
		t.Fatalf("GET %s?page_size=1 = %d %v", path, code, body)
	}
	code, body = get(path+"?page_size=1&page_token="+token, as.tokens["viewer"])
	if second := messages(body); code != http.StatusOK || len(second) != 1 || second[0]["name"] != all[1]["name"] {
		t.Fatalf("second page = %d %v", code, body)
	}
	var ack map[string]any
	for _, m := range all {
		if m["kind"] == "MESSAGE_KIND_ACKNOWLEDGEMENT" {
			ack = m
		}
	}
	if delivery, _ := ack["delivery"].(map[string]any); ack["direction"] != "MESSAGE_DIRECTION_OUT" || delivery["state"] != "DELIVERY_STATE_SENT" {
		t.Fatalf("no acknowledgement sent among %v", all)
	}
	code, body = get("/v1/"+ack["name"].(string), as.tokens["viewer"])
	if text, _ := body["text"].(string); code != http.StatusOK || !strings.Contains(text, c.GetReference()) {
		t.Errorf("GET the acknowledgement = %d %v", code, body)
	}
	if code, body := get("/v1/"+c.GetName()+"/messages/x9", as.tokens["viewer"]); code != http.StatusNotFound {
		t.Errorf("GET an unknown message = %d %v, want 404", code, body)
	}
	if code, body := get(path+"?page_token=garbage", as.tokens["viewer"]); code != http.StatusBadRequest {
		t.Errorf("GET with a bad page token = %d %v, want 400", code, body)
	}
	if code, body := get(path, ""); code != http.StatusUnauthorized {
		t.Errorf("GET %s without a token = %d %v, want 401", path, code, body)
	}
}
