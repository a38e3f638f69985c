package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeActions are what the home screen's buttons do.
type homeActions struct {
	hide func()
	quit func()
}

// newHome is the first screen: who the app is, where it is connected, and the way out.
func newHome(env Environment, act homeActions) fyne.CanvasObject {
	icon := canvas.NewImageFromResource(AppIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))

	title := widget.NewLabelWithStyle(lang.L("Rescue Companion"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabel(lang.L("Your Rescue sessions, joined to your Dynamics cases."))
	tagline.Wrapping = fyne.TextWrapWord
	header := container.NewBorder(nil, nil, icon, nil, container.NewVBox(title, tagline))

	where := widget.NewForm(
		widget.NewFormItem(lang.L("Organisation"), valueLabel(env.Organisation)),
		widget.NewFormItem(lang.L("Dynamics"), valueLabel(env.DynamicsURL)),
		widget.NewFormItem(lang.L("Rescue"), valueLabel(env.RescueEndpoint)),
	)
	next := widget.NewLabel(lang.L("Sign in to Dynamics to see your open cases."))
	next.Importance = widget.LowImportance
	next.Wrapping = fyne.TextWrapWord

	hide := widget.NewButtonWithIcon(lang.L("Hide to tray"), theme.VisibilityOffIcon(), act.hide)
	quit := widget.NewButtonWithIcon(lang.L("Quit"), theme.LogoutIcon(), act.quit)
	buttons := container.NewHBox(layout.NewSpacer(), hide, quit)

	body := container.NewVBox(header, widget.NewSeparator(), widget.NewCard("", lang.L("Connected to"), where), next)
	content := container.NewBorder(nil, buttons, nil, nil, body)
	if env.Sandbox {
		content = container.NewBorder(sandboxBanner(), nil, nil, nil, container.NewPadded(content))
	} else {
		content = container.NewPadded(content)
	}
	return content
}

// sandboxBanner makes it impossible to mistake sample data for a real organisation.
func sandboxBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameWarning))
	text := canvas.NewText(lang.L("Sandbox: sample data, nothing leaves this computer"), color.Black)
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(text))
}

func valueLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Truncation = fyne.TextTruncateEllipsis
	l.Selectable = true
	return l
}
