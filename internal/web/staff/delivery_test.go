package staff_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func TestTheCasePageLogsTheResponsesDelivery(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleViewer)
	c := s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	if _, page := b.get("/staff/cases/" + c.ID); strings.Contains(page, `id="delivery"`) {
		t.Fatal("the case page shows the delivery of a pack not released")
	}
	hash := bytes.Repeat([]byte{1}, 32)
	for _, step := range []struct {
		actor string
		cmd   cases.Command
	}{
		{"token:alice", cases.SubmitForReview{}}, {"token:bob", cases.ApproveReview{}}, {"token:alice", cases.ReleasePack{}},
		{cases.RequesterActor, cases.SendDeliveryCode{Hash: hash}}, {cases.RequesterActor, cases.RefuseDeliveryCode{}},
		{cases.RequesterActor, cases.DownloadPack{Hash: hash}},
	} {
		if _, err := s.work.Apply(context.Background(), step.actor, c.ID, "", step.cmd); err != nil {
			t.Fatalf("%s: %v", step.cmd.Action(), err)
		}
	}
	_, page := b.get("/staff/cases/" + c.ID)
	for _, want := range []string{`id="delivery"`, "after a one-time code sent to their email address", "until 9 April 2026",
		"1 one-time code sent to the requester", "1 code refused", "Downloaded by the requester at 10:00am on 10 March 2026"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page does not say %q", want)
		}
	}
}
