package entra

import (
	"encoding/json"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// idTokenLifetime is the lifetime of id_tokens, whatever the access tokens' is.
const idTokenLifetime = time.Hour

// accessRecord is what the authority remembers about an access token.
type accessRecord struct {
	tech      world.Technician
	audience  string
	scopes    []string
	expiresAt time.Time
	expired   bool // set by ExpireAccessTokens
	revoked   bool // set by RevokeAll
}

// refreshRecord is what the authority remembers about a refresh token.
type refreshRecord struct {
	tech      world.Technician
	clientID  string
	expiresAt time.Time
	revoked   bool
}

// grant is a redeemed grant: who signed in, for which client, asking for what.
type grant struct {
	tech     world.Technician
	clientID string
	scopes   scopeRequest
	nonce    string
}

// tokenResponse is the token endpoint's answer, fields in the order Entra sends them.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ClientInfo   string `json:"client_info,omitempty"`
}

// accessClaims are the claims of an access token (v2.0 shape).
type accessClaims struct {
	Aud               string `json:"aud"`
	Iss               string `json:"iss"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Azp               string `json:"azp"`
	Azpacr            string `json:"azpacr"`
	Name              string `json:"name"`
	Oid               string `json:"oid"`
	PreferredUsername string `json:"preferred_username"`
	Scp               string `json:"scp"`
	Sub               string `json:"sub"`
	Tid               string `json:"tid"`
	Uti               string `json:"uti"`
	Ver               string `json:"ver"`
}

// idClaims are the claims of an id_token.
type idClaims struct {
	Aud               string `json:"aud"`
	Iss               string `json:"iss"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Name              string `json:"name"`
	Nonce             string `json:"nonce,omitempty"`
	Oid               string `json:"oid"`
	PreferredUsername string `json:"preferred_username"`
	Sub               string `json:"sub"`
	Tid               string `json:"tid"`
	Ver               string `json:"ver"`
}

// issue mints the tokens for a grant and remembers them. base is the authority origin the client used;
// withClientInfo is whether the client asked for client_info=1.
func (s *Server) issue(base string, g grant, withClientInfo bool) (tokenResponse, error) {
	now := s.opts.Now()
	ttl := s.opts.AccessTokenTTL
	at, err := s.key.sign(s.accessClaims(base, g, now, now.Add(ttl)))
	if err != nil {
		return tokenResponse{}, err
	}
	resp := tokenResponse{
		TokenType:    "Bearer",
		Scope:        g.scopes.granted(),
		ExpiresIn:    int64(ttl / time.Second),
		ExtExpiresIn: int64(ttl / time.Second),
		AccessToken:  at,
	}
	if g.scopes.oidc["openid"] {
		if resp.IDToken, err = s.key.sign(s.idClaims(base, g, now)); err != nil {
			return tokenResponse{}, err
		}
	}
	if withClientInfo {
		resp.ClientInfo = s.clientInfo(g.tech)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.access[at] = &accessRecord{tech: g.tech, audience: g.scopes.audience, scopes: scopeValues(), expiresAt: now.Add(ttl)}
	if g.scopes.oidc["offline_access"] {
		resp.RefreshToken = "1." + randomToken(96)
		s.refresh[resp.RefreshToken] = &refreshRecord{tech: g.tech, clientID: g.clientID, expiresAt: now.Add(refreshTokenLifetime)}
	}
	return resp, nil
}

func (s *Server) accessClaims(base string, g grant, now, exp time.Time) accessClaims {
	t := g.tech
	return accessClaims{
		Aud: g.scopes.audience, Iss: s.issuer(base),
		Iat: now.Unix(), Nbf: now.Unix(), Exp: exp.Unix(),
		Azp: g.clientID, Azpacr: "0",
		Name: t.Name, Oid: t.EntraOID, PreferredUsername: t.Email,
		Scp: permImpersonation, Sub: pairwiseSubject(t.EntraOID, g.scopes.audience),
		Tid: s.world.Org.TenantID, Uti: randomToken(16), Ver: "2.0",
	}
}

func (s *Server) idClaims(base string, g grant, now time.Time) idClaims {
	t := g.tech
	return idClaims{
		Aud: g.clientID, Iss: s.issuer(base),
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(idTokenLifetime).Unix(),
		Name: t.Name, Nonce: g.nonce, Oid: t.EntraOID, PreferredUsername: t.Email,
		Sub: pairwiseSubject(t.EntraOID, g.clientID), Tid: s.world.Org.TenantID, Ver: "2.0",
	}
}

// clientInfo is base64url without padding of {"uid":oid,"utid":tenant}: MSAL builds HomeAccountID from it.
func (s *Server) clientInfo(t world.Technician) string {
	b, _ := json.Marshal(struct {
		UID  string `json:"uid"`
		UTID string `json:"utid"`
	}{t.EntraOID, s.world.Org.TenantID})
	return b64(b)
}

// scopeValues are the scp values of every access token the sandbox issues.
func scopeValues() []string { return []string{permImpersonation} }

// sweepLocked forgets, at most once a minute, what can no longer be used, so that a long-running
// sandbox does not grow without end. Expired things are kept an hour so that Principal and the token
// endpoint still recognise them.
func (s *Server) sweepLocked(now time.Time) {
	const keep = time.Hour
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, rec := range s.access {
		if now.Sub(rec.expiresAt) > keep {
			delete(s.access, k)
		}
	}
	for k, rec := range s.refresh {
		if now.Sub(rec.expiresAt) > keep {
			delete(s.refresh, k)
		}
	}
	for k, c := range s.codes {
		if now.Sub(c.expiresAt) > keep {
			delete(s.codes, k)
		}
	}
	for k, f := range s.devices {
		if now.Sub(f.expiresAt) > keep {
			delete(s.devices, k)
			delete(s.userCodes, f.userCode)
		}
	}
}
