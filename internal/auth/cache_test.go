package auth

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/entra"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

func TestCachePersistsSealed(t *testing.T) {
	f := newFixture(t, entra.Options{})
	store := secrets.NewMemory()
	cfg := f.config(t, store, "camille")
	a := f.newAuth(t, cfg)
	acc := signIn(t, a)
	tok := mustToken(t, a)
	if ok, reason := a.Persistence(); !ok || reason != "" {
		t.Errorf("Persistence() = %v, %q; want true", ok, reason)
	}

	b := f.newAuth(t, cfg)
	got, ok := b.Account(testContext(t))
	if !ok || got.Username != acc.Username || got.HomeAccountID != acc.HomeAccountID {
		t.Fatalf("second Authenticator: Account() = %+v, %v; want %+v", got, ok, acc)
	}
	if mustToken(t, b) != tok {
		t.Error("the second Authenticator did not get the cached token")
	}
	if n := len(f.tokenRequests()); n != 1 {
		t.Errorf("%d token requests, want the sign-in's only", n)
	}

	sealed, err := os.ReadFile(cfg.CacheFile)
	if err != nil {
		t.Fatal(err)
	}
	issued := f.secretsIssued()
	if len(issued) < 2 {
		t.Fatalf("the authority issued %d tokens, want an access and a refresh token", len(issued))
	}
	for secret, kind := range issued {
		if bytes.Contains(sealed, []byte(secret)) {
			t.Errorf("the cache file holds the %s in clear", kind)
		}
	}
	for _, clear := range []string{acc.Username, "RefreshToken", "AccessToken", "secret"} {
		if bytes.Contains(sealed, []byte(clear)) {
			t.Errorf("the cache file holds %q in clear", clear)
		}
	}
	// And it does hold them, sealed under the keyring's key.
	key, err := secrets.SealedKey(testContext(t), store, CacheKeyName)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := secrets.Open(key, sealed)
	if err != nil {
		t.Fatalf("the file does not open with the keyring's key: %v", err)
	}
	if !bytes.Contains(plain, []byte(tok)) {
		t.Error("the sealed cache does not hold the access token")
	}
	assertModes(t, cfg.CacheFile)
}

func TestAnotherProcessSignsOutAndIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	store := secrets.NewMemory()
	cli := f.newAuth(t, f.config(t, store, "camille"))
	tray := f.newAuth(t, f.config(t, store, "camille"))
	signIn(t, cli)
	if _, ok := tray.Account(testContext(t)); !ok {
		t.Fatal("the tray does not see the CLI's sign-in")
	}

	if err := cli.SignOut(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if _, ok := tray.Account(testContext(t)); ok {
		t.Error("the tray still sees an account after the CLI signed out")
	}

	// A new sign-in under a new key: the tray's remembered key is stale and must be re-read.
	cli2 := f.newAuth(t, f.config(t, store, "jordan"))
	signIn(t, cli2)
	acc, ok := tray.Account(testContext(t))
	if !ok || acc.Username != f.tech(t, "jordan").Email {
		t.Errorf("tray Account() = %+v, %v; want jordan", acc, ok)
	}
	if ok, reason := tray.Persistence(); !ok {
		t.Errorf("tray Persistence() = false, %q", reason)
	}
}

func TestKeyringUnavailable(t *testing.T) {
	f := newFixture(t, entra.Options{})
	cfg := f.config(t, unavailableStore{}, "camille")
	a := f.newAuth(t, cfg)
	acc := signIn(t, a)
	if acc.Username != f.tech(t, "camille").Email {
		t.Errorf("signed in as %q", acc.Username)
	}
	assertPrincipal(t, f, mustToken(t, a), "camille")
	if _, ok := a.Account(testContext(t)); !ok {
		t.Error("the in-memory cache lost the account")
	}
	ok, reason := a.Persistence()
	if ok || !strings.Contains(reason, "keyring") || strings.Contains(reason, "\n") {
		t.Errorf("Persistence() = %v, %q; want false with a one-line keyring reason", ok, reason)
	}
	if _, err := os.Stat(filepath.Dir(cfg.CacheFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was written to disk (stat: %v)", err)
	}
	if err := a.SignOut(testContext(t)); err != nil {
		t.Errorf("SignOut with the keyring unavailable: %v", err)
	}
	if _, ok := a.Account(testContext(t)); ok {
		t.Error("an account after SignOut")
	}
}

func TestPersistenceBeforeSignIn(t *testing.T) {
	f := newFixture(t, entra.Options{})
	tests := []struct {
		name   string
		mutate func(*Config)
		ok     bool
		reason string
	}{
		{"keyring works", func(*Config) {}, true, ""},
		{"keyring unavailable", func(c *Config) { c.Secrets = unavailableStore{} }, false, reasonKeyring},
		{"no cache file", func(c *Config) { c.CacheFile = "" }, false, reasonNotConfigured},
		{"no keyring", func(c *Config) { c.Secrets = nil }, false, reasonNotConfigured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config(t, secrets.NewMemory(), "camille")
			tt.mutate(&cfg)
			ok, reason := f.newAuth(t, cfg).Persistence()
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Persistence() = %v, %q; want %v, %q", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func TestUnreadableCacheFile(t *testing.T) {
	f := newFixture(t, entra.Options{})
	otherKey, err := secrets.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	sealedElsewhere, err := secrets.Seal(otherKey, []byte(`{"Account":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"garbage":           []byte("this is not a sealed cache"),
		"empty":             {},
		"sealed elsewhere":  sealedElsewhere,
		"truncated":         sealedElsewhere[:20],
		"huge":              bytes.Repeat([]byte{1}, maxCacheFileBytes+1),
		"one version byte":  {1},
		"unknown version":   append([]byte{9}, sealedElsewhere[1:]...),
		"no JSON object in": nil, // filled below: sealed under the right key, not a cache
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			store := secrets.NewMemory()
			cfg := f.config(t, store, "camille")
			cfg.CacheFile = filepath.Join(t.TempDir(), "msal-cache.bin")
			if content == nil {
				key, err := secrets.SealedKey(testContext(t), store, CacheKeyName)
				if err != nil {
					t.Fatal(err)
				}
				if content, err = secrets.Seal(key, []byte("[1,2,3]")); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(cfg.CacheFile, content, 0o600); err != nil {
				t.Fatal(err)
			}
			a := f.newAuth(t, cfg)
			if _, ok := a.Account(testContext(t)); ok {
				t.Error("Account() found an account in an unreadable file")
			}
			_, err := a.Token(testContext(t))
			assertKind(t, err, ErrSignInRequired)
			if ok, reason := a.Persistence(); ok || reason != reasonUnreadable {
				t.Errorf("Persistence() = %v, %q; want false, %q", ok, reason, reasonUnreadable)
			}

			// Signing in still works, in memory; the file is left as it was.
			signIn(t, a)
			assertPrincipal(t, f, mustToken(t, a), "camille")
			if now, _ := os.ReadFile(cfg.CacheFile); !bytes.Equal(now, content) {
				t.Error("the unreadable file was overwritten in the same session")
			}

			// Signing out is the way back to a saved sign-in.
			if err := a.SignOut(testContext(t)); err != nil {
				t.Fatal(err)
			}
			signIn(t, a)
			if ok, reason := a.Persistence(); !ok {
				t.Errorf("Persistence() after sign-out and sign-in = false, %q", reason)
			}
			if _, ok := f.newAuth(t, cfg).Account(testContext(t)); !ok {
				t.Error("the new sign-in was not saved")
			}
		})
	}
}

func TestCacheFileCannotBeWritten(t *testing.T) {
	f := newFixture(t, entra.Options{})
	cfg := f.config(t, secrets.NewMemory(), "camille")
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.CacheFile = filepath.Join(blocker, "msal-cache.bin")
	a := f.newAuth(t, cfg)
	signIn(t, a)
	assertPrincipal(t, f, mustToken(t, a), "camille")
	if ok, reason := a.Persistence(); ok || reason != reasonUnwritable {
		t.Errorf("Persistence() = %v, %q; want false, %q", ok, reason, reasonUnwritable)
	}
}

func TestWriteFileAtomicLeavesNoTemporaryFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "msal-cache.bin")
	for _, content := range []string{"first", "second, longer content", "3"} {
		if err := writeFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("file = %q, want %q", got, content)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the cache file", len(entries))
	}
	assertModes(t, path)
}

func TestSealedCacheTimeoutDefault(t *testing.T) {
	ctx, cancel := withDefaultTimeout(context.Background())
	defer cancel()
	if _, ok := ctx.Deadline(); !ok {
		t.Error("a context without deadline got none")
	}
	parent, stop := context.WithTimeout(context.Background(), cacheTimeout*3)
	defer stop()
	ctx, cancel = withDefaultTimeout(parent)
	defer cancel()
	want, _ := parent.Deadline()
	if got, _ := ctx.Deadline(); !got.Equal(want) {
		t.Error("the caller's deadline was replaced")
	}
}

func assertModes(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if dir.Mode().Perm() != 0o700 {
		t.Errorf("%s has mode %v, want 0700", filepath.Dir(path), dir.Mode().Perm())
	}
}

func assertFileExists(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}

func assertFileMissing(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s still exists (stat: %v)", path, err)
	}
}
