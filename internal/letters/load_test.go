package letters_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// overrideDir is a directory holding the given template files.
func overrideDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const withdrawnOverride = `# Your request {{.Reference}} is closed

Dear {{.To.Name}},

You withdrew your request on {{.Outcome.ClosedOn}}.

{{template "sign-off" .}}
`

// An organisation's template replaces ours for its letter only: the other
// letters stay as built in, and the overridden letter's template version
// changes with its words.
func TestOverrideReplacesOneTemplateAndLeavesTheRest(t *testing.T) {
	embedded, err := letters.Load("")
	if err != nil {
		t.Fatal(err)
	}
	custom, err := letters.Load(overrideDir(t, map[string]string{"withdrawn.tmpl": withdrawnOverride, "README.md": "notes on our templates"}))
	if err != nil {
		t.Fatal(err)
	}
	origins := custom.Origins()
	for name, origin := range origins {
		if (name == "withdrawn") != (origin != "built-in") {
			t.Errorf("template %s comes from %s", name, origin)
		}
	}
	ns := builtin(t)
	withdrawn := newCase(t, ns, []cases.NoticeRef{{ID: "gpg-csep-hub"}}, []notice.Right{notice.RightErasure}, cases.Close{Outcome: cases.OutcomeWithdrawn, On: today})
	facts := letters.Facts{Case: withdrawn, Notice: finder(ns)}
	ours, theirs := write(t, writer(t, embedded), letters.KindWithdrawn, facts), write(t, writer(t, custom), letters.KindWithdrawn, facts)
	if want := "# Your request " + withdrawn.Reference + " is closed\n\nDear Alex Example,\n\nYou withdrew your request on 20 March 2026.\n"; !strings.HasPrefix(theirs.Text, want) {
		t.Errorf("the override wrote:\n%s\nwant it to start:\n%s", theirs.Text, want)
	}
	if ours.TemplateVersion == theirs.TemplateVersion {
		t.Error("the overridden template has the built-in one's version")
	}

	open := newCase(t, ns, []cases.NoticeRef{{ID: "gpg-csep-hub"}}, []notice.Right{notice.RightErasure})
	facts = letters.Facts{Case: open, Notice: finder(ns)}
	ours, theirs = write(t, writer(t, embedded), letters.KindAcknowledgement, facts), write(t, writer(t, custom), letters.KindAcknowledgement, facts)
	if ours.Text != theirs.Text || ours.TemplateVersion != theirs.TemplateVersion {
		t.Error("overriding the withdrawn letter changed the acknowledgement")
	}
}

// A mistake in an organisation's templates stops Load with the file and,
// where it is a field, the field named: never a blank in a letter.
func TestOverrideMistakesAreRefusedAtLoad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"an unknown field", map[string]string{"withdrawn.tmpl": strings.Replace(withdrawnOverride, "{{.To.Name}}", "{{.To.Nmae}}", 1)},
			[]string{"withdrawn.tmpl", ".To.Nmae", "letters.Addressee has no field Nmae"}},
		{"an unknown field on a path the sample letter never takes", map[string]string{"withdrawn.tmpl": withdrawnOverride + "{{if not .Outcome.OnTime}}{{.Outcome.Late}}{{end}}\n"},
			[]string{"withdrawn.tmpl", ".Outcome.Late"}},
		{"an unknown field inside a range", map[string]string{"refusal.tmpl": "# Refused\n\n{{range .Rights}}- {{.Titel}}\n{{end}}"},
			[]string{"refusal.tmpl", ".Titel", "letters.Right has no field Titel"}},
		{"a field of another letter's data", map[string]string{"withdrawn.tmpl": withdrawnOverride + "{{.NewDue}}\n"},
			[]string{"withdrawn.tmpl", ".NewDue"}},
		{"an unknown field in the shared parts", map[string]string{"common.tmpl": `{{define "greeting"}}Dear {{.To.FirstName}},{{end}}{{define "request"}}x{{end}}{{define "asked"}}x{{end}}{{define "explanation"}}x{{end}}{{define "contact-us"}}x{{end}}{{define "complaint"}}x{{end}}{{define "regulator"}}x{{end}}{{define "court"}}x{{end}}{{define "sign-off"}}x{{end}}`},
			[]string{"common", ".To.FirstName"}},
		{"an unknown field in the email frame", map[string]string{"email.html": "<title>{{.Subjet}}</title>"},
			[]string{"email.html", ".Subjet"}},
		{"a misspelt template name", map[string]string{"withdrawal.tmpl": withdrawnOverride},
			[]string{"withdrawal.tmpl is not a letter template", "withdrawn.tmpl"}},
		{"a template that does not parse", map[string]string{"withdrawn.tmpl": "# Closed\n\n{{if .Outcome.Detail}}no end\n"},
			[]string{"withdrawn.tmpl", "unexpected EOF"}},
		{"a call to a template that does not exist", map[string]string{"withdrawn.tmpl": withdrawnOverride + `{{template "footer" .}}`},
			[]string{"withdrawn.tmpl", `"footer"`}},
		{"a letter without its subject", map[string]string{"withdrawn.tmpl": "Dear {{.To.Name}},\n"},
			[]string{"withdrawn.tmpl", "starts with its subject"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := letters.Load(overrideDir(t, tc.files))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestUnknownFieldIsAFieldError(t *testing.T) {
	_, err := letters.Load(overrideDir(t, map[string]string{"withdrawn.tmpl": "# x\n{{.Outcome.Reasons}}"}))
	var fe *letters.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%v is not a *letters.FieldError", err)
	}
	if fe.Template != "withdrawn" || fe.Field != ".Outcome.Reasons" || fe.Type != "letters.Outcome" {
		t.Errorf("got %+v", fe)
	}
}

func TestLoadNeedsADirectoryThatExists(t *testing.T) {
	if _, err := letters.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing directory was accepted")
	}
}

// Every built-in template file has a spec, and every spec's file is built
// in, so an organisation can start its own from ours.
func TestBuiltinTemplatesCanBeCopied(t *testing.T) {
	dir := t.TempDir()
	names := letters.TemplateFiles()
	if len(names) == 0 {
		t.Fatal("no template files")
	}
	for _, name := range names {
		text, err := letters.BuiltinTemplate(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copied, err := letters.Load(dir)
	if err != nil {
		t.Fatalf("a copy of the built-in templates does not load: %v", err)
	}
	if _, err := letters.BuiltinTemplate("postcard.tmpl"); err == nil {
		t.Error("an unknown template file was found")
	}
	ns := builtin(t)
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk"}}, []notice.Right{notice.RightAccess})
	facts := letters.Facts{Case: c, Notice: finder(ns)}
	if a, b := write(t, writer(t, nil), letters.KindAcknowledgement, facts), write(t, writer(t, copied), letters.KindAcknowledgement, facts); a.TemplateVersion != b.TemplateVersion || a.Text != b.Text {
		t.Error("a copy of the built-in templates writes a different letter or version")
	}
}
