package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// childEnv makes the test binary run the command line instead of the tests: the kill tests start
// the real command as a separate process and kill it.
const childEnv = "RC_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// fastSync are the sync flags that let a paced sandbox session finish in a second.
var fastSync = []string{"--poll", "20ms", "--report-every", "10ms", "--timeout", "60s"}

// pacedCLI is a sandbox whose sessions move on their own every 200 ms, with camille signed in to
// Dynamics and Rescue and the solution's options set by change.
func pacedCLI(t *testing.T, change func(*config.Config)) *cliAgainstSandbox {
	t.Helper()
	c := newCLIWith(t, sandbox.Options{Pace: 200 * time.Millisecond, PINInterval: time.Nanosecond, ReportInterval: 10 * time.Millisecond})
	if change != nil {
		setOption(t, c.cfgFile, change)
	}
	if code := c.run(runSignIn, "--device-code"); code != exitOK {
		t.Fatalf("signin: %d %s", code, c.errOut.String())
	}
	if code := c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example"); code != exitOK {
		t.Fatalf("rescue-auth: %d %s", code, c.errOut.String())
	}
	return c
}

// pin issues a PIN for one of camille's cases and returns the case and the PIN.
func (c *cliAgainstSandbox) pin(t *testing.T) (caseJSON, pinJSON) {
	t.Helper()
	cs := camilleCase(t, c)
	if code := c.run(runPIN, cs.Number, "--json"); code != exitOK {
		t.Fatalf("pin: %d %s", code, c.errOut.String())
	}
	var p pinJSON
	if err := json.Unmarshal(c.out.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return cs, p
}

// caseRecords are the session records on a case in the fake Dataverse.
func (c *cliAgainstSandbox) caseRecords(caseID string) []map[string]any {
	var out []map[string]any
	for _, r := range c.sb.Dataverse.Records(dataverse.SessionSet) {
		if r[dataverse.SessionCaseLookup] == caseID {
			out = append(out, r)
		}
	}
	return out
}

func TestSyncWaitWritesTheSessionAndSessionsListsIt(t *testing.T) {
	c := pacedCLI(t, nil)
	cs, p := c.pin(t)
	if code := c.run(runSync, append([]string{"--wait"}, fastSync...)...); code != exitOK {
		t.Fatalf("sync: %d %s", code, c.errOut.String())
	}
	if !strings.Contains(c.out.String(), "0 sessions followed, 0 writes pending, 0 parked") {
		t.Fatalf("sync said %q", c.out.String())
	}
	recs := c.caseRecords(cs.ID)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	session, _ := c.sb.Rescue.SessionByPIN(p.PIN)

	if code := c.run(runSessions, "--json", "--since", "1d"); code != exitOK {
		t.Fatalf("sessions: %d %s", code, c.errOut.String())
	}
	var list []map[string]any
	if err := json.Unmarshal(c.out.Bytes(), &list); err != nil || len(list) != 1 {
		t.Fatalf("sessions --json: %v %s", err, c.out.String())
	}
	row := list[0]
	for _, k := range []string{"session_id", "case_number", "technician", "status", "start", "end", "active_seconds"} {
		if _, ok := row[k]; !ok {
			t.Fatalf("row lacks %q: %v", k, row)
		}
	}
	if row["session_id"] != float64(session.ID) || row["case_number"] != cs.Number || !strings.HasSuffix(row["start"].(string), "Z") {
		t.Fatalf("row %v", row)
	}
	if code := c.run(runSessions, "--case", cs.Number); code != exitOK || !strings.Contains(c.out.String(), "1 sessions") {
		t.Fatalf("sessions --case: %d %q %q", code, c.out.String(), c.errOut.String())
	}
	if code := c.run(runSession, fmt.Sprint(session.ID), "--json"); code != exitOK {
		t.Fatalf("session: %d %s", code, c.errOut.String())
	}
	var one sessionJSON
	if err := json.Unmarshal(c.out.Bytes(), &one); err != nil || one.SessionID != session.ID || len(one.Chat) == 0 || one.Notes == "" {
		t.Fatalf("session --json: %v %s", err, c.out.String())
	}
	if code := c.run(runSessions, "--since", "yesterday"); code != exitUsage {
		t.Fatalf("bad --since: %d", code)
	}
	if code := c.run(runSession, "nope"); code != exitUsage {
		t.Fatalf("bad session ID: %d", code)
	}
}

func TestSyncReportsAnUnmappedTechnician(t *testing.T) {
	// Sessions move only when the test says so.
	c := newCLIWith(t, sandbox.Options{PINInterval: time.Nanosecond, ReportInterval: 10 * time.Millisecond})
	setOption(t, c.cfgFile, func(cfg *config.Config) { cfg.Options.ReassignCaseAtSessionStart = true })
	c.run(runSignIn, "--device-code")
	c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example")
	_ = c.sb.Rescue.SetConsole("priya", true)
	cs, p := c.pin(t)
	session, _ := c.sb.Rescue.SessionByPIN(p.PIN)
	syncOnce := func() {
		t.Helper()
		if code := c.run(runSync, fastSync...); code != exitOK {
			t.Fatalf("sync: %d %s", code, c.errOut.String())
		}
	}
	_ = c.sb.Rescue.Advance(session.ID) // waiting
	_ = c.sb.Rescue.Advance(session.ID) // active with camille
	syncOnce()
	// priya, who has no technician settings record in Dynamics, takes the session over.
	if err := c.sb.Rescue.Transfer(session.ID, "priya", ""); err != nil {
		t.Fatal(err)
	}
	syncOnce()
	_ = c.sb.Rescue.Advance(session.ID) // active with priya
	syncOnce()
	_ = c.sb.Rescue.Advance(session.ID) // closed by priya
	code := c.run(runSync, append([]string{"--wait"}, fastSync...)...)
	if code != exitError || !strings.Contains(c.errOut.String(), "no technician settings record") {
		t.Fatalf("sync: %d %q", code, c.errOut.String())
	}
	if len(c.caseRecords(cs.ID)) != 1 {
		t.Fatal("the session record was not written")
	}
}

// TestKilledBetweenAnyTwoStepsLosesAndRepeatsNothing runs `sync --wait` as its own process, kills it
// with SIGKILL at each step of a session's story, then syncs again: the case ends with exactly one
// session record, deactivated as the organisation asks, and nothing pending.
func TestKilledBetweenAnyTwoStepsLosesAndRepeatsNothing(t *testing.T) {
	if os.Getenv("RC_REAL_KEYRING") != "1" {
		t.Skip("needs the real keyring, shared between processes (scripts/test.sh provides one)")
	}
	for _, step := range []string{"details", "enqueued", "upsert", "deactivate"} {
		t.Run(step, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			c := pacedCLIWithRealKeyring(t)
			cs, _ := c.pin(t)

			child := exec.Command(os.Args[0], append([]string{"sync", "--wait", "--config", c.cfgFile}, fastSync...)...)
			child.Env = append(os.Environ(), childEnv+"=1", haltEnv+"="+step)
			stderr, _ := child.StderrPipe()
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			if err := waitForLine(stderr, "halted at "+step, 60*time.Second); err != nil {
				_ = child.Process.Kill()
				t.Fatalf("the child never reached %s: %v", step, err)
			}
			if err := child.Process.Kill(); err != nil { // SIGKILL: no deferred function runs
				t.Fatal(err)
			}
			_ = child.Wait()

			if code := c.run(runSync, append([]string{"--wait"}, fastSync...)...); code != exitOK {
				t.Fatalf("sync after the kill: %d %s", code, c.errOut.String())
			}
			recs := c.caseRecords(cs.ID)
			if len(recs) != 1 || fmt.Sprint(recs[0]["statecode"]) != "1" {
				t.Fatalf("after a kill at %s: %d records %v", step, len(recs), recs)
			}
		})
	}
}

// pacedCLIWithRealKeyring is pacedCLI whose commands use the OS keyring and the user's state
// folder, as a separate process of the app does.
func pacedCLIWithRealKeyring(t *testing.T) *cliAgainstSandbox {
	t.Helper()
	c := newCLIWith(t, sandbox.Options{Pace: 200 * time.Millisecond, PINInterval: time.Nanosecond, ReportInterval: 10 * time.Millisecond})
	c.env.keyring = func() secrets.Store { return secrets.NewKeyring(0) }
	c.env.stateDir = defaultStateDir
	setOption(t, c.cfgFile, func(cfg *config.Config) { cfg.Options.CloseRequestAtSessionEnd = true })
	if code := c.run(runSignIn, "--device-code"); code != exitOK {
		t.Fatalf("signin: %d %s", code, c.errOut.String())
	}
	if code := c.withStdin("sandbox-camille\n", runRescueAuth, "--email", "camille@contoso-helpdesk.example"); code != exitOK {
		t.Fatalf("rescue-auth: %d %s", code, c.errOut.String())
	}
	return c
}

// waitForLine reads r until a line holds want, or the time is up.
func waitForLine(r interface{ Read([]byte) (int, error) }, want string, within time.Duration) error {
	found := make(chan error, 1)
	var seen bytes.Buffer
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), want) {
				found <- nil
				return
			}
		}
		found <- fmt.Errorf("the output ended: %q", seen.String())
	}()
	select {
	case err := <-found:
		return err
	case <-time.After(within):
		return fmt.Errorf("no %q within %v", want, within)
	}
}

func TestTeamSessionsAsCSVAndDoctor(t *testing.T) {
	c := pacedCLI(t, nil)
	cs, p := c.pin(t)
	if code := c.run(runSync, append([]string{"--wait"}, fastSync...)...); code != exitOK {
		t.Fatalf("sync: %d %s", code, c.errOut.String())
	}
	session, _ := c.sb.Rescue.SessionByPIN(p.PIN)
	if code := c.run(runSessions, "--team", "--since", "7d", "--csv"); code != exitOK {
		t.Fatalf("sessions --team --csv: %d %s", code, c.errOut.String())
	}
	rows, err := csv.NewReader(bytes.NewReader(c.out.Bytes())).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v %q", err, c.out.String())
	}
	header := strings.Join(rows[0], ",")
	if !strings.HasPrefix(header, "session_id,case_number,customer,technician,status,resolved,start,end") {
		t.Fatalf("header %q", header)
	}
	if rows[1][0] != fmt.Sprint(session.ID) || rows[1][1] != cs.Number {
		t.Fatalf("row %q", rows[1])
	}

	if code := c.run(runDoctor); code != exitOK {
		t.Fatalf("doctor: %d\n%s%s", code, c.out.String(), c.errOut.String())
	}
	if lines := strings.Count(c.out.String(), "\n"); lines < 8 || strings.Contains(c.out.String(), "FAIL") {
		t.Fatalf("doctor said:\n%s", c.out.String())
	}
	_ = c.sb.Rescue.SetConsole("camille", false)
	if code := c.run(runDoctor, "--json"); code != exitError {
		t.Fatalf("doctor with the console off: %d\n%s", code, c.out.String())
	}
	var checks []map[string]any
	if err := json.Unmarshal(c.out.Bytes(), &checks); err != nil || len(checks) < 8 {
		t.Fatalf("doctor --json: %v %s", err, c.out.String())
	}
}
