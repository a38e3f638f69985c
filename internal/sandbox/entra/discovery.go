package entra

import (
	"encoding/base64"
	"math/big"
	"net/http"
)

// openIDConfiguration is the discovery document, fields in the order Entra sends them.
type openIDConfiguration struct {
	TokenEndpoint                     string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	Issuer                            string   `json:"issuer"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported               bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ClaimsSupported                   []string `json:"claims_supported"`
	TenantRegionScope                 *string  `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	CloudGraphHostName                string   `json:"cloud_graph_host_name"`
	MSGraphHost                       string   `json:"msgraph_host"`
}

// handleOpenIDConfiguration is GET /{tenant}/v2.0/.well-known/openid-configuration. For a tenant named
// by GUID or domain every URL carries the GUID; for organizations and common the endpoints keep that
// word and the issuer has Entra's {tenantid} placeholder.
func (s *Server) handleOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant, ok := s.resolveTenant(r.PathValue("tenant"))
	if !ok {
		s.writeError(w, r, errTenantNotFound(r.PathValue("tenant")))
		return
	}
	base := baseURL(r)
	prefix := base + "/" + tenant.segment
	issuer := base + "/{tenantid}/v2.0"
	var region *string
	if tenant.concrete {
		issuer = s.issuer(base)
		eu := "EU"
		region = &eu
	}
	s.writeJSON(w, r, newRequestIDs(r), http.StatusOK, openIDConfiguration{
		TokenEndpoint:                     prefix + "/oauth2/v2.0/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		JWKSURI:                           prefix + "/discovery/v2.0/keys",
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "id_token token"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
		Issuer:                            issuer,
		AuthorizationEndpoint:             prefix + "/oauth2/v2.0/authorize",
		DeviceAuthorizationEndpoint:       prefix + "/oauth2/v2.0/devicecode",
		HTTPLogoutSupported:               true,
		FrontchannelLogoutSupported:       true,
		EndSessionEndpoint:                prefix + "/oauth2/v2.0/logout",
		ClaimsSupported: []string{
			"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
			"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver",
			"at_hash", "c_hash", "email",
		},
		TenantRegionScope:  region,
		CloudInstanceName:  "microsoftonline.com",
		CloudGraphHostName: "graph.windows.net",
		MSGraphHost:        "graph.microsoft.com",
	})
}

// jwk is one key of the JWKS, as Entra publishes it.
type jwk struct {
	Kty               string   `json:"kty"`
	Use               string   `json:"use"`
	Kid               string   `json:"kid"`
	X5t               string   `json:"x5t"`
	N                 string   `json:"n"`
	E                 string   `json:"e"`
	X5c               []string `json:"x5c"`
	CloudInstanceName string   `json:"cloud_instance_name"`
	Issuer            string   `json:"issuer"`
}

// handleKeys is GET /{tenant}/discovery/v2.0/keys.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	tenant, ok := s.resolveTenant(r.PathValue("tenant"))
	if !ok {
		s.writeError(w, r, errTenantNotFound(r.PathValue("tenant")))
		return
	}
	issuer := baseURL(r) + "/{tenantid}/v2.0"
	if tenant.concrete {
		issuer = s.issuer(baseURL(r))
	}
	pub := s.key.private.PublicKey
	key := jwk{
		Kty: "RSA", Use: "sig", Kid: s.key.kid, X5t: s.key.kid,
		N:   b64(pub.N.Bytes()),
		E:   b64(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(s.key.certDER)},

		CloudInstanceName: "microsoftonline.com",
		Issuer:            issuer,
	}
	s.writeJSON(w, r, newRequestIDs(r), http.StatusOK, map[string][]jwk{"keys": {key}})
}
