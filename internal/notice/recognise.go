package notice

import (
	"strings"
	"unicode"
)

// A notice read again — re-published, re-saved, copied from a different
// page layout — must become the next version of the notice it is, not a
// second notice, even when the importer derives another id from its title
// ("Network Members' Privacy Notice" is the catalogue's
// nlc-network-members). Recognise compares a draft with the notices
// already known by what a reader would call the same notice: its title,
// its controller and what it says about the processing.

// RecogniseThreshold is the resemblance from which a draft is taken to be a
// version of a known notice. Between a reference notice and its catalogue
// entry it is 0.86 or more; between different notices, in the reference
// notices and the development corpus, at most 0.55 (two Cabinet Office
// notices whose titles share "Civil Service").
const RecogniseThreshold = 0.7

// Resemblance scores, from 0 to 1, how likely two versions are the same
// notice: the title counts most, then the processing described (contexts,
// purposes, data, recipients), then the controller. Titles that say only
// "Privacy policy" tell nothing either way, so then content and controller
// decide.
func Resemblance(a, b *Version) float64 {
	ta, tb := titleStems(a.Title), titleStems(b.Title)
	content := Dice(contentStems(a), contentStems(b))
	controller := 0.0
	switch ca, cb := normalName(a.Controller.Name), normalName(b.Controller.Name); {
	case ca == "" || cb == "":
		controller = 0.5 // unknown on one side: neither for nor against
	case ca == cb || strings.Contains(ca, cb) || strings.Contains(cb, ca):
		controller = 1
	}
	if len(ta) == 0 && len(tb) == 0 {
		return 0.75*content + 0.25*controller
	}
	return 0.45*Dice(ta, tb) + 0.4*content + 0.15*controller
}

// Recognise returns the id of the known notice the draft is most likely a
// version of, and its resemblance, or "" when none reaches
// RecogniseThreshold.
func Recognise(draft *Version, known []Notice) (id string, resemblance float64) {
	for i := range known {
		if len(known[i].Versions) == 0 {
			continue
		}
		if r := Resemblance(draft, known[i].Current()); r > resemblance {
			id, resemblance = known[i].ID, r
		}
	}
	if resemblance < RecogniseThreshold {
		return "", resemblance
	}
	return id, resemblance
}

// titleNoise are the words every notice's title has.
var titleNoise = wordSet("privacy notice policy statement information for the a an of and on to our your how we use data personal")

// contentNoise are words any processing description has.
var contentNoise = wordSet("the a an of and or to in on for with by from your our you we us it its this that data personal information processing process use used details other all any such including")

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

func titleStems(title string) map[string]bool { return stemSet(title, titleNoise) }

// contentStems are the words of what a notice says it does — purposes,
// data, recipients — and its lawful bases. Context names are left out:
// the importer names general processing in its own words, the same for
// every notice.
func contentStems(v *Version) map[string]bool {
	var parts []string
	for _, c := range v.Contexts {
		parts = append(parts, c.Purposes...)
		parts = append(parts, c.DataCategories...)
	}
	for _, r := range v.Recipients {
		parts = append(parts, r.Name)
	}
	stems := stemSet(strings.Join(parts, " "), contentNoise)
	for _, c := range v.Contexts {
		stems["basis:"+string(c.Basis)] = true
	}
	return stems
}

// stemSet is the words' first five letters, which is enough to match
// "addresses" with "address" and "recordings" with "recorded".
func stemSet(text string, noise map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if noise[w] || len(w) < 2 {
			continue
		}
		if len(w) > 5 {
			w = w[:5]
		}
		out[w] = true
	}
	return out
}

// Dice is the Dice coefficient of two sets of words or stems, 0 when either
// is empty: twice what they share over their sizes together.
func Dice(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for w := range a {
		if b[w] {
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// normalName folds a party's name for comparison: "the Cabinet Office" and
// "Cabinet Office" are one controller.
func normalName(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	return strings.TrimPrefix(name, "the ")
}
