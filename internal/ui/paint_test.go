package ui

import (
	"image"
	"image/color"
	"testing"
)

func TestBlankSeesTheFirstDifferentPixel(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	if !blank(img) || !blank(nil) || !blank(image.NewRGBA(image.Rect(0, 0, 0, 0))) {
		t.Fatal("an empty frame is blank")
	}
	img.Set(32, 40, color.White)
	if blank(img) {
		t.Fatal("a frame with a drawn pixel on the grid is not blank")
	}
}

// The start-up trace hears which screen came first: the cached cases, or the sign-in.
func TestReadyNamesTheFirstScreen(t *testing.T) {
	a := newTestApp(t)
	for _, c := range []struct {
		auth  *fakeAuth
		cache *CaseList
		want  string
	}{
		{&fakeAuth{}, nil, "signin"},
		{signedIn(), &CaseList{Cases: sampleCases(), AsOf: asOfTime}, "cached"},
	} {
		var got []string
		s := newShell(a, sandboxEnv, Services{
			Auth: c.auth, Cases: &fakeCases{cached: c.cache}, Links: &fakeLinks{},
			Ready: func(what string) { got = append(got, what) },
		}, syncRun)
		s.start()
		s.Window().Close()
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("ready %v, want [%s]", got, c.want)
		}
	}
}
