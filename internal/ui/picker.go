package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Choice is one person the sandbox's sign-in picker offers.
type Choice struct {
	Key   string
	Label string // e.g. "Camille Lefèvre"
	Hint  string // e.g. the e-mail address
}

// ErrNoChoice is returned when the picker was dismissed.
var ErrNoChoice = errors.New("no account was chosen")

// ChooseAccount asks which sandbox technician signs in, in place of the browser page a real
// organisation would show. It blocks until a choice, a dismissal or ctx's end, so it must be called
// off the UI goroutine (MSAL calls it from its sign-in goroutine).
func (s *Shell) ChooseAccount(ctx context.Context, choices []Choice) (string, error) {
	picked := make(chan string, 1)
	var d dialog.Dialog
	fyne.Do(func() {
		d = s.accountPicker(choices, func(key string) { picked <- key })
		d.Show()
	})
	select {
	case key := <-picked:
		if key == "" {
			return "", ErrNoChoice
		}
		return key, nil
	case <-ctx.Done():
		fyne.Do(func() { d.Hide() })
		return "", ctx.Err()
	}
}

// accountPicker is a dialog with one button per account; answer is called once, with "" on dismissal.
func (s *Shell) accountPicker(choices []Choice, answer func(string)) dialog.Dialog {
	var d dialog.Dialog
	answered := false
	reply := func(key string) {
		if !answered {
			answered = true
			answer(key)
		}
	}
	rows := container.NewVBox(widget.NewLabel(lang.L("Sign in to the sandbox as:")))
	for _, c := range choices {
		key := c.Key
		b := widget.NewButton(c.Label+"  ·  "+c.Hint, func() {
			reply(key)
			d.Hide()
		})
		b.Alignment = widget.ButtonAlignLeading
		rows.Add(b)
	}
	d = dialog.NewCustom(lang.L("Choose an account"), lang.L("Cancel"), rows, s.window)
	d.SetOnClosed(func() { reply("") })
	return d
}
