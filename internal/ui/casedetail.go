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
}

// detailFields are the labelled values, in the order they are shown.
var detailFields = []string{"Customer", "E-mail", "Priority", "Status", "Owner", "Created", "Modified"}

func newCaseDetail(onOpen func(Case)) *caseDetail {
	d := &caseDetail{fields: map[string]*widget.Label{}}
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

	d.body = container.NewVBox(d.title, d.number, form, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Case description"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.description, container.NewHBox(open))
	d.body.Hide()
	d.content = container.NewStack(middle(d.placeholder), container.NewVScroll(d.body))
	return d
}

// show fills the pane with a case.
func (d *caseDetail) show(c Case) {
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
}

// clear empties the pane.
func (d *caseDetail) clear() {
	d.current = Case{}
	d.body.Hide()
	d.placeholder.Show()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(caseTimeLayout)
}
