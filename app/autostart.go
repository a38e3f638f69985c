package main

import (
	"os"

	"github.com/rescuecompanion/rescue-companion/internal/desktop"
)

// uiAutostart starts this executable, in the tray, when the user signs in to the computer.
type uiAutostart struct{ a desktop.Autostart }

func (u uiAutostart) Enabled() (bool, error) { return u.a.Enabled() }

func (u uiAutostart) SetEnabled(on bool) error {
	if !on {
		return u.a.Disable()
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return u.a.Enable(exe, []string{"--minimized"})
}
