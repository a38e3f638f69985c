package policy

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// encodePlist writes v back as an XML property list, so the fuzzer can check that whatever
// decodes survives a round trip unchanged.
func encodePlist(v any) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">")
	writePlistValue(&b, v)
	b.WriteString("</plist>\n")
	return b.String()
}

func writePlistValue(b *strings.Builder, v any) {
	text := func(element, s string) {
		fmt.Fprintf(b, "<%s>", element)
		_ = xml.EscapeText(b, []byte(s))
		fmt.Fprintf(b, "</%s>", element)
	}
	switch v := v.(type) {
	case string:
		text("string", v)
	case int64:
		text("integer", strconv.FormatInt(v, 10))
	case uint64:
		text("integer", strconv.FormatUint(v, 10))
	case float64:
		text("real", strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		fmt.Fprintf(b, "<%t/>", v)
	case time.Time:
		text("date", v.Format(time.RFC3339))
	case []byte:
		text("data", base64.StdEncoding.EncodeToString(v))
	case []any:
		b.WriteString("<array>")
		for _, e := range v {
			writePlistValue(b, e)
		}
		b.WriteString("</array>")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("<dict>")
		for _, k := range keys {
			text("key", k)
			writePlistValue(b, v[k])
		}
		b.WriteString("</dict>")
	default:
		panic(fmt.Sprintf("decodePlist returned a %T", v))
	}
}

// samePlist compares decoded values, NaN equal to NaN and dates by instant.
func samePlist(a, b any) bool {
	switch a := a.(type) {
	case float64:
		bf, ok := b.(float64)
		return ok && (a == bf || math.IsNaN(a) && math.IsNaN(bf))
	case time.Time:
		bt, ok := b.(time.Time)
		return ok && a.Equal(bt)
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !samePlist(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !samePlist(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func FuzzDecodePlist(f *testing.F) {
	f.Add([]byte(plistDict(`<key>DynamicsUrl</key><string>https://x</string><key>RequireActiveConsole</key><true/>`)))
	f.Add([]byte(plistDict(`<key>PinValidityMinutes</key><integer>-9223372036854775809</integer>`)))
	f.Add([]byte(`<plist><array><real>NaN</real><date>2026-01-01T00:00:00+02:00</date><data>AA==</data></array></plist>`))
	f.Add([]byte(`<plist><dict><key>a&#xD;b</key><string>&lt;&#x9;&gt;</string></dict></plist>`))
	f.Add([]byte("bplist00"))
	f.Add([]byte(`<plist><dict><key>a</key></dict></plist>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodePlist(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		again, err := decodePlist([]byte(encodePlist(v)))
		if err != nil {
			t.Fatalf("re-encoded plist does not decode: %v\n%s", err, encodePlist(v))
		}
		if !samePlist(v, again) {
			t.Fatalf("round trip changed the value:\n%#v\n%#v", v, again)
		}
		if dict, ok := v.(map[string]any); ok {
			p, _ := fromNamedValues("fuzz", dict, false)
			checkPolicyValues(t, p)
		}
	})
}

// checkPolicyValues holds a loaded policy to its contract: known keys, values of their kind,
// and an Apply that does not panic.
func checkPolicyValues(t *testing.T, p Policy) {
	t.Helper()
	for key, v := range p.Values {
		s, ok := byKey(key)
		if !ok {
			t.Fatalf("policy holds unknown key %q", key)
		}
		switch v.(type) {
		case string:
			ok = s.Kind == KindString && v != ""
		case bool:
			ok = s.Kind == KindBool
		case int:
			ok = s.Kind == KindInt
		default:
			ok = false
		}
		if !ok {
			t.Fatalf("%s (%v) holds %#v", key, s.Kind, v)
		}
	}
	_, locked, err := Apply(config.Default(), p)
	for key := range locked {
		if _, ok := p.Values[key]; !ok && key != "rescue.instance" && key != "rescue.endpoint" {
			t.Fatalf("%s is locked without a policy value", key)
		}
	}
	if err != nil && strings.Contains(err.Error(), "\n") && len(p.Values) < 2 {
		t.Fatalf("one value gave more than one line: %q", err)
	}
}

// FuzzRegistryValues feeds one registry value of every type to the conversion.
func FuzzRegistryValues(f *testing.F) {
	f.Add("RequireActiveConsole", uint8(1), "", uint64(1))
	f.Add("PinValidityMinutes", uint8(1), "", uint64(1<<40))
	f.Add("DynamicsUrl", uint8(0), "https://contoso.crm4.dynamics.com", uint64(0))
	f.Add("companyid", uint8(1), "", uint64(1234567))
	f.Add("TenantId", uint8(2), "a\x00b", uint64(0))
	f.Add("DoNotSendCfield1", uint8(0), " TRUE ", uint64(0))
	f.Add("RescueEndpoint", uint8(3), "\xff\xfe", uint64(0))
	f.Fuzz(func(t *testing.T, name string, typ uint8, s string, n uint64) {
		var raw any
		switch typ % 4 {
		case 0:
			raw = s // REG_SZ
		case 1:
			raw = n // REG_DWORD, REG_QWORD
		case 2:
			raw = strings.Split(s, "\x00") // REG_MULTI_SZ
		case 3:
			raw = []byte(s) // REG_BINARY and the rest
		}
		p, err := fromRegistry(registryWith(map[string]any{name: raw}))
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("one value gave more than one line: %q", err)
		}
		if _, known := byName(name, true); !known && name != "" && err == nil {
			t.Fatalf("unknown name %q accepted", name)
		}
		checkPolicyValues(t, p)
	})
}

func FuzzParseTOML(f *testing.F) {
	f.Add([]byte("[dynamics]\nurl = \"https://x.example\"\n[options]\nrequire_active_console = 1\n"))
	f.Add([]byte("[rescue]\npin_validity_minutes = 9223372036854775807\ninstance = \"custom\"\n"))
	f.Add([]byte("[sandbox]\nca_file = \"x\"\n[[dynamics]]\n"))
	f.Add([]byte("dynamics = { url = [1, 2] }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseTOML("fuzz", data)
		if err == nil && p.Source != "fuzz" {
			t.Fatalf("source %q", p.Source)
		}
		checkPolicyValues(t, p)
	})
}
