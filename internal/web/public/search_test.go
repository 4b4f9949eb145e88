package public

import (
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
)

// The search hint's own examples, and the words people use for the
// built-in services, find the services they mean and no others.
func TestServicesSearchFindsWhatPeopleMean(t *testing.T) {
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"a-modern-civil-service", "communities-of-practice", "gpg-csep-hub", "it-service-desk", "nlc-network-members"}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"newsletter", []string{"a-modern-civil-service"}},
		{"Newsletters", []string{"a-modern-civil-service"}},
		{"IT", []string{"it-service-desk"}},
		{"it", []string{"it-service-desk"}},
		{"my IT data", []string{"it-service-desk"}},
		{"service desk", []string{"it-service-desk"}},
		{"laptops", []string{"it-service-desk"}},
		{"laptop", []string{"it-service-desk"}},
		{"HR", []string{"gpg-csep-hub"}},
		{"photos", []string{"a-modern-civil-service"}},
		{"leadership", []string{"nlc-network-members"}},
		{"Members' directory", []string{"nlc-network-members"}},
		{"communities", []string{"communities-of-practice"}},
		{"Cabinet Office", all},
		{"the", all},
		{"", all},
		{"zebra", nil},
		{"newsletter laptops", nil},
		{"x", nil},
	} {
		var found []string
		for i := range notices {
			if matches(queryWords(tc.query), searchWords(notices[i].Current())) {
				found = append(found, notices[i].ID)
			}
		}
		slices.Sort(found)
		if !slices.Equal(found, tc.want) {
			t.Errorf("%q finds %v, want %v", tc.query, found, tc.want)
		}
	}
}

func TestSearchWordsKeepNamesNotGrammar(t *testing.T) {
	for _, tc := range []struct {
		query, word string
		want        bool
	}{
		{"it", "it", true},
		{"it", "its", false},
		{"new", "newsletters", true},
		{"emails", "email", true},
		{"news", "new", false},
		{"bus", "bu", false},
	} {
		if got := wordMatches(tc.query, tc.word); got != tc.want {
			t.Errorf("wordMatches(%q, %q) = %v, want %v", tc.query, tc.word, got, tc.want)
		}
	}
	words := searchWords(&notice.Version{Title: "Help with IT and HR, or it", Summary: "Go to it"})
	for _, w := range []string{"it", "hr", "help", "with"} {
		if !slices.Contains(words, w) {
			t.Errorf("words %v lack %q", words, w)
		}
	}
	if slices.Contains(words, "to") || slices.Contains(words, "or") || slices.Contains(words, "go") {
		t.Errorf("words %v keep short lower-case words", words)
	}
}
