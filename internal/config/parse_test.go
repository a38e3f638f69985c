package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// contractFile is the documented file, comments included, as IT would deploy it.
const contractFile = `[dynamics]
url = "https://contoso.crm4.dynamics.com"   # organisation URL, https only
tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
client_id = "0b0b0b0b-1111-2222-3333-444444444444"
authority = "https://login.microsoftonline.com"
[rescue]
instance = "custom"                          # production | beta | sandbox | custom
endpoint = "https://rescue.contoso.example/API"
company_id = "123456"
technician_sso_id = "camille"
correlation_field = "cfield3"
pin_validity_minutes = 15
[options]
require_active_console = false
close_request_at_session_end = true
reassign_case_at_session_start = true
do_not_send_cfield1 = true
[sandbox]
ca_file = ""
[dataverse]
session_table = "new_rescuesessions"
session_key = "new_sessionid"
technician_table = "new_techsettings"
technician_id_column = "new_techid"
technician_sso_column = "new_ssoid"
`

func contractConfig() Config {
	return Config{
		Dynamics: Dynamics{
			URL:       "https://contoso.crm4.dynamics.com",
			TenantID:  "72f988bf-86f1-41af-91ab-2d7cd011db47",
			ClientID:  "0b0b0b0b-1111-2222-3333-444444444444",
			Authority: "https://login.microsoftonline.com",
		},
		Rescue: Rescue{
			Instance:        "custom",
			Endpoint:        "https://rescue.contoso.example/API",
			CompanyID:       "123456",
			TechnicianSSOID: "camille",

			CorrelationField:   "cfield3",
			PINValidityMinutes: 15,
		},
		Options: Options{
			RequireActiveConsole:       false,
			CloseRequestAtSessionEnd:   true,
			ReassignCaseAtSessionStart: true,
			DoNotSendCField1:           true,
		},
		Dataverse: Dataverse{
			SessionTable: "new_rescuesessions", SessionKey: "new_sessionid",
			TechnicianTable: "new_techsettings", TechnicianIDColumn: "new_techid", TechnicianSSOColumn: "new_ssoid",
		},
	}
}

func TestParseContractKeys(t *testing.T) {
	c, err := Parse([]byte(contractFile))
	if err != nil {
		t.Fatal(err)
	}
	if c != contractConfig() {
		t.Errorf("Parse =\n%+v\nwant\n%+v", c, contractConfig())
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseCommentsAndOrderDoNotMatter(t *testing.T) {
	// The same settings, tables and keys shuffled, with comments, blank lines and dotted keys.
	shuffled := `# deployed by IT
[dataverse]
technician_sso_column = "new_ssoid"
session_key = "new_sessionid"
technician_id_column = "new_techid"
session_table = "new_rescuesessions"
technician_table = "new_techsettings"

[options]
do_not_send_cfield1 = true            # field 1 belongs to the account
reassign_case_at_session_start = true
close_request_at_session_end = true
require_active_console = false

[rescue]
pin_validity_minutes = 15
technician_sso_id = "camille"
correlation_field = " CField3 "
company_id = "123456"
endpoint = "https://rescue.contoso.example/API/"
instance = "custom"

[dynamics]
authority = "https://login.microsoftonline.com"
client_id = "0b0b0b0b-1111-2222-3333-444444444444"
tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
url = "https://contoso.crm4.dynamics.com/"
`
	c, err := Parse([]byte(shuffled))
	if err != nil {
		t.Fatal(err)
	}
	if c != contractConfig() {
		t.Errorf("Parse =\n%+v\nwant\n%+v", c, contractConfig())
	}
	dotted := `dynamics.url = "https://contoso.crm4.dynamics.com"
rescue.company_id = "42"
`
	c, err = Parse([]byte(dotted))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dynamics.URL != "https://contoso.crm4.dynamics.com" || c.Rescue.CompanyID != "42" {
		t.Errorf("dotted keys: %+v", c)
	}
}

func TestParseMissingKeysKeepDefaults(t *testing.T) {
	c, err := Parse([]byte("[options]\ndo_not_send_cfield1 = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Options.DoNotSendCField1 = true
	if c != want {
		t.Errorf("Parse = %+v, want %+v", c, want)
	}
	if !c.Options.RequireActiveConsole {
		t.Error("require_active_console must stay true when the file leaves it out")
	}
	empty, err := Parse(nil)
	if err != nil || empty != Default() {
		t.Errorf("Parse(nil) = %+v, %v; want Default()", empty, err)
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	want := Config{
		Dynamics: Dynamics{ClientID: "51f81489-12ee-4a9e-aaae-a2591f45987d", Authority: "https://login.microsoftonline.com"},
		Rescue: Rescue{
			Instance: "production", Endpoint: "https://secure.logmeinrescue.com/API",
			CorrelationField: "cfield5", PINValidityMinutes: 20,
		},
		Options: Options{RequireActiveConsole: true},
		Dataverse: Dataverse{
			SessionTable: "lmi_sessions", SessionKey: "lmi_sessionid",
			TechnicianTable: "lmi_usersettings", TechnicianIDColumn: "lmi_technicianid", TechnicianSSOColumn: "lmi_ssoid",
		},
	}
	if d != want {
		t.Errorf("Default() = %+v", d)
	}
	wantErr := "dynamics.url: \"\" is required\ndynamics.tenant_id: \"\" is required"
	if err := d.Validate(); err == nil || err.Error() != wantErr {
		t.Errorf("Default().Validate() = %v, want %q", err, wantErr)
	}
}

func TestUnknownKey(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{
			"typo in key", "[dynamics]\nurl = \"https://x.example\"\ntenant = \"x\"\n",
			`line 3: unknown key "dynamics.tenant" (did you mean "dynamics.tenant_id"?)`,
		},
		{
			"case matters", "[rescue]\n\nInstance = \"beta\"\n",
			`line 3: unknown key "rescue.Instance" (did you mean "rescue.instance"?)`,
		},
		{
			"unknown table counted once", "[dynamcis]\nurl = \"x\"\ntenant_id = \"y\"\n",
			`line 1: unknown key "dynamcis" (did you mean "dynamics"?)`,
		},
		{
			"no close match", "[options]\nrequire_active_console = true\ncolour = \"blue\"\n",
			`line 3: unknown key "options.colour"`,
		},
		{
			"top-level dotted key", "# c\ndynamics.urll = \"x\"\n",
			`line 2: unknown key "dynamics.urll" (did you mean "dynamics.url"?)`,
		},
		{
			"inside a multi-line string is not a key line", "[sandbox]\nca_file = \"\"\"\nx = 1\n\"\"\"\nx = 2\n",
			`line 5: unknown key "sandbox.x"`,
		},
		{
			"two problems, two lines", "[dynamics]\nurll = \"\"\n[rescue]\ncompanyid = \"1\"\n",
			"line 2: unknown key \"dynamics.urll\" (did you mean \"dynamics.url\"?)\n" +
				"line 4: unknown key \"rescue.companyid\" (did you mean \"rescue.company_id\"?)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.text))
			if err == nil {
				t.Fatalf("Parse accepted %q", tt.text)
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n  %s\nwant\n  %s", err, tt.want)
			}
			if !errors.Is(err, ErrUnknownKey) {
				t.Error("error does not wrap ErrUnknownKey")
			}
			if c != Default() {
				t.Error("a failed Parse must return Default()")
			}
		})
	}
}

func TestParseSyntaxAndTypeErrorsNameTheLine(t *testing.T) {
	for text, want := range map[string]string{
		"[options]\nrequire_active_console = \"yes\"\n": `line 2 (last key "options.require_active_console")`,
		"[dynamics]\nurl = \"a\"\nurl = \"b\"\n":        "line 3",
		"[rescue\n":                                     "line 2",
	} {
		_, err := Parse([]byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want it to mention %s", text, err, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none", "config.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load error = %v, want fs.ErrNotExist", err)
	}
	if c != Default() {
		t.Errorf("Load of a missing file = %+v, want Default()", c)
	}
}

func TestLoadNamesFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, path, "[rescue]\ninstanse = \"beta\"\n")
	_, err := Load(path)
	want := "config " + path + `: line 2: unknown key "rescue.instanse" (did you mean "rescue.instance"?)`
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Error("a bad file must not look like a missing one")
	}
}

func TestDefaultPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir) // Linux and BSD
	t.Setenv("AppData", dir)         // Windows
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, filepath.Join("rescue-companion", "config.toml")) {
		t.Errorf("DefaultPath() = %q", p)
	}
}

func TestQuotedDottedKeyIsNotTheNestedKey(t *testing.T) {
	_, err := Parse([]byte("\"dynamics.url\" = \"https://x.example\"\n"))
	want := `line 1: unknown key "\"dynamics.url\""`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Parse = %v, want %s", err, want)
	}
}

// The list of known keys must follow the struct tags, or a new setting would be refused.
func TestKnownKeysFollowTheStruct(t *testing.T) {
	text, err := encode(Default())
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	md, err := toml.Decode(string(text), &c)
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	for _, k := range md.Keys() {
		written = append(written, k.String())
	}
	if strings.Join(written, " ") != strings.Join(knownKeys, " ") {
		t.Errorf("keys written by Save:\n%v\nknownKeys:\n%v", written, knownKeys)
	}
}
