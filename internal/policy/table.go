package policy

import (
	"fmt"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// Kind is the type of a managed setting's value.
type Kind int

// The kinds of value a policy holds; Policy.Values holds a string, a bool or an int.
const (
	KindString Kind = iota // text: REG_SZ, <string>, a TOML string
	KindBool               // true or false: REG_DWORD 0 or 1, <true/> or <false/>, a TOML boolean
	KindInt                // a whole number: REG_DWORD, <integer>, a TOML integer
)

// String names the kind as the README's table does.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindBool:
		return "boolean"
	case KindInt:
		return "integer"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Setting is one setting that IT may manage.
type Setting struct {
	Key         string // the contract key of config.toml, e.g. "dynamics.url"
	Name        string // the registry value name and the plist key, e.g. "DynamicsUrl"
	Kind        Kind
	MSIProperty string // the MSI public property written as this value, or ""
}

// setting is a row of the table: a Setting plus where its value lives in a config.Config.
type setting struct {
	Setting
	field func(c *config.Config) any // *string, *bool or *int inside c
}

// table is the one list of managed settings. The ADMX template, the sample profile, the sample
// policy.toml, the README and the tests all follow it; a test fails when one of them drifts.
// sandbox.ca_file is left out on purpose: the sandbox is for trying the app, not for a fleet.
var table = []setting{
	str("dynamics.url", "DynamicsUrl", "DYNAMICS_URL", func(c *config.Config) any { return &c.Dynamics.URL }),
	str("dynamics.tenant_id", "TenantId", "TENANT_ID", func(c *config.Config) any { return &c.Dynamics.TenantID }),
	str("dynamics.client_id", "ClientId", "CLIENT_ID", func(c *config.Config) any { return &c.Dynamics.ClientID }),
	str("dynamics.authority", "Authority", "", func(c *config.Config) any { return &c.Dynamics.Authority }),
	str("rescue.instance", "RescueInstance", "", func(c *config.Config) any { return &c.Rescue.Instance }),
	str("rescue.endpoint", "RescueEndpoint", "RESCUE_ENDPOINT", func(c *config.Config) any { return &c.Rescue.Endpoint }),
	str("rescue.company_id", "CompanyId", "COMPANY_ID", func(c *config.Config) any { return &c.Rescue.CompanyID }),
	str("rescue.technician_sso_id", "TechnicianSsoId", "", func(c *config.Config) any { return &c.Rescue.TechnicianSSOID }),
	str("rescue.correlation_field", "CorrelationField", "", func(c *config.Config) any { return &c.Rescue.CorrelationField }),
	num("rescue.pin_validity_minutes", "PinValidityMinutes", "", func(c *config.Config) any { return &c.Rescue.PINValidityMinutes }),
	flag("options.require_active_console", "RequireActiveConsole", "REQUIRE_ACTIVE_CONSOLE",
		func(c *config.Config) any { return &c.Options.RequireActiveConsole }),
	flag("options.close_request_at_session_end", "CloseRequestAtSessionEnd", "CLOSE_REQUEST_AT_SESSION_END",
		func(c *config.Config) any { return &c.Options.CloseRequestAtSessionEnd }),
	flag("options.reassign_case_at_session_start", "ReassignCaseAtSessionStart", "REASSIGN_CASE_AT_SESSION_START",
		func(c *config.Config) any { return &c.Options.ReassignCaseAtSessionStart }),
	flag("options.do_not_send_cfield1", "DoNotSendCfield1", "DO_NOT_SEND_CFIELD1",
		func(c *config.Config) any { return &c.Options.DoNotSendCField1 }),
	str("dataverse.session_table", "SessionTable", "", func(c *config.Config) any { return &c.Dataverse.SessionTable }),
	str("dataverse.session_key", "SessionKey", "", func(c *config.Config) any { return &c.Dataverse.SessionKey }),
	str("dataverse.technician_table", "TechnicianTable", "", func(c *config.Config) any { return &c.Dataverse.TechnicianTable }),
	str("dataverse.technician_id_column", "TechnicianIdColumn", "",
		func(c *config.Config) any { return &c.Dataverse.TechnicianIDColumn }),
	str("dataverse.technician_sso_column", "TechnicianSsoColumn", "",
		func(c *config.Config) any { return &c.Dataverse.TechnicianSSOColumn }),
}

func str(key, name, msi string, field func(*config.Config) any) setting {
	return setting{Setting{key, name, KindString, msi}, field}
}

func num(key, name, msi string, field func(*config.Config) any) setting {
	return setting{Setting{key, name, KindInt, msi}, field}
}

func flag(key, name, msi string, field func(*config.Config) any) setting {
	return setting{Setting{key, name, KindBool, msi}, field}
}

// Settings returns every setting IT may manage, in the order of config.toml.
func Settings() []Setting {
	out := make([]Setting, len(table))
	for i, s := range table {
		out[i] = s.Setting
	}
	return out
}

// byKey finds a setting by its contract key.
func byKey(key string) (setting, bool) {
	for _, s := range table {
		if s.Key == key {
			return s, true
		}
	}
	return setting{}, false
}

// byName finds a setting by its registry value name or plist key. Registry names are not case
// sensitive on Windows, so the registry reader asks with foldCase; plist keys are exact.
func byName(name string, foldCase bool) (setting, bool) {
	for _, s := range table {
		if s.Name == name || (foldCase && strings.EqualFold(s.Name, name)) {
			return s, true
		}
	}
	return setting{}, false
}

// markdownTable renders the table as the README shows it, so a test can hold the two together.
func markdownTable() string {
	var b strings.Builder
	b.WriteString("| config.toml key | Registry value / plist key | Type | MSI property |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, s := range table {
		msi := "—"
		if s.MSIProperty != "" {
			msi = "`" + s.MSIProperty + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", s.Key, s.Name, registryKind(s.Kind), msi)
	}
	return b.String()
}

func registryKind(k Kind) string {
	switch k {
	case KindBool:
		return "boolean (REG_DWORD 0/1)"
	case KindInt:
		return "integer (REG_DWORD)"
	}
	return "string (REG_SZ)"
}
