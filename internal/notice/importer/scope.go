package importer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A scope is the opening clause that limits a statement to part of the
// processing: "In relation to satisfaction surveys, you have the right…",
// "When we record events that are held virtually, the legal basis…",
// "For those not working for the public sector, we process…". It ends at
// the first comma or colon followed by the start of a main clause, so a
// list inside it ("In the case of images, video and audio, …") stays whole.
var scopeLead = regexp.MustCompile(`(?i)^(?:in relation to|in the case of|in respect of|with regard to|regarding|for|when|where|if|once)\s+(.+?)\s*[,:]\s*(?:the |we |we'(?:ll|re|ve|d) |it |its |processing |you |your |our |this |these |they |there |personal data |data |$)`)

// scopeNoComma reads a condition that runs straight into its main clause
// ("If you choose to provide such information we process it on…"), which
// only a clause opening "we <verb>" can end.
var scopeNoComma = regexp.MustCompile(`(?i)^(?:when|where|if)\s+(.{3,100}?)\s+we (?:process|will|use|keep|share|collect|store|hold|rely)\b`)

var scopeOpeners = toSet("in with regarding for when where if once")

// notScopes open clauses that refer back rather than name processing
// ("Where that is the case, …").
var notScopes = regexp.MustCompile(`(?i)^(?:that|this|it|so|such|necessary|appropriate|applicable|required|possible|relevant|needed|not|any of these|in doubt|you consider|you think|you have any|you (?:later )?change your mind|you (?:want|wish|would like|decide|no longer)|example|we (?:collect|process|use|ask for|hold|receive) (?:your |any )?(?:personal )?(?:data|information)$)\b`)

// ownScope is the scope phrase a unit opens with, or "".
func ownScope(u *unit) string {
	first, _, _ := strings.Cut(u.lower, " ")
	if !scopeOpeners[first] {
		return ""
	}
	m := scopeLead.FindStringSubmatch(u.fold)
	if m == nil && !strings.Contains(u.fold, ",") {
		m = scopeNoComma.FindStringSubmatch(u.fold)
	}
	if m == nil || notScopes.MatchString(m[1]) || len(strings.Fields(m[1])) > 20 && !generalScope.MatchString(m[1]) {
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
	"following also such other than more about into out up so do does did have has had there here what additional")

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
		if folded, ok := synonym[w]; ok {
			w = folded
		}
		out[w] = true
	}
	return out
}

// synonym folds stems that name the same thing in notices: a photograph is
// an image; what people "choose to provide", "volunteer" or give
// "optionally" is data given voluntarily.
var synonym = map[string]string{
	"photo": "image", "pictu": "image", "selfi": "image", "image": "image", "imag": "image",
	"volun": "volun", "choos": "volun", "optio": "volun",
}

// similarity is the Dice coefficient of two stem sets, or, when they share
// two stems or more, how much of the shorter one the longer contains: "images,
// videos and A Modern Civil Service Stories content" means "images, video
// and audio" although it says more.
func similarity(a, b map[string]bool) float64 {
	dice, shared := notice.Dice(a, b), sharedStems(a, b)
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
	c, _, _ := p.closestScored(phrase, scopedOnly)
	return c
}

// closestScored is closest with its similarity and the number of stems the
// phrase shares with it.
func (p *parser) closestScored(phrase string, scopedOnly bool) (best *ctxDraft, bestScore float64, shared int) {
	want := stems(phrase)
	bestScore = closeEnough
	for _, c := range p.contexts {
		if scopedOnly && c.general {
			continue
		}
		for _, have := range []map[string]bool{c.nameStems, c.phraseStems} {
			if score := similarity(want, have); score >= bestScore && (best != c || score > bestScore) {
				best, bestScore, shared = c, score, sharedStems(want, have)
			}
		}
	}
	return best, bestScore, shared
}

func sharedStems(a, b map[string]bool) int {
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return n
}
