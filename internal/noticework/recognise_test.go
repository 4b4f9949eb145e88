package noticework_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue/seeds"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Each reference notice's text, re-imported with no id over the built-in
// catalogue, is recognised as the catalogue notice — although the ids its
// titles would give differ for three of them — and, being the text the
// catalogue was written from, is unchanged; so is the same text laid out
// differently.
func TestReimportedSeedsAreRecognisedAndUnchanged(t *testing.T) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := open(t, builtin)
	for _, id := range seeds.IDs() {
		text := seeds.Read(t, id)
		for name, content := range map[string][]byte{"as published": text, "re-laid out": relayout(text)} {
			t.Run(id+"/"+name, func(t *testing.T) {
				for _, validateOnly := range []bool{true, false} {
					res, err := w.Import(ctx, usecase.ImportRequest{Content: content, Document: id + ".txt", ValidateOnly: validateOnly})
					if err != nil {
						t.Fatal(err)
					}
					if res.Draft.ID != id || !res.Unchanged || res.Created || res.Version.Number != 1 {
						t.Errorf("validate only %v: read as %q (unchanged %v, created %v, version %d), want %s unchanged; notes %q",
							validateOnly, res.Draft.ID, res.Unchanged, res.Created, res.Version.Number, id, res.Draft.Notes)
					}
				}
			})
		}
	}
}

var bulletMark = regexp.MustCompile(`(?m)^(\s*)•`)

// relayout changes only the layout: bullets drawn another way, a blank line
// doubled, trailing spaces, Windows line ends.
func relayout(text []byte) []byte {
	s := bulletMark.ReplaceAllString(string(text), "$1*")
	s = strings.ReplaceAll(s, "\n\n", "\n \n\n")
	s = strings.ReplaceAll(s, "\n", "  \r\n")
	return []byte(s)
}

// A notice titled only "Privacy policy", the usual title of a GOV.UK
// service's page, takes its id from the service it covers, or else from its
// controller; a dry run shows its draft without being given an id.
func TestGenericTitlesTakeTheServiceOrControllerName(t *testing.T) {
	w, _ := open(t, nil)
	tests := []struct{ name, content, id string }{
		{"service named in prose",
			"# Privacy policy\n\nApply for a fishing permit is run by the Example Rivers Agency.\n\nThe Example Rivers Agency is the data controller.\n\nWe process your data because it is necessary for a task carried out in the public interest.\n",
			"apply-for-a-fishing-permit"},
		{"controller only",
			"# Privacy notice\n\nThe Example Rivers Agency is the 'controller' of this information.\n\nWe process your data because it is necessary for a task carried out in the public interest.\n",
			"example-rivers-agency"},
		{"nothing to name it by",
			"# Privacy policy\n\nWe process your data because it is necessary for a task carried out in the public interest.\n",
			"untitled-notice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := w.Import(ctx, usecase.ImportRequest{Content: []byte(tt.content), ValidateOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Draft.ID != tt.id || res.Version == nil || len(res.Version.Contexts) != 1 {
				t.Errorf("draft %q, version %+v; want %q with its draft", res.Draft.ID, res.Version, tt.id)
			}
		})
	}
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: []byte(tests[2].content)}); err == nil {
		t.Error("storing a notice with nothing to name it by succeeded; want an error asking for an id")
	}
}

// Two different notices whose titles give the same id are two notices; an
// id given explicitly always wins.
func TestUnrelatedNoticeWithTheSameIDIsNumberedOn(t *testing.T) {
	w, _ := open(t, nil)
	first := "# Privacy policy\n\nThe Example Rivers Agency is the data controller.\n\nWe process your fishing permit application because it is necessary for a task carried out in the public interest.\n"
	second := "# Privacy policy\n\nThe Example Rivers Agency is the data controller.\n\nWe send you our newsletter about river wildlife with your consent, on the basis of your consent.\n"
	res, err := w.Import(ctx, usecase.ImportRequest{Content: []byte(first)})
	if err != nil || res.Draft.ID != "example-rivers-agency" || !res.Created {
		t.Fatalf("first import: %v, %+v", err, res)
	}
	res, err = w.Import(ctx, usecase.ImportRequest{Content: []byte(second)})
	if err != nil || res.Draft.ID != "example-rivers-agency-2" || !res.Created {
		t.Fatalf("second, unrelated notice: %v, read as %q; want example-rivers-agency-2", err, res.Draft.ID)
	}
	if !slices.ContainsFunc(res.Draft.Notes, func(n string) bool { return strings.Contains(n, "--id example-rivers-agency") }) {
		t.Errorf("notes %q do not say how to import it as the first notice's next version", res.Draft.Notes)
	}
	res, err = w.Import(ctx, usecase.ImportRequest{Content: []byte(second), ID: "example-rivers-agency"})
	if err != nil || res.Draft.ID != "example-rivers-agency" || res.Version.Number != 2 {
		t.Fatalf("forced with an id: %v, %q version %d; want version 2 of example-rivers-agency", err, res.Draft.ID, res.Version.Number)
	}
}

// A notice whose title says only "Privacy policy" is still recognised when
// it is imported again with a change: its content and controller decide.
func TestGenericTitledNoticeIsRecognisedWhenRevised(t *testing.T) {
	w, _ := open(t, nil)
	v1 := "# Privacy policy\n\nThe Example Rivers Agency is the data controller.\n\nWe process your fishing permit application, your name, address and permit number because it is necessary for a task carried out in the public interest.\n\nWe keep your data for 2 years.\n"
	v2 := strings.Replace(v1, "2 years", "3 years", 1)
	for i, content := range []string{v1, v2} {
		res, err := w.Import(ctx, usecase.ImportRequest{Content: []byte(content)})
		if err != nil || res.Draft.ID != "example-rivers-agency" || res.Version.Number != i+1 {
			t.Fatalf("import %d: %v, read as %q version %d; want version %d of example-rivers-agency", i+1, err, res.Draft.ID, res.Version.Number, i+1)
		}
	}
}
