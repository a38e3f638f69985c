package rescue

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// RequestAuthCode signs a technician in with e-mail and password (requestAuthCode) and returns the
// authcode. A new authcode replaces the user's previous one at once, wherever it is stored. Never
// retried: the caller decides.
func (c *Client) RequestAuthCode(ctx context.Context, email, password string) (string, error) {
	const method = "requestAuthCode"
	payload, err := c.call(ctx, method, url.Values{"email": {email}, "pwd": {password}}, sendOnce)
	if err != nil {
		return "", err
	}
	return parseAuthCode(method, payload)
}

// RequestAuthCodeSSO signs a technician in with their SSO ID and the company's master SSO password
// (requestAuthCodeSSO) and returns the authcode. Never retried: the caller decides.
func (c *Client) RequestAuthCodeSSO(ctx context.Context, ssoID, ssoPassword, companyID string) (string, error) {
	const method = "requestAuthCodeSSO"
	form := url.Values{"ssoid": {ssoID}, "pwd": {ssoPassword}, "company": {companyID}}
	payload, err := c.call(ctx, method, form, sendOnce)
	if err != nil {
		return "", err
	}
	return parseAuthCode(method, payload)
}

// Account is the authcode's user as getAccount describes them.
type Account struct {
	AccountID    int
	Organization string
	AdminID      int // 0 when the user is not an administrator
	TechID       int // 0 when the user has no technician seat
	Email        string
}

// Account returns the authcode's own user (getAccount, the text form of version 1).
func (c *Client) Account(ctx context.Context, authcode string) (Account, error) {
	const method = "getAccount"
	payload, err := c.call(ctx, method, url.Values{"authcode": {authcode}}, retryRead)
	if err != nil {
		return Account{}, err
	}
	return parseAccount(payload)
}

var accountLabels = []string{"AccountID", "Organization", "AdminID", "TechID", "Email"}

// parseAccount reads "AccountID:560961 Organization:Company AdminID:337365 TechID:337366 Email:…".
func parseAccount(payload string) (Account, error) {
	v := labelled(payload, accountLabels)
	account, ok1 := parseInt(v["AccountID"])
	admin, ok2 := parseIntOrEmpty(v["AdminID"])
	tech, ok3 := parseIntOrEmpty(v["TechID"])
	if !ok1 || !ok2 || !ok3 {
		return Account{}, malformed("getAccount", "AccountID, AdminID or TechID is not a number")
	}
	return Account{
		AccountID: account, Organization: v["Organization"], AdminID: admin, TechID: tech, Email: v["Email"],
	}, nil
}

// parseIntOrEmpty reads a number that may be left out, which then means 0.
func parseIntOrEmpty(s string) (int, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, true
	}
	return parseInt(s)
}

// Presence is a technician's status as getUser_v3 and getHierarchy show it.
type Presence string

// Presences. PresenceUnknown stands for any other text, which User.StatusText keeps.
const (
	PresenceOnline   Presence = "Online"
	PresenceBusy     Presence = "Busy"
	PresenceAway     Presence = "Away"
	PresenceOffline  Presence = "Offline"
	PresenceDisabled Presence = "Disabled"
	PresenceUnknown  Presence = "Unknown"
)

// parsePresence maps a STATUS text to a Presence, ignoring case and surrounding space.
func parsePresence(s string) Presence {
	for _, p := range []Presence{PresenceOnline, PresenceBusy, PresenceAway, PresenceOffline, PresenceDisabled} {
		if strings.EqualFold(strings.TrimSpace(s), string(p)) {
			return p
		}
	}
	return PresenceUnknown
}

// User is a Rescue user as getUser_v3 describes them.
type User struct {
	NodeID      int
	Name        string
	Nick        string
	Email       string
	SSOID       string
	Description string
	Type        string // e.g. Technician, Administrator
	Status      Presence
	StatusText  string // STATUS as sent
}

// User returns the user at a node (getUser_v3 by node): the technician's STATUS tells whether their
// Technician Console is running (Offline when it is not).
func (c *Client) User(ctx context.Context, authcode string, node int) (User, error) {
	const method = "getUser_v3"
	form := url.Values{"authcode": {authcode}, "node": {strconv.Itoa(node)}}
	payload, err := c.call(ctx, method, form, retryRead)
	if err != nil {
		return User{}, err
	}
	return parseUser(payload)
}

var userLabels = []string{
	"NODEID", "NAME", "NICK", "EMAIL", "SSOID", "DESCRIPTION", "TYPE",
	"HASMOBILEADDON", "HASRPATADDON", "ISACCOUNTHOLDER", "STATUS",
}

// parseUser reads "NODEID: 337366 NAME: John Doe NICK: EMAIL: … STATUS: Online".
func parseUser(payload string) (User, error) {
	v := labelled(payload, userLabels)
	id, ok := parseInt(v["NODEID"])
	if !ok {
		return User{}, malformed("getUser_v3", "NODEID is not a number")
	}
	return User{
		NodeID: id, Name: v["NAME"], Nick: v["NICK"], Email: v["EMAIL"], SSOID: v["SSOID"],
		Description: v["DESCRIPTION"], Type: v["TYPE"],
		Status: parsePresence(v["STATUS"]), StatusText: v["STATUS"],
	}, nil
}

// PINRequest is what a PIN carries into the session: the custom fields and the tracking field.
type PINRequest struct {
	CustomFields   [6]string // cfield0 (the customer's name) … cfield5; empty ones are not sent
	Tracking       string    // tracking0; not sent when empty
	RequireConsole bool      // true: notechconsole=0, refused with NOTECHCONSOLERUNNING when the console is not running
}

// form builds requestPINCode's parameters, each field cut to the service's limit first.
func (r PINRequest) form(authcode string) url.Values {
	f := url.Values{"authcode": {authcode}}
	for i, v := range r.CustomFields {
		if v != "" {
			f.Set("cfield"+strconv.Itoa(i), Truncate(v, CustomFieldLimits[i]))
		}
	}
	if r.Tracking != "" {
		f.Set("tracking0", Truncate(r.Tracking, TrackingLimit))
	}
	if r.RequireConsole {
		f.Set("notechconsole", "0")
	} else {
		f.Set("notechconsole", "1")
	}
	return f
}

// RequestPINCode asks for a PIN for the authcode's technician (requestPINCode) and returns it as six
// digits. It is never retried: after an error, MayHaveReached says whether a PIN may have been issued
// all the same, and the caller looks (Sessions) before it asks again.
func (c *Client) RequestPINCode(ctx context.Context, authcode string, r PINRequest) (string, error) {
	payload, err := c.call(ctx, "requestPINCode", r.form(authcode), sendOnce)
	if err != nil {
		return "", err
	}
	return parsePIN(payload)
}

// Note returns the technician's note on a session (getNote), lines separated by "\n".
func (c *Client) Note(ctx context.Context, authcode string, sessionID int) (string, error) {
	form := url.Values{"authcode": {authcode}, "session": {strconv.Itoa(sessionID)}}
	payload, err := c.call(ctx, "getNote", form, retryRead)
	if err != nil {
		return "", err
	}
	return parseNote(payload)
}
