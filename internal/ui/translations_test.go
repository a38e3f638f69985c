package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/rescuecompanion/rescue-companion/assets"
)

// Every text a screen passes to lang.L must exist in English and in French, and every translated text
// must still be used: a missing one would show English to a French technician, an unused one rots.
func TestEveryTextIsTranslated(t *testing.T) {
	used := usedTexts(t)
	for _, file := range []string{"en.json", "fr.json"} {
		raw, err := assets.Translations.ReadFile("translations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var texts map[string]string
		if err := json.Unmarshal(raw, &texts); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for key := range used {
			if texts[key] == "" {
				t.Errorf("%s lacks %q", file, key)
			}
		}
		for key := range texts {
			if !used[key] {
				t.Errorf("%s has %q, which no screen uses", file, key)
			}
		}
	}
}

var langCall = regexp.MustCompile(`lang\.L\("((?:[^"\\]|\\.)*)"\)`)

// usedTexts are the literal lang.L keys in the package, plus the labelled detail fields.
func usedTexts(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range files {
		if filepath.Ext(f) == ".go" && len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range langCall.FindAllStringSubmatch(string(src), -1) {
			text, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Fatalf("%s: %v", m[0], err)
			}
			used[text] = true
		}
	}
	for _, f := range detailFields {
		used[f] = true
	}
	if len(used) < 20 {
		keys := make([]string, 0, len(used))
		for k := range used {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("found only %d texts: %v", len(used), keys)
	}
	return used
}
