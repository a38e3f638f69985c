package ui

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func signedIn() *fakeAuth {
	return &fakeAuth{signedIn: true, account: Account{Username: "camille@contoso-helpdesk.example", Name: "Camille Lefèvre"}}
}

func newCasesShell(t *testing.T, a fyne.App, cases *fakeCases, links *fakeLinks) *Shell {
	t.Helper()
	if links == nil {
		links = &fakeLinks{}
	}
	s := newShell(a, sandboxEnv, Services{Auth: signedIn(), Cases: cases, Rescue: &fakeRescue{}, Links: links, Sessions: &fakeSessions{}}, syncRun)
	cases.shell = s
	s.Window().Resize(fyne.NewSize(900, 560))
	t.Cleanup(s.Window().Close)
	s.start()
	return s
}

func TestCasesInFrenchDark(t *testing.T) {
	a := newTestApp(t)
	useLanguage(t, "fr")
	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	s := newCasesShell(t, a, &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}, nil)
	s.cases.list.Select(0)
	test.AssertRendersToMarkup(t, "cases/detail_fr_dark.xml", s.Window().Canvas())
}

func TestSearchAsYouTypeOverNumberTitleAndCustomer(t *testing.T) {
	a := newTestApp(t)
	s := newCasesShell(t, a, &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}, nil)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"b", "a", "c"}}, // most recently modified first
		{"chateau", []string{"b"}},    // accents folded: Château
		{"01003", []string{"c"}},      // case number
		{"vpn home", []string{"a"}},   // every word must match
		{"N'DIAYE", []string{"c"}},    // case-insensitive, apostrophe kept
	} {
		s.cases.search.SetText("")
		test.Type(s.cases.search, c.query)
		if got := ids(s.cases.shown); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("search %q: %v, want %v", c.query, got, c.want)
		}
	}
	s.cases.search.SetText("")
	test.Type(s.cases.search, "no such thing")
	if !s.cases.empty.Visible() || s.cases.empty.Text != "No case matches “no such thing”." {
		t.Fatalf("empty state %q visible %v", s.cases.empty.Text, s.cases.empty.Visible())
	}
	test.AssertRendersToMarkup(t, "cases/no_match_en.xml", s.Window().Canvas())
}

func TestSortByPriority(t *testing.T) {
	a := newTestApp(t)
	s := newCasesShell(t, a, &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}, nil)
	s.cases.sortBy.SetSelected("Priority")
	if got := ids(s.cases.shown); fmt.Sprint(got) != "[a c b]" {
		t.Fatalf("by priority: %v", got)
	}
	s.cases.sortBy.SetSelected("Customer")
	if got := ids(s.cases.shown); fmt.Sprint(got) != "[c b a]" { // Grégoire, Hôtel, Zoë
		t.Fatalf("by customer: %v", got)
	}
}

func TestEmptyList(t *testing.T) {
	a := newTestApp(t)
	s := newCasesShell(t, a, &fakeCases{answers: []caseAnswer{{list: CaseList{AsOf: asOfTime}}}}, nil)
	if !s.cases.empty.Visible() || s.cases.empty.Text != "No open cases. Nice work." {
		t.Fatalf("empty state %q", s.cases.empty.Text)
	}
	test.AssertRendersToMarkup(t, "cases/empty_en.xml", s.Window().Canvas())
}

func TestErrorWithoutCacheThenRetry(t *testing.T) {
	a := newTestApp(t)
	cases := &fakeCases{answers: []caseAnswer{
		{err: errors.New("Dynamics refused the request (500): An unexpected error occurred.")},
		{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}},
	}}
	s := newCasesShell(t, a, cases, nil)
	if !s.cases.failure.Visible() || s.cases.failText.Text != "Could not load your cases: Dynamics refused the request (500): An unexpected error occurred." {
		t.Fatalf("failure %q", s.cases.failText.Text)
	}
	test.AssertRendersToMarkup(t, "cases/error_en.xml", s.Window().Canvas())
	test.Tap(findButton(t, s.Window().Content(), "Try again"))
	if s.cases.failure.Visible() || len(s.cases.shown) != 3 {
		t.Fatalf("after retry: failure %v, %d cases", s.cases.failure.Visible(), len(s.cases.shown))
	}
}

// With a cache, the window opens on it at once, and stays usable when the refresh fails.
func TestOfflineShowsTheCacheWithItsTime(t *testing.T) {
	a := newTestApp(t)
	cached := CaseList{Cases: sampleCases(), AsOf: asOfTime}
	cases := &fakeCases{cached: &cached, answers: []caseAnswer{{err: errors.New("dial tcp: connection refused")}}}
	s := newCasesShell(t, a, cases, nil)
	if len(s.cases.shown) != 3 {
		t.Fatalf("%d cached cases shown", len(s.cases.shown))
	}
	want := "Offline or unreachable: showing cases as of 13:05. (dial tcp: connection refused)"
	if s.cases.banner.Text != want || !s.cases.banner.Visible() {
		t.Fatalf("banner %q", s.cases.banner.Text)
	}
	test.AssertRendersToMarkup(t, "cases/offline_en.xml", s.Window().Canvas())
}

func TestBusyIsToldWithTheWait(t *testing.T) {
	a := newTestApp(t)
	var seen string
	cases := &fakeCases{}
	cases.answers = []caseAnswer{{wait: 3 * time.Second, list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}
	cases.onWaited = func(s *Shell) { seen = s.cases.banner.Text }
	s := newCasesShell(t, a, cases, nil)
	if seen != "Dynamics is busy, retrying in 3 s" {
		t.Fatalf("banner during the wait %q", seen)
	}
	if s.cases.banner.Visible() {
		t.Fatalf("the busy banner stayed after success: %q", s.cases.banner.Text)
	}
}

func TestSignInExpiredGoesBackToSignIn(t *testing.T) {
	a := newTestApp(t)
	cases := &fakeCases{answers: []caseAnswer{{err: fmt.Errorf("refresh: %w", ErrSignInRequired)}}}
	s := newCasesShell(t, a, cases, nil)
	if !s.signIn.choose.Visible() || s.signIn.errorText.Text != "Your sign-in has expired. Please sign in again." {
		t.Fatalf("want the sign-in screen with a reason, got %q", s.signIn.errorText.Text)
	}
}

func TestDetailAndOpenInDynamics(t *testing.T) {
	a := newTestApp(t)
	links := &fakeLinks{}
	s := newCasesShell(t, a, &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}, links)
	s.cases.list.Select(2) // the shown order is b, a, c: c has no customer e-mail
	d := s.cases.detail
	if d.title.Text != "Teams camera not detected in meetings" || d.fields["E-mail"].Text != "none" || d.fields["Customer"].Text != "Grégoire N'Diaye" {
		t.Fatalf("detail: %q %q %q", d.title.Text, d.fields["E-mail"].Text, d.fields["Customer"].Text)
	}
	test.Tap(findButton(t, s.Window().Content(), "Open in Dynamics"))
	if len(links.opened) != 1 || links.opened[0] != "c" {
		t.Fatalf("opened %v", links.opened)
	}
	// Ctrl+O does the same from the keyboard.
	s.Window().Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault})
	if len(links.opened) != 2 {
		t.Fatalf("Ctrl+O: opened %v", links.opened)
	}
}

func TestKeyboardSearchAndRefresh(t *testing.T) {
	a := newTestApp(t)
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}, {list: CaseList{Cases: sampleCases()[:1], AsOf: asOfTime}}}}
	s := newCasesShell(t, a, cases, nil)
	c := s.Window().Canvas()
	c.(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if c.Focused() != s.cases.search {
		t.Fatal("Ctrl+F did not focus the search")
	}
	test.Type(c.Focused(), "vpn")
	if len(s.cases.shown) != 1 {
		t.Fatalf("typing after Ctrl+F: %d shown", len(s.cases.shown))
	}
	c.(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault})
	if cases.refreshs != 2 || len(s.cases.all) != 1 {
		t.Fatalf("Ctrl+R: %d refreshes, %d cases", cases.refreshs, len(s.cases.all))
	}
}

// The selection survives a refresh that still has the case.
func TestSelectionSurvivesRefresh(t *testing.T) {
	a := newTestApp(t)
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}, {list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newCasesShell(t, a, cases, nil)
	s.cases.list.Select(1)
	selected := s.cases.detail.current.ID
	s.refresh()
	if s.cases.detail.current.ID != selected || selected == "" {
		t.Fatalf("selection %q became %q", selected, s.cases.detail.current.ID)
	}
}

func ids(cs []Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// A missing or locked keyring is said once the list is up: nothing is lost now, but it will be.
func TestNotKeptForNextTimeIsSaid(t *testing.T) {
	a := newTestApp(t)
	auth := signedIn()
	auth.notKept = "the keyring is locked"
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newShell(a, sandboxEnv, Services{Auth: auth, Cases: cases, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	if s.cases.banner.Text != "Not kept for next time: the keyring is locked" || len(s.cases.shown) != 3 {
		t.Fatalf("banner %q, %d cases", s.cases.banner.Text, len(s.cases.shown))
	}
}

// Every screen fits a small laptop screen in both languages: a label that wraps inside a centring
// container once made the window 900 pixels tall.
func TestScreensFitASmallScreen(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		a := newTestApp(t)
		useLanguage(t, lang)
		s := newSignedOutShell(t, a, &fakeAuth{}, &fakeCases{}, syncRun)
		for name, o := range map[string]fyne.CanvasObject{"sign-in": s.signIn.content, "cases": s.cases.content} {
			if m := o.MinSize(); m.Width > 640 || m.Height > 480 {
				t.Errorf("%s %s screen needs %v", lang, name, m)
			}
		}
	}
}
