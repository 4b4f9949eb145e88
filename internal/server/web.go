package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"

	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

// buildWeb assembles the web pages once the HTTP listener is bound, so the
// default public address is the real one.
func (s *Server) buildWeb(ctx context.Context) error {
	publicURL := s.cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + s.HTTPAddr()
	}
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--public-url %q: want an absolute http:// or https:// address", publicURL)
	}
	var mailer *notify.Mailer
	if s.cfg.SMTPURL != "" {
		if mailer, err = notify.ParseSMTPURL(s.cfg.SMTPURL); err != nil {
			return err
		}
		s.log.Info("confirmation emails on", "relay", mailer.String())
	}
	if !webfiles.AssetsBuilt() {
		s.log.Warn("web pages are served without their stylesheet and scripts: run `make assets` before building")
	}
	sessions, err := web.NewSessions(ctx, s.store, s.cfg.Clock, web.SessionOptions{SecureCookie: u.Scheme == "https"})
	if err != nil {
		return err
	}
	publicSite, err := public.New(public.Config{
		Work: s.work, Store: s.store, Sessions: sessions, Log: s.log,
		Organisation: organisation(s.cfg), PublicURL: publicURL, Mailer: mailer,
	})
	if err != nil {
		return err
	}
	staffSite, err := staff.New(staff.Config{
		Work: s.work, Store: s.store, Users: users.New(s.store, s.cfg.Clock, rand.Reader, users.Options{}),
		Clock: s.cfg.Clock, Sessions: sessions, Log: s.log,
		Organisation: organisation(s.cfg), BaseURL: publicURL, OIDC: s.cfg.OIDC,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(staff.Prefix, staffSite)
	mux.Handle("/", publicSite)
	s.web = mux
	return nil
}

// organisation is the name in the web pages' header: the configured one,
// or else the controller every catalogue notice names, since whoever runs
// the service is the controller of its notices.
func organisation(cfg Config) string {
	if cfg.Organisation != "" {
		return cfg.Organisation
	}
	name := ""
	for i := range cfg.Catalogue {
		c := cfg.Catalogue[i].Current().Controller.Name
		if name != "" && c != name {
			return "Rightsdesk"
		}
		name = c
	}
	if name == "" {
		return "Rightsdesk"
	}
	return name
}
