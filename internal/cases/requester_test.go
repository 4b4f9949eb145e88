package cases_test

import (
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func TestEmailTerm(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ada@example.org", "email:ada@example.org"},
		{"  Ada@Example.ORG ", "email:ada@example.org"},
		{"ａｄａ@ｅｘａｍｐｌｅ.org", "email:ada@example.org"},               // full-width forms (NFKC)
		{"STRASSE@example.de", "email:strasse@example.de"},         // case folding
		{"straße@example.de", "email:strasse@example.de"},          // ß folds to ss
		{"a.d.a@gmail.com", "email:a.d.a@gmail.com"},               // dots are kept
		{"ada+rights@example.org", "email:ada+rights@example.org"}, // so are tags
		{"", ""},
		{"   ", ""},
	} {
		if got := cases.EmailTerm(tt.in); got != tt.want {
			t.Errorf("EmailTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNameTerms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Ada Lovelace", []string{"name:ada", "name:lovelace"}},
		{"  LOVELACE,\tAda\n", []string{"name:ada", "name:lovelace"}},
		{"Ada Ada Lovelace", []string{"name:ada", "name:lovelace"}},
		{"Siobhán O’Brien", []string{"name:obrien", "name:siobhán"}},
		{"Siobha\u0301n O'Brien", []string{"name:obrien", "name:siobhán"}}, // decomposed accent composes
		{"OBrien", []string{"name:obrien"}},
		{"Mary-Jane Smith-Jones", []string{"name:jane", "name:jones", "name:mary", "name:smith"}},
		{"Zoë", []string{"name:zoë"}},    // accents are kept: Zoe is another name
		{"ﬁona", []string{"name:fiona"}}, // the ligature unfolds (NFKC)
		{"Ⅻ Henry", []string{"name:henry", "name:xii"}},
		{"", nil},
		{" - ' ", nil},
	} {
		if got := cases.NameTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("NameTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRequesterTermsCoverTheDataSubjectOfARepresentativesRequest(t *testing.T) {
	in := validNew()
	in.Requester = cases.Requester{
		Person:       cases.Person{Name: "Sam Solicitor", Email: "sam@law.example"},
		Relationship: cases.RelationshipRepresentative, Authority: "signed letter",
		DataSubject: &cases.Person{Name: "Ada Lovelace", Email: "ADA@example.org"},
	}
	c := mustCreate(t, in, envOn("2026-02-02"))
	want := []string{"email:ada@example.org", "email:sam@law.example", "name:ada", "name:lovelace", "name:sam", "name:solicitor"}
	if got := cases.RequesterTerms(c); !slices.Equal(got, want) {
		t.Errorf("RequesterTerms = %q, want %q", got, want)
	}
}
