package desktop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const (
	testExe  = "/opt/Rescue Companion/rescue-companion"
	testExec = `"/opt/Rescue Companion/rescue-companion" --minimized`
)

var minimized = []string{"--minimized"}

// enabledEntryBytes is the user entry Enable writes for testExe --minimized, byte for byte.
const enabledEntryBytes = `[Desktop Entry]
Type=Application
Version=1.5
Name=Rescue Companion
Comment=Opens Rescue Companion in the tray when you log in
Comment[fr]=Ouvre Rescue Companion dans la zone de notification à l'ouverture de session
Exec="/opt/Rescue Companion/rescue-companion" --minimized
Icon=com.rescuecompanion.app
Terminal=false
X-GNOME-Autostart-enabled=true
`

// systemEntry is how the .deb installs its entry: present but switched off.
const systemEntry = `[Desktop Entry]
Type=Application
Name=Rescue Companion
Exec=/usr/bin/rescue-companion --minimized
Icon=com.rescuecompanion.app
Hidden=true
X-GNOME-Autostart-enabled=false
`

const hiddenOverSystemBytes = `[Desktop Entry]
Type=Application
Version=1.5
Name=Rescue Companion
Exec=/usr/bin/rescue-companion --minimized
Hidden=true
X-GNOME-Autostart-enabled=false
`

func newTestXDG(t *testing.T, system string) *XDGAutostart {
	t.Helper()
	root := t.TempDir()
	x := &XDGAutostart{
		ConfigHome: filepath.Join(root, "home", ".config"),
		ConfigDirs: []string{filepath.Join(root, "etc", "xdg-first"), filepath.Join(root, "etc", "xdg")},
	}
	if system != "" {
		writeFile(t, filepath.Join(root, "etc", "xdg", "autostart", desktopFileName), system)
	}
	return x
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantEnabled(t *testing.T, a Autostart, want bool) {
	t.Helper()
	got, err := a.Enabled()
	if err != nil {
		t.Fatalf("Enabled: %v", err)
	}
	if got != want {
		t.Fatalf("Enabled = %v, want %v", got, want)
	}
}

func TestXDGEnableWritesTheEntryAndDisableRemovesIt(t *testing.T) {
	x := newTestXDG(t, "")
	wantEnabled(t, x, false)
	if err := x.Enable(testExe, minimized); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, x.UserEntryPath()); got != enabledEntryBytes {
		t.Fatalf("entry:\n%s\nwant:\n%s", got, enabledEntryBytes)
	}
	wantEnabled(t, x, true)
	if err := x.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(x.UserEntryPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the user entry is still there: %v", err)
	}
	wantEnabled(t, x, false)
	if err := x.Disable(); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}
}

func TestXDGWithSystemEntryHiddenByThePackage(t *testing.T) {
	x := newTestXDG(t, systemEntry)
	wantEnabled(t, x, false) // the .deb's entry is off until the technician turns it on
	if err := x.Enable(testExe, minimized); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, x.UserEntryPath()); got != enabledEntryBytes {
		t.Fatalf("a user entry must be complete to override the hidden system one; got:\n%s", got)
	}
	wantEnabled(t, x, true)
	if err := x.Disable(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, x.UserEntryPath()); got != hiddenOverSystemBytes {
		t.Fatalf("user entry after Disable:\n%s\nwant:\n%s", got, hiddenOverSystemBytes)
	}
	wantEnabled(t, x, false)
}

func TestXDGDisableHidesAnEnabledSystemEntry(t *testing.T) {
	enabledSystem := strings.NewReplacer("Hidden=true\n", "", "X-GNOME-Autostart-enabled=false", "X-GNOME-Autostart-enabled=true").Replace(systemEntry)
	x := newTestXDG(t, enabledSystem)
	wantEnabled(t, x, true)
	if err := x.Disable(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, x.UserEntryPath()); got != hiddenOverSystemBytes {
		t.Fatalf("user entry after Disable:\n%s", got)
	}
	wantEnabled(t, x, false)
	if err := x.Enable(testExe, minimized); err != nil {
		t.Fatal(err)
	}
	wantEnabled(t, x, true)
}

func TestXDGEnabledReadsTheEffectiveEntry(t *testing.T) {
	tests := []struct {
		name, user, system string
		want               bool
	}{
		{"nothing", "", "", false},
		{"system on", "", "[Desktop Entry]\nType=Application\nExec=x\n", true},
		{"system hidden", "", systemEntry, false},
		{"system off for GNOME", "", "[Desktop Entry]\nExec=x\nX-GNOME-Autostart-enabled=false\n", false},
		{"user hidden wins", "[Desktop Entry]\nHidden=true\n", "[Desktop Entry]\nExec=x\n", false},
		{"user on wins", "[Desktop Entry]\nExec=x\n", systemEntry, true},
		{"key in another group", "[Other]\nHidden=true\n[Desktop Entry]\nExec=x\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newTestXDG(t, tt.system)
			if tt.user != "" {
				writeFile(t, x.UserEntryPath(), tt.user)
			}
			wantEnabled(t, x, tt.want)
		})
	}
}

func TestXDGFirstSystemDirWins(t *testing.T) {
	x := newTestXDG(t, "[Desktop Entry]\nExec=x\n")
	writeFile(t, filepath.Join(x.ConfigDirs[0], "autostart", desktopFileName), systemEntry)
	wantEnabled(t, x, false)
}

func TestXDGEnableRefusesWhatItCannotWrite(t *testing.T) {
	x := newTestXDG(t, "")
	for _, c := range []struct {
		exe  string
		args []string
	}{
		{"", nil},
		{"rescue-companion", nil},
		{testExe, []string{"a\x00b"}},
		{testExe, []string{"\xff"}},
	} {
		if err := x.Enable(c.exe, c.args); !errors.Is(err, errBadCommand) {
			t.Errorf("Enable(%q, %q) = %v, want errBadCommand", c.exe, c.args, err)
		}
	}
	wantEnabled(t, x, false)
}

func TestNewXDGAutostartFollowsTheBaseDirectorySpec(t *testing.T) {
	tests := []struct {
		env        map[string]string
		configHome string
		configDirs []string
	}{
		{map[string]string{}, "/home/jo/.config", []string{"/etc/xdg"}},
		{map[string]string{"XDG_CONFIG_HOME": "/tmp/cfg"}, "/tmp/cfg", []string{"/etc/xdg"}},
		{map[string]string{"XDG_CONFIG_HOME": "relative/cfg"}, "/home/jo/.config", []string{"/etc/xdg"}},
		{map[string]string{"XDG_CONFIG_DIRS": "/a:rel:/b:"}, "/home/jo/.config", []string{"/a", "/b"}},
	}
	for _, tt := range tests {
		x := NewXDGAutostart(func(k string) string { return tt.env[k] }, "/home/jo")
		if x.ConfigHome != tt.configHome || fmt.Sprint(x.ConfigDirs) != fmt.Sprint(tt.configDirs) {
			t.Errorf("env %v: got %q %q, want %q %q", tt.env, x.ConfigHome, x.ConfigDirs, tt.configHome, tt.configDirs)
		}
	}
}

func TestNewAutostartHonoursXDGConfigHome(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("XDG only")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	a := NewAutostart()
	if err := a.Enable(testExe, minimized); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "autostart", "com.rescuecompanion.app.desktop")); got != enabledEntryBytes {
		t.Fatalf("entry:\n%s", got)
	}
}

const launchAgentBytes = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>com.rescuecompanion.app</string>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
	<key>ProcessType</key>
	<string>Interactive</string>
	<key>ProgramArguments</key>
	<array>
		<string>/Applications/Rescue Companion.app/Contents/MacOS/rescue-companion</string>
		<string>--minimized</string>
		<string>--config=&lt;a&amp;b&gt;</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`

func TestLaunchAgent(t *testing.T) {
	a := &LaunchAgent{Dir: filepath.Join(t.TempDir(), "Library", "LaunchAgents")}
	wantEnabled(t, a, false)
	exe := "/Applications/Rescue Companion.app/Contents/MacOS/rescue-companion"
	if err := a.Enable(exe, []string{"--minimized", "--config=<a&b>"}); err != nil {
		t.Fatal(err)
	}
	if a.Path() != filepath.Join(a.Dir, "com.rescuecompanion.app.plist") {
		t.Fatalf("path %s", a.Path())
	}
	if got := readFile(t, a.Path()); got != launchAgentBytes {
		t.Fatalf("plist:\n%s\nwant:\n%s", got, launchAgentBytes)
	}
	wantEnabled(t, a, true)
	if entries, _ := os.ReadDir(a.Dir); len(entries) != 1 {
		t.Fatalf("the atomic write left %d files", len(entries))
	}
	if err := a.Disable(); err != nil {
		t.Fatal(err)
	}
	wantEnabled(t, a, false)
	if err := a.Disable(); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}
	if err := a.Enable(exe, []string{"bell\a"}); !errors.Is(err, errBadCommand) {
		t.Fatalf("a control character must be refused, got %v", err)
	}
}

// mapKey is a RegistryKey in memory.
type mapKey map[string]string

func (m mapKey) Get(name string) (string, error) {
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrValueNotFound, name)
	}
	return v, nil
}

func (m mapKey) SetString(name, value string) error { m[name] = value; return nil }
func (m mapKey) Delete(name string) error           { delete(m, name); return nil }

func TestRunKeyAutostart(t *testing.T) {
	key := mapKey{"OneDrive": `"C:\OneDrive.exe" /background`}
	a := &RunKeyAutostart{Key: key}
	wantEnabled(t, a, false)
	if err := a.Enable(`C:\Program Files\Rescue Companion\rescue-companion.exe`, minimized); err != nil {
		t.Fatal(err)
	}
	want := `"C:\Program Files\Rescue Companion\rescue-companion.exe" --minimized`
	if got := key["Rescue Companion"]; got != want {
		t.Fatalf("Run value = %s, want %s", got, want)
	}
	wantEnabled(t, a, true)
	if err := a.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, ok := key["Rescue Companion"]; ok || len(key) != 1 {
		t.Fatalf("Disable must remove our value only: %v", key)
	}
	wantEnabled(t, a, false)
	if err := a.Enable(`C:\a"b.exe`, nil); !errors.Is(err, errBadCommand) {
		t.Fatalf("a quote in the program path must be refused, got %v", err)
	}
}

func TestWindowsCommandLineQuoting(t *testing.T) {
	tests := []struct {
		arg, want string
	}{
		{"--minimized", "--minimized"},
		{"", `""`},
		{"a b", `"a b"`},
		{`C:\dir\`, `C:\dir\`},
		{`C:\my dir\`, `"C:\my dir\\"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\"b`, `"a\\\"b"`},
		{"tab\there", "\"tab\there\""},
	}
	for _, tt := range tests {
		got := windowsCommandLine(`C:\rc.exe`, []string{tt.arg})
		if want := `"C:\rc.exe" ` + tt.want; got != want {
			t.Errorf("arg %q: got %s, want %s", tt.arg, got, want)
		}
	}
}

func TestUserRunKeyOutsideWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the real key is used on Windows")
	}
	if _, err := UserRunKey().Get(RunValueName); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
}
