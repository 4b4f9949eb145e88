package app_test

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
)

// The days of the request's life on the server's clock: sent on a Monday,
// identity asked for the next day, the reply a week after that, the
// extension the Monday after and the response that Friday. The reply
// falls days after the receipt so that the clock restarting from it moves
// the due date.
const (
	sentOn     = "2026-03-02"
	askedOn    = "2026-03-03"
	repliedOn  = "2026-03-10"
	extendedOn = "2026-03-16"
	closedOn   = "2026-03-20"
)

// The requester's answers to the public form's questions, by page: an
// access request for themselves about the IT Service Desk.
var formAnswers = map[string]url.Values{
	"rights":   {"rights": {"access"}},
	"services": {"services": {"it-service-desk"}},
	"who":      {"who": {"self"}},
	"details":  {"full-name": {"Ada Lovelace"}, "email": {"ada@example.org"}},
	"find":     {},
	"check":    {"declaration": {"yes"}},
}

// idDocument is the small PDF the requester sends as proof of identity.
var idDocument = []byte("%PDF-1.4\n% a one-line test document standing for a staff pass\n%%EOF\n")

// Issue 14's acceptance, through the doors people use: a request made on
// the public web form is acknowledged by email; staff (over the API) ask
// for proof of identity and the email says what is needed; the requester
// replies with a PDF from the status page, which restarts the clock from
// the reply's date, and staff see the reply and download the file; the
// extension notice goes before the first period ends; closing sends the
// response. Every letter reached the relay once, each is in the
// correspondence and in the audit trail with its template, version and
// hash, and the audit chain verifies.
func TestARequestsWholeCorrespondenceThroughTheDoors(t *testing.T) {
	clk := clock.NewManual(at(t, sentOn))
	s := startWithRelay(t, func(cfg *app.Config) {
		cfg.Server.Clock = clk
		cfg.DigestTime = app.DigestOff // the staff digest would add emails of its own
	})
	site := &replica{App: s.app}
	casesAPI := rdv1.NewCaseServiceClient(s.conn)
	deadlines := rdv1.NewDeadlineServiceClient(s.conn)
	staffCtx := caseworkerToken(t, rdv1.NewAdminServiceClient(s.conn), s.admin)
	setDay := func(day string) { t.Helper(); clk.Advance(at(t, day).Sub(clk.Now())) }

	// The request, through the public form.
	requester := newWeb(t)
	reference, code, confirmation := requester.requestThroughTheForm(site, formAnswers)
	t.Logf("request %s sent through the public form", reference)
	c := caseByReference(t, casesAPI, staffCtx, reference)
	firstDue := c.GetClock().GetDue()
	if c.GetReceivedOn() != sentOn || c.GetChannel() != rdv1.ReceivedChannel_RECEIVED_CHANNEL_WEB {
		t.Errorf("%s: received %s by %s; want %s on the web", reference, c.GetReceivedOn(), c.GetChannel(), sentOn)
	}
	if !strings.Contains(confirmation, "We must respond by <strong>"+longDate(t, firstDue)+"</strong>") {
		t.Errorf("%s: the confirmation page does not give the case's due date %s", reference, firstDue)
	}
	ack := emailAt(t, s.relay, 1)
	ack.says(t, "the acknowledgement", "We have received your request", reference, longDate(t, firstDue))

	// Staff ask for proof of identity.
	setDay(askedOn)
	const needed = "A copy of your staff pass."
	c, err := casesAPI.RequestIdentity(staffCtx, &rdv1.RequestIdentityRequest{Name: c.GetName(), Etag: c.GetEtag(), Detail: needed})
	if err != nil {
		t.Fatal(err)
	}
	if !c.GetClock().GetPaused() || c.GetWaitingFor() != rdv1.WaitingFor_WAITING_FOR_IDENTITY {
		t.Errorf("%s: after the identity request the clock is paused=%v waiting for %s", reference, c.GetClock().GetPaused(), c.GetWaitingFor())
	}
	asked := emailAt(t, s.relay, 2)
	asked.says(t, "the identity request", "We need to confirm who you are", reference, needed)

	// The requester replies from the status page with the document.
	setDay(repliedOn)
	const replyText = "Here is my staff pass."
	sent := requester.replyFromTheStatusPage(site, reference, code, replyText, "staff-pass.pdf", idDocument)
	c = getCase(t, casesAPI, staffCtx, c.GetName())
	restarted, err := deadlines.CalculateDeadline(t.Context(), &rdv1.CalculateDeadlineRequest{
		Regime: rdv1.Regime_REGIME_UK_GDPR, Region: c.GetRegion(), Received: sentOn, IdentityReceived: repliedOn,
	})
	if err != nil {
		t.Fatal(err)
	}
	restartedClock := c.GetClock()
	if restarted.GetClockStart() != repliedOn || restarted.GetStatutoryDue() == firstDue {
		t.Fatalf("the deadline engine starts the clock on %s, due %s (first due %s); want it restarted from the reply day %s",
			restarted.GetClockStart(), restarted.GetStatutoryDue(), firstDue, repliedOn)
	}
	if restartedClock.GetClockStart() != repliedOn || restartedClock.GetStatutoryDue() != restarted.GetStatutoryDue() || restartedClock.GetDue() != restarted.GetDue() ||
		restartedClock.GetPaused() || c.GetState() != rdv1.CaseState_CASE_STATE_IN_PROGRESS {
		t.Errorf("%s after the reply: state %s, clock start %s, statutory due %s, due %s, paused %v; want in progress from %s, due %s as the deadline engine says",
			reference, c.GetState(), restartedClock.GetClockStart(), restartedClock.GetStatutoryDue(), restartedClock.GetDue(), restartedClock.GetPaused(), repliedOn, restarted.GetDue())
	}
	if !strings.Contains(sent, "starts again from today") || !strings.Contains(sent, longDate(t, restarted.GetDue())) {
		t.Errorf("%s: the reply-sent page does not say the time starts again, due %s", reference, restarted.GetDue())
	}
	staffSeeTheReply(t, site, c, replyText, "staff-pass.pdf", idDocument)
	in := messagesOf(t, casesAPI, staffCtx, c.GetName(), rdv1.MessageDirection_MESSAGE_DIRECTION_IN)
	if len(in) != 1 || in[0].GetKind() != rdv1.MessageKind_MESSAGE_KIND_REPLY || in[0].GetChannel() != rdv1.ReceivedChannel_RECEIVED_CHANNEL_WEB ||
		in[0].GetOn() != repliedOn || in[0].GetRecordedBy() != "requester" {
		t.Errorf("%s: the correspondence's incoming messages are %v; want the reply from the status page on %s", reference, envelopes(in), repliedOn)
	}

	// Staff extend the time, and the notice goes within the first period.
	setDay(extendedOn)
	firstPeriodEnds, noticeBy := restartedClock.GetStatutoryDue(), restartedClock.GetExtensionNoticeBy()
	const why = "Records are held in four systems."
	if c, err = casesAPI.ExtendCase(staffCtx, &rdv1.ExtendCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Reason: why, Months: 2}); err != nil {
		t.Fatal(err)
	}
	extended, err := deadlines.CalculateDeadline(t.Context(), &rdv1.CalculateDeadlineRequest{
		Regime: rdv1.Regime_REGIME_UK_GDPR, Region: c.GetRegion(), Received: sentOn, IdentityReceived: repliedOn,
		Extension: &rdv1.DeadlineExtension{GrantedOn: extendedOn, Reason: why, Months: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	if g := c.GetExtension().GetGrantedOn(); g != extendedOn || g > noticeBy || g > firstPeriodEnds || c.GetClock().GetDue() != extended.GetDue() {
		t.Errorf("%s: extension granted on %s (notice by %s, first period ends %s), due %s; want it granted on %s in time, due %s",
			reference, g, noticeBy, firstPeriodEnds, c.GetClock().GetDue(), extendedOn, extended.GetDue())
	}
	notice := emailAt(t, s.relay, 3)
	notice.says(t, "the extension notice", "We need more time to reply to your request", reference, why,
		longDate(t, firstPeriodEnds), longDate(t, extended.GetDue()))
	extensionLetter := lastOut(t, casesAPI, staffCtx, c.GetName(), rdv1.MessageKind_MESSAGE_KIND_EXTENSION)
	if sentTime := awaitSent(t, casesAPI, staffCtx, extensionLetter.GetName()).GetDelivery().GetSentTime(); sentTime.AsTime().Format(time.DateOnly) > firstPeriodEnds {
		t.Errorf("%s: the extension notice was sent on %s, after the first period ended on %s", reference, sentTime.AsTime().Format(time.DateOnly), firstPeriodEnds)
	}

	// Staff record where they looked and close the request with its response.
	setDay(closedOn)
	const searched = "Staff directory"
	if _, err = casesAPI.RecordSearch(staffCtx, &rdv1.RecordSearchRequest{Name: c.GetName(), Source: searched, Found: "One staff record."}); err != nil {
		t.Fatal(err)
	}
	c = getCase(t, casesAPI, staffCtx, c.GetName())
	// The extension notice was sent; the pack is checked by a second
	// person (the administrator) and released; then the case can close.
	for _, task := range c.GetTasks() {
		if task.GetKind() == rdv1.TaskKind_TASK_KIND_EXTENSION_NOTICE {
			if c, err = casesAPI.CompleteTask(staffCtx, &rdv1.CompleteTaskRequest{Name: c.GetName(), TaskId: task.GetId(), State: rdv1.TaskState_TASK_STATE_DONE}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, step := range []func() (*rdv1.Case, error){
		func() (*rdv1.Case, error) {
			return casesAPI.SubmitForReview(staffCtx, &rdv1.SubmitForReviewRequest{Name: c.GetName()})
		},
		func() (*rdv1.Case, error) {
			return casesAPI.ApproveReview(s.admin, &rdv1.ApproveReviewRequest{Name: c.GetName()})
		},
		func() (*rdv1.Case, error) {
			return casesAPI.ReleasePack(staffCtx, &rdv1.ReleasePackRequest{Name: c.GetName()})
		},
	} {
		if c, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = casesAPI.CloseCase(staffCtx, &rdv1.CloseCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED}); err != nil {
		t.Fatal(err)
	}
	if !c.GetOutcome().GetOnTime() || c.GetOutcome().GetClosedOn() != closedOn {
		t.Errorf("%s: outcome %v; want closed on time on %s", reference, c.GetOutcome(), closedOn)
	}
	response := emailAt(t, s.relay, 4)
	response.says(t, "the response", reference, searched)

	// Every letter once, in the correspondence and in the audit chain.
	emails := []email{ack, asked, notice, response}
	out := messagesOf(t, casesAPI, staffCtx, c.GetName(), rdv1.MessageDirection_MESSAGE_DIRECTION_OUT)
	kinds := []rdv1.MessageKind{rdv1.MessageKind_MESSAGE_KIND_ACKNOWLEDGEMENT, rdv1.MessageKind_MESSAGE_KIND_IDENTITY_REQUEST,
		rdv1.MessageKind_MESSAGE_KIND_EXTENSION, rdv1.MessageKind_MESSAGE_KIND_RESPONSE}
	if len(out) != len(kinds) {
		t.Fatalf("%s: the correspondence has %d letters out: %v; want %d", reference, len(out), envelopes(out), len(kinds))
	}
	for i, m := range out {
		m = awaitSent(t, casesAPI, staffCtx, m.GetName())
		if m.GetKind() != kinds[i] || m.GetDelivery().GetState() != rdv1.DeliveryState_DELIVERY_STATE_SENT || m.GetDelivery().GetAttempts() != 1 {
			t.Errorf("%s: letter %d is %s, %s after %d attempts; want %s sent at the first", reference, i+1, m.GetKind(), m.GetDelivery().GetState(), m.GetDelivery().GetAttempts(), kinds[i])
		}
		if id := messageID(m); emails[i].messageID != id || emails[i].subject != m.GetSubject() || !slices.Equal(emails[i].to, []string{"ada@example.org"}) {
			t.Errorf("%s: email %d is letter %s (%q), want letter %s (%q) to the requester", reference, i+1, emails[i].messageID, emails[i].subject, id, m.GetSubject())
		}
		if m.GetTemplate() == "" || m.GetTemplateVersion() == "" || len(m.GetTextSha256()) != 64 {
			t.Errorf("%s: letter %s lacks its template (%q), version (%q) or hash (%q)", reference, messageID(m), m.GetTemplate(), m.GetTemplateVersion(), m.GetTextSha256())
		}
	}
	if n := len(s.relay.Messages()); n != len(kinds) {
		t.Errorf("%s: the relay holds %d emails, want each of the %d letters once", reference, n, len(kinds))
	}
	auditHasEveryMessage(t, casesAPI, staffCtx, c.GetName(), out)
	verified, err := rdv1.NewAdminServiceClient(s.conn).VerifyAudit(s.admin, &rdv1.VerifyAuditRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !verified.GetIntact() || verified.GetEvents() == 0 {
		t.Errorf("audit verify: %d events, intact %v, broken at %d: %s", verified.GetEvents(), verified.GetIntact(), verified.GetBrokenAt(), verified.GetReason())
	}
}

// at is 10:00 UTC (GMT in March) on an ISO day.
func at(t *testing.T, day string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(10 * time.Hour)
}

// longDate is an ISO day as letters and pages write it, "2 March 2026".
func longDate(t *testing.T, day string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatalf("%q is not a date", day)
	}
	return d.Format("2 January 2006")
}

// caseworkerToken makes a caseworker's API token over the admin API, as an
// administrator does, and returns a context that presents it.
func caseworkerToken(t *testing.T, admin rdv1.AdminServiceClient, adminCtx context.Context) context.Context {
	t.Helper()
	made, err := admin.CreateToken(adminCtx, &rdv1.CreateTokenRequest{DisplayName: "caseworker", Role: rdv1.Role_ROLE_CASEWORKER})
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+made.GetToken())
}

var (
	startButton    = regexp.MustCompile(`<a href="(/request/[a-z-]+)" role="button"[^>]*govuk-button--start`)
	shownReference = regexp.MustCompile(`id="reference">([^<]+)<`)
	shownCode      = regexp.MustCompile(`id="status-code">([^<]+)<`)
)

// requestThroughTheForm walks the public form as a person does: the start
// page's button, each question the site asks answered from answers, the
// check page, and the confirmation, whose reference number and status
// code (as shown, in groups) it returns with the page.
func (w *web) requestThroughTheForm(site *replica, answers map[string]url.Values) (reference, code, confirmation string) {
	w.t.Helper()
	start := w.send("GET", site, "/", "", nil)
	m := startButton.FindStringSubmatch(start.body)
	if start.status != http.StatusOK || m == nil {
		w.t.Fatalf("the start page: %d, start button found %v", start.status, m != nil)
	}
	path, asked := m[1], map[string]bool{}
	for range 2 * len(answers) { // a form that loops fails below, not by timing out
		p := w.send("GET", site, path, "", nil)
		if p.status != http.StatusOK {
			w.t.Fatalf("GET %s: %d", path, p.status)
		}
		if path == "/request/confirmation" {
			ref, code := shownReference.FindStringSubmatch(p.body), shownCode.FindStringSubmatch(p.body)
			if ref == nil || code == nil {
				w.t.Fatal("the confirmation page shows no reference number or no status code")
			}
			for slug := range answers {
				if !asked[slug] {
					w.t.Errorf("the form never asked the %s question", slug)
				}
			}
			return ref[1], code[1], p.body
		}
		slug := strings.TrimPrefix(path, "/request/")
		form, ok := answers[slug]
		if !ok {
			w.t.Fatalf("the form asked %s, which the test has no answer for", path)
		}
		asked[slug] = true
		sent := w.send("POST", site, path, "application/x-www-form-urlencoded", strings.NewReader(w.withToken(p.body, form).Encode()))
		if sent.status != http.StatusSeeOther {
			w.t.Fatalf("POST %s: %d, want 303 to the next page", path, sent.status)
		}
		path = sent.location
	}
	w.t.Fatalf("the form never reached its confirmation (last at %s)", path)
	return "", "", ""
}

// withToken is form with the anti-forgery token of the page it was read
// from, as a browser sends it.
func (w *web) withToken(formPage string, form url.Values) url.Values {
	w.t.Helper()
	m := csrfField.FindStringSubmatch(formPage)
	if m == nil {
		w.t.Fatal("the form page has no anti-forgery token")
	}
	out := url.Values{"csrf_token": {m[1]}}
	for k, v := range form {
		out[k] = v
	}
	return out
}

// replyFromTheStatusPage looks the request up on the status page and sends
// text and one file from its reply page, as a browser sends a form with
// files; it returns the page that confirms the reply.
func (w *web) replyFromTheStatusPage(site *replica, reference, code, text, fileName string, content []byte) string {
	w.t.Helper()
	lookup := w.send("GET", site, "/status", "", nil)
	found := w.send("POST", site, "/status", "application/x-www-form-urlencoded",
		strings.NewReader(w.withToken(lookup.body, url.Values{"reference": {reference}, "code": {code}}).Encode()))
	if found.status != http.StatusOK || !strings.Contains(found.body, `href="/status/reply"`) {
		w.t.Fatalf("the status lookup of %s: %d, reply link shown %v", reference, found.status, strings.Contains(found.body, `href="/status/reply"`))
	}
	form := w.send("GET", site, "/status/reply", "", nil)
	if form.status != http.StatusOK || !strings.Contains(form.body, `enctype="multipart/form-data"`) {
		w.t.Fatalf("the reply page of %s: %d", reference, form.status)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range w.withToken(form.body, url.Values{"reply": {text}}) {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	f, err := mw.CreateFormFile("files", fileName)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		w.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		w.t.Fatal(err)
	}
	sent := w.send("POST", site, "/status/reply", mw.FormDataContentType(), &body)
	if sent.status != http.StatusSeeOther || sent.location != "/status/reply/sent" {
		w.t.Fatalf("the reply to %s: %d to %q, want 303 to /status/reply/sent", reference, sent.status, sent.location)
	}
	confirmation := w.send("GET", site, sent.location, "", nil)
	if confirmation.status != http.StatusOK {
		w.t.Fatalf("the reply-sent page of %s: %d", reference, confirmation.status)
	}
	return confirmation.body
}

// staffSeeTheReply checks the reply as staff see it: over the API as the
// case's latest exchange, and on the staff case page with the document,
// which a signed-in caseworker downloads byte for byte.
func staffSeeTheReply(t *testing.T, site *replica, c *rdv1.Case, text, fileName string, content []byte) {
	t.Helper()
	ex := c.GetExchanges()
	if len(ex) == 0 {
		t.Fatalf("%s has no exchanges after the reply", c.GetReference())
	}
	last := ex[len(ex)-1]
	if last.GetKind() != rdv1.ExchangeKind_EXCHANGE_KIND_REPLIED || last.GetAbout() != rdv1.WaitingFor_WAITING_FOR_IDENTITY ||
		last.GetOn() != repliedOn || last.GetDetail() != text || last.GetRecordedBy() != "requester" {
		t.Errorf("%s: the latest exchange is a %s about %s on %s by %s (its words as sent: %v); want the requester's reply about identity on %s",
			c.GetReference(), last.GetKind(), last.GetAbout(), last.GetOn(), last.GetRecordedBy(), last.GetDetail() == text, repliedOn)
	}
	staff := newWeb(t)
	if code := staff.signIn(site, staffPassword); code != http.StatusSeeOther {
		t.Fatalf("staff sign-in: %d", code)
	}
	id := strings.TrimPrefix(c.GetName(), "cases/")
	page := staff.send("GET", site, "/staff/cases/"+id, "", nil)
	link := regexp.MustCompile(`href="(/staff/cases/` + id + `/documents/[^"]+)" download>` + regexp.QuoteMeta(fileName) + `<`).FindStringSubmatch(page.body)
	if page.status != http.StatusOK || link == nil || !strings.Contains(page.body, text) {
		t.Fatalf("the staff case page of %s: %d, document link shown %v, reply shown %v", c.GetReference(), page.status, link != nil, strings.Contains(page.body, text))
	}
	doc := staff.send("GET", site, link[1], "", nil)
	if doc.status != http.StatusOK || doc.header.Get("Content-Type") != "application/pdf" || doc.body != string(content) {
		t.Errorf("the document of %s: %d, %s, %d bytes; want the %d bytes of the PDF sent", c.GetReference(), doc.status, doc.header.Get("Content-Type"), len(doc.body), len(content))
	}
}

func getCase(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string) *rdv1.Case {
	t.Helper()
	c, err := api.GetCase(ctx, &rdv1.GetCaseRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// caseByReference finds the case of a reference among all cases, as the
// only one made by the form.
func caseByReference(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, reference string) *rdv1.Case {
	t.Helper()
	all, err := api.ListCases(ctx, &rdv1.ListCasesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.GetCases()) != 1 || all.GetCases()[0].GetReference() != reference {
		t.Fatalf("the server holds %d cases; want the one case %s the form made", len(all.GetCases()), reference)
	}
	return all.GetCases()[0]
}

// messagesOf is a case's correspondence in one direction, oldest first.
func messagesOf(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string, dir rdv1.MessageDirection) []*rdv1.CaseMessage {
	t.Helper()
	resp, err := api.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: name, PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []*rdv1.CaseMessage
	for _, m := range resp.GetMessages() {
		if m.GetDirection() == dir {
			out = append(out, m)
		}
	}
	return out
}

// lastOut is the latest letter of a kind in a case's correspondence.
func lastOut(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string, kind rdv1.MessageKind) *rdv1.CaseMessage {
	t.Helper()
	out := messagesOf(t, api, ctx, name, rdv1.MessageDirection_MESSAGE_DIRECTION_OUT)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].GetKind() == kind {
			return out[i]
		}
	}
	t.Fatalf("%s has no %s letter: %v", name, kind, envelopes(out))
	return nil
}

// awaitSent waits up to 10 s for the outbox to record a letter's delivery
// (it does so just after the relay accepts it) and returns the letter.
func awaitSent(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string) *rdv1.CaseMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := api.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if m.GetDelivery().GetState() == rdv1.DeliveryState_DELIVERY_STATE_SENT || time.Now().After(deadline) {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// messageID is a message's id within its case, the last part of its name.
func messageID(m *rdv1.CaseMessage) string {
	return m.GetName()[strings.LastIndex(m.GetName(), "/")+1:]
}

// envelopes describes messages for a failure, without their personal data.
func envelopes(ms []*rdv1.CaseMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = messageID(m) + " " + m.GetDirection().String() + " " + m.GetKind().String() + " " + m.GetOn()
	}
	return out
}

// auditHasEveryMessage checks that the case's audit trail records each
// letter queued with the template, version and hash the correspondence
// shows, and each one's delivery, and the requester's reply.
func auditHasEveryMessage(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string, out []*rdv1.CaseMessage) {
	t.Helper()
	events, err := api.ListCaseEvents(ctx, &rdv1.ListCaseEventsRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	queued, sent, replied := map[string]map[string]string{}, map[string]int{}, 0
	for _, e := range events.GetEvents() {
		switch e.GetAction() {
		case "case.message_queued":
			queued[e.GetAfter()["message_id"]] = e.GetAfter()
		case "case.message_sent":
			sent[e.GetAfter()["message_id"]]++
		case "case.requester_replied":
			if e.GetActor() == "requester" && e.GetTime().AsTime().Format(time.DateOnly) == repliedOn {
				replied++
			}
		}
	}
	for _, m := range out {
		id := messageID(m)
		q, ok := queued[id]
		if !ok {
			t.Errorf("%s: the audit trail has no case.message_queued for letter %s (%s)", name, id, m.GetKind())
			continue
		}
		if q["template"] != m.GetTemplate() || q["template_version"] != m.GetTemplateVersion() || q["sha256"] != m.GetTextSha256() {
			t.Errorf("%s: the audit trail records letter %s as %s %s %s; the correspondence as %s %s %s",
				name, id, q["template"], q["template_version"], q["sha256"], m.GetTemplate(), m.GetTemplateVersion(), m.GetTextSha256())
		}
		if sent[id] != 1 {
			t.Errorf("%s: the audit trail records letter %s sent %d times, want once", name, id, sent[id])
		}
	}
	if len(queued) != len(out) {
		t.Errorf("%s: the audit trail queued %d letters, the correspondence has %d", name, len(queued), len(out))
	}
	if replied != 1 {
		t.Errorf("%s: the audit trail has %d replies from the requester on %s, want 1", name, replied, repliedOn)
	}
}

// email is one email as the relay received it.
type email struct {
	to []string
	// messageID is the letter's id, from the Message-ID its sender sets.
	messageID string
	subject   string
	// text is the whole message with its quoted-printable soft line
	// breaks taken out, so that a phrase reads whole.
	text string
}

// emailAt waits up to 10 s for the relay to hold n emails and returns the
// nth, failing unless it then holds exactly n.
func emailAt(t *testing.T, relay *notifytest.Server, n int) email {
	t.Helper()
	m := awaitEmails(t, relay, n)[n-1]
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(strings.Trim(msg.Header.Get("Message-Id"), "<>"), "@")
	return email{to: m.To, messageID: id, subject: subject, text: strings.ReplaceAll(m.Data, "=\r\n", "")}
}

// says checks that the email's subject or text holds each of wants.
func (e email) says(t *testing.T, what string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(e.subject, want) && !strings.Contains(e.text, want) {
			t.Errorf("%s (letter %s) lacks %q", what, e.messageID, want)
		}
	}
}
