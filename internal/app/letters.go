package app

import (
	"fmt"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// loadLetters reads the letter templates, the organisation's overrides in
// cfg.Templates over the built-in ones, and works out the letterhead. It
// runs before anything is bound or opened, so a broken override (the error
// names the file and the field) or, with a relay to send letters through,
// an organisation requesters could not reach, stops the start having
// created nothing.
func loadLetters(cfg Config) (*letters.Templates, letters.Organisation, error) {
	templates, err := letters.Load(cfg.Templates)
	if err != nil {
		if cfg.Templates != "" {
			return nil, letters.Organisation{}, fmt.Errorf("--templates %s: %w", cfg.Templates, err)
		}
		return nil, letters.Organisation{}, err
	}
	org := letterhead(cfg)
	if cfg.Server.SMTPURL != "" {
		if _, err := letters.NewWriter(templates, org); err != nil {
			return nil, letters.Organisation{}, fmt.Errorf("--smtp-url sends letters, but %w: give --contact-email, --contact-phone, --contact-address or --contact-web", err)
		}
	}
	return templates, org, nil
}

// letterhead is who letters come from: --org-name, and the contact flags;
// without any of those, the ways of reaching the controller that the
// catalogue's notices agree on, as the organisation's name defaults to
// their controller's. The status page is filled in once the public address
// is known (see letterWriter).
func letterhead(cfg Config) letters.Organisation {
	contact := cfg.Server.Contact
	if !reachable(contact) {
		contact = agreedController(cfg.Catalogue)
	}
	return letters.Organisation{
		Name: cfg.Server.Organisation, Address: contact.Address, Email: contact.Email, Phone: contact.Phone, Web: contact.Web,
	}
}

// letterWriter writes the letters of org, its status page under the
// public pages' address; nil when there is no relay to send them (no
// letter is then queued).
func letterWriter(cfg server.Config, templates *letters.Templates, org letters.Organisation, publicURL string) (*letters.Writer, error) {
	if cfg.SMTPURL == "" {
		return nil, nil
	}
	org.StatusPage = publicURL + "/status"
	return letters.NewWriter(templates, org)
}

func reachable(p notice.Party) bool {
	return p.Email != "" || p.Phone != "" || p.Address != "" || p.Web != ""
}

// agreedController is each way of reaching the controller that every
// notice of the catalogue giving one agrees on: a field two notices give
// differently is left out, since a letter must not guess between them.
func agreedController(catalogue []notice.Notice) notice.Party {
	fields := []func(*notice.Party) *string{
		func(p *notice.Party) *string { return &p.Address },
		func(p *notice.Party) *string { return &p.Email },
		func(p *notice.Party) *string { return &p.Phone },
		func(p *notice.Party) *string { return &p.Web },
	}
	var agreed notice.Party
	for _, field := range fields {
		value, clash := "", false
		for i := range catalogue {
			controller := catalogue[i].Current().Controller
			v := strings.TrimSpace(*field(&controller))
			switch {
			case v == "":
			case value == "":
				value = v
			case !strings.EqualFold(v, value):
				clash = true
			}
		}
		if !clash {
			*field(&agreed) = value
		}
	}
	return agreed
}
