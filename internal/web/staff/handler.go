package staff

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	webfiles "github.com/rightsdesk/rightsdesk/web"
)

// Config is what the staff workspace needs.
type Config struct {
	Work    usecase.Cases
	Notices usecase.Notices
	Users   usecase.Accounts
	Tokens  usecase.Tokens
	// Subjects answers requests about Rightsdesk's own data.
	Subjects usecase.DataSubjects
	// Retention says what the retention schedule will delete (the
	// dashboard's figures and the retention page); nil shows neither.
	Retention usecase.Retention
	Clock     clock.Clock
	Sessions  *web.Sessions
	Log       *slog.Logger
	// Organisation runs the service and is named in the header.
	Organisation string
	// BaseURL is the site's address, e.g. https://rights.example.org, for
	// the calendar feed's links, which calendar apps open from outside.
	BaseURL string
	// OIDC adds sign-in with an OpenID Connect provider; nil for local
	// accounts only.
	OIDC *OIDCConfig
	// Searches sends search requests to data owners; nil when the service
	// has no relay to email their links through.
	Searches usecase.SearchRequests
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
	// roles are what each action page needs, by its slug: the case page
	// offers only the actions the staffer may do.
	roles map[string]auth.Role
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
	h := &handler{cfg: cfg, render: render, site: web.NewSite(render, cfg.Sessions, cfg.Log, web.SiteOptions{
		Larger: map[string]int64{previewPath: maxImportBody, importPath: maxImportBody, documentUploadPath: maxDocumentBody},
	})}
	if cfg.OIDC != nil {
		h.oidc = newOIDCClient(*cfg.OIDC)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /staff/sign-in", h.showSignIn)
	mux.HandleFunc("POST /staff/sign-in", h.signIn)
	mux.HandleFunc("POST /staff/sign-out", h.signOut)
	mux.HandleFunc("GET "+codePath, h.showCode)
	mux.HandleFunc("POST "+codePath, h.checkCode)
	mux.HandleFunc("GET /staff/oidc/start", h.oidcStart)
	mux.HandleFunc("GET /staff/oidc/callback", h.oidcCallback)
	// The first administrator's link is the credential of a new
	// installation, which has nobody to sign in as yet.
	mux.HandleFunc("GET "+SetupPath+"{secret}", h.showSetup)
	mux.HandleFunc("POST "+SetupPath+"{secret}", h.setup)
	// The calendar feed is opened by calendar apps, which have no session:
	// its secret URL is the credential.
	mux.HandleFunc("GET /staff/feed/{file}", h.feedICS)

	routes := []struct {
		pattern string
		// rpcs are the API calls the page stands for: it needs the
		// strictest of their roles, from the same table the API uses. None
		// means any signed-in member of staff (their own password and feed).
		rpcs []string
		page func(http.ResponseWriter, *http.Request, *staffer)
	}{
		{"GET /staff/{$}", []string{"CaseService/ListCases"}, h.queue},
		{"GET /staff/export.csv", []string{"CaseService/ListCases"}, h.exportCSV},
		{"GET /staff/find", []string{"CaseService/ListCases"}, h.findPage},
		{"POST /staff/find", []string{"CaseService/ListCases"}, h.findRequester},
		{"POST /staff/assign", bulkAssignRPCs, h.bulkAssign},
		{"GET /staff/dashboard", []string{"CaseService/ListCases"}, h.dashboard},
		{"GET " + retentionPath, []string{"CaseService/ListCases"}, h.retentionPage},
		{"GET /staff/feed", nil, h.feedPage},
		{"POST /staff/feed", nil, h.feedIssue},
		{"POST /staff/feed/revoke", nil, h.feedRevoke},
		{"GET /staff/password", nil, h.passwordPage},
		{"POST /staff/password", nil, h.changePassword},
		{"GET " + secondFactorPath, nil, h.secondFactorPage},
		{"GET " + qrPath, nil, h.secondFactorQR},
		{"POST " + secondFactorPath, nil, h.setUpSecondFactor},
		{"POST " + recoveryPath, nil, h.renewRecoveryCodes},
		{"GET /staff/cases/new", []string{"CaseService/CreateCase"}, h.showNewCase},
		{"POST /staff/cases/new", []string{"CaseService/CreateCase"}, h.createCase},
		{"GET /staff/cases/{id}", []string{"CaseService/GetCase", "CaseService/ListCaseEvents", "CaseService/ListCaseMessages"}, h.orReference(h.showCase)},
		{"GET /staff/cases/{id}/messages/{msg}", messageRPCs, h.showMessage},
		{"GET /staff/cases/{id}/messages/{msg}/letter.pdf", messageRPCs, h.letterPDF},
		{"POST /staff/cases/{id}/messages/{msg}/posted", postedRPCs, h.markPosted},
		{"GET /staff/cases/{id}/evidence.zip", []string{"CaseService/GetCase", "CaseService/ListCaseEvents"}, h.evidence},
		{"GET /staff/cases/{id}/documents/{file}", documentRPCs, h.document},
		{"GET /staff/cases/{id}/documents/new", addDocumentRPCs, h.showAddDocument},
		{"POST " + documentUploadPath, addDocumentRPCs, h.addDocument},
		{"GET /staff/cases/{id}/documents/{file}/decide", decideRPCs, h.showDecide},
		{"POST /staff/cases/{id}/documents/{file}/decide", decideRPCs, h.decide},
		{"GET /staff/cases/{id}/response-pack.zip", packRPCs, h.packPreview},
		{"GET /staff/cases/{id}/response-pack/print", packRPCs, h.printablePack},
		{"GET /staff/users", []string{"AdminService/ListUsers"}, h.accounts},
		{"POST /staff/users", []string{"AdminService/CreateUser"}, h.createAccount},
		{"POST /staff/users/{id}/disable", []string{"AdminService/DisableUser"}, h.disableAccount},
		{"POST /staff/users/reset", []string{"AdminService/ResetUserPassword"}, h.resetPassword},
		{"GET /staff/users/{id}", []string{"AdminService/ListUsers"}, h.account},
		{"POST /staff/users/{id}/role", []string{"AdminService/UpdateUser"}, h.changeRole},
		{"POST /staff/users/{id}/password-change", []string{"AdminService/UpdateUser"}, h.requirePasswordChange},
		{"POST /staff/users/{id}/unlock", []string{"AdminService/UnlockUser"}, h.unlockAccount},
		// Ending an account's sessions has no API call of its own; it is
		// a lesser disabling, so it needs the role disabling does.
		{"POST /staff/users/{id}/end-sessions", []string{"AdminService/DisableUser"}, h.endSessions},
		// Resetting two-step verification, like ending sessions, is for
		// someone who lost a credential; it needs the role a password
		// reset does.
		{"POST /staff/users/{id}/second-factor/reset", []string{"AdminService/ResetUserPassword"}, h.resetSecondFactor},
		{"GET /staff/tokens", []string{"AdminService/ListTokens"}, h.tokens},
		{"POST /staff/tokens", []string{"AdminService/CreateToken", "AdminService/ListTokens"}, h.createToken},
		{"GET /staff/tokens/{id}/revoke", []string{"AdminService/ListTokens", "AdminService/RevokeToken"}, h.confirmRevoke},
		{"POST /staff/tokens/{id}/revoke", []string{"AdminService/ListTokens", "AdminService/RevokeToken"}, h.revokeToken},
		{"GET " + sectionSubjects, []string{"AdminService/ExportDataSubject"}, h.subjectsPage},
		{"POST " + sectionSubjects, []string{"AdminService/ExportDataSubject"}, h.subjectsSearch},
		{"POST " + sectionSubjects + "/export.json", []string{"AdminService/ExportDataSubject"}, h.subjectExportJSON},
		{"POST " + sectionSubjects + "/export", []string{"AdminService/ExportDataSubject"}, h.subjectExportHTML},
		{"POST " + sectionSubjects + "/rectify", []string{"AdminService/RectifyDataSubject"}, h.subjectRectify},
		{"POST " + sectionSubjects + "/erase", []string{"AdminService/CheckDataSubjectErasure", "AdminService/EraseDataSubject"}, h.subjectErase},
		{"GET " + importPath, []string{"NoticeService/ImportNotice"}, h.importForm},
		{"POST " + previewPath, []string{"NoticeService/ImportNotice"}, h.previewImport},
		{"POST " + importPath, []string{"NoticeService/ImportNotice"}, h.saveImport},
	}
	for _, rt := range routes {
		role, err := strictest(rt.rpcs)
		if err != nil {
			return nil, fmt.Errorf("staff page %s: %w", rt.pattern, err)
		}
		mux.HandleFunc(rt.pattern, h.need(role, rt.page))
	}
	if h.roles, err = actionRoles(); err != nil {
		return nil, fmt.Errorf("staff action: %w", err)
	}
	for slug, a := range actions {
		mux.HandleFunc("GET /staff/cases/{id}/"+slug, h.need(h.roles[slug], h.showAction(a)))
		mux.HandleFunc("POST /staff/cases/{id}/"+slug, h.need(h.roles[slug], h.doAction(a)))
	}
	mux.HandleFunc("/staff/", func(w http.ResponseWriter, _ *http.Request) { render.NotFound(w) })
	return h.site.Protect(mux), nil
}

// strictest is the role that may call every one of the API's rpcs, from
// the API's own declarations; with none, any member of staff.
func strictest(rpcs []string) (auth.Role, error) {
	need := auth.RoleViewer
	for _, rpc := range rpcs {
		role, err := policy.Of(rpc)
		if err != nil {
			return auth.RoleNone, err
		}
		if !need.Includes(role) {
			need = role
		}
	}
	return need, nil
}

// safeNext keeps a return address inside the workspace, so the sign-in
// page cannot be used to send someone to another site.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Prefix
}
