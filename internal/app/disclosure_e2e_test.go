package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/pack"
)

// disclosedOn is the one day the whole disclosure happens on, on the
// server's clock: nothing in it waits for time to pass.
const disclosedOn = "2026-03-02"

// The owner's file names a colleague; staff black the name out. Each
// version carries a marker of its own, so that the pack can be searched
// for the one that must not be in it.
const (
	originalMarker = "UNREDACTED-HR-FILE: appraisal by Charles Babbage"
	redactedMarker = "REDACTED-HR-FILE: appraisal by [name removed]"
)

// markedPDF is a small PDF whose bytes carry marker in clear.
func markedPDF(marker string) []byte {
	return []byte("%PDF-1.4\n% " + marker + "\n%%EOF\n")
}

var (
	ownerLink  = regexp.MustCompile(`https://rights\.example\.org(/search/[0-9A-Za-z.]+)`)
	codeInMail = regexp.MustCompile(`Your code is (\d{4} \d{4})`)
)

// Issue 16's acceptance, through the doors people use. An access request
// made on the public form; staff (over the API) send two search requests,
// and both owners' emails reach the relay; one owner uploads a file
// through the link in theirs, the other answers that nothing is held, and
// the search record shows both; staff disclose the file redacted under the
// third-party exemption and upload the redacted version; caseworker A
// submits the pack, cannot approve it, and caseworker B does; the pack is
// released; the requester asks on the status page for a one-time code,
// gets it by email, and downloads the pack, whose manifest verifies, which
// holds the redacted file and nowhere the original's words; a wrong code
// and another request's code got the same answer first. The case closes
// partially fulfilled and the response letter says, in plain words, which
// exemption was relied on. The audit chain verifies.
func TestAnAccessRequestIsDisclosedInPartThroughTheDoors(t *testing.T) {
	clk := clock.NewManual(at(t, disclosedOn))
	s := startWithRelay(t, func(cfg *app.Config) {
		cfg.Server.Clock = clk
		cfg.DigestTime = app.DigestOff // the staff digest would add emails of its own
	})
	site := &replica{App: s.app}
	casesAPI := rdv1.NewCaseServiceClient(s.conn)
	adminAPI := rdv1.NewAdminServiceClient(s.conn)
	caseworkerA, caseworkerB := caseworkerNamed(t, adminAPI, s.admin, "caseworker-a"), caseworkerNamed(t, adminAPI, s.admin, "caseworker-b")

	requester := newWeb(t)
	reference, statusCode, _ := requester.requestThroughTheForm(site, formAnswers)
	c := caseByReference(t, casesAPI, caseworkerA, reference)

	// Two search requests, one email each.
	for _, owner := range []*rdv1.SendSearchRequestRequest{
		{Name: c.GetName(), Owner: "Mary Owner", Email: "mary@example.net", Source: "HR system"},
		{Name: c.GetName(), Owner: "Ravi Payroll", Email: "ravi@example.net", Source: "Payroll"},
	} {
		if _, err := casesAPI.SendSearchRequest(caseworkerA, owner); err != nil {
			t.Fatal(err)
		}
	}
	hrLink := awaitMatches(t, s.relay, "mary@example.net", ownerLink, 1)[0]
	payrollLink := awaitMatches(t, s.relay, "ravi@example.net", ownerLink, 1)[0]
	original, redacted := markedPDF(originalMarker), markedPDF(redactedMarker)

	// The HR owner uploads the file through their link; the payroll
	// owner answers that nothing is held.
	hrOwner := newWeb(t)
	task := hrOwner.send("GET", site, hrLink, "", nil)
	if task.status != http.StatusOK || !strings.Contains(task.body, reference) || !strings.Contains(task.body, "HR system") || strings.Contains(task.body, "Ada Lovelace") {
		t.Fatalf("the HR owner's page: %d; it must name the request and the system, never the requester", task.status)
	}
	answered := hrOwner.postFile(site, "/search/answer", task.body,
		url.Values{"token": {strings.TrimPrefix(hrLink, "/search/")}, "answer": {"found"}}, "files", "hr-file.pdf", original)
	if answered.status != http.StatusOK {
		t.Fatalf("the HR owner's upload: %d", answered.status)
	}
	payrollOwner := newWeb(t)
	task = payrollOwner.send("GET", site, payrollLink, "", nil)
	answered = payrollOwner.send("POST", site, "/search/answer", "application/x-www-form-urlencoded", strings.NewReader(payrollOwner.withToken(task.body,
		url.Values{"token": {strings.TrimPrefix(payrollLink, "/search/")}, "answer": {"nothing"}}).Encode()))
	if task.status != http.StatusOK || answered.status != http.StatusOK {
		t.Fatalf("the payroll owner's page %d, answer %d", task.status, answered.status)
	}

	c = getCase(t, casesAPI, caseworkerA, c.GetName())
	searches, requests := map[string]*rdv1.CaseSearch{}, c.GetSearchRequests()
	for _, search := range c.GetSearches() {
		searches[search.GetSource()] = search
	}
	if len(requests) != 2 || requests[0].GetState() != rdv1.SearchRequestState_SEARCH_REQUEST_STATE_ANSWERED_FOUND ||
		requests[1].GetState() != rdv1.SearchRequestState_SEARCH_REQUEST_STATE_ANSWERED_NOTHING {
		t.Fatalf("%s: the search requests are %v; want the HR one answered with a file, the payroll one with nothing held", reference, requests)
	}
	if hr, payroll := searches["HR system"], searches["Payroll"]; len(searches) != 2 || hr.GetBy() != "Mary Owner" || hr.GetId() != requests[0].GetSearchId() ||
		payroll.GetBy() != "Ravi Payroll" || !strings.HasPrefix(payroll.GetFound(), "nothing held") {
		t.Fatalf("%s: the search record is %v; want the HR system searched by its owner and the payroll one holding nothing", reference, c.GetSearches())
	}
	docs := c.GetDocuments()
	if len(docs) != 1 || docs[0].GetKind() != rdv1.DocumentKind_DOCUMENT_KIND_COLLECTED_RECORD || docs[0].GetSource() != "HR system" ||
		docs[0].GetSearchId() != requests[0].GetSearchId() || docs[0].GetSha256() != sha256Hex(original) {
		t.Fatalf("%s: the documents are %v; want the HR owner's file as a collected record of that search", reference, docs)
	}
	collected := docs[0]

	// Staff disclose it redacted under the third-party exemption, with
	// the redacted version beside it.
	thirdParty, ok := cases.ExemptionByCode("third_party")
	if !ok {
		t.Fatal("no third-party exemption to rely on")
	}
	if _, err := casesAPI.DecideDisclosure(caseworkerA, &rdv1.DecideDisclosureRequest{Name: collected.GetName(),
		Decision: rdv1.DisclosureDecision_DISCLOSURE_DECISION_DISCLOSE_REDACTED, Exemption: thirdParty.Code, Reason: "It names a colleague."}); err != nil {
		t.Fatal(err)
	}
	if c, err := casesAPI.AddDocument(caseworkerA, &rdv1.AddDocumentRequest{Name: c.GetName(), Kind: rdv1.DocumentKind_DOCUMENT_KIND_REDACTED_VERSION,
		RedactionOf: lastPart(collected.GetName()), FileName: "hr-file-redacted.pdf", Content: redacted}); err != nil || len(c.GetDocuments()) != 2 {
		t.Fatalf("adding the redacted version: %v", err)
	}

	// Closing as done before the pack is released is refused, saying why.
	_, err := casesAPI.CloseCase(caseworkerA, &rdv1.CloseCaseRequest{Name: c.GetName(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED})
	if st := status.Convert(err); st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "response pack is not released") {
		t.Errorf("%s: closing before the release: %v; want FAILED_PRECONDITION naming the unreleased pack", reference, err)
	}

	// Four eyes: A submits and cannot approve; B approves; A releases.
	if _, err := casesAPI.SubmitForReview(caseworkerA, &rdv1.SubmitForReviewRequest{Name: c.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := casesAPI.ApproveReview(caseworkerA, &rdv1.ApproveReviewRequest{Name: c.GetName()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("%s: the submitter approving their own pack: %v; want FAILED_PRECONDITION", reference, err)
	}
	releaseAsTwoCaseworkers(t, casesAPI, caseworkerA, caseworkerB, c.GetName(), false)

	// Another request, released too, whose requester gets a code of their
	// own: it must not open the first request's pack.
	other := newWeb(t)
	otherAnswers := map[string]url.Values{}
	for page, answers := range formAnswers {
		otherAnswers[page] = answers
	}
	otherAnswers["details"] = url.Values{"full-name": {"Grace Hopper"}, "email": {"grace@example.org"}}
	otherReference, otherStatusCode, _ := other.requestThroughTheForm(site, otherAnswers)
	releaseAsTwoCaseworkers(t, casesAPI, caseworkerA, caseworkerB, nameOfReference(t, casesAPI, caseworkerA, otherReference), true)
	other.askForTheResponseCode(site, otherReference, otherStatusCode)
	othersCode := awaitMatches(t, s.relay, "grace@example.org", codeInMail, 1)[0]

	// The requester asks for a code, and the email brings it.
	codePage := requester.askForTheResponseCode(site, reference, statusCode)
	code := awaitMatches(t, s.relay, "ada@example.org", codeInMail, 1)[0]
	if strings.Contains(codePage, code) || strings.Contains(codePage, strings.ReplaceAll(code, " ", "")) {
		t.Errorf("%s: the code page shows the code it emailed", reference)
	}
	download := func(typed string) page {
		t.Helper()
		return requester.send("POST", site, "/status/response/download", "application/x-www-form-urlencoded",
			strings.NewReader(requester.withToken(codePage, url.Values{"code": {typed}}).Encode()))
	}
	refusals := map[string]page{"wrong": download(otherDigits(code)), "another request's": download(othersCode)}
	got := download(code)
	refusals["used"] = download(code)
	for name, p := range refusals {
		if p.status != http.StatusUnprocessableEntity || p.body != refusals["wrong"].body || !strings.Contains(p.body, "That code does not work.") {
			t.Errorf("%s: the %s code: %d; want the wrong code's answer, 422 \"That code does not work.\"", reference, name, p.status)
		}
	}
	if got.status != http.StatusOK || got.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("%s: the download: %d %s; want the zip", reference, got.status, got.header.Get("Content-Type"))
	}
	checkPack(t, reference, []byte(got.body), redacted, thirdParty)

	// The case closes partly fulfilled; the response names the exemption.
	c = getCase(t, casesAPI, caseworkerA, c.GetName())
	if n := len(c.GetDelivery().GetDownloadTimes()); n != 1 {
		t.Errorf("%s: the case records %d downloads, want 1", reference, n)
	}
	if c, err = casesAPI.CloseCase(caseworkerA, &rdv1.CloseCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_PARTIALLY_FULFILLED,
		Detail: "Part of one record names another person, and is blacked out."}); err != nil {
		t.Fatal(err)
	}
	if c.GetOutcome().GetKind() != rdv1.OutcomeKind_OUTCOME_KIND_PARTIALLY_FULFILLED || !c.GetOutcome().GetOnTime() {
		t.Errorf("%s: outcome %v; want partially fulfilled on time", reference, c.GetOutcome())
	}
	response := lastOut(t, casesAPI, caseworkerA, c.GetName(), rdv1.MessageKind_MESSAGE_KIND_RESPONSE)
	letter := awaitMatches(t, s.relay, "ada@example.org", regexp.MustCompile(`(?s)(.*`+regexp.QuoteMeta("<"+messageID(response)+"@")+`.*)`), 1)[0]
	for _, want := range []string{reference, "What we have withheld, and why", thirdParty.Title, thirdParty.Plain} {
		if !strings.Contains(letter, want) {
			t.Errorf("%s: the response letter lacks %q", reference, want)
		}
	}

	reviewedByTwo(t, casesAPI, caseworkerA, c.GetName())
	verified, err := adminAPI.VerifyAudit(s.admin, &rdv1.VerifyAuditRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !verified.GetIntact() || verified.GetEvents() == 0 {
		t.Errorf("audit verify: %d events, intact %v, broken at %d: %s", verified.GetEvents(), verified.GetIntact(), verified.GetBrokenAt(), verified.GetReason())
	}
}

// caseworkerNamed is a context presenting a new caseworker's API token
// named name: staff are told apart by name (auth.Principal's actor), so
// two reviewers need two names.
func caseworkerNamed(t *testing.T, admin rdv1.AdminServiceClient, adminCtx context.Context, name string) context.Context {
	t.Helper()
	made, err := admin.CreateToken(adminCtx, &rdv1.CreateTokenRequest{DisplayName: name, Role: rdv1.Role_ROLE_CASEWORKER})
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+made.GetToken())
}

// releaseAsTwoCaseworkers has caseworker B approve the pack and A release
// it, A first submitting it when submit is set.
func releaseAsTwoCaseworkers(t *testing.T, api rdv1.CaseServiceClient, ctxA, ctxB context.Context, name string, submit bool) {
	t.Helper()
	if submit {
		if _, err := api.SubmitForReview(ctxA, &rdv1.SubmitForReviewRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.ApproveReview(ctxB, &rdv1.ApproveReviewRequest{Name: name}); err != nil {
		t.Fatal(err)
	}
	c, err := api.ReleasePack(ctxA, &rdv1.ReleasePackRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if c.GetDelivery().GetExpireTime() == nil {
		t.Errorf("%s: released with no last day to download it", c.GetReference())
	}
}

// reviewedByTwo checks the audit trail: the pack submitted by one member
// of staff, approved by another, released, and downloaded once.
func reviewedByTwo(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, name string) {
	t.Helper()
	events, err := api.ListCaseEvents(ctx, &rdv1.ListCaseEventsRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string][]string{}
	for _, e := range events.GetEvents() {
		actors[e.GetAction()] = append(actors[e.GetAction()], e.GetActor())
	}
	submitted, approved := actors["case.review_submitted"], actors["case.review_approved"]
	if len(submitted) != 1 || len(approved) != 1 || submitted[0] == approved[0] {
		t.Errorf("%s: the audit trail has the pack submitted by %v and approved by %v; want one each, by different staff", name, submitted, approved)
	}
	for _, action := range []string{"case.disclosure_decided", "case.pack_released", "case.delivery_code_sent", "case.pack_downloaded"} {
		if len(actors[action]) != 1 {
			t.Errorf("%s: the audit trail has %d %s events, want 1", name, len(actors[action]), action)
		}
	}
}

// checkPack checks a downloaded response pack: its manifest verifies, the
// redacted version is in it, the original's words are in no entry, and
// the letter in it names the exemption.
func checkPack(t *testing.T, reference string, zipped, redacted []byte, exemption cases.Exemption) {
	t.Helper()
	report, err := pack.Verify(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || !report.OK() {
		t.Fatalf("%s: pack verify: %v (%+v)", reference, err, report)
	}
	z, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var redactedIn, letterNames []string
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(content, []byte(originalMarker)) {
			t.Errorf("%s: the pack's %s holds the unredacted original", reference, f.Name)
		}
		if bytes.Equal(content, redacted) {
			redactedIn = append(redactedIn, f.Name)
		}
		if strings.HasSuffix(f.Name, ".html") && bytes.Contains(content, []byte(exemption.Title)) {
			letterNames = append(letterNames, f.Name)
		}
	}
	if len(redactedIn) != 1 || !strings.HasPrefix(redactedIn[0], "documents/") {
		t.Errorf("%s: the redacted version is in the pack as %v; want once, under documents/", reference, redactedIn)
	}
	if len(letterNames) == 0 {
		t.Errorf("%s: no page of the pack names the exemption %q", reference, exemption.Title)
	}
}

// askForTheResponseCode looks the request up on the status page, follows
// its link to the response and asks for a code; it returns the page to
// type the code on.
func (w *web) askForTheResponseCode(site *replica, reference, code string) string {
	w.t.Helper()
	lookup := w.send("GET", site, "/status", "", nil)
	found := w.send("POST", site, "/status", "application/x-www-form-urlencoded",
		strings.NewReader(w.withToken(lookup.body, url.Values{"reference": {reference}, "code": {code}}).Encode()))
	if found.status != http.StatusOK || !strings.Contains(found.body, `href="/status/response"`) {
		w.t.Fatalf("the status page of %s: %d, link to the response shown %v", reference, found.status, strings.Contains(found.body, `href="/status/response"`))
	}
	offer := w.send("GET", site, "/status/response", "", nil)
	asked := w.send("POST", site, "/status/response/code", "application/x-www-form-urlencoded", strings.NewReader(w.withToken(offer.body, nil).Encode()))
	if offer.status != http.StatusOK || asked.status != http.StatusSeeOther || asked.location != "/status/response/code" {
		w.t.Fatalf("asking for the code of %s: the offer %d, the request %d to %q", reference, offer.status, asked.status, asked.location)
	}
	form := w.send("GET", site, asked.location, "", nil)
	if form.status != http.StatusOK || !strings.Contains(form.body, `action="/status/response/download"`) {
		w.t.Fatalf("the code page of %s: %d", reference, form.status)
	}
	return form.body
}

// postFile posts fields and one file as a browser sends a form with a
// file input, with the anti-forgery token of formPage.
func (w *web) postFile(site *replica, path, formPage string, fields url.Values, fileField, fileName string, content []byte) page {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range w.withToken(formPage, fields) {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	f, err := mw.CreateFormFile(fileField, fileName)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		w.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		w.t.Fatal(err)
	}
	return w.send("POST", site, path, mw.FormDataContentType(), &body)
}

// awaitMatches waits up to 10 s for n emails to address whose decoded
// text pattern matches, and returns the first group of each, oldest first.
func awaitMatches(t *testing.T, relay *notifytest.Server, address string, pattern *regexp.Regexp, n int) []string {
	t.Helper()
	var found []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		found = found[:0]
		for _, m := range relay.Messages() {
			if len(m.To) != 1 || m.To[0] != address {
				continue
			}
			decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			if match := pattern.FindStringSubmatch(string(decoded)); match != nil {
				found = append(found, match[1])
			}
		}
		if len(found) >= n || time.Now().After(deadline) {
			break
		}
	}
	if len(found) != n {
		t.Fatalf("%d emails to %s match %s, want %d", len(found), address, pattern, n)
	}
	return found
}

// otherDigits is another code of the same shape as code.
func otherDigits(code string) string {
	first := byte('1')
	if code[0] != '9' {
		first = code[0] + 1
	}
	return string(first) + code[1:]
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// lastPart is the id at the end of a resource name, "d1" of
// cases/…/documents/d1.
func lastPart(name string) string { return name[strings.LastIndex(name, "/")+1:] }
