package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func TestOptionsAndInputErrors(t *testing.T) {
	ok := Options{Today: "2026-03-02"}
	for name, tt := range map[string]struct {
		content string
		opts    Options
		want    string
	}{
		"empty document":      {"  \n\t\n", ok, "no text"},
		"bad id":              {"x", Options{ID: "Not An Id", Today: "2026-03-02"}, "notice id"},
		"bad date":            {"x", Options{Today: "2 March 2026"}, "not a date"},
		"no date at all":      {"x", Options{}, "today's date is required"},
		"bad effective date":  {"x", Options{Today: "2026-03-02", EffectiveFrom: "soon"}, "not a date"},
		"unknown format":      {"x", Options{Format: "pdf", Today: "2026-03-02"}, "unknown format"},
		"larger than the cap": {strings.Repeat("x", MaxInput+1), ok, "the most an import reads"},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse([]byte(tt.content), tt.opts)
			if err == nil || d != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, %v; want an error containing %q", d, err, tt.want)
			}
		})
	}
	if _, err := Parse(nil, ok); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil content: %v, want ErrEmpty", err)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatAuto, "auto": FormatAuto, "TEXT": FormatText, "md": FormatMarkdown, " html ": FormatHTML, "txt": FormatText} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestDetect(t *testing.T) {
	for in, want := range map[string]Format{
		"<!DOCTYPE html><p>x</p>":          FormatHTML,
		"<div>notice</div>":                FormatHTML,
		"---\ntitle: x\n---\nbody":         FormatMarkdown,
		"# Title\n\nbody":                  FormatMarkdown,
		"Some [link](https://example.org)": FormatMarkdown,
		"Guidance\n\nTitle\n\n• item":      FormatText,
		"a < b and c > d":                  FormatText,
	} {
		if got := detect(in); got != want {
			t.Errorf("detect(%q) = %q, want %q", in, got, want)
		}
	}
}

// The digest is of the words read, so re-wrapping a paragraph or saving
// the same notice with other line ends is not a change, and a changed word is.
func TestDigest(t *testing.T) {
	digestOf := func(s string) string {
		t.Helper()
		d, err := Parse([]byte(s), Options{Today: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		return d.Version.Source.Digest
	}
	base := digestOf("Title\n\nWe keep your data for two years after you leave.\n")
	if got := digestOf("Title\r\n\r\nWe keep your data for two years\r\nafter you leave.\r\n"); got != base {
		t.Error("re-wrapping and CRLF line ends changed the digest")
	}
	if got := digestOf("Title\n\nWe keep your data for three years after you leave.\n"); got == base {
		t.Error("a changed word left the digest unchanged")
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"17 December 2018": "2018-12-17", "1st May 2020": "2020-05-01", "2019-09-16": "2019-09-16",
		"Sep 3, 2024": "2024-09-03", "03/04/2021": "2021-04-03", "July 2023": "2023-07-01 (month)",
		"31 February 2020": "", "no date here": "", "1 May 1066": "",
	} {
		iso, precise, ok := parseDate(in)
		got := iso
		if ok && !precise {
			got += " (month)"
		}
		if got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlugID(t *testing.T) {
	for in, want := range map[string]string{
		"Privacy notice for IT Service Desk platform":              "it-service-desk-platform",
		"GPG CSEP Hub privacy notice":                              "gpg-csep-hub",
		"Network Members’ Privacy Notice":                          "network-members",
		"Privacy Policy":                                           "",
		"Privacy notice: the Ünïcode & punctuation — département!": "unicode-punctuation-departement",
		strings.Repeat("word ", 30):                                "word-word-word-word-word-word-word-word-word-word-word-word",
	} {
		if got := slugID(in); got != want {
			t.Errorf("slugID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSentences(t *testing.T) {
	b := &block{lines: []srcLine{
		{10, "We use suppliers, e.g. Example Ltd. and others. Mr. J. Smith is"},
		{11, "our DPO. See Art. 9 for more! Is that all? Yes."},
	}}
	var got []string
	for _, s := range sentences(b, 100) {
		got = append(got, fmt.Sprintf("%d-%d %s", s.line, s.endLine, s.text))
	}
	want := []string{
		"10-10 We use suppliers, e.g. Example Ltd. and others.",
		"10-11 Mr. J. Smith is our DPO.",
		"11-11 See Art. 9 for more!",
		"11-11 Is that all?",
		"11-11 Yes.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sentences:\n got %q\nwant %q", got, want)
	}
}

func TestScope(t *testing.T) {
	for in, want := range map[string]string{
		"In relation to satisfaction surveys, you have the right:":                             "satisfaction surveys",
		"In the case of images, video and audio, the legal basis is your consent.":             "images, video and audio",
		"When we record events that are held virtually, the legal basis is consent.":           "we record events that are held virtually",
		"For those not working for the public sector, we process your data with your consent.": "those not working for the public sector",
		"In relation to all other data:":                                                       "all other data",
		"In relation to CSEP Hub profiles, you have the right to object.":                      "CSEP Hub profiles",
		"Where that is the case, it will be protected.":                                        "",
		"You have the right to object.":                                                        "",
	} {
		u := &unit{fold: matchFolding.Replace(in), lower: strings.ToLower(matchFolding.Replace(in))}
		if got := ownScope(u); got != want {
			t.Errorf("ownScope(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		match bool
	}{
		{"images, audio and video", "images, video and audio", true},
		{"recordings of virtual events", "we record events that are held virtually", true},
		{"images, videos and A Modern Civil Service Stories content", "images, video and audio", true},
		{"diversity data", "diversity monitoring", true},
		{"satisfaction surveys", "all other data", false},
		{"the following personal data", "satisfaction surveys", false},
	} {
		if got := similarity(stems(tt.a), stems(tt.b)) >= closeEnough; got != tt.match {
			t.Errorf("similarity(%q, %q) = %.2f, want a match: %v", tt.a, tt.b, similarity(stems(tt.a), stems(tt.b)), tt.match)
		}
	}
}

func TestBasesAndConditions(t *testing.T) {
	for in, want := range map[string]string{
		"the legal basis is your consent":                                                    "consent",
		"necessary for the performance of a contract to which you are a party":               "contract",
		"we need to comply with a legal obligation":                                          "legal_obligation",
		"to protect someone's vital interests":                                               "vital_interests",
		"a task carried out in the public interest or in the exercise of official authority": "public_task",
		"the legitimate interests pursued by the controller":                                 "legitimate_interests",
		"under article 6(1)(e) and article 6(1)(c)":                                          "legal_obligation public_task",
		"we do not rely on your consent; the basis is our legitimate interests":              "legitimate_interests",
		"standard contract clauses":                                                          "",
	} {
		var got []string
		for _, b := range basesIn(in) {
			got = append(got, string(b))
		}
		slices.Sort(got)
		if strings.Join(got, " ") != want {
			t.Errorf("basesIn(%q) = %v, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"under employment law":                                  "Art 9(2)(b) employment law",
		"for reasons of substantial public interest":            "Art 9(2)(g) substantial public interest",
		"we rely on article 9(2)(j) of the gdpr":                "Art 9(2)(j) archiving, research or statistics",
		"your explicit consent":                                 "Art 9(2)(a) explicit consent",
		"necessary for the establishment of legal claims":       "Art 9(2)(f) legal claims",
		"obligations or rights as the controller under the law": "",
	} {
		if got := conditionIn(in); got != want {
			t.Errorf("conditionIn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRightsIn(t *testing.T) {
	for in, want := range map[string]string{
		"to request a copy of any personal data you have provided in a machine-readable format":                 "portability",
		"to request information about how your personal data are processed":                                     "access",
		"to object to the processing of your personal data where it is processed for direct marketing purposes": "objection_direct_marketing",
		"to object to processing based on our legitimate interests, and to direct marketing":                    "objection objection_direct_marketing",
		"to withdraw consent at any time":                                      "withdraw_consent",
		"in certain circumstances, to request that processing is restricted":   "restriction",
		"to ask us to fix anything in your records that is wrong":              "rectification",
		"not to be subject to a decision based solely on automated processing": "automated_decision_review",
		"we do not use automated decision-making":                              "",
		"you do not have the right to erasure of records we must keep by law":  "",
	} {
		var got []string
		for _, r := range rightsIn(in) {
			got = append(got, string(r))
		}
		slices.Sort(got)
		if strings.Join(got, " ") != want {
			t.Errorf("rightsIn(%q) = %v, want %q", in, got, want)
		}
	}
}

func TestQualifier(t *testing.T) {
	for in, want := range map[string]string{
		"in certain circumstances (for example, where accuracy is contested), to request": "certain_circumstances: in certain circumstances, for example where accuracy is contested",
		"you may have the right to request that your data is erased":                      "may: ",
		"in some cases, to object": "certain_circumstances: in some cases",
		"to request a copy":        ": ",
	} {
		var d notice.DeclaredRight
		qualify(&d, in)
		if got := string(d.Qualifier) + ": " + d.QualifierText; got != want {
			t.Errorf("qualify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContactLines(t *testing.T) {
	for in, want := range map[string]string{
		"Telephone: 0303 123 1113 casework@ico.org.uk": "email=casework@ico.org.uk phone=0303 123 1113",
		"Contact form https://ico.org.uk/glo...":       "",
		"Web: https://ico.org.uk/make-a-complaint/.":   "web=https://ico.org.uk/make-a-complaint/",
		"London SW1A 2AS": "postcode=London SW1A 2AS",
		"DPO":             "role",
		"70 Whitehall":    "text=70 Whitehall",
		"The Data Protection Officer provides independent advice on our use of data.": "prose",
		"Public Enquiries: Online Contact Form":                                       "other",
	} {
		var got []string
		for _, p := range classify(in) {
			got = append(got, partName[p.kind]+map[bool]string{true: "=" + p.value}[p.value != ""])
		}
		if strings.Join(got, " ") != want {
			t.Errorf("classify(%q) = %q, want %q", in, got, want)
		}
	}
}

var partName = map[partKind]string{partText: "text", partEmail: "email", partPhone: "phone", partWeb: "web", partPostcode: "postcode", partRole: "role", partOther: "other", partProse: "prose"}

func TestTextHeadings(t *testing.T) {
	for in, want := range map[string]int{
		"1. Your data": 1, "1.2 The data": 2, "Your rights": 1, "How long we keep your data": 1, "What are your rights?": 1,
		"Where personal data have not been obtained from you": 1,
		"Information Commissioner's Office":                   0, "Cabinet Office": 0, "Guidance": 0, "0303 123 1113": 0,
		"Last updated: July 2023": 0, "You have the right to object.": 0,
	} {
		level, ok := textHeading(in)
		if !ok {
			level = 0
		}
		if level != want {
			t.Errorf("textHeading(%q) = %d, want %d", in, level, want)
		}
	}
}

func TestRetentionRules(t *testing.T) {
	for in, want := range map[string]string{
		"Your data will be kept for up to 1 year after you have left the department.":                              "12m after=you have left the department",
		"We keep records for six months.":                                                                          "6m",
		"Data is reviewed at least every 12 months.":                                                               "review=12",
		"On an annual basis, we ask whether you want to stay on the list.":                                         "review=12",
		"Kept for the life of the programme, which runs until the end of 2024.":                                    "until=2024-12-31",
		"Kept until 30 June 2027.":                                                                                 "until=2027-06-30",
		"Kept until the end of March 2025.":                                                                        "until=2025-03-31",
		"If you delete your account, your data is retained for a period of 6 months, after which it is destroyed.": "6m after=you delete your account",
		"We keep your data for 45 days.":                                                                           "45d",
		"Emails sent are stored for 7 days.":                                                                       "7d", // a week, not a month
		"Your data is deleted if you have not signed in for 2 years and 60 days.":                                  "24m 60d",
		"Management information is retained for no more than 3 financial years.":                                   "36m",
		"Recordings are kept for two weeks.":                                                                       "14d",
		"We keep your records for as long as the law requires.":                                                    "",
	} {
		u := &unit{text: in, fold: in, lower: strings.ToLower(in)}
		r := retentionRule(u)
		var got []string
		if r.Months > 0 {
			got = append(got, fmt.Sprintf("%dm", r.Months))
		}
		if r.Days > 0 {
			got = append(got, fmt.Sprintf("%dd", r.Days))
		}
		if r.After != "" {
			got = append(got, "after="+r.After)
		}
		if r.Until != "" {
			got = append(got, "until="+r.Until)
		}
		if r.ReviewEvery > 0 {
			got = append(got, fmt.Sprintf("review=%d", r.ReviewEvery))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("retentionRule(%q) = %q, want %q", in, got, want)
		}
	}
}
