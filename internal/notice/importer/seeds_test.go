package importer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue/seeds"
)

// TestSeedsMatchTheCatalogue imports each reference notice and compares the
// draft with the catalogue entry written by hand: dates, lawful bases,
// Article 9 conditions, rights with their scopes and qualifiers, audiences
// and every contact.
func TestSeedsMatchTheCatalogue(t *testing.T) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range seeds.IDs() {
		i := slices.IndexFunc(builtin, func(n notice.Notice) bool { return n.ID == id })
		if i < 0 {
			t.Fatalf("reference notice %s has no catalogue entry", id)
		}
		t.Run(id, func(t *testing.T) {
			d, err := Parse(seeds.Read(t, id), Options{ID: id, Today: "2026-03-02"})
			if err != nil {
				t.Fatal(err)
			}
			compareWithCatalogue(t, &d.Version, builtin[i].Current())
			// The catalogue records the digest of the text it was written
			// from, so re-importing that text is recognised as unchanged.
			if got, want := d.Version.Source.Digest, builtin[i].Current().Source.Digest; got != want {
				t.Errorf("digest %s, catalogue has %s: update data/%s.json", got, want, id)
			}
		})
	}
}

func compareWithCatalogue(t *testing.T, got, want *notice.Version) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"title", got.Title, want.Title},
		{"effective_from", got.EffectiveFrom, want.EffectiveFrom},
		{"published", got.Source.Published, want.Source.Published},
		{"updated", got.Source.Updated, want.Source.Updated},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	ids := matchContexts(t, got, want)
	if got, want := rightKeys(got, ids), rightKeys(want, nil); !slices.Equal(got, want) {
		t.Errorf("rights:\n got %v\nwant %v", got, want)
	}
	checkDataPlacement(t, got, want, ids)
	for _, p := range []struct {
		name      string
		got, want *notice.Party
	}{
		{"controller", &got.Controller, &want.Controller},
		{"dpo", &got.DPO, &want.DPO},
		{"complaint authority", &got.ComplaintAuthority, &want.ComplaintAuthority},
		{"privacy team", got.PrivacyTeam, want.PrivacyTeam},
	} {
		if g, w := partyKey(p.got), partyKey(p.want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", p.name, g, w)
		}
	}
	if g, w := audienceKeys(got), audienceKeys(want); !slices.Equal(g, w) {
		t.Errorf("audiences:\n got %v\nwant %v", g, w)
	}
}

// matchContexts pairs each catalogue context with a draft context on the
// same lawful basis and Article 9 condition, the closest by name where
// several qualify, and returns draft id → catalogue id. The names differ —
// the catalogue's are paraphrases — so only the legal facts must agree.
func matchContexts(t *testing.T, got, want *notice.Version) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, w := range want.Contexts {
		best, bestScore := "", -1.0
		for _, g := range got.Contexts {
			if _, taken := ids[g.ID]; taken || g.Basis != w.Basis || article9(g.Special) != article9(w.Special) {
				continue
			}
			if score := similarity(stems(g.Name), stems(w.Name)); score > bestScore {
				best, bestScore = g.ID, score
			}
		}
		if best == "" {
			t.Errorf("catalogue context %s (%s, %s) has no draft context with that basis and condition; draft: %v", w.ID, w.Basis, article9(w.Special), contextKeys(got))
			continue
		}
		ids[best] = w.ID
	}
	if len(ids) != len(got.Contexts) {
		t.Errorf("draft has %d contexts, catalogue %d: %v", len(got.Contexts), len(want.Contexts), contextKeys(got))
	}
	return ids
}

// checkDataPlacement holds each data category the draft read to the
// context the catalogue puts it in: a category the catalogue names (in its
// own words) must sit in the draft context matched to one of the catalogue
// contexts that have it. Categories the catalogue does not name are not
// judged here.
func checkDataPlacement(t *testing.T, got, want *notice.Version, ids map[string]string) {
	t.Helper()
	for _, g := range got.Contexts {
		for _, category := range g.DataCategories {
			var homes []string
			for _, w := range want.Contexts {
				if slices.ContainsFunc(w.DataCategories, func(c string) bool { return sameData(category, c) }) {
					homes = append(homes, w.ID)
				}
			}
			if len(homes) > 0 && !slices.Contains(homes, ids[g.ID]) {
				t.Errorf("data category %q is in draft context %s (catalogue %s); the catalogue has it in %v", category, g.ID, ids[g.ID], homes)
			}
		}
	}
}

// sameData matches a category as the notice words it with the catalogue's
// paraphrase: "email addresses" and "email address", "photographs" and
// "photographs", "Twitter ID" and "Twitter ID".
func sameData(draft, catalogue string) bool {
	a, b := stems(draft), stems(catalogue)
	return similarity(a, b) >= closeEnough && sharedStems(a, b) >= min(len(a), len(b), 2)
}

func article9(s *notice.SpecialCategory) string {
	if s == nil {
		return "no special category data"
	}
	if i := strings.Index(s.Condition, ")("); i >= 0 && len(s.Condition) > i+3 {
		return "Art 9(2)" + s.Condition[i+1:i+4]
	}
	return "condition " + s.Condition
}

func contextKeys(v *notice.Version) []string {
	var out []string
	for _, c := range v.Contexts {
		out = append(out, fmt.Sprintf("%s:%s/%s", c.ID, c.Basis, article9(c.Special)))
	}
	return out
}

// rightKeys lists the distinct (right, scope, qualifier) triples, scopes
// renamed into catalogue ids when ids is given. Duplicates collapse: the
// catalogue records access once where a notice lists "information about
// processing" and "a copy" as two bullets.
func rightKeys(v *notice.Version, ids map[string]string) []string {
	var out []string
	for _, d := range v.Rights {
		scope := slices.Clone(d.Scope)
		for i, s := range scope {
			if ids != nil {
				scope[i] = ids[s]
			}
		}
		slices.Sort(scope)
		key := fmt.Sprintf("%s[%s]%s", d.Right, strings.Join(scope, ","), d.Qualifier)
		if d.Completion {
			key += "(completion)"
		}
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

func partyKey(p *notice.Party) string {
	if p == nil {
		return "none"
	}
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ToLower(matchFolding.Replace(s))), " ")
	}
	return fmt.Sprintf("name=%q address=%q email=%q phone=%q web=%q", norm(p.Name), norm(p.Address), norm(p.Email), norm(p.Phone), norm(p.Web))
}

func audienceKeys(v *notice.Version) []string {
	var out []string
	for _, a := range v.Audiences {
		out = append(out, fmt.Sprintf("%s of %s", a.Role, a.Controller.Name))
	}
	slices.Sort(out)
	return out
}
