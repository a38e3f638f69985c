package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// caseDetail is the pane beside the list: the selected case in full, and what can be done with it.
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

	onSelect func(Case) // another case is shown
}

// detailFields are the labelled values, in the order they are shown.
var detailFields = []string{"Customer", "E-mail", "Priority", "Status", "Owner", "Created", "Modified"}

func newCaseDetail(onOpen func(Case), now func() time.Time) *caseDetail {
	d := &caseDetail{fields: map[string]*widget.Label{}, pin: newPINPanel(now)}
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
	// The PIN stays in view below the scrolling details: it is what the technician reads aloud.
	d.body = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), d.pin.content), nil, nil,
		container.NewVScroll(details))
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
		if d.onSelect != nil {
			d.onSelect(c)
		}
	}
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
