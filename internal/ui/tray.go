package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// trayMenu is the tray icon's menu. It is a pure function of its actions so that a test can read its
// labels and invoke each item.
func trayMenu(show, quit func()) *fyne.Menu {
	open := fyne.NewMenuItem(lang.L("Open Rescue Companion"), show)
	quitItem := fyne.NewMenuItem(lang.L("Quit"), quit)
	quitItem.IsQuit = true
	return fyne.NewMenu(lang.L("Rescue Companion"), open, fyne.NewMenuItemSeparator(), quitItem)
}
