package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Parse reads settings from TOML text. Keys the text leaves out keep their Default values.
// The result is normalised (see Normalize) but not validated. Every unknown key is an error
// naming the key and its line.
func Parse(data []byte) (Config, error) {
	c := Default()
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return Default(), err
	}
	if err := unknownKeys(data, md.Keys()); err != nil {
		return Default(), err
	}
	return c.Normalize(), nil
}

// Load reads the settings file at path. When the file does not exist, Load returns Default()
// and an error for which errors.Is(err, fs.ErrNotExist) holds, so a first run can tell "no
// file yet" from "a file I cannot use". On any other error it also returns Default().
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Default(), fmt.Errorf("config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Default(), fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// unknownKeys reports every key outside the contract, leaving out those inside an already
// reported unknown table, so one misspelt table name gives one line and not one per key under
// it. It compares exactly: the TOML library would also accept "URL" for "url", but TOML keys
// are case sensitive and the contract names one spelling.
func unknownKeys(data []byte, keys []toml.Key) error {
	var errs []error
	var reported []toml.Key
	for _, key := range keys {
		if isKnownKey(key) || hasReportedPrefix(reported, key) {
			continue
		}
		reported = append(reported, key)
		errs = append(errs, unknownKeyError(data, key))
	}
	return errors.Join(errs...)
}

func isKnownKey(key toml.Key) bool {
	return slices.Contains(knownKeys, key.String())
}

func hasReportedPrefix(reported []toml.Key, key toml.Key) bool {
	for _, r := range reported {
		if isPrefix(r, key) {
			return true
		}
	}
	return false
}

func unknownKeyError(data []byte, key toml.Key) error {
	var hint string
	if s := suggestKey(key); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	if line := lineOfKey(data, key); line > 0 {
		return fmt.Errorf("line %d: %w %q%s", line, ErrUnknownKey, key.String(), hint)
	}
	return fmt.Errorf("%w %q%s", ErrUnknownKey, key.String(), hint)
}

// lineOfKey finds the 1-based line where key is defined, or 0. The TOML library keeps key
// positions private, so this scans the text, which has already parsed: table headers set the
// current table, "a.b = …" lines define keys under it, and multi-line strings are skipped.
func lineOfKey(data []byte, key toml.Key) int {
	var table []string
	var inString string // the delimiter of an open multi-line string, or ""
	for i, line := range strings.Split(string(data), "\n") {
		if inString != "" {
			if strings.Count(line, inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if header, ok := tableHeader(trimmed); ok {
			table = header
			if isPrefix(key, table) {
				return i + 1
			}
			continue
		}
		name, value, ok := strings.Cut(trimmed, "=")
		if !ok || strings.HasPrefix(trimmed, "#") {
			continue
		}
		full := append(append([]string(nil), table...), splitKey(name)...)
		if isPrefix(key, full) || isPrefix(full, key) {
			return i + 1
		}
		inString = openMultiline(value)
	}
	return 0
}

func tableHeader(line string) ([]string, bool) {
	if !strings.HasPrefix(line, "[") {
		return nil, false
	}
	line = strings.TrimLeft(line, "[")
	end := strings.Index(line, "]")
	if end < 0 {
		return nil, false
	}
	return splitKey(line[:end]), true
}

// splitKey splits a dotted TOML key into its parts, unquoting them; a dot inside quotes is
// part of the name.
func splitKey(s string) []string {
	var parts []string
	var part strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			part.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			parts = append(parts, strings.TrimSpace(part.String()))
			part.Reset()
		default:
			part.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(part.String()))
}

func openMultiline(value string) string {
	for _, delim := range []string{`"""`, `'''`} {
		if strings.Count(value, delim)%2 == 1 {
			return delim
		}
	}
	return ""
}

// isPrefix reports whether prefix is a leading part of key (or equal to it).
func isPrefix(prefix, key []string) bool {
	if len(prefix) > len(key) || len(prefix) == 0 {
		return false
	}
	for i := range prefix {
		if prefix[i] != key[i] {
			return false
		}
	}
	return true
}

// knownKeys lists every key of the contract, for suggestions.
var knownKeys = []string{
	"dynamics", "dynamics.url", "dynamics.tenant_id", "dynamics.client_id", "dynamics.authority",
	"rescue", "rescue.instance", "rescue.endpoint", "rescue.company_id", "rescue.technician_sso_id",
	"rescue.correlation_field", "rescue.pin_validity_minutes",
	"options", "options.require_active_console", "options.close_request_at_session_end",
	"options.reassign_case_at_session_start", "options.do_not_send_cfield1",
	"sandbox", "sandbox.ca_file",
	"dataverse", "dataverse.session_table", "dataverse.session_key",
	"dataverse.technician_table", "dataverse.technician_id_column", "dataverse.technician_sso_column",
}

// suggestKey returns the known key closest to key when it is a likely typo of it, else "".
func suggestKey(key toml.Key) string {
	got := strings.ToLower(key.String())
	best, bestDist := "", 4 // at most three edits away
	for _, k := range knownKeys {
		if strings.Count(k, ".") != len(key)-1 {
			continue // a table is not a typo of a key, nor the other way round
		}
		if d := editDistance(got, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
