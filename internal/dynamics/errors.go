package dynamics

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrSignInRequired means the service refused the token even after a refresh, or the token source
// could not get one without the user: the user has to sign in again.
var ErrSignInRequired = errors.New("dynamics: sign-in required")

// ErrMalformed means a reply could not be decoded.
var ErrMalformed = errors.New("dynamics: the reply could not be read")

// ErrTooLarge means a reply was larger than Options.MaxBody.
var ErrTooLarge = errors.New("dynamics: the reply is too large")

// ErrNotFound means the record addressed does not exist (404 with the platform code 0x80040217,
// ObjectDoesNotExist). An *Error answering so matches it with errors.Is.
var ErrNotFound = errors.New("dynamics: no such record")

// ErrAccessDenied means the user lacks a privilege the request needs: a 403, such as the platform's
// PrivilegeDenied (0x80040220) for a customization without the System Customizer role. An *Error
// answering so matches it with errors.Is.
var ErrAccessDenied = errors.New("dynamics: access denied")

// ErrAlreadyResolved means a case could not be resolved because it already is.
var ErrAlreadyResolved = errors.New("dynamics: the case is already resolved")

// Platform error codes the client tells apart.
const (
	codeNotFound        = "0x80040217" // ObjectDoesNotExist
	codePrivilegeDenied = "0x80040220" // PrivilegeDenied: SecLib::CheckPrivilege failed
)

// Error is an error answered by the Web API.
type Error struct {
	Status  int    // HTTP status
	Code    string // error.code, often a hex code such as 0x80040217; may be empty
	Message string // error.message, on one line
}

// Error returns one line, e.g.
// "Dynamics refused the request (404 0x80040217): incident With Id = … Does Not Exist".
func (e *Error) Error() string {
	id := fmt.Sprint(e.Status)
	if e.Code != "" {
		id += " " + e.Code
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if msg == "" {
		return fmt.Sprintf("%s (%s)", e.lead(), id)
	}
	return fmt.Sprintf("%s (%s): %s", e.lead(), id, msg)
}

// Is makes a missing record match ErrNotFound. A 404 with another code, such as an unknown entity
// set, does not: that is a setting to fix, not a record to create.
//
// A 403, or the PrivilegeDenied code under any status, matches ErrAccessDenied.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound && e.Code == codeNotFound
	case ErrAccessDenied:
		return e.Status == http.StatusForbidden || e.Code == codePrivilegeDenied
	}
	return false
}

func (e *Error) lead() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "Dynamics did not accept the sign-in"
	case e.Status == http.StatusForbidden:
		return "Dynamics denied access"
	case e.Status == http.StatusTooManyRequests:
		return "Dynamics is busy"
	case e.Status >= 500:
		return "Dynamics failed to answer"
	}
	return "Dynamics refused the request"
}

// maxErrorBody bounds what is read of an error reply: its message is all that is kept.
const maxErrorBody = 64 << 10

// maxMessage bounds the message kept from an error reply, in runes.
const maxMessage = 300

// readError turns an error reply into an *Error. The body is used only when it is the documented
// {"error":{"code","message"}} object; the token, should a server echo it, is blanked out.
func readError(resp *http.Response, token string) *Error {
	e := &Error{Status: resp.StatusCode}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&body) == nil {
		e.Code = oneLine(body.Error.Code, 40, token)
		e.Message = oneLine(body.Error.Message, maxMessage, token)
	}
	return e
}

// oneLine folds whitespace and control characters into single spaces and cuts the text to max runes.
func oneLine(s string, max int, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "…")
	}
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if n+need > max {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// malformed wraps a decoding problem in ErrMalformed.
func malformed(what string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}
