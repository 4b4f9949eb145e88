package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

// checkPublicURL accepts only an absolute http:// or https:// address.
func checkPublicURL(publicURL string) error {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--public-url %q: want an absolute http:// or https:// address", publicURL)
	}
	return nil
}

// PublicURL is the web pages' address as the public reaches them: the
// configured one, or else http:// and the HTTP listener's address.
func (s *Server) PublicURL() string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	return "http://" + s.HTTPAddr()
}

// buildWeb assembles the web pages once the HTTP listener is bound, so the
// default public address is the real one.
func (s *Server) buildWeb(ctx context.Context) error {
	publicURL := s.PublicURL()
	if err := checkPublicURL(publicURL); err != nil {
		return err
	}
	if !webfiles.AssetsBuilt() {
		s.log.Warn("web pages are served without their stylesheet and scripts: run `make assets` before building")
	}
	u, _ := url.Parse(publicURL) // checked above
	sessions, err := web.NewSessions(ctx, s.services.Sessions, s.cfg.Clock, web.SessionOptions{SecureCookie: u.Scheme == "https"})
	if err != nil {
		return err
	}
	publicSite, err := public.New(public.Config{
		Work: s.services.Cases, Notices: s.services.Notices, Sessions: sessions, Log: s.log,
		Organisation: s.cfg.Organisation, Contact: s.cfg.Contact, PublicURL: publicURL,
		Delivery: s.services.Delivery, Packs: s.services.Packs, Searches: s.services.SearchRequests,
	})
	if err != nil {
		return err
	}
	staffSite, err := staff.New(staff.Config{
		Work: s.services.Cases, Notices: s.services.Notices, Users: s.services.Users, Tokens: s.services.Tokens, Subjects: s.services.Subjects,
		Clock: s.cfg.Clock, Sessions: sessions, Log: s.log, Retention: s.services.Retention, Searches: s.services.SearchRequests,
		Organisation: s.cfg.Organisation, BaseURL: publicURL, OIDC: s.cfg.OIDC,
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
