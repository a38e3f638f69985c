package policy

import (
	"context"
	"errors"
	"io/fs"
	"testing"
)

const (
	machinePlist = "/Library/Managed Preferences/com.rescuecompanion.app.plist"
	alicePlist   = "/Library/Managed Preferences/alice/com.rescuecompanion.app.plist"
)

func TestManagedPreferencePaths(t *testing.T) {
	if got := MachinePlistPath(); got != machinePlist {
		t.Errorf("machine path %q", got)
	}
	if got := UserPlistPath("alice"); got != alicePlist {
		t.Errorf("user path %q", got)
	}
}

func macSources(files map[string]string) Sources {
	return Sources{GOOS: "darwin", Files: fakeFiles{files: files}, User: "alice"}
}

func TestManagedPreferencesUserWinsOverMachine(t *testing.T) {
	s := macSources(map[string]string{
		machinePlist: plistDict(`
			<key>DynamicsUrl</key><string>https://machine.crm.dynamics.com</string>
			<key>CompanyId</key><string>111</string>`),
		alicePlist: plistDict(`
			<key>CompanyId</key><string>222</string>
			<key>TechnicianSsoId</key><string>alice@contoso.com</string>`),
	})
	p, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ key, value, source string }{
		{"dynamics.url", "https://machine.crm.dynamics.com", machinePlist},
		{"rescue.company_id", "222", alicePlist},
		{"rescue.technician_sso_id", "alice@contoso.com", alicePlist},
	}
	for _, c := range checks {
		if p.Values[c.key] != c.value || p.SourceOf(c.key) != c.source {
			t.Errorf("%s = %v from %s; want %s from %s", c.key, p.Values[c.key], p.SourceOf(c.key), c.value, c.source)
		}
	}
	if want := machinePlist + " and " + alicePlist; p.Source != want {
		t.Errorf("source %q, want %q", p.Source, want)
	}
}

func TestManagedPreferencesMachineOnlyAndNone(t *testing.T) {
	p, err := macSources(map[string]string{machinePlist: plistDict(`<key>CompanyId</key><string>1</string>`)}).Load(context.Background())
	if err != nil || p.Source != machinePlist || p.Values["rescue.company_id"] != "1" {
		t.Errorf("machine only: %+v, %v", p, err)
	}
	p, err = macSources(nil).Load(context.Background())
	if err != nil || p.Source != "" || len(p.Values) != 0 {
		t.Errorf("no files: %+v, %v", p, err)
	}
}

func TestManagedPreferencesIgnoresAUserNameThatIsAPath(t *testing.T) {
	for user, want := range map[string]bool{
		"alice": true, "jean.dupont": true, "../alice": false, "a/b": false,
		`a\b`: false, "..": false, ".": false, "": false,
	} {
		if got := isPlainName(user); got != want {
			t.Errorf("isPlainName(%q) = %v", user, got)
		}
	}
	s := macSources(map[string]string{UserPlistPath("../alice"): "not a plist"})
	s.User = "../alice"
	if _, err := s.Load(context.Background()); err != nil {
		t.Errorf("a user name with a slash was followed: %v", err)
	}
}

func TestManagedPreferencesBinaryFiles(t *testing.T) {
	files := map[string]string{machinePlist: "bplist00 binary"}
	_, err := macSources(files).Load(context.Background())
	want := "policy " + machinePlist + ": binary property list (convert it with plutil -convert xml1)"
	if err == nil || err.Error() != want {
		t.Errorf("without a converter: %v", err)
	}

	s := macSources(files)
	var converted string
	s.PlistToXML = func(_ context.Context, path string) ([]byte, error) {
		converted = path
		return []byte(plistDict(`<key>CompanyId</key><string>42</string>`)), nil
	}
	p, err := s.Load(context.Background())
	if err != nil || converted != machinePlist || p.Values["rescue.company_id"] != "42" {
		t.Errorf("with a converter: %+v, %v (converted %q)", p, err, converted)
	}

	s.PlistToXML = func(context.Context, string) ([]byte, error) { return nil, errors.New("plutil: exit status 1") }
	if _, err := s.Load(context.Background()); err == nil || err.Error() != "policy "+machinePlist+": plutil: exit status 1" {
		t.Errorf("failing converter: %v", err)
	}
}

func TestManagedPreferencesUnreadableFileIsAnError(t *testing.T) {
	s := macSources(map[string]string{machinePlist: plistDict(`<key>CompanyId</key><string>1</string>`)})
	s.Files = fakeFiles{
		files: map[string]string{machinePlist: plistDict(`<key>CompanyId</key><string>1</string>`)},
		errs:  map[string]error{alicePlist: fs.ErrPermission},
	}
	p, err := s.Load(context.Background())
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("error %v, want permission denied", err)
	}
	if p.Values["rescue.company_id"] != "1" {
		t.Errorf("the readable file is lost: %+v", p)
	}
}
