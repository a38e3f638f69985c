package entra

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func FuzzParseScopes(f *testing.F) {
	for _, seed := range []string{
		testScope + " openid offline_access profile",
		"https://org.crm.dynamics.com//user_impersonation openid",
		"https://ORG.example/.default",
		"openid profile",
		"https://a.example/user_impersonation https://b.example/user_impersonation",
		"https://x/%zz/user_impersonation",
		"https://[::1]:443/user_impersonation",
		"https://u@h/user_impersonation",
		"\t\n",
		"/user_impersonation",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req, e := parseScopes(raw)
		if e != nil {
			if e.Code == "" || e.AADSTS == 0 {
				t.Fatalf("error without code: %+v", e)
			}
			return
		}
		if !strings.HasPrefix(req.audience, "https://") || strings.HasSuffix(req.audience, "/") {
			t.Fatalf("audience %q", req.audience)
		}
		// Each scope the token response grants must name the same resource again.
		for _, scope := range strings.Fields(req.granted()) {
			again, e := parseScopes(scope)
			if e != nil || again.audience != req.audience {
				t.Fatalf("granted %q does not parse back: %v", scope, e)
			}
		}
	})
}

func FuzzParseAuthorizeRequest(f *testing.F) {
	_, challenge := pkcePair()
	f.Add(authorizeQuery(challenge, "http://localhost:5000").Encode())
	f.Add(authorizeQuery(challenge, "http://127.0.0.1").Encode())
	f.Add(authorizeQuery(challenge, "http://localhost:5000/").Encode() + "&state=a&state=b")
	f.Add("client_id=" + testClientID + "&redirect_uri=http%3A%2F%2Flocalhost%3A&response_type=code")
	f.Add("client_id=" + testClientID + "&redirect_uri=http%3A%2F%2Flocalhost%3A80%23x&response_type=code")
	f.Add("client_id=" + testClientID + "&redirect_uri=http%3A%2F%2Fevil.example&response_type=token")
	f.Add("response_mode=fragment&prompt=none")
	f.Add("%zz=1")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		req, ae := parseAuthorizeRequest(q)
		if ae != nil && !ae.toClient {
			return
		}
		// Whatever goes back to the client goes to a redirect URI that passed the check.
		if e := checkRedirectURI(req.redirectURI); e != nil {
			t.Fatalf("answer sent to unchecked redirect URI %q", req.redirectURI)
		}
		u, err := url.Parse(req.redirectURI)
		if err != nil || u.Scheme != "http" || (u.Hostname() != "127.0.0.1" && !strings.EqualFold(u.Hostname(), "localhost")) {
			t.Fatalf("redirect URI %q is not loopback http", req.redirectURI)
		}
		if ae == nil && (len(req.challenge) != 43 || req.scopes.audience == "" || !isGUID(req.clientID)) {
			t.Fatalf("accepted an incomplete request: %+v", req)
		}
	})
}

// fuzzServer is an authority with a live code, refresh token and device code to aim at.
func fuzzServer(f *testing.F) (*Server, map[string]string) {
	s := New(world.New(seedTime), Options{AutoApproveDevice: true})
	verifier, challenge := pkcePair()
	_, form, err := s.IssueCode("https://sandbox.test/organizations/oauth2/v2.0/authorize?"+authorizeQuery(challenge, "http://localhost:5000").Encode(), "camille")
	if err != nil {
		f.Fatal(err)
	}
	resp, e := s.startDeviceFlow(url.Values{"client_id": {testClientID}, "scope": {testScope + " offline_access"}}, "organizations", "https://sandbox.test")
	if e != nil {
		f.Fatal(e)
	}
	tok, err := s.issue("https://sandbox.test", grant{tech: s.world.Technicians[0], clientID: testClientID, scopes: mustScopes(testScope + " offline_access")}, true)
	if err != nil {
		f.Fatal(err)
	}
	return s, map[string]string{"code": form.Get("code"), "verifier": verifier, "device": resp.DeviceCode, "refresh": tok.RefreshToken}
}

func mustScopes(raw string) scopeRequest {
	req, e := parseScopes(raw)
	if e != nil {
		panic(e)
	}
	return req
}

func FuzzTokenEndpoint(f *testing.F) {
	s, live := fuzzServer(f)
	seeds := []url.Values{
		{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "code": {live["code"]}, "code_verifier": {live["verifier"]}, "redirect_uri": {"http://localhost:5000"}},
		{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {live["device"]}},
		{"grant_type": {deviceCodeGrantURN}, "client_id": {testClientID}, "device_code": {live["device"]}, "client_info": {"1"}},
		{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {live["refresh"]}, "scope": {testScope + " openid"}},
		{"grant_type": {"refresh_token"}, "client_id": {testClientID, testClientID}},
		{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {"x"}},
	}
	for _, seed := range seeds {
		f.Add(seed.Encode(), "organizations")
	}
	f.Add("grant_type=%zz", s.world.Org.TenantID)
	f.Add(strings.Repeat("a=1&", 100), "Contoso-Helpdesk.example")
	f.Fuzz(func(t *testing.T, body, tenant string) {
		if strings.ContainsAny(tenant, "/?#%") || tenant == "" || tenant == "." || tenant == ".." {
			return
		}
		target := "https://sandbox.test/" + tenant + "/oauth2/v2.0/token"
		req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkJSONAnswer(t, rec)
	})
}

func FuzzDeviceCodeEndpoint(f *testing.F) {
	s := New(world.New(seedTime), Options{})
	f.Add(url.Values{"client_id": {testClientID}, "scope": {testScope + " openid profile offline_access"}}.Encode())
	f.Add("client_id=x&scope=")
	f.Add("scope=openid&scope=profile")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "https://sandbox.test/organizations/oauth2/v2.0/devicecode", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkJSONAnswer(t, rec)
	})
}

// checkJSONAnswer holds an endpoint to its contract: 200 with tokens or 400 with Entra's error body.
func checkJSONAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("status %d, body is not JSON: %v", rec.Code, err)
	}
	switch rec.Code {
	case http.StatusOK:
		if m["access_token"] == nil && m["device_code"] == nil {
			t.Fatalf("200 without a token or device code: %v", redacted(m))
		}
	case http.StatusBadRequest:
		desc, _ := m["error_description"].(string)
		if m["error"] == "" || !strings.HasPrefix(desc, "AADSTS") {
			t.Fatalf("400 without Entra's error body: %v", m)
		}
	default:
		t.Fatalf("status %d", rec.Code)
	}
}

func FuzzAuthorizeEndpoint(f *testing.F) {
	s := New(world.New(seedTime), Options{})
	_, challenge := pkcePair()
	f.Add(authorizeQuery(challenge, "http://localhost:5000").Encode(), "technician=camille")
	f.Add(authorizeQuery(challenge, "http://localhost:5000").Encode(), "cancel=1")
	f.Add("state=%22%3E%3Cscript%3E", "technician=%zz")
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, err := http.NewRequest(method, "https://sandbox.test/organizations/oauth2/v2.0/authorize?"+rawQuery, strings.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			checkAuthorizeAnswer(t, rec)
		}
	})
}

// checkAuthorizeAnswer: a page, or a redirect to a loopback URI; never markup taken from the request.
func checkAuthorizeAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	switch rec.Code {
	case http.StatusOK, http.StatusBadRequest:
		if n := strings.Count(strings.ToLower(rec.Body.String()), "<script"); n > 1 {
			t.Fatalf("%d script tags in the page", n)
		}
	case http.StatusFound:
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil || loc.Scheme != "http" || (loc.Hostname() != "127.0.0.1" && !strings.EqualFold(loc.Hostname(), "localhost")) {
			t.Fatalf("redirect to %q", rec.Header().Get("Location"))
		}
	default:
		t.Fatalf("status %d", rec.Code)
	}
}

func FuzzDeviceLoginForm(f *testing.F) {
	s := New(world.New(seedTime), Options{})
	resp, e := s.startDeviceFlow(url.Values{"client_id": {testClientID}, "scope": {testScope}}, "organizations", "https://sandbox.test")
	if e != nil {
		f.Fatal(e)
	}
	f.Add("user_code=" + resp.UserCode + "&technician=priya&action=approve")
	f.Add("user_code=" + strings.ToLower(resp.UserCode) + "&action=decline")
	f.Add("user_code=%3Cb%3E&technician=%3Cb%3E")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "https://sandbox.test/devicelogin", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d", rec.Code)
		}
		if strings.Contains(rec.Body.String(), "<b>") {
			t.Fatal("page carries markup from the form")
		}
	})
}
