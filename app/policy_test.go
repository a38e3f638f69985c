package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/policy"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// withPolicy makes loadConfig see p as IT's policy for one test.
func withPolicy(t *testing.T, p policy.Policy, err error) {
	t.Helper()
	old := loadPolicy
	loadPolicy = func(context.Context) (policy.Policy, error) { return p, err }
	t.Cleanup(func() { loadPolicy = old })
}

func TestPolicyOverridesAndLocksTheUsersSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	user := config.Default()
	user.Dynamics.URL = "https://mine.crm4.dynamics.com"
	user.Dynamics.TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	user.Options.RequireActiveConsole = false
	if err := config.Save(path, user); err != nil {
		t.Fatal(err)
	}
	withPolicy(t, policy.Policy{Source: "test", Values: map[string]any{
		"dynamics.url": "https://contoso.crm4.dynamics.com/", "options.require_active_console": true,
	}}, nil)
	cfg, locked, err := loadConfigLocked(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dynamics.URL != "https://contoso.crm4.dynamics.com" || !cfg.Options.RequireActiveConsole {
		t.Fatalf("policy not applied: %+v", cfg)
	}
	if !locked.Has("dynamics.url") || !locked.Has("options.require_active_console") || locked.Has("dynamics.tenant_id") {
		t.Fatalf("locked %v", locked)
	}
	if saved, _ := config.Load(path); saved.Dynamics.URL != user.Dynamics.URL {
		t.Fatal("the policy leaked into the user's file")
	}
}

func TestAPolicyAloneConfiguresAFreshInstall(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "config.toml")
	withPolicy(t, policy.Policy{}, nil)
	if _, err := loadConfig(missing); err == nil || !strings.Contains(err.Error(), "no settings file") {
		t.Fatalf("no file and no policy: %v", err)
	}
	withPolicy(t, policy.Policy{Source: "msi", Values: map[string]any{
		"dynamics.url": "https://contoso.crm4.dynamics.com", "dynamics.tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
	}}, nil)
	cfg, err := loadConfig(missing)
	if err != nil || cfg.Dynamics.URL != "https://contoso.crm4.dynamics.com" {
		t.Fatalf("%+v %v", cfg, err)
	}
	withPolicy(t, policy.Policy{Source: "msi", Values: map[string]any{"dynamics.url": "http://contoso.example"}}, nil)
	if _, err := loadConfig(missing); err == nil || !strings.Contains(err.Error(), "dynamics.url") {
		t.Fatalf("a bad policy value: %v", err)
	}
}

func TestSavingSettingsKeepsTheUsersOwnValueOfAManagedSetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	own := config.Default()
	own.Dynamics.URL = "https://mine.crm4.dynamics.com"
	own.Dynamics.TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	if err := config.Save(path, own); err != nil {
		t.Fatal(err)
	}
	withPolicy(t, policy.Policy{Source: "test", Values: map[string]any{"dynamics.url": "https://contoso.crm4.dynamics.com"}}, nil)
	svc := &services{cfg: own, keys: secrets.NewMemory()}
	svc.rescue = &lazyRescue{keyring: svc.keys, store: &lazyStore{keyring: svc.keys, path: filepath.Join(t.TempDir(), "s.db")}}
	s := uiSettings{svc: svc, path: path}
	form, err := s.Load(context.Background())
	if err != nil || form.Config.Dynamics.URL != "https://contoso.crm4.dynamics.com" || !form.Locked["dynamics.url"] {
		t.Fatalf("load: %+v %v", form, err)
	}
	form.Config.Options.DoNotSendCField1 = true
	form.SSOPassword = "company-sso-secret"
	if err := s.Save(context.Background(), form); err != nil {
		t.Fatal(err)
	}
	saved, _ := config.Load(path)
	if saved.Dynamics.URL != "https://mine.crm4.dynamics.com" || !saved.Options.DoNotSendCField1 {
		t.Fatalf("saved %+v", saved)
	}
	if pw, _ := svc.keys.Get(context.Background(), ssoPasswordKey); pw != "company-sso-secret" {
		t.Fatal("the SSO password was not kept in the keyring")
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "company-sso-secret") {
		t.Fatal("the SSO password is in the settings file")
	}
	form.Config.Dynamics.TenantID = "not-a-guid"
	if err := s.Save(context.Background(), form); err == nil {
		t.Fatal("an invalid tenant was saved")
	}
}
