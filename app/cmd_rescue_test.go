package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
)

// withStdin runs a command with text on its standard input.
func (c *cliAgainstSandbox) withStdin(text string, cmd func([]string, cliEnv) int, args ...string) int {
	c.env.stdin = strings.NewReader(text)
	defer func() { c.env.stdin = strings.NewReader("") }()
	return c.run(cmd, args...)
}

// signedInCLI is a sandbox where camille is signed in to Dynamics, with PINs not rate-limited
// unless a test asks for it.
func signedInCLI(t *testing.T) *cliAgainstSandbox {
	t.Helper()
	c := newCLIWith(t, sandbox.Options{PINInterval: time.Nanosecond})
	if code := c.run(runSignIn, "--device-code"); code != exitOK {
		t.Fatalf("signin: %d %s", code, c.errOut.String())
	}
	return c
}

// camilleCase is one of camille's open cases with a customer e-mail, as `cases --json` lists it.
func camilleCase(t *testing.T, c *cliAgainstSandbox) caseJSON {
	t.Helper()
	if code := c.run(runCases, "--json"); code != exitOK {
		t.Fatalf("cases: %d %s", code, c.errOut.String())
	}
	var cases []caseJSON
	if err := json.Unmarshal(c.out.Bytes(), &cases); err != nil {
		t.Fatal(err)
	}
	for _, cs := range cases {
		if cs.CustomerEmail != "" {
			return cs
		}
	}
	t.Fatal("camille has no open case with an e-mail")
	return caseJSON{}
}

func TestRescueAuthTakesSecretsOnlyFromStandardInput(t *testing.T) {
	c := signedInCLI(t)
	if code := c.run(runRescueAuth); code != exitUsage {
		t.Fatalf("no method: exit %d", code)
	}
	if code := c.run(runRescueAuth, "--email", "a@b", "--token"); code != exitUsage {
		t.Fatalf("two methods: exit %d", code)
	}
	if code := c.withStdin("", runRescueAuth, "--email", "camille@contoso-helpdesk.example"); code != exitUsage ||
		!strings.Contains(c.errOut.String(), "no password on standard input") {
		t.Fatalf("empty stdin: exit %d %q", code, c.errOut.String())
	}
	if code := c.withStdin("wrong\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example"); code != exitError ||
		c.errOut.String() != "rescue-companion: Rescue did not accept these credentials.\n" {
		t.Fatalf("wrong password: exit %d %q", code, c.errOut.String())
	}
	if code := c.withStdin("sandbox-camille\r\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example"); code != exitOK {
		t.Fatalf("rescue-auth: exit %d %s", code, c.errOut.String())
	}
	camille, _ := c.sb.World.Technician("camille")
	if !strings.Contains(c.out.String(), "Signed in to Rescue as camille@contoso-helpdesk.example") {
		t.Fatalf("said %q", c.out.String())
	}
	code, err := c.env.keyring().Get(t.Context(), "rescue-auth-code")
	if err != nil || len(code) < 20 {
		t.Fatalf("auth code in the keyring: %q %v", code, err)
	}
	_ = camille
}

func TestRescueAuthWithSSOAndWithAToken(t *testing.T) {
	c := signedInCLI(t)
	// No SSO password kept: it is read from standard input.
	if code := c.withStdin("sandbox-sso-master\n", runRescueAuth, "--sso-id", "sso-jordan"); code != exitOK {
		t.Fatalf("sso: exit %d %s", code, c.errOut.String())
	}
	if !strings.Contains(c.out.String(), "jordan@") {
		t.Fatalf("sso signed in as %q", c.out.String())
	}
	token, err := c.sb.Rescue.IssueAPIToken("priya")
	if err != nil {
		t.Fatal(err)
	}
	if code := c.withStdin(token+"\n", runRescueAuth, "--token"); code != exitOK || !strings.Contains(c.out.String(), "priya@") {
		t.Fatalf("token: exit %d %q %q", code, c.out.String(), c.errOut.String())
	}
	kept, _ := c.env.keyring().Get(t.Context(), "rescue-auth-code")
	if kept != token {
		t.Fatal("the token is not what the keyring keeps")
	}
}

func TestPINForACaseAsJSON(t *testing.T) {
	c := signedInCLI(t)
	cs := camilleCase(t, c)
	if code := c.run(runPIN, cs.Number); code != exitSignIn || !strings.Contains(c.errOut.String(), "rescue-auth") {
		t.Fatalf("pin before rescue-auth: exit %d %q", code, c.errOut.String())
	}
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")

	if code := c.run(runPIN, cs.Number, "--json"); code != exitOK {
		t.Fatalf("pin: exit %d %s", code, c.errOut.String())
	}
	var raw map[string]string
	if err := json.Unmarshal(c.out.Bytes(), &raw); err != nil || len(raw) != 4 {
		t.Fatalf("not one object with four keys: %v %s", err, c.out.String())
	}
	session, ok := c.sb.Rescue.SessionByPIN(raw["pin"])
	if !ok {
		t.Fatalf("no session for PIN %q", raw["pin"])
	}
	expires, err := time.Parse(time.RFC3339, raw["expires_at"])
	if err != nil || !strings.HasSuffix(raw["expires_at"], "Z") {
		t.Fatalf("expires_at %q", raw["expires_at"])
	}
	if d := time.Until(expires); d < 19*time.Minute || d > 20*time.Minute {
		t.Fatalf("expires in %v, want 20 minutes", d)
	}
	origin := strings.TrimSuffix(c.sb.RescueURL, "/API")
	if raw["case_number"] != cs.Number || raw["join_url"] != origin+"/R?i=2&Code="+raw["pin"] {
		t.Fatalf("json %v", raw)
	}
	if session.Tracking0 != cs.Number || session.CustomFields[1] != cs.CustomerEmail || session.CustomFields[0] == "" ||
		!strings.HasPrefix(session.CustomFields[5], "RC-") || session.TechKey != "camille" {
		t.Fatalf("session fields %+v", session)
	}

	// The first PIN created camille's technician settings record in Dynamics, with her Rescue ID.
	camille, _ := c.sb.World.Technician("camille")
	var mine []map[string]any
	for _, r := range c.sb.Dataverse.Records(dataverse.UserSettingSet) {
		if r["_ownerid_value"] == camille.SystemUserID {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || mine[0][dataverse.UserSettingTechnicianIDColumn] != itoa(camille.RescueNodeID) {
		t.Fatalf("technician records %v", mine)
	}
	if code := c.run(runPIN, cs.Number); code != exitOK || !strings.Contains(c.out.String(), "Join link: ") {
		t.Fatalf("second pin: %d %q", code, c.out.String())
	}
	if n := len(c.sb.Dataverse.Records(dataverse.UserSettingSet)); n != 2 { // jordan's seeded one and camille's
		t.Fatalf("%d technician records after a second PIN", n)
	}
}

func TestPINExitsThreeWhenTheRequiredConsoleIsNotRunning(t *testing.T) {
	c := signedInCLI(t)
	cs := camilleCase(t, c)
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	if err := c.sb.Rescue.SetConsole("camille", false); err != nil {
		t.Fatal(err)
	}
	before := len(c.sb.Rescue.Sessions())
	code := c.run(runPIN, cs.Number, "--json")
	if code != exitConsole || c.errOut.String() != "rescue-companion: the Rescue Technician Console is not running: start it, then try again\n" || c.out.Len() != 0 {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, c.errOut.String(), c.out.String())
	}
	if len(c.sb.Rescue.Sessions()) != before {
		t.Fatal("a session was created")
	}

	// The same organisation without the option: the PIN is issued for an offline technician.
	setOption(t, c.cfgFile, func(cfg *config.Config) { cfg.Options.RequireActiveConsole = false })
	if code := c.run(runPIN, cs.Number); code != exitOK {
		t.Fatalf("without the option: exit %d %s", code, c.errOut.String())
	}
}

func TestPINWithoutCField1(t *testing.T) {
	c := signedInCLI(t)
	cs := camilleCase(t, c)
	setOption(t, c.cfgFile, func(cfg *config.Config) { cfg.Options.DoNotSendCField1 = true })
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	if code := c.run(runPIN, cs.Number, "--json"); code != exitOK {
		t.Fatalf("pin: %d %s", code, c.errOut.String())
	}
	var raw pinJSON
	_ = json.Unmarshal(c.out.Bytes(), &raw)
	s, _ := c.sb.Rescue.SessionByPIN(raw.PIN)
	if s.CustomFields[1] != "" || s.CustomFields[0] == "" {
		t.Fatalf("cfield1 sent although the option says not to: %+v", s.CustomFields)
	}
}

func TestPINForAnUnknownCaseAndWithoutDynamicsSignIn(t *testing.T) {
	c := signedInCLI(t)
	number := camilleCase(t, c).Number
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	if code := c.run(runPIN, "CAS-99999-NOPE"); code != exitError || !strings.Contains(c.errOut.String(), `no open case of yours is numbered "CAS-99999-NOPE"`) {
		t.Fatalf("unknown case: %d %q", code, c.errOut.String())
	}
	if code := c.run(runPIN); code != exitUsage {
		t.Fatalf("no case number: %d", code)
	}
	c.run(runSignOut)
	if code := c.run(runPIN, number); code != exitSignIn {
		t.Fatalf("signed out of Dynamics: %d", code)
	}
}

func TestRevokedAuthCodeMeansExitFourAndIsForgotten(t *testing.T) {
	c := signedInCLI(t)
	cs := camilleCase(t, c)
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	// Another tool asks for a new auth code for camille: ours stops working.
	_, body := postSandbox(t, c.sb, c.sb.RescueURL+"/requestAuthCode.aspx", "email=camille%40contoso-helpdesk.example&pwd=sandbox-camille")
	if !strings.HasPrefix(body, "OK AUTHCODE:") {
		t.Fatalf("new authcode: %q", body)
	}
	if code := c.run(runPIN, cs.Number); code != exitSignIn || !strings.Contains(c.errOut.String(), "replaced or revoked") {
		t.Fatalf("exit %d %q", code, c.errOut.String())
	}
	if _, err := c.env.keyring().Get(t.Context(), "rescue-auth-code"); err == nil {
		t.Fatal("the refused auth code is still kept")
	}
}

// TestSecretsNeverLeak is the canary: the password, the auth code and the API token appear in no
// output, no settings file and no file of the state folder.
func TestSecretsNeverLeak(t *testing.T) {
	c := signedInCLI(t)
	cs := camilleCase(t, c)
	var seen bytes.Buffer
	record := func() { seen.Write(c.out.Bytes()); seen.Write(c.errOut.Bytes()) }

	c.withStdin("wrong-password-canary\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	record()
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	record()
	authcode, _ := c.env.keyring().Get(t.Context(), "rescue-auth-code")
	c.run(runPIN, cs.Number, "--json")
	record()
	token, _ := c.sb.Rescue.IssueAPIToken("camille")
	c.withStdin(token+"\n", runRescueAuth, "--token")
	record()
	c.sb.Rescue.FailNext("requestPINCode", 1)
	c.run(runPIN, cs.Number)
	record()

	secrets := []string{"wrong-password-canary", "sandbox-camille", authcode, token}
	files := []string{c.cfgFile}
	dir, _ := c.env.stateDir()
	_ = filepath.Walk(string(dir), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 2 {
		t.Fatalf("no state files to look into: %v", files)
	}
	for _, s := range secrets {
		if len(s) < 10 {
			t.Fatalf("a secret of the test is too short to look for: %q", s)
		}
		if strings.Contains(seen.String(), s) {
			t.Errorf("a secret was printed: %q", s)
		}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("a secret is in %s", f)
			}
		}
	}
}

func setOption(t *testing.T, path string, change func(*config.Config)) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	change(&cfg)
	if err := config.Save(path, cfg); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func postSandbox(t *testing.T, sb *sandbox.Sandbox, url, form string) (int, string) {
	t.Helper()
	resp, err := sb.Client().Post(url, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}
