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

// casesScreen is "my open cases": search, sort and refresh above a list, and the selected case beside it.
type casesScreen struct {
	content fyne.CanvasObject

	all      []Case
	shown    []Case
	query    string
	order    int
	selected string // case ID, kept across refreshes and searches
	asOf     time.Time

	search   *widget.Entry
	sortBy   *widget.Select
	refresh  *widget.Button
	list     *widget.List
	progress *fyne.Container
	banner   *widget.Label
	empty    *widget.Label
	failure  *fyne.Container
	failText *widget.Label
	detail   *caseDetail
	light    *consoleLight
	recent   *widget.Button
	more     *widget.Button // the menu of the other windows, hidden when none is offered
	toolbar  *fyne.Container
	pending  *widget.Label
	pendRow  *fyne.Container

	onRefresh func()
	onCancel  func()
	onOpen    func(Case)
	onRecent  func()
	onMore    func()
}

// caseTimeLayout is how dates read in both languages: unambiguous and short.
const caseTimeLayout = "2006-01-02 15:04"

func newCasesScreen(now func() time.Time) *casesScreen {
	s := &casesScreen{light: newConsoleLight()}
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Search number, title or customer"))
	s.search.OnChanged = func(q string) { s.query = q; s.apply() }

	sortLabels := []string{lang.L("Last modified"), lang.L("Priority"), lang.L("Case number"), lang.L("Customer")}
	s.sortBy = widget.NewSelect(sortLabels, func(v string) {
		for i, l := range sortLabels {
			if l == v {
				s.order = i
			}
		}
		s.apply()
	})

	s.refresh = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { s.onRefresh() })
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { s.onCancel() })
	s.progress = container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite())
	s.progress.Hide()

	s.banner = widget.NewLabel("")
	s.banner.Importance = widget.WarningImportance
	s.banner.Truncation = fyne.TextTruncateEllipsis
	s.banner.Hide()

	s.list = s.buildList()
	s.empty = widget.NewLabel("")
	s.empty.Alignment = fyne.TextAlignCenter
	s.empty.Wrapping = fyne.TextWrapWord
	s.empty.Hide()
	s.failText = widget.NewLabel("")
	s.failText.Importance = widget.DangerImportance
	s.failText.Wrapping = fyne.TextWrapWord
	s.failText.Alignment = fyne.TextAlignCenter
	retry := widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), func() { s.onRefresh() })
	s.failure = container.NewVBox(s.failText, container.NewCenter(retry))
	s.failure.Hide()

	s.detail = newCaseDetail(func(c Case) { s.onOpen(c) }, now)
	s.recent = widget.NewButtonWithIcon(lang.L("Recent sessions"), theme.HistoryIcon(), func() { s.onRecent() })
	s.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { s.onMore() })
	s.more.Hide()
	s.pending = widget.NewLabel("")
	s.pending.Importance = widget.LowImportance
	s.pendRow = container.NewHBox(layout.NewSpacer(), s.pending) // right under the console light
	s.pendRow.Hide()

	// The sort menu is as wide as its longest choice, in French too, rather than cut.
	sortBox := container.NewGridWrap(fyne.NewSize(200, s.sortBy.MinSize().Height), s.sortBy)
	s.toolbar = container.NewBorder(nil, nil, nil, container.NewHBox(sortBox, s.refresh, s.recent, s.more, s.light.content), s.search)
	left := container.NewStack(s.list, middle(s.empty), middle(s.failure))
	split := container.NewHSplit(left, s.detail.content)
	split.Offset = 0.55
	s.sortBy.SetSelectedIndex(sortModified) // now that the list exists to be sorted
	s.content = container.NewBorder(container.NewVBox(s.toolbar, s.pendRow, s.progress, s.banner), nil, nil, nil, split)
	return s
}

func (s *casesScreen) buildList() *widget.List {
	l := widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("")
			meta.Truncation = fyne.TextTruncateEllipsis
			meta.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(title, meta)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.shown) {
				return
			}
			c := s.shown[id]
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(c.Title)
			row.Objects[1].(*widget.Label).SetText(caseMeta(c))
		},
	)
	l.OnSelected = func(id widget.ListItemID) {
		if id < len(s.shown) {
			s.selected = s.shown[id].ID
			s.detail.show(s.shown[id])
		}
	}
	return l
}

// caseMeta is the second line of a row: number · customer · priority · status · modified.
func caseMeta(c Case) string {
	parts := []string{c.Number}
	for _, p := range []string{c.Customer, c.Priority, c.Status} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if !c.Modified.IsZero() {
		parts = append(parts, c.Modified.Local().Format(caseTimeLayout))
	}
	return strings.Join(parts, " · ")
}

// setCases replaces the list, keeping the search, the order and the selection.
func (s *casesScreen) setCases(cases []Case) {
	s.all = cases
	s.failure.Hide()
	s.apply()
}

// apply filters and sorts, then shows the result or says why there is none.
func (s *casesScreen) apply() {
	s.shown = filterCases(s.all, s.query)
	sortCases(s.shown, s.order)
	s.list.UnselectAll()
	s.list.Refresh()
	switch {
	case len(s.all) == 0:
		s.empty.SetText(lang.L("No open cases. Nice work."))
		s.empty.Show()
	case len(s.shown) == 0:
		s.empty.SetText(fmt.Sprintf(lang.L("No case matches “%s”."), strings.TrimSpace(s.query)))
		s.empty.Show()
	default:
		s.empty.Hide()
	}
	s.reselect()
}

// reselect keeps the selected case selected after the list changed; if it is gone, the detail clears.
func (s *casesScreen) reselect() {
	for i, c := range s.shown {
		if c.ID == s.selected {
			s.list.Select(i)
			return
		}
	}
	s.detail.clear()
}

// selectCase selects a case by ID (from the tray), clearing a search that would hide it.
func (s *casesScreen) selectCase(id string) {
	s.selected = id
	for _, c := range s.shown {
		if c.ID == id {
			s.reselect()
			return
		}
	}
	s.search.SetText("") // OnChanged re-applies, and reselect finds it
}

// offerMore shows the "⋯" menu's button, or hides it, and lays the toolbar out again.
func (s *casesScreen) offerMore(on bool) {
	s.more.Hidden = !on
	s.toolbar.Refresh()
}

// setBusy shows or hides the progress bar and its cancel button.
func (s *casesScreen) setBusy(busy bool) {
	s.progress.Hidden = !busy
	s.progress.Refresh()
	if busy {
		s.refresh.Disable()
	} else {
		s.refresh.Enable()
	}
}

// setBanner shows a one-line notice above the list; empty text hides it.
func (s *casesScreen) setBanner(text string) {
	s.banner.SetText(text)
	s.banner.Hidden = text == ""
	s.banner.Refresh()
}

// setPending says how many writes wait to reach Dynamics; none hides the line.
func (s *casesScreen) setPending(n int) {
	switch {
	case n <= 0:
		s.pendRow.Hide()
		return
	case n == 1:
		s.pending.SetText(fmt.Sprintf(lang.L("%d change waiting to be saved to Dynamics"), n))
	default:
		s.pending.SetText(fmt.Sprintf(lang.L("%d changes waiting to be saved to Dynamics"), n))
	}
	s.pendRow.Show()
}

// setFailure shows a failure in place of the list, when there is no list to show.
func (s *casesScreen) setFailure(text string) {
	s.failText.SetText(text)
	s.empty.Hide()
	s.failure.Show()
}

// middle centres o vertically while giving it the full width, so wrapped text wraps at the pane's
// edge; container.NewCenter would give it its narrowest width, one word a line.
func middle(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(layout.NewSpacer(), o, layout.NewSpacer())
}

// asOf formats when a list was fetched, for banners.
func asOf(t time.Time) string {
	return t.Local().Format("15:04")
}
