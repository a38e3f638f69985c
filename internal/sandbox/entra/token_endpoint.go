package entra

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
)

// deviceCodeGrantURN is the RFC 8628 grant type; MSAL sends the short form "device_code", and Entra takes both.
const deviceCodeGrantURN = "urn:ietf:params:oauth:grant-type:device_code"

// handleToken is POST /{tenant}/oauth2/v2.0/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, e := s.postForm(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	g, e := s.redeem(form, r.PathValue("tenant"))
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	resp, err := s.issue(baseURL(r), g, form.Get("client_info") == "1")
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.writeJSON(w, r, newRequestIDs(r), http.StatusOK, resp)
}

// postForm checks the method and tenant of a POST-only endpoint and reads its form body. Parameters in
// the URL are ignored, as Entra ignores them: codes and tokens travel in the body only.
func (s *Server) postForm(r *http.Request) (url.Values, *Error) {
	if r.Method != http.MethodPost {
		return nil, errMethod("POST, OPTIONS", r.Method)
	}
	if _, ok := s.resolveTenant(r.PathValue("tenant")); !ok {
		return nil, errTenantNotFound(r.PathValue("tenant"))
	}
	return parseFormBody(r)
}

// parseFormBody reads an application/x-www-form-urlencoded body and refuses repeated parameters.
func parseFormBody(r *http.Request) (url.Values, *Error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, newError("invalid_request", 90004, "The request is not properly formatted.")
	}
	if e := checkNoDuplicates(r.PostForm); e != nil {
		return nil, e
	}
	return r.PostForm, nil
}

// checkNoDuplicates refuses a parameter given twice; the first in name order is reported.
func checkNoDuplicates(v url.Values) *Error {
	names := make([]string, 0, len(v))
	for name, values := range v {
		if len(values) > 1 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return errDuplicateParameter(names[0])
}

// redeem checks the common parameters, then the grant.
func (s *Server) redeem(form url.Values, tenant string) (grant, *Error) {
	grantType := form.Get("grant_type")
	if grantType == "" {
		return grant{}, errMissingParameter("grant_type")
	}
	clientID, e := checkClientID(form.Get("client_id"), tenant)
	if e != nil {
		return grant{}, e
	}
	if form.Has("client_secret") || form.Has("client_assertion") {
		return grant{}, errPublicClientWithCredential()
	}
	switch grantType {
	case "authorization_code":
		return s.redeemCode(form, clientID)
	case "refresh_token":
		return s.redeemRefreshToken(form, clientID)
	case "device_code", deviceCodeGrantURN:
		return s.pollDevice(form, clientID)
	}
	return grant{}, errUnsupportedGrant(grantType)
}

// checkClientID accepts any GUID, as if every application were registered in the tenant.
func checkClientID(clientID, tenant string) (string, *Error) {
	if clientID == "" {
		return "", errMissingParameter("client_id")
	}
	if !isGUID(clientID) {
		return "", errUnknownClient(clientID, tenant)
	}
	return clientID, nil
}

// redeemCode redeems an authorization code. The code is burnt by the first attempt, whatever its outcome.
func (s *Server) redeemCode(form url.Values, clientID string) (grant, *Error) {
	code, redirectURI := form.Get("code"), form.Get("redirect_uri")
	if code == "" {
		return grant{}, errMissingParameter("code")
	}
	if redirectURI == "" {
		return grant{}, errMissingParameter("redirect_uri")
	}
	c, e := s.takeCode(code)
	if e != nil {
		return grant{}, e
	}
	switch {
	case c.clientID != clientID:
		return grant{}, errGrantOtherClient()
	case c.redirectURI != redirectURI:
		return grant{}, errReplyMismatch(redirectURI, c.redirectURI)
	case !pkceMatches(form.Get("code_verifier"), c.challenge):
		return grant{}, errPKCEMismatch()
	}
	scopes := c.scopes
	if raw := form.Get("scope"); raw != "" {
		if scopes, e = parseScopes(raw); e != nil {
			return grant{}, e
		}
	}
	return grant{tech: c.tech, clientID: clientID, scopes: scopes, nonce: c.nonce}, nil
}

// takeCode marks a code used and returns it, or says why it cannot be used.
func (s *Server) takeCode(code string) (authCode, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	switch {
	case !ok:
		return authCode{}, errMalformedGrant()
	case c.used:
		return authCode{}, errCodeRedeemed()
	}
	c.used = true
	if !s.opts.Now().Before(c.expiresAt) {
		return authCode{}, errGrantExpired()
	}
	return *c, nil
}

// pkceMatches checks an RFC 7636 verifier against an S256 challenge.
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || !isUnreserved(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(challenge)) == 1
}

// isUnreserved says whether s uses only RFC 3986 unreserved characters, the PKCE alphabet.
func isUnreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// redeemRefreshToken redeems a refresh token for the scope asked, which may name another resource.
func (s *Server) redeemRefreshToken(form url.Values, clientID string) (grant, *Error) {
	token := form.Get("refresh_token")
	if token == "" {
		return grant{}, errMissingParameter("refresh_token")
	}
	raw := form.Get("scope")
	if raw == "" {
		return grant{}, errMissingParameter("scope")
	}
	scopes, e := parseScopes(raw)
	if e != nil {
		return grant{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.refresh[token]
	switch {
	case !ok:
		return grant{}, errMalformedGrant()
	case rec.revoked:
		return grant{}, errRevoked()
	case !s.opts.Now().Before(rec.expiresAt):
		return grant{}, errGrantExpired()
	case rec.clientID != clientID:
		return grant{}, errGrantOtherClient()
	}
	return grant{tech: rec.tech, clientID: clientID, scopes: scopes}, nil
}
