// Package entra is the sandbox's Entra ID authority: a faithful fake of the Microsoft identity platform
// v2.0 endpoints that MSAL for Go (and msal-node) use for a public client.
//
// It serves, under /{tenant}/ (the world's tenant GUID or domain, or organizations or common):
//
//	GET       v2.0/.well-known/openid-configuration   the OpenID Connect discovery document
//	GET       discovery/v2.0/keys                     the JWKS that signs id_tokens and access tokens (RS256)
//	GET,POST  oauth2/v2.0/authorize                   a page that lists the sandbox technicians; picking one
//	                                                  answers the client with an authorization code
//	POST      oauth2/v2.0/devicecode                  a device code and its user code
//	POST      oauth2/v2.0/token                       authorization_code (PKCE S256), refresh_token, device_code
//	GET       oauth2/v2.0/logout                      the end-session page
//
// and, at the root, GET/POST /devicelogin (enter a user code and pick a technician) and GET /error
// (the AADSTS lookup page that error_uri points to). The base URL of every endpoint is taken from the
// request ("https://" + Host), so the handler works on any port; the caller serves it over TLS.
//
// Tokens: access tokens are RS256 JWTs shaped like v2.0 tokens, but what counts is the server-side
// record behind each one, which Principal reads; id_tokens carry the claims MSAL reads (oid,
// preferred_username, name, tid, sub…) and client_info is base64url without padding of {"uid","utid"}.
// Refresh tokens are opaque. Every value that could be a secret is random from crypto/rand, and nothing
// is logged.
//
// Choices where the references are unconfirmed:
//   - Granted scope: the resource scope alone, as the client asked for it ("<resource>/user_impersonation"),
//     without openid/profile/offline_access. A "<resource>/.default" request is granted as
//     "<resource>/user_impersonation <resource>/.default". Only those two permissions exist; any other
//     scope, a request naming no resource, or two resources is invalid_scope (AADSTS70011 / AADSTS700022).
//   - id_token is returned only when openid was asked for, refresh_token only with offline_access, and
//     client_info only with client_info=1, as the v2.0 protocol documents say. ext_expires_in equals
//     expires_in.
//   - Access tokens are JWTs with v2.0 claims (aud = the resource, scp = user_impersonation, iss = this
//     authority); real Dataverse tokens are v1.0 JWTs issued by sts.windows.net. Clients must treat
//     them as opaque anyway.
//   - A device code lives 15 minutes (expires_in 900) and asks for a 1-second interval (the real one
//     asks for 5). AutoApproveDevice answers authorization_pending to the first poll and approves on the
//     second. slow_down is only sent when Options.EnforcePollInterval is set: the Microsoft documentation
//     lists authorization_pending, authorization_declined, bad_verification_code and expired_token only.
//     A declined sign-in answers authorization_declined (the documented Entra name; RFC 8628 says
//     access_denied) with AADSTS65004; an unknown or already redeemed device code answers
//     bad_verification_code (AADSTS70018).
//   - Authorization codes live 10 minutes and are burnt by the first redemption attempt, successful or
//     not. PKCE is required with S256 (Entra also accepts plain and no PKCE for public clients; the
//     sandbox refuses both so that a client that forgets PKCE fails here). A redirect_uri that differs
//     from the authorize request's is invalid_grant AADSTS500112.
//   - Redirect URIs: http://localhost or http://127.0.0.1, any port, no path, query or fragment (Entra's
//     rule for a registered "http://localhost"). Unknown tenant, missing or malformed client_id and a bad
//     redirect_uri are shown as an error page; every later authorize error is sent to the redirect URI
//     with the request's response_mode, as Entra does. Any GUID is an accepted client ID.
//   - The form_post page also carries session_state (a GUID), as Entra's does.
//   - Error AADSTS numbers and texts follow Microsoft's error-code reference; where it has no entry for a
//     sandbox-only rule (S256 only, unsupported prompt) AADSTS90023 "invalid request" is used.
//   - The discovery document leaves out the endpoints of other services (userinfo on Graph, kerberos,
//     rbac_url), so that nothing a client reads from it leads out of the sandbox.
//   - common is accepted like organizations (Entra serves both); consumers and any other tenant answer
//     invalid_tenant AADSTS90002, as there are no personal accounts here.
//   - The correlation ID of answers is the client's client-request-id (header or query) when it is a GUID.
//   - Old refresh tokens stay valid after a refresh (they are not single-use in Entra for public
//     clients); RevokeAll ends them all (invalid_grant AADSTS50173).
package entra

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// Options tune the authority. The zero value suits a person trying the app.
type Options struct {
	AccessTokenTTL      time.Duration    // lifetime of access tokens; default 1 hour
	AutoApproveDevice   bool             // approve a device code on its second poll (the first answers authorization_pending), as DeviceUser
	DeviceUser          string           // technician for AutoApproveDevice (key or e-mail); default the first; an unknown one approves nothing
	EnforcePollInterval bool             // answer slow_down to a device-code poll sooner than the interval
	Now                 func() time.Time // the clock; default time.Now
}

const (
	defaultAccessTokenTTL = time.Hour
	codeLifetime          = 10 * time.Minute
	deviceCodeLifetime    = 15 * time.Minute
	devicePollInterval    = 1 // seconds
	refreshTokenLifetime  = 90 * 24 * time.Hour
	maxFormBytes          = 64 << 10
)

// Errors returned by the in-process operations.
var (
	ErrUnknownTechnician = errors.New("entra: no such technician")
	ErrUnknownUserCode   = errors.New("entra: that code didn't work; check the code and try again")
	ErrDeviceCodeExpired = errors.New("entra: the code has expired; get a new code from the device and try again")
	ErrDeviceFlowDone    = errors.New("entra: the request was already authorized or declined")
)

// Server is the fake authority. It is safe for concurrent use.
type Server struct {
	world   *world.World
	opts    Options
	key     *signingKey
	handler http.Handler

	mu        sync.Mutex
	codes     map[string]*authCode
	devices   map[string]*deviceFlow // by device_code
	userCodes map[string]string      // user_code → device_code
	access    map[string]*accessRecord
	refresh   map[string]*refreshRecord
	lastSweep time.Time
}

// Principal says whom an access token belongs to.
type Principal struct {
	Technician world.Technician
	Audience   string   // the resource, e.g. https://127.0.0.1:4443
	Scopes     []string // the token's scp values, e.g. user_impersonation
	ExpiresAt  time.Time
}

// New builds the authority for the world's organisation.
func New(w *world.World, opts Options) *Server {
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = defaultAccessTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DeviceUser == "" && len(w.Technicians) > 0 {
		opts.DeviceUser = w.Technicians[0].Key
	}
	s := &Server{
		world:     w,
		opts:      opts,
		key:       processSigningKey(),
		codes:     map[string]*authCode{},
		devices:   map[string]*deviceFlow{},
		userCodes: map[string]string{},
		access:    map[string]*accessRecord{},
		refresh:   map[string]*refreshRecord{},
	}
	s.handler = s.routes()
	return s
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenIDConfiguration)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleKeys)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/authorize", s.handleAuthorize)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/devicecode", s.handleDeviceCode)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/token", s.handleToken)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/logout", s.handleLogout)
	mux.HandleFunc("/devicelogin", s.handleDeviceLogin)
	mux.HandleFunc("GET /error", s.handleErrorLookup)
	return mux
}

// ServeHTTP serves the authority's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Principal says whom an access token belongs to; false if the token is unknown, revoked or expired.
func (s *Server) Principal(accessToken string) (Principal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.access[accessToken]
	if !ok || rec.revoked || rec.expired || !s.opts.Now().Before(rec.expiresAt) {
		return Principal{}, false
	}
	return Principal{
		Technician: rec.tech,
		Audience:   rec.audience,
		Scopes:     append([]string(nil), rec.scopes...),
		ExpiresAt:  rec.expiresAt,
	}, true
}

// ExpireAccessTokens makes every access token issued so far expired, so that clients must refresh.
// Tokens issued afterwards are unaffected.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.access {
		rec.expired = true
	}
}

// RevokeAll invalidates every access and refresh token issued so far: refreshing answers invalid_grant.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.access {
		rec.revoked = true
	}
	for _, rec := range s.refresh {
		rec.revoked = true
	}
}

// technician finds a technician by key (or any identifier world.Technician accepts).
func (s *Server) technician(id string) (world.Technician, bool) {
	id = strings.TrimSpace(id)
	if id == "" {
		return world.Technician{}, false
	}
	return s.world.Technician(id)
}

// tenantRef is a tenant named in a path, resolved.
type tenantRef struct {
	segment  string // what the endpoints put after the host: the tenant GUID, or organizations/common
	concrete bool   // false for organizations and common
}

// resolveTenant accepts the world's tenant GUID or domain (any case), organizations and common.
func (s *Server) resolveTenant(name string) (tenantRef, bool) {
	org := s.world.Org
	switch {
	case strings.EqualFold(name, org.TenantID), strings.EqualFold(name, org.TenantDomain):
		return tenantRef{segment: org.TenantID, concrete: true}, true
	case strings.EqualFold(name, "organizations"), strings.EqualFold(name, "common"):
		return tenantRef{segment: strings.ToLower(name)}, true
	}
	return tenantRef{}, false
}

// baseURL is the authority's origin as the client reached it.
func baseURL(r *http.Request) string {
	return "https://" + r.Host
}

// issuer is the iss of every token and of the discovery document for a concrete tenant.
func (s *Server) issuer(base string) string {
	return base + "/" + s.world.Org.TenantID + "/v2.0"
}
