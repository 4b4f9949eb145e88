package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// postalCase is a request logged by staff from someone who gave a postal
// address and no email address, extended, so its extension notice waits
// to be printed.
func postalCase(t *testing.T) (*site, *cases.Case, cases.Message) {
	t.Helper()
	s := newSiteWith(t, nil, casework.SendLetters(caseworktest.Letters(t)))
	ctx := context.Background()
	res, err := s.work.Create(ctx, "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}}, Rights: []notice.Right{notice.RightAccess},
		Channel: cases.ChannelPost, ReceivedOn: "2026-03-02",
		Requester: cases.Requester{Person: cases.Person{Name: "Alex Example", PostalAddress: "Flat 2, 10 Sample Road, Testtown, TT1 1TT"}, Relationship: cases.RelationshipSelf}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.work.Apply(ctx, "token:test", res.Case.ID, "", cases.Extend{Reason: "Your records are held in four separate systems.", Months: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Messages) != 1 || !c.Messages[0].ToPrint() {
		t.Fatalf("the extension of a postal case queued %+v, want one letter to print", c.Messages)
	}
	return s, c, c.Messages[0]
}

// pdfText is what pdftotext reads in a PDF, or the test is skipped, saying
// so, where pdftotext is not installed (CI installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed: cannot read the letter's PDF back")
	}
	file := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "-layout", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestALetterForPostIsDownloadedAsAPDFAndMarkedPosted(t *testing.T) {
	s, c, m := postalCase(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")

	download := "/staff/cases/" + c.ID + "/messages/" + m.ID + "/letter.pdf"
	posted := "/staff/cases/" + c.ID + "/messages/" + m.ID + "/posted"
	_, page := b.get("/staff/cases/" + c.ID)
	list := between(t, page, `id="correspondence-list"`, `</table>`)
	for _, want := range []string{"Extension notice", "Post", "To print", `href="` + download + `"`, "Download PDF", `action="` + posted + `"`, "Mark as posted"} {
		if !strings.Contains(list, want) {
			t.Errorf("the correspondence lacks %q:\n%s", want, list)
		}
	}
	if _, msgPage := b.get("/staff/cases/" + c.ID + "/messages/" + m.ID); !strings.Contains(msgPage, `href="`+download+`"`) || !strings.Contains(msgPage, `action="`+posted+`"`) {
		t.Error("the letter's own page has no PDF to download or no Mark as posted")
	}

	resp, body := b.get(download)
	h := resp.Header
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("download: %d, %.20q", resp.StatusCode, body)
	}
	if h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != "attachment; filename=letter-"+m.ID+".pdf" ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download headers: %v", h)
	}
	due, err := time.Parse(time.DateOnly, c.Clock.Due)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, []byte(body))), " ")
	for _, want := range []string{
		"Our reference: " + c.Reference, "We will reply by " + due.Format("2 January 2006"),
		"Alex Example", "Flat 2", "10 Sample Road", "Testtown", "TT1 1TT", // the window
		caseworktest.Organisation.Name, "1 Example Street", // the sender's block
		"Your records are held in four separate systems.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not read back %q:\n%s", want, text)
		}
	}

	resp, _ = b.post(posted, url.Values{"csrf_token": {csrfIn(t, page)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark as posted: %d", resp.StatusCode)
	}
	_, after := b.get(resp.Header.Get("Location"))
	list = between(t, after, `id="correspondence-list"`, `</table>`)
	if !strings.Contains(after, "Letter marked as posted today") || !strings.Contains(list, "Posted") || strings.Contains(list, "To print") || strings.Contains(list, `action="`+posted+`"`) {
		t.Errorf("after marking it posted the page says:\n%s", list)
	}
	if got := s.get(c.ID).Messages[0]; got.Delivery.State != cases.DeliverySent || got.Delivery.SentAt == nil {
		t.Errorf("the letter's delivery is %+v, want sent", got.Delivery)
	}
	// Posting it twice is refused; the PDF stays to be printed again.
	if resp, _ := b.post(posted, url.Values{"csrf_token": {csrfIn(t, after)}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("marking it posted twice: %d, want 422 (refused)", resp.StatusCode)
	}
	if resp, _ := b.get(download); resp.StatusCode != http.StatusOK {
		t.Errorf("the PDF of a posted letter: %d", resp.StatusCode)
	}
	if log := s.log.String(); strings.Contains(log, "Alex") || strings.Contains(log, "Sample Road") {
		t.Errorf("the log holds personal data:\n%s", log)
	}
}

func TestOnlyACaseworkerMarksALetterPosted(t *testing.T) {
	s, c, m := postalCase(t)
	s.user("viewer@example.org", auth.RoleViewer)
	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	posted := "/staff/cases/" + c.ID + "/messages/" + m.ID + "/posted"
	_, page := viewer.get("/staff/cases/" + c.ID)
	if strings.Contains(page, `action="`+posted+`"`) || !strings.Contains(page, "Download PDF") {
		t.Error("a viewer should see the PDF to download and no Mark as posted")
	}
	if resp, _ := viewer.post(posted, url.Values{"csrf_token": {csrfIn(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer marking it posted: %d, want 403", resp.StatusCode)
	}
	if !s.get(c.ID).Messages[0].ToPrint() {
		t.Error("a viewer's refused Mark as posted changed the letter")
	}
	anon := s.browser()
	if resp, body := anon.get("/staff/cases/" + c.ID + "/messages/" + m.ID + "/letter.pdf"); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(body, "%PDF") {
		t.Errorf("anonymous download: %d", resp.StatusCode)
	}
}

func TestAnEmailHasNoPDF(t *testing.T) {
	s, c, _ := undeliveredCase(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	id := c.Messages[0].ID
	if resp, _ := b.get("/staff/cases/" + c.ID + "/messages/" + id + "/letter.pdf"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the PDF of an email: %d, want 422 (refused)", resp.StatusCode)
	}
	if resp, _ := b.get("/staff/cases/" + c.ID + "/messages/01NOSUCHMESSAGE0000000000/letter.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the PDF of no letter: %d, want 404", resp.StatusCode)
	}
	if _, page := b.get("/staff/cases/" + c.ID); strings.Contains(page, "Download PDF") || strings.Contains(page, "Mark as posted") {
		t.Error("an email is offered as a PDF or to mark posted")
	}
}
