package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"strings"
)

// MachinePlistPath is the managed preferences file that applies to every user of the Mac.
func MachinePlistPath() string {
	return path.Join(ManagedPreferencesDir, AppID+".plist")
}

// UserPlistPath is the managed preferences file of one user; its values win over the machine's.
func UserPlistPath(user string) string {
	return path.Join(ManagedPreferencesDir, user, AppID+".plist")
}

// loadManagedPreferences merges the machine's file and the user's, the user's values winning
// name by name: that is the order in which macOS itself looks up a managed preference, the more
// specific scope first.
func (s Sources) loadManagedPreferences(ctx context.Context) (Policy, error) {
	if s.Files == nil {
		return Policy{}, errors.New("policy: no file reader")
	}
	paths := []string{MachinePlistPath()}
	if isPlainName(s.User) {
		paths = append(paths, UserPlistPath(s.User))
	}
	var merged Policy
	var found []string
	var errs []error
	for _, file := range paths { // later files win
		p, ok, err := s.readManagedPreferences(ctx, file)
		if err != nil {
			errs = append(errs, err)
		}
		if !ok {
			continue
		}
		found = append(found, file)
		for key, v := range p.Values {
			merged.set(key, v, p.originOf(key))
		}
	}
	merged.Source = strings.Join(found, " and ")
	return merged, errors.Join(errs...)
}

// isPlainName accepts a user name that can only name a directory inside ManagedPreferencesDir.
func isPlainName(user string) bool {
	return user != "" && user != "." && user != ".." && !strings.ContainsAny(user, `/\`)
}

// readManagedPreferences reads one file; ok is false when it does not exist or cannot be read.
func (s Sources) readManagedPreferences(ctx context.Context, file string) (p Policy, ok bool, err error) {
	data, err := s.Files.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return Policy{}, false, nil
	}
	if err != nil {
		return Policy{}, false, fmt.Errorf("policy %s: %w", file, err)
	}
	if bytes.HasPrefix(data, []byte("bplist")) && s.PlistToXML != nil {
		if data, err = s.PlistToXML(ctx, file); err != nil {
			return Policy{}, true, fmt.Errorf("policy %s: %w", file, err)
		}
	}
	p, err = parseManagedPreferences(file, data)
	return p, true, err
}

// parseManagedPreferences reads a managed preferences file: a dictionary of setting names.
// Keys that start with "Payload" are a configuration profile's own bookkeeping and are skipped.
func parseManagedPreferences(source string, data []byte) (Policy, error) {
	top, err := decodePlist(data)
	if err != nil {
		return Policy{Source: source}, fmt.Errorf("policy %s: %w", source, err)
	}
	dict, ok := top.(map[string]any)
	if !ok {
		return Policy{Source: source}, fmt.Errorf("policy %s: the top value is %s, want a dictionary", source, describe(top))
	}
	settings := make(map[string]any, len(dict))
	for name, v := range dict {
		if !strings.HasPrefix(name, "Payload") {
			settings[name] = v
		}
	}
	return fromNamedValues(source, settings, false)
}

// plutilToXML converts a binary property list with the tool every Mac has.
func plutilToXML(ctx context.Context, file string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "/usr/bin/plutil", "-convert", "xml1", "-o", "-", file)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("plutil: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
