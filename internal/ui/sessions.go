package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// liveTick is how often the live status's time in state is redrawn, and an unused PIN's expiry
// watched, while a session is under way.
var liveTick = time.Second

// sessionWatch is the shell's side of the sessions followed after their PIN: the last snapshot,
// what was notified, the wrap-ups dealt with, and the background reads of finished sessions.
type sessionWatch struct {
	live      []LiveSession
	trayLines []string
	baseline  bool            // the first snapshot was shown: what it held happened before the app started
	notified  map[string]bool // session key and event, each notified once
	done      map[int]bool    // sessions wrapped up or skipped
	drafts    map[int]WrapUp  // wrap-ups left for another case, as they were typed

	read    sync.Mutex // a snapshot is queued for the UI in the order it was read
	mu      sync.Mutex
	ticking bool

	caseLoad, recentLoad, detailLoad, wrapLoad, saving operation
}

// wireSessions connects the session screens and starts following the sessions.
func (s *Shell) wireSessions() {
	if s.svc.Sessions == nil {
		s.svc.Sessions = noSessions{}
	}
	w := &s.sessions
	w.notified, w.done, w.drafts = map[string]bool{}, map[int]bool{}, map[int]WrapUp{}
	d := s.cases.detail
	d.onSessions = s.loadCaseSessions
	d.sessions.onOpen = s.openSession
	d.sessions.onCancel = w.caseLoad.stop
	d.wrapUp.onSave = s.saveWrapUp
	d.wrapUp.onSkip = func() { s.finishWrapUp(d.wrapUp.session.SessionID) }
	s.cases.onRecent = s.showRecent
	s.svc.Sessions.OnChange(func() { s.async(func() { s.syncSessions(false) }) })
}

// syncSessions reads the followed sessions and hands them to the UI goroutine. It keeps a ticker
// running while one is under way, and says whether one is.
func (s *Shell) syncSessions(fromTicker bool) bool {
	w := &s.sessions
	w.read.Lock()
	defer w.read.Unlock()
	live, pending := s.svc.Sessions.Live(), s.svc.Sessions.Pending()
	under := slices.ContainsFunc(live, func(ls LiveSession) bool { return ongoing(ls.State) })
	s.keepTicking(under, fromTicker)
	fyne.Do(func() { s.applySessions(live, pending) })
	return under
}

// keepTicking starts the ticker when a session is under way; the ticker stops itself after.
func (s *Shell) keepTicking(under, fromTicker bool) {
	w := &s.sessions
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case fromTicker && !under:
		w.ticking = false
	case under && !w.ticking && liveTick > 0:
		w.ticking = true
		go s.tickSessions()
	}
}

func (s *Shell) tickSessions() {
	t := time.NewTicker(liveTick)
	defer t.Stop()
	for range t.C {
		if !s.syncSessions(true) {
			return
		}
	}
}

// applySessions shows a snapshot everywhere it appears.
func (s *Shell) applySessions(live []LiveSession, pending int) {
	s.sessions.live = live
	s.cases.setPending(pending)
	s.notifySessions(live)
	s.showLive()
	s.traySessions()
	s.offerWrapUp()
}

// showLive puts the live status of the case on screen under its PIN.
func (s *Shell) showLive() {
	ls, ok := liveFor(s.sessions.live, s.cases.detail.current.ID)
	s.cases.detail.pin.live.set(ls, ok, s.now())
	panel := s.cases.detail.pin
	panel.setUsed(ok && ls.PIN == panel.pin.Code && ls.State != SessionConnecting && ls.State != SessionExpired)
}

// traySessions puts one line per live session in the tray menu, rebuilding it only when they change.
func (s *Shell) traySessions() {
	lines := make([]string, len(s.sessions.live))
	for i, ls := range s.sessions.live {
		lines[i] = traySessionLine(ls)
	}
	if slices.Equal(lines, s.sessions.trayLines) {
		return
	}
	s.sessions.trayLines = lines
	if s.tray != nil {
		s.tray.SetSystemTrayMenu(s.trayMenu())
	}
}

// sessionCaseSelected shows the new case's live status, and its wrap-up if one waits.
func (s *Shell) sessionCaseSelected() {
	s.showLive()
	s.leaveWrapUp()
	s.offerWrapUp()
}

// offerWrapUp opens the wrap-up card when a session of the case on screen has closed and was
// neither wrapped up nor skipped yet.
func (s *Shell) offerWrapUp() {
	card := s.cases.detail.wrapUp
	if card.isOpen() {
		return
	}
	for _, ls := range s.sessions.live {
		if ls.State == SessionClosed && ls.SessionID != 0 && ls.CaseID == s.cases.detail.current.ID && !s.sessions.done[ls.SessionID] {
			s.openWrapUp(ls)
			return
		}
	}
}

// openWrapUp shows the card for a closed session and reads its details and suggested note.
func (s *Shell) openWrapUp(ls LiveSession) {
	card := s.cases.detail.wrapUp
	draft, kept := s.sessions.drafts[ls.SessionID]
	card.open(ls, draft, kept)
	s.cases.detail.showWrapUp(true)
	id := ls.SessionID
	ctx := s.sessions.wrapLoad.begin(time.Minute)
	s.async(func() {
		d, err := s.svc.Sessions.Details(ctx, id)
		suggested := s.svc.Sessions.SuggestedSummary(id)
		fyne.Do(func() {
			if card.session.SessionID == id {
				card.fill(d, err, suggested)
			}
		})
	})
}

// leaveWrapUp keeps what was typed in a wrap-up of another case, for when it is shown again.
func (s *Shell) leaveWrapUp() {
	card := s.cases.detail.wrapUp
	if !card.isOpen() || card.session.CaseID == s.cases.detail.current.ID {
		return
	}
	s.sessions.drafts[card.session.SessionID] = card.decision()
	s.closeWrapUp()
}

func (s *Shell) closeWrapUp() {
	s.sessions.wrapLoad.stop()
	s.cases.detail.wrapUp.reset()
	s.cases.detail.showWrapUp(false)
}

// saveWrapUp records the technician's decision, off the UI goroutine.
func (s *Shell) saveWrapUp(w WrapUp) {
	ctx := s.sessions.saving.begin(time.Minute)
	s.async(func() {
		err := s.svc.Sessions.WrapUp(ctx, w)
		fyne.Do(func() { s.afterWrapUp(w, err) })
	})
}

func (s *Shell) afterWrapUp(w WrapUp, err error) {
	card := s.cases.detail.wrapUp
	onCard := card.session.SessionID == w.SessionID
	switch {
	case err != nil && onCard:
		card.setProblem(fmt.Sprintf(lang.L("Could not save: %s"), err))
	case err != nil:
		s.sessions.drafts[w.SessionID] = w // the card moved on meanwhile: the decision waits there
	default:
		s.finishWrapUp(w.SessionID)
	}
}

// finishWrapUp closes a session's wrap-up for good, then offers the next one of the case, if any.
func (s *Shell) finishWrapUp(id int) {
	s.sessions.done[id] = true
	delete(s.sessions.drafts, id)
	if s.cases.detail.wrapUp.session.SessionID == id {
		s.closeWrapUp()
	}
	s.offerWrapUp()
}

// loadCaseSessions lists the case's sessions in its Sessions tab.
func (s *Shell) loadCaseSessions(c Case) {
	list := s.cases.detail.sessions
	op := &s.sessions.caseLoad
	ctx := op.begin(time.Minute)
	list.setBusy()
	s.async(func() {
		rows, err := s.svc.Sessions.ForCase(ctx, c.ID)
		fyne.Do(func() {
			if op.current(ctx) && s.cases.detail.current.ID == c.ID {
				showLoaded(ctx, list, rows, err)
			}
		})
	})
}

// showRecent opens Recent sessions, or brings it to the front.
func (s *Shell) showRecent() {
	if s.account.Username == "" {
		s.Show() // the sign-in comes first
		return
	}
	if s.recentView == nil {
		v := newRecentView(s.app)
		v.onLoad = s.loadRecent
		v.list.onOpen = s.openSession
		v.list.onCancel = s.sessions.recentLoad.stop
		v.window.SetOnClosed(func() {
			s.sessions.recentLoad.stop()
			s.recentView = nil
		})
		s.recentView = v
		v.start()
	}
	s.recentView.window.Show()
	s.recentView.window.RequestFocus()
}

// loadRecent lists the technician's sessions of the period.
func (s *Shell) loadRecent(period time.Duration) {
	v := s.recentView
	op := &s.sessions.recentLoad
	ctx := op.begin(time.Minute)
	v.list.setBusy()
	s.async(func() {
		rows, err := s.svc.Sessions.Recent(ctx, period)
		fyne.Do(func() {
			if op.current(ctx) && s.recentView == v {
				showLoaded(ctx, v.list, rows, err)
			}
		})
	})
}

// showLoaded shows a list's answer: its rows, or in one line why there are none.
func showLoaded(ctx context.Context, list *sessionList, rows []SessionDetails, err error) {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		list.setProblem(lang.L("Loading was cancelled."))
	case err != nil:
		list.setProblem(fmt.Sprintf(lang.L("Could not load the sessions: %s"), err))
	default:
		list.setRows(rows)
	}
}

// openSession shows a session's details at once with what the list had, then in full.
func (s *Shell) openSession(d SessionDetails) {
	if s.detailView == nil {
		v := newSessionDetailView(s.app)
		v.window.SetOnClosed(func() {
			s.sessions.detailLoad.stop()
			s.detailView = nil
		})
		s.detailView = v
	}
	v := s.detailView
	v.show(d)
	v.window.Show()
	v.window.RequestFocus()
	op := &s.sessions.detailLoad
	ctx := op.begin(time.Minute)
	v.setBusy(true)
	s.async(func() {
		full, err := s.svc.Sessions.Details(ctx, d.SessionID)
		fyne.Do(func() {
			if !op.current(ctx) || s.detailView != v {
				return
			}
			if err != nil {
				v.setProblem(fmt.Sprintf(lang.L("Could not load the session's details: %s"), err))
				return
			}
			v.setBusy(false)
			v.show(full)
		})
	})
}

// operation is one piece of background work of a kind at a time: beginning another cancels it.
type operation struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

func (o *operation) begin(timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cancel != nil {
		o.cancel()
	}
	o.ctx, o.cancel = ctx, cancel
	return ctx
}

// stop cancels the work under way, if any.
func (o *operation) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cancel != nil {
		o.cancel()
	}
}

// current is false once other work of the kind began after ctx's: its answer is no longer wanted.
func (o *operation) current(ctx context.Context) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ctx == ctx
}

// noSessions stands in when the app follows no sessions: the screens then show none.
type noSessions struct{}

func (noSessions) Live() []LiveSession { return nil }
func (noSessions) OnChange(func())     {}
func (noSessions) Pending() int        { return 0 }
func (noSessions) Details(context.Context, int) (SessionDetails, error) {
	return SessionDetails{}, errors.New("sessions are not followed")
}
func (noSessions) ForCase(context.Context, string) ([]SessionDetails, error) { return nil, nil }
func (noSessions) Recent(context.Context, time.Duration) ([]SessionDetails, error) {
	return nil, nil
}
func (noSessions) SuggestedSummary(int) string          { return "" }
func (noSessions) WrapUp(context.Context, WrapUp) error { return nil }
