package policy

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

func linuxSources(text string) Sources {
	return Sources{GOOS: "linux", Files: fakeFiles{files: map[string]string{TOMLPath: text}}}
}

func TestTOMLGoodValues(t *testing.T) {
	p, err := linuxSources(`
[dynamics]
url = "https://contoso.crm4.dynamics.com"
tenant_id = ""            # empty: not managed
[rescue]
pin_validity_minutes = 45
company_id = 1234567      # a number for text
[options]
require_active_console = false
do_not_send_cfield1 = "true"
`).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"dynamics.url":                   "https://contoso.crm4.dynamics.com",
		"rescue.pin_validity_minutes":    45,
		"rescue.company_id":              "1234567",
		"options.require_active_console": false,
		"options.do_not_send_cfield1":    true,
	}
	if !reflect.DeepEqual(p.Values, want) {
		t.Errorf("values:\n got %#v\nwant %#v", p.Values, want)
	}
	if p.Source != TOMLPath || p.SourceOf("dynamics.url") != TOMLPath {
		t.Errorf("source %q", p.Source)
	}
}

func TestTOMLDottedKeysAndInlineTables(t *testing.T) {
	p, err := linuxSources("dynamics.url = \"https://a.example\"\noptions = { do_not_send_cfield1 = true }\n").Load(context.Background())
	if err != nil || p.Values["dynamics.url"] != "https://a.example" || p.Values["options.do_not_send_cfield1"] != true {
		t.Errorf("%+v, %v", p, err)
	}
}

func TestTOMLErrors(t *testing.T) {
	const prefix = "policy /etc/rescue-companion/policy.toml: "
	tests := []struct {
		name, text string
		want       []string
	}{
		{"typo", "[dynamics]\nurll = \"x\"\n", []string{`unknown setting "dynamics.urll"`}},
		{"not managed", "[sandbox]\nca_file = \"/tmp/ca.pem\"\n", []string{`unknown setting "sandbox.ca_file"`}},
		{"top-level key", "url = \"x\"\n", []string{`unknown setting "url"`}},
		{"unknown table", "[dynamic]\nurl = \"x\"\n", []string{`unknown setting "dynamic.url"`}},
		{"table too deep", "[dynamics.more]\nx = 1\n", []string{`unknown setting "dynamics.more"`}},
		{"array of tables", "[[dynamics]]\nurl = \"x\"\n", []string{`unknown setting "dynamics"`}},
		{"types", `
[rescue]
pin_validity_minutes = 20.0
instance = ["production"]
[options]
require_active_console = "yes"
close_request_at_session_end = 2
`, []string{
			`options.close_request_at_session_end: "2" is not 0 or 1`,
			`options.require_active_console: "yes" is not 0, 1, true or false`,
			`rescue.instance: is a list, want text`,
			`rescue.pin_validity_minutes: is a decimal number, want a whole number`,
		}},
		{"syntax", "[dynamics]\nurl = \n", nil},
	}
	for _, tt := range tests {
		_, err := linuxSources(tt.text).Load(context.Background())
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if tt.want == nil { // the TOML library's own message: one line, naming the file
			if len(lines) != 1 || !strings.HasPrefix(lines[0], prefix+"toml: line 2") {
				t.Errorf("%s: %q", tt.name, lines)
			}
			continue
		}
		var want []string
		for _, w := range tt.want {
			want = append(want, prefix+w)
		}
		if !reflect.DeepEqual(lines, want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, lines, want)
		}
	}
}

func TestTOMLMissingFileIsNoPolicy(t *testing.T) {
	s := Sources{GOOS: "freebsd", Files: fakeFiles{}}
	p, err := s.Load(context.Background())
	if err != nil || len(p.Values) != 0 || p.Source != "" {
		t.Errorf("%+v, %v", p, err)
	}
}

func TestTOMLUnreadableFileIsAnError(t *testing.T) {
	s := Sources{GOOS: "linux", Files: fakeFiles{errs: map[string]error{TOMLPath: fs.ErrPermission}}}
	if _, err := s.Load(context.Background()); !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), TOMLPath) {
		t.Errorf("error %v", err)
	}
}

func TestDefaultSourcesOfThisSystem(t *testing.T) {
	s := DefaultSources()
	if s.GOOS == "" || s.Files == nil || s.Registry == nil {
		t.Fatalf("%+v", s)
	}
	if _, err := os.Stat(TOMLPath); err == nil || s.GOOS == "windows" || s.GOOS == "darwin" {
		t.Skip("this machine has a policy of its own")
	}
	p, err := Load(context.Background())
	if err != nil || len(p.Values) != 0 {
		t.Errorf("no policy file: %+v, %v", p, err)
	}
}
