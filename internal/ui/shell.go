package ui

import (
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// Shell is the main window and the tray icon that brings it back.
type Shell struct {
	app     fyne.App
	window  fyne.Window
	hasTray bool
}

// NewShell builds the main window on the home screen and, where the desktop has one, the tray icon.
// With a tray, closing the window hides it; without one, closing quits, so the app can never be left
// running with no way back to it.
func NewShell(a fyne.App, env Environment) *Shell {
	s := &Shell{app: a, window: a.NewWindow(lang.L("Rescue Companion"))}
	s.window.SetIcon(AppIcon())
	s.window.SetContent(newHome(env, homeActions{hide: s.Hide, quit: a.Quit}))
	s.window.Resize(fyne.NewSize(560, 420))
	s.window.SetMaster()
	if desk, ok := a.(desktop.App); ok {
		s.hasTray = true
		desk.SetSystemTrayMenu(trayMenu(s.Show, a.Quit))
		desk.SetSystemTrayIcon(TrayIcon())
		if runtime.GOOS != "darwin" { // on macOS a tray click opens the menu, as users there expect
			desk.SetSystemTrayWindow(s.window)
		}
		s.window.SetCloseIntercept(s.Hide)
	}
	s.addShortcuts()
	return s
}

// Window is the main window.
func (s *Shell) Window() fyne.Window { return s.window }

// Show brings the main window up and to the front.
func (s *Shell) Show() {
	s.window.Show()
	s.window.RequestFocus()
}

// Hide sends the main window to the tray; without a tray it quits instead.
func (s *Shell) Hide() {
	if !s.hasTray {
		s.app.Quit()
		return
	}
	s.window.Hide()
}

// addShortcuts binds Ctrl+W (hide to tray) and Ctrl+Q (quit), with Cmd on macOS through the Super modifier.
func (s *Shell) addShortcuts() {
	mod := fyne.KeyModifierShortcutDefault
	s.window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: mod}, func(fyne.Shortcut) { s.Hide() })
	s.window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: mod}, func(fyne.Shortcut) { s.app.Quit() })
}
