package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// The settings window's behaviour: filling it, checking it as it is typed, and saving it.

// fill shows a form, as loaded or saved, or again on Revert. The password entry is always left
// empty: a kept password is never shown back.
func (v *settingsView) fill(f SettingsForm) {
	v.loaded = f
	c := f.Config
	v.filling = true
	v.instanceValue = c.Rescue.Instance
	v.endpoints = map[string]string{config.InstanceProduction: config.ProductionEndpoint, c.Rescue.Instance: c.Rescue.Endpoint}
	v.instance.ClearSelected()
	for i, choice := range instanceChoices() {
		if choice.value == c.Rescue.Instance {
			v.instance.SetSelectedIndex(i)
		}
	}
	for _, fld := range v.fields {
		if fld.entry != nil {
			fld.entry.SetText(*fld.value(&c))
		}
	}
	for _, o := range v.options {
		o.check.SetChecked(*o.value(&c.Options))
	}
	v.password.SetText("")
	v.password.SetPlaceHolder(lang.L("Not set"))
	if f.SSOPasswordSet {
		v.password.SetPlaceHolder(lang.L("Kept; type a new one to replace it"))
	}
	v.techID.SetText(f.TechnicianID)
	for _, o := range v.techRow {
		setShown(o, f.TechnicianID != "")
	}
	v.filling = false
	setShown(v.problem, false)
	setShown(v.retry, false)
	setShown(v.body, true)
	v.applyEnabled()
	v.changed()
}

// instanceChosen fills in the endpoint of the chosen instance (see the type's comment).
func (v *settingsView) instanceChosen(label string) {
	if v.filling {
		return
	}
	endpoint := v.fields["rescue.endpoint"].entry
	for _, choice := range instanceChoices() {
		if choice.label != label {
			continue
		}
		v.endpoints[v.instanceValue] = endpoint.Text
		v.instanceValue = choice.value
		next := v.endpoints[choice.value]
		if choice.value == config.InstanceProduction {
			next = config.ProductionEndpoint
		}
		v.filling = true
		endpoint.SetText(next)
		v.filling = false
	}
	v.changed()
}

// config is the settings as the form has them now, on top of those loaded.
func (v *settingsView) config() config.Config {
	c := v.loaded.Config
	c.Rescue.Instance = v.instanceValue
	for _, f := range v.fields {
		if f.entry != nil {
			*f.value(&c) = f.entry.Text
		}
	}
	for _, o := range v.options {
		*o.value(&c.Options) = o.check.Checked
	}
	if c.Rescue.Instance != config.InstanceSandbox {
		c.Sandbox.CAFile = ""
	}
	return c
}

// changed checks the form again after an edit.
func (v *settingsView) changed() {
	if v.filling {
		return
	}
	setShown(v.saved, false)
	v.showFieldErrors(config.FieldErrors(v.config().Validate()))
}

// showFieldErrors puts each problem under its field, and those of settings without a field under
// the form; Save is enabled only when there are none.
func (v *settingsView) showFieldErrors(errs []*config.FieldError) {
	problems := map[string]string{}
	var others []string
	for _, fe := range errs {
		if _, ok := v.fields[fe.Key]; !ok {
			others = append(others, fe.Error())
		} else if problems[fe.Key] == "" {
			problems[fe.Key] = fieldProblem(fe)
		}
	}
	for key, f := range v.fields {
		f.problem.SetText(problems[key])
		setShown(f.problem, problems[key] != "")
	}
	v.others.SetText(fmt.Sprintf(lang.L("Only the settings file can fix this: %s"), strings.Join(others, "; ")))
	setShown(v.others, len(others) > 0)
	v.valid = len(problems) == 0 && len(others) == 0
	v.updateButtons()
}

func (v *settingsView) updateButtons() {
	edited := v.config() != v.loaded.Config || v.password.Text != ""
	setEnabled(v.save, v.valid && !v.busy && v.body.Visible())
	setEnabled(v.revert, edited && !v.busy && v.body.Visible())
}

// applyEnabled makes the settings IT manages read-only, with their mark, and every setting
// read-only while saving.
func (v *settingsView) applyEnabled() {
	for key, f := range v.fields {
		locked := v.loaded.Locked[key]
		setShown(f.mark, locked)
		setEnabled(f.input, !locked && !v.busy)
	}
	for _, o := range v.options {
		locked := v.loaded.Locked[o.key]
		setShown(o.mark, locked)
		setEnabled(o.check, !locked && !v.busy)
	}
}

// send hands the form on, checked once more: nothing is saved while a setting is invalid.
func (v *settingsView) send() {
	v.changed()
	if !v.valid || v.busy {
		return
	}
	f := v.loaded
	f.Config = v.config().Normalize()
	f.SSOPassword = v.password.Text
	v.onSave(f)
}

// setBusy shows the progress of a load or a save, during which nothing can be edited.
func (v *settingsView) setBusy(busy bool) {
	v.busy = busy
	setShown(v.progress, busy)
	if busy {
		setShown(v.problem, false)
		setShown(v.retry, false)
		setShown(v.saved, false)
	}
	v.applyEnabled()
	v.updateButtons()
}

// afterSave shows the saved settings as the new starting point, or why they were not saved.
func (v *settingsView) afterSave(ctx context.Context, f SettingsForm, err error) {
	v.setBusy(false)
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		v.setProblem(lang.L("Saving was cancelled."))
	case len(config.FieldErrors(err)) > 0:
		v.showFieldErrors(config.FieldErrors(err))
	case err != nil:
		v.setProblem(fmt.Sprintf(lang.L("Could not save: %s"), err))
	default:
		f.SSOPasswordSet = f.SSOPasswordSet || f.SSOPassword != ""
		f.SSOPassword = ""
		v.fill(f)
		setShown(v.saved, true)
	}
}

// afterLoad shows the loaded settings, or why there are none.
func (v *settingsView) afterLoad(ctx context.Context, f SettingsForm, err error) {
	v.setBusy(false)
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		v.setProblem(lang.L("Loading was cancelled."))
		setShown(v.retry, true)
	case err != nil:
		v.setProblem(fmt.Sprintf(lang.L("Could not load the settings: %s"), err))
		setShown(v.retry, true)
	default:
		v.fill(f)
	}
}

func (v *settingsView) setProblem(text string) {
	v.problem.SetText(text)
	setShown(v.problem, true)
}

// fieldProblem is a setting's problem in the technician's language; config words it in English
// for logs and the command line, so its reasons are recognised here by how they begin.
func fieldProblem(fe *config.FieldError) string {
	reasons := []struct{ prefix, text string }{
		{"is required", lang.L("Required.")},
		{"is not a GUID", lang.L("Not a GUID: 8-4-4-4-12 hexadecimal digits.")},
		{"is not an absolute URL", lang.L("Not a full address: it starts with https://.")},
		{"must not contain a user name", lang.L("Must not contain a user name or password.")},
		{"must not contain a query", lang.L("Must not contain ? or #.")},
		{"must be scheme and host only", lang.L("Only https:// and the host name, with no path.")},
		{"must use https", lang.L("Must start with https://.")},
		{"is not one of", lang.L("Choose an instance.")},
		{"does not match rescue.instance", lang.L("Does not match the instance: choose Custom for another host.")},
		{"is not a number", lang.L("Digits only.")},
		{"contains a control", lang.L("Contains a control or invalid character.")},
		{"is not a schema name", lang.L("Not a schema name: letters, digits and _, starting with a letter.")},
	}
	for _, r := range reasons {
		if strings.HasPrefix(fe.Reason, r.prefix) {
			return r.text
		}
	}
	return fe.Reason
}

func setShown(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func setEnabled(d fyne.Disableable, on bool) {
	if on {
		d.Enable()
	} else {
		d.Disable()
	}
}

// showSettings opens the Settings window, or brings it to the front. It needs no sign-in: the
// settings are what signing in needs.
func (s *Shell) showSettings() {
	if s.svc.Settings == nil {
		return
	}
	if s.tools.settings == nil {
		v := newSettingsView(s.app)
		v.onLoad = s.loadSettings
		v.onSave = s.saveSettings
		v.onCancel = s.tools.settingsOp.stop
		v.window.SetOnClosed(func() {
			s.tools.settingsOp.stop()
			s.tools.settings = nil
		})
		s.tools.settings = v
		s.loadSettings()
	}
	s.tools.settings.window.Show()
	s.tools.settings.window.RequestFocus()
}

func (s *Shell) loadSettings() {
	v := s.tools.settings
	op := &s.tools.settingsOp
	ctx := op.begin(time.Minute)
	v.setBusy(true)
	s.async(func() {
		f, err := s.svc.Settings.Load(ctx)
		fyne.Do(func() {
			if op.current(ctx) && s.tools.settings == v {
				v.afterLoad(ctx, f, err)
			}
		})
	})
}

func (s *Shell) saveSettings(f SettingsForm) {
	v := s.tools.settings
	op := &s.tools.settingsOp
	ctx := op.begin(time.Minute)
	v.setBusy(true)
	s.async(func() {
		err := s.svc.Settings.Save(ctx, f)
		fyne.Do(func() {
			if op.current(ctx) && s.tools.settings == v {
				v.afterSave(ctx, f, err)
			}
		})
	})
}
