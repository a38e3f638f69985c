package entra

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenIDConfiguration(t *testing.T) {
	f := newFixture(t, Options{})
	guid := f.tenant()
	tests := []struct {
		name, tenant, segment, issuer string
	}{
		{"tenant GUID", guid, guid, "/" + guid + "/v2.0"},
		{"GUID in upper case", strings.ToUpper(guid), guid, "/" + guid + "/v2.0"},
		{"tenant domain", "Contoso-Helpdesk.example", guid, "/" + guid + "/v2.0"},
		{"organizations", "organizations", "organizations", "/{tenantid}/v2.0"},
		{"common", "common", "common", "/{tenantid}/v2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, doc, body := f.get(t, "/"+tt.tenant+"/v2.0/.well-known/openid-configuration")
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			prefix := f.srv.URL + "/" + tt.segment
			want := map[string]string{
				"issuer":                        f.srv.URL + tt.issuer,
				"authorization_endpoint":        prefix + "/oauth2/v2.0/authorize",
				"token_endpoint":                prefix + "/oauth2/v2.0/token",
				"device_authorization_endpoint": prefix + "/oauth2/v2.0/devicecode",
				"jwks_uri":                      prefix + "/discovery/v2.0/keys",
				"end_session_endpoint":          prefix + "/oauth2/v2.0/logout",
			}
			for k, v := range want {
				if doc[k] != v {
					t.Errorf("%s = %v, want %s", k, doc[k], v)
				}
			}
			// MSAL derives the device-code endpoint from the token endpoint.
			if got := strings.ReplaceAll(doc["token_endpoint"].(string), "token", "devicecode"); got != doc["device_authorization_endpoint"] {
				t.Errorf("token endpoint with token→devicecode = %s", got)
			}
			if !slices.Contains(anyStrings(doc["response_modes_supported"]), "form_post") {
				t.Errorf("response_modes_supported = %v", doc["response_modes_supported"])
			}
			if _, ok := doc["userinfo_endpoint"]; ok {
				t.Error("the document points outside the sandbox (userinfo_endpoint)")
			}
		})
	}
}

func TestUnknownTenantIsRefusedEverywhere(t *testing.T) {
	f := newFixture(t, Options{})
	paths := []struct{ method, path string }{
		{"GET", "/fabrikam.example/v2.0/.well-known/openid-configuration"},
		{"GET", "/consumers/discovery/v2.0/keys"},
		{"POST", "/fabrikam.example/oauth2/v2.0/devicecode"},
		{"POST", "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token"},
	}
	for _, p := range paths {
		t.Run(p.path, func(t *testing.T) {
			var status int
			var m map[string]any
			if p.method == "GET" {
				status, m, _ = f.get(t, p.path)
			} else {
				status, m, _ = f.post(t, p.path, url.Values{"client_id": {testClientID}, "scope": {testScope}, "grant_type": {"device_code"}})
			}
			assertOAuthError(t, status, m, "invalid_tenant", 90002)
		})
	}
	t.Run("authorize page", func(t *testing.T) {
		_, challenge := pkcePair()
		resp := noRedirectGet(t, f, "/fabrikam.example/oauth2/v2.0/authorize?"+authorizeQuery(challenge, "http://localhost:5000").Encode())
		if resp.status != http.StatusBadRequest || resp.location != "" || !strings.Contains(resp.body, "AADSTS90002: Tenant &#39;fabrikam.example&#39; not found.") {
			t.Errorf("authorize for an unknown tenant: %d %q\n%s", resp.status, resp.location, resp.body)
		}
	})
}

func TestJWKSVerifiesTheIDToken(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{AutoApproveDevice: true, DeviceUser: "jordan", Now: clock.Now})
	tok := f.deviceSignIn(t, testScope+" openid profile offline_access", url.Values{"client_info": {"1"}})
	idToken := tok["id_token"].(string)

	_, jwks, _ := f.get(t, "/"+f.tenant()+"/discovery/v2.0/keys")
	keys := jwks["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys = %v", keys)
	}
	key := keys[0].(map[string]any)
	header := jwtPart(t, idToken, 0)
	if header["alg"] != "RS256" || header["kid"] != key["kid"] || key["x5t"] != key["kid"] || key["kty"] != "RSA" || key["use"] != "sig" {
		t.Errorf("header %v does not match key %v", header, key)
	}
	if err := verifyRS256(idToken, key); err != nil {
		t.Errorf("id_token signature: %v", err)
	}
	if err := verifyRS256(tok["access_token"].(string), key); err != nil {
		t.Errorf("access token signature: %v", err)
	}

	jordan := f.tech("jordan")
	claims := jwtPart(t, idToken, 1)
	want := map[string]any{
		"aud": testClientID, "iss": f.srv.URL + "/" + f.tenant() + "/v2.0",
		"iat": float64(seedTime.Unix()), "nbf": float64(seedTime.Unix()), "exp": float64(seedTime.Add(time.Hour).Unix()),
		"name": "Jordan O'Neill", "oid": jordan.EntraOID, "preferred_username": "jordan@contoso-helpdesk.example",
		"tid": f.tenant(), "ver": "2.0",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("id_token %s = %v, want %v", k, claims[k], v)
		}
	}
	if sub, _ := claims["sub"].(string); len(sub) != 43 || sub == jordan.EntraOID {
		t.Errorf("sub = %q, want a 43-character pairwise identifier", sub)
	}
	if _, ok := claims["nonce"]; ok {
		t.Error("nonce in an id_token no request asked a nonce for")
	}

	raw, err := base64.RawURLEncoding.DecodeString(tok["client_info"].(string))
	if err != nil {
		t.Fatalf("client_info is not base64url without padding: %v", err)
	}
	if want := `{"uid":"` + jordan.EntraOID + `","utid":"` + f.tenant() + `"}`; string(raw) != want {
		t.Errorf("client_info = %s, want %s", raw, want)
	}

	at := jwtPart(t, tok["access_token"].(string), 1)
	if at["aud"] != testResource || at["scp"] != "user_impersonation" || at["azp"] != testClientID || at["oid"] != jordan.EntraOID {
		t.Errorf("access token claims = %v", at)
	}
}

func TestTokenResponseFields(t *testing.T) {
	f := newFixture(t, Options{AutoApproveDevice: true})
	t.Run("everything MSAL asks for", func(t *testing.T) {
		tok := f.deviceSignIn(t, testScope+" openid offline_access profile", url.Values{"client_info": {"1"}})
		assertKeys(t, tok, "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info")
		if tok["token_type"] != "Bearer" || tok["scope"] != testScope || tok["expires_in"] != 3600.0 || tok["ext_expires_in"] != 3600.0 {
			t.Errorf("token response = %v", redacted(tok))
		}
	})
	t.Run("resource scope alone", func(t *testing.T) {
		tok := f.deviceSignIn(t, testScope, nil)
		assertKeys(t, tok, "token_type", "scope", "expires_in", "ext_expires_in", "access_token")
	})
	t.Run(".default", func(t *testing.T) {
		tok := f.deviceSignIn(t, "https://ORG.example//.default openid", nil)
		if tok["scope"] != "https://ORG.example//user_impersonation https://ORG.example//.default" {
			t.Errorf("scope = %v", tok["scope"])
		}
		p, ok := f.s.Principal(tok["access_token"].(string))
		if !ok || p.Audience != "https://org.example" {
			t.Errorf("Principal = %+v, %v", p, ok)
		}
	})
	t.Run("field order", func(t *testing.T) {
		status, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope + " openid offline_access"}})
		if status != http.StatusOK {
			t.Fatal(status)
		}
		poll := url.Values{"grant_type": {deviceCodeGrantURN}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}, "client_info": {"1"}}
		f.post(t, f.tokenPath(), poll)
		_, _, body := f.post(t, f.tokenPath(), poll)
		want := []string{"token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info"}
		if got := jsonKeys(t, body); !slices.Equal(got, want) {
			t.Errorf("keys = %v, want %v", got, want)
		}
	})
}

func TestDeviceCodeResponse(t *testing.T) {
	f := newFixture(t, Options{})
	status, dc, body := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope + " openid profile offline_access"}})
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	if got, want := jsonKeys(t, body), []string{"user_code", "device_code", "verification_uri", "expires_in", "interval", "message"}; !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	code := dc["user_code"].(string)
	if len(code) != 8 || strings.Trim(code, userCodeAlphabet) != "" {
		t.Errorf("user_code = %q", code)
	}
	verify := f.srv.URL + "/devicelogin"
	wantMsg := "To sign in, use a web browser to open the page " + verify + " and enter the code " + code + " to authenticate."
	if dc["verification_uri"] != verify || dc["expires_in"] != 900.0 || dc["interval"] != 1.0 || dc["message"] != wantMsg {
		t.Errorf("device code response = %v", redacted(dc))
	}
	if dc["device_code"] == "" || strings.Contains(dc["device_code"].(string), code) {
		t.Error("device_code is empty or holds the user code")
	}
}

func TestErrorBody(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	_, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope}})
	form := url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+f.tokenPath(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	const correlation = "6a1f0d52-3b7e-4c2a-9d8f-0e1b2c3d4e5f"
	req.Header.Set("client-request-id", correlation)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, m, body := decodeResponse(t, resp)
	if got, want := jsonKeys(t, body), []string{"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}; !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	assertOAuthError(t, status, m, "authorization_pending", 70016)
	wantDesc := "AADSTS70016: The provided request has not yet been authorized by the user. The user must input their code.\r\n" +
		"Trace ID: " + m["trace_id"].(string) + "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: 2026-03-02 09:30:00Z"
	if m["error_description"] != wantDesc || m["timestamp"] != "2026-03-02 09:30:00Z" || m["correlation_id"] != correlation {
		t.Errorf("error body = %s", body)
	}
	if !isGUID(m["trace_id"].(string)) || m["error_uri"] != f.srv.URL+"/error?code=70016" {
		t.Errorf("trace_id %v, error_uri %v", m["trace_id"], m["error_uri"])
	}
	if resp.Header.Get("client-request-id") != correlation || resp.Header.Get("Cache-Control") != "no-store, no-cache" {
		t.Errorf("headers = %v", resp.Header)
	}
}

func TestNonceReachesTheIDToken(t *testing.T) {
	f := newFixture(t, Options{})
	verifier, challenge := pkcePair()
	q := authorizeQuery(challenge, "http://localhost:5000")
	q.Set("nonce", "n-0S6_WzA2Mj")
	_, form, err := f.s.IssueCode(f.authorizeURL(q), "camille")
	if err != nil {
		t.Fatal(err)
	}
	status, tok, _ := f.post(t, f.tokenPath(), url.Values{
		"grant_type": {"authorization_code"}, "client_id": {testClientID},
		"code": {form.Get("code")}, "code_verifier": {verifier}, "redirect_uri": {"http://localhost:5000"},
	})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, redacted(tok))
	}
	if claims := jwtPart(t, tok["id_token"].(string), 1); claims["nonce"] != "n-0S6_WzA2Mj" {
		t.Errorf("nonce = %v", claims["nonce"])
	}
	if tok["scope"] != testScope {
		t.Errorf("a redemption without scope grants %v, want the authorize request's", tok["scope"])
	}
}

func TestCorrelationIDFromTheQuery(t *testing.T) {
	f := newFixture(t, Options{})
	const correlation = "37f61308-24ff-4f68-aa23-cefd867cfa3c"
	status, m, _ := f.post(t, f.tokenPath()+"?client-request-id="+correlation, url.Values{"client_id": {testClientID}})
	assertOAuthError(t, status, m, "invalid_request", 900144)
	if m["correlation_id"] != correlation {
		t.Errorf("correlation_id = %v, want the client-request-id of the query", m["correlation_id"])
	}
}

func TestAuthorizationCodeRedemption(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	const redirect = "http://localhost:53100"
	redeem := func(code, verifier, redirectURI, clientID string) (int, map[string]any) {
		status, m, _ := f.post(t, f.tokenPath(), url.Values{
			"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code}, "code_verifier": {verifier},
			"redirect_uri": {redirectURI}, "scope": {testScope + " openid offline_access profile"}, "client_info": {"1"},
		})
		return status, m
	}
	tests := []struct {
		name   string
		redeem func(code, verifier string) (int, map[string]any)
		err    string
		aadsts int
	}{
		{"success", func(c, v string) (int, map[string]any) { return redeem(c, v, redirect, testClientID) }, "", 0},
		{"PKCE mismatch", func(c, _ string) (int, map[string]any) {
			other, _ := pkcePair()
			return redeem(c, other, redirect, testClientID)
		}, "invalid_grant", 501481},
		{"no verifier", func(c, _ string) (int, map[string]any) { return redeem(c, "", redirect, testClientID) }, "invalid_grant", 501481},
		{"other redirect_uri", func(c, v string) (int, map[string]any) { return redeem(c, v, "http://localhost:53101", testClientID) }, "invalid_grant", 500112},
		{"other client", func(c, v string) (int, map[string]any) { return redeem(c, v, redirect, otherClientID) }, "invalid_grant", 70000},
		{"unknown code", func(_, v string) (int, map[string]any) { return redeem("1.Anot-a-code", v, redirect, testClientID) }, "invalid_grant", 9002313},
		{"reused code", func(c, v string) (int, map[string]any) {
			if status, _ := redeem(c, v, redirect, testClientID); status != http.StatusOK {
				t.Fatalf("first redemption: %d", status)
			}
			return redeem(c, v, redirect, testClientID)
		}, "invalid_grant", 54005},
		{"code older than 10 minutes", func(c, v string) (int, map[string]any) {
			clock.Advance(10 * time.Minute)
			return redeem(c, v, redirect, testClientID)
		}, "invalid_grant", 70008},
		{"code burnt by a failed attempt", func(c, v string) (int, map[string]any) {
			redeem(c, "", redirect, testClientID)
			return redeem(c, v, redirect, testClientID)
		}, "invalid_grant", 54005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verifier, challenge := pkcePair()
			code := f.issueCode(t, challenge, redirect, "priya")
			status, m := tt.redeem(code, verifier)
			if tt.err == "" {
				if status != http.StatusOK {
					t.Fatalf("status %d: %v", status, redacted(m))
				}
				assertPrincipal(t, f.s, m["access_token"].(string), "priya")
				return
			}
			assertOAuthError(t, status, m, tt.err, tt.aadsts)
		})
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	f := newFixture(t, Options{})
	_, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope}})
	deviceCode := dc["device_code"].(string)
	tests := []struct {
		name   string
		form   url.Values
		err    string
		aadsts int
	}{
		{"no grant_type", url.Values{"client_id": {testClientID}}, "invalid_request", 900144},
		{"no client_id", url.Values{"grant_type": {"refresh_token"}}, "invalid_request", 900144},
		{"client_id not a GUID", url.Values{"grant_type": {"refresh_token"}, "client_id": {"my-app"}}, "unauthorized_client", 700016},
		{"client secret from a public client", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "client_secret": {"s"}}, "invalid_client", 700025},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {testClientID}}, "unsupported_grant_type", 70003},
		{"duplicated parameter", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID, testClientID}}, "invalid_request", 9000411},
		{"unknown device code", url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {"nope"}}, "bad_verification_code", 70018},
		{"device code of another client", url.Values{"grant_type": {"device_code"}, "client_id": {otherClientID}, "device_code": {deviceCode}}, "bad_verification_code", 70018},
		{"no device code", url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}}, "invalid_request", 900144},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {"1.x"}, "scope": {testScope}}, "invalid_grant", 9002313},
		{"refresh without scope", url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {"1.x"}}, "invalid_request", 900144},
		{"no code", url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "redirect_uri": {"http://localhost"}}, "invalid_request", 900144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, _ := f.post(t, f.tokenPath(), tt.form)
			assertOAuthError(t, status, m, tt.err, tt.aadsts)
		})
	}
	t.Run("GET", func(t *testing.T) {
		status, m, _ := f.get(t, f.tokenPath()+"?grant_type=refresh_token")
		assertOAuthError(t, status, m, "invalid_request", 900561)
	})
	t.Run("parameters in the URL are ignored", func(t *testing.T) {
		status, m, _ := f.post(t, f.tokenPath()+"?grant_type=device_code&client_id="+testClientID+"&device_code="+deviceCode, url.Values{})
		assertOAuthError(t, status, m, "invalid_request", 900144)
	})
}

func TestScopes(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		scope  string
		err    string
		aadsts int
	}{
		{testScope + " openid profile offline_access", "", 0},
		{"openid profile offline_access", "invalid_scope", 70011},
		{testResource + "/Files.Read openid", "invalid_scope", 70011},
		{"http://127.0.0.1:4443/user_impersonation", "invalid_scope", 70011},
		{testResource + "/user_impersonation https://other.example/user_impersonation", "invalid_scope", 700022},
		{testResource + "/user_impersonation " + testResource + "/.default", "invalid_scope", 70011},
		{"User.Read", "invalid_scope", 70011},
		{"https://127.0.0.1:4443/api/user_impersonation", "invalid_scope", 70011},
		{"   ", "invalid_request", 900144},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			status, m, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {tt.scope}})
			if tt.err == "" {
				if status != http.StatusOK {
					t.Errorf("status %d: %v", status, redacted(m))
				}
				return
			}
			assertOAuthError(t, status, m, tt.err, tt.aadsts)
		})
	}
}

func TestRefreshToken(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{AutoApproveDevice: true, Now: clock.Now})
	tok := f.deviceSignIn(t, testScope+" openid offline_access", nil)
	rt := tok["refresh_token"].(string)
	refresh := func(token, scope string) (int, map[string]any) {
		status, m, _ := f.post(t, f.tokenPath(), url.Values{
			"grant_type": {"refresh_token"}, "client_id": {testClientID},
			"refresh_token": {token}, "scope": {scope}, "client_info": {"1"},
		})
		return status, m
	}

	status, next := refresh(rt, "https://other.example/.default openid offline_access")
	if status != http.StatusOK || next["refresh_token"] == rt || next["refresh_token"] == nil {
		t.Fatalf("refresh: %d %v", status, redacted(next))
	}
	if p, ok := f.s.Principal(next["access_token"].(string)); !ok || p.Audience != "https://other.example" {
		t.Errorf("a refresh token redeemed for another resource gives %+v", p)
	}
	if status, _ := refresh(rt, testScope); status != http.StatusOK {
		t.Errorf("the earlier refresh token no longer works: %d", status)
	}

	f.s.RevokeAll()
	for _, token := range []string{rt, next["refresh_token"].(string)} {
		status, m := refresh(token, testScope)
		assertOAuthError(t, status, m, "invalid_grant", 50173)
	}
	if _, ok := f.s.Principal(next["access_token"].(string)); ok {
		t.Error("Principal accepts a token issued before RevokeAll")
	}
	fresh := f.deviceSignIn(t, testScope+" offline_access", nil)
	if _, ok := f.s.Principal(fresh["access_token"].(string)); !ok {
		t.Error("tokens issued after RevokeAll are refused")
	}
	clock.Advance(refreshTokenLifetime)
	status, m := refresh(fresh["refresh_token"].(string), testScope)
	assertOAuthError(t, status, m, "invalid_grant", 70008)
}

func TestDeviceFlowOutcomes(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	start := func() (userCode string, poll func() (int, map[string]any)) {
		_, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope + " openid"}})
		form := url.Values{"grant_type": {deviceCodeGrantURN}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}}
		return dc["user_code"].(string), func() (int, map[string]any) {
			status, m, _ := f.post(t, f.tokenPath(), form)
			return status, m
		}
	}
	t.Run("approved, typed in lower case with a dash", func(t *testing.T) {
		code, poll := start()
		status, m := poll()
		assertOAuthError(t, status, m, "authorization_pending", 70016)
		if err := f.s.ApproveDevice(strings.ToLower(code[:4]+"-"+code[4:]), "priya"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ApproveDevice(code, "priya"); !errors.Is(err, ErrDeviceFlowDone) {
			t.Errorf("second approval: %v", err)
		}
		status, m = poll()
		if status != http.StatusOK {
			t.Fatalf("%d %v", status, redacted(m))
		}
		assertPrincipal(t, f.s, m["access_token"].(string), "priya")
		status, m = poll()
		assertOAuthError(t, status, m, "bad_verification_code", 70018)
	})
	t.Run("declined", func(t *testing.T) {
		code, poll := start()
		if err := f.s.DenyDevice(code); err != nil {
			t.Fatal(err)
		}
		status, m := poll()
		assertOAuthError(t, status, m, "authorization_declined", 65004)
	})
	t.Run("expired", func(t *testing.T) {
		code, poll := start()
		clock.Advance(15 * time.Minute)
		status, m := poll()
		assertOAuthError(t, status, m, "expired_token", 70019)
		if err := f.s.ApproveDevice(code, "priya"); !errors.Is(err, ErrDeviceCodeExpired) {
			t.Errorf("approving an expired code: %v", err)
		}
	})
	t.Run("bad approvals", func(t *testing.T) {
		code, _ := start()
		if err := f.s.ApproveDevice("ZZZZZZZZ", "priya"); !errors.Is(err, ErrUnknownUserCode) {
			t.Errorf("unknown code: %v", err)
		}
		if err := f.s.ApproveDevice(code, "nobody"); !errors.Is(err, ErrUnknownTechnician) {
			t.Errorf("unknown technician: %v", err)
		}
	})
}

func TestSlowDownWhenPollingTooFast(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, EnforcePollInterval: true})
	_, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope}})
	form := url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}}
	status, m, _ := f.post(t, f.tokenPath(), form)
	assertOAuthError(t, status, m, "authorization_pending", 70016)
	status, m, _ = f.post(t, f.tokenPath(), form)
	assertOAuthError(t, status, m, "slow_down", 70016)
	clock.Advance(time.Second)
	status, m, _ = f.post(t, f.tokenPath(), form)
	assertOAuthError(t, status, m, "authorization_pending", 70016)
}

func TestDeviceLoginPage(t *testing.T) {
	f := newFixture(t, Options{})
	_, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope}})
	code := dc["user_code"].(string)

	page := fetch(t, f.srv.Client(), http.MethodGet, f.srv.URL+"/devicelogin?otc="+url.QueryEscape(`"><b>x`), nil)
	if !strings.Contains(string(page), `value="&#34;&gt;&lt;b&gt;x"`) || !strings.Contains(string(page), "Priya Natarajan") {
		t.Errorf("device login page:\n%s", page)
	}
	resp, err := f.srv.Client().PostForm(f.srv.URL+"/devicelogin", url.Values{"user_code": {"WRONG123"}, "technician": {"priya"}, "action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := decodeResponse(t, resp)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "That code didn&#39;t work.") {
		t.Errorf("wrong code: %d\n%s", status, body)
	}
	done := fetch(t, f.srv.Client(), http.MethodPost, f.srv.URL+"/devicelogin", url.Values{"user_code": {code}, "technician": {"priya"}, "action": {"approve"}})
	if !strings.Contains(string(done), "You have signed in to the application on your device.") {
		t.Errorf("approval page:\n%s", done)
	}
	status, m, _ := f.post(t, f.tokenPath(), url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}})
	if status != http.StatusOK {
		t.Fatalf("poll after approval: %d %v", status, redacted(m))
	}
	assertPrincipal(t, f.s, m["access_token"].(string), "priya")
}

// redirectResult is what the authorize endpoint answered, without following redirects.
type redirectResult struct {
	status   int
	location string
	body     string
}

func noRedirectGet(t *testing.T, f *fixture, path string) redirectResult {
	t.Helper()
	c := *f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := decodeResponse(t, resp)
	return redirectResult{resp.StatusCode, resp.Header.Get("Location"), string(body)}
}

func TestAuthorizeRequestChecks(t *testing.T) {
	f := newFixture(t, Options{})
	_, challenge := pkcePair()
	const redirect = "http://127.0.0.1:5000"
	tests := []struct {
		name   string
		change func(url.Values)
		page   int    // AADSTS shown on an error page, never sent to the redirect URI
		toApp  string // OAuth error posted back to the redirect URI
	}{
		{"valid", func(url.Values) {}, 0, ""},
		{"no client_id", func(q url.Values) { q.Del("client_id") }, 900144, ""},
		{"client_id not a GUID", func(q url.Values) { q.Set("client_id", "app") }, 700016, ""},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, 900971, ""},
		{"https redirect", func(q url.Values) { q.Set("redirect_uri", "https://localhost:5000") }, 50011, ""},
		{"remote redirect", func(q url.Values) { q.Set("redirect_uri", "http://evil.example:5000") }, 50011, ""},
		{"redirect with a path", func(q url.Values) { q.Set("redirect_uri", "http://localhost:5000/cb") }, 50011, ""},
		{"redirect to port 0", func(q url.Values) { q.Set("redirect_uri", "http://localhost:0") }, 50011, ""},
		{"redirect with user info", func(q url.Values) { q.Set("redirect_uri", "http://a@localhost:5000") }, 50011, ""},
		{"duplicated parameter", func(q url.Values) { q.Add("state", "again") }, 9000411, ""},
		{"unknown response_mode", func(q url.Values) { q.Set("response_mode", "web_message") }, 70007, ""},
		{"token response type", func(q url.Values) { q.Set("response_type", "token") }, 0, "unsupported_response_type"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 0, "invalid_request"},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, 0, "invalid_request"},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", "abc") }, 0, "invalid_request"},
		{"bad scope", func(q url.Values) { q.Set("scope", "openid profile") }, 0, "invalid_scope"},
		{"prompt none", func(q url.Values) { q.Set("prompt", "none") }, 0, "login_required"},
		{"unknown prompt", func(q url.Values) { q.Set("prompt", "maybe") }, 0, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authorizeQuery(challenge, redirect)
			tt.change(q)
			res := noRedirectGet(t, f, "/"+f.tenant()+"/oauth2/v2.0/authorize?"+q.Encode())
			switch {
			case tt.page != 0:
				if res.status != http.StatusBadRequest || res.location != "" || strings.Contains(res.body, "hiddenform") ||
					!strings.Contains(res.body, "AADSTS"+itoa(tt.page)+":") {
					t.Errorf("want an error page with AADSTS%d, got %d %q\n%s", tt.page, res.status, res.location, res.body)
				}
			case tt.toApp != "":
				fields := hiddenFields([]byte(res.body))
				if res.status != http.StatusOK || formAction(t, []byte(res.body)) != redirect || fields.Get("error") != tt.toApp ||
					fields.Get("state") != q.Get("state") || !strings.HasPrefix(fields.Get("error_description"), "AADSTS") {
					t.Errorf("want %s posted to the app, got %d fields %v", tt.toApp, res.status, fields)
				}
			default:
				if res.status != http.StatusOK || techPattern.FindAllString(res.body, -1) == nil {
					t.Errorf("want the picker, got %d\n%s", res.status, res.body)
				}
			}
		})
	}
}

func TestAuthorizeResponseModes(t *testing.T) {
	f := newFixture(t, Options{})
	_, challenge := pkcePair()
	for _, mode := range []string{"query", "fragment", ""} {
		t.Run("mode "+mode, func(t *testing.T) {
			q := authorizeQuery(challenge, "http://localhost:5000")
			q.Set("response_mode", mode)
			c := *f.srv.Client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := c.PostForm(f.authorizeURL(q), url.Values{"technician": {"camille"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusFound {
				t.Fatalf("%d %v", resp.StatusCode, err)
			}
			params := loc.Query()
			if mode == "fragment" {
				params, _ = url.ParseQuery(loc.Fragment)
			}
			if loc.Host != "localhost:5000" || params.Get("code") == "" || params.Get("state") != q.Get("state") {
				t.Errorf("Location = %s", loc)
			}
		})
	}
	t.Run("cancel", func(t *testing.T) {
		q := authorizeQuery(challenge, "http://localhost:5000")
		page := fetch(t, f.srv.Client(), http.MethodPost, f.authorizeURL(q), url.Values{"cancel": {"1"}})
		if fields := hiddenFields(page); fields.Get("error") != "access_denied" || fields.Get("code") != "" {
			t.Errorf("cancel posts %v", fields)
		}
	})
	t.Run("unknown technician", func(t *testing.T) {
		resp, err := f.srv.Client().PostForm(f.authorizeURL(authorizeQuery(challenge, "http://localhost:5000")), url.Values{"technician": {"mallory"}})
		if err != nil {
			t.Fatal(err)
		}
		status, _, body := decodeResponse(t, resp)
		if status != http.StatusBadRequest || strings.Contains(string(body), "hiddenform") {
			t.Errorf("unknown technician: %d\n%s", status, body)
		}
	})
}

func TestPagesEscapeWhatTheRequestCarries(t *testing.T) {
	f := newFixture(t, Options{})
	_, challenge := pkcePair()
	q := authorizeQuery(challenge, "http://localhost:5000")
	evil := `"><script>alert(1)</script>`
	q.Set("state", evil)
	q.Set("login_hint", evil)
	picker := fetch(t, f.srv.Client(), http.MethodGet, f.authorizeURL(q), nil)
	if strings.Contains(string(picker), "<script>alert") {
		t.Errorf("picker page carries markup from the request:\n%s", picker)
	}
	autoSubmit := fetch(t, f.srv.Client(), http.MethodPost, resolve(t, f.authorizeURL(q), formAction(t, picker)), url.Values{"technician": {"camille"}})
	if strings.Contains(string(autoSubmit), "<script>alert") || hiddenFields(autoSubmit).Get("state") != evil {
		t.Errorf("form_post page does not carry the state escaped:\n%s", autoSubmit)
	}
	q.Set("scope", evil)
	res := noRedirectGet(t, f, "/"+f.tenant()+"/oauth2/v2.0/authorize?"+q.Encode())
	if strings.Contains(res.body, "<script>alert") {
		t.Errorf("error form carries markup from the request:\n%s", res.body)
	}
}

func TestIssueCode(t *testing.T) {
	f := newFixture(t, Options{})
	_, challenge := pkcePair()
	q := authorizeQuery(challenge, "http://localhost:5000")

	redirect, form, err := f.s.IssueCode(f.authorizeURL(q), "camille")
	if err != nil || redirect != "http://localhost:5000" || form.Get("state") != q.Get("state") || form.Get("code") == "" || !isGUID(form.Get("session_state")) {
		t.Errorf("IssueCode = %q, %v, %v", redirect, form, err)
	}
	if _, _, err := f.s.IssueCode(f.authorizeURL(q), "mallory"); !errors.Is(err, ErrUnknownTechnician) {
		t.Errorf("unknown technician: %v", err)
	}
	if _, _, err := f.s.IssueCode(f.srv.URL+"/"+f.tenant()+"/oauth2/v2.0/token?"+q.Encode(), "camille"); err == nil {
		t.Error("IssueCode accepts a URL that is not the authorize endpoint")
	}
	if _, _, err := f.s.IssueCode(f.srv.URL+"/fabrikam.example/oauth2/v2.0/authorize?"+q.Encode(), "camille"); err == nil {
		t.Error("IssueCode accepts an unknown tenant")
	}
	query := authorizeQuery(challenge, "http://localhost:5000")
	query.Set("response_mode", "query")
	if _, _, err := f.s.IssueCode(f.authorizeURL(query), "camille"); err == nil {
		t.Error("IssueCode answers a query-mode request")
	}
	bad := authorizeQuery(challenge, "http://evil.example")
	if redirect, form, err := f.s.IssueCode(f.authorizeURL(bad), "camille"); err == nil || redirect != "" || form != nil {
		t.Errorf("bad redirect_uri: %q %v %v", redirect, form, err)
	}
}

func TestLogoutAndErrorLookup(t *testing.T) {
	f := newFixture(t, Options{})
	res := noRedirectGet(t, f, "/"+f.tenant()+"/oauth2/v2.0/logout?post_logout_redirect_uri="+url.QueryEscape("http://localhost:7000"))
	if res.status != http.StatusFound || res.location != "http://localhost:7000" {
		t.Errorf("logout to loopback: %d %q", res.status, res.location)
	}
	res = noRedirectGet(t, f, "/"+f.tenant()+"/oauth2/v2.0/logout?post_logout_redirect_uri="+url.QueryEscape("https://evil.example"))
	if res.status != http.StatusOK || res.location != "" || !strings.Contains(res.body, "You signed out of your account") {
		t.Errorf("logout elsewhere: %d %q", res.status, res.location)
	}
	if page := fetch(t, f.srv.Client(), http.MethodGet, f.srv.URL+"/error?code=70016", nil); !strings.Contains(string(page), "AADSTS70016") {
		t.Errorf("error lookup:\n%s", page)
	}
}

func TestConcurrentSignIns(t *testing.T) {
	f := newFixture(t, Options{AutoApproveDevice: true})
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, dc, _ := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {testScope}})
			if status != http.StatusOK {
				t.Error(status)
				return
			}
			form := url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}}
			f.post(t, f.tokenPath(), form)
			if _, m, _ := f.post(t, f.tokenPath(), form); m != nil {
				tokens[i], _ = m["access_token"].(string)
			}
			f.s.ExpireAccessTokens()
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, tok := range tokens {
		if tok == "" || seen[tok] {
			t.Fatalf("tokens = %v: missing or repeated", tokens)
		}
		seen[tok] = true
		if _, ok := f.s.Principal(tok); ok {
			t.Error("a token survived ExpireAccessTokens")
		}
	}
}

func assertOAuthError(t *testing.T, status int, m map[string]any, code string, aadsts int) {
	t.Helper()
	codes, _ := m["error_codes"].([]any)
	desc, _ := m["error_description"].(string)
	if status != http.StatusBadRequest || m["error"] != code || len(codes) != 1 || codes[0] != float64(aadsts) ||
		!strings.HasPrefix(desc, "AADSTS"+itoa(aadsts)+": ") {
		t.Errorf("got %d %v, want 400 %s AADSTS%d", status, redacted(m), code, aadsts)
	}
}

// redacted keeps tokens and codes out of failure messages.
func redacted(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch k {
		case "access_token", "refresh_token", "id_token", "device_code", "client_info":
			out[k] = "(redacted)"
		default:
			out[k] = v
		}
	}
	return out
}

func assertKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("keys = %v, want %v", got, keys)
	}
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// verifyRS256 checks a JWT's signature against a JWKS key.
func verifyRS256(token string, key map[string]any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	n, err := base64.RawURLEncoding.DecodeString(key["n"].(string))
	if err != nil {
		return err
	}
	e, err := base64.RawURLEncoding.DecodeString(key["e"].(string))
	if err != nil {
		return err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
}
