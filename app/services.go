package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/browser"
	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// storeKeyName is the keyring entry holding the local store's sealing key.
const storeKeyName = "store-key"

// services are the app's parts, built once from the settings and shared by the window and the CLI.
type services struct {
	auth   *auth.Authenticator
	dyn    *dynamics.Client
	cases  *lazyCases
	relay  *companion.WaitRelay
	opener browser.Opener
}

// stateDir is where the app keeps its token cache and its store.
type stateDir string

func (d stateDir) tokenCache() string { return filepath.Join(string(d), "msal-cache.bin") }
func (d stateDir) store() string      { return filepath.Join(string(d), "state.db") }

// defaultStateDir is the user's config directory for the app.
func defaultStateDir() (stateDir, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return stateDir(filepath.Join(base, "rescue-companion")), nil
}

// buildServices wires the clients. It makes no network call and does not touch the keyring: both
// happen later, off the UI goroutine, when first needed.
func buildServices(cfg config.Config, dir stateDir, hc *http.Client, keyring secrets.Store, opener browser.Opener) (*services, error) {
	if opener == nil {
		opener = browser.Open
	}
	a, err := auth.New(auth.Config{
		Authority:  cfg.Dynamics.Authority,
		TenantID:   cfg.Dynamics.TenantID,
		ClientID:   cfg.Dynamics.ClientID,
		Resource:   cfg.Dynamics.URL,
		HTTPClient: hc,
		OpenURL:    opener,
		CacheFile:  dir.tokenCache(),
		Secrets:    keyring,
	})
	if err != nil {
		return nil, err
	}
	relay := &companion.WaitRelay{}
	dyn, err := dynamics.New(cfg.Dynamics.URL, a, dynamics.Options{HTTPClient: hc, OnWait: relay.Notify})
	if err != nil {
		return nil, err
	}
	return &services{
		auth:   a,
		dyn:    dyn,
		relay:  relay,
		opener: opener,
		cases:  &lazyCases{source: dyn, keyring: keyring, path: dir.store()},
	}, nil
}

// lazyCases opens the store the first time the case list is needed, because that needs the keyring,
// which may be slow or locked: never on the UI goroutine, never before the window shows.
type lazyCases struct {
	source  companion.CaseSource
	keyring secrets.Store
	path    string

	once    sync.Once
	cases   *companion.Cases
	st      *store.Store
	problem error // why the list lives in memory only, if it does
}

func (l *lazyCases) get() *companion.Cases {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var kv companion.KeyValue
		key, err := secrets.SealedKey(ctx, l.keyring, storeKeyName)
		if err == nil {
			l.st, err = store.Open(l.path, key, store.Options{})
		}
		if err != nil {
			l.problem = fmt.Errorf("cases are kept in memory only: %w", err)
		} else {
			kv = l.st
		}
		l.cases = companion.NewCases(l.source, kv, nil)
	})
	return l.cases
}

// close releases the store, if it was opened.
func (l *lazyCases) close() {
	if l.st != nil {
		_ = l.st.Close()
	}
}
