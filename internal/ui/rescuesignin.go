package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rescueSignIn is the one-time Rescue sign-in, over the window: e-mail and password, the
// technician's SSO ID, or an API token from the Admin Center. What is typed is used for one
// request and then cleared; only the auth code Rescue returns is kept, in the keyring.
type rescueSignIn struct {
	popup *widget.PopUp
	body  *fyne.Container

	method   *widget.RadioGroup
	email    *widget.Entry
	password *widget.Entry
	ssoID    *widget.Entry
	token    *widget.Entry
	problem  *widget.Label
	progress *widget.ProgressBarInfinite
	submit   *widget.Button
	rows     map[string]*fyne.Container

	onSubmit func(RescueCredentials)
	onCancel func()
}

// The sign-in methods, as the radio group names them.
func methodEmail() string { return lang.L("E-mail and password") }
func methodSSO() string   { return lang.L("SSO ID") }
func methodToken() string { return lang.L("API token") }

func newRescueSignIn(canvas fyne.Canvas, env Environment, sso bool) *rescueSignIn {
	r := &rescueSignIn{rows: map[string]*fyne.Container{}}
	r.email = widget.NewEntry()
	r.email.SetPlaceHolder("technician@example.com")
	r.password = widget.NewPasswordEntry()
	r.ssoID = widget.NewEntry()
	r.token = widget.NewPasswordEntry()
	for _, e := range []*widget.Entry{r.email, r.password, r.ssoID, r.token} {
		e.OnSubmitted = func(string) { r.send() }
	}
	r.rows[methodEmail()] = container.NewVBox(labelled(lang.L("Rescue e-mail"), r.email), labelled(lang.L("Password"), r.password))
	r.rows[methodSSO()] = container.NewVBox(labelled(lang.L("Your SSO ID"), r.ssoID))
	r.rows[methodToken()] = container.NewVBox(labelled(lang.L("API token"), r.token))
	methods := []string{methodEmail()}
	if sso {
		methods = append(methods, methodSSO())
	}
	methods = append(methods, methodToken())
	r.method = widget.NewRadioGroup(methods, r.choose)
	r.method.Horizontal = true
	r.method.Required = true

	r.problem = widget.NewLabel("")
	r.problem.Importance = widget.DangerImportance
	r.problem.Wrapping = fyne.TextWrapWord
	r.problem.Hide()
	r.progress = widget.NewProgressBarInfinite()
	r.progress.Hide()
	r.progress.Stop()
	r.submit = widget.NewButtonWithIcon(lang.L("Sign in to Rescue"), theme.LoginIcon(), r.send)
	r.submit.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { r.onCancel() })

	intro := widget.NewLabel(lang.L("Sign in to LogMeIn Rescue once. Only the auth code Rescue returns is kept, in this computer's keyring; your password is not."))
	intro.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Rescue sign-in"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, r.method)
	for _, m := range methods {
		body.Add(r.rows[m])
	}
	if env.Sandbox {
		hint := widget.NewLabel(lang.L("Sandbox: camille, jordan or priya @contoso-helpdesk.example, password sandbox-<name>."))
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.LowImportance
		body.Add(hint)
	}
	body.Add(r.problem)
	body.Add(r.progress)
	body.Add(container.NewHBox(layout.NewSpacer(), cancel, r.submit))
	r.body = body
	r.popup = widget.NewModalPopUp(body, canvas)
	r.method.SetSelected(methodEmail())
	return r
}

// choose shows the fields of one method.
func (r *rescueSignIn) choose(method string) {
	for m, row := range r.rows {
		row.Hidden = m != method
	}
	r.problem.Hide()
	r.fit()
}

// fit sizes the form to its content at a comfortable width.
func (r *rescueSignIn) fit() {
	if r.popup == nil {
		return
	}
	r.popup.Resize(fyne.NewSize(480, r.body.MinSize().Height))
	r.popup.Refresh()
}

// credentials are the typed values of the chosen method only.
func (r *rescueSignIn) credentials() RescueCredentials {
	switch r.method.Selected {
	case methodSSO():
		return RescueCredentials{SSOID: r.ssoID.Text}
	case methodToken():
		return RescueCredentials{Token: r.token.Text}
	}
	return RescueCredentials{Email: r.email.Text, Password: r.password.Text}
}

// send checks that the chosen method's fields are filled, then hands them on.
func (r *rescueSignIn) send() {
	c := r.credentials()
	if c.Email == "" && c.SSOID == "" && c.Token == "" || c.Email != "" && c.Password == "" {
		r.showProblem(lang.L("Fill in the fields of the chosen method."))
		return
	}
	r.setBusy(true)
	r.onSubmit(c)
}

func (r *rescueSignIn) setBusy(busy bool) {
	if busy {
		r.problem.Hide()
		r.submit.Disable()
		r.progress.Show()
		r.progress.Start()
		return
	}
	r.progress.Stop()
	r.progress.Hide()
	r.submit.Enable()
}

func (r *rescueSignIn) showProblem(text string) {
	r.setBusy(false)
	r.problem.SetText(text)
	r.problem.Show()
	r.fit()
}

// show opens the form with the first field focused.
func (r *rescueSignIn) show(c fyne.Canvas) {
	r.fit()
	r.popup.Show()
	c.Focus(r.email)
}

// close hides the form and forgets what was typed in it.
func (r *rescueSignIn) close() {
	r.password.SetText("")
	r.token.SetText("")
	r.setBusy(false)
	r.popup.Hide()
}

func labelled(label string, field fyne.CanvasObject) *fyne.Container {
	return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(140, field.MinSize().Height), widget.NewLabel(label)), nil, field)
}
