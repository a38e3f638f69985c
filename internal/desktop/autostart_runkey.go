package desktop

import (
	"errors"
	"fmt"
	"strings"
)

// RunValueName is the value the app owns under HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
const RunValueName = AppName

// ErrValueNotFound is returned by RegistryKey.Get for a value that does not exist.
var ErrValueNotFound = errors.New("desktop: registry value not found")

// RegistryKey is the part of a registry key the Windows autostart needs. UserRunKey is the real
// one; tests use a map.
type RegistryKey interface {
	// Get returns the string value name, or an error wrapping ErrValueNotFound.
	Get(name string) (string, error)
	// SetString creates or replaces the string value name.
	SetString(name, value string) error
	// Delete removes the value name; a missing value is not an error.
	Delete(name string) error
}

// RunKeyAutostart starts the app at login through the user's Run key (Windows).
//
// Task Manager's Startup tab can switch such an entry off without removing it (it records that under
// Explorer\StartupApproved\Run); Enabled does not look there, so it may say true for an entry the
// user switched off in Task Manager.
type RunKeyAutostart struct {
	Key RegistryKey
}

var _ Autostart = (*RunKeyAutostart)(nil)

// Enabled reports whether the Run value is there and not empty.
func (a *RunKeyAutostart) Enabled() (bool, error) {
	v, err := a.Key.Get(RunValueName)
	if errors.Is(err, ErrValueNotFound) {
		return false, nil
	}
	return v != "", err
}

// Enable writes the Run value: the program quoted, then each argument quoted as
// CommandLineToArgvW reads it.
func (a *RunKeyAutostart) Enable(exe string, args []string) error {
	if err := checkCommand(exe, args); err != nil {
		return err
	}
	if strings.ContainsAny(exe, "\"\r\n") {
		return fmt.Errorf("%w: %q cannot be a Windows program path", errBadCommand, exe)
	}
	return a.Key.SetString(RunValueName, windowsCommandLine(exe, args))
}

// Disable deletes the Run value.
func (a *RunKeyAutostart) Disable() error { return a.Key.Delete(RunValueName) }

// windowsCommandLine joins a program and its arguments into one command line. The program is
// always quoted, since the first word is split on spaces without regard to backslashes.
func windowsCommandLine(exe string, args []string) string {
	var b strings.Builder
	b.WriteString(`"` + exe + `"`)
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(windowsArg(a))
	}
	return b.String()
}

// windowsArg quotes one argument by the rules of CommandLineToArgvW (those of syscall.EscapeArg):
// backslashes are literal unless they come before a quote, where each is doubled.
func windowsArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\v\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
