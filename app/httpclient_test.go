package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
)

type recordingRT struct{ hosts []string }

func (r *recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hosts = append(r.hosts, req.URL.Host)
	return &http.Response{StatusCode: 204, Body: http.NoBody, Request: req}, nil
}

func TestSandboxCATrustedOnlyForLoopback(t *testing.T) {
	loop, other := &recordingRT{}, &recordingRT{}
	c := &http.Client{Transport: loopbackSplit{loopback: loop, other: other}}
	for _, u := range []string{"https://127.0.0.1:4443/x", "https://[::1]:4443/x", "https://localhost/x", "https://contoso.crm4.dynamics.com/x", "https://127.0.0.1.nip.io/x"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if strings.Join(loop.hosts, ",") != "127.0.0.1:4443,[::1]:4443,localhost" {
		t.Fatalf("through the sandbox CA: %v", loop.hosts)
	}
	if strings.Join(other.hosts, ",") != "contoso.crm4.dynamics.com,127.0.0.1.nip.io" {
		t.Fatalf("through the system roots: %v", other.hosts)
	}
}

func TestClientReachesARunningSandbox(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, sb.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := sandboxConfig(sb, ca)
	c, err := httpClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(sb.DynamicsURL + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("state: %d", resp.StatusCode)
	}
	// Without the sandbox settings, the same sandbox is not trusted.
	plain, _ := httpClient(config.Default())
	if _, err := plain.Get(sb.DynamicsURL + "/_sandbox/state"); err == nil {
		t.Fatal("the sandbox was trusted without its CA")
	}
}

func TestMissingCAFileIsNamed(t *testing.T) {
	cfg := config.Default()
	cfg.Rescue.Instance = config.InstanceSandbox
	cfg.Sandbox.CAFile = "/nonexistent/ca.pem"
	if _, err := httpClient(cfg); err == nil || !strings.Contains(err.Error(), "sandbox.ca_file") {
		t.Fatalf("got %v", err)
	}
}
