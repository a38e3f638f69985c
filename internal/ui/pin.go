package ui

import (
	"fmt"
	"image/color"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pinPanel is the PIN part of a case's detail: the button that asks for a PIN and says why it
// cannot when the console is required and not running, then the PIN itself in large digits with
// what the technician does with it (copy, send the join link, watch it expire), and below it the
// live status of the session the PIN opened.
type pinPanel struct {
	content fyne.CanvasObject
	now     func() time.Time

	generate *widget.Button
	recheck  *widget.Button
	reason   *widget.Label
	progress *fyne.Container
	problem  *widget.Label

	shown    *fyne.Container
	digits   *canvas.Text
	validity *widget.Label
	join     *widget.Hyperlink
	pin      PINCode
	live     *liveLine
	used     bool // the customer joined with the PIN: its validity no longer matters

	onGenerate func()
	onRecheck  func()
	onCancel   func()
	onCopy     func(text string)
	onInvite   func(mailto string)
	onOpenURL  func(u string)
}

func newPINPanel(now func() time.Time) *pinPanel {
	p := &pinPanel{now: now, live: newLiveLine()}
	p.generate = widget.NewButtonWithIcon(lang.L("Generate PIN"), theme.ContentAddIcon(), func() { p.onGenerate() })
	p.generate.Importance = widget.HighImportance
	p.recheck = widget.NewButtonWithIcon(lang.L("Check again"), theme.ViewRefreshIcon(), func() { p.onRecheck() })
	p.recheck.Hide()
	p.reason = widget.NewLabel("")
	p.reason.Wrapping = fyne.TextWrapWord
	p.reason.Importance = widget.WarningImportance
	p.reason.Hide()
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { p.onCancel() })
	p.progress = container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite())
	p.progress.Hide()
	p.problem = widget.NewLabel("")
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Importance = widget.DangerImportance
	p.problem.Hide()

	p.digits = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	p.digits.TextSize = 44
	p.digits.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	p.validity = widget.NewLabel("")
	p.join = widget.NewHyperlink("", nil)
	p.join.OnTapped = func() { p.onOpenURL(p.pin.JoinURL) }
	copyPIN := widget.NewButtonWithIcon(lang.L("Copy PIN"), theme.ContentCopyIcon(), func() { p.onCopy(p.pin.Code) })
	copyLink := widget.NewButtonWithIcon(lang.L("Copy link"), theme.ContentCopyIcon(), func() { p.onCopy(p.pin.JoinURL) })
	invite := widget.NewButtonWithIcon(lang.L("Send invitation"), theme.MailSendIcon(), func() { p.onInvite(p.invitation()) })
	// The digits and what to do with them side by side, so the pane keeps its width in French too.
	actions := container.NewVBox(copyPIN, copyLink, invite)
	p.shown = container.NewVBox(
		container.NewBorder(nil, nil, nil, actions, container.NewVBox(container.NewPadded(p.digits), p.validity)),
		p.join)
	p.shown.Hide()

	p.content = container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Remote session"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(p.generate, p.recheck), p.reason, p.progress, p.problem, p.shown, p.live.content)
	return p
}

// setGate enables the button, or disables it with the reason when the console is required and offline.
func (p *pinPanel) setGate(blocked bool) {
	if blocked {
		p.generate.Disable()
		p.reason.SetText(lang.L("The Rescue Technician Console is not running: start it, then try again."))
		p.reason.Show()
		p.recheck.Show()
		return
	}
	p.generate.Enable()
	p.reason.Hide()
	p.recheck.Hide()
}

// setBusy shows progress while a PIN is being asked for; the button cannot be pressed twice.
func (p *pinPanel) setBusy(busy bool) {
	if busy {
		p.problem.Hide()
		p.generate.Disable()
		p.progress.Show()
		return
	}
	p.progress.Hide()
	p.generate.Enable()
}

func (p *pinPanel) setProblem(text string) {
	p.problem.SetText(text)
	p.problem.Show()
}

// showPIN puts a PIN up in large digits, grouped by three as it is read aloud.
func (p *pinPanel) showPIN(pin PINCode) {
	p.pin = pin
	p.used = false
	p.problem.Hide()
	p.digits.Text = groupDigits(pin.Code)
	p.digits.Color = theme.Color(theme.ColorNameForeground)
	p.join.SetText(pin.JoinURL)
	p.tick()
	p.shown.Show()
	p.digits.Refresh()
}

// setUsed says whether the customer has joined with the PIN on screen.
func (p *pinPanel) setUsed(used bool) {
	if used != p.used {
		p.used = used
		p.tick()
	}
}

// reset empties the panel for another case.
func (p *pinPanel) reset() {
	p.pin = PINCode{}
	p.used = false
	p.shown.Hide()
	p.problem.Hide()
	p.progress.Hide()
}

// tick updates the remaining validity; an expired PIN is greyed and says so.
func (p *pinPanel) tick() {
	if p.pin.Code == "" {
		return
	}
	if p.used {
		p.validity.Importance = widget.MediumImportance
		p.validity.SetText(lang.L("The customer joined with this PIN."))
		return
	}
	left := p.pin.ExpiresAt.Sub(p.now())
	if left <= 0 {
		p.validity.SetText(lang.L("This PIN has expired. Generate a new one if the customer still needs it."))
		p.validity.Importance = widget.WarningImportance
		p.digits.Color = theme.Color(theme.ColorNameDisabled)
		p.digits.Refresh()
		return
	}
	p.validity.Importance = widget.MediumImportance
	p.validity.SetText(fmt.Sprintf(lang.L("Valid for %s (until %s)"), clockDuration(left), p.pin.ExpiresAt.Local().Format("15:04")))
}

// invitation is a mailto: URL with the subject and body in the app's language.
func (p *pinPanel) invitation() string {
	subject := fmt.Sprintf(lang.L("Remote support for case %s"), p.pin.CaseNumber)
	body := fmt.Sprintf(lang.L("Hello %s,\n\nTo let me help you remotely, open %s and enter the code %s.\nThe code is valid until %s.\n\nBest regards"),
		p.pin.Customer, p.pin.JoinURL, p.pin.Code, p.pin.ExpiresAt.Local().Format("15:04"))
	return mailto(p.pin.CustomerEmail, subject, body)
}

// mailto builds a mailto: URL; spaces are %20 (not +) and line ends CRLF, as RFC 6068 asks.
func mailto(to, subject, body string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	to = strings.ReplaceAll(esc(to), "%40", "@") // addresses read better, and some mail programs want it
	return "mailto:" + to + "?subject=" + esc(subject) + "&body=" + esc(body)
}

// groupDigits writes a six-digit PIN as "012 345".
func groupDigits(code string) string {
	if len(code) == 6 {
		return code[:3] + " " + code[3:]
	}
	return code
}

// clockDuration writes a duration as m:ss (or h:mm:ss).
func clockDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// presenceColor is the status light's colour.
func presenceColor(p Presence) color.Color {
	switch p {
	case PresenceOnline:
		return theme.Color(theme.ColorNameSuccess)
	case PresenceBusy, PresenceAway:
		return theme.Color(theme.ColorNameWarning)
	case PresenceOffline:
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}
