// Package config reads, checks and writes the settings file, config.toml.
//
// The file lives at os.UserConfigDir()/rescue-companion/config.toml unless the app is given
// --config FILE. Its keys are a contract that scripts and IT rely on: they are never renamed.
//
//	[dynamics]
//	url = "https://contoso.crm4.dynamics.com"   # organisation URL, https only
//	tenant_id = "<GUID>"
//	client_id = "51f81489-12ee-4a9e-aaae-a2591f45987d"
//	authority = "https://login.microsoftonline.com"
//	[rescue]
//	instance = "production"                      # production | beta | sandbox | custom
//	endpoint = "https://secure.logmeinrescue.com/API"
//	company_id = ""
//	technician_sso_id = ""
//	correlation_field = "cfield5"               # cfield2..cfield5: carries the PIN's correlation token
//	pin_validity_minutes = 20                   # how long a PIN is shown as valid
//	[options]
//	require_active_console = true
//	close_request_at_session_end = false
//	reassign_case_at_session_start = false
//	do_not_send_cfield1 = false
//	[sandbox]
//	ca_file = ""                                 # PEM of the sandbox CA, only with instance = "sandbox"
//	[dataverse]
//	session_table = "lmi_sessions"
//	session_key = "lmi_sessionid"
//	technician_table = "lmi_usersettings"      # the technician settings table (entity set)
//	technician_id_column = "lmi_technicianid"
//	technician_sso_column = "lmi_ssoid"
//
// The package is pure: Parse and Validate touch no files and no network; only Load, Save and
// DefaultPath touch the file system. Parse and Load do not validate, so that a file holding a bad
// value can still be opened in the settings screen and fixed there; call Validate before use.
// An unknown key is an error, never silently ignored, because a typo in a key would otherwise
// leave a setting at its default without anyone noticing.
//
// No secret belongs here: the Rescue auth code lives only in the OS keyring (package secrets).
//
// Choices where the references are unconfirmed:
//   - rescue.instance = "beta" has no preset endpoint: no beta or staging host appears in any
//     source (rescue-api.md §1.1), so its endpoint comes from IT policy or from the user, and is
//     required. The Enterprise host is a different product line, not a beta.
//   - An endpoint given next to instance "production" must equal the production host (compared
//     without regard to case); anything else is an error that points to "custom", rather than one
//     of the two values being silently ignored.
//   - dynamics.url and dynamics.authority must be bare origins (no path, query or fragment):
//     the app appends /api/data/v9.2, /user_impersonation and /<tenant> to them.
//   - rescue.correlation_field defaults to cfield5: cfield0 and cfield1 carry the customer's name and
//     e-mail, and of the four left cfield5 is the last the account's own forms are likely to use.
//     Its 64-character limit is ample for the short token. The PIN lifetime is not documented; 20
//     minutes is what public client code assumes (rescue-api.md §3.4).
//   - sandbox.ca_file set with an instance other than "sandbox" is an error, since it would be
//     ignored. Validate does not open the file (the package stays pure); a relative path is
//     relative to the working directory of the process that reads it.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Instances of LogMeIn Rescue that rescue.instance may name.
const (
	InstanceProduction = "production"
	InstanceBeta       = "beta"
	InstanceSandbox    = "sandbox"
	InstanceCustom     = "custom"
)

// Fixed values: the preset endpoints and the defaults of a fresh file.
const (
	// ProductionEndpoint is the Rescue API base of the production service.
	ProductionEndpoint = "https://secure.logmeinrescue.com/API"
	// DefaultClientID is Microsoft's documented sample client ID for Dataverse, good for trying
	// the app; an organisation registers its own application and sets dynamics.client_id.
	DefaultClientID = "51f81489-12ee-4a9e-aaae-a2591f45987d"
	// DefaultAuthority is the Entra ID sign-in host; the tenant ID is appended to it.
	DefaultAuthority = "https://login.microsoftonline.com"
	// DefaultSessionTable is the schema name of the Dataverse table that receives sessions.
	DefaultSessionTable = "lmi_sessions"
	// DefaultSessionKey is the schema name of its alternate-key column, the Rescue session ID.
	DefaultSessionKey = "lmi_sessionid"
	// DefaultTechnicianTable is the entity set of the technician settings table.
	DefaultTechnicianTable = "lmi_usersettings"
	// DefaultTechnicianIDColumn holds the Rescue technician ID in that table.
	DefaultTechnicianIDColumn = "lmi_technicianid"
	// DefaultTechnicianSSOColumn holds the technician's Rescue SSO ID in that table.
	DefaultTechnicianSSOColumn = "lmi_ssoid"
	// DefaultCorrelationField is the custom field carrying a PIN's correlation token.
	DefaultCorrelationField = "cfield5"
	// DefaultPINValidityMinutes is how long a PIN is shown as valid.
	DefaultPINValidityMinutes = 20
)

// Config is the whole settings file.
type Config struct {
	Dynamics  Dynamics  `toml:"dynamics"`
	Rescue    Rescue    `toml:"rescue"`
	Options   Options   `toml:"options"`
	Sandbox   Sandbox   `toml:"sandbox"`
	Dataverse Dataverse `toml:"dataverse"`
}

// Dynamics is the [dynamics] table: where Dataverse is and how to sign in to it.
type Dynamics struct {
	URL       string `toml:"url"`       // organisation URL, e.g. https://contoso.crm4.dynamics.com
	TenantID  string `toml:"tenant_id"` // Entra tenant GUID
	ClientID  string `toml:"client_id"` // application (client) GUID registered in Entra
	Authority string `toml:"authority"` // Entra host, without the tenant
}

// Rescue is the [rescue] table: which Rescue service and which account.
type Rescue struct {
	Instance        string `toml:"instance"`          // production, beta, sandbox or custom
	Endpoint        string `toml:"endpoint"`          // API base, e.g. https://secure.logmeinrescue.com/API
	CompanyID       string `toml:"company_id"`        // numeric company ID, for SSO; may be empty
	TechnicianSSOID string `toml:"technician_sso_id"` // the technician's SSO ID; may be empty
	// CorrelationField is the custom field, cfield2 to cfield5, that carries a PIN's correlation token.
	CorrelationField string `toml:"correlation_field"`
	// PINValidityMinutes is how long a PIN is shown as valid, 1 to 1440.
	PINValidityMinutes int `toml:"pin_validity_minutes"`
}

// CorrelationIndex is the number of the correlation custom field (5 for "cfield5"), or -1 when
// the setting is not one of cfield2 to cfield5.
func (r Rescue) CorrelationIndex() int {
	for i := 2; i <= 5; i++ {
		if r.CorrelationField == fmt.Sprintf("cfield%d", i) {
			return i
		}
	}
	return -1
}

// Options is the [options] table: the four options of the Rescue solution for Dynamics.
type Options struct {
	RequireActiveConsole       bool `toml:"require_active_console"`
	CloseRequestAtSessionEnd   bool `toml:"close_request_at_session_end"`
	ReassignCaseAtSessionStart bool `toml:"reassign_case_at_session_start"`
	DoNotSendCField1           bool `toml:"do_not_send_cfield1"`
}

// Sandbox is the [sandbox] table.
type Sandbox struct {
	CAFile string `toml:"ca_file"` // PEM of the sandbox CA; only with rescue.instance = "sandbox"
}

// Dataverse is the [dataverse] table: schema names of the write-back table.
type Dataverse struct {
	SessionTable        string `toml:"session_table"`
	SessionKey          string `toml:"session_key"`
	TechnicianTable     string `toml:"technician_table"`
	TechnicianIDColumn  string `toml:"technician_id_column"`
	TechnicianSSOColumn string `toml:"technician_sso_column"`
}

// ErrUnknownKey is wrapped by the error Parse and Load return when the file holds a key this
// version does not know.
var ErrUnknownKey = errors.New("unknown key")

// ErrBrokenFile is wrapped by the error Save returns when the file already on disk does not
// parse: Save never replaces it, so the user's text is never lost.
var ErrBrokenFile = errors.New("existing file does not parse; not overwriting it")

// Default returns the settings of a fresh install. It does not pass Validate on its own:
// dynamics.url and dynamics.tenant_id have no sensible default and must be set.
func Default() Config {
	return Config{
		Dynamics: Dynamics{ClientID: DefaultClientID, Authority: DefaultAuthority},
		Rescue: Rescue{
			Instance: InstanceProduction, Endpoint: ProductionEndpoint,
			CorrelationField: DefaultCorrelationField, PINValidityMinutes: DefaultPINValidityMinutes,
		},
		Options: Options{RequireActiveConsole: true},
		Dataverse: Dataverse{
			SessionTable: DefaultSessionTable,
			SessionKey:   DefaultSessionKey,

			TechnicianTable:     DefaultTechnicianTable,
			TechnicianIDColumn:  DefaultTechnicianIDColumn,
			TechnicianSSOColumn: DefaultTechnicianSSOColumn,
		},
	}
}

// DefaultPath returns os.UserConfigDir()/rescue-companion/config.toml.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "rescue-companion", "config.toml"), nil
}
