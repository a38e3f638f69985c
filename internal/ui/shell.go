package ui

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// Services are what the shell needs from the rest of the app.
type Services struct {
	Auth   Auth
	Cases  Cases
	Rescue Rescue
	Links  Links
	// Sessions follows the sessions after their PIN; without it the screens show none.
	Sessions Sessions
	// Settings, Diagnostics and Team open the windows of the same names; each one left nil is
	// not offered.
	Settings    Settings
	Diagnostics Diagnostics
	Team        Team
	// Autostart, when set, offers "Start at login" in the tray.
	Autostart Autostart
	// Ready, when set, is called once on the UI goroutine when the first screen has its content:
	// "signin", or "cached" when the window opened on the cases kept from last time.
	Ready func(what string)
}

// Shell is the main window, its two screens (sign-in and my open cases), the windows of Recent
// sessions and of a session's details, and the tray icon. It is the controller: it runs every
// service call off the UI goroutine with a cancel, and comes back with fyne.Do.
type Shell struct {
	app     fyne.App
	window  fyne.Window
	svc     Services
	env     Environment
	desk    desktop.App // nil where the desktop has no tray
	tray    desktop.App // desk, once the tray icon is installed
	signIn  *signInScreen
	cases   *casesScreen
	recent  []Case
	account Account
	rescue  rescueFlow
	now     func() time.Time // the clock PINs expire by; tests stop it

	autostart bool // the app starts at login (the tray's tick)

	sessions   sessionWatch
	recentView *recentView        // while Recent sessions is open
	detailView *sessionDetailView // while a session's details are open
	tools      toolWindows        // Settings, Diagnostics and Team sessions

	mu     sync.Mutex
	cancel context.CancelFunc // the long operation under way, if any

	async func(func()) // runs service calls off the UI goroutine; tests make it observable
}

// NewShell builds the main window and, where the desktop has one, the tray icon. With a tray, closing
// the window hides it; without one, closing quits, so the app can never be left running out of reach.
// It then looks for a signed-in account and cached cases in the background.
func NewShell(a fyne.App, env Environment, svc Services) *Shell {
	s := newShell(a, env, svc, func(f func()) { go f() })
	s.start()
	return s
}

func newShell(a fyne.App, env Environment, svc Services, async func(func())) *Shell {
	s := &Shell{app: a, svc: svc, env: env, async: async, now: time.Now, window: a.NewWindow(lang.L("Rescue Companion"))}
	s.window.Resize(fyne.NewSize(900, 560))
	s.window.SetMaster()
	// Opening the window (the OpenGL context) and reading the fonts each take a few hundred ms at
	// start-up: do them at once, on the two goroutines, before the screens need the fonts.
	warmed := make(chan struct{})
	go func() { defer close(warmed); warmFonts() }()
	s.window.Show()
	<-warmed
	s.cases = newCasesScreen(func() time.Time { return s.now() })
	s.cases.onRefresh = s.refresh
	s.cases.onCancel = s.cancelRunning
	s.cases.onOpen = s.openCase
	s.show(s.cases.content)
	s.cases.setBusy(true)

	if desk, ok := a.(desktop.App); ok {
		s.desk = desk
		s.window.SetCloseIntercept(s.Hide)
	}
	s.addShortcuts()
	s.wireRescue()
	s.wireSessions()
	s.wireTools()
	return s
}

// trayDelay is how long after the first screen the tray icon is installed: registering it with the
// desktop takes a third of a second on some, which the window need not wait for.
var trayDelay = 100 * time.Millisecond

// installTray puts the icon and its menu in the system tray.
func (s *Shell) installTray() {
	if s.desk == nil || s.tray != nil {
		return
	}
	s.tray = s.desk
	s.tray.SetSystemTrayMenu(s.trayMenu())
	s.tray.SetSystemTrayIcon(TrayIcon())
	if runtime.GOOS != "darwin" { // on macOS a tray click opens the menu, as users there expect
		s.tray.SetSystemTrayWindow(s.window)
	}
}

// installTrayLater installs the tray once the first screen has had time to be drawn.
func (s *Shell) installTrayLater() {
	if trayDelay == 0 {
		s.installTray()
		return
	}
	time.AfterFunc(trayDelay, func() { fyne.Do(s.installTray) })
}

// warmFonts measures a word in every text style the screens use, so the font faces are read and
// cached before the screens are built.
func warmFonts() {
	sizes := []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameCaptionText, theme.SizeNameSubHeadingText, theme.SizeNameHeadingText}
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		for _, size := range sizes {
			fyne.MeasureText("Rescue", theme.Size(size), style)
		}
	}
}

// start looks for the signed-in account and the cached cases, off the UI goroutine.
func (s *Shell) start() {
	s.async(s.restore)
	s.loadAutostart()
}

// Window is the main window.
func (s *Shell) Window() fyne.Window { return s.window }

// Show brings the main window up and to the front.
func (s *Shell) Show() {
	s.setVisible(true)
	s.window.Show()
	s.window.RequestFocus()
}

// Hide sends the main window to the tray; without a tray it quits instead.
func (s *Shell) Hide() {
	if s.desk == nil {
		s.app.Quit()
		return
	}
	s.setVisible(false)
	s.window.Hide()
}

// show puts a screen in the window, under the sandbox banner when there is one.
func (s *Shell) show(screen fyne.CanvasObject) {
	if s.env.Sandbox {
		screen = container.NewBorder(sandboxBanner(), nil, nil, nil, container.NewPadded(screen))
	} else {
		screen = container.NewPadded(screen)
	}
	s.window.SetContent(screen)
}

// restore opens on the cached cases when someone is signed in, and on the sign-in screen otherwise;
// the sessions followed since before the window opened are shown too.
func (s *Shell) restore() {
	s.syncSessions(false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	acct, signedIn := s.svc.Auth.Account(ctx)
	var cached CaseList
	var haveCache bool
	if signedIn {
		cached, haveCache = s.svc.Cases.Cached()
	}
	fyne.Do(func() {
		s.cases.setBusy(false)
		defer s.installTrayLater()
		if !signedIn {
			s.showSignIn("")
			s.ready("signin")
			return
		}
		s.account = acct
		s.checkPresence(presenceEvery)
		if haveCache {
			s.setCases(cached)
			s.cases.setBanner(fmt.Sprintf(lang.L("Showing cases as of %s; refreshing…"), asOf(cached.AsOf)))
			s.ready("cached")
		}
		s.refresh()
	})
}

func (s *Shell) ready(what string) {
	if s.svc.Ready != nil {
		s.svc.Ready(what)
	}
}

// showSignIn puts up the sign-in screen, built the first time it is needed: a technician who is
// signed in never pays for it at start-up.
func (s *Shell) showSignIn(errText string) {
	if s.signIn == nil {
		s.signIn = newSignInScreen(s.env)
		s.signIn.onSignIn = func() { s.startSignIn(false) }
		s.signIn.onDeviceCode = func() { s.startSignIn(true) }
		s.signIn.onCancel = s.cancelRunning
		s.signIn.onCopy = func(text string) { s.app.Clipboard().SetContent(text) }
		s.signIn.onOpenURL = func(u string) { s.async(func() { _ = s.svc.Links.OpenURL(u) }) }
	}
	s.signIn.showChoice(errText)
	s.show(s.signIn.content)
}

// begin starts a cancellable operation, cancelling any other under way.
func (s *Shell) begin(timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.cancel = cancel
	s.mu.Unlock()
	return ctx
}

func (s *Shell) cancelRunning() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func (s *Shell) startSignIn(deviceCode bool) {
	ctx := s.begin(15 * time.Minute)
	s.signIn.showWaiting()
	s.async(func() {
		var acct Account
		var err error
		if deviceCode {
			acct, err = s.svc.Auth.SignInWithDeviceCode(ctx, func(dc DeviceCode) {
				fyne.Do(func() { s.signIn.showDeviceCode(dc) })
			})
		} else {
			acct, err = s.svc.Auth.SignIn(ctx)
		}
		fyne.Do(func() { s.afterSignIn(ctx, acct, err) })
	})
}

func (s *Shell) afterSignIn(ctx context.Context, acct Account, err error) {
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		s.showSignIn("")
	case errors.Is(err, ErrNoBrowser):
		s.startSignIn(true) // no browser here: a code to type on another device still works
	case err != nil:
		s.showSignIn(fmt.Sprintf(lang.L("Sign-in failed: %s"), err))
	default:
		s.account = acct
		s.show(s.cases.content)
		s.refresh()
		s.checkPresence(presenceEvery)
	}
}

// refresh fetches the cases again; the list on screen stays usable meanwhile.
func (s *Shell) refresh() {
	ctx := s.begin(2 * time.Minute)
	s.cases.setBusy(true)
	wait := func(d time.Duration) {
		fyne.Do(func() {
			s.cases.setBanner(fmt.Sprintf(lang.L("Dynamics is busy, retrying in %d s"), int(d.Round(time.Second)/time.Second)))
		})
	}
	s.async(func() {
		list, err := s.svc.Cases.Refresh(ctx, wait)
		kept, reason := s.svc.Auth.Persistence()
		fyne.Do(func() {
			s.afterRefresh(ctx, list, err)
			if err == nil && !kept {
				s.cases.setBanner(fmt.Sprintf(lang.L("Not kept for next time: %s"), reason))
			}
		})
	})
}

func (s *Shell) afterRefresh(ctx context.Context, list CaseList, err error) {
	s.cases.setBusy(false)
	switch {
	case errors.Is(err, ErrSignInRequired):
		s.showSignIn(lang.L("Your sign-in has expired. Please sign in again."))
	case err != nil && len(s.cases.all) > 0:
		if errors.Is(ctx.Err(), context.Canceled) {
			s.cases.setBanner(fmt.Sprintf(lang.L("Showing cases as of %s."), asOf(s.cases.asOf)))
			return
		}
		s.cases.setBanner(fmt.Sprintf(lang.L("Offline or unreachable: showing cases as of %s. (%s)"), asOf(s.cases.asOf), err))
	case err != nil:
		if errors.Is(ctx.Err(), context.Canceled) {
			s.cases.setBanner("")
			s.cases.setFailure(lang.L("Loading was cancelled."))
			return
		}
		s.cases.setBanner("")
		s.cases.setFailure(fmt.Sprintf(lang.L("Could not load your cases: %s"), err))
	default:
		s.cases.setBanner("")
		s.setCases(list)
	}
}

// setCases shows a list and puts its most recent cases in the tray.
func (s *Shell) setCases(list CaseList) {
	s.cases.asOf = list.AsOf
	s.cases.setCases(list.Cases)
	s.recent = recentCases(list.Cases, 10)
	if s.tray != nil {
		s.tray.SetSystemTrayMenu(s.trayMenu())
	}
}

func (s *Shell) openCase(c Case) {
	s.async(func() {
		if err := s.svc.Links.OpenCase(c); err != nil {
			fyne.Do(func() { s.cases.setBanner(fmt.Sprintf(lang.L("Could not open the browser: %s"), err)) })
		}
	})
}

// showCase brings the window up on one case (from the tray).
func (s *Shell) showCase(id string) {
	s.Show()
	s.cases.selectCase(id)
}

func (s *Shell) signOut() {
	s.cancelRunning()
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := s.svc.Auth.SignOut(ctx)
		fyne.Do(func() {
			s.cases.setCases(nil)
			s.recent = nil
			s.account = Account{}
			if s.tray != nil {
				s.tray.SetSystemTrayMenu(s.trayMenu())
			}
			msg := ""
			if err != nil {
				msg = fmt.Sprintf(lang.L("Sign-out was incomplete: %s"), err)
			}
			s.showSignIn(msg)
		})
	})
}

// addShortcuts binds the keyboard: Ctrl+W hides to the tray, Ctrl+Q quits, Ctrl+F searches, Ctrl+R
// refreshes, Ctrl+O opens the selected case in Dynamics, Ctrl+G generates a PIN for it, Ctrl+H opens
// Recent sessions (Cmd on macOS). The windows of tools.go add theirs.
func (s *Shell) addShortcuts() {
	bind := func(key fyne.KeyName, do func()) {
		s.window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { do() })
	}
	bind(fyne.KeyW, s.Hide)
	bind(fyne.KeyQ, s.app.Quit)
	bind(fyne.KeyF, func() { s.window.Canvas().Focus(s.cases.search) })
	bind(fyne.KeyR, func() {
		if !s.cases.refresh.Disabled() {
			s.refresh()
		}
	})
	bind(fyne.KeyG, s.generatePIN)
	bind(fyne.KeyH, s.showRecent)
	bind(fyne.KeyO, func() {
		if s.cases.detail.current.ID != "" {
			s.openCase(s.cases.detail.current)
		}
	})
}
