package auth

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/entra"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

func TestTokenWithoutAccount(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	for name, call := range map[string]func() (string, error){
		"Token":   func() (string, error) { return a.Token(testContext(t)) },
		"Refresh": func() (string, error) { return a.Refresh(testContext(t)) },
	} {
		tok, err := call()
		assertKind(t, err, ErrSignInRequired)
		if tok != "" {
			t.Errorf("%s returned a token with its error", name)
		}
	}
	if n := len(f.tokenRequests()); n != 0 {
		t.Errorf("%d token requests without an account", n)
	}
}

func TestTokenComesFromTheCache(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	signIn(t, a)
	first := mustToken(t, a)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if tok, err := a.Token(testContext(t)); err != nil || tok != first {
				t.Errorf("concurrent Token = %v, or another token", err)
			}
		})
	}
	wg.Wait()
	if got := f.tokenRequests(); !slices.Equal(got, []string{"authorization_code"}) {
		t.Errorf("token requests = %v, want the sign-in's only", got)
	}
	assertPrincipal(t, f, first, "camille")
}

func TestRefreshAfterExpiry(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	signIn(t, a)
	old := mustToken(t, a)
	f.entra.ExpireAccessTokens()
	if _, ok := f.entra.Principal(old); ok {
		t.Fatal("the authority still accepts the expired token")
	}
	// The cache cannot know: Token still hands out the old token, as a 401 would then reveal.
	if mustToken(t, a) != old {
		t.Fatal("Token did not come from the cache")
	}

	fresh, err := a.Refresh(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("Refresh returned the cached token")
	}
	assertPrincipal(t, f, fresh, "camille")
	if got := f.tokenRequests(); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
		t.Errorf("token requests = %v", got)
	}
	if mustToken(t, a) != fresh {
		t.Error("Token after Refresh does not return the refreshed token")
	}
}

func TestRevokedSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	signIn(t, a)
	mustToken(t, a)
	f.entra.RevokeAll()

	_, err := a.Refresh(testContext(t))
	e := assertKind(t, err, ErrSignInRequired)
	if e.Op != "refresh" || e.Status != 400 || e.Code != "invalid_grant" || e.AADSTS == 0 {
		t.Errorf("error = %+v, want refresh, HTTP 400, invalid_grant and an AADSTS number", e)
	}
	assertNoSecrets(t, f, err.Error())
	if _, err := a.Token(testContext(t)); err == nil {
		t.Fatal("Token after a refused refresh returned the revoked token")
	} else {
		assertKind(t, err, ErrSignInRequired)
	}
	if _, ok := a.Account(testContext(t)); ok {
		t.Error("the account whose sign-in was refused is still there")
	}
}

func TestRevokedSignInWithShortLivedTokens(t *testing.T) {
	// Access tokens under five minutes are never cached by MSAL: every Token redeems the refresh
	// token, so Token itself meets the revocation.
	f := newFixture(t, entra.Options{AccessTokenTTL: 2 * time.Minute})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	signIn(t, a)
	assertPrincipal(t, f, mustToken(t, a), "camille")
	f.entra.RevokeAll()
	_, err := a.Token(testContext(t))
	assertKind(t, err, ErrSignInRequired)
}

func TestOfflineKeepsTheSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	signIn(t, a)
	tok := mustToken(t, a)
	f.srv.Close()

	_, err := a.Refresh(testContext(t))
	assertKind(t, err, ErrUnreachable)
	if _, ok := a.Account(testContext(t)); !ok {
		t.Fatal("a network failure signed the user out")
	}
	if mustToken(t, a) != tok {
		t.Error("the cached token is no longer served while offline")
	}
}

func TestSignOut(t *testing.T) {
	f := newFixture(t, entra.Options{})
	store := secrets.NewMemory()
	cfg := f.config(t, store, "camille")
	a := f.newAuth(t, cfg)
	signIn(t, a)
	assertFileExists(t, cfg.CacheFile)
	if _, err := store.Get(testContext(t), CacheKeyName); err != nil {
		t.Fatalf("no cache key in the keyring after sign-in: %v", err)
	}

	if err := a.SignOut(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Account(testContext(t)); ok {
		t.Error("an account after SignOut")
	}
	assertFileMissing(t, cfg.CacheFile)
	if _, err := store.Get(testContext(t), CacheKeyName); err == nil {
		t.Error("the cache key is still in the keyring")
	}
	_, err := a.Token(testContext(t))
	assertKind(t, err, ErrSignInRequired)
	if _, ok := f.newAuth(t, cfg).Account(testContext(t)); ok {
		t.Error("a new Authenticator finds an account after SignOut")
	}

	// Signing in again after a sign-out persists again, under a new key.
	signIn(t, a)
	assertFileExists(t, cfg.CacheFile)
	if ok, reason := a.Persistence(); !ok {
		t.Errorf("Persistence after sign-out and sign-in = false, %q", reason)
	}
}

func TestSignOutTwiceAndWithoutSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	a := f.newAuth(t, f.config(t, secrets.NewMemory(), "camille"))
	for range 2 {
		if err := a.SignOut(testContext(t)); err != nil {
			t.Fatalf("SignOut with nothing to remove: %v", err)
		}
	}
}

// assertNoSecrets fails if text holds any token the authority issued.
func assertNoSecrets(t *testing.T, f *fixture, text string) {
	t.Helper()
	for secret, kind := range f.secretsIssued() {
		if strings.Contains(text, secret) {
			t.Errorf("%q contains a %s", text, kind)
		}
	}
}
