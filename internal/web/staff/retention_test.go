package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// closedOn makes a case received on received and closed fulfilled on
// closed.
func (s *site) closedOn(received, closed string) *cases.Case {
	s.t.Helper()
	res, err := s.work.Create(context.Background(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
		Rights: []notice.Right{notice.RightAccess}, Channel: cases.ChannelEmail, ReceivedOn: received,
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	caseworktest.ReleasePack(s.t, s.work, res.Case.ID)
	c, err := s.work.Apply(context.Background(), "token:test", res.Case.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled, On: closed})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func figure(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^>]*>(\d+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the dashboard has no figure %s", id)
	}
	return m[1]
}

// The dashboard counts what the retention schedule will delete, each
// figure linking to the list, and the list names cases by reference only.
func TestDashboardShowsWhatIsDueForDeletion(t *testing.T) {
	sch, err := cases.ParseSchedule("fulfilled=1m")
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteWith(t, nil, casework.RetentionSchedule(sch))
	s.user("viewer@example.org", auth.RoleViewer)
	past := s.closedOn("2026-01-05", "2026-01-20") // due 20 February: past
	soon := s.closedOn("2026-02-20", "2026-03-01") // due 1 April: within 30 days
	held := s.closedOn("2026-01-05", "2026-01-21") // past, but held
	if _, err := s.work.Apply(context.Background(), "user:admin", held.ID, "", cases.SetLegalHold{Held: true, Reason: "Tribunal claim"}); err != nil {
		t.Fatal(err)
	}
	s.openCase()
	b := s.browser()
	b.signIn("viewer@example.org")
	_, page := b.get("/staff/dashboard")
	for id, want := range map[string]string{"retention-overdue": "1", "retention-due-soon": "1", "retention-held": "1", "retention-purged": "0"} {
		if got := figure(t, page, id); got != want {
			t.Errorf("dashboard %s = %s, want %s", id, got, want)
		}
	}
	// The dashboard shows no count of open cases, so it does not make one.
	if n := s.retention.fullPlans.Load(); n != 0 {
		t.Errorf("the dashboard asked for %d full plans, counting every open case", n)
	}
	resp, list := b.get("/staff/retention")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the retention list: status %d", resp.StatusCode)
	}
	purge, rest, _ := strings.Cut(list, `id="held"`)
	if !strings.Contains(purge, past.Reference) || strings.Contains(purge, held.Reference) || strings.Contains(list, soon.Reference) {
		t.Errorf("the list's first section should name %s alone", past.Reference)
	}
	if !strings.Contains(rest, held.Reference) || !strings.Contains(rest, "on legal hold") {
		t.Errorf("the held case is not listed as kept, with why")
	}
	if strings.Contains(list, "Ada") || strings.Contains(list, "Tribunal") {
		t.Error("the list shows personal data")
	}
}

// Legal hold is an administrator's page: a caseworker is not offered it;
// an administrator sets it with a reason, sees it on the case page, and
// releases it.
func TestLegalHoldPage(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("admin@example.org", auth.RoleAdmin)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")
	if resp, _ := cw.get("/staff/cases/" + c.ID + "/legal-hold"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a caseworker opening the legal hold page: status %d, want 403", resp.StatusCode)
	}
	admin := s.browser()
	admin.signIn("admin@example.org")
	resp, page := admin.get("/staff/cases/" + c.ID + "/legal-hold")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="hold-reason"`) {
		t.Fatalf("the legal hold page: status %d", resp.StatusCode)
	}
	resp, page = admin.send(c.ID, "legal-hold", url.Values{"hold-reason": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "govuk-error-summary") || !strings.Contains(page, "Give the reason") {
		t.Errorf("a hold without a reason: status %d, want the page again with the error", resp.StatusCode)
	}
	if banner := admin.done(admin.send(c.ID, "legal-hold", url.Values{"hold-reason": {"Tribunal claim"}})); !strings.HasPrefix(banner, "Case put on legal hold") {
		t.Errorf("banner after holding: %q", banner)
	}
	_, page = admin.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, `id="legal-hold"`) || !strings.Contains(page, "Tribunal claim") {
		t.Error("the case page does not show the hold")
	}
	if banner := admin.done(admin.send(c.ID, "legal-hold", url.Values{"hold-reason": {"Settled"}})); !strings.HasPrefix(banner, "Legal hold released") {
		t.Errorf("banner after releasing: %q", banner)
	}
}

// A purged case's page shows what is left and offers nothing to do.
func TestAPurgedCasePageSaysItsDataIsGone(t *testing.T) {
	s := newSite(t, nil)
	s.user("admin@example.org", auth.RoleAdmin)
	c := s.closedOn("2026-02-20", "2026-03-01")
	if _, err := s.work.PurgeCase(context.Background(), "user:admin", c.ID, cases.PurgeErasure); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("admin@example.org")
	resp, page := b.get("/staff/cases/" + c.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="purged"`) || !strings.Contains(page, c.Reference) {
		t.Fatalf("the purged case's page: status %d", resp.StatusCode)
	}
	if strings.Contains(page, "Ada") || strings.Contains(page, `id="actions"`) || strings.Contains(page, `id="next-action"`) {
		t.Error("the purged case's page shows the requester or offers an action")
	}
}
