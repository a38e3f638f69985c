package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/browser"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/entra"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

const (
	testClientID = "51f81489-12ee-4a9e-aaae-a2591f45987d"
	testResource = "https://contoso-helpdesk.crm4.dynamics.example"
)

// fixture is the sandbox authority over TLS, with a record of the tokens it handed out.
type fixture struct {
	entra *entra.Server
	world *world.World
	srv   *httptest.Server
	dir   string

	mu     sync.Mutex
	grants []string          // grant_type of every token request, in order
	issued map[string]string // every access_token and refresh_token issued, value → kind
}

func newFixture(t *testing.T, opts entra.Options) *fixture {
	t.Helper()
	w := world.New(time.Now())
	f := &fixture{world: w, entra: entra.New(w, opts), dir: t.TempDir(), issued: map[string]string{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// serve passes requests to the authority and notes the token requests and the tokens issued.
func (f *fixture) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		f.entra.ServeHTTP(w, r)
		return
	}
	_ = r.ParseForm()
	rec := httptest.NewRecorder()
	f.entra.ServeHTTP(rec, r)
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	f.mu.Lock()
	f.grants = append(f.grants, r.PostForm.Get("grant_type"))
	if body.AccessToken != "" {
		f.issued[body.AccessToken] = "access_token"
	}
	if body.RefreshToken != "" {
		f.issued[body.RefreshToken] = "refresh_token"
	}
	f.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// tokenRequests returns the grant types of the token requests so far.
func (f *fixture) tokenRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.grants...)
}

// secretsIssued returns every access and refresh token handed out so far.
func (f *fixture) secretsIssued() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]string, len(f.issued))
	for k, v := range f.issued {
		out[k] = v
	}
	return out
}

func (f *fixture) tech(t *testing.T, key string) world.Technician {
	t.Helper()
	tech, ok := f.world.Technician(key)
	if !ok {
		t.Fatalf("no technician %q in the world", key)
	}
	return tech
}

// config is a Config for the sandbox authority, signing in interactively as tech, with the
// cache in the fixture's directory.
func (f *fixture) config(t *testing.T, store secrets.Store, tech string) Config {
	return Config{
		Authority:  f.srv.URL,
		TenantID:   f.world.Org.TenantID,
		ClientID:   testClientID,
		Resource:   testResource,
		HTTPClient: f.srv.Client(),
		OpenURL:    f.picker(t, tech),
		CacheFile:  filepath.Join(f.dir, "rescue-companion", "msal-cache.bin"),
		Secrets:    store,
	}
}

func (f *fixture) newAuth(t *testing.T, cfg Config) *Authenticator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// picker completes the authorize step in-process as the sandbox UI does: the authority issues a
// code for tech, which is POSTed to MSAL's loopback listener.
func (f *fixture) picker(t *testing.T, tech string) browser.Opener {
	return func(authorizeURL string) error {
		redirect, form, err := f.entra.IssueCode(authorizeURL, tech)
		if err != nil {
			return err
		}
		return postForm(t, redirect, form)
	}
}

// loopback is a client for MSAL's listener, never through a proxy.
var loopback = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}

func postForm(t *testing.T, target string, form url.Values) error {
	t.Helper()
	resp, err := loopback.PostForm(target, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the loopback listener answered %s", resp.Status)
	}
	return nil
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// signIn signs in interactively and fails the test on error.
func signIn(t *testing.T, a *Authenticator) Account {
	t.Helper()
	acc, err := a.SignIn(testContext(t))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	return acc
}

func mustToken(t *testing.T, a *Authenticator) string {
	t.Helper()
	tok, err := a.Token(testContext(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

// assertPrincipal checks that the authority knows token as tech's, for the resource.
func assertPrincipal(t *testing.T, f *fixture, token, tech string) {
	t.Helper()
	p, ok := f.entra.Principal(token)
	if !ok {
		t.Fatalf("the authority does not accept the token")
	}
	if p.Technician.Key != tech || !strings.EqualFold(p.Audience, testResource) {
		t.Errorf("token belongs to %q for %q, want %q for %q", p.Technician.Key, p.Audience, tech, testResource)
	}
}

// unavailableStore is a keyring that is locked or missing: every call fails.
type unavailableStore struct{}

func (unavailableStore) Get(context.Context, string) (string, error) {
	return "", fmt.Errorf("secrets: get: %w", secrets.ErrUnavailable)
}

func (unavailableStore) Set(context.Context, string, string) error {
	return fmt.Errorf("secrets: set: %w", secrets.ErrUnavailable)
}

func (unavailableStore) Delete(context.Context, string) error {
	return fmt.Errorf("secrets: delete: %w", secrets.ErrUnavailable)
}

// assertKind checks that err is an *Error of the given kind.
func assertKind(t *testing.T, err, kind error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *auth.Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not %q", err, kind)
	}
	return e
}
