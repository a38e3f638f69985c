package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// fakeRescue is a scripted Rescue side.
type fakeRescue struct {
	mu             sync.Mutex
	signedIn       bool
	presence       Presence
	presenceAsked  int
	requireConsole bool
	sso            bool
	answers        []pinAnswer // each RequestPIN takes the next; none left means a fresh PIN
	requested      []string    // case IDs
	signIns        []RescueCredentials
	signInErr      error
	forgets        int
	last           map[string]PINCode
	issuedAt       time.Time
}

type pinAnswer struct {
	pin PINCode
	err error
}

func (f *fakeRescue) Account(context.Context) (RescueAccount, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return RescueAccount{Email: "camille@contoso-helpdesk.example", TechnicianID: 4310021}, f.signedIn
}

func (f *fakeRescue) SignIn(_ context.Context, c RescueCredentials) (RescueAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signIns = append(f.signIns, c)
	if f.signInErr != nil {
		return RescueAccount{}, f.signInErr
	}
	f.signedIn = true
	return RescueAccount{Email: c.Email}, nil
}

func (f *fakeRescue) Forget(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgets++
	f.signedIn = false
	return nil
}

func (f *fakeRescue) Presence(context.Context, time.Duration) (Presence, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presenceAsked++
	return f.presence, nil
}

func (f *fakeRescue) RequestPIN(_ context.Context, c Case) (PINCode, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requested = append(f.requested, c.ID)
	if !f.signedIn {
		return PINCode{}, &RescueError{Code: CodeSignInRequired}
	}
	if len(f.answers) > 0 {
		a := f.answers[0]
		f.answers = f.answers[1:]
		if a.err != nil {
			return PINCode{}, a.err
		}
		return a.pin, nil
	}
	issued := f.issuedAt
	if issued.IsZero() {
		issued = pinClock
	}
	pin := PINCode{
		Code: "012345", CaseID: c.ID, CaseNumber: c.Number, Customer: c.Customer, CustomerEmail: c.CustomerEmail,
		JoinURL: "https://127.0.0.1:41003/R?i=2&Code=012345", IssuedAt: issued, ExpiresAt: issued.Add(20 * time.Minute),
	}
	if f.last == nil {
		f.last = map[string]PINCode{}
	}
	f.last[c.ID] = pin
	return pin, nil
}

func (f *fakeRescue) LastPIN(caseID string) (PINCode, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.last[caseID]
	return p, ok
}

func (f *fakeRescue) RequireConsole() bool { return f.requireConsole }
func (f *fakeRescue) SSO() bool            { return f.sso }

// pinClock is the stopped clock of the PIN tests.
var pinClock = time.Date(2026, 11, 27, 14, 0, 0, 0, time.Local)

func newPINShell(t *testing.T, a fyne.App, r *fakeRescue, links *fakeLinks) *Shell {
	t.Helper()
	if links == nil {
		links = &fakeLinks{}
	}
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: r, Links: links, Sessions: &fakeSessions{}}, syncRun)
	s.now = func() time.Time { return pinClock }
	cases.shell = s
	s.Window().Resize(fyne.NewSize(900, 640))
	t.Cleanup(s.Window().Close)
	s.start()
	return s
}

// selectCase picks a case in the list by ID, as a click would.
func selectCase(t *testing.T, s *Shell, id string) {
	t.Helper()
	for i, c := range s.cases.shown {
		if c.ID == id {
			s.cases.list.Select(i)
			return
		}
	}
	t.Fatalf("case %s not in the list", id)
}

func TestFirstPINAsksForRescueSignInThenShowsThePIN(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)

	form := s.rescue.form
	if form == nil || !form.popup.Visible() {
		t.Fatal("no Rescue sign-in form")
	}
	test.AssertRendersToMarkup(t, "pin/rescue_signin.xml", s.Window().Canvas())
	test.Tap(form.submit)
	if !form.problem.Visible() || len(r.signIns) != 0 {
		t.Fatalf("an empty form was sent: %v", r.signIns)
	}
	test.Type(form.email, "camille@contoso-helpdesk.example")
	test.Type(form.password, "sandbox-camille")
	form.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter sends the form

	if len(r.signIns) != 1 || r.signIns[0] != (RescueCredentials{Email: "camille@contoso-helpdesk.example", Password: "sandbox-camille"}) {
		t.Fatalf("sign-ins %+v", r.signIns)
	}
	if form.popup.Visible() || form.password.Text != "" {
		t.Fatal("the form stayed up, or kept the password")
	}
	if fmt.Sprint(r.requested) != "[a a]" {
		t.Fatalf("PIN requests %v, want the first (refused) and one after sign-in", r.requested)
	}
	panel := s.cases.detail.pin
	if panel.digits.Text != "012 345" || !panel.shown.Visible() {
		t.Fatalf("digits %q shown %v", panel.digits.Text, panel.shown.Visible())
	}
	if got := panel.validity.Text; !strings.HasPrefix(got, "Valid for 20:00") {
		t.Fatalf("validity %q", got)
	}
	test.AssertRendersToMarkup(t, "pin/shown_light.xml", s.Window().Canvas())
}

func TestPINInFrenchDark(t *testing.T) {
	a := newTestApp(t)
	useLanguage(t, "fr")
	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	s := newPINShell(t, a, &fakeRescue{signedIn: true, presence: PresenceOnline}, nil)
	selectCase(t, s, "b")
	test.Tap(s.cases.detail.pin.generate)
	if s.cases.light.label.Text != "Console : En ligne" {
		t.Fatalf("light %q", s.cases.light.label.Text)
	}
	test.AssertRendersToMarkup(t, "pin/shown_fr_dark.xml", s.Window().Canvas())
}

func TestRequiredConsoleOfflineDisablesTheButtonAndSaysWhy(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true, presence: PresenceOffline, requireConsole: true}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	panel := s.cases.detail.pin
	if !panel.generate.Disabled() || !panel.reason.Visible() {
		t.Fatal("the button is usable with the required console offline")
	}
	if !strings.Contains(panel.reason.Text, "Technician Console is not running") {
		t.Fatalf("reason %q", panel.reason.Text)
	}
	if s.cases.light.label.Text != "Console: Offline" {
		t.Fatalf("light %q", s.cases.light.label.Text)
	}
	test.AssertRendersToMarkup(t, "pin/console_offline.xml", s.Window().Canvas())
	test.Tap(panel.generate)
	s.generatePIN() // Ctrl+G's path too
	if len(r.requested) != 0 {
		t.Fatalf("a PIN was requested: %v", r.requested)
	}

	r.presence = PresenceOnline // the technician starts the console
	asked := r.presenceAsked
	test.Tap(panel.recheck)
	if r.presenceAsked != asked+1 || panel.generate.Disabled() || panel.reason.Visible() {
		t.Fatal("Check again did not enable the button")
	}
	test.Tap(panel.generate)
	if len(r.requested) != 1 {
		t.Fatalf("requests %v", r.requested)
	}
}

func TestConsoleOfflineWithoutTheOptionStillAllowsAPIN(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true, presence: PresenceOffline, requireConsole: false}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	if s.cases.detail.pin.generate.Disabled() {
		t.Fatal("the button is disabled although the console is not required")
	}
	test.Tap(s.cases.detail.pin.generate)
	if s.cases.detail.pin.digits.Text != "012 345" {
		t.Fatal("no PIN")
	}
}

func TestNoTechConsoleRunningAnswerTurnsTheLightRed(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{
		signedIn: true, presence: PresenceOnline, requireConsole: true,
		answers: []pinAnswer{{err: &RescueError{Code: "NOTECHCONSOLERUNNING"}}},
	}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	panel := s.cases.detail.pin
	if s.cases.light.status != PresenceOffline || !panel.generate.Disabled() {
		t.Fatalf("light %q, button disabled %v", s.cases.light.status, panel.generate.Disabled())
	}
	if panel.problem.Text != "The Rescue Technician Console is not running: start it, then try again." {
		t.Fatalf("problem %q", panel.problem.Text)
	}
}

func TestRescueProblemsShowInlineAndNothingIsLost(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true, answers: []pinAnswer{
		{err: &RescueError{Code: "OUTOFPINCODES"}},
		{err: &RescueError{Code: CodeLostReply, SessionID: 1234567890}},
		{err: &RescueError{Code: CodeUnreachable, Detail: "connection refused"}},
	}}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	panel := s.cases.detail.pin
	want := []string{
		"Rescue has no PIN codes left for your account. Ask your Rescue administrator.",
		"Rescue created session 1234567890 but its answer was lost. Its PIN is in your Technician Console; no second PIN was asked for.",
		"Rescue could not be reached: connection refused",
	}
	for _, w := range want {
		test.Tap(panel.generate)
		if panel.problem.Text != w || !panel.problem.Visible() || panel.generate.Disabled() {
			t.Fatalf("problem %q (shown %v), want %q", panel.problem.Text, panel.problem.Visible(), w)
		}
	}
	test.Tap(panel.generate)
	if panel.problem.Visible() || panel.digits.Text != "012 345" {
		t.Fatal("the next try did not clear the problem")
	}
}

func TestRefusedAuthCodeAsksForRescueSignInAgain(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true, answers: []pinAnswer{{err: &RescueError{Code: "INVALID_SECRETAUTHCODE"}}}}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	form := s.rescue.form
	if form == nil || !form.popup.Visible() {
		t.Fatal("no sign-in form")
	}
	if form.problem.Text != "Your Rescue sign-in was replaced or revoked. Please sign in to Rescue again." {
		t.Fatalf("form says %q", form.problem.Text)
	}
	findButton(t, form.popup.Content, "Cancel").OnTapped()
	if form.popup.Visible() {
		t.Fatal("Cancel left the form up")
	}
}

func TestRescueSignInRefusalStaysInTheFormWithWhatWasTyped(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{sso: true, signInErr: &RescueError{Code: "INVALID"}}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	form := s.rescue.form
	form.method.SetSelected("SSO ID")
	if form.rows["SSO ID"].Hidden || !form.rows["E-mail and password"].Hidden {
		t.Fatal("the SSO row is not the one shown")
	}
	test.Type(form.ssoID, "sso-camille")
	test.Tap(form.submit)
	if len(r.signIns) != 1 || r.signIns[0] != (RescueCredentials{SSOID: "sso-camille"}) {
		t.Fatalf("sign-ins %+v", r.signIns)
	}
	if !form.popup.Visible() || form.problem.Text != "Rescue did not accept these credentials." || form.ssoID.Text != "sso-camille" {
		t.Fatalf("form visible %v, problem %q, SSO ID %q", form.popup.Visible(), form.problem.Text, form.ssoID.Text)
	}
	if form.submit.Disabled() {
		t.Fatal("the form cannot be sent again")
	}
}

func TestWithoutSSOSettingsTheFormOffersNoSSO(t *testing.T) {
	a := newTestApp(t)
	s := newPINShell(t, a, &fakeRescue{sso: false}, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	if got := s.rescue.form.method.Options; fmt.Sprint(got) != "[E-mail and password API token]" {
		t.Fatalf("methods %v", got)
	}
}

func TestCopyAndInvitation(t *testing.T) {
	a := newTestApp(t)
	links := &fakeLinks{}
	s := newPINShell(t, a, &fakeRescue{signedIn: true}, links)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	root := s.Window().Content()
	test.Tap(findButton(t, root, "Copy PIN"))
	if got := a.Clipboard().Content(); got != "012345" {
		t.Fatalf("clipboard %q", got)
	}
	test.Tap(findButton(t, root, "Copy link"))
	if got := a.Clipboard().Content(); got != "https://127.0.0.1:41003/R?i=2&Code=012345" {
		t.Fatalf("clipboard %q", got)
	}
	test.Tap(findButton(t, root, "Send invitation"))
	if len(links.opened) != 1 {
		t.Fatalf("opened %v", links.opened)
	}
	u, err := url.Parse(links.opened[0])
	if err != nil || u.Scheme != "mailto" || u.Opaque != "zoe.oconnor@fabrikam.example" {
		t.Fatalf("mailto %q: %v", links.opened[0], err)
	}
	q := u.Query()
	if q.Get("subject") != "Remote support for case CAS-01001-AAAAAA" {
		t.Fatalf("subject %q", q.Get("subject"))
	}
	body := q.Get("body")
	for _, want := range []string{"Hello Zoë O'Connor,\r\n", "https://127.0.0.1:41003/R?i=2&Code=012345", "the code 012345", "until 14:20"} {
		if !strings.Contains(body, want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
	if strings.Contains(links.opened[0], "+") {
		t.Errorf("spaces sent as +: %q", links.opened[0])
	}
}

func TestInvitationInFrench(t *testing.T) {
	a := newTestApp(t)
	useLanguage(t, "fr")
	links := &fakeLinks{}
	s := newPINShell(t, a, &fakeRescue{signedIn: true}, links)
	selectCase(t, s, "b")
	test.Tap(s.cases.detail.pin.generate)
	s.cases.detail.pin.onInvite(s.cases.detail.pin.invitation())
	u, _ := url.Parse(links.opened[0])
	if got := u.Query().Get("subject"); got != "Assistance à distance pour l’incident CAS-01002-BBBBBB" {
		t.Fatalf("subject %q", got)
	}
	if body := u.Query().Get("body"); !strings.HasPrefix(body, "Bonjour Hôtel Château-Neuf,") {
		t.Fatalf("body %q", body)
	}
}

func TestPINValidityCountsDownThenExpires(t *testing.T) {
	a := newTestApp(t)
	s := newPINShell(t, a, &fakeRescue{signedIn: true}, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	panel := s.cases.detail.pin
	s.now = func() time.Time { return pinClock.Add(18*time.Minute + 30*time.Second) }
	panel.tick()
	if panel.validity.Text != "Valid for 1:30 (until 14:20)" {
		t.Fatalf("validity %q", panel.validity.Text)
	}
	s.now = func() time.Time { return pinClock.Add(20 * time.Minute) }
	panel.tick()
	if !strings.HasPrefix(panel.validity.Text, "This PIN has expired.") || panel.digits.Color != theme.Color(theme.ColorNameDisabled) {
		t.Fatalf("validity %q", panel.validity.Text)
	}
}

func TestTheCaseKeepsItsPINAcrossSelectionsAndRefreshes(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true}
	s := newPINShell(t, a, r, nil)
	selectCase(t, s, "a")
	test.Tap(s.cases.detail.pin.generate)
	s.setCases(CaseList{Cases: sampleCases(), AsOf: asOfTime}) // a refresh reselects the same case
	if s.cases.detail.pin.digits.Text != "012 345" || !s.cases.detail.pin.shown.Visible() {
		t.Fatal("a refresh of the list hid the PIN")
	}
	selectCase(t, s, "b")
	if s.cases.detail.pin.shown.Visible() {
		t.Fatal("case b shows case a's PIN")
	}
	selectCase(t, s, "a")
	if !s.cases.detail.pin.shown.Visible() || s.cases.detail.pin.pin.CaseID != "a" {
		t.Fatal("case a's PIN did not come back")
	}
	r.last["a"] = PINCode{Code: "999999", CaseID: "a", ExpiresAt: pinClock.Add(-time.Minute)}
	selectCase(t, s, "c")
	selectCase(t, s, "a")
	if s.cases.detail.pin.shown.Visible() {
		t.Fatal("an expired PIN was brought back")
	}
}

func TestCtrlGGeneratesAPIN(t *testing.T) {
	a := newTestApp(t)
	r := &fakeRescue{signedIn: true}
	s := newPINShell(t, a, r, nil)
	s.generatePIN() // nothing selected: nothing asked
	selectCase(t, s, "c")
	s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierShortcutDefault})
	if fmt.Sprint(r.requested) != "[c]" {
		t.Fatalf("requests %v", r.requested)
	}
}

func TestTrayShowsTheConsoleAndForgetsRescueCredentials(t *testing.T) {
	a := &trayApp{App: newTestApp(t)}
	r := &fakeRescue{signedIn: true, presence: PresenceBusy}
	s := newPINShell(t, a, r, nil)
	s.installTray()
	if got := a.menu.Items[1]; got.Label != "🟠 Console: Busy" || !got.Disabled {
		t.Fatalf("tray status %q disabled %v", got.Label, got.Disabled)
	}
	var forget *fyne.MenuItem
	for _, it := range a.menu.Items {
		if it.Label == "Forget Rescue credentials" {
			forget = it
		}
	}
	if forget == nil {
		t.Fatal("no Forget Rescue credentials item")
	}
	forget.Action()
	if r.forgets != 1 || s.cases.light.status != PresenceUnknown {
		t.Fatalf("forgets %d light %q", r.forgets, s.cases.light.status)
	}
	if a.menu.Items[1].Label != "⚪ Console: unknown" {
		t.Fatalf("tray status after forgetting %q", a.menu.Items[1].Label)
	}
}

func TestEveryRescueAnswerHasItsOwnMessageInBothLanguages(t *testing.T) {
	codes := []string{
		"NOTECHCONSOLERUNNING", "NOTLOGGEDIN", "NOTTECHNICIAN", "OUTOFPINCODES", "POLLRATEEXCEEDED",
		"INVALID_SECRETAUTHCODE", "USER_IS_DELETED", "USER_DELETED_OR_DISABLED", "ERROR", "INVALID",
		"INVALIDPARAM_COMPANY", "LIMITREACHED", CodeSignInRequired, CodeCaseNotSaved, CodeLostReply, CodeUnreachable,
	}
	messages := func(code string) map[string]string {
		out := map[string]string{}
		for _, c := range codes {
			out[c] = RescueMessage(&RescueError{Code: c, SessionID: 7, Detail: "x"})
		}
		return out
	}
	newTestApp(t)
	en := messages("en")
	useLanguage(t, "fr")
	fr := messages("fr")
	seen := map[string]string{}
	for _, c := range codes {
		if strings.HasPrefix(en[c], "Rescue answered") {
			t.Errorf("%s has no message of its own", c)
		}
		if en[c] == fr[c] {
			t.Errorf("%s is not translated: %q", c, fr[c])
		}
		if other, dup := seen[en[c]]; dup {
			t.Errorf("%s and %s share a message", c, other)
		}
		seen[en[c]] = c
	}
}

func TestMailtoEncoding(t *testing.T) {
	got := mailto("a.b@example.com", "Case CAS-1 & more", "Line 1\nLine 2 d'accord")
	want := "mailto:a.b@example.com?subject=Case%20CAS-1%20%26%20more&body=Line%201%0D%0ALine%202%20d%27accord"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// BenchmarkClickToPINShown measures the client's time from the tap to the digits on screen, with the
// network taken out: the Rescue side answers at once.
func BenchmarkClickToPINShown(b *testing.B) {
	a := test.NewTempApp(b)
	r := &fakeRescue{signedIn: true}
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: r, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	defer s.Window().Close()
	s.start()
	s.cases.list.Select(0)
	panel := s.cases.detail.pin
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		panel.reset()
		test.Tap(panel.generate)
		if panel.digits.Text != "012 345" {
			b.Fatal("no PIN")
		}
	}
}
