package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/textmatch"
)

// cliAgainstSandbox runs the headless commands the way a script would, against a running sandbox,
// with a keyring in memory shared across the commands (as the OS keyring is across processes).
type cliAgainstSandbox struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	cfgFile string
	env     cliEnv
	out     *bytes.Buffer
	errOut  *bytes.Buffer
}

func newCLIAgainstSandbox(t *testing.T) *cliAgainstSandbox {
	t.Helper()
	return newCLIWith(t, sandbox.Options{})
}

// newCLIWith starts the sandbox with opts; device-code sign-ins are approved as camille.
func newCLIWith(t *testing.T, opts sandbox.Options) *cliAgainstSandbox {
	t.Helper()
	opts.AutoApproveDevice, opts.DeviceUser = true, "camille"
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	_, cfgFile, err := writeSandboxFiles(sb, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keyring := secrets.NewMemory()
	state := stateDir(t.TempDir())
	c := &cliAgainstSandbox{t: t, sb: sb, cfgFile: cfgFile, out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}
	c.env = cliEnv{
		stdin: strings.NewReader(""), stdout: c.out, stderr: c.errOut,
		keyring: func() secrets.Store { return keyring }, stateDir: func() (stateDir, error) { return state, nil },
	}
	return c
}

func (c *cliAgainstSandbox) run(cmd func([]string, cliEnv) int, args ...string) int {
	c.out.Reset()
	c.errOut.Reset()
	return cmd(append(args, "--config", c.cfgFile), c.env)
}

func TestCLISignInCasesSignOut(t *testing.T) {
	c := newCLIAgainstSandbox(t)
	if code := c.run(runCases, "--json"); code != exitSignIn || !strings.Contains(c.errOut.String(), "sign-in needed") {
		t.Fatalf("cases before sign-in: exit %d, %q", code, c.errOut.String())
	}
	if code := c.run(runSignIn, "--device-code"); code != exitOK {
		t.Fatalf("signin: exit %d, %s", code, c.errOut.String())
	}
	if !strings.Contains(c.out.String(), "enter the code") || !strings.Contains(c.out.String(), "Signed in as camille@") {
		t.Fatalf("signin said %q", c.out.String())
	}

	if code := c.run(runCases, "--json"); code != exitOK {
		t.Fatalf("cases: exit %d, %s", code, c.errOut.String())
	}
	var raw []map[string]any
	if err := json.Unmarshal(c.out.Bytes(), &raw); err != nil {
		t.Fatalf("not one JSON array: %v", err)
	}
	camille, _ := c.sb.World.Technician("camille")
	want := 0
	for _, cs := range c.sb.World.Cases {
		if cs.OwnerID == camille.SystemUserID && cs.StateCode == 0 {
			want++
		}
	}
	if len(raw) != want {
		t.Fatalf("%d cases, want camille's %d open ones", len(raw), want)
	}
	keys := []string{"customer", "customer_email", "id", "modified", "number", "priority", "status", "title"}
	for _, row := range raw {
		if len(row) != len(keys) {
			t.Fatalf("keys %v, want exactly %v", row, keys)
		}
		for _, k := range keys {
			if _, ok := row[k]; !ok {
				t.Fatalf("row lacks %q: %v", k, row)
			}
		}
		if m := row["modified"].(string); !strings.HasSuffix(m, "Z") {
			t.Fatalf("modified %q is not RFC 3339 UTC", m)
		}
	}

	// Search folds case and accents, as the window does: the first case's customer, shouted and
	// without accents, still finds it.
	first := raw[0]
	query := strings.ToUpper(textmatch.Fold(first["customer"].(string)))
	if code := c.run(runCases, "--json", "--search", query); code != exitOK {
		t.Fatalf("search: exit %d", code)
	}
	var found []caseJSON
	_ = json.Unmarshal(c.out.Bytes(), &found)
	if len(found) == 0 || len(found) >= want {
		t.Fatalf("search %q kept %d of %d", query, len(found), want)
	}
	for _, f := range found {
		if f.Customer != first["customer"] {
			t.Fatalf("search %q kept %q", query, f.Customer)
		}
	}
	if code := c.run(runCases, "--search", first["number"].(string)); code != exitOK || !strings.Contains(c.out.String(), "1 open cases") {
		t.Fatalf("search by number: %d %q", code, c.out.String())
	}

	if code := c.run(runSignOut); code != exitOK {
		t.Fatalf("signout: exit %d %s", code, c.errOut.String())
	}
	if code := c.run(runCases); code != exitSignIn {
		t.Fatalf("cases after signout: exit %d", code)
	}
}

func TestCLIRefusedRefreshIsExitFour(t *testing.T) {
	c := newCLIAgainstSandbox(t)
	if code := c.run(runSignIn, "--device-code"); code != exitOK {
		t.Fatalf("signin: %d %s", code, c.errOut.String())
	}
	c.sb.Entra.RevokeAll()
	if code := c.run(runCases); code != exitSignIn {
		t.Fatalf("cases with a revoked sign-in: exit %d, %s", code, c.errOut.String())
	}
}

func TestCLIUsageErrors(t *testing.T) {
	c := newCLIAgainstSandbox(t)
	if code := c.run(runCases, "--bogus"); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
}
