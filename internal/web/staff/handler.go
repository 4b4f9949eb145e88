package staff

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

// Config is what the staff workspace needs.
type Config struct {
	Work     usecase.Cases
	Notices  usecase.Notices
	Users    usecase.Accounts
	Clock    clock.Clock
	Sessions *web.Sessions
	Log      *slog.Logger
	// Organisation runs the service and is named in the header.
	Organisation string
	// BaseURL is the site's address, e.g. https://rights.example.org, for
	// the calendar feed's links, which calendar apps open from outside.
	BaseURL string
	// OIDC adds sign-in with an OpenID Connect provider; nil for local
	// accounts only.
	OIDC *OIDCConfig
}

// ServiceName is the workspace's name in the header and titles.
const ServiceName = "Rightsdesk staff workspace"

// Prefix is where the workspace is mounted.
const Prefix = "/staff/"

// CookieName is the staff session's cookie, apart from the public form's
// and sent only under Prefix.
const CookieName = "rightsdesk_staff"

// reSave is how often a signed-in session is saved again while in use, to
// restart its idle timeout without a store write on every page.
const reSave = 5 * time.Minute

type handler struct {
	cfg    Config
	site   *web.Site
	render *web.Renderer
	oidc   *oidcClient
}

// New returns the workspace's handler for every path under Prefix.
func New(cfg Config) (http.Handler, error) {
	cfg.Sessions = cfg.Sessions.WithCookie(CookieName, Prefix)
	chrome := web.Chrome{
		Organisation: cfg.Organisation, Service: ServiceName, ServiceURL: Prefix,
	}
	render, err := web.NewRenderer(webfiles.FS(), chrome, cfg.Log, "templates/staff/*.tmpl")
	if err != nil {
		return nil, err
	}
	if err := render.Include(webfiles.FS(), "templates/staff/include/*.tmpl"); err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, render: render, site: web.NewSite(render, cfg.Sessions, cfg.Log, web.SiteOptions{})}
	if cfg.OIDC != nil {
		h.oidc = newOIDCClient(*cfg.OIDC)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /staff/sign-in", h.showSignIn)
	mux.HandleFunc("POST /staff/sign-in", h.signIn)
	mux.HandleFunc("POST /staff/sign-out", h.signOut)
	mux.HandleFunc("GET /staff/oidc/start", h.oidcStart)
	mux.HandleFunc("GET /staff/oidc/callback", h.oidcCallback)
	// The calendar feed is opened by calendar apps, which have no session:
	// its secret URL is the credential.
	mux.HandleFunc("GET /staff/feed/{file}", h.feedICS)

	mux.HandleFunc("GET /staff/{$}", h.need(auth.RoleViewer, h.queue))
	mux.HandleFunc("GET /staff/export.csv", h.need(auth.RoleViewer, h.exportCSV))
	mux.HandleFunc("GET /staff/find", h.need(auth.RoleViewer, h.find))
	mux.HandleFunc("GET /staff/dashboard", h.need(auth.RoleViewer, h.dashboard))
	mux.HandleFunc("GET /staff/feed", h.need(auth.RoleViewer, h.feedPage))
	mux.HandleFunc("GET /staff/password", h.need(auth.RoleViewer, h.passwordPage))
	mux.HandleFunc("POST /staff/password", h.need(auth.RoleViewer, h.changePassword))
	mux.HandleFunc("POST /staff/feed", h.need(auth.RoleViewer, h.feedIssue))
	mux.HandleFunc("POST /staff/feed/revoke", h.need(auth.RoleViewer, h.feedRevoke))
	mux.HandleFunc("GET /staff/cases/new", h.need(auth.RoleCaseworker, h.showNewCase))
	mux.HandleFunc("POST /staff/cases/new", h.need(auth.RoleCaseworker, h.createCase))
	mux.HandleFunc("GET /staff/cases/{id}", h.need(auth.RoleViewer, h.showCase))
	mux.HandleFunc("GET /staff/cases/{id}/evidence.zip", h.need(auth.RoleViewer, h.evidence))
	mux.HandleFunc("GET /staff/users", h.need(auth.RoleAdmin, h.accounts))
	mux.HandleFunc("POST /staff/users", h.need(auth.RoleAdmin, h.createAccount))
	mux.HandleFunc("POST /staff/users/{id}/disable", h.need(auth.RoleAdmin, h.disableAccount))
	mux.HandleFunc("POST /staff/users/reset", h.need(auth.RoleAdmin, h.resetPassword))
	for name, a := range actions {
		mux.HandleFunc("POST /staff/cases/{id}/"+name, h.need(a.role, h.act(a)))
	}
	mux.HandleFunc("/staff/", func(w http.ResponseWriter, _ *http.Request) { render.NotFound(w) })
	return h.site.Protect(mux), nil
}

// safeNext keeps a return address inside the workspace, so the sign-in
// page cannot be used to send someone to another site.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Prefix
}
