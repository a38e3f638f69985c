package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// recentView is Recent sessions: the technician's sessions of the last day or week, in a window
// of its own; a row opens the session's details. Escape closes it.
type recentView struct {
	window  fyne.Window
	periods []recentPeriod
	choice  *widget.Select
	refresh *widget.Button
	list    *sessionList

	onLoad func(period time.Duration)
}

// recentPeriod is one choice of the period menu.
type recentPeriod struct {
	label string
	span  time.Duration
}

func newRecentView(a fyne.App) *recentView {
	v := &recentView{
		window: a.NewWindow(lang.L("Recent sessions")),
		periods: []recentPeriod{
			{lang.L("Last 24 hours"), 24 * time.Hour},
			{lang.L("Last 7 days"), 7 * 24 * time.Hour},
		},
		list: newSessionList(recentSessionRow, lang.L("No session in this period.")),
	}
	labels := make([]string, len(v.periods))
	for i, p := range v.periods {
		labels[i] = p.label
	}
	v.choice = widget.NewSelect(labels, func(string) { v.onLoad(v.period()) })
	v.refresh = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { v.onLoad(v.period()) })
	// As wide as the longest choice, in French too.
	choice := container.NewGridWrap(fyne.NewSize(220, v.choice.MinSize().Height), v.choice)
	heading := widget.NewLabelWithStyle(lang.L("Recent sessions"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	tools := container.NewBorder(nil, nil, heading, container.NewHBox(choice, v.refresh))
	v.window.SetContent(container.NewPadded(container.NewBorder(tools, nil, nil, nil, v.list.content)))
	v.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			v.window.Close()
		}
	})
	v.window.Resize(fyne.NewSize(720, 480))
	return v
}

// start selects the first period, which loads it.
func (v *recentView) start() { v.choice.SetSelectedIndex(0) }

// period is the chosen span of time.
func (v *recentView) period() time.Duration {
	for _, p := range v.periods {
		if p.label == v.choice.Selected {
			return p.span
		}
	}
	return v.periods[0].span
}
