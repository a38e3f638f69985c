package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// teamView is Team sessions, the helpdesk lead's view: every technician's sessions of the last
// day, week or month, filtered by technician and outcome; the totals, the sessions of each day,
// the median active time of each technician; the sessions that never reached a case and the cases
// resolved while a session of theirs was not; and the filtered sessions as CSV. Escape closes it.
type teamView struct {
	window fyne.Window
	now    func() time.Time
	span   time.Duration // of the sessions loaded
	all    []SessionDetails
	shown  []SessionDetails // after the filters

	periods    []recentPeriod
	period     *widget.Select
	technician *widget.Select
	outcome    *widget.Select
	refresh    *widget.Button
	export     *widget.Button
	progress   *fyne.Container
	problem    *widget.Label
	note       *widget.Label

	count, resolved, median *widget.Label
	chart                   *barChart
	medians                 *fyne.Container
	noCase, unresolved      *sessionList

	onLoad   func(period time.Duration)
	onCancel func()
	onOpen   func(SessionDetails)
	onExport func(fileName string, data []byte)
}

// The outcome filter's choices, by position.
const (
	outcomeAll = iota
	outcomeResolved
	outcomeUnresolved
)

func newTeamView(a fyne.App, now func() time.Time) *teamView {
	v := &teamView{
		window: a.NewWindow(lang.L("Team sessions")), now: now,
		periods: []recentPeriod{
			{lang.L("Last 24 hours"), 24 * time.Hour},
			{lang.L("Last 7 days"), 7 * 24 * time.Hour},
			{lang.L("Last 30 days"), 30 * 24 * time.Hour},
		},
		chart:      newBarChart(),
		noCase:     newSessionList(recentSessionRow, lang.L("Every session reached a case.")),
		unresolved: newSessionList(recentSessionRow, lang.L("None in this period.")),
	}
	for _, l := range []*sessionList{v.noCase, v.unresolved} {
		l.onOpen = func(d SessionDetails) { v.onOpen(d) }
		l.onCancel = func() { v.onCancel() }
	}
	top := container.NewVBox(v.toolbar(), v.status(), v.totals(), v.charts())
	lists := container.NewGridWithColumns(2,
		container.NewBorder(heading(lang.L("Sessions that never reached a case")), nil, nil, nil, v.noCase.content),
		container.NewBorder(heading(lang.L("Cases resolved while a session was unresolved")), nil, nil, nil, v.unresolved.content))
	v.window.SetContent(container.NewPadded(container.NewBorder(top, nil, nil, nil, lists)))
	v.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			v.window.Close()
		}
	})
	v.window.Resize(fyne.NewSize(900, 640))
	return v
}

// toolbar is the heading with refresh and export, and under it the period and the two filters.
func (v *teamView) toolbar() fyne.CanvasObject {
	labels := make([]string, len(v.periods))
	for i, p := range v.periods {
		labels[i] = p.label
	}
	v.period = widget.NewSelect(labels, func(string) { v.onLoad(v.chosenPeriod()) })
	v.technician = widget.NewSelect([]string{lang.L("All technicians")}, func(string) { v.apply() })
	v.technician.SetSelectedIndex(0)
	v.outcome = widget.NewSelect([]string{lang.L("All outcomes"), lang.L("Resolved only"), lang.L("Unresolved only")}, func(string) { v.apply() })
	v.outcome.SetSelectedIndex(outcomeAll)
	v.refresh = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { v.onLoad(v.chosenPeriod()) })
	v.export = widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DocumentSaveIcon(), v.exportCSV)
	v.export.Disable()
	title := heading(lang.L("Team sessions"))
	title.SizeName = theme.SizeNameSubHeadingText
	first := container.NewBorder(nil, nil, title, container.NewHBox(v.refresh, v.export))
	return container.NewVBox(first, container.NewGridWithColumns(3, v.period, v.technician, v.outcome))
}

func (v *teamView) status() fyne.CanvasObject {
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { v.onCancel() })
	v.progress = container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite())
	v.progress.Hide()
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.DangerImportance
	v.problem.Truncation = fyne.TextTruncateEllipsis
	v.problem.Hide()
	v.note = widget.NewLabel("")
	v.note.Importance = widget.SuccessImportance
	v.note.Truncation = fyne.TextTruncateEllipsis
	v.note.Hide()
	return container.NewVBox(v.progress, v.problem, v.note)
}

// totals are the three numbers: sessions, how many resolved, and the median active time.
func (v *teamView) totals() fyne.CanvasObject {
	stat := func(name string) (*widget.Label, fyne.CanvasObject) {
		value := widget.NewLabelWithStyle("—", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		value.SizeName = theme.SizeNameSubHeadingText
		caption := widget.NewLabel(name)
		caption.SizeName = theme.SizeNameCaptionText
		return value, container.NewVBox(caption, value)
	}
	var count, resolved, median fyne.CanvasObject
	v.count, count = stat(lang.L("Sessions"))
	v.resolved, resolved = stat(lang.L("Resolved sessions"))
	v.median, median = stat(lang.L("Median active time"))
	return container.NewGridWithColumns(3, count, resolved, median)
}

// charts are the sessions of each day beside the median active time of each technician.
func (v *teamView) charts() fyne.CanvasObject {
	v.medians = container.NewVBox()
	perDay := container.NewBorder(heading(lang.L("Sessions per day")), nil, nil, nil, v.chart.content)
	perTech := container.NewBorder(heading(lang.L("Median active time by technician")), nil, nil, nil, container.NewVScroll(v.medians))
	return container.NewGridWithColumns(2, perDay, perTech)
}

// start selects the first period, which loads it.
func (v *teamView) start() { v.period.SetSelectedIndex(0) }

func (v *teamView) chosenPeriod() time.Duration {
	for _, p := range v.periods {
		if p.label == v.period.Selected {
			return p.span
		}
	}
	return v.periods[0].span
}

func (v *teamView) setBusy() {
	v.problem.Hide()
	v.note.Hide()
	v.progress.Show()
}

// afterLoad shows the sessions of a period, or in one line why there are none.
func (v *teamView) afterLoad(ctx context.Context, span time.Duration, rows []SessionDetails, err error) {
	v.progress.Hide()
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		v.setProblem(lang.L("Loading was cancelled."))
	case err != nil:
		v.setProblem(fmt.Sprintf(lang.L("Could not load the sessions: %s"), err))
	default:
		v.all, v.span = rows, span
		v.listTechnicians()
		v.apply()
	}
}

func (v *teamView) setProblem(text string) {
	v.problem.SetText(text)
	v.problem.Show()
}

// listTechnicians offers the technicians of the sessions loaded, keeping the one chosen if it is
// still among them.
func (v *teamView) listTechnicians() {
	var names []string
	for _, d := range v.all {
		if d.Technician != "" && !slices.Contains(names, d.Technician) {
			names = append(names, d.Technician)
		}
	}
	slices.Sort(names)
	chosen := v.technician.Selected
	v.technician.SetOptions(append([]string{lang.L("All technicians")}, names...))
	if slices.Contains(names, chosen) {
		v.technician.SetSelected(chosen)
		return
	}
	v.technician.SetSelectedIndex(0)
}

// apply filters the sessions loaded and shows them everywhere.
func (v *teamView) apply() {
	if v.technician == nil || v.outcome == nil || v.medians == nil {
		return // still being built
	}
	technician := ""
	if v.technician.SelectedIndex() > 0 {
		technician = v.technician.Selected
	}
	v.shown = filterTeam(v.all, technician, v.outcome.SelectedIndex())
	t := teamTotals(v.shown)
	v.count.SetText(fmt.Sprint(t.sessions))
	v.resolved.SetText("—")
	v.median.SetText("—")
	if t.sessions > 0 {
		v.resolved.SetText(fmt.Sprintf(lang.L("%d%%"), t.resolvedPercent))
		v.median.SetText(hms(t.medianActive))
	}
	v.chart.set(dayBars(v.shown, v.now(), v.span))
	v.showMedians()
	v.noCase.setRows(filterSessions(v.shown, func(d SessionDetails) bool { return d.CaseNumber == "" }))
	v.unresolved.setRows(filterSessions(v.shown, func(d SessionDetails) bool { return d.CaseResolved && !d.Resolved }))
	setEnabled(v.export, len(v.shown) > 0)
}

// showMedians is the small table of each technician's sessions and median active time.
func (v *teamView) showMedians() {
	v.medians.RemoveAll()
	cell := func(text string, bold bool) *widget.Label {
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	v.medians.Add(container.NewGridWithColumns(3, cell(lang.L("Technician"), true), cell(lang.L("Sessions"), true), cell(lang.L("Median"), true)))
	for _, m := range technicianMedians(v.shown) {
		v.medians.Add(container.NewGridWithColumns(3, cell(orDash(m.technician), false), cell(fmt.Sprint(m.sessions), false), cell(hms(m.median), false)))
	}
}

func (v *teamView) exportCSV() {
	name := fmt.Sprintf("team-sessions-%s.csv", v.now().Format("2006-01-02"))
	v.onExport(name, TeamCSV(v.shown))
}

// exported says where the CSV went, or why it did not.
func (v *teamView) exported(where string, err error) {
	if err != nil {
		v.setProblem(fmt.Sprintf(lang.L("Could not export: %s"), err))
		return
	}
	v.problem.Hide()
	v.note.SetText(fmt.Sprintf(lang.L("Exported to %s"), where))
	v.note.Show()
}

// showTeam opens Team sessions, or brings it to the front.
func (s *Shell) showTeam() {
	if s.svc.Team == nil {
		return
	}
	if s.account.Username == "" {
		s.Show() // the sign-in comes first
		return
	}
	if s.tools.team == nil {
		v := newTeamView(s.app, func() time.Time { return s.now() })
		v.onLoad = s.loadTeam
		v.onCancel = s.tools.teamOp.stop
		v.onOpen = s.openSession
		v.onExport = s.exportTeam
		v.window.SetOnClosed(func() {
			s.tools.teamOp.stop()
			s.tools.team = nil
		})
		s.tools.team = v
		v.start()
	}
	s.tools.team.window.Show()
	s.tools.team.window.RequestFocus()
}

func (s *Shell) loadTeam(period time.Duration) {
	v := s.tools.team
	op := &s.tools.teamOp
	ctx := op.begin(2 * time.Minute)
	v.setBusy()
	s.async(func() {
		rows, err := s.svc.Team.Sessions(ctx, period)
		fyne.Do(func() {
			if op.current(ctx) && s.tools.team == v {
				v.afterLoad(ctx, period, rows, err)
			}
		})
	})
}

// exportTeam asks where to save the CSV, then writes it off the UI goroutine.
func (s *Shell) exportTeam(fileName string, data []byte) {
	v := s.tools.team
	s.tools.saveFile(v.window, fileName, func(w fyne.URIWriteCloser, err error) {
		switch {
		case err != nil:
			v.exported("", err)
			return
		case w == nil:
			return // the technician changed their mind
		}
		s.async(func() {
			_, err := w.Write(data)
			err = errors.Join(err, w.Close())
			fyne.Do(func() {
				if s.tools.team == v {
					v.exported(w.URI().Name(), err)
				}
			})
		})
	})
}

// saveFileDialog asks where to save a file, suggesting its name, in the usual dialog.
func saveFileDialog(parent fyne.Window, fileName string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, parent)
	d.SetFileName(fileName)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}
