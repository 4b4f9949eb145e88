package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
)

// The fixtures in testdata are synthetic notices written for these tests in
// the house style of GOV.UK privacy notices, one layout each, and together
// covering all six lawful bases:
//
//	numbered-sections.txt  copied text, numbered sections    consent, contract (+ Art 9(2)(b))
//	bullets.txt            copied text, plain headings       legal obligation, vital interests
//	front-matter.md        markdown with YAML front matter   public task (+ Art 9(2)(g))
//	no-front-matter.md     markdown, # title, govspeak $C    legitimate interests, consent
//	saved-page.html        a saved GOV.UK page with chrome   legitimate interests, vital interests
//	subheadings.md         a heading per right, numbered     consent, contract, legal obligation
//	                       list of bases (the ICO's template)
//	privacy-policy.md      a GOV.UK service page titled only public task, recognised legitimate
//	                       "Privacy policy"; a retention table interests (Art 6(1)(ea)); criminal
//	                                                         offence data under Sch 1 para 6

func load(t *testing.T, name string) *Draft {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(raw, Options{Today: "2026-03-02"})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

// want is what a fixture must yield. Contexts and rights are written as
// "id:basis[/Art 9(2)(x)]" and "right[scope ids]qualifier@channel".
type want struct {
	format                       Format
	id, title, published, update string
	controller, dpo, authority   notice.Party
	contexts, rights, lint       []string
}

var fixtures = map[string]want{
	"numbered-sections.txt": {
		format: FormatText, id: "example-learning-portal", title: "Privacy notice for the Example Learning Portal", published: "2022-03-03",
		controller: notice.Party{Name: "Department for Example Affairs", Address: "1 Example Street, London, SW1A 9ZZ"},
		dpo:        notice.Party{Name: "Department for Example Affairs Data Protection Officer", Email: "dpo@example-affairs.gov.uk"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF", Phone: "0303 123 1113"},
		contexts:   []string{"course-evaluation-forms:consent", "general:contract/Art 9(2)(b)"},
		rights: []string{"access[]", "erasure[]", "portability[course-evaluation-forms]", "rectification[]", "restriction[]certain_circumstances",
			"withdraw_consent[course-evaluation-forms]@email"},
		lint: []string{"portability-missing contexts/general"},
	},
	"bullets.txt": {
		format: FormatText, id: "example-pensions-helpline", title: "Privacy notice for the Example Pensions Helpline", update: "2024-11-14",
		controller: notice.Party{Name: "Example Pensions Agency"},
		dpo:        notice.Party{Name: "Example Pensions Agency Data Protection Officer", Email: "dpo@pensions.example.gov.uk", Phone: "020 7946 0000"},
		contexts:   []string{"general:legal_obligation", "caller-tells-us-someone-s:vital_interests"},
		rights:     []string{"access[]@contact", "erasure[]may@contact", "rectification[]@contact", "restriction[]@contact"},
		lint:       []string{"no-complaint-route complaint_authority", "erasure-under-legal-obligation rights/3", "retention-without-period retention/0"},
	},
	"front-matter.md": {
		format: FormatMarkdown, id: "equality-survey", title: "Equality Survey Privacy Notice", published: "2020-06-01", update: "2023-02-10",
		controller: notice.Party{Name: "Example Inspectorate", Address: "2 Sample Road, Leeds, LS1 4AP", Phone: "0113 496 0000", Email: "enquiries@inspectorate.example.gov.uk"},
		dpo:        notice.Party{Name: "Priya Shah", Address: "Example Inspectorate, 2 Sample Road, Leeds, LS1 4AP", Email: "dpo@inspectorate.example.gov.uk"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF", Phone: "0303 123 1113"},
		contexts:   []string{"general:public_task", "equality-monitoring:public_task/Art 9(2)(g)"},
		rights:     []string{"access[]", "objection[]", "portability[]", "rectification[]"},
		lint:       []string{"portability-beyond-law rights/3", "portability-beyond-law rights/3"},
	},
	"no-front-matter.md": {
		format: FormatMarkdown, id: "example-digital-newsletter", title: "Privacy notice for the Example Digital Newsletter", update: "2025-09-05",
		controller: notice.Party{Name: "Example Digital Service"},
		dpo:        notice.Party{Name: "Example Digital Service Data Protection Officer", Address: "Example Digital, 10 Demo Square, Manchester, M1 1AA"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Phone: "0303 123 1113", Web: "https://ico.org.uk/make-a-complaint/"},
		contexts:   []string{"general:legitimate_interests", "create-reader-profile:consent"},
		rights: []string{"access[]", "objection[]", "objection_direct_marketing[]", "rectification[]",
			"withdraw_consent[]certain_circumstances", "withdraw_consent[create-reader-profile]@self_service"},
		lint: []string{"portability-missing contexts/create-reader-profile", "scope-names-no-context rights/5"},
	},
	"saved-page.html": {
		format: FormatHTML, id: "example-flood-warning-service", title: "Privacy notice for the Example Flood Warning Service", published: "2021-01-08", update: "2024-04-19",
		controller: notice.Party{Name: "Example Environment Office", Address: "Riverside House, Bristol, BS1 5AH"},
		dpo:        notice.Party{Name: "Example Environment Office Data Protection Officer", Email: "dpo@environment.example.gov.uk"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF", Phone: "0303 123 1113"},
		contexts:   []string{"general:legitimate_interests", "general-2:vital_interests"},
		rights:     []string{"access[]", "objection[]", "restriction[]certain_circumstances"},
		lint:       []string{"objection-beyond-law rights/2"}, // the vital-interests processing: Art 21(1) covers (e), (ea), (f)
	},
	"privacy-policy.md": {
		format: FormatMarkdown, id: "apply-for-an-angling-licence", title: "Privacy policy", update: "2026-03-12",
		controller: notice.Party{Name: "Example Waterways Agency"},
		dpo:        notice.Party{Name: "Example Waterways Agency Data Protection Officer", Email: "dpo@waterways.example.gov.uk"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF", Phone: "0303 123 1113"},
		contexts:   []string{"general:public_task", "share-information-with-police-prevent:recognised_legitimate_interests"},
		rights: []string{"access[]@contact", "objection[]@contact", "rectification[]@contact", "rectification[]@contact",
			"restriction[]certain_circumstances@contact"},
	},
	"subheadings.md": {
		format: FormatMarkdown, id: "example-museum-visitor", title: "Example Museum visitor privacy notice", update: "2025-05-12",
		controller: notice.Party{Name: "Example Museum Trust"},
		authority:  notice.Party{Name: "Information Commissioner's Office", Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF", Phone: "0303 123 1113"},
		contexts:   []string{"general:consent", "general-2:contract", "general-3:legal_obligation"},
		rights: []string{"access[]@contact", "erasure[]certain_circumstances@contact", "portability[]@contact", "rectification[]@contact",
			"withdraw_consent[general]@email"},
		lint: []string{"no-dpo-contact dpo", "portability-beyond-law rights/4", "erasure-under-legal-obligation rights/3", "retention-without-period retention"},
	},
}

func TestFixtures(t *testing.T) {
	for name, w := range fixtures {
		t.Run(name, func(t *testing.T) {
			d := load(t, name)
			v := &d.Version
			for _, f := range []struct{ field, got, want string }{
				{"format", string(d.Format), string(w.format)}, {"id", d.ID, w.id}, {"title", v.Title, w.title},
				{"published", v.Source.Published, w.published}, {"updated", v.Source.Updated, w.update},
				{"controller", contact(v.Controller), contact(w.controller)}, {"dpo", contact(v.DPO), contact(w.dpo)},
				{"complaint authority", contact(v.ComplaintAuthority), contact(w.authority)},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.field, f.got, f.want)
				}
			}
			if got := fixtureContexts(v); !slices.Equal(got, w.contexts) {
				t.Errorf("contexts = %q, want %q", got, w.contexts)
			}
			if got := fixtureRights(v); !slices.Equal(got, w.rights) {
				t.Errorf("rights = %q, want %q", got, w.rights)
			}
			if got := fixtureLint(v); !slices.Equal(got, w.lint) {
				t.Errorf("lint = %q, want %q", got, w.lint)
			}
			checkProvenance(t, d)
		})
	}
}

// contact prints a party's details, leaving out where the notice names it.
func contact(p notice.Party) string {
	p.Provenance = nil
	return fmt.Sprint(p)
}

func fixtureContexts(v *notice.Version) []string {
	var out []string
	for _, c := range v.Contexts {
		key := c.ID + ":" + string(c.Basis)
		if c.Special != nil {
			key += "/" + article9(c.Special)
		}
		out = append(out, key)
	}
	return out
}

func fixtureRights(v *notice.Version) []string {
	var out []string
	for _, d := range v.Rights {
		key := fmt.Sprintf("%s[%s]%s", d.Right, strings.Join(d.Scope, ","), d.Qualifier)
		if d.Channel != nil {
			key += "@" + string(d.Channel.Kind)
		}
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}

func fixtureLint(v *notice.Version) []string {
	numbered := *v
	numbered.Number = 1
	var out []string
	for _, f := range lint.Check(&numbered, lint.Options{Today: "2026-03-02"}) {
		out = append(out, f.Code+" "+f.Subject)
	}
	return out
}

// checkProvenance holds for every draft: each fact points at lines of the
// document, each declared right and context carries its own provenance,
// and nothing is both placed and listed as unplaced.
func checkProvenance(t *testing.T, d *Draft) {
	t.Helper()
	placed := map[int]bool{}
	for _, f := range d.Facts {
		p := f.Provenance
		if p.Confidence <= 0 || p.Confidence > 1 || p.EndLine != 0 && p.EndLine <= p.Line {
			t.Errorf("fact %s=%q: provenance %+v", f.Field, f.Value, p)
		}
		if strings.HasPrefix(f.Field, "rights") {
			placed[p.Line] = true
		}
	}
	for _, r := range d.Version.Rights {
		if r.Provenance.Line == 0 || !placed[r.Provenance.Line] {
			t.Errorf("right %s has provenance %+v with no fact behind it", r.Right, r.Provenance)
		}
	}
	for _, c := range d.Version.Contexts {
		if c.Provenance.Line == 0 {
			t.Errorf("context %s has no provenance", c.ID)
		}
	}
	for _, u := range d.Unplaced {
		if u.Text == "" || u.Line == 0 {
			t.Errorf("unplaced entry %+v: want a line and its text", u)
		}
	}
}

// Every line of a fixture that carries words is either the source of a
// fact or listed as unplaced.
func TestNothingIsDropped(t *testing.T) {
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			d := load(t, name)
			covered := map[int]bool{}
			mark := func(from, to int) {
				for l := from; l <= max(from, to); l++ {
					covered[l] = true
				}
			}
			for _, f := range d.Facts {
				mark(f.Provenance.Line, f.Provenance.EndLine)
			}
			for _, u := range d.Unplaced {
				mark(u.Line, u.EndLine)
			}
			doc := decode(normalise(mustRead(t, name)), d.Format)
			for _, b := range doc.blocks {
				for _, l := range b.lines {
					if b.kind != heading && !covered[l.n] {
						t.Errorf("line %d %q is neither placed nor listed as unplaced", l.n, l.text)
					}
				}
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestUnplacedTextIsKeptWithTheVersion(t *testing.T) {
	d := load(t, "bullets.txt")
	if len(d.Unplaced) == 0 {
		t.Fatal("the pensions fixture has an introduction no fact comes from; want it listed")
	}
	first := d.Unplaced[0]
	if first.Line != 7 || !strings.HasPrefix(first.Text, "This notice explains") {
		t.Errorf("first unplaced = %+v, want the introduction at line 7", first)
	}
	if got := d.Version.Extra["unplaced line 7"]; got != first.Text {
		t.Errorf("extra[unplaced line 7] = %q, want the unplaced text kept with the version", got)
	}
}

// A textphone is not the phone number, but is kept as an extra fact.
func TestTextphoneIsKeptApart(t *testing.T) {
	content := "Privacy notice\n\nComplaints\n\nYou can complain to the Information Commissioner, an independent regulator.\n\nTelephone 0303 123 1113\nTextphone 01625 545 860\n\nA closing sentence that no fact comes from.\n"
	d, err := Parse([]byte(content), Options{Today: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Version.ComplaintAuthority.Phone != "0303 123 1113" || d.Version.Extra["complaint_authority_textphone"] != "01625 545 860" {
		t.Errorf("authority %+v, extra %v", d.Version.ComplaintAuthority, d.Version.Extra)
	}
	if !strings.HasPrefix(d.Version.Extra["unplaced line 10"], "A closing sentence") {
		t.Errorf("extra %v lacks the unplaced closing sentence", d.Version.Extra)
	}
}

func TestSavedPageChromeIsNotRead(t *testing.T) {
	d := load(t, "saved-page.html")
	for _, u := range d.Unplaced {
		if strings.Contains(u.Text, "cookies") || strings.Contains(u.Text, "Open Government Licence") || strings.Contains(u.Text, "analytics") {
			t.Errorf("page chrome read as notice text: %+v", u)
		}
	}
	if !slices.ContainsFunc(d.Facts, func(f Fact) bool { return f.Field == "document_type" && f.Value == "Guidance" }) {
		t.Error("the document type above the title was not recorded")
	}
}
