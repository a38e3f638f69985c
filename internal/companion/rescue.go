package companion

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/netx"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// RescueAPI is the part of the Rescue client the technician's Rescue side needs.
type RescueAPI interface {
	RequestAuthCode(ctx context.Context, email, password string) (string, error)
	RequestAuthCodeSSO(ctx context.Context, ssoID, ssoPassword, companyID string) (string, error)
	Account(ctx context.Context, authcode string) (rescue.Account, error)
	User(ctx context.Context, authcode string, node int) (rescue.User, error)
	RequestPINCode(ctx context.Context, authcode string, r rescue.PINRequest) (string, error)
	Sessions(ctx context.Context, authcode string, node int) ([]rescue.Session, error)
	SessionReport(ctx context.Context, authcode string, node int, from, to time.Time) ([]rescue.ReportRow, error)
	Note(ctx context.Context, authcode string, sessionID int) (string, error)
	Chat(ctx context.Context, authcode string, sessionID int) ([]rescue.ChatLine, error)
	Hierarchy(ctx context.Context, authcode string) ([]rescue.Node, error)
	JoinURL(pin string) string
}

// AuthCodeKey is the keyring entry holding the Rescue auth code: the only place it is kept.
const AuthCodeKey = "rescue-auth-code"

const (
	rescueBucket = "rescue"
	accountKey   = "account"
	recordKey    = "technician-record"
)

// Errors of the Rescue side. Rescue's own answers come as *rescue.Error (see its Code).
var (
	// ErrRescueSignInRequired: no auth code is kept, or Rescue refused the one kept (it was
	// replaced, or the user was disabled). The technician signs in to Rescue again.
	ErrRescueSignInRequired = errors.New("Rescue sign-in required")
	// ErrNotTechnician: the Rescue account has no technician seat, so it cannot create PINs.
	ErrNotTechnician = errors.New("this Rescue account is not a technician")
	// ErrCaseNotSaved: the case has no ID in Dynamics yet, so a session could never reach it.
	ErrCaseNotSaved = errors.New("the case is not saved in Dynamics")
	// ErrConsoleOffline: the organisation requires a running Technician Console and it is not.
	ErrConsoleOffline = errors.New("the Rescue Technician Console is not running")
)

// LostReplyError says Rescue created the PIN but its reply never arrived. The session is in the
// technician's queue; asking again would create a second one, so the app does not.
type LostReplyError struct {
	SessionID int
	Err       error
}

func (e *LostReplyError) Error() string {
	return fmt.Sprintf("Rescue created session %d but its PIN was lost on the way: %v", e.SessionID, e.Err)
}

func (e *LostReplyError) Unwrap() error { return e.Err }

// Credentials are what the technician types to sign in to Rescue once. Exactly one way is used:
// e-mail and password, SSO ID (with the company's SSO password and ID), or an API token.
type Credentials struct {
	Email, Password string
	SSOID           string
	SSOPassword     string // the company's master SSO password, from the settings
	CompanyID       string
	Token           string // an API token issued in the Admin Center, used as the auth code
}

// RescueSettings are the organisation's choices that shape a PIN request.
type RescueSettings struct {
	RequireConsole   bool          // notechconsole=0
	SendEmail        bool          // cfield1 = customer e-mail (the option "do not send cfield1" off)
	CorrelationField int           // 2..5: the custom field carrying the correlation token
	PINValidity      time.Duration // how long a PIN is shown as valid
}

// PIN is one PIN code issued for a case.
type PIN struct {
	Code       string `json:"pin"`
	CaseID     string `json:"case_id"`
	CaseNumber string `json:"case_number"`
	Customer   string `json:"customer"`
	// CustomerEmail is the invitation's address (empty when the case has none).
	CustomerEmail string    `json:"customer_email,omitempty"`
	JoinURL       string    `json:"join_url"`
	Correlation   string    `json:"correlation"` // the token in the correlation field
	IssuedAt      time.Time `json:"issued_at"`
	ExpiresAt     time.Time `json:"expires_at"`
	TechnicianID  int       `json:"technician_id"`
}

// Presence is the technician's console status as Rescue last reported it, and when.
type Presence struct {
	Status rescue.Presence
	At     time.Time
}

// TechnicianRecords keeps the Dynamics record that says which Rescue technician a Dynamics user is.
type TechnicianRecords interface {
	// EnsureTechnicianRecord creates the signed-in user's record when it has none.
	EnsureTechnicianRecord(ctx context.Context, technicianID, ssoID string) error
}

// Rescue is the technician's Rescue side: sign-in with the auth code kept in the keyring, the
// console status, and PIN codes for cases.
type Rescue struct {
	api      RescueAPI
	keyring  secrets.Store
	store    Journal // nil: nothing kept for next time
	settings RescueSettings
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	newToken func() string

	mu       sync.Mutex
	authcode string          // read from the keyring once, then kept in memory
	account  *rescue.Account // the auth code's user
	presence Presence
}

// RescueOptions are the injectable parts, for tests.
type RescueOptions struct {
	Now      func() time.Time
	Sleep    func(context.Context, time.Duration) error
	NewToken func() string
}

// NewRescue builds the Rescue side. store may be nil.
func NewRescue(api RescueAPI, keyring secrets.Store, store Journal, settings RescueSettings, o RescueOptions) *Rescue {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = netx.Sleep
	}
	if o.NewToken == nil {
		o.NewToken = NewCorrelationToken
	}
	if settings.PINValidity <= 0 {
		settings.PINValidity = 20 * time.Minute
	}
	return &Rescue{
		api: api, keyring: keyring, store: store, settings: settings,
		now: o.Now, sleep: o.Sleep, newToken: o.NewToken,
	}
}

// Settings are the organisation's choices in force.
func (r *Rescue) Settings() RescueSettings { return r.settings }

// SignIn gets an auth code (or takes the API token), checks it with getAccount and keeps it in
// the keyring. Passwords are used for this one request and never kept. When the keyring cannot
// keep the code, the technician stays signed in for this session and a *NotKeptError says why.
func (r *Rescue) SignIn(ctx context.Context, c Credentials) (rescue.Account, error) {
	code, err := r.authCode(ctx, c)
	if err != nil {
		return rescue.Account{}, err
	}
	acct, err := r.api.Account(ctx, code)
	if err != nil {
		return rescue.Account{}, signInError(err)
	}
	if acct.TechID == 0 {
		return rescue.Account{}, ErrNotTechnician
	}
	r.mu.Lock()
	r.authcode, r.account = code, &acct
	r.presence = Presence{}
	r.mu.Unlock()
	var kept error
	if err := r.keyring.Set(ctx, AuthCodeKey, code); err != nil {
		kept = &NotKeptError{What: "the Rescue sign-in", Err: err}
	}
	if r.store != nil {
		if err := r.store.PutJSON(rescueBucket, accountKey, acct); err != nil && kept == nil {
			kept = &NotKeptError{What: "the Rescue account", Err: err}
		}
	}
	return acct, kept
}

func (r *Rescue) authCode(ctx context.Context, c Credentials) (string, error) {
	var code string
	var err error
	switch {
	case c.Token != "":
		code = c.Token
	case c.SSOID != "":
		code, err = r.api.RequestAuthCodeSSO(ctx, c.SSOID, c.SSOPassword, c.CompanyID)
	case c.Email != "":
		code, err = r.api.RequestAuthCode(ctx, c.Email, c.Password)
	default:
		return "", errors.New("no Rescue credentials given")
	}
	if err != nil {
		return "", err
	}
	return code, nil
}

// signInError turns Rescue's refusal of a fresh code or token into the sign-in error.
func signInError(err error) error {
	var re *rescue.Error
	if errors.As(err, &re) && re.NeedsSignIn() {
		return fmt.Errorf("%w: %w", ErrRescueSignInRequired, err)
	}
	return err
}

// Account is the signed-in Rescue account, without the network: ok is false when no auth code is
// kept. It may read the keyring, so it is never called on the UI goroutine.
func (r *Rescue) Account(ctx context.Context) (rescue.Account, bool) {
	if _, err := r.code(ctx); err != nil {
		return rescue.Account{}, false
	}
	acct, err := r.currentAccount(ctx)
	return acct, err == nil
}

// code is the auth code, from memory or else the keyring.
func (r *Rescue) code(ctx context.Context) (string, error) {
	r.mu.Lock()
	code := r.authcode
	r.mu.Unlock()
	if code != "" {
		return code, nil
	}
	code, err := r.keyring.Get(ctx, AuthCodeKey)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", ErrRescueSignInRequired
	case err != nil:
		return "", fmt.Errorf("%w: the keyring: %w", ErrRescueSignInRequired, err)
	}
	r.mu.Lock()
	r.authcode = code
	r.mu.Unlock()
	return code, nil
}

// currentAccount is the auth code's user: from memory, the store, or else getAccount.
func (r *Rescue) currentAccount(ctx context.Context) (rescue.Account, error) {
	r.mu.Lock()
	acct := r.account
	r.mu.Unlock()
	if acct != nil {
		return *acct, nil
	}
	var kept rescue.Account
	if r.store != nil {
		if ok, err := r.store.GetJSON(rescueBucket, accountKey, &kept); ok && err == nil && kept.TechID != 0 {
			r.setAccount(kept)
			return kept, nil
		}
	}
	code, err := r.code(ctx)
	if err != nil {
		return rescue.Account{}, err
	}
	fetched, err := r.api.Account(ctx, code)
	if err != nil {
		return rescue.Account{}, r.refused(ctx, err)
	}
	r.setAccount(fetched)
	if r.store != nil {
		_ = r.store.PutJSON(rescueBucket, accountKey, fetched) // only saves a round trip next time
	}
	return fetched, nil
}

func (r *Rescue) setAccount(a rescue.Account) {
	r.mu.Lock()
	r.account = &a
	r.mu.Unlock()
}

// refused forgets the auth code when Rescue says it no longer works, so the app asks again.
func (r *Rescue) refused(ctx context.Context, err error) error {
	var re *rescue.Error
	if !errors.As(err, &re) || !re.NeedsSignIn() {
		return err
	}
	_ = r.Forget(ctx)
	return fmt.Errorf("%w: %w", ErrRescueSignInRequired, err)
}

// Forget deletes the auth code from the keyring and the account from the store: "Forget Rescue
// credentials".
func (r *Rescue) Forget(ctx context.Context) error {
	r.mu.Lock()
	r.authcode, r.account, r.presence = "", nil, Presence{}
	r.mu.Unlock()
	err := r.keyring.Delete(ctx, AuthCodeKey)
	if errors.Is(err, secrets.ErrNotFound) {
		err = nil
	}
	if r.store != nil {
		err = errors.Join(err, r.store.Delete(rescueBucket, accountKey), r.store.Delete(rescueBucket, recordKey))
	}
	return err
}

// Presence is the console status. It asks Rescue (getUser_v3) only when the last answer is older
// than maxAge, so callers can poll freely and the service is asked at most that often.
func (r *Rescue) Presence(ctx context.Context, maxAge time.Duration) (Presence, error) {
	r.mu.Lock()
	last := r.presence
	r.mu.Unlock()
	if !last.At.IsZero() && r.now().Sub(last.At) < maxAge {
		return last, nil
	}
	acct, err := r.currentAccount(ctx)
	if err != nil {
		return last, err
	}
	code, err := r.code(ctx)
	if err != nil {
		return last, err
	}
	u, err := r.api.User(ctx, code, acct.TechID)
	if err != nil {
		return last, r.refused(ctx, err)
	}
	p := Presence{Status: u.Status, At: r.now()}
	r.mu.Lock()
	r.presence = p
	r.mu.Unlock()
	return p, nil
}

// notePresence records what a PIN answer says about the console, at no extra round trip.
func (r *Rescue) notePresence(s rescue.Presence) {
	r.mu.Lock()
	r.presence = Presence{Status: s, At: r.now()}
	r.mu.Unlock()
}

// CaseRef is what a PIN needs to know about a case.
type CaseRef struct {
	ID            string // incidentid: a case without one is not saved
	Number        string // ticket number, sent as tracking0
	Customer      string // cfield0, the "Name" field
	CustomerEmail string // cfield1, unless the option says not to send it
}

// RequestPIN asks Rescue for a PIN for the case: exactly one round trip in the usual case, the
// console requirement included (requestPINCode with notechconsole=0 is itself the check).
// POLLRATEEXCEEDED is retried once after a second. When the request may have reached Rescue but no
// answer came, it looks at the technician's sessions before asking again, so that one click never
// makes two PINs.
func (r *Rescue) RequestPIN(ctx context.Context, c CaseRef) (PIN, error) {
	if c.ID == "" {
		return PIN{}, ErrCaseNotSaved
	}
	code, err := r.code(ctx)
	if err != nil {
		return PIN{}, err
	}
	token := r.newToken()
	req := r.pinRequest(c, token)
	pin, err := r.api.RequestPINCode(ctx, code, req)
	if isCode(err, rescue.CodePollRateExceeded) {
		if err := r.sleep(ctx, time.Second); err != nil {
			return PIN{}, err
		}
		pin, err = r.api.RequestPINCode(ctx, code, req)
	} else if err != nil && rescue.MayHaveReached(err) {
		pin, err = r.lookThenRetry(ctx, code, req, token, err)
	}
	if err != nil {
		return PIN{}, r.pinError(ctx, err)
	}
	if r.settings.RequireConsole {
		r.noteConsoleRunning()
	}
	return r.issued(ctx, c, pin, token), nil
}

// pinRequest fills the fields as the design says: name, e-mail (unless not sent), the case number as
// tracking0 and the correlation token in its configured field.
func (r *Rescue) pinRequest(c CaseRef, token string) rescue.PINRequest {
	var req rescue.PINRequest
	req.CustomFields[0] = c.Customer
	if r.settings.SendEmail {
		req.CustomFields[1] = c.CustomerEmail
	}
	if i := r.settings.CorrelationField; i >= 2 && i <= 5 {
		req.CustomFields[i] = token
	}
	req.Tracking = c.Number
	req.RequireConsole = r.settings.RequireConsole
	return req
}

// lookThenRetry handles a request whose fate is unknown: if a session carrying the token exists,
// Rescue made the PIN and only the reply was lost; if none does, the request never took effect and
// is sent once more (with the same token, so a late first answer still matches).
func (r *Rescue) lookThenRetry(ctx context.Context, code string, req rescue.PINRequest, token string, first error) (string, error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return "", first // the technician gave up: nothing more is sent
	}
	if ctx.Err() != nil {
		// The click's time ran out while Rescue may have acted: still look, briefly, so that the
		// technician learns whether a session was made rather than a bare timeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), lookTimeout)
		defer cancel()
	}
	acct, err := r.currentAccount(ctx)
	if err != nil {
		return "", first
	}
	sessions, err := r.api.Sessions(ctx, code, acct.TechID)
	if err != nil {
		return "", first // cannot look, so cannot know: never risk a second PIN
	}
	for _, s := range sessions {
		if i := r.settings.CorrelationField; i >= 2 && i <= 5 && s.CustomFields[i] == token {
			return "", &LostReplyError{SessionID: s.ID, Err: first}
		}
	}
	return r.api.RequestPINCode(ctx, code, req)
}

// lookTimeout bounds the look at the sessions after a PIN request timed out.
const lookTimeout = 10 * time.Second

// pinError maps Rescue's answers to what the technician can act on.
func (r *Rescue) pinError(ctx context.Context, err error) error {
	switch {
	case isCode(err, rescue.CodeNoTechConsoleRunning):
		r.notePresence(rescue.PresenceOffline)
		return fmt.Errorf("%w: %w", ErrConsoleOffline, err)
	case isCode(err, rescue.CodeNotTechnician):
		return fmt.Errorf("%w: %w", ErrNotTechnician, err)
	}
	return r.refused(ctx, err)
}

// noteConsoleRunning: a PIN issued under the console requirement proves the console runs.
func (r *Rescue) noteConsoleRunning() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.presence.Status == "" || r.presence.Status == rescue.PresenceOffline {
		r.presence = Presence{Status: rescue.PresenceOnline, At: r.now()}
	}
}

// issued builds the PIN and keeps it with the case in the local history.
func (r *Rescue) issued(ctx context.Context, c CaseRef, code, token string) PIN {
	now := r.now().UTC()
	p := PIN{
		Code: code, CaseID: c.ID, CaseNumber: c.Number, Customer: c.Customer, CustomerEmail: c.CustomerEmail,
		JoinURL: r.api.JoinURL(code), Correlation: token,
		IssuedAt: now, ExpiresAt: now.Add(r.settings.PINValidity),
	}
	if acct, err := r.currentAccount(ctx); err == nil {
		p.TechnicianID = acct.TechID
	}
	if r.store != nil {
		_, _ = r.store.AppendJSON(pinsBucket(c.ID), p) // the PIN is shown either way
	}
	return p
}

func pinsBucket(caseID string) string { return "pins:" + caseID }

// History is the PINs issued for a case on this computer, oldest first.
func (r *Rescue) History(caseID string) ([]PIN, error) {
	if r.store == nil {
		return nil, nil
	}
	return listJSON[PIN](r.store, pinsBucket(caseID))
}

// EnsureTechnicianRecord creates the technician settings record in Dynamics the first time it is
// needed, with the technician ID from getAccount, and remembers that it exists.
func (r *Rescue) EnsureTechnicianRecord(ctx context.Context, records TechnicianRecords, ssoID string) error {
	if r.store != nil {
		var done bool
		if ok, _ := r.store.GetJSON(rescueBucket, recordKey, &done); ok && done {
			return nil
		}
	}
	acct, err := r.currentAccount(ctx)
	if err != nil {
		return err
	}
	if err := records.EnsureTechnicianRecord(ctx, strconv.Itoa(acct.TechID), ssoID); err != nil {
		return err
	}
	if r.store != nil {
		_ = r.store.PutJSON(rescueBucket, recordKey, true)
	}
	return nil
}

// NewCorrelationToken is a short random token, "RC-" and eight characters of Crockford's base32,
// that ties a Rescue session to the PIN request that made it.
func NewCorrelationToken() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	out := []byte("RC-")
	for _, x := range b {
		out = append(out, alphabet[x&31])
	}
	return string(out)
}

// isCode reports whether err is Rescue's answer code.
func isCode(err error, code rescue.Code) bool {
	var re *rescue.Error
	return errors.As(err, &re) && re.Code == code
}

// listJSON decodes every value of an appended bucket, oldest first; unreadable ones are skipped.
func listJSON[T any](j Journal, bucket string) ([]T, error) {
	keys, err := j.Keys(bucket)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		var v T
		if ok, err := j.GetJSON(bucket, k, &v); ok && err == nil {
			out = append(out, v)
		}
	}
	return out, nil
}
