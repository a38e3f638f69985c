package desktop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"
)

// AppID is the app's reverse-DNS identifier, the same as FyneApp.toml's ID. It names the autostart
// entry, the launch agent and the icon.
const AppID = "com.rescuecompanion.app"

// AppName is the name people see, the same as FyneApp.toml's Name.
const AppName = "Rescue Companion"

// appDirName is the folder the app keeps its per-user files in, under the runtime or cache dir.
const appDirName = "rescue-companion"

// Autostart turns starting the app at login on and off for the current user.
type Autostart interface {
	// Enabled reports whether the app will start at the next login.
	Enabled() (bool, error)
	// Enable makes the app start at login as exe with args; exe is an absolute path.
	Enable(exe string, args []string) error
	// Disable stops the app starting at login. Disabling what is not enabled is not an error.
	Disable() error
}

// NewAutostart returns the Autostart of the platform the app runs on, for the current user.
// Problems finding the user's folders are reported by its methods.
func NewAutostart() Autostart {
	switch runtime.GOOS {
	case "windows":
		return &RunKeyAutostart{Key: UserRunKey()}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return unavailableAutostart{err}
		}
		return &LaunchAgent{Dir: filepath.Join(home, "Library", "LaunchAgents")}
	default:
		home, err := os.UserHomeDir()
		if err != nil && os.Getenv("XDG_CONFIG_HOME") == "" {
			return unavailableAutostart{err}
		}
		return NewXDGAutostart(os.Getenv, home)
	}
}

// unavailableAutostart stands in when the platform's location cannot be found.
type unavailableAutostart struct{ err error }

func (u unavailableAutostart) Enabled() (bool, error)        { return false, u.err }
func (u unavailableAutostart) Enable(string, []string) error { return u.err }
func (u unavailableAutostart) Disable() error                { return u.err }

// errBadCommand is wrapped by Enable when the command cannot be written safely.
var errBadCommand = errors.New("desktop: the command to start at login is not usable")

// checkCommand refuses what no platform's entry can carry: an empty program, a NUL or text that is
// not UTF-8 (desktop entries, property lists and the registry's UTF-16 all need valid text).
func checkCommand(exe string, args []string) error {
	if exe == "" {
		return fmt.Errorf("%w: no program", errBadCommand)
	}
	for _, s := range append([]string{exe}, args...) {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			return fmt.Errorf("%w: it contains a NUL character or invalid UTF-8", errBadCommand)
		}
	}
	return nil
}

// writeFileAtomic replaces path with data in one rename, so a crash or a full disk never leaves a
// half-written entry for the login session to trip on.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// removeIfExists deletes path; a path that is already gone is what the caller wanted.
func removeIfExists(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
