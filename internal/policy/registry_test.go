package policy

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRegistryGoodValues(t *testing.T) {
	reg := registryWith(map[string]any{
		"DynamicsUrl":          "https://contoso.crm4.dynamics.com",
		"tenantid":             "72f988bf-86f1-41af-91ab-2d7cd011db47", // names ignore case
		"CompanyId":            uint64(1234567),                        // an MSI writing it as an integer
		"PinValidityMinutes":   uint64(30),
		"RequireActiveConsole": uint64(0),
		"DoNotSendCfield1":     "1", // an MSI writing it as text
		"ClientId":             "",  // a blank MSI property: not set
		"":                     "the default value is not a setting",
	})
	p, err := Sources{GOOS: "windows", Registry: reg}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"dynamics.url":                   "https://contoso.crm4.dynamics.com",
		"dynamics.tenant_id":             "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"rescue.company_id":              "1234567",
		"rescue.pin_validity_minutes":    30,
		"options.require_active_console": false,
		"options.do_not_send_cfield1":    true,
	}
	if !reflect.DeepEqual(p.Values, want) {
		t.Errorf("values:\n got %#v\nwant %#v", p.Values, want)
	}
	if p.Source != `HKLM\SOFTWARE\Policies\RescueCompanion` {
		t.Errorf("source %q", p.Source)
	}
	if got := p.originOf("dynamics.tenant_id"); got.name != "tenantid" {
		t.Errorf("origin name %q, want the name as written", got.name)
	}
}

func TestRegistryMissingKeyIsNoPolicy(t *testing.T) {
	p, err := Sources{GOOS: "windows", Registry: fakeRegistry{}}.Load(context.Background())
	if err != nil || len(p.Values) != 0 || p.Source != "" {
		t.Errorf("got %+v, %v; want an empty policy", p, err)
	}
}

func TestRegistryReadError(t *testing.T) {
	reg := fakeRegistry{err: errors.New("Access is denied.")}
	_, err := Sources{GOOS: "windows", Registry: reg}.Load(context.Background())
	want := `policy HKLM\SOFTWARE\Policies\RescueCompanion: Access is denied.`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestRegistryBadValues(t *testing.T) {
	reg := registryWith(map[string]any{
		"DynamicsUrl":              []string{"https://a", "https://b"},
		"RequireActiveConsole":     uint64(2),
		"CloseRequestAtSessionEnd": []byte{1},
		"PinValidityMinutes":       "twenty",
		"DynamicsURLL":             "https://typo",
		"SsoPassword":              "never from policy",
		"TenantId":                 "72f988bf-86f1-41af-91ab-2d7cd011db47",
	})
	p, err := Sources{GOOS: "windows", Registry: reg}.Load(context.Background())
	want := []string{
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: CloseRequestAtSessionEnd (options.close_request_at_session_end): is binary data, want true or false`,
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: unknown setting "DynamicsURLL"`,
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: DynamicsUrl (dynamics.url): is a list, want text`,
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: PinValidityMinutes (rescue.pin_validity_minutes): "twenty" is not a whole number`,
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: RequireActiveConsole (options.require_active_console): "2" is not 0 or 1`,
		`policy HKLM\SOFTWARE\Policies\RescueCompanion: unknown setting "SsoPassword"`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !errors.Is(err, ErrUnknownSetting) {
		t.Error("error does not wrap ErrUnknownSetting")
	}
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Key != "options.close_request_at_session_end" {
		t.Errorf("first ValueError %+v", ve)
	}
	if p.Values["dynamics.tenant_id"] != "72f988bf-86f1-41af-91ab-2d7cd011db47" {
		t.Errorf("the good value is lost: %#v", p.Values)
	}
}

func TestRegistryNameTwiceInOtherCase(t *testing.T) {
	reg := registryWith(map[string]any{"TenantId": "a", "TENANTID": "b"})
	_, err := Sources{GOOS: "windows", Registry: reg}.Load(context.Background())
	want := `policy HKLM\SOFTWARE\Policies\RescueCompanion: TenantId (dynamics.tenant_id): is set a second time (also as TENANTID)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestLoadHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Sources{GOOS: "windows", Registry: registryWith(nil)}).Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestLoadWithoutReaders(t *testing.T) {
	for _, goos := range []string{"windows", "darwin", "linux"} {
		if _, err := (Sources{GOOS: goos}).Load(context.Background()); err == nil {
			t.Errorf("%s: no error without a reader", goos)
		}
	}
}
