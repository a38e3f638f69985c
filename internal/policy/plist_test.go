package policy

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodePlistValues(t *testing.T) {
	text := plistDict(`
	<!-- a comment -->
	<key>s</key><string>a &amp; b</string>
	<key>empty</key><string/>
	<key>n</key><integer> -42 </integer>
	<key>big</key><integer>18446744073709551615</integer>
	<key>r</key><real>1.5</real>
	<key>t</key><true/>
	<key>f</key><false/>
	<key>d</key><date>2026-01-02T03:04:05Z</date>
	<key>b</key><data>
		aGVs
		bG8=
	</data>
	<key>list</key><array><string>x</string><integer>1</integer><array/></array>
	<key>nested</key><dict><key>k</key><string>v</string></dict>`)
	got, err := decodePlist([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"s": "a & b", "empty": "", "n": int64(-42), "big": uint64(18446744073709551615),
		"r": 1.5, "t": true, "f": false,
		"d":      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"b":      []byte("hello"),
		"list":   []any{"x", int64(1), []any{}},
		"nested": map[string]any{"k": "v"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestDecodePlistErrors(t *testing.T) {
	deep := strings.Repeat("<array>", maxPlistDepth+2) + strings.Repeat("</array>", maxPlistDepth+2)
	tests := []struct{ name, text, want string }{
		{"binary", "bplist00\x00\x01", "binary property list (convert it with plutil -convert xml1)"},
		{"not a plist", "<dict></dict>", "not a property list: no <plist> element"},
		{"empty file", " \n", "the file is empty"},
		{"only a declaration", `<?xml version="1.0"?>`, "the property list ends too early"},
		{"empty plist", "<plist></plist>", "empty <plist>"},
		{"two values", "<plist><true/><false/></plist>", "<plist> holds more than one value"},
		{"after plist", "<plist><true/></plist><x/>", "unexpected <x> after </plist>"},
		{"text after plist", "<plist><true/></plist>junk", `unexpected text "junk" after </plist>`},
		{"truncated", "<plist><dict><key>a</key>", "XML syntax error on line 1: unexpected EOF"},
		{"mismatched", "<plist><dict></array></plist>", "XML syntax error on line 1: element <dict> closed by </array>"},
		{"key outside dict", "<plist><key>a</key></plist>", "<key> outside a <dict>"},
		{"unknown element", "<plist><foo/></plist>", "unknown element <foo>"},
		{"value where key", "<plist><dict><string>a</string></dict></plist>", "<string> where a <dict> expects <key>"},
		{"key without value", "<plist><dict><key>a</key></dict></plist>", `key "a" has no value`},
		{"duplicate key", "<plist><dict><key>a</key><true/><key>a</key><true/></dict></plist>", `key "a" appears twice`},
		{"text in dict", "<plist><dict>oops</dict></plist>", `unexpected text "oops"`},
		{"element in string", "<plist><string>a<b/></string></plist>", "<b> inside <string>"},
		{"text in true", "<plist><true>yes</true></plist>", "<true> holds text"},
		{"bad integer", "<plist><integer>1.5</integer></plist>", `<integer> "1.5" is not a whole number`},
		{"bad real", "<plist><real>x</real></plist>", `<real> "x" is not a number`},
		{"bad date", "<plist><date>yesterday</date></plist>", `<date> "yesterday" is not an ISO 8601 date`},
		{"bad data", "<plist><data>!!</data></plist>", "<data> is not base64"},
		{"nested error names key", "<plist><dict><key>a</key><integer>x</integer></dict></plist>", `"a": <integer> "x" is not a whole number`},
		{"too deep", "<plist>" + deep + "</plist>", "nested more than 32 levels"},
	}
	for _, tt := range tests {
		_, err := decodePlist([]byte(tt.text))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestParseManagedPreferences(t *testing.T) {
	const source = "/Library/Managed Preferences/com.rescuecompanion.app.plist"
	p, err := parseManagedPreferences(source, []byte(plistDict(`
		<key>PayloadUUID</key><string>profile bookkeeping is skipped</string>
		<key>DynamicsUrl</key><string>https://contoso.crm4.dynamics.com</string>
		<key>CompanyId</key><integer>1234567</integer>
		<key>PinValidityMinutes</key><integer>15</integer>
		<key>RequireActiveConsole</key><false/>
		<key>ReassignCaseAtSessionStart</key><true/>
		<key>TechnicianSsoId</key><string></string>`)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"dynamics.url":                           "https://contoso.crm4.dynamics.com",
		"rescue.company_id":                      "1234567",
		"rescue.pin_validity_minutes":            15,
		"options.require_active_console":         false,
		"options.reassign_case_at_session_start": true,
	}
	if !reflect.DeepEqual(p.Values, want) {
		t.Errorf("values:\n got %#v\nwant %#v", p.Values, want)
	}
}

func TestParseManagedPreferencesErrors(t *testing.T) {
	const source = "/m.plist"
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			"case matters", plistDict(`<key>dynamicsurl</key><string>https://x</string>`),
			[]string{`policy /m.plist: unknown setting "dynamicsurl"`},
		},
		{
			"types", plistDict(`
			<key>PinValidityMinutes</key><real>20.5</real>
			<key>RequireActiveConsole</key><string>maybe</string>
			<key>TenantId</key><array><string>x</string></array>
			<key>SessionTable</key><dict/>`),
			[]string{
				`policy /m.plist: PinValidityMinutes (rescue.pin_validity_minutes): is a decimal number, want a whole number`,
				`policy /m.plist: RequireActiveConsole (options.require_active_console): "maybe" is not 0, 1, true or false`,
				`policy /m.plist: SessionTable (dataverse.session_table): is a dictionary, want text`,
				`policy /m.plist: TenantId (dynamics.tenant_id): is a list, want text`,
			},
		},
		{
			"top is not a dict", "<plist><array/></plist>",
			[]string{`policy /m.plist: the top value is a list, want a dictionary`},
		},
		{"malformed", "<plist><dict>", []string{`policy /m.plist: XML syntax error on line 1: unexpected EOF`}},
	}
	for _, tt := range tests {
		_, err := parseManagedPreferences(source, []byte(tt.text))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
