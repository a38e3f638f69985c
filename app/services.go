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
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// storeKeyName is the keyring entry holding the local store's sealing key.
const storeKeyName = "store-key"

// services are the app's parts, built once from the settings and shared by the window and the CLI.
type services struct {
	cfg    config.Config
	auth   *auth.Authenticator
	dyn    *dynamics.Client
	rc     *rescue.Client
	store  *lazyStore
	cases  *lazyCases
	rescue *lazyRescue
	desk   *lazyDesk
	relay  *companion.WaitRelay
	opener browser.Opener
	mailer browser.Opener
	keys   secrets.Store
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
	rc, err := rescue.New(cfg.Rescue.Endpoint, rescue.Options{HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	st := &lazyStore{keyring: keyring, path: dir.store()}
	svc := &services{
		cfg:    cfg,
		auth:   a,
		dyn:    dyn,
		rc:     rc,
		store:  st,
		relay:  relay,
		opener: opener,
		mailer: browser.OpenMail,
		keys:   keyring,
		cases:  &lazyCases{source: dyn, store: st},
		rescue: &lazyRescue{api: rc, keyring: keyring, store: st, settings: rescueSettings(cfg)},
	}
	svc.desk = &lazyDesk{svc: svc}
	return svc, nil
}

// rescueSettings are the organisation's options that shape a PIN request.
func rescueSettings(cfg config.Config) companion.RescueSettings {
	return companion.RescueSettings{
		RequireConsole:   cfg.Options.RequireActiveConsole,
		SendEmail:        !cfg.Options.DoNotSendCField1,
		CorrelationField: cfg.Rescue.CorrelationIndex(),
		PINValidity:      time.Duration(cfg.Rescue.PINValidityMinutes) * time.Minute,
	}
}

// technicians is the technician settings table as the settings name it.
func (s *services) technicians() companion.Technicians {
	d := s.cfg.Dataverse
	return companion.Technicians{Source: s.dyn, Table: dynamics.TechnicianTable{
		Set: d.TechnicianTable, IDColumn: d.TechnicianIDColumn, SSOColumn: d.TechnicianSSOColumn,
	}}
}

// close releases the store, if it was opened.
func (s *services) close() { s.store.close() }

// lazyStore opens the local store the first time it is needed, because that needs the keyring,
// which may be slow or locked: never on the UI goroutine, never before the window shows.
type lazyStore struct {
	keyring secrets.Store
	path    string

	once    sync.Once
	st      *store.Store
	problem error // why nothing is kept for next time, if so
}

// get is the store, or nil with problem set when it cannot be opened.
func (l *lazyStore) get() *store.Store {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		key, err := secrets.SealedKey(ctx, l.keyring, storeKeyName)
		if err == nil {
			l.st, err = store.Open(l.path, key, store.Options{})
		}
		if err != nil {
			l.problem = fmt.Errorf("kept in memory only: %w", err)
		}
	})
	return l.st
}

func (l *lazyStore) close() {
	if l.st != nil {
		_ = l.st.Close()
	}
}

// lazyCases builds "my open cases" on the store once it is open.
type lazyCases struct {
	source companion.CaseSource
	store  *lazyStore

	once  sync.Once
	cases *companion.Cases
}

func (l *lazyCases) get() *companion.Cases {
	l.once.Do(func() {
		var kv companion.KeyValue
		if st := l.store.get(); st != nil {
			kv = st
		}
		l.cases = companion.NewCases(l.source, kv, nil)
	})
	return l.cases
}

// lazyRescue builds the Rescue side on the store once it is open.
type lazyRescue struct {
	api      companion.RescueAPI
	keyring  secrets.Store
	store    *lazyStore
	settings companion.RescueSettings

	once sync.Once
	r    *companion.Rescue
}

func (l *lazyRescue) get() *companion.Rescue {
	l.once.Do(func() {
		var j companion.Journal
		if st := l.store.get(); st != nil {
			j = st
		}
		l.r = companion.NewRescue(l.api, l.keyring, j, l.settings, companion.RescueOptions{})
	})
	return l.r
}
