package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signInScreen asks the technician to sign in to Dynamics. It shows one of three states: the choice
// of sign-in, a wait for the browser with a way to cancel, and a device code to type elsewhere.
type signInScreen struct {
	content fyne.CanvasObject

	choose  *fyne.Container
	waiting *fyne.Container
	device  *fyne.Container

	errorText  *widget.Label
	waitText   *widget.Label
	userCode   *widget.Label
	verifyLink *widget.Hyperlink
	codeCopied *widget.Label

	onSignIn     func()
	onDeviceCode func()
	onCancel     func()
	onCopy       func(string)
	onOpenURL    func(string)
}

func newSignInScreen(env Environment) *signInScreen {
	s := &signInScreen{}
	s.errorText = widget.NewLabel("")
	s.errorText.Importance = widget.DangerImportance
	s.errorText.Alignment = fyne.TextAlignCenter
	s.errorText.Hide()

	signIn := widget.NewButtonWithIcon(lang.L("Sign in with Microsoft"), theme.LoginIcon(), func() { s.onSignIn() })
	signIn.Importance = widget.HighImportance
	deviceCode := widget.NewButton(lang.L("Use a code on another device"), func() { s.onDeviceCode() })
	deviceCode.Importance = widget.LowImportance
	s.choose = container.NewVBox(signIn, deviceCode)

	s.waitText = widget.NewLabel(lang.L("Finish signing in in your browser…"))
	s.waitText.Alignment = fyne.TextAlignCenter
	s.waiting = container.NewVBox(widget.NewProgressBarInfinite(), s.waitText, s.cancelButton())
	s.waiting.Hide()

	s.device = s.buildDeviceCode()
	s.device.Hide()

	title := widget.NewLabelWithStyle(lang.L("Sign in to Dynamics"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	explain := widget.NewLabel(lang.L("Your open cases appear here once you are signed in."))
	explain.Alignment = fyne.TextAlignCenter
	org := widget.NewLabelWithStyle(env.Organisation, fyne.TextAlignCenter, fyne.TextStyle{})

	icon := canvas.NewImageFromResource(AppIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(72))
	box := container.NewVBox(icon, title, org, explain, s.errorText, s.choose, s.waiting, s.device)
	s.content = container.NewCenter(box)
	return s
}

func (s *signInScreen) buildDeviceCode() *fyne.Container {
	intro := widget.NewLabel(lang.L("On any device, open this page and enter the code:"))
	intro.Alignment = fyne.TextAlignCenter
	s.verifyLink = widget.NewHyperlink("", nil)
	s.verifyLink.Alignment = fyne.TextAlignCenter
	// Through the app's one browser opener (https or loopback only), not the toolkit's own.
	s.verifyLink.OnTapped = func() { s.onOpenURL(s.verifyLink.Text) }
	s.userCode = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	s.userCode.SizeName = theme.SizeNameHeadingText
	s.codeCopied = widget.NewLabel(lang.L("Copied"))
	s.codeCopied.Importance = widget.SuccessImportance
	s.codeCopied.Alignment = fyne.TextAlignCenter
	s.codeCopied.Hide()
	copyCode := widget.NewButtonWithIcon(lang.L("Copy code"), theme.ContentCopyIcon(), func() {
		s.onCopy(s.userCode.Text)
		s.codeCopied.Show()
	})
	return container.NewVBox(intro, s.verifyLink, s.userCode, container.NewCenter(copyCode), s.codeCopied,
		widget.NewProgressBarInfinite(), s.cancelButton())
}

func (s *signInScreen) cancelButton() fyne.CanvasObject {
	return container.NewCenter(widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { s.onCancel() }))
}

// showChoice is the resting state, with the last error if there was one.
func (s *signInScreen) showChoice(errText string) {
	s.errorText.SetText(errText)
	s.errorText.Hidden = errText == ""
	s.errorText.Refresh()
	s.choose.Show()
	s.waiting.Hide()
	s.device.Hide()
}

// showWaiting says the browser (or the picker) is open and the app is waiting for it.
func (s *signInScreen) showWaiting() {
	s.errorText.Hide()
	s.choose.Hide()
	s.device.Hide()
	s.waiting.Show()
}

// showDeviceCode shows the code to type on another device.
func (s *signInScreen) showDeviceCode(dc DeviceCode) {
	s.userCode.SetText(dc.UserCode)
	s.verifyLink.SetText(dc.VerificationURL)
	_ = s.verifyLink.SetURLFromString(dc.VerificationURL)
	s.codeCopied.Hide()
	s.errorText.Hide()
	s.choose.Hide()
	s.waiting.Hide()
	s.device.Show()
}
