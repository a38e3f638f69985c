package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// toolWindows are Settings, Diagnostics and Team sessions, each while it is open, and the
// background work of each.
type toolWindows struct {
	settings *settingsView
	diag     *diagnosticsView
	team     *teamView

	settingsOp, diagOp, teamOp operation

	// saveFile asks where to save a file; done gets nil and nil when the technician cancels.
	saveFile func(parent fyne.Window, fileName string, done func(fyne.URIWriteCloser, error))
}

// tool is one window of the tools menu.
type tool struct {
	offered bool
	label   string
	key     fyne.KeyName
	open    func()
}

// toolList is the windows in menu order; a window whose service is missing is not offered.
func (s *Shell) toolList() []tool {
	return []tool{
		{s.svc.Team != nil, lang.L("Team sessions"), fyne.KeyL, s.showTeam},
		{s.svc.Settings != nil, lang.L("Settings…"), fyne.KeyComma, s.showSettings},
		{s.svc.Diagnostics != nil, lang.L("Diagnostics"), fyne.KeyD, s.showDiagnostics},
	}
}

// wireTools offers the windows whose service is there: in a "⋯" menu at the end of the cases'
// toolbar (one button, so the toolbar keeps its room in French), in the tray, and on the
// keyboard: Ctrl+L Team sessions, Ctrl+, Settings, Ctrl+D Diagnostics (Cmd on macOS).
func (s *Shell) wireTools() {
	s.tools.saveFile = saveFileDialog
	s.cases.onMore = s.showToolMenu
	s.cases.offerMore(len(s.toolItems(true)) > 0)
	for _, t := range s.toolList() {
		if t.offered {
			open := t.open
			s.window.Canvas().AddShortcut(shortcut(t.key), func(fyne.Shortcut) { open() })
		}
	}
}

// toolItems are the menu items of the windows offered; withKeys shows their shortcuts, which
// tray menus do not.
func (s *Shell) toolItems(withKeys bool) []*fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, t := range s.toolList() {
		if !t.offered {
			continue
		}
		item := fyne.NewMenuItem(t.label, t.open)
		if withKeys {
			item.Shortcut = shortcut(t.key)
		}
		items = append(items, item)
	}
	return items
}

// showToolMenu opens the "⋯" menu under its button.
func (s *Shell) showToolMenu() {
	more := s.cases.more
	widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("", s.toolItems(true)...), s.window.Canvas(),
		fyne.NewPos(0, more.Size().Height), more)
}

func shortcut(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}
