package public

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// The services search works on the words a person uses for a service, not
// on letters inside other words: "IT" must find the IT Service Desk, not
// every notice that says "with" or "its".
//
//   - A notice is found when every word searched for matches one of its
//     words: in its title, summary, controller, audiences, or the names
//     and purposes of its processing.
//   - A searched word of three letters or more matches the start of a word
//     ("newsletter" finds "newsletters"); one of five letters or more
//     that ends in "s" also matches without it ("emails" finds "email").
//   - A shorter searched word must be a whole word, and short words count
//     only where the notice writes them in capitals: "IT" and "HR" are
//     names, "it" and "to" are grammar.
//   - Words that say nothing about a service ("the", "my", "data") are
//     left out of the search, so "my IT data" still finds the IT Service
//     Desk; a search of nothing but such words finds everything.
//   - Letters are compared in lower case; accents count.

// minPrefix is the shortest searched word that matches the start of a
// word, and minStem the shortest left once a plural "s" is taken off
// ("news" is not the plural of "new").
const (
	minPrefix = 3
	minStem   = 4
)

// noiseWords say nothing about which service a request is about.
var noiseWords = []string{
	"a", "an", "and", "about", "at", "by", "data", "for", "from", "i", "in", "information", "is",
	"me", "my", "of", "on", "or", "our", "personal", "the", "to", "with", "you", "your",
}

// searchWords are the words a notice can be found by, lower case.
func searchWords(v *notice.Version) []string {
	texts := []string{v.Title, v.Summary, v.Controller.Name}
	for _, a := range v.Audiences {
		texts = append(texts, a.Label, a.Controller.Name)
	}
	for _, c := range v.Contexts {
		texts = append(texts, c.Name)
		texts = append(texts, c.Purposes...)
	}
	var words []string
	for _, t := range texts {
		for _, w := range splitWords(t) {
			if utf8.RuneCountInString(w) >= minPrefix || isCapitals(w) {
				words = append(words, strings.ToLower(w))
			}
		}
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// queryWords are the searched words that can tell services apart.
func queryWords(query string) []string {
	var out []string
	for _, w := range splitWords(strings.ToLower(query)) {
		if !slices.Contains(noiseWords, w) {
			out = append(out, w)
		}
	}
	return out
}

// matches reports whether the notice has a word for every searched word;
// see the rules above.
func matches(query []string, words []string) bool {
	for _, q := range query {
		if !slices.ContainsFunc(words, func(w string) bool { return wordMatches(q, w) }) {
			return false
		}
	}
	return true
}

func wordMatches(q, w string) bool {
	if utf8.RuneCountInString(q) < minPrefix {
		return q == w
	}
	if strings.HasPrefix(w, q) {
		return true
	}
	stem, plural := strings.CutSuffix(q, "s")
	return plural && utf8.RuneCountInString(stem) >= minStem && strings.HasPrefix(w, stem)
}

// splitWords splits at anything but a letter, digit or mark; apostrophes
// go, so "members'" is "members".
func splitWords(s string) []string {
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) })
}

// isCapitals reports a word written in capitals, such as "IT".
func isCapitals(w string) bool {
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}
