package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// How often the console status is asked for: at most once a minute while the window is visible,
// and again when a case is picked if the last answer is older than selectionMaxAge, so that the
// button's state is fresh right before a PIN without the click itself costing a round trip.
var (
	presenceEvery   = time.Minute
	selectionMaxAge = 30 * time.Second
	pinTick         = time.Second // how often the PIN's remaining validity is redrawn
)

// rescueFlow is the shell's Rescue side: the console light, the PIN panel and the Rescue sign-in.
type rescueFlow struct {
	form     *rescueSignIn
	presence Presence

	mu      sync.Mutex
	cancel  context.CancelFunc // the PIN request or sign-in under way
	visible bool
	ticking chan struct{} // closed to stop the PIN validity ticker
}

// wireRescue connects the PIN panel and starts the status light's polling.
func (s *Shell) wireRescue() {
	p := s.cases.detail.pin
	p.onGenerate = s.generatePIN
	p.onRecheck = func() { s.checkPresence(0) }
	p.onCancel = s.cancelRescue
	p.onCopy = func(text string) { s.app.Clipboard().SetContent(text) }
	p.onOpenURL = func(u string) { s.async(func() { _ = s.svc.Links.OpenURL(u) }) }
	p.onInvite = func(u string) {
		s.async(func() {
			if err := s.svc.Links.OpenMail(u); err != nil {
				fyne.Do(func() { p.setProblem(fmt.Sprintf(lang.L("Could not open the mail program: %s"), err)) })
			}
		})
	}
	s.cases.detail.onSelect = s.caseSelected
	s.rescue.visible = true
	if presenceEvery > 0 {
		go s.pollPresence()
	}
}

// pollPresence refreshes the status light once a minute while the window is visible.
func (s *Shell) pollPresence() {
	t := time.NewTicker(presenceEvery)
	defer t.Stop()
	for range t.C {
		s.rescue.mu.Lock()
		visible := s.rescue.visible
		s.rescue.mu.Unlock()
		if visible {
			s.checkPresence(presenceEvery)
		}
	}
}

func (s *Shell) setVisible(v bool) {
	s.rescue.mu.Lock()
	s.rescue.visible = v
	s.rescue.mu.Unlock()
}

// caseSelected shows the case's last PIN if it is still valid and its live session, and freshens
// the console status.
func (s *Shell) caseSelected(c Case) {
	s.sessionCaseSelected()
	s.async(func() {
		pin, ok := s.svc.Rescue.LastPIN(c.ID)
		if !ok || !pin.ExpiresAt.After(s.now()) {
			return
		}
		fyne.Do(func() {
			if s.cases.detail.current.ID == c.ID && s.cases.detail.pin.pin.Code == "" {
				s.showPIN(pin)
			}
		})
	})
	s.checkPresence(selectionMaxAge)
}

// checkPresence asks for the console status when the last answer is older than maxAge.
func (s *Shell) checkPresence(maxAge time.Duration) {
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, ok := s.svc.Rescue.Account(ctx); !ok {
			fyne.Do(func() { s.setPresence(PresenceUnknown) })
			return
		}
		p, err := s.svc.Rescue.Presence(ctx, maxAge)
		fyne.Do(func() {
			if err != nil && needsRescueSignIn(err) {
				p = PresenceUnknown
			}
			s.setPresence(p)
		})
	})
}

// setPresence shows the status in the window and the tray, and gates the PIN button.
func (s *Shell) setPresence(p Presence) {
	changed := p != s.rescue.presence
	s.rescue.presence = p
	s.cases.light.set(p)
	s.cases.detail.pin.setGate(s.svc.Rescue.RequireConsole() && p == PresenceOffline)
	if changed && s.tray != nil {
		s.tray.SetSystemTrayMenu(s.trayMenu())
	}
}

// beginRescue starts a cancellable Rescue operation, apart from the case list's, so that a refresh
// of the list never cancels a PIN on its way.
func (s *Shell) beginRescue(timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s.rescue.mu.Lock()
	if s.rescue.cancel != nil {
		s.rescue.cancel()
	}
	s.rescue.cancel = cancel
	s.rescue.mu.Unlock()
	return ctx
}

func (s *Shell) cancelRescue() {
	s.rescue.mu.Lock()
	defer s.rescue.mu.Unlock()
	if s.rescue.cancel != nil {
		s.rescue.cancel()
		s.rescue.cancel = nil
	}
}

// generatePIN asks for a PIN for the case on screen.
func (s *Shell) generatePIN() {
	c := s.cases.detail.current
	if c.ID == "" || s.cases.detail.pin.generate.Disabled() {
		return
	}
	ctx := s.beginRescue(time.Minute)
	s.cases.detail.pin.setBusy(true)
	s.async(func() {
		pin, err := s.svc.Rescue.RequestPIN(ctx, c)
		fyne.Do(func() { s.afterPIN(ctx, c, pin, err) })
	})
}

func (s *Shell) afterPIN(ctx context.Context, c Case, pin PINCode, err error) {
	panel := s.cases.detail.pin
	panel.setBusy(false)
	var re *RescueError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return
	case needsRescueSignIn(err):
		s.askRescueSignIn(signInReason(err), s.generatePIN)
	case errors.As(err, &re) && re.Code == "NOTECHCONSOLERUNNING":
		s.setPresence(PresenceOffline)
		panel.setProblem(rescueProblem(err))
	case err != nil:
		panel.setProblem(rescueProblem(err))
	case s.cases.detail.current.ID == c.ID:
		s.showPIN(pin)
		s.checkPresence(presenceEvery) // the PIN's answer already told the console's state: no round trip
	}
}

// signInReason is what the sign-in form says first: nothing when the technician simply never
// signed in, else why the kept sign-in stopped working.
func signInReason(err error) string {
	var re *RescueError
	if errors.As(err, &re) && re.Code == CodeSignInRequired {
		return ""
	}
	return rescueProblem(err)
}

// showPIN puts the PIN up and keeps its remaining validity current until it expires.
func (s *Shell) showPIN(pin PINCode) {
	s.cases.detail.pin.showPIN(pin)
	s.rescue.mu.Lock()
	if s.rescue.ticking != nil {
		close(s.rescue.ticking)
	}
	stop := make(chan struct{})
	s.rescue.ticking = stop
	s.rescue.mu.Unlock()
	if pinTick > 0 {
		go s.tickPIN(pin, stop)
	}
}

func (s *Shell) tickPIN(pin PINCode, stop chan struct{}) {
	t := time.NewTicker(pinTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fyne.Do(s.cases.detail.pin.tick)
			if !pin.ExpiresAt.After(s.now()) {
				return
			}
		}
	}
}

// askRescueSignIn opens the Rescue sign-in over the window; then runs after a successful sign-in.
func (s *Shell) askRescueSignIn(reason string, then func()) {
	if s.rescue.form == nil {
		s.rescue.form = newRescueSignIn(s.window.Canvas(), s.env, s.svc.Rescue.SSO())
		s.rescue.form.onCancel = func() {
			s.cancelRescue()
			s.rescue.form.close()
		}
	}
	form := s.rescue.form
	form.onSubmit = func(c RescueCredentials) {
		ctx := s.beginRescue(time.Minute)
		s.async(func() {
			_, err := s.svc.Rescue.SignIn(ctx, c)
			kept, why := s.svc.Auth.Persistence()
			fyne.Do(func() { s.afterRescueSignIn(ctx, err, kept, why, then) })
		})
	}
	form.setBusy(false)
	if reason != "" {
		form.showProblem(reason)
	}
	form.show(s.window.Canvas())
}

func (s *Shell) afterRescueSignIn(ctx context.Context, err error, kept bool, why string, then func()) {
	form := s.rescue.form
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return
	case err != nil:
		form.showProblem(rescueProblem(err))
		return
	}
	form.close()
	if !kept {
		s.cases.setBanner(fmt.Sprintf(lang.L("Not kept for next time: %s"), why))
	}
	s.checkPresence(0)
	if then != nil {
		then()
	}
}

// forgetRescue deletes the Rescue auth code from the keyring.
func (s *Shell) forgetRescue() {
	s.cancelRescue()
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := s.svc.Rescue.Forget(ctx)
		fyne.Do(func() {
			s.cases.detail.pin.reset()
			s.setPresence(PresenceUnknown)
			if err != nil {
				s.cases.setBanner(fmt.Sprintf(lang.L("Could not forget the Rescue credentials: %s"), err))
				return
			}
			s.cases.setBanner(lang.L("Rescue credentials forgotten. You will be asked for them at the next PIN."))
		})
	})
}
