package cases

import (
	"slices"
	"strings"
	"unicode"

	foldcase "golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Requester terms are the normalised email addresses and name words a case
// can be found by, so the privacy team can spot repeat and duplicate
// requests from one person. The store keeps only a keyed hash of each term,
// never the term, so the index is no second copy of anyone's details.
//
// The rules favour finding the same person written differently over telling
// two people apart, because a person reviews every hit:
//
//   - Unicode NFKC, so full-width letters, ligatures and composed or
//     decomposed accents compare equal; then full Unicode case folding, so
//     "STRASSE" finds "straße"; then whitespace runs become one space.
//   - An email address is compared whole once normalised. Gmail-style dots
//     and "+tag" suffixes are kept: they are one provider's policy, not a
//     rule of email, and on most domains j.smith@ and jsmith@ are different
//     mailboxes, often different people; stripping them would merge their
//     requests. Folding the case of the local part, which RFC 5321 allows a
//     server to honour, is the one liberty taken: no mainstream provider
//     does, and people type addresses in any case.
//   - A name is split into words at anything but a letter, digit or mark,
//     and apostrophes are dropped, so "O’Brien", "O'Brien" and "OBrien" are
//     one word and "Smith-Jones" is found by "Smith". A search matches when
//     every word typed is one of the name's words, in any order.
//   - Accents are kept: stripping them would make "Zoë" and "Zoe" one name,
//     and in many languages a mark tells different names apart.

// Term prefixes keep an email address and a name word that happen to be the
// same string from matching each other.
const (
	termEmail = "email:"
	termName  = "name:"
)

var folder = foldcase.Fold()

// normaliseText applies NFKC, case folding and whitespace collapsing.
func normaliseText(s string) string {
	folded := folder.String(norm.NFKC.String(s))
	return strings.Join(strings.Fields(folded), " ")
}

// EmailTerm is the term an email address is indexed and searched under, or
// "" when there is no address.
func EmailTerm(email string) string {
	e := strings.ReplaceAll(normaliseText(email), " ", "")
	if e == "" {
		return ""
	}
	return termEmail + e
}

// NameTerms are the terms a name is indexed and searched under, one per
// distinct word, sorted.
func NameTerms(name string) []string {
	isApostrophe := func(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '`' }
	var words []string
	for _, w := range strings.FieldsFunc(normaliseText(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && !isApostrophe(r)
	}) {
		if w = strings.Map(func(r rune) rune {
			if isApostrophe(r) {
				return -1
			}
			return r
		}, w); w != "" {
			words = append(words, termName+w)
		}
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// RequesterTerms lists every term the case is found by: the requester's and,
// for a representative's request, the data subject's email and name, since a
// repeat request about one person may come through someone else.
func RequesterTerms(c *Case) []string {
	var terms []string
	for _, p := range []*Person{&c.Requester.Person, c.Requester.DataSubject} {
		if p == nil {
			continue
		}
		if e := EmailTerm(p.Email); e != "" {
			terms = append(terms, e)
		}
		terms = append(terms, NameTerms(p.Name)...)
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}
