package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LaunchAgent writes the app's per-user launch agent (macOS). launchd reads it at the next login;
// it is not loaded now, so enabling never starts a second copy of the running app.
type LaunchAgent struct {
	// Dir is the user's LaunchAgents folder, ~/Library/LaunchAgents.
	Dir string
}

var _ Autostart = (*LaunchAgent)(nil)

// Path is the property list Enable writes.
func (a *LaunchAgent) Path() string { return filepath.Join(a.Dir, AppID+".plist") }

// Enabled reports whether the launch agent is there.
func (a *LaunchAgent) Enabled() (bool, error) { return fileExists(a.Path()) }

// Enable writes the launch agent atomically.
func (a *LaunchAgent) Enable(exe string, args []string) error {
	if err := checkCommand(exe, args); err != nil {
		return err
	}
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("%w: %q is not an absolute path", errBadCommand, exe)
	}
	content, err := launchAgentPlist(append([]string{exe}, args...))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(a.Path(), []byte(content), 0o644)
}

// Disable removes the launch agent.
func (a *LaunchAgent) Disable() error { return removeIfExists(a.Path()) }

// launchAgentPlist is the property list: run at load (that is, at login) in the user's graphical
// session only, with the scheduling of an app the user works with.
func launchAgentPlist(program []string) (string, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + AppID + `</string>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
	<key>ProcessType</key>
	<string>Interactive</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, p := range program {
		s, err := plistString(p)
		if err != nil {
			return "", err
		}
		b.WriteString("\t\t<string>" + s + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`)
	return b.String(), nil
}

// plistString escapes s for XML text. Characters XML 1.0 cannot carry are refused rather than
// replaced, so the agent never starts a program with different arguments than asked.
func plistString(s string) (string, error) {
	if strings.ContainsFunc(s, notXMLChar) {
		return "", fmt.Errorf("%w: it contains a character a property list cannot hold", errBadCommand)
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s), nil
}

func notXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		return true
	}
	return false
}
