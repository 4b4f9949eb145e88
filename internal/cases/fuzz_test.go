package cases_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

var canonicalReference = regexp.MustCompile(`^RD-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

// FuzzNormaliseReference reads references as people type them. The result
// is stable (normalising twice changes nothing), a canonical RD-XXXX-XXXX
// whenever the letters and digits typed are those of one, and then the
// same however it is spaced, dashed or cased.
func FuzzNormaliseReference(f *testing.F) {
	for _, s := range []string{"RD-7K3M-Q9XP", "rd 7k3m q9xp", " rd7k3mq9xp\n", "RD–7K3M–Q9XP", "RD-7K3M-Q9X", "XX-7K3M-Q9XP", "", "ſ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		got := cases.NormaliseReference(typed)
		if again := cases.NormaliseReference(got); again != got {
			t.Fatalf("%q normalises to %q, then to %q", typed, got, again)
		}
		if !canonicalReference.MatchString(got) {
			return
		}
		spaced := strings.ToLower(strings.Join(strings.Split(strings.ReplaceAll(got, "-", ""), ""), " "))
		if cases.NormaliseReference(spaced) != got {
			t.Fatalf("%q is %q but %q is %q", typed, got, spaced, cases.NormaliseReference(spaced))
		}
	})
}

// FuzzNormaliseStatusCode reads status codes as people type or copy them:
// the result has no separators, is stable, and a code shown grouped for
// reading normalises to the same code, so it still matches its hash.
func FuzzNormaliseStatusCode(f *testing.F) {
	for _, s := range []string{"abcdefghijklmnopqrstuvwxyz234567", "ABCD EFGH-IJKL\u2013MNOP\nQRST", "\u2212", " ", "ǅ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		got := cases.NormaliseStatusCode(code)
		if strings.ContainsAny(got, " -\t\n\u2010\u2011\u2013\u2212") {
			t.Fatalf("%q normalises to %q, which keeps a separator", code, got)
		}
		if again := cases.NormaliseStatusCode(got); again != got {
			t.Fatalf("%q normalises to %q, then to %q", code, got, again)
		}
		if strings.ToLower(strings.ToUpper(got)) != got {
			return // no round trip through upper case (ſ becomes S, then s); real codes are a–z and 2–7
		}
		if grouped := cases.GroupStatusCode(code); cases.NormaliseStatusCode(grouped) != got {
			t.Fatalf("%q is shown as %q, which normalises to %q, not %q", code, grouped, cases.NormaliseStatusCode(grouped), got)
		}
		if !slices.Equal(cases.HashStatusToken(code), cases.HashStatusToken(strings.ToUpper(got))) {
			t.Fatalf("%q and its upper-case normal form %q hash differently", code, strings.ToUpper(got))
		}
	})
}

// FuzzUpdateMask applies UpdateCase with any mask and any values to an
// open case. It succeeds only when every path is updatable, then holds the
// values given and a version one higher; it fails only with an
// InvalidArgument, about update_mask exactly when a path is not
// updatable or none is named.
func FuzzUpdateMask(f *testing.F) {
	f.Add("description", "A new description", "web", "2026-01-30", "")
	f.Add("channel,received_on", "", "email", "2026-02-01", "")
	f.Add("region", "", "", "", "the requester lives in Scotland")
	f.Add("", "x", "post", "2026-01-31", "")
	f.Add("state", "", "", "", "")
	f.Add("description,etag", "x", "", "", "")
	f.Add("received_on", "", "", "2027-01-01", "")
	f.Add("channel", "", "pigeon", "", "")
	f.Add("description", "\x00\u202e", "", "", "")
	f.Fuzz(func(t *testing.T, mask, description, channel, receivedOn, regionReason string) {
		var paths []string
		if mask != "" {
			paths = strings.Split(mask, ",")
		}
		c := mustCreate(t, validNew(), env())
		version := c.Version
		from := *c
		from.Description, from.Channel, from.ReceivedOn, from.RegionReason = description, cases.Channel(channel), receivedOn, regionReason
		_, err := cases.Apply(c, cases.Update{Paths: paths, From: from}, env())
		unknown := len(paths) == 0 || slices.ContainsFunc(paths, func(p string) bool { return !slices.Contains(cases.UpdatablePaths, p) })
		if err != nil {
			var bad *fault.InvalidArgument
			if !errors.As(err, &bad) || len(bad.Violations) == 0 {
				t.Fatalf("mask %q: %v (%T), not an InvalidArgument", mask, err, err)
			}
			if aboutMask := bad.Violations[0].Field == "update_mask"; aboutMask && !unknown {
				t.Fatalf("mask %q names only updatable fields but is refused: %v", mask, err)
			}
			return
		}
		if unknown {
			t.Fatalf("mask %q is accepted", mask)
		}
		if c.Version != version+1 {
			t.Fatalf("version %d after an update from %d", c.Version, version)
		}
		for _, p := range paths {
			if p == "description" && c.Description != strings.TrimSpace(description) ||
				p == "channel" && c.Channel != cases.Channel(channel) ||
				p == "received_on" && c.ReceivedOn != receivedOn {
				t.Fatalf("mask %q: %s was not set as given", mask, p)
			}
		}
	})
}

// FuzzRequesterName creates a case with any requester name: it is created
// exactly when the name is one line the rule accepts (LineProblem), and is
// otherwise refused by a violation of that field alone. A name created
// never holds a character WithoutHiddenText would take out.
func FuzzRequesterName(f *testing.F) {
	for _, s := range []string{"Ada Lovelace", "محمد علي", "Ada\nClick https://evil.example", "Ada \u202egpj.exe",
		"\u2066x\u2069", "Ada\u200e", "Ada\u200f", "\u061cAda", "Ada\u0085", "\x00", "caf\xe9", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		in := validNew()
		in.Requester.Person.Name = name
		c, err := cases.Create(in, envOn("2026-02-02"))
		acceptable := strings.TrimSpace(name) != "" && cases.LineProblem(name, cases.MaxLine) == ""
		if err != nil {
			var bad *fault.InvalidArgument
			if acceptable || !errors.As(err, &bad) || len(bad.Violations) == 0 ||
				slices.ContainsFunc(bad.Violations, func(v fault.FieldViolation) bool { return v.Field != "case.requester.person.name" }) {
				t.Fatalf("name %q: %v; want it refused as case.requester.person.name only when the rule says so", name, err)
			}
			return
		}
		if !acceptable {
			t.Fatalf("name %q was accepted; the rule refuses it", name)
		}
		if got := c.Case.Requester.Person.Name; got != cases.WithoutHiddenText(got) {
			t.Fatalf("created a case whose requester's name %q holds hidden characters", got)
		}
	})
}
