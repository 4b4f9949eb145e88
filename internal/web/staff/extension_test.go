package staff_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// receivedOn opens an access request received on the given day.
func (s *site) receivedOn(day string) *cases.Case {
	s.t.Helper()
	res, err := s.work.Create(context.Background(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
		Rights: []notice.Right{notice.RightAccess}, Channel: cases.ChannelEmail, ReceivedOn: day,
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Case
}

func TestAnExtensionStillToDecideIsFlaggedInTheQueueAndOnTheCase(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	// On Tue 10 Mar: the first period of one ends Thu 12 Mar, of the other 2 Apr.
	soon := s.receivedOn("2026-02-12")
	later := s.receivedOn("2026-03-02")
	b := s.browser()
	b.signIn("cw@example.org")

	const tag = "Extension must be decided by 12 Mar 2026"
	resp, queue := b.get("/staff/?view=extension")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("extension view: status %d", resp.StatusCode)
	}
	if got := rowIDs(queue); !slices.Equal(got, []string{soon.ID}) {
		t.Errorf("the extension view lists %v, want only %s", got, soon.ID)
	}
	if !strings.Contains(queue, `aria-current="page">Extension to decide</a>`) || !strings.Contains(queue, tag) {
		t.Errorf("the extension view is not the current tab, or lacks the tag %q", tag)
	}

	_, all := b.get("/staff/")
	if got := rowIDs(all); len(got) != 2 || strings.Count(all, "Extension must be decided by") != 1 {
		t.Errorf("all open: %d rows, %d extension tags; want 2 rows, one tag", len(got), strings.Count(all, "Extension must be decided by"))
	}

	_, page := b.get("/staff/cases/" + soon.ID)
	if !strings.Contains(page, `id="extension-due"`) || !strings.Contains(page, tag) {
		t.Errorf("the case page of %s lacks the extension flag", soon.Reference)
	}
	_, page = b.get("/staff/cases/" + later.ID)
	if strings.Contains(page, "Extension must be decided by") {
		t.Errorf("the case page of %s flags an extension a month away", later.Reference)
	}

	// Once extended, it is no longer flagged.
	if _, err := s.work.Apply(context.Background(), "token:test", soon.ID, soon.Etag(), cases.Extend{Reason: "complex"}); err != nil {
		t.Fatal(err)
	}
	if _, queue := b.get("/staff/?view=extension"); len(rowIDs(queue)) != 0 {
		t.Errorf("an extended case is still in the extension view")
	}
}
