package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// fakeSessions is a scripted Sessions: tests set the live sessions and fire OnChange themselves.
type fakeSessions struct {
	mu        sync.Mutex
	live      []LiveSession
	pending   int
	onChange  func()
	details   map[int]SessionDetails
	detailErr error
	detailsOf []int

	forCase    []SessionDetails
	forCaseErr error
	casesAsked []string
	recent     map[time.Duration][]SessionDetails
	recentErr  error
	periods    []time.Duration

	suggested string
	wrapUps   []WrapUp
	wrapUpErr error
}

func (f *fakeSessions) Live() []LiveSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]LiveSession(nil), f.live...)
}

func (f *fakeSessions) OnChange(fn func()) { f.onChange = fn }

func (f *fakeSessions) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending
}

func (f *fakeSessions) Details(_ context.Context, id int) (SessionDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.detailsOf = append(f.detailsOf, id)
	if f.detailErr != nil {
		return SessionDetails{}, f.detailErr
	}
	return f.details[id], nil
}

func (f *fakeSessions) ForCase(_ context.Context, caseID string) ([]SessionDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.casesAsked = append(f.casesAsked, caseID)
	return f.forCase, f.forCaseErr
}

func (f *fakeSessions) Recent(_ context.Context, period time.Duration) ([]SessionDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.periods = append(f.periods, period)
	return f.recent[period], f.recentErr
}

func (f *fakeSessions) SuggestedSummary(int) string { return f.suggested }

func (f *fakeSessions) WrapUp(_ context.Context, w WrapUp) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wrapUpErr != nil {
		return f.wrapUpErr
	}
	f.wrapUps = append(f.wrapUps, w)
	return nil
}

// set replaces the live sessions and says so, as the tracker does.
func (f *fakeSessions) set(live ...LiveSession) {
	f.mu.Lock()
	f.live = live
	f.mu.Unlock()
	f.onChange()
}

func (f *fakeSessions) setPending(n int) {
	f.mu.Lock()
	f.pending = n
	f.mu.Unlock()
	f.onChange()
}

// finished is a session of case a as Rescue reports it once closed.
func finished() SessionDetails {
	start := time.Date(2026, 11, 27, 14, 2, 0, 0, time.Local)
	return SessionDetails{
		SessionID: 7001234, CaseID: "a", CaseNumber: "CAS-01001-AAAAAA", Customer: "Zoë O'Connor",
		Technician: "Camille Lefèvre", Start: start, End: start.Add(29*time.Minute + 10*time.Second),
		Waiting: 75 * time.Second, Active: 27*time.Minute + 55*time.Second, Total: 29*time.Minute + 10*time.Second,
		Status: "Closed by technician", Resolved: true, ToolsUsed: "Remote control, File transfer", Platform: "Windows 11",
		Notes: "VPN client reinstalled; split tunnelling turned off.",
		Chat: []ChatLine{
			{At: "2:03:10 PM", From: "Camille Lefèvre", Text: "Hello, I am connecting to your computer now."},
			{At: "2:03:42 PM", From: "Zoë O'Connor", Text: "D'accord, merci !"},
		},
	}
}

// liveA is case a's session in a given state, Rescue's status text saying the same.
func liveA(state SessionState, since time.Time) LiveSession {
	ls := LiveSession{
		CaseID: "a", CaseNumber: "CAS-01001-AAAAAA", Customer: "Zoë O'Connor", PIN: "012345",
		State: state, Since: since, ExpiresAt: pinClock.Add(20 * time.Minute),
	}
	if state != SessionConnecting {
		ls.SessionID = 7001234
		ls.StatusText = rescueWords[state]
	}
	if state == SessionActive || state == SessionClosed {
		ls.Technician = "Camille Lefèvre"
	}
	return ls
}

// newSessionShell is a signed-in shell with a tray, on the three sample cases and the given sessions.
func newSessionShell(t *testing.T, a *trayApp, fs *fakeSessions) *Shell {
	t.Helper()
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: &fakeRescue{signedIn: true}, Links: &fakeLinks{}, Sessions: fs}, syncRun)
	s.now = func() time.Time { return pinClock }
	s.Window().Resize(fyne.NewSize(900, 640))
	t.Cleanup(func() {
		if s.recentView != nil {
			s.recentView.window.Close()
		}
		if s.detailView != nil {
			s.detailView.window.Close()
		}
		s.Window().Close()
	})
	s.start()
	return s
}

// laidOut lays the canvas out again, as a real window does on its next frame after widgets were
// shown or hidden; the test canvas does not, and its markup would keep them at their old sizes.
func laidOut(c fyne.Canvas) fyne.Canvas {
	c.Content().Refresh()
	return c
}

func titles(notes []*fyne.Notification) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.Title
	}
	return out
}

func TestLiveStatusThroughAWholeSession(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{suggested: "Remote session 7001234: VPN client reinstalled."}
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "a")
	line := s.cases.detail.pin.live

	steps := []struct {
		live     LiveSession
		at       time.Duration // the clock, after pinClock
		text     string
		tray     string
		notified []string
	}{
		{liveA(SessionConnecting, pinClock), 0, "Connecting… · 0:00", "CAS-01001-AAAAAA · Connecting…", nil},
		{
			liveA(SessionWaiting, pinClock.Add(time.Minute)), 90 * time.Second, "Customer waiting · 0:30",
			"CAS-01001-AAAAAA · Customer waiting",
			[]string{"Customer waiting"},
		},
		{
			liveA(SessionActive, pinClock.Add(2*time.Minute)), 5 * time.Minute, "Active with Camille Lefèvre · 3:00",
			"CAS-01001-AAAAAA · Active with Camille Lefèvre",
			[]string{"Customer waiting", "Session picked up"},
		},
	}
	for _, st := range steps {
		s.now = func() time.Time { return pinClock.Add(st.at) }
		fs.set(st.live)
		fs.set(st.live) // the same news twice notifies once
		if !line.content.Visible() || line.text.Text != st.text {
			t.Fatalf("%s: live line %q (shown %v), want %q", st.live.State, line.text.Text, line.content.Visible(), st.text)
		}
		if got := a.menu.Items[2]; got.Label != st.tray || !got.Disabled {
			t.Fatalf("%s: tray line %q (disabled %v), want %q", st.live.State, got.Label, got.Disabled, st.tray)
		}
		if got := titles(a.notes); fmt.Sprint(got) != fmt.Sprint(st.notified) {
			t.Fatalf("%s: notifications %q, want %q", st.live.State, got, st.notified)
		}
	}
	if a.notes[0].Content != "Zoë O'Connor is waiting for you (case CAS-01001-AAAAAA)." ||
		a.notes[1].Content != "Camille Lefèvre picked up the session of case CAS-01001-AAAAAA." {
		t.Fatalf("notification texts %q, %q", a.notes[0].Content, a.notes[1].Content)
	}
	test.AssertRendersToMarkup(t, "sessions/live_active.xml", laidOut(s.Window().Canvas()))

	closed := liveA(SessionClosed, pinClock.Add(30*time.Minute))
	closed.StatusText = "Closed by customer"
	s.now = func() time.Time { return pinClock.Add(31 * time.Minute) }
	fs.set(closed)
	fs.set(closed)
	if line.text.Text != "Closed · 1:00 · Rescue: Closed by customer" {
		t.Fatalf("closed line %q", line.text.Text)
	}
	if got := titles(a.notes); fmt.Sprint(got) != "[Customer waiting Session picked up Session ended]" {
		t.Fatalf("notifications %q", got)
	}
	if a.menu.Items[2].Label != "CAS-01001-AAAAAA · Closed" {
		t.Fatalf("tray line %q", a.menu.Items[2].Label)
	}
	if !s.cases.detail.wrapUp.content.Visible() || s.cases.detail.tabs.Visible() {
		t.Fatal("the wrap-up card did not take the tabs' place")
	}

	fs.set() // the tracker lets the session go
	if strings.HasPrefix(a.menu.Items[2].Label, "CAS-") || line.content.Visible() {
		t.Fatalf("after the session: tray %q, live line shown %v", labels(a.menu), line.content.Visible())
	}
}

func TestLiveStatusShowsOnlyTheCaseOnScreen(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "b")
	fs.set(liveA(SessionWaiting, pinClock))
	if s.cases.detail.pin.live.content.Visible() {
		t.Fatal("case b shows case a's session")
	}
	selectCase(t, s, "a")
	if !s.cases.detail.pin.live.content.Visible() {
		t.Fatal("case a's session is not shown when the case is picked")
	}
}

func TestUnusedPINIsWarnedAboutTwoMinutesBefore(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s := newSessionShell(t, a, fs)
	fs.set(liveA(SessionConnecting, pinClock)) // expires at pinClock+20m
	for _, c := range []struct {
		at   time.Duration
		want int
	}{{17 * time.Minute, 0}, {18 * time.Minute, 1}, {19 * time.Minute, 1}, {21 * time.Minute, 1}} {
		s.now = func() time.Time { return pinClock.Add(c.at) }
		s.syncSessions(true) // what the ticker does every second
		if len(a.notes) != c.want {
			t.Fatalf("at +%v: %d notifications, want %d", c.at, len(a.notes), c.want)
		}
	}
	if n := a.notes[0]; n.Title != "PIN expires soon" || n.Content != "PIN 012 345 for case CAS-01001-AAAAAA expires at 14:20 and nobody has used it yet." {
		t.Fatalf("warning %q: %q", n.Title, n.Content)
	}
}

// What was already under way when the app started is not news.
func TestSessionsOfTheFirstSnapshotAreNotNotified(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{live: []LiveSession{liveA(SessionActive, pinClock)}}
	newSessionShell(t, a, fs)
	if a.menu.Items[2].Label != "CAS-01001-AAAAAA · Active with Camille Lefèvre" {
		t.Fatalf("tray %q", labels(a.menu))
	}
	fs.set(liveA(SessionActive, pinClock))
	if len(a.notes) != 0 {
		t.Fatalf("notified %q", titles(a.notes))
	}
	fs.set(liveA(SessionClosed, pinClock.Add(time.Minute)))
	if got := titles(a.notes); fmt.Sprint(got) != "[Session ended]" {
		t.Fatalf("notifications %q", got)
	}
	if a.menu.Items[2].Label != "CAS-01001-AAAAAA · Closed" {
		t.Fatalf("tray %q", labels(a.menu))
	}
}

func TestStatusTextIsShownWhenItSaysMore(t *testing.T) {
	newTestApp(t)
	for _, c := range []struct {
		state SessionState
		text  string
		want  bool
	}{
		{SessionActive, "", false},
		{SessionActive, "Active", false},
		{SessionOnHold, "on hold", false},
		{SessionConnecting, "Connecting", false},
		{SessionActive, "Reconnecting", true},
		{SessionClosed, "Closed by customer", true},
		{SessionExpired, "Closed", true},
	} {
		if got := statusAddsToState(LiveSession{State: c.state, StatusText: c.text}); got != c.want {
			t.Errorf("%s with %q: %v, want %v", c.state, c.text, got, c.want)
		}
	}
}

func TestTheLiveLinePrefersTheSessionUnderWay(t *testing.T) {
	old := liveA(SessionClosed, pinClock.Add(time.Hour))
	now := liveA(SessionWaiting, pinClock)
	other := liveA(SessionActive, pinClock.Add(2*time.Hour))
	other.CaseID = "b"
	if got, ok := liveFor([]LiveSession{old, now, other}, "a"); !ok || got.State != SessionWaiting {
		t.Fatalf("got %v %v", got.State, ok)
	}
	if _, ok := liveFor([]LiveSession{old}, ""); ok {
		t.Fatal("no case on screen, yet a session")
	}
}

func TestSessionDetailsView(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
		written      string
	}{
		{"sessions/details_en_light.xml", "en", theme.VariantLight, "Waiting to be saved"},
		{"sessions/details_fr_dark.xml", "fr", theme.VariantDark, "En attente d’enregistrement"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			a := &trayApp{App: newTestApp(t)}
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			fs := &fakeSessions{details: map[int]SessionDetails{7001234: finished()}}
			s := newSessionShell(t, a, fs)
			s.openSession(SessionDetails{SessionID: 7001234, CaseNumber: "CAS-01001-AAAAAA"})
			v := s.detailView
			if fmt.Sprint(fs.detailsOf) != "[7001234]" || v.loading.Visible() {
				t.Fatalf("details asked for %v, still loading %v", fs.detailsOf, v.loading.Visible())
			}
			if got := v.values[sessionLabel(c.lang, "Active time")].Text; got != "0:27:55" {
				t.Errorf("active time %q", got)
			}
			if got := v.values[sessionLabel(c.lang, "In Dynamics")].Text; got != c.written {
				t.Errorf("written back %q, want %q", got, c.written)
			}
			test.AssertRendersToMarkup(t, c.golden, laidOut(v.window.Canvas()))
		})
	}
}

// sessionLabel is a field's label in the language of the test.
func sessionLabel(lang, en string) string {
	if lang == "fr" {
		return map[string]string{"Active time": "Temps actif", "In Dynamics": "Dans Dynamics"}[en]
	}
	return en
}

func TestSessionDetailsContentAndEscape(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	d := finished()
	d.WrittenBack = true
	fs := &fakeSessions{details: map[int]SessionDetails{d.SessionID: d}}
	s := newSessionShell(t, a, fs)
	s.openSession(SessionDetails{SessionID: d.SessionID})
	v := s.detailView
	want := map[string]string{
		"Technician": "Camille Lefèvre", "Start": "2026-11-27 14:02", "End": "2026-11-27 14:31",
		"Waiting time": "0:01:15", "Active time": "0:27:55", "Total time": "0:29:10", "Status": "Closed by technician",
		"Resolved": "Yes", "Tools used": "Remote control, File transfer", "Platform": "Windows 11", "In Dynamics": "Saved on the case",
	}
	for label, w := range want {
		if got := v.values[label].Text; got != w {
			t.Errorf("%s: %q, want %q", label, got, w)
		}
	}
	if v.chat.Text != "[2:03:10 PM] Camille Lefèvre: Hello, I am connecting to your computer now.\n[2:03:42 PM] Zoë O'Connor: D'accord, merci !" {
		t.Errorf("chat %q", v.chat.Text)
	}
	if v.heading.Text != "Session 7001234 · CAS-01001-AAAAAA · Zoë O'Connor" || v.window.Title() != "Session 7001234" {
		t.Errorf("heading %q, title %q", v.heading.Text, v.window.Title())
	}
	v.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.detailView != nil {
		t.Fatal("Escape did not close the details")
	}
}

func TestSessionDetailsErrorKeepsWhatWasListed(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{detailErr: errors.New("Dynamics refused the request (503)")}
	s := newSessionShell(t, a, fs)
	listed := finished()
	listed.Chat = nil
	s.openSession(listed)
	v := s.detailView
	if !v.problem.Visible() || v.problem.Text != "Could not load the session's details: Dynamics refused the request (503)" {
		t.Fatalf("problem %q", v.problem.Text)
	}
	if v.values["Technician"].Text != "Camille Lefèvre" || v.chat.Text != "No chat in this session." {
		t.Fatalf("what was listed is gone: %q %q", v.values["Technician"].Text, v.chat.Text)
	}
}

// closeSessionA opens case a and closes its session, which brings up the wrap-up card.
func closeSessionA(t *testing.T, a *trayApp, fs *fakeSessions) (*Shell, *wrapUpCard) {
	t.Helper()
	if fs.details == nil {
		fs.details = map[int]SessionDetails{7001234: finished()}
	}
	fs.suggested = "Remote session with Zoë O'Connor: VPN client reinstalled."
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "a")
	fs.set(liveA(SessionClosed, pinClock))
	card := s.cases.detail.wrapUp
	if !card.content.Visible() {
		t.Fatal("no wrap-up card")
	}
	return s, card
}

func TestWrapUpSavesExactlyWhatWasDecided(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s, card := closeSessionA(t, a, fs)
	if card.note.Text != fs.suggested || !card.addNote.Checked || card.resolve.Checked {
		t.Fatalf("card starts with %q, note %v, resolve %v", card.note.Text, card.addNote.Checked, card.resolve.Checked)
	}
	if card.summary["Technician"].Text != "Camille Lefèvre" || card.summary["Active time"].Text != "0:27:55" {
		t.Fatalf("summary %q %q", card.summary["Technician"].Text, card.summary["Active time"].Text)
	}
	test.AssertRendersToMarkup(t, "sessions/wrapup_en.xml", laidOut(s.Window().Canvas()))

	card.note.SetText("")
	test.Type(card.note, "VPN client reinstalled, works on the home network.")
	test.Tap(card.resolve)
	test.Tap(card.save)
	want := WrapUp{SessionID: 7001234, AddNote: true, Summary: "VPN client reinstalled, works on the home network.", ResolveCase: true}
	if len(fs.wrapUps) != 1 || fs.wrapUps[0] != want {
		t.Fatalf("wrap-ups %+v, want %+v", fs.wrapUps, want)
	}
	if card.content.Visible() || !s.cases.detail.tabs.Visible() {
		t.Fatal("the card stayed after saving")
	}
	fs.set(liveA(SessionClosed, pinClock)) // the same closed session again
	if card.content.Visible() {
		t.Fatal("the card came back for a session already wrapped up")
	}
}

func TestWrapUpSkipWritesNothing(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s, card := closeSessionA(t, a, fs)
	test.Tap(card.skip)
	if len(fs.wrapUps) != 0 || card.content.Visible() || !s.cases.detail.tabs.Visible() {
		t.Fatalf("skip: %d wrap-ups, card shown %v", len(fs.wrapUps), card.content.Visible())
	}
	fs.set(liveA(SessionClosed, pinClock))
	if card.content.Visible() {
		t.Fatal("a skipped wrap-up came back")
	}
}

func TestWrapUpErrorIsOneLineAndNothingTypedIsLost(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{wrapUpErr: errors.New("the outbox could not be written: disk full")}
	_, card := closeSessionA(t, a, fs)
	card.note.SetText("Written by hand.")
	test.Tap(card.resolve)
	test.Tap(card.save)
	if !card.problem.Visible() || card.problem.Text != "Could not save: the outbox could not be written: disk full" {
		t.Fatalf("problem %q (shown %v)", card.problem.Text, card.problem.Visible())
	}
	if card.problem.Truncation != fyne.TextTruncateEllipsis || card.problem.Wrapping != fyne.TextWrapOff {
		t.Fatal("the problem may take more than one line")
	}
	if card.note.Text != "Written by hand." || !card.resolve.Checked || !card.content.Visible() || card.save.Disabled() {
		t.Fatalf("after the error: note %q, resolve %v, card %v, save disabled %v",
			card.note.Text, card.resolve.Checked, card.content.Visible(), card.save.Disabled())
	}
	fs.wrapUpErr = nil
	test.Tap(card.save)
	if len(fs.wrapUps) != 1 || fs.wrapUps[0].Summary != "Written by hand." || card.content.Visible() {
		t.Fatalf("second save: %+v", fs.wrapUps)
	}
}

func TestWrapUpWithAnEmptyNoteIsNotSent(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	_, card := closeSessionA(t, a, fs)
	card.note.SetText("  ")
	test.Tap(card.save)
	if len(fs.wrapUps) != 0 || !card.problem.Visible() {
		t.Fatal("an empty note was sent")
	}
	test.Tap(card.addNote) // no note after all
	if !card.note.Disabled() {
		t.Fatal("the note stays editable without the check")
	}
	test.Tap(card.save)
	if len(fs.wrapUps) != 1 || fs.wrapUps[0].AddNote {
		t.Fatalf("wrap-ups %+v", fs.wrapUps)
	}
}

func TestWrapUpWaitsForItsCaseWithWhatWasTyped(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s, card := closeSessionA(t, a, fs)
	card.note.SetText("Half-written note")
	test.Tap(card.resolve)
	selectCase(t, s, "b")
	if card.content.Visible() || !s.cases.detail.tabs.Visible() {
		t.Fatal("case b shows case a's wrap-up")
	}
	selectCase(t, s, "a")
	if !card.content.Visible() || card.note.Text != "Half-written note" || !card.resolve.Checked {
		t.Fatalf("back on case a: card %v, note %q, resolve %v", card.content.Visible(), card.note.Text, card.resolve.Checked)
	}
}

func TestWrapUpSaysWhenTheDetailsCannotBeRead(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{detailErr: errors.New("timeout")}
	_, card := closeSessionA(t, a, fs)
	if card.problem.Text != "Could not load the session's details: timeout" || card.note.Text != fs.suggested || card.save.Disabled() {
		t.Fatalf("problem %q, note %q", card.problem.Text, card.note.Text)
	}
}

func TestSessionsTabLoadsWhenOpened(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	older := finished()
	older.SessionID, older.Start, older.Active, older.Status = 7000001, older.Start.Add(-48*time.Hour), 4*time.Minute, "Closed by customer"
	fs := &fakeSessions{forCase: []SessionDetails{finished(), older}, details: map[int]SessionDetails{7000001: older}}
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "a")
	if len(fs.casesAsked) != 0 {
		t.Fatal("the sessions were read before the tab was opened")
	}
	d := s.cases.detail
	d.tabs.SelectIndex(1)
	if fmt.Sprint(fs.casesAsked) != "[a]" || len(d.sessions.rows) != 2 || d.sessions.progress.Visible() {
		t.Fatalf("asked %v, %d rows", fs.casesAsked, len(d.sessions.rows))
	}
	title, meta := caseSessionRow(d.sessions.rows[1])
	if title != "2026-11-25 14:02 · Camille Lefèvre" || meta != "active 0:04:00 · Closed by customer" {
		t.Fatalf("row %q / %q", title, meta)
	}
	test.AssertRendersToMarkup(t, "sessions/case_tab_en.xml", laidOut(s.Window().Canvas()))

	d.sessions.list.Select(1)
	if s.detailView == nil || s.detailView.shown.SessionID != 7000001 {
		t.Fatal("the row did not open its session")
	}

	selectCase(t, s, "b") // the tab stays open: the new case's sessions are read
	if fmt.Sprint(fs.casesAsked) != "[a b]" {
		t.Fatalf("asked %v", fs.casesAsked)
	}
}

func TestSessionsTabErrorAndEmpty(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{forCaseErr: errors.New("Dynamics is unreachable")}
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "c")
	list := s.cases.detail.sessions
	s.cases.detail.tabs.SelectIndex(1)
	if !list.problem.Visible() || list.problem.Text != "Could not load the sessions: Dynamics is unreachable" || list.empty.Visible() {
		t.Fatalf("problem %q", list.problem.Text)
	}
	fs.forCaseErr = nil
	s.cases.detail.tabs.SelectIndex(0)
	s.cases.detail.tabs.SelectIndex(1) // opening the tab again reads again
	if list.problem.Visible() || !list.empty.Visible() || list.empty.Text != "No session for this case yet." {
		t.Fatalf("empty %q (shown %v)", list.empty.Text, list.empty.Visible())
	}
}

func TestRecentSessionsFromTheKeyboardTheTrayAndTheToolbar(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	day, week := finished(), finished()
	week.SessionID, week.CaseNumber, week.Customer = 6999999, "", ""
	fs := &fakeSessions{
		recent:  map[time.Duration][]SessionDetails{24 * time.Hour: {day}, 7 * 24 * time.Hour: {day, week}},
		details: map[int]SessionDetails{6999999: week},
	}
	s := newSessionShell(t, a, fs)
	s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierShortcutDefault})
	v := s.recentView
	if v == nil || fmt.Sprint(fs.periods) != "[24h0m0s]" || len(v.list.rows) != 1 {
		t.Fatalf("Ctrl+H: view %v, periods %v", v != nil, fs.periods)
	}
	v.window.Resize(fyne.NewSize(720, 480))
	test.AssertRendersToMarkup(t, "sessions/recent_en.xml", laidOut(v.window.Canvas()))

	v.choice.SetSelected("Last 7 days")
	if fmt.Sprint(fs.periods) != "[24h0m0s 168h0m0s]" || len(v.list.rows) != 2 {
		t.Fatalf("period switch: periods %v, %d rows", fs.periods, len(v.list.rows))
	}
	if title, meta := recentSessionRow(v.list.rows[1]); title != "No case" || !strings.Contains(meta, "Camille Lefèvre · active 0:27:55") {
		t.Fatalf("row %q / %q", title, meta)
	}
	v.list.list.Select(1)
	if s.detailView == nil || s.detailView.shown.SessionID != 6999999 {
		t.Fatal("the row did not open its session")
	}

	v.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.recentView != nil {
		t.Fatal("Escape did not close Recent sessions")
	}
	for _, it := range a.menu.Items {
		if it.Label == "Recent sessions" {
			it.Action()
		}
	}
	if s.recentView == nil || len(fs.periods) != 3 {
		t.Fatalf("the tray did not open Recent sessions: periods %v", fs.periods)
	}
	s.recentView.window.Close()
	test.Tap(s.cases.recent)
	if s.recentView == nil || len(fs.periods) != 4 {
		t.Fatalf("the toolbar did not open Recent sessions: periods %v", fs.periods)
	}
}

func TestRecentSessionsError(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{recentErr: errors.New("Dynamics refused the request (403)")}
	s := newSessionShell(t, a, fs)
	s.showRecent()
	list := s.recentView.list
	if !list.problem.Visible() || list.problem.Text != "Could not load the sessions: Dynamics refused the request (403)" {
		t.Fatalf("problem %q", list.problem.Text)
	}
	fs.recentErr = nil
	test.Tap(s.recentView.refresh)
	if list.problem.Visible() || list.empty.Text != "No session in this period." || !list.empty.Visible() {
		t.Fatalf("after refresh: problem %v, empty %q", list.problem.Visible(), list.empty.Text)
	}
}

func TestRecentSessionsNeedsASignIn(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: fs}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	s.showRecent()
	if s.recentView != nil || len(fs.periods) != 0 {
		t.Fatal("Recent sessions opened without a sign-in")
	}
}

func TestPendingWrites(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s := newSessionShell(t, a, fs)
	row, label := s.cases.pendRow, s.cases.pending
	if row.Visible() {
		t.Fatal("shown with nothing pending")
	}
	fs.setPending(1)
	if !row.Visible() || label.Text != "1 change waiting to be saved to Dynamics" {
		t.Fatalf("one: %q (shown %v)", label.Text, row.Visible())
	}
	fs.setPending(3)
	if label.Text != "3 changes waiting to be saved to Dynamics" {
		t.Fatalf("three: %q", label.Text)
	}
	test.AssertRendersToMarkup(t, "sessions/pending_en.xml", laidOut(s.Window().Canvas()))
	fs.setPending(0)
	if row.Visible() {
		t.Fatal("still shown at zero")
	}
}

func TestPendingWritesInFrench(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	useLanguage(t, "fr")
	fs := &fakeSessions{}
	s := newSessionShell(t, a, fs)
	for n, want := range map[int]string{
		1: "1 modification en attente d’enregistrement dans Dynamics",
		2: "2 modifications en attente d’enregistrement dans Dynamics",
	} {
		fs.setPending(n)
		if s.cases.pending.Text != want {
			t.Errorf("%d: %q, want %q", n, s.cases.pending.Text, want)
		}
	}
}

// Without a Sessions service the shell still works and shows no session.
func TestNoSessionsService(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: &fakeRescue{}, Links: &fakeLinks{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	selectCase(t, s, "a")
	if s.cases.detail.pin.live.content.Visible() || s.cases.pendRow.Visible() {
		t.Fatal("a session or pending writes appeared from nowhere")
	}
}

func TestThePINSaysItWasUsedOnceTheCustomerJoined(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	fs := &fakeSessions{}
	s := newSessionShell(t, a, fs)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	validity := s.cases.detail.pin.validity
	fs.set(liveA(SessionConnecting, pinClock))
	if !strings.HasPrefix(validity.Text, "Valid for 20:00") {
		t.Fatalf("connecting: %q", validity.Text)
	}
	fs.set(liveA(SessionWaiting, pinClock))
	if validity.Text != "The customer joined with this PIN." {
		t.Fatalf("waiting: %q", validity.Text)
	}
	other := liveA(SessionWaiting, pinClock)
	other.PIN = "999999" // a session of an earlier PIN says nothing about this one
	fs.set(other)
	if !strings.HasPrefix(validity.Text, "Valid for") {
		t.Fatalf("another PIN's session: %q", validity.Text)
	}
}

func TestSummaryInBothLanguages(t *testing.T) {
	newTestApp(t)
	d := SessionDetails{
		SessionID: 7001234, Customer: "Zoë O'Connor", Technician: "Camille Lefèvre",
		Start: time.Date(2026, 11, 27, 9, 14, 0, 0, time.Local), Active: 20*time.Minute + 5*time.Second,
		Status: "Closed by technician", Resolved: true, ToolsUsed: "Chat, Remote Control", Notes: " Cache cleared. ",
	}
	want := "Rescue session 7001234 with Zoë O'Connor, by Camille Lefèvre, 2026-11-27 09:14.\n" +
		"Active 0:20:05; status: Closed by technician. Resolved.\nTools: Chat, Remote Control.\nNote: Cache cleared."
	if got := Summary(d); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	useLanguage(t, "fr")
	if got := Summary(d); !strings.HasPrefix(got, "Session Rescue 7001234 avec Zoë O'Connor, par Camille Lefèvre") || !strings.Contains(got, "Résolue.") {
		t.Fatalf("French: %q", got)
	}
}
