package usecase

import (
	"context"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// Cases runs case commands and queries (internal/casework).
type Cases interface {
	// Create opens a case, or returns the one an earlier call with the same
	// request id opened.
	Create(ctx context.Context, actor string, req cases.NewCase) (*CreateResult, error)
	// Apply runs one command on a case; a non-empty etag must match.
	Apply(ctx context.Context, actor, id, etag string, cmd cases.Command) (*cases.Case, error)
	// ApplyWithLetter is Apply with the letter the command sends the
	// requester in staff's words: letterText, edited from the draft, is
	// sent in place of the template's letter ("" sends that unchanged).
	// The command and its letter are one transaction.
	ApplyWithLetter(ctx context.Context, actor, id, etag string, cmd cases.Command, letterText string) (*cases.Case, error)
	// DraftLetter is the letter cmd would send the requester of case id,
	// written from the case as cmd would leave it (in staff's words when
	// letterText is not ""), and nothing is written; nil when cmd sends
	// none. A command or letter the case refuses is the error Apply gives.
	DraftLetter(ctx context.Context, id string, cmd cases.Command, letterText string) (*letters.Letter, error)
	// DraftRecipientLetters are the letters a close would send the
	// recipients it names (cases.Close.Notify, Article 19), each in staff's
	// words where they gave some, written from the case as the close would
	// leave it; nothing is written.
	DraftRecipientLetters(ctx context.Context, id string, cmd cases.Command) ([]letters.Letter, error)
	// LettersTo says whether the letters c's steps need are written and
	// sent to its requester, and if not, why not.
	LettersTo(c *cases.Case) (bool, NoLetters)
	// Link links two cases both ways; Merge closes id as a duplicate of
	// into, which goes on, and links the two, sending the duplicate's
	// requester its letter in staff's words when letterText is not "" (as
	// ApplyWithLetter). Each is one transaction.
	Link(ctx context.Context, actor, id, other string) (*cases.Case, error)
	Merge(ctx context.Context, actor, id, etag, into, on, letterText string) (*cases.Case, error)
	Get(ctx context.Context, id string) (*cases.Case, error)
	// ByReference finds a case, open or closed, by its public reference
	// as a person types it: any letter case, with or without hyphens.
	ByReference(ctx context.Context, reference string) (*cases.Case, error)
	List(ctx context.Context, q Query) (*Page, error)
	// AssignEach assigns each target to assignee ("" unassigns), each in
	// its own transaction and with its own etag check, so one stale case
	// fails alone; one result per target, in order.
	AssignEach(ctx context.Context, actor, assignee, on string, targets []Target) ([]Assigned, error)
	// Workload counts the open cases of each assignee, from the indexes.
	Workload(ctx context.Context) (*Workload, error)
	// Events is a case's audit trail, oldest first.
	Events(ctx context.Context, id string) ([]audit.Event, error)
	// Status finds a case for its requester by reference and status code.
	Status(ctx context.Context, reference, token string) (*cases.Case, error)
	// Reply takes the requester's reply from the status page, found by
	// reference and status code as Status finds it: text, documents
	// (stored first, then the case changed in one transaction), or both.
	// Withdraw closes the request at the requester's word.
	Reply(ctx context.Context, reference, token, text string, files []Upload) (*cases.Case, error)
	Withdraw(ctx context.Context, reference, token, reason string) (*cases.Case, error)
	// Document streams a document of the case, for staff; the caller
	// closes it.
	Document(ctx context.Context, caseID, fileID string) (io.ReadCloser, cases.File, error)
	// AddDocument stores a document staff add (checked, sealed with the
	// case's key and scanned first), then records it on the case in one
	// transaction; a refusal leaves nothing stored.
	AddDocument(ctx context.Context, actor, caseID string, spec cases.DocumentSpec, file Upload) (*cases.Case, error)
	// Messages is a case's correspondence, in and out, oldest first;
	// MessageBody is what one letter sent says.
	Messages(ctx context.Context, id string) ([]cases.Message, error)
	MessageBody(ctx context.Context, caseID, messageID string) (*cases.MessageBody, error)
	// LetterPDF is a letter sent by post as it is printed, made again from
	// its kept text; MarkPosted records that staff posted it today.
	LetterPDF(ctx context.Context, caseID, messageID string) ([]byte, error)
	// WritePack writes the case's response pack (PackWriter), for staff a
	// preview at any time; PrintablePack is the same pack for post: the
	// letter, and the documents printed with it.
	WritePack(ctx context.Context, caseID string, w io.Writer) error
	PrintablePack(ctx context.Context, caseID string) (*PrintablePack, error)
	MarkPosted(ctx context.Context, actor, caseID, messageID string) (*cases.Case, error)
	Evidence(ctx context.Context, id string) (*Evidence, error)
	FindRequester(ctx context.Context, email, name string) (*RequesterResult, error)
	Dashboard(ctx context.Context) (report.Dashboard, error)
	// Standings is how much time each open case has left today, nil for a
	// closed case or one whose clock is stopped; one per case, in order.
	Standings(list []*cases.Case) []*deadline.Standing
	// Actions is what staff may do to a case today, the likely next first;
	// NextActions is the likely next action of each case ("" when there is
	// none), in order.
	Actions(c *cases.Case) []cases.StaffAction
	NextActions(list []*cases.Case) []cases.StaffAction
	// ExtensionDecisions is, for each case in order, the last day its
	// deadline can still be extended when that day is near enough to flag
	// (cases.Case.ExtensionDecisionBy), or the zero date.
	ExtensionDecisions(list []*cases.Case) []deadline.Date
	// Today is the date the injected clock says it is, in the UK.
	Today() deadline.Date
	IssueFeedToken(ctx context.Context, owner string) (string, error)
	FeedOwner(ctx context.Context, token string) (string, error)
	RevokeFeedToken(ctx context.Context, owner string) error
}

// Delivery hands a released response pack to its requester on the status
// page (internal/casework/delivery.go), each call finding the request by
// reference and status code as Cases.Status does. SendDeliveryCode emails
// a one-time code (a cases.CodeLimitReached past the hourly limit);
// RedeemDeliveryCode spends a code that works and records the download,
// and answers every other code with cases.ErrDeliveryCodeRefused.
type Delivery interface {
	// PackOffer is what the status page offers c's requester now.
	PackOffer(c *cases.Case) cases.PackOffer
	SendDeliveryCode(ctx context.Context, reference, token string) (*cases.Case, error)
	RedeemDeliveryCode(ctx context.Context, reference, token, code string) (*cases.Case, error)
}

// PackWriter writes a case's response pack, a zip, to w.
type PackWriter interface {
	WritePack(ctx context.Context, caseID string, w io.Writer) error
}

// PrintablePack is a case's response pack for a requester who gets it by
// post: the response letter and the documents (cases.Case.PackContents)
// printed with it, in order.
type PrintablePack struct {
	Case      *cases.Case
	Letter    letters.Letter
	Documents []cases.Document
}

// Notices reads, imports and checks privacy notices (internal/noticework).
type Notices interface {
	// Notice reads a notice and one of its versions (0 for the current one).
	Notice(ctx context.Context, id string, version int) (*notice.Notice, *notice.Version, error)
	List(ctx context.Context, after string, limit int) (page []notice.Notice, more bool, err error)
	All(ctx context.Context) ([]notice.Notice, error)
	Evaluate(ctx context.Context, id string, version int, contextID string, rights []notice.Right) (*notice.Version, []notice.Evaluation, error)
	Import(ctx context.Context, req ImportRequest) (*ImportResult, error)
	Lint(ctx context.Context, id string, version int) (*notice.Version, []lint.Finding, error)
	LintAll(ctx context.Context) ([]Linted, error)
	Diff(ctx context.Context, id string, from, to int) (a, b *notice.Version, changes []notice.Change, err error)
	// DiffDraft compares a draft (an import's Version) with the current
	// version of notice id, storing nothing; current is nil, and so are
	// the changes, when there is no such notice yet.
	DiffDraft(ctx context.Context, id string, draft *notice.Version) (current *notice.Version, changes []notice.Change, err error)
}

// Accounts keeps staff sign-in accounts (internal/accounts).
type Accounts interface {
	Create(ctx context.Context, in users.NewUser) (*users.User, error)
	Get(ctx context.Context, id string) (*users.User, error)
	List(ctx context.Context) ([]users.User, error)
	Disable(ctx context.Context, idOrEmail, by string) (*users.User, error)
	// Update changes an account's role or whether its user must choose a
	// new password (users.Update's rules); Unlock lifts a lockout.
	Update(ctx context.Context, idOrEmail string, up users.Update, by string) (*users.User, error)
	Unlock(ctx context.Context, idOrEmail, by string) (*users.User, error)
	// EndSessions signs the account out everywhere and stops its calendar
	// feed; a new password, a new role and disabling do the same.
	EndSessions(ctx context.Context, idOrEmail, by string) (*users.User, error)
	ResetPassword(ctx context.Context, idOrEmail, password, by string) (*users.User, error)
	ChangePassword(ctx context.Context, id, current, next string) (*users.User, error)
	SignIn(ctx context.Context, email, password string) (*users.User, error)
	// Two-step verification (internal/accounts/secondfactor.go): whether
	// the policy holds an account to setting it up first; setting it up
	// (begin, show again, confirm with a code, which returns the recovery
	// codes); the second step of signing in; new recovery codes; and an
	// administrator's reset.
	MustSetUpSecondFactor(u *users.User) bool
	BeginSecondFactor(ctx context.Context, id string) (users.Enrolment, error)
	PendingSecondFactor(ctx context.Context, id string) (e users.Enrolment, found bool, err error)
	SetUpSecondFactor(ctx context.Context, id, code string) (recoveryCodes []string, u *users.User, err error)
	VerifySecondFactor(ctx context.Context, id, code string) (*users.User, error)
	NewRecoveryCodes(ctx context.Context, id, code string) ([]string, error)
	ResetSecondFactor(ctx context.Context, idOrEmail, by string) (*users.User, error)
	RememberName(ctx context.Context, actor, name string) error
	Names(ctx context.Context) (map[string]string, error)
	// CheckSetupLink reports whether the secret of the first-administrator
	// link printed at start works now; FirstAdministrator spends it.
	CheckSetupLink(ctx context.Context, secret string) error
	FirstAdministrator(ctx context.Context, secret string, in users.NewUser) (*users.User, error)
}

// Tokens keeps API tokens (internal/tokens).
type Tokens interface {
	Create(ctx context.Context, in NewToken) (*CreatedToken, error)
	List(ctx context.Context) ([]auth.Token, error)
	Revoke(ctx context.Context, id, by string) (*auth.Token, error)
	Authenticate(ctx context.Context, plaintext string) (auth.Principal, error)
}

// Operations is whole-store work while serving (internal/operations).
type Operations interface {
	// Ready returns nil while the store answers a read.
	Ready(ctx context.Context) error
	Backup(ctx context.Context, w io.Writer) (int64, error)
	VerifyAudit(ctx context.Context) (ChainResult, error)
}
