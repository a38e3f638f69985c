package config

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dirNames lists the names in dir, to catch temporary files left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

const savedContract = `# Rescue Companion settings. Keys are documented with the app; unknown keys are an error.

[dynamics]
url = "https://contoso.crm4.dynamics.com"
tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
client_id = "0b0b0b0b-1111-2222-3333-444444444444"
authority = "https://login.microsoftonline.com"

[rescue]
instance = "custom"
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

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rescue-companion")
	path := filepath.Join(dir, "config.toml")
	in := contractConfig()
	in.Dynamics.URL += "/" // saved normalised
	if err := Save(path, in); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != savedContract {
		t.Errorf("saved text =\n%s\nwant\n%s", got, savedContract)
	}
	out, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != contractConfig() {
		t.Errorf("Load after Save = %+v, want %+v", out, contractConfig())
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("directory holds %q, want only config.toml", got)
	}
	if runtime.GOOS == "windows" {
		return // no Unix permission bits
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, want 0700", fi.Mode().Perm())
	}
}

func TestSaveReplacesAValidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, path, "# mine\n[options]\ndo_not_send_cfield1 = true\n")
	if err := Save(path, contractConfig()); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != savedContract {
		t.Errorf("saved text =\n%s", got)
	}
}

func TestSaveNeverOverwritesABrokenFile(t *testing.T) {
	for name, text := range map[string]string{
		"syntax":      "[dynamics\nurl = \"https://contoso.crm4.dynamics.com\"\n",
		"unknown key": "[dynamics]\nurl = \"https://contoso.crm4.dynamics.com\"\nmy_note = \"keep me\"\n",
		"wrong type":  "[options]\nrequire_active_console = \"yes\"\n",
		"binary":      "\x00\xff\xfe",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.toml")
			writeFile(t, path, text)
			err := Save(path, contractConfig())
			if !errors.Is(err, ErrBrokenFile) {
				t.Fatalf("Save = %v, want ErrBrokenFile", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if got := readFile(t, path); got != text {
				t.Errorf("file changed to %q", got)
			}
			if got := dirNames(t, dir); len(got) != 1 {
				t.Errorf("directory holds %q", got)
			}
		})
	}
}

func TestSaveRefusesWhenTheFileCannotBeRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.Mkdir(path, 0o700); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	if err := Save(path, contractConfig()); !errors.Is(err, ErrBrokenFile) {
		t.Fatalf("Save = %v, want ErrBrokenFile", err)
	}
}

func TestSaveInterruptedWriteKeepsTheOriginal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	original := "[options]\ndo_not_send_cfield1 = true\n"
	writeFile(t, path, original)

	failing := errors.New("disk full")
	saved := writeData
	t.Cleanup(func() { writeData = saved })
	writeData = func(f *os.File, data []byte) error {
		if _, err := f.Write(data[:len(data)/2]); err != nil {
			return err
		}
		return failing
	}
	if err := Save(path, contractConfig()); !errors.Is(err, failing) {
		t.Fatalf("Save = %v, want the write error", err)
	}
	if got := readFile(t, path); got != original {
		t.Errorf("original changed to %q", got)
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("temporary file left behind: %q", got)
	}
	c, err := Load(path)
	if err != nil || !c.Options.DoNotSendCField1 {
		t.Errorf("Load after a failed Save = %+v, %v", c, err)
	}
}

// The child half of TestSaveKilledMidWrite: it starts a Save, stops half-way through writing
// and waits there to be killed.
const killChildEnv = "RC_CONFIG_KILL_CHILD_PATH"

const halfWritten = "half-written"

func TestSaveKilledMidWrite(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		writeData = func(f *os.File, data []byte) error {
			if _, err := f.Write(data[:len(data)/2]); err != nil {
				return err
			}
			fmt.Println(halfWritten)
			select {} // killed here
		}
		_ = Save(path, contractConfig())
		t.Fatal("Save returned in the child; it should have been killed")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	original := "# mine\n[options]\ndo_not_send_cfield1 = true # keep\n"
	writeFile(t, path, original)

	child := exec.Command(os.Args[0], "-test.run=^TestSaveKilledMidWrite$", "-test.count=1")
	child.Env = append(os.Environ(), killChildEnv+"="+path)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != halfWritten {
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	if got := readFile(t, path); got != original {
		t.Fatalf("original changed to %q", got)
	}
	var leftovers []string
	for _, name := range dirNames(t, dir) {
		if name != "config.toml" {
			leftovers = append(leftovers, name)
		}
	}
	if len(leftovers) != 1 || !strings.HasPrefix(leftovers[0], ".config.toml.") {
		t.Fatalf("want the killed child's temporary file left behind, got %q", leftovers)
	}
	if partial := readFile(t, filepath.Join(dir, leftovers[0])); len(partial) == 0 || len(partial) >= len(savedContract) {
		t.Fatalf("temporary file holds %d bytes, want part of %d", len(partial), len(savedContract))
	}

	c, err := Load(path)
	if err != nil || !c.Options.DoNotSendCField1 {
		t.Fatalf("Load after the kill = %+v, %v", c, err)
	}
	if err := Save(path, contractConfig()); err != nil {
		t.Fatalf("Save after the kill: %v", err)
	}
	if c, err := Load(path); err != nil || c != contractConfig() {
		t.Fatalf("Load after the next Save = %+v, %v", c, err)
	}
}
