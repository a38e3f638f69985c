package desktop

import (
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDesktopExecQuoting(t *testing.T) {
	tests := []struct {
		exe  string
		args []string
		want string
	}{
		{testExe, minimized, testExec},
		{"/usr/bin/rc", nil, `"/usr/bin/rc"`},
		{"/usr/bin/rc", []string{"a b", "", "plain", "100%"}, `"/usr/bin/rc" "a b" "" plain 100%%`},
		// The spec's own examples: a literal backslash in a quoted argument is four backslashes in the
		// file, a dollar sign is \\$.
		{`/home/jo/My $tuff\bin/100% "rc"`, nil, `"/home/jo/My \\$tuff\\\\bin/100%% \\"rc\\""`},
		{"/usr/bin/rc", []string{"line\nbreak", "back`tick", "semi;colon", "tilde~"}, `"/usr/bin/rc" "line\nbreak" "back\\` + "`" + `tick" "semi;colon" "tilde~"`},
	}
	for _, tt := range tests {
		if got := desktopExec(tt.exe, tt.args); got != tt.want {
			t.Errorf("desktopExec(%q, %q)\n got %s\nwant %s", tt.exe, tt.args, got, tt.want)
		}
		if got, err := splitExec(tt.want); err != nil || !slices.Equal(got, append([]string{tt.exe}, tt.args...)) {
			t.Errorf("reading %s back gives %q, %v", tt.want, got, err)
		}
	}
}

// splitExec reads an Exec value as a launcher does: string escapes first, then the quoting rules,
// then %% as a literal percent sign. Unquoted reserved characters are an error.
func splitExec(value string) ([]string, error) {
	s, err := unescapeDesktopString(value)
	if err != nil {
		return nil, err
	}
	var words []string
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		word, next, err := execWord(s, i)
		if err != nil {
			return nil, err
		}
		words = append(words, strings.ReplaceAll(word, "%%", "%"))
		i = next
	}
	return words, nil
}

func execWord(s string, i int) (string, int, error) {
	if s[i] != '"' {
		end := strings.IndexByte(s[i:], ' ')
		if end < 0 {
			end = len(s) - i
		}
		word := s[i : i+end]
		if strings.ContainsAny(word, execReserved) {
			return "", 0, fmt.Errorf("unquoted reserved character in %q", word)
		}
		return word, i + end, nil
	}
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch {
		case s[i] == '"':
			if i+1 < len(s) && s[i+1] != ' ' {
				return "", 0, errors.New("text after a closing quote")
			}
			return b.String(), i + 1, nil
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"`$\\", s[i+1]) >= 0:
			i++
		case strings.IndexByte("\"`$\\", s[i]) >= 0:
			return "", 0, fmt.Errorf("unescaped %q inside quotes", s[i])
		}
		b.WriteByte(s[i])
	}
	return "", 0, errors.New("unclosed quote")
}

func unescapeDesktopString(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", errors.New("trailing backslash")
		}
		i++
		r, ok := map[byte]byte{'s': ' ', 'n': '\n', 't': '\t', 'r': '\r', '\\': '\\'}[s[i]]
		if !ok {
			return "", fmt.Errorf("unknown escape \\%c", s[i])
		}
		b.WriteByte(r)
	}
	return b.String(), nil
}

func TestParseDesktopEntry(t *testing.T) {
	got := parseDesktopEntry([]byte("# c\n[Desktop Entry]\r\nName = A\nName[fr]=B\nName=dup\nnot a pair\n=novalue\n[Desktop Action x]\nHidden=true\n"))
	want := map[string]string{"Name": "A", "Name[fr]": "B"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// FuzzDesktopEntryRoundTrip writes entries for arbitrary commands and reads them back: the entry
// keeps its keys (no argument can inject a line) and Exec gives back exactly the command.
func FuzzDesktopEntryRoundTrip(f *testing.F) {
	f.Add("opt/Rescue Companion/rc", "--minimized")
	f.Add(`a\b$c"d`, "x\nHidden=true")
	f.Add("%u", "%%")
	f.Add("", "\t\r`'")
	f.Fuzz(func(t *testing.T, exe, arg string) {
		exe = "/" + exe
		if checkCommand(exe, []string{arg}) != nil {
			return
		}
		entry := parseDesktopEntry([]byte(enabledDesktopEntry(desktopExec(exe, []string{arg}))))
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range entry {
				if !yield(k) {
					return
				}
			}
		})
		wantKeys := []string{"Comment", "Comment[fr]", "Exec", "Icon", "Name", "Terminal", "Type", "Version", "X-GNOME-Autostart-enabled"}
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("keys %q", keys)
		}
		words, err := splitExec(entry["Exec"])
		if err != nil || !slices.Equal(words, []string{exe, arg}) {
			t.Fatalf("Exec=%s reads back as %q (%v)", entry["Exec"], words, err)
		}
		if entry["Hidden"] != "" || entry["X-GNOME-Autostart-enabled"] != "true" {
			t.Fatalf("entry %q", entry)
		}
	})
}

// FuzzParseDesktopEntry reads arbitrary files: no panic, and only keys of the [Desktop Entry] group
// come out, trimmed and on one line.
func FuzzParseDesktopEntry(f *testing.F) {
	f.Add([]byte(enabledEntryBytes))
	f.Add([]byte(systemEntry))
	f.Add([]byte("[Desktop Entry]\nA=1\n[X]\nB=2\n[Desktop Entry]\nC = 3 \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k, v := range parseDesktopEntry(data) {
			if k == "" || k != strings.TrimSpace(k) || v != strings.TrimSpace(v) || strings.ContainsAny(k+v, "\n") || strings.Contains(k, "=") {
				t.Fatalf("key %q value %q", k, v)
			}
		}
	})
}

// FuzzLaunchAgentPlist checks that the property list is well-formed XML whose ProgramArguments
// are exactly the command, or that the command is refused.
func FuzzLaunchAgentPlist(f *testing.F) {
	f.Add("Applications/Rescue Companion.app/Contents/MacOS/rc", "--minimized")
	f.Add("a&b<c>", "]]></string><string>evil")
	f.Add("x", "line\r\nbreak")
	f.Fuzz(func(t *testing.T, exe, arg string) {
		exe = "/" + exe
		if checkCommand(exe, []string{arg}) != nil {
			return
		}
		doc, err := launchAgentPlist([]string{exe, arg})
		if errors.Is(err, errBadCommand) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := plistProgramArguments(doc)
		if err != nil || !slices.Equal(got, []string{exe, arg}) {
			t.Fatalf("ProgramArguments %q (%v), want %q", got, err, []string{exe, arg})
		}
	})
}

// plistProgramArguments decodes the strings of the plist's only array.
func plistProgramArguments(doc string) ([]string, error) {
	var p struct {
		Dict struct {
			Array struct {
				Strings []string `xml:"string"`
			} `xml:"array"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	return p.Dict.Array.Strings, nil
}
