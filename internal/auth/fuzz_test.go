package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// FuzzLoadCache feeds arbitrary cache files to an Authenticator: raw (as a damaged or foreign
// file would be) or sealed under the right key (so that what MSAL parses is arbitrary too).
// Loading must never panic, a file that does not unseal never yields an account, and an
// account only ever comes with persistence on.
func FuzzLoadCache(f *testing.F) {
	account := `{"Account":{"oid.tid-127.0.0.1:1-tid":{"home_account_id":"oid.tid","environment":"127.0.0.1:1",` +
		`"realm":"tid","local_account_id":"oid","authority_type":"MSSTS","username":"camille@contoso.example"}},` +
		`"AccessToken":{},"RefreshToken":{},"IdToken":{},"AppMetadata":{}}`
	f.Add([]byte(account), true)
	f.Add([]byte(`{}`), true)
	f.Add([]byte(`{"Account":{"x":{"home_account_id":1}}}`), true)
	f.Add([]byte(`{"Account":null,"RefreshToken":[]}`), true)
	f.Add([]byte(`[]`), true)
	f.Add([]byte(account), false)
	f.Add([]byte{1, 2, 3}, false)
	f.Add([]byte{}, false)

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		store := secrets.NewMemory()
		ctx := context.Background()
		key, err := secrets.SealedKey(ctx, store, CacheKeyName)
		if err != nil {
			t.Fatal(err)
		}
		file := data
		if seal {
			if file, err = secrets.Seal(key, data); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, "msal-cache.bin")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := New(Config{
			Authority: "https://127.0.0.1:1",
			TenantID:  "tid",
			ClientID:  testClientID,
			Resource:  testResource,
			OpenURL:   func(string) error { return nil },
			CacheFile: path,
			Secrets:   store,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, found := a.Account(ctx)
		persisted, reason := a.Persistence()
		if found && !seal {
			if _, err := secrets.Open(key, data); err != nil {
				t.Fatal("an account from a file that does not unseal")
			}
		}
		if found && !persisted {
			t.Fatalf("an account from a file reported unreadable: %q", reason)
		}
	})
}
