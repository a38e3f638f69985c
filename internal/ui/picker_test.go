package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

var sandboxPeople = []Choice{
	{Key: "camille", Label: "Camille Lefèvre", Hint: "camille@contoso-helpdesk.example"},
	{Key: "jordan", Label: "Jordan O'Neill", Hint: "jordan@contoso-helpdesk.example"},
}

func TestAccountPickerAnswersTheTappedAccount(t *testing.T) {
	a := newTestApp(t)
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	s.Window().Resize(fyne.NewSize(900, 560))
	var got []string
	d := s.accountPicker(sandboxPeople, func(k string) { got = append(got, k) })
	d.Show()
	test.AssertRendersToMarkup(t, "signin/picker_en.xml", s.Window().Canvas())
	overlay := s.Window().Canvas().Overlays().Top()
	test.Tap(findButton(t, overlay, "Jordan O'Neill  ·  jordan@contoso-helpdesk.example"))
	if len(got) != 1 || got[0] != "jordan" {
		t.Fatalf("answers %q, want one: jordan", got)
	}
}

func TestAccountPickerDismissedAnswersEmpty(t *testing.T) {
	a := newTestApp(t)
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	var got []string
	d := s.accountPicker(sandboxPeople, func(k string) { got = append(got, k) })
	d.Show()
	test.Tap(findButton(t, s.Window().Canvas().Overlays().Top(), "Cancel"))
	if len(got) != 1 || got[0] != "" {
		t.Fatalf("answers %q, want one empty", got)
	}
}

func TestChooseAccountGivesUpWithItsContext(t *testing.T) {
	a := newTestApp(t)
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{}}, syncRun)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ChooseAccount(ctx, sandboxPeople); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}
