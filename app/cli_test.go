package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
)

// FyneApp.toml is the single source of the app's identity; the binary must say the same.
func TestIdentityMatchesFyneAppToml(t *testing.T) {
	var meta struct {
		Details struct{ ID, Name, Version string }
	}
	if _, err := toml.DecodeFile(filepath.Join("..", "FyneApp.toml"), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Details.Version != version || meta.Details.ID != appID || meta.Details.Name != "Rescue Companion" {
		t.Fatalf("FyneApp.toml says %+v; the binary says version %s, ID %s", meta.Details, version, appID)
	}
}

func TestVersionCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.String() != "rescue-companion "+version+"\n" {
		t.Fatalf("printed %q", out.String())
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errOut); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr %q", errOut.String())
	}
	if code := run([]string{"--no-such-flag"}, &out, &errOut); code != exitUsage {
		t.Fatalf("bad flag: exit %d", code)
	}
}

func TestBrokenConfigIsOneLineAndExitsOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[dynamics]\nurl = \"http://crm.example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"--config", path}, &out, &errOut); code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	msg := strings.TrimSpace(errOut.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "dynamics.url") {
		t.Fatalf("want one line naming dynamics.url, got %q", msg)
	}
}

// The settings the sandbox command writes must load and validate, and point at the running fakes.
func TestSandboxFilesLoadAndValidate(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	caFile, cfgFile, err := writeSandboxFiles(sb, dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(cfgFile)
	if err != nil {
		t.Fatalf("the sandbox's own settings do not validate: %v", err)
	}
	if cfg.Dynamics.URL != sb.DynamicsURL || cfg.Rescue.Endpoint != sb.RescueURL || cfg.Sandbox.CAFile != caFile ||
		cfg.Rescue.Instance != "sandbox" || cfg.Dynamics.TenantID != sb.Tenant() {
		t.Fatalf("settings do not point at the sandbox: %+v", cfg)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil || !bytes.Equal(pem, sb.CAPEM()) {
		t.Fatalf("ca.pem: %v", err)
	}
	var out bytes.Buffer
	printSandbox(&out, sb, caFile, cfgFile)
	for _, want := range []string{sb.DynamicsURL, sb.RescueURL, sb.AuthorityURL + "/" + sb.Tenant(), "--config " + cfgFile} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner does not show %q", want)
		}
	}
}
