package notice_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func TestRecognise(t *testing.T) {
	version := func(title, controller string, data ...string) notice.Version {
		return notice.Version{Number: 1, Title: title, Controller: notice.Party{Name: controller},
			Contexts: []notice.Context{{ID: "c", Name: "c", Basis: notice.BasisPublicTask, DataCategories: data}}}
	}
	known := []notice.Notice{
		{ID: "network-members", Versions: []notice.Version{version("Network Members' Privacy Notice", "Cabinet Office", "first name", "email", "job title")}},
		{ID: "it-service-desk", Versions: []notice.Version{version("Privacy notice for IT Service Desk platform", "Cabinet Office", "name", "business email", "request details")}},
		{ID: "fishing-permits", Versions: []notice.Version{version("Privacy policy", "Example Rivers Agency", "name", "address", "permit number")}},
	}
	tests := []struct {
		name  string
		draft notice.Version
		want  string
	}{
		{"same title, same controller", version("Network members privacy notice", "the Cabinet Office", "first name", "email address"), "network-members"},
		{"a generic title: content and controller decide", version("Privacy policy", "Example Rivers Agency", "name", "address", "permit numbers"), "fishing-permits"},
		{"same controller, another notice", version("Privacy notice for the Civil Service Learning platform", "Cabinet Office", "learning record", "bookings"), ""},
		{"a generic title, another controller's notice", version("Privacy policy", "Example Museum", "ticket number", "visit date"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, score := notice.Recognise(&tt.draft, known); got != tt.want {
				t.Errorf("recognised %q (%.2f), want %q", got, score, tt.want)
			}
		})
	}
}
