package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// caseDetail is the pane beside the list: the selected case in full and its past sessions, in two
// tabs, and what can be done with it. When one of its sessions closes, the wrap-up card takes the
// tabs' and the PIN's place until it is saved or skipped.
type caseDetail struct {
	content fyne.CanvasObject
	current Case

	placeholder *widget.Label
	body        *fyne.Container
	title       *widget.Label
	number      *widget.Label
	fields      map[string]*widget.Label
	description *widget.Label
	pin         *pinPanel
	pinArea     *fyne.Container
	tabs        *container.AppTabs
	sessions    *sessionList
	wrapUp      *wrapUpCard

	onSelect   func(Case) // another case is shown
	onSessions func(Case) // the Sessions tab is opened on a case
}

// detailFields are the labelled values, in the order they are shown.
var detailFields = []string{"Customer", "E-mail", "Priority", "Status", "Owner", "Created", "Modified"}

func newCaseDetail(onOpen func(Case), now func() time.Time) *caseDetail {
	d := &caseDetail{
		fields: map[string]*widget.Label{}, pin: newPINPanel(now), wrapUp: newWrapUpCard(),
		sessions: newSessionList(caseSessionRow, lang.L("No session for this case yet.")),
	}
	d.placeholder = widget.NewLabel(lang.L("Select a case to see its details."))
	d.placeholder.Alignment = fyne.TextAlignCenter
	d.placeholder.Wrapping = fyne.TextWrapWord

	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapWord
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.number = widget.NewLabel("")
	d.number.Selectable = true
	form := widget.NewForm()
	for _, name := range detailFields {
		v := widget.NewLabel("")
		v.Selectable = true
		v.Wrapping = fyne.TextWrapWord
		d.fields[name] = v
		form.Append(lang.L(name), v)
	}
	d.description = widget.NewLabel("")
	d.description.Wrapping = fyne.TextWrapWord
	d.description.Selectable = true
	open := widget.NewButtonWithIcon(lang.L("Open in Dynamics"), theme.ComputerIcon(), func() { onOpen(d.current) })
	open.Importance = widget.HighImportance

	details := container.NewVBox(d.title, d.number, form, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Case description"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.description, container.NewHBox(open))
	d.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Details"), container.NewVScroll(details)),
		container.NewTabItem(lang.L("Sessions"), d.sessions.content))
	d.tabs.OnSelected = func(*container.TabItem) {
		if d.sessionsOpen() {
			d.onSessions(d.current)
		}
	}
	// The PIN stays in view below the tabs: it is what the technician reads aloud.
	d.pinArea = container.NewVBox(widget.NewSeparator(), d.pin.content)
	d.body = container.NewBorder(nil, d.pinArea, nil, nil, container.NewStack(d.tabs, d.wrapUp.content))
	d.body.Hide()
	d.content = container.NewStack(middle(d.placeholder), d.body)
	return d
}

// show fills the pane with a case. Showing the same case again (after a refresh of the list) keeps
// its PIN on screen.
func (d *caseDetail) show(c Case) {
	changed := c.ID != d.current.ID
	d.current = c
	d.title.SetText(c.Title)
	d.number.SetText(c.Number)
	email := c.CustomerEmail
	if email == "" {
		email = lang.L("none")
	}
	values := map[string]string{
		"Customer": c.Customer, "E-mail": email, "Priority": c.Priority, "Status": c.Status,
		"Owner": c.Owner, "Created": formatTime(c.Created), "Modified": formatTime(c.Modified),
	}
	for name, v := range values {
		d.fields[name].SetText(v)
	}
	desc := c.Description
	if desc == "" {
		desc = lang.L("No description.")
	}
	d.description.SetText(desc)
	d.placeholder.Hide()
	d.body.Show()
	if changed {
		d.pin.reset()
		d.sessions.clear()
		if d.onSelect != nil {
			d.onSelect(c)
		}
		if d.sessionsOpen() {
			d.onSessions(c)
		}
	}
}

// sessionsOpen is true when the Sessions tab is the one in front.
func (d *caseDetail) sessionsOpen() bool { return d.tabs.SelectedIndex() == 1 }

// showWrapUp puts the wrap-up card in place of the tabs and the PIN, whose session is over, or
// puts them back.
func (d *caseDetail) showWrapUp(on bool) {
	if on {
		d.tabs.Hide()
		d.pinArea.Hide()
		d.wrapUp.content.Show()
		return
	}
	d.wrapUp.content.Hide()
	d.tabs.Show()
	d.pinArea.Show()
}

// clear empties the pane.
func (d *caseDetail) clear() {
	d.current = Case{}
	d.pin.reset()
	d.body.Hide()
	d.placeholder.Show()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(caseTimeLayout)
}
