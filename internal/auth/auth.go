package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/rescuecompanion/rescue-companion/internal/browser"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// Config says which authority, application and resource to sign in to, and where the token
// cache lives.
type Config struct {
	Authority  string         // e.g. https://login.microsoftonline.com (no tenant)
	TenantID   string         // tenant GUID or domain; empty means "organizations"
	ClientID   string         // the application (client) ID registered in Entra ID
	Resource   string         // the Dynamics organisation URL; scope = Resource + "/user_impersonation"
	HTTPClient *http.Client   // nil = MSAL's default (system roots, so SSL_CERT_FILE works)
	OpenURL    browser.Opener // how the authorize URL is opened; nil = browser.Open
	CacheFile  string         // the sealed MSAL cache file; empty = memory only
	Secrets    secrets.Store  // holds only the cache's AES key; nil = memory only
}

// CacheKeyName is the keyring entry that holds the token cache's sealing key.
const CacheKeyName = "msal-cache-key"

// Account is the signed-in user as the token cache knows them.
type Account struct {
	Username      string // the sign-in name (preferred_username), e.g. camille@contoso.com
	Name          string // display name; may be empty (see the package comment)
	HomeAccountID string // "<object id>.<tenant id>"
	TenantID      string
}

// DeviceCode is what the user needs to complete a device-code sign-in on another device.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string // the service's own instructions, ready to show
	ExpiresAt       time.Time
}

// Authenticator signs the user in and hands out tokens. It is safe for concurrent use.
type Authenticator struct {
	client  public.Client
	scopes  []string
	openURL browser.Opener
	cache   *sealedCache

	mu    sync.Mutex
	names map[string]string // display names by HomeAccountID, learnt from id_tokens
}

// New checks cfg and builds the MSAL public client. It makes no network or keyring call.
func New(cfg Config) (*Authenticator, error) {
	authority, err := authorityURL(cfg.Authority, cfg.TenantID)
	if err != nil {
		return nil, err
	}
	if err := checkClientID(cfg.ClientID); err != nil {
		return nil, err
	}
	scope, err := resourceScope(cfg.Resource)
	if err != nil {
		return nil, err
	}
	cache := newSealedCache(cfg.CacheFile, cfg.Secrets)
	opts := []public.Option{public.WithAuthority(authority), public.WithCache(cache)}
	if !isMicrosoftHost(authority) {
		// Instance discovery would ask login.microsoftonline.com about this authority before
		// the first call: impossible offline, and it tells Microsoft where the sandbox runs.
		opts = append(opts, public.WithInstanceDiscovery(false))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, public.WithHTTPClient(cfg.HTTPClient))
	}
	client, err := public.New(cfg.ClientID, opts...)
	if err != nil {
		// MSAL's validation messages quote the configuration only, nothing secret.
		return nil, fmt.Errorf("auth: %w", err)
	}
	openURL := cfg.OpenURL
	if openURL == nil {
		openURL = browser.Open
	}
	return &Authenticator{
		client:  client,
		scopes:  []string{scope},
		openURL: openURL,
		cache:   cache,
		names:   map[string]string{},
	}, nil
}

// Scope returns the one scope tokens are asked for: Resource + "/user_impersonation".
func (a *Authenticator) Scope() string { return a.scopes[0] }

// authorityURL joins a tenant-less https authority and a tenant into MSAL's authority URL.
func authorityURL(authority, tenant string) (string, error) {
	u, err := url.Parse(authority)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("auth: the authority %q is not an absolute URL", authority)
	case !strings.EqualFold(u.Scheme, "https"):
		return "", fmt.Errorf("auth: the authority must use https, not %q", u.Scheme)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("auth: the authority must be a plain https://host[:port] URL")
	case u.Path != "" && u.Path != "/":
		return "", errors.New("auth: the authority must not contain a path; put the tenant in TenantID")
	}
	if tenant == "" {
		tenant = "organizations"
	}
	if !isTenantName(tenant) {
		return "", fmt.Errorf("auth: the tenant ID %q is not a GUID or domain name", tenant)
	}
	return "https://" + strings.ToLower(u.Host) + "/" + tenant, nil
}

// isTenantName accepts a GUID, a domain name, "organizations" or "common": letters, digits,
// dots and dashes.
func isTenantName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !isAlnum(r) && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// checkClientID requires the GUID form Entra gives every application ID.
func checkClientID(id string) error {
	if !isGUID(id) {
		return fmt.Errorf("auth: the client ID %q is not a GUID (the application ID from Entra ID)", id)
	}
	return nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// resourceScope turns the Dynamics organisation URL into its delegated scope.
func resourceScope(resource string) (string, error) {
	u, err := url.Parse(resource)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("auth: the Dynamics URL %q is not an absolute URL", resource)
	case !strings.EqualFold(u.Scheme, "https"):
		return "", fmt.Errorf("auth: the Dynamics URL must use https, not %q", u.Scheme)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return "", fmt.Errorf("auth: the Dynamics URL must be just https://host, e.g. https://contoso.crm.dynamics.com, not %q", resource)
	}
	return "https://" + u.Host + "/user_impersonation", nil
}

// microsoftHosts are the Entra ID sign-in hosts of Microsoft's clouds, as MSAL trusts them
// (authority.aadTrustedHostList in MSAL v1.10.1).
var microsoftHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login-us.microsoftonline.com":     true,
	"login.usgovcloudapi.net":          true,
	"login.partner.microsoftonline.cn": true,
	"login.chinacloudapi.cn":           true,
	"login.microsoftonline.de":         true,
	"login.sovcloud-identity.fr":       true,
	"login.sovcloud-identity.de":       true,
	"login.sovcloud-identity.sg":       true,
}

// isMicrosoftHost reports whether the authority URL's host (port included) is one of them.
func isMicrosoftHost(authority string) bool {
	u, err := url.Parse(authority)
	return err == nil && microsoftHosts[strings.ToLower(u.Host)]
}
