package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// allTools are the three services of the tools menu.
func allTools() Services {
	return Services{
		Settings:    &fakeSettings{form: SettingsForm{Config: goodConfig()}},
		Diagnostics: &fakeDiagnostics{results: sampleChecks()},
		Team:        &fakeTeam{rows: teamSessions()},
	}
}

// opened names the tool windows open.
func opened(s *Shell) string {
	return fmt.Sprint(s.tools.settings != nil, s.tools.diag != nil, s.tools.team != nil)
}

func closeTools(s *Shell) {
	if s.tools.settings != nil {
		s.tools.settings.window.Close()
	}
	if s.tools.diag != nil {
		s.tools.diag.window.Close()
	}
	if s.tools.team != nil {
		s.tools.team.window.Close()
	}
}

func TestTheTrayOffersEachWindow(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	s := newToolShell(t, a, allTools())
	want := []string{"Recent sessions", "Team sessions", "Settings…", "Diagnostics", "Refresh cases"}
	got := labels(a.menu)
	at := -1
	for i, l := range got {
		if l == "Recent sessions" {
			at = i
		}
	}
	if at < 0 || fmt.Sprint(got[at:at+5]) != fmt.Sprint(want) {
		t.Fatalf("tray %q", got)
	}
	for i, want := range []string{"false false true", "true false true", "true true true"} {
		a.menu.Items[at+1+i].Action()
		if opened(s) != want {
			t.Fatalf("after %q: opened %s, want %s", a.menu.Items[at+1+i].Label, opened(s), want)
		}
	}
	for _, it := range a.menu.Items[at+1 : at+4] {
		if it.Shortcut != nil {
			t.Errorf("the tray's %q shows a shortcut", it.Label)
		}
	}
}

func TestTheToolbarMenuOffersEachWindowWithItsShortcut(t *testing.T) {
	a := newTestApp(t)
	s := newToolShell(t, a, allTools())
	if !s.cases.more.Visible() {
		t.Fatal("no ⋯ button")
	}
	test.Tap(s.cases.more)
	menu := s.Window().Canvas().Overlays().Top()
	if menu == nil {
		t.Fatal("no menu")
	}
	var items []string
	for _, it := range s.toolItems(true) {
		key := it.Shortcut.(*desktop.CustomShortcut)
		if key.Modifier != fyne.KeyModifierShortcutDefault {
			t.Errorf("%s: modifier %v", it.Label, key.Modifier)
		}
		items = append(items, it.Label+" "+string(key.KeyName))
	}
	if fmt.Sprint(items) != "[Team sessions L Settings… , Diagnostics D]" {
		t.Fatalf("menu %q", items)
	}
	shown := 0
	for _, o := range test.LaidOutObjects(menu) {
		if m, ok := o.(*widget.PopUpMenu); ok {
			shown = len(m.Items)
			m.Items[2].(fyne.Tappable).Tapped(&fyne.PointEvent{})
		}
	}
	if shown != 3 {
		t.Fatalf("the menu shows %d items", shown)
	}
	if opened(s) != "false true false" {
		t.Fatalf("opened %s", opened(s))
	}
}

func TestKeyboardOpensEachWindow(t *testing.T) {
	a := newTestApp(t)
	s := newToolShell(t, a, allTools())
	for _, c := range []struct {
		key  fyne.KeyName
		want string
	}{
		{fyne.KeyComma, "true false false"},
		{fyne.KeyD, "true true false"},
		{fyne.KeyL, "true true true"},
	} {
		s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(c.key))
		if opened(s) != c.want {
			t.Fatalf("after Ctrl+%s: %s", c.key, opened(s))
		}
	}
	// A second press brings the open window up rather than another one.
	settings := s.tools.settings
	s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(fyne.KeyComma))
	if s.tools.settings != settings || s.svc.Settings.(*fakeSettings).loads != 1 {
		t.Fatal("Ctrl+, opened Settings again")
	}
	closeTools(s)
	if opened(s) != "false false false" {
		t.Fatalf("closing left %s", opened(s))
	}
}

// Without their services, nothing is offered: no ⋯ button, no tray item, no shortcut.
func TestWindowsWithoutTheirServiceAreNotOffered(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	s := newToolShell(t, a, Services{})
	if s.cases.more.Visible() || len(s.toolItems(true)) != 0 {
		t.Fatal("a tools menu with nothing in it")
	}
	for _, key := range []fyne.KeyName{fyne.KeyComma, fyne.KeyD, fyne.KeyL} {
		s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(key))
	}
	s.showSettings()
	s.showDiagnostics()
	s.showTeam()
	if opened(s) != "false false false" {
		t.Fatalf("opened %s", opened(s))
	}
	only := newToolShell(t, &trayApp{App: a.App}, Services{Settings: &fakeSettings{}})
	if !only.cases.more.Visible() || fmt.Sprint(len(only.toolItems(false))) != "1" {
		t.Fatal("Settings alone is not offered")
	}
}

// With every window offered, the cases screen still fits the window's 900×560 in French.
func TestTheToolbarStillFitsInFrench(t *testing.T) {
	a := newTestApp(t)
	useLanguage(t, "fr")
	s := newToolShell(t, a, allTools())
	if m := s.cases.content.MinSize(); m.Width > 880 || m.Height > 540 {
		t.Fatalf("the cases screen needs %v", m)
	}
	if got := s.cases.more.Position().X + s.cases.more.Size().Width; got > 900 {
		t.Fatalf("the ⋯ button ends at %v", got)
	}
}
