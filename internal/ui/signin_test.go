package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func newSignedOutShell(t *testing.T, a fyne.App, auth *fakeAuth, cases *fakeCases, run func(func())) *Shell {
	t.Helper()
	s := newShell(a, sandboxEnv, Services{Auth: auth, Cases: cases, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, run)
	s.Window().Resize(fyne.NewSize(900, 560))
	t.Cleanup(s.Window().Close)
	s.start()
	return s
}

func TestSignInScreenInBothLanguagesAndThemes(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
	}{
		{"signin/choice_en_light.xml", "en", theme.VariantLight},
		{"signin/choice_fr_dark.xml", "fr", theme.VariantDark},
	} {
		t.Run(c.golden, func(t *testing.T) {
			a := newTestApp(t)
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			s := newSignedOutShell(t, a, &fakeAuth{}, &fakeCases{}, syncRun)
			test.AssertRendersToMarkup(t, c.golden, s.Window().Canvas())
		})
	}
}

func TestSignInThenTheCasesAppear(t *testing.T) {
	a := newTestApp(t)
	auth := &fakeAuth{account: Account{Username: "camille@contoso-helpdesk.example"}}
	cases := &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	s := newSignedOutShell(t, a, auth, cases, syncRun)

	test.Tap(findButton(t, s.Window().Content(), "Sign in with Microsoft"))
	if cases.refreshs != 1 {
		t.Fatalf("%d refreshes after sign-in, want 1", cases.refreshs)
	}
	if got := len(s.cases.shown); got != 3 {
		t.Fatalf("%d cases shown, want 3", got)
	}
	test.AssertRendersToMarkup(t, "cases/list_en.xml", s.Window().Canvas())
}

func TestSignInFailureIsOneLineAndTheButtonsStay(t *testing.T) {
	a := newTestApp(t)
	auth := &fakeAuth{signInErr: errors.New("the browser could not be opened")}
	s := newSignedOutShell(t, a, auth, &fakeCases{}, syncRun)
	test.Tap(findButton(t, s.Window().Content(), "Sign in with Microsoft"))
	if got := s.signIn.errorText.Text; got != "Sign-in failed: the browser could not be opened" || !s.signIn.errorText.Visible() {
		t.Fatalf("error line %q (visible %v)", got, s.signIn.errorText.Visible())
	}
	findButton(t, s.Window().Content(), "Sign in with Microsoft") // still there to try again
	test.AssertRendersToMarkup(t, "signin/error_en.xml", s.Window().Canvas())
}

// The device code is shown with a copy button, and Cancel brings back the choice.
func TestDeviceCodeShowCopyAndCancel(t *testing.T) {
	a := newTestApp(t)
	auth := &fakeAuth{
		block: true, shown: make(chan struct{}),
		device: DeviceCode{UserCode: "KXQ7-M2PD", VerificationURL: "https://127.0.0.1:41001/devicelogin"},
	}
	done := make(chan struct{}, 4)
	run := func(f func()) { go func() { f(); done <- struct{}{} }() }
	s := newSignedOutShell(t, a, auth, &fakeCases{}, run)
	<-done // restore has put up the sign-in screen

	test.Tap(findButton(t, s.Window().Content(), "Use a code on another device"))
	<-auth.shown
	if s.signIn.userCode.Text != "KXQ7-M2PD" || s.signIn.verifyLink.Text != "https://127.0.0.1:41001/devicelogin" {
		t.Fatalf("code %q link %q", s.signIn.userCode.Text, s.signIn.verifyLink.Text)
	}
	test.AssertRendersToMarkup(t, "signin/device_code_en.xml", s.Window().Canvas())
	s.signIn.verifyLink.OnTapped() // what a tap on the link text does (test.Tap lands beside the centred text)
	<-done                         // the link is opened off the UI goroutine
	links := s.svc.Links.(*fakeLinks)
	if len(links.opened) != 1 || links.opened[0] != "https://127.0.0.1:41001/devicelogin" {
		t.Fatalf("the link opened %v through the app's opener", links.opened)
	}
	test.Tap(findButton(t, s.Window().Content(), "Copy code"))
	if got := a.Clipboard().Content(); got != "KXQ7-M2PD" {
		t.Fatalf("clipboard %q", got)
	}
	test.Tap(findButton(t, s.Window().Content(), "Cancel"))
	<-done // the sign-in goroutine has returned and put the choice back
	if !s.signIn.choose.Visible() || s.signIn.errorText.Visible() {
		t.Fatal("after cancel, the choice must be back with no error")
	}
}

// With no browser to open, the shell turns to a device code by itself.
func TestNoBrowserFallsBackToADeviceCode(t *testing.T) {
	a := newTestApp(t)
	auth := &fakeAuth{
		noBrowser: true, block: true, shown: make(chan struct{}),
		device: DeviceCode{UserCode: "ABCD-EFGH", VerificationURL: "https://127.0.0.1:41001/devicelogin"},
	}
	done := make(chan struct{}, 4)
	run := func(f func()) { go func() { f(); done <- struct{}{} }() }
	s := newSignedOutShell(t, a, auth, &fakeCases{}, run)
	<-done
	test.Tap(findButton(t, s.Window().Content(), "Sign in with Microsoft"))
	<-auth.shown
	if s.signIn.userCode.Text != "ABCD-EFGH" {
		t.Fatalf("no device code shown: %q", s.signIn.userCode.Text)
	}
	s.cancelRunning()
	<-done // the browser attempt
	<-done // the device-code attempt
}
