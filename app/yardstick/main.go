// Command yardstick is the measure for the app's start-up time: an empty Fyne window with one label,
// built with the same toolkit, flags and tags, that prints when its first screen is shown, as the app does
// with RESCUE_COMPANION_TRACE_READY set.
package main

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

func main() {
	a := app.NewWithID("com.rescuecompanion.emptyapp")
	w := a.NewWindow("Empty")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(900, 640))
	ready := make(chan struct{})
	close(ready)
	ui.WhenShown(a, ready, func(t time.Time) { fmt.Fprintf(os.Stderr, "shown %d\n", t.UnixNano()) })
	w.ShowAndRun()
}
