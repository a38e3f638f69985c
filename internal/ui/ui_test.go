package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// trayApp is the test app with a desktop tray, so the shell's tray wiring can be observed.
type trayApp struct {
	fyne.App
	menu   *fyne.Menu
	icon   fyne.Resource
	window fyne.Window
	quits  int
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.window = w }
func (a *trayApp) Quit()                             { a.quits++ }

// plainApp is the test app with Quit observed and no tray.
type plainApp struct {
	fyne.App
	quits int
}

func (a *plainApp) Quit() { a.quits++ }

var sandboxEnv = Environment{
	Sandbox:        true,
	Organisation:   "contoso-helpdesk.example",
	DynamicsURL:    "https://127.0.0.1:41002",
	RescueEndpoint: "https://127.0.0.1:41003/API",
}

func newTestApp(t *testing.T) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	useLanguage(t, "en") // goldens must not depend on the machine's locale
	return a
}

// useLanguage switches the translations for one test; the locale is read again when translations load.
func useLanguage(t *testing.T, code string) {
	t.Helper()
	t.Setenv("LANGUAGE", code)
	t.Setenv("LC_ALL", code+".UTF-8")
	t.Setenv("LANG", code+".UTF-8")
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = LoadTranslations() })
}
