package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func labels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		out = append(out, it.Label)
	}
	return out
}

func TestTrayMenuSignedOut(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	want := []string{"Open Rescue Companion", "", "Recent sessions", "Refresh cases", "Forget Rescue credentials", "Sign out", "", "About Rescue Companion", "", "Quit"}
	if got := labels(a.menu); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("menu %q, want %q", got, want)
	}
	if a.icon == nil || a.window != s.Window() {
		t.Fatal("tray icon or window not set")
	}
}

func TestTrayListsRecentCasesAndEachOpensItsCase(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	many := make([]Case, 0, 14)
	for i := 0; i < 14; i++ {
		c := sampleCases()[i%3]
		c.ID = string(rune('a' + i))
		c.Number = "CAS-0" + string(rune('a'+i))
		c.Modified = asOfTime.Add(-timeMinutes(i))
		many = append(many, c)
	}
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: many, AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)

	got := labels(a.menu)
	// Open, console, separator, 10 cases, separator, Recent sessions, Refresh, Forget, Sign out, separator,
	// About, separator, Quit; titles cut at 40
	if len(got) != 22 || got[3] != "CAS-0a · VPN drops every 10 minutes on the home …" || got[12] != "CAS-0j · VPN drops every 10 minutes on the home …" {
		t.Fatalf("menu %q", got)
	}
	s.cases.search.SetText("imprimante") // hides case "a"
	a.menu.Items[3].Action()
	if s.cases.detail.current.ID != "a" {
		t.Fatalf("the tray item opened %q", s.cases.detail.current.ID)
	}
	if s.cases.search.Text != "" {
		t.Fatal("the search that hid the case was not cleared")
	}

	a.menu.Items[len(a.menu.Items)-1].Action()
	if a.quits != 1 {
		t.Fatal("Quit did not quit")
	}
}

func TestTraySignOut(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	auth := signedIn()
	s := newShell(a, sandboxEnv, Services{Auth: auth, Cases: &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases()}}}}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	for _, it := range a.menu.Items {
		if it.Label == "Sign out" {
			it.Action()
		}
	}
	if auth.signOuts != 1 || !s.signIn.choose.Visible() || len(s.cases.all) != 0 {
		t.Fatalf("sign out: %d calls, sign-in shown %v, %d cases kept", auth.signOuts, s.signIn.choose.Visible(), len(s.cases.all))
	}
	if got := labels(a.menu); len(got) != 10 {
		t.Fatalf("the recent cases stayed in the tray: %q", got)
	}
}

func TestTraySpeaksFrench(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	useLanguage(t, "fr")
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	got := labels(a.menu)
	if got[0] != "Ouvrir Rescue Companion" || got[len(got)-1] != "Quitter" {
		t.Fatalf("menu %q", got)
	}
}

func TestWithTrayCloseHidesWithoutTrayHideQuits(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.Show()
	s.Window().Close() // the close intercept hides instead
	if a.quits != 0 {
		t.Fatal("closing the window quit the app")
	}
	p := &plainApp{App: test.NewTempApp(t)}
	s2 := newShell(p, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s2.Hide()
	if p.quits != 1 {
		t.Fatal("without a tray, hiding must quit")
	}
}

// System trays take raster images only: an SVG there is silently dropped on Linux and Windows.
func TestIconsAreRasterImages(t *testing.T) {
	for _, c := range []struct {
		res  fyne.Resource
		size int
	}{{TrayIcon(), 64}, {AppIcon(), 256}} {
		img, err := png.Decode(bytes.NewReader(c.res.Content()))
		if err != nil {
			t.Fatalf("%s: %v", c.res.Name(), err)
		}
		if b := img.Bounds(); b.Dx() != c.size || b.Dy() != c.size {
			t.Errorf("%s is %v, want %dx%d", c.res.Name(), b, c.size, c.size)
		}
	}
}

func timeMinutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// fakeAutostart is a scripted Autostart.
type fakeAutostart struct {
	on   bool
	sets []bool
	err  error
}

func (f *fakeAutostart) Enabled() (bool, error) { return f.on, nil }

func (f *fakeAutostart) SetEnabled(on bool) error {
	f.sets = append(f.sets, on)
	if f.err != nil {
		return f.err
	}
	f.on = on
	return nil
}

func TestStartAtLoginFromTheTray(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	auto := &fakeAutostart{}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}, Autostart: auto}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	item := func() *fyne.MenuItem {
		for _, it := range a.menu.Items {
			if it.Label == "Start at login" {
				return it
			}
		}
		t.Fatal("no Start at login item")
		return nil
	}
	if item().Checked {
		t.Fatal("ticked before it was turned on")
	}
	item().Action()
	if !item().Checked || fmt.Sprint(auto.sets) != "[true]" {
		t.Fatalf("after turning on: checked %v, calls %v", item().Checked, auto.sets)
	}
	auto.err = errors.New("read-only home")
	item().Action()
	if !item().Checked || !strings.Contains(s.cases.banner.Text, "read-only home") {
		t.Fatalf("a failed change: checked %v, banner %q", item().Checked, s.cases.banner.Text)
	}
}

func TestAboutBoxShowsTheVersion(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	env := sandboxEnv
	env.Version = "9.8.7"
	s := newShell(a, env, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	s.showAbout()
	overlay := s.Window().Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no About box")
	}
	found := false
	for _, o := range test.LaidOutObjects(overlay) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Version 9.8.7" {
			found = true
		}
	}
	if !found {
		t.Fatal("the About box does not show the version")
	}
}
