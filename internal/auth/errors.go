package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// The kinds of failure. Every error from an Authenticator method wraps exactly one of them (or
// context.DeadlineExceeded), so callers can test with errors.Is.
var (
	// ErrSignInRequired means there is no signed-in account, or the service refused the saved
	// sign-in: the user must sign in again. The CLI exits 4 on it.
	ErrSignInRequired = errors.New("sign-in required")
	// ErrCancelled means the sign-in was cancelled, by the context or by the user.
	ErrCancelled = errors.New("sign-in cancelled")
	// ErrNoBrowser means the sign-in page could not be opened; device-code sign-in still works.
	ErrNoBrowser = errors.New("the sign-in page could not be opened in a browser")
	// ErrUnreachable means the sign-in service could not be reached (network, DNS, TLS).
	ErrUnreachable = errors.New("the sign-in service could not be reached")
	// ErrProvider means the sign-in service answered with an error that signing in again would
	// not fix as such (a configuration problem, an outage); Error has the codes.
	ErrProvider = errors.New("the sign-in service returned an error")
)

// Error is a failure described without anything the service sent back verbatim.
type Error struct {
	Op     string // what was being done: "sign-in", "device-code sign-in", "token", "refresh", "sign-out"
	Status int    // HTTP status of the service's answer; 0 when there was none
	Code   string // OAuth error code, e.g. "invalid_grant"; "" when unknown
	AADSTS int    // Entra error number, e.g. 50173; 0 when unknown
	Kind   error  // one of the Err* kinds of this package, or context.DeadlineExceeded
}

// Error gives a one-line message: the operation, the kind, and the codes when known.
func (e *Error) Error() string {
	msg := "auth: " + e.Op + ": " + e.Kind.Error()
	var detail []string
	if e.Status != 0 {
		detail = append(detail, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		detail = append(detail, e.Code)
	}
	if e.AADSTS != 0 {
		detail = append(detail, "AADSTS"+strconv.Itoa(e.AADSTS))
	}
	if len(detail) > 0 {
		msg += " (" + strings.Join(detail, ", ") + ")"
	}
	return msg
}

// Unwrap gives the kind, never the underlying MSAL error.
func (e *Error) Unwrap() error { return e.Kind }

// signInRequiredCodes are the OAuth errors that mean the saved sign-in is no longer any good.
var signInRequiredCodes = map[string]bool{
	"invalid_grant":        true,
	"interaction_required": true,
	"login_required":       true,
	"consent_required":     true,
}

// declinedCodes are the OAuth errors that mean the user said no on the sign-in page.
var declinedCodes = map[string]bool{
	"authorization_declined": true, // device code, Entra's name
	"access_denied":          true, // RFC 8628's name
}

// aadstsDeclined is "the user declined to consent", what the sign-in page's cancel sends back.
const aadstsDeclined = 65004

var aadstsPattern = regexp.MustCompile(`AADSTS(\d{4,9})`)

// maxErrorBody bounds how much of an error response is read for its codes.
const maxErrorBody = 64 << 10

// classify turns an MSAL (or context) error into an *Error. silent says whether the operation
// was a silent one, where errors other than HTTP and network failures mean the cache holds no
// usable sign-in.
func classify(ctx context.Context, op string, err error, silent bool) *Error {
	e := &Error{Op: op}
	if kind := contextKind(ctx, err); kind != nil {
		e.Kind = kind
		return e
	}
	var call msalerrors.CallErr
	if errors.As(err, &call) {
		fillFromResponse(e, call)
		switch {
		case signInRequiredCodes[e.Code]:
			e.Kind = ErrSignInRequired
		case declinedCodes[e.Code] || e.AADSTS == aadstsDeclined:
			e.Kind = ErrCancelled
		default:
			e.Kind = ErrProvider
		}
		return e
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		e.Kind = ErrUnreachable
		return e
	}
	if n := aadstsNumber(err.Error()); n != 0 {
		// An error the service sent to the redirect URI during an interactive sign-in.
		e.AADSTS = n
		e.Kind = ErrProvider
		if n == aadstsDeclined {
			e.Kind = ErrCancelled
		}
		return e
	}
	e.Kind = ErrProvider
	if silent {
		// "no token found" and friends: the cache has nothing to redeem.
		e.Kind = ErrSignInRequired
	}
	return e
}

// contextKind recognises a cancelled or timed-out context.
func contextKind(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(err, context.Canceled):
		return ErrCancelled
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

// fillFromResponse reads the status and the OAuth error codes of a failed HTTP exchange.
func fillFromResponse(e *Error, call msalerrors.CallErr) {
	if call.Resp == nil {
		return
	}
	e.Status = call.Resp.StatusCode
	var body []byte
	if call.Resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(call.Resp.Body, maxErrorBody))
	}
	if len(bytes.TrimSpace(body)) == 0 && call.Err != nil {
		// MSAL's device-code poller reads the body itself to look for authorization_pending;
		// the same body ends MSAL's message, after its first line.
		if _, rest, ok := strings.Cut(call.Err.Error(), "\n"); ok {
			body = []byte(rest)
		}
	}
	e.Code, e.AADSTS = oauthErrorCodes(body)
}

// oauthErrorCodes reads {"error": "...", "error_codes": [n, ...]} from an error body. Only
// these two fields are kept; the description and anything else stay out.
func oauthErrorCodes(body []byte) (code string, aadsts int) {
	var v struct {
		Error      string `json:"error"`
		ErrorCodes []int  `json:"error_codes"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "", 0
	}
	if isOAuthCode(v.Error) {
		code = v.Error
	}
	if len(v.ErrorCodes) > 0 && v.ErrorCodes[0] > 0 {
		aadsts = v.ErrorCodes[0]
	}
	return code, aadsts
}

// isOAuthCode accepts the shape of OAuth error codes (lower case and underscores), so nothing
// else a server puts there can reach an error string.
func isOAuthCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z') && r != '_' {
			return false
		}
	}
	return true
}

func aadstsNumber(text string) int {
	m := aadstsPattern.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

// errorf builds an *Error of a kind for failures found on this side.
func errorf(op string, kind error) *Error {
	return &Error{Op: op, Kind: kind}
}
