package public

import (
	"context"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The Information Commissioner's Office, which hears complaints.
const (
	icoComplaintURL = cases.ICOComplaintURL
	icoPhone        = cases.ICOPhone
)

// help is where a person turns about their request: the organisation's
// contacts, then the regulator.
type help struct {
	Organisation string
	Contacts     []notice.Party
	ICOURL       string
	ICOPhone     string
}

// helpFor finds the contacts for a request: the data protection contact
// of each notice it names, in the version pinned on the case; for a
// request that names none, the configured contact, or else the contact the
// notices have in common.
func (h *handler) helpFor(ctx context.Context, named []cases.CaseNotice) (help, error) {
	out := help{Organisation: h.cfg.Organisation, ICOURL: icoComplaintURL, ICOPhone: icoPhone}
	for _, n := range named {
		_, v, err := h.cfg.Notices.Notice(ctx, n.ID, n.Version)
		if web.ErrorOf(err).Kind == web.Missing {
			continue
		}
		if err != nil {
			return help{}, err
		}
		out.Contacts = addContact(out.Contacts, contactOf(v))
	}
	if len(named) > 0 {
		return out, nil
	}
	if canReach(h.cfg.Contact) {
		out.Contacts = []notice.Party{h.cfg.Contact}
		return out, nil
	}
	all, err := h.cfg.Notices.All(ctx)
	if err != nil {
		return help{}, err
	}
	var parties []notice.Party
	for i := range all {
		parties = append(parties, contactOf(all[i].InForceOn(h.today())))
	}
	if common, ok := commonContact(parties, h.cfg.Organisation); ok {
		out.Contacts = []notice.Party{common}
	}
	return out, nil
}

// contactOf is whom a notice tells people to write to about their data:
// its data protection officer, else its privacy team, else the controller.
func contactOf(v *notice.Version) notice.Party {
	for _, p := range []*notice.Party{&v.DPO, v.PrivacyTeam} {
		if p != nil && canReach(*p) {
			return *p
		}
	}
	return v.Controller
}

func canReach(p notice.Party) bool {
	return p.Email != "" || p.Phone != "" || p.Address != "" || p.Web != ""
}

// addContact appends p unless it is unreachable or the same as one listed.
func addContact(list []notice.Party, p notice.Party) []notice.Party {
	if !canReach(p) {
		return list
	}
	for _, q := range list {
		if strings.EqualFold(q.Email, p.Email) && q.Phone == p.Phone && q.Address == p.Address && q.Web == p.Web {
			return list
		}
	}
	return append(list, notice.Party{Name: p.Name, Email: p.Email, Phone: p.Phone, Address: p.Address, Web: p.Web})
}

// commonContact keeps each way of reaching the parties that all of those
// giving it agree on: the email address four notices give reaches the
// person a fifth names only by post. It is named for the organisation
// unless the parties share a name too.
func commonContact(parties []notice.Party, organisation string) (notice.Party, bool) {
	if len(parties) == 0 {
		return notice.Party{}, false
	}
	agreed := func(field func(notice.Party) string) string {
		value := ""
		for _, p := range parties {
			switch v := field(p); {
			case v == "":
			case value == "":
				value = v
			case !strings.EqualFold(v, value):
				return ""
			}
		}
		return value
	}
	common := notice.Party{
		Email:   agreed(func(p notice.Party) string { return p.Email }),
		Phone:   agreed(func(p notice.Party) string { return p.Phone }),
		Address: agreed(func(p notice.Party) string { return p.Address }),
		Web:     agreed(func(p notice.Party) string { return p.Web }),
		Name:    organisation,
	}
	if name := agreed(func(p notice.Party) string { return p.Name }); name != "" && allGive(parties, name) {
		common.Name = name
	}
	return common, canReach(common)
}

// allGive reports whether every party is named name.
func allGive(parties []notice.Party, name string) bool {
	for _, p := range parties {
		if !strings.EqualFold(p.Name, name) {
			return false
		}
	}
	return true
}
