package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wrapUpCard is what the case detail shows in place of its tabs when a session of the case has
// closed: the session in short, an internal note to add (pre-filled, editable), whether to resolve
// the case, and Save or Skip. A failed save keeps everything typed and says why in one line.
type wrapUpCard struct {
	content *container.Scroll
	card    *widget.Card
	session LiveSession // SessionID 0 when the card is closed

	summary  map[string]*widget.Label
	loading  *widget.ProgressBarInfinite
	addNote  *widget.Check
	note     *widget.Entry
	resolve  *widget.Check
	save     *widget.Button
	skip     *widget.Button
	progress *widget.ProgressBarInfinite
	problem  *widget.Label

	onSave func(WrapUp)
	onSkip func()
}

// wrapUpFields are the session in short, as the card shows it.
func wrapUpFields() []detailField {
	return []detailField{
		{lang.L("Technician"), func(d SessionDetails) string { return orDash(d.Technician) }},
		{lang.L("Start"), func(d SessionDetails) string { return orDash(formatTime(d.Start)) }},
		{lang.L("Active time"), func(d SessionDetails) string { return hms(d.Active) }},
		{lang.L("Status"), func(d SessionDetails) string { return orDash(d.Status) }},
	}
}

func newWrapUpCard() *wrapUpCard {
	w := &wrapUpCard{summary: map[string]*widget.Label{}}
	form := widget.NewForm()
	for _, f := range wrapUpFields() {
		value := widget.NewLabel("")
		value.Truncation = fyne.TextTruncateEllipsis
		w.summary[f.label] = value
		form.Append(f.label, value)
	}
	w.loading = widget.NewProgressBarInfinite()
	w.note = widget.NewMultiLineEntry()
	w.note.Wrapping = fyne.TextWrapWord
	w.note.SetMinRowsVisible(4)
	w.addNote = widget.NewCheck(lang.L("Add an internal note to the case"), w.noteChecked)
	w.resolve = widget.NewCheck(lang.L("Resolve the case"), nil)
	w.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), w.send)
	w.save.Importance = widget.HighImportance
	w.skip = widget.NewButton(lang.L("Skip"), func() { w.onSkip() })
	w.progress = widget.NewProgressBarInfinite()
	w.problem = widget.NewLabel("")
	w.problem.Importance = widget.DangerImportance
	w.problem.Truncation = fyne.TextTruncateEllipsis

	body := container.NewVBox(w.loading, form, w.addNote, w.note, w.resolve, w.progress, w.problem,
		container.NewHBox(layout.NewSpacer(), w.skip, w.save))
	w.card = widget.NewCard(lang.L("Session ended"), "", body)
	w.content = container.NewVScroll(w.card)
	w.content.Hide()
	w.reset()
	return w
}

// open starts the card for a closed session, from what was typed before if the technician left it
// for another case, else empty until the suggested note arrives.
func (w *wrapUpCard) open(ls LiveSession, draft WrapUp, kept bool) {
	w.reset()
	w.session = ls
	w.card.SetSubTitle(joinParts(ls.CaseNumber, ls.Customer, fmt.Sprintf(lang.L("Session %d"), ls.SessionID)))
	if kept {
		w.addNote.SetChecked(draft.AddNote)
		w.note.SetText(draft.Summary)
		w.resolve.SetChecked(draft.ResolveCase)
	}
	w.loading.Show()
	w.loading.Start()
}

// reset empties the card: the note is wanted by default, resolving the case is not.
func (w *wrapUpCard) reset() {
	w.session = LiveSession{}
	for _, v := range w.summary {
		v.SetText("")
	}
	w.note.SetText("")
	w.addNote.SetChecked(true)
	w.resolve.SetChecked(false)
	w.progress.Stop()
	w.progress.Hide()
	w.loading.Stop()
	w.loading.Hide()
	w.problem.Hide()
	w.save.Enable()
	w.skip.Enable()
}

// fill shows the session in short and puts the suggested note in, unless something is written there.
func (w *wrapUpCard) fill(d SessionDetails, err error, suggested string) {
	w.loading.Stop()
	w.loading.Hide()
	if err != nil {
		w.showProblem(fmt.Sprintf(lang.L("Could not load the session's details: %s"), err))
	} else {
		for _, f := range wrapUpFields() {
			w.summary[f.label].SetText(f.value(d))
		}
	}
	if strings.TrimSpace(w.note.Text) == "" {
		w.note.SetText(suggested)
	}
}

func (w *wrapUpCard) noteChecked(on bool) {
	if on {
		w.note.Enable()
	} else {
		w.note.Disable()
	}
}

// decision is what the card holds now.
func (w *wrapUpCard) decision() WrapUp {
	return WrapUp{
		SessionID: w.session.SessionID, AddNote: w.addNote.Checked,
		Summary: w.note.Text, ResolveCase: w.resolve.Checked,
	}
}

// send hands the decision on, unless the note is wanted and empty.
func (w *wrapUpCard) send() {
	d := w.decision()
	if d.AddNote && strings.TrimSpace(d.Summary) == "" {
		w.showProblem(lang.L("The note is empty: write it, or untick it."))
		return
	}
	w.setBusy(true)
	w.onSave(d)
}

// setBusy shows the save under way; nothing can be sent twice.
func (w *wrapUpCard) setBusy(busy bool) {
	if busy {
		w.problem.Hide()
		w.save.Disable()
		w.skip.Disable()
		w.progress.Show()
		w.progress.Start()
		return
	}
	w.progress.Stop()
	w.progress.Hide()
	w.save.Enable()
	w.skip.Enable()
}

// setProblem ends the save under way and says in one line why it failed.
func (w *wrapUpCard) setProblem(text string) {
	w.setBusy(false)
	w.showProblem(text)
}

func (w *wrapUpCard) showProblem(text string) {
	w.problem.SetText(text)
	w.problem.Show()
}

// isOpen is true while the card holds a session.
func (w *wrapUpCard) isOpen() bool { return w.session.SessionID != 0 }
