package notice

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Change is one difference between two versions of a notice. Before is
// empty for something added, After for something removed.
type Change struct {
	Field  string
	Before string
	After  string
}

// Diff lists what changed from version a to version b, removals and changes
// in a's order, then additions in b's. Provenance is left out: a line that
// moved is not a change a requester would notice.
func Diff(a, b *Version) []Change {
	before, after := flatten(a), flatten(b)
	inAfter := make(map[string]string, len(after))
	for _, f := range after {
		inAfter[f.key] = f.value
	}
	inBefore := make(map[string]bool, len(before))
	var out []Change
	for _, f := range before {
		inBefore[f.key] = true
		if v, ok := inAfter[f.key]; !ok || v != f.value {
			out = append(out, Change{Field: f.key, Before: f.value, After: v})
		}
	}
	for _, f := range after {
		if !inBefore[f.key] {
			out = append(out, Change{Field: f.key, After: f.value})
		}
	}
	return out
}

type field struct{ key, value string }

// flattener turns a version into keyed values. Keys name list items by what
// identifies them (a context's id, a recipient's name), not by position, so
// inserting one item does not show every later item as changed.
type flattener struct {
	out  []field
	seen map[string]int
}

func flatten(v *Version) []field {
	f := &flattener{seen: map[string]int{}}
	f.add("title", v.Title)
	f.add("effective_from", v.EffectiveFrom)
	f.add("source/published", v.Source.Published)
	f.add("source/updated", v.Source.Updated)
	f.add("controller", partyString(&v.Controller))
	f.add("dpo", partyString(&v.DPO))
	f.add("privacy_team", partyString(v.PrivacyTeam))
	f.add("complaint_authority", partyString(&v.ComplaintAuthority))
	for _, a := range v.Audiences {
		f.add("audiences/"+a.ID, fmt.Sprintf("%s; %s of %s", a.Label, a.Role, a.Controller.Name))
	}
	for i := range v.Contexts {
		f.context(&v.Contexts[i])
	}
	for _, r := range v.Recipients {
		f.add("recipients/"+r.Name, r.Kind+scopeSuffix(r.Scope))
	}
	for i, r := range v.Retention {
		f.add(fmt.Sprintf("retention/%d", i), r.Description+" ("+retentionString(r)+")")
	}
	for _, t := range v.Transfers {
		f.add("transfers/"+t.Destination, t.Safeguard)
	}
	for _, d := range v.Rights {
		f.add("rights/"+string(d.Right)+scopeSuffix(d.Scope), rightString(d))
	}
	if v.Children != nil {
		f.add("children", "not knowingly under "+strconv.Itoa(v.Children.NotKnowinglyUnder))
	}
	for _, k := range slices.Sorted(maps.Keys(v.Extra)) {
		f.add("extra/"+k, v.Extra[k])
	}
	return f.out
}

func (f *flattener) context(c *Context) {
	prefix := "contexts/" + c.ID + "/"
	f.add(prefix+"name", c.Name)
	f.add(prefix+"basis", BasisLabel(c.Basis))
	f.add(prefix+"purposes", strings.Join(c.Purposes, "; "))
	f.add(prefix+"data_categories", strings.Join(c.DataCategories, "; "))
	if c.Special != nil {
		f.add(prefix+"special_category", strings.Join(c.Special.Categories, ", ")+"; condition: "+c.Special.Condition)
	}
	f.add(prefix+"automated", strconv.FormatBool(c.Automated))
	f.add(prefix+"solely_automated_decisions", strconv.FormatBool(c.SolelyAutomatedDecisions))
}

// add records a non-empty value. A key seen before gets "#2", "#3"…, so a
// right declared twice (rectification, then completion) stays two entries.
func (f *flattener) add(key, value string) {
	if value == "" {
		return
	}
	f.seen[key]++
	if n := f.seen[key]; n > 1 {
		key += "#" + strconv.Itoa(n)
	}
	f.out = append(f.out, field{key, value})
}

func partyString(p *Party) string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, s := range []string{p.Name, p.Address, p.Email, p.Phone, p.Web} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

func scopeSuffix(scope []string) string {
	if len(scope) == 0 {
		return ""
	}
	return " (" + strings.Join(scope, ", ") + ")"
}

func retentionString(r RetentionRule) string {
	var parts []string
	if r.Months > 0 {
		parts = append(parts, fmt.Sprintf("%d months", r.Months))
	}
	if r.Days > 0 {
		parts = append(parts, fmt.Sprintf("%d days", r.Days))
	}
	if r.After != "" {
		parts = append(parts, "after "+r.After)
	}
	if r.Until != "" {
		parts = append(parts, "until "+r.Until)
	}
	if r.ReviewEvery > 0 {
		parts = append(parts, fmt.Sprintf("reviewed every %d months", r.ReviewEvery))
	}
	if len(parts) == 0 {
		return "no period" + scopeSuffix(r.Scope)
	}
	return strings.Join(parts, ", ") + scopeSuffix(r.Scope)
}

func rightString(d DeclaredRight) string {
	parts := []string{"declared"}
	if d.ScopeText != "" {
		parts = append(parts, d.ScopeText)
	}
	if d.Qualifier != QualifierNone {
		parts = append(parts, "qualifier: "+string(d.Qualifier))
	}
	if d.QualifierText != "" {
		parts = append(parts, d.QualifierText)
	}
	if d.Channel != nil {
		parts = append(parts, fmt.Sprintf("channel: %s %s", d.Channel.Kind, d.Channel.Address))
	}
	return strings.TrimSpace(strings.Join(parts, "; "))
}
