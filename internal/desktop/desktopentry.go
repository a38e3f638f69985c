package desktop

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
)

// maxDesktopEntrySize bounds what readDesktopEntry reads: an autostart entry is a few hundred bytes,
// and a file of megabytes in its place is not ours.
const maxDesktopEntrySize = 64 << 10

// readDesktopEntry returns the raw values of the [Desktop Entry] group of the file at path.
func readDesktopEntry(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDesktopEntrySize))
	if err != nil {
		return nil, err
	}
	return parseDesktopEntry(data), nil
}

// parseDesktopEntry reads the keys of the [Desktop Entry] group, values left escaped as written.
// Localised keys (Name[fr]) keep their brackets; comments, blank lines, other groups and lines that
// are not key=value are skipped, as the spec allows a reader to. The first of duplicate keys wins.
func parseDesktopEntry(data []byte) map[string]string {
	entry := map[string]string{}
	inGroup := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxDesktopEntrySize)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "["):
			inGroup = line == "[Desktop Entry]"
		case inGroup:
			key, value, ok := strings.Cut(line, "=")
			key = strings.TrimSpace(key)
			if _, dup := entry[key]; ok && key != "" && !dup {
				entry[key] = strings.TrimSpace(value)
			}
		}
	}
	return entry
}

// desktopExec writes exe and args as the value of an Exec key: the program always quoted, each
// argument quoted when it holds a reserved character, then escaped as a string value. The two
// layers are the spec's: quoting for the command line, then the string escapes (\\ \n \t \r) for
// the file, which is why a backslash in an argument ends up as four.
func desktopExec(exe string, args []string) string {
	words := []string{quoteExecArg(exe, true)}
	for _, a := range args {
		words = append(words, quoteExecArg(a, false))
	}
	return escapeDesktopString(strings.Join(words, " "))
}

// execReserved are the characters the Desktop Entry spec says force an argument to be quoted.
const execReserved = " \t\n\"'\\><~|&;$*?#()`"

// quoteExecArg quotes one Exec argument. Inside double quotes ", `, $ and \ take a backslash.
// A literal % is written %% inside quotes or out, since Exec gives % its field-code meaning.
func quoteExecArg(s string, force bool) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !force && s != "" && !strings.ContainsAny(s, execReserved) && !hasControl(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// escapeDesktopString applies the string-value escapes, so a value stays on its one line.
func escapeDesktopString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}
