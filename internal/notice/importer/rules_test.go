package importer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// The rules the importer reads notices by, each on a short synthetic
// notice written for the purpose (never a real notice's text): what it must
// find, and what it must not invent.

func parseText(t *testing.T, content string) *notice.Version {
	t.Helper()
	d, err := Parse([]byte(content), Options{Today: "2026-03-02", Format: FormatMarkdown})
	if err != nil {
		t.Fatal(err)
	}
	return &d.Version
}

// bases lists "basis" per context, "basis/special/criminal" where set.
func bases(v *notice.Version) []string {
	var out []string
	for _, c := range v.Contexts {
		key := string(c.Basis)
		if c.Basis == notice.BasisUnstated {
			key = "unstated"
		}
		if c.Special != nil {
			key += "/special"
		}
		if c.Criminal != nil {
			key += "/criminal:" + c.Criminal.Condition
		}
		out = append(out, key)
	}
	return out
}

func TestLawfulBasisRules(t *testing.T) {
	const head = "# Privacy notice for the Example Service\n\n"
	tests := []struct {
		name, body string
		want       []string
	}{
		{"public task in everyday words",
			"We process this information on the basis that we're carrying out a task in the public interest.\n",
			[]string{"public_task"}},
		{"one sentence, two bases: one context each",
			"We process this information on the basis that we're carrying out a task in the public interest and to protect the vital interests of people at risk.\n",
			[]string{"vital_interests", "public_task"}},
		{"consent as a condition of disclosure is no basis",
			"The lawful basis is that processing is necessary for a task carried out in the public interest.\n\nWe will only disclose your data where it is lawful to do so, or with your consent.\n",
			[]string{"public_task"}},
		{"an opt-out mentioning consent is no basis",
			"Our legal basis is public task.\n\nYou can opt out of our newsletter, and we will not contact you again without your consent.\n",
			[]string{"public_task"}},
		{"consent stated outright stands beside an opt-out",
			"We rely on your consent to send you our newsletter, and you can opt out at any time.\n",
			[]string{"consent"}},
		{"recognised legitimate interests is Art 6(1)(ea), not (f)",
			"When we share information with the police, the legal basis is recognised legitimate interests under Article 6(1)(ea).\n",
			[]string{"recognised_legitimate_interests"}},
		{"Article (6)(1)(f) written with brackets",
			"## Legitimate interests (UK GDPR Article (6)(1)(f))\n\nWhen we monitor security, the legal basis we rely on is that the processing is necessary for our interests in keeping the service safe.\n",
			[]string{"legitimate_interests"}},
		{"a basis introducing a list of purposes: one context per purpose",
			"We obtain your consent to process your personal data for the following purposes:\n\n- sending you our newsletter\n- analysing how you use the website with cookies\n",
			[]string{"consent", "consent"}},
		{"another basis introducing purposes: one context with those purposes",
			"We rely on public task for the following purposes:\n\n- issuing permits\n- enforcing permit conditions\n",
			[]string{"public_task"}},
		{"a further purpose for a basis already stated is its own context",
			"## Legal basis\n\nWe process your data on the legal basis that it is necessary for your contract of employment.\n\nWe also process your data so that we can manage your performance as part of your employment contract.\n",
			[]string{"contract", "contract"}},
		{"special category data given a purpose but no basis keeps none",
			"## Legal basis\n\nThe legal basis for processing your data is public task.\n\nWe also process your diversity data for the purpose of equality monitoring.\n\nThe legal basis for processing your sensitive personal data relating to diversity is -\n\n\"it is necessary for identifying or keeping under review the existence or absence of equality of opportunity or treatment\"\n",
			[]string{"public_task", "unstated/special"}},
		{"a notice stating no basis at all still has its processing",
			"## How we use your information\n\nWe use your name and address to send you a permit.\n",
			[]string{"unstated"}},
		{"criminal offence data with its Schedule 1 condition",
			"Our legal basis is public task.\n\nWe may process personal data relating to criminal convictions and offences under Article 10 and paragraph 6 of Schedule 1 to the Data Protection Act 2018.\n",
			[]string{"public_task/criminal:Art 10, DPA 2018 Sch 1 para 6"}},
		{"criminal offence data with no condition is recorded as such",
			"Our legal basis is public task.\n\nWe collect:\n\n- details of relevant unspent criminal convictions\n",
			[]string{"public_task/criminal:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bases(parseText(t, head+tt.body)); !slices.Equal(got, tt.want) {
				t.Errorf("contexts = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDatesControllersAndTransfers(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(v *notice.Version) string
		want       string
	}{
		{"date in a closing sentence", "This notice was last updated on 9 February 2022.\n",
			func(v *notice.Version) string { return v.Source.Updated }, "2022-02-09"},
		{"date labelled 'Last update'", "Last update: 13 November 2020\n",
			func(v *notice.Version) string { return v.Source.Updated }, "2020-11-13"},
		{"controller in prose, after an opening clause", "For the purpose of data protection law, the Example Agency is the data controller for the data we hold.\n",
			func(v *notice.Version) string { return v.Controller.Name }, "Example Agency"},
		{"a controller we only process for is not ours", "Example Health is the data controller for the login you create. Our role is as a processor of this information.\n",
			func(v *notice.Version) string { return v.Controller.Name }, ""},
		{"stored in the EEA is a transfer", "We store your data on secure servers in the European Economic Area (EEA).\n",
			func(v *notice.Version) string { return transfersOf(v) }, "European Economic Area()"},
		{"the UK is never a destination", "Your data is stored in the UK, and processed both in the UK and the European Economic Area under the UK adequacy regulations.\n",
			func(v *notice.Version) string { return transfersOf(v) }, "European Economic Area(the UK adequacy regulations)"},
		{"a list of countries", "Support staff located in USA, Romania or Australia may access your data, on the basis of exceptions under Article 49.\n",
			func(v *notice.Version) string { return transfersOf(v) }, "USA, Romania, Australia(exceptions under Article 49)"},
		{"a promise not to transfer is none", "We will not transfer your personal data outside the UK and EEA.\n",
			func(v *notice.Version) string { return transfersOf(v) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(parseText(t, "# Privacy notice for the Example Service\n\n"+tt.body)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func transfersOf(v *notice.Version) string {
	var out []string
	for _, t := range v.Transfers {
		out = append(out, fmt.Sprintf("%s(%s)", t.Destination, t.Safeguard))
	}
	return strings.Join(out, "; ")
}

func TestRightsRules(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"completion stated apart from correction",
			"## Your rights\n\nYou have the right to request that any inaccuracies are rectified.\n\nYou have the right to request that any incomplete personal data are completed.\n",
			[]string{"rectification", "rectification(completion)"}},
		{"inaccurate or incomplete is one right",
			"## Your rights\n\nYou have the right to ask us to correct your data if it is inaccurate or incomplete.\n",
			[]string{"rectification"}},
		{"stop processing is objection",
			"## Your rights\n\nYou have the right to ask us to stop processing your data.\n",
			[]string{"objection"}},
		{"stop using, labelled restriction, is restriction",
			"## Your rights\n\nYou have the right to ask us to stop using your information – this is called the right to restriction of processing.\n",
			[]string{"restriction"}},
		{"withdraw your agreement is consent withdrawal",
			"## Your rights\n\nYou have the right to withdraw your agreement to the processing of your information.\n",
			[]string{"withdraw_consent"}},
		{"a subject access request offered outside the rights section",
			"## Your rights\n\nYou have the right to object.\n\n## Access to your information\n\nYou can find out if we hold any personal data about you by making a subject access request.\n",
			[]string{"objection", "access"}},
		{"a list of rights mixed with promises",
			"## When we ask you for data\n\nWe have responsibilities, and you have rights, these include:\n\n- that you can withdraw consent at any time, where relevant\n- that we will protect your data\n- that we will consider your request to correct or erase your data\n",
			[]string{"withdraw_consent", "erasure", "rectification"}},
		{"an office's name in an address is no right",
			"## Your rights\n\nYou have the right to object.\n\nWrite to us at:\n\nSubject Access Request Unit\nExample Office\n1 Example Street\nLondon\nSW1A 1AA\n",
			[]string{"objection"}},
		{"an example illustrates the right before it",
			"## Your rights\n\n- request a restriction on our use of your information. For example where it is wrong and you want it changed first\n",
			[]string{"restriction"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := parseText(t, "# Privacy notice for the Example Service\n\nOur legal basis is public task.\n\n"+tt.body)
			var got []string
			for _, d := range v.Rights {
				key := string(d.Right)
				if d.Completion {
					key += "(completion)"
				}
				got = append(got, key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rights = %q, want %q", got, tt.want)
			}
		})
	}
}
