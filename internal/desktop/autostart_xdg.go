package desktop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// XDGAutostart writes the app's entry in the XDG autostart folders (Linux and other free desktops).
type XDGAutostart struct {
	// ConfigHome is $XDG_CONFIG_HOME (by default ~/.config); the user's entry lives in its autostart folder.
	ConfigHome string
	// ConfigDirs are $XDG_CONFIG_DIRS, most important first (by default /etc/xdg); system-wide
	// entries live in their autostart folders.
	ConfigDirs []string
}

var _ Autostart = (*XDGAutostart)(nil)

// NewXDGAutostart reads the XDG base directory variables through getenv, as the spec says:
// unset, empty or relative values fall back to the defaults, the user's based on home.
func NewXDGAutostart(getenv func(string) string, home string) *XDGAutostart {
	configHome := getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(configHome) {
		configHome = filepath.Join(home, ".config")
	}
	var dirs []string
	for d := range strings.SplitSeq(getenv("XDG_CONFIG_DIRS"), ":") {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		dirs = []string{"/etc/xdg"}
	}
	return &XDGAutostart{ConfigHome: configHome, ConfigDirs: dirs}
}

const desktopFileName = AppID + ".desktop"

// UserEntryPath is where Enable writes the user's entry.
func (x *XDGAutostart) UserEntryPath() string {
	return filepath.Join(x.ConfigHome, "autostart", desktopFileName)
}

// Enabled reports whether the entry the session will read (the user's, else the first system-wide
// one) exists and is neither Hidden nor switched off for GNOME.
func (x *XDGAutostart) Enabled() (bool, error) {
	path, found, err := x.effectiveEntry()
	if err != nil || !found {
		return false, err
	}
	entry, err := readDesktopEntry(path)
	if err != nil {
		return false, err
	}
	return entry["Hidden"] != "true" && entry["X-GNOME-Autostart-enabled"] != "false", nil
}

// Enable writes a complete user entry. It replaces any system-wide entry of the same name, so it
// also overrides one installed Hidden or disabled.
func (x *XDGAutostart) Enable(exe string, args []string) error {
	if err := checkCommand(exe, args); err != nil {
		return err
	}
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("%w: %q is not an absolute path", errBadCommand, exe)
	}
	return x.write(enabledDesktopEntry(desktopExec(exe, args)))
}

// Disable removes the user entry, or, when a system-wide entry would take its place, writes a user
// entry with Hidden=true, which the session treats as if no entry existed at all.
func (x *XDGAutostart) Disable() error {
	system, found, err := x.systemEntry()
	if err != nil {
		return err
	}
	if !found {
		return removeIfExists(x.UserEntryPath())
	}
	entry, err := readDesktopEntry(system)
	if err != nil {
		return err
	}
	return x.write(hiddenDesktopEntry(entry["Exec"]))
}

func (x *XDGAutostart) write(content string) error {
	path := x.UserEntryPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(content), 0o644)
}

// effectiveEntry is the file the session reads for this name: the user's if present, else the
// first of the system-wide ones.
func (x *XDGAutostart) effectiveEntry() (string, bool, error) {
	found, err := fileExists(x.UserEntryPath())
	if err != nil || found {
		return x.UserEntryPath(), found, err
	}
	return x.systemEntry()
}

func (x *XDGAutostart) systemEntry() (string, bool, error) {
	for _, dir := range x.ConfigDirs {
		path := filepath.Join(dir, "autostart", desktopFileName)
		found, err := fileExists(path)
		if err != nil || found {
			return path, found, err
		}
	}
	return "", false, nil
}

func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// enabledDesktopEntry is the user entry that starts the app; exec is already escaped for the file.
func enabledDesktopEntry(exec string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Version=1.5\n" +
		"Name=" + AppName + "\n" +
		"Comment=Opens Rescue Companion in the tray when you log in\n" +
		"Comment[fr]=Ouvre Rescue Companion dans la zone de notification à l'ouverture de session\n" +
		"Exec=" + exec + "\n" +
		"Icon=" + AppID + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// hiddenDesktopEntry masks a system-wide entry. It repeats the system entry's Exec (as written
// there) so that the file stays a valid Application entry.
func hiddenDesktopEntry(exec string) string {
	s := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Version=1.5\n" +
		"Name=" + AppName + "\n"
	if exec != "" {
		s += "Exec=" + exec + "\n"
	}
	return s + "Hidden=true\n" +
		"X-GNOME-Autostart-enabled=false\n"
}
