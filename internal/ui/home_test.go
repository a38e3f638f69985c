package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestHomeRendersEachLanguageAndTheme(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
	}{
		{"home/sandbox_en_light.xml", "en", theme.VariantLight},
		{"home/sandbox_fr_dark.xml", "fr", theme.VariantDark},
	} {
		t.Run(c.golden, func(t *testing.T) {
			a := newTestApp(t)
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			w := test.NewTempWindow(t, newHome(sandboxEnv, homeActions{hide: func() {}, quit: func() {}}))
			w.Resize(fyne.NewSize(560, 420))
			test.AssertRendersToMarkup(t, c.golden, w.Canvas())
		})
	}
}

func TestHomeButtonsHideAndQuit(t *testing.T) {
	newTestApp(t)
	var hid, quit int
	home := newHome(sandboxEnv, homeActions{hide: func() { hid++ }, quit: func() { quit++ }})
	w := test.NewTempWindow(t, home)
	w.Resize(fyne.NewSize(560, 420))

	test.Tap(findButton(t, home, "Hide to tray"))
	test.Tap(findButton(t, home, "Quit"))
	if hid != 1 || quit != 1 {
		t.Fatalf("hide %d, quit %d; want one each", hid, quit)
	}
}

func TestHomeWithoutSandboxHasNoBanner(t *testing.T) {
	newTestApp(t)
	env := sandboxEnv
	env.Sandbox = false
	w := test.NewTempWindow(t, newHome(env, homeActions{hide: func() {}, quit: func() {}}))
	w.Resize(fyne.NewSize(560, 420))
	test.AssertRendersToMarkup(t, "home/production_en.xml", w.Canvas())
}

// variantTheme pins the default theme to one variant, whatever the test machine prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return v.Theme.Color(n, v.variant)
}

// findButton walks the tree for the button with the given label.
func findButton(t *testing.T, root fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q", label)
	}
	return found
}

func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walk(child, visit)
		}
	}
}
