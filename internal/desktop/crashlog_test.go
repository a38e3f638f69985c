package desktop

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Secrets that must never reach a report: an auth code and a token after their keywords, a short
// password only the app knows, and a JWT.
const (
	authCodeCanary = "CANARYauthcode0123456789abcdefXYZ"
	bearerCanary   = "CANARYbearer.0123456789-abcdef_XYZ"
	appSecret      = "hunter2!"
	jwtCanary      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJlQ0FOQVJZ"
)

var canaries = []string{authCodeCanary, bearerCanary, appSecret, jwtCanary, "CANARY"}

func canaryMessage() string {
	return fmt.Sprintf("rescue: POST failed: authcode=%s&pin=1; Authorization: Bearer %s; sso=%s; id_token %s",
		authCodeCanary, bearerCanary, appSecret, jwtCanary)
}

// testCrashLog installs a crash log in a temporary dir with exit and stderr captured.
func testCrashLog(t *testing.T, redact func(string) string) (dir string, exits <-chan int, stderr *syncBuffer) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "crash")
	_, stop := InstallCrashLog(dir, redact)
	codes := make(chan int, 4)
	stderr = &syncBuffer{}
	oldExit, oldStderr := exitProcess, crashStderr
	exitProcess, crashStderr = func(code int) { codes <- code }, stderr
	t.Cleanup(func() {
		stop()
		exitProcess, crashStderr = oldExit, oldStderr
	})
	return dir, codes, stderr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func reports(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	return paths
}

func panicWithSecrets() { panic(canaryMessage()) }

func TestGuardWritesOneRedactedReportWithAStack(t *testing.T) {
	var known Secrets
	known.Add(appSecret)
	dir, exits, stderr := testCrashLog(t, known.Redact)
	Guard(panicWithSecrets)
	if code := <-exits; code != CrashExitCode {
		t.Fatalf("exit code %d", code)
	}
	files := reports(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d reports, want 1", len(files))
	}
	report := readFile(t, files[0])
	for _, want := range []string{
		"Rescue Companion crash report\n",
		"panic: rescue: POST failed: authcode=[redacted]&pin=1; Authorization: Bearer [redacted]; sso=[redacted]; id_token [redacted]\n",
		"goroutine ", "desktop.panicWithSecrets", "desktop.Guard",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	for _, c := range canaries {
		if strings.Contains(report, c) || strings.Contains(stderr.String(), c) {
			t.Errorf("%q leaked", c)
		}
	}
	if want := "a crash report was saved to " + files[0] + "\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr %q", stderr.String())
	}
	wantMode(t, files[0], 0o600)
}

func TestGuardLetsANormalReturnThrough(t *testing.T) {
	dir, exits, _ := testCrashLog(t, nil)
	ran := false
	Guard(func() { ran = true })
	if !ran || len(exits) != 0 || len(reports(t, dir)) != 0 {
		t.Fatal("Guard must run f and report nothing when f returns")
	}
}

func TestGoReportsAPanicInAGoroutine(t *testing.T) {
	dir, exits, _ := testCrashLog(t, nil)
	Go(func() { panic(errors.New("token=" + authCodeCanary)) })
	<-exits
	files := reports(t, dir)
	if len(files) != 1 || !strings.Contains(readFile(t, files[0]), "panic: token=[redacted]\n") {
		t.Fatalf("reports %v", files)
	}
}

func TestReportsAreRotatedKeepingTheNewestFive(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "instance.sock"), "not a report")
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := &crashLog{dir: dir, keep: keepCrashLogs, now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	for i := range 7 {
		if _, err := c.write(fmt.Sprint("crash ", i), []byte("stack")); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, p := range reports(t, dir) {
		names = append(names, filepath.Base(p))
	}
	want := []string{
		"crash-20260301-090003.000000000.log", "crash-20260301-090004.000000000.log",
		"crash-20260301-090005.000000000.log", "crash-20260301-090006.000000000.log",
		"crash-20260301-090007.000000000.log",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("kept %q, want %q", names, want)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, want[4])), "panic: crash 6\n") {
		t.Fatal("the newest report is not the last crash")
	}
	if _, err := os.Stat(filepath.Join(dir, "instance.sock")); err != nil {
		t.Fatalf("rotation removed a file that is not a report: %v", err)
	}
}

func TestTwoReportsAtTheSameInstantBothSurvive(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := &crashLog{dir: dir, keep: keepCrashLogs, now: func() time.Time { return at }}
	first, err1 := c.write("one", nil)
	second, err2 := c.write("two", nil)
	if err1 != nil || err2 != nil || first == second || len(reports(t, dir)) != 2 {
		t.Fatalf("%s %v, %s %v", first, err1, second, err2)
	}
	if !(filepath.Base(first) < filepath.Base(second)) {
		t.Fatal("the later report must sort after the earlier")
	}
}

func TestInstallCrashLogStopRestoresThePrevious(t *testing.T) {
	outer, stopOuter := InstallCrashLog(t.TempDir(), nil)
	defer stopOuter()
	inner, stopInner := InstallCrashLog("", nil)
	if inner != DefaultCrashDir() || currentCrashLog().dir != inner {
		t.Fatalf("inner dir %s", inner)
	}
	stopInner()
	if currentCrashLog().dir != outer {
		t.Fatal("stop did not restore the previous crash log")
	}
}

// TestACrashingProcessExitsWithTheCrashCode runs a real panic in a child process: it must exit with
// CrashExitCode, leave one report, and no canary anywhere it wrote.
func TestACrashingProcessExitsWithTheCrashCode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "crash")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(childEnviron(), childEnv+"=crash", childDirEnv+"="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != CrashExitCode {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	files := reports(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d reports", len(files))
	}
	report := readFile(t, files[0])
	for _, c := range canaries {
		if strings.Contains(report, c) || strings.Contains(out.String(), c) {
			t.Errorf("%q leaked", c)
		}
	}
	if !strings.Contains(report, "desktop.crashChild") || !strings.Contains(out.String(), files[0]) {
		t.Errorf("report:\n%s\noutput:\n%s", report, out.String())
	}
}
