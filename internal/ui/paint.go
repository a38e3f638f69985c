package ui

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
)

// WhenPainted calls report once the window shows something: after ready is closed and the app has
// started, it reads the window's frame back every few milliseconds until it is no longer blank.
// It measures start-up (see scripts/startup.sh); it costs nothing unless called.
func WhenPainted(a fyne.App, w fyne.Window, ready <-chan struct{}, report func(time.Time)) {
	started := make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	go func() {
		<-started
		<-ready
		for {
			var img image.Image
			fyne.DoAndWait(func() { img = w.Canvas().Capture() })
			if !blank(img) {
				report(time.Now())
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
}

// blank reports whether every pixel of a coarse grid has the same colour.
func blank(img image.Image) bool {
	if img == nil {
		return true
	}
	b := img.Bounds()
	if b.Empty() {
		return true
	}
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, a0 := first.RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, al := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bl != b0 || al != a0 {
				return false
			}
		}
	}
	return true
}
