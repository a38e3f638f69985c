package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// memCache is a token cache held in memory, as MSAL's ExportReplace wants it.
type memCache struct {
	mu   sync.Mutex
	blob []byte
}

func (m *memCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return u.Unmarshal(m.blob)
}

func (m *memCache) Export(_ context.Context, c cache.Marshaler, _ cache.ExportHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := c.Marshal()
	m.blob = b
	return err
}

func start(t *testing.T) *Sandbox {
	t.Helper()
	sb, err := Start(Options{AutoApproveDevice: true, PINInterval: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

func msalClient(t *testing.T, sb *Sandbox) public.Client {
	t.Helper()
	c, err := public.New(SampleClientID,
		public.WithAuthority(sb.AuthorityURL+"/"+sb.Tenant()),
		public.WithHTTPClient(sb.Client()),
		public.WithInstanceDiscovery(false),
		public.WithCache(&memCache{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn runs the real MSAL device-code flow against the sandbox authority, over TLS.
func signIn(t *testing.T, sb *Sandbox) (public.Client, public.AuthResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := msalClient(t, sb)
	dc, err := c.AcquireTokenByDeviceCode(ctx, []string{sb.DynamicsURL + "/user_impersonation"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c, res
}

func do(t *testing.T, sb *Sandbox, method, rawURL, token string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := sb.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The three fakes work together: a token from the authority opens Dataverse as the same person, whose
// Rescue console the control surface can switch off.
func TestSignInThenDataverseThenRescue(t *testing.T) {
	sb := start(t)
	_, res := signIn(t, sb)
	camille, _ := sb.World.Technician("camille")
	if res.Account.PreferredUsername != camille.Email {
		t.Fatalf("signed in as %q", res.Account.PreferredUsername)
	}

	resp, body := do(t, sb, http.MethodGet, sb.DynamicsURL+"/api/data/v9.2/WhoAmI()", res.AccessToken, nil)
	var who struct {
		UserID string `json:"UserId"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &who) != nil || who.UserID != camille.SystemUserID {
		t.Fatalf("WhoAmI: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, sb, http.MethodGet, sb.DynamicsURL+"/api/data/v9.2/WhoAmI()", "", nil); resp.StatusCode != 401 {
		t.Fatalf("WhoAmI without a token: %d", resp.StatusCode)
	}

	_, body = do(t, sb, http.MethodPost, sb.RescueURL+"/requestAuthCode.aspx", "",
		url.Values{"email": {camille.Email}, "pwd": {camille.Password}})
	code, ok := strings.CutPrefix(strings.TrimSpace(body), "OK AUTHCODE: ")
	if !ok {
		t.Fatalf("requestAuthCode: %q", body)
	}
	_, body = do(t, sb, http.MethodPost, sb.RescueURL+"/requestPINCode.aspx", "",
		url.Values{"authcode": {code}, "tracking0": {"CAS-01001"}, "notechconsole": {"0"}})
	if !strings.HasPrefix(body, "OK PINCODE:") {
		t.Fatalf("requestPINCode with the console running: %q", body)
	}

	if resp, _ := do(t, sb, http.MethodPost, sb.DynamicsURL+"/_sandbox/console", "",
		url.Values{"tech": {"camille"}, "running": {"false"}}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("console switch: %d", resp.StatusCode)
	}
	_, body = do(t, sb, http.MethodPost, sb.RescueURL+"/requestPINCode.aspx", "",
		url.Values{"authcode": {code}, "notechconsole": {"0"}})
	if strings.TrimSpace(body) != "NOTECHCONSOLERUNNING" {
		t.Fatalf("requestPINCode with the console off: %q", body)
	}
}

// MSAL's silent call redeems the refresh token once the sandbox has expired the access token.
func TestSilentRefreshAfterExpiry(t *testing.T) {
	sb := start(t)
	c, first := signIn(t, sb)
	if resp, _ := do(t, sb, http.MethodPost, sb.AuthorityURL+"/_sandbox/expire", "", url.Values{}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("expire: %d", resp.StatusCode)
	}
	if resp, _ := do(t, sb, http.MethodGet, sb.DynamicsURL+"/api/data/v9.2/WhoAmI()", first.AccessToken, nil); resp.StatusCode != 401 {
		t.Fatalf("an expired token was accepted: %d", resp.StatusCode)
	}
	// MSAL still holds the old token as valid; the app's answer to a 401 is a silent call that skips it.
	accounts, err := c.Accounts(context.Background())
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts: %v %d", err, len(accounts))
	}
	sb.Entra.ExpireAccessTokens()
	res, err := c.AcquireTokenSilent(context.Background(), []string{sb.DynamicsURL + "/user_impersonation"},
		public.WithSilentAccount(accounts[0]), public.WithClaims(`{"access_token":{"nbf":{"essential":true,"value":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.AccessToken == first.AccessToken {
		t.Fatal("the silent call returned the expired token")
	}
	if resp, _ := do(t, sb, http.MethodGet, sb.DynamicsURL+"/api/data/v9.2/WhoAmI()", res.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("the refreshed token was refused: %d", resp.StatusCode)
	}
}

// Interactive sign-in through the app's in-process picker: the real MSAL authorization-code flow with
// PKCE and form_post, with the browser step completed by IssueCode.
func TestInteractiveSignInThroughThePicker(t *testing.T) {
	sb := start(t)
	c := msalClient(t, sb)
	open := func(authorizeURL string) error {
		redirect, form, err := sb.Entra.IssueCode(authorizeURL, "jordan")
		if err != nil {
			return err
		}
		go func() {
			resp, err := http.PostForm(redirect, form) // MSAL's own loopback listener, plain http
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.AcquireTokenInteractive(ctx, []string{sb.DynamicsURL + "/user_impersonation"}, public.WithOpenURL(open))
	if err != nil {
		t.Fatal(err)
	}
	jordan, _ := sb.World.Technician("jordan")
	if res.Account.PreferredUsername != jordan.Email {
		t.Fatalf("signed in as %q", res.Account.PreferredUsername)
	}
}

func TestFaultsThroughTheControlSurface(t *testing.T) {
	sb := start(t)
	_, res := signIn(t, sb)
	rescueOrigin := strings.TrimSuffix(sb.RescueURL, "/API")
	if resp, body := do(t, sb, http.MethodPost, rescueOrigin+"/_sandbox/faults", "", url.Values{
		"service": {"dataverse"}, "path": {"whoami"}, "kind": {"429"}, "retry_after": {"3"},
	}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("add fault: %d %s", resp.StatusCode, body)
	}
	who := sb.DynamicsURL + "/api/data/v9.2/WhoAmI()"
	if resp, _ := do(t, sb, http.MethodGet, who, res.AccessToken, nil); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Fatalf("want 429 Retry-After 3, got %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := do(t, sb, http.MethodGet, who, res.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("the fault fired twice: %d", resp.StatusCode)
	}
	_, state := do(t, sb, http.MethodGet, sb.DynamicsURL+"/_sandbox/state", "", nil)
	var s struct {
		Technicians []techState `json:"technicians"`
	}
	if err := json.Unmarshal([]byte(state), &s); err != nil || len(s.Technicians) != 3 {
		t.Fatalf("state: %v %s", err, state)
	}
}

func TestOriginsAreSeparateAndTLSOnly(t *testing.T) {
	sb := start(t)
	seen := map[string]bool{}
	for _, u := range []string{sb.AuthorityURL, sb.DynamicsURL, strings.TrimSuffix(sb.RescueURL, "/API")} {
		p, err := url.Parse(u)
		if err != nil || p.Scheme != "https" || seen[p.Host] {
			t.Fatalf("origin %q", u)
		}
		seen[p.Host] = true
	}
	// A client that does not trust the sandbox CA is refused, as a browser would warn.
	if _, err := http.Get(sb.DynamicsURL + "/api/data/v9.2/WhoAmI()"); err == nil {
		t.Fatal("the sandbox certificate was trusted without its CA")
	}
}

func FuzzParseRule(f *testing.F) {
	f.Add("application/json", `{"kind":"429","count":2}`, "")
	f.Add("application/x-www-form-urlencoded", "", "kind=delay&delay=1s&count=-1&service=rescue")
	f.Fuzz(func(t *testing.T, ctype, body, form string) {
		req, err := http.NewRequest(http.MethodPost, "https://127.0.0.1/_sandbox/faults?"+form, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		rule, err := parseRule(req)
		if err == nil && rule.Validate() == nil && rule.Kind == "" {
			t.Fatalf("an empty kind validated: %+v", rule)
		}
	})
}

func TestAPITokenThroughTheControlSurface(t *testing.T) {
	sb := start(t)
	origin := strings.TrimSuffix(sb.RescueURL, "/API")
	resp, token := do(t, sb, http.MethodPost, origin+"/_sandbox/token", "", url.Values{"tech": {"priya"}})
	if resp.StatusCode != http.StatusOK || len(token) < 20 {
		t.Fatalf("token: %d %q", resp.StatusCode, token)
	}
	_, body := do(t, sb, http.MethodPost, sb.RescueURL+"/getAccount.aspx", "", url.Values{"authcode": {token}})
	if !strings.Contains(body, "priya@") {
		t.Fatalf("getAccount with the token: %q", body)
	}
	if resp, _ := do(t, sb, http.MethodPost, origin+"/_sandbox/token", "", url.Values{"tech": {"nobody"}}); resp.StatusCode == http.StatusOK {
		t.Fatal("a token for nobody")
	}
}

func TestRequestsAreCountedPerServiceButNotTheControlSurface(t *testing.T) {
	sb := start(t)
	before := sb.Requests()
	origin := strings.TrimSuffix(sb.RescueURL, "/API")
	do(t, sb, http.MethodPost, sb.RescueURL+"/getAccount.aspx", "", url.Values{"authcode": {"x"}})
	do(t, sb, http.MethodPost, sb.RescueURL+"/getAccount.aspx", "", url.Values{"authcode": {"x"}})
	do(t, sb, http.MethodGet, origin+"/_sandbox/state", "", nil)
	after := sb.Requests()
	if after["rescue"]-before["rescue"] != 2 || after["dataverse"] != before["dataverse"] || after["entra"] != before["entra"] {
		t.Fatalf("before %v after %v", before, after)
	}
}
