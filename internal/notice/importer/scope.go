package importer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A scope is the opening clause that limits a statement to part of the
// processing: "In relation to satisfaction surveys, you have the right…",
// "When we record events that are held virtually, the legal basis…",
// "For those not working for the public sector, we process…". It ends at
// the first comma or colon followed by the start of a main clause, so a
// list inside it ("In the case of images, video and audio, …") stays whole.
var scopeLead = regexp.MustCompile(`(?i)^(?:in relation to|in the case of|in respect of|with regard to|regarding|for|when|where|if|once)\s+(.+?)\s*[,:]\s*(?:the |we |it |its |processing |you |your |our |this |these |they |there |personal data |data |$)`)

var scopeOpeners = toSet("in with regarding for when where if once")

// notScopes open clauses that refer back rather than name processing
// ("Where that is the case, …").
var notScopes = regexp.MustCompile(`(?i)^(?:that|this|it|so|such|necessary|appropriate|applicable|required|possible|relevant|needed|not|any of these|in doubt|you consider|you think|you have any)\b`)

// ownScope is the scope phrase a unit opens with, or "".
func ownScope(u *unit) string {
	first, _, _ := strings.Cut(u.lower, " ")
	if !scopeOpeners[first] {
		return ""
	}
	m := scopeLead.FindStringSubmatch(u.fold)
	if m == nil || notScopes.MatchString(m[1]) || len(strings.Fields(m[1])) > 20 {
		return ""
	}
	return lowerFirst(strings.TrimSpace(m[1]))
}

// scopeOf is a unit's own scope or, for a list item, the scope of the
// sentence that introduces its list.
func (p *parser) scopeOf(ui int) string {
	for hops := 0; ui >= 0 && hops < 4; hops++ {
		u := p.unit(ui)
		if s := ownScope(u); s != "" {
			return s
		}
		ui = u.leadIn
	}
	return ""
}

// lowerFirst lower-cases a phrase's first letter unless it starts an
// acronym ("CSEP Hub"), so it reads well after "in relation to".
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

var generalScope = regexp.MustCompile(`(?i)^(?:all|any) other\b|^everything else|^the rest\b|^other (?:personal )?(?:data|processing|information)\b|^all (?:personal )?(?:data|processing)\b`)

// stopwords carry no meaning for matching a scope to a context.
var stopwords = toSet("a an the of and or to in on at for by with from as is are be been being was were will would may might can could " +
	"we you your our us it its this that these those they their them which who whom where when if not no all any some " +
	"data personal information processing process processed relation case regard respect use used using " +
	"following also such other than more about into out up so do does did have has had there here what")

func toSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// stems reduces a phrase to comparable word stems: lower case, common
// endings dropped, first five letters, so "recordings of virtual events"
// and "we record events that are held virtually" share three.
func stems(phrase string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(phrase), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if stopwords[w] {
			continue
		}
		for _, suffix := range []string{"ings", "ing", "ies", "ied", "ed", "es", "ly", "s"} {
			if len(w) > len(suffix)+2 && strings.HasSuffix(w, suffix) {
				w = strings.TrimSuffix(w, suffix)
				break
			}
		}
		if len(w) > 5 {
			w = w[:5]
		}
		out[w] = true
	}
	return out
}

// similarity is the Dice coefficient of two stem sets, or, when they share
// two stems or more, how much of the shorter one the longer contains: "images,
// videos and A Modern Civil Service Stories content" means "images, video
// and audio" although it says more.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for w := range a {
		if b[w] {
			shared++
		}
	}
	dice := 2 * float64(shared) / float64(len(a)+len(b))
	if shared < 2 {
		return dice
	}
	return max(dice, float64(shared)/float64(min(len(a), len(b))))
}

// closeEnough is how similar a phrase must be to a context's name to mean it.
const closeEnough = 0.5

// resolve maps a scope phrase to context ids: a phrase naming a lawful basis
// ("if your data is processed on the basis of consent") means every context
// on that basis; "all other data" means the general context; anything else
// means the context whose name it most resembles. ok is false when the
// phrase names no context.
func (p *parser) resolve(phrase string) (ids []string, ok bool) {
	if phrase == "" {
		return nil, true
	}
	if generalScope.MatchString(phrase) {
		if g := p.general(); g != nil {
			return []string{g.ID}, true
		}
	}
	if bases := basesIn(strings.ToLower(phrase)); len(bases) > 0 {
		for _, c := range p.contexts {
			if slices.Contains(bases, c.Basis) {
				ids = append(ids, c.ID)
			}
		}
		return ids, len(ids) > 0
	}
	if c := p.closest(phrase, false); c != nil {
		return []string{c.ID}, true
	}
	return nil, false
}

// closest is the context whose name (or the phrase that introduced it) is
// most like phrase, or nil; scopedOnly leaves out general contexts.
func (p *parser) closest(phrase string, scopedOnly bool) *ctxDraft {
	want := stems(phrase)
	var best *ctxDraft
	bestScore := closeEnough
	for _, c := range p.contexts {
		if scopedOnly && c.general {
			continue
		}
		if score := max(similarity(want, c.nameStems), similarity(want, c.phraseStems)); score >= bestScore {
			best, bestScore = c, score
		}
	}
	return best
}
