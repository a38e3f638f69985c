package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

func validConfig() Config {
	return Config{
		Authority: "https://login.microsoftonline.com",
		TenantID:  "0b5f6e0e-3a4e-4b8e-9d1f-2c3d4e5f6a7b",
		ClientID:  testClientID,
		Resource:  "https://contoso.crm4.dynamics.com",
		CacheFile: "unused",
		Secrets:   secrets.NewMemory(),
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		errHas string // "" = valid
	}{
		{"valid", func(*Config) {}, ""},
		{"trailing slash", func(c *Config) { c.Authority += "/" }, ""},
		{"domain tenant", func(c *Config) { c.TenantID = "contoso.onmicrosoft.com" }, ""},
		{"empty tenant", func(c *Config) { c.TenantID = "" }, ""},
		{"resource with slash", func(c *Config) { c.Resource += "/" }, ""},
		{"authority with port", func(c *Config) { c.Authority = "https://127.0.0.1:4443" }, ""},
		{"http authority", func(c *Config) { c.Authority = "http://login.microsoftonline.com" }, "https"},
		{"loopback http authority", func(c *Config) { c.Authority = "http://127.0.0.1:8080" }, "https"},
		{"authority with tenant path", func(c *Config) { c.Authority += "/organizations" }, "TenantID"},
		{"authority with query", func(c *Config) { c.Authority += "?x=1" }, "plain"},
		{"relative authority", func(c *Config) { c.Authority = "login.microsoftonline.com" }, "absolute"},
		{"empty authority", func(c *Config) { c.Authority = "" }, "absolute"},
		{"tenant with slash", func(c *Config) { c.TenantID = "a/b" }, "tenant"},
		{"tenant with query", func(c *Config) { c.TenantID = "a?b" }, "tenant"},
		{"empty client", func(c *Config) { c.ClientID = "" }, "client ID"},
		{"client not a GUID", func(c *Config) { c.ClientID = "my-app" }, "client ID"},
		{"http resource", func(c *Config) { c.Resource = "http://contoso.crm4.dynamics.com" }, "https"},
		{"resource with path", func(c *Config) { c.Resource = "https://contoso.crm4.dynamics.com/api/data/v9.2" }, "just https://host"},
		{"empty resource", func(c *Config) { c.Resource = "" }, "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.mutate(&cfg)
			a, err := New(cfg)
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if a.Scope() != "https://contoso.crm4.dynamics.com/user_impersonation" {
					t.Errorf("Scope() = %q", a.Scope())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("New = %v, want an error mentioning %q", err, tt.errHas)
			}
		})
	}
}

func TestAuthorityURL(t *testing.T) {
	tests := []struct{ authority, tenant, want string }{
		{"https://login.microsoftonline.com", "t1", "https://login.microsoftonline.com/t1"},
		{"https://LOGIN.microsoftonline.com/", "", "https://login.microsoftonline.com/organizations"},
		{"https://127.0.0.1:4443", "common", "https://127.0.0.1:4443/common"},
	}
	for _, tt := range tests {
		if got, err := authorityURL(tt.authority, tt.tenant); err != nil || got != tt.want {
			t.Errorf("authorityURL(%q, %q) = %q, %v; want %q", tt.authority, tt.tenant, got, err, tt.want)
		}
	}
}

func TestInstanceDiscoveryOnlyForMicrosoftHosts(t *testing.T) {
	tests := map[string]bool{
		"https://login.microsoftonline.com/organizations":  true,
		"https://login.microsoftonline.us/t":               true,
		"https://login.partner.microsoftonline.cn/t":       true,
		"https://LOGIN.MICROSOFTONLINE.COM/t":              true,
		"https://127.0.0.1:4443/t":                         false,
		"https://login.microsoftonline.com.evil.example/t": false,
		"https://localhost/t":                              false,
	}
	for authority, want := range tests {
		if got := isMicrosoftHost(authority); got != want {
			t.Errorf("isMicrosoftHost(%q) = %v, want %v", authority, got, want)
		}
	}
}

// errorResponse is a failed HTTP exchange as MSAL's comm package reports it.
func errorResponse(status int, body string) error {
	req, _ := http.NewRequest(http.MethodPost, "https://login.example/t/oauth2/v2.0/token", strings.NewReader("refresh_token=RT-SECRET"))
	return msalerrors.CallErr{
		Req:  req,
		Resp: &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))},
		Err:  fmt.Errorf("http call(%s)(%s) error: reply status code was %d:\n%s", req.URL, req.Method, status, body),
	}
}

// drained empties the response body, as MSAL's device-code poller does before returning.
func drained(err error) error {
	call := err.(msalerrors.CallErr)
	_, _ = io.ReadAll(call.Resp.Body)
	return call
}

func TestClassify(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		silent bool
		want   Error
	}{
		{
			"refused refresh token", live, errorResponse(400,
				`{"error":"invalid_grant","error_description":"AADSTS50173: token RT-SECRET revoked","error_codes":[50173]}`), true,
			Error{Status: 400, Code: "invalid_grant", AADSTS: 50173, Kind: ErrSignInRequired},
		},
		{
			"interaction required", live, errorResponse(400, `{"error":"interaction_required","error_codes":[50076]}`), true,
			Error{Status: 400, Code: "interaction_required", AADSTS: 50076, Kind: ErrSignInRequired},
		},
		{
			"device code declined", live, errorResponse(400, `{"error":"authorization_declined","error_codes":[65004]}`), false,
			Error{Status: 400, Code: "authorization_declined", AADSTS: 65004, Kind: ErrCancelled},
		},
		{
			"misconfigured client", live, errorResponse(400, `{"error":"unauthorized_client","error_codes":[700016]}`), false,
			Error{Status: 400, Code: "unauthorized_client", AADSTS: 700016, Kind: ErrProvider},
		},
		{
			"body already read by MSAL", live, drained(errorResponse(400, `{"error":"authorization_declined","error_codes":[65004]}`)), false,
			Error{Status: 400, Code: "authorization_declined", AADSTS: 65004, Kind: ErrCancelled},
		},
		{
			"outage", live, errorResponse(503, `<html>RT-SECRET down</html>`), true,
			Error{Status: 503, Kind: ErrProvider},
		},
		{
			"odd error field", live, errorResponse(400, `{"error":"RT-SECRET","error_codes":[-3]}`), true,
			Error{Status: 400, Kind: ErrProvider},
		},
		{
			"network", live, fmt.Errorf("server response error:\n %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), true,
			Error{Kind: ErrUnreachable},
		},
		{"cancelled", cancelled, errors.New("whatever MSAL said"), false, Error{Kind: ErrCancelled}},
		{"wrapped cancel", live, fmt.Errorf("x: %w", context.Canceled), false, Error{Kind: ErrCancelled}},
		{"deadline", live, fmt.Errorf("x: %w", context.DeadlineExceeded), false, Error{Kind: context.DeadlineExceeded}},
		{"declined on the page", live, errors.New("AADSTS65004: User declined RT-SECRET"), false, Error{AADSTS: 65004, Kind: ErrCancelled}},
		{"other page error", live, errors.New("AADSTS50011: redirect mismatch"), false, Error{AADSTS: 50011, Kind: ErrProvider}},
		{"no refresh token", live, errors.New("no token found"), true, Error{Kind: ErrSignInRequired}},
		{"interactive oddity", live, errors.New("mismatched OAuth state RT-SECRET"), false, Error{Kind: ErrProvider}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.ctx, "op", tt.err, tt.silent)
			tt.want.Op = "op"
			if *got != tt.want {
				t.Errorf("classify = %+v, want %+v", *got, tt.want)
			}
			if text := got.Error(); strings.Contains(text, "SECRET") || strings.Contains(text, "\n") {
				t.Errorf("error text %q is not one clean line", text)
			}
			if !errors.Is(got, tt.want.Kind) {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.want.Kind)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Op: "refresh", Status: 400, Code: "invalid_grant", AADSTS: 50173, Kind: ErrSignInRequired}
	if got, want := e.Error(), "auth: refresh: sign-in required (HTTP 400, invalid_grant, AADSTS50173)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := errorf("token", ErrSignInRequired).Error(), "auth: token: sign-in required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
