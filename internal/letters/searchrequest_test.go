package letters_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A search request and its chaser go to the data owner: they name the
// case by its reference, the system, the due date and the link, and
// nothing of the requester (their name, address or what they asked).
func TestSearchRequestLettersNameTheTaskAndNotTheRequester(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	send := cases.SendSearchRequest{Owner: "Grace Hopper", Email: "grace@example.org", Source: "HR records system", Due: "2026-03-25", LinkHash: bytes.Repeat([]byte{1}, cases.SearchLinkHashSize)}
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk"}}, []notice.Right{notice.RightAccess}, send)
	const link = "https://rights.example.org/search/TOKEN"
	for _, kind := range []letters.Kind{letters.KindSearchRequest, letters.KindSearchChaser} {
		t.Run(string(kind), func(t *testing.T) {
			l := write(t, w, kind, letters.Facts{Case: c, Notice: finder(ns), SearchRequest: "r1", SearchLink: link})
			for _, want := range []string{c.Reference, "HR records system", "25 March 2026", link, "8 April 2026", "Dear Grace Hopper"} {
				if !strings.Contains(l.Text, want) {
					t.Errorf("the letter lacks %q:\n%s", want, l.Text)
				}
			}
			for _, personal := range []string{requester.Person.Name, requester.Person.Email, "Sample Road"} {
				if strings.Contains(l.Text, personal) || strings.Contains(l.HTML, personal) {
					t.Errorf("the owner's letter names the requester (%q)", personal)
				}
			}
			if l.Kind != kind || l.Template != string(kind) || l.TemplateVersion == "" || l.TextHash == "" {
				t.Errorf("letter %+v lacks its template record", l)
			}
		})
	}
	t.Run("an unknown request", func(t *testing.T) {
		_, err := w.Write(letters.KindSearchRequest, letters.Facts{Case: c, Notice: finder(ns), On: today, SearchRequest: "r9", SearchLink: link})
		if err == nil || !strings.Contains(err.Error(), `no search request "r9"`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no link", func(t *testing.T) {
		_, err := w.Write(letters.KindSearchRequest, letters.Facts{Case: c, Notice: finder(ns), On: today, SearchRequest: "r1"})
		if err == nil || !strings.Contains(err.Error(), "needs the owner's link") {
			t.Errorf("err = %v", err)
		}
	})
}
