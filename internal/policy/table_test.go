package policy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

func TestTableNamesAndKeysAreUnique(t *testing.T) {
	names, keys := map[string]bool{}, map[string]bool{}
	for _, s := range Settings() {
		folded := strings.ToLower(s.Name)
		if names[folded] {
			t.Errorf("name %s appears twice (registry names ignore case)", s.Name)
		}
		if keys[s.Key] {
			t.Errorf("key %s appears twice", s.Key)
		}
		names[folded], keys[s.Key] = true, true
	}
	if len(keys) != 19 {
		t.Errorf("%d settings, want the 19 contract keys of the brief", len(keys))
	}
}

func TestTableKindsMatchConfigFields(t *testing.T) {
	want := map[Kind]reflect.Type{
		KindString: reflect.TypeFor[*string](),
		KindBool:   reflect.TypeFor[*bool](),
		KindInt:    reflect.TypeFor[*int](),
	}
	var c config.Config
	for _, s := range table {
		if got := reflect.TypeOf(s.field(&c)); got != want[s.Kind] {
			t.Errorf("%s: field is %v, kind %v", s.Key, got, s.Kind)
		}
	}
}

// Each row must point at the field that config.toml's key fills: the same value, set once
// through config.Parse and once through the row, gives the same settings.
func TestTableFieldsAreTheContractKeys(t *testing.T) {
	for i, s := range table {
		section, name, _ := strings.Cut(s.Key, ".")
		var literal string
		var value any
		switch s.Kind {
		case KindString:
			value = fmt.Sprintf("v%d", i)
			literal = fmt.Sprintf("%q", value)
		case KindBool:
			defaults := config.Default()
			value = !*s.field(&defaults).(*bool) // the opposite of the default, so a wrong field shows
			literal = fmt.Sprint(value)
		case KindInt:
			value = 100 + i
			literal = fmt.Sprint(value)
		}
		parsed, err := config.Parse(fmt.Appendf(nil, "[%s]\n%s = %s\n", section, name, literal))
		if err != nil {
			t.Fatalf("%s is not a key of config.toml: %v", s.Key, err)
		}
		viaTable := config.Default()
		if set, reason := assign(&viaTable, s, value); !set {
			t.Fatalf("%s: assign %v: %s", s.Key, value, reason)
		}
		if viaTable.Normalize() != parsed {
			t.Errorf("%s: the table's field differs from config.toml's:\n%+v\n%+v", s.Key, viaTable, parsed)
		}
	}
}

func TestTableMSIProperties(t *testing.T) {
	var got []string
	for _, s := range Settings() {
		if s.MSIProperty != "" {
			got = append(got, s.Name+"="+s.MSIProperty)
		}
	}
	want := []string{
		"DynamicsUrl=DYNAMICS_URL", "TenantId=TENANT_ID", "ClientId=CLIENT_ID",
		"RescueEndpoint=RESCUE_ENDPOINT", "CompanyId=COMPANY_ID",
		"RequireActiveConsole=REQUIRE_ACTIVE_CONSOLE", "CloseRequestAtSessionEnd=CLOSE_REQUEST_AT_SESSION_END",
		"ReassignCaseAtSessionStart=REASSIGN_CASE_AT_SESSION_START", "DoNotSendCfield1=DO_NOT_SEND_CFIELD1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("MSI properties:\n got %v\nwant %v", got, want)
	}
}

func TestNoSecretIsASetting(t *testing.T) {
	for _, s := range Settings() {
		lower := strings.ToLower(s.Key + " " + s.Name)
		for _, word := range []string{"password", "authcode", "auth_code", "secret", "token", "ca_file"} {
			if strings.Contains(lower, word) {
				t.Errorf("%s (%s) looks like a secret or a sandbox setting", s.Key, s.Name)
			}
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindString: "string", KindBool: "boolean", KindInt: "integer", Kind(9): "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
