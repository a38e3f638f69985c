package auth

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/browser"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/entra"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

func TestInteractiveSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	cfg := f.config(t, secrets.NewMemory(), "jordan")
	var opened []string
	pick := cfg.OpenURL
	cfg.OpenURL = func(u string) error {
		opened = append(opened, u)
		return pick(u)
	}
	a := f.newAuth(t, cfg)

	if _, ok := a.Account(testContext(t)); ok {
		t.Fatal("an account before any sign-in")
	}
	acc := signIn(t, a)
	jordan := f.tech(t, "jordan")
	want := Account{
		Username:      jordan.Email,
		Name:          jordan.Name,
		HomeAccountID: jordan.EntraOID + "." + f.world.Org.TenantID,
		TenantID:      f.world.Org.TenantID,
	}
	if acc != want {
		t.Errorf("SignIn = %+v, want %+v", acc, want)
	}
	if got, ok := a.Account(testContext(t)); !ok || got != want {
		t.Errorf("Account() = %+v, %v; want %+v", got, ok, want)
	}

	if len(opened) != 1 {
		t.Fatalf("opened %d URLs, want 1", len(opened))
	}
	u, err := url.Parse(opened[0])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if wantPath := "/" + f.world.Org.TenantID + "/oauth2/v2.0/authorize"; u.Path != wantPath {
		t.Errorf("authorize path = %q, want %q", u.Path, wantPath)
	}
	if q.Get("client_id") != testClientID || q.Get("code_challenge_method") != "S256" || q.Get("response_mode") != "form_post" {
		t.Errorf("authorize query = %v", q)
	}
	if scopes := strings.Fields(q.Get("scope")); !slices.Contains(scopes, testResource+"/user_impersonation") {
		t.Errorf("scope = %q, want it to hold %s/user_impersonation", q.Get("scope"), testResource)
	}
	if got := f.tokenRequests(); !slices.Equal(got, []string{"authorization_code"}) {
		t.Errorf("token requests = %v", got)
	}
	assertPrincipal(t, f, mustToken(t, a), "jordan")
}

func TestDeviceCodeSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{AutoApproveDevice: true, DeviceUser: "priya"})
	cfg := f.config(t, secrets.NewMemory(), "nobody")
	cfg.OpenURL = func(string) error { t.Error("device-code sign-in opened a browser"); return nil }
	a := f.newAuth(t, cfg)

	var shown []DeviceCode
	acc, err := a.SignInWithDeviceCode(testContext(t), func(dc DeviceCode) { shown = append(shown, dc) })
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 {
		t.Fatalf("show called %d times, want 1", len(shown))
	}
	dc := shown[0]
	if dc.UserCode == "" || dc.VerificationURL != f.srv.URL+"/devicelogin" ||
		!strings.Contains(dc.Message, dc.UserCode) || dc.ExpiresAt.IsZero() {
		t.Errorf("device code = %+v", dc)
	}
	if priya := f.tech(t, "priya"); acc.Username != priya.Email {
		t.Errorf("signed in as %q, want %q", acc.Username, priya.Email)
	}
	assertPrincipal(t, f, mustToken(t, a), "priya")
}

func TestSignInAgainKeepsOneAccount(t *testing.T) {
	f := newFixture(t, entra.Options{})
	store := secrets.NewMemory()
	first := f.newAuth(t, f.config(t, store, "camille"))
	signIn(t, first)
	second := f.newAuth(t, f.config(t, store, "jordan"))
	signIn(t, second)

	accounts, err := second.client.Accounts(testContext(t))
	if err != nil || len(accounts) != 1 {
		t.Fatalf("cache holds %d accounts (%v), want 1", len(accounts), err)
	}
	if acc, _ := first.Account(testContext(t)); acc.Username != f.tech(t, "jordan").Email {
		t.Errorf("the first Authenticator sees %q after the second signed in as jordan", acc.Username)
	}
}

func TestCancelInteractiveSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	tests := map[string]func(opened chan<- string, release <-chan struct{}) browser.Opener{
		// A browser: the page is up, the user never finishes.
		"browser returns": func(opened chan<- string, _ <-chan struct{}) browser.Opener {
			return func(u string) error { opened <- u; return nil }
		},
		// An in-app picker that blocks until the user picks someone.
		"opener blocks": func(opened chan<- string, release <-chan struct{}) browser.Opener {
			return func(u string) error { opened <- u; <-release; return nil }
		},
	}
	for name, opener := range tests {
		t.Run(name, func(t *testing.T) {
			opened := make(chan string, 1)
			release := make(chan struct{})
			defer close(release)
			cfg := f.config(t, secrets.NewMemory(), "camille")
			cfg.OpenURL = opener(opened, release)
			a := f.newAuth(t, cfg)

			ctx, cancel := context.WithCancel(testContext(t))
			go func() {
				<-opened
				cancel()
			}()
			_, err := a.SignIn(ctx)
			assertKind(t, err, ErrCancelled)
			if _, ok := a.Account(testContext(t)); ok {
				t.Error("an account after a cancelled sign-in")
			}
		})
	}
}

func TestDeclinedOnTheSignInPage(t *testing.T) {
	f := newFixture(t, entra.Options{})
	cfg := f.config(t, secrets.NewMemory(), "camille")
	cfg.OpenURL = func(authorizeURL string) error {
		u, _ := url.Parse(authorizeURL)
		q := u.Query()
		return postForm(t, q.Get("redirect_uri"), url.Values{
			"error":             {"access_denied"},
			"error_description": {"AADSTS65004: User declined to consent to access the app.\r\nTrace ID: 1"},
			"state":             {q.Get("state")},
		})
	}
	a := f.newAuth(t, cfg)
	_, err := a.SignIn(testContext(t))
	e := assertKind(t, err, ErrCancelled)
	if e.AADSTS != 65004 {
		t.Errorf("AADSTS = %d, want 65004", e.AADSTS)
	}
	if strings.Contains(err.Error(), "declined to consent") {
		t.Errorf("the service's description reached the error text: %q", err)
	}
}

func TestNoBrowser(t *testing.T) {
	f := newFixture(t, entra.Options{})
	var rec browser.Recorder
	rec.FailWith(errors.New("exec: \"xdg-open\": executable file not found in $PATH"))
	cfg := f.config(t, secrets.NewMemory(), "camille")
	cfg.OpenURL = rec.Open
	a := f.newAuth(t, cfg)
	_, err := a.SignIn(testContext(t))
	assertKind(t, err, ErrNoBrowser)
	if len(rec.URLs()) != 1 {
		t.Errorf("the opener was called %d times", len(rec.URLs()))
	}
}

func TestCancelDeviceCodeSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{}) // nobody approves: the client polls until cancelled
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	_, err := a.SignInWithDeviceCode(ctx, func(DeviceCode) { cancel() })
	assertKind(t, err, ErrCancelled)
}

func TestDeviceCodeDeclined(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	var once sync.Once
	_, err := a.SignInWithDeviceCode(testContext(t), func(dc DeviceCode) {
		once.Do(func() {
			if err := f.entra.DenyDevice(dc.UserCode); err != nil {
				t.Errorf("DenyDevice: %v", err)
			}
		})
	})
	assertKind(t, err, ErrCancelled)
}
