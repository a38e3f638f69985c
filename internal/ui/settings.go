package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// settingsView is the Settings window: the settings of the Rescue solution for Dynamics, checked
// with config.Validate as they are typed. Each field shows its own problem under it, Save stays
// disabled while there is one, and a field IT manages is read-only with a mark that says so.
// Escape closes it.
//
// Choices made here:
//   - Beta has no public host: choosing it empties the endpoint unless the settings loaded were
//     Beta's (then IT policy or the technician gave it). An empty endpoint is valid, since
//     config.Normalize fills in its preset; one typed in is checked by config.Validate.
//   - sandbox.ca_file has no field: it is kept while the instance is Sandbox and dropped for any
//     other, where it would be an error nobody could fix here.
//   - The other settings without a field (dynamics.authority, rescue.correlation_field,
//     rescue.pin_validity_minutes) are kept as loaded; a problem with one of them is shown in one
//     line under the form, since only the settings file can fix it, and it also blocks Save.
type settingsView struct {
	window fyne.Window
	loaded SettingsForm // as last loaded or saved: what Revert goes back to

	instanceValue string            // the chosen instance, or the loaded one if it is none of the four
	endpoints     map[string]string // the endpoint last shown for each instance
	filling       bool              // the form is being filled: its change handlers wait
	busy          bool
	valid         bool

	fields   map[string]*settingField // by contract key
	instance *widget.Select
	options  []*settingOption
	password *widget.Entry
	techID   *widget.Label
	techRow  []fyne.CanvasObject

	body     fyne.CanvasObject
	others   *widget.Label // problems with settings that have no field here
	problem  *widget.Label
	retry    *widget.Button
	saved    *widget.Label
	progress *fyne.Container
	save     *widget.Button
	revert   *widget.Button

	onSave   func(SettingsForm)
	onLoad   func()
	onCancel func()
}

// settingField is one setting's row: its label, then its input with the problem, the hint and
// the "managed" mark under it.
type settingField struct {
	key     string
	label   *widget.Label
	entry   *widget.Entry // nil for the instance and the password, which are not plain text
	input   fyne.Disableable
	problem *widget.Label
	mark    fyne.CanvasObject
	cell    *fyne.Container
	value   func(*config.Config) *string
}

// settingOption is one of the four options: a check and its one-line explanation.
type settingOption struct {
	key   string
	check *widget.Check
	mark  fyne.CanvasObject
	value func(*config.Options) *bool
}

// instanceChoice is one instance of the menu.
type instanceChoice struct{ value, label string }

func instanceChoices() []instanceChoice {
	return []instanceChoice{
		{config.InstanceProduction, lang.L("Production")},
		{config.InstanceBeta, lang.L("Beta")},
		{config.InstanceSandbox, lang.L("Sandbox")},
		{config.InstanceCustom, lang.L("Custom")},
	}
}

func newSettingsView(a fyne.App) *settingsView {
	v := &settingsView{window: a.NewWindow(lang.L("Settings")), fields: map[string]*settingField{}}
	// One form for every section, so that all the fields line up under the widest label.
	var cells []fyne.CanvasObject
	for _, section := range []struct {
		title string
		rows  []fyne.CanvasObject
	}{
		{lang.L("LogMeIn Rescue"), v.rescueSection()},
		{lang.L("Microsoft Dynamics 365"), v.dynamicsSection()},
		{lang.L("Options"), v.optionsSection()},
		{lang.L("Dataverse tables"), v.schemaSection()},
		{lang.L("You"), v.technicianSection()},
	} {
		title := container.New(layout.NewCustomPaddedLayout(2*theme.Padding(), 0, 0, 0), heading(section.title))
		cells = append(append(cells, title, layout.NewSpacer()), section.rows...)
	}
	sections := container.New(layout.NewFormLayout(), cells...)
	v.body = container.NewVScroll(container.NewPadded(sections))
	v.body.Hide()
	v.window.SetContent(container.NewPadded(container.NewBorder(nil, v.footer(), nil, nil, v.body)))
	v.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			v.window.Close()
		}
	})
	v.window.Resize(fyne.NewSize(760, 560))
	return v
}

// The sections below return their rows as the form's cells: label, then field.

func (v *settingsView) rescueSection() []fyne.CanvasObject {
	labels := make([]string, 0, 4)
	for _, c := range instanceChoices() {
		labels = append(labels, c.label)
	}
	v.instance = widget.NewSelect(labels, v.instanceChosen)
	instance := v.row("rescue.instance", lang.L("Instance"), v.instance, "", nil)
	endpoint := v.text("rescue.endpoint", lang.L("Endpoint"), "", func(c *config.Config) *string { return &c.Rescue.Endpoint })
	endpoint.entry.SetPlaceHolder("https://…/API")
	company := v.text("rescue.company_id", lang.L("Company ID"), "", func(c *config.Config) *string { return &c.Rescue.CompanyID })
	v.password = widget.NewPasswordEntry()
	v.password.OnChanged = func(string) { v.changed() }
	password := v.row(SSOPasswordKey, lang.L("Company SSO password"), v.password,
		lang.L("Kept in this computer's keyring, never in the settings file."), nil)
	return cellsOf(instance, endpoint, company, password)
}

func (v *settingsView) dynamicsSection() []fyne.CanvasObject {
	url := v.text("dynamics.url", lang.L("Dynamics URL"), "", func(c *config.Config) *string { return &c.Dynamics.URL })
	url.entry.SetPlaceHolder("https://contoso.crm4.dynamics.com")
	tenant := v.text("dynamics.tenant_id", lang.L("Office 365 tenant ID"),
		lang.L("Azure portal → Microsoft Entra ID → Overview → Tenant ID"), func(c *config.Config) *string { return &c.Dynamics.TenantID })
	tenant.entry.SetPlaceHolder("00000000-0000-0000-0000-000000000000")
	client := v.text("dynamics.client_id", lang.L("Client ID"),
		lang.L("The application (client) ID your organisation registered for the app."), func(c *config.Config) *string { return &c.Dynamics.ClientID })
	return cellsOf(url, tenant, client)
}

func (v *settingsView) optionsSection() []fyne.CanvasObject {
	specs := []struct {
		key, label, explain string
		value               func(*config.Options) *bool
	}{
		{
			"options.require_active_console", lang.L("Require an active technician console"),
			lang.L("No PIN is issued while the Technician Console is not running."),
			func(o *config.Options) *bool { return &o.RequireActiveConsole },
		},
		{
			"options.close_request_at_session_end", lang.L("Close the request at the end of the session"),
			lang.L("When a session ends, its session record in Dynamics is deactivated."),
			func(o *config.Options) *bool { return &o.CloseRequestAtSessionEnd },
		},
		{
			"options.reassign_case_at_session_start", lang.L("Reassign the case when a session starts"),
			lang.L("The case goes to the Dynamics user of the technician who picks the session up."),
			func(o *config.Options) *bool { return &o.ReassignCaseAtSessionStart },
		},
		{
			"options.do_not_send_cfield1", lang.L("Do not send cfield1"),
			lang.L("The customer's e-mail is not put in custom field 1."),
			func(o *config.Options) *bool { return &o.DoNotSendCField1 },
		},
	}
	var cells []fyne.CanvasObject
	for _, s := range specs {
		o := &settingOption{key: s.key, value: s.value, mark: managedMark()}
		o.check = widget.NewCheck(s.label, func(bool) { v.changed() })
		explain := widget.NewLabel(s.explain)
		explain.SizeName = theme.SizeNameCaptionText
		explain.Wrapping = fyne.TextWrapWord
		v.options = append(v.options, o)
		cells = append(cells, layout.NewSpacer(), container.NewVBox(o.check, explain, o.mark))
	}
	return cells
}

func (v *settingsView) schemaSection() []fyne.CanvasObject {
	return cellsOf(
		v.text("dataverse.session_table", lang.L("Session table"), "", func(c *config.Config) *string { return &c.Dataverse.SessionTable }),
		v.text("dataverse.session_key", lang.L("Session key"), "", func(c *config.Config) *string { return &c.Dataverse.SessionKey }),
		v.text("dataverse.technician_table", lang.L("Technician table"), "", func(c *config.Config) *string { return &c.Dataverse.TechnicianTable }),
		v.text("dataverse.technician_id_column", lang.L("Technician ID column"), "", func(c *config.Config) *string { return &c.Dataverse.TechnicianIDColumn }),
		v.text("dataverse.technician_sso_column", lang.L("Technician SSO column"), "", func(c *config.Config) *string { return &c.Dataverse.TechnicianSSOColumn }),
	)
}

func (v *settingsView) technicianSection() []fyne.CanvasObject {
	v.techID = widget.NewLabel("")
	v.techID.Selectable = true
	label := widget.NewLabel(lang.L("Technician ID"))
	v.techRow = []fyne.CanvasObject{label, v.techID}
	sso := v.text("rescue.technician_sso_id", lang.L("Your SSO ID"), "", func(c *config.Config) *string { return &c.Rescue.TechnicianSSOID })
	return []fyne.CanvasObject{label, v.techID, sso.label, sso.cell}
}

// footer is what stays under the form: problems, progress, and the buttons.
func (v *settingsView) footer() fyne.CanvasObject {
	v.others = widget.NewLabel("")
	v.others.Importance = widget.DangerImportance
	v.others.Wrapping = fyne.TextWrapWord
	v.others.Hide()
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.DangerImportance
	v.problem.Truncation = fyne.TextTruncateEllipsis
	v.problem.Hide()
	v.retry = widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), func() { v.onLoad() })
	v.retry.Hide()
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { v.onCancel() })
	v.progress = container.NewBorder(nil, nil, nil, cancel, widget.NewProgressBarInfinite())
	v.progress.Hide()
	v.saved = widget.NewLabel(lang.L("Saved. Restart Rescue Companion to use the new settings."))
	v.saved.Importance = widget.SuccessImportance
	v.saved.Hide()
	v.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), v.send)
	v.save.Importance = widget.HighImportance
	v.save.Disable()
	v.revert = widget.NewButtonWithIcon(lang.L("Revert"), theme.ContentUndoIcon(), func() { v.fill(v.loaded) })
	v.revert.Disable()
	closeButton := widget.NewButton(lang.L("Close"), v.window.Close)
	buttons := container.NewHBox(v.saved, layout.NewSpacer(), v.retry, v.revert, closeButton, v.save)
	return container.NewVBox(widget.NewSeparator(), v.others, v.problem, v.progress, buttons)
}

// text makes the row of a text setting.
func (v *settingsView) text(key, label, hint string, value func(*config.Config) *string) *settingField {
	e := widget.NewEntry()
	f := v.row(key, label, e, hint, value)
	f.entry = e
	e.OnChanged = func(string) { v.changed() }
	return f
}

// row makes a setting's row around its input.
func (v *settingsView) row(key, label string, input fyne.CanvasObject, hint string, value func(*config.Config) *string) *settingField {
	f := &settingField{key: key, label: widget.NewLabel(label), input: input.(fyne.Disableable), value: value, mark: managedMark()}
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()
	f.cell = container.NewVBox(input, f.problem)
	if hint != "" {
		h := widget.NewLabel(hint)
		h.SizeName = theme.SizeNameCaptionText
		h.Wrapping = fyne.TextWrapWord
		f.cell.Add(h)
	}
	f.cell.Add(f.mark)
	v.fields[key] = f
	return f
}

// cellsOf are the rows' cells for the form: label, then field.
func cellsOf(rows ...*settingField) []fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, r := range rows {
		cells = append(cells, r.label, r.cell)
	}
	return cells
}

// managedMark says that IT manages a setting; it shows only on locked settings.
func managedMark() fyne.CanvasObject {
	text := widget.NewLabel(lang.L("Managed by your organisation"))
	text.SizeName = theme.SizeNameCaptionText
	mark := container.NewHBox(widget.NewIcon(theme.InfoIcon()), text)
	mark.Hide()
	return mark
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}
