package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// diagnosticsView is the Diagnostics window: the checks the doctor command runs, one line each
// with what to do, a Fix for the problems the app can repair, and the creation of the Dataverse
// tables that are missing, after a confirmation. Each runs with progress and a Cancel. Escape
// closes it.
type diagnosticsView struct {
	window  fyne.Window
	results []CheckResult
	busy    bool

	run       *widget.Button
	fix       *widget.Button
	provision *widget.Button
	rows      *fyne.Container
	empty     *widget.Label
	summary   *widget.Label
	progress  *fyne.Container
	step      *widget.Label
	problem   *widget.Label
	outcome   *widget.Label

	onRun       func()
	onFix       func()
	onProvision func()
	onCancel    func()
}

func newDiagnosticsView(a fyne.App) *diagnosticsView {
	v := &diagnosticsView{window: a.NewWindow(lang.L("Diagnostics"))}
	v.run = widget.NewButtonWithIcon(lang.L("Run checks"), theme.MediaPlayIcon(), func() { v.onRun() })
	v.run.Importance = widget.HighImportance
	v.fix = widget.NewButtonWithIcon(lang.L("Fix"), theme.SettingsIcon(), func() { v.onFix() })
	v.fix.Hide()
	v.provision = widget.NewButtonWithIcon(lang.L("Create missing tables"), theme.ContentAddIcon(), v.confirmProvision)
	intro := widget.NewLabel(lang.L("Checks that session data can reach Dynamics: settings, sign-in, Rescue, and the Dataverse tables."))
	intro.Wrapping = fyne.TextWrapWord

	v.step = widget.NewLabel("")
	v.step.Truncation = fyne.TextTruncateEllipsis
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { v.onCancel() })
	v.progress = container.NewVBox(container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite()), v.step)
	v.progress.Hide()
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.DangerImportance
	v.problem.Truncation = fyne.TextTruncateEllipsis
	v.problem.Hide()
	v.outcome = widget.NewLabel("")
	v.outcome.Wrapping = fyne.TextWrapWord
	v.outcome.Hide()
	v.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.summary.Hide()

	v.rows = container.NewVBox()
	v.empty = widget.NewLabel(lang.L("Run the checks to see where things stand."))
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Wrapping = fyne.TextWrapWord
	tools := container.NewHBox(v.run, v.fix, layout.NewSpacer(), v.provision)
	top := container.NewVBox(intro, tools, v.progress, v.problem, v.outcome, v.summary)
	list := container.NewStack(container.NewVScroll(v.rows), middle(v.empty))
	closeButton := widget.NewButton(lang.L("Close"), v.window.Close)
	v.window.SetContent(container.NewPadded(container.NewBorder(top, container.NewHBox(layout.NewSpacer(), closeButton), nil, nil, list)))
	v.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			v.window.Close()
		}
	})
	v.window.Resize(fyne.NewSize(720, 520))
	return v
}

// setBusy shows the progress of one operation; the buttons wait for it.
func (v *diagnosticsView) setBusy(step string) {
	v.busy = true
	v.step.SetText(step)
	v.progress.Show()
	v.problem.Hide()
	v.outcome.Hide()
	v.updateButtons()
}

func (v *diagnosticsView) done() {
	v.busy = false
	v.progress.Hide()
	v.updateButtons()
}

func (v *diagnosticsView) updateButtons() {
	for _, b := range []*widget.Button{v.run, v.fix, v.provision} {
		setEnabled(b, !v.busy)
	}
	setShown(v.fix, fixable(v.results))
}

// fixable is true when a problem found is one the app can repair.
func fixable(results []CheckResult) bool {
	for _, r := range results {
		if !r.OK && r.Fixable {
			return true
		}
	}
	return false
}

// afterChecks shows the checks' results, and failure (a format for the error) when there is
// one; a cancelled operation, or one that failed with no results, keeps the results before.
func (v *diagnosticsView) afterChecks(ctx context.Context, results []CheckResult, err error, failure string) {
	v.done()
	if errors.Is(ctx.Err(), context.Canceled) {
		v.setProblem(lang.L("Cancelled."))
		return
	}
	if err == nil || len(results) > 0 {
		v.setResults(results)
	}
	if err != nil {
		v.setProblem(fmt.Sprintf(failure, err))
	}
}

// afterProvision says what was created.
func (v *diagnosticsView) afterProvision(ctx context.Context, created []string, err error) {
	v.done()
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		v.setProblem(lang.L("Cancelled."))
	case err != nil:
		v.setProblem(fmt.Sprintf(lang.L("Could not create the tables: %s"), err))
	case len(created) == 0:
		v.setOutcome(lang.L("Nothing was missing."))
	default:
		v.setOutcome(fmt.Sprintf(lang.L("Created: %s. Run the checks again to see where things stand."), strings.Join(created, ", ")))
	}
}

func (v *diagnosticsView) setProblem(text string) {
	v.problem.SetText(text)
	v.problem.Show()
}

func (v *diagnosticsView) setOutcome(text string) {
	v.outcome.SetText(text)
	v.outcome.Show()
}

// setResults lists the checks in the order they ran, each with its icon and what to do.
func (v *diagnosticsView) setResults(results []CheckResult) {
	v.results = results
	v.rows.RemoveAll()
	var ok, warnings, errs int
	for _, r := range results {
		switch {
		case r.OK:
			ok++
		case r.Warning:
			warnings++
		default:
			errs++
		}
		v.rows.Add(checkRow(r))
	}
	v.summary.SetText(fmt.Sprintf(lang.L("Passed: %d · Warnings: %d · Problems: %d"), ok, warnings, errs))
	v.summary.Show()
	setShown(v.empty, len(results) == 0)
	v.updateButtons()
}

// checkRow is one check: an icon, what was checked and found, and under it what to do.
func checkRow(r CheckResult) fyne.CanvasObject {
	var icon fyne.Resource = theme.NewErrorThemedResource(theme.ErrorIcon())
	switch {
	case r.OK:
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case r.Warning:
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
	}
	line := widget.NewLabel(joinParts(r.Name, r.Detail))
	line.Truncation = fyne.TextTruncateEllipsis
	text := container.NewVBox(line)
	if !r.OK && r.Fix != "" {
		fix := widget.NewLabel(r.Fix)
		fix.Wrapping = fyne.TextWrapWord
		fix.SizeName = theme.SizeNameCaptionText
		text.Add(fix)
	}
	return container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(icon)), nil, text)
}

// confirmProvision asks before anything is created in Dynamics.
func (v *diagnosticsView) confirmProvision() {
	message := widget.NewLabel(lang.L("This creates the session table, its columns and its key in Dynamics where they are missing; nothing that exists is changed. It needs a Dynamics role that may customise the system."))
	message.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Create missing tables"), lang.L("Create"), lang.L("Cancel"), message,
		func(yes bool) {
			if yes {
				v.onProvision()
			}
		}, v.window)
	d.Resize(fyne.NewSize(460, 220))
	d.Show()
}

// showDiagnostics opens the Diagnostics window, or brings it to the front. It needs no sign-in:
// a failed sign-in is one of the things it looks into.
func (s *Shell) showDiagnostics() {
	if s.svc.Diagnostics == nil {
		return
	}
	if s.tools.diag == nil {
		v := newDiagnosticsView(s.app)
		v.onRun = s.runChecks
		v.onFix = s.fixProblems
		v.onProvision = s.provisionTables
		v.onCancel = s.tools.diagOp.stop
		v.window.SetOnClosed(func() {
			s.tools.diagOp.stop()
			s.tools.diag = nil
		})
		s.tools.diag = v
	}
	s.tools.diag.window.Show()
	s.tools.diag.window.RequestFocus()
}

func (s *Shell) runChecks() {
	v, ctx := s.beginDiagnostics(lang.L("Running the checks…"), 2*time.Minute)
	s.async(func() {
		results, err := s.svc.Diagnostics.Run(ctx)
		s.endDiagnostics(ctx, v, func() { v.afterChecks(ctx, results, err, lang.L("The checks could not run: %s")) })
	})
}

func (s *Shell) fixProblems() {
	v, ctx := s.beginDiagnostics(lang.L("Fixing…"), 10*time.Minute)
	s.async(func() {
		results, err := s.svc.Diagnostics.Fix(ctx, s.diagnosticsStep(ctx, v))
		s.endDiagnostics(ctx, v, func() { v.afterChecks(ctx, results, err, lang.L("Could not fix: %s")) })
	})
}

func (s *Shell) provisionTables() {
	v, ctx := s.beginDiagnostics(lang.L("Creating the missing tables…"), 10*time.Minute)
	s.async(func() {
		created, err := s.svc.Diagnostics.Provision(ctx, s.diagnosticsStep(ctx, v))
		s.endDiagnostics(ctx, v, func() { v.afterProvision(ctx, created, err) })
	})
}

func (s *Shell) beginDiagnostics(step string, timeout time.Duration) (*diagnosticsView, context.Context) {
	v := s.tools.diag
	ctx := s.tools.diagOp.begin(timeout)
	v.setBusy(step)
	return v, ctx
}

// endDiagnostics shows an answer on the window that asked for it, if it is still open and wants it.
func (s *Shell) endDiagnostics(ctx context.Context, v *diagnosticsView, show func()) {
	fyne.Do(func() {
		if s.tools.diagOp.current(ctx) && s.tools.diag == v {
			show()
		}
	})
}

// diagnosticsStep shows each step of a long operation under its progress bar.
func (s *Shell) diagnosticsStep(ctx context.Context, v *diagnosticsView) func(string) {
	return func(step string) {
		fyne.Do(func() {
			if s.tools.diagOp.current(ctx) && s.tools.diag == v && v.busy {
				v.step.SetText(step)
			}
		})
	}
}
