package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// fakeSettings is a scripted Settings that records what it was asked to save.
type fakeSettings struct {
	mu      sync.Mutex
	form    SettingsForm
	loadErr error
	saveErr error
	loads   int
	saved   []SettingsForm
}

func (f *fakeSettings) Load(context.Context) (SettingsForm, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads++
	return f.form, f.loadErr
}

func (f *fakeSettings) Save(_ context.Context, form SettingsForm) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saveErr != nil {
		return f.saveErr
	}
	f.saved = append(f.saved, form)
	return nil
}

// goodConfig is a complete, valid configuration.
func goodConfig() config.Config {
	c := config.Default()
	c.Dynamics.URL = "https://contoso.crm4.dynamics.com"
	c.Dynamics.TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	c.Rescue.CompanyID = "1234567"
	c.Rescue.TechnicianSSOID = "camille.lefevre"
	return c
}

// newToolShell is a signed-in shell on the sample cases with the given services added.
func newToolShell(t *testing.T, a fyne.App, svc Services) *Shell {
	t.Helper()
	svc.Auth, svc.Rescue, svc.Links = signedIn(), &fakeRescue{}, &fakeLinks{}
	svc.Cases = &fakeCases{answers: []caseAnswer{{list: CaseList{Cases: sampleCases(), AsOf: asOfTime}}}}
	if svc.Sessions == nil {
		svc.Sessions = &fakeSessions{}
	}
	s := newShell(a, sandboxEnv, svc, syncRun)
	s.now = func() time.Time { return pinClock }
	s.Window().Resize(fyne.NewSize(900, 560))
	t.Cleanup(func() {
		if v := s.tools.settings; v != nil {
			v.window.Close()
		}
		if v := s.tools.diag; v != nil {
			v.window.Close()
		}
		if v := s.tools.team; v != nil {
			v.window.Close()
		}
		if v := s.detailView; v != nil {
			v.window.Close()
		}
		s.Window().Close()
	})
	s.start()
	return s
}

// openSettings opens the Settings window on the given settings.
func openSettings(t *testing.T, form SettingsForm) (*Shell, *fakeSettings, *settingsView) {
	t.Helper()
	a := newTestApp(t)
	fs := &fakeSettings{form: form}
	s := newToolShell(t, a, Services{Settings: fs})
	s.showSettings()
	v := s.tools.settings
	if v == nil || fs.loads != 1 {
		t.Fatalf("the window did not open and load (%d loads)", fs.loads)
	}
	return s, fs, v
}

// shownProblems are the fields that show a problem, with its text.
func shownProblems(v *settingsView) map[string]string {
	out := map[string]string{}
	for key, f := range v.fields {
		if f.problem.Visible() {
			out[key] = f.problem.Text
		}
	}
	return out
}

func TestSettingsInBothLanguagesAndThemes(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
	}{
		{"settings/settings_en_light.xml", "en", theme.VariantLight},
		{"settings/settings_fr_dark.xml", "fr", theme.VariantDark},
	} {
		t.Run(c.lang, func(t *testing.T) {
			a := newTestApp(t)
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			fs := &fakeSettings{form: SettingsForm{
				Config: goodConfig(), Locked: map[string]bool{"rescue.company_id": true},
				SSOPasswordSet: true, TechnicianID: "4310021",
			}}
			s := newToolShell(t, a, Services{Settings: fs})
			s.showSettings()
			v := s.tools.settings
			v.fields["dynamics.tenant_id"].entry.SetText("contoso") // one problem on screen
			test.AssertRendersToMarkup(t, c.golden, laidOut(v.window.Canvas()))
		})
	}
}

// Every field shows its own problem under it as it is typed, and only that one; Save is disabled
// while it is there and enabled again once the value is good.
func TestEverySettingShowsItsOwnProblem(t *testing.T) {
	custom := goodConfig()
	custom.Rescue.Instance, custom.Rescue.Endpoint = config.InstanceCustom, "https://rescue.example.net/API"
	_, _, v := openSettings(t, SettingsForm{Config: custom})
	for _, c := range []struct {
		key, bad, problem, good string
	}{
		{"rescue.endpoint", "http://rescue.example.net/API", "Must start with https://.", "https://rescue.example.net/API"},
		{"rescue.endpoint", "", "Required.", "https://127.0.0.1:41003/API"},
		{"rescue.company_id", "12a", "Digits only.", "7654321"},
		{"dynamics.url", "contoso", "Not a full address: it starts with https://.", "https://contoso.crm4.dynamics.com/"},
		{"dynamics.url", "https://contoso.crm4.dynamics.com/main.aspx", "Only https:// and the host name, with no path.", "https://contoso.crm.dynamics.com"},
		{"dynamics.url", "https://contoso.crm4.dynamics.com/?a=1", "Must not contain ? or #.", "https://contoso.crm4.dynamics.com"},
		{"dynamics.url", "https://me:pw@contoso.crm4.dynamics.com", "Must not contain a user name or password.", "https://contoso.crm4.dynamics.com"},
		{"dynamics.tenant_id", "contoso.onmicrosoft.com", "Not a GUID: 8-4-4-4-12 hexadecimal digits.", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		{"dynamics.client_id", "", "Required.", "51f81489-12ee-4a9e-aaae-a2591f45987d"},
		{"dataverse.session_table", "1sessions", "Not a schema name: letters, digits and _, starting with a letter.", "new_rescuesessions"},
		{"dataverse.session_key", "lmi-sessionid", "Not a schema name: letters, digits and _, starting with a letter.", "lmi_sessionid"},
		{"dataverse.technician_table", "", "Required.", "lmi_usersettings"},
		{"dataverse.technician_id_column", "technician id", "Not a schema name: letters, digits and _, starting with a letter.", "lmi_technicianid"},
		{"dataverse.technician_sso_column", "_ssoid", "Not a schema name: letters, digits and _, starting with a letter.", "lmi_ssoid"},
		{"rescue.technician_sso_id", "camille\x01", "Contains a control or invalid character.", ""},
	} {
		entry := v.fields[c.key].entry
		entry.SetText(c.bad)
		if got := shownProblems(v); len(got) != 1 || got[c.key] != c.problem {
			t.Errorf("%s = %q: problems %q, want only %q", c.key, c.bad, got, c.problem)
		}
		if !v.save.Disabled() {
			t.Errorf("%s = %q: Save is enabled", c.key, c.bad)
		}
		entry.SetText(c.good)
		if got := shownProblems(v); len(got) != 0 {
			t.Errorf("%s = %q: problems %q, want none", c.key, c.good, got)
		}
		if v.save.Disabled() {
			t.Errorf("%s = %q: Save is still disabled", c.key, c.good)
		}
	}
}

// The instance comes from the file, so it can be none of the four; picking one clears the problem.
func TestAnUnknownInstanceAsksForOne(t *testing.T) {
	c := goodConfig()
	c.Rescue.Instance = "staging"
	_, _, v := openSettings(t, SettingsForm{Config: c})
	if got := shownProblems(v); got["rescue.instance"] != "Choose an instance." || !v.save.Disabled() {
		t.Fatalf("problems %q, save disabled %v", got, v.save.Disabled())
	}
	v.instance.SetSelected("Production")
	if got := shownProblems(v); len(got) != 0 || v.save.Disabled() {
		t.Fatalf("after choosing: problems %q, save disabled %v", got, v.save.Disabled())
	}
	if got := v.fields["rescue.endpoint"].entry.Text; got != config.ProductionEndpoint {
		t.Fatalf("endpoint %q", got)
	}
}

func TestInstancePresetFillsTheEndpoint(t *testing.T) {
	_, fs, v := openSettings(t, SettingsForm{Config: goodConfig()})
	endpoint := v.fields["rescue.endpoint"].entry
	steps := []struct {
		instance, endpoint, problem string
	}{
		{"Custom", "", "Required."},
		{"Production", config.ProductionEndpoint, ""},
		{"Beta", "", "Required."}, // no public host: IT or the technician gives one
		{"Sandbox", "", "Required."},
	}
	for _, st := range steps {
		v.instance.SetSelected(st.instance)
		if endpoint.Text != st.endpoint || shownProblems(v)["rescue.endpoint"] != st.problem {
			t.Fatalf("%s: endpoint %q, problem %q; want %q, %q", st.instance, endpoint.Text, shownProblems(v)["rescue.endpoint"], st.endpoint, st.problem)
		}
		if endpoint.Disabled() {
			t.Fatalf("%s: the endpoint is not editable", st.instance)
		}
	}
	endpoint.SetText("https://127.0.0.1:41003/API")
	v.instance.SetSelected("Production")
	endpoint.SetText(config.ProductionEndpoint + "x")
	if shownProblems(v)["rescue.endpoint"] != "Does not match the instance: choose Custom for another host." {
		t.Fatalf("problem %q", shownProblems(v)["rescue.endpoint"])
	}
	v.instance.SetSelected("Sandbox") // what was typed for the sandbox comes back
	if endpoint.Text != "https://127.0.0.1:41003/API" || len(shownProblems(v)) != 0 {
		t.Fatalf("sandbox again: %q, problems %q", endpoint.Text, shownProblems(v))
	}
	test.Tap(v.save)
	if len(fs.saved) != 1 || fs.saved[0].Config.Rescue.Instance != config.InstanceSandbox || fs.saved[0].Config.Rescue.Endpoint != "https://127.0.0.1:41003/API" {
		t.Fatalf("saved %+v", fs.saved)
	}
}

// The sandbox's CA file has no field: it goes with another instance and comes back with the sandbox.
func TestTheSandboxCAFileFollowsTheInstance(t *testing.T) {
	c := goodConfig()
	c.Rescue.Instance, c.Rescue.Endpoint, c.Sandbox.CAFile = config.InstanceSandbox, "https://127.0.0.1:41003/API", "/tmp/sandbox-ca.pem"
	_, fs, v := openSettings(t, SettingsForm{Config: c})
	v.instance.SetSelected("Production")
	if len(shownProblems(v)) != 0 || v.others.Visible() || v.save.Disabled() {
		t.Fatalf("problems %q, others %q", shownProblems(v), v.others.Text)
	}
	v.instance.SetSelected("Sandbox")
	test.Tap(v.save)
	v.instance.SetSelected("Production")
	test.Tap(v.save)
	if len(fs.saved) != 2 || fs.saved[0].Config.Sandbox.CAFile != "/tmp/sandbox-ca.pem" || fs.saved[0].Config.Rescue.Endpoint != "https://127.0.0.1:41003/API" ||
		fs.saved[1].Config.Sandbox.CAFile != "" || fs.saved[1].Config.Rescue.Endpoint != config.ProductionEndpoint {
		t.Fatalf("saved %+v", fs.saved)
	}
}

// A setting without a field can still be wrong in the file: it is said under the form and blocks Save.
func TestAProblemOnlyTheFileCanFix(t *testing.T) {
	c := goodConfig()
	c.Rescue.PINValidityMinutes = 0
	_, fs, v := openSettings(t, SettingsForm{Config: c})
	want := `Only the settings file can fix this: rescue.pin_validity_minutes: "0" must be between 1 and 1440`
	if !v.others.Visible() || v.others.Text != want || !v.save.Disabled() {
		t.Fatalf("others %q (shown %v), save disabled %v", v.others.Text, v.others.Visible(), v.save.Disabled())
	}
	v.send() // as Save would, were it enabled
	if len(fs.saved) != 0 {
		t.Fatal("invalid settings were saved")
	}
}

func TestLockedSettingsAreReadOnlyWithTheMark(t *testing.T) {
	locked := map[string]bool{
		"rescue.instance": true, "dynamics.url": true, "dataverse.session_table": true,
		"options.do_not_send_cfield1": true, SSOPasswordKey: true,
	}
	_, _, v := openSettings(t, SettingsForm{Config: goodConfig(), Locked: locked})
	for key, f := range v.fields {
		if got := f.input.Disabled(); got != locked[key] || f.mark.Visible() != locked[key] {
			t.Errorf("%s: read-only %v, mark shown %v; locked %v", key, got, f.mark.Visible(), locked[key])
		}
	}
	for _, o := range v.options {
		if o.check.Disabled() != locked[o.key] || o.mark.Visible() != locked[o.key] {
			t.Errorf("%s: read-only %v, mark shown %v", o.key, o.check.Disabled(), o.mark.Visible())
		}
	}
	if !v.instance.Disabled() || !v.password.Disabled() {
		t.Fatal("the instance or the password can be changed")
	}
	mark := v.fields["dynamics.url"].mark.(*fyne.Container).Objects[1].(*widget.Label)
	if mark.Text != "Managed by your organisation" {
		t.Fatalf("mark %q", mark.Text)
	}
}

func TestSaveSendsExactlyTheForm(t *testing.T) {
	locked := map[string]bool{"dataverse.session_table": true}
	_, fs, v := openSettings(t, SettingsForm{Config: goodConfig(), Locked: locked, TechnicianID: "4310021"})
	if !v.techID.Visible() || v.techID.Text != "4310021" {
		t.Fatalf("technician ID %q (shown %v)", v.techID.Text, v.techID.Visible())
	}
	v.fields["dynamics.url"].entry.SetText("  https://fabrikam.crm.dynamics.com/ ")
	v.fields["rescue.company_id"].entry.SetText("7654321")
	v.fields["dataverse.session_key"].entry.SetText("new_sessionid")
	v.password.SetText("Company-SSO-1")
	test.Tap(v.options[1].check) // close the request at the end of the session
	test.Tap(v.options[0].check) // no longer require the console
	if v.revert.Disabled() {
		t.Fatal("Revert is disabled after edits")
	}
	test.Tap(v.save)

	want := goodConfig()
	want.Dynamics.URL = "https://fabrikam.crm.dynamics.com" // normalised on save
	want.Rescue.CompanyID = "7654321"
	want.Dataverse.SessionKey = "new_sessionid"
	want.Options.CloseRequestAtSessionEnd = true
	want.Options.RequireActiveConsole = false
	wantForm := SettingsForm{Config: want, Locked: locked, SSOPassword: "Company-SSO-1", TechnicianID: "4310021"}
	if len(fs.saved) != 1 || !reflect.DeepEqual(fs.saved[0], wantForm) {
		t.Fatalf("saved %+v\nwant  %+v", fs.saved, wantForm)
	}
	if !v.saved.Visible() || v.saved.Text != "Saved. Restart Rescue Companion to use the new settings." || v.password.Text != "" || v.password.PlaceHolder != "Kept; type a new one to replace it" {
		t.Fatalf("after save: saved %v, password %q / %q", v.saved.Visible(), v.password.Text, v.password.PlaceHolder)
	}
	if got := v.fields["dynamics.url"].entry.Text; got != "https://fabrikam.crm.dynamics.com" || !v.revert.Disabled() {
		t.Fatalf("url shown %q, revert disabled %v", got, v.revert.Disabled())
	}
	v.fields["rescue.company_id"].entry.SetText("1")
	if v.saved.Visible() {
		t.Fatal("Saved. stays after another edit")
	}
}

func TestRevertGoesBackToWhatWasLoaded(t *testing.T) {
	_, fs, v := openSettings(t, SettingsForm{Config: goodConfig()})
	v.fields["dynamics.tenant_id"].entry.SetText("nope")
	v.instance.SetSelected("Custom")
	v.password.SetText("typed")
	test.Tap(v.revert)
	if v.fields["dynamics.tenant_id"].entry.Text != goodConfig().Dynamics.TenantID || v.instance.Selected != "Production" ||
		v.fields["rescue.endpoint"].entry.Text != config.ProductionEndpoint || v.password.Text != "" {
		t.Fatal("Revert left edits behind")
	}
	if len(shownProblems(v)) != 0 || v.save.Disabled() || !v.revert.Disabled() || len(fs.saved) != 0 {
		t.Fatalf("after revert: problems %q", shownProblems(v))
	}
}

// The SSO password goes in and never comes back out, whatever the service hands over.
func TestSSOPasswordIsNeverShownBack(t *testing.T) {
	_, _, v := openSettings(t, SettingsForm{Config: goodConfig(), SSOPassword: "Leaked-Secret", SSOPasswordSet: true})
	if v.password.Text != "" || v.password.PlaceHolder != "Kept; type a new one to replace it" {
		t.Fatalf("password %q / %q", v.password.Text, v.password.PlaceHolder)
	}
	for _, o := range test.LaidOutObjects(v.window.Content()) {
		var text string
		switch w := o.(type) {
		case *widget.Entry:
			text = w.Text
		case *widget.Label:
			text = w.Text
		case *canvas.Text:
			text = w.Text
		}
		if strings.Contains(text, "Leaked-Secret") {
			t.Fatalf("the password is on screen in a %T", o)
		}
	}
}

func TestSaveProblemsKeepWhatWasTyped(t *testing.T) {
	_, fs, v := openSettings(t, SettingsForm{Config: goodConfig()})
	fs.saveErr = errors.New("the settings file is read-only")
	v.fields["rescue.company_id"].entry.SetText("7654321")
	test.Tap(v.save)
	if !v.problem.Visible() || v.problem.Text != "Could not save: the settings file is read-only" || v.saved.Visible() {
		t.Fatalf("problem %q", v.problem.Text)
	}
	if v.fields["rescue.company_id"].entry.Text != "7654321" || v.save.Disabled() || v.progress.Visible() {
		t.Fatal("the edit was lost or Save stayed disabled")
	}
	// The service checks again, e.g. against IT policy: its problems go under their fields.
	fs.saveErr = fmt.Errorf("policy: %w", errors.Join(&config.FieldError{Key: "dynamics.url", Value: "x", Reason: "is required"}))
	test.Tap(v.save)
	if got := shownProblems(v); len(got) != 1 || got["dynamics.url"] != "Required." {
		t.Fatalf("problems %q", got)
	}
}

func TestSettingsLoadFailureThenTryAgain(t *testing.T) {
	a := newTestApp(t)
	fs := &fakeSettings{loadErr: errors.New("the keyring is locked")}
	s := newToolShell(t, a, Services{Settings: fs})
	s.showSettings()
	v := s.tools.settings
	if !v.problem.Visible() || v.problem.Text != "Could not load the settings: the keyring is locked" || v.body.Visible() || !v.save.Disabled() {
		t.Fatalf("problem %q, form shown %v", v.problem.Text, v.body.Visible())
	}
	fs.loadErr, fs.form = nil, SettingsForm{Config: goodConfig()}
	test.Tap(v.retry)
	if fs.loads != 2 || v.problem.Visible() || !v.body.Visible() || v.save.Disabled() {
		t.Fatalf("after retry: %d loads, problem %q", fs.loads, v.problem.Text)
	}
	v.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.tools.settings != nil {
		t.Fatal("Escape did not close Settings")
	}
}
