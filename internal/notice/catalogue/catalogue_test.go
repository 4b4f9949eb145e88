package catalogue

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue/seeds"
)

func mustLoad(t *testing.T) []notice.Notice {
	t.Helper()
	notices, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return notices
}

func byID(t *testing.T, id string) *notice.Version {
	t.Helper()
	for _, n := range mustLoad(t) {
		if n.ID == id {
			return n.Current()
		}
	}
	t.Fatalf("no built-in notice %q", id)
	return nil
}

func TestBuiltinHasTheFiveReferenceNoticesSortedByID(t *testing.T) {
	var got []string
	for _, n := range mustLoad(t) {
		got = append(got, n.ID)
	}
	want := []string{"a-modern-civil-service", "communities-of-practice", "gpg-csep-hub", "it-service-desk", "nlc-network-members"}
	if !slices.Equal(got, want) {
		t.Fatalf("ids = %v, want %v", got, want)
	}
}

func TestEveryNoticeIsOneValidBuiltInVersion(t *testing.T) {
	for _, n := range mustLoad(t) {
		t.Run(n.ID, func(t *testing.T) {
			if len(n.Versions) != 1 || n.Versions[0].Number != 1 {
				t.Fatalf("want exactly one version numbered 1, got %d", len(n.Versions))
			}
			v := n.Current()
			if err := v.Validate(); err != nil {
				t.Fatal(err)
			}
			checkSource(t, v)
			if v.Summary == "" || v.Controller.Name == "" || v.DPO.Name == "" || v.ComplaintAuthority.Name == "" {
				t.Errorf("summary, controller, DPO and complaint authority are all required: %+v", v)
			}
		})
	}
}

// checkSource holds the rule that a built-in version takes effect on the
// date the publisher last gave the notice (updated, else published).
func checkSource(t *testing.T, v *notice.Version) {
	t.Helper()
	s := v.Source
	if s.Kind != "built-in" || s.Document != v.Title {
		t.Errorf("source = %+v, want kind built-in and document %q", s, v.Title)
	}
	want := s.Updated
	if want == "" {
		want = s.Published
	}
	if v.EffectiveFrom != want {
		t.Errorf("effective_from = %q, want the updated or published date %q", v.EffectiveFrom, want)
	}
	for _, d := range []string{v.EffectiveFrom, s.Published, s.Updated} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			t.Errorf("date %q is not YYYY-MM-DD", d)
		}
	}
}

func TestBuiltinReturnsIndependentCopies(t *testing.T) {
	first := mustLoad(t)
	first[0].Versions[0].Contexts[0].Name = "changed by a caller"
	if mustLoad(t)[0].Versions[0].Contexts[0].Name == "changed by a caller" {
		t.Fatal("a caller's change leaked into the next Builtin call")
	}
}

func TestDecodeStrictRejectsTyposAndTrailingData(t *testing.T) {
	for name, raw := range map[string]string{
		"misspelt field": `{"id":"x","versoins":[]}`,
		"trailing data":  `{"id":"x","versions":[]} {}`,
		"not an object":  `[]`,
	} {
		if _, err := decodeStrict([]byte(raw)); err == nil {
			t.Errorf("%s: decoded %s without error", name, raw)
		}
	}
}

func TestCheckRejectsAMisnamedFileAndExtraVersions(t *testing.T) {
	good := mustLoad(t)[0]
	if err := check(&good, "another-id"); err == nil {
		t.Error("a notice whose id differs from its file name was accepted")
	}
	twice := good
	twice.Versions = append(slices.Clone(good.Versions), good.Versions[0])
	twice.Versions[1].Number = 2
	if err := check(&twice, good.ID); err == nil {
		t.Error("a built-in notice with two versions was accepted")
	}
}

// The contexts other packages and the acceptance tests name, with their
// lawful basis and, for special category data, a word from the condition.
func TestRequiredContexts(t *testing.T) {
	type want struct {
		basis     notice.Basis
		condition string // "" = no special category data
	}
	required := map[string]map[string]want{
		"it-service-desk": {
			"satisfaction-surveys": {notice.BasisConsent, ""},
			"employment":           {notice.BasisContract, "Art 9(2)(b) employment law"},
		},
		"a-modern-civil-service": {
			"communications":     {notice.BasisLegitimateInterests, ""},
			"images-audio-video": {notice.BasisConsent, ""},
		},
		"communities-of-practice": {
			"community-management":      {notice.BasisPublicTask, ""},
			"event-recordings":          {notice.BasisConsent, ""},
			"non-public-sector-members": {notice.BasisConsent, ""},
		},
		"gpg-csep-hub": {
			"platform":          {notice.BasisPublicTask, ""},
			"voluntary-profile": {notice.BasisConsent, ""},
		},
		"nlc-network-members": {
			"network":                {notice.BasisPublicTask, ""},
			"diversity-monitoring":   {notice.BasisPublicTask, "Art 9(2)(g)"},
			"reasonable-adjustments": {notice.BasisPublicTask, "Art 9(2)(b) employment law"},
		},
	}
	for id, contexts := range required {
		v := byID(t, id)
		if len(v.Contexts) != len(contexts) {
			t.Errorf("%s has %d contexts, want %d", id, len(v.Contexts), len(contexts))
		}
		for cid, w := range contexts {
			c, ok := v.Context(cid)
			if !ok {
				t.Errorf("%s: missing context %q", id, cid)
				continue
			}
			checkContext(t, id, c, w.basis, w.condition)
		}
	}
}

func checkContext(t *testing.T, id string, c *notice.Context, basis notice.Basis, condition string) {
	t.Helper()
	if c.Basis != basis {
		t.Errorf("%s/%s: basis %q, want %q", id, c.ID, c.Basis, basis)
	}
	if !c.Automated || c.SolelyAutomatedDecisions {
		t.Errorf("%s/%s: want automated processing without solely automated decisions", id, c.ID)
	}
	if !readsAfterInRelationTo(c.Name) {
		t.Errorf("%s/%s: name %q must start lower-case (or with an acronym) to read well after \"in relation to\"", id, c.ID, c.Name)
	}
	switch {
	case condition == "" && c.Special != nil:
		t.Errorf("%s/%s: unexpected special category data %+v", id, c.ID, c.Special)
	case condition != "" && (c.Special == nil || !strings.Contains(c.Special.Condition, condition)):
		t.Errorf("%s/%s: special category = %+v, want a condition containing %q", id, c.ID, c.Special, condition)
	}
}

// readsAfterInRelationTo rejects sentence case ("Satisfaction surveys") but
// allows acronyms ("IT requests", "CSEP Hub accounts").
func readsAfterInRelationTo(name string) bool {
	words := strings.Fields(name)
	if len(words) == 0 {
		return false
	}
	first := words[0]
	return first == strings.ToLower(first) || first == strings.ToUpper(first)
}

func TestEveryScopePointsAtAContext(t *testing.T) {
	for _, n := range mustLoad(t) {
		v := n.Current()
		for _, s := range scopes(v) {
			for _, id := range s.ids {
				if _, ok := v.Context(id); !ok {
					t.Errorf("%s: %s is scoped to unknown context %q", n.ID, s.owner, id)
				}
			}
		}
	}
}

type scoped struct {
	owner string
	ids   []string
}

func scopes(v *notice.Version) []scoped {
	var out []scoped
	for _, d := range v.Rights {
		out = append(out, scoped{"right " + string(d.Right), d.Scope})
	}
	for _, r := range v.Recipients {
		out = append(out, scoped{"recipient " + r.Name, r.Scope})
	}
	for i, r := range v.Retention {
		out = append(out, scoped{fmt.Sprintf("retention %d", i), r.Scope})
	}
	return out
}

// located is one fact's provenance with a label that stays stable when line
// numbers change, so the keyword table below can name it.
type located struct {
	label string
	at    notice.Provenance
}

func provenances(v *notice.Version) []located {
	var out []located
	add := func(label string, p notice.Provenance) { out = append(out, located{label, p}) }
	for _, a := range v.Audiences {
		add("audience "+a.ID, a.Provenance)
	}
	for _, c := range v.Contexts {
		add("context "+c.ID, c.Provenance)
	}
	for _, r := range v.Recipients {
		add("recipient "+r.Name, r.Provenance)
	}
	for i, r := range v.Retention {
		add(fmt.Sprintf("retention %d", i), r.Provenance)
	}
	for _, tr := range v.Transfers {
		add("transfer "+tr.Destination, tr.Provenance)
	}
	seen := map[notice.Right]int{}
	for _, d := range v.Rights {
		seen[d.Right]++
		add(rightLabel(d.Right, seen[d.Right]), d.Provenance)
	}
	if v.Children != nil {
		add("children", v.Children.Provenance)
	}
	return out
}

// rightLabel tells repeated declarations apart ("right rectification 2" is
// the completion sentence after the correction one).
func rightLabel(r notice.Right, occurrence int) string {
	if occurrence == 1 {
		return "right " + string(r)
	}
	return fmt.Sprintf("right %s %d", r, occurrence)
}

func TestEveryProvenanceHasASectionAndLine(t *testing.T) {
	for _, n := range mustLoad(t) {
		for _, l := range provenances(n.Current()) {
			if l.at.Line <= 0 || l.at.Section == "" {
				t.Errorf("%s: %s has provenance %+v, want a section and a line > 0", n.ID, l.label, l.at)
			}
		}
	}
}

// factKeywords lists, for every fact with a provenance, a word or phrase the
// cited line of the reference notice must contain: a light check that the
// line numbers point where we say.
var factKeywords = map[string]map[string]string{
	"a-modern-civil-service": {
		"context communications":     "legitimate interests",
		"context images-audio-video": "consent",
		"recipient SmartSurvey":      "SmartSurvey",
		"recipient Mailchimp":        "Mailchimp",
		"recipient Civil servants in events, promotion and publicity roles":                 "publicity",
		"recipient Contracted agencies, where their contracted duties need it":              "contracted agencies",
		"recipient Cabinet Office IT data processors (email, document management, storage)": "document management",
		"retention 0":             "end of 2024",
		"retention 1":             "annual basis",
		"transfer outside the UK": "Model Contract Clauses",
		"right access":            "copy",
		"right rectification":     "inaccuracies",
		"right rectification 2":   "incomplete",
		"right erasure":           "may have the right",
		"right restriction":       "certain circumstances",
		"right withdraw_consent":  "amoderncivilservice@cabinetoffice.gov.uk",
		"right objection":         "right to object",
	},
	"communities-of-practice": {
		"context community-management":                                         "public task",
		"context event-recordings":                                             "record events",
		"context non-public-sector-members":                                    "not working for the public sector",
		"recipient Mailing list providers":                                     "mailing list providers",
		"recipient Video conferencing and online collaboration tool suppliers": "video conferencing",
		"recipient Software collaboration platforms":                           "software collaboration",
		"recipient Support providers":                                          "support providers",
		"retention 0":                                                          "3 years",
		"retention 1":                                                          "until consent is withdrawn",
		"transfer outside the United Kingdom":                                  "Standard Contract Clauses",
		"right access":                                                         "information about how",
		"right rectification":                                                  "inaccurate",
		"right objection":                                                      "objection",
		"right erasure":                                                        "erased",
		"right restriction":                                                    "restricted in certain circumstances",
		"right withdraw_consent":                                               "withdraw consent",
		"right portability":                                                    "machine-readable",
		"children":                                                             "under the age of 13",
	},
	"gpg-csep-hub": {
		"context platform":          "public interest",
		"context voluntary-profile": "consent",
		"recipient CSEP Hub users in other government departments":                          "other CSEP Hub users",
		"recipient Placecube Ltd":                                                           "Placecube Ltd",
		"recipient Amazon Web Services":                                                     "Amazon Web Services",
		"recipient Cabinet Office IT data processors (email, document management, storage)": "document management",
		"retention 0": "role that requires access",
		"retention 1": "6 months",
		"retention 2": "left the Civil Service",
		"retention 3": "12 months",
		"retention 4": "annual basis",
		"transfer outside the European Economic Area": "Model Contract Clauses",
		"right withdraw_consent":                      "deleting that data yourself",
		"right access":                                "copy",
		"right rectification":                         "inaccuracies",
		"right rectification 2":                       "incomplete",
		"right erasure":                               "erased",
		"right restriction":                           "certain circumstances",
		"right objection_direct_marketing":            "direct marketing",
		"right objection":                             "right to object",
	},
	"nlc-network-members": {
		"context network":                "public interest",
		"context diversity-monitoring":   "substantial public interest",
		"context reasonable-adjustments": "employment law",
		"recipient Other senior public service leaders on the online platform": "online platform",
		"recipient Identity Group":       "Identity Group",
		"recipient Korn Ferry Hay Group": "Korn Ferry Hay Group",
		"recipient Convivio Team Ltd":    "Convivio Team Ltd",
		"recipient Cabinet Office IT data processors (email, document management, storage)": "document management",
		"recipient IT suppliers that may store data in the United States":                   "United States",
		"retention 0":                         "as long as you meet",
		"retention 1":                         "every 12 months",
		"transfer outside the European Union": "Model Contract Clauses",
		"transfer United States of America":   "Privacy Shield",
		"right objection":                     "right to object",
		"right access":                        "copy",
		"right rectification":                 "inaccuracies",
		"right rectification 2":               "incomplete",
		"right erasure":                       "erased",
		"right restriction":                   "certain circumstances",
		"right objection_direct_marketing":    "direct marketing",
	},
	"it-service-desk": {
		"audience cabinet-office-staff":                         "arms length bodies",
		"audience dcms-staff":                                   "Culture, Media and Sport",
		"audience dexeu-staff":                                  "Exiting the European Union",
		"context satisfaction-surveys":                          "consent",
		"context employment":                                    "employment contract",
		"recipient IT supplier of the IT Service Desk platform": "IT supplier",
		"recipient Cabinet Office IT data processors (email, document management, storage)": "document management",
		"retention 0":                         "1 year after",
		"transfer outside the European Union": "Model Contract Clauses",
		"right access":                        "copy",
		"right rectification":                 "inaccuracies",
		"right rectification 2":               "incomplete",
		"right erasure":                       "erased",
		"right restriction":                   "certain circumstances",
		"right objection_direct_marketing":    "direct marketing",
		"right withdraw_consent":              "withdraw consent",
		"right portability":                   "machine-readable",
	},
}

// Every fact must be in the keyword table, so a new fact cannot skip the
// provenance check. This runs without the reference notices.
func TestEveryFactHasAKeyword(t *testing.T) {
	for _, n := range mustLoad(t) {
		labels := map[string]bool{}
		for _, l := range provenances(n.Current()) {
			labels[l.label] = true
			if _, ok := factKeywords[n.ID][l.label]; !ok {
				t.Errorf("%s: add a keyword for %q to factKeywords", n.ID, l.label)
			}
		}
		for label := range factKeywords[n.ID] {
			if !labels[label] {
				t.Errorf("%s: factKeywords names %q, which the notice does not have", n.ID, label)
			}
		}
	}
}

func TestProvenanceMatchesTheReferenceNotices(t *testing.T) {
	for _, n := range mustLoad(t) {
		t.Run(n.ID, func(t *testing.T) {
			lines := strings.Split(string(seeds.Read(t, n.ID)), "\n")
			v := n.Current()
			if !strings.Contains(strings.Join(lines, "\n"), v.Source.Document) {
				t.Errorf("the reference notice does not contain the title %q", v.Source.Document)
			}
			for _, l := range provenances(v) {
				checkCitedLine(t, lines, l, factKeywords[n.ID][l.label])
			}
		})
	}
}

// checkCitedLine wants the keyword on the cited line and the cited section
// heading somewhere above it.
func checkCitedLine(t *testing.T, lines []string, l located, keyword string) {
	t.Helper()
	if l.at.Line > len(lines) {
		t.Errorf("%s: line %d is past the end (%d lines)", l.label, l.at.Line, len(lines))
		return
	}
	text := lines[l.at.Line-1]
	if keyword == "" || !strings.Contains(strings.ToLower(text), strings.ToLower(keyword)) {
		t.Errorf("%s: line %d does not contain %q: %q", l.label, l.at.Line, keyword, text)
	}
	if !slices.ContainsFunc(lines[:l.at.Line-1], func(s string) bool { return heading(s) == l.at.Section }) {
		t.Errorf("%s: no heading %q above line %d", l.label, l.at.Section, l.at.Line)
	}
}

// heading strips Markdown markers and spacing, so "## Retention " matches
// the section "Retention".
func heading(line string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
}

// The structured facts the design calls out as where a naive model breaks.
func TestAudiencesSeparateControllerFromProcessor(t *testing.T) {
	v := byID(t, "it-service-desk")
	want := map[string]struct {
		role       notice.Role
		controller string
	}{
		"cabinet-office-staff": {notice.RoleController, "Cabinet Office"},
		"dcms-staff":           {notice.RoleProcessor, "Department for Culture, Media and Sport"},
		"dexeu-staff":          {notice.RoleProcessor, "Department for Exiting the European Union"},
	}
	if len(v.Audiences) != len(want) {
		t.Fatalf("audiences = %+v, want %d", v.Audiences, len(want))
	}
	for _, a := range v.Audiences {
		if w := want[a.ID]; a.Role != w.role || a.Controller.Name != w.controller {
			t.Errorf("audience %s = %s / %s, want %s / %s", a.ID, a.Role, a.Controller.Name, w.role, w.controller)
		}
	}
}

func TestScopedRightsAndTheirChannels(t *testing.T) {
	tests := []struct {
		notice  string
		right   notice.Right
		scope   []string
		channel notice.ChannelKind // "" = none named
		address string
	}{
		{"a-modern-civil-service", notice.RightWithdrawConsent, []string{"images-audio-video"}, notice.ChannelEmail, "amoderncivilservice@cabinetoffice.gov.uk"},
		{"it-service-desk", notice.RightWithdrawConsent, []string{"satisfaction-surveys"}, "", ""},
		{"it-service-desk", notice.RightPortability, []string{"satisfaction-surveys"}, "", ""},
		{"communities-of-practice", notice.RightWithdrawConsent, []string{"event-recordings", "non-public-sector-members"}, notice.ChannelOptOut, ""},
		{"communities-of-practice", notice.RightPortability, []string{"event-recordings", "non-public-sector-members"}, "", ""},
		{"gpg-csep-hub", notice.RightWithdrawConsent, []string{"voluntary-profile"}, notice.ChannelSelfService, ""},
	}
	for _, tt := range tests {
		d := onlyDeclaration(t, byID(t, tt.notice), tt.right)
		if !slices.Equal(d.Scope, tt.scope) {
			t.Errorf("%s %s: scope %v, want %v", tt.notice, tt.right, d.Scope, tt.scope)
		}
		if got := channelOf(d); got.Kind != tt.channel || got.Address != tt.address {
			t.Errorf("%s %s: channel %+v, want %q %q", tt.notice, tt.right, got, tt.channel, tt.address)
		}
	}
}

func onlyDeclaration(t *testing.T, v *notice.Version, r notice.Right) notice.DeclaredRight {
	t.Helper()
	var found []notice.DeclaredRight
	for _, d := range v.Rights {
		if d.Right == r {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want one declaration of %s, found %d", v.Title, r, len(found))
	}
	return found[0]
}

func channelOf(d notice.DeclaredRight) notice.Channel {
	if d.Channel == nil {
		return notice.Channel{}
	}
	return *d.Channel
}

// Qualifiers are kept: "may have" for erasure in A Modern Civil Service, and
// "in certain circumstances" for restriction in every notice.
func TestQualifiersAreKept(t *testing.T) {
	if d := onlyDeclaration(t, byID(t, "a-modern-civil-service"), notice.RightErasure); d.Qualifier != notice.QualifierMay || d.QualifierText == "" {
		t.Errorf("a-modern-civil-service erasure = %+v, want qualifier may with our paraphrase", d)
	}
	for _, n := range mustLoad(t) {
		d := onlyDeclaration(t, n.Current(), notice.RightRestriction)
		if d.Qualifier != notice.QualifierCertainCircumstance || !strings.HasPrefix(d.QualifierText, "in certain circumstances") {
			t.Errorf("%s restriction = %+v, want the certain-circumstances qualifier", n.ID, d)
		}
	}
}

// Rectification is declared once per sentence: correcting inaccurate data,
// and completing incomplete data where the notice says so.
func TestRectificationDeclarationsFollowTheSentences(t *testing.T) {
	want := map[string]int{
		"a-modern-civil-service": 2, "communities-of-practice": 1, "gpg-csep-hub": 2,
		"it-service-desk": 2, "nlc-network-members": 2,
	}
	for _, n := range mustLoad(t) {
		got := 0
		for _, d := range n.Current().Rights {
			if d.Right == notice.RightRectification {
				got++
			}
		}
		if got != want[n.ID] {
			t.Errorf("%s: %d rectification declarations, want %d", n.ID, got, want[n.ID])
		}
	}
}

func TestRetentionPeriodsAreStructured(t *testing.T) {
	tests := []struct {
		notice string
		match  func(notice.RetentionRule) bool
		what   string
	}{
		{"a-modern-civil-service", func(r notice.RetentionRule) bool { return r.Until == "2024-12-31" }, "until the end of 2024"},
		{"a-modern-civil-service", func(r notice.RetentionRule) bool { return r.ReviewEvery == 12 }, "annual review"},
		{"gpg-csep-hub", func(r notice.RetentionRule) bool { return r.Months == 6 && r.After != "" }, "6 months after account deletion"},
		{"gpg-csep-hub", func(r notice.RetentionRule) bool { return r.Months == 12 && strings.Contains(r.After, "activity") }, "12 months of inactivity"},
		{"gpg-csep-hub", func(r notice.RetentionRule) bool { return r.Months == 0 && strings.Contains(r.After, "leaving") }, "erased on leaving"},
		{"it-service-desk", func(r notice.RetentionRule) bool { return r.Months == 12 && r.After == "leaving the department" }, "1 year after leaving"},
		{"nlc-network-members", func(r notice.RetentionRule) bool { return r.ReviewEvery == 12 }, "reviewed every 12 months"},
		{"communities-of-practice", func(r notice.RetentionRule) bool { return r.Months == 36 }, "3 years"},
		{"communities-of-practice", func(r notice.RetentionRule) bool { return r.After == "consent is withdrawn" && len(r.Scope) == 2 }, "until consent is withdrawn"},
	}
	for _, tt := range tests {
		if !slices.ContainsFunc(byID(t, tt.notice).Retention, tt.match) {
			t.Errorf("%s: no retention rule for %s", tt.notice, tt.what)
		}
	}
}

func TestNamedRecipientsAreSeparateEntries(t *testing.T) {
	want := map[string][]string{
		"a-modern-civil-service": {"SmartSurvey", "Mailchimp"},
		"gpg-csep-hub":           {"Placecube Ltd", "Amazon Web Services", "CSEP Hub users in other government departments"},
		"nlc-network-members":    {"Identity Group", "Korn Ferry Hay Group", "Convivio Team Ltd"},
		"it-service-desk":        {"IT supplier of the IT Service Desk platform", "Cabinet Office IT data processors (email, document management, storage)"},
	}
	for id, names := range want {
		v := byID(t, id)
		for _, name := range names {
			if !slices.ContainsFunc(v.Recipients, func(r notice.Recipient) bool { return r.Name == name && r.Kind != "" }) {
				t.Errorf("%s: no recipient %q with a kind", id, name)
			}
		}
	}
}

func TestTransfersKeepTheStatedSafeguard(t *testing.T) {
	v := byID(t, "nlc-network-members")
	if !slices.ContainsFunc(v.Transfers, func(tr notice.Transfer) bool {
		return tr.Destination == "United States of America" && strings.Contains(tr.Safeguard, "Privacy Shield")
	}) {
		t.Errorf("nlc-network-members transfers = %+v, want the US transfer on Privacy Shield as stated", v.Transfers)
	}
}

func TestContactsAsEachNoticeGivesThem(t *testing.T) {
	cop := byID(t, "communities-of-practice")
	if cop.PrivacyTeam == nil || cop.PrivacyTeam.Email != "gds-privacy-office@digital.cabinet-office.gov.uk" {
		t.Errorf("communities-of-practice privacy team = %+v", cop.PrivacyTeam)
	}
	if cop.ComplaintAuthority.Email != "icocasework@ico.org.uk" || cop.ComplaintAuthority.Address != "" {
		t.Errorf("communities-of-practice ICO = %+v, want the icocasework address and no postal address", cop.ComplaintAuthority)
	}
	if dpo := byID(t, "gpg-csep-hub").DPO; dpo.Name != "Stephen Jones" || dpo.Email != "dpo@cabinetoffice.gov.uk" {
		t.Errorf("gpg-csep-hub DPO = %+v", dpo)
	}
	if ico := byID(t, "it-service-desk").ComplaintAuthority; ico.Phone != "0303 123 1113" || ico.Email != "casework@ico.org.uk" {
		t.Errorf("it-service-desk ICO = %+v", ico)
	}
}

func TestChildrenPolicy(t *testing.T) {
	for _, n := range mustLoad(t) {
		c := n.Current().Children
		switch {
		case n.ID == "communities-of-practice" && (c == nil || c.NotKnowinglyUnder != 13):
			t.Errorf("%s: children = %+v, want not knowingly under 13", n.ID, c)
		case n.ID != "communities-of-practice" && c != nil:
			t.Errorf("%s: the notice says nothing about children, got %+v", n.ID, c)
		}
	}
}
