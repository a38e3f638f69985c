package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// WhenShown calls report once the app's event loop runs and ready is closed (the first screen has
// its content): the frame that shows it is drawn at the loop's next 60 Hz tick. It serves the
// start-up measurement (scripts/startup.sh), which cannot watch pixels instead: reading a window back
// (Capture) gives a blank front buffer under Xvfb's software OpenGL.
func WhenShown(a fyne.App, ready <-chan struct{}, report func(time.Time)) {
	started := make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	go func() {
		<-started
		<-ready
		fyne.DoAndWait(func() {}) // everything queued before, the content included, has been applied
		report(time.Now())
	}()
}
