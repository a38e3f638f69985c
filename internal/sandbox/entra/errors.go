package entra

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Error is an OAuth error as the authority reports it: the OAuth error code, and the AADSTS number
// and text that Entra puts at the start of error_description.
type Error struct {
	Code    string // OAuth error, e.g. invalid_grant
	AADSTS  int    // e.g. 54005
	Message string // the text after "AADSTSnnnn: "
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("entra: %s: AADSTS%d: %s", e.Code, e.AADSTS, e.Message)
}

func newError(code string, aadsts int, format string, args ...any) *Error {
	return &Error{Code: code, AADSTS: aadsts, Message: fmt.Sprintf(format, args...)}
}

// The errors the endpoints answer with. Numbers and texts follow Microsoft's AADSTS reference.
func errTenantNotFound(tenant string) *Error {
	return newError("invalid_tenant", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are "+
		"signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active "+
		"subscriptions for the tenant.", tenant)
}

func errMissingParameter(name string) *Error {
	return newError("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

func errDuplicateParameter(name string) *Error {
	return newError("invalid_request", 9000411, "The request is not properly formatted. The parameter '%s' is duplicated.", name)
}

func errMethod(allowed, method string) *Error {
	return newError("invalid_request", 900561, "The endpoint only accepts %s requests. Received a %s request.", allowed, method)
}

func errUnknownClient(clientID, tenant string) *Error {
	return newError("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. "+
		"This can happen if the application has not been installed by the administrator of the tenant or consented to by "+
		"any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant)
}

func errPublicClientWithCredential() *Error {
	return newError("invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
}

func errUnsupportedGrant(grant string) *Error {
	return newError("unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", grant)
}

func errInvalidScope(scope string) *Error {
	return newError("invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope '%s' is not valid.", scope)
}

func errMultipleResources(scope string) *Error {
	return newError("invalid_scope", 700022, "The provided value for the input parameter scope is not valid because it contains "+
		"more than one resource. Scope %s is not valid.", scope)
}

func errMalformedGrant() *Error {
	return newError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
}

func errGrantOtherClient() *Error {
	return newError("invalid_grant", 70000, "The provided grant was issued to a different client application.")
}

func errCodeRedeemed() *Error {
	return newError("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code "+
		"or use an existing refresh token.")
}

func errGrantExpired() *Error {
	return newError("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. "+
		"Send a new interactive authorization request for this user and resource.")
}

func errReplyMismatch(got, want string) *Error {
	return newError("invalid_grant", 500112, "The reply address '%s' does not match the reply address '%s' provided when "+
		"requesting Authorization code.", got, want)
}

func errPKCEMismatch() *Error {
	return newError("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
}

func errRevoked() *Error {
	return newError("invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. "+
		"The user might have changed or reset their password.")
}

func errAuthorizationPending() *Error {
	return newError("authorization_pending", 70016, "The provided request has not yet been authorized by the user. "+
		"The user must input their code.")
}

func errSlowDown() *Error {
	return newError("slow_down", 70016, "The client is polling too frequently. Wait for the interval before polling again.")
}

func errBadVerificationCode() *Error {
	return newError("bad_verification_code", 70018, "The provided value for the input parameter 'device_code' is not valid.")
}

func errDeviceCodeExpired() *Error {
	return newError("expired_token", 70019, "The provided value for the input parameter 'device_code' is not valid. Device code expired.")
}

func errDeviceDeclined() *Error {
	return newError("authorization_declined", 65004, "User declined to consent to access the app.")
}

// errorBody is Entra's error JSON, fields in the order Entra sends them.
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri"`
}

// requestIDs are the trace and correlation IDs Entra stamps on every answer.
type requestIDs struct {
	trace, correlation string
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidPattern.MatchString(s) }

// newRequestIDs takes the client's client-request-id (MSAL for Go sends it as a header, msal-node in
// the query) as the correlation ID, as Entra does, when it is a GUID.
func newRequestIDs(r *http.Request) requestIDs {
	ids := requestIDs{trace: newGUID(), correlation: clientRequestID(r)}
	if !isGUID(ids.correlation) {
		ids.correlation = newGUID()
	}
	return ids
}

func clientRequestID(r *http.Request) string {
	if id := r.Header.Get("client-request-id"); id != "" {
		return id
	}
	return r.URL.Query().Get("client-request-id")
}

// entraTimestamp is the timestamp format of error bodies.
func entraTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func (s *Server) errorBody(r *http.Request, ids requestIDs, e *Error) errorBody {
	ts := entraTimestamp(s.opts.Now())
	return errorBody{
		Error: e.Code,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.AADSTS, e.Message, ids.trace, ids.correlation, ts),
		ErrorCodes:    []int{e.AADSTS},
		Timestamp:     ts,
		TraceID:       ids.trace,
		CorrelationID: ids.correlation,
		ErrorURI:      baseURL(r) + "/error?code=" + strconv.Itoa(e.AADSTS),
	}
}

// writeError answers a JSON endpoint's error with HTTP 400 and Entra's error body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	ids := newRequestIDs(r)
	s.writeJSON(w, r, ids, http.StatusBadRequest, s.errorBody(r, ids, e))
}

// writeJSON sends a JSON answer with the headers Entra's token endpoints send.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, ids requestIDs, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("x-ms-request-id", ids.trace)
	if ids.correlation == clientRequestID(r) {
		h.Set("client-request-id", ids.correlation)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
