package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// trayApp is the test app with a desktop tray, so the shell's tray wiring can be observed.
type trayApp struct {
	fyne.App
	menu   *fyne.Menu
	icon   fyne.Resource
	window fyne.Window
	quits  int
	notes  []*fyne.Notification // every notification sent, in order (the test app keeps only the last)
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.window = w }
func (a *trayApp) Quit()                             { a.quits++ }
func (a *trayApp) SendNotification(n *fyne.Notification) {
	a.notes = append(a.notes, n)
}

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
	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
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

// variantTheme pins the default theme to one variant, whatever the test machine prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return v.Theme.Color(n, v.variant)
}

// fakeAuth is a scripted Auth.
type fakeAuth struct {
	mu        sync.Mutex
	account   Account
	signedIn  bool
	signInErr error
	device    DeviceCode
	block     bool          // sign-in waits for ctx to be cancelled
	shown     chan struct{} // closed once the device code has been shown
	signOuts  int
	notKept   string // Persistence's reason, when the keyring is out of reach
	noBrowser bool   // SignIn fails as if no browser could open
}

func (f *fakeAuth) Account(context.Context) (Account, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.account, f.signedIn
}

func (f *fakeAuth) SignIn(ctx context.Context) (Account, error) {
	if f.noBrowser {
		return Account{}, fmt.Errorf("sign-in: %w", ErrNoBrowser)
	}
	return f.finish(ctx)
}

func (f *fakeAuth) SignInWithDeviceCode(ctx context.Context, show func(DeviceCode)) (Account, error) {
	show(f.device)
	if f.shown != nil {
		close(f.shown)
	}
	return f.finish(ctx)
}

func (f *fakeAuth) finish(ctx context.Context) (Account, error) {
	if f.block {
		<-ctx.Done()
		return Account{}, ctx.Err()
	}
	if f.signInErr != nil {
		return Account{}, f.signInErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signedIn = true
	return f.account, nil
}

func (f *fakeAuth) Persistence() (bool, string) {
	if f.notKept != "" {
		return false, f.notKept
	}
	return true, ""
}

func (f *fakeAuth) SignOut(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signOuts++
	f.signedIn = false
	return nil
}

// fakeCases is a scripted Cases: each Refresh takes the next answer.
type fakeCases struct {
	mu       sync.Mutex
	cached   *CaseList
	answers  []caseAnswer
	refreshs int
	onWaited func(*Shell) // called right after a wait was told, to observe the screen then
	shell    *Shell
}

type caseAnswer struct {
	list CaseList
	err  error
	wait time.Duration // told through wait before answering
}

func (f *fakeCases) Cached() (CaseList, bool) {
	if f.cached == nil {
		return CaseList{}, false
	}
	return *f.cached, true
}

func (f *fakeCases) Refresh(ctx context.Context, wait func(time.Duration)) (CaseList, error) {
	f.mu.Lock()
	f.refreshs++
	var a caseAnswer
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()
	if a.wait > 0 {
		wait(a.wait)
		if f.onWaited != nil {
			f.onWaited(f.shell)
		}
	}
	if errors.Is(a.err, context.Canceled) {
		<-ctx.Done()
		return CaseList{}, ctx.Err()
	}
	return a.list, a.err
}

type fakeLinks struct{ opened []string }

func (f *fakeLinks) OpenCase(c Case) error   { f.opened = append(f.opened, c.ID); return nil }
func (f *fakeLinks) OpenURL(u string) error  { f.opened = append(f.opened, u); return nil }
func (f *fakeLinks) OpenMail(u string) error { f.opened = append(f.opened, u); return nil }

// syncRun runs the shell's background work at once, so a test sees its effect when the call returns.
func syncRun(f func()) { f() }

var asOfTime = time.Date(2026, 11, 27, 13, 5, 0, 0, time.Local)

// sampleCases are a few cases in the shapes the seed has: accents, an account customer, no e-mail.
func sampleCases() []Case {
	base := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	return []Case{
		{
			ID: "a", Number: "CAS-01001-AAAAAA", Title: "VPN drops every 10 minutes on the home network", Customer: "Zoë O'Connor",
			CustomerEmail: "zoe.oconnor@fabrikam.example", Priority: "High", PriorityCode: 1, Status: "In Progress",
			Owner: "Camille Lefèvre", Description: "Reported by phone.", Created: base.Add(-48 * time.Hour), Modified: base.Add(3 * time.Hour),
		},
		{
			ID: "b", Number: "CAS-01002-BBBBBB", Title: "Imprimante de l'accueil hors ligne depuis lundi", Customer: "Hôtel Château-Neuf",
			CustomerEmail: "reception@chateau-neuf.example", Priority: "Low", PriorityCode: 3, Status: "On Hold",
			Owner: "Camille Lefèvre", Created: base.Add(-24 * time.Hour), Modified: base.Add(5 * time.Hour),
		},
		{
			ID: "c", Number: "CAS-01003-CCCCCC", Title: "Teams camera not detected in meetings", Customer: "Grégoire N'Diaye",
			Priority: "Normal", PriorityCode: 2, Status: "Waiting for Details", Owner: "Camille Lefèvre",
			Description: "Camera works in the Windows Camera app.", Created: base.Add(-72 * time.Hour), Modified: base.Add(1 * time.Hour),
		},
	}
}

// findButton finds the visible button with the given label among everything laid out under root.
func findButton(t *testing.T, root fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	for _, o := range append([]fyne.CanvasObject{root}, test.LaidOutObjects(root)...) {
		if b, ok := o.(*widget.Button); ok && b.Text == label && isShown(b, root) {
			return b
		}
	}
	t.Fatalf("no visible button %q", label)
	return nil
}

// isShown is true when o and every container between root and o are visible.
func isShown(o, root fyne.CanvasObject) bool {
	if !o.Visible() {
		return false
	}
	hidden := false
	var visit func(n fyne.CanvasObject, parentsShown bool) bool
	visit = func(n fyne.CanvasObject, parentsShown bool) bool {
		shown := parentsShown && n.Visible()
		if n == o {
			hidden = !shown
			return true
		}
		if c, ok := n.(*fyne.Container); ok {
			for _, child := range c.Objects {
				if visit(child, shown) {
					return true
				}
			}
		}
		return false
	}
	if !visit(root, true) {
		return true // inside a widget's renderer: its own Visible is what counts
	}
	return !hidden
}
