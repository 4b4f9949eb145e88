package letters_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func noticeByID(t *testing.T, ns []notice.Notice, id string) *notice.Notice {
	t.Helper()
	n, ok := finder(ns)(id)
	if !ok {
		t.Fatalf("the catalogue has no notice %q", id)
	}
	return n
}

// withSecondVersion is the catalogue with a second version of the notice,
// in force from 1 January 2026, whose facts differ from the first's: one
// more purpose, one more recipient and a longer retention period.
func withSecondVersion(t *testing.T, ns []notice.Notice, id string) (catalogue []notice.Notice, v1, v2 notice.Version) {
	t.Helper()
	b, err := json.Marshal(ns)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &catalogue); err != nil {
		t.Fatal(err)
	}
	n := noticeByID(t, catalogue, id)
	v1 = *n.Current()
	if err := json.Unmarshal(mustJSON(t, v1), &v2); err != nil {
		t.Fatal(err)
	}
	v2.Number, v2.EffectiveFrom = v1.Number+1, "2026-01-01"
	v2.Contexts[0].Purposes = append(v2.Contexts[0].Purposes, "training new service desk staff")
	v2.Recipients = append(v2.Recipients, notice.Recipient{Name: "Example Archive Services Ltd", Kind: "supplier"})
	v2.Retention[0].Description = "Kept for up to 2 years after the person leaves the department."
	n.Versions = append(n.Versions, v2)
	return catalogue, v1, v2
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// factsOf are the Article 15 facts of a version, as the catalogue holds
// them, that a letter must list.
func factsOf(v notice.Version) []string {
	var out []string
	for _, c := range v.Contexts {
		out = append(out, c.Purposes...)
		out = append(out, c.DataCategories...)
	}
	for _, r := range v.Recipients {
		out = append(out, r.Name)
	}
	for _, r := range v.Retention {
		out = append(out, r.Description)
	}
	return append(out, v.ComplaintAuthority.Name, v.ComplaintAuthority.Phone, v.ComplaintAuthority.Email)
}

// The access response for an IT Service Desk case lists the facts of the
// notice version pinned on the case: a case received while version 1 was
// in force gets version 1's, though the catalogue now holds version 2, and
// a case received under version 2 gets version 2's.
func TestAccessResponseListsThePinnedVersionsFacts(t *testing.T) {
	ns := builtin(t)
	catalogue, v1, v2 := withSecondVersion(t, ns, "it-service-desk")
	w := writer(t, nil)
	fulfilled := closing{outcome: cases.OutcomeFulfilled}
	desk := noticeByID(t, ns, "it-service-desk")

	onV1 := closedCase(t, ns, desk, notice.RightAccess, fulfilled)
	onV2 := closedCase(t, catalogue, noticeByID(t, catalogue, "it-service-desk"), notice.RightAccess, fulfilled)
	if onV1.Notices[0].Version != v1.Number || onV2.Notices[0].Version != v2.Number {
		t.Fatalf("cases pinned to versions %d and %d; the test needs %d and %d", onV1.Notices[0].Version, onV2.Notices[0].Version, v1.Number, v2.Number)
	}
	for _, tc := range []struct {
		name        string
		c           *cases.Case
		want        notice.Version
		notWant     []string
		versionLine string
	}{
		{"version 1", onV1, v1, []string{"training new service desk staff", "Example Archive Services Ltd", v2.Retention[0].Description}, "This is version 1 of the notice, in force from 17 December 2018."},
		{"version 2", onV2, v2, []string{v1.Retention[0].Description}, "This is version 2 of the notice, in force from 1 January 2026."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := write(t, w, letters.KindResponse, letters.Facts{Case: tc.c, Notice: finder(catalogue)})
			for _, fact := range append(factsOf(tc.want), tc.versionLine) {
				if fact != "" && !strings.Contains(l.Text, fact) {
					t.Errorf("the letter does not give %q", fact)
				}
			}
			for _, fact := range tc.notWant {
				if strings.Contains(l.Text, fact) {
					t.Errorf("the letter gives %q, which is not in the pinned version", fact)
				}
			}
		})
	}
}

// A request naming two notices gets both notices' facts; one naming none
// is told where we looked instead.
func TestAccessResponseForTwoNoticesAndForNone(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	access := []notice.Right{notice.RightAccess}
	closeFulfilled := cases.Close{Outcome: cases.OutcomeFulfilled, On: today, OverrideReason: guardRailsNotUnderTest}
	var out strings.Builder
	for _, tc := range []struct {
		name string
		refs []cases.NoticeRef
	}{
		{"two notices", []cases.NoticeRef{{ID: "it-service-desk"}, {ID: "gpg-csep-hub"}}},
		{"no notice", nil},
	} {
		c := newCase(t, ns, tc.refs, access, append(append([]cases.Command{cases.ConfirmIdentity{On: "2026-03-03"}}, searched...), closeFulfilled)...)
		l := write(t, w, letters.KindResponse, letters.Facts{Case: c, Notice: finder(ns)})
		fmt.Fprintf(&out, "===== %s: the %s letter =====\n\n%s\n", tc.name, l.Template, l.Text)
		ack := write(t, w, letters.KindAcknowledgement, letters.Facts{Case: newCase(t, ns, tc.refs, access), Notice: finder(ns)})
		fmt.Fprintf(&out, "===== %s: the %s letter =====\n\n%s\n", tc.name, ack.Template, ack.Text)
		for _, ref := range tc.refs {
			title := noticeByID(t, ns, ref.ID).Current().Title
			if !strings.Contains(l.Text, "#### "+title+"\n") {
				t.Errorf("%s: the response has no section for %q", tc.name, title)
			}
		}
		if len(tc.refs) == 0 && (!strings.Contains(l.Text, "did not name one of our services") || !strings.Contains(l.Text, "IT service management system")) {
			t.Errorf("%s: the response does not say what was searched instead:\n%s", tc.name, l.Text)
		}
	}
	golden(t, "access-two-notices-and-none.txt", out.String())
}

// A letter records its template, the template's version and the hash of
// its text; staff's edit changes the hash but not the template version.
func TestLetterCarriesTemplateVersionAndHash(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	c := newCase(t, ns, []cases.NoticeRef{{ID: "gpg-csep-hub"}}, []notice.Right{notice.RightErasure})
	l := write(t, w, letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns)})
	sum := sha256.Sum256([]byte(l.Text))
	if l.TextHash != hex.EncodeToString(sum[:]) {
		t.Errorf("TextHash %s is not the SHA-256 of the text", l.TextHash)
	}
	if l.Template != "acknowledgement" || len(l.TemplateVersion) != 64 || l.Subject != "We have received your request" {
		t.Errorf("template %q, version %q, subject %q", l.Template, l.TemplateVersion, l.Subject)
	}
	if !strings.Contains(l.HTML, "<h1") || !strings.Contains(l.HTML, c.Reference) {
		t.Errorf("the HTML does not set the letter in its frame:\n%s", l.HTML)
	}
	if again := write(t, w, letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns)}); again.TextHash != l.TextHash || again.TemplateVersion != l.TemplateVersion {
		t.Error("the same case and date write a different letter")
	}

	edited, err := w.Revise(l, strings.Replace(l.Text, "Thank you for your request.", "Thank you for your request, and for <b>your</b> patience.", 1))
	if err != nil {
		t.Fatal(err)
	}
	if !edited.Edited || edited.TextHash == l.TextHash || edited.TemplateVersion != l.TemplateVersion || edited.Template != l.Template {
		t.Errorf("after an edit: edited %v, hash changed %v, version kept %v", edited.Edited, edited.TextHash != l.TextHash, edited.TemplateVersion == l.TemplateVersion)
	}
	if strings.Contains(edited.HTML, "<b>your</b>") || !strings.Contains(edited.HTML, "&lt;b&gt;your&lt;/b&gt;") {
		t.Error("staff's words are not escaped in the HTML")
	}
	if _, err := w.Revise(l, "Dear Alex, no subject line."); err == nil {
		t.Error("an edit without its subject heading was accepted")
	}
	if got := edited.PlainText(); strings.Contains(got, "# ") || !strings.Contains(got, "We have received your request\n=====") {
		t.Errorf("the plain-text part keeps the markup or loses the subject:\n%s", got)
	}
}

// A letter the case cannot support is refused, saying what is missing,
// rather than written with a gap.
func TestLettersTheCaseCannotSupportAreRefused(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	hub := []cases.NoticeRef{{ID: "gpg-csep-hub"}}
	erasure := []notice.Right{notice.RightErasure}
	open := newCase(t, ns, hub, erasure)
	extended := newCase(t, ns, hub, erasure, cases.ConfirmIdentity{On: "2026-03-03"}, cases.Extend{On: "2026-03-16", Months: 1, Reason: "Your request covers many systems."})
	refusedWithoutReason := newCase(t, ns, hub, erasure, cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "manifestly_excessive", On: today})
	accessOnNothing := newCase(t, ns, nil, []notice.Right{notice.RightAccess}, cases.Close{Outcome: cases.OutcomeFulfilled, On: today, OverrideReason: guardRailsNotUnderTest})
	for _, tc := range []struct {
		name string
		kind letters.Kind
		f    letters.Facts
		want string
	}{
		{"an open case's response", letters.KindResponse, letters.Facts{Case: open, On: today}, "not closed"},
		{"an extension notice for a case not extended", letters.KindExtensionNotice, letters.Facts{Case: open, On: today}, "not extended"},
		{"an extension notice after the first period", letters.KindExtensionNotice, letters.Facts{Case: extended, On: "2026-04-03"}, "had to be told of the extension by"},
		{"an identity request not asked", letters.KindIdentityRequest, letters.Facts{Case: open, On: today}, "records no request for identity"},
		{"a refusal without its reasons", letters.KindRefusal, letters.Facts{Case: refusedWithoutReason, On: today}, "Article 12(4)"},
		{"the wrong letter for the outcome", letters.KindWithdrawn, letters.Facts{Case: refusedWithoutReason, On: today}, "write the refusal letter"},
		{"an access response with no notice and no search", letters.KindResponse, letters.Facts{Case: accessOnNothing, On: today}, "record the search first"},
		{"an Article 19 notice to someone the case need not tell", letters.KindArticle19, letters.Facts{Case: open, On: today, Recipient: "Nobody Ltd"}, "not a recipient"},
		{"a letter dated before the request", letters.KindAcknowledgement, letters.Facts{Case: open, On: "2026-03-01"}, "before the request was received"},
		{"a letter with no date", letters.KindAcknowledgement, letters.Facts{Case: open, On: "20 March"}, "not a date"},
		{"an unknown kind", letters.Kind("postcard"), letters.Facts{Case: refusedWithoutReason, On: today}, "there is no \"postcard\" letter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Notice = finder(ns)
			_, err := w.Write(tc.kind, tc.f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			var precondition *fault.FailedPrecondition
			var invalid *fault.InvalidArgument
			if !errors.As(err, &precondition) && !errors.As(err, &invalid) {
				t.Errorf("%T is neither a failed precondition nor an invalid argument, so the doors cannot map it", err)
			}
		})
	}
}

// A case pinned to a notice version the catalogue no longer holds cannot
// be written from, rather than being written from another version.
func TestLetterNeedsThePinnedVersion(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk"}}, []notice.Right{notice.RightAccess})
	c.Notices[0].Version = 99
	if _, err := w.Write(letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns), On: today}); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("got %v, want an error naming version 99", err)
	}
}

func TestWriterNeedsAnOrganisationThatCanBeReached(t *testing.T) {
	templates, err := letters.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range []letters.Organisation{{}, {Name: "Example Department"}} {
		if _, err := letters.NewWriter(templates, org); err == nil {
			t.Errorf("%+v was accepted", org)
		}
	}
	if _, err := letters.NewWriter(nil, organisation); err == nil {
		t.Error("a writer without templates was accepted")
	}
}

// Each lifecycle action maps to its letter; an outcome or wait with no
// letter says so.
func TestKindForEachAction(t *testing.T) {
	for what, want := range map[cases.WaitingFor]letters.Kind{
		cases.WaitingForIdentity: letters.KindIdentityRequest, cases.WaitingForClarification: letters.KindClarificationRequest, cases.WaitingForFee: letters.KindFeeRequest,
	} {
		if got, ok := letters.RequestKind(what); !ok || got != want {
			t.Errorf("RequestKind(%s) = %s, %v; want %s", what, got, ok, want)
		}
	}
	if _, ok := letters.RequestKind("nothing"); ok {
		t.Error("RequestKind of an unknown wait found a letter")
	}
	for _, o := range []cases.OutcomeKind{cases.OutcomeFulfilled, cases.OutcomePartiallyFulfilled, cases.OutcomeRefused, cases.OutcomeWithdrawn, cases.OutcomePassedToController, cases.OutcomeSelfService, cases.OutcomeDuplicate} {
		if _, ok := letters.ClosingKind(o); !ok {
			t.Errorf("outcome %s has no closing letter", o)
		}
	}
}

// The acknowledgement tells the requester they can complain to the
// regulator, as the confirmation page does: the ICO unless the
// organisation configures another authority.
func TestTheAcknowledgementNamesWhereToComplain(t *testing.T) {
	ns := builtin(t)
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk"}}, []notice.Right{notice.RightAccess})
	facts := letters.Facts{Case: c, Notice: finder(ns)}
	ico := write(t, writer(t, nil), letters.KindAcknowledgement, facts).Text
	for _, want := range []string{"## If you are unhappy with how we deal with your request", letters.ICO.Name, letters.ICO.Web, letters.ICO.Phone, letters.ICO.Address} {
		if !strings.Contains(ico, want) {
			t.Errorf("the acknowledgement does not say %q:\n%s", want, ico)
		}
	}
	templates, err := letters.Load("")
	if err != nil {
		t.Fatal(err)
	}
	org := organisation
	org.Regulator = letters.Contact{Name: "Data Protection Commission", Web: "https://www.dataprotection.ie/"}
	w, err := letters.NewWriter(templates, org)
	if err != nil {
		t.Fatal(err)
	}
	other := write(t, w, letters.KindAcknowledgement, facts).Text
	if !strings.Contains(other, "complain to the Data Protection Commission. Go to https://www.dataprotection.ie/.") || strings.Contains(other, letters.ICO.Name) {
		t.Errorf("with another regulator configured the acknowledgement says:\n%s", other)
	}
}
