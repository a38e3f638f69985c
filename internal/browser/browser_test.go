package browser

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x&state=y", true},
		{"HTTPS://example.com/", true},
		{"https://127.0.0.1:4443/t/oauth2/v2.0/authorize", true},
		{"http://localhost:45917", true},
		{"http://LOCALHOST/", true},
		{"http://127.0.0.1:8080/x", true},
		{"http://127.8.9.10/", true},
		{"http://[::1]:9000/", true},
		{"http://example.com/", false},
		{"http://10.0.0.1/", false},
		{"http://localhost.example.com/", false},
		{"file:///etc/passwd", false},
		{"javascript:alert(1)", false},
		{"ms-settings:network", false},
		{"ftp://example.com/", false},
		{"mailto:someone@example.com", false},
		{"//example.com/", false},
		{"example.com", false},
		{"", false},
		{" https://example.com/", false},
		{"-https://example.com/", false},
		{"https://user:pass@example.com/", false},
		{"https:///path-only", false},
		{"https://exa mple.com/", false},
		{"https://example.com/\nsecond-line", false},
	}
	for _, tt := range tests {
		err := Check(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrRefused) {
			t.Errorf("Check(%q) = %v, does not wrap ErrRefused", tt.url, err)
		}
	}
}

func TestRefusalsDoNotQuoteThePathOrQuery(t *testing.T) {
	err := Open("http://example.com/callback?code=SECRET-CODE#frag")
	if err == nil {
		t.Fatal("Open accepted http to a remote host")
	}
	if !strings.Contains(err.Error(), "example.com") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q should name the host and nothing after it", err)
	}
}

// fakeLauncher puts an executable named xdg-open in a fresh directory that becomes the whole
// PATH. It writes its first argument to the file it returns.
func fakeLauncher(t *testing.T, script string) (outFile string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the launcher is xdg-open on Linux only")
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run the fake launcher")
	}
	dir := t.TempDir()
	outFile = filepath.Join(dir, "opened.txt")
	body := "#!/bin/sh\n" + strings.ReplaceAll(script, "OUT", outFile) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return outFile
}

func TestOpenLaunchesXdgOpen(t *testing.T) {
	out := fakeLauncher(t, `printf '%s' "$1" > OUT; echo noise; echo more noise >&2`)
	const u = "https://login.example.com/authorize?client_id=a&redirect_uri=http%3A%2F%2Flocalhost%3A1234&state=s"
	if err := Open(u); err != nil {
		t.Fatalf("Open: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the launcher did not run: %v", err)
	}
	if string(got) != u {
		t.Errorf("launcher got %q, want %q", got, u)
	}
}

func TestOpenReportsALauncherFailure(t *testing.T) {
	fakeLauncher(t, "exit 3")
	if err := Open("https://example.com/"); err == nil {
		t.Fatal("Open succeeded although the launcher failed")
	} else if errors.Is(err, ErrRefused) {
		t.Errorf("a launcher failure reported as a refusal: %v", err)
	}
}

func TestOpenRefusedURLNeverReachesTheLauncher(t *testing.T) {
	out := fakeLauncher(t, `printf '%s' "$1" > OUT`)
	if err := Open("file:///etc/passwd"); !errors.Is(err, ErrRefused) {
		t.Fatalf("Open(file:) = %v, want ErrRefused", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the launcher ran for a refused URL (stat: %v)", err)
	}
}

func TestOpenWithoutAnyLauncher(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the launcher lookup through PATH is Linux behaviour")
	}
	t.Setenv("PATH", t.TempDir())
	err := Open("https://example.com/")
	if err == nil {
		t.Fatal("Open succeeded with no launcher on PATH")
	}
	if errors.Is(err, ErrRefused) {
		t.Errorf("a missing launcher reported as a refusal: %v", err)
	}
}

func TestCheckMail(t *testing.T) {
	good := []string{
		"mailto:ana@example.com?subject=Case%20CAS-1&body=Hello%0D%0A",
		"MAILTO:ana@example.com",
		"mailto:?subject=no%20address",
	}
	for _, u := range good {
		if err := CheckMail(u); err != nil {
			t.Errorf("CheckMail(%q) = %v", u, err)
		}
	}
	bad := []string{
		"https://example.com",
		"mailto:ana@example.com?subject=two words",
		"mailto:ana@example.com\n--new-window",
		" mailto:ana@example.com",
		"file:///etc/passwd",
	}
	for _, u := range bad {
		if err := CheckMail(u); !errors.Is(err, ErrRefused) {
			t.Errorf("CheckMail(%q) = %v, want a refusal", u, err)
		}
	}
}
