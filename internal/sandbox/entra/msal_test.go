package entra

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// forceRefreshClaims makes MSAL skip its cached access token, as a client does after a 401.
const forceRefreshClaims = `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`

func TestMSALDeviceCodeThenSilentThenRefresh(t *testing.T) {
	for _, tenant := range []string{"GUID", "contoso-helpdesk.example", "organizations"} {
		t.Run(tenant, func(t *testing.T) {
			f := newFixture(t, Options{AutoApproveDevice: true, DeviceUser: "camille"})
			if tenant == "GUID" {
				tenant = f.tenant()
			}
			ctx := testContext(t)
			client := f.msal(t, tenant)

			dc, err := client.AcquireTokenByDeviceCode(ctx, []string{testScope})
			if err != nil {
				t.Fatal(err)
			}
			wantMsg := fmt.Sprintf("To sign in, use a web browser to open the page %s/devicelogin and enter the code %s to authenticate.",
				f.srv.URL, dc.Result.UserCode)
			if dc.Result.Message != wantMsg || dc.Result.Interval != 1 || len(dc.Result.UserCode) != 8 {
				t.Errorf("device code result = %+v", dc.Result)
			}
			res, err := dc.AuthenticationResult(ctx)
			if err != nil {
				t.Fatal(err)
			}
			polls := f.log.grants("device_code")
			if len(polls) != 2 || polls[0].status != 400 || !strings.Contains(polls[0].body, `"authorization_pending"`) || polls[1].status != 200 {
				t.Errorf("poll statuses = %v, want authorization_pending then success", statuses(polls))
			}
			camille := f.tech("camille")
			assertAccount(t, res.Account, camille.Email, camille.EntraOID+"."+f.tenant())
			assertPrincipal(t, f.s, res.AccessToken, "camille")

			accounts, err := client.Accounts(ctx)
			if err != nil || len(accounts) != 1 {
				t.Fatalf("Accounts() = %v, %v; want one", accounts, err)
			}
			assertAccount(t, accounts[0], camille.Email, camille.EntraOID+"."+f.tenant())

			before := f.log.len()
			cached, err := client.AcquireTokenSilent(ctx, []string{testScope}, public.WithSilentAccount(accounts[0]))
			if err != nil {
				t.Fatal(err)
			}
			if cached.AccessToken != res.AccessToken || cached.Metadata.TokenSource != public.TokenSourceCache || f.log.len() != before {
				t.Errorf("silent call was not served from the cache (source %v, %d requests)", cached.Metadata.TokenSource, f.log.len()-before)
			}

			f.s.ExpireAccessTokens()
			if _, ok := f.s.Principal(res.AccessToken); ok {
				t.Error("Principal accepts an access token after ExpireAccessTokens")
			}
			refreshed, err := client.AcquireTokenSilent(ctx, []string{testScope},
				public.WithSilentAccount(accounts[0]), public.WithClaims(forceRefreshClaims))
			if err != nil {
				t.Fatal(err)
			}
			if refreshed.AccessToken == res.AccessToken || refreshed.Metadata.TokenSource != public.TokenSourceIdentityProvider {
				t.Error("the refresh did not bring a new access token")
			}
			if rt := f.log.grants("refresh_token"); len(rt) != 1 || rt[0].status != 200 {
				t.Errorf("refresh_token grant statuses = %v, want one success", statuses(rt))
			}
			assertPrincipal(t, f.s, refreshed.AccessToken, "camille")
			if _, ok := f.s.Principal(res.AccessToken); ok {
				t.Error("the old access token came back to life")
			}
		})
	}
}

func TestMSALShortLivedTokensAreRefreshedOnEverySilentCall(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, Options{AutoApproveDevice: true, AccessTokenTTL: 2 * time.Minute, Now: clock.Now})
	ctx := testContext(t)
	client := f.msal(t, f.tenant())
	dc, err := client.AcquireTokenByDeviceCode(ctx, []string{testScope})
	if err != nil {
		t.Fatal(err)
	}
	first, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.AcquireTokenSilent(ctx, []string{testScope}, public.WithSilentAccount(first.Account))
	if err != nil {
		t.Fatal(err)
	}
	// MSAL does not cache an access token that lives under five minutes, so the silent call refreshes.
	if second.AccessToken == first.AccessToken || len(f.log.grants("refresh_token")) != 1 {
		t.Error("a 2-minute access token was served from the cache")
	}
	clock.Advance(2 * time.Minute)
	if _, ok := f.s.Principal(second.AccessToken); ok {
		t.Error("Principal accepts an access token past its lifetime")
	}
}

func TestMSALInteractiveThroughThePages(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := testContext(t)
	client := f.msal(t, f.tenant())
	browser := f.srv.Client()
	openURL := func(authURL string) error {
		q := mustQuery(t, authURL)
		for k, want := range map[string]string{"response_mode": "form_post", "code_challenge_method": "S256", "prompt": "select_account", "response_type": "code"} {
			if q.Get(k) != want {
				return fmt.Errorf("authorize URL has %s=%q, want %q", k, q.Get(k), want)
			}
		}
		picker := fetch(t, browser, http.MethodGet, authURL, nil)
		if !techPattern.Match(picker) || !strings.Contains(string(picker), "jordan@contoso-helpdesk.example") {
			return fmt.Errorf("picker page lists no technicians:\n%s", picker)
		}
		action := resolve(t, authURL, formAction(t, picker))
		autoSubmit := fetch(t, browser, http.MethodPost, action, url.Values{"technician": {"jordan"}})
		redirect := formAction(t, autoSubmit)
		if redirect != q.Get("redirect_uri") || !scriptTagPattern.Match(autoSubmit) {
			return fmt.Errorf("auto-submit page posts to %q, want %q", redirect, q.Get("redirect_uri"))
		}
		fields := hiddenFields(autoSubmit)
		if fields.Get("state") != q.Get("state") || fields.Get("code") == "" {
			return fmt.Errorf("auto-submit fields = %v", fields)
		}
		fetch(t, &http.Client{}, http.MethodPost, redirect, fields)
		return nil
	}
	res, err := client.AcquireTokenInteractive(ctx, []string{testScope}, public.WithOpenURL(openURL))
	if err != nil {
		t.Fatal(err)
	}
	jordan := f.tech("jordan")
	assertAccount(t, res.Account, jordan.Email, jordan.EntraOID+"."+f.tenant())
	assertPrincipal(t, f.s, res.AccessToken, "jordan")
	if codes := f.log.grants("authorization_code"); len(codes) != 1 || codes[0].status != 200 {
		t.Errorf("authorization_code grant statuses = %v", statuses(codes))
	}
}

func TestMSALInteractiveWithIssueCode(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := testContext(t)
	client := f.msal(t, f.tenant())
	openURL := func(authURL string) error {
		redirect, form, err := f.s.IssueCode(authURL, "priya")
		if err != nil {
			return err
		}
		fetch(t, &http.Client{}, http.MethodPost, redirect, form)
		return nil
	}
	res, err := client.AcquireTokenInteractive(ctx, []string{testScope}, public.WithOpenURL(openURL))
	if err != nil {
		t.Fatal(err)
	}
	priya := f.tech("priya")
	assertAccount(t, res.Account, priya.Email, priya.EntraOID+"."+f.tenant())
	assertPrincipal(t, f.s, res.AccessToken, "priya")
}

func TestMSALInteractiveErrorReachesTheClient(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := testContext(t)
	client := f.msal(t, f.tenant())
	openURL := func(authURL string) error {
		redirect, form, err := f.s.IssueCode(authURL, "priya")
		var e *Error
		if !errors.As(err, &e) || e.Code != "invalid_scope" {
			return fmt.Errorf("IssueCode error = %v, want invalid_scope", err)
		}
		fetch(t, &http.Client{}, http.MethodPost, redirect, form)
		return nil
	}
	_, err := client.AcquireTokenInteractive(ctx, []string{"https://127.0.0.1:4443/Files.Read"}, public.WithOpenURL(openURL))
	if err == nil || !strings.Contains(err.Error(), "AADSTS70011") {
		t.Fatalf("AcquireTokenInteractive error = %v, want AADSTS70011", err)
	}
}

func TestMSALRefreshAfterRevokeAllFails(t *testing.T) {
	f := newFixture(t, Options{AutoApproveDevice: true})
	ctx := testContext(t)
	client := f.msal(t, f.tenant())
	dc, err := client.AcquireTokenByDeviceCode(ctx, []string{testScope})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.s.RevokeAll()
	if _, ok := f.s.Principal(res.AccessToken); ok {
		t.Error("Principal accepts a revoked access token")
	}
	_, err = client.AcquireTokenSilent(ctx, []string{testScope},
		public.WithSilentAccount(res.Account), public.WithClaims(forceRefreshClaims))
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "AADSTS50173") {
		t.Fatalf("silent refresh after RevokeAll: %v, want invalid_grant AADSTS50173", err)
	}
}

func assertAccount(t *testing.T, a public.Account, email, homeAccountID string) {
	t.Helper()
	if a.PreferredUsername != email || a.HomeAccountID != homeAccountID {
		t.Errorf("account = {PreferredUsername %q, HomeAccountID %q}, want {%q, %q}", a.PreferredUsername, a.HomeAccountID, email, homeAccountID)
	}
}

func assertPrincipal(t *testing.T, s *Server, token, techKey string) {
	t.Helper()
	p, ok := s.Principal(token)
	if !ok {
		t.Fatal("Principal does not know the access token")
	}
	if p.Technician.Key != techKey || p.Audience != testResource || len(p.Scopes) != 1 || p.Scopes[0] != "user_impersonation" {
		t.Errorf("Principal = {%s %s %v}, want {%s %s [user_impersonation]}", p.Technician.Key, p.Audience, p.Scopes, techKey, testResource)
	}
}

func statuses(list []exchange) []int {
	out := make([]int, 0, len(list))
	for _, e := range list {
		out = append(out, e.status)
	}
	return out
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func resolve(t *testing.T, base, ref string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return b.ResolveReference(r).String()
}

// fetch does what a browser does with a link or a form, and returns the page.
func fetch(t *testing.T, c *http.Client, method, target string, form url.Values) []byte {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d\n%s", method, target, resp.StatusCode, page)
	}
	return page
}
