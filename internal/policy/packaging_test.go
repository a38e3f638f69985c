package policy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// packagingDir holds the files IT deploys; the tests below hold them to the table.
const packagingDir = "../../packaging/policy"

func readPackaging(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(packagingDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wellFormed reads every token, which xml.Unmarshal alone does not (it stops after the root).
func wellFormed(t *testing.T, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

type ref struct {
	Ref string `xml:"ref,attr"`
}

type decimalValue struct {
	Value string `xml:"value,attr"`
}

type admxPolicy struct {
	Name         string        `xml:"name,attr"`
	Class        string        `xml:"class,attr"`
	DisplayName  string        `xml:"displayName,attr"`
	ExplainText  string        `xml:"explainText,attr"`
	Presentation string        `xml:"presentation,attr"`
	Key          string        `xml:"key,attr"`
	ValueName    string        `xml:"valueName,attr"`
	Parent       ref           `xml:"parentCategory"`
	SupportedOn  ref           `xml:"supportedOn"`
	Enabled      *decimalValue `xml:"enabledValue>decimal"`
	Disabled     *decimalValue `xml:"disabledValue>decimal"`
	Texts        []admxElement `xml:"elements>text"`
	Decimals     []admxElement `xml:"elements>decimal"`
	Enums        []admxElement `xml:"elements>enum"`
}

type admxElement struct {
	ID        string `xml:"id,attr"`
	ValueName string `xml:"valueName,attr"`
	Required  string `xml:"required,attr"`
	MinValue  string `xml:"minValue,attr"`
	MaxValue  string `xml:"maxValue,attr"`
	Items     []struct {
		DisplayName string `xml:"displayName,attr"`
		Value       string `xml:"value>string"`
	} `xml:"item"`
}

type admxFile struct {
	XMLName    xml.Name `xml:"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions policyDefinitions"`
	Categories []struct {
		Name        string `xml:"name,attr"`
		DisplayName string `xml:"displayName,attr"`
		Parent      ref    `xml:"parentCategory"`
	} `xml:"categories>category"`
	Supported []struct {
		Name        string `xml:"name,attr"`
		DisplayName string `xml:"displayName,attr"`
	} `xml:"supportedOn>definitions>definition"`
	Policies []admxPolicy `xml:"policies>policy"`
}

func readADMX(t *testing.T) admxFile {
	data := readPackaging(t, "RescueCompanion.admx")
	wellFormed(t, "RescueCompanion.admx", data)
	var f admxFile
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// elements lists every element of a policy with the tag it was written as.
func (p admxPolicy) elements() map[string]admxElement {
	all := map[string]admxElement{}
	for tag, list := range map[string][]admxElement{"text": p.Texts, "decimal": p.Decimals, "enum": p.Enums} {
		for _, e := range list {
			all[tag] = e
		}
	}
	return all
}

func TestADMXMatchesTheTable(t *testing.T) {
	f := readADMX(t)
	var names []string
	byValue := map[string]admxPolicy{}
	for _, p := range f.Policies {
		name := p.ValueName
		for _, e := range p.elements() {
			name = e.ValueName
		}
		names = append(names, name)
		byValue[name] = p
	}
	var want []string
	for _, s := range Settings() {
		want = append(want, s.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("ADMX value names, in order:\n got %v\nwant %v", names, want)
	}
	for _, s := range Settings() {
		checkPolicy(t, s, byValue[s.Name])
	}
}

func checkPolicy(t *testing.T, s Setting, p admxPolicy) {
	t.Helper()
	if p.Name != s.Name || p.Class != "Machine" || p.Key != `Software\Policies\RescueCompanion` {
		t.Errorf("%s: name %q class %q key %q", s.Name, p.Name, p.Class, p.Key)
	}
	elements := p.elements()
	switch s.Kind {
	case KindBool:
		if p.ValueName != s.Name || p.Enabled == nil || p.Enabled.Value != "1" ||
			p.Disabled == nil || p.Disabled.Value != "0" || len(elements) != 0 || p.Presentation != "" {
			t.Errorf("%s: a boolean needs valueName, enabledValue 1 and disabledValue 0, and nothing else: %+v", s.Name, p)
		}
	case KindInt:
		e, ok := elements["decimal"]
		if len(elements) != 1 || !ok || e.MinValue != "1" || e.MaxValue != "1440" || e.Required != "true" {
			t.Errorf("%s: an integer needs one required decimal element of 1 to 1440: %+v", s.Name, elements)
		}
	case KindString:
		text, isText := elements["text"]
		enum, isEnum := elements["enum"]
		if len(elements) != 1 || !(isText && text.Required == "true" || isEnum && enum.Required == "true") {
			t.Errorf("%s: a string needs one required text or enum element: %+v", s.Name, elements)
		}
		for _, item := range enum.Items {
			checkEnumValue(t, s, item.Value)
		}
	}
	if s.Kind != KindBool && (p.ValueName != "" || p.Enabled != nil || p.Presentation != "$(presentation."+s.Name+")") {
		t.Errorf("%s: valueName %q, enabledValue %v, presentation %q", s.Name, p.ValueName, p.Enabled, p.Presentation)
	}
	for _, e := range elements {
		if e.ID != s.Name {
			t.Errorf("%s: element id %q", s.Name, e.ID)
		}
	}
}

// checkEnumValue makes sure a drop-down offers only values the settings accept.
func checkEnumValue(t *testing.T, s Setting, value string) {
	t.Helper()
	if _, _, err := Apply(validSettings(), Policy{Values: map[string]any{s.Key: value}}); err != nil {
		t.Errorf("%s: the drop-down offers %q: %v", s.Name, value, err)
	}
}

func validSettings() config.Config {
	c := config.Default()
	c.Dynamics.URL = "https://contoso.crm4.dynamics.com"
	c.Dynamics.TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	return c
}

var resourceRef = regexp.MustCompile(`^\$\((string|presentation)\.([A-Za-z0-9_]+)\)$`)

// admxReferences lists the string and presentation IDs the ADMX uses.
func admxReferences(t *testing.T, f admxFile) (strs, presentations map[string]bool) {
	strs, presentations = map[string]bool{}, map[string]bool{}
	use := func(where, value string) {
		m := resourceRef.FindStringSubmatch(value)
		if m == nil {
			t.Errorf("%s: %q is not a $(string.…) or $(presentation.…) reference", where, value)
			return
		}
		if m[1] == "string" {
			strs[m[2]] = true
		} else {
			presentations[m[2]] = true
		}
	}
	categories := map[string]bool{}
	for _, c := range f.Categories {
		use("category "+c.Name, c.DisplayName)
		categories[c.Name] = true
	}
	supported := map[string]bool{}
	for _, s := range f.Supported {
		use("supportedOn "+s.Name, s.DisplayName)
		supported[s.Name] = true
	}
	for _, c := range f.Categories {
		if c.Parent.Ref != "" && !categories[c.Parent.Ref] {
			t.Errorf("category %s: unknown parent %q", c.Name, c.Parent.Ref)
		}
	}
	for _, p := range f.Policies {
		use(p.Name, p.DisplayName)
		use(p.Name, p.ExplainText)
		if p.Presentation != "" {
			use(p.Name, p.Presentation)
		}
		if !categories[p.Parent.Ref] || !supported[p.SupportedOn.Ref] {
			t.Errorf("%s: category %q or supportedOn %q is not defined", p.Name, p.Parent.Ref, p.SupportedOn.Ref)
		}
		for _, e := range p.Enums {
			for _, item := range e.Items {
				use(p.Name, item.DisplayName)
			}
		}
	}
	return strs, presentations
}

type admlFile struct {
	XMLName     xml.Name `xml:"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions policyDefinitionResources"`
	DisplayName string   `xml:"displayName"`
	Strings     []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID   string `xml:"id,attr"`
		Refs []struct {
			XMLName xml.Name
			RefID   string `xml:"refId,attr"`
		} `xml:",any"`
	} `xml:"resources>presentationTable>presentation"`
}

func TestADMLCoverTheADMX(t *testing.T) {
	f := readADMX(t)
	wantStrings, wantPresentations := admxReferences(t, f)
	elementTags := map[string]string{} // element id -> the presentation control it needs
	for _, p := range f.Policies {
		for tag, e := range p.elements() {
			elementTags[e.ID] = map[string]string{"text": "textBox", "decimal": "decimalTextBox", "enum": "dropdownList"}[tag]
		}
	}
	for _, lang := range []string{"en-US", "fr-FR"} {
		name := lang + "/RescueCompanion.adml"
		data := readPackaging(t, name)
		wellFormed(t, name, data)
		var l admlFile
		if err := xml.Unmarshal(data, &l); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := map[string]bool{}
		for _, s := range l.Strings {
			if got[s.ID] {
				t.Errorf("%s: string %s twice", name, s.ID)
			}
			got[s.ID] = true
			if strings.TrimSpace(s.Text) == "" {
				t.Errorf("%s: string %s is empty", name, s.ID)
			}
		}
		if !sameSet(got, wantStrings) {
			t.Errorf("%s: string IDs\n got %v\nwant %v", name, setKeys(got), setKeys(wantStrings))
		}
		gotPresentations := map[string]bool{}
		for _, p := range l.Presentations {
			gotPresentations[p.ID] = true
			if len(p.Refs) != 1 || p.Refs[0].RefID != p.ID || p.Refs[0].XMLName.Local != elementTags[p.ID] {
				t.Errorf("%s: presentation %s has controls %+v, want one %s for element %s", name, p.ID, p.Refs, elementTags[p.ID], p.ID)
			}
		}
		if !sameSet(gotPresentations, wantPresentations) {
			t.Errorf("%s: presentations\n got %v\nwant %v", name, setKeys(gotPresentations), setKeys(wantPresentations))
		}
	}
}

// mobileconfigSettings digs the managed preferences out of the sample profile.
func mobileconfigSettings(t *testing.T, profile map[string]any) map[string]any {
	t.Helper()
	payloads, _ := profile["PayloadContent"].([]any)
	for _, p := range payloads {
		payload, _ := p.(map[string]any)
		if payload["PayloadType"] != "com.apple.ManagedClient.preferences" {
			continue
		}
		domains, _ := payload["PayloadContent"].(map[string]any)
		domain, _ := domains[AppID].(map[string]any)
		forced, _ := domain["Forced"].([]any)
		if len(forced) != 1 {
			t.Fatalf("want one Forced entry, got %#v", domain)
		}
		entry, _ := forced[0].(map[string]any)
		settings, ok := entry["mcx_preference_settings"].(map[string]any)
		if !ok {
			t.Fatalf("no mcx_preference_settings in %#v", entry)
		}
		return settings
	}
	t.Fatal("no com.apple.ManagedClient.preferences payload")
	return nil
}

var uuidPattern = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)

func TestMobileconfigSample(t *testing.T) {
	const name = "com.rescuecompanion.app.mobileconfig"
	top, err := decodePlist(readPackaging(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	profile, ok := top.(map[string]any)
	if !ok || profile["PayloadType"] != "Configuration" || profile["PayloadVersion"] != int64(1) {
		t.Fatalf("%s is not a configuration profile: %#v", name, top)
	}
	settings := mobileconfigSettings(t, profile)
	want := map[string]bool{}
	for _, s := range Settings() {
		want[s.Name] = true
	}
	got := map[string]bool{}
	for k := range settings {
		got[k] = true
	}
	if !sameSet(got, want) {
		t.Errorf("profile keys\n got %v\nwant %v", setKeys(got), setKeys(want))
	}
	p, err := fromNamedValues(name, settings, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Apply(config.Default(), p); err != nil {
		t.Errorf("the sample's values do not pass: %v", err)
	}
	uuids := []any{profile["PayloadUUID"]}
	for _, payload := range profile["PayloadContent"].([]any) {
		uuids = append(uuids, payload.(map[string]any)["PayloadUUID"])
	}
	for _, u := range uuids {
		if s, _ := u.(string); !uuidPattern.MatchString(s) {
			t.Errorf("PayloadUUID %v is not an upper-case UUID", u)
		}
	}
	if uuids[0] == uuids[1] {
		t.Error("the two PayloadUUIDs are the same")
	}
}

func TestPolicyTOMLSample(t *testing.T) {
	data := readPackaging(t, "policy.toml")
	p, err := parseTOML("policy.toml", data)
	if err != nil || len(p.Values) != 0 {
		t.Fatalf("as shipped the sample must manage nothing: %+v, %v", p.Values, err)
	}
	uncommented := regexp.MustCompile(`(?m)^# ([a-z0-9_]+ = )`).ReplaceAll(data, []byte("$1"))
	p, err = parseTOML("policy.toml", uncommented)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range Settings() {
		want[s.Key] = true
	}
	got := map[string]bool{}
	for k := range p.Values {
		got[k] = true
	}
	if !sameSet(got, want) {
		t.Errorf("sample keys\n got %v\nwant %v", setKeys(got), setKeys(want))
	}
	if _, _, err := Apply(config.Default(), p); err != nil {
		t.Errorf("the sample's values do not pass: %v", err)
	}
}

func TestREADMEShowsTheTable(t *testing.T) {
	readme := string(readPackaging(t, "README.md"))
	if !strings.Contains(readme, markdownTable()) {
		t.Errorf("README.md does not hold the table as the code has it; paste this:\n%s", markdownTable())
	}
	for _, file := range []string{
		"RescueCompanion.admx", "en-US/RescueCompanion.adml", "fr-FR/RescueCompanion.adml",
		"com.rescuecompanion.app.mobileconfig", "policy.toml", RegistryPath, TOMLPath, ManagedPreferencesDir,
	} {
		if !strings.Contains(readme, file) {
			t.Errorf("README.md does not mention %s", file)
		}
	}
}

func sameSet(a, b map[string]bool) bool {
	return slices.Equal(setKeys(a), setKeys(b))
}

func setKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
