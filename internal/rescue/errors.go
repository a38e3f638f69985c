package rescue

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Code is a status token: the first word of every reply of the API.
type Code string

// The documented status tokens (rescue-api.md §2–§5).
const (
	CodeOK                    Code = "OK"
	CodeError                 Code = "ERROR"                    // unspecified error, e.g. a timeout on the service's side
	CodeInvalid               Code = "INVALID"                  // the e-mail and password (or SSO ID) do not sign in a technician
	CodeNotLoggedIn           Code = "NOTLOGGEDIN"              // no authcode, or the login has ended
	CodeNotTechnician         Code = "NOTTECHNICIAN"            // the user has no technician seat
	CodeNoTechConsoleRunning  Code = "NOTECHCONSOLERUNNING"     // a PIN needs a running Technician Console
	CodeOutOfPINCodes         Code = "OUTOFPINCODES"            // the company can generate no more PINs
	CodePollRateExceeded      Code = "POLLRATEEXCEEDED"         // PINs or reports asked for too often
	CodeInvalidSecretAuthCode Code = "INVALID_SECRETAUTHCODE"   // the authcode is wrong or was replaced
	CodeUserIsDeleted         Code = "USER_IS_DELETED"          // the authcode's user is deleted
	CodeUserDeletedOrDisabled Code = "USER_DELETED_OR_DISABLED" // the authcode's user is deleted or disabled
	CodeInvalidParamCompany   Code = "INVALIDPARAM_COMPANY"     // the company ID is not a number
	CodeInvalidParamNode      Code = "INVALIDPARAM_NODE"        // no such node, or the wrong node type
	CodeInvalidParamSession   Code = "INVALIDPARAM_SESSION"     // no such session
	CodeInvalidFormat         Code = "INVALIDFORMAT"            // a report setting was not understood
	CodeInvalidDateRange      Code = "INVALIDDATERANGE"         // a report window ends before it starts
	CodeLimitReached          Code = "LIMITREACHED"             // login called too often
)

// descriptions say what a code means, for Error's text. They are English log text, not UI text: the
// UI chooses its own words from the Code.
var descriptions = map[Code]string{
	CodeError:                 "the service reported an unspecified error",
	CodeInvalid:               "the sign-in details were not accepted",
	CodeNotLoggedIn:           "not signed in",
	CodeNotTechnician:         "the user is not a technician",
	CodeNoTechConsoleRunning:  "the Technician Console is not running",
	CodeOutOfPINCodes:         "no more PIN codes can be generated",
	CodePollRateExceeded:      "asked too often; try again later",
	CodeInvalidSecretAuthCode: "the authcode is not valid",
	CodeUserIsDeleted:         "the user is deleted",
	CodeUserDeletedOrDisabled: "the user is deleted or disabled",
	CodeInvalidParamCompany:   "the company ID is not valid",
	CodeInvalidParamNode:      "no such technician or node",
	CodeInvalidParamSession:   "no such session",
	CodeInvalidFormat:         "a parameter was not in the expected format",
	CodeInvalidDateRange:      "the date range is not valid",
	CodeLimitReached:          "called too often",
}

// Error is a business answer of the API other than OK: the service understood the request and
// refused it. It is never retried by the client.
type Error struct {
	Method string // the API method, e.g. "requestPINCode"
	Code   Code   // the status token; an undocumented token is kept as sent
}

// Error returns one line, e.g.
// "rescue: requestPINCode: NOTECHCONSOLERUNNING (the Technician Console is not running)".
func (e *Error) Error() string {
	if d, ok := descriptions[e.Code]; ok {
		return fmt.Sprintf("rescue: %s: %s (%s)", e.Method, e.Code, d)
	}
	return fmt.Sprintf("rescue: %s: %s", e.Method, e.Code)
}

// NeedsSignIn reports whether the authcode no longer works, so that the technician has to ask for a
// new one (and the stored one should be forgotten).
func (e *Error) NeedsSignIn() bool {
	switch e.Code {
	case CodeInvalidSecretAuthCode, CodeUserDeletedOrDisabled, CodeUserIsDeleted, CodeNotLoggedIn:
		return true
	}
	return false
}

// ErrMalformed means the service answered HTTP 200 with a body that could not be read. Errors that
// wrap it say what was expected, never what the body held.
var ErrMalformed = errors.New("rescue: the reply could not be read")

// ErrUnreachable means no reply came back: the connection could not be made, TLS failed, the
// connection dropped, or the HTTP client timed out. Errors that wrap it also wrap the cause.
var ErrUnreachable = errors.New("rescue: the service could not be reached")

// HTTPError is a reply with an HTTP status other than 200.
type HTTPError struct {
	Method     string
	Status     int
	RetryAfter time.Duration // from Retry-After on a 429 or 503; zero when absent or unreadable
}

// Error returns one line, e.g. "rescue: getSession_v3: HTTP 429 Too Many Requests (retry after 5s)".
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("rescue: %s: HTTP %d", e.Method, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		s += " " + t
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// uncertain marks an error that came after the request was written out in full: the server may have
// applied it although no usable reply came back.
type uncertain struct{ error }

func (u uncertain) Unwrap() error { return u.error }

// MayHaveReached reports whether the request may have been applied by the server although no usable
// reply came: it was written, and then the connection dropped, timed out or was cancelled, or the reply
// was a 5xx or could not be read. It is false when the request certainly was not applied: it was never
// written (dial or TLS failure, a context that ended first), or the service answered a status token,
// or HTTP 429. Before sending a request that must not happen twice (a PIN) again, a caller that sees
// true looks first (getSession_v3) for what the lost request may have done.
func MayHaveReached(err error) bool {
	var u uncertain
	return errors.As(err, &u)
}

// malformed wraps ErrMalformed with what the method's reply lacked. A reply came, so the request was
// written and may have been applied.
func malformed(method, what string) error {
	return uncertain{fmt.Errorf("%w: %s: %s", ErrMalformed, method, what)}
}
