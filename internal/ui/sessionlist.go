package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// sessionList is a list of finished sessions with its loading states: progress with a cancel, a
// one-line problem, or a word when there are none. The case's Sessions tab and Recent sessions
// both use it, each with its own way of writing a row.
type sessionList struct {
	content fyne.CanvasObject
	rows    []SessionDetails
	row     func(SessionDetails) (title, meta string)

	list     *widget.List
	progress *fyne.Container
	problem  *widget.Label
	empty    *widget.Label

	onOpen   func(SessionDetails)
	onCancel func()
}

func newSessionList(row func(SessionDetails) (string, string), emptyText string) *sessionList {
	l := &sessionList{row: row}
	l.list = l.buildList()
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { l.onCancel() })
	l.progress = container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite())
	l.progress.Hide()
	l.problem = widget.NewLabel("")
	l.problem.Importance = widget.DangerImportance
	l.problem.Truncation = fyne.TextTruncateEllipsis
	l.problem.Hide()
	l.empty = widget.NewLabel(emptyText)
	l.empty.Alignment = fyne.TextAlignCenter
	l.empty.Wrapping = fyne.TextWrapWord
	l.empty.Hide()
	l.content = container.NewBorder(container.NewVBox(l.progress, l.problem), nil, nil, nil,
		container.NewStack(l.list, middle(l.empty)))
	return l
}

func (l *sessionList) buildList() *widget.List {
	list := widget.NewList(
		func() int { return len(l.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("")
			meta.Truncation = fyne.TextTruncateEllipsis
			meta.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(title, meta)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(l.rows) {
				return
			}
			title, meta := l.row(l.rows[id])
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(title)
			row.Objects[1].(*widget.Label).SetText(meta)
		},
	)
	list.OnSelected = func(id widget.ListItemID) {
		list.UnselectAll() // so that tapping the same row again opens it again
		if id < len(l.rows) {
			l.onOpen(l.rows[id])
		}
	}
	return list
}

// setBusy shows the progress while the list loads; what was listed stays until the answer.
func (l *sessionList) setBusy() {
	l.problem.Hide()
	l.progress.Show()
}

// setRows shows the sessions, or says there are none.
func (l *sessionList) setRows(rows []SessionDetails) {
	l.rows = rows
	l.progress.Hide()
	l.problem.Hide()
	l.empty.Hidden = len(rows) > 0
	l.empty.Refresh()
	l.list.Refresh()
}

// setProblem says in one line why the list could not load.
func (l *sessionList) setProblem(text string) {
	l.progress.Hide()
	l.problem.SetText(text)
	l.problem.Show()
	l.empty.Hide()
}

// clear empties the list, for another case.
func (l *sessionList) clear() {
	l.rows = nil
	l.progress.Hide()
	l.problem.Hide()
	l.empty.Hide()
	l.list.Refresh()
}

// caseSessionRow is a row of the case's Sessions tab: when and who, then how long and how it ended.
func caseSessionRow(d SessionDetails) (string, string) {
	return joinParts(formatTime(d.Start), d.Technician), joinParts(activeFor(d), d.Status)
}

// recentSessionRow is a row of Recent sessions: the case and customer, then when, who, how long
// and how it ended.
func recentSessionRow(d SessionDetails) (string, string) {
	number := d.CaseNumber
	if number == "" {
		number = lang.L("No case")
	}
	return joinParts(number, d.Customer), joinParts(formatTime(d.Start), d.Technician, activeFor(d), d.Status)
}

func activeFor(d SessionDetails) string {
	return fmt.Sprintf(lang.L("active %s"), hms(d.Active))
}

// joinParts joins the non-empty parts with a middle dot.
func joinParts(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}
