package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// sessionDetailView is one finished session in full, in a window of its own so that it can stay
// open beside the cases or Recent sessions: who and when, how long, how it ended, the notes and the
// chat, and whether it has reached the case in Dynamics. Escape closes it.
type sessionDetailView struct {
	window  fyne.Window
	shown   SessionDetails
	heading *widget.Label
	values  map[string]*widget.Label // by the field's label, in the language shown
	fields  []detailField
	notes   *widget.Label
	chat    *widget.Label
	loading *widget.ProgressBarInfinite
	problem *widget.Label
}

// detailField is one labelled value of the view.
type detailField struct {
	label string
	value func(SessionDetails) string
}

// sessionFields are the view's two columns of values.
func sessionFields() (left, right []detailField) {
	left = []detailField{
		{lang.L("Technician"), func(d SessionDetails) string { return orDash(d.Technician) }},
		{lang.L("Start"), func(d SessionDetails) string { return orDash(formatTime(d.Start)) }},
		{lang.L("End"), func(d SessionDetails) string { return orDash(formatTime(d.End)) }},
		{lang.L("Waiting time"), func(d SessionDetails) string { return hms(d.Waiting) }},
		{lang.L("Active time"), func(d SessionDetails) string { return hms(d.Active) }},
		{lang.L("Total time"), func(d SessionDetails) string { return hms(d.Total) }},
	}
	right = []detailField{
		{lang.L("Status"), func(d SessionDetails) string { return orDash(d.Status) }},
		{lang.L("Resolved"), func(d SessionDetails) string { return yesNo(d.Resolved) }},
		{lang.L("Tools used"), func(d SessionDetails) string { return orDash(d.ToolsUsed) }},
		{lang.L("Platform"), func(d SessionDetails) string { return orDash(d.Platform) }},
		{lang.L("In Dynamics"), func(d SessionDetails) string { return writtenBack(d.WrittenBack) }},
	}
	return left, right
}

func newSessionDetailView(a fyne.App) *sessionDetailView {
	v := &sessionDetailView{window: a.NewWindow(lang.L("Session")), values: map[string]*widget.Label{}}
	v.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.heading.Truncation = fyne.TextTruncateEllipsis
	v.loading = widget.NewProgressBarInfinite()
	v.loading.Hide()
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.DangerImportance
	v.problem.Truncation = fyne.TextTruncateEllipsis
	v.problem.Hide()
	v.notes = selectableWrapped()
	v.chat = selectableWrapped()

	left, right := sessionFields()
	v.fields = append(left, right...)
	columns := container.NewGridWithColumns(2, v.form(left), v.form(right))
	top := container.NewVBox(v.heading, v.loading, v.problem, columns,
		bold(lang.L("Notes")), v.notes, widget.NewSeparator(), bold(lang.L("Chat")))
	closeButton := widget.NewButtonWithIcon(lang.L("Close"), theme.CancelIcon(), v.window.Close)
	v.window.SetContent(container.NewPadded(container.NewBorder(top, container.NewHBox(layout.NewSpacer(), closeButton), nil, nil,
		container.NewVScroll(v.chat))))
	v.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			v.window.Close()
		}
	})
	v.window.Resize(fyne.NewSize(760, 600))
	return v
}

func (v *sessionDetailView) form(fields []detailField) *widget.Form {
	f := widget.NewForm()
	for _, field := range fields {
		value := widget.NewLabel("")
		value.Truncation = fyne.TextTruncateEllipsis
		v.values[field.label] = value
		f.Append(field.label, value)
	}
	return f
}

// show fills the view with a session.
func (v *sessionDetailView) show(d SessionDetails) {
	v.shown = d
	title := fmt.Sprintf(lang.L("Session %d"), d.SessionID)
	number := d.CaseNumber
	if number == "" {
		number = lang.L("No case")
	}
	v.window.SetTitle(title)
	v.heading.SetText(joinParts(title, number, d.Customer))
	for _, f := range v.fields {
		v.values[f.label].SetText(f.value(d))
	}
	v.notes.SetText(orDash(strings.TrimSpace(d.Notes)))
	v.chat.SetText(transcript(d.Chat))
}

// setBusy shows that the full details are on their way; what is shown meanwhile stays.
func (v *sessionDetailView) setBusy(busy bool) {
	v.problem.Hide()
	v.loading.Hidden = !busy
	if busy {
		v.loading.Start()
	} else {
		v.loading.Stop()
	}
	v.loading.Refresh()
}

// setProblem says in one line why the full details could not be read.
func (v *sessionDetailView) setProblem(text string) {
	v.setBusy(false)
	v.problem.SetText(text)
	v.problem.Show()
}

// transcript is the chat, one "[time] From: text" line per message.
func transcript(chat []ChatLine) string {
	if len(chat) == 0 {
		return lang.L("No chat in this session.")
	}
	lines := make([]string, len(chat))
	for i, c := range chat {
		lines[i] = fmt.Sprintf("[%s] %s: %s", c.At, c.From, c.Text)
	}
	return strings.Join(lines, "\n")
}

// hms writes a duration as h:mm:ss, the way session times are compared.
func hms(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60)
}

func yesNo(b bool) string {
	if b {
		return lang.L("Yes")
	}
	return lang.L("No")
}

func writtenBack(b bool) string {
	if b {
		return lang.L("Saved on the case")
	}
	return lang.L("Waiting to be saved")
}

// orDash stands in for a value Rescue did not give.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func selectableWrapped() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}
