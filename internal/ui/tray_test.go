package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestTrayMenuItemsAct(t *testing.T) {
	newTestApp(t)
	var shown, quit int
	m := trayMenu(func() { shown++ }, func() { quit++ })
	var labels []string
	for _, it := range m.Items {
		labels = append(labels, it.Label)
	}
	want := []string{"Open Rescue Companion", "", "Quit"}
	if len(labels) != len(want) {
		t.Fatalf("labels %q, want %q", labels, want)
	}
	for i := range want {
		if labels[i] != want[i] {
			t.Fatalf("labels %q, want %q", labels, want)
		}
	}
	m.Items[0].Action()
	m.Items[2].Action()
	if shown != 1 || quit != 1 || !m.Items[2].IsQuit {
		t.Fatalf("shown %d quit %d isQuit %v", shown, quit, m.Items[2].IsQuit)
	}
}

func TestTrayMenuSpeaksFrench(t *testing.T) {
	newTestApp(t)
	useLanguage(t, "fr")
	m := trayMenu(func() {}, func() {})
	if got := m.Items[0].Label; got != "Ouvrir Rescue Companion" {
		t.Fatalf("open item %q", got)
	}
	if got := m.Items[2].Label; got != "Quitter" {
		t.Fatalf("quit item %q", got)
	}
}

func TestShellWithTrayHidesOnCloseAndReopensFromTray(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	s := NewShell(a, sandboxEnv)
	s.Show()
	if a.menu == nil || a.icon == nil {
		t.Fatal("no tray menu or icon was set")
	}
	s.Window().Close() // the close intercept hides instead
	if a.quits != 0 {
		t.Fatal("closing the window quit the app")
	}
	a.menu.Items[0].Action()
	if a.quits != 0 {
		t.Fatal("opening from the tray quit the app")
	}
	a.menu.Items[len(a.menu.Items)-1].Action()
	if a.quits != 1 {
		t.Fatalf("quit from tray: %d quits", a.quits)
	}
}

func TestShellWithoutTrayQuitsOnHide(t *testing.T) {
	a := &plainApp{App: newTestApp(t)}
	s := NewShell(a, sandboxEnv)
	s.Hide()
	if a.quits != 1 {
		t.Fatal("without a tray, hiding must quit the app")
	}
}

func TestIconsAreThemedAndNamed(t *testing.T) {
	if _, ok := TrayIcon().(fyne.ThemedResource); !ok {
		t.Fatal("the tray icon must follow the theme")
	}
	if len(AppIcon().Content()) == 0 {
		t.Fatal("empty app icon")
	}
}
