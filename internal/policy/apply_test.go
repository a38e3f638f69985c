package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// userSettings is a valid user file that differs from the defaults in several places.
func userSettings() config.Config {
	c := config.Default()
	c.Dynamics.URL = "https://user.crm.dynamics.com"
	c.Dynamics.TenantID = "11111111-1111-1111-1111-111111111111"
	c.Rescue.CompanyID = "999"
	c.Rescue.PINValidityMinutes = 10
	c.Options.CloseRequestAtSessionEnd = true
	return c
}

func TestApplyPolicyWinsAndLocks(t *testing.T) {
	user := userSettings()
	p := Policy{Source: "test", Values: map[string]any{
		"dynamics.url":                   "https://policy.crm.dynamics.com/",
		"rescue.pin_validity_minutes":    30,
		"options.require_active_console": false,
	}}
	got, locked, err := Apply(user, p)
	if err != nil {
		t.Fatal(err)
	}
	want := user
	want.Dynamics.URL = "https://policy.crm.dynamics.com" // normalised
	want.Rescue.PINValidityMinutes = 30
	want.Options.RequireActiveConsole = false
	if got != want {
		t.Errorf("settings:\n got %+v\nwant %+v", got, want)
	}
	wantLocked := Locked{"dynamics.url": true, "rescue.pin_validity_minutes": true, "options.require_active_console": true}
	if !reflect.DeepEqual(locked, wantLocked) {
		t.Errorf("locked %v", locked)
	}
	if !locked.Has("dynamics.url") || locked.Has("rescue.company_id") || locked.Has("options.close_request_at_session_end") {
		t.Error("Has disagrees with the locks")
	}
	if user.Dynamics.URL != "https://user.crm.dynamics.com" {
		t.Error("Apply changed its argument")
	}
}

func TestApplyEmptyPolicy(t *testing.T) {
	user := userSettings()
	got, locked, err := Apply(user, Policy{})
	if err != nil || got != user || len(locked) != 0 {
		t.Errorf("%+v, %v, %v", got, locked, err)
	}
	var none Locked
	if none.Has("dynamics.url") {
		t.Error("a nil Locked locks something")
	}
}

func TestApplyDefaultsStayWhenNeitherSets(t *testing.T) {
	user := config.Default() // the user file sets nothing: defaults, then policy
	p := Policy{Values: map[string]any{
		"dynamics.url": "https://p.crm.dynamics.com", "dynamics.tenant_id": "22222222-2222-2222-2222-222222222222",
	}}
	got, _, err := Apply(user, p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dynamics.ClientID != config.DefaultClientID || got.Dataverse.SessionTable != config.DefaultSessionTable {
		t.Errorf("defaults lost: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("policy plus defaults do not validate: %v", err)
	}
}

func TestApplyLocksTheRescuePair(t *testing.T) {
	sandboxUser := userSettings()
	sandboxUser.Rescue.Instance = config.InstanceSandbox
	sandboxUser.Rescue.Endpoint = "https://127.0.0.1:8443/API"
	sandboxUser.Sandbox.CAFile = "/tmp/ca.pem"
	tests := []struct {
		name                     string
		user                     config.Config
		values                   map[string]any
		instance, endpoint, file string
	}{
		{
			"endpoint of production", sandboxUser,
			map[string]any{"rescue.endpoint": "https://SECURE.logmeinrescue.com/API/"},
			"production", "https://SECURE.logmeinrescue.com/API", "",
		},
		{
			"endpoint elsewhere", userSettings(),
			map[string]any{"rescue.endpoint": "https://rescue.contoso.com/API"},
			"custom", "https://rescue.contoso.com/API", "",
		},
		{
			"preset instance", sandboxUser,
			map[string]any{"rescue.instance": "production"},
			"production", config.ProductionEndpoint, "",
		},
		{
			"custom instance keeps the user's endpoint", sandboxUser,
			map[string]any{"rescue.instance": "custom"},
			"custom", "https://127.0.0.1:8443/API", "",
		},
		{
			"sandbox instance keeps the CA file", sandboxUser,
			map[string]any{"rescue.instance": "sandbox"},
			"sandbox", "https://127.0.0.1:8443/API", "/tmp/ca.pem",
		},
	}
	for _, tt := range tests {
		got, locked, err := Apply(tt.user, Policy{Source: "test", Values: tt.values})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got.Rescue.Instance != tt.instance || got.Rescue.Endpoint != tt.endpoint || got.Sandbox.CAFile != tt.file {
			t.Errorf("%s: instance %q endpoint %q ca %q", tt.name, got.Rescue.Instance, got.Rescue.Endpoint, got.Sandbox.CAFile)
		}
		wantEndpointLocked := tt.instance != "custom" && tt.instance != "sandbox" || tt.values["rescue.endpoint"] != nil
		if !locked.Has("rescue.instance") || locked.Has("rescue.endpoint") != wantEndpointLocked {
			t.Errorf("%s: locked %v", tt.name, locked)
		}
	}
}

func TestApplyReportsBadPolicyValues(t *testing.T) {
	user := userSettings()
	user.Dataverse.SessionKey = "not valid!" // the user's own problem: not Apply's to report
	reg := registryWith(map[string]any{
		"TenantId":           "abc",
		"PinValidityMinutes": uint64(0),
		"CorrelationField":   "cfield1",
		"DynamicsUrl":        "http://contoso.crm4.dynamics.com",
		"CompanyId":          "12a",
	})
	p, err := fromRegistry(reg)
	if err != nil {
		t.Fatal(err)
	}
	got, locked, err := Apply(user, p)
	const src = `policy HKLM\SOFTWARE\Policies\RescueCompanion: `
	want := []string{
		src + `DynamicsUrl (dynamics.url): "http://contoso.crm4.dynamics.com" must use https (http is allowed only for loopback)`,
		src + `TenantId (dynamics.tenant_id): "abc" is not a GUID`,
		src + `CompanyId (rescue.company_id): "12a" is not a number`,
		src + `CorrelationField (rescue.correlation_field): "cfield1" must be cfield2, cfield3, cfield4 or cfield5 (cfield0 and cfield1 carry the customer's name and e-mail)`,
		src + `PinValidityMinutes (rescue.pin_validity_minutes): "0" must be between 1 and 1440`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if lines := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(lines, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Key != "dynamics.url" || ve.Name != "DynamicsUrl" {
		t.Errorf("ValueError %+v", ve)
	}
	// The settings and locks come back anyway, for the settings screen to show.
	if got.Dynamics.TenantID != "abc" || !locked.Has("dynamics.tenant_id") {
		t.Errorf("%+v %v", got.Dynamics, locked)
	}
}

func TestApplyNamesTheKeyOfAPolicyBuiltInCode(t *testing.T) {
	p := Policy{Source: "/etc/x.toml", Values: map[string]any{"rescue.instance": "staging"}}
	_, _, err := Apply(userSettings(), p)
	want := `policy /etc/x.toml: rescue.instance: "staging" is not one of production, beta, sandbox, custom`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestApplyRejectsValuesItCannotUse(t *testing.T) {
	p := Policy{Values: map[string]any{
		"dynamics.client_secret":         "x",
		"options.require_active_console": "sometimes",
		"rescue.company_id":              "   ", // not set
	}}
	_, locked, err := Apply(userSettings(), p)
	want := []string{
		`policy: unknown setting "dynamics.client_secret"`,
		`policy: options.require_active_console: "sometimes" is not 0, 1, true or false`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if lines := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(lines, want) {
		t.Errorf("errors %q\nwant %q", lines, want)
	}
	if len(locked) != 0 {
		t.Errorf("locked %v", locked)
	}
}
