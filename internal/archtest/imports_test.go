package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rescuecompanion/rescue-companion"

type pkg struct {
	ImportPath string
	Imports    []string // direct imports of non-test files
	Deps       []string // every package it depends on, transitively
}

// listPackages asks the go command for every package of the module with its imports.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "migrated_fynedo", "-json=ImportPath,Imports,Deps", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// rule says that only the packages under allowed may depend on anything under forbidden.
type rule struct {
	forbidden string
	allowed   []string
	direct    bool // only direct imports count (for widely used packages such as net/http)
}

var rules = []rule{
	{forbidden: "fyne.io/fyne/v2", allowed: []string{module + "/app", module + "/internal/ui"}},
	{forbidden: "github.com/zalando/go-keyring", allowed: []string{module + "/internal/secrets"}, direct: true},
	{forbidden: "github.com/AzureAD/microsoft-authentication-library-for-go", allowed: []string{module + "/internal/auth"}, direct: true},
	{forbidden: "github.com/pkg/browser", allowed: []string{module + "/internal/browser"}, direct: true},
}

func TestHouseRulesOnImports(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if under(p.ImportPath, r.allowed...) {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if under(d, r.forbidden) {
					t.Errorf("%s imports %s; only %v may", p.ImportPath, d, r.allowed)
				}
			}
		}
	}
}

// The UI reaches the network, the keyring, MSAL and the browser only through values it is handed.
func TestUIStaysOffTheNetwork(t *testing.T) {
	banned := []string{"net/http", "github.com/zalando/go-keyring", "github.com/AzureAD/microsoft-authentication-library-for-go", "github.com/pkg/browser"}
	for _, p := range listPackages(t) {
		if !under(p.ImportPath, module+"/internal/ui") {
			continue
		}
		for _, d := range p.Imports {
			if under(d, banned...) {
				t.Errorf("%s imports %s", p.ImportPath, d)
			}
		}
	}
}

func TestUnderMatchesWholePathSegments(t *testing.T) {
	if !under("fyne.io/fyne/v2/widget", "fyne.io/fyne/v2") || under("fyne.io/fyne/v20", "fyne.io/fyne/v2") {
		t.Fatal("under must match whole path segments")
	}
}

func under(path string, roots ...string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+"/") {
			return true
		}
	}
	return false
}
