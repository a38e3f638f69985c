package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// consoleLight is the Technician Console's status light: a coloured dot and its word.
type consoleLight struct {
	content fyne.CanvasObject
	dot     *canvas.Circle
	label   *widget.Label
	status  Presence
}

func newConsoleLight() *consoleLight {
	l := &consoleLight{dot: canvas.NewCircle(presenceColor(PresenceUnknown)), label: widget.NewLabel("")}
	dot := container.NewGridWrap(fyne.NewSize(12, 12), l.dot)
	l.content = container.NewHBox(container.NewCenter(dot), l.label)
	l.set(PresenceUnknown)
	return l
}

func (l *consoleLight) set(p Presence) {
	l.status = p
	l.dot.FillColor = presenceColor(p)
	l.dot.Refresh()
	l.label.SetText(presenceText(p))
}

// presenceText is the status in words, as the window and the tray show it.
func presenceText(p Presence) string {
	var word string
	switch p {
	case PresenceOnline:
		word = lang.L("Online")
	case PresenceBusy:
		word = lang.L("Busy")
	case PresenceAway:
		word = lang.L("Away")
	case PresenceOffline:
		word = lang.L("Offline")
	default:
		word = lang.L("unknown")
	}
	return fmt.Sprintf(lang.L("Console: %s"), word)
}
