package importer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
)

// The development corpus (../shared/corpus beside the repository, never in
// it) holds real UK public-sector notices with the facts a data-protection
// professional extracted by hand (its README gives the schema). This test
// imports each, scores the draft against those facts and holds the
// importer to the thresholds. `make corpus` prints the table;
// RIGHTSDESK_CORPUS points it at another folder of the same shape.

// expected is one NN_slug.expected.json.
type expected struct {
	ID                 string            `json:"id"`
	DPOContact         *string           `json:"dpo_contact"`
	PublishedOrUpdated *string           `json:"published_or_updated"`
	Contexts           []expectedContext `json:"contexts"`
	Retention          struct {
		Durations []struct {
			Months *float64 `json:"months"`
		} `json:"durations"`
	} `json:"retention"`
	RightsDeclared         []string `json:"rights_declared"`
	ComplaintAuthority     *string  `json:"complaint_authority"`
	InternationalTransfers bool     `json:"international_transfers"`
}

type expectedContext struct {
	Purpose          string   `json:"purpose"`
	DataCategories   []string `json:"data_categories"`
	SpecialCategory  bool     `json:"special_category"`
	LawfulBasis      *string  `json:"lawful_basis"`
	SpecialCondition *string  `json:"special_condition"`
	Criminal         bool     `json:"criminal_offence_data"`
}

// score is one notice's result, each part a fraction in [0, 1], or -1 where
// the notice gives nothing to score (no date, no retention period).
type score struct {
	id                                  string
	basesExact                          bool
	gotBases, wantBases                 []string
	rightsTP, rightsFP, rightsFN        int
	specialHit, specialAll              int
	dpo, authority, transfers, date     float64
	retention                           float64
	rightsMissed, rightsExtra, mismatch []string
}

func (s score) rightsF1() float64 { return f1(s.rightsTP, s.rightsFP, s.rightsFN) }

func f1(tp, fp, fn int) float64 {
	if tp+fp+fn == 0 {
		return 1
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

func TestCorpusScore(t *testing.T) {
	dir := corpusDir(t)
	paths, err := filepath.Glob(filepath.Join(dir, "*.expected.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no *.expected.json in %s (%v)", dir, err)
	}
	var scores []score
	for _, p := range paths {
		scores = append(scores, scoreNotice(t, p))
	}
	total := overall(scores)
	if testing.Verbose() {
		printScores(os.Stdout, scores, total)
	}
	for _, s := range scores {
		if !s.basesExact {
			t.Errorf("%s: lawful bases per context %v, want %v", s.id, s.gotBases, s.wantBases)
		}
	}
	for _, th := range []struct {
		name      string
		got, want float64
	}{
		{"declared rights F1", total.rightsF1(), 0.95},
		{"special category and Art 9/10 conditions", ratio(total.specialHit, total.specialAll), 0.9},
		{"DPO", total.dpo, 1},
		{"complaint authority", total.authority, 1},
		{"published or updated date, where the notice has one", total.date, 1},
	} {
		if th.got < th.want {
			t.Errorf("%s = %.3f, want at least %.2f", th.name, th.got, th.want)
		}
	}
}

// corpusDir is RIGHTSDESK_CORPUS or ../shared/corpus beside the
// repository, found from this file so any working directory works.
func corpusDir(t *testing.T) string {
	dir := os.Getenv("RIGHTSDESK_CORPUS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no development corpus at %s (it lives beside the repository, not in it; set RIGHTSDESK_CORPUS to use another)", dir)
	}
	return dir
}

// readCorpusText reads a notice, blanking the corpus's own "source:" line
// so line numbers stay those of the file.
func readCorpusText(t *testing.T, path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if first, rest, ok := strings.Cut(string(raw), "\n"); ok && strings.HasPrefix(first, "source: ") {
		return []byte("\n" + rest)
	}
	return raw
}

func scoreNotice(t *testing.T, path string) score {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want expected
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	text := readCorpusText(t, strings.TrimSuffix(path, ".expected.json")+".txt")
	d, err := importer.Parse(text, importer.Options{Today: "2026-03-02"})
	if err != nil {
		t.Fatalf("%s: %v", want.ID, err)
	}
	v := &d.Version
	s := score{id: want.ID}
	s.gotBases, s.wantBases = draftBases(v), expectedBases(want.Contexts)
	s.basesExact = slices.Equal(s.gotBases, s.wantBases)
	scoreRights(&s, v, want.RightsDeclared)
	scoreSpecial(&s, v, want.Contexts)
	s.dpo = agree(want.DPOContact != nil, reachable(&v.DPO))
	if want.DPOContact != nil && v.DPO.Email != "" && !strings.Contains(strings.ToLower(*want.DPOContact), strings.ToLower(v.DPO.Email)) {
		s.dpo = 0
	}
	s.authority = agree(want.ComplaintAuthority != nil, v.ComplaintAuthority.Name != "")
	s.transfers = agree(want.InternationalTransfers, len(v.Transfers) > 0)
	s.date = scoreDate(v, want.PublishedOrUpdated)
	s.retention = scoreRetention(v, want)
	return s
}

func agree(want, got bool) float64 {
	if want == got {
		return 1
	}
	return 0
}

func reachable(p *notice.Party) bool {
	return p.Email != "" || p.Address != "" || p.Phone != "" || p.Web != ""
}

func basisName(b notice.Basis) string {
	if b == notice.BasisUnstated {
		return "null"
	}
	return string(b)
}

func draftBases(v *notice.Version) []string {
	var out []string
	for _, c := range v.Contexts {
		out = append(out, basisName(c.Basis))
	}
	slices.Sort(out)
	return out
}

func expectedBases(contexts []expectedContext) []string {
	var out []string
	for _, c := range contexts {
		out = append(out, basisOf(c))
	}
	slices.Sort(out)
	return out
}

func basisOf(c expectedContext) string {
	if c.LawfulBasis == nil {
		return "null"
	}
	return *c.LawfulBasis
}

// rightNames maps a declaration to the corpus vocabulary, where completion
// stated apart from correction is its own right.
func rightName(d notice.DeclaredRight) string {
	switch {
	case d.Completion:
		return "completion"
	case d.Right == notice.RightAutomatedDecisionReview:
		return "automated_decision"
	}
	return string(d.Right)
}

func scoreRights(s *score, v *notice.Version, want []string) {
	got := map[string]bool{}
	for _, d := range v.Rights {
		got[rightName(d)] = true
	}
	for _, r := range want {
		if got[r] {
			s.rightsTP++
			delete(got, r)
			continue
		}
		s.rightsFN++
		s.rightsMissed = append(s.rightsMissed, r)
	}
	for r := range got {
		s.rightsFP++
		s.rightsExtra = append(s.rightsExtra, r)
	}
	slices.Sort(s.rightsExtra)
}

// scoreSpecial pairs each expected context with a draft context (same basis
// first, then the most similar words) and counts, for each, whether special
// category data, its Article 9 condition and criminal offence data agree.
func scoreSpecial(s *score, v *notice.Version, want []expectedContext) {
	taken := map[int]bool{}
	for _, w := range want {
		at := pairContext(v, w, taken)
		var c *notice.Context
		if at >= 0 {
			taken[at], c = true, &v.Contexts[at]
		}
		check := func(what string, ok bool) {
			s.specialAll++
			if ok {
				s.specialHit++
			} else {
				s.mismatch = append(s.mismatch, fmt.Sprintf("%s (%s)", what, basisOf(w)))
			}
		}
		hasSpecial := c != nil && c.Special != nil
		check("special category", c != nil && hasSpecial == w.SpecialCategory)
		if w.SpecialCondition != nil {
			check("Art 9 condition", hasSpecial && conditionAgrees(c.Special.Condition, *w.SpecialCondition))
		}
		check("criminal offence data", c != nil && (c.Criminal != nil) == w.Criminal)
	}
}

func pairContext(v *notice.Version, w expectedContext, taken map[int]bool) int {
	best, bestScore := -1, -1.0
	for i, c := range v.Contexts {
		if taken[i] {
			continue
		}
		sim := overlap(w.Purpose+" "+strings.Join(w.DataCategories, " "), c.Name+" "+strings.Join(c.Purposes, " ")+" "+strings.Join(c.DataCategories, " "))
		if basisName(c.Basis) == basisOf(w) {
			sim += 10 // the basis decides; words only break ties
		}
		if sim > bestScore {
			best, bestScore = i, sim
		}
	}
	return best
}

var article9Point = regexp.MustCompile(`9\s*\(\s*2\s*\)\s*\(\s*([a-j])\s*\)|article 9\s*\(\s*([a-j])\s*\)`)

// conditionAgrees wants a condition, and, where the expected one cites
// points of Article 9(2), every one of them.
func conditionAgrees(got, want string) bool {
	if strings.TrimSpace(got) == "" {
		return false
	}
	for _, m := range article9Point.FindAllStringSubmatch(strings.ToLower(want), -1) {
		point := m[1] + m[2]
		if !strings.Contains(strings.ToLower(got), "9(2)("+point+")") {
			return false
		}
	}
	return true
}

var wordRe = regexp.MustCompile(`[a-z]{4,}`)

// overlap is the share of a's longer words found in b.
func overlap(a, b string) float64 {
	words := wordRe.FindAllString(strings.ToLower(a), -1)
	if len(words) == 0 {
		return 0
	}
	in := strings.ToLower(b)
	hits := 0
	for _, w := range words {
		if strings.Contains(in, w[:4]) {
			hits++
		}
	}
	return float64(hits) / float64(len(words))
}

func scoreDate(v *notice.Version, want *string) float64 {
	if want == nil {
		return -1
	}
	for _, got := range []string{v.Source.Updated, v.Source.Published} {
		if got != "" && strings.HasPrefix(got, *want) {
			return 1
		}
	}
	return 0
}

// scoreRetention is the F1 of the stated periods, in months to two
// decimals (days × 12/365), against the expected ones.
func scoreRetention(v *notice.Version, want expected) float64 {
	var expect []float64
	for _, d := range want.Retention.Durations {
		if d.Months != nil {
			expect = append(expect, *d.Months)
		}
	}
	var got []float64
	for _, r := range v.Retention {
		if r.Months > 0 || r.Days > 0 {
			got = append(got, math.Round((float64(r.Months)+float64(r.Days)*12/365)*100)/100)
		}
	}
	if len(expect) == 0 && len(got) == 0 {
		return -1
	}
	tp := 0
	for _, m := range expect {
		if i := slices.IndexFunc(got, func(g float64) bool { return math.Abs(g-m) <= 0.02 }); i >= 0 {
			tp++
			got = slices.Delete(got, i, i+1)
		}
	}
	return f1(tp, len(got), len(expect)-tp)
}

func ratio(hit, all int) float64 {
	if all == 0 {
		return 1
	}
	return float64(hit) / float64(all)
}

// overall sums the counts and averages the fractions that apply.
func overall(scores []score) score {
	var o score
	o.id, o.basesExact = "overall", true
	var dpo, authority, transfers, date, retention []float64
	for _, s := range scores {
		o.basesExact = o.basesExact && s.basesExact
		o.rightsTP, o.rightsFP, o.rightsFN = o.rightsTP+s.rightsTP, o.rightsFP+s.rightsFP, o.rightsFN+s.rightsFN
		o.specialHit, o.specialAll = o.specialHit+s.specialHit, o.specialAll+s.specialAll
		dpo, authority, transfers = append(dpo, s.dpo), append(authority, s.authority), append(transfers, s.transfers)
		date, retention = appendScored(date, s.date), appendScored(retention, s.retention)
	}
	o.dpo, o.authority, o.transfers, o.date, o.retention = mean(dpo), mean(authority), mean(transfers), mean(date), mean(retention)
	return o
}

func appendScored(list []float64, v float64) []float64 {
	if v < 0 {
		return list
	}
	return append(list, v)
}

func mean(list []float64) float64 {
	if len(list) == 0 {
		return 1
	}
	sum := 0.0
	for _, v := range list {
		sum += v
	}
	return sum / float64(len(list))
}

func printScores(w *os.File, scores []score, total score) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NOTICE\tBASES\tRIGHTS F1\tSPECIAL\tDPO\tICO\tTRANSFERS\tRETENTION\tDATE\tNOTES")
	row := func(s score, notes string) {
		bases := "exact"
		if !s.basesExact {
			bases = "wrong"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\n", s.id, bases, s.rightsF1(), ratio(s.specialHit, s.specialAll),
			fraction(s.dpo), fraction(s.authority), fraction(s.transfers), fraction(s.retention), fraction(s.date), notes)
	}
	for _, s := range scores {
		var notes []string
		if !s.basesExact {
			notes = append(notes, fmt.Sprintf("bases %v want %v", s.gotBases, s.wantBases))
		}
		if len(s.rightsMissed) > 0 {
			notes = append(notes, "missed "+strings.Join(s.rightsMissed, ","))
		}
		if len(s.rightsExtra) > 0 {
			notes = append(notes, "extra "+strings.Join(s.rightsExtra, ","))
		}
		if len(s.mismatch) > 0 {
			notes = append(notes, "special: "+strings.Join(s.mismatch, "; "))
		}
		row(s, strings.Join(notes, " | "))
	}
	row(total, "")
	_ = tw.Flush()
}

func fraction(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}
