package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fakeDiagnostics is a scripted Diagnostics. With hold set, Fix and Provision report their first
// step, then wait for release or for their context to end.
type fakeDiagnostics struct {
	results  []CheckResult
	fixed    []CheckResult
	created  []string
	runErr   error
	fixErr   error
	runs     int
	fixes    int
	provided int

	hold    bool
	stepped chan struct{} // told once the first step was reported
	release chan struct{}
}

func (f *fakeDiagnostics) Run(context.Context) ([]CheckResult, error) {
	f.runs++
	return f.results, f.runErr
}

func (f *fakeDiagnostics) Fix(ctx context.Context, progress func(string)) ([]CheckResult, error) {
	f.fixes++
	if err := f.wait(ctx, progress, "Creating the alternate key lmi_sessionid…"); err != nil {
		return nil, err
	}
	return f.fixed, f.fixErr
}

func (f *fakeDiagnostics) Provision(ctx context.Context, progress func(string)) ([]string, error) {
	f.provided++
	if err := f.wait(ctx, progress, "Creating table lmi_sessions…"); err != nil {
		return nil, err
	}
	return f.created, nil
}

func (f *fakeDiagnostics) wait(ctx context.Context, progress func(string), step string) error {
	progress(step)
	if !f.hold {
		return nil
	}
	f.stepped <- struct{}{}
	select {
	case <-f.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sampleChecks are a passed check, a warning and a fixable problem.
func sampleChecks() []CheckResult {
	return []CheckResult{
		{Name: "Settings", Detail: "config.toml is valid", OK: true},
		{Name: "Dynamics sign-in", Detail: "signed in as camille@contoso-helpdesk.example", OK: true},
		{Name: "Keyring", Detail: "the Secret Service answered slowly (2.4 s)", Fix: "Unlock the login keyring at sign-in.", Warning: true},
		{Name: "Session key", Detail: "lmi_sessions has no alternate key on lmi_sessionid", Fix: "Press Fix to create the key, or run doctor --fix.", Fixable: true},
	}
}

// openDiagnostics opens Diagnostics with async work on real goroutines, reporting each one's end.
func openDiagnostics(t *testing.T, a fyne.App, fd *fakeDiagnostics) (*Shell, *diagnosticsView, chan struct{}) {
	t.Helper()
	s := newToolShell(t, a, Services{Diagnostics: fd})
	done := make(chan struct{}, 4)
	s.async = func(f func()) { go func() { f(); done <- struct{}{} }() }
	s.showDiagnostics()
	return s, s.tools.diag, done
}

func TestDiagnosticsInBothLanguagesAndThemes(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
	}{
		{"diagnostics/checks_en_light.xml", "en", theme.VariantLight},
		{"diagnostics/checks_fr_dark.xml", "fr", theme.VariantDark},
	} {
		t.Run(c.lang, func(t *testing.T) {
			a := newTestApp(t)
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			s := newToolShell(t, a, Services{Diagnostics: &fakeDiagnostics{results: sampleChecks()}})
			s.showDiagnostics()
			test.Tap(s.tools.diag.run)
			test.AssertRendersToMarkup(t, c.golden, laidOut(s.tools.diag.window.Canvas()))
		})
	}
}

func TestRunShowsEachCheckWithWhatToDo(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{results: sampleChecks()}
	s := newToolShell(t, a, Services{Diagnostics: fd})
	s.showDiagnostics()
	v := s.tools.diag
	if v.fix.Visible() || !v.empty.Visible() || fd.runs != 0 {
		t.Fatal("the checks ran before they were asked for, or Fix is offered for nothing")
	}
	test.Tap(v.run)
	if fd.runs != 1 || len(v.rows.Objects) != 4 || v.empty.Visible() {
		t.Fatalf("%d runs, %d rows", fd.runs, len(v.rows.Objects))
	}
	if v.summary.Text != "Passed: 2 · Warnings: 1 · Problems: 1" {
		t.Fatalf("summary %q", v.summary.Text)
	}
	for i, want := range []struct {
		icon, line, fix string
	}{
		{"success_", "Settings · config.toml is valid", ""},
		{"success_", "Dynamics sign-in · signed in as camille@contoso-helpdesk.example", ""},
		{"warning_", "Keyring · the Secret Service answered slowly (2.4 s)", "Unlock the login keyring at sign-in."},
		{"error_", "Session key · lmi_sessions has no alternate key on lmi_sessionid", "Press Fix to create the key, or run doctor --fix."},
	} {
		icon, line, fix := rowParts(v.rows.Objects[i])
		if icon[:len(want.icon)] != want.icon || line != want.line || fix != want.fix {
			t.Errorf("row %d: %s %q / %q; want %s %q / %q", i, icon, line, fix, want.icon, want.line, want.fix)
		}
	}
	if !v.fix.Visible() {
		t.Fatal("a fixable problem and no Fix")
	}
	v.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.tools.diag != nil {
		t.Fatal("Escape did not close Diagnostics")
	}
}

// rowParts are a check row's icon resource name, its line and what to do.
func rowParts(row fyne.CanvasObject) (icon, line, fix string) {
	c := row.(*fyne.Container)
	text := c.Objects[0].(*fyne.Container)
	icon = c.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon).Resource.Name()
	line = text.Objects[0].(*widget.Label).Text
	if len(text.Objects) > 1 {
		fix = text.Objects[1].(*widget.Label).Text
	}
	return icon, line, fix
}

func TestRunFailureIsOneLine(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{runErr: errors.New("the settings file does not parse")}
	s := newToolShell(t, a, Services{Diagnostics: fd})
	s.showDiagnostics()
	v := s.tools.diag
	test.Tap(v.run)
	if !v.problem.Visible() || v.problem.Text != "The checks could not run: the settings file does not parse" || v.run.Disabled() {
		t.Fatalf("problem %q", v.problem.Text)
	}
}

func TestFixShowsItsProgressThenTheNewResults(t *testing.T) {
	a := newTestApp(t)
	fixed := sampleChecks()[:3]
	fd := &fakeDiagnostics{
		results: sampleChecks(), fixed: fixed, hold: true,
		stepped: make(chan struct{}), release: make(chan struct{}),
	}
	_, v, done := openDiagnostics(t, a, fd)
	test.Tap(v.run)
	<-done
	test.Tap(v.fix)
	<-fd.stepped
	if !v.progress.Visible() || v.step.Text != "Creating the alternate key lmi_sessionid…" {
		t.Fatalf("progress shown %v, step %q", v.progress.Visible(), v.step.Text)
	}
	if !v.run.Disabled() || !v.fix.Disabled() || !v.provision.Disabled() {
		t.Fatal("another operation can start meanwhile")
	}
	close(fd.release)
	<-done
	if v.progress.Visible() || len(v.rows.Objects) != 3 || v.fix.Visible() || v.run.Disabled() {
		t.Fatalf("after the fix: %d rows, fix shown %v", len(v.rows.Objects), v.fix.Visible())
	}
}

func TestFixCanBeCancelledAndKeepsTheResults(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{results: sampleChecks(), hold: true, stepped: make(chan struct{}), release: make(chan struct{})}
	_, v, done := openDiagnostics(t, a, fd)
	test.Tap(v.run)
	<-done
	test.Tap(v.fix)
	<-fd.stepped
	test.Tap(findButton(t, v.window.Content(), "Cancel"))
	<-done
	if v.progress.Visible() || !v.problem.Visible() || v.problem.Text != "Cancelled." {
		t.Fatalf("problem %q (shown %v)", v.problem.Text, v.problem.Visible())
	}
	if len(v.rows.Objects) != 4 || !v.fix.Visible() || v.fix.Disabled() {
		t.Fatal("the results of the run before were lost")
	}
}

func TestCreatingTheTablesAsksFirst(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{results: sampleChecks(), created: []string{"table lmi_sessions", "key lmi_sessionid"}}
	s := newToolShell(t, a, Services{Diagnostics: fd})
	s.showDiagnostics()
	v := s.tools.diag
	test.Tap(v.provision)
	confirm := v.window.Canvas().Overlays().Top()
	if confirm == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(findButton(t, confirm, "Cancel"))
	if fd.provided != 0 || v.window.Canvas().Overlays().Top() != nil {
		t.Fatalf("cancelled, yet %d provisions", fd.provided)
	}
	test.Tap(v.provision)
	test.Tap(findButton(t, v.window.Canvas().Overlays().Top(), "Create"))
	if fd.provided != 1 || !v.outcome.Visible() ||
		v.outcome.Text != "Created: table lmi_sessions, key lmi_sessionid. Run the checks again to see where things stand." {
		t.Fatalf("%d provisions, outcome %q", fd.provided, v.outcome.Text)
	}
	fd.created = nil
	test.Tap(v.provision)
	test.Tap(findButton(t, v.window.Canvas().Overlays().Top(), "Create"))
	if v.outcome.Text != "Nothing was missing." {
		t.Fatalf("outcome %q", v.outcome.Text)
	}
}

func TestProvisionShowsItsProgress(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{hold: true, stepped: make(chan struct{}), release: make(chan struct{}), created: []string{"table lmi_sessions"}}
	_, v, done := openDiagnostics(t, a, fd)
	test.Tap(v.provision)
	test.Tap(findButton(t, v.window.Canvas().Overlays().Top(), "Create"))
	<-fd.stepped
	if v.step.Text != "Creating table lmi_sessions…" || !v.progress.Visible() {
		t.Fatalf("step %q", v.step.Text)
	}
	close(fd.release)
	<-done
	if got := fmt.Sprint(v.outcome.Visible(), " ", v.outcome.Text); got != "true Created: table lmi_sessions. Run the checks again to see where things stand." {
		t.Fatalf("outcome %s", got)
	}
}

// A fix that fails still shows the checks it made after, with its reason.
func TestAFailedFixShowsWhyAndTheChecksAfter(t *testing.T) {
	a := newTestApp(t)
	fd := &fakeDiagnostics{results: sampleChecks(), fixed: sampleChecks()[:2], fixErr: errors.New("no privilege to reactivate the key")}
	s := newToolShell(t, a, Services{Diagnostics: fd})
	s.showDiagnostics()
	v := s.tools.diag
	test.Tap(v.run)
	test.Tap(v.fix)
	if !v.problem.Visible() || v.problem.Text != "Could not fix: no privilege to reactivate the key" || len(v.rows.Objects) != 2 {
		t.Fatalf("problem %q, %d rows", v.problem.Text, len(v.rows.Objects))
	}
}
