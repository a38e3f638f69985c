package entra

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// authCode is an issued authorization code.
type authCode struct {
	tech        world.Technician
	clientID    string
	redirectURI string
	challenge   string
	scopes      scopeRequest
	nonce       string
	expiresAt   time.Time
	used        bool
}

// authorizeRequest is a checked authorization request.
type authorizeRequest struct {
	clientID     string
	redirectURI  string
	responseMode string // form_post, query or fragment
	state        string
	nonce        string
	loginHint    string
	prompt       string
	challenge    string
	scopes       scopeRequest
}

// authorizeError is a refused authorization request. Until the redirect URI is known to be safe the
// error is shown to the user; after that it goes back to the client, as Entra does.
type authorizeError struct {
	*Error
	toClient bool
}

func pageError(e *Error) *authorizeError   { return &authorizeError{Error: e} }
func clientError(e *Error) *authorizeError { return &authorizeError{Error: e, toClient: true} }

// parseAuthorizeRequest checks the parameters of an authorization request. On error the request is
// filled in as far as it was read, so that a client error can be sent to its redirect URI.
func parseAuthorizeRequest(q url.Values) (authorizeRequest, *authorizeError) {
	var req authorizeRequest
	if e := checkNoDuplicates(q); e != nil {
		return req, pageError(e)
	}
	if req.clientID = q.Get("client_id"); req.clientID == "" {
		return req, pageError(errMissingParameter("client_id"))
	}
	if !isGUID(req.clientID) {
		return req, pageError(newError("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory.", req.clientID))
	}
	if e := checkRedirectURI(q.Get("redirect_uri")); e != nil {
		return req, pageError(e)
	}
	req.redirectURI = q.Get("redirect_uri")
	switch req.responseMode = q.Get("response_mode"); req.responseMode {
	case "":
		req.responseMode = "query"
	case "query", "fragment", "form_post":
	default:
		return req, pageError(newError("invalid_request", 70007, "The response_mode '%s' is not supported.", req.responseMode))
	}
	req.state, req.nonce, req.loginHint = q.Get("state"), q.Get("nonce"), q.Get("login_hint")
	ae := req.checkClientParameters(q)
	return req, ae
}

// checkClientParameters checks what, once wrong, is reported to the client at its redirect URI.
func (req *authorizeRequest) checkClientParameters(q url.Values) *authorizeError {
	if rt := q.Get("response_type"); rt != "code" {
		if rt == "" {
			return clientError(errMissingParameter("response_type"))
		}
		return clientError(newError("unsupported_response_type", 70005, "The provided value for the input parameter "+
			"'response_type' is not allowed for this client. Expected value is 'code'."))
	}
	scopes, e := parseScopes(q.Get("scope"))
	if e != nil {
		return clientError(e)
	}
	req.scopes = scopes
	if e := checkChallenge(q.Get("code_challenge"), q.Get("code_challenge_method")); e != nil {
		return clientError(e)
	}
	req.challenge = q.Get("code_challenge")
	switch req.prompt = q.Get("prompt"); req.prompt {
	case "", "login", "select_account", "consent", "create":
	case "none":
		return clientError(newError("login_required", 50058, "A silent sign-in request was sent but no user is signed in."))
	default:
		return clientError(newError("invalid_request", 90023, "Unsupported 'prompt' value '%s'.", req.prompt))
	}
	return nil
}

// checkChallenge requires PKCE with S256 and a challenge of the size SHA-256 gives.
func checkChallenge(challenge, method string) *Error {
	switch {
	case challenge == "":
		return newError("invalid_request", 50147, "The code_challenge parameter is missing; the sandbox requires PKCE.")
	case method != "S256":
		return newError("invalid_request", 90023, "Invalid request. code_challenge_method '%s' is not supported; use S256.", method)
	case len(challenge) != 43 || !isUnreserved(challenge):
		return newError("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
	}
	return nil
}

// checkRedirectURI accepts what a registered "http://localhost" matches: http on localhost or
// 127.0.0.1, any port, nothing after the authority but an optional "/".
func checkRedirectURI(raw string) *Error {
	if raw == "" {
		return newError("invalid_request", 900971, "No reply address provided.")
	}
	mismatch := newError("invalid_request", 50011, "The redirect URI '%s' specified in the request does not match the "+
		"redirect URIs configured for the application. Make sure the redirect URI sent in the request matches one added "+
		"to your application in the Azure portal.", raw)
	u, err := url.Parse(raw)
	if err != nil || strings.ContainsAny(raw, "?#") || u.Scheme != "http" || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return mismatch
	}
	if u.Path != "" && u.Path != "/" {
		return mismatch
	}
	if host := u.Hostname(); !strings.EqualFold(host, "localhost") && host != "127.0.0.1" {
		return mismatch
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return mismatch
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return mismatch
	}
	return nil
}

// handleAuthorize is GET and POST /{tenant}/oauth2/v2.0/authorize: the request comes in the query; the
// page's POST adds the technician picked (or cancel) in the body.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	ids := newRequestIDs(r)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.showError(w, r, ids, http.StatusMethodNotAllowed, errMethod("GET, POST", r.Method))
		return
	}
	tenant := r.PathValue("tenant")
	if _, ok := s.resolveTenant(tenant); !ok {
		s.showError(w, r, ids, http.StatusBadRequest, errTenantNotFound(tenant))
		return
	}
	query := r.URL.Query()
	req, ae := parseAuthorizeRequest(query)
	switch {
	case ae != nil && !ae.toClient:
		s.showError(w, r, ids, http.StatusBadRequest, ae.Error)
	case ae != nil:
		s.deliver(w, req, s.errorForm(r, ids, req, ae.Error))
	case r.Method == http.MethodPost:
		s.handlePick(w, r, ids, req)
	default:
		s.showPicker(w, r, tenant, query, req)
	}
}

// handlePick answers the picker page's POST: a code for the technician chosen, or access_denied.
func (s *Server) handlePick(w http.ResponseWriter, r *http.Request, ids requestIDs, req authorizeRequest) {
	form, e := parseFormBody(r)
	if e != nil {
		s.showError(w, r, ids, http.StatusBadRequest, e)
		return
	}
	if form.Get("cancel") != "" {
		s.deliver(w, req, s.errorForm(r, ids, req, newError("access_denied", 65004, "User declined to consent to access the app.")))
		return
	}
	tech, ok := s.technician(form.Get("technician"))
	if !ok {
		s.showError(w, r, ids, http.StatusBadRequest, newError("invalid_request", 50034,
			"The user account does not exist in the directory. To sign into this application, the account must be added to the directory."))
		return
	}
	s.deliver(w, req, s.codeForm(req, tech))
}

// codeForm issues a code and gives the parameters that carry it to the client.
func (s *Server) codeForm(req authorizeRequest, tech world.Technician) url.Values {
	code := "1.A" + randomToken(160)
	s.mu.Lock()
	now := s.opts.Now()
	s.sweepLocked(now)
	s.codes[code] = &authCode{
		tech: tech, clientID: req.clientID, redirectURI: req.redirectURI, challenge: req.challenge,
		scopes: req.scopes, nonce: req.nonce, expiresAt: now.Add(codeLifetime),
	}
	s.mu.Unlock()
	form := url.Values{"code": {code}}
	if req.state != "" {
		form.Set("state", req.state)
	}
	form.Set("session_state", newGUID())
	return form
}

// errorForm gives the parameters that carry an error to the client.
func (s *Server) errorForm(r *http.Request, ids requestIDs, req authorizeRequest, e *Error) url.Values {
	body := s.errorBody(r, ids, e)
	form := url.Values{"error": {body.Error}, "error_description": {body.ErrorDescription}, "error_uri": {body.ErrorURI}}
	if req.state != "" {
		form.Set("state", req.state)
	}
	return form
}

// deliver sends parameters to the client's redirect URI the way its response_mode asks.
func (s *Server) deliver(w http.ResponseWriter, req authorizeRequest, params url.Values) {
	noStore(w)
	switch req.responseMode {
	case "form_post":
		s.render(w, http.StatusOK, "form_post", formPostPage{Action: req.redirectURI, Fields: orderedFields(params)})
	case "fragment":
		w.Header().Set("Location", req.redirectURI+"#"+params.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		w.Header().Set("Location", req.redirectURI+"?"+params.Encode())
		w.WriteHeader(http.StatusFound)
	}
}

// IssueCode completes the authorize step in-process, for the app's built-in user picker: given the
// exact authorize URL MSAL produced and a technician key, it checks the request as the authorize
// endpoint does and returns where and what to POST (response_mode=form_post): the redirect URI and the
// form {code, state, session_state}.
//
// When the request is wrong in a way Entra reports to the client, the error is returned together with
// the redirect URI and the form that carries it {error, error_description, error_uri, state}: posting
// it ends the client's wait with that error. Other errors come back with no redirect URI.
func (s *Server) IssueCode(authorizeURL, techKey string) (redirectURI string, form url.Values, err error) {
	u, perr := url.Parse(authorizeURL)
	if perr != nil {
		return "", nil, fmt.Errorf("entra: authorize URL: %w", perr)
	}
	if e := s.checkAuthorizePath(u.EscapedPath()); e != nil {
		return "", nil, e
	}
	req, ae := parseAuthorizeRequest(u.Query())
	if ae != nil && ae.toClient {
		ids := requestIDs{trace: newGUID(), correlation: newGUID()}
		origin := &http.Request{Host: u.Host}
		return req.redirectURI, s.errorForm(origin, ids, req, ae.Error), ae.Error
	}
	if ae != nil {
		return "", nil, ae.Error
	}
	if req.responseMode != "form_post" {
		return "", nil, errors.New("entra: IssueCode answers response_mode=form_post requests only")
	}
	tech, ok := s.technician(techKey)
	if !ok {
		return "", nil, ErrUnknownTechnician
	}
	return req.redirectURI, s.codeForm(req, tech), nil
}

// checkAuthorizePath accepts /{tenant}/oauth2/v2.0/authorize for a tenant of this authority.
func (s *Server) checkAuthorizePath(escapedPath string) *Error {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(parts) != 4 || parts[1] != "oauth2" || parts[2] != "v2.0" || parts[3] != "authorize" {
		return newError("invalid_request", 90023, "'%s' is not this authority's authorization endpoint.", escapedPath)
	}
	tenant, err := url.PathUnescape(parts[0])
	if err != nil {
		tenant = parts[0]
	}
	if _, ok := s.resolveTenant(tenant); !ok {
		return errTenantNotFound(tenant)
	}
	return nil
}
