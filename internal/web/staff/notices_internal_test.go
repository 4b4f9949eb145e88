package staff

import "testing"

func TestChangeLabelNamesDiffFieldsForPeople(t *testing.T) {
	for field, want := range map[string]string{
		"effective_from":                     "In force from",
		"dpo":                                "Data protection officer",
		"retention/0":                        "How long data is kept, rule 1",
		"contexts/general/data_categories":   "Processing ‘general’: data categories",
		"rights/withdraw_consent (surveys)":  "Consent withdrawal (surveys)",
		"rights/rectification#2":             "Rectification (2)",
		"recipients/Sample Surveys Ltd":      "Recipient: Sample Surveys Ltd",
		"transfers/United States of America": "Transfer to United States of America",
		"extra/cookies":                      "Other: cookies",
		"something/new":                      "something/new",
	} {
		if got := changeLabel(field); got != want {
			t.Errorf("changeLabel(%q) = %q, want %q", field, got, want)
		}
	}
}
