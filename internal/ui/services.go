package ui

import (
	"context"
	"errors"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// The screens reach the world only through the values below, which the composition root (app/)
// builds from the real clients. Nothing here blocks the UI goroutine: the screens call these from
// goroutines and come back with fyne.Do.

// ErrSignInRequired is what a service returns (wrapped or not) when the technician must sign in again.
var ErrSignInRequired = errors.New("sign-in required")

// ErrNoBrowser is what SignIn returns (wrapped or not) when no browser could be opened: the shell then
// offers a device code instead.
var ErrNoBrowser = errors.New("no browser could be opened")

// Account is the signed-in technician.
type Account struct {
	Username string // e.g. camille@contoso.example
	Name     string
}

// DeviceCode is what the technician types on another device to sign in.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	ExpiresAt       time.Time
}

// Auth signs the technician in and out.
type Auth interface {
	// Account is the signed-in account from the local cache; it makes no network call.
	Account(ctx context.Context) (Account, bool)
	// SignIn opens the system browser (or the sandbox's picker) and waits; ctx cancels it.
	SignIn(ctx context.Context) (Account, error)
	// SignInWithDeviceCode calls show once with the code, then waits for the technician; ctx cancels it.
	SignInWithDeviceCode(ctx context.Context, show func(DeviceCode)) (Account, error)
	SignOut(ctx context.Context) error
	// Persistence says whether the sign-in and the cases are kept for next time; when not, reason
	// says why in one line (typically a missing or locked keyring). It may wait on the keyring.
	Persistence() (ok bool, reason string)
}

// Case is one case as the screens show it.
type Case struct {
	ID            string
	Number        string
	Title         string
	Description   string
	Customer      string
	CustomerEmail string
	Priority      string
	PriorityCode  int // 1 high, 2 normal, 3 low: sorts by urgency
	Status        string
	Owner         string
	Created       time.Time
	Modified      time.Time
}

// CaseList is a list of cases and when it was fetched.
type CaseList struct {
	Cases []Case
	AsOf  time.Time
}

// Cases gives the technician's open cases.
type Cases interface {
	// Cached is the last list kept on this computer, at once and without the network.
	Cached() (CaseList, bool)
	// Refresh fetches the list from Dynamics and keeps it. wait is told before each pause when
	// Dynamics asks the app to slow down.
	Refresh(ctx context.Context, wait func(time.Duration)) (CaseList, error)
}

// Links opens things outside the app.
type Links interface {
	OpenCase(c Case) error // the case in Dynamics, in the system browser
	OpenURL(url string) error
	OpenMail(mailto string) error // an invitation, in the mail program
}

// Presence is the Technician Console's status as Rescue reports it: "Online", "Busy", "Away",
// "Offline", or "" when it is not known yet.
type Presence string

// The console statuses the status light knows.
const (
	PresenceUnknown Presence = ""
	PresenceOnline  Presence = "Online"
	PresenceBusy    Presence = "Busy"
	PresenceAway    Presence = "Away"
	PresenceOffline Presence = "Offline"
)

// RescueAccount is the technician signed in to Rescue.
type RescueAccount struct {
	Email        string
	TechnicianID int
}

// RescueCredentials are what the Rescue sign-in form collects: exactly one of e-mail and password,
// SSO ID, or an API token. The company's SSO password and ID come from the settings.
type RescueCredentials struct {
	Email, Password string
	SSOID           string
	Token           string
}

// PINCode is a PIN issued for a case.
type PINCode struct {
	Code       string
	CaseID     string
	CaseNumber string
	Customer   string
	// CustomerEmail is where the invitation goes; empty leaves the address to the technician.
	CustomerEmail string
	JoinURL       string
	IssuedAt      time.Time
	ExpiresAt     time.Time
}

// RescueError is a Rescue problem the technician can act on. Code is Rescue's own answer
// (NOTECHCONSOLERUNNING, OUTOFPINCODES, …) or one of the app's codes below; each has its message.
type RescueError struct {
	Code      string
	SessionID int    // for CodeLostReply
	Detail    string // for CodeUnreachable and unknown codes: what went wrong, in one line
}

// The app's own Rescue problem codes, beside Rescue's documented answers.
const (
	CodeSignInRequired = "SIGNIN_REQUIRED" // no auth code kept, or it was refused
	CodeLostReply      = "LOST_REPLY"      // Rescue made a session but its reply was lost
	CodeCaseNotSaved   = "CASE_NOT_SAVED"  // the case has no ID in Dynamics
	CodeUnreachable    = "UNREACHABLE"     // no answer from Rescue
)

func (e *RescueError) Error() string { return RescueMessage(e) }

// Rescue is the technician's Rescue side: sign-in, console status and PIN codes.
type Rescue interface {
	// Account is the Rescue account kept on this computer, without the network (it may read the keyring).
	Account(ctx context.Context) (RescueAccount, bool)
	SignIn(ctx context.Context, c RescueCredentials) (RescueAccount, error)
	// Forget deletes the auth code from the keyring.
	Forget(ctx context.Context) error
	// Presence is the console status, asked of Rescue only when the last answer is older than maxAge.
	Presence(ctx context.Context, maxAge time.Duration) (Presence, error)
	// RequestPIN asks Rescue for a PIN for the case: one round trip.
	RequestPIN(ctx context.Context, c Case) (PINCode, error)
	// LastPIN is the most recent PIN issued for the case on this computer, if any.
	LastPIN(caseID string) (PINCode, bool)
	// RequireConsole is the organisation's option: no PIN while the console is not running.
	RequireConsole() bool
	// SSO says whether sign-in with an SSO ID is possible (the company's SSO settings are set).
	SSO() bool
}

// SessionState is where a tracked session is, in the words the live status uses.
type SessionState string

// The states of a tracked session.
const (
	SessionConnecting   SessionState = "connecting"   // PIN issued; the customer has not joined yet
	SessionWaiting      SessionState = "waiting"      // the customer is in the queue
	SessionActive       SessionState = "active"       // a technician picked the session up
	SessionOnHold       SessionState = "onhold"       // put on hold by the technician
	SessionTransferring SessionState = "transferring" // on its way to another technician
	SessionClosed       SessionState = "closed"       // ended; its details follow
	SessionExpired      SessionState = "expired"      // the PIN expired unused
)

// LiveSession is a session being followed after its PIN, as the window and the tray show it.
type LiveSession struct {
	CaseID     string
	CaseNumber string
	Customer   string
	PIN        string
	SessionID  int // 0 until Rescue lists the session, and once closed until its details are in
	State      SessionState
	StatusText string    // Rescue's own status text, in the account's language
	Technician string    // who has the session now
	Since      time.Time // when the state began
	ExpiresAt  time.Time // when an unused PIN expires
}

// ChatLine is one line of a session's chat transcript.
type ChatLine struct {
	At   string // as Rescue writes it, e.g. "2:05:07 PM"
	From string
	Text string
}

// SessionDetails is a finished session as the details view shows it.
type SessionDetails struct {
	SessionID    int
	CaseID       string
	CaseNumber   string
	Customer     string
	Technician   string
	Start, End   time.Time
	Waiting      time.Duration
	Active       time.Duration
	Total        time.Duration
	Status       string // Rescue's status text
	Resolved     bool
	ToolsUsed    string
	Platform     string
	Notes        string
	Chat         []ChatLine
	WrittenBack  bool   // the session record is in Dynamics
	CaseResolved bool   // the case is resolved in Dynamics (the team view); or was, from the wrap-up
	Summary      string // the internal note written on the case, if any
}

// WrapUp is what the technician decides on the wrap-up card after a session.
type WrapUp struct {
	SessionID   int
	AddNote     bool   // write an internal note on the case
	Summary     string // its text, editable
	ResolveCase bool   // resolve the case (CloseIncident)
}

// Sessions follows sessions after their PIN and gives their details.
type Sessions interface {
	// Live is the sessions being followed now, from memory, at once.
	Live() []LiveSession
	// OnChange sets the function called (from any goroutine) whenever a live session changes
	// state, or the number of pending writes changes.
	OnChange(func())
	// Pending is how many writes to Dynamics wait in the outbox.
	Pending() int
	// Details is one session's details, from this computer or else from Dynamics.
	Details(ctx context.Context, sessionID int) (SessionDetails, error)
	// ForCase is the case's sessions, read from Dynamics, newest first.
	ForCase(ctx context.Context, caseID string) ([]SessionDetails, error)
	// Recent is the technician's sessions of the last period, newest first.
	Recent(ctx context.Context, period time.Duration) ([]SessionDetails, error)
	// SuggestedSummary is the wrap-up card's starting text for a finished session.
	SuggestedSummary(sessionID int) string
	// WrapUp records the technician's decision; the writes go through the outbox.
	WrapUp(ctx context.Context, w WrapUp) error
}

// SSOPasswordKey is the key by which Locked names the company's SSO password, which has no place in
// the settings file (it lives in the keyring) but may still be managed by IT.
const SSOPasswordKey = "rescue.sso_password"

// SettingsForm is what the settings screen shows and saves: the settings file, which of its keys
// IT manages, the technician's Rescue ID, and the company's SSO password, which only ever goes in.
type SettingsForm struct {
	Config config.Config
	// Locked names the contract keys (e.g. "dynamics.url", or SSOPasswordKey) managed by IT
	// policy: the screen shows them read-only, with a mark that says so.
	Locked map[string]bool
	// SSOPassword is a new company SSO password typed in the screen, for the keyring; "" keeps the
	// one kept there as it is. Load leaves it empty: a kept password is never shown back.
	SSOPassword string
	// SSOPasswordSet says whether the keyring holds a company SSO password.
	SSOPasswordSet bool
	// TechnicianID is the technician's ID in Rescue, shown read-only; "" when it is not known yet.
	TechnicianID string
}

// Settings reads and writes the settings. The screen validates as the technician types, with
// config.Validate; Save checks again, since the screen is not the only way in.
type Settings interface {
	// Load is the current settings, after IT policy; it may read the keyring.
	Load(ctx context.Context) (SettingsForm, error)
	// Save writes the settings file and, when SSOPassword is set, the keyring. An error that
	// wraps config.FieldError values is shown under the fields it names.
	Save(ctx context.Context, f SettingsForm) error
}

// CheckResult is one check of the diagnostics, in one line, with what to do when it failed.
type CheckResult struct {
	Name    string // what was checked, e.g. "Dynamics sign-in"
	Detail  string // what was found
	Fix     string // what to do about it; empty when OK
	OK      bool
	Warning bool // not OK, but the app still works (shown as a warning rather than an error)
	Fixable bool // Diagnostics.Fix can repair it
}

// Diagnostics checks that session data can reach Dynamics, as the doctor command does, and
// repairs what it can. The progress functions may be called from any goroutine.
type Diagnostics interface {
	Run(ctx context.Context) ([]CheckResult, error)
	// Fix repairs the fixable problems and returns the checks as they stand after, also with an
	// error (both are shown) when it could check again.
	Fix(ctx context.Context, progress func(step string)) ([]CheckResult, error)
	// Provision creates the Dataverse tables, columns and keys that are missing and returns what
	// it created, one line each.
	Provision(ctx context.Context, progress func(step string)) ([]string, error)
}

// Team gives a helpdesk lead the team's sessions.
type Team interface {
	// Sessions is every technician's sessions of the last period, from Dynamics, newest first;
	// CaseResolved says whether each one's case is resolved now.
	Sessions(ctx context.Context, period time.Duration) ([]SessionDetails, error)
}
